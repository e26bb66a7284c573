/* xdp.h: packet and byte counters, one per IP protocol number. */
#ifndef XDP_H
#define XDP_H

#define XDP_NOT_IPV4 255     /* the slot counting frames that are not IPv4 */

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (xdp.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct counter {
    unsigned long long packets;
    unsigned long long bytes;
};
#endif

#endif
