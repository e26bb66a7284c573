/* manifest.c: building and reading manifests and image indexes.
 *
 * Three layouts carry a Wasm module (research/oci.md section 2):
 *   wasm-bpf  what ecli and wasm-to-oci read and write: config `{}` typed
 *             application/vnd.wasm.config.v1+json, one layer
 *             application/vnd.wasm.content.layer.v1+wasm (our default);
 *   cncf      the CNCF TAG-Runtime artifact: config v0 with architecture
 *             "wasm", os "wasip1", layerDigests; layer application/wasm;
 *   oras      an OCI 1.1 artifact: the empty config, artifactType, layer
 *             application/wasm.
 * Reading is lenient (any manifest with a wasm layer, docker types too,
 * indexes) but strict about structure: every descriptor needs a media
 * type, a sha256 digest and a sane size, or the manifest is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oci_internal.h"

#define MAX_DESCRIPTORS 1000

const char *oci_format_name(enum oci_format f)
{
    switch (f) {
    case OCI_FORMAT_WASM_BPF: return "wasm-bpf";
    case OCI_FORMAT_CNCF: return "cncf";
    case OCI_FORMAT_ORAS: return "oras";
    default: return "other";
    }
}

int oci_format_parse(const char *name, enum oci_format *out)
{
    if (!strcmp(name, "wasm-bpf") || !strcmp(name, "ecli") || !strcmp(name, "wasm-to-oci"))
        *out = OCI_FORMAT_WASM_BPF;
    else if (!strcmp(name, "cncf"))
        *out = OCI_FORMAT_CNCF;
    else if (!strcmp(name, "oras"))
        *out = OCI_FORMAT_ORAS;
    else
        return -1;
    return 0;
}

/* Media type without parameters, into a static buffer. */
static const char *bare_media_type(const char *ct)
{
    static char buf[256];
    if (!ct)
        return NULL;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, ct, n);
    buf[n] = '\0';
    return buf;
}

static int parse_descriptor(json_t *j, const char *where, struct descriptor *d)
{
    memset(d, 0, sizeof *d);
    if (!json_is_object(j))
        return oci_fail("%s is not a JSON object", where);
    d->media_type = json_string_value(json_object_get(j, "mediaType"));
    if (!d->media_type || !*d->media_type)
        return oci_fail("%s has no mediaType", where);
    const char *digest = json_string_value(json_object_get(j, "digest"));
    if (!digest)
        return oci_fail("%s has no digest", where);
    if (!oci__digest_valid(digest)) {
        if (strncmp(digest, "sha256:", 7) && strchr(digest, ':'))
            return oci_fail(
                "%s uses an unsupported digest algorithm (%.20s...): only sha256 is supported",
                where, digest);
        return oci_fail("%s has an invalid digest", where);
    }
    snprintf(d->digest, sizeof d->digest, "%s", digest);
    json_t *size = json_object_get(j, "size");
    if (!json_is_integer(size) || json_integer_value(size) < 0 ||
        (uint64_t)json_integer_value(size) > MAX_MODULE_SIZE)
        return oci_fail("%s has an invalid size", where);
    d->size = (uint64_t)json_integer_value(size);
    json_t *ann = json_object_get(j, "annotations");
    if (ann && !json_is_object(ann))
        return oci_fail("%s has annotations that are not an object", where);
    d->title = json_string_value(json_object_get(ann, ANN_TITLE));
    d->artifact_type = json_string_value(json_object_get(j, "artifactType"));
    json_t *platform = json_object_get(j, "platform");
    if (json_is_object(platform)) {
        d->os = json_string_value(json_object_get(platform, "os"));
        d->arch = json_string_value(json_object_get(platform, "architecture"));
        d->variant = json_string_value(json_object_get(platform, "variant"));
    }
    return 0;
}

static bool is_index_type(const char *mt)
{
    return mt && (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST));
}

static bool is_manifest_type(const char *mt)
{
    return mt && (!strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_DOCKER_MANIFEST));
}

int oci__manifest_parse(const char *data, size_t len, const char *content_type, struct manifest *m)
{
    memset(m, 0, sizeof *m);
    json_error_t err;
    m->root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!m->root)
        return oci_fail("the manifest is not valid JSON (line %d: %s)", err.line, err.text);
    if (!json_is_object(m->root)) {
        oci__manifest_free(m);
        return oci_fail("the manifest is not a JSON object");
    }
    json_t *sv = json_object_get(m->root, "schemaVersion");
    if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
        oci_fail("the manifest has schemaVersion %s, only 2 is supported",
                 json_is_integer(sv)
                     ? (json_integer_value(sv) == 1 ? "1 (docker schema 1)" : "other than 2")
                     : "missing");
        oci__manifest_free(m);
        return -1;
    }
    const char *declared = json_string_value(json_object_get(m->root, "mediaType"));
    const char *ct = bare_media_type(content_type);
    /* the body's own mediaType wins; the Content-Type is a fallback */
    const char *mt = declared ? declared : (is_index_type(ct) || is_manifest_type(ct) ? ct : NULL);
    json_t *layers = json_object_get(m->root, "layers");
    json_t *manifests = json_object_get(m->root, "manifests");
    if (mt) {
        if (is_index_type(mt)) {
            m->is_index = true;
        } else if (!is_manifest_type(mt)) {
            oci_fail("unsupported manifest type \"%.100s\"", mt);
            oci__manifest_free(m);
            return -1;
        }
    } else {
        m->is_index = manifests && !layers;
    }
    m->media_type = m->is_index
                        ? (declared && is_index_type(declared) ? declared : MT_OCI_INDEX)
                        : (declared && is_manifest_type(declared) ? declared : MT_OCI_MANIFEST);
    m->artifact_type = json_string_value(json_object_get(m->root, "artifactType"));

    json_t *list = m->is_index ? manifests : layers;
    const char *what = m->is_index ? "manifests" : "layers";
    if (!json_is_array(list)) {
        oci_fail("the %s has no \"%s\" array", m->is_index ? "image index" : "manifest", what);
        oci__manifest_free(m);
        return -1;
    }
    if (json_array_size(list) > MAX_DESCRIPTORS) {
        oci__manifest_free(m);
        return oci_fail("the manifest lists more than %d %s", MAX_DESCRIPTORS, what);
    }
    if (!m->is_index && parse_descriptor(json_object_get(m->root, "config"),
                                         "the manifest's config descriptor", &m->config) < 0) {
        oci__manifest_free(m);
        return -1;
    }
    m->n_layers = json_array_size(list);
    m->layers = base_calloc(m->n_layers, sizeof *m->layers);
    if (!m->layers) {
        oci__manifest_free(m);
        return oci_fail_nomem();
    }
    for (size_t i = 0; i < m->n_layers; i++) {
        char where[64];
        snprintf(where, sizeof where, "%s[%zu]", what, i);
        if (parse_descriptor(json_array_get(list, i), where, &m->layers[i]) < 0) {
            oci_error_context("invalid %s", m->is_index ? "image index" : "manifest");
            oci__manifest_free(m);
            return -1;
        }
    }
    return 0;
}

void oci__manifest_free(struct manifest *m)
{
    json_decref(m->root);
    free(m->layers);
    memset(m, 0, sizeof *m);
}

int oci__manifest_module_layer(const struct manifest *m)
{
    for (size_t i = 0; i < m->n_layers; i++)
        if (!strcmp(m->layers[i].media_type, MT_WASM_LAYER_V1) ||
            !strcmp(m->layers[i].media_type, MT_WASM))
            return (int)i;
    for (size_t i = 0; i < m->n_layers; i++)
        if (m->layers[i].title && oci__str_ends_with(m->layers[i].title, ".wasm"))
            return (int)i;
    char types[5 * 104 + 1] = ""; /* the first five, each cut to 100 */
    for (size_t i = 0, n = 0; i < m->n_layers && i < 5; i++)
        n += (size_t)snprintf(types + n, sizeof types - n, "%s%.100s", i ? ", " : "",
                              m->layers[i].media_type);
    if (m->n_layers == 0)
        oci_fail("the manifest has no layers, so no Wasm module");
    else
        oci_fail("no layer of the manifest holds a Wasm module (expected %s or %s; found %s)",
                 MT_WASM_LAYER_V1, MT_WASM, types);
    oci_set_hint_action(OCI_HINT_INSPECT, NULL, "this does not look like a wasm-bpf module; ");
    return -1;
}

enum oci_format oci__manifest_format(const struct manifest *m)
{
    const char *ct = m->config.media_type;
    if (!ct)
        return OCI_FORMAT_UNKNOWN;
    if (!strcmp(ct, MT_WASM_CONFIG_V1))
        return OCI_FORMAT_WASM_BPF;
    if (!strcmp(ct, MT_WASM_CONFIG_V0))
        return OCI_FORMAT_CNCF;
    if (!strcmp(ct, MT_OCI_EMPTY) && m->artifact_type)
        return OCI_FORMAT_ORAS;
    return OCI_FORMAT_UNKNOWN;
}

/* The running architecture in Go's naming, as image indexes use it. */
static const char *host_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__i386__)
    return "386";
#elif defined(__arm__)
    return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#elif defined(__s390x__)
    return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return "ppc64le";
#else
    return "unknown";
#endif
}

static bool str_eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

int oci__index_select(const struct manifest *idx, const char *platform)
{
    if (idx->n_layers == 0)
        return oci_fail("the image index lists no manifests");
    int found = -1;
    if (platform) {
        char os[64] = "", arch[64] = "", variant[64] = "";
        sscanf(platform, "%63[^/]/%63[^/]/%63s", os, arch, variant);
        for (size_t i = 0; i < idx->n_layers && found < 0; i++) {
            const struct descriptor *d = &idx->layers[i];
            if (str_eq(d->os, os) && str_eq(d->arch, arch) &&
                (!variant[0] || str_eq(d->variant, variant)))
                found = (int)i;
        }
    } else {
        /* a Wasm module is the natural entry; then what this machine runs */
        for (size_t i = 0; i < idx->n_layers && found < 0; i++)
            if (str_eq(idx->layers[i].arch, "wasm"))
                found = (int)i;
        for (size_t i = 0; i < idx->n_layers && found < 0; i++)
            if (str_eq(idx->layers[i].os, "linux") && str_eq(idx->layers[i].arch, host_arch()))
                found = (int)i;
        if (found < 0 && idx->n_layers == 1)
            found = 0;
    }
    if (found < 0) {
        char have[10 * 96 + 1] = ""; /* the first ten, each part cut to 30 */
        for (size_t i = 0, n = 0; i < idx->n_layers && i < 10; i++) {
            const struct descriptor *d = &idx->layers[i];
            n += (size_t)snprintf(have + n, sizeof have - n, "%s%.30s/%.30s%s%.30s", i ? ", " : "",
                                  d->os ? d->os : "?", d->arch ? d->arch : "?",
                                  d->variant ? "/" : "", d->variant ? d->variant : "");
        }
        if (platform)
            oci_fail("no entry of the image index is for platform %s (it has: %s)", platform, have);
        else
            oci_fail("no entry of the image index is for wasm or linux/%s (it has: %s)",
                     host_arch(), have);
        oci_set_hint_action(OCI_HINT_PLATFORM, NULL, "%s", "");
        return -1;
    }
    const struct descriptor *d = &idx->layers[found];
    if (is_index_type(d->media_type))
        return oci_fail(
            "the chosen entry of the image index is itself an index, which is not supported");
    if (!is_manifest_type(d->media_type))
        return oci_fail("the chosen entry of the image index has an unsupported type \"%.100s\"",
                        d->media_type);
    if (d->size > MAX_MANIFEST_SIZE)
        return oci_fail("the chosen entry of the image index is larger than %u bytes",
                        MAX_MANIFEST_SIZE);
    return found;
}

/* ---- building ---- */

static json_t *descriptor_json(const char *media_type, const char *digest, uint64_t size)
{
    return json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", digest, "size",
                     (json_int_t)size);
}

static void rfc3339(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int oci__manifest_build(const struct oci_push_options *po, const char *module_title,
                        const char *module_digest, uint64_t module_size, int64_t created,
                        struct push_blobs *out)
{
    memset(out, 0, sizeof *out);
    const char *layer_type = po->format == OCI_FORMAT_WASM_BPF ? MT_WASM_LAYER_V1 : MT_WASM;

    /* config */
    switch (po->format) {
    case OCI_FORMAT_CNCF: {
        char when[32];
        rfc3339(created, when);
        json_t *cfg = json_pack("{s:s, s:s, s:s, s:[s]}", "architecture", "wasm", "os", "wasip1",
                                "created", when, "layerDigests", module_digest);
        out->config = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(cfg);
        out->config_media_type = MT_WASM_CONFIG_V0;
        break;
    }
    case OCI_FORMAT_ORAS:
        out->config = base_strdup("{}");
        out->config_media_type = MT_OCI_EMPTY;
        break;
    default:
        out->config = base_strdup("{}");
        out->config_media_type = MT_WASM_CONFIG_V1;
        break;
    }
    if (!out->config) { /* json_dumps too: out of memory */
        oci__push_blobs_free(out);
        return oci_fail_nomem();
    }
    out->config_len = strlen(out->config);
    if (oci__sha256_bytes(out->config, out->config_len, out->config_digest) < 0) {
        oci__push_blobs_free(out);
        return -1;
    }

    /* manifest */
    json_t *config = descriptor_json(out->config_media_type, out->config_digest, out->config_len);
    if (po->format == OCI_FORMAT_ORAS)
        json_object_set_new(config, "data", json_string("e30=")); /* base64 of {} */
    json_t *layer = descriptor_json(layer_type, module_digest, module_size);
    json_object_set_new(layer, "annotations", json_pack("{s:s}", ANN_TITLE, module_title));
    json_t *ann = json_object();
    for (size_t i = 0; i < po->n_annotations; i++)
        json_object_set_new(ann, po->annotations[i].key, json_string(po->annotations[i].value));
    if (!json_object_get(ann, ANN_TITLE))
        json_object_set_new(ann, ANN_TITLE, json_string(module_title));
    json_t *m = json_pack("{s:i, s:s, s:o, s:[o], s:o}", "schemaVersion", 2, "mediaType",
                          MT_OCI_MANIFEST, "config", config, "layers", layer, "annotations", ann);
    if (po->format == OCI_FORMAT_ORAS)
        json_object_set_new(m, "artifactType", json_string(MT_WASM));
    /* sorted keys, no blanks: the canonical form ecli also produces */
    out->manifest = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(m);
    if (!out->manifest || !out->config) {
        oci__push_blobs_free(out);
        return oci_fail("cannot serialise the manifest (are the annotations valid UTF-8?)");
    }
    out->manifest_len = strlen(out->manifest);
    if (oci__sha256_bytes(out->manifest, out->manifest_len, out->manifest_digest) < 0) {
        oci__push_blobs_free(out);
        return -1;
    }
    return 0;
}

void oci__push_blobs_free(struct push_blobs *b)
{
    free(b->config);
    free(b->manifest);
    memset(b, 0, sizeof *b);
}
