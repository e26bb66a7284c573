/* auth.c: authenticating to a registry.
 *
 * Requests go out anonymously until the registry answers 401.  Its
 * WWW-Authenticate challenge says how to authenticate: Basic (send the user
 * name and password on every request) or Bearer (get a token from the
 * realm the challenge names, for the scopes we need, and send that).  The
 * session remembers the scheme, so later requests authenticate up front
 * instead of paying a 401 round trip each.  Tokens are cached per scope
 * until they expire. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci_internal.h"

/* ---- WWW-Authenticate ---- */

static bool is_token_char(char c)
{
    return c && !isspace((unsigned char)c) && c != ',' && c != '=' && c != '"';
}

/* Parse `Scheme k=v, k="quoted, value", ...`.  Quoted values may contain
 * commas and colons (scopes do) and backslash escapes. */
int oci__challenge_parse(const char *header, struct challenge *c)
{
    memset(c, 0, sizeof *c);
    if (!header)
        return -1;
    const char *p = header;
    while (isspace((unsigned char)*p))
        p++;
    const char *scheme = p;
    while (is_token_char(*p))
        p++;
    size_t scheme_len = (size_t)(p - scheme);
    if (scheme_len == 5 && !strncasecmp(scheme, "Basic", 5))
        c->kind = CHALLENGE_BASIC;
    else if (scheme_len == 6 && !strncasecmp(scheme, "Bearer", 6))
        c->kind = CHALLENGE_BEARER;
    else
        return -1;

    for (;;) {
        while (isspace((unsigned char)*p) || *p == ',')
            p++;
        if (!*p)
            break;
        const char *key = p;
        while (is_token_char(*p))
            p++;
        size_t key_len = (size_t)(p - key);
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '=' || key_len == 0)
            break; /* the start of another challenge: we keep the first */
        p++;
        while (isspace((unsigned char)*p))
            p++;
        struct base_buf value = {0};
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1])
                    p++;
                base_buf_append(&value, p, 1);
                p++;
            }
            if (*p == '"')
                p++;
        } else {
            const char *v = p;
            while (*p && *p != ',' && !isspace((unsigned char)*p))
                p++;
            base_buf_append(&value, v, (size_t)(p - v));
        }
        if (!value.data)
            base_buf_append(&value, "", 0);
        if (value.err) {
            base_buf_free(&value);
            oci__challenge_free(c);
            return oci_fail_nomem();
        }
        char **slot = NULL;
        if (key_len == 5 && !strncasecmp(key, "realm", 5))
            slot = &c->realm;
        else if (key_len == 7 && !strncasecmp(key, "service", 7))
            slot = &c->service;
        else if (key_len == 5 && !strncasecmp(key, "scope", 5))
            slot = &c->scope;
        else if (key_len == 5 && !strncasecmp(key, "error", 5))
            slot = &c->error;
        if (slot && !*slot)
            *slot = value.data;
        else
            base_buf_free(&value);
    }
    return 0;
}

void oci__challenge_free(struct challenge *c)
{
    free(c->realm);
    free(c->service);
    free(c->scope);
    free(c->error);
    memset(c, 0, sizeof *c);
}

/* ---- credentials of the session ---- */

static bool load_credentials(struct registry *r)
{
    if (r->creds_state == 0) {
        if (r->o->username) {
            r->creds.username = base_strdup(r->o->username);
            r->creds.password = base_strdup(r->o->password ? r->o->password : "");
            r->creds.source = base_strdup("the command line");
            r->creds_state = 1;
            if (!r->creds.username || !r->creds.password || !r->creds.source) {
                oci__credentials_free(&r->creds); /* out of memory: none, said */
                oci_fail_nomem();
                r->creds_state = -1;
            }
        } else {
            r->creds_state = oci__credentials_find(r->registry, &r->creds) ? 1 : -1;
        }
    }
    return r->creds_state > 0;
}

static char *basic_value(const char *user, const char *password)
{
    char *pair = base_asprintf("%s:%s", user, password);
    char *b64 = pair ? oci__base64_encode(pair, strlen(pair)) : NULL;
    char *v = b64 ? base_asprintf("Basic %s", b64) : NULL;
    /* the pair holds a password: wipe it */
    if (pair)
        memset(pair, 0, strlen(pair));
    free(pair);
    free(b64);
    return v; /* NULL: out of memory */
}

/* ---- bearer tokens ---- */

static struct token *token_find(struct registry *r, const char *scope)
{
    const char *key = scope ? scope : "";
    for (size_t i = 0; i < r->n_tokens; i++)
        if (!strcmp(r->tokens[i].scope, key))
            return &r->tokens[i];
    return NULL;
}

/* Out of memory: the token is not kept (it is asked for again). */
static void token_store(struct registry *r, const char *scope, const char *value, double expires)
{
    char *copy = base_strdup(value);
    if (!copy)
        return;
    struct token *t = token_find(r, scope);
    if (!t) {
        char *key = base_strdup(scope ? scope : "");
        if (!key) {
            free(copy);
            return;
        }
        if (r->n_tokens == sizeof r->tokens / sizeof r->tokens[0]) {
            /* full: drop the oldest */
            free(r->tokens[0].scope);
            free(r->tokens[0].value);
            memmove(&r->tokens[0], &r->tokens[1], (r->n_tokens - 1) * sizeof r->tokens[0]);
            r->n_tokens--;
        }
        t = &r->tokens[r->n_tokens++];
        t->scope = key;
        t->value = NULL;
    }
    free(t->value);
    t->value = copy;
    t->expires = expires;
}

/* Ask the realm for a token covering `scopes` (NULL-terminated). */
static int fetch_token(struct registry *r, const char *const *scopes, char **token_out,
                       double *expires_out)
{
    struct base_buf url = {0};
    base_buf_printf(&url, "%s%c", r->realm, strchr(r->realm, '?') ? '&' : '?');
    struct base_buf form = {0};
    if (r->service) {
        char *e = oci__url_escape(r->service);
        if (!e)
            url.err = -ENOMEM;
        base_buf_printf(&url, "service=%s", e ? e : "");
        base_buf_printf(&form, "service=%s", e ? e : "");
        free(e);
    }
    for (size_t i = 0; scopes[i]; i++) {
        char *e = oci__url_escape(scopes[i]);
        if (!e)
            url.err = -ENOMEM;
        base_buf_printf(&url, "&scope=%s", e ? e : "");
        base_buf_printf(&form, "&scope=%s", e ? e : "");
        free(e);
    }
    bool have_creds = load_credentials(r);
    struct curl_slist *headers = NULL;
    struct http_upload body = {.fd = -1};
    const char *method = "GET";
    char *auth = NULL;
    struct http_sink sink;
    oci__http_sink_init_memory(&sink, MAX_TOKEN_BODY);
    struct http_response resp = {0};
    int rc = -1;
    if (have_creds && r->creds.identity_token) {
        /* a refresh token (docker `identitytoken`): OAuth2 refresh grant */
        char *e = oci__url_escape(r->creds.identity_token);
        if (!e)
            form.err = -ENOMEM;
        base_buf_printf(&form, "&grant_type=refresh_token&client_id=wasm-bpf&refresh_token=%s",
                        e ? e : "");
        free(e);
        method = "POST";
        body.data = form.data;
        body.size = form.len;
        headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
        base_buf_free(&url);
        base_buf_puts(&url, r->realm);
    } else if (have_creds && r->creds.username) {
        char *v = basic_value(r->creds.username, r->creds.password ? r->creds.password : "");
        auth = v ? base_asprintf("Authorization: %s", v) : NULL;
        free(v);
        if (!auth) {
            oci_fail_nomem();
            goto out;
        }
        headers = curl_slist_append(headers, auth);
    }
    if (url.err || form.err) {
        oci_fail_nomem();
        goto out;
    }

    struct http_request rq = {method, url.data, headers, body.size ? &body : NULL, &sink};
    for (int attempt = 0;; attempt++) {
        oci__http_sink_reset(&sink);
        if (oci__http_perform(&r->http, &rq, &resp) < 0) {
            if (oci__http_error_retryable(resp.code) && attempt < 3) {
                oci__sleep_seconds(0.2 * (1 << attempt));
                continue;
            }
            if (sink.overflow)
                oci_fail("the token server at %s sent an oversized answer", r->realm);
            else
                oci_fail("cannot reach the token server at %s: %s", r->realm, resp.errbuf);
            goto out;
        }
        if ((resp.status == 429 || resp.status >= 500) && attempt < 3) {
            oci__sleep_seconds(0.2 * (1 << attempt));
            continue;
        }
        break;
    }
    if (resp.status == 401 || resp.status == 403) {
        if (have_creds) {
            r->refused_credentials = true;
            oci_fail("the token server at %s refused the credentials from %s (HTTP %ld)", r->realm,
                     r->creds.source ? r->creds.source : "the docker config", resp.status);
            oci_set_hint_action(OCI_HINT_LOGIN_AGAIN, r->registry,
                                "check the user name and password, or ");
        } else {
            oci_fail("the token server at %s requires credentials (HTTP %ld)", r->realm,
                     resp.status);
            oci_set_hint_action(OCI_HINT_CREDENTIALS, r->registry, "%s", "");
        }
        goto out;
    }
    if (resp.status != 200) {
        char exb[EXCERPT_SIZE];
        char *ex = oci__text_excerpt(exb, resp.body.data ? resp.body.data : "", resp.body.len, 200);
        oci_fail("the token server at %s answered HTTP %ld%s%s", r->realm, resp.status,
                 *ex ? ": " : "", ex);
        goto out;
    }
    json_error_t jerr;
    json_t *j = json_loadb(sink.mem.data ? sink.mem.data : "", sink.mem.len, 0, &jerr);
    const char *tok = NULL;
    if (json_is_object(j)) {
        tok = json_string_value(json_object_get(j, "token"));
        if (!tok || !*tok)
            tok = json_string_value(json_object_get(j, "access_token"));
    }
    if (!tok || !*tok || strpbrk(tok, "\r\n")) {
        oci_fail(
            "the token server at %s sent no usable token (expected JSON with \"token\" or \"access_token\")",
            r->realm);
        json_decref(j);
        goto out;
    }
    json_int_t expires_in = json_integer_value(json_object_get(j, "expires_in"));
    if (expires_in <= 0)
        expires_in = 60; /* the token spec's default */
    *token_out = base_strdup(tok);
    if (!*token_out) {
        oci_fail_nomem();
        json_decref(j);
        goto out;
    }
    /* renew a little early so a token does not expire in flight */
    *expires_out = oci__now_seconds() + (double)expires_in - (expires_in > 20 ? 10 : 0);
    json_decref(j);
    rc = 0;
out:
    if (auth) {
        memset(auth, 0, strlen(auth));
        free(auth);
    }
    curl_slist_free_all(headers);
    oci__http_sink_free(&sink);
    oci__http_response_clear(&resp);
    free(url.data);
    free(form.data);
    return rc;
}

/* Whether scope a grants everything scope b asks (same repository, b's
 * actions among a's). */
static bool scope_covers(const char *a, const char *b)
{
    const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');
    if (!ca || !cb || ca - a != cb - b || strncmp(a, b, (size_t)(ca - a)))
        return false;
    char *actions = base_strdup(cb + 1);
    if (!actions)
        return false; /* ask for both: correct, if more than needed */
    bool all = true;
    for (char *save, *act = strtok_r(actions, ",", &save); act && all;
         act = strtok_r(NULL, ",", &save)) {
        bool found = false;
        const char *p = ca + 1;
        size_t n = strlen(act);
        while (p && *p && !found) {
            found = !strncmp(p, act, n) && (p[n] == ',' || p[n] == '\0');
            p = strchr(p, ',');
            if (p)
                p++;
        }
        all = found;
    }
    free(actions);
    return all;
}

static int get_token(struct registry *r, const char *scope, const char *extra_scope)
{
    const char *scopes[3] = {NULL, NULL, NULL};
    size_t n = 0;
    if (scope)
        scopes[n++] = scope;
    /* the challenge's scope, unless what we ask already covers it */
    if (extra_scope && (!scope || !scope_covers(scope, extra_scope)))
        scopes[n++] = extra_scope;
    char *token = NULL;
    double expires = 0;
    if (fetch_token(r, scopes, &token, &expires) < 0)
        return -1;
    token_store(r, scope, token, expires);
    free(token);
    return 0;
}

char *oci__auth_header_for(struct registry *r, const char *scope)
{
    switch (r->auth) {
    case AUTH_ANONYMOUS: return NULL;
    case AUTH_BASIC:
        if (!load_credentials(r) || !r->creds.username)
            return NULL;
        return basic_value(r->creds.username, r->creds.password ? r->creds.password : "");
    case AUTH_BEARER: {
        if (load_credentials(r) && r->creds.registry_token)
            return base_asprintf("Bearer %s", r->creds.registry_token);
        struct token *t = token_find(r, scope);
        if (!t || oci__now_seconds() >= t->expires) {
            /* we know the realm: get the token now rather than after a 401 */
            if (get_token(r, scope, NULL) < 0) {
                oci_error_clear();
                return NULL;
            }
            t = token_find(r, scope);
        }
        return t ? base_asprintf("Bearer %s", t->value) : NULL;
    }
    }
    return NULL;
}

int oci__auth_handle_challenge(struct registry *r, const char *www_authenticate, const char *scope,
                               bool had_auth)
{
    struct challenge c;
    if (oci__challenge_parse(www_authenticate, &c) < 0)
        return 0;
    free(r->last_challenge_error);
    r->last_challenge_error = c.error ? base_strdup(c.error) : NULL; /* NULL: none kept */
    int rc = 0;
    if (c.kind == CHALLENGE_BASIC) {
        r->auth = AUTH_BASIC;
        if (had_auth)
            r->refused_credentials = true; /* we sent them: they were wrong */
        else
            rc = load_credentials(r) && r->creds.username ? 1 : 0;
    } else {
        if (!c.realm || !(oci__str_starts_with(c.realm, "https://") ||
                          oci__str_starts_with(c.realm, "http://"))) {
            rc = oci_fail("the registry %s asked for a token from an invalid realm \"%s\"",
                          r->registry, c.realm ? c.realm : "");
            goto out;
        }
        r->auth = AUTH_BEARER;
        free(r->realm);
        free(r->service);
        r->realm = base_strdup(c.realm);
        r->service = c.service ? base_strdup(c.service) : NULL;
        if (!r->realm || (c.service && !r->service)) {
            r->auth = AUTH_ANONYMOUS; /* a token flow needs the realm */
            rc = oci_fail_nomem();
            goto out;
        }
        if (load_credentials(r) && r->creds.registry_token) {
            /* a fixed registry token from the config: it was refused if sent */
            rc = had_auth ? 0 : 1;
            goto out;
        }
        if (had_auth && c.error && !strcmp(c.error, "insufficient_scope") &&
            (!c.scope || (scope && !strcmp(c.scope, scope))))
            goto out; /* a fresh token would grant no more */
        rc = get_token(r, scope, c.scope) < 0 ? -1 : 1;
    }
out:
    oci__challenge_free(&c);
    return rc;
}

void oci__auth_free(struct registry *r)
{
    for (size_t i = 0; i < r->n_tokens; i++) {
        free(r->tokens[i].scope);
        free(r->tokens[i].value);
    }
    r->n_tokens = 0;
    free(r->realm);
    free(r->service);
    free(r->last_challenge_error);
    r->realm = r->service = r->last_challenge_error = NULL;
    oci__credentials_free(&r->creds);
}
