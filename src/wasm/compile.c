/* compile.c: validate a function body and translate it, in the same walk,
 * into register-style internal code.  This file is the driver: the opcode
 * table, the loop over a body, and the compiler's life cycle; the sections
 * of the work are in compile_stack.c, compile_control.c and compile_ops.c
 * (see compile_internal.h).
 *
 * The operand stack is tracked symbolically.  Each entry is either a
 * temporary held in its "home" slot (locals first, then one slot per stack
 * depth), a reference to a local, or a constant.  local.get and constants
 * therefore emit nothing: the instruction that consumes them names the
 * local's slot, or takes the constant as an immediate.  An instruction
 * followed by local.set writes straight into the local, a comparison
 * followed by br_if or if becomes one compare-and-branch, and blocks emit
 * nothing at all: branches are resolved to offsets at compile time, with
 * the value moves they need, so the interpreter never scans for an `end`.
 *
 * Validation follows the specification's algorithm (operand and control
 * stacks, polymorphic stack after unconditional branches).  Code after an
 * unconditional branch is validated but not emitted.
 */
#include "compile_internal.h"

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

compiler *wasm__compiler_new(wasm_module *m, size_t module_size)
{
    compiler *c = calloc(1, sizeof *c);
    if (c) {
        c->m = m;
        c->code_limit = module_size * LIMIT_CODE_WORDS_PER_BYTE + 65536;
    }
    return c;
}

void wasm__compiler_free(compiler *c)
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

bool wasm__compiler_finish(compiler *c)
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
/* The opcode table                                                    */
/* ------------------------------------------------------------------ */

#define I32 WASM_I32
#define I64 WASM_I64
#define F32 WASM_F32
#define F64 WASM_F64
/* control, parametric, variable, table and reference instructions: the
 * handler reads what it needs */
/* (one table row per macro, each on one line: clang-format 14 would
 * spread a braced initializer in a macro over four) */
/* clang-format off */
#define OP(name, fn) {name, wasm__compile_##fn, 0, 0, 0, -1, -1, -1}
#define OPA(name, fn, arg) {name, wasm__compile_##fn, 0, 0, arg, -1, -1, -1}
#define CONST(name, type) {name, wasm__compile_const, 0, type, 0, -1, -1, -1}
/* memory accesses: the value's type, the access, the natural alignment */
#define LOAD(name, type, op, align) {name, wasm__compile_load, 0, type, align, OP_##op, -1, -1}
#define STORE(name, type, op, align) {name, wasm__compile_store, type, 0, align, OP_##op, -1, -1}
/* numeric: operand type, result type, the internal operations; BINI takes
 * a constant on the right as an immediate, BINC (commutative) on either
 * side, BINF on the left as the flipped comparison */
#define BIN(name, i, o, op) {name, wasm__compile_binop, i, o, 0, OP_##op, -1, -1}
#define BINI(name, i, o, op) {name, wasm__compile_binop, i, o, 0, OP_##op, OP_##op##_I, -1}
#define BINC(name, i, o, op) {name, wasm__compile_binop, i, o, 0, OP_##op, OP_##op##_I, OP_##op##_I}
#define BINF(name, i, o, op, flipped) \
    {name, wasm__compile_binop, i, o, 0, OP_##op, OP_##op##_I, OP_##flipped##_I}
#define UN(name, i, o, op) {name, wasm__compile_unop, i, o, 0, OP_##op, -1, -1}
#define RETYPE(name, i, o) {name, wasm__compile_retype, i, o, 0, -1, -1, -1}
/* clang-format on */

static void compile_prefixed(compiler *c, const opcode_info *o);

/* Wasm 2.0 without SIMD, by opcode byte.  Absent entries are illegal
 * opcodes (wasm__opcode_exists). */
static const opcode_info opcodes[256] = {
    [0x00] = OP("unreachable", unreachable),
    [0x01] = OP("nop", nop),
    [0x02] = OPA("block", block, CK_BLOCK),
    [0x03] = OPA("loop", block, CK_LOOP),
    [0x04] = OP("if", if),
    [0x05] = OP("else", else),
    [0x0b] = OP("end", end),
    [0x0c] = OP("br", br),
    [0x0d] = OP("br_if", br_if),
    [0x0e] = OP("br_table", br_table),
    [0x0f] = OP("return", return ),
    [0x10] = OP("call", call),
    [0x11] = OP("call_indirect", call_indirect),
    [0x1a] = OP("drop", drop),
    [0x1b] = OP("select", select),
    [0x1c] = OPA("select", select, 1), /* with a type vector */
    [0x20] = OP("local.get", local_get),
    [0x21] = OP("local.set", local_set),
    [0x22] = OP("local.tee", local_tee),
    [0x23] = OP("global.get", global_get),
    [0x24] = OP("global.set", global_set),
    [0x25] = OP("table.get", table_get),
    [0x26] = OP("table.set", table_set),
    [0x28] = LOAD("i32.load", I32, LD32U, 2),
    [0x29] = LOAD("i64.load", I64, LD64, 3),
    [0x2a] = LOAD("f32.load", F32, LD32U, 2),
    [0x2b] = LOAD("f64.load", F64, LD64, 3),
    [0x2c] = LOAD("i32.load8_s", I32, LD8S, 0),
    [0x2d] = LOAD("i32.load8_u", I32, LD8U, 0),
    [0x2e] = LOAD("i32.load16_s", I32, LD16S, 1),
    [0x2f] = LOAD("i32.load16_u", I32, LD16U, 1),
    [0x30] = LOAD("i64.load8_s", I64, LD8S, 0),
    [0x31] = LOAD("i64.load8_u", I64, LD8U, 0),
    [0x32] = LOAD("i64.load16_s", I64, LD16S, 1),
    [0x33] = LOAD("i64.load16_u", I64, LD16U, 1),
    [0x34] = LOAD("i64.load32_s", I64, LD32S, 2),
    [0x35] = LOAD("i64.load32_u", I64, LD32U, 2),
    [0x36] = STORE("i32.store", I32, ST32, 2),
    [0x37] = STORE("i64.store", I64, ST64, 3),
    [0x38] = STORE("f32.store", F32, ST32, 2),
    [0x39] = STORE("f64.store", F64, ST64, 3),
    [0x3a] = STORE("i32.store8", I32, ST8, 0),
    [0x3b] = STORE("i32.store16", I32, ST16, 1),
    [0x3c] = STORE("i64.store8", I64, ST8, 0),
    [0x3d] = STORE("i64.store16", I64, ST16, 1),
    [0x3e] = STORE("i64.store32", I64, ST32, 2),
    [0x3f] = OP("memory.size", memory_size),
    [0x40] = OP("memory.grow", memory_grow),
    [0x41] = CONST("i32.const", I32),
    [0x42] = CONST("i64.const", I64),
    [0x43] = CONST("f32.const", F32),
    [0x44] = CONST("f64.const", F64),
    [0x45] = UN("i32.eqz", I32, I32, I32_EQZ),
    [0x46] = BINC("i32.eq", I32, I32, I32_EQ),
    [0x47] = BINC("i32.ne", I32, I32, I32_NE),
    [0x48] = BINF("i32.lt_s", I32, I32, I32_LT_S, I32_GT_S),
    [0x49] = BINF("i32.lt_u", I32, I32, I32_LT_U, I32_GT_U),
    [0x4a] = BINF("i32.gt_s", I32, I32, I32_GT_S, I32_LT_S),
    [0x4b] = BINF("i32.gt_u", I32, I32, I32_GT_U, I32_LT_U),
    [0x4c] = BINF("i32.le_s", I32, I32, I32_LE_S, I32_GE_S),
    [0x4d] = BINF("i32.le_u", I32, I32, I32_LE_U, I32_GE_U),
    [0x4e] = BINF("i32.ge_s", I32, I32, I32_GE_S, I32_LE_S),
    [0x4f] = BINF("i32.ge_u", I32, I32, I32_GE_U, I32_LE_U),
    [0x50] = UN("i64.eqz", I64, I32, I64_EQZ),
    [0x51] = BINC("i64.eq", I64, I32, I64_EQ),
    [0x52] = BINC("i64.ne", I64, I32, I64_NE),
    [0x53] = BINF("i64.lt_s", I64, I32, I64_LT_S, I64_GT_S),
    [0x54] = BINF("i64.lt_u", I64, I32, I64_LT_U, I64_GT_U),
    [0x55] = BINF("i64.gt_s", I64, I32, I64_GT_S, I64_LT_S),
    [0x56] = BINF("i64.gt_u", I64, I32, I64_GT_U, I64_LT_U),
    [0x57] = BINF("i64.le_s", I64, I32, I64_LE_S, I64_GE_S),
    [0x58] = BINF("i64.le_u", I64, I32, I64_LE_U, I64_GE_U),
    [0x59] = BINF("i64.ge_s", I64, I32, I64_GE_S, I64_LE_S),
    [0x5a] = BINF("i64.ge_u", I64, I32, I64_GE_U, I64_LE_U),
    [0x5b] = BIN("f32.eq", F32, I32, F32_EQ),
    [0x5c] = BIN("f32.ne", F32, I32, F32_NE),
    [0x5d] = BIN("f32.lt", F32, I32, F32_LT),
    [0x5e] = BIN("f32.gt", F32, I32, F32_GT),
    [0x5f] = BIN("f32.le", F32, I32, F32_LE),
    [0x60] = BIN("f32.ge", F32, I32, F32_GE),
    [0x61] = BIN("f64.eq", F64, I32, F64_EQ),
    [0x62] = BIN("f64.ne", F64, I32, F64_NE),
    [0x63] = BIN("f64.lt", F64, I32, F64_LT),
    [0x64] = BIN("f64.gt", F64, I32, F64_GT),
    [0x65] = BIN("f64.le", F64, I32, F64_LE),
    [0x66] = BIN("f64.ge", F64, I32, F64_GE),
    [0x67] = UN("i32.clz", I32, I32, I32_CLZ),
    [0x68] = UN("i32.ctz", I32, I32, I32_CTZ),
    [0x69] = UN("i32.popcnt", I32, I32, I32_POPCNT),
    [0x6a] = BINC("i32.add", I32, I32, I32_ADD),
    [0x6b] = BINI("i32.sub", I32, I32, I32_SUB),
    [0x6c] = BINC("i32.mul", I32, I32, I32_MUL),
    [0x6d] = BIN("i32.div_s", I32, I32, I32_DIV_S),
    [0x6e] = BIN("i32.div_u", I32, I32, I32_DIV_U),
    [0x6f] = BIN("i32.rem_s", I32, I32, I32_REM_S),
    [0x70] = BIN("i32.rem_u", I32, I32, I32_REM_U),
    [0x71] = BINC("i32.and", I32, I32, I32_AND),
    [0x72] = BINC("i32.or", I32, I32, I32_OR),
    [0x73] = BINC("i32.xor", I32, I32, I32_XOR),
    [0x74] = BINI("i32.shl", I32, I32, I32_SHL),
    [0x75] = BINI("i32.shr_s", I32, I32, I32_SHR_S),
    [0x76] = BINI("i32.shr_u", I32, I32, I32_SHR_U),
    [0x77] = BINI("i32.rotl", I32, I32, I32_ROTL),
    [0x78] = BINI("i32.rotr", I32, I32, I32_ROTR),
    [0x79] = UN("i64.clz", I64, I64, I64_CLZ),
    [0x7a] = UN("i64.ctz", I64, I64, I64_CTZ),
    [0x7b] = UN("i64.popcnt", I64, I64, I64_POPCNT),
    [0x7c] = BINC("i64.add", I64, I64, I64_ADD),
    [0x7d] = BINI("i64.sub", I64, I64, I64_SUB),
    [0x7e] = BINC("i64.mul", I64, I64, I64_MUL),
    [0x7f] = BIN("i64.div_s", I64, I64, I64_DIV_S),
    [0x80] = BIN("i64.div_u", I64, I64, I64_DIV_U),
    [0x81] = BIN("i64.rem_s", I64, I64, I64_REM_S),
    [0x82] = BIN("i64.rem_u", I64, I64, I64_REM_U),
    [0x83] = BINC("i64.and", I64, I64, I64_AND),
    [0x84] = BINC("i64.or", I64, I64, I64_OR),
    [0x85] = BINC("i64.xor", I64, I64, I64_XOR),
    [0x86] = BINI("i64.shl", I64, I64, I64_SHL),
    [0x87] = BINI("i64.shr_s", I64, I64, I64_SHR_S),
    [0x88] = BINI("i64.shr_u", I64, I64, I64_SHR_U),
    [0x89] = BINI("i64.rotl", I64, I64, I64_ROTL),
    [0x8a] = BINI("i64.rotr", I64, I64, I64_ROTR),
    [0x8b] = UN("f32.abs", F32, F32, F32_ABS),
    [0x8c] = UN("f32.neg", F32, F32, F32_NEG),
    [0x8d] = UN("f32.ceil", F32, F32, F32_CEIL),
    [0x8e] = UN("f32.floor", F32, F32, F32_FLOOR),
    [0x8f] = UN("f32.trunc", F32, F32, F32_TRUNC),
    [0x90] = UN("f32.nearest", F32, F32, F32_NEAREST),
    [0x91] = UN("f32.sqrt", F32, F32, F32_SQRT),
    [0x92] = BIN("f32.add", F32, F32, F32_ADD),
    [0x93] = BIN("f32.sub", F32, F32, F32_SUB),
    [0x94] = BIN("f32.mul", F32, F32, F32_MUL),
    [0x95] = BIN("f32.div", F32, F32, F32_DIV),
    [0x96] = BIN("f32.min", F32, F32, F32_MIN),
    [0x97] = BIN("f32.max", F32, F32, F32_MAX),
    [0x98] = BIN("f32.copysign", F32, F32, F32_COPYSIGN),
    [0x99] = UN("f64.abs", F64, F64, F64_ABS),
    [0x9a] = UN("f64.neg", F64, F64, F64_NEG),
    [0x9b] = UN("f64.ceil", F64, F64, F64_CEIL),
    [0x9c] = UN("f64.floor", F64, F64, F64_FLOOR),
    [0x9d] = UN("f64.trunc", F64, F64, F64_TRUNC),
    [0x9e] = UN("f64.nearest", F64, F64, F64_NEAREST),
    [0x9f] = UN("f64.sqrt", F64, F64, F64_SQRT),
    [0xa0] = BIN("f64.add", F64, F64, F64_ADD),
    [0xa1] = BIN("f64.sub", F64, F64, F64_SUB),
    [0xa2] = BIN("f64.mul", F64, F64, F64_MUL),
    [0xa3] = BIN("f64.div", F64, F64, F64_DIV),
    [0xa4] = BIN("f64.min", F64, F64, F64_MIN),
    [0xa5] = BIN("f64.max", F64, F64, F64_MAX),
    [0xa6] = BIN("f64.copysign", F64, F64, F64_COPYSIGN),
    [0xa7] = RETYPE("i32.wrap_i64", I64, I32),
    [0xa8] = UN("i32.trunc_f32_s", F32, I32, I32_TRUNC_F32_S),
    [0xa9] = UN("i32.trunc_f32_u", F32, I32, I32_TRUNC_F32_U),
    [0xaa] = UN("i32.trunc_f64_s", F64, I32, I32_TRUNC_F64_S),
    [0xab] = UN("i32.trunc_f64_u", F64, I32, I32_TRUNC_F64_U),
    [0xac] = UN("i64.extend_i32_s", I32, I64, I64_EXTEND32_S),
    [0xad] = UN("i64.extend_i32_u", I32, I64, I64_EXTEND_I32_U),
    [0xae] = UN("i64.trunc_f32_s", F32, I64, I64_TRUNC_F32_S),
    [0xaf] = UN("i64.trunc_f32_u", F32, I64, I64_TRUNC_F32_U),
    [0xb0] = UN("i64.trunc_f64_s", F64, I64, I64_TRUNC_F64_S),
    [0xb1] = UN("i64.trunc_f64_u", F64, I64, I64_TRUNC_F64_U),
    [0xb2] = UN("f32.convert_i32_s", I32, F32, F32_CONVERT_I32_S),
    [0xb3] = UN("f32.convert_i32_u", I32, F32, F32_CONVERT_I32_U),
    [0xb4] = UN("f32.convert_i64_s", I64, F32, F32_CONVERT_I64_S),
    [0xb5] = UN("f32.convert_i64_u", I64, F32, F32_CONVERT_I64_U),
    [0xb6] = UN("f32.demote_f64", F64, F32, F32_DEMOTE_F64),
    [0xb7] = UN("f64.convert_i32_s", I32, F64, F64_CONVERT_I32_S),
    [0xb8] = UN("f64.convert_i32_u", I32, F64, F64_CONVERT_I32_U),
    [0xb9] = UN("f64.convert_i64_s", I64, F64, F64_CONVERT_I64_S),
    [0xba] = UN("f64.convert_i64_u", I64, F64, F64_CONVERT_I64_U),
    [0xbb] = UN("f64.promote_f32", F32, F64, F64_PROMOTE_F32),
    [0xbc] = RETYPE("i32.reinterpret_f32", F32, I32),
    [0xbd] = RETYPE("i64.reinterpret_f64", F64, I64),
    [0xbe] = RETYPE("f32.reinterpret_i32", I32, F32),
    [0xbf] = RETYPE("f64.reinterpret_i64", I64, F64),
    [0xc0] = UN("i32.extend8_s", I32, I32, I32_EXTEND8_S),
    [0xc1] = UN("i32.extend16_s", I32, I32, I32_EXTEND16_S),
    [0xc2] = UN("i64.extend8_s", I64, I64, I64_EXTEND8_S),
    [0xc3] = UN("i64.extend16_s", I64, I64, I64_EXTEND16_S),
    [0xc4] = UN("i64.extend32_s", I64, I64, I64_EXTEND32_S),
    [0xd0] = OP("ref.null", ref_null),
    [0xd1] = OP("ref.is_null", ref_is_null),
    [0xd2] = OP("ref.func", ref_func),
    [0xfc] = {"(0xfc prefix)", compile_prefixed, 0, 0, 0, -1, -1, -1},
};

/* After the 0xfc prefix, by the LEB128 that follows. */
static const opcode_info prefixed_opcodes[] = {
    [0] = UN("i32.trunc_sat_f32_s", F32, I32, I32_TRUNC_SAT_F32_S),
    [1] = UN("i32.trunc_sat_f32_u", F32, I32, I32_TRUNC_SAT_F32_U),
    [2] = UN("i32.trunc_sat_f64_s", F64, I32, I32_TRUNC_SAT_F64_S),
    [3] = UN("i32.trunc_sat_f64_u", F64, I32, I32_TRUNC_SAT_F64_U),
    [4] = UN("i64.trunc_sat_f32_s", F32, I64, I64_TRUNC_SAT_F32_S),
    [5] = UN("i64.trunc_sat_f32_u", F32, I64, I64_TRUNC_SAT_F32_U),
    [6] = UN("i64.trunc_sat_f64_s", F64, I64, I64_TRUNC_SAT_F64_S),
    [7] = UN("i64.trunc_sat_f64_u", F64, I64, I64_TRUNC_SAT_F64_U),
    [8] = OP("memory.init", memory_init),
    [9] = OP("data.drop", data_drop),
    [10] = OP("memory.copy", memory_copy),
    [11] = OP("memory.fill", memory_fill),
    [12] = OP("table.init", table_init),
    [13] = OP("elem.drop", elem_drop),
    [14] = OP("table.copy", table_copy),
    [15] = OP("table.grow", table_grow),
    [16] = OP("table.size", table_size),
    [17] = OP("table.fill", table_fill),
};

static void compile_prefixed(compiler *c, const opcode_info *o)
{
    uint32_t sub = read_u32(&c->r);
    if (sub >= sizeof prefixed_opcodes / sizeof prefixed_opcodes[0])
        malformed(&c->r, "illegal opcode 0xfc %u", sub);
    const opcode_info *p = &prefixed_opcodes[sub];
    p->compile(c, p);
}

bool wasm__opcode_exists(uint8_t op)
{
    return opcodes[op].compile != NULL;
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

/* One handler per instruction until the `end` of the function pops the
 * last control frame. */
static void compile_body(compiler *c)
{
    while (c->nctrl > 0) {
        uint8_t byte = read_u8(&c->r);
        const opcode_info *o = &opcodes[byte];
        if (!o->compile)
            malformed(&c->r, "illegal opcode 0x%02x", byte);
        o->compile(c, o);
    }
}

bool wasm__compiler_run(compiler *c, func_code *fc, const uint8_t *bytes, size_t start, size_t end,
                        compile_error *err)
{
    jmp_buf jb;
    c->fc = fc;
    c->r = (reader){.buf = bytes,
                    .pos = start,
                    .end = end,
                    .section = "code",
                    .err = err->buf,
                    .errlen = err->len,
                    .fail = &jb};
    c->sp = c->max_depth = 0;
    c->nctrl = 0;
    c->npatches = 0;
    c->last_valid = false;
    size_t code_start = c->code_len;
    if (setjmp(jb)) {
        err->error = c->r.error;
        c->code_len = code_start;
        return false;
    }
    read_locals(c);
    /* code for this function starts here */
    fc->code_offset = (uint32_t)c->code_len;
    ctrl *f = wasm__push_ctrl(c, CK_FUNC);
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
