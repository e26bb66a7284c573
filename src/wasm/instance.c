/* instance.c: the linker (named imports), instantiation (link, allocate,
 * initialise segments, run start), exports and function objects. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jit.h"

/* ------------------------------------------------------------------ */
/* Linker                                                              */
/* ------------------------------------------------------------------ */

typedef struct link_entry {
    char *module, *name;
    size_t module_len, name_len;
    uint8_t kind;
    /* host function */
    wasm_host_fn fn;
    void *userdata;
    uint32_t type_id;
    uint8_t *types; /* params then results */
    uint32_t np, nr;
    /* or an existing object */
    wasm_func *func;
    wasm_memory *memory;
    wasm_table *table;
    wasm_global *global;
} link_entry;

struct wasm_linker {
    link_entry *entries;
    uint32_t n, cap;
};

wasm_linker *wasm_linker_new(void)
{
    return calloc(1, sizeof(wasm_linker));
}

static void entry_free(link_entry *e)
{
    if (e->kind == WASM_EXTERN_FUNC && e->types)
        wasm__functype_release(e->type_id);
    free(e->module);
    free(e->name);
    free(e->types);
}

void wasm_linker_free(wasm_linker *l)
{
    if (!l)
        return;
    for (uint32_t i = 0; i < l->n; i++)
        entry_free(&l->entries[i]);
    free(l->entries);
    free(l);
}

static const link_entry *linker_find(const wasm_linker *l, const import_def *im)
{
    /* later definitions win */
    for (uint32_t i = l ? l->n : 0; i-- > 0;) {
        const link_entry *e = &l->entries[i];
        if (e->name_len == im->name_len && e->module_len == im->module_len &&
            !memcmp(e->name, im->name, im->name_len) &&
            !memcmp(e->module, im->module, im->module_len))
            return e;
    }
    return NULL;
}

static char *dup_bytes(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static link_entry *linker_add_n(wasm_linker *l, const char *module, size_t module_len,
                                const char *name, size_t name_len, uint8_t kind)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 32;
        link_entry *e = reallocarray(l->entries, cap, sizeof *e);
        if (!e)
            return NULL;
        l->entries = e;
        l->cap = cap;
    }
    link_entry *e = &l->entries[l->n];
    memset(e, 0, sizeof *e);
    e->module = dup_bytes(module, module_len);
    e->name = dup_bytes(name, name_len);
    e->module_len = module_len;
    e->name_len = name_len;
    if (!e->module || !e->name) {
        entry_free(e);
        return NULL;
    }
    e->kind = kind;
    l->n++;
    return e;
}

static link_entry *linker_add(wasm_linker *l, const char *module, const char *name, uint8_t kind)
{
    return linker_add_n(l, module, strlen(module), name, strlen(name), kind);
}

int wasm_linker_define_func(wasm_linker *l, const char *module, const char *name,
                            const char *signature, wasm_host_fn fn, void *userdata)
{
    uint8_t types[64];
    uint32_t np, nr;
    if (!l || !module || !name || !fn ||
        wasm__signature_parse(signature, types, sizeof types, &np, &nr))
        return -EINVAL;
    uint32_t id = wasm__functype_intern(types, np, types + np, nr, NULL);
    if (id == UINT32_MAX)
        return -ENOMEM;
    link_entry *e = linker_add(l, module, name, WASM_EXTERN_FUNC);
    if (!e) {
        wasm__functype_release(id);
        return -ENOMEM;
    }
    e->types = malloc(np + nr + 1);
    if (!e->types) {
        wasm__functype_release(id);
        l->n--;
        entry_free(e);
        return -ENOMEM;
    }
    memcpy(e->types, types, np + nr);
    e->fn = fn;
    e->userdata = userdata;
    e->type_id = id;
    e->np = np;
    e->nr = nr;
    return 0;
}

int wasm_linker_define_memory(wasm_linker *l, const char *module, const char *name, wasm_memory *m)
{
    if (!l || !module || !name || !m)
        return -EINVAL;
    link_entry *e = linker_add(l, module, name, WASM_EXTERN_MEMORY);
    if (!e)
        return -ENOMEM;
    e->memory = m;
    return 0;
}

int wasm_linker_define_table(wasm_linker *l, const char *module, const char *name, wasm_table *t)
{
    if (!l || !module || !name || !t)
        return -EINVAL;
    link_entry *e = linker_add(l, module, name, WASM_EXTERN_TABLE);
    if (!e)
        return -ENOMEM;
    e->table = t;
    return 0;
}

int wasm_linker_define_global(wasm_linker *l, const char *module, const char *name, wasm_global *g)
{
    if (!l || !module || !name || !g)
        return -EINVAL;
    link_entry *e = linker_add(l, module, name, WASM_EXTERN_GLOBAL);
    if (!e)
        return -ENOMEM;
    e->global = g;
    return 0;
}

int wasm_linker_define_instance(wasm_linker *l, const char *module, wasm_instance *inst)
{
    if (!l || !module || !inst)
        return -EINVAL;
    const wasm_module *m = inst->mod;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const export_def *x = &m->exports[i];
        link_entry *e = linker_add_n(l, module, strlen(module), x->name, x->name_len, x->kind);
        if (!e)
            return -ENOMEM;
        switch (x->kind) {
        case WASM_EXTERN_FUNC: e->func = inst->funcs[x->index]; break;
        case WASM_EXTERN_TABLE: e->table = inst->tables[x->index]; break;
        case WASM_EXTERN_MEMORY: e->memory = inst->mem; break;
        case WASM_EXTERN_GLOBAL:
            /* the cell is the first member of its wasm_global */
            e->global = (wasm_global *)(void *)inst->globals[x->index];
            break;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Instantiation                                                       */
/* ------------------------------------------------------------------ */

typedef struct inst_ctx {
    wasm_instance *inst;
    char *err;
    size_t errlen;
} inst_ctx;

/* `error` is the errno wasm_instantiate documents: ENOENT, EINVAL, E2BIG,
 * ENOMEM, or ECANCELED for a trap. */
__attribute__((format(printf, 3, 4))) static wasm_instance *inst_fail(inst_ctx *c, int error,
                                                                      const char *fmt, ...)
{
    if (c->err && c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->errlen, fmt, ap);
        va_end(ap);
    }
    /* An instance whose segments or start function trapped stays with the
     * runtime (freed with it): earlier segments may have stored references
     * to its functions in imported tables, and those must stay callable. */
    if (c->inst && error != ECANCELED)
        wasm_instance_free(c->inst);
    errno = error;
    return NULL;
}

static const char *kind_name(uint8_t kind)
{
    static const char *const names[] = {"function", "table", "memory", "global"};
    return kind < 4 ? names[kind] : "?";
}

static bool limits_match(uint64_t actual_min, uint64_t actual_max, bool actual_has_max,
                         const limits *want)
{
    if (actual_min < want->min)
        return false;
    if (want->has_max && (!actual_has_max || actual_max > want->max))
        return false;
    return true;
}

static uint64_t eval_const(const wasm_instance *inst, const const_expr *e)
{
    switch (e->kind) {
    case CE_CONST: return e->value;
    case CE_GLOBAL_GET: return *inst->globals[e->value];
    case CE_REF_FUNC: return (uint64_t)(uintptr_t)inst->funcs[e->value];
    default: return 0;
    }
}

static void import_desc(const wasm_module *m, const import_def *im, char *buf, size_t len)
{
    switch (im->kind) {
    case WASM_EXTERN_FUNC: wasm__functype_format(&m->types[im->u.type_index], buf, len); break;
    case WASM_EXTERN_TABLE:
        snprintf(buf, len, "(table %u %s)", im->u.table.lim.min,
                 wasm__valtype_name(im->u.table.elem));
        break;
    case WASM_EXTERN_MEMORY: snprintf(buf, len, "(memory %u)", im->u.memory.min); break;
    case WASM_EXTERN_GLOBAL:
        snprintf(buf, len, im->u.global.mut ? "(global (mut %s))" : "(global %s)",
                 wasm__valtype_name(im->u.global.type));
        break;
    }
}

static wasm_instance *link_imports(inst_ctx *c, const wasm_linker *l, uint32_t *nhost)
{
    wasm_instance *inst = c->inst;
    const wasm_module *m = inst->mod;
    uint32_t host = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const import_def *im = &m->imports[i];
        const link_entry *e = linker_find(l, im);
        char want[256];
        import_desc(m, im, want, sizeof want);
        if (!e)
            return inst_fail(c, ENOENT, "unknown import: %s.%s %s", im->module, im->name, want);
        if (e->kind != im->kind)
            return inst_fail(c, EINVAL,
                             "incompatible import type: %s.%s is a %s, the module imports %s",
                             im->module, im->name, kind_name(e->kind), want);
        switch (im->kind) {
        case WASM_EXTERN_FUNC: {
            const func_type *t = &m->types[im->u.type_index];
            if (e->func) {
                if (e->func->type_id != t->id)
                    goto mismatch;
                inst->funcs[im->index] = e->func;
            } else {
                if (e->type_id != t->id)
                    goto mismatch;
                wasm_func *f = &inst->own_funcs[host++];
                f->type = t;
                f->type_id = t->id;
                f->inst = inst;
                f->host = e->fn;
                f->userdata = e->userdata;
                f->index = im->index;
                f->frame_need = t->nparams > t->nresults ? t->nparams : t->nresults;
                inst->funcs[im->index] = f;
            }
            break;
        }
        case WASM_EXTERN_TABLE: {
            wasm_table *t = e->table;
            if (t->elem != im->u.table.elem ||
                !limits_match(t->size, t->max, t->explicit_max, &im->u.table.lim))
                goto mismatch;
            inst->tables[im->index] = t;
            break;
        }
        case WASM_EXTERN_MEMORY: {
            wasm_memory *mem = e->memory;
            if (!mem || !limits_match(mem->pages, mem->max_pages, mem->explicit_max, &im->u.memory))
                goto mismatch;
            inst->mem = mem;
            inst->mem_base = mem->base;
            inst->mem_size = &mem->size;
            break;
        }
        case WASM_EXTERN_GLOBAL: {
            wasm_global *g = e->global;
            if (g->type != im->u.global.type || g->mut != im->u.global.mut)
                goto mismatch;
            inst->globals[im->index] = &g->value;
            break;
        }
        }
        continue;
mismatch : {
    char have[256] = "";
    if (im->kind == WASM_EXTERN_FUNC) {
        func_type ht = e->func ? *e->func->type : (func_type){e->np, e->nr, e->types, e->type_id};
        wasm__functype_format(&ht, have, sizeof have);
    } else {
        snprintf(have, sizeof have, "a %s of another type or size", kind_name(e->kind));
    }
    return inst_fail(
        c, EINVAL,
        "incompatible import type for %s.%s: the module imports %s, the host provides %s",
        im->module, im->name, want, have);
}
    }
    *nhost = host;
    return inst;
}

wasm_instance *wasm_instantiate(wasm_runtime *rt, const wasm_module *m, const wasm_linker *l,
                                char *err, size_t errlen)
{
    inst_ctx c = {NULL, err, errlen};
    if (err && errlen)
        err[0] = 0;
    if (!rt || !m)
        return inst_fail(&c, EINVAL, "no runtime or no module");
    wasm_instance *inst = calloc(1, sizeof *inst);
    if (!inst)
        return inst_fail(&c, ENOMEM, "out of memory");
    inst->rt = rt;
    inst->mod = m;
    /* a size of zero, and its size_fast (see wasm_memory) */
    static const uint64_t no_memory[2] = {0, (uint64_t) - (int64_t)WASM_FAST_CHECK_BYTES};
    inst->mem_size = no_memory;
    /* on the runtime's list from the start, so freeing it unlinks it */
    inst->next = rt->instances;
    if (rt->instances)
        rt->instances->prev = inst;
    rt->instances = inst;
    c.inst = inst;

    uint32_t ndefined = m->nfuncs - m->nfunc_imports;
    inst->funcs = calloc(m->nfuncs + 1, sizeof *inst->funcs);
    inst->own_funcs = calloc(m->nfuncs + 1, sizeof *inst->own_funcs);
    inst->tables = calloc(m->ntables + 1, sizeof *inst->tables);
    inst->globals = calloc(m->nglobals + 1, sizeof *inst->globals);
    inst->elem_values = calloc(m->nelems + 1, sizeof *inst->elem_values);
    inst->elem_dropped = calloc(m->nelems + 1, 1);
    inst->data_dropped = calloc(m->ndatas + 1, 1);
    if (!inst->funcs || !inst->own_funcs || !inst->tables || !inst->globals || !inst->elem_values ||
        !inst->elem_dropped || !inst->data_dropped)
        return inst_fail(&c, ENOMEM, "out of memory");

    uint32_t nhost = 0;
    if (!link_imports(&c, l, &nhost))
        return NULL;
    /* the jit tier: machine code for every function, once per module; a
     * module the compiler refuses runs in the interpreter
     * (wasm_module_jit_stats says so).  The tiered one compiles later,
     * what runs hot. */
    if (rt->use_jit && !rt->tiered && wasm__jit_compile((wasm_module *)m, rt) == -EINTR)
        return inst_fail(&c, EINTR, "interrupted while compiling");

    /* defined functions */
    for (uint32_t i = 0; i < ndefined; i++) {
        wasm_func *f = &inst->own_funcs[nhost + i];
        const func_code *fc = &m->codes[i];
        f->type = fc->type;
        f->type_id = fc->type->id;
        f->inst = inst;
        f->code = fc;
        f->index = fc->func_index;
        f->frame_need = (fc->nparams > fc->nresults ? fc->nparams : fc->nresults) + fc->frame_slots;
        inst->funcs[fc->func_index] = f;
    }

    /* globals: initialisers see imported globals and functions */
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        const const_expr *e = &m->global_inits[i - m->nglobal_imports];
        wasm_global *g =
            wasm__global_create(rt, m->globals[i].type, m->globals[i].mut, eval_const(inst, e));
        if (!g)
            return inst_fail(&c, ENOMEM, "out of memory");
        inst->globals[i] = &g->value;
    }

    /* tables and memory */
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        const table_type *tt = &m->tables[i];
        if (tt->lim.min > LIMIT_TABLE_ELEMS)
            return inst_fail(&c, E2BIG, "table %u of %u elements is over the limit of %u elements",
                             i, tt->lim.min, LIMIT_TABLE_ELEMS);
        wasm_table *t = wasm__table_create(rt, tt->elem, tt->lim.min, tt->lim.max, tt->lim.has_max);
        if (!t)
            return inst_fail(&c, ENOMEM, "table %u: cannot allocate %u elements", i, tt->lim.min);
        inst->tables[i] = t;
    }
    if (m->nmemories > m->nmemory_imports) {
        const limits *lim = &m->memories[0];
        if (lim->min > rt->cfg.max_memory_pages)
            return inst_fail(&c, E2BIG, "memory of %u pages is over the limit of %u pages",
                             lim->min, rt->cfg.max_memory_pages);
        wasm_memory *mem =
            wasm__memory_create(rt, lim->min, lim->has_max ? lim->max : WASM_MAX_PAGES,
                                lim->has_max, NULL);
        if (!mem)
            return inst_fail(&c, ENOMEM, "cannot reserve a memory of %u pages", lim->min);
        inst->mem = mem;
        inst->mem_base = mem->base;
        inst->mem_size = &mem->size;
    }

    /* element segments: evaluate their references once */
    for (uint32_t i = 0; i < m->nelems; i++) {
        const elem_segment *s = &m->elems[i];
        inst->elem_values[i] = calloc(s->count + 1, sizeof(uint64_t));
        if (!inst->elem_values[i])
            return inst_fail(&c, ENOMEM, "out of memory");
        for (uint32_t k = 0; k < s->count; k++)
            inst->elem_values[i][k] = eval_const(inst, &s->items[k]);
    }

    /* active segments, in order; a segment that does not fit traps, and
     * what earlier ones wrote stays (visible through imports) */
    for (uint32_t i = 0; i < m->nelems; i++) {
        const elem_segment *s = &m->elems[i];
        if (s->mode == SEG_ACTIVE) {
            wasm_table *t = inst->tables[s->table];
            uint64_t off = (uint32_t)eval_const(inst, &s->offset);
            if (off + s->count > t->size)
                return inst_fail(
                    &c, ECANCELED,
                    "out of bounds table access: element segment %u (%u elements at %llu) "
                    "does not fit table %u of %u elements",
                    i, s->count, (unsigned long long)off, s->table, t->size);
            memcpy(t->elems + off, inst->elem_values[i], (size_t)s->count * sizeof *t->elems);
        }
        if (s->mode != SEG_PASSIVE)
            inst->elem_dropped[i] = 1;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const data_segment *s = &m->datas[i];
        if (s->mode != SEG_ACTIVE)
            continue;
        uint64_t off = (uint32_t)eval_const(inst, &s->offset);
        if (off + s->size > inst->mem->size)
            return inst_fail(&c, ECANCELED,
                             "out of bounds memory access: data segment %u (%u bytes at %llu) "
                             "does not fit a memory of %llu bytes",
                             i, s->size, (unsigned long long)off,
                             (unsigned long long)inst->mem->size);
        memcpy(inst->mem_base + off, s->bytes, s->size);
        inst->data_dropped[i] = 1;
    }

    if (m->start >= 0) {
        wasm_status st = wasm_call(rt, inst->funcs[m->start], NULL, NULL);
        if (st != WASM_OK)
            return inst_fail(&c, ECANCELED, "start function: %s", rt->trap_msg);
    }
    return inst;
}

void wasm_instance_free(wasm_instance *inst)
{
    if (!inst)
        return;
    wasm_runtime *rt = inst->rt;
    if (inst->prev)
        inst->prev->next = inst->next;
    else if (rt->instances == inst)
        rt->instances = inst->next;
    if (inst->next)
        inst->next->prev = inst->prev;
    if (inst->elem_values)
        for (uint32_t i = 0; i < inst->mod->nelems; i++)
            free(inst->elem_values[i]);
    free(inst->elem_values);
    free(inst->elem_dropped);
    free(inst->data_dropped);
    free(inst->funcs);
    free(inst->own_funcs);
    free(inst->tables);
    free(inst->globals);
    free(inst);
}

wasm_runtime *wasm_instance_runtime(const wasm_instance *inst)
{
    return inst->rt;
}
const wasm_module *wasm_instance_module(const wasm_instance *inst)
{
    return inst->mod;
}

static const export_def *find_export_n(const wasm_instance *inst, const char *name, size_t len,
                                       uint8_t kind)
{
    const wasm_module *m = inst->mod;
    for (uint32_t i = 0; i < m->nexports; i++)
        if (m->exports[i].kind == kind && m->exports[i].name_len == len &&
            !memcmp(m->exports[i].name, name, len))
            return &m->exports[i];
    return NULL;
}

static const export_def *find_export(const wasm_instance *inst, const char *name, uint8_t kind)
{
    return find_export_n(inst, name, strlen(name), kind);
}

wasm_func *wasm_instance_func(const wasm_instance *inst, const char *name)
{
    return wasm_instance_func_len(inst, name, strlen(name));
}

wasm_func *wasm_instance_func_len(const wasm_instance *inst, const char *name, size_t len)
{
    const export_def *e = find_export_n(inst, name, len, WASM_EXTERN_FUNC);
    return e ? inst->funcs[e->index] : NULL;
}

wasm_memory *wasm_instance_memory_export(const wasm_instance *inst, const char *name)
{
    return find_export(inst, name, WASM_EXTERN_MEMORY) ? inst->mem : NULL;
}

wasm_table *wasm_instance_table_export(const wasm_instance *inst, const char *name)
{
    const export_def *e = find_export(inst, name, WASM_EXTERN_TABLE);
    return e ? inst->tables[e->index] : NULL;
}

wasm_global *wasm_instance_global_export(const wasm_instance *inst, const char *name)
{
    const export_def *e = find_export(inst, name, WASM_EXTERN_GLOBAL);
    return e ? (wasm_global *)(void *)inst->globals[e->index] : NULL;
}

wasm_memory *wasm_instance_memory(const wasm_instance *inst)
{
    return inst->mem;
}
wasm_table *wasm_instance_table(const wasm_instance *inst)
{
    return inst->mod->ntables ? inst->tables[0] : NULL;
}

/* ------------------------------------------------------------------ */
/* Functions                                                           */
/* ------------------------------------------------------------------ */

uint32_t wasm_func_param_count(const wasm_func *f)
{
    return f->type->nparams;
}
uint32_t wasm_func_result_count(const wasm_func *f)
{
    return f->type->nresults;
}
wasm_valtype wasm_func_param_type(const wasm_func *f, uint32_t i)
{
    return (wasm_valtype)ft_params(f->type)[i];
}
wasm_valtype wasm_func_result_type(const wasm_func *f, uint32_t i)
{
    return (wasm_valtype)ft_results(f->type)[i];
}

int wasm_func_has_signature(const wasm_func *f, const char *signature)
{
    uint8_t types[64];
    uint32_t np, nr;
    if (wasm__signature_parse(signature, types, sizeof types, &np, &nr))
        return 0;
    return np == f->type->nparams && nr == f->type->nresults &&
           !memcmp(types, f->type->types, np + nr);
}

const char *wasm_func_name(const wasm_func *f, char *buf, size_t buflen)
{
    char tmp[160];
    wasm__func_display_name(f->inst->mod, f->index, tmp, sizeof tmp);
    snprintf(buf, buflen, "%s", tmp);
    return buf;
}
