/* tracer.bpf.c: the declared object of the permissions tests: one
 * tracepoint program and one hash map, no helper of concern. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, u32);
    __type(value, u64);
} wbp_counts SEC(".maps");

SEC("tp/syscalls/sys_enter_getppid")
int wbp_tracer(void *ctx)
{
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    u64 one = 1;
    bpf_map_update_elem(&wbp_counts, &pid, &one, BPF_ANY);
    return 0;
}
