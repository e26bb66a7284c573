/* cmd_login.c: `wasm-bpf login [REGISTRY]`, docker's habits: -u, -p (with a
 * warning), --password-stdin, prompts on a terminal. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "opt.h"

struct login_args {
    struct oci_options oci;
};

/* -p PASS: docker's habit, with docker's warning. */
static int set_password(void *target, const char *value, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    fprintf(stderr,
            "WARNING! Using --password on the command line is insecure; use --password-stdin.\n");
    *(const char **)target = value;
    return 0;
}

static const struct opt login_opts[] = {
    {"password", 'p', "PASS", OPT_SET, offsetof(struct oci_options, password), set_password,
     "the password (visible to other users: prefer --password-stdin)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group login_groups[] = {
    {login_opts, offsetof(struct login_args, oci), NULL},
    {cli_oci_transport_opts, offsetof(struct login_args, oci), NULL},
    {cli_oci_credential_opts, offsetof(struct login_args, oci), NULL},
    {cli_oci_quiet_opts, offsetof(struct login_args, oci), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_login_spec = {
    .name = "login",
    .usage = "login [options] [REGISTRY]",
    .description =
        "Check a user name and password against REGISTRY (default docker.io) and store\n"
        "them in the docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json),\n"
        "through the credential helper it names (credHelpers, credsStore) if any.\n"
        "docker, podman, skopeo and oras read the same file.\n",
    .groups = login_groups,
    .arity = &(const struct opt_arity){0, 1, NULL},
    .epilog = "Without -u or a password, they are asked for on a terminal.\n",
};

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
    struct login_args a = {0};
    struct oci_options *o = &a.oci;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_login_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    rc = EXIT_USAGE;
    if (!o->username && !(o->username = prompt("Username", false))) {
        opt_usage_error(&cmd_login_spec, "no user name: pass -u USER (no terminal to ask on)");
        goto out;
    }
    if (!o->password && !(o->password = prompt("Password", true))) {
        opt_usage_error(&cmd_login_spec,
                        "no password: pass --password-stdin (no terminal to ask on)");
        goto out;
    }
    o->error = &cli_oci_error;
    if (oci_login(nargs ? args[0] : NULL, o->username, o->password, o) < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        rc = 1;
        goto out;
    }
    if (!o->quiet)
        printf("Login Succeeded\n");
    rc = 0;
out:
    free(args);
    return rc;
}
