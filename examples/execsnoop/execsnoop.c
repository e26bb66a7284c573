/* execsnoop.c: the guest of the execsnoop example.
 *
 *   execsnoop [-u UID] [--perf-buffer] [-t SECONDS]
 *
 * Prints one line per execve() call with its argument vector (the first
 * MAX_ARGS arguments, each cut to ARG_LEN bytes; "..." marks more).  The
 * events come through a ring buffer where the kernel has them, else (or
 * with --perf-buffer) through a perf buffer. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "execsnoop.h"
#include "execsnoop.types.h"
#include "execsnoop.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("execsnoop", "Trace execve() calls with their arguments.");

static int handle_event(void *ctx, void *data, size_t len)
{
    const struct event *e = data;
    (void)ctx;
    if (len < sizeof(*e))
        return 0;
    printf("%-7d %-7d %-6u %-16s", e->pid, e->ppid, e->uid, e->comm);
    for (int i = 0; i < e->args_count && i < MAX_ARGS; i++)
        printf(" %.*s", ARG_LEN, e->args[i]);
    if (e->args_truncated)
        printf(" ...");
    printf("\n");
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    long uid = -1;
    bool perf = false;
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("  -u UID                  only commands run by this user\n");
            printf("  --perf-buffer           a perf buffer even where ring buffers exist\n");
            return 0;
        } else if (!strcmp(argv[i], "--perf-buffer")) {
            perf = true;
            continue;
        } else if (!strcmp(argv[i], "-u") && i + 1 < argc) {
            uid = strtol(argv[++i], &end, 10);
        } else {
            fprintf(stderr, "execsnoop: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
        if (!end || *end || uid < -1) {
            fprintf(stderr, "execsnoop: invalid number '%s'\n", argv[i]);
            return 2;
        }
    }

    struct execsnoop_bpf *skel = execsnoop_bpf__open();
    if (!skel) {
        fprintf(stderr, "failed to open BPF skeleton\n");
        return 1;
    }
    skel->rodata->targ_uid = (int32_t)uid;
    /* ring buffers came with 5.8: before, the perf buffer variant */
    bool ring = !perf && wasm_bpf_probe_map_type(BPF_MAP_TYPE_RINGBUF) == 1;
    bpf_program__set_autoload(skel->progs.tracepoint__syscalls__sys_enter_execve, ring);
    bpf_program__set_autoload(skel->progs.execve_perf, !ring);
    bpf_map__set_autocreate(skel->maps.events, ring);
    bpf_map__set_autocreate(skel->maps.events_perf, !ring);
    bpf_map__set_autocreate(skel->maps.scratch, !ring);

    struct bpf_buffer *buf = NULL;
    int err = execsnoop_bpf__load(skel);
    if (err) {
        fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
        goto cleanup;
    }
    err = execsnoop_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "failed to attach BPF programs: %s\n", strerror(-err));
        goto cleanup;
    }
    buf = bpf_buffer__open(ring ? skel->maps.events : skel->maps.events_perf, handle_event, NULL);
    if (!buf) {
        err = -errno;
        fprintf(stderr, "failed to open the %s buffer: %s\n", ring ? "ring" : "perf", strerror(errno));
        goto cleanup;
    }

    printf("%-7s %-7s %-6s %-16s %s\n", "PID", "PPID", "UID", "COMM", "ARGS");
    fflush(stdout);
    if (wasm_bpf_tool_poll(&tool, &buf, 1, NULL, NULL))
        err = -1;   /* said why */

cleanup:
    bpf_buffer__free(buf);
    execsnoop_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
