/* libFuzzer target: gen types on arbitrary raw BTF.  Every struct, union,
 * enum and typedef (up to 64) is a root; each language is emitted.  Must
 * never crash, leak or run away, whatever the bytes.
 *   make fuzz && build-fuzz/fuzz_gen_types [CORPUS_DIR]
 * (the gen-types suite's raw BTF files make a good seed corpus). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* not a public header: gen_types_btf() is private to the generators: the fuzzer feeds it BTF without an object around it */
#include "gen_internal.h"
#include "wasm_bpf_base.h"

static void quiet(void *ctx, int level, const char *fmt, va_list ap)
{
    (void)ctx, (void)level, (void)fmt, (void)ap;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    base_libbpf_capture(quiet, NULL); /* libbpf says nothing */
    struct btf *btf = btf__new(data, (__u32)size);
    if (!btf)
        return 0;
    int ids[64], n = 0;
    for (__u32 id = 1; id < btf__type_cnt(btf) && n < 64; id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        if (btf_is_composite(t) || btf_is_any_enum(t) || btf_is_typedef(t))
            ids[n++] = (int)id;
    }
    char err[256];
    for (int lang = GEN_TYPES_C; lang <= GEN_TYPES_WIT; lang++) {
        FILE *out = fopen("/dev/null", "w");
        if (!out)
            break;
        gen__types_btf(btf, ids, (size_t)n, (enum gen_types_lang)lang, true, "fuzz", "fuzz", out,
                       err, sizeof err);
        fclose(out);
    }
    btf__free(btf);
    return 0;
}
