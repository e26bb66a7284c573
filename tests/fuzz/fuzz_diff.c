/* libFuzzer target: the same module on both execution tiers.  Instantiates
 * it once in an interpreter runtime and once in a compiler runtime (jit or
 * tiered; stub
 * imports of the right types, deterministic results), calls every exported
 * function with the same arguments in both, and requires the same statuses,
 * trap messages, results, memory, globals and remaining fuel.  Built with
 * WASM_ENGINE_FUEL like fuzz_run, so both tiers stop at the same point of
 * an endless loop.  A difference aborts with both sides printed. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_imports.h"

#define FUEL 100000

typedef struct side {
    wasm_runtime *rt;
    wasm_linker *l;
    wasm_instance *inst;
} side;

static bool side_new(side *s, wasm_module *m, wasm_engine_tier tier, uint32_t tier_period)
{
    WASM_RUNTIME_CONFIG(cfg, .max_memory_pages = 16, .max_call_depth = 200, .stack_slots = 1 << 16,
                        .engine = tier, .tier_period = tier_period);
    s->rt = wasm_runtime_new(&cfg);
    s->l = wasm_linker_new();
    s->inst = NULL;
    if (!s->rt || !s->l)
        abort();
    fuzz_define_imports(s->rt, s->l, m);
    wasm__runtime_set_fuel(s->rt, FUEL);
    s->inst = wasm_instantiate(s->rt, m, s->l, NULL, 0);
    return s->inst != NULL;
}

static void side_free(side *s)
{
    wasm_linker_free(s->l);
    wasm_runtime_free(s->rt);
}

/* Equal values of type t: floats may differ in the payload of a NaN (the
 * interpreter's C and the compiled code may order commutative operands
 * differently); anything else must be equal bits. */
static bool same_value(uint8_t t, uint64_t a, uint64_t b)
{
    if (a == b)
        return true;
    if (t == WASM_F32) {
        float x, y;
        uint32_t u = (uint32_t)a, v = (uint32_t)b;
        memcpy(&x, &u, 4);
        memcpy(&y, &v, 4);
        return isnan(x) && isnan(y);
    }
    if (t == WASM_F64) {
        double x, y;
        memcpy(&x, &a, 8);
        memcpy(&y, &b, 8);
        return isnan(x) && isnan(y);
    }
    return false;
}

#define DIFFER(...)                                   \
    do {                                              \
        fprintf(stderr, "fuzz_diff: tiers differ: "); \
        fprintf(stderr, __VA_ARGS__);                 \
        fputc('\n', stderr);                          \
        abort();                                      \
    } while (0)

static void compare_state(const side *a, const side *b, const wasm_module *m)
{
    const wasm_memory *ma = a->inst->mem, *mb = b->inst->mem;
    if (ma && mb) {
        if (ma->size != mb->size)
            DIFFER("memory size %llu vs %llu", (unsigned long long)ma->size,
                   (unsigned long long)mb->size);
        if (memcmp(ma->base, mb->base, ma->size)) {
            size_t i = 0;
            while (ma->base[i] == mb->base[i])
                i++;
            DIFFER("memory byte %zu: %#x vs %#x", i, ma->base[i], mb->base[i]);
        }
    }
    for (uint32_t g = 0; g < m->nglobals; g++) {
        uint8_t t = m->globals[g].type;
        if (is_ref_type(t))
            continue; /* host pointers */
        if (!same_value(t, *a->inst->globals[g], *b->inst->globals[g]))
            DIFFER("global %u: %#llx vs %#llx", g, (unsigned long long)*a->inst->globals[g],
                   (unsigned long long)*b->inst->globals[g]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasm_module *m = wasm_module_load(data, size, NULL, 0);
    if (!m)
        return 0;
    side in, jit;
    /* the compiled side: every function compiled up front, or (half the
     * inputs) the tiered engine with a period of 1 to 8 interpreted calls
     * and back-edges, so that functions change tiers in mid-run */
    bool tiered = data[size / 2] & 1;
    bool ok_in = side_new(&in, m, WASM_ENGINE_INTERP, 0);
    bool ok_jit =
        side_new(&jit, m, tiered ? WASM_ENGINE_TIERED : WASM_ENGINE_JIT, 1 + (data[size - 1] & 7));
    if (ok_in != ok_jit)
        DIFFER("instantiation %s vs %s (the start function): %s | %s", ok_in ? "ok" : "failed",
               ok_jit ? "ok" : "failed", wasm_runtime_trap_message(in.rt),
               wasm_runtime_trap_message(jit.rt));
    if (ok_in) {
        compare_state(&in, &jit, m);
        /* the arguments: zeros, then bytes of the input */
        for (int round = 0; round < 2; round++) {
            for (uint32_t i = 0; i < m->nexports; i++) {
                if (m->exports[i].kind != WASM_EXTERN_FUNC)
                    continue;
                wasm_func *fa = in.inst->funcs[m->exports[i].index];
                wasm_func *fb = jit.inst->funcs[m->exports[i].index];
                const func_type *t = fa->type;
                if (t->nparams > 64 || t->nresults > 64)
                    continue;
                wasm_value args[64] = {{0}}, ra[64] = {{0}}, rb[64] = {{0}};
                for (uint32_t k = 0; round && k < t->nparams; k++)
                    for (size_t j = 0; j < 8; j++)
                        args[k].raw = args[k].raw << 8 | data[(k * 8 + j + i) % size];
                wasm__runtime_set_fuel(in.rt, FUEL);
                wasm__runtime_set_fuel(jit.rt, FUEL);
                wasm_status sa = wasm_call(in.rt, fa, args, ra);
                /* the second round enters the compiled code as poll
                 * callbacks do (wasm_callback_call's prepared path) */
                wasm_callback *cb = round ? wasm_callback_new(jit.rt, fb) : NULL;
                wasm_status sb =
                    cb ? wasm_callback_call(cb, args, rb) : wasm_call(jit.rt, fb, args, rb);
                wasm_callback_free(cb);
                if (sa != sb ||
                    strcmp(wasm_runtime_trap_message(in.rt), wasm_runtime_trap_message(jit.rt)))
                    DIFFER("export %s: status %d vs %d: '%s' vs '%s'", m->exports[i].name, sa, sb,
                           sa ? wasm_runtime_trap_message(in.rt) : "ok",
                           sb ? wasm_runtime_trap_message(jit.rt) : "ok");
                if (in.rt->fuel != jit.rt->fuel)
                    DIFFER("export %s: fuel left %llu vs %llu", m->exports[i].name,
                           (unsigned long long)in.rt->fuel, (unsigned long long)jit.rt->fuel);
                for (uint32_t k = 0; sa == WASM_OK && k < t->nresults; k++)
                    if (!is_ref_type(ft_results(t)[k]) &&
                        !same_value(ft_results(t)[k], ra[k].raw, rb[k].raw))
                        DIFFER("export %s: result %u: %#llx vs %#llx", m->exports[i].name, k,
                               (unsigned long long)ra[k].raw, (unsigned long long)rb[k].raw);
                compare_state(&in, &jit, m);
            }
        }
    }
    side_free(&in);
    side_free(&jit);
    wasm_module_free(m);
    return 0;
}
