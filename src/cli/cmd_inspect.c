/* cmd_inspect.c: `wasm-bpf inspect REF` and `wasm-bpf inspect --tags REPO`. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "oci_trust.h"
#include "opt.h"
#include "wasm_bpf_host.h"

enum inspect_format { INSPECT_PRETTY, INSPECT_JSON };

struct inspect_args {
    struct oci_options oci;
    bool remote, raw, tags, signatures, permissions;
    struct opt_list verify_keys;
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
    {"signatures", 0, NULL, OPT_FLAG, AT(signatures), NULL,
     "add the signatures the registry holds for the manifest digest (cosign simple signing and "
     "Sigstore bundles): format, claimed identity and digest; verified with --verify-key"},
    {"permissions", 0, NULL, OPT_FLAG, AT(permissions), NULL,
     "print only the permissions the module declares (its eBPF programs, maps and helpers of "
     "concern), in words"},
    {"verify-key", 0, "PUB", OPT_LIST, AT(verify_keys), NULL,
     "with --signatures: verify them with this public key (repeatable)"},
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
    .arity = &cli_one_ref,
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

/* The description TEXT with a "signatures" member from the registry. */
static char *add_signatures(const struct inspect_args *a, const char *ref, const char *text)
{
    struct oci_public_key *keys[16];
    size_t n = 0;
    char *sigs = NULL, *out = NULL;
    for (; n < a->verify_keys.n && n < 16; n++)
        if (oci_public_key_load_file(a->verify_keys.items[n], &keys[n], &cli_oci_error) < 0) {
            cli_print_oci_error(&cli_oci_error, "inspect");
            goto done;
        }
    struct oci_options o = a->oci;
    o.error = &cli_oci_error;
    sigs = oci_signatures_describe(ref, keys, n, &o);
    if (!sigs) {
        cli_print_oci_error(&cli_oci_error, NULL);
        goto done;
    }
    json_t *j = json_loads(text, 0, NULL), *s = json_loads(sigs, 0, NULL);
    if (json_is_object(j) && json_is_object(s)) {
        json_object_set(j, "signatures", json_object_get(s, "signatures"));
        out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    }
    if (!out)
        fprintf(stderr, "wasm-bpf inspect: cannot merge the signatures into the description\n");
    json_decref(j);
    json_decref(s);
done:
    while (n)
        oci_public_key_free(keys[--n]);
    free(sigs);
    return out;
}

/* The declaration in the annotation WASM_BPF_PERMISSIONS_ANNOTATION of the
 * description TEXT, in words (malloc'ed); a sentence saying there is none,
 * or why it cannot be read. */
static char *permissions_in_words(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    json_t *v = json_object_get(json_object_get(j, "annotations"), WASM_BPF_PERMISSIONS_ANNOTATION);
    char *words = NULL;
    if (!json_is_string(v)) {
        words = strdup(
            "declares no permissions (pushed without the annotation " WASM_BPF_PERMISSIONS_ANNOTATION
            "): only the operator's rules apply when it runs\n");
    } else {
        struct wasm_bpf_permissions *p;
        char err[512];
        if (wasm_bpf_permissions_parse(json_string_value(v), json_string_length(v), &p, err,
                                       sizeof err) < 0) {
            size_t n = strlen(err) + 128;
            if ((words = malloc(n)))
                snprintf(words, n,
                         "the annotation " WASM_BPF_PERMISSIONS_ANNOTATION " is invalid: %s\n",
                         err);
        } else {
            words = wasm_bpf_permissions_describe(p);
            wasm_bpf_permissions_free(p);
        }
    }
    json_decref(j);
    return words;
}

/* TEXT with a member "permissions": the declaration in words, a line each. */
static char *add_permissions(const char *text)
{
    char *words = permissions_in_words(text);
    json_t *j = json_loads(text, 0, NULL), *lines = json_array();
    char *out = NULL;
    if (words && json_is_object(j) && lines) {
        for (char *line = words; *line;) {
            size_t n = strcspn(line, "\n");
            json_array_append_new(lines, json_stringn(line, n));
            line += n + (line[n] == '\n');
        }
        json_object_set(j, "permissions", lines);
        out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    }
    json_decref(lines);
    json_decref(j);
    free(words);
    return out;
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
    if (a->permissions) {
        char *words = permissions_in_words(text);
        free(text);
        if (!words) {
            fprintf(stderr, "wasm-bpf inspect: out of memory\n");
            return 1;
        }
        fputs(words, stdout);
        free(words);
        return 0;
    }
    char *with = add_permissions(text);
    if (with) {
        free(text);
        text = with;
    }
    if (a->signatures) {
        char *merged = add_signatures(a, ref, text);
        free(text);
        if (!merged)
            return 1;
        text = merged;
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
    if ((rc = cli_check_credentials(&cmd_inspect_spec, &a.oci)) != 0)
        goto out;
    if (a.raw && a.format == INSPECT_JSON) {
        rc = opt_usage_error(&cmd_inspect_spec,
                             "--raw prints the manifest as stored: --format does not apply");
        goto out;
    }
    if (a.verify_keys.n > 16 || (a.verify_keys.n && !a.signatures)) {
        rc = opt_usage_error(&cmd_inspect_spec, "%s",
                             a.verify_keys.n > 16 ? "at most 16 --verify-key options"
                                                  : "--verify-key needs --signatures");
        goto out;
    }
    if ((rc = cli_check_ref(&cmd_inspect_spec, args[0])) != 0)
        goto out;
    rc = inspect(&a, args[0]);
out:
    opt_free(&cmd_inspect_spec, &a);
    free(args);
    return rc;
}
