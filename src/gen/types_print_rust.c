/* types_print_rust.c: the event printers of the Rust module of `gen types`.
 *
 * The Rust counterpart of types_print_c.c, with the same output byte for
 * byte (tests/gen-types compares them): for each root struct or union,
 *
 *   impl TAG {
 *       pub fn write_json<W: core::fmt::Write + ?Sized>(&self, w: &mut W) -> core::fmt::Result
 *       pub fn write_columns_header<W: ...>(w: &mut W) -> core::fmt::Result
 *       pub fn write_columns<W: ...>(&self, w: &mut W) -> core::fmt::Result
 *   }
 *
 * derive-free, with only core, so the module still compiles alone (the SDK's
 * wasm_bpf_binding::impl_print!(TAG) makes them its Print trait, which
 * Tool::print uses for -o json|columns).  The decisions (JSON keys, strings,
 * enums by name, column widths, what is cut) are types_print_c.c's: the
 * column layout comes from the same gen__print_columns(). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "types_internal.h"

static const char rust_print_helpers[] =
    "// Printers (JSON lines and aligned columns) of the event types below, the\n"
    "// same text as the C printers of `wasm-bpf gen types`; only core is used.\n"
    "#[allow(unused_imports)]\n"
    "use core::fmt::Write as _;\n"
    "\n"
    "/// A JSON string of the bytes up to the first NUL: quotes, backslashes\n"
    "/// and control characters escaped, bytes above 0x7e as \\u00XX.\n"
    "#[allow(dead_code)]\n"
    "fn __wasm_bpf_json_str<W: core::fmt::Write + ?Sized>(w: &mut W, s: impl Iterator<Item = u8>)\n"
    "    -> core::fmt::Result {\n"
    "    w.write_char('\"')?;\n"
    "    for c in s.take_while(|&c| c != 0) {\n"
    "        if c == b'\"' || c == b'\\\\' {\n"
    "            w.write_char('\\\\')?;\n"
    "            w.write_char(c as char)?;\n"
    "        } else if c < 0x20 || c >= 0x7f {\n"
    "            write!(w, \"\\\\u{:04x}\", c)?;\n"
    "        } else {\n"
    "            w.write_char(c as char)?;\n"
    "        }\n"
    "    }\n"
    "    w.write_char('\"')\n"
    "}\n"
    "\n"
    "/// Bytes as \"0x...\", the last (most significant) first.\n"
    "#[allow(dead_code)]\n"
    "fn __wasm_bpf_hex<W: core::fmt::Write + ?Sized>(w: &mut W, b: &[u8]) -> core::fmt::Result {\n"
    "    w.write_str(\"0x\")?;\n"
    "    for c in b.iter().rev() {\n"
    "        write!(w, \"{:02x}\", c)?;\n"
    "    }\n"
    "    Ok(())\n"
    "}\n"
    "\n"
    "/// Up to 48 bytes of formatted text.\n"
    "#[allow(dead_code)]\n"
    "struct __WasmBpfText {\n"
    "    b: [u8; 48],\n"
    "    n: usize,\n"
    "}\n"
    "impl core::fmt::Write for __WasmBpfText {\n"
    "    fn write_str(&mut self, s: &str) -> core::fmt::Result {\n"
    "        let s = s.as_bytes();\n"
    "        if self.n + s.len() > self.b.len() {\n"
    "            return Err(core::fmt::Error);\n"
    "        }\n"
    "        self.b[self.n..self.n + s.len()].copy_from_slice(s);\n"
    "        self.n += s.len();\n"
    "        Ok(())\n"
    "    }\n"
    "}\n"
    "\n"
    "/// C's printf(\"%.{p}g\", v) (p from 1 to 17).\n"
    "#[allow(dead_code)]\n"
    "fn __wasm_bpf_g<W: core::fmt::Write + ?Sized>(w: &mut W, v: f64, p: usize) -> core::fmt::Result {\n"
    "    if v.is_nan() {\n"
    "        return w.write_str(if v.is_sign_negative() { \"-nan\" } else { \"nan\" });\n"
    "    }\n"
    "    if v.is_infinite() {\n"
    "        return w.write_str(if v < 0.0 { \"-inf\" } else { \"inf\" });\n"
    "    }\n"
    "    let mut t = __WasmBpfText { b: [0; 48], n: 0 };\n"
    "    write!(t, \"{:.*e}\", p - 1, v)?;\n"
    "    let s = &t.b[..t.n];\n"
    "    let e = s.iter().position(|&c| c == b'e').unwrap_or(s.len());\n"
    "    let mut x: i32 = 0;\n"
    "    let neg = s.get(e + 1) == Some(&b'-');\n"
    "    for &c in &s[(e + 1 + neg as usize).min(s.len())..] {\n"
    "        x = x * 10 + (c - b'0') as i32;\n"
    "    }\n"
    "    if neg {\n"
    "        x = -x;\n"
    "    }\n"
    "    // %g: %e's digits when the exponent is below -4 or not below p, else %f's\n"
    "    let (digits, exp) = if x < -4 || x >= p as i32 {\n"
    "        (&s[..e], true)\n"
    "    } else {\n"
    "        t.n = 0;\n"
    "        write!(t, \"{:.*}\", (p as i32 - 1 - x) as usize, v)?;\n"
    "        (&t.b[..t.n], false)\n"
    "    };\n"
    "    // without trailing zeros, nor a point with nothing after it\n"
    "    let mut end = digits.len();\n"
    "    if digits.contains(&b'.') {\n"
    "        while end > 0 && digits[end - 1] == b'0' {\n"
    "            end -= 1;\n"
    "        }\n"
    "        if end > 0 && digits[end - 1] == b'.' {\n"
    "            end -= 1;\n"
    "        }\n"
    "    }\n"
    "    for &c in &digits[..end] {\n"
    "        w.write_char(c as char)?;\n"
    "    }\n"
    "    if exp {\n"
    "        write!(w, \"e{}{:02}\", if x < 0 { '-' } else { '+' }, x.abs())?;\n"
    "    }\n"
    "    Ok(())\n"
    "}\n"
    "\n"
    "/// JSON has no NaN or infinity: null.\n"
    "#[allow(dead_code)]\n"
    "fn __wasm_bpf_json_f64<W: core::fmt::Write + ?Sized>(w: &mut W, v: f64) -> core::fmt::Result {\n"
    "    if v.is_finite() { __wasm_bpf_g(w, v, 17) } else { w.write_str(\"null\") }\n"
    "}\n"
    "\n"
    "/// A column cell: at most `left` characters (control and non-ASCII bytes\n"
    "/// as '?'), then padded to the width unless it is the row's last.\n"
    "#[allow(dead_code)]\n"
    "struct __WasmBpfCell<'a, W: core::fmt::Write + ?Sized> {\n"
    "    w: &'a mut W,\n"
    "    left: usize,\n"
    "}\n"
    "#[allow(dead_code)]\n"
    "impl<'a, W: core::fmt::Write + ?Sized> __WasmBpfCell<'a, W> {\n"
    "    fn byte(&mut self, c: u8) -> core::fmt::Result {\n"
    "        if self.left == 0 {\n"
    "            return Ok(());\n"
    "        }\n"
    "        self.left -= 1;\n"
    "        self.w.write_char(if c < 0x20 || c >= 0x7f { '?' } else { c as char })\n"
    "    }\n"
    "    fn bytes(&mut self, s: impl Iterator<Item = u8>) -> core::fmt::Result {\n"
    "        for c in s.take_while(|&c| c != 0) {\n"
    "            self.byte(c)?;\n"
    "        }\n"
    "        Ok(())\n"
    "    }\n"
    "}\n"
    "impl<'a, W: core::fmt::Write + ?Sized> core::fmt::Write for __WasmBpfCell<'a, W> {\n"
    "    fn write_str(&mut self, s: &str) -> core::fmt::Result {\n"
    "        self.bytes(s.bytes())\n"
    "    }\n"
    "}\n"
    "#[allow(dead_code)]\n"
    "fn __wasm_bpf_cell<W: core::fmt::Write + ?Sized>(\n"
    "    w: &mut W, width: usize, last: bool,\n"
    "    f: impl FnOnce(&mut __WasmBpfCell<'_, W>) -> core::fmt::Result,\n"
    ") -> core::fmt::Result {\n"
    "    let mut c = __WasmBpfCell { w: &mut *w, left: width };\n"
    "    f(&mut c)?;\n"
    "    let left = c.left;\n"
    "    if !last {\n"
    "        for _ in 0..left {\n"
    "            w.write_char(' ')?;\n"
    "        }\n"
    "    }\n"
    "    Ok(())\n"
    "}\n\n";

static const char *const helper_names[] = {
    "__wasm_bpf_json_str", "__wasm_bpf_hex", "__WasmBpfText",   "__wasm_bpf_g",
    "__wasm_bpf_json_f64", "__WasmBpfCell",  "__wasm_bpf_cell", NULL,
};

struct rprinters {
    struct gt_model *m;
    FILE *out;
    char *const *record_names; /* the Rust emitter's */
    char ***fields;            /* per record, per item: its Rust field name, once asked */
    bool *json_done;           /* per record: its __wasm_bpf_json is written */
    char **enum_fn;            /* per enum: its name function, once written */
    struct gt_nameset *values; /* the module's value names */
    struct gt_columns cs;
    int depth;
};

/* The Rust field names of record r, as types_rust.c's emit_record claims them. */
static char *const *fields_of(struct rprinters *p, int r)
{
    if (p->fields[r])
        return p->fields[r];
    const struct gt_record *rec = &p->m->records[r];
    char **names = gen__xrealloc(NULL, ((size_t)rec->nitems + 1) * sizeof *names);
    memset(names, 0, ((size_t)rec->nitems + 1) * sizeof *names);
    p->fields[r] = names;
    struct gt_nameset set = {0};
    for (int i = 0; i < rec->nitems; i++) {
        char *base = gen__rust_ident(rec->items[i].name);
        names[i] = gen__names_claim(&set, base, "_");
        free(base);
    }
    gen__names_free(&set);
    return names;
}

static const char *enum_fn(struct rprinters *p, int index)
{
    if (p->enum_fn[index])
        return p->enum_fn[index];
    const struct gt_enum *en = &p->m->enums[index];
    char *base = gen__xasprintf("__wasm_bpf_enum%d_name", index);
    char *fn = gen__names_claim(p->values, base, "_");
    free(base);
    fprintf(p->out,
            "/// The enumerator of a value of %s%s, if any.\n"
            "#[allow(dead_code)]\n"
            "fn %s(v: u64) -> Option<&'static str> {\n",
            en->name ? "enum " : "an anonymous enum", en->name ? en->name : "", fn);
    for (int i = 0; i < en->nconsts; i++) {
        fprintf(p->out, "    if v == %" PRIu64 "u64 {\n        return Some(\"",
                en->consts[i].value);
        for (const unsigned char *s = (const unsigned char *)en->consts[i].name; *s; s++)
            fprintf(p->out, *s < 0x20 || *s >= 0x7f ? "\\x%02x" : "%c", *s);
        fprintf(p->out, "\");\n    }\n");
    }
    fprintf(p->out, "    None\n}\n\n");
    p->enum_fn[index] = fn;
    return fn;
}

/* The value as u64, sign-extended for signed types (as the enumerators'). */
static char *enum_value(const struct gt_vtype *vt, const char *x)
{
    return vt->is_signed ? gen__xasprintf("(%s) as i64 as u64", x)
                         : gen__xasprintf("(%s) as u64", x);
}

/* A copy of the value at path `expr` (self.a.b): through a union, unsafe. */
static char *read_expr(const char *expr, bool in_union)
{
    return gen__xasprintf(in_union ? "unsafe { %s }" : "{ %s }", expr);
}

static void json_record_fn(struct rprinters *p, int r);

/* The JSON of a value (v, a Rust expression of its value) of dimension dim. */
static void json_value(struct rprinters *p, const struct gt_vtype *vt, int dim, const char *v,
                       int indent)
{
    FILE *out = p->out;
    int pad = indent * 4;
    if (vt->base == GT_INT && vt->is_char && dim == vt->ndims - 1) {
        fprintf(out, "%*s__wasm_bpf_json_str(w, %s.iter().map(|&c| c as u8))?;\n", pad, "", v);
        return;
    }
    if (dim < vt->ndims) {
        /* a copy first: a block followed by [i] cannot start a statement */
        fprintf(out, "%*slet a%d = %s;\n", pad, "", dim, v);
        fprintf(out, "%*sw.write_char('[')?;\n", pad, "");
        fprintf(out, "%*sfor i%d in 0..%" PRIu32 "usize {\n", pad, "", dim, vt->dims[dim]);
        fprintf(out, "%*s    if i%d > 0 {\n%*s        w.write_char(',')?;\n%*s    }\n", pad, "",
                dim, pad, "", pad, "");
        char *sub = gen__xasprintf("a%d[i%d]", dim, dim);
        json_value(p, vt, dim + 1, sub, indent + 1);
        free(sub);
        fprintf(out, "%*s}\n%*sw.write_char(']')?;\n", pad, "", pad, "");
        return;
    }
    switch (vt->base) {
    case GT_INT:
        if (vt->elem_size == 16)
            fprintf(out, "%*swrite!(w, \"\\\"0x{:032x}\\\"\", %s as u128)?;\n", pad, "", v);
        else if (vt->is_bool)
            fprintf(out, "%*sw.write_str(if %s != 0 { \"true\" } else { \"false\" })?;\n", pad, "",
                    v);
        else if (vt->is_char)
            fprintf(out, "%*swrite!(w, \"{}\", %s as i8)?;\n", pad, "", v);
        else
            fprintf(out, "%*swrite!(w, \"{}\", %s)?;\n", pad, "", v);
        break;
    case GT_PTR: fprintf(out, "%*swrite!(w, \"{}\", %s)?;\n", pad, "", v); break;
    case GT_FLOAT: fprintf(out, "%*s__wasm_bpf_json_f64(w, %s as f64)?;\n", pad, "", v); break;
    case GT_BYTES:
        fprintf(out,
                "%*sw.write_char('\"')?;\n%*s__wasm_bpf_hex(w, &%s)?;\n%*sw.write_char('\"')?;\n",
                pad, "", pad, "", v, pad, "");
        break;
    case GT_ENUM: {
        const char *fn = enum_fn(p, vt->ref);
        char *ev = enum_value(vt, v);
        fprintf(out,
                "%*smatch %s(%s) {\n"
                "%*s    Some(name) => write!(w, \"\\\"{}\\\"\", name)?,\n"
                "%*s    None => write!(w, \"{}\", %s)?,\n"
                "%*s}\n",
                pad, "", fn, ev, pad, "", pad, "", v, pad, "");
        free(ev);
        break;
    }
    case GT_RECORD:
        fprintf(out, "%*slet r = %s;\n%*sr.__wasm_bpf_json(w)?;\n", pad, "", v, pad, "");
        break;
    }
}

/* The members of record r at path `path` (self, self.anon_0), anonymous
 * members flattened into it. */
static void json_items(struct rprinters *p, int r, const char *path, bool in_union, bool *first)
{
    const struct gt_record *rec = &p->m->records[r];
    char *const *fields = fields_of(p, r);
    bool through = in_union || (rec->is_union && rec->nitems > 0);
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        char *x = gen__xasprintf("%s.%s", path, fields[i]);
        if (it->kind == GT_ITEM_ANON) {
            json_items(p, it->record, x, through, first);
        } else if (it->kind == GT_ITEM_BITS) {
            char *storage = read_expr(x, through);
            for (int j = 0; j < it->nbitfields; j++) {
                const struct gt_bitfield *bf = &it->bitfields[j];
                fprintf(p->out, "        w.write_str(\"");
                gen__json_key_text(p->out, *first,
                                   bf->btf_name && *bf->btf_name ? bf->btf_name : bf->name);
                *first = false;
                fprintf(p->out, "\")?;\n");
                if (bf->is_signed)
                    fprintf(
                        p->out,
                        "        write!(w, \"{}\", __wasm_bpf_bits_sext(__wasm_bpf_bits_get(&%s, "
                        "%" PRIu32 ", %" PRIu32 "), %" PRIu32 "))?;\n",
                        storage, bf->bit, bf->bits, bf->bits);
                else
                    fprintf(p->out,
                            "        write!(w, \"{}\", __wasm_bpf_bits_get(&%s, %" PRIu32
                            ", %" PRIu32 "))?;\n",
                            storage, bf->bit, bf->bits);
            }
            free(storage);
        } else if (it->kind == GT_ITEM_FIELD && !(it->type.ndims && !it->type.dims[0])) {
            fprintf(p->out, "        w.write_str(\"");
            gen__json_key_text(p->out, *first, gen__item_key(it));
            *first = false;
            fprintf(p->out, "\")?;\n");
            char *v = read_expr(x, through);
            bool block = it->type.ndims || it->type.base == GT_RECORD;
            if (block)
                fprintf(p->out, "        {\n");
            json_value(p, &it->type, 0, v, block ? 3 : 2);
            if (block)
                fprintf(p->out, "        }\n");
            free(v);
        }
        free(x);
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

static void json_record_fn(struct rprinters *p, int r)
{
    if (p->json_done[r] || p->depth > GT_MAX_DEPTH)
        return;
    p->json_done[r] = true;
    p->depth++;
    gen__record_deps(p->m, r, json_dep_record, json_dep_enum, p);
    p->depth--;
    fprintf(p->out,
            "#[allow(non_snake_case, dead_code, unused_unsafe)]\n"
            "impl %s {\n"
            "    fn __wasm_bpf_json<W: core::fmt::Write + ?Sized>(&self, w: &mut W) -> "
            "core::fmt::Result {\n",
            p->record_names[r]);
    bool first = true;
    json_items(p, r, "self", false, &first);
    fprintf(p->out, first ? "        w.write_str(\"{}\")\n    }\n}\n\n"
                          : "        w.write_char('}')\n    }\n}\n\n");
}

/* ---- columns ---- */

/* The Rust path of a column (self.inner.port) and whether it goes through
 * a union, from its chain of (record, item) steps. */
static char *column_path(struct rprinters *p, const struct gt_column *c, bool *through)
{
    struct base_buf b = {0};
    base_buf_puts(&b, "self");
    *through = false;
    for (int k = 0; k < c->nsteps; k++) {
        int r = c->steps[k].record;
        const struct gt_record *rec = &p->m->records[r];
        *through |= rec->is_union && rec->nitems > 0;
        base_buf_printf(&b, ".%s", fields_of(p, r)[c->steps[k].item]);
    }
    return gen__buf_take(&b);
}

/* write!() arguments of a scalar as the columns print it (conversion, value). */
static void scalar_text(FILE *out, const struct gt_vtype *vt, const char *v)
{
    switch (vt->base) {
    case GT_PTR: fprintf(out, "\"0x{:x}\", %s", v); return;
    case GT_INT:
        if (vt->is_bool)
            fprintf(out, "\"{}\", if %s != 0 { \"true\" } else { \"false\" }", v);
        else if (vt->is_char)
            fprintf(out, "\"{}\", %s as i8", v);
        else
            fprintf(out, "\"{}\", %s", v);
        return;
    default: fprintf(out, "\"{}\", %s", v); return;
    }
}

/* Writes one scalar cell's text into the cell `c`. */
static void scalar_cell(struct rprinters *p, const struct gt_vtype *vt, const char *v, int indent)
{
    FILE *out = p->out;
    int pad = indent * 4;
    if (vt->base == GT_FLOAT) {
        fprintf(out, "%*s__wasm_bpf_g(c, %s as f64, 6)?;\n", pad, "", v);
        return;
    }
    if (vt->base == GT_ENUM) {
        char *ev = enum_value(vt, v);
        fprintf(out,
                "%*smatch %s(%s) {\n%*s    Some(name) => c.write_str(name)?,\n"
                "%*s    None => write!(c, \"{}\", %s)?,\n%*s}\n",
                pad, "", enum_fn(p, vt->ref), ev, pad, "", pad, "", v, pad, "");
        free(ev);
        return;
    }
    fprintf(out, "%*swrite!(c, ", pad, "");
    scalar_text(out, vt, v);
    fprintf(out, ")?;\n");
}

static void column_cell(struct rprinters *p, const struct gt_column *col, bool last)
{
    FILE *out = p->out;
    const struct gt_vtype *vt = col->vt;
    bool through;
    char *path = column_path(p, col, &through);
    char *v = read_expr(path, through);
    fprintf(out, "        __wasm_bpf_cell(w, %d, %s, |c| {\n", col->width, last ? "true" : "false");
    if (col->bf) {
        const struct gt_bitfield *bf = col->bf;
        if (bf->is_signed)
            fprintf(out,
                    "            write!(c, \"{}\", __wasm_bpf_bits_sext(__wasm_bpf_bits_get(&%s, "
                    "%" PRIu32 ", %" PRIu32 "), %" PRIu32 "))\n",
                    v, bf->bit, bf->bits, bf->bits);
        else
            fprintf(out,
                    "            write!(c, \"{}\", __wasm_bpf_bits_get(&%s, %" PRIu32 ", %" PRIu32
                    "))\n",
                    v, bf->bit, bf->bits);
    } else if (vt->base == GT_INT && vt->is_char && vt->ndims == 1) {
        fprintf(out, "            c.bytes(%s.iter().map(|&b| b as u8))\n", v);
    } else if (vt->base == GT_BYTES) {
        fprintf(out, "            __wasm_bpf_hex(c, &%s)\n", v);
    } else if (vt->base == GT_INT && vt->elem_size == 16) {
        fprintf(out, "            write!(c, \"0x{:032x}\", %s as u128)\n", v);
    } else if (vt->ndims == 1) {
        fprintf(out,
                "            let a = %s;\n"
                "            for i in 0..%" PRIu32 "usize {\n"
                "                if i > 0 {\n"
                "                    c.write_char(',')?;\n"
                "                }\n",
                v, vt->dims[0]);
        scalar_cell(p, vt, "a[i]", 4);
        fprintf(out, "            }\n            Ok(())\n");
    } else {
        scalar_cell(p, vt, v, 3);
        fprintf(out, "            Ok(())\n");
    }
    fprintf(out, "        })?;\n");
    free(v);
    free(path);
}

/* Rust byte string literal contents of a column header. */
static void header_literal(FILE *out, const char *h)
{
    for (const unsigned char *s = (const unsigned char *)h; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if (*s < 0x20 || *s >= 0x7f)
            fprintf(out, "\\x%02x", *s);
        else
            fputc(*s, out);
    }
}

static void emit_root(struct rprinters *p, int r)
{
    FILE *out = p->out;
    const struct gt_record *rec = &p->m->records[r];
    const char *name = p->record_names[r];
    json_record_fn(p, r);
    gen__print_columns(p->m, &p->cs, r);
    for (int i = 0; i < p->cs.n; i++)
        if (p->cs.cols[i].vt && p->cs.cols[i].vt->base == GT_ENUM)
            enum_fn(p, p->cs.cols[i].vt->ref);
    fprintf(out,
            "/// Printers of %s %s for -o json and -o columns (the SDK's\n"
            "/// `wasm_bpf_binding::impl_print!(%s)` makes them its `Print`).\n"
            "#[allow(non_snake_case, dead_code, unused_unsafe)]\n"
            "impl %s {\n"
            "    /// As one line of JSON (with its newline).\n"
            "    pub fn write_json<W: core::fmt::Write + ?Sized>(&self, w: &mut W) -> "
            "core::fmt::Result {\n"
            "        self.__wasm_bpf_json(w)?;\n"
            "        w.write_char('\\n')\n"
            "    }\n\n"
            "    /// The column names, aligned with the rows (with a newline).\n"
            "    pub fn write_columns_header<W: core::fmt::Write + ?Sized>(w: &mut W) -> "
            "core::fmt::Result {\n",
            rec->is_union ? "union" : "struct", rec->name, name, name);
    for (int i = 0; i < p->cs.n; i++) {
        if (i)
            fprintf(out, "        w.write_char(' ')?;\n");
        fprintf(out, "        __wasm_bpf_cell(w, %d, %s, |c| c.bytes(b\"", p->cs.cols[i].width,
                i == p->cs.n - 1 ? "true" : "false");
        header_literal(out, p->cs.cols[i].header);
        fprintf(out, "\".iter().copied()))?;\n");
    }
    fprintf(out, "        w.write_char('\\n')\n    }\n\n"
                 "    /// As one row of columns (with its newline).\n"
                 "    pub fn write_columns<W: core::fmt::Write + ?Sized>(&self, w: &mut W) -> "
                 "core::fmt::Result {\n");
    for (int i = 0; i < p->cs.n; i++) {
        if (i)
            fprintf(out, "        w.write_char(' ')?;\n");
        column_cell(p, &p->cs.cols[i], i == p->cs.n - 1);
    }
    fprintf(out, "        w.write_char('\\n')\n    }\n}\n\n");
    gen__columns_free(&p->cs);
}

void gen__printers_rust_free(struct gt_model *m)
{
    struct rprinters *p = m->printers_rust;
    if (!p)
        return;
    gen__columns_free(&p->cs);
    for (int r = 0; p->fields && r < m->nrecords; r++) {
        if (!p->fields[r])
            continue;
        for (int i = 0; i < m->records[r].nitems; i++)
            free(p->fields[r][i]);
        free(p->fields[r]);
    }
    for (int e = 0; p->enum_fn && e < m->nenums; e++)
        free(p->enum_fn[e]);
    free(p->fields);
    free(p->enum_fn);
    free(p->json_done);
    free(p);
    m->printers_rust = NULL;
}

int gen__emit_rust_printers(struct gt_model *m, FILE *out, char *const *record_names,
                            struct gt_nameset *values)
{
    bool any = false;
    for (int i = 0; i < m->nprint_roots; i++)
        any |= gen__root_record(m, m->print_roots[i]) >= 0;
    if (!any)
        return 0;
    struct rprinters *p = gen__xrealloc(NULL, sizeof *p);
    memset(p, 0, sizeof *p);
    m->printers_rust = p; /* freed by gen__model_free() however this ends */
    p->m = m;
    p->out = out;
    p->record_names = record_names;
    p->values = values;
    size_t nr = (size_t)m->nrecords + 1, ne = (size_t)m->nenums + 1;
    p->fields = gen__xrealloc(NULL, nr * sizeof *p->fields);
    memset(p->fields, 0, nr * sizeof *p->fields);
    p->json_done = gen__xrealloc(NULL, nr * sizeof *p->json_done);
    memset(p->json_done, 0, nr * sizeof *p->json_done);
    p->enum_fn = gen__xrealloc(NULL, ne * sizeof *p->enum_fn);
    memset(p->enum_fn, 0, ne * sizeof *p->enum_fn);
    for (const char *const *h = helper_names; *h; h++)
        gen__names_add(values, *h);
    fputs(rust_print_helpers, out);
    for (int i = 0; i < m->nprint_roots; i++) {
        int r = gen__root_record(m, m->print_roots[i]);
        bool again = false;
        for (int k = 0; k < i; k++)
            again |= gen__root_record(m, m->print_roots[k]) == r;
        if (r >= 0 && !again)
            emit_root(p, r);
    }
    gen__printers_rust_free(m);
    return 0;
}
