/* cmd_build.c: `wasm-bpf build [DIR]`: a directory with *.bpf.c files and
 * a guest (*.c, or a Cargo project) to one NAME.wasm: the options and the
 * order of the steps; each step is in a build_*.c (build.h).
 *
 * The steps are the ones a hand-written Makefile runs (README, "What build
 * does"); --verbose prints each as a shell command, so a user can move to a
 * Makefile at any time:
 *   vmlinux.h   bpftool btf dump of the kernel's BTF (or --btf FILE), once
 *               per BTF: cached under $XDG_CACHE_HOME/wasm-bpf/vmlinux/
 *               (~/.cache/...), keyed by the BTF's sha256 (build_vmlinux.c)
 *   X.bpf.o     clang -target bpf (CO-RE, BTF), then llvm-strip -g (DWARF)
 *   X.skel.h    the generators of `gen skeleton` and `gen types`, in process
 *   X.types.h   (Rust: X.types.rs) (these three: build_bpf.c)
 *   the guest   clang --target=wasm32-wasi + wasi-libc, or cargo
 *   NAME.wasm   wasm-opt -Oz when installed (these two: build_guest.c),
 *               then the metadata section (build_metadata.c)
 * Intermediate files go to DIR/.wasm-bpf-build/ or --build-dir (with
 * --debug, its debug/ directory).  A step runs only when it must
 * (build_incremental.c); the tools are found and run by
 * build_toolchain.c, the project's files by build_project.c.  A compiler's
 * messages reach the user as they are; its failure ends the build. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "cli.h"
#include "opt.h"
#include "wasm_bpf_base.h"

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
     "the description recorded in the module (default: README.md's first paragraph line, or "
     "Cargo.toml's description)"},
    {"source", 0, "URL", OPT_STRING, AT(source), NULL,
     "the source repository recorded in the module (org.opencontainers.image.source on push; "
     "default: Cargo.toml's repository)"},
    {"build-dir", 0, "PATH", OPT_STRING, AT(build_dir), NULL,
     "keep the intermediate files (objects, skeletons, types) in PATH, created if missing "
     "(default: .wasm-bpf-build in the tool's directory)"},
    {"werror", 0, NULL, OPT_FLAG, AT(werror), NULL,
     "treat the compilers' warnings as errors (BPF side and guest; rustc through cargo "
     "--config target.TARGET.rustflags=[\"-Dwarnings\"])"},
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

/* PATH and its missing parents created (mkdir -p); PATH made absolute,
 * malloc'ed, or NULL after saying why. */
static char *make_dirs(const char *path)
{
    char *p = base_strdup(path);
    if (!p) {
        build_fail("out of memory");
        return NULL;
    }
    for (char *slash = p + 1;; slash++) {
        slash = strchr(slash, '/');
        if (slash)
            *slash = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            build_fail("cannot create %s: %s", p, strerror(errno));
            free(p);
            return NULL;
        }
        if (!slash)
            break;
        *slash = '/';
    }
    char *abs = realpath(p, NULL);
    if (!abs)
        build_fail("cannot resolve %s: %s", p, strerror(errno));
    free(p);
    return abs;
}

static int build(struct build *b)
{
    if (!(b->sdk_dir = cli_data_dir(CLI_DATA_SDK_C)))
        return build_fail(
            "the C SDK's headers (wasm-bpf.h) are not beside this binary (PREFIX/%s) nor in its "
            "checkout (sdk/c)",
            cli_data_where(CLI_DATA_SDK_C));
    char *bdir = make_dirs(b->bdir);
    if (!bdir)
        return -1;
    free(bdir);
    if (build_vmlinux(b) < 0)
        return -1;
    bool changed = false;
    for (size_t i = 0; i < b->bpf_srcs.n; i++)
        if (build_compile_bpf(b, b->bpf_srcs.v[i], &changed) < 0 ||
            build_generate_all(b, b->bpf_srcs.v[i]) < 0)
            return -1;
    char *linked = build_path_in(b->bdir, "%s.link.wasm", b->name);
    char *opt = build_path_in(b->bdir, "%s.opt.wasm", b->name);
    int rc = -1;
    if (!linked || !opt)
        build_fail("out of memory");
    else if ((b->cargo_package ? build_rust_guest(b, linked, &changed)
                               : build_c_guest(b, linked, &changed)) == 0) {
        const char *from = build_optimise(b, linked, opt);
        char *out =
            b->a->output ? base_strdup(b->a->output) : build_path_in(b->dir, "%s.wasm", b->name);
        if (from && out)
            rc = build_write_module(b, from, out);
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
    if (rc < 0 && a.output && !build_ends_with(a.output, ".wasm"))
        rc = opt_usage_error(&cmd_build_spec, "-o '%s': the module's file name must end in .wasm",
                             a.output);
    if (rc < 0 && a.build_dir && !*a.build_dir)
        rc = opt_usage_error(&cmd_build_spec, "--build-dir '': expected a directory");
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
    rc = 1;
    if (!b.dir) {
        build_fail("cannot resolve %s: %s", dir, strerror(errno));
        goto out;
    }
    /* absolute: cargo runs in DIR and is told where the objects are */
    char *root = a.build_dir ? make_dirs(a.build_dir) : base_path_join(b.dir, ".wasm-bpf-build");
    /* --debug objects beside the others, so that switching does not
     * rebuild everything */
    b.bdir = root && a.debug ? base_path_join(root, "debug") : root;
    if (b.bdir != root)
        free(root);
    if (!b.bdir) {
        if (!a.build_dir)
            build_fail("out of memory");
        goto out;
    }
    if (a.output) {
        char *base = base_path_basename(a.output);
        b.name = base ? base_strndup(base, strlen(base) - strlen(".wasm")) : NULL;
        free(base);
    }
    if (build_scan(&b) == 0) {
        if (!b.name)
            b.name = b.cargo_package ? base_strdup(b.cargo_package) : base_path_basename(b.dir);
        if (!b.name || !*b.name)
            build_fail("out of memory");
        else if (build(&b) == 0)
            rc = 0;
    }
out:
    build_strv_free(&b.bpf_srcs);
    build_strv_free(&b.guest_srcs);
    free(b.dir);
    free(b.bdir);
    free(b.name);
    free(b.vmlinux_dir);
    free(b.sdk_dir);
    free(b.cargo_package);
    free(b.cargo_version);
    free(b.cargo_description);
    free(b.cargo_repository);
    opt_free(&cmd_build_spec, &a);
    free(args);
    return rc;
}
