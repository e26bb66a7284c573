/* sockops.c: the guest of the sockops example.
 *
 *   sockops CGROUP_DIR [-t SECONDS]
 *
 * Attaches a sock_ops program to a cgroup v2 directory and prints every TCP
 * connection that its processes establish. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockops.h"
#include "sockops.types.h"
#include "sockops.skel.h"

static void format_ip(char *buf, size_t size, unsigned addr)
{
    const unsigned char *b = (const unsigned char *)&addr; /* network order */
    snprintf(buf, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static int handle_event(void *ctx, void *data, size_t len)
{
    const struct conn_event *e = data;
    (void)ctx;
    if (len < sizeof(*e))
        return 0;
    const char *side = e->side == SOCKOPS_ACTIVE ? "connect" : "accept";
    if (e->family == 2) {
        char local[16], remote[16];
        format_ip(local, sizeof(local), e->local_ip4);
        format_ip(remote, sizeof(remote), e->remote_ip4);
        printf("%-7s %s:%u -> %s:%u\n", side, local, e->local_port, remote, e->remote_port);
    } else {
        printf("%-7s family %u port %u -> port %u\n", side, e->family, e->local_port,
               e->remote_port);
    }
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cgroup = NULL;
    long seconds = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc)
            seconds = strtol(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && !cgroup)
            cgroup = argv[i];
        else {
            cgroup = NULL;
            break;
        }
    }
    if (!cgroup) {
        fprintf(stderr, "Usage: sockops CGROUP_DIR [-t SECONDS]\n"
                        "Report the TCP connections established in a cgroup v2.\n");
        return 2;
    }

    struct sockops_bpf *skel = sockops_bpf__open();
    if (!skel) {
        fprintf(stderr, "failed to open BPF skeleton\n");
        return 1;
    }
    struct bpf_buffer *buf = NULL;
    int err = sockops_bpf__load(skel);
    if (err) {
        fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
        goto cleanup;
    }
    bpf_set_prog_attach_target(skel->progs.sockops_established, cgroup);
    err = sockops_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "failed to attach to cgroup %s: %s\n", cgroup, strerror(-err));
        goto cleanup;
    }
    buf = bpf_buffer__open(skel->maps.conns, handle_event, NULL);
    if (!buf) {
        err = -errno;
        fprintf(stderr, "failed to open the ring buffer: %s\n", strerror(errno));
        goto cleanup;
    }
    printf("Tracing TCP connections in %s\n", cgroup);
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
    sockops_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
