/* progress.c: per-blob progress and status lines, handed to the caller.
 *
 * How progress looks (a bar on a terminal, a line per blob in a log) is the
 * caller's business: the library reports each blob's start, its bytes as
 * they move and its end to the callback set with oci_set_progress(); status
 * lines go through the print callback.  Nothing at all with quiet. */
#include <stdio.h>
#include <string.h>

#include "oci_internal.h"

static oci_progress_fn progress_fn;
static void *progress_ctx;

void oci_set_progress(oci_progress_fn fn, void *ctx)
{
    progress_fn = fn;
    progress_ctx = ctx;
}

static void report(const struct progress *p, const char *status, bool failed)
{
    if (p->quiet || !progress_fn)
        return;
    struct oci_progress ev = {
        .label = p->label,
        .verb = p->verb,
        .done = p->done,
        .total = p->total,
        .status = status,
        .failed = failed,
    };
    progress_fn(&ev, progress_ctx);
}

void oci__progress_start(struct progress *p, const char *verb, const char *digest, uint64_t total,
                         bool quiet)
{
    memset(p, 0, sizeof *p);
    /* "sha256:" + the first 12 hex digits, as docker shows image ids */
    snprintf(p->label, sizeof p->label, "%.19s", digest);
    p->verb = verb;
    p->total = total;
    p->quiet = quiet;
    report(p, NULL, false);
}

void oci__progress_add(struct progress *p, uint64_t n)
{
    p->done += n;
    report(p, NULL, false);
}

void oci__progress_reset(struct progress *p)
{
    p->done = 0;
    report(p, NULL, false);
}

void oci__progress_finish(struct progress *p, const char *status)
{
    report(p, status, false);
}

void oci__progress_fail(struct progress *p)
{
    report(p, NULL, true);
}

void oci__status_line(bool quiet, const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    oci__vprint_line(WASM_BPF_INFO, "", fmt, ap);
    va_end(ap);
}
