/* bootstrap.h: the event the kernel side sends to the guest.
 * Fixed-width layout, identical for the BPF target and wasm32. */
#ifndef BOOTSTRAP_H
#define BOOTSTRAP_H

#define TASK_COMM_LEN 16
#define MAX_FILENAME_LEN 127

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
