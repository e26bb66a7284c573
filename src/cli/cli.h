/* cli.h: the wasm-bpf command's subcommands.  Each lives in its own file
 * (cmd_NAME.c), takes the arguments after its name (argv[0] is the
 * subcommand name) and returns the process exit status.  Each describes its
 * options as a table (struct opt_command, see opt.h), parsed and printed by
 * opt.c; main.c lists the commands. */
#ifndef WASM_BPF_CLI_H
#define WASM_BPF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "opt.h"

#define WASM_BPF_VERSION "0.1.0"

/* Exit statuses of the command itself (a guest's own exit code passes through;
 * `run` adds its own, see cmd_run.c). */
enum {
    EXIT_USAGE = 2, /* bad options, arguments or references */
};

int cmd_run(int argc, char **argv);
/* The short form `wasm-bpf [run options] MODULE [args...]`: run, but a
 * MODULE that is neither a file, a URL nor an unmistakable reference is
 * taken for a mistyped command. */
int cmd_run_short_form(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_key(int argc, char **argv); /* cmd_trust.c */
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_gen(int argc, char **argv); /* dispatches to the two below */
int cmd_gen_skeleton(int argc, char **argv);
int cmd_gen_types(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_build(int argc, char **argv);

/* Each command's option table, for `wasm-bpf --help-all`. */
extern const struct opt_command cmd_run_spec, cmd_push_spec, cmd_pull_spec, cmd_login_spec,
    cmd_logout_spec, cmd_images_spec, cmd_inspect_spec, cmd_rmi_spec, cmd_tag_spec,
    cmd_gen_skeleton_spec, cmd_gen_types_spec, cmd_key_spec, cmd_sign_spec, cmd_verify_spec,
    cmd_new_spec, cmd_build_spec;

/* datadir.c: the directories the command ships with, found relative to
 * the binary (installed: PREFIX/bin -> PREFIX/include/wasm-bpf ...; else
 * the checkout it was built in).  A malloc'ed absolute path, or NULL
 * (errno ENOENT) when neither has it. */
enum cli_data {
    CLI_DATA_SDK_C,     /* the C SDK's headers (wasm-bpf.h, libbpf-wasm.h) */
    CLI_DATA_SDK_RUST,  /* the Rust SDK crate (wasm-bpf-binding) */
    CLI_DATA_TEMPLATES, /* the templates of `new`: LANG/TEMPLATE/ */
};
char *cli_data_dir(enum cli_data what);
/* Where an installation keeps it, relative to PREFIX ("include/wasm-bpf"),
 * for messages. */
const char *cli_data_where(enum cli_data what);

/* cmd_push.c: the metadata section `build` writes (docs/ABI.md). */
#define CLI_METADATA_SECTION "wasm-bpf.metadata"

/* completion.c: the bash completion script (`wasm-bpf --help-completion`)
 * for COMMANDS (the first words, NULL-terminated), whose options are in
 * SPECS (NULL-terminated; "gen types" is the second word of "gen"), and
 * the options GLOBAL_OPTS of the first word (those with help text). */
void cli_print_bash_completion(FILE *out, const char *const *commands,
                               const struct opt_command *const *specs,
                               const struct opt *global_opts);

/* main.c: may WORD, where a command is expected, be taken for a module? */
bool cli_is_module_word(const char *word);
/* main.c: "wasm-bpf: 'WORD' is not a wasm-bpf command" with the nearest
 * command, exit status 2. */
int cli_not_a_command(const char *word);

/* opt_oci.c: the option groups of the OCI commands (targets in struct
 * oci_options; --pull in struct oci_run_options). */
extern const struct opt cli_oci_store_opts[], cli_oci_transport_opts[], cli_oci_credential_opts[],
    cli_oci_platform_opts[], cli_oci_quiet_opts[], cli_oci_pull_opts[];
/* A reference the user typed: 0 if valid, else the usage error printed and
 * its exit status (2) returned. */
int cli_check_ref(const struct opt_command *cmd, const char *ref);
/* -u USER has its password (--password-stdin): 0, else the usage error
 * printed and its exit status (2) returned. */
struct oci_options;
int cli_check_credentials(const struct opt_command *cmd, const struct oci_options *o);
/* The arguments of a command on one module in a registry: REF alone. */
extern const struct opt_arity cli_one_ref;

/* cmd_trust.c: --policy FILE / --verify-key PUB, the option group run
 * and pull share (targets in struct trust_cli). */
struct oci_options;
struct oci_policy;
struct trust_cli {
    const char *policy_path;
    const char *verify_key;
    struct oci_policy *policy; /* loaded by trust_setup() */
    bool unverified;           /* no policy at all */
};
extern const struct opt cli_trust_opts[];
/* Load the policy (explicit, else /etc/wasm-bpf/policy.json, else none)
 * into o->policy; -1 with the error printed. */
int trust_setup(struct trust_cli *t, struct oci_options *o, const char *cmd);
/* One line on a terminal when a registry module runs without a policy. */
void trust_notice_unverified(const struct trust_cli *t, const char *ref);
void trust_cleanup(struct trust_cli *t);

#endif
