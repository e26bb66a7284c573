/* wasm-bpf-bpf.h: for the BPF side (the .bpf.c) of a wasm-bpf tool.
 *
 * WASM_BPF_DESCRIPTION("TEXT") after a `const volatile` global gives the
 * flag that `wasm-bpf gen skeleton` makes of it (NAME__parse_args(), see
 * wasm-bpf-args.h) its --help text.  It is a BTF declaration tag
 * ("description:TEXT"): nothing in the program's code or data changes.
 *
 *     const volatile __u64 min_duration_ns
 *         WASM_BPF_DESCRIPTION("only exits of processes older than this (ns)") = 0;
 *
 * Compilers without declaration tags (clang before 14, gcc) get nothing. */
#ifndef WASM_BPF_BPF_H
#define WASM_BPF_BPF_H

#if defined(__has_attribute)
#if __has_attribute(btf_decl_tag)
#define WASM_BPF_DESCRIPTION(text) __attribute__((btf_decl_tag("description:" text)))
#endif
#endif
#ifndef WASM_BPF_DESCRIPTION
#define WASM_BPF_DESCRIPTION(text)
#endif

#endif /* WASM_BPF_BPF_H */
