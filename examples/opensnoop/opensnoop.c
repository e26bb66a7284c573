/* opensnoop.c: the guest of the opensnoop example (a perf event array).
 *
 *   opensnoop [-p PID] [-T TID] [-u UID] [-x] [-n NAME] [-t SECONDS]
 *
 * Prints one line per open()/openat() with its result.  The process, thread
 * and user filters and -x (failures only) are applied in the kernel: they
 * reach it through .rodata, patched before load.  -n filters on the command
 * name here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opensnoop.h"
#include "opensnoop.types.h"
#include "opensnoop.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("opensnoop", "Trace open() and openat() calls.");

static const char *name_filter;

static int handle_event(void *ctx, void *data, size_t len)
{
    const struct event *e = data;
    (void)ctx;
    if (len < sizeof(*e))
        return 0;
    if (name_filter && !strstr(e->comm, name_filter))
        return 0;
    int fd = e->ret >= 0 ? e->ret : -1;
    int err = e->ret >= 0 ? 0 : -e->ret;
    printf("%-6d %-16s %3d %3d %.*s\n", e->pid, e->comm, fd, err, NAME_MAX, e->fname);
    fflush(stdout);
    return 0;
}

static void usage(void)
{
    printf("  -p PID                  only this process\n"
           "  -T TID                  only this thread\n"
           "  -u UID                  only this user\n"
           "  -x                      only failed opens\n"
           "  -n NAME                 only commands whose name contains NAME\n");
}

int main(int argc, char **argv)
{
    long pid = 0, tid = 0, uid = -1;
    int failed = 0;
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    for (int i = 1; i < argc; i++) {
        long *num = NULL;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage();
            return 0;
        } else if (!strcmp(argv[i], "-x")) {
            failed = 1;
        } else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
            name_filter = argv[++i];
        } else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
            num = &pid;
        } else if (!strcmp(argv[i], "-T") && i + 1 < argc) {
            num = &tid;
        } else if (!strcmp(argv[i], "-u") && i + 1 < argc) {
            num = &uid;
        } else {
            fprintf(stderr, "opensnoop: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
        if (num) {
            char *end;
            *num = strtol(argv[++i], &end, 10);
            if (*end || *num < 0) {
                fprintf(stderr, "opensnoop: invalid number '%s'\n", argv[i]);
                return 2;
            }
        }
    }

    struct opensnoop_bpf *obj = opensnoop_bpf__open();
    if (!obj) {
        fprintf(stderr, "failed to open BPF object\n");
        return 1;
    }
    obj->rodata->targ_tgid = (int32_t)pid;
    obj->rodata->targ_pid = (int32_t)tid;
    obj->rodata->targ_uid = uid < 0 ? INVALID_UID : (uint32_t)uid;
    obj->rodata->targ_failed = (uint8_t)failed;

    struct bpf_buffer *buf = NULL;
    int err = opensnoop_bpf__load(obj);
    if (err) {
        fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
        goto cleanup;
    }
    /* open(2) has tracepoints on x86-64 but not on arm64, which has
     * openat(2) only: its two programs are attached apart, and where the
     * kernel has no such tracepoint (ENOENT) openat alone is traced. */
    bpf_program__set_autoattach(obj->progs.tracepoint__syscalls__sys_enter_open, false);
    bpf_program__set_autoattach(obj->progs.tracepoint__syscalls__sys_exit_open, false);
    err = opensnoop_bpf__attach(obj);
    if (!err) {
        err = bpf_program__attach_target(obj->progs.tracepoint__syscalls__sys_exit_open, NULL);
        if (!err)
            err = bpf_program__attach_target(obj->progs.tracepoint__syscalls__sys_enter_open, NULL);
        if (err == -ENOENT)
            err = 0;
    }
    if (err) {
        fprintf(stderr, "failed to attach BPF programs: %s\n", strerror(-err));
        goto cleanup;
    }
    buf = bpf_buffer__open(obj->maps.events, handle_event, NULL);
    if (!buf) {
        err = -errno;
        fprintf(stderr, "failed to open perf buffer: %s\n", strerror(errno));
        goto cleanup;
    }

    printf("%-6s %-16s %3s %3s %s\n", "PID", "COMM", "FD", "ERR", "PATH");
    fflush(stdout);
    if (wasm_bpf_tool_poll(&tool, &buf, 1, NULL, NULL))
        err = -1;   /* said why */

cleanup:
    bpf_buffer__free(buf);
    opensnoop_bpf__destroy(obj);
    return err < 0 ? 1 : 0;
}
