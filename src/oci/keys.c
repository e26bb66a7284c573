/* keys.c: ECDSA P-256 key pairs in the formats cosign uses.
 *
 * Public keys are PEM `PUBLIC KEY` (PKIX SubjectPublicKeyInfo).  Private
 * keys are cosign's encrypted format: a PEM block whose body is the JSON
 *   {"kdf":{"name":"scrypt","params":{"N":..,"r":8,"p":1},"salt":B64},
 *    "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}
 * where the key for XSalsa20-Poly1305 is scrypt(password, salt, N, r, p)
 * (32 bytes) and the plaintext is the PKCS#8 DER of the private key.  The
 * PEM type is `ENCRYPTED SIGSTORE PRIVATE KEY` (cosign 2 and later) or
 * `ENCRYPTED COSIGN PRIVATE KEY` (older cosign, skopeo); both are read.
 * OpenSSL does the ECDSA and the DER, libsodium scrypt and secretbox:
 * nothing cryptographic is written here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust_internal.h"

/* The type we write: see docs/SECURITY.md for why (skopeo 1.9 reads only
 * this one; cosign reads both). */
#define PEM_PRIVATE_WRITE "ENCRYPTED COSIGN PRIVATE KEY"
static const char *const private_types[] = {"ENCRYPTED SIGSTORE PRIVATE KEY",
                                            "ENCRYPTED COSIGN PRIVATE KEY", NULL};
static const char *const public_types[] = {"PUBLIC KEY", NULL};

/* scrypt parameters: what we write, and the only ones we accept on read
 * (go-securesystemslib's legacy, standard and OWASP sets: cosign has written
 * the first two).  A fixed set keeps a hostile key file from asking for
 * gigabytes of memory. */
#define SCRYPT_N_WRITE 65536u
static const unsigned long scrypt_n_allowed[] = {32768, 65536, 131072};
#define SCRYPT_R      8u
#define SCRYPT_P      1u
#define SALT_SIZE     32
#define MAX_SALT_SIZE 64
#define MAX_PLAIN_KEY 4096

static int openssl_fail(const char *what)
{
    char buf[256] = "";
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return oci_fail("%s%s%s", what, buf[0] ? ": " : "", buf);
}

/* ---- base64 and PEM ---- */

static bool b64_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/* Standard base64, padded or not: nothing else (oci__base64_decode is lenient). */
static bool b64_valid(const char *s)
{
    size_t n = 0;
    while (b64_char((unsigned char)s[n]))
        n++;
    size_t pad = 0;
    while (s[n + pad] == '=')
        pad++;
    if (s[n + pad] || pad > 2)
        return false;
    if (pad && (n + pad) % 4)
        return false;
    return n % 4 != 1;
}

static unsigned char *b64_decode_strict(const char *s, size_t max, size_t *len)
{
    if (!b64_valid(s) || strlen(s) > 4 * (max / 3 + 1))
        return NULL;
    size_t n;
    char *out = oci__base64_decode(s, &n);
    if (!out || n > max) {
        free(out);
        return NULL;
    }
    *len = n;
    return (unsigned char *)out;
}

unsigned char *oci__pem_decode(const char *text, size_t len, const char *const *types,
                               const char **found_type, size_t *out_len)
{
    if (len > MAX_KEY_FILE_SIZE) {
        oci_fail("larger than %u bytes: not a key", MAX_KEY_FILE_SIZE);
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        oci_fail("not a PEM file (it holds a NUL byte)");
        return NULL;
    }
    char *s = base_strndup(text, len);
    if (!s) {
        oci_fail_nomem();
        return NULL;
    }
    unsigned char *der = NULL;
    const char *begin = NULL, *type = NULL;
    for (const char *p = strstr(s, "-----BEGIN "); p && !type; p = strstr(p + 1, "-----BEGIN ")) {
        if (p != s && p[-1] != '\n')
            continue;
        for (size_t i = 0; types[i]; i++) {
            size_t tl = strlen(types[i]);
            if (!strncmp(p + 11, types[i], tl) && !strncmp(p + 11 + tl, "-----", 5)) {
                type = types[i];
                begin = p + 11 + tl + 5;
                break;
            }
        }
    }
    if (!type) {
        oci_fail("no PEM block of type %s%s%s found", types[0], types[1] ? " or " : "",
                 types[1] ? types[1] : "");
        goto out;
    }
    char end_line[96];
    snprintf(end_line, sizeof end_line, "-----END %s-----", type);
    const char *end = strstr(begin, end_line);
    if (!end) {
        oci_fail("the PEM block %s has no END line", type);
        goto out;
    }
    /* the body: base64 lines, nothing else (no RFC 1421 headers) */
    char *body = base_malloc((size_t)(end - begin) + 1);
    if (!body) {
        oci_fail_nomem();
        goto out;
    }
    size_t n = 0;
    for (const char *p = begin; p < end; p++) {
        if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
            continue;
        if (!b64_char((unsigned char)*p) && *p != '=') {
            free(body);
            oci_fail("the PEM block %s holds a character that is not base64", type);
            goto out;
        }
        body[n++] = *p;
    }
    body[n] = '\0';
    der = b64_decode_strict(body, MAX_KEY_FILE_SIZE, out_len);
    free(body);
    if (!der || !*out_len) {
        free(der);
        der = NULL;
        oci_fail("the PEM block %s is not valid base64", type);
        goto out;
    }
    if (found_type)
        *found_type = type;
out:
    free(s);
    return der;
}

char *oci__pem_encode(const char *type, const unsigned char *der, size_t len)
{
    char *b64 = oci__base64_encode(der, len);
    if (!b64) {
        oci_fail_nomem();
        return NULL;
    }
    struct base_buf b = {0};
    base_buf_printf(&b, "-----BEGIN %s-----\n", type);
    size_t n = strlen(b64);
    for (size_t i = 0; i < n; i += 64) {
        base_buf_append(&b, b64 + i, n - i < 64 ? n - i : 64);
        base_buf_append(&b, "\n", 1);
    }
    base_buf_printf(&b, "-----END %s-----\n", type);
    free(b64);
    char *pem = base_buf_take(&b, NULL);
    if (!pem)
        oci_fail_nomem();
    return pem;
}

/* ---- cosign's encryption ---- */

static int derive(const char *password, const unsigned char *salt, size_t salt_len, unsigned long n,
                  unsigned char key[crypto_secretbox_KEYBYTES])
{
    if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)password, strlen(password), salt,
                                              salt_len, n, SCRYPT_R, SCRYPT_P, key,
                                              crypto_secretbox_KEYBYTES) != 0)
        return oci_fail("scrypt failed (out of memory?)");
    return 0;
}

char *oci__cosign_encrypt(const unsigned char *plain, size_t len, const char *password)
{
    unsigned char salt[SALT_SIZE], nonce[crypto_secretbox_NONCEBYTES],
        key[crypto_secretbox_KEYBYTES];
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    if (derive(password, salt, sizeof salt, SCRYPT_N_WRITE, key) < 0)
        return NULL;
    size_t clen = len + crypto_secretbox_MACBYTES;
    unsigned char *cipher = base_malloc(clen);
    if (!cipher) {
        sodium_memzero(key, sizeof key);
        oci_fail_nomem();
        return NULL;
    }
    crypto_secretbox_easy(cipher, plain, len, nonce, key);
    sodium_memzero(key, sizeof key);
    char *salt_b64 = oci__base64_encode(salt, sizeof salt),
         *nonce_b64 = oci__base64_encode(nonce, sizeof nonce);
    char *cipher_b64 = oci__base64_encode(cipher, clen);
    json_t *j = json_pack("{s:{s:s,s:{s:I,s:I,s:I},s:s},s:{s:s,s:s},s:s}", "kdf", "name", "scrypt",
                          "params", "N", (json_int_t)SCRYPT_N_WRITE, "r", (json_int_t)SCRYPT_R, "p",
                          (json_int_t)SCRYPT_P, "salt", salt_b64, "cipher", "name",
                          "nacl/secretbox", "nonce", nonce_b64, "ciphertext", cipher_b64);
    char *out = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    free(salt_b64);
    free(nonce_b64);
    free(cipher_b64);
    free(cipher);
    if (!out)
        oci_fail("cannot build the encrypted key (out of memory)");
    return out;
}

static const char *json_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

unsigned char *oci__cosign_decrypt(const char *text, size_t text_len, const char *password,
                                   size_t *out_len)
{
    json_error_t err;
    json_t *j = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, &err);
    unsigned char *salt = NULL, *nonce = NULL, *cipher = NULL, *plain = NULL;
    size_t salt_len = 0, nonce_len = 0, cipher_len = 0;
    if (!json_is_object(j)) {
        oci_fail("the encrypted key is not JSON (%s)", j ? "not an object" : err.text);
        goto out;
    }
    json_t *kdf = json_object_get(j, "kdf"), *cip = json_object_get(j, "cipher");
    json_t *params = json_object_get(kdf, "params");
    const char *kdf_name = json_str(kdf, "name"), *cipher_name = json_str(cip, "name");
    if (!kdf_name || strcmp(kdf_name, "scrypt")) {
        oci_fail("the key's kdf is %s%.40s%s, not scrypt", kdf_name ? "\"" : "",
                 kdf_name ? kdf_name : "missing", kdf_name ? "\"" : "");
        goto out;
    }
    if (!cipher_name || strcmp(cipher_name, "nacl/secretbox")) {
        oci_fail("the key's cipher is %s%.40s%s, not nacl/secretbox", cipher_name ? "\"" : "",
                 cipher_name ? cipher_name : "missing", cipher_name ? "\"" : "");
        goto out;
    }
    json_t *jn = json_object_get(params, "N"), *jr = json_object_get(params, "r"),
           *jp = json_object_get(params, "p");
    if (!json_is_integer(jn) || !json_is_integer(jr) || !json_is_integer(jp)) {
        oci_fail("the key's scrypt parameters N, r, p are missing or not integers");
        goto out;
    }
    bool n_ok = false;
    for (size_t i = 0; i < sizeof scrypt_n_allowed / sizeof scrypt_n_allowed[0]; i++)
        n_ok |= json_integer_value(jn) == (json_int_t)scrypt_n_allowed[i];
    if (!n_ok || json_integer_value(jr) != SCRYPT_R || json_integer_value(jp) != SCRYPT_P) {
        oci_fail("the key's scrypt parameters (N=%lld r=%lld p=%lld) are not ones cosign writes "
                 "(N=32768, 65536 or 131072, r=8, p=1): refused",
                 (long long)json_integer_value(jn), (long long)json_integer_value(jr),
                 (long long)json_integer_value(jp));
        goto out;
    }
    const char *s_salt = json_str(kdf, "salt"), *s_nonce = json_str(cip, "nonce"),
               *s_cipher = json_str(j, "ciphertext");
    if (!s_salt || !(salt = b64_decode_strict(s_salt, MAX_SALT_SIZE, &salt_len)) || !salt_len) {
        oci_fail("the key's salt is missing or not base64 of at most %d bytes", MAX_SALT_SIZE);
        goto out;
    }
    if (!s_nonce || !(nonce = b64_decode_strict(s_nonce, 64, &nonce_len)) ||
        nonce_len != crypto_secretbox_NONCEBYTES) {
        oci_fail("the key's nonce is missing or not base64 of %d bytes",
                 crypto_secretbox_NONCEBYTES);
        goto out;
    }
    if (!s_cipher || !(cipher = b64_decode_strict(s_cipher, MAX_PLAIN_KEY, &cipher_len)) ||
        cipher_len <= crypto_secretbox_MACBYTES) {
        oci_fail("the key's ciphertext is missing, too long or not base64");
        goto out;
    }
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (derive(password, salt, salt_len, (unsigned long)json_integer_value(jn), key) < 0)
        goto out;
    plain = base_malloc(cipher_len - crypto_secretbox_MACBYTES);
    if (!plain) {
        sodium_memzero(key, sizeof key);
        oci_fail_nomem();
        goto out;
    }
    int opened = crypto_secretbox_open_easy(plain, cipher, cipher_len, nonce, key);
    sodium_memzero(key, sizeof key);
    if (opened != 0) {
        free(plain);
        plain = NULL;
        oci_fail("cannot decrypt the private key: wrong password, or the file was altered");
        goto out;
    }
    *out_len = cipher_len - crypto_secretbox_MACBYTES;
out:
    json_decref(j);
    free(salt);
    free(nonce);
    free(cipher);
    return plain;
}

/* ---- keys ---- */

static int check_p256(EVP_PKEY *pkey, const char *what)
{
    char group[64] = "";
    size_t glen = 0;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
        return oci_fail(
            "%s is not an ECDSA key (only ECDSA P-256, what cosign generates, is supported)", what);
    if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &glen) != 1 ||
        strcmp(group, "prime256v1"))
        return oci_fail(
            "%s is on curve %s, not P-256 (only ECDSA P-256, what cosign generates, is supported)",
            what, group[0] ? group : "(unknown)");
    return 0;
}

static unsigned char *public_der(EVP_PKEY *pkey, size_t *len)
{
    int n = i2d_PUBKEY(pkey, NULL);
    if (n <= 0)
        return NULL;
    unsigned char *der = base_malloc((size_t)n), *p = der;
    if (!der)
        return NULL;
    if (i2d_PUBKEY(pkey, &p) != n) {
        free(der);
        return NULL;
    }
    *len = (size_t)n;
    return der;
}

static struct oci_public_key *public_from_pkey(EVP_PKEY *pkey)
{
    size_t len;
    unsigned char *der = public_der(pkey, &len);
    if (!der) {
        openssl_fail("cannot encode the public key");
        return NULL;
    }
    struct oci_public_key *k = base_calloc(1, sizeof *k);
    if (!k) {
        free(der);
        oci_fail_nomem();
        return NULL;
    }
    int hashed = oci__sha256_bytes(der, len, k->fingerprint);
    free(der);
    if (hashed < 0) {
        free(k);
        return NULL; /* the caller frees pkey */
    }
    k->pkey = pkey;
    return k;
}

int oci_key_generate(const char *password, char **private_pem, char **public_pem,
                     struct oci_error *err)
{
    TRUST_ERROR_SCOPE(err);
    if (oci__trust_libs_load() < 0)
        return -1;
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!pkey)
        return openssl_fail("cannot generate an ECDSA P-256 key");
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pkey);
    int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, NULL) : -1;
    if (n <= 0 || n > MAX_PLAIN_KEY) {
        PKCS8_PRIV_KEY_INFO_free(p8);
        EVP_PKEY_free(pkey);
        return openssl_fail("cannot encode the private key");
    }
    unsigned char *der = base_malloc((size_t)n), *p = der;
    if (!der) {
        PKCS8_PRIV_KEY_INFO_free(p8);
        EVP_PKEY_free(pkey);
        return oci_fail_nomem();
    }
    i2d_PKCS8_PRIV_KEY_INFO(p8, &p);
    PKCS8_PRIV_KEY_INFO_free(p8);
    char *json = oci__cosign_encrypt(der, (size_t)n, password ? password : "");
    sodium_memzero(der, (size_t)n);
    free(der);
    size_t plen;
    unsigned char *pub = public_der(pkey, &plen);
    EVP_PKEY_free(pkey);
    if (!json || !pub) {
        free(json);
        free(pub);
        return json ? openssl_fail("cannot encode the public key") : -1;
    }
    char *priv = oci__pem_encode(PEM_PRIVATE_WRITE, (unsigned char *)json, strlen(json));
    char *publ = priv ? oci__pem_encode("PUBLIC KEY", pub, plen) : NULL;
    free(json);
    free(pub);
    if (!publ) {
        free(priv);
        return -1;
    }
    *private_pem = priv;
    *public_pem = publ;
    return 0;
}

int oci_signing_key_load(const char *pem, size_t len, const char *password,
                         struct oci_signing_key **out, struct oci_error *err)
{
    TRUST_ERROR_SCOPE(err);
    if (oci__trust_libs_load() < 0)
        return -1;
    size_t json_len, plain_len = 0;
    unsigned char *json = oci__pem_decode(pem, len, private_types, NULL, &json_len);
    if (!json)
        return -1;
    unsigned char *plain =
        oci__cosign_decrypt((char *)json, json_len, password ? password : "", &plain_len);
    free(json);
    if (!plain)
        return -1;
    const unsigned char *p = plain;
    EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &p, (long)plain_len);
    bool whole = pkey && p == plain + plain_len;
    sodium_memzero(plain, plain_len);
    free(plain);
    if (!pkey || !whole) {
        EVP_PKEY_free(pkey);
        return openssl_fail("the decrypted private key is not a PKCS#8 key");
    }
    if (check_p256(pkey, "the private key") < 0) {
        EVP_PKEY_free(pkey);
        return -1;
    }
    struct oci_signing_key *k = base_calloc(1, sizeof *k);
    if (!k) {
        EVP_PKEY_free(pkey);
        return oci_fail_nomem();
    }
    k->pkey = pkey;
    *out = k;
    return 0;
}

int oci_public_key_load(const char *pem, size_t len, struct oci_public_key **out,
                        struct oci_error *err)
{
    TRUST_ERROR_SCOPE(err);
    return oci__public_key_load(pem, len, out);
}

int oci__public_key_load(const char *pem, size_t len, struct oci_public_key **out)
{
    if (oci__trust_libs_load() < 0)
        return -1;
    size_t der_len;
    unsigned char *der = oci__pem_decode(pem, len, public_types, NULL, &der_len);
    if (!der)
        return -1;
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)der_len);
    bool whole = pkey && p == der + der_len;
    free(der);
    if (!pkey || !whole) {
        EVP_PKEY_free(pkey);
        return openssl_fail("the PUBLIC KEY block is not a PKIX public key");
    }
    if (check_p256(pkey, "the public key") < 0) {
        EVP_PKEY_free(pkey);
        return -1;
    }
    struct oci_public_key *k = public_from_pkey(pkey);
    if (!k) {
        EVP_PKEY_free(pkey);
        return -1;
    }
    *out = k;
    return 0;
}

int oci_public_key_load_file(const char *path, struct oci_public_key **out, struct oci_error *err)
{
    TRUST_ERROR_SCOPE(err);
    return oci__public_key_load_file(path, out);
}

int oci__public_key_load_file(const char *path, struct oci_public_key **out)
{
    size_t len;
    char *text = NULL;
    int err = base_read_file(path, MAX_KEY_FILE_SIZE, &text, &len);
    if (err < 0) {
        if (err == -EFBIG)
            return oci_fail("public key %s: larger than %u bytes: not a key", path,
                            MAX_KEY_FILE_SIZE);
        return oci_fail("public key %s: %s", path, strerror(-err));
    }
    int rc = oci__public_key_load(text, len, out);
    free(text);
    if (rc < 0) {
        oci_error_context("public key %s", path);
        return -1;
    }
    if (!((*out)->source = base_strdup(path))) {
        oci_public_key_free(*out);
        *out = NULL;
        return oci_fail_nomem();
    }
    return 0;
}

struct oci_public_key *oci_signing_key_public(const struct oci_signing_key *k)
{
    if (oci__trust_libs_load() < 0)
        return NULL;
    EVP_PKEY_up_ref(k->pkey);
    struct oci_public_key *pub = public_from_pkey(k->pkey);
    if (!pub)
        EVP_PKEY_free(k->pkey);
    return pub;
}

char *oci_public_key_pem(const struct oci_public_key *k)
{
    size_t len;
    unsigned char *der = public_der(k->pkey, &len);
    if (!der) {
        openssl_fail("cannot encode the public key");
        return NULL;
    }
    char *pem = oci__pem_encode("PUBLIC KEY", der, len);
    free(der);
    return pem;
}

const char *oci_public_key_fingerprint(const struct oci_public_key *k)
{
    return k->fingerprint;
}

void oci_signing_key_free(struct oci_signing_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

void oci_public_key_free(struct oci_public_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k->source);
    free(k);
}

/* ---- signatures ---- */

char *oci__key_sign_base64(const struct oci_signing_key *k, const void *data, size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[128];
    size_t sig_len = sizeof sig;
    char *out = NULL;
    if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
        EVP_DigestSign(ctx, sig, &sig_len, data, len) != 1)
        openssl_fail("ECDSA signing failed");
    else if (!(out = oci__base64_encode(sig, sig_len)))
        oci_fail_nomem();
    EVP_MD_CTX_free(ctx);
    return out;
}

int oci__key_verify_raw(const struct oci_public_key *k, const void *data, size_t len,
                        const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

int oci__key_verify_base64(const struct oci_public_key *k, const void *data, size_t len,
                           const char *sig_b64)
{
    size_t sig_len;
    if (!sig_b64 || strlen(sig_b64) > MAX_SIGNATURE_B64)
        return 0;
    unsigned char *sig = b64_decode_strict(sig_b64, MAX_SIGNATURE_B64, &sig_len);
    if (!sig)
        return 0;
    int ok = sig_len > 0 && oci__key_verify_raw(k, data, len, sig, sig_len);
    free(sig);
    return ok;
}
