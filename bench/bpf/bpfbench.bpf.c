/* bpfbench.bpf.c: the kernel side of the ring buffer and map benchmarks.
 * A uprobe on the trigger binary's wasm_bpf_test_trigger(n, tag) writes n
 * records into the ring buffer in one go (bpf_loop), so the consumer finds
 * them all waiting; `bench_array` is looked up from user space. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct bench_record {
    unsigned long long seq;
    unsigned long long tag;
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 << 20);
} bench_ring SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16);
    __type(key, u32);
    __type(value, u64);
} bench_array SEC(".maps");

struct emit_ctx {
    unsigned tag;
    unsigned dropped;
};

static long emit(u32 i, struct emit_ctx *c)
{
    struct bench_record r = {.seq = i, .tag = c->tag};
    if (bpf_ringbuf_output(&bench_ring, &r, sizeof(r), 0))
        c->dropped++;
    return 0;
}

SEC("uprobe")
int BPF_KPROBE(bench_trigger, int n, unsigned tag)
{
    struct emit_ctx c = {.tag = tag};
    bpf_loop(n, emit, &c, 0);
    u32 key = 1;
    u64 *dropped = bpf_map_lookup_elem(&bench_array, &key);
    if (dropped)
        __sync_fetch_and_add(dropped, c.dropped);
    return 0;
}
