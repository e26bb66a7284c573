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
    /* The helpers of concern (wasm_bpf_helpers_of_concern()) a guest's
     * programs may call, by name ("bpf_probe_write_user"): an object whose
     * code calls another one is refused before it is loaded, the message
     * naming the function and the helper.  NULL: any; non-NULL with
     * n_helpers 0: none.  Other helpers are the verifier's business. */
    const char *const *helpers;
    size_t n_helpers;
    /* How the caller's users write these rules, for messages (the CLI:
     * "--allow-prog-type", "--allow-attach", "--allow-helper").  NULL:
     * "prog_types", "attach_targets", "helpers". */
    const char *prog_types_name;
    const char *attach_targets_name;
    const char *helpers_name;
    /* Another set of rules that must allow too (an operator's policy file
     * beside the command line's options); NULL: none. */
    const struct wasm_bpf_policy *next;
};

/* ---- Permissions: what a module's eBPF objects need ----
 *
 * A module's declaration lists, per eBPF object embedded in it, its
 * programs (name, SEC() name, libbpf's type name), its maps (name, type;
 * not the global-data maps) and the helpers of concern its code calls.
 * `push` records it as the manifest annotation below (JSON), so that a
 * signature covers it; `run` checks it against the operator's rules before
 * the guest starts (wasm_bpf_permissions_check()) and hands it to the host
 * (wasm_bpf_options.declared), which refuses any object the guest loads
 * that needs a program, map or helper of concern the declaration lacks. */
#define WASM_BPF_PERMISSIONS_ANNOTATION "dev.wasm-bpf.permissions"
struct wasm_bpf_permissions;

/* The helpers of concern, NULL-terminated: bpf_probe_write_user,
 * bpf_override_return, bpf_send_signal, bpf_send_signal_thread. */
const char *const *wasm_bpf_helpers_of_concern(void);

/* Read the declaration from a module's bytes: every 64-bit BPF ELF object
 * stored contiguously in it (as C byte arrays and Rust's include_bytes!
 * are).  0, -EINVAL (a malformed embedded object; err says which and why)
 * or -ENOMEM. */
int wasm_bpf_permissions_scan(const void *module, size_t len, struct wasm_bpf_permissions **out,
                              char *err, size_t errlen);
/* The same from an open module file, reading only its data section.
 * -ENOEXEC when it is not a WebAssembly module at all. */
int wasm_bpf_permissions_scan_fd(int fd, struct wasm_bpf_permissions **out, char *err,
                                 size_t errlen);
/* The declaration as the annotation's compact JSON text (malloc'ed; NULL
 * with errno ENOMEM); the same module gives the same text. */
char *wasm_bpf_permissions_json(const struct wasm_bpf_permissions *p);
/* Parse the annotation's text (strict: unknown members, wrong types and
 * unknown helpers are errors; bounded).  0, -EINVAL with err, -ENOMEM. */
int wasm_bpf_permissions_parse(const char *json, size_t len, struct wasm_bpf_permissions **out,
                               char *err, size_t errlen);
/* The declaration in words, one line per object, program type, map list
 * and helper ("  loads 2 tracepoint programs: sched/sched_process_exec
 * (handle_exec), ..."); malloc'ed, NULL with errno ENOMEM. */
char *wasm_bpf_permissions_describe(const struct wasm_bpf_permissions *p);
/* Does the declaration stay within POLICY (and its chain)?  Program types,
 * the SEC() names of programs attached by them, helpers of concern.  0, or
 * -EPERM with err naming the program or helper and the rule. */
int wasm_bpf_permissions_check(const struct wasm_bpf_permissions *p,
                               const struct wasm_bpf_policy *policy, char *err, size_t errlen);
void wasm_bpf_permissions_free(struct wasm_bpf_permissions *p);

struct wasm_bpf_options {
    bool verbose;                         /* libbpf's debug output and full verifier logs */
    const struct wasm_bpf_policy *policy; /* NULL: no restriction; copied */
    /* How the caller's users ask for `verbose`, named in hints (the CLI:
     * "--verbose").  NULL: "the verbose option". */
    const char *verbose_name;
    /* Called once, on the thread running the guest, when a guest first
     * polls a buffer: it has loaded and attached its programs and now
     * waits for events (the run's readiness; the CLI's --ready-file).  A
     * guest without buffers is ready at its first map operation or
     * wasm_bpf_interrupted() call after it attached a program (a tool
     * that sleeps, then reads its maps).  NULL: nothing is called. */
    void (*on_ready)(void *ctx);
    void *ready_ctx;
    /* The module's declaration (copied): every object a guest loads must
     * stay within it.  NULL: no declaration, nothing checked against one. */
    const struct wasm_bpf_permissions *declared;
    /* A BTF file for libbpf's CO-RE relocations instead of the kernel's
     * own (/sys/kernel/btf/vmlinux): for kernels built without it, or to
     * override it.  Check it first with wasm_bpf_btf_file_check(); copied.
     * NULL: the kernel's. */
    const char *btf_path;
    /* How the caller's users give btf_path, named in the hint when a load
     * fails for want of the kernel's BTF (the CLI: "--btf FILE").  NULL:
     * "a BTF file". */
    const char *btf_name;
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

/* ---- The kernel ----------------------------------------------------------- */

/* The largest BTF file wasm_bpf_btf_file_check() accepts (a whole
 * vmlinux BTF is 5 to 10 MiB today). */
#define WASM_BPF_BTF_MAX_SIZE (256u << 20)

/* Is PATH a file libbpf can take as the kernel's BTF: a regular file of at
 * most WASM_BPF_BTF_MAX_SIZE bytes holding raw BTF (as in
 * /sys/kernel/btf/vmlinux, or `bpftool gen min_core_btf`'s output) or an
 * ELF file with a .BTF section, whose types parse and hold no reference
 * cycle?  0, or a negative errno with err saying what is wrong ("not BTF:
 * ...", "empty file"): -ENOENT, -EACCES, -EISDIR, -EINVAL, -EFBIG, -ENOMEM. */
int wasm_bpf_btf_file_check(const char *path, char *err, size_t errlen);

/* Minimal BTF for a list of kernels in a module (`wasm-bpf build
 * --min-btf`): a custom section of this name, chosen at run time by the
 * running kernel's release (docs/ABI.md section 8). */
#define WASM_BPF_BTF_SECTION "wasm-bpf.btf"

/* 0 if RELEASE can name a kernel in the section (1 to 64 printable
 * characters, no blank: what uname -r prints), else -EINVAL. */
int wasm_bpf_btf_release_check(const char *release);

/* Append the BTF of kernel RELEASE (raw BTF, LEN bytes) to SECTION, the
 * section's contents so far (empty: the header comes first).  0, -EINVAL
 * (a bad release or size) or -ENOMEM. */
struct base_buf;
int wasm_bpf_btf_section_add(struct base_buf *section, const char *release, const void *btf,
                             size_t len);

/* The BTF of kernel RELEASE in a section's contents: 1 with *btf, *btf_len
 * (pointing into SECTION); 0 when it has none for RELEASE (msg: the
 * releases it has, "a, b"); -EINVAL when the section is malformed (msg:
 * what is wrong).  Every entry is checked, found or not. */
int wasm_bpf_btf_section_find(const void *section, size_t len, const char *release,
                              const void **btf, size_t *btf_len, char *msg, size_t size);

/* BTF bytes as a file libbpf can open (a memfd, path "/proc/self/fd/N" in
 * path), checked as wasm_bpf_btf_file_check() does: the fd (the caller
 * closes it after the run), or a negative errno with err. */
int wasm_bpf_btf_memfd(const void *btf, size_t len, char *path, size_t pathlen, char *err,
                       size_t errlen);

/* Kernel features a module may depend on, as wasm_bpf_kernel_features()
 * finds them. */
enum wasm_bpf_feature {
    WASM_BPF_FEATURE_BTF,      /* the kernel's own BTF (/sys/kernel/btf/vmlinux): CO-RE, tp_btf */
    WASM_BPF_FEATURE_RINGBUF,  /* BPF_MAP_TYPE_RINGBUF (5.8) */
    WASM_BPF_FEATURE_BPF_LOOP, /* the bpf_loop() helper (5.17) */
    WASM_BPF_FEATURE_FENTRY,   /* fentry programs: loaded and attached to a kernel function */
    WASM_BPF_FEATURE_TCX,      /* tcx links for tc programs (6.6) */
    WASM_BPF_FEATURES          /* how many */
};

enum wasm_bpf_feature_state {
    WASM_BPF_FEATURE_ABSENT,  /* the kernel lacks it */
    WASM_BPF_FEATURE_PRESENT, /* it has it and this process may use it */
    WASM_BPF_FEATURE_REFUSED, /* the kernel refused this process (EPERM: capabilities, lockdown, an LSM) */
    WASM_BPF_FEATURE_UNKNOWN, /* the probe failed otherwise (see detail) */
};

struct wasm_bpf_features {
    struct {
        enum wasm_bpf_feature_state state;
        char detail[160]; /* how it was found, or why not ("the kernel refused: ...") */
    } feature[WASM_BPF_FEATURES];
};

/* "btf", "ringbuf", "bpf_loop", "fentry", "tcx"; NULL out of range. */
const char *wasm_bpf_feature_name(enum wasm_bpf_feature f);
/* "yes", "no", "refused", "unknown"; NULL out of range. */
const char *wasm_bpf_feature_state_name(enum wasm_bpf_feature_state s);

/* Probe the running kernel for each feature (a few tiny programs and maps
 * loaded and closed again; nothing stays attached).  Prints nothing.
 * 0, or -EINVAL for a NULL out. */
int wasm_bpf_kernel_features(struct wasm_bpf_features *out);

/* ---- Counters ------------------------------------------------------------
 *
 * The host counts, per map of every object a guest loaded, what the guest
 * did with it: records delivered to its poll callback and the time spent
 * in the callback (ring buffers and perf event arrays), records lost, polls,
 * and map operations and their errors.  Counters are kept by object and
 * map name, so they survive the object (a guest that closes and loads
 * `bootstrap` again goes on counting in the same entries) and only rise.
 *
 * The thread running the guest writes them without locks (relaxed atomic
 * stores: one writer); the functions below may be called from any other
 * thread at any time while the host exists, e.g. a metrics server's.  They
 * take a lock that only loading an object also takes, never a poll or a
 * map operation. */

/* What wasm_bpf_map_operate does, as counted (index of ops[], errors[]). */
enum wasm_bpf_map_op {
    WASM_BPF_MAP_LOOKUP,
    WASM_BPF_MAP_UPDATE,
    WASM_BPF_MAP_DELETE,
    WASM_BPF_MAP_GET_NEXT_KEY,
    WASM_BPF_MAP_LOOKUP_AND_DELETE,
    WASM_BPF_MAP_OPS /* how many */
};

/* "lookup", "update", "delete", "get_next_key", "lookup_and_delete";
 * NULL for a value out of range. */
const char *wasm_bpf_map_op_name(enum wasm_bpf_map_op op);

struct wasm_bpf_map_stats {
    char object[64]; /* the object's name (its file name without .o, or "obj") */
    char map[64];    /* the map's name as libbpf has it ("rb", ".rodata") */
    char type[32];   /* libbpf's name of its type: "ringbuf", "perf_event_array", "hash" */
    bool buffer;     /* a ring buffer or perf event array: the fields below count */
    /* Buffers: */
    unsigned long long polls;       /* wasm_bpf_buffer_poll calls on it */
    unsigned long long delivered;   /* records handed to the guest's callback (which returned) */
    unsigned long long callback_ns; /* time in those callbacks, in all */
    /* Records that never reached the guest: perf samples the kernel
     * dropped (perf_buffer's lost callback) and records the host could not
     * keep for a later poll (out of memory).  A full ring buffer makes the
     * program's bpf_ringbuf_reserve() fail, which the kernel does not count:
     * that loss is the program's to count. */
    unsigned long long lost;
    /* Every map: wasm_bpf_map_operate calls by command, and those that
     * failed (lookups of absent keys and the -ENOENT that ends a
     * get_next_key walk are failures too). */
    unsigned long long ops[WASM_BPF_MAP_OPS];
    unsigned long long errors[WASM_BPF_MAP_OPS];
};

/* Copy the counters of up to n maps into out, entry_size bytes apart
 * (sizeof(struct wasm_bpf_map_stats) as the caller knows it: a smaller,
 * older struct gets its prefix, a larger one zeroes in its tail).  Returns
 * how many maps there are (more than n: call again with room), or -EINVAL
 * for a NULL host or an entry_size under 64. */
long wasm_bpf_stats_maps(wasm_bpf_host *host, struct wasm_bpf_map_stats *out, size_t n,
                         size_t entry_size);

/* The host as a whole.  Set sz to sizeof(struct wasm_bpf_host_stats). */
struct wasm_bpf_host_stats {
    size_t sz;
    unsigned long long objects_loaded; /* wasm_load_bpf_object calls that succeeded */
    unsigned long long polls;          /* buffer polls of every map */
    bool ready;                        /* options' on_ready was called (see there) */
    /* Maps not counted: the host keeps the counters of at most
     * WASM_BPF_STATS_MAX_MAPS (object, map) names; beyond, their counts
     * are dropped and these many maps were left out. */
    unsigned long long untracked_maps;
};
#define WASM_BPF_STATS_MAX_MAPS 1024

/* 0, or -EINVAL (NULL host or out, sz smaller than the struct's first
 * version). */
int wasm_bpf_stats_host(wasm_bpf_host *host, struct wasm_bpf_host_stats *out);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop

#endif
