/* runqlat.bpf.c: run queue latency (time from wake-up to running) as log2
 * histograms in a hash map that the guest reads, prints and clears.
 *
 * Two sets of the same three programs: BTF-enabled tracepoints (tp_btf),
 * which need the kernel's own BTF, and raw tracepoints (raw_tp), which
 * need only CO-RE (a kernel without /sys/kernel/btf/vmlinux, run with
 * --btf).  The guest loads one set, chosen by probing the kernel
 * (wasm_bpf_probe_prog_type) before load.  Every field is read with CO-RE,
 * so both sets share the code. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "runqlat.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_RUNNING 0
#define GLOBAL_KEY ((u32)-1)

const volatile unsigned char targ_per_process = 0;
const volatile unsigned char targ_per_thread = 0;
const volatile unsigned char targ_ms = 0;
const volatile int targ_tgid = 0;

/* thread id -> time it was queued */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, u32);
    __type(value, u64);
} start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, u32);
    __type(value, struct hist);
} hists SEC(".maps");

static struct hist zero;

static __always_inline unsigned log2_u64(u64 v)
{
    unsigned r = 0;
    for (int i = 32; i > 0; i >>= 1) {
        if (v >= (1ULL << i)) {
            v >>= i;
            r += i;
        }
    }
    return r;
}

/* The fields of the kernel's task_struct read here, as a CO-RE flavour:
 * libbpf matches it to task_struct by its name before "___" and relocates
 * the offsets.  The object's BTF then describes these fields, not
 * vmlinux.h's task_struct and every type it reaches (27 KB of the module,
 * as in examples/bootstrap). */
struct task_struct___runqlat {
    unsigned int __state;
    pid_t pid;
    pid_t tgid;
    char comm[16]; /* TASK_COMM_LEN */
} __attribute__((preserve_access_index));

/* task_struct's state was `state` before 5.14, `__state` since */
struct task_struct___pre_5_14 {
    long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct___runqlat *t)
{
    if (bpf_core_field_exists(t->__state))
        return BPF_CORE_READ(t, __state);
    return BPF_CORE_READ((struct task_struct___pre_5_14 *)t, state);
}

static __always_inline int enqueued(struct task_struct___runqlat *p)
{
    u32 tgid = BPF_CORE_READ(p, tgid), pid = BPF_CORE_READ(p, pid);
    if (!pid || (targ_tgid && (u32)targ_tgid != tgid))
        return 0;
    u64 now = bpf_ktime_get_ns();
    bpf_map_update_elem(&start, &pid, &now, BPF_ANY);
    return 0;
}

static __always_inline int switched(struct task_struct___runqlat *prev,
                                    struct task_struct___runqlat *next)
{
    /* a task preempted while runnable goes back to the queue */
    if (task_state(prev) == TASK_RUNNING)
        enqueued(prev);

    u32 pid = BPF_CORE_READ(next, pid);
    u64 *queued_at = bpf_map_lookup_elem(&start, &pid);
    if (!queued_at)
        return 0;
    s64 delta = bpf_ktime_get_ns() - *queued_at;
    if (delta < 0)
        goto done;

    u32 key = GLOBAL_KEY;
    if (targ_per_process)
        key = BPF_CORE_READ(next, tgid);
    else if (targ_per_thread)
        key = pid;
    struct hist *h = bpf_map_lookup_elem(&hists, &key);
    if (!h) {
        bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
        h = bpf_map_lookup_elem(&hists, &key);
        if (!h)
            goto done;
        if (key != GLOBAL_KEY)
            bpf_core_read_str(&h->comm, sizeof(h->comm), &next->comm);
    }
    delta /= targ_ms ? 1000000 : 1000;
    unsigned slot = log2_u64(delta);
    if (slot >= MAX_SLOTS)
        slot = MAX_SLOTS - 1;
    __sync_fetch_and_add(&h->slots[slot], 1);
done:
    bpf_map_delete_elem(&start, &pid);
    return 0;
}

/* with the kernel's BTF */
SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct___runqlat *p)
{
    return enqueued(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct___runqlat *p)
{
    return enqueued(p);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct___runqlat *prev,
             struct task_struct___runqlat *next)
{
    return switched(prev, next);
}

/* without it (names within the kernel's 15 characters) */
SEC("raw_tp/sched_wakeup")
int BPF_PROG(raw_wakeup, struct task_struct___runqlat *p)
{
    return enqueued(p);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(raw_wakeup_new, struct task_struct___runqlat *p)
{
    return enqueued(p);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(raw_switch, bool preempt, struct task_struct___runqlat *prev,
             struct task_struct___runqlat *next)
{
    return switched(prev, next);
}
