/* sdk_test.bpf.c: the BPF side of the Rust SDK's end-to-end test.
 *
 * Each sched_yield() of the process target_tgid (the runtime running the
 * guest, set through .rodata) sends records_per_yield records to the ring
 * buffer `rb`, one to the perf event array `pb` and a big one to the ring
 * buffer `big`, and counts itself in the hash map `counts`. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sdk_test.h"

/* GPL: bpf_perf_event_output is GPL-only (the test makes a non-GPL copy of
 * this object to see the verifier refuse it) */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_RECORDS_PER_YIELD 8

const volatile int target_tgid = 0;
const volatile unsigned int records_per_yield = 1;
const volatile bool flag_on_yield = false; /* a bool the guest sets before load */
unsigned long long data_value = 7;         /* .data: set before load, read back */
unsigned int seq;                          /* .bss */
struct record last_record;                 /* .bss; puts struct record in the BTF */
struct big_record last_big;                /* same for struct big_record */

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} rb SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} big SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(u32));
    __uint(value_size, sizeof(u32));
} pb SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, u32);
    __type(value, struct stats);
} counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, u32);
    __type(value, u64);
} slots SEC(".maps");

/* flags[0] = flag_on_yield at each yield: a bool value the kernel writes */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, u32);
    __type(value, bool);
} flags SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, u32);
    __type(value, u64);
} percpu SEC(".maps");

SEC("tp/syscalls/sys_enter_sched_yield")
int on_yield(void *ctx)
{
    u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (tgid != (u32)target_tgid)
        return 0;

    /* one guest thread makes the calls: no concurrent update of seq */
    u32 n = ++seq;
    u32 zero = 0;
    bool flag = flag_on_yield;
    bpf_map_update_elem(&flags, &zero, &flag, BPF_ANY);
    u64 *tag = bpf_map_lookup_elem(&slots, &zero);
    struct record r = {.seq = n, .tag = tag ? *tag : 0};
    bpf_get_current_comm(r.comm, sizeof(r.comm));

    u32 sent = 0;
    for (u32 i = 0; i < MAX_RECORDS_PER_YIELD && i < records_per_yield; i++) {
        struct record *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
        if (!e)
            break;
        r.index = i;
        *e = r;
        bpf_ringbuf_submit(e, 0);
        sent++;
    }
    r.index = 0;
    last_record = r;
    bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &r, sizeof(r));

    struct big_record *b = bpf_ringbuf_reserve(&big, sizeof(*b), 0);
    if (b) {
        b->seq = n;
        for (u32 i = 0; i < sizeof(b->bytes); i++)
            b->bytes[i] = (n + i) & 0xff;
        bpf_ringbuf_submit(b, 0);
    }

    struct stats s = {.data_value = data_value, .records = sent, .tgid = (int)tgid};
    bpf_map_update_elem(&counts, &n, &s, BPF_ANY);
    return 0;
}

/* never attached by the test: an XDP program without an interface */
SEC("xdp")
int never_attached(struct xdp_md *ctx)
{
    return XDP_PASS;
}
