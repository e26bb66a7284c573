/* cmd_pull.c: `wasm-bpf pull REF [-o FILE]`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "oci.h"
#include "oci_trust.h"

#define PULL_OPTIONS (OCI_OPT_STORE | OCI_OPT_TRANSPORT | OCI_OPT_CREDENTIALS | OCI_OPT_QUIET | OCI_OPT_PLATFORM)

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf pull [options] REF\n"
            "\n"
            "Pull a module from an OCI registry into the local store and print its\n"
            "manifest digest.  REF is [REGISTRY/]REPOSITORY[:TAG|@sha256:DIGEST], optionally\n"
            "with an https:// or http:// scheme.  Modules pushed by wasm-bpf, ecli,\n"
            "wasm-to-oci (application/vnd.wasm.content.layer.v1+wasm), the CNCF Wasm\n"
            "artifact layout and ORAS (application/wasm) are accepted, directly or\n"
            "through an image index; sizes and digests are checked.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE    also write the module to FILE\n");
    oci_print_option_help(out, PULL_OPTIONS);
    trust_print_option_help(out);
    fprintf(out, "  -h, --help           show this help\n");
}

static int bad_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "wasm-bpf pull: %s%s\nRun 'wasm-bpf pull --help' for usage.\n", msg, arg);
    return EXIT_USAGE;
}

int cmd_pull(int argc, char **argv)
{
    struct oci_options o = {0};
    struct trust_cli trust = {0};
    const char *ref = NULL, *output = NULL;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || !a[1]) {
            if (ref)
                return bad_usage("unexpected argument ", a);
            ref = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        int r = oci_parse_option(argc, argv, &i, PULL_OPTIONS, &o);
        if (r == 0)
            r = trust_parse_option(argc, argv, &i, &trust);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc)
                return bad_usage(a, " needs a file");
            output = argv[++i];
        } else if (!strncmp(a, "--output=", 9)) {
            output = a + 9;
        } else {
            return bad_usage("unknown option ", a);
        }
    }
    if (!ref)
        return bad_usage("expected a reference", "");
    if (o.username && !o.password)
        return bad_usage("-u needs --password-stdin", "");
    if (trust_setup(&trust, &o, "pull") < 0)
        return 1;
    trust_notice_unverified(&trust, ref);
    struct oci_pull_result res;
    int rc = oci_pull(ref, output, &o, &res);
    trust_cleanup(&trust);
    if (rc < 0) {
        oci_print_error(NULL);
        /* refused by the policy: the same status `run` gives */
        return oci_policy_refused() ? 125 : 1;
    }
    printf("%s\n", res.manifest_digest);
    oci_pull_result_free(&res);
    return 0;
}
