/* cmd_rmi.c: `wasm-bpf rmi REF...`: remove modules from the local store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"

int cmd_rmi(int argc, char **argv)
{
    struct oci_error oerr = {0};
    struct oci_options o = {.error = &oerr};
    const char **refs = calloc((size_t)argc, sizeof *refs);
    int n = 0, status = EXIT_USAGE;
    if (!refs)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("Usage: wasm-bpf rmi [options] REF|DIGEST...\n"
                   "\n"
                   "Remove modules from the local store (by reference, or by a manifest digest\n"
                   "prefix as `wasm-bpf images` shows it), then delete the blobs nothing else uses.\n"
                   "\n"
                   "Options:\n");
            oci_print_option_help(stdout, OCI_OPT_STORE);
            printf("  -h, --help           show this help\n");
            status = 0;
            goto out;
        }
        int r = a[0] == '-' ? oci_parse_option(argc, argv, &i, OCI_OPT_STORE, &o) : 0;
        if (r < 0)
            goto out;
        if (r > 0)
            continue;
        if (a[0] == '-') {
            fprintf(stderr, "wasm-bpf rmi: unknown option %s\nRun 'wasm-bpf rmi --help' for usage.\n", a);
            goto out;
        }
        refs[n++] = a;
    }
    if (!n) {
        fprintf(stderr, "wasm-bpf rmi: expected at least one reference\nRun 'wasm-bpf rmi --help' for usage.\n");
        goto out;
    }
    status = 0;
    for (int i = 0; i < n; i++) {
        if (oci_store_remove(refs[i], &o) < 0) {
            cli_print_oci_error(&oerr, NULL);
            status = 1;
        } else {
            printf("Deleted: %s\n", refs[i]);
        }
    }
out:
    free(refs);
    return status;
}
