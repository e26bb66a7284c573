/* datasec: gen_types_btf() on the sections of a BPF object, as the skeleton
 * generator would use it: libbpf opens the object (which fills in the
 * sections' sizes and variable offsets) and the named sections become
 * structs.
 *   datasec c|rust|wit OBJECT.bpf.o SECTION...   (the output on stdout) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* not a public header: gen_types_btf() is private to the generators (src/gen/gen_internal.h): the skeleton generator is its one user, tested here directly */
#include "gen_internal.h"

int main(int argc, char **argv)
{
    if (argc < 4 || gen_types_lang_from_name(argv[1]) < 0) {
        fprintf(stderr, "usage: datasec c|rust|wit OBJECT.bpf.o SECTION...\n");
        return 2;
    }
    struct bpf_object *obj = bpf_object__open_file(argv[2], NULL);
    if (!obj) {
        fprintf(stderr, "datasec: cannot open %s\n", argv[2]);
        return 1;
    }
    const struct btf *btf = bpf_object__btf(obj);
    int ids[16], n = 0;
    for (int i = 3; i < argc && n < 16; i++) {
        int id = btf__find_by_name_kind(btf, argv[i], BTF_KIND_DATASEC);
        if (id < 0) {
            fprintf(stderr, "datasec: no section %s in %s\n", argv[i], argv[2]);
            return 1;
        }
        ids[n++] = id;
    }
    char err[512];
    int ret = gen_types_btf(btf, ids, (size_t)n, gen_types_lang_from_name(argv[1]), "sections",
                            "sections", stdout, err, sizeof err);
    if (ret)
        fprintf(stderr, "datasec: %s\n", err);
    bpf_object__close(obj);
    return ret ? 1 : 0;
}
