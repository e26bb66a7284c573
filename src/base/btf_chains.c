/* btf_chains.c: refuse BTF whose reference chains loop, before anything
 * walks it.  One check for both readers of untrusted BTF: the BPF host
 * interface (objects guests load) and the generators (objects and BTF
 * files given to `gen`).
 *
 * libbpf's BTF parser accepts a TYPEDEF or CONST that leads back to itself;
 * libbpf's own walks (skip_mods_and_typedefs, on every map definition while
 * opening an object) and any naive walk of ours would then never end.  A
 * compiler never writes such a chain, and the kernel rejects one ("Loop
 * detected").  One pass over the types, each link followed once: linear in
 * the BTF's size.
 *
 * Base uses no other part and does not walk libbpf's structures itself: the
 * caller hands the types over one id at a time, and only the kernel's UAPI
 * layout of a type (<linux/btf.h>) is read here. */
#include <errno.h>
#include <linux/btf.h>
#include <stdlib.h>

#include "wasm_bpf_base.h"

/* What each kind that continues a chain is called in messages; a kind not
 * here (integers, structs, unions, function prototypes, data sections ...)
 * ends a chain: walks into members know where they are and carry their own
 * bounds. */
static const char *const link_kind_names[] = {
    [BTF_KIND_PTR] = "pointer",         [BTF_KIND_TYPEDEF] = "typedef",
    [BTF_KIND_VOLATILE] = "volatile",   [BTF_KIND_CONST] = "const",
    [BTF_KIND_RESTRICT] = "restrict",   [BTF_KIND_TYPE_TAG] = "type tag",
    [BTF_KIND_VAR] = "variable",        [BTF_KIND_FUNC] = "function",
    [BTF_KIND_DECL_TAG] = "declaration tag", [BTF_KIND_ARRAY] = "array",
};

static unsigned kind_of(const struct btf_type *t)
{
    return BTF_INFO_KIND(t->info);
}

/* The type a reference type leads to, or 0 for a type that ends a chain. */
static uint32_t next_link(const struct btf_type *t)
{
    unsigned kind = kind_of(t);
    if (kind == BTF_KIND_ARRAY)
        return ((const struct btf_array *)(t + 1))->type;
    if (kind < sizeof link_kind_names / sizeof link_kind_names[0] && link_kind_names[kind])
        return t->type;
    return 0;
}

const char *base_btf_kind_name(const struct btf_type *t)
{
    unsigned kind = kind_of(t);
    if (kind < sizeof link_kind_names / sizeof link_kind_names[0] && link_kind_names[kind])
        return link_kind_names[kind];
    return "type";
}

int base_btf_check_chains(uint32_t first, uint32_t count, base_btf_type_fn type_by_id,
                          void *ctx, uint32_t *looping)
{
    /* 0: not reached yet, 1: on the chain being followed, 2: its chain ends */
    unsigned char *state = base_calloc(count ? count : 1, 1);
    if (!state)
        return -ENOMEM;
    int ret = 0;
    for (uint32_t start = first; start < count && !ret; start++) {
        uint32_t id = start;
        const struct btf_type *t;
        while (id >= first && id < count && !state[id] && (t = type_by_id(ctx, id)) &&
               next_link(t)) {
            state[id] = 1;
            id = next_link(t);
        }
        if (id >= first && id < count && state[id] == 1) {
            *looping = id;
            ret = -EINVAL;
        }
        for (id = start; id >= first && id < count && state[id] == 1;
             id = next_link(type_by_id(ctx, id)))
            state[id] = 2;
    }
    free(state);
    return ret;
}
