/* skeleton.c: `wasm-bpf gen skeleton`, the wasm skeleton of a BPF object.
 *
 * The header it writes is what a C guest includes to drive its object
 * through sdk/c/libbpf-wasm.h: the object's bytes (patched in place before
 * load), one struct bpf_map / bpf_program pointer per map and program, and
 * one structure per global-data section (.rodata, .data, .bss and their
 * named variants) whose layout is the kernel's exactly: fixed-width types,
 * explicit padding, packed, with size and offset assertions.  Pointers and
 * longs are 8 bytes in BPF and 4 in wasm32, so C types are never copied
 * from BTF: every member is rebuilt from BTF sizes and offsets.
 *
 * The API is the one of bpftool's skeleton as forked by the original
 * Wasm-bpf project (NAME__open, __load, __attach, __destroy, ->rodata ...),
 * so guests written for it compile unchanged. */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_internal.h"
#include "wasm_bpf_base.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

/* A section of the ELF file, by name. */
struct elf_section {
    char *name;
    uint64_t offset;
    uint64_t size;
    uint32_t type; /* SHT_PROGBITS, SHT_NOBITS ... */
};

/* One map of the object, as the skeleton names it. */
struct skel_map {
    const char *name;               /* libbpf's name: "rb", "bootstra.rodata" */
    char ident[128];                /* C member name: "rb", "rodata" */
    const char *section;            /* global-data maps: ".rodata", ".data.x" ... */
    const struct btf_type *datasec; /* its DATASEC, when it has one */
    const struct elf_section *elf;  /* its ELF section */
    uint32_t value_size;
    bool has_vars; /* a structure is generated for it */
};

struct skel {
    char name[128];       /* "bootstrap_bpf" */
    const uint8_t *bytes; /* the object file */
    size_t size;
    struct bpf_object *obj;
    struct btf *btf;
    struct elf_section *sections;
    size_t nsections;
    struct skel_map *maps;
    size_t nmaps;
    const char **progs;
    size_t nprogs;
    char *err;
    size_t errlen;
};

static int fail(struct skel *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct skel *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, s->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void sanitize_identifier(char *name)
{
    for (char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            *p = '_';
}

/* The skeleton name bpftool derives from an object file name: its base name
 * without ".o", every character that cannot be in a C identifier replaced
 * by '_' ("bootstrap.bpf.o" -> "bootstrap_bpf"). */
static void skeleton_name(const char *path, char *name, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(name, size, "%s", base);
    size_t n = strlen(name);
    if (n > 2 && !strcmp(name + n - 2, ".o"))
        name[n - 2] = '\0';
    sanitize_identifier(name);
    if (isdigit((unsigned char)name[0]) && strlen(name) + 1 < size) {
        memmove(name + 1, name, strlen(name) + 1);
        name[0] = '_';
    }
}

/* ------------------------------------------------------------------ */
/* Reading the object                                                  */
/* ------------------------------------------------------------------ */

/* Check the ELF header and record the sections (for their file offsets). */
static int read_sections(struct skel *s, const char *path)
{
    if (s->size < EI_NIDENT || memcmp(s->bytes, ELFMAG, SELFMAG))
        return fail(s, "%s is not an ELF file", path);
    if (s->bytes[EI_CLASS] != ELFCLASS64)
        return fail(s, "%s is not a 64-bit ELF object", path);
    if (s->bytes[EI_DATA] != ELFDATA2LSB)
        return fail(s,
                    "%s is a big-endian object; wasm guests are little-endian "
                    "(compile it with -target bpfel or bpf on a little-endian host)",
                    path);

    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(s, "libelf: %s", elf_errmsg(-1));
    Elf *elf = elf_memory((char *)s->bytes, s->size);
    if (!elf)
        return fail(s, "%s: %s", path, elf_errmsg(-1));
    int rc = -1;
    GElf_Ehdr eh;
    size_t shstrndx, nsec;
    if (!gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx) ||
        elf_getshdrnum(elf, &nsec)) {
        fail(s, "%s: bad ELF header: %s", path, elf_errmsg(-1));
        goto out;
    }
    if (eh.e_type != ET_REL || eh.e_machine != EM_BPF) {
        fail(s, "%s is not a BPF object file (ELF type %u, machine %u)", path, eh.e_type,
             eh.e_machine);
        goto out;
    }
    s->sections = base_calloc(nsec ? nsec : 1, sizeof(*s->sections));
    if (!s->sections) {
        fail(s, "out of memory");
        goto out;
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!name)
            continue;
        if (sh.sh_type != SHT_NOBITS &&
            (sh.sh_offset > s->size || sh.sh_size > s->size - sh.sh_offset)) {
            fail(s, "%s: section %s lies outside the file", path, name);
            goto out;
        }
        struct elf_section *es = &s->sections[s->nsections];
        es->name = base_strdup(name);
        if (!es->name) {
            fail(s, "out of memory");
            goto out;
        }
        es->offset = sh.sh_offset;
        es->size = sh.sh_size;
        es->type = sh.sh_type;
        s->nsections++;
    }
    rc = 0;
out:
    elf_end(elf);
    return rc;
}

static const struct elf_section *find_section(const struct skel *s, const char *name)
{
    for (size_t i = 0; i < s->nsections; i++)
        if (!strcmp(s->sections[i].name, name))
            return &s->sections[i];
    return NULL;
}

static const struct btf_type *find_datasec(const struct btf *btf, const char *section)
{
    if (!btf)
        return NULL;
    unsigned n = btf__type_cnt(btf);
    for (unsigned id = 1; id < n; id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        if (btf_is_datasec(t) && !strcmp(btf__name_by_offset(btf, t->name_off), section))
            return t;
    }
    return NULL;
}

static bool datasec_has_vars(const struct btf *btf, const struct btf_type *sec)
{
    const struct btf_var_secinfo *vi = btf_var_secinfos(sec);
    for (unsigned i = 0; i < btf_vlen(sec); i++, vi++) {
        const struct btf_type *var = btf__type_by_id(btf, vi->type);
        if (var && btf_is_var(var) && btf_var(var)->linkage != BTF_VAR_STATIC)
            return true;
    }
    return false;
}

static int collect(struct skel *s)
{
    struct bpf_map *map;
    size_t n = 0;
    bpf_object__for_each_map(map, s->obj)
        n++;
    s->maps = base_calloc(n ? n : 1, sizeof(*s->maps));
    if (!s->maps)
        return fail(s, "out of memory");

    bpf_object__for_each_map(map, s->obj) {
        struct skel_map *m = &s->maps[s->nmaps++];
        m->name = bpf_map__name(map);
        m->value_size = bpf_map__value_size(map);
        if (!bpf_map__is_internal(map)) {
            snprintf(m->ident, sizeof(m->ident), "%s", m->name);
            sanitize_identifier(m->ident);
            continue;
        }
        /* libbpf names a global-data map "<obj prefix><section>", or just
         * "<section>" for sections with a dot in their suffix */
        m->section = strchr(m->name, '.');
        if (!m->section)
            return fail(s, "internal map '%s' has no section name", m->name);
        snprintf(m->ident, sizeof(m->ident), "%s", m->section + 1);
        sanitize_identifier(m->ident);
        m->elf = find_section(s, m->section);
        m->datasec = find_datasec(s->btf, m->section);
        /* .kconfig is filled by the host at load: nothing to see or patch */
        m->has_vars = m->datasec && m->elf && strcmp(m->section, ".kconfig") &&
                      (bpf_map__map_flags(map) & BPF_F_MMAPABLE) &&
                      datasec_has_vars(s->btf, m->datasec);
    }
    for (size_t i = 0; i < s->nmaps; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->maps[i].ident, s->maps[j].ident))
                return fail(s, "maps '%s' and '%s' would both be called '%s' in the skeleton",
                            s->maps[j].name, s->maps[i].name, s->maps[i].ident);

    struct bpf_program *prog;
    n = 0;
    bpf_object__for_each_program(prog, s->obj)
        n++;
    s->progs = base_calloc(n ? n : 1, sizeof(*s->progs));
    if (!s->progs)
        return fail(s, "out of memory");
    bpf_object__for_each_program(prog, s->obj)
        s->progs[s->nprogs++] = bpf_program__name(prog);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Types: BTF to fixed-width C for a wasm32 guest                       */
/* ------------------------------------------------------------------ */

/* Chains end: gen_btf_check_chains() ran before libbpf opened the object. */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t *id)
{
    const struct btf_type *t = btf__type_by_id(btf, *id);
    while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
        *id = t->type;
        t = btf__type_by_id(btf, *id);
    }
    return t;
}

/* Declare `name` of BTF type `id` as a guest-side member:
 * "uint64_t min_duration_ns", "char comm[16]", "uint8_t cfg[24] (struct config)".
 * Returns 0, or -1 for a type that has no size. */
static int emit_member(FILE *out, const struct btf *btf, uint32_t id, const char *name)
{
    uint32_t dims[16];
    int ndims = 0;
    const struct btf_type *t = skip_mods(btf, &id);
    while (t && btf_is_array(t) && ndims < 15) {
        const struct btf_array *a = btf_array(t);
        dims[ndims++] = a->nelems;
        id = a->type;
        t = skip_mods(btf, &id);
    }
    if (!t)
        return -1;

    char base[64];
    const char *comment = NULL;
    char comment_buf[160];
    long size = btf__resolve_size(btf, id);
    if (size < 0)
        return -1;

    switch (btf_kind(t)) {
    case BTF_KIND_INT: {
        uint8_t enc = btf_int_encoding(t);
        const char *cname = btf__name_by_offset(btf, t->name_off);
        if (enc & BTF_INT_BOOL && size == 1)
            snprintf(base, sizeof(base), "_Bool");
        else if (size == 1 && cname && !strcmp(cname, "char"))
            snprintf(base, sizeof(base), "char");
        else if (size == 1 || size == 2 || size == 4 || size == 8)
            snprintf(base, sizeof(base), "%sint%ld_t", enc & BTF_INT_SIGNED ? "" : "u", size * 8);
        else {
            snprintf(base, sizeof(base), "uint8_t");
            dims[ndims++] = (uint32_t)size;
            snprintf(comment_buf, sizeof(comment_buf), "%ld-byte integer", size);
            comment = comment_buf;
        }
        break;
    }
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
        if (size == 1 || size == 2 || size == 4 || size == 8) {
            snprintf(base, sizeof(base), "%sint%ld_t", btf_kflag(t) ? "" : "u", size * 8);
        } else {
            snprintf(base, sizeof(base), "uint8_t");
            dims[ndims++] = (uint32_t)size;
        }
        if (t->name_off) {
            snprintf(comment_buf, sizeof(comment_buf), "enum %s",
                     btf__name_by_offset(btf, t->name_off));
            comment = comment_buf;
        }
        break;
    case BTF_KIND_FLOAT:
        if (size == 4)
            snprintf(base, sizeof(base), "float");
        else if (size == 8)
            snprintf(base, sizeof(base), "double");
        else {
            snprintf(base, sizeof(base), "uint8_t");
            dims[ndims++] = (uint32_t)size;
            comment = "floating point";
        }
        break;
    case BTF_KIND_PTR:
        snprintf(base, sizeof(base), "uint64_t");
        comment = "a kernel-side pointer";
        break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
        if (t->name_off) {
            /* defined above the skeleton by gen types (emit_types) */
            snprintf(base, sizeof(base), "%s %s", btf_is_struct(t) ? "struct" : "union",
                     btf__name_by_offset(btf, t->name_off));
        } else {
            snprintf(base, sizeof(base), "uint8_t");
            dims[ndims++] = (uint32_t)size;
            comment = btf_is_struct(t) ? "an anonymous struct" : "an anonymous union";
        }
        break;
    default:
        snprintf(base, sizeof(base), "uint8_t");
        dims[ndims++] = (uint32_t)size;
        break;
    }
    fprintf(out, "\t\t%s %s", base, name);
    for (int i = 0; i < ndims; i++)
        fprintf(out, "[%u]", dims[i]);
    fprintf(out, ";");
    if (comment)
        fprintf(out, " /* %s */", comment);
    fprintf(out, "\n");
    return 0;
}

/* The named structs and unions that global variables have (by value, maybe
 * in arrays), laid out by `gen types` (src/gen/types*.c) above the
 * skeleton, so that skel->rodata->cfg.field works. */
static int emit_types(struct skel *s, FILE *out, const char *path)
{
    int *ids = NULL;
    size_t n = 0;
    for (size_t i = 0; i < s->nmaps; i++) {
        const struct skel_map *m = &s->maps[i];
        if (!m->has_vars)
            continue;
        const struct btf_var_secinfo *vi = btf_var_secinfos(m->datasec);
        for (unsigned k = 0; k < btf_vlen(m->datasec); k++, vi++) {
            const struct btf_type *var = btf__type_by_id(s->btf, vi->type);
            if (!var || !btf_is_var(var) || btf_var(var)->linkage == BTF_VAR_STATIC)
                continue;
            uint32_t id = var->type;
            const struct btf_type *t = skip_mods(s->btf, &id);
            while (t && btf_is_array(t)) {
                id = btf_array(t)->type;
                t = skip_mods(s->btf, &id);
            }
            if (!t || !btf_is_composite(t) || !t->name_off)
                continue;
            bool seen = false;
            for (size_t j = 0; j < n; j++)
                seen |= ids[j] == (int)id;
            if (seen)
                continue;
            int *more = base_reallocarray(ids, (size_t)n + 1, sizeof(*ids));
            if (!more) {
                free(ids);
                return fail(s, "out of memory");
            }
            ids = more;
            ids[n++] = (int)id;
        }
    }
    int rc = 0;
    if (n) {
        const char *base = strrchr(path, '/');
        char err[512];
        if (gen_types_btf(s->btf, ids, n, GEN_TYPES_C, base ? base + 1 : path, s->name, out, err,
                          sizeof(err)))
            rc = fail(s, "the types of the global variables: %s", err);
        else
            fprintf(out, "\n");
    }
    free(ids);
    return rc;
}

/* The structure of one global-data section, as a member of the skeleton. */
static int emit_datasec(struct skel *s, FILE *out, const struct skel_map *m)
{
    const struct btf_type *sec = m->datasec;
    const struct btf_var_secinfo *vi = btf_var_secinfos(sec);
    uint32_t at = 0;
    int pad = 0;

    fprintf(out, "\tstruct %s__%s {\n", s->name, m->ident);
    for (unsigned i = 0; i < btf_vlen(sec); i++, vi++) {
        const struct btf_type *var = btf__type_by_id(s->btf, vi->type);
        if (!var || !btf_is_var(var) || btf_var(var)->linkage == BTF_VAR_STATIC)
            continue;
        const char *vname = btf__name_by_offset(s->btf, var->name_off);
        if (vi->offset < at)
            return fail(s, "variable '%s' of %s overlaps the one before it", vname, m->section);
        if (vi->offset > at)
            fprintf(out, "\t\tuint8_t __pad%d[%u];\n", pad++, vi->offset - at);
        char ident[256];
        snprintf(ident, sizeof(ident), "%s", vname);
        sanitize_identifier(ident);
        if (emit_member(out, s->btf, var->type, ident))
            return fail(s, "variable '%s' of %s has a type without a size", vname, m->section);
        at = vi->offset + vi->size;
    }
    if (sec->size > at)
        fprintf(out, "\t\tuint8_t __pad%d[%u];\n", pad, sec->size - at);
    fprintf(out, "\t} __attribute__((packed)) *%s;\n", m->ident);
    return 0;
}

static void emit_asserts(struct skel *s, FILE *out)
{
    bool any = false;
    for (size_t i = 0; i < s->nmaps; i++)
        any |= s->maps[i].has_vars;
    if (!any)
        return;
    fprintf(out, "\n/* The layout above is the kernel's: these fail to compile if it is not. */\n");
    fprintf(out,
            "#ifdef __cplusplus\n#define %s__static_assert static_assert\n#else\n"
            "#define %s__static_assert _Static_assert\n#endif\n",
            s->name, s->name);
    for (size_t i = 0; i < s->nmaps; i++) {
        const struct skel_map *m = &s->maps[i];
        if (!m->has_vars)
            continue;
        fprintf(out, "%s__static_assert(sizeof(struct %s__%s) == %u, \"size of %s\");\n", s->name,
                s->name, m->ident, m->datasec->size, m->section);
        const struct btf_var_secinfo *vi = btf_var_secinfos(m->datasec);
        for (unsigned k = 0; k < btf_vlen(m->datasec); k++, vi++) {
            const struct btf_type *var = btf__type_by_id(s->btf, vi->type);
            if (!var || !btf_is_var(var) || btf_var(var)->linkage == BTF_VAR_STATIC)
                continue;
            char ident[256];
            snprintf(ident, sizeof(ident), "%s", btf__name_by_offset(s->btf, var->name_off));
            sanitize_identifier(ident);
            fprintf(out,
                    "%s__static_assert(offsetof(struct %s__%s, %s) == %u, \"offset of %s\");\n",
                    s->name, s->name, m->ident, ident, vi->offset, ident);
            fprintf(out,
                    "%s__static_assert(sizeof(((struct %s__%s *)0)->%s) == %u, \"size of %s\");\n",
                    s->name, s->name, m->ident, ident, vi->size, ident);
        }
    }
    fprintf(out, "#undef %s__static_assert\n", s->name);
}

/* The object's bytes as a string literal, lines of at most ~80 columns.
 * Every byte is escaped, so no \x or \0 escape is ever followed by a
 * character it could swallow. */
static void emit_bytes(const struct skel *s, FILE *out)
{
    int col = 0;
    fputs("\"", out);
    for (size_t i = 0; i < s->size; i++) {
        unsigned char c = s->bytes[i];
        char esc[8];
        int w = c ? snprintf(esc, sizeof(esc), "\\x%02x", c) : snprintf(esc, sizeof(esc), "\\0");
        if (col + w > 76) {
            fputs("\"\n\t\"", out);
            col = 0;
        }
        fputs(esc, out);
        col += w;
    }
    fputs("\"", out);
}

static void emit_prologue(struct skel *s, FILE *out, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char guard[160];
    snprintf(guard, sizeof(guard), "__%s_SKEL_H__", s->name);
    for (char *p = guard; *p; p++)
        *p = (char)toupper((unsigned char)*p);

    fprintf(out,
            "/* The wasm skeleton \"%s\" of %s.\n"
            " * Generated by `wasm-bpf gen skeleton`; do not edit.  Include it from a\n"
            " * WebAssembly guest together with libbpf-wasm.h (sdk/c). */\n"
            "#ifndef %s\n#define %s\n\n"
            "#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\n\n"
            "#include \"libbpf-wasm.h\"\n#include \"wasm-bpf-args.h\"\n\n",
            s->name, base, guard, guard);
}

static void emit_header(struct skel *s, FILE *out)
{
    fprintf(out,
            "struct %s {\n\tstruct bpf_object_skeleton *skeleton;\n\tstruct bpf_object *obj;\n",
            s->name);
    if (s->nmaps) {
        fprintf(out, "\tstruct {\n");
        for (size_t i = 0; i < s->nmaps; i++)
            fprintf(out, "\t\tstruct bpf_map *%s;\n", s->maps[i].ident);
        fprintf(out, "\t} maps;\n");
    }
    if (s->nprogs) {
        fprintf(out, "\tstruct {\n");
        for (size_t i = 0; i < s->nprogs; i++)
            fprintf(out, "\t\tstruct bpf_program *%s;\n", s->progs[i]);
        fprintf(out, "\t} progs;\n");
    }
}

static void emit_functions(struct skel *s, FILE *out)
{
    const char *n = s->name;
    fprintf(out,
            "\n"
            "static inline void %1$s__destroy(struct %1$s *obj)\n"
            "{\n"
            "\tif (!obj)\n\t\treturn;\n"
            "\tif (obj->skeleton)\n\t\tbpf_object__destroy_skeleton(obj->skeleton);\n"
            "\tfree(obj);\n"
            "}\n\n"
            "static inline int %1$s__create_skeleton(struct %1$s *obj);\n\n"
            "static inline struct %1$s *%1$s__open_opts(const struct bpf_object_open_opts *opts)\n"
            "{\n"
            "\tstruct %1$s *obj = (struct %1$s *)calloc(1, sizeof(*obj));\n"
            "\tif (!obj) {\n\t\terrno = ENOMEM;\n\t\treturn NULL;\n\t}\n"
            "\tint err = %1$s__create_skeleton(obj);\n"
            "\tif (!err)\n\t\terr = bpf_object__open_skeleton(obj->skeleton, opts);\n"
            "\tif (err) {\n\t\t%1$s__destroy(obj);\n\t\terrno = -err;\n\t\treturn NULL;\n\t}\n"
            "\treturn obj;\n"
            "}\n\n"
            "static inline struct %1$s *%1$s__open(void)\n"
            "{\n\treturn %1$s__open_opts(NULL);\n}\n\n"
            "static inline int %1$s__load(struct %1$s *obj)\n"
            "{\n\treturn bpf_object__load_skeleton(obj->skeleton);\n}\n\n"
            "static inline struct %1$s *%1$s__open_and_load(void)\n"
            "{\n"
            "\tstruct %1$s *obj = %1$s__open();\n"
            "\tif (!obj)\n\t\treturn NULL;\n"
            "\tint err = %1$s__load(obj);\n"
            "\tif (err) {\n\t\t%1$s__destroy(obj);\n\t\terrno = -err;\n\t\treturn NULL;\n\t}\n"
            "\treturn obj;\n"
            "}\n\n"
            "static inline int %1$s__attach(struct %1$s *obj)\n"
            "{\n\treturn bpf_object__attach_skeleton(obj->skeleton);\n}\n\n"
            "static inline void %1$s__detach(struct %1$s *obj)\n"
            "{\n\tbpf_object__detach_skeleton(obj->skeleton);\n}\n\n",
            n);

    /* the bytes: a writable array, since .rodata/.data are patched in place */
    fprintf(out, "static unsigned char %s__elf_data[%zu] __attribute__((aligned(8))) =\n\t", n,
            s->size + 1);
    emit_bytes(s, out);
    fprintf(out, ";\n\n");
    fprintf(out,
            "static inline const void *%1$s__elf_bytes(size_t *sz)\n"
            "{\n\t*sz = %2$zu;\n\treturn %1$s__elf_data;\n}\n\n",
            n, s->size);

    fprintf(
        out,
        "static inline int %1$s__create_skeleton(struct %1$s *obj)\n"
        "{\n"
        "\tstruct bpf_object_skeleton *s = (struct bpf_object_skeleton *)calloc(1, sizeof(*s));\n"
        "\tif (!s)\n\t\tgoto err;\n"
        "\tobj->skeleton = s;\n"
        "\ts->sz = sizeof(*s);\n"
        "\ts->name = \"%1$s\";\n",
        n);
    const struct elf_section *rodata = find_section(s, ".rodata");
    const struct elf_section *bss = find_section(s, ".bss");
    fprintf(out, "\ts->rodata_offset = %llu;\n",
            rodata ? (unsigned long long)rodata->offset : 0ULL);
    fprintf(out, "\ts->bss_offset = %llu;\n", bss ? (unsigned long long)bss->offset : 0ULL);

    if (s->nmaps) {
        fprintf(out,
                "\n\t/* maps */\n"
                "\ts->map_cnt = %zu;\n"
                "\ts->map_skel_sz = sizeof(*s->maps);\n"
                "\ts->maps = (struct bpf_map_skeleton *)calloc(s->map_cnt, s->map_skel_sz);\n"
                "\tif (!s->maps)\n\t\tgoto err;\n",
                s->nmaps);
        for (size_t i = 0; i < s->nmaps; i++) {
            const struct skel_map *m = &s->maps[i];
            fprintf(out, "\n\ts->maps[%zu].name = \"%s\";\n", i, m->name);
            fprintf(out, "\ts->maps[%zu].map = &obj->maps.%s;\n", i, m->ident);
            if (m->has_vars) {
                fprintf(out, "\ts->maps[%zu].mmaped = (void **)&obj->%s;\n", i, m->ident);
                fprintf(out, "\ts->maps[%zu].mmaped_sz = %u;\n", i, m->datasec->size);
                if (m->elf->type != SHT_NOBITS)
                    fprintf(out, "\ts->maps[%zu].elf_offset = %llu;\n", i,
                            (unsigned long long)m->elf->offset);
            }
        }
    }
    if (s->nprogs) {
        fprintf(out,
                "\n\t/* programs */\n"
                "\ts->prog_cnt = %zu;\n"
                "\ts->prog_skel_sz = sizeof(*s->progs);\n"
                "\ts->progs = (struct bpf_prog_skeleton *)calloc(s->prog_cnt, s->prog_skel_sz);\n"
                "\tif (!s->progs)\n\t\tgoto err;\n",
                s->nprogs);
        for (size_t i = 0; i < s->nprogs; i++) {
            fprintf(out, "\n\ts->progs[%zu].name = \"%s\";\n", i, s->progs[i]);
            fprintf(out, "\ts->progs[%zu].prog = &obj->progs.%s;\n", i, s->progs[i]);
        }
    }
    fprintf(out,
            "\n\ts->data = (void *)%1$s__elf_bytes(&s->data_sz);\n"
            "\treturn 0;\n"
            "err:\n"
            "\tbpf_object__destroy_skeleton(s);\n"
            "\tobj->skeleton = NULL;\n"
            "\treturn -ENOMEM;\n"
            "}\n",
            n);
}

/* libbpf's messages while opening go to the error, not to stderr */
static char libbpf_msg[512];

static void capture_libbpf(void *ctx, int level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG)
        return;
    vsnprintf(libbpf_msg, sizeof(libbpf_msg), fmt, ap);
    size_t len = strlen(libbpf_msg);
    while (len && libbpf_msg[len - 1] == '\n')
        libbpf_msg[--len] = '\0';
}

static void skel_free(struct skel *s)
{
    bpf_object__close(s->obj);
    for (size_t i = 0; i < s->nsections; i++)
        free(s->sections[i].name);
    free(s->sections);
    free(s->maps);
    free(s->progs);
}

/* Before libbpf opens the object: its own walks of BTF have no bound. */
static int check_btf(struct skel *s, const char *path)
{
    const struct elf_section *sec = find_section(s, ".BTF");
    if (!sec || sec->type == SHT_NOBITS || sec->size > UINT32_MAX)
        return 0; /* none: libbpf says what it misses */
    struct btf *btf = btf__new(s->bytes + sec->offset, (uint32_t)sec->size);
    if (!btf)
        return 0; /* libbpf cannot parse it and says why when opening */
    int rc = gen_btf_check_chains(btf, path, s->err, s->errlen) ? -1 : 0;
    btf__free(btf);
    return rc;
}

int gen_skeleton_mem(const uint8_t *bytes, size_t size, const char *path,
                     const struct gen_skeleton_opts *opts, FILE *out, char *err, size_t errlen)
{
    struct skel s = {.err = err, .errlen = errlen, .bytes = bytes, .size = size};
    int rc = -1;
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = NULL;

    if (opts && opts->name) {
        snprintf(s.name, sizeof(s.name), "%s", opts->name);
        for (const char *p = opts->name; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '_') {
                fail(&s, "skeleton name '%s' is not a C identifier", opts->name);
                return -1;
            }
        if (!s.name[0] || isdigit((unsigned char)s.name[0])) {
            fail(&s, "skeleton name '%s' is not a C identifier", opts->name);
            return -1;
        }
    } else {
        skeleton_name(path, s.name, sizeof(s.name));
    }

    if (read_sections(&s, path) || check_btf(&s, path))
        goto out;

    struct base_libbpf_capture old = base_libbpf_capture(capture_libbpf, NULL);
    libbpf_msg[0] = '\0';
    LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = s.name);
    s.obj = bpf_object__open_mem(s.bytes, s.size, &oo);
    base_libbpf_capture_restore(old);
    if (!s.obj) {
        s.obj = NULL;
        fail(&s, "%s: libbpf cannot open it: %s%s%s", path, strerror(errno),
             libbpf_msg[0] ? ": " : "", libbpf_msg);
        goto out;
    }
    s.btf = bpf_object__btf(s.obj);
    if (collect(&s))
        goto out;

    mem = open_memstream(&text, &text_len);
    if (!mem) {
        fail(&s, "out of memory");
        goto out;
    }
    if (opts && opts->lang == GEN_TYPES_RUST) {
        const struct skel_map *ro = NULL;
        for (size_t i = 0; i < s.nmaps; i++)
            if (s.maps[i].has_vars && !strcmp(s.maps[i].section, ".rodata"))
                ro = &s.maps[i];
        const char *slash = strrchr(path, '/');
        gen__skeleton_args_rust(mem, s.btf, ro ? ro->datasec : NULL, slash ? slash + 1 : path);
        goto written;
    }
    emit_prologue(&s, mem, path);
    if (emit_types(&s, mem, path))
        goto out;
    emit_header(&s, mem);
    for (size_t i = 0; i < s.nmaps; i++)
        if (s.maps[i].has_vars && emit_datasec(&s, mem, &s.maps[i]))
            goto out;
    fprintf(mem, "};\n");
    emit_asserts(&s, mem);
    emit_functions(&s, mem);
    const struct skel_map *rodata = NULL;
    for (size_t i = 0; i < s.nmaps; i++)
        if (s.maps[i].has_vars && !strcmp(s.maps[i].section, ".rodata"))
            rodata = &s.maps[i];
    gen__skeleton_args(mem, s.btf, rodata ? rodata->datasec : NULL, s.name,
                       rodata ? rodata->ident : NULL);
    fprintf(mem, "\n#endif\n");
written:
    if (fclose(mem)) {
        mem = NULL;
        fail(&s, "out of memory");
        goto out;
    }
    mem = NULL;
    if (fwrite(text, 1, text_len, out) != text_len || fflush(out)) {
        fail(&s, "cannot write the skeleton: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (mem)
        fclose(mem);
    free(text);
    skel_free(&s);
    return rc;
}

int gen_skeleton(const char *path, const struct gen_skeleton_opts *opts, FILE *out, char *err,
                 size_t errlen)
{
    char *bytes = NULL;
    size_t size = 0;
    int rerr = base_read_file(path, SIZE_MAX - 1, &bytes, &size);
    if (rerr) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(-rerr));
        return -1;
    }
    int rc = gen_skeleton_mem((const uint8_t *)bytes, size, path, opts, out, err, errlen);
    free(bytes);
    return rc;
}
