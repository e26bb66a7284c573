/* cmd_push.c: `wasm-bpf push REF MODULE`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci.h"
#include "wasm_bpf_base.h"

#define PUSH_OPTIONS (OCI_OPT_TRANSPORT | OCI_OPT_CREDENTIALS | OCI_OPT_QUIET)

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf push [options] REF MODULE\n"
            "       wasm-bpf push [options] -m MODULE REF     (ecli's form)\n"
            "\n"
            "Push a WebAssembly module to an OCI registry and print the manifest digest.\n"
            "REF is [REGISTRY/]REPOSITORY[:TAG] (tag `latest` by default); it may start\n"
            "with https:// or http:// to choose the protocol, as ecli users write it.\n"
            "\n"
            "Options:\n"
            "  -a, --annotation KEY=VALUE  add a manifest annotation (repeatable)\n"
            "  --format FORMAT      wasm-bpf (default: what ecli and wasm-to-oci read),\n"
            "                       cncf (CNCF Wasm OCI artifact), oras (OCI 1.1 artifact)\n"
            "  --chunk-size SIZE    upload the module in chunks of SIZE bytes (K, M suffixes)\n"
            "                       instead of one request\n"
            "  -m, --module MODULE  the module (instead of the second argument)\n");
    oci_print_option_help(out, PUSH_OPTIONS);
    fprintf(out, "  -h, --help           show this help\n"
                 "\n"
                 "Credentials: -u/--password-stdin, else the docker config (`wasm-bpf login`).\n");
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "wasm-bpf push: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'wasm-bpf push --help' for usage.\n");
    return EXIT_USAGE;
}

/* "--NAME=VALUE", "--NAME VALUE", "SHORT VALUE": 1 matched (*v set), 0 not
 * this option, -1 value missing. */
static int option_arg(int argc, char **argv, int *i, const char *long_name, const char *short_name, const char **v)
{
    const char *a = argv[*i];
    size_t n = strlen(long_name);
    if (!strncmp(a, long_name, n) && a[n] == '=') {
        *v = a + n + 1;
        return 1;
    }
    if (strcmp(a, long_name) && !(short_name && !strcmp(a, short_name)))
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *v = argv[++*i];
    return 1;
}

int cmd_push(int argc, char **argv)
{
    struct oci_options o = {0};
    struct oci_push_options po = {.format = OCI_FORMAT_WASM_BPF};
    struct oci_annotation *ann = calloc((size_t)argc, sizeof *ann);
    po.annotations = ann;
    const char *positional[2] = {NULL, NULL}, *module = NULL;
    int n_pos = 0, rc = EXIT_USAGE;
    bool options_done = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || !a[1]) {
            if (n_pos == 2) {
                rc = bad_usage("unexpected argument \"%s\"", a);
                goto out;
            }
            positional[n_pos++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = 0;
            goto out;
        }
        int r = oci_parse_option(argc, argv, &i, PUSH_OPTIONS, &o);
        if (r < 0)
            goto out;
        if (r > 0)
            continue;
        const char *v = NULL;
        int m;
        if ((m = option_arg(argc, argv, &i, "--annotation", "-a", &v)) != 0) {
            if (m < 0) {
                rc = bad_usage("%s needs KEY=VALUE", a);
                goto out;
            }
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                rc = bad_usage("annotation \"%s\" is not KEY=VALUE", v);
                goto out;
            }
            ann[po.n_annotations].key = strndup(v, (size_t)(eq - v));
            ann[po.n_annotations].value = eq + 1;
            po.n_annotations++;
        } else if ((m = option_arg(argc, argv, &i, "--format", NULL, &v)) != 0) {
            if (m < 0 || oci_format_parse(v, &po.format) < 0) {
                rc = bad_usage("--format: expected wasm-bpf, cncf or oras, not \"%s\"", m < 0 ? "" : v);
                goto out;
            }
        } else if ((m = option_arg(argc, argv, &i, "--chunk-size", NULL, &v)) != 0) {
            if (m < 0 || base_parse_size(v, &po.chunk_size) < 0 || po.chunk_size == 0) {
                rc = bad_usage("--chunk-size: \"%s\" is not a size (e.g. 65536, 64K, 8M)", m < 0 ? "" : v);
                goto out;
            }
        } else if ((m = option_arg(argc, argv, &i, "--module", "-m", &module)) != 0) {
            if (m < 0) {
                rc = bad_usage("%s needs a file", a);
                goto out;
            }
        } else {
            rc = bad_usage("unknown option %s", a);
            goto out;
        }
    }
    if (o.username && !o.password) {
        rc = bad_usage("%s", "-u needs --password-stdin");
        goto out;
    }
    if (!module && n_pos == 2)
        module = positional[1];
    else if (module && n_pos == 2) {
        rc = bad_usage("%s", "give the module either with -m or as the second argument");
        goto out;
    }
    if (n_pos < 1 || !module) {
        rc = bad_usage("%s", "expected REF and MODULE");
        goto out;
    }
    char digest[OCI_DIGEST_SIZE];
    if (oci_push(positional[0], module, &po, &o, digest) < 0) {
        oci_print_error(NULL);
        rc = 1;
        goto out;
    }
    printf("%s\n", digest);
    rc = 0;
out:
    for (size_t k = 0; k < po.n_annotations; k++)
        free((char *)ann[k].key);
    free(ann);
    return rc;
}
