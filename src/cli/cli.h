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
int cmd_gen(int argc, char **argv);          /* dispatches to the two below */
int cmd_gen_skeleton(int argc, char **argv);
int cmd_gen_types(int argc, char **argv);

#endif
