/* resolve.c: what `wasm-bpf run X` means by X.
 *
 * In order: an existing file; something that can only be a path (starts
 * with /, ./ or ../, or ends in .wasm) and is missing: an error, not a
 * registry lookup; an http(s) URL naming a file (path ends in .wasm, or a
 * query string as presigned URLs have): downloaded; anything else: an OCI
 * reference, with or without a scheme (ecli's habit), taken from the store
 * or pulled as --pull says. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci_internal.h"

#define MAX_URL_REDIRECTS 5

static bool is_url(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

/* A URL that names a file rather than an image. */
static bool url_names_file(const char *url)
{
    const char *rest = strstr(url, "://") + 3;
    const char *path = strchr(rest, '/');
    if (!path)
        return false;
    if (strpbrk(path, "?#"))
        return true;
    size_t n = strlen(path);
    return n >= 5 && !strcasecmp(path + n - 5, ".wasm");
}

static bool looks_like_path(const char *s)
{
    return s[0] == '/' || oci__str_starts_with(s, "./") || oci__str_starts_with(s, "../") ||
           oci__str_ends_with(s, ".wasm");
}

bool oci_is_local_path(const char *what)
{
    struct stat st;
    return !is_url(what) && (stat(what, &st) == 0 || looks_like_path(what));
}

/* Download a URL to a temporary file: redirects followed, retried. */
static int download_url(const char *url_text, const struct oci_options *o, struct oci_module *out)
{
    const char *tmpdir = getenv("TMPDIR");
    char *tmp =
        base_asprintf("%s/wasm-bpf-download-XXXXXX.wasm", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!tmp)
        return oci_fail_nomem();
    int fd = mkostemps(tmp, 5, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return oci_fail("cannot create a temporary file: %s", strerror(e));
    }
    struct http h;
    char *url = base_strdup(url_text);
    if (!url || oci__http_init(&h, o) < 0) {
        if (!url)
            oci_fail_nomem();
        close(fd);
        unlink(tmp);
        free(tmp);
        free(url);
        return -1;
    }
    struct progress p;
    oci__progress_start(&p, "Downloading", "module", 0, o->quiet);
    struct http_sink sink;
    oci__http_sink_init_file(&sink, fd, MAX_MODULE_SIZE, false, &p);
    struct http_response resp = {0};
    int rc = -1, redirects = 0, attempt = 0;
    for (;;) {
        oci__http_sink_reset(&sink);
        struct http_request rq = {"GET", url, NULL, NULL, &sink};
        if (oci__http_perform(&h, &rq, &resp) < 0) {
            if (sink.write_errno) {
                oci_fail("cannot write %s: %s", tmp, strerror(sink.write_errno));
                break;
            }
            if (oci__http_error_retryable(resp.code) && attempt < 4) {
                oci__sleep_seconds(0.2 * (1 << attempt++));
                continue;
            }
            oci_fail("%s: %s", url, resp.errbuf);
            if (resp.code == CURLE_PEER_FAILED_VERIFICATION)
                oci_set_hint_action(OCI_HINT_CA_FILE, NULL, "%s", "");
            break;
        }
        long st = resp.status;
        if ((st == 301 || st == 302 || st == 303 || st == 307 || st == 308) && resp.location) {
            char *next =
                ++redirects <= MAX_URL_REDIRECTS ? oci__url_resolve(url, resp.location) : NULL;
            if (!next) {
                oci_fail("%s: too many or invalid redirects", url_text);
                break;
            }
            free(url);
            url = next;
            continue;
        }
        if ((st == 408 || st == 429 || st >= 500) && attempt < 4) {
            oci__sleep_seconds(0.2 * (1 << attempt++));
            continue;
        }
        if (st != 200) {
            char exb[EXCERPT_SIZE];
            char *ex =
                oci__text_excerpt(exb, resp.body.data ? resp.body.data : "", resp.body.len, 200);
            oci_fail("%s: HTTP %ld%s%s", url_text, st, *ex ? ": " : "", ex);
            break;
        }
        char head[4];
        if (sink.written < 4 || pread(fd, head, 4, 0) != 4 || memcmp(head, "\0asm", 4)) {
            oci_fail("%s is not a WebAssembly module (no \\0asm header)", url_text);
            break;
        }
        p.total = sink.written;
        oci__progress_finish(&p, "Downloaded");
        rc = 0;
        break;
    }
    oci__http_sink_free(&sink);
    oci__http_response_clear(&resp);
    oci__http_cleanup(&h);
    free(url);
    close(fd);
    if (rc < 0) {
        unlink(tmp);
        free(tmp);
        return -1;
    }
    out->path = tmp;
    out->temporary = true;
    return 0;
}

int oci_resolve_module(const char *what, const struct oci_run_options *o, struct oci_module *out)
{
    OCI_ERROR_SCOPE(&o->oci);
    memset(out, 0, sizeof *out);
    if (!what || !*what)
        return oci_fail("no module given");

    if (!is_url(what)) {
        struct stat st;
        if (stat(what, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                return oci_fail("%s is a directory, not a module", what);
            out->path = base_strdup(what);
            return out->path ? 0 : oci_fail_nomem();
        }
        if (looks_like_path(what))
            return oci_fail("%s: %s", what, strerror(errno));
    }
    /* from here on: downloads, the store and registries */
    if (oci_libs_load() < 0)
        return -1;
    if (is_url(what) && url_names_file(what))
        return download_url(what, &o->oci, out);

    struct oci_ref ref;
    if (oci__ref_parse(what, &ref) < 0) {
        if (is_url(what))
            oci_set_hint(
                "a URL is downloaded as a file only when its path ends in .wasm (or it has a query); "
                "otherwise it names an OCI image");
        else
            oci_set_hint("not a file here, so it was read as an OCI reference");
        return -1;
    }
    struct store s;
    int rc = -1;
    struct oci_pull_result res = {0};
    if (oci__store_open(&s, &o->oci, o->pull != OCI_PULL_NEVER) < 0) {
        oci__ref_free(&ref);
        return -1;
    }
    int found = 1;
    if (o->pull != OCI_PULL_ALWAYS) {
        found = oci__store_find_module(&s, &ref, &res);
        if (found < 0)
            goto out;
    }
    if (found == 0 && o->oci.policy &&
        oci__trust_check_stored(&o->oci, &ref, res.manifest_digest) < 0)
        goto out;
    if (found == 1) {
        if (o->pull == OCI_PULL_NEVER) {
            char canonical[REF_STRING_SIZE];
            oci__ref_string(&ref, canonical);
            oci_fail("%s is not in the store (%s) and the pull policy \"never\" forbids pulling it",
                     canonical, s.root);
            oci_set_hint_action(OCI_HINT_PULL_FIRST, canonical, "%s", "");
            goto out;
        }
        if (oci__pull_ref(&ref, NULL, &o->oci, &res) < 0)
            goto out;
    }
    /* the bytes about to run are the ones the digest names (a mark keeps an
     * unchanged blob from being hashed at every run) */
    if (oci__store_verify_blob(&s, res.module_digest) < 0)
        goto out;
    /* the annotations come from the manifest whose digest was checked (the
     * declared permissions `run` enforces): its stored bytes are hashed again */
    size_t mlen;
    char *manifest = oci__store_read_blob(&s, res.manifest_digest, MAX_MANIFEST_SIZE, &mlen);
    char computed[OCI_DIGEST_SIZE];
    if (!manifest || oci__sha256_bytes(manifest, mlen, computed) < 0 ||
        strcmp(computed, res.manifest_digest)) {
        if (manifest)
            oci_fail("the stored manifest %s does not match its digest", res.manifest_digest);
        free(manifest);
        goto out;
    }
    json_t *m = json_loadb(manifest, mlen, 0, NULL);
    free(manifest);
    json_t *ann = json_object_get(m, "annotations");
    out->annotations = json_is_object(ann) ? json_dumps(ann, JSON_COMPACT) : base_strdup("{}");
    json_decref(m);
    if (!out->annotations) {
        oci_fail_nomem();
        goto out;
    }
    out->path = res.module_path;
    res.module_path = NULL;
    snprintf(out->digest, sizeof out->digest, "%s", res.module_digest);
    rc = 0;
out:
    oci_pull_result_free(&res);
    oci__store_close(&s);
    oci__ref_free(&ref);
    return rc;
}

void oci_module_release(struct oci_module *m)
{
    if (m->temporary && m->path)
        unlink(m->path);
    free(m->path);
    free(m->annotations);
    memset(m, 0, sizeof *m);
}
