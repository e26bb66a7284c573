/* types_print_c.c: the event printers of the C header of `gen types`.
 *
 * For each root struct or union (the types named with a type list, or the
 * ones the object's globals and maps use), the header gets
 *
 *   TAG__print_json(FILE *f, const struct TAG *e)       one JSON object, one line
 *   TAG__print_columns_header(FILE *f)                  the column names, aligned
 *   TAG__print_columns(FILE *f, const struct TAG *e)    one row, aligned with it
 *
 * which sdk/c/wasm-bpf-tool.h's WASM_BPF_TOOL_PRINT() calls for `-o json`
 * and `-o columns`.  Everything is decided here, from the layout model:
 * JSON keys are the BTF member names; char arrays are strings (up to the
 * first NUL, escaped: the output is valid JSON whatever the kernel wrote);
 * enums are their enumerators' names (the number if none matches); bools
 * are true/false; nested structs are objects in JSON and dotted columns;
 * arrays are JSON arrays, and in columns a comma-separated cell (one
 * dimension; deeper ones only in JSON).  Column widths come from the
 * types (an int32 needs 11 characters), so every row lines up with the
 * header; a string longer than its column is cut.
 *
 * The printers sit under #ifndef WASM_BPF_TYPES_NO_PRINTERS with their
 * <stdio.h>, so the rest of the header stays self-contained. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "types_internal.h"

#define STRING_COLUMN_MAX 32 /* characters of a string column */
#define ARRAY_COLUMN_MAX  40 /* characters of an array column */

static const char print_helpers[] =
    "#ifndef WASM_BPF_PRINT_HELPERS\n"
    "#define WASM_BPF_PRINT_HELPERS\n"
    "/* A JSON string of the bytes of s up to n or the first NUL: quotes,\n"
    " * backslashes and control characters escaped, bytes above 0x7f as\n"
    " * \\u00XX, so the line is valid JSON whatever the kernel wrote. */\n"
    "static inline void wasm_bpf_print_json_str(FILE *f, const char *s, size_t n)\n"
    "{\n"
    "    fputc('\"', f);\n"
    "    for (size_t i = 0; i < n && s[i]; i++) {\n"
    "        unsigned char c = (unsigned char)s[i];\n"
    "        if (c == '\"' || c == '\\\\')\n"
    "            fprintf(f, \"\\\\%c\", c);\n"
    "        else if (c < 0x20 || c >= 0x7f)\n"
    "            fprintf(f, \"\\\\u%04x\", c);\n"
    "        else\n"
    "            fputc(c, f);\n"
    "    }\n"
    "    fputc('\"', f);\n"
    "}\n"
    "\n"
    "/* Bytes as a JSON string \"0x...\" (most significant first, as the\n"
    " * little-endian value reads). */\n"
    "static inline void wasm_bpf_print_json_hex(FILE *f, const unsigned char *p, size_t n)\n"
    "{\n"
    "    fputs(\"\\\"0x\", f);\n"
    "    for (size_t i = n; i > 0; i--)\n"
    "        fprintf(f, \"%02x\", p[i - 1]);\n"
    "    fputc('\"', f);\n"
    "}\n"
    "\n"
    "/* JSON has no NaN or infinity: null. */\n"
    "static inline void wasm_bpf_print_json_double(FILE *f, double v)\n"
    "{\n"
    "    if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308)\n"
    "        fputs(\"null\", f);\n"
    "    else\n"
    "        fprintf(f, \"%.17g\", v);\n"
    "}\n"
    "\n"
    "/* A column cell of at most `width` characters of s (up to n or the first\n"
    " * NUL; control and non-ASCII bytes as '?'), padded unless it is the\n"
    " * last of the row. */\n"
    "static inline void wasm_bpf_print_cell(FILE *f, const char *s, size_t n, int width, int last)\n"
    "{\n"
    "    int k = 0;\n"
    "    for (size_t i = 0; i < n && s[i] && k < width; i++, k++) {\n"
    "        unsigned char c = (unsigned char)s[i];\n"
    "        fputc(c < 0x20 || c >= 0x7f ? '?' : c, f);\n"
    "    }\n"
    "    if (!last)\n"
    "        for (; k < width; k++)\n"
    "            fputc(' ', f);\n"
    "}\n"
    "#endif\n\n";

struct printers {
    struct gt_model *m;
    FILE *out;
    bool *json_done; /* per record: its __json function is written */
    char **json_fn;  /* per record: the name of that function */
    char **enum_fn;  /* per enum: the name of its name function, once written */
    int depth;
};

/* The contents of a C or Rust string literal of JSON text: a key with its
 * quotes and what goes before it, {\"pid\": or ,\"pid\": (both languages
 * escape the same characters; '?' too, against C's trigraphs, so that the
 * C and Rust printers print the same bytes). */
void gen__json_key_text(FILE *out, bool first, const char *key)
{
    fprintf(out, "%s\\\"", first ? "{" : ",");
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\\\\\%c", *p); /* JSON's backslash, escaped for C */
        else if (*p < 0x20 || *p >= 0x7f || *p == '?')
            fprintf(out, "\\\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputs("\\\":", out);
}

/* A C string literal of a JSON object key (with its quotes) and what goes
 * before it: "{\"pid\":" or ",\"pid\":". */
static void key_literal(FILE *out, bool first, const char *key)
{
    fputc('"', out);
    gen__json_key_text(out, first, key);
    fputc('"', out);
}

/* A generated function's name, TYPE__WHAT, claimed among the header's
 * ordinary identifiers (malloc'd). */
static char *claim_fn(struct printers *p, const char *type, const char *what)
{
    char *base = gen__xasprintf("%s__%s", type, what);
    char *fn = gen__names_claim(&p->m->c_ordinary, base, "__");
    free(base);
    return fn;
}

/* The name function of enum `index`, written before first use. */
static const char *enum_fn(struct printers *p, int index)
{
    if (p->enum_fn[index])
        return p->enum_fn[index];
    const struct gt_enum *en = &p->m->enums[index];
    char *base = en->name ? gen__xasprintf("%s__name", en->name)
                          : gen__xasprintf("%s__enum%d_name", p->m->name, index);
    char *ident = gen__c_ident(base);
    free(base);
    char *fn = gen__names_claim(&p->m->c_ordinary, ident, "__");
    free(ident);
    fprintf(p->out,
            "/* The enumerator of a value of %s%s, or NULL. */\n"
            "static inline const char *%s(unsigned long long v)\n{\n",
            en->name ? "enum " : "an anonymous enum", en->name ? en->name : "", fn);
    for (int i = 0; i < en->nconsts; i++)
        fprintf(p->out, "    if (v == %lluULL)\n        return \"%s\";\n",
                (unsigned long long)en->consts[i].value, en->consts[i].name);
    fprintf(p->out, "    return (const char *)0;\n}\n\n");
    p->enum_fn[index] = fn;
    return fn;
}

/* The value as unsigned long long, sign-extended for signed types, as the
 * enumerators' values are stored. */
static void enum_value_expr(FILE *out, const struct gt_vtype *vt, const char *expr)
{
    if (vt->is_signed)
        fprintf(out, "(unsigned long long)(long long)%s", expr);
    else
        fprintf(out, "(unsigned long long)%s", expr);
}

static void json_record_fn(struct printers *p, int r);

/* Write the JSON of one scalar (dimension `dim` == ndims) or array of type
 * vt at C expression `expr`, indented. */
static void json_value(struct printers *p, const struct gt_vtype *vt, int dim, const char *expr,
                       int indent)
{
    FILE *out = p->out;
    int pad = indent * 4;
    if (vt->base == GT_INT && vt->is_char && dim == vt->ndims - 1) {
        fprintf(out, "%*swasm_bpf_print_json_str(f, %s, %" PRIu32 ");\n", pad, "", expr,
                vt->dims[dim]);
        return;
    }
    if (dim < vt->ndims) {
        fprintf(out, "%*sfputc('[', f);\n", pad, "");
        fprintf(out, "%*sfor (size_t i%d = 0; i%d < %" PRIu32 "; i%d++) {\n", pad, "", dim, dim,
                vt->dims[dim], dim);
        fprintf(out, "%*s    if (i%d)\n%*s        fputc(',', f);\n", pad, "", dim, pad, "");
        char *sub = gen__xasprintf("%s[i%d]", expr, dim);
        json_value(p, vt, dim + 1, sub, indent + 1);
        free(sub);
        fprintf(out, "%*s}\n%*sfputc(']', f);\n", pad, "", pad, "");
        return;
    }
    switch (vt->base) {
    case GT_INT:
        if (vt->elem_size == 16)
            fprintf(out, "%*swasm_bpf_print_json_hex(f, (const unsigned char *)&%s, 16);\n", pad,
                    "", expr);
        else if (vt->is_bool)
            fprintf(out, "%*sfputs(%s ? \"true\" : \"false\", f);\n", pad, "", expr);
        else if (vt->is_signed && !vt->is_char)
            fprintf(out, "%*sfprintf(f, \"%%lld\", (long long)%s);\n", pad, "", expr);
        else if (vt->is_char)
            fprintf(out, "%*sfprintf(f, \"%%d\", (int)(signed char)%s);\n", pad, "", expr);
        else
            fprintf(out, "%*sfprintf(f, \"%%llu\", (unsigned long long)%s);\n", pad, "", expr);
        break;
    case GT_PTR:
        fprintf(out, "%*sfprintf(f, \"%%llu\", (unsigned long long)%s);\n", pad, "", expr);
        break;
    case GT_FLOAT:
        fprintf(out, "%*swasm_bpf_print_json_double(f, (double)%s);\n", pad, "", expr);
        break;
    case GT_BYTES:
        fprintf(out, "%*swasm_bpf_print_json_hex(f, (const unsigned char *)%s, %" PRIu32 ");\n",
                pad, "", expr, vt->elem_size);
        break;
    case GT_ENUM: {
        const char *fn = enum_fn(p, vt->ref);
        fprintf(out, "%*s{\n%*s    const char *name = %s(", pad, "", pad, "", fn);
        enum_value_expr(out, vt, expr);
        fprintf(out,
                ");\n%*s    if (name)\n%*s        fprintf(f, \"\\\"%%s\\\"\", name);\n"
                "%*s    else\n",
                pad, "", pad, "", pad, "");
        if (vt->is_signed)
            fprintf(out, "%*s        fprintf(f, \"%%lld\", (long long)%s);\n", pad, "", expr);
        else
            fprintf(out, "%*s        fprintf(f, \"%%llu\", (unsigned long long)%s);\n", pad, "",
                    expr);
        fprintf(out, "%*s}\n", pad, "");
        break;
    }
    case GT_RECORD: fprintf(out, "%*s%s(f, &%s);\n", pad, "", p->json_fn[vt->ref], expr); break;
    }
}

/* The members of record r, anonymous members flattened into it. */
static void json_items(struct printers *p, int r, bool *first)
{
    const struct gt_record *rec = &p->m->records[r];
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        if (it->kind == GT_ITEM_ANON) {
            json_items(p, it->record, first);
            continue;
        }
        if (it->kind == GT_ITEM_BITS) {
            for (int j = 0; j < it->nbitfields; j++) {
                const struct gt_bitfield *bf = &it->bitfields[j];
                fprintf(p->out, "    fputs(");
                key_literal(p->out, *first,
                            bf->btf_name && *bf->btf_name ? bf->btf_name : bf->name);
                *first = false;
                fprintf(p->out, ", f);\n");
                if (bf->is_signed)
                    fprintf(p->out,
                            "    fprintf(f, \"%%lld\", (long long)wasm_bpf_bits_sext("
                            "wasm_bpf_bits_get(e->%s, %" PRIu32 ", %" PRIu32 "), %" PRIu32 "));\n",
                            it->name, bf->bit, bf->bits, bf->bits);
                else
                    fprintf(p->out,
                            "    fprintf(f, \"%%llu\", (unsigned long long)"
                            "wasm_bpf_bits_get(e->%s, %" PRIu32 ", %" PRIu32 "));\n",
                            it->name, bf->bit, bf->bits);
            }
            continue;
        }
        if (it->kind != GT_ITEM_FIELD)
            continue; /* padding, a union's byte view */
        if (it->type.ndims && !it->type.dims[0])
            continue; /* a flexible array: its length is not in the type */
        fprintf(p->out, "    fputs(");
        key_literal(p->out, *first, gen__item_key(it));
        *first = false;
        fprintf(p->out, ", f);\n");
        char *expr = gen__xasprintf("e->%s", it->name);
        json_value(p, &it->type, 0, expr, 1);
        free(expr);
    }
}

/* What a record's printer calls, so written before it: the printers of the
 * records it contains by value (record) and the name functions of its
 * enums (enumeration), in both languages. */
void gen__record_deps(const struct gt_model *m, int r, void (*record)(void *ctx, int r),
                      void (*enumeration)(void *ctx, int e), void *ctx)
{
    const struct gt_record *rec = &m->records[r];
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        if (it->kind == GT_ITEM_ANON)
            gen__record_deps(m, it->record, record, enumeration, ctx);
        else if (it->kind == GT_ITEM_FIELD && it->type.base == GT_RECORD)
            record(ctx, it->type.ref);
        else if (it->kind == GT_ITEM_FIELD && it->type.base == GT_ENUM)
            enumeration(ctx, it->type.ref);
    }
}

static void json_dep_record(void *p, int r)
{
    json_record_fn(p, r);
}
static void json_dep_enum(void *p, int e)
{
    enum_fn(p, e);
}

static void json_record_fn(struct printers *p, int r)
{
    if (p->json_done[r] || p->depth > GT_MAX_DEPTH)
        return;
    p->json_done[r] = true; /* a record never contains itself by value */
    p->depth++;
    gen__record_deps(p->m, r, json_dep_record, json_dep_enum, p);
    p->depth--;
    const struct gt_record *rec = &p->m->records[r];
    p->json_fn[r] = claim_fn(p, rec->name, "json");
    fprintf(p->out, "static inline void %s(FILE *f, const %s %s *e)\n{\n", p->json_fn[r],
            rec->is_union ? "union" : "struct", rec->name);
    bool first = true;
    json_items(p, r, &first);
    fprintf(p->out, first ? "    (void)e;\n    fputs(\"{}\", f);\n" : "    fputc('}', f);\n");
    fprintf(p->out, "}\n\n");
}

/* ---- columns ---- */

static int int_width(uint32_t size, bool is_signed)
{
    switch (size) {
    case 1: return is_signed ? 4 : 3;
    case 2: return is_signed ? 6 : 5;
    case 4: return is_signed ? 11 : 10;
    default: return 20;
    }
}

static int scalar_width(const struct gt_model *m, const struct gt_vtype *vt)
{
    switch (vt->base) {
    case GT_INT:
        if (vt->elem_size == 16)
            return 34;
        if (vt->is_bool)
            return 5;
        return int_width(vt->elem_size, vt->is_signed || vt->is_char);
    case GT_PTR: return 18;   /* 0x and 16 hex digits */
    case GT_FLOAT: return 13; /* %.6g: -1.23457e+308 */
    case GT_BYTES: return vt->elem_size * 2 + 2 > 34 ? 34 : (int)vt->elem_size * 2 + 2;
    case GT_ENUM: {
        const struct gt_enum *en = &m->enums[vt->ref];
        int w = int_width(vt->elem_size, vt->is_signed);
        for (int i = 0; i < en->nconsts; i++)
            if ((int)strlen(en->consts[i].name) > w)
                w = (int)strlen(en->consts[i].name);
        return w;
    }
    case GT_RECORD: return 0;
    }
    return 0;
}

static void add_column(struct gt_columns *cs, const char *header, const char *expr,
                       const struct gt_vtype *vt, const struct gt_bitfield *bf, const char *storage,
                       int width, const struct gt_col_step *steps, int nsteps)
{
    cs->cols = gen__xrealloc(cs->cols, ((size_t)cs->n + 1) * sizeof *cs->cols);
    struct gt_column *c = &cs->cols[cs->n];
    memset(c, 0, sizeof *c);
    cs->n++; /* counted before its strings: a jump out frees what it has */
    c->header = gen__xstrdup(header);
    c->expr = gen__xstrdup(expr);
    c->vt = vt;
    c->bf = bf;
    c->storage = storage ? gen__xstrdup(storage) : NULL;
    c->width = width > (int)strlen(header) ? width : (int)strlen(header);
    memcpy(c->steps, steps, (size_t)nsteps * sizeof *steps);
    c->nsteps = nsteps;
}

/* The leaf columns of record r at C expression prefix `expr` ("e->",
 * "e->inner."), named after `header` ("", "inner."). */
static void collect_columns(struct gt_model *m, struct gt_columns *cs, int r, const char *expr,
                            const char *header, int depth, struct gt_col_step *steps)
{
    const struct gt_record *rec = &m->records[r];
    if (depth > GT_MAX_DEPTH)
        return;
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        steps[depth] = (struct gt_col_step){r, i};
        if (it->kind == GT_ITEM_ANON) {
            collect_columns(m, cs, it->record, expr, header, depth + 1, steps);
            continue;
        }
        if (it->kind == GT_ITEM_BITS) {
            for (int j = 0; j < it->nbitfields; j++) {
                const struct gt_bitfield *bf = &it->bitfields[j];
                char *h = gen__xasprintf("%s%s", header,
                                         bf->btf_name && *bf->btf_name ? bf->btf_name : bf->name);
                char *st = gen__xasprintf("%s%s", expr, it->name);
                add_column(cs, h, "", NULL, bf, st, int_width(bf->value_size, bf->is_signed), steps,
                           depth + 1);
                free(h);
                free(st);
            }
            continue;
        }
        if (it->kind != GT_ITEM_FIELD)
            continue;
        const struct gt_vtype *vt = &it->type;
        if (vt->ndims && !vt->dims[0])
            continue; /* flexible array */
        char *h = gen__xasprintf("%s%s", header, gen__item_key(it));
        char *x = gen__xasprintf("%s%s", expr, it->name);
        if (vt->base == GT_RECORD && !vt->ndims) {
            char *sub_expr = gen__xasprintf("%s.", x);
            char *sub_header = gen__xasprintf("%s.", h);
            collect_columns(m, cs, vt->ref, sub_expr, sub_header, depth + 1, steps);
            free(sub_expr);
            free(sub_header);
        } else if (vt->base == GT_INT && vt->is_char && vt->ndims == 1) {
            uint32_t n = vt->dims[0] ? vt->dims[0] - 1 : 0;
            add_column(cs, h, x, vt, NULL, NULL, n > STRING_COLUMN_MAX ? STRING_COLUMN_MAX : (int)n,
                       steps, depth + 1);
        } else if (vt->ndims == 1 && vt->base != GT_RECORD && vt->base != GT_BYTES &&
                   !(vt->base == GT_INT && vt->elem_size == 16)) {
            uint64_t w = (uint64_t)vt->dims[0] * (uint64_t)(scalar_width(m, vt) + 1);
            add_column(cs, h, x, vt, NULL, NULL, w > ARRAY_COLUMN_MAX ? ARRAY_COLUMN_MAX : (int)w,
                       steps, depth + 1);
        } else if (!vt->ndims) {
            add_column(cs, h, x, vt, NULL, NULL, scalar_width(m, vt), steps, depth + 1);
        }
        /* arrays of records and of several dimensions: in JSON only */
        free(h);
        free(x);
    }
}

void gen__print_columns(struct gt_model *m, struct gt_columns *cs, int r)
{
    struct gt_col_step steps[GT_MAX_DEPTH + 2];
    collect_columns(m, cs, r, "e->", "", 0, steps);
}

/* printf conversion and argument of a scalar, as text of the columns. */
static void scalar_format(struct printers *p, const struct gt_vtype *vt, const char *expr,
                          const char **conv, char **arg)
{
    switch (vt->base) {
    case GT_PTR:
        *conv = "0x%llx";
        *arg = gen__xasprintf("(unsigned long long)%s", expr);
        return;
    case GT_FLOAT:
        *conv = "%.6g";
        *arg = gen__xasprintf("(double)%s", expr);
        return;
    case GT_INT:
        if (vt->is_bool) {
            *conv = "%s";
            *arg = gen__xasprintf("%s ? \"true\" : \"false\"", expr);
        } else if (vt->is_char) {
            *conv = "%d";
            *arg = gen__xasprintf("(int)(signed char)%s", expr);
        } else if (vt->is_signed) {
            *conv = "%lld";
            *arg = gen__xasprintf("(long long)%s", expr);
        } else {
            *conv = "%llu";
            *arg = gen__xasprintf("(unsigned long long)%s", expr);
        }
        return;
    default: /* GT_ENUM: the caller names it */
        *conv = vt->is_signed ? "%lld" : "%llu";
        *arg = gen__xasprintf(vt->is_signed ? "(long long)%s" : "(unsigned long long)%s", expr);
        return;
    }
}

/* One cell: the value as text in a buffer, then printed cut and padded. */
static void column_cell(struct printers *p, const struct gt_column *c, bool last)
{
    FILE *out = p->out;
    const struct gt_vtype *vt = c->vt;
    fprintf(out, "    {\n        char cell[%d];\n", c->width + 1);
    if (c->bf) {
        const struct gt_bitfield *bf = c->bf;
        if (bf->is_signed)
            fprintf(out,
                    "        snprintf(cell, sizeof cell, \"%%lld\", (long long)wasm_bpf_bits_sext("
                    "wasm_bpf_bits_get(%s, %" PRIu32 ", %" PRIu32 "), %" PRIu32 "));\n",
                    c->storage, bf->bit, bf->bits, bf->bits);
        else
            fprintf(out,
                    "        snprintf(cell, sizeof cell, \"%%llu\", (unsigned long long)"
                    "wasm_bpf_bits_get(%s, %" PRIu32 ", %" PRIu32 "));\n",
                    c->storage, bf->bit, bf->bits);
        fprintf(out, "        wasm_bpf_print_cell(f, cell, sizeof cell, %d, %d);\n    }\n",
                c->width, last);
        return;
    }
    if (vt->base == GT_INT && vt->is_char && vt->ndims == 1) {
        fprintf(out,
                "        (void)cell;\n        wasm_bpf_print_cell(f, %s, %" PRIu32
                ", %d, %d);\n    }\n",
                c->expr, vt->dims[0], c->width, last);
        return;
    }
    if (vt->base == GT_BYTES || (vt->base == GT_INT && vt->elem_size == 16)) {
        const char *bytes = vt->base == GT_BYTES ? "" : "&";
        fprintf(
            out,
            "        const unsigned char *b = (const unsigned char *)%s%s;\n"
            "        size_t k = 0;\n"
            "        k += (size_t)snprintf(cell, sizeof cell, \"0x\");\n"
            "        for (size_t i = %" PRIu32 "; i > 0 && k < sizeof cell; i--)\n"
            "            k += (size_t)snprintf(cell + k, sizeof cell - k, \"%%02x\", b[i - 1]);\n",
            bytes, c->expr, vt->elem_size);
    } else if (vt->ndims == 1) {
        char *elem = gen__xasprintf("%s[i]", c->expr);
        const char *conv;
        char *arg;
        scalar_format(p, vt, elem, &conv, &arg);
        fprintf(out,
                "        size_t k = 0;\n"
                "        cell[0] = 0;\n"
                "        for (size_t i = 0; i < %" PRIu32 " && k < sizeof cell; i++) {\n",
                vt->dims[0]);
        if (vt->base == GT_ENUM) {
            fprintf(out, "            const char *name = %s(", enum_fn(p, vt->ref));
            enum_value_expr(out, vt, elem);
            fprintf(
                out,
                ");\n"
                "            if (name)\n"
                "                k += (size_t)snprintf(cell + k, sizeof cell - k, \"%%s%%s\", i ? \",\" : \"\", name);\n"
                "            else\n    ");
        }
        fprintf(
            out,
            "            k += (size_t)snprintf(cell + k, sizeof cell - k, \"%%s%s\", i ? \",\" : \"\", %s);\n"
            "        }\n",
            conv, arg);
        free(arg);
        free(elem);
    } else if (vt->base == GT_ENUM) {
        const char *conv;
        char *arg;
        scalar_format(p, vt, c->expr, &conv, &arg);
        fprintf(out, "        const char *name = %s(", enum_fn(p, vt->ref));
        enum_value_expr(out, vt, c->expr);
        fprintf(out,
                ");\n"
                "        if (name)\n"
                "            snprintf(cell, sizeof cell, \"%%s\", name);\n"
                "        else\n"
                "            snprintf(cell, sizeof cell, \"%s\", %s);\n",
                conv, arg);
        free(arg);
    } else {
        const char *conv;
        char *arg;
        scalar_format(p, vt, c->expr, &conv, &arg);
        fprintf(out, "        snprintf(cell, sizeof cell, \"%s\", %s);\n", conv, arg);
        free(arg);
    }
    fprintf(out, "        wasm_bpf_print_cell(f, cell, sizeof cell, %d, %d);\n    }\n", c->width,
            last);
}

void gen__columns_free(struct gt_columns *cs)
{
    for (int i = 0; i < cs->n; i++) {
        free(cs->cols[i].header);
        free(cs->cols[i].expr);
        free(cs->cols[i].storage);
    }
    free(cs->cols);
    cs->cols = NULL;
    cs->n = 0;
}

/* Enum name functions the columns use, written before the column printer. */
static void column_enums(struct printers *p, const struct gt_columns *cs)
{
    for (int i = 0; i < cs->n; i++)
        if (cs->cols[i].vt && cs->cols[i].vt->base == GT_ENUM)
            enum_fn(p, cs->cols[i].vt->ref);
}

static void emit_root(struct printers *p, int r, struct gt_columns *cs)
{
    FILE *out = p->out;
    const struct gt_record *rec = &p->m->records[r];
    const char *kw = rec->is_union ? "union" : "struct";
    json_record_fn(p, r);
    char *pj = claim_fn(p, rec->name, "print_json");
    fprintf(out,
            "/* %s %s as one line of JSON. */\n"
            "static inline void %s(FILE *f, const %s %s *e)\n{\n"
            "    %s(f, e);\n    fputc('\\n', f);\n}\n\n",
            kw, rec->name, pj, kw, rec->name, p->json_fn[r]);
    free(pj);

    gen__print_columns(p->m, cs, r);
    column_enums(p, cs);
    char *ph = claim_fn(p, rec->name, "print_columns_header");
    fprintf(out,
            "/* The column names of %s %s, aligned with its rows. */\n"
            "static inline void %s(FILE *f)\n{\n",
            kw, rec->name, ph);
    for (int i = 0; i < cs->n; i++) {
        fprintf(out, "    %swasm_bpf_print_cell(f, ", i ? "fputc(' ', f);\n    " : "");
        gen__c_string(out, cs->cols[i].header);
        fprintf(out, ", %zu, %d, %d);\n", strlen(cs->cols[i].header), cs->cols[i].width,
                i == cs->n - 1);
    }
    fprintf(out, "    fputc('\\n', f);\n}\n\n");
    free(ph);

    char *pc = claim_fn(p, rec->name, "print_columns");
    fprintf(out,
            "/* %s %s as one row of columns. */\n"
            "static inline void %s(FILE *f, const %s %s *e)\n{\n",
            kw, rec->name, pc, kw, rec->name);
    if (!cs->n)
        fprintf(out, "    (void)e;\n");
    for (int i = 0; i < cs->n; i++) {
        if (i)
            fprintf(out, "    fputc(' ', f);\n");
        column_cell(p, &cs->cols[i], i == cs->n - 1);
    }
    fprintf(out, "    fputc('\\n', f);\n}\n\n");
    free(pc);
    gen__columns_free(cs);
}

/* The record a root id names (a struct or union, or a typedef of one). */
int gen__root_record(const struct gt_model *m, int id)
{
    const struct btf_type *t = btf__type_by_id(m->btf, (uint32_t)id);
    if (!t)
        return -1;
    if (btf_is_typedef(t)) {
        int td = m->typedef_of_id[id] - 1;
        if (td < 0 || m->typedefs[td].target.base != GT_RECORD || m->typedefs[td].target.ndims)
            return -1;
        return m->typedefs[td].target.ref;
    }
    if (!btf_is_composite(t))
        return -1;
    return m->named_record_of_id[id] - 1;
}

/* The work of gen__emit_c_printers(), whose allocations are in p and cs
 * for the caller to free whatever way it ends. */
static void emit_printers(struct printers *p, struct gt_columns *cs, const int *roots, int nroots)
{
    struct gt_model *m = p->m;
    bool any = false;
    for (int i = 0; i < nroots; i++)
        any |= gen__root_record(m, roots[i]) >= 0;
    if (!any)
        return;
    fprintf(p->out, "#ifndef WASM_BPF_TYPES_NO_PRINTERS\n"
                    "/* Printers of the types above for -o json and -o columns\n"
                    " * (sdk/c/wasm-bpf-tool.h); define WASM_BPF_TYPES_NO_PRINTERS to leave\n"
                    " * them (and <stdio.h>) out. */\n"
                    "#include <stdio.h>\n\n");
    fputs(print_helpers, p->out);
    for (int i = 0; i < nroots; i++) {
        int r = gen__root_record(m, roots[i]);
        bool again = false;
        for (int k = 0; k < i; k++)
            again |= gen__root_record(m, roots[k]) == r;
        if (r >= 0 && !again)
            emit_root(p, r, cs);
    }
    fprintf(p->out, "#endif /* WASM_BPF_TYPES_NO_PRINTERS */\n\n");
}

/* What the printers allocate, reachable from the model so that an
 * out-of-memory jump (gen__catch_oom) leaves nothing behind. */
struct printers_mem {
    struct printers p;
    struct gt_columns cs;
};

int gen__emit_c_printers(struct gt_model *m, FILE *out, const int *roots, int nroots)
{
    struct printers_mem *pm = gen__xrealloc(NULL, sizeof *pm);
    memset(pm, 0, sizeof *pm);
    m->printers = pm;
    pm->p.m = m;
    pm->p.out = out;
    size_t nr = (size_t)m->nrecords + 1, ne = (size_t)m->nenums + 1;
    pm->p.json_done = gen__xrealloc(NULL, nr * sizeof *pm->p.json_done);
    memset(pm->p.json_done, 0, nr * sizeof *pm->p.json_done);
    pm->p.json_fn = gen__xrealloc(NULL, nr * sizeof *pm->p.json_fn);
    memset(pm->p.json_fn, 0, nr * sizeof *pm->p.json_fn);
    pm->p.enum_fn = gen__xrealloc(NULL, ne * sizeof *pm->p.enum_fn);
    memset(pm->p.enum_fn, 0, ne * sizeof *pm->p.enum_fn);
    emit_printers(&pm->p, &pm->cs, roots, nroots);
    gen__printers_free(m);
    return 0;
}

void gen__printers_free(struct gt_model *m)
{
    struct printers_mem *pm = m->printers;
    if (!pm)
        return;
    gen__columns_free(&pm->cs);
    if (pm->p.json_fn)
        for (int i = 0; i < m->nrecords; i++)
            free(pm->p.json_fn[i]);
    if (pm->p.enum_fn)
        for (int i = 0; i < m->nenums; i++)
            free(pm->p.enum_fn[i]);
    free(pm->p.json_fn);
    free(pm->p.enum_fn);
    free(pm->p.json_done);
    free(pm);
    m->printers = NULL;
}
