/* progtypes.c: what the host knows of each kind of BPF program, in one
 * table (like libbpf's section_defs[]): its type and SEC() prefix, how a
 * target attaches it, what target it wants, whether it needs tracefs and
 * which capability beyond CAP_BPF the kernel asks for.  attach.c, the
 * policy checks and the load-failure hints read it; adding a kind of
 * program is adding a line. */
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

static const struct wb_prog_kind prog_kinds[] = {
    /* first match wins: specific SEC() prefixes before a type's catch-all */
    {BPF_PROG_TYPE_XDP, NULL, WB_ATTACH_XDP, "a network interface name", WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_SOCKET_FILTER, NULL, WB_ATTACH_SOCKET, "a network interface name",
     WB_CAP_NET_RAW},
    {BPF_PROG_TYPE_SCHED_CLS, NULL, WB_ATTACH_TC, "IFNAME:ingress or IFNAME:egress",
     WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_SOCK_OPS, NULL, WB_ATTACH_CGROUP, "a cgroup v2 directory", WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_CGROUP_SKB, NULL, WB_ATTACH_CGROUP, "a cgroup v2 directory", WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_CGROUP_SOCK, NULL, WB_ATTACH_CGROUP, "a cgroup v2 directory", WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_CGROUP_SOCK_ADDR, NULL, WB_ATTACH_CGROUP, "a cgroup v2 directory",
     WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_CGROUP_DEVICE, NULL, WB_ATTACH_CGROUP, "a cgroup v2 directory",
     WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_CGROUP_SYSCTL, NULL, WB_ATTACH_CGROUP, "a cgroup v2 directory",
     WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_CGROUP_SOCKOPT, NULL, WB_ATTACH_CGROUP, "a cgroup v2 directory",
     WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_KPROBE, "uprobe", WB_ATTACH_UPROBE, "PATH:FUNC, PATH:FUNC+OFFSET or PATH:OFFSET",
     WB_CAP_PERFMON},
    {BPF_PROG_TYPE_KPROBE, "uretprobe", WB_ATTACH_URETPROBE,
     "PATH:FUNC, PATH:FUNC+OFFSET or PATH:OFFSET", WB_CAP_PERFMON},
    {BPF_PROG_TYPE_KPROBE, "usdt", WB_ATTACH_NONE, NULL, WB_CAP_PERFMON},
    {BPF_PROG_TYPE_KPROBE, "kretprobe", WB_ATTACH_KRETPROBE, "FUNC or FUNC+OFFSET", WB_CAP_PERFMON},
    {BPF_PROG_TYPE_KPROBE, NULL, WB_ATTACH_KPROBE, "PATH:FUNC for a uprobe, FUNC for a kprobe",
     WB_CAP_PERFMON},
    {BPF_PROG_TYPE_TRACEPOINT, NULL, WB_ATTACH_TRACEPOINT, "CATEGORY:NAME", WB_CAP_PERFMON},
    {BPF_PROG_TYPE_RAW_TRACEPOINT, NULL, WB_ATTACH_RAW_TRACEPOINT, "a tracepoint name",
     WB_CAP_PERFMON},
    {BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, NULL, WB_ATTACH_RAW_TRACEPOINT, "a tracepoint name",
     WB_CAP_PERFMON},
    {BPF_PROG_TYPE_PERF_EVENT, NULL, WB_ATTACH_NONE, NULL, WB_CAP_PERFMON},
    {BPF_PROG_TYPE_TRACING, NULL, WB_ATTACH_NONE, NULL, WB_CAP_PERFMON},
    {BPF_PROG_TYPE_LSM, NULL, WB_ATTACH_NONE, NULL, WB_CAP_PERFMON},
};

/* Section names libbpf takes in two spellings: SEC("tp/...") is
 * SEC("tracepoint/...").  The first is libbpf's canonical one. */
static const struct {
    const char *canonical, *alias;
} sec_aliases[] = {
    {"tracepoint/", "tp/"},
    {"raw_tracepoint.w/", "raw_tp.w/"},
    {"raw_tracepoint/", "raw_tp/"},
    {"classifier", "tc"},
};

static bool has_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

const struct wb_prog_kind *wasm_bpf__prog_kind_of(enum bpf_prog_type type, const char *sec)
{
    static const struct wb_prog_kind none = {0, NULL, WB_ATTACH_NONE, NULL, WB_CAP_NONE};
    for (size_t i = 0; i < sizeof(prog_kinds) / sizeof(prog_kinds[0]); i++) {
        const struct wb_prog_kind *k = &prog_kinds[i];
        if (k->type == type && (!k->sec_prefix || (sec && has_prefix(sec, k->sec_prefix))))
            return k;
    }
    return &none;
}

const char *wasm_bpf__sec_other_spelling(const char *sec, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof(sec_aliases) / sizeof(sec_aliases[0]); i++) {
        const char *from = NULL, *to = NULL;
        if (has_prefix(sec, sec_aliases[i].alias)) {
            from = sec_aliases[i].alias;
            to = sec_aliases[i].canonical;
        } else if (has_prefix(sec, sec_aliases[i].canonical)) {
            from = sec_aliases[i].canonical;
            to = sec_aliases[i].alias;
        }
        if (!from)
            continue;
        /* "tc" must not turn "tcx/ingress" into "classifierx/ingress": a
         * prefix without '/' is a whole name or ends at one */
        const char *rest = sec + strlen(from);
        if (from[strlen(from) - 1] != '/' && *rest && *rest != '/')
            continue;
        if ((size_t)snprintf(buf, size, "%s%s", to, rest) >= size)
            return NULL;
        return buf;
    }
    return NULL;
}

/* ---- capabilities: which one the kernel wanted when it said EPERM ---- */

static const struct {
    int number;
    const char *name;
} cap_names[] = {
    [WB_CAP_NONE] = {-1, NULL},
    [WB_CAP_PERFMON] = {CAP_PERFMON, "CAP_PERFMON"},
    [WB_CAP_NET_ADMIN] = {CAP_NET_ADMIN, "CAP_NET_ADMIN"},
    [WB_CAP_NET_RAW] = {CAP_NET_RAW, "CAP_NET_RAW"},
};
#define CAP_BPF_NUMBER 39 /* CAP_BPF (Linux 5.8), newer than some UAPI headers */

/* The effective capabilities of this process; all if they cannot be read. */
static uint64_t effective_caps(void)
{
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};
    if (syscall(SYS_capget, &header, data))
        return UINT64_MAX;
    return data[0].effective | (uint64_t)data[1].effective << 32;
}

static bool has_cap(uint64_t caps, int number)
{
    return caps & (UINT64_C(1) << number);
}

/* Adds `name` (for program `prog`) to the list in buf, once. */
static void add_missing(char *buf, size_t size, const char *name, const char *prog)
{
    if (strstr(buf, name))
        return;
    size_t len = strlen(buf);
    if (len >= size)
        return;
    if (prog)
        snprintf(buf + len, size - len, "%s%s (program '%s')", len ? ", " : "", name, prog);
    else
        snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
}

int wasm_bpf__caps_hint(struct bpf_object *obj, struct bpf_program *only, char *buf, size_t size)
{
    uint64_t caps = effective_caps();
    /* before CAP_BPF and CAP_PERFMON (5.8), CAP_SYS_ADMIN gave both */
    bool sys_admin = has_cap(caps, CAP_SYS_ADMIN);
    char missing[256] = "";
    if (!sys_admin && !has_cap(caps, CAP_BPF_NUMBER))
        add_missing(missing, sizeof(missing), "CAP_BPF", NULL);
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (only ? prog != only : !bpf_program__autoload(prog))
            continue;
        enum wb_cap_need need =
            wasm_bpf__prog_kind_of(bpf_program__type(prog), bpf_program__section_name(prog))->cap;
        if (need == WB_CAP_NONE || has_cap(caps, cap_names[need].number) ||
            (need == WB_CAP_PERFMON && sys_admin))
            continue;
        add_missing(missing, sizeof(missing), cap_names[need].name, bpf_program__name(prog));
    }
    if (!missing[0])
        return 0;
    snprintf(buf, size,
             "wasm-bpf needs root, or CAP_BPF and CAP_PERFMON (and CAP_NET_ADMIN for "
             "network programs); this process lacks %s",
             missing);
    return 1;
}
