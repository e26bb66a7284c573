/* cmd_logout.c: `wasm-bpf logout [REGISTRY]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"

int cmd_logout(int argc, char **argv)
{
    const char *registry = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: wasm-bpf logout [REGISTRY]\n"
                   "\n"
                   "Remove the credentials stored for REGISTRY (default docker.io) from the docker\n"
                   "config, and from its credential helper if it names one.\n"
                   "\n"
                   "Options:\n"
                   "  -h, --help  show this help\n");
            return 0;
        }
        if (argv[i][0] == '-' || registry) {
            fprintf(stderr, "wasm-bpf logout: unexpected argument %s\nRun 'wasm-bpf logout --help' for usage.\n",
                    argv[i]);
            return EXIT_USAGE;
        }
        registry = argv[i];
    }
    char *name = oci_registry_name(registry);
    struct oci_error oerr = {0};
    int r = oci_logout(registry, &(struct oci_options){.error = &oerr});
    if (r < 0) {
        cli_print_oci_error(&oerr, NULL);
        free(name);
        return 1;
    }
    if (r == 1)
        printf("Not logged in to %s\n", name);
    else
        printf("Removing login credentials for %s\n", name);
    free(name);
    return 0;
}
