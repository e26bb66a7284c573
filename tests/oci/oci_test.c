/* oci_test.c: the C side of the `oci` suite.
 *
 *   oci-test unit
 *       checks of the parsers that see untrusted input (references,
 *       WWW-Authenticate challenges, manifests and indexes, URLs), one line
 *       each, ending with the counts line;
 *   oci-test resolve [run options] [--copy-to FILE] WHAT
 *       what `wasm-bpf run WHAT` does before loading: the command's parser
 *       with its OCI option tables, then oci_resolve_module(); prints path=, temporary=, digest=, copies
 *       the module to FILE, releases it and checks a temporary file is gone.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
/* private: the parsers of untrusted input (references, challenges,
 * manifests, URLs) are checked one by one, not only through a registry */
#include "oci_internal.h"
#include "cli.h"
#include "oci_report.h"
#include "opt.h"

static int passed, failed;

static void check(bool ok, const char *what)
{
    printf("%s  %s\n", ok ? "ok    " : "FAIL  ", what);
    if (ok)
        passed++;
    else
        failed++;
}

/* ---- references ---- */

static void ref_ok(const char *text, const char *canonical, int scheme)
{
    struct oci_ref ref;
    char what[512];
    bool ok = oci__ref_parse(text, &ref) == 0;
    if (ok) {
        char s[REF_STRING_SIZE];
        oci__ref_string(&ref, s);
        ok = !strcmp(s, canonical) && (int)ref.scheme == scheme;
        snprintf(what, sizeof what, "reference %.200s -> %.200s", text, s);
        oci__ref_free(&ref);
    } else {
        snprintf(what, sizeof what, "reference %s accepted (got: %.400s)", text,
                 oci_error_current()->message);
    }
    check(ok, what);
}

static void ref_bad(const char *text, const char *message_part)
{
    struct oci_ref ref;
    char what[512];
    bool refused = oci__ref_parse(text, &ref) < 0;
    bool ok = refused && strstr(oci_error_current()->message, message_part);
    snprintf(what, sizeof what, "reference \"%s\" refused: %.400s", text,
             refused ? oci_error_current()->message : "(accepted)");
    if (!refused)
        oci__ref_free(&ref);
    check(ok, what);
}

static void test_references(void)
{
    const char *d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char buf[256];
    ref_ok("alpine", "docker.io/library/alpine:latest", SCHEME_DEFAULT);
    ref_ok("org/prog:v1", "docker.io/org/prog:v1", SCHEME_DEFAULT);
    ref_ok("ghcr.io/eunomia-bpf/sigsnoop:latest", "ghcr.io/eunomia-bpf/sigsnoop:latest",
           SCHEME_DEFAULT);
    ref_ok("https://ghcr.io/eunomia-bpf/sigsnoop:latest", "ghcr.io/eunomia-bpf/sigsnoop:latest",
           SCHEME_HTTPS);
    ref_ok("http://127.0.0.1:5000/repo:tag", "127.0.0.1:5000/repo:tag", SCHEME_HTTP);
    ref_ok("http://myhost/repo", "myhost/repo:latest", SCHEME_HTTP);
    ref_ok("localhost:5000/a/b/c", "localhost:5000/a/b/c:latest", SCHEME_DEFAULT);
    ref_ok("localhost/x", "localhost/x:latest", SCHEME_DEFAULT);
    ref_ok("GHCR.io/org/prog", "ghcr.io/org/prog:latest", SCHEME_DEFAULT);
    ref_ok("index.docker.io/library/x:1", "docker.io/library/x:1", SCHEME_DEFAULT);
    ref_ok("[::1]:5000/x:y", "[::1]:5000/x:y", SCHEME_DEFAULT);
    ref_ok("reg.example.com/a-b__c.d/e:T_1.x-y", "reg.example.com/a-b__c.d/e:T_1.x-y",
           SCHEME_DEFAULT);
    snprintf(buf, sizeof buf, "127.0.0.1:5000/x@%s", d);
    char expect[256];
    snprintf(expect, sizeof expect, "127.0.0.1:5000/x@%s", d);
    ref_ok(buf, expect, SCHEME_DEFAULT);
    snprintf(buf, sizeof buf, "127.0.0.1:5000/x:v1@%s", d);
    snprintf(expect, sizeof expect, "127.0.0.1:5000/x:v1@%s", d);
    ref_ok(buf, expect, SCHEME_DEFAULT);

    ref_bad("", "empty");
    ref_bad("Ghcr.io/Org/Prog", "lowercase");
    ref_bad("ghcr.io/org/Prog:v1", "lowercase");
    ref_bad("ghcr.io/org/prog:-bad", "invalid tag");
    ref_bad("ghcr.io/org/prog:a:b", "invalid");
    ref_bad("ghcr.io/org//prog", "invalid repository");
    ref_bad("ghcr.io/org/prog@sha256:abc", "64 lowercase hex");
    ref_bad("ghcr.io/org/prog@md5:abc", "only sha256");
    ref_bad("ftp://host/x", "only https:// and http://");
    ref_bad("https://ghcr.io", "a repository must follow");
    ref_bad("host:99999/x", "not a valid registry");
    ref_bad("a b/c", "blank");
    ref_bad("ghcr.io/-x/y", "invalid repository");
}

/* ---- WWW-Authenticate ---- */

static void test_challenges(void)
{
    struct challenge c;
    int r = oci__challenge_parse(
        "Bearer realm=\"http://127.0.0.1:5058/token\",service=\"test-registry\","
        "scope=\"repository:tok/wasm:pull,push\",error=\"insufficient_scope\"",
        &c);
    check(r == 0 && c.kind == CHALLENGE_BEARER && !strcmp(c.realm, "http://127.0.0.1:5058/token") &&
              !strcmp(c.service, "test-registry") &&
              !strcmp(c.scope, "repository:tok/wasm:pull,push") &&
              !strcmp(c.error, "insufficient_scope"),
          "Bearer challenge: realm, service, a scope with ',' and ':', error");
    oci__challenge_free(&c);
    r = oci__challenge_parse("basic realm=test-realm", &c);
    check(r == 0 && c.kind == CHALLENGE_BASIC && !strcmp(c.realm, "test-realm"),
          "Basic challenge, unquoted realm");
    oci__challenge_free(&c);
    r = oci__challenge_parse("Bearer  realm = \"a\\\"b\" , service=\"s\"", &c);
    check(r == 0 && !strcmp(c.realm, "a\"b") && !strcmp(c.service, "s"),
          "quoted-pair and blanks around '='");
    oci__challenge_free(&c);
    check(oci__challenge_parse("Negotiate abc", &c) < 0, "unknown scheme refused");
    check(oci__challenge_parse("", &c) < 0 && oci__challenge_parse(NULL, &c) < 0,
          "empty challenge refused");
    r = oci__challenge_parse("Bearer realm=\"unterminated", &c);
    check(r == 0 && !strcmp(c.realm, "unterminated"), "unterminated quote does not overrun");
    oci__challenge_free(&c);
}

/* ---- manifests ---- */

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static bool parses(const char *json, struct manifest *m)
{
    return oci__manifest_parse(json, strlen(json), NULL, m) == 0;
}

static void manifest_bad(const char *json, const char *part, const char *what)
{
    struct manifest m;
    bool refused = !parses(json, &m);
    char line[512];
    snprintf(line, sizeof line, "%s refused: %.400s", what,
             refused ? oci_error_current()->message : "(accepted)");
    if (!refused)
        oci__manifest_free(&m);
    check(refused && strstr(oci_error_current()->message, part), line);
}

static void test_manifests(void)
{
    struct manifest m;
    const char *ecli =
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MT_WASM_CONFIG_V1 "\",\"digest\":\"" D1
        "\",\"size\":2},\"layers\":[{\"mediaType\":\"" MT_WASM_LAYER_V1 "\",\"digest\":\"" D2
        "\",\"size\":10}]}";
    bool ok = parses(ecli, &m);
    check(ok && !m.is_index && oci__manifest_format(&m) == OCI_FORMAT_WASM_BPF &&
              oci__manifest_module_layer(&m) == 0,
          "ecli manifest without mediaType: a wasm-bpf module");
    if (ok)
        oci__manifest_free(&m);

    const char *two =
        "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
        "\",\"config\":{\"mediaType\":\"x\","
        "\"digest\":\"" D1
        "\",\"size\":2},\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"" D1
        "\",\"size\":1},{\"mediaType\":\"application/octet-stream\",\"digest\":\"" D2
        "\",\"size\":3,\"annotations\":{\"org.opencontainers.image.title\":\"prog.wasm\"}}]}";
    ok = parses(two, &m);
    check(ok && oci__manifest_module_layer(&m) == 1 &&
              oci__manifest_format(&m) == OCI_FORMAT_UNKNOWN,
          "other layers ignored; a layer titled *.wasm is the module");
    if (ok)
        oci__manifest_free(&m);

    const char *none = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
                       "\",\"size\":2},\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"" D1
                       "\",\"size\":1}]}";
    ok = parses(none, &m);
    check(ok && oci__manifest_module_layer(&m) < 0 &&
              strstr(oci_error_current()->message, "no layer"),
          "no wasm layer: clear error");
    if (ok)
        oci__manifest_free(&m);

    manifest_bad("{\"schemaVersion\":2,", "not valid JSON", "truncated JSON");
    manifest_bad("[1,2]", "not a JSON object", "a JSON array");
    manifest_bad("{\"schemaVersion\":1,\"layers\":[]}", "schema 1", "docker schema 1");
    manifest_bad("{\"schemaVersion\":2,\"schemaVersion\":2}", "not valid JSON", "duplicate keys");
    manifest_bad(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.artifact.manifest.v1+json\"}",
        "unsupported manifest type", "OCI artifact manifest");
    manifest_bad("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
                 "\",\"size\":-1},\"layers\":[]}",
                 "invalid size", "negative size");
    manifest_bad(
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:zz\",\"size\":1},"
        "\"layers\":[]}",
        "invalid digest", "bad digest");
    manifest_bad(
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha512:ab\",\"size\":1},"
        "\"layers\":[]}",
        "only sha256", "sha512 digest");
    manifest_bad("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1
                 "\",\"size\":1},\"layers\":[]}",
                 "no mediaType", "descriptor without mediaType");
    manifest_bad("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
                 "\",\"size\":1}}",
                 "no \"layers\"", "manifest without layers");

    const char *idx =
        "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1
        "\",\"size\":100,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D2
        "\",\"size\":100,\"platform\":{\"os\":\"wasip1\",\"architecture\":\"wasm\"}}]}";
    ok = parses(idx, &m);
    check(ok && m.is_index && oci__index_select(&m, NULL) == 1,
          "index: the wasm entry is preferred");
    check(ok && oci__index_select(&m, "linux/arm64") == 0, "index: --platform linux/arm64");
    check(ok && oci__index_select(&m, "linux/s390x") < 0 &&
              strstr(oci_error_current()->message, "linux/s390x"),
          "index: no such platform, clear error");
    if (ok)
        oci__manifest_free(&m);
}

/* ---- small helpers ---- */

static void test_helpers(void)
{
    check(oci__is_loopback_host("localhost:5000") && oci__is_loopback_host("127.3.4.5") &&
              oci__is_loopback_host("[::1]:80") && oci__is_loopback_host("127.0.0.1:5000"),
          "loopback hosts: localhost, 127.0.0.0/8, ::1");
    check(!oci__is_loopback_host("128.0.0.1") && !oci__is_loopback_host("localhost.example.com") &&
              !oci__is_loopback_host("127.0.0.1.nip.io:5000") && !oci__is_loopback_host("ghcr.io"),
          "not loopback: 128.0.0.1, localhost.example.com, 127.0.0.1.nip.io");
    char *u = oci__url_resolve("http://127.0.0.1:5000/v2/x/blobs/uploads/",
                               "/v2/x/blobs/uploads/abc?_state=1");
    check(u && !strcmp(u, "http://127.0.0.1:5000/v2/x/blobs/uploads/abc?_state=1"),
          "relative Location resolved");
    free(u);
    u = oci__url_resolve("http://127.0.0.1:5000/v2/", "https://cdn.example/blob?sig=1");
    check(u && !strcmp(u, "https://cdn.example/blob?sig=1"), "absolute Location kept");
    free(u);
    u = oci__url_resolve("http://127.0.0.1:5000/v2/", "file:///etc/passwd");
    check(!u, "a file:// Location is refused");
    free(u);
    char *o1 = oci__url_origin("https://ghcr.io/v2/"),
         *o2 = oci__url_origin("https://ghcr.io:443/token");
    check(!strcmp(o1, o2), "origins compare with default ports made explicit");
    free(o1);
    free(o2);
    size_t n;
    char *dec = oci__base64_decode("dXNlcjpwYXNz", &n);
    check(dec && n == 9 && !strcmp(dec, "user:pass"), "base64 decode");
    free(dec);
    dec = oci__base64_decode("dXNlcjpwYXM", &n); /* padding dropped */
    check(dec && n == 8 && !strcmp(dec, "user:pas"), "base64 decode without padding");
    free(dec);
    char *name = oci_registry_name("https://Index.Docker.io/v1/");
    check(!strcmp(name, "docker.io"), "registry name: https://index.docker.io/v1/ is docker.io");
    free(name);
    name = oci_registry_name("http://127.0.0.1:5000/some/path");
    check(!strcmp(name, "127.0.0.1:5000"), "registry name: scheme and path dropped");
    free(name);
}

/* The error contract: the message and the hint go into the caller's struct
 * oci_error; the library names no flag and no command (the caller words
 * the action). */
static void test_error_contract(void)
{
    struct oci_error err;
    memset(&err, 'x', sizeof err);
    check(oci_ref_check("Bad/Ref", &err) < 0 && strstr(err.message, "must be lowercase") &&
              !err.hint[0] && err.action == OCI_HINT_NONE,
          "error contract: a bad reference is described in the caller's oci_error (cleared first)");
    check(oci_ref_check("Bad/Ref", NULL) < 0,
          "error contract: no oci_error given: the call still fails cleanly");

    char dir[] = "/tmp/oci-test-store.XXXXXX";
    if (!mkdtemp(dir)) {
        check(false, "error contract: a temporary store");
        return;
    }
    struct oci_run_options ro = {.pull = OCI_PULL_NEVER};
    ro.oci.store_dir = dir;
    ro.oci.error = &err;
    struct oci_module m;
    int rc = oci_resolve_module("127.0.0.1:9/never/pulled:v1", &ro, &m);
    check(
        rc < 0 && strstr(err.message, "not in the store") && err.action == OCI_HINT_PULL_FIRST &&
            !strcmp(err.hint_arg, "127.0.0.1:9/never/pulled:v1"),
        "error contract: --pull never on an empty store: the action is 'pull first', with the reference");
    check(!strstr(err.message, "--") && !strstr(err.hint, "--") && !strstr(err.hint, "wasm-bpf "),
          "error contract: neither message nor hint text names a flag or a command");
    rmdir(dir);
}

static int unit(void)
{
    test_error_contract();
    test_references();
    test_challenges();
    test_manifests();
    test_helpers();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* ---- resolve ---- */

/* The options of `wasm-bpf run` that concern its module: the command's own
 * tables (src/cli/opt_oci.c), so the test parses them as run does. */
struct resolve_args {
    struct oci_run_options ro;
    const char *copy_to;
};

static const struct opt resolve_opts[] = {
    {"copy-to", 0, "FILE", OPT_STRING, offsetof(struct resolve_args, copy_to), NULL,
     "copy the module to FILE"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group resolve_groups[] = {
    {resolve_opts, 0, NULL},
    {cli_oci_pull_opts, offsetof(struct resolve_args, ro), NULL},
    {cli_oci_store_opts, offsetof(struct resolve_args, ro.oci), NULL},
    {cli_oci_transport_opts, offsetof(struct resolve_args, ro.oci), NULL},
    {cli_oci_quiet_opts, offsetof(struct resolve_args, ro.oci), NULL},
    {cli_oci_platform_opts, offsetof(struct resolve_args, ro.oci), NULL},
    {NULL, 0, NULL},
};

static const struct opt_command resolve_cmd = {
    .name = "resolve",
    .usage = "resolve [run options] [--copy-to FILE] WHAT",
    .groups = resolve_groups,
    .flags = OPT_CMD_STOP_AT_ARG,
};

static int resolve(int argc, char **argv)
{
    struct resolve_args a = {0};
    struct oci_run_options ro;
    const char *copy_to;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&resolve_cmd, &a, argc - 1, argv + 1, args, &nargs);
    if (rc < 0 && nargs != 1)
        rc = opt_args_error(&resolve_cmd, "expected WHAT");
    const char *what = args[0];
    free(args);
    if (rc >= 0)
        return rc;
    ro = a.ro;
    copy_to = a.copy_to;
    struct oci_module m;
    ro.oci.error = &cli_oci_error;
    if (oci_resolve_module(what, &ro, &m) < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        return 1;
    }
    printf("path=%s\ntemporary=%d\ndigest=%s\n", m.path, m.temporary, m.digest);
    if (copy_to && oci__copy_to_output(m.path, copy_to, 0644) < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        return 1;
    }
    char *path = strdup(m.path);
    bool temporary = m.temporary;
    oci_module_release(&m);
    if (temporary && access(path, F_OK) == 0) {
        printf("temporary file left behind: %s\n", path);
        free(path);
        return 1;
    }
    free(path);
    return 0;
}

/* Reports shown as the command shows them */
static int print_to_stderr(enum wasm_bpf_print_level level, const char *fmt, va_list ap)
{
    return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
    wasm_bpf_set_print(print_to_stderr);
    oci_set_progress(cli_oci_progress, NULL);
    if (argc >= 2 && !strcmp(argv[1], "unit"))
        return unit();
    if (argc >= 2 && !strcmp(argv[1], "resolve"))
        return resolve(argc, argv);
    fprintf(stderr,
            "usage: oci-test unit | oci-test resolve [run options] [--copy-to FILE] WHAT\n");
    return 2;
}
