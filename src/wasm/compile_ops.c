/* compile_ops.c: the instructions that are not control flow: numeric,
 * parametric, variable, memory, call, table and reference instructions.
 *
 * Each handler pops its operands from the symbolic stack (validating their
 * types), and when the code is reachable emits one internal instruction
 * naming their slots.  Constants on the right (or, for commutative and
 * flippable comparisons, on the left) become immediates, an i32.add that
 * only computes an address is folded into the load or store, and constant
 * addresses (C globals) become absolute.
 */
#include "compile_internal.h"

/* ------------------------------------------------------------------ */
/* Numeric instructions                                                */
/* ------------------------------------------------------------------ */

/* Does a constant fit the 32-bit immediate of an instruction on `type`? */
static bool imm_fits(uint8_t type, uint64_t imm)
{
    return type == WASM_I32 || (int64_t)(int32_t)(uint32_t)imm == (int64_t)imm;
}

/* An instruction and three operands: most take a destination and two sources */
static inline __attribute__((always_inline)) void emit_op3(compiler *c, enum wasm_op op, uint32_t x,
                                                           uint32_t y, uint32_t z)
{
    emit_op(c, op);
    emit_u32(c, x);
    emit_u32(c, y);
    emit_u32(c, z);
}

/* `op d, a`: a, popped at depth, into a new temporary of type out */
static void compile_unary(compiler *c, enum wasm_op op, vval *a, uint32_t depth, uint8_t out)
{
    if (!live(c)) {
        push_temp(c, out);
        return;
    }
    uint32_t sa = wasm__operand(c, a, depth);
    uint32_t d = push_temp(c, out);
    emit_op(c, op);
    emit_u32(c, d);
    emit_u32(c, sa);
    set_last_dst(c, depth);
}

void wasm__compile_unop(compiler *c, const opcode_info *n)
{
    vval a = pop_type(c, n->in);
    compile_unary(c, (enum wasm_op)n->op, &a, c->sp, n->out);
}

void wasm__compile_binop(compiler *c, const opcode_info *n)
{
    vval b = pop_type(c, n->in);
    vval a = pop_type(c, n->in);
    uint32_t depth = c->sp;
    if (!live(c)) {
        push_temp(c, n->out);
        return;
    }
    if (n->op_imm >= 0 && b.kind == VK_CONST && imm_fits(n->in, b.imm)) {
        uint32_t sa = wasm__operand(c, &a, depth);
        emit_op3(c, (enum wasm_op)n->op_imm, push_temp(c, n->out), sa, (uint32_t)b.imm);
    } else if (n->op_imm_l >= 0 && a.kind == VK_CONST && imm_fits(n->in, a.imm)) {
        uint32_t sb = wasm__operand(c, &b, depth + 1);
        emit_op3(c, (enum wasm_op)n->op_imm_l, push_temp(c, n->out), sb, (uint32_t)a.imm);
    } else {
        uint32_t sa = wasm__operand(c, &a, depth);
        uint32_t sb = wasm__operand(c, &b, depth + 1);
        emit_op3(c, (enum wasm_op)n->op, push_temp(c, n->out), sa, sb);
    }
    set_last_dst(c, depth);
}

/* A conversion that only changes how the bits are read (wrap, reinterpret) */
void wasm__compile_retype(compiler *c, const opcode_info *n)
{
    vval a = pop_type(c, n->in);
    a.type = n->out;
    if (a.kind == VK_CONST && n->out == WASM_I32)
        a.imm = (uint32_t)a.imm;
    push(c, a);
    /* a retyped temporary is still the last instruction's result */
}

void wasm__compile_const(compiler *c, const opcode_info *o)
{
    reader *r = &c->r;
    uint64_t imm;
    switch (o->out) {
    case WASM_I32: imm = (uint32_t)read_s32(r); break;
    case WASM_I64: imm = (uint64_t)read_s64(r); break;
    case WASM_F32: imm = read_fixed32(r); break;
    default: imm = read_fixed64(r); break;
    }
    push(c, (vval){o->out, VK_CONST, 0, imm});
}

/* ------------------------------------------------------------------ */
/* Parametric instructions                                             */
/* ------------------------------------------------------------------ */

void wasm__compile_drop(compiler *c, const opcode_info *o)
{
    pop_any(c);
}

/* select (0x1b) and select t* (0x1c, o->arg set) */
void wasm__compile_select(compiler *c, const opcode_info *o)
{
    reader *r = &c->r;
    uint8_t t = TYPE_UNKNOWN;
    if (o->arg) {
        uint32_t n = read_u32(r);
        if (n != 1)
            invalid(r, "invalid result arity for select");
        t = read_valtype(r);
    }
    vval cond = pop_type(c, WASM_I32);
    vval b = pop_type(c, t);
    vval a = pop_type(c, t == TYPE_UNKNOWN ? b.type : t);
    uint8_t rt = t != TYPE_UNKNOWN ? t : (a.type != TYPE_UNKNOWN ? a.type : b.type);
    if (!o->arg && rt != TYPE_UNKNOWN && !is_num_type(rt))
        invalid(r, "type mismatch: select without a type needs numeric operands");
    uint32_t depth = c->sp;
    if (!live(c)) {
        push_temp(c, rt);
        return;
    }
    uint32_t sa = wasm__operand(c, &a, depth);
    uint32_t sb = wasm__operand(c, &b, depth + 1);
    uint32_t sc = wasm__operand(c, &cond, depth + 2);
    uint32_t d = push_temp(c, rt);
    emit_op(c, OP_SELECT);
    emit_u32(c, d);
    emit_u32(c, sa);
    emit_u32(c, sb);
    emit_u32(c, sc);
    set_last_dst(c, depth);
}

/* ------------------------------------------------------------------ */
/* Locals, globals, memory                                             */
/* ------------------------------------------------------------------ */

/* An index into a space of *count entries (what names it, for the error);
 * the count is read after the index, as the hand-written checks did, which
 * keeps local.get's path as short */
static inline __attribute__((always_inline)) uint32_t read_index(compiler *c, const uint32_t *count,
                                                                 const char *what)
{
    uint32_t x = read_u32(&c->r);
    if (x >= *count)
        invalid(&c->r, "unknown %s %u", what, x);
    return x;
}

static uint32_t read_local_index(compiler *c)
{
    return read_index(c, &c->nlocals, "local");
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
    if (wasm__preserve_local(c, x))
        can_retarget = false;
    if (v.kind == VK_LOCAL && v.local == x) {
        /* x = x */
    } else if (can_retarget) {
        c->code[c->last_pos + 2] = x; /* write the result straight into the local */
        c->last_dst_depth = NO_DEPTH;
    } else if (v.kind == VK_CONST) {
        wasm__emit_const_to(c, x, t, v.imm);
    } else {
        wasm__emit_mov(c, x, v.kind == VK_LOCAL ? v.local : home(c, depth));
    }
    if (tee)
        push(c, (vval){t, VK_LOCAL, x, 0});
}

void wasm__compile_local_get(compiler *c, const opcode_info *o)
{
    uint32_t x = read_local_index(c);
    push(c, (vval){c->local_types[x], VK_LOCAL, x, 0});
}

void wasm__compile_local_set(compiler *c, const opcode_info *o)
{
    compile_local_set(c, false);
}

void wasm__compile_local_tee(compiler *c, const opcode_info *o)
{
    compile_local_set(c, true);
}

static uint32_t read_global_index(compiler *c)
{
    return read_index(c, &c->m->nglobals, "global");
}

static uint32_t read_table_index(compiler *c)
{
    return read_index(c, &c->m->ntables, "table");
}

void wasm__compile_global_get(compiler *c, const opcode_info *o)
{
    uint32_t g = read_global_index(c);
    uint32_t depth = c->sp;
    uint32_t d = push_temp(c, c->m->globals[g].type);
    if (live(c)) {
        emit_op(c, OP_GLOBAL_GET);
        emit_u32(c, d);
        emit_u32(c, g);
        set_last_dst(c, depth);
    }
}

void wasm__compile_global_set(compiler *c, const opcode_info *o)
{
    uint32_t g = read_global_index(c);
    if (!c->m->globals[g].mut)
        invalid(&c->r, "global is immutable");
    vval v = pop_type(c, c->m->globals[g].type);
    if (live(c)) {
        uint32_t s = wasm__operand(c, &v, c->sp);
        emit_op(c, OP_GLOBAL_SET);
        emit_u32(c, g);
        emit_u32(c, s);
    }
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

/* o->out: the value's type, o->op: the access (LD*), o->arg: natural alignment */
void wasm__compile_load(compiler *c, const opcode_info *o)
{
    uint8_t type = o->out;
    enum wasm_op op = (enum wasm_op)o->op;
    uint32_t offset = read_memarg(c, o->arg);
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
    uint32_t sa = wasm__operand(c, &a, depth);
    uint32_t d = push_temp(c, type);
    emit_op(c, op);
    emit_u32(c, d);
    emit_u32(c, sa);
    emit_u32(c, offset);
    set_last_dst(c, depth);
}

/* o->in: the value's type, o->op: the access (ST*), o->arg: natural alignment */
void wasm__compile_store(compiler *c, const opcode_info *o)
{
    uint8_t type = o->in;
    enum wasm_op op = (enum wasm_op)o->op;
    uint32_t offset = read_memarg(c, o->arg);
    vval v = pop_type(c, type);
    vval a = pop_type(c, WASM_I32);
    uint32_t depth = c->sp;
    if (!live(c))
        return;
    if (a.kind == VK_CONST) {
        uint64_t ea = (uint64_t)(uint32_t)a.imm + offset;
        uint32_t sv = wasm__operand(c, &v, depth + 1);
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
    uint32_t sa = wasm__operand(c, &a, depth);
    uint32_t sv = wasm__operand(c, &v, depth + 1);
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
            wasm__materialize(c, base + i); /* entries are still in the array above sp */
    return base;
}

static void push_results(compiler *c, const func_type *t)
{
    for (uint32_t i = 0; i < t->nresults; i++)
        push_temp(c, ft_results(t)[i]);
}

void wasm__compile_call(compiler *c, const opcode_info *o)
{
    wasm_module *m = c->m;
    uint32_t f = read_index(c, &m->nfuncs, "function");
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

void wasm__compile_call_indirect(compiler *c, const opcode_info *o)
{
    wasm_module *m = c->m;
    uint32_t ti = read_u32(&c->r);
    uint32_t table = read_table_index(c);
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
        uint32_t sidx = wasm__operand(c, &idx, idx_depth);
        emit_op(c, OP_CALL_INDIRECT);
        emit_u32(c, table);
        emit_u32(c, t->id);
        emit_u32(c, sidx);
        emit_u32(c, home(c, base));
    }
    push_results(c, t);
}

/* ------------------------------------------------------------------ */
/* Tables, references, bulk memory                                     */
/* ------------------------------------------------------------------ */

static uint32_t read_elem_index(compiler *c)
{
    return read_index(c, &c->m->nelems, "elem segment");
}

static uint32_t read_data_index(compiler *c)
{
    if (!c->m->has_data_count) {
        /* malformed if a data section follows, invalid otherwise: decided
         * at the end of the module */
        c->m->uses_data_without_count = true;
        return read_u32(&c->r);
    }
    return read_index(c, &c->m->data_count, "data segment");
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
        slots[i] = wasm__operand(c, &vals[i], depth + i);
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

void wasm__compile_memory_size(compiler *c, const opcode_info *o)
{
    read_zero_byte(c);
    need_memory(c);
    compile_generic(c, OP_MEMORY_SIZE, NULL, 0, NULL, 0, WASM_I32);
}

void wasm__compile_memory_grow(compiler *c, const opcode_info *o)
{
    read_zero_byte(c);
    need_memory(c);
    static const uint8_t i32[] = {WASM_I32};
    compile_generic(c, OP_MEMORY_GROW, NULL, 0, i32, 1, WASM_I32);
}

static const uint8_t i32x3[] = {WASM_I32, WASM_I32, WASM_I32};

void wasm__compile_memory_init(compiler *c, const opcode_info *o)
{
    uint32_t seg = read_data_index(c);
    read_zero_byte(c);
    need_memory(c);
    compile_generic(c, OP_MEMORY_INIT, &seg, 1, i32x3, 3, 0);
}

/* data.drop and elem.drop: the op and its segment, no operands */
static void compile_drop(compiler *c, enum wasm_op op, uint32_t seg)
{
    if (live(c)) {
        emit_op(c, op);
        emit_u32(c, seg);
    }
}

void wasm__compile_data_drop(compiler *c, const opcode_info *o)
{
    compile_drop(c, OP_DATA_DROP, read_data_index(c));
}

void wasm__compile_memory_copy(compiler *c, const opcode_info *o)
{
    read_zero_byte(c);
    read_zero_byte(c);
    need_memory(c);
    compile_generic(c, OP_MEMORY_COPY, NULL, 0, i32x3, 3, 0);
}

void wasm__compile_memory_fill(compiler *c, const opcode_info *o)
{
    read_zero_byte(c);
    need_memory(c);
    compile_generic(c, OP_MEMORY_FILL, NULL, 0, i32x3, 3, 0);
}

void wasm__compile_table_get(compiler *c, const opcode_info *o)
{
    uint32_t t = read_table_index(c);
    static const uint8_t i32[] = {WASM_I32};
    compile_generic(c, OP_TABLE_GET, &t, 1, i32, 1, c->m->tables[t].elem);
}

void wasm__compile_table_set(compiler *c, const opcode_info *o)
{
    uint32_t t = read_table_index(c);
    uint8_t types[2] = {WASM_I32, c->m->tables[t].elem};
    compile_generic(c, OP_TABLE_SET, &t, 1, types, 2, 0);
}

/* table.init elem table */
void wasm__compile_table_init(compiler *c, const opcode_info *o)
{
    wasm_module *m = c->m;
    uint32_t seg = read_elem_index(c);
    uint32_t t = read_table_index(c);
    if (m->elems[seg].elem_type != m->tables[t].elem)
        invalid(&c->r, "type mismatch: table.init of %s into a table of %s",
                wasm__valtype_name(m->elems[seg].elem_type), wasm__valtype_name(m->tables[t].elem));
    uint32_t pre[2] = {t, seg};
    compile_generic(c, OP_TABLE_INIT, pre, 2, i32x3, 3, 0);
}

void wasm__compile_elem_drop(compiler *c, const opcode_info *o)
{
    compile_drop(c, OP_ELEM_DROP, read_elem_index(c));
}

/* table.copy dst src */
void wasm__compile_table_copy(compiler *c, const opcode_info *o)
{
    wasm_module *m = c->m;
    uint32_t dt = read_table_index(c);
    uint32_t st = read_table_index(c);
    if (m->tables[dt].elem != m->tables[st].elem)
        invalid(&c->r, "type mismatch: table.copy between tables of different types");
    uint32_t pre[2] = {dt, st};
    compile_generic(c, OP_TABLE_COPY, pre, 2, i32x3, 3, 0);
}

void wasm__compile_table_grow(compiler *c, const opcode_info *o)
{
    uint32_t t = read_table_index(c);
    uint8_t types[2] = {c->m->tables[t].elem, WASM_I32};
    compile_generic(c, OP_TABLE_GROW, &t, 1, types, 2, WASM_I32);
}

void wasm__compile_table_size(compiler *c, const opcode_info *o)
{
    uint32_t t = read_table_index(c);
    compile_generic(c, OP_TABLE_SIZE, &t, 1, NULL, 0, WASM_I32);
}

void wasm__compile_table_fill(compiler *c, const opcode_info *o)
{
    uint32_t t = read_table_index(c);
    uint8_t types[3] = {WASM_I32, c->m->tables[t].elem, WASM_I32};
    compile_generic(c, OP_TABLE_FILL, &t, 1, types, 3, 0);
}

void wasm__compile_ref_null(compiler *c, const opcode_info *o)
{
    uint8_t t = read_reftype(&c->r);
    push(c, (vval){t, VK_CONST, 0, 0});
}

void wasm__compile_ref_is_null(compiler *c, const opcode_info *o)
{
    vval v = pop_any(c);
    if (v.type != TYPE_UNKNOWN && !is_ref_type(v.type))
        invalid(&c->r, "type mismatch: ref.is_null of %s", wasm__valtype_name(v.type));
    compile_unary(c, OP_REF_IS_NULL, &v, c->sp, WASM_I32);
}

void wasm__compile_ref_func(compiler *c, const opcode_info *o)
{
    wasm_module *m = c->m;
    uint32_t f = read_index(c, &m->nfuncs, "function");
    if (!m->func_refs[f])
        invalid(&c->r, "undeclared function reference %u", f);
    compile_generic(c, OP_REF_FUNC, &f, 1, NULL, 0, WASM_FUNCREF);
}
