/* embed.c: an embedder of libwasm-bpf built by tests/install against the
 * installed headers and library only (pkg-config libwasm-bpf): every
 * public header included, a module run by the engine, the BPF host
 * interface linked into a linker (which pulls in libbpf).
 *   embed MODULE.wasm A B   prints "add(A, B) = A+B" */
#include <stdio.h>
#include <stdlib.h>

#include "gen.h"
#include "oci.h"
#include "oci_trust.h"
#include "wasi.h"
#include "wasi_errno.h"
#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"
#include "wasm_engine.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: embed MODULE.wasm A B\n");
        return 2;
    }
    static uint8_t bytes[1 << 16];
    FILE *f = fopen(argv[1], "rb");
    size_t len = f ? fread(bytes, 1, sizeof bytes, f) : 0;
    if (f)
        fclose(f);
    char err[256] = "";
    wasm_module *mod = len ? wasm_module_load(bytes, len, err, sizeof err) : NULL;
    wasm_runtime *rt = mod ? wasm_runtime_new(NULL) : NULL;
    wasm_linker *linker = rt ? wasm_linker_new() : NULL;
    wasm_bpf_host *host = linker ? wasm_bpf_host_new(NULL) : NULL;
    if (!host || wasm_bpf_host_define(host, linker)) {
        fprintf(stderr, "embed: %s: %s\n", argv[1], err[0] ? err : "setup failed");
        return 1;
    }
    wasm_instance *inst = wasm_instantiate(rt, mod, linker, err, sizeof err);
    wasm_func *add = inst ? wasm_instance_func(inst, "add") : NULL;
    wasm_value args[2] = {{.i32 = atoi(argv[2])}, {.i32 = atoi(argv[3])}}, result[1];
    if (!add || wasm_call(rt, add, args, result) != WASM_OK) {
        fprintf(stderr, "embed: no add: %s\n", err);
        return 1;
    }
    printf("add(%d, %d) = %d\n", args[0].i32, args[1].i32, result[0].i32);
    wasm_bpf_host_free(host);
    wasm_linker_free(linker);
    wasm_runtime_free(rt);
    wasm_module_free(mod);
    return 0;
}
