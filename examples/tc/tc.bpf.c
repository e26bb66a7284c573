/* tc.bpf.c: count packets and bytes entering and leaving an interface
 * (two tc classifiers, attached as IFNAME:ingress and IFNAME:egress). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tc.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TC_ACT_OK 0

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, u32);
    __type(value, struct counter);
} tc_stats SEC(".maps");

static __always_inline int count(struct __sk_buff *skb, u32 direction)
{
    struct counter *c = bpf_map_lookup_elem(&tc_stats, &direction);
    if (c) {
        __sync_fetch_and_add(&c->packets, 1);
        __sync_fetch_and_add(&c->bytes, skb->len);
    }
    return TC_ACT_OK;
}

SEC("tc")
int tc_ingress(struct __sk_buff *skb)
{
    return count(skb, TC_INGRESS);
}

SEC("tc")
int tc_egress(struct __sk_buff *skb)
{
    return count(skb, TC_EGRESS);
}
