/* stats.c: the host's counters (wasm_bpf_stats_*, include/wasm_bpf_host.h).
 *
 * One entry per (object name, map name), made when an object is loaded and
 * kept until the host is freed, so counters only rise, whatever the guest
 * closes and loads again: what a Prometheus counter must do.  The number of
 * entries is capped (a guest loading objects of ever new names must not
 * grow the host without bound); maps beyond count into a discard entry
 * that nobody reads, so the hot paths never test for a missing entry.
 *
 * The guest's thread is the only writer of the counters (WB_STAT_ADD: a
 * relaxed load and store, no lock, no locked instruction); readers on other
 * threads load them relaxed.  The list of entries grows under stats_lock,
 * which readers take while they copy: an entry never moves once made. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const map_op_names[WASM_BPF_MAP_OPS] = {
    [WASM_BPF_MAP_LOOKUP] = "lookup",
    [WASM_BPF_MAP_UPDATE] = "update",
    [WASM_BPF_MAP_DELETE] = "delete",
    [WASM_BPF_MAP_GET_NEXT_KEY] = "get_next_key",
    [WASM_BPF_MAP_LOOKUP_AND_DELETE] = "lookup_and_delete",
};

const char *wasm_bpf_map_op_name(enum wasm_bpf_map_op op)
{
    return (unsigned)op < WASM_BPF_MAP_OPS ? map_op_names[op] : NULL;
}

struct wb_stats *wasm_bpf__stats_of(wasm_bpf_host *host, struct wb_object *o,
                                    const struct bpf_map *map)
{
    const char *name = bpf_map__name(map);
    if (!name)
        name = "";
    /* The names as reported: both are cut to the entry's size alike, so a
     * lookup compares what was stored. */
    char mname[sizeof(host->stats_discard.map)];
    snprintf(mname, sizeof mname, "%s", name);
    for (size_t i = 0; i < host->nstats; i++) {
        struct wb_stats *s = host->stats[i];
        if (!strcmp(s->object, o->name) && !strcmp(s->map, mname))
            return s;
    }
    if (host->nstats >= WASM_BPF_STATS_MAX_MAPS)
        goto discard;
    struct wb_stats *s = calloc(1, sizeof(*s));
    if (!s)
        goto discard;
    snprintf(s->object, sizeof s->object, "%s", o->name);
    memcpy(s->map, mname, sizeof s->map);
    enum bpf_map_type type = bpf_map__type(map);
    const char *tname = libbpf_bpf_map_type_str(type);
    snprintf(s->type, sizeof s->type, "%s", tname ? tname : "unknown");
    s->buffer = type == BPF_MAP_TYPE_RINGBUF || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;

    pthread_mutex_lock(&host->stats_lock);
    if (host->nstats == host->stats_cap) {
        size_t cap = host->stats_cap ? host->stats_cap * 2 : 16;
        struct wb_stats **t = realloc(host->stats, cap * sizeof(*t));
        if (!t) {
            pthread_mutex_unlock(&host->stats_lock);
            free(s);
            goto discard;
        }
        host->stats = t;
        host->stats_cap = cap;
    }
    host->stats[host->nstats++] = s;
    pthread_mutex_unlock(&host->stats_lock);
    return s;
discard:
    WB_STAT_ADD(host->untracked_maps, 1);
    return &host->stats_discard;
}

void wasm_bpf__stats_poll(wasm_bpf_host *host, struct wb_stats *s)
{
    WB_STAT_ADD(s->polls, 1);
    WB_STAT_ADD(host->polls, 1);
    if (!host->ready)
        wasm_bpf__ready(host);
}

void wasm_bpf__ready(wasm_bpf_host *host)
{
    __atomic_store_n(&host->ready, true, __ATOMIC_RELAXED);
    if (host->on_ready)
        host->on_ready(host->ready_ctx);
}

/* A guest without buffers (a histogram tool that sleeps, then reads its
 * maps) never polls: it is ready at its first map operation or
 * wasm_bpf_interrupted() call once it has attached something (before,
 * a map operation may still be setting the programs up). */
void wasm_bpf__ready_if_attached(struct wb_instance *wi)
{
    for (struct wb_object *o = wi->objects; o; o = o->next)
        if (o->attachments) {
            wasm_bpf__ready(wi->host);
            return;
        }
}

void wasm_bpf__stats_free(wasm_bpf_host *host)
{
    for (size_t i = 0; i < host->nstats; i++)
        free(host->stats[i]);
    free(host->stats);
    host->stats = NULL;
    host->nstats = host->stats_cap = 0;
}

#define LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

long wasm_bpf_stats_maps(wasm_bpf_host *host, struct wasm_bpf_map_stats *out, size_t n,
                         size_t entry_size)
{
    if (!host || entry_size < 64 || (n && !out))
        return -EINVAL;
    pthread_mutex_lock(&host->stats_lock);
    size_t total = host->nstats;
    for (size_t i = 0; i < total && i < n; i++) {
        const struct wb_stats *s = host->stats[i];
        struct wasm_bpf_map_stats e;
        memset(&e, 0, sizeof e);
        memcpy(e.object, s->object, sizeof e.object);
        memcpy(e.map, s->map, sizeof e.map);
        memcpy(e.type, s->type, sizeof e.type);
        e.buffer = s->buffer;
        e.polls = LOAD(s->polls);
        e.delivered = LOAD(s->delivered);
        e.callback_ns = LOAD(s->callback_ns);
        e.lost = LOAD(s->lost);
        for (int op = 0; op < WASM_BPF_MAP_OPS; op++) {
            e.ops[op] = LOAD(s->ops[op]);
            e.errors[op] = LOAD(s->errors[op]);
        }
        char *dst = (char *)out + i * entry_size;
        size_t copy = entry_size < sizeof e ? entry_size : sizeof e;
        memcpy(dst, &e, copy);
        if (entry_size > copy)
            memset(dst + copy, 0, entry_size - copy);
    }
    pthread_mutex_unlock(&host->stats_lock);
    return (long)total;
}

int wasm_bpf_stats_host(wasm_bpf_host *host, struct wasm_bpf_host_stats *out)
{
    if (!host || !out || out->sz < sizeof(struct wasm_bpf_host_stats))
        return -EINVAL;
    size_t sz = out->sz;
    memset(out, 0, sz);
    out->sz = sz;
    out->objects_loaded = LOAD(host->objects_loaded);
    out->polls = LOAD(host->polls);
    out->ready = LOAD(host->ready);
    out->untracked_maps = LOAD(host->untracked_maps);
    return 0;
}
