/* compile_control.c: labels, branches and blocks.
 *
 * Blocks emit nothing at all: branches are resolved to offsets here, with
 * the value moves they need, so the interpreter never scans for an `end`.
 * Forward branches are patched when their block ends; a comparison
 * followed by br_if or if becomes one compare-and-branch.
 */
#include "compile_internal.h"

/* ------------------------------------------------------------------ */
/* Labels                                                              */
/* ------------------------------------------------------------------ */

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
        return true; /* results go to slots 0..n-1 */
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
                    wasm__emit_mov(c, home(c, first + i), c->stack[first + i].local);
        }
        for (uint32_t i = 0; i < n; i++) {
            const vval *v = &c->stack[first + i];
            if (v->kind == VK_CONST)
                wasm__emit_const_to(c, i, v->type, v->imm);
            else if (n > 1 && v->kind == VK_LOCAL && v->local < n)
                wasm__emit_mov(c, i, home(c, first + i));
            else
                wasm__emit_mov(c, i, value_slot_noemit(c, first + i));
        }
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const vval *v = &c->stack[first + i];
        uint32_t dst = home(c, f->height + i);
        if (v->kind == VK_CONST)
            wasm__emit_const_to(c, dst, v->type, v->imm);
        else
            wasm__emit_mov(c, dst, value_slot_noemit(c, first + i));
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
    enum wasm_op op;   /* BR_* taken when the condition holds */
    uint32_t words[2]; /* its operands before the target */
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
    if (op >= OP_I32_EQ && op <= OP_I32_GE_U)
        k = op - OP_I32_EQ, base = OP_BR_I32_EQ;
    else if (op >= OP_I32_EQ_I && op <= OP_I32_GE_U_I)
        k = op - OP_I32_EQ_I, base = OP_BR_I32_EQ_I;
    else if (op >= OP_I64_EQ && op <= OP_I64_GE_U)
        k = op - OP_I64_EQ, base = OP_BR_I64_EQ;
    else if (op >= OP_I64_EQ_I && op <= OP_I64_GE_U_I)
        k = op - OP_I64_EQ_I, base = OP_BR_I64_EQ_I;
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
        c->code_len = c->last_pos; /* drop the comparison */
        size_t pos = emit_op(c, fz.op);
        for (uint32_t i = 0; i < fused_operand_words(fz.op); i++)
            emit_u32(c, fz.words[i]);
        return pos;
    }
    uint32_t slot = wasm__operand(c, v, depth);
    size_t pos = emit_op(c, when_false ? OP_BR_Z : OP_BR_NZ);
    emit_u32(c, slot);
    return pos;
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

ctrl *wasm__push_ctrl(compiler *c, uint8_t kind)
{
    if (c->nctrl >= LIMIT_NESTING)
        over_limit(&c->r, "blocks nested too deeply");
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
    wasm__check_top(c, block_params(&proto), block_nparams(&proto));
    ctrl *parent = top_ctrl(c);
    bool parent_dead = parent->unreachable || parent->dead;
    uint32_t np = block_nparams(&proto);
    /* in unreachable code missing params are unknown values */
    while (c->sp < parent->height + np)
        push(c, (vval){TYPE_UNKNOWN, VK_TEMP, 0, 0});
    ctrl *f = wasm__push_ctrl(c, kind);
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

/* block and loop (o->arg is the kind) */
void wasm__compile_block(compiler *c, const opcode_info *o)
{
    ctrl proto;
    read_block_type(c, &proto);
    if (live(c))
        wasm__materialize_for_block(c, block_nparams(&proto));
    ctrl *f = open_block(c, o->arg, proto);
    label_here(c);
    f->start_pos = (uint32_t)c->code_len;
}

void wasm__compile_if(compiler *c, const opcode_info *o)
{
    ctrl proto;
    read_block_type(c, &proto);
    vval cond = pop_type(c, WASM_I32);
    uint32_t depth = c->sp;
    bool was_live = live(c);
    size_t pos = 0;
    if (was_live) {
        uint32_t np = block_nparams(&proto);
        bool moves = wasm__block_entry_needs_moves(c, np);
        if (moves)
            wasm__materialize_for_block(c, np);
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
        return; /* the return that follows places them */
    for (uint32_t i = 0; i < n; i++)
        wasm__materialize(c, f->height + i);
}

void wasm__compile_else(compiler *c, const opcode_info *o)
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

/* The end of the function pops its frame: the body is done when no frame
 * is left. */
void wasm__compile_end(compiler *c, const opcode_info *o)
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
        return;
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
}

void wasm__compile_br(compiler *c, const opcode_info *o)
{
    ctrl *f = label_at(c, read_u32(&c->r));
    wasm__check_top(c, label_types(f), label_arity(f));
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

void wasm__compile_br_if(compiler *c, const opcode_info *o)
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

void wasm__compile_br_table(compiler *c, const opcode_info *o)
{
    reader *r = &c->r;
    uint32_t n = read_count(r, 1);
    uint32_t *depths = malloc(((size_t)n + 1) * sizeof *depths);
    if (!depths)
        nomem(c);
    size_t *volatile stubs = NULL; /* set after setjmp: volatile */
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
        wasm__check_top(c, label_types(f), arity);
    }
    if (live(c)) {
        uint32_t sidx = wasm__operand(c, &idx, idx_depth);
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

void wasm__compile_unreachable(compiler *c, const opcode_info *o)
{
    if (live(c))
        emit_op(c, OP_UNREACHABLE);
    set_unreachable(c);
}

void wasm__compile_nop(compiler *c, const opcode_info *o)
{
}

void wasm__compile_return(compiler *c, const opcode_info *o)
{
    ctrl *f = &c->ctrls[0];
    wasm__check_top(c, label_types(f), label_arity(f));
    if (live(c))
        emit_return(c);
    set_unreachable(c);
}
