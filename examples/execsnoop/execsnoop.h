/* execsnoop.h: one execve() call with its arguments. */
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

#define TASK_COMM_LEN 16
#define MAX_ARGS 16          /* arguments captured per call */
#define ARG_LEN 64           /* bytes kept of each argument */

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (execsnoop.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct event {
    int pid;
    int ppid;
    unsigned uid;
    int args_count;          /* arguments captured (<= MAX_ARGS) */
    int args_truncated;      /* 1 if the command had more than MAX_ARGS */
    char comm[TASK_COMM_LEN];
    char args[MAX_ARGS][ARG_LEN];   /* NUL-terminated, possibly cut */
};
#endif

#endif
