/* bootstrap.bpf.c: report every exec and every process exit, with the
 * process lifetime; exits of processes shorter than min_duration_ns (set by
 * the guest through .rodata before load) are not reported. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bootstrap.h"
#include "wasm-bpf-bpf.h"

/* keeps `struct event` in the object's BTF for `wasm-bpf gen types` (8 bytes
 * of .bss; a SEC(".types") variable would make libbpf print a notice) */
struct event *unused_event;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The fields of the kernel's task_struct read here, as a CO-RE flavour:
 * libbpf matches it to task_struct by its name before "___" and relocates
 * the offsets.  The object's BTF then describes three fields, not
 * vmlinux.h's task_struct and every type it reaches (27 KB of the module). */
struct task_struct___bootstrap {
    pid_t tgid;
    int exit_code;
    struct task_struct___bootstrap *real_parent;
} __attribute__((preserve_access_index));

/* pid -> exec time, to compute the lifetime at exit */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8192);
    __type(key, pid_t);
    __type(value, u64);
} exec_start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} rb SEC(".maps");

/* the guest's --min-duration-ns (generated from this variable: gen skeleton) */
const volatile unsigned long long min_duration_ns
    WASM_BPF_DESCRIPTION("only report exits of processes that lived at least this long, in ns") = 0;

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
    pid_t pid = bpf_get_current_pid_tgid() >> 32;
    u64 now = bpf_ktime_get_ns();
    bpf_map_update_elem(&exec_start, &pid, &now, BPF_ANY);

    /* with a minimum duration only exits are interesting */
    if (min_duration_ns)
        return 0;

    struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
    if (!e)
        return 0;
    struct task_struct___bootstrap *task = (void *)bpf_get_current_task();
    e->exit_event = 0;
    e->exit_code = 0;
    e->duration_ns = 0;
    e->pid = pid;
    e->ppid = BPF_CORE_READ(task, real_parent, tgid);
    bpf_get_current_comm(&e->comm, sizeof(e->comm));
    unsigned filename_off = ctx->__data_loc_filename & 0xFFFF;
    bpf_probe_read_str(&e->filename, sizeof(e->filename), (void *)ctx + filename_off);
    bpf_ringbuf_submit(e, 0);
    return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_template *ctx)
{
    u64 id = bpf_get_current_pid_tgid();
    pid_t pid = id >> 32;
    pid_t tid = (u32)id;

    /* threads exiting are not processes exiting */
    if (pid != tid)
        return 0;

    u64 duration_ns = 0;
    u64 *start = bpf_map_lookup_elem(&exec_start, &pid);
    if (start)
        duration_ns = bpf_ktime_get_ns() - *start;
    else if (min_duration_ns)
        return 0;
    bpf_map_delete_elem(&exec_start, &pid);

    if (min_duration_ns && duration_ns < min_duration_ns)
        return 0;

    struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
    if (!e)
        return 0;
    struct task_struct___bootstrap *task = (void *)bpf_get_current_task();
    e->exit_event = 1;
    e->duration_ns = duration_ns;
    e->pid = pid;
    e->ppid = BPF_CORE_READ(task, real_parent, tgid);
    e->exit_code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
    e->filename[0] = 0;
    bpf_get_current_comm(&e->comm, sizeof(e->comm));
    bpf_ringbuf_submit(e, 0);
    return 0;
}
