/* cmd_images.c: `wasm-bpf images`: what the local store holds, as a table,
 * as JSON (one object a line, as `docker images --format json`) or as
 * digests only (-q, as docker prints image IDs). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "opt.h"

enum images_format { IMAGES_TABLE, IMAGES_JSON };

struct images_args {
    struct oci_options oci;
    bool no_trunc;
    bool quiet;
    enum images_format format;
};

static int set_format(void *target, const char *value, char *err, size_t errlen)
{
    static const char *const names[] = {[IMAGES_TABLE] = "table", [IMAGES_JSON] = "json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(value, names[i])) {
            *(enum images_format *)target = (enum images_format)i;
            return 0;
        }
    snprintf(err, errlen, "expected table or json");
    return -1;
}

#define AT(member) offsetof(struct images_args, member)
static const struct opt images_opts[] = {
    {"no-trunc", 0, NULL, OPT_FLAG, AT(no_trunc), NULL, "show whole digests"},
    {"digests", 0, NULL, OPT_FLAG, AT(no_trunc), NULL,
     NULL}, /* an alias, as docker's column option */
    {"quiet", 'q', NULL, OPT_FLAG, AT(quiet), NULL,
     "print only the manifest digests, one per module (short unless --no-trunc), as docker prints "
     "image IDs; `wasm-bpf rmi` takes them"},
    {"format", 0, "FORMAT", OPT_SET, AT(format), set_format,
     "table (default), or json: one JSON object a line, for scripts"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group images_groups[] = {
    {images_opts, 0, NULL},
    {cli_oci_store_opts, AT(oci), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_images_spec = {
    .name = "images",
    .usage = "images [options]",
    .description = "List the modules in the local store: repository, tag, manifest digest,\n"
                   "format and module size.\n",
    .groups = images_groups,
    .arity = &(const struct opt_arity){0, 0, NULL},
    .epilog = "JSON fields: reference, repository, tag, digest (of the manifest), format,\n"
              "module {digest, size, title}, pulled (RFC 3339, UTC).\n",
};

/* The length of a digest as the table shows it: "sha256:" and 12 digits. */
#define SHORT_DIGEST 19

static void split_reference(const char *ref, char *repo, size_t repo_size, char *tag,
                            size_t tag_size)
{
    const char *at = strchr(ref, '@');
    size_t end = at ? (size_t)(at - ref) : strlen(ref);
    const char *slash = memrchr(ref, '/', end);
    const char *colon =
        memrchr(slash ? slash : ref, ':', end - (size_t)((slash ? slash : ref) - ref));
    size_t repo_len = colon ? (size_t)(colon - ref) : end;
    snprintf(repo, repo_size, "%.*s", (int)repo_len, ref);
    if (colon)
        snprintf(tag, tag_size, "%.*s", (int)(end - repo_len - 1), colon + 1);
    else
        snprintf(tag, tag_size, "<none>");
}

static void print_digests(const struct oci_image *images, size_t n, bool no_trunc)
{
    /* one line per module: several references to one manifest print it once */
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(images[j].manifest_digest, images[i].manifest_digest);
        if (!seen)
            printf("%.*s\n", no_trunc ? OCI_DIGEST_SIZE : SHORT_DIGEST, images[i].manifest_digest);
    }
}

static int print_json(const struct oci_image *images, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct oci_image *img = &images[i];
        char repo[512], tag[256], when[32] = "";
        split_reference(img->reference, repo, sizeof repo, tag, sizeof tag);
        struct tm tm;
        time_t t = (time_t)img->pulled_at;
        if (img->pulled_at && gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_t *module = img->module_digest[0]
                             ? json_pack("{s:s, s:I, s:s?}", "digest", img->module_digest, "size",
                                         (json_int_t)img->module_size, "title", img->title)
                             : json_null();
        json_t *j =
            json_pack("{s:s, s:s, s:s?, s:s, s:s, s:o, s:s?}", "reference", img->reference,
                      "repository", repo, "tag", strcmp(tag, "<none>") ? tag : NULL, "digest",
                      img->manifest_digest, "format", oci_format_name(img->format), "module",
                      module, "pulled", when[0] ? when : NULL);
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        if (!text) {
            fprintf(stderr, "wasm-bpf images: out of memory\n");
            return 1;
        }
        printf("%s\n", text);
        free(text);
    }
    return 0;
}

static void print_table(const struct oci_image *images, size_t n, bool no_trunc)
{
    /* column widths from the data, as docker does */
    int wrepo = 10, wtag = 3;
    for (size_t i = 0; i < n; i++) {
        char repo[512], tag[256];
        split_reference(images[i].reference, repo, sizeof repo, tag, sizeof tag);
        if ((int)strlen(repo) > wrepo)
            wrepo = (int)strlen(repo);
        if ((int)strlen(tag) > wtag)
            wtag = (int)strlen(tag);
    }
    int wdigest = no_trunc ? OCI_DIGEST_SIZE - 1 : SHORT_DIGEST;
    printf("%-*s   %-*s   %-*s   %-8s   %s\n", wrepo, "REPOSITORY", wtag, "TAG", wdigest, "DIGEST",
           "FORMAT", "SIZE");
    for (size_t i = 0; i < n; i++) {
        char repo[512], tag[256], size[32];
        split_reference(images[i].reference, repo, sizeof repo, tag, sizeof tag);
        printf("%-*s   %-*s   %-*.*s   %-8s   %s\n", wrepo, repo, wtag, tag, wdigest, wdigest,
               images[i].manifest_digest, oci_format_name(images[i].format),
               images[i].module_digest[0] ? oci_human_size(images[i].module_size, size)
                                          : "(missing)");
    }
}

int cmd_images(int argc, char **argv)
{
    struct images_args a = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_images_spec, &a, argc, argv, args, &nargs);
    if (rc < 0 && a.quiet && a.format == IMAGES_JSON)
        rc = opt_usage_error(&cmd_images_spec, "-q and --format json: choose one");
    free(args);
    if (rc >= 0)
        return rc;
    struct oci_image *images;
    size_t n;
    a.oci.error = &cli_oci_error;
    if (oci_store_list(&a.oci, &images, &n) < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        return 1;
    }
    rc = 0;
    if (a.quiet)
        print_digests(images, n, a.no_trunc);
    else if (a.format == IMAGES_JSON)
        rc = print_json(images, n);
    else
        print_table(images, n, a.no_trunc);
    oci_images_free(images, n);
    return rc;
}
