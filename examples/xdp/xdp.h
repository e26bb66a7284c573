/* xdp.h: packet and byte counters, one per IP protocol number. */
#ifndef XDP_H
#define XDP_H

#define XDP_NOT_IPV4 255     /* the slot counting frames that are not IPv4 */

struct counter {
    unsigned long long packets;
    unsigned long long bytes;
};

#endif
