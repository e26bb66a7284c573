/* cmd_gen.c: `wasm-bpf gen skeleton|types ...`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opt.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const struct opt_command *spec;
    const char *summary;
} generators[] = {
    {"skeleton", cmd_gen_skeleton, &cmd_gen_skeleton_spec,
     "the wasm skeleton a C guest drives (embedded object, maps, programs)"},
    {"types", cmd_gen_types, &cmd_gen_types_spec,
     "kernel structs laid out for a wasm32 guest (C, Rust or WIT)"},
};
#define NGENERATORS (sizeof generators / sizeof generators[0])

/* The generators' usage lines come from their option tables. */
static void gen_usage(FILE *out)
{
    fprintf(out, "Usage:");
    for (size_t i = 0; i < NGENERATORS; i++)
        for (const char *line = generators[i].spec->usage; *line;) {
            size_t n = strcspn(line, "\n");
            fprintf(out, "%s wasm-bpf %.*s\n",
                    i || line != generators[i].spec->usage ? "      " : "", (int)n, line);
            line += n + (line[n] == '\n');
        }
    fprintf(out, "\n");
    for (size_t i = 0; i < NGENERATORS; i++)
        fprintf(out, "  %-9s %s\n", generators[i].name, generators[i].summary);
    fprintf(out,
            "\nRun `wasm-bpf gen skeleton --help` or `wasm-bpf gen types --help` for options.\n");
}

int cmd_gen(int argc, char **argv)
{
    if (argc < 2) {
        gen_usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        gen_usage(stdout);
        return 0;
    }
    const char *names[NGENERATORS + 1] = {NULL};
    for (size_t i = 0; i < NGENERATORS; i++) {
        if (!strcmp(argv[1], generators[i].name))
            return generators[i].fn(argc - 1, argv + 1);
        names[i] = generators[i].name;
    }
    const char *near = opt_nearest(argv[1], names);
    fprintf(stderr, "wasm-bpf gen: unknown generator '%s' (%s%s%s)\n", argv[1],
            near ? "did you mean '" : "expected 'skeleton' or 'types'", near ? near : "",
            near ? "'?" : "");
    return EXIT_USAGE;
}
