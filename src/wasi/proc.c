/* proc.c: args_*, environ_*, proc_exit and proc_raise. */
#include <signal.h>

#include "wasi_impl.h"

/* args_get and environ_get: an array of `count` guest pointers at `vec`,
 * each pointing into the strings copied to `buf`. */
static wasi_errno copy_strings(wasm_instance *inst, uint32_t vec, uint32_t buf, const char *strs,
                               uint32_t count, uint32_t size)
{
    uint8_t *pv = wasi_mem(inst, vec, (uint64_t)count * 4);
    uint8_t *pb = wasi_mem(inst, buf, size);
    if (!pv || !pb)
        return WASI_EFAULT;
    memcpy(pb, strs, size);
    uint32_t off = 0;
    for (uint32_t i = 0; i < count; i++) {
        wasi_st32(pv + 4 * i, buf + off);
        off += (uint32_t)strlen(strs + off) + 1;
    }
    return WASI_ESUCCESS;
}

static wasi_errno store_sizes(wasm_instance *inst, uint32_t count_ptr, uint32_t size_ptr,
                              uint32_t count, uint32_t size)
{
    uint8_t *pc = wasi_mem(inst, count_ptr, 4);
    uint8_t *ps = wasi_mem(inst, size_ptr, 4);
    if (!pc || !ps)
        return WASI_EFAULT;
    wasi_st32(pc, count);
    wasi_st32(ps, size);
    return WASI_ESUCCESS;
}

WASI_HOST_FN(args_get)
{
    struct wasi_ctx *ctx = ud;
    return wasi_result(args, copy_strings(inst, (uint32_t)args[0].i32, (uint32_t)args[1].i32,
                                          ctx->args, ctx->argc, ctx->args_size));
}

WASI_HOST_FN(args_sizes_get)
{
    struct wasi_ctx *ctx = ud;
    return wasi_result(args, store_sizes(inst, (uint32_t)args[0].i32, (uint32_t)args[1].i32,
                                         ctx->argc, ctx->args_size));
}

WASI_HOST_FN(environ_get)
{
    struct wasi_ctx *ctx = ud;
    return wasi_result(args, copy_strings(inst, (uint32_t)args[0].i32, (uint32_t)args[1].i32,
                                          ctx->env, ctx->envc, ctx->env_size));
}

WASI_HOST_FN(environ_sizes_get)
{
    struct wasi_ctx *ctx = ud;
    return wasi_result(args, store_sizes(inst, (uint32_t)args[0].i32, (uint32_t)args[1].i32,
                                         ctx->envc, ctx->env_size));
}

WASI_HOST_FN(proc_exit)
{
    (void)ud;
    /* exitcode is a u32; the embedder decides what the process exits with. */
    return wasm_trap_exit(inst, args[0].i32);
}

/* WASI signal numbers (the witx enum order) to host signals. */
static const int wasi_signals[WASI_SIGNAL_LAST + 1] = {
    0, SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL,
    SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGSTOP,
    SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
    SIGPOLL, SIGPWR, SIGSYS,
};

/* The guest never signals the host process: a signal whose default action
 * terminates ends the guest as that signal would end a native program
 * (exit code 128 + signal, so the host still cleans up); one that is
 * ignored by default does nothing; stopping is not supported. */
WASI_HOST_FN(proc_raise)
{
    struct wasi_ctx *ctx = ud;
    uint32_t sig = (uint32_t)args[0].i32;
    if (sig == 0 || sig > WASI_SIGNAL_LAST)
        return wasi_result(args, WASI_EINVAL);
    int host = wasi_signals[sig];
    switch (host) {
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH: case SIGPIPE:
        /* SIGPIPE's action is "ignored" in the WASI enum's own description. */
        return wasi_result(args, WASI_ESUCCESS);
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return wasi_result(args, WASI_ENOTSUP);
    default:
        ctx->exit_signal = host;
        return wasm_trap_exit(inst, 128 + host);
    }
}
