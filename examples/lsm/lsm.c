/* lsm.c: the guest of the lsm example.
 *
 *   lsm [-t SECONDS]
 *
 * Loads and attaches a BPF LSM program that makes rmdir of any directory
 * named "can_not_rm" fail with EPERM, for SECONDS (default: until
 * interrupted).  Kernels without the bpf LSM refuse to load it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lsm.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("lsm", "Forbid removing directories named can_not_rm.");

int main(int argc, char **argv)
{
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    if (tool.help)
        return 0;
    if (argc != 1) {
        fprintf(stderr, "lsm: unexpected argument '%s' (see --help)\n", argv[1]);
        return 2;
    }

    struct lsm_bpf *skel = lsm_bpf__open();
    if (!skel) {
        fprintf(stderr, "failed to open BPF skeleton\n");
        return 1;
    }
    int err = lsm_bpf__load(skel);
    if (err) {
        char why[256];
        wasm_bpf_last_error(why, sizeof(why));
        fprintf(stderr, "failed to load BPF object: %s (%s)\n", strerror(-err), why);
        goto cleanup;
    }
    err = lsm_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "failed to attach the LSM program: %s\n", strerror(-err));
        goto cleanup;
    }
    printf("Load and attach BPF lsm successfully\n");
    fflush(stdout);
    /* nothing to poll: the program works in the kernel until -t or Ctrl-C */
    if (wasm_bpf_tool_poll(&tool, NULL, 0, NULL, NULL))
        err = -1;

cleanup:
    lsm_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
