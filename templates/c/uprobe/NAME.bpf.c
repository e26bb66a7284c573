/* @NAME@.bpf.c: the kernel side of @NAME@: an entry and a return probe on a
 * function of a user-space program or library; one event per call and per
 * return, through a ring buffer.  The guest chooses the function when it
 * attaches (PATH:FUNCTION).
 *
 * Where to change what:
 *   - what is read at entry: the arguments of BPF_KPROBE() (PARM1, PARM2...
 *     in the calling convention of the architecture the module is loaded
 *     on: wasm-bpf-regs.h makes them x86-64's or arm64's at load time, so
 *     one module runs on both);
 *   - what is sent: struct event (the guest gets the same struct, laid out
 *     for wasm32, in the types `wasm-bpf build` generates). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "wasm-bpf-regs.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_COMM_LEN 16

struct event {
    int pid;
    int is_return;              /* 0: a call, 1: a return */
    unsigned long long value;   /* the first argument, or the return value */
    char comm[TASK_COMM_LEN];
};
/* keeps struct event in the object's BTF, for the generated types */
struct event *unused_event;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline int send(int is_return, unsigned long long value)
{
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->is_return = is_return;
    e->value = value;
    bpf_get_current_comm(&e->comm, sizeof(e->comm));
    bpf_ringbuf_submit(e, 0);
    return 0;
}

SEC("uprobe")
int BPF_KPROBE(on_call, unsigned long arg1)
{
    return send(0, arg1);
}

SEC("uretprobe")
int BPF_KRETPROBE(on_return, unsigned long ret)
{
    return send(1, ret);
}
