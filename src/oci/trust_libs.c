/* oci__trust_libs.c: the libcrypto functions signing needs beyond hashing, and
 * libsodium (scrypt and nacl/secretbox for cosign's encrypted keys), opened
 * on first use for the reason libs.c gives: only key, sign, verify and
 * policy operations need them, not every start of wasm-bpf. */
#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "trust_internal.h"

struct oci__trust_libs oci__trust_libs;

/* The SONAME of Debian's libsodium23 */
#define LIBSODIUM     "libsodium.so.23"
#define OCI_LIB_TABLE oci__trust_libs

static bool loaded;

int oci__trust_libs_load(void)
{
    if (loaded)
        return 0;
    if (oci_libs_load() < 0)
        return -1;
    void *crypto, *sodium;
    if (oci__lib_open(OCI_LIBCRYPTO, "signing and verifying need the package libssl3", &crypto) ||
        oci__lib_open(LIBSODIUM, "signing and verifying need the package libsodium23", &sodium))
        return -1;
    TRUST_CRYPTO_FUNCTIONS(OCI_LIB_BIND, crypto, OCI_LIBCRYPTO)
    TRUST_SODIUM_FUNCTIONS(OCI_LIB_BIND, sodium, LIBSODIUM)
    if (sodium_init() < 0)
        return oci_fail("libsodium failed to initialise");
    loaded = true;
    return 0;
}

void oci__trust_bind_error(struct oci_error *err)
{
    struct oci_options o = {.error = err};
    oci_error_bind(&o);
}
