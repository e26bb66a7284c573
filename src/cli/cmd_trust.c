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
#include "oci_report.h"
#include "oci_trust.h"
#include "opt.h"

#define DEFAULT_POLICY "/etc/wasm-bpf/policy.json"

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
    char *p = prompt_password(confirm ? "Enter password for private key: "
                                      : "Enter password for private key: ");
    if (!p) {
        fprintf(stderr,
                "wasm-bpf %s: no terminal to ask for the key's password: set COSIGN_PASSWORD "
                "(it may be empty)\n",
                cmd);
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

struct key_args {
    const char *prefix;
};
#define KEY_AT(m) offsetof(struct key_args, m)
static const struct opt key_opts[] = {
    {"output-key-prefix", 0, "NAME", OPT_STRING, KEY_AT(prefix), NULL,
     "file names NAME.key and NAME.pub (default: cosign)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
static const struct opt_group key_groups[] = {{key_opts, 0, NULL}, {NULL, 0, NULL}};

const struct opt_command cmd_key_spec = {
    .name = "key",
    .usage = "key generate [--output-key-prefix NAME]",
    .description = "Make an ECDSA P-256 key pair in cosign's format: NAME.key (the private key,\n"
                   "encrypted with scrypt + nacl/secretbox under a password) and NAME.pub (the\n"
                   "public key, PEM).  The password comes from $COSIGN_PASSWORD, else from a\n"
                   "prompt on the terminal.  Existing files are never overwritten.  The keys work\n"
                   "with cosign and with skopeo's --sign-by-sigstore-private-key.\n",
    .groups = key_groups,
    .arity = &(const struct opt_arity){1, 1, "expected a subcommand: generate"},
};

int cmd_key(int argc, char **argv)
{
    struct key_args a = {.prefix = "cosign"};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_key_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    if (strcmp(args[0], "generate")) {
        rc = opt_args_error(&cmd_key_spec, "unknown subcommand '%s' (expected generate)", args[0]);
        goto out;
    }
    if (!*a.prefix) {
        rc = opt_usage_error(&cmd_key_spec, "--output-key-prefix needs a non-empty name");
        goto out;
    }
    rc = 1;
    char *password = get_password("key generate", true);
    if (!password)
        goto out;
    char *priv = NULL, *pub = NULL;
    int r = oci_key_generate(password, &priv, &pub, &cli_oci_error);
    memset(password, 0, strlen(password));
    free(password);
    if (r < 0) {
        cli_print_oci_error(&cli_oci_error, "key generate");
        goto out;
    }
    size_t n = strlen(a.prefix) + 5;
    char *kpath = malloc(n), *ppath = malloc(n);
    if (kpath && ppath) {
        snprintf(kpath, n, "%s.key", a.prefix);
        snprintf(ppath, n, "%s.pub", a.prefix);
        if (write_new_file(kpath, priv, 0600) == 0) {
            if (write_new_file(ppath, pub, 0644) == 0) {
                fprintf(stderr, "Private key written to %s\nPublic key written to %s\n", kpath,
                        ppath);
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
out:
    free(args);
    return rc;
}

/* ---- sign ---- */

struct sign_args {
    const char *key;
    bool bundle;
    bool replace;
    struct oci_options oci;
};
#define SIGN_AT(m) offsetof(struct sign_args, m)
static const struct opt sign_opts[] = {
    {"key", 0, "KEY", OPT_STRING, SIGN_AT(key), NULL, "the private key file (required)"},
    {"bundle", 0, NULL, OPT_FLAG, SIGN_AT(bundle), NULL,
     "also attach a Sigstore bundle (cosign v3's format) as a referrer"},
    {"replace", 0, NULL, OPT_FLAG, SIGN_AT(replace), NULL,
     "drop the earlier simple-signing signatures of this digest"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
static const struct opt_group sign_groups[] = {
    {sign_opts, 0, NULL},
    {cli_oci_transport_opts, SIGN_AT(oci), NULL},
    {cli_oci_credential_opts, SIGN_AT(oci), NULL},
    {cli_oci_quiet_opts, SIGN_AT(oci), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_sign_spec = {
    .name = "sign",
    .usage = "sign --key KEY [options] REF",
    .description = "Sign the module REF names in its registry, as cosign does: the manifest\n"
                   "digest REF resolves to now is signed (ECDSA P-256) in a simple-signing\n"
                   "payload stored under the tag sha256-<hex>.sig (what skopeo and cosign read),\n"
                   "and prints that digest.  KEY is a private key from `wasm-bpf key generate` or\n"
                   "cosign; its password comes from $COSIGN_PASSWORD or a prompt.\n",
    .groups = sign_groups,
    .arity = &cli_one_ref,
};

int cmd_sign(int argc, char **argv)
{
    struct sign_args a = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_sign_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    if (!a.key) {
        rc = opt_usage_error(&cmd_sign_spec,
                             "--key KEY is required (make one with `wasm-bpf key generate`)");
        goto out;
    }
    if ((rc = cli_check_credentials(&cmd_sign_spec, &a.oci)) != 0 ||
        (rc = cli_check_ref(&cmd_sign_spec, args[0])) != 0)
        goto out;
    rc = 1;
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(a.key, "re");
    if (f) {
        text = malloc(65537);
        len = text ? fread(text, 1, 65537, f) : 0;
        fclose(f);
    }
    if (!f || !text || len > 65536) {
        fprintf(stderr, "wasm-bpf sign: cannot read the key %s: %s\n", a.key,
                !f ? strerror(errno) : "larger than 64 KiB");
        free(text);
        goto out;
    }
    char *password = get_password("sign", false);
    if (!password) {
        free(text);
        goto out;
    }
    struct oci_signing_key *key = NULL;
    int r = oci_signing_key_load(text, len, password, &key, &cli_oci_error);
    memset(password, 0, strlen(password));
    free(password);
    free(text);
    if (r < 0) {
        cli_print_oci_error(&cli_oci_error, a.key);
        goto out;
    }
    struct oci_sign_options so = {.bundle = a.bundle, .replace = a.replace};
    char digest[OCI_DIGEST_SIZE];
    a.oci.error = &cli_oci_error;
    r = oci_sign(args[0], key, &so, &a.oci, digest);
    oci_signing_key_free(key);
    if (r < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        goto out;
    }
    printf("%s\n", digest);
    rc = 0;
out:
    free(args);
    return rc;
}

/* ---- verify ---- */

struct verify_args {
    struct opt_list keys;
    struct oci_options oci;
};
#define VERIFY_AT(m) offsetof(struct verify_args, m)
static const struct opt verify_opts[] = {
    {"key", 0, "PUB", OPT_LIST, VERIFY_AT(keys), NULL,
     "a public key (PEM); repeat for several (at most 16)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
static const struct opt_group verify_groups[] = {
    {verify_opts, 0, NULL},
    {cli_oci_transport_opts, VERIFY_AT(oci), NULL},
    {cli_oci_credential_opts, VERIFY_AT(oci), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_verify_spec = {
    .name = "verify",
    .usage = "verify --key PUB [--key PUB...] [options] REF",
    .description = "Check that the module REF names carries a valid signature by one of the keys:\n"
                   "a cosign simple-signing signature (tag sha256-<hex>.sig) or a Sigstore bundle\n"
                   "among the digest's referrers.  Prints the digest, the signed identity and the\n"
                   "key's fingerprint; exits 1 if nothing valid is found.\n",
    .groups = verify_groups,
    .arity = &cli_one_ref,
};

#define MAX_VERIFY_KEYS 16

int cmd_verify(int argc, char **argv)
{
    struct verify_args a = {0};
    struct oci_public_key *keys[MAX_VERIFY_KEYS];
    size_t n_keys = 0;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_verify_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    if (!a.keys.n || a.keys.n > MAX_VERIFY_KEYS) {
        rc = opt_usage_error(&cmd_verify_spec,
                             a.keys.n ? "at most 16 --key options" : "--key PUB is required");
        goto out;
    }
    if ((rc = cli_check_credentials(&cmd_verify_spec, &a.oci)) != 0 ||
        (rc = cli_check_ref(&cmd_verify_spec, args[0])) != 0)
        goto out;
    rc = 1;
    for (; n_keys < a.keys.n; n_keys++)
        if (oci_public_key_load_file(a.keys.items[n_keys], &keys[n_keys], &cli_oci_error) < 0) {
            cli_print_oci_error(&cli_oci_error, "verify");
            goto out;
        }
    struct oci_verification v;
    a.oci.error = &cli_oci_error;
    if (oci_verify(args[0], keys, n_keys, &a.oci, &v) < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        goto out;
    }
    printf(
        "Verified %s\n  digest:      %s\n  identity:    %s\n  key:         %s\n  format:      %s\n"
        "  signatures:  %u valid, %u not valid\n",
        args[0], v.digest, v.identity, v.fingerprint, v.format, v.n_valid, v.n_invalid);
    oci_verification_free(&v);
    rc = 0;
out:
    for (size_t k = 0; k < n_keys; k++)
        oci_public_key_free(keys[k]);
    opt_free(&cmd_verify_spec, &a);
    free(args);
    return rc;
}

/* ---- run and pull: --policy FILE, --verify-key PUB ---- */

const struct opt cli_trust_opts[] = {
    {"policy", 0, "FILE", OPT_STRING, offsetof(struct trust_cli, policy_path), NULL,
     "verify modules from registries against this containers-policy.json (default: " DEFAULT_POLICY
     " if it exists); a module failing it never runs nor enters the store (exit 125)"},
    {"verify-key", 0, "PUB", OPT_STRING, offsetof(struct trust_cli, verify_key), NULL,
     "require a signature by this public key (short for a one-key policy)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

int trust_setup(struct trust_cli *t, struct oci_options *o, const char *cmd)
{
    if (t->policy_path && t->verify_key) {
        fprintf(stderr, "wasm-bpf %s: --policy and --verify-key exclude each other\n", cmd);
        return -1;
    }
    int rc = 0;
    if (t->verify_key) {
        rc = oci_policy_for_key(t->verify_key, &t->policy, &cli_oci_error);
    } else if (t->policy_path) {
        rc = oci_policy_load(t->policy_path, &t->policy, &cli_oci_error);
    } else if (access(DEFAULT_POLICY, F_OK) == 0) {
        rc = oci_policy_load(DEFAULT_POLICY, &t->policy, &cli_oci_error);
    } else {
        t->unverified = true;
    }
    if (rc < 0) {
        cli_print_oci_error(&cli_oci_error, cmd);
        return -1;
    }
    o->policy = t->policy;
    return 0;
}

void trust_notice_unverified(const struct trust_cli *t, const char *ref)
{
    if (t->unverified && isatty(STDERR_FILENO))
        fprintf(stderr,
                "notice: %s is not verified: no policy (--policy FILE, " DEFAULT_POLICY
                " or --verify-key PUB)\n",
                ref);
}

void trust_cleanup(struct trust_cli *t)
{
    oci_policy_free(t->policy);
    t->policy = NULL;
}
