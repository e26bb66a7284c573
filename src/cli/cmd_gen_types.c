/* cmd_gen_types.c: `wasm-bpf gen types`: kernel types for Wasm guests, in C,
 * Rust or WIT, from the BTF of a BPF object or a raw BTF file. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gen.h"
#include "opt.h"
#include "wasm_bpf_base.h"

struct types_args {
    struct gen_types_opts gen;
    struct opt_list types;
    const char *output;
};

static int set_lang(void *target, const char *value, char *err, size_t errlen)
{
    int lang = gen_types_lang_from_name(value);
    if (lang < 0) {
        snprintf(err, errlen, "unknown language (expected c, rust or wit)");
        return -1;
    }
    *(enum gen_types_lang *)target = (enum gen_types_lang)lang;
    return 0;
}

#define AT(member) offsetof(struct types_args, member)
static const struct opt types_opts[] = {
    {"lang", 'l', "LANG", OPT_SET, AT(gen.lang), set_lang, "c (default), rust or wit"},
    {"type", 't', "NAME", OPT_LIST, AT(types), NULL,
     "generate type NAME and what it contains; repeatable.  \"struct NAME\", \"union NAME\", "
     "\"enum NAME\" or \"typedef NAME\" picks one kind"},
    {"output", 'o', "FILE", OPT_STRING, AT(output), NULL,
     "write to FILE (default: standard output); FILE is replaced only when generation succeeds"},
    {"base-btf", 'B', "FILE", OPT_STRING, AT(gen.base_btf_path), NULL,
     "base BTF of a split BTF file (default for /sys/kernel/btf/MODULE: /sys/kernel/btf/vmlinux)"},
    {"name", 0, "NAME", OPT_STRING, AT(gen.name), NULL,
     "name for the include guard (C) and package (WIT); default: the input file's name"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group types_groups[] = {
    {types_opts, 0, NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_gen_types_spec = {
    .name = "gen types",
    .usage = "gen types [options] OBJECT.bpf.o\n"
             "gen types [options] --type NAME... BTF-FILE",
    .description =
        "Write the kernel's layout of BTF types for a 32-bit Wasm guest: fixed-width\n"
        "fields at their BTF offsets (`long` is 64-bit, pointers are 64-bit integers),\n"
        "explicit padding, packed structs and unions, bitfields with get/set accessors,\n"
        "and compile-time checks of every size and offset.\n"
        "\n"
        "Without --type: every named struct, union, enum and typedef that the object's\n"
        "global variables and maps (keys and values) use, with what they contain.\n",
    .groups = types_groups,
    .epilog = "Examples:\n"
              "  wasm-bpf gen types bootstrap.bpf.o -o bootstrap.types.h\n"
              "  wasm-bpf gen types --lang rust bootstrap.bpf.o -o src/types.rs\n"
              "  wasm-bpf gen types --type task_struct /sys/kernel/btf/vmlinux\n",
    .arity = &(const struct opt_arity){1, 1, "no input file"},
};

/* What the generator's hint codes mean in this command's options. */
static const char *const hint_words[] = {
    [GEN_HINT_NONE] = NULL,
    [GEN_HINT_NAME_TYPES] = "name the types to generate with --type",
    [GEN_HINT_BASE_BTF] = "split BTF of a module? give its base with --base-btf",
};

/* Prints an error and what would fix it; names from BTF may hold anything,
 * so control characters are not passed to the terminal. */
static void print_error(const char *msg, enum gen_hint hint)
{
    fputs("wasm-bpf gen types: ", stderr);
    for (const char *p = msg; *p; p++)
        fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
    if ((size_t)hint < sizeof hint_words / sizeof hint_words[0] && hint_words[hint])
        fprintf(stderr, " (%s)", hint_words[hint]);
    fputc('\n', stderr);
}

/* A regular file is written to a temporary file next to `path` renamed over
 * it, so that a failed run leaves the old file (or none) rather than a torn
 * one; other files are written in place (base_output_open). */
static int write_output(const struct gen_types_opts *opts, const char *path)
{
    char err_msg[512];
    if (!path || !strcmp(path, "-")) {
        if (gen_types(opts, stdout, err_msg, sizeof err_msg)) {
            print_error(err_msg, *opts->hint);
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
        base_output_discard(&out);
        return 1;
    }
    int ret = gen_types(opts, f, err_msg, sizeof err_msg);
    if (fclose(f) && !ret) {
        snprintf(err_msg, sizeof err_msg, "%s: %s", path, strerror(errno));
        ret = -1;
    }
    if (!ret && (err = base_output_commit(&out))) {
        snprintf(err_msg, sizeof err_msg, "%s: %s", path, strerror(-err));
        ret = -1;
    }
    if (ret) {
        base_output_discard(&out);
        print_error(err_msg, *opts->hint);
    }
    return ret ? 1 : 0;
}

int cmd_gen_types(int argc, char **argv)
{
    enum gen_hint hint = GEN_HINT_NONE;
    struct types_args a = {.gen.lang = GEN_TYPES_C, .gen.hint = &hint};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) {
        fprintf(stderr, "wasm-bpf gen types: out of memory\n");
        return 1;
    }
    int nargs, rc = opt_parse(&cmd_gen_types_spec, &a, argc, argv, args, &nargs);
    if (rc < 0) {
        a.gen.path = args[0];
        a.gen.types = a.types.items;
        a.gen.ntypes = a.types.n;
        rc = write_output(&a.gen, a.output);
    }
    opt_free(&cmd_gen_types_spec, &a);
    free(args);
    return rc;
}
