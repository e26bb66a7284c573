/* sockops.h: a TCP connection established in the traced cgroup. */
#ifndef SOCKOPS_H
#define SOCKOPS_H

enum { SOCKOPS_ACTIVE = 1, SOCKOPS_PASSIVE = 2 };

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (sockops.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct conn_event {
    unsigned side;           /* SOCKOPS_ACTIVE (connect) or SOCKOPS_PASSIVE (accept) */
    unsigned family;         /* AF_INET = 2, AF_INET6 = 10 */
    unsigned local_ip4;      /* network byte order */
    unsigned remote_ip4;     /* network byte order */
    unsigned local_port;     /* host byte order */
    unsigned remote_port;    /* host byte order */
    unsigned long long cookie;
};
#endif

#endif
