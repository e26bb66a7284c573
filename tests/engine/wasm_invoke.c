/* wasm_invoke: load a module with no imports, call one export with
 * integer arguments and print its results.  Used by the engine tests and
 * the benchmarks of kernels built without WASI.
 *
 *   wasm_invoke FILE.wasm FUNC [ARG...]   (prints "i32:N" per result) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_engine.h"
#include "wasm_bpf_base.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: wasm_invoke FILE.wasm FUNC [ARG...]\n");
        return 2;
    }
    size_t len;
    char *bytes = NULL;
    int rerr = base_read_file(argv[1], SIZE_MAX - 1, &bytes, &len);
    if (rerr) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(-rerr));
        return 1;
    }
    char err[512];
    wasm_module *m = wasm_module_load((const uint8_t *)bytes, len, err, sizeof err);
    free(bytes);
    if (!m) {
        fprintf(stderr, "load: %s\n", err);
        return 1;
    }
    wasm_runtime *rt = wasm_runtime_new(NULL);
    wasm_linker *l = wasm_linker_new();
    wasm_instance *inst = wasm_instantiate(rt, m, l, err, sizeof err);
    if (!inst) {
        fprintf(stderr, "instantiate: %s\n", err);
        return 1;
    }
    wasm_func *f = wasm_instance_func(inst, argv[2]);
    if (!f) {
        fprintf(stderr, "no exported function %s\n", argv[2]);
        return 1;
    }
    wasm_value args[16] = {0}, results[16];
    uint32_t np = wasm_func_param_count(f);
    if (np > 16 || (uint32_t)(argc - 3) != np || wasm_func_result_count(f) > 16) {
        fprintf(stderr, "%s takes %u arguments\n", argv[2], np);
        return 2;
    }
    for (uint32_t i = 0; i < np; i++) {
        if (wasm_func_param_type(f, i) == WASM_I64)
            args[i].i64 = strtoll(argv[3 + i], NULL, 0);
        else
            args[i].i32 = (int32_t)strtol(argv[3 + i], NULL, 0);
    }
    wasm_status st = wasm_call(rt, f, args, results);
    if (st != WASM_OK) {
        fprintf(stderr, "trap: %s\n", wasm_runtime_trap_message(rt));
        return 1;
    }
    for (uint32_t i = 0; i < wasm_func_result_count(f); i++) {
        if (wasm_func_result_type(f, i) == WASM_I64)
            printf("i64:%llu\n", (unsigned long long)results[i].i64);
        else
            printf("i32:%u\n", (unsigned)results[i].i32);
    }
    wasm_linker_free(l);
    wasm_runtime_free(rt);
    wasm_module_free(m);
    return 0;
}
