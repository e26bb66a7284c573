/* internal.h: state shared by the files of the BPF host interface. */
#ifndef WASM_BPF_INTERNAL_H
#define WASM_BPF_INTERNAL_H

#include <bpf/libbpf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"
#include "wasm_engine.h"

struct wb_object;

/* The counters of one (object name, map name): stats.c.  Written only by
 * the thread running the guest (WB_STAT_ADD), read by any (relaxed loads,
 * under the host's stats_lock for the list itself). */
struct wb_stats {
    char object[64], map[64], type[32];
    bool buffer;
    unsigned long long polls, delivered, callback_ns, lost;
    unsigned long long ops[WASM_BPF_MAP_OPS], errors[WASM_BPF_MAP_OPS];
};
/* One writer: a plain add, stored whole so that a reader never sees half */
#define WB_STAT_ADD(field, n) \
    __atomic_store_n(&(field), __atomic_load_n(&(field), __ATOMIC_RELAXED) + (n), __ATOMIC_RELAXED)

/* Something the kernel keeps attached until we undo it. */
enum wb_attach_kind {
    WB_LINK,      /* a libbpf link (tracepoints, xdp, cgroup, uprobes ...) */
    WB_LINK_FD,   /* a raw BPF link fd (tcx) */
    WB_SOCKET,    /* a raw packet socket carrying a socket filter */
    WB_TC_FILTER, /* a tc filter in a clsact qdisc */
};

struct wb_attachment {
    enum wb_attach_kind kind;
    struct bpf_link *link;
    int fd;
    int ifindex;  /* WB_TC_FILTER */
    int tc_point; /* BPF_TC_INGRESS / BPF_TC_EGRESS */
    uint32_t tc_handle, tc_priority;
    int tc_slot_fd;        /* WB_TC_FILTER: the slot's lock, held while attached */
    bool tc_created_qdisc; /* we created clsact: remove it with the last filter */
    struct wb_attachment *next;
};

/* A ring buffer or perf event array of an object, created by the first poll
 * of its fd. */
struct wb_pending;
struct wb_buffer {
    int map_fd;
    bool perf; /* perf event array (else ring buffer) */
    struct ring_buffer *ring;
    struct perf_buffer *perf_buf;
    int epoll_fd;           /* the buffer's fd + the runtime's interrupt fd */
    int interrupt_fd;       /* registered in epoll_fd, or -1 */
    bool busy;              /* a poll of it is delivering records */
    struct wb_stats *stats; /* its map's counters */
    struct wb_pending *pending_head, *pending_tail; /* perf records left by a stopped poll */
    unsigned long long lost;                        /* perf samples the kernel dropped */
    struct wb_buffer *next;
};

struct wb_instance;

struct wb_object {
    uint64_t handle;
    struct wb_instance *owner;
    struct bpf_object *obj;
    char name[64];
    void *elf; /* our copy of the guest's bytes (libbpf may refer to them) */
    struct wb_attachment *attachments;
    struct wb_buffer *buffers;
    int busy;    /* polls of this object in progress */
    bool closed; /* closed by the guest while busy: freed when idle */
    struct wb_object *next;
};

/* What the host knows of one guest instance. */
struct wb_instance {
    wasm_instance *inst;
    struct wasm_bpf_host *host;
    uint64_t next_handle;
    struct wb_object *objects;
    int last_errno;       /* negative; 0 if nothing failed */
    char last_error[512]; /* "" after a failed map operation: see below */
    int map_error_cmd, map_error_fd;
    struct wb_instance *next;
};

/* One map fd of some guest object: what map_operate needs without asking
 * the kernel (the original runtime did, on every call). */
struct wb_map_fd {
    struct wb_object *object; /* NULL: not a guest map */
    uint32_t type;
    uint32_t key_size;
    uint32_t value_size;    /* for per-CPU maps: round_up(size, 8) * possible CPUs */
    struct wb_stats *stats; /* never NULL for a guest map */
};

/* One set of rules (struct wasm_bpf_policy, copied); a host has one per
 * policy of the caller's chain, and each must allow. */
struct wb_rules {
    char prog_types_name[64], attach_targets_name[64], helpers_name[64];
    char **prog_types; /* NULL: any */
    size_t n_prog_types;
    char **attach_targets; /* NULL: any */
    size_t n_attach_targets;
    char **helpers; /* helpers of concern allowed; NULL: any */
    size_t n_helpers;
};

struct wasm_bpf_host {
    bool verbose;
    char verbose_name[64]; /* the caller's name of verbose (wasm_bpf_options) */
    char *btf_path;        /* BTF for CO-RE instead of the kernel's; NULL: the kernel's */
    char btf_name[64];     /* the caller's name of btf_path, for the hint */
    struct wb_rules *rules;
    size_t n_rules;
    struct wasm_bpf_permissions *declared; /* what the module declared; NULL: no check */
    struct wb_instance *instances;
    struct wb_instance *last; /* the one that called last */
    struct wb_map_fd *fds;    /* indexed by fd */
    int nfds;
    bool tracefs_checked;
    void (*on_ready)(void *ctx);
    void *ready_ctx;
    /* counters (stats.c): stats[0..nstats) by name, appended under
     * stats_lock, freed with the host; stats_discard takes the counts of
     * maps beyond WASM_BPF_STATS_MAX_MAPS */
    pthread_mutex_t stats_lock;
    struct wb_stats **stats;
    size_t nstats, stats_cap;
    struct wb_stats stats_discard;
    unsigned long long objects_loaded, polls, untracked_maps;
    bool ready;
    /* the guests' probes' answers (probe.c), allocated at the first */
    struct wb_probe_cache *probes;
};

/* stats.c */
/* the counters of map `map` of object o, created on first use; never NULL
 * (beyond the limit: the discard entry).  On the guest's thread. */
struct wb_stats *wasm_bpf__stats_of(wasm_bpf_host *host, struct wb_object *o,
                                    const struct bpf_map *map);
void wasm_bpf__stats_free(wasm_bpf_host *host);
/* a poll began: counts it, and the first one makes the host ready */
void wasm_bpf__stats_poll(wasm_bpf_host *host, struct wb_stats *s);
/* the host is ready (wasm_bpf_options.on_ready): at the first poll, or
 * (ready_if_attached, while !host->ready) at the first map operation or
 * wasm_bpf_interrupted() of an instance that has attached a program */
void wasm_bpf__ready(wasm_bpf_host *host);
void wasm_bpf__ready_if_attached(struct wb_instance *wi);

/* host.c */
struct wb_instance *wasm_bpf__instance_of(wasm_bpf_host *host, wasm_instance *inst);
/* An import's first line: its instance's state as wi, or a trap when there
 * is no memory for it */
#define WB_INSTANCE_OR_NOMEM(wi, host, inst)                    \
    struct wb_instance *wi = wasm_bpf__instance_of(host, inst); \
    if (!wi)                                                    \
        return wasm_trap_host(inst, "wasm-bpf: out of memory");
int wasm_bpf__fail(struct wb_instance *wi, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
struct wb_object *wasm_bpf__object_lookup(struct wb_instance *wi, uint64_t handle);
void wasm_bpf__object_destroy(struct wb_object *o);

/* load.c */
/* NO_LOAD, NO_CREATE: comma-separated names of programs not to load and
 * maps not to create (wasm_load_bpf_object_with); NULL: none */
uint64_t wasm_bpf__load(struct wb_instance *wi, const void *bytes, size_t len, const char *no_load,
                        const char *no_create);
/* the bytes the kernel reads or writes for one value (per-CPU maps: all CPUs) */
uint32_t wasm_bpf__value_size(const struct bpf_map *map);

/* progtypes.c: the kinds of program, one line each of a table */
enum wb_attach_how {
    WB_ATTACH_NONE, /* only by its SEC() name: a target is refused */
    WB_ATTACH_XDP,
    WB_ATTACH_SOCKET,
    WB_ATTACH_TC,
    WB_ATTACH_CGROUP,
    WB_ATTACH_UPROBE,
    WB_ATTACH_URETPROBE,
    WB_ATTACH_KPROBE,
    WB_ATTACH_KRETPROBE,
    WB_ATTACH_TRACEPOINT,
    WB_ATTACH_RAW_TRACEPOINT,
};
/* the capability the kernel asks for beyond CAP_BPF, to load or attach */
enum wb_cap_need { WB_CAP_NONE, WB_CAP_PERFMON, WB_CAP_NET_ADMIN, WB_CAP_NET_RAW };
struct wb_prog_kind {
    enum bpf_prog_type type;
    const char *sec_prefix;    /* SEC() names starting so; NULL: any of the type */
    enum wb_attach_how attach; /* how a target attaches it */
    const char *target_hint;   /* the target it wants, for messages; NULL: none */
    enum wb_cap_need cap;
};
/* the line for a program of `type` declared SEC(sec); never NULL */
const struct wb_prog_kind *wasm_bpf__prog_kind_of(enum bpf_prog_type type, const char *sec);
/* `sec` in libbpf's other spelling of the same section ("tp/a/b" <->
 * "tracepoint/a/b"), written to buf; NULL if it has none */
const char *wasm_bpf__sec_other_spelling(const char *sec, char *buf, size_t size);
/* After the kernel refused with EPERM: 1 and a sentence in buf naming the
 * capabilities this process lacks for the object's programs (or only for
 * `only`, if not NULL); 0 if it lacks none (then something else refused) */
int wasm_bpf__caps_hint(struct bpf_object *obj, struct bpf_program *only, char *buf, size_t size);

/* btf_check.c: 0, or -EINVAL with `why` naming a type whose chain of
 * qualifiers, typedefs, pointers, arrays ... leads back to itself (libbpf
 * would loop on it) */
struct btf;
int wasm_bpf__btf_check_chains(const struct btf *btf, char *why, size_t whylen);
/* the same for the .BTF section of an ELF object; 0 if it has none */
int wasm_bpf__btf_check_object(const void *bytes, size_t len, char *why, size_t whylen);
/* The data of the ELF section named NAME (".BTF"), or NULL when there is
 * none or it is empty (for load.c's object name too). */
Elf_Data *wasm_bpf__elf_section(Elf *elf, const char *name);

/* attach.c */
int wasm_bpf__attach(struct wb_instance *wi, struct wb_object *o, const char *prog_name,
                     const char *target);
void wasm_bpf__detach_all(struct wb_object *o);

/* buffer.c */
wasm_status wasm_bpf__poll(struct wb_instance *wi, struct wb_object *o, int fd, uint32_t cb,
                           uint32_t ctx, uint32_t data, uint32_t max, int timeout_ms,
                           int32_t *result);
void wasm_bpf__buffers_prepare(struct wb_instance *wi, struct wb_object *o);
void wasm_bpf__buffers_free(struct wb_object *o);

/* maps.c */
int wasm_bpf__map_fds_add(wasm_bpf_host *host, struct wb_object *o);
void wasm_bpf__map_fds_remove(wasm_bpf_host *host, struct wb_object *o);
int wasm_bpf__map_operate(struct wb_instance *wi, int fd, int cmd, uint32_t key, uint32_t value,
                          uint32_t next_key, uint64_t flags);

/* log.c: libbpf's messages */
void wasm_bpf__log_begin(wasm_bpf_host *host); /* capture libbpf's output from now */
void wasm_bpf__log_end(void);                  /* stop capturing; work out the reason */
const char *wasm_bpf__log_reason(void);        /* libbpf's first warning (+ verifier's), or "" */
void wasm_bpf__log_print(void);                /* what was captured, printed (not if verbose) */
void wasm_bpf__log_init(void);                 /* route libbpf's output through us */
void wasm_bpf__log_begin_quiet(void);          /* capture and drop (probes), even if verbose */
void wasm_bpf__log_end_quiet(void);

/* kernel.c: probes, 1 yes, 0 no, or a negative errno (-EINVAL: a number
 * libbpf does not know; -ENOTSUP: cannot be probed; -EPERM: the kernel
 * refused the probe); what was found in detail.  Nothing printed. */
#define WB_HELPER_MAX 1024 /* helper numbers probed: 1 .. WB_HELPER_MAX - 1 (the kernel has ~210) */
int wasm_bpf__kernel_feature(enum wasm_bpf_feature f, char *detail, size_t size);
int wasm_bpf__probe_prog_type(enum bpf_prog_type type, char *detail, size_t size);
int wasm_bpf__probe_map_type(enum bpf_map_type type, char *detail, size_t size);
int wasm_bpf__probe_helper(enum bpf_prog_type type, int helper, char *detail, size_t size);

/* probe.c: the probe imports (docs/ABI.md section 4) */
wasm_status wasm_bpf__import_probe_prog_type(wasm_instance *inst, void *userdata, wasm_value *args);
wasm_status wasm_bpf__import_probe_map_type(wasm_instance *inst, void *userdata, wasm_value *args);
wasm_status wasm_bpf__import_probe_helper(wasm_instance *inst, void *userdata, wasm_value *args);
wasm_status wasm_bpf__import_probe_feature(wasm_instance *inst, void *userdata, wasm_value *args);

/* errno.c: a negative Linux errno as the guest's (WASI) errno; >= 0 unchanged */
int wasm_bpf__guest_errno(int err);
/* libbpf's LIBBPF_ERRNO__* codes as the nearest errno; others unchanged */
int wasm_bpf__errno_from_libbpf(int err);
/* the text of an errno or a libbpf error code */
const char *wasm_bpf__strerror(int err);

/* policy checks (host.c): NULL if every rule set allows, else the name
 * the caller gave the rule that refuses ("--allow-prog-type") */
const char *wasm_bpf__prog_type_refused(const wasm_bpf_host *host, const char *type);
/* TARGET, or its OTHER spelling (NULL: none), matches a pattern */
const char *wasm_bpf__target_refused(const wasm_bpf_host *host, const char *target,
                                     const char *other);
const char *wasm_bpf__helper_refused(const wasm_bpf_host *host, const char *helper);
/* S is in LIST (N entries; NULL: any S is); as fnmatch(3) patterns if PATTERN */
bool wasm_bpf__rule_has(const char *const *list, size_t n, const char *s, bool pattern);

/* load.c: the object's name from its BTF ("bootstrap_bpf"), else "wasm_bpf" */
void wasm_bpf__object_name(const void *bytes, size_t len, char *name, size_t size);

/* perms.c: the helpers of concern */
int wasm_bpf__helper_index(const char *name); /* -1: not one of them */
const char *wasm_bpf__helper_name(unsigned index);
/* the name of helper number ID if it is one of concern, else NULL */
const char *wasm_bpf__helper_concern_by_id(int id);
/* Calls FN for the first call of each helper of concern in each code
 * section of the ELF object: the function (symbol) and section it is in.
 * 0, FN's non-zero result, or -EINVAL if the ELF cannot be read. */
typedef int (*wasm_bpf__helper_call_fn)(void *ctx, const char *func, const char *section,
                                        unsigned helper);
int wasm_bpf__helper_calls(const void *bytes, size_t len, wasm_bpf__helper_call_fn fn, void *ctx);
/* size of the BPF ELF object starting at P, 0 if none fits in AVAIL bytes */
size_t wasm_bpf__elf_extent(const uint8_t *p, size_t avail);
/* 0, or -EPERM with ERR naming what OBJ needs beyond the declaration D */
int wasm_bpf__check_declared(const struct wasm_bpf_permissions *d, struct bpf_object *obj,
                             const char *objname, const void *bytes, size_t len, char *err,
                             size_t errlen);
struct wasm_bpf_permissions *wasm_bpf__permissions_copy(const struct wasm_bpf_permissions *p);

#endif
