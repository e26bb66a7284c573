/* cmd_build.c: `wasm-bpf build [DIR]`: a directory with *.bpf.c files and
 * a guest (*.c, or a Cargo project) to one NAME.wasm.
 *
 * The steps are the ones a hand-written Makefile runs (README, "What build
 * does"); --verbose prints each as a shell command, so a user can move to a
 * Makefile at any time:
 *   vmlinux.h   bpftool btf dump of the kernel's BTF (or --btf FILE), once
 *               per BTF: cached under $XDG_CACHE_HOME/wasm-bpf/vmlinux/
 *               (~/.cache/...), keyed by the BTF's sha256
 *   X.bpf.o     clang -target bpf (CO-RE, BTF), then llvm-strip -g (DWARF)
 *   X.skel.h    the generators of `gen skeleton` and `gen types`, in process
 *   X.types.h   (Rust: X.types.rs)
 *   the guest   clang --target=wasm32-wasi + wasi-libc, or cargo
 *   NAME.wasm   wasm-opt -Oz when installed, then the metadata section
 * Intermediate files go to DIR/.wasm-bpf-build/ (with --debug, its
 * debug/ directory).  A step runs only when
 * its output is missing, older than one of its inputs (the compilers'
 * dependency files list the headers), or was made by another command
 * (each output's command is kept beside it in OUTPUT.cmd).  A compiler's
 * messages reach the user as they are; its failure ends the build. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "gen.h"
#include "oci.h"
#include "opt.h"
#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"

extern char **environ;

struct build_args {
    const char *output;
    const char *btf;
    const char *version;
    const char *description;
    const char *source;
    bool verbose;
    bool debug;
    struct opt_list min_btf; /* --min-btf [RELEASE=]FILE */
};

#define AT(member) offsetof(struct build_args, member)
static const struct opt build_opts[] = {
    {"output", 'o', "FILE", OPT_STRING, AT(output), NULL,
     "write the module to FILE (default: DIR/NAME.wasm, NAME the directory's name or the Cargo "
     "package's)"},
    {"btf", 0, "FILE", OPT_STRING, AT(btf), NULL,
     "the kernel BTF vmlinux.h is made from (default: /sys/kernel/btf/vmlinux)"},
    {"version", 0, "VERSION", OPT_STRING, AT(version), NULL,
     "the version recorded in the module (default: the last word of README.md's first line, "
     "\"# NAME 1.2.0\", or Cargo.toml's)"},
    {"description", 0, "TEXT", OPT_STRING, AT(description), NULL,
     "the description recorded in the module (default: README.md's first paragraph line)"},
    {"source", 0, "URL", OPT_STRING, AT(source), NULL,
     "the source repository recorded in the module (org.opencontainers.image.source on push)"},
    {"min-btf", 0, "[RELEASE=]FILE", OPT_LIST, AT(min_btf), NULL,
     "embed in the module the kernel types its BPF objects use (`bpftool gen min_core_btf`), cut "
     "from FILE, the BTF of kernel RELEASE (uname -r; default: FILE's name without vmlinux- and "
     ".btf): `run` gives them to libbpf on that kernel when it has no "
     "/sys/kernel/btf/vmlinux; repeatable, one per kernel"},
    {"debug", 'g', NULL, OPT_FLAG, AT(debug), NULL,
     "keep debug information and function names (no stripping, no wasm-opt)"},
    {"verbose", 'v', NULL, OPT_FLAG, AT(verbose), NULL, "print every command as it runs"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
#undef AT

static const struct opt_group build_groups[] = {
    {build_opts, 0, NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_build_spec = {
    .name = "build",
    .usage = "build [options] [DIR]",
    .description = "Build the tool in DIR (default: the current directory) into one module:\n"
                   "its *.bpf.c files with clang -target bpf (CO-RE, against vmlinux.h made\n"
                   "from the kernel's BTF once per kernel), their skeletons and types (as `gen\n"
                   "skeleton` and `gen types`), and the guest: the other *.c files with clang\n"
                   "--target=wasm32-wasi and wasi-libc, or the Cargo project in DIR.  The module\n"
                   "records its name, version and description (`push` makes them annotations).\n"
                   "Only what changed is rebuilt; intermediate files are in DIR/.wasm-bpf-build.\n",
    .groups = build_groups,
    .epilog = "A compiler's messages are shown as they are.  Exit status: 0 built, 1 a step\n"
              "failed or a tool is missing (with the Debian package to install), 2 usage.\n"
              "--verbose prints the commands, to copy into a Makefile.\n",
};

/* ---- small helpers ---- */

struct strv {
    char **v; /* NULL-terminated */
    size_t n;
    bool failed;
};

static void strv_add(struct strv *s, const char *str)
{
    char *copy = str ? base_strdup(str) : NULL;
    char **v = copy ? base_reallocarray(s->v, s->n + 2, sizeof *v) : NULL;
    if (!v) {
        free(copy);
        s->failed = true;
        return;
    }
    s->v = v;
    s->v[s->n++] = copy;
    s->v[s->n] = NULL;
}

static void strv_addf(struct strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void strv_addf(struct strv *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *str = base_vasprintf(fmt, ap);
    va_end(ap);
    if (!str)
        s->failed = true;
    else
        strv_add(s, str);
    free(str);
}

static void strv_free(struct strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A word as a shell would need it: as it is, or in single quotes. */
static void put_shell_word(struct base_buf *b, const char *w)
{
    bool plain = *w != '\0';
    for (const char *p = w; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=,+:@%",
                       *p) != NULL;
    if (plain) {
        base_buf_puts(b, w);
        return;
    }
    base_buf_puts(b, "'");
    for (const char *p = w; *p; p++)
        base_buf_puts(b, *p == '\'' ? "'\\''" : (char[2]){*p, 0});
    base_buf_puts(b, "'");
}

/* The command line of argv (with "> out" when given), malloc'ed. */
static char *command_line(char *const *env, char *const *argv, const char *out)
{
    struct base_buf b = {0};
    for (size_t i = 0; env && env[i]; i++) {
        put_shell_word(&b, env[i]);
        base_buf_puts(&b, " ");
    }
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            base_buf_puts(&b, " ");
        put_shell_word(&b, argv[i]);
    }
    if (out) {
        base_buf_puts(&b, " > ");
        put_shell_word(&b, out);
    }
    return base_buf_take(&b, NULL);
}

struct build {
    const struct build_args *a;
    char *dir;           /* the project directory */
    char *bdir;          /* DIR/.wasm-bpf-build */
    char *name;          /* the module's name */
    char *vmlinux_dir;   /* holds vmlinux.h */
    char *sdk_dir;       /* the C SDK's headers */
    char *cargo_package; /* a Rust guest: its package name */
    char *cargo_version;
    struct strv bpf_srcs;   /* X.bpf.c, names within dir */
    struct strv guest_srcs; /* the other *.c */
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("wasm-bpf build: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

/* The tools a build runs, with the Debian package of each. */
static const struct {
    const char *tool;
    const char *package;
} tools[] = {
    {"clang", "clang"}, {"llvm-strip", "llvm"}, {"bpftool", "bpftool"},
    {"wasm-ld", "lld"}, {"cargo", "cargo"},     {"wasm-opt", "binaryen"},
};

static bool in_path(const char *tool)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    for (const char *p = path;;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *dir = base_strndup(n ? p : ".", n ? n : 1);
        char *file = dir ? base_path_join(dir, tool) : NULL;
        bool found = file && access(file, X_OK) == 0;
        free(file);
        free(dir);
        if (found)
            return true;
        if (!end)
            return false;
        p = end + 1;
    }
}

/* 0 when TOOL is on PATH, else -1 with "TOOL not found: apt-get install PKG". */
static int need_tool(const char *tool)
{
    if (in_path(tool))
        return 0;
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        if (!strcmp(tools[i].tool, tool))
            return fail("%s not found: apt-get install %s", tool, tools[i].package);
    return fail("%s not found", tool);
}

/* Run argv (its stdout to OUT if given, with ENV added); print it first
 * with --verbose.  0, or -1 when it could not start or did not exit 0 (its
 * own messages said why). */
static int run(const struct build *b, char *const *env, char *const *argv, const char *out)
{
    if (b->a->verbose) {
        char *line = command_line(env, argv, out);
        if (!line)
            return fail("out of memory");
        fprintf(stderr, "%s\n", line);
        fflush(stderr);
        free(line);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out)
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
    for (size_t i = 0; env && env[i]; i++) {
        char *eq = strchr(env[i], '=');
        char *key = base_strndup(env[i], (size_t)(eq - env[i]));
        if (!key || setenv(key, eq + 1, 1) < 0) {
            free(key);
            posix_spawn_file_actions_destroy(&fa);
            return fail("out of memory");
        }
        free(key);
    }
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err)
        return fail("cannot run %s: %s", argv[0], strerror(err));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return fail("waiting for %s: %s", argv[0], strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        return fail("%s was killed by signal %d", argv[0], WTERMSIG(status));
    return fail("%s failed (exit status %d)", argv[0], WEXITSTATUS(status));
}

static char *path_in(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *path_in(const char *dir, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = base_vasprintf(fmt, ap);
    va_end(ap);
    char *p = name ? base_path_join(dir, name) : NULL;
    free(name);
    return p;
}

static bool newer(const struct stat *a, const struct stat *b)
{
    return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
           (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
}

/* The prerequisites of a make-style dependency file ("out: a.c b.h \"). */
static int read_deps(const char *path, struct strv *deps)
{
    char *text;
    size_t len;
    if (base_read_file(path, 16 << 20, &text, &len) < 0)
        return -1;
    char *p = strchr(text, ':');
    while (p && p[1] != ' ' && p[1] != '\n' && p[1] != '\t' && p[1] != '\0')
        p = strchr(p + 1, ':');
    if (!p) {
        free(text);
        return -1;
    }
    struct base_buf word = {0};
    for (p++;; p++) {
        if (*p == '\\' && p[1] == '\n') {
            p++;
            continue;
        }
        if (*p == '\\' && p[1] == ' ') {
            base_buf_append(&word, " ", 1);
            p++;
            continue;
        }
        if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
            if (word.len)
                strv_add(deps, word.data);
            word.len = 0;
            if (word.data)
                word.data[0] = '\0';
            if (*p == '\0' || *p == '\n')
                break;
            continue;
        }
        base_buf_append(&word, p, 1);
    }
    int rc = word.err || deps->failed ? -1 : 0;
    base_buf_free(&word);
    free(text);
    return rc;
}

/* Is OUT up to date: there, made by the command COMMAND (kept in OUT.cmd),
 * and newer than each of INPUTS and of the prerequisites in DEPFILE? */
static bool up_to_date(const char *out, const char *command, char *const *inputs,
                       const char *depfile)
{
    struct stat st_out, st;
    if (stat(out, &st_out) < 0)
        return false;
    char *cmdfile = base_asprintf("%s.cmd", out), *old = NULL;
    size_t len;
    bool same =
        cmdfile && base_read_file(cmdfile, 1 << 20, &old, &len) == 0 && !strcmp(old, command);
    free(old);
    free(cmdfile);
    if (!same)
        return false;
    for (size_t i = 0; inputs && inputs[i]; i++)
        if (stat(inputs[i], &st) < 0 || newer(&st, &st_out))
            return false;
    if (!depfile)
        return true;
    struct strv deps = {0};
    bool ok = read_deps(depfile, &deps) == 0;
    for (size_t i = 0; ok && i < deps.n; i++)
        ok = stat(deps.v[i], &st) == 0 && !newer(&st, &st_out);
    strv_free(&deps);
    return ok;
}

/* After OUT was made by COMMAND: remember the command. */
static int made(const char *out, const char *command)
{
    char *cmdfile = base_asprintf("%s.cmd", out);
    int fd = cmdfile ? open(cmdfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    int rc = fd >= 0 ? base_write_all(fd, command, strlen(command)) : -errno;
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc < 0)
        fail("cannot write %s: %s", cmdfile ? cmdfile : out, strerror(-rc));
    free(cmdfile);
    return rc < 0 ? -1 : 0;
}

/* Forget what made OUT (before a step that may fail half-way). */
static void unmade(const char *out)
{
    char *cmdfile = base_asprintf("%s.cmd", out);
    if (cmdfile)
        unlink(cmdfile);
    free(cmdfile);
}

/* ---- finding the project's files ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The value of KEY in the [package] table of a Cargo.toml (a quoted string
 * on its own line: what cargo new writes), or NULL. */
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
        if (!end || *end != '"')
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

static int scan(struct build *b)
{
    DIR *d = opendir(b->dir);
    if (!d)
        return fail("cannot open the directory %s: %s", b->dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (ends_with(e->d_name, ".bpf.c"))
            strv_add(&b->bpf_srcs, e->d_name);
        else if (ends_with(e->d_name, ".c"))
            strv_add(&b->guest_srcs, e->d_name);
    }
    closedir(d);
    if (b->bpf_srcs.failed || b->guest_srcs.failed)
        return fail("out of memory");
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
            return fail(
                "%s/%s: a BPF source's name must be letters, digits, '_' and '-' before .bpf.c",
                b->dir, b->bpf_srcs.v[i]);
    }

    char *toml_path = base_path_join(b->dir, "Cargo.toml"), *toml = NULL;
    size_t len;
    int rc = toml_path ? base_read_file(toml_path, 1 << 20, &toml, &len) : -ENOMEM;
    if (rc == 0) {
        b->cargo_package = cargo_package_value(toml, "name");
        b->cargo_version = cargo_package_value(toml, "version");
        free(toml);
        if (!b->cargo_package || !valid_name(b->cargo_package)) {
            fail("%s: no [package] name = \"...\" of letters, digits, '_' and '-'", toml_path);
            free(toml_path);
            return -1;
        }
    } else if (rc != -ENOENT) {
        fail("cannot read %s: %s", toml_path ? toml_path : "Cargo.toml", strerror(-rc));
        free(toml_path);
        return -1;
    }
    free(toml_path);

    if (!b->bpf_srcs.n)
        return fail("no *.bpf.c file in %s: a tool needs the BPF side (`wasm-bpf new` writes one)",
                    b->dir);
    if (!b->cargo_package && !b->guest_srcs.n)
        return fail("no guest in %s: expected *.c files besides the *.bpf.c, or a Cargo.toml",
                    b->dir);
    return 0;
}

/* ---- the steps ---- */

static const char *bpf_arch(void)
{
    static const struct {
        const char *machine, *arch;
    } arches[] = {
        {"x86_64", "x86"},    {"aarch64", "arm64"}, {"ppc64le", "powerpc"},
        {"riscv64", "riscv"}, {"s390x", "s390"},    {"loongarch64", "loongarch"},
    };
    static struct utsname u;
    if (uname(&u) == 0)
        for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
            if (!strcmp(u.machine, arches[i].machine))
                return arches[i].arch;
    return NULL;
}

/* vmlinux.h of the BTF, made once per BTF into the cache. */
static int make_vmlinux(struct build *b)
{
    const char *btf = b->a->btf ? b->a->btf : "/sys/kernel/btf/vmlinux";
    if (access(btf, R_OK) < 0)
        return fail(b->a->btf
                        ? "cannot read %s: %s"
                        : "cannot read %s: %s (a kernel without BTF: give one with --btf FILE)",
                    btf, strerror(errno));
    struct oci_error oerr = {0};
    struct oci_options o = {.error = &oerr};
    char digest[OCI_DIGEST_SIZE];
    if (oci_digest_file(btf, &o, digest) < 0)
        return fail("%s", oerr.message);
    const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *root = cache && *cache ? base_path_join(cache, "wasm-bpf")
                 : home && *home ? base_path_join(home, ".cache/wasm-bpf")
                                 : NULL;
    if (!root)
        return fail("no cache directory: set XDG_CACHE_HOME or HOME");
    /* 16 hex digits: a name per BTF, short enough to read in --verbose */
    b->vmlinux_dir = path_in(root, "vmlinux/%.16s", digest + 7);
    free(root);
    char *header = b->vmlinux_dir ? base_path_join(b->vmlinux_dir, "vmlinux.h") : NULL;
    char *tmp = header ? base_asprintf("%s.%d.tmp", header, (int)getpid()) : NULL;
    int rc = -1;
    if (!tmp) {
        fail("out of memory");
        goto out;
    }
    if (access(header, R_OK) == 0) {
        rc = 0;
        goto out;
    }
    char *mkdir_argv[] = {"mkdir", "-p", b->vmlinux_dir, NULL};
    char *argv[] = {"bpftool", "btf", "dump", "file", (char *)btf, "format", "c", NULL};
    if (need_tool("bpftool") < 0 || run(b, NULL, mkdir_argv, NULL) < 0)
        goto out;
    if (run(b, NULL, argv, tmp) < 0) {
        unlink(tmp);
        goto out;
    }
    if (b->a->verbose) /* what the rename below does, for a Makefile */
        fprintf(stderr, "mv %s %s\n", tmp, header);
    if (rename(tmp, header) < 0) {
        fail("cannot write %s: %s", header, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    free(header);
    return rc;
}

/* X.bpf.c -> X.bpf.o: clang, then llvm-strip -g (BTF stays, DWARF goes). */
static int compile_bpf(struct build *b, const char *src_name, bool *changed)
{
    const char *arch = bpf_arch();
    if (!arch)
        return fail("no BPF target architecture known for this machine");
    char *stem = base_strndup(src_name, strlen(src_name) - strlen(".bpf.c"));
    char *src = base_path_join(b->dir, src_name);
    char *obj = stem ? path_in(b->bdir, "%s.bpf.o", stem) : NULL;
    char *full = stem ? path_in(b->bdir, "%s.bpf.full.o", stem) : NULL;
    char *dep = stem ? path_in(b->bdir, "%s.bpf.d", stem) : NULL;
    struct strv cc = {0}, strip = {0};
    char *line1 = NULL, *line2 = NULL, *command = NULL;
    int rc = -1;
    strv_add(&cc, "clang");
    strv_add(&cc, "-g");
    strv_add(&cc, "-O2");
    strv_add(&cc, "-target");
    strv_add(&cc, "bpf");
    strv_addf(&cc, "-D__TARGET_ARCH_%s", arch);
    strv_add(&cc, "-Wall");
    strv_addf(&cc, "-I%s", b->vmlinux_dir);
    strv_addf(&cc, "-I%s", b->dir);
    strv_addf(&cc, "-I%s", b->sdk_dir); /* wasm-bpf-bpf.h: WASM_BPF_DESCRIPTION() */
    strv_add(&cc, "-MMD");
    strv_add(&cc, "-MF");
    strv_add(&cc, dep);
    strv_add(&cc, "-c");
    strv_add(&cc, src);
    strv_add(&cc, "-o");
    strv_add(&cc, full);
    /* DWARF, and what libbpf skips anyway: the relocations of .BTF and
     * .BTF.ext, the linker's address-significance table */
    char *strip_args[] = {"llvm-strip",
                          "-g",
                          "--remove-section=.rel.BTF",
                          "--remove-section=.rel.BTF.ext",
                          "--remove-section=.llvm_addrsig",
                          full,
                          "-o",
                          obj};
    for (size_t i = 0; i < sizeof strip_args / sizeof strip_args[0]; i++)
        strv_add(&strip, strip_args[i]);
    line1 = cc.failed ? NULL : command_line(NULL, cc.v, NULL);
    line2 = strip.failed ? NULL : command_line(NULL, strip.v, NULL);
    command = line1 && line2 ? base_asprintf("%s\n%s\n", line1, line2) : NULL;
    if (!command || !obj || !src || !dep) {
        fail("out of memory");
        goto out;
    }
    char *inputs[] = {src, NULL};
    if (up_to_date(obj, command, inputs, dep)) {
        rc = 0;
        goto out;
    }
    unmade(obj);
    if (need_tool("clang") < 0 || need_tool("llvm-strip") < 0)
        goto out;
    if (run(b, NULL, cc.v, NULL) < 0) {
        if (access("/usr/include/bpf/bpf_helpers.h", R_OK) < 0)
            fprintf(stderr, "wasm-bpf build: the libbpf headers (bpf/bpf_helpers.h) are missing: "
                            "apt-get install libbpf-dev\n");
        goto out;
    }
    if (run(b, NULL, strip.v, NULL) < 0)
        goto out;
    unlink(full);
    rc = made(obj, command);
    *changed = true;
out:
    strv_free(&cc);
    strv_free(&strip);
    free(line1);
    free(line2);
    free(command);
    free(stem);
    free(src);
    free(obj);
    free(full);
    free(dep);
    return rc;
}

/* A generator's output OUT from OBJ (in process), written to a temporary
 * file and renamed; COMMAND is what --verbose shows, the CLI equivalent. */
static int generate(struct build *b, const char *obj, const char *out, const char *command,
                    int (*gen)(const char *obj, FILE *f, char *err, size_t errlen))
{
    char *inputs[] = {(char *)obj, NULL};
    if (up_to_date(out, command, inputs, NULL))
        return 0;
    if (b->a->verbose)
        fprintf(stderr, "%s", command);
    unmade(out);
    char *tmp = base_asprintf("%s.tmp", out);
    FILE *f = tmp ? fopen(tmp, "we") : NULL;
    if (!f) {
        fail("cannot write %s: %s", tmp ? tmp : out, strerror(errno));
        free(tmp);
        return -1;
    }
    char err[512];
    int rc = gen(obj, f, err, sizeof err);
    if (fclose(f) != 0 && rc == 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, out) < 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", out, strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        unlink(tmp);
        fail("%s", err);
    }
    free(tmp);
    return rc < 0 ? -1 : made(out, command);
}

static int gen_skel(const char *obj, FILE *f, char *err, size_t errlen)
{
    struct gen_skeleton_opts o = {0};
    return gen_skeleton(obj, &o, f, err, errlen);
}

/* The types of the object's globals and maps; an object with none (its
 * guest needs no kernel type) gets a file that says so, not a failure. */
static int gen_types_lang(enum gen_types_lang lang, const char *obj, FILE *f, char *err,
                          size_t errlen)
{
    enum gen_hint hint = GEN_HINT_NONE;
    struct gen_types_opts o = {.lang = lang, .path = obj, .hint = &hint};
    int rc = gen_types(&o, f, NULL, err, errlen);
    if (rc < 0 && hint == GEN_HINT_NAME_TYPES) {
        const char *c = lang == GEN_TYPES_C ? " *" : "//";
        rewind(f);
        fprintf(f, "%s no named type is used by a global variable or a map of %s\n",
                lang == GEN_TYPES_C ? "/*" : "//", obj);
        fprintf(f, "%s (declare one, e.g. `struct event *unused_event;`, to have it here)%s\n", c,
                lang == GEN_TYPES_C ? " */" : "");
        rc = 0;
    }
    return rc;
}

static int gen_types_c(const char *obj, FILE *f, char *err, size_t errlen)
{
    return gen_types_lang(GEN_TYPES_C, obj, f, err, errlen);
}

static int gen_types_rust(const char *obj, FILE *f, char *err, size_t errlen)
{
    return gen_types_lang(GEN_TYPES_RUST, obj, f, err, errlen);
}

/* X.bpf.o -> X.skel.h and X.types.h (C), or X.types.rs (Rust). */
static int generate_all(struct build *b, const char *src_name)
{
    char *stem = base_strndup(src_name, strlen(src_name) - strlen(".bpf.c"));
    char *obj = stem ? path_in(b->bdir, "%s.bpf.o", stem) : NULL;
    char *skel = stem ? path_in(b->bdir, "%s.skel.h", stem) : NULL;
    char *types =
        stem ? path_in(b->bdir, b->cargo_package ? "%s.types.rs" : "%s.types.h", stem) : NULL;
    char *skel_cmd =
        skel && obj ? base_asprintf("wasm-bpf gen skeleton %s > %s\n", obj, skel) : NULL;
    char *types_cmd = types && obj
                          ? base_asprintf("wasm-bpf gen types%s %s -o %s\n",
                                          b->cargo_package ? " --lang rust" : "", obj, types)
                          : NULL;
    int rc = -1;
    if (!skel_cmd || !types_cmd)
        fail("out of memory");
    else if (b->cargo_package)
        rc = generate(b, obj, types, types_cmd, gen_types_rust);
    else if (generate(b, obj, skel, skel_cmd, gen_skel) == 0)
        rc = generate(b, obj, types, types_cmd, gen_types_c);
    free(stem);
    free(obj);
    free(skel);
    free(types);
    free(skel_cmd);
    free(types_cmd);
    return rc;
}

/* The C guest: each *.c to an object (with its dependency file), then one
 * link to NAME.link.wasm.  *linked tells whether the module changed. */
static int build_c_guest(struct build *b, const char *linked, bool *changed)
{
    struct strv link = {0};
    int rc = -1;
    strv_add(&link, "clang");
    strv_add(&link, "--target=wasm32-wasi");
    /* -O2 at the link too: wasm-ld merges data segments (and clang runs
     * wasm-opt itself when it finds it, which would drop the names --debug
     * keeps) */
    if (!b->a->debug)
        strv_add(&link, "-O2");
    size_t first_obj = link.n; /* the objects follow: the link's inputs */
    for (size_t i = 0; i < b->guest_srcs.n; i++) {
        const char *name = b->guest_srcs.v[i];
        char *src = base_path_join(b->dir, name);
        char *obj = path_in(b->bdir, "%.*s.o", (int)(strlen(name) - 2), name);
        char *dep = obj ? base_asprintf("%s.d", obj) : NULL;
        struct strv cc = {0};
        strv_add(&cc, "clang");
        strv_add(&cc, "--target=wasm32-wasi");
        strv_add(&cc, "-O2");
        if (b->a->debug)
            strv_add(&cc, "-g");
        strv_add(&cc, "-Wall");
        strv_add(&cc, "-Wextra");
        strv_addf(&cc, "-I%s", b->bdir);
        strv_addf(&cc, "-I%s", b->dir);
        strv_addf(&cc, "-I%s", b->sdk_dir);
        strv_add(&cc, "-MMD");
        strv_add(&cc, "-MF");
        strv_add(&cc, dep);
        strv_add(&cc, "-c");
        strv_add(&cc, src);
        strv_add(&cc, "-o");
        strv_add(&cc, obj);
        strv_add(&link, obj);
        char *command = cc.failed || !src || !obj || !dep ? NULL : command_line(NULL, cc.v, NULL);
        char *inputs[] = {src, NULL};
        int step = 0;
        if (!command)
            step = fail("out of memory");
        else if (!up_to_date(obj, command, inputs, dep)) {
            unmade(obj);
            step = run(b, NULL, cc.v, NULL);
            if (step < 0 && access("/usr/include/wasm32-wasi/stdio.h", R_OK) < 0)
                fprintf(stderr, "wasm-bpf build: wasi-libc's headers are missing: apt-get install "
                                "wasi-libc libclang-rt-dev-wasm32\n");
            if (step == 0)
                step = made(obj, command);
            *changed = true;
        }
        strv_free(&cc);
        free(command);
        free(src);
        free(obj);
        free(dep);
        if (step < 0)
            goto out;
    }
    strv_add(&link, "-Wl,--export-table");
    if (!b->a->debug) /* debug information, the name section, producers */
        strv_add(&link, "-Wl,--strip-all");
    strv_add(&link, "-o");
    strv_add(&link, linked);
    char *command = link.failed ? NULL : command_line(NULL, link.v, NULL);
    if (!command) {
        fail("out of memory");
        goto out;
    }
    /* the objects are the inputs: link.v[first_obj .. first_obj + n) */
    char **inputs = base_calloc(b->guest_srcs.n + 1, sizeof *inputs);
    if (!inputs) {
        free(command);
        fail("out of memory");
        goto out;
    }
    for (size_t i = 0; i < b->guest_srcs.n; i++)
        inputs[i] = link.v[first_obj + i];
    if (up_to_date(linked, command, inputs, NULL))
        rc = 0;
    else {
        unmade(linked);
        if (need_tool("wasm-ld") == 0 && run(b, NULL, link.v, NULL) == 0)
            rc = made(linked, command);
        *changed = true;
    }
    free(inputs);
    free(command);
out:
    strv_free(&link);
    return rc;
}

/* The name under which RUSTC has WASI preview 1's standard library (as
 * scripts/rust-wasm-target.sh finds it), or NULL. */
static char *rust_wasm_target(const char *rustc)
{
    struct base_buf cmd = {0};
    put_shell_word(&cmd, rustc);
    base_buf_puts(&cmd, " --print sysroot 2>/dev/null");
    char *line = base_buf_take(&cmd, NULL);
    FILE *p = line ? popen(line, "re") : NULL;
    free(line);
    char sysroot[4096] = "";
    if (!p)
        return NULL;
    if (!fgets(sysroot, sizeof sysroot, p))
        sysroot[0] = '\0';
    pclose(p);
    sysroot[strcspn(sysroot, "\n")] = '\0';
    static const char *const targets[] = {"wasm32-wasip1", "wasm32-wasi"};
    for (size_t i = 0; sysroot[0] && i < 2; i++) {
        char *lib = base_asprintf("%s/lib/rustlib/%s/lib", sysroot, targets[i]);
        bool ok = lib && access(lib, R_OK) == 0;
        free(lib);
        if (ok)
            return base_strdup(targets[i]);
    }
    return NULL;
}

/* The Rust toolchain to build with: $CARGO and $RUSTC when set, else the
 * first of PATH's and Debian's (/usr/bin) with a WASI target (a rustup
 * toolchain first in PATH often has none installed). */
static int rust_toolchain(const char **cargo, const char **rustc, char **target)
{
    static const char *const pairs[][2] = {{"cargo", "rustc"},
                                           {"/usr/bin/cargo", "/usr/bin/rustc"}};
    const char *env_cargo = getenv("CARGO"), *env_rustc = getenv("RUSTC");
    if ((env_cargo && *env_cargo) || (env_rustc && *env_rustc)) {
        *cargo = env_cargo && *env_cargo ? env_cargo : "cargo";
        *rustc = env_rustc && *env_rustc ? env_rustc : "rustc";
        if (need_tool(*cargo) < 0)
            return -1;
        if ((*target = rust_wasm_target(*rustc)))
            return 0;
    } else {
        if (need_tool("cargo") < 0)
            return -1;
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
            *cargo = pairs[i][0];
            *rustc = pairs[i][1];
            if (in_path(*cargo) && (*target = rust_wasm_target(*rustc)))
                return 0;
        }
    }
    return fail("%s has no WASI target (wasm32-wasip1 or wasm32-wasi): apt-get install "
                "libstd-rust-dev-wasm32 (or: rustup target add wasm32-wasip1)",
                *rustc);
}

/* The Rust guest: cargo in DIR (its .cargo/config.toml adds
 * --export-table), the objects and types in BPF_OUT_DIR. */
static int build_rust_guest(struct build *b, const char *linked, bool *changed)
{
    const char *cargo, *rustc;
    char *target = NULL;
    if (rust_toolchain(&cargo, &rustc, &target) < 0)
        return -1;
    /* the user's CARGO_TARGET_DIR (one for several projects builds the SDK
     * crate once), else one in the build directory */
    const char *user_target_dir = getenv("CARGO_TARGET_DIR");
    char *target_dir = user_target_dir && *user_target_dir ? base_strdup(user_target_dir)
                                                           : base_path_join(b->bdir, "cargo");
    char *manifest = base_path_join(b->dir, "Cargo.toml");
    char *env_out = base_asprintf("BPF_OUT_DIR=%s", b->bdir);
    char *env_target = target_dir ? base_asprintf("CARGO_TARGET_DIR=%s", target_dir) : NULL;
    char *env_rustc = base_asprintf("RUSTC=%s", rustc);
    char *built = target_dir
                      ? base_asprintf("%s/%s/release/%s.wasm", target_dir, target, b->cargo_package)
                      : NULL;
    int rc = -1;
    if (!manifest || !env_out || !env_target || !env_rustc || !built) {
        fail("out of memory");
        goto out;
    }
    char *env[] = {env_out, env_target, env_rustc, NULL};
    char *argv[] = {(char *)cargo, "build",           "--release", "--target",
                    target,        "--manifest-path", manifest,    b->a->verbose ? NULL : "--quiet",
                    NULL};
    struct stat before, after;
    bool had = stat(built, &before) == 0;
    /* cargo reads .cargo/config.toml from the directory it runs in */
    char *cwd = getcwd(NULL, 0);
    if (!cwd || chdir(b->dir) < 0) {
        fail("cannot enter %s: %s", b->dir, strerror(errno));
        free(cwd);
        goto out;
    }
    if (b->a->verbose)
        fprintf(stderr, "cd %s\n", b->dir);
    rc = run(b, env, argv, NULL);
    if (chdir(cwd) < 0 && rc == 0)
        rc = fail("cannot go back to %s: %s", cwd, strerror(errno));
    free(cwd);
    if (rc < 0)
        goto out;
    if (stat(built, &after) < 0) {
        rc = fail("cargo built no %s", built);
        goto out;
    }
    if (!had || newer(&after, &before) || access(linked, R_OK) < 0) {
        char *cp[] = {"cp", built, (char *)linked, NULL};
        rc = run(b, NULL, cp, NULL);
        *changed = true;
    }
out:
    free(target);
    free(target_dir);
    free(manifest);
    free(env_out);
    free(env_target);
    free(env_rustc);
    free(built);
    return rc;
}

/* NAME.link.wasm -> NAME.opt.wasm with wasm-opt -Oz, when installed.
 * Returns the file the module is made from. */
static const char *optimise(struct build *b, const char *linked, const char *opt)
{
    if (b->a->debug || !in_path("wasm-opt")) {
        if (b->a->verbose && !b->a->debug)
            fprintf(stderr,
                    "wasm-bpf build: wasm-opt not found (apt-get install binaryen): module not "
                    "optimised for size\n");
        return linked;
    }
    char *argv[] = {"wasm-opt",     "-Oz", "--strip-debug", "--strip-producers",
                    (char *)linked, "-o",  (char *)opt,     NULL};
    char *command = command_line(NULL, argv, NULL);
    char *inputs[] = {(char *)linked, NULL};
    const char *result = NULL;
    if (!command)
        fail("out of memory");
    else if (up_to_date(opt, command, inputs, NULL))
        result = opt;
    else {
        unmade(opt);
        if (run(b, NULL, argv, NULL) == 0 && made(opt, command) == 0)
            result = opt;
    }
    free(command);
    return result;
}

/* ---- the metadata ---- */

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
    struct strv argv = {0};
    char *dir = path_in(b->bdir, "min-btf"), *out = NULL, *release = NULL, *data = NULL;
    int rc = dir ? need_tool("bpftool") : fail("out of memory");
    if (rc == 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
        rc = fail("cannot create %s: %s", dir, strerror(errno));
    for (size_t i = 0; rc == 0 && i < b->a->min_btf.n; i++) {
        const char *arg = b->a->min_btf.items[i], *file;
        char why[256];
        free(release);
        release = min_btf_release(arg, &file);
        if (!release) {
            rc = fail("out of memory");
            break;
        }
        if (wasm_bpf_btf_release_check(release) < 0) {
            rc = fail("--min-btf %s: '%s' is not a kernel release as uname -r prints it: give it as "
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
                rc = fail("--min-btf %s: kernel %s is given twice", arg, release);
                break;
            }
        }
        if (rc < 0)
            break;
        if (wasm_bpf_btf_file_check(file, why, sizeof why) < 0) {
            rc = fail("--min-btf %s: %s", file, why);
            break;
        }
        free(out);
        out = path_in(dir, "%s.btf", release);
        strv_free(&argv);
        memset(&argv, 0, sizeof argv);
        strv_add(&argv, "bpftool");
        strv_add(&argv, "gen");
        strv_add(&argv, "min_core_btf");
        strv_add(&argv, file);
        strv_add(&argv, out);
        for (size_t k = 0; k < b->bpf_srcs.n; k++) {
            const char *src = b->bpf_srcs.v[k];
            strv_addf(&argv, "%s/%.*s.bpf.o", b->bdir, (int)(strlen(src) - strlen(".bpf.c")), src);
        }
        if (!out || argv.failed) {
            rc = fail("out of memory");
            break;
        }
        size_t len;
        free(data);
        data = NULL;
        if ((rc = run(b, NULL, argv.v, NULL)) < 0)
            break;
        if ((rc = base_read_file(out, WASM_BPF_BTF_MAX_SIZE, &data, &len)) < 0) {
            rc = fail("cannot read %s: %s", out, strerror(-rc));
            break;
        }
        if ((rc = wasm_bpf_btf_section_add(&section, release, data, len)) < 0) {
            rc = fail("--min-btf %s: %s", arg, rc == -ENOMEM ? "out of memory" : "not BTF");
            break;
        }
        if (b->a->verbose)
            fprintf(stderr, "# %s: %zu bytes of kernel %s's BTF for the module\n", out, len, release);
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
            rc = fail("out of memory");
        base_buf_free(&body);
    }
    base_buf_free(&section);
    strv_free(&argv);
    free(dir);
    free(out);
    free(release);
    free(data);
    return rc;
}

/* The module (FROM's bytes and the metadata section) written to OUT,
 * unless OUT holds exactly that already. */
static int write_module(struct build *b, const char *from, const char *out_path)
{
    char *version = NULL, *description = NULL;
    readme_metadata(b, &version, &description);
    const char *v = b->a->version ? b->a->version : version ? version : b->cargo_version;
    const char *d = b->a->description ? b->a->description : description;
    json_t *meta = json_object();
    json_object_set_new(meta, "name", json_string(b->name));
    if (v)
        json_object_set_new(meta, "version", json_string(v));
    if (d)
        json_object_set_new(meta, "description", json_string(d));
    if (b->a->source)
        json_object_set_new(meta, "source", json_string(b->a->source));
    size_t nkeys = 1 + !!v + !!d + !!b->a->source;
    char *json = json_object_size(meta) == nkeys
                     ? json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER)
                     : NULL;
    json_decref(meta);
    free(version);
    free(description);
    if (!json)
        return fail("the name, version, description or source is not valid UTF-8");

    char *bytes = NULL;
    size_t len;
    int rc = base_read_file(from, 256 << 20, &bytes, &len);
    if (rc < 0) {
        free(json);
        return fail("cannot read %s: %s", from, strerror(-rc));
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
        return fail("out of memory");
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
            fail("cannot write %s: %s", out_path, strerror(-rc));
    }
    if (rc == 0 && (b->a->verbose || isatty(STDERR_FILENO))) {
        char size[32];
        fprintf(stderr, "%s %s (%s)\n", same ? "Up to date:" : "Built", out_path,
                oci_human_size(mod.len, size));
    }
    base_buf_free(&mod);
    return rc < 0 ? -1 : 0;
}

/* ---- the command ---- */

static int build(struct build *b)
{
    if (!(b->sdk_dir = cli_data_dir(CLI_DATA_SDK_C)))
        return fail(
            "the C SDK's headers (wasm-bpf.h) are not beside this binary (PREFIX/%s) nor in its "
            "checkout (sdk/c)",
            cli_data_where(CLI_DATA_SDK_C));
    char *parent = base_path_dirname(b->bdir); /* .wasm-bpf-build of .wasm-bpf-build/debug */
    int made_parent = parent && (mkdir(parent, 0755) == 0 || errno == EEXIST) ? 0 : -1;
    free(parent);
    if (made_parent < 0 || (mkdir(b->bdir, 0755) < 0 && errno != EEXIST))
        return fail("cannot create %s: %s", b->bdir, strerror(errno));
    if (make_vmlinux(b) < 0)
        return -1;
    bool changed = false;
    for (size_t i = 0; i < b->bpf_srcs.n; i++)
        if (compile_bpf(b, b->bpf_srcs.v[i], &changed) < 0 || generate_all(b, b->bpf_srcs.v[i]) < 0)
            return -1;
    char *linked = path_in(b->bdir, "%s.link.wasm", b->name);
    char *opt = path_in(b->bdir, "%s.opt.wasm", b->name);
    int rc = -1;
    if (!linked || !opt)
        fail("out of memory");
    else if ((b->cargo_package ? build_rust_guest(b, linked, &changed)
                               : build_c_guest(b, linked, &changed)) == 0) {
        const char *from = optimise(b, linked, opt);
        char *out = b->a->output ? base_strdup(b->a->output) : path_in(b->dir, "%s.wasm", b->name);
        if (from && out)
            rc = write_module(b, from, out);
        free(out);
    }
    free(linked);
    free(opt);
    return rc;
}

int cmd_build(int argc, char **argv)
{
    struct build_args a = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_build_spec, &a, argc, argv, args, &nargs);
    if (rc < 0 && nargs > 1)
        rc = opt_args_error(&cmd_build_spec, "unexpected argument '%s'", args[1]);
    if (rc < 0 && a.version &&
        (!*a.version || strlen(a.version) > 128 || strpbrk(a.version, " \t\n")))
        rc = opt_usage_error(&cmd_build_spec,
                             "--version '%s': expected a version without blanks, as 1.2.0",
                             a.version);
    if (rc < 0 && a.output && !ends_with(a.output, ".wasm"))
        rc = opt_usage_error(&cmd_build_spec, "-o '%s': the module's file name must end in .wasm",
                             a.output);
    if (rc >= 0) {
        opt_free(&cmd_build_spec, &a);
        free(args);
        return rc;
    }
    struct build b = {.a = &a};
    const char *dir = nargs ? args[0] : ".";
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        rc = opt_usage_error(&cmd_build_spec, "'%s' is not a directory", dir);
        opt_free(&cmd_build_spec, &a);
        free(args);
        return rc;
    }
    b.dir = realpath(dir, NULL);
    /* --debug objects beside the others, so that switching does not
     * rebuild everything */
    b.bdir =
        b.dir ? base_path_join(b.dir, a.debug ? ".wasm-bpf-build/debug" : ".wasm-bpf-build") : NULL;
    rc = 1;
    if (!b.bdir) {
        fail("cannot resolve %s: %s", dir, strerror(errno));
        goto out;
    }
    if (a.output) {
        char *base = base_path_basename(a.output);
        b.name = base ? base_strndup(base, strlen(base) - strlen(".wasm")) : NULL;
        free(base);
    }
    if (scan(&b) == 0) {
        if (!b.name)
            b.name = b.cargo_package ? base_strdup(b.cargo_package) : base_path_basename(b.dir);
        if (!b.name || !*b.name)
            fail("out of memory");
        else if (build(&b) == 0)
            rc = 0;
    }
out:
    strv_free(&b.bpf_srcs);
    strv_free(&b.guest_srcs);
    free(b.dir);
    free(b.bdir);
    free(b.name);
    free(b.vmlinux_dir);
    free(b.sdk_dir);
    free(b.cargo_package);
    free(b.cargo_version);
    opt_free(&cmd_build_spec, &a);
    free(args);
    return rc;
}
