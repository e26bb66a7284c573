/* digest.c: sha256 digests (OpenSSL EVP) and base64. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci_internal.h"

/* Every public operation loads libcrypto first (libs.c); this backstop
 * catches an internal caller that did not.  0, or -1 with the error set. */
static int need_crypto(void)
{
    return oci_libs_load();
}

int oci__sha256_init(struct sha256 *h)
{
    h->ctx = NULL;
    if (need_crypto() < 0)
        return -1;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        oci__sha256_free(h);
        return oci_fail("OpenSSL cannot initialise sha256 (out of memory?)");
    }
    return 0;
}

void oci__sha256_update(struct sha256 *h, const void *data, size_t len)
{
    if (len)
        EVP_DigestUpdate(h->ctx, data, len);
}

void oci__sha256_final(struct sha256 *h, char out[OCI_DIGEST_SIZE])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(h->ctx, md, &n);
    oci__sha256_free(h);
    memcpy(out, "sha256:", 7);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

void oci__sha256_free(struct sha256 *h)
{
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

int oci__sha256_bytes(const void *data, size_t len, char out[OCI_DIGEST_SIZE])
{
    struct sha256 h;
    if (oci__sha256_init(&h) < 0)
        return -1;
    oci__sha256_update(&h, data, len);
    oci__sha256_final(&h, out);
    return 0;
}

int oci_digest_bytes(const void *data, size_t len, const struct oci_options *o,
                     char out[OCI_DIGEST_SIZE])
{
    OCI_ERROR_SCOPE(o);
    return oci__sha256_bytes(data, len, out);
}

int oci__sha256_file(const char *path, char out[OCI_DIGEST_SIZE], uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return oci_fail("cannot open %s: %s", path, strerror(errno));
    struct sha256 h;
    char chunk[1 << 16];
    if (oci__sha256_init(&h) < 0) {
        close(fd);
        return -1;
    }
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, 1 << 16);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            oci__sha256_free(&h);
            close(fd);
            return oci_fail("cannot read %s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        oci__sha256_update(&h, chunk, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    oci__sha256_final(&h, out);
    if (size)
        *size = total;
    return 0;
}

int oci_digest_file(const char *path, const struct oci_options *o, char digest_out[OCI_DIGEST_SIZE])
{
    OCI_ERROR_SCOPE(o);
    if (oci_libs_load() < 0)
        return -1;
    return oci__sha256_file(path, digest_out, NULL);
}

char *oci__base64_encode(const void *data, size_t len)
{
    if (need_crypto() < 0)
        return NULL;
    if (len > INT_MAX / 4 * 3) {
        errno = EOVERFLOW;
        return NULL;
    }
    char *out = base_malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

char *oci__base64_decode(const char *text, size_t *len)
{
    if (need_crypto() < 0)
        return NULL;
    size_t n = strlen(text);
    if (n > INT_MAX - 4)
        return NULL;
    /* EVP_DecodeBlock wants whole quanta: put back padding some writers drop */
    char *padded = base_malloc(n + 4);
    unsigned char *out = base_malloc(n / 4 * 3 + 4);
    if (!padded || !out) {
        free(padded);
        free(out);
        return NULL;
    }
    memcpy(padded, text, n);
    while (n % 4)
        padded[n++] = '=';
    padded[n] = '\0';
    int r = EVP_DecodeBlock(out, (unsigned char *)padded, (int)n);
    if (r < 0) {
        free(padded);
        free(out);
        return NULL;
    }
    /* DecodeBlock counts the padding as zero bytes */
    size_t pad = 0;
    if (n >= 1 && padded[n - 1] == '=')
        pad++;
    if (n >= 2 && padded[n - 2] == '=')
        pad++;
    free(padded);
    size_t m = (size_t)r - pad;
    out[m] = '\0';
    if (len)
        *len = m;
    return (char *)out;
}
