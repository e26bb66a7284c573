/* cmd_inspect.c: `wasm-bpf inspect REF` and `wasm-bpf inspect --tags REPO`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"

#define INSPECT_OPTIONS (OCI_OPT_STORE | OCI_OPT_TRANSPORT | OCI_OPT_CREDENTIALS | OCI_OPT_PLATFORM)

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: wasm-bpf inspect [options] REF\n"
            "       wasm-bpf inspect --tags [options] REPOSITORY\n"
            "\n"
            "Describe a module as JSON: manifest digest, format, module layer, annotations,\n"
            "the manifest and the config.  From the local store if it holds REF, else from\n"
            "the registry (the module itself is not downloaded).  With --tags, list the\n"
            "tags of a repository in the registry.\n"
            "\n"
            "Options:\n"
            "  --remote             ask the registry even if the store holds REF\n"
            "  --raw                print the manifest bytes exactly as stored\n"
            "  --tags               list the repository's tags, one a line\n"
            "  --page-size N        with --tags: ask for N tags a request (default: the\n"
            "                       registry's choice)\n");
    oci_print_option_help(out, INSPECT_OPTIONS);
    fprintf(out, "  -h, --help           show this help\n");
}

static int bad_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "wasm-bpf inspect: %s%s\nRun 'wasm-bpf inspect --help' for usage.\n", msg, arg);
    return EXIT_USAGE;
}

static void print_tag(const char *tag, void *arg)
{
    (void)arg;
    printf("%s\n", tag);
}

int cmd_inspect(int argc, char **argv)
{
    struct oci_error oerr = {0};
    struct oci_options o = {.error = &oerr};
    bool remote = false, raw = false, tags = false;
    unsigned page_size = 0;
    const char *ref = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (ref)
                return bad_usage("unexpected argument ", a);
            ref = a;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        int r = oci_parse_option(argc, argv, &i, INSPECT_OPTIONS, &o);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (!strcmp(a, "--remote"))
            remote = true;
        else if (!strcmp(a, "--raw"))
            raw = true;
        else if (!strcmp(a, "--tags"))
            tags = true;
        else if (!strcmp(a, "--page-size") || !strncmp(a, "--page-size=", 12)) {
            const char *v = a[11] == '=' ? a + 12 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v || *end || n <= 0 || n > 100000)
                return bad_usage("--page-size needs a number from 1 to 100000", "");
            page_size = (unsigned)n;
        } else
            return bad_usage("unknown option ", a);
    }
    if (!ref)
        return bad_usage("expected a reference", "");
    if (o.username && !o.password)
        return bad_usage("-u needs --password-stdin", "");
    if (tags) {
        if (oci_list_tags(ref, page_size, &o, print_tag, NULL) < 0) {
            cli_print_oci_error(&oerr, NULL);
            return 1;
        }
        return 0;
    }
    if (raw) {
        size_t len;
        char *text = oci_inspect_raw(ref, remote, &o, &len);
        if (!text) {
            cli_print_oci_error(&oerr, NULL);
            return 1;
        }
        fwrite(text, 1, len, stdout);
        free(text);
        return 0;
    }
    char *text = oci_inspect(ref, remote, &o);
    if (!text) {
        cli_print_oci_error(&oerr, NULL);
        return 1;
    }
    printf("%s\n", text);
    free(text);
    return 0;
}
