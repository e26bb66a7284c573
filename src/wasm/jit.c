/* jit.c: the compiling tier's target-neutral driver (see jit.h): from the
 * internal code of a module to machine code, entry from the host, and the
 * C helpers compiled code calls for rare operations. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "jit.h"
#include "values.h"

/* Machine code per word of internal code, at most: a bound on what a
 * module can make us map, proportional to its size (the internal code is
 * itself bounded by LIMIT_CODE_WORDS_PER_BYTE). */
#define JIT_BYTES_PER_WORD 64u

bool wasm__jit_available(void)
{
#ifdef WASM_JIT_ARCH
    return true;
#else
    return false;
#endif
}

/* ------------------------------------------------------------------ */
/* Internal code: handler address -> operation                         */
/* ------------------------------------------------------------------ */

/* Open addressing over the handlers' addresses: the lookup runs twice
 * per instruction compiled. */
#define HANDLER_SLOTS 1024u
static struct {
    uintptr_t handler;
    int op;
} handler_table[HANDLER_SLOTS];
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static uint32_t handler_hash(uintptr_t h)
{
    return (uint32_t)(((uint64_t)h * 0x9E3779B97F4A7C15ull) >> 54) & (HANDLER_SLOTS - 1);
}

static void handler_ops_init(void)
{
    wasm__interp_init();
    for (int i = 0; i < OP_COUNT; i++) {
        uintptr_t h = (uintptr_t)wasm__interp_handlers[i];
        uint32_t k = handler_hash(h);
        while (handler_table[k].handler && handler_table[k].handler != h)
            k = (k + 1) & (HANDLER_SLOTS - 1);
        /* two operations sharing a handler (identical code) lower alike:
         * the first one stands for both */
        if (!handler_table[k].handler)
            handler_table[k].handler = h, handler_table[k].op = i;
    }
}

int wasm__jit_op_of(const code_t *pc)
{
    uintptr_t h;
    memcpy(&h, pc, sizeof h);
    for (uint32_t k = handler_hash(h);; k = (k + 1) & (HANDLER_SLOTS - 1)) {
        if (handler_table[k].handler == h)
            return handler_table[k].op;
        if (!handler_table[k].handler)
            return -1;
    }
}

/* ------------------------------------------------------------------ */
/* Code buffer and fixups                                              */
/* ------------------------------------------------------------------ */

/* The buffer is the code mapping itself (reserved at its limit, read-write
 * while compiling), so nothing is copied.  Pages are populated in steps:
 * on a VM a page fault per 4 KB costs more than the code generation. */
#define JIT_POPULATE_STEP (64u * 1024u)

/* Writable up to cap bytes (at most the limit), its pages populated. */
static void jit_populate(jit_buf *b, size_t cap)
{
    if (cap > b->limit)
        cap = b->limit;
    if (cap <= b->cap)
        return;
#ifdef MADV_POPULATE_WRITE
    (void)madvise(b->p + b->cap, cap - b->cap, MADV_POPULATE_WRITE);
#endif
    b->cap = cap;
}

bool wasm__jit_grow(jit_buf *b, size_t n)
{
    if (b->failed)
        return false;
    if (b->len + n > b->limit) {
        b->failed = true;
        b->cap = 0; /* every later write comes here and is dropped */
        return false;
    }
    jit_populate(b, b->cap + JIT_POPULATE_STEP);
    return true;
}

void wasm__jit_add_fixup_from(jit_state *s, uint32_t at, uint8_t kind, uint32_t target,
                              uint32_t base)
{
    if (s->buf.failed)
        return;
    if (kind == FIX_WORD && target < s->fc->code_words)
        s->is_target[target] = 1;
    if (s->nfix == s->capfix) {
        size_t cap = s->capfix ? s->capfix * 2 : 256;
        jit_fixup *p = realloc(s->fix, cap * sizeof *p);
        if (!p) {
            s->buf.failed = true;
            return;
        }
        s->fix = p;
        s->capfix = cap;
    }
    s->fix[s->nfix++] = (jit_fixup){at, base, target, kind};
}

void wasm__jit_add_fixup(jit_state *s, uint32_t at, uint8_t kind, uint32_t target)
{
    wasm__jit_add_fixup_from(s, at, kind, target, at + 4);
}

uint32_t wasm__jit_word_pos(jit_state *s, uint32_t target)
{
    if (target >= s->fc->code_words || s->word_pos[target] == UINT32_MAX) {
        s->buf.failed = true;
        return 0;
    }
    return s->word_pos[target];
}

static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;

#ifdef WASM_JIT_ARCH
/* Resolve the branches of the function just compiled; keep calls. */
static void resolve_word_fixups(jit_state *s)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->nfix; i++) {
        jit_fixup f = s->fix[i];
        if (f.kind == FIX_WORD)
            wasm__arch_patch_rel32_from(s, f.at, wasm__jit_word_pos(s, f.target), f.base);
        else
            s->fix[kept++] = f;
    }
    s->nfix = kept;
}

/* ------------------------------------------------------------------ */
/* Compilation                                                         */
/* ------------------------------------------------------------------ */

/* Does every instruction of fc have a lowering? */
static bool function_supported(const func_code *fc)
{
    const code_t *pc = fc->code, *end = fc->code + fc->code_words;
    while (pc < end) {
        int op = wasm__jit_op_of(pc);
        if (op < 0 || !wasm__arch_supports((enum wasm_op)op))
            return false;
        uint32_t n = wasm__op_words((enum wasm_op)op, pc);
        if (n > (size_t)(end - pc))
            return false;
        pc += n;
    }
    return true;
}

void wasm__jit_note_use(jit_state *s, uint32_t slot, uint8_t kind)
{
    if (s->nuses == s->capuses) {
        size_t cap = s->capuses ? s->capuses * 2 : 1024;
        jit_use *p = realloc(s->uses, cap * sizeof *p);
        if (!p) {
            s->buf.failed = true;
            return;
        }
        s->uses = p;
        s->capuses = cap;
    }
    s->uses[s->nuses++] = (jit_use){slot, s->cur_at, kind};
}

void wasm__jit_note_loop(jit_state *s, uint32_t head, uint32_t back_edge)
{
    if (!s->counting)
        return;
    if (s->nloops == s->caploops) {
        size_t cap = s->caploops ? s->caploops * 2 : 64;
        uint32_t(*p)[2] = realloc(s->loops, cap * sizeof *p);
        if (!p) {
            s->buf.failed = true;
            return;
        }
        s->loops = p;
        s->caploops = cap;
    }
    s->loops[s->nloops][0] = head;
    s->loops[s->nloops][1] = back_edge;
    s->nloops++;
}

/* The slots worth a register: uses weighted by 8 per loop level (up to 3
 * levels), a use through the other register file counting -2 (it costs a
 * store and a load), at least a few of them (pinned slots cost a store and
 * a load around every call).  Each slot goes to the register file it
 * scores best in; the best of each file get its registers.  score has two
 * entries per slot. */
static uint32_t pick_pins(int64_t *score, uint32_t nslots, uint32_t *pins, uint32_t max)
{
    uint32_t n = 0;
    for (; n < max; n++) {
        int64_t best = 3;
        uint32_t best_slot = UINT32_MAX;
        for (uint32_t x = 0; x < nslots; x++)
            if (score[x] > best) {
                best = score[x];
                best_slot = x;
            }
        if (best_slot == UINT32_MAX)
            break;
        pins[n] = best_slot;
        score[best_slot] = 0;
    }
    return n;
}

static bool pinned_in(const uint32_t *pins, uint32_t n, uint32_t x)
{
    for (uint32_t i = 0; i < n; i++)
        if (pins[i] == x)
            return true;
    return false;
}

static void choose_pins(jit_state *s, const func_code *fc, int32_t *depth, int64_t *score)
{
    uint32_t nslots = fc->frame_slots;
    int64_t *sint = score, *sfloat = score + nslots;
    s->npins = s->nfpins = 0;
    memset(depth, 0, ((size_t)fc->code_words + 1) * sizeof *depth);
    for (size_t i = 0; i < s->nloops; i++) {
        depth[s->loops[i][0]]++;
        depth[s->loops[i][1] + 1]--;
    }
    for (uint32_t w = 1; w <= fc->code_words; w++)
        depth[w] += depth[w - 1];
    memset(score, 0, 2 * (size_t)nslots * sizeof *score);
    for (size_t i = 0; i < s->nuses; i++) {
        jit_use u = s->uses[i];
        if (u.slot >= nslots)
            continue;
        int32_t d = depth[u.at] < 3 ? depth[u.at] : 3;
        int64_t w = (int64_t)1 << (3 * (d > 0 ? d : 0));
        uint8_t kind = u.kind & USE_KIND;
        sint[u.slot] += kind == USE_FLOAT ? -2 * w : w;
        sfloat[u.slot] += kind == USE_INT ? -2 * w : w;
    }
    for (uint32_t x = 0; x < nslots; x++) {
        if (sint[x] >= sfloat[x])
            sfloat[x] = 0;
        else
            sint[x] = 0;
    }
    s->npins = pick_pins(sint, nslots, s->pins, JIT_MAX_PINS);
    s->nfpins = pick_pins(sfloat, nslots, s->fpins, JIT_MAX_FPINS);

    /* keep the uses through the other register file */
    size_t n = 0;
    for (size_t i = 0; i < s->nuses; i++) {
        jit_use u = s->uses[i];
        uint8_t kind = u.kind & USE_KIND;
        if ((kind == USE_INT && pinned_in(s->fpins, s->nfpins, u.slot)) ||
            (kind == USE_FLOAT && pinned_in(s->pins, s->npins, u.slot)))
            s->uses[n++] = u;
    }
    s->nspills = n;
}

bool wasm__jit_spilled(const jit_state *s, uint32_t x)
{
    for (size_t i = s->cur_spill; i < s->end_spill; i++)
        if (s->uses[i].slot == x)
            return true;
    return false;
}

/* Was slot x of the spill at i already handled for this instruction? */
static bool spill_seen(const jit_state *s, size_t i, bool writes)
{
    for (size_t k = s->cur_spill; k < i; k++)
        if (s->uses[k].slot == s->uses[i].slot && (!writes || (s->uses[k].kind & USE_WRITE)))
            return true;
    return false;
}

bool wasm__jit_is_checked(const jit_state *s, uint8_t form, uint32_t slot, uint32_t imm,
                          uint64_t end)
{
    for (uint32_t i = 0; i < s->nchecked; i++) {
        const jit_checked *c = &s->checked[i];
        if (c->form == form && c->slot == slot && c->imm == imm && c->end >= end)
            return true;
    }
    return false;
}

void wasm__jit_note_checked(jit_state *s, uint8_t form, uint32_t slot, uint32_t imm, uint64_t end)
{
    if (s->counting)
        return;
    for (uint32_t i = 0; i < s->nchecked; i++) {
        jit_checked *c = &s->checked[i];
        if (c->form == form && c->slot == slot && c->imm == imm) {
            if (end > c->end)
                c->end = end;
            return;
        }
    }
    if (s->nchecked == JIT_MAX_CHECKED) { /* forget the oldest */
        memmove(s->checked, s->checked + 1, (JIT_MAX_CHECKED - 1) * sizeof *s->checked);
        s->nchecked--;
    }
    s->checked[s->nchecked++] = (jit_checked){slot, imm, end, form};
}

static bool is_store(enum wasm_op op)
{
    return (op >= OP_ST8 && op <= OP_ST64) || (op >= OP_ST8_A && op <= OP_ST64_AI) ||
           (op >= OP_ST8_K && op <= OP_ST64_K);
}

/* After op: forget the checked addresses it may have changed.  Most
 * operations write their first operand word (pc[2]) at most; the others
 * (calls, helpers, returns, tables) forget everything. */
static void forget_checked(jit_state *s, enum wasm_op op, const code_t *pc)
{
    bool writes_first = op == OP_MOV || op == OP_CONST32 || op == OP_CONST64 || op == OP_SELECT ||
                        op == OP_GLOBAL_GET || op == OP_MEMORY_SIZE || op == OP_REF_IS_NULL ||
                        (op >= OP_I32_ADD && op <= OP_I64_GE_U_I) ||
                        (op >= OP_I32_EQZ && op <= OP_F64_PROMOTE_F32) ||
                        (op >= OP_LD8S && op <= OP_ST64_K && !is_store(op));
    bool writes_none = is_store(op) || op == OP_GLOBAL_SET || op == OP_BR || op == OP_BR_NZ ||
                       op == OP_BR_Z || op == OP_BR_NZ64 || op == OP_BR_Z64 ||
                       (op >= OP_BR_I32_EQ && op <= OP_BR_I64_GE_U_I);
    if (writes_none)
        return;
    if (!writes_first) {
        s->nchecked = 0;
        return;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->nchecked; i++)
        if (s->checked[i].form == 3 || s->checked[i].slot != pc[2])
            s->checked[n++] = s->checked[i];
    s->nchecked = n;
}

static void emit_body(jit_state *s, const func_code *fc)
{
    for (uint32_t i = 0; i < fc->code_words; i++)
        s->word_pos[i] = UINT32_MAX;
    /* branch targets: loop heads (found by the counting pass) now,
     * forward ones as their branches are emitted */
    memset(s->is_target, 0, fc->code_words);
    if (!s->counting)
        for (size_t i = 0; i < s->nloops; i++)
            s->is_target[s->loops[i][0]] = 1;
    s->nchecked = 0;
    s->nstubs = 0;
    wasm__arch_emit_function_prologue(s, fc);
    const code_t *pc = fc->code, *end = fc->code + fc->code_words;
    while (pc < end && !s->buf.failed) {
        enum wasm_op op = (enum wasm_op)wasm__jit_op_of(pc);
        uint32_t at = (uint32_t)(pc - fc->code);
        s->word_pos[at] = (uint32_t)s->buf.len;
        s->cur_at = at;
        while (s->next_spill < s->nspills && s->uses[s->next_spill].at < at)
            s->next_spill++;
        s->cur_spill = s->next_spill;
        while (s->next_spill < s->nspills && s->uses[s->next_spill].at == at)
            s->next_spill++;
        s->end_spill = s->next_spill;
        for (size_t i = s->cur_spill; i < s->end_spill; i++)
            if (!spill_seen(s, i, false))
                wasm__arch_spill(s, s->uses[i].slot);
        if (s->is_target[at])
            s->nchecked = 0;
        wasm__arch_emit_op(s, op, pc, at);
        forget_checked(s, op, pc);
        for (size_t i = s->cur_spill; i < s->end_spill; i++)
            if ((s->uses[i].kind & USE_WRITE) && !spill_seen(s, i, true))
                wasm__arch_unspill(s, s->uses[i].slot);
        pc += wasm__op_words(op, pc);
    }
    wasm__arch_emit_function_end(s);
}

/* Two passes: the first counts slot uses and finds loops (it encodes
 * nothing: buf.discard), the second emits with the chosen slots in
 * registers. */
static void compile_function(jit_state *s, const func_code *fc, int32_t *depth, int64_t *weight)
{
    s->fc = fc;
    size_t start = s->buf.len, nfix = s->nfix;
    s->npins = s->nfpins = 0;
    s->nuses = s->nloops = 0;
    s->nspills = s->next_spill = s->cur_spill = s->end_spill = 0;
    s->counting = s->buf.discard = true;
    emit_body(s, fc);
    s->counting = s->buf.discard = false;
    if (s->buf.failed)
        return;
    choose_pins(s, fc, depth, weight);
    s->next_spill = 0;
    s->buf.len = start;
    s->nfix = nfix;
    emit_body(s, fc);
    resolve_word_fixups(s);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Batches after which the rest of the module is compiled at once: each
 * batch may leave the end of its last page unused, and this bounds the
 * pages a module can make us waste. */
#define JIT_MAX_BATCHES 32u

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

static size_t page_round(size_t n)
{
    size_t page = page_size();
    return (n + page - 1) / page * page;
}

static void module_free(jit_module *jm)
{
    if (!jm)
        return;
    if (jm->code)
        munmap(jm->code, jm->map_size);
    free(jm->compiles);
    free(jm->func_pos);
    free(jm->osr);
    free(jm);
}

/* The module's reservation, its shared code (made executable at once)
 * and the per-function tables. */
static int module_setup(wasm_module *m, jit_module **out)
{
    uint32_t ndef = m->nfuncs - m->nfunc_imports;
    jit_module *jm = calloc(1, sizeof *jm);
    if (!jm)
        return -ENOMEM;
    jm->functions = ndef;
    jm->compiles = calloc((size_t)ndef + 1, 1);
    /* five per-function tables in one block */
    jm->func_pos = malloc(5 * ((size_t)ndef + 1) * sizeof *jm->func_pos);
    if (!jm->compiles || !jm->func_pos) {
        module_free(jm);
        return -ENOMEM;
    }
    jm->func_direct_pos = jm->func_pos + ndef + 1;
    jm->osr_stub = jm->func_direct_pos + ndef + 1;
    jm->osr_first = jm->osr_stub + ndef + 1;
    jm->osr_count = jm->osr_first + ndef + 1;
    for (uint32_t i = 0; i < ndef; i++) {
        const func_code *fc = &m->codes[i];
        jm->compiles[i] = function_supported(fc);
        jm->func_pos[i] = jm->func_direct_pos[i] = jm->osr_stub[i] = UINT32_MAX;
        jm->osr_first[i] = jm->osr_count[i] = 0;
        if (fc->code_words > jm->max_words)
            jm->max_words = fc->code_words;
        if (fc->frame_slots > jm->max_slots)
            jm->max_slots = fc->frame_slots;
    }
    size_t page = page_size();
    jm->map_size = page_round((size_t)m->code_words * JIT_BYTES_PER_WORD + 4096) +
                   (JIT_MAX_BATCHES + 2) * page;
    void *map = mmap(NULL, jm->map_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED) {
        module_free(jm);
        return -ENOMEM;
    }
    jm->code = map;

    jit_state s = {0};
    s.m = m;
    s.buf.p = jm->code;
    s.buf.limit = jm->map_size;
    jit_populate(&s.buf, page);
    uint32_t entry = wasm__arch_emit_module_prologue(&s);
    if (s.buf.failed) {
        module_free(jm);
        return -ENOMEM;
    }
    memcpy(jm->trap_pos, s.trap_pos, sizeof jm->trap_pos);
    memcpy(jm->trap_pushed_pos, s.trap_pushed_pos, sizeof jm->trap_pushed_pos);
    jm->unwind_pos = s.unwind_pos;
    jm->ready = page_round(s.buf.len);
    if (mprotect(jm->code, jm->ready, PROT_READ | PROT_EXEC)) {
        int err = -errno;
        module_free(jm);
        return err;
    }
    jm->code_bytes = s.buf.len;
    memcpy(&jm->entry, &(void *){jm->code + entry}, sizeof jm->entry);
    *out = jm;
    return 0;
}

/* m's jit_module, set up on first use (under compile_lock).  A setup that
 * failed is not tried again. */
static int module_ready(wasm_module *m)
{
    if (m->jit_status == 0) {
        int r = module_setup(m, &m->jit);
        m->jit_status = r == 0 ? 1 : r;
    }
    return m->jit_status == 1 ? 0 : m->jit_status;
}

/* The functions that compiled code calls directly (OP_CALL) must have
 * machine code by the time it runs: a batch is its root and every
 * function it reaches by direct calls that has none yet.  Once the batch
 * limit is near, the rest of the module goes with it.  Returns the count
 * in list (room for every defined function). */
static uint32_t batch_collect(const wasm_module *m, const jit_module *jm, uint32_t root,
                              uint32_t *list, uint8_t *seen)
{
    uint32_t n = 0, ndef = jm->functions;
    if (root < ndef && jm->compiles[root] && jm->func_pos[root] == UINT32_MAX) {
        list[n++] = root;
        seen[root] = 1;
    }
    for (uint32_t k = 0; k < n; k++) {
        const func_code *fc = &m->codes[list[k]];
        const code_t *pc = fc->code, *end = fc->code + fc->code_words;
        while (pc < end) {
            int op = wasm__jit_op_of(pc);
            if (op == OP_CALL) {
                const func_code *callee;
                memcpy(&callee, &pc[2], sizeof callee);
                uint32_t d = callee->func_index - m->nfunc_imports;
                if (d < ndef && !seen[d] && jm->compiles[d] && jm->func_pos[d] == UINT32_MAX) {
                    seen[d] = 1;
                    list[n++] = d;
                }
            }
            pc += wasm__op_words((enum wasm_op)op, pc);
        }
    }
    if (root == UINT32_MAX || jm->batches + 1 >= JIT_MAX_BATCHES)
        for (uint32_t d = 0; d < ndef; d++)
            if (!seen[d] && jm->compiles[d] && jm->func_pos[d] == UINT32_MAX) {
                seen[d] = 1;
                list[n++] = d;
            }
    return n;
}

/* The loop heads of the function just compiled (s->loops from the
 * counting pass, s->word_pos from the emitting one), each once. */
static bool note_osr_entries(jit_state *s, jit_module *jm, uint32_t i)
{
    jm->osr_first[i] = (uint32_t)jm->nosr;
    for (size_t k = 0; k < s->nloops; k++) {
        uint32_t head = s->loops[k][0];
        bool dup = false;
        for (size_t e = jm->osr_first[i]; e < jm->nosr && !dup; e++)
            dup = jm->osr[e].word == head;
        if (dup || head >= s->fc->code_words || s->word_pos[head] == UINT32_MAX)
            continue;
        if (jm->nosr == jm->caposr) {
            size_t cap = jm->caposr ? jm->caposr * 2 : 64;
            jit_osr *p = realloc(jm->osr, cap * sizeof *p);
            if (!p)
                return false;
            jm->osr = p;
            jm->caposr = cap;
        }
        jm->osr[jm->nosr++] = (jit_osr){head, s->word_pos[head]};
    }
    jm->osr_count[i] = (uint32_t)(jm->nosr - jm->osr_first[i]);
    return true;
}

/* Should a compile watching `watch` end (-EINTR)?  At an interrupt, and
 * when soft, at a stop request too (wasm__runtime_stopping). */
static bool compile_stopped(const wasm_runtime *watch, bool soft)
{
    return soft ? wasm__runtime_stopping(watch) : watch && watch->interrupt;
}

/* Compile the n functions of list into fresh pages after jm->ready, make
 * them executable, then publish their code.  On failure nothing of the
 * batch is kept; its functions then run in the interpreter, except after
 * -EINTR (a later batch tries again). */
static int compile_batch(wasm_module *m, jit_module *jm, const uint32_t *list, uint32_t n,
                         const wasm_runtime *watch, bool soft)
{
    uint64_t t0 = now_ns();
    jit_state s = {0};
    s.m = m;
    s.buf.p = jm->code;
    s.buf.len = s.buf.cap = jm->ready;
    s.buf.limit = jm->map_size;
    s.func_pos = jm->func_pos;
    s.func_direct_pos = jm->func_direct_pos;
    s.compiles = jm->compiles;
    memcpy(s.trap_pos, jm->trap_pos, sizeof s.trap_pos);
    memcpy(s.trap_pushed_pos, jm->trap_pushed_pos, sizeof s.trap_pushed_pos);
    s.unwind_pos = jm->unwind_pos;
    size_t start = jm->ready, nosr = jm->nosr;
    s.word_pos = malloc(((size_t)jm->max_words + 1) * sizeof *s.word_pos);
    s.is_target = malloc((size_t)jm->max_words + 1);
    int32_t *depth = malloc(((size_t)jm->max_words + 2) * sizeof *depth);
    int64_t *weight = malloc(2 * ((size_t)jm->max_slots + 1) * sizeof *weight);
    int err = -ENOMEM;
    if (!s.word_pos || !s.is_target || !depth || !weight)
        goto fail;

    /* the first pages populated are what the code is likely to need
     * (about 4 bytes of machine code per byte of body): on a VM, pages
     * populated and then given back cost as much as compiling a small module */
    size_t input = 0;
    for (uint32_t k = 0; k < n; k++)
        input += m->codes[list[k]].body_size;
    jit_populate(&s.buf, start + page_round(4 * input + 4096));
    for (uint32_t k = 0; k < n && !s.buf.failed; k++) {
        uint32_t i = list[k];
        if (compile_stopped(watch, soft)) {
            err = -EINTR;
            goto fail;
        }
        s.func_pos[i] = (uint32_t)s.buf.len;
        compile_function(&s, &m->codes[i], depth, weight);
        s.func_direct_pos[i] = s.direct_entry;
        if (s.buf.failed)
            break;
        if (!note_osr_entries(&s, jm, i))
            goto fail;
        jm->osr_stub[i] = (uint32_t)s.buf.len;
        wasm__arch_emit_osr_entry(&s);
    }
    for (size_t k = 0; k < s.nfix && !s.buf.failed; k++) {
        const uint32_t *pos = s.fix[k].kind == FIX_FUNC_DIRECT ? s.func_direct_pos : s.func_pos;
        if (pos[s.fix[k].target] == UINT32_MAX) /* a callee left out: cannot happen */
            s.buf.failed = true;
        else
            wasm__arch_patch_rel32_from(&s, s.fix[k].at, pos[s.fix[k].target], s.fix[k].base);
    }
    if (s.buf.failed) {
        err = s.buf.len + 64 > s.buf.limit ? -E2BIG : -ENOMEM;
        goto fail;
    }
    size_t end = page_round(s.buf.len);
    if (mprotect(jm->code + start, end - start, PROT_READ | PROT_EXEC)) {
        err = -errno;
        goto fail;
    }
    jm->ready = end;
    jm->code_bytes += s.buf.len - start;
    jm->compiled += n;
    jm->batches++;
    for (uint32_t k = 0; k < n; k++)
        __atomic_store_n(&m->codes[list[k]].jit_code, jm->code + jm->func_pos[list[k]],
                         __ATOMIC_RELEASE);
    jm->compile_ns += now_ns() - t0;
    err = 0;
    goto out;
fail:
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = list[k];
        jm->func_pos[i] = jm->func_direct_pos[i] = jm->osr_stub[i] = UINT32_MAX;
        jm->osr_count[i] = 0;
        if (err != -EINTR)
            jm->compiles[i] = 0;
    }
    jm->nosr = nosr;
    /* the pages written stay reserved (read-write, never executed) */
    if (s.buf.cap > start)
        (void)madvise(jm->code + start, s.buf.cap - start, MADV_DONTNEED);
out:
    free(s.word_pos);
    free(s.is_target);
    free(s.stubs);
    free(s.fix);
    free(s.uses);
    free(s.loops);
    free(depth);
    free(weight);
    return err;
}

/* The batch of root (UINT32_MAX: every function), under compile_lock. */
static int compile_from(wasm_module *m, uint32_t root, const wasm_runtime *watch, bool soft)
{
    if (compile_stopped(watch, soft))
        return -EINTR;
    int r = module_ready(m);
    if (r < 0)
        return r;
    jit_module *jm = m->jit;
    uint32_t *list = malloc(((size_t)jm->functions + 1) * sizeof *list);
    uint8_t *seen = calloc((size_t)jm->functions + 1, 1);
    r = -ENOMEM;
    if (list && seen) {
        uint32_t n = batch_collect(m, jm, root, list, seen);
        r = n ? compile_batch(m, jm, list, n, watch, soft) : 0;
    }
    free(list);
    free(seen);
    return r;
}

#endif /* WASM_JIT_ARCH */

int wasm__jit_compile(wasm_module *m, const wasm_runtime *watch)
{
    pthread_once(&handler_once, handler_ops_init);
    pthread_mutex_lock(&compile_lock);
#ifdef WASM_JIT_ARCH
    int r = compile_from(m, UINT32_MAX, watch, true);
#else
    (void)m;
    (void)watch;
    int r = -ENOTSUP;
#endif
    pthread_mutex_unlock(&compile_lock);
    return r;
}

void wasm__jit_tier_up(wasm_runtime *rt, const func_code *fc)
{
    rt->tier_countdown = rt->tiered ? rt->cfg.tier_period : INT64_MAX;
    if (!rt->tiered || wasm__jit_code(fc))
        return;
#ifdef WASM_JIT_ARCH
    pthread_once(&handler_once, handler_ops_init);
    pthread_mutex_lock(&compile_lock);
    wasm_module *m = (wasm_module *)fc->module;
    /* a guest winding down after a stop request may still run hot code:
     * only an interrupt stops the compile */
    (void)compile_from(m, fc->func_index - m->nfunc_imports, rt, false);
    pthread_mutex_unlock(&compile_lock);
#endif
}

wasm_status wasm__jit_osr(wasm_runtime *rt, call_frame *cf, uint64_t *fp, wasm_instance *inst,
                          const code_t *pc, bool *ran)
{
    const func_code *fc = cf->fn;
    *ran = false;
    wasm__jit_tier_up(rt, fc);
    if (!rt->use_jit || !wasm__jit_code(fc))
        return WASM_OK;
    jit_module *jm = fc->module->jit;
    uint32_t i = fc->func_index - fc->module->nfunc_imports;
    uint32_t word = (uint32_t)(pc - fc->code);
    const void *target = NULL;
    pthread_mutex_lock(&compile_lock); /* osr[] grows with later batches */
    for (uint32_t e = jm->osr_first[i]; e < jm->osr_first[i] + jm->osr_count[i]; e++)
        if (jm->osr[e].word == word)
            target = jm->code + jm->osr[e].pos;
    const void *stub = jm->code + jm->osr_stub[i];
    pthread_mutex_unlock(&compile_lock);
    if (!target)
        return WASM_OK;
    *ran = true;
    return jm->entry(rt, stub, fp, inst, cf, target);
}

int wasm__jit_stats(const wasm_module *m, wasm_jit_stats *stats)
{
    pthread_mutex_lock(&compile_lock);
    const jit_module *jm = m->jit;
    if (jm) {
        stats->compiled = jm->compiled;
        stats->compile_ns = jm->compile_ns;
        stats->code_bytes = jm->code_bytes;
    }
    pthread_mutex_unlock(&compile_lock);
    return jm ? 0 : -ENOENT;
}

void wasm__jit_free(wasm_module *m)
{
#ifdef WASM_JIT_ARCH
    module_free(m->jit);
#endif
    m->jit = NULL;
}

/* ------------------------------------------------------------------ */
/* Entry from the host and helpers                                     */
/* ------------------------------------------------------------------ */

uint32_t wasm__jit_trap(wasm_runtime *rt, call_frame *cf, uint32_t status)
{
    rt->cf = cf;
    if (status == WASM_TRAP_OUT_OF_FUEL)
        rt->fuel = 0;
    return wasm__trap_set(rt, (wasm_status)status, cf->fn);
}

uint32_t wasm__jit_call_func(wasm_runtime *rt, call_frame *cf, wasm_func *f, uint64_t *nfp)
{
    if (__builtin_expect(rt->interrupt, 0))
        return wasm__jit_trap(rt, cf, WASM_TRAP_INTERRUPTED);
#ifdef WASM_ENGINE_FUEL
    if (rt->fuel-- == 0)
        return wasm__jit_trap(rt, cf, WASM_TRAP_OUT_OF_FUEL);
#endif
    rt->cf = cf;
    if (f->host) {
        /* the host may call back into Wasm: its frames go above ours */
        rt->sp = nfp + f->frame_need;
        return f->host(f->inst, f->userdata, (wasm_value *)nfp);
    }
    const func_code *callee = f->code;
    if (cf + 1 >= rt->frames_end || nfp + callee->frame_slots > rt->stack_end)
        return wasm__jit_trap(rt, cf, WASM_TRAP_STACK_EXHAUSTED);
    if (wasm__jit_code_for_call(rt, callee))
        return wasm__jit_call(rt, f, nfp);
    return wasm__interp_call(rt, f, nfp);
}

/* The interpreter's operations, for those compiled code calls out for.
 * Operand word i is pc[2 + i], as in interp.c. */
#define W(i)    (pc[2 + (i)])
#define S(i)    fp[W(i)]
#define U32(i)  ((uint32_t)fp[W(i)])
#define F32(i)  f32_of(fp[W(i)])
#define F64(i)  f64_of(fp[W(i)])
#define TRAP(s) return wasm__jit_trap(rt, cf, (s))

uint32_t wasm__jit_slow_op(wasm_runtime *rt, call_frame *cf, uint64_t *fp, const code_t *pc,
                           uint32_t op, wasm_instance *inst)
{
    uint8_t *mem = inst->mem_base;
    switch ((enum wasm_op)op) {
    case OP_F32_MIN: S(0) = f32_bits(wasm_fminf(F32(1), F32(2))); break;
    case OP_F32_MAX: S(0) = f32_bits(wasm_fmaxf(F32(1), F32(2))); break;
    case OP_F64_MIN: S(0) = f64_bits(wasm_fmin(F64(1), F64(2))); break;
    case OP_F64_MAX: S(0) = f64_bits(wasm_fmax(F64(1), F64(2))); break;
    case OP_F32_CEIL: S(0) = f32_bits(wasm_ceilf(f32_of(S(1)))); break;
    case OP_F32_FLOOR: S(0) = f32_bits(wasm_floorf(f32_of(S(1)))); break;
    case OP_F32_TRUNC: S(0) = f32_bits(wasm_truncf(f32_of(S(1)))); break;
    case OP_F32_NEAREST: S(0) = f32_bits(wasm_nearestf(f32_of(S(1)))); break;
    case OP_F64_CEIL: S(0) = f64_bits(wasm_ceil(f64_of(S(1)))); break;
    case OP_F64_FLOOR: S(0) = f64_bits(wasm_floor(f64_of(S(1)))); break;
    case OP_F64_TRUNC: S(0) = f64_bits(wasm_trunc(f64_of(S(1)))); break;
    case OP_F64_NEAREST: S(0) = f64_bits(wasm_nearest(f64_of(S(1)))); break;
    case OP_I32_TRUNC_SAT_F32_S: S(0) = sat_i32_s(f32_of(S(1))); break;
    case OP_I32_TRUNC_SAT_F32_U: S(0) = sat_i32_u(f32_of(S(1))); break;
    case OP_I32_TRUNC_SAT_F64_S: S(0) = sat_i32_s(f64_of(S(1))); break;
    case OP_I32_TRUNC_SAT_F64_U: S(0) = sat_i32_u(f64_of(S(1))); break;
    case OP_I64_TRUNC_SAT_F32_S: S(0) = sat_i64_s(f32_of(S(1))); break;
    case OP_I64_TRUNC_SAT_F32_U: S(0) = sat_i64_u(f32_of(S(1))); break;
    case OP_I64_TRUNC_SAT_F64_S: S(0) = sat_i64_s(f64_of(S(1))); break;
    case OP_I64_TRUNC_SAT_F64_U: S(0) = sat_i64_u(f64_of(S(1))); break;
    case OP_F32_CONVERT_I64_U: S(0) = f32_bits((float)S(1)); break;
    case OP_F64_CONVERT_I64_U: S(0) = f64_bits((double)S(1)); break;
    case OP_I32_POPCNT: S(0) = (uint64_t)__builtin_popcount((uint32_t)S(1)); break;
    case OP_I64_POPCNT: S(0) = (uint64_t)__builtin_popcountll(S(1)); break;

    case OP_I32_TRUNC_F32_S: {
        float f = f32_of(S(1));
        if (isnan(f))
            TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(f >= -2147483648.0f && f < 2147483648.0f))
            TRAP(WASM_TRAP_INT_OVERFLOW);
        S(0) = (uint32_t)(int32_t)f;
        break;
    }
    case OP_I32_TRUNC_F32_U: {
        float f = f32_of(S(1));
        if (isnan(f))
            TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(f > -1.0f && f < 4294967296.0f))
            TRAP(WASM_TRAP_INT_OVERFLOW);
        S(0) = (uint32_t)f;
        break;
    }
    case OP_I32_TRUNC_F64_S: {
        double d = f64_of(S(1));
        if (isnan(d))
            TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(d > -2147483649.0 && d < 2147483648.0))
            TRAP(WASM_TRAP_INT_OVERFLOW);
        S(0) = (uint32_t)(int32_t)d;
        break;
    }
    case OP_I32_TRUNC_F64_U: {
        double d = f64_of(S(1));
        if (isnan(d))
            TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(d > -1.0 && d < 4294967296.0))
            TRAP(WASM_TRAP_INT_OVERFLOW);
        S(0) = (uint32_t)d;
        break;
    }
    case OP_I64_TRUNC_F32_S: {
        float f = f32_of(S(1));
        if (isnan(f))
            TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(f >= -9223372036854775808.0f && f < 9223372036854775808.0f))
            TRAP(WASM_TRAP_INT_OVERFLOW);
        S(0) = (uint64_t)(int64_t)f;
        break;
    }
    case OP_I64_TRUNC_F32_U: {
        float f = f32_of(S(1));
        if (isnan(f))
            TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(f > -1.0f && f < 18446744073709551616.0f))
            TRAP(WASM_TRAP_INT_OVERFLOW);
        S(0) = (uint64_t)f;
        break;
    }
    case OP_I64_TRUNC_F64_S: {
        double d = f64_of(S(1));
        if (isnan(d))
            TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
            TRAP(WASM_TRAP_INT_OVERFLOW);
        S(0) = (uint64_t)(int64_t)d;
        break;
    }
    case OP_I64_TRUNC_F64_U: {
        double d = f64_of(S(1));
        if (isnan(d))
            TRAP(WASM_TRAP_INVALID_CONVERSION);
        if (!(d > -1.0 && d < 18446744073709551616.0))
            TRAP(WASM_TRAP_INT_OVERFLOW);
        S(0) = (uint64_t)d;
        break;
    }

    case OP_MEMORY_GROW: S(0) = (uint32_t)(int32_t)wasm__memory_grow(inst->mem, U32(1)); break;
    case OP_MEMORY_FILL: {
        uint64_t d = U32(0), n = U32(2);
        if (d + n > inst->mem->size)
            TRAP(WASM_TRAP_MEMORY_OOB);
        memset(mem + d, (int)(uint8_t)S(1), n);
        break;
    }
    case OP_MEMORY_COPY: {
        uint64_t d = U32(0), s = U32(1), n = U32(2), size = inst->mem->size;
        if (d + n > size || s + n > size)
            TRAP(WASM_TRAP_MEMORY_OOB);
        memmove(mem + d, mem + s, n);
        break;
    }
    case OP_MEMORY_INIT: {
        uint32_t seg = W(0);
        uint64_t d = U32(1), s = U32(2), n = U32(3);
        uint64_t len = inst->data_dropped[seg] ? 0 : inst->mod->datas[seg].size;
        if (s + n > len || d + n > inst->mem->size)
            TRAP(WASM_TRAP_MEMORY_OOB);
        if (n)
            memcpy(mem + d, inst->mod->datas[seg].bytes + s, n);
        break;
    }
    case OP_DATA_DROP: inst->data_dropped[W(0)] = 1; break;

    case OP_TABLE_GET: {
        wasm_table *t = inst->tables[W(1)];
        uint32_t i = U32(2);
        if (i >= t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        S(0) = t->elems[i];
        break;
    }
    case OP_TABLE_SET: {
        wasm_table *t = inst->tables[W(0)];
        uint32_t i = U32(1);
        if (i >= t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        t->elems[i] = S(2);
        break;
    }
    case OP_TABLE_SIZE: S(0) = inst->tables[W(1)]->size; break;
    case OP_TABLE_GROW:
        S(0) = (uint32_t)(int32_t)wasm__table_grow(inst->tables[W(1)], U32(3), S(2));
        break;
    case OP_TABLE_FILL: {
        wasm_table *t = inst->tables[W(0)];
        uint64_t i = U32(1), n = U32(3);
        uint64_t v = S(2);
        if (i + n > t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        for (uint64_t k = 0; k < n; k++)
            t->elems[i + k] = v;
        break;
    }
    case OP_TABLE_COPY: {
        wasm_table *dt = inst->tables[W(0)], *st = inst->tables[W(1)];
        uint64_t d = U32(2), s = U32(3), n = U32(4);
        if (d + n > dt->size || s + n > st->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        if (n)
            memmove(dt->elems + d, st->elems + s, n * sizeof *dt->elems);
        break;
    }
    case OP_TABLE_INIT: {
        wasm_table *t = inst->tables[W(0)];
        uint32_t seg = W(1);
        uint64_t d = U32(2), s = U32(3), n = U32(4);
        uint64_t len = inst->elem_dropped[seg] ? 0 : inst->mod->elems[seg].count;
        if (s + n > len || d + n > t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        if (n)
            memcpy(t->elems + d, inst->elem_values[seg] + s, n * sizeof *t->elems);
        break;
    }
    case OP_ELEM_DROP: inst->elem_dropped[W(0)] = 1; break;
    case OP_REF_FUNC: S(0) = (uint64_t)(uintptr_t)inst->funcs[W(1)]; break;
    default:
        /* the backend only sends the operations above */
        TRAP(WASM_TRAP_UNREACHABLE);
    }
    return WASM_OK;
}
