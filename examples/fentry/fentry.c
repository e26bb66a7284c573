/* fentry.c: the guest of the fentry example.
 *
 *   fentry [-t SECONDS]
 *
 * Prints every unlink (fentry on do_unlinkat) and its result (fexit).
 * Kernels without BPF trampolines refuse to load it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fentry.h"
#include "fentry.types.h"
#include "fentry.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("fentry", "Trace unlink calls.");

static int handle_event(void *ctx, void *data, size_t len)
{
    const struct unlink_event *e = data;
    (void)ctx;
    if (len < sizeof(*e))
        return 0;
    if (e->at_return)
        printf("%-7d unlink %s returned %d\n", e->pid, e->filename, e->ret);
    else
        printf("%-7d unlink %s\n", e->pid, e->filename);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    if (tool.help)
        return 0;
    if (argc != 1) {
        fprintf(stderr, "fentry: unexpected argument '%s' (see --help)\n", argv[1]);
        return 2;
    }

    struct fentry_bpf *skel = fentry_bpf__open();
    if (!skel) {
        fprintf(stderr, "failed to open BPF skeleton\n");
        return 1;
    }
    struct bpf_buffer *buf = NULL;
    int err = fentry_bpf__load(skel);
    if (err) {
        char why[256];
        wasm_bpf_last_error(why, sizeof(why));
        fprintf(stderr, "failed to load BPF object: %s (%s)\n", strerror(-err), why);
        goto cleanup;
    }
    err = fentry_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "failed to attach BPF programs: %s\n", strerror(-err));
        goto cleanup;
    }
    buf = bpf_buffer__open(skel->maps.unlinks, handle_event, NULL);
    if (!buf) {
        err = -errno;
        fprintf(stderr, "failed to open the ring buffer: %s\n", strerror(errno));
        goto cleanup;
    }
    printf("Tracing unlinks\n");
    fflush(stdout);
    if (wasm_bpf_tool_poll(&tool, &buf, 1, NULL, NULL))
        err = -1;   /* said why */

cleanup:
    bpf_buffer__free(buf);
    fentry_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
