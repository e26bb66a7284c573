/* cmd_tag.c: `wasm-bpf tag SRC DST`: another reference for a module of the
 * local store, as `docker tag` (nothing is fetched or pushed). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "opt.h"

struct tag_args {
    struct oci_options oci;
};

static const struct opt_group tag_groups[] = {
    {cli_oci_store_opts, offsetof(struct tag_args, oci), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_tag_spec = {
    .name = "tag",
    .usage = "tag [options] SOURCE TARGET",
    .description = "Give the module SOURCE of the local store (a reference, or a manifest digest\n"
                   "prefix as `wasm-bpf images` shows it) the reference TARGET too\n"
                   "([REGISTRY/]REPOSITORY[:TAG], the tag `latest` by default), as `docker tag`:\n"
                   "nothing is fetched or pushed, and nothing is printed.  A module TARGET named\n"
                   "before loses that name (`wasm-bpf rmi` removes what no name leads to).\n",
    .groups = tag_groups,
    .arity = &(const struct opt_arity){2, 2, "expected SOURCE and TARGET"},
};

int cmd_tag(int argc, char **argv)
{
    struct tag_args a = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_tag_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    for (int i = 0; i < 2; i++)
        if ((rc = cli_check_ref(&cmd_tag_spec, args[i])) != 0)
            goto out;
    if (strchr(args[1], '@')) {
        rc = opt_usage_error(&cmd_tag_spec,
                             "TARGET '%s': a new reference names a tag, not a digest", args[1]);
        goto out;
    }
    a.oci.error = &cli_oci_error;
    if (oci_store_tag(args[0], args[1], &a.oci, NULL) < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        rc = 1;
        goto out;
    }
    rc = 0;
out:
    free(args);
    return rc;
}
