/* runqlat.h: a run queue latency histogram, one per process, thread or
 * globally (key (u32)-1). */
#ifndef RUNQLAT_H
#define RUNQLAT_H

#define TASK_COMM_LEN 16
#define MAX_SLOTS 26

struct hist {
    unsigned slots[MAX_SLOTS];  /* slot i counts latencies in [2^i, 2^(i+1)) units */
    char comm[TASK_COMM_LEN];
};

#endif
