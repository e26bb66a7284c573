/* opt_oci.c: the options of the commands that talk to a registry or the
 * local store, one table per group, so push, pull, login, images, inspect,
 * rmi, tag and run spell and check them the same way.  The targets are
 * members of struct oci_options (struct oci_run_options for --pull); the
 * checks of their values are the OCI client's. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "oci.h"
#include "opt.h"

#define END                             \
    {                                   \
        NULL, 0, NULL, 0, 0, NULL, NULL \
    }
#define AT(member) offsetof(struct oci_options, member)

static int set_nonempty(void *target, const char *value, char *err, size_t errlen)
{
    if (!*value) {
        snprintf(err, errlen, "must not be empty");
        return -1;
    }
    *(const char **)target = value;
    return 0;
}

static int set_ca_file(void *target, const char *value, char *err, size_t errlen)
{
    if (access(value, R_OK) < 0) {
        snprintf(err, errlen, "cannot read it");
        return -1;
    }
    *(const char **)target = value;
    return 0;
}

static int set_platform(void *target, const char *value, char *err, size_t errlen)
{
    if (!oci_platform_valid(value)) {
        snprintf(err, errlen, "expected OS/ARCH[/VARIANT], e.g. wasip1/wasm");
        return -1;
    }
    *(const char **)target = value;
    return 0;
}

/* --password-stdin: one line of standard input, without its line end. */
static int set_password_stdin(void *target, const char *value, char *err, size_t errlen)
{
    static char line[4096];
    (void)value;
    if (!fgets(line, sizeof line, stdin)) {
        snprintf(err, errlen, "nothing to read on standard input");
        return -1;
    }
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (!n) {
        snprintf(err, errlen, "the password is empty");
        return -1;
    }
    *(const char **)target = line;
    return 0;
}

static int set_pull_policy(void *target, const char *value, char *err, size_t errlen)
{
    if (oci_pull_policy_parse(value, target) < 0) {
        snprintf(err, errlen, "expected always, missing or never");
        return -1;
    }
    return 0;
}

const struct opt cli_oci_store_opts[] = {
    {"store", 0, "DIR", OPT_SET, AT(store_dir), set_nonempty,
     "the local store (default $XDG_CACHE_HOME/wasm-bpf or ~/.cache/wasm-bpf)"},
    END,
};

const struct opt cli_oci_transport_opts[] = {
    {"plain-http", 0, NULL, OPT_FLAG, AT(plain_http), NULL,
     "talk plain HTTP to the registry (default only for localhost, 127.0.0.0/8 and ::1; a "
     "reference may also start with http://)"},
    {"insecure", 0, NULL, OPT_FLAG, AT(insecure), NULL,
     "HTTPS without verifying the registry's certificate"},
    {"ca-file", 0, "FILE", OPT_SET, AT(ca_file), set_ca_file,
     "verify the registry with the CA certificates in FILE (PEM)"},
    END,
};

const struct opt cli_oci_credential_opts[] = {
    {"username", 'u', "USER", OPT_SET, AT(username), set_nonempty,
     "log in as USER (the password comes from --password-stdin)"},
    {"password-stdin", 0, NULL, OPT_SET, AT(password), set_password_stdin,
     "read the password from standard input"},
    END,
};

const struct opt cli_oci_platform_opts[] = {
    {"platform", 0, "OS/ARCH", OPT_SET, AT(platform), set_platform,
     "the entry to take from an image index (default: wasm, then linux/<this machine>)"},
    END,
};

const struct opt cli_oci_quiet_opts[] = {
    {"quiet", 'q', NULL, OPT_FLAG, AT(quiet), NULL, "no progress or status output"},
    END,
};

const struct opt cli_oci_pull_opts[] = {
    {"pull", 0, "POLICY", OPT_SET, offsetof(struct oci_run_options, pull), set_pull_policy,
     "for an OCI reference: missing (pull unless in the store; the default), always (ask the "
     "registry), never (store only, offline)"},
    END,
};

const struct opt_arity cli_one_ref = {1, 1, "expected a reference"};

int cli_check_credentials(const struct opt_command *cmd, const struct oci_options *o)
{
    if (o->username && !o->password)
        return opt_usage_error(cmd, "-u needs --password-stdin");
    return 0;
}

int cli_check_ref(const struct opt_command *cmd, const char *ref)
{
    struct oci_error err;
    if (oci_ref_check(ref, &err) == 0)
        return 0;
    opt_usage_error(cmd, "%s", err.message);
    return EXIT_USAGE;
}
