/* tc.c: the guest of the tc example.
 *
 *   tc IFNAME [-t SECONDS] [-i INTERVAL]
 *
 * Attaches two classifiers to IFNAME (targets "IFNAME:ingress" and
 * "IFNAME:egress") and prints the packets and bytes seen in each direction
 * every INTERVAL seconds (default 1) and at the end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tc.h"
#include "tc.types.h"
#include "tc.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("tc", "Count the packets entering and leaving IFNAME.");

static int print_counters(int fd, const char *when)
{
    struct counter c[2];
    for (uint32_t dir = TC_INGRESS; dir <= TC_EGRESS; dir++) {
        int err = bpf_map_lookup_elem(fd, &dir, &c[dir]);
        if (err < 0) {
            fprintf(stderr, "failed to read the counters: %s\n", strerror(-err));
            return err;
        }
    }
    printf("%s: ingress %llu packets %llu bytes, egress %llu packets %llu bytes\n", when,
           (unsigned long long)c[TC_INGRESS].packets, (unsigned long long)c[TC_INGRESS].bytes,
           (unsigned long long)c[TC_EGRESS].packets, (unsigned long long)c[TC_EGRESS].bytes);
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
                fprintf(stderr, "tc: invalid interval '%s'\n", argv[i]);
                return 2;
            }
        } else if (argv[i][0] != '-' && !npos++) {
            ifname = argv[i];
        } else {
            fprintf(stderr, "tc: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!ifname || strlen(ifname) > 64) {
        fprintf(stderr, "tc: expected one IFNAME (see --help)\n");
        return 2;
    }
    tool.interval_ms = (int)interval * 1000;

    struct tc_bpf *skel = tc_bpf__open();
    if (!skel) {
        fprintf(stderr, "failed to open BPF skeleton\n");
        return 1;
    }
    int err = tc_bpf__load(skel);
    if (err) {
        fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
        goto cleanup;
    }
    char target[96];
    snprintf(target, sizeof(target), "%s:ingress", ifname);
    bpf_set_prog_attach_target(skel->progs.tc_ingress, target);
    snprintf(target, sizeof(target), "%s:egress", ifname);
    bpf_set_prog_attach_target(skel->progs.tc_egress, target);
    err = tc_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "failed to attach to %s: %s\n", ifname, strerror(-err));
        goto cleanup;
    }
    printf("Counting packets on %s (ingress and egress)\n", ifname);
    fflush(stdout);

    int fd = bpf_map__fd(skel->maps.tc_stats);
    if (wasm_bpf_tool_poll(&tool, NULL, 0, print_so_far, &fd)) {
        err = -1;
        goto cleanup;
    }
    err = print_counters(fd, "total");

cleanup:
    tc_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
