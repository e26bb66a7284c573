/* sockops.bpf.c: a sock_ops program on a cgroup v2 directory: every TCP
 * connection that a process of the cgroup establishes (actively or
 * passively) becomes an event. */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "sockops.h"

/* keeps `struct conn_event` in the object's BTF for `wasm-bpf gen types` (8 bytes
 * of .bss; a SEC(".types") variable would make libbpf print a notice) */
struct conn_event *unused_conn_event;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} conns SEC(".maps");

SEC("sockops")
int sockops_established(struct bpf_sock_ops *skops)
{
    unsigned side;
    switch (skops->op) {
    case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
        side = SOCKOPS_ACTIVE;
        break;
    case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
        side = SOCKOPS_PASSIVE;
        break;
    default:
        return 1;
    }
    struct conn_event *e = bpf_ringbuf_reserve(&conns, sizeof(*e), 0);
    if (!e)
        return 1;
    e->side = side;
    e->family = skops->family;
    e->local_ip4 = skops->local_ip4;
    e->remote_ip4 = skops->remote_ip4;
    e->local_port = skops->local_port;
    e->remote_port = bpf_ntohl(skops->remote_port);
    e->cookie = bpf_get_socket_cookie(skops);
    bpf_ringbuf_submit(e, 0);
    return 1;
}
