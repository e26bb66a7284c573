/* btf_check.c: refuse BTF whose reference chains loop, before anything
 * walks it.
 *
 * libbpf's BTF parser accepts a TYPEDEF or CONST that leads back to itself;
 * libbpf's own walks (skip_mods_and_typedefs, on every map definition while
 * opening an object) and any naive walk of ours would then never end.  A
 * compiler never writes such a chain, and the kernel rejects one ("Loop
 * detected"), so the input is refused with the type named.  One pass over
 * the types, each link followed once: linear in the BTF's size.  (The BPF
 * host interface, src/bpf/btf_check.c, guards the objects guests load in
 * the same way: neither part may use the other.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "gen_internal.h"

/* The type a reference type leads to, or 0 for a type that ends a chain
 * (structs, unions, function prototypes and sections: walks into their
 * members know where they are and carry their own bounds). */
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

static const char *const link_kind_names[] = {
    [BTF_KIND_PTR] = "pointer",         [BTF_KIND_TYPEDEF] = "typedef",
    [BTF_KIND_VOLATILE] = "volatile",   [BTF_KIND_CONST] = "const",
    [BTF_KIND_RESTRICT] = "restrict",   [BTF_KIND_TYPE_TAG] = "type tag",
    [BTF_KIND_VAR] = "variable",        [BTF_KIND_FUNC] = "function",
    [BTF_KIND_DECL_TAG] = "declaration tag", [BTF_KIND_ARRAY] = "array",
};

int gen_btf_check_chains(const struct btf *btf, const char *source, char *err, size_t errlen)
{
    uint32_t n = btf__type_cnt(btf);
    uint32_t first = 1;
    const struct btf *base = btf__base_btf(btf);
    if (base)
        first = btf__type_cnt(base);   /* split BTF: the base was checked on its own */
    /* 0: not reached yet, 1: on the chain being followed, 2: its chain ends */
    unsigned char *state = calloc(n ? n : 1, 1);
    if (!state) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int ret = 0;
    for (uint32_t start = first; start < n && !ret; start++) {
        uint32_t id = start;
        const struct btf_type *t;
        while (id >= first && id < n && !state[id] && (t = btf__type_by_id(btf, id)) && next_link(t)) {
            state[id] = 1;
            id = next_link(t);
        }
        if (id >= first && id < n && state[id] == 1) {
            t = btf__type_by_id(btf, id);
            const char *name = btf__name_by_offset(btf, t->name_off);
            snprintf(err, errlen, "%s: invalid BTF: %s [%u]%s%s leads back to itself", source,
                     link_kind_names[btf_kind(t)], id, name && *name ? " " : "",
                     name && *name ? name : "");
            ret = -EINVAL;
        }
        for (id = start; id >= first && id < n && state[id] == 1;
             id = next_link(btf__type_by_id(btf, id)))
            state[id] = 2;
    }
    free(state);
    return ret;
}
