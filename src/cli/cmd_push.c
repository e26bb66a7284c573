/* cmd_push.c: `wasm-bpf push REF MODULE`. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "oci_report.h"
#include "oci.h"
#include "opt.h"
#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"

struct annotations {
    struct oci_annotation *items;
    size_t n;
};

struct push_args {
    struct oci_options oci;
    struct annotations annotations;
    enum oci_format format;
    uint64_t chunk_size;
    const char *module;
};

/* -a KEY=VALUE: the key is copied (the value stays in argv). */
static int add_annotation(void *target, const char *value, char *err, size_t errlen)
{
    struct annotations *a = target;
    const char *eq = strchr(value, '=');
    if (!eq || eq == value) {
        snprintf(err, errlen, "expected KEY=VALUE");
        return -1;
    }
    struct oci_annotation *items = realloc(a->items, (a->n + 1) * sizeof *items);
    if (items)
        a->items = items;
    char *key = items ? strndup(value, (size_t)(eq - value)) : NULL;
    if (!key) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    a->items[a->n++] = (struct oci_annotation){key, eq + 1};
    return 0;
}

static int set_format(void *target, const char *value, char *err, size_t errlen)
{
    if (oci_format_parse(value, target) < 0) {
        snprintf(err, errlen, "expected wasm-bpf, cncf or oras");
        return -1;
    }
    return 0;
}

static int set_chunk_size(void *target, const char *value, char *err, size_t errlen)
{
    uint64_t n;
    if (base_parse_size(value, &n) < 0 || n == 0) {
        snprintf(err, errlen, "not a size (e.g. 65536, 64K, 8M)");
        return -1;
    }
    *(uint64_t *)target = n;
    return 0;
}

#define AT(member) offsetof(struct push_args, member)
static const struct opt push_opts[] = {
    {"annotation", 'a', "KEY=VALUE", OPT_SET, AT(annotations), add_annotation,
     "add a manifest annotation (repeatable)"},
    {"format", 0, "FORMAT", OPT_SET, AT(format), set_format,
     "wasm-bpf (default: what ecli and wasm-to-oci read), cncf (CNCF Wasm OCI artifact), oras "
     "(OCI 1.1 artifact)"},
    {"chunk-size", 0, "SIZE", OPT_SET, AT(chunk_size), set_chunk_size,
     "upload the module in chunks of SIZE bytes (K, M, G suffixes) instead of one request"},
    {"module", 'm', "MODULE", OPT_STRING, AT(module), NULL,
     "the module (instead of the second argument)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct opt_group push_groups[] = {
    {push_opts, 0, NULL},
    {cli_oci_transport_opts, AT(oci), NULL},
    {cli_oci_credential_opts, AT(oci), NULL},
    {cli_oci_quiet_opts, AT(oci), NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_push_spec = {
    .name = "push",
    .usage = "push [options] REF MODULE\n"
             "push [options] -m MODULE REF     (ecli's form)",
    .description = "Push a WebAssembly module to an OCI registry and print the manifest digest.\n"
                   "REF is [REGISTRY/]REPOSITORY[:TAG] (tag `latest` by default); it may start\n"
                   "with https:// or http:// to choose the protocol, as ecli users write it.\n",
    .groups = push_groups,
    .epilog = "The eBPF objects embedded in MODULE are read, and their programs, maps and helpers\n"
              "of concern recorded as the annotation " WASM_BPF_PERMISSIONS_ANNOTATION " (which a\n"
              "signature covers; `run` enforces it): give it with -a to declare an object the\n"
              "module builds at run time.\n"
              "Credentials: -u/--password-stdin, else the docker config (`wasm-bpf login`).\n",
    .arity = &(const struct opt_arity){1, 2, "expected REF and MODULE"},
};

/* The permissions the module's eBPF objects need, as the annotation
 * WASM_BPF_PERMISSIONS_ANNOTATION appended to a->annotations (so that a
 * signature of the manifest covers it).  One given with -a is checked and
 * kept: a module that builds its object at run time declares it so.
 * 0, or 1 after printing why. */
static int add_permissions(struct push_args *a, char **json)
{
    for (size_t i = 0; i < a->annotations.n; i++) {
        if (strcmp(a->annotations.items[i].key, WASM_BPF_PERMISSIONS_ANNOTATION))
            continue;
        const char *v = a->annotations.items[i].value;
        struct wasm_bpf_permissions *p;
        char err[512];
        if (wasm_bpf_permissions_parse(v, strlen(v), &p, err, sizeof err) < 0) {
            fprintf(stderr, "wasm-bpf push: annotation %s: %s\n", WASM_BPF_PERMISSIONS_ANNOTATION,
                    err);
            return 1;
        }
        wasm_bpf_permissions_free(p);
        return 0;
    }
    int fd = open(a->module, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* oci_push says why */
    struct wasm_bpf_permissions *p;
    char err[512];
    int rc = wasm_bpf_permissions_scan_fd(fd, &p, err, sizeof err);
    close(fd);
    if (rc == -ENOEXEC)
        return 0; /* not a module: oci_push says so */
    if (rc < 0) {
        fprintf(stderr, "wasm-bpf push: %s: %s\n", a->module, err);
        return 1;
    }
    *json = wasm_bpf_permissions_json(p);
    wasm_bpf_permissions_free(p);
    struct oci_annotation *items =
        *json ? realloc(a->annotations.items, (a->annotations.n + 1) * sizeof *items) : NULL;
    char *key = items ? strdup(WASM_BPF_PERMISSIONS_ANNOTATION) : NULL;
    if (!key) {
        if (items)
            a->annotations.items = items;
        fprintf(stderr, "wasm-bpf push: out of memory\n");
        return 1;
    }
    a->annotations.items = items;
    a->annotations.items[a->annotations.n++] = (struct oci_annotation){key, *json};
    return 0;
}

/* read() exactly N bytes; false at the end of the file or on an error. */
static bool read_exactly(int fd, void *buf, size_t n)
{
    for (size_t done = 0; done < n;) {
        ssize_t r = read(fd, (char *)buf + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        done += (size_t)r;
    }
    return true;
}

static bool read_leb32(int fd, uint32_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        uint8_t byte;
        if (!read_exactly(fd, &byte, 1))
            return false;
        *v |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

/* The largest metadata section read (build writes a few hundred bytes). */
#define METADATA_MAX (64 * 1024)

/* The payload of the module's metadata custom section: 1 with *out
 * malloc'ed, 0 when it has none or is no module, -EFBIG when the section is
 * larger than METADATA_MAX, -ENOMEM.  Walks the section headers, seeking
 * over the sections (a module of any size costs a few reads, not its size
 * in memory). */
static int read_metadata_section(const char *module, char **out, size_t *len)
{
    int fd = open(module, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    static const uint8_t magic[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    const size_t name_len = strlen(CLI_METADATA_SECTION);
    uint8_t head[8];
    int rc = 0;
    *out = NULL;
    if (!read_exactly(fd, head, 8) || memcmp(head, magic, 8))
        goto out;
    for (;;) {
        uint8_t id;
        uint32_t size, n;
        if (!read_exactly(fd, &id, 1) || !read_leb32(fd, &size))
            break;
        off_t start = lseek(fd, 0, SEEK_CUR);
        if (id == 0 && read_leb32(fd, &n) && n == name_len) {
            char name[64];
            off_t payload = lseek(fd, 0, SEEK_CUR);
            if (payload - start + (off_t)n <= (off_t)size && read_exactly(fd, name, n) &&
                !memcmp(name, CLI_METADATA_SECTION, n)) {
                *len = size - (size_t)(payload - start) - n;
                if (*len > METADATA_MAX) {
                    rc = -EFBIG;
                } else if (!(*out = base_malloc(*len + 1))) {
                    rc = -ENOMEM;
                } else if (!read_exactly(fd, *out, *len)) {
                    free(*out); /* cut short: as if there were none */
                    *out = NULL;
                } else {
                    rc = 1;
                }
                break;
            }
        }
        if (start < 0 || lseek(fd, start + (off_t)size, SEEK_SET) < 0)
            break;
    }
out:
    close(fd);
    return rc;
}

/* The metadata section as a JSON object, or NULL (with a warning naming
 * what is wrong when there is a section): at most METADATA_MAX bytes,
 * UTF-8 JSON (jansson refuses other bytes and nesting deeper than 2048),
 * no key twice (which of two values is meant is not ours to guess). */
static json_t *metadata_object(const char *module)
{
    char *section = NULL;
    size_t len = 0;
    int r = read_metadata_section(module, &section, &len);
    if (r <= 0) {
        if (r == -EFBIG)
            fprintf(
                stderr,
                "wasm-bpf push: warning: %s: the %s section is %zu bytes, more than the %d read; "
                "no annotations from it\n",
                module, CLI_METADATA_SECTION, len, METADATA_MAX);
        else if (r == -ENOMEM)
            fprintf(stderr, "wasm-bpf push: warning: %s: out of memory reading the %s section\n",
                    module, CLI_METADATA_SECTION);
        return NULL;
    }
    json_error_t jerr;
    json_t *j = json_loadb(section, len, JSON_REJECT_DUPLICATES, &jerr);
    free(section);
    if (!j)
        fprintf(
            stderr,
            "wasm-bpf push: warning: %s: the %s section is not valid JSON (%.100s, at byte %d); no "
            "annotations from it\n",
            module, CLI_METADATA_SECTION, jerr.text, jerr.position);
    else if (!json_is_object(j))
        fprintf(
            stderr,
            "wasm-bpf push: warning: %s: the %s section is not a JSON object; no annotations from it\n",
            module, CLI_METADATA_SECTION);
    if (json_is_object(j))
        return j;
    json_decref(j);
    return NULL;
}

/* The module's metadata section (written by `wasm-bpf build`, docs/ABI.md)
 * as the manifest annotations docker and oras users expect, plus when it
 * was created (now, or SOURCE_DATE_EPOCH for reproducible pushes).  The
 * keys and values are allocated.  A module without the section gets none;
 * a section or a field that is not what build writes is named in a warning. */
static int metadata_annotations(const char *module, struct annotations *meta)
{
    static const struct {
        const char *field, *annotation;
    } fields[] = {
        {"name", "org.opencontainers.image.title"},
        {"description", "org.opencontainers.image.description"},
        {"version", "org.opencontainers.image.version"},
        {"source", "org.opencontainers.image.source"},
    };
    json_t *j = metadata_object(module);
    if (!j)
        return 0;
    size_t n = sizeof fields / sizeof fields[0] + 1;
    meta->items = base_calloc(n, sizeof *meta->items);
    int rc = meta->items ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < sizeof fields / sizeof fields[0]; i++) {
        json_t *field = json_object_get(j, fields[i].field);
        const char *value = json_string_value(field);
        if (field && !value)
            fprintf(stderr, "wasm-bpf push: warning: %s: %s.%s is not a string; not annotated\n",
                    module, CLI_METADATA_SECTION, fields[i].field);
        if (!value || !*value)
            continue;
        char *k = base_strdup(fields[i].annotation), *v = base_strdup(value);
        meta->items[meta->n++] = (struct oci_annotation){k, v};
        rc = k && v ? 0 : -1;
    }
    json_decref(j);
    char when[32] = "";
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    errno = 0;
    long long secs = epoch && *epoch ? strtoll(epoch, &end, 10) : (long long)time(NULL);
    struct tm tm;
    time_t t = (time_t)secs;
    if (!errno && (!end || !*end) && secs >= 0 && gmtime_r(&t, &tm) && tm.tm_year < 10000 - 1900)
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        fprintf(
            stderr,
            "wasm-bpf push: warning: SOURCE_DATE_EPOCH '%.40s' is not a number of seconds since 1970 "
            "(up to the year 9999); no org.opencontainers.image.created annotation\n",
            epoch ? epoch : "");
    if (rc == 0 && when[0]) {
        char *k = base_strdup("org.opencontainers.image.created"), *v = base_strdup(when);
        meta->items[meta->n++] = (struct oci_annotation){k, v};
        rc = k && v ? 0 : -1;
    }
    if (rc < 0)
        fprintf(stderr, "wasm-bpf push: out of memory\n");
    return rc;
}

static void free_metadata_annotations(struct annotations *meta)
{
    for (size_t k = 0; k < meta->n; k++) {
        free((char *)meta->items[k].key);
        free((char *)meta->items[k].value);
    }
    free(meta->items);
}

int cmd_push(int argc, char **argv)
{
    char *permissions = NULL;
    struct push_args a = {.format = OCI_FORMAT_WASM_BPF};
    struct annotations meta = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_push_spec, &a, argc, argv, args, &nargs);
    if (rc >= 0)
        goto out;
    if ((rc = cli_check_credentials(&cmd_push_spec, &a.oci)) != 0)
        goto out;
    rc = EXIT_USAGE;
    if (a.module && nargs == 2) {
        opt_args_error(&cmd_push_spec, "give the module either with -m or as the second argument");
        goto out;
    }
    if (!a.module && nargs == 2)
        a.module = args[1];
    if (!a.module) {
        opt_args_error(&cmd_push_spec, "expected REF and MODULE");
        goto out;
    }
    if ((rc = cli_check_ref(&cmd_push_spec, args[0])) != 0)
        goto out;
    if ((rc = add_permissions(&a, &permissions)) != 0)
        goto out;
    /* the module's own first: -a given on the command line wins */
    rc = 1;
    if (metadata_annotations(a.module, &meta) < 0)
        goto out;
    struct oci_annotation *all = base_calloc(meta.n + a.annotations.n + 1, sizeof *all);
    if (!all) {
        fprintf(stderr, "wasm-bpf push: out of memory\n");
        goto out;
    }
    for (size_t k = 0; k < meta.n; k++)
        all[k] = meta.items[k];
    for (size_t k = 0; k < a.annotations.n; k++)
        all[meta.n + k] = a.annotations.items[k];
    struct oci_push_options po = {
        .format = a.format,
        .annotations = all,
        .n_annotations = meta.n + a.annotations.n,
        .chunk_size = a.chunk_size,
    };
    char digest[OCI_DIGEST_SIZE];
    a.oci.error = &cli_oci_error;
    if (oci_push(args[0], a.module, &po, &a.oci, digest) < 0) {
        cli_print_oci_error(&cli_oci_error, NULL);
        free(all);
        goto out;
    }
    free(all);
    printf("%s\n", digest);
    rc = 0;
out:
    free_metadata_annotations(&meta);
    for (size_t k = 0; k < a.annotations.n; k++)
        free((char *)a.annotations.items[k].key);
    free(a.annotations.items);
    free(permissions);
    free(args);
    return rc;
}
