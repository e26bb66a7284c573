/* x86_64_emit.c: the compiling tier's x86-64 layer: an instruction encoder
 * for what Wasm needs and the lowering of each internal instruction.
 *
 * Registers while compiled code runs (all callee-saved in the SysV ABI, so
 * C helpers keep them):
 *   rbx  fp, the frame's first slot      r12  cf, the innermost call_frame
 *   r13  memory 0's base                 r14  &memory 0's size in bytes
 *   r15  the instance                    rbp  the wasm_runtime
 * The hottest integer slots of a function live in r8-r11, rsi and rdi, the
 * hottest float slots in xmm8-xmm15 (see choose_pins in jit.c); rax, rcx,
 * rdx and xmm0/xmm1 are scratch (rsi, rdi and r8 too where a call or
 * helper follows, after the pins are written back).  Functions do not
 * touch rsp (a direct call costs its call and ret only); calls to C align
 * it (call_abs).  A trap jumps to a per-module exit that
 * records it and restores rsp saved by the entry trampoline.
 *
 * Slots hold values as the interpreter leaves them (i32 results
 * zero-extended to 64 bits, sign-extending loads to 64 bits), so the two
 * tiers can share frames and the host sees the same bits. */
#include "jit.h"
#if defined(WASM_JIT_ARCH) && defined(__x86_64__)

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
#define R_FP    RBX
#define R_CF    R12
#define R_MEM   R13
#define R_MSIZE R14
#define R_INST  R15
#define R_RT    RBP

/* Prefix flags of one instruction. */
enum { W = 1, P66 = 2, PF3 = 4, PF2 = 8 };

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum {
    CC_B = 2,
    CC_AE = 3,
    CC_E = 4,
    CC_NE = 5,
    CC_BE = 6,
    CC_A = 7,
    CC_P = 0xA,
    CC_NP = 0xB,
    CC_L = 0xC,
    CC_GE = 0xD,
    CC_LE = 0xE,
    CC_G = 0xF
};

/* An r/m wasm__operand: memory [base + index << scale + disp], or a register
 * (reg >= 0) when a frame slot lives in one. */
typedef struct xmem {
    int base, index, scale; /* index -1: none; scale as the SIB field (0..3) */
    int32_t disp;
    int reg;
} xmem;

static xmem mem_at(int base, int32_t disp)
{
    return (xmem){base, -1, 0, disp, -1};
}
static xmem mem_idx(int base, int index, int scale, int32_t disp)
{
    return (xmem){base, index, scale, disp, -1};
}
static xmem reg_op(int r)
{
    return (xmem){0, -1, 0, 0, r};
}

/* Registers that hold the hottest frame slots of a function for its whole
 * body (caller-saved: written back to the slots around every call):
 * general registers for integer slots, xmm8-xmm15 for float slots.  A
 * float register holds the slot's 64 bits as they are in the frame. */
static const int pin_regs[JIT_MAX_PINS] = {R8, R9, R10, R11, RSI, RDI};
static const int fpin_regs[JIT_MAX_FPINS] = {8, 9, 10, 11, 12, 13, 14, 15};

static xmem slot_mem(uint32_t x)
{
    return mem_at(R_FP, (int32_t)(x * 8u));
}
static int gpin(jit_state *s, uint32_t x)
{
    for (uint32_t i = 0; i < s->npins; i++)
        if (s->pins[i] == x)
            return pin_regs[i];
    return -1;
}
/* The float register of slot x, or -1 (always -1 while counting). */
static int fpin_of(jit_state *s, uint32_t x)
{
    if (s->counting)
        return -1;
    for (uint32_t i = 0; i < s->nfpins; i++)
        if (s->fpins[i] == x)
            return fpin_regs[i];
    return -1;
}

/* A slot pinned in the other register file is used in memory: the driver
 * has written it back before this instruction (and reads it again after
 * one that writes it), as recorded by the counting pass.  Anything else
 * would be a lowering that differs between the passes: the module then
 * runs in the interpreter rather than wrongly. */
static xmem slot_spilled(jit_state *s, uint32_t x)
{
    if (!wasm__jit_spilled(s, x))
        s->buf.failed = true;
    return slot_mem(x);
}

/* Frame slot x as an operand: its register in the file the instruction
 * uses (general, or xmm when float_file) when pinned there, else memory.
 * While counting, records the use (kind). */
static xmem slot_in(jit_state *s, uint32_t x, uint8_t kind, bool float_file)
{
    if (s->counting) {
        wasm__jit_note_use(s, x, kind);
        return slot_mem(x);
    }
    int r = float_file ? fpin_of(s, x) : gpin(s, x);
    if (r >= 0)
        return reg_op(r);
    /* pinned in the other file: its value is in the slot's spill copy */
    if ((float_file ? gpin(s, x) : fpin_of(s, x)) >= 0)
        return slot_spilled(s, x);
    return slot_mem(x);
}
/* ... of an integer instruction (slot_w: a write) */
static xmem slot_use(jit_state *s, uint32_t x, uint8_t kind)
{
    return slot_in(s, x, kind, false);
}
static xmem slot(jit_state *s, uint32_t x)
{
    return slot_use(s, x, USE_INT);
}
static xmem slot_w(jit_state *s, uint32_t x)
{
    return slot_use(s, x, USE_INT | USE_WRITE);
}
/* Slot x as an operand of a float instruction: its xmm register or memory. */
static xmem slot_fuse(jit_state *s, uint32_t x, uint8_t kind)
{
    return slot_in(s, x, kind, true);
}
static xmem slot_f(jit_state *s, uint32_t x)
{
    return slot_fuse(s, x, USE_FLOAT);
}
static xmem slot_fw(jit_state *s, uint32_t x)
{
    return slot_fuse(s, x, USE_FLOAT | USE_WRITE);
}
/* Slot x for an instruction lowered for both register files (moves,
 * constants, loads, stores): its general register or memory; the caller
 * has handled a float register (fpin_of) first. */
static xmem slot_any(jit_state *s, uint32_t x)
{
    if (s->counting) {
        wasm__jit_note_use(s, x, USE_ANY);
        return slot_mem(x);
    }
    int r = gpin(s, x);
    return r >= 0 ? reg_op(r) : slot_mem(x);
}

static void prefix(jit_buf *b, unsigned f, int reg, int index, int base)
{
    if (f & P66)
        jit_u8(b, 0x66);
    if (f & PF3)
        jit_u8(b, 0xF3);
    if (f & PF2)
        jit_u8(b, 0xF2);
    uint8_t rex = (uint8_t)(0x40 | ((f & W) ? 8 : 0) | ((reg >> 3) & 1) << 2 |
                            ((index >= 0 ? index >> 3 : 0) & 1) << 1 | ((base >> 3) & 1));
    if (rex != 0x40)
        jit_u8(b, rex);
}

/* Opcode bytes, most significant first (0x0FAF is 0F AF). */
static void opcode(jit_buf *b, uint32_t op)
{
    if (op > 0xFFFF)
        jit_u8(b, (uint8_t)(op >> 16));
    if (op > 0xFF)
        jit_u8(b, (uint8_t)(op >> 8));
    jit_u8(b, (uint8_t)op);
}

/* op reg, [mem] (or the other direction, as the opcode says). */
static void x_rr(jit_buf *b, unsigned f, uint32_t op, int reg, int rm);
static void x_mem(jit_buf *b, unsigned f, uint32_t op, int reg, xmem m)
{
    if (b->discard)
        return;
    if (m.reg >= 0) {
        /* movzx/movsx of a byte register: sil/dil need a REX prefix */
        if ((op == 0x0FB6 || op == 0x0FBE) && m.reg >= 4 && m.reg < 8 && !(f & W) && reg < 8) {
            jit_u8(b, 0x40);
            opcode(b, op);
            jit_u8(b, (uint8_t)(0xC0 | (reg & 7) << 3 | (m.reg & 7)));
            return;
        }
        x_rr(b, f, op, reg, m.reg);
        return;
    }
    prefix(b, f, reg, m.index, m.base);
    opcode(b, op);
    int mod = (m.disp == 0 && (m.base & 7) != 5) ? 0 : (m.disp >= -128 && m.disp <= 127) ? 1 : 2;
    if (m.index < 0 && (m.base & 7) != 4) {
        jit_u8(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (m.base & 7)));
    } else {
        jit_u8(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
        jit_u8(b, (uint8_t)(m.scale << 6 | ((m.index < 0 ? 4 : m.index) & 7) << 3 | (m.base & 7)));
    }
    if (mod == 1)
        jit_u8(b, (uint8_t)m.disp);
    else if (mod == 2)
        jit_u32(b, (uint32_t)m.disp);
}

/* op reg, rm (register operands). */
static void x_rr(jit_buf *b, unsigned f, uint32_t op, int reg, int rm)
{
    if (b->discard)
        return;
    prefix(b, f, reg, -1, rm);
    opcode(b, op);
    jit_u8(b, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7)));
}

static bool fits8(int64_t v)
{
    return v >= -128 && v <= 127;
}
static bool fits32(int64_t v)
{
    return v >= INT32_MIN && v <= INT32_MAX;
}

static void mov_r_imm(jit_buf *b, int r, uint64_t v)
{
    if (v <= UINT32_MAX) { /* mov r32, imm32 zero-extends */
        if (r >= 8)
            jit_u8(b, 0x41);
        jit_u8(b, (uint8_t)(0xB8 + (r & 7)));
        jit_u32(b, (uint32_t)v);
    } else if (fits32((int64_t)v)) { /* mov r/m64, imm32 sign-extends */
        x_rr(b, W, 0xC7, 0, r);
        jit_u32(b, (uint32_t)v);
    } else {
        jit_u8(b, (uint8_t)(0x48 | (r >> 3)));
        jit_u8(b, (uint8_t)(0xB8 + (r & 7)));
        jit_u64(b, v);
    }
}

static void load32(jit_buf *b, int r, xmem m)
{
    x_mem(b, 0, 0x8B, r, m);
}
static void load64(jit_buf *b, int r, xmem m)
{
    x_mem(b, W, 0x8B, r, m);
}
static void store64(jit_buf *b, xmem m, int r)
{
    x_mem(b, W, 0x89, r, m);
}
static void mov_rr(jit_buf *b, int dst, int src)
{
    x_rr(b, W, 0x89, src, dst);
}
static void lea(jit_buf *b, int r, xmem m)
{
    x_mem(b, W, 0x8D, r, m);
}
/* SSE moves of 64 bits: register to register, memory, general register */
static void movaps(jit_buf *b, int dst, int src)
{
    x_rr(b, 0, 0x0F28, dst, src);
}
static void movsd_load(jit_buf *b, int x, xmem m)
{
    x_mem(b, PF2, 0x0F10, x, m);
}
static void movsd_store(jit_buf *b, xmem m, int x)
{
    x_mem(b, PF2, 0x0F11, x, m);
}
static void movq_x_r(jit_buf *b, int x, int r)
{
    x_rr(b, P66 | W, 0x0F6E, x, r);
}
static void movq_r_x(jit_buf *b, int r, int x)
{
    x_rr(b, P66 | W, 0x0F7E, x, r);
}
static void xorps(jit_buf *b, int x)
{
    x_rr(b, 0, 0x0F57, x, x);
}

/* ALU group 1: add 0, or 1, and 4, sub 5, xor 6, cmp 7. */
enum { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };
static void alu_r_m(jit_buf *b, unsigned f, int ext, int r, xmem m)
{
    x_mem(b, f, (uint32_t)(ext * 8 + 3), r, m);
}
static void alu_r_r(jit_buf *b, unsigned f, int ext, int r, int src)
{
    x_rr(b, f, (uint32_t)(ext * 8 + 3), r, src);
}
static void alu_r_imm(jit_buf *b, unsigned f, int ext, int r, int32_t imm)
{
    if (fits8(imm)) {
        x_rr(b, f, 0x83, ext, r);
        jit_u8(b, (uint8_t)imm);
    } else {
        x_rr(b, f, 0x81, ext, r);
        jit_u32(b, (uint32_t)imm);
    }
}
static void alu_m_imm(jit_buf *b, unsigned f, int ext, xmem m, int32_t imm)
{
    if (fits8(imm)) {
        x_mem(b, f, 0x83, ext, m);
        jit_u8(b, (uint8_t)imm);
    } else {
        x_mem(b, f, 0x81, ext, m);
        jit_u32(b, (uint32_t)imm);
    }
}

static void setcc_zx(jit_buf *b, int cc, int r)
{
    x_rr(b, 0, 0x0F90u | (uint32_t)cc, 0, r);
    x_rr(b, 0, 0x0FB6, r, r);
}

/* A call to C.  Compiled functions run with rsp as the call left it (no
 * adjustment per call), so its alignment depends on the depth: align it
 * here, the original rsp saved on the stack (twice, for 16 bytes). */
static void call_abs(jit_buf *b, const void *fn)
{
    mov_rr(b, RAX, RSP);
    alu_r_imm(b, W, ALU_AND, RSP, -16);
    jit_u8(b, 0x50); /* push rax */
    jit_u8(b, 0x50);
    mov_r_imm(b, RAX, (uint64_t)(uintptr_t)fn);
    x_rr(b, 0, 0xFF, 2, RAX);
    load64(b, RSP, mem_at(RSP, 0));
}

/* A rel32 jump field just emitted ends at b->len; returns its position. */
static uint32_t jcc_rel32(jit_buf *b, int cc)
{
    jit_u8(b, 0x0F);
    jit_u8(b, (uint8_t)(0x80 | cc));
    jit_u32(b, 0);
    return (uint32_t)b->len - 4;
}
static uint32_t jmp_rel32(jit_buf *b)
{
    jit_u8(b, 0xE9);
    jit_u32(b, 0);
    return (uint32_t)b->len - 4;
}

void wasm__arch_patch_rel32_from(jit_state *s, uint32_t at, uint32_t target, uint32_t base)
{
    if (s->buf.failed || s->buf.discard || at + 4 > s->buf.len)
        return;
    int32_t rel = (int32_t)(target - base);
    memcpy(s->buf.p + at, &rel, 4);
}
void wasm__arch_patch_rel32(jit_state *s, uint32_t at, uint32_t target)
{
    wasm__arch_patch_rel32_from(s, at, target, at + 4);
}
static void patch_here(jit_state *s, uint32_t at)
{
    wasm__arch_patch_rel32(s, at, (uint32_t)s->buf.len);
}

static void jcc_trap(jit_state *s, int cc, wasm_status st)
{
    wasm__arch_patch_rel32(s, jcc_rel32(&s->buf, cc), s->trap_pos[st]);
}
static void jmp_trap(jit_state *s, wasm_status st)
{
    wasm__arch_patch_rel32(s, jmp_rel32(&s->buf), s->trap_pos[st]);
}

/* At calls and loop back-edges, like the interpreter.  pushed: a call
 * has pushed its frame already (r12), which a trap pops first. */
static void interrupt_check_pushed(jit_state *s, bool pushed)
{
    jit_buf *b = &s->buf;
    const uint32_t *exits = pushed ? s->trap_pushed_pos : s->trap_pos;
    alu_m_imm(b, 0, ALU_CMP, mem_at(R_RT, offsetof(wasm_runtime, interrupt)), 0);
    wasm__arch_patch_rel32(s, jcc_rel32(b, CC_NE), exits[WASM_TRAP_INTERRUPTED]);
#ifdef WASM_ENGINE_FUEL
    alu_m_imm(b, W, ALU_SUB, mem_at(R_RT, offsetof(wasm_runtime, fuel)), 1);
    wasm__arch_patch_rel32(s, jcc_rel32(b, CC_B), exits[WASM_TRAP_OUT_OF_FUEL]);
#endif
}
static void interrupt_check(jit_state *s)
{
    interrupt_check_pushed(s, false);
}

/* Before the comparison of a conditional branch (the check changes the
 * flags): a backward one checks for an interrupt on both paths, so that
 * the loop closes with one taken jump.  An interrupt is asynchronous:
 * seeing it at the loop's exit too changes nothing; fuel, counted per
 * taken back-edge, needs the exact form (in branch). */
static void branch_prepare(jit_state *s, int32_t off)
{
#ifndef WASM_ENGINE_FUEL
    if (off <= 0)
        interrupt_check(s);
#else
    (void)s;
    (void)off;
#endif
}

/* A jump (cc < 0: unconditional) to the instruction at word `target`,
 * from the instruction at word `at`.  Backward targets are loops: the
 * taken path checks for an interrupt first. */
static void branch(jit_state *s, int cc, uint32_t at, int32_t off)
{
    jit_buf *b = &s->buf;
    uint32_t target = at + (uint32_t)off;
    if (off <= 0) {
        wasm__jit_note_loop(s, target, at);
#ifndef WASM_ENGINE_FUEL
        if (cc >= 0) { /* branch_prepare checked for an interrupt */
            wasm__arch_patch_rel32(s, jcc_rel32(b, cc), wasm__jit_word_pos(s, target));
            return;
        }
#endif
        uint32_t skip = 0;
        if (cc >= 0)
            skip = jcc_rel32(b, cc ^ 1);
        interrupt_check(s);
        wasm__arch_patch_rel32(s, jmp_rel32(b), wasm__jit_word_pos(s, target));
        if (cc >= 0)
            patch_here(s, skip);
        return;
    }
    uint32_t field = cc >= 0 ? jcc_rel32(b, cc) : jmp_rel32(b);
    wasm__jit_add_fixup(s, field, FIX_WORD, target);
}

/* Returns from a C helper with a status in eax: non-zero unwinds. */
static void check_status(jit_state *s)
{
    jit_buf *b = &s->buf;
    x_rr(b, 0, 0x85, RAX, RAX);
    wasm__arch_patch_rel32(s, jcc_rel32(b, CC_NE), s->unwind_pos);
}

/* Pinned slots go back to the frame before anything that reads the frame
 * or clobbers caller-saved registers (calls, helpers), and are read again
 * after it (a callee's results land in the frame).  The _range forms
 * handle the slots in [lo, hi) only. */
static void pins_flush_range(jit_state *s, uint32_t lo, uint32_t hi)
{
    for (uint32_t i = 0; i < s->npins; i++)
        if (s->pins[i] >= lo && s->pins[i] < hi)
            store64(&s->buf, slot_mem(s->pins[i]), pin_regs[i]);
    for (uint32_t i = 0; i < s->nfpins; i++)
        if (s->fpins[i] >= lo && s->fpins[i] < hi)
            movsd_store(&s->buf, slot_mem(s->fpins[i]), fpin_regs[i]);
}
static void pins_flush(jit_state *s, uint32_t below)
{
    pins_flush_range(s, 0, below);
}
static void pins_reload_range(jit_state *s, uint32_t lo, uint32_t hi)
{
    for (uint32_t i = 0; i < s->npins; i++)
        if (s->pins[i] >= lo && s->pins[i] < hi)
            load64(&s->buf, pin_regs[i], slot_mem(s->pins[i]));
    for (uint32_t i = 0; i < s->nfpins; i++)
        if (s->fpins[i] >= lo && s->fpins[i] < hi)
            movsd_load(&s->buf, fpin_regs[i], slot_mem(s->fpins[i]));
}
static void pins_reload(jit_state *s)
{
    pins_reload_range(s, 0, UINT32_MAX);
}
/* Slot x, pinned, to the frame and back (around an instruction that uses
 * it through the other register file). */
void wasm__arch_spill(jit_state *s, uint32_t x)
{
    int r = gpin(s, x), f = fpin_of(s, x);
    if (r >= 0)
        store64(&s->buf, slot_mem(x), r);
    else if (f >= 0)
        movsd_store(&s->buf, slot_mem(x), f);
}
void wasm__arch_unspill(jit_state *s, uint32_t x)
{
    int r = gpin(s, x), f = fpin_of(s, x);
    if (r >= 0)
        load64(&s->buf, r, slot_mem(x));
    else if (f >= 0)
        movsd_load(&s->buf, f, slot_mem(x));
}

/* Direct calls between compiled functions pass the first parameters in
 * these scratch registers (the 64 bits of the slot, whatever its type)
 * and get a single result back in rax as well as in the frame: a value
 * going through a frame slot waits for store-to-load forwarding, on the
 * critical path of every call and return (fib).  Neither side's pins are
 * among them, so no move ever overwrites another's source. */
#define REG_ARGS 3
static const int arg_regs[REG_ARGS] = {RDX, RCX, RAX};

/* Parameter p, arriving in r: to its pin or its frame slot. */
static void param_from_reg(jit_state *s, uint32_t p, int r)
{
    int g = gpin(s, p), f = fpin_of(s, p);
    if (g >= 0)
        mov_rr(&s->buf, g, r);
    else if (f >= 0)
        movq_x_r(&s->buf, f, r);
    else
        store64(&s->buf, slot_mem(p), r);
}

/* The other pinned parameters from the frame, pinned locals zero. */
static void pins_enter(jit_state *s, const func_code *fc, uint32_t from_param)
{
    jit_buf *b = &s->buf;
    for (uint32_t i = 0; i < s->npins; i++) {
        if (s->pins[i] < fc->nparams) {
            if (s->pins[i] >= from_param)
                load64(b, pin_regs[i], slot_mem(s->pins[i]));
        } else if (s->pins[i] < fc->nlocals) {
            x_rr(b, 0, 0x31, pin_regs[i], pin_regs[i]);
        }
    }
    for (uint32_t i = 0; i < s->nfpins; i++) {
        if (s->fpins[i] < fc->nparams) {
            if (s->fpins[i] >= from_param)
                movsd_load(b, fpin_regs[i], slot_mem(s->fpins[i]));
        } else if (s->fpins[i] < fc->nlocals) {
            xorps(b, fpin_regs[i]);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Module code: entry trampoline and trap exits                        */
/* ------------------------------------------------------------------ */

static const int saved_regs[] = {RBP, RBX, R12, R13, R14, R15};

uint32_t wasm__arch_emit_module_prologue(jit_state *s)
{
    jit_buf *b = &s->buf;
    /* entry(rt rdi, code rsi, fp rdx, inst rcx, cf r8, osr r9; r9 reaches
     * the code untouched): the six registers,
     * then rt->jit_saved_sp of an outer entry (seven pushes: rsp is
     * 16-byte aligned at the call), then this entry's */
    uint32_t entry = (uint32_t)b->len;
    for (size_t i = 0; i < 6; i++) {
        if (saved_regs[i] >= 8)
            jit_u8(b, 0x41);
        jit_u8(b, (uint8_t)(0x50 + (saved_regs[i] & 7)));
    }
    x_mem(b, 0, 0xFF, 6, mem_at(RDI, offsetof(wasm_runtime, jit_saved_sp))); /* push */
    x_mem(b, W, 0x89, RSP, mem_at(RDI, offsetof(wasm_runtime, jit_saved_sp)));
    mov_rr(b, R_RT, RDI);
    mov_rr(b, R_FP, RDX);
    mov_rr(b, R_INST, RCX);
    mov_rr(b, R_CF, R8);
    load64(b, R_MEM, mem_at(R_INST, offsetof(wasm_instance, mem_base)));
    load64(b, R_MSIZE, mem_at(R_INST, offsetof(wasm_instance, mem_size)));
    x_rr(b, 0, 0xFF, 2, RSI);   /* call rsi */
    x_rr(b, 0, 0x31, RAX, RAX); /* xor eax, eax */
    uint32_t tail = (uint32_t)b->len;
    jit_u8(b, 0x59); /* pop rcx */
    store64(b, mem_at(R_RT, offsetof(wasm_runtime, jit_saved_sp)), RCX);
    for (size_t i = 6; i-- > 0;) {
        if (saved_regs[i] >= 8)
            jit_u8(b, 0x41);
        jit_u8(b, (uint8_t)(0x58 + (saved_regs[i] & 7)));
    }
    jit_u8(b, 0xC3);

    /* trap: status in edx */
    uint32_t trap_common = (uint32_t)b->len;
    mov_rr(b, RDI, R_RT);
    mov_rr(b, RSI, R_CF);
    call_abs(b, (const void *)wasm__jit_trap);
    /* unwind: status in eax */
    s->unwind_pos = (uint32_t)b->len;
    load64(b, RSP, mem_at(R_RT, offsetof(wasm_runtime, jit_saved_sp)));
    wasm__arch_patch_rel32(s, jmp_rel32(b), tail);

    for (uint32_t st = 1; st < JIT_TRAP_KINDS; st++) {
        s->trap_pos[st] = (uint32_t)b->len;
        mov_r_imm(b, RDX, st);
        wasm__arch_patch_rel32(s, jmp_rel32(b), trap_common);
    }
    /* the same after a call pushed its frame: the caller's frame traps */
    for (uint32_t st = 1; st < JIT_TRAP_KINDS; st++) {
        s->trap_pushed_pos[st] = (uint32_t)b->len;
        lea(b, R_CF, mem_at(R_CF, -(int32_t)sizeof(call_frame)));
        wasm__arch_patch_rel32(s, jmp_rel32(b), s->trap_pos[st]);
    }
    return entry;
}

void wasm__arch_emit_osr_entry(jit_state *s)
{
    jit_buf *b = &s->buf;
    mov_rr(b, RAX, R9); /* r9 is a pin register */
    pins_reload(s);
    x_rr(b, 0, 0xFF, 4, RAX); /* jmp rax */
}

/* ------------------------------------------------------------------ */
/* Functions                                                           */
/* ------------------------------------------------------------------ */

/* Two entries: the first (the function's address, for calls from the
 * host and call_indirect) reads the register parameters from the frame
 * and falls into the second, the target of direct calls.  Then locals are
 * zeroed (memory and pins) and the remaining pinned parameters loaded; the
 * operand slots above them need nothing (each is written before it is read). */
void wasm__arch_emit_function_prologue(jit_state *s, const func_code *fc)
{
    jit_buf *b = &s->buf;
    uint32_t nreg = fc->nparams < REG_ARGS ? fc->nparams : REG_ARGS;
    for (uint32_t p = 0; p < nreg; p++)
        load64(b, arg_regs[p], slot_mem(p));
    s->direct_entry = (uint32_t)b->len;
    for (uint32_t p = 0; p < nreg; p++)
        param_from_reg(s, p, arg_regs[p]);
    uint32_t n = fc->nlocals - fc->nparams;
    /* few locals: each one not in a register (pins_enter zeroes those) */
    uint32_t in_memory = 0;
    if (n <= 8 && !s->counting)
        for (uint32_t i = fc->nparams; i < fc->nlocals; i++)
            in_memory += gpin(s, i) < 0 && fpin_of(s, i) < 0;
    if (n > 0 && (n > 8 || in_memory > 0)) {
        x_rr(b, 0, 0x31, RAX, RAX);
        if (n <= 8) {
            for (uint32_t i = fc->nparams; i < fc->nlocals; i++)
                if (s->counting || (gpin(s, i) < 0 && fpin_of(s, i) < 0))
                    store64(b, slot_mem(i), RAX);
        } else {
            /* rep stosq takes rdi, which may hold a parameter by now */
            mov_rr(b, RDX, RDI);
            lea(b, RDI, slot_mem(fc->nparams));
            mov_r_imm(b, RCX, n);
            jit_u8(b, 0xF3); /* rep stosq */
            jit_u8(b, 0x48);
            jit_u8(b, 0xAB);
            mov_rr(b, RDI, RDX);
        }
    }
    pins_enter(s, fc, nreg);
}

static void emit_return(jit_buf *b)
{
    jit_u8(b, 0xC3);
}

/* wasm__jit_slow_op(rt, cf, fp, pc, op, inst) */
static void emit_slow(jit_state *s, const code_t *pc, enum wasm_op op, bool can_fail)
{
    jit_buf *b = &s->buf;
    pins_flush(s, UINT32_MAX);
    mov_rr(b, RDI, R_RT);
    mov_rr(b, RSI, R_CF);
    mov_rr(b, RDX, R_FP);
    mov_r_imm(b, RCX, (uint64_t)(uintptr_t)pc);
    mov_r_imm(b, R8, (uint64_t)op);
    mov_rr(b, R9, R_INST);
    call_abs(b, (const void *)wasm__jit_slow_op);
    pins_reload(s);
    if (can_fail)
        check_status(s);
}

/* Integer binary operations, indexed from T_ADD (slot form) and T_ADD_I
 * (immediate form): what kind of instruction and its extension or cc. */
enum { K_ALU, K_MUL, K_DIV_S, K_DIV_U, K_REM_S, K_REM_U, K_SHIFT, K_CMP };
typedef struct int_op {
    uint8_t kind, x;
} int_op;
/* shift group 2: rol 0, ror 1, shl 4, shr 5, sar 7 */
static const int_op int_binops[] = {
    {K_ALU, ALU_ADD}, {K_ALU, ALU_SUB}, {K_MUL, 0},       {K_DIV_S, 0},    {K_DIV_U, 0},
    {K_REM_S, 0},     {K_REM_U, 0},     {K_ALU, ALU_AND}, {K_ALU, ALU_OR}, {K_ALU, ALU_XOR},
    {K_SHIFT, 4},     {K_SHIFT, 7},     {K_SHIFT, 5},     {K_SHIFT, 0},    {K_SHIFT, 1},
    {K_CMP, CC_E},    {K_CMP, CC_NE},   {K_CMP, CC_L},    {K_CMP, CC_B},   {K_CMP, CC_G},
    {K_CMP, CC_A},    {K_CMP, CC_LE},   {K_CMP, CC_BE},   {K_CMP, CC_GE},  {K_CMP, CC_AE},
};
static const int_op int_immops[] = {
    {K_ALU, ALU_ADD}, {K_ALU, ALU_SUB}, {K_MUL, 0},     {K_ALU, ALU_AND}, {K_ALU, ALU_OR},
    {K_ALU, ALU_XOR}, {K_SHIFT, 4},     {K_SHIFT, 7},   {K_SHIFT, 5},     {K_SHIFT, 0},
    {K_SHIFT, 1},     {K_CMP, CC_E},    {K_CMP, CC_NE}, {K_CMP, CC_L},    {K_CMP, CC_B},
    {K_CMP, CC_G},    {K_CMP, CC_A},    {K_CMP, CC_LE}, {K_CMP, CC_BE},   {K_CMP, CC_GE},
    {K_CMP, CC_AE},
};
/* compare-and-branch, indexed from BR_T_EQ (slot forms, then immediate forms) */
static const uint8_t cmpbr_cc[] = {CC_E, CC_NE, CC_L, CC_B, CC_G, CC_A, CC_LE, CC_BE, CC_GE, CC_AE};

static void emit_divrem(jit_state *s, unsigned w, uint8_t kind, const code_t *pc)
{
    jit_buf *b = &s->buf;
    if (w)
        load64(b, RCX, slot(s, pc[4]));
    else
        load32(b, RCX, slot(s, pc[4]));
    x_rr(b, w, 0x85, RCX, RCX);
    jcc_trap(s, CC_E, WASM_TRAP_DIV_ZERO);
    if (w)
        load64(b, RAX, slot(s, pc[3]));
    else
        load32(b, RAX, slot(s, pc[3]));
    if (kind == K_DIV_U || kind == K_REM_U) {
        x_rr(b, 0, 0x31, RDX, RDX);
        x_rr(b, w, 0xF7, 6, RCX); /* div rcx */
        store64(b, slot_w(s, pc[2]), kind == K_DIV_U ? RAX : RDX);
        return;
    }
    alu_r_imm(b, w, ALU_CMP, RCX, -1);
    uint32_t normal = jcc_rel32(b, CC_NE);
    if (kind == K_DIV_S) {
        /* INT_MIN / -1 overflows; anything else / -1 is the negation */
        if (w) {
            mov_r_imm(b, RDX, (uint64_t)INT64_MIN);
            alu_r_r(b, W, ALU_CMP, RAX, RDX);
        } else {
            alu_r_imm(b, 0, ALU_CMP, RAX, INT32_MIN);
        }
        jcc_trap(s, CC_E, WASM_TRAP_INT_OVERFLOW);
        patch_here(s, normal);
        if (w)
            jit_u8(b, 0x48);
        jit_u8(b, 0x99);          /* cdq / cqo */
        x_rr(b, w, 0xF7, 7, RCX); /* idiv */
        store64(b, slot_w(s, pc[2]), RAX);
    } else {
        /* x % -1 is 0 (and idiv would fault on INT_MIN) */
        x_rr(b, 0, 0x31, RDX, RDX);
        uint32_t done = jmp_rel32(b);
        patch_here(s, normal);
        if (w)
            jit_u8(b, 0x48);
        jit_u8(b, 0x99);
        x_rr(b, w, 0xF7, 7, RCX);
        patch_here(s, done);
        store64(b, slot_w(s, pc[2]), RDX);
    }
}

/* The register of slot x when pinned, else -1. */
static int pin_of(jit_state *s, uint32_t x)
{
    return s->counting ? -1 : gpin(s, x);
}

/* General register r = slot x's 64 bits, and slot x = r, wherever the
 * slot lives (for instructions lowered for both register files). */
static void gload(jit_state *s, int r, uint32_t x)
{
    int f = fpin_of(s, x);
    if (f >= 0) {
        movq_r_x(&s->buf, r, f);
        return;
    }
    xmem m = slot_any(s, x);
    if (m.reg != r)
        load64(&s->buf, r, m);
}
static void gstore(jit_state *s, uint32_t x, int r)
{
    int f = fpin_of(s, x);
    if (f >= 0) {
        movq_x_r(&s->buf, f, r);
        return;
    }
    xmem m = slot_any(s, x);
    if (m.reg != r)
        store64(&s->buf, m, r);
}

/* Where to compute d = a OP other: d's register when pinned (unless that
 * would overwrite `other` before it is read), else rax, stored after. */
static int dest_reg(jit_state *s, uint32_t d, uint32_t a, bool other_is_slot, uint32_t other)
{
    int r = pin_of(s, d);
    if (r < 0 || (other_is_slot && other == d && a != d))
        return RAX;
    return r;
}
static void load_into(jit_state *s, unsigned w, int r, uint32_t a)
{
    xmem m = slot(s, a);
    if (m.reg == r)
        return; /* a 32-bit operation on it zero-extends anyway */
    if (w)
        load64(&s->buf, r, m);
    else
        load32(&s->buf, r, m);
}
static void finish(jit_state *s, int r, uint32_t d)
{
    if (r == RAX)
        store64(&s->buf, slot_w(s, d), RAX);
}

static void emit_int_binop(jit_state *s, unsigned w, int_op o, const code_t *pc, bool imm)
{
    jit_buf *b = &s->buf;
    uint32_t d = pc[2], a = pc[3], bw = pc[4];
    int32_t k = (int32_t)bw;
    int r;
    switch (o.kind) {
    case K_ALU: {
        /* d = a OP d for a commutative OP, d = a + b and d = a +- k into
         * another register, in one instruction (32-bit forms zero-extend) */
        int rd = pin_of(s, d);
        bool commutes = o.x == ALU_ADD || o.x == ALU_AND || o.x == ALU_OR || o.x == ALU_XOR;
        if (!imm && rd >= 0 && bw == d && a != d && commutes) {
            alu_r_m(b, w, o.x, rd, slot(s, a));
            break;
        }
        if (!imm && rd >= 0 && o.x == ALU_ADD && a != d && bw != d) {
            int ra = pin_of(s, a), rb = pin_of(s, bw);
            if (ra >= 0 && rb >= 0) {
                (void)slot(s, a);
                (void)slot(s, bw);
                x_mem(b, w, 0x8D, rd, mem_idx(ra, rb, 0, 0));
                break;
            }
        }
        if (imm && rd >= 0 && (o.x == ALU_ADD || (o.x == ALU_SUB && k != INT32_MIN))) {
            int ra = pin_of(s, a);
            if (ra >= 0 && ra != rd) {
                (void)slot(s, a);
                x_mem(b, w, 0x8D, rd, mem_at(ra, o.x == ALU_ADD ? k : -k));
                break;
            }
        }
        r = dest_reg(s, d, a, !imm, bw);
        load_into(s, w, r, a);
        if (imm)
            alu_r_imm(b, w, o.x, r, k);
        else
            alu_r_m(b, w, o.x, r, slot(s, bw));
        finish(s, r, d);
        break;
    }
    case K_MUL:
        r = dest_reg(s, d, a, !imm, bw);
        if (imm) {
            x_mem(b, w, 0x69, r, slot(s, a));
            jit_u32(b, (uint32_t)k);
        } else {
            load_into(s, w, r, a);
            x_mem(b, w, 0x0FAF, r, slot(s, bw));
        }
        finish(s, r, d);
        break;
    case K_SHIFT:
        if (!imm)
            load32(b, RCX, slot(s, bw));
        r = dest_reg(s, d, a, false, 0);
        load_into(s, w, r, a);
        if (imm) {
            x_rr(b, w, 0xC1, o.x, r);
            jit_u8(b, (uint8_t)(k & (w ? 63 : 31)));
        } else {
            x_rr(b, w, 0xD3, o.x, r);
        }
        finish(s, r, d);
        break;
    case K_CMP: {
        if (imm) {
            alu_m_imm(b, w, ALU_CMP, slot(s, a), k);
        } else {
            xmem ma = slot(s, a);
            int ra = ma.reg >= 0 ? ma.reg : RAX;
            if (ra == RAX) {
                if (w)
                    load64(b, RAX, ma);
                else
                    load32(b, RAX, ma);
            }
            alu_r_m(b, w, ALU_CMP, ra, slot(s, bw));
        }
        x_rr(b, 0, 0x0F90u | o.x, 0, RAX); /* setcc al */
        r = pin_of(s, d);
        if (r < 0)
            r = RAX;
        x_rr(b, 0, 0x0FB6, r, RAX); /* movzx r32, al */
        finish(s, r, d);
        break;
    }
    default: emit_divrem(s, w, o.kind, pc); break;
    }
}

static void emit_cmpbr(jit_state *s, unsigned w, unsigned idx, const code_t *pc, uint32_t at)
{
    jit_buf *b = &s->buf;
    bool imm = idx >= 10;
    int cc = cmpbr_cc[idx % 10];
    branch_prepare(s, (int32_t)pc[4]);
    if (imm) {
        alu_m_imm(b, w, ALU_CMP, slot(s, pc[2]), (int32_t)pc[3]);
    } else {
        xmem ma = slot(s, pc[2]);
        int ra = ma.reg >= 0 ? ma.reg : RAX;
        if (ra == RAX) {
            if (w)
                load64(b, RAX, ma);
            else
                load32(b, RAX, ma);
        }
        alu_r_m(b, w, ALU_CMP, ra, slot(s, pc[3]));
    }
    branch(s, cc, at, (int32_t)pc[4]);
}

/* Out-of-line code after a function: the exact bounds check of an access
 * whose quick one failed (rax: its address; `end`: offset + size), back
 * to the access when it passes. */
struct jit_stub {
    uint32_t field, back, end;
};
_Static_assert(offsetof(wasm_memory, size_fast) == offsetof(wasm_memory, size) + 8,
               "compiled code reads size_fast right after size");

static void add_check_stub(jit_state *s, uint32_t field, uint32_t end)
{
    if (s->nstubs == s->capstubs) {
        size_t cap = s->capstubs ? s->capstubs * 2 : 64;
        struct jit_stub *p = realloc(s->stubs, cap * sizeof *p);
        if (!p) {
            s->buf.failed = true;
            return;
        }
        s->stubs = p;
        s->capstubs = cap;
    }
    s->stubs[s->nstubs++] = (struct jit_stub){field, (uint32_t)s->buf.len, end};
}

void wasm__arch_emit_function_end(jit_state *s)
{
    jit_buf *b = &s->buf;
    for (size_t i = 0; i < s->nstubs; i++) {
        patch_here(s, s->stubs[i].field);
        lea(b, RCX, mem_at(RAX, (int32_t)s->stubs[i].end));
        alu_r_m(b, W, ALU_CMP, RCX, mem_at(R_MSIZE, 0));
        jcc_trap(s, CC_A, WASM_TRAP_MEMORY_OOB);
        wasm__arch_patch_rel32(s, jmp_rel32(b), s->stubs[i].back);
    }
}

/* Memory access: rax = effective address (u32 address + offset), checked
 * against the memory's size; returns the wasm__operand [mem + rax + disp].
 * addr_word: index in pc of the address operands. */
static xmem emit_address(jit_state *s, enum wasm_op op, const code_t *pc, unsigned size,
                         uint32_t addr_word, int form)
{
    jit_buf *b = &s->buf;
    uint64_t off;
    /* form: 0 slot+offset, 1 slot+slot (_A), 2 slot+imm (_AI), 3 constant (_K) */
    if (form == 3) {
        off = (uint64_t)pc[addr_word] | (uint64_t)pc[addr_word + 1] << 32;
        x_rr(b, 0, 0x31, RAX, RAX);
    } else {
        load32(b, RAX, slot(s, pc[addr_word]));
        if (form == 1)
            alu_r_m(b, 0, ALU_ADD, RAX, slot(s, pc[addr_word + 1]));
        else if (form == 2)
            alu_r_imm(b, 0, ALU_ADD, RAX, (int32_t)pc[addr_word + 1]);
        off = form == 0 ? pc[4] : pc[5]; /* the offset word: same place in loads and stores */
    }
    (void)op;
    uint64_t end = off + size;
    if (off + size > INT32_MAX) {
        mov_r_imm(b, RCX, off);
        alu_r_r(b, W, ALU_ADD, RAX, RCX);
        off = 0;
    }
    /* the same address checked before to at least this end: in bounds */
    uint32_t aslot = form == 3 ? 0 : pc[addr_word], imm = form == 2 ? pc[addr_word + 1] : 0;
    bool known = form != 1 && wasm__jit_is_checked(s, (uint8_t)form, aslot, imm, end);
    if (!known && form != 3 && end <= WASM_FAST_CHECK_BYTES) {
        /* one compare with size - WASM_FAST_CHECK_BYTES (signed: it may be
         * negative); the exact check out of line when it fails */
        alu_r_m(b, W, ALU_CMP, RAX, mem_at(R_MSIZE, 8));
        add_check_stub(s, jcc_rel32(b, CC_G), (uint32_t)end);
        if (form != 1)
            wasm__jit_note_checked(s, (uint8_t)form, aslot, imm, end);
    } else if (!known) {
        lea(b, RCX, mem_at(RAX, (int32_t)(off + size)));
        alu_r_m(b, W, ALU_CMP, RCX, mem_at(R_MSIZE, 0));
        jcc_trap(s, CC_A, WASM_TRAP_MEMORY_OOB);
        if (form != 1)
            wasm__jit_note_checked(s, (uint8_t)form, aslot, imm, end);
    }
    return mem_idx(R_MEM, RAX, 0, (int32_t)off);
}

/* loads: LD8S LD8U LD16S LD16U LD32S LD32U LD64 */
static const struct {
    uint8_t size;
    uint8_t flags;
    uint32_t opc;
} load_kinds[] = {
    {1, W, 0x0FBE}, {1, 0, 0x0FB6}, {2, W, 0x0FBF}, {2, 0, 0x0FB7},
    {4, W, 0x63},   {4, 0, 0x8B},   {8, W, 0x8B},
};
/* stores: ST8 ST16 ST32 ST64 */
static const struct {
    uint8_t size;
    uint8_t flags;
    uint32_t opc;
} store_kinds[] = {
    {1, 0, 0x88},
    {2, P66, 0x89},
    {4, 0, 0x89},
    {8, W, 0x89},
};

static void emit_load(jit_state *s, enum wasm_op op, unsigned kind, int form, const code_t *pc)
{
    jit_buf *b = &s->buf;
    xmem m = emit_address(s, op, pc, load_kinds[kind].size, 3, form);
    int x = fpin_of(s, pc[2]);
    if (x >= 0 && (kind == 6 || kind == 5)) {
        /* LD64, LD32U straight into a float register (movss zero-extends) */
        x_mem(b, kind == 6 ? PF2 : PF3, 0x0F10, x, m);
        return;
    }
    int r = pin_of(s, pc[2]);
    x_mem(b, load_kinds[kind].flags, load_kinds[kind].opc, r >= 0 ? r : RDX, m);
    if (r < 0)
        gstore(s, pc[2], RDX);
}

static void emit_store(jit_state *s, enum wasm_op op, unsigned kind, int form, const code_t *pc)
{
    jit_buf *b = &s->buf;
    uint32_t value, addr;
    switch (form) {
    case 0:
        addr = 2;
        value = pc[3];
        break;
    case 3:
        addr = 3;
        value = pc[2];
        break;
    default:
        addr = 2;
        value = pc[4];
        break;
    }
    xmem m = emit_address(s, op, pc, store_kinds[kind].size, addr, form);
    int x = fpin_of(s, value);
    if (x >= 0 && kind >= 2) {
        /* ST32, ST64 straight from a float register */
        x_mem(b, kind == 3 ? PF2 : PF3, 0x0F11, x, m);
        return;
    }
    int r = pin_of(s, value);
    if (r < 0) {
        r = RDX;
        gload(s, RDX, value);
    }
    /* m has base r13, so a REX prefix is present and sil/dil are bytes */
    x_mem(b, store_kinds[kind].flags, store_kinds[kind].opc, r, m);
}

/* Scalar SSE; prefix F3 for f32, F2 for f64.  An f32 result leaves the
 * upper half of its slot zero, as the interpreter's do: f32 operations
 * compute in xmm0 loaded so that its bits 32-63 are zero (movss from
 * memory, or cleared first), and the result is stored or copied with all
 * its 64 bits. */
static unsigned fpfx(bool f64)
{
    return f64 ? PF2 : PF3;
}
static void fload(jit_buf *b, bool f64, int x, xmem m)
{
    if (m.reg < 0) {
        x_mem(b, fpfx(f64), 0x0F10, x, m);
    } else if (f64) {
        if (m.reg != x)
            movaps(b, x, m.reg);
    } else {
        xorps(b, x);
        x_rr(b, PF3, 0x0F10, x, m.reg); /* movss x, reg: the low 32 bits */
    }
}
/* slot d (a float slot) = xmm0 */
static void fresult(jit_state *s, uint32_t d)
{
    xmem m = slot_fw(s, d);
    if (m.reg >= 0)
        movaps(&s->buf, m.reg, 0);
    else
        movsd_store(&s->buf, m, 0);
}

static void emit_fbin(jit_state *s, bool f64, uint32_t sse_op, const code_t *pc)
{
    jit_buf *b = &s->buf;
    uint32_t d = pc[2], a = pc[3], c = pc[4];
    xmem ma = slot_f(s, a), mc = slot_f(s, c), md = slot_fw(s, d);
    /* f64 computes in d's register unless that is c's (and a is not c) */
    int t = 0;
    if (f64 && md.reg >= 0 && !(mc.reg == md.reg && a != c))
        t = md.reg;
    fload(b, f64, t, ma);
    x_mem(b, fpfx(f64), sse_op, t, mc);
    if (t == 0)
        fresult(s, d);
}

/* ucomis[sd] a, c: straight from a's register when it has one. */
static void fcompare(jit_state *s, bool f64, uint32_t a, uint32_t c)
{
    xmem ma = slot_f(s, a), mc = slot_f(s, c);
    int x = ma.reg;
    if (x < 0) {
        fload(&s->buf, f64, 0, ma);
        x = 0;
    }
    x_mem(&s->buf, f64 ? P66 : 0, 0x0F2E, x, mc);
}

/* Float comparisons with ucomis[sd]: unordered sets ZF, PF and CF. */
static void emit_fcmp(jit_state *s, bool f64, int which, const code_t *pc)
{
    jit_buf *b = &s->buf;
    uint32_t a = pc[3], c = pc[4];
    switch (which) {
    case 0: /* eq: ZF and not PF */
    case 1: /* ne: not ZF or PF */
        fcompare(s, f64, a, c);
        x_rr(b, 0, 0x0F90u | (uint32_t)(which ? CC_NE : CC_E), 0, RAX);
        x_rr(b, 0, 0x0F90u | (uint32_t)(which ? CC_P : CC_NP), 0, RCX);
        x_rr(b, 0, which ? 0x08 : 0x20, RCX, RAX); /* or/and al, cl */
        x_rr(b, 0, 0x0FB6, RAX, RAX);
        break;
    default: {
        /* lt: c > a, gt: a > c, le: c >= a, ge: a >= c (above: CF and ZF clear) */
        bool swap = which == 2 || which == 4;
        fcompare(s, f64, swap ? c : a, swap ? a : c);
        setcc_zx(b, which <= 3 ? CC_A : CC_AE, RAX);
        break;
    }
    }
    store64(b, slot_w(s, pc[2]), RAX);
}

static bool cpu_popcnt(void)
{
    static int have = -1;
    if (have < 0) {
        __builtin_cpu_init();
        have = __builtin_cpu_supports("popcnt") ? 1 : 0;
    }
    return have == 1;
}

bool wasm__arch_supports(enum wasm_op op)
{
    return op != OP_EXIT && op < OP_COUNT;
}

/* Operations left to wasm__jit_slow_op, and whether they can trap. */
static int slow_kind(enum wasm_op op)
{
    switch (op) {
    case OP_F32_MIN:
    case OP_F32_MAX:
    case OP_F64_MIN:
    case OP_F64_MAX:
    case OP_F32_CEIL:
    case OP_F32_FLOOR:
    case OP_F32_TRUNC:
    case OP_F32_NEAREST:
    case OP_F64_CEIL:
    case OP_F64_FLOOR:
    case OP_F64_TRUNC:
    case OP_F64_NEAREST:
    case OP_I32_TRUNC_SAT_F32_S:
    case OP_I32_TRUNC_SAT_F32_U:
    case OP_I32_TRUNC_SAT_F64_S:
    case OP_I32_TRUNC_SAT_F64_U:
    case OP_I64_TRUNC_SAT_F32_S:
    case OP_I64_TRUNC_SAT_F32_U:
    case OP_I64_TRUNC_SAT_F64_S:
    case OP_I64_TRUNC_SAT_F64_U:
    case OP_F32_CONVERT_I64_U:
    case OP_F64_CONVERT_I64_U:
    case OP_MEMORY_GROW:
    case OP_DATA_DROP:
    case OP_ELEM_DROP:
    case OP_TABLE_SIZE:
    case OP_TABLE_GROW:
    case OP_REF_FUNC: return 1;
    case OP_I32_TRUNC_F32_S:
    case OP_I32_TRUNC_F32_U:
    case OP_I32_TRUNC_F64_S:
    case OP_I32_TRUNC_F64_U:
    case OP_I64_TRUNC_F32_S:
    case OP_I64_TRUNC_F32_U:
    case OP_I64_TRUNC_F64_S:
    case OP_I64_TRUNC_F64_U:
    case OP_MEMORY_FILL:
    case OP_MEMORY_COPY:
    case OP_MEMORY_INIT:
    case OP_TABLE_GET:
    case OP_TABLE_SET:
    case OP_TABLE_FILL:
    case OP_TABLE_COPY:
    case OP_TABLE_INIT: return 2;
    case OP_I32_POPCNT:
    case OP_I64_POPCNT: return cpu_popcnt() ? 0 : 1;
    default: return 0;
    }
}

/* A call through wasm__jit_call_func; rdx must hold the wasm_func. */
static void emit_call_helper(jit_state *s, uint32_t nfp_slot)
{
    jit_buf *b = &s->buf;
    pins_flush(s, UINT32_MAX);
    mov_rr(b, RDI, R_RT);
    mov_rr(b, RSI, R_CF);
    lea(b, RCX, slot_mem(nfp_slot));
    call_abs(b, (const void *)wasm__jit_call_func);
    pins_reload(s);
    check_status(s);
}

static void load_func(jit_buf *b, int r, uint32_t index)
{
    load64(b, r, mem_at(R_INST, offsetof(wasm_instance, funcs)));
    load64(b, r, mem_at(r, (int32_t)(index * 8u)));
}

static void emit_call(jit_state *s, const code_t *pc)
{
    jit_buf *b = &s->buf;
    const func_code *callee;
    memcpy(&callee, &pc[2], sizeof callee);
    uint32_t nfp = pc[4];
    uint32_t defined = callee->func_index - s->m->nfunc_imports;
    if (!s->compiles[defined]) {
        load_func(b, RDX, callee->func_index);
        emit_call_helper(s, nfp);
        return;
    }
    /* the interpreter's order: stack and depth (one status, for the
     * caller's frame), then the interrupt; past the push of the frame a
     * trap goes through an exit that pops it first */
    lea(b, RCX, slot_mem(nfp + callee->frame_slots));
    alu_r_m(b, W, ALU_CMP, RCX, mem_at(R_RT, offsetof(wasm_runtime, stack_end)));
    jcc_trap(s, CC_A, WASM_TRAP_STACK_EXHAUSTED);
    alu_r_imm(b, W, ALU_ADD, R_CF, (int32_t)sizeof(call_frame));
    alu_r_m(b, W, ALU_CMP, R_CF, mem_at(R_RT, offsetof(wasm_runtime, frames_end)));
    wasm__arch_patch_rel32(s, jcc_rel32(b, CC_AE), s->trap_pushed_pos[WASM_TRAP_STACK_EXHAUSTED]);
    interrupt_check_pushed(s, true);
    mov_r_imm(b, RAX, (uint64_t)(uintptr_t)callee);
    store64(b, mem_at(R_CF, offsetof(call_frame, fn)), RAX);
    /* Slots below nfp live on (saved in the frame); the arguments go in
     * registers, the rest of them in the frame; slots above them are
     * dead: the operand stack ends with the arguments. */
    uint32_t nreg = callee->nparams < REG_ARGS ? callee->nparams : REG_ARGS;
    pins_flush_range(s, 0, nfp);
    pins_flush_range(s, nfp + nreg, nfp + callee->nparams);
    for (uint32_t p = 0; p < nreg; p++)
        gload(s, arg_regs[p], nfp + p);
    if (nfp)
        lea(b, R_FP, slot_mem(nfp));
    jit_u8(b, 0xE8);
    jit_u32(b, 0);
    wasm__jit_add_fixup(s, (uint32_t)b->len - 4, FIX_FUNC_DIRECT, defined);
    if (nfp)
        lea(b, R_FP, mem_at(R_FP, -(int32_t)(nfp * 8u)));
    lea(b, R_CF, mem_at(R_CF, -(int32_t)sizeof(call_frame)));
    pins_reload_range(s, 0, nfp);
    if (callee->nresults == 1) {
        /* the result is in the frame too */
        if (s->counting || pin_of(s, nfp) >= 0 || fpin_of(s, nfp) >= 0)
            gstore(s, nfp, RAX);
    } else
        pins_reload_range(s, nfp, nfp + callee->nresults);
}

/* call_indirect: the interpreter's checks inline; a compiled function of
 * this instance is called directly, anything else through
 * wasm__jit_call_func (host functions, other instances, the interpreter). */
static void emit_call_indirect(jit_state *s, const code_t *pc)
{
    jit_buf *b = &s->buf;
    uint32_t table = pc[2], type_id = pc[3], nfp = pc[5];
    load32(b, RAX, slot(s, pc[4]));
    pins_flush(s, UINT32_MAX); /* rsi and rdi are scratch from here */
    load64(b, RCX, mem_at(R_INST, offsetof(wasm_instance, tables)));
    load64(b, RCX, mem_at(RCX, (int32_t)(table * 8u)));
    alu_r_m(b, 0, ALU_CMP, RAX, mem_at(RCX, offsetof(wasm_table, size)));
    jcc_trap(s, CC_AE, WASM_TRAP_TABLE_OOB);
    load64(b, RCX, mem_at(RCX, offsetof(wasm_table, elems)));
    load64(b, RDX, mem_idx(RCX, RAX, 3, 0));
    x_rr(b, W, 0x85, RDX, RDX);
    jcc_trap(s, CC_E, WASM_TRAP_NULL_FUNC);
    alu_m_imm(b, 0, ALU_CMP, mem_at(RDX, offsetof(wasm_func, type_id)), (int32_t)type_id);
    jcc_trap(s, CC_NE, WASM_TRAP_INDIRECT_TYPE);
    /* direct: same instance, and machine code */
    alu_r_m(b, W, ALU_CMP, R_INST, mem_at(RDX, offsetof(wasm_func, inst)));
    uint32_t slow1 = jcc_rel32(b, CC_NE);
    load64(b, RCX, mem_at(RDX, offsetof(wasm_func, code)));
    x_rr(b, W, 0x85, RCX, RCX);
    uint32_t slow2 = jcc_rel32(b, CC_E);
    load64(b, RSI, mem_at(RCX, offsetof(func_code, jit_code)));
    x_rr(b, W, 0x85, RSI, RSI);
    uint32_t slow3 = jcc_rel32(b, CC_E);
    interrupt_check(s);
    lea(b, RDI, mem_at(R_CF, (int32_t)sizeof(call_frame)));
    alu_r_m(b, W, ALU_CMP, RDI, mem_at(R_RT, offsetof(wasm_runtime, frames_end)));
    jcc_trap(s, CC_AE, WASM_TRAP_STACK_EXHAUSTED);
    load32(b, RAX, mem_at(RCX, offsetof(func_code, frame_slots)));
    lea(b, RAX, mem_idx(R_FP, RAX, 3, (int32_t)(nfp * 8u)));
    alu_r_m(b, W, ALU_CMP, RAX, mem_at(R_RT, offsetof(wasm_runtime, stack_end)));
    jcc_trap(s, CC_A, WASM_TRAP_STACK_EXHAUSTED);
    mov_rr(b, R_CF, RDI);
    store64(b, mem_at(R_CF, offsetof(call_frame, fn)), RCX);
    lea(b, R_FP, slot_mem(nfp));
    x_rr(b, 0, 0xFF, 2, RSI); /* call rsi */
    lea(b, R_FP, mem_at(R_FP, -(int32_t)(nfp * 8u)));
    lea(b, R_CF, mem_at(R_CF, -(int32_t)sizeof(call_frame)));
    uint32_t done = jmp_rel32(b);
    patch_here(s, slow1);
    patch_here(s, slow2);
    patch_here(s, slow3);
    mov_rr(b, RDI, R_RT);
    mov_rr(b, RSI, R_CF);
    lea(b, RCX, slot_mem(nfp));
    call_abs(b, (const void *)wasm__jit_call_func);
    check_status(s);
    patch_here(s, done);
    pins_reload(s);
}

void wasm__arch_emit_op(jit_state *s, enum wasm_op op, const code_t *pc, uint32_t at)
{
    jit_buf *b = &s->buf;
    int slow = slow_kind(op);
    if (slow) {
        emit_slow(s, pc, op, slow == 2);
        return;
    }
    /* clang-format off */
    if (op >= OP_I32_ADD && op <= OP_I32_GE_U) { emit_int_binop(s, 0, int_binops[op - OP_I32_ADD], pc, false); return; }
    if (op >= OP_I64_ADD && op <= OP_I64_GE_U) { emit_int_binop(s, W, int_binops[op - OP_I64_ADD], pc, false); return; }
    if (op >= OP_I32_ADD_I && op <= OP_I32_GE_U_I) { emit_int_binop(s, 0, int_immops[op - OP_I32_ADD_I], pc, true); return; }
    if (op >= OP_I64_ADD_I && op <= OP_I64_GE_U_I) { emit_int_binop(s, W, int_immops[op - OP_I64_ADD_I], pc, true); return; }
    if (op >= OP_BR_I32_EQ && op <= OP_BR_I32_GE_U_I) { emit_cmpbr(s, 0, op - OP_BR_I32_EQ, pc, at); return; }
    if (op >= OP_BR_I64_EQ && op <= OP_BR_I64_GE_U_I) { emit_cmpbr(s, W, op - OP_BR_I64_EQ, pc, at); return; }
    if (op >= OP_LD8S && op <= OP_LD64) { emit_load(s, op, op - OP_LD8S, 0, pc); return; }
    if (op >= OP_LD8S_A && op <= OP_LD64_A) { emit_load(s, op, op - OP_LD8S_A, 1, pc); return; }
    if (op >= OP_LD8S_AI && op <= OP_LD64_AI) { emit_load(s, op, op - OP_LD8S_AI, 2, pc); return; }
    if (op >= OP_LD8S_K && op <= OP_LD64_K) { emit_load(s, op, op - OP_LD8S_K, 3, pc); return; }
    if (op >= OP_ST8 && op <= OP_ST64) { emit_store(s, op, op - OP_ST8, 0, pc); return; }
    if (op >= OP_ST8_A && op <= OP_ST64_A) { emit_store(s, op, op - OP_ST8_A, 1, pc); return; }
    if (op >= OP_ST8_AI && op <= OP_ST64_AI) { emit_store(s, op, op - OP_ST8_AI, 2, pc); return; }
    if (op >= OP_ST8_K && op <= OP_ST64_K) { emit_store(s, op, op - OP_ST8_K, 3, pc); return; }
    if (op >= OP_F32_EQ && op <= OP_F32_GE) { emit_fcmp(s, false, op - OP_F32_EQ, pc); return; }
    if (op >= OP_F64_EQ && op <= OP_F64_GE) { emit_fcmp(s, true, op - OP_F64_EQ, pc); return; }
    /* clang-format on */

    uint32_t d = pc[2], a = pc[3];
    switch (op) {
    case OP_UNREACHABLE: jmp_trap(s, WASM_TRAP_UNREACHABLE); break;
    case OP_MOV: {
        int xd = fpin_of(s, d), xa = fpin_of(s, a);
        if (xd >= 0 && xa >= 0) {
            if (xd != xa)
                movaps(b, xd, xa);
            break;
        }
        if (xd >= 0 || xa >= 0) {
            xmem m = slot_any(s, xd >= 0 ? a : d);
            if (xd >= 0)
                m.reg >= 0 ? movq_x_r(b, xd, m.reg) : movsd_load(b, xd, m);
            else
                m.reg >= 0 ? movq_r_x(b, m.reg, xa) : movsd_store(b, m, xa);
            break;
        }
        int rd = pin_of(s, d), ra = pin_of(s, a);
        if (rd >= 0) {
            if (rd != ra)
                load64(b, rd, slot_any(s, a));
        } else if (ra >= 0) {
            store64(b, slot_any(s, d), ra);
        } else {
            load64(b, RAX, slot_any(s, a));
            store64(b, slot_any(s, d), RAX);
        }
        break;
    }
    case OP_CONST32:
    case OP_CONST64: {
        uint64_t v = op == OP_CONST32 ? a : ((uint64_t)pc[3] | (uint64_t)pc[4] << 32);
        int rd = pin_of(s, d), xd = fpin_of(s, d);
        if (xd >= 0) {
            if (v == 0) {
                xorps(b, xd);
            } else {
                mov_r_imm(b, RAX, v);
                movq_x_r(b, xd, RAX);
            }
        } else if (rd >= 0) {
            mov_r_imm(b, rd, v);
        } else if (fits32((int64_t)v)) {
            x_mem(b, W, 0xC7, 0, slot_any(s, d)); /* mov qword [d], imm32 (sign-extended) */
            jit_u32(b, (uint32_t)v);
        } else {
            mov_r_imm(b, RAX, v);
            store64(b, slot_any(s, d), RAX);
        }
        break;
    }
    case OP_SELECT:
        load64(b, RAX, slot(s, pc[3]));
        alu_m_imm(b, 0, ALU_CMP, slot(s, pc[5]), 0);
        x_mem(b, W, 0x0F40u | CC_E, RAX, slot(s, pc[4])); /* cmove rax, b */
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_BR: branch(s, -1, at, (int32_t)pc[2]); break;
    case OP_BR_NZ:
    case OP_BR_Z:
    case OP_BR_NZ64:
    case OP_BR_Z64:
        branch_prepare(s, (int32_t)pc[3]);
        alu_m_imm(b, (op == OP_BR_NZ64 || op == OP_BR_Z64) ? W : 0, ALU_CMP, slot(s, pc[2]), 0);
        branch(s, (op == OP_BR_NZ || op == OP_BR_NZ64) ? CC_NE : CC_E, at, (int32_t)pc[3]);
        break;
    case OP_BR_TABLE: {
        uint32_t n = pc[3];
        load32(b, RAX, slot(s, pc[2]));
        mov_r_imm(b, RCX, n);
        alu_r_r(b, 0, ALU_CMP, RAX, RCX);
        x_rr(b, 0, 0x0F40u | CC_AE, RAX, RCX); /* cmovae eax, ecx */
        /* lea rcx, [rip + table]; movsxd rax, [rcx + rax*4]; add rax, rcx; jmp rax */
        jit_u8(b, 0x48);
        jit_u8(b, 0x8D);
        jit_u8(b, 0x0D);
        uint32_t table_field = (uint32_t)b->len;
        jit_u32(b, 0);
        x_mem(b, W, 0x63, RAX, mem_idx(RCX, RAX, 2, 0));
        alu_r_r(b, W, ALU_ADD, RAX, RCX);
        x_rr(b, 0, 0xFF, 4, RAX);
        patch_here(s, table_field);
        uint32_t table = (uint32_t)b->len;
        for (uint32_t i = 0; i <= n; i++) {
            jit_u32(b, 0);
            if ((int32_t)pc[4 + i] > 0)
                wasm__jit_add_fixup_from(s, table + 4 * i, FIX_WORD, at + pc[4 + i], table);
        }
        /* loop targets go through a stub that checks for an interrupt,
         * as the interpreter does on a taken backward branch */
        for (uint32_t i = 0; i <= n; i++) {
            if ((int32_t)pc[4 + i] > 0)
                continue;
            wasm__arch_patch_rel32_from(s, table + 4 * i, (uint32_t)b->len, table);
            branch(s, -1, at, (int32_t)pc[4 + i]);
        }
        break;
    }
    case OP_RET:
        pins_flush(s, s->fc->nresults);
        if (s->fc->nresults == 1) /* also in rax, for direct callers */
            gload(s, RAX, 0);
        emit_return(b);
        break;
    case OP_RET1: {
        int r = pin_of(s, pc[2]);
        if (r < 0) {
            r = RAX;
            gload(s, RAX, pc[2]);
        }
        store64(b, slot_mem(0), r);
        if (r != RAX)
            mov_rr(b, RAX, r);
        emit_return(b);
        break;
    }
    case OP_RETK:
        mov_r_imm(b, RAX, (uint64_t)pc[2] | (uint64_t)pc[3] << 32);
        store64(b, slot_mem(0), RAX);
        emit_return(b);
        break;
    case OP_CALL: emit_call(s, pc); break;
    case OP_CALL_IMPORT:
        load_func(b, RDX, pc[2]);
        emit_call_helper(s, pc[3]);
        break;
    case OP_CALL_INDIRECT: emit_call_indirect(s, pc); break;
    case OP_GLOBAL_GET:
        load64(b, RAX, mem_at(R_INST, offsetof(wasm_instance, globals)));
        load64(b, RAX, mem_at(RAX, (int32_t)(a * 8u)));
        load64(b, RAX, mem_at(RAX, 0));
        gstore(s, d, RAX);
        break;
    case OP_GLOBAL_SET:
        load64(b, RAX, mem_at(R_INST, offsetof(wasm_instance, globals)));
        load64(b, RAX, mem_at(RAX, (int32_t)(pc[2] * 8u)));
        gload(s, RCX, a);
        store64(b, mem_at(RAX, 0), RCX);
        break;

    case OP_I32_EQZ:
    case OP_I64_EQZ:
        alu_m_imm(b, op == OP_I64_EQZ ? W : 0, ALU_CMP, slot(s, a), 0);
        setcc_zx(b, CC_E, RAX);
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_I32_CLZ:
    case OP_I64_CLZ: {
        unsigned w = op == OP_I64_CLZ ? W : 0;
        mov_r_imm(b, RCX, UINT64_MAX);
        x_mem(b, w, 0x0FBD, RAX, slot(s, a)); /* bsr; ZF when zero */
        x_rr(b, W, 0x0F40u | CC_E, RAX, RCX);
        mov_r_imm(b, RDX, w ? 63 : 31);
        alu_r_r(b, w, ALU_SUB, RDX, RAX);
        store64(b, slot_w(s, d), RDX);
        break;
    }
    case OP_I32_CTZ:
    case OP_I64_CTZ: {
        unsigned w = op == OP_I64_CTZ ? W : 0;
        mov_r_imm(b, RCX, w ? 64 : 32);
        x_mem(b, w, 0x0FBC, RAX, slot(s, a)); /* bsf */
        x_rr(b, W, 0x0F40u | CC_E, RAX, RCX);
        store64(b, slot_w(s, d), RAX);
        break;
    }
    case OP_I32_POPCNT:
    case OP_I64_POPCNT:
        x_mem(b, PF3 | (op == OP_I64_POPCNT ? W : 0), 0x0FB8, RAX, slot(s, a));
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_I32_EXTEND8_S:
        x_mem(b, 0, 0x0FBE, RAX, slot(s, a));
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_I32_EXTEND16_S:
        x_mem(b, 0, 0x0FBF, RAX, slot(s, a));
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_I64_EXTEND8_S:
        x_mem(b, W, 0x0FBE, RAX, slot(s, a));
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_I64_EXTEND16_S:
        x_mem(b, W, 0x0FBF, RAX, slot(s, a));
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_I64_EXTEND32_S:
        x_mem(b, W, 0x63, RAX, slot(s, a));
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_I64_EXTEND_I32_U:
        load32(b, RAX, slot(s, a));
        store64(b, slot_w(s, d), RAX);
        break;

    case OP_F32_ADD: emit_fbin(s, false, 0x0F58, pc); break;
    case OP_F32_SUB: emit_fbin(s, false, 0x0F5C, pc); break;
    case OP_F32_MUL: emit_fbin(s, false, 0x0F59, pc); break;
    case OP_F32_DIV: emit_fbin(s, false, 0x0F5E, pc); break;
    case OP_F64_ADD: emit_fbin(s, true, 0x0F58, pc); break;
    case OP_F64_SUB: emit_fbin(s, true, 0x0F5C, pc); break;
    case OP_F64_MUL: emit_fbin(s, true, 0x0F59, pc); break;
    case OP_F64_DIV: emit_fbin(s, true, 0x0F5E, pc); break;
    case OP_F32_SQRT:
    case OP_F64_SQRT: {
        bool f64 = op == OP_F64_SQRT;
        fload(b, f64, 0, slot_f(s, a));
        x_rr(b, fpfx(f64), 0x0F51, 0, 0);
        fresult(s, d);
        break;
    }
    /* abs, neg and copysign touch the sign bit only: integer code (32-bit
     * operations for f32 clear the upper half) */
    case OP_F32_ABS:
    case OP_F64_ABS:
    case OP_F32_NEG:
    case OP_F64_NEG: {
        bool f64 = op == OP_F64_ABS || op == OP_F64_NEG;
        gload(s, RAX, a);
        x_rr(b, f64 ? W : 0, 0x0FBA, (op == OP_F32_ABS || op == OP_F64_ABS) ? 6 : 7, RAX);
        jit_u8(b, f64 ? 63 : 31); /* btr / btc */
        gstore(s, d, RAX);
        break;
    }
    case OP_F32_COPYSIGN:
    case OP_F64_COPYSIGN: {
        unsigned w = op == OP_F64_COPYSIGN ? W : 0;
        uint8_t bit = w ? 63 : 31;
        gload(s, RAX, a);
        x_rr(b, w, 0x0FBA, 6, RAX);
        jit_u8(b, bit);
        gload(s, RCX, pc[4]);
        x_rr(b, w, 0xC1, 5, RCX); /* shr: the sign bit alone */
        jit_u8(b, bit);
        x_rr(b, w, 0xC1, 4, RCX); /* shl back */
        jit_u8(b, bit);
        alu_r_r(b, w, ALU_OR, RAX, RCX);
        gstore(s, d, RAX);
        break;
    }
    case OP_F32_CONVERT_I32_S:
    case OP_F64_CONVERT_I32_S:
        xorps(b, 0); /* no false dependency */
        x_mem(b, fpfx(op == OP_F64_CONVERT_I32_S), 0x0F2A, 0, slot(s, a));
        fresult(s, d);
        break;
    case OP_F32_CONVERT_I64_S:
    case OP_F64_CONVERT_I64_S:
        xorps(b, 0);
        x_mem(b, fpfx(op == OP_F64_CONVERT_I64_S) | W, 0x0F2A, 0, slot(s, a));
        fresult(s, d);
        break;
    case OP_F32_CONVERT_I32_U:
    case OP_F64_CONVERT_I32_U:
        load32(b, RAX, slot(s, a)); /* zero-extended: exact as i64 */
        xorps(b, 0);
        x_rr(b, fpfx(op == OP_F64_CONVERT_I32_U) | W, 0x0F2A, 0, RAX);
        fresult(s, d);
        break;
    case OP_F32_DEMOTE_F64:
        xorps(b, 0);
        x_mem(b, PF2, 0x0F5A, 0, slot_f(s, a));
        fresult(s, d);
        break;
    case OP_F64_PROMOTE_F32:
        x_mem(b, PF3, 0x0F5A, 0, slot_f(s, a));
        fresult(s, d);
        break;

    case OP_MEMORY_SIZE:
        load64(b, RAX, mem_at(R_INST, offsetof(wasm_instance, mem)));
        load32(b, RAX, mem_at(RAX, offsetof(wasm_memory, pages)));
        store64(b, slot_w(s, d), RAX);
        break;
    case OP_REF_IS_NULL:
        alu_m_imm(b, W, ALU_CMP, slot(s, a), 0);
        setcc_zx(b, CC_E, RAX);
        store64(b, slot_w(s, d), RAX);
        break;
    default:
        /* every remaining operation goes through the helper */
        emit_slow(s, pc, op, true);
        break;
    }
}

#endif
