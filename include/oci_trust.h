/* oci_trust.h: signed modules and the operator's trust policy.
 *
 * Signatures are Sigstore/cosign key-based signatures, so that keys,
 * registries and verifiers of that ecosystem work with wasm-bpf modules:
 *
 *   - a signature manifest under the tag `sha256-<hex>.sig` of the signed
 *     manifest's digest, in the same repository; each layer of media type
 *     application/vnd.dev.cosign.simplesigning.v1+json holds a simple-signing
 *     payload naming the digest, and the layer annotation
 *     dev.cosignproject.cosign/signature its base64 ECDSA P-256/SHA-256
 *     signature (what cosign before v3 and skopeo write and read);
 *   - a Sigstore bundle (application/vnd.dev.sigstore.bundle.v0.3+json: a DSSE
 *     envelope over an in-toto statement naming the digest) attached as an
 *     OCI referrer, found through GET /v2/<name>/referrers/<digest> or the
 *     `sha256-<hex>` index tag on registries without that API (what cosign v3
 *     writes by default).
 *
 * A valid signature by any trusted key in either format is enough.  Keys:
 * public keys as PEM (`PUBLIC KEY`, PKIX), private keys in cosign's
 * encrypted format (scrypt + nacl/secretbox, `ENCRYPTED COSIGN PRIVATE KEY`
 * or `ENCRYPTED SIGSTORE PRIVATE KEY`).  Keyless signing (Fulcio/Rekor) is
 * not supported: it needs a trust root air-gapped machines cannot fetch.
 *
 * The policy is containers-policy.json, as podman and CRI-O read it: see
 * oci_policy_parse().
 *
 * Errors are reported like the rest of the OCI client (oci.h): -1 or NULL,
 * and the failure described in the caller's struct oci_error (o->error, or
 * the `err` argument of calls without options; NULL: not described).
 */
#ifndef WASM_BPF_OCI_TRUST_H
#define WASM_BPF_OCI_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci.h"

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

/* ---- keys ---------------------------------------------------------------- */

struct oci_signing_key; /* a decrypted ECDSA P-256 private key */
struct oci_public_key;  /* an ECDSA P-256 public key */

/* "sha256:" + hex of the SHA-256 of the key's DER (SubjectPublicKeyInfo) */
#define OCI_KEY_FINGERPRINT_SIZE OCI_DIGEST_SIZE

/* Make a new key pair.  The private key comes back as cosign's encrypted
 * PEM (under PASSWORD, which may be empty), the public key as PEM; both
 * malloc'ed, NUL-terminated texts. */
int oci_key_generate(const char *password, char **private_pem, char **public_pem,
                     struct oci_error *err);

/* Decrypt a private key in cosign's format (PEM text of LEN bytes). */
int oci_signing_key_load(const char *pem, size_t len, const char *password,
                         struct oci_signing_key **out, struct oci_error *err);
/* Read a public key (PEM `PUBLIC KEY`). */
int oci_public_key_load(const char *pem, size_t len, struct oci_public_key **out,
                        struct oci_error *err);
/* The same, from a file; the path is named in errors. */
int oci_public_key_load_file(const char *path, struct oci_public_key **out, struct oci_error *err);
/* The public half of a signing key. */
struct oci_public_key *oci_signing_key_public(const struct oci_signing_key *k);
/* PEM text of a public key (malloc'ed). */
char *oci_public_key_pem(const struct oci_public_key *k);
const char *oci_public_key_fingerprint(const struct oci_public_key *k);
void oci_signing_key_free(struct oci_signing_key *k);
void oci_public_key_free(struct oci_public_key *k);

/* ---- signing and verifying in a registry --------------------------------- */

struct oci_sign_options {
    bool bundle;  /* also attach a Sigstore bundle (cosign v3 format) */
    bool replace; /* drop earlier simple-signing signatures */
};

/* Sign the manifest REF names (resolved once to its digest; the signature
 * names that digest and the reference without its digest as identity).
 * The manifest digest signed goes to digest_out. */
int oci_sign(const char *ref, const struct oci_signing_key *key, const struct oci_sign_options *so,
             const struct oci_options *o, char digest_out[OCI_DIGEST_SIZE]);

/* What a successful verification found. */
struct oci_verification {
    char digest[OCI_DIGEST_SIZE]; /* the manifest digest verified */
    char *identity;               /* signed docker-reference, or the bundle subject name */
    char fingerprint[OCI_KEY_FINGERPRINT_SIZE]; /* the key that verified it */
    const char *format;                         /* "simple-signing" or "sigstore-bundle" */
    unsigned n_valid;                           /* valid signatures by trusted keys */
    unsigned n_invalid;                         /* signatures present that did not verify */
};
void oci_verification_free(struct oci_verification *v);

/* ---- policy (containers-policy.json) -------------------------------------- */

struct oci_policy;

/* Parse a policy: {"default": [REQ...], "transports": {"docker": {SCOPE:
 * [REQ...]}}}.  Requirements: {"type": "insecureAcceptAnything"},
 * {"type": "reject"}, {"type": "sigstoreSigned", "keyPath" | "keyPaths" |
 * "keyData" | "keyDatas": ..., "signedIdentity": {...}}.  signedIdentity
 * types: matchRepoDigestOrExact (default), matchRepository, matchExact,
 * exactReference, exactRepository, remapIdentity.  Scopes: "host[:port]/
 * repo:tag" or "@digest", "host/repo", "host/namespace", "host",
 * "*.domain", "" (the transport's default); the most specific one applies.
 * Relative keyPath values are relative to BASE_DIR (the policy file's
 * directory).  Requirements we cannot enforce (signedBy GPG keys, keyless
 * fulcio/rekor) are errors, never silently accepted. */
int oci_policy_parse(const char *json, size_t len, const char *base_dir, struct oci_policy **out,
                     struct oci_error *err);
/* The policy's "wasmBpf" section, wasm-bpf's own (podman has no such
 * member): what modules may load into the kernel, the rules of `run`'s
 * --allow-prog-type, --allow-attach and --allow-helper, for every module
 * whatever its scope (files too):
 *   "wasmBpf": {"allowProgTypes": ["tracepoint", ...],
 *               "allowAttach": ["tp/sched/sched_process_exec", ...],
 *               "allowHelpers": ["bpf_send_signal", ...],
 *               "requireDeclaredPermissions": true}
 * A list left out allows anything; an empty one nothing.  Strings are
 * checked for shape here, the names by the caller (the BPF part knows them). */
struct oci_policy_module_rules {
    bool present;                  /* the policy has the section */
    const char *const *prog_types; /* NULL: any */
    size_t n_prog_types;
    const char *const *attach_targets; /* fnmatch(3) patterns; NULL: any */
    size_t n_attach_targets;
    const char *const *helpers; /* NULL: any */
    size_t n_helpers;
    bool require_declared; /* modules without the permissions annotation are refused */
};
/* The section of P (present false when it has none); owned by P. */
const struct oci_policy_module_rules *oci_policy_module_rules(const struct oci_policy *p);

/* Read a policy file. */
int oci_policy_load(const char *path, struct oci_policy **out, struct oci_error *err);
/* A policy requiring a signature by the key in PUB_PATH for everything
 * (what --verify-key PUB means). */
int oci_policy_for_key(const char *pub_path, struct oci_policy **out, struct oci_error *err);
void oci_policy_free(struct oci_policy *p);

/* The requirements for REF, in words ("reject", "insecureAcceptAnything",
 * "sigstoreSigned by 1 key(s), matchRepoDigestOrExact"), and the scope that
 * chose them ("" = default); for messages and `inspect`. */
int oci_policy_describe(const struct oci_policy *p, const char *ref, char *buf, size_t size);

/* Check that the manifest DIGEST of REF satisfies the policy: every
 * requirement of the scope must hold.  Fetches signatures from the
 * registry when a requirement needs them.  0 if accepted (*v filled when
 * a signature was verified, else v->digest only), -1 with a message naming
 * the reference, the digest and the requirement that failed. */
int oci_policy_check(const struct oci_policy *p, const char *ref, const char *digest,
                     const struct oci_options *o, struct oci_verification *v);

/* Verify REF against KEYS (any one valid signature is enough): what
 * `wasm-bpf verify --key` does.  REF is resolved to its manifest digest
 * first (or used as given if it carries a digest). */
int oci_verify(const char *ref, struct oci_public_key *const *keys, size_t n_keys,
               const struct oci_options *o, struct oci_verification *v);

/* The signatures found for the manifest REF names, as JSON text
 * {"digest": D, "signatures": [{"format", "identity", "digest", "key",
 * "valid"}]}: identity and digest are the signature's claims (unverified
 * unless "key" names the trusted key that verified it; "valid" means
 * verified and naming D).  KEYS may be empty.  malloc'ed, or NULL. */
char *oci_signatures_describe(const char *ref, struct oci_public_key *const *keys, size_t n_keys,
                              const struct oci_options *o);

/* Did the last failed pull or run fail because of the policy (as opposed
 * to the network or the registry)?  `run` and `pull` exit 125 then. */
bool oci_policy_refused(void);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif
