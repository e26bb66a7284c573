/* skeleton_args.c: the command-line flags a skeleton offers for its
 * object's `const volatile` globals (NAME__parse_args, NAME__take_args).
 *
 * What ecli and Inspektor Gadget give their users: every knob the BPF
 * program reads from .rodata is a typed, range-checked flag, with --help
 * text from the variable's BTF decl tag "description:...", without a line
 * of hand-written parsing in the guest.  The generated part is data (one
 * row per variable); the parser that reads it is the SDK's
 * (sdk/c/wasm-bpf-args.h), so a guest carries its code once, and only if
 * it calls it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gen_internal.h"

/* Flags the SDK's tool helper (sdk/c/wasm-bpf-tool.h) already takes. */
static const char *const taken_flags[] = {"help", "timeout", "output"};

enum arg_kind { ARG_NONE, ARG_INT, ARG_UINT, ARG_BOOL, ARG_ENUM, ARG_STRING };

static const char *const kind_names[] = {
    [ARG_INT] = "WASM_BPF_ARG_INT",       [ARG_UINT] = "WASM_BPF_ARG_UINT",
    [ARG_BOOL] = "WASM_BPF_ARG_BOOL",     [ARG_ENUM] = "WASM_BPF_ARG_ENUM",
    [ARG_STRING] = "WASM_BPF_ARG_STRING",
};

void gen__c_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f || *p == '?') /* '?': no trigraphs */
            fprintf(out, "\\%03o", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* What flag a variable of type `id` makes: its kind, the size of its value
 * and, for an enum, the enum type.  ARG_NONE if the variable is not
 * `volatile` (a constant the program was compiled with) or has a type no
 * flag can spell (structs, arrays other than char[], floats, pointers). */
static enum arg_kind classify(const struct btf *btf, uint32_t id, uint32_t *size,
                              const struct btf_type **enum_type)
{
    bool is_volatile = false;
    const struct btf_type *t = btf__type_by_id(btf, id);
    /* chains end: gen_btf_check_chains() ran before libbpf opened the object */
    while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
        is_volatile |= btf_is_volatile(t);
        t = btf__type_by_id(btf, t->type);
    }
    if (t && btf_is_array(t)) {
        /* C puts an array's qualifiers on its elements */
        const struct btf_array *a = btf_array(t);
        const struct btf_type *e = btf__type_by_id(btf, a->type);
        while (e && (btf_is_mod(e) || btf_is_typedef(e))) {
            is_volatile |= btf_is_volatile(e);
            e = btf__type_by_id(btf, e->type);
        }
        if (!is_volatile || !e || !btf_is_int(e) || e->size != 1 || a->nelems < 2 ||
            a->nelems > 4096 || (btf_int_encoding(e) & BTF_INT_BOOL))
            return ARG_NONE;
        *size = a->nelems;
        return ARG_STRING;
    }
    if (!t || !is_volatile)
        return ARG_NONE;
    if (btf_is_int(t)) {
        if (btf_int_offset(t) || btf_int_bits(t) != t->size * 8)
            return ARG_NONE;
        *size = t->size;
        if (btf_int_encoding(t) & BTF_INT_BOOL)
            return t->size == 1 ? ARG_BOOL : ARG_NONE;
        if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
            return ARG_NONE;
        return btf_int_encoding(t) & BTF_INT_SIGNED ? ARG_INT : ARG_UINT;
    }
    if (btf_is_any_enum(t) && (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8) &&
        btf_vlen(t)) {
        *size = t->size;
        *enum_type = t;
        return ARG_ENUM;
    }
    return ARG_NONE;
}

/* The text of the variable's decl tag "description:TEXT", or NULL. */
static const char *description(const struct btf *btf, uint32_t var_id)
{
    uint32_t n = btf__type_cnt(btf);
    for (uint32_t id = 1; id < n; id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        if (!btf_is_decl_tag(t) || t->type != var_id || btf_decl_tag(t)->component_idx != -1)
            continue;
        const char *tag = btf__name_by_offset(btf, t->name_off);
        if (tag && !strncmp(tag, "description:", 12))
            return tag + 12;
    }
    return NULL;
}

static bool flag_taken(const char *flag)
{
    for (size_t i = 0; i < sizeof taken_flags / sizeof taken_flags[0]; i++)
        if (!strcmp(flag, taken_flags[i]))
            return true;
    return !strncmp(flag, "no-", 3); /* would read as a switch's negation */
}

/* Whether an enum's values are signed: BTF says so with kflag, but clang
 * before 15 never sets it; a 32-bit enum with a value that is negative as
 * an int (-2 is stored as 0xfffffffe) is signed too, as C makes it. */
static bool enum_signed(const struct btf_type *t)
{
    if (btf_kflag(t))
        return true;
    if (btf_is_enum64(t))
        return false;
    for (unsigned k = 0; k < btf_vlen(t); k++)
        if (btf_enum(t)[k].val < 0)
            return true;
    return false;
}

/* The flag of global `name` in buf (underscores become dashes, dashes
 * trimmed at both ends, cut at 255 characters): what follows "--", maybe
 * empty. */
static const char *flag_of(const char *name, char buf[static 256])
{
    size_t len = 0;
    for (const char *p = name; *p && len < 255; p++)
        buf[len++] = *p == '_' ? '-' : *p;
    buf[len] = '\0';
    while (len && buf[len - 1] == '-')
        buf[--len] = '\0';
    const char *start = buf;
    while (*start == '-')
        start++;
    return start;
}

/* Enumerator k of enum t: its name (NULL if the BTF has none) and, in *v,
 * its value as the flag parser compares it (unsigned 32-bit enums widened
 * without sign). */
static const char *enumerator(const struct btf *btf, const struct btf_type *t, unsigned k,
                              long long *v)
{
    if (btf_is_enum64(t)) {
        const struct btf_enum64 *e = btf_enum64(t) + k;
        *v = (long long)btf_enum64_value(e);
        return btf__name_by_offset(btf, e->name_off);
    }
    const struct btf_enum *e = btf_enum(t) + k;
    *v = enum_signed(t) ? (long long)e->val : (long long)(uint32_t)e->val;
    return btf__name_by_offset(btf, e->name_off);
}

static void enum_rows(FILE *out, const struct btf *btf, const struct btf_type *t)
{
    for (unsigned k = 0; k < btf_vlen(t); k++) {
        long long v;
        const char *name = enumerator(btf, t, k, &v);
        fprintf(out, "\t\t{");
        gen__c_string(out, name ? name : "");
        /* INT64_MIN cannot be written as a literal */
        if (v == (-9223372036854775807LL - 1))
            fprintf(out, ", -9223372036854775807LL - 1},\n");
        else
            fprintf(out, ", %lldLL},\n", v);
    }
}

/* A variable of .rodata as a flag sees it. */
struct rodata_var {
    const char *name;
    enum arg_kind kind; /* classify()'s */
    uint32_t size;
    const struct btf_type *enum_type;
};

/* Variable `vi` of .rodata, false if it is not a global one (a static one
 * is the program's own, never a flag). */
static bool rodata_global(const struct btf *btf, const struct btf_var_secinfo *vi,
                          struct rodata_var *v)
{
    const struct btf_type *var = btf__type_by_id(btf, vi->type);
    *v = (struct rodata_var){0};
    if (!var || !btf_is_var(var) || btf_var(var)->linkage == BTF_VAR_STATIC)
        return false;
    v->name = btf__name_by_offset(btf, var->name_off);
    v->kind = classify(btf, var->type, &v->size, &v->enum_type);
    return true;
}

int gen__skeleton_args(FILE *out, const struct btf *btf, const struct btf_type *rodata,
                       const char *name, const char *ident)
{
    fprintf(out,
            "\n/* Command-line flags for the object's `const volatile` globals of .rodata:\n"
            " * %1$s__parse_args(obj, argc, argv) after %1$s__open(), before\n"
            " * %1$s__load() (sdk/c/wasm-bpf-args.h says how they are spelled). */\n"
            "static inline const struct wasm_bpf_arg *%1$s__args(int *n)\n{\n",
            name);
    int nargs = 0, nskipped = 0;
    const struct btf_var_secinfo *vi = rodata ? btf_var_secinfos(rodata) : NULL;
    unsigned nvars = rodata ? btf_vlen(rodata) : 0;
    /* the enums' names first, each in its own array */
    for (unsigned i = 0; i < nvars; i++) {
        struct rodata_var v;
        if (!rodata_global(btf, &vi[i], &v) || v.kind != ARG_ENUM)
            continue;
        fprintf(out, "\tstatic const struct wasm_bpf_arg_enum enum%u[] = {\n", i);
        enum_rows(out, btf, v.enum_type);
        fprintf(out, "\t};\n");
    }
    fprintf(out, "\tstatic const struct wasm_bpf_arg args[] = {\n");
    for (unsigned i = 0; i < nvars; i++) {
        struct rodata_var v;
        if (!rodata_global(btf, &vi[i], &v))
            continue;
        if (v.kind == ARG_NONE || !v.name || !*v.name || v.size > vi[i].size) {
            nskipped++;
            continue;
        }
        char flag[256];
        const char *start = flag_of(v.name, flag);
        if (!*start || flag_taken(start)) {
            nskipped++;
            fprintf(out, "\t\t/* %s: its flag would be --%s, which is taken */\n", v.name, start);
            continue;
        }
        fprintf(out, "\t\t{");
        gen__c_string(out, start);
        fprintf(out, ", ");
        gen__c_string(out, v.name);
        fprintf(out, ", ");
        const char *desc = description(btf, vi[i].type);
        if (desc)
            gen__c_string(out, desc);
        else
            fprintf(out, "NULL");
        fprintf(out, ", %s, %u, %u, %s, ", kind_names[v.kind], vi[i].offset, v.size,
                v.enum_type && enum_signed(v.enum_type) ? "true" : "false");
        if (v.kind == ARG_ENUM)
            fprintf(out, "enum%u, %u},\n", i, btf_vlen(v.enum_type));
        else
            fprintf(out, "NULL, 0},\n");
        nargs++;
    }
    if (!nargs)
        fprintf(out, "\t\t{NULL, NULL, NULL, WASM_BPF_ARG_INT, 0, 0, false, NULL, 0},\n");
    fprintf(out, "\t};\n");
    if (nskipped)
        fprintf(out,
                "\t/* %d more global%s of .rodata: not volatile, or of a type no flag "
                "spells */\n",
                nskipped, nskipped == 1 ? "" : "s");
    fprintf(out, "\t*n = %d;\n\treturn args;\n}\n\n", nargs);
    const char *section = ident ? "obj->" : "NULL";
    fprintf(out,
            "/* Every argument must be one of the flags: -1 to go on, else the exit code\n"
            " * (0 after --help, 2 after a usage error, printed). */\n"
            "static inline int %1$s__parse_args(struct %1$s *obj, int argc, char **argv)\n"
            "{\n"
            "\tint n;\n"
            "\tconst struct wasm_bpf_arg *args = %1$s__args(&n);\n"
            "\t(void)obj;\n"
            "\treturn wasm_bpf_args_parse(args, n, %2$s%3$s, \"%1$s\", argc, argv);\n"
            "}\n\n"
            "/* The flags are taken out of argv, the rest is left for the caller. */\n"
            "static inline int %1$s__take_args(struct %1$s *obj, int *argc, char **argv)\n"
            "{\n"
            "\tint n;\n"
            "\tconst struct wasm_bpf_arg *args = %1$s__args(&n);\n"
            "\t(void)obj;\n"
            "\treturn wasm_bpf_args_take(args, n, %2$s%3$s, \"%1$s\", argc, argv);\n"
            "}\n",
            name, section, ident ? ident : "");
    return 0;
}

/* A Rust string literal of any bytes. */
static void rust_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(out, "\\x%02x", *p & 0x7f); /* Rust strings are UTF-8: ASCII only */
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static const char *const rust_kind_names[] = {
    [ARG_INT] = "Int",   [ARG_UINT] = "Uint",  [ARG_BOOL] = "Bool",
    [ARG_ENUM] = "Enum", [ARG_STRING] = "Str",
};

int gen__skeleton_args_rust(FILE *out, const struct btf *btf, const struct btf_type *rodata,
                            const char *source)
{
    fprintf(out,
            "// Generated by `wasm-bpf gen skeleton --lang rust` from %s: do not edit.\n"
            "//\n"
            "// Command-line flags for the object's `const volatile` globals of .rodata\n"
            "// (the knobs the BPF program reads, set before load): --min-pid N for\n"
            "// `min_pid`, booleans as switches (--x, --no-x), enums by name, strings for\n"
            "// char arrays; typed and range-checked, with --help text from the\n"
            "// variable's decl tag \"description:...\" (WASM_BPF_DESCRIPTION).  The\n"
            "// parser is the SDK's (wasm_bpf_binding::args); this is its table.\n\n"
            "#[allow(unused_imports)]\n"
            "use wasm_bpf_binding::args::{Arg, ArgKind};\n\n"
            "/// The flags, one per variable.\n"
            "#[allow(dead_code)]\n"
            "pub static ARGS: &[Arg] = &[\n",
            source);
    const struct btf_var_secinfo *vi = rodata ? btf_var_secinfos(rodata) : NULL;
    unsigned nvars = rodata ? btf_vlen(rodata) : 0;
    int nskipped = 0;
    for (unsigned i = 0; i < nvars; i++) {
        const struct btf_type *var = btf__type_by_id(btf, vi[i].type);
        uint32_t size = 0;
        const struct btf_type *et = NULL;
        if (!var || !btf_is_var(var) || btf_var(var)->linkage == BTF_VAR_STATIC)
            continue;
        const char *vname = btf__name_by_offset(btf, var->name_off);
        enum arg_kind kind = classify(btf, var->type, &size, &et);
        if (kind == ARG_NONE || !vname || !*vname || size > vi[i].size) {
            nskipped++;
            continue;
        }
        char flag[256];
        const char *start = flag_of(vname, flag);
        if (!*start || flag_taken(start)) {
            nskipped++;
            fprintf(out, "    // ");
            rust_string(out, vname);
            fprintf(out, ": its flag would be --%s, which is taken\n", start);
            continue;
        }
        fprintf(out, "    Arg {\n        flag: ");
        rust_string(out, start);
        fprintf(out, ",\n        var: ");
        rust_string(out, vname);
        fprintf(out, ",\n        help: ");
        const char *desc = description(btf, vi[i].type);
        if (desc) {
            fprintf(out, "Some(");
            rust_string(out, desc);
            fprintf(out, ")");
        } else {
            fprintf(out, "None");
        }
        fprintf(out,
                ",\n        kind: ArgKind::%s,\n        size: %u,\n        signed: %s,\n"
                "        enums: &[",
                rust_kind_names[kind], size, et && enum_signed(et) ? "true" : "false");
        if (kind == ARG_ENUM) {
            for (unsigned k = 0; k < btf_vlen(et); k++) {
                long long v;
                const char *ename = enumerator(btf, et, k, &v);
                fprintf(out, "%s(", k ? ", " : "");
                rust_string(out, ename ? ename : "");
                if (v == (-9223372036854775807LL - 1))
                    fprintf(out, ", i64::MIN)");
                else
                    fprintf(out, ", %lld)", v);
            }
        }
        fprintf(out, "],\n    },\n");
    }
    fprintf(out, "];\n");
    if (nskipped)
        fprintf(out, "// %d more global%s of .rodata: not volatile, or of a type no flag spells\n",
                nskipped, nskipped == 1 ? "" : "s");
    fprintf(
        out,
        "\n/// Every argument of `argv` must be one of the flags (or -h/--help, which\n"
        "/// prints their help): their values are set in `obj` before load.  Err:\n"
        "/// the exit code for main() at once (0 after --help, 2 after a usage error,\n"
        "/// printed).\n"
        "#[allow(dead_code)]\n"
        "pub fn parse_args(obj: &mut wasm_bpf_binding::OpenObject<'_>, name: &str, argv: Vec<String>)\n"
        "    -> Result<(), i32> {\n"
        "    wasm_bpf_binding::args::parse(ARGS, obj, name, argv)\n"
        "}\n\n"
        "/// The flags are taken out of `argv` and set in `obj`; the rest is returned.\n"
        "#[allow(dead_code)]\n"
        "pub fn take_args(obj: &mut wasm_bpf_binding::OpenObject<'_>, name: &str, argv: Vec<String>)\n"
        "    -> Result<Vec<String>, i32> {\n"
        "    wasm_bpf_binding::args::take(ARGS, obj, name, argv)\n"
        "}\n");
    return 0;
}
