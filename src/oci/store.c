/* store.c: the local store, an OCI image layout.
 *
 *   ROOT/oci-layout          {"imageLayoutVersion":"1.0.0"}
 *   ROOT/index.json          an image index: one descriptor per reference,
 *                            named by org.opencontainers.image.ref.name
 *   ROOT/blobs/sha256/HEX    manifests, configs, modules (read-only files)
 *   ROOT/ingest/             blobs being written
 *   ROOT/gc.lock, index.lock lock files
 *
 * Every blob is written to ingest/ while it is hashed, checked for size and
 * digest, fsync'ed and renamed into blobs/, so a blob is either complete and
 * verified or absent: a killed pull leaves garbage in ingest/ only, which the
 * next pull that finds no other pull or rmi running (gc.lock free) clears.
 * Concurrent pulls of one blob download it once: each takes an exclusive
 * flock on ingest/HEX.lock before downloading (removed once the blob is
 * stored), and whoever comes second finds the blob in place.  index.json is rewritten (temp file + rename)
 * under an exclusive flock on index.lock, so concurrent pulls never lose each
 * other's entries.  Garbage collection (rmi) takes gc.lock exclusively;
 * pulls hold it shared, so it never deletes a blob a pull just wrote and
 * has not yet referenced.
 *
 * A blob is hashed again before `run` uses its bytes (a disk error or a hand
 * edit must not run): ROOT/verified/HEX records the inode, size and mtime
 * of the file found intact, so that an unchanged blob is not hashed again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci_internal.h"

#define LAYOUT_FILE    "{\"imageLayoutVersion\":\"1.0.0\"}"
#define MAX_INDEX_SIZE (64u << 20)

/* NULL with errno ENOENT if neither variable says, ENOMEM if out of memory */
static char *default_store_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/')
        return base_asprintf("%s/wasm-bpf", xdg);
    const char *home = getenv("HOME");
    if (home && *home)
        return base_asprintf("%s/.cache/wasm-bpf", home);
    errno = ENOENT;
    return NULL;
}

/* The store's paths fit in STORE_PATH_SIZE: oci__store_open() refuses a root
 * that leaves too little room (the kernel would refuse the paths anyway). */
#define STORE_ROOT_MAX (STORE_PATH_SIZE - 128)

static char *path_in(const struct store *s, const char *rel, char out[STORE_PATH_SIZE])
{
    snprintf(out, STORE_PATH_SIZE, "%s/%s", s->root, rel);
    return out;
}

int oci__store_open(struct store *s, const struct oci_options *o, bool create)
{
    memset(s, 0, sizeof *s);
    s->gc_lock_fd = -1;
    s->root = o->store_dir ? base_strdup(o->store_dir) : default_store_dir();
    if (!s->root && errno == ENOMEM)
        return oci_fail_nomem();
    if (!s->root) {
        oci_fail("no store directory: neither HOME nor XDG_CACHE_HOME is set");
        oci_set_hint_action(OCI_HINT_STORE_DIR, NULL, "set one, or ");
        return -1;
    }
    if (strlen(s->root) > STORE_ROOT_MAX) {
        oci_fail("the store directory %.64s... is longer than %d bytes", s->root, STORE_ROOT_MAX);
        oci__store_close(s);
        return -1;
    }
    size_t n = strlen(s->root);
    while (n > 1 && s->root[n - 1] == '/')
        s->root[--n] = '\0';

    char layout[STORE_PATH_SIZE], blobs[STORE_PATH_SIZE], ingest[STORE_PATH_SIZE];
    path_in(s, "oci-layout", layout);
    path_in(s, "blobs/sha256", blobs);
    path_in(s, "ingest", ingest);
    struct stat st;
    s->exists = stat(layout, &st) == 0;
    int rc = 0;
    if (!s->exists && create) {
        if (oci__mkdir_p(blobs, 0755) < 0 || oci__mkdir_p(ingest, 0755) < 0) {
            rc = oci_fail("cannot create the store in %s: %s", s->root, strerror(errno));
            oci_set_hint_action(OCI_HINT_STORE_DIR, NULL, "%s", "");
        } else if (oci__write_file_atomic(layout, LAYOUT_FILE, strlen(LAYOUT_FILE), 0644) < 0) {
            rc = -1;
        } else {
            s->exists = true;
        }
    } else if (s->exists && create) {
        /* a layout made by another tool may lack our directories */
        if (oci__mkdir_p(blobs, 0755) < 0 || oci__mkdir_p(ingest, 0755) < 0)
            rc = oci_fail("cannot write to the store in %s: %s", s->root, strerror(errno));
    }
    if (rc == 0 && s->exists) {
        char lock[STORE_PATH_SIZE];
        path_in(s, "gc.lock", lock);
        s->gc_lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (s->gc_lock_fd < 0) /* a read-only store: reading still works */
            s->gc_lock_fd = open(lock, O_RDONLY | O_CLOEXEC);
    }
    if (rc < 0)
        oci__store_close(s);
    return rc;
}

int oci__enter_store(struct store *s, const struct oci_options *o)
{
    if (oci_libs_load() < 0)
        return -1;
    return oci__store_open(s, o, false);
}

void oci__store_close(struct store *s)
{
    if (s->gc_lock_fd >= 0)
        close(s->gc_lock_fd);
    free(s->root);
    memset(s, 0, sizeof *s);
    s->gc_lock_fd = -1;
}

char *oci__store_blob_path(const struct store *s, const char *digest, char out[STORE_PATH_SIZE])
{
    snprintf(out, STORE_PATH_SIZE, "%s/blobs/sha256/%s", s->root, digest + 7);
    return out;
}

bool oci__store_has_blob(const struct store *s, const char *digest, uint64_t size)
{
    char p[STORE_PATH_SIZE];
    struct stat st;
    return stat(oci__store_blob_path(s, digest, p), &st) == 0 && S_ISREG(st.st_mode) &&
           (uint64_t)st.st_size == size;
}

int oci__ingest_begin(struct store *s, const char *digest, uint64_t size, struct ingest *in)
{
    memset(in, 0, sizeof *in);
    in->tmp_path = base_asprintf("%s/ingest/%.16s.%d.XXXXXX", s->root, digest + 7, (int)getpid());
    if (!in->tmp_path) {
        in->fd = -1;
        return oci_fail_nomem();
    }
    in->fd = mkostemp(in->tmp_path, O_CLOEXEC);
    if (in->fd < 0) {
        int e = errno;
        free(in->tmp_path);
        in->tmp_path = NULL;
        return oci_fail("cannot create a file in %s/ingest: %s", s->root, strerror(e));
    }
    snprintf(in->digest, sizeof in->digest, "%s", digest);
    in->size = size;
    return 0;
}

void oci__ingest_discard(struct ingest *in)
{
    if (in->fd >= 0)
        close(in->fd);
    if (in->tmp_path) {
        unlink(in->tmp_path);
        free(in->tmp_path);
    }
    memset(in, 0, sizeof *in);
    in->fd = -1;
}

int oci__ingest_commit(struct store *s, struct ingest *in, const char *computed_digest,
                       uint64_t written)
{
    if (written != in->size) {
        oci_fail("size mismatch for %s: expected %llu bytes, received %llu", in->digest,
                 (unsigned long long)in->size, (unsigned long long)written);
        oci__ingest_discard(in);
        return -1;
    }
    if (strcmp(computed_digest, in->digest)) {
        oci_fail("digest mismatch: expected %s, received content with %s", in->digest,
                 computed_digest);
        oci_set_hint("the registry served corrupted or tampered content; nothing was stored");
        oci__ingest_discard(in);
        return -1;
    }
    if (fchmod(in->fd, 0444) < 0 || fsync(in->fd) < 0) {
        oci_fail("cannot write %s: %s", in->tmp_path, strerror(errno));
        oci__ingest_discard(in);
        return -1;
    }
    close(in->fd);
    in->fd = -1;
    char dst[STORE_PATH_SIZE];
    if (rename(in->tmp_path, oci__store_blob_path(s, in->digest, dst)) < 0) {
        oci_fail("cannot move %s into the store: %s", in->tmp_path, strerror(errno));
        oci__ingest_discard(in);
        return -1;
    }
    /* the directory entry is made durable once for all blobs of an
     * operation, by oci__store_sync_blobs() before index.json names them */
    free(in->tmp_path);
    in->tmp_path = NULL;
    return 0;
}

int oci__store_put_bytes(struct store *s, const void *data, size_t len, const char *digest)
{
    char computed[OCI_DIGEST_SIZE];
    if (oci__sha256_bytes(data, len, computed) < 0)
        return -1;
    if (digest && strcmp(digest, computed))
        return oci_fail("digest mismatch: expected %s, received content with %s", digest, computed);
    if (oci__store_has_blob(s, computed, len))
        return 0;
    struct ingest in;
    if (oci__ingest_begin(s, computed, len, &in) < 0)
        return -1;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(in.fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            oci_fail("cannot write %s: %s", in.tmp_path, strerror(errno));
            oci__ingest_discard(&in);
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    return oci__ingest_commit(s, &in, computed, len);
}

char *oci__store_read_blob(const struct store *s, const char *digest, size_t max, size_t *len)
{
    char p[STORE_PATH_SIZE];
    char *data = NULL;
    int err = base_read_file(oci__store_blob_path(s, digest, p), max, &data, len);
    if (err)
        oci_fail("cannot read %s from the store: %s", digest, strerror(-err));
    return data;
}

void oci__store_sync_blobs(struct store *s)
{
    char dir[STORE_PATH_SIZE];
    oci__fsync_dir(path_in(s, "blobs/sha256", dir));
}

static void remove_files_except(const struct store *s, const char *rel, json_t *keep);

int oci__store_lock_pull(struct store *s)
{
    if (s->gc_lock_fd < 0)
        return 0;
    /* No pull and no rmi holds the lock: whatever is in ingest/ belongs to
     * no one (a killed pull's partial download, its lock files). */
    if (flock(s->gc_lock_fd, LOCK_EX | LOCK_NB) == 0) {
        remove_files_except(s, "ingest", NULL);
        flock(s->gc_lock_fd, LOCK_UN);
    }
    return oci__store_lock_gc(s, false);
}

int oci__store_lock_blob(struct store *s, const char *digest)
{
    char path[STORE_PATH_SIZE];
    snprintf(path, sizeof path, "%s/ingest/%s.lock", s->root, digest + 7);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return oci_fail("cannot create %s: %s", path, strerror(errno));
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            int e = errno;
            close(fd);
            return oci_fail("cannot lock the download of %s: %s", digest, strerror(e));
        }
    }
    return fd;
}

void oci__store_unlock_blob(struct store *s, const char *digest, int fd, bool stored)
{
    if (fd < 0)
        return;
    /* Once the blob is in place a waiter that wakes on the removed file, or
     * a pull that makes a new one, finds it there; after a failure the file
     * stays, so that waiters queue on the same lock and one of them
     * downloads. */
    if (stored) {
        char path[STORE_PATH_SIZE];
        snprintf(path, sizeof path, "%s/ingest/%s.lock", s->root, digest + 7);
        unlink(path);
    }
    close(fd);
}

/* "ino size mtime_sec mtime_nsec" of a blob file */
static void blob_stamp(const struct stat *st, char *buf, size_t len)
{
    snprintf(buf, len, "%llu %lld %lld %ld\n", (unsigned long long)st->st_ino,
             (long long)st->st_size, (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
}

int oci__store_verify_blob(struct store *s, const char *digest)
{
    char path[STORE_PATH_SIZE], mark[STORE_PATH_SIZE], dir[STORE_PATH_SIZE];
    oci__store_blob_path(s, digest, path);
    snprintf(mark, sizeof mark, "%s/verified/%s", s->root, digest + 7);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    int rc = -1;
    if (fd < 0 || fstat(fd, &st) < 0) {
        oci_fail("cannot read %s from the store: %s", digest, strerror(errno));
        goto out;
    }
    char stamp[128], seen[128] = "";
    blob_stamp(&st, stamp, sizeof stamp);
    int mfd = open(mark, O_RDONLY | O_CLOEXEC);
    if (mfd >= 0) {
        ssize_t n = read(mfd, seen, sizeof seen - 1);
        seen[n > 0 ? n : 0] = '\0';
        close(mfd);
        if (!strcmp(seen, stamp)) {
            rc = 0;
            goto out;
        }
    }
    char computed[OCI_DIGEST_SIZE];
    if (oci__sha256_file(path, computed, NULL) < 0)
        goto out;
    if (strcmp(computed, digest)) {
        oci_fail("the stored blob %s is damaged: its content has digest %s", digest, computed);
        oci_set_hint(
            "the store was damaged outside wasm-bpf: remove the image from the store and pull it again");
        goto out;
    }
    /* A read-only store cannot keep the mark: it is hashed at every run. */
    path_in(s, "verified", dir);
    if ((mkdir(dir, 0755) == 0 || errno == EEXIST) &&
        oci__write_file_atomic(mark, stamp, strlen(stamp), 0644) < 0)
        oci_error_clear();
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int oci__store_lock_gc(struct store *s, bool exclusive)
{
    if (s->gc_lock_fd < 0)
        return 0;
    while (flock(s->gc_lock_fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
        if (errno != EINTR)
            return oci_fail("cannot lock the store %s: %s", s->root, strerror(errno));
    return 0;
}

void oci__store_unlock_gc(struct store *s)
{
    if (s->gc_lock_fd >= 0)
        flock(s->gc_lock_fd, LOCK_UN);
}

static json_t *empty_index(void)
{
    return json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX,
                     "manifests");
}

json_t *oci__store_read_index(const struct store *s)
{
    char p[STORE_PATH_SIZE];
    path_in(s, "index.json", p);
    size_t len;
    char *text;
    int e = -base_read_file(p, MAX_INDEX_SIZE, &text, &len);
    if (e) {
        if (e == ENOENT)
            return empty_index();
        oci_fail("cannot read %s: %s", p, strerror(e));
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(text, len, 0, &err);
    free(text);
    if (!json_is_object(j) || !json_is_array(json_object_get(j, "manifests"))) {
        json_decref(j);
        oci_fail("%s is not a valid image index", p);
        oci_set_hint("the store was damaged outside wasm-bpf; remove %s to start afresh", s->root);
        return NULL;
    }
    return j;
}

static const char *entry_ref(json_t *entry)
{
    return json_string_value(json_object_get(json_object_get(entry, "annotations"), ANN_REF_NAME));
}

/* Run fn on index.json under the index lock and write the result back. */
static int update_index(struct store *s, int (*fn)(json_t *manifests, void *arg), void *arg)
{
    char lock[STORE_PATH_SIZE];
    int fd = open(path_in(s, "index.lock", lock), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return oci_fail("cannot open %s/index.lock: %s", s->root, strerror(errno));
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) {
            close(fd);
            return oci_fail("cannot lock %s/index.lock: %s", s->root, strerror(errno));
        }
    int rc = -1;
    json_t *index = oci__store_read_index(s);
    if (index) {
        rc = fn(json_object_get(index, "manifests"), arg);
        if (rc >= 0) {
            /* the text ends in a newline */
            struct base_buf text = {0};
            char *json = json_dumps(index, JSON_INDENT(2));
            char p[STORE_PATH_SIZE];
            if (!json || base_buf_puts(&text, json) < 0 || base_buf_puts(&text, "\n") < 0)
                rc = oci_fail_nomem();
            else if (oci__write_file_atomic(path_in(s, "index.json", p), text.data, text.len,
                                            0644) < 0)
                rc = -1;
            free(json);
            base_buf_free(&text);
        }
        json_decref(index);
    }
    flock(fd, LOCK_UN);
    close(fd);
    return rc;
}

struct tag_arg {
    const char *ref, *media_type, *digest;
    uint64_t size;
};

static int tag_fn(json_t *manifests, void *arg)
{
    struct tag_arg *a = arg;
    for (size_t i = json_array_size(manifests); i-- > 0;) {
        const char *name = entry_ref(json_array_get(manifests, i));
        if (name && !strcmp(name, a->ref))
            json_array_remove(manifests, i);
    }
    json_t *d =
        json_pack("{s:s, s:s, s:I, s:{s:s}}", "mediaType", a->media_type, "digest", a->digest,
                  "size", (json_int_t)a->size, "annotations", ANN_REF_NAME, a->ref);
    json_array_append_new(manifests, d);
    return 0;
}

int oci__store_tag(struct store *s, const char *ref, const char *media_type, const char *digest,
                   uint64_t size)
{
    struct tag_arg a = {ref, media_type, digest, size};
    oci__store_sync_blobs(s); /* blobs durable before anything names them */
    return update_index(s, tag_fn, &a);
}

bool oci__store_lookup(const struct store *s, const char *ref, char digest[OCI_DIGEST_SIZE])
{
    json_t *index = oci__store_read_index(s);
    bool found = false;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(index, "manifests"), i, e)
    {
        const char *name = entry_ref(e);
        const char *d = json_string_value(json_object_get(e, "digest"));
        if (name && d && oci__digest_valid(d) && !strcmp(name, ref)) {
            snprintf(digest, OCI_DIGEST_SIZE, "%s", d);
            found = true; /* keep looking: the last entry is the newest */
        }
    }
    json_decref(index);
    return found;
}

/* ---- listing ---- */

static int image_cmp(const void *a, const void *b)
{
    return strcmp(((const struct oci_image *)a)->reference,
                  ((const struct oci_image *)b)->reference);
}

int oci_store_list(const struct oci_options *o, struct oci_image **images, size_t *n)
{
    OCI_ERROR_SCOPE(o);
    *images = NULL;
    *n = 0;
    struct store s;
    if (oci__enter_store(&s, o) < 0)
        return -1;
    if (!s.exists) {
        oci__store_close(&s);
        return 0;
    }
    json_t *index = oci__store_read_index(&s);
    if (!index) {
        oci__store_close(&s);
        return -1;
    }
    json_t *manifests = json_object_get(index, "manifests");
    struct oci_image *list = base_calloc(json_array_size(manifests), sizeof *list);
    if (!list) {
        json_decref(index);
        oci__store_close(&s);
        return oci_fail_nomem();
    }
    size_t count = 0, i;
    json_t *e;
    json_array_foreach(manifests, i, e)
    {
        const char *name = entry_ref(e);
        const char *d = json_string_value(json_object_get(e, "digest"));
        if (!name || !d || !oci__digest_valid(d))
            continue;
        struct oci_image *img = &list[count++];
        if (!(img->reference = base_strdup(name))) {
            json_decref(index);
            oci__store_close(&s);
            oci_images_free(list, count);
            return oci_fail_nomem();
        }
        snprintf(img->manifest_digest, sizeof img->manifest_digest, "%s", d);
        img->format = OCI_FORMAT_UNKNOWN;
        char p[STORE_PATH_SIZE];
        struct stat st;
        if (stat(oci__store_blob_path(&s, d, p), &st) == 0)
            img->pulled_at = st.st_mtime;
        size_t len;
        char *raw = oci__store_read_blob(&s, d, MAX_MANIFEST_SIZE, &len);
        struct manifest m;
        if (raw && oci__manifest_parse(raw, len, NULL, &m) == 0) {
            int li = m.is_index ? -1 : oci__manifest_module_layer(&m);
            if (li >= 0) {
                snprintf(img->module_digest, sizeof img->module_digest, "%s", m.layers[li].digest);
                img->module_size = m.layers[li].size;
                img->format = oci__manifest_format(&m);
                if (m.layers[li].title)
                    img->title = base_strdup(m.layers[li].title); /* NULL: listed without */
            }
            oci__manifest_free(&m);
        }
        oci_error_clear();
        free(raw);
    }
    json_decref(index);
    oci__store_close(&s);
    qsort(list, count, sizeof *list, image_cmp);
    *images = list;
    *n = count;
    return 0;
}

void oci_images_free(struct oci_image *images, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(images[i].reference);
        free(images[i].title);
    }
    free(images);
}

/* ---- removal and garbage collection ---- */

struct remove_arg {
    const char *ref;           /* canonical reference, or NULL */
    const char *digest_prefix; /* "sha256:abc" or "abc", or NULL */
    char matched[OCI_DIGEST_SIZE];
    int n_removed;
    bool ambiguous;
    bool out_of_memory;
    struct oci_removed *removed; /* what went, for the caller (may stay NULL) */
    size_t n_reported;
};

/* Is DIGEST still named by an entry of MANIFESTS? */
static bool still_named(json_t *manifests, const char *digest)
{
    size_t i;
    json_t *e;
    json_array_foreach(manifests, i, e)
    {
        const char *d = json_string_value(json_object_get(e, "digest"));
        if (d && !strcmp(d, digest))
            return true;
    }
    return false;
}

static bool digest_matches_prefix(const char *digest, const char *prefix)
{
    if (oci__str_starts_with(prefix, "sha256:"))
        return oci__str_starts_with(digest, prefix);
    return oci__str_starts_with(digest + 7, prefix);
}

static int remove_fn(json_t *manifests, void *arg)
{
    struct remove_arg *a = arg;
    if (a->digest_prefix) {
        /* the prefix must name one manifest, as docker's image id prefixes */
        size_t i;
        json_t *e;
        json_array_foreach(manifests, i, e)
        {
            const char *d = json_string_value(json_object_get(e, "digest"));
            if (!d || !digest_matches_prefix(d, a->digest_prefix))
                continue;
            if (a->matched[0] && strcmp(a->matched, d)) {
                a->ambiguous = true;
                return -1;
            }
            snprintf(a->matched, sizeof a->matched, "%s", d);
        }
    }
    for (size_t i = json_array_size(manifests); i-- > 0;) {
        json_t *e = json_array_get(manifests, i);
        const char *name = entry_ref(e);
        const char *d = json_string_value(json_object_get(e, "digest"));
        bool hit = a->ref ? (name && !strcmp(name, a->ref))
                          : (d && a->matched[0] && !strcmp(d, a->matched));
        if (hit) {
            struct oci_removed *r = base_reallocarray(a->removed, a->n_reported + 1, sizeof *r);
            char *reference = name ? base_strdup(name) : NULL;
            if (!r || (name && !reference)) {
                free(reference);
                a->out_of_memory = true; /* nothing written: index.json stays */
                return -1;
            }
            a->removed = r;
            r += a->n_reported++;
            memset(r, 0, sizeof *r);
            r->reference = reference;
            snprintf(r->manifest_digest, sizeof r->manifest_digest, "%s", d ? d : "");
            json_array_remove(manifests, i);
            a->n_removed++;
        }
    }
    for (size_t k = 0; k < a->n_reported; k++)
        a->removed[k].deleted = a->removed[k].manifest_digest[0] &&
                                !still_named(manifests, a->removed[k].manifest_digest);
    return a->n_removed ? 0 : -1;
}

static void mark(json_t *set, const char *digest)
{
    if (digest && oci__digest_valid(digest))
        json_object_set_new(set, digest + 7, json_true());
}

/* Unlink the files of ROOT/REL whose names are not keys of `keep`. */
static void remove_files_except(const struct store *s, const char *rel, json_t *keep)
{
    char dir[STORE_PATH_SIZE];
    DIR *dp = opendir(path_in(s, rel, dir));
    struct dirent *de;
    while (dp && (de = readdir(dp))) {
        if (de->d_name[0] == '.' || (keep && json_object_get(keep, de->d_name)))
            continue;
        unlinkat(dirfd(dp), de->d_name, 0);
    }
    if (dp)
        closedir(dp);
}

/* Delete blobs that no reference leads to, and ingest leftovers. */
static void collect_garbage(struct store *s)
{
    json_t *index = oci__store_read_index(s);
    if (!index)
        return;
    json_t *live = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(index, "manifests"), i, e)
    {
        const char *d = json_string_value(json_object_get(e, "digest"));
        if (!d || !oci__digest_valid(d))
            continue;
        mark(live, d);
        size_t len;
        char *raw = oci__store_read_blob(s, d, MAX_MANIFEST_SIZE, &len);
        struct manifest m;
        if (raw && oci__manifest_parse(raw, len, NULL, &m) == 0) {
            if (!m.is_index)
                mark(live, m.config.digest);
            for (size_t k = 0; k < m.n_layers; k++)
                mark(live, m.layers[k].digest);
            oci__manifest_free(&m);
        }
        free(raw);
    }
    oci_error_clear();
    remove_files_except(s, "blobs/sha256", live);
    remove_files_except(s, "ingest", NULL);   /* no pull runs: all garbage */
    remove_files_except(s, "verified", live); /* marks of blobs kept */
    json_decref(live);
    json_decref(index);
}

static bool looks_like_digest_prefix(const char *s)
{
    const char *hex = oci__str_starts_with(s, "sha256:") ? s + 7 : s;
    size_t n = strlen(hex);
    if (n < 4 || n > 64)
        return false;
    for (const char *p = hex; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

void oci_removed_free(struct oci_removed *removed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(removed[i].reference);
    free(removed);
}

int oci_store_remove(const char *text, const struct oci_options *o, struct oci_removed **removed,
                     size_t *n_removed)
{
    OCI_ERROR_SCOPE(o);
    if (removed) {
        *removed = NULL;
        *n_removed = 0;
    }
    struct store s;
    if (oci__enter_store(&s, o) < 0)
        return -1;
    if (!s.exists) {
        oci_fail("%s: no such module in the store (%s is empty)", text, s.root);
        oci__store_close(&s);
        return -1;
    }
    struct remove_arg a = {0};
    char canonical_buf[REF_STRING_SIZE];
    char *canonical = NULL;
    struct oci_ref ref;
    bool is_prefix = looks_like_digest_prefix(text);
    if (is_prefix) {
        a.digest_prefix = text;
    } else {
        if (oci__ref_parse(text, &ref) < 0) {
            oci__store_close(&s);
            return -1;
        }
        canonical = oci__ref_string(&ref, canonical_buf);
        oci__ref_free(&ref);
        a.ref = canonical;
    }
    int rc = oci__store_lock_gc(&s, true);
    if (rc == 0) {
        rc = update_index(&s, remove_fn, &a);
        if (rc < 0 && a.out_of_memory)
            oci_fail_nomem();
        else if (rc < 0 && a.ambiguous)
            oci_fail("%s: the digest prefix matches more than one module; give more digits", text);
        else if (rc < 0 && !a.n_removed)
            oci_fail("%s: no such module in the store", canonical ? canonical : text);
        if (rc == 0)
            collect_garbage(&s);
        oci__store_unlock_gc(&s);
    }
    if (rc < 0 && !a.n_removed && !a.out_of_memory)
        oci_set_hint_action(OCI_HINT_LIST_IMAGES, NULL, "%s", "");
    /* index.json was rewritten only when rc == 0: report only then */
    if (rc == 0 && removed) {
        *removed = a.removed;
        *n_removed = a.n_reported;
    } else {
        oci_removed_free(a.removed, a.n_reported);
    }
    oci__store_close(&s);
    return rc;
}

/* ---- tag ---- */

struct find_arg {
    const char *ref;           /* canonical reference, or NULL */
    const char *digest_prefix; /* or a digest prefix */
    char digest[OCI_DIGEST_SIZE];
    char media_type[128];
    uint64_t size;
    bool ambiguous;
};

/* The entry SRC names: the newest with that reference, or the one manifest
 * a digest prefix matches.  0, or -1 (not found, ambiguous). */
static int find_entry(json_t *manifests, struct find_arg *f)
{
    size_t i;
    json_t *e;
    json_array_foreach(manifests, i, e)
    {
        const char *name = entry_ref(e);
        const char *d = json_string_value(json_object_get(e, "digest"));
        const char *mt = json_string_value(json_object_get(e, "mediaType"));
        json_t *size = json_object_get(e, "size");
        if (!d || !oci__digest_valid(d) || !mt || !json_is_integer(size) ||
            json_integer_value(size) < 0)
            continue;
        bool hit =
            f->ref ? (name && !strcmp(name, f->ref)) : digest_matches_prefix(d, f->digest_prefix);
        if (!hit)
            continue;
        if (f->digest_prefix && f->digest[0] && strcmp(f->digest, d)) {
            f->ambiguous = true;
            return -1;
        }
        snprintf(f->digest, sizeof f->digest, "%s", d);
        snprintf(f->media_type, sizeof f->media_type, "%s", mt);
        f->size = (uint64_t)json_integer_value(size);
    }
    return f->digest[0] ? 0 : -1;
}

static int retag_fn(json_t *manifests, void *arg)
{
    struct {
        struct find_arg *find;
        struct tag_arg *tag;
    } *a = arg;
    if (find_entry(manifests, a->find) < 0)
        return -1;
    a->tag->media_type = a->find->media_type;
    a->tag->digest = a->find->digest;
    a->tag->size = a->find->size;
    return tag_fn(manifests, a->tag);
}

int oci_store_tag(const char *src, const char *dst, const struct oci_options *o,
                  char digest_out[OCI_DIGEST_SIZE])
{
    OCI_ERROR_SCOPE(o);
    struct oci_ref ref;
    if (oci__enter_ref(dst, &ref) < 0)
        return -1;
    if (ref.digest) {
        oci__ref_free(&ref);
        return oci_fail("%s: a new reference names a tag, not a digest", dst);
    }
    char target[REF_STRING_SIZE], source_buf[REF_STRING_SIZE];
    oci__ref_string(&ref, target);
    oci__ref_free(&ref);
    struct find_arg f = {0};
    char *source = NULL;
    if (looks_like_digest_prefix(src)) {
        f.digest_prefix = src;
    } else {
        if (oci__ref_parse(src, &ref) < 0) {
            return -1;
        }
        source = oci__ref_string(&ref, source_buf);
        oci__ref_free(&ref);
        f.ref = source;
    }
    struct store s;
    int rc = oci__store_open(&s, o, false);
    if (rc == 0 && !s.exists)
        rc = oci_fail("%s: no such module in the store (%s is empty)", source ? source : src,
                      s.root);
    if (rc == 0)
        rc = oci__store_lock_gc(&s, false); /* no rmi collects the manifest meanwhile */
    if (rc == 0) {
        struct tag_arg t = {.ref = target};
        struct {
            struct find_arg *find;
            struct tag_arg *tag;
        } a = {&f, &t};
        rc = update_index(&s, retag_fn, &a);
        oci__store_unlock_gc(&s);
        if (rc < 0 && f.ambiguous)
            oci_fail("%s: the digest prefix matches more than one module; give more digits", src);
        else if (rc < 0 && !f.digest[0]) {
            oci_fail("%s: no such module in the store", source ? source : src);
            oci_set_hint_action(OCI_HINT_LIST_IMAGES, NULL, "%s", "");
        }
    }
    if (rc == 0 && digest_out)
        snprintf(digest_out, OCI_DIGEST_SIZE, "%s", f.digest);
    oci__store_close(&s);
    return rc;
}
