/* engine_test: the embedding API of the engine.  Host functions,
 * re-entrant calls, traps unwinding from nested calls, the interrupt flag
 * (from a signal and while blocked in a host function), limits, the guest
 * pointer helpers at the edges of memory, and hostile module bytes. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "wasm_engine.h"
#include "wasm_bpf_base.h"

static int passed, failed;

#define CHECK(cond, ...)                                                \
    do {                                                                \
        if (cond) {                                                     \
            passed++;                                                   \
            printf("ok      " __VA_ARGS__);                             \
        } else {                                                        \
            failed++;                                                   \
            printf("FAIL    " __VA_ARGS__);                             \
            printf("        (%s:%d: %s)\n", __FILE__, __LINE__, #cond); \
        }                                                               \
        printf("\n");                                                   \
    } while (0)

/* ---- host functions ---- */

static wasm_runtime *the_rt;
static wasm_instance *the_inst;

static wasm_status host_add(wasm_instance *inst, void *ud, wasm_value *args)
{
    (void)inst;
    int *calls = ud;
    (*calls)++;
    args[0].i32 = args[0].i32 + args[1].i32;
    return WASM_OK;
}

/* reenter(n): n >= 0 calls export "down"(n); n == -1 calls "trapper"(1) */
/* when set, host_reenter calls "down" through it (the prepared path, re-entered) */
static wasm_callback *reenter_cb;

static wasm_status host_reenter(wasm_instance *inst, void *ud, wasm_value *args)
{
    (void)ud;
    wasm_value in[1], out[1];
    wasm_func *f;
    if (args[0].i32 == -1) {
        f = wasm_instance_func(inst, "trapper");
        in[0].i32 = 1;
    } else {
        f = wasm_instance_func(inst, "down");
        in[0].i32 = args[0].i32;
    }
    wasm_status st = reenter_cb && args[0].i32 != -1
                         ? wasm_callback_call(reenter_cb, in, out)
                         : wasm_call(wasm_instance_runtime(inst), f, in, out);
    if (st != WASM_OK)
        return st; /* the trap unwinds the whole guest */
    args[0].i32 = out[0].i32;
    return WASM_OK;
}

/* blocks until interrupted, as a host function doing I/O would */
static wasm_status host_block(wasm_instance *inst, void *ud, wasm_value *args)
{
    (void)ud, (void)args;
    struct pollfd p = {.fd = wasm_runtime_interrupt_fd(wasm_instance_runtime(inst)),
                       .events = POLLIN};
    int r = poll(&p, 1, 5000);
    if (r > 0 || wasm_runtime_interrupted(wasm_instance_runtime(inst)))
        return wasm_trap_interrupted(inst);
    return wasm_trap_host(inst, "block: not interrupted within 5 s");
}

static wasm_status host_exit(wasm_instance *inst, void *ud, wasm_value *args)
{
    (void)ud;
    return wasm_trap_exit(inst, args[0].i32);
}

static void on_alarm(int sig)
{
    (void)sig;
    wasm_runtime_interrupt(the_rt);
}

static void arm_timer_ms(int ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static wasm_status call1(const char *name, int32_t arg, int32_t *result)
{
    wasm_func *f = wasm_instance_func(the_inst, name);
    wasm_value in[1] = {{.i32 = arg}}, out[1] = {{0}};
    wasm_status st = wasm_call(the_rt, f, in, out);
    if (result)
        *result = out[0].i32;
    return st;
}

/* The rest of the embedding API on the instance of api.wasm: names,
 * tables, globals, custom sections, the config's size field. */
static void test_surface(const wasm_module *m)
{
    char name[64];
    wasm_func *trapper = wasm_instance_func(the_inst, "trapper");
    CHECK(trapper && !strcmp(wasm_func_name(trapper, name, sizeof name), "'trapper' (func 7)"),
          "wasm_func_name: an exported function: %s", name);
    wasm_table *t = wasm_instance_table(the_inst);
    wasm_func *cb = t ? wasm_table_func(t, 1) : NULL;
    CHECK(cb && !strcmp(wasm_func_name(cb, name, sizeof name), "func 6"),
          "wasm_func_name: a function without a name: %s", name);
    CHECK(trapper && strlen(wasm_func_name(trapper, name, 4)) == 3,
          "wasm_func_name truncates to the buffer");

    /* tables: get and set, bounds, references of another runtime */
    wasm_value v = {.funcref = trapper};
    CHECK(t && wasm_table_set(t, 0, v) == 0 && wasm_table_func(t, 0) == trapper,
          "wasm_table_set stores a function");
    wasm_value got = {.raw = 1};
    CHECK(t && wasm_table_get(t, 0, &got) == 0 && got.funcref == trapper,
          "wasm_table_get reads it back");
    int32_t r;
    CHECK(call1("call_0", 0, &r) == WASM_OK && r == 7, "the guest calls the stored function (%d)",
          r);
    CHECK(t && wasm_table_set(t, 4, v) == -ERANGE && wasm_table_get(t, UINT32_MAX, &got) == -ERANGE,
          "table index out of range: -ERANGE");
    v.funcref = NULL;
    CHECK(t && wasm_table_set(t, 0, v) == 0 && !wasm_table_func(t, 0),
          "wasm_table_set stores null");

    static const unsigned char one_func[] = {0,  'a', 's', 'm', 1,    0,   0,
                                             0,  1,   4,   1,   0x60, 0,   0, /* type () -> () */
                                             3,  2,   1,   0,                 /* a function of it */
                                             7,  5,   1,   1,   'f',  0,   0, /* exported as "f" */
                                             10, 4,   1,   2,   0,    0x0b};  /* body: end */
    char err[256];
    wasm_module *om = wasm_module_load(one_func, sizeof one_func, err, sizeof err);
    wasm_runtime *other = wasm_runtime_new(NULL);
    wasm_instance *oi = om && other ? wasm_instantiate(other, om, NULL, err, sizeof err) : NULL;
    v.funcref = oi ? wasm_instance_func(oi, "f") : NULL;
    CHECK(v.funcref && t && wasm_table_set(t, 0, v) == -EINVAL && !wasm_table_func(t, 0),
          "a function of another runtime is refused: -EINVAL");

    /* globals: type and mutability checked */
    wasm_global *level = wasm_instance_global_export(the_inst, "level");
    wasm_global *limit = wasm_instance_global_export(the_inst, "limit");
    CHECK(level && wasm_global_set(level, WASM_I32, (wasm_value){.i32 = 5}) == 0 &&
              call1("get_level", 0, &r) == WASM_OK && r == 5,
          "wasm_global_set of a mutable global: the guest sees %d", r);
    CHECK(level && wasm_global_set(level, WASM_I64, (wasm_value){.i64 = 6}) == -EINVAL &&
              wasm_global_get(level).i32 == 5,
          "wasm_global_set with another type: -EINVAL, unchanged");
    CHECK(limit && wasm_global_set(limit, WASM_I32, (wasm_value){.i32 = 8}) == -EPERM &&
              wasm_global_get(limit).i32 == 7,
          "wasm_global_set of an immutable global: -EPERM, unchanged");
    wasm_global *fg = wasm_global_new(the_rt, WASM_FUNCREF, 1, (wasm_value){.funcref = NULL});
    CHECK(fg && v.funcref && wasm_global_set(fg, WASM_FUNCREF, v) == -EINVAL &&
              wasm_global_set(fg, WASM_FUNCREF, (wasm_value){.funcref = trapper}) == 0 &&
              wasm_global_get(fg).funcref == trapper,
          "a funcref global takes functions of its own runtime only");
    wasm_runtime_free(other);
    wasm_module_free(om);

    /* custom sections: the first of a name, or NULL */
    static const unsigned char customs[] = {0,   'a', 's', 'm', 1,   0,   0,   0,   0,   10,
                                            4,   'n', 'o', 't', 'e', 'h', 'e', 'l', 'l', 'o',
                                            0,   10,  4,   'n', 'o', 't', 'e', 'l', 'a', 't',
                                            'e', 'r', 0,   6,   5,   'e', 'm', 'p', 't', 'y'};
    wasm_module *cm = wasm_module_load(customs, sizeof customs, err, sizeof err);
    size_t n = 0;
    const uint8_t *note = cm ? wasm_module_custom_section(cm, "note", &n) : NULL;
    CHECK(note && n == 5 && !memcmp(note, "hello", 5),
          "wasm_module_custom_section: the first of its name");
    const uint8_t *empty = cm ? wasm_module_custom_section(cm, "empty", &n) : NULL;
    CHECK(empty && n == 0, "wasm_module_custom_section: an empty one");
    CHECK(cm && !wasm_module_custom_section(cm, "none", &n) &&
              !wasm_module_custom_section(m, "note", &n),
          "wasm_module_custom_section: NULL when absent");
    wasm_module_free(cm);

    /* the config's size field (libbpf's convention) */
    wasm_runtime_config zero = {.max_call_depth = 10};
    errno = 0;
    CHECK(!wasm_runtime_new(&zero) && errno == EINVAL, "a config without sz: EINVAL");
    struct {
        wasm_runtime_config cfg;
        uint64_t newer_field;
    } newer = {.cfg = {.sz = sizeof newer, .max_call_depth = 10}, .newer_field = 1};
    errno = 0;
    CHECK(!wasm_runtime_new(&newer.cfg) && errno == EINVAL,
          "a newer config with an unknown field set: EINVAL");
    newer.newer_field = 0;
    wasm_runtime *nrt = wasm_runtime_new(&newer.cfg);
    CHECK(nrt != NULL, "a newer config with unknown fields zero is accepted");
    wasm_runtime_free(nrt);
    struct {
        size_t sz;
        uint32_t max_memory_pages;
    } older = {.sz = sizeof(size_t) + sizeof(uint32_t), .max_memory_pages = 1};
    nrt = wasm_runtime_new((const wasm_runtime_config *)&older);
    CHECK(nrt != NULL, "an older, shorter config is accepted");
    wasm_runtime_free(nrt);
}

/* wasm_callback_call: the prepared path of poll callbacks gives what
 * wasm_call gives, re-entered, after traps and interrupts */
static void test_callback(wasm_func *cb)
{
    wasm_callback *c = wasm_callback_new(the_rt, cb);
    CHECK(c != NULL, "wasm_callback_new");
    if (!c)
        return;
    int wrong = 0;
    for (int32_t i = 0; i < 1000; i++) {
        wasm_value a3[3] = {{.i32 = i}, {.i32 = 2 * i}, {.i32 = -7}}, out[1] = {{.i64 = -1}};
        if (wasm_callback_call(c, a3, out) != WASM_OK || out[0].i32 != 3 * i - 7)
            wrong++;
    }
    CHECK(wrong == 0, "1000 callback calls give the callee's results (%d wrong)", wrong);
    wasm_runtime_interrupt(the_rt);
    wasm_value a3[3] = {{.i32 = 1}, {.i32 = 2}, {.i32 = 3}}, out[1];
    CHECK(wasm_callback_call(c, a3, out) == WASM_TRAP_INTERRUPTED,
          "a callback call in an interrupted runtime traps at once");
    wasm_runtime_clear_interrupt(the_rt);
    CHECK(wasm_callback_call(c, a3, out) == WASM_OK && out[0].i32 == 6,
          "and runs again once cleared");
    wasm_callback_free(c);

    /* re-entered: "down" asks the host to call it again through the same
     * callback, 5 levels deep */
    wasm_func *down = wasm_instance_func(the_inst, "down");
    reenter_cb = wasm_callback_new(the_rt, down);
    wasm_value in[1] = {{.i32 = 5}};
    for (int i = 0; i < 3; i++) {
        out[0].i32 = 0;
        wasm_status st = reenter_cb ? wasm_callback_call(reenter_cb, in, out) : WASM_TRAP_HOST;
        CHECK(st == WASM_OK && out[0].i32 == 105,
              "callback re-entered through the host (5 levels), "
              "call %d: %d",
              i + 1, out[0].i32);
    }
    wasm_callback_free(reenter_cb);
    reenter_cb = NULL;

    /* a trap unwinds, names the function, and the next call runs */
    c = wasm_callback_new(the_rt, wasm_instance_func(the_inst, "trapper"));
    in[0].i32 = 1;
    wasm_status st = c ? wasm_callback_call(c, in, out) : WASM_OK;
    CHECK(st == WASM_TRAP_UNREACHABLE && strstr(wasm_runtime_trap_message(the_rt), "trapper"),
          "a trap in a callback unwinds, named: %s", wasm_runtime_trap_message(the_rt));
    in[0].i32 = 0;
    st = c ? wasm_callback_call(c, in, out) : WASM_TRAP_HOST;
    CHECK(st == WASM_OK && out[0].i32 == 7, "the callback runs again after its trap");
    wasm_callback_free(c);
}

static void test_api(const char *wasm_path)
{
    size_t len;
    char *bytes = NULL;
    base_read_file(wasm_path, SIZE_MAX - 1, &bytes, &len);
    CHECK(bytes != NULL, "read %s", wasm_path);
    if (!bytes)
        return;
    char err[512];
    wasm_module *m = wasm_module_load((const uint8_t *)bytes, len, err, sizeof err);
    CHECK(m != NULL, "load api.wasm (%s)", m ? "ok" : err);
    if (!m)
        return;

    /* a missing import is reported with its module, name and type */
    WASM_RUNTIME_CONFIG(cfg, .max_memory_pages = 3, .max_call_depth = 500);
    the_rt = wasm_runtime_new(&cfg);
    wasm_linker *l = wasm_linker_new();
    wasm_instance *inst = wasm_instantiate(the_rt, m, l, err, sizeof err);
    CHECK(!inst && errno == ENOENT && strstr(err, "host.add") &&
              strstr(err, "(func (param i32 i32) (result i32))"),
          "missing import names module, field and type: %s", err);

    int add_calls = 0;
    wasm_linker_define_func(l, "host", "add", "(ii)i", host_add, &add_calls);
    wasm_linker_define_func(l, "host", "reenter", "(i)i", host_reenter, NULL);
    wasm_linker_define_func(l, "host", "block", "()", host_block, NULL);
    /* wrong signature: reported as incompatible */
    wasm_linker_define_func(l, "host", "exit", "(I)", host_exit, NULL);
    inst = wasm_instantiate(the_rt, m, l, err, sizeof err);
    CHECK(!inst && errno == EINVAL && strstr(err, "incompatible"),
          "import of the wrong type is refused (EINVAL): %s", err);
    CHECK(wasm_linker_define_func(l, "host", "bad", "(q)i", host_exit, NULL) == -EINVAL,
          "malformed signature string refused (-EINVAL)");
    wasm_linker_define_func(l, "host", "exit", "(i)", host_exit, NULL);

    /* Ctrl-C during a long load or compile: both stop at a stop request */
    wasm_runtime_request_stop(the_rt);
    wasm_module *m2 =
        wasm_module_load_interruptible((const uint8_t *)bytes, len, the_rt, err, sizeof err);
    CHECK(!m2 && errno == EINTR && strstr(err, "interrupted while loading"),
          "a load watching a runtime asked to stop ends with EINTR: %s", m2 ? "loaded" : err);
    wasm_module_free(m2);
    m2 = wasm_module_load_interruptible((const uint8_t *)bytes, len, NULL, err, sizeof err);
    CHECK(m2 != NULL, "a load watching nothing runs through (%s)", m2 ? "ok" : err);
    wasm_module_free(m2);
    if (wasm_runtime_engine(the_rt) == WASM_ENGINE_JIT) {
        wasm_jit_stats none;
        inst = wasm_instantiate(the_rt, m, l, err, sizeof err);
        CHECK(!inst && errno == EINTR && strstr(err, "interrupted while compiling") &&
                  wasm_module_jit_stats(m, &none) == -ENOENT,
              "tier jit: instantiating in a runtime asked to stop ends before compiling: %s",
              inst ? "instantiated" : err);
    }
    wasm_runtime_clear_interrupt(the_rt);
    m2 = wasm_module_load_interruptible((const uint8_t *)bytes, len, the_rt, err, sizeof err);
    CHECK(m2 != NULL, "once cleared, a watched load runs through (%s)", m2 ? "ok" : err);
    wasm_module_free(m2);

    the_inst = wasm_instantiate(the_rt, m, l, err, sizeof err);
    CHECK(the_inst != NULL, "instantiate with host functions (%s)", the_inst ? "ok" : err);
    if (!the_inst)
        return;
    /* with the compiler (WASM_BPF_ENGINE=jit, as tests/engine/run's second
     * pass sets), every function of the module runs as machine code */
    wasm_jit_stats js;
    if (wasm_runtime_engine(the_rt) == WASM_ENGINE_JIT)
        CHECK(wasm_module_jit_stats(m, &js) == 0 && js.compiled == js.functions &&
                  js.code_bytes > 0,
              "tier jit: %u of %u functions compiled, %llu bytes", js.compiled, js.functions,
              (unsigned long long)js.code_bytes);
    else
        CHECK(wasm_module_jit_stats(m, &js) == -ENOENT, "tier %s: nothing compiled on the way in",
              wasm_engine_name(wasm_runtime_engine(the_rt)));

    /* host function with typed arguments */
    wasm_func *f = wasm_instance_func(the_inst, "call_add");
    wasm_value in[2] = {{.i32 = 40}, {.i32 = 2}}, out[1];
    wasm_status st = wasm_call(the_rt, f, in, out);
    CHECK(st == WASM_OK && out[0].i32 == 42 && add_calls == 1,
          "host function called with typed values");
    CHECK(wasm_func_has_signature(f, "(ii)i") && !wasm_func_has_signature(f, "(i)i"),
          "wasm_func_has_signature");

    /* re-entrant: wasm -> host -> wasm, 5 levels deep */
    int32_t r;
    st = call1("down", 5, &r);
    CHECK(st == WASM_OK && r == 105, "re-entrant calls through the host (5 levels): %d", r);

    /* a trap inside a nested call unwinds to the embedder, named */
    st = call1("trap_in_nested", 0, &r);
    CHECK(st == WASM_TRAP_UNREACHABLE, "trap in a nested call unwinds (%s)",
          wasm_runtime_trap_message(the_rt));
    CHECK(strstr(wasm_runtime_trap_message(the_rt), "trapper") != NULL,
          "trap message names the function: %s", wasm_runtime_trap_message(the_rt));
    st = call1("down", 2, &r);
    CHECK(st == WASM_OK && r == 102, "the runtime is usable after a nested trap");

    /* table 0 and calls through it with a checked signature */
    wasm_table *t = wasm_instance_table(the_inst);
    wasm_func *cb = t ? wasm_table_func(t, 1) : NULL;
    CHECK(cb && wasm_func_has_signature(cb, "(iii)i"), "table element 1 is the callback");
    CHECK(t && !wasm_table_func(t, 0) && !wasm_table_func(t, 4) && !wasm_table_func(t, UINT32_MAX),
          "null and out-of-range table elements give NULL");
    if (cb) {
        wasm_value a3[3] = {{.i32 = 1}, {.i32 = 2}, {.i32 = 3}};
        st = wasm_call(the_rt, cb, a3, out);
        CHECK(st == WASM_OK && out[0].i32 == 6, "call a table element");
        test_callback(cb);
    }

    /* interrupt: an endless loop stops at its back-edge */
    signal(SIGALRM, on_alarm);
    arm_timer_ms(50);
    double t0 = now_ms();
    st = call1("spin", 0, NULL);
    double dt = now_ms() - t0;
    CHECK(st == WASM_TRAP_INTERRUPTED && dt < 2000, "interrupt stops an endless loop (%.0f ms)",
          dt);
    wasm_runtime_clear_interrupt(the_rt);
    st = call1("down", 1, &r);
    CHECK(st == WASM_OK, "runs again after clearing the interrupt");

    /* interrupt while blocked in a host function */
    arm_timer_ms(50);
    t0 = now_ms();
    st = call1("wait", 0, NULL);
    dt = now_ms() - t0;
    CHECK(st == WASM_TRAP_INTERRUPTED && dt < 2000,
          "interrupt wakes a blocked host function (%.0f ms)", dt);
    wasm_runtime_clear_interrupt(the_rt);

    /* a stop request does not stop running code; it makes its eventfd
     * readable (also one created after the request) until cleared */
    wasm_runtime_request_stop(the_rt);
    struct pollfd sp = {.fd = wasm_runtime_stop_fd(the_rt), .events = POLLIN};
    st = call1("down", 1, &r);
    CHECK(st == WASM_OK && wasm_runtime_stop_requested(the_rt) &&
              !wasm_runtime_interrupted(the_rt) && sp.fd >= 0 && poll(&sp, 1, 0) == 1,
          "a stop request lets code run and makes the stop fd readable");
    wasm_runtime_clear_interrupt(the_rt);
    CHECK(!wasm_runtime_stop_requested(the_rt) && poll(&sp, 1, 0) == 0,
          "clearing the interrupt clears the stop request");

    /* limits */
    st = call1("recurse", 0, NULL);
    CHECK(st == WASM_TRAP_STACK_EXHAUSTED, "deep recursion: %s", wasm_runtime_trap_message(the_rt));
    /* the backtrace names five of the 500 frames (the runtime's call depth)
     * and says how many it leaves out */
    const char *more = strstr(wasm_runtime_trap_message(the_rt), "\n    ... ");
    unsigned long nmore = more ? strtoul(more + 9, NULL, 10) : 0;
    CHECK(more && strstr(more, " more frames") && nmore + 5 >= 495 && nmore + 5 <= 501,
          "a cut backtrace says so: '%s'", more ? more + 5 : "(no note)");
    st = call1("trap_in_nested", 0, &r);
    CHECK(st == WASM_TRAP_UNREACHABLE && !strstr(wasm_runtime_trap_message(the_rt), "more frames"),
          "a whole backtrace has no note");
    st = call1("grow", 1, &r);
    CHECK(st == WASM_OK && r == 1, "memory.grow within the cap returns the old size");
    st = call1("grow", 1, &r);
    CHECK(st == WASM_OK && r == 2, "memory.grow to the cap (3 pages)");
    st = call1("grow", 1, &r);
    CHECK(st == WASM_OK && r == -1, "memory.grow past the runtime's cap fails with -1");

    /* guest pointers at the edges of memory */
    wasm_memory *mem = wasm_instance_memory(the_inst);
    uint32_t size = (uint32_t)wasm_memory_size(mem);
    CHECK(size == 3 * 65536, "memory is 3 pages");
    CHECK(wasm_mem(the_inst, 0, size) != NULL, "wasm_mem: the whole memory");
    CHECK(wasm_mem(the_inst, size, 0) != NULL, "wasm_mem: empty range at the end");
    CHECK(wasm_mem(the_inst, size - 1, 1) != NULL, "wasm_mem: last byte");
    CHECK(wasm_mem(the_inst, size - 1, 2) == NULL, "wasm_mem: one byte past the end");
    CHECK(wasm_mem(the_inst, size, 1) == NULL, "wasm_mem: starting at the end");
    CHECK(wasm_mem(the_inst, UINT32_MAX, 2) == NULL, "wasm_mem: 32-bit wrap-around");
    CHECK(wasm_mem(the_inst, 1, UINT32_MAX) == NULL, "wasm_mem: huge length");
    uint32_t slen = 0;
    const char *s = wasm_mem_str(the_inst, 16, 64, &slen);
    CHECK(s && !strcmp(s, "hello") && slen == 5, "wasm_mem_str: a string");
    CHECK(!wasm_mem_str(the_inst, 16, 4, NULL), "wasm_mem_str: longer than maxlen");
    CHECK(wasm_mem_str(the_inst, 16, 5, NULL) != NULL, "wasm_mem_str: exactly maxlen");
    unsigned char *base = wasm_memory_data(mem);
    memset(base + size - 4, 'x', 4);
    CHECK(!wasm_mem_str(the_inst, size - 4, 100, NULL), "wasm_mem_str: runs off the end");
    CHECK(!wasm_mem_str(the_inst, size, 100, NULL), "wasm_mem_str: starts at the end");

    /* out-of-bounds accesses trap (guard pages), naming the function */
    st = call1("load", (int32_t)size, NULL);
    CHECK(st == WASM_TRAP_MEMORY_OOB && strstr(wasm_runtime_trap_message(the_rt), "load"),
          "load past the end traps: %s", wasm_runtime_trap_message(the_rt));
    st = call1("load", (int32_t)(size - 4), &r);
    CHECK(st == WASM_OK, "load of the last word");
    st = wasm_call(the_rt, wasm_instance_func(the_inst, "store_far"), NULL, NULL);
    CHECK(st == WASM_TRAP_MEMORY_OOB, "store at 4 GiB offset traps");
    st = call1("down", 3, &r);
    CHECK(st == WASM_OK && r == 103, "usable after a memory fault");

    /* exit from a host function */
    st = call1("quit", 7, NULL);
    CHECK(st == WASM_TRAP_EXIT && wasm_runtime_exit_code(the_rt) == 7,
          "exit code from a host function");

    test_surface(m);

    wasm_linker_free(l);
    wasm_runtime_free(the_rt);
    wasm_module_free(m);
    free(bytes);

    /* a module whose memory is over the runtime's cap does not instantiate */
    static const unsigned char big_memory[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 5, 3, 1, 0, 5};
    m = wasm_module_load(big_memory, sizeof big_memory, err, sizeof err);
    WASM_RUNTIME_CONFIG(small, .max_memory_pages = 2);
    wasm_runtime *rt2 = wasm_runtime_new(&small);
    inst = m ? wasm_instantiate(rt2, m, NULL, err, sizeof err) : NULL;
    CHECK(m && !inst && errno == E2BIG, "memory over the cap is refused (E2BIG): %s", err);
    wasm_module_free(m);

    /* a data segment past the end of memory: the instantiation traps */
    static const unsigned char data_oob[] = {0,    'a',  's', 'm', 1,    0,    0,
                                             0,    5,    3,   1,   0,    1, /* memory of 1 page */
                                             11,   9,    1,   0,   0x41, 0x80, 0x80,
                                             0x04, 0x0b, 1,   42};
    m = wasm_module_load(data_oob, sizeof data_oob, err, sizeof err);
    inst = m ? wasm_instantiate(rt2, m, NULL, err, sizeof err) : NULL;
    CHECK(m && !inst && errno == ECANCELED && strstr(err, "data segment 0"),
          "a data segment out of bounds traps (ECANCELED): %s", err);
    wasm_runtime_free(rt2);
    wasm_module_free(m);
    CHECK(!wasm_instantiate(NULL, NULL, NULL, err, sizeof err) && errno == EINVAL,
          "wasm_instantiate without a runtime or module: EINVAL");
}

/* ---- hostile bytes ---- */

/* want: the errno of the failure (ENOEXEC malformed, EINVAL invalid, E2BIG over a limit) */
static void expect_load_error(const char *what, const unsigned char *b, size_t n, int want)
{
    char err[512];
    double t0 = now_ms();
    wasm_module *m = wasm_module_load(b, n, err, sizeof err);
    int error = errno;
    double dt = now_ms() - t0;
    CHECK(!m && error == want && err[0] && dt < 1000, "%s: %s (%s, %.1f ms)", what, err,
          strerror(error), dt);
    wasm_module_free(m);
}

static void test_hostile(const char *wasm_path)
{
    size_t len;
    char *good = NULL;
    base_read_file(wasm_path, SIZE_MAX - 1, &good, &len);
    if (!good)
        return;
    /* every strict prefix of a valid module is rejected with a message,
     * except those that end exactly after a section (a shorter valid
     * module: then nothing that needs a later section may be missing) */
    unsigned char boundary[4096] = {0};
    for (size_t p = 8; p < len && p < sizeof boundary;) {
        size_t q = p + 1, v = 0;
        for (int shift = 0; q < len; shift += 7) {
            v |= (size_t)(good[q] & 0x7f) << shift;
            if (!(good[q++] & 0x80))
                break;
        }
        p = q + v;
        if (p < sizeof boundary)
            boundary[p] = 1;
    }
    boundary[8] = 1;
    int prefixes_ok = 1;
    for (size_t n = 0; n < len; n++) {
        char err[256];
        errno = 0;
        wasm_module *m = wasm_module_load((const uint8_t *)good, n, err, sizeof err);
        if ((m && !boundary[n]) || (!m && (errno == 0 || !err[0]))) {
            prefixes_ok = 0;
            printf("        prefix of %zu bytes: %s\n", n, m ? "loaded" : err);
        }
        wasm_module_free(m);
    }
    CHECK(prefixes_ok,
          "all %zu truncations of api.wasm load only at section ends, else fail with a message",
          len);

    /* random corruption: never a crash */
    srand(12345);
    unsigned char *copy = malloc(len);
    int loaded = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(copy, good, len);
        int flips = 1 + rand() % 4;
        for (int k = 0; k < flips; k++)
            copy[rand() % len] = (unsigned char)rand();
        wasm_module *m = wasm_module_load(copy, len, NULL, 0);
        if (m) {
            loaded++;
            wasm_module_free(m);
        }
    }
    CHECK(1, "3000 randomly corrupted modules: no crash (%d still valid)", loaded);
    free(copy);
    free(good);

    static const unsigned char hdr[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    expect_load_error("empty input", hdr, 0, ENOEXEC);
    expect_load_error("bad magic", (const unsigned char *)"\0asn\1\0\0\0", 8, ENOEXEC);
    /* a type section claiming 4 billion types in 6 bytes */
    unsigned char huge_count[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f};
    expect_load_error("type count of 2^32-1", huge_count, sizeof huge_count, ENOEXEC);
    /* a section size far past the end */
    unsigned char huge_size[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0};
    expect_load_error("section size of 4 GiB", huge_size, sizeof huge_size, ENOEXEC);
    /* a function declaring 2^32-1 locals */
    unsigned char many_locals[] = {0,  'a', 's', 'm', 1, 0,    0,    0,    1,    4,    1,    0x60,
                                   0,  0,           /* type () -> () */
                                   3,  2,   1,   0, /* one function */
                                   10, 10,  1,   8,   1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b};
    expect_load_error("2^32-1 locals", many_locals, sizeof many_locals, ENOEXEC);
    /* 200000 nested blocks */
    size_t depth = 200000, n = 0;
    unsigned char *deep = malloc(depth * 2 + 64);
    memcpy(deep, hdr, 8);
    n = 8;
    unsigned char pre[] = {1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0};
    memcpy(deep + n, pre, sizeof pre);
    n += sizeof pre;
    size_t body = 1 + depth * 2 + depth + 1; /* locals, (block 0x40)*, end*, end */
    deep[n++] = 10;
    size_t sec = 1 + 5 + body;
    /* fixed 5-byte LEBs keep the arithmetic simple */
    unsigned char leb[5];
#define LEB5(v)                                            \
    leb[0] = (unsigned char)(((v)&0x7f) | 0x80),           \
    leb[1] = (unsigned char)((((v) >> 7) & 0x7f) | 0x80),  \
    leb[2] = (unsigned char)((((v) >> 14) & 0x7f) | 0x80), \
    leb[3] = (unsigned char)((((v) >> 21) & 0x7f) | 0x80), \
    leb[4] = (unsigned char)(((v) >> 28) & 0x7f)
    LEB5(sec);
    deep = realloc(deep, n + 5 + sec);
    memcpy(deep + n, leb, 5);
    n += 5;
    deep[n++] = 1;
    LEB5(body);
    memcpy(deep + n, leb, 5);
    n += 5;
    deep[n++] = 0;
    for (size_t i = 0; i < depth; i++) {
        deep[n++] = 0x02;
        deep[n++] = 0x40;
    }
    for (size_t i = 0; i < depth + 1; i++)
        deep[n++] = 0x0b;
    expect_load_error("200000 nested blocks", deep, n, E2BIG);
    free(deep);

    /* one type more than the limit of 1000000, each the 3 bytes of () -> () */
    size_t ntypes = 1000001, tsize = 4 + 3 * ntypes;
    unsigned char *many_types = malloc(8 + 1 + 5 + tsize);
    if (many_types) {
        size_t k = 0;
        memcpy(many_types, "\0asm\1\0\0\0", 8);
        k = 8;
        many_types[k++] = 1;
        for (size_t v = tsize, i = 0; i < 5; i++, v >>= 7)
            many_types[k++] = (unsigned char)((v & 0x7f) | (i < 4 ? 0x80 : 0));
        for (size_t v = ntypes, i = 0; i < 4; i++, v >>= 7)
            many_types[k++] = (unsigned char)((v & 0x7f) | (i < 3 ? 0x80 : 0));
        for (size_t i = 0; i < ntypes; i++) {
            many_types[k++] = 0x60;
            many_types[k++] = 0;
            many_types[k++] = 0;
        }
        expect_load_error("1000001 function types", many_types, k, E2BIG);
        free(many_types);
    }
}

/* Valid modules over the implementation limits: refused with a message,
 * before they make us allocate in proportion to their values. */
static void test_limits(const char *dir)
{
    static const struct {
        const char *file, *what, *message;
    } cases[] = {
        {"deep_stack.wasm", "70000 values on the operand stack", "operand stack deeper"},
        {"code_bomb.wasm", "a 5 KB br_table copying 1000 values to each of 300 labels",
         "too many values"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].file);
        size_t len;
        char *bytes = NULL;
        base_read_file(path, SIZE_MAX - 1, &bytes, &len);
        char err[512] = "";
        wasm_module *m =
            bytes ? wasm_module_load((const uint8_t *)bytes, len, err, sizeof err) : NULL;
        CHECK(bytes && !m && errno == E2BIG && strstr(err, cases[i].message),
              "limit: %s is refused: %s", cases[i].what, err);
        wasm_module_free(m);
        free(bytes);
    }
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Fastest of five loads of a module, in CPU time of this thread (ms; other
 * processes on a busy machine do not count), or -1 when it does not load. */
static double best_load_ms(const char *dir, const char *file, size_t *size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *bytes;
    if (base_read_file(path, SIZE_MAX - 1, &bytes, size) < 0)
        return -1;
    double best = -1;
    for (int i = 0; i < 5; i++) {
        char err[512];
        double t0 = cpu_ms();
        wasm_module *m = wasm_module_load((const uint8_t *)bytes, *size, err, sizeof err);
        double dt = cpu_ms() - t0;
        if (!m) {
            printf("        %s: %s\n", file, err);
            best = -1;
            break;
        }
        wasm_module_free(m);
        if (best < 0 || dt < best)
            best = dt;
    }
    free(bytes);
    return best;
}

/* The type bomb: 160000 distinct function types in 2 MB used to cost a
 * linear scan each (5 s, quadratic).  Loading it must cost about four times
 * a module of its first quarter; the bound (8x plus 50 ms) leaves room for
 * a loaded machine and caches, and a quadratic load (16x) is far above it. */
static void test_type_bomb(const char *dir)
{
    size_t full_size = 0, quarter_size = 0;
    double quarter = best_load_ms(dir, "type_bomb_quarter.wasm", &quarter_size);
    double full = best_load_ms(dir, "type_bomb.wasm", &full_size);
    CHECK(quarter >= 0 && full >= 0 && full <= 8 * quarter + 50,
          "limit: %zu KB of 160000 function types load in %.1f ms, %zu KB of 40000 in %.1f ms "
          "(CPU time; linear: at most 8x + 50 ms)",
          full_size / 1024, full, quarter_size / 1024, quarter);
}

static wasm_status call_in(wasm_runtime *rt, wasm_instance *inst, const char *name, int32_t arg,
                           int32_t *result)
{
    wasm_value in[1] = {{.i32 = arg}}, out[1] = {{0}};
    wasm_status st = wasm_call(rt, wasm_instance_func(inst, name), in, out);
    if (result)
        *result = out[0].i32;
    return st;
}

/* name(0) from the host 300 times: does every call return want? */
static bool called_300_times(wasm_runtime *rt, wasm_instance *inst, const char *name, int32_t want)
{
    bool same = true;
    for (int i = 0; i < 300; i++) {
        int32_t r = 0;
        same = same && call_in(rt, inst, name, 0, &r) == WASM_OK && r == want;
    }
    return same;
}

static uint32_t compiled_of(const wasm_module *m)
{
    wasm_jit_stats js;
    return wasm_module_jit_stats(m, &js) == 0 ? js.compiled : 0;
}

/* One thread of the shared-module check: its own runtime and instance of
 * a module other threads run too, tiered with a short period, so that
 * the threads compile batches of the same module while the others run
 * its machine code. */
struct tier_thread {
    wasm_module *m;
    bool ok;
};

static void *tier_thread_run(void *arg)
{
    struct tier_thread *t = arg;
    WASM_RUNTIME_CONFIG(cfg, .engine = WASM_ENGINE_TIERED, .tier_period = 7);
    wasm_runtime *rt = wasm_runtime_new(&cfg);
    wasm_linker *l = wasm_linker_new();
    int add_calls = 0;
    wasm_linker_define_func(l, "host", "add", "(ii)i", host_add, &add_calls);
    wasm_linker_define_func(l, "host", "reenter", "(i)i", host_reenter, NULL);
    wasm_linker_define_func(l, "host", "block", "()", host_block, NULL);
    wasm_linker_define_func(l, "host", "exit", "(i)", host_exit, NULL);
    wasm_instance *inst = rt && l ? wasm_instantiate(rt, t->m, l, NULL, 0) : NULL;
    t->ok = inst != NULL;
    for (int i = 0; inst && i < 200 && t->ok; i++) {
        int32_t r = 0, n = 1000 + 37 * i;
        wasm_value two[2] = {{.i32 = 40}, {.i32 = i}}, sum[1] = {{0}};
        t->ok = call_in(rt, inst, "sum_to", n, &r) == WASM_OK &&
                (uint32_t)r == (uint32_t)((uint64_t)n * (uint64_t)(n - 1) / 2) &&
                call_in(rt, inst, "trapper", 0, &r) == WASM_OK && r == 7 &&
                call_in(rt, inst, "trap_at", 50 + i, NULL) == WASM_TRAP_UNREACHABLE &&
                wasm_call(rt, wasm_instance_func(inst, "call_add"), two, sum) == WASM_OK &&
                sum[0].i32 == 40 + i;
    }
    wasm_linker_free(l);
    wasm_runtime_free(rt);
    return NULL;
}

/* The tiered engine (a runtime of its own, a period of 100 interpreted
 * calls and back-edges): code that runs once stays in the interpreter, a
 * long loop entered once moves to machine code in mid-run, a function the
 * host calls often is compiled, and results, traps and interrupts are
 * those of the other tiers. */
static void test_tiered(const char *wasm_path)
{
    if (!wasm_engine_compiler_arch()) {
        printf("skip: tiered: this build has no compiler\n");
        return;
    }
    size_t len;
    char *bytes = NULL, err[512];
    base_read_file(wasm_path, SIZE_MAX - 1, &bytes, &len);
    wasm_module *m = bytes ? wasm_module_load((const uint8_t *)bytes, len, err, sizeof err) : NULL;
    free(bytes);
    WASM_RUNTIME_CONFIG(cfg, .engine = WASM_ENGINE_TIERED, .tier_period = 100);
    wasm_runtime *rt = wasm_runtime_new(&cfg);
    wasm_linker *l = wasm_linker_new();
    int add_calls = 0;
    wasm_linker_define_func(l, "host", "add", "(ii)i", host_add, &add_calls);
    wasm_linker_define_func(l, "host", "reenter", "(i)i", host_reenter, NULL);
    wasm_linker_define_func(l, "host", "block", "()", host_block, NULL);
    wasm_linker_define_func(l, "host", "exit", "(i)", host_exit, NULL);
    wasm_instance *inst = m && rt && l ? wasm_instantiate(rt, m, l, err, sizeof err) : NULL;
    CHECK(inst != NULL, "tiered: instantiate (%s)", inst ? "ok" : err);
    if (!inst)
        goto out;
    CHECK(wasm_runtime_engine(rt) == WASM_ENGINE_TIERED && compiled_of(m) == 0,
          "tiered: nothing is compiled on the way in");

    int32_t r = 0;
    wasm_status st = call_in(rt, inst, "sum_to", 10, &r);
    CHECK(st == WASM_OK && r == 45 && compiled_of(m) == 0,
          "tiered: a short loop run once stays in the interpreter (%d, %u compiled)", r,
          compiled_of(m));
    st = call_in(rt, inst, "sum_to", 100000, &r);
    CHECK(st == WASM_OK && (uint32_t)r == (uint32_t)(100000ull * 99999ull / 2) &&
              compiled_of(m) >= 1,
          "tiered: a long loop entered once goes on in machine code (%u, %u compiled)", (uint32_t)r,
          compiled_of(m));
    st = call_in(rt, inst, "trap_at", 5000, NULL);
    CHECK(st == WASM_TRAP_UNREACHABLE && strstr(wasm_runtime_trap_message(rt), "trap_at"),
          "tiered: a trap after the switch names the function: %s", wasm_runtime_trap_message(rt));
    st = call_in(rt, inst, "sum_to", 3000, &r);
    CHECK(st == WASM_OK && (uint32_t)r == (uint32_t)(3000u * 2999u / 2),
          "tiered: the runtime is usable after it (%d)", r);

    uint32_t before = compiled_of(m);
    CHECK(called_300_times(rt, inst, "trapper", 7) && compiled_of(m) > before,
          "tiered: a loop-free function the host calls 300 times is compiled (%u -> %u)", before,
          compiled_of(m));

    /* a guest winding down after a stop request still gets its hot code
     * compiled (only an interrupt stops a compile on the way) */
    wasm_runtime_request_stop(rt);
    before = compiled_of(m);
    CHECK(called_300_times(rt, inst, "get_level", 1) && compiled_of(m) > before,
          "tiered: after a stop request, what runs hot is still compiled (%u -> %u)", before,
          compiled_of(m));
    wasm_runtime_clear_interrupt(rt);

    /* the endless loop is compiled on the way, then stopped at its back-edge */
    wasm_runtime *saved = the_rt;
    the_rt = rt;
    signal(SIGALRM, on_alarm);
    arm_timer_ms(50);
    double t0 = now_ms();
    st = call_in(rt, inst, "spin", 0, NULL);
    double dt = now_ms() - t0;
    the_rt = saved;
    CHECK(st == WASM_TRAP_INTERRUPTED && dt < 2000,
          "tiered: interrupt stops an endless loop after the switch (%.0f ms)", dt);
    wasm_runtime_clear_interrupt(rt);

    /* four threads tier up one fresh module at once */
    bytes = NULL;
    base_read_file(wasm_path, SIZE_MAX - 1, &bytes, &len);
    wasm_module *shared =
        bytes ? wasm_module_load((const uint8_t *)bytes, len, err, sizeof err) : NULL;
    free(bytes);
    struct tier_thread tt[4];
    pthread_t tid[4];
    int started = 0;
    for (int i = 0; shared && i < 4; i++) {
        tt[i] = (struct tier_thread){shared, false};
        started += pthread_create(&tid[i], NULL, tier_thread_run, &tt[i]) == 0;
    }
    bool all = shared && started == 4;
    for (int i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        all = all && tt[i].ok;
    }
    CHECK(all && compiled_of(shared) > 0,
          "tiered: four threads tier up one module at once: same results (%u functions compiled)",
          shared ? compiled_of(shared) : 0);
    wasm_module_free(shared);
out:
    wasm_linker_free(l);
    wasm_runtime_free(rt);
    wasm_module_free(m);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: engine_test api.wasm LIMITS_DIR\n");
        return 2;
    }
    test_api(argv[1]);
    wasm_runtime *probe = wasm_runtime_new(NULL); /* the tier $WASM_BPF_ENGINE asks for */
    if (probe && wasm_runtime_engine(probe) == WASM_ENGINE_TIERED)
        test_tiered(argv[1]);
    wasm_runtime_free(probe);
    test_hostile(argv[1]);
    test_limits(argv[2]);
    test_type_bomb(argv[2]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
