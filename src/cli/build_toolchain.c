/* build_toolchain.c: the tools `build` runs: found on PATH (a missing one
 * named with its Debian package), run with their messages reaching the
 * user as they are, and printed first as shell commands with --verbose;
 * the target names (the BPF architecture, the Rust toolchain's WASI
 * target). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "wasm_bpf_base.h"

extern char **environ;

void build_strv_add(struct build_strv *s, const char *str)
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

void build_strv_addf(struct build_strv *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *str = base_vasprintf(fmt, ap);
    va_end(ap);
    if (!str)
        s->failed = true;
    else
        build_strv_add(s, str);
    free(str);
}

void build_clang_compile(struct build_strv *cc, const struct build *b, const char *include,
                         const char *dep, const char *src, const char *obj)
{
    build_strv_addf(cc, "-I%s", include);
    build_strv_addf(cc, "-I%s", b->dir);
    build_strv_addf(cc, "-I%s", b->sdk_dir);
    build_strv_add(cc, "-MMD");
    build_strv_add(cc, "-MF");
    build_strv_add(cc, dep);
    build_strv_add(cc, "-c");
    build_strv_add(cc, src);
    build_strv_add(cc, "-o");
    build_strv_add(cc, obj);
}

void build_strv_free(struct build_strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* A word as a shell would need it: as it is, or in single quotes. */
void build_put_shell_word(struct base_buf *b, const char *w)
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
char *build_command_line(char *const *env, char *const *argv, const char *out)
{
    struct base_buf b = {0};
    for (size_t i = 0; env && env[i]; i++) {
        build_put_shell_word(&b, env[i]);
        base_buf_puts(&b, " ");
    }
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            base_buf_puts(&b, " ");
        build_put_shell_word(&b, argv[i]);
    }
    if (out) {
        base_buf_puts(&b, " > ");
        build_put_shell_word(&b, out);
    }
    return base_buf_take(&b, NULL);
}

int build_fail(const char *fmt, ...)
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

bool build_in_path(const char *tool)
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
int build_need_tool(const char *tool)
{
    if (build_in_path(tool))
        return 0;
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        if (!strcmp(tools[i].tool, tool))
            return build_fail("%s not found: apt-get install %s", tool, tools[i].package);
    return build_fail("%s not found", tool);
}

/* Run argv (its stdout to OUT if given, with ENV added); print it first
 * with --verbose.  0, or -1 when it could not start or did not exit 0 (its
 * own messages said why). */
int build_run(const struct build *b, char *const *env, char *const *argv, const char *out)
{
    if (b->a->verbose) {
        char *line = build_command_line(env, argv, out);
        if (!line)
            return build_fail("out of memory");
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
            return build_fail("out of memory");
        }
        free(key);
    }
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err)
        return build_fail("cannot run %s: %s", argv[0], strerror(err));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return build_fail("waiting for %s: %s", argv[0], strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        return build_fail("%s was killed by signal %d", argv[0], WTERMSIG(status));
    return build_fail("%s failed (exit status %d)", argv[0], WEXITSTATUS(status));
}

char *build_path_in(const char *dir, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = base_vasprintf(fmt, ap);
    va_end(ap);
    char *p = name ? base_path_join(dir, name) : NULL;
    free(name);
    return p;
}

const char *build_bpf_arch(void)
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

/* The name under which RUSTC has WASI preview 1's standard library (as
 * scripts/rust-wasm-target.sh finds it), or NULL. */
static char *rust_wasm_target(const char *rustc)
{
    struct base_buf cmd = {0};
    build_put_shell_word(&cmd, rustc);
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
int build_rust_toolchain(const char **cargo, const char **rustc, char **target)
{
    static const char *const pairs[][2] = {{"cargo", "rustc"},
                                           {"/usr/bin/cargo", "/usr/bin/rustc"}};
    const char *env_cargo = getenv("CARGO"), *env_rustc = getenv("RUSTC");
    if ((env_cargo && *env_cargo) || (env_rustc && *env_rustc)) {
        *cargo = env_cargo && *env_cargo ? env_cargo : "cargo";
        *rustc = env_rustc && *env_rustc ? env_rustc : "rustc";
        if (build_need_tool(*cargo) < 0)
            return -1;
        if ((*target = rust_wasm_target(*rustc)))
            return 0;
    } else {
        if (build_need_tool("cargo") < 0)
            return -1;
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
            *cargo = pairs[i][0];
            *rustc = pairs[i][1];
            if (build_in_path(*cargo) && (*target = rust_wasm_target(*rustc)))
                return 0;
        }
    }
    return build_fail("%s has no WASI target (wasm32-wasip1 or wasm32-wasi): apt-get install "
                      "libstd-rust-dev-wasm32 (or: rustup target add wasm32-wasip1)",
                      *rustc);
}
