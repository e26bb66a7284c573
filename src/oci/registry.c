/* registry.c: a session with one registry.
 *
 * oci__registry_call() wraps one logical request: it adds authentication (see
 * auth.c), answers one 401 challenge, follows redirects when asked to (blob
 * downloads; Authorization is only ever sent to the registry's own origin,
 * never to the CDN a blob is redirected to), and retries connection errors,
 * 408, 429 and 5xx with exponential backoff and jitter, honouring
 * Retry-After.  oci__registry_fail() turns an unexpected answer into a message
 * with the registry's own error code and a hint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci_internal.h"

#define MAX_RETRIES     4
#define MAX_REDIRECTS   5
#define MAX_RETRY_AFTER 60.0

int oci__registry_open(struct registry *r, const char *registry, enum ref_scheme scheme,
                       const struct oci_options *o)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->registry = base_strdup(registry);
    r->host = base_strdup(oci__registry_api_host(registry));
    if (!r->registry || !r->host) {
        oci__registry_close(r);
        return oci_fail_nomem();
    }
    if (scheme == SCHEME_HTTPS)
        r->plain_http = false;
    else if (scheme == SCHEME_HTTP || o->plain_http)
        r->plain_http = true;
    else
        r->plain_http = oci__is_loopback_host(r->host);
    r->base = base_asprintf("%s://%s", r->plain_http ? "http" : "https", r->host);
    if (!r->base) {
        oci__registry_close(r);
        return oci_fail_nomem();
    }
    if (oci__http_init(&r->http, o) < 0) {
        oci__registry_close(r);
        return -1;
    }
    return 0;
}

void oci__registry_close(struct registry *r)
{
    oci__http_cleanup(&r->http);
    oci__auth_free(r);
    free(r->registry);
    free(r->host);
    free(r->base);
    memset(r, 0, sizeof *r);
}

char *oci__scope_for(char out[SCOPE_SIZE], const char *repository, const char *actions)
{
    snprintf(out, SCOPE_SIZE, "repository:%s:%s", repository, actions);
    return out;
}

int oci__api_path(char out[API_PATH_SIZE], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, API_PATH_SIZE, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= API_PATH_SIZE)
        return oci_fail("a registry path longer than %d bytes", API_PATH_SIZE - 1);
    return 0;
}

/* Append "NAME: VALUE"; false (the list kept) when out of memory. */
static bool add_header(struct curl_slist **headers, const char *name, const char *value)
{
    char *h = base_asprintf("%s: %s", name, value);
    struct curl_slist *l = h ? curl_slist_append(*headers, h) : NULL;
    if (h) {
        memset(h, 0, strlen(h)); /* may be a credential */
        free(h);
    }
    if (!l)
        return false;
    *headers = l;
    return true;
}

/* Seconds to wait before retry number `attempt` (0-based). */
static double backoff_delay(int attempt, const char *retry_after)
{
    double d = 0.2 * (double)(1 << attempt);
    if (d > 3.0)
        d = 3.0;
    d *= 0.75 + 0.5 * ((double)rand() / RAND_MAX);
    if (retry_after && *retry_after) {
        char *end;
        double ra = strtod(retry_after, &end);
        if (end == retry_after) { /* an HTTP date */
            time_t t = curl_getdate(retry_after, NULL);
            ra = t > 0 ? (double)(t - time(NULL)) : 0;
        }
        if (ra > MAX_RETRY_AFTER)
            ra = MAX_RETRY_AFTER;
        if (ra > d)
            d = ra;
    }
    return d;
}

int oci__registry_call(struct registry *r, const struct reg_call *call, struct http_response *resp)
{
    char *url =
        call->url[0] == '/' ? base_asprintf("%s%s", r->base, call->url) : base_strdup(call->url);
    char *home = oci__url_origin(r->base);
    bool auth_answered = false;
    int redirects = 0, attempt = 0, rc = -1;
    if (!url || !home) {
        oci_fail_nomem();
        goto out;
    }

    for (;;) {
        char *origin = oci__url_origin(url);
        if (!origin) {
            oci_fail_nomem();
            goto out;
        }
        bool at_home = !strcmp(origin, home);
        free(origin);

        struct curl_slist *headers = NULL;
        char *auth = at_home ? oci__auth_header_for(r, call->scope) : NULL;
        bool had_auth = auth != NULL;
        bool headers_ok = true;
        if (auth) {
            headers_ok = add_header(&headers, "Authorization", auth);
            memset(auth, 0, strlen(auth));
            free(auth);
        }
        if (headers_ok && call->accept)
            headers_ok = add_header(&headers, "Accept", call->accept);
        if (headers_ok && call->content_type)
            headers_ok = add_header(&headers, "Content-Type", call->content_type);
        if (headers_ok && call->extra_header) {
            struct curl_slist *l = curl_slist_append(headers, call->extra_header);
            headers_ok = l != NULL;
            if (l)
                headers = l;
        }
        if (!headers_ok) {
            curl_slist_free_all(headers);
            oci_fail_nomem();
            goto out;
        }
        if (call->sink && oci__http_sink_reset(call->sink) < 0) {
            curl_slist_free_all(headers);
            oci_fail("cannot reset the download file");
            goto out;
        }
        struct http_request rq = {call->method, url, headers, call->upload, call->sink};
        int pr = oci__http_perform(&r->http, &rq, resp);
        curl_slist_free_all(headers);

        if (pr < 0) {
            if (call->sink && call->sink->overflow) {
                oci_fail("the registry sent more than the %llu bytes expected",
                         (unsigned long long)call->sink->limit);
                goto out;
            }
            if (call->sink && call->sink->write_errno) {
                oci_fail("cannot write the download: %s", strerror(call->sink->write_errno));
                goto out;
            }
            if (!call->no_retry && oci__http_error_retryable(resp->code) && attempt < MAX_RETRIES) {
                double d = backoff_delay(attempt++, NULL);
                oci__status_line(r->o->quiet, "%s: %s; retrying in %.1f s", r->registry,
                                 resp->errbuf, d);
                oci__sleep_seconds(d);
                continue;
            }
            oci__registry_transport_fail(r, resp, NULL);
            goto out;
        }
        long st = resp->status;
        if (st == 401 && at_home && !auth_answered) {
            auth_answered = true;
            int a = oci__auth_handle_challenge(r, resp->www_authenticate, call->scope, had_auth);
            if (a < 0)
                goto out;
            if (a > 0)
                continue;
            break;
        }
        if (call->follow_redirects && resp->location &&
            (st == 301 || st == 302 || st == 303 || st == 307 || st == 308)) {
            if (++redirects > MAX_REDIRECTS) {
                oci_fail("more than %d redirects fetching %s", MAX_REDIRECTS, call->url);
                goto out;
            }
            char *next = oci__url_resolve(url, resp->location);
            if (!next) {
                char exb[EXCERPT_SIZE];
                oci_fail("the registry redirected to an invalid or non-HTTP location \"%s\"",
                         oci__text_excerpt(exb, resp->location, strlen(resp->location), 200));
                goto out;
            }
            free(url);
            url = next;
            continue;
        }
        if ((st == 408 || st == 429 || (st >= 500 && st <= 599)) && !call->no_retry &&
            attempt < MAX_RETRIES) {
            double d = backoff_delay(attempt++, st == 429 || st == 503 ? resp->retry_after : NULL);
            oci__status_line(r->o->quiet, "%s: HTTP %ld; retrying in %.1f s", r->registry, st, d);
            oci__sleep_seconds(d);
            continue;
        }
        break;
    }
    rc = 0;
out:
    free(url);
    free(home);
    return rc;
}

/* "CODE: message; CODE: message" from a distribution-spec error body, in
 * out (at most the first three errors, each cut short). */
#define SUMMARY_SIZE 2048
static void error_body_summary(const struct http_response *resp, char out[SUMMARY_SIZE],
                               const char **first_code)
{
    *first_code = NULL;
    out[0] = '\0';
    if (!resp->body.data || !resp->body.len)
        return;
    json_error_t err;
    json_t *j = json_loadb(resp->body.data, resp->body.len, 0, &err);
    json_t *errors = json_object_get(j, "errors");
    static char code_copy[64];
    size_t n = 0;
    if (json_is_array(errors)) {
        size_t i;
        json_t *e;
        json_array_foreach(errors, i, e)
        {
            if (i == 3)
                break;
            const char *code = json_string_value(json_object_get(e, "code"));
            const char *msg = json_string_value(json_object_get(e, "message"));
            char cb[EXCERPT_SIZE], mb[EXCERPT_SIZE], db[EXCERPT_SIZE];
            char *c = oci__text_excerpt(cb, code ? code : "", code ? strlen(code) : 0, 60);
            char *m = oci__text_excerpt(mb, msg ? msg : "", msg ? strlen(msg) : 0, 300);
            if (i == 0 && *c) {
                snprintf(code_copy, sizeof code_copy, "%s", c);
                *first_code = code_copy;
            }
            /* detail can be anything; a string is often the useful part */
            const char *detail = json_string_value(json_object_get(e, "detail"));
            const char *d =
                detail && *detail ? oci__text_excerpt(db, detail, strlen(detail), 200) : NULL;
            int w = snprintf(out + n, SUMMARY_SIZE - n, "%s%s%s%s%s%s%s", i ? "; " : "", c,
                             *c && *m ? ": " : "", m, d ? " (" : "", d ? d : "", d ? ")" : "");
            if (w < 0 || (size_t)w >= SUMMARY_SIZE - n)
                break;
            n += (size_t)w;
        }
    }
    json_decref(j);
    if (!n)
        oci__text_excerpt(out, resp->body.data, resp->body.len, 200);
}

static const char *status_text(long status)
{
    switch (status) {
    case 400: return "bad request";
    case 401: return "authentication required";
    case 403: return "access denied";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 413: return "too large";
    case 416: return "range not satisfiable";
    case 429: return "too many requests";
    case 500: return "internal server error";
    case 502: return "bad gateway";
    case 503: return "service unavailable";
    case 504: return "gateway timeout";
    default: return "";
    }
}

int oci__registry_fail(struct registry *r, const struct http_response *resp, const char *what,
                       const char *actions, const char *repository)
{
    const char *code;
    char summary[SUMMARY_SIZE];
    error_body_summary(resp, summary, &code);
    if (!*summary) /* HEAD answers and some proxies carry no body: say what the status means */
        snprintf(summary, sizeof summary, "%s", status_text(resp->status));
    if (*summary)
        oci_fail("%s: %s (HTTP %ld)", what, summary, resp->status);
    else
        oci_fail("%s: HTTP %ld", what, resp->status);
    long st = resp->status;
    bool https_server = resp->body.data &&
                        strstr(resp->body.data, "Client sent an HTTP request to an HTTPS server");
    if (https_server) {
        oci_set_hint(
            "the registry speaks HTTPS: write https://%s/... (localhost and 127.0.0.0/8 default to plain HTTP)",
            r->registry);
    } else if (st == 401) {
        if (r->last_challenge_error && !strcmp(r->last_challenge_error, "insufficient_scope"))
            oci_set_hint_action(r->creds_state > 0 ? OCI_HINT_NONE : OCI_HINT_CREDENTIALS,
                                r->registry,
                                "the credentials in use do not grant %s access to %s%s",
                                actions ? actions : "this",
                                repository ? repository : "this repository",
                                r->creds_state > 0 ? "" : "; ");
        else if (r->creds_state > 0 || r->refused_credentials)
            oci_set_hint_action(OCI_HINT_LOGIN_AGAIN, r->registry,
                                "%s refused the credentials from %s; check them or ", r->registry,
                                r->creds.source ? r->creds.source : "the command line");
        else
            oci_set_hint_action(OCI_HINT_CREDENTIALS, r->registry,
                                "%s requires authentication: ", r->registry);
    } else if (st == 403 || (code && !strcmp(code, "DENIED"))) {
        oci_set_hint("the credentials in use do not grant %s access to %s",
                     actions ? actions : "this", repository ? repository : "this repository");
    } else if (code && (!strcmp(code, "NAME_UNKNOWN") || !strcmp(code, "MANIFEST_UNKNOWN"))) {
        char repo[512];
        snprintf(repo, sizeof repo, "%s/%s", r->registry, repository ? repository : "REPOSITORY");
        oci_set_hint_action(OCI_HINT_LIST_TAGS, repo, "check the repository name and tag; ");
    } else if (st == 404 && !code) {
        oci_set_hint("is %s an OCI registry? It does not know this path", r->base);
    } else if (st == 429 || (code && !strcmp(code, "TOOMANYREQUESTS"))) {
        oci_set_hint("the registry is limiting the request rate; try again later");
    } else if (st >= 500) {
        oci_set_hint("the registry failed (retried %d times); try again later", MAX_RETRIES);
    }
    return -1;
}

int oci__registry_transport_fail(struct registry *r, const struct http_response *resp,
                                 const char *what)
{
    const char *msg = resp->errbuf[0] ? resp->errbuf : curl_easy_strerror(resp->code);
    if (what)
        oci_fail("%s: %s", what, msg);
    else
        oci_fail("%s: %s", r->base, msg);
    switch (resp->code) {
    case CURLE_SSL_CONNECT_ERROR:
        if (strstr(msg, "wrong version number") || strstr(msg, "packet length too long") ||
            strstr(msg, "record layer failure"))
            oci_set_hint_action(OCI_HINT_PLAIN_HTTP, r->registry,
                                "the registry seems to speak plain HTTP: ");
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        oci_set_hint_action(OCI_HINT_CA_FILE, r->registry,
                            "the certificate of %s is not trusted: ", r->registry);
        break;
    case CURLE_COULDNT_CONNECT: oci_set_hint("is a registry listening at %s?", r->base); break;
    case CURLE_COULDNT_RESOLVE_HOST:
        oci_set_hint("check the registry name \"%s\" (and the proxy settings)", r->registry);
        break;
    default: break;
    }
    return -1;
}

int oci__registry_check_login(struct registry *r)
{
    struct http_response resp = {0};
    struct reg_call call = {.method = "GET", .url = "/v2/"};
    int rc = oci__registry_call(r, &call, &resp);
    if (rc == 0 && resp.status != 200) {
        if (resp.status == 401 && r->creds_state > 0)
            r->refused_credentials = true;
        rc = oci__registry_fail(r, &resp, r->base, NULL, NULL);
    }
    oci__http_response_clear(&resp);
    return rc;
}
