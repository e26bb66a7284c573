/* cmd_gen_skeleton.c: `wasm-bpf gen skeleton [--name NAME] OBJECT.bpf.o`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gen.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf gen skeleton [options] OBJECT.bpf.o > OBJECT.skel.h\n"
            "\n"
            "Write the wasm skeleton of a BPF object to standard output: the object's\n"
            "bytes, its maps and programs, and its global data (.rodata, .data, .bss)\n"
            "as structures with the kernel's exact layout.  A C guest includes it with\n"
            "libbpf-wasm.h (sdk/c) and calls NAME__open(), NAME__load(), NAME__attach(),\n"
            "NAME__destroy(); skel->rodata->VAR set before load parameterises the object.\n"
            "\n"
            "Options:\n"
            "  -n, --name NAME  name of the skeleton (struct NAME, NAME__open ...);\n"
            "                   default: from the file name, \"x.bpf.o\" -> \"x_bpf\"\n"
            "  -h, --help       show this help\n");
}

int cmd_gen_skeleton(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct gen_skeleton_opts opts = {0};
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "+n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            opts.name = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "wasm-bpf gen skeleton: expected one BPF object file\n");
        usage(stderr);
        return EXIT_USAGE;
    }

    char err[512];
    if (gen_skeleton(argv[optind], &opts, stdout, err, sizeof(err))) {
        fprintf(stderr, "wasm-bpf gen skeleton: %s\n", err);
        return 1;
    }
    return 0;
}
