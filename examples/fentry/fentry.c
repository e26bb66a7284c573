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
    long seconds = 0;
    if (argc == 3 && !strcmp(argv[1], "-t")) {
        seconds = strtol(argv[2], NULL, 10);
    } else if (argc != 1) {
        fprintf(stderr, "Usage: fentry [-t SECONDS]\nTrace unlink calls.\n");
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
    time_t end = seconds ? time(NULL) + seconds : 0;
    for (;;) {
        err = bpf_buffer__poll(buf, 100);
        if (err == -EINTR) { /* Ctrl-C: end as libbpf tools do */
            err = 0;
            break;
        }
        if (err < 0) {
            fprintf(stderr, "error polling the ring buffer: %s\n", strerror(-err));
            break;
        }
        err = 0;
        if (end && time(NULL) >= end)
            break;
    }

cleanup:
    bpf_buffer__free(buf);
    fentry_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
