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
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("sockops", "Report the TCP connections established in a cgroup v2.");

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
    tool.args = "CGROUP_DIR";
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    if (tool.help) {
        printf("  %-23s %s\n", "CGROUP_DIR", "the cgroup v2 directory");
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "sockops: expected one CGROUP_DIR (see --help)\n");
        return 2;
    }
    cgroup = argv[1];

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

    if (wasm_bpf_tool_poll(&tool, &buf, 1, NULL, NULL))
        err = -1;   /* said why */

cleanup:
    bpf_buffer__free(buf);
    sockops_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
