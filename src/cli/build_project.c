/* build_project.c: what `build` finds in the tool's directory: the
 * *.bpf.c files, the guest's *.c files or its Cargo project (package name,
 * version, description and repository from Cargo.toml). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "wasm_bpf_base.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool build_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The value of KEY in the [package] table of a Cargo.toml (a quoted string
 * on its own line: what cargo new writes), or NULL; NULL too for a value
 * with a TOML escape (a backslash), which this reader does not decode. */
static char *cargo_package_value(const char *toml, const char *key)
{
    bool in_package = false;
    for (const char *line = toml; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line == '[') {
            in_package = !strncmp(line, "[package]", 9);
            continue;
        }
        size_t k = strlen(key);
        if (!in_package || strncmp(line, key, k))
            continue;
        const char *p = line + k;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p++ != '=')
            continue;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p++ != '"')
            continue;
        const char *end = strpbrk(p, "\"\n");
        if (!end || *end != '"' || memchr(p, '\\', (size_t)(end - p)))
            return NULL;
        return base_strndup(p, (size_t)(end - p));
    }
    return NULL;
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p))
            return false;
    return true;
}

int build_scan(struct build *b)
{
    DIR *d = opendir(b->dir);
    if (!d)
        return build_fail("cannot open the directory %s: %s", b->dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (build_ends_with(e->d_name, ".bpf.c"))
            build_strv_add(&b->bpf_srcs, e->d_name);
        else if (build_ends_with(e->d_name, ".c"))
            build_strv_add(&b->guest_srcs, e->d_name);
    }
    closedir(d);
    if (b->bpf_srcs.failed || b->guest_srcs.failed)
        return build_fail("out of memory");
    if (b->bpf_srcs.n)
        qsort(b->bpf_srcs.v, b->bpf_srcs.n, sizeof(char *), cmp_str);
    if (b->guest_srcs.n)
        qsort(b->guest_srcs.v, b->guest_srcs.n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < b->bpf_srcs.n; i++) {
        size_t n = strlen(b->bpf_srcs.v[i]) - strlen(".bpf.c");
        char *stem = base_strndup(b->bpf_srcs.v[i], n);
        bool ok = stem && valid_name(stem);
        free(stem);
        if (!ok)
            return build_fail(
                "%s/%s: a BPF source's name must be letters, digits, '_' and '-' before .bpf.c",
                b->dir, b->bpf_srcs.v[i]);
    }

    char *toml_path = base_path_join(b->dir, "Cargo.toml"), *toml = NULL;
    size_t len;
    int rc = toml_path ? base_read_file(toml_path, 1 << 20, &toml, &len) : -ENOMEM;
    if (rc == 0) {
        b->cargo_package = cargo_package_value(toml, "name");
        b->cargo_version = cargo_package_value(toml, "version");
        b->cargo_description = cargo_package_value(toml, "description");
        b->cargo_repository = cargo_package_value(toml, "repository");
        free(toml);
        if (!b->cargo_package || !valid_name(b->cargo_package)) {
            build_fail("%s: no [package] name = \"...\" of letters, digits, '_' and '-'",
                       toml_path);
            free(toml_path);
            return -1;
        }
    } else if (rc != -ENOENT) {
        build_fail("cannot read %s: %s", toml_path ? toml_path : "Cargo.toml", strerror(-rc));
        free(toml_path);
        return -1;
    }
    free(toml_path);

    if (!b->bpf_srcs.n)
        return build_fail(
            "no *.bpf.c file in %s: a tool needs the BPF side (`wasm-bpf new` writes one)", b->dir);
    if (!b->cargo_package && !b->guest_srcs.n)
        return build_fail("no guest in %s: expected *.c files besides the *.bpf.c, or a Cargo.toml",
                          b->dir);
    return 0;
}
