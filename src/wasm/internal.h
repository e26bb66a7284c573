/* internal.h: structures shared by the engine's decoder, compiler,
 * interpreter and instantiation code.  Nothing outside src/wasm includes it.
 *
 * Pipeline: decode.c reads the sections into a wasm_module; compile*.c
 * (driven by the opcode table in compile.c) validates each function body
 * and, in the same pass, translates it into the internal code that
 * interp.c runs; instance.c links and instantiates;
 * runtime.c owns the value stack, traps, memories, tables and globals.
 *
 * Names: the public API (include/wasm_engine.h) is wasm_*.  Functions and
 * globals shared between files of the engine but not public are wasm__*
 * (two underscores, as libbpf's object__ names), so that the library's
 * symbols carry the engine's prefix and an embedder's own names (a
 * `trap_set` or `compiler_new` of theirs) cannot collide with ours.
 * Everything else is static.
 */
#ifndef WASM_INTERNAL_H
#define WASM_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm_engine.h"

#define WASM_PAGE_SIZE 65536u
#define WASM_MAX_PAGES 65536u

/* Implementation limits: they bound what a hostile module can make us
 * allocate.  Each is far above what compilers emit. */
#define LIMIT_LOCALS        50000u    /* locals per function, params included */
#define LIMIT_TABLE_ELEMS   10000000u /* elements of one table */
#define LIMIT_TYPES         1000000u  /* function types of one module */
#define LIMIT_PARAMS        1000u     /* params or results of one type */
#define LIMIT_NESTING       10000u    /* nested blocks in one function */
#define LIMIT_HOST_REENTRY  1000u     /* host -> guest calls nested inside each other */
#define LIMIT_OPERAND_STACK 65536u    /* operand stack depth of one function */
/* Compiled code is a few words per byte of input; more than this many words
 * per byte (branches copying many values) is refused as hostile. */
#define LIMIT_CODE_WORDS_PER_BYTE 64u

#define DEFAULT_STACK_SLOTS (1u << 20) /* 8 MiB of value stack */
#define DEFAULT_CALL_DEPTH  20000u
#define DEFAULT_TIER_PERIOD 1000u /* tiered: events between looks at what runs hot */

/* Extra value type used by validation for the polymorphic stack. */
#define TYPE_UNKNOWN 0

static inline bool is_num_type(uint8_t t)
{
    return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64;
}
static inline bool is_ref_type(uint8_t t)
{
    return t == WASM_FUNCREF || t == WASM_EXTERNREF;
}
static inline bool is_val_type(uint8_t t)
{
    return is_num_type(t) || is_ref_type(t);
}

/* ------------------------------------------------------------------ */
/* Module                                                             */
/* ------------------------------------------------------------------ */

typedef struct func_type {
    uint32_t nparams, nresults;
    const uint8_t *types; /* nparams parameter types, then nresults result types
                           * (for a module's types: the interned copy) */
    uint32_t id;          /* canonical id: equal ids <=> equal types, across modules
                          * (a module holds a reference on each of its types) */
} func_type;

static inline const uint8_t *ft_params(const func_type *t)
{
    return t->types;
}
static inline const uint8_t *ft_results(const func_type *t)
{
    return t->types + t->nparams;
}

typedef struct limits {
    uint32_t min, max; /* max is UINT32_MAX when absent */
    bool has_max;
} limits;

typedef struct table_type {
    uint8_t elem; /* WASM_FUNCREF or WASM_EXTERNREF */
    limits lim;
} table_type;

typedef struct global_type {
    uint8_t type;
    uint8_t mut;
} global_type;

/* A constant expression as Wasm 2.0 allows: one instruction then `end`. */
enum { CE_CONST, CE_GLOBAL_GET, CE_REF_NULL, CE_REF_FUNC };
typedef struct const_expr {
    uint8_t kind;
    uint8_t type;   /* result type */
    uint64_t value; /* the constant's bits, or the global/function index */
} const_expr;

/* Names may contain NUL bytes: they carry their length, and a NUL after it. */
typedef struct import_def {
    char *module, *name;
    uint32_t module_len, name_len;
    uint8_t kind;   /* wasm_extern_kind */
    uint32_t index; /* index in its space (func, table, memory, global) */
    union {
        uint32_t type_index; /* func */
        table_type table;
        limits memory;
        global_type global;
    } u;
} import_def;

typedef struct export_def {
    char *name;
    uint32_t name_len;
    uint8_t kind;
    uint32_t index;
} export_def;

enum { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE };

typedef struct elem_segment {
    uint8_t mode;
    uint8_t elem_type;
    uint32_t table;
    const_expr offset;
    uint32_t count;
    const_expr *items;
} elem_segment;

typedef struct data_segment {
    uint8_t mode;
    uint32_t memory;
    const_expr offset;
    uint32_t size;
    uint8_t *bytes;
} data_segment;

typedef struct custom_section {
    char *name;
    uint8_t *data;
    size_t size;
} custom_section;

/* Internal code is a sequence of 32-bit words.  An instruction starts with
 * its handler's address (two words, read unaligned) followed by operands:
 * slot indices relative to the frame pointer, immediates, or branch offsets
 * in words relative to the instruction's first word. */
typedef uint32_t code_t;

/* A defined function after compilation.  The interpreter reads the first
 * fields on every call, so they come first. */
typedef struct func_code {
    const code_t *code;
    uint32_t nparams;
    uint32_t nlocals;     /* params included */
    uint32_t frame_slots; /* locals + operand stack + room for results */
    uint32_t nresults;
    const func_type *type;
    const struct wasm_module *module;
    uint32_t func_index;  /* index in the module's function space */
    uint32_t code_offset; /* offset (words) in the module's code arena */
    uint32_t code_words;
    uint32_t body_offset; /* byte offset of the body in the module binary */
    uint32_t body_size;
    const void *jit_code; /* machine code of the compiling tier (jit.c), or NULL */
} func_code;

struct wasm_module {
    func_type *types;
    uint32_t ntypes;

    import_def *imports;
    uint32_t nimports;

    /* function space: imported functions first */
    uint32_t nfuncs, nfunc_imports;
    uint32_t *func_type_index; /* per function */
    func_code *codes;          /* per defined function */

    table_type *tables; /* imports first */
    uint32_t ntables, ntable_imports;
    limits *memories;
    uint32_t nmemories, nmemory_imports;
    global_type *globals;
    const_expr *global_inits; /* per defined global */
    uint32_t nglobals, nglobal_imports;

    export_def *exports;
    uint32_t nexports;

    int64_t start; /* -1 when absent */

    elem_segment *elems;
    uint32_t nelems;
    data_segment *datas;
    uint32_t ndatas;
    bool has_data_count;
    uint32_t data_count;
    bool uses_data_without_count; /* memory.init/data.drop seen without a data count section */

    uint8_t *func_refs; /* per function: may appear in ref.func (C.refs) */

    custom_section *customs;
    uint32_t ncustoms;
    char **func_names; /* from the name section; NULL entries when absent */

    code_t *code; /* the code arena of every function */
    size_t code_words;

    struct jit_module *jit; /* machine code (jit.c), once something is compiled */
    int jit_status;         /* 0: not tried, 1: m->jit set up, or a negative errno */
};

/* ------------------------------------------------------------------ */
/* Runtime objects                                                    */
/* ------------------------------------------------------------------ */

struct wasm_func {
    const func_type *type;
    uint32_t type_id;
    uint32_t frame_need;   /* stack slots a call from the host needs */
    wasm_instance *inst;   /* owner (for host functions: the importing instance) */
    const func_code *code; /* NULL for host functions */
    wasm_host_fn host;
    void *userdata;
    uint32_t index; /* index in the owner's function space */
};

/* Compiled code checks an access of at most this many bytes past its
 * address (offset + size) with one compare of the address against
 * size_fast = size - WASM_FAST_CHECK_BYTES, which must follow size (the
 * exact check runs when that one fails). */
#define WASM_FAST_CHECK_BYTES 4096
struct wasm_memory {
    uint8_t *base;     /* start of the reservation; never moves */
    uint64_t size;     /* accessible bytes */
    int64_t size_fast; /* size - WASM_FAST_CHECK_BYTES (may be negative) */
    uint32_t pages, max_pages;
    size_t reserved; /* bytes of address space reserved */
    bool explicit_max;
    wasm_runtime *rt;
    wasm_memory *next; /* runtime's list */
};

struct wasm_table {
    uint8_t elem;
    bool explicit_max;
    uint32_t size, max;
    uint64_t *elems; /* funcref: wasm_func *, externref: host value */
    wasm_runtime *rt;
    wasm_table *next;
};

struct wasm_global {
    uint64_t value; /* first: instances keep pointers to it */
    uint8_t type;
    uint8_t mut;
    wasm_runtime *rt;
    wasm_global *next;
};

struct wasm_instance {
    wasm_runtime *rt;
    const wasm_module *mod;
    uint8_t *mem_base;        /* memory 0's base, or NULL */
    const uint64_t *mem_size; /* memory 0's size in bytes (a zero when there is none),
                                  * then its size_fast (see wasm_memory) */
    wasm_memory *mem;
    uint64_t **globals; /* cell of every global (imports first) */
    wasm_func **funcs;  /* every function (imports first) */
    wasm_table **tables;
    wasm_func *own_funcs;       /* storage: defined and host-import function objects */
    uint64_t **elem_values;     /* per element segment: its evaluated references */
    uint8_t *elem_dropped;      /* per element segment */
    uint8_t *data_dropped;      /* per data segment */
    wasm_instance *next, *prev; /* runtime's list */
};

/* A call frame: the function running at this level and what to restore
 * when it returns. */
typedef struct call_frame {
    const code_t *ret_pc;
    uint64_t *fp;        /* the caller's frame */
    wasm_instance *inst; /* the caller's instance */
    const func_code *fn; /* the function running at this level */
} call_frame;

struct wasm_runtime {
    wasm_runtime_config cfg;
    uint64_t *stack, *stack_end;
    size_t stack_bytes;
    uint64_t *sp; /* first free slot for a frame entered from the host */
    call_frame *frames, *frames_end;
    call_frame *cf; /* innermost frame */
    volatile sig_atomic_t interrupt;
    int interrupt_fd;
    volatile sig_atomic_t stop_requested; /* soft: blocking host calls return EINTR */
    int stop_fd;
    uint64_t fuel;
    uint32_t host_depth; /* nested wasm_call depth */
    void *jit_saved_sp;  /* native stack pointer of the innermost entry into
                                  * compiled code, to unwind to on a trap (jit.c) */
    bool use_jit;        /* run compiled code where the module has it */
    bool tiered;         /* compile what runs hot (jit.c: wasm__jit_tier_up) */
    /* interpreted calls and back-edges until the next look at what runs
     * hot; INT64_MAX when nothing is compiled on the way */
    int64_t tier_countdown;

    wasm_status trap;
    int exit_code;
    char trap_msg[1024];

    wasm_instance *instances;
    wasm_memory *memories;
    wasm_table *tables;
    wasm_global *globals;
};

/* Loading and compiling run no guest code, so either request stops them:
 * checked between sections, function bodies and compiled functions. */
static inline bool wasm__runtime_stopping(const wasm_runtime *rt)
{
    return rt && (rt->interrupt || rt->stop_requested);
}

/* ------------------------------------------------------------------ */
/* Internal code operations                                            */
/* ------------------------------------------------------------------ */

/* X(name, words) for every operation; the interpreter defines a handler for
 * each, the compiler emits them.  Operand words follow the two handler
 * words; "d" is a destination slot, "a"/"b"/"c" source slots, "i" an
 * immediate, "t" a branch offset. */
/* clang-format off */
#define INT_BINOPS(X, T)                                                                   \
    X(T##_ADD) X(T##_SUB) X(T##_MUL) X(T##_DIV_S) X(T##_DIV_U) X(T##_REM_S) X(T##_REM_U)   \
    X(T##_AND) X(T##_OR) X(T##_XOR) X(T##_SHL) X(T##_SHR_S) X(T##_SHR_U) X(T##_ROTL)       \
    X(T##_ROTR) X(T##_EQ) X(T##_NE) X(T##_LT_S) X(T##_LT_U) X(T##_GT_S) X(T##_GT_U)        \
    X(T##_LE_S) X(T##_LE_U) X(T##_GE_S) X(T##_GE_U)
#define INT_IMMOPS(X, T)                                                                   \
    X(T##_ADD_I) X(T##_SUB_I) X(T##_MUL_I) X(T##_AND_I) X(T##_OR_I) X(T##_XOR_I)           \
    X(T##_SHL_I) X(T##_SHR_S_I) X(T##_SHR_U_I) X(T##_ROTL_I) X(T##_ROTR_I) X(T##_EQ_I)     \
    X(T##_NE_I) X(T##_LT_S_I) X(T##_LT_U_I) X(T##_GT_S_I) X(T##_GT_U_I) X(T##_LE_S_I)      \
    X(T##_LE_U_I) X(T##_GE_S_I) X(T##_GE_U_I)
#define INT_CMPBR(X, T)                                                                    \
    X(BR_##T##_EQ) X(BR_##T##_NE) X(BR_##T##_LT_S) X(BR_##T##_LT_U) X(BR_##T##_GT_S)       \
    X(BR_##T##_GT_U) X(BR_##T##_LE_S) X(BR_##T##_LE_U) X(BR_##T##_GE_S) X(BR_##T##_GE_U)   \
    X(BR_##T##_EQ_I) X(BR_##T##_NE_I) X(BR_##T##_LT_S_I) X(BR_##T##_LT_U_I)                \
    X(BR_##T##_GT_S_I) X(BR_##T##_GT_U_I) X(BR_##T##_LE_S_I) X(BR_##T##_LE_U_I)            \
    X(BR_##T##_GE_S_I) X(BR_##T##_GE_U_I)
#define FLOAT_BINOPS(X, T)                                                                 \
    X(T##_ADD) X(T##_SUB) X(T##_MUL) X(T##_DIV) X(T##_MIN) X(T##_MAX) X(T##_COPYSIGN)      \
    X(T##_EQ) X(T##_NE) X(T##_LT) X(T##_GT) X(T##_LE) X(T##_GE)
#define FLOAT_UNOPS(X, T)                                                                  \
    X(T##_ABS) X(T##_NEG) X(T##_CEIL) X(T##_FLOOR) X(T##_TRUNC) X(T##_NEAREST) X(T##_SQRT)
/* clang-format on */

/* clang-format off */
#define WASM_OPS(X)                                                                        \
    /* frame and control */                                                                \
    X(EXIT) X(UNREACHABLE) X(MOV) X(CONST32) X(CONST64) X(SELECT)                          \
    X(BR) X(BR_NZ) X(BR_Z) X(BR_NZ64) X(BR_Z64) X(BR_TABLE)                                \
    X(RET) X(RET1) X(RETK) X(CALL) X(CALL_IMPORT) X(CALL_INDIRECT)                         \
    X(GLOBAL_GET) X(GLOBAL_SET)                                                            \
    /* integers */                                                                         \
    INT_BINOPS(X, I32) INT_IMMOPS(X, I32) INT_BINOPS(X, I64) INT_IMMOPS(X, I64)            \
    INT_CMPBR(X, I32) INT_CMPBR(X, I64)                                                    \
    X(I32_EQZ) X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) X(I32_EXTEND8_S) X(I32_EXTEND16_S)      \
    X(I64_EQZ) X(I64_CLZ) X(I64_CTZ) X(I64_POPCNT) X(I64_EXTEND8_S) X(I64_EXTEND16_S)      \
    X(I64_EXTEND32_S) X(I64_EXTEND_I32_U)                                                  \
    /* floats */                                                                           \
    FLOAT_BINOPS(X, F32) FLOAT_BINOPS(X, F64) FLOAT_UNOPS(X, F32) FLOAT_UNOPS(X, F64)      \
    X(I32_TRUNC_F32_S) X(I32_TRUNC_F32_U) X(I32_TRUNC_F64_S) X(I32_TRUNC_F64_U)            \
    X(I64_TRUNC_F32_S) X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S) X(I64_TRUNC_F64_U)            \
    X(I32_TRUNC_SAT_F32_S) X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S)                   \
    X(I32_TRUNC_SAT_F64_U) X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U)                   \
    X(I64_TRUNC_SAT_F64_S) X(I64_TRUNC_SAT_F64_U)                                          \
    X(F32_CONVERT_I32_S) X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S) X(F32_CONVERT_I64_U)    \
    X(F64_CONVERT_I32_S) X(F64_CONVERT_I32_U) X(F64_CONVERT_I64_S) X(F64_CONVERT_I64_U)    \
    X(F32_DEMOTE_F64) X(F64_PROMOTE_F32)                                                   \
    /* memory */                                                                           \
    X(LD8S) X(LD8U) X(LD16S) X(LD16U) X(LD32S) X(LD32U) X(LD64)                            \
    X(ST8) X(ST16) X(ST32) X(ST64)                                                         \
    /* the same with the address computed by an i32.add (_A: of two slots, _AI: of a slot \
     * and an immediate) that nothing else reads */                                        \
    X(LD8S_A) X(LD8U_A) X(LD16S_A) X(LD16U_A) X(LD32S_A) X(LD32U_A) X(LD64_A)              \
    X(LD8S_AI) X(LD8U_AI) X(LD16S_AI) X(LD16U_AI) X(LD32S_AI) X(LD32U_AI) X(LD64_AI)       \
    X(ST8_A) X(ST16_A) X(ST32_A) X(ST64_A) X(ST8_AI) X(ST16_AI) X(ST32_AI) X(ST64_AI)      \
    /* at a constant address (C globals): the effective address as an immediate */         \
    X(LD8S_K) X(LD8U_K) X(LD16S_K) X(LD16U_K) X(LD32S_K) X(LD32U_K) X(LD64_K)              \
    X(ST8_K) X(ST16_K) X(ST32_K) X(ST64_K)                                                 \
    X(MEMORY_SIZE) X(MEMORY_GROW) X(MEMORY_FILL) X(MEMORY_COPY) X(MEMORY_INIT) X(DATA_DROP) \
    /* tables and references */                                                            \
    X(TABLE_GET) X(TABLE_SET) X(TABLE_SIZE) X(TABLE_GROW) X(TABLE_FILL) X(TABLE_COPY)      \
    X(TABLE_INIT) X(ELEM_DROP) X(REF_FUNC) X(REF_IS_NULL)
/* clang-format on */

enum wasm_op {
#define X(name) OP_##name,
    WASM_OPS(X)
#undef X
        OP_COUNT
};

/* Handler addresses, indexed by enum wasm_op (filled by wasm__interp_init). */
extern const void *wasm__interp_handlers[OP_COUNT];
void wasm__interp_init(void);

/* ------------------------------------------------------------------ */
/* Functions shared between files                                      */
/* ------------------------------------------------------------------ */

/* runtime.c: the fuel switch of fuzzing builds (-DWASM_ENGINE_FUEL): each
 * call and loop back-edge costs one unit, and running out traps with
 * WASM_TRAP_OUT_OF_FUEL.  Without that build flag it does nothing.  Private:
 * only the fuzzers (tests/fuzz) use it. */
void wasm__runtime_set_fuel(wasm_runtime *rt, uint64_t fuel);

/* types.c */
uint32_t wasm__functype_intern(const uint8_t *params, uint32_t np, const uint8_t *results,
                               uint32_t nr, const uint8_t **interned_types);
void wasm__functype_release(uint32_t id);
bool wasm__functype_reserve(uint32_t n);
int wasm__signature_parse(const char *sig, uint8_t *types, uint32_t cap, uint32_t *np,
                          uint32_t *nr);
void wasm__functype_format(const func_type *t, char *buf, size_t len);
const char *wasm__valtype_name(uint8_t t);

/* decode.c: reads the module; calls compile_function for each body */
void wasm__module_free_contents(wasm_module *m);

/* compile*.c (see compile.h) */
typedef struct compile_error {
    char *buf;
    size_t len;
    int error; /* errno, as reader.error */
} compile_error;

/* interp.c */
wasm_status wasm__interp_call(wasm_runtime *rt, wasm_func *f, uint64_t *fp);

/* dump.c: a listing of the compiled code, and a structural check of it */
#include <stdio.h>
void wasm__module_dump(const wasm_module *m, FILE *out);
bool wasm__module_code_check(const wasm_module *m);

/* runtime.c */
wasm_memory *wasm__memory_create(wasm_runtime *rt, uint32_t min, uint32_t max, bool explicit_max,
                                 wasm_status *why);
int64_t wasm__memory_grow(wasm_memory *m, uint32_t delta);
wasm_table *wasm__table_create(wasm_runtime *rt, uint8_t elem, uint32_t min, uint32_t max,
                               bool explicit_max);
int64_t wasm__table_grow(wasm_table *t, uint32_t delta, uint64_t init);
wasm_global *wasm__global_create(wasm_runtime *rt, uint8_t type, bool mut, uint64_t value);
wasm_status wasm__trap_set(wasm_runtime *rt, wasm_status s, const func_code *fn);
const char *wasm__func_display_name(const wasm_module *m, uint32_t index, char *buf, size_t len);

#endif
