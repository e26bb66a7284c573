/* native_compat.h: the part of libbpf-wasm.h's API that the example guests
 * use beyond libbpf's own (bpf_buffer__*, wasm_bpf_interrupted), over native
 * libbpf.  With it the same guest source builds as a native program (with
 * bpftool's skeleton), the baseline of the benchmarks:
 * `-include native_compat.h -Isdk/c`.  The SDK's portable helpers
 * (wasm-bpf-tool.h, wasm-bpf-args.h) are then used as they are, so the
 * native baseline does the same work as the guest. */
#ifndef NATIVE_COMPAT_H
#define NATIVE_COMPAT_H

/* The guest's libbpf (which wasm-bpf-tool.h includes) is this file here. */
#define _LIBBPF_WASM_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

typedef int (*bpf_buffer_sample_fn)(void *ctx, void *data, size_t size);

struct bpf_buffer {
    struct ring_buffer *ring;
    struct perf_buffer *perf;
    bpf_buffer_sample_fn sample_fn;
    void *ctx;
};

static inline void native_perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
    struct bpf_buffer *b = (struct bpf_buffer *)ctx;
    (void)cpu;
    b->sample_fn(b->ctx, data, size);
}

static inline struct bpf_buffer *bpf_buffer__open(struct bpf_map *map, bpf_buffer_sample_fn fn,
                                                  void *ctx)
{
    struct bpf_buffer *b = (struct bpf_buffer *)calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->sample_fn = fn;
    b->ctx = ctx;
    if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
        b->ring = ring_buffer__new(bpf_map__fd(map), fn, ctx, NULL);
    else
        b->perf = perf_buffer__new(bpf_map__fd(map), 64, native_perf_sample, NULL, b, NULL);
    if (!b->ring && !b->perf) {
        free(b);
        return NULL;
    }
    return b;
}

static inline int bpf_buffer__poll(struct bpf_buffer *b, int timeout_ms)
{
    return b->ring ? ring_buffer__poll(b->ring, timeout_ms) : perf_buffer__poll(b->perf, timeout_ms);
}

static inline void bpf_buffer__free(struct bpf_buffer *b)
{
    if (!b)
        return;
    ring_buffer__free(b->ring);
    perf_buffer__free(b->perf);
    free(b);
}

static inline void bpf_set_prog_attach_target(struct bpf_program *prog, const char *target)
{
    (void)prog;
    (void)target; /* the benchmarks' native programs attach explicitly */
}

/* The runtime's wasm_bpf_interrupted(): Ctrl-C or SIGTERM was received.
 * As under the runtime, the signal ends a poll with -EINTR (no SA_RESTART)
 * and the tool's loop returns, so the program cleans up as the guest does. */
static volatile sig_atomic_t native_interrupted;

static void native_on_signal(int sig)
{
    (void)sig;
    native_interrupted = 1;
}

__attribute__((constructor)) static void native_catch_signals(void)
{
    struct sigaction sa = {.sa_handler = native_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static inline int wasm_bpf_interrupted(void)
{
    return native_interrupted;
}

#endif
