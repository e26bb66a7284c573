/* driver.c: the BPF benchmarks of `make bench`, native against wasm, paired
 * and interleaved in one run (the machines' speed drifts):
 *
 *   (a) start-up to attached: from fork until the bootstrap example has
 *       printed its header (it does so once attached), native program vs
 *       `wasm-bpf run bootstrap.wasm`;
 *   (b) ring buffer: cost per record from the kernel's ring to a trivial
 *       callback (bpfbench ring): wall clock, and (b') the CPU time of the
 *       same runs' polls, which a loaded machine disturbs least;
 *   (c) map lookups from user space (bpfbench map);
 * and the sizes of bootstrap.wasm and of the stripped wasm-bpf binary.
 *
 *   driver WASM_BPF BOOTSTRAP_NATIVE BOOTSTRAP_WASM BPFBENCH_NATIVE BPFBENCH_WASM TRIGGER
 *          [CALLBENCH CALLBENCH_WASM]
 *
 * Each measurement prints its per-run values, the medians and the ratio of
 * medians (wasm / native). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define STARTUP_ROUNDS 15
#define RING_ROUNDS    7
#define RING_RECORDS   "2000000"
#define MAP_ROUNDS     9
#define MAP_LOOKUPS    "300000"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct child {
    pid_t pid;
    FILE *out; /* its stdout */
    FILE *in;  /* its stdin, or NULL */
};

static int spawn(char *const argv[], bool with_stdin, struct child *c)
{
    int out[2], in[2] = {-1, -1};
    if (pipe(out) || (with_stdin && pipe(in)))
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    if (with_stdin) {
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_addclose(&fa, in[1]);
    }
    int err = posix_spawn(&c->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (with_stdin)
        close(in[0]);
    if (err) {
        fprintf(stderr, "driver: cannot run %s: %s\n", argv[0], strerror(err));
        return -1;
    }
    c->out = fdopen(out[0], "r");
    c->in = with_stdin ? fdopen(in[1], "w") : NULL;
    return 0;
}

/* read lines until one starts with `prefix`; copies it to line */
static int read_until(struct child *c, const char *prefix, char *line, size_t size)
{
    while (fgets(line, (int)size, c->out))
        if (!strncmp(line, prefix, strlen(prefix)))
            return 0;
    return -1;
}

static int finish(struct child *c, int sig)
{
    if (sig)
        kill(c->pid, sig);
    if (c->in)
        fclose(c->in);
    fclose(c->out);
    int st;
    waitpid(c->pid, &st, 0);
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    double s[64];
    memcpy(s, v, (size_t)n * sizeof(*v));
    qsort(s, (size_t)n, sizeof(*s), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void report(const char *what, const char *unit, double *native, double *wasm, int n,
                   double goal)
{
    printf("%s (%s), %d runs each:\n  native:", what, unit, n);
    for (int i = 0; i < n; i++)
        printf(" %.1f", native[i]);
    printf("\n  wasm:  ");
    for (int i = 0; i < n; i++)
        printf(" %.1f", wasm[i]);
    double mn = median(native, n), mw = median(wasm, n);
    /* each wasm run against the native run just before it: the machine's
     * speed drifts less within a pair than across the whole series */
    double ratios[64];
    for (int i = 0; i < n; i++)
        ratios[i] = wasm[i] / native[i];
    printf("\n  median native %.2f, wasm %.2f: ratio of medians %.2fx, median of paired ratios "
           "%.2fx (goal <= %.2fx)\n\n",
           mn, mw, mw / mn, median(ratios, n), goal);
}

/* (a) ms from spawn until the header line */
static double time_to_attach(char *const argv[])
{
    struct child c;
    char line[512];
    double t0 = now_ms();
    if (spawn(argv, false, &c))
        return -1;
    int ok = read_until(&c, "TIME ", line, sizeof(line));
    double t = now_ms() - t0;
    finish(&c, SIGINT);
    return ok ? -1 : t;
}

/* (b) ns per record, as the program measured it: wall clock, and its CPU
 * time over the polls in *cpu */
static double ring_cost(char *const argv[], const char *trigger, double *cpu)
{
    struct child c;
    char line[512];
    double v = -1;
    *cpu = -1;
    if (spawn(argv, true, &c))
        return -1;
    if (!read_until(&c, "ready", line, sizeof(line))) {
        char *targ[] = {(char *)trigger, RING_RECORDS, "1", NULL};
        pid_t tp;
        int st;
        if (!posix_spawn(&tp, trigger, NULL, NULL, targ, environ) && waitpid(tp, &st, 0) > 0) {
            fputs("go\n", c.in);
            fflush(c.in);
            if (!read_until(&c, "ring ", line, sizeof(line)))
                if (sscanf(line, "ring %*d records %lf ns/record %lf", &v, cpu) != 2)
                    v = -1;
        }
    }
    finish(&c, 0);
    return v;
}

static double map_cost(char *const argv[])
{
    struct child c;
    char line[512];
    double v = -1;
    if (spawn(argv, false, &c))
        return -1;
    if (!read_until(&c, "map ", line, sizeof(line)))
        sscanf(line, "map %*d lookups %lf", &v);
    finish(&c, 0);
    return v;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) ? -1 : (long)st.st_size;
}

int main(int argc, char **argv)
{
    if (argc != 7 && argc != 9) {
        fprintf(stderr, "usage: driver WASM_BPF BOOTSTRAP_NATIVE BOOTSTRAP_WASM BPFBENCH_NATIVE "
                        "BPFBENCH_WASM TRIGGER [CALLBENCH CALLBENCH_WASM]\n");
        return 2;
    }
    char *callbench = argc == 9 ? argv[7] : NULL, *callbench_wasm = argc == 9 ? argv[8] : NULL;
    char *wasm_bpf = argv[1], *boot_native = argv[2], *boot_wasm = argv[3];
    char *bench_native = argv[4], *bench_wasm = argv[5], *trigger = argv[6];
    signal(SIGPIPE, SIG_IGN);
    int failed = 0;

    printf("== BPF benchmarks: native libbpf vs wasm-bpf, interleaved\n\n");

    double na[STARTUP_ROUNDS], wa[STARTUP_ROUNDS];
    char *nboot[] = {boot_native, NULL};
    char *wboot[] = {wasm_bpf, "run", boot_wasm, NULL};
    time_to_attach(nboot); /* warm the caches: kernel BTF, the binaries */
    time_to_attach(wboot);
    /* native first in even rounds, wasm first in odd ones: no side always
     * runs on the caches the other warmed */
    for (int i = 0; i < STARTUP_ROUNDS; i++) {
        if (i % 2) {
            wa[i] = time_to_attach(wboot);
            na[i] = time_to_attach(nboot);
        } else {
            na[i] = time_to_attach(nboot);
            wa[i] = time_to_attach(wboot);
        }
        failed |= na[i] < 0 || wa[i] < 0;
    }
    report("(a) bootstrap: start-up until attached", "ms from fork", na, wa, STARTUP_ROUNDS, 1.10);

    double nr[RING_ROUNDS], wr[RING_ROUNDS], nrc[RING_ROUNDS], wrc[RING_ROUNDS];
    char *nring[] = {bench_native, "ring", trigger, RING_RECORDS, NULL};
    char *wring[] = {wasm_bpf, "run", bench_wasm, "ring", trigger, RING_RECORDS, NULL};
    for (int i = 0; i < RING_ROUNDS; i++) {
        if (i % 2) {
            wr[i] = ring_cost(wring, trigger, &wrc[i]);
            nr[i] = ring_cost(nring, trigger, &nrc[i]);
        } else {
            nr[i] = ring_cost(nring, trigger, &nrc[i]);
            wr[i] = ring_cost(wring, trigger, &wrc[i]);
        }
        failed |= nr[i] < 0 || wr[i] < 0;
    }
    report("(b) ring buffer: kernel ring to a trivial callback",
           "ns per record, " RING_RECORDS " records", nr, wr, RING_ROUNDS, 1.3);
    /* the same runs' CPU time over the polls: time descheduled on a loaded
     * machine is not in it */
    report("(b') ring buffer, CPU time of the polls", "CPU ns per record", nrc, wrc, RING_ROUNDS,
           1.3);
    if (callbench) {
        /* the engine's share of (b): its host-to-guest call alone */
        char *cargv[] = {callbench, callbench_wasm, "5000000", NULL};
        struct child c = {0};
        char line[256];
        if (!spawn(cargv, false, &c) && !read_until(&c, "wasm_call ", line, sizeof(line))) {
            printf("    of which the engine's wasm_call of the callback: %s",
                   line + strlen("wasm_call 5000000 calls "));
            /* the prepared path the polls take, interleaved with it */
            if (!read_until(&c, "wasm_callback_call ", line, sizeof(line)))
                printf("    through wasm_callback_call (what polls use): %s",
                       line + strlen("wasm_callback_call 5000000 calls "));
        }
        if (c.out)
            finish(&c, 0);
    }

    double nm[MAP_ROUNDS], wm[MAP_ROUNDS];
    char *nmap[] = {bench_native, "map", MAP_LOOKUPS, NULL};
    char *wmap[] = {wasm_bpf, "run", bench_wasm, "map", MAP_LOOKUPS, NULL};
    for (int i = 0; i < MAP_ROUNDS; i++) {
        if (i % 2) {
            wm[i] = map_cost(wmap);
            nm[i] = map_cost(nmap);
        } else {
            nm[i] = map_cost(nmap);
            wm[i] = map_cost(wmap);
        }
        failed |= nm[i] < 0 || wm[i] < 0;
    }
    report("(c) map lookups from user space", "ns per lookup, " MAP_LOOKUPS " lookups", nm, wm,
           MAP_ROUNDS, 1.10);
    if (callbench) {
        /* the engine's share of (c): a guest-to-host call alone */
        char *cargv[] = {callbench, callbench_wasm, "5000000", "import", NULL};
        struct child c = {0};
        char line[256];
        if (!spawn(cargv, false, &c) && !read_until(&c, "import", line, sizeof(line)))
            printf("    of which the engine's call of an import and the guest's loop: %s\n",
                   line + strlen("import 5000000 calls "));
        if (c.out)
            finish(&c, 0);
    }

    /* sizes */
    char stripped[] = "/tmp/wasm-bpf-stripped.XXXXXX";
    int fd = mkstemp(stripped);
    long bin = -1;
    if (fd >= 0) {
        close(fd);
        char *sargv[] = {"strip", "-o", stripped, wasm_bpf, NULL};
        pid_t p;
        int st;
        if (!posix_spawnp(&p, "strip", NULL, NULL, sargv, environ) && waitpid(p, &st, 0) > 0 && !st)
            bin = file_size(stripped);
        unlink(stripped);
    }
    printf("sizes: bootstrap.wasm %ld bytes; wasm-bpf stripped %ld bytes\n", file_size(boot_wasm),
           bin);
    if (failed)
        printf("\nsome runs failed (value -1)\n");
    return failed;
}
