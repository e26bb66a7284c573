/* bad.bpf.c: an object the verifier rejects (a map value used without a
 * NULL check), for the load-failure messages. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1);
    __type(key, u32);
    __type(value, u64);
} wbt_bad_map SEC(".maps");

SEC("tp/syscalls/sys_enter_getppid")
int wbt_bad_prog(void *ctx)
{
    u32 key = 0;
    u64 *value = bpf_map_lookup_elem(&wbt_bad_map, &key);
    return *value != 0; /* no NULL check: rejected */
}

/* A type kept in BTF through a section of its own, as some guides do:
 * libbpf notes "skipping unrecognized data section", which must not
 * become the reason the load failed. */
struct wbt_bad_event {
    u64 value;
} wbt_bad_event_keep SEC(".types");
