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
    if (!ifname || interval <= 0 || strlen(ifname) > 64) {
        fprintf(stderr, "Usage: tc IFNAME [-t SECONDS] [-i INTERVAL]\n"
                        "Count the packets entering and leaving IFNAME.\n");
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
    tc_bpf__destroy(skel);
    return err < 0 ? 1 : 0;
}
