/* Placeholder until this subcommand is written. */
#include <stdio.h>

#include "cli.h"

int cmd_logout(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "wasm-bpf: '%s' is not available in this build yet\n", argv[0]);
    return EXIT_USAGE;
}
