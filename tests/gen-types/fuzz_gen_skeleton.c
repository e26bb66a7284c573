/* libFuzzer target: gen skeleton on arbitrary bytes taken as a BPF object
 * (ELF parsing, libbpf's open, the section structs through gen types).
 * Must never crash, leak or run away, whatever the bytes.
 *   make fuzz && build-fuzz/fuzz_gen_skeleton [CORPUS_DIR]
 * (the *.bpf.o files of the build tree make a good seed corpus). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

/* not a public header: gen_skeleton_mem() lets the fuzzer skip the file */
#include "gen_internal.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    (void)level, (void)fmt, (void)ap;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    libbpf_set_print(quiet);
    char err[512];
    FILE *out = fopen("/dev/null", "w");
    if (!out)
        return 0;
    struct gen_skeleton_opts opts = {.name = "fuzz"};
    gen_skeleton_mem(data, size, "fuzz.bpf.o", &opts, out, err, sizeof err);
    fclose(out);
    return 0;
}
