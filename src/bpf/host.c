/* host.c: the wasm_bpf imports (docs/ABI.md), per-instance state and the
 * run's clean-up.
 *
 * Each import decodes and checks its arguments here, then hands the work
 * to load.c, attach.c, buffer.c or maps.c.  Objects are known to a guest
 * by small handles (1, 2, ...) that are only valid for the instance that
 * loaded them; a failed call records its errno and message for
 * wasm_bpf_last_error().  Errno values are Linux's inside the host and the
 * guest's (WASI's, errno.c) in what the imports return. */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define STRING_MAX 4096 /* longest program name, map name or attach target */

/* ------------------------------------------------------------------ */
/* Instances, objects, errors                                          */
/* ------------------------------------------------------------------ */

struct wb_instance *wasm_bpf__instance_of(wasm_bpf_host *host, wasm_instance *inst)
{
    /* the same instance calls again and again: map operations in a loop */
    if (host->last && host->last->inst == inst)
        return host->last;
    for (struct wb_instance *wi = host->instances; wi; wi = wi->next)
        if (wi->inst == inst)
            return host->last = wi;
    struct wb_instance *wi = calloc(1, sizeof(*wi));
    if (!wi)
        return NULL;
    wi->inst = inst;
    wi->host = host;
    wi->next = host->instances;
    host->instances = wi;
    return host->last = wi;
}

int wasm_bpf__fail(struct wb_instance *wi, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(wi->last_error, sizeof(wi->last_error), fmt, ap);
    va_end(ap);
    wi->last_errno = err;
    if (wi->host->verbose)
        base_print(WASM_BPF_DEBUG, "wasm-bpf: %s (%s)\n", wi->last_error, strerror(-err));
    return err;
}

struct wb_object *wasm_bpf__object_lookup(struct wb_instance *wi, uint64_t handle)
{
    for (struct wb_object *o = wi->objects; o; o = o->next)
        if (o->handle == handle && !o->closed)
            return o;
    return NULL;
}

/* Everything of one object leaves the kernel: links first (programs stop
 * running), then buffers, then the object (programs and maps). */
void wasm_bpf__object_destroy(struct wb_object *o)
{
    struct wb_instance *wi = o->owner;
    for (struct wb_object **p = &wi->objects; *p; p = &(*p)->next)
        if (*p == o) {
            *p = o->next;
            break;
        }
    wasm_bpf__detach_all(o);
    wasm_bpf__buffers_free(o);
    wasm_bpf__map_fds_remove(wi->host, o);
    bpf_object__close(o->obj);
    free(o->elf);
    free(o);
}

static void instance_cleanup(struct wb_instance *wi)
{
    while (wi->objects)
        wasm_bpf__object_destroy(wi->objects);
}

bool wasm_bpf__rule_has(const char *const *list, size_t n, const char *s, bool pattern)
{
    if (!list)
        return true;
    for (size_t i = 0; i < n; i++)
        if (pattern ? !fnmatch(list[i], s, 0) : !strcmp(list[i], s))
            return true;
    return false;
}

#define RULES(r, member) ((const char *const *)(r)->member), (r)->n_##member

const char *wasm_bpf__prog_type_refused(const wasm_bpf_host *host, const char *type)
{
    for (size_t i = 0; i < host->n_rules; i++)
        if (!wasm_bpf__rule_has(RULES(&host->rules[i], prog_types), type, false))
            return host->rules[i].prog_types_name;
    return NULL;
}

const char *wasm_bpf__target_refused(const wasm_bpf_host *host, const char *target,
                                     const char *other)
{
    for (size_t i = 0; i < host->n_rules; i++)
        if (!wasm_bpf__rule_has(RULES(&host->rules[i], attach_targets), target, true) &&
            !(other && wasm_bpf__rule_has(RULES(&host->rules[i], attach_targets), other, true)))
            return host->rules[i].attach_targets_name;
    return NULL;
}

const char *wasm_bpf__helper_refused(const wasm_bpf_host *host, const char *helper)
{
    for (size_t i = 0; i < host->n_rules; i++)
        if (!wasm_bpf__rule_has(RULES(&host->rules[i], helpers), helper, false))
            return host->rules[i].helpers_name;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Guest memory                                                        */
/* ------------------------------------------------------------------ */

/* A NUL-terminated string of the guest, or a negative errno (recorded). */
static int guest_string(struct wb_instance *wi, uint32_t ptr, const char *what, const char **out)
{
    wasm_memory *mem = wasm_instance_memory(wi->inst);
    uint64_t size = mem ? wasm_memory_size(mem) : 0;
    if (ptr >= size)
        return wasm_bpf__fail(wi, -EFAULT, "%s at %#x lies outside the guest's memory", what, ptr);
    const char *s = (const char *)wasm_memory_data(mem) + ptr;
    uint64_t avail = size - ptr;
    size_t scan = avail > STRING_MAX ? STRING_MAX + 1 : (size_t)avail;
    if (!memchr(s, '\0', scan)) {
        if (avail > STRING_MAX)
            return wasm_bpf__fail(wi, -ENAMETOOLONG, "%s at %#x is longer than %d bytes", what, ptr,
                                  STRING_MAX);
        return wasm_bpf__fail(wi, -EFAULT,
                              "%s at %#x is not NUL-terminated within the guest's memory", what,
                              ptr);
    }
    *out = s;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The imports                                                         */
/* ------------------------------------------------------------------ */

/* load and load_with: the object of len bytes at buf, but not the programs
 * named in the string at no_load_ptr nor the maps named in the one at
 * no_create_ptr (comma-separated; 0: none); the handle, or 0 (recorded) */
static uint64_t guest_load(struct wb_instance *wi, uint32_t buf, int32_t len, uint32_t no_load_ptr,
                           uint32_t no_create_ptr)
{
    const void *bytes = len > 0 ? wasm_mem(wi->inst, buf, (uint32_t)len) : NULL;
    if (len <= 0) {
        wasm_bpf__fail(wi, -EINVAL, "load: object size %d is not positive", len);
        return 0;
    }
    if (!bytes) {
        wasm_bpf__fail(wi, -EFAULT, "load: object [%#x, +%d) lies outside the guest's memory", buf,
                       len);
        return 0;
    }
    const char *no_load = NULL, *no_create = NULL;
    if ((no_load_ptr && guest_string(wi, no_load_ptr, "load: programs not to load", &no_load)) ||
        (no_create_ptr && guest_string(wi, no_create_ptr, "load: maps not to create", &no_create)))
        return 0;
    return wasm_bpf__load(wi, bytes, (size_t)len, no_load, no_create);
}

/* (i32 buf, i32 len) -> i64 handle, 0 on failure */
static wasm_status import_load(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    args[0].i64 = (int64_t)guest_load(wi, (uint32_t)args[0].i32, args[1].i32, 0, 0);
    return WASM_OK;
}

/* (i32 buf, i32 len, i32 no_load, i32 no_create) -> i64 handle, 0 on failure */
static wasm_status import_load_with(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    args[0].i64 = (int64_t)guest_load(wi, (uint32_t)args[0].i32, args[1].i32, (uint32_t)args[2].i32,
                                      (uint32_t)args[3].i32);
    return WASM_OK;
}

/* (i64 handle) -> i32: 0, also for an unknown handle */
static wasm_status import_close(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    struct wb_object *o = wasm_bpf__object_lookup(wi, (uint64_t)args[0].i64);
    args[0].i32 = 0;
    if (!o)
        return WASM_OK;
    if (o->busy) {
        /* closed from a callback of its own poll: finish when the poll
         * returns; the handle is already gone for the guest */
        o->closed = true;
        wasm_bpf__map_fds_remove(wi->host, o);
        return WASM_OK;
    }
    wasm_bpf__object_destroy(o);
    return WASM_OK;
}

/* (i64 handle, i32 name, i32 target) -> i32 */
static wasm_status import_attach(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    uint64_t handle = (uint64_t)args[0].i64;
    uint32_t name_ptr = (uint32_t)args[1].i32, target_ptr = (uint32_t)args[2].i32;
    const char *name, *target = NULL;
    int err;

    struct wb_object *o = wasm_bpf__object_lookup(wi, handle);
    if (!o) {
        args[0].i32 =
            wasm_bpf__guest_errno(wasm_bpf__fail(wi, -EINVAL, "attach: no object with handle %llu",
                                                 (unsigned long long)handle));
        return WASM_OK;
    }
    if ((err = guest_string(wi, name_ptr, "attach: program name", &name))) {
        args[0].i32 = wasm_bpf__guest_errno(err);
        return WASM_OK;
    }
    /* target 0 (NULL) or "" means: by the SEC() name */
    if (target_ptr && (err = guest_string(wi, target_ptr, "attach: target", &target))) {
        args[0].i32 = wasm_bpf__guest_errno(err);
        return WASM_OK;
    }
    args[0].i32 =
        wasm_bpf__guest_errno(wasm_bpf__attach(wi, o, name, target && *target ? target : NULL));
    return WASM_OK;
}

/* (i64 handle, i32 fd, i32 cb, i32 ctx, i32 data, i32 max, i32 timeout_ms) -> i32 */
static wasm_status import_poll(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    uint64_t handle = (uint64_t)args[0].i64;
    int fd = args[1].i32;
    uint32_t cb = (uint32_t)args[2].i32, ctx = (uint32_t)args[3].i32;
    uint32_t data = (uint32_t)args[4].i32;
    int32_t max = args[5].i32, timeout_ms = args[6].i32;

    struct wb_object *o = wasm_bpf__object_lookup(wi, handle);
    if (!o) {
        args[0].i32 =
            wasm_bpf__guest_errno(wasm_bpf__fail(wi, -EINVAL, "poll: no object with handle %llu",
                                                 (unsigned long long)handle));
        return WASM_OK;
    }
    if (max < 0) {
        args[0].i32 = wasm_bpf__guest_errno(
            wasm_bpf__fail(wi, -EINVAL, "poll: negative buffer size %d", max));
        return WASM_OK;
    }
    if (!wasm_mem(inst, data, (uint32_t)max)) {
        args[0].i32 = wasm_bpf__guest_errno(
            wasm_bpf__fail(wi, -EFAULT, "poll: buffer [%#x, +%d) lies outside the guest's memory",
                           data, max));
        return WASM_OK;
    }
    int32_t result = 0; /* in the guest's numbering already */
    wasm_status st = wasm_bpf__poll(wi, o, fd, cb, ctx, data, (uint32_t)max, timeout_ms, &result);
    args[0].i32 = result;
    return st;
}

/* (i64 handle, i32 name) -> i32 fd */
static wasm_status import_map_fd(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    uint64_t handle = (uint64_t)args[0].i64;
    const char *name;
    int err;

    struct wb_object *o = wasm_bpf__object_lookup(wi, handle);
    if (!o) {
        args[0].i32 =
            wasm_bpf__guest_errno(wasm_bpf__fail(wi, -EINVAL, "map_fd: no object with handle %llu",
                                                 (unsigned long long)handle));
        return WASM_OK;
    }
    if ((err = guest_string(wi, (uint32_t)args[1].i32, "map_fd: map name", &name))) {
        args[0].i32 = wasm_bpf__guest_errno(err);
        return WASM_OK;
    }
    struct bpf_map *map = bpf_object__find_map_by_name(o->obj, name);
    if (!map) {
        /* "<any prefix>.rodata": the global-data map of that section,
         * whatever object name the guest's skeleton assumed */
        const char *dot = strchr(name, '.');
        if (dot && dot != name)
            map = bpf_object__find_map_by_name(o->obj, dot);
    }
    if (!map) {
        args[0].i32 = wasm_bpf__guest_errno(
            wasm_bpf__fail(wi, -ENOENT, "map_fd: object '%s' has no map '%s'", o->name, name));
        return WASM_OK;
    }
    int fd = bpf_map__fd(map);
    args[0].i32 = fd >= 0
                      ? fd
                      : wasm_bpf__guest_errno(
                            wasm_bpf__fail(wi, -ENOENT, "map_fd: map '%s' was not created", name));
    return WASM_OK;
}

/* (i32 fd, i32 cmd, i32 key, i32 value, i32 next_key, i64 flags) -> i32 */
static wasm_status import_map_operate(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    args[0].i32 = wasm_bpf__guest_errno(
        wasm_bpf__map_operate(wi, args[0].i32, args[1].i32, (uint32_t)args[2].i32,
                              (uint32_t)args[3].i32, (uint32_t)args[4].i32, (uint64_t)args[5].i64));
    return WASM_OK;
}

/* (i32 buf, i32 len) -> i32: the last errno, its message in [buf, buf+len) */
static wasm_status import_last_error(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    uint32_t buf = (uint32_t)args[0].i32;
    int32_t len = args[1].i32;
    if (len < 0) {
        args[0].i32 = wasm_bpf__guest_errno(-EINVAL);
        return WASM_OK;
    }
    if (len > 0) {
        char *dst = wasm_mem(inst, buf, (uint32_t)len);
        if (!dst) {
            args[0].i32 = wasm_bpf__guest_errno(-EFAULT);
            return WASM_OK;
        }
        if (!wi->last_error[0] && wi->last_errno)
            snprintf(wi->last_error, sizeof(wi->last_error), "map_operate: command %d on fd %d: %s",
                     wi->map_error_cmd, wi->map_error_fd, strerror(-wi->last_errno));
        snprintf(dst, (size_t)len, "%s", wi->last_error);
    }
    args[0].i32 = wasm_bpf__guest_errno(wi->last_errno);
    return WASM_OK;
}

/* () -> i32: 1 once the run was asked to stop (the first Ctrl-C or
 * SIGTERM), for guests that sleep rather than poll: their sleep cannot
 * report EINTR (docs/ABI.md, section 4). */
static wasm_status import_interrupted(wasm_instance *inst, void *userdata, wasm_value *args)
{
    wasm_bpf_host *host = userdata;
    if (!host->ready) {
        struct wb_instance *wi = wasm_bpf__instance_of(host, inst);
        if (wi)
            wasm_bpf__ready_if_attached(wi);
    }
    args[0].i32 = wasm_runtime_stop_requested(wasm_instance_runtime(inst)) ? 1 : 0;
    return WASM_OK;
}

static const struct {
    const char *name;
    const char *signature;
    wasm_host_fn fn;
} imports[] = {
    {"wasm_load_bpf_object", "(ii)I", import_load},
    {"wasm_close_bpf_object", "(I)i", import_close},
    {"wasm_attach_bpf_program", "(Iii)i", import_attach},
    {"wasm_bpf_buffer_poll", "(Iiiiiii)i", import_poll},
    {"wasm_bpf_map_fd_by_name", "(Ii)i", import_map_fd},
    {"wasm_bpf_map_operate", "(iiiiiI)i", import_map_operate},
    {"wasm_bpf_last_error", "(ii)i", import_last_error},
    {"wasm_bpf_interrupted", "()i", import_interrupted},
    {"wasm_load_bpf_object_with", "(iiii)I", import_load_with},
    {"wasm_bpf_probe_prog_type", "(i)i", wasm_bpf__import_probe_prog_type},
    {"wasm_bpf_probe_map_type", "(i)i", wasm_bpf__import_probe_map_type},
    {"wasm_bpf_probe_helper", "(ii)i", wasm_bpf__import_probe_helper},
    {"wasm_bpf_probe_feature", "(i)i", wasm_bpf__import_probe_feature},
};

/* ------------------------------------------------------------------ */
/* The embedding API                                                   */
/* ------------------------------------------------------------------ */

static char **copy_strings(const char *const *src, size_t n)
{
    char **dst = calloc(n ? n : 1, sizeof(*dst));
    if (!dst)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(dst[i] = strdup(src[i]))) {
            while (i--)
                free(dst[i]);
            free(dst);
            return NULL;
        }
    return dst;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

static void rules_free(struct wb_rules *r)
{
    free_strings(r->prog_types, r->n_prog_types);
    free_strings(r->attach_targets, r->n_attach_targets);
    free_strings(r->helpers, r->n_helpers);
}

/* Copy a list: NULL stays NULL (any), as the policy says. */
static int copy_list(char ***dst, size_t *ndst, const char *const *src, size_t n)
{
    if (!src)
        return 0;
    *ndst = n;
    return (*dst = copy_strings(src, n)) ? 0 : -ENOMEM;
}

static int rules_copy(struct wb_rules *r, const struct wasm_bpf_policy *p)
{
    snprintf(r->prog_types_name, sizeof r->prog_types_name, "%s",
             p->prog_types_name ? p->prog_types_name : "prog_types");
    snprintf(r->attach_targets_name, sizeof r->attach_targets_name, "%s",
             p->attach_targets_name ? p->attach_targets_name : "attach_targets");
    snprintf(r->helpers_name, sizeof r->helpers_name, "%s",
             p->helpers_name ? p->helpers_name : "helpers");
    if (copy_list(&r->prog_types, &r->n_prog_types, p->prog_types, p->n_prog_types) ||
        copy_list(&r->attach_targets, &r->n_attach_targets, p->attach_targets,
                  p->n_attach_targets) ||
        copy_list(&r->helpers, &r->n_helpers, p->helpers, p->n_helpers))
        return -ENOMEM;
    return 0;
}

wasm_bpf_host *wasm_bpf_host_new(const struct wasm_bpf_options *opts)
{
    wasm_bpf_host *host = calloc(1, sizeof(*host));
    if (!host)
        return NULL;
    if (pthread_mutex_init(&host->stats_lock, NULL)) {
        free(host);
        return NULL;
    }
    snprintf(host->verbose_name, sizeof host->verbose_name, "%s",
             opts && opts->verbose_name ? opts->verbose_name : "the verbose option");
    snprintf(host->btf_name, sizeof host->btf_name, "%s",
             opts && opts->btf_name ? opts->btf_name : "a BTF file");
    if (opts) {
        host->verbose = opts->verbose;
        if (opts->btf_path && !(host->btf_path = strdup(opts->btf_path)))
            goto nomem;
        host->on_ready = opts->on_ready;
        host->ready_ctx = opts->ready_ctx;
        size_t n = 0;
        for (const struct wasm_bpf_policy *p = opts->policy; p && n < 64; p = p->next)
            n++;
        if (n && !(host->rules = calloc(n, sizeof(*host->rules))))
            goto nomem;
        for (const struct wasm_bpf_policy *p = opts->policy; p && host->n_rules < n; p = p->next)
            if (rules_copy(&host->rules[host->n_rules++], p))
                goto nomem;
        if (opts->declared && !(host->declared = wasm_bpf__permissions_copy(opts->declared)))
            goto nomem;
    }
    wasm_bpf__log_init();
    return host;
nomem:
    wasm_bpf_host_free(host);
    return NULL;
}

int wasm_bpf_host_define(wasm_bpf_host *host, wasm_linker *linker)
{
    static const char *const modules[] = {"wasm_bpf", "env"};
    for (size_t m = 0; m < 2; m++)
        for (size_t i = 0; i < sizeof(imports) / sizeof(imports[0]); i++)
            if (wasm_linker_define_func(linker, modules[m], imports[i].name, imports[i].signature,
                                        imports[i].fn, host))
                return -1;
    return 0;
}

void wasm_bpf_host_forget_instance(wasm_bpf_host *host, wasm_instance *inst)
{
    host->last = NULL;
    for (struct wb_instance **p = &host->instances; *p; p = &(*p)->next)
        if ((*p)->inst == inst) {
            struct wb_instance *wi = *p;
            *p = wi->next;
            instance_cleanup(wi);
            free(wi);
            return;
        }
}

void wasm_bpf_host_cleanup(wasm_bpf_host *host)
{
    if (!host)
        return;
    host->last = NULL;
    while (host->instances) {
        struct wb_instance *wi = host->instances;
        host->instances = wi->next;
        instance_cleanup(wi);
        free(wi);
    }
}

void wasm_bpf_host_free(wasm_bpf_host *host)
{
    if (!host)
        return;
    wasm_bpf_host_cleanup(host);
    for (size_t i = 0; i < host->n_rules; i++)
        rules_free(&host->rules[i]);
    free(host->rules);
    free(host->btf_path);
    free(host->probes);
    wasm_bpf_permissions_free(host->declared);
    free(host->fds);
    wasm_bpf__stats_free(host);
    pthread_mutex_destroy(&host->stats_lock);
    free(host);
}
