/* opensnoop.bpf.c: file opens with their result, through a perf event
 * array.  The entry records the arguments, the exit sends the event.
 * Filters (set through .rodata before load): process, thread, uid, failures. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "opensnoop.h"

/* keeps `struct event` in the object's BTF for `wasm-bpf gen types` (8 bytes
 * of .bss; a SEC(".types") variable would make libbpf print a notice) */
struct event *unused_event;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile int targ_tgid = 0;
const volatile int targ_pid = 0;
const volatile unsigned targ_uid = INVALID_UID;
const volatile unsigned char targ_failed = 0;

struct args_t {
    const char *fname;
    int flags;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, u32);
    __type(value, struct args_t);
} start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(u32));
    __uint(value_size, sizeof(u32));
} events SEC(".maps");

static __always_inline int wanted(void)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 tgid = id >> 32, pid = (u32)id;
    if (targ_tgid && targ_tgid != (int)tgid)
        return 0;
    if (targ_pid && targ_pid != (int)pid)
        return 0;
    if (targ_uid != INVALID_UID && targ_uid != (u32)bpf_get_current_uid_gid())
        return 0;
    return 1;
}

static __always_inline int enter(const char *fname, int flags)
{
    if (!wanted())
        return 0;
    u32 pid = (u32)bpf_get_current_pid_tgid();
    struct args_t args = {.fname = fname, .flags = flags};
    bpf_map_update_elem(&start, &pid, &args, BPF_ANY);
    return 0;
}

static __always_inline int leave(void *ctx, long ret)
{
    u64 id = bpf_get_current_pid_tgid();
    u32 pid = (u32)id;
    struct args_t *ap = bpf_map_lookup_elem(&start, &pid);
    if (!ap)
        return 0;
    if (targ_failed && ret >= 0)
        goto cleanup;

    struct event e = {};
    e.ts = bpf_ktime_get_ns();
    e.pid = id >> 32;
    e.uid = (u32)bpf_get_current_uid_gid();
    e.ret = ret;
    e.flags = ap->flags;
    bpf_get_current_comm(&e.comm, sizeof(e.comm));
    bpf_probe_read_user_str(&e.fname, sizeof(e.fname), ap->fname);
    bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
cleanup:
    bpf_map_delete_elem(&start, &pid);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_open")
int tracepoint__syscalls__sys_enter_open(struct trace_event_raw_sys_enter *ctx)
{
    return enter((const char *)ctx->args[0], (int)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tracepoint__syscalls__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
    return enter((const char *)ctx->args[1], (int)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_open")
int tracepoint__syscalls__sys_exit_open(struct trace_event_raw_sys_exit *ctx)
{
    return leave(ctx, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tracepoint__syscalls__sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
    return leave(ctx, ctx->ret);
}
