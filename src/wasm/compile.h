/* compile.h: validation and translation of function bodies (compile.c). */
#ifndef WASM_COMPILE_H
#define WASM_COMPILE_H

#include "internal.h"

typedef struct compiler compiler;

/* module_size: the bytes of the module, which bound how much code it may
 * compile to (LIMIT_CODE_WORDS_PER_BYTE). */
compiler *wasm__compiler_new(wasm_module *m, size_t module_size);
/* Validate body [start, end) of bytes and append its code.  On failure
 * fills err and returns false. */
bool wasm__compiler_run(compiler *c, func_code *fc, const uint8_t *bytes, size_t start, size_t end,
                        compile_error *err);
/* Hand the code arena to the module and resolve every function's code
 * pointer.  Returns false when out of memory. */
bool wasm__compiler_finish(compiler *c);
void wasm__compiler_free(compiler *c);
/* Is this a single-byte opcode (or prefix) of Wasm 2.0 without SIMD? */
bool wasm__opcode_exists(uint8_t op);

#endif
