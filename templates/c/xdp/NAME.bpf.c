/* @NAME@.bpf.c: the kernel side of @NAME@: an XDP program that counts the
 * frames arriving on an interface by IP protocol, in an array the guest
 * reads.  Every frame passes (XDP_PASS).
 *
 * Where to change what:
 *   - what is counted, or dropped: xdp_count() below (return XDP_DROP to
 *     drop a frame);
 *   - what is kept: struct counter (the guest gets the same struct, laid out
 *     for wasm32, in the types `wasm-bpf build` generates). */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP 0x0800
#define NOT_IPV4 255 /* the key of frames that are not IPv4 */

struct counter {
    unsigned long long packets;
    unsigned long long bytes;
};

/* IP protocol -> counter */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, u32);
    __type(value, struct counter);
} counters SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    u32 key = NOT_IPV4;

    if ((void *)(eth + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) <= data_end)
            key = ip->protocol;
    }
    struct counter *c = bpf_map_lookup_elem(&counters, &key);
    if (c) {
        __sync_fetch_and_add(&c->packets, 1);
        __sync_fetch_and_add(&c->bytes, data_end - data);
    }
    return XDP_PASS;
}
