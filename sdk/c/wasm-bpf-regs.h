/* wasm-bpf-regs.h: for the BPF side (the .bpf.c) of a wasm-bpf tool whose
 * programs read registers (kprobes, uprobes: BPF_KPROBE, BPF_KRETPROBE,
 * PT_REGS_PARM1 ...).  Include it after <bpf/bpf_tracing.h>:
 *
 *     #include "vmlinux.h"
 *     #include <bpf/bpf_helpers.h>
 *     #include <bpf/bpf_tracing.h>
 *     #include "wasm-bpf-regs.h"
 *
 *     SEC("uprobe")
 *     int BPF_KPROBE(uprobe_add, int a, int b) { ... }
 *
 * libbpf's PT_REGS_* macros name the registers of one architecture, chosen
 * when the object is compiled (-D__TARGET_ARCH_x86): an object built so
 * reads nonsense, or is refused, on an arm64 kernel.  A module is built
 * once and runs on both, so this header redefines those macros to read the
 * registers of the architecture the object is LOADED on, through CO-RE:
 * both ways are compiled in, each through its own local view of
 * `struct pt_regs` (pt_regs___wasm_bpf_x86, pt_regs___wasm_bpf_arm64), and
 * at load time libbpf resolves `bpf_core_field_exists(regs)` against the
 * kernel's BTF to a constant, so the verifier drops the other way (its
 * field accesses, which do not exist in this kernel's pt_regs, are then
 * never reached).  No __TARGET_ARCH_xxx is needed (one given is
 * overridden), nothing is asked of the guest or the host, and the cost is
 * none at run time: the branch is gone once loaded.
 *
 * Architectures: x86-64 and arm64, the two wasm-bpf runs on; on any other a
 * program that reads a register is refused at load (libbpf reports the
 * CO-RE relocation of the x86-64 field it could not find).
 * Redefined, with libbpf's meaning on each architecture: PT_REGS_PARM1..5,
 * PT_REGS_RET, _FP, _RC, _SP, _IP, their _CORE forms (BPF_CORE_READ, for a
 * pt_regs that is not the program's context), and the _SYSCALL forms
 * (x86-64 passes a system call's 4th argument in r10, arm64 its first in
 * orig_x0).  BPF_KPROBE, BPF_KRETPROBE, BPF_KSYSCALL, PT_REGS_SYSCALL_REGS
 * and BPF_KPROBE_READ_RET_IP are built on these and follow. */
#ifndef WASM_BPF_REGS_H
#define WASM_BPF_REGS_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* The registers used, as the two kernels name them (matched by name, not
 * position: the suffix after ___ is ignored by CO-RE). */
struct pt_regs___wasm_bpf_x86 {
    unsigned long di, si, dx, cx, r8, r10, ax, bp, sp, ip;
} __attribute__((preserve_access_index));

struct pt_regs___wasm_bpf_arm64 {
    unsigned long regs[31];
    unsigned long sp, pc, orig_x0;
} __attribute__((preserve_access_index));

/* Is the kernel's pt_regs arm64's?  A constant once libbpf has loaded the
 * object (a CO-RE field-existence relocation). */
#define __WASM_BPF_REGS_ARM64(x) \
    bpf_core_field_exists(((struct pt_regs___wasm_bpf_arm64 *)(x))->regs)

/* One register, read with bpf_probe_read_kernel at the offset CO-RE gives.
 * Not a direct load from the context, as libbpf's per-architecture macros
 * do: clang merges the two ways into one load at a computed offset, and
 * the verifier refuses a context pointer so modified; the helper takes any
 * pointer (a kprobe's and uprobe's pt_regs are kernel memory), so the two
 * forms are the same here. */
#define __WASM_BPF_REG(x, x86, arm64)                                                     \
    ({                                                                                    \
        unsigned long ___wasm_bpf_v;                                                      \
        if (__WASM_BPF_REGS_ARM64(x))                                                     \
            ___wasm_bpf_v = BPF_CORE_READ((struct pt_regs___wasm_bpf_arm64 *)(x), arm64); \
        else                                                                              \
            ___wasm_bpf_v = BPF_CORE_READ((struct pt_regs___wasm_bpf_x86 *)(x), x86);     \
        ___wasm_bpf_v;                                                                    \
    })
#define __WASM_BPF_REG_CORE(x, x86, arm64) __WASM_BPF_REG(x, x86, arm64)

#undef PT_REGS_PARM1
#undef PT_REGS_PARM2
#undef PT_REGS_PARM3
#undef PT_REGS_PARM4
#undef PT_REGS_PARM5
#undef PT_REGS_RET
#undef PT_REGS_FP
#undef PT_REGS_RC
#undef PT_REGS_SP
#undef PT_REGS_IP
#define PT_REGS_PARM1(x) __WASM_BPF_REG(x, di, regs[0])
#define PT_REGS_PARM2(x) __WASM_BPF_REG(x, si, regs[1])
#define PT_REGS_PARM3(x) __WASM_BPF_REG(x, dx, regs[2])
#define PT_REGS_PARM4(x) __WASM_BPF_REG(x, cx, regs[3])
#define PT_REGS_PARM5(x) __WASM_BPF_REG(x, r8, regs[4])
#define PT_REGS_RET(x)   __WASM_BPF_REG(x, sp, regs[30])
#define PT_REGS_FP(x)    __WASM_BPF_REG(x, bp, regs[29])
#define PT_REGS_RC(x)    __WASM_BPF_REG(x, ax, regs[0])
#define PT_REGS_SP(x)    __WASM_BPF_REG(x, sp, sp)
#define PT_REGS_IP(x)    __WASM_BPF_REG(x, ip, pc)

#undef PT_REGS_PARM1_CORE
#undef PT_REGS_PARM2_CORE
#undef PT_REGS_PARM3_CORE
#undef PT_REGS_PARM4_CORE
#undef PT_REGS_PARM5_CORE
#undef PT_REGS_RET_CORE
#undef PT_REGS_FP_CORE
#undef PT_REGS_RC_CORE
#undef PT_REGS_SP_CORE
#undef PT_REGS_IP_CORE
#define PT_REGS_PARM1_CORE(x) __WASM_BPF_REG_CORE(x, di, regs[0])
#define PT_REGS_PARM2_CORE(x) __WASM_BPF_REG_CORE(x, si, regs[1])
#define PT_REGS_PARM3_CORE(x) __WASM_BPF_REG_CORE(x, dx, regs[2])
#define PT_REGS_PARM4_CORE(x) __WASM_BPF_REG_CORE(x, cx, regs[3])
#define PT_REGS_PARM5_CORE(x) __WASM_BPF_REG_CORE(x, r8, regs[4])
#define PT_REGS_RET_CORE(x)   __WASM_BPF_REG_CORE(x, sp, regs[30])
#define PT_REGS_FP_CORE(x)    __WASM_BPF_REG_CORE(x, bp, regs[29])
#define PT_REGS_RC_CORE(x)    __WASM_BPF_REG_CORE(x, ax, regs[0])
#define PT_REGS_SP_CORE(x)    __WASM_BPF_REG_CORE(x, sp, sp)
#define PT_REGS_IP_CORE(x)    __WASM_BPF_REG_CORE(x, ip, pc)

#undef PT_REGS_PARM1_SYSCALL
#undef PT_REGS_PARM2_SYSCALL
#undef PT_REGS_PARM3_SYSCALL
#undef PT_REGS_PARM4_SYSCALL
#undef PT_REGS_PARM5_SYSCALL
#define PT_REGS_PARM1_SYSCALL(x) __WASM_BPF_REG(x, di, orig_x0)
#define PT_REGS_PARM2_SYSCALL(x) PT_REGS_PARM2(x)
#define PT_REGS_PARM3_SYSCALL(x) PT_REGS_PARM3(x)
#define PT_REGS_PARM4_SYSCALL(x) __WASM_BPF_REG(x, r10, regs[3])
#define PT_REGS_PARM5_SYSCALL(x) PT_REGS_PARM5(x)

#undef PT_REGS_PARM1_CORE_SYSCALL
#undef PT_REGS_PARM2_CORE_SYSCALL
#undef PT_REGS_PARM3_CORE_SYSCALL
#undef PT_REGS_PARM4_CORE_SYSCALL
#undef PT_REGS_PARM5_CORE_SYSCALL
#define PT_REGS_PARM1_CORE_SYSCALL(x) __WASM_BPF_REG_CORE(x, di, orig_x0)
#define PT_REGS_PARM2_CORE_SYSCALL(x) PT_REGS_PARM2_CORE(x)
#define PT_REGS_PARM3_CORE_SYSCALL(x) PT_REGS_PARM3_CORE(x)
#define PT_REGS_PARM4_CORE_SYSCALL(x) __WASM_BPF_REG_CORE(x, r10, regs[3])
#define PT_REGS_PARM5_CORE_SYSCALL(x) PT_REGS_PARM5_CORE(x)

/* Defined by bpf_tracing.h only when a __TARGET_ARCH_xxx was given; both
 * architectures wrap system calls (the kprobe's first argument is the
 * user's pt_regs) and read a return address the default way. */
#ifndef PT_REGS_SYSCALL_REGS
#define PT_REGS_SYSCALL_REGS(ctx) ((struct pt_regs *)PT_REGS_PARM1(ctx))
#endif
#ifndef BPF_KPROBE_READ_RET_IP
#define BPF_KPROBE_READ_RET_IP(ip, ctx) \
    ({ bpf_probe_read_kernel(&(ip), sizeof(ip), (void *)PT_REGS_RET(ctx)); })
#define BPF_KRETPROBE_READ_RET_IP(ip, ctx) \
    ({ bpf_probe_read_kernel(&(ip), sizeof(ip), (void *)(PT_REGS_FP(ctx) + sizeof(ip))); })
#endif

#endif /* WASM_BPF_REGS_H */
