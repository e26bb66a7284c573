/* tc.c: the guest of the tc example.
 *
 *   tc IFNAME [-t SECONDS] [-i SECONDS]
 *
 * Attaches two classifiers to IFNAME (targets "IFNAME:ingress" and
 * "IFNAME:egress") and prints the packets and bytes seen in each direction
 * every -i SECONDS (default 1) and at the end. */
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
            fprintf(stderr, "tc: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!ifname || strlen(ifname) > 64) {
        fprintf(stderr, "tc: expected one IFNAME (see --help)\n");
        return 2;
    }

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
