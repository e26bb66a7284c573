/* fuzz_perms.c: libFuzzer target for what a registry or a module provides
 * to the permissions code: the annotation's JSON (parse, then the
 * canonical text and the words of what parsed) and a module's bytes (the
 * scan of its data segments and embedded ELF objects).  The first byte
 * chooses.  make fuzz builds build-fuzz/perms_fuzz; run it with
 * -max_total_time=N CORPUS_DIR. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_bpf_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct wasm_bpf_permissions *p = NULL;
    char err[512];
    if (data[0] & 1)
        wasm_bpf_permissions_parse((const char *)data + 1, size - 1, &p, err, sizeof err);
    else
        wasm_bpf_permissions_scan(data + 1, size - 1, &p, err, sizeof err);
    if (p) {
        free(wasm_bpf_permissions_json(p));
        free(wasm_bpf_permissions_describe(p));
        static const char *const none[1];
        struct wasm_bpf_policy rules = {.prog_types = none, .helpers = none};
        wasm_bpf_permissions_check(p, &rules, err, sizeof err);
        wasm_bpf_permissions_free(p);
    }
    return 0;
}
