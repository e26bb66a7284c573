/* opt.h: the one option parser of the wasm-bpf command.
 *
 * Every command describes its options as data: a table per group of options
 * (long name, short name, value name, where the value goes, help text), and
 * a command (usage lines, description, its groups, text after the options).
 * One loop parses every command line with these tables, and one printer
 * writes every --help from them, so the help, the parser and the man page
 * (`wasm-bpf --help-man > wasm-bpf.1`) cannot disagree.
 *
 * What the parser accepts, for every command alike:
 *   --name VALUE, --name=VALUE, -x VALUE, -xVALUE   an option with a value
 *   --name, -x, -xyz (flags grouped)                 flags
 *   --                                               ends the options
 *   -                                                an argument (stdin)
 *   -h, --help (and -V, --version where a command takes them)
 * Unknown options, a missing value, a value given to a flag, a value its
 * setter refuses, and too few or too many arguments (the command's arity)
 * are usage errors (exit status 2) with a message naming the option or the
 * argument, and for an unknown option the nearest option's name.
 *
 * Targets are found by offset: a group's options write into a struct at
 * `offset` inside the command's own argument struct, so groups shared by
 * several commands (the OCI options) are one table each.
 */
#ifndef WASM_BPF_CLI_OPT_H
#define WASM_BPF_CLI_OPT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opt_type {
    OPT_FLAG,   /* bool: set to true; takes no value */
    OPT_STRING, /* const char *: the value (a later one replaces an earlier one) */
    OPT_LIST,   /* struct opt_list: the value appended (repeatable) */
    OPT_SET,    /* set(target, value): parse and check it (value NULL for a flag) */
};

/* The target of an OPT_LIST option; free `items` with opt_free(). */
struct opt_list {
    const char **items;
    size_t n;
};

/* Append VALUE to L (for setters that check a value, then keep it in a
 * list).  0, or -1 when out of memory. */
int opt_list_add(struct opt_list *l, const char *value);

/* Checks and stores VALUE (NULL for a flag) at TARGET.  Returns 0, or -1
 * with what is wrong with the value in err ("expected KEY=VALUE"); the
 * parser puts the option and the value in front. */
typedef int (*opt_setter)(void *target, const char *value, char *err, size_t errlen);

struct opt {
    const char *name;       /* long name without "--"; NULL ends a table */
    char short_name;        /* 0: none */
    const char *value_name; /* "DIR": takes a value; NULL: a flag */
    enum opt_type type;
    size_t offset;    /* of the target in the group's struct */
    opt_setter set;   /* OPT_SET only */
    const char *help; /* may hold '\n'; NULL: an alias, not listed */
};

struct opt_group {
    const struct opt *opts; /* NULL ends the list of groups */
    size_t offset;          /* of the group's struct in the command's struct */
    const char *title;      /* a heading before the group, or NULL */
};

enum {
    OPT_CMD_STOP_AT_ARG =
        1 << 0,               /* options end at the first argument (run: the rest is the guest's) */
    OPT_CMD_VERSION = 1 << 1, /* takes -V, --version */
};

/* How many arguments (not options) a command takes: opt_parse() refuses
 * fewer than `min` with the usage error `missing` ("expected a
 * reference") and more than `max` with "unexpected argument 'X'". */
struct opt_arity {
    int min, max; /* max: OPT_ARGS_ANY for no limit */
    const char *missing;
};
#define OPT_ARGS_ANY INT_MAX

struct opt_command {
    const char *name;  /* "run", "gen types" */
    const char *usage; /* after "wasm-bpf ", one form a line: "run [options] MODULE [args...]" */
    const char *description; /* paragraphs, each line ending in '\n' */
    const struct opt_group *groups;
    const char *epilog;            /* after the options (exit statuses, examples), or NULL */
    unsigned flags;                /* OPT_CMD_* */
    const struct opt_arity *arity; /* NULL: the command counts its arguments itself */
};

/* Parse argv[1..argc-1] (argv[0] is the command's name) into ARGS, the
 * command's argument struct.  Arguments that are not options go to args_out
 * (room for argc entries), their count to *nargs; after `--`, and with
 * OPT_CMD_STOP_AT_ARG after the first argument, everything is an argument.
 * With cmd->arity, their number is checked.  Returns -1 to go on, or the
 * exit status to end with: 0 after --help or --version (printed to
 * stdout), 2 after a usage error (printed to stderr). */
int opt_parse(const struct opt_command *cmd, void *args, int argc, char **argv, char **args_out,
              int *nargs);

/* Free what OPT_LIST options allocated in ARGS. */
void opt_free(const struct opt_command *cmd, void *args);

/* The full help of a command (usage, description, options, epilog). */
void opt_print_help(const struct opt_command *cmd, FILE *out);

/* A usage error: "wasm-bpf CMD: MESSAGE" and the hint to --help, on stderr.
 * Returns the exit status for usage errors (2). */
int opt_usage_error(const struct opt_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same for a wrong number of arguments: the message, the usage lines,
 * the hint to --help (no list of 40 options). */
int opt_args_error(const struct opt_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The candidate nearest to WORD by edit distance (a transposition counts
 * as one edit), or a candidate WORD is a prefix of, if close enough to be a
 * likely typo; NULL otherwise.  `names` ends with NULL. */
const char *opt_nearest(const char *word, const char *const *names);

/* The lines of --help for a table of options (those with help text), and
 * the same as roff for a man page. */
void opt_print_options(const struct opt *opts, FILE *out);
void opt_print_man_options(const struct opt *opts, FILE *out);

/* The help of every command one after the other (`wasm-bpf --help-all`). */
void opt_print_all(const struct opt_command *const *cmds, FILE *out);

/* One command as a subsection of a man page in roff (`wasm-bpf --help-man`
 * writes wasm-bpf(1) from every command's table). */
void opt_print_man_command(const struct opt_command *cmd, FILE *out);

#endif
