/* cmd_pull.c: `wasm-bpf pull REF [-o FILE]`. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "oci_trust.h"
#include "opt.h"

struct pull_args {
    struct oci_options oci;
    const char *output;
    struct trust_cli trust;
};

#define AT(member) offsetof(struct pull_args, member)
static const struct opt pull_opts[] = {
    {"output", 'o', "FILE", OPT_STRING, AT(output), NULL, "also write the module to FILE"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group pull_groups[] = {
    {pull_opts, 0, NULL},
    {cli_oci_store_opts, AT(oci), NULL},
    {cli_oci_transport_opts, AT(oci), NULL},
    {cli_oci_credential_opts, AT(oci), NULL},
    {cli_oci_platform_opts, AT(oci), NULL},
    {cli_oci_quiet_opts, AT(oci), NULL},
    {cli_trust_opts, AT(trust), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_pull_spec = {
    .name = "pull",
    .usage = "pull [options] REF",
    .description =
        "Pull a module from an OCI registry into the local store and print its\n"
        "manifest digest.  REF is [REGISTRY/]REPOSITORY[:TAG|@sha256:DIGEST], optionally\n"
        "with an https:// or http:// scheme.  Modules pushed by wasm-bpf, ecli,\n"
        "wasm-to-oci (application/vnd.wasm.content.layer.v1+wasm), the CNCF Wasm\n"
        "artifact layout and ORAS (application/wasm) are accepted, directly or\n"
        "through an image index; sizes and digests are checked.\n",
    .groups = pull_groups,
    .arity = &cli_one_ref,
};

int cmd_pull(int argc, char **argv)
{
    struct pull_args a = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_pull_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    if ((rc = cli_check_credentials(&cmd_pull_spec, &a.oci)) != 0
        || (rc = cli_check_ref(&cmd_pull_spec, args[0])) != 0)
        goto out;
    if (trust_setup(&a.trust, &a.oci, "pull") < 0) {
        rc = 1;
        goto out;
    }
    trust_notice_unverified(&a.trust, args[0]);
    struct oci_pull_result res;
    a.oci.error = &cli_oci_error;
    int r = oci_pull(args[0], a.output, &a.oci, &res);
    trust_cleanup(&a.trust);
    if (r < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        /* refused by the policy: the status `run` gives */
        rc = oci_policy_refused() ? 125 : 1;
        goto out;
    }
    printf("%s\n", res.manifest_digest);
    oci_pull_result_free(&res);
    rc = 0;
out:
    free(args);
    return rc;
}
