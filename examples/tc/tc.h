/* tc.h: packet and byte counters of the two directions. */
#ifndef TC_H
#define TC_H

enum tc_direction { TC_INGRESS = 0, TC_EGRESS = 1 };

struct counter {
    unsigned long long packets;
    unsigned long long bytes;
};

#endif
