/* runqlat.h: a run queue latency histogram, one per process, thread or
 * globally (key (u32)-1). */
#ifndef RUNQLAT_H
#define RUNQLAT_H

#define TASK_COMM_LEN 16
#define MAX_SLOTS 26

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (runqlat.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct hist {
    unsigned slots[MAX_SLOTS];  /* slot i counts latencies in [2^i, 2^(i+1)) units */
    char comm[TASK_COMM_LEN];
};
#endif

#endif
