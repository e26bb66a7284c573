/* buffer.c: wasm_bpf_buffer_poll: ring buffers and perf event arrays.
 *
 * The first poll of a map fd creates its libbpf ring_buffer (perf_buffers
 * are made at load); there is one per fd, so an object may have several.  A poll then:
 *   1. delivers the perf records a previous poll left behind (below);
 *   2. consumes what is already there, without waiting;
 *   3. if nothing came, waits up to timeout_ms on an epoll set holding the
 *      buffer's epoll fd and the runtime's interrupt and stop fds, and
 *      consumes again.  A stop request (the first Ctrl-C) ends the wait with
 *      -EINTR, and every later wait at once, so the guest can print its
 *      summary and exit; an interrupt unwinds the guest.
 * Each record is copied into the guest's [data, data+max) and the guest's
 * callback (table 0, index cb, type (i32, i32, i32) -> i32) is called with
 * the copied length.  The guest's memory may grow during a callback, so
 * its address is derived again for every record.
 *
 * A negative callback return stops the poll and is its result.  libbpf
 * stops a ring buffer right there; a perf buffer cannot be stopped, so the
 * perf records that arrive after the stop are queued and delivered first by
 * the next poll: no record is ever dropped.  A trap in a callback stops
 * everything and becomes the import's own status, so the guest unwinds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* How far ahead of the record being delivered the ring is prefetched.
 * Draining a full ring is bound by cache misses on it (libbpf reads each
 * record's header, then the copy reads its data), and the guest's callback
 * runs between two records: with the next lines already on their way the
 * misses overlap it.  About 40 records of 16 bytes ahead; 256..2048 gave
 * the same within noise (bench/bpf/ring_ab.py).  The ring's data is mapped
 * twice and is at least a page, so the address is inside the mapping (and a
 * prefetch never faults in any case). */
#define RING_PREFETCH     1024
#define PERF_BUFFER_PAGES 64 /* per CPU, as in the original runtime */

/* epoll data of the fds that end a wait besides the buffer's own (0) */
enum { WAKE_INTERRUPT = 1, WAKE_STOP = 2 };

struct wb_pending {
    struct wb_pending *next;
    uint32_t size;
    unsigned char data[];
};

/* The poll in progress on a buffer. */
struct delivery {
    struct wb_instance *wi;
    struct wb_object *object;
    wasm_runtime *rt;
    wasm_func *cb;
    wasm_callback *call;    /* cb's prepared path, or NULL (then wasm_call) */
    struct wb_stats *stats; /* the buffer's counters */
    uint32_t ctx, data, max;
    uint8_t *dst;          /* [data, data+max) in the host: memory never moves */
    unsigned long long ns; /* time spent delivering (copies and callbacks) */
    int32_t count;         /* records delivered */
    int32_t stop;          /* the negative callback return that stopped it */
    wasm_status status;    /* a trap in a callback, or an interrupt */
    bool stopped;          /* no more callbacks in this poll */
};

/* libbpf callbacks find the poll in progress through their buffer */
struct buffer_ctx {
    struct wb_buffer *buffer;
    struct delivery *active;
    bool verbose;
};

/* The buffer and its callback context are allocated together. */
struct buffer_alloc {
    struct wb_buffer buffer;
    struct buffer_ctx ctx;
};

static struct buffer_ctx *ctx_of(struct wb_buffer *b)
{
    return &((struct buffer_alloc *)b)->ctx;
}

/* One record to the guest's callback: the path of every event, kept short.
 * An interrupt is seen by wasm_call, which then does not enter the guest. */
static int deliver(struct delivery *d, const void *record, size_t size)
{
    if (d->object->closed) {
        d->stopped = true;
        return -ECANCELED;
    }
    uint32_t n = size < d->max ? (uint32_t)size : d->max;
    memcpy(d->dst, record, n);
    /* whole 8-byte cells (an i32's upper half zero): written as .i32, the
     * compiler stores 4 bytes beside a 16-byte zeroing store, and the
     * callee's 8-byte reads of them stall (store forwarding fails) */
    wasm_value args[3] = {{.raw = d->ctx}, {.raw = d->data}, {.raw = n}};
    wasm_value result[1] = {{.i64 = 0}};
    wasm_status st =
        d->call ? wasm_callback_call(d->call, args, result) : wasm_call(d->rt, d->cb, args, result);
    if (st != WASM_OK) {
        d->status = st;
        d->stopped = true;
        return -ECANCELED;
    }
    d->count++;
    if (result[0].i32 < 0) {
        d->stop = result[0].i32;
        d->stopped = true;
        return result[0].i32;
    }
    return 0;
}

static int ring_sample(void *ctx, void *data, size_t size)
{
    struct buffer_ctx *bc = ctx;
    if (!bc->active || bc->active->stopped)
        return -ECANCELED;
    __builtin_prefetch((const char *)data + RING_PREFETCH);
    return deliver(bc->active, data, size);
}

static void queue_pending(struct wb_buffer *b, const void *data, uint32_t size)
{
    struct wb_pending *p = malloc(sizeof(*p) + size);
    if (!p) {
        b->lost++;
        WB_STAT_ADD(b->stats->lost, 1);
        return;
    }
    p->next = NULL;
    p->size = size;
    memcpy(p->data, data, size);
    if (b->pending_tail)
        b->pending_tail->next = p;
    else
        b->pending_head = p;
    b->pending_tail = p;
}

static void perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
    struct buffer_ctx *bc = ctx;
    (void)cpu;
    if (bc->active && !bc->active->stopped)
        deliver(bc->active, data, size);
    else
        queue_pending(bc->buffer, data, size);
}

static void perf_lost(void *ctx, int cpu, __u64 count)
{
    struct buffer_ctx *bc = ctx;
    bc->buffer->lost += count;
    WB_STAT_ADD(bc->buffer->stats->lost, count);
    if (bc->verbose)
        base_print(WASM_BPF_DEBUG,
                   "wasm-bpf: the kernel lost %llu perf samples of map fd %d on CPU %d "
                   "(%llu in all)\n",
                   (unsigned long long)count, bc->buffer->map_fd, cpu, bc->buffer->lost);
}

static void buffer_free(struct wb_buffer *b)
{
    ring_buffer__free(b->ring);
    perf_buffer__free(b->perf_buf);
    if (b->epoll_fd >= 0)
        close(b->epoll_fd);
    while (b->pending_head) {
        struct wb_pending *p = b->pending_head;
        b->pending_head = p->next;
        free(p);
    }
    free((struct buffer_alloc *)b);
}

void wasm_bpf__buffers_free(struct wb_object *o)
{
    while (o->buffers) {
        struct wb_buffer *b = o->buffers;
        o->buffers = b->next;
        buffer_free(b);
    }
}

static int buffer_create(struct wb_instance *wi, struct wb_object *o, int fd,
                         struct wb_buffer **out)
{
    struct bpf_map *map = NULL, *m;
    bpf_object__for_each_map(m, o->obj)
        if (bpf_map__fd(m) == fd) {
            map = m;
            break;
        }
    if (!map || fd < 0)
        return wasm_bpf__fail(wi, -EBADF, "poll: fd %d is not a map of object '%s'", fd, o->name);
    enum bpf_map_type type = bpf_map__type(map);
    if (type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
        const char *tname = libbpf_bpf_map_type_str(type);
        return wasm_bpf__fail(wi, -EINVAL,
                              "poll: map '%s' is a %s map, not a ring buffer or a perf "
                              "event array",
                              bpf_map__name(map), tname ? tname : "?");
    }

    struct buffer_alloc *ba = calloc(1, sizeof(*ba));
    if (!ba)
        return wasm_bpf__fail(wi, -ENOMEM, "poll: out of memory");
    struct wb_buffer *b = &ba->buffer;
    ba->ctx.buffer = b;
    ba->ctx.verbose = wi->host->verbose;
    b->map_fd = fd;
    b->stats = wasm_bpf__stats_of(wi->host, o, map);
    b->epoll_fd = -1;
    b->interrupt_fd = -1;
    int err, inner_fd;
    if (type == BPF_MAP_TYPE_RINGBUF) {
        b->ring = ring_buffer__new(fd, ring_sample, &ba->ctx, NULL);
        if (!b->ring) {
            err = -errno;
            goto fail;
        }
        inner_fd = ring_buffer__epoll_fd(b->ring);
    } else {
        b->perf = true;
        b->perf_buf =
            perf_buffer__new(fd, PERF_BUFFER_PAGES, perf_sample, perf_lost, &ba->ctx, NULL);
        if (!b->perf_buf) {
            err = -errno;
            goto fail;
        }
        inner_fd = perf_buffer__epoll_fd(b->perf_buf);
    }

    b->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (b->epoll_fd < 0) {
        err = -errno;
        goto fail;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 0};
    if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, inner_fd, &ev)) {
        err = -errno;
        goto fail;
    }
    wasm_runtime *rt = wasm_instance_runtime(wi->inst);
    int ifd = wasm_runtime_interrupt_fd(rt);
    ev.data.u32 = WAKE_INTERRUPT;
    if (ifd >= 0 && !epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, ifd, &ev))
        b->interrupt_fd = ifd;
    /* Without it a stop request is still seen before each wait (wasm_bpf__poll). */
    int sfd = wasm_runtime_stop_fd(rt);
    ev.data.u32 = WAKE_STOP;
    if (sfd >= 0)
        epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, sfd, &ev);

    b->next = o->buffers;
    o->buffers = b;
    *out = b;
    return 0;
fail:
    buffer_free(b);
    return wasm_bpf__fail(wi, err, "poll: cannot create a %s for map '%s': %s",
                          type == BPF_MAP_TYPE_RINGBUF ? "ring buffer" : "perf buffer",
                          bpf_map__name(map), strerror(-err));
}

/* Perf event arrays only receive samples once their perf events exist, so
 * their buffers are made at load: no sample is lost before the first poll. */
void wasm_bpf__buffers_prepare(struct wb_instance *wi, struct wb_object *o)
{
    struct bpf_map *map;
    bpf_object__for_each_map(map, o->obj) {
        struct wb_buffer *b;
        if (bpf_map__type(map) == BPF_MAP_TYPE_PERF_EVENT_ARRAY && bpf_map__fd(map) >= 0 &&
            buffer_create(wi, o, bpf_map__fd(map), &b))
            base_print(WASM_BPF_WARN, "wasm-bpf: %s (the first poll will try again)\n",
                       wi->last_error);
    }
}

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* The callbacks' time is taken per batch, not per record: a clock read
 * costs ~50 ns on these machines, as much as delivering a record (the
 * README's Metrics section has the measurement). */
static void consume(struct wb_buffer *b, struct delivery *d)
{
    unsigned long long t0 = now_ns();
    if (b->ring)
        ring_buffer__consume(b->ring);
    else
        perf_buffer__consume(b->perf_buf);
    d->ns += now_ns() - t0;
}

/* Wait for records, an interrupt or a stop request: 1 ready, 0 timed out
 * or interrupted (d->status says which), negative errno (-EINTR: stop). */
static int wait_ready(struct wb_buffer *b, struct delivery *d, int timeout_ms)
{
    if (wasm_runtime_stop_requested(d->rt))
        return -EINTR;
    struct epoll_event ev[3];
    int n = epoll_wait(b->epoll_fd, ev, 3, timeout_ms < 0 ? -1 : timeout_ms);
    if (n < 0) {
        int err = -errno;
        if (wasm_runtime_interrupted(d->rt)) {
            d->status = wasm_trap_interrupted(d->wi->inst);
            return 0;
        }
        return err == -EINTR || wasm_runtime_stop_requested(d->rt) ? -EINTR : err;
    }
    bool stop = false;
    for (int i = 0; i < n; i++) {
        if (ev[i].data.u32 == WAKE_INTERRUPT) {
            d->status = wasm_trap_interrupted(d->wi->inst);
            return 0;
        }
        stop |= ev[i].data.u32 == WAKE_STOP;
    }
    /* Records that came with the stop request are delivered first: the
     * guest sees -EINTR from its next poll. */
    if (stop && n == 1)
        return -EINTR;
    return n > 0;
}

wasm_status wasm_bpf__poll(struct wb_instance *wi, struct wb_object *o, int fd, uint32_t cb,
                           uint32_t ctx, uint32_t data, uint32_t max, int timeout_ms,
                           int32_t *result)
{
    wasm_instance *inst = wi->inst;
    wasm_runtime *rt = wasm_instance_runtime(inst);
    if (wasm_runtime_interrupted(rt))
        return wasm_trap_interrupted(inst);

    wasm_table *table = wasm_instance_table(inst);
    wasm_func *f = table ? wasm_table_func(table, cb) : NULL;
    if (!f) {
        *result = wasm_bpf__guest_errno(wasm_bpf__fail(wi, -EINVAL,
                                                       "poll: callback %u is not a function of the "
                                                       "guest's table (%u elements)",
                                                       cb, table ? wasm_table_size(table) : 0));
        return WASM_OK;
    }
    /* A callback without a result counts as returning 0: the original
     * rust-bootstrap's handle_event has that shape. */
    if (!wasm_func_has_signature(f, "(iii)i") && !wasm_func_has_signature(f, "(iii)")) {
        *result = wasm_bpf__guest_errno(wasm_bpf__fail(wi, -EINVAL,
                                                       "poll: callback %u does not have the type "
                                                       "(i32 ctx, i32 data, i32 len) -> i32",
                                                       cb));
        return WASM_OK;
    }

    struct wb_buffer *b;
    for (b = o->buffers; b && b->map_fd != fd; b = b->next)
        ;
    if (!b) {
        int err = buffer_create(wi, o, fd, &b);
        if (err) {
            *result = wasm_bpf__guest_errno(err);
            return WASM_OK;
        }
    }
    if (b->busy) {
        *result =
            wasm_bpf__guest_errno(wasm_bpf__fail(wi, -EBUSY,
                                                 "poll: map fd %d is already being polled (by "
                                                 "a callback's caller)",
                                                 fd));
        return WASM_OK;
    }

    wasm_bpf__stats_poll(wi->host, b->stats);
    struct delivery d = {
        .wi = wi,
        .object = o,
        .rt = rt,
        .cb = f,
        .stats = b->stats,
        .ctx = ctx,
        .data = data,
        .max = max,
        .dst = wasm_mem(inst, data, max), /* checked by the import: inside memory */
        .status = WASM_OK,
        /* set up once for all the records of this poll (NULL when out of
         * memory: wasm_call does the same) */
        .call = wasm_callback_new(rt, f),
    };
    struct buffer_ctx *bc = ctx_of(b);
    b->busy = true;
    bc->active = &d;
    o->busy++;

    /* 1. what a stopped poll left behind */
    unsigned long long t0 = b->pending_head ? now_ns() : 0;
    while (b->pending_head && !d.stopped) {
        struct wb_pending *p = b->pending_head;
        b->pending_head = p->next;
        if (!b->pending_head)
            b->pending_tail = NULL;
        deliver(&d, p->data, p->size);
        free(p);
    }
    if (t0)
        d.ns += now_ns() - t0;
    /* 2. what is there now; 3. or wait for it */
    int err = 0;
    if (!d.stopped) {
        consume(b, &d);
        if (!d.count && !d.stopped && timeout_ms != 0) {
            err = wait_ready(b, &d, timeout_ms);
            if (err > 0) {
                consume(b, &d);
                err = 0;
            }
        }
    }

    if (d.count) {
        WB_STAT_ADD(b->stats->delivered, (unsigned long long)d.count);
        WB_STAT_ADD(b->stats->callback_ns, d.ns);
    }
    bc->active = NULL;
    wasm_callback_free(d.call);
    b->busy = false;
    o->busy--;
    if (o->closed && !o->busy)
        wasm_bpf__object_destroy(o);

    if (d.status != WASM_OK)
        return d.status;
    if (d.stop < 0)
        *result = d.stop; /* the callback's own value */
    else if (err < 0)
        *result = d.count ? d.count : wasm_bpf__guest_errno(err);
    else
        *result = d.count;
    return WASM_OK;
}
