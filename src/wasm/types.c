/* types.c: canonical function type ids, signature strings, type names.
 *
 * call_indirect and imports compare function types structurally, across
 * modules.  Interning every type into a process-wide table turns that into
 * an integer compare in the interpreter.
 *
 * The table is an array of entries indexed by id, found through an open
 * addressing hash index (linear probing; a slot keeps the high hash bits,
 * so that a probe rarely touches an entry that does not match).  Every
 * module type and every linker function holds one reference on its entry;
 * an entry whose count drops to zero is freed and its id reused.  A module
 * of N types therefore costs O(N) to intern, and a process that loads and
 * frees modules for ever (the load fuzzer) does not grow. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NO_TYPE UINT32_MAX

typedef struct interned_type {
    uint64_t hash;
    uint8_t *types; /* params then results; NULL when the entry is free */
    uint32_t np, nr;
    uint32_t refs;
    uint32_t next_free;
} interned_type;

typedef struct index_slot {
    uint32_t id;  /* NO_TYPE: empty */
    uint32_t tag; /* the hash's high half */
} index_slot;

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static interned_type *interned; /* indexed by id */
static uint32_t interned_len;   /* entries ever used (live or free) */
static uint32_t interned_cap;
static uint32_t interned_live;
static uint32_t free_head = NO_TYPE;
static index_slot *slots; /* a power of two of them, at most half full */
static uint32_t nslots;

static uint64_t type_hash(const uint8_t *p, uint32_t np, const uint8_t *r, uint32_t nr)
{
    uint64_t h = 1469598103934665603ull ^ ((uint64_t)np << 32 | nr);
    for (uint32_t i = 0; i < np; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (uint32_t i = 0; i < nr; i++)
        h = (h ^ r[i]) * 1099511628211ull;
    /* fold the high bits in: slot indices take the low ones */
    return h ^ (h >> 29);
}

static uint32_t home_slot(uint64_t h)
{
    return (uint32_t)h & (nslots - 1);
}

static void index_insert(uint32_t id)
{
    uint64_t h = interned[id].hash;
    uint32_t i = home_slot(h);
    while (slots[i].id != NO_TYPE)
        i = (i + 1) & (nslots - 1);
    slots[i] = (index_slot){id, (uint32_t)(h >> 32)};
}

/* Makes room in the index for `more` live entries beyond the current
 * ones, keeping it at most half full so that probes stay short. */
static bool index_reserve(uint32_t more)
{
    uint64_t want = ((uint64_t)interned_live + more) * 2;
    if (nslots && want <= nslots)
        return true;
    uint64_t n = nslots ? nslots : 128;
    while (n < want)
        n *= 2;
    if (n > (1ull << 31))
        return false;
    index_slot *s = malloc((size_t)n * sizeof *s);
    if (!s)
        return false;
    free(slots);
    slots = s;
    nslots = (uint32_t)n;
    for (uint32_t i = 0; i < nslots; i++)
        slots[i].id = NO_TYPE;
    for (uint32_t id = 0; id < interned_len; id++)
        if (interned[id].types)
            index_insert(id);
    return true;
}

static bool entries_reserve(uint32_t more)
{
    uint64_t want = (uint64_t)interned_len + more;
    if (want <= interned_cap)
        return true;
    if (want >= NO_TYPE)
        return false;
    uint64_t cap = interned_cap ? interned_cap : 64;
    while (cap < want)
        cap *= 2;
    if (cap >= NO_TYPE)
        cap = NO_TYPE - 1;
    interned_type *n = realloc(interned, (size_t)cap * sizeof *n);
    if (!n)
        return false;
    interned = n;
    interned_cap = (uint32_t)cap;
    return true;
}

/* Room for `n` more distinct types, so that a module's type section grows
 * the tables once instead of doubling them step by step.  Returns false
 * when out of memory (interning may still succeed later). */
bool wasm__functype_reserve(uint32_t n)
{
    pthread_mutex_lock(&intern_lock);
    bool ok = entries_reserve(n) && index_reserve(n);
    pthread_mutex_unlock(&intern_lock);
    return ok;
}

/* Linear probing deletion: move later members of the probe run back into
 * the hole when their home slot allows it, so that no lookup stops early. */
static void index_remove(uint32_t id)
{
    uint32_t mask = nslots - 1;
    uint32_t i = home_slot(interned[id].hash);
    while (slots[i].id != id)
        i = (i + 1) & mask;
    for (uint32_t k = (i + 1) & mask; slots[k].id != NO_TYPE; k = (k + 1) & mask) {
        uint32_t home = home_slot(interned[slots[k].id].hash);
        bool stays = i <= k ? (home > i && home <= k) : (home > i || home <= k);
        if (!stays) {
            slots[i] = slots[k];
            i = k;
        }
    }
    slots[i].id = NO_TYPE;
}

static uint32_t entry_new(void)
{
    if (free_head != NO_TYPE) {
        uint32_t id = free_head;
        free_head = interned[id].next_free;
        return id;
    }
    return entries_reserve(1) ? interned_len++ : NO_TYPE;
}

/* Returns the canonical id holding one more reference (give it back with
 * wasm__functype_release), or UINT32_MAX when out of memory.  *interned_types (if
 * interned_types is not NULL) gets the entry's copy of the types, params
 * then results, valid while the reference is held. */
uint32_t wasm__functype_intern(const uint8_t *params, uint32_t np, const uint8_t *results,
                               uint32_t nr, const uint8_t **interned_types)
{
    uint64_t h = type_hash(params, np, results, nr);
    uint32_t id = NO_TYPE;
    pthread_mutex_lock(&intern_lock);
    for (uint32_t i = nslots ? home_slot(h) : 0; nslots && slots[i].id != NO_TYPE;
         i = (i + 1) & (nslots - 1)) {
        if (slots[i].tag != (uint32_t)(h >> 32))
            continue;
        interned_type *t = &interned[slots[i].id];
        if (t->hash == h && t->np == np && t->nr == nr && !memcmp(t->types, params, np) &&
            !memcmp(t->types + np, results, nr)) {
            if (t->refs < UINT32_MAX) {
                t->refs++;
                id = slots[i].id;
                if (interned_types)
                    *interned_types = t->types;
            }
            goto out;
        }
    }
    if (!index_reserve(1))
        goto out;
    uint8_t *copy = malloc((size_t)np + nr + 1);
    if (!copy)
        goto out;
    id = entry_new();
    if (id == NO_TYPE) {
        free(copy);
        goto out;
    }
    memcpy(copy, params, np);
    memcpy(copy + np, results, nr);
    interned[id] = (interned_type){.hash = h, .types = copy, .np = np, .nr = nr, .refs = 1};
    interned_live++;
    index_insert(id);
    if (interned_types)
        *interned_types = copy;
out:
    pthread_mutex_unlock(&intern_lock);
    return id;
}

/* Drops one reference taken by wasm__functype_intern; UINT32_MAX is ignored. */
void wasm__functype_release(uint32_t id)
{
    if (id == NO_TYPE)
        return;
    pthread_mutex_lock(&intern_lock);
    interned_type *t = &interned[id];
    if (--t->refs == 0) {
        index_remove(id);
        free(t->types);
        t->types = NULL;
        t->next_free = free_head;
        free_head = id;
        if (--interned_live == 0) {
            /* nothing holds a type: give the tables back */
            free(interned);
            free(slots);
            interned = NULL;
            slots = NULL;
            interned_len = interned_cap = nslots = 0;
            free_head = NO_TYPE;
        }
    }
    pthread_mutex_unlock(&intern_lock);
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
int wasm__signature_parse(const char *sig, uint8_t *types, uint32_t cap, uint32_t *np, uint32_t *nr)
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

const char *wasm__valtype_name(uint8_t t)
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
void wasm__functype_format(const func_type *t, char *buf, size_t len)
{
    size_t n = 0;
#define APPEND(...)                                                     \
    do {                                                                \
        int w_ = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
        if (w_ > 0)                                                     \
            n += (size_t)w_;                                            \
    } while (0)
    APPEND("(func");
    if (t->nparams) {
        APPEND(" (param");
        for (uint32_t i = 0; i < t->nparams; i++)
            APPEND(" %s", wasm__valtype_name(ft_params(t)[i]));
        APPEND(")");
    }
    if (t->nresults) {
        APPEND(" (result");
        for (uint32_t i = 0; i < t->nresults; i++)
            APPEND(" %s", wasm__valtype_name(ft_results(t)[i]));
        APPEND(")");
    }
    APPEND(")");
#undef APPEND
}
