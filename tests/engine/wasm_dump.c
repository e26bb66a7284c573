/* wasm_dump: print the engine's compiled code of a module (a developer
 * tool: it reads the engine's internal header). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/wasm/internal.h"
#include "wasm_bpf_base.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: wasm_dump FILE.wasm\n");
        return 2;
    }
    char *buf;
    size_t n;
    int rerr = base_read_file(argv[1], SIZE_MAX - 1, &buf, &n);
    if (rerr) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(-rerr));
        return 1;
    }
    char err[512];
    wasm_module *m = wasm_module_load((const uint8_t *)buf, n, err, sizeof err);
    if (!m) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    wasm__module_dump(m, stdout);
    int ok = wasm__module_code_check(m);
    wasm_module_free(m);
    free(buf);
    return ok ? 0 : 1;
}
