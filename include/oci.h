/* oci.h: the OCI client: push and pull wasm-bpf modules to and from OCI
 * registries, and keep pulled modules in a local content store.
 *
 * References follow docker's rules: [REGISTRY/]REPOSITORY[:TAG][@sha256:HEX],
 * the tag defaulting to `latest`, a first component without `.` or `:` (and
 * not `localhost`) meaning Docker Hub.  The form ecli users type, with a
 * scheme (`https://ghcr.io/org/prog:v1`, `http://127.0.0.1:5000/prog`), is a
 * reference too: the scheme chooses HTTPS or plain HTTP.  Without a scheme
 * the registry is reached over HTTPS, except localhost, 127.0.0.0/8 and ::1
 * (plain HTTP) and `--plain-http`.
 *
 * The store is an OCI image layout (oci-layout, index.json, blobs/sha256/..)
 * under $XDG_CACHE_HOME/wasm-bpf (default ~/.cache/wasm-bpf) or --store DIR.
 * A stored module is the file blobs/sha256/HEX of its layer, so a pulled
 * module is run straight from the store, offline.
 *
 * Errors: every function that can fail returns -1 (or NULL) and writes a
 * message, and often a hint, into the caller's struct oci_error named by
 * oci_options.error (see "errors" below).  Progress of blob transfers goes
 * to the callback set with oci_set_progress(); status lines ("Pulling
 * ...") and warnings go through the library's print callback
 * (wasm_bpf_set_print(), WASM_BPF_INFO and WASM_BPF_WARN); nothing with
 * `quiet` but warnings.  The library never writes to stderr itself.
 *
 * One operation at a time per thread (the store itself is safe for
 * concurrent processes).
 */
#ifndef WASM_BPF_OCI_H
#define WASM_BPF_OCI_H

/* Every name declared here is part of the library's interface (the rest of
 * libwasm-bpf.a is hidden: see the Makefile). */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "sha256:" + 64 hex digits + NUL */
#define OCI_DIGEST_SIZE 72

/* Manifest formats `push --format` writes and `pull` recognises. */
enum oci_format {
    OCI_FORMAT_WASM_BPF, /* ecli / wasm-to-oci: config application/vnd.wasm.config.v1+json,
                            layer application/vnd.wasm.content.layer.v1+wasm (default) */
    OCI_FORMAT_CNCF, /* CNCF TAG-Runtime: config ...wasm.config.v0+json, layer application/wasm */
    OCI_FORMAT_ORAS, /* OCI 1.1 artifact: empty config, artifactType, layer application/wasm */
    OCI_FORMAT_UNKNOWN, /* anything else holding a wasm layer (pull only) */
};
const char *oci_format_name(enum oci_format f);
int oci_format_parse(const char *name, enum oci_format *out); /* 0, or -1 if unknown */

struct oci_policy;

/* ---- errors ------------------------------------------------------------- */

/* What the user can do about a failure, when that is a command or an
 * option of the program using the library (which words them: the library
 * does not know its command line).  hint_arg is the argument named. */
enum oci_hint {
    OCI_HINT_NONE,
    OCI_HINT_LOGIN_AGAIN,  /* log in to hint_arg again */
    OCI_HINT_CREDENTIALS,  /* log in to hint_arg, or give credentials with the call */
    OCI_HINT_PLAIN_HTTP,   /* use plain HTTP for the registry hint_arg */
    OCI_HINT_CA_FILE,      /* give the server's CA, or skip verification */
    OCI_HINT_PLATFORM,     /* choose an entry of the index by platform */
    OCI_HINT_STORE_DIR,    /* use another store directory */
    OCI_HINT_INSPECT,      /* inspect the reference to see what it is */
    OCI_HINT_LIST_TAGS,    /* list the tags of the repository hint_arg */
    OCI_HINT_PULL_FIRST,   /* pull hint_arg first */
    OCI_HINT_LIST_IMAGES,  /* list what the store holds */
    OCI_HINT_SIGN_REPLACE, /* sign again, replacing the signature manifest */
    OCI_HINT_SIGN,         /* sign hint_arg with a key the policy trusts */
};

/* A failure: the message, and a hint made of `hint` (text, which may be all
 * of it) followed by the action `action` (with hint_arg) worded by the
 * caller.  Owned by the caller; every operation clears it first. */
struct oci_error {
    char message[2048];
    char hint[1024];
    enum oci_hint action;
    char hint_arg[512];
};

/* ---- progress ------------------------------------------------------------ */

/* One blob being transferred. */
struct oci_progress {
    const char *label; /* "sha256:" and the first 12 hex digits */
    const char *verb;  /* "Downloading", "Uploading" */
    uint64_t done;
    uint64_t total;     /* 0: unknown (a plain URL) */
    const char *status; /* when it ended: "Downloaded", "Pushed"...; NULL before */
    bool failed;        /* it ended without a status (the error says why) */
};
/* Called when a transfer starts, as bytes move (often: throttle drawing),
 * and once when it ends (status set, or failed).  Not called with `quiet`. */
typedef void (*oci_progress_fn)(const struct oci_progress *p, void *ctx);
/* Set the progress callback (NULL: none, the default). */
void oci_set_progress(oci_progress_fn fn, void *ctx);

/* Options shared by every command that talks to a registry or the store.
 * Zero-initialise, then set what the user gave. */
struct oci_options {
    struct oci_error *error; /* where a failure is described; NULL: nowhere */
    const char *store_dir;   /* NULL: $XDG_CACHE_HOME/wasm-bpf or ~/.cache/wasm-bpf */
    bool insecure;           /* HTTPS without certificate verification */
    bool plain_http;         /* plain HTTP to any registry */
    const char *ca_file;     /* verify servers with the CAs in this PEM file */
    bool quiet;              /* no progress or status output */
    const char *username;    /* explicit credentials (-u, --password-stdin)... */
    const char *password;    /* ...used before the docker config */
    const char *platform;    /* "OS/ARCH" to choose from an image index, or NULL */
    /* Verify what is pulled against this policy (oci_trust.h) before any
     * blob is downloaded; NULL: no verification. */
    const struct oci_policy *policy;
};

/* Checks of option values, for programs that take them from users: 0 (or
 * true) when VALUE may go into the options.  OS/ARCH[/VARIANT] for
 * `platform`; always, missing or never for a pull policy. */
bool oci_platform_valid(const char *platform);

/* Is TEXT a valid reference?  0, or -1 with err (may be NULL) saying what
 * is wrong with it (a usage error: nothing was fetched). */
int oci_ref_check(const char *text, struct oci_error *err);

/* ---- wasm-bpf run REF ---------------------------------------------------- */

enum oci_pull_policy {
    OCI_PULL_MISSING, /* pull unless the store has the reference (default) */
    OCI_PULL_ALWAYS,  /* always ask the registry (cheap when nothing changed) */
    OCI_PULL_NEVER,   /* use the store only: works offline, fails if absent */
};

struct oci_run_options {
    struct oci_options oci;
    enum oci_pull_policy pull;
};

/* The pull policy named NAME (always, missing, never); 0, or -1 if none. */
int oci_pull_policy_parse(const char *name, enum oci_pull_policy *out);

/* A module ready to be read from a local file. */
struct oci_module {
    char *path;                   /* the file to load */
    bool temporary;               /* a download: oci_module_release() deletes it */
    char digest[OCI_DIGEST_SIZE]; /* layer digest for OCI modules, else "" */
    /* OCI modules: the manifest's annotations (a JSON object's text) of the
     * manifest digest that was verified and run; NULL for files and URLs */
    char *annotations;
};

/* Resolve what the user typed after `run` into a local file:
 *   - an existing file is returned as is; something that can only be a path
 *     (starts with `/`, `./`, `../`, or ends in `.wasm`, without a scheme)
 *     and does not exist is an error ("No such file"), not a registry lookup;
 *   - an http:// or https:// URL naming a file (its path ends in `.wasm`,
 *     or it has a query) is downloaded to a temporary file;
 *   - anything else is an OCI reference (with or without a scheme), pulled
 *     into the store according to o->pull, and the stored layer returned.
 * Returns 0, or -1 with ro->oci.error filled in.
 * Release `out` when done with it (after loading the module; a temporary
 * file is deleted then).  A typical cmd_run:
 *
 *     struct oci_module m;
 *     if (oci_resolve_module(argv[i], &ro, &m) < 0) {
 *         ...print err.message (and the hint)...
 *         return 1;
 *     }
 *     ...load m.path...
 *     oci_module_release(&m);
 */
int oci_resolve_module(const char *what, const struct oci_run_options *o, struct oci_module *out);
/* Does WHAT name a local file by the rules above (it exists, or can only be
 * a path)?  Then oci_resolve_module would return it as is, or fail with
 * "No such file"; a caller can read it directly. */
bool oci_is_local_path(const char *what);
void oci_module_release(struct oci_module *m);
/* The digest of DATA as a registry names it ("sha256:" + hex), e.g. of a
 * local module, so that it can be compared with a pulled one's.  0, or -1
 * with o->error filled in (libcrypto cannot be loaded).  o may be NULL. */
int oci_digest_bytes(const void *data, size_t len, const struct oci_options *o,
                     char out[OCI_DIGEST_SIZE]);

/* ---- push / pull -------------------------------------------------------- */

struct oci_annotation {
    const char *key;
    const char *value;
};

struct oci_push_options {
    enum oci_format format;
    const struct oci_annotation *annotations; /* -a KEY=VALUE, in order */
    size_t n_annotations;
    uint64_t chunk_size; /* 0: one PUT; else PATCH chunks of this many bytes */
};

/* Push MODULE_PATH as REF.  Writes the manifest digest into digest_out. */
int oci_push(const char *ref, const char *module_path, const struct oci_push_options *po,
             const struct oci_options *o, char digest_out[OCI_DIGEST_SIZE]);

struct oci_pull_result {
    char manifest_digest[OCI_DIGEST_SIZE];
    char module_digest[OCI_DIGEST_SIZE];
    uint64_t module_size;
    enum oci_format format;
    char *module_path; /* the layer in the store; free() it */
    char *reference;   /* canonical reference; free() it */
};

/* Pull REF into the store.  If output_path is not NULL the module is also
 * copied there (atomically).  `result` may be NULL. */
int oci_pull(const char *ref, const char *output_path, const struct oci_options *o,
             struct oci_pull_result *result);
void oci_pull_result_free(struct oci_pull_result *r);

/* ---- login / logout ----------------------------------------------------- */

/* Normalise what the user typed ("https://host:port/", "docker.io") to the
 * registry name credentials are kept under.  Returns a malloc'ed string. */
char *oci_registry_name(const char *text);

/* Check USER/PASSWORD against REGISTRY, then store them in the docker
 * config ($DOCKER_CONFIG/config.json or ~/.docker/config.json), through a
 * credential helper if the config names one. */
int oci_login(const char *registry, const char *username, const char *password,
              const struct oci_options *o);
/* Remove stored credentials.  Returns 0 if removed, 1 if there were none
 * (-1 with o->error on failure). */
int oci_logout(const char *registry, const struct oci_options *o);

/* ---- the store ---------------------------------------------------------- */

struct oci_image {
    char *reference; /* registry/repository:tag or ...@sha256:.. */
    char manifest_digest[OCI_DIGEST_SIZE];
    char module_digest[OCI_DIGEST_SIZE];
    uint64_t module_size;
    enum oci_format format;
    char *title;       /* org.opencontainers.image.title, or NULL */
    int64_t pulled_at; /* Unix seconds, 0 if unknown */
};

/* The modules in the store, sorted by reference.  *n is set to the count.
 * Free with oci_images_free(). */
int oci_store_list(const struct oci_options *o, struct oci_image **images, size_t *n);
void oci_images_free(struct oci_image *images, size_t n);

/* What oci_store_remove() removed: one entry per reference (NULL for an
 * entry without a name), with its manifest digest; `deleted` when no other
 * reference names that manifest any more, so it went with its blobs. */
struct oci_removed {
    char *reference;
    char manifest_digest[OCI_DIGEST_SIZE];
    bool deleted;
};
void oci_removed_free(struct oci_removed *removed, size_t n);

/* Remove REF (a reference, or a manifest digest prefix as `images` shows
 * it) from the store, then delete blobs nothing refers to any more.
 * Returns 0 with what went in *removed (n in *n_removed; free it with
 * oci_removed_free(); both may be NULL), or -1 (not found or error). */
int oci_store_remove(const char *ref, const struct oci_options *o, struct oci_removed **removed,
                     size_t *n_removed);

/* Give the module SRC (a reference, or a manifest digest prefix) the
 * reference DST too, in the store (nothing is fetched; DST replaces what
 * had that name).  DST must not have a digest.  The manifest digest goes
 * to digest_out if not NULL.  0, or -1 (not found, bad reference, error). */
int oci_store_tag(const char *src, const char *dst, const struct oci_options *o,
                  char digest_out[OCI_DIGEST_SIZE]);

/* Describe REF as JSON (reference, digest, format, manifest, config,
 * module layer, annotations): from the store when it holds REF (unless
 * `remote`), else from the registry without downloading the module.
 * Returns a malloc'ed, pretty-printed JSON text, or NULL. */
char *oci_inspect(const char *ref, bool remote, const struct oci_options *o);

/* The raw manifest bytes of REF, exactly as the registry (or store) has
 * them.  Returns malloc'ed bytes (len in *len), or NULL. */
char *oci_inspect_raw(const char *ref, bool remote, const struct oci_options *o, size_t *len);

/* List the tags of REPO (a reference; a tag or digest is ignored), following
 * the registry's pagination.  page_size 0 lets the registry choose.
 * Calls fn for each tag. */
int oci_list_tags(const char *repo, unsigned page_size, const struct oci_options *o,
                  void (*fn)(const char *tag, void *arg), void *arg);

/* The digest of a file ("sha256:" and 64 hex digits), as a registry would
 * name it as a blob (`wasm-bpf build` keys its vmlinux.h cache with it).
 * 0, or -1 with o->error set. */
int oci_digest_file(const char *path, const struct oci_options *o,
                    char digest_out[OCI_DIGEST_SIZE]);

/* A size as docker prints it ("512B", "14.9kB", "67.1MB"); returns buf. */
const char *oci_human_size(uint64_t n, char buf[32]);

#ifdef __cplusplus
}
#endif

#pragma GCC visibility pop

#endif
