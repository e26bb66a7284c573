/* options.c: the command-line options every OCI command shares, so push,
 * pull, login, images, inspect, rmi and run spell them the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci_internal.h"

/* Match argv[*i] against a long option taking a value: "--NAME VALUE" or
 * "--NAME=VALUE" (and "-S VALUE", "-SVALUE" for a short name).
 * 1 matched (value set), 0 no match, -1 value missing. */
static int option_value(int argc, char **argv, int *i, const char *long_name, const char *short_name,
                        const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(long_name);
    if (!strncmp(a, long_name, n) && (a[n] == '=' || a[n] == '\0')) {
        if (a[n] == '=') {
            *value = a + n + 1;
            return 1;
        }
    } else if (short_name && !strncmp(a, short_name, 2) && a[2] != '\0') {
        *value = a + 2;
        return 1;
    } else if (!(short_name && !strcmp(a, short_name))) {
        return 0;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "wasm-bpf: option %s needs a value\n", a);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

static bool flag(const char *a, const char *long_name, const char *short_name)
{
    return !strcmp(a, long_name) || (short_name && !strcmp(a, short_name));
}

static char password_line[4096];

static int read_password_stdin(struct oci_options *o)
{
    if (!fgets(password_line, sizeof password_line, stdin)) {
        fprintf(stderr, "wasm-bpf: --password-stdin: nothing to read on standard input\n");
        return -1;
    }
    size_t n = strlen(password_line);
    while (n && (password_line[n - 1] == '\n' || password_line[n - 1] == '\r'))
        password_line[--n] = '\0';
    if (!n) {
        fprintf(stderr, "wasm-bpf: --password-stdin: the password is empty\n");
        return -1;
    }
    o->password = password_line;
    return 0;
}

int oci_parse_option(int argc, char **argv, int *i, unsigned which, struct oci_options *o)
{
    const char *a = argv[*i], *v;
    int r;
    if (which & OCI_OPT_STORE) {
        if ((r = option_value(argc, argv, i, "--store", NULL, &v)) != 0) {
            if (r > 0 && !*v) {
                fprintf(stderr, "wasm-bpf: --store needs a directory\n");
                return -1;
            }
            o->store_dir = v;
            return r;
        }
    }
    if (which & OCI_OPT_TRANSPORT) {
        if (flag(a, "--insecure", NULL)) {
            o->insecure = true;
            return 1;
        }
        if (flag(a, "--plain-http", NULL)) {
            o->plain_http = true;
            return 1;
        }
        if ((r = option_value(argc, argv, i, "--ca-file", NULL, &v)) != 0) {
            if (r > 0 && access(v, R_OK) < 0) {
                fprintf(stderr, "wasm-bpf: --ca-file %s: cannot read it\n", v);
                return -1;
            }
            o->ca_file = v;
            return r;
        }
    }
    if ((which & OCI_OPT_QUIET) && flag(a, "--quiet", "-q")) {
        o->quiet = true;
        return 1;
    }
    if (which & OCI_OPT_CREDENTIALS) {
        if ((r = option_value(argc, argv, i, "--username", "-u", &v)) != 0) {
            if (r > 0 && !*v) {
                fprintf(stderr, "wasm-bpf: the user name is empty\n");
                return -1;
            }
            o->username = v;
            return r;
        }
        if (flag(a, "--password-stdin", NULL))
            return read_password_stdin(o) < 0 ? -1 : 1;
    }
    if (which & OCI_OPT_PLATFORM) {
        if ((r = option_value(argc, argv, i, "--platform", NULL, &v)) != 0) {
            const char *slash = r > 0 ? strchr(v, '/') : NULL;
            if (r > 0 && (!slash || slash == v || !slash[1])) {
                fprintf(stderr, "wasm-bpf: --platform %s: expected OS/ARCH[/VARIANT], e.g. wasip1/wasm\n", v);
                return -1;
            }
            o->platform = v;
            return r;
        }
    }
    return 0;
}

void oci_print_option_help(FILE *out, unsigned which)
{
    if (which & OCI_OPT_STORE)
        fprintf(out, "  --store DIR          the local store (default $XDG_CACHE_HOME/wasm-bpf or ~/.cache/wasm-bpf)\n");
    if (which & OCI_OPT_TRANSPORT)
        fprintf(out, "  --plain-http         talk plain HTTP to the registry (default only for localhost,\n"
                     "                       127.0.0.0/8 and ::1; a reference may also start with http://)\n"
                     "  --insecure           HTTPS without verifying the registry's certificate\n"
                     "  --ca-file FILE       verify the registry with the CA certificates in FILE (PEM)\n");
    if (which & OCI_OPT_CREDENTIALS)
        fprintf(out, "  -u, --username USER  log in as USER (the password comes from --password-stdin)\n"
                     "  --password-stdin     read the password from standard input\n");
    if (which & OCI_OPT_PLATFORM)
        fprintf(out, "  --platform OS/ARCH   the entry to take from an image index (default: wasm, then\n"
                     "                       linux/<this machine>)\n");
    if (which & OCI_OPT_QUIET)
        fprintf(out, "  -q, --quiet          no progress or status output\n");
}

#define RUN_OPTIONS (OCI_OPT_STORE | OCI_OPT_TRANSPORT | OCI_OPT_QUIET | OCI_OPT_PLATFORM)

int oci_parse_run_option(int argc, char **argv, int *i, struct oci_run_options *o)
{
    const char *v;
    int r = option_value(argc, argv, i, "--pull", NULL, &v);
    if (r < 0)
        return -1;
    if (r > 0) {
        if (!strcmp(v, "missing"))
            o->pull = OCI_PULL_MISSING;
        else if (!strcmp(v, "always"))
            o->pull = OCI_PULL_ALWAYS;
        else if (!strcmp(v, "never"))
            o->pull = OCI_PULL_NEVER;
        else {
            fprintf(stderr, "wasm-bpf: --pull %s: expected always, missing or never\n", v);
            return -1;
        }
        return 1;
    }
    return oci_parse_option(argc, argv, i, RUN_OPTIONS, &o->oci);
}

void oci_print_run_option_help(FILE *out)
{
    fprintf(out, "  --pull POLICY        for an OCI reference: missing (pull unless in the store; the\n"
                 "                       default), always (ask the registry), never (store only, offline)\n");
    oci_print_option_help(out, RUN_OPTIONS);
}
