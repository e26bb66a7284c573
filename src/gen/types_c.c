/* types_c.c: the C header of `gen types`.
 *
 * Every struct and union is __attribute__((packed)) with explicit padding,
 * so its layout does not depend on the compiler's alignment rules at all:
 * the same header gives the kernel's offsets on wasm32 and on a 64-bit
 * host, and _Static_asserts on every size and offset prove it at compile
 * time.  The header needs only <stddef.h> and <stdint.h>; GNU extensions
 * (__int128, zero-length arrays, enumerators beyond int) are marked
 * __extension__ so that -pedantic stays quiet. */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "types_internal.h"

const char *const gen__c_helper_names[] = {
    "wasm_bpf_bits_get",
    "wasm_bpf_bits_set",
    "wasm_bpf_bits_sext",
    NULL,
};

static const char bits_helpers[] =
    "#ifndef WASM_BPF_BITFIELD_HELPERS\n"
    "#define WASM_BPF_BITFIELD_HELPERS\n"
    "/* Bitfields stay in the bytes the kernel wrote (little-endian); these read\n"
    " * and write `bits` bits starting `bit` bits into `p`. */\n"
    "static inline uint64_t wasm_bpf_bits_get(const uint8_t *p, unsigned bit, unsigned bits)\n"
    "{\n"
    "    const uint8_t *b = p + bit / 8;\n"
    "    unsigned shift = bit % 8, n = (shift + bits + 7) / 8;\n"
    "    uint64_t v = b[0] >> shift;\n"
    "    for (unsigned i = 1; i < n; i++)\n"
    "        v |= (uint64_t)b[i] << (8 * i - shift);\n"
    "    return bits < 64 ? v & ((UINT64_C(1) << bits) - 1) : v;\n"
    "}\n"
    "\n"
    "static inline void wasm_bpf_bits_set(uint8_t *p, unsigned bit, unsigned bits, uint64_t v)\n"
    "{\n"
    "    uint8_t *b = p + bit / 8;\n"
    "    unsigned shift = bit % 8, n = (shift + bits + 7) / 8;\n"
    "    uint64_t mask = bits < 64 ? (UINT64_C(1) << bits) - 1 : ~UINT64_C(0);\n"
    "    v &= mask;\n"
    "    for (unsigned i = 0; i < n; i++) {\n"
    "        uint8_t m = (uint8_t)(i ? mask >> (8 * i - shift) : mask << shift);\n"
    "        uint8_t x = (uint8_t)(i ? v >> (8 * i - shift) : v << shift);\n"
    "        b[i] = (uint8_t)((b[i] & ~m) | (x & m));\n"
    "    }\n"
    "}\n"
    "\n"
    "static inline int64_t wasm_bpf_bits_sext(uint64_t v, unsigned bits)\n"
    "{\n"
    "    uint64_t sign = UINT64_C(1) << (bits - 1);\n"
    "    return (int64_t)((v ^ sign) - sign);\n"
    "}\n"
    "#endif\n\n";

struct c_out {
    struct gt_model *m;
    FILE *out;
};

static const char *int_type(uint32_t size, bool is_signed)
{
    switch (size) {
    case 1: return is_signed ? "int8_t" : "uint8_t";
    case 2: return is_signed ? "int16_t" : "uint16_t";
    case 4: return is_signed ? "int32_t" : "uint32_t";
    default: return is_signed ? "int64_t" : "uint64_t";
    }
}

/* The declaration of `name` with type vt: "uint64_t ptr[2]". */
static char *field_decl(const struct gt_model *m, const struct gt_vtype *vt, const char *name,
                        bool *extension)
{
    struct base_buf b = {0};
    const char *type = NULL;
    uint32_t bytes_dim = 0;
    switch (vt->base) {
    case GT_INT:
        if (vt->elem_size == 16) {
            type = vt->is_signed ? "__int128" : "unsigned __int128";
            *extension = true;
        } else {
            type = vt->is_char ? "char" : int_type(vt->elem_size, vt->is_signed && !vt->is_bool);
        }
        break;
    case GT_FLOAT: type = vt->elem_size == 4 ? "float" : "double"; break;
    case GT_BYTES:
        type = "uint8_t";
        bytes_dim = vt->elem_size;
        break;
    case GT_PTR: type = int_type(vt->elem_size, false); break;
    case GT_ENUM: type = int_type(vt->elem_size, vt->is_signed); break;
    case GT_RECORD:
        base_buf_printf(&b, "%s %s", m->records[vt->ref].is_union ? "union" : "struct",
                        m->records[vt->ref].name);
        break;
    }
    if (type)
        base_buf_puts(&b, type);
    base_buf_printf(&b, " %s", name);
    for (int i = 0; i < vt->ndims; i++) {
        base_buf_printf(&b, "[%" PRIu32 "]", vt->dims[i]);
        if (!vt->dims[i])
            *extension = true; /* zero-length array */
    }
    if (bytes_dim)
        base_buf_printf(&b, "[%" PRIu32 "]", bytes_dim);
    return gen__buf_take(&b);
}

/* A comment with the declared type when the spelling changed (always for
 * pointers, which a guest must not mistake for its own). */
static char *type_comment(const struct gt_model *m, const struct gt_vtype *vt)
{
    if (!vt->decl || vt->base == GT_RECORD)
        return NULL;
    bool ext = false;
    char *spelled = field_decl(m, vt, "", &ext); /* "char [16]" */
    struct base_buf norm = {0};
    for (const char *p = spelled; *p; p++)
        if (!(*p == ' ' && (p[1] == '[' || !p[1])))
            base_buf_printf(&norm, "%c", *p);
    bool same = !strcmp(gen__buf_str(&norm), vt->decl);
    base_buf_free(&norm);
    free(spelled);
    if (same && vt->base != GT_PTR)
        return NULL;
    struct base_buf b = {0};
    gen__comment_text(&b, vt->decl);
    return gen__buf_take(&b);
}

static void line(struct c_out *c, int indent, const char *decl, const char *comment)
{
    int width = fprintf(c->out, "%*s%s;", indent * 4, "", decl);
    if (comment && *comment)
        fprintf(c->out, "%*s/* %s */", width < 40 ? 40 - width : 1, "", comment);
    fputc('\n', c->out);
}

static void emit_items(struct c_out *c, int r, int indent);

static void emit_item(struct c_out *c, const struct gt_item *it, int indent)
{
    struct gt_model *m = c->m;
    switch (it->kind) {
    case GT_ITEM_FIELD: {
        bool ext = false;
        char *d = field_decl(m, &it->type, it->name, &ext);
        char *cm = type_comment(m, &it->type);
        char *full = ext ? gen__xasprintf("__extension__ %s", d) : gen__xstrdup(d);
        line(c, indent, full, cm);
        free(full);
        free(cm);
        free(d);
        break;
    }
    case GT_ITEM_PAD:
    case GT_ITEM_BYTES: {
        char *d = gen__xasprintf("uint8_t %s[%" PRIu32 "]", it->name, it->size);
        line(c, indent, d, it->kind == GT_ITEM_BYTES ? "all bytes of the union" : NULL);
        free(d);
        break;
    }
    case GT_ITEM_BITS: {
        struct base_buf cm = {0};
        base_buf_puts(&cm, "bitfields:");
        for (int i = 0; i < it->nbitfields; i++) {
            const struct gt_bitfield *bf = &it->bitfields[i];
            base_buf_printf(&cm, "%s %s:%" PRIu32 " at bit %" PRIu32, i ? "," : "", bf->name,
                            bf->bits, bf->bit);
        }
        char *text = gen__buf_take(&cm);
        struct base_buf safe = {0};
        gen__comment_text(&safe, text);
        char *d = gen__xasprintf("uint8_t %s[%" PRIu32 "]", it->name, it->size);
        line(c, indent, d, gen__buf_str(&safe));
        free(d);
        free(text);
        base_buf_free(&safe);
        break;
    }
    case GT_ITEM_ANON: {
        const struct gt_record *sub = &m->records[it->record];
        fprintf(c->out, "%*s%s%s {\n", indent * 4, "", sub->nitems ? "" : "__extension__ ",
                sub->is_union ? "union" : "struct");
        emit_items(c, it->record, indent + 1);
        fprintf(c->out, "%*s} __attribute__((packed));\n", indent * 4, "");
        break;
    }
    }
}

static void emit_items(struct c_out *c, int r, int indent)
{
    const struct gt_record *rec = &c->m->records[r];
    for (int i = 0; i < rec->nitems; i++)
        emit_item(c, &rec->items[i], indent);
}

/* Offsets of every named member, inline anonymous members included
 * (C11 lets offsetof name them through the outer type). */
static void emit_asserts(struct c_out *c, const char *tag, int r, uint32_t base)
{
    const struct gt_record *rec = &c->m->records[r];
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        if (it->kind == GT_ITEM_ANON) {
            emit_asserts(c, tag, it->record, base + it->offset);
        } else if (it->kind != GT_ITEM_PAD) {
            fprintf(c->out, "_Static_assert(offsetof(%s, %s) == %" PRIu32 ", \"%s.%s: offset\");\n",
                    tag, it->name, base + it->offset, tag, it->name);
        }
    }
}

static void emit_accessors(struct c_out *c, const char *tag, const char *scope_name, int r)
{
    struct gt_model *m = c->m;
    const struct gt_record *rec = &m->records[r];
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        if (it->kind == GT_ITEM_ANON)
            emit_accessors(c, tag, scope_name, it->record);
        if (it->kind != GT_ITEM_BITS)
            continue;
        for (int j = 0; j < it->nbitfields; j++) {
            const struct gt_bitfield *bf = &it->bitfields[j];
            const char *vtype = int_type(bf->value_size, bf->is_signed);
            char *base = gen__xasprintf("%s__get_%s", scope_name, bf->name);
            char *get = gen__names_claim(&m->c_ordinary, base, "__");
            free(base);
            base = gen__xasprintf("%s__set_%s", scope_name, bf->name);
            char *set = gen__names_claim(&m->c_ordinary, base, "__");
            free(base);
            struct base_buf decl = {0};
            gen__comment_text(&decl, bf->decl);
            fprintf(c->out, "/* %s.%s: %s:%" PRIu32 " */\n", tag, bf->name, gen__buf_str(&decl),
                    bf->bits);
            base_buf_free(&decl);
            fprintf(c->out, "static inline %s %s(const %s *p)\n{\n", vtype, get, tag);
            if (bf->is_signed)
                fprintf(c->out,
                        "    return (%s)wasm_bpf_bits_sext(wasm_bpf_bits_get(p->%s, %" PRIu32
                        ", %" PRIu32 "), %" PRIu32 ");\n}\n",
                        vtype, it->name, bf->bit, bf->bits, bf->bits);
            else
                fprintf(c->out,
                        "    return (%s)wasm_bpf_bits_get(p->%s, %" PRIu32 ", %" PRIu32 ");\n}\n",
                        vtype, it->name, bf->bit, bf->bits);
            fprintf(c->out,
                    "static inline void %s(%s *p, %s v)\n{\n"
                    "    wasm_bpf_bits_set(p->%s, %" PRIu32 ", %" PRIu32 ", (uint64_t)v);\n}\n",
                    set, tag, vtype, it->name, bf->bit, bf->bits);
            free(get);
            free(set);
        }
    }
}

/* A record declared at the top level (an anonymous member is inline in its
 * parent's). */
static void emit_record(void *ctx, int r)
{
    struct c_out *c = ctx;
    const struct gt_record *rec = &c->m->records[r];
    if (rec->inline_member)
        return;
    char *tag = gen__xasprintf("%s %s", rec->is_union ? "union" : "struct", rec->name);
    struct base_buf desc = {0};
    gen__comment_text(&desc, rec->desc);
    /* an empty struct is a GNU extension (size 0, as in the kernel) */
    fprintf(c->out, "/* %s: %" PRIu32 " byte%s */\n%s%s {\n", gen__buf_str(&desc), rec->size,
            rec->size == 1 ? "" : "s", rec->nitems ? "" : "__extension__ ", tag);
    base_buf_free(&desc);
    emit_items(c, r, 1);
    fprintf(c->out, "} __attribute__((packed));\n");
    fprintf(c->out, "_Static_assert(sizeof(%s) == %" PRIu32 ", \"%s: size\");\n", tag, rec->size,
            tag);
    emit_asserts(c, tag, r, 0);
    emit_accessors(c, tag, rec->name, r);
    fputc('\n', c->out);
    free(tag);
}

static bool fits_int(const struct gt_enum *e, uint64_t v)
{
    if (e->is_signed)
        return (int64_t)v >= INT_MIN && (int64_t)v <= INT_MAX;
    return v <= INT_MAX;
}

static void emit_enum(void *ctx, int index)
{
    struct c_out *c = ctx;
    const struct gt_enum *e = &c->m->enums[index];
    const char *label = e->name ? e->name : "(anonymous)";
    fprintf(c->out, "/* enum %s: %" PRIu32 " byte%s, %s; fields of this type are %s */\n", label,
            e->size, e->size == 1 ? "" : "s", e->is_signed ? "signed" : "unsigned",
            int_type(e->size, e->is_signed));
    if (e->truncated)
        fprintf(c->out, "/* (an 8-byte ENUM, not ENUM64: its compiler kept only the low 32 "
                        "bits of each value) */\n");
    if (!e->nconsts) {
        fprintf(c->out, "/* (no constants) */\n\n");
        return;
    }
    bool wide = false;
    for (int i = 0; i < e->nconsts; i++)
        wide |= !fits_int(e, e->consts[i].value);
    fprintf(c->out, "%senum %s%s{\n", wide ? "__extension__ " : "", e->name ? e->name : "",
            e->name ? " " : "");
    for (int i = 0; i < e->nconsts; i++) {
        uint64_t v = e->consts[i].value;
        if (e->is_signed && (int64_t)v == INT64_MIN)
            fprintf(c->out, "    %s = -0x7fffffffffffffffLL - 1,\n", e->consts[i].name);
        else if (e->is_signed)
            fprintf(c->out, "    %s = %" PRId64 "%s,\n", e->consts[i].name, (int64_t)v,
                    fits_int(e, v) ? "" : "LL");
        else
            fprintf(c->out, "    %s = %" PRIu64 "%s,\n", e->consts[i].name, v,
                    fits_int(e, v) ? "" : "ULL");
    }
    fprintf(c->out, "};\n\n");
}

static void emit_typedef(void *ctx, int index)
{
    struct c_out *c = ctx;
    struct gt_model *m = c->m;
    const struct gt_typedef *td = &m->typedefs[index];
    bool ext = false;
    char *d = field_decl(m, &td->target, td->name, &ext);
    if (td->c_library) {
        struct base_buf b = {0};
        gen__comment_text(&b, d);
        fprintf(c->out, "/* typedef %s: not declared here, %s is the C library's */\n\n",
                gen__buf_str(&b), td->name);
        base_buf_free(&b);
        free(d);
        return;
    }
    char *cm = type_comment(m, &td->target);
    fprintf(c->out, "%stypedef %s;", ext ? "__extension__ " : "", d);
    if (cm)
        fprintf(c->out, "  /* %s */", cm);
    fprintf(c->out, "\n\n");
    free(cm);
    free(d);
}

static const struct gt_emitter c_emitter = {
    .decl = {[GT_DECL_RECORD] = emit_record,
             [GT_DECL_ENUM] = emit_enum,
             [GT_DECL_TYPEDEF] = emit_typedef},
    .bits_helpers = bits_helpers,
};

int gen__emit_c(struct gt_model *m, FILE *out)
{
    struct c_out c = {m, out};
    struct base_buf guard = {0};
    char *ident = gen__c_ident(m->name);
    base_buf_puts(&guard, "WASM_BPF_TYPES_");
    for (const char *p = ident; *p; p++)
        base_buf_printf(&guard, "%c", *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    base_buf_puts(&guard, "_H");
    free(ident);
    struct base_buf src = {0};
    gen__comment_text(&src, m->source);

    fprintf(out,
            "/* Generated by `wasm-bpf gen types` from %s: do not edit.\n"
            " *\n"
            " * The kernel's layout of these types (from BTF) for 32-bit WebAssembly\n"
            " * guests: every field has a fixed-width type at its BTF offset (`long` is\n"
            " * int64_t, a pointer is a uint64_t holding a kernel address), every gap is\n"
            " * explicit padding, every struct is packed, and the _Static_asserts check\n"
            " * each size and offset.  Bitfields stay bytes, read and written through\n"
            " * the TYPE__get_FIELD and TYPE__set_FIELD functions. */\n"
            "#ifndef %s\n#define %s\n\n#include <stddef.h>\n#include <stdint.h>\n\n",
            gen__buf_str(&src), gen__buf_str(&guard), gen__buf_str(&guard));
    base_buf_free(&src);
    gen__emit_decls(m, &c_emitter, out, &c);
    if (m->print_roots)
        gen__emit_c_printers(m, out, m->print_roots, m->nprint_roots);
    fprintf(out, "#endif /* %s */\n", gen__buf_str(&guard));
    base_buf_free(&guard);
    return 0;
}
