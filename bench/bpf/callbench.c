/* callbench.c: the engine's host-to-guest call path alone, the bulk of the
 * per-record cost of a ring buffer poll: wasm_call() of a trivial exported
 * function (i32, i32, i32) -> i32, the type of a poll callback.
 *   callbench MODULE.wasm N     prints "wasm_call N calls NS ns/call" */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wasm_engine.h"

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 1;
    static uint8_t bytes[1 << 16];
    size_t len = fread(bytes, 1, sizeof(bytes), f);
    fclose(f);
    char err[256];
    wasm_module *mod = wasm_module_load(bytes, len, NULL, err, sizeof(err));
    if (!mod) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    wasm_runtime *rt = wasm_runtime_new(NULL);
    wasm_linker *l = wasm_linker_new();
    wasm_instance *inst = wasm_instantiate(rt, mod, l, NULL, err, sizeof(err));
    wasm_func *fn = inst ? wasm_instance_func(inst, "cb") : NULL;
    if (!fn) {
        fprintf(stderr, "%s\n", inst ? "no export cb" : err);
        return 1;
    }
    long n = atol(argv[2]);
    wasm_value args[3] = {{.i32 = 1}, {.i32 = 4096}, {.i32 = 16}}, res[1];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++)
        if (wasm_call(rt, fn, args, res) != WASM_OK)
            return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
    printf("wasm_call %ld calls %.1f ns/call\n", n, ns / n);
    wasm_runtime_free(rt);
    wasm_linker_free(l);
    wasm_module_free(mod);
    return 0;
}
