/* trust_internal.h: what the signing and policy files of the OCI client
 * share.  Private to src/oci; the public API is include/oci_trust.h.
 *
 *   oci__trust_libs.c  the extra libcrypto functions and libsodium, opened on use
 *   keys.c        key pairs, cosign's encrypted private key format, PEM
 *   sigformat.c   simple-signing payloads, cosign signature manifests,
 *                 Sigstore bundles (DSSE + in-toto): building and reading
 *   policy.c      containers-policy.json: parsing, scopes, identities
 *   sign.c        sign / verify / policy checks against a registry
 */
#ifndef WASM_BPF_TRUST_INTERNAL_H
#define WASM_BPF_TRUST_INTERNAL_H

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "oci_internal.h"
#include "oci_trust.h"

/* ---- oci__trust_libs.c ----
 * Like libs.c: libcrypto (already opened there) and libsodium are reached
 * through a table so that a start of wasm-bpf that signs nothing maps
 * neither.  Every entry point of the trust files calls oci__trust_libs_load(). */
/* clang-format off */
#define TRUST_CRYPTO_FUNCTIONS(X, h, lib)                                                   \
    X(h, lib, EVP_PKEY_Q_keygen) X(h, lib, EVP_PKEY_free) X(h, lib, EVP_PKEY_get_base_id)    \
    X(h, lib, EVP_PKEY_get_group_name) X(h, lib, i2d_PUBKEY) X(h, lib, d2i_PUBKEY)          \
    X(h, lib, d2i_AutoPrivateKey) X(h, lib, EVP_PKEY2PKCS8) X(h, lib, i2d_PKCS8_PRIV_KEY_INFO) \
    X(h, lib, PKCS8_PRIV_KEY_INFO_free) X(h, lib, EVP_DigestSignInit) X(h, lib, EVP_DigestSign) \
    X(h, lib, EVP_DigestVerifyInit) X(h, lib, EVP_DigestVerify) X(h, lib, ERR_get_error)    \
    X(h, lib, ERR_error_string_n) X(h, lib, ERR_clear_error) X(h, lib, EVP_PKEY_up_ref)
#define TRUST_SODIUM_FUNCTIONS(X, h, lib)                                                   \
    X(h, lib, sodium_init) X(h, lib, crypto_pwhash_scryptsalsa208sha256_ll)                 \
    X(h, lib, crypto_secretbox_easy) X(h, lib, crypto_secretbox_open_easy)                  \
    X(h, lib, randombytes_buf) X(h, lib, sodium_memzero)
/* clang-format on */

struct oci__trust_libs {
    TRUST_CRYPTO_FUNCTIONS(OCI_LIB_SLOT, , )
    TRUST_SODIUM_FUNCTIONS(OCI_LIB_SLOT, , )
};
extern struct oci__trust_libs oci__trust_libs;
/* 0, or -1 with the error (and a hint) set. */
int oci__trust_libs_load(void);

#define EVP_PKEY_Q_keygen        (*oci__trust_libs.p_EVP_PKEY_Q_keygen)
#define EVP_PKEY_free            (*oci__trust_libs.p_EVP_PKEY_free)
#define EVP_PKEY_get_base_id     (*oci__trust_libs.p_EVP_PKEY_get_base_id)
#define EVP_PKEY_get_group_name  (*oci__trust_libs.p_EVP_PKEY_get_group_name)
#define i2d_PUBKEY               (*oci__trust_libs.p_i2d_PUBKEY)
#define d2i_PUBKEY               (*oci__trust_libs.p_d2i_PUBKEY)
#define d2i_AutoPrivateKey       (*oci__trust_libs.p_d2i_AutoPrivateKey)
#define EVP_PKEY2PKCS8           (*oci__trust_libs.p_EVP_PKEY2PKCS8)
#define i2d_PKCS8_PRIV_KEY_INFO  (*oci__trust_libs.p_i2d_PKCS8_PRIV_KEY_INFO)
#define PKCS8_PRIV_KEY_INFO_free (*oci__trust_libs.p_PKCS8_PRIV_KEY_INFO_free)
#define EVP_DigestSignInit       (*oci__trust_libs.p_EVP_DigestSignInit)
#define EVP_DigestSign           (*oci__trust_libs.p_EVP_DigestSign)
#define EVP_DigestVerifyInit     (*oci__trust_libs.p_EVP_DigestVerifyInit)
#define EVP_DigestVerify         (*oci__trust_libs.p_EVP_DigestVerify)
#define ERR_get_error            (*oci__trust_libs.p_ERR_get_error)
#define ERR_error_string_n       (*oci__trust_libs.p_ERR_error_string_n)
#define ERR_clear_error          (*oci__trust_libs.p_ERR_clear_error)
#define EVP_PKEY_up_ref          (*oci__trust_libs.p_EVP_PKEY_up_ref)
#define sodium_init              (*oci__trust_libs.p_sodium_init)
#define crypto_pwhash_scryptsalsa208sha256_ll \
    (*oci__trust_libs.p_crypto_pwhash_scryptsalsa208sha256_ll)
#define crypto_secretbox_easy      (*oci__trust_libs.p_crypto_secretbox_easy)
#define crypto_secretbox_open_easy (*oci__trust_libs.p_crypto_secretbox_open_easy)
#define randombytes_buf            (*oci__trust_libs.p_randombytes_buf)
#define sodium_memzero             (*oci__trust_libs.p_sodium_memzero)

/* ---- media types, annotations, limits ---- */
#define MT_OCI_IMAGE_CONFIG   "application/vnd.oci.image.config.v1+json"
#define MT_SIMPLESIGNING      "application/vnd.dev.cosign.simplesigning.v1+json"
#define MT_SIGSTORE_BUNDLE    "application/vnd.dev.sigstore.bundle.v0.3+json"
#define MT_INTOTO             "application/vnd.in-toto+json"
#define ANN_COSIGN_SIGNATURE  "dev.cosignproject.cosign/signature"
#define ANN_BUNDLE_CONTENT    "dev.sigstore.bundle.content"
#define ANN_BUNDLE_PREDICATE  "dev.sigstore.bundle.predicateType"
#define COSIGN_SIGNATURE_TYPE "cosign container image signature"
#define INTOTO_STATEMENT_V1   "https://in-toto.io/Statement/v1"
#define COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"

#define MAX_PAYLOAD_SIZE  (64u << 10) /* a simple-signing payload or a bundle */
#define MAX_SIGNATURES    64          /* layers of a signature manifest, referrers looked at */
#define MAX_SIGNATURE_B64 1024        /* an ECDSA P-256 DER signature is at most 72 bytes */
#define MAX_KEY_FILE_SIZE (64u << 10)

/* Errors of calls without options go to ERR (see oci_error_bind()). */
void oci__trust_bind_error(struct oci_error *err);
/* As OCI_ERROR_SCOPE for the calls that take ERR instead of options: bound
 * until the call returns, however it returns. */
#define TRUST_ERROR_SCOPE(err)                                                \
    __attribute__((cleanup(oci_error_unbind), unused)) int oci_error_scope_ = \
        (oci__trust_bind_error(err), 0)
/* The message being written (for copying into a longer one). */
#define oci_error_text() (oci_error_current()->message)

/* ---- keys.c ---- */
/* The loaders without (re)binding the error: for the library's own use. */
int oci__public_key_load(const char *pem, size_t len, struct oci_public_key **out);
int oci__public_key_load_file(const char *path, struct oci_public_key **out);
struct oci_public_key {
    EVP_PKEY *pkey;
    char fingerprint[OCI_KEY_FINGERPRINT_SIZE];
    char *source; /* file or "keyData" for messages; may be NULL */
};
struct oci_signing_key {
    EVP_PKEY *pkey;
};
/* Sign DATA (ECDSA P-256 over SHA-256, DER): malloc'ed base64 text. */
char *oci__key_sign_base64(const struct oci_signing_key *k, const void *data, size_t len);
/* 1 valid, 0 not valid (bad base64 included), never an error. */
int oci__key_verify_base64(const struct oci_public_key *k, const void *data, size_t len,
                           const char *sig_b64);
int oci__key_verify_raw(const struct oci_public_key *k, const void *data, size_t len,
                        const unsigned char *sig, size_t sig_len);
/* The body of the first PEM block of type TYPE (or any of TYPES, NULL-
 * terminated), base64-decoded.  *found_type says which.  NULL with error. */
unsigned char *oci__pem_decode(const char *text, size_t len, const char *const *types,
                               const char **found_type, size_t *out_len);
char *oci__pem_encode(const char *type, const unsigned char *der, size_t len);
/* cosign's encrypted-key JSON (scrypt + nacl/secretbox) around PLAIN. */
char *oci__cosign_encrypt(const unsigned char *plain, size_t len, const char *password);
/* And back; NULL with error (wrong password included). */
unsigned char *oci__cosign_decrypt(const char *json, size_t json_len, const char *password,
                                   size_t *out_len);

/* ---- sigformat.c ---- */
/* The first key of object O not in ALLOWED (NULL-terminated), or NULL. */
const char *oci__json_unknown_key(json_t *o, const char *const *allowed);
/* The simple-signing payload cosign and skopeo write.  malloc'ed. */
char *oci__simplesigning_build(const char *docker_reference, const char *manifest_digest,
                               size_t *len);
struct simplesigning {
    char digest[OCI_DIGEST_SIZE];
    char *docker_reference;
};
/* Strict: critical.type, .image.docker-manifest-digest, .identity.docker-
 * reference present and well-formed, nothing else in `critical`. */
int oci__simplesigning_parse(const char *data, size_t len, struct simplesigning *out);
void oci__simplesigning_free(struct simplesigning *s);

/* The config blob of a cosign signature manifest (an image config whose
 * rootfs lists the payload digests). */
char *oci__sigmanifest_config(const char *const *payload_digests, size_t n, size_t *len);

/* One signature layer of a cosign signature manifest. */
struct sig_layer {
    char digest[OCI_DIGEST_SIZE]; /* of the payload blob */
    uint64_t size;
    char *signature; /* base64, from the annotation; NULL if absent */
};
struct sigmanifest {
    struct sig_layer *layers;
    size_t n;
    json_t *root; /* the whole manifest, for re-signing */
};
/* Read the simple-signing layers of a signature manifest (other layers are
 * ignored; more than MAX_SIGNATURES is refused). */
int oci__sigmanifest_parse(const char *data, size_t len, struct sigmanifest *out);
void oci__sigmanifest_free(struct sigmanifest *s);
/* A signature manifest with LAYERS (config digest/size given). */
char *oci__sigmanifest_build(const struct sig_layer *layers, size_t n, const char *config_digest,
                             uint64_t config_size, size_t *len);

/* Sigstore bundle v0.3 with a DSSE envelope over an in-toto statement. */
char *oci__intoto_statement_build(const char *name, const char *manifest_digest, size_t *len);
/* The DSSE pre-authentication encoding (what is signed). */
char *oci__dsse_pae(const char *payload_type, const char *payload, size_t payload_len, size_t *len);
char *oci__bundle_build(const struct oci_signing_key *k, const char *name,
                        const char *manifest_digest, size_t *len);
struct bundle {
    char *payload_type;
    char *payload; /* decoded statement */
    size_t payload_len;
    char **sigs; /* base64 DSSE signatures */
    size_t n_sigs;
    char digest[OCI_DIGEST_SIZE]; /* from the statement's subject */
    char *name;                   /* subject name */
};
int oci__bundle_parse(const char *data, size_t len, struct bundle *out);
void oci__bundle_free(struct bundle *b);
/* A referrer manifest for a bundle blob (subject = the signed manifest). */
char *oci__bundle_manifest_build(const char *bundle_digest, uint64_t bundle_size,
                                 const char *subject_digest, const char *subject_media_type,
                                 uint64_t subject_size, int64_t created, size_t *len);

/* ---- policy.c ---- */
enum identity_kind {
    ID_MATCH_REPO_DIGEST_OR_EXACT,
    ID_MATCH_REPOSITORY,
    ID_MATCH_EXACT,
    ID_EXACT_REFERENCE,
    ID_EXACT_REPOSITORY,
    ID_REMAP_IDENTITY,
};
struct signed_identity {
    enum identity_kind kind;
    char *value; /* dockerReference / dockerRepository / prefix */
    char *signed_prefix;
};
enum requirement_kind { REQ_ACCEPT_ANYTHING, REQ_REJECT, REQ_SIGSTORE_SIGNED };
struct requirement {
    enum requirement_kind kind;
    struct oci_public_key **keys;
    size_t n_keys;
    struct signed_identity identity;
};
struct requirements {
    char *scope; /* "" for the default */
    struct requirement *reqs;
    size_t n;
};
struct oci_policy {
    struct requirements deflt;
    struct requirements *scopes; /* transports.docker */
    size_t n_scopes;
    struct requirements *docker_default;         /* transports.docker[""], or NULL */
    struct oci_policy_module_rules module_rules; /* "wasmBpf"; its lists owned */
};
/* The requirements that apply to REF (canonical "registry/repo:tag" or "@digest"). */
const struct requirements *oci__policy_requirements_for(const struct oci_policy *p,
                                                        const struct oci_ref *ref);
/* Does a signature's docker-reference satisfy the identity rule for the
 * image reference REF?  *why says what did not match. */
bool oci__identity_matches(const struct signed_identity *id, const struct oci_ref *image,
                           const char *signed_ref, const char **why);
const char *oci__identity_kind_name(enum identity_kind k);

/* ---- sign.c ---- */
/* The policy check on an open registry session (pull uses it with the
 * digest it is about to download; ALT_DIGEST: the index it came through,
 * whose signature covers it too, or NULL).  0 accepted, -1 with an error
 * naming reference, digest and the failed requirement. */
int oci__policy_check_session(struct registry *r, const struct oci_policy *p,
                              const struct oci_ref *ref, const char *digest, const char *alt_digest,
                              struct oci_verification *v);

#endif
