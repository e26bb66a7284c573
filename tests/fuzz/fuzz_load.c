/* libFuzzer target: decode + validate + compile arbitrary bytes.  Any
 * input must either load or fail with a message; nothing may crash, leak
 * or allocate out of proportion to the input. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wasm_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    errno = 0;
    wasm_module *m = wasm_module_load(data, size, err, sizeof err);
    if (!m && (errno == 0 || !err[0]))
        abort(); /* a failure must say why */
    wasm_module_free(m);
    return 0;
}
