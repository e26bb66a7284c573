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
    long seconds = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc)
            seconds = strtol(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && !ifname)
            ifname = argv[i];
        else {
            ifname = NULL;
            break;
        }
    }
    if (!ifname) {
        fprintf(stderr, "Usage: sockfilter IFNAME [-t SECONDS]\n"
                        "Report the IPv4 packets seen on IFNAME.\n");
        return 2;
    }

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
    sockfilter_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
