/* pull.c: fetching a module from a registry into the store.
 *
 * Manifest by tag or digest (Accept lists every type we read; the body is
 * limited to 4 MiB and its sha256 checked against the digest asked for and
 * against Docker-Content-Digest), through an index if there is one, then
 * the config and the module layer, each streamed into the store with its
 * size and digest checked before it becomes visible.  Only then does
 * index.json name the reference, so a failed pull changes nothing a reader
 * can see. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci_internal.h"

static const char wasm_magic[4] = {0, 'a', 's', 'm'};

char *oci__registry_get_small(struct registry *r, const struct small_get *g,
                              struct http_response *resp, size_t *len,
                              char computed[OCI_DIGEST_SIZE])
{
    struct http_sink sink;
    oci__http_sink_init_memory(&sink, g->max);
    struct reg_call call = g->call;
    call.sink = &sink;
    char *out = NULL;
    if (oci__registry_call(r, &call, resp) < 0) {
        if (sink.overflow)
            oci_fail("%s is larger than %llu bytes: refused", g->what, (unsigned long long)g->max);
        else
            oci_error_context("%s", g->what);
        resp->status = 0; /* not an answer of the registry's */
        goto done;
    }
    if (resp->status == 404 && g->absent_ok)
        goto done;
    if (resp->status != 200) {
        oci__registry_fail(r, resp, g->what, "pull", g->repository);
        goto done;
    }
    if (oci__sha256_bytes(sink.mem.data ? sink.mem.data : "", sink.mem.len, computed) < 0)
        goto done;
    if (g->expected && strcmp(g->expected, computed)) {
        oci_fail("%s: the registry sent content with digest %s", g->what, computed);
        oci_set_hint("the registry served corrupted or tampered content; nothing was stored");
        goto done;
    }
    if (resp->docker_digest && oci__str_starts_with(resp->docker_digest, "sha256:") &&
        strcmp(resp->docker_digest, computed)) {
        char claimed[EXCERPT_SIZE];
        oci_fail("%s: digest mismatch: the registry says %s, the content hashes to %s", g->what,
                 oci__text_excerpt(claimed, resp->docker_digest, strlen(resp->docker_digest), 80),
                 computed);
        oci_set_hint("the registry served corrupted or tampered content; nothing was stored");
        goto done;
    }
    if (!(out = sink.mem.data ? sink.mem.data : base_strdup(""))) {
        oci_fail_nomem();
        goto done;
    }
    *len = sink.mem.len;
    sink.mem.data = NULL;
done:
    oci__http_sink_free(&sink);
    return out;
}

char *oci__get_manifest(struct registry *r, const char *repository, const char *object,
                        bool absent_ok, struct http_response *resp, size_t *len,
                        char digest[OCI_DIGEST_SIZE])
{
    char scope[SCOPE_SIZE];
    oci__scope_for(scope, repository, "pull");
    char path[API_PATH_SIZE], what[160];
    if (oci__api_path(path, "/v2/%s/manifests/%s", repository, object) < 0)
        return NULL;
    bool by_digest = oci__digest_valid(object);
    snprintf(what, sizeof what, "%s %s", by_digest ? "manifest" : "tag", object);
    struct small_get g =
        {.call = {.method = "GET", .url = path, .scope = scope, .accept = MANIFEST_ACCEPT},
         .repository = repository,
         .what = what,
         .expected = by_digest ? object : NULL,
         .max = MAX_MANIFEST_SIZE,
         .absent_ok = absent_ok};
    return oci__registry_get_small(r, &g, resp, len, digest);
}

char *oci__fetch_manifest(struct registry *r, const char *repository, const char *object,
                          size_t *len, char digest[OCI_DIGEST_SIZE], char **content_type)
{
    struct http_response resp = {0};
    char *type = NULL, *out = oci__get_manifest(r, repository, object, false, &resp, len, digest);
    if (out && content_type && resp.content_type && !(type = base_strdup(resp.content_type))) {
        oci_fail_nomem();
        free(out);
        out = NULL;
    }
    if (out && content_type)
        *content_type = type;
    oci__http_response_clear(&resp);
    return out;
}

int oci__resolve_manifest(struct registry *r, const struct oci_ref *ref, const char *platform,
                          struct resolved *out)
{
    memset(out, 0, sizeof *out);
    char *ct = NULL;
    out->raw =
        oci__fetch_manifest(r, ref->repository, oci__ref_object(ref), &out->len, out->digest, &ct);
    if (!out->raw)
        return -1;
    int rc = oci__manifest_parse(out->raw, out->len, ct, &out->m);
    free(ct);
    ct = NULL;
    if (rc < 0)
        goto fail;
    if (!out->m.is_index)
        return 0;

    int i = oci__index_select(&out->m, platform);
    if (i < 0)
        goto fail;
    char entry[OCI_DIGEST_SIZE];
    uint64_t entry_size = out->m.layers[i].size;
    memcpy(entry, out->m.layers[i].digest, sizeof entry);
    oci__manifest_free(&out->m);
    out->index_raw = out->raw;
    out->index_len = out->len;
    memcpy(out->index_digest, out->digest, OCI_DIGEST_SIZE);
    out->raw = oci__fetch_manifest(r, ref->repository, entry, &out->len, out->digest, &ct);
    if (!out->raw)
        goto fail;
    if (out->len != entry_size) {
        oci_fail("the manifest %s is %zu bytes, the image index says %llu", entry, out->len,
                 (unsigned long long)entry_size);
        goto fail;
    }
    rc = oci__manifest_parse(out->raw, out->len, ct, &out->m);
    free(ct);
    ct = NULL;
    if (rc < 0)
        goto fail;
    if (out->m.is_index) {
        oci_fail("the image index points to another index, which is not supported");
        goto fail;
    }
    return 0;
fail:
    free(ct);
    oci__resolved_free(out);
    return -1;
}

void oci__resolved_free(struct resolved *res)
{
    oci__manifest_free(&res->m);
    free(res->raw);
    free(res->index_raw);
    memset(res, 0, sizeof *res);
}

static int download_locked(struct registry *r, struct store *s, const char *repository,
                           const struct descriptor *d, bool must_be_wasm, struct progress *pp);

/* Stream a blob into the store, checked.  Already present: nothing to do.
 * The module layer shows progress and must start with the Wasm magic; the
 * config is fetched silently, as docker does. */
static int download_blob(struct registry *r, struct store *s, const char *repository,
                         const struct descriptor *d, bool is_module, uint64_t limit)
{
    bool must_be_wasm = is_module;
    struct progress p;
    oci__progress_start(&p, "Downloading", d->digest, d->size, r->o->quiet || !is_module);
    if (oci__store_has_blob(s, d->digest, d->size)) {
        oci__progress_finish(&p, "Already exists");
        return 0;
    }
    if (!must_be_wasm && d->size == 2 && !strcmp(d->digest, EMPTY_JSON_DIGEST)) {
        /* `{}`: a round trip saved (oci__store_put_bytes checks the digest) */
        if (oci__store_put_bytes(s, "{}", 2, d->digest) < 0)
            return -1;
        oci__progress_finish(&p, "Downloaded");
        return 0;
    }
    if (d->size > limit)
        return oci_fail("blob %s is %llu bytes, more than the %llu allowed for it", d->digest,
                        (unsigned long long)d->size, (unsigned long long)limit);
    /* one download per blob: a concurrent pull of it finishes first */
    int lock_fd = oci__store_lock_blob(s, d->digest);
    if (lock_fd < 0)
        return -1;
    if (oci__store_has_blob(s, d->digest, d->size)) {
        oci__store_unlock_blob(s, d->digest, lock_fd, true);
        oci__progress_finish(&p, "Already exists");
        return 0;
    }
    int rc = download_locked(r, s, repository, d, must_be_wasm, &p);
    oci__store_unlock_blob(s, d->digest, lock_fd, rc == 0);
    return rc;
}

static int download_locked(struct registry *r, struct store *s, const char *repository,
                           const struct descriptor *d, bool must_be_wasm, struct progress *pp)
{
    struct progress p = *pp; /* started by the caller; finished here */
    char scope[SCOPE_SIZE], path[API_PATH_SIZE];
    oci__scope_for(scope, repository, "pull");
    if (oci__api_path(path, "/v2/%s/blobs/%s", repository, d->digest) < 0)
        return -1;
    struct ingest in;
    if (oci__ingest_begin(s, d->digest, d->size, &in) < 0)
        return -1;
    struct http_sink sink;
    oci__http_sink_init_file(&sink, in.fd, d->size, true, &p);
    struct http_response resp = {0};
    struct reg_call call = {.method = "GET",
                            .url = path,
                            .scope = scope,
                            .sink = &sink,
                            .follow_redirects = true};
    int rc = -1;
    if (sink.hash_failed)
        goto out;
    if (oci__registry_call(r, &call, &resp) < 0) {
        if (sink.overflow)
            oci_fail("blob %s: the registry sent more than the %llu bytes the manifest gives",
                     d->digest, (unsigned long long)d->size);
        else
            oci_error_context("downloading %s", d->digest);
        goto out;
    }
    if (resp.status != 200) {
        char what[OCI_DIGEST_SIZE + 32];
        snprintf(what, sizeof what, "blob %s", d->digest);
        oci__registry_fail(r, &resp, what, "pull", repository);
        goto out;
    }
    if (must_be_wasm) {
        char head[4] = {0};
        if (sink.written < 4 || pread(in.fd, head, 4, 0) != 4 || memcmp(head, wasm_magic, 4)) {
            oci_fail("the module layer %s is not a WebAssembly module (no \\0asm header)",
                     d->digest);
            goto out;
        }
    }
    char computed[OCI_DIGEST_SIZE];
    oci__sha256_final(&sink.hash, computed);
    rc = oci__ingest_commit(s, &in, computed, sink.written);
    if (rc == 0)
        oci__progress_finish(&p, "Downloaded");
    else
        oci_error_context("blob %s", d->digest);
out:
    if (rc < 0 && in.tmp_path)
        oci__ingest_discard(&in);
    if (rc < 0)
        oci__progress_fail(&p);
    oci__http_sink_free(&sink);
    oci__http_response_clear(&resp);
    return rc;
}

/* -o PATH as cp writes it (base_output_open): a regular file or a missing
 * path is replaced whole, a device, FIFO or symlink written in place. */
int oci__copy_to_output(const char *src, const char *dst, mode_t mode)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return oci_fail("cannot open %s: %s", src, strerror(errno));
    struct base_output out;
    char *chunk = base_malloc(1 << 16);
    int err = chunk ? base_output_open(&out, dst, mode) : -ENOMEM;
    if (err) {
        close(in);
        free(chunk);
        return err == -ENOMEM ? oci_fail_nomem()
                              : oci_fail("cannot create %s: %s", dst, strerror(-err));
    }
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, chunk, 1 << 16);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = oci_fail("cannot read %s: %s", src, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if ((err = base_write_all(out.fd, chunk, (size_t)n))) {
            rc = oci_fail("cannot write %s: %s", dst, strerror(-err));
            break;
        }
    }
    free(chunk);
    close(in);
    if (rc == 0 && (err = base_output_commit(&out)))
        rc = oci_fail("cannot write %s: %s", dst, strerror(-err));
    else if (rc < 0)
        base_output_discard(&out);
    return rc;
}

/* 0, or -1 (out of memory, error set; res left empty). */
static int fill_result(struct oci_pull_result *res, const char *canonical,
                       const char *manifest_digest, const struct manifest *m, int li,
                       const char *module_path)
{
    memset(res, 0, sizeof *res);
    res->reference = base_strdup(canonical);
    res->module_path = base_strdup(module_path);
    if (!res->reference || !res->module_path) {
        oci_pull_result_free(res);
        return oci_fail_nomem();
    }
    snprintf(res->manifest_digest, sizeof res->manifest_digest, "%s", manifest_digest);
    snprintf(res->module_digest, sizeof res->module_digest, "%s", m->layers[li].digest);
    res->module_size = m->layers[li].size;
    res->format = oci__manifest_format(m);
    return 0;
}

int oci__pull_ref(const struct oci_ref *ref, const char *output_path, const struct oci_options *o,
                  struct oci_pull_result *result)
{
    struct store s;
    if (oci__store_open(&s, o, true) < 0)
        return -1;
    char canonical[REF_STRING_SIZE];
    oci__ref_string(ref, canonical);
    struct registry r;
    struct resolved res = {0};
    bool open_registry = false;
    int rc = -1;
    if (oci__store_lock_pull(&s) < 0)
        goto out;
    if (oci__registry_open(&r, ref->registry, ref->scheme, o) < 0)
        goto out;
    open_registry = true;
    oci__status_line(o->quiet, "Pulling %s", canonical);
    if (oci__resolve_manifest(&r, ref, o->platform, &res) < 0)
        goto out;
    /* before any blob: a module failing the policy never enters the store */
    if (o->policy &&
        oci__trust_check_pull(&r, o, ref, res.digest, res.index_raw ? res.index_digest : NULL) < 0)
        goto out;
    int li = oci__manifest_module_layer(&res.m);
    if (li < 0)
        goto out;
    const struct descriptor *layer = &res.m.layers[li];
    if (layer->size == 0) {
        oci_fail("the module layer %s is empty", layer->digest);
        goto out;
    }
    if (download_blob(&r, &s, ref->repository, &res.m.config, false, MAX_CONFIG_SIZE) < 0 ||
        download_blob(&r, &s, ref->repository, layer, true, MAX_MODULE_SIZE) < 0)
        goto out;
    /* the manifest last: present means complete */
    if ((res.index_raw &&
         oci__store_put_bytes(&s, res.index_raw, res.index_len, res.index_digest) < 0) ||
        oci__store_put_bytes(&s, res.raw, res.len, res.digest) < 0)
        goto out;
    char before[OCI_DIGEST_SIZE] = "";
    bool had = oci__store_lookup(&s, canonical, before);
    if (oci__store_tag(&s, canonical, res.m.media_type, res.digest, res.len) < 0)
        goto out;
    char module_path[STORE_PATH_SIZE];
    oci__store_blob_path(&s, layer->digest, module_path);
    if (output_path && oci__copy_to_output(module_path, output_path, 0644) < 0)
        goto out;
    oci__status_line(o->quiet, "Digest: %s", res.digest);
    oci__status_line(o->quiet, "Status: %s %s",
                     had && !strcmp(before, res.digest) ? "Module is up to date for"
                                                        : "Downloaded newer module for",
                     canonical);
    if (result && fill_result(result, canonical, res.digest, &res.m, li, module_path) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        oci_error_context("pull %s", canonical);
    oci__store_unlock_gc(&s);
    oci__resolved_free(&res);
    if (open_registry)
        oci__registry_close(&r);
    oci__store_close(&s);
    return rc;
}

int oci_pull(const char *text, const char *output_path, const struct oci_options *o,
             struct oci_pull_result *result)
{
    OCI_ERROR_SCOPE(o);
    struct oci_ref ref;
    if (oci__enter_ref(text, &ref) < 0)
        return -1;
    int rc = oci__pull_ref(&ref, output_path, o, result);
    oci__ref_free(&ref);
    return rc;
}

void oci_pull_result_free(struct oci_pull_result *r)
{
    free(r->module_path);
    free(r->reference);
    memset(r, 0, sizeof *r);
}

int oci__store_find_module(struct store *s, const struct oci_ref *ref, struct oci_pull_result *out)
{
    if (!s->exists)
        return 1;
    char canonical[REF_STRING_SIZE];
    oci__ref_string(ref, canonical);
    char digest[OCI_DIGEST_SIZE];
    bool found = oci__store_lookup(s, canonical, digest);
    if (!found && ref->digest) {
        /* pulled under another name: the content is what the digest says */
        snprintf(digest, sizeof digest, "%s", ref->digest);
        char p[STORE_PATH_SIZE];
        found = access(oci__store_blob_path(s, digest, p), R_OK) == 0;
    }
    int rc = 1;
    if (!found)
        goto out;
    size_t len;
    char *raw = oci__store_read_blob(s, digest, MAX_MANIFEST_SIZE, &len);
    if (!raw) {
        rc = 1; /* damaged: treat as absent, a pull repairs it */
        oci_error_clear();
        goto out;
    }
    struct manifest m;
    if (oci__manifest_parse(raw, len, NULL, &m) < 0) {
        free(raw);
        rc = -1;
        oci_error_context("stored manifest of %s", canonical);
        goto out;
    }
    int li = m.is_index ? -1 : oci__manifest_module_layer(&m);
    if (li < 0) {
        if (m.is_index)
            oci_fail("the store holds an image index for %s, not a module", canonical);
        oci__manifest_free(&m);
        free(raw);
        rc = -1;
        goto out;
    }
    if (!oci__store_has_blob(s, m.layers[li].digest, m.layers[li].size)) {
        rc = 1;
    } else {
        char p[STORE_PATH_SIZE];
        rc = fill_result(out, canonical, digest, &m, li,
                         oci__store_blob_path(s, m.layers[li].digest, p));
    }
    oci__manifest_free(&m);
    free(raw);
out:
    return rc;
}
