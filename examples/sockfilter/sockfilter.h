/* sockfilter.h: one IPv4 packet seen by the socket filter. */
#ifndef SOCKFILTER_H
#define SOCKFILTER_H

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (sockfilter.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct so_event {
    unsigned src_addr;       /* network byte order */
    unsigned dst_addr;       /* network byte order */
    unsigned short src_port; /* host byte order; 0 unless TCP or UDP */
    unsigned short dst_port;
    unsigned ip_proto;
    unsigned pkt_type;       /* PACKET_HOST, PACKET_OUTGOING, ... */
    unsigned ifindex;
    unsigned len;
};
#endif

#endif
