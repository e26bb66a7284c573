/* runtime.c: the value stack and call frames, linear memories, tables and
 * globals, calls from the host into Wasm, traps and interrupts.
 *
 * Linear memory: each memory reserves the address space of its maximum
 * size up front and opens pages as it grows, so its base never moves.  The
 * interpreter checks every access against the size (a compare with a
 * well-predicted branch): no signal handler, and a call from the host
 * needs no recovery point (sigsetjmp), which keeps poll callbacks cheap. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "jit.h"

/* ------------------------------------------------------------------ */
/* Runtime                                                             */
/* ------------------------------------------------------------------ */

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* $WASM_BPF_TIER_PERIOD (for tests: a short period makes the tiered
 * engine switch tiers all the time), else the default; false when it is
 * not a number from 1 to 10^9. */
static bool tier_period_from_env(uint32_t *period)
{
    const char *env = getenv("WASM_BPF_TIER_PERIOD");
    *period = DEFAULT_TIER_PERIOD;
    if (!env || !*env)
        return true;
    char *end;
    errno = 0;
    unsigned long v = strtoul(env, &end, 10);
    if (errno || *end || v < 1 || v > 1000000000ul || *env < '0' || *env > '9')
        return false;
    *period = (uint32_t)v;
    return true;
}

wasm_runtime *wasm_runtime_new(const wasm_runtime_config *cfg)
{
    wasm__interp_init();
    /* libbpf's convention: sz says which fields the caller knows; fields it
     * does not know are 0 (defaults), bytes we do not know must be 0 */
    if (cfg && (cfg->sz < sizeof cfg->sz ||
                (cfg->sz > sizeof *cfg &&
                 !all_zero((const uint8_t *)cfg + sizeof *cfg, cfg->sz - sizeof *cfg)))) {
        errno = EINVAL;
        return NULL;
    }
    wasm_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) {
        errno = ENOMEM;
        return NULL;
    }
    if (cfg)
        memcpy(&rt->cfg, cfg, cfg->sz < sizeof *cfg ? cfg->sz : sizeof *cfg);
    rt->cfg.sz = sizeof rt->cfg;
    if (rt->cfg.engine == WASM_ENGINE_DEFAULT) {
        /* the compiler where it exists (it passes the same suites), for
         * what runs hot: code that runs once costs more to compile than
         * to interpret */
        const char *env = getenv("WASM_BPF_ENGINE");
        for (wasm_engine_tier t = WASM_ENGINE_INTERP; t <= WASM_ENGINE_TIERED; t++)
            if (env && !strcmp(env, wasm_engine_name(t)))
                rt->cfg.engine = t;
        if (!env || !*env)
            rt->cfg.engine = WASM_ENGINE_TIERED;
    }
    if (rt->cfg.engine < WASM_ENGINE_INTERP || rt->cfg.engine > WASM_ENGINE_TIERED) {
        free(rt);
        errno = EINVAL;
        return NULL;
    }
    rt->use_jit = rt->cfg.engine != WASM_ENGINE_INTERP && wasm__jit_available();
    rt->tiered = rt->use_jit && rt->cfg.engine == WASM_ENGINE_TIERED;
    if (!rt->cfg.tier_period && !tier_period_from_env(&rt->cfg.tier_period)) {
        free(rt);
        errno = EINVAL;
        return NULL;
    }
    rt->tier_countdown = rt->tiered ? rt->cfg.tier_period : INT64_MAX;
    if (!rt->cfg.max_memory_pages || rt->cfg.max_memory_pages > WASM_MAX_PAGES)
        rt->cfg.max_memory_pages = WASM_MAX_PAGES;
    if (!rt->cfg.max_call_depth)
        rt->cfg.max_call_depth = DEFAULT_CALL_DEPTH;
    if (!rt->cfg.stack_slots)
        rt->cfg.stack_slots = DEFAULT_STACK_SLOTS;
    rt->stack_bytes = (size_t)rt->cfg.stack_slots * sizeof(uint64_t);
    /* pages of the stack cost nothing until touched */
    void *stack = mmap(NULL, rt->stack_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    rt->frames = calloc((size_t)rt->cfg.max_call_depth + 2, sizeof *rt->frames);
    if (stack == MAP_FAILED || !rt->frames) {
        if (stack != MAP_FAILED)
            munmap(stack, rt->stack_bytes);
        free(rt->frames);
        free(rt);
        errno = ENOMEM;
        return NULL;
    }
    rt->stack = stack;
    rt->stack_end = rt->stack + rt->cfg.stack_slots;
    rt->sp = rt->stack;
    /* frames[0] is a sentinel: the bottom of every walk */
    rt->frames_end = rt->frames + rt->cfg.max_call_depth + 1;
    rt->cf = rt->frames;
    rt->interrupt_fd = -1;
    rt->stop_fd = -1;
    rt->fuel = UINT64_MAX;
    return rt;
}

wasm_engine_tier wasm_runtime_engine(const wasm_runtime *rt)
{
    if (!rt->use_jit)
        return WASM_ENGINE_INTERP;
    return rt->tiered ? WASM_ENGINE_TIERED : WASM_ENGINE_JIT;
}

const char *wasm_engine_name(wasm_engine_tier tier)
{
    switch (tier) {
    case WASM_ENGINE_INTERP: return "interp";
    case WASM_ENGINE_JIT: return "jit";
    case WASM_ENGINE_TIERED: return "tiered";
    default: return "default";
    }
}

const char *wasm_engine_compiler_arch(void)
{
#ifdef WASM_JIT_ARCH
    return WASM_JIT_ARCH;
#else
    return NULL;
#endif
}

int wasm_module_jit_stats(const wasm_module *mod, wasm_jit_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->functions = mod->nfuncs - mod->nfunc_imports;
    for (uint32_t i = 0; i < stats->functions; i++)
        stats->input_bytes += mod->codes[i].body_size;
    return wasm__jit_stats(mod, stats);
}

void wasm_runtime_free(wasm_runtime *rt)
{
    if (!rt)
        return;
    while (rt->instances)
        wasm_instance_free(rt->instances);
    for (wasm_memory *m = rt->memories, *next; m; m = next) {
        next = m->next;
        munmap(m->base, m->reserved);
        free(m);
    }
    for (wasm_table *t = rt->tables, *next; t; t = next) {
        next = t->next;
        free(t->elems);
        free(t);
    }
    for (wasm_global *g = rt->globals, *next; g; g = next) {
        next = g->next;
        free(g);
    }
    if (rt->interrupt_fd >= 0)
        close(rt->interrupt_fd);
    if (rt->stop_fd >= 0)
        close(rt->stop_fd);
    munmap(rt->stack, rt->stack_bytes);
    free(rt->frames);
    free(rt);
}

/* An eventfd that is readable while `flag` is set.  Created on first use
 * (most runs never block), so a flag set before then is carried over. */
static void event_signal(int fd)
{
    if (fd >= 0) {
        uint64_t one = 1;
        ssize_t w = write(fd, &one, sizeof one);
        (void)w;
    }
}

/* The eventfd behind *fd, made on first use (readable at once when the flag
 * is already set); -errno when it cannot be created. */
static int event_fd(int *fd, sig_atomic_t flag)
{
    if (*fd < 0) {
        *fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (*fd < 0)
            return -errno;
        if (flag)
            event_signal(*fd);
    }
    return *fd;
}

static void event_drain(int fd)
{
    uint64_t v;
    while (fd >= 0 && read(fd, &v, sizeof v) > 0)
        ;
}

void wasm_runtime_interrupt(wasm_runtime *rt)
{
    rt->interrupt = 1;
    event_signal(rt->interrupt_fd);
}

int wasm_runtime_interrupted(const wasm_runtime *rt)
{
    return rt->interrupt != 0;
}

void wasm_runtime_clear_interrupt(wasm_runtime *rt)
{
    rt->interrupt = 0;
    rt->stop_requested = 0;
    event_drain(rt->interrupt_fd);
    event_drain(rt->stop_fd);
}

int wasm_runtime_interrupt_fd(wasm_runtime *rt)
{
    return event_fd(&rt->interrupt_fd, rt->interrupt);
}

void wasm_runtime_request_stop(wasm_runtime *rt)
{
    rt->stop_requested = 1;
    event_signal(rt->stop_fd);
}

int wasm_runtime_stop_requested(const wasm_runtime *rt)
{
    return rt->stop_requested != 0;
}

int wasm_runtime_stop_fd(wasm_runtime *rt)
{
    return event_fd(&rt->stop_fd, rt->stop_requested);
}

void wasm__runtime_set_fuel(wasm_runtime *rt, uint64_t fuel)
{
    rt->fuel = fuel;
}

const char *wasm_runtime_trap_message(const wasm_runtime *rt)
{
    return rt->trap_msg;
}
int wasm_runtime_exit_code(const wasm_runtime *rt)
{
    return rt->exit_code;
}

/* ------------------------------------------------------------------ */
/* Traps                                                               */
/* ------------------------------------------------------------------ */

const char *wasm_status_string(wasm_status s)
{
    switch (s) {
    case WASM_OK: return "ok";
    case WASM_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case WASM_TRAP_TABLE_OOB: return "out of bounds table access";
    case WASM_TRAP_NULL_FUNC: return "uninitialized element";
    case WASM_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case WASM_TRAP_DIV_ZERO: return "integer divide by zero";
    case WASM_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case WASM_TRAP_INTERRUPTED: return "interrupted";
    case WASM_TRAP_HOST: return "host function failed";
    case WASM_TRAP_EXIT: return "exit";
    case WASM_TRAP_OUT_OF_FUEL: return "out of fuel";
    }
    return "unknown trap";
}

/* "'name' (func N)", from the name section, an export, or the index. */
const char *wasm__func_display_name(const wasm_module *m, uint32_t index, char *buf, size_t len)
{
    const char *name = NULL;
    if (m->func_names && index < m->nfuncs)
        name = m->func_names[index];
    for (uint32_t i = 0; !name && i < m->nexports; i++)
        if (m->exports[i].kind == WASM_EXTERN_FUNC && m->exports[i].index == index)
            name = m->exports[i].name;
    if (name)
        snprintf(buf, len, "'%.100s' (func %u)", name, index);
    else
        snprintf(buf, len, "func %u", index);
    return buf;
}

/* Record a trap raised by Wasm code in function fn (NULL when unknown),
 * with up to four of its callers from the call frames; a backtrace cut
 * there says how many frames it leaves out.  trap_msg has room for five
 * names of 100 bytes and that note. */
wasm_status wasm__trap_set(wasm_runtime *rt, wasm_status s, const func_code *fn)
{
    rt->trap = s;
    size_t n = (size_t)snprintf(rt->trap_msg, sizeof rt->trap_msg, "%s", wasm_status_string(s));
    const call_frame *f = rt->cf;
    char name[160];
    for (int depth = 0; fn && n < sizeof rt->trap_msg; depth++) {
        if (depth == 5) {
            /* not named: f's function and every caller below it, down to
             * frames[1] (frames[0] is the sentinel) */
            snprintf(rt->trap_msg + n, sizeof rt->trap_msg - n, ",\n    ... %zu more frames",
                     (size_t)(f - rt->frames));
            break;
        }
        wasm__func_display_name(fn->module, fn->func_index, name, sizeof name);
        n += (size_t)snprintf(rt->trap_msg + n, sizeof rt->trap_msg - n, "%s %s",
                              depth == 0 ? " in function" : ",\n    called from", name);
        if (f <= rt->frames + 1)
            break;
        f--;
        fn = f->fn;
    }
    return s;
}

wasm_status wasm_trap_host(wasm_instance *inst, const char *fmt, ...)
{
    wasm_runtime *rt = inst->rt;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->trap_msg, sizeof rt->trap_msg, fmt, ap);
    va_end(ap);
    rt->trap = WASM_TRAP_HOST;
    return WASM_TRAP_HOST;
}

wasm_status wasm_trap_exit(wasm_instance *inst, int code)
{
    wasm_runtime *rt = inst->rt;
    rt->exit_code = code;
    rt->trap = WASM_TRAP_EXIT;
    snprintf(rt->trap_msg, sizeof rt->trap_msg, "exit with code %d", code);
    return WASM_TRAP_EXIT;
}

wasm_status wasm_trap_interrupted(wasm_instance *inst)
{
    wasm_runtime *rt = inst->rt;
    rt->trap = WASM_TRAP_INTERRUPTED;
    snprintf(rt->trap_msg, sizeof rt->trap_msg, "interrupted");
    return WASM_TRAP_INTERRUPTED;
}

/* ------------------------------------------------------------------ */
/* Calls from the host                                                 */
/* ------------------------------------------------------------------ */

static __attribute__((noinline)) wasm_status stack_exhausted(wasm_runtime *rt)
{
    rt->trap = WASM_TRAP_STACK_EXHAUSTED;
    snprintf(rt->trap_msg, sizeof rt->trap_msg, "%s",
             wasm_status_string(WASM_TRAP_STACK_EXHAUSTED));
    return WASM_TRAP_STACK_EXHAUSTED;
}

/* A call's arguments into the callee's frame and its results out of it,
 * for wasm_call and wasm_callback_call: callbacks take 3 and return one,
 * so the usual counts go without a loop */
static inline __attribute__((always_inline)) void put_args(uint64_t *fp, const func_type *t,
                                                           const wasm_value *args)
{
    switch (t->nparams) {
    case 3: fp[2] = args[2].raw; /* fall through */
    case 2: fp[1] = args[1].raw; /* fall through */
    case 1: fp[0] = args[0].raw; /* fall through */
    case 0: break;
    default:
        for (uint32_t i = 0; i < t->nparams; i++)
            fp[i] = args[i].raw;
    }
}

static inline __attribute__((always_inline)) void take_results(const uint64_t *fp,
                                                               const func_type *t,
                                                               wasm_value *results)
{
    if (t->nresults == 1)
        results[0].raw = fp[0];
    else
        for (uint32_t i = 0; i < t->nresults; i++)
            results[i].raw = fp[i];
}

/* The path of every poll callback: keep it short. */
wasm_status wasm_call(wasm_runtime *rt, wasm_func *f, const wasm_value *args, wasm_value *results)
{
    uint64_t *fp = rt->sp;
    if (__builtin_expect(rt->host_depth >= LIMIT_HOST_REENTRY || fp + f->frame_need > rt->stack_end,
                         0))
        return stack_exhausted(rt);
    if (__builtin_expect(rt->interrupt, 0)) /* entering the guest is a call too */
        return wasm_trap_interrupted(f->inst);
    const func_type *t = f->type;
    put_args(fp, t, args);
    call_frame *saved_cf = rt->cf;
    rt->host_depth++;
    wasm_status status;
    if (f->host) {
        rt->sp = fp + f->frame_need;
        status = f->host(f->inst, f->userdata, (wasm_value *)fp);
    } else if (wasm__jit_code_for_call(rt, f->code)) {
        status = wasm__jit_call(rt, f, fp);
    } else {
        status = wasm__interp_call(rt, f, fp);
    }
    rt->host_depth--;
    rt->sp = fp;
    rt->cf = saved_cf;
    if (__builtin_expect(status == WASM_OK, 1))
        take_results(fp, t, results);
    return status;
}

/* What does not change from one call of a callback to the next, for
 * the stack position (fp, cf) it was set up at. */
struct wasm_callback {
    wasm_runtime *rt;
    wasm_func *f;
    uint64_t *fp; /* rt->sp and rt->cf when set up; NULL: not yet */
    call_frame *cf;
    bool active; /* running (a nested call goes through wasm_call) */
    jit_entry_fn entry;
};

wasm_callback *wasm_callback_new(wasm_runtime *rt, wasm_func *f)
{
    wasm_callback *cb = calloc(1, sizeof *cb);
    if (!cb) {
        errno = ENOMEM;
        return NULL;
    }
    cb->rt = rt;
    cb->f = f;
    return cb;
}

void wasm_callback_free(wasm_callback *cb)
{
    free(cb);
}

wasm_status wasm_callback_call(wasm_callback *cb, const wasm_value *args, wasm_value *results)
{
    wasm_runtime *rt = cb->rt;
    wasm_func *f = cb->f;
    uint64_t *fp = rt->sp;
    call_frame *cf0 = rt->cf;
    /* two plain loads: the vectoriser would read both fields with one
     * 16-byte load, which stalls on the two 8-byte stores that ended the
     * previous call (store forwarding fails; it doubled the cost) */
    __asm__("" : "+r"(fp), "+r"(cf0));
    if (__builtin_expect(fp != cb->fp || cf0 != cb->cf || cb->active, 0)) {
        /* wasm_call's checks, once for this stack position (a deeper
         * nesting of host calls is always a higher one) */
        if (cb->active || f->host || !rt->use_jit || !wasm__jit_code(f->code) ||
            rt->host_depth >= LIMIT_HOST_REENTRY || fp + f->frame_need > rt->stack_end ||
            cf0 + 1 >= rt->frames_end)
            return wasm_call(rt, f, args, results);
        cb->fp = fp;
        cb->cf = cf0;
        cb->entry = f->code->module->jit->entry;
    }
    if (__builtin_expect(rt->interrupt, 0))
        return wasm_trap_interrupted(f->inst);
    const func_type *t = f->type;
    put_args(fp, t, args);
    const func_code *fc = f->code;
    call_frame *cf = cf0 + 1;
    cf->ret_pc = NULL;
    cf->fp = fp;
    cf->inst = f->inst;
    cf->fn = fc;
    rt->cf = cf;
    rt->host_depth++;
    cb->active = true;
    wasm_status status = cb->entry(rt, fc->jit_code, fp, f->inst, cf, NULL);
    cb->active = false;
    rt->host_depth--;
    rt->sp = fp;
    rt->cf = cf0;
    if (__builtin_expect(status == WASM_OK, 1))
        take_results(fp, t, results);
    return status;
}

/* ------------------------------------------------------------------ */
/* Memories                                                            */
/* ------------------------------------------------------------------ */

wasm_memory *wasm__memory_create(wasm_runtime *rt, uint32_t min, uint32_t max, bool explicit_max,
                                 wasm_status *why)
{
    (void)why;
    if (min > rt->cfg.max_memory_pages)
        return NULL;
    wasm_memory *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    /* reserve what it may grow to (no more than the runtime allows), so
     * that growing never moves it; an empty reservation still gets a page
     * so that base is a valid pointer */
    uint32_t limit = max < rt->cfg.max_memory_pages ? max : rt->cfg.max_memory_pages;
    size_t reserve = limit ? (size_t)limit * WASM_PAGE_SIZE : WASM_PAGE_SIZE;
    void *base = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        free(m);
        return NULL;
    }
    if (min && mprotect(base, (size_t)min * WASM_PAGE_SIZE, PROT_READ | PROT_WRITE)) {
        munmap(base, reserve);
        free(m);
        return NULL;
    }
    m->base = base;
    m->reserved = reserve;
    m->pages = min;
    m->size = (uint64_t)min * WASM_PAGE_SIZE;
    m->size_fast = (int64_t)m->size - WASM_FAST_CHECK_BYTES;
    m->max_pages = max;
    m->explicit_max = explicit_max;
    m->rt = rt;
    m->next = rt->memories;
    rt->memories = m;
    return m;
}

int64_t wasm__memory_grow(wasm_memory *m, uint32_t delta)
{
    uint32_t old = m->pages;
    uint64_t limit = m->max_pages;
    if (limit > m->rt->cfg.max_memory_pages)
        limit = m->rt->cfg.max_memory_pages;
    if ((uint64_t)old + delta > limit)
        return -1;
    if (delta) {
        if (mprotect(m->base + m->size, (size_t)delta * WASM_PAGE_SIZE, PROT_READ | PROT_WRITE))
            return -1;
        /* stored whole: wasm_memory_pages() may read it from another thread */
        __atomic_store_n(&m->pages, old + delta, __ATOMIC_RELAXED);
        m->size = (uint64_t)m->pages * WASM_PAGE_SIZE;
        m->size_fast = (int64_t)m->size - WASM_FAST_CHECK_BYTES;
    }
    return old;
}

wasm_memory *wasm_memory_new(wasm_runtime *rt, uint32_t min_pages, uint32_t max_pages)
{
    if (!rt || (max_pages != UINT32_MAX && (max_pages > WASM_MAX_PAGES || min_pages > max_pages))) {
        errno = EINVAL;
        return NULL;
    }
    wasm_memory *m =
        wasm__memory_create(rt, min_pages, max_pages == UINT32_MAX ? WASM_MAX_PAGES : max_pages,
                            max_pages != UINT32_MAX, NULL);
    if (!m)
        errno = ENOMEM;
    return m;
}

uint8_t *wasm_memory_data(const wasm_memory *m)
{
    return m->base;
}
uint64_t wasm_memory_size(const wasm_memory *m)
{
    return m->size;
}
uint32_t wasm_memory_pages(const wasm_memory *m)
{
    return __atomic_load_n(&m->pages, __ATOMIC_RELAXED);
}
int64_t wasm_memory_grow(wasm_memory *m, uint32_t delta)
{
    return wasm__memory_grow(m, delta);
}

void *wasm_mem(wasm_instance *inst, uint32_t ptr, uint32_t len)
{
    const wasm_memory *m = inst->mem;
    if (!m || (uint64_t)ptr + len > m->size)
        return NULL;
    return m->base + ptr;
}

const char *wasm_mem_str(wasm_instance *inst, uint32_t ptr, uint32_t maxlen, uint32_t *len)
{
    const wasm_memory *m = inst->mem;
    if (!m || ptr >= m->size)
        return NULL;
    uint64_t avail = m->size - ptr;
    uint64_t scan = (uint64_t)maxlen + 1 < avail ? (uint64_t)maxlen + 1 : avail;
    const char *s = (const char *)m->base + ptr;
    const char *nul = memchr(s, 0, scan);
    if (!nul)
        return NULL;
    if (len)
        *len = (uint32_t)(nul - s);
    return s;
}

/* ------------------------------------------------------------------ */
/* Tables and globals                                                  */
/* ------------------------------------------------------------------ */

wasm_table *wasm__table_create(wasm_runtime *rt, uint8_t elem, uint32_t min, uint32_t max,
                               bool explicit_max)
{
    if (min > LIMIT_TABLE_ELEMS)
        return NULL;
    wasm_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->elems = calloc(min ? min : 1, sizeof *t->elems);
    if (!t->elems) {
        free(t);
        return NULL;
    }
    t->elem = elem;
    t->explicit_max = explicit_max;
    t->size = min;
    t->max = max;
    t->rt = rt;
    t->next = rt->tables;
    rt->tables = t;
    return t;
}

int64_t wasm__table_grow(wasm_table *t, uint32_t delta, uint64_t init)
{
    uint32_t old = t->size;
    uint64_t want = (uint64_t)old + delta;
    if (want > t->max || want > LIMIT_TABLE_ELEMS)
        return -1;
    if (delta) {
        uint64_t *e = realloc(t->elems, want * sizeof *e);
        if (!e)
            return -1;
        for (uint64_t i = old; i < want; i++)
            e[i] = init;
        t->elems = e;
        t->size = (uint32_t)want;
    }
    return old;
}

wasm_table *wasm_table_new(wasm_runtime *rt, wasm_valtype elem, uint32_t min, uint32_t max)
{
    if (!rt || !is_ref_type((uint8_t)elem) || min > max || min > LIMIT_TABLE_ELEMS) {
        errno = EINVAL;
        return NULL;
    }
    wasm_table *t = wasm__table_create(rt, (uint8_t)elem, min, max, max != UINT32_MAX);
    if (!t)
        errno = ENOMEM;
    return t;
}

uint32_t wasm_table_size(const wasm_table *t)
{
    return t->size;
}
wasm_valtype wasm_table_elem_type(const wasm_table *t)
{
    return (wasm_valtype)t->elem;
}

int wasm_table_get(const wasm_table *t, uint32_t i, wasm_value *out)
{
    if (!t || !out)
        return -EINVAL;
    if (i >= t->size)
        return -ERANGE;
    out->raw = t->elems[i];
    return 0;
}

/* A function reference must belong to the same runtime: its code runs on
 * that runtime's stack. */
static bool ref_belongs(const wasm_runtime *rt, uint8_t type, wasm_value v)
{
    return type != WASM_FUNCREF || !v.funcref || v.funcref->inst->rt == rt;
}

int wasm_table_set(wasm_table *t, uint32_t i, wasm_value v)
{
    if (!t || !ref_belongs(t->rt, t->elem, v))
        return -EINVAL;
    if (i >= t->size)
        return -ERANGE;
    t->elems[i] = v.raw;
    return 0;
}

wasm_func *wasm_table_func(const wasm_table *t, uint32_t i)
{
    if (t->elem != WASM_FUNCREF || i >= t->size)
        return NULL;
    return (wasm_func *)(uintptr_t)t->elems[i];
}

wasm_global *wasm__global_create(wasm_runtime *rt, uint8_t type, bool mut, uint64_t value)
{
    wasm_global *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->type = type;
    g->mut = mut;
    g->value = value;
    g->rt = rt;
    g->next = rt->globals;
    rt->globals = g;
    return g;
}

wasm_global *wasm_global_new(wasm_runtime *rt, wasm_valtype type, int mutable_, wasm_value value)
{
    if (!rt || !is_val_type((uint8_t)type)) {
        errno = EINVAL;
        return NULL;
    }
    wasm_global *g = wasm__global_create(rt, (uint8_t)type, mutable_ != 0, value.raw);
    if (!g)
        errno = ENOMEM;
    return g;
}

wasm_valtype wasm_global_type(const wasm_global *g)
{
    return (wasm_valtype)g->type;
}
int wasm_global_mutable(const wasm_global *g)
{
    return g->mut;
}
wasm_value wasm_global_get(const wasm_global *g)
{
    return (wasm_value){.raw = g->value};
}

int wasm_global_set(wasm_global *g, wasm_valtype type, wasm_value v)
{
    if (!g || (uint8_t)type != g->type || !ref_belongs(g->rt, g->type, v))
        return -EINVAL;
    if (!g->mut)
        return -EPERM;
    /* i32 and f32 live in the low half; the high half stays zero */
    g->value = type == WASM_I32 || type == WASM_F32 ? (uint32_t)v.raw : v.raw;
    return 0;
}
