/* fuzz_oci.c: libFuzzer target for the OCI client's parsers of untrusted
 * text: manifests and indexes (as a registry sends them), WWW-Authenticate
 * challenges, references (as users type them), Location resolution and
 * base64 (docker config `auth`).  The first byte chooses the parser.
 *   make fuzz && build-fuzz/oci_fuzz -max_total_time=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* private: the parsers are fuzzed directly, without HTTP around them */
#include "oci_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t which = data[0] % 5;
    /* NUL-terminated copy for the text parsers */
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (which) {
    case 0: {
        struct manifest m;
        if (oci__manifest_parse((const char *)data + 1, size - 1,
                                "application/vnd.oci.image.manifest.v1+json", &m) == 0) {
            if (m.is_index) {
                oci__index_select(&m, NULL);
                oci__index_select(&m, "linux/arm64");
            } else {
                oci__manifest_module_layer(&m);
                oci__manifest_format(&m);
            }
            oci__manifest_free(&m);
        }
        break;
    }
    case 1: {
        struct challenge c;
        if (oci__challenge_parse(text, &c) == 0)
            oci__challenge_free(&c);
        break;
    }
    case 2: {
        struct oci_ref ref;
        if (oci__ref_parse(text, &ref) == 0) {
            char canonical[REF_STRING_SIZE];
            oci__ref_string(&ref, canonical);
            oci__ref_free(&ref);
        }
        free(oci_registry_name(text));
        break;
    }
    case 3: free(oci__url_resolve("http://127.0.0.1:5000/v2/x/blobs/uploads/", text)); break;
    default: {
        size_t n;
        free(oci__base64_decode(text, &n));
        break;
    }
    }
    free(text);
    return 0;
}
