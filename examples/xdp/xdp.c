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
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("xdp", "Count the frames arriving on IFNAME, by IP protocol.");

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

/* every INTERVAL seconds */
static int print_so_far(void *fd)
{
    return print_counters(*(int *)fd, "so far");
}

int main(int argc, char **argv)
{
    const char *ifname = NULL;
    long interval = 1;
    tool.args = "IFNAME";
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("  -i INTERVAL             print the counters every INTERVAL seconds (default 1)\n");
            return 0;
        } else if (!strcmp(argv[i], "-i") && i + 1 < argc) {
            interval = strtol(argv[++i], &end, 10);
            if (*end || interval <= 0 || interval > 3600) {
                fprintf(stderr, "xdp: invalid interval '%s'\n", argv[i]);
                return 2;
            }
        } else if (argv[i][0] != '-' && !npos++) {
            ifname = argv[i];
        } else {
            fprintf(stderr, "xdp: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!ifname) {
        fprintf(stderr, "xdp: expected one IFNAME (see --help)\n");
        return 2;
    }
    tool.interval_ms = (int)interval * 1000;

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
    if (wasm_bpf_tool_poll(&tool, NULL, 0, print_so_far, &fd)) {
        err = -1;
        goto cleanup;
    }
    err = print_counters(fd, "total");

cleanup:
    xdp_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
