/* build_metadata.c: the module `build` writes: the linked (and optimised)
 * module with the metadata section (name, version, description, source:
 * docs/ABI.md), the version, description and source from the options,
 * README.md or Cargo.toml; with --min-btf, the section of minimal kernel BTF. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <jansson.h>

#include "build.h"
#include "cli.h"
#include "oci.h"
#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"

/* From README.md: the version is the last word of the first line
 * ("# mytool 1.2.0") when it starts with a digit (or v and a digit); the
 * description the first line of the first paragraph after it. */
static void readme_metadata(const struct build *b, char **version, char **description)
{
    char *path = base_path_join(b->dir, "README.md"), *text = NULL;
    size_t len;
    if (!path || base_read_file(path, 1 << 20, &text, &len) < 0) {
        free(path);
        return;
    }
    free(path);
    char *line = text, *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    line[strcspn(line, "\r")] = '\0';
    char *last = strrchr(line, ' ');
    last = last ? last + 1 : NULL;
    if (last && line[0] == '#' &&
        (last[0] == 'v' ? last[1] >= '0' && last[1] <= '9' : last[0] >= '0' && last[0] <= '9'))
        *version = base_strdup(last);
    for (line = nl ? nl + 1 : NULL; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        line[strcspn(line, "\r")] = '\0';
        if (line[0] && line[0] != '#') {
            *description = base_strdup(line);
            break;
        }
    }
    free(text);
}

static void put_leb(struct base_buf *out, size_t v)
{
    do {
        unsigned char byte = v & 0x7f;
        v >>= 7;
        if (v)
            byte |= 0x80;
        base_buf_append(out, &byte, 1);
    } while (v);
}

/* --min-btf [RELEASE=]FILE: the kernel release it is for */
static char *min_btf_release(const char *arg, const char **file)
{
    const char *eq = strchr(arg, '=');
    *file = eq ? eq + 1 : arg;
    if (eq)
        return base_strndup(arg, (size_t)(eq - arg));
    if (!strcmp(arg, "/sys/kernel/btf/vmlinux")) {
        struct utsname u;
        return uname(&u) == 0 ? base_strdup(u.release) : NULL;
    }
    char *base = base_path_basename(arg);
    if (!base)
        return NULL;
    const char *r = strncmp(base, "vmlinux-", 8) ? base : base + 8;
    size_t n = strlen(r);
    if (n > 4 && !strcmp(r + n - 4, ".btf"))
        n -= 4;
    char *release = strcmp(base, "vmlinux") ? base_strndup(r, n) : base_strdup("");
    free(base);
    return release;
}

/* The WASM_BPF_BTF_SECTION custom section appended to MOD: per --min-btf
 * kernel, the types of that kernel the module's BPF objects use. */
static int append_min_btf(struct build *b, struct base_buf *mod)
{
    struct base_buf section = {0};
    struct build_strv argv = {0};
    char *dir = build_path_in(b->bdir, "min-btf"), *out = NULL, *release = NULL, *data = NULL;
    int rc = dir ? build_need_tool("bpftool") : build_fail("out of memory");
    if (rc == 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
        rc = build_fail("cannot create %s: %s", dir, strerror(errno));
    for (size_t i = 0; rc == 0 && i < b->a->min_btf.n; i++) {
        const char *arg = b->a->min_btf.items[i], *file;
        char why[256];
        free(release);
        release = min_btf_release(arg, &file);
        if (!release) {
            rc = build_fail("out of memory");
            break;
        }
        if (wasm_bpf_btf_release_check(release) < 0) {
            rc = build_fail(
                "--min-btf %s: '%s' is not a kernel release as uname -r prints it: give it as "
                "RELEASE=FILE",
                arg, release);
            break;
        }
        for (size_t j = 0; j < i; j++) {
            const char *other;
            char *r = min_btf_release(b->a->min_btf.items[j], &other);
            bool same = r && !strcmp(r, release);
            free(r);
            if (same) {
                rc = build_fail("--min-btf %s: kernel %s is given twice", arg, release);
                break;
            }
        }
        if (rc < 0)
            break;
        if (wasm_bpf_btf_file_check(file, why, sizeof why) < 0) {
            rc = build_fail("--min-btf %s: %s", file, why);
            break;
        }
        free(out);
        out = build_path_in(dir, "%s.btf", release);
        build_strv_free(&argv);
        memset(&argv, 0, sizeof argv);
        build_strv_add(&argv, "bpftool");
        build_strv_add(&argv, "gen");
        build_strv_add(&argv, "min_core_btf");
        build_strv_add(&argv, file);
        build_strv_add(&argv, out);
        for (size_t k = 0; k < b->bpf_srcs.n; k++) {
            const char *src = b->bpf_srcs.v[k];
            build_strv_addf(&argv, "%s/%.*s.bpf.o", b->bdir, (int)(strlen(src) - strlen(".bpf.c")),
                            src);
        }
        if (!out || argv.failed) {
            rc = build_fail("out of memory");
            break;
        }
        size_t len;
        free(data);
        data = NULL;
        if ((rc = build_run(b, NULL, argv.v, NULL)) < 0)
            break;
        if ((rc = base_read_file(out, WASM_BPF_BTF_MAX_SIZE, &data, &len)) < 0) {
            rc = build_fail("cannot read %s: %s", out, strerror(-rc));
            break;
        }
        if ((rc = wasm_bpf_btf_section_add(&section, release, data, len)) < 0) {
            rc = build_fail("--min-btf %s: %s", arg, rc == -ENOMEM ? "out of memory" : "not BTF");
            break;
        }
        if (b->a->verbose)
            fprintf(stderr, "# %s: %zu bytes of kernel %s's BTF for the module\n", out, len,
                    release);
    }
    if (rc == 0) {
        size_t name_len = strlen(WASM_BPF_BTF_SECTION);
        struct base_buf body = {0};
        put_leb(&body, name_len);
        base_buf_append(&body, WASM_BPF_BTF_SECTION, name_len);
        base_buf_append(&body, section.data, section.len);
        base_buf_append(mod, "\0", 1); /* a custom section */
        put_leb(mod, body.len);
        base_buf_append(mod, body.data, body.len);
        if (body.err || section.err)
            rc = build_fail("out of memory");
        base_buf_free(&body);
    }
    base_buf_free(&section);
    build_strv_free(&argv);
    free(dir);
    free(out);
    free(release);
    free(data);
    return rc;
}

/* The module (FROM's bytes and the metadata section) written to OUT,
 * unless OUT holds exactly that already. */
int build_write_module(struct build *b, const char *from, const char *out_path)
{
    char *version = NULL, *description = NULL;
    readme_metadata(b, &version, &description);
    const char *v = b->a->version ? b->a->version : version ? version : b->cargo_version;
    const char *d = b->a->description ? b->a->description
                    : description     ? description
                                      : b->cargo_description;
    const char *source = b->a->source ? b->a->source : b->cargo_repository;
    json_t *meta = json_object();
    json_object_set_new(meta, "name", json_string(b->name));
    if (v)
        json_object_set_new(meta, "version", json_string(v));
    if (d)
        json_object_set_new(meta, "description", json_string(d));
    if (source)
        json_object_set_new(meta, "source", json_string(source));
    size_t nkeys = 1 + !!v + !!d + !!source;
    char *json = json_object_size(meta) == nkeys
                     ? json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER)
                     : NULL;
    json_decref(meta);
    free(version);
    free(description);
    if (!json)
        return build_fail("the name, version, description or source is not valid UTF-8");

    char *bytes = NULL;
    size_t len;
    int rc = base_read_file(from, 256 << 20, &bytes, &len);
    if (rc < 0) {
        free(json);
        return build_fail("cannot read %s: %s", from, strerror(-rc));
    }
    struct base_buf mod = {0}, section = {0};
    base_buf_append(&mod, bytes, len);
    free(bytes);
    size_t name_len = strlen(CLI_METADATA_SECTION);
    put_leb(&section, name_len);
    base_buf_append(&section, CLI_METADATA_SECTION, name_len);
    base_buf_puts(&section, json);
    free(json);
    base_buf_append(&mod, "\0", 1); /* a custom section */
    put_leb(&mod, section.len);
    base_buf_append(&mod, section.data, section.len);
    base_buf_free(&section);
    if (b->a->min_btf.n && append_min_btf(b, &mod) < 0) {
        base_buf_free(&mod);
        return -1;
    }
    if (mod.err) {
        base_buf_free(&mod);
        return build_fail("out of memory");
    }
    char *old = NULL;
    size_t old_len;
    bool same = base_read_file(out_path, 256 << 20, &old, &old_len) == 0 && old_len == mod.len &&
                !memcmp(old, mod.data, mod.len);
    free(old);
    rc = 0;
    if (!same) {
        if (b->a->verbose)
            fprintf(stderr, "# %s: %s and the %s section (docs/ABI.md)\n", out_path, from,
                    CLI_METADATA_SECTION);
        struct base_output out;
        rc = base_output_open(&out, out_path, 0644);
        if (rc == 0) {
            rc = base_write_all(out.fd, mod.data, mod.len);
            if (rc == 0)
                rc = base_output_commit(&out);
            else
                base_output_discard(&out);
        }
        if (rc < 0)
            build_fail("cannot write %s: %s", out_path, strerror(-rc));
    }
    if (rc == 0 && (b->a->verbose || isatty(STDERR_FILENO))) {
        char size[32];
        fprintf(stderr, "%s %s (%s)\n", same ? "Up to date:" : "Built", out_path,
                oci_human_size(mod.len, size));
    }
    base_buf_free(&mod);
    return rc < 0 ? -1 : 0;
}
