/* wasm-bpf.h: the raw host imports of the wasm-bpf guest ABI (docs/ABI.md).
 *
 * Most guests use libbpf-wasm.h and a generated skeleton instead; this header
 * is for guests that talk to the host directly.  Every function returns a
 * negative errno on failure, except wasm_load_bpf_object, which returns 0.
 * Pointers are addresses in the guest's linear memory (wasm32). */
#ifndef WASM_BPF_H
#define WASM_BPF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WASM_BPF_IMPORT(name) __attribute__((import_module("wasm_bpf"), import_name(name)))

/* An object handle: small, opaque, non-zero (0 means "no object"). */
typedef uint64_t bpf_object_skel;

/* Open and load the BPF ELF object [obj_buf, obj_buf + obj_buf_sz): CO-RE
 * relocation, map creation, verification.  Returns a handle, or 0 (the
 * reason is on the runtime's stderr and in wasm_bpf_last_error()). */
WASM_BPF_IMPORT("wasm_load_bpf_object")
bpf_object_skel wasm_load_bpf_object(const void *obj_buf, int obj_buf_sz);

/* Detach every program of the object, free its buffers and close it. */
WASM_BPF_IMPORT("wasm_close_bpf_object")
int wasm_close_bpf_object(bpf_object_skel obj);

/* Attach program `name` (its C function name).  attach_target NULL or ""
 * attaches by the program's SEC() name; otherwise it is an interface name
 * (xdp, socket), a cgroup v2 directory (sockops and other cgroup programs),
 * "IFNAME:ingress" or "IFNAME:egress" (tc), "PATH:FUNC" or "PATH:OFFSET"
 * (uprobe, uretprobe), "CATEGORY:NAME" (tracepoint), a function (kprobe,
 * raw_tp). */
WASM_BPF_IMPORT("wasm_attach_bpf_program")
int wasm_attach_bpf_program(bpf_object_skel obj, const char *name, const char *attach_target);

/* Wait up to timeout_ms (< 0: until a record or an interrupt; 0: do not
 * wait) for records of the ring buffer or perf event array map `fd`, then
 * deliver each one: copy it into [data, data + max_size) (cut to max_size)
 * and call the function whose table index is sample_func as
 * int fn(void *ctx, void *data, size_t copied_len).  A negative return of
 * the callback stops the poll and is returned.  Returns the number of
 * records delivered, or a negative errno. */
WASM_BPF_IMPORT("wasm_bpf_buffer_poll")
int wasm_bpf_buffer_poll(bpf_object_skel obj, int fd, int32_t sample_func, uint32_t ctx, char *data,
                         int max_size, int timeout_ms);

/* The fd of the object's map `name` (its C name, or "<obj>.rodata" style
 * names of global-data maps, or ".rodata"/".bss"/".data"). */
WASM_BPF_IMPORT("wasm_bpf_map_fd_by_name")
int wasm_bpf_map_fd_by_name(bpf_object_skel obj, const char *name);

/* A map operation on one of this guest's maps; cmd is the kernel's
 * enum bpf_cmd: 1 lookup, 2 update, 3 delete, 4 get next key, 21 lookup and
 * delete.  For get-next-key, key 0 (NULL) means "the first key". */
WASM_BPF_IMPORT("wasm_bpf_map_operate")
int wasm_bpf_map_operate(int fd, int cmd, void *key, void *value, void *next_key, uint64_t flags);

/* Extension: the negative errno of the last failed call, with its message
 * written (NUL-terminated, possibly cut) into [buf, buf + len).  0 and ""
 * when nothing failed yet.  Only guests that call it import it. */
WASM_BPF_IMPORT("wasm_bpf_last_error")
int wasm_bpf_last_error(char *buf, int len);

/* Extension: 1 once the run was asked to stop (the first Ctrl-C or
 * SIGTERM), else 0.  From then on, polls and reads that would wait return
 * -EINTR at once and sleeps end early; the guest should print what it has
 * and return from main.  A guest that sleeps rather than polls asks this
 * after each sleep.  The runtime stops a guest that has not ended within
 * --stop-timeout (default 2 s).  Only guests that call it import it. */
WASM_BPF_IMPORT("wasm_bpf_interrupted")
int wasm_bpf_interrupted(void);

/* Extension (ABI 2): load as wasm_load_bpf_object does, but without the
 * programs named in no_load and the maps named in no_create (each a
 * comma-separated list of C names, "handle_exec_tp,handle_exit_tp", or
 * NULL): the guest's choice between variants of a program or map for the
 * kernel under it (see the probes below).  An unknown name fails the load
 * (-ENOENT in wasm_bpf_last_error()).  Only guests that call it import it. */
WASM_BPF_IMPORT("wasm_load_bpf_object_with")
bpf_object_skel wasm_load_bpf_object_with(const void *obj_buf, int obj_buf_sz, const char *no_load,
                                          const char *no_create);

/* Extension (ABI 2): probes of the kernel under the guest, for picking
 * what to load.  Each returns 1 (yes), 0 (no: the kernel lacks it, or the
 * run's policy does not allow it, which wasm_bpf_last_error() then says),
 * or a negative errno: -EINVAL for a number the runtime does not know,
 * -ENOTSUP for what it cannot probe, -EPERM when the kernel refused the
 * probe itself.  Numbers are the kernel's (enum bpf_prog_type, enum
 * bpf_map_type, enum bpf_func_id).  Answers are kept by the runtime: asking
 * again costs nothing. */
/* Can programs of this type be loaded?  BPF_PROG_TYPE_TRACING asks for
 * tp_btf programs (which need the kernel's BTF), BPF_PROG_TYPE_LSM for lsm. */
WASM_BPF_IMPORT("wasm_bpf_probe_prog_type")
int wasm_bpf_probe_prog_type(int prog_type);
/* Can maps of this type be created?  (BPF_MAP_TYPE_RINGBUF: 5.8 and later) */
WASM_BPF_IMPORT("wasm_bpf_probe_map_type")
int wasm_bpf_probe_map_type(int map_type);
/* May programs of this type call this helper? */
WASM_BPF_IMPORT("wasm_bpf_probe_helper")
int wasm_bpf_probe_helper(int prog_type, int helper);
/* Does the kernel have this feature (enum wasm_bpf_feature below)? */
WASM_BPF_IMPORT("wasm_bpf_probe_feature")
int wasm_bpf_probe_feature(int feature);

#undef WASM_BPF_IMPORT

/* The features of wasm_bpf_probe_feature() */
enum wasm_bpf_feature {
    WASM_BPF_FEATURE_BTF = 0,      /* the kernel's own BTF (/sys/kernel/btf/vmlinux) */
    WASM_BPF_FEATURE_RINGBUF = 1,  /* ring buffer maps */
    WASM_BPF_FEATURE_BPF_LOOP = 2, /* the bpf_loop() helper */
    WASM_BPF_FEATURE_FENTRY = 3,   /* fentry programs, loaded and attached */
    WASM_BPF_FEATURE_TCX = 4,      /* tcx links for tc programs */
};

/* The name of a Linux signal number as the kernel gives it to BPF programs
 * ("SIGKILL" for 9, "SIGRTMIN+2" for 34), or NULL for a number that is no
 * signal.  wasi-libc has no <signal.h> and no strsignal(): guests that
 * report signals (sigsnoop, kill tracers) print them with this.  The
 * numbers are the ones x86-64 and arm64 share. */
static inline const char *wasm_bpf_signal_name(int sig)
{
    static const char *const names[] = {
        [1] = "SIGHUP",     [2] = "SIGINT",   [3] = "SIGQUIT",   [4] = "SIGILL",   [5] = "SIGTRAP",
        [6] = "SIGABRT",    [7] = "SIGBUS",   [8] = "SIGFPE",    [9] = "SIGKILL",  [10] = "SIGUSR1",
        [11] = "SIGSEGV",   [12] = "SIGUSR2", [13] = "SIGPIPE",  [14] = "SIGALRM", [15] = "SIGTERM",
        [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",  [19] = "SIGSTOP", [20] = "SIGTSTP",
        [21] = "SIGTTIN",   [22] = "SIGTTOU", [23] = "SIGURG",   [24] = "SIGXCPU", [25] = "SIGXFSZ",
        [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO",   [30] = "SIGPWR",
        [31] = "SIGSYS",
    };
    /* real-time signals: the kernel's 32..64, named from glibc's SIGRTMIN (34)
     * as kill -l does; 32 and 33 are glibc's own */
    static const char *const rt[] = {
        "SIGRTMIN-2",  "SIGRTMIN-1",  "SIGRTMIN",    "SIGRTMIN+1",  "SIGRTMIN+2",  "SIGRTMIN+3",
        "SIGRTMIN+4",  "SIGRTMIN+5",  "SIGRTMIN+6",  "SIGRTMIN+7",  "SIGRTMIN+8",  "SIGRTMIN+9",
        "SIGRTMIN+10", "SIGRTMIN+11", "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15",
        "SIGRTMAX-14", "SIGRTMAX-13", "SIGRTMAX-12", "SIGRTMAX-11", "SIGRTMAX-10", "SIGRTMAX-9",
        "SIGRTMAX-8",  "SIGRTMAX-7",  "SIGRTMAX-6",  "SIGRTMAX-5",  "SIGRTMAX-4",  "SIGRTMAX-3",
        "SIGRTMAX-2",  "SIGRTMAX-1",  "SIGRTMAX",
    };
    if (sig >= 1 && sig <= 31)
        return names[sig];
    if (sig >= 32 && sig <= 64)
        return rt[sig - 32];
    return (const char *)0;
}

#ifdef __cplusplus
}
#endif
#endif
