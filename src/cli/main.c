/* main.c: `wasm-bpf SUBCOMMAND ...` dispatch, and the short form
 * `wasm-bpf MODULE [args...]` that means `wasm-bpf run MODULE [args...]`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct subcommand {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"run", cmd_run, "run a module (file, URL or OCI reference)"},
    {"push", cmd_push, "push a module to an OCI registry"},
    {"pull", cmd_pull, "pull a module from an OCI registry into the local store"},
    {"login", cmd_login, "log in to a registry"},
    {"logout", cmd_logout, "log out of a registry"},
    {"images", cmd_images, "list the modules in the local store"},
    {"inspect", cmd_inspect, "show a module's manifest, config and annotations"},
    {"rmi", cmd_rmi, "remove a module from the local store"},
    {"key", cmd_key, "generate a signing key pair (cosign's format)"},
    {"sign", cmd_sign, "sign a module in its registry (cosign signatures)"},
    {"verify", cmd_verify, "verify a module's signature in its registry"},
    {"gen", cmd_gen, "generate skeletons and types from a BPF object"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf COMMAND [options] [args...]\n"
            "       wasm-bpf MODULE [args...]      (same as `wasm-bpf run MODULE ...`)\n"
            "\n"
            "Run eBPF programs packaged as WebAssembly modules.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out,
            "\n"
            "Options:\n"
            "  -h, --help     show this help\n"
            "  -V, --version  show the version\n"
            "\n"
            "Run `wasm-bpf COMMAND --help` for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf("wasm-bpf %s\n", WASM_BPF_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(cmd, subcommands[i].name))
            return subcommands[i].fn(argc - 1, argv + 1);
    /* Short form: anything else is the module (options of `run` included,
     * so `wasm-bpf --verbose prog.wasm` works too). */
    argv[0] = "run";
    return cmd_run(argc, argv);
}
