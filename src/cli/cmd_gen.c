/* cmd_gen.c: `wasm-bpf gen skeleton|types ...`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opt.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} generators[] = {
    {"skeleton", cmd_gen_skeleton},
    {"types", cmd_gen_types},
};

static void gen_usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf gen skeleton [options] OBJECT.bpf.o > OBJECT.skel.h\n"
            "       wasm-bpf gen types [options] OBJECT.bpf.o\n"
            "\n"
            "  skeleton  the wasm skeleton a C guest drives (embedded object, maps, programs)\n"
            "  types     kernel structs laid out for a wasm32 guest (C, Rust or WIT)\n"
            "\n"
            "Run `wasm-bpf gen skeleton --help` or `wasm-bpf gen types --help` for options.\n");
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
    const char *names[sizeof generators / sizeof generators[0] + 1] = {NULL};
    for (size_t i = 0; i < sizeof generators / sizeof generators[0]; i++) {
        if (!strcmp(argv[1], generators[i].name))
            return generators[i].fn(argc - 1, argv + 1);
        names[i] = generators[i].name;
    }
    const char *near = opt_nearest(argv[1], names);
    fprintf(stderr, "wasm-bpf gen: unknown generator '%s' (%s%s%s)\n", argv[1],
            near ? "did you mean '" : "expected 'skeleton' or 'types'", near ? near : "", near ? "'?" : "");
    return EXIT_USAGE;
}
