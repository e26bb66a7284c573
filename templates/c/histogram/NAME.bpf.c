/* @NAME@.bpf.c: the kernel side of @NAME@: a log2 histogram of the sizes
 * read(2) returns, kept in a map the guest reads.
 *
 * Where to change what:
 *   - what is measured: the SEC("tp/...") program below and the value it
 *     puts into a slot (any tracepoint; a latency would subtract two
 *     bpf_ktime_get_ns() readings);
 *   - the histogram: struct hist (the guest gets the same struct, laid out
 *     for wasm32, in the types `wasm-bpf build` generates);
 *   - a setting chosen on the command line: a `const volatile` global such
 *     as target_pid becomes the flag --target-pid (WASM_BPF_DESCRIPTION
 *     gives its --help text); the guest sets it before load. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "wasm-bpf-bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_SLOTS 32

struct hist {
    unsigned long long slots[MAX_SLOTS];
};

/* one histogram, at key 0 */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, u32);
    __type(value, struct hist);
} hists SEC(".maps");

const volatile int target_pid WASM_BPF_DESCRIPTION("only this process (0: every process)") = 0;

static __always_inline u32 log2_slot(u64 v)
{
    u32 slot = 0;
    for (int i = 0; i < MAX_SLOTS - 1 && v > 1; i++) {
        v >>= 1;
        slot++;
    }
    return slot;
}

SEC("tp/syscalls/sys_exit_read")
int handle_read(struct trace_event_raw_sys_exit *ctx)
{
    int pid = bpf_get_current_pid_tgid() >> 32;
    if ((target_pid && pid != target_pid) || ctx->ret <= 0)
        return 0;
    u32 key = 0;
    struct hist *h = bpf_map_lookup_elem(&hists, &key);
    if (!h)
        return 0;
    u32 slot = log2_slot(ctx->ret);
    if (slot < MAX_SLOTS)
        __sync_fetch_and_add(&h->slots[slot], 1);
    return 0;
}
