/* proc.c: args_*, environ_*, proc_exit and proc_raise. */
#include <signal.h>

#include "wasi_impl.h"

/* args_get and environ_get: an array of s->count guest pointers at `vec`,
 * each pointing into the strings copied to `buf`. */
static wasm_status strings_get(wasm_instance *inst, wasm_value *args, const struct wasi_strings *s)
{
    uint32_t vec = (uint32_t)args[0].i32, buf = (uint32_t)args[1].i32;
    uint8_t *pv = wasi_mem(inst, vec, (uint64_t)s->count * 4);
    uint8_t *pb = wasi_mem(inst, buf, s->size);
    if (!pv || !pb)
        return wasi_result(args, WASI_EFAULT);
    memcpy(pb, s->data, s->size);
    uint32_t off = 0;
    for (uint32_t i = 0; i < s->count; i++) {
        wasi_st32(pv + 4 * i, buf + off);
        off += (uint32_t)strlen(s->data + off) + 1;
    }
    return wasi_result(args, WASI_ESUCCESS);
}

/* args_sizes_get and environ_sizes_get: the count and the bytes needed. */
static wasm_status sizes_get(wasm_instance *inst, wasm_value *args, const struct wasi_strings *s)
{
    uint8_t *pc = wasi_mem(inst, (uint32_t)args[0].i32, 4);
    uint8_t *ps = wasi_mem(inst, (uint32_t)args[1].i32, 4);
    if (!pc || !ps)
        return wasi_result(args, WASI_EFAULT);
    wasi_st32(pc, s->count);
    wasi_st32(ps, s->size);
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(args_get)
{
    return strings_get(inst, args, &((struct wasi_ctx *)ud)->argv_strs);
}
WASI_HOST_FN(args_sizes_get)
{
    return sizes_get(inst, args, &((struct wasi_ctx *)ud)->argv_strs);
}
WASI_HOST_FN(environ_get)
{
    return strings_get(inst, args, &((struct wasi_ctx *)ud)->env_strs);
}
WASI_HOST_FN(environ_sizes_get)
{
    return sizes_get(inst, args, &((struct wasi_ctx *)ud)->env_strs);
}

WASI_HOST_FN(proc_exit)
{
    (void)ud;
    /* exitcode is a u32; the embedder decides what the process exits with. */
    return wasm_trap_exit(inst, args[0].i32);
}

/* WASI signal numbers (the witx enum order) to host signals. */
static const int wasi_signals[WASI_SIGNAL_LAST + 1] = {
    0,       SIGHUP,    SIGINT,  SIGQUIT,  SIGILL,  SIGTRAP, SIGABRT, SIGBUS,
    SIGFPE,  SIGKILL,   SIGUSR1, SIGSEGV,  SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
    SIGCHLD, SIGCONT,   SIGSTOP, SIGTSTP,  SIGTTIN, SIGTTOU, SIGURG,  SIGXCPU,
    SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGPOLL, SIGPWR,  SIGSYS,
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
    case SIGCHLD:
    case SIGCONT:
    case SIGURG:
    case SIGWINCH:
    case SIGPIPE:
        /* SIGPIPE's action is "ignored" in the WASI enum's own description. */
        return wasi_result(args, WASI_ESUCCESS);
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU: return wasi_result(args, WASI_ENOTSUP);
    default: ctx->exit_signal = host; return wasm_trap_exit(inst, 128 + host);
    }
}
