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
 * Signals: the handler only records the signal and interrupts the runtime;
 * the guest stops at its next call or loop back-edge, or its blocked host
 * call returns, and the run unwinds normally through cleanup.  A second
 * signal while cleaning up ends the process at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "oci.h"
#include "wasi.h"
#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"
#include "wasm_engine.h"

/* Exit statuses of `run` besides the guest's own (documented in --help and
 * the README). */
enum {
    EXIT_RUN_BAD_EXIT_CODE = 1,   /* the guest exited with a code above 255 */
    EXIT_RUN_FETCH = 125,         /* a URL or registry reference could not be fetched */
    EXIT_RUN_BAD_MODULE = 126,    /* cannot be read, decoded, validated, linked, instantiated */
    EXIT_RUN_NO_MODULE = 127,     /* the module file does not exist */
    EXIT_RUN_SIGNAL_BASE = 128,   /* + signal number: 129 HUP, 130 INT, 141 PIPE, 143 TERM */
    EXIT_RUN_TRAP = 134,          /* the guest trapped (128 + SIGABRT, like an abort) */
};

extern char **environ;

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

struct run_options {
    const char *module;        /* MODULE as typed; the guest's argv[0] */
    int guest_argc;            /* MODULE and everything after it */
    char **guest_argv;
    wasi_preopen *dirs;        /* --dir, in order */
    size_t ndirs;
    const char **env;          /* --env KEY=VALUE, in order */
    size_t nenv;
    bool inherit_env;
    uint32_t max_memory_pages; /* 0: the engine's default (4 GiB) */
    uint32_t engine;           /* --engine: a wasm_engine_tier; 0: $WASM_BPF_ENGINE or the default */
    bool verbose;
    const char **allow_prog_types;  /* --allow-prog-type, NULL: any */
    size_t n_allow_prog_types;
    const char **allow_attach;      /* --allow-attach, NULL: any */
    size_t n_allow_attach;
    struct oci_run_options oci;     /* --pull, --store, --insecure, --plain-http ... */
};

static void run_usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf run [options] MODULE [args...]\n"
            "       wasm-bpf [options] MODULE [args...]\n"
            "\n"
            "Run a WebAssembly module (a WASI command).  Everything after MODULE goes to\n"
            "the guest unchanged, dashes included; the guest's argv[0] is MODULE as typed.\n"
            "MODULE is a file, an http(s):// URL of a .wasm file, or an OCI reference\n"
            "(registry/repository[:tag|@digest], as docker's, also with an https:// or\n"
            "http:// in front as ecli users type), pulled into the local store.\n"
            "\n"
            "Options:\n"
            "  --dir HOST[::GUEST]  let the guest use host directory HOST, under the name\n"
            "                       GUEST (default: HOST as typed); repeatable\n"
            "  --env KEY=VALUE      set a variable in the guest's environment; repeatable\n"
            "  --inherit-env        give the guest this process's environment (--env wins)\n"
            "  --max-memory SIZE    cap the guest's linear memory: bytes, or with a suffix\n"
            "                       K, M, G (powers of 1024), e.g. 64M; at most 4G\n"
            "  --allow-prog-type TYPE  let the guest load only BPF programs of these types\n"
            "                       (libbpf's names: tracepoint, raw_tracepoint, tracing,\n"
            "                       kprobe, xdp, sched_cls, socket_filter, sock_ops,\n"
            "                       cgroup_skb, lsm ...); repeatable; default: any\n"
            "  --allow-attach PATTERN  let the guest attach only to targets matching one of\n"
            "                       these shell patterns: an interface, a cgroup directory,\n"
            "                       IFNAME:ingress, PATH:FUNC, or the SEC() name of a program\n"
            "                       attached by it (e.g. 'tp/sched/*'); repeatable\n"
            "  --engine jit|interp  run the guest as machine code (jit, x86-64; elsewhere\n"
            "                       the interpreter) or in the interpreter (default:\n"
            "                       $WASM_BPF_ENGINE, else jit)\n"
            "  --verbose            report loading, timings and how the guest ended; libbpf's\n"
            "                       messages and full verifier logs\n"
            "  -h, --help           show this help\n"
            "  -V, --version        show the version\n"
            "\n"
            "Modules from registries and URLs:\n");
    oci_print_run_option_help(out);
    fprintf(out,
            "\n"
            "The guest sees no files and no environment unless given them.\n"
            "\n"
            "Exit status:\n"
            "  0-255  the guest's exit code (1 if it exited with a code above 255)\n"
            "  2      bad options, or a --dir that cannot be opened\n"
            "  125    a URL or registry reference could not be fetched\n"
            "  126    the module cannot be read, decoded, validated, linked or instantiated\n"
            "  127    the module file does not exist\n"
            "  134    the guest trapped (the message names the function)\n"
            "  128+N  ended by signal N: 129 SIGHUP, 130 SIGINT, 143 SIGTERM; 141 when the\n"
            "         guest wrote to a closed pipe\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "wasm-bpf run: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'wasm-bpf run --help' for the options.\n");
    return EXIT_USAGE;
}

static void free_options(struct run_options *o)
{
    for (size_t i = 0; i < o->ndirs; i++)
        free((char *)o->dirs[i].host_path); /* guest_path points into it */
    free(o->dirs);
    free(o->env);
    free(o->allow_prog_types);
    free(o->allow_attach);
}

static int add_string(const char ***list, size_t *n, const char *s)
{
    const char **l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l)
        return -1;
    l[(*n)++] = s;
    *list = l;
    return 0;
}

/* If argv[*i] is option `name`, as "--name VALUE" or "--name=VALUE": 1 with
 * *value set and *i on the last argument used; 0 if it is not; -1 (message
 * printed) if the value is missing. */
static int option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        usage_error("option '%s' needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

static int add_dir(struct run_options *o, const char *arg)
{
    wasi_preopen *d = realloc(o->dirs, (o->ndirs + 1) * sizeof *d);
    char *copy = strdup(arg);
    if (!d || !copy) {
        free(copy);
        if (d)
            o->dirs = d;
        return usage_error("%s", "out of memory");
    }
    o->dirs = d;
    /* HOST::GUEST, split at the first "::". */
    char *sep = strstr(copy, "::");
    d[o->ndirs].host_path = copy;
    d[o->ndirs].guest_path = copy;
    if (sep) {
        *sep = '\0';
        d[o->ndirs].guest_path = sep + 2;
    }
    o->ndirs++;
    if (!*d[o->ndirs - 1].host_path || !*d[o->ndirs - 1].guest_path)
        return usage_error("--dir '%s': expected HOST or HOST::GUEST", arg);
    return 0;
}

static int add_env(struct run_options *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return usage_error("--env '%s': expected KEY=VALUE", arg);
    const char **e = realloc(o->env, (o->nenv + 1) * sizeof *e);
    if (!e)
        return usage_error("%s", "out of memory");
    o->env = e;
    e[o->nenv++] = arg;
    return 0;
}

static int set_max_memory(struct run_options *o, const char *arg)
{
    uint64_t bytes;
    if (base_parse_size(arg, &bytes) < 0)
        return usage_error("--max-memory '%s': expected a size such as 65536, 64K, 64M or 1G", arg);
    uint64_t pages = bytes / 65536;
    if (pages == 0)
        return usage_error("--max-memory '%s': less than one 64K page", arg);
    if (pages > 65536)
        return usage_error("--max-memory '%s': more than 4G, a 32-bit guest's limit", arg);
    o->max_memory_pages = (uint32_t)pages;
    return 0;
}

/* Options come before MODULE; the first argument that is not an option (or
 * follows "--") is MODULE, and the guest's own arguments after it are never
 * looked at.  Returns -1 when the run may go on, or the exit status. */
static int parse_options(int argc, char **argv, struct run_options *o)
{
    memset(o, 0, sizeof *o);
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if ((r = option_value(argc, argv, &i, "--dir", &v)) != 0) {
            if (r < 0 || add_dir(o, v))
                return EXIT_USAGE;
        } else if ((r = option_value(argc, argv, &i, "--env", &v)) != 0) {
            if (r < 0 || add_env(o, v))
                return EXIT_USAGE;
        } else if ((r = option_value(argc, argv, &i, "--max-memory", &v)) != 0) {
            if (r < 0 || set_max_memory(o, v))
                return EXIT_USAGE;
        } else if ((r = option_value(argc, argv, &i, "--engine", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (!strcmp(v, "jit"))
                o->engine = WASM_ENGINE_JIT;
            else if (!strcmp(v, "interp"))
                o->engine = WASM_ENGINE_INTERP;
            else
                return usage_error("--engine '%s': expected jit or interp", v);
        } else if (!strcmp(a, "--inherit-env")) {
            o->inherit_env = true;
        } else if (!strcmp(a, "--verbose")) {
            o->verbose = true;
        } else if ((r = option_value(argc, argv, &i, "--allow-prog-type", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (add_string(&o->allow_prog_types, &o->n_allow_prog_types, v))
                return usage_error("%s", "out of memory");
        } else if ((r = option_value(argc, argv, &i, "--allow-attach", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (add_string(&o->allow_attach, &o->n_allow_attach, v))
                return usage_error("%s", "out of memory");
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            run_usage(stdout);
            return 0;
        } else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("wasm-bpf %s\n", WASM_BPF_VERSION);
            return 0;
        } else {
            /* the options of modules from registries and URLs */
            r = oci_parse_run_option(argc, argv, &i, &o->oci);
            if (r < 0)
                return EXIT_USAGE;
            if (r == 0)
                return usage_error("unknown option '%s'", a);
        }
    }
    if (i >= argc) {
        fprintf(stderr, "wasm-bpf run: no module given\n");
        run_usage(stderr);
        return EXIT_USAGE;
    }
    o->module = argv[i];
    o->guest_argc = argc - i;
    o->guest_argv = argv + i;
    return -1;
}

/* The guest's environment: the host's with --inherit-env, then --env
 * (a later KEY replaces an earlier one).  The strings are borrowed. */
static const char **guest_environment(const struct run_options *o, int *count)
{
    size_t nhost = 0;
    if (o->inherit_env)
        for (char **e = environ; *e; e++)
            nhost++;
    const char **env = malloc((nhost + o->nenv + 1) * sizeof *env);
    if (!env)
        return NULL;
    int n = 0;
    for (size_t i = 0; i < nhost + o->nenv; i++) {
        const char *kv = i < nhost ? environ[i] : o->env[i - nhost];
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

static wasm_runtime *volatile running_rt; /* set while a guest may run */
static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
    if (caught_signal) {
        /* A second signal: the user does not want to wait for cleanup. */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    caught_signal = sig;
    wasm_runtime *rt = running_rt;
    if (rt)
        wasm_runtime_interrupt(rt);
}

static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NHANDLED (sizeof handled_signals / sizeof handled_signals[0])

struct saved_signals {
    struct sigaction old[NHANDLED];
    struct sigaction old_pipe;
};

static void install_signals(struct saved_signals *saved)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocked host call returns EINTR and notices. */
    sa.sa_flags = 0;
    caught_signal = 0;
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
    wasm_instance *inst;       /* once instantiated (freed with rt) */
    wasi_ctx *wasi;
    wasm_bpf_host *bpf;        /* the eBPF host interface's state */
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

static int bpf_attach(struct run_state *rs, char *err, size_t errlen)
{
    const struct run_options *o = rs->opt;
    struct wasm_bpf_policy policy = {
        .prog_types = o->allow_prog_types,
        .n_prog_types = o->n_allow_prog_types,
        .attach_targets = o->allow_attach,
        .n_attach_targets = o->n_allow_attach,
    };
    struct wasm_bpf_options bo = {.verbose = o->verbose, .policy = &policy};
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

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* MODULE as typed -> the local file to read: a path as it is, or what the
 * OCI client made of a URL or registry reference (a file of the local store
 * or a temporary download, released by the caller).  The guest's argv[0]
 * stays what the user typed.  Returns -1 and *path, or an exit status after
 * printing why. */
static int resolve_module(const struct run_options *o, char **path, struct oci_module *fetched)
{
    memset(fetched, 0, sizeof *fetched);
    *path = NULL;
    if (oci_is_local_path(o->module)) {
        *path = strdup(o->module);
    } else {
        if (oci_resolve_module(o->module, &o->oci, fetched) < 0) {
            oci_print_error(NULL);
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

/* How the guest ended -> exit status, with a message where one is due. */
static int exit_status(struct run_state *rs, const char *module, wasm_status st)
{
    int sig = caught_signal;
    switch (st) {
    case WASM_OK:
        return 0; /* _start returned: main returned 0 (or the guest never exits) */
    case WASM_TRAP_EXIT: {
        int code = wasm_runtime_exit_code(rs->rt);
        int raised = rs->wasi ? wasi_exit_signal(rs->wasi) : 0;
        if (raised && raised != SIGPIPE)
            fprintf(stderr, "wasm-bpf: %s: the guest raised SIG%s\n", module, sigabbrev_np(raised));
        if (code >= 0 && code <= 255)
            return code;
        if (rs->opt->verbose)
            fprintf(stderr, "wasm-bpf: %s: exit code %u is above 255: exiting with %d\n", module,
                    (unsigned)code, EXIT_RUN_BAD_EXIT_CODE);
        return EXIT_RUN_BAD_EXIT_CODE;
    }
    case WASM_TRAP_INTERRUPTED:
        if (sig) {
            if (rs->opt->verbose)
                fprintf(stderr, "wasm-bpf: %s: stopped by SIG%s\n", module, sigabbrev_np(sig));
            return EXIT_RUN_SIGNAL_BASE + sig;
        }
        /* Interrupted by something other than our signals: a trap. */
        __attribute__((fallthrough));
    default:
        fprintf(stderr, "wasm-bpf: %s: trap: %s\n", module, wasm_runtime_trap_message(rs->rt));
        return EXIT_RUN_TRAP;
    }
}

/* Takes ownership of bytes (freed once compiled: a guest may run for days). */
static int run_module(const struct run_options *o, uint8_t *bytes, size_t len)
{
    const char *module = o->module;
    int status = EXIT_RUN_BAD_MODULE;
    struct run_state rs = {.opt = o};
    size_t attached = 0;
    wasm_module *mod = NULL;
    char err[1024];
    double t0 = now_ms();

    wasm_load_error kind;
    mod = wasm_module_load(bytes, len, &kind, err, sizeof err);
    free(bytes);
    if (!mod) {
        const char *what = kind == WASM_LOAD_MALFORMED ? "not a valid WebAssembly module"
                           : kind == WASM_LOAD_INVALID ? "invalid module"
                                                       : "cannot load";
        fprintf(stderr, "wasm-bpf: %s: %s: %s\n", module, what, err);
        return EXIT_RUN_BAD_MODULE;
    }
    double t1 = now_ms();
    if (o->verbose)
        fprintf(stderr, "wasm-bpf: %s: %zu bytes decoded, validated and compiled in %.2f ms\n",
                module, len, t1 - t0);

    wasm_runtime_config cfg = {.max_memory_pages = o->max_memory_pages, .engine = o->engine};
    rs.rt = wasm_runtime_new(&cfg);
    if (!rs.rt && errno == EINVAL) {
        fprintf(stderr, "wasm-bpf: WASM_BPF_ENGINE='%s': expected jit or interp\n",
                getenv("WASM_BPF_ENGINE") ? getenv("WASM_BPF_ENGINE") : "");
        status = EXIT_USAGE;
        goto out;
    }
    rs.linker = wasm_linker_new();
    if (!rs.rt || !rs.linker) {
        fprintf(stderr, "wasm-bpf: out of memory\n");
        goto out;
    }
    running_rt = rs.rt;
    if (caught_signal) /* arrived while loading */
        wasm_runtime_interrupt(rs.rt);

    for (; attached < NIFACES; attached++) {
        int st = host_ifaces[attached].attach(&rs, err, sizeof err);
        if (st != 0) {
            fprintf(stderr, "wasm-bpf: %s\n", err);
            status = st;
            goto out;
        }
    }

    wasm_inst_error ikind;
    wasm_instance *inst = wasm_instantiate(rs.rt, mod, rs.linker, &ikind, err, sizeof err);
    rs.inst = inst;
    if (!inst) {
        if (ikind == WASM_INST_TRAP) {
            fprintf(stderr, "wasm-bpf: %s: trap while instantiating: %s\n", module, err);
            status = EXIT_RUN_TRAP;
        } else {
            fprintf(stderr, "wasm-bpf: %s: cannot %s: %s\n", module,
                    ikind == WASM_INST_UNLINKABLE ? "link" : "instantiate", err);
        }
        goto out;
    }
    double t2 = now_ms();
    if (o->verbose) {
        fprintf(stderr, "wasm-bpf: %s: instantiated in %.2f ms\n", module, t2 - t1);
        wasm_jit_stats js;
        if (wasm_runtime_engine(rs.rt) != WASM_ENGINE_JIT)
            fprintf(stderr, "wasm-bpf: %s: engine: interp\n", module);
        else if (wasm_module_jit_stats(mod, &js) < 0)
            fprintf(stderr, "wasm-bpf: %s: engine: interp (the compiler refused the module)\n",
                    module);
        else
            fprintf(stderr,
                    "wasm-bpf: %s: engine: jit, %u of %u functions compiled in %.2f ms, "
                    "%llu bytes of machine code from %llu bytes of bodies\n",
                    module, js.compiled, js.functions, (double)js.compile_ns / 1e6,
                    (unsigned long long)js.code_bytes, (unsigned long long)js.input_bytes);
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
    if (o->verbose)
        fprintf(stderr, "wasm-bpf: %s: ran for %.2f ms, exit status %d\n", module,
                now_ms() - t2, status);

out:
    running_rt = NULL;
    while (attached > 0)
        host_ifaces[--attached].detach(&rs);
    if (rs.rt)
        wasm_runtime_free(rs.rt);
    if (rs.linker)
        wasm_linker_free(rs.linker);
    wasm_module_free(mod);
    return status;
}

int cmd_run(int argc, char **argv)
{
    struct run_options opt;
    int status = parse_options(argc, argv, &opt);
    if (status >= 0) {
        free_options(&opt);
        return status;
    }

    struct saved_signals saved;
    install_signals(&saved);

    uint8_t *bytes = NULL;
    size_t len = 0;
    char *path;
    struct oci_module fetched;
    status = resolve_module(&opt, &path, &fetched);
    if (status < 0) {
        status = read_module(path, &bytes, &len);
        oci_module_release(&fetched);   /* a temporary download is read: delete it */
        if (status == 0 && caught_signal) {
            status = EXIT_RUN_SIGNAL_BASE + caught_signal;
            free(bytes);
        } else if (status == 0) {
            status = run_module(&opt, bytes, len);
        }
    }
    free(path);
    restore_signals(&saved);
    free_options(&opt);
    return status;
}
