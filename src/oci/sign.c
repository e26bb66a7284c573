/* sign.c: signing and verifying modules in a registry, and the policy
 * check pulls make.
 *
 * Verification always starts from a manifest digest the caller resolved
 * once (pull verifies the digest it is about to download, so a tag moved
 * in between cannot slip through), then looks for signatures in both
 * formats (trust_internal.h, sigformat.c):
 *   1. the cosign signature manifest tagged sha256-<hex>.sig;
 *   2. Sigstore bundles among the digest's referrers: GET /v2/<name>/
 *      referrers/<digest>, or the sha256-<hex> index tag when the registry
 *      has no referrers API (distribution 2.8 answers 404).
 * A signature counts when it verifies under a trusted key, names exactly
 * this digest, and its identity satisfies the rule.  When none does, the
 * error says the most telling reason seen (wrong digest, wrong identity,
 * not by a trusted key, or no signature at all). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust_internal.h"

#define MAX_REFERRERS 64

static char *digest_tag(const char *digest, const char *suffix)
{
    char *tag = base_asprintf("sha256-%s%s", digest + 7, suffix);
    if (!tag)
        oci_fail_nomem();
    return tag;
}

/* GET a manifest or index by tag/digest: 1 found, 0 absent (404), -1 error. */
static int get_manifest_opt(struct registry *r, const char *repository, const char *object,
                            char **data, size_t *len, char digest[OCI_DIGEST_SIZE])
{
    struct http_response resp = {0};
    *data = oci__get_manifest(r, repository, object, true, &resp, len, digest);
    int rc = *data ? 1 : resp.status == 404 ? 0 : -1;
    oci__http_response_clear(&resp);
    return rc;
}

/* A small blob, checked against its digest. */
static char *get_blob(struct registry *r, const char *repository, const char *digest, uint64_t max,
                      size_t *len)
{
    char scope[SCOPE_SIZE], path[API_PATH_SIZE], what[160], computed[OCI_DIGEST_SIZE];
    oci__scope_for(scope, repository, "pull");
    if (oci__api_path(path, "/v2/%s/blobs/%s", repository, digest) < 0)
        return NULL;
    snprintf(what, sizeof what, "blob %s", digest);
    struct small_get g =
        {.call = {.method = "GET", .url = path, .scope = scope, .follow_redirects = true},
         .repository = repository,
         .what = what,
         .expected = digest,
         .max = max};
    struct http_response resp = {0};
    char *out = oci__registry_get_small(r, &g, &resp, len, computed);
    oci__http_response_clear(&resp);
    return out;
}

static int put_manifest(struct registry *r, const char *repository, const char *object,
                        const char *media_type, const char *data, size_t len)
{
    char scope[SCOPE_SIZE], path[API_PATH_SIZE];
    oci__scope_for(scope, repository, "pull,push");
    if (oci__api_path(path, "/v2/%s/manifests/%s", repository, object) < 0)
        return -1;
    struct http_upload up = {.data = data, .fd = -1, .size = len};
    struct http_response resp = {0};
    struct reg_call call = {.method = "PUT",
                            .url = path,
                            .scope = scope,
                            .content_type = media_type,
                            .upload = &up};
    int rc = -1;
    if (oci__registry_call(r, &call, &resp) == 0) {
        if (resp.status < 200 || resp.status > 299)
            oci__registry_fail(r, &resp, "pushing a signature manifest", "push", repository);
        else
            rc = 0;
    }
    oci__http_response_clear(&resp);
    return rc;
}

static int push_json_blob(struct registry *r, const char *repository, const char *data, size_t len,
                          char digest[OCI_DIGEST_SIZE])
{
    if (oci__sha256_bytes(data, len, digest) < 0)
        return -1;
    return oci__push_bytes(r, repository, data, len, digest);
}

/* ---- signing ---- */

static int sign_simple(struct registry *r, const struct oci_ref *ref, const char *identity,
                       const char *digest, const struct oci_signing_key *key, bool replace)
{
    size_t plen;
    char *payload = oci__simplesigning_build(identity, digest, &plen);
    char *sig = payload ? oci__key_sign_base64(key, payload, plen) : NULL;
    char *tag = digest_tag(digest, ".sig");
    char *old = NULL, *config = NULL, *manifest = NULL;
    size_t old_len = 0, config_len = 0, manifest_len = 0;
    char old_digest[OCI_DIGEST_SIZE], payload_digest[OCI_DIGEST_SIZE],
        config_digest[OCI_DIGEST_SIZE];
    struct sigmanifest sm = {0};
    int rc = -1;
    if (!sig || !tag)
        goto out;
    int found = replace ? 0 : get_manifest_opt(r, ref->repository, tag, &old, &old_len, old_digest);
    if (found < 0)
        goto out;
    if (found && oci__sigmanifest_parse(old, old_len, &sm) < 0) {
        oci_error_context("the existing signature manifest %s", tag);
        oci_set_hint_action(OCI_HINT_SIGN_REPLACE, NULL, "%s", "");
        goto out;
    }
    if (push_json_blob(r, ref->repository, payload, plen, payload_digest) < 0)
        goto out;
    /* the earlier signatures, then ours; other keys sign the same payload
     * bytes, so only an earlier signature of this payload by this same key
     * is replaced */
    struct oci_public_key *self = oci_signing_key_public(key);
    struct sig_layer *layers = base_calloc(sm.n + 1, sizeof *layers);
    const char **ids = base_calloc(sm.n + 1, sizeof *ids);
    if (!layers || !ids) {
        free(layers);
        free(ids);
        oci_public_key_free(self);
        oci_fail_nomem();
        goto out;
    }
    size_t n = 0;
    for (size_t i = 0; i < sm.n; i++) {
        if (!strcmp(sm.layers[i].digest, payload_digest) && self && sm.layers[i].signature &&
            oci__key_verify_base64(self, payload, plen, sm.layers[i].signature))
            continue;
        layers[n] = sm.layers[i];
        ids[n++] = sm.layers[i].digest;
    }
    snprintf(layers[n].digest, sizeof layers[n].digest, "%s", payload_digest);
    layers[n].size = plen;
    layers[n].signature = sig;
    ids[n++] = payload_digest;
    config = oci__sigmanifest_config(ids, n, &config_len);
    if (config && push_json_blob(r, ref->repository, config, config_len, config_digest) == 0) {
        manifest = oci__sigmanifest_build(layers, n, config_digest, config_len, &manifest_len);
        if (manifest)
            rc = put_manifest(r, ref->repository, tag, MT_OCI_MANIFEST, manifest, manifest_len);
    }
    free(layers);
    free(ids);
    oci_public_key_free(self);
out:
    oci__sigmanifest_free(&sm);
    free(old);
    free(config);
    free(manifest);
    free(payload);
    free(sig);
    free(tag);
    return rc;
}

/* Is the referrers API there?  1 yes (nothing to do), 0 no, -1 error. */
static int referrers_api(struct registry *r, const char *repository, const char *digest)
{
    char scope[SCOPE_SIZE], path[API_PATH_SIZE];
    oci__scope_for(scope, repository, "pull");
    if (oci__api_path(path, "/v2/%s/referrers/%s", repository, digest) < 0)
        return -1;
    struct http_response resp = {0};
    struct reg_call call = {.method = "GET", .url = path, .scope = scope, .accept = MT_OCI_INDEX};
    int rc = -1;
    if (oci__registry_call(r, &call, &resp) == 0) {
        const char *ct = resp.content_type ? resp.content_type : "";
        rc = resp.status == 200 && oci__str_starts_with(ct, MT_OCI_INDEX);
    }
    oci__http_response_clear(&resp);
    return rc;
}

static int sign_bundle(struct registry *r, const struct oci_ref *ref, const char *digest,
                       const char *media_type, uint64_t size, const struct oci_signing_key *key)
{
    char name[REF_STRING_SIZE];
    oci__ref_repo_string(ref, name);
    size_t blen = 0, mlen = 0, ilen = 0;
    char *bundle = oci__bundle_build(key, name, digest, &blen);
    char *manifest = NULL, *index = NULL, *old = NULL;
    char bundle_digest[OCI_DIGEST_SIZE], manifest_digest[OCI_DIGEST_SIZE],
        old_digest[OCI_DIGEST_SIZE];
    char *tag = digest_tag(digest, "");
    json_t *idx = NULL;
    int rc = -1;
    if (!bundle || !tag || push_json_blob(r, ref->repository, bundle, blen, bundle_digest) < 0 ||
        oci__push_bytes(r, ref->repository, "{}", 2, EMPTY_JSON_DIGEST) < 0)
        goto out;
    manifest = oci__bundle_manifest_build(bundle_digest, blen, digest, media_type, size,
                                          (int64_t)time(NULL), &mlen);
    if (!manifest)
        goto out;
    if (oci__sha256_bytes(manifest, mlen, manifest_digest) < 0)
        goto out;
    if (put_manifest(r, ref->repository, manifest_digest, MT_OCI_MANIFEST, manifest, mlen) < 0)
        goto out;
    int api = referrers_api(r, ref->repository, digest);
    if (api < 0)
        goto out;
    if (api) {
        rc = 0;
        goto out;
    }
    /* the referrers tag schema: the index under sha256-<hex>, ours appended */
    int found = get_manifest_opt(r, ref->repository, tag, &old, &ilen, old_digest);
    if (found < 0)
        goto out;
    json_error_t err;
    idx = found ? json_loadb(old, ilen, JSON_REJECT_DUPLICATES, &err) : NULL;
    if (found && (!json_is_object(idx) || !json_is_array(json_object_get(idx, "manifests")))) {
        oci_fail("the referrers index %s is not an image index: not overwritten", tag);
        goto out;
    }
    if (!idx)
        idx =
            json_pack("{s:i,s:s,s:[]}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests");
    json_t *desc = json_pack("{s:s,s:s,s:I,s:s,s:{s:s,s:s}}", "mediaType", MT_OCI_MANIFEST,
                             "digest", manifest_digest, "size", (json_int_t)mlen, "artifactType",
                             MT_SIGSTORE_BUNDLE, "annotations", ANN_BUNDLE_CONTENT, "dsse-envelope",
                             ANN_BUNDLE_PREDICATE, COSIGN_SIGN_PREDICATE);
    if (!idx) {
        json_decref(desc); /* not owned by an index yet */
        desc = NULL;
    }
    if (!desc || json_array_append_new(json_object_get(idx, "manifests"), desc) < 0 ||
        !(index = json_dumps(idx, JSON_COMPACT))) {
        oci_fail("cannot build the referrers index (out of memory)");
        goto out;
    }
    rc = put_manifest(r, ref->repository, tag, MT_OCI_INDEX, index, strlen(index));
out:
    json_decref(idx);
    free(bundle);
    free(manifest);
    free(index);
    free(old);
    free(tag);
    return rc;
}

/* The media type of a manifest: its own field, else the registry's word. */
static void manifest_media_type(const char *raw, size_t len, const char *content_type, char *out,
                                size_t size)
{
    json_error_t err;
    json_t *j = json_loadb(raw, len, 0, &err);
    const char *mt = json_string_value(json_object_get(j, "mediaType"));
    if (!mt && content_type) {
        size_t n = strcspn(content_type, "; ");
        snprintf(out, size, "%.*s", (int)n, content_type);
    } else {
        snprintf(out, size, "%s", mt ? mt : MT_OCI_MANIFEST);
    }
    json_decref(j);
}

/* What sign, verify and describe begin with: the image the user named, a
 * session with its registry, its manifest fetched */
struct image {
    struct oci_ref ref;
    char canonical[REF_STRING_SIZE];
    struct registry r;
    char digest[OCI_DIGEST_SIZE];
    char *raw, *content_type; /* the manifest, its Content-Type (when asked) */
    size_t len;
    bool parsed, open;
};

/* 0, or -1 with the error set; image_close() in both cases */
static int image_open(struct image *im, const char *text, const struct oci_options *o,
                      bool want_type)
{
    memset(im, 0, sizeof *im);
    if (oci__trust_libs_load() < 0 || oci__ref_parse(text, &im->ref) < 0)
        return -1;
    im->parsed = true;
    oci__ref_string(&im->ref, im->canonical);
    if (oci__registry_open(&im->r, im->ref.registry, im->ref.scheme, o) < 0)
        return -1;
    im->open = true;
    im->raw = oci__fetch_manifest(&im->r, im->ref.repository, oci__ref_object(&im->ref), &im->len,
                                  im->digest, want_type ? &im->content_type : NULL);
    return im->raw ? 0 : -1;
}

/* Ends the session; failed: the error gets "OPERATION IMAGE: " before it
 * (when the reference was read) */
static void image_close(struct image *im, bool failed, const char *operation)
{
    if (im->open)
        oci__registry_close(&im->r);
    if (failed && im->parsed)
        oci_error_context("%s %s", operation, im->canonical);
    free(im->raw);
    free(im->content_type);
    if (im->parsed)
        oci__ref_free(&im->ref);
}

int oci_sign(const char *text, const struct oci_signing_key *key, const struct oci_sign_options *so,
             const struct oci_options *o, char digest_out[OCI_DIGEST_SIZE])
{
    OCI_ERROR_SCOPE(o);
    struct image im;
    int rc = image_open(&im, text, o, true);
    if (rc == 0) {
        char media_type[128];
        manifest_media_type(im.raw, im.len, im.content_type, media_type, sizeof media_type);
        /* the identity: what the user named, without the digest (as skopeo) */
        char identity[REF_STRING_SIZE];
        oci__ref_repo_string(&im.ref, identity);
        if (im.ref.tag)
            snprintf(identity + strlen(identity), sizeof identity - strlen(identity), ":%s",
                     im.ref.tag);
        rc = sign_simple(&im.r, &im.ref, identity, im.digest, key, so && so->replace);
        if (rc == 0 && so && so->bundle)
            rc = sign_bundle(&im.r, &im.ref, im.digest, media_type, im.len, key);
    }
    if (rc == 0) {
        memcpy(digest_out, im.digest, OCI_DIGEST_SIZE);
        oci__status_line(o->quiet, "Signed %s", im.canonical);
        oci__status_line(o->quiet, "Digest: %s", im.digest);
    }
    image_close(&im, rc < 0, "sign");
    return rc;
}

/* ---- verifying ---- */

/* Why nothing verified, most telling first. */
enum miss {
    MISS_NONE_FOUND,   /* no signature in either place */
    MISS_UNTRUSTED,    /* signatures, none valid under a trusted key */
    MISS_IDENTITY,     /* valid, but the identity rule failed */
    MISS_OTHER_DIGEST, /* valid, but for another digest */
};

struct search {
    const struct oci_ref *image;
    const char *digest;
    struct oci_public_key *const *keys;
    size_t n_keys;
    const struct signed_identity *identity;
    struct oci_verification *v;
    enum miss miss;
    char detail[512];
    json_t *list; /* describing: every signature found, or NULL */
};

/* Describing: one signature found (claims unverified unless KEY). */
static void list_add(struct search *s, const char *format, const char *identity,
                     const char *claimed, const struct oci_public_key *key)
{
    if (!s->list)
        return;
    json_t *e = json_pack("{s:s,s:s?,s:s?,s:s?,s:b}", "format", format, "identity", identity,
                          "digest", claimed, "key", key ? key->fingerprint : NULL, "valid",
                          key && claimed && !strcmp(claimed, s->digest));
    json_array_append_new(s->list, e);
}

static void note_miss(struct search *s, enum miss m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note_miss(struct search *s, enum miss m, const char *fmt, ...)
{
    if (m < s->miss && s->detail[0])
        return;
    s->miss = m;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->detail, sizeof s->detail, fmt, ap);
    va_end(ap);
}

/* The key that verifies SIG over DATA, or NULL. */
static const struct oci_public_key *trusted_signer(const struct search *s, const void *data,
                                                   size_t len, const char *sig)
{
    for (size_t k = 0; k < s->n_keys; k++)
        if (oci__key_verify_base64(s->keys[k], data, len, sig))
            return s->keys[k];
    return NULL;
}

/* A signature verified: is it for this digest and identity?  1 accepted. */
static int accept_claim(struct search *s, const struct oci_public_key *key,
                        const char *claimed_digest, const char *identity, const char *format)
{
    if (strcmp(claimed_digest, s->digest)) {
        note_miss(s, MISS_OTHER_DIGEST, "a valid %s signature names another digest, %s", format,
                  claimed_digest);
        return 0;
    }
    const char *why = "";
    if (s->identity && !oci__identity_matches(s->identity, s->image, identity, &why)) {
        note_miss(s, MISS_IDENTITY, "a valid %s signature names \"%.200s\": %s (signedIdentity %s)",
                  format, identity, why, oci__identity_kind_name(s->identity->kind));
        return 0;
    }
    struct oci_verification *v = s->v;
    if (!v->n_valid) {
        char *copy = base_strdup(identity);
        if (!copy) {
            /* fail closed: a signature that cannot be recorded is not counted */
            note_miss(s, MISS_UNTRUSTED, "out of memory");
            return 0;
        }
        free(v->identity);
        v->identity = copy;
        snprintf(v->fingerprint, sizeof v->fingerprint, "%s", key->fingerprint);
        v->format = format;
    }
    v->n_valid++;
    return 1;
}

static int search_simple(struct registry *r, struct search *s)
{
    char *tag = digest_tag(s->digest, ".sig"), *raw = NULL;
    size_t len;
    char d[OCI_DIGEST_SIZE];
    struct sigmanifest sm = {0};
    if (!tag)
        return -1;
    int found = get_manifest_opt(r, s->image->repository, tag, &raw, &len, d);
    if (found <= 0)
        goto out;
    if (oci__sigmanifest_parse(raw, len, &sm) < 0) {
        note_miss(s, MISS_UNTRUSTED, "the signature manifest %s is unusable: %s", tag,
                  oci_error_text());
        found = 0;
        goto out;
    }
    for (size_t i = 0; i < sm.n; i++) {
        const struct sig_layer *l = &sm.layers[i];
        size_t plen;
        char *payload = l->signature
                            ? get_blob(r, s->image->repository, l->digest, MAX_PAYLOAD_SIZE, &plen)
                            : NULL;
        if (!payload) {
            s->v->n_invalid++;
            note_miss(s, MISS_UNTRUSTED, "a simple-signing layer has %s",
                      l->signature ? "no payload" : "no signature");
            continue;
        }
        const struct oci_public_key *key = trusted_signer(s, payload, plen, l->signature);
        struct simplesigning ss;
        if (s->list) {
            bool parsed = oci__simplesigning_parse(payload, plen, &ss) == 0;
            list_add(s, "simple-signing", parsed ? ss.docker_reference : NULL,
                     parsed ? ss.digest : NULL, key);
            if (parsed)
                oci__simplesigning_free(&ss);
        }
        if (!key) {
            s->v->n_invalid++;
            note_miss(s, MISS_UNTRUSTED,
                      "%zu simple-signing signature%s, none valid under the trusted key%s", sm.n,
                      sm.n == 1 ? "" : "s", s->n_keys == 1 ? "" : "s");
        } else if (oci__simplesigning_parse(payload, plen, &ss) < 0) {
            s->v->n_invalid++;
            note_miss(s, MISS_UNTRUSTED, "a validly signed payload is malformed: %s",
                      oci_error_text());
        } else {
            accept_claim(s, key, ss.digest, ss.docker_reference, "simple-signing");
            oci__simplesigning_free(&ss);
        }
        free(payload);
    }
out:
    oci__sigmanifest_free(&sm);
    free(raw);
    free(tag);
    oci_error_clear();
    return found < 0 ? -1 : 0;
}

static void check_bundle(struct registry *r, struct search *s, const char *manifest_digest)
{
    char *raw = NULL, *blob = NULL;
    size_t len, blen;
    char d[OCI_DIGEST_SIZE];
    json_t *m = NULL;
    struct bundle b = {0};
    if (get_manifest_opt(r, s->image->repository, manifest_digest, &raw, &len, d) <= 0)
        goto out;
    json_error_t err;
    m = json_loadb(raw, len, JSON_REJECT_DUPLICATES, &err);
    json_t *layer = json_array_get(json_object_get(m, "layers"), 0);
    const char *mt = json_string_value(json_object_get(layer, "mediaType"));
    const char *bd = json_string_value(json_object_get(layer, "digest"));
    if (!mt || !oci__str_starts_with(mt, "application/vnd.dev.sigstore.bundle") || !bd ||
        !oci__digest_valid(bd))
        goto out;
    blob = get_blob(r, s->image->repository, bd, MAX_PAYLOAD_SIZE, &blen);
    if (!blob)
        goto out;
    if (oci__bundle_parse(blob, blen, &b) < 0) {
        s->v->n_invalid++;
        note_miss(s, MISS_UNTRUSTED, "a Sigstore bundle is unusable: %s", oci_error_text());
        goto out;
    }
    size_t plen;
    char *pae = oci__dsse_pae(b.payload_type, b.payload, b.payload_len, &plen);
    if (!pae) {
        note_miss(s, MISS_UNTRUSTED, "a Sigstore bundle could not be checked: out of memory");
        goto out;
    }
    const struct oci_public_key *key = NULL;
    for (size_t i = 0; i < b.n_sigs && !key; i++)
        key = trusted_signer(s, pae, plen, b.sigs[i]);
    free(pae);
    list_add(s, "sigstore-bundle", b.name[0] ? b.name : NULL, b.digest, key);
    if (!key) {
        s->v->n_invalid++;
        note_miss(s, MISS_UNTRUSTED,
                  "a Sigstore bundle's signature is not valid under the trusted key%s",
                  s->n_keys == 1 ? "" : "s");
        goto out;
    }
    /* a subject without a name claims no identity: only the digest rule applies */
    char image_name[REF_STRING_SIZE];
    accept_claim(s, key, b.digest, b.name[0] ? b.name : oci__ref_repo_string(s->image, image_name),
                 "sigstore-bundle");
out:
    oci__bundle_free(&b);
    json_decref(m);
    free(blob);
    free(raw);
    oci_error_clear();
}

static int search_bundles(struct registry *r, struct search *s)
{
    char scope[SCOPE_SIZE], path[API_PATH_SIZE];
    oci__scope_for(scope, s->image->repository, "pull");
    if (oci__api_path(path, "/v2/%s/referrers/%s", s->image->repository, s->digest) < 0)
        return -1;
    struct http_sink sink;
    oci__http_sink_init_memory(&sink, MAX_MANIFEST_SIZE);
    struct http_response resp = {0};
    struct reg_call call = {.method = "GET",
                            .url = path,
                            .scope = scope,
                            .accept = MT_OCI_INDEX,
                            .sink = &sink};
    char *raw = NULL;
    size_t len = 0;
    json_t *idx = NULL;
    int rc = -1;
    if (oci__registry_call(r, &call, &resp) < 0)
        goto out;
    if (resp.status == 200 && resp.content_type &&
        oci__str_starts_with(resp.content_type, MT_OCI_INDEX)) {
        if (!(raw = sink.mem.data ? sink.mem.data : base_strdup(""))) {
            oci_fail_nomem();
            goto out;
        }
        len = sink.mem.len;
        sink.mem.data = NULL;
    } else {
        /* no referrers API: the tag schema */
        char *tag = digest_tag(s->digest, "");
        char d[OCI_DIGEST_SIZE];
        int found = tag ? get_manifest_opt(r, s->image->repository, tag, &raw, &len, d) : -1;
        free(tag);
        if (found < 0)
            goto out;
    }
    rc = 0;
    if (!raw)
        goto out;
    json_error_t err;
    idx = json_loadb(raw, len, JSON_REJECT_DUPLICATES, &err);
    json_t *ms = json_object_get(idx, "manifests");
    size_t i, looked = 0;
    json_t *e;
    json_array_foreach(ms, i, e)
    {
        const char *at = json_string_value(json_object_get(e, "artifactType"));
        const char *d = json_string_value(json_object_get(e, "digest"));
        if (!at || !oci__str_starts_with(at, "application/vnd.dev.sigstore.bundle") || !d ||
            !oci__digest_valid(d))
            continue;
        if (++looked > MAX_REFERRERS)
            break;
        check_bundle(r, s, d);
    }
out:
    json_decref(idx);
    free(raw);
    oci__http_sink_free(&sink);
    oci__http_response_clear(&resp);
    return rc;
}

static const char *miss_words(enum miss m)
{
    static const char *const words[] = {
        [MISS_NONE_FOUND] = "no signature found",
        [MISS_UNTRUSTED] = "no signature by a trusted key",
        [MISS_IDENTITY] = "the signed identity does not match",
        [MISS_OTHER_DIGEST] = "the signature is for another digest",
    };
    return words[m];
}

/* Search both formats for a signature of DIGEST by one of KEYS.  0 found,
 * -1 with the error set (naming the most telling miss). */
static int verify_digest(struct registry *r, const struct oci_ref *image, const char *digest,
                         struct oci_public_key *const *keys, size_t n_keys,
                         const struct signed_identity *identity, struct oci_verification *v)
{
    struct search s = {.image = image,
                       .digest = digest,
                       .keys = keys,
                       .n_keys = n_keys,
                       .identity = identity,
                       .v = v,
                       .miss = MISS_NONE_FOUND};
    snprintf(v->digest, sizeof v->digest, "%s", digest);
    if (search_simple(r, &s) < 0)
        return -1;
    if (!v->n_valid && search_bundles(r, &s) < 0)
        return -1;
    if (v->n_valid)
        return 0;
    if (s.detail[0])
        return oci_fail("%s: %s", miss_words(s.miss), s.detail);
    return oci_fail("%s (looked for the tag %s.sig and Sigstore bundle referrers)",
                    miss_words(s.miss), "sha256-<hex>");
}

void oci_verification_free(struct oci_verification *v)
{
    free(v->identity);
    memset(v, 0, sizeof *v);
}

int oci_verify(const char *text, struct oci_public_key *const *keys, size_t n_keys,
               const struct oci_options *o, struct oci_verification *v)
{
    OCI_ERROR_SCOPE(o);
    memset(v, 0, sizeof *v);
    struct image im;
    int rc = image_open(&im, text, o, false);
    if (rc == 0) {
        /* `verify --key` trusts the key for any repository; the identity is shown */
        struct signed_identity any = {.kind = ID_MATCH_REPOSITORY};
        rc = verify_digest(&im.r, &im.ref, im.digest, keys, n_keys, &any, v);
        if (rc < 0)
            oci_error_context("digest %s", im.digest);
    }
    image_close(&im, rc < 0, "verify");
    return rc;
}

/* ---- policy checks ---- */

/* NULL with the error set: out of memory. */
static char *scope_words(const struct oci_policy *p, const struct requirements *rs)
{
    char *words = rs == &p->deflt ? base_strdup("default")
                                  : base_asprintf("transports.docker[\"%s\"]", rs->scope);
    if (!words)
        oci_fail_nomem();
    return words;
}

int oci__policy_check_session(struct registry *r, const struct oci_policy *p,
                              const struct oci_ref *ref, const char *digest, const char *alt_digest,
                              struct oci_verification *v)
{
    memset(v, 0, sizeof *v);
    snprintf(v->digest, sizeof v->digest, "%s", digest);
    const struct requirements *rs = oci__policy_requirements_for(p, ref);
    char canonical[REF_STRING_SIZE];
    oci__ref_string(ref, canonical);
    char *where = scope_words(p, rs);
    if (!where)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < rs->n && rc == 0; i++) {
        const struct requirement *q = &rs->reqs[i];
        if (q->kind == REQ_ACCEPT_ANYTHING)
            continue;
        if (q->kind == REQ_REJECT) {
            rc = oci_fail("%s (digest %s) is refused by the policy: %s requires \"reject\"",
                          canonical, digest, where);
            break;
        }
        struct oci_verification one = {0};
        rc = verify_digest(r, ref, digest, q->keys, q->n_keys, &q->identity, &one);
        if (rc < 0 && alt_digest) {
            /* an index: its signature covers the manifest chosen from it */
            oci_verification_free(&one);
            char first[2048];
            snprintf(first, sizeof first, "%s", oci_error_text());
            rc = verify_digest(r, ref, alt_digest, q->keys, q->n_keys, &q->identity, &one);
            if (rc < 0)
                oci_fail("%s", first);
        }
        if (rc < 0) {
            char why[2048];
            snprintf(why, sizeof why, "%s", oci_error_text());
            rc = oci_fail(
                "%s (digest %s) is refused by the policy: %s[%zu] sigstoreSigned failed: %s",
                canonical, digest, where, i, why);
            oci_set_hint_action(OCI_HINT_SIGN, canonical, "%s", "");
        } else if (!v->n_valid) {
            oci_verification_free(v);
            *v = one;
        } else {
            oci_verification_free(&one);
        }
    }
    free(where);
    return rc;
}

/* oci_policy_check() within an operation whose error is bound already. */
static int policy_check(const struct oci_policy *p, const char *text, const char *digest,
                        const struct oci_options *o, struct oci_verification *v)
{
    memset(v, 0, sizeof *v);
    if (oci__trust_libs_load() < 0)
        return -1;
    if (!oci__digest_valid(digest))
        return oci_fail("policy check: \"%.80s\" is not a sha256 digest", digest);
    struct oci_ref ref;
    if (oci__ref_parse(text, &ref) < 0)
        return -1;
    /* nothing to fetch when no requirement needs a signature */
    const struct requirements *rs = oci__policy_requirements_for(p, &ref);
    bool needs_registry = false;
    for (size_t i = 0; i < rs->n; i++)
        needs_registry |= rs->reqs[i].kind == REQ_SIGSTORE_SIGNED;
    int rc;
    if (!needs_registry) {
        rc = oci__policy_check_session(NULL, p, &ref, digest, NULL, v);
    } else {
        struct registry r;
        rc = oci__registry_open(&r, ref.registry, ref.scheme, o);
        if (rc == 0) {
            rc = oci__policy_check_session(&r, p, &ref, digest, NULL, v);
            oci__registry_close(&r);
        }
    }
    oci__ref_free(&ref);
    return rc;
}

int oci_policy_check(const struct oci_policy *p, const char *text, const char *digest,
                     const struct oci_options *o, struct oci_verification *v)
{
    OCI_ERROR_SCOPE(o);
    return policy_check(p, text, digest, o, v);
}

/* ---- the hooks pulls call ---- */

static bool refused;

bool oci_policy_refused(void)
{
    return refused;
}

static void report(const struct oci_options *o, const struct oci_ref *ref,
                   const struct oci_verification *v)
{
    char canonical[REF_STRING_SIZE];
    oci__ref_string(ref, canonical);
    if (v->n_valid)
        oci__status_line(o->quiet, "Verified %s: %s signature of %s by key %s (identity %s)",
                         canonical, v->format, v->digest, v->fingerprint, v->identity);
    else
        oci__status_line(o->quiet, "Accepted %s (%s) by the policy without a signature", canonical,
                         v->digest);
}

int oci__trust_check_pull(struct registry *r, const struct oci_options *o,
                          const struct oci_ref *ref, const char *digest, const char *alt_digest)
{
    refused = false;
    if (oci__trust_libs_load() < 0)
        return -1;
    struct oci_verification v;
    int rc = oci__policy_check_session(r, o->policy, ref, digest, alt_digest, &v);
    if (rc < 0)
        refused = true;
    else
        report(o, ref, &v);
    oci_verification_free(&v);
    return rc;
}

int oci__trust_check_stored(const struct oci_options *o, const struct oci_ref *ref,
                            const char *digest)
{
    char canonical[REF_STRING_SIZE];
    oci__ref_string(ref, canonical);
    struct oci_verification v;
    refused = false;
    int rc = policy_check(o->policy, canonical, digest, o, &v);
    if (rc < 0) {
        /* the policy's own verdict, or the registry unreachable: both refuse */
        refused = true;
        oci_error_context("stored module");
    } else {
        report(o, ref, &v);
    }
    oci_verification_free(&v);
    return rc;
}

/* ---- describing (inspect) ---- */

char *oci_signatures_describe(const char *text, struct oci_public_key *const *keys, size_t n_keys,
                              const struct oci_options *o)
{
    OCI_ERROR_SCOPE(o);
    struct image im;
    char *out = NULL;
    if (image_open(&im, text, o, false) == 0) {
        struct oci_verification v = {0};
        struct signed_identity any = {.kind = ID_MATCH_REPOSITORY};
        struct search s = {.image = &im.ref,
                           .digest = im.digest,
                           .keys = keys,
                           .n_keys = n_keys,
                           .identity = &any,
                           .v = &v,
                           .list = json_array()};
        if (search_simple(&im.r, &s) == 0 && search_bundles(&im.r, &s) == 0) {
            json_t *j = json_pack("{s:s,s:o}", "digest", im.digest, "signatures", s.list);
            out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            json_decref(j);
        } else {
            json_decref(s.list);
        }
        oci_verification_free(&v);
    }
    image_close(&im, !out, "signatures of");
    return out;
}
