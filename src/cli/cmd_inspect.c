/* cmd_inspect.c: `wasm-bpf inspect REF` and `wasm-bpf inspect --tags REPO`. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "opt.h"

enum inspect_format { INSPECT_PRETTY, INSPECT_JSON };

struct inspect_args {
    struct oci_options oci;
    bool remote, raw, tags;
    unsigned page_size;
    enum inspect_format format;
};

static int set_page_size(void *target, const char *value, char *err, size_t errlen)
{
    char *end;
    long n = strtol(value, &end, 10);
    if (!*value || *end || n <= 0 || n > 100000) {
        snprintf(err, errlen, "expected a number from 1 to 100000");
        return -1;
    }
    *(unsigned *)target = (unsigned)n;
    return 0;
}

static int set_format(void *target, const char *value, char *err, size_t errlen)
{
    static const char *const names[] = {[INSPECT_PRETTY] = "pretty", [INSPECT_JSON] = "json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(value, names[i])) {
            *(enum inspect_format *)target = (enum inspect_format)i;
            return 0;
        }
    snprintf(err, errlen, "expected json or pretty");
    return -1;
}

#define AT(member) offsetof(struct inspect_args, member)
static const struct opt inspect_opts[] = {
    {"remote", 0, NULL, OPT_FLAG, AT(remote), NULL, "ask the registry even if the store holds REF"},
    {"raw", 0, NULL, OPT_FLAG, AT(raw), NULL, "print the manifest bytes exactly as stored"},
    {"tags", 0, NULL, OPT_FLAG, AT(tags), NULL, "list the repository's tags, one a line"},
    {"page-size", 0, "N", OPT_SET, AT(page_size), set_page_size,
     "with --tags: ask for N tags a request (default: the registry's choice)"},
    {"format", 0, "FORMAT", OPT_SET, AT(format), set_format,
     "json: the description as one line of JSON (with --tags: a JSON array of the tags), for "
     "scripts; pretty (default): indented JSON"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group inspect_groups[] = {
    {inspect_opts, 0, NULL},
    {cli_oci_store_opts, AT(oci), NULL},
    {cli_oci_transport_opts, AT(oci), NULL},
    {cli_oci_credential_opts, AT(oci), NULL},
    {cli_oci_platform_opts, AT(oci), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_inspect_spec = {
    .name = "inspect",
    .usage = "inspect [options] REF\n"
             "inspect --tags [options] REPOSITORY",
    .description =
        "Describe a module as JSON: manifest digest, format, module layer, annotations,\n"
        "the manifest and the config.  From the local store if it holds REF, else from\n"
        "the registry (the module itself is not downloaded).  With --tags, list the\n"
        "tags of a repository in the registry.\n",
    .groups = inspect_groups,
};

struct tag_list {
    json_t *array; /* --format json: collected; else printed as they come */
};

static void on_tag(const char *tag, void *arg)
{
    struct tag_list *l = arg;
    if (l->array)
        json_array_append_new(l->array, json_string(tag));
    else
        printf("%s\n", tag);
}

/* JSON text -> one line; false if it is not JSON (then it is printed as is). */
static bool print_compact(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    char *line = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!line)
        return false;
    printf("%s\n", line);
    free(line);
    return true;
}

static int inspect(const struct inspect_args *a, const char *ref)
{
    struct oci_options oci = a->oci;
    oci.error = &cli_oci_error;
    if (a->tags) {
        struct tag_list l = {a->format == INSPECT_JSON ? json_array() : NULL};
        int r = oci_list_tags(ref, a->page_size, &oci, on_tag, &l);
        if (r == 0 && l.array) {
            char *text = json_dumps(l.array, JSON_COMPACT);
            if (text)
                printf("%s\n", text);
            free(text);
        }
        json_decref(l.array);
        if (r < 0) {
            cli_print_oci_error(&cli_oci_error, NULL);
            return 1;
        }
        return 0;
    }
    if (a->raw) {
        size_t len;
        char *text = oci_inspect_raw(ref, a->remote, &oci, &len);
        if (!text) {
            cli_print_oci_error(&cli_oci_error, NULL);
            return 1;
        }
        fwrite(text, 1, len, stdout);
        free(text);
        return 0;
    }
    char *text = oci_inspect(ref, a->remote, &oci);
    if (!text) {
        cli_print_oci_error(&cli_oci_error, NULL);
        return 1;
    }
    if (a->format != INSPECT_JSON || !print_compact(text))
        printf("%s\n", text);
    free(text);
    return 0;
}

int cmd_inspect(int argc, char **argv)
{
    struct inspect_args a = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_inspect_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    if (nargs != 1) {
        rc = nargs ? opt_args_error(&cmd_inspect_spec, "unexpected argument '%s'", args[1])
                   : opt_args_error(&cmd_inspect_spec, "expected a reference");
        goto out;
    }
    if (a.oci.username && !a.oci.password) {
        rc = opt_usage_error(&cmd_inspect_spec, "-u needs --password-stdin");
        goto out;
    }
    if (a.raw && a.format == INSPECT_JSON) {
        rc = opt_usage_error(&cmd_inspect_spec, "--raw prints the manifest as stored: --format does not apply");
        goto out;
    }
    if ((rc = cli_check_ref(&cmd_inspect_spec, args[0])) != 0)
        goto out;
    rc = inspect(&a, args[0]);
out:
    free(args);
    return rc;
}
