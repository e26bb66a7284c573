/* types_rust.c: the Rust module of `gen types`.
 *
 * Items are #[repr(C, packed)] with explicit padding, like the C header, so
 * they have the kernel's layout on wasm32; a const assert checks each size
 * at compile time (rustc 1.63, Debian's, has no offset_of!: the offsets
 * follow from the packed layout and the asserted sizes of every nested
 * type).  Everything is Copy; C unions are Rust unions.  Bitfields are byte
 * arrays with a getter and a set_ method each.  Only core is used. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "types_internal.h"

struct rust_out {
    struct gt_model *m;
    FILE *out;
    /* records: by index; enums: NULL for anonymous ones; typedefs: NULL
     * when no alias is emitted.  types: type names; values: functions. */
    struct gt_lang_names *names;
};

static const char allow_type[] = "#[allow(non_camel_case_types, non_snake_case, dead_code)]\n";

static const char bits_helpers[] =
    "// Bitfields stay in the bytes the kernel wrote (little-endian); these read\n"
    "// and write `bits` bits starting `bit` bits into `b`.\n"
    "#[allow(dead_code)]\n"
    "#[inline]\n"
    "fn __wasm_bpf_bits_get(b: &[u8], bit: u32, bits: u32) -> u64 {\n"
    "    let b = &b[(bit / 8) as usize..];\n"
    "    let shift = bit % 8;\n"
    "    let n = ((shift + bits + 7) / 8) as usize;\n"
    "    let mut v = (b[0] >> shift) as u64;\n"
    "    for i in 1..n {\n"
    "        v |= (b[i] as u64) << (8 * i as u32 - shift);\n"
    "    }\n"
    "    if bits < 64 { v & ((1u64 << bits) - 1) } else { v }\n"
    "}\n"
    "\n"
    "#[allow(dead_code)]\n"
    "#[inline]\n"
    "fn __wasm_bpf_bits_set(b: &mut [u8], bit: u32, bits: u32, v: u64) {\n"
    "    let b = &mut b[(bit / 8) as usize..];\n"
    "    let shift = bit % 8;\n"
    "    let n = ((shift + bits + 7) / 8) as usize;\n"
    "    let mask = if bits < 64 { (1u64 << bits) - 1 } else { !0u64 };\n"
    "    let v = v & mask;\n"
    "    for i in 0..n {\n"
    "        let (m, x) = if i == 0 {\n"
    "            ((mask << shift) as u8, (v << shift) as u8)\n"
    "        } else {\n"
    "            let s = 8 * i as u32 - shift;\n"
    "            ((mask >> s) as u8, (v >> s) as u8)\n"
    "        };\n"
    "        b[i] = (b[i] & !m) | (x & m);\n"
    "    }\n"
    "}\n"
    "\n"
    "#[allow(dead_code)]\n"
    "#[inline]\n"
    "fn __wasm_bpf_bits_sext(v: u64, bits: u32) -> i64 {\n"
    "    let sign = 1u64 << (bits - 1);\n"
    "    (v ^ sign).wrapping_sub(sign) as i64\n"
    "}\n\n";

static const char *int_type(uint32_t size, bool is_signed)
{
    switch (size) {
    case 1: return is_signed ? "i8" : "u8";
    case 2: return is_signed ? "i16" : "u16";
    case 4: return is_signed ? "i32" : "u32";
    case 8: return is_signed ? "i64" : "u64";
    default: return is_signed ? "i128" : "u128";
    }
}

static char *type_of(const struct rust_out *o, const struct gt_vtype *vt)
{
    struct base_buf b = {0};
    switch (vt->base) {
    case GT_INT: base_buf_puts(&b, int_type(vt->elem_size, vt->is_signed && !vt->is_bool)); break;
    case GT_FLOAT: base_buf_puts(&b, vt->elem_size == 4 ? "f32" : "f64"); break;
    case GT_BYTES: base_buf_printf(&b, "[u8; %" PRIu32 "]", vt->elem_size); break;
    case GT_PTR: base_buf_puts(&b, int_type(vt->elem_size, false)); break;
    case GT_ENUM: base_buf_puts(&b, int_type(vt->elem_size, vt->is_signed)); break;
    case GT_RECORD: base_buf_puts(&b, o->names->records[vt->ref]); break;
    }
    for (int i = vt->ndims - 1; i >= 0; i--) {
        char *inner = gen__buf_take(&b);
        base_buf_printf(&b, "[%s; %" PRIu32 "]", inner, vt->dims[i]);
        free(inner);
    }
    return gen__buf_take(&b);
}

static void comment(FILE *out, const char *text)
{
    struct base_buf b = {0};
    gen__comment_text(&b, text);
    fprintf(out, " // %s", gen__buf_str(&b));
    base_buf_free(&b);
}

/* Type names: records keep their C names (r#-escaped if keywords), except
 * that a primitive's name (a C `struct u8`) would shadow the primitive. */
static char *claim_type_name(struct rust_out *o, const char *c_name)
{
    char *r = gen__rust_ident(c_name);
    if (gen__rust_primitive(r)) {
        char *s = gen__xasprintf("%s_", r);
        free(r);
        r = s;
    }
    char *name = gen__names_claim(&o->names->types, r, "_");
    free(r);
    return name;
}

static void emit_record(void *ctx, int r)
{
    struct rust_out *o = ctx;
    struct gt_model *m = o->m;
    const struct gt_record *rec = &m->records[r];
    const char *name = o->names->records[r];
    /* a union needs a field; a zero-sized one is an empty struct here */
    bool as_union = rec->is_union && rec->nitems > 0;
    struct base_buf desc = {0};
    gen__comment_text(&desc, rec->desc);
    fprintf(o->out,
            "/// %s: %" PRIu32 " byte%s\n#[repr(C, packed)]\n#[derive(Clone, Copy)]\n%s"
            "pub %s %s {\n",
            gen__buf_str(&desc), rec->size, rec->size == 1 ? "" : "s", allow_type,
            as_union ? "union" : "struct", name);
    base_buf_free(&desc);

    struct gt_nameset fields = {0};
    struct gt_nameset methods = {0};
    /* the printers' methods (types_print_rust.c) keep their names */
    gen__names_add(&methods, "write_json");
    gen__names_add(&methods, "write_columns_header");
    gen__names_add(&methods, "write_columns");
    gen__names_add(&methods, "__wasm_bpf_json");
    struct base_buf impl = {0};
    for (int i = 0; i < rec->nitems; i++) {
        const struct gt_item *it = &rec->items[i];
        char *base = gen__rust_ident(it->name);
        char *field = gen__names_claim(&fields, base, "_");
        free(base);
        switch (it->kind) {
        case GT_ITEM_FIELD:
        case GT_ITEM_ANON: {
            char *t = type_of(o, &it->type);
            fprintf(o->out, "    pub %s: %s,", field, t);
            if (it->kind == GT_ITEM_FIELD && it->type.decl && it->type.base != GT_RECORD)
                comment(o->out, it->type.decl);
            fputc('\n', o->out);
            free(t);
            break;
        }
        case GT_ITEM_PAD:
            fprintf(o->out, "    pub %s: [u8; %" PRIu32 "],\n", field, it->size);
            break;
        case GT_ITEM_BYTES:
            fprintf(o->out, "    pub %s: [u8; %" PRIu32 "], // all bytes of the union\n", field,
                    it->size);
            break;
        case GT_ITEM_BITS:
            fprintf(o->out, "    pub %s: [u8; %" PRIu32 "], // bitfields:", field, it->size);
            for (int j = 0; j < it->nbitfields; j++) {
                const struct gt_bitfield *bf = &it->bitfields[j];
                fprintf(o->out, "%s %s:%" PRIu32 " at bit %" PRIu32, j ? "," : "", bf->name,
                        bf->bits, bf->bit);
                /* accessors: name() and set_name() */
                const char *vt = int_type(bf->value_size, bf->is_signed);
                const char *plain = bf->name;
                char *getter_base = gen__rust_ident(plain);
                char *getter = gen__names_claim(&methods, getter_base, "_");
                char *setter_base = gen__xasprintf("set_%s", plain);
                char *setter = gen__names_claim(&methods, setter_base, "_");
                /* reading a union field is unsafe in Rust even for bytes */
                const char *un_open = as_union ? "unsafe { " : "", *un_close = as_union ? " }" : "";
                struct base_buf d = {0};
                gen__comment_text(&d, bf->decl);
                base_buf_printf(&impl, "    /// %s: %s:%" PRIu32 "\n    #[inline]\n", bf->name,
                                gen__buf_str(&d), bf->bits);
                base_buf_free(&d);
                if (bf->is_signed)
                    base_buf_printf(
                        &impl,
                        "    pub fn %s(&self) -> %s {\n"
                        "        __wasm_bpf_bits_sext(__wasm_bpf_bits_get(%s&self.%s%s, "
                        "%" PRIu32 ", %" PRIu32 "), %" PRIu32 ") as %s\n    }\n",
                        getter, vt, un_open, field, un_close, bf->bit, bf->bits, bf->bits, vt);
                else
                    base_buf_printf(&impl,
                                    "    pub fn %s(&self) -> %s {\n"
                                    "        __wasm_bpf_bits_get(%s&self.%s%s, %" PRIu32
                                    ", %" PRIu32 ") as %s\n    }\n",
                                    getter, vt, un_open, field, un_close, bf->bit, bf->bits, vt);
                base_buf_printf(&impl,
                                "    #[inline]\n"
                                "    pub fn %s(&mut self, v: %s) {\n"
                                "        __wasm_bpf_bits_set(%s&mut self.%s%s, %" PRIu32
                                ", %" PRIu32 ", v as u64)\n    }\n",
                                setter, vt, un_open, field, un_close, bf->bit, bf->bits);
                free(getter_base);
                free(getter);
                free(setter_base);
                free(setter);
            }
            fputc('\n', o->out);
            break;
        }
        free(field);
    }
    fprintf(o->out, "}\nconst _: () = assert!(core::mem::size_of::<%s>() == %" PRIu32 ");\n", name,
            rec->size);
    if (impl.len)
        fprintf(o->out, "\n#[allow(non_snake_case, dead_code)]\nimpl %s {\n%s}\n", name,
                gen__buf_str(&impl));
    fputc('\n', o->out);
    base_buf_free(&impl);
    gen__names_free(&fields);
    gen__names_free(&methods);
}

static void emit_enum(void *ctx, int index)
{
    struct rust_out *o = ctx;
    const struct gt_enum *e = &o->m->enums[index];
    const char *prim = int_type(e->size, e->is_signed);
    const char *alias = o->names->enums[index];
    fprintf(o->out, "/// enum %s: %" PRIu32 " byte%s, %s\n", e->name ? e->name : "(anonymous)",
            e->size, e->size == 1 ? "" : "s", e->is_signed ? "signed" : "unsigned");
    if (e->truncated)
        fprintf(o->out, "/// (an 8-byte ENUM, not ENUM64: its compiler kept only the low 32 bits "
                        "of each value)\n");
    if (alias)
        fprintf(o->out, "%spub type %s = %s;\n", allow_type, alias, prim);
    for (int i = 0; i < e->nconsts; i++) {
        char *base = gen__rust_ident(e->consts[i].name);
        char *name = gen__names_claim(&o->names->values, base, "_");
        uint64_t v = e->consts[i].value;
        fprintf(o->out, "#[allow(non_upper_case_globals, dead_code)]\npub const %s: %s = ", name,
                alias ? alias : prim);
        if (e->is_signed && (int64_t)v == INT64_MIN)
            fprintf(o->out, "i64::MIN;\n");
        else if (e->is_signed)
            fprintf(o->out, "%" PRId64 ";\n", (int64_t)v);
        else
            fprintf(o->out, "%" PRIu64 ";\n", v);
        free(base);
        free(name);
    }
    fputc('\n', o->out);
}

static void emit_typedef(void *ctx, int index)
{
    struct rust_out *o = ctx;
    const struct gt_typedef *td = &o->m->typedefs[index];
    if (!o->names->typedefs[index])
        return;
    char *t = type_of(o, &td->target);
    fprintf(o->out, "%spub type %s = %s;", allow_type, o->names->typedefs[index], t);
    if (td->target.decl && td->target.base != GT_RECORD)
        comment(o->out, td->target.decl);
    fprintf(o->out, "\n\n");
    free(t);
}

static const struct gt_emitter rust_emitter = {
    .decl = {[GT_DECL_RECORD] = emit_record,
             [GT_DECL_ENUM] = emit_enum,
             [GT_DECL_TYPEDEF] = emit_typedef},
    .bits_helpers = bits_helpers,
};

int gen__emit_rust(struct gt_model *m, FILE *out)
{
    struct rust_out o = {.m = m, .out = out, .names = gen__lang_names_new(m)};
    gen__names_add(&o.names->values, "__wasm_bpf_bits_get");
    gen__names_add(&o.names->values, "__wasm_bpf_bits_set");
    gen__names_add(&o.names->values, "__wasm_bpf_bits_sext");

    /* Names in the order the C names were given, so they stay the same. */
    for (int r = 0; r < m->nrecords; r++)
        o.names->records[r] = claim_type_name(&o, m->records[r].name);
    for (int e = 0; e < m->nenums; e++)
        o.names->enums[e] = m->enums[e].name ? claim_type_name(&o, m->enums[e].name) : NULL;
    for (int i = 0; i < m->ntypedefs; i++) {
        const struct gt_typedef *td = &m->typedefs[i];
        if (td->same_as_tag)
            continue;
        char *t = type_of(&o, &td->target);
        bool identity = !strcmp(t, td->name); /* typedef u32 as u32: already Rust's */
        free(t);
        if (!identity)
            o.names->typedefs[i] = claim_type_name(&o, td->name);
    }

    struct base_buf src = {0};
    gen__comment_text(&src, m->source);
    fprintf(out,
            "// Generated by `wasm-bpf gen types` from %s: do not edit.\n"
            "//\n"
            "// The kernel's layout of these types (from BTF) for 32-bit WebAssembly\n"
            "// guests: #[repr(C, packed)] items with every field at its BTF offset\n"
            "// (`long` is i64, a pointer is a u64 holding a kernel address) and explicit\n"
            "// padding; each size is checked at compile time.  Fields of packed items\n"
            "// are read by copy (`{ e.ts }`), as Rust forbids references to them.\n"
            "// Bitfields stay bytes, read and written through NAME() and set_NAME().\n\n",
            gen__buf_str(&src));
    base_buf_free(&src);
    gen__emit_decls(m, &rust_emitter, out, &o);
    if (m->print_roots)
        gen__emit_rust_printers(m, out, o.names->records, &o.names->values);
    return 0;
}
