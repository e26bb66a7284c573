/* oci_internal.h: what the files of the OCI client share.  Private to
 * src/oci; the public API is include/oci.h.
 *
 *   error.c     the last error and its hint
 *   util.c      small string and file helpers
 *   ref.c       references (docker rules, plus the scheme form)
 *   digest.c    sha256 through OpenSSL EVP, base64
 *   http.c      one HTTP exchange through libcurl: headers, bodies, sinks
 *   registry.c  a session with one registry: auth, retries, redirects, errors
 *   auth.c      WWW-Authenticate challenges and the bearer token flow
 *   creds.c     docker config.json credentials, helpers, login/logout
 *   manifest.c  building and reading manifests and indexes
 *   store.c     the local OCI image layout
 *   progress.c  progress events and status lines, to the caller's callbacks
 *   push.c, pull.c, inspect.c, resolve.c, options.c: the operations
 */
#ifndef WASM_BPF_OCI_INTERNAL_H
#define WASM_BPF_OCI_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "oci.h"
#include "wasm_bpf_base.h"

/* ---- libs.c: libcurl and libcrypto, opened on first use ----
 * Every function of theirs that we call is listed here; the names below
 * are redirected to the table (members p_NAME), so the code reads as plain
 * libcurl and OpenSSL.  The struct must come before the redirections.  Each public operation that reaches them calls oci_libs_load()
 * first (see libs.c for why). */
/* clang-format off */
#define OCI_CURL_FUNCTIONS(X, h, lib)                                              \
    X(h, lib, curl_global_init) X(h, lib, curl_easy_init) X(h, lib, curl_easy_setopt) \
    X(h, lib, curl_easy_perform) X(h, lib, curl_easy_getinfo) X(h, lib, curl_easy_reset) \
    X(h, lib, curl_easy_cleanup) X(h, lib, curl_easy_strerror) X(h, lib, curl_easy_escape) \
    X(h, lib, curl_free) X(h, lib, curl_slist_append) X(h, lib, curl_slist_free_all)   \
    X(h, lib, curl_url) X(h, lib, curl_url_set) X(h, lib, curl_url_get)               \
    X(h, lib, curl_url_cleanup) X(h, lib, curl_getdate)
#define OCI_CRYPTO_FUNCTIONS(X, h, lib)                                            \
    X(h, lib, EVP_MD_CTX_new) X(h, lib, EVP_MD_CTX_free) X(h, lib, EVP_DigestInit_ex) \
    X(h, lib, EVP_DigestUpdate) X(h, lib, EVP_DigestFinal_ex) X(h, lib, EVP_sha256)   \
    X(h, lib, EVP_EncodeBlock) X(h, lib, EVP_DecodeBlock)                          \
    X(h, lib, OSSL_LIB_CTX_get0_global_default)
/* clang-format on */

/* For the lists, here and in trust_internal.h: a table's member for one
 * function, and its binding (in a function that returns -1 when it fails,
 * after `#define OCI_LIB_TABLE the_table`) */
#define OCI_LIB_SLOT(h, lib, fn) __typeof__(fn) *p_##fn;
#define OCI_LIB_BIND(h, lib, fn)                                    \
    if (oci__lib_bind(h, lib, #fn, (void **)&OCI_LIB_TABLE.p_##fn)) \
        return -1;
/* The SONAME of Debian's libssl3, opened by libs.c and trust_libs.c */
#define OCI_LIBCRYPTO "libcrypto.so.3"

struct oci_libs {
    OCI_CURL_FUNCTIONS(OCI_LIB_SLOT, , )
    OCI_CRYPTO_FUNCTIONS(OCI_LIB_SLOT, , )
};
extern struct oci_libs oci_libs;
/* 0, or -1 with the error (and a hint) set. */
int oci_libs_load(void);
/* dlopen NAME (a hint names what needs it: "registry operations need the
 * packages ..."), and bind one symbol of it; 0, or -1 with the error set.
 * For the libraries trust_libs.c opens too. */
int oci__lib_open(const char *name, const char *needed_by, void **handle);
int oci__lib_bind(void *handle, const char *lib, const char *name, void **slot);

/* curl.h wraps curl_easy_setopt/getinfo in type-checking macros.  The one
 * of curl_easy_setopt stays: it ends in a call of the function by name,
 * which libs.c defines (forwarding to libcurl's), so every option's value
 * is still checked against the option's type at compile time. */
#undef curl_easy_getinfo
#define curl_global_init                 (*oci_libs.p_curl_global_init)
#define curl_easy_init                   (*oci_libs.p_curl_easy_init)
#define curl_easy_perform                (*oci_libs.p_curl_easy_perform)
#define curl_easy_getinfo                (*oci_libs.p_curl_easy_getinfo)
#define curl_easy_reset                  (*oci_libs.p_curl_easy_reset)
#define curl_easy_cleanup                (*oci_libs.p_curl_easy_cleanup)
#define curl_easy_strerror               (*oci_libs.p_curl_easy_strerror)
#define curl_easy_escape                 (*oci_libs.p_curl_easy_escape)
#define curl_free                        (*oci_libs.p_curl_free)
#define curl_slist_append                (*oci_libs.p_curl_slist_append)
#define curl_slist_free_all              (*oci_libs.p_curl_slist_free_all)
#define curl_url                         (*oci_libs.p_curl_url)
#define curl_url_set                     (*oci_libs.p_curl_url_set)
#define curl_url_get                     (*oci_libs.p_curl_url_get)
#define curl_url_cleanup                 (*oci_libs.p_curl_url_cleanup)
#define curl_getdate                     (*oci_libs.p_curl_getdate)
#define EVP_MD_CTX_new                   (*oci_libs.p_EVP_MD_CTX_new)
#define EVP_MD_CTX_free                  (*oci_libs.p_EVP_MD_CTX_free)
#define EVP_DigestInit_ex                (*oci_libs.p_EVP_DigestInit_ex)
#define EVP_DigestUpdate                 (*oci_libs.p_EVP_DigestUpdate)
#define EVP_DigestFinal_ex               (*oci_libs.p_EVP_DigestFinal_ex)
#define EVP_sha256                       (*oci_libs.p_EVP_sha256)
#define EVP_EncodeBlock                  (*oci_libs.p_EVP_EncodeBlock)
#define EVP_DecodeBlock                  (*oci_libs.p_EVP_DecodeBlock)
#define OSSL_LIB_CTX_get0_global_default (*oci_libs.p_OSSL_LIB_CTX_get0_global_default)

/* ---- media types and annotations ---- */
#define MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_EMPTY       "application/vnd.oci.empty.v1+json"
#define MT_WASM_CONFIG_V1  "application/vnd.wasm.config.v1+json"
#define MT_WASM_LAYER_V1   "application/vnd.wasm.content.layer.v1+wasm"
#define MT_WASM_CONFIG_V0  "application/vnd.wasm.config.v0+json"
#define MT_WASM            "application/wasm"
#define ANN_TITLE          "org.opencontainers.image.title"
#define ANN_REF_NAME       "org.opencontainers.image.ref.name"
#define ANN_CREATED        "org.opencontainers.image.created"

/* The blob `{}`: the config of ecli/wasm-to-oci modules and OCI's empty
 * descriptor.  Its content is known from its digest: never downloaded. */
#define EMPTY_JSON_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

/* The Accept header for manifest requests: every type we can read. */
#define MANIFEST_ACCEPT \
    MT_OCI_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_MANIFEST ", " MT_DOCKER_LIST

/* Limits on what a registry may send us. */
#define MAX_MANIFEST_SIZE (4u << 20) /* as oras-go */
#define MAX_CONFIG_SIZE   (4u << 20)
#define MAX_ERROR_BODY    (64u << 10) /* kept from non-2xx responses */
#define MAX_TOKEN_BODY    (1u << 20)
#define MAX_MODULE_SIZE   (UINT64_C(1) << 40)

/* ---- error.c ---- */
/* Every public operation starts with OCI_ERROR_SCOPE(o): errors go to
 * o->error (cleared) until the operation returns, however it returns (the
 * caller's object is not used after that). */
void oci_error_bind(const struct oci_options *o);
void oci_error_unbind(int *scope);
#define OCI_ERROR_SCOPE(o) \
    __attribute__((cleanup(oci_error_unbind), unused)) int oci_error_scope_ = (oci_error_bind(o), 0)
/* The error being written (for tests and the few who read it back). */
const struct oci_error *oci_error_current(void);
/* Set the error message (replacing any previous one and its hint); returns -1. */
int oci_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* oci_fail("out of memory"): the library's one out-of-memory message. */
int oci_fail_nomem(void);
/* Set the hint of the current error: text only... */
/* One line through base_print: prefix, the formatted text, a newline. */
void oci__vprint_line(enum wasm_bpf_print_level level, const char *prefix, const char *fmt,
                      va_list ap) __attribute__((format(printf, 3, 0)));
void oci_set_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ...or text followed by an action the caller words (enum oci_hint). */
void oci_set_hint_action(enum oci_hint action, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Put "CONTEXT: " in front of the current message. */
void oci_error_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void oci_error_clear(void);
/* A warning through the print callback (never suppressed by quiet). */
void oci_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- util.c ----
 * Memory and growable buffers are the base part's (wasm_bpf_base.h): NULL
 * or -ENOMEM on out of memory, turned into the error "out of memory"
 * (oci_fail_nomem()) and a failure of the operation. */
bool oci__str_starts_with(const char *s, const char *prefix);
bool oci__str_ends_with(const char *s, const char *suffix);
bool oci__is_loopback_host(const char *host_port); /* localhost, 127.0.0.0/8, ::1 */
/* A printable excerpt of untrusted text (first line, at most max chars)
 * in out; returns out. */
#define EXCERPT_SIZE 304
char *oci__text_excerpt(char out[EXCERPT_SIZE], const char *s, size_t len, size_t max);
/* Write a file atomically: temp file in the same directory, fsync, rename,
 * fsync the directory. */
int oci__write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* mkdir -p */
int oci__mkdir_p(const char *path, mode_t mode);
int oci__fsync_dir(const char *dir);
double oci__now_seconds(void);
void oci__sleep_seconds(double s);

/* ---- ref.c ---- */
enum ref_scheme { SCHEME_DEFAULT, SCHEME_HTTPS, SCHEME_HTTP };

struct oci_ref {
    char *registry;   /* "docker.io", "ghcr.io", "127.0.0.1:5000" */
    char *repository; /* "library/alpine", "org/prog" */
    char *tag;        /* NULL if only a digest was given */
    char *digest;     /* "sha256:..." or NULL */
    enum ref_scheme scheme;
};
/* Parse; on error -1 with a message saying what is wrong. */
int oci__ref_parse(const char *text, struct oci_ref *ref);
/* The first steps of an entry point that takes a reference: the libraries
 * (oci_libs_load), then oci__ref_parse.  0, or -1 with the error set. */
int oci__enter_ref(const char *text, struct oci_ref *ref);
void oci__ref_free(struct oci_ref *ref);
/* "registry/repository:tag", "...@digest", or both, in out (a parsed
 * reference is at most 4096 characters, so it fits); returns out. */
#define REF_STRING_SIZE 4400
char *oci__ref_string(const struct oci_ref *ref, char out[REF_STRING_SIZE]);
/* "registry/repository", the same way */
char *oci__ref_repo_string(const struct oci_ref *ref, char out[REF_STRING_SIZE]);
/* The tag or digest to ask the registry for (digest wins). */
const char *oci__ref_object(const struct oci_ref *ref);
/* The host[:port] the API lives on (docker.io is registry-1.docker.io). */
const char *oci__registry_api_host(const char *registry);
bool oci__digest_valid(const char *d); /* sha256:64 lowercase hex */
bool oci__repository_valid(const char *r);
bool oci__tag_valid(const char *t);

/* ---- digest.c ---- */
struct sha256 {
    EVP_MD_CTX *ctx;
};
/* 0, or -1 with the error set (libcrypto missing, out of memory). */
int oci__sha256_init(struct sha256 *h);
void oci__sha256_update(struct sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" and frees the context. */
void oci__sha256_final(struct sha256 *h, char out[OCI_DIGEST_SIZE]);
void oci__sha256_free(struct sha256 *h);
int oci__sha256_bytes(const void *data, size_t len, char out[OCI_DIGEST_SIZE]);
/* Hash a file by streaming it; size in *size.  -1 (message) on read error. */
int oci__sha256_file(const char *path, char out[OCI_DIGEST_SIZE], uint64_t *size);
char *oci__base64_encode(const void *data, size_t len); /* NULL: out of memory */
/* Decode; NULL if not base64 (or out of memory).  Result is NUL-terminated,
 * length in *len. */
char *oci__base64_decode(const char *text, size_t *len);

/* ---- progress.c ---- */
struct progress {
    char label[24];   /* short digest */
    const char *verb; /* "Downloading" */
    uint64_t total;
    uint64_t done;
    bool quiet;
};
void oci__progress_start(struct progress *p, const char *verb, const char *digest, uint64_t total,
                         bool quiet);
void oci__progress_add(struct progress *p, uint64_t n);
void oci__progress_reset(struct progress *p);
/* It ended well, with this status ("Downloaded")... */
void oci__progress_finish(struct progress *p, const char *status);
/* ...or not (the error says why). */
void oci__progress_fail(struct progress *p);
/* A status line through the print callback unless quiet. */
void oci__status_line(bool quiet, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- http.c ---- */
/* Where a request body comes from: memory, or a range of a file. */
struct http_upload {
    const char *data;
    int fd;          /* >= 0: read from this file instead of data */
    uint64_t offset; /* of the file range */
    uint64_t size;   /* bytes to send */
    uint64_t pos;    /* bytes sent so far */
    int read_errno;  /* a read(2) error */
    struct progress *progress;
};

/* Where a 2xx response body goes: memory or a file, with a size limit,
 * optionally hashed.  Non-2xx bodies always go to the response's body. */
struct http_sink {
    int fd;         /* >= 0: write to this file; else to mem */
    uint64_t limit; /* more than this many bytes fails the transfer */
    struct base_buf mem;
    struct sha256 hash;
    bool hashing;
    bool hash_failed; /* oci__sha256_init failed (error set): the transfer must not start */
    uint64_t written;
    bool overflow;   /* the server sent more than limit */
    int write_errno; /* a write(2) error */
    struct progress *progress;
};
void oci__http_sink_init_memory(struct http_sink *s, uint64_t limit);
void oci__http_sink_init_file(struct http_sink *s, int fd, uint64_t limit, bool hashing,
                              struct progress *p);
int oci__http_sink_reset(struct http_sink *s);
void oci__http_sink_free(struct http_sink *s);

struct http_response {
    long status;
    char *location;
    char *content_type;
    char *docker_digest; /* Docker-Content-Digest */
    char *www_authenticate;
    char *retry_after;
    char *link;
    int64_t content_length; /* -1 if absent */
    struct base_buf body;   /* non-2xx bodies, and 2xx bodies without a sink */
    bool body_truncated;
    bool out_of_memory; /* a header or the body could not be kept */
    CURLcode code;      /* transport result */
    char errbuf[CURL_ERROR_SIZE];
};
void oci__http_response_clear(struct http_response *r);

struct http_request {
    const char *method;
    const char *url;
    struct curl_slist *headers;
    struct http_upload *upload; /* NULL: no body (POST/PUT send Content-Length: 0) */
    struct http_sink *sink;     /* NULL: body into response.body (limited) */
};

struct http {
    CURL *curl;
    bool insecure;
    const char *ca_file;
};
int oci__http_init(struct http *h, const struct oci_options *o);
void oci__http_cleanup(struct http *h);
/* One exchange, no redirects followed.  0 when a response came back (any
 * status), -1 on a transport error (resp->code, resp->errbuf). */
int oci__http_perform(struct http *h, const struct http_request *rq, struct http_response *resp);
/* Resolve a (possibly relative) Location against base.  NULL if invalid or
 * not http(s). */
char *oci__url_resolve(const char *base, const char *location);
/* scheme://host:port of a URL, with the default port made explicit ("" if
 * it has none; NULL: out of memory). */
char *oci__url_origin(const char *url);
char *oci__url_escape(const char *s); /* NULL: out of memory */
/* Whether a transport error is worth retrying. */
bool oci__http_error_retryable(CURLcode code);

/* ---- auth.c / creds.c ---- */
struct challenge {
    enum { CHALLENGE_NONE, CHALLENGE_BASIC, CHALLENGE_BEARER } kind;
    char *realm;
    char *service;
    char *scope;
    char *error;
};
/* Parse a WWW-Authenticate value.  0 if a Basic or Bearer challenge was found. */
int oci__challenge_parse(const char *header, struct challenge *c);
void oci__challenge_free(struct challenge *c);

struct credentials {
    char *username;
    char *password;
    char *identity_token; /* refresh token for the token server */
    char *registry_token; /* bearer token to send as is */
    char *source;         /* where they came from, for messages */
};
void oci__credentials_free(struct credentials *c);
/* Look up credentials for a registry (docker config: credHelpers, credsStore,
 * auths).  1 found, 0 none (helper failures are warnings). */
int oci__credentials_find(const char *registry, struct credentials *c);
char *oci__docker_config_path(void);

/* ---- registry.c ---- */
struct token {
    char *scope;
    char *value;
    double expires;
};

struct registry {
    struct http http;
    const struct oci_options *o;
    char *registry; /* name as in references */
    char *host;     /* API host[:port] */
    char *base;     /* scheme://host[:port] */
    bool plain_http;
    /* auth state, learnt from the first challenge */
    enum { AUTH_ANONYMOUS, AUTH_BASIC, AUTH_BEARER } auth;
    char *realm;
    char *service;
    int creds_state; /* 0 not looked up, 1 found, -1 none */
    struct credentials creds;
    struct token tokens[8];
    size_t n_tokens;
    char *last_challenge_error; /* e.g. "insufficient_scope" */
    bool refused_credentials;   /* the registry or token server said no to them */
};

/* A registry call; the registry session adds auth, retries and redirects. */
struct reg_call {
    const char *method;
    const char *url;   /* absolute, or a path ("/v2/...") under base */
    const char *scope; /* "repository:NAME:pull[,push]" or NULL */
    const char *accept;
    const char *content_type;
    const char *extra_header; /* one more "Name: value" line, or NULL */
    struct http_upload *upload;
    struct http_sink *sink;
    bool follow_redirects; /* GET/HEAD of blobs */
    bool no_retry;         /* upload session steps: retried as a whole */
};

int oci__registry_open(struct registry *r, const char *registry, enum ref_scheme scheme,
                       const struct oci_options *o);
void oci__registry_close(struct registry *r);
/* 0 when a final response came back (check resp->status), -1 with error. */
int oci__registry_call(struct registry *r, const struct reg_call *call, struct http_response *resp);
/* Turn an unexpected response into the current error: the registry's JSON
 * error code and message, the HTTP status, and a hint.  Returns -1. */
int oci__registry_fail(struct registry *r, const struct http_response *resp, const char *what,
                       const char *scope_actions, const char *repository);
/* Fail for a transport error with a hint (TLS, plain HTTP, refused). */
int oci__registry_transport_fail(struct registry *r, const struct http_response *resp,
                                 const char *what);
/* "repository:NAME:ACTIONS" in out (names are bounded: see oci__ref_string). */
#define SCOPE_SIZE (REF_STRING_SIZE + 64)
char *oci__scope_for(char out[SCOPE_SIZE], const char *repository, const char *actions);
/* A registry API path ("/v2/NAME/blobs/DIGEST") formatted into out; -1
 * with the error set if it does not fit (it always does for valid names). */
#define API_PATH_SIZE (REF_STRING_SIZE + 256)
int oci__api_path(char out[API_PATH_SIZE], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Ping /v2/ and authenticate as a login would; 0 if the credentials work. */
int oci__registry_check_login(struct registry *r);

/* auth.c: the part of the session that deals with credentials. */
/* Authorization header value for a request with this scope, or NULL. */
char *oci__auth_header_for(struct registry *r, const char *scope);
/* React to a 401: 1 = retry with new auth, 0 = nothing more to try,
 * -1 = error set (token server failure). */
int oci__auth_handle_challenge(struct registry *r, const char *www_authenticate, const char *scope,
                               bool had_auth);
void oci__auth_free(struct registry *r);

/* ---- manifest.c ---- */
struct descriptor {
    const char *media_type; /* points into the JSON */
    char digest[OCI_DIGEST_SIZE];
    uint64_t size;
    const char *title; /* org.opencontainers.image.title, or NULL */
    const char *artifact_type;
    const char *os, *arch, *variant; /* platform, in indexes */
};

struct manifest {
    json_t *root;
    bool is_index;
    const char *media_type; /* declared or from Content-Type */
    const char *artifact_type;
    struct descriptor config;
    struct descriptor *layers; /* or the index's manifests */
    size_t n_layers;
};
/* Parse and check a manifest or index.  content_type may be NULL. */
int oci__manifest_parse(const char *data, size_t len, const char *content_type, struct manifest *m);
void oci__manifest_free(struct manifest *m);
/* The layer holding the module, or -1 (error set). */
int oci__manifest_module_layer(const struct manifest *m);
enum oci_format oci__manifest_format(const struct manifest *m);
/* Choose an entry of an index: platform (OS/ARCH) if given, else wasm,
 * then linux/<host arch>, then a lone entry.  -1 with error if none. */
int oci__index_select(const struct manifest *idx, const char *platform);
/* Build the manifest and config of a push.  Returns 0 and malloc'ed texts. */
struct push_blobs {
    char *config;
    size_t config_len;
    const char *config_media_type;
    char config_digest[OCI_DIGEST_SIZE];
    char *manifest;
    size_t manifest_len;
    char manifest_digest[OCI_DIGEST_SIZE];
};
int oci__manifest_build(const struct oci_push_options *po, const char *module_title,
                        const char *module_digest, uint64_t module_size, int64_t created,
                        struct push_blobs *out);
void oci__push_blobs_free(struct push_blobs *b);

/* ---- store.c ---- */
struct store {
    char *root;
    bool exists;
    int gc_lock_fd; /* shared while pulling, exclusive while collecting */
};
/* Open the store; with `create` make it (and its layout files) if absent.
 * Without `create`, a missing store is not an error: s->root is set and
 * s->exists is false. */
int oci__store_open(struct store *s, const struct oci_options *o, bool create);
/* The first steps of an entry point on an existing store: the libraries,
 * then oci__store_open without creating it. */
int oci__enter_store(struct store *s, const struct oci_options *o);
void oci__store_close(struct store *s);
/* A store's path (blobs/sha256/HEX ...): fits, see oci__store_open(). */
#define STORE_PATH_SIZE 4096
char *oci__store_blob_path(const struct store *s, const char *digest, char out[STORE_PATH_SIZE]);
/* Whether a blob is present with this size. */
bool oci__store_has_blob(const struct store *s, const char *digest, uint64_t size);

/* A blob being written: temp file under ingest/, hashed while written. */
struct ingest {
    int fd;
    char *tmp_path;
    char digest[OCI_DIGEST_SIZE];
    uint64_t size;
};
int oci__ingest_begin(struct store *s, const char *digest, uint64_t size, struct ingest *in);
/* Check size and digest (computed by the caller while writing), fsync,
 * rename into blobs/.  Closes and frees `in` in every case.  The directory
 * is fsync'ed by oci__store_sync_blobs() (oci__store_tag() calls it). */
int oci__ingest_commit(struct store *s, struct ingest *in, const char *computed_digest,
                       uint64_t written);
void oci__ingest_discard(struct ingest *in);
/* Store bytes already in memory under their digest. */
int oci__store_put_bytes(struct store *s, const void *data, size_t len, const char *digest);
/* Read a stored blob (small ones: manifests, configs). */
char *oci__store_read_blob(const struct store *s, const char *digest, size_t max, size_t *len);

void oci__store_sync_blobs(struct store *s);
int oci__store_lock_gc(struct store *s, bool exclusive);
/* oci__store_lock_gc(s, false) for a pull, which first clears ingest/ if no
 * other pull or rmi runs (what a killed pull left). */
int oci__store_lock_pull(struct store *s);
/* Exclusive lock on the download of one blob (waits for another pull
 * downloading it): an fd for oci__store_unlock_blob, or -1 with the error. */
int oci__store_lock_blob(struct store *s, const char *digest);
void oci__store_unlock_blob(struct store *s, const char *digest, int fd, bool stored);
/* Check a stored blob's content against its digest before its bytes are
 * used, unless ROOT/verified says this very file (inode, size, mtime) was
 * found intact before.  0, or -1 with the error. */
int oci__store_verify_blob(struct store *s, const char *digest);
void oci__store_unlock_gc(struct store *s);
/* Record REF -> manifest descriptor in index.json (atomic, locked). */
int oci__store_tag(struct store *s, const char *ref, const char *media_type, const char *digest,
                   uint64_t size);
/* The manifest digest stored for REF, or false. */
bool oci__store_lookup(const struct store *s, const char *ref, char digest[OCI_DIGEST_SIZE]);
/* index.json, parsed (an empty index if absent).  NULL with error if corrupt. */
json_t *oci__store_read_index(const struct store *s);

/* ---- pull.c (used by resolve.c, inspect.c and sign.c) ---- */
/* A GET of a small object (a manifest, a signature's blob) into memory */
struct small_get {
    struct reg_call call; /* its sink is oci__registry_get_small's */
    const char *repository;
    const char *what;     /* names it in errors: "blob sha256:..." */
    const char *expected; /* the digest the content must have, or NULL (a tag) */
    uint64_t max;         /* bytes; more is refused */
    bool absent_ok;       /* 404: NULL without an error (resp->status says so) */
};
/* The content, hashed into COMPUTED and checked against g->expected and
 * Docker-Content-Digest: malloc'ed bytes ("" when empty) and *LEN, or NULL
 * with the error set.  RESP is the caller's to clear. */
char *oci__registry_get_small(struct registry *r, const struct small_get *g,
                              struct http_response *resp, size_t *len,
                              char computed[OCI_DIGEST_SIZE]);
/* A manifest by tag or digest, through oci__registry_get_small */
char *oci__get_manifest(struct registry *r, const char *repository, const char *object,
                        bool absent_ok, struct http_response *resp, size_t *len,
                        char digest[OCI_DIGEST_SIZE]);
/* Fetch a manifest by tag or digest: verified against the digest asked
 * for and Docker-Content-Digest.  Returns malloc'ed bytes. */
char *oci__fetch_manifest(struct registry *r, const char *repository, const char *object,
                          size_t *len, char digest[OCI_DIGEST_SIZE], char **content_type);
/* Resolve REF to an image manifest (through an index if needed).  On
 * success *raw / *m describe the chosen manifest; *index_raw the index if any. */
struct resolved {
    char *raw;
    size_t len;
    char digest[OCI_DIGEST_SIZE];
    struct manifest m;
    char *index_raw;
    size_t index_len;
    char index_digest[OCI_DIGEST_SIZE];
};
int oci__resolve_manifest(struct registry *r, const struct oci_ref *ref, const char *platform,
                          struct resolved *out);
void oci__resolved_free(struct resolved *res);
/* The stored image for REF: its manifest, and the module layer's path. */
/* 0 found, 1 absent, -1 error. */
int oci__store_find_module(struct store *s, const struct oci_ref *ref, struct oci_pull_result *out);
int oci__pull_ref(const struct oci_ref *ref, const char *output_path, const struct oci_options *o,
                  struct oci_pull_result *result);
/* ---- sign.c (used by pull.c and resolve.c) ---- */
/* When o->policy is set: check the manifest DIGEST of REF (and ALT_DIGEST,
 * the index it came through, or NULL) on the open session.  0, or -1
 * with the error naming reference, digest and the failed requirement. */
int oci__trust_check_pull(struct registry *r, const struct oci_options *o,
                          const struct oci_ref *ref, const char *digest, const char *alt_digest);
/* The same for a module found in the store (opens a session if needed). */
int oci__trust_check_stored(const struct oci_options *o, const struct oci_ref *ref,
                            const char *digest);

/* ---- push.c (used by sign.c) ---- */
/* Upload a small in-memory blob unless the registry has it. */
int oci__push_bytes(struct registry *r, const char *repository, const void *data, size_t len,
                    const char *digest);
/* Copy a file to -o dst as cp does (base_output_open): replaced whole when
 * dst is a regular file or missing, else written in place. */
int oci__copy_to_output(const char *src, const char *dst, mode_t mode);

#endif
