/* libs.c: libcurl and libcrypto, opened on first use.
 *
 * Linking them would cost every start of wasm-bpf about 15 ms: libcurl
 * brings 28 shared libraries, libcrypto is large, and the dynamic loader
 * maps and relocates them all before main.  Only registry and store
 * operations need them, so the OCI entry points call oci_libs_load() first
 * and oci_internal.h turns the library's function names into calls
 * through the table filled here. */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "oci_internal.h"

struct oci_libs oci_libs;

/* The SONAME of Debian's libcurl4 (OpenSSL flavour) */
#define LIBCURL       "libcurl.so.4"
#define OCI_LIB_TABLE oci_libs

static bool loaded;

int oci__lib_open(const char *name, const char *needed_by, void **handle)
{
    *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        const char *why = dlerror();
        oci_fail("cannot load %s: %s", name, why ? why : "not found");
        oci_set_hint("%s (scripts/install-deps.sh installs what is missing)", needed_by);
        return -1;
    }
    return 0;
}

int oci__lib_bind(void *handle, const char *lib, const char *name, void **slot)
{
    dlerror();
    *slot = dlsym(handle, name);
    if (!*slot)
        return oci_fail("%s has no %s", lib, name);
    return 0;
}

int oci_libs_load(void)
{
    if (loaded)
        return 0;
    void *curl, *crypto;
    static const char needed[] = "registry operations need the packages libcurl4 and libssl3";
    if (oci__lib_open(LIBCURL, needed, &curl) || oci__lib_open(OCI_LIBCRYPTO, needed, &crypto))
        return -1;
    OCI_CURL_FUNCTIONS(OCI_LIB_BIND, curl, LIBCURL)
    OCI_CRYPTO_FUNCTIONS(OCI_LIB_BIND, crypto, OCI_LIBCRYPTO)
    /* OpenSSL 3.0 sets its default library context up on first use; when
     * that runs out of memory, it goes on with a context whose lock is
     * NULL, and the next EVP_MD_fetch (inside EVP_DigestInit_ex) crashes.
     * This call runs the same one-time setup and returns NULL when it
     * failed (it stays failed), so no libcrypto call ever meets it. */
    if (!OSSL_LIB_CTX_get0_global_default())
        return oci_fail("out of memory: OpenSSL (libcrypto) could not set up its default context");
    loaded = true;
    return 0;
}

/* curl.h's type-checking curl_easy_setopt() macro ends in a call of the
 * function itself; libcurl is opened at run time, so this is that function.
 * It passes the one value on with the type the option's number gives
 * (CURLOPTTYPE_*).  Hidden like every name of the library (and made local
 * in libwasm-bpf.a), it never meets libcurl's own. */
#undef curl_easy_setopt
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    va_list ap;
    CURLcode rc;
    va_start(ap, option);
    if (option < CURLOPTTYPE_OBJECTPOINT)
        rc = oci_libs.p_curl_easy_setopt(curl, option, va_arg(ap, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT)
        rc = oci_libs.p_curl_easy_setopt(curl, option, va_arg(ap, void *));
    else if (option < CURLOPTTYPE_OFF_T)
        rc = oci_libs.p_curl_easy_setopt(curl, option, va_arg(ap, void (*)(void)));
    else if (option < CURLOPTTYPE_BLOB)
        rc = oci_libs.p_curl_easy_setopt(curl, option, va_arg(ap, curl_off_t));
    else
        rc = oci_libs.p_curl_easy_setopt(curl, option, va_arg(ap, void *));
    va_end(ap);
    return rc;
}
