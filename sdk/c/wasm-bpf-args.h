/* wasm-bpf-args.h: command-line flags for a BPF object's `const volatile`
 * globals, as `wasm-bpf gen skeleton` describes them.
 *
 * For every `const volatile` variable of .rodata (the knobs a BPF program
 * reads and the guest sets before load), the skeleton writes one row of a
 * table (flag, type, offset, description) and two functions over it:
 *
 *   NAME__parse_args(obj, argc, argv)    every argument must be one of them
 *   NAME__take_args(obj, &argc, argv)    takes them out of argv, leaves the rest
 *
 * A variable `min_duration_ns` becomes `--min-duration-ns N` (also
 * `--min-duration-ns=N`); a bool becomes a switch (`--verbose`,
 * `--no-verbose`); an enum takes one of its enumerators' names (or a
 * number); a char array takes a string shorter than the array.  Numbers
 * are decimal or 0x hexadecimal and must fit the variable's type.  The
 * description printed by --help is the variable's BTF decl tag
 * "description:TEXT", written in the .bpf.c with WASM_BPF_DESCRIPTION()
 * (wasm-bpf-bpf.h), else the variable's name; the default shown is the
 * value in the object.
 *
 * Call them after NAME__open() and before NAME__load(): the values are
 * written into .rodata, which the kernel freezes at load.
 *
 * Both return -1 to go on, or an exit code for main() to return at once:
 * 0 after --help (the flags' help printed), 2 after a usage error (printed
 * to stderr: the flag and what is wrong with the value).
 *
 * Everything here is static inline: include it from any number of files. */
#ifndef WASM_BPF_ARGS_H
#define WASM_BPF_ARGS_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

enum wasm_bpf_arg_kind {
    WASM_BPF_ARG_INT,    /* a signed integer of `size` bytes */
    WASM_BPF_ARG_UINT,   /* an unsigned integer of `size` bytes */
    WASM_BPF_ARG_BOOL,   /* a _Bool: a switch */
    WASM_BPF_ARG_ENUM,   /* an enum of `size` bytes: a name of `enums` or a number */
    WASM_BPF_ARG_STRING, /* char[size]: a string of at most size - 1 bytes */
};

struct wasm_bpf_arg_enum {
    const char *name;
    int64_t value; /* an unsigned enum's values above INT64_MAX wrap */
};

struct wasm_bpf_arg {
    const char *flag; /* without "--": "min-duration-ns" */
    const char *var;  /* the variable: "min_duration_ns" */
    const char *help; /* its description, or NULL */
    enum wasm_bpf_arg_kind kind;
    uint32_t offset; /* in the section */
    uint32_t size;   /* bytes */
    bool is_signed;  /* ENUM: its values are signed */
    const struct wasm_bpf_arg_enum *enums;
    uint32_t nenums;
};

static inline int wasm_bpf_args__error(const char *prog, const struct wasm_bpf_arg *a,
                                       const char *fmt, const char *value)
{
    fprintf(stderr, "%s: --%s: ", prog, a->flag);
    fprintf(stderr, fmt, value);
    fprintf(stderr, " (see --help)\n");
    return 2;
}

/* The value of an integer of `size` bytes at p (little-endian, as wasm32 and
 * BPF on x86-64 and arm64 are). */
static inline uint64_t wasm_bpf_args__load(const void *p, uint32_t size)
{
    uint64_t v = 0;
    memcpy(&v, p, size <= 8 ? size : 8);
    return v;
}

static inline int64_t wasm_bpf_args__signed(uint64_t v, uint32_t size)
{
    if (size >= 8)
        return (int64_t)v;
    uint64_t sign = 1ULL << (size * 8 - 1);
    return (int64_t)((v ^ sign) - sign);
}

/* Parse a decimal or 0x hexadecimal integer into a signed or unsigned
 * integer of `size` bytes.  0, or -EINVAL (not a number), -ERANGE. */
static inline int wasm_bpf_args__number(const char *s, bool is_signed, uint32_t size, uint64_t *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    bool digit = (*p >= '0' && *p <= '9') ||
                 (base == 16 && ((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')));
    if (!digit)
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long mag = strtoull(p, &end, base);
    if (*end)
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    unsigned bits = size * 8;
    if (is_signed) {
        uint64_t limit = bits >= 64 ? (uint64_t)INT64_MAX : (1ULL << (bits - 1)) - 1;
        if (neg ? mag > limit + 1 : mag > limit)
            return -ERANGE;
        *out = neg ? (uint64_t)0 - mag : mag;
    } else {
        uint64_t limit = bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
        if (neg && mag)
            return -ERANGE;
        if (mag > limit)
            return -ERANGE;
        *out = mag;
    }
    return 0;
}

static inline void wasm_bpf_args_print_help(const struct wasm_bpf_arg *args, int nargs,
                                            const void *section, FILE *f)
{
    const unsigned char *base = (const unsigned char *)section;
    fprintf(f, "\nOptions of the BPF program (set before it is loaded):\n");
    for (int i = 0; i < nargs; i++) {
        const struct wasm_bpf_arg *a = &args[i];
        char left[96];
        const char *metavar = a->kind == WASM_BPF_ARG_BOOL     ? ""
                              : a->kind == WASM_BPF_ARG_ENUM   ? " NAME"
                              : a->kind == WASM_BPF_ARG_STRING ? " STRING"
                                                               : " N";
        snprintf(left, sizeof(left), "  --%s%s%s", a->kind == WASM_BPF_ARG_BOOL ? "[no-]" : "",
                 a->flag, metavar);
        fprintf(f, "%-25s %s", left, a->help ? a->help : a->var);
        uint64_t v =
            a->kind == WASM_BPF_ARG_STRING ? 0 : wasm_bpf_args__load(base + a->offset, a->size);
        switch (a->kind) {
        case WASM_BPF_ARG_INT:
            fprintf(f, " (default: %" PRId64 ")", wasm_bpf_args__signed(v, a->size));
            break;
        case WASM_BPF_ARG_UINT: fprintf(f, " (default: %" PRIu64 ")", v); break;
        case WASM_BPF_ARG_BOOL: fprintf(f, " (default: %s)", v ? "on" : "off"); break;
        case WASM_BPF_ARG_ENUM: {
            int64_t sv = a->is_signed ? wasm_bpf_args__signed(v, a->size) : (int64_t)v;
            const char *dflt = NULL;
            fprintf(f, " (one of:");
            for (uint32_t k = 0; k < a->nenums; k++) {
                fprintf(f, " %s", a->enums[k].name);
                if (a->enums[k].value == sv && !dflt)
                    dflt = a->enums[k].name;
            }
            if (dflt)
                fprintf(f, "; default: %s)", dflt);
            else
                fprintf(f, "; default: %" PRId64 ")", sv);
            break;
        }
        case WASM_BPF_ARG_STRING: {
            const char *s = (const char *)base + a->offset;
            fprintf(f, " (at most %u bytes; default: \"%.*s\")", a->size - 1,
                    (int)strnlen(s, a->size), s);
            break;
        }
        }
        fputc('\n', f);
    }
}

/* Set argument `a` from `value` (NULL for a switch).  -1, or 2 after an
 * error (printed). */
static inline int wasm_bpf_args__set(const char *prog, const struct wasm_bpf_arg *a, void *section,
                                     const char *value)
{
    unsigned char *p = (unsigned char *)section + a->offset;
    uint64_t v = 0;
    int err;
    switch (a->kind) {
    case WASM_BPF_ARG_BOOL: return -1; /* set by the caller */
    case WASM_BPF_ARG_STRING:
        if (strlen(value) >= a->size) {
            fprintf(stderr, "%s: --%s: '%s' is longer than %u bytes (see --help)\n", prog, a->flag,
                    value, a->size - 1);
            return 2;
        }
        memset(p, 0, a->size);
        memcpy(p, value, strlen(value));
        return -1;
    case WASM_BPF_ARG_ENUM:
        for (uint32_t k = 0; k < a->nenums; k++)
            if (!strcmp(a->enums[k].name, value)) {
                v = (uint64_t)a->enums[k].value;
                memcpy(p, &v, a->size);
                return -1;
            }
        err = wasm_bpf_args__number(value, a->is_signed, a->size, &v);
        if (err) {
            fprintf(stderr, "%s: --%s: '%s' is not one of:", prog, a->flag, value);
            for (uint32_t k = 0; k < a->nenums; k++)
                fprintf(stderr, " %s", a->enums[k].name);
            fprintf(stderr, "\n");
            return 2;
        }
        memcpy(p, &v, a->size);
        return -1;
    case WASM_BPF_ARG_INT:
    case WASM_BPF_ARG_UINT:
        err = wasm_bpf_args__number(value, a->kind == WASM_BPF_ARG_INT, a->size, &v);
        if (err == -ERANGE) {
            char range[96];
            unsigned bits = a->size * 8;
            if (a->kind == WASM_BPF_ARG_INT)
                snprintf(range, sizeof(range), "%" PRId64 " to %" PRId64,
                         bits >= 64 ? INT64_MIN : -(int64_t)(1ULL << (bits - 1)),
                         bits >= 64 ? INT64_MAX : (int64_t)((1ULL << (bits - 1)) - 1));
            else
                snprintf(range, sizeof(range), "0 to %" PRIu64,
                         bits >= 64 ? UINT64_MAX : (uint64_t)((1ULL << bits) - 1));
            fprintf(stderr, "%s: --%s: %s is out of range (%s) (see --help)\n", prog, a->flag,
                    value, range);
            return 2;
        }
        if (err)
            return wasm_bpf_args__error(prog, a, "'%s' is not a number", value);
        memcpy(p, &v, a->size);
        return -1;
    }
    return -1;
}

/* The program's name for messages: argv[0] without its directory and
 * ".wasm", else `name`. */
static inline const char *wasm_bpf_args__prog(const char *argv0, const char *name, char *buf,
                                              size_t size)
{
    if (!argv0 || !*argv0)
        return name;
    const char *slash = strrchr(argv0, '/');
    snprintf(buf, size, "%s", slash ? slash + 1 : argv0);
    size_t len = strlen(buf);
    if (len > 5 && !strcmp(buf + len - 5, ".wasm"))
        buf[len - 5] = '\0';
    return *buf ? buf : name;
}

/* Take the flags of `args` out of argv (*argc updated, the rest kept in
 * order; "--" ends the flags).  -h/--help prints their help and stays in
 * argv for the caller.  -1 to go on, 2 after a usage error (printed). */
static inline int wasm_bpf_args_take(const struct wasm_bpf_arg *args, int nargs, void *section,
                                     const char *name, int *argc, char **argv)
{
    char prog_buf[64];
    const char *prog =
        wasm_bpf_args__prog(*argc > 0 ? argv[0] : NULL, name, prog_buf, sizeof(prog_buf));
    int out = 1;
    bool rest = false, help = false;
    for (int i = 1; i < *argc; i++) {
        const char *s = argv[i];
        bool is_help = !rest && (!strcmp(s, "--help") || !strcmp(s, "-h"));
        if (!is_help && (rest || s[0] != '-' || s[1] != '-' || !s[2])) {
            rest |= !strcmp(s, "--");
            argv[out++] = argv[i];
            continue;
        }
        if (is_help) {
            if (!help)
                wasm_bpf_args_print_help(args, nargs, section, stdout);
            help = true;
            argv[out++] = argv[i];
            continue;
        }
        const char *name = s + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        bool no = false;
        const struct wasm_bpf_arg *a = NULL;
        for (int k = 0; k < nargs && !a; k++) {
            if (strlen(args[k].flag) == len && !strncmp(args[k].flag, name, len))
                a = &args[k];
            else if (args[k].kind == WASM_BPF_ARG_BOOL && len == strlen(args[k].flag) + 3 &&
                     !strncmp(name, "no-", 3) && !strncmp(args[k].flag, name + 3, len - 3)) {
                a = &args[k];
                no = true;
            }
        }
        if (!a) {
            argv[out++] = argv[i];
            continue;
        }
        if (a->kind == WASM_BPF_ARG_BOOL) {
            if (eq) {
                fprintf(stderr, "%s: --%s is a switch and takes no value (see --help)\n", prog,
                        a->flag);
                return 2;
            }
            *((unsigned char *)section + a->offset) = no ? 0 : 1;
            continue;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (i + 1 >= *argc) {
                fprintf(stderr, "%s: --%s needs a value (see --help)\n", prog, a->flag);
                return 2;
            }
            value = argv[++i];
        }
        int rc = wasm_bpf_args__set(prog, a, section, value);
        if (rc >= 0)
            return rc;
    }
    argv[out] = NULL;
    *argc = out;
    return -1;
}

/* The same, and then nothing else may be left: an unknown option or an
 * argument is a usage error.  0 after --help. */
static inline int wasm_bpf_args_parse(const struct wasm_bpf_arg *args, int nargs, void *section,
                                      const char *name, int argc, char **argv)
{
    int rc = wasm_bpf_args_take(args, nargs, section, name, &argc, argv);
    char prog_buf[64];
    const char *prog =
        wasm_bpf_args__prog(argc > 0 ? argv[0] : NULL, name, prog_buf, sizeof(prog_buf));
    if (rc >= 0)
        return rc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 0;
    }
    if (argc > 1) {
        const char *s = argv[1];
        if (s[0] == '-' && s[1])
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, s);
        else
            fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", prog, s);
        return 2;
    }
    return -1;
}

#ifdef __cplusplus
}
#endif
#endif /* WASM_BPF_ARGS_H */
