/* sigformat.c: the signature formats, without the registry.
 *
 * Simple signing (containers-signature(5), as cosign uses it): the payload
 *   {"critical":{"identity":{"docker-reference":REF},
 *                "image":{"docker-manifest-digest":DIGEST},
 *                "type":"cosign container image signature"},
 *    "optional":{...}}
 * is a blob; a signature manifest tagged sha256-<hex>.sig lists one layer
 * per signature (media type ...cosign.simplesigning.v1+json, annotation
 * dev.cosignproject.cosign/signature = base64 DER ECDSA over the payload
 * bytes), its config an image config whose rootfs.diff_ids are the
 * payload digests (what cosign writes).
 *
 * Sigstore bundle v0.3 (cosign v3): {"mediaType":..bundle.v0.3+json,
 * "verificationMaterial":{"publicKey":{"hint":..}},"dsseEnvelope":{
 * "payload":B64(statement),"payloadType":"application/vnd.in-toto+json",
 * "signatures":[{"sig":B64}]}} where the statement is an in-toto v1
 * Statement whose subject carries the manifest digest and whose
 * predicateType is https://sigstore.dev/cosign/sign/v1 (an image
 * signature; attestations of other predicates are not approvals).  The
 * DSSE signature covers PAE(payloadType, payload). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust_internal.h"

/* The first key of object O that is not in ALLOWED (a NULL-terminated
 * list), or NULL when all are; policy.c words its own error around it. */
const char *oci__json_unknown_key(json_t *o, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            ok |= !strcmp(key, allowed[i]);
        if (!ok)
            return key;
    }
    return NULL;
}

/* The one way every document of this file is read: at most MAX bytes,
 * duplicate keys refused (two readers could each see another value), a
 * JSON object; NULL with the error naming WHAT otherwise. */
static json_t *load_object(const char *what, const char *data, size_t len, size_t max)
{
    if (len > max) {
        oci_fail("%s larger than %zu bytes", what, max);
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(j)) {
        oci_fail("%s is not a JSON object%s%s", what, j ? "" : ": ", j ? "" : err.text);
        json_decref(j);
        return NULL;
    }
    return j;
}

static char *dump_compact(json_t *j, size_t *len)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (!s) {
        oci_fail("cannot build JSON (out of memory)");
        return NULL;
    }
    if (len)
        *len = strlen(s);
    return s;
}

/* ---- simple signing ---- */

char *oci__simplesigning_build(const char *docker_reference, const char *manifest_digest,
                               size_t *len)
{
    json_t *j =
        json_pack("{s:{s:{s:s},s:{s:s},s:s},s:{s:s}}", "critical", "identity", "docker-reference",
                  docker_reference, "image", "docker-manifest-digest", manifest_digest, "type",
                  COSIGN_SIGNATURE_TYPE, "optional", "creator", "wasm-bpf");
    return dump_compact(j, len);
}

/* The objects of a simple-signing payload and the members each may have:
 * nothing beyond what cosign and containers-signature(5) write, so two
 * readers cannot take different meanings from one signed payload. */
static const char *const payload_top_keys[] = {"critical", "optional", NULL};
static const char *const payload_critical_keys[] = {"identity", "image", "type", NULL};
static const char *const payload_identity_keys[] = {"docker-reference", NULL};
static const char *const payload_image_keys[] = {"docker-manifest-digest", NULL};
static const struct {
    const char *parent, *name; /* the object: parent.name (NULL: the payload itself) */
    const char *const *keys;
} payload_objects[] = {
    {NULL, NULL, payload_top_keys},
    {NULL, "critical", payload_critical_keys},
    {"critical", "identity", payload_identity_keys},
    {"critical", "image", payload_image_keys},
};

int oci__simplesigning_parse(const char *data, size_t len, struct simplesigning *out)
{
    memset(out, 0, sizeof *out);
    json_t *j = load_object("signature payload", data, len, MAX_PAYLOAD_SIZE);
    if (!j)
        return -1;
    int rc = -1;
    for (size_t i = 0; i < sizeof payload_objects / sizeof payload_objects[0]; i++) {
        const char *parent = payload_objects[i].parent, *name = payload_objects[i].name;
        json_t *o = parent ? json_object_get(json_object_get(j, parent), name)
                    : name ? json_object_get(j, name)
                           : j;
        const char *extra;
        if (!json_is_object(o)) {
            oci_fail("signature payload: %s%s%s is missing or not an object", parent ? parent : "",
                     parent ? "." : "", name ? name : "the top level");
            goto out;
        }
        if ((extra = oci__json_unknown_key(o, payload_objects[i].keys))) {
            oci_fail("signature payload: %s%s%s has an unknown member \"%.40s\"",
                     parent ? parent : "", parent ? "." : "", name ? name : "the top level", extra);
            goto out;
        }
    }
    json_t *optional = json_object_get(j, "optional");
    if (optional && !json_is_object(optional) && !json_is_null(optional)) {
        oci_fail("signature payload: \"optional\" is not an object");
        goto out;
    }
    json_t *critical = json_object_get(j, "critical");
    const char *type = json_string_value(json_object_get(critical, "type"));
    if (!type || strcmp(type, COSIGN_SIGNATURE_TYPE)) {
        oci_fail("signature payload: critical.type is not \"%s\"", COSIGN_SIGNATURE_TYPE);
        goto out;
    }
    json_t *identity = json_object_get(critical, "identity"),
           *image = json_object_get(critical, "image");
    const char *ref = json_string_value(json_object_get(identity, "docker-reference"));
    const char *digest = json_string_value(json_object_get(image, "docker-manifest-digest"));
    if (!ref || strlen(ref) > 1024) {
        oci_fail("signature payload: critical.identity.docker-reference is missing or too long");
        goto out;
    }
    if (!digest || !oci__digest_valid(digest)) {
        oci_fail(
            "signature payload: critical.image.docker-manifest-digest is missing or not a sha256 digest");
        goto out;
    }
    snprintf(out->digest, sizeof out->digest, "%s", digest);
    if (!(out->docker_reference = base_strdup(ref))) {
        oci_fail_nomem();
        goto out;
    }
    rc = 0;
out:
    json_decref(j);
    return rc;
}

void oci__simplesigning_free(struct simplesigning *s)
{
    free(s->docker_reference);
    s->docker_reference = NULL;
}

/* ---- cosign signature manifests ---- */

char *oci__sigmanifest_config(const char *const *payload_digests, size_t n, size_t *len)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, json_string(payload_digests[i]));
    json_t *j = json_pack("{s:s,s:s,s:[{s:s}],s:s,s:{s:s,s:o},s:{}}", "architecture", "", "created",
                          "0001-01-01T00:00:00Z", "history", "created", "0001-01-01T00:00:00Z",
                          "os", "", "rootfs", "type", "layers", "diff_ids", ids, "config");
    return dump_compact(j, len);
}

int oci__sigmanifest_parse(const char *data, size_t len, struct sigmanifest *out)
{
    memset(out, 0, sizeof *out);
    json_t *j = load_object("signature manifest", data, len, MAX_MANIFEST_SIZE);
    if (!j)
        return -1;
    json_t *layers = json_object_get(j, "layers");
    if (!json_is_array(layers)) {
        json_decref(j);
        return oci_fail("signature manifest has no layers array");
    }
    if (json_array_size(layers) > MAX_SIGNATURES) {
        json_decref(j);
        return oci_fail("signature manifest has %zu layers, more than the %d looked at",
                        json_array_size(layers), MAX_SIGNATURES);
    }
    if (!(out->layers = base_calloc(json_array_size(layers) + 1, sizeof *out->layers))) {
        json_decref(j);
        return oci_fail_nomem();
    }
    out->root = j;
    size_t i;
    json_t *l;
    json_array_foreach(layers, i, l)
    {
        const char *mt = json_string_value(json_object_get(l, "mediaType"));
        const char *digest = json_string_value(json_object_get(l, "digest"));
        json_t *size = json_object_get(l, "size");
        if (!mt || strcmp(mt, MT_SIMPLESIGNING))
            continue; /* not a signature: other tools may add layers */
        if (!digest || !oci__digest_valid(digest) || !json_is_integer(size) ||
            json_integer_value(size) < 0 || json_integer_value(size) > MAX_PAYLOAD_SIZE)
            continue; /* unusable: counted as no signature */
        struct sig_layer *s = &out->layers[out->n++];
        snprintf(s->digest, sizeof s->digest, "%s", digest);
        s->size = (uint64_t)json_integer_value(size);
        const char *sig = json_string_value(
            json_object_get(json_object_get(l, "annotations"), ANN_COSIGN_SIGNATURE));
        if (sig && strlen(sig) <= MAX_SIGNATURE_B64 && !(s->signature = base_strdup(sig))) {
            oci__sigmanifest_free(out);
            return oci_fail_nomem();
        }
    }
    return 0;
}

void oci__sigmanifest_free(struct sigmanifest *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->layers[i].signature);
    free(s->layers);
    json_decref(s->root);
    memset(s, 0, sizeof *s);
}

char *oci__sigmanifest_build(const struct sig_layer *layers, size_t n, const char *config_digest,
                             uint64_t config_size, size_t *len)
{
    json_t *ls = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *ann = json_object();
        if (layers[i].signature)
            json_object_set_new(ann, ANN_COSIGN_SIGNATURE, json_string(layers[i].signature));
        json_array_append_new(ls, json_pack("{s:s,s:I,s:s,s:o}", "mediaType", MT_SIMPLESIGNING,
                                            "size", (json_int_t)layers[i].size, "digest",
                                            layers[i].digest, "annotations", ann));
    }
    json_t *j = json_pack("{s:i,s:s,s:{s:s,s:I,s:s},s:o}", "schemaVersion", 2, "mediaType",
                          MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_IMAGE_CONFIG, "size",
                          (json_int_t)config_size, "digest", config_digest, "layers", ls);
    return dump_compact(j, len);
}

/* ---- Sigstore bundles ---- */

char *oci__intoto_statement_build(const char *name, const char *manifest_digest, size_t *len)
{
    json_t *j = json_pack("{s:s,s:[{s:s,s:{s:s}}],s:s,s:{}}", "_type", INTOTO_STATEMENT_V1,
                          "subject", "name", name, "digest", "sha256", manifest_digest + 7,
                          "predicateType", COSIGN_SIGN_PREDICATE, "predicate");
    return dump_compact(j, len);
}

char *oci__dsse_pae(const char *payload_type, const char *payload, size_t payload_len, size_t *len)
{
    struct base_buf b = {0};
    base_buf_printf(&b, "DSSEv1 %zu %s %zu ", strlen(payload_type), payload_type, payload_len);
    base_buf_append(&b, payload, payload_len);
    char *pae = base_buf_take(&b, len);
    if (!pae)
        oci_fail_nomem();
    return pae;
}

char *oci__bundle_build(const struct oci_signing_key *k, const char *name,
                        const char *manifest_digest, size_t *len)
{
    size_t slen, plen;
    char *statement = oci__intoto_statement_build(name, manifest_digest, &slen);
    if (!statement)
        return NULL;
    char *pae = oci__dsse_pae(MT_INTOTO, statement, slen, &plen);
    char *sig = pae ? oci__key_sign_base64(k, pae, plen) : NULL;
    free(pae);
    if (!sig) {
        free(statement);
        return NULL;
    }
    struct oci_public_key *pub = oci_signing_key_public(k);
    char *payload = oci__base64_encode(statement, slen);
    free(statement);
    if (!payload) {
        oci_public_key_free(pub);
        free(sig);
        oci_fail_nomem();
        return NULL;
    }
    json_t *j = json_pack("{s:s,s:{s:{s:s},s:[]},s:{s:s,s:s,s:[{s:s,s:s}]}}", "mediaType",
                          MT_SIGSTORE_BUNDLE, "verificationMaterial", "publicKey", "hint",
                          pub ? pub->fingerprint : "", "tlogEntries", "dsseEnvelope", "payload",
                          payload, "payloadType", MT_INTOTO, "signatures", "sig", sig, "keyid", "");
    oci_public_key_free(pub);
    free(payload);
    free(sig);
    return dump_compact(j, len);
}

int oci__bundle_parse(const char *data, size_t len, struct bundle *out)
{
    memset(out, 0, sizeof *out);
    json_t *j = load_object("bundle", data, len, MAX_PAYLOAD_SIZE), *st = NULL;
    if (!j)
        return -1;
    json_error_t err;
    int rc = -1;
    const char *mt = json_string_value(json_object_get(j, "mediaType"));
    if (!mt || !oci__str_starts_with(mt, "application/vnd.dev.sigstore.bundle")) {
        oci_fail("bundle media type is not a Sigstore bundle's");
        goto out;
    }
    json_t *env = json_object_get(j, "dsseEnvelope");
    if (!json_is_object(env)) {
        oci_fail(
            "bundle has no DSSE envelope (a message signature bundle does not name an image digest)");
        goto out;
    }
    const char *ptype = json_string_value(json_object_get(env, "payloadType"));
    const char *payload = json_string_value(json_object_get(env, "payload"));
    json_t *sigs = json_object_get(env, "signatures");
    if (!ptype || strcmp(ptype, MT_INTOTO)) {
        oci_fail("bundle payload type is not %s", MT_INTOTO);
        goto out;
    }
    if (!payload || strlen(payload) > MAX_PAYLOAD_SIZE) {
        oci_fail("bundle payload is missing or too large");
        goto out;
    }
    if (!json_is_array(sigs) || json_array_size(sigs) == 0 ||
        json_array_size(sigs) > MAX_SIGNATURES) {
        oci_fail("bundle has no signatures, or too many");
        goto out;
    }
    out->payload = oci__base64_decode(payload, &out->payload_len);
    if (!out->payload) {
        oci_fail("bundle payload is not base64");
        goto out;
    }
    out->payload_type = base_strdup(ptype);
    out->sigs = base_calloc(json_array_size(sigs), sizeof *out->sigs);
    if (!out->payload_type || !out->sigs) {
        oci_fail_nomem();
        goto out;
    }
    size_t i;
    json_t *s;
    json_array_foreach(sigs, i, s)
    {
        const char *sig = json_string_value(json_object_get(s, "sig"));
        if (sig && strlen(sig) <= MAX_SIGNATURE_B64) {
            if (!(out->sigs[out->n_sigs] = base_strdup(sig))) {
                oci_fail_nomem();
                goto out;
            }
            out->n_sigs++;
        }
    }
    st = json_loadb(out->payload, out->payload_len, JSON_REJECT_DUPLICATES, &err);
    const char *stype = json_string_value(json_object_get(st, "_type"));
    const char *pred = json_string_value(json_object_get(st, "predicateType"));
    json_t *subject = json_object_get(st, "subject");
    if (!json_is_object(st) || !stype || strcmp(stype, INTOTO_STATEMENT_V1)) {
        oci_fail("bundle payload is not an in-toto v1 statement");
        goto out;
    }
    if (!pred || strcmp(pred, COSIGN_SIGN_PREDICATE)) {
        oci_fail("bundle holds an attestation (%.80s), not an image signature",
                 pred ? pred : "no predicateType");
        goto out;
    }
    if (!json_is_array(subject) || json_array_size(subject) != 1) {
        oci_fail("bundle statement does not have exactly one subject");
        goto out;
    }
    json_t *sub = json_array_get(subject, 0);
    const char *hex = json_string_value(json_object_get(json_object_get(sub, "digest"), "sha256"));
    char digest[OCI_DIGEST_SIZE];
    snprintf(digest, sizeof digest, "sha256:%.64s", hex ? hex : "");
    if (!hex || strlen(hex) != 64 || !oci__digest_valid(digest)) {
        oci_fail("bundle statement subject has no sha256 digest");
        goto out;
    }
    memcpy(out->digest, digest, sizeof digest);
    const char *name = json_string_value(json_object_get(sub, "name"));
    if (!(out->name = base_strdup(name ? name : ""))) {
        oci_fail_nomem();
        goto out;
    }
    rc = 0;
out:
    json_decref(st);
    json_decref(j);
    if (rc < 0)
        oci__bundle_free(out);
    return rc;
}

void oci__bundle_free(struct bundle *b)
{
    free(b->payload_type);
    free(b->payload);
    for (size_t i = 0; i < b->n_sigs; i++)
        free(b->sigs[i]);
    free(b->sigs);
    free(b->name);
    memset(b, 0, sizeof *b);
}

char *oci__bundle_manifest_build(const char *bundle_digest, uint64_t bundle_size,
                                 const char *subject_digest, const char *subject_media_type,
                                 uint64_t subject_size, int64_t created, size_t *len)
{
    char when[32];
    time_t t = (time_t)created;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *j =
        json_pack("{s:i,s:s,s:s,s:{s:s,s:s,s:i},s:[{s:s,s:s,s:I}],s:{s:s,s:s,s:I},s:{s:s,s:s,s:s}}",
                  "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "artifactType",
                  MT_SIGSTORE_BUNDLE, "config", "mediaType", MT_OCI_EMPTY, "digest",
                  EMPTY_JSON_DIGEST, "size", 2, "layers", "mediaType", MT_SIGSTORE_BUNDLE, "digest",
                  bundle_digest, "size", (json_int_t)bundle_size, "subject", "mediaType",
                  subject_media_type, "digest", subject_digest, "size", (json_int_t)subject_size,
                  "annotations", ANN_BUNDLE_CONTENT, "dsse-envelope", ANN_BUNDLE_PREDICATE,
                  COSIGN_SIGN_PREDICATE, ANN_CREATED, when);
    return dump_compact(j, len);
}
