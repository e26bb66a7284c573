/* compile_stack.c: the compiler's symbolic operand stack.
 *
 * Each entry is a temporary held in its "home" slot (locals first, then
 * one slot per stack depth), a reference to a local, or a constant:
 * local.get and constants emit nothing until an instruction consumes them
 * (see compile.c).  These functions turn entries into slots, emitting the
 * moves and constants that needs.  The push/pop helpers every instruction
 * uses are inline in compile_internal.h.
 */
#include "compile_internal.h"

/* Check that the top of the stack holds `types` without removing them. */
void wasm__check_top(compiler *c, const uint8_t *types, uint32_t n)
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
            invalid(&c->r, "type mismatch: expected %s, found %s", wasm__valtype_name(expected),
                    wasm__valtype_name(t));
    }
}

static enum wasm_op const_words_op(uint8_t type)
{
    return (type == WASM_I32 || type == WASM_F32) ? OP_CONST32 : OP_CONST64;
}

void wasm__emit_const_to(compiler *c, uint32_t slot, uint8_t type, uint64_t imm)
{
    enum wasm_op op = const_words_op(type);
    emit_op(c, op);
    emit_u32(c, slot);
    if (op == OP_CONST32)
        emit_u32(c, (uint32_t)imm);
    else
        emit_u64(c, imm);
}

void wasm__emit_mov(compiler *c, uint32_t dst, uint32_t src)
{
    if (dst == src)
        return;
    emit_op(c, OP_MOV);
    emit_u32(c, dst);
    emit_u32(c, src);
}

/* Turn the entry at `depth` into a temporary in its home slot. */
void wasm__materialize(compiler *c, uint32_t depth)
{
    vval *v = &c->stack[depth];
    if (v->kind == VK_LOCAL)
        wasm__emit_mov(c, home(c, depth), v->local);
    else if (v->kind == VK_CONST)
        wasm__emit_const_to(c, home(c, depth), v->type, v->imm);
    else
        return;
    set_last_dst(c, depth);
    v->kind = VK_TEMP;
}

/* The slot an instruction reads for the (already popped) value that sat at
 * `depth`; constants are written to the home slot first. */
uint32_t wasm__operand(compiler *c, vval *v, uint32_t depth)
{
    switch (v->kind) {
    case VK_LOCAL: return v->local;
    case VK_CONST:
        wasm__emit_const_to(c, home(c, depth), v->type, v->imm);
        v->kind = VK_TEMP;
        return home(c, depth);
    default: return home(c, depth);
    }
}

/* Before a local is written, entries still referring to its old value get
 * their own copy. */
bool wasm__preserve_local(compiler *c, uint32_t local)
{
    bool emitted = false;
    for (uint32_t i = 0; i < c->sp; i++) {
        if (c->stack[i].kind == VK_LOCAL && c->stack[i].local == local) {
            wasm__materialize(c, i);
            emitted = true;
        }
    }
    return emitted;
}

/* At a block boundary every path must agree on where values live: local
 * references become temporaries (a local.set inside the block would
 * otherwise change them on some paths only), and so do the block's params. */
bool wasm__block_entry_needs_moves(compiler *c, uint32_t nparams)
{
    for (uint32_t i = 0; i < c->sp; i++) {
        if (c->stack[i].kind == VK_LOCAL)
            return true;
        if (i >= c->sp - nparams && c->stack[i].kind == VK_CONST)
            return true;
    }
    return false;
}

void wasm__materialize_for_block(compiler *c, uint32_t nparams)
{
    for (uint32_t i = 0; i < c->sp; i++) {
        if (c->stack[i].kind == VK_LOCAL || (i >= c->sp - nparams && c->stack[i].kind == VK_CONST))
            wasm__materialize(c, i);
    }
}
