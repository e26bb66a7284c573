/* fentry.bpf.c: fentry and fexit programs on do_unlinkat: every unlink with
 * its file name, and its result.  Needs BPF trampolines (fentry/fexit). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "fentry.h"

/* keeps `struct unlink_event` in the object's BTF for `wasm-bpf gen types` (8 bytes
 * of .bss; a SEC(".types") variable would make libbpf print a notice) */
struct unlink_event *unused_unlink_event;

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} unlinks SEC(".maps");

static __always_inline int send(struct filename *name, int ret, int at_return)
{
    struct unlink_event *e = bpf_ringbuf_reserve(&unlinks, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->ret = ret;
    e->at_return = at_return;
    bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(name, name));
    bpf_ringbuf_submit(e, 0);
    return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(do_unlinkat, int dfd, struct filename *name)
{
    return send(name, 0, 0);
}

SEC("fexit/do_unlinkat")
int BPF_PROG(do_unlinkat_exit, int dfd, struct filename *name, long ret)
{
    return send(name, (int)ret, 1);
}
