/* gen.h: the generators behind `wasm-bpf gen`: code a Wasm guest compiles,
 * derived from a BPF object's BTF.  Each generator has its own section. */
#ifndef WASM_BPF_GEN_H
#define WASM_BPF_GEN_H

/* Every name declared here is part of the library's interface (the rest of
 * libwasm-bpf.a is hidden: see the Makefile). */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdio.h>

/* ==== gen types: kernel structs laid out for 32-bit Wasm guests ==========
 *
 * A struct written by the kernel (or a BPF program: LP64, 8-byte pointers)
 * and read by a wasm32 guest must be laid out from BTF, not recompiled from
 * its C header: `long` and pointers shrink to 4 bytes on wasm32 and move
 * every later field.  gen types reads BTF through libbpf and emits, for C,
 * Rust or WIT, types whose every field has a fixed-width type at its BTF
 * offset, with explicit padding for every gap and the tail (details in
 * README.md, "Kernel types for guests").
 *
 * Which types: the ones named in `types`, or, when there are none, every
 * named struct, union, enum and typedef reachable from the object's global
 * variables and from the key and value types of its maps.  Everything they
 * contain by value comes along (pointers do not: they become 64-bit
 * integers). */

enum gen_types_lang {
    GEN_TYPES_C,    /* a self-contained header: packed structs, _Static_asserts */
    GEN_TYPES_RUST, /* #[repr(C, packed)] items for rustc >= 1.63 */
    GEN_TYPES_WIT,  /* a WIT package whose records match the canonical ABI */
};

/* What would fix a failure, for the caller to word in its own terms (the
 * library never names a caller's options). */
enum gen_hint {
    GEN_HINT_NONE,
    GEN_HINT_NAME_TYPES, /* nothing to start from: name the types to generate */
    GEN_HINT_BASE_BTF,   /* raw BTF that does not parse alone: split BTF needs its base */
};

struct gen_types_opts {
    enum gen_types_lang lang;
    const char *path;          /* BPF object (ELF with .BTF) or raw BTF file */
    const char *base_btf_path; /* base BTF for split BTF (kernel modules), or NULL */
    const char *const *types;  /* type names ("ev", "struct ev", "union u", "enum e") */
    size_t ntypes;             /* 0: the object's globals and maps decide */
    const char *name;          /* names the output: C include guard and WIT
                                  * package; NULL: derived from path */
    enum gen_hint *hint;       /* if not NULL: set to what would fix a failure */
};

/* Writes the types to `out`.  Returns 0, or -1 with a message naming the
 * file, type and member at fault in err (nothing useful is written then:
 * callers write to a temporary file and rename it on success).  Warnings
 * (e.g. a type name that matches several types) go to the print callback
 * (wasm_bpf_set_print()) at WASM_BPF_WARN. */
int gen_types(const struct gen_types_opts *opts, FILE *out, char *err, size_t errlen);

/* The language named by "c", "rust" or "wit"; -1 if none. */
int gen_types_lang_from_name(const char *name);

/* ==== end of gen types ==================================================== */

/* ==== gen skeleton: the wasm skeleton a C guest drives ====================
 *
 * The header `wasm-bpf gen skeleton` writes for a C guest (sdk/c/libbpf-wasm.h
 * drives it): the object's bytes, its map and program tables, the .rodata,
 * .data and .bss structures with the kernel's exact layout, and the offsets
 * needed to patch global data before load.  Its API is the one of the
 * original Wasm-bpf project's forked bpftool (NAME__open, __load, __attach,
 * __destroy, ->rodata ...), so guests written for it compile unchanged. */

struct gen_skeleton_opts {
    /* The skeleton's name (struct NAME, NAME__open() ...).  NULL: derived
     * from the file name as bpftool does: "x.bpf.o" -> "x_bpf". */
    const char *name;
    /* GEN_TYPES_C (the default): the C header.  GEN_TYPES_RUST: for a Rust
     * guest (the SDK crate's Object loads the object itself), only the
     * command-line flags of the `const volatile` globals: a table for
     * wasm_bpf_binding::args, with parse_args() and take_args(). */
    enum gen_types_lang lang;
};

/* Writes the skeleton of the BPF ELF object at `path` to `out`.  Nothing is
 * written unless the whole header could be produced.  Returns 0, or -1
 * with the reason in err. */
int gen_skeleton(const char *path, const struct gen_skeleton_opts *opts, FILE *out, char *err,
                 size_t errlen);

/* ==== end of gen skeleton ================================================= */

#pragma GCC visibility pop

#endif
