/* fentry.h: one unlink, seen at entry and at return. */
#ifndef FENTRY_H
#define FENTRY_H

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (fentry.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct unlink_event {
    int pid;
    int ret;             /* at return only */
    int at_return;       /* 0: entry, 1: return */
    char filename[128];
};
#endif

#endif
