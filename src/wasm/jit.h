/* jit.h: the compiling tier.  It translates each function's internal code
 * (the interpreter's register-style instructions, already validated and
 * optimised by compile.c) into machine code.
 *
 * jit.c is the target-neutral driver: it walks the internal code, records
 * where every instruction starts, patches branches, owns the code memory
 * (mapped read-write, then read-execute; never both), enters compiled code
 * from the host, and implements the operations that are not worth inline
 * code as C helpers with the interpreter's semantics.  The per-architecture
 * layer (x86_64_emit.c; an arm64 file would sit beside it) lowers one
 * instruction at a time.  Any function the layer cannot lower runs in the
 * interpreter, so the tier is per function.
 *
 * It compiles in batches: every function at once for the `jit` engine; for
 * `tiered`, a function the interpreter found hot and the functions it calls
 * directly (wasm__jit_tier_up), after which the interpreter hands a running
 * loop over to the machine code (wasm__jit_osr).
 *
 * Compiled code keeps the interpreter's data layout: the same frame slots
 * on the value stack, the same call_frame stack (so traps name the same
 * functions and calls are bounded by the same depth), the same memories. */
#ifndef WASM_JIT_H
#define WASM_JIT_H

#include <string.h>

#include "internal.h"

/* The architectures with a code generator: each has a layer file (x86-64:
 * x86_64_emit.c).  Elsewhere, or built with -DWASM_NO_JIT, every function
 * runs in the interpreter and `--engine jit` falls back to it. */
#if defined(__x86_64__) && !defined(WASM_NO_JIT)
#define WASM_JIT_ARCH "x86-64"
#endif

/* Trap exits shared by a module's code, one per status. */
#define JIT_TRAP_KINDS 16

/* entry(rt, code, fp, inst, cf, osr_target): the trampoline at the start
 * of a module's code.  It calls `code` (a function's first entry, with the
 * arguments in the frame, or its on-stack-replacement entry, which jumps
 * to osr_target) with the registers compiled code expects.  Compiled code
 * reads the runtime's fields (interrupt flag, stack and frame limits)
 * straight through a register, so that an interrupt check is one compare;
 * the trampoline keeps the previous rt->jit_saved_sp on the native stack
 * for nested entries. */
typedef wasm_status (*jit_entry_fn)(wasm_runtime *, const void *, uint64_t *, wasm_instance *,
                                    call_frame *, const void *);

/* A loop head of a compiled function where the interpreter can hand over
 * (on-stack replacement): its word offset and its machine code. */
typedef struct jit_osr {
    uint32_t word, pos;
} jit_osr;

/* Per module: the code memory, what is compiled in it and what it cost.
 * Functions are compiled in batches (all of them at once for the `jit`
 * tier; for `tiered`, a function that runs hot and the functions it calls
 * directly).  Each batch goes to fresh pages of one reservation, which
 * are read-write while it is written and read-execute from then on, so
 * that code already running is never remapped. */
typedef struct jit_module {
    uint8_t *code;   /* the reservation; [0, ready) is read-execute */
    size_t map_size; /* reserved, in proportion to the module's code */
    size_t ready;
    size_t code_bytes;                     /* machine code in it, without padding */
    uint32_t compiled, functions, batches; /* functions compiled of those defined */
    uint64_t compile_ns;
    jit_entry_fn entry;
    /* the shared code every function jumps to */
    uint32_t trap_pos[JIT_TRAP_KINDS], trap_pushed_pos[JIT_TRAP_KINDS], unwind_pos;
    uint32_t max_words, max_slots; /* of the module's functions: scratch sizes */
    /* per defined function */
    uint8_t *compiles;               /* has or may get machine code (not refused, not failed) */
    uint32_t *func_pos;              /* first entry, or UINT32_MAX while not compiled */
    uint32_t *func_direct_pos;       /* entry of direct calls (FIX_FUNC_DIRECT) */
    uint32_t *osr_stub;              /* on-stack-replacement entry */
    uint32_t *osr_first, *osr_count; /* its loop heads in osr[] */
    jit_osr *osr;
    size_t nosr, caposr;
} jit_module;

/* Compile every function of m that the backend supports and that is not
 * compiled yet (the `jit` tier, at instantiation).  0, or a negative errno
 * (what failed then runs in the interpreter); -EINTR when `watch` was asked
 * to stop (wasm__runtime_stopping) between two functions: nothing of that
 * batch is kept, and a later call tries again. */
int wasm__jit_compile(wasm_module *m, const wasm_runtime *watch);
void wasm__jit_free(wasm_module *m);
/* The compiled part of wasm_module_jit_stats (another thread may be
 * compiling): 0, or -ENOENT when nothing was set up. */
int wasm__jit_stats(const wasm_module *m, wasm_jit_stats *stats);
/* The `tiered` tier's trigger: rt->tier_countdown ran out at a call of fc
 * or at a loop back-edge in it.  Compiles fc and the functions it calls
 * directly when they have no machine code yet, and starts a new count.
 * An interrupt of rt stops the compile, a stop request does not (a guest
 * winding down may still run hot code). */
void wasm__jit_tier_up(wasm_runtime *rt, const func_code *fc);
/* At a loop back-edge to `pc` in the interpreter, in the function of the
 * innermost frame cf (fp, inst: its frame and instance), when the count
 * ran out: compile the function, then run the rest of it in machine code
 * from that loop head.  *ran says whether it did; the status is then the
 * function's (its results are in its frame, as after a return). */
wasm_status wasm__jit_osr(wasm_runtime *rt, call_frame *cf, uint64_t *fp, wasm_instance *inst,
                          const code_t *pc, bool *ran);

/* fc's machine code, or NULL: published by another thread's compilation
 * after the code was made executable. */
static inline const void *wasm__jit_code(const func_code *fc)
{
    return __atomic_load_n(&fc->jit_code, __ATOMIC_ACQUIRE);
}

/* The machine code a call of fc from rt (the host, or compiled code calling
 * out) runs, or NULL for the interpreter; a call of a function without
 * code counts towards the tiered engine's next look at what runs hot. */
static inline const void *wasm__jit_code_for_call(wasm_runtime *rt, const func_code *fc)
{
    if (!rt->use_jit)
        return NULL;
    const void *code = wasm__jit_code(fc);
    if (!code && --rt->tier_countdown < 0) {
        wasm__jit_tier_up(rt, fc);
        code = wasm__jit_code(fc);
    }
    return code;
}

/* Run fc (which has machine code) of instance inst with its arguments in
 * fp[0..]; like wasm__interp_call.  Inline: it is the path of every call
 * from the host (each ring buffer record's callback), and wasm_call's
 * checks already loaded most of what it reads. */
static inline wasm_status wasm__jit_enter(wasm_runtime *rt, const func_code *fc,
                                          wasm_instance *inst, uint64_t *fp)
{
    call_frame *cf = rt->cf;
    if (__builtin_expect(cf + 1 >= rt->frames_end, 0))
        return wasm__trap_set(rt, WASM_TRAP_STACK_EXHAUSTED, cf->fn);
    cf++;
    cf->ret_pc = NULL;
    cf->fp = fp;
    cf->inst = inst;
    cf->fn = fc;
    rt->cf = cf;
    return fc->module->jit->entry(rt, fc->jit_code, fp, inst, cf, NULL);
}
static inline wasm_status wasm__jit_call(wasm_runtime *rt, wasm_func *f, uint64_t *fp)
{
    return wasm__jit_enter(rt, f->code, f->inst, fp);
}
/* Is the compiling tier available on this machine? */
bool wasm__jit_available(void);

/* ---- between the driver and the per-architecture layer ---- */

typedef struct jit_buf {
    uint8_t *p;
    size_t len, cap, limit;
    bool failed;  /* out of memory or over limit */
    bool discard; /* the counting pass: nothing is encoded (it only
                                       * notes slot uses and loops; encoding was half
                                       * of hello's compile time), len stays put and
                                       * patches are skipped */
} jit_buf;

/* Makes room for n more bytes (false when over the limit). */
bool wasm__jit_grow(jit_buf *b, size_t n);
static inline void jit_put(jit_buf *b, const void *bytes, size_t n)
{
    if (b->discard)
        return;
    if (__builtin_expect(b->len + n > b->cap, 0) && !wasm__jit_grow(b, n))
        return;
    memcpy(b->p + b->len, bytes, n);
    b->len += n;
}
static inline void jit_u8(jit_buf *b, uint8_t v)
{
    jit_put(b, &v, 1);
}
static inline void jit_u32(jit_buf *b, uint32_t v)
{
    jit_put(b, &v, 4);
}
static inline void jit_u64(jit_buf *b, uint64_t v)
{
    jit_put(b, &v, 8);
}

/* A 32-bit relative field at `at` that must reach a target known later:
 * an instruction of the function (word offset), a function's start (its
 * entry with the arguments in the frame), or its entry for direct calls
 * from compiled code (the layer may pass the first arguments in registers
 * there). */
enum { FIX_WORD, FIX_FUNC, FIX_FUNC_DIRECT };
typedef struct jit_fixup {
    uint32_t at;
    uint32_t base;   /* the field holds target - base */
    uint32_t target; /* word offset, or defined-function index */
    uint8_t kind;
} jit_fixup;

/* Frame slots a function keeps in registers (the layer's choice of
 * registers; the driver picks the slots by use, weighted by loop depth):
 * integer registers for slots only integer instructions use, float
 * registers for slots only float instructions use; slots used by moves,
 * loads, stores and constants (which the layer lowers for both kinds)
 * can go in either. */
#define JIT_MAX_PINS  6
#define JIT_MAX_FPINS 8

/* How an instruction uses a slot (USE_WRITE: it writes it).  A use through
 * the register file the slot is not pinned in goes through memory: the
 * driver writes the register back before the instruction (a "spill") and,
 * if it writes the slot, reads it again after. */
enum { USE_INT = 0, USE_FLOAT = 1, USE_ANY = 2, USE_KIND = 3, USE_WRITE = 4 };
typedef struct jit_use {
    uint32_t slot, at;
    uint8_t kind;
} jit_use;

/* A memory access known to be in bounds in the straight-line code being
 * emitted (memory never shrinks, nor moves): its address slot and form
 * (0: slot + offset, 2: slot + immediate, wrapped at 32 bits; 3: a
 * constant, slot 0), the immediate, and the end (offset + size) up to
 * which it was checked.  The driver forgets them at branch targets, and
 * a slot's when an instruction writes it. */
#define JIT_MAX_CHECKED 8
typedef struct jit_checked {
    uint32_t slot, imm;
    uint64_t end;
    uint8_t form;
} jit_checked;

typedef struct jit_state {
    jit_buf buf;
    const wasm_module *m;
    const func_code *fc; /* function being compiled */
    uint32_t *word_pos;  /* native offset of each instruction start, or UINT32_MAX */
    jit_fixup *fix;
    size_t nfix, capfix;
    uint32_t *func_pos;                /* native offset of each defined function, or UINT32_MAX */
    uint32_t *func_direct_pos;         /* and of its entry for direct calls (FIX_FUNC_DIRECT) */
    uint32_t direct_entry;             /* set by the layer's function prologue */
    const uint8_t *compiles;           /* per defined function: will it have native code */
    uint32_t trap_pos[JIT_TRAP_KINDS]; /* native offset of the trap exit per wasm_status */
    uint32_t trap_pushed_pos[JIT_TRAP_KINDS]; /* the same, popping a call frame first */
    uint32_t unwind_pos; /* exit with the status already in the return register */

    /* a first pass over each function only counts slot uses and loops */
    bool counting;
    uint32_t cur_at; /* word offset of the instruction being lowered */
    jit_use *uses;
    size_t nuses, capuses;
    uint32_t (*loops)[2]; /* [head, back-edge] word offsets */
    size_t nloops, caploops;
    uint32_t pins[JIT_MAX_PINS]; /* slots held in the layer's integer pin registers */
    uint32_t npins;
    uint32_t fpins[JIT_MAX_FPINS]; /* slots held in its float pin registers */
    uint32_t nfpins;
    /* the uses through the other register file (in order of `at`), and
     * those of the instruction being lowered */
    size_t nspills, next_spill, cur_spill, end_spill;
    uint8_t *is_target; /* per word: a branch lands there (emitting pass) */
    /* out-of-line code of the function being emitted, placed after it
     * by wasm__arch_emit_function_end: the layer's to define */
    struct jit_stub *stubs;
    size_t nstubs, capstubs;
    jit_checked checked[JIT_MAX_CHECKED];
    uint32_t nchecked;
} jit_state;

void wasm__jit_note_use(jit_state *s, uint32_t slot, uint8_t kind);
void wasm__jit_note_loop(jit_state *s, uint32_t head, uint32_t back_edge);
/* Was this access checked already (see jit_checked)?  If not, the layer
 * checks it and records it with wasm__jit_note_checked. */
bool wasm__jit_is_checked(const jit_state *s, uint8_t form, uint32_t slot, uint32_t imm,
                          uint64_t end);
void wasm__jit_note_checked(jit_state *s, uint8_t form, uint32_t slot, uint32_t imm, uint64_t end);
/* Has the driver spilled slot x for the instruction being lowered? */
bool wasm__jit_spilled(const jit_state *s, uint32_t x);

/* A rel32 field at `at`, relative to its end (jumps, calls) or to base. */
void wasm__jit_add_fixup(jit_state *s, uint32_t at, uint8_t kind, uint32_t target);
void wasm__jit_add_fixup_from(jit_state *s, uint32_t at, uint8_t kind, uint32_t target,
                              uint32_t base);
/* Native offset of the instruction at word `target` already emitted (a
 * loop head); marks the compilation failed if there is none. */
uint32_t wasm__jit_word_pos(jit_state *s, uint32_t target);

/* The C helpers compiled code calls. */
/* Rare or large operations, with the interpreter's semantics: returns a status. */
uint32_t wasm__jit_slow_op(wasm_runtime *rt, call_frame *cf, uint64_t *fp, const code_t *pc,
                           uint32_t op, wasm_instance *inst);
/* A call that does not go straight to compiled code: host functions,
 * other instances, functions left to the interpreter. */
uint32_t wasm__jit_call_func(wasm_runtime *rt, call_frame *cf, wasm_func *f, uint64_t *nfp);
/* Record a trap raised in compiled code (cf: the innermost frame). */
uint32_t wasm__jit_trap(wasm_runtime *rt, call_frame *cf, uint32_t status);

/* Per-architecture layer. */
/* The module's shared code: the entry trampoline and the trap exits.
 * Returns the entry's offset. */
uint32_t wasm__arch_emit_module_prologue(jit_state *s);
/* After a function: its on-stack-replacement entry, entered from the
 * trampoline with the target loop head in the trampoline's sixth
 * argument: the function's pinned slots from the frame, then the jump. */
void wasm__arch_emit_osr_entry(jit_state *s);
/* Can the layer lower this operation (possibly through a helper)? */
bool wasm__arch_supports(enum wasm_op op);
void wasm__arch_emit_function_prologue(jit_state *s, const func_code *fc);
/* After the function's last instruction: its out-of-line code. */
void wasm__arch_emit_function_end(jit_state *s);
/* A pinned slot to its frame slot, and back. */
void wasm__arch_spill(jit_state *s, uint32_t x);
void wasm__arch_unspill(jit_state *s, uint32_t x);
/* Lower one instruction at word offset `at` of s->fc. */
void wasm__arch_emit_op(jit_state *s, enum wasm_op op, const code_t *pc, uint32_t at);
/* Patch a 32-bit relative field at `at` to reach `target` (both offsets). */
void wasm__arch_patch_rel32(jit_state *s, uint32_t at, uint32_t target);
void wasm__arch_patch_rel32_from(jit_state *s, uint32_t at, uint32_t target, uint32_t base);

/* The operation at pc (its handler address mapped back), or -1. */
int wasm__jit_op_of(const code_t *pc);
/* Words of the instruction at pc (dump.c knows them). */
uint32_t wasm__op_words(enum wasm_op op, const code_t *pc);

#endif
