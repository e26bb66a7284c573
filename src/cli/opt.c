/* opt.c: the one option parser and help printer of the wasm-bpf command
 * (see opt.h for what it accepts). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"

/* Where help text starts, and the width it is wrapped to. */
#define HELP_COLUMN 26
#define HELP_WIDTH  79

static void *target_of(void *args, const struct opt_group *g, const struct opt *o)
{
    return (char *)args + g->offset + o->offset;
}

/* The options every command takes besides its table's. */
static const struct opt help_opts[] = {
    {"help", 'h', NULL, OPT_FLAG, 0, NULL, "show this help"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
static const struct opt version_opts[] = {
    {"version", 'V', NULL, OPT_FLAG, 0, NULL, "show the version"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

static void vmessage(const struct opt_command *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "wasm-bpf %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int opt_usage_error(const struct opt_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Run 'wasm-bpf %s --help' for usage.\n", cmd->name);
    return EXIT_USAGE;
}

static void print_usage_lines(const struct opt_command *cmd, FILE *out)
{
    const char *line = cmd->usage;
    for (int i = 0; *line; i++) {
        size_t n = strcspn(line, "\n");
        fprintf(out, "%s wasm-bpf %.*s\n", i ? "      " : "Usage:", (int)n, line);
        line += n + (line[n] == '\n');
    }
}

int opt_args_error(const struct opt_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
    print_usage_lines(cmd, stderr);
    fprintf(stderr, "Run 'wasm-bpf %s --help' for more.\n", cmd->name);
    return EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* Suggestions                                                         */
/* ------------------------------------------------------------------ */

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of neighbours ("rnu" -> "run" is one edit).  Words are
 * short (option and command names); longer ones are not compared. */
#define MAX_WORD 64
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n >= MAX_WORD || m >= MAX_WORD)
        return SIZE_MAX;
    static size_t d[MAX_WORD + 1][MAX_WORD + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

const char *opt_nearest(const char *word, const char *const *names)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX, len = strlen(word);
    /* a typo changes a third of a word at most; "ps" is not a typo of "push" */
    size_t limit = len < 3 ? 1 : len / 3 + 1;
    if (limit > 2)
        limit = 2;
    for (size_t i = 0; names[i]; i++) {
        size_t d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    if (best && best_d <= limit && best_d < len)
        return best;
    /* an abbreviation of exactly one name */
    if (len >= 3) {
        const char *only = NULL;
        for (size_t i = 0; names[i]; i++)
            if (!strncmp(names[i], word, len)) {
                if (only)
                    return NULL;
                only = names[i];
            }
        return only;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

struct found {
    const struct opt_group *group; /* NULL for help and version */
    const struct opt *opt;
};

static bool find_long(const struct opt_command *cmd, const char *name, size_t len, struct found *f)
{
    for (const struct opt_group *g = cmd->groups; g && g->opts; g++)
        for (const struct opt *o = g->opts; o->name; o++)
            if (strlen(o->name) == len && !strncmp(o->name, name, len)) {
                *f = (struct found){g, o};
                return true;
            }
    const struct opt *extra[] = {help_opts, (cmd->flags & OPT_CMD_VERSION) ? version_opts : NULL};
    for (size_t i = 0; i < 2; i++)
        if (extra[i] && strlen(extra[i]->name) == len && !strncmp(extra[i]->name, name, len)) {
            *f = (struct found){NULL, extra[i]};
            return true;
        }
    return false;
}

static bool find_short(const struct opt_command *cmd, char c, struct found *f)
{
    for (const struct opt_group *g = cmd->groups; g && g->opts; g++)
        for (const struct opt *o = g->opts; o->name; o++)
            if (o->short_name == c) {
                *f = (struct found){g, o};
                return true;
            }
    if (c == 'h') {
        *f = (struct found){NULL, help_opts};
        return true;
    }
    if (c == 'V' && (cmd->flags & OPT_CMD_VERSION)) {
        *f = (struct found){NULL, version_opts};
        return true;
    }
    return false;
}

/* "unknown option '--verbse' (did you mean '--verbose'?)" */
static int unknown_option(const struct opt_command *cmd, const char *arg)
{
    if (arg[1] != '-')
        return opt_usage_error(cmd, "unknown option '%s'", arg);
    size_t count = 2;
    for (const struct opt_group *g = cmd->groups; g && g->opts; g++)
        for (const struct opt *o = g->opts; o->name; o++)
            count++;
    const char **names = malloc((count + 1) * sizeof *names);
    if (!names)
        return opt_usage_error(cmd, "unknown option '%s'", arg);
    size_t n = 0;
    for (const struct opt_group *g = cmd->groups; g && g->opts; g++)
        for (const struct opt *o = g->opts; o->name; o++)
            names[n++] = o->name;
    names[n++] = help_opts->name;
    if (cmd->flags & OPT_CMD_VERSION)
        names[n++] = version_opts->name;
    names[n] = NULL;
    char word[MAX_WORD];
    snprintf(word, sizeof word, "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
    const char *near = opt_nearest(word, names);
    int rc = near ? opt_usage_error(cmd, "unknown option '%s' (did you mean '--%s'?)", arg, near)
                  : opt_usage_error(cmd, "unknown option '%s'", arg);
    free(names);
    return rc;
}

/* How an option is named in messages: as the user typed it. */
static void option_label(const struct opt *o, bool as_short, char *buf, size_t size)
{
    if (as_short)
        snprintf(buf, size, "-%c", o->short_name);
    else
        snprintf(buf, size, "--%s", o->name);
}

/* Apply option `f` with `value` (NULL for flags).  -1 to go on, or an exit status. */
static int apply(const struct opt_command *cmd, void *args, const struct found *f,
                 const char *label, const char *value)
{
    const struct opt *o = f->opt;
    if (!f->group) {
        if (o == help_opts) {
            opt_print_help(cmd, stdout);
            return 0;
        }
        printf("wasm-bpf %s\n", WASM_BPF_VERSION);
        return 0;
    }
    void *target = target_of(args, f->group, o);
    char err[512] = "";
    switch (o->type) {
    case OPT_FLAG: *(bool *)target = true; return -1;
    case OPT_STRING: *(const char **)target = value; return -1;
    case OPT_LIST:
        if (opt_list_add(target, value) < 0)
            return opt_usage_error(cmd, "out of memory");
        return -1;
    case OPT_SET:
        if (o->set(target, value, err, sizeof err) == 0)
            return -1;
        if (value)
            return opt_usage_error(cmd, "%s '%s': %s", label, value, err);
        return opt_usage_error(cmd, "%s: %s", label, err);
    }
    return opt_usage_error(cmd, "%s: not handled", label);
}

int opt_parse(const struct opt_command *cmd, void *args, int argc, char **argv, char **args_out,
              int *nargs)
{
    int n = 0;
    bool options_done = false;
    *nargs = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (options_done || a[0] != '-' || a[1] == '\0') {
            args_out[n++] = a;
            if (cmd->flags & OPT_CMD_STOP_AT_ARG)
                options_done = true;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        struct found f;
        char label[80];
        int rc;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            if (!find_long(cmd, name, len, &f))
                return unknown_option(cmd, a);
            option_label(f.opt, false, label, sizeof label);
            const char *value = NULL;
            if (!f.opt->value_name) {
                if (eq)
                    return opt_usage_error(cmd, "option '%s' takes no value", label);
            } else if (eq) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                return opt_usage_error(cmd, "option '%s' needs a value (%s)", label,
                                       f.opt->value_name);
            }
            if ((rc = apply(cmd, args, &f, label, value)) >= 0)
                return rc;
            continue;
        }
        /* -x, -xyz (flags), -xVALUE, -x VALUE; a value ends the group */
        for (const char *p = a + 1; *p; p++) {
            if (!find_short(cmd, *p, &f)) {
                char bad[3] = {'-', *p, '\0'};
                return p == a + 1 && !p[1]
                           ? opt_usage_error(cmd, "unknown option '%s'", bad)
                           : opt_usage_error(cmd, "unknown option '%s' in '%s'", bad, a);
            }
            option_label(f.opt, true, label, sizeof label);
            const char *value = NULL;
            if (f.opt->value_name) {
                if (p[1])
                    value = p + 1;
                else if (i + 1 < argc)
                    value = argv[++i];
                else
                    return opt_usage_error(cmd, "option '%s' needs a value (%s)", label,
                                           f.opt->value_name);
            }
            if ((rc = apply(cmd, args, &f, label, value)) >= 0)
                return rc;
            if (value)
                break;
        }
    }
    *nargs = n;
    if (cmd->arity && n < cmd->arity->min)
        return opt_args_error(cmd, "%s", cmd->arity->missing);
    if (cmd->arity && n > cmd->arity->max)
        return opt_args_error(cmd, "unexpected argument '%s'", args_out[cmd->arity->max]);
    return -1;
}

int opt_list_add(struct opt_list *l, const char *value)
{
    const char **items = realloc(l->items, (l->n + 1) * sizeof *items);
    if (!items)
        return -1;
    items[l->n++] = value;
    l->items = items;
    return 0;
}

void opt_free(const struct opt_command *cmd, void *args)
{
    for (const struct opt_group *g = cmd->groups; g && g->opts; g++)
        for (const struct opt *o = g->opts; o->name; o++)
            if (o->type == OPT_LIST) {
                struct opt_list *l = target_of(args, g, o);
                free(l->items);
                l->items = NULL;
                l->n = 0;
            }
}

/* ------------------------------------------------------------------ */
/* Help                                                                */
/* ------------------------------------------------------------------ */

/* Write TEXT from column `col`, wrapped at HELP_WIDTH, continuation lines
 * (and lines after a '\n' in TEXT) starting at `indent`. */
static void print_wrapped(FILE *out, const char *text, int col, int indent)
{
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            p++;
            continue;
        }
        size_t word = strcspn(p, " \n");
        if (col > indent && col + 1 + (int)word > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", (int)word, p);
        col += (int)word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

static void print_option(FILE *out, const struct opt *o)
{
    if (!o->help)
        return;
    char left[128];
    int n = o->short_name ? snprintf(left, sizeof left, "  -%c, --%s", o->short_name, o->name)
                          : snprintf(left, sizeof left, "      --%s", o->name);
    if (o->value_name && n > 0 && (size_t)n < sizeof left)
        snprintf(left + n, sizeof left - (size_t)n, " %s", o->value_name);
    int len = (int)strlen(left);
    if (len + 2 > HELP_COLUMN) {
        fprintf(out, "%s\n%*s", left, HELP_COLUMN, "");
    } else {
        fprintf(out, "%-*s", HELP_COLUMN, left);
    }
    print_wrapped(out, o->help, HELP_COLUMN, HELP_COLUMN);
}

void opt_print_help(const struct opt_command *cmd, FILE *out)
{
    print_usage_lines(cmd, out);
    if (cmd->description)
        fprintf(out, "\n%s", cmd->description);
    fprintf(out, "\nOptions:\n");
    for (const struct opt_group *g = cmd->groups; g && g->opts; g++) {
        if (g->title)
            fprintf(out, "\n%s:\n", g->title);
        for (const struct opt *o = g->opts; o->name; o++)
            print_option(out, o);
    }
    print_option(out, help_opts);
    if (cmd->flags & OPT_CMD_VERSION)
        print_option(out, version_opts);
    if (cmd->epilog)
        fprintf(out, "\n%s", cmd->epilog);
}

void opt_print_options(const struct opt *opts, FILE *out)
{
    for (const struct opt *o = opts; o->name; o++)
        print_option(out, o);
}

void opt_print_all(const struct opt_command *const *cmds, FILE *out)
{
    for (size_t i = 0; cmds[i]; i++) {
        fprintf(out, "%s==== wasm-bpf %s\n\n", i ? "\n" : "", cmds[i]->name);
        opt_print_help(cmds[i], out);
    }
}

/* ------------------------------------------------------------------ */
/* Man page                                                            */
/* ------------------------------------------------------------------ */

/* TEXT as roff: backslashes and dashes escaped, a line starting with '.'
 * or '\'' protected, '\n' kept; `bold` for option names. */
static void roff_text(FILE *out, const char *text, size_t len)
{
    bool line_start = true;
    for (size_t i = 0; i < len && text[i]; i++) {
        char c = text[i];
        if (line_start && (c == '.' || c == '\''))
            fputs("\\&", out);
        if (c == '\\')
            fputs("\\e", out);
        else if (c == '-')
            fputs("\\-", out);
        else
            fputc(c, out);
        line_start = c == '\n';
    }
}

static void roff_line(FILE *out, const char *text)
{
    roff_text(out, text, strlen(text));
    fputc('\n', out);
}

static void man_option(FILE *out, const struct opt *o)
{
    if (!o->help)
        return;
    fputs(".TP\n", out);
    if (o->short_name)
        fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
    fputs("\\fB\\-\\-", out);
    roff_text(out, o->name, strlen(o->name));
    fputs("\\fR", out);
    if (o->value_name) {
        fputs(" \\fI", out);
        roff_text(out, o->value_name, strlen(o->value_name));
        fputs("\\fR", out);
    }
    fputc('\n', out);
    roff_line(out, o->help);
}

/* Paragraphs of TEXT as they are (the help's own line breaks kept). */
static void man_block(FILE *out, const char *text)
{
    fputs(".nf\n", out);
    roff_text(out, text, strlen(text));
    fputs(".fi\n", out);
}

void opt_print_man_options(const struct opt *opts, FILE *out)
{
    for (const struct opt *o = opts; o->name; o++)
        man_option(out, o);
}

void opt_print_man_command(const struct opt_command *cmd, FILE *out)
{
    fputs(".SS \"wasm\\-bpf ", out);
    roff_text(out, cmd->name, strlen(cmd->name));
    fputs("\"\n", out);
    const char *line = cmd->usage;
    fputs(".nf\n", out);
    while (*line) {
        size_t n = strcspn(line, "\n");
        fputs("\\fBwasm\\-bpf\\fR ", out);
        roff_text(out, line, n);
        fputc('\n', out);
        line += n + (line[n] == '\n');
    }
    fputs(".fi\n", out);
    if (cmd->description) {
        fputs(".PP\n", out);
        roff_text(out, cmd->description, strlen(cmd->description));
    }
    for (const struct opt_group *g = cmd->groups; g && g->opts; g++) {
        if (g->title) {
            fputs(".PP\n", out);
            roff_line(out, g->title);
        }
        for (const struct opt *o = g->opts; o->name; o++)
            man_option(out, o);
    }
    man_option(out, help_opts);
    if (cmd->flags & OPT_CMD_VERSION)
        man_option(out, version_opts);
    if (cmd->epilog) {
        fputs(".PP\n", out);
        man_block(out, cmd->epilog);
    }
}
