/* inspect.c: describing a module (from the store or the registry) and
 * listing a repository's tags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci_internal.h"

#define MAX_TAG_PAGES 10000
#define MAX_TAGS_BODY (16u << 20)

/* The config blob from the registry, checked, in memory. */
static char *fetch_config(struct registry *r, const char *repository, const struct descriptor *d,
                          size_t *len)
{
    if (d->size > MAX_CONFIG_SIZE) {
        oci_fail("the config blob %s is larger than %u bytes", d->digest, MAX_CONFIG_SIZE);
        return NULL;
    }
    char scope[SCOPE_SIZE];
    oci__scope_for(scope, repository, "pull");
    char path[API_PATH_SIZE];
    if (oci__api_path(path, "/v2/%s/blobs/%s", repository, d->digest) < 0)
        return NULL;
    struct http_sink sink;
    oci__http_sink_init_memory(&sink, d->size);
    struct http_response resp = {0};
    struct reg_call call = {.method = "GET",
                            .url = path,
                            .scope = scope,
                            .sink = &sink,
                            .follow_redirects = true};
    char *out = NULL;
    if (oci__registry_call(r, &call, &resp) < 0) {
        oci_error_context("config %s", d->digest);
    } else if (resp.status != 200) {
        char what[OCI_DIGEST_SIZE + 32];
        snprintf(what, sizeof what, "config %s", d->digest);
        oci__registry_fail(r, &resp, what, "pull", repository);
    } else {
        char computed[OCI_DIGEST_SIZE];
        if (oci__sha256_bytes(sink.mem.data ? sink.mem.data : "", sink.mem.len, computed) < 0) {
            /* the error is set */
        } else if (sink.mem.len != d->size || strcmp(computed, d->digest)) {
            oci_fail("config %s: the registry sent content with digest %s (%zu bytes)", d->digest,
                     computed, sink.mem.len);
        } else {
            out = sink.mem.data ? sink.mem.data : base_strdup("");
            if (!out)
                oci_fail_nomem();
            sink.mem.data = NULL;
            *len = d->size;
        }
    }
    oci__http_sink_free(&sink);
    oci__http_response_clear(&resp);
    return out;
}

static json_t *describe(const char *canonical, const char *source, const char *digest,
                        const char *index_digest, const struct manifest *m, const char *config,
                        size_t config_len)
{
    json_t *o = json_object();
    json_object_set_new(o, "reference", json_string(canonical));
    json_object_set_new(o, "source", json_string(source));
    json_object_set_new(o, "digest", json_string(digest));
    if (index_digest)
        json_object_set_new(o, "index", json_string(index_digest));
    json_object_set_new(o, "mediaType", json_string(m->media_type));
    json_object_set_new(o, "format", json_string(oci_format_name(oci__manifest_format(m))));
    if (m->artifact_type)
        json_object_set_new(o, "artifactType", json_string(m->artifact_type));
    int li = oci__manifest_module_layer(m);
    oci_error_clear();
    if (li >= 0) {
        const struct descriptor *d = &m->layers[li];
        json_t *mod = json_pack("{s:s, s:I, s:s}", "digest", d->digest, "size", (json_int_t)d->size,
                                "mediaType", d->media_type);
        if (d->title)
            json_object_set_new(mod, "title", json_string(d->title));
        json_object_set_new(o, "module", mod);
    }
    json_t *ann = json_object_get(m->root, "annotations");
    json_object_set_new(o, "annotations", json_is_object(ann) ? json_incref(ann) : json_object());
    json_object_set(o, "manifest", m->root);
    if (config) {
        json_error_t err;
        json_t *c = json_loadb(config, config_len, 0, &err);
        json_object_set_new(o, "config",
                            c ? c : json_pack("{s:I}", "size", (json_int_t)config_len));
    }
    return o;
}

static char *dump(json_t *o)
{
    char *text = json_dumps(o, JSON_INDENT(2));
    json_decref(o);
    if (!text)
        oci_fail("cannot serialise the description");
    return text;
}

/* From the store: 0 done (*out set), 1 not there, -1 error. */
static int inspect_local(const struct oci_ref *ref, const char *canonical,
                         const struct oci_options *o, bool raw, char **out, size_t *out_len)
{
    struct store s;
    if (oci__store_open(&s, o, false) < 0)
        return -1;
    struct oci_pull_result found;
    int rc = oci__store_find_module(&s, ref, &found);
    if (rc != 0) {
        oci__store_close(&s);
        return rc;
    }
    size_t len;
    char *manifest_raw = oci__store_read_blob(&s, found.manifest_digest, MAX_MANIFEST_SIZE, &len);
    rc = -1;
    if (manifest_raw && raw) {
        *out = manifest_raw;
        *out_len = len;
        manifest_raw = NULL;
        rc = 0;
    } else if (manifest_raw) {
        struct manifest m;
        if (oci__manifest_parse(manifest_raw, len, NULL, &m) == 0) {
            size_t clen = 0;
            char *config = oci__store_has_blob(&s, m.config.digest, m.config.size)
                               ? oci__store_read_blob(&s, m.config.digest, MAX_CONFIG_SIZE, &clen)
                               : NULL;
            *out =
                dump(describe(canonical, "store", found.manifest_digest, NULL, &m, config, clen));
            rc = *out ? 0 : -1;
            free(config);
            oci__manifest_free(&m);
        }
    }
    free(manifest_raw);
    oci_pull_result_free(&found);
    oci__store_close(&s);
    return rc;
}

static char *inspect(const char *text, bool remote, const struct oci_options *o, bool raw,
                     size_t *len)
{
    struct oci_ref ref;
    if (oci__ref_parse(text, &ref) < 0)
        return NULL;
    char canonical[REF_STRING_SIZE];
    oci__ref_string(&ref, canonical);
    char *out = NULL;
    size_t out_len = 0;
    if (!remote) {
        int rc = inspect_local(&ref, canonical, o, raw, &out, &out_len);
        if (rc <= 0)
            goto done;
    }
    struct registry r;
    if (oci__registry_open(&r, ref.registry, ref.scheme, o) < 0)
        goto done;
    if (raw) {
        char digest[OCI_DIGEST_SIZE];
        out =
            oci__fetch_manifest(&r, ref.repository, oci__ref_object(&ref), &out_len, digest, NULL);
    } else {
        struct resolved res;
        if (oci__resolve_manifest(&r, &ref, o->platform, &res) == 0) {
            size_t clen = 0;
            char *config = fetch_config(&r, ref.repository, &res.m.config, &clen);
            if (config)
                out = dump(describe(canonical, "registry", res.digest,
                                    res.index_raw ? res.index_digest : NULL, &res.m, config, clen));
            free(config);
            oci__resolved_free(&res);
        }
    }
    oci__registry_close(&r);
done:
    if (!out)
        oci_error_context("inspect %s", canonical);
    oci__ref_free(&ref);
    if (len)
        *len = out_len;
    return out;
}

char *oci_inspect(const char *ref, bool remote, const struct oci_options *o)
{
    OCI_ERROR_SCOPE(o);
    return inspect(ref, remote, o, false, NULL);
}

char *oci_inspect_raw(const char *ref, bool remote, const struct oci_options *o, size_t *len)
{
    OCI_ERROR_SCOPE(o);
    if (oci_libs_load() < 0)
        return NULL;
    return inspect(ref, remote, o, true, len);
}

/* The URL of a Link header's rel="next", or NULL (none, or out of memory:
 * the listing stops there). */
static char *next_link(const char *link)
{
    if (!link)
        return NULL;
    const char *lt = strchr(link, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (!lt || !gt || !strstr(gt, "rel=\"next\""))
        return NULL;
    return base_strndup(lt + 1, (size_t)(gt - lt - 1));
}

int oci_list_tags(const char *text, unsigned page_size, const struct oci_options *o,
                  void (*fn)(const char *tag, void *arg), void *arg)
{
    OCI_ERROR_SCOPE(o);
    struct oci_ref ref;
    if (oci__enter_ref(text, &ref) < 0)
        return -1;
    struct registry r;
    if (oci__registry_open(&r, ref.registry, ref.scheme, o) < 0) {
        oci__ref_free(&ref);
        return -1;
    }
    char repo[REF_STRING_SIZE];
    oci__ref_repo_string(&ref, repo);
    char scope[SCOPE_SIZE];
    oci__scope_for(scope, ref.repository, "pull");
    char *url = page_size
                    ? base_asprintf("%s/v2/%s/tags/list?n=%u", r.base, ref.repository, page_size)
                    : base_asprintf("%s/v2/%s/tags/list", r.base, ref.repository);
    int rc = -1;
    if (!url)
        oci_fail_nomem();
    for (int page = 0; url && page < MAX_TAG_PAGES; page++) {
        struct http_sink sink;
        oci__http_sink_init_memory(&sink, MAX_TAGS_BODY);
        struct http_response resp = {0};
        struct reg_call call = {.method = "GET",
                                .url = url,
                                .scope = scope,
                                .accept = "application/json",
                                .sink = &sink};
        int cr = oci__registry_call(&r, &call, &resp);
        char *next = NULL;
        if (cr == 0 && resp.status != 200) {
            oci__registry_fail(&r, &resp, "listing tags", "pull", ref.repository);
            cr = -1;
        }
        if (cr == 0) {
            json_error_t err;
            json_t *j = json_loadb(sink.mem.data ? sink.mem.data : "", sink.mem.len, 0, &err);
            json_t *tags = json_object_get(j, "tags");
            if (!json_is_object(j) || !(json_is_array(tags) || json_is_null(tags))) {
                oci_fail("listing tags: the registry's answer is not a tag list");
                cr = -1;
            } else {
                size_t i;
                json_t *t;
                json_array_foreach(tags, i, t)
                {
                    const char *tag = json_string_value(t);
                    if (tag && oci__tag_valid(tag))
                        fn(tag, arg);
                }
                char *link = next_link(resp.link);
                if (link) {
                    next = oci__url_resolve(url, link);
                    free(link);
                    if (next && !strcmp(next, url)) { /* a loop */
                        free(next);
                        next = NULL;
                    }
                }
            }
            json_decref(j);
        }
        oci__http_sink_free(&sink);
        oci__http_response_clear(&resp);
        if (cr < 0)
            break;
        if (!next) {
            rc = 0;
            break;
        }
        free(url);
        url = next;
    }
    if (rc < 0)
        oci_error_context("%s", repo);
    free(url);
    oci__registry_close(&r);
    oci__ref_free(&ref);
    return rc;
}
