/* wasm_dump: print the engine's compiled code of a module (a developer
 * tool: it reads the engine's internal header). */
#include <stdio.h>
#include <stdlib.h>

#include "../../src/wasm/internal.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: wasm_dump FILE.wasm\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        return 1;
    fclose(f);
    char err[512];
    wasm_module *m = wasm_module_load(buf, (size_t)n, NULL, err, sizeof err);
    if (!m) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    wasm_module_dump(m, stdout);
    int ok = module_code_check(m);
    wasm_module_free(m);
    free(buf);
    return ok ? 0 : 1;
}
