/* opensnoop.h: one open()/openat() call and its result. */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#define TASK_COMM_LEN 16
#define NAME_MAX 255
#define INVALID_UID ((unsigned)-1)

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (opensnoop.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct event {
    unsigned long long ts;
    int pid;
    unsigned uid;
    int ret;                 /* fd, or -errno */
    int flags;
    char comm[TASK_COMM_LEN];
    char fname[NAME_MAX];
};
#endif

#endif
