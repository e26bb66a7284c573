/* libFuzzer target: load, instantiate against stub imports of the right
 * types, and call every exported function with zero arguments, under
 * limits: built with WASM_ENGINE_FUEL (each call and back-edge costs a
 * unit), a small memory cap and call depth.  Traps are fine; crashes,
 * leaks and hangs are not. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* private: the module's import list and types, to define stubs of the right
 * types (the embedding API does not enumerate imports) */
#include "../../src/wasm/internal.h"

static wasm_status stub(wasm_instance *inst, void *ud, wasm_value *args)
{
    (void)inst, (void)ud;
    /* results get deterministic junk: exercises the caller's handling */
    for (int i = 0; i < 4; i++)
        args[i].raw = 0x12345678u * (uint64_t)(i + 1);
    return WASM_OK;
}

static void signature_of(const func_type *t, char *buf, size_t len)
{
    size_t n = 0;
    buf[n++] = '(';
    for (uint32_t i = 0; i < t->nparams + t->nresults && n + 3 < len; i++) {
        if (i == t->nparams)
            buf[n++] = ')';
        switch (t->types[i]) {
        case WASM_I32: buf[n++] = 'i'; break;
        case WASM_I64: buf[n++] = 'I'; break;
        case WASM_F32: buf[n++] = 'f'; break;
        case WASM_F64: buf[n++] = 'F'; break;
        case WASM_FUNCREF: buf[n++] = 'r'; break;
        default: buf[n++] = 'x'; break;
        }
    }
    if (t->nresults == 0)
        buf[n++] = ')';
    buf[n] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasm_module *m = wasm_module_load(data, size, NULL, 0);
    if (!m)
        return 0;
    WASM_RUNTIME_CONFIG(cfg, .max_memory_pages = 16, .max_call_depth = 200, .stack_slots = 1 << 16);
    wasm_runtime *rt = wasm_runtime_new(&cfg);
    wasm_linker *l = wasm_linker_new();
    for (uint32_t i = 0; i < m->nimports; i++) {
        const import_def *im = &m->imports[i];
        char sig[64];
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            if (m->types[im->u.type_index].nparams + m->types[im->u.type_index].nresults > 40 ||
                m->types[im->u.type_index].nresults > 4)
                continue;
            signature_of(&m->types[im->u.type_index], sig, sizeof sig);
            wasm_linker_define_func(l, im->module, im->name, sig, stub, NULL);
            break;
        case WASM_EXTERN_MEMORY:
            wasm_linker_define_memory(l, im->module, im->name,
                                      wasm_memory_new(rt, im->u.memory.min > 16 ? 16 : im->u.memory.min,
                                                      im->u.memory.has_max ? im->u.memory.max : UINT32_MAX));
            break;
        case WASM_EXTERN_TABLE:
            wasm_linker_define_table(l, im->module, im->name,
                                     wasm_table_new(rt, (wasm_valtype)im->u.table.elem,
                                                    im->u.table.lim.min > 1000 ? 1000 : im->u.table.lim.min,
                                                    im->u.table.lim.has_max ? im->u.table.lim.max : UINT32_MAX));
            break;
        case WASM_EXTERN_GLOBAL: {
            wasm_value v = {.raw = 0};
            wasm_linker_define_global(l, im->module, im->name,
                                      wasm_global_new(rt, (wasm_valtype)im->u.global.type, im->u.global.mut, v));
            break;
        }
        }
    }
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
