/* types_wit.c: the WIT package of `gen types`.
 *
 * The canonical ABI lays a record out like C: each field at the next
 * multiple of its alignment (u8 1, u16 2, u32/f32 4, u64/f64 8, a fixed
 * list its element's, a record its largest field's), the size rounded up to
 * the record's alignment.  So a record matches the BTF layout exactly when
 * (a) every gap and the tail are explicit `list<u8, N>` fields and (b) every
 * field's offset is a multiple of its alignment and the size a multiple of
 * the record's.  The model gives (a); for (b), a field that would be
 * misplaced (members of packed structs) is written as `list<u8, size>`,
 * named and commented, which the canonical ABI never realigns.
 *
 * WIT has no untagged unions (a variant adds a tag) and no inline bitfields:
 * a union is `type u = list<u8, size>`, bitfield storage a byte list.  Zero
 * sized things (flexible arrays, empty structs) have no WIT form and are
 * left out, which does not move anything: they occupy no bytes. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "types_internal.h"

struct wit_out {
    struct gt_model *m;
    FILE *out;
    /* kebab-case, unescaped; records: NULL for zero-sized ones; enums: NULL
     * for anonymous ones; typedefs: NULL when left out.  types: every label
     * at the top level, normalized (claim_label()). */
    struct gt_lang_names *names;
    uint32_t *record_align; /* canonical alignment; 0 for records left out */
};

/* Claims a unique label in `set`.  Component validators compare labels
 * without case and, as wasm-tools does today, without hyphens (`pad0` and
 * `pad-0` conflict), so the set holds that normalized form. */
static char *claim_label(struct gt_nameset *set, const char *kebab)
{
    char *name = gen__xstrdup(kebab);
    for (unsigned n = 2;; n++) {
        struct base_buf key = {0};
        for (const char *p = name; *p; p++)
            if (*p != '-')
                base_buf_printf(&key, "%c", *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        bool taken = gen__names_has(set, gen__buf_str(&key));
        if (!taken)
            gen__names_add(set, gen__buf_str(&key));
        base_buf_free(&key);
        if (!taken)
            return name;
        free(name);
        name = gen__xasprintf("%s-%u", kebab, n);
    }
}

/* A label, %-escaped if it is a keyword. */
static void label(struct base_buf *b, const char *kebab)
{
    base_buf_printf(b, "%s%s", gen__wit_keyword(kebab) ? "%" : "", kebab);
}

static const char *int_type(uint32_t size, bool is_signed)
{
    switch (size) {
    case 1: return is_signed ? "s8" : "u8";
    case 2: return is_signed ? "s16" : "u16";
    case 4: return is_signed ? "s32" : "u32";
    default: return is_signed ? "s64" : "u64";
    }
}

/* The WIT type of vt and its canonical alignment; NULL if it has no bytes. */
static char *type_of(const struct wit_out *o, const struct gt_vtype *vt, uint32_t *align)
{
    if (gen__vtype_size(vt) == 0)
        return NULL;
    struct base_buf b = {0};
    uint32_t a = 1;
    switch (vt->base) {
    case GT_INT:
        if (vt->elem_size == 16) {
            base_buf_puts(&b, "list<u8, 16>");
        } else {
            base_buf_puts(&b, int_type(vt->elem_size, vt->is_signed && !vt->is_bool));
            a = vt->elem_size;
        }
        break;
    case GT_FLOAT:
        base_buf_puts(&b, vt->elem_size == 4 ? "f32" : "f64");
        a = vt->elem_size;
        break;
    case GT_BYTES: base_buf_printf(&b, "list<u8, %" PRIu32 ">", vt->elem_size); break;
    case GT_PTR:
        base_buf_puts(&b, int_type(vt->elem_size, false));
        a = vt->elem_size;
        break;
    case GT_ENUM:
        if (o->names->enums[vt->ref])
            label(&b, o->names->enums[vt->ref]);
        else
            base_buf_puts(&b, int_type(vt->elem_size, vt->is_signed));
        a = vt->elem_size;
        break;
    case GT_RECORD:
        label(&b, o->names->records[vt->ref]);
        a = o->record_align[vt->ref];
        break;
    }
    for (int i = vt->ndims - 1; i >= 0; i--) {
        char *inner = gen__buf_take(&b);
        base_buf_printf(&b, "list<%s, %" PRIu32 ">", inner, vt->dims[i]);
        free(inner);
    }
    *align = a;
    return gen__buf_take(&b);
}

/* One record field as it will be written. */
struct wit_field {
    char *name; /* kebab, unescaped */
    char *type; /* NULL: left out (no bytes) */
    uint32_t align;
    uint32_t size;
    char *note; /* comment, may be NULL */
};

static void doc(FILE *out, const char *indent, const char *text)
{
    struct base_buf b = {0};
    gen__comment_text(&b, text);
    fprintf(out, "%s/// %s\n", indent, gen__buf_str(&b));
    base_buf_free(&b);
}

static void emit_union(struct wit_out *o, int r)
{
    const struct gt_record *rec = &o->m->records[r];
    struct base_buf b = {0};
    base_buf_printf(&b,
                    "%s: %" PRIu32 " bytes, kept as bytes (WIT has no untagged unions); "
                    "members:",
                    rec->desc, rec->size);
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        if (it->kind == GT_ITEM_BYTES)
            continue;
        if (it->kind == GT_ITEM_BITS)
            for (int j = 0; j < it->nbitfields; j++)
                base_buf_printf(&b, " %s (bits %" PRIu32 "..%" PRIu32 "),", it->bitfields[j].name,
                                it->bitfields[j].bit,
                                it->bitfields[j].bit + it->bitfields[j].bits - 1);
        else
            base_buf_printf(&b, " %s (%s),", it->name,
                            it->kind == GT_ITEM_ANON ? o->m->records[it->record].desc
                            : it->type.decl          ? it->type.decl
                                                     : "?");
    }
    if (b.len && b.data[b.len - 1] == ',')
        b.data[--b.len] = 0;
    doc(o->out, "    ", gen__buf_str(&b));
    base_buf_free(&b);
    struct base_buf name = {0};
    label(&name, o->names->records[r]);
    fprintf(o->out, "    type %s = list<u8, %" PRIu32 ">;\n\n", gen__buf_str(&name), rec->size);
    base_buf_free(&name);
}

static void emit_struct(struct wit_out *o, int r)
{
    const struct gt_record *rec = &o->m->records[r];
    struct wit_field *fs = gen__xrealloc(NULL, ((size_t)rec->nitems + 1) * sizeof *fs);
    struct gt_nameset names = {0};
    int n = 0;
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        struct wit_field *f = &fs[n];
        memset(f, 0, sizeof *f);
        f->size = it->size;
        f->align = 1;
        char *kebab = gen__wit_kebab(it->name);
        if (it->kind == GT_ITEM_FIELD || it->kind == GT_ITEM_ANON) {
            f->type = type_of(o, &it->type, &f->align);
            if (!f->type) { /* no bytes: nothing to declare */
                free(kebab);
                continue;
            }
            if (it->kind == GT_ITEM_FIELD && it->type.decl && it->type.base != GT_RECORD)
                f->note = gen__xstrdup(it->type.decl);
        } else {
            f->type = gen__xasprintf("list<u8, %" PRIu32 ">", it->size);
            if (it->kind == GT_ITEM_BITS) {
                struct base_buf b = {0};
                base_buf_puts(&b, "bitfields:");
                for (int j = 0; j < it->nbitfields; j++)
                    base_buf_printf(&b, "%s %s:%" PRIu32 " at bit %" PRIu32, j ? "," : "",
                                    it->bitfields[j].name, it->bitfields[j].bits,
                                    it->bitfields[j].bit);
                f->note = gen__buf_take(&b);
            }
        }
        f->name = claim_label(&names, kebab);
        free(kebab);
        /* (b): a field the canonical ABI would move becomes plain bytes */
        if (it->offset % f->align) {
            char *note =
                gen__xasprintf("%s at byte %" PRIu32 " (not %" PRIu32 "-aligned), as bytes",
                               f->note ? f->note : f->type, it->offset, f->align);
            free(f->note);
            free(f->type);
            f->note = note;
            f->type = gen__xasprintf("list<u8, %" PRIu32 ">", it->size);
            f->align = 1;
        }
        n++;
    }
    /* the size must be a multiple of the record's alignment: fields with a
     * larger alignment than the size allows become bytes as well */
    uint32_t align = 1;
    for (int i = 0; i < n; i++)
        if (rec->size % fs[i].align) {
            char *note =
                gen__xasprintf("%s (would align the record beyond its size %" PRIu32 "), as bytes",
                               fs[i].note ? fs[i].note : fs[i].type, rec->size);
            free(fs[i].note);
            free(fs[i].type);
            fs[i].note = note;
            fs[i].type = gen__xasprintf("list<u8, %" PRIu32 ">", fs[i].size);
            fs[i].align = 1;
        } else if (fs[i].align > align) {
            align = fs[i].align;
        }
    o->record_align[r] = align;

    char *sz =
        gen__xasprintf("%s: %" PRIu32 " bytes, alignment %" PRIu32, rec->desc, rec->size, align);
    doc(o->out, "    ", sz);
    free(sz);
    struct base_buf name = {0};
    label(&name, o->names->records[r]);
    fprintf(o->out, "    record %s {\n", gen__buf_str(&name));
    base_buf_free(&name);
    for (int i = 0; i < n; i++) {
        struct base_buf l = {0};
        base_buf_puts(&l, "        ");
        label(&l, fs[i].name);
        base_buf_printf(&l, ": %s,", fs[i].type);
        fputs(gen__buf_str(&l), o->out);
        if (fs[i].note) {
            struct base_buf c = {0};
            gen__comment_text(&c, fs[i].note);
            fprintf(o->out, "%*s// %s", l.len < 48 ? (int)(48 - l.len) : 1, "", gen__buf_str(&c));
            base_buf_free(&c);
        }
        fputc('\n', o->out);
        base_buf_free(&l);
        free(fs[i].name);
        free(fs[i].type);
        free(fs[i].note);
    }
    fprintf(o->out, "    }\n\n");
    free(fs);
    gen__names_free(&names);
}

static void emit_enum(void *ctx, int index)
{
    struct wit_out *o = ctx;
    const struct gt_enum *e = &o->m->enums[index];
    if (!o->names->enums[index]) {
        if (e->nconsts) { /* anonymous: only its constants, for the reader */
            struct base_buf b = {0};
            base_buf_printf(&b, "anonymous enum (%" PRIu32 " bytes):", e->size);
            for (int i = 0; i < e->nconsts; i++)
                base_buf_printf(&b, " %s = %" PRId64 "%s", e->consts[i].name,
                                (int64_t)e->consts[i].value, i + 1 < e->nconsts ? "," : "");
            fputs("    // ", o->out);
            struct base_buf c = {0};
            gen__comment_text(&c, gen__buf_str(&b));
            fprintf(o->out, "%s\n\n", gen__buf_str(&c));
            base_buf_free(&c);
            base_buf_free(&b);
        }
        return;
    }
    char *head =
        gen__xasprintf("enum %s: %" PRIu32 " bytes, %s%s", e->name, e->size,
                       e->is_signed ? "signed" : "unsigned", e->nconsts ? "; constants:" : "");
    doc(o->out, "    ", head);
    free(head);
    for (int i = 0; i < e->nconsts; i++) {
        char *line =
            e->is_signed
                ? gen__xasprintf("  %s = %" PRId64, e->consts[i].name, (int64_t)e->consts[i].value)
                : gen__xasprintf("  %s = %" PRIu64, e->consts[i].name, e->consts[i].value);
        doc(o->out, "    ", line);
        free(line);
    }
    struct base_buf name = {0};
    label(&name, o->names->enums[index]);
    fprintf(o->out, "    type %s = %s;\n\n", gen__buf_str(&name), int_type(e->size, e->is_signed));
    base_buf_free(&name);
}

static void emit_typedef(void *ctx, int index)
{
    struct wit_out *o = ctx;
    const struct gt_typedef *td = &o->m->typedefs[index];
    if (!o->names->typedefs[index])
        return;
    uint32_t align;
    char *t = type_of(o, &td->target, &align);
    struct base_buf name = {0};
    label(&name, o->names->typedefs[index]);
    fprintf(o->out, "    type %s = %s;", gen__buf_str(&name), t);
    if (td->target.decl && td->target.base != GT_RECORD) {
        struct base_buf c = {0};
        gen__comment_text(&c, td->target.decl);
        fprintf(o->out, "  // %s", gen__buf_str(&c));
        base_buf_free(&c);
    }
    fprintf(o->out, "\n\n");
    base_buf_free(&name);
    free(t);
}

/* A record: a union's bytes, a struct, or a comment for one of no bytes. */
static void emit_record(void *ctx, int r)
{
    struct wit_out *o = ctx;
    if (!o->names->records[r]) {
        struct base_buf c = {0};
        gen__comment_text(&c, o->m->records[r].desc);
        fprintf(o->out, "    // %s: no bytes, nothing to declare\n\n", gen__buf_str(&c));
        base_buf_free(&c);
    } else if (o->m->records[r].is_union) {
        emit_union(o, r);
    } else {
        emit_struct(o, r);
    }
}

static char *claim(struct wit_out *o, const char *c_name)
{
    char *k = gen__wit_kebab(c_name);
    char *name = claim_label(&o->names->types, k);
    free(k);
    return name;
}

static const struct gt_emitter wit_emitter = {
    .decl = {[GT_DECL_RECORD] = emit_record,
             [GT_DECL_ENUM] = emit_enum,
             [GT_DECL_TYPEDEF] = emit_typedef},
    .bits_helpers = NULL,
};

int gen__emit_wit(struct gt_model *m, FILE *out)
{
    struct wit_out o = {.m = m, .out = out, .names = gen__lang_names_new(m)};
    o.record_align = gen__xrealloc(NULL, ((size_t)m->nrecords + 1) * sizeof(uint32_t));

    for (int r = 0; r < m->nrecords; r++) {
        o.record_align[r] = 1;
        o.names->records[r] = m->records[r].size ? claim(&o, m->records[r].name) : NULL;
    }
    for (int e = 0; e < m->nenums; e++)
        o.names->enums[e] = m->enums[e].name ? claim(&o, m->enums[e].name) : NULL;
    for (int i = 0; i < m->ntypedefs; i++) {
        const struct gt_typedef *td = &m->typedefs[i];
        bool empty = gen__vtype_size(&td->target) == 0;
        o.names->typedefs[i] = td->same_as_tag || empty ? NULL : claim(&o, td->name);
    }

    char *pkg = gen__wit_kebab(m->name);
    if (gen__wit_keyword(pkg)) {
        char *s = gen__xasprintf("%s-types", pkg);
        free(pkg);
        pkg = s;
    }
    struct base_buf src = {0};
    gen__comment_text(&src, m->source);
    fprintf(out,
            "// Generated by `wasm-bpf gen types` from %s: do not edit.\n"
            "//\n"
            "// The kernel's layout of these types (from BTF), written so that the\n"
            "// component model's canonical ABI gives every field its BTF offset and\n"
            "// every record its BTF size: gaps are explicit `list<u8, N>` fields,\n"
            "// C unions, bitfields and fields a packed struct misaligns are byte\n"
            "// lists, `long` is s64 and a pointer is a u64 holding a kernel address.\n"
            "package wasm-bpf:%s;\n\n"
            "interface types {\n",
            gen__buf_str(&src), pkg);
    base_buf_free(&src);
    gen__emit_decls(m, &wit_emitter, out, &o);
    fprintf(out, "}\n\nworld guest {\n    export types;\n}\n");

    free(o.record_align);
    free(pkg);
    return 0;
}
