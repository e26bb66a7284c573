/* types_model.c: from BTF to a layout model in which every byte of every
 * record is accounted for.
 *
 * The only layout facts used are BTF member offsets and type sizes: BTF has
 * no alignment (nor packed/aligned attributes), and libbpf's btf__align_of
 * guesses wrong for aligned(16) members, so the model never computes an
 * alignment.  Instead every gap and the tail become explicit padding, which
 * lets the emitters declare everything packed and still land each field at
 * its BTF offset on any target.
 *
 * Building is a depth-first walk from the root types; a record is appended
 * to the emission order after the records it contains by value, so the C
 * emitter can print in that order.  Pointers are not followed: a kernel
 * pointer is only an integer to a guest.  Names are chosen at the end, in a
 * fixed order (BTF ids, then discovery order), so the output is stable. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "types_internal.h"

int gen__model_error(struct gt_model *m, const char *fmt, ...)
{
    if (m->errlen && !m->err[0]) { /* the first error is the one to report */
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m->err, m->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

uint64_t gen__vtype_count(const struct gt_vtype *t)
{
    uint64_t n = 1;
    for (int i = 0; i < t->ndims; i++)
        n *= t->dims[i];
    return n;
}

uint64_t gen__vtype_size(const struct gt_vtype *t)
{
    return gen__vtype_count(t) * t->elem_size;
}

static const struct btf_type *type_at(const struct gt_model *m, int id)
{
    return id > 0 ? btf__type_by_id(m->btf, (uint32_t)id) : NULL;
}

static const char *name_of(const struct gt_model *m, const struct btf_type *t)
{
    const char *s = t ? btf__name_by_offset(m->btf, t->name_off) : NULL;
    return s ? s : "";
}

static const char *kind_word(const struct btf_type *t)
{
    switch (btf_kind(t)) {
    case BTF_KIND_UNION: return "union";
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: return "enum";
    case BTF_KIND_TYPEDEF: return "typedef";
    case BTF_KIND_DATASEC: return "section";
    case BTF_KIND_FWD: return btf_kflag(t) ? "union" : "struct";
    default: return "struct";
    }
}

/* ---- the C declaration of a type, for comments ("char *[2]") ---- */

static char *decl_of(const struct gt_model *m, int id)
{
    struct base_buf dcl = {0}; /* the declarator around the base type */
    const char *base = "?";
    char *base_owned = NULL;
    for (int hops = 0; hops < GT_MAX_DEPTH; hops++) {
        const struct btf_type *t = type_at(m, id);
        if (id == 0) {
            base = "void";
            break;
        }
        if (!t)
            break;
        int kind = btf_kind(t);
        if (kind == BTF_KIND_PTR) {
            char *inner = gen__buf_take(&dcl);
            base_buf_printf(&dcl, "*%s", inner);
            free(inner);
        } else if (kind == BTF_KIND_ARRAY || kind == BTF_KIND_FUNC_PROTO) {
            char *inner = gen__buf_take(&dcl);
            if (inner[0] == '*')
                base_buf_printf(&dcl, "(%s)", inner);
            else
                base_buf_puts(&dcl, inner);
            free(inner);
            if (kind == BTF_KIND_ARRAY)
                base_buf_printf(&dcl, "[%u]", btf_array(t)->nelems);
            else
                base_buf_puts(&dcl, "(...)");
        } else if (btf_is_mod(t)) {
            /* qualifiers do not change the layout: left out */
        } else {
            const char *name = name_of(m, t);
            if (kind == BTF_KIND_INT || kind == BTF_KIND_FLOAT || kind == BTF_KIND_TYPEDEF)
                base = name;
            else if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION || kind == BTF_KIND_ENUM ||
                     kind == BTF_KIND_ENUM64 || kind == BTF_KIND_FWD)
                base = base_owned =
                    gen__xasprintf("%s %s", kind_word(t), *name ? name : "(anonymous)");
            break;
        }
        id = (int)t->type; /* PTR, ARRAY (below), FUNC_PROTO (return), qualifiers */
        if (kind == BTF_KIND_ARRAY)
            id = (int)btf_array(t)->type;
    }
    char *d = gen__buf_take(&dcl);
    char *s = gen__xasprintf("%s%s%s", base, d[0] && d[0] != '[' ? " " : "", d);
    free(d);
    free(base_owned);
    return s;
}

/* ---- model arrays ---- */

#define GROW(arr, n) ((arr) = gen__xrealloc((arr), ((size_t)(n) + 1) * sizeof *(arr)))

static void add_decl(struct gt_model *m, enum gt_decl_kind kind, int index)
{
    GROW(m->order, m->norder);
    m->order[m->norder++] = (struct gt_decl){kind, index};
}

static struct gt_item *add_item(struct gt_record *r, enum gt_item_kind kind, uint32_t offset,
                                uint32_t size)
{
    GROW(r->items, r->nitems);
    struct gt_item *it = &r->items[r->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->offset = offset;
    it->size = size;
    it->record = -1;
    return it;
}

/* Skips qualifiers and typedefs: the type that decides the layout. */
static int underlying(const struct gt_model *m, int id)
{
    for (int hops = 0; hops < GT_MAX_DEPTH; hops++) {
        const struct btf_type *t = type_at(m, id);
        if (!t || !(btf_is_mod(t) || btf_is_typedef(t)))
            return id;
        id = (int)t->type;
    }
    return -1;
}

/* ---- enums ---- */

static int get_enum(struct gt_model *m, int id, const char *where)
{
    if (m->enum_of_id[id])
        return m->enum_of_id[id] - 1;
    const struct btf_type *t = type_at(m, id);
    uint32_t size = t->size;
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return gen__model_error(m, "%s: enum %s has size %u (only 1, 2, 4 and 8 are possible)",
                                where, *name_of(m, t) ? name_of(m, t) : "(anonymous)", size);
    GROW(m->enums, m->nenums);
    int index = m->nenums++;
    struct gt_enum *e = &m->enums[index];
    memset(e, 0, sizeof *e);
    e->btf_id = id;
    e->size = size;
    e->is_signed = btf_kflag(t);
    e->truncated = btf_is_enum(t) && size == 8;
    int n = btf_vlen(t);
    e->consts = gen__xrealloc(NULL, ((size_t)n + 1) * sizeof *e->consts);
    e->nconsts = n;
    for (int i = 0; i < n; i++) {
        uint64_t v;
        if (btf_is_enum64(t))
            v = btf_enum64_value(&btf_enum64(t)[i]);
        else if (e->is_signed)
            v = (uint64_t)(int64_t)btf_enum(t)[i].val;
        else
            v = (uint32_t)btf_enum(t)[i].val;
        /* keep what a field of this size can hold, so that a constant
         * compares equal to the field's value */
        if (size < 8) {
            unsigned shift = 64 - 8 * size;
            v = e->is_signed ? (uint64_t)((int64_t)(v << shift) >> shift) : (v << shift) >> shift;
        }
        e->consts[i].value = v;
        e->consts[i].name = NULL; /* named later */
    }
    m->enum_of_id[id] = index + 1;
    add_decl(m, GT_DECL_ENUM, index);
    return index;
}

/* ---- records ---- */

/* Where a record is used, for its error messages and its synthesized name. */
struct use_site {
    const char *where;        /* "struct ev.inner" */
    int parent;               /* record index, -1 for a root */
    int parent_item;          /* item index in parent */
    const char *typedef_name; /* a typedef that names this anonymous type */
    bool inline_member;
};

static int build_record(struct gt_model *m, int id, const struct use_site *site);

static int resolve_vtype(struct gt_model *m, int id, const struct use_site *site,
                         struct gt_vtype *vt)
{
    memset(vt, 0, sizeof *vt);
    vt->ref = -1;
    int orig = id;
    const char *typedef_name = NULL;
    for (int hops = 0;; hops++) {
        if (hops > GT_MAX_DEPTH)
            return gen__model_error(m, "%s: type chain deeper than %d (a loop?)", site->where,
                                    GT_MAX_DEPTH);
        if (id == 0)
            return gen__model_error(m, "%s has type void", site->where);
        const struct btf_type *t = type_at(m, id);
        if (!t)
            return gen__model_error(m, "%s refers to type id %d, which is not in the BTF",
                                    site->where, id);
        int kind = btf_kind(t);
        if (btf_is_mod(t) || btf_is_typedef(t)) { /* the layout is the named type's */
            if (btf_is_typedef(t))
                typedef_name = name_of(m, t);
            id = (int)t->type;
            continue;
        }
        switch (kind) {
        case BTF_KIND_ARRAY:
            if (vt->ndims == GT_MAX_DIMS)
                return gen__model_error(m, "%s: more than %d array dimensions", site->where,
                                        GT_MAX_DIMS);
            vt->dims[vt->ndims++] = btf_array(t)->nelems;
            id = (int)btf_array(t)->type;
            typedef_name = NULL;
            continue;
        case BTF_KIND_INT: {
            uint32_t enc = btf_int_encoding(t), size = t->size;
            bool whole = btf_int_offset(t) == 0 && btf_int_bits(t) == 8 * size;
            vt->elem_size = size;
            if (whole && (size == 1 || size == 2 || size == 4 || size == 8 || size == 16)) {
                vt->base = GT_INT;
                vt->is_signed = enc & BTF_INT_SIGNED;
                vt->is_bool = (enc & BTF_INT_BOOL) && size == 1;
                vt->is_char = size == 1 && !vt->is_bool &&
                              ((enc & BTF_INT_CHAR) || !strcmp(name_of(m, t), "char"));
            } else {
                vt->base = GT_BYTES; /* _BitInt(24) and the like: kept as bytes */
            }
            break;
        }
        case BTF_KIND_FLOAT:
            vt->elem_size = t->size;
            vt->base = t->size == 4 || t->size == 8 ? GT_FLOAT : GT_BYTES;
            break;
        case BTF_KIND_PTR:
            vt->base = GT_PTR;
            vt->elem_size = m->ptr_size;
            break;
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64: {
            int e = get_enum(m, id, site->where);
            if (e < 0)
                return -1;
            vt->base = GT_ENUM;
            vt->ref = e;
            vt->elem_size = m->enums[e].size;
            vt->is_signed = m->enums[e].is_signed;
            break;
        }
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION: {
            struct use_site sub = *site;
            sub.typedef_name = *name_of(m, t) ? NULL : typedef_name;
            int r = build_record(m, id, &sub);
            if (r < 0)
                return -1;
            vt->base = GT_RECORD;
            vt->ref = r;
            vt->elem_size = m->records[r].size;
            break;
        }
        case BTF_KIND_FWD:
            return gen__model_error(m,
                                    "%s: %s %s is only declared (a forward declaration): "
                                    "its layout is not in the BTF",
                                    site->where, kind_word(t), name_of(m, t));
        case BTF_KIND_FUNC_PROTO:
            return gen__model_error(m, "%s is a function, not data", site->where);
        default:
            return gen__model_error(m, "%s has a type of BTF kind %d, which cannot be a member",
                                    site->where, kind);
        }
        break;
    }
    /* The sizes must add up exactly as BTF says, or the layout is not ours. */
    long long want = btf__resolve_size(m->btf, (uint32_t)orig);
    if (want < 0 || (uint64_t)want != gen__vtype_size(vt))
        return gen__model_error(m,
                                "%s: size %llu of its type does not match the %lld bytes BTF "
                                "gives",
                                site->where, (unsigned long long)gen__vtype_size(vt), want);
    vt->decl = decl_of(m, orig);
    return 0;
}

/* One member of a struct, union or section, as the layout walk sees it. */
struct member {
    const char *name;
    uint64_t bit_off;
    uint32_t bits; /* bitfield width, 0 if not a bitfield */
    int type_id;
};

/* The integer type behind a bitfield: sets size and sign, or fails. */
static int bitfield_value(struct gt_model *m, const struct member *mb, const char *where,
                          uint32_t *size, bool *is_signed)
{
    const struct btf_type *u = type_at(m, underlying(m, mb->type_id));
    if (u && btf_is_int(u)) {
        *size = u->size;
        *is_signed = btf_int_encoding(u) & BTF_INT_SIGNED;
    } else if (u && btf_is_any_enum(u)) {
        *size = u->size;
        *is_signed = btf_kflag(u);
    } else {
        return gen__model_error(m, "%s: a bitfield whose type is not an integer or enum", where);
    }
    if (mb->bits > 64)
        return gen__model_error(m,
                                "%s: a %u-bit bitfield (at most 64 bits can be read as an "
                                "integer)",
                                where, mb->bits);
    /* the accessors' integer: the declared type's, or wider if the bits
     * need it (or the BTF's size is not an integer size at all) */
    uint32_t need = mb->bits <= 8 ? 1 : mb->bits <= 16 ? 2 : mb->bits <= 32 ? 4 : 8;
    if ((*size != 1 && *size != 2 && *size != 4 && *size != 8) || *size < need)
        *size = need;
    return 0;
}

/* Reads the members of a struct, union or DATASEC into a flat list, with
 * the bitfield encodings of both BTF flavours (kind_flag set: width in the
 * member; kind_flag clear: width and extra bit offset in the INT type). */
static int read_members(struct gt_model *m, const struct btf_type *t, const char *desc,
                        struct member **out, int *count)
{
    int n = btf_vlen(t);
    struct member *mbs = gen__xrealloc(NULL, ((size_t)n + 1) * sizeof *mbs);
    for (int i = 0; i < n; i++) {
        struct member *mb = &mbs[i];
        if (btf_is_datasec(t)) {
            const struct btf_var_secinfo *vs = &btf_var_secinfos(t)[i];
            const struct btf_type *var = type_at(m, (int)vs->type);
            if (!var || !btf_is_var(var)) {
                free(mbs);
                return gen__model_error(m, "%s: entry %d is not a variable", desc, i);
            }
            mb->name = name_of(m, var);
            mb->bit_off = (uint64_t)vs->offset * 8;
            mb->bits = 0;
            mb->type_id = (int)var->type;
            continue;
        }
        const struct btf_member *bm = &btf_members(t)[i];
        mb->name = btf__name_by_offset(m->btf, bm->name_off);
        if (!mb->name)
            mb->name = "";
        mb->bit_off = btf_member_bit_offset(t, (uint32_t)i);
        mb->bits = btf_member_bitfield_size(t, (uint32_t)i);
        mb->type_id = (int)bm->type;
        if (!btf_kflag(t)) {
            const struct btf_type *u = type_at(m, underlying(m, mb->type_id));
            if (u && btf_is_int(u) && (btf_int_offset(u) || btf_int_bits(u) != 8 * u->size)) {
                mb->bits = btf_int_bits(u);
                mb->bit_off += btf_int_offset(u);
            }
        }
        if (!mb->bits && mb->bit_off % 8) {
            /* Not declared a bitfield but not on a byte either: only an
             * integer of its own width can be read from there. */
            const struct btf_type *u = type_at(m, underlying(m, mb->type_id));
            if (u && (btf_is_int(u) || btf_is_any_enum(u)) && u->size <= 8) {
                mb->bits = 8 * u->size;
            } else {
                gen__model_error(m, "%s: member '%s' starts at bit %llu, inside a byte", desc,
                                 mb->name, (unsigned long long)mb->bit_off);
                free(mbs);
                return -1;
            }
        }
    }
    *out = mbs;
    *count = n;
    return 0;
}

static bool is_anonymous_record(const struct gt_model *m, int type_id)
{
    const struct btf_type *t = type_at(m, type_id); /* no typedefs: C11 needs the bare type */
    while (t && (btf_is_const(t) || btf_is_volatile(t) || btf_is_type_tag(t)))
        t = type_at(m, (int)t->type);
    return t && (btf_is_struct(t) || btf_is_union(t)) && !*name_of(m, t);
}

/* Adds one member to record r (by index: records may move while building). */
static int add_member(struct gt_model *m, int r, const struct member *mb, uint32_t *cur)
{
    const char *rdesc = m->records[r].desc;
    bool is_union = m->records[r].is_union;
    uint32_t rsize = m->records[r].size;
    char *where = gen__xasprintf("%s.%s", rdesc, *mb->name ? mb->name : "(anonymous member)");
    int ret = -1;

    if (mb->bits) {
        if (!*mb->name) { /* an unnamed bitfield is padding: nothing to read */
            ret = 0;
            goto out;
        }
        uint32_t value_size = 0;
        bool is_signed = false;
        if (bitfield_value(m, mb, where, &value_size, &is_signed))
            goto out;
        uint64_t start = mb->bit_off / 8, end = (mb->bit_off + mb->bits + 7) / 8;
        if (end > rsize) {
            gen__model_error(m, "%s: bitfield ends at byte %llu, past the end of %s (%u bytes)",
                             where, (unsigned long long)end, rdesc, rsize);
            goto out;
        }
        struct gt_record *rec = &m->records[r];
        struct gt_item *last = rec->nitems ? &rec->items[rec->nitems - 1] : NULL;
        struct gt_item *it;
        if (!is_union && last && last->kind == GT_ITEM_BITS && start >= last->offset &&
            start < (uint64_t)last->offset + last->size) {
            it = last; /* shares a byte with the bitfields before it: same storage */
            if (end > (uint64_t)it->offset + it->size)
                it->size = (uint32_t)end - it->offset;
        } else {
            if (!is_union && start < *cur) {
                gen__model_error(m,
                                 "%s: bitfield at bit %llu overlaps the member before it, which "
                                 "ends at byte %u",
                                 where, (unsigned long long)mb->bit_off, *cur);
                goto out;
            }
            if (is_union)
                start = 0;
            else if (start > *cur)
                add_item(rec, GT_ITEM_PAD, *cur, (uint32_t)start - *cur);
            it = add_item(rec, GT_ITEM_BITS, (uint32_t)start, (uint32_t)(end - start));
        }
        GROW(it->bitfields, it->nbitfields);
        struct gt_bitfield *bf = &it->bitfields[it->nbitfields++];
        memset(bf, 0, sizeof *bf);
        bf->btf_name = mb->name;
        bf->bit = (uint32_t)(mb->bit_off - 8ull * it->offset);
        bf->bits = mb->bits;
        bf->value_size = value_size;
        bf->is_signed = is_signed;
        bf->decl = decl_of(m, mb->type_id);
        if (!is_union && end > *cur)
            *cur = (uint32_t)end;
        m->any_bitfields = true;
        ret = 0;
        goto out;
    }

    uint64_t off = mb->bit_off / 8;
    if (is_union && off != 0) {
        gen__model_error(m, "%s: a union member at byte %llu (union members start at 0)", where,
                         (unsigned long long)off);
        goto out;
    }
    if (!is_union && off < *cur) {
        gen__model_error(m,
                         "%s: member at byte %llu overlaps the member before it, which ends at "
                         "byte %u",
                         where, (unsigned long long)off, *cur);
        goto out;
    }
    struct use_site site = {
        .where = where,
        .parent = r,
        .parent_item = -1,
        .inline_member = !*mb->name && is_anonymous_record(m, mb->type_id),
    };
    struct gt_vtype vt;
    /* the item index is known before building, so the child can find its name */
    int pad_first = !is_union && off > *cur;
    site.parent_item = m->records[r].nitems + pad_first;
    if (resolve_vtype(m, mb->type_id, &site, &vt))
        goto out;
    uint64_t size = gen__vtype_size(&vt);
    if (off + size > rsize) {
        gen__model_error(m,
                         "%s: member at byte %llu with size %llu ends past the end of %s (%u "
                         "bytes)",
                         where, (unsigned long long)off, (unsigned long long)size, rdesc, rsize);
        free(vt.decl);
        goto out;
    }
    struct gt_record *rec = &m->records[r];
    if (pad_first)
        add_item(rec, GT_ITEM_PAD, *cur, (uint32_t)off - *cur);
    struct gt_item *it;
    if (site.inline_member) {
        it = add_item(rec, GT_ITEM_ANON, (uint32_t)off, (uint32_t)size);
        it->record = vt.ref;
        it->type = vt;
    } else {
        it = add_item(rec, GT_ITEM_FIELD, (uint32_t)off, (uint32_t)size);
        it->type = vt;
        it->btf_name = mb->name;
    }
    if (!is_union)
        *cur = (uint32_t)(off + size);
    ret = 0;
out:
    free(where);
    return ret;
}

static int build_record(struct gt_model *m, int id, const struct use_site *site)
{
    const struct btf_type *t = type_at(m, id);
    const char *name = name_of(m, t);
    bool named = *name && !btf_is_datasec(t);
    bool by_typedef = !*name && site && site->typedef_name && *site->typedef_name;

    /* Named types (and anonymous ones a typedef names) are built once;
     * other anonymous types once per use, so each use gets its own names. */
    for (int i = 0; i < m->depth; i++)
        if (m->stack[i] == id)
            return gen__model_error(m, "%s: %s %s contains itself", site ? site->where : name,
                                    kind_word(t), *name ? name : "(anonymous)");
    if ((named || by_typedef) && m->named_record_of_id[id])
        return m->named_record_of_id[id] - 1;
    if (m->depth == GT_MAX_DEPTH)
        return gen__model_error(m, "%s: records nested deeper than %d", site ? site->where : name,
                                GT_MAX_DEPTH);

    /* Anonymous types are copied per use: BTF crafted to share them
     * everywhere could otherwise grow the output exponentially. */
    if (m->nrecords >= GT_MAX_RECORDS)
        return gen__model_error(m, "%s: more than %d records to generate",
                                site ? site->where : name, GT_MAX_RECORDS);
    GROW(m->records, m->nrecords);
    int r = m->nrecords++;
    struct gt_record *rec = &m->records[r];
    memset(rec, 0, sizeof *rec);
    rec->btf_id = id;
    rec->is_union = btf_is_union(t);
    rec->inline_member = site && site->inline_member;
    rec->scope = r;
    rec->size = t->size;
    rec->parent = site ? site->parent : -1;
    rec->parent_item = site ? site->parent_item : -1;
    rec->typedef_name = by_typedef ? site->typedef_name : NULL;
    if (named || btf_is_datasec(t))
        rec->desc = gen__xasprintf("%s %s", kind_word(t), name);
    else if (by_typedef)
        rec->desc = gen__xasprintf("%s %s", kind_word(t), site->typedef_name);
    else
        rec->desc = gen__xasprintf("%s (anonymous) in %s", kind_word(t), site ? site->where : "?");
    if (rec->inline_member)
        rec->scope = m->records[site->parent].scope;
    if (named || by_typedef)
        m->named_record_of_id[id] = r + 1;

    struct member *mbs = NULL;
    int n = 0;
    if (read_members(m, t, rec->desc, &mbs, &n))
        return -1;
    m->stack[m->depth++] = id;
    uint32_t cur = 0;
    int ret = 0;
    for (int i = 0; i < n && !ret; i++)
        ret = add_member(m, r, &mbs[i], &cur);
    m->depth--;
    free(mbs);
    if (ret)
        return -1;
    rec = &m->records[r];
    if (rec->is_union) {
        if (rec->size)
            add_item(rec, GT_ITEM_BYTES, 0, rec->size);
    } else if (cur < rec->size) {
        add_item(rec, GT_ITEM_PAD, cur, rec->size - cur);
    }
    add_decl(m, GT_DECL_RECORD, r);
    return r;
}

/* ---- typedefs ---- */

static int build_typedef(struct gt_model *m, int id)
{
    if (m->typedef_of_id[id])
        return m->typedef_of_id[id] - 1;
    const struct btf_type *t = type_at(m, id);
    char *where = gen__xasprintf("typedef %s", name_of(m, t));
    struct use_site site = {.where = where, .parent = -1, .parent_item = -1};
    struct gt_vtype vt;
    /* resolve the target, so that an anonymous struct takes the typedef's name */
    int ret = resolve_vtype(m, id, &site, &vt);
    free(where);
    if (ret)
        return -1;
    free(vt.decl); /* the comment shows what the typedef names */
    vt.decl = decl_of(m, (int)t->type);
    GROW(m->typedefs, m->ntypedefs);
    int index = m->ntypedefs++;
    struct gt_typedef *td = &m->typedefs[index];
    memset(td, 0, sizeof *td);
    td->btf_id = id;
    td->target = vt;
    m->typedef_of_id[id] = index + 1;
    add_decl(m, GT_DECL_TYPEDEF, index);
    return index;
}

/* ---- names ---- */

static char *generated_name(struct gt_nameset *scope, const char *prefix, int *counter)
{
    for (;; (*counter)++) {
        char *s = gen__xasprintf("%s%d", prefix, *counter);
        if (!gen__names_has(scope, s)) {
            (*counter)++;
            gen__names_add(scope, s);
            return s;
        }
        free(s);
    }
}

struct scope_counters {
    int pad, bf, anon;
};

/* Member names of record r and of the anonymous members inlined into it
 * share one C scope: real names first, generated ones after. */
static void name_real_members(struct gt_model *m, int r, struct gt_nameset *scope)
{
    struct gt_record *rec = &m->records[r];
    for (int i = 0; i < rec->nitems; i++) {
        struct gt_item *it = &rec->items[i];
        if (it->kind == GT_ITEM_FIELD && *it->btf_name) {
            char *c = gen__c_ident(it->btf_name);
            it->name = gen__names_claim(scope, c, "_");
            free(c);
        } else if (it->kind == GT_ITEM_BITS) {
            for (int j = 0; j < it->nbitfields; j++) {
                char *c = gen__c_ident(it->bitfields[j].btf_name);
                it->bitfields[j].name = gen__names_claim(scope, c, "_");
                free(c);
            }
        } else if (it->kind == GT_ITEM_ANON) {
            name_real_members(m, it->record, scope);
        }
    }
}

static void name_generated_members(struct gt_model *m, int r, struct gt_nameset *scope,
                                   struct scope_counters *n)
{
    struct gt_record *rec = &m->records[r];
    for (int i = 0; i < rec->nitems; i++) {
        struct gt_item *it = &rec->items[i];
        switch (it->kind) {
        case GT_ITEM_PAD: it->name = generated_name(scope, "__pad", &n->pad); break;
        case GT_ITEM_BITS: it->name = generated_name(scope, "__bf", &n->bf); break;
        case GT_ITEM_BYTES: it->name = gen__names_claim(scope, "__bytes", "_"); break;
        case GT_ITEM_ANON:
            it->name = generated_name(scope, "__anon", &n->anon);
            name_generated_members(m, it->record, scope, n);
            break;
        case GT_ITEM_FIELD:
            if (!it->name)
                it->name = generated_name(scope, "__anon", &n->anon);
            break;
        }
    }
}

struct named_type {
    int btf_id;
    bool is_enum;
    int index;
};

static int cmp_named(const void *a, const void *b)
{
    int x = ((const struct named_type *)a)->btf_id, y = ((const struct named_type *)b)->btf_id;
    return (x > y) - (x < y);
}

static void assign_names(struct gt_model *m)
{
    /* 1. member names, per C scope */
    for (int r = 0; r < m->nrecords; r++) {
        if (m->records[r].inline_member)
            continue;
        struct gt_nameset scope = {0};
        struct scope_counters n = {0};
        name_real_members(m, r, &scope);
        name_generated_members(m, r, &scope, &n);
        gen__names_free(&scope);
    }

    /* 2. struct, union and enum tags share C's tag namespace: named types
     * first, in BTF id order, so that they keep their names. */
    struct gt_nameset *tags = &m->c_tags;
    struct named_type *named =
        gen__xrealloc(NULL, ((size_t)m->nrecords + (size_t)m->nenums + 1) * sizeof *named);
    int nnamed = 0;
    for (int r = 0; r < m->nrecords; r++) {
        const struct btf_type *t = type_at(m, m->records[r].btf_id);
        if (!btf_is_datasec(t) && *name_of(m, t))
            named[nnamed++] = (struct named_type){m->records[r].btf_id, false, r};
    }
    for (int e = 0; e < m->nenums; e++)
        if (*name_of(m, type_at(m, m->enums[e].btf_id)))
            named[nnamed++] = (struct named_type){m->enums[e].btf_id, true, e};
    qsort(named, (size_t)nnamed, sizeof *named, cmp_named);
    for (int i = 0; i < nnamed; i++) {
        char *c = gen__c_ident(name_of(m, type_at(m, named[i].btf_id)));
        char *name = gen__names_claim(tags, c, "__");
        free(c);
        if (named[i].is_enum)
            m->enums[named[i].index].name = name;
        else
            m->records[named[i].index].name = name;
    }
    free(named);

    /* 3. anonymous records, parents before children (discovery order) */
    for (int r = 0; r < m->nrecords; r++) {
        struct gt_record *rec = &m->records[r];
        if (rec->name)
            continue;
        const struct btf_type *t = type_at(m, rec->btf_id);
        char *base;
        if (rec->typedef_name) {
            base = gen__c_ident(rec->typedef_name);
        } else if (btf_is_datasec(t)) {
            base = gen__c_ident(name_of(m, t) + (name_of(m, t)[0] == '.'));
        } else if (rec->parent >= 0) {
            const char *member =
                rec->parent_item >= 0 && rec->parent_item < m->records[rec->parent].nitems
                    ? m->records[rec->parent].items[rec->parent_item].name
                    : NULL;
            while (member && *member == '_')
                member++;
            base = gen__xasprintf("%s__%s", m->records[rec->parent].name,
                                  member && *member ? member : "anon");
        } else {
            base = gen__xasprintf("anon_%d", rec->btf_id);
        }
        rec->name = gen__names_claim(tags, base, "__");
        free(base);
    }

    /* 4. typedefs, then enum constants: C's ordinary identifiers */
    struct gt_nameset *ords = &m->c_ordinary;
    for (const char *const *h = gen__c_helper_names; *h; h++)
        gen__names_add(ords, *h); /* the bitfield helpers the C header defines */
    for (int i = 0; i < m->ntypedefs; i++) {
        struct gt_typedef *td = &m->typedefs[i];
        const char *name = name_of(m, type_at(m, td->btf_id));
        td->c_library = gen__c_reserved_typedef(name);
        if (td->c_library) {
            td->name = gen__xstrdup(name);
        } else {
            char *c = gen__c_ident(name);
            td->name = gen__names_claim(ords, c, "__");
            free(c);
        }
        const char *tag =
            td->target.base == GT_RECORD && td->target.ndims == 0 ? m->records[td->target.ref].name
            : td->target.base == GT_ENUM && td->target.ndims == 0 ? m->enums[td->target.ref].name
                                                                  : NULL;
        td->same_as_tag = tag && !strcmp(tag, td->name);
    }
    for (int e = 0; e < m->nenums; e++) {
        struct gt_enum *en = &m->enums[e];
        const struct btf_type *t = type_at(m, en->btf_id);
        for (int i = 0; i < en->nconsts; i++) {
            const char *raw = btf_is_enum64(t)
                                  ? btf__name_by_offset(m->btf, btf_enum64(t)[i].name_off)
                                  : btf__name_by_offset(m->btf, btf_enum(t)[i].name_off);
            char *c = gen__c_ident(raw ? raw : "");
            en->consts[i].name = gen__names_claim(ords, c, "__");
            free(c);
        }
    }
}

/* ---- entry points ---- */

int gen__model_build(struct gt_model *m, const int *roots, int nroots)
{
    size_t ntypes = btf__type_cnt(m->btf);
    m->enum_of_id = gen__xrealloc(NULL, ntypes * sizeof *m->enum_of_id);
    m->typedef_of_id = gen__xrealloc(NULL, ntypes * sizeof *m->typedef_of_id);
    m->named_record_of_id = gen__xrealloc(NULL, ntypes * sizeof *m->named_record_of_id);
    memset(m->enum_of_id, 0, ntypes * sizeof *m->enum_of_id);
    memset(m->typedef_of_id, 0, ntypes * sizeof *m->typedef_of_id);
    memset(m->named_record_of_id, 0, ntypes * sizeof *m->named_record_of_id);
    m->ptr_size = (uint32_t)btf__pointer_size(m->btf);
    if (m->ptr_size != 4 && m->ptr_size != 8)
        m->ptr_size = 8; /* raw BTF without a hint: a 64-bit kernel */

    for (int i = 0; i < nroots; i++) {
        int id = roots[i];
        const struct btf_type *t = type_at(m, id);
        if (!t)
            return gen__model_error(m, "type id %d is not in the BTF", id);
        int ret;
        switch (btf_kind(t)) {
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
        case BTF_KIND_DATASEC: ret = build_record(m, id, NULL); break;
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64: {
            char *where = gen__xasprintf("enum %s", name_of(m, t));
            ret = get_enum(m, id, where);
            free(where);
            break;
        }
        case BTF_KIND_TYPEDEF: ret = build_typedef(m, id); break;
        default:
            return gen__model_error(m, "type id %d (%s) is not a struct, union, enum or typedef",
                                    id, name_of(m, t));
        }
        if (ret < 0)
            return -1;
    }
    assign_names(m);
    return 0;
}

static void free_vtype(struct gt_vtype *vt)
{
    free(vt->decl);
}

/* ---- the emitters' names and walk ---- */

static char **null_names(int n)
{
    char **names = gen__xrealloc(NULL, ((size_t)n + 1) * sizeof *names);
    memset(names, 0, ((size_t)n + 1) * sizeof *names);
    return names;
}

static void free_names(char **names, int n)
{
    for (int i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

struct gt_lang_names *gen__lang_names_new(struct gt_model *m)
{
    struct gt_lang_names *n = &m->lang;
    n->records = null_names(m->nrecords);
    n->enums = null_names(m->nenums);
    n->typedefs = null_names(m->ntypedefs);
    return n;
}

static void lang_names_free(struct gt_model *m)
{
    struct gt_lang_names *n = &m->lang;
    free_names(n->records, m->nrecords);
    free_names(n->enums, m->nenums);
    free_names(n->typedefs, m->ntypedefs);
    gen__names_free(&n->types);
    gen__names_free(&n->values);
    memset(n, 0, sizeof *n);
}

void gen__emit_decls(const struct gt_model *m, const struct gt_emitter *e, FILE *out, void *ctx)
{
    if (m->any_bitfields && e->bits_helpers)
        fputs(e->bits_helpers, out);
    for (int i = 0; i < m->norder; i++)
        e->decl[m->order[i].kind](ctx, m->order[i].index);
}

void gen__model_free(struct gt_model *m)
{
    gen__printers_free(m);
    gen__printers_rust_free(m);
    lang_names_free(m);
    for (int r = 0; r < m->nrecords; r++) {
        struct gt_record *rec = &m->records[r];
        for (int i = 0; i < rec->nitems; i++) {
            struct gt_item *it = &rec->items[i];
            if (it->kind == GT_ITEM_FIELD || it->kind == GT_ITEM_ANON)
                free_vtype(&it->type);
            for (int j = 0; j < it->nbitfields; j++) {
                free(it->bitfields[j].name);
                free(it->bitfields[j].decl);
            }
            free(it->bitfields);
            free(it->name);
        }
        free(rec->items);
        free(rec->name);
        free(rec->desc);
    }
    for (int e = 0; e < m->nenums; e++) {
        for (int i = 0; i < m->enums[e].nconsts; i++)
            free(m->enums[e].consts[i].name);
        free(m->enums[e].consts);
        free(m->enums[e].name);
    }
    for (int i = 0; i < m->ntypedefs; i++) {
        free(m->typedefs[i].name);
        free_vtype(&m->typedefs[i].target);
    }
    free(m->records);
    free(m->enums);
    free(m->typedefs);
    free(m->order);
    free(m->enum_of_id);
    free(m->typedef_of_id);
    free(m->named_record_of_id);
    gen__names_free(&m->c_tags);
    gen__names_free(&m->c_ordinary);
}
