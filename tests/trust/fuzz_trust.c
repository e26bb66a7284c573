/* fuzz_trust.c: libFuzzer target for what a registry or a file hands the
 * trust code: simple-signing payloads, signature manifests, Sigstore
 * bundles, cosign encrypted keys, public keys and policies.  The first
 * byte chooses the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* private: the parsers are fed bytes directly, without a registry or a file around them */
#include "trust_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || oci__trust_libs_load() < 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 6) {
    case 0: {
        struct simplesigning s;
        if (oci__simplesigning_parse(text, len, &s) == 0)
            oci__simplesigning_free(&s);
        break;
    }
    case 1: {
        struct sigmanifest m;
        if (oci__sigmanifest_parse(text, len, &m) == 0)
            oci__sigmanifest_free(&m);
        break;
    }
    case 2: {
        struct bundle b;
        if (oci__bundle_parse(text, len, &b) == 0)
            oci__bundle_free(&b);
        break;
    }
    case 3: {
        /* the JSON inside an encrypted key, with the scrypt cost as cosign
         * writes it; a wrong password fails after one derivation */
        size_t n;
        unsigned char *plain = oci__cosign_decrypt(text, len, "", &n);
        free(plain);
        break;
    }
    case 4: {
        struct oci_public_key *k;
        if (oci_public_key_load(text, len, &k, NULL) == 0)
            oci_public_key_free(k);
        break;
    }
    case 5: {
        struct oci_policy *p;
        if (oci_policy_parse(text, len, "/nonexistent", &p, NULL) == 0) {
            char buf[256];
            oci_policy_describe(p, "127.0.0.1:5000/a/b:c", buf, sizeof buf);
            oci_policy_free(p);
        }
        break;
    }
    }
    oci_error_clear();
    return 0;
}
