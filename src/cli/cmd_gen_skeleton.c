/* cmd_gen_skeleton.c: `wasm-bpf gen skeleton [--name NAME] OBJECT.bpf.o`. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "gen.h"
#include "opt.h"

static int set_lang(void *target, const char *value, char *err, size_t errlen)
{
    int lang = gen_types_lang_from_name(value);
    if (lang != GEN_TYPES_C && lang != GEN_TYPES_RUST) {
        snprintf(err, errlen, "unknown language (expected c or rust)");
        return -1;
    }
    *(enum gen_types_lang *)target = (enum gen_types_lang)lang;
    return 0;
}

static const struct opt skeleton_opts[] = {
    {"lang", 'l', "LANG", OPT_SET, offsetof(struct gen_skeleton_opts, lang), set_lang,
     "c (default): the C header; rust: the flags of the `const volatile` globals for a Rust "
     "guest (X.skel.rs)"},
    {"name", 'n', "NAME", OPT_STRING, offsetof(struct gen_skeleton_opts, name), NULL,
     "name of the skeleton (struct NAME, NAME__open ...); default: from the file name, "
     "\"x.bpf.o\" -> \"x_bpf\""},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group skeleton_groups[] = {
    {skeleton_opts, 0, NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_gen_skeleton_spec = {
    .name = "gen skeleton",
    .usage = "gen skeleton [options] OBJECT.bpf.o > OBJECT.skel.h (or OBJECT.skel.rs)",
    .description = "Write the wasm skeleton of a BPF object to standard output: the object's\n"
                   "bytes, its maps and programs, and its global data (.rodata, .data, .bss)\n"
                   "as structures with the kernel's exact layout.  A C guest includes it with\n"
                   "libbpf-wasm.h (sdk/c) and calls NAME__open(), NAME__load(), NAME__attach(),\n"
                   "NAME__destroy(); skel->rodata->VAR set before load parameterises the object.\n"
                   "Both languages get a command-line flag per `const volatile` global\n"
                   "(NAME__parse_args in C; ARGS, parse_args and take_args in Rust, over the\n"
                   "SDK crate's args module).\n",
    .groups = skeleton_groups,
    .arity = &(const struct opt_arity){1, 1, "expected one BPF object file"},
};

int cmd_gen_skeleton(int argc, char **argv)
{
    struct gen_skeleton_opts opts = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_gen_skeleton_spec, &opts, argc, argv, args, &nargs);
    if (rc < 0) {
        char err[512];
        rc = 0;
        if (gen_skeleton(args[0], &opts, stdout, err, sizeof(err))) {
            fprintf(stderr, "wasm-bpf gen skeleton: %s\n", err);
            rc = 1;
        }
    }
    free(args);
    return rc;
}
