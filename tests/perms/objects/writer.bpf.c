/* writer.bpf.c: a program that writes into user memory
 * (bpf_probe_write_user, from a subprogram) and one that signals: what
 * --allow-helper and the policy's allowHelpers must refuse before load. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __noinline int scribble(void *dst)
{
    u64 zero = 0;
    return bpf_probe_write_user(dst, &zero, sizeof(zero));
}

SEC("tp/syscalls/sys_enter_getppid")
int wbp_writer(struct trace_event_raw_sys_enter *ctx)
{
    return scribble((void *)ctx->args[0]);
}

SEC("tp/syscalls/sys_enter_getpgid")
int wbp_signaller(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) == 1)
        bpf_send_signal(9);
    return 0;
}
