/* wasm_dump: print the engine's compiled code of a module (a developer
 * tool: it reads the engine's internal header).
 *
 *   wasm_dump FILE.wasm            the internal code of every function
 *   wasm_dump --jit FILE.wasm OUT  the machine code (raw bytes to OUT) and
 *                                  each function's offset in it, for
 *                                  objdump -D -b binary -mi386:x86-64 OUT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/wasm/internal.h"
#include "../../src/wasm/jit.h"
#include "wasm_bpf_base.h"

static int dump_jit(wasm_module *m, const char *out)
{
    int r = wasm__jit_compile(m, NULL);
    if (r) {
        fprintf(stderr, "not compiled: %s\n", strerror(-r));
        return 1;
    }
    const jit_module *jm = m->jit;
    FILE *f = fopen(out, "wb");
    /* the executable pages as they are: the shared code, then the batch
     * (page-aligned; the padding between them is zeros) */
    if (!f || fwrite(jm->code, 1, jm->ready, f) != jm->ready || fclose(f)) {
        fprintf(stderr, "%s: cannot write\n", out);
        return 1;
    }
    uint32_t ndef = m->nfuncs - m->nfunc_imports;
    for (uint32_t i = 0; i < ndef; i++) {
        char name[128];
        const func_code *fc = &m->codes[i];
        if (fc->jit_code)
            printf("%#8zx %s\n", (size_t)((const uint8_t *)fc->jit_code - jm->code),
                   wasm__func_display_name(m, fc->func_index, name, sizeof name));
    }
    printf("%zu bytes of machine code in %zu bytes of pages\n", jm->code_bytes, jm->ready);
    return 0;
}

int main(int argc, char **argv)
{
    bool jit = argc == 4 && !strcmp(argv[1], "--jit");
    if (argc != 2 && !jit) {
        fprintf(stderr, "usage: wasm_dump FILE.wasm | wasm_dump --jit FILE.wasm OUT.bin\n");
        return 2;
    }
    const char *path = argv[jit ? 2 : 1];
    char *buf;
    size_t n;
    int rerr = base_read_file(path, SIZE_MAX - 1, &buf, &n);
    if (rerr) {
        fprintf(stderr, "%s: %s\n", path, strerror(-rerr));
        return 1;
    }
    char err[512];
    wasm_module *m = wasm_module_load((const uint8_t *)buf, n, err, sizeof err);
    free(buf);
    if (!m) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int ok;
    if (jit) {
        ok = dump_jit(m, argv[3]) == 0;
    } else {
        wasm__module_dump(m, stdout);
        ok = wasm__module_code_check(m);
    }
    wasm_module_free(m);
    return ok ? 0 : 1;
}
