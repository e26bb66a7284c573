/* progress.c: per-blob progress.
 *
 * On a terminal, a bar redrawn in place (at most ten times a second); when
 * stderr is not a terminal, one line per blob when it is done, so logs stay
 * readable; nothing at all with --quiet. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci_internal.h"

#define BAR_WIDTH 30

void progress_start(struct progress *p, const char *verb, const char *digest, uint64_t total, bool quiet)
{
    memset(p, 0, sizeof *p);
    /* "sha256:" + the first 12 hex digits, as docker shows image ids */
    snprintf(p->label, sizeof p->label, "%.19s", digest);
    p->verb = verb;
    p->total = total;
    p->quiet = quiet;
    p->tty = !quiet && isatty(STDERR_FILENO);
}

static void draw(struct progress *p)
{
    char done[32], total[32];
    if (!p->total) {   /* size unknown (a plain URL): bytes so far */
        fprintf(stderr, "\r%s: %-11s %s\033[K", p->label, p->verb, oci_human_size(p->done, done));
        fflush(stderr);
        return;
    }
    unsigned filled = p->total ? (unsigned)((double)p->done / (double)p->total * BAR_WIDTH) : 0;
    if (filled > BAR_WIDTH)
        filled = BAR_WIDTH;
    char bar[BAR_WIDTH + 1];
    for (unsigned i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r%s: %-11s [%s] %s / %s\033[K", p->label, p->verb, bar, oci_human_size(p->done, done),
            oci_human_size(p->total, total));
    fflush(stderr);
}

void progress_add(struct progress *p, uint64_t n)
{
    p->done += n;
    if (!p->tty)
        return;
    double t = now_seconds();
    if (t - p->last_draw < 0.1 && (p->done < p->total || !p->total))
        return;
    p->last_draw = t;
    draw(p);
}

void progress_reset(struct progress *p)
{
    p->done = 0;
}

void progress_finish(struct progress *p, const char *status)
{
    if (p->quiet)
        return;
    char size[32];
    if (p->tty)
        fprintf(stderr, "\r%s: %s (%s)\033[K\n", p->label, status, oci_human_size(p->total, size));
    else
        fprintf(stderr, "%s: %s (%s)\n", p->label, status, oci_human_size(p->total, size));
    fflush(stderr);
}

void status_line(bool quiet, const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
