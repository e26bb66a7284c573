/* sockfilter.c: the guest of the sockfilter example.
 *
 *   sockfilter IFNAME [-t SECONDS]
 *
 * Attaches a socket filter to IFNAME (the runtime opens a raw packet socket
 * bound to it) and prints one line per IPv4 packet the filter reports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockfilter.h"
#include "sockfilter.types.h"
#include "sockfilter.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("sockfilter", "Report the IPv4 packets seen on IFNAME.");

static const char *ip_proto_name(unsigned proto)
{
    switch (proto) {
    case 1: return "ICMP";
    case 6: return "TCP";
    case 17: return "UDP";
    default: return "IP";
    }
}

static const char *pkt_type_name(unsigned type)
{
    switch (type) {
    case 0: return "incoming";  /* PACKET_HOST */
    case 1: return "broadcast";
    case 2: return "multicast";
    case 3: return "other host";
    case 4: return "outgoing";
    default: return "?";
    }
}

static void format_ip(char *buf, size_t size, unsigned addr)
{
    const unsigned char *b = (const unsigned char *)&addr; /* network order */
    snprintf(buf, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static int handle_event(void *ctx, void *data, size_t len)
{
    const struct so_event *e = data;
    (void)ctx;
    if (len < sizeof(*e))
        return 0;
    char src[16], dst[16];
    format_ip(src, sizeof(src), e->src_addr);
    format_ip(dst, sizeof(dst), e->dst_addr);
    printf("ifindex %u %-4s %s:%u -> %s:%u len %u (%s)\n", e->ifindex, ip_proto_name(e->ip_proto),
           src, e->src_port, dst, e->dst_port, e->len, pkt_type_name(e->pkt_type));
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    const char *ifname = NULL;
    tool.args = "IFNAME";
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    if (tool.help) {
        printf("  %-23s %s\n", "IFNAME", "the network interface");
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "sockfilter: expected one IFNAME (see --help)\n");
        return 2;
    }
    ifname = argv[1];

    struct sockfilter_bpf *skel = sockfilter_bpf__open();
    if (!skel) {
        fprintf(stderr, "failed to open BPF skeleton\n");
        return 1;
    }
    struct bpf_buffer *buf = NULL;
    int err = sockfilter_bpf__load(skel);
    if (err) {
        fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
        goto cleanup;
    }
    bpf_set_prog_attach_target(skel->progs.socket_handler, ifname);
    err = sockfilter_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "failed to attach the socket filter to %s: %s\n", ifname, strerror(-err));
        goto cleanup;
    }
    buf = bpf_buffer__open(skel->maps.rb, handle_event, NULL);
    if (!buf) {
        err = -errno;
        fprintf(stderr, "failed to open the ring buffer: %s\n", strerror(errno));
        goto cleanup;
    }
    printf("Filtering packets on %s\n", ifname);
    fflush(stdout);

    if (wasm_bpf_tool_poll(&tool, &buf, 1, NULL, NULL))
        err = -1;   /* said why */

cleanup:
    bpf_buffer__free(buf);
    sockfilter_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
