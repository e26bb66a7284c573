/* cmd_images.c: `wasm-bpf images`: what the local store holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"

static void usage(FILE *out)
{
    fprintf(out, "Usage: wasm-bpf images [options]\n"
                 "\n"
                 "List the modules in the local store: repository, tag, manifest digest,\n"
                 "format and module size.\n"
                 "\n"
                 "Options:\n"
                 "  --no-trunc           show whole digests\n");
    oci_print_option_help(out, OCI_OPT_STORE);
    fprintf(out, "  -q, --quiet          print only the references\n"
                 "  -h, --help           show this help\n");
}

static void split_reference(const char *ref, char *repo, size_t repo_size, char *tag, size_t tag_size)
{
    const char *at = strchr(ref, '@');
    size_t end = at ? (size_t)(at - ref) : strlen(ref);
    const char *slash = memrchr(ref, '/', end);
    const char *colon = memrchr(slash ? slash : ref, ':', end - (size_t)((slash ? slash : ref) - ref));
    size_t repo_len = colon ? (size_t)(colon - ref) : end;
    snprintf(repo, repo_size, "%.*s", (int)repo_len, ref);
    if (colon)
        snprintf(tag, tag_size, "%.*s", (int)(end - repo_len - 1), colon + 1);
    else
        snprintf(tag, tag_size, "<none>");
}

int cmd_images(int argc, char **argv)
{
    struct oci_error oerr = {0};
    struct oci_options o = {.error = &oerr};
    bool no_trunc = false, quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        int r = oci_parse_option(argc, argv, &i, OCI_OPT_STORE, &o);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (!strcmp(a, "--no-trunc") || !strcmp(a, "--digests"))
            no_trunc = true;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            quiet = true;
        else {
            fprintf(stderr, "wasm-bpf images: unexpected argument %s\nRun 'wasm-bpf images --help' for usage.\n", a);
            return EXIT_USAGE;
        }
    }
    struct oci_image *images;
    size_t n;
    if (oci_store_list(&o, &images, &n) < 0) {
        cli_print_oci_error(&oerr, NULL);
        return 1;
    }
    if (quiet) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", images[i].reference);
        oci_images_free(images, n);
        return 0;
    }
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
    int wdigest = no_trunc ? 71 : 19;
    printf("%-*s   %-*s   %-*s   %-8s   %s\n", wrepo, "REPOSITORY", wtag, "TAG", wdigest, "DIGEST", "FORMAT", "SIZE");
    for (size_t i = 0; i < n; i++) {
        char repo[512], tag[256], size[32];
        split_reference(images[i].reference, repo, sizeof repo, tag, sizeof tag);
        printf("%-*s   %-*s   %-*.*s   %-8s   %s\n", wrepo, repo, wtag, tag, wdigest, wdigest,
               images[i].manifest_digest, oci_format_name(images[i].format),
               images[i].module_digest[0] ? oci_human_size(images[i].module_size, size) : "(missing)");
    }
    oci_images_free(images, n);
    return 0;
}
