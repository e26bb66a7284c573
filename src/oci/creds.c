/* creds.c: credentials in the docker config, and login/logout.
 *
 * The file is docker's: $DOCKER_CONFIG/config.json, else
 * ~/.docker/config.json.  Lookup order (as oras-go): credHelpers[registry],
 * then credsStore, then auths[registry] (`auth` = base64 "user:password",
 * or `username`/`password`, `identitytoken`, `registrytoken`).  Keys in
 * `auths` may carry a scheme and path (https://index.docker.io/v1/), so
 * they are compared after normalisation.  A helper that is missing or fails
 * is a warning, not an error: we go on without credentials, as a pull of a
 * public module should still work. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci_internal.h"

extern char **environ;

#define DOCKER_HUB_KEY    "https://index.docker.io/v1/"
#define MAX_CONFIG_FILE   (4u << 20)
#define MAX_HELPER_OUTPUT (64u << 10)

void oci__credentials_free(struct credentials *c)
{
    if (c->password)
        memset(c->password, 0, strlen(c->password));
    free(c->username);
    free(c->password);
    free(c->identity_token);
    free(c->registry_token);
    free(c->source);
    memset(c, 0, sizeof *c);
}

char *oci__docker_config_path(void)
{
    const char *dir = getenv("DOCKER_CONFIG");
    if (dir && *dir)
        return base_asprintf("%s/config.json", dir);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/";
    }
    return base_asprintf("%s/.docker/config.json", home);
}

/* oci_registry_name() into out; false if it does not fit (no registry
 * name is that long). */
static bool registry_name_into(const char *text, char *out, size_t size)
{
    const char *p = text ? text : "";
    if (!strncasecmp(p, "https://", 8))
        p += 8;
    else if (!strncasecmp(p, "http://", 7))
        p += 7;
    size_t n = strcspn(p, "/");
    if (n >= size)
        return false;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)p[i]);
    out[n] = '\0';
    if (!strcmp(out, "index.docker.io") || !strcmp(out, "registry-1.docker.io") || !*out)
        snprintf(out, size, "docker.io");
    return true;
}

/* Does KEY (a config's spelling) name REGISTRY (a normalised name)? */
static bool same_registry(const char *key, const char *registry)
{
    char name[512];
    return registry_name_into(key, name, sizeof name) && !strcmp(name, registry);
}

char *oci_registry_name(const char *text)
{
    char name[512];
    if (!registry_name_into(text, name, sizeof name)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return base_strdup(name);
}

/* What helpers and `auths` call the registry. */
static const char *server_key(const char *registry)
{
    return strcmp(registry, "docker.io") ? registry : DOCKER_HUB_KEY;
}

/* The config, or an empty object if there is none.  NULL if unreadable. */
static json_t *load_config(const char *path)
{
    size_t len;
    char *text;
    int rerr = base_read_file(path, MAX_CONFIG_FILE, &text, &len);
    if (rerr) {
        if (rerr == -ENOENT)
            return json_object();
        oci_fail("cannot read %s: %s", path, strerror(-rerr));
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(text, len, 0, &err);
    free(text);
    if (!json_is_object(j)) {
        json_decref(j);
        oci_fail("%s is not a valid docker config (line %d: %s)", path, err.line,
                 j ? "not a JSON object" : err.text);
        return NULL;
    }
    return j;
}

/* Run `docker-credential-NAME ACTION`, feeding `input` and collecting stdout.
 * Returns the exit status, or -1 if it could not be run (errno). */
static int run_helper(const char *name, const char *action, const char *input,
                      struct base_buf *output)
{
    char *prog = base_asprintf("docker-credential-%s", name);
    if (!prog)
        return -1; /* errno ENOMEM */
    int in_pipe[2], out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) < 0) {
        free(prog);
        return -1;
    }
    if (pipe2(out_pipe, O_CLOEXEC) < 0) {
        close(in_pipe[0]);
        close(in_pipe[1]);
        free(prog);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_pipe[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
    char *argv[] = {prog, (char *)action, NULL};
    pid_t pid;
    int err = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in_pipe[0]);
    close(out_pipe[1]);
    if (err) {
        close(in_pipe[1]);
        close(out_pipe[0]);
        free(prog);
        errno = err;
        return -1;
    }
    /* a helper that exits without reading must not kill us with SIGPIPE */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    size_t len = strlen(input);
    const char *p = input;
    while (len) {
        ssize_t n = write(in_pipe[1], p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        len -= (size_t)n;
    }
    close(in_pipe[1]);
    sigaction(SIGPIPE, &old, NULL);
    char chunk[4096];
    for (;;) {
        ssize_t n = read(out_pipe[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (output->len + (size_t)n <= MAX_HELPER_OUTPUT)
            base_buf_append(output, chunk, (size_t)n);
    }
    close(out_pipe[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    free(prog);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* 1 if what was filled in is all there, else 0 (out of memory: a warning,
 * and none). */
static int credentials_complete(struct credentials *c)
{
    if (c->source && !c->username == !c->password &&
        (c->username || c->identity_token || c->registry_token))
        return 1;
    oci__credentials_free(c);
    oci_warn("out of memory reading credentials; continuing without credentials");
    return 0;
}

/* 1 found, 0 none (with a warning if the helper failed). */
static int helper_get(const char *helper, const char *registry, struct credentials *c)
{
    struct base_buf out = {0};
    int status = run_helper(helper, "get", server_key(registry), &out);
    int rc = 0;
    if (status < 0) {
        oci_warn(
            "credential helper docker-credential-%s cannot be run (%s); continuing without credentials",
            helper, strerror(errno));
        goto done;
    }
    if (status != 0) {
        if (!out.data || !strstr(out.data, "credentials not found")) {
            char exb[EXCERPT_SIZE];
            char *ex = oci__text_excerpt(exb, out.data ? out.data : "", out.len, 200);
            oci_warn(
                "credential helper docker-credential-%s failed (exit %d%s%s); continuing without credentials",
                helper, status, *ex ? ": " : "", ex);
        }
        goto done;
    }
    json_error_t err;
    json_t *j = json_loadb(out.data ? out.data : "", out.len, 0, &err);
    const char *user = json_string_value(json_object_get(j, "Username"));
    const char *secret = json_string_value(json_object_get(j, "Secret"));
    if (!json_is_object(j) || !secret) {
        oci_warn(
            "credential helper docker-credential-%s gave an unreadable answer; continuing without credentials",
            helper);
    } else {
        if (user && !strcmp(user, "<token>")) {
            c->identity_token = base_strdup(secret);
        } else {
            c->username = base_strdup(user ? user : "");
            c->password = base_strdup(secret);
        }
        c->source = base_asprintf("docker-credential-%s", helper);
        rc = credentials_complete(c);
    }
    json_decref(j);
done:
    if (out.data)
        memset(out.data, 0, out.len);
    base_buf_free(&out);
    return rc;
}

/* The helper the config names for a registry, or NULL. */
static const char *helper_for(json_t *cfg, const char *registry)
{
    json_t *helpers = json_object_get(cfg, "credHelpers");
    const char *key;
    json_t *v;
    json_object_foreach(helpers, key, v)
    {
        if (same_registry(key, registry) && json_is_string(v) && *json_string_value(v))
            return json_string_value(v);
    }
    const char *store = json_string_value(json_object_get(cfg, "credsStore"));
    return store && *store ? store : NULL;
}

static bool helper_name_valid(const char *h)
{
    for (const char *p = h; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return false;
    return *h != '\0';
}

int oci__credentials_find(const char *registry, struct credentials *c)
{
    memset(c, 0, sizeof *c);
    char *path = oci__docker_config_path();
    json_t *cfg = path ? load_config(path) : NULL;
    int rc = 0;
    if (!path)
        oci_fail_nomem();
    if (!cfg) {
        oci_warn("%s; continuing without credentials", oci_error_current()->message);
        oci_error_clear();
        goto out;
    }
    const char *helper = helper_for(cfg, registry);
    if (helper) {
        if (!helper_name_valid(helper))
            oci_warn("%s names an invalid credential helper \"%s\"; ignored", path, helper);
        else if ((rc = helper_get(helper, registry, c)) > 0)
            goto out;
    }
    const char *key;
    json_t *entry;
    json_object_foreach(json_object_get(cfg, "auths"), key, entry)
    {
        if (!same_registry(key, registry) || !json_is_object(entry))
            continue;
        const char *auth = json_string_value(json_object_get(entry, "auth"));
        const char *user = json_string_value(json_object_get(entry, "username"));
        const char *pass = json_string_value(json_object_get(entry, "password"));
        const char *idt = json_string_value(json_object_get(entry, "identitytoken"));
        const char *rt = json_string_value(json_object_get(entry, "registrytoken"));
        if (auth && *auth) {
            size_t n;
            char *pair = oci__base64_decode(auth, &n);
            char *colon = pair ? memchr(pair, ':', n) : NULL;
            if (!colon) {
                oci_warn("%s: the \"auth\" of %s is not base64 of USER:PASSWORD; ignored", path,
                         key);
            } else {
                c->username = base_strndup(pair, (size_t)(colon - pair));
                c->password = base_strdup(colon + 1);
            }
            if (pair) {
                memset(pair, 0, n);
                free(pair);
            }
        } else if (user && pass) {
            c->username = base_strdup(user);
            c->password = base_strdup(pass);
        }
        if (idt && *idt)
            c->identity_token = base_strdup(idt);
        if (rt && *rt)
            c->registry_token = base_strdup(rt);
        if (c->username || c->password || c->identity_token || c->registry_token) {
            c->source = base_strdup(path);
            rc = credentials_complete(c);
            break;
        }
    }
out:
    json_decref(cfg);
    free(path);
    return rc;
}

static int save_config(const char *path, json_t *cfg)
{
    char *dir = base_path_dirname(path);
    if (!dir)
        return oci_fail_nomem();
    if (strcmp(dir, ".") && strcmp(dir, "/") && oci__mkdir_p(dir, 0700) < 0) {
        int e = errno;
        free(dir);
        return oci_fail("cannot create %s: %s", path, strerror(e));
    }
    free(dir);
    /* the text ends in a newline, as docker writes it */
    char *text = json_dumps(cfg, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (!text)
        return oci_fail("cannot serialise %s", path);
    size_t len = strlen(text);
    char *with_nl = base_malloc(len + 2);
    int rc = with_nl ? 0 : oci_fail_nomem();
    if (with_nl) {
        memcpy(with_nl, text, len);
        with_nl[len] = '\n';
        with_nl[len + 1] = '\0';
        rc = oci__write_file_atomic(path, with_nl, len + 1, 0600);
        memset(with_nl, 0, len);
    }
    memset(text, 0, len);
    free(text);
    free(with_nl);
    return rc;
}

/* A JSON string with the escapes a helper's stdin needs. */
static char *json_quote(const char *s)
{
    json_t *j = json_string(s);
    char *out = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    return out ? out : base_strdup("\"\""); /* NULL: out of memory */
}

/* login and logout: the libraries, and the registry as config.json names
 * it; NULL with the error set. */
static char *registry_of(const char *registry_text)
{
    if (oci_libs_load() < 0)
        return NULL;
    char *registry = oci_registry_name(registry_text);
    if (!registry)
        oci_fail("%.200s: not a registry name: %s", registry_text, strerror(errno));
    return registry;
}

int oci_login(const char *registry_text, const char *username, const char *password,
              const struct oci_options *o)
{
    OCI_ERROR_SCOPE(o);
    char *registry = registry_of(registry_text);
    if (!registry)
        return -1;
    enum ref_scheme scheme = SCHEME_DEFAULT;
    if (registry_text && !strncasecmp(registry_text, "https://", 8))
        scheme = SCHEME_HTTPS;
    else if (registry_text && !strncasecmp(registry_text, "http://", 7))
        scheme = SCHEME_HTTP;
    if (!username || !*username) {
        free(registry);
        return oci_fail("login needs a user name");
    }
    struct oci_options opts = *o;
    opts.username = username;
    opts.password = password ? password : "";
    struct registry r;
    int rc = -1;
    if (oci__registry_open(&r, registry, scheme, &opts) < 0)
        goto out_name;
    if (oci__registry_check_login(&r) < 0) {
        oci_error_context("login to %s", registry);
        oci__registry_close(&r);
        goto out_name;
    }
    oci__registry_close(&r);

    char *path = oci__docker_config_path();
    json_t *cfg = path ? load_config(path) : NULL;
    if (!path)
        oci_fail_nomem();
    if (!cfg)
        goto out_path;
    const char *helper = helper_for(cfg, registry);
    if (helper && helper_name_valid(helper)) {
        char *u = json_quote(username), *p = json_quote(opts.password),
             *s = json_quote(server_key(registry));
        char *input =
            u && p && s ? base_asprintf("{\"ServerURL\":%s,\"Username\":%s,\"Secret\":%s}", s, u, p)
                        : NULL;
        struct base_buf out = {0};
        int status = input ? run_helper(helper, "store", input, &out) : -1;
        if (input)
            memset(input, 0, strlen(input));
        if (p)
            memset(p, 0, strlen(p));
        free(input);
        free(u);
        free(p);
        free(s);
        if (status != 0) {
            char exb[EXCERPT_SIZE];
            char *ex = oci__text_excerpt(exb, out.data ? out.data : "", out.len, 200);
            oci_fail(
                "credential helper docker-credential-%s could not store the credentials (%s%s%s)",
                helper, status < 0 ? strerror(input ? errno : ENOMEM) : "it failed",
                *ex ? ": " : "", ex);
            base_buf_free(&out);
            goto out_cfg;
        }
        base_buf_free(&out);
        rc = 0;
        goto out_cfg;
    }
    json_t *auths = json_object_get(cfg, "auths");
    if (!json_is_object(auths)) {
        auths = json_object();
        json_object_set_new(cfg, "auths", auths);
    }
    /* drop other spellings of the same registry, then write ours */
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(auths, tmp, key, v)
    {
        if (same_registry(key, registry))
            json_object_del(auths, key);
    }
    char *pair = base_asprintf("%s:%s", username, opts.password);
    char *b64 = pair ? oci__base64_encode(pair, strlen(pair)) : NULL;
    json_t *entry = b64 ? json_pack("{s:s}", "auth", b64) : NULL;
    if (pair)
        memset(pair, 0, strlen(pair));
    if (b64)
        memset(b64, 0, strlen(b64));
    free(pair);
    free(b64);
    if (!entry || json_object_set_new(auths, server_key(registry), entry) < 0) {
        rc = oci_fail_nomem();
        goto out_cfg;
    }
    rc = save_config(path, cfg);
    if (rc == 0 && !o->quiet)
        base_print(
            WASM_BPF_INFO,
            "Credentials stored in %s (base64, not encrypted: a credsStore helper keeps them safer)\n",
            path);
out_cfg:
    json_decref(cfg);
out_path:
    free(path);
out_name:
    free(registry);
    return rc;
}

int oci_logout(const char *registry_text, const struct oci_options *o)
{
    OCI_ERROR_SCOPE(o);
    char *registry = registry_of(registry_text);
    if (!registry)
        return -1;
    char *path = oci__docker_config_path();
    json_t *cfg = path ? load_config(path) : NULL;
    int rc = -1;
    if (!path)
        oci_fail_nomem();
    if (!cfg)
        goto out;
    bool removed = false;
    const char *helper = helper_for(cfg, registry);
    if (helper && helper_name_valid(helper)) {
        struct base_buf out = {0};
        int status = run_helper(helper, "erase", server_key(registry), &out);
        if (status == 0)
            removed = true;
        else if (!out.data || !strstr(out.data, "credentials not found"))
            oci_warn("credential helper docker-credential-%s could not erase the credentials",
                     helper);
        base_buf_free(&out);
    }
    json_t *auths = json_object_get(cfg, "auths");
    const char *key;
    json_t *v;
    void *tmp;
    bool changed = false;
    json_object_foreach_safe(auths, tmp, key, v)
    {
        if (same_registry(key, registry)) {
            json_object_del(auths, key);
            changed = true;
        }
    }
    rc = 0;
    if (changed)
        rc = save_config(path, cfg);
    if (rc == 0 && !removed && !changed)
        rc = 1;
    json_decref(cfg);
out:
    free(path);
    free(registry);
    return rc;
}
