/* uprobe.c: the guest of the uprobe example.
 *
 *   uprobe BINARY [-t SECONDS]
 *
 * Attaches entry and return probes to uprobe_add() and uprobe_sub() of
 * BINARY (targets "BINARY:uprobe_add" ...) and prints every call and return
 * of any process running it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uprobe.h"
#include "uprobe.types.h"
#include "uprobe.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("uprobe", "Trace calls of uprobe_add() and uprobe_sub() in BINARY.");

static int handle_event(void *ctx, void *data, size_t len)
{
    const struct event *e = data;
    (void)ctx;
    if (len < sizeof(*e))
        return 0;
    switch (e->kind) {
    case CALL_ADD:
        printf("%-7d uprobe_add(%d, %d)\n", e->pid, e->a, e->b);
        break;
    case RET_ADD:
        printf("%-7d uprobe_add returned %d\n", e->pid, e->ret);
        break;
    case CALL_SUB:
        printf("%-7d uprobe_sub(%d, %d)\n", e->pid, e->a, e->b);
        break;
    case RET_SUB:
        printf("%-7d uprobe_sub returned %d\n", e->pid, e->ret);
        break;
    }
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    const char *binary = NULL;
    tool.args = "BINARY";
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    if (tool.help) {
        printf("  BINARY                  the program whose functions are traced\n");
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "uprobe: expected one BINARY (see --help)\n");
        return 2;
    }
    binary = argv[1];

    struct uprobe_bpf *skel = uprobe_bpf__open();
    if (!skel) {
        fprintf(stderr, "failed to open BPF skeleton\n");
        return 1;
    }
    struct bpf_buffer *buf = NULL;
    int err = uprobe_bpf__load(skel);
    if (err) {
        fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
        goto cleanup;
    }

    /* a uprobe's target is PATH:FUNCTION (or PATH:OFFSET) */
    char add[512], sub[512];
    snprintf(add, sizeof(add), "%s:uprobe_add", binary);
    snprintf(sub, sizeof(sub), "%s:uprobe_sub", binary);
    bpf_set_prog_attach_target(skel->progs.uprobe_add, add);
    bpf_set_prog_attach_target(skel->progs.uretprobe_add, add);
    bpf_set_prog_attach_target(skel->progs.uprobe_sub, sub);
    bpf_set_prog_attach_target(skel->progs.uretprobe_sub, sub);
    err = uprobe_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "failed to attach the uprobes to %s: %s\n", binary, strerror(-err));
        goto cleanup;
    }
    buf = bpf_buffer__open(skel->maps.events, handle_event, NULL);
    if (!buf) {
        err = -errno;
        fprintf(stderr, "failed to open the ring buffer: %s\n", strerror(errno));
        goto cleanup;
    }
    printf("Tracing uprobe_add() and uprobe_sub() in %s\n", binary);
    fflush(stdout);

    if (wasm_bpf_tool_poll(&tool, &buf, 1, NULL, NULL))
        err = -1;   /* said why */

cleanup:
    bpf_buffer__free(buf);
    uprobe_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
