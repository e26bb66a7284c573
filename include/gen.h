/* gen.h: generators that turn a BPF object into guest source code.
 *
 * Two generators share this header: `gen skeleton` (the wasm skeleton a C
 * guest drives) and `gen types` (kernel structs laid out for a guest). */
#ifndef WASM_BPF_GEN_H
#define WASM_BPF_GEN_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* gen skeleton (src/gen/skeleton*.c)                                  */
/* ------------------------------------------------------------------ */

struct gen_skeleton_opts {
    /* The skeleton's name (struct NAME, NAME__open() ...).  NULL: derived
     * from the file name as bpftool does: "x.bpf.o" -> "x_bpf". */
    const char *name;
};

/* Write to `out` the wasm skeleton header of the BPF ELF object at `path`:
 * the embedded object, the map and program tables, the .rodata/.data/.bss
 * structures with the kernel's exact layout, and the offsets the C SDK
 * (sdk/c/libbpf-wasm.h) needs to patch global data before load.
 * Nothing is written unless the whole header could be produced.  Returns
 * 0, or -1 with the reason in err. */
int gen_skeleton(const char *path, const struct gen_skeleton_opts *opts, FILE *out,
                 char *err, size_t errlen);

/* The skeleton name bpftool derives from an object file name: its base name
 * without ".o", every character that cannot be in a C identifier replaced
 * by '_'. */
void gen_skeleton_name(const char *path, char *name, size_t size);

#ifdef __cplusplus
}
#endif
#endif
