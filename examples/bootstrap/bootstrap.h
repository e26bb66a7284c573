/* bootstrap.h: the event the kernel side sends to the guest. */
#ifndef BOOTSTRAP_H
#define BOOTSTRAP_H

#define TASK_COMM_LEN 16
#define MAX_FILENAME_LEN 127

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (bootstrap.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct event {
    int pid;
    int ppid;
    unsigned exit_code;
    unsigned long long duration_ns;
    char comm[TASK_COMM_LEN];
    char filename[MAX_FILENAME_LEN];
    unsigned char exit_event;
};
#endif

#endif
