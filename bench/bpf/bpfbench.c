/* bpfbench.c: the user side of the ring buffer and map benchmarks, the same
 * source for a wasm guest (libbpf-wasm.h, wasm skeleton) and for the native
 * baseline (libbpf, bpftool's skeleton, native_compat.h).
 *
 *   bpfbench ring TRIGGER_BINARY N
 *       attach, print "ready", wait for a line on stdin (the driver has run
 *       `trigger N` by then: N records wait in the ring), then time the
 *       polls that deliver them to a trivial callback; prints
 *       "ring N records NS ns/record CPU cpu-ns/record": the wall clock, and
 *       the process's CPU time (which other processes on a loaded machine
 *       disturb less: time spent descheduled is not in it)
 *   bpfbench map N
 *       time N lookups of one array element; prints "map N lookups NS ns/lookup"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfbench.skel.h"

static long long received;

static int on_record(void *ctx, void *data, size_t len)
{
    (void)ctx, (void)data, (void)len;
    received++;
    return 0;
}

static double clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static int bench_ring(struct bpfbench_bpf *skel, const char *trigger, long long n)
{
    char target[600];
    snprintf(target, sizeof(target), "%s:wasm_bpf_test_trigger", trigger);
#ifdef __wasm__
    bpf_set_prog_attach_target(skel->progs.bench_trigger, target);
    int err = bpfbench_bpf__attach(skel);
#else
    LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "wasm_bpf_test_trigger");
    skel->links.bench_trigger =
        bpf_program__attach_uprobe_opts(skel->progs.bench_trigger, -1, trigger, 0, &uo);
    int err = skel->links.bench_trigger ? 0 : -errno;
#endif
    if (err) {
        fprintf(stderr, "attach %s: %s\n", target, strerror(-err));
        return 1;
    }
    struct bpf_buffer *buf = bpf_buffer__open(skel->maps.bench_ring, on_record, NULL);
    if (!buf)
        return 1;
    printf("ready\n");
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof(line), stdin))
        return 1;
    double c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ns();
    while (received < n) {
        int r = bpf_buffer__poll(buf, 1000);
        if (r < 0) {
            fprintf(stderr, "poll: %s\n", strerror(-r));
            return 1;
        }
        if (r == 0 && received < n) {
            fprintf(stderr, "only %lld of %lld records\n", received, n);
            return 1;
        }
    }
    double t1 = now_ns(), c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("ring %lld records %.1f ns/record %.1f cpu-ns/record\n", received,
           (t1 - t0) / (double)received, (c1 - c0) / (double)received);
    bpf_buffer__free(buf);
    return 0;
}

static int bench_map(struct bpfbench_bpf *skel, long long n)
{
    int fd = bpf_map__fd(skel->maps.bench_array);
    uint32_t key = 3;
    uint64_t value = 1234;
    if (bpf_map_update_elem(fd, &key, &value, BPF_ANY))
        return 1;
    double t0 = now_ns();
    for (long long i = 0; i < n; i++)
        if (bpf_map_lookup_elem(fd, &key, &value))
            return 1;
    double t1 = now_ns();
    if (value != 1234)
        return 1;
    printf("map %lld lookups %.1f ns/lookup\n", n, (t1 - t0) / (double)n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bpfbench ring TRIGGER N | bpfbench map N\n");
        return 2;
    }
    struct bpfbench_bpf *skel = bpfbench_bpf__open_and_load();
    if (!skel) {
        fprintf(stderr, "cannot load the benchmark's BPF object\n");
        return 1;
    }
    int rc = !strcmp(argv[1], "ring") && argc == 4 ? bench_ring(skel, argv[2], atoll(argv[3]))
             : !strcmp(argv[1], "map")             ? bench_map(skel, atoll(argv[2]))
                                                   : 2;
    bpfbench_bpf__destroy(skel);
    return rc;
}
