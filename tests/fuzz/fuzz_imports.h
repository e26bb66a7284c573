/* Shared by the engine's fuzz targets (fuzz_run, fuzz_diff): define every
 * import of a module as a stub of the right type, so any module that loads
 * can be instantiated.  Header-only: each target is one translation unit
 * built with the engine's sources (mk/wasm.mk). */
#ifndef FUZZ_IMPORTS_H
#define FUZZ_IMPORTS_H

#include <stdint.h>

/* private: the module's import list and types (the embedding API does not
 * enumerate imports) */
#include "../../src/wasm/internal.h"

/* Results get deterministic junk (exercises the caller's handling); ud
 * carries the number of results, so only those slots are written. */
static wasm_status fuzz_stub(wasm_instance *inst, void *ud, wasm_value *args)
{
    (void)inst;
    uintptr_t n = (uintptr_t)ud;
    for (uintptr_t i = 0; i < n && i < 4; i++)
        args[i].raw = 0x12345678u * (uint64_t)(i + 1);
    return WASM_OK;
}

/* The linker's signature string of t: "(params)results", one letter a type. */
static void fuzz_signature_of(const func_type *t, char *buf, size_t len)
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

/* Define m's imports in l: functions as fuzz_stub (those with more than 40
 * parameters and results or more than 4 results are left out, and the
 * instantiation fails), memories capped at 16 pages, tables at 1000
 * elements, globals zero. */
static void fuzz_define_imports(wasm_runtime *rt, wasm_linker *l, const wasm_module *m)
{
    for (uint32_t i = 0; i < m->nimports; i++) {
        const import_def *im = &m->imports[i];
        char sig[64];
        switch (im->kind) {
        case WASM_EXTERN_FUNC: {
            const func_type *t = &m->types[im->u.type_index];
            if (t->nparams + t->nresults > 40 || t->nresults > 4)
                continue;
            fuzz_signature_of(t, sig, sizeof sig);
            wasm_linker_define_func(l, im->module, im->name, sig, fuzz_stub,
                                    (void *)(uintptr_t)t->nresults);
            break;
        }
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
}

#endif
