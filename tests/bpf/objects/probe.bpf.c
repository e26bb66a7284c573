/* probe.bpf.c: the BPF object of the host interface tests.
 *
 * A uprobe on the test driver's function wasm_bpf_test_trigger(n, tag)
 * emits n records into each of two ring buffers and n samples into a
 * perf event array, so a test decides exactly how many records arrive.
 * Maps of every shape the host must size correctly: hash, per-CPU array,
 * queue (no key), and global data in .rodata, .data and .bss. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "wasm-bpf-regs.h" /* the same object on x86-64 and arm64 (make test-kernels) */

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct record {
    unsigned tag; /* the trigger's tag */
    unsigned seq; /* 0 .. n-1 */
    unsigned long long pad[2];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 20);
} wbt_rb1 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 20);
} wbt_rb2 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(u32));
    __uint(value_size, sizeof(u32));
} wbt_pb SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, u32);
    __type(value, u64);
} wbt_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4);
    __type(key, u32);
    __type(value, u32); /* 4 bytes, 8 per CPU in a lookup */
} wbt_pcpu SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 16);
    __type(value, u64);
} wbt_queue SEC(".maps");

const volatile unsigned rodata_multiplier = 1; /* records per seq, set before load */
unsigned long long data_counter = 7;           /* .data */
unsigned long long bss_triggers;               /* .bss: triggers seen */

struct loop_ctx {
    void *regs;
    unsigned tag;
};

static long emit(u32 i, struct loop_ctx *c)
{
    struct record r = {.tag = c->tag, .seq = i};
    bpf_ringbuf_output(&wbt_rb1, &r, sizeof(r), 0);
    bpf_ringbuf_output(&wbt_rb2, &r, sizeof(r), 0);
    bpf_perf_event_output(c->regs, &wbt_pb, BPF_F_CURRENT_CPU, &r, sizeof(r));
    return 0;
}

SEC("uprobe")
int BPF_KPROBE(wbt_trigger, int n, unsigned tag)
{
    struct loop_ctx c = {.regs = ctx, .tag = tag};
    if (n < 0)
        n = 0;
    bpf_loop(n * rodata_multiplier, emit, &c, 0);
    __sync_fetch_and_add(&bss_triggers, 1);
    u32 cpu_key = 0;
    u32 *v = bpf_map_lookup_elem(&wbt_pcpu, &cpu_key);
    if (v)
        *v += 1;
    return 0;
}

/* never attached: a program to find by name and to attach wrongly */
SEC("xdp")
int wbt_xdp_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}
