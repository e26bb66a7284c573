/* ref.c: image references.
 *
 * Docker's grammar (distribution/reference): [REGISTRY/]NAME[:TAG][@DIGEST].
 * The first component is a registry only if it contains '.' or ':' or is
 * `localhost`; otherwise the registry is Docker Hub and a one-component name
 * gets `library/`.  We also accept the form with a scheme that ecli users
 * type (`https://ghcr.io/org/prog:v1`): there the first component is always
 * the registry, and the scheme picks HTTPS or plain HTTP. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "oci_internal.h"

#define DOCKER_HUB "docker.io"

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool oci__digest_valid(const char *d)
{
    if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 7 + 64)
        return false;
    for (const char *p = d + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static bool component_valid(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_lower_alnum(s[0]))
        return false;
    while (i < n) {
        while (i < n && is_lower_alnum(s[i]))
            i++;
        if (i == n)
            return true;
        /* a separator */
        if (s[i] == '.') {
            i++;
        } else if (s[i] == '_') {
            i++;
            if (i < n && s[i] == '_')
                i++;
        } else if (s[i] == '-') {
            while (i < n && s[i] == '-')
                i++;
        } else {
            return false;
        }
        if (i == n || !is_lower_alnum(s[i]))
            return false;
    }
    return true;
}

bool oci__repository_valid(const char *r)
{
    size_t len = strlen(r);
    if (len == 0 || len > 255)
        return false;
    const char *p = r;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (!component_valid(p, n))
            return false;
        if (!slash)
            return true;
        p = slash + 1;
    }
}

bool oci__tag_valid(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 128)
        return false;
    if (!(isalnum((unsigned char)t[0]) || t[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
            return false;
    return true;
}

/* host[:port] or [v6]:port */
static bool registry_valid(const char *s)
{
    const char *port = NULL;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end == s + 1)
            return false;
        for (const char *p = s + 1; p < end; p++)
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                return false;
        if (end[1] == '\0')
            return true;
        if (end[1] != ':')
            return false;
        port = end + 2;
    } else {
        const char *colon = strchr(s, ':');
        size_t n = colon ? (size_t)(colon - s) : strlen(s);
        if (n == 0 || n > 253)
            return false;
        bool label_start = true;
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            if (c == '.') {
                if (label_start || s[i - 1] == '-')
                    return false;
                label_start = true;
            } else if (isalnum((unsigned char)c) || (c == '-' && !label_start)) {
                label_start = false;
            } else {
                return false;
            }
        }
        if (label_start || s[n - 1] == '-')
            return false;
        if (!colon)
            return true;
        port = colon + 1;
    }
    if (!*port || strlen(port) > 5)
        return false;
    for (const char *p = port; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    long v = strtol(port, NULL, 10);
    return v > 0 && v < 65536;
}

static bool has_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isupper((unsigned char)s[i]))
            return true;
    return false;
}

int oci__ref_parse(const char *text, struct oci_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    if (!text || !*text)
        return oci_fail("invalid reference: it is empty");
    for (const char *p = text; *p; p++)
        if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20)
            return oci_fail("invalid reference \"%s\": it contains a blank or control character",
                            text);
    if (strlen(text) > 4096)
        return oci_fail("invalid reference: longer than 4096 characters");

    const char *rest = text;
    if (!strncasecmp(rest, "https://", 8)) {
        ref->scheme = SCHEME_HTTPS;
        rest += 8;
    } else if (!strncasecmp(rest, "http://", 7)) {
        ref->scheme = SCHEME_HTTP;
        rest += 7;
    } else if (strstr(rest, "://")) {
        return oci_fail(
            "invalid reference \"%s\": only https:// and http:// may precede a registry", text);
    }

    char *work = base_strdup(rest);
    if (!work)
        return oci_fail_nomem();
    /* a trailing slash after a URL-style reference means nothing */
    size_t wl = strlen(work);
    while (ref->scheme != SCHEME_DEFAULT && wl && work[wl - 1] == '/')
        work[--wl] = '\0';

    char *at = strchr(work, '@');
    if (at) {
        *at = '\0';
        const char *d = at + 1;
        if (strchr(d, '@')) {
            oci_fail("invalid reference \"%s\": more than one '@'", text);
            goto fail;
        }
        if (!strncmp(d, "sha256:", 7) && !oci__digest_valid(d)) {
            oci_fail(
                "invalid reference \"%s\": the digest must be sha256: followed by 64 lowercase hex digits",
                text);
            goto fail;
        }
        if (!oci__digest_valid(d)) {
            oci_fail(
                "invalid reference \"%s\": unsupported digest \"%s\" (only sha256 is supported)",
                text, d);
            goto fail;
        }
        if (!(ref->digest = base_strdup(d)))
            goto nomem;
    }

    char *name = work;
    char *slash = strchr(name, '/');
    if (ref->scheme != SCHEME_DEFAULT) {
        if (!slash || slash == name) {
            oci_fail(
                "invalid reference \"%s\": a repository must follow the registry (%sHOST/NAME:TAG)",
                text, ref->scheme == SCHEME_HTTPS ? "https://" : "http://");
            goto fail;
        }
    }
    if (slash && (ref->scheme != SCHEME_DEFAULT || memchr(name, '.', (size_t)(slash - name)) ||
                  memchr(name, ':', (size_t)(slash - name)) ||
                  ((size_t)(slash - name) == 9 && !strncmp(name, "localhost", 9)))) {
        if (!(ref->registry = base_strndup(name, (size_t)(slash - name))))
            goto nomem;
        name = slash + 1;
        if (!registry_valid(ref->registry)) {
            oci_fail("invalid reference \"%s\": \"%s\" is not a valid registry host[:port]", text,
                     ref->registry);
            goto fail;
        }
        /* host names are case-insensitive: one spelling for the store and credentials */
        for (char *p = ref->registry; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (!strcmp(ref->registry, "index.docker.io") ||
            !strcmp(ref->registry, "registry-1.docker.io")) {
            snprintf(ref->registry, strlen(ref->registry) + 1, "%s", DOCKER_HUB); /* shorter */
        }
    } else if (!(ref->registry = base_strdup(DOCKER_HUB))) {
        goto nomem;
    }

    /* NAME[:TAG]: no ':' can remain in NAME, so the last one starts the tag */
    char *colon = strrchr(name, ':');
    if (colon) {
        *colon = '\0';
        if (!oci__tag_valid(colon + 1)) {
            oci_fail(
                "invalid reference \"%s\": invalid tag \"%s\" (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')",
                text, colon + 1);
            goto fail;
        }
        if (!(ref->tag = base_strdup(colon + 1)))
            goto nomem;
        if (strchr(name, ':')) {
            oci_fail("invalid reference \"%s\": too many ':'", text);
            goto fail;
        }
    }
    if (!*name) {
        oci_fail("invalid reference \"%s\": the repository name is missing", text);
        goto fail;
    }
    if (has_upper(name, strlen(name))) {
        oci_fail("invalid reference \"%s\": repository name \"%s\" must be lowercase", text, name);
        goto fail;
    }
    if (!oci__repository_valid(name)) {
        oci_fail(
            "invalid reference \"%s\": invalid repository name \"%s\" (lowercase letters and digits, "
            "separated by '.', '_', '__' or '-', components joined by '/')",
            text, name);
        goto fail;
    }
    if (!strcmp(ref->registry, DOCKER_HUB) && !strchr(name, '/'))
        ref->repository = base_asprintf("library/%s", name);
    else
        ref->repository = base_strdup(name);
    if (!ref->repository)
        goto nomem;
    if (!ref->tag && !ref->digest && !(ref->tag = base_strdup("latest")))
        goto nomem;
    free(work);
    return 0;
nomem:
    oci_fail_nomem();
fail:
    free(work);
    oci__ref_free(ref);
    return -1;
}

void oci__ref_free(struct oci_ref *ref)
{
    free(ref->registry);
    free(ref->repository);
    free(ref->tag);
    free(ref->digest);
    memset(ref, 0, sizeof *ref);
}

char *oci__ref_string(const struct oci_ref *ref, char out[REF_STRING_SIZE])
{
    snprintf(out, REF_STRING_SIZE, "%s/%s%s%s%s%s", ref->registry, ref->repository,
             ref->tag ? ":" : "", ref->tag ? ref->tag : "", ref->digest ? "@" : "",
             ref->digest ? ref->digest : "");
    return out;
}

char *oci__ref_repo_string(const struct oci_ref *ref, char out[REF_STRING_SIZE])
{
    snprintf(out, REF_STRING_SIZE, "%s/%s", ref->registry, ref->repository);
    return out;
}

const char *oci__ref_object(const struct oci_ref *ref)
{
    return ref->digest ? ref->digest : ref->tag;
}

const char *oci__registry_api_host(const char *registry)
{
    return strcmp(registry, DOCKER_HUB) ? registry : "registry-1.docker.io";
}

int oci__enter_ref(const char *text, struct oci_ref *ref)
{
    if (oci_libs_load() < 0)
        return -1;
    return oci__ref_parse(text, ref);
}
