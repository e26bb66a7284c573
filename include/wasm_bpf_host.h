/* wasm_bpf_host.h: the `wasm_bpf` host interface (docs/ABI.md) over libbpf.
 *
 * A wasm_bpf_host is the state of one run: the BPF objects that the guest
 * instances load, their links, buffers and maps.  wasm_bpf_host_define()
 * puts the guest imports on a linker (module "wasm_bpf", and "env" for
 * guests built before 2023); wasm_bpf_host_cleanup() removes from the
 * kernel everything the guests created, whatever way they ended (return,
 * exit, trap, interrupt).
 *
 *     wasm_bpf_host *bpf = wasm_bpf_host_new(&(struct wasm_bpf_options){.verbose = v});
 *     wasm_bpf_host_define(bpf, linker);
 *     ... instantiate, run _start ...
 *     wasm_bpf_host_free(bpf);          (cleans up first)
 *
 * Every host function checks every pointer, length, handle, fd and table
 * index it gets from the guest and answers a bad one with the negative
 * errno of ABI.md; nothing a guest passes can crash the host or leave a
 * kernel object behind. */
#ifndef WASM_BPF_HOST_H
#define WASM_BPF_HOST_H

/* Every name declared here is part of the library's interface (the rest of
 * libwasm-bpf.a is hidden: see the Makefile). */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

#include "wasm_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a guest may do.  A denied load or attach returns -EPERM to the
 * guest, with a message naming the rule through the print callback
 * (wasm_bpf_set_print()) and in wasm_bpf_last_error().  The memory cap is the engine's
 * (wasm_runtime_config.max_memory_pages). */
struct wasm_bpf_policy {
    /* Program types a guest may load, by libbpf's names: "tracepoint",
     * "raw_tracepoint", "tracing" (tp_btf, fentry...), "kprobe" (kprobes and
     * uprobes), "xdp", "sched_cls" (tc), "socket_filter", "sock_ops",
     * "cgroup_skb", "lsm", ...  NULL: any type. */
    const char *const *prog_types;
    size_t n_prog_types;
    /* Attach targets a guest may use, as fnmatch(3) patterns.  An attach is
     * matched by its target as the guest gives it ("eth0", "/sys/fs/cgroup/x",
     * "eth0:ingress", "/usr/bin/bash:readline") or, when the program attaches
     * by its SEC() name, by that name ("tp/sched/sched_process_exec").
     * NULL: any target. */
    const char *const *attach_targets;
    size_t n_attach_targets;
    /* How the caller's users write these two rules, for messages (the CLI:
     * "--allow-prog-type", "--allow-attach").  NULL: "prog_types",
     * "attach_targets". */
    const char *prog_types_name;
    const char *attach_targets_name;
};

struct wasm_bpf_options {
    bool verbose;                         /* libbpf's debug output and full verifier logs */
    const struct wasm_bpf_policy *policy; /* NULL: no restriction; copied */
    /* How the caller's users ask for `verbose`, named in hints (the CLI:
     * "--verbose").  NULL: "the verbose option". */
    const char *verbose_name;
};

typedef struct wasm_bpf_host wasm_bpf_host;

/* NULL only when out of memory. */
wasm_bpf_host *wasm_bpf_host_new(const struct wasm_bpf_options *opts);

/* Define the imports on `linker`: the six functions of ABI.md and
 * wasm_bpf_last_error, in modules "wasm_bpf" and "env".  Instances linked
 * with it keep their own objects and handles.  Returns 0 or -1. */
int wasm_bpf_host_define(wasm_bpf_host *host, wasm_linker *linker);

/* Detach and close everything every guest instance created: links, tc and
 * cgroup attachments, sockets, buffers, programs, maps.  Call it after the
 * guest has stopped (any way); the host stays usable. */
void wasm_bpf_host_cleanup(wasm_bpf_host *host);

/* Forget the objects of one instance (cleaning them up), e.g. before
 * wasm_instance_free() when a host outlives several instances. */
void wasm_bpf_host_forget_instance(wasm_bpf_host *host, wasm_instance *inst);

/* wasm_bpf_host_cleanup() then free.  NULL is allowed. */
void wasm_bpf_host_free(wasm_bpf_host *host);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop

#endif
