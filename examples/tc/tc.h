/* tc.h: packet and byte counters of the two directions. */
#ifndef TC_H
#define TC_H

enum tc_direction { TC_INGRESS = 0, TC_EGRESS = 1 };

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (tc.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct counter {
    unsigned long long packets;
    unsigned long long bytes;
};
#endif

#endif
