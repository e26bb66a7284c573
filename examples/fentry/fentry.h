/* fentry.h: one unlink, seen at entry and at return. */
#ifndef FENTRY_H
#define FENTRY_H

struct unlink_event {
    int pid;
    int ret;             /* at return only */
    int at_return;       /* 0: entry, 1: return */
    char filename[128];
};

#endif
