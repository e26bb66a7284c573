/* log.c: libbpf's messages.
 *
 * libbpf talks through one process-wide print callback, which the base
 * part routes to the hook set here.  Verbose, everything it says (debug
 * included) goes to the print callback as it comes.
 * Otherwise its warnings during a load or an attach are kept, and printed
 * only if that operation fails, with the kernel verifier's log cut to its
 * last lines (the reason is at the end); on success they are dropped. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define LOG_MAX       (256 * 1024) /* bytes kept of one operation's messages */
#define VERIFIER_TAIL 12           /* verifier log lines shown without --verbose */

static struct {
    bool verbose;
    bool quiet_verbose;       /* verbose before a quiet capture */
    const char *verbose_name; /* the host's, for the hint */
    bool capturing;
    char *text; /* captured lines, each ending in '\n' */
    size_t len, cap;
    size_t first_warn; /* offset in text of libbpf's first warning, or SIZE_MAX */
    char reason[512];  /* see wasm_bpf__log_reason() */
} log_state;

static void append(const char *s, size_t n)
{
    if (log_state.len + n + 1 > log_state.cap) {
        size_t cap = log_state.cap ? log_state.cap * 2 : 4096;
        while (cap < log_state.len + n + 1)
            cap *= 2;
        if (cap > LOG_MAX + 1)
            cap = LOG_MAX + 1;
        if (log_state.len + n + 1 > cap)
            return; /* full: the first messages are the useful ones */
        char *t = realloc(log_state.text, cap);
        if (!t)
            return;
        log_state.text = t;
        log_state.cap = cap;
    }
    memcpy(log_state.text + log_state.len, s, n);
    log_state.len += n;
    log_state.text[log_state.len] = '\0';
}

/* libbpf's levels as ours */
static const enum wasm_bpf_print_level print_level[] = {
    [LIBBPF_WARN] = WASM_BPF_WARN,
    [LIBBPF_INFO] = WASM_BPF_INFO,
    [LIBBPF_DEBUG] = WASM_BPF_DEBUG,
};

static void print_libbpf(void *ctx, int level, const char *fmt, va_list ap)
{
    if (level < LIBBPF_WARN || level > LIBBPF_DEBUG)
        level = LIBBPF_DEBUG;
    if (log_state.verbose) {
        base_vprint(print_level[level], fmt, ap);
        return;
    }
    if (level == LIBBPF_DEBUG)
        return;
    if (!log_state.capturing) {
        /* outside a load or attach (e.g. creating a buffer): a warning is
         * about to become an error the caller reports; say it now */
        if (level == LIBBPF_WARN)
            base_vprint(WASM_BPF_WARN, fmt, ap);
        return;
    }
    /* Only a warning can be the reason of a failure: libbpf's notices
     * ("elf: skipping unrecognized data section .types") come first but
     * have nothing to do with it.  They stay in the printed log. */
    if (level == LIBBPF_WARN && log_state.first_warn == SIZE_MAX)
        log_state.first_warn = log_state.len;
    /* one message may hold a whole verifier log */
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    if (n < 0)
        return;
    char *nl = strchr(msg, '\n');
    if ((size_t)n > LOG_MAX / 4 && nl) {
        /* a huge verifier log: its first line and its tail */
        char *tail = msg + n - LOG_MAX / 4;
        char *tail_nl = strchr(tail, '\n');
        tail = tail_nl && tail_nl > nl ? tail_nl + 1 : nl + 1;
        append(msg, (size_t)(nl + 1 - msg));
        append("...\n", 4);
        append(tail, strlen(tail));
    } else {
        append(msg, (size_t)n);
    }
    if (n && msg[n - 1] != '\n')
        append("\n", 1);
    free(msg);
}

void wasm_bpf__log_init(void)
{
    base_libbpf_capture(print_libbpf, NULL);
}

void wasm_bpf__log_begin(wasm_bpf_host *host)
{
    log_state.verbose = host->verbose;
    log_state.verbose_name = host->verbose_name;
    log_state.capturing = true;
    log_state.len = 0;
    if (log_state.text)
        log_state.text[0] = '\0';
    log_state.first_warn = SIZE_MAX;
    log_state.reason[0] = '\0';
}

/* Capture without a host, for probes whose failure is an answer, not an
 * error (kernel.c): nothing is printed, even when verbose. */
void wasm_bpf__log_begin_quiet(void)
{
    bool verbose = log_state.verbose;
    const char *name = log_state.verbose_name;
    wasm_bpf__log_begin(&(struct wasm_bpf_host){.verbose = false});
    log_state.verbose_name = name;
    log_state.quiet_verbose = verbose;
}

void wasm_bpf__log_end_quiet(void)
{
    log_state.capturing = false;
    log_state.len = 0;
    if (log_state.text)
        log_state.text[0] = '\0';
    log_state.verbose = log_state.quiet_verbose;
}

/* One captured line: [start, start + len) of the text. */
struct span {
    const char *start;
    int len;
};

/* Verifier statistics, not a reason. */
static bool verifier_stat(struct span l)
{
    static const char *const stats[] = {"processed ", "verification time", "stack depth"};
    if (!l.len)
        return true;
    for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
        if (l.len >= (int)strlen(stats[i]) && !strncmp(l.start, stats[i], strlen(stats[i])))
            return true;
    return false;
}

static bool span_has(struct span l, const char *needle)
{
    return memmem(l.start, (size_t)l.len, needle, strlen(needle)) != NULL;
}

/* Go through the captured lines: print them (if `print`), cutting each
 * verifier log to its tail, and work out the reason. */
static void walk(bool print)
{
    if (!log_state.text || !log_state.len)
        return;
    size_t nlines = 0;
    for (const char *p = log_state.text; *p; p++)
        nlines += *p == '\n';
    struct span *lines = calloc(nlines + 1, sizeof(*lines));
    if (!lines)
        return;
    size_t n = 0;
    for (const char *p = log_state.text, *end; *p && (end = strchr(p, '\n')); p = end + 1)
        lines[n++] = (struct span){p, (int)(end - p)};

    struct span first_warning = {NULL, 0}, last_verifier = {NULL, 0};
    for (size_t i = 0; i < n; i++) {
        if (!span_has(lines[i], "-- BEGIN PROG LOAD LOG --")) {
            if (!first_warning.start &&
                (size_t)(lines[i].start - log_state.text) >= log_state.first_warn)
                first_warning = lines[i];
            if (print)
                base_print(WASM_BPF_WARN, "  %.*s\n", lines[i].len, lines[i].start);
            continue;
        }
        /* a verifier log: lines[i] is its start, lines[j] its end */
        size_t j = i + 1;
        while (j < n && !span_has(lines[j], "-- END PROG LOAD LOG --"))
            j++;
        size_t body = j - i - 1;
        for (size_t k = i + 1; k < j; k++)
            if (!verifier_stat(lines[k]))
                last_verifier = lines[k];
        if (print) {
            base_print(WASM_BPF_WARN, "  %.*s\n", lines[i].len, lines[i].start);
            if (body > VERIFIER_TAIL)
                base_print(WASM_BPF_WARN,
                           "  ... (%zu lines of the verifier's log before these; "
                           "%s shows them all)\n",
                           body - VERIFIER_TAIL, log_state.verbose_name);
            for (size_t k = body > VERIFIER_TAIL ? j - VERIFIER_TAIL : i + 1; k < j; k++)
                base_print(WASM_BPF_WARN, "  %.*s\n", lines[k].len, lines[k].start);
            if (j < n)
                base_print(WASM_BPF_WARN, "  %.*s\n", lines[j].len, lines[j].start);
        }
        i = j;
    }
    if (!print && first_warning.start) {
        struct span w = first_warning;
        if (w.len >= 8 && !strncmp(w.start, "libbpf: ", 8)) {
            w.start += 8;
            w.len -= 8;
        }
        snprintf(log_state.reason, sizeof(log_state.reason), "%.*s%s%.*s", w.len, w.start,
                 last_verifier.start ? "; verifier: " : "", last_verifier.len,
                 last_verifier.start ? last_verifier.start : "");
    }
    free(lines);
}

void wasm_bpf__log_end(void)
{
    log_state.capturing = false;
    walk(false);
}

void wasm_bpf__log_print(void)
{
    if (!log_state.verbose)
        walk(true);
    log_state.len = 0;
    if (log_state.text)
        log_state.text[0] = '\0';
}

const char *wasm_bpf__log_reason(void)
{
    return log_state.reason;
}
