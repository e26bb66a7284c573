/* wasi.h: WASI preview1 (`wasi_snapshot_preview1`) for the engine.
 *
 * A wasi_ctx is the world a guest sees: its arguments, its environment, its
 * standard streams and the host directories it was given (preopens).  It
 * owns a table of guest file descriptors; each entry holds a host
 * descriptor, the WASI file type and the rights the guest has on it.
 * wasi_define() puts all 46 functions of wasi_snapshot_preview1 on a linker.
 *
 * Sandbox: a guest reaches files only through the preopened directories,
 * and every path is resolved beneath the directory it is relative to
 * (openat2 with RESOLVE_BENEATH, or a component-by-component walk on
 * kernels without it): `..` above the preopen, absolute paths, absolute
 * symlinks and symlinks that lead out all fail with ENOTCAPABLE.
 *
 * Guest streams: the guest's fds 1 and 2 are shown as character devices
 * without seek rights (what wasi-libc's isatty() checks), so wasi-libc
 * line-buffers stdout even when the host's stdout is a pipe or a file;
 * what the guest printed survives a signal that ends it.
 *
 * Blocking host calls (fd_read, fd_write on pipes, poll_oneoff, sock_*)
 * also wait on wasm_runtime_interrupt_fd() and return
 * wasm_trap_interrupted() once the runtime is interrupted.
 */
#ifndef WASM_BPF_WASI_H
#define WASM_BPF_WASI_H

/* Every name declared here is part of the library's interface (the rest of
 * libwasm-bpf.a is hidden: see the Makefile). */
#pragma GCC visibility push(default)

#include <stddef.h>

#include "wasm_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasi_ctx wasi_ctx;

typedef struct wasi_preopen {
    const char *host_path;  /* a directory on the host */
    const char *guest_path; /* the name the guest sees it under, e.g. "/data" or "." */
} wasi_preopen;

typedef struct wasi_config {
    /* argv[0] is the program name the guest sees (the module as typed). */
    int argc;
    const char *const *argv;
    /* "KEY=VALUE" strings, given to the guest in this order. */
    int envc;
    const char *const *envp;
    /* Become guest fds 3, 4, ... in this order. */
    size_t npreopens;
    const wasi_preopen *preopens;
    /* Host descriptors behind guest fds 0, 1 and 2 (duplicated, so the
     * caller keeps its own); -1 leaves the guest fd closed. */
    int stdio[3];
} wasi_config;

/* Open the preopened directories and set up the descriptor table.  NULL on
 * failure, with a message naming the directory and the reason in err. */
wasi_ctx *wasi_ctx_new(const wasi_config *cfg, char *err, size_t errlen);

/* Close every descriptor the guest still holds and restore the host's
 * standard streams' flags (O_NONBLOCK, O_APPEND) if the guest changed them. */
void wasi_ctx_free(wasi_ctx *ctx);

/* Define the wasi_snapshot_preview1 imports on l; ctx must outlive every
 * instance linked with them.  Returns 0, or -1 when the linker refuses. */
int wasi_define(wasi_ctx *ctx, wasm_linker *l);

/* After a WASM_TRAP_EXIT: the host signal that ended the guest, or 0.
 * SIGPIPE when the guest wrote to a closed pipe (exit code 141, as a native
 * program killed by SIGPIPE), or the signal it raised with proc_raise (exit
 * code 128 + signal).  A guest that called proc_exit gives 0. */
int wasi_exit_signal(const wasi_ctx *ctx);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop

#endif
