/* main.c: `wasm-bpf COMMAND ...` dispatch, and the short form
 * `wasm-bpf MODULE [args...]` that means `wasm-bpf run MODULE [args...]`
 * when MODULE cannot be a mistyped command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "oci.h"
#include "oci_report.h"
#include "opt.h"
#include "wasm_bpf_base.h"

/* The library's diagnostics: it decides what to say (debug only when asked
 * to be verbose), the command shows all of it on stderr as it comes. */
static int print_to_stderr(enum wasm_bpf_print_level level, const char *fmt, va_list ap)
{
    int n = vfprintf(stderr, fmt, ap);
    fflush(stderr);
    return n;
}

static const struct opt_group version_groups[] = {{NULL, 0, NULL}};
static const struct opt_command cmd_version_spec = {
    .name = "version",
    .usage = "version",
    .description = "Print the version of wasm-bpf (as `wasm-bpf --version` does).\n",
    .groups = version_groups,
    .arity = &(const struct opt_arity){0, 0, NULL},
};

static int cmd_version(int argc, char **argv)
{
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs = 0, code = opt_parse(&cmd_version_spec, NULL, argc, argv, args, &nargs);
    free(args);
    if (code >= 0)
        return code;
    printf("wasm-bpf %s\n", WASM_BPF_VERSION);
    return 0;
}

struct subcommand {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"new", cmd_new, "create a tool from a template (BPF and guest sources)"},
    {"build", cmd_build, "build a tool's directory into a module"},
    {"run", cmd_run, "run a module (file, URL or OCI reference)"},
    {"push", cmd_push, "push a module to an OCI registry"},
    {"pull", cmd_pull, "pull a module from an OCI registry into the local store"},
    {"login", cmd_login, "log in to a registry"},
    {"logout", cmd_logout, "log out of a registry"},
    {"images", cmd_images, "list the modules in the local store"},
    {"inspect", cmd_inspect, "show a module's manifest, config and annotations"},
    {"rmi", cmd_rmi, "remove a module from the local store"},
    {"tag", cmd_tag, "give a module in the local store another reference"},
    {"key", cmd_key, "generate a signing key pair (cosign's format)"},
    {"sign", cmd_sign, "sign a module in its registry (cosign signatures)"},
    {"verify", cmd_verify, "verify a module's signature in its registry"},
    {"gen", cmd_gen, "generate skeletons and types from a BPF object"},
    {"version", cmd_version, "show the version"},
};
#define NSUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

/* Every command's options, in the order of the list above. */
static const struct opt_command *const all_specs[] = {
    &cmd_new_spec,       &cmd_build_spec,   &cmd_run_spec,
    &cmd_push_spec,      &cmd_pull_spec,    &cmd_login_spec,
    &cmd_logout_spec,    &cmd_images_spec,  &cmd_inspect_spec,
    &cmd_rmi_spec,       &cmd_tag_spec,     &cmd_gen_skeleton_spec,
    &cmd_gen_types_spec, &cmd_key_spec,     &cmd_sign_spec,
    &cmd_verify_spec,    &cmd_version_spec, NULL,
};

/* The options of the first word (main() acts on them); --help-completion
 * is for make install, not listed. */
static const struct opt global_opts[] = {
    {"help", 'h', NULL, OPT_FLAG, 0, NULL, "show this help"},
    {"version", 'V', NULL, OPT_FLAG, 0, NULL, "show the version"},
    {"help-all", 0, NULL, OPT_FLAG, 0, NULL, "the help of every command, one after the other"},
    {"help-man", 0, NULL, OPT_FLAG, 0, NULL, "the same, as the man page wasm-bpf(1) in roff"},
    {"help-completion", 0, NULL, OPT_FLAG, 0, NULL, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: wasm-bpf COMMAND [options] [args...]\n"
                 "       wasm-bpf [run options] MODULE [args...]   (same as `wasm-bpf run ...`)\n"
                 "\n"
                 "Run eBPF programs packaged as WebAssembly modules.  The short form takes MODULE\n"
                 "when it is a file, an http(s):// URL, or a reference with a registry host, a\n"
                 "tag or a digest (ghcr.io/org/prog, prog:v1, prog@sha256:...).\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < NSUBCOMMANDS; i++)
        fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\nOptions:\n");
    opt_print_options(global_opts, out);
    fprintf(out, "\n"
                 "Exit status (every command):\n"
                 "  0    success\n"
                 "  1    the operation failed (registry, store, generator: the message says why)\n"
                 "  2    usage error: bad options, arguments or references\n"
                 "  `wasm-bpf run --help` lists what `run` adds (125-127, 134, 128+N, the\n"
                 "  guest's own exit code).\n"
                 "\n"
                 "Run `wasm-bpf COMMAND --help` for a command's options.\n");
}

/* wasm-bpf(1) in roff, from the same tables as every --help. */
static void print_man(FILE *out)
{
    fprintf(out,
            ".TH WASM\\-BPF 1 \"\" \"wasm\\-bpf %s\" \"User Commands\"\n"
            ".SH NAME\n"
            "wasm\\-bpf \\- run eBPF programs packaged as WebAssembly modules\n"
            ".SH SYNOPSIS\n"
            ".nf\n"
            "\\fBwasm\\-bpf\\fR \\fICOMMAND\\fR [\\fIoptions\\fR] [\\fIargs\\fR...]\n"
            "\\fBwasm\\-bpf\\fR [\\fIrun options\\fR] \\fIMODULE\\fR [\\fIargs\\fR...]\n"
            ".fi\n"
            ".SH DESCRIPTION\n"
            "The short form runs \\fIMODULE\\fR when it is a file, an http(s):// URL, or a\n"
            "reference with a registry host, a tag or a digest; any other word where a\n"
            "command is expected is refused (exit status 2).\n"
            ".SH OPTIONS\n",
            WASM_BPF_VERSION);
    opt_print_man_options(global_opts, out);
    fputs(".SH COMMANDS\n", out);
    for (size_t i = 0; all_specs[i]; i++)
        opt_print_man_command(all_specs[i], out);
    fputs(".SH EXIT STATUS\n"
          "0 success; 1 the operation failed; 2 usage error (bad options, arguments or\n"
          "references). \\fBrun\\fR adds its own (see its section) and passes the guest's\n"
          "exit code.\n",
          out);
}

/* Can WORD, typed where a command goes, only be a module?  A file that
 * exists or can only be a path, a URL, or a reference no command name
 * looks like: with a registry host (a first component with '.' or ':', or
 * localhost), a tag or a digest. */
bool cli_is_module_word(const char *word)
{
    struct stat st;
    if (stat(word, &st) == 0 || oci_is_local_path(word))
        return true;
    if (!strncasecmp(word, "https://", 8) || !strncasecmp(word, "http://", 7))
        return true;
    if (strchr(word, '@'))
        return true;
    const char *slash = strchr(word, '/');
    if (slash) {
        size_t n = (size_t)(slash - word);
        if (memchr(word, '.', n) || memchr(word, ':', n) ||
            (n == 9 && !strncmp(word, "localhost", 9)))
            return true;
    }
    const char *last = strrchr(word, '/');
    return strchr(last ? last + 1 : word, ':') != NULL;
}

int cli_not_a_command(const char *word)
{
    const char *names[NSUBCOMMANDS + 2];
    for (size_t i = 0; i < NSUBCOMMANDS; i++)
        names[i] = subcommands[i].name;
    names[NSUBCOMMANDS] = "help";
    names[NSUBCOMMANDS + 1] = NULL;
    const char *near = opt_nearest(word, names);
    fprintf(stderr, "wasm-bpf: '%s' is not a wasm-bpf command\n", word);
    if (near)
        fprintf(stderr, "Did you mean '%s'?\n", near);
    fprintf(stderr,
            "See 'wasm-bpf --help'; to run a module named '%s' from Docker Hub: wasm-bpf run %s\n",
            word, word);
    return EXIT_USAGE;
}

/* `wasm-bpf help COMMAND [GENERATOR]`, as `docker help COMMAND`. */
static int help_on(int argc, char **argv)
{
    char name[64];
    snprintf(name, sizeof name, "%s%s%s", argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
    for (size_t i = 0; all_specs[i]; i++)
        if (!strcmp(all_specs[i]->name, name)) {
            opt_print_help(all_specs[i], stdout);
            return 0;
        }
    if (!strcmp(name, "gen")) {
        char *gen_help[] = {"gen", "--help", NULL};
        return cmd_gen(2, gen_help);
    }
    return cli_not_a_command(name);
}

int main(int argc, char **argv)
{
    wasm_bpf_set_print(print_to_stderr);
    oci_set_progress(cli_oci_progress, NULL);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        if (argc > 2 && !strcmp(cmd, "help"))
            return help_on(argc - 2, argv + 2);
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--help-all")) {
        usage(stdout);
        putchar('\n');
        opt_print_all(all_specs, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--help-man")) {
        print_man(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--help-completion")) { /* not listed: for make install */
        const char *names[NSUBCOMMANDS + 2];
        for (size_t i = 0; i < NSUBCOMMANDS; i++)
            names[i] = subcommands[i].name;
        names[NSUBCOMMANDS] = "help";
        names[NSUBCOMMANDS + 1] = NULL;
        cli_print_bash_completion(stdout, names, all_specs, global_opts);
        return 0;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version"))
        return cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < NSUBCOMMANDS; i++)
        if (!strcmp(cmd, subcommands[i].name))
            return subcommands[i].fn(argc - 1, argv + 1);
    /* The short form.  Options first (`wasm-bpf --verbose prog.wasm`): run
     * parses them and checks the module the same way. */
    if (cmd[0] != '-' && !cli_is_module_word(cmd))
        return cli_not_a_command(cmd);
    return cmd_run_short_form(argc, argv);
}
