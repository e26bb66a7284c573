/* xdp.c: the guest of the xdp example.
 *
 *   xdp IFNAME [-t SECONDS] [-i SECONDS]
 *
 * Attaches an XDP program to IFNAME and, every -i SECONDS (default 1)
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

/* every -i SECONDS */
static int print_so_far(void *fd)
{
    return print_counters(*(int *)fd, "so far");
}

int main(int argc, char **argv)
{
    const char *ifname = NULL;
    tool.args = "IFNAME";
    tool.intervals = true; /* -i SECONDS sets tool.interval_ms */
    tool.interval_ms = 1000;
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS, -i SECONDS */
    if (rc >= 0)
        return rc;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            return 0; /* wasm_bpf_tool_args() printed all of the help */
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
