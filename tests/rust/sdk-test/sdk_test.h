/* sdk_test.h: what the SDK test's BPF program sends and keeps. */
#ifndef SDK_TEST_H
#define SDK_TEST_H

/* one per ring buffer and perf buffer record */
struct record {
    unsigned int seq;          /* which sched_yield() of the guest: 1, 2, ... */
    unsigned int index;        /* which record of that call: 0, 1, ... */
    unsigned long long tag;    /* slots[0], set by the guest with a map update */
    char comm[16];
};

/* a record longer than the guest's poll buffer */
struct big_record {
    unsigned int seq;
    unsigned char bytes[1020]; /* bytes[i] = (seq + i) & 0xff */
};

/* value of the `counts` hash map, key = seq */
struct stats {
    unsigned long long data_value; /* the .data variable, set by the guest before load */
    unsigned int records;
    int tgid;
};

#endif
