/* cmd_rmi.c: `wasm-bpf rmi REF...`: remove modules from the local store,
 * saying what went as docker does ("Untagged: REF", "Deleted: DIGEST"). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "opt.h"

struct rmi_args {
    struct oci_options oci;
};

static const struct opt_group rmi_groups[] = {
    {cli_oci_store_opts, offsetof(struct rmi_args, oci), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_rmi_spec = {
    .name = "rmi",
    .usage = "rmi [options] REF|DIGEST...",
    .description =
        "Remove modules from the local store (by reference, or by a manifest digest\n"
        "prefix as `wasm-bpf images` shows it), then delete the blobs nothing else uses.\n"
        "Prints each reference removed (Untagged:) and each manifest that went with\n"
        "it (Deleted:, the full digest).\n",
    .groups = rmi_groups,
    .arity = &(const struct opt_arity){1, OPT_ARGS_ANY, "expected at least one reference"},
};

int cmd_rmi(int argc, char **argv)
{
    struct rmi_args a = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_rmi_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0) {
        free(args);
        return rc;
    }
    /* a digest prefix is a valid reference too: only nonsense is refused */
    for (int i = 0; i < nargs && rc < 0; i++)
        if (cli_check_ref(&cmd_rmi_spec, args[i]))
            rc = EXIT_USAGE;
    if (rc >= 0) {
        free(args);
        return rc;
    }
    rc = 0;
    for (int i = 0; i < nargs; i++) {
        struct oci_removed *removed;
        size_t n;
        a.oci.error = &cli_oci_error;
        if (oci_store_remove(args[i], &a.oci, &removed, &n) < 0) {
            cli_print_oci_error(&cli_oci_error, NULL);
            rc = 1;
            continue;
        }
        for (size_t k = 0; k < n; k++)
            if (removed[k].reference)
                printf("Untagged: %s\n", removed[k].reference);
        for (size_t k = 0; k < n; k++) {
            bool first = true; /* several references to one manifest: one line */
            for (size_t j = 0; j < k && first; j++)
                first = strcmp(removed[j].manifest_digest, removed[k].manifest_digest) != 0;
            if (removed[k].deleted && first)
                printf("Deleted: %s\n", removed[k].manifest_digest);
        }
        oci_removed_free(removed, n);
    }
    free(args);
    return rc;
}
