/* gen_internal.h: what the generators share among themselves and with
 * their tests and fuzzers, but not with embedders (include/gen.h). */
#ifndef WASM_BPF_GEN_INTERNAL_H
#define WASM_BPF_GEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <bpf/btf.h>

#include "gen.h"

/* gen types for BTF already open, for other generators (the skeleton's
 * .rodata/.bss structs): `ids` are STRUCT, UNION, ENUM, ENUM64, TYPEDEF or
 * DATASEC type ids, generated in that order with what they contain.  A
 * DATASEC becomes a struct named after its section (.rodata: struct
 * rodata) with its variables as members at their offsets, so it needs the
 * offsets and size libbpf fills in when it opens an object (the BTF of
 * bpf_object__btf(), not of btf__parse_elf()).  `source` names the input in
 * comments and errors; `name` is the include guard / package base.
 * Returns 0, or -1 with the reason in err. */
int gen_types_btf(const struct btf *btf, const int *ids, size_t nids, enum gen_types_lang lang,
                  const char *source, const char *name, FILE *out, char *err, size_t errlen);

/* The same, with the C event printers of the struct and union roots when
 * `printers` (what `gen types` writes; the fuzzer's way in). */
int gen__types_btf(const struct btf *btf, const int *ids, size_t nids, enum gen_types_lang lang,
                   bool printers, const char *source, const char *name, FILE *out, char *err,
                   size_t errlen);

/* gen skeleton of an object already in memory; `path` names it in the
 * output and errors (and gives the skeleton's default name). */
int gen_skeleton_mem(const uint8_t *bytes, size_t size, const char *path,
                     const struct gen_skeleton_opts *opts, FILE *out, char *err, size_t errlen);

/* skeleton_args.c: the skeleton's NAME__args table and NAME__parse_args /
 * NAME__take_args for the `const volatile` globals of .rodata, whose BTF
 * DATASEC is `rodata` (NULL: none; `ident` is its member of the skeleton,
 * "rodata").  Returns 0. */
int gen__skeleton_args(FILE *out, const struct btf *btf, const struct btf_type *rodata,
                       const char *name, const char *ident);

/* A C string literal of any bytes, quotes included (BTF names and tags
 * may hold anything); in skeleton_args.c. */
void gen__c_string(FILE *out, const char *s);

/* 0, or -EINVAL with err naming a type (in `source`) whose chain of
 * qualifiers, typedefs, pointers, arrays, variables ... leads back to
 * itself; every walk of the BTF may then follow chains without a bound of
 * its own.  -ENOMEM if out of memory. */
int gen_btf_check_chains(const struct btf *btf, const char *source, char *err, size_t errlen);

#endif
