/* cmd_login.c: `wasm-bpf login [REGISTRY]`, docker's habits: -u, -p (with a
 * warning), --password-stdin, prompts on a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"

#define LOGIN_OPTIONS (OCI_OPT_TRANSPORT | OCI_OPT_CREDENTIALS | OCI_OPT_QUIET)

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf login [options] [REGISTRY]\n"
            "\n"
            "Check a user name and password against REGISTRY (default docker.io) and store\n"
            "them in the docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json),\n"
            "through the credential helper it names (credHelpers, credsStore) if any.\n"
            "docker, podman, skopeo and oras read the same file.\n"
            "\n"
            "Options:\n"
            "  -p, --password PASS  the password (visible to other users: prefer --password-stdin)\n");
    oci_print_option_help(out, LOGIN_OPTIONS);
    fprintf(out, "  -h, --help           show this help\n"
                 "\n"
                 "Without -u or a password, they are asked for on a terminal.\n");
}

static int bad_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "wasm-bpf login: %s%s\nRun 'wasm-bpf login --help' for usage.\n", msg, arg);
    return EXIT_USAGE;
}

/* Read a line from the terminal, without echo if `secret`. */
static char *prompt(const char *what, bool secret)
{
    static char line[2][1024];
    char *buf = line[secret];
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return NULL;
    fprintf(tty, "%s: ", what);
    fflush(tty);
    struct termios old, quiet;
    bool restore = false;
    if (secret && tcgetattr(fileno(tty), &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
    }
    char *r = fgets(buf, sizeof line[0], tty);
    if (restore) {
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
        fputc('\n', tty);
    }
    fclose(tty);
    if (!r)
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf;
}

int cmd_login(int argc, char **argv)
{
    struct oci_error oerr = {0};
    struct oci_options o = {.error = &oerr};
    const char *registry = NULL;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || !a[1]) {
            if (registry)
                return bad_usage("unexpected argument ", a);
            registry = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        int r = oci_parse_option(argc, argv, &i, LOGIN_OPTIONS, &o);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (!strcmp(a, "-p") || !strcmp(a, "--password")) {
            if (i + 1 >= argc)
                return bad_usage(a, " needs a value");
            o.password = argv[++i];
        } else if (!strncmp(a, "--password=", 11)) {
            o.password = a + 11;
        } else {
            return bad_usage("unknown option ", a);
        }
        fprintf(stderr, "WARNING! Using --password on the command line is insecure; use --password-stdin.\n");
    }
    if (!o.username && !(o.username = prompt("Username", false)))
        return bad_usage("no user name: pass -u USER (no terminal to ask on)", "");
    if (!o.password && !(o.password = prompt("Password", true)))
        return bad_usage("no password: pass --password-stdin (no terminal to ask on)", "");
    if (oci_login(registry, o.username, o.password, &o) < 0) {
        cli_print_oci_error(&oerr, NULL);
        return 1;
    }
    if (!o.quiet)
        printf("Login Succeeded\n");
    return 0;
}
