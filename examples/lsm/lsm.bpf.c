/* lsm.bpf.c: a BPF LSM hook that refuses to remove directories named
 * "can_not_rm".  Needs a kernel booted with the bpf LSM enabled. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define EPERM 1

SEC("lsm/path_rmdir")
int BPF_PROG(path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
    static const char protected_name[] = "can_not_rm";
    char name[sizeof(protected_name)];

    /* Since Linux 6.12 the verifier checks that an LSM program returns 0 or
     * -errno on every path, and it cannot prove that of a value it was
     * given: an earlier program's refusal is kept as -EPERM, not passed on */
    if (ret != 0)
        return -EPERM;
    if (bpf_probe_read_kernel_str(name, sizeof(name), dentry->d_name.name) != sizeof(name))
        return 0;
    for (unsigned i = 0; i < sizeof(name); i++)
        if (name[i] != protected_name[i])
            return 0;
    /* hidden from clang, which would otherwise compute "all equal ? -EPERM :
     * 0" as a negation, a value that verifier cannot bound */
    int refused = -EPERM;
    barrier_var(refused);
    return refused;
}
