/* opensnoop.h: one open()/openat() call and its result. */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#define TASK_COMM_LEN 16
#define NAME_MAX 255
#define INVALID_UID ((unsigned)-1)

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
