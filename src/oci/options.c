/* options.c: checks of the option values the OCI client takes, so every
 * program that fills in struct oci_options (the wasm-bpf command, an
 * embedder) refuses the same values for the same reasons.  Parsing a
 * command line is the command's business (src/cli). */
#include <string.h>

#include "oci_internal.h"

static const struct {
    const char *name;
    enum oci_pull_policy policy;
} pull_policies[] = {
    {"missing", OCI_PULL_MISSING},
    {"always", OCI_PULL_ALWAYS},
    {"never", OCI_PULL_NEVER},
};

int oci_pull_policy_parse(const char *name, enum oci_pull_policy *out)
{
    for (size_t i = 0; i < sizeof pull_policies / sizeof pull_policies[0]; i++)
        if (!strcmp(name, pull_policies[i].name)) {
            *out = pull_policies[i].policy;
            return 0;
        }
    return -1;
}

bool oci_platform_valid(const char *platform)
{
    const char *slash = strchr(platform, '/');
    return slash && slash != platform && slash[1] && slash[1] != '/';
}

int oci_ref_check(const char *text, struct oci_error *err)
{
    OCI_ERROR_SCOPE(&(struct oci_options){.error = err});
    struct oci_ref ref;
    if (oci__ref_parse(text, &ref) < 0)
        return -1;
    oci__ref_free(&ref);
    return 0;
}
