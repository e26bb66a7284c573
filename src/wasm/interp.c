/* interp.c: the interpreter.
 *
 * The innermost call frame lives in a register (cf); rt->cf is brought up
 * to date only where someone else reads it: before a host function (which
 * may call back into Wasm and push frames above ours) and at a trap.
 *
 * Direct threading: every instruction starts with the address of its
 * handler, and every handler ends by jumping to the next one (computed
 * goto), so there is no central loop, no opcode decoding and no bounds
 * arithmetic beyond what the compiler left in.  Operands are slot indices
 * into the current frame (fp).  Wasm calls do not recurse in C: a call
 * pushes a call_frame and jumps; only a host function calling back into
 * Wasm (wasm_call) enters this function again.
 *
 * Loads and stores check the effective address against the memory's size
 * (msize points at it, so memory.grow anywhere is seen at once).
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "internal.h"
#include "jit.h"
#include "values.h"

const void *wasm__interp_handlers[OP_COUNT];
static code_t exit_code[2]; /* where a call made from the host returns to */

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------------ */
/* The interpreter                                                     */
/* ------------------------------------------------------------------ */

/* From here to the end of wasm__interp_call the layout is by hand: one
 * handler per line or block, as a table of the instruction set, and the
 * handler-family macros on one line each. */
/* clang-format off */
/* Operand word i of the current instruction (after the two handler words). */
#define W(i) (pc[2 + (i)])
#define SW(i) ((int32_t)pc[2 + (i)])
#define S(i) fp[W(i)]
#define U32(i) ((uint32_t)fp[W(i)])
#define I32(i) ((int32_t)(uint32_t)fp[W(i)])
#define U64(i) (fp[W(i)])
#define I64(i) ((int64_t)fp[W(i)])
#define F32(i) f32_of(fp[W(i)])
#define F64(i) f64_of(fp[W(i)])

#define DISPATCH()                          \
    do {                                    \
        const void *h_;                     \
        memcpy(&h_, pc, sizeof h_);         \
        goto *h_;                           \
    } while (0)
#define NEXT(words)                         \
    do {                                    \
        pc += (words);                      \
        DISPATCH();                         \
    } while (0)

#ifdef WASM_ENGINE_FUEL
#define CHECK_FUEL() if (unlikely(rt->fuel-- == 0)) { rt->fuel = 0; TRAP(WASM_TRAP_OUT_OF_FUEL); }
#else
#define CHECK_FUEL()
#endif
/* At calls and loop back-edges. */
#define CHECK_INTERRUPT()                                  \
    do {                                                   \
        if (unlikely(rt->interrupt))                       \
            TRAP(WASM_TRAP_INTERRUPTED);                   \
        CHECK_FUEL();                                      \
    } while (0)

/* A taken branch; offsets are relative to the branch instruction and only
 * loops branch backwards (or to themselves).  A back-edge counts towards
 * the tiered engine's next look at what runs hot (tier_loop). */
#define BRANCH(off)                                        \
    do {                                                   \
        int32_t o_ = (off);                                \
        pc += o_;                                          \
        if (o_ <= 0) {                                     \
            CHECK_INTERRUPT();                             \
            if (unlikely(--rt->tier_countdown < 0))        \
                goto tier_loop;                            \
        }                                                  \
        DISPATCH();                                        \
    } while (0)

#define TRAP(s)          \
    do {                 \
        status = (s);    \
        goto trap;       \
    } while (0)

/* Locals start at zero.  Functions have few of them: the empty asm keeps
 * the compiler from turning the loop into a call to memset. */
#define ZERO_LOCALS(frame, fn)                                         \
    do {                                                               \
        for (uint32_t i_ = (fn)->nparams; i_ < (fn)->nlocals; i_++) {  \
            (frame)[i_] = 0;                                           \
            __asm__("" : "+r"(i_));                                    \
        }                                                              \
    } while (0)

/* The host address of an access of n bytes at effective address ea, or a
 * trap when it is not inside the memory.  ea is at most 2^33, so the sum
 * cannot overflow. */
#define ACCESS(ea, n)                                              \
    ({                                                             \
        uint64_t ea_ = (ea);                                       \
        if (unlikely(ea_ + (n) > *msize))                          \
            TRAP(WASM_TRAP_MEMORY_OOB);                            \
        mem + ea_;                                                 \
    })
#define MEM(slot, off, n) ACCESS((uint64_t)(uint32_t)fp[slot] + (uint64_t)(off), n)

/* Integer binary operations: the slot form (d, a, b) and the immediate form
 * (d, a, imm).  i64 immediates are sign-extended 32-bit values. */
#define IBIN32(NAME, EXPR)                                                   \
    L_I32_##NAME: { uint32_t a = U32(1), b = U32(2); S(0) = (uint32_t)(EXPR); NEXT(5); } \
    L_I32_##NAME##_I: { uint32_t a = U32(1), b = W(2); S(0) = (uint32_t)(EXPR); NEXT(5); }
#define IBIN64(NAME, EXPR)                                                   \
    L_I64_##NAME: { uint64_t a = U64(1), b = U64(2); S(0) = (uint64_t)(EXPR); NEXT(5); } \
    L_I64_##NAME##_I: { uint64_t a = U64(1), b = (uint64_t)(int64_t)(int32_t)W(2); S(0) = (uint64_t)(EXPR); NEXT(5); }
/* Comparisons produce an i32 in both widths. */
#define ICMP32(NAME, T, OP)                                                  \
    L_I32_##NAME: { S(0) = (T)U32(1) OP (T)U32(2); NEXT(5); }                \
    L_I32_##NAME##_I: { S(0) = (T)U32(1) OP (T)W(2); NEXT(5); }              \
    L_BR_I32_##NAME: { if ((T)U32(0) OP (T)U32(1)) BRANCH(SW(2)); NEXT(5); } \
    L_BR_I32_##NAME##_I: { if ((T)U32(0) OP (T)W(1)) BRANCH(SW(2)); NEXT(5); }
#define ICMP64(NAME, T, OP)                                                  \
    L_I64_##NAME: { S(0) = (T)U64(1) OP (T)U64(2); NEXT(5); }                \
    L_I64_##NAME##_I: { S(0) = (T)U64(1) OP (T)(int64_t)(int32_t)W(2); NEXT(5); } \
    L_BR_I64_##NAME: { if ((T)U64(0) OP (T)U64(1)) BRANCH(SW(2)); NEXT(5); } \
    L_BR_I64_##NAME##_I: { if ((T)U64(0) OP (T)(int64_t)(int32_t)W(1)) BRANCH(SW(2)); NEXT(5); }

#define FBIN32(NAME, EXPR) L_F32_##NAME: { float a = F32(1), b = F32(2); S(0) = f32_bits(EXPR); NEXT(5); }
#define FBIN64(NAME, EXPR) L_F64_##NAME: { double a = F64(1), b = F64(2); S(0) = f64_bits(EXPR); NEXT(5); }
#define FCMP32(NAME, OP) L_F32_##NAME: { S(0) = (uint32_t)(F32(1) OP F32(2)); NEXT(5); }
#define FCMP64(NAME, OP) L_F64_##NAME: { S(0) = (uint32_t)(F64(1) OP F64(2)); NEXT(5); }
#define UNOP(LABEL, EXPR) L_##LABEL: { uint64_t x = U64(1); (void)x; S(0) = (EXPR); NEXT(4); }

/* A call the compiling tier may take: the callee has machine code, or
 * the tiered engine's count ran out (then the callee is compiled if it
 * can be).  True when machine code ran it (status in *status; the
 * results are in nfp[0..], as after an interpreted call). */
static __attribute__((noinline)) bool tier_call(wasm_runtime *rt, const func_code *callee,
                                                wasm_instance *inst, uint64_t *nfp,
                                                wasm_status *status)
{
    if (!wasm__jit_code(callee))
        wasm__jit_tier_up(rt, callee);
    if (!rt->use_jit || !wasm__jit_code(callee))
        return false;
    *status = wasm__jit_enter(rt, callee, inst, nfp);
    return true;
}

/* Runs `entry` (a Wasm function, args in fp[0..]); called with rt NULL
 * once, by wasm__interp_init, to publish the handlers' addresses. */
wasm_status wasm__interp_call(wasm_runtime *rt, wasm_func *entry, uint64_t *fp)
{
    static const void *const labels[OP_COUNT] = {
#define X(name) &&L_##name,
        WASM_OPS(X)
#undef X
    };
    if (unlikely(!rt)) {
        memcpy(wasm__interp_handlers, labels, sizeof labels);
        memcpy(exit_code, &labels[OP_EXIT], sizeof labels[0]);
        return WASM_OK;
    }

    wasm_status status;
    wasm_instance *inst = entry->inst;
    uint8_t *mem = inst->mem_base;
    const uint64_t *msize = inst->mem_size;
    const func_code *fc = entry->code;
    uint64_t *const stack_end = rt->stack_end;
    call_frame *const frames_end = rt->frames_end;
    call_frame *cf = rt->cf;
    const code_t *pc;

    /* wasm_call checked the value stack */
    if (unlikely(cf + 1 >= frames_end)) {
        pc = exit_code;
        TRAP(WASM_TRAP_STACK_EXHAUSTED);
    }
    cf++;
    cf->ret_pc = exit_code;
    cf->fp = fp;
    cf->inst = inst;
    cf->fn = fc;
    rt->cf = cf;
    ZERO_LOCALS(fp, fc);
    pc = fc->code;
    DISPATCH();

L_EXIT:
    return WASM_OK;

L_UNREACHABLE:
    TRAP(WASM_TRAP_UNREACHABLE);

L_MOV: S(0) = S(1); NEXT(4);
L_CONST32: S(0) = W(1); NEXT(4);
L_CONST64: S(0) = (uint64_t)W(1) | (uint64_t)W(2) << 32; NEXT(5);
L_SELECT: S(0) = U32(3) ? S(1) : S(2); NEXT(6);

L_BR: BRANCH(SW(0));
L_BR_NZ: if (U32(0)) BRANCH(SW(1)); NEXT(4);
L_BR_Z: if (!U32(0)) BRANCH(SW(1)); NEXT(4);
L_BR_NZ64: if (U64(0)) BRANCH(SW(1)); NEXT(4);
L_BR_Z64: if (!U64(0)) BRANCH(SW(1)); NEXT(4);
L_BR_TABLE: {
    uint32_t i = U32(0), n = W(1);
    BRANCH(SW(2 + (i < n ? i : n)));
}

L_RETK:
    fp[0] = (uint64_t)W(0) | (uint64_t)W(1) << 32;
    goto ret;
L_RET1:
    fp[0] = S(0);
    /* fall through */
L_RET:
ret:
    pc = cf->ret_pc;
    fp = cf->fp;
    inst = cf->inst;
    mem = inst->mem_base;
    msize = inst->mem_size;
    cf--;
    DISPATCH();

L_CALL: {
    const func_code *callee;
    memcpy(&callee, &pc[2], sizeof callee);
    uint64_t *nfp = fp + W(2);
    if (unlikely(cf + 1 >= frames_end || nfp + callee->frame_slots > stack_end))
        TRAP(WASM_TRAP_STACK_EXHAUSTED);
    CHECK_INTERRUPT();
    if (unlikely(__atomic_load_n(&callee->jit_code, __ATOMIC_RELAXED) != NULL ||
                 --rt->tier_countdown < 0)) {
        rt->cf = cf;
        if (tier_call(rt, callee, inst, nfp, &status)) {
            if (unlikely(status != WASM_OK))
                return status;
            NEXT(5);
        }
    }
    cf++;
    cf->ret_pc = pc + 5;
    cf->fp = fp;
    cf->inst = inst;
    cf->fn = callee;
    ZERO_LOCALS(nfp, callee);
    fp = nfp;
    pc = callee->code;
    DISPATCH();
}

    {
        wasm_func *f;
        uint64_t *nfp;
        const code_t *ret_pc;
L_CALL_IMPORT:
        f = inst->funcs[W(0)];
        nfp = fp + W(1);
        ret_pc = pc + 4;
        goto call_func;
L_CALL_INDIRECT: {
        wasm_table *t = inst->tables[W(0)];
        uint32_t i = U32(2);
        if (unlikely(i >= t->size))
            TRAP(WASM_TRAP_TABLE_OOB);
        f = (wasm_func *)(uintptr_t)t->elems[i];
        if (unlikely(!f))
            TRAP(WASM_TRAP_NULL_FUNC);
        if (unlikely(f->type_id != W(1)))
            TRAP(WASM_TRAP_INDIRECT_TYPE);
        nfp = fp + W(3);
        ret_pc = pc + 6;
        }
call_func:
        CHECK_INTERRUPT();
        if (f->host) {
            /* the host may call back into Wasm: its frames go above ours */
            rt->sp = nfp + f->frame_need;
            rt->cf = cf;
            pc = ret_pc;
            status = f->host(inst, f->userdata, (wasm_value *)nfp);
            if (unlikely(status != WASM_OK))
                return status;
            DISPATCH();
        }
        const func_code *callee = f->code;
        if (unlikely(cf + 1 >= frames_end || nfp + callee->frame_slots > stack_end))
            TRAP(WASM_TRAP_STACK_EXHAUSTED);
        if (unlikely(__atomic_load_n(&callee->jit_code, __ATOMIC_RELAXED) != NULL ||
                 --rt->tier_countdown < 0)) {
            rt->cf = cf;
            if (tier_call(rt, callee, f->inst, nfp, &status)) {
                if (unlikely(status != WASM_OK))
                    return status;
                pc = ret_pc;
                DISPATCH();
            }
        }
        cf++;
        cf->ret_pc = ret_pc;
        cf->fp = fp;
        cf->inst = inst;
        cf->fn = callee;
        ZERO_LOCALS(nfp, callee);
        fp = nfp;
        inst = f->inst;
        mem = inst->mem_base;
        msize = inst->mem_size;
        pc = callee->code;
        DISPATCH();
    }

L_GLOBAL_GET: S(0) = *inst->globals[W(1)]; NEXT(4);
L_GLOBAL_SET: *inst->globals[W(0)] = S(1); NEXT(4);

    /* ---- integers ---- */
    IBIN32(ADD, a + b)
    IBIN32(SUB, a - b)
    IBIN32(MUL, a * b)
    IBIN32(AND, a & b)
    IBIN32(OR, a | b)
    IBIN32(XOR, a ^ b)
    IBIN32(SHL, a << (b & 31))
    IBIN32(SHR_S, (int32_t)a >> (b & 31))
    IBIN32(SHR_U, a >> (b & 31))
    IBIN32(ROTL, rotl32(a, b))
    IBIN32(ROTR, rotr32(a, b))
    ICMP32(EQ, uint32_t, ==)
    ICMP32(NE, uint32_t, !=)
    ICMP32(LT_S, int32_t, <)
    ICMP32(LT_U, uint32_t, <)
    ICMP32(GT_S, int32_t, >)
    ICMP32(GT_U, uint32_t, >)
    ICMP32(LE_S, int32_t, <=)
    ICMP32(LE_U, uint32_t, <=)
    ICMP32(GE_S, int32_t, >=)
    ICMP32(GE_U, uint32_t, >=)

    IBIN64(ADD, a + b)
    IBIN64(SUB, a - b)
    IBIN64(MUL, a * b)
    IBIN64(AND, a & b)
    IBIN64(OR, a | b)
    IBIN64(XOR, a ^ b)
    IBIN64(SHL, a << (b & 63))
    IBIN64(SHR_S, (int64_t)a >> (b & 63))
    IBIN64(SHR_U, a >> (b & 63))
    IBIN64(ROTL, rotl64(a, b))
    IBIN64(ROTR, rotr64(a, b))
    ICMP64(EQ, uint64_t, ==)
    ICMP64(NE, uint64_t, !=)
    ICMP64(LT_S, int64_t, <)
    ICMP64(LT_U, uint64_t, <)
    ICMP64(GT_S, int64_t, >)
    ICMP64(GT_U, uint64_t, >)
    ICMP64(LE_S, int64_t, <=)
    ICMP64(LE_U, uint64_t, <=)
    ICMP64(GE_S, int64_t, >=)
    ICMP64(GE_U, uint64_t, >=)

L_I32_DIV_S: {
    int32_t a = I32(1), b = I32(2);
    if (unlikely(b == 0)) TRAP(WASM_TRAP_DIV_ZERO);
    if (unlikely(a == INT32_MIN && b == -1)) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint32_t)(a / b);
    NEXT(5);
}
L_I32_DIV_U: {
    uint32_t a = U32(1), b = U32(2);
    if (unlikely(b == 0)) TRAP(WASM_TRAP_DIV_ZERO);
    S(0) = a / b;
    NEXT(5);
}
L_I32_REM_S: {
    int32_t a = I32(1), b = I32(2);
    if (unlikely(b == 0)) TRAP(WASM_TRAP_DIV_ZERO);
    S(0) = b == -1 ? 0 : (uint32_t)(a % b);
    NEXT(5);
}
L_I32_REM_U: {
    uint32_t a = U32(1), b = U32(2);
    if (unlikely(b == 0)) TRAP(WASM_TRAP_DIV_ZERO);
    S(0) = a % b;
    NEXT(5);
}
L_I64_DIV_S: {
    int64_t a = I64(1), b = I64(2);
    if (unlikely(b == 0)) TRAP(WASM_TRAP_DIV_ZERO);
    if (unlikely(a == INT64_MIN && b == -1)) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint64_t)(a / b);
    NEXT(5);
}
L_I64_DIV_U: {
    uint64_t a = U64(1), b = U64(2);
    if (unlikely(b == 0)) TRAP(WASM_TRAP_DIV_ZERO);
    S(0) = a / b;
    NEXT(5);
}
L_I64_REM_S: {
    int64_t a = I64(1), b = I64(2);
    if (unlikely(b == 0)) TRAP(WASM_TRAP_DIV_ZERO);
    S(0) = b == -1 ? 0 : (uint64_t)(a % b);
    NEXT(5);
}
L_I64_REM_U: {
    uint64_t a = U64(1), b = U64(2);
    if (unlikely(b == 0)) TRAP(WASM_TRAP_DIV_ZERO);
    S(0) = a % b;
    NEXT(5);
}

    UNOP(I32_EQZ, (uint32_t)x == 0)
    UNOP(I32_CLZ, (uint32_t)x ? (uint64_t)__builtin_clz((uint32_t)x) : 32)
    UNOP(I32_CTZ, (uint32_t)x ? (uint64_t)__builtin_ctz((uint32_t)x) : 32)
    UNOP(I32_POPCNT, (uint64_t)__builtin_popcount((uint32_t)x))
    UNOP(I32_EXTEND8_S, (uint32_t)(int32_t)(int8_t)x)
    UNOP(I32_EXTEND16_S, (uint32_t)(int32_t)(int16_t)x)
    UNOP(I64_EQZ, x == 0)
    UNOP(I64_CLZ, x ? (uint64_t)__builtin_clzll(x) : 64)
    UNOP(I64_CTZ, x ? (uint64_t)__builtin_ctzll(x) : 64)
    UNOP(I64_POPCNT, (uint64_t)__builtin_popcountll(x))
    UNOP(I64_EXTEND8_S, (uint64_t)(int64_t)(int8_t)x)
    UNOP(I64_EXTEND16_S, (uint64_t)(int64_t)(int16_t)x)
    UNOP(I64_EXTEND32_S, (uint64_t)(int64_t)(int32_t)x)
    UNOP(I64_EXTEND_I32_U, (uint32_t)x)

    /* ---- floats ---- */
    FBIN32(ADD, a + b)
    FBIN32(SUB, a - b)
    FBIN32(MUL, a * b)
    FBIN32(DIV, a / b)
    FBIN32(MIN, wasm_fminf(a, b))
    FBIN32(MAX, wasm_fmaxf(a, b))
L_F32_COPYSIGN: S(0) = (U32(1) & 0x7fffffffu) | (U32(2) & 0x80000000u); NEXT(5);
    FCMP32(EQ, ==)
    FCMP32(NE, !=)
    FCMP32(LT, <)
    FCMP32(GT, >)
    FCMP32(LE, <=)
    FCMP32(GE, >=)
    FBIN64(ADD, a + b)
    FBIN64(SUB, a - b)
    FBIN64(MUL, a * b)
    FBIN64(DIV, a / b)
    FBIN64(MIN, wasm_fmin(a, b))
    FBIN64(MAX, wasm_fmax(a, b))
L_F64_COPYSIGN: S(0) = (U64(1) & 0x7fffffffffffffffull) | (U64(2) & 0x8000000000000000ull); NEXT(5);
    FCMP64(EQ, ==)
    FCMP64(NE, !=)
    FCMP64(LT, <)
    FCMP64(GT, >)
    FCMP64(LE, <=)
    FCMP64(GE, >=)

    /* abs, neg and copysign only touch the sign bit (NaN payloads stay) */
    UNOP(F32_ABS, (uint32_t)x & 0x7fffffffu)
    UNOP(F32_NEG, ((uint32_t)x ^ 0x80000000u))
    UNOP(F32_CEIL, f32_bits(wasm_ceilf(f32_of(x))))
    UNOP(F32_FLOOR, f32_bits(wasm_floorf(f32_of(x))))
    UNOP(F32_TRUNC, f32_bits(wasm_truncf(f32_of(x))))
    UNOP(F32_NEAREST, f32_bits(wasm_nearestf(f32_of(x))))
    UNOP(F32_SQRT, f32_bits(sqrtf(f32_of(x))))
    UNOP(F64_ABS, x & 0x7fffffffffffffffull)
    UNOP(F64_NEG, x ^ 0x8000000000000000ull)
    UNOP(F64_CEIL, f64_bits(wasm_ceil(f64_of(x))))
    UNOP(F64_FLOOR, f64_bits(wasm_floor(f64_of(x))))
    UNOP(F64_TRUNC, f64_bits(wasm_trunc(f64_of(x))))
    UNOP(F64_NEAREST, f64_bits(wasm_nearest(f64_of(x))))
    UNOP(F64_SQRT, f64_bits(sqrt(f64_of(x))))

L_I32_TRUNC_F32_S: {
    float f = F32(1);
    if (unlikely(isnan(f))) TRAP(WASM_TRAP_INVALID_CONVERSION);
    if (unlikely(!(f >= -2147483648.0f && f < 2147483648.0f))) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint32_t)(int32_t)f;
    NEXT(4);
}
L_I32_TRUNC_F32_U: {
    float f = F32(1);
    if (unlikely(isnan(f))) TRAP(WASM_TRAP_INVALID_CONVERSION);
    if (unlikely(!(f > -1.0f && f < 4294967296.0f))) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint32_t)f;
    NEXT(4);
}
L_I32_TRUNC_F64_S: {
    double d = F64(1);
    if (unlikely(isnan(d))) TRAP(WASM_TRAP_INVALID_CONVERSION);
    if (unlikely(!(d > -2147483649.0 && d < 2147483648.0))) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint32_t)(int32_t)d;
    NEXT(4);
}
L_I32_TRUNC_F64_U: {
    double d = F64(1);
    if (unlikely(isnan(d))) TRAP(WASM_TRAP_INVALID_CONVERSION);
    if (unlikely(!(d > -1.0 && d < 4294967296.0))) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint32_t)d;
    NEXT(4);
}
L_I64_TRUNC_F32_S: {
    float f = F32(1);
    if (unlikely(isnan(f))) TRAP(WASM_TRAP_INVALID_CONVERSION);
    if (unlikely(!(f >= -9223372036854775808.0f && f < 9223372036854775808.0f)))
        TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint64_t)(int64_t)f;
    NEXT(4);
}
L_I64_TRUNC_F32_U: {
    float f = F32(1);
    if (unlikely(isnan(f))) TRAP(WASM_TRAP_INVALID_CONVERSION);
    if (unlikely(!(f > -1.0f && f < 18446744073709551616.0f))) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint64_t)f;
    NEXT(4);
}
L_I64_TRUNC_F64_S: {
    double d = F64(1);
    if (unlikely(isnan(d))) TRAP(WASM_TRAP_INVALID_CONVERSION);
    if (unlikely(!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)))
        TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint64_t)(int64_t)d;
    NEXT(4);
}
L_I64_TRUNC_F64_U: {
    double d = F64(1);
    if (unlikely(isnan(d))) TRAP(WASM_TRAP_INVALID_CONVERSION);
    if (unlikely(!(d > -1.0 && d < 18446744073709551616.0))) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(0) = (uint64_t)d;
    NEXT(4);
}
    UNOP(I32_TRUNC_SAT_F32_S, sat_i32_s(f32_of(x)))
    UNOP(I32_TRUNC_SAT_F32_U, sat_i32_u(f32_of(x)))
    UNOP(I32_TRUNC_SAT_F64_S, sat_i32_s(f64_of(x)))
    UNOP(I32_TRUNC_SAT_F64_U, sat_i32_u(f64_of(x)))
    UNOP(I64_TRUNC_SAT_F32_S, sat_i64_s(f32_of(x)))
    UNOP(I64_TRUNC_SAT_F32_U, sat_i64_u(f32_of(x)))
    UNOP(I64_TRUNC_SAT_F64_S, sat_i64_s(f64_of(x)))
    UNOP(I64_TRUNC_SAT_F64_U, sat_i64_u(f64_of(x)))
    UNOP(F32_CONVERT_I32_S, f32_bits((float)(int32_t)x))
    UNOP(F32_CONVERT_I32_U, f32_bits((float)(uint32_t)x))
    UNOP(F32_CONVERT_I64_S, f32_bits((float)(int64_t)x))
    UNOP(F32_CONVERT_I64_U, f32_bits((float)x))
    UNOP(F64_CONVERT_I32_S, f64_bits((double)(int32_t)x))
    UNOP(F64_CONVERT_I32_U, f64_bits((double)(uint32_t)x))
    UNOP(F64_CONVERT_I64_S, f64_bits((double)(int64_t)x))
    UNOP(F64_CONVERT_I64_U, f64_bits((double)x))
    UNOP(F32_DEMOTE_F64, f32_bits((float)f64_of(x)))
    UNOP(F64_PROMOTE_F32, f64_bits((double)f32_of(x)))

    /* ---- memory ---- */
L_LD8S: S(0) = (uint64_t)(int64_t)*(int8_t *)MEM(W(1), W(2), 1); NEXT(5);
L_LD8U: S(0) = *(uint8_t *)MEM(W(1), W(2), 1); NEXT(5);
L_LD16S: { int16_t v; memcpy(&v, MEM(W(1), W(2), 2), 2); S(0) = (uint64_t)(int64_t)v; NEXT(5); }
L_LD16U: { uint16_t v; memcpy(&v, MEM(W(1), W(2), 2), 2); S(0) = v; NEXT(5); }
L_LD32S: { int32_t v; memcpy(&v, MEM(W(1), W(2), 4), 4); S(0) = (uint64_t)(int64_t)v; NEXT(5); }
L_LD32U: { uint32_t v; memcpy(&v, MEM(W(1), W(2), 4), 4); S(0) = v; NEXT(5); }
L_LD64: { uint64_t v; memcpy(&v, MEM(W(1), W(2), 8), 8); S(0) = v; NEXT(5); }
L_ST8: *(uint8_t *)MEM(W(0), W(2), 1) = (uint8_t)S(1); NEXT(5);
L_ST16: { uint16_t v = (uint16_t)S(1); memcpy(MEM(W(0), W(2), 2), &v, 2); NEXT(5); }
L_ST32: { uint32_t v = (uint32_t)S(1); memcpy(MEM(W(0), W(2), 4), &v, 4); NEXT(5); }
L_ST64: { uint64_t v = S(1); memcpy(MEM(W(0), W(2), 8), &v, 8); NEXT(5); }

    /* address = i32.add of two slots (_A) or of a slot and an immediate (_AI):
     * the sum wraps at 32 bits, as the add it replaces did */
#define MEM_A(x, y, off, n) ACCESS((uint64_t)(uint32_t)(U32(x) + U32(y)) + (uint64_t)(off), n)
#define MEM_AI(x, y, off, n) ACCESS((uint64_t)(uint32_t)(U32(x) + W(y)) + (uint64_t)(off), n)
#define LOADS(SFX, ADDR)                                                                  \
L_LD8S##SFX: S(0) = (uint64_t)(int64_t)*(int8_t *)ADDR(1, 2, W(3), 1); NEXT(6);           \
L_LD8U##SFX: S(0) = *(uint8_t *)ADDR(1, 2, W(3), 1); NEXT(6);                             \
L_LD16S##SFX: { int16_t v; memcpy(&v, ADDR(1, 2, W(3), 2), 2); S(0) = (uint64_t)(int64_t)v; NEXT(6); } \
L_LD16U##SFX: { uint16_t v; memcpy(&v, ADDR(1, 2, W(3), 2), 2); S(0) = v; NEXT(6); }      \
L_LD32S##SFX: { int32_t v; memcpy(&v, ADDR(1, 2, W(3), 4), 4); S(0) = (uint64_t)(int64_t)v; NEXT(6); } \
L_LD32U##SFX: { uint32_t v; memcpy(&v, ADDR(1, 2, W(3), 4), 4); S(0) = v; NEXT(6); }      \
L_LD64##SFX: { uint64_t v; memcpy(&v, ADDR(1, 2, W(3), 8), 8); S(0) = v; NEXT(6); }
#define STORES(SFX, ADDR)                                                                 \
L_ST8##SFX: *(uint8_t *)ADDR(0, 1, W(3), 1) = (uint8_t)S(2); NEXT(6);                     \
L_ST16##SFX: { uint16_t v = (uint16_t)S(2); memcpy(ADDR(0, 1, W(3), 2), &v, 2); NEXT(6); } \
L_ST32##SFX: { uint32_t v = (uint32_t)S(2); memcpy(ADDR(0, 1, W(3), 4), &v, 4); NEXT(6); } \
L_ST64##SFX: { uint64_t v = S(2); memcpy(ADDR(0, 1, W(3), 8), &v, 8); NEXT(6); }
    LOADS(_A, MEM_A)
    LOADS(_AI, MEM_AI)
    STORES(_A, MEM_A)
    STORES(_AI, MEM_AI)

    /* constant effective address in words 1-2 (loads) or 1-2 with the value
     * in word 0 (stores) */
#define MEM_K(n) ACCESS((uint64_t)W(1) | (uint64_t)W(2) << 32, n)
L_LD8S_K: S(0) = (uint64_t)(int64_t)*(int8_t *)MEM_K(1); NEXT(5);
L_LD8U_K: S(0) = *(uint8_t *)MEM_K(1); NEXT(5);
L_LD16S_K: { int16_t v; memcpy(&v, MEM_K(2), 2); S(0) = (uint64_t)(int64_t)v; NEXT(5); }
L_LD16U_K: { uint16_t v; memcpy(&v, MEM_K(2), 2); S(0) = v; NEXT(5); }
L_LD32S_K: { int32_t v; memcpy(&v, MEM_K(4), 4); S(0) = (uint64_t)(int64_t)v; NEXT(5); }
L_LD32U_K: { uint32_t v; memcpy(&v, MEM_K(4), 4); S(0) = v; NEXT(5); }
L_LD64_K: { uint64_t v; memcpy(&v, MEM_K(8), 8); S(0) = v; NEXT(5); }
L_ST8_K: *(uint8_t *)MEM_K(1) = (uint8_t)S(0); NEXT(5);
L_ST16_K: { uint16_t v = (uint16_t)S(0); memcpy(MEM_K(2), &v, 2); NEXT(5); }
L_ST32_K: { uint32_t v = (uint32_t)S(0); memcpy(MEM_K(4), &v, 4); NEXT(5); }
L_ST64_K: { uint64_t v = S(0); memcpy(MEM_K(8), &v, 8); NEXT(5); }

L_MEMORY_SIZE: S(0) = inst->mem->pages; NEXT(3);
L_MEMORY_GROW: S(0) = (uint32_t)(int32_t)wasm__memory_grow(inst->mem, U32(1)); NEXT(4);
L_MEMORY_FILL: {
    uint64_t d = U32(0), n = U32(2);
    if (unlikely(d + n > inst->mem->size)) TRAP(WASM_TRAP_MEMORY_OOB);
    memset(mem + d, (int)(uint8_t)S(1), n);
    NEXT(5);
}
L_MEMORY_COPY: {
    uint64_t d = U32(0), s = U32(1), n = U32(2), size = inst->mem->size;
    if (unlikely(d + n > size || s + n > size)) TRAP(WASM_TRAP_MEMORY_OOB);
    memmove(mem + d, mem + s, n);
    NEXT(5);
}
L_MEMORY_INIT: {
    uint32_t seg = W(0);
    uint64_t d = U32(1), s = U32(2), n = U32(3);
    uint64_t len = inst->data_dropped[seg] ? 0 : inst->mod->datas[seg].size;
    if (unlikely(s + n > len || d + n > inst->mem->size)) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n)
        memcpy(mem + d, inst->mod->datas[seg].bytes + s, n);
    NEXT(6);
}
L_DATA_DROP: inst->data_dropped[W(0)] = 1; NEXT(3);

    /* ---- tables and references ---- */
L_TABLE_GET: {
    wasm_table *t = inst->tables[W(1)];
    uint32_t i = U32(2);
    if (unlikely(i >= t->size)) TRAP(WASM_TRAP_TABLE_OOB);
    S(0) = t->elems[i];
    NEXT(5);
}
L_TABLE_SET: {
    wasm_table *t = inst->tables[W(0)];
    uint32_t i = U32(1);
    if (unlikely(i >= t->size)) TRAP(WASM_TRAP_TABLE_OOB);
    t->elems[i] = S(2);
    NEXT(5);
}
L_TABLE_SIZE: S(0) = inst->tables[W(1)]->size; NEXT(4);
L_TABLE_GROW: S(0) = (uint32_t)(int32_t)wasm__table_grow(inst->tables[W(1)], U32(3), S(2)); NEXT(6);
L_TABLE_FILL: {
    wasm_table *t = inst->tables[W(0)];
    uint64_t i = U32(1), n = U32(3);
    uint64_t v = S(2);
    if (unlikely(i + n > t->size)) TRAP(WASM_TRAP_TABLE_OOB);
    for (uint64_t k = 0; k < n; k++)
        t->elems[i + k] = v;
    NEXT(6);
}
L_TABLE_COPY: {
    wasm_table *dt = inst->tables[W(0)], *st = inst->tables[W(1)];
    uint64_t d = U32(2), s = U32(3), n = U32(4);
    if (unlikely(d + n > dt->size || s + n > st->size)) TRAP(WASM_TRAP_TABLE_OOB);
    if (n)
        memmove(dt->elems + d, st->elems + s, n * sizeof *dt->elems);
    NEXT(7);
}
L_TABLE_INIT: {
    wasm_table *t = inst->tables[W(0)];
    uint32_t seg = W(1);
    uint64_t d = U32(2), s = U32(3), n = U32(4);
    uint64_t len = inst->elem_dropped[seg] ? 0 : inst->mod->elems[seg].count;
    if (unlikely(s + n > len || d + n > t->size)) TRAP(WASM_TRAP_TABLE_OOB);
    if (n)
        memcpy(t->elems + d, inst->elem_values[seg] + s, n * sizeof *t->elems);
    NEXT(7);
}
L_ELEM_DROP: inst->elem_dropped[W(0)] = 1; NEXT(3);
L_REF_FUNC: S(0) = (uint64_t)(uintptr_t)inst->funcs[W(1)]; NEXT(4);
L_REF_IS_NULL: S(0) = S(1) == 0; NEXT(4);

tier_loop: {
    /* the count ran out at a back-edge to pc: the rest of this function
     * may run in machine code from that loop head */
    bool ran;
    rt->cf = cf;
    status = wasm__jit_osr(rt, cf, fp, inst, pc, &ran);
    if (!ran)
        DISPATCH();
    if (unlikely(status != WASM_OK))
        return status;
    goto ret;
}

trap:
    rt->cf = cf;
    return wasm__trap_set(rt, status, cf->fn);
}
/* clang-format on */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_handlers(void)
{
    wasm__interp_call(NULL, NULL, NULL);
}

void wasm__interp_init(void)
{
    pthread_once(&init_once, init_handlers);
}
