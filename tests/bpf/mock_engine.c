/* mock_engine.c: just enough of the engine API (wasm_engine.h) to drive the
 * BPF host interface from C, without a WebAssembly engine.
 *
 * Guest memory grows in place and never moves, as the engine promises
 * (wasm_mem: the address stays valid for the life of the instance): a
 * block of MOCK_MAX_PAGES is allocated up front and mock_memory_grow()
 * opens more of it.  Guest functions are C functions with a signature
 * string; wasm_call() calls them directly. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mock_engine.h"

wasm_runtime *mock_runtime_new(void)
{
    wasm_runtime *rt = calloc(1, sizeof(*rt));
    rt->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    rt->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return rt;
}

void mock_runtime_free(wasm_runtime *rt)
{
    close(rt->efd);
    close(rt->stop_efd);
    free(rt);
}

wasm_instance *mock_instance_new(wasm_runtime *rt, uint32_t pages)
{
    wasm_instance *inst = calloc(1, sizeof(*inst));
    inst->rt = rt;
    inst->mem.size = (uint64_t)pages * 65536;
    inst->mem.data = calloc(MOCK_MAX_PAGES, 65536);
    return inst;
}

void mock_instance_free(wasm_instance *inst)
{
    free(inst->mem.data);
    free(inst->table.elems);
    free(inst);
}

void mock_memory_grow(wasm_instance *inst, uint32_t pages)
{
    uint64_t size = inst->mem.size + (uint64_t)pages * 65536;
    if (size > (uint64_t)MOCK_MAX_PAGES * 65536) {
        fprintf(stderr, "mock engine: memory over %d pages\n", MOCK_MAX_PAGES);
        abort();
    }
    inst->mem.size = size;
}

uint32_t mock_table_add(wasm_instance *inst, wasm_func *f)
{
    inst->table.elems =
        realloc(inst->table.elems, (inst->table.n + 1) * sizeof(*inst->table.elems));
    inst->table.elems[inst->table.n] = f;
    return inst->table.n++;
}

wasm_linker *wasm_linker_new(void)
{
    return calloc(1, sizeof(wasm_linker));
}

void wasm_linker_free(wasm_linker *l)
{
    free(l);
}

int wasm_linker_define_func(wasm_linker *l, const char *module, const char *name,
                            const char *signature, wasm_host_fn fn, void *userdata)
{
    if (l->n >= (int)(sizeof(l->defs) / sizeof(l->defs[0])))
        return -ENOMEM;
    struct mock_def *d = &l->defs[l->n++];
    snprintf(d->module, sizeof(d->module), "%s", module);
    snprintf(d->name, sizeof(d->name), "%s", name);
    snprintf(d->signature, sizeof(d->signature), "%s", signature);
    d->fn = fn;
    d->userdata = userdata;
    return 0;
}

const struct mock_def *mock_import(const wasm_linker *l, const char *module, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->defs[i].module, module) && !strcmp(l->defs[i].name, name))
            return &l->defs[i];
    return NULL;
}

void *wasm_mem(wasm_instance *inst, uint32_t ptr, uint32_t len)
{
    if ((uint64_t)ptr + len > inst->mem.size)
        return NULL;
    return inst->mem.data + ptr;
}

wasm_memory *wasm_instance_memory(const wasm_instance *inst)
{
    return (wasm_memory *)&inst->mem;
}

uint8_t *wasm_memory_data(const wasm_memory *m)
{
    return m->data;
}

uint64_t wasm_memory_size(const wasm_memory *m)
{
    return m->size;
}

wasm_table *wasm_instance_table(const wasm_instance *inst)
{
    return (wasm_table *)&inst->table;
}

uint32_t wasm_table_size(const wasm_table *t)
{
    return t->n;
}

wasm_func *wasm_table_func(const wasm_table *t, uint32_t i)
{
    return i < t->n ? t->elems[i] : NULL;
}

int wasm_func_has_signature(const wasm_func *f, const char *signature)
{
    return !strcmp(f->signature, signature);
}

wasm_runtime *wasm_instance_runtime(const wasm_instance *inst)
{
    return inst->rt;
}

wasm_status wasm_call(wasm_runtime *rt, wasm_func *f, const wasm_value *args, wasm_value *results)
{
    (void)rt;
    rt->depth++;
    wasm_status st = f->fn(f->inst, args, results);
    rt->depth--;
    return st;
}

/* the prepared path of poll callbacks: the same call here */
struct wasm_callback {
    wasm_runtime *rt;
    wasm_func *f;
};

wasm_callback *wasm_callback_new(wasm_runtime *rt, wasm_func *f)
{
    wasm_callback *cb = malloc(sizeof *cb);
    if (!cb)
        return NULL;
    cb->rt = rt;
    cb->f = f;
    return cb;
}

wasm_status wasm_callback_call(wasm_callback *cb, const wasm_value *args, wasm_value *results)
{
    return wasm_call(cb->rt, cb->f, args, results);
}

void wasm_callback_free(wasm_callback *cb)
{
    free(cb);
}

void mock_interrupt(wasm_runtime *rt)
{
    uint64_t one = 1;
    rt->interrupted = 1;
    if (write(rt->efd, &one, sizeof(one)) < 0)
        perror("eventfd");
}

int wasm_runtime_interrupted(const wasm_runtime *rt)
{
    return rt->interrupted;
}

int wasm_runtime_interrupt_fd(wasm_runtime *rt)
{
    return rt->efd;
}

void mock_request_stop(wasm_runtime *rt)
{
    uint64_t one = 1;
    rt->stop_requested = 1;
    if (write(rt->stop_efd, &one, sizeof(one)) < 0)
        perror("eventfd");
}

int wasm_runtime_stop_requested(const wasm_runtime *rt)
{
    return rt->stop_requested;
}

int wasm_runtime_stop_fd(wasm_runtime *rt)
{
    return rt->stop_efd;
}

wasm_status wasm_trap_interrupted(wasm_instance *inst)
{
    (void)inst;
    return WASM_TRAP_INTERRUPTED;
}

wasm_status wasm_trap_host(wasm_instance *inst, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inst->rt->message, sizeof(inst->rt->message), fmt, ap);
    va_end(ap);
    return WASM_TRAP_HOST;
}
