/* probe.c: the probe imports, with which a guest picks, before it loads
 * an object, what the kernel under it can run (ring buffer or perf buffer,
 * tp_btf or raw_tp): docs/ABI.md section 4.
 *
 * Each answers 1 (yes), 0 (no: the kernel lacks it, or the run's policy
 * does not allow it, which wasm_bpf_last_error() then says) or a negative
 * errno: -EINVAL for a number the runtime does not know, -ENOTSUP for
 * what cannot be probed, -EPERM when the kernel refused the probe itself.
 * A probe loads a tiny program or creates a tiny map: the answers are kept
 * for the host's life, so that a guest asking in a loop costs nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PROBE_TYPES 64 /* program and map types kept (libbpf knows ~32 of each) */

/* an answer r (1, 0, -errno) stored as r - 2, never 0: 0 is "not asked" */
struct wb_probe_cache {
    int16_t prog_type[PROBE_TYPES], map_type[PROBE_TYPES], feature[WASM_BPF_FEATURES];
    int16_t helper[PROBE_TYPES][WB_HELPER_MAX];
};

/* the host's answers, allocated at the first probe; NULL: out of memory
 * (then nothing is kept) */
static struct wb_probe_cache *cache(wasm_bpf_host *host)
{
    if (!host->probes)
        host->probes = calloc(1, sizeof *host->probes);
    return host->probes;
}

/* The answer kept in *s, if one is (*s may be NULL) */
static bool kept(const int16_t *s, int *r)
{
    if (!s || !*s)
        return false;
    *r = *s + 2;
    return true;
}

static void keep(int16_t *s, int r)
{
    if (s)
        *s = (int16_t)(r - 2);
}

/* The guest's answer; says what was found through the print callback when verbose */
static int32_t answer(struct wb_instance *wi, const char *what, int r, const char *detail)
{
    if (wi->host->verbose)
        base_print(WASM_BPF_DEBUG, "wasm-bpf: probe %s: %d%s%s\n", what, r, *detail ? ", " : "",
                   detail);
    if (r < 0)
        return wasm_bpf__guest_errno(
            wasm_bpf__fail(wi, r, "probe %s: %s", what, *detail ? detail : strerror(-r)));
    if (r == 0) /* why, for wasm_bpf_last_error() */
        wasm_bpf__fail(wi, -ENOTSUP, "probe %s: %s", what,
                       *detail ? detail : "the kernel lacks it (probed before)");
    return r;
}

/* The guest's answer to arguments the runtime does not know: -EINVAL, saying why */
static int32_t invalid(struct wb_instance *wi, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int32_t invalid(struct wb_instance *wi, const char *what, const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return answer(wi, what, -EINVAL, detail);
}

/* The guest's answer to what the run's policy refuses: 0, the rule in
 * wasm_bpf_last_error() (the kernel is not asked) */
static int32_t refused(struct wb_instance *wi, const char *what, const char *thing,
                       const char *rule)
{
    wasm_bpf__fail(wi, -EPERM, "probe %s: %s is not allowed (%s)", what, thing, rule);
    return 0;
}

/* What a probe asks the kernel; the four imports differ only in checking
 * their arguments, the rest (cache, kernel, answer) is probe()'s */
enum probe_kind { PROBE_PROG_TYPE, PROBE_MAP_TYPE, PROBE_HELPER, PROBE_FEATURE };

/* The guest's answer to a question with arguments in range: the kept one,
 * else the kernel's, kept for the host's life */
static int32_t probe(struct wb_instance *wi, const char *what, enum probe_kind kind, int a, int b)
{
    struct wb_probe_cache *c = cache(wi->host);
    int16_t *s = NULL;
    if (c) {
        switch (kind) {
        case PROBE_PROG_TYPE: s = &c->prog_type[a]; break;
        case PROBE_MAP_TYPE: s = &c->map_type[a]; break;
        case PROBE_HELPER: s = &c->helper[a][b]; break;
        case PROBE_FEATURE: s = &c->feature[a]; break;
        }
    }
    char detail[256] = "";
    int r;
    if (kept(s, &r))
        return answer(wi, what, r, detail);
    switch (kind) {
    case PROBE_PROG_TYPE:
        r = wasm_bpf__probe_prog_type((enum bpf_prog_type)a, detail, sizeof detail);
        break;
    case PROBE_MAP_TYPE:
        r = wasm_bpf__probe_map_type((enum bpf_map_type)a, detail, sizeof detail);
        break;
    case PROBE_HELPER:
        r = wasm_bpf__probe_helper((enum bpf_prog_type)a, b, detail, sizeof detail);
        break;
    default: r = wasm_bpf__kernel_feature((enum wasm_bpf_feature)a, detail, sizeof detail);
    }
    keep(s, r);
    return answer(wi, what, r, detail);
}

/* The name of a program type the runtime knows and keeps answers for, or NULL */
static const char *prog_type_name(int type)
{
    return type > 0 && type < PROBE_TYPES ? libbpf_bpf_prog_type_str((enum bpf_prog_type)type)
                                          : NULL;
}

/* (i32 type) -> i32 */
wasm_status wasm_bpf__import_probe_prog_type(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    int type = args[0].i32;
    char what[64], thing[96];
    snprintf(what, sizeof what, "prog_type(%d)", type);
    const char *name = prog_type_name(type);
    const char *rule = name ? wasm_bpf__prog_type_refused(wi->host, name) : NULL;
    if (!name) {
        args[0].i32 = invalid(wi, what, "unknown program type %d", type);
    } else if (rule) {
        snprintf(thing, sizeof thing, "program type '%s'", name);
        args[0].i32 = refused(wi, what, thing, rule);
    } else {
        args[0].i32 = probe(wi, what, PROBE_PROG_TYPE, type, 0);
    }
    return WASM_OK;
}

/* (i32 type) -> i32 */
wasm_status wasm_bpf__import_probe_map_type(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    int type = args[0].i32;
    char what[64];
    snprintf(what, sizeof what, "map_type(%d)", type);
    bool known = type > 0 && type < PROBE_TYPES && libbpf_bpf_map_type_str((enum bpf_map_type)type);
    args[0].i32 = known ? probe(wi, what, PROBE_MAP_TYPE, type, 0)
                        : invalid(wi, what, "unknown map type %d", type);
    return WASM_OK;
}

/* (i32 prog_type, i32 helper) -> i32 */
wasm_status wasm_bpf__import_probe_helper(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    int type = args[0].i32, helper = args[1].i32;
    char what[64];
    snprintf(what, sizeof what, "helper(%d, %d)", type, helper);
    bool in_range = helper > 0 && helper < WB_HELPER_MAX;
    const char *concern = in_range ? wasm_bpf__helper_concern_by_id(helper) : NULL;
    const char *rule = concern ? wasm_bpf__helper_refused(wi->host, concern) : NULL;
    if (!prog_type_name(type))
        args[0].i32 = invalid(wi, what, "unknown program type %d", type);
    else if (!in_range)
        args[0].i32 =
            invalid(wi, what, "helper number %d out of range (1 to %d)", helper, WB_HELPER_MAX - 1);
    else if (rule)
        args[0].i32 = refused(wi, what, concern, rule);
    else
        args[0].i32 = probe(wi, what, PROBE_HELPER, type, helper);
    return WASM_OK;
}

/* (i32 feature) -> i32: enum wasm_bpf_feature's numbers */
wasm_status wasm_bpf__import_probe_feature(wasm_instance *inst, void *userdata, wasm_value *args)
{
    WB_INSTANCE_OR_NOMEM(wi, userdata, inst);
    int f = args[0].i32;
    char what[64];
    if (f >= 0 && f < WASM_BPF_FEATURES) {
        snprintf(what, sizeof what, "feature(%s)", wasm_bpf_feature_name((enum wasm_bpf_feature)f));
        args[0].i32 = probe(wi, what, PROBE_FEATURE, f, 0);
    } else {
        snprintf(what, sizeof what, "feature(%d)", f);
        args[0].i32 = invalid(wi, what, "unknown feature %d (0 to %d)", f, WASM_BPF_FEATURES - 1);
    }
    return WASM_OK;
}
