/* wasm-bpf-tool.h: what every tracing tool built on wasm-bpf repeats, once.
 *
 * A tool's main() reads its options, opens, loads and attaches a skeleton,
 * polls its buffers until a duration ends or the user presses Ctrl-C, and
 * returns an exit code.  This header does the common part, so that a tool
 * shows only what is particular to it:
 *
 *     static struct wasm_bpf_tool tool = WASM_BPF_TOOL("bootstrap",
 *         "Trace process execs and exits.");
 *
 *     static int handle_event(void *ctx, void *data, size_t len)
 *     {
 *         if (len >= sizeof(struct event))
 *             WASM_BPF_TOOL_PRINT(&tool, event, data);  // -o json|columns
 *         return 0;
 *     }
 *
 *     int main(int argc, char **argv)
 *     {
 *         tool.formats = true;                          // the tool offers -o
 *         int rc = wasm_bpf_tool_args(&tool, &argc, argv);  // takes -t, -o
 *         if (rc >= 0)
 *             return rc;
 *         ... the tool's own options in what is left of argv ...
 *         ... open, load, attach; rb = bpf_buffer__open(...) ...
 *         rc = wasm_bpf_tool_poll(&tool, &rb, 1, NULL, NULL);
 *         ... destroy ...
 *         return rc;
 *     }
 *
 * Common options (removed from argv, so the rest can be parsed by the tool
 * or a generated NAME_bpf__parse_args()):
 *   -t, --timeout SECONDS   stop after SECONDS (default: until interrupted)
 *   -o, --output FORMAT     columns (default) or json, when tool.formats
 *   -i, --interval SECONDS  when tool.intervals: the period of tick() (from
 *                           1 to 3600; the default is tool.interval_ms)
 *   -h, --help              the common options' help is printed and the
 *                           flag is left in argv for the tool's own parser
 *
 * Exit codes, as the runtime's: 0 success, 1 failure, 2 usage.
 *
 * Needs the runtime's wasm_bpf_interrupted() extension (wasm-bpf.h), so
 * that Ctrl-C ends the loop and the tool can print what it has.
 * Everything here is static inline: include it from any number of files. */
#ifndef WASM_BPF_TOOL_H
#define WASM_BPF_TOOL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libbpf-wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How events are printed (-o). */
enum wasm_bpf_output {
    WASM_BPF_OUTPUT_COLUMNS, /* aligned columns, a header line before the first event */
    WASM_BPF_OUTPUT_JSON,    /* one JSON object per line */
};

struct wasm_bpf_tool {
    const char *name;            /* the tool's name, in messages and usage */
    const char *summary;         /* one line for --help */
    bool formats;                /* the tool prints with generated printers: -o is offered */
    long timeout_s;              /* -t: 0 runs until interrupted */
    enum wasm_bpf_output output; /* -o */
    int interval_ms;             /* poll timeout, and the period of tick() (default 100) */
    const char *args;            /* positional arguments for the usage line ("IFNAME"), or NULL */
    bool help;                   /* -h/--help was given (and the common help printed) */
    bool interrupted;            /* wasm_bpf_tool_poll() ended on Ctrl-C or SIGTERM */
    bool header_done;            /* columns: the header line was printed */
    bool intervals;              /* the tool prints every -i SECONDS (its tick()): -i is offered */
};

#define WASM_BPF_TOOL(NAME, SUMMARY)                             \
    {                                                            \
        .name = (NAME), .summary = (SUMMARY), .interval_ms = 100 \
    }

/* The longest -t accepted: a year. */
#define WASM_BPF_TOOL_MAX_TIMEOUT (366L * 24 * 3600)
/* The longest -i accepted: an hour. */
#define WASM_BPF_TOOL_MAX_INTERVAL 3600L

static inline int wasm_bpf_tool__usage_error(const struct wasm_bpf_tool *tool, const char *fmt,
                                             const char *what)
{
    fprintf(stderr, "%s: ", tool->name);
    fprintf(stderr, fmt, what);
    fprintf(stderr, " (see --help)\n");
    return 2;
}

/* The value of an option at argv[*i] spelled -x VALUE, -xVALUE, --long VALUE
 * or --long=VALUE; NULL if argv[*i] is not that option.  *missing is set
 * when the option is there without a value. */
static inline const char *wasm_bpf_tool__value(char **argv, int argc, int *i, char shortname,
                                               const char *longname, bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(longname);
    *missing = false;
    if (a[0] == '-' && a[1] == shortname) {
        if (a[2])
            return a + 2;
    } else if (a[0] == '-' && a[1] == '-' && !strncmp(a + 2, longname, n)) {
        if (a[2 + n] == '=')
            return a + 3 + n;
        if (a[2 + n])
            return NULL;
    } else {
        return NULL;
    }
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static inline void wasm_bpf_tool_print_help(const struct wasm_bpf_tool *tool, FILE *f)
{
    fprintf(f, "Usage: %s [OPTIONS]%s%s\n", tool->name, tool->args ? " " : "",
            tool->args ? tool->args : "");
    if (tool->summary)
        fprintf(f, "%s\n", tool->summary);
    fprintf(f, "\nOptions:\n"
               "  -t, --timeout SECONDS   stop after SECONDS (default: run until interrupted)\n");
    if (tool->formats)
        fprintf(f, "  -o, --output FORMAT     columns (default) or json (one object per line)\n");
    if (tool->intervals)
        fprintf(f, "  -i, --interval SECONDS  print every SECONDS (default %d)\n",
                tool->interval_ms >= 1000 ? tool->interval_ms / 1000 : 1);
    fprintf(f, "  -h, --help              this help\n");
}

/* Take the common options out of argv (argv[0] and the others stay, in
 * their order; *argc is updated; a "--" ends the options and stays for the
 * next parser).  Returns -1 to go on, or an exit code for main() to return
 * at once: 2 after a usage error (printed).  -h/--help prints the common
 * options' help, sets tool->help and stays in argv, so that the tool's own
 * parser adds its options; when nothing else will, the tool returns 0 on
 * tool->help. */
static inline int wasm_bpf_tool_args(struct wasm_bpf_tool *tool, int *argc, char **argv)
{
    int out = 1;
    bool rest = false;
    if (tool->interval_ms <= 0)
        tool->interval_ms = 100;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        bool missing = false;
        const char *v;
        if (rest || a[0] != '-' || !a[1]) {
            argv[out++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            rest = true;
            argv[out++] = argv[i];
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            if (!tool->help)
                wasm_bpf_tool_print_help(tool, stdout);
            tool->help = true;
            argv[out++] = argv[i];
        } else if ((v = wasm_bpf_tool__value(argv, *argc, &i, 't', "timeout", &missing))) {
            char *end;
            errno = 0;
            long s = strtol(v, &end, 10);
            if (errno || end == v || *end || s <= 0 || s > WASM_BPF_TOOL_MAX_TIMEOUT)
                return wasm_bpf_tool__usage_error(
                    tool, "-t: '%s' is not a number of seconds from 1 to a year", v);
            tool->timeout_s = s;
        } else if (missing) {
            return wasm_bpf_tool__usage_error(tool, "%s needs a value", a);
        } else if (tool->formats &&
                   (v = wasm_bpf_tool__value(argv, *argc, &i, 'o', "output", &missing))) {
            if (!strcmp(v, "json"))
                tool->output = WASM_BPF_OUTPUT_JSON;
            else if (!strcmp(v, "columns"))
                tool->output = WASM_BPF_OUTPUT_COLUMNS;
            else
                return wasm_bpf_tool__usage_error(
                    tool, "-o: unknown output format '%s' (expected columns or json)", v);
        } else if (missing) {
            return wasm_bpf_tool__usage_error(tool, "%s needs a value", a);
        } else if (tool->intervals &&
                   (v = wasm_bpf_tool__value(argv, *argc, &i, 'i', "interval", &missing))) {
            char *end;
            errno = 0;
            long s = strtol(v, &end, 10);
            if (errno || end == v || *end || s <= 0 || s > WASM_BPF_TOOL_MAX_INTERVAL)
                return wasm_bpf_tool__usage_error(
                    tool, "-i: '%s' is not a number of seconds from 1 to 3600", v);
            tool->interval_ms = (int)s * 1000;
        } else if (missing) {
            return wasm_bpf_tool__usage_error(tool, "%s needs a value", a);
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    *argc = out;
    return -1;
}

static inline int64_t wasm_bpf_tool__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline bool wasm_bpf_tool__interrupted(void)
{
#ifdef LIBBPF_WASM_NO_EXTENSIONS
    return false;
#else
    return wasm_bpf_interrupted() != 0;
#endif
}

/* The loop: poll the `nbufs` buffers (the first waits up to interval_ms,
 * the others are drained without waiting), and call tick(ctx), if not NULL,
 * every interval_ms (a tool without buffers sleeps in between).  Ends when
 * -t's time is up (without a last tick: what is left is the tool's to print
 * after the loop), on Ctrl-C or SIGTERM (wasm_bpf_interrupted(); sets
 * tool->interrupted), when
 * tick returns > 0 (done: 0) or < 0 (failed: 1), or when a poll fails
 * (printed: 1).  Returns the exit code.  A callback that returns < 0 ends
 * the loop too, as a failure. */
static inline int wasm_bpf_tool_poll(struct wasm_bpf_tool *tool, struct bpf_buffer *const *bufs,
                                     int nbufs, int (*tick)(void *ctx), void *ctx)
{
    int interval = tool->interval_ms > 0 ? tool->interval_ms : 100;
    int64_t start = wasm_bpf_tool__now_ms();
    int64_t end = tool->timeout_s ? start + (int64_t)tool->timeout_s * 1000 : 0;
    int64_t next_tick = start + interval;
    for (;;) {
        int64_t now = wasm_bpf_tool__now_ms();
        int wait = interval;
        if (end && end - now < wait)
            wait = end - now > 0 ? (int)(end - now) : 0;
        if (tick && next_tick - now < wait)
            wait = next_tick - now > 0 ? (int)(next_tick - now) : 0;
        if (nbufs > 0) {
            for (int i = 0; i < nbufs; i++) {
                int err = bpf_buffer__poll(bufs[i], i == 0 ? wait : 0);
                if (err == -EINTR) {
                    tool->interrupted = true;
                    return 0;
                }
                if (err < 0) {
                    fprintf(stderr, "%s: polling the events failed: %s\n", tool->name,
                            strerror(-err));
                    return 1;
                }
            }
        } else if (wait > 0) {
            struct timespec ts = {wait / 1000, (long)(wait % 1000) * 1000000};
            nanosleep(&ts, NULL); /* the runtime ends it early on Ctrl-C */
        }
        if (wasm_bpf_tool__interrupted()) {
            tool->interrupted = true;
            return 0;
        }
        now = wasm_bpf_tool__now_ms();
        if (end && now >= end)
            return 0; /* what is left is the tool's to print after the loop */
        if (tick && now >= next_tick) {
            next_tick += interval;
            if (next_tick <= now)
                next_tick = now + interval;
            int rc = tick(ctx);
            if (rc)
                return rc < 0 ? 1 : 0;
        }
    }
}

/* Print one event of `struct TYPE` as -o asked, with the printers `wasm-bpf
 * gen types` writes for it (TYPE__print_json, TYPE__print_columns_header,
 * TYPE__print_columns): JSON lines, or aligned columns with the header
 * before the first event.  Flushed, so that a pipe sees each event. */
#define WASM_BPF_TOOL_PRINT(tool, TYPE, ev)                           \
    do {                                                              \
        if ((tool)->output == WASM_BPF_OUTPUT_JSON) {                 \
            TYPE##__print_json(stdout, (const struct TYPE *)(ev));    \
        } else {                                                      \
            if (!(tool)->header_done) {                               \
                TYPE##__print_columns_header(stdout);                 \
                (tool)->header_done = true;                           \
            }                                                         \
            TYPE##__print_columns(stdout, (const struct TYPE *)(ev)); \
        }                                                             \
        fflush(stdout);                                               \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif /* WASM_BPF_TOOL_H */
