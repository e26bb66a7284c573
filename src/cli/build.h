/* build.h: the parts of `wasm-bpf build` (cmd_build.c: the command and
 * the order of the steps; build_*.c: one job each), and what they share:
 * the options, the project being built, the argument vectors of the
 * commands run. */
#ifndef WASM_BPF_CLI_BUILD_H
#define WASM_BPF_CLI_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "opt.h"
#include "wasm_bpf_base.h"

struct build_args {
    const char *output;
    const char *btf;
    const char *version;
    const char *description;
    const char *source;
    const char *build_dir;
    bool verbose;
    bool debug;
    bool werror;
    struct opt_list min_btf; /* --min-btf [RELEASE=]FILE */
};

/* a NULL-terminated vector of strings; failed after an allocation failed */
struct build_strv {
    char **v; /* NULL-terminated */
    size_t n;
    bool failed;
};

struct build {
    const struct build_args *a;
    char *dir;           /* the project directory */
    char *bdir;          /* DIR/.wasm-bpf-build */
    char *name;          /* the module's name */
    char *vmlinux_dir;   /* holds vmlinux.h */
    char *sdk_dir;       /* the C SDK's headers */
    char *cargo_package; /* a Rust guest: its package name */
    char *cargo_version;
    char *cargo_description;      /* [package] description, the default --description */
    char *cargo_repository;       /* [package] repository, the default --source */
    struct build_strv bpf_srcs;   /* X.bpf.c, names within dir */
    struct build_strv guest_srcs; /* the other *.c */
};

/* build_toolchain.c: finding and running the tools */
void build_strv_add(struct build_strv *s, const char *str);
void build_strv_addf(struct build_strv *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void build_strv_free(struct build_strv *s);
/* The end of a clang command line compiling SRC to OBJ, the same for both
 * sides: -I INCLUDE (vmlinux.h's directory, or the guest's generated
 * headers), the project's directory and the SDK's, the dependency file DEP
 * (-MMD), -c SRC -o OBJ. */
void build_clang_compile(struct build_strv *cc, const struct build *b, const char *include,
                         const char *dep, const char *src, const char *obj);
void build_put_shell_word(struct base_buf *b, const char *w);
char *build_command_line(char *const *env, char *const *argv, const char *out);
int build_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool build_in_path(const char *tool);
int build_need_tool(const char *tool);
int build_run(const struct build *b, char *const *env, char *const *argv, const char *out);
char *build_path_in(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *build_bpf_arch(void);
int build_rust_toolchain(const char **cargo, const char **rustc, char **target);

/* build_incremental.c: what needs to run again */
bool build_newer(const struct stat *a, const struct stat *b);
bool build_up_to_date(const char *out, const char *command, char *const *inputs,
                      const char *depfile);
int build_made(const char *out, const char *command);
void build_unmade(const char *out);
bool build_same_contents(const char *a, const char *b);

/* build_project.c: the project's files */
bool build_ends_with(const char *s, const char *suffix);
int build_scan(struct build *b);

/* build_vmlinux.c: vmlinux.h, once per kernel BTF */
int build_vmlinux(struct build *b);

/* build_bpf.c: the BPF side, its skeleton and types */
int build_compile_bpf(struct build *b, const char *src_name, bool *changed);
int build_generate_all(struct build *b, const char *src_name);

/* build_guest.c: the guest (C or Rust) and wasm-opt */
int build_c_guest(struct build *b, const char *linked, bool *changed);
int build_rust_guest(struct build *b, const char *linked, bool *changed);
const char *build_optimise(struct build *b, const char *linked, const char *opt);

/* build_metadata.c: the module with its metadata section */
int build_write_module(struct build *b, const char *from, const char *out_path);

#endif
