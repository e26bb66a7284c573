/* datadir.c: where the files the command works with are: the C SDK's
 * headers, the Rust SDK crate and the templates of `wasm-bpf new`.
 *
 * Found relative to the running binary, so that one binary works both
 * where it was built and where it was installed, without a configured
 * path: first the installed layout (PREFIX/bin/wasm-bpf ->
 * PREFIX/include/wasm-bpf, PREFIX/share/wasm-bpf/...), then the checkout
 * (BUILD/wasm-bpf -> sdk/c, sdk/rust, templates).  A directory counts only
 * when a file it must hold is there. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "wasm_bpf_base.h"

static const struct {
    const char *installed; /* relative to the binary's directory */
    const char *checkout;
    const char *probe; /* a file the directory must hold */
} places[] = {
    [CLI_DATA_SDK_C] = {"../include/wasm-bpf", "../sdk/c", "wasm-bpf.h"},
    [CLI_DATA_SDK_RUST] = {"../share/wasm-bpf/rust", "../sdk/rust", "Cargo.toml"},
    [CLI_DATA_TEMPLATES] = {"../share/wasm-bpf/templates", "../templates", "c/ringbuf/README.md"},
};

static char *existing(const char *exe_dir, const char *rel, const char *probe)
{
    char *dir = base_path_join(exe_dir, rel);
    char *file = dir ? base_path_join(dir, probe) : NULL;
    char *real = file && access(file, R_OK) == 0 ? realpath(dir, NULL) : NULL;
    free(file);
    free(dir);
    return real;
}

char *cli_data_dir(enum cli_data what)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        errno = ENOENT;
        return NULL;
    }
    exe[n] = '\0';
    char *exe_dir = base_path_dirname(exe);
    if (!exe_dir)
        return NULL;
    char *dir = existing(exe_dir, places[what].installed, places[what].probe);
    if (!dir)
        dir = existing(exe_dir, places[what].checkout, places[what].probe);
    free(exe_dir);
    if (!dir)
        errno = ENOENT;
    return dir;
}

const char *cli_data_where(enum cli_data what)
{
    return places[what].installed + 3; /* without "../" */
}
