/* print.c: the library's one diagnostic channel, and libbpf's messages
 * routed into it.
 *
 * libbpf has a single process-wide print callback; it is set here and
 * nowhere else, so that whatever part is running, libbpf never writes to
 * stderr on its own and an embedder sees its messages through the same
 * callback as ours. */
#include <bpf/libbpf.h>
#include <stdio.h>

#include "wasm_bpf_base.h"

static wasm_bpf_print_fn print_fn;
static struct base_libbpf_capture capture;
static bool libbpf_routed;

static int route_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (capture.fn) {
        capture.fn(capture.ctx, (int)level, fmt, ap);
        return 0;
    }
    switch (level) {
    case LIBBPF_WARN: base_vprint(WASM_BPF_WARN, fmt, ap); break;
    case LIBBPF_INFO: base_vprint(WASM_BPF_INFO, fmt, ap); break;
    default: break; /* libbpf's debug: only a capture that asks for it */
    }
    return 0;
}

static void ensure_routed(void)
{
    if (!libbpf_routed) {
        libbpf_set_print(route_libbpf);
        libbpf_routed = true;
    }
}

wasm_bpf_print_fn wasm_bpf_set_print(wasm_bpf_print_fn fn)
{
    ensure_routed();
    wasm_bpf_print_fn old = print_fn;
    print_fn = fn;
    return old;
}

void base_vprint(enum wasm_bpf_print_level level, const char *fmt, va_list ap)
{
    if (print_fn)
        print_fn(level, fmt, ap);
}

void base_print(enum wasm_bpf_print_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    base_vprint(level, fmt, ap);
    va_end(ap);
}

struct base_libbpf_capture base_libbpf_capture(base_libbpf_capture_fn fn, void *ctx)
{
    ensure_routed();
    struct base_libbpf_capture old = capture;
    capture.fn = fn;
    capture.ctx = ctx;
    return old;
}

void base_libbpf_capture_restore(struct base_libbpf_capture previous)
{
    capture = previous;
}
