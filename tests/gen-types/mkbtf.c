/* mkbtf: writes the raw BTF files the gen-types suite needs and clang 14
 * cannot produce, with libbpf's BTF writer:
 *   mkbtf DIR   ->  DIR/synthetic.btf   the types of fixtures/synthetic.h
 *                   DIR/bigendian.btf   a big-endian BTF
 *                   DIR/bad.btf         types gen types must refuse, one each
 *                   DIR/split.btf       split BTF on top of synthetic.btf (as a
 *                                       kernel module's is on vmlinux)
 *                   DIR/cycle.btf       typedefs and qualifiers that lead back
 *                                       to themselves (libbpf accepts them)
 *   mkbtf --cycle IN.o OUT.o VAR
 *               ->  OUT.o: IN.o whose variable VAR's chain of qualifiers and
 *                   typedefs leads back to its start (the last link points at
 *                   the first), everything else byte for byte the same
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <gelf.h>
#include <libelf.h>

#include "fixtures/synthetic.h"

#define CHECK(x)                                                                  \
    do {                                                                          \
        if ((x) < 0) {                                                            \
            fprintf(stderr, "mkbtf: %s:%d: %s failed\n", __FILE__, __LINE__, #x); \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

static int id(int x)
{
    CHECK(x);
    return x;
}

static void save(struct btf *btf, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    __u32 size;
    const void *data = btf__raw_data(btf, &size);
    FILE *f = fopen(path, "wb");
    if (!data || !f || fwrite(data, 1, size, f) != size || fclose(f)) {
        fprintf(stderr, "mkbtf: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    btf__free(btf);
}

#define OFF(member) (8 * offsetof(struct syn, member))

static void synthetic(const char *dir)
{
    struct btf *b = btf__new_empty();
    int int_id = id(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
    int uint_id = id(btf__add_int(b, "unsigned int", 4, 0));
    int llong = id(btf__add_int(b, "long long", 8, BTF_INT_SIGNED));
    int ulong = id(btf__add_int(b, "unsigned long", 8, 0));
    int ushort = id(btf__add_int(b, "unsigned short", 2, 0));
    int u128 = id(btf__add_int(b, "unsigned __int128", 16, 0));
    int boolean = id(btf__add_int(b, "_Bool", 1, BTF_INT_BOOL));
    int half = id(btf__add_float(b, "_Float16", 2));
    int quad = id(btf__add_float(b, "long double", 16));

    int e64s = id(btf__add_enum64(b, "syn_e64s", 8, true));
    CHECK(btf__add_enum64_value(b, "SYN_E64S_NEG", (__u64)SYN_E64S_NEG));
    CHECK(btf__add_enum64_value(b, "SYN_E64S_MIN", (__u64)SYN_E64S_MIN));
    CHECK(btf__add_enum64_value(b, "SYN_E64S_BIG", (__u64)SYN_E64S_BIG));
    int e64u = id(btf__add_enum64(b, "syn_e64u", 8, false));
    CHECK(btf__add_enum64_value(b, "SYN_E64U_HIGH", SYN_E64U_HIGH));
    CHECK(btf__add_enum64_value(b, "SYN_E64U_ONE", SYN_E64U_ONE));
    /* a negative value makes libbpf mark an ENUM signed */
    int e8s = id(btf__add_enum(b, "syn_e8s", 1));
    CHECK(btf__add_enum_value(b, "SYN_E8S_M1", SYN_E8S_M1));
    CHECK(btf__add_enum_value(b, "SYN_E8S_P1", SYN_E8S_P1));
    int e16s = id(btf__add_enum(b, "syn_e16s", 2));
    CHECK(btf__add_enum_value(b, "SYN_E16S_LOW", SYN_E16S_LOW));
    int e32s = id(btf__add_enum(b, "syn_e32s", 4));
    CHECK(btf__add_enum_value(b, "SYN_E32S_MIN", SYN_E32S_MIN));
    CHECK(btf__add_enum_value(b, "SYN_E32S_MAX", SYN_E32S_MAX));
    int ebool = id(btf__add_enum(b, "syn_bool", 4));
    CHECK(btf__add_enum_value(b, "false", SYN_FALSE));
    CHECK(btf__add_enum_value(b, "true", SYN_TRUE));

    int bool_t = id(btf__add_typedef(b, "bool", boolean));
    int size_t_ = id(btf__add_typedef(b, "size_t", ulong));
    int u32_t = id(btf__add_typedef(b, "u32", uint_id));
    int s64_t = id(btf__add_typedef(b, "s64", llong));
    int idx = id(btf__add_int(b, "__ARRAY_SIZE_TYPE__", 4, 0));
    int flex = id(btf__add_array(b, idx, s64_t, 0));

    int dup_a = id(btf__add_struct(b, "dup", sizeof(struct syn_dup_a)));
    CHECK(btf__add_field(b, "a", int_id, 8 * offsetof(struct syn_dup_a, a), 0));
    int dup_b = id(btf__add_struct(b, "dup", sizeof(struct syn_dup_b)));
    CHECK(btf__add_field(b, "b", llong, 8 * offsetof(struct syn_dup_b, b), 0));
    CHECK(btf__add_field(b, "c", int_id, 8 * offsetof(struct syn_dup_b, c), 0));
    int kw = id(btf__add_struct(b, "type", sizeof(struct syn_kw)));
    CHECK(btf__add_field(b, "x", int_id, 8 * offsetof(struct syn_kw, x), 0));
    int prim = id(btf__add_struct(b, "u8", sizeof(struct syn_prim)));
    CHECK(btf__add_field(b, "v", ushort, 8 * offsetof(struct syn_prim, v), 0));

    /* the bitfields follow u128 in one 32-bit unit: ba bits 0-4, bb 5-11, bc 12-31 */
    size_t bits = 8 * (offsetof(struct syn, u128) + sizeof(unsigned __int128));
    CHECK(btf__add_struct(b, "syn", sizeof(struct syn)));
    CHECK(btf__add_field(b, "e64s", e64s, OFF(e64s), 0));
    CHECK(btf__add_field(b, "e64u", e64u, OFF(e64u), 0));
    CHECK(btf__add_field(b, "e8s", e8s, OFF(e8s), 0));
    CHECK(btf__add_field(b, "e16s", e16s, OFF(e16s), 0));
    CHECK(btf__add_field(b, "e32s", e32s, OFF(e32s), 0));
    CHECK(btf__add_field(b, "half", half, OFF(half), 0));
    CHECK(btf__add_field(b, "quad", quad, OFF(quad), 0));
    CHECK(btf__add_field(b, "u128", u128, OFF(u128), 0));
    CHECK(btf__add_field(b, "ba", e32s, bits, 5));
    CHECK(btf__add_field(b, "bb", int_id, bits + 5, 7));
    CHECK(btf__add_field(b, "bc", uint_id, bits + 12, 20));
    CHECK(btf__add_field(b, "type", int_id, OFF(type), 0));
    CHECK(btf__add_field(b, "fn", int_id, OFF(fn), 0));
    CHECK(btf__add_field(b, "__pad0", int_id, OFF(__pad0), 0));
    CHECK(btf__add_field(b, "pad_0", int_id, OFF(pad_0), 0));
    CHECK(btf__add_field(b, "d1", dup_a, OFF(d1), 0));
    CHECK(btf__add_field(b, "d2", dup_b, OFF(d2), 0));
    CHECK(btf__add_field(b, "kw", kw, OFF(kw), 0));
    CHECK(btf__add_field(b, "prim", prim, OFF(prim), 0));
    CHECK(btf__add_field(b, "truth", bool_t, OFF(truth), 0));
    CHECK(btf__add_field(b, "sz", size_t_, OFF(sz), 0));
    CHECK(btf__add_field(b, "u", u32_t, OFF(u), 0));
    CHECK(btf__add_field(b, "tf", ebool, OFF(tf), 0));
    CHECK(btf__add_field(b, "tail", flex, OFF(tail), 0));
    save(b, dir, "synthetic.btf");
}

static void bigendian(const char *dir)
{
    struct btf *b = btf__new_empty();
    int int_id = id(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
    CHECK(btf__add_struct(b, "be", 4));
    CHECK(btf__add_field(b, "x", int_id, 0, 0));
    CHECK(btf__set_endianness(b, BTF_BIG_ENDIAN));
    save(b, dir, "bigendian.btf");
}

/* One type per way BTF can describe a layout that no C type has. */
static void bad(const char *dir)
{
    struct btf *b = btf__new_empty();
    int int_id = id(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
    int i128 = id(btf__add_int(b, "__int128", 16, BTF_INT_SIGNED));

    CHECK(btf__add_struct(b, "bad_overlap", 8));
    CHECK(btf__add_field(b, "a", int_id, 0, 0));
    CHECK(btf__add_field(b, "b", int_id, 16, 0));

    CHECK(btf__add_struct(b, "bad_past_end", 8));
    CHECK(btf__add_field(b, "a", int_id, 0, 0));
    CHECK(btf__add_field(b, "far", int_id, 48, 0));

    int opaque = id(btf__add_fwd(b, "opaque", BTF_FWD_STRUCT));
    CHECK(btf__add_struct(b, "bad_fwd", 8));
    CHECK(btf__add_field(b, "o", opaque, 0, 0));

    int self = id(btf__add_struct(b, "bad_self", 8));
    CHECK(btf__add_field(b, "me", self, 0, 0));

    /* libbpf's writer refuses a union member off 0; write a struct and
     * turn it into a union afterwards */
    int un = id(btf__add_struct(b, "bad_union", 8));
    CHECK(btf__add_field(b, "a", int_id, 32, 0));
    struct btf_type *ut = (struct btf_type *)btf__type_by_id(b, (__u32)un);
    ut->info = ((__u32)BTF_KIND_UNION << 24) | btf_vlen(ut);

    CHECK(btf__add_struct(b, "bad_wide_bits", 16));
    CHECK(btf__add_field(b, "w", i128, 0, 100));

    CHECK(btf__add_struct(b, "bad_void", 8));
    CHECK(btf__add_field(b, "v", 0, 0, 0));
    save(b, dir, "bad.btf");
}

static void split(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/synthetic.btf", dir);
    struct btf *base = btf__parse_raw(path);
    if (!base) {
        fprintf(stderr, "mkbtf: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    struct btf *b = btf__new_empty_split(base);
    int dup = btf__find_by_name_kind(base, "dup", BTF_KIND_STRUCT); /* the first one */
    int llong = btf__find_by_name_kind(base, "long long", BTF_KIND_INT);
    CHECK(dup);
    CHECK(llong);
    CHECK(btf__add_struct(b, "split_ev", 16));
    CHECK(btf__add_field(b, "when", llong, 0, 0));
    CHECK(btf__add_field(b, "d", dup, 64, 0));
    save(b, dir, "split.btf");
    btf__free(base);
}

/* Reference cycles: a typedef naming itself, a CONST -> VOLATILE ->
 * TYPEDEF loop, and the structs and variables that use them (so that
 * every way in, by --type and by the globals, meets one). */
static void cycle(const char *dir)
{
    struct btf *b = btf__new_empty();
    int int_id = id(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
    /* ids are known in advance: libbpf's writer takes forward references */
    int self = id(btf__add_typedef(b, "cyc_self", btf__type_cnt(b)));
    int loop_const = (int)btf__type_cnt(b);
    CHECK(btf__add_const(b, loop_const + 1));
    CHECK(btf__add_volatile(b, loop_const + 2));
    int loop = id(btf__add_typedef(b, "cyc_loop", loop_const));
    CHECK(btf__add_struct(b, "cyc_user", 8));
    CHECK(btf__add_field(b, "ok", int_id, 0, 0));
    CHECK(btf__add_field(b, "looped", loop, 32, 0));
    int self_var = id(btf__add_var(b, "cyc_self_var", BTF_VAR_GLOBAL_ALLOCATED, self));
    int const_var = id(btf__add_var(b, "cyc_const_var", BTF_VAR_GLOBAL_ALLOCATED, loop_const));
    CHECK(btf__add_datasec(b, ".bss", 8));
    CHECK(btf__add_datasec_var_info(b, self_var, 0, 4));
    CHECK(btf__add_datasec_var_info(b, const_var, 4, 4));
    save(b, dir, "cycle.btf");
}

/* mkbtf --cycle IN.o OUT.o VAR: patch the .BTF section of a compiled
 * object in place, so that the object is otherwise what clang wrote. */
static int cycle_object(const char *in, const char *out, const char *var_name)
{
    FILE *f = fopen(in, "rb");
    if (!f) {
        fprintf(stderr, "mkbtf: %s: %s\n", in, strerror(errno));
        return 1;
    }
    static unsigned char bytes[16 << 20];
    size_t size = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return 1;
    Elf *elf = elf_memory((char *)bytes, size);
    size_t shstrndx;
    if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
        fprintf(stderr, "mkbtf: %s: not an ELF object\n", in);
        return 1;
    }
    GElf_Shdr sh = {0};
    bool found = false;
    for (Elf_Scn *scn = NULL; !found && (scn = elf_nextscn(elf, scn));) {
        const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
        found = name && !strcmp(name, ".BTF");
    }
    elf_end(elf);
    if (!found || sh.sh_offset + sh.sh_size > size) {
        fprintf(stderr, "mkbtf: %s has no .BTF section\n", in);
        return 1;
    }
    unsigned char *raw = bytes + sh.sh_offset;
    struct btf *btf = btf__new(raw, (__u32)sh.sh_size);
    int var = btf ? btf__find_by_name_kind(btf, var_name, BTF_KIND_VAR) : -1;
    if (var < 0) {
        fprintf(stderr, "mkbtf: %s has no variable '%s' in its BTF\n", in, var_name);
        return 1;
    }
    __u32 first = btf__type_by_id(btf, (__u32)var)->type, last = 0;
    for (__u32 at = first;;) {
        const struct btf_type *t = btf__type_by_id(btf, at);
        if (!t || !(btf_is_mod(t) || btf_is_typedef(t)))
            break;
        last = at;
        at = t->type;
    }
    if (!last) {
        fprintf(stderr, "mkbtf: the type of '%s' is not a qualifier or typedef\n", var_name);
        return 1;
    }
    /* btf__new keeps the section's layout: the same type lies at the same
     * place in the file's bytes */
    __u32 raw_size;
    const unsigned char *copy = btf__raw_data(btf, &raw_size);
    const unsigned char *t = (const unsigned char *)btf__type_by_id(btf, last);
    size_t at = (size_t)(t - copy) + offsetof(struct btf_type, type);
    __u32 to = first;
    memcpy(raw + at, &to, sizeof to);
    btf__free(btf);
    f = fopen(out, "wb");
    if (!f || fwrite(bytes, 1, size, f) != size || fclose(f)) {
        fprintf(stderr, "mkbtf: %s: %s\n", out, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "--cycle"))
        return cycle_object(argv[2], argv[3], argv[4]);
    if (argc != 2) {
        fprintf(stderr, "usage: mkbtf DIR | mkbtf --cycle IN.o OUT.o VAR\n");
        return 2;
    }
    synthetic(argv[1]);
    bigendian(argv[1]);
    bad(argv[1]);
    split(argv[1]);
    cycle(argv[1]);
    return 0;
}
