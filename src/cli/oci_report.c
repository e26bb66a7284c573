/* oci_report.c: how the command shows what the OCI client reports: its
 * errors with their hints worded for this command line, and blob progress
 * (a bar redrawn in place on a terminal, at most ten times a second; one
 * line per blob when stderr is not a terminal, so logs stay readable). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci_report.h"

/* What the user of this command does about a failure (enum oci_hint): the
 * library knows the action, only the command knows its words.  %s is the
 * error's hint_arg. */
static const char *const hint_actions[] = {
    [OCI_HINT_LOGIN_AGAIN] = "log in again with `wasm-bpf login %s`",
    [OCI_HINT_CREDENTIALS] = "log in with `wasm-bpf login %s`, or pass -u USER --password-stdin",
    [OCI_HINT_PLAIN_HTTP] = "pass --plain-http, or write http://%s/...",
    [OCI_HINT_CA_FILE] = "pass --ca-file FILE with its CA, or --insecure to skip verification",
    [OCI_HINT_PLATFORM] = "choose one with --platform OS/ARCH",
    [OCI_HINT_STORE_DIR] = "choose a directory with --store DIR",
    [OCI_HINT_INSPECT] = "`wasm-bpf inspect REF` shows what it is",
    [OCI_HINT_LIST_TAGS] = "`wasm-bpf inspect --tags %s` lists the tags",
    [OCI_HINT_PULL_FIRST] = "pull it first with `wasm-bpf pull %s`",
    [OCI_HINT_LIST_IMAGES] = "`wasm-bpf images` lists what the store holds",
    [OCI_HINT_SIGN_REPLACE] = "pass --replace to overwrite it",
    [OCI_HINT_SIGN] =
        "sign it with `wasm-bpf sign --key KEY %s`, or check the key the policy names",
};

struct oci_error cli_oci_error;

void cli_print_oci_error(const struct oci_error *e, const char *what)
{
    const char *msg = e->message[0] ? e->message : "unknown error";
    if (what && *what)
        fprintf(stderr, "wasm-bpf: %s: %s\n", what, msg);
    else
        fprintf(stderr, "wasm-bpf: %s\n", msg);
    const char *action = (size_t)e->action < sizeof hint_actions / sizeof hint_actions[0]
                             ? hint_actions[e->action]
                             : NULL;
    if (!e->hint[0] && !action)
        return;
    fprintf(stderr, "hint: %s", e->hint);
    if (action) {
        /* the table's formats take at most one %s */
        const char *arg = e->hint_arg;
        const char *s = strstr(action, "%s");
        if (s)
            fprintf(stderr, "%.*s%s%s", (int)(s - action), action, *arg ? arg : "REGISTRY", s + 2);
        else
            fputs(action, stderr);
    }
    fputc('\n', stderr);
}

#define BAR_WIDTH 30

static struct {
    bool tty_known, tty;
    bool drawn; /* a bar of the current blob is on the screen */
    double last_draw;
} bar;

static double oci__now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(const struct oci_progress *p)
{
    char done[32], total[32];
    if (!p->total) { /* size unknown (a plain URL): bytes so far */
        fprintf(stderr, "\r%s: %-11s %s\033[K", p->label, p->verb, oci_human_size(p->done, done));
        return;
    }
    unsigned filled = (unsigned)((double)p->done / (double)p->total * BAR_WIDTH);
    if (filled > BAR_WIDTH)
        filled = BAR_WIDTH;
    char line[BAR_WIDTH + 1];
    for (unsigned i = 0; i < BAR_WIDTH; i++)
        line[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
    line[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r%s: %-11s [%s] %s / %s\033[K", p->label, p->verb, line,
            oci_human_size(p->done, done), oci_human_size(p->total, total));
}

void cli_oci_progress(const struct oci_progress *p, void *ctx)
{
    if (!bar.tty_known) {
        bar.tty = isatty(STDERR_FILENO);
        bar.tty_known = true;
    }
    char size[32];
    if (p->status) {
        if (bar.tty)
            fprintf(stderr, "\r%s: %s (%s)\033[K\n", p->label, p->status,
                    oci_human_size(p->total, size));
        else
            fprintf(stderr, "%s: %s (%s)\n", p->label, p->status, oci_human_size(p->total, size));
        bar.drawn = false;
        return;
    }
    if (p->failed) {
        if (bar.drawn)
            fputc('\n', stderr); /* the error goes below the bar */
        bar.drawn = false;
        return;
    }
    if (!bar.tty || (!p->done && !bar.drawn))
        return; /* nothing moved yet */
    double t = oci__now_seconds();
    if (bar.drawn && t - bar.last_draw < 0.1 && (p->done < p->total || !p->total))
        return;
    bar.last_draw = t;
    bar.drawn = true;
    draw(p);
}
