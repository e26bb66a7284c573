/* uprobe.bpf.c: entry and return probes on two functions of a user-space
 * binary.  The binary is chosen at attach time (target PATH:FUNC). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "wasm-bpf-regs.h" /* arguments on x86-64 and arm64 alike */
#include "uprobe.h"

/* keeps `struct event` in the object's BTF for `wasm-bpf gen types` (8 bytes
 * of .bss; a SEC(".types") variable would make libbpf print a notice) */
struct event *unused_event;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline int send(int kind, int a, int b, int ret)
{
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->kind = kind;
    e->a = a;
    e->b = b;
    e->ret = ret;
    bpf_ringbuf_submit(e, 0);
    return 0;
}

SEC("uprobe")
int BPF_KPROBE(uprobe_add, int a, int b)
{
    return send(CALL_ADD, a, b, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uretprobe_add, int ret)
{
    return send(RET_ADD, 0, 0, ret);
}

SEC("uprobe")
int BPF_KPROBE(uprobe_sub, int a, int b)
{
    return send(CALL_SUB, a, b, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(uretprobe_sub, int ret)
{
    return send(RET_SUB, 0, 0, ret);
}
