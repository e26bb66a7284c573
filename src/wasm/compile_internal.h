/* compile_internal.h: the function compiler's state, shared by its files.
 * Nothing outside compile*.c includes it.
 *
 * The compiler validates a function body and translates it, in the same
 * walk, into register-style internal code (see compile.c for the design).
 * It is split along its own sections:
 *   compile.c          the driver: the opcode table, the body loop, locals
 *   compile_stack.c    the symbolic operand stack and what it emits
 *   compile_control.c  labels, branches (with comparison fusion) and blocks
 *   compile_ops.c      numeric, variable, memory, call, table and reference
 *                      instructions
 * Small helpers every instruction uses are inline here.
 */
#ifndef WASM_COMPILE_INTERNAL_H
#define WASM_COMPILE_INTERNAL_H

#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "reader.h"

/* An operand stack entry: a temporary in its home slot, a reference to a
 * local (nothing emitted yet), or a constant (nothing emitted yet). */
enum { VK_TEMP, VK_LOCAL, VK_CONST };

typedef struct vval {
    uint8_t type;
    uint8_t kind;
    uint32_t local;
    uint64_t imm;
} vval;

enum { CK_FUNC, CK_BLOCK, CK_LOOP, CK_IF, CK_ELSE };

typedef struct ctrl {
    uint8_t kind;
    bool unreachable;    /* validation: the stack is polymorphic (after br, return...) */
    bool dead;           /* no path reaches the start of this block: emit nothing */
    uint8_t single;      /* the result type of a one-result block type */
    const func_type *ft; /* block type given by index, or NULL */
    uint32_t height;     /* operand stack height below the block's params */
    uint32_t start_pos;  /* loop: where back branches go */
    int32_t patches;     /* forward branches to the end of this block */
    int32_t else_patch;  /* if: the branch taken when the condition is false */
} ctrl;

typedef struct patch {
    uint32_t instr_pos; /* offsets are relative to the branch instruction */
    uint32_t word_pos;
    int32_t next;
} patch;

struct compiler {
    wasm_module *m;
    func_code *fc;
    reader r;

    uint8_t *local_types;
    uint32_t nlocals, local_cap;

    vval *stack;
    uint32_t sp, stack_cap, max_depth;

    ctrl *ctrls;
    uint32_t nctrl, ctrl_cap;

    patch *patches;
    uint32_t npatches, patch_cap;

    code_t *code; /* arena shared by every function of the module */
    size_t code_len, code_cap;
    size_t code_limit; /* words; see LIMIT_CODE_WORDS_PER_BYTE */

    /* the last instruction emitted, for fusion */
    bool last_valid;
    uint16_t last_op;
    size_t last_pos;
    uint32_t last_dst_depth; /* stack depth whose home slot it wrote, or UINT32_MAX */
};

#define NO_DEPTH UINT32_MAX

/* ------------------------------------------------------------------ */
/* The opcode table (compile.c)                                        */
/* ------------------------------------------------------------------ */

/* One entry per opcode, as in wasm3's table-driven compiler: the handler
 * reads the immediates, validates, and emits; the other fields are what
 * handlers shared by many opcodes need to know about this one. */
typedef struct opcode_info opcode_info;
typedef void (*compile_fn)(compiler *c, const opcode_info *o);

struct opcode_info {
    const char *name;   /* in the text format */
    compile_fn compile; /* NULL: not an opcode */
    uint8_t in, out;    /* numeric: operand and result types; memory: the value's type */
    uint8_t arg;        /* memory: natural alignment (log2); block: its kind (CK_*) */
    int16_t op;         /* internal operation (all operands in slots), or -1 */
    int16_t op_imm;     /* the same with an immediate on the right, or -1 */
    int16_t op_imm_l;   /* with an immediate on the left (operands swapped), or -1 */
};

/* ------------------------------------------------------------------ */
/* Buffers and emission                                                */
/* ------------------------------------------------------------------ */

__attribute__((noreturn)) static inline void nomem(compiler *c)
{
    reader_fail_at(&c->r, ENOMEM, c->r.pos, "out of memory");
}

#define GROW(c, arr, n, cap, extra)                               \
    do {                                                          \
        if ((n) + (extra) > (cap)) {                              \
            size_t ncap_ = (cap) ? (size_t)(cap)*2 : 64;          \
            while (ncap_ < (size_t)(n) + (extra))                 \
                ncap_ *= 2;                                       \
            void *p_ = reallocarray((arr), ncap_, sizeof *(arr)); \
            if (!p_)                                              \
                nomem(c);                                         \
            (arr) = p_;                                           \
            (cap) = ncap_;                                        \
        }                                                         \
    } while (0)

static inline ctrl *top_ctrl(compiler *c)
{
    return &c->ctrls[c->nctrl - 1];
}

/* Is the code being compiled reachable?  Unreachable code is validated
 * but not emitted. */
static inline bool live(const compiler *c)
{
    const ctrl *f = &c->ctrls[c->nctrl - 1];
    return !f->unreachable && !f->dead;
}
static inline uint32_t home(const compiler *c, uint32_t depth)
{
    return c->nlocals + depth;
}

static inline size_t emit_op(compiler *c, enum wasm_op op)
{
    if (c->code_len > c->code_limit)
        over_limit(&c->r, "compiled code over %zu words: the module copies too many values",
                   c->code_limit);
    GROW(c, c->code, c->code_len, c->code_cap, 16);
    size_t pos = c->code_len;
    const void *h = wasm__interp_handlers[op];
    memcpy(&c->code[pos], &h, sizeof h);
    c->code_len += 2;
    c->last_valid = true;
    c->last_op = op;
    c->last_pos = pos;
    c->last_dst_depth = NO_DEPTH;
    return pos;
}

static inline void emit_u32(compiler *c, uint32_t v)
{
    GROW(c, c->code, c->code_len, c->code_cap, 1);
    c->code[c->code_len++] = v;
}

static inline void emit_u64(compiler *c, uint64_t v)
{
    emit_u32(c, (uint32_t)v);
    emit_u32(c, (uint32_t)(v >> 32));
}

static inline void emit_ptr(compiler *c, const void *p)
{
    uint64_t v = (uint64_t)(uintptr_t)p;
    emit_u64(c, v);
}

/* A label is a point where control merges: nothing before it may be fused
 * with what comes after. */
static inline void label_here(compiler *c)
{
    c->last_valid = false;
}

/* Instructions that write one value into the home slot of `depth`, with
 * the destination as their first operand. */
static inline void set_last_dst(compiler *c, uint32_t depth)
{
    c->last_dst_depth = depth;
}

/* ------------------------------------------------------------------ */
/* The operand stack                                                   */
/* ------------------------------------------------------------------ */

static inline uint32_t block_nparams(const ctrl *f)
{
    return f->ft ? f->ft->nparams : 0;
}
static inline uint32_t block_nresults(const ctrl *f)
{
    return f->ft ? f->ft->nresults : (f->single ? 1 : 0);
}
static inline const uint8_t *block_params(const ctrl *f)
{
    return f->ft ? ft_params(f->ft) : NULL;
}
static inline const uint8_t *block_results(const ctrl *f)
{
    return f->ft ? ft_results(f->ft) : &f->single;
}
/* What a branch to this label carries: a loop's params, a block's results. */
static inline uint32_t label_arity(const ctrl *f)
{
    return f->kind == CK_LOOP ? block_nparams(f) : block_nresults(f);
}
static inline const uint8_t *label_types(const ctrl *f)
{
    return f->kind == CK_LOOP ? block_params(f) : block_results(f);
}

static inline void push(compiler *c, vval v)
{
    if (c->sp >= LIMIT_OPERAND_STACK)
        over_limit(&c->r, "operand stack deeper than %u values", LIMIT_OPERAND_STACK);
    GROW(c, c->stack, c->sp, c->stack_cap, 1);
    c->stack[c->sp++] = v;
    if (c->sp > c->max_depth)
        c->max_depth = c->sp;
}

/* Push a temporary; returns its home slot. */
static inline uint32_t push_temp(compiler *c, uint8_t type)
{
    push(c, (vval){type, VK_TEMP, 0, 0});
    return home(c, c->sp - 1);
}

static inline vval pop_any(compiler *c)
{
    ctrl *f = top_ctrl(c);
    if (c->sp == f->height) {
        if (f->unreachable)
            return (vval){TYPE_UNKNOWN, VK_TEMP, 0, 0};
        invalid(&c->r, "type mismatch: operand stack is empty");
    }
    return c->stack[--c->sp];
}

static inline vval pop_type(compiler *c, uint8_t expected)
{
    vval v = pop_any(c);
    if (v.type != expected && v.type != TYPE_UNKNOWN && expected != TYPE_UNKNOWN)
        invalid(&c->r, "type mismatch: expected %s, found %s", wasm__valtype_name(expected),
                wasm__valtype_name(v.type));
    return v;
}

/* compile_stack.c */
void wasm__check_top(compiler *c, const uint8_t *types, uint32_t n);
void wasm__emit_const_to(compiler *c, uint32_t slot, uint8_t type, uint64_t imm);
void wasm__emit_mov(compiler *c, uint32_t dst, uint32_t src);
void wasm__materialize(compiler *c, uint32_t depth);
uint32_t wasm__operand(compiler *c, vval *v, uint32_t depth);
bool wasm__preserve_local(compiler *c, uint32_t local);
bool wasm__block_entry_needs_moves(compiler *c, uint32_t nparams);
void wasm__materialize_for_block(compiler *c, uint32_t nparams);

/* ------------------------------------------------------------------ */
/* Instruction handlers, one per opcode or family (the opcode table)   */
/* ------------------------------------------------------------------ */

/* compile_control.c */
ctrl *wasm__push_ctrl(compiler *c, uint8_t kind);
void wasm__compile_unreachable(compiler *c, const opcode_info *o);
void wasm__compile_nop(compiler *c, const opcode_info *o);
void wasm__compile_block(compiler *c, const opcode_info *o); /* block and loop */
void wasm__compile_if(compiler *c, const opcode_info *o);
void wasm__compile_else(compiler *c, const opcode_info *o);
void wasm__compile_end(compiler *c, const opcode_info *o);
void wasm__compile_br(compiler *c, const opcode_info *o);
void wasm__compile_br_if(compiler *c, const opcode_info *o);
void wasm__compile_br_table(compiler *c, const opcode_info *o);
void wasm__compile_return(compiler *c, const opcode_info *o);

/* compile_ops.c */
void wasm__compile_unop(compiler *c, const opcode_info *o);
void wasm__compile_binop(compiler *c, const opcode_info *o);
void wasm__compile_retype(compiler *c, const opcode_info *o);
void wasm__compile_const(compiler *c, const opcode_info *o);
void wasm__compile_drop(compiler *c, const opcode_info *o);
void wasm__compile_select(compiler *c, const opcode_info *o); /* select and select t* */
void wasm__compile_local_get(compiler *c, const opcode_info *o);
void wasm__compile_local_set(compiler *c, const opcode_info *o);
void wasm__compile_local_tee(compiler *c, const opcode_info *o);
void wasm__compile_global_get(compiler *c, const opcode_info *o);
void wasm__compile_global_set(compiler *c, const opcode_info *o);
void wasm__compile_load(compiler *c, const opcode_info *o);
void wasm__compile_store(compiler *c, const opcode_info *o);
void wasm__compile_memory_size(compiler *c, const opcode_info *o);
void wasm__compile_memory_grow(compiler *c, const opcode_info *o);
void wasm__compile_memory_init(compiler *c, const opcode_info *o);
void wasm__compile_data_drop(compiler *c, const opcode_info *o);
void wasm__compile_memory_copy(compiler *c, const opcode_info *o);
void wasm__compile_memory_fill(compiler *c, const opcode_info *o);
void wasm__compile_call(compiler *c, const opcode_info *o);
void wasm__compile_call_indirect(compiler *c, const opcode_info *o);
void wasm__compile_table_get(compiler *c, const opcode_info *o);
void wasm__compile_table_set(compiler *c, const opcode_info *o);
void wasm__compile_table_init(compiler *c, const opcode_info *o);
void wasm__compile_elem_drop(compiler *c, const opcode_info *o);
void wasm__compile_table_copy(compiler *c, const opcode_info *o);
void wasm__compile_table_grow(compiler *c, const opcode_info *o);
void wasm__compile_table_size(compiler *c, const opcode_info *o);
void wasm__compile_table_fill(compiler *c, const opcode_info *o);
void wasm__compile_ref_null(compiler *c, const opcode_info *o);
void wasm__compile_ref_is_null(compiler *c, const opcode_info *o);
void wasm__compile_ref_func(compiler *c, const opcode_info *o);

#endif
