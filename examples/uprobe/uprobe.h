/* uprobe.h: a call of, or a return from, a function of the traced binary. */
#ifndef UPROBE_H
#define UPROBE_H

enum uprobe_kind { CALL_ADD = 1, RET_ADD, CALL_SUB, RET_SUB };

/* The BPF side's definition.  Guests use the one `wasm-bpf gen types` derives
 * from the object's BTF (uprobe.types.h): the kernel's layout in fixed-width
 * types, right for wasm32 whatever C types are used here. */
#ifdef __bpf__
struct event {
    int pid;
    int kind;     /* enum uprobe_kind */
    int a, b;     /* arguments of a call */
    int ret;      /* value of a return */
};
#endif

#endif
