/* progtypes.c: what the host knows of each kind of BPF program, in one
 * table (like libbpf's section_defs[]): its type and SEC() prefix, how a
 * target attaches it, what target it wants, whether it needs tracefs and
 * which capability beyond CAP_BPF the kernel asks for.  attach.c, the
 * policy checks and the load-failure hints read it; adding a kind of
 * program is adding a line. */
#include <string.h>

#include "internal.h"

static const struct wb_prog_kind prog_kinds[] = {
    /* first match wins: specific SEC() prefixes before a type's catch-all */
    {BPF_PROG_TYPE_XDP, NULL, WB_ATTACH_XDP, "a network interface name", WB_CAP_NET_ADMIN},
    {BPF_PROG_TYPE_SOCKET_FILTER, NULL, WB_ATTACH_SOCKET, "a network interface name",
     WB_CAP_NET_ADMIN},
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

const struct wb_prog_kind *wb_prog_kind_of(enum bpf_prog_type type, const char *sec)
{
    static const struct wb_prog_kind none = {0, NULL, WB_ATTACH_NONE, NULL, WB_CAP_NONE};
    for (size_t i = 0; i < sizeof(prog_kinds) / sizeof(prog_kinds[0]); i++) {
        const struct wb_prog_kind *k = &prog_kinds[i];
        if (k->type == type && (!k->sec_prefix || (sec && has_prefix(sec, k->sec_prefix))))
            return k;
    }
    return &none;
}

const char *wb_sec_other_spelling(const char *sec, char *buf, size_t size)
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
