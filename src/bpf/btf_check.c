/* btf_check.c: refuse BTF whose reference chains loop, before libbpf
 * walks it.
 *
 * libbpf's BTF parser accepts a TYPEDEF or CONST that leads back to itself,
 * and some of libbpf's own walks (skip_mods_and_typedefs, used on every
 * map definition) then never end: a guest could hang the runtime in its
 * load call.  A compiler never writes such a chain (and the kernel rejects
 * one: "Loop detected"), so the object is refused with the type named.
 * One pass over the types, each followed once: linear in the BTF's size. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "internal.h"

/* The type a reference type leads to, or 0 for one that ends a chain
 * (structs, unions, function prototypes and data sections end it: their
 * members are reached by walks that know where they are). */
static uint32_t next_link(const struct btf_type *t)
{
    switch (btf_kind(t)) {
    case BTF_KIND_PTR:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
    case BTF_KIND_VAR:
    case BTF_KIND_FUNC:
    case BTF_KIND_DECL_TAG:
        return t->type;
    case BTF_KIND_ARRAY:
        return btf_array(t)->type;
    default:
        return 0;
    }
}

static const char *kind_name(const struct btf_type *t)
{
    switch (btf_kind(t)) {
    case BTF_KIND_PTR: return "pointer";
    case BTF_KIND_TYPEDEF: return "typedef";
    case BTF_KIND_VOLATILE: return "volatile";
    case BTF_KIND_CONST: return "const";
    case BTF_KIND_RESTRICT: return "restrict";
    case BTF_KIND_TYPE_TAG: return "type tag";
    case BTF_KIND_VAR: return "variable";
    case BTF_KIND_FUNC: return "function";
    case BTF_KIND_DECL_TAG: return "declaration tag";
    case BTF_KIND_ARRAY: return "array";
    default: return "type";
    }
}

int wasm_bpf__btf_check_chains(const struct btf *btf, char *why, size_t whylen)
{
    uint32_t n = btf__type_cnt(btf);
    /* 0: not reached yet, 1: on the chain being followed, 2: its chain ends */
    unsigned char *state = calloc(n ? n : 1, 1);
    if (!state)
        return -ENOMEM;
    int err = 0;
    for (uint32_t start = 1; start < n && !err; start++) {
        uint32_t id = start;
        const struct btf_type *t;
        while (id && id < n && !state[id] && (t = btf__type_by_id(btf, id)) && next_link(t)) {
            state[id] = 1;
            id = next_link(t);
        }
        if (id && id < n && state[id] == 1) {
            t = btf__type_by_id(btf, id);
            const char *name = btf__name_by_offset(btf, t->name_off);
            snprintf(why, whylen, "its BTF is invalid: %s [%u]%s%s leads back to itself",
                     kind_name(t), id, name && *name ? " " : "", name && *name ? name : "");
            err = -EINVAL;
        }
        for (id = start; id && id < n && state[id] == 1; id = next_link(btf__type_by_id(btf, id)))
            state[id] = 2;
    }
    free(state);
    return err;
}

int wasm_bpf__btf_check_object(const void *bytes, size_t len, char *why, size_t whylen)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return 0;
    Elf *elf = elf_memory((char *)bytes, len);
    if (!elf)
        return 0;   /* not ELF: libbpf says so itself */
    int err = 0;
    Elf_Data *d = wasm_bpf__elf_section(elf, ".BTF");
    if (d && d->d_size <= UINT32_MAX) {
        struct btf *btf = btf__new(d->d_buf, (uint32_t)d->d_size);
        if (btf) {  /* BTF libbpf cannot parse: it reports that itself */
            err = wasm_bpf__btf_check_chains(btf, why, whylen);
            btf__free(btf);
        }
    }
    elf_end(elf);
    return err;
}

Elf_Data *wasm_bpf__elf_section(Elf *elf, const char *wanted)
{
    size_t shstrndx;
    Elf_Scn *scn = NULL;
    if (elf_getshdrstrndx(elf, &shstrndx))
        return NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        const char *name;
        if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
            strcmp(name, wanted))
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        return d && d->d_buf ? d : NULL;
    }
    return NULL;
}
