/* btf_check.c: refuse BTF whose reference chains loop, before anything in
 * the generators walks it.  The check itself is base's
 * (base_btf_check_chains(), shared with the BPF host interface); this file
 * only names the input and the type at fault. */
#include <errno.h>
#include <stdio.h>

#include "gen_internal.h"
#include "wasm_bpf_base.h"

static const struct btf_type *type_by_id(void *btf, uint32_t id)
{
    return btf__type_by_id(btf, id);
}

int gen_btf_check_chains(const struct btf *btf, const char *source, char *err, size_t errlen)
{
    const struct btf *base = btf__base_btf(btf);
    uint32_t first = base ? btf__type_cnt(base) : 1;  /* split BTF: the base is checked alone */
    uint32_t id = 0;
    int ret = base_btf_check_chains(first, btf__type_cnt(btf), type_by_id, (void *)btf, &id);
    if (ret == -ENOMEM) {
        snprintf(err, errlen, "out of memory");
    } else if (ret) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        const char *name = btf__name_by_offset(btf, t->name_off);
        snprintf(err, errlen, "%s: invalid BTF: %s [%u]%s%s leads back to itself", source,
                 base_btf_kind_name(t), id, name && *name ? " " : "", name && *name ? name : "");
    }
    return ret;
}
