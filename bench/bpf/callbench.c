/* callbench.c: the engine's share of the BPF benchmarks.
 *   callbench MODULE.wasm N
 *     host to guest: wasm_call() of a trivial exported function
 *     (i32, i32, i32) -> i32, the type of a poll callback: the bulk of the
 *     per-record cost of a ring buffer poll; prints
 *     "wasm_call N calls NS ns/call", then the same through the prepared
 *     path the poll callbacks take: "wasm_callback_call N calls NS ns/call"
 *   callbench MODULE.wasm N import
 *     guest to host: a guest loop calling an import of map_operate's type
 *     (i32 x5, i64) -> i32 that does nothing; prints
 *     "import N calls NS ns/call" */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wasm_engine.h"

static wasm_status nop_import(wasm_instance *inst, void *userdata, wasm_value *args)
{
    (void)inst, (void)userdata;
    args[0].i32 = 0;
    return WASM_OK;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4)
        return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 1;
    static uint8_t bytes[1 << 16];
    size_t len = fread(bytes, 1, sizeof(bytes), f);
    fclose(f);
    char err[256];
    wasm_module *mod = wasm_module_load(bytes, len, err, sizeof(err));
    if (!mod) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    wasm_runtime *rt = wasm_runtime_new(NULL);
    wasm_linker *l = wasm_linker_new();
    wasm_linker_define_func(l, "bench", "nop", "(iiiiiI)i", nop_import, NULL);
    wasm_instance *inst = wasm_instantiate(rt, mod, l, err, sizeof(err));
    wasm_func *fn = inst ? wasm_instance_func(inst, "cb") : NULL;
    if (!fn) {
        fprintf(stderr, "%s\n", inst ? "no export cb" : err);
        return 1;
    }
    long n = atol(argv[2]);
    if (argc == 4) {
        wasm_func *loop = wasm_instance_func(inst, "loop");
        wasm_value a[1] = {{.i32 = (int32_t)n}}, r[1];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (!loop || wasm_call(rt, loop, a, r) != WASM_OK)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
        printf("import %ld calls %.1f ns/call\n", n, ns / n);
        return 0;
    }
    wasm_value args[3] = {{.i32 = 1}, {.i32 = 4096}, {.i32 = 16}}, res[1];
    wasm_callback *cb = wasm_callback_new(rt, fn);
    if (!cb)
        return 1;
    /* both paths, interleaved in rounds, so that the machine's drift hits
     * them alike; the poll callbacks take wasm_callback_call */
    enum { ROUNDS = 10 };
    double ns_call = 0, ns_cb = 0;
    for (int r = 0; r < ROUNDS; r++) {
        struct timespec t0, t1, t2;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n / ROUNDS; i++)
            if (wasm_call(rt, fn, args, res) != WASM_OK)
                return 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        for (long i = 0; i < n / ROUNDS; i++)
            if (wasm_callback_call(cb, args, res) != WASM_OK)
                return 1;
        clock_gettime(CLOCK_MONOTONIC, &t2);
        ns_call += (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
        ns_cb += (t2.tv_sec - t1.tv_sec) * 1e9 + (t2.tv_nsec - t1.tv_nsec);
    }
    long done = n / ROUNDS * ROUNDS;
    printf("wasm_call %ld calls %.1f ns/call\n", done, ns_call / done);
    printf("wasm_callback_call %ld calls %.1f ns/call\n", done, ns_cb / done);
    wasm_callback_free(cb);
    wasm_runtime_free(rt);
    wasm_linker_free(l);
    wasm_module_free(mod);
    return 0;
}
