/* runqlat.c: the guest of the runqlat example.
 *
 *   runqlat [-m] [-P | -L] [-p PID] [INTERVAL [COUNT]]
 *
 * Every INTERVAL seconds (default 1), reads the latency histograms from the
 * `hists` hash map (iterating its keys), prints them and deletes them;
 * stops after COUNT intervals (default: until interrupted). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runqlat.h"
#include "runqlat.types.h"
#include "runqlat.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("runqlat", "Summarize run queue (scheduler) latency as a histogram.");

static struct {
    int milliseconds, per_process, per_thread;
    long pid, interval, count;
} env = {.interval = 1};

static void print_stars(unsigned val, unsigned max, int width)
{
    int n = max ? (int)((unsigned long long)val * width / max) : 0;
    for (int i = 0; i < width; i++)
        putchar(i < n ? '*' : ' ');
}

static void print_log2_hist(const unsigned *slots, int n, const char *unit)
{
    int last = -1;
    unsigned max = 0;
    for (int i = 0; i < n; i++) {
        if (slots[i])
            last = i;
        if (slots[i] > max)
            max = slots[i];
    }
    printf("%*s%-*s : count    distribution\n", 10, "", 14, unit);
    for (int i = 0; i <= last; i++) {
        unsigned long long low = i ? 1ULL << i : 0, high = (1ULL << (i + 1)) - 1;
        printf("%10llu -> %-10llu : %-8u |", low, high, slots[i]);
        print_stars(slots[i], max, 40);
        printf("|\n");
    }
}

/* Print every histogram of the map, then delete them all. */
static int print_and_clear(struct bpf_map *hists)
{
    const char *unit = env.milliseconds ? "msecs" : "usecs";
    int fd = bpf_map__fd(hists);
    uint32_t key, next;
    struct hist hist;
    int err;

    if (fd < 0)
        return fd;
    for (err = bpf_map_get_next_key(fd, NULL, &next); !err;
         err = bpf_map_get_next_key(fd, &key, &next)) {
        if ((err = bpf_map_lookup_elem(fd, &next, &hist)) < 0) {
            fprintf(stderr, "failed to look up a histogram: %s\n", strerror(-err));
            return err;
        }
        if (env.per_process)
            printf("\npid = %u %s\n", next, hist.comm);
        else if (env.per_thread)
            printf("\ntid = %u %s\n", next, hist.comm);
        print_log2_hist(hist.slots, MAX_SLOTS, unit);
        key = next;
    }
    if (err != -ENOENT)
        return err;

    while (!bpf_map_get_next_key(fd, NULL, &next))
        if ((err = bpf_map_delete_elem(fd, &next)) < 0 && err != -ENOENT) {
            fprintf(stderr, "failed to delete a histogram: %s\n", strerror(-err));
            return err;
        }
    return 0;
}

static void usage(void)
{
    printf("  -m                      milliseconds (default: microseconds)\n"
           "  -P                      one histogram per process\n"
           "  -L                      one histogram per thread\n"
           "  -p PID                  only this process\n"
           "  INTERVAL                seconds between histograms (default 1)\n"
           "  COUNT                   stop after COUNT histograms (default: until interrupted)\n");
}

/* every INTERVAL: print the histograms and start new ones; stop after COUNT */
static long intervals;
static int print_interval(void *hists)
{
    printf("\n");
    int err = print_and_clear(hists);
    fflush(stdout);
    if (err)
        return -1;
    return env.count && ++intervals >= env.count ? 1 : 0;
}

int main(int argc, char **argv)
{
    int positional = 0;
    tool.args = "[INTERVAL [COUNT]]";
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage();
            return 0;
        } else if (!strcmp(argv[i], "-m")) {
            env.milliseconds = 1;
        } else if (!strcmp(argv[i], "-P")) {
            env.per_process = 1;
        } else if (!strcmp(argv[i], "-L")) {
            env.per_thread = 1;
        } else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
            env.pid = strtol(argv[++i], &end, 10);
        } else if (argv[i][0] != '-' && positional == 0) {
            env.interval = strtol(argv[i], &end, 10);
            positional++;
        } else if (argv[i][0] != '-' && positional == 1) {
            env.count = strtol(argv[i], &end, 10);
            positional++;
        } else {
            fprintf(stderr, "runqlat: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
        if (end && (*end || env.pid < 0 || env.interval <= 0 || env.interval > 86400 || env.count < 0)) {
            fprintf(stderr, "runqlat: invalid number '%s'\n", argv[i]);
            return 2;
        }
    }
    if (env.per_process && env.per_thread) {
        fprintf(stderr, "runqlat: -P and -L cannot be used together\n");
        return 2;
    }

    struct runqlat_bpf *obj = runqlat_bpf__open();
    if (!obj) {
        fprintf(stderr, "failed to open BPF object\n");
        return 1;
    }
    obj->rodata->targ_per_process = (uint8_t)env.per_process;
    obj->rodata->targ_per_thread = (uint8_t)env.per_thread;
    obj->rodata->targ_ms = (uint8_t)env.milliseconds;
    obj->rodata->targ_tgid = (int32_t)env.pid;

    /* tp_btf needs the kernel's own BTF; raw_tp only CO-RE, which --btf
     * can serve on a kernel without it: load one set of programs */
    bool tp_btf = wasm_bpf_probe_prog_type(BPF_PROG_TYPE_TRACING) == 1;
    if (!tp_btf) {
        char why[256];
        wasm_bpf_last_error(why, sizeof why);
        fprintf(stderr, "runqlat: no tp_btf programs here%s%s: using raw tracepoints\n",
                *why ? ": " : "", why);
    }
    bpf_program__set_autoload(obj->progs.sched_wakeup, tp_btf);
    bpf_program__set_autoload(obj->progs.sched_wakeup_new, tp_btf);
    bpf_program__set_autoload(obj->progs.sched_switch, tp_btf);
    bpf_program__set_autoload(obj->progs.raw_wakeup, !tp_btf);
    bpf_program__set_autoload(obj->progs.raw_wakeup_new, !tp_btf);
    bpf_program__set_autoload(obj->progs.raw_switch, !tp_btf);

    int err = runqlat_bpf__load(obj);
    if (err) {
        fprintf(stderr, "failed to load BPF object: %s\n", strerror(-err));
        goto cleanup;
    }
    err = runqlat_bpf__attach(obj);
    if (err) {
        fprintf(stderr, "failed to attach BPF programs: %s\n", strerror(-err));
        goto cleanup;
    }

    printf("Tracing run queue latency... Hit Ctrl-C to end.\n");
    fflush(stdout);
    tool.interval_ms = (int)env.interval * 1000;
    rc = wasm_bpf_tool_poll(&tool, NULL, 0, print_interval, obj->maps.hists);
    /* Ctrl-C or -t ended an interval early: its histogram is the last one */
    if (!rc && !(env.count && intervals >= env.count))
        rc = print_interval(obj->maps.hists) < 0;
    err = rc ? -1 : 0;

cleanup:
    runqlat_bpf__destroy(obj);
    return err < 0 ? 1 : 0;
}
