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

    if (ret != 0)
        return ret;
    if (bpf_probe_read_kernel_str(name, sizeof(name), dentry->d_name.name) != sizeof(name))
        return 0;
    for (unsigned i = 0; i < sizeof(name); i++)
        if (name[i] != protected_name[i])
            return 0;
    return -EPERM;
}
