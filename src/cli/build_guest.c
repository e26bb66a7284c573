/* build_guest.c: the guest of a tool: C (clang --target=wasm32-wasi,
 * wasi-libc, the SDK's headers) or Rust (cargo), linked to NAME.link.wasm,
 * then wasm-opt -Oz when installed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "wasm_bpf_base.h"

/* The C guest: each *.c to an object (with its dependency file), then one
 * link to NAME.link.wasm.  *linked tells whether the module changed. */
int build_c_guest(struct build *b, const char *linked, bool *changed)
{
    struct build_strv link = {0};
    int rc = -1;
    build_strv_add(&link, "clang");
    build_strv_add(&link, "--target=wasm32-wasi");
    /* -O2 at the link too: wasm-ld merges data segments (and clang runs
     * wasm-opt itself when it finds it, which would drop the names --debug
     * keeps) */
    if (!b->a->debug)
        build_strv_add(&link, "-O2");
    size_t first_obj = link.n; /* the objects follow: the link's inputs */
    for (size_t i = 0; i < b->guest_srcs.n; i++) {
        const char *name = b->guest_srcs.v[i];
        char *src = base_path_join(b->dir, name);
        char *obj = build_path_in(b->bdir, "%.*s.o", (int)(strlen(name) - 2), name);
        char *dep = obj ? base_asprintf("%s.d", obj) : NULL;
        struct build_strv cc = {0};
        build_strv_add(&cc, "clang");
        build_strv_add(&cc, "--target=wasm32-wasi");
        build_strv_add(&cc, "-O2");
        if (b->a->debug)
            build_strv_add(&cc, "-g");
        build_strv_add(&cc, "-Wall");
        build_strv_add(&cc, "-Wextra");
        if (b->a->werror)
            build_strv_add(&cc, "-Werror");
        build_clang_compile(&cc, b, b->bdir, dep, src, obj);
        build_strv_add(&link, obj);
        char *command =
            cc.failed || !src || !obj || !dep ? NULL : build_command_line(NULL, cc.v, NULL);
        char *inputs[] = {src, NULL};
        int step = 0;
        if (!command)
            step = build_fail("out of memory");
        else if (!build_up_to_date(obj, command, inputs, dep)) {
            build_unmade(obj);
            step = build_run(b, NULL, cc.v, NULL);
            if (step < 0 && access("/usr/include/wasm32-wasi/stdio.h", R_OK) < 0)
                fprintf(stderr, "wasm-bpf build: wasi-libc's headers are missing: apt-get install "
                                "wasi-libc libclang-rt-dev-wasm32\n");
            if (step == 0)
                step = build_made(obj, command);
            *changed = true;
        }
        build_strv_free(&cc);
        free(command);
        free(src);
        free(obj);
        free(dep);
        if (step < 0)
            goto out;
    }
    build_strv_add(&link, "-Wl,--export-table");
    if (!b->a->debug) /* debug information, the name section, producers */
        build_strv_add(&link, "-Wl,--strip-all");
    build_strv_add(&link, "-o");
    build_strv_add(&link, linked);
    char *command = link.failed ? NULL : build_command_line(NULL, link.v, NULL);
    if (!command) {
        build_fail("out of memory");
        goto out;
    }
    /* the objects are the inputs: link.v[first_obj .. first_obj + n) */
    char **inputs = base_calloc(b->guest_srcs.n + 1, sizeof *inputs);
    if (!inputs) {
        free(command);
        build_fail("out of memory");
        goto out;
    }
    for (size_t i = 0; i < b->guest_srcs.n; i++)
        inputs[i] = link.v[first_obj + i];
    if (build_up_to_date(linked, command, inputs, NULL))
        rc = 0;
    else {
        build_unmade(linked);
        if (build_need_tool("wasm-ld") == 0 && build_run(b, NULL, link.v, NULL) == 0)
            rc = build_made(linked, command);
        *changed = true;
    }
    free(inputs);
    free(command);
out:
    build_strv_free(&link);
    return rc;
}

/* The Rust guest: cargo in DIR (its .cargo/config.toml adds
 * --export-table), the objects and types in BPF_OUT_DIR; with --werror,
 * rustc's warnings are errors. */
int build_rust_guest(struct build *b, const char *linked, bool *changed)
{
    const char *cargo, *rustc;
    char *target = NULL;
    if (build_rust_toolchain(&cargo, &rustc, &target) < 0)
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
    struct build_strv argv = {0};
    int rc = -1;
    if (!manifest || !env_out || !env_target || !env_rustc || !built) {
        build_fail("out of memory");
        goto out;
    }
    char *env[] = {env_out, env_target, env_rustc, NULL};
    build_strv_add(&argv, cargo);
    build_strv_add(&argv, "build");
    build_strv_add(&argv, "--release");
    build_strv_add(&argv, "--target");
    build_strv_add(&argv, target);
    build_strv_add(&argv, "--manifest-path");
    build_strv_add(&argv, manifest);
    /* --werror: rustc's warnings too; cargo joins these flags with those
     * of a target.'cfg(...)' table (the templates' --export-table) */
    if (b->a->werror) {
        build_strv_add(&argv, "--config");
        build_strv_addf(&argv, "target.%s.rustflags=[\"-Dwarnings\"]", target);
    }
    if (!b->a->verbose)
        build_strv_add(&argv, "--quiet");
    if (argv.failed) {
        build_fail("out of memory");
        goto out;
    }
    struct stat before, after;
    bool had = stat(built, &before) == 0;
    /* cargo reads .cargo/config.toml from the directory it runs in */
    char *cwd = getcwd(NULL, 0);
    if (!cwd || chdir(b->dir) < 0) {
        build_fail("cannot enter %s: %s", b->dir, strerror(errno));
        free(cwd);
        goto out;
    }
    if (b->a->verbose)
        fprintf(stderr, "cd %s\n", b->dir);
    rc = build_run(b, env, argv.v, NULL);
    if (chdir(cwd) < 0 && rc == 0)
        rc = build_fail("cannot go back to %s: %s", cwd, strerror(errno));
    free(cwd);
    if (rc < 0)
        goto out;
    if (stat(built, &after) < 0) {
        rc = build_fail("cargo built no %s", built);
        goto out;
    }
    if (!had || build_newer(&after, &before) || access(linked, R_OK) < 0) {
        char *cp[] = {"cp", built, (char *)linked, NULL};
        rc = build_run(b, NULL, cp, NULL);
        *changed = true;
    }
out:
    build_strv_free(&argv);
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
const char *build_optimise(struct build *b, const char *linked, const char *opt)
{
    if (b->a->debug || !build_in_path("wasm-opt")) {
        if (b->a->verbose && !b->a->debug)
            fprintf(stderr,
                    "wasm-bpf build: wasm-opt not found (apt-get install binaryen): module not "
                    "optimised for size\n");
        return linked;
    }
    char *argv[] = {"wasm-opt",     "-Oz", "--strip-debug", "--strip-producers",
                    (char *)linked, "-o",  (char *)opt,     NULL};
    char *command = build_command_line(NULL, argv, NULL);
    char *inputs[] = {(char *)linked, NULL};
    const char *result = NULL;
    if (!command)
        build_fail("out of memory");
    else if (build_up_to_date(opt, command, inputs, NULL))
        result = opt;
    else {
        build_unmade(opt);
        if (build_run(b, NULL, argv, NULL) == 0 && build_made(opt, command) == 0)
            result = opt;
    }
    free(command);
    return result;
}
