/* cmd_rmi.c: `wasm-bpf rmi REF...`: remove modules from the local store. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "oci.h"

int cmd_rmi(int argc, char **argv)
{
    struct oci_options o = {0};
    const char *refs[argc];
    int n = 0;
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
            return 0;
        }
        int r = a[0] == '-' ? oci_parse_option(argc, argv, &i, OCI_OPT_STORE, &o) : 0;
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (a[0] == '-') {
            fprintf(stderr, "wasm-bpf rmi: unknown option %s\nRun 'wasm-bpf rmi --help' for usage.\n", a);
            return EXIT_USAGE;
        }
        refs[n++] = a;
    }
    if (!n) {
        fprintf(stderr, "wasm-bpf rmi: expected at least one reference\nRun 'wasm-bpf rmi --help' for usage.\n");
        return EXIT_USAGE;
    }
    int status = 0;
    for (int i = 0; i < n; i++) {
        if (oci_store_remove(refs[i], &o) < 0) {
            oci_print_error(NULL);
            status = 1;
        } else {
            printf("Deleted: %s\n", refs[i]);
        }
    }
    return status;
}
