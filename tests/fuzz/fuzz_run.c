/* libFuzzer target: load, instantiate against stub imports of the right
 * types, and call every exported function with zero arguments, under
 * limits: built with WASM_ENGINE_FUEL (each call and back-edge costs a
 * unit), a small memory cap and call depth.  Traps are fine; crashes,
 * leaks and hangs are not. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_imports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasm_module *m = wasm_module_load(data, size, NULL, 0);
    if (!m)
        return 0;
    WASM_RUNTIME_CONFIG(cfg, .max_memory_pages = 16, .max_call_depth = 200, .stack_slots = 1 << 16);
    wasm_runtime *rt = wasm_runtime_new(&cfg);
    wasm_linker *l = wasm_linker_new();
    fuzz_define_imports(rt, l, m);
    wasm__runtime_set_fuel(rt, 100000);
    wasm_instance *inst = wasm_instantiate(rt, m, l, NULL, 0);
    if (inst) {
        for (uint32_t i = 0; i < m->nexports; i++) {
            if (m->exports[i].kind != WASM_EXTERN_FUNC)
                continue;
            wasm_func *f = inst->funcs[m->exports[i].index];
            wasm_value args[64] = {{0}}, results[64];
            if (f->type->nparams > 64 || f->type->nresults > 64)
                continue;
            wasm__runtime_set_fuel(rt, 100000);
            wasm_call(rt, f, args, results);
        }
    }
    wasm_linker_free(l);
    wasm_runtime_free(rt);
    wasm_module_free(m);
    return 0;
}
