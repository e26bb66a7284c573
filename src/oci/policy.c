/* policy.c: containers-policy.json (containers-policy.json(5)), the file
 * podman, CRI-O and skopeo read, for the `docker` transport (registries).
 *
 *   {"default": [REQ...],
 *    "transports": {"docker": {"SCOPE": [REQ...], ...}, "other": {...}}}
 *
 * The requirements of the most specific scope that matches a reference
 * apply, all of them: "reg/repo:tag" or "reg/repo@digest", then "reg/repo",
 * each enclosing namespace "reg/ns", then "reg", then "*.domain" wildcards
 * from the longest, then the transport's "" scope, then "default".
 * Other transports are checked for shape and otherwise ignored (wasm-bpf
 * only pulls from registries).  Like containers/image we refuse unknown
 * members: a typo in a policy must not silently weaken it.  What we cannot
 * enforce (GPG signedBy, keyless fulcio, rekor) is an error too. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust_internal.h"

static const struct {
    const char *name;
    enum identity_kind kind;
    const char *member; /* required string member, or NULL */
    const char *member2;
} identity_kinds[] = {
    {"matchRepoDigestOrExact", ID_MATCH_REPO_DIGEST_OR_EXACT, NULL, NULL},
    {"matchRepository", ID_MATCH_REPOSITORY, NULL, NULL},
    {"matchExact", ID_MATCH_EXACT, NULL, NULL},
    {"exactReference", ID_EXACT_REFERENCE, "dockerReference", NULL},
    {"exactRepository", ID_EXACT_REPOSITORY, "dockerRepository", NULL},
    {"remapIdentity", ID_REMAP_IDENTITY, "prefix", "signedPrefix"},
};

const char *oci__identity_kind_name(enum identity_kind k)
{
    for (size_t i = 0; i < sizeof identity_kinds / sizeof identity_kinds[0]; i++)
        if (identity_kinds[i].kind == k)
            return identity_kinds[i].name;
    return "?";
}

/* Requirement types we know but cannot enforce, and why. */
static const struct {
    const char *what;
    const char *why;
} unsupported[] = {
    {"signedBy", "GPG signatures (signedBy) are not supported: use sigstoreSigned with a key"},
    {"fulcio",
     "keyless verification (fulcio) is not supported: it needs a Sigstore trust root; use keyPath"},
    {"pki", "certificate (pki) verification is not supported: use keyPath"},
    {"rekorPublicKeyPath",
     "Rekor transparency-log checks are not supported: drop rekorPublicKey* (key-based only)"},
    {"rekorPublicKeyPaths",
     "Rekor transparency-log checks are not supported: drop rekorPublicKey* (key-based only)"},
    {"rekorPublicKeyData",
     "Rekor transparency-log checks are not supported: drop rekorPublicKey* (key-based only)"},
    {"rekorPublicKeyDatas",
     "Rekor transparency-log checks are not supported: drop rekorPublicKey* (key-based only)"},
};

static const char *unsupported_why(const char *what)
{
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (!strcmp(unsupported[i].what, what))
            return unsupported[i].why;
    return NULL;
}

static bool check_keys(json_t *o, const char *const *allowed, const char *where)
{
    const char *key = oci__json_unknown_key(o, allowed);
    if (!key)
        return true;
    const char *why = unsupported_why(key);
    if (why)
        oci_fail("%s: %s", where, why);
    else
        oci_fail("%s: unknown member \"%.60s\"", where, key);
    return false;
}

static void requirement_free(struct requirement *r)
{
    for (size_t i = 0; i < r->n_keys; i++)
        oci_public_key_free(r->keys[i]);
    free(r->keys);
    free(r->identity.value);
    free(r->identity.signed_prefix);
}

static void requirements_free(struct requirements *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        requirement_free(&rs->reqs[i]);
    free(rs->reqs);
    free(rs->scope);
    memset(rs, 0, sizeof *rs);
}

static int add_key_pem(struct requirement *r, const char *pem, size_t len, const char *source,
                       const char *where)
{
    struct oci_public_key *k;
    if (oci__public_key_load(pem, len, &k) < 0) {
        oci_error_context("%s: %s", where, source);
        return -1;
    }
    struct oci_public_key **keys = base_reallocarray(r->keys, r->n_keys + 1, sizeof *r->keys);
    if (!(k->source = base_strdup(source)) || !keys) {
        if (keys)
            r->keys = keys;
        oci_public_key_free(k);
        return oci_fail_nomem();
    }
    r->keys = keys;
    r->keys[r->n_keys++] = k;
    return 0;
}

static int add_key_path(struct requirement *r, const char *path, const char *base_dir,
                        const char *where)
{
    char *full =
        path[0] == '/' || !base_dir ? base_strdup(path) : base_asprintf("%s/%s", base_dir, path);
    if (!full)
        return oci_fail_nomem();
    struct oci_public_key *k;
    int rc = oci__public_key_load_file(full, &k);
    free(full);
    if (rc < 0) {
        oci_error_context("%s", where);
        return -1;
    }
    struct oci_public_key **keys = base_reallocarray(r->keys, r->n_keys + 1, sizeof *r->keys);
    if (!keys) {
        oci_public_key_free(k);
        return oci_fail_nomem();
    }
    r->keys = keys;
    r->keys[r->n_keys++] = k;
    return 0;
}

static int add_key_data(struct requirement *r, const char *b64, const char *where)
{
    size_t len;
    char *pem = strlen(b64) <= 4 * MAX_KEY_FILE_SIZE / 3 + 4 ? oci__base64_decode(b64, &len) : NULL;
    if (!pem)
        return oci_fail("%s: keyData is not base64 (of a PEM public key)", where);
    int rc = add_key_pem(r, pem, len, "keyData", where);
    free(pem);
    return rc;
}

/* keyPath | keyPaths | keyData | keyDatas: exactly one of them. */
static int parse_keys(json_t *j, struct requirement *r, const char *base_dir, const char *where)
{
    static const char *const names[] = {"keyPath", "keyPaths", "keyData", "keyDatas"};
    const char *given = NULL;
    for (size_t i = 0; i < 4; i++) {
        if (!json_object_get(j, names[i]))
            continue;
        if (given)
            return oci_fail("%s: both %s and %s given: use exactly one", where, given, names[i]);
        given = names[i];
    }
    if (!given)
        return oci_fail("%s: sigstoreSigned needs keyPath, keyPaths, keyData or keyDatas", where);
    json_t *v = json_object_get(j, given);
    bool is_path = given[3] == 'P';
    bool plural = given[strlen(given) - 1] == 's';
    if (!plural) {
        if (!json_is_string(v) || !*json_string_value(v))
            return oci_fail("%s: %s must be a non-empty string", where, given);
        return is_path ? add_key_path(r, json_string_value(v), base_dir, where)
                       : add_key_data(r, json_string_value(v), where);
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > MAX_SIGNATURES)
        return oci_fail("%s: %s must be a non-empty array (at most %d)", where, given,
                        MAX_SIGNATURES);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e) || !*json_string_value(e))
            return oci_fail("%s: %s[%zu] must be a non-empty string", where, given, i);
        if ((is_path ? add_key_path(r, json_string_value(e), base_dir, where)
                     : add_key_data(r, json_string_value(e), where)) < 0)
            return -1;
    }
    return 0;
}

static bool explicit_tag(const char *text)
{
    const char *slash = strrchr(text, '/');
    const char *colon = strchr(slash ? slash : text, ':');
    const char *at = strchr(text, '@');
    return colon && (!at || colon < at);
}

static int parse_identity(json_t *j, struct signed_identity *id, const char *where)
{
    memset(id, 0, sizeof *id);
    if (!j) {
        id->kind = ID_MATCH_REPO_DIGEST_OR_EXACT;
        return 0;
    }
    if (!json_is_object(j))
        return oci_fail("%s: signedIdentity must be an object", where);
    const char *type = json_string_value(json_object_get(j, "type"));
    if (!type)
        return oci_fail("%s: signedIdentity has no type", where);
    for (size_t i = 0; i < sizeof identity_kinds / sizeof identity_kinds[0]; i++) {
        if (strcmp(type, identity_kinds[i].name))
            continue;
        const char *allowed[] = {"type", identity_kinds[i].member, identity_kinds[i].member2, NULL};
        char *w = base_asprintf("%s: signedIdentity %s", where, type);
        if (!w)
            return oci_fail_nomem();
        int rc = check_keys(j, allowed, w) ? 0 : -1;
        id->kind = identity_kinds[i].kind;
        for (int m = 0; rc == 0 && m < 2; m++) {
            const char *name = m ? identity_kinds[i].member2 : identity_kinds[i].member;
            if (!name)
                continue;
            const char *v = json_string_value(json_object_get(j, name));
            if (!v || !*v) {
                rc = oci_fail("%s needs %s", w, name);
                break;
            }
            struct oci_ref probe;
            if (id->kind == ID_EXACT_REFERENCE) {
                if (oci__ref_parse(v, &probe) < 0 || probe.scheme != SCHEME_DEFAULT ||
                    (!explicit_tag(v) && !probe.digest))
                    rc = oci_fail(
                        "%s: dockerReference \"%.200s\" is not a reference with a tag or digest", w,
                        v);
                oci__ref_free(&probe);
            } else if (id->kind == ID_EXACT_REPOSITORY) {
                if (oci__ref_parse(v, &probe) < 0 || probe.scheme != SCHEME_DEFAULT ||
                    explicit_tag(v) || probe.digest)
                    rc = oci_fail("%s: dockerRepository \"%.200s\" is not a repository name", w, v);
                oci__ref_free(&probe);
            }
            if (rc == 0) {
                char *copy = base_strdup(v);
                if (!copy)
                    rc = oci_fail_nomem();
                else if (m)
                    id->signed_prefix = copy;
                else
                    id->value = copy;
            }
        }
        free(w);
        return rc;
    }
    return oci_fail("%s: unknown signedIdentity type \"%.60s\"", where, type);
}

static int parse_requirement(json_t *j, struct requirement *r, const char *base_dir,
                             const char *where)
{
    memset(r, 0, sizeof *r);
    if (!json_is_object(j))
        return oci_fail("%s: a requirement must be an object", where);
    const char *type = json_string_value(json_object_get(j, "type"));
    if (!type)
        return oci_fail("%s: requirement has no type", where);
    if (!strcmp(type, "insecureAcceptAnything") || !strcmp(type, "reject")) {
        static const char *const allowed[] = {"type", NULL};
        r->kind = type[0] == 'r' ? REQ_REJECT : REQ_ACCEPT_ANYTHING;
        return check_keys(j, allowed, where) ? 0 : -1;
    }
    if (!strcmp(type, "sigstoreSigned")) {
        static const char *const allowed[] = {"type",     "keyPath",        "keyPaths", "keyData",
                                              "keyDatas", "signedIdentity", NULL};
        r->kind = REQ_SIGSTORE_SIGNED;
        if (!check_keys(j, allowed, where))
            return -1;
        if (parse_keys(j, r, base_dir, where) < 0)
            return -1;
        return parse_identity(json_object_get(j, "signedIdentity"), &r->identity, where);
    }
    const char *why = unsupported_why(type);
    if (why)
        return oci_fail("%s: %s", where, why);
    return oci_fail("%s: unknown requirement type \"%.60s\"", where, type);
}

static int parse_requirements(json_t *j, const char *scope, struct requirements *rs,
                              const char *base_dir, const char *where)
{
    memset(rs, 0, sizeof *rs);
    if (!(rs->scope = base_strdup(scope)))
        return oci_fail_nomem();
    if (!json_is_array(j) || json_array_size(j) == 0)
        return oci_fail("%s: must be a non-empty array of requirements", where);
    if (json_array_size(j) > MAX_SIGNATURES)
        return oci_fail("%s: more than %d requirements", where, MAX_SIGNATURES);
    if (!(rs->reqs = base_calloc(json_array_size(j), sizeof *rs->reqs)))
        return oci_fail_nomem();
    size_t i;
    json_t *e;
    json_array_foreach(j, i, e)
    {
        char *w = base_asprintf("%s[%zu]", where, i);
        if (!w)
            return oci_fail_nomem();
        int rc = parse_requirement(e, &rs->reqs[i], base_dir, w);
        rs->n = i + 1;
        free(w);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* A docker scope: "", a host ("reg", "reg:5000"), "*.domain", or
 * reg/repo[:tag|@digest]. */
static bool scope_valid(const char *scope)
{
    if (!*scope)
        return true;
    if (oci__str_starts_with(scope, "*.")) {
        for (const char *p = scope + 2; *p; p++)
            if (!(*p == '.' || *p == '-' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
                return false;
        return scope[2] != '\0';
    }
    if (!strchr(scope, '/'))
        return !strchr(scope, '@') && strlen(scope) < 256 && !strchr(scope, ' ');
    struct oci_ref r;
    if (oci__ref_parse(scope, &r) < 0)
        return false;
    bool ok = r.scheme == SCHEME_DEFAULT;
    oci__ref_free(&r);
    return ok;
}

static void list_free(const char *const *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free((char *)list[i]);
    free((void *)list);
}

void oci_policy_free(struct oci_policy *p)
{
    if (!p)
        return;
    list_free(p->module_rules.prog_types, p->module_rules.n_prog_types);
    list_free(p->module_rules.attach_targets, p->module_rules.n_attach_targets);
    list_free(p->module_rules.helpers, p->module_rules.n_helpers);
    requirements_free(&p->deflt);
    for (size_t i = 0; i < p->n_scopes; i++)
        requirements_free(&p->scopes[i]);
    free(p->scopes);
    free(p);
}

static int policy_parse(const char *text, size_t len, const char *base_dir,
                        struct oci_policy **out);

const struct oci_policy_module_rules *oci_policy_module_rules(const struct oci_policy *p)
{
    return &p->module_rules;
}

/* wasmBpf.NAME: an array of at most 256 non-empty strings of at most 256
 * bytes; absent: *list stays NULL (any). */
static int parse_string_list(json_t *section, const char *name, const char *const **list, size_t *n)
{
    json_t *a = json_object_get(section, name);
    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) > 256)
        return oci_fail("policy: wasmBpf.%s must be an array of at most 256 strings", name);
    const char **items = base_calloc(json_array_size(a) + 1, sizeof *items);
    if (!items)
        return oci_fail_nomem();
    *list = items;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 256 ||
            strlen(json_string_value(v)) != json_string_length(v))
            return oci_fail(
                "policy: wasmBpf.%s[%zu] must be a non-empty string of at most 256 bytes", name, i);
        if (!(items[i] = base_strdup(json_string_value(v))))
            return oci_fail_nomem();
        (*n)++;
    }
    return 0;
}

static int parse_module_rules(json_t *section, struct oci_policy_module_rules *r)
{
    static const char *const keys[] = {"allowProgTypes", "allowAttach", "allowHelpers",
                                       "requireDeclaredPermissions", NULL};
    if (!json_is_object(section))
        return oci_fail("policy: \"wasmBpf\" must be an object");
    if (!check_keys(section, keys, "policy: wasmBpf"))
        return -1;
    r->present = true;
    json_t *req = json_object_get(section, "requireDeclaredPermissions");
    if (req && !json_is_boolean(req))
        return oci_fail("policy: wasmBpf.requireDeclaredPermissions must be true or false");
    r->require_declared = json_is_true(req);
    if (parse_string_list(section, "allowProgTypes", &r->prog_types, &r->n_prog_types) < 0 ||
        parse_string_list(section, "allowAttach", &r->attach_targets, &r->n_attach_targets) < 0 ||
        parse_string_list(section, "allowHelpers", &r->helpers, &r->n_helpers) < 0)
        return -1;
    return 0;
}

int oci_policy_parse(const char *text, size_t len, const char *base_dir, struct oci_policy **out,
                     struct oci_error *err)
{
    TRUST_ERROR_SCOPE(err);
    return policy_parse(text, len, base_dir, out);
}

static int policy_parse(const char *text, size_t len, const char *base_dir, struct oci_policy **out)
{
    if (oci__trust_libs_load() < 0)
        return -1;
    json_error_t err;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(j)) {
        json_decref(j);
        if (!j)
            return oci_fail("not valid JSON: %s (line %d)", err.text, err.line);
        return oci_fail("the policy is not a JSON object");
    }
    struct oci_policy *p = base_calloc(1, sizeof *p);
    if (!p) {
        json_decref(j);
        return oci_fail_nomem();
    }
    static const char *const top[] = {"default", "transports", "wasmBpf", NULL};
    int rc = -1;
    if (!check_keys(j, top, "policy"))
        goto out;
    if (json_object_get(j, "wasmBpf") &&
        parse_module_rules(json_object_get(j, "wasmBpf"), &p->module_rules) < 0)
        goto out;
    if (!json_object_get(j, "default")) {
        oci_fail("policy: \"default\" is missing (it says what applies when no scope matches)");
        goto out;
    }
    if (parse_requirements(json_object_get(j, "default"), "", &p->deflt, base_dir,
                           "policy: default") < 0)
        goto out;
    json_t *transports = json_object_get(j, "transports");
    if (transports && !json_is_object(transports)) {
        oci_fail("policy: \"transports\" must be an object");
        goto out;
    }
    const char *tname;
    json_t *t;
    json_object_foreach(transports, tname, t)
    {
        if (!json_is_object(t)) {
            oci_fail("policy: transports.%.40s must be an object", tname);
            goto out;
        }
        if (strcmp(tname, "docker"))
            continue;
        if (json_object_size(t) > 4096) {
            oci_fail("policy: transports.docker has more than 4096 scopes");
            goto out;
        }
        if (!(p->scopes = base_calloc(json_object_size(t) + 1, sizeof *p->scopes))) {
            oci_fail_nomem();
            goto out;
        }
        const char *scope;
        json_t *reqs;
        json_object_foreach(t, scope, reqs)
        {
            char *where = base_asprintf("policy: transports.docker[\"%.200s\"]", scope);
            if (!where) {
                oci_fail_nomem();
                goto out;
            }
            if (!scope_valid(scope)) {
                oci_fail(
                    "%s: not a valid scope (host, host/repository, host/repository:tag, *.domain or \"\")",
                    where);
                free(where);
                goto out;
            }
            int r = parse_requirements(reqs, scope, &p->scopes[p->n_scopes], base_dir, where);
            p->n_scopes++;
            free(where);
            if (r < 0)
                goto out;
            if (!*scope)
                p->docker_default = &p->scopes[p->n_scopes - 1];
        }
    }
    rc = 0;
out:
    json_decref(j);
    if (rc < 0)
        oci_policy_free(p);
    else
        *out = p;
    return rc;
}

int oci_policy_load(const char *path, struct oci_policy **out, struct oci_error *e)
{
    TRUST_ERROR_SCOPE(e);
    size_t len;
    char *text = NULL;
    int err = base_read_file(path, MAX_MANIFEST_SIZE, &text, &len);
    if (err < 0)
        return oci_fail("policy %s: %s", path,
                        err == -EFBIG ? "larger than 4 MiB" : strerror(-err));
    char *copy = base_strdup(path);
    if (!copy) {
        free(text);
        return oci_fail_nomem();
    }
    int rc = policy_parse(text, len, dirname(copy), out);
    free(copy);
    free(text);
    if (rc < 0)
        oci_error_context("policy %s", path);
    return rc;
}

int oci_policy_for_key(const char *pub_path, struct oci_policy **out, struct oci_error *err)
{
    TRUST_ERROR_SCOPE(err);
    if (oci__trust_libs_load() < 0)
        return -1;
    struct oci_policy *p = base_calloc(1, sizeof *p);
    if (!p)
        return oci_fail_nomem();
    p->deflt.scope = base_strdup("");
    p->deflt.reqs = base_calloc(1, sizeof *p->deflt.reqs);
    if (!p->deflt.scope || !p->deflt.reqs) {
        oci_policy_free(p);
        return oci_fail_nomem();
    }
    p->deflt.n = 1;
    struct requirement *r = &p->deflt.reqs[0];
    r->kind = REQ_SIGSTORE_SIGNED;
    /* the key is the operator's explicit choice for this command: the
     * signature's identity is shown, but any repository is accepted */
    r->identity.kind = ID_MATCH_REPOSITORY;
    if (add_key_path(r, pub_path, NULL, "--verify-key") < 0) {
        oci_policy_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

static const struct requirements *find_scope(const struct oci_policy *p, const char *scope)
{
    for (size_t i = 0; i < p->n_scopes; i++)
        if (*p->scopes[i].scope && !strcmp(p->scopes[i].scope, scope))
            return &p->scopes[i];
    return NULL;
}

const struct requirements *oci__policy_requirements_for(const struct oci_policy *p,
                                                        const struct oci_ref *ref)
{
    const struct requirements *rs = NULL;
    /* a parsed reference fits in REF_STRING_SIZE (see oci__ref_string()), so
     * the candidates are built on the stack: looking up cannot fail */
    char s[REF_STRING_SIZE];
    if (ref->digest) {
        snprintf(s, sizeof s, "%s/%s@%s", ref->registry, ref->repository, ref->digest);
        rs = find_scope(p, s);
    }
    if (!rs && ref->tag) {
        snprintf(s, sizeof s, "%s/%s:%s", ref->registry, ref->repository, ref->tag);
        rs = find_scope(p, s);
    }
    /* reg/a/b/c, reg/a/b, reg/a, reg */
    char *name = oci__ref_repo_string(ref, s);
    while (!rs) {
        rs = find_scope(p, name);
        char *slash = strrchr(name, '/');
        if (rs || !slash)
            break;
        *slash = '\0';
    }
    /* *.b.c, then *.c for host a.b.c (without a port) */
    if (!rs && !strchr(ref->registry, ':')) {
        for (const char *dot = strchr(ref->registry, '.'); dot && !rs; dot = strchr(dot + 1, '.')) {
            snprintf(s, sizeof s, "*%s", dot);
            rs = find_scope(p, s);
        }
    }
    if (!rs)
        rs = p->docker_default;
    return rs ? rs : &p->deflt;
}

/* The image reference's text as a signature would name it (NULL: out of
 * memory). */
static char *image_text(const struct oci_ref *r, bool with_tag, bool with_digest)
{
    struct base_buf b = {0};
    base_buf_printf(&b, "%s/%s", r->registry, r->repository);
    if (with_tag && r->tag)
        base_buf_printf(&b, ":%s", r->tag);
    if (with_digest && r->digest)
        base_buf_printf(&b, "@%s", r->digest);
    return base_buf_take(&b, NULL);
}

static bool same_repo(const struct oci_ref *a, const struct oci_ref *b)
{
    return !strcmp(a->registry, b->registry) && !strcmp(a->repository, b->repository);
}

/* a and b name the same thing: same repository, same tag (if any), same digest (if any) */
static bool same_exact(const struct oci_ref *a, bool a_tag, const struct oci_ref *b, bool b_tag)
{
    if (!same_repo(a, b) || a_tag != b_tag || !a->digest != !b->digest)
        return false;
    if (a_tag && strcmp(a->tag, b->tag))
        return false;
    return !a->digest || !strcmp(a->digest, b->digest);
}

static bool repo_digest_or_exact(const struct oci_ref *image, const struct oci_ref *sig,
                                 bool sig_tag, const char **why)
{
    if (image->digest && !image->tag) {
        *why = "the signed repository differs";
        return same_repo(image, sig);
    }
    *why = "the signed reference is not exactly this repository:tag";
    return same_exact(image, true, sig, sig_tag);
}

bool oci__identity_matches(const struct signed_identity *id, const struct oci_ref *image,
                           const char *signed_ref, const char **why)
{
    struct oci_ref sig;
    *why = "the signed identity is not a valid reference";
    if (oci__ref_parse(signed_ref, &sig) < 0 || sig.scheme != SCHEME_DEFAULT) {
        oci_error_clear();
        oci__ref_free(&sig);
        return false;
    }
    bool sig_tag = explicit_tag(signed_ref);
    bool ok = false;
    switch (id->kind) {
    case ID_MATCH_REPO_DIGEST_OR_EXACT: ok = repo_digest_or_exact(image, &sig, sig_tag, why); break;
    case ID_MATCH_REPOSITORY:
        *why = "the signed repository differs";
        ok = same_repo(image, &sig);
        break;
    case ID_MATCH_EXACT:
        *why = "the signed reference is not exactly this reference";
        ok = same_exact(image, image->tag != NULL, &sig, sig_tag);
        break;
    case ID_EXACT_REFERENCE: {
        struct oci_ref want;
        *why = "the signed reference is not the one the policy names";
        if (oci__ref_parse(id->value, &want) == 0)
            ok = same_exact(&want, explicit_tag(id->value), &sig, sig_tag);
        oci__ref_free(&want);
        break;
    }
    case ID_EXACT_REPOSITORY: {
        struct oci_ref want;
        *why = "the signed repository is not the one the policy names";
        if (oci__ref_parse(id->value, &want) == 0)
            ok = same_repo(&want, &sig);
        oci__ref_free(&want);
        break;
    }
    case ID_REMAP_IDENTITY: {
        /* the image's name with `prefix` replaced by `signedPrefix`, then as
         * matchRepoDigestOrExact; the prefix must end on a component */
        char *text = image_text(image, true, true);
        size_t pl = strlen(id->value);
        /* a host prefix ends at '/' (else "reg" would match "reg:5000"); a
         * repository prefix may also end at a tag or digest */
        const char *ends = strchr(id->value, '/') ? "/:@" : "/";
        if (!text) {
            *why = "out of memory";
        } else if (!strncmp(text, id->value, pl) && text[pl] && strchr(ends, text[pl])) {
            char *mapped = base_asprintf("%s%s", id->signed_prefix, text + pl);
            struct oci_ref m;
            if (!mapped) {
                *why = "out of memory";
            } else {
                if (oci__ref_parse(mapped, &m) == 0)
                    ok = repo_digest_or_exact(&m, &sig, sig_tag, why);
                else
                    *why = "the remapped reference is not valid";
                oci__ref_free(&m);
                free(mapped);
            }
        } else {
            /* no prefix match: the image's own name, unchanged */
            ok = repo_digest_or_exact(image, &sig, sig_tag, why);
        }
        free(text);
        break;
    }
    }
    oci_error_clear();
    oci__ref_free(&sig);
    return ok;
}

int oci_policy_describe(const struct oci_policy *p, const char *text, char *buf, size_t size)
{
    struct oci_ref ref;
    if (oci__ref_parse(text, &ref) < 0)
        return -1;
    const struct requirements *rs = oci__policy_requirements_for(p, &ref);
    oci__ref_free(&ref);
    size_t n = 0;
    buf[0] = '\0';
    n += (size_t)snprintf(buf + n, n < size ? size - n : 0,
                          "scope %s%s%s:", rs->scope[0] ? "\"" : "",
                          rs == &p->deflt ? "default"
                          : rs->scope[0]  ? rs->scope
                                          : "docker \"\"",
                          rs->scope[0] ? "\"" : "");
    for (size_t i = 0; i < rs->n; i++) {
        const struct requirement *r = &rs->reqs[i];
        if (r->kind == REQ_SIGSTORE_SIGNED)
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0,
                                  " sigstoreSigned (%zu key%s, %s)", r->n_keys,
                                  r->n_keys == 1 ? "" : "s",
                                  oci__identity_kind_name(r->identity.kind));
        else
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, " %s",
                                  r->kind == REQ_REJECT ? "reject" : "insecureAcceptAnything");
    }
    return 0;
}
