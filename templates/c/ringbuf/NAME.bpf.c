/* @NAME@.bpf.c: the kernel side of @NAME@: one event per exec, sent to the
 * guest through a ring buffer.
 *
 * Where to change what:
 *   - what is traced: the SEC("tp/...") program below (any tracepoint,
 *     tp_btf, uprobe ...: the section name says where it attaches);
 *   - what is sent: struct event (the guest gets the same struct, laid out
 *     for wasm32, in the types `wasm-bpf build` generates);
 *   - a setting chosen on the command line: a `const volatile` global such
 *     as min_pid becomes the flag --min-pid (WASM_BPF_DESCRIPTION gives its
 *     --help text); the guest sets it before load. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "wasm-bpf-bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_COMM_LEN 16
#define MAX_FILENAME_LEN 128

struct event {
    int pid;
    int ppid;
    char comm[TASK_COMM_LEN];
    char filename[MAX_FILENAME_LEN];
};
/* keeps struct event in the object's BTF, for the generated types */
struct event *unused_event;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* The fields of the kernel's task_struct read below, as a CO-RE flavour:
 * libbpf matches it to task_struct by its name before "___" and relocates
 * the offsets for the running kernel.  vmlinux.h's task_struct would bring
 * into the object's BTF every type it reaches (about 27 KB of the module);
 * add here the fields you read. */
struct task_struct___fields {
    int tgid;
    struct task_struct___fields *real_parent;
} __attribute__((preserve_access_index));

const volatile int min_pid WASM_BPF_DESCRIPTION("only processes with a pid of at least this") = 0;

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
    int pid = bpf_get_current_pid_tgid() >> 32;
    if (pid < min_pid)
        return 0;
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    struct task_struct___fields *task = (void *)bpf_get_current_task();
    e->pid = pid;
    e->ppid = BPF_CORE_READ(task, real_parent, tgid);
    bpf_get_current_comm(&e->comm, sizeof(e->comm));
    unsigned off = ctx->__data_loc_filename & 0xFFFF;
    bpf_probe_read_str(&e->filename, sizeof(e->filename), (void *)ctx + off);
    bpf_ringbuf_submit(e, 0);
    return 0;
}
