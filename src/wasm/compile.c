/* compile.c: validate a function body and translate it, in the same walk,
 * into register-style internal code.
 *
 * The operand stack is tracked symbolically.  Each entry is either a
 * temporary held in its "home" slot (locals first, then one slot per stack
 * depth), a reference to a local, or a constant.  local.get and constants
 * therefore emit nothing: the instruction that consumes them names the
 * local's slot, or takes the constant as an immediate.  An instruction
 * followed by local.set writes straight into the local, a comparison
 * followed by br_if or if becomes one compare-and-branch, and blocks emit
 * nothing at all: branches are resolved to offsets here, with the value
 * moves they need, so the interpreter never scans for an `end`.
 *
 * Validation follows the specification's algorithm (operand and control
 * stacks, polymorphic stack after unconditional branches).  Code after an
 * unconditional branch is validated but not emitted.
 */
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "reader.h"

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
    bool unreachable;          /* validation: the stack is polymorphic (after br, return...) */
    bool dead;                 /* no path reaches the start of this block: emit nothing */
    uint8_t single;            /* the result type of a one-result block type */
    const func_type *ft;       /* block type given by index, or NULL */
    uint32_t height;           /* operand stack height below the block's params */
    uint32_t start_pos;        /* loop: where back branches go */
    int32_t patches;           /* forward branches to the end of this block */
    int32_t else_patch;        /* if: the branch taken when the condition is false */
} ctrl;

typedef struct patch {
    uint32_t instr_pos;        /* offsets are relative to the branch instruction */
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

    code_t *code;              /* arena shared by every function of the module */
    size_t code_len, code_cap;
    size_t code_limit;         /* words; see LIMIT_CODE_WORDS_PER_BYTE */

    /* the last instruction emitted, for fusion */
    bool last_valid;
    uint16_t last_op;
    size_t last_pos;
    uint32_t last_dst_depth;   /* stack depth whose home slot it wrote, or UINT32_MAX */
};

#define NO_DEPTH UINT32_MAX

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

static void nomem(compiler *c)
{
    reader_fail_at(&c->r, WASM_LOAD_NOMEM, c->r.pos, "out of memory");
}

#define GROW(c, arr, n, cap, extra)                                              \
    do {                                                                         \
        if ((n) + (extra) > (cap)) {                                             \
            size_t ncap_ = (cap) ? (size_t)(cap) * 2 : 64;                       \
            while (ncap_ < (size_t)(n) + (extra))                                \
                ncap_ *= 2;                                                      \
            void *p_ = reallocarray((arr), ncap_, sizeof *(arr));               \
            if (!p_)                                                             \
                nomem(c);                                                        \
            (arr) = p_;                                                          \
            (cap) = ncap_;                                                       \
        }                                                                        \
    } while (0)

compiler *compiler_new(wasm_module *m, size_t module_size)
{
    compiler *c = calloc(1, sizeof *c);
    if (c) {
        c->m = m;
        c->code_limit = module_size * LIMIT_CODE_WORDS_PER_BYTE + 65536;
    }
    return c;
}

void compiler_free(compiler *c)
{
    if (!c)
        return;
    free(c->local_types);
    free(c->stack);
    free(c->ctrls);
    free(c->patches);
    free(c->code);
    free(c);
}

bool compiler_finish(compiler *c)
{
    wasm_module *m = c->m;
    /* EXIT is the landing pad of calls made from the host (see interp.c);
     * an empty module still gets an arena so code pointers are valid. */
    m->code = c->code;
    m->code_words = c->code_len;
    c->code = NULL;
    uint32_t ndefined = m->nfuncs - m->nfunc_imports;
    for (uint32_t i = 0; i < ndefined; i++)
        m->codes[i].code = m->code + m->codes[i].code_offset;
    return true;
}

/* ------------------------------------------------------------------ */
/* Emission                                                            */
/* ------------------------------------------------------------------ */

static inline bool live(const compiler *c)
{
    const ctrl *f = &c->ctrls[c->nctrl - 1];
    return !f->unreachable && !f->dead;
}
static inline uint32_t home(const compiler *c, uint32_t depth) { return c->nlocals + depth; }

static size_t emit_op(compiler *c, enum wasm_op op)
{
    if (c->code_len > c->code_limit)
        reader_fail_at(&c->r, WASM_LOAD_NOMEM, c->r.pos,
                       "compiled code over %zu words: the module copies too many values", c->code_limit);
    GROW(c, c->code, c->code_len, c->code_cap, 16);
    size_t pos = c->code_len;
    const void *h = interp_handlers[op];
    memcpy(&c->code[pos], &h, sizeof h);
    c->code_len += 2;
    c->last_valid = true;
    c->last_op = op;
    c->last_pos = pos;
    c->last_dst_depth = NO_DEPTH;
    return pos;
}

static void emit_u32(compiler *c, uint32_t v)
{
    GROW(c, c->code, c->code_len, c->code_cap, 1);
    c->code[c->code_len++] = v;
}

static void emit_u64(compiler *c, uint64_t v)
{
    emit_u32(c, (uint32_t)v);
    emit_u32(c, (uint32_t)(v >> 32));
}

static void emit_ptr(compiler *c, const void *p)
{
    uint64_t v = (uint64_t)(uintptr_t)p;
    emit_u64(c, v);
}

/* A label is a point where control merges: nothing before it may be fused
 * with what comes after. */
static void label_here(compiler *c) { c->last_valid = false; }

/* Instructions that write one value into the home slot of `depth`, with
 * the destination as their first operand. */
static void set_last_dst(compiler *c, uint32_t depth) { c->last_dst_depth = depth; }

static int32_t new_patch(compiler *c, size_t instr_pos, size_t word_pos, int32_t next)
{
    GROW(c, c->patches, c->npatches, c->patch_cap, 1);
    c->patches[c->npatches] = (patch){(uint32_t)instr_pos, (uint32_t)word_pos, next};
    return (int32_t)c->npatches++;
}

static void resolve_patches(compiler *c, int32_t head, size_t target)
{
    for (int32_t p = head; p >= 0; p = c->patches[p].next)
        c->code[c->patches[p].word_pos] = (uint32_t)(int32_t)(target - c->patches[p].instr_pos);
}

/* ------------------------------------------------------------------ */
/* The operand stack                                                   */
/* ------------------------------------------------------------------ */

static ctrl *top_ctrl(compiler *c) { return &c->ctrls[c->nctrl - 1]; }

static uint32_t block_nparams(const ctrl *f) { return f->ft ? f->ft->nparams : 0; }
static uint32_t block_nresults(const ctrl *f)
{
    return f->ft ? f->ft->nresults : (f->single ? 1 : 0);
}
static const uint8_t *block_params(const ctrl *f) { return f->ft ? ft_params(f->ft) : NULL; }
static const uint8_t *block_results(const ctrl *f)
{
    return f->ft ? ft_results(f->ft) : &f->single;
}
/* What a branch to this label carries: a loop's params, a block's results. */
static uint32_t label_arity(const ctrl *f)
{
    return f->kind == CK_LOOP ? block_nparams(f) : block_nresults(f);
}
static const uint8_t *label_types(const ctrl *f)
{
    return f->kind == CK_LOOP ? block_params(f) : block_results(f);
}

static void push(compiler *c, vval v)
{
    if (c->sp >= LIMIT_OPERAND_STACK)
        reader_fail_at(&c->r, WASM_LOAD_NOMEM, c->r.pos, "operand stack deeper than %u values",
                       LIMIT_OPERAND_STACK);
    GROW(c, c->stack, c->sp, c->stack_cap, 1);
    c->stack[c->sp++] = v;
    if (c->sp > c->max_depth)
        c->max_depth = c->sp;
}

/* Push a temporary; returns its home slot. */
static uint32_t push_temp(compiler *c, uint8_t type)
{
    push(c, (vval){type, VK_TEMP, 0, 0});
    return home(c, c->sp - 1);
}

static vval pop_any(compiler *c)
{
    ctrl *f = top_ctrl(c);
    if (c->sp == f->height) {
        if (f->unreachable)
            return (vval){TYPE_UNKNOWN, VK_TEMP, 0, 0};
        invalid(&c->r, "type mismatch: operand stack is empty");
    }
    return c->stack[--c->sp];
}

static vval pop_type(compiler *c, uint8_t expected)
{
    vval v = pop_any(c);
    if (v.type != expected && v.type != TYPE_UNKNOWN && expected != TYPE_UNKNOWN)
        invalid(&c->r, "type mismatch: expected %s, found %s", valtype_name(expected),
                valtype_name(v.type));
    return v;
}

/* Check that the top of the stack holds `types` without removing them. */
static void check_top(compiler *c, const uint8_t *types, uint32_t n)
{
    ctrl *f = top_ctrl(c);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t expected = types[n - 1 - i];
        if (c->sp < f->height + 1 + i) {
            if (f->unreachable)
                continue;
            invalid(&c->r, "type mismatch: expected %u values on the stack", n);
        }
        uint8_t t = c->stack[c->sp - 1 - i].type;
        if (t != expected && t != TYPE_UNKNOWN)
            invalid(&c->r, "type mismatch: expected %s, found %s", valtype_name(expected),
                    valtype_name(t));
    }
}

static uint32_t const_words_op(uint8_t type) { return (type == WASM_I32 || type == WASM_F32) ? OP_CONST32 : OP_CONST64; }

static void emit_const_to(compiler *c, uint32_t slot, uint8_t type, uint64_t imm)
{
    enum wasm_op op = const_words_op(type);
    emit_op(c, op);
    emit_u32(c, slot);
    if (op == OP_CONST32)
        emit_u32(c, (uint32_t)imm);
    else
        emit_u64(c, imm);
}

static void emit_mov(compiler *c, uint32_t dst, uint32_t src)
{
    if (dst == src)
        return;
    emit_op(c, OP_MOV);
    emit_u32(c, dst);
    emit_u32(c, src);
}

/* Turn the entry at `depth` into a temporary in its home slot. */
static void materialize(compiler *c, uint32_t depth)
{
    vval *v = &c->stack[depth];
    if (v->kind == VK_LOCAL)
        emit_mov(c, home(c, depth), v->local);
    else if (v->kind == VK_CONST)
        emit_const_to(c, home(c, depth), v->type, v->imm);
    else
        return;
    set_last_dst(c, depth);
    v->kind = VK_TEMP;
}

/* The slot an instruction reads for the (already popped) value that sat at
 * `depth`; constants are written to the home slot first. */
static uint32_t operand(compiler *c, vval *v, uint32_t depth)
{
    switch (v->kind) {
    case VK_LOCAL:
        return v->local;
    case VK_CONST:
        emit_const_to(c, home(c, depth), v->type, v->imm);
        v->kind = VK_TEMP;
        return home(c, depth);
    default:
        return home(c, depth);
    }
}

/* Before a local is written, entries still referring to its old value get
 * their own copy. */
static bool preserve_local(compiler *c, uint32_t local)
{
    bool emitted = false;
    for (uint32_t i = 0; i < c->sp; i++) {
        if (c->stack[i].kind == VK_LOCAL && c->stack[i].local == local) {
            materialize(c, i);
            emitted = true;
        }
    }
    return emitted;
}

/* At a block boundary every path must agree on where values live: local
 * references become temporaries (a local.set inside the block would
 * otherwise change them on some paths only), and so do the block's params. */
static bool block_entry_needs_moves(compiler *c, uint32_t nparams)
{
    for (uint32_t i = 0; i < c->sp; i++) {
        if (c->stack[i].kind == VK_LOCAL)
            return true;
        if (i >= c->sp - nparams && c->stack[i].kind == VK_CONST)
            return true;
    }
    return false;
}

static void materialize_for_block(compiler *c, uint32_t nparams)
{
    for (uint32_t i = 0; i < c->sp; i++) {
        if (c->stack[i].kind == VK_LOCAL || (i >= c->sp - nparams && c->stack[i].kind == VK_CONST))
            materialize(c, i);
    }
}

/* ------------------------------------------------------------------ */
/* Branches                                                            */
/* ------------------------------------------------------------------ */

/* Does a branch to `f` from here need value moves?  The top values must
 * already be temporaries in the label's slots. */
static bool branch_needs_moves(compiler *c, const ctrl *f)
{
    uint32_t n = label_arity(f);
    if (n == 0)
        return false;
    if (f->kind == CK_FUNC)
        return true;   /* results go to slots 0..n-1 */
    uint32_t first = c->sp - n;
    if (first != f->height)
        return true;
    for (uint32_t i = 0; i < n; i++)
        if (c->stack[first + i].kind != VK_TEMP)
            return true;
    return false;
}

static uint32_t value_slot_noemit(compiler *c, uint32_t depth)
{
    const vval *v = &c->stack[depth];
    return v->kind == VK_LOCAL ? v->local : home(c, depth);
}

/* Copy the top values to where label `f` expects them, without changing
 * the symbolic stack (the fall-through path did not move anything). */
static void emit_branch_moves(compiler *c, const ctrl *f)
{
    uint32_t n = label_arity(f);
    uint32_t first = c->sp - n;
    if (f->kind == CK_FUNC) {
        if (n > 1) {
            /* results go to slots 0..n-1, which may be locals still to be
             * read: take copies of local references in their home slots */
            for (uint32_t i = 0; i < n; i++)
                if (c->stack[first + i].kind == VK_LOCAL && c->stack[first + i].local < n)
                    emit_mov(c, home(c, first + i), c->stack[first + i].local);
        }
        for (uint32_t i = 0; i < n; i++) {
            const vval *v = &c->stack[first + i];
            if (v->kind == VK_CONST)
                emit_const_to(c, i, v->type, v->imm);
            else if (n > 1 && v->kind == VK_LOCAL && v->local < n)
                emit_mov(c, i, home(c, first + i));
            else
                emit_mov(c, i, value_slot_noemit(c, first + i));
        }
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const vval *v = &c->stack[first + i];
        uint32_t dst = home(c, f->height + i);
        if (v->kind == VK_CONST)
            emit_const_to(c, dst, v->type, v->imm);
        else
            emit_mov(c, dst, value_slot_noemit(c, first + i));
    }
}

/* Emit the offset word of a branch at instruction `instr` to label `f`. */
static void emit_target(compiler *c, size_t instr, ctrl *f)
{
    if (f->kind == CK_LOOP) {
        emit_u32(c, (uint32_t)(int32_t)((int64_t)f->start_pos - (int64_t)instr));
    } else {
        f->patches = new_patch(c, instr, c->code_len, f->patches);
        emit_u32(c, 0);
    }
}

/* Return from the function; like every branch it leaves the symbolic stack
 * as it is (br_if's fall-through path continues with it). */
static void emit_return(compiler *c)
{
    ctrl *f = &c->ctrls[0];
    uint32_t n = label_arity(f);
    if (n == 1) {
        const vval *v = &c->stack[c->sp - 1];
        if (v->kind == VK_CONST) {
            emit_op(c, OP_RETK);
            emit_u64(c, v->type == WASM_I32 || v->type == WASM_F32 ? (uint32_t)v->imm : v->imm);
        } else {
            emit_op(c, OP_RET1);
            emit_u32(c, value_slot_noemit(c, c->sp - 1));
        }
        return;
    }
    emit_branch_moves(c, f);
    emit_op(c, OP_RET);
}

/* Unconditional branch to `f`, moves included. */
static void emit_br(compiler *c, ctrl *f)
{
    if (f->kind == CK_FUNC) {
        emit_return(c);
        return;
    }
    emit_branch_moves(c, f);
    size_t pos = emit_op(c, OP_BR);
    emit_target(c, pos, f);
}

static ctrl *label_at(compiler *c, uint32_t depth)
{
    if (depth >= c->nctrl)
        invalid(&c->r, "unknown label %u", depth);
    return &c->ctrls[c->nctrl - 1 - depth];
}

static void set_unreachable(compiler *c)
{
    ctrl *f = top_ctrl(c);
    c->sp = f->height;
    f->unreachable = true;
    label_here(c);
}

/* ------------------------------------------------------------------ */
/* Comparison fusion                                                   */
/* ------------------------------------------------------------------ */

/* Comparison index k of INT_BINOPS' EQ..GE_U (0..9). */
static const uint8_t cmp_negate[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};

typedef struct fusable {
    enum wasm_op op;      /* BR_* taken when the condition holds */
    uint32_t words[2];    /* its operands before the target */
} fusable;

/* If the value on top of the stack was just produced by an integer
 * comparison or eqz, describe the compare-and-branch that replaces it.
 * `when_false` asks for the branch taken when the condition is false. */
static bool find_fusable(compiler *c, bool when_false, fusable *out)
{
    if (!c->last_valid || c->last_dst_depth != c->sp - 1 || c->stack[c->sp - 1].kind != VK_TEMP)
        return false;
    const code_t *w = &c->code[c->last_pos + 2];
    enum wasm_op op = c->last_op;
    int k = -1, base = -1;
    if (op >= OP_I32_EQ && op <= OP_I32_GE_U) k = op - OP_I32_EQ, base = OP_BR_I32_EQ;
    else if (op >= OP_I32_EQ_I && op <= OP_I32_GE_U_I) k = op - OP_I32_EQ_I, base = OP_BR_I32_EQ_I;
    else if (op >= OP_I64_EQ && op <= OP_I64_GE_U) k = op - OP_I64_EQ, base = OP_BR_I64_EQ;
    else if (op >= OP_I64_EQ_I && op <= OP_I64_GE_U_I) k = op - OP_I64_EQ_I, base = OP_BR_I64_EQ_I;
    if (k >= 0) {
        out->op = (enum wasm_op)(base + (when_false ? cmp_negate[k] : k));
        out->words[0] = w[1];
        out->words[1] = w[2];
        return true;
    }
    if (op == OP_I32_EQZ || op == OP_I64_EQZ) {
        bool is64 = op == OP_I64_EQZ;
        /* eqz(x) true <=> x == 0 */
        out->op = when_false ? (is64 ? OP_BR_NZ64 : OP_BR_NZ) : (is64 ? OP_BR_Z64 : OP_BR_Z);
        out->words[0] = w[1];
        return true;
    }
    return false;
}

static uint32_t fused_operand_words(enum wasm_op op)
{
    return (op == OP_BR_NZ || op == OP_BR_Z || op == OP_BR_NZ64 || op == OP_BR_Z64) ? 1 : 2;
}

/* Emit a conditional branch on the condition just popped (value v at
 * depth `depth`); the target word is written by the caller.  Returns the
 * instruction position. */
static size_t emit_cond_branch(compiler *c, vval *v, uint32_t depth, bool when_false, bool fuse)
{
    fusable fz;
    /* the popped condition is at c->sp, so look one above */
    c->sp++;
    bool ok = fuse && find_fusable(c, when_false, &fz);
    c->sp--;
    if (ok) {
        c->code_len = c->last_pos;   /* drop the comparison */
        size_t pos = emit_op(c, fz.op);
        for (uint32_t i = 0; i < fused_operand_words(fz.op); i++)
            emit_u32(c, fz.words[i]);
        return pos;
    }
    uint32_t slot = operand(c, v, depth);
    size_t pos = emit_op(c, when_false ? OP_BR_Z : OP_BR_NZ);
    emit_u32(c, slot);
    return pos;
}

/* ------------------------------------------------------------------ */
/* Numeric instructions                                                */
/* ------------------------------------------------------------------ */

enum { N_NONE, N_UN, N_BIN, N_RETYPE };

typedef struct numop {
    uint8_t form;
    uint8_t in, out;
    int16_t op;        /* slot form */
    int16_t op_imm;    /* immediate on the right, or -1 */
    int16_t op_imm_l;  /* immediate on the left (operands swapped), or -1 */
} numop;

#define BIN(i, o, name) {N_BIN, i, o, OP_##name, -1, -1}
#define BINI(i, o, name) {N_BIN, i, o, OP_##name, OP_##name##_I, -1}
#define BINC(i, o, name) {N_BIN, i, o, OP_##name, OP_##name##_I, OP_##name##_I}
#define BINF(i, o, name, flipped) {N_BIN, i, o, OP_##name, OP_##name##_I, OP_##flipped##_I}
#define UN(i, o, name) {N_UN, i, o, OP_##name, -1, -1}
#define RETYPE(i, o) {N_RETYPE, i, o, -1, -1, -1}
#define I32 WASM_I32
#define I64 WASM_I64
#define F32 WASM_F32
#define F64 WASM_F64

static const numop numops[256] = {
    [0x45] = UN(I32, I32, I32_EQZ),
    [0x46] = BINC(I32, I32, I32_EQ), [0x47] = BINC(I32, I32, I32_NE),
    [0x48] = BINF(I32, I32, I32_LT_S, I32_GT_S), [0x49] = BINF(I32, I32, I32_LT_U, I32_GT_U),
    [0x4a] = BINF(I32, I32, I32_GT_S, I32_LT_S), [0x4b] = BINF(I32, I32, I32_GT_U, I32_LT_U),
    [0x4c] = BINF(I32, I32, I32_LE_S, I32_GE_S), [0x4d] = BINF(I32, I32, I32_LE_U, I32_GE_U),
    [0x4e] = BINF(I32, I32, I32_GE_S, I32_LE_S), [0x4f] = BINF(I32, I32, I32_GE_U, I32_LE_U),
    [0x50] = UN(I64, I32, I64_EQZ),
    [0x51] = BINC(I64, I32, I64_EQ), [0x52] = BINC(I64, I32, I64_NE),
    [0x53] = BINF(I64, I32, I64_LT_S, I64_GT_S), [0x54] = BINF(I64, I32, I64_LT_U, I64_GT_U),
    [0x55] = BINF(I64, I32, I64_GT_S, I64_LT_S), [0x56] = BINF(I64, I32, I64_GT_U, I64_LT_U),
    [0x57] = BINF(I64, I32, I64_LE_S, I64_GE_S), [0x58] = BINF(I64, I32, I64_LE_U, I64_GE_U),
    [0x59] = BINF(I64, I32, I64_GE_S, I64_LE_S), [0x5a] = BINF(I64, I32, I64_GE_U, I64_LE_U),
    [0x5b] = BIN(F32, I32, F32_EQ), [0x5c] = BIN(F32, I32, F32_NE), [0x5d] = BIN(F32, I32, F32_LT),
    [0x5e] = BIN(F32, I32, F32_GT), [0x5f] = BIN(F32, I32, F32_LE), [0x60] = BIN(F32, I32, F32_GE),
    [0x61] = BIN(F64, I32, F64_EQ), [0x62] = BIN(F64, I32, F64_NE), [0x63] = BIN(F64, I32, F64_LT),
    [0x64] = BIN(F64, I32, F64_GT), [0x65] = BIN(F64, I32, F64_LE), [0x66] = BIN(F64, I32, F64_GE),
    [0x67] = UN(I32, I32, I32_CLZ), [0x68] = UN(I32, I32, I32_CTZ), [0x69] = UN(I32, I32, I32_POPCNT),
    [0x6a] = BINC(I32, I32, I32_ADD), [0x6b] = BINI(I32, I32, I32_SUB), [0x6c] = BINC(I32, I32, I32_MUL),
    [0x6d] = BIN(I32, I32, I32_DIV_S), [0x6e] = BIN(I32, I32, I32_DIV_U),
    [0x6f] = BIN(I32, I32, I32_REM_S), [0x70] = BIN(I32, I32, I32_REM_U),
    [0x71] = BINC(I32, I32, I32_AND), [0x72] = BINC(I32, I32, I32_OR), [0x73] = BINC(I32, I32, I32_XOR),
    [0x74] = BINI(I32, I32, I32_SHL), [0x75] = BINI(I32, I32, I32_SHR_S), [0x76] = BINI(I32, I32, I32_SHR_U),
    [0x77] = BINI(I32, I32, I32_ROTL), [0x78] = BINI(I32, I32, I32_ROTR),
    [0x79] = UN(I64, I64, I64_CLZ), [0x7a] = UN(I64, I64, I64_CTZ), [0x7b] = UN(I64, I64, I64_POPCNT),
    [0x7c] = BINC(I64, I64, I64_ADD), [0x7d] = BINI(I64, I64, I64_SUB), [0x7e] = BINC(I64, I64, I64_MUL),
    [0x7f] = BIN(I64, I64, I64_DIV_S), [0x80] = BIN(I64, I64, I64_DIV_U),
    [0x81] = BIN(I64, I64, I64_REM_S), [0x82] = BIN(I64, I64, I64_REM_U),
    [0x83] = BINC(I64, I64, I64_AND), [0x84] = BINC(I64, I64, I64_OR), [0x85] = BINC(I64, I64, I64_XOR),
    [0x86] = BINI(I64, I64, I64_SHL), [0x87] = BINI(I64, I64, I64_SHR_S), [0x88] = BINI(I64, I64, I64_SHR_U),
    [0x89] = BINI(I64, I64, I64_ROTL), [0x8a] = BINI(I64, I64, I64_ROTR),
    [0x8b] = UN(F32, F32, F32_ABS), [0x8c] = UN(F32, F32, F32_NEG), [0x8d] = UN(F32, F32, F32_CEIL),
    [0x8e] = UN(F32, F32, F32_FLOOR), [0x8f] = UN(F32, F32, F32_TRUNC), [0x90] = UN(F32, F32, F32_NEAREST),
    [0x91] = UN(F32, F32, F32_SQRT),
    [0x92] = BIN(F32, F32, F32_ADD), [0x93] = BIN(F32, F32, F32_SUB), [0x94] = BIN(F32, F32, F32_MUL),
    [0x95] = BIN(F32, F32, F32_DIV), [0x96] = BIN(F32, F32, F32_MIN), [0x97] = BIN(F32, F32, F32_MAX),
    [0x98] = BIN(F32, F32, F32_COPYSIGN),
    [0x99] = UN(F64, F64, F64_ABS), [0x9a] = UN(F64, F64, F64_NEG), [0x9b] = UN(F64, F64, F64_CEIL),
    [0x9c] = UN(F64, F64, F64_FLOOR), [0x9d] = UN(F64, F64, F64_TRUNC), [0x9e] = UN(F64, F64, F64_NEAREST),
    [0x9f] = UN(F64, F64, F64_SQRT),
    [0xa0] = BIN(F64, F64, F64_ADD), [0xa1] = BIN(F64, F64, F64_SUB), [0xa2] = BIN(F64, F64, F64_MUL),
    [0xa3] = BIN(F64, F64, F64_DIV), [0xa4] = BIN(F64, F64, F64_MIN), [0xa5] = BIN(F64, F64, F64_MAX),
    [0xa6] = BIN(F64, F64, F64_COPYSIGN),
    [0xa7] = RETYPE(I64, I32),   /* i32.wrap_i64: readers of an i32 use the low half */
    [0xa8] = UN(F32, I32, I32_TRUNC_F32_S), [0xa9] = UN(F32, I32, I32_TRUNC_F32_U),
    [0xaa] = UN(F64, I32, I32_TRUNC_F64_S), [0xab] = UN(F64, I32, I32_TRUNC_F64_U),
    [0xac] = UN(I32, I64, I64_EXTEND32_S), [0xad] = UN(I32, I64, I64_EXTEND_I32_U),
    [0xae] = UN(F32, I64, I64_TRUNC_F32_S), [0xaf] = UN(F32, I64, I64_TRUNC_F32_U),
    [0xb0] = UN(F64, I64, I64_TRUNC_F64_S), [0xb1] = UN(F64, I64, I64_TRUNC_F64_U),
    [0xb2] = UN(I32, F32, F32_CONVERT_I32_S), [0xb3] = UN(I32, F32, F32_CONVERT_I32_U),
    [0xb4] = UN(I64, F32, F32_CONVERT_I64_S), [0xb5] = UN(I64, F32, F32_CONVERT_I64_U),
    [0xb6] = UN(F64, F32, F32_DEMOTE_F64),
    [0xb7] = UN(I32, F64, F64_CONVERT_I32_S), [0xb8] = UN(I32, F64, F64_CONVERT_I32_U),
    [0xb9] = UN(I64, F64, F64_CONVERT_I64_S), [0xba] = UN(I64, F64, F64_CONVERT_I64_U),
    [0xbb] = UN(F32, F64, F64_PROMOTE_F32),
    [0xbc] = RETYPE(F32, I32), [0xbd] = RETYPE(F64, I64), [0xbe] = RETYPE(I32, F32),
    [0xbf] = RETYPE(I64, F64),
    [0xc0] = UN(I32, I32, I32_EXTEND8_S), [0xc1] = UN(I32, I32, I32_EXTEND16_S),
    [0xc2] = UN(I64, I64, I64_EXTEND8_S), [0xc3] = UN(I64, I64, I64_EXTEND16_S),
    [0xc4] = UN(I64, I64, I64_EXTEND32_S),
};

static const numop sat_ops[8] = {
    UN(F32, I32, I32_TRUNC_SAT_F32_S), UN(F32, I32, I32_TRUNC_SAT_F32_U),
    UN(F64, I32, I32_TRUNC_SAT_F64_S), UN(F64, I32, I32_TRUNC_SAT_F64_U),
    UN(F32, I64, I64_TRUNC_SAT_F32_S), UN(F32, I64, I64_TRUNC_SAT_F32_U),
    UN(F64, I64, I64_TRUNC_SAT_F64_S), UN(F64, I64, I64_TRUNC_SAT_F64_U),
};

/* Does a constant fit the 32-bit immediate of an instruction on `type`? */
static bool imm_fits(uint8_t type, uint64_t imm)
{
    return type == WASM_I32 || (int64_t)(int32_t)(uint32_t)imm == (int64_t)imm;
}

static void compile_unop(compiler *c, const numop *n)
{
    vval a = pop_type(c, n->in);
    uint32_t depth = c->sp;
    if (!live(c)) {
        push_temp(c, n->out);
        return;
    }
    uint32_t sa = operand(c, &a, depth);
    uint32_t d = push_temp(c, n->out);
    emit_op(c, (enum wasm_op)n->op);
    emit_u32(c, d);
    emit_u32(c, sa);
    set_last_dst(c, depth);
}

static void compile_binop(compiler *c, const numop *n)
{
    vval b = pop_type(c, n->in);
    vval a = pop_type(c, n->in);
    uint32_t depth = c->sp;
    if (!live(c)) {
        push_temp(c, n->out);
        return;
    }
    if (n->op_imm >= 0 && b.kind == VK_CONST && imm_fits(n->in, b.imm)) {
        uint32_t sa = operand(c, &a, depth);
        uint32_t d = push_temp(c, n->out);
        emit_op(c, (enum wasm_op)n->op_imm);
        emit_u32(c, d);
        emit_u32(c, sa);
        emit_u32(c, (uint32_t)b.imm);
    } else if (n->op_imm_l >= 0 && a.kind == VK_CONST && imm_fits(n->in, a.imm)) {
        uint32_t sb = operand(c, &b, depth + 1);
        uint32_t d = push_temp(c, n->out);
        emit_op(c, (enum wasm_op)n->op_imm_l);
        emit_u32(c, d);
        emit_u32(c, sb);
        emit_u32(c, (uint32_t)a.imm);
    } else {
        uint32_t sa = operand(c, &a, depth);
        uint32_t sb = operand(c, &b, depth + 1);
        uint32_t d = push_temp(c, n->out);
        emit_op(c, (enum wasm_op)n->op);
        emit_u32(c, d);
        emit_u32(c, sa);
        emit_u32(c, sb);
    }
    set_last_dst(c, depth);
}

static void compile_numeric(compiler *c, const numop *n)
{
    switch (n->form) {
    case N_UN:
        compile_unop(c, n);
        break;
    case N_BIN:
        compile_binop(c, n);
        break;
    case N_RETYPE: {
        vval a = pop_type(c, n->in);
        a.type = n->out;
        if (a.kind == VK_CONST && n->out == WASM_I32)
            a.imm = (uint32_t)a.imm;
        push(c, a);
        /* a retyped temporary is still the last instruction's result */
        break;
    }
    }
}

/* ------------------------------------------------------------------ */
/* Locals, globals, memory                                             */
/* ------------------------------------------------------------------ */

static uint32_t read_local_index(compiler *c)
{
    uint32_t x = read_u32(&c->r);
    if (x >= c->nlocals)
        invalid(&c->r, "unknown local %u", x);
    return x;
}

static void compile_local_set(compiler *c, bool tee)
{
    uint32_t x = read_local_index(c);
    uint8_t t = c->local_types[x];
    vval v = pop_type(c, t);
    uint32_t depth = c->sp;
    if (!live(c)) {
        if (tee)
            push(c, (vval){t, VK_TEMP, 0, 0});
        return;
    }
    bool can_retarget = v.kind == VK_TEMP && c->last_valid && c->last_dst_depth == depth;
    if (preserve_local(c, x))
        can_retarget = false;
    if (v.kind == VK_LOCAL && v.local == x) {
        /* x = x */
    } else if (can_retarget) {
        c->code[c->last_pos + 2] = x;   /* write the result straight into the local */
        c->last_dst_depth = NO_DEPTH;
    } else if (v.kind == VK_CONST) {
        emit_const_to(c, x, t, v.imm);
    } else {
        emit_mov(c, x, v.kind == VK_LOCAL ? v.local : home(c, depth));
    }
    if (tee)
        push(c, (vval){t, VK_LOCAL, x, 0});
}

static uint32_t read_global_index(compiler *c)
{
    uint32_t g = read_u32(&c->r);
    if (g >= c->m->nglobals)
        invalid(&c->r, "unknown global %u", g);
    return g;
}

static void need_memory(compiler *c)
{
    if (c->m->nmemories == 0)
        invalid(&c->r, "unknown memory 0");
}

static uint32_t read_memarg(compiler *c, uint32_t natural_align_log2)
{
    uint32_t align = read_u32(&c->r);
    if (align >= 32)
        malformed(&c->r, "malformed memop flags");
    uint32_t offset = read_u32(&c->r);
    need_memory(c);
    if (align > natural_align_log2)
        invalid(&c->r, "alignment must not be larger than natural");
    return offset;
}

/* Was the address at `depth` (a temporary) just computed by an i32.add?
 * Then the access can add it itself: returns 1 for two slots, 2 for a slot
 * and an immediate, with the add's operands, and drops the add. */
static int take_address_add(compiler *c, const vval *a, uint32_t depth, uint32_t *x, uint32_t *y)
{
    if (a->kind != VK_TEMP || !c->last_valid || c->last_dst_depth != depth ||
        (c->last_op != OP_I32_ADD && c->last_op != OP_I32_ADD_I))
        return 0;
    *x = c->code[c->last_pos + 3];
    *y = c->code[c->last_pos + 4];
    int form = c->last_op == OP_I32_ADD ? 1 : 2;
    c->code_len = c->last_pos;
    return form;
}

static void compile_load(compiler *c, uint8_t type, enum wasm_op op, uint32_t align)
{
    uint32_t offset = read_memarg(c, align);
    vval a = pop_type(c, WASM_I32);
    uint32_t depth = c->sp;
    if (!live(c)) {
        push_temp(c, type);
        return;
    }
    if (a.kind == VK_CONST) {
        /* a constant address: C globals */
        uint64_t ea = (uint64_t)(uint32_t)a.imm + offset;
        uint32_t d = push_temp(c, type);
        emit_op(c, (enum wasm_op)(op + OP_LD8S_K - OP_LD8S));
        emit_u32(c, d);
        emit_u64(c, ea);
        set_last_dst(c, depth);
        return;
    }
    uint32_t x, y;
    int form = take_address_add(c, &a, depth, &x, &y);
    if (form) {
        uint32_t d = push_temp(c, type);
        emit_op(c, (enum wasm_op)(op + (form == 1 ? OP_LD8S_A : OP_LD8S_AI) - OP_LD8S));
        emit_u32(c, d);
        emit_u32(c, x);
        emit_u32(c, y);
        emit_u32(c, offset);
        set_last_dst(c, depth);
        return;
    }
    uint32_t sa = operand(c, &a, depth);
    uint32_t d = push_temp(c, type);
    emit_op(c, op);
    emit_u32(c, d);
    emit_u32(c, sa);
    emit_u32(c, offset);
    set_last_dst(c, depth);
}

static void compile_store(compiler *c, uint8_t type, enum wasm_op op, uint32_t align)
{
    uint32_t offset = read_memarg(c, align);
    vval v = pop_type(c, type);
    vval a = pop_type(c, WASM_I32);
    uint32_t depth = c->sp;
    if (!live(c))
        return;
    if (a.kind == VK_CONST) {
        uint64_t ea = (uint64_t)(uint32_t)a.imm + offset;
        uint32_t sv = operand(c, &v, depth + 1);
        emit_op(c, (enum wasm_op)(op + OP_ST8_K - OP_ST8));
        emit_u32(c, sv);
        emit_u64(c, ea);
        return;
    }
    uint32_t x, y;
    int form = v.kind == VK_LOCAL ? take_address_add(c, &a, depth, &x, &y) : 0;
    if (form) {
        emit_op(c, (enum wasm_op)(op + (form == 1 ? OP_ST8_A : OP_ST8_AI) - OP_ST8));
        emit_u32(c, x);
        emit_u32(c, y);
        emit_u32(c, v.local);
        emit_u32(c, offset);
        return;
    }
    uint32_t sa = operand(c, &a, depth);
    uint32_t sv = operand(c, &v, depth + 1);
    emit_op(c, op);
    emit_u32(c, sa);
    emit_u32(c, sv);
    emit_u32(c, offset);
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */
/* ------------------------------------------------------------------ */

/* Pop the params of `t` (they become the callee's first slots) and return
 * the depth of the first one. */
static uint32_t pop_call_args(compiler *c, const func_type *t)
{
    for (uint32_t i = t->nparams; i-- > 0;)
        pop_type(c, ft_params(t)[i]);
    uint32_t base = c->sp;
    if (live(c))
        for (uint32_t i = 0; i < t->nparams; i++)
            materialize(c, base + i);   /* entries are still in the array above sp */
    return base;
}

static void push_results(compiler *c, const func_type *t)
{
    for (uint32_t i = 0; i < t->nresults; i++)
        push_temp(c, ft_results(t)[i]);
}

static void compile_call(compiler *c)
{
    uint32_t f = read_u32(&c->r);
    wasm_module *m = c->m;
    if (f >= m->nfuncs)
        invalid(&c->r, "unknown function %u", f);
    const func_type *t = &m->types[m->func_type_index[f]];
    uint32_t base = pop_call_args(c, t);
    if (live(c)) {
        if (f < m->nfunc_imports) {
            emit_op(c, OP_CALL_IMPORT);
            emit_u32(c, f);
        } else {
            emit_op(c, OP_CALL);
            emit_ptr(c, &m->codes[f - m->nfunc_imports]);
        }
        emit_u32(c, home(c, base));
    }
    push_results(c, t);
}

static void compile_call_indirect(compiler *c)
{
    wasm_module *m = c->m;
    uint32_t ti = read_u32(&c->r);
    uint32_t table = read_u32(&c->r);
    if (table >= m->ntables)
        invalid(&c->r, "unknown table %u", table);
    if (ti >= m->ntypes)
        invalid(&c->r, "unknown type %u", ti);
    if (m->tables[table].elem != WASM_FUNCREF)
        invalid(&c->r, "type mismatch: call_indirect on a table of externref");
    const func_type *t = &m->types[ti];
    vval idx = pop_type(c, WASM_I32);
    uint32_t idx_depth = c->sp;
    uint32_t base = pop_call_args(c, t);
    if (live(c)) {
        /* the index sits above the args; take its slot before the call */
        uint32_t sidx = operand(c, &idx, idx_depth);
        emit_op(c, OP_CALL_INDIRECT);
        emit_u32(c, table);
        emit_u32(c, t->id);
        emit_u32(c, sidx);
        emit_u32(c, home(c, base));
    }
    push_results(c, t);
}

/* ------------------------------------------------------------------ */
/* Blocks                                                              */
/* ------------------------------------------------------------------ */

static void read_block_type(compiler *c, ctrl *f)
{
    reader *r = &c->r;
    f->ft = NULL;
    f->single = 0;
    if (r->pos >= r->end)
        malformed(r, "unexpected end");
    uint8_t b = r->buf[r->pos];
    if (b == 0x40) {
        r->pos++;
    } else if (is_val_type(b)) {
        r->pos++;
        f->single = b;
    } else {
        int64_t idx = read_sleb(r, 33);
        if (idx < 0)
            malformed(r, "malformed block type");
        if ((uint64_t)idx >= c->m->ntypes)
            invalid(r, "unknown type %lld", (long long)idx);
        f->ft = &c->m->types[idx];
    }
}

static ctrl *push_ctrl(compiler *c, uint8_t kind)
{
    if (c->nctrl >= LIMIT_NESTING)
        reader_fail_at(&c->r, WASM_LOAD_NOMEM, c->r.pos, "blocks nested too deeply");
    GROW(c, c->ctrls, c->nctrl, c->ctrl_cap, 1);
    ctrl *f = &c->ctrls[c->nctrl++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->patches = -1;
    f->else_patch = -1;
    return f;
}

/* block, loop and if: check the params on the stack and open the frame. */
static ctrl *open_block(compiler *c, uint8_t kind, ctrl proto)
{
    check_top(c, block_params(&proto), block_nparams(&proto));
    ctrl *parent = top_ctrl(c);
    bool parent_dead = parent->unreachable || parent->dead;
    uint32_t np = block_nparams(&proto);
    /* in unreachable code missing params are unknown values */
    while (c->sp < parent->height + np)
        push(c, (vval){TYPE_UNKNOWN, VK_TEMP, 0, 0});
    ctrl *f = push_ctrl(c, kind);
    f->ft = proto.ft;
    f->single = proto.single;
    f->height = c->sp - np;
    f->dead = parent_dead;
    /* keep param types exact (unknowns become the declared types) */
    for (uint32_t i = 0; i < np; i++)
        if (c->stack[f->height + i].type == TYPE_UNKNOWN)
            c->stack[f->height + i].type = block_params(f)[i];
    return f;
}

static void compile_block(compiler *c, uint8_t kind)
{
    ctrl proto;
    read_block_type(c, &proto);
    if (live(c))
        materialize_for_block(c, block_nparams(&proto));
    ctrl *f = open_block(c, kind, proto);
    label_here(c);
    f->start_pos = (uint32_t)c->code_len;
}

static void compile_if(compiler *c)
{
    ctrl proto;
    read_block_type(c, &proto);
    vval cond = pop_type(c, WASM_I32);
    uint32_t depth = c->sp;
    bool was_live = live(c);
    size_t pos = 0;
    if (was_live) {
        uint32_t np = block_nparams(&proto);
        bool moves = block_entry_needs_moves(c, np);
        if (moves)
            materialize_for_block(c, np);
        pos = emit_cond_branch(c, &cond, depth, true, !moves);
    }
    ctrl *f = open_block(c, CK_IF, proto);
    if (was_live) {
        f->else_patch = new_patch(c, pos, c->code_len, -1);
        emit_u32(c, 0);
    }
    label_here(c);
}

/* The values a block leaves must be temporaries in its result slots. */
static void close_branch_results(compiler *c, ctrl *f)
{
    uint32_t n = block_nresults(f);
    const uint8_t *types = block_results(f);
    for (uint32_t i = n; i-- > 0;)
        pop_type(c, types[i]);
    if (c->sp != f->height)
        invalid(&c->r, "type mismatch: %u values left on the stack at the end of a block",
                c->sp - f->height);
    if (f->unreachable || f->dead)
        return;
    c->sp += n;
    if (f->kind == CK_FUNC)
        return;   /* the return that follows places them */
    for (uint32_t i = 0; i < n; i++)
        materialize(c, f->height + i);
}

static void compile_else(compiler *c)
{
    ctrl *f = top_ctrl(c);
    if (f->kind != CK_IF)
        malformed(&c->r, "else without a matching if");
    close_branch_results(c, f);
    if (!f->unreachable && !f->dead) {
        size_t pos = emit_op(c, OP_BR);
        f->patches = new_patch(c, pos, c->code_len, f->patches);
        emit_u32(c, 0);
    }
    if (f->else_patch >= 0)
        resolve_patches(c, f->else_patch, c->code_len);
    f->else_patch = -1;
    f->kind = CK_ELSE;
    /* the else branch starts again from the params */
    c->sp = f->height;
    uint32_t np = block_nparams(f);
    for (uint32_t i = 0; i < np; i++)
        push_temp(c, block_params(f)[i]);
    f->unreachable = false;
    label_here(c);
}

/* Returns true at the end of the function. */
static bool compile_end(compiler *c)
{
    ctrl *f = top_ctrl(c);
    if (f->kind == CK_IF) {
        /* no else: the false path carries the params through as results */
        uint32_t np = block_nparams(f), nr = block_nresults(f);
        if (np != nr || (np && memcmp(block_params(f), block_results(f), np)))
            invalid(&c->r, "type mismatch: if without else must leave its params unchanged");
    }
    close_branch_results(c, f);
    if (f->kind == CK_FUNC) {
        if (!f->unreachable && !f->dead)
            emit_return(c);
        c->nctrl--;
        return true;
    }
    if (f->else_patch >= 0)
        resolve_patches(c, f->else_patch, c->code_len);
    if (f->kind != CK_LOOP)
        resolve_patches(c, f->patches, c->code_len);
    uint32_t n = block_nresults(f);
    uint32_t height = f->height;
    c->nctrl--;
    c->sp = height;
    for (uint32_t i = 0; i < n; i++)
        push_temp(c, block_results(f)[i]);
    label_here(c);
    return false;
}

static void compile_br(compiler *c)
{
    ctrl *f = label_at(c, read_u32(&c->r));
    check_top(c, label_types(f), label_arity(f));
    if (live(c))
        emit_br(c, f);
    set_unreachable(c);
}

/* br_if pops the label's values and pushes them back as the label's types
 * (which matters in unreachable code, where they were not there). */
static void repush_label_values(compiler *c, const ctrl *f)
{
    uint32_t n = label_arity(f);
    const uint8_t *types = label_types(f);
    vval vals[16], *buf = n <= 16 ? vals : malloc(n * sizeof *buf);
    if (!buf)
        nomem(c);
    for (uint32_t i = n; i-- > 0;)
        buf[i] = pop_type(c, types[i]);
    for (uint32_t i = 0; i < n; i++) {
        if (buf[i].type == TYPE_UNKNOWN)
            buf[i].type = types[i];
        push(c, buf[i]);
    }
    if (buf != vals)
        free(buf);
}

static void compile_br_if(compiler *c)
{
    ctrl *f = label_at(c, read_u32(&c->r));
    vval cond = pop_type(c, WASM_I32);
    uint32_t depth = c->sp;
    repush_label_values(c, f);
    if (!live(c))
        return;
    if (f->kind == CK_FUNC || branch_needs_moves(c, f)) {
        /* branch around the moves when the condition is false */
        size_t pos = emit_cond_branch(c, &cond, depth, true, true);
        int32_t skip = new_patch(c, pos, c->code_len, -1);
        emit_u32(c, 0);
        emit_br(c, f);
        resolve_patches(c, skip, c->code_len);
        label_here(c);
        return;
    }
    size_t pos = emit_cond_branch(c, &cond, depth, false, true);
    emit_target(c, pos, f);
    /* the fall-through is not a label, but the condition is gone */
    c->last_valid = false;
}

static void compile_br_table(compiler *c)
{
    reader *r = &c->r;
    uint32_t n = read_count(r, 1);
    uint32_t *depths = malloc(((size_t)n + 1) * sizeof *depths);
    if (!depths)
        nomem(c);
    size_t *volatile stubs = NULL;   /* set after setjmp: volatile */
    /* read everything first so a malformed vector fails before emitting */
    jmp_buf *outer = r->fail, jb;
    r->fail = &jb;
    if (setjmp(jb)) {
        free(depths);
        free(stubs);
        r->fail = outer;
        longjmp(*outer, 1);
    }
    for (uint32_t i = 0; i <= n; i++)
        depths[i] = read_u32(r);
    vval idx = pop_type(c, WASM_I32);
    uint32_t idx_depth = c->sp;
    ctrl *dflt = label_at(c, depths[n]);
    uint32_t arity = label_arity(dflt);
    for (uint32_t i = 0; i <= n; i++) {
        ctrl *f = label_at(c, depths[i]);
        if (label_arity(f) != arity)
            invalid(r, "type mismatch: br_table labels have different arities");
        check_top(c, label_types(f), arity);
    }
    if (live(c)) {
        uint32_t sidx = operand(c, &idx, idx_depth);
        size_t pos = emit_op(c, OP_BR_TABLE);
        emit_u32(c, sidx);
        emit_u32(c, n);
        size_t table = c->code_len;
        for (uint32_t i = 0; i <= n; i++)
            emit_u32(c, 0);
        /* targets that need moves get a stub after the table (the code
         * after br_table is unreachable anyway); one stub per label, found
         * through an array indexed by depth, made only when needed */
        for (uint32_t i = 0; i <= n; i++) {
            ctrl *f = label_at(c, depths[i]);
            size_t word = table + i;
            if (f->kind != CK_FUNC && !branch_needs_moves(c, f)) {
                if (f->kind == CK_LOOP)
                    c->code[word] = (uint32_t)(int32_t)((int64_t)f->start_pos - (int64_t)pos);
                else
                    f->patches = new_patch(c, pos, word, f->patches);
                continue;
            }
            if (!stubs && !(stubs = calloc(c->nctrl, sizeof *stubs)))
                nomem(c);
            if (!stubs[depths[i]]) {
                stubs[depths[i]] = c->code_len;
                emit_br(c, f);
            }
            c->code[word] = (uint32_t)(int32_t)((int64_t)stubs[depths[i]] - (int64_t)pos);
        }
    }
    r->fail = outer;
    free(depths);
    free(stubs);
    set_unreachable(c);
}

/* ------------------------------------------------------------------ */
/* Tables, references, bulk memory                                     */
/* ------------------------------------------------------------------ */

static uint32_t read_table_index(compiler *c)
{
    uint32_t t = read_u32(&c->r);
    if (t >= c->m->ntables)
        invalid(&c->r, "unknown table %u", t);
    return t;
}

static uint32_t read_elem_index(compiler *c)
{
    uint32_t e = read_u32(&c->r);
    if (e >= c->m->nelems)
        invalid(&c->r, "unknown elem segment %u", e);
    return e;
}

static uint32_t read_data_index(compiler *c)
{
    uint32_t d = read_u32(&c->r);
    if (!c->m->has_data_count) {
        /* malformed if a data section follows, invalid otherwise: decided
         * at the end of the module */
        c->m->uses_data_without_count = true;
        return d;
    }
    if (d >= c->m->data_count)
        invalid(&c->r, "unknown data segment %u", d);
    return d;
}

static void read_zero_byte(compiler *c)
{
    if (read_u8(&c->r) != 0)
        malformed(&c->r, "zero byte expected");
}

/* Pop `n` operands of the given types (last one on top), emit `op` with
 * their slots after `pre` immediate words, push a result if `result`. */
static void compile_generic(compiler *c, enum wasm_op op, const uint32_t *pre, uint32_t npre,
                            const uint8_t *types, uint32_t n, uint8_t result)
{
    vval vals[4];
    for (uint32_t i = n; i-- > 0;)
        vals[i] = pop_type(c, types[i]);
    uint32_t depth = c->sp;
    if (!live(c)) {
        if (result)
            push_temp(c, result);
        return;
    }
    uint32_t slots[4];
    for (uint32_t i = 0; i < n; i++)
        slots[i] = operand(c, &vals[i], depth + i);
    uint32_t d = result ? push_temp(c, result) : 0;
    emit_op(c, op);
    if (result)
        emit_u32(c, d);
    for (uint32_t i = 0; i < npre; i++)
        emit_u32(c, pre[i]);
    for (uint32_t i = 0; i < n; i++)
        emit_u32(c, slots[i]);
    if (result)
        set_last_dst(c, depth);
}

static void compile_prefixed(compiler *c)
{
    reader *r = &c->r;
    wasm_module *m = c->m;
    uint32_t sub = read_u32(r);
    static const uint8_t i32x3[] = {WASM_I32, WASM_I32, WASM_I32};
    switch (sub) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
        compile_numeric(c, &sat_ops[sub]);
        break;
    case 8: { /* memory.init */
        uint32_t seg = read_data_index(c);
        read_zero_byte(c);
        need_memory(c);
        compile_generic(c, OP_MEMORY_INIT, &seg, 1, i32x3, 3, 0);
        break;
    }
    case 9: { /* data.drop */
        uint32_t seg = read_data_index(c);
        if (live(c)) {
            emit_op(c, OP_DATA_DROP);
            emit_u32(c, seg);
        }
        break;
    }
    case 10: /* memory.copy */
        read_zero_byte(c);
        read_zero_byte(c);
        need_memory(c);
        compile_generic(c, OP_MEMORY_COPY, NULL, 0, i32x3, 3, 0);
        break;
    case 11: /* memory.fill */
        read_zero_byte(c);
        need_memory(c);
        compile_generic(c, OP_MEMORY_FILL, NULL, 0, i32x3, 3, 0);
        break;
    case 12: { /* table.init elem table */
        uint32_t seg = read_elem_index(c);
        uint32_t t = read_table_index(c);
        if (m->elems[seg].elem_type != m->tables[t].elem)
            invalid(r, "type mismatch: table.init of %s into a table of %s",
                    valtype_name(m->elems[seg].elem_type), valtype_name(m->tables[t].elem));
        uint32_t pre[2] = {t, seg};
        compile_generic(c, OP_TABLE_INIT, pre, 2, i32x3, 3, 0);
        break;
    }
    case 13: { /* elem.drop */
        uint32_t seg = read_elem_index(c);
        if (live(c)) {
            emit_op(c, OP_ELEM_DROP);
            emit_u32(c, seg);
        }
        break;
    }
    case 14: { /* table.copy dst src */
        uint32_t dt = read_table_index(c);
        uint32_t st = read_table_index(c);
        if (m->tables[dt].elem != m->tables[st].elem)
            invalid(r, "type mismatch: table.copy between tables of different types");
        uint32_t pre[2] = {dt, st};
        compile_generic(c, OP_TABLE_COPY, pre, 2, i32x3, 3, 0);
        break;
    }
    case 15: { /* table.grow */
        uint32_t t = read_table_index(c);
        uint8_t types[2] = {m->tables[t].elem, WASM_I32};
        compile_generic(c, OP_TABLE_GROW, &t, 1, types, 2, WASM_I32);
        break;
    }
    case 16: { /* table.size */
        uint32_t t = read_table_index(c);
        compile_generic(c, OP_TABLE_SIZE, &t, 1, NULL, 0, WASM_I32);
        break;
    }
    case 17: { /* table.fill */
        uint32_t t = read_table_index(c);
        uint8_t types[3] = {WASM_I32, m->tables[t].elem, WASM_I32};
        compile_generic(c, OP_TABLE_FILL, &t, 1, types, 3, 0);
        break;
    }
    default:
        malformed(r, "illegal opcode 0xfc %u", sub);
    }
}

/* ------------------------------------------------------------------ */
/* The function body                                                   */
/* ------------------------------------------------------------------ */

static void read_locals(compiler *c)
{
    reader *r = &c->r;
    const func_type *t = c->fc->type;
    c->nlocals = t->nparams;
    GROW(c, c->local_types, 0, c->local_cap, t->nparams + 1);
    memcpy(c->local_types, ft_params(t), t->nparams);
    uint32_t ngroups = read_count(r, 2);
    uint64_t total = t->nparams;
    for (uint32_t i = 0; i < ngroups; i++) {
        uint32_t n = read_u32(r);
        total += n;
        if (total > LIMIT_LOCALS)
            malformed(r, "too many locals");
        uint8_t type = read_u8(r);
        if (!is_val_type(type))
            malformed(r, "malformed value type 0x%02x", type);
        GROW(c, c->local_types, c->nlocals, c->local_cap, n);
        memset(c->local_types + c->nlocals, type, n);
        c->nlocals += n;
    }
}

static void compile_body(compiler *c)
{
    reader *r = &c->r;
    wasm_module *m = c->m;
    for (;;) {
        uint8_t op = read_u8(r);
        switch (op) {
        case 0x00: /* unreachable */
            if (live(c))
                emit_op(c, OP_UNREACHABLE);
            set_unreachable(c);
            break;
        case 0x01: /* nop */
            break;
        case 0x02: compile_block(c, CK_BLOCK); break;
        case 0x03: compile_block(c, CK_LOOP); break;
        case 0x04: compile_if(c); break;
        case 0x05: compile_else(c); break;
        case 0x0b:
            if (compile_end(c))
                return;
            break;
        case 0x0c: compile_br(c); break;
        case 0x0d: compile_br_if(c); break;
        case 0x0e: compile_br_table(c); break;
        case 0x0f: { /* return */
            ctrl *f = &c->ctrls[0];
            check_top(c, label_types(f), label_arity(f));
            if (live(c))
                emit_return(c);
            set_unreachable(c);
            break;
        }
        case 0x10: compile_call(c); break;
        case 0x11: compile_call_indirect(c); break;
        case 0x1a: /* drop */
            pop_any(c);
            break;
        case 0x1b:   /* select */
        case 0x1c: { /* select t* */
            uint8_t t = TYPE_UNKNOWN;
            if (op == 0x1c) {
                uint32_t n = read_u32(r);
                if (n != 1)
                    invalid(r, "invalid result arity for select");
                t = read_valtype(r);
            }
            vval cond = pop_type(c, WASM_I32);
            vval b = pop_type(c, t);
            vval a = pop_type(c, t == TYPE_UNKNOWN ? b.type : t);
            uint8_t rt = t != TYPE_UNKNOWN ? t : (a.type != TYPE_UNKNOWN ? a.type : b.type);
            if (op == 0x1b && rt != TYPE_UNKNOWN && !is_num_type(rt))
                invalid(r, "type mismatch: select without a type needs numeric operands");
            uint32_t depth = c->sp;
            if (!live(c)) {
                push_temp(c, rt);
                break;
            }
            uint32_t sa = operand(c, &a, depth);
            uint32_t sb = operand(c, &b, depth + 1);
            uint32_t sc = operand(c, &cond, depth + 2);
            uint32_t d = push_temp(c, rt);
            emit_op(c, OP_SELECT);
            emit_u32(c, d);
            emit_u32(c, sa);
            emit_u32(c, sb);
            emit_u32(c, sc);
            set_last_dst(c, depth);
            break;
        }
        case 0x20: { /* local.get */
            uint32_t x = read_local_index(c);
            push(c, (vval){c->local_types[x], VK_LOCAL, x, 0});
            break;
        }
        case 0x21: compile_local_set(c, false); break;
        case 0x22: compile_local_set(c, true); break;
        case 0x23: { /* global.get */
            uint32_t g = read_global_index(c);
            uint32_t depth = c->sp;
            uint32_t d = push_temp(c, m->globals[g].type);
            if (live(c)) {
                emit_op(c, OP_GLOBAL_GET);
                emit_u32(c, d);
                emit_u32(c, g);
                set_last_dst(c, depth);
            }
            break;
        }
        case 0x24: { /* global.set */
            uint32_t g = read_global_index(c);
            if (!m->globals[g].mut)
                invalid(r, "global is immutable");
            vval v = pop_type(c, m->globals[g].type);
            if (live(c)) {
                uint32_t s = operand(c, &v, c->sp);
                emit_op(c, OP_GLOBAL_SET);
                emit_u32(c, g);
                emit_u32(c, s);
            }
            break;
        }
        case 0x25: { /* table.get */
            uint32_t t = read_table_index(c);
            static const uint8_t i32[] = {WASM_I32};
            compile_generic(c, OP_TABLE_GET, &t, 1, i32, 1, m->tables[t].elem);
            break;
        }
        case 0x26: { /* table.set */
            uint32_t t = read_table_index(c);
            uint8_t types[2] = {WASM_I32, m->tables[t].elem};
            compile_generic(c, OP_TABLE_SET, &t, 1, types, 2, 0);
            break;
        }
        case 0x28: compile_load(c, WASM_I32, OP_LD32U, 2); break;
        case 0x29: compile_load(c, WASM_I64, OP_LD64, 3); break;
        case 0x2a: compile_load(c, WASM_F32, OP_LD32U, 2); break;
        case 0x2b: compile_load(c, WASM_F64, OP_LD64, 3); break;
        case 0x2c: compile_load(c, WASM_I32, OP_LD8S, 0); break;
        case 0x2d: compile_load(c, WASM_I32, OP_LD8U, 0); break;
        case 0x2e: compile_load(c, WASM_I32, OP_LD16S, 1); break;
        case 0x2f: compile_load(c, WASM_I32, OP_LD16U, 1); break;
        case 0x30: compile_load(c, WASM_I64, OP_LD8S, 0); break;
        case 0x31: compile_load(c, WASM_I64, OP_LD8U, 0); break;
        case 0x32: compile_load(c, WASM_I64, OP_LD16S, 1); break;
        case 0x33: compile_load(c, WASM_I64, OP_LD16U, 1); break;
        case 0x34: compile_load(c, WASM_I64, OP_LD32S, 2); break;
        case 0x35: compile_load(c, WASM_I64, OP_LD32U, 2); break;
        case 0x36: compile_store(c, WASM_I32, OP_ST32, 2); break;
        case 0x37: compile_store(c, WASM_I64, OP_ST64, 3); break;
        case 0x38: compile_store(c, WASM_F32, OP_ST32, 2); break;
        case 0x39: compile_store(c, WASM_F64, OP_ST64, 3); break;
        case 0x3a: compile_store(c, WASM_I32, OP_ST8, 0); break;
        case 0x3b: compile_store(c, WASM_I32, OP_ST16, 1); break;
        case 0x3c: compile_store(c, WASM_I64, OP_ST8, 0); break;
        case 0x3d: compile_store(c, WASM_I64, OP_ST16, 1); break;
        case 0x3e: compile_store(c, WASM_I64, OP_ST32, 2); break;
        case 0x3f: { /* memory.size */
            read_zero_byte(c);
            need_memory(c);
            compile_generic(c, OP_MEMORY_SIZE, NULL, 0, NULL, 0, WASM_I32);
            break;
        }
        case 0x40: { /* memory.grow */
            read_zero_byte(c);
            need_memory(c);
            static const uint8_t i32[] = {WASM_I32};
            compile_generic(c, OP_MEMORY_GROW, NULL, 0, i32, 1, WASM_I32);
            break;
        }
        case 0x41: push(c, (vval){WASM_I32, VK_CONST, 0, (uint32_t)read_s32(r)}); break;
        case 0x42: push(c, (vval){WASM_I64, VK_CONST, 0, (uint64_t)read_s64(r)}); break;
        case 0x43: push(c, (vval){WASM_F32, VK_CONST, 0, read_fixed32(r)}); break;
        case 0x44: push(c, (vval){WASM_F64, VK_CONST, 0, read_fixed64(r)}); break;
        case 0xd0: { /* ref.null */
            uint8_t t = read_reftype(r);
            push(c, (vval){t, VK_CONST, 0, 0});
            break;
        }
        case 0xd1: { /* ref.is_null */
            vval v = pop_any(c);
            if (v.type != TYPE_UNKNOWN && !is_ref_type(v.type))
                invalid(r, "type mismatch: ref.is_null of %s", valtype_name(v.type));
            uint32_t depth = c->sp;
            if (!live(c)) {
                push_temp(c, WASM_I32);
                break;
            }
            uint32_t s = operand(c, &v, depth);
            uint32_t d = push_temp(c, WASM_I32);
            emit_op(c, OP_REF_IS_NULL);
            emit_u32(c, d);
            emit_u32(c, s);
            set_last_dst(c, depth);
            break;
        }
        case 0xd2: { /* ref.func */
            uint32_t f = read_u32(r);
            if (f >= m->nfuncs)
                invalid(r, "unknown function %u", f);
            if (!m->func_refs[f])
                invalid(r, "undeclared function reference %u", f);
            compile_generic(c, OP_REF_FUNC, &f, 1, NULL, 0, WASM_FUNCREF);
            break;
        }
        case 0xfc:
            compile_prefixed(c);
            break;
        default:
            if (numops[op].form != N_NONE) {
                compile_numeric(c, &numops[op]);
                break;
            }
            malformed(r, "illegal opcode 0x%02x", op);
        }
    }
}

bool opcode_exists(uint8_t op)
{
    if (numops[op].form != N_NONE)
        return true;
    return op <= 0x05 || (op >= 0x0b && op <= 0x11) || (op >= 0x1a && op <= 0x1c) ||
           (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0x44) || (op >= 0xd0 && op <= 0xd2) ||
           op == 0xfc;
}

bool compiler_run(compiler *c, func_code *fc, const uint8_t *bytes, size_t start, size_t end,
                  compile_error *err)
{
    jmp_buf jb;
    c->fc = fc;
    c->r = (reader){.buf = bytes, .pos = start, .end = end, .section = "code",
                    .err = err->buf, .errlen = err->len, .fail = &jb};
    c->sp = c->max_depth = 0;
    c->nctrl = 0;
    c->npatches = 0;
    c->last_valid = false;
    size_t code_start = c->code_len;
    if (setjmp(jb)) {
        err->kind = c->r.kind;
        c->code_len = code_start;
        return false;
    }
    read_locals(c);
    /* code for this function starts here */
    fc->code_offset = (uint32_t)c->code_len;
    ctrl *f = push_ctrl(c, CK_FUNC);
    f->ft = fc->type;
    f->height = 0;
    compile_body(c);
    if (c->r.pos != end)
        malformed(&c->r, "section size mismatch: operators after the end of the function");
    fc->nparams = fc->type->nparams;
    fc->nresults = fc->type->nresults;
    fc->nlocals = c->nlocals;
    uint32_t slots = c->nlocals + c->max_depth;
    fc->frame_slots = slots > fc->nresults ? slots : fc->nresults;
    fc->code_words = (uint32_t)(c->code_len - fc->code_offset);
    return true;
}
