/* sockfilter.bpf.c: a socket filter on a raw packet socket bound to one
 * interface; every IPv4 packet becomes an event.  It returns 0, so the
 * socket itself receives nothing (the traffic is not affected). */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "sockfilter.h"

/* keeps `struct so_event` in the object's BTF for `wasm-bpf gen types` (8 bytes
 * of .bss; a SEC(".types") variable would make libbpf print a notice) */
struct so_event *unused_so_event;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} rb SEC(".maps");

SEC("socket")
int socket_handler(struct __sk_buff *skb)
{
    u16 proto;
    if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) < 0 || proto != bpf_htons(ETH_P_IP))
        return 0;

    struct iphdr ip;
    if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0)
        return 0;
    /* fragments after the first carry no ports */
    u16 frag = bpf_ntohs(ip.frag_off) & 0x1fff;

    struct so_event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
    if (!e)
        return 0;
    e->src_addr = ip.saddr;
    e->dst_addr = ip.daddr;
    e->ip_proto = ip.protocol;
    e->pkt_type = skb->pkt_type;
    e->ifindex = skb->ifindex;
    e->len = skb->len;
    e->src_port = e->dst_port = 0;
    if (!frag && (ip.protocol == IPPROTO_TCP || ip.protocol == IPPROTO_UDP)) {
        u16 ports[2];
        if (bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4, ports, sizeof(ports)) == 0) {
            e->src_port = bpf_ntohs(ports[0]);
            e->dst_port = bpf_ntohs(ports[1]);
        }
    }
    bpf_ringbuf_submit(e, 0);
    return 0;
}
