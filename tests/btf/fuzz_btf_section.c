/* fuzz_btf_section.c: libFuzzer target for a module's wasm-bpf.btf section
 * (docs/ABI.md section 8), which `run` reads from any module: the lookup
 * of a release in it, and, when found, the BTF's check through a memfd,
 * as `run` does.  make fuzz builds build-fuzz/btf_section_fuzz; run it
 * with -max_total_time=N CORPUS_DIR. */
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const void *btf;
    size_t len;
    char msg[512], path[64];
    if (wasm_bpf_btf_section_find(data, size, "6.1.0-18-amd64", &btf, &len, msg, sizeof msg) == 1) {
        int fd = wasm_bpf_btf_memfd(btf, len, path, sizeof path, msg, sizeof msg);
        if (fd >= 0)
            close(fd);
    }
    /* what build writes, read back */
    struct base_buf section = {0};
    if (size >= 24 && wasm_bpf_btf_section_add(&section, "6.1.0-18-amd64", data, size) == 0 &&
        wasm_bpf_btf_section_find(section.data, section.len, "6.1.0-18-amd64", &btf, &len, msg,
                                  sizeof msg) != 1)
        __builtin_trap();
    base_buf_free(&section);
    return 0;
}
