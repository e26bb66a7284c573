/* cli.h: the wasm-bpf command's subcommands.  Each lives in its own file
 * (cmd_NAME.c), takes the arguments after its name (argv[0] is the
 * subcommand name) and returns the process exit status. */
#ifndef WASM_BPF_CLI_H
#define WASM_BPF_CLI_H

#define WASM_BPF_VERSION "0.1.0"

/* Exit statuses of the command itself (a guest's own exit code passes through). */
enum {
    EXIT_USAGE = 2,        /* bad options or arguments */
};

int cmd_run(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_key(int argc, char **argv);          /* cmd_trust.c */
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_gen(int argc, char **argv);          /* dispatches to the two below */
int cmd_gen_skeleton(int argc, char **argv);
int cmd_gen_types(int argc, char **argv);

/* cmd_trust.c: --policy FILE / --verify-key PUB for run and pull. */
#include <stdbool.h>
#include <stdio.h>
struct oci_options;
struct oci_policy;
struct trust_cli {
    const char *policy_path;
    const char *verify_key;
    struct oci_policy *policy;   /* loaded by trust_setup() */
    bool unverified;             /* no policy at all */
};
/* Same contract as oci_parse_option(): 1 consumed, 0 not ours, -1 bad. */
int trust_parse_option(int argc, char **argv, int *i, struct trust_cli *t);
void trust_print_option_help(FILE *out);
/* Load the policy (explicit, else /etc/wasm-bpf/policy.json, else none)
 * into o->policy; -1 with the error printed. */
int trust_setup(struct trust_cli *t, struct oci_options *o, const char *cmd);
/* One line on a terminal when a registry module runs without a policy. */
void trust_notice_unverified(const struct trust_cli *t, const char *ref);
void trust_cleanup(struct trust_cli *t);

#endif
