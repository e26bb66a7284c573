/* cmd_run.c: `wasm-bpf run [options] MODULE [args...]`.
 *
 * The steps of a run, each in its own function:
 *   parse_options     the command line; everything after MODULE is the guest's
 *   resolve_module    MODULE as typed -> a local file (the OCI hook)
 *   read_module       the bytes
 *   run_module        load, attach host interfaces, instantiate, call _start
 *   exit_status       how the guest ended -> the process exit status
 *
 * Host interfaces (WASI, the eBPF interface) are entries of host_ifaces[]:
 * attach() creates their state and defines their imports on the linker,
 * detach() releases everything they hold.  detach() runs on every way out
 * of a run that attach() succeeded for: normal exit, proc_exit, trap,
 * SIGINT/SIGTERM/SIGHUP, failed instantiation.
 *
 * Signals, as docker's stop: the first SIGINT/SIGTERM/SIGHUP asks the guest
 * to end by itself (wasm_runtime_request_stop: its blocked poll, read or
 * sleep returns EINTR, and so does every later one) and arms a timer of
 * --stop-timeout seconds; when it fires, or at a second signal, the runtime
 * is interrupted: the guest stops at its next call or loop back-edge and
 * the run unwinds normally through cleanup.  A signal after that ends the
 * process at once.  The exit status is the guest's own when it ended by
 * itself, 128 + the signal when it had to be stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "metrics.h"
#include "oci_report.h"
#include "oci.h"
#include "oci_trust.h"
#include "opt.h"
#include "wasi.h"
#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"
#include "wasm_engine.h"

/* Exit statuses of `run` besides the guest's own (documented in --help and
 * the README). */
enum {
    EXIT_RUN_FETCH = 125,       /* a URL or registry reference could not be fetched */
    EXIT_RUN_BAD_MODULE = 126,  /* cannot be read, decoded, validated, linked, instantiated */
    EXIT_RUN_NO_MODULE = 127,   /* the module file does not exist */
    EXIT_RUN_SIGNAL_BASE = 128, /* + signal number: 129 HUP, 130 INT, 141 PIPE, 143 TERM */
    EXIT_RUN_TRAP = 134,        /* the guest trapped (128 + SIGABRT, like an abort) */
};

extern char **environ;

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

/* --allow-helper: the helpers of concern allowed, once given at all */
struct helper_list {
    struct opt_list names;
    bool given;
};

struct run_options {
    const char *module; /* MODULE as typed; the guest's argv[0] */
    int guest_argc;     /* MODULE and everything after it */
    char **guest_argv;
    wasi_preopen *dirs; /* --dir, in order */
    size_t ndirs;
    struct opt_list env; /* --env KEY=VALUE, in order */
    bool inherit_env;
    uint32_t max_memory_pages; /* 0: the engine's default (4 GiB) */
    uint32_t engine; /* --engine: a wasm_engine_tier; 0: $WASM_BPF_ENGINE or the default */
    struct timespec stop_timeout; /* --stop-timeout: from the first signal to the interrupt */
    bool verbose;
    struct opt_list allow_prog_types;      /* --allow-prog-type, none: any */
    struct opt_list allow_attach;          /* --allow-attach, none: any */
    struct helper_list allow_helpers;      /* --allow-helper */
    struct wasm_bpf_permissions *declared; /* the module's, from its manifest; NULL: none */
    struct oci_run_options oci;            /* --pull, --store, --insecure, --plain-http ... */
    struct trust_cli trust;                /* --policy, --verify-key */
    struct metrics_addr metrics;           /* --metrics [ADDR:]PORT */
    const char *ready_file;                /* --ready-file PATH */
    const char *btf;                       /* --btf FILE (checked) */
};

/* --dir HOST[::GUEST] (target: the run_options) */
static int add_dir(void *target, const char *arg, char *err, size_t errlen)
{
    struct run_options *o = target;
    wasi_preopen *d = realloc(o->dirs, (o->ndirs + 1) * sizeof *d);
    if (d)
        o->dirs = d;
    char *copy = d ? strdup(arg) : NULL;
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* HOST::GUEST, split at the first "::". */
    char *sep = strstr(copy, "::");
    const char *guest = copy;
    if (sep) {
        *sep = '\0';
        guest = sep + 2;
    }
    if (!*copy || !*guest) {
        free(copy);
        snprintf(err, errlen, "expected HOST or HOST::GUEST");
        return -1;
    }
    d[o->ndirs].host_path = copy;
    d[o->ndirs].guest_path = guest;
    o->ndirs++;
    return 0;
}

static int add_env(void *target, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        snprintf(err, errlen, "expected KEY=VALUE");
        return -1;
    }
    if (opt_list_add(target, arg) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* NAME is a helper of concern; else false with the names in err */
static bool helper_known(const char *name, char *err, size_t errlen)
{
    const char *const *known = wasm_bpf_helpers_of_concern();
    for (size_t i = 0; known[i]; i++)
        if (!strcmp(known[i], name))
            return true;
    snprintf(err, errlen, "expected none or a helper of concern: %s, %s, %s or %s", known[0],
             known[1], known[2], known[3]);
    return false;
}

/* --allow-helper NAME|none */
static int add_helper(void *target, const char *arg, char *err, size_t errlen)
{
    struct helper_list *h = target;
    h->given = true;
    if (!strcmp(arg, "none"))
        return 0;
    if (!helper_known(arg, err, errlen))
        return -1;
    if (opt_list_add(&h->names, arg) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int set_max_memory(void *target, const char *arg, char *err, size_t errlen)
{
    uint64_t bytes;
    if (base_parse_size(arg, &bytes) < 0) {
        snprintf(err, errlen, "expected a size such as 65536, 64K, 64M or 1G");
        return -1;
    }
    uint64_t pages = bytes / 65536;
    if (pages == 0) {
        snprintf(err, errlen, "less than one 64K page");
        return -1;
    }
    if (pages > 65536) {
        snprintf(err, errlen, "more than 4G, a 32-bit guest's limit");
        return -1;
    }
    *(uint32_t *)target = (uint32_t)pages;
    return 0;
}

#define ENGINE_NAMES "tiered, jit or interp"

static int set_engine(void *target, const char *arg, char *err, size_t errlen)
{
    for (wasm_engine_tier t = WASM_ENGINE_INTERP; t <= WASM_ENGINE_TIERED; t++)
        if (!strcmp(arg, wasm_engine_name(t))) {
            *(uint32_t *)target = t;
            return 0;
        }
    snprintf(err, errlen, "expected " ENGINE_NAMES);
    return -1;
}

/* SECONDS: a non-negative decimal number of seconds ("2", "0.5"), at most
 * a day; digits only, no sign, exponent or hex: what a user types. */
static int parse_seconds(const char *s, struct timespec *ts)
{
    long sec = 0, nsec = 0, scale = 100000000;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        sec = sec * 10 + (*p - '0');
        if (sec > 86400)
            return -1;
    }
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
            nsec += (*p - '0') * scale; /* digits past nanoseconds add 0 */
    }
    if (*p != '\0' || (sec == 86400 && nsec > 0))
        return -1;
    ts->tv_sec = sec;
    ts->tv_nsec = nsec;
    return 0;
}

static int set_stop_timeout(void *target, const char *arg, char *err, size_t errlen)
{
    if (parse_seconds(arg, target) < 0) {
        snprintf(err, errlen, "expected seconds from 0 to 86400, such as 2 or 0.5");
        return -1;
    }
    return 0;
}

/* --btf FILE: checked now, so that a wrong file is a usage error */
static int set_btf(void *target, const char *arg, char *err, size_t errlen)
{
    char why[256];
    if (wasm_bpf_btf_file_check(arg, why, sizeof why) < 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    *(const char **)target = arg;
    return 0;
}

#define RUN_AT(member) offsetof(struct run_options, member)
static const struct opt run_opts[] = {
    {"dir", 0, "HOST[::GUEST]", OPT_SET, 0, add_dir,
     "let the guest use host directory HOST, under the name GUEST (default: HOST as typed); "
     "repeatable"},
    {"env", 0, "KEY=VALUE", OPT_SET, RUN_AT(env), add_env,
     "set a variable in the guest's environment; repeatable"},
    {"inherit-env", 0, NULL, OPT_FLAG, RUN_AT(inherit_env), NULL,
     "give the guest this process's environment (--env wins)"},
    {"max-memory", 0, "SIZE", OPT_SET, RUN_AT(max_memory_pages), set_max_memory,
     "cap the guest's linear memory: bytes, or with a suffix K, M, G (powers of 1024), e.g. 64M; "
     "at most 4G"},
    {"allow-prog-type", 0, "TYPE", OPT_LIST, RUN_AT(allow_prog_types), NULL,
     "let the guest load only BPF programs of these types (libbpf's names: tracepoint, "
     "raw_tracepoint, tracing, kprobe, xdp, sched_cls, socket_filter, sock_ops, cgroup_skb, lsm "
     "...); repeatable; default: any"},
    {"allow-attach", 0, "PATTERN", OPT_LIST, RUN_AT(allow_attach), NULL,
     "let the guest attach only to targets matching one of these shell patterns: an interface, a "
     "cgroup directory, IFNAME:ingress, PATH:FUNC, or the SEC() name of a program attached by it "
     "(e.g. 'tp/sched/*'); repeatable"},
    {"allow-helper", 0, "NAME", OPT_SET, RUN_AT(allow_helpers), add_helper,
     "let the guest's programs call only these helpers of concern (bpf_probe_write_user, "
     "bpf_override_return, bpf_send_signal, bpf_send_signal_thread; 'none': none of them), checked "
     "in their instructions before load; repeatable; default: any"},
    {"stop-timeout", 0, "SECONDS", OPT_SET, RUN_AT(stop_timeout), set_stop_timeout,
     "after the first SIGINT/SIGTERM/SIGHUP, how long the guest may take to end by itself (its "
     "waits return EINTR) before it is stopped; default 2, 0: at once"},
    {"engine", 0, "tiered|jit|interp", OPT_SET, RUN_AT(engine), set_engine,
     "tiered: interpret, and compile to machine code what runs hot (x86-64; elsewhere the "
     "interpreter); jit: compile every function before the guest starts; interp: the "
     "interpreter only (default: $WASM_BPF_ENGINE, else tiered)"},
    {"metrics", 0, "[ADDR:]PORT", OPT_SET, RUN_AT(metrics), metrics_parse_addr,
     "serve Prometheus metrics on http://ADDR:PORT/metrics (records delivered and lost per "
     "buffer, map operations, guest memory, the module's digest; see the README's Metrics) and "
     "readiness on /ready (200 once the guest waits for events, 503 before); ADDR: an IPv4 "
     "address, localhost or [IPv6], default 127.0.0.1 (0.0.0.0: every interface)"},
    {"ready-file", 0, "PATH", OPT_STRING, RUN_AT(ready_file), NULL,
     "create PATH once the guest first waits for events (its programs are loaded and "
     "attached), remove it when the run ends: a readiness probe (`test -f PATH`)"},
    {"btf", 0, "FILE", OPT_SET, RUN_AT(btf), set_btf,
     "relocate the guest's BPF objects (CO-RE) against the BTF in FILE instead of the kernel's "
     "/sys/kernel/btf/vmlinux: for kernels without it, or to override it; raw BTF (a vmlinux "
     "BTF, or `bpftool gen min_core_btf` output) or an ELF file with a .BTF section"},
    {"verbose", 0, NULL, OPT_FLAG, RUN_AT(verbose), NULL,
     "report loading, timings, the kernel's features (BTF, ring buffer, bpf_loop, fentry, "
     "tcx) and how the guest ended; libbpf's messages and full verifier logs"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group run_groups[] = {
    {run_opts, 0, NULL},
    {cli_oci_pull_opts, RUN_AT(oci), "Modules from registries and URLs"},
    {cli_oci_store_opts, RUN_AT(oci.oci), NULL},
    {cli_oci_transport_opts, RUN_AT(oci.oci), NULL},
    {cli_oci_quiet_opts, RUN_AT(oci.oci), NULL},
    {cli_oci_platform_opts, RUN_AT(oci.oci), NULL},
    {cli_trust_opts, RUN_AT(trust), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_run_spec = {
    .name = "run",
    .usage = "run [options] MODULE [args...]\n"
             "[options] MODULE [args...]",
    .description = "Run a WebAssembly module (a WASI command).  Everything after MODULE goes to\n"
                   "the guest unchanged, dashes included; the guest's argv[0] is MODULE as typed.\n"
                   "MODULE is a file, an http(s):// URL of a .wasm file, or an OCI reference\n"
                   "(registry/repository[:tag|@digest], as docker's, also with an https:// or\n"
                   "http:// in front as ecli users type), pulled into the local store.\n",
    .groups = run_groups,
    .epilog = "The guest sees no files and no environment unless given them.\n"
              "\n"
              "Exit status:\n"
              "  0-255  the guest's exit code (its low 8 bits, as a shell takes them)\n"
              "  2      bad options, a bad reference, or a --dir that cannot be opened\n"
              "  125    a URL or registry reference could not be fetched\n"
              "  126    the module cannot be read, decoded, validated, linked or instantiated\n"
              "  127    the module file does not exist\n"
              "  134    the guest trapped (the message names the function)\n"
              "  128+N  stopped by signal N (the guest did not end by itself within\n"
              "         --stop-timeout, a second signal came, or the module was still\n"
              "         being loaded or compiled): 129 SIGHUP, 130 SIGINT, 143 SIGTERM;\n"
              "         141 when the guest wrote to a closed pipe\n",
    .flags = OPT_CMD_STOP_AT_ARG | OPT_CMD_VERSION,
    .arity = &(const struct opt_arity){1, OPT_ARGS_ANY, "no module given"},
};

static void free_options(struct run_options *o)
{
    for (size_t i = 0; i < o->ndirs; i++)
        free((char *)o->dirs[i].host_path); /* guest_path points into it */
    free(o->dirs);
    free(o->env.items);
    free(o->allow_helpers.names.items);
    wasm_bpf_permissions_free(o->declared);
    trust_cleanup(&o->trust);
    opt_free(&cmd_run_spec, o);
}

/* Options come before MODULE; the first argument that is not an option (or
 * follows "--") is MODULE, and the guest's own arguments after it are never
 * looked at.  Returns -1 when the run may go on, or the exit status. */
static int parse_options(int argc, char **argv, struct run_options *o, bool short_form)
{
    memset(o, 0, sizeof *o);
    o->stop_timeout.tv_sec = 2; /* as a terminal user expects; a fleet sets its own */
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) {
        fprintf(stderr, "wasm-bpf: out of memory\n");
        return EXIT_RUN_BAD_MODULE;
    }
    int nargs, rc = opt_parse(&cmd_run_spec, o, argc, argv, args, &nargs);
    if (rc < 0) {
        /* the guest's arguments are argv's tail from MODULE on, untouched */
        o->module = args[0];
        o->guest_argc = nargs;
        o->guest_argv = argv + (argc - nargs);
        if (short_form && !cli_is_module_word(o->module))
            rc = cli_not_a_command(o->module);
        else if (!strstr(o->module, "://") && !oci_is_local_path(o->module))
            rc = cli_check_ref(&cmd_run_spec, o->module) ? EXIT_USAGE : -1;
    }
    free(args);
    return rc;
}

/* The guest's environment: the host's with --inherit-env, then --env
 * (a later KEY replaces an earlier one).  The strings are borrowed. */
static const char **guest_environment(const struct run_options *o, int *count)
{
    size_t nhost = 0;
    if (o->inherit_env)
        for (char **e = environ; *e; e++)
            nhost++;
    const char **env = malloc((nhost + o->env.n + 1) * sizeof *env);
    if (!env)
        return NULL;
    int n = 0;
    for (size_t i = 0; i < nhost + o->env.n; i++) {
        const char *kv = i < nhost ? environ[i] : o->env.items[i - nhost];
        const char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        size_t klen = (size_t)(eq - kv) + 1; /* with the '=' */
        int j;
        for (j = 0; j < n; j++)
            if (!strncmp(env[j], kv, klen))
                break;
        env[j] = kv;
        if (j == n)
            n++;
    }
    *count = n;
    return env;
}

/* ------------------------------------------------------------------ */
/* Signals                                                             */
/* ------------------------------------------------------------------ */

static wasm_runtime *volatile running_rt;   /* set while a guest may run */
static volatile sig_atomic_t caught_signal; /* the first SIGINT/SIGTERM/SIGHUP */
static volatile sig_atomic_t stop_forced;   /* the runtime was interrupted: by what signal */
static struct itimerspec grace;             /* --stop-timeout, one shot */
static timer_t grace_timer;
static bool have_grace_timer;

/* Interrupt the guest: it did not end by itself in time, or the user
 * insisted.  Also marks a signal that came before the guest started. */
static void force_stop(int by)
{
    stop_forced = by;
    wasm_runtime *rt = running_rt;
    if (rt)
        wasm_runtime_interrupt(rt);
}

static void on_signal(int sig)
{
    if (sig == SIGALRM) { /* the grace period is over */
        if (caught_signal && !stop_forced)
            force_stop(sig);
        return;
    }
    if (!caught_signal) {
        caught_signal = sig;
        wasm_runtime *rt = running_rt;
        bool no_grace = !grace.it_value.tv_sec && !grace.it_value.tv_nsec;
        if (!rt || no_grace || !have_grace_timer || timer_settime(grace_timer, 0, &grace, NULL)) {
            force_stop(sig);
            return;
        }
        wasm_runtime_request_stop(rt);
        return;
    }
    if (!stop_forced) { /* a second signal: stop now */
        force_stop(sig);
        return;
    }
    /* Another one while cleaning up: the user does not want to wait. */
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGALRM};
#define NHANDLED (sizeof handled_signals / sizeof handled_signals[0])

struct saved_signals {
    struct sigaction old[NHANDLED];
    struct sigaction old_pipe;
};

static void install_signals(struct saved_signals *saved, const struct timespec *stop_timeout)
{
    grace = (struct itimerspec){.it_value = *stop_timeout};
    /* The grace timer delivers SIGALRM (no other part of the host uses it). */
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
    have_grace_timer = timer_create(CLOCK_MONOTONIC, &sev, &grace_timer) == 0;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    /* Handlers do not nest: each reads and sets the state above. */
    for (size_t i = 0; i < NHANDLED; i++)
        sigaddset(&sa.sa_mask, handled_signals[i]);
    /* No SA_RESTART: a blocked host call returns EINTR and notices. */
    sa.sa_flags = 0;
    caught_signal = 0;
    stop_forced = 0;
    for (size_t i = 0; i < NHANDLED; i++)
        sigaction(handled_signals[i], &sa, &saved->old[i]);
    /* A closed stdout must not kill the host before it cleans up: WASI
     * turns EPIPE into the guest's end instead (exit status 141). */
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &saved->old_pipe);
}

static void restore_signals(const struct saved_signals *saved)
{
    if (have_grace_timer)
        timer_delete(grace_timer);
    have_grace_timer = false;
    for (size_t i = 0; i < NHANDLED; i++)
        sigaction(handled_signals[i], &saved->old[i], NULL);
    sigaction(SIGPIPE, &saved->old_pipe, NULL);
}

/* ------------------------------------------------------------------ */
/* Host interfaces                                                     */
/* ------------------------------------------------------------------ */

/* Everything one run holds.  Host interfaces keep their state here. */
struct run_state {
    const struct run_options *opt;
    wasm_runtime *rt;
    wasm_linker *linker;
    wasm_instance *inst; /* once instantiated (freed with rt) */
    wasi_ctx *wasi;
    wasm_bpf_host *bpf;             /* the eBPF host interface's state */
    struct metrics_server *metrics; /* --metrics, once instantiated */
    bool ready_created;             /* --ready-file exists: remove it at the end */
    int btf_fd;                     /* the module's minimal BTF for this kernel (a memfd), or -1 */
    char btf_path[64];              /* its path for libbpf, when btf_fd >= 0 */
};

struct host_iface {
    const char *name;
    /* Create the state and define the imports on rs->linker.  Returns 0, or
     * the exit status of the run with a message in err. */
    int (*attach)(struct run_state *rs, char *err, size_t errlen);
    /* Release everything (kernel objects included); runs once the guest
     * can no longer run, however the run ended. */
    void (*detach)(struct run_state *rs);
};

static int wasi_attach(struct run_state *rs, char *err, size_t errlen)
{
    const struct run_options *o = rs->opt;
    int envc;
    const char **envp = guest_environment(o, &envc);
    if (!envp) {
        snprintf(err, errlen, "out of memory");
        return EXIT_RUN_BAD_MODULE;
    }
    wasi_config cfg = {
        .argc = o->guest_argc,
        .argv = (const char *const *)o->guest_argv,
        .envc = envc,
        .envp = envp,
        .npreopens = o->ndirs,
        .preopens = o->dirs,
        .stdio = {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO},
    };
    char why[512];
    rs->wasi = wasi_ctx_new(&cfg, why, sizeof why);
    free(envp);
    if (!rs->wasi) {
        /* A --dir that cannot be opened is a bad argument. */
        snprintf(err, errlen, "--dir %s", why);
        return EXIT_USAGE;
    }
    if (wasi_define(rs->wasi, rs->linker) < 0) {
        snprintf(err, errlen, "cannot define the WASI imports");
        return EXIT_RUN_BAD_MODULE;
    }
    return 0;
}

static void wasi_detach(struct run_state *rs)
{
    wasi_ctx_free(rs->wasi);
    rs->wasi = NULL;
}

/* --ready-file: the guest waits for events for the first time (wasm_bpf_options.on_ready) */
static void on_ready(void *ctx)
{
    struct run_state *rs = ctx;
    const char *path = rs->opt->ready_file;
    if (!path)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        fprintf(stderr, "wasm-bpf: --ready-file %s: cannot create it: %s\n", path, strerror(errno));
        return;
    }
    rs->ready_created = true;
    dprintf(fd, "%ld\n", (long)getpid());
    close(fd);
}

/* --ready-file must not say "ready" before the run is: a file left by an
 * earlier run goes, and a path that cannot be created is a bad option. */
static int ready_file_check(const char *path)
{
    if (!*path) {
        fprintf(stderr, "wasm-bpf: --ready-file: empty path\n");
        return EXIT_USAGE;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "wasm-bpf: --ready-file %s: is a directory\n", path);
        return EXIT_USAGE;
    }
    if (unlink(path) && errno != ENOENT) {
        fprintf(stderr,
                "wasm-bpf: --ready-file %s: cannot remove the one left by an earlier run: %s\n",
                path, strerror(errno));
        return EXIT_USAGE;
    }
    char *dir = strdup(path);
    if (!dir) {
        fprintf(stderr, "wasm-bpf: out of memory\n");
        return EXIT_RUN_BAD_MODULE;
    }
    char *slash = strrchr(dir, '/');
    const char *d = !slash ? "." : slash == dir ? "/" : (*slash = '\0', dir);
    int rc = -1;
    if (stat(d, &st) || !S_ISDIR(st.st_mode) || access(d, W_OK)) {
        fprintf(stderr, "wasm-bpf: --ready-file %s: directory %s %s\n", path, d,
                errno == ENOENT ? "does not exist" : "is not a writable directory");
        rc = EXIT_USAGE;
    }
    free(dir);
    return rc;
}

/* The policy file's "wasmBpf" section, or NULL without --policy. */
static const struct oci_policy_module_rules *policy_rules(const struct run_options *o)
{
    return o->trust.policy ? oci_policy_module_rules(o->trust.policy) : NULL;
}

/* What the guest may load: the command line's --allow-* options, and the
 * policy file's "wasmBpf" section (both must allow).  RULES holds the
 * two; returns the first. */
static const struct wasm_bpf_policy *run_rules(const struct run_options *o,
                                               struct wasm_bpf_policy rules[2])
{
    static const char *const no_helper[1];
    rules[0] = (struct wasm_bpf_policy){
        .prog_types = o->allow_prog_types.items,
        .n_prog_types = o->allow_prog_types.n,
        .attach_targets = o->allow_attach.items,
        .n_attach_targets = o->allow_attach.n,
        .helpers = o->allow_helpers.given
                       ? (o->allow_helpers.names.n ? o->allow_helpers.names.items : no_helper)
                       : NULL,
        .n_helpers = o->allow_helpers.names.n,
        .prog_types_name = "--allow-prog-type",
        .attach_targets_name = "--allow-attach",
        .helpers_name = "--allow-helper",
    };
    const struct oci_policy_module_rules *mr = policy_rules(o);
    if (mr && mr->present) {
        rules[1] = (struct wasm_bpf_policy){
            .prog_types = mr->prog_types,
            .n_prog_types = mr->n_prog_types,
            .attach_targets = mr->attach_targets,
            .n_attach_targets = mr->n_attach_targets,
            .helpers = mr->helpers,
            .n_helpers = mr->n_helpers,
            .prog_types_name = "policy wasmBpf.allowProgTypes",
            .attach_targets_name = "policy wasmBpf.allowAttach",
            .helpers_name = "policy wasmBpf.allowHelpers",
        };
        rules[0].next = &rules[1];
    }
    return &rules[0];
}

static int bpf_attach(struct run_state *rs, char *err, size_t errlen)
{
    const struct run_options *o = rs->opt;
    struct wasm_bpf_policy rules[2];
    struct wasm_bpf_options bo = {.verbose = o->verbose,
                                  .policy = run_rules(o, rules),
                                  .verbose_name = "--verbose",
                                  .declared = o->declared,
                                  .on_ready = on_ready,
                                  .ready_ctx = rs,
                                  .btf_path = rs->btf_fd >= 0 ? rs->btf_path : o->btf,
                                  .btf_name = "--btf FILE"};
    rs->bpf = wasm_bpf_host_new(&bo);
    if (!rs->bpf || wasm_bpf_host_define(rs->bpf, rs->linker) < 0) {
        snprintf(err, errlen, "cannot define the wasm_bpf imports: out of memory");
        return EXIT_RUN_BAD_MODULE;
    }
    return 0;
}

/* Every link, program, map, tc and cgroup attachment of the guest goes. */
static void bpf_detach(struct run_state *rs)
{
    wasm_bpf_host_free(rs->bpf);
    rs->bpf = NULL;
}

static const struct host_iface host_ifaces[] = {
    {"wasi_snapshot_preview1", wasi_attach, wasi_detach},
    {"wasm_bpf", bpf_attach, bpf_detach},
};
#define NIFACES (sizeof host_ifaces / sizeof host_ifaces[0])

/* ------------------------------------------------------------------ */
/* The run                                                             */
/* ------------------------------------------------------------------ */

/* --verbose: the kernel and what it offers, one line each */
static void report_kernel(const struct run_options *o)
{
    struct utsname u;
    struct wasm_bpf_features f;
    if (uname(&u) == 0)
        fprintf(stderr, "wasm-bpf: kernel %s %s\n", u.release, u.machine);
    if (o->btf)
        fprintf(stderr, "wasm-bpf: CO-RE against --btf %s\n", o->btf);
    if (wasm_bpf_kernel_features(&f) < 0)
        return;
    for (int i = 0; i < WASM_BPF_FEATURES; i++)
        fprintf(stderr, "wasm-bpf: kernel feature %-8s %-7s (%s)\n", wasm_bpf_feature_name(i),
                wasm_bpf_feature_state_name(f.feature[i].state), f.feature[i].detail);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --verbose: what the compiler did for the module so far. */
static void report_compiled(const char *module, const char *engine, const wasm_jit_stats *js)
{
    fprintf(stderr,
            "wasm-bpf: %s: engine: %s, %u of %u functions compiled in %.2f ms, %llu bytes of "
            "machine code from %llu bytes of bodies\n",
            module, engine, js->compiled, js->functions, (double)js->compile_ns / 1e6,
            (unsigned long long)js->code_bytes, (unsigned long long)js->input_bytes);
}

/* --verbose, at the end of a tiered run: what ran hot enough to compile. */
static void report_tiered(const char *module, const wasm_module *mod)
{
    wasm_jit_stats js;
    if (wasm_module_jit_stats(mod, &js) < 0 || !js.compiled)
        fprintf(stderr, "wasm-bpf: %s: engine: tiered, nothing ran hot enough to compile\n",
                module);
    else
        report_compiled(module, "tiered", &js);
}

/* MODULE as typed -> the local file to read: a path as it is, or what the
 * OCI client made of a URL or registry reference (a file of the local store
 * or a temporary download, released by the caller).  The guest's argv[0]
 * stays what the user typed.  Returns -1 and *path, or an exit status after
 * printing why. */
static int resolve_module(struct run_options *o, char **path, struct oci_module *fetched)
{
    memset(fetched, 0, sizeof *fetched);
    *path = NULL;
    /* the policy's "wasmBpf" rules apply to every module; the rest of it to
     * registry modules, verified before they are downloaded: a refused one
     * never runs nor enters the store */
    if (trust_setup(&o->trust, &o->oci.oci, "run") < 0)
        return EXIT_RUN_FETCH;
    const struct oci_policy_module_rules *mr = policy_rules(o);
    for (size_t i = 0; mr && mr->helpers && i < mr->n_helpers; i++) {
        char why[256];
        if (!helper_known(mr->helpers[i], why, sizeof why)) {
            fprintf(stderr, "wasm-bpf run: policy: wasmBpf.allowHelpers: '%s': %s\n",
                    mr->helpers[i], why);
            return EXIT_RUN_FETCH;
        }
    }
    if (oci_is_local_path(o->module)) {
        *path = strdup(o->module);
    } else {
        trust_notice_unverified(&o->trust, o->module);
        struct oci_run_options ro = o->oci;
        ro.oci.error = &cli_oci_error;
        int r = oci_resolve_module(o->module, &ro, fetched);
        o->oci.oci.policy = NULL;
        if (r < 0) {
            cli_print_oci_error(&cli_oci_error, NULL);
            return EXIT_RUN_FETCH;
        }
        *path = strdup(fetched->path);
    }
    if (!*path) {
        fprintf(stderr, "wasm-bpf: out of memory\n");
        oci_module_release(fetched);
        return EXIT_RUN_BAD_MODULE;
    }
    return -1;
}

/* A registry module's declared permissions (the manifest annotation
 * WASM_BPF_PERMISSIONS_ANNOTATION, covered by its signature) against the
 * rules, before anything is loaded; kept in o->declared for the host, which
 * refuses any object the guest loads beyond them.  Files and URLs declare
 * nothing.  -1: go on; else the exit status, after printing why. */
static int check_declared(struct run_options *o, const struct oci_module *m)
{
    if (!m->annotations)
        return -1;
    const struct oci_policy_module_rules *mr = policy_rules(o);
    json_t *ann = json_loads(m->annotations, 0, NULL);
    json_t *v = json_object_get(ann, WASM_BPF_PERMISSIONS_ANNOTATION);
    int status = -1;
    if (!json_is_string(v)) {
        if (mr && mr->require_declared) {
            fprintf(
                stderr,
                "wasm-bpf: %s is refused: it declares no permissions (no annotation " WASM_BPF_PERMISSIONS_ANNOTATION
                ") and the policy requires them (wasmBpf.requireDeclaredPermissions)\n",
                o->module);
            status = EXIT_RUN_FETCH;
        } else if (o->verbose) {
            fprintf(stderr,
                    "wasm-bpf: %s declares no permissions: only the rules apply to what it loads\n",
                    o->module);
        }
        goto out;
    }
    char err[768];
    int rc = wasm_bpf_permissions_parse(json_string_value(v), json_string_length(v), &o->declared,
                                        err, sizeof err);
    if (rc < 0) {
        fprintf(stderr,
                "wasm-bpf: %s is refused: its annotation " WASM_BPF_PERMISSIONS_ANNOTATION
                " is invalid: %s\n",
                o->module, err);
        status = rc == -ENOMEM ? EXIT_RUN_BAD_MODULE : EXIT_RUN_FETCH;
        goto out;
    }
    struct wasm_bpf_policy rules[2];
    if (wasm_bpf_permissions_check(o->declared, run_rules(o, rules), err, sizeof err) < 0) {
        fprintf(stderr, "wasm-bpf: %s is refused before it runs: %s\n", o->module, err);
        status = EXIT_RUN_FETCH;
        goto out;
    }
    if (o->verbose) {
        char *words = wasm_bpf_permissions_describe(o->declared);
        if (words)
            fprintf(stderr, "wasm-bpf: %s declares:\n%s", o->module, words);
        free(words);
    }
out:
    json_decref(ann);
    return status;
}

static int read_module(const char *path, uint8_t **bytes, size_t *len)
{
    char *data;
    int err = base_read_file(path, SIZE_MAX - 1, &data, len);
    if (err == -EISDIR) {
        fprintf(stderr, "wasm-bpf: %s: is a directory, not a module\n", path);
        return EXIT_RUN_BAD_MODULE;
    }
    if (err) {
        fprintf(stderr, "wasm-bpf: %s: %s\n", path, strerror(-err));
        return err == -ENOENT ? EXIT_RUN_NO_MODULE : EXIT_RUN_BAD_MODULE;
    }
    *bytes = (uint8_t *)data;
    return 0;
}

/* A load or instantiation cut short by a signal (err says where): the
 * status of a run stopped by it. */
static int stopped_by_signal(const char *module, const char *err)
{
    fprintf(stderr, "wasm-bpf: %s: %s after SIG%s\n", module, err, sigabbrev_np(caught_signal));
    return EXIT_RUN_SIGNAL_BASE + caught_signal;
}

/* --verbose: the guest ended by itself after signal `sig` asked it to */
static void report_ended_after(const struct run_state *rs, const char *module, int sig)
{
    if (sig && rs->opt->verbose)
        fprintf(stderr, "wasm-bpf: %s: ended by itself after SIG%s\n", module, sigabbrev_np(sig));
}

/* How the guest ended -> exit status, with a message where one is due. */
static int exit_status(struct run_state *rs, const char *module, wasm_status st)
{
    int sig = caught_signal;
    switch (st) {
    case WASM_OK: /* _start returned: main returned 0 (or the guest never exits) */
        report_ended_after(rs, module, sig);
        return 0;
    case WASM_TRAP_EXIT: {
        /* The low 8 bits, as POSIX shells, Node's WASI and the original
         * runtime take them: main returning -1 exits 255. */
        int code = wasm_runtime_exit_code(rs->rt) & 0xff;
        int raised = rs->wasi ? wasi_exit_signal(rs->wasi) : 0;
        if (raised && raised != SIGPIPE)
            fprintf(stderr, "wasm-bpf: %s: the guest raised SIG%s\n", module, sigabbrev_np(raised));
        if (rs->opt->verbose && (unsigned)wasm_runtime_exit_code(rs->rt) > 255)
            fprintf(stderr,
                    "wasm-bpf: %s: exit code %u is above 255: exiting with its low 8 "
                    "bits, %d\n",
                    module, (unsigned)wasm_runtime_exit_code(rs->rt), code);
        report_ended_after(rs, module, sig);
        return code;
    }
    case WASM_TRAP_INTERRUPTED:
        if (sig) {
            if (rs->opt->verbose)
                fprintf(stderr, "wasm-bpf: %s: stopped after SIG%s (%s)\n", module,
                        sigabbrev_np(sig),
                        stop_forced == SIGALRM ? "it did not end within --stop-timeout"
                                               : "no grace period, or a second signal");
            return EXIT_RUN_SIGNAL_BASE + sig;
        }
        /* Interrupted by something other than our signals: a trap. */
        __attribute__((fallthrough));
    default:
        fprintf(stderr, "wasm-bpf: %s: trap: %s\n", module, wasm_runtime_trap_message(rs->rt));
        return EXIT_RUN_TRAP;
    }
}

/* The module's minimal BTF (build --min-btf) for this kernel, when it has
 * none of its own and no --btf was given: into a memfd for libbpf
 * (rs->btf_fd, rs->btf_path).  -1: go on; else the exit status. */
static int module_btf(const struct run_options *o, const wasm_module *mod, struct run_state *rs)
{
    size_t len;
    const uint8_t *sec = wasm_module_custom_section(mod, WASM_BPF_BTF_SECTION, &len);
    if (!sec)
        return -1;
    struct utsname u;
    if (uname(&u) < 0)
        snprintf(u.release, sizeof u.release, "?");
    const void *btf = NULL;
    size_t btf_len = 0;
    char msg[512], err[256];
    int found = wasm_bpf_btf_section_find(sec, len, u.release, &btf, &btf_len, msg, sizeof msg);
    if (found < 0) {
        fprintf(stderr, "wasm-bpf: %s: %s\n", o->module, msg);
        return EXIT_RUN_BAD_MODULE;
    }
    struct stat st;
    bool own = stat("/sys/kernel/btf/vmlinux", &st) == 0 && st.st_size > 0;
    if (o->btf || own) {
        if (o->verbose)
            fprintf(stderr, "wasm-bpf: %s: its minimal BTF is not needed: %s\n", o->module,
                    o->btf ? "--btf is given" : "the kernel has its own");
        return -1;
    }
    if (!found) {
        fprintf(stderr,
                "wasm-bpf: %s: this kernel (%s) has no BTF at /sys/kernel/btf/vmlinux, and the "
                "module carries minimal BTF only for %s\n",
                o->module, u.release, msg);
        return -1;
    }
    rs->btf_fd =
        wasm_bpf_btf_memfd(btf, btf_len, rs->btf_path, sizeof rs->btf_path, err, sizeof err);
    if (rs->btf_fd < 0) {
        fprintf(stderr, "wasm-bpf: %s: its minimal BTF for kernel %s: %s\n", o->module, u.release,
                err);
        return EXIT_RUN_BAD_MODULE;
    }
    if (o->verbose)
        fprintf(stderr, "wasm-bpf: %s: CO-RE against its minimal BTF for kernel %s (%zu bytes)\n",
                o->module, u.release, btf_len);
    return -1;
}

/* Takes ownership of bytes (freed once compiled: a guest may run for days). */
static int run_module(const struct run_options *o, uint8_t *bytes, size_t len)
{
    const char *module = o->module;
    int status = EXIT_RUN_BAD_MODULE;
    struct run_state rs = {.opt = o, .btf_fd = -1};
    size_t attached = 0;
    wasm_module *mod = NULL;
    char err[1024];
    char digest[OCI_DIGEST_SIZE] = "";

    /* the info metric names the module by the digest of its bytes: what a
     * registry calls its layer, also for a local file */
    if (o->metrics.set &&
        oci_digest_bytes(bytes, len, &(struct oci_options){.error = &cli_oci_error}, digest) < 0) {
        fprintf(stderr, "wasm-bpf: --metrics: no digest label: %s\n", cli_oci_error.message);
        digest[0] = '\0';
    }

    /* The runtime first, so that a Ctrl-C during a long load or compile
     * (both linear, but a module may be hundreds of MB) stops them. */
    WASM_RUNTIME_CONFIG(cfg, .max_memory_pages = o->max_memory_pages, .engine = o->engine);
    rs.rt = wasm_runtime_new(&cfg);
    if (!rs.rt && errno == EINVAL) {
        /* the two variables the library reads for a runtime's defaults */
        const char *engine = getenv("WASM_BPF_ENGINE");
        uint32_t tier;
        if (!o->engine && engine && *engine && set_engine(&tier, engine, err, sizeof err) < 0)
            fprintf(stderr, "wasm-bpf: WASM_BPF_ENGINE='%s': expected " ENGINE_NAMES "\n", engine);
        else
            fprintf(stderr,
                    "wasm-bpf: WASM_BPF_TIER_PERIOD='%s': expected a number from 1 to "
                    "1000000000\n",
                    getenv("WASM_BPF_TIER_PERIOD") ? getenv("WASM_BPF_TIER_PERIOD") : "");
        free(bytes);
        status = EXIT_USAGE;
        goto out;
    }
    rs.linker = wasm_linker_new();
    if (!rs.rt || !rs.linker) {
        fprintf(stderr, "wasm-bpf: out of memory\n");
        free(bytes);
        goto out;
    }
    running_rt = rs.rt;
    if (caught_signal) /* arrived while reading */
        wasm_runtime_interrupt(rs.rt);

    if (o->verbose) {
        report_kernel(o);
        fprintf(stderr, "wasm-bpf: %s: loading %zu bytes\n", module, len);
    }
    double t0 = now_ms();
    mod = wasm_module_load_interruptible(bytes, len, rs.rt, err, sizeof err);
    int load_errno = errno;
    free(bytes);
    if (!mod) {
        if (load_errno == EINTR && caught_signal) {
            status = stopped_by_signal(module, err);
            goto out;
        }
        const char *what = load_errno == ENOEXEC  ? "not a valid WebAssembly module"
                           : load_errno == EINVAL ? "invalid module"
                                                  : "cannot load";
        fprintf(stderr, "wasm-bpf: %s: %s: %s\n", module, what, err);
        goto out;
    }
    double t1 = now_ms();
    if (o->verbose)
        fprintf(stderr, "wasm-bpf: %s: %zu bytes decoded, validated and compiled in %.2f ms\n",
                module, len, t1 - t0);

    if ((status = module_btf(o, mod, &rs)) >= 0)
        goto out;
    status = EXIT_RUN_BAD_MODULE;
    for (; attached < NIFACES; attached++) {
        int st = host_ifaces[attached].attach(&rs, err, sizeof err);
        if (st != 0) {
            fprintf(stderr, "wasm-bpf: %s\n", err);
            status = st;
            goto out;
        }
    }

    wasm_instance *inst = wasm_instantiate(rs.rt, mod, rs.linker, err, sizeof err);
    rs.inst = inst;
    if (!inst) {
        int inst_errno = errno;
        if (inst_errno == ECANCELED) {
            fprintf(stderr, "wasm-bpf: %s: trap while instantiating: %s\n", module, err);
            status = EXIT_RUN_TRAP;
        } else if (inst_errno == EINTR && caught_signal) {
            status = stopped_by_signal(module, err);
        } else {
            fprintf(stderr, "wasm-bpf: %s: cannot %s: %s\n", module,
                    inst_errno == ENOENT || inst_errno == EINVAL ? "link" : "instantiate", err);
        }
        goto out;
    }
    double t2 = now_ms();
    wasm_jit_stats js;
    wasm_engine_tier tier = wasm_runtime_engine(rs.rt);
    bool jit = tier == WASM_ENGINE_TIERED ||
               (tier == WASM_ENGINE_JIT && wasm_module_jit_stats(mod, &js) == 0);
    if (o->metrics.set) {
        struct metrics_module mm = {.reference = module,
                                    .digest = digest,
                                    .engine = jit ? wasm_engine_name(tier) : "interp"};
        rs.metrics =
            metrics_start(&o->metrics, &mm, rs.bpf, wasm_instance_memory(inst), err, sizeof err);
        if (!rs.metrics) {
            fprintf(stderr, "wasm-bpf: --metrics %s: %s\n", o->metrics.text, err);
            status = EXIT_USAGE;
            goto out;
        }
    }
    if (o->verbose) {
        fprintf(stderr, "wasm-bpf: %s: instantiated in %.2f ms\n", module, t2 - t1);
        if (tier == WASM_ENGINE_INTERP)
            fprintf(stderr, "wasm-bpf: %s: engine: interp%s\n", module,
                    wasm_engine_compiler_arch()
                        ? ""
                        : " (this build has no compiler: it is x86-64 only)");
        else if (tier == WASM_ENGINE_TIERED)
            fprintf(stderr,
                    "wasm-bpf: %s: engine: tiered (the interpreter first; what runs hot is "
                    "compiled)\n",
                    module);
        else if (wasm_module_jit_stats(mod, &js) < 0)
            fprintf(stderr, "wasm-bpf: %s: engine: interp (the compiler refused the module)\n",
                    module);
        else
            report_compiled(module, "jit", &js);
    }

    wasm_func *start = wasm_instance_func(inst, "_start");
    if (!start) {
        fprintf(stderr, "wasm-bpf: %s: not a WASI command: it exports no '_start' function\n",
                module);
        goto out;
    }
    if (!wasm_func_has_signature(start, "()")) {
        fprintf(stderr, "wasm-bpf: %s: '_start' must take no parameters and return nothing\n",
                module);
        goto out;
    }
    wasm_status st = wasm_call(rs.rt, start, NULL, NULL);
    status = exit_status(&rs, module, st);
    if (o->verbose) {
        fprintf(stderr, "wasm-bpf: %s: ran for %.2f ms, exit status %d\n", module, now_ms() - t2,
                status);
        if (tier == WASM_ENGINE_TIERED)
            report_tiered(module, mod);
    }

out:
    running_rt = NULL;
    metrics_stop(rs.metrics); /* it reads the host and the memory */
    if (rs.ready_created && unlink(o->ready_file) && errno != ENOENT)
        fprintf(stderr, "wasm-bpf: --ready-file %s: cannot remove it: %s\n", o->ready_file,
                strerror(errno));
    while (attached > 0)
        host_ifaces[--attached].detach(&rs);
    if (rs.btf_fd >= 0)
        close(rs.btf_fd);
    if (rs.rt)
        wasm_runtime_free(rs.rt);
    if (rs.linker)
        wasm_linker_free(rs.linker);
    wasm_module_free(mod);
    return status;
}

static int run(int argc, char **argv, bool short_form)
{
    struct run_options opt;
    int status = parse_options(argc, argv, &opt, short_form);
    if (status >= 0) {
        free_options(&opt);
        return status;
    }

    if (opt.ready_file && (status = ready_file_check(opt.ready_file)) >= 0) {
        free_options(&opt);
        return status;
    }
    struct saved_signals saved;
    install_signals(&saved, &opt.stop_timeout);

    uint8_t *bytes = NULL;
    size_t len = 0;
    char *path;
    struct oci_module fetched;
    status = resolve_module(&opt, &path, &fetched);
    if (status < 0)
        status = check_declared(&opt, &fetched);
    if (status < 0) {
        status = read_module(path, &bytes, &len);
        oci_module_release(&fetched); /* a temporary download is read: delete it */
        if (status == 0 && caught_signal) {
            status = EXIT_RUN_SIGNAL_BASE + caught_signal;
            free(bytes);
        } else if (status == 0) {
            status = run_module(&opt, bytes, len);
        }
    }
    oci_module_release(&fetched); /* refused before reading: released here */
    free(path);
    restore_signals(&saved);
    free_options(&opt);
    return status;
}

int cmd_run(int argc, char **argv)
{
    return run(argc, argv, false);
}

int cmd_run_short_form(int argc, char **argv)
{
    return run(argc, argv, true);
}
