/* xdp.c: the guest of the xdp example.
 *
 *   xdp IFNAME [-t SECONDS] [-i INTERVAL]
 *
 * Attaches an XDP program to IFNAME and, every INTERVAL seconds (default 1)
 * and at the end, prints the frames and bytes received per IP protocol,
 * read from the kernel's array with map lookups. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xdp.h"
#include "xdp.types.h"
#include "xdp.skel.h"

static const char *proto_name(unsigned proto)
{
    switch (proto) {
    case 1: return "ICMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case XDP_NOT_IPV4: return "non-IPv4";
    default: return "IPv4";
    }
}

static int print_counters(int fd, const char *when)
{
    printf("%s:\n", when);
    for (uint32_t key = 0; key < 256; key++) {
        struct counter c;
        int err = bpf_map_lookup_elem(fd, &key, &c);
        if (err < 0) {
            fprintf(stderr, "failed to read counter %u: %s\n", key, strerror(-err));
            return err;
        }
        if (c.packets)
            printf("  %-8s proto %-3u %llu packets %llu bytes\n", proto_name(key), key,
                   (unsigned long long)c.packets, (unsigned long long)c.bytes);
    }
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    const char *ifname = NULL;
    long seconds = 0, interval = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc)
            seconds = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-i") && i + 1 < argc)
            interval = strtol(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && !ifname)
            ifname = argv[i];
        else {
            ifname = NULL;
            break;
        }
    }
    if (!ifname || interval <= 0) {
        fprintf(stderr, "Usage: xdp IFNAME [-t SECONDS] [-i INTERVAL]\n"
                        "Count the frames arriving on IFNAME, by IP protocol.\n");
        return 2;
    }

    struct xdp_bpf *skel = xdp_bpf__open();
    if (!skel) {
        fprintf(stderr, "failed to open BPF skeleton\n");
        return 1;
    }
    int err = xdp_bpf__load(skel);
    if (err) {
        fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
        goto cleanup;
    }
    bpf_set_prog_attach_target(skel->progs.xdp_count, ifname);
    err = xdp_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "failed to attach XDP to %s: %s\n", ifname, strerror(-err));
        goto cleanup;
    }
    printf("Counting packets on %s\n", ifname);
    fflush(stdout);

    int fd = bpf_map__fd(skel->maps.xdp_stats);
    time_t end = seconds ? time(NULL) + seconds : 0;
    for (;;) {
        long wait = interval;
        if (end && end - time(NULL) < wait)
            wait = end - time(NULL);
        if (wait > 0)
            sleep((unsigned)wait);
        if (end && time(NULL) >= end)
            break;
        if ((err = print_counters(fd, "so far")) < 0)
            goto cleanup;
    }
    err = print_counters(fd, "total");

cleanup:
    xdp_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
