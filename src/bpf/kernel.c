/* kernel.c: what the running kernel offers a module: a BTF file standing
 * in for the kernel's own (wasm_bpf_btf_file_check), and the features a
 * module may depend on (wasm_bpf_kernel_features), found by loading tiny
 * programs and maps and closing them again.
 *
 * A probe's failure is an answer, not an error: libbpf's messages during
 * one are captured and dropped (wasm_bpf__log_begin_quiet). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "internal.h"

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"
/* tcx attach types (6.6), missing from older uapi headers */
#define TCX_INGRESS 46

static int say(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* The BTF in PATH parsed (NULL with -errno in *rc), libbpf's messages dropped */
static struct btf *parse_quietly(const char *path, int *rc)
{
    wasm_bpf__log_init(); /* before any host: libbpf's messages come to us */
    wasm_bpf__log_begin_quiet();
    struct btf *btf = btf__parse(path, NULL);
    *rc = btf ? 0 : -errno;
    wasm_bpf__log_end_quiet();
    return btf;
}

int wasm_bpf_btf_file_check(const char *path, char *err, size_t errlen)
{
    if (!path || !*path)
        return say(err, errlen, -EINVAL, "empty path");
    struct stat st;
    if (stat(path, &st))
        return say(err, errlen, -errno, "%s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return say(err, errlen, -EISDIR, "is a directory, not a BTF file");
    if (!S_ISREG(st.st_mode))
        return say(err, errlen, -EINVAL, "not a regular file");
    if (st.st_size == 0)
        return say(err, errlen, -EINVAL, "empty file, not BTF");
    if ((unsigned long long)st.st_size > WASM_BPF_BTF_MAX_SIZE)
        return say(err, errlen, -EFBIG, "%lld bytes, more than the %u MiB a BTF file may have",
                   (long long)st.st_size, WASM_BPF_BTF_MAX_SIZE >> 20);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return say(err, errlen, -errno, "%s", strerror(errno));
    unsigned char magic[4] = {0};
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    bool raw = n >= 2 &&
               ((magic[0] == 0x9f && magic[1] == 0xeb) || (magic[0] == 0xeb && magic[1] == 0x9f));
    bool elf = n == 4 && !memcmp(magic, "\177ELF", 4);
    if (!raw && !elf)
        return say(err, errlen, -EINVAL,
                   "not BTF: neither raw BTF (magic 0xeb9f, as /sys/kernel/btf/vmlinux) nor an ELF "
                   "file with a .BTF section");
    int rc;
    struct btf *btf = parse_quietly(path, &rc);
    if (!btf) {
        if (rc == -ENOMEM)
            return say(err, errlen, rc, "out of memory reading its BTF");
        if (elf && rc == -ENOENT)
            return say(err, errlen, -EINVAL, "an ELF file without a .BTF section");
        return say(err, errlen, -EINVAL, "not valid %s: %s",
                   elf ? "BTF in its .BTF section" : "BTF", strerror(-rc));
    }
    char why[256];
    if (btf__type_cnt(btf) <= 1)
        rc = say(err, errlen, -EINVAL, "holds no types");
    else if ((rc = wasm_bpf__btf_check_chains(btf, why, sizeof why)))
        rc = say(err, errlen, rc, "%s", why);
    btf__free(btf);
    return rc;
}

/* ---- Features ----------------------------------------------------------- */

static const char *const feature_names[WASM_BPF_FEATURES] = {
    [WASM_BPF_FEATURE_BTF] = "btf",           [WASM_BPF_FEATURE_RINGBUF] = "ringbuf",
    [WASM_BPF_FEATURE_BPF_LOOP] = "bpf_loop", [WASM_BPF_FEATURE_FENTRY] = "fentry",
    [WASM_BPF_FEATURE_TCX] = "tcx",
};

static const char *const state_names[] = {
    [WASM_BPF_FEATURE_ABSENT] = "no",
    [WASM_BPF_FEATURE_PRESENT] = "yes",
    [WASM_BPF_FEATURE_REFUSED] = "refused",
    [WASM_BPF_FEATURE_UNKNOWN] = "unknown",
};

const char *wasm_bpf_feature_name(enum wasm_bpf_feature f)
{
    return (unsigned)f < WASM_BPF_FEATURES ? feature_names[f] : NULL;
}

const char *wasm_bpf_feature_state_name(enum wasm_bpf_feature_state s)
{
    return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : NULL;
}

#define SET(out, f, st, ...)                                                               \
    do {                                                                                   \
        (out)->feature[f].state = (st);                                                    \
        snprintf((out)->feature[f].detail, sizeof((out)->feature[f].detail), __VA_ARGS__); \
    } while (0)

/* A libbpf probe's answer: 1 yes, 0 no, else an errno */
static void probe_answer(struct wasm_bpf_features *out, enum wasm_bpf_feature f, int r,
                         const char *how)
{
    if (r == 1)
        SET(out, f, WASM_BPF_FEATURE_PRESENT, "%s", how);
    else if (r == 0)
        SET(out, f, WASM_BPF_FEATURE_ABSENT, "%s: the kernel does not know it", how);
    else if (r == -EPERM || r == -EACCES)
        SET(out, f, WASM_BPF_FEATURE_REFUSED, "%s: the kernel refused: %s", how, strerror(-r));
    else
        SET(out, f, WASM_BPF_FEATURE_UNKNOWN, "%s: %s", how, wasm_bpf__strerror(r));
}

/* r0 = 0; exit */
static const struct bpf_insn return_zero[] = {
    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
    {.code = BPF_JMP | BPF_EXIT},
};

/* A program of TYPE loaded: its fd, or -errno */
static int load_tiny(enum bpf_prog_type type, const struct bpf_prog_load_opts *opts)
{
    int fd = bpf_prog_load(type, NULL, "GPL", return_zero, 2, opts);
    return fd >= 0 ? fd : -errno;
}

/* fentry: load one for a kernel function only BPF's own tests call, and
 * attach it for an instant.  Needs the kernel's BTF for the function. */
static void probe_fentry(struct wasm_bpf_features *out, const struct btf *vmlinux)
{
    enum wasm_bpf_feature f = WASM_BPF_FEATURE_FENTRY;
    if (!vmlinux) {
        SET(out, f, WASM_BPF_FEATURE_ABSENT, "needs the kernel's BTF");
        return;
    }
    static const char target[] = "bpf_fentry_test1";
    int id = btf__find_by_name_kind(vmlinux, target, BTF_KIND_FUNC);
    if (id < 0) {
        SET(out, f, WASM_BPF_FEATURE_UNKNOWN, "no kernel function %s to probe with", target);
        return;
    }
    LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_TRACE_FENTRY,
                .attach_btf_id = (unsigned)id);
    int fd = load_tiny(BPF_PROG_TYPE_TRACING, &lo);
    if (fd == -EINVAL || fd == -E2BIG) {
        SET(out, f, WASM_BPF_FEATURE_ABSENT, "loading one for %s: %s", target, strerror(-fd));
        return;
    }
    if (fd < 0) {
        probe_answer(out, f, fd, "loading one");
        return;
    }
    int link = bpf_raw_tracepoint_open(NULL, fd);
    int r = link >= 0 ? 1 : -errno;
    if (link >= 0)
        close(link);
    close(fd);
    probe_answer(out, f, r, r == 1 ? "attached one to bpf_fentry_test1" : "attaching one");
}

/* tcx: a link of a tc program to interface index 0, which no interface
 * has: a kernel with tcx says ENODEV (it looked for the interface), one
 * without says EINVAL (it does not know the attach type).  Nothing is
 * attached either way. */
static void probe_tcx(struct wasm_bpf_features *out)
{
    enum wasm_bpf_feature f = WASM_BPF_FEATURE_TCX;
    int fd = load_tiny(BPF_PROG_TYPE_SCHED_CLS, NULL);
    if (fd < 0) {
        probe_answer(out, f, fd, "loading a tc program");
        return;
    }
    int link = bpf_link_create(fd, 0, (enum bpf_attach_type)TCX_INGRESS, NULL);
    int err = link >= 0 ? 0 : -errno;
    if (link >= 0)
        close(link);
    close(fd);
    if (err == 0 || err == -ENODEV)
        SET(out, f, WASM_BPF_FEATURE_PRESENT, "the kernel knows tcx links");
    else if (err == -EINVAL)
        SET(out, f, WASM_BPF_FEATURE_ABSENT,
            "the kernel does not know tcx links (tc filters instead)");
    else
        probe_answer(out, f, err, "a tcx link");
}

/* The kernel's own BTF, parsed (NULL: none), with its state in out */
static struct btf *probe_btf(struct wasm_bpf_features *out)
{
    struct btf *vmlinux = NULL;
    struct stat st;
    if (stat(KERNEL_BTF, &st)) {
        SET(out, WASM_BPF_FEATURE_BTF, WASM_BPF_FEATURE_ABSENT, "no %s", KERNEL_BTF);
        return NULL;
    }
    int rc;
    vmlinux = parse_quietly(KERNEL_BTF, &rc);
    if (vmlinux)
        SET(out, WASM_BPF_FEATURE_BTF, WASM_BPF_FEATURE_PRESENT, "%s, %u types", KERNEL_BTF,
            btf__type_cnt(vmlinux) - 1);
    else
        SET(out, WASM_BPF_FEATURE_BTF, WASM_BPF_FEATURE_ABSENT, "%s unreadable: %s", KERNEL_BTF,
            st.st_size ? strerror(-rc) : "an empty file");
    return vmlinux;
}

/* One feature into out->feature[f] */
static void probe_one(struct wasm_bpf_features *out, enum wasm_bpf_feature f, struct btf *vmlinux)
{
    wasm_bpf__log_begin_quiet();
    switch (f) {
    case WASM_BPF_FEATURE_RINGBUF:
        probe_answer(out, f, libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL),
                     "a ring buffer map");
        break;
    case WASM_BPF_FEATURE_BPF_LOOP:
        probe_answer(out, f,
                     libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_loop, NULL),
                     "a program calling bpf_loop");
        break;
    case WASM_BPF_FEATURE_FENTRY: probe_fentry(out, vmlinux); break;
    case WASM_BPF_FEATURE_TCX: probe_tcx(out); break;
    default: break;
    }
    wasm_bpf__log_end_quiet();
}

int wasm_bpf_kernel_features(struct wasm_bpf_features *out)
{
    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    struct btf *vmlinux = probe_btf(out);
    for (int f = WASM_BPF_FEATURE_BTF + 1; f < WASM_BPF_FEATURES; f++)
        probe_one(out, f, vmlinux);
    btf__free(vmlinux);
    return 0;
}

int wasm_bpf__kernel_feature(enum wasm_bpf_feature f, char *detail, size_t size)
{
    if ((unsigned)f >= WASM_BPF_FEATURES)
        return -EINVAL;
    struct wasm_bpf_features out;
    memset(&out, 0, sizeof out);
    struct btf *vmlinux = NULL;
    if (f == WASM_BPF_FEATURE_BTF || f == WASM_BPF_FEATURE_FENTRY)
        vmlinux = probe_btf(&out);
    if (f != WASM_BPF_FEATURE_BTF)
        probe_one(&out, f, vmlinux);
    btf__free(vmlinux);
    snprintf(detail, size, "%s", out.feature[f].detail);
    switch (out.feature[f].state) {
    case WASM_BPF_FEATURE_PRESENT: return 1;
    case WASM_BPF_FEATURE_ABSENT: return 0;
    case WASM_BPF_FEATURE_REFUSED: return -EPERM;
    default: return -EIO;
    }
}

/* ---- Probes for guests (probe.c) ---------------------------------------- */

/* tracing (as tp_btf: a raw tracepoint through the kernel's BTF) and lsm
 * programs need a BTF id of the kernel's, which libbpf's probe does not
 * give them: load one for a type or function every such kernel has */
static int probe_btf_prog(enum bpf_prog_type type, char *detail, size_t size)
{
    bool lsm = type == BPF_PROG_TYPE_LSM;
    const char *name = lsm ? "bpf_lsm_file_open" : "btf_trace_sched_switch";
    int rc;
    struct btf *vmlinux = parse_quietly(KERNEL_BTF, &rc);
    if (!vmlinux) {
        snprintf(detail, size, "needs the kernel's BTF (%s: %s)", KERNEL_BTF, strerror(-rc));
        return 0;
    }
    int id = btf__find_by_name_kind(vmlinux, name, lsm ? BTF_KIND_FUNC : BTF_KIND_TYPEDEF);
    btf__free(vmlinux);
    if (id < 0) {
        snprintf(detail, size, "the kernel's BTF has no %s", name);
        return 0;
    }
    LIBBPF_OPTS(bpf_prog_load_opts, lo, .attach_btf_id = (unsigned)id,
                .expected_attach_type = lsm ? BPF_LSM_MAC : BPF_TRACE_RAW_TP);
    int fd = load_tiny(type, &lo);
    if (fd >= 0) {
        close(fd);
        snprintf(detail, size, "loaded one for %s", name);
        return 1;
    }
    snprintf(detail, size, "loading one for %s: %s", name, strerror(-fd));
    return fd == -EINVAL || fd == -E2BIG ? 0 : fd;
}

int wasm_bpf__probe_prog_type(enum bpf_prog_type type, char *detail, size_t size)
{
    if (!libbpf_bpf_prog_type_str(type) || type == BPF_PROG_TYPE_UNSPEC) {
        snprintf(detail, size, "unknown program type %d", (int)type);
        return -EINVAL;
    }
    if (type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_LSM)
        return probe_btf_prog(type, detail, size);
    wasm_bpf__log_begin_quiet();
    int r = libbpf_probe_bpf_prog_type(type, NULL);
    wasm_bpf__log_end_quiet();
    snprintf(detail, size, "program type %s: %s", libbpf_bpf_prog_type_str(type),
             r == 1   ? "loaded one"
             : r == 0 ? "the kernel does not know it"
                      : strerror(-r));
    return r == -EOPNOTSUPP ? -ENOTSUP : r;
}

int wasm_bpf__probe_map_type(enum bpf_map_type type, char *detail, size_t size)
{
    if (!libbpf_bpf_map_type_str(type) || type == BPF_MAP_TYPE_UNSPEC) {
        snprintf(detail, size, "unknown map type %d", (int)type);
        return -EINVAL;
    }
    wasm_bpf__log_begin_quiet();
    int r = libbpf_probe_bpf_map_type(type, NULL);
    wasm_bpf__log_end_quiet();
    snprintf(detail, size, "map type %s: %s", libbpf_bpf_map_type_str(type),
             r == 1   ? "created one"
             : r == 0 ? "the kernel does not know it"
                      : strerror(-r));
    return r == -EOPNOTSUPP ? -ENOTSUP : r;
}

int wasm_bpf__probe_helper(enum bpf_prog_type type, int helper, char *detail, size_t size)
{
    if (!libbpf_bpf_prog_type_str(type) || type == BPF_PROG_TYPE_UNSPEC) {
        snprintf(detail, size, "unknown program type %d", (int)type);
        return -EINVAL;
    }
    if (helper <= 0 || helper >= WB_HELPER_MAX) {
        snprintf(detail, size, "helper number %d out of range (1 to %d)", helper,
                 WB_HELPER_MAX - 1);
        return -EINVAL;
    }
    wasm_bpf__log_begin_quiet();
    int r = libbpf_probe_bpf_helper(type, (enum bpf_func_id)helper, NULL);
    wasm_bpf__log_end_quiet();
    if (r == -EOPNOTSUPP) {
        snprintf(detail, size,
                 "helpers of %s programs cannot be probed (they need a kernel BTF id)",
                 libbpf_bpf_prog_type_str(type));
        return -ENOTSUP;
    }
    snprintf(detail, size, "helper %d in a %s program: %s", helper, libbpf_bpf_prog_type_str(type),
             r == 1   ? "loaded"
             : r == 0 ? "the kernel refused it"
                      : strerror(-r));
    return r;
}
