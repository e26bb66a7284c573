/* types_internal.h: the layout model shared by the gen types files.
 *
 *   btf_check.c    reference cycles refused before any walk (gen_internal.h)
 *   types.c        entry point: open the BTF, pick the root types, run an emitter
 *   types_model.c  BTF -> layout model (every byte of every record accounted for),
 *                  and the walk every emitter's table is driven by (gt_emitter)
 *   types_names.c  identifier sets and the naming rules of C, Rust and WIT
 *   types_c.c      C header emitter
 *   types_print_c.c  its event printers (JSON lines, aligned columns)
 *   types_rust.c   Rust emitter
 *   types_print_rust.c  its event printers (the same text as the C ones)
 *   types_wit.c    WIT emitter
 *
 * The model is language-neutral: a record is a list of items (fields,
 * padding, bitfield storage, anonymous members) with byte offsets and sizes
 * taken from BTF; the emitters only choose spellings.  Names stored in the
 * model are valid, unique C identifiers; the Rust and WIT emitters derive
 * their own from them. */
#ifndef WASM_BPF_GEN_TYPES_INTERNAL_H
#define WASM_BPF_GEN_TYPES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <bpf/btf.h>

#include "gen_internal.h"
#include "wasm_bpf_base.h"

#define GT_MAX_DIMS    8      /* array dimensions in one field */
#define GT_MAX_DEPTH   64     /* nesting of records / typedef chains */
#define GT_MAX_RECORDS 100000 /* records in one output */

/* ---- memory and strings: base's, with one out-of-memory path ----
 * Run fn(arg) so that running out of memory in the gen__x* functions (and
 * gen__buf_str()/gen__buf_take() of a base_buf whose append failed) returns
 * -1 with "out of memory" in err: whatever fn allocates must be reachable
 * from arg for the caller to free.  Strings are built in a struct base_buf
 * (base_buf_printf ...; an append that fails is sticky and is caught when
 * the string is read or taken). */
int gen__catch_oom(int (*fn)(void *), void *arg, char *err, size_t errlen);
void *gen__xrealloc(void *p, size_t n); /* base_realloc(); out of memory: see gen__catch_oom() */
char *gen__xstrdup(const char *s);
char *gen__xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *gen__buf_str(struct base_buf *b); /* its string ("" if empty) */
char *gen__buf_take(struct base_buf *b);      /* the string (never NULL); b is reset */

/* ---- identifier sets (types_names.c) ---- */
struct gt_nameset {
    char **slots;
    size_t cap, count;
};
bool gen__names_has(const struct gt_nameset *set, const char *name);
void gen__names_add(struct gt_nameset *set, const char *name);
void gen__names_free(struct gt_nameset *set);
/* `base` if free in `set`, else base_2, base_3...  (`sep` between): added to
 * the set and returned (malloc'd). */
char *gen__names_claim(struct gt_nameset *set, const char *base, const char *sep);

/* Per-language spelling of an identifier coming from BTF. */
char *gen__c_ident(const char *name);           /* valid C identifier, keywords get a '_' */
bool gen__c_reserved_typedef(const char *name); /* names the C library defines */
char *gen__rust_ident(const char *name);        /* r#type, self_ ... */
bool gen__rust_primitive(const char *name);     /* u32, bool ... (cannot be type names) */
char *gen__wit_kebab(const char *name);         /* kebab-case label (no '%' escape) */
bool gen__wit_keyword(const char *kebab);       /* needs a '%' escape */

/* ---- the layout model ---- */

enum gt_base {
    GT_INT,    /* 1, 2, 4, 8 or 16 bytes */
    GT_FLOAT,  /* 4 or 8 bytes */
    GT_BYTES,  /* opaque bytes: long double, odd-sized integers */
    GT_PTR,    /* a kernel pointer: an integer of the BTF's pointer size */
    GT_ENUM,   /* an integer of the enum's size and sign; ref = enum */
    GT_RECORD, /* ref = record */
};

/* The type of a field (or a typedef's target): a base type and array dims. */
struct gt_vtype {
    enum gt_base base;
    uint32_t elem_size; /* bytes of one element */
    bool is_signed;
    bool is_char; /* C `char` (kept as `char` in C) */
    bool is_bool; /* _Bool (stored as a byte) */
    int ref;      /* GT_ENUM: index in enums; GT_RECORD: in records */
    int ndims;
    uint32_t dims[GT_MAX_DIMS]; /* outermost first; 0: flexible array */
    char *decl;                 /* the type as declared in C, e.g. "char *[2]" */
};

enum gt_item_kind {
    GT_ITEM_FIELD, /* a member with a value type */
    GT_ITEM_PAD,   /* a gap or the tail: bytes nobody reads */
    GT_ITEM_BITS,  /* the bytes holding one or more adjacent bitfields */
    GT_ITEM_ANON,  /* an anonymous struct/union member (inline in C) */
    GT_ITEM_BYTES, /* a union's view of all its bytes */
};

struct gt_bitfield {
    const char *btf_name;
    char *name;          /* C name */
    uint32_t bit;        /* first bit, counted from the storage's first byte */
    uint32_t bits;       /* 1..64 */
    uint32_t value_size; /* 1, 2, 4 or 8: the accessors' integer type */
    bool is_signed;
    char *decl; /* the declared type, for comments */
};

struct gt_item {
    enum gt_item_kind kind;
    const char *btf_name;          /* FIELD: the member's name in BTF ("" if none) */
    char *name;                    /* C name: the member's, or a generated one */
    uint32_t offset;               /* bytes from the start of the record */
    uint32_t size;                 /* bytes */
    struct gt_vtype type;          /* FIELD */
    int record;                    /* ANON: index in records */
    struct gt_bitfield *bitfields; /* BITS */
    int nbitfields;
};

struct gt_record {
    int btf_id;
    bool is_union;
    bool inline_member; /* an anonymous member: C emits it inline */
    int scope;          /* the record whose C member names it shares (itself
                          * unless inline_member) */
    uint32_t size;
    int parent;               /* where an anonymous record is used (record, item), */
    int parent_item;          /* for its synthesized name; -1 if none */
    const char *typedef_name; /* the typedef naming an anonymous record */
    char *name;               /* unique C tag; synthesized for anonymous types */
    char *desc;               /* "struct ev" or "anonymous union in struct ev" */
    struct gt_item *items;
    int nitems;
};

struct gt_enum_const {
    char *name;     /* unique C identifier */
    uint64_t value; /* as an int64_t when the enum is signed */
};

struct gt_enum {
    int btf_id;
    char *name;    /* unique C tag, or NULL for an anonymous enum */
    uint32_t size; /* 1, 2, 4 or 8 */
    bool is_signed;
    bool truncated; /* an 8-byte ENUM (not ENUM64): values kept only 32 bits */
    struct gt_enum_const *consts;
    int nconsts;
};

struct gt_typedef {
    int btf_id;
    char *name; /* C name (unique among typedefs) */
    struct gt_vtype target;
    bool same_as_tag; /* typedef struct foo foo: nothing new in Rust/WIT */
    bool c_library;   /* a C library type name (size_t ...): not re-declared in C */
};

enum gt_decl_kind { GT_DECL_RECORD, GT_DECL_ENUM, GT_DECL_TYPEDEF, GT_DECL_KINDS };

struct gt_decl {
    enum gt_decl_kind kind;
    int index;
};

/* The Rust or WIT emitter's own names of the model's records, enums and
 * typedefs (by index; NULL where it declares none) and the sets it claimed
 * them in.  They live in the model, so that gen__model_free() frees them
 * however the emitter ends (out of memory too). */
struct gt_lang_names {
    char **records;
    char **enums;
    char **typedefs;
    struct gt_nameset types;  /* type names */
    struct gt_nameset values; /* other top-level names (Rust: functions) */
};

struct gt_model {
    const struct btf *btf;
    const char *source; /* file name shown in comments */
    const char *name;   /* include guard / WIT package base */
    uint32_t ptr_size;  /* bytes of a kernel pointer (8 for BPF) */

    struct gt_record *records;
    int nrecords;
    struct gt_enum *enums;
    int nenums;
    struct gt_typedef *typedefs;
    int ntypedefs;
    struct gt_decl *order; /* every record, enum and typedef, dependencies first */
    int norder;

    /* building state */
    int *enum_of_id;         /* btf id -> enum index + 1 */
    int *typedef_of_id;      /* btf id -> typedef index + 1 */
    int *named_record_of_id; /* btf id -> record index + 1 (named types only) */
    int stack[GT_MAX_DEPTH]; /* btf ids of the records being built */
    int depth;
    bool any_bitfields;
    struct gt_nameset c_tags;     /* struct/union/enum tags */
    struct gt_nameset c_ordinary; /* typedefs, enum constants, functions */

    /* printers (types_print_c.c) for these root ids, if not NULL */
    const int *print_roots;
    int nprint_roots;
    void *printers;            /* their state while they are written */
    void *printers_rust;       /* the same for the Rust printers */
    struct gt_lang_names lang; /* the Rust or WIT emitter's names */

    char *err;
    size_t errlen;
};

/* Builds the model for the given root types (STRUCT, UNION, ENUM, ENUM64,
 * TYPEDEF or DATASEC ids) in that order.  0, or -1 with m->err set. */
int gen__model_build(struct gt_model *m, const int *roots, int nroots);
void gen__model_free(struct gt_model *m);
int gen__model_error(struct gt_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Total bytes of a value type; number of elements (1 if not an array). */
uint64_t gen__vtype_size(const struct gt_vtype *t);
uint64_t gen__vtype_count(const struct gt_vtype *t);

/* m->lang, its arrays allocated with every name NULL. */
struct gt_lang_names *gen__lang_names_new(struct gt_model *m);

/* An emitter's declarations: a function a kind of declaration (by enum
 * gt_decl_kind), and the helpers its bitfield accessors call (NULL: none). */
typedef void gt_emit_fn(void *ctx, int index);
struct gt_emitter {
    gt_emit_fn *decl[GT_DECL_KINDS];
    const char *bits_helpers;
};

/* The emitters' one walk: e->bits_helpers if a record has bitfields, then
 * e->decl[kind](ctx, index) for every record, enum and typedef of
 * m->order, dependencies first. */
void gen__emit_decls(const struct gt_model *m, const struct gt_emitter *e, FILE *out, void *ctx);

/* The emitters: 0, or -1 with m->err set. */
int gen__emit_c(struct gt_model *m, FILE *out);
int gen__emit_rust(struct gt_model *m, FILE *out);
int gen__emit_wit(struct gt_model *m, FILE *out);
/* The C printers (JSON lines, aligned columns) of the root structs and
 * unions among `roots`, after the declarations; 0. */
int gen__emit_c_printers(struct gt_model *m, FILE *out, const int *roots, int nroots);
void gen__printers_free(struct gt_model *m); /* by gen__model_free() */

/* The columns of a root record's -o columns output, shared by the C and
 * Rust printers so that both print the same: one per scalar leaf, nested
 * structs as dotted names, anonymous members flattened. */
struct gt_col_step {
    int record, item; /* the item of the record on the way to the value */
};
struct gt_column {
    char *header;
    char *expr;                /* C expression of the value */
    const struct gt_vtype *vt; /* NULL for a bitfield */
    const struct gt_bitfield *bf;
    char *storage; /* a bitfield's bytes (C) */
    int width;
    struct gt_col_step steps[GT_MAX_DEPTH + 2]; /* the path from the root */
    int nsteps;
};
struct gt_columns {
    struct gt_column *cols;
    int n;
};
void gen__print_columns(struct gt_model *m, struct gt_columns *cs, int r);
/* The name a field has in JSON and column headers: its BTF name. */
static inline const char *gen__item_key(const struct gt_item *it)
{
    return it->btf_name && *it->btf_name ? it->btf_name : it->name;
}
void gen__json_key_text(FILE *out, bool first, const char *key);
void gen__record_deps(const struct gt_model *m, int r, void (*record)(void *ctx, int r),
                      void (*enumeration)(void *ctx, int e), void *ctx);
void gen__columns_free(struct gt_columns *cs);
/* The record a printer root id names (a struct or union, or a typedef of
 * one), or -1. */
int gen__root_record(const struct gt_model *m, int id);

/* The Rust printers of the model's print roots, after the declarations
 * (record_names and the value names are the Rust emitter's); 0. */
int gen__emit_rust_printers(struct gt_model *m, FILE *out, char *const *record_names,
                            struct gt_nameset *values);
void gen__printers_rust_free(struct gt_model *m); /* by gen__model_free() */

/* Functions every generated C header may define (bitfield access). */
extern const char *const gen__c_helper_names[];

/* Comment text safe inside a C/Rust block or line comment. */
void gen__comment_text(struct base_buf *b, const char *text);

#endif
