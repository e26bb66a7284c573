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

static int open_lib(const char *name, const char *package, void **handle)
{
    *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        const char *why = dlerror();
        oci_fail("cannot load %s: %s", name, why ? why : "not found");
        oci_set_hint("signing and verifying need the package %s (scripts/install-deps.sh installs it)", package);
        return -1;
    }
    return 0;
}

static int bind_symbol(void *handle, const char *lib, const char *name, void **slot)
{
    dlerror();
    *slot = dlsym(handle, name);
    if (!*slot)
        return oci_fail("%s has no %s", lib, name);
    return 0;
}

int oci__trust_libs_load(void)
{
    if (loaded)
        return 0;
    if (oci_libs_load() < 0)
        return -1;
    void *crypto, *sodium;
    if (open_lib(LIBCRYPTO, "libssl3", &crypto) || open_lib(LIBSODIUM, "libsodium23", &sodium))
        return -1;
#define BIND(handle, lib, fn) \
    if (bind_symbol(handle, lib, #fn, (void **)&oci__trust_libs.p_##fn)) return -1;
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
