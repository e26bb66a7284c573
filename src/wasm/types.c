/* types.c: canonical function type ids, signature strings, type names.
 *
 * call_indirect and imports compare function types structurally, across
 * modules.  Interning every type into a process-wide table turns that into
 * an integer compare in the interpreter. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct interned_type {
    uint32_t np, nr;
    uint8_t *types;
    uint64_t hash;
} interned_type;

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static interned_type *interned;
static uint32_t ninterned, interned_cap;

static uint64_t type_hash(const uint8_t *p, uint32_t np, const uint8_t *r, uint32_t nr)
{
    uint64_t h = 1469598103934665603ull ^ ((uint64_t)np << 32 | nr);
    for (uint32_t i = 0; i < np; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (uint32_t i = 0; i < nr; i++)
        h = (h ^ r[i]) * 1099511628211ull;
    return h;
}

/* Returns the canonical id, or UINT32_MAX when out of memory.  A linear
 * scan by hash is enough: programs have tens of distinct types. */
uint32_t functype_intern(const uint8_t *params, uint32_t np, const uint8_t *results, uint32_t nr)
{
    uint64_t h = type_hash(params, np, results, nr);
    uint32_t id = UINT32_MAX;
    pthread_mutex_lock(&intern_lock);
    for (uint32_t i = 0; i < ninterned; i++) {
        interned_type *t = &interned[i];
        if (t->hash == h && t->np == np && t->nr == nr && !memcmp(t->types, params, np) &&
            !memcmp(t->types + np, results, nr)) {
            id = i;
            goto out;
        }
    }
    if (ninterned == interned_cap) {
        uint32_t cap = interned_cap ? interned_cap * 2 : 64;
        interned_type *n = realloc(interned, cap * sizeof *n);
        if (!n)
            goto out;
        interned = n;
        interned_cap = cap;
    }
    uint8_t *copy = malloc(np + nr + 1);
    if (!copy)
        goto out;
    memcpy(copy, params, np);
    memcpy(copy + np, results, nr);
    interned[ninterned] = (interned_type){np, nr, copy, h};
    id = ninterned++;
out:
    pthread_mutex_unlock(&intern_lock);
    return id;
}

static int sig_letter_type(char c)
{
    switch (c) {
    case 'i': return WASM_I32;
    case 'I': return WASM_I64;
    case 'f': return WASM_F32;
    case 'F': return WASM_F64;
    case 'r': return WASM_FUNCREF;
    case 'x': return WASM_EXTERNREF;
    default: return -1;
    }
}

/* "(iI)f" -> types = {i32, i64, f32}, np = 2, nr = 1.  Returns 0 or -1. */
int signature_parse(const char *sig, uint8_t *types, uint32_t cap, uint32_t *np, uint32_t *nr)
{
    if (!sig || *sig != '(')
        return -1;
    const char *p = sig + 1;
    uint32_t n = 0;
    for (; *p && *p != ')'; p++) {
        int t = sig_letter_type(*p);
        if (t < 0 || n == cap)
            return -1;
        types[n++] = (uint8_t)t;
    }
    if (*p != ')')
        return -1;
    *np = n;
    for (p++; *p; p++) {
        int t = sig_letter_type(*p);
        if (t < 0 || n == cap)
            return -1;
        types[n++] = (uint8_t)t;
    }
    *nr = n - *np;
    return 0;
}

const char *valtype_name(uint8_t t)
{
    switch (t) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_FUNCREF: return "funcref";
    case WASM_EXTERNREF: return "externref";
    default: return "unknown";
    }
}

/* "(func (param i32 i64) (result i32))", the text format's spelling. */
void functype_format(const func_type *t, char *buf, size_t len)
{
    size_t n = 0;
#define APPEND(...) \
    do { \
        int w_ = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
        if (w_ > 0) n += (size_t)w_; \
    } while (0)
    APPEND("(func");
    if (t->nparams) {
        APPEND(" (param");
        for (uint32_t i = 0; i < t->nparams; i++)
            APPEND(" %s", valtype_name(ft_params(t)[i]));
        APPEND(")");
    }
    if (t->nresults) {
        APPEND(" (result");
        for (uint32_t i = 0; i < t->nresults; i++)
            APPEND(" %s", valtype_name(ft_results(t)[i]));
        APPEND(")");
    }
    APPEND(")");
#undef APPEND
}
