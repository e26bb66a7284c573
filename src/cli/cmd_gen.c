/* cmd_gen.c: `wasm-bpf gen skeleton|types ...`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

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
    if (!strcmp(argv[1], "skeleton"))
        return cmd_gen_skeleton(argc - 1, argv + 1);
    if (!strcmp(argv[1], "types"))
        return cmd_gen_types(argc - 1, argv + 1);
    fprintf(stderr, "wasm-bpf gen: unknown generator '%s' (expected 'skeleton' or 'types')\n", argv[1]);
    return EXIT_USAGE;
}
