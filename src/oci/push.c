/* push.c: publishing a module.
 *
 * Each blob: HEAD (present: skip), POST an upload session, then one PUT
 * with the whole body (or PATCH chunks to the newest Location, then a
 * closing PUT) with `digest=` appended to the Location the registry gave,
 * which may be relative and may already carry a query.  Then the manifest,
 * whose digest is the sha256 of the exact bytes we send.  The module is
 * streamed from its file, never held in memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci_internal.h"

#define UPLOAD_ATTEMPTS 3

struct blob_source {
    const char *data; /* in memory, or */
    int fd;           /* a file */
    uint64_t size;
    char digest[OCI_DIGEST_SIZE];
};

static char *with_digest(const char *location, const char *digest)
{
    char *e = oci__url_escape(digest);
    char *u =
        e ? base_asprintf("%s%cdigest=%s", location, strchr(location, '?') ? '&' : '?', e) : NULL;
    free(e);
    return u; /* NULL: out of memory */
}

/* POST an upload session; returns its absolute URL, or NULL. */
static char *start_upload(struct registry *r, const char *repository, const char *scope,
                          bool *retryable)
{
    char path[API_PATH_SIZE];
    if (oci__api_path(path, "/v2/%s/blobs/uploads/", repository) < 0)
        return NULL;
    struct http_response resp = {0};
    struct reg_call call = {.method = "POST", .url = path, .scope = scope};
    char *loc = NULL;
    *retryable = false;
    if (oci__registry_call(r, &call, &resp) < 0)
        goto out;
    if (resp.status != 202) {
        oci__registry_fail(r, &resp, "starting an upload", "push", repository);
        goto out;
    }
    char *base = base_asprintf("%s%s", r->base, path);
    if (!base) {
        oci_fail_nomem();
        goto out;
    }
    loc = resp.location ? oci__url_resolve(base, resp.location) : NULL;
    free(base);
    if (!loc)
        oci_fail("starting an upload: the registry gave no usable Location");
out:
    oci__http_response_clear(&resp);
    return loc;
}

/* One attempt at uploading a blob through a fresh session. */
static int upload_once(struct registry *r, const char *repository, const char *scope,
                       const struct blob_source *b, uint64_t chunk_size, struct progress *p,
                       bool *retryable)
{
    char *loc = start_upload(r, repository, scope, retryable);
    if (!loc)
        return -1;
    struct http_response resp = {0};
    int rc = -1;
    oci__progress_reset(p);
    uint64_t sent = 0;
    if (chunk_size && b->size > chunk_size) {
        while (sent < b->size) {
            uint64_t n = b->size - sent < chunk_size ? b->size - sent : chunk_size;
            struct http_upload up = {.data = b->data ? b->data + sent : NULL,
                                     .fd = b->fd,
                                     .offset = b->fd >= 0 ? sent : 0,
                                     .size = n,
                                     .progress = p};
            char range[64];
            snprintf(range, sizeof range, "Content-Range: %llu-%llu", (unsigned long long)sent,
                     (unsigned long long)(sent + n - 1));
            struct reg_call call = {.method = "PATCH",
                                    .url = loc,
                                    .scope = scope,
                                    .content_type = "application/octet-stream",
                                    .extra_header = range,
                                    .upload = &up,
                                    .no_retry = true};
            if (oci__registry_call(r, &call, &resp) < 0) {
                *retryable = true;
                goto out;
            }
            if (resp.status != 202) {
                *retryable = resp.status >= 500;
                oci__registry_fail(r, &resp, "uploading a chunk", "push", repository);
                goto out;
            }
            char *next = resp.location ? oci__url_resolve(loc, resp.location) : NULL;
            if (!next) {
                oci_fail("uploading a chunk: the registry gave no usable Location");
                goto out;
            }
            free(loc);
            loc = next; /* always the newest Location */
            sent += n;
        }
    }
    struct http_upload up = {.data = b->data ? b->data + sent : NULL,
                             .fd = b->fd,
                             .offset = sent,
                             .size = b->size - sent,
                             .progress = p};
    char *url = with_digest(loc, b->digest);
    struct reg_call call = {.method = "PUT",
                            .url = url,
                            .scope = scope,
                            .content_type = "application/octet-stream",
                            .upload = &up,
                            .no_retry = true};
    if (!url) {
        oci_fail_nomem();
    } else if (oci__registry_call(r, &call, &resp) < 0) {
        *retryable = true;
    } else if (resp.status != 201) {
        *retryable = resp.status >= 500;
        oci__registry_fail(r, &resp, "uploading", "push", repository);
    } else if (resp.docker_digest && oci__str_starts_with(resp.docker_digest, "sha256:") &&
               strcmp(resp.docker_digest, b->digest)) {
        oci_fail("the registry stored the blob as %.80s, expected %s", resp.docker_digest,
                 b->digest);
    } else {
        rc = 0;
    }
    free(url);
out:
    oci__http_response_clear(&resp);
    free(loc);
    return rc;
}

static int push_blob(struct registry *r, const char *repository, const struct blob_source *b,
                     uint64_t chunk_size)
{
    char scope[SCOPE_SIZE];
    oci__scope_for(scope, repository, "pull,push");
    char path[API_PATH_SIZE];
    if (oci__api_path(path, "/v2/%s/blobs/%s", repository, b->digest) < 0)
        return -1;
    struct progress p;
    oci__progress_start(&p, "Uploading", b->digest, b->size, r->o->quiet);
    struct http_response resp = {0};
    struct reg_call head = {.method = "HEAD",
                            .url = path,
                            .scope = scope,
                            .follow_redirects = true};
    int rc = -1;
    if (oci__registry_call(r, &head, &resp) < 0)
        goto out;
    if (resp.status == 200) {
        oci__progress_finish(&p, "Already exists");
        rc = 0;
        goto out;
    }
    if (resp.status != 404) {
        oci__registry_fail(r, &resp, "checking for a blob", "push", repository);
        goto out;
    }
    for (int attempt = 0; attempt < UPLOAD_ATTEMPTS; attempt++) {
        bool retryable = false;
        rc = upload_once(r, repository, scope, b, chunk_size, &p, &retryable);
        if (rc == 0 || !retryable)
            break;
        if (attempt + 1 < UPLOAD_ATTEMPTS) {
            oci__status_line(r->o->quiet, "%s: upload failed (%s); starting it again", p.label,
                             oci_error_current()->message);
            oci__sleep_seconds(0.5 * (attempt + 1));
        }
    }
    if (rc == 0)
        oci__progress_finish(&p, "Pushed");
    else
        oci__progress_fail(&p);
out:
    if (rc < 0)
        oci_error_context("blob %s", b->digest);
    oci__http_response_clear(&resp);
    return rc;
}

/* A small blob already in memory (signature payloads, bundles, configs):
 * used by sign.c. */
int oci__push_bytes(struct registry *r, const char *repository, const void *data, size_t len,
                    const char *digest)
{
    struct blob_source b = {.data = data, .fd = -1, .size = len};
    snprintf(b.digest, sizeof b.digest, "%s", digest);
    return push_blob(r, repository, &b, 0);
}

static bool utf8_ok(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}

int oci_push(const char *ref_text, const char *module_path, const struct oci_push_options *po,
             const struct oci_options *o, char digest_out[OCI_DIGEST_SIZE])
{
    OCI_ERROR_SCOPE(o);
    struct oci_ref ref;
    if (oci__enter_ref(ref_text, &ref) < 0)
        return -1;
    int rc = -1, fd = -1;
    bool open_registry = false;
    struct registry r;
    struct push_blobs pb = {0};
    char canonical[REF_STRING_SIZE];
    oci__ref_string(&ref, canonical);
    char *title = base_path_basename(module_path);
    if (!title) {
        oci__ref_free(&ref);
        return oci_fail_nomem();
    }

    if (ref.digest) {
        oci_fail("%s: push needs a tag, not a digest (the digest is computed from what is pushed)",
                 ref_text);
        goto out;
    }
    for (size_t i = 0; i < po->n_annotations; i++)
        if (!po->annotations[i].key[0] || !utf8_ok(po->annotations[i].key) ||
            !utf8_ok(po->annotations[i].value)) {
            oci_fail("annotation %zu: the key must be non-empty and both key and value valid UTF-8",
                     i + 1);
            goto out;
        }
    if (!utf8_ok(title)) {
        oci_fail("the module's file name is not valid UTF-8; set a title with -a %s=NAME",
                 ANN_TITLE);
        goto out;
    }

    fd = open(module_path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        oci_fail("cannot open the module %s: %s", module_path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        oci_fail("the module %s is not a regular file", module_path);
        goto out;
    }
    if (st.st_size == 0) {
        oci_fail("the module %s is empty", module_path);
        goto out;
    }
    char magic[4];
    if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, "\0asm", 4)) {
        oci_fail("%s is not a WebAssembly module (no \\0asm header)", module_path);
        goto out;
    }
    struct blob_source module = {.fd = fd};
    if (oci__sha256_file(module_path, module.digest, &module.size) < 0)
        goto out;
    if (module.size != (uint64_t)st.st_size) {
        oci_fail("the module %s changed while it was read", module_path);
        goto out;
    }
    /* reproducible: the same file gives the same digest (SOURCE_DATE_EPOCH wins) */
    int64_t created = st.st_mtime;
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde)
        created = strtoll(sde, NULL, 10);
    if (oci__manifest_build(po, title, module.digest, module.size, created, &pb) < 0)
        goto out;

    if (oci__registry_open(&r, ref.registry, ref.scheme, o) < 0)
        goto out;
    open_registry = true;
    oci__status_line(o->quiet, "Pushing %s (%s format)", canonical, oci_format_name(po->format));
    struct blob_source config = {.data = pb.config, .fd = -1, .size = pb.config_len};
    memcpy(config.digest, pb.config_digest, OCI_DIGEST_SIZE);
    if (push_blob(&r, ref.repository, &config, 0) < 0 ||
        push_blob(&r, ref.repository, &module, po->chunk_size) < 0)
        goto out;

    char scope[SCOPE_SIZE];
    oci__scope_for(scope, ref.repository, "pull,push");
    char path[API_PATH_SIZE];
    if (oci__api_path(path, "/v2/%s/manifests/%s", ref.repository, ref.tag) < 0)
        goto out;
    struct http_upload up = {.data = pb.manifest, .fd = -1, .size = pb.manifest_len};
    struct http_response resp = {0};
    struct reg_call call = {.method = "PUT",
                            .url = path,
                            .scope = scope,
                            .content_type = MT_OCI_MANIFEST,
                            .upload = &up};
    if (oci__registry_call(&r, &call, &resp) == 0) {
        if (resp.status < 200 || resp.status > 299) {
            oci__registry_fail(&r, &resp, "pushing the manifest", "push", ref.repository);
        } else if (resp.docker_digest && oci__str_starts_with(resp.docker_digest, "sha256:") &&
                   strcmp(resp.docker_digest, pb.manifest_digest)) {
            oci_fail("the registry stored the manifest as %.80s, but it hashes to %s",
                     resp.docker_digest, pb.manifest_digest);
        } else {
            rc = 0;
        }
    }
    oci__http_response_clear(&resp);
    if (rc == 0) {
        memcpy(digest_out, pb.manifest_digest, OCI_DIGEST_SIZE);
        oci__status_line(o->quiet, "Pushed %s", canonical);
        oci__status_line(o->quiet, "Digest: %s", pb.manifest_digest);
    }
out:
    if (rc < 0)
        oci_error_context("push %s", canonical);
    if (open_registry)
        oci__registry_close(&r);
    if (fd >= 0)
        close(fd);
    oci__push_blobs_free(&pb);
    free(title);
    oci__ref_free(&ref);
    return rc;
}
