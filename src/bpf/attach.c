/* attach.c: wasm_attach_bpf_program, and detaching everything at close.
 *
 * No target: libbpf attaches the program by its SEC() name.  A target
 * means, by program type (docs/ABI.md):
 *   xdp                      IFNAME (a BPF link)
 *   cgroup programs          a cgroup v2 directory (a BPF link)
 *   tc (sched_cls)           IFNAME:ingress or IFNAME:egress (a tcx link
 *                            where the kernel has tcx, else a filter in a
 *                            clsact qdisc that we create and remove)
 *   socket filter            IFNAME (a raw packet socket bound to it,
 *                            carrying the filter, kept with the object)
 *   uprobe, uretprobe        PATH:FUNC, PATH:FUNC+OFFSET or PATH:OFFSET
 *   kprobe, kretprobe        FUNC or FUNC+OFFSET
 *   tracepoint               CATEGORY:NAME or CATEGORY/NAME
 *   raw tracepoint           NAME
 * A target for a type that takes none, or a tracepoint target that is not
 * CATEGORY:NAME, is ignored (the original runtime's behaviour).
 * Every attachment is recorded with its object, so that closing the object
 * (or the end of the run) undoes it. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF 50
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
/* tcx attach types (Linux 6.6), newer than the installed UAPI headers */
#define WB_BPF_TCX_INGRESS 46
#define WB_BPF_TCX_EGRESS  47

#define TRACEFS "/sys/kernel/tracing"

static int add_attachment(struct wb_object *o, struct wb_attachment a)
{
    struct wb_attachment *p = malloc(sizeof(*p));
    if (!p)
        return -ENOMEM;
    *p = a;
    p->next = o->attachments;
    o->attachments = p;
    return 0;
}

static int add_link(struct wb_object *o, struct bpf_link *link)
{
    int err = add_attachment(o, (struct wb_attachment){.kind = WB_LINK, .link = link, .fd = -1});
    if (err)
        bpf_link__destroy(link);
    return err;
}

/* Our clsact filters are marked: handle WB_TC_HANDLE at one of the
 * priorities WB_TC_PRIO_BASE + slot, slot < WB_TC_SLOTS per hook.  A run
 * holds an flock on WB_TC_LOCK_DIR/IFINDEX-POINT-SLOT for each slot it
 * uses; the kernel drops the lock when the process dies, even by SIGKILL,
 * which leaves the filter behind (netlink objects outlive their creator,
 * unlike tcx links).  So a slot whose lock is free but that holds a filter
 * is a killed run's: the next run removes it and takes the slot. */
#define WB_TC_HANDLE    0x7762u /* "wb" */
#define WB_TC_PRIO_BASE 0xc000u
#define WB_TC_SLOTS     16
#define WB_TC_LOCK_DIR  "/run/wasm-bpf"

static int tc_claim_slot(struct wb_instance *wi, int ifindex, enum bpf_tc_attach_point point,
                         uint32_t *priority, int *lock_fd)
{
    if (mkdir(WB_TC_LOCK_DIR, 0755) < 0 && errno != EEXIST)
        return wasm_bpf__fail(wi, -errno, "attach: cannot create " WB_TC_LOCK_DIR ": %s",
                              strerror(errno));
    for (int slot = 0; slot < WB_TC_SLOTS; slot++) {
        char path[96];
        snprintf(path, sizeof path, WB_TC_LOCK_DIR "/tc-%d-%s-%d.lock", ifindex,
                 point == BPF_TC_INGRESS ? "ingress" : "egress", slot);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return wasm_bpf__fail(wi, -errno, "attach: cannot create %s: %s", path,
                                  strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
            close(fd); /* a live run's */
            continue;
        }
        LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
        LIBBPF_OPTS(bpf_tc_opts, q, .handle = WB_TC_HANDLE, .priority = WB_TC_PRIO_BASE + slot);
        if (bpf_tc_query(&hook, &q) == 0) {
            LIBBPF_OPTS(bpf_tc_opts, d, .handle = WB_TC_HANDLE, .priority = WB_TC_PRIO_BASE + slot);
            int err = bpf_tc_detach(&hook, &d);
            if (wi->host->verbose)
                base_print(WASM_BPF_DEBUG,
                           "wasm-bpf: removed a stale tc filter (program id %u, priority "
                           "0x%x) that a killed run left on interface %d %s%s%s\n",
                           q.prog_id, WB_TC_PRIO_BASE + slot, ifindex,
                           point == BPF_TC_INGRESS ? "ingress" : "egress", err ? ": " : "",
                           err ? strerror(-err) : "");
        }
        *priority = WB_TC_PRIO_BASE + slot;
        *lock_fd = fd;
        return 0;
    }
    return wasm_bpf__fail(wi, -EBUSY,
                          "attach: %d wasm-bpf tc filters already on interface %d's %s hook",
                          WB_TC_SLOTS, ifindex, point == BPF_TC_INGRESS ? "ingress" : "egress");
}

/* clsact qdiscs that we created, shared by our filters on one interface */
static struct qdisc_ref {
    int ifindex;
    int refs;
    struct qdisc_ref *next;
} * qdiscs;

static void detach_one(struct wb_attachment *a)
{
    switch (a->kind) {
    case WB_LINK: bpf_link__destroy(a->link); break;
    case WB_LINK_FD:
    case WB_SOCKET: close(a->fd); break;
    case WB_TC_FILTER: {
        LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex, .attach_point = a->tc_point);
        LIBBPF_OPTS(bpf_tc_opts, opts, .handle = a->tc_handle, .priority = a->tc_priority);
        bpf_tc_detach(&hook, &opts);
        if (a->tc_slot_fd >= 0)
            close(a->tc_slot_fd); /* after the detach: the slot is free again */
        for (struct qdisc_ref **q = &qdiscs; *q; q = &(*q)->next) {
            if ((*q)->ifindex != a->ifindex)
                continue;
            if (--(*q)->refs == 0) {
                struct qdisc_ref *dead = *q;
                *q = dead->next;
                free(dead);
                hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS; /* the qdisc itself */
                bpf_tc_hook_destroy(&hook);
            }
            break;
        }
        break;
    }
    }
}

void wasm_bpf__detach_all(struct wb_object *o)
{
    while (o->attachments) {
        struct wb_attachment *a = o->attachments;
        o->attachments = a->next;
        detach_one(a);
        free(a);
    }
}

/* ------------------------------------------------------------------ */
/* Targets                                                             */
/* ------------------------------------------------------------------ */

static int ifindex_of(struct wb_instance *wi, const char *prog, const char *ifname, int *ifindex)
{
    if (strlen(ifname) >= IF_NAMESIZE || !(*ifindex = (int)if_nametoindex(ifname)))
        return wasm_bpf__fail(wi, -ENODEV, "attach: program '%s': no network interface '%s'", prog,
                              ifname);
    return 0;
}

static int attach_xdp(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                      const char *ifname)
{
    int ifindex, err;
    if ((err = ifindex_of(wi, bpf_program__name(prog), ifname, &ifindex)))
        return err;
    struct bpf_link *link = bpf_program__attach_xdp(prog, ifindex);
    if (!link)
        return -errno;
    return add_link(o, link);
}

static int attach_cgroup(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                         const char *path)
{
    int cg = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg < 0)
        return wasm_bpf__fail(wi, -errno,
                              "attach: program '%s': cannot open cgroup directory '%s': %s",
                              bpf_program__name(prog), path, strerror(errno));
    struct statfs st;
    if (fstatfs(cg, &st) || st.f_type != CGROUP2_SUPER_MAGIC) {
        close(cg);
        return wasm_bpf__fail(wi, -EINVAL,
                              "attach: program '%s': '%s' is not a cgroup v2 directory "
                              "(mount cgroup2 somewhere and give a directory in it)",
                              bpf_program__name(prog), path);
    }
    struct bpf_link *link = bpf_program__attach_cgroup(prog, cg);
    int err = link ? 0 : -errno;
    close(cg);
    return err ? err : add_link(o, link);
}

static int attach_tc(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                     const char *target)
{
    const char *colon = strrchr(target, ':');
    const char *name = bpf_program__name(prog);
    bool ingress;
    if (colon && !strcmp(colon + 1, "ingress"))
        ingress = true;
    else if (colon && !strcmp(colon + 1, "egress"))
        ingress = false;
    else
        return wasm_bpf__fail(wi, -EINVAL,
                              "attach: tc program '%s' needs IFNAME:ingress or IFNAME:egress, "
                              "not '%s'",
                              name, target);
    char ifname[IF_NAMESIZE];
    if ((size_t)(colon - target) >= sizeof(ifname))
        return wasm_bpf__fail(wi, -ENODEV, "attach: program '%s': no network interface '%.*s'",
                              name, (int)(colon - target), target);
    snprintf(ifname, sizeof(ifname), "%.*s", (int)(colon - target), target);
    int ifindex, err;
    if ((err = ifindex_of(wi, name, ifname, &ifindex)))
        return err;
    int prog_fd = bpf_program__fd(prog);

    /* tcx: a link, gone with its fd even if the runtime is killed */
    const char *mode = getenv("WASM_BPF_TC_MODE");
    if (!mode || strcmp(mode, "clsact")) {
        int fd = bpf_link_create(prog_fd, ifindex, ingress ? WB_BPF_TCX_INGRESS : WB_BPF_TCX_EGRESS,
                                 NULL);
        if (fd >= 0) {
            err = add_attachment(o, (struct wb_attachment){.kind = WB_LINK_FD, .fd = fd});
            if (err)
                close(fd);
            return err;
        }
        if (fd != -EINVAL && fd != -EOPNOTSUPP)
            return fd;
        /* an older kernel: fall back to clsact */
    }

    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
                .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
    struct qdisc_ref *q = NULL;
    err = bpf_tc_hook_create(&hook);
    if (err && err != -EEXIST)
        return err;
    if (!err) {
        q = calloc(1, sizeof(*q));
        if (!q) {
            hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
            bpf_tc_hook_destroy(&hook);
            return -ENOMEM;
        }
        q->ifindex = ifindex;
        q->next = qdiscs;
        qdiscs = q;
    }
    uint32_t priority = 0;
    int slot_fd = -1;
    err = tc_claim_slot(wi, ifindex, hook.attach_point, &priority, &slot_fd);
    LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = WB_TC_HANDLE,
                .priority = priority);
    if (!err && (err = bpf_tc_attach(&hook, &opts)))
        close(slot_fd);
    if (!err) {
        for (struct qdisc_ref *r = qdiscs; r; r = r->next)
            if (r->ifindex == ifindex)
                r->refs++;
        struct wb_attachment a = {
            .kind = WB_TC_FILTER,
            .fd = -1,
            .ifindex = ifindex,
            .tc_point = hook.attach_point,
            .tc_handle = opts.handle,
            .tc_priority = opts.priority,
            .tc_slot_fd = slot_fd,
        };
        if (!(err = add_attachment(o, a)))
            return 0;
        detach_one(&a);
        return err;
    }
    if (q) {
        qdiscs = q->next;
        free(q);
        hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
        bpf_tc_hook_destroy(&hook);
    }
    return err;
}

static int attach_socket(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                         const char *ifname)
{
    int ifindex, err;
    if ((err = ifindex_of(wi, bpf_program__name(prog), ifname, &ifindex)))
        return err;
    /* protocol 0: no packet arrives before bind(), when the filter is in place */
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    int prog_fd = bpf_program__fd(prog);
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = ifindex,
    };
    if (setsockopt(s, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd)) ||
        bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
        err = -errno;
        close(s);
        return err;
    }
    if ((err = add_attachment(o, (struct wb_attachment){.kind = WB_SOCKET, .fd = s})))
        close(s);
    return err;
}

/* "FUNC+OFFSET" -> FUNC (in buf) and OFFSET; a bare number -> offset only */
static int split_func(const char *spec, char *func, size_t size, size_t *offset)
{
    char *end;
    *offset = 0;
    func[0] = '\0';
    if (isdigit((unsigned char)spec[0])) {
        errno = 0;
        unsigned long long v = strtoull(spec, &end, 0);
        if (errno || *end)
            return -EINVAL;
        *offset = (size_t)v;
        return 0;
    }
    const char *plus = strchr(spec, '+');
    size_t n = plus ? (size_t)(plus - spec) : strlen(spec);
    if (!n || n >= size)
        return -EINVAL;
    snprintf(func, size, "%.*s", (int)n, spec);
    if (plus) {
        errno = 0;
        unsigned long long v = strtoull(plus + 1, &end, 0);
        if (errno || *end || end == plus + 1)
            return -EINVAL;
        *offset = (size_t)v;
    }
    return 0;
}

static int attach_uprobe(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                         const char *target, bool retprobe)
{
    const char *colon = strrchr(target, ':');
    char path[4096], func[512];
    size_t offset;
    if (!colon || colon == target || (size_t)(colon - target) >= sizeof(path) ||
        split_func(colon + 1, func, sizeof(func), &offset))
        return wasm_bpf__fail(wi, -EINVAL,
                              "attach: uprobe '%s' needs PATH:FUNC, PATH:FUNC+OFFSET or "
                              "PATH:OFFSET, not '%s'",
                              bpf_program__name(prog), target);
    snprintf(path, sizeof(path), "%.*s", (int)(colon - target), target);
    if (access(path, R_OK))
        return wasm_bpf__fail(wi, -errno, "attach: uprobe '%s': cannot read '%s': %s",
                              bpf_program__name(prog), path, strerror(errno));
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe, .func_name = func[0] ? func : NULL);
    struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, -1, path, offset, &opts);
    if (!link)
        return -errno;
    return add_link(o, link);
}

static int attach_kprobe(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                         const char *target, bool retprobe)
{
    char func[512];
    size_t offset;
    if (split_func(target, func, sizeof(func), &offset) || !func[0])
        return wasm_bpf__fail(wi, -EINVAL,
                              "attach: kprobe '%s' needs FUNC or FUNC+OFFSET, not '%s'",
                              bpf_program__name(prog), target);
    LIBBPF_OPTS(bpf_kprobe_opts, opts, .retprobe = retprobe, .offset = offset);
    struct bpf_link *link = bpf_program__attach_kprobe_opts(prog, func, &opts);
    if (!link)
        return -errno;
    return add_link(o, link);
}

static int attach_tracepoint(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                             const char *target)
{
    char category[256];
    const char *sep = strpbrk(target, ":/");
    if (!sep || sep == target || !sep[1] || (size_t)(sep - target) >= sizeof(category))
        return wasm_bpf__fail(wi, -EINVAL, "attach: tracepoint '%s' needs CATEGORY:NAME, not '%s'",
                              bpf_program__name(prog), target);
    snprintf(category, sizeof(category), "%.*s", (int)(sep - target), target);
    struct bpf_link *link = bpf_program__attach_tracepoint(prog, category, sep + 1);
    if (!link)
        return -errno;
    return add_link(o, link);
}

/* Tracepoints are found through tracefs, which a fresh system may not
 * have mounted. */
static int ensure_tracefs(struct wb_instance *wi)
{
    wasm_bpf_host *host = wi->host;
    if (host->tracefs_checked)
        return 0;
    if (!access(TRACEFS "/events", F_OK) || !access("/sys/kernel/debug/tracing/events", F_OK)) {
        host->tracefs_checked = true;
        return 0;
    }
    if (geteuid() != 0)
        return wasm_bpf__fail(wi, -ENOENT,
                              "attach: tracefs is not mounted at " TRACEFS
                              " (as root: mount -t tracefs "
                              "tracefs " TRACEFS ")");
    if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
        return wasm_bpf__fail(wi, -errno,
                              "attach: tracefs is not mounted at " TRACEFS
                              " and mounting it failed: %s",
                              strerror(errno));
    if (host->verbose)
        base_print(WASM_BPF_DEBUG, "wasm-bpf: mounted tracefs at " TRACEFS "\n");
    host->tracefs_checked = true;
    return 0;
}

static int attach_ignoring_target(struct wb_instance *wi, struct wb_object *o,
                                  struct bpf_program *prog, const char *target, const char *why);

static int attach_tracepoint_checked(struct wb_instance *wi, struct wb_object *o,
                                     struct bpf_program *prog, const char *target)
{
    /* CATEGORY:NAME (or CATEGORY/NAME) chooses the tracepoint; anything else
     * is what an original guest passed along: ignored */
    const char *sep = strpbrk(target, ":/");
    if (!sep || sep == target || !sep[1])
        return attach_ignoring_target(wi, o, prog, target,
                                      "is a tracepoint and the target is not CATEGORY:NAME");
    int err = ensure_tracefs(wi);
    return err ? err : attach_tracepoint(wi, o, prog, target);
}

static int attach_raw_tracepoint(struct wb_instance *wi, struct wb_object *o,
                                 struct bpf_program *prog, const char *target)
{
    (void)wi;
    struct bpf_link *link = bpf_program__attach_raw_tracepoint(prog, target);
    return link ? add_link(o, link) : -errno;
}

static int attach_auto(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog);

/* The original runtime attached every program it had no use for a target
 * for by its SEC() name, whatever target the guest gave; guests written for
 * it pass one (a tracepoint's name, say), so such a target is ignored
 * rather than refused. */
static int attach_ignoring_target(struct wb_instance *wi, struct wb_object *o,
                                  struct bpf_program *prog, const char *target, const char *why)
{
    /* the policy allowed the target given; what is attached is the SEC() name */
    const char *sec = bpf_program__section_name(prog);
    const char *rule = wasm_bpf__target_refused(wi->host, sec, NULL);
    if (rule)
        return wasm_bpf__fail(wi, -EPERM,
                              "attach: program '%s' %s: target '%s' ignored, and attaching it "
                              "by its section name '%s' is not allowed by the policy "
                              "(%s)",
                              bpf_program__name(prog), why, target, sec, rule);
    if (wi->host->verbose)
        base_print(WASM_BPF_DEBUG,
                   "wasm-bpf: attach: program '%s' %s: target '%s' ignored, attaching by its "
                   "section name SEC(\"%s\")\n",
                   bpf_program__name(prog), why, target, sec);
    return attach_auto(wi, o, prog);
}

static int attach_uprobe_entry(struct wb_instance *wi, struct wb_object *o,
                               struct bpf_program *prog, const char *target)
{
    return attach_uprobe(wi, o, prog, target, false);
}

static int attach_uprobe_return(struct wb_instance *wi, struct wb_object *o,
                                struct bpf_program *prog, const char *target)
{
    return attach_uprobe(wi, o, prog, target, true);
}

static int attach_kprobe_entry(struct wb_instance *wi, struct wb_object *o,
                               struct bpf_program *prog, const char *target)
{
    return attach_kprobe(wi, o, prog, target, false);
}

static int attach_kprobe_return(struct wb_instance *wi, struct wb_object *o,
                                struct bpf_program *prog, const char *target)
{
    return attach_kprobe(wi, o, prog, target, true);
}

/* How a target attaches each kind of program (src/bpf/progtypes.c says
 * which kind a program is). */
typedef int attach_fn(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                      const char *target);
static attach_fn *const attach_by_target[] = {
    [WB_ATTACH_NONE] = NULL,
    [WB_ATTACH_XDP] = attach_xdp,
    [WB_ATTACH_SOCKET] = attach_socket,
    [WB_ATTACH_TC] = attach_tc,
    [WB_ATTACH_CGROUP] = attach_cgroup,
    [WB_ATTACH_UPROBE] = attach_uprobe_entry,
    [WB_ATTACH_URETPROBE] = attach_uprobe_return,
    [WB_ATTACH_KPROBE] = attach_kprobe_entry,
    [WB_ATTACH_KRETPROBE] = attach_kprobe_return,
    [WB_ATTACH_TRACEPOINT] = attach_tracepoint_checked,
    [WB_ATTACH_RAW_TRACEPOINT] = attach_raw_tracepoint,
};

static int attach_to_target(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog,
                            const char *target)
{
    enum bpf_prog_type type = bpf_program__type(prog);
    const char *sec = bpf_program__section_name(prog);
    attach_fn *attach = attach_by_target[wasm_bpf__prog_kind_of(type, sec)->attach];
    if (attach)
        return attach(wi, o, prog, target);
    return attach_ignoring_target(wi, o, prog, target, "takes no attach target");
}

static int attach_auto(struct wb_instance *wi, struct wb_object *o, struct bpf_program *prog)
{
    int err;
    if (bpf_program__type(prog) == BPF_PROG_TYPE_TRACEPOINT && (err = ensure_tracefs(wi)))
        return err;
    struct bpf_link *link = bpf_program__attach(prog);
    if (!link) {
        err = -errno;
        const char *hint =
            wasm_bpf__prog_kind_of(bpf_program__type(prog), bpf_program__section_name(prog))
                ->target_hint;
        if ((err == -EOPNOTSUPP || err == -ESRCH) && hint)
            return wasm_bpf__fail(wi, err,
                                  "attach: program '%s' cannot be attached by its section name "
                                  "SEC(\"%s\"): give a target (%s)",
                                  bpf_program__name(prog), bpf_program__section_name(prog), hint);
        return err;
    }
    return add_link(o, link);
}

int wasm_bpf__attach(struct wb_instance *wi, struct wb_object *o, const char *name,
                     const char *target)
{
    wasm_bpf_host *host = wi->host;
    struct bpf_program *prog = bpf_object__find_program_by_name(o->obj, name);
    if (!prog)
        return wasm_bpf__fail(wi, -ENOENT, "attach: object '%s' has no program '%s'", o->name,
                              name);
    if (bpf_program__fd(prog) < 0)
        return wasm_bpf__fail(wi, -ENOENT, "attach: program '%s' was not loaded", name);

    const char *what = target ? target : bpf_program__section_name(prog);
    /* a section is allowed in either of libbpf's spellings of it:
     * the pattern 'tp/sched/...' allows SEC("tracepoint/sched/...") */
    char other_buf[512];
    const char *other =
        target ? NULL : wasm_bpf__sec_other_spelling(what, other_buf, sizeof(other_buf));
    const char *rule = wasm_bpf__target_refused(host, what, other);
    if (rule) {
        wasm_bpf__fail(wi, -EPERM,
                       "attach: attaching program '%s' to '%s' is not allowed by the policy "
                       "(%s)",
                       name, what, rule);
        base_print(WASM_BPF_WARN, "wasm-bpf: %s\n", wi->last_error);
        return -EPERM;
    }

    wasm_bpf__log_begin(host);
    int last = wi->last_errno;
    wi->last_errno = 0;
    int err = target ? attach_to_target(wi, o, prog, target) : attach_auto(wi, o, prog);
    wasm_bpf__log_end();
    if (err >= 0) {
        wi->last_errno = last;
        return 0;
    }
    /* a failure: name the program, the target and the errno, then the
     * details (ours, or libbpf's) */
    base_print(WASM_BPF_WARN, "wasm-bpf: cannot attach program '%s' to '%s': %s\n", name, what,
               strerror(-err));
    char caps[512];
    if (err == -EPERM && wasm_bpf__caps_hint(o->obj, prog, caps, sizeof(caps))) {
        base_print(WASM_BPF_WARN, "  %s\n", caps);
        wasm_bpf__fail(wi, err, "attach: cannot attach program '%s' to '%s': %s (%s)", name, what,
                       strerror(-err), caps);
    } else if (wi->last_errno) {
        base_print(WASM_BPF_WARN, "  %s\n", wi->last_error);
    } else {
        const char *why = wasm_bpf__log_reason();
        wasm_bpf__fail(wi, err, "attach: cannot attach program '%s' to '%s': %s%s%s%s", name, what,
                       strerror(-err), *why ? " (" : "", why, *why ? ")" : "");
    }
    wasm_bpf__log_print();
    return err;
}
