/* execsnoop.bpf.c: every execve() with its argument vector, through a ring
 * buffer, or on kernels without ring buffers (before 5.8) a perf buffer.
 * The event is large: with a ring buffer it is built directly in the ring,
 * otherwise in a per-CPU array, then copied out.  The guest probes the
 * kernel (wasm_bpf_probe_map_type) and loads one program and its maps. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "execsnoop.h"

/* keeps `struct event` in the object's BTF for `wasm-bpf gen types` (8 bytes
 * of .bss; a SEC(".types") variable would make libbpf print a notice) */
struct event *unused_event;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The fields of the kernel's task_struct read here, as a CO-RE flavour
 * (libbpf matches it to task_struct by its name before "___"): the object's
 * BTF describes two fields, not all that vmlinux.h's task_struct reaches. */
struct task_struct___execsnoop {
    pid_t tgid;
    struct task_struct___execsnoop *real_parent;
} __attribute__((preserve_access_index));

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1024 * 1024);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(u32));
    __uint(value_size, sizeof(u32));
} events_perf SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, u32);
    __type(value, struct event);
} scratch SEC(".maps");

/* only report processes of this uid, when set (-u) */
const volatile int targ_uid = -1;

static __always_inline void fill(struct trace_event_raw_sys_enter *ctx, struct event *e, u32 uid)
{
    struct task_struct___execsnoop *task = (void *)bpf_get_current_task();
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->ppid = BPF_CORE_READ(task, real_parent, tgid);
    e->uid = uid;
    e->args_truncated = 0;
    bpf_get_current_comm(&e->comm, sizeof(e->comm));

    const char **argv = (const char **)ctx->args[1];
    int i;
    for (i = 0; i < MAX_ARGS; i++) {
        const char *arg = NULL;
        if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
            break;
        if (bpf_probe_read_user_str(e->args[i], ARG_LEN, arg) < 0)
            break;
    }
    e->args_count = i;
    if (i == MAX_ARGS) {
        const char *more = NULL;
        if (!bpf_probe_read_user(&more, sizeof(more), &argv[i]) && more)
            e->args_truncated = 1;
    }
}

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
    u32 uid = (u32)bpf_get_current_uid_gid();
    if (targ_uid >= 0 && (u32)targ_uid != uid)
        return 0;
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    fill(ctx, e, uid);
    bpf_ringbuf_submit(e, 0);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int execve_perf(struct trace_event_raw_sys_enter *ctx)
{
    u32 uid = (u32)bpf_get_current_uid_gid(), zero = 0;
    if (targ_uid >= 0 && (u32)targ_uid != uid)
        return 0;
    struct event *e = bpf_map_lookup_elem(&scratch, &zero);
    if (!e)
        return 0;
    fill(ctx, e, uid);
    bpf_perf_event_output(ctx, &events_perf, BPF_F_CURRENT_CPU, e, sizeof(*e));
    return 0;
}
