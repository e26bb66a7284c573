/* oci__trust_libs.c: the libcrypto functions signing needs beyond hashing, and
 * libsodium (scrypt and nacl/secretbox for cosign's encrypted keys), opened
 * on first use for the reason libs.c gives: only key, sign, verify and
 * policy operations need them, not every start of wasm-bpf. */
#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "trust_internal.h"

struct oci__trust_libs oci__trust_libs;

/* The SONAMEs of Debian's libssl3 and libsodium23. */
#define LIBCRYPTO "libcrypto.so.3"
#define LIBSODIUM "libsodium.so.23"

static bool loaded;

int oci__trust_libs_load(void)
{
    if (loaded)
        return 0;
    if (oci_libs_load() < 0)
        return -1;
    void *crypto, *sodium;
    if (oci__lib_open(LIBCRYPTO, "signing and verifying need the package libssl3", &crypto) ||
        oci__lib_open(LIBSODIUM, "signing and verifying need the package libsodium23", &sodium))
        return -1;
#define BIND(handle, lib, fn) \
    if (oci__lib_bind(handle, lib, #fn, (void **)&oci__trust_libs.p_##fn)) return -1;
    TRUST_CRYPTO_FUNCTIONS(BIND, crypto, LIBCRYPTO)
    TRUST_SODIUM_FUNCTIONS(BIND, sodium, LIBSODIUM)
#undef BIND
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
