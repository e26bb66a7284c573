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
        return wasm_bpf__guest_errno(wasm_bpf__fail(wi, r, "probe %s: %s", what, *detail ? detail : strerror(-r)));
    if (r == 0) /* why, for wasm_bpf_last_error() */
        wasm_bpf__fail(wi, -ENOTSUP, "probe %s: %s", what,
                       *detail ? detail : "the kernel lacks it (probed before)");
    return r;
}

/* (i32 type) -> i32 */
wasm_status wasm_bpf__import_probe_prog_type(wasm_instance *inst, void *userdata, wasm_value *args)
{
    wasm_bpf_host *host = userdata;
    struct wb_instance *wi = wasm_bpf__instance_of(host, inst);
    if (!wi)
        return wasm_trap_host(inst, "wasm-bpf: out of memory");
    int type = args[0].i32;
    char detail[256] = "", what[64];
    snprintf(what, sizeof what, "prog_type(%d)", type);
    const char *name = type > 0 ? libbpf_bpf_prog_type_str((enum bpf_prog_type)type) : NULL;
    if (!name || type >= PROBE_TYPES) {
        snprintf(detail, sizeof detail, "unknown program type %d", type);
        args[0].i32 = answer(wi, what, -EINVAL, detail);
        return WASM_OK;
    }
    const char *rule = wasm_bpf__prog_type_refused(host, name);
    if (rule) {
        wasm_bpf__fail(wi, -EPERM, "probe prog_type(%d): program type '%s' is not allowed (%s)",
                       type, name, rule);
        args[0].i32 = 0;
        return WASM_OK;
    }
    struct wb_probe_cache *c = cache(host);
    int16_t *s = c ? &c->prog_type[type] : NULL;
    int r;
    if (!kept(s, &r))
        keep(s, r = wasm_bpf__probe_prog_type((enum bpf_prog_type)type, detail, sizeof detail));
    args[0].i32 = answer(wi, what, r, detail);
    return WASM_OK;
}

/* (i32 type) -> i32 */
wasm_status wasm_bpf__import_probe_map_type(wasm_instance *inst, void *userdata, wasm_value *args)
{
    wasm_bpf_host *host = userdata;
    struct wb_instance *wi = wasm_bpf__instance_of(host, inst);
    if (!wi)
        return wasm_trap_host(inst, "wasm-bpf: out of memory");
    int type = args[0].i32;
    char detail[256] = "", what[64];
    snprintf(what, sizeof what, "map_type(%d)", type);
    if (type <= 0 || type >= PROBE_TYPES || !libbpf_bpf_map_type_str((enum bpf_map_type)type)) {
        snprintf(detail, sizeof detail, "unknown map type %d", type);
        args[0].i32 = answer(wi, what, -EINVAL, detail);
        return WASM_OK;
    }
    struct wb_probe_cache *c = cache(host);
    int16_t *s = c ? &c->map_type[type] : NULL;
    int r;
    if (!kept(s, &r))
        keep(s, r = wasm_bpf__probe_map_type((enum bpf_map_type)type, detail, sizeof detail));
    args[0].i32 = answer(wi, what, r, detail);
    return WASM_OK;
}

/* (i32 prog_type, i32 helper) -> i32 */
wasm_status wasm_bpf__import_probe_helper(wasm_instance *inst, void *userdata, wasm_value *args)
{
    wasm_bpf_host *host = userdata;
    struct wb_instance *wi = wasm_bpf__instance_of(host, inst);
    if (!wi)
        return wasm_trap_host(inst, "wasm-bpf: out of memory");
    int type = args[0].i32, helper = args[1].i32;
    char detail[256] = "", what[64];
    snprintf(what, sizeof what, "helper(%d, %d)", type, helper);
    if (type <= 0 || type >= PROBE_TYPES || !libbpf_bpf_prog_type_str((enum bpf_prog_type)type)) {
        snprintf(detail, sizeof detail, "unknown program type %d", type);
        args[0].i32 = answer(wi, what, -EINVAL, detail);
        return WASM_OK;
    }
    if (helper <= 0 || helper >= WB_HELPER_MAX) {
        snprintf(detail, sizeof detail, "helper number %d out of range (1 to %d)", helper,
                 WB_HELPER_MAX - 1);
        args[0].i32 = answer(wi, what, -EINVAL, detail);
        return WASM_OK;
    }
    const char *concern = wasm_bpf__helper_concern_by_id(helper);
    const char *rule = concern ? wasm_bpf__helper_refused(host, concern) : NULL;
    if (rule) {
        wasm_bpf__fail(wi, -EPERM, "probe helper(%d, %d): %s is not allowed (%s)", type, helper,
                       concern, rule);
        args[0].i32 = 0;
        return WASM_OK;
    }
    struct wb_probe_cache *c = cache(host);
    int16_t *s = c ? &c->helper[type][helper] : NULL;
    int r;
    if (!kept(s, &r))
        keep(s, r = wasm_bpf__probe_helper((enum bpf_prog_type)type, helper, detail, sizeof detail));
    args[0].i32 = answer(wi, what, r, detail);
    return WASM_OK;
}

/* (i32 feature) -> i32: enum wasm_bpf_feature's numbers */
wasm_status wasm_bpf__import_probe_feature(wasm_instance *inst, void *userdata, wasm_value *args)
{
    wasm_bpf_host *host = userdata;
    struct wb_instance *wi = wasm_bpf__instance_of(host, inst);
    if (!wi)
        return wasm_trap_host(inst, "wasm-bpf: out of memory");
    int f = args[0].i32;
    char detail[256] = "", what[64];
    snprintf(what, sizeof what, "feature(%d)", f);
    if (f < 0 || f >= WASM_BPF_FEATURES) {
        snprintf(detail, sizeof detail, "unknown feature %d (0 to %d)", f, WASM_BPF_FEATURES - 1);
        args[0].i32 = answer(wi, what, -EINVAL, detail);
        return WASM_OK;
    }
    snprintf(what, sizeof what, "feature(%s)", wasm_bpf_feature_name((enum wasm_bpf_feature)f));
    struct wb_probe_cache *c = cache(host);
    int16_t *s = c ? &c->feature[f] : NULL;
    int r;
    if (!kept(s, &r))
        keep(s, r = wasm_bpf__kernel_feature((enum wasm_bpf_feature)f, detail, sizeof detail));
    args[0].i32 = answer(wi, what, r, detail);
    return WASM_OK;
}
