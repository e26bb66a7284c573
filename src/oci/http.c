/* http.c: one HTTP exchange through libcurl.
 *
 * Deliberately thin: no redirects, no auth, no retries here (registry.c
 * decides those, because they depend on what is being fetched).  Bodies
 * stream: uploads are read from memory or a file range, downloads go to a
 * sink that enforces a size limit and can hash on the fly, so memory stays
 * bounded whatever the module size.  A non-2xx body never reaches the sink;
 * it is kept (up to 64 KiB) for the error message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "oci_internal.h"

#define USER_AGENT "wasm-bpf/0.1"

void oci__http_sink_init_memory(struct http_sink *s, uint64_t limit)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->limit = limit;
}

void oci__http_sink_init_file(struct http_sink *s, int fd, uint64_t limit, bool hashing,
                              struct progress *p)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->limit = limit;
    s->hashing = hashing;
    s->progress = p;
    if (hashing && oci__sha256_init(&s->hash) < 0)
        s->hash_failed = true;
}

/* Before a retry: forget what the previous attempt wrote. */
int oci__http_sink_reset(struct http_sink *s)
{
    s->written = 0;
    s->overflow = false;
    s->write_errno = 0;
    s->mem.len = 0;
    if (s->fd >= 0 && (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0))
        return -1;
    if (s->hashing) {
        oci__sha256_free(&s->hash);
        if (oci__sha256_init(&s->hash) < 0) {
            s->hash_failed = true;
            return -1;
        }
    }
    if (s->progress)
        oci__progress_reset(s->progress);
    return 0;
}

void oci__http_sink_free(struct http_sink *s)
{
    base_buf_free(&s->mem);
    if (s->hashing && s->hash.ctx)
        oci__sha256_free(&s->hash);
}

void oci__http_response_clear(struct http_response *r)
{
    free(r->location);
    free(r->content_type);
    free(r->docker_digest);
    free(r->www_authenticate);
    free(r->retry_after);
    free(r->link);
    base_buf_free(&r->body);
    memset(r, 0, sizeof *r);
    r->content_length = -1;
}

int oci__http_init(struct http *h, const struct oci_options *o)
{
    if (oci_libs_load() < 0)
        return -1;
    static bool global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return oci_fail("libcurl failed to initialise");
        global_done = true;
    }
    memset(h, 0, sizeof *h);
    h->curl = curl_easy_init();
    if (!h->curl)
        return oci_fail("libcurl failed to create a handle");
    h->insecure = o->insecure;
    h->ca_file = o->ca_file;
    return 0;
}

void oci__http_cleanup(struct http *h)
{
    if (h->curl)
        curl_easy_cleanup(h->curl);
    h->curl = NULL;
}

struct exchange {
    const struct http_request *rq;
    struct http_response *resp;
};

/* Out of memory: the header is dropped and the response marked, so the
 * exchange fails rather than going on without it. */
static void set_header(struct http_response *r, char **slot, const char *value, size_t n)
{
    free(*slot);
    *slot = base_strndup(value, n);
    if (!*slot)
        r->out_of_memory = true;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct exchange *x = arg;
    struct http_response *r = x->resp;
    size_t len = size * nmemb, n = len;
    while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
        /* a new status line (after 100 Continue, for instance): start over */
        const char *sp = memchr(data, ' ', n);
        long status = sp ? strtol(sp + 1, NULL, 10) : 0;
        oci__http_response_clear(r);
        r->status = status;
        return len;
    }
    const char *colon = memchr(data, ':', n);
    if (!colon)
        return len;
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1;
    while (v < data + n && (*v == ' ' || *v == '\t'))
        v++;
    size_t vlen = (size_t)(data + n - v);
    while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
#define IS(name) (name_len == sizeof name - 1 && !strncasecmp(data, name, name_len))
    if (IS("Location"))
        set_header(r, &r->location, v, vlen);
    else if (IS("Content-Type"))
        set_header(r, &r->content_type, v, vlen);
    else if (IS("Docker-Content-Digest"))
        set_header(r, &r->docker_digest, v, vlen);
    else if (IS("WWW-Authenticate")) {
        /* several challenges may come; keep the first Bearer or Basic one */
        if (!r->www_authenticate || (strncasecmp(r->www_authenticate, "Bearer", 6) &&
                                     strncasecmp(r->www_authenticate, "Basic", 5)))
            set_header(r, &r->www_authenticate, v, vlen);
    } else if (IS("Retry-After"))
        set_header(r, &r->retry_after, v, vlen);
    else if (IS("Link"))
        set_header(r, &r->link, v, vlen);
    else if (IS("Content-Length")) {
        char tmp[32];
        if (vlen < sizeof tmp) {
            memcpy(tmp, v, vlen);
            tmp[vlen] = '\0';
            char *end;
            long long cl = strtoll(tmp, &end, 10);
            if (*end == '\0' && cl >= 0)
                r->content_length = cl;
        }
    }
#undef IS
    return len;
}

static size_t sink_write(struct http_sink *s, const char *data, size_t len)
{
    if (s->written + len > s->limit) {
        s->overflow = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    if (s->fd >= 0) {
        const char *p = data;
        size_t left = len;
        while (left) {
            ssize_t n = write(s->fd, p, left);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                s->write_errno = errno;
                return 0;
            }
            p += n;
            left -= (size_t)n;
        }
    } else if (base_buf_append(&s->mem, data, len) < 0) {
        s->write_errno = ENOMEM;
        return 0;
    }
    if (s->hashing)
        oci__sha256_update(&s->hash, data, len);
    s->written += len;
    if (s->progress)
        oci__progress_add(s->progress, len);
    return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct exchange *x = arg;
    struct http_response *r = x->resp;
    size_t len = size * nmemb;
    if (x->rq->sink && r->status >= 200 && r->status < 300)
        return sink_write(x->rq->sink, data, len);
    size_t room = MAX_ERROR_BODY > r->body.len ? MAX_ERROR_BODY - r->body.len : 0;
    if (len > room)
        r->body_truncated = true;
    if (base_buf_append(&r->body, data, len < room ? len : room) < 0) {
        r->out_of_memory = true;
        return 0;
    }
    return len;
}

static size_t on_read(char *dst, size_t size, size_t nmemb, void *arg)
{
    struct http_upload *u = arg;
    size_t want = size * nmemb;
    uint64_t left = u->size - u->pos;
    if (want > left)
        want = (size_t)left;
    if (!want)
        return 0;
    if (u->fd >= 0) {
        ssize_t n;
        do
            n = pread(u->fd, dst, want, (off_t)(u->offset + u->pos));
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            u->read_errno = errno;
            return CURL_READFUNC_ABORT;
        }
        if (n == 0) { /* the file shrank under us */
            u->read_errno = EIO;
            return CURL_READFUNC_ABORT;
        }
        want = (size_t)n;
    } else {
        memcpy(dst, u->data + u->pos, want);
    }
    u->pos += want;
    if (u->progress)
        oci__progress_add(u->progress, want);
    return want;
}

static int on_seek(void *arg, curl_off_t offset, int origin)
{
    struct http_upload *u = arg;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > u->size)
        return CURL_SEEKFUNC_CANTSEEK;
    if (u->progress && (uint64_t)offset <= u->pos && u->progress->done >= u->pos - (uint64_t)offset)
        u->progress->done -= u->pos - (uint64_t)offset;
    u->pos = (uint64_t)offset;
    return CURL_SEEKFUNC_OK;
}

int oci__http_perform(struct http *h, const struct http_request *rq, struct http_response *resp)
{
    CURL *c = h->curl;
    oci__http_response_clear(resp);
    curl_easy_reset(c);

    struct exchange x = {rq, resp};
    struct curl_slist *headers = NULL;
    for (struct curl_slist *p = rq->headers; p; p = p->next)
        headers = curl_slist_append(headers, p->data);
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */

    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, resp->errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    /* a stalled transfer (under 1 byte/s for a minute) is a failure */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
    if (h->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (h->ca_file) {
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    }

    struct http_upload empty_upload = {.fd = -1};
    struct http_upload *up = rq->upload;
    if (!strcmp(rq->method, "GET")) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (!strcmp(rq->method, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(rq->method, "DELETE")) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
        /* PUT, POST, PATCH: always an explicit Content-Length (0 if no body) */
        if (!up)
            up = &empty_upload;
        up->pos = 0;
        up->read_errno = 0;
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->size);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, up);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, up);
        if (strcmp(rq->method, "PUT"))
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
    }

    resp->code = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (resp->out_of_memory) {
        resp->code = CURLE_OUT_OF_MEMORY;
        snprintf(resp->errbuf, sizeof resp->errbuf, "out of memory keeping the response");
        return -1;
    }
    if (resp->code != CURLE_OK) {
        if (!resp->errbuf[0])
            snprintf(resp->errbuf, sizeof resp->errbuf, "%s", curl_easy_strerror(resp->code));
        /* a sink that refused data already says why; the status is still useful */
        if (rq->sink && (rq->sink->overflow || rq->sink->write_errno))
            return -1;
        if (up && up->read_errno)
            snprintf(resp->errbuf, sizeof resp->errbuf, "reading the upload: %s",
                     strerror(up->read_errno));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    resp->status = status;
    return 0;
}

char *oci__url_resolve(const char *base, const char *location)
{
    CURLU *u = curl_url();
    char *out = NULL, *scheme = NULL;
    if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK)
        goto done;
    if (curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK)
        goto done;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        goto done;
    if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https"))
        goto done;
    char *url = NULL;
    if (curl_url_get(u, CURLUPART_URL, &url, 0) == CURLUE_OK) {
        out = base_strdup(url); /* NULL: out of memory, said as invalid */
        curl_free(url);
    }
done:
    curl_free(scheme);
    curl_url_cleanup(u);
    return out;
}

char *oci__url_origin(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        out = base_asprintf("%s://%s:%s", scheme, host, port);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out ? out : base_strdup("");
}

char *oci__url_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *out = e ? base_strdup(e) : NULL;
    curl_free(e);
    if (!out)
        errno = ENOMEM;
    return out;
}

bool oci__http_error_retryable(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return true;
    default: return false;
    }
}
