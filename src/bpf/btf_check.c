/* btf_check.c: refuse a guest's BPF object whose BTF reference chains
 * loop, or refer to types that do not exist, before libbpf walks it.
 *
 * libbpf's BTF parser accepts a TYPEDEF or CONST that leads back to itself,
 * and some of libbpf's own walks (skip_mods_and_typedefs, used on every
 * map definition) then never end: a guest could hang the runtime in its
 * load call.  The check is base's (base_btf_check_chains(), shared with the
 * generators); here the object's .BTF is found and the type named. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "internal.h"

static const struct btf_type *type_by_id(void *btf, uint32_t id)
{
    return btf__type_by_id(btf, id);
}

int wasm_bpf__btf_check_chains(const struct btf *btf, char *why, size_t whylen)
{
    uint32_t id = 0;
    int err = base_btf_check_chains(1, btf__type_cnt(btf), type_by_id, (void *)btf, &id);
    if (err == -EINVAL) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        const char *name = btf__name_by_offset(btf, t->name_off);
        snprintf(why, whylen, "its BTF is invalid: %s [%u]%s%s leads back to itself",
                 base_btf_kind_name(t), id, name && *name ? " " : "", name && *name ? name : "");
    }
    return err;
}

/* Every type id a type refers to names a type.  libbpf 1.1 (Debian 12)
 * does not check the ids of struct members, array elements, parameters
 * and the like, and dereferences the NULL it gets for a bad one while
 * reading a map definition: one changed byte in a guest's object crashed
 * the runtime in its load call. */
static int check_ids(const struct btf *btf, char *why, size_t whylen)
{
    uint32_t n = btf__type_cnt(btf);
    for (uint32_t id = 1; id < n; id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        uint32_t refs[2] = {0, 0};
        uint16_t vlen = btf_vlen(t);
        const struct btf_member *m = NULL;
        const struct btf_param *params = NULL;
        const struct btf_var_secinfo *vars = NULL;
        switch (btf_kind(t)) {
        case BTF_KIND_PTR:
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_FUNC:
        case BTF_KIND_VAR:
        case BTF_KIND_TYPE_TAG:
        case BTF_KIND_DECL_TAG: refs[0] = t->type; break;
        case BTF_KIND_ARRAY:
            refs[0] = btf_array(t)->type;
            refs[1] = btf_array(t)->index_type;
            break;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION: m = btf_members(t); break;
        case BTF_KIND_FUNC_PROTO:
            refs[0] = t->type;
            params = btf_params(t);
            break;
        case BTF_KIND_DATASEC: vars = btf_var_secinfos(t); break;
        default: break;
        }
        uint32_t bad = refs[0] >= n ? refs[0] : refs[1] >= n ? refs[1] : 0;
        for (uint16_t i = 0; !bad && i < vlen && (m || params || vars); i++) {
            uint32_t ref = m ? m[i].type : params ? params[i].type : vars[i].type;
            if (ref >= n)
                bad = ref;
        }
        if (bad) {
            const char *name = btf__name_by_offset(btf, t->name_off);
            snprintf(why, whylen,
                     "its BTF is invalid: %s [%u]%s%s refers to type %u, which does not exist",
                     base_btf_kind_name(t), id, name && *name ? " " : "", name && *name ? name : "",
                     bad);
            return -EINVAL;
        }
    }
    return 0;
}

int wasm_bpf__btf_check_object(const void *bytes, size_t len, char *why, size_t whylen)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return 0;
    Elf *elf = elf_memory((char *)bytes, len);
    if (!elf)
        return 0; /* not ELF: libbpf says so itself */
    int err = 0;
    Elf_Data *d = wasm_bpf__elf_section(elf, ".BTF");
    if (d && d->d_size <= UINT32_MAX) {
        struct btf *btf = btf__new(d->d_buf, (uint32_t)d->d_size);
        if (btf) { /* BTF libbpf cannot parse: it reports that itself */
            err = check_ids(btf, why, whylen);
            if (!err)
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
