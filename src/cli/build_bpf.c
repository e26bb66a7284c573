/* build_bpf.c: the BPF side of a tool: X.bpf.c -> X.bpf.o (clang -target
 * bpf, CO-RE, BTF; DWARF stripped), then X.skel.h and X.types.h (Rust:
 * X.skel.rs, the flags, and X.types.rs) by the generators of `gen skeleton` and `gen types`, in
 * process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "gen.h"
#include "wasm_bpf_base.h"

/* X.bpf.c -> X.bpf.o: clang, then llvm-strip -g (BTF stays, DWARF goes). */
int build_compile_bpf(struct build *b, const char *src_name, bool *changed)
{
    const char *arch = build_bpf_arch();
    if (!arch)
        return build_fail("no BPF target architecture known for this machine");
    char *stem = base_strndup(src_name, strlen(src_name) - strlen(".bpf.c"));
    char *src = base_path_join(b->dir, src_name);
    char *obj = stem ? build_path_in(b->bdir, "%s.bpf.o", stem) : NULL;
    char *full = stem ? build_path_in(b->bdir, "%s.bpf.full.o", stem) : NULL;
    char *dep = stem ? build_path_in(b->bdir, "%s.bpf.d", stem) : NULL;
    struct build_strv cc = {0}, strip = {0};
    char *line1 = NULL, *line2 = NULL, *command = NULL;
    int rc = -1;
    build_strv_add(&cc, "clang");
    build_strv_add(&cc, "-g");
    build_strv_add(&cc, "-O2");
    build_strv_add(&cc, "-target");
    build_strv_add(&cc, "bpf");
    build_strv_addf(&cc, "-D__TARGET_ARCH_%s", arch);
    build_strv_add(&cc, "-Wall");
    if (b->a->werror)
        build_strv_add(&cc, "-Werror");
    /* the SDK: wasm-bpf-bpf.h, WASM_BPF_DESCRIPTION() */
    build_clang_compile(&cc, b, b->vmlinux_dir, dep, src, full);
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
        build_strv_add(&strip, strip_args[i]);
    line1 = cc.failed ? NULL : build_command_line(NULL, cc.v, NULL);
    line2 = strip.failed ? NULL : build_command_line(NULL, strip.v, NULL);
    command = line1 && line2 ? base_asprintf("%s\n%s\n", line1, line2) : NULL;
    if (!command || !obj || !src || !dep) {
        build_fail("out of memory");
        goto out;
    }
    char *inputs[] = {src, NULL};
    if (build_up_to_date(obj, command, inputs, dep)) {
        rc = 0;
        goto out;
    }
    build_unmade(obj);
    if (build_need_tool("clang") < 0 || build_need_tool("llvm-strip") < 0)
        goto out;
    if (build_run(b, NULL, cc.v, NULL) < 0) {
        if (access("/usr/include/bpf/bpf_helpers.h", R_OK) < 0)
            fprintf(stderr, "wasm-bpf build: the libbpf headers (bpf/bpf_helpers.h) are missing: "
                            "apt-get install libbpf-dev\n");
        goto out;
    }
    if (build_run(b, NULL, strip.v, NULL) < 0)
        goto out;
    unlink(full);
    rc = build_made(obj, command);
    *changed = true;
out:
    build_strv_free(&cc);
    build_strv_free(&strip);
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
    /* the generators are this binary: a new one may write other code */
    char *inputs[] = {(char *)obj, "/proc/self/exe", NULL};
    if (build_up_to_date(out, command, inputs, NULL))
        return 0;
    if (b->a->verbose)
        fprintf(stderr, "%s", command);
    build_unmade(out);
    char *tmp = base_asprintf("%s.tmp", out);
    FILE *f = tmp ? fopen(tmp, "we") : NULL;
    if (!f) {
        build_fail("cannot write %s: %s", tmp ? tmp : out, strerror(errno));
        free(tmp);
        return -1;
    }
    char err[512];
    int rc = gen(obj, f, err, sizeof err);
    if (fclose(f) != 0 && rc == 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    /* the same text kept with its time: what includes it is not rebuilt */
    if (rc == 0 && build_same_contents(tmp, out)) {
        unlink(tmp);
        free(tmp);
        return build_made(out, command);
    }
    if (rc == 0 && rename(tmp, out) < 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", out, strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        unlink(tmp);
        build_fail("%s", err);
    }
    free(tmp);
    return rc < 0 ? -1 : build_made(out, command);
}

static int gen_skel(const char *obj, FILE *f, char *err, size_t errlen)
{
    struct gen_skeleton_opts o = {0};
    return gen_skeleton(obj, &o, f, err, errlen);
}

/* X.skel.rs: the flags of the object's `const volatile` globals */
static int gen_skel_rust(const char *obj, FILE *f, char *err, size_t errlen)
{
    struct gen_skeleton_opts o = {.lang = GEN_TYPES_RUST};
    return gen_skeleton(obj, &o, f, err, errlen);
}

/* The types of the object's globals and maps; an object with none (its
 * guest needs no kernel type) gets a file that says so, not a failure. */
static int gen_types_lang(enum gen_types_lang lang, const char *obj, FILE *f, char *err,
                          size_t errlen)
{
    enum gen_hint hint = GEN_HINT_NONE;
    struct gen_types_opts o = {.lang = lang, .path = obj, .hint = &hint};
    int rc = gen_types(&o, f, err, errlen);
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

/* X.bpf.o -> X.skel.h and X.types.h (C), or X.skel.rs and X.types.rs (Rust). */
int build_generate_all(struct build *b, const char *src_name)
{
    char *stem = base_strndup(src_name, strlen(src_name) - strlen(".bpf.c"));
    char *obj = stem ? build_path_in(b->bdir, "%s.bpf.o", stem) : NULL;
    char *skel =
        stem ? build_path_in(b->bdir, b->cargo_package ? "%s.skel.rs" : "%s.skel.h", stem) : NULL;
    char *types =
        stem ? build_path_in(b->bdir, b->cargo_package ? "%s.types.rs" : "%s.types.h", stem) : NULL;
    char *skel_cmd = skel && obj ? base_asprintf("wasm-bpf gen skeleton%s %s > %s\n",
                                                 b->cargo_package ? " --lang rust" : "", obj, skel)
                                 : NULL;
    char *types_cmd = types && obj
                          ? base_asprintf("wasm-bpf gen types%s %s -o %s\n",
                                          b->cargo_package ? " --lang rust" : "", obj, types)
                          : NULL;
    int rc = -1;
    if (!skel_cmd || !types_cmd)
        build_fail("out of memory");
    else if (b->cargo_package) {
        if (generate(b, obj, skel, skel_cmd, gen_skel_rust) == 0)
            rc = generate(b, obj, types, types_cmd, gen_types_rust);
    } else if (generate(b, obj, skel, skel_cmd, gen_skel) == 0)
        rc = generate(b, obj, types, types_cmd, gen_types_c);
    free(stem);
    free(obj);
    free(skel);
    free(types);
    free(skel_cmd);
    free(types_cmd);
    return rc;
}
