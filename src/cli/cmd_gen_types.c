/* cmd_gen_types.c: `wasm-bpf gen types`: kernel types for Wasm guests, in C,
 * Rust or WIT, from the BTF of a BPF object or a raw BTF file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gen.h"
#include "wasm_bpf_base.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf gen types [options] OBJECT.bpf.o\n"
            "       wasm-bpf gen types [options] --type NAME... BTF-FILE\n"
            "\n"
            "Write the kernel's layout of BTF types for a 32-bit Wasm guest: fixed-width\n"
            "fields at their BTF offsets (`long` is 64-bit, pointers are 64-bit integers),\n"
            "explicit padding, packed structs and unions, bitfields with get/set accessors,\n"
            "and compile-time checks of every size and offset.\n"
            "\n"
            "Without --type: every named struct, union, enum and typedef that the object's\n"
            "global variables and maps (keys and values) use, with what they contain.\n"
            "\n"
            "Options:\n"
            "  -l, --lang LANG       c (default), rust or wit\n"
            "  -t, --type NAME       generate type NAME and what it contains; repeatable.\n"
            "                        \"struct NAME\", \"union NAME\", \"enum NAME\" or\n"
            "                        \"typedef NAME\" picks one kind\n"
            "  -o, --output FILE     write to FILE (default: standard output); FILE is\n"
            "                        replaced only when generation succeeds\n"
            "  -B, --base-btf FILE   base BTF of a split BTF file (default for\n"
            "                        /sys/kernel/btf/MODULE: /sys/kernel/btf/vmlinux)\n"
            "      --name NAME       name for the include guard (C) and package (WIT);\n"
            "                        default: the input file's name\n"
            "  -h, --help            show this help\n"
            "\n"
            "Examples:\n"
            "  wasm-bpf gen types bootstrap.bpf.o -o bootstrap.types.h\n"
            "  wasm-bpf gen types --lang rust bootstrap.bpf.o -o src/types.rs\n"
            "  wasm-bpf gen types --type task_struct /sys/kernel/btf/vmlinux\n");
}

/* Prints an error; names from BTF may hold anything, so control
 * characters are not passed to the terminal. */
static void print_error(const char *msg)
{
    fputs("wasm-bpf gen types: ", stderr);
    for (const char *p = msg; *p; p++)
        fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
    fputc('\n', stderr);
}

/* A regular file is written to a temporary file next to `path` renamed over
 * it, so that a failed run leaves the old file (or none) rather than a torn
 * one; other files are written in place (base_output_open). */
static int write_output(const struct gen_types_opts *opts, const char *path)
{
    char err_msg[512];
    if (!path || !strcmp(path, "-")) {
        if (gen_types(opts, stdout, stderr, err_msg, sizeof err_msg)) {
            print_error(err_msg);
            return 1;
        }
        return 0;
    }
    /* -o as cp writes: a device, a FIFO or a symlink is written in place */
    struct base_output out;
    int err = base_output_open(&out, path, 0666);
    if (err) {
        fprintf(stderr, "wasm-bpf gen types: %s: %s\n", path, strerror(-err));
        return 1;
    }
    int fd = dup(out.fd);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "wasm-bpf gen types: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        base_output_abort(&out);
        return 1;
    }
    int ret = gen_types(opts, f, stderr, err_msg, sizeof err_msg);
    if (fclose(f) && !ret) {
        snprintf(err_msg, sizeof err_msg, "%s: %s", path, strerror(errno));
        ret = -1;
    }
    if (!ret && (err = base_output_commit(&out))) {
        snprintf(err_msg, sizeof err_msg, "%s: %s", path, strerror(-err));
        ret = -1;
    }
    if (ret) {
        base_output_abort(&out);
        print_error(err_msg);
    }
    return ret ? 1 : 0;
}

int cmd_gen_types(int argc, char **argv)
{
    enum { OPT_NAME = 256 };
    static const struct option longopts[] = {
        {"lang", required_argument, NULL, 'l'},
        {"type", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"base-btf", required_argument, NULL, 'B'},
        {"name", required_argument, NULL, OPT_NAME},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct gen_types_opts opts = {.lang = GEN_TYPES_C};
    const char *output = NULL;
    const char **types = calloc((size_t)argc + 1, sizeof *types);
    if (!types) {
        fprintf(stderr, "wasm-bpf gen types: out of memory\n");
        return 1;
    }
    int ret = EXIT_USAGE, c;
    optind = 0;   /* a fresh getopt scan (glibc) */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":l:t:o:B:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': {
            int lang = gen_types_lang_from_name(optarg);
            if (lang < 0) {
                fprintf(stderr, "wasm-bpf gen types: unknown language '%s' (expected c, rust or "
                        "wit)\n", optarg);
                goto out;
            }
            opts.lang = (enum gen_types_lang)lang;
            break;
        }
        case 't':
            types[opts.ntypes++] = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'B':
            opts.base_btf_path = optarg;
            break;
        case OPT_NAME:
            opts.name = optarg;
            break;
        case 'h':
            usage(stdout);
            ret = 0;
            goto out;
        case ':':
            fprintf(stderr, "wasm-bpf gen types: option '%s' needs a value\n", argv[optind - 1]);
            goto out;
        default:
            fprintf(stderr, "wasm-bpf gen types: unknown option '%s'\n", argv[optind - 1]);
            fprintf(stderr, "Run `wasm-bpf gen types --help` for the options.\n");
            goto out;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, optind == argc ? "wasm-bpf gen types: no input file\n"
                                       : "wasm-bpf gen types: one input file only\n");
        usage(stderr);
        goto out;
    }
    opts.path = argv[optind];
    opts.types = types;
    ret = write_output(&opts, output);
out:
    free(types);
    return ret;
}
