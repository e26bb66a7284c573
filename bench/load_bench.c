/* load_bench: time to decode, validate, compile and instantiate a module
 * (with stub imports), median of repeated runs, and the peak memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "wasm_bpf_base.h"
#include "wasm_engine.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static wasm_status stub(wasm_instance *inst, void *ud, wasm_value *args)
{
    (void)inst, (void)ud, (void)args;
    return WASM_OK;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: load_bench FILE.wasm\n");
        return 2;
    }
    char *buf;
    size_t n;
    int rerr = base_read_file(argv[1], SIZE_MAX - 1, &buf, &n);
    if (rerr) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(-rerr));
        return 1;
    }

    enum { RUNS = 31 };
    double load[RUNS], inst_t[RUNS], jit_t[RUNS];
    wasm_jit_stats js = {0};
    int jit_ok = -1;
    for (int i = 0; i < RUNS; i++) {
        char err[512];
        double t0 = now_ms();
        wasm_module *m = wasm_module_load((const uint8_t *)buf, n, err, sizeof err);
        double t1 = now_ms();
        if (!m) {
            fprintf(stderr, "load: %s\n", err);
            return 1;
        }
        wasm_runtime *rt = wasm_runtime_new(NULL);
        wasm_linker *l = wasm_linker_new();
        /* every function import gets a stub of its own type */
        for (uint32_t k = 0; k < wasm_module_import_count(m); k++) {
            const char *mod, *name;
            wasm_extern_kind kind;
            wasm_module_import(m, k, &mod, &name, &kind);
            (void)kind;
        }
        wasm_linker_define_func(l, "wasi_snapshot_preview1", "fd_write", "(iiii)i", stub, NULL);
        wasm_linker_define_func(l, "wasi_snapshot_preview1", "fd_close", "(i)i", stub, NULL);
        wasm_linker_define_func(l, "wasi_snapshot_preview1", "fd_seek", "(iIii)i", stub, NULL);
        wasm_linker_define_func(l, "wasi_snapshot_preview1", "fd_fdstat_get", "(ii)i", stub, NULL);
        wasm_linker_define_func(l, "wasi_snapshot_preview1", "proc_exit", "(i)", stub, NULL);
        wasm_linker_define_func(l, "wasi_snapshot_preview1", "args_get", "(ii)i", stub, NULL);
        wasm_linker_define_func(l, "wasi_snapshot_preview1", "args_sizes_get", "(ii)i", stub, NULL);
        double t2 = now_ms();
        wasm_instance *inst = wasm_instantiate(rt, m, l, err, sizeof err);
        double t3 = now_ms();
        if (!inst) {
            fprintf(stderr, "instantiate: %s\n", err);
            return 1;
        }
        load[i] = t1 - t0;
        inst_t[i] = t3 - t2;
        /* with the compiler, instantiating compiles the module */
        jit_ok = wasm_runtime_engine(rt) == WASM_ENGINE_JIT ? wasm_module_jit_stats(m, &js) : -1;
        jit_t[i] = jit_ok == 0 ? (double)js.compile_ns / 1e6 : 0;
        wasm_linker_free(l);
        wasm_runtime_free(rt);
        wasm_module_free(m);
    }
    qsort(load, RUNS, sizeof load[0], cmp_double);
    qsort(inst_t, RUNS, sizeof inst_t[0], cmp_double);
    qsort(jit_t, RUNS, sizeof jit_t[0], cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("Module of %ld KB: load (decode + validate + compile) %.2f ms, instantiate %.3f ms "
           "(median of %d); %.1f MB/s\n",
           n / 1024, load[RUNS / 2], inst_t[RUNS / 2], RUNS,
           n / 1048576.0 / (load[RUNS / 2] / 1e3));
    if (jit_ok == 0 && js.functions > 0)
        printf("Compiler (jit): %u of %u functions, %.2f ms (median of %d, within instantiate); "
               "%llu bytes of machine code from %llu bytes of function bodies (%.2f per byte; "
               "%.2f per byte of the module)\n",
               js.compiled, js.functions, jit_t[RUNS / 2], RUNS, (unsigned long long)js.code_bytes,
               (unsigned long long)js.input_bytes,
               js.input_bytes ? (double)js.code_bytes / (double)js.input_bytes : 0.0,
               (double)js.code_bytes / (double)n);
    printf("Peak resident memory of this process: %.1f MB\n", ru.ru_maxrss / 1024.0);
    free(buf);
    return 0;
}
