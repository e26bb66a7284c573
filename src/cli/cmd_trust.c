/* cmd_trust.c: `wasm-bpf key generate`, `wasm-bpf sign`, `wasm-bpf verify`,
 * and the --policy / --verify-key options `run` and `pull` take.
 *
 * Passwords come from $COSIGN_PASSWORD (cosign's variable, so scripts
 * written for cosign work unchanged), else from a prompt on the terminal;
 * without either the command fails rather than using an empty password
 * silently. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "oci.h"
#include "oci_trust.h"

#define DEFAULT_POLICY "/etc/wasm-bpf/policy.json"
#define REGISTRY_OPTIONS (OCI_OPT_TRANSPORT | OCI_OPT_CREDENTIALS | OCI_OPT_QUIET)

static int usage_fail(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "wasm-bpf %s: %s%s\nRun 'wasm-bpf %s --help' for usage.\n", cmd, msg, arg, cmd);
    return EXIT_USAGE;
}

/* "--name VALUE" or "--name=VALUE": 1 taken, 0 not this option, -1 missing value */
static int take_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n))
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n])
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "wasm-bpf: %s needs a value\n", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

/* A line from the terminal without echo; NULL if there is no terminal. */
static char *prompt_password(const char *prompt)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct termios old, quiet;
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* nothing to do: the read below still works */
    }
    char buf[1024];
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || c == '\n')
            break;
        if (n + 1 < sizeof buf)
            buf[n++] = c;
    }
    buf[n] = '\0';
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* as above */
    }
    close(fd);
    char *s = strdup(buf);
    memset(buf, 0, sizeof buf);
    return s;
}

/* The password: $COSIGN_PASSWORD, else the terminal (twice when CONFIRM). */
static char *get_password(const char *cmd, bool confirm)
{
    const char *env = getenv("COSIGN_PASSWORD");
    if (env)
        return strdup(env);
    char *p = prompt_password(confirm ? "Enter password for private key: " : "Enter password for private key: ");
    if (!p) {
        fprintf(stderr, "wasm-bpf %s: no terminal to ask for the key's password: set COSIGN_PASSWORD "
                        "(it may be empty)\n", cmd);
        return NULL;
    }
    if (confirm) {
        char *again = prompt_password("Enter password for private key again: ");
        if (!again || strcmp(p, again)) {
            fprintf(stderr, "wasm-bpf %s: the passwords differ\n", cmd);
            free(p);
            free(again);
            return NULL;
        }
        free(again);
    }
    return p;
}

/* Write a new file: never overwrites a key. */
static int write_new_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        fprintf(stderr, "wasm-bpf key generate: cannot create %s: %s%s\n", path, strerror(errno),
                errno == EEXIST ? " (refusing to overwrite a key)" : "");
        return -1;
    }
    size_t n = strlen(text), done = 0;
    while (done < n) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "wasm-bpf key generate: cannot write %s: %s\n", path, strerror(errno));
            close(fd);
            unlink(path);
            return -1;
        }
        done += (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        fprintf(stderr, "wasm-bpf key generate: cannot write %s: %s\n", path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

/* ---- key generate ---- */

static void key_usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf key generate [--output-key-prefix NAME]\n"
            "\n"
            "Make an ECDSA P-256 key pair in cosign's format: NAME.key (the private key,\n"
            "encrypted with scrypt + nacl/secretbox under a password) and NAME.pub (the\n"
            "public key, PEM).  The password comes from $COSIGN_PASSWORD, else from a\n"
            "prompt.  Existing files are never overwritten.  The keys work with cosign\n"
            "and skopeo (--sign-by-sigstore-private-key).\n"
            "\n"
            "Options:\n"
            "  --output-key-prefix NAME   file names NAME.key and NAME.pub (default: cosign)\n"
            "  -h, --help                 show this help\n");
}

int cmd_key(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        key_usage(stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "generate")) {
        key_usage(stderr);
        return EXIT_USAGE;
    }
    const char *prefix = "cosign";
    for (int i = 2; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            key_usage(stdout);
            return 0;
        }
        if ((r = take_value(argc, argv, &i, "--output-key-prefix", &prefix)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (!*prefix)
                return usage_fail("key", "--output-key-prefix needs a non-empty name", "");
            continue;
        }
        return usage_fail("key", "unexpected argument ", argv[i]);
    }
    char *password = get_password("key generate", true);
    if (!password)
        return 1;
    char *priv = NULL, *pub = NULL;
    int rc = oci_key_generate(password, &priv, &pub);
    memset(password, 0, strlen(password));
    free(password);
    if (rc < 0) {
        oci_print_error("key generate");
        return 1;
    }
    size_t n = strlen(prefix) + 5;
    char *kpath = malloc(n), *ppath = malloc(n);
    rc = 1;
    if (kpath && ppath) {
        snprintf(kpath, n, "%s.key", prefix);
        snprintf(ppath, n, "%s.pub", prefix);
        if (write_new_file(kpath, priv, 0600) == 0) {
            if (write_new_file(ppath, pub, 0644) == 0) {
                fprintf(stderr, "Private key written to %s\nPublic key written to %s\n", kpath, ppath);
                rc = 0;
            } else {
                unlink(kpath);
            }
        }
    }
    free(kpath);
    free(ppath);
    free(priv);
    free(pub);
    return rc;
}

/* ---- sign ---- */

static void sign_usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf sign --key KEY [options] REF\n"
            "\n"
            "Sign the module REF names in its registry, as cosign does: the manifest\n"
            "digest REF resolves to now is signed (ECDSA P-256) in a simple-signing\n"
            "payload stored under the tag sha256-<hex>.sig (what skopeo and cosign\n"
            "read).  KEY is a private key from `wasm-bpf key generate` or cosign; its\n"
            "password comes from $COSIGN_PASSWORD or a prompt.\n"
            "\n"
            "Options:\n"
            "  --key KEY     the private key file\n"
            "  --bundle      also attach a Sigstore bundle (cosign v3's format) as a referrer\n"
            "  --replace     drop the earlier simple-signing signatures of this digest\n");
    oci_print_option_help(out, REGISTRY_OPTIONS);
    fprintf(out, "  -h, --help    show this help\n");
}

int cmd_sign(int argc, char **argv)
{
    struct oci_options o = {0};
    struct oci_sign_options so = {0};
    const char *key_path = NULL, *ref = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (a[0] != '-' || !a[1]) {
            if (ref)
                return usage_fail("sign", "unexpected argument ", a);
            ref = a;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            sign_usage(stdout);
            return 0;
        } else if ((r = take_value(argc, argv, &i, "--key", &key_path)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
        } else if (!strcmp(a, "--bundle")) {
            so.bundle = true;
        } else if (!strcmp(a, "--replace")) {
            so.replace = true;
        } else if ((r = oci_parse_option(argc, argv, &i, REGISTRY_OPTIONS, &o)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
        } else {
            return usage_fail("sign", "unknown option ", a);
        }
    }
    if (!key_path)
        return usage_fail("sign", "--key KEY is required (make one with `wasm-bpf key generate`)", "");
    if (!ref)
        return usage_fail("sign", "expected a reference", "");
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(key_path, "re");
    if (f) {
        text = malloc(65537);
        len = text ? fread(text, 1, 65537, f) : 0;
        fclose(f);
    }
    if (!f || !text || len > 65536) {
        fprintf(stderr, "wasm-bpf sign: cannot read the key %s: %s\n", key_path,
                !f ? strerror(errno) : "larger than 64 KiB");
        free(text);
        return 1;
    }
    char *password = get_password("sign", false);
    if (!password) {
        free(text);
        return 1;
    }
    struct oci_signing_key *key = NULL;
    int rc = oci_signing_key_load(text, len, password, &key);
    memset(password, 0, strlen(password));
    free(password);
    free(text);
    if (rc < 0) {
        oci_print_error(key_path);
        return 1;
    }
    char digest[OCI_DIGEST_SIZE];
    rc = oci_sign(ref, key, &so, &o, digest);
    oci_signing_key_free(key);
    if (rc < 0) {
        oci_print_error(NULL);
        return 1;
    }
    printf("%s\n", digest);
    return 0;
}

/* ---- verify ---- */

static void verify_usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf verify --key PUB [--key PUB...] [options] REF\n"
            "\n"
            "Check that the module REF names carries a valid signature by one of the\n"
            "keys: a cosign simple-signing signature (tag sha256-<hex>.sig) or a Sigstore\n"
            "bundle among the digest's referrers.  Prints the digest, the signed\n"
            "identity and the key's fingerprint; exits 1 if nothing valid is found.\n"
            "\n"
            "Options:\n"
            "  --key PUB     a public key (PEM); repeat for several\n");
    oci_print_option_help(out, REGISTRY_OPTIONS);
    fprintf(out, "  -h, --help    show this help\n");
}

#define MAX_VERIFY_KEYS 16

int cmd_verify(int argc, char **argv)
{
    struct oci_options o = {0};
    struct oci_public_key *keys[MAX_VERIFY_KEYS];
    size_t n_keys = 0;
    const char *ref = NULL;
    int rc = EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;
        if (a[0] != '-' || !a[1]) {
            if (ref) {
                usage_fail("verify", "unexpected argument ", a);
                goto out;
            }
            ref = a;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            verify_usage(stdout);
            rc = 0;
            goto out;
        } else if ((r = take_value(argc, argv, &i, "--key", &v)) != 0) {
            if (r < 0)
                goto out;
            if (n_keys == MAX_VERIFY_KEYS) {
                usage_fail("verify", "too many --key options (at most 16)", "");
                goto out;
            }
            if (oci_public_key_load_file(v, &keys[n_keys]) < 0) {
                oci_print_error("verify");
                rc = 1;
                goto out;
            }
            n_keys++;
        } else if ((r = oci_parse_option(argc, argv, &i, REGISTRY_OPTIONS, &o)) != 0) {
            if (r < 0)
                goto out;
        } else {
            usage_fail("verify", "unknown option ", a);
            goto out;
        }
    }
    if (!n_keys) {
        usage_fail("verify", "--key PUB is required", "");
        goto out;
    }
    if (!ref) {
        usage_fail("verify", "expected a reference", "");
        goto out;
    }
    struct oci_verification v;
    if (oci_verify(ref, keys, n_keys, &o, &v) < 0) {
        oci_print_error(NULL);
        rc = 1;
        goto out;
    }
    printf("Verified %s\n  digest:      %s\n  identity:    %s\n  key:         %s\n  format:      %s\n"
           "  signatures:  %u valid, %u not valid\n",
           ref, v.digest, v.identity, v.fingerprint, v.format, v.n_valid, v.n_invalid);
    oci_verification_free(&v);
    rc = 0;
out:
    for (size_t k = 0; k < n_keys; k++)
        oci_public_key_free(keys[k]);
    return rc;
}

/* ---- run and pull: --policy FILE, --verify-key PUB ---- */

int trust_parse_option(int argc, char **argv, int *i, struct trust_cli *t)
{
    const char *v;
    int r;
    if ((r = take_value(argc, argv, i, "--policy", &v)) != 0) {
        if (r > 0)
            t->policy_path = v;
        return r;
    }
    if ((r = take_value(argc, argv, i, "--verify-key", &v)) != 0) {
        if (r > 0)
            t->verify_key = v;
        return r;
    }
    return 0;
}

void trust_print_option_help(FILE *out)
{
    fprintf(out,
            "  --policy FILE        verify modules from registries against this containers-policy.json\n"
            "                       (default: " DEFAULT_POLICY " if it exists)\n"
            "  --verify-key PUB     require a signature by this public key (short for a one-key policy)\n");
}

int trust_setup(struct trust_cli *t, struct oci_options *o, const char *cmd)
{
    if (t->policy_path && t->verify_key) {
        fprintf(stderr, "wasm-bpf %s: --policy and --verify-key exclude each other\n", cmd);
        return -1;
    }
    int rc = 0;
    if (t->verify_key) {
        rc = oci_policy_for_key(t->verify_key, &t->policy);
    } else if (t->policy_path) {
        rc = oci_policy_load(t->policy_path, &t->policy);
    } else if (access(DEFAULT_POLICY, F_OK) == 0) {
        rc = oci_policy_load(DEFAULT_POLICY, &t->policy);
    } else {
        t->unverified = true;
    }
    if (rc < 0) {
        oci_print_error(cmd);
        return -1;
    }
    o->policy = t->policy;
    return 0;
}

void trust_notice_unverified(const struct trust_cli *t, const char *ref)
{
    if (t->unverified && isatty(STDERR_FILENO))
        fprintf(stderr, "notice: %s is not verified: no policy (--policy FILE, " DEFAULT_POLICY
                        " or --verify-key PUB)\n", ref);
}

void trust_cleanup(struct trust_cli *t)
{
    oci_policy_free(t->policy);
    t->policy = NULL;
}
