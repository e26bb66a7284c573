/* cmd_logout.c: `wasm-bpf logout [REGISTRY]`. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "opt.h"

static const struct opt_group logout_groups[] = {{NULL, 0, NULL}};

const struct opt_command cmd_logout_spec = {
    .name = "logout",
    .usage = "logout [REGISTRY]",
    .description =
        "Remove the credentials stored for REGISTRY (default docker.io) from the docker\n"
        "config, and from its credential helper if it names one.\n",
    .groups = logout_groups,
    .arity = &(const struct opt_arity){0, 1, NULL},
};

int cmd_logout(int argc, char **argv)
{
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_logout_spec, NULL, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    const char *registry = nargs ? args[0] : NULL;
    char *name = oci_registry_name(registry);
    int r = oci_logout(registry, &(struct oci_options){.error = &cli_oci_error});
    rc = 0;
    if (r < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        rc = 1;
    } else if (r == 1) {
        printf("Not logged in to %s\n", name);
    } else {
        printf("Removing login credentials for %s\n", name);
    }
    free(name);
out:
    free(args);
    return rc;
}
