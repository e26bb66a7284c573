/* native_compat.h: the part of libbpf-wasm.h's API that the example guests
 * use beyond libbpf's own (bpf_buffer__*), over native libbpf.  With it the
 * same guest source builds as a native program (with bpftool's skeleton),
 * the baseline of the benchmarks: `-include native_compat.h`. */
#ifndef NATIVE_COMPAT_H
#define NATIVE_COMPAT_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
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

#endif
