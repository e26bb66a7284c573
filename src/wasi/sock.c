/* sock.c: sock_accept, sock_recv, sock_send and sock_shutdown, on guest
 * fds that are sockets (a guest gets them from its host: stdin given as a
 * listening socket, for example).  Any other fd is ENOTSOCK. */
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi_impl.h"

#define CTX        ((struct wasi_ctx *)ud)
#define ARG_U32(i) ((uint32_t)args[i].i32)

static bool is_socket(int host)
{
    struct stat st;
    return fstat(host, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Look up a socket fd with the given rights. */
static struct wasi_fd *lookup_socket(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights,
                                     wasi_errno *err)
{
    struct wasi_fd *e = wasi_fd_lookup(ctx, fd, 0, 0, err);
    if (!e)
        return NULL;
    if (!is_socket(e->host)) {
        *err = WASI_ENOTSOCK;
        return NULL;
    }
    if ((e->rights_base & rights) != rights) {
        *err = WASI_ENOTCAPABLE;
        return NULL;
    }
    return e;
}

/* One socket call of accept, recv or send: host's result, or -1 with errno. */
typedef ssize_t (*sock_call)(int host, void *arg);

/* The loop around a socket call: on a blocking socket (nonblock false) wait
 * for `events` first (so that an interrupt is seen), then call, and call
 * again after EINTR or a spurious EAGAIN.  Returns true with *result set, or
 * false with *status what the host function returns (the guest's errno, or
 * the interrupt). */
static bool sock_loop(wasm_instance *inst, wasm_value *args, int host, bool nonblock, short events,
                      sock_call call, void *arg, ssize_t *result, wasm_status *status)
{
    for (;;) {
        if (!nonblock) {
            int w = wasi_wait_fd(inst, host, events);
            if (w <= 0) {
                *status = w == 0 ? wasm_trap_interrupted(inst)
                                 : wasi_result(args, wasi_errno_from_host(errno));
                return false;
            }
        }
        ssize_t r = call(host, arg);
        if (r >= 0) {
            *result = r;
            return true;
        }
        if (errno == EINTR && wasi_interrupted(inst)) {
            *status = wasm_trap_interrupted(inst);
            return false;
        }
        if (errno == EINTR || (errno == EAGAIN && !nonblock))
            continue;
        *status = wasi_result(args, wasi_errno_from_host(errno));
        return false;
    }
}

static ssize_t call_accept(int host, void *flags)
{
    return accept4(host, NULL, NULL, *(int *)flags);
}

struct msg_call {
    struct msghdr msg;
    int flags;
};
static ssize_t call_recv(int host, void *m)
{
    return recvmsg(host, &((struct msg_call *)m)->msg, ((struct msg_call *)m)->flags);
}
static ssize_t call_send(int host, void *m)
{
    return sendmsg(host, &((struct msg_call *)m)->msg, ((struct msg_call *)m)->flags);
}

WASI_HOST_FN(sock_accept)
{
    struct wasi_ctx *ctx = CTX;
    uint32_t fdflags = ARG_U32(1);
    wasi_errno err;
    struct wasi_fd *e = lookup_socket(ctx, ARG_U32(0), WASI_RIGHT_SOCK_ACCEPT, &err);
    if (!e)
        return wasi_result(args, err);
    if (fdflags & ~(uint32_t)WASI_FDFLAG_NONBLOCK)
        return wasi_result(args, WASI_EINVAL);
    uint8_t *result = wasi_mem(inst, ARG_U32(2), 4);
    if (!result)
        return wasi_result(args, WASI_EFAULT);
    int host = e->host; /* `e` may move when the table grows */
    uint16_t listen_flags = e->flags;
    uint32_t slot;
    if ((err = wasi_fd_reserve(ctx, &slot)))
        return wasi_result(args, err);
    int accept_flags = SOCK_CLOEXEC | ((fdflags & WASI_FDFLAG_NONBLOCK) ? SOCK_NONBLOCK : 0);
    ssize_t r;
    wasm_status status;
    if (!sock_loop(inst, args, host, listen_flags & WASI_FDFLAG_NONBLOCK, POLLIN, call_accept,
                   &accept_flags, &r, &status))
        return status;
    int conn = (int)r;
    struct stat st;
    uint8_t type = WASI_FILETYPE_SOCKET_STREAM;
    if (fstat(conn, &st) == 0)
        type = wasi_filetype_of(conn, st.st_mode);
    wasi_fd_install(ctx, slot, conn, type, (uint16_t)fdflags, WASI_RIGHTS_SOCKET, 0);
    wasi_st32(result, slot);
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(sock_recv)
{
    wasi_errno err;
    struct wasi_fd *e = lookup_socket(CTX, ARG_U32(0), WASI_RIGHT_FD_READ, &err);
    if (!e)
        return wasi_result(args, err);
    uint32_t riflags = ARG_U32(3);
    if (riflags & ~(uint32_t)(WASI_RIFLAG_RECV_PEEK | WASI_RIFLAG_RECV_WAITALL))
        return wasi_result(args, WASI_EINVAL);
    uint8_t *size_out = wasi_mem(inst, ARG_U32(4), 4);
    uint8_t *flags_out = wasi_mem(inst, ARG_U32(5), 2);
    if (!size_out || !flags_out)
        return wasi_result(args, WASI_EFAULT);
    struct iovec iov[WASI_IOV_MAX];
    struct msg_call m = {.msg = {.msg_iov = iov}};
    int n;
    if ((err = wasi_load_iovecs(inst, ARG_U32(1), ARG_U32(2), iov, &n)))
        return wasi_result(args, err);
    m.msg.msg_iovlen = (size_t)n;
    m.flags = ((riflags & WASI_RIFLAG_RECV_PEEK) ? MSG_PEEK : 0) |
              ((riflags & WASI_RIFLAG_RECV_WAITALL) ? MSG_WAITALL : 0);
    ssize_t r;
    wasm_status status;
    if (!sock_loop(inst, args, e->host, e->flags & WASI_FDFLAG_NONBLOCK, POLLIN, call_recv, &m, &r,
                   &status))
        return status;
    wasi_st32(size_out, (uint32_t)r);
    wasi_st16(flags_out, (m.msg.msg_flags & MSG_TRUNC) ? WASI_ROFLAG_RECV_DATA_TRUNCATED : 0);
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(sock_send)
{
    wasi_errno err;
    struct wasi_fd *e = lookup_socket(CTX, ARG_U32(0), WASI_RIGHT_FD_WRITE, &err);
    if (!e)
        return wasi_result(args, err);
    if (ARG_U32(3) != 0) /* siflags: none are defined */
        return wasi_result(args, WASI_EINVAL);
    uint8_t *size_out = wasi_mem(inst, ARG_U32(4), 4);
    if (!size_out)
        return wasi_result(args, WASI_EFAULT);
    struct iovec iov[WASI_IOV_MAX];
    struct msg_call m = {.msg = {.msg_iov = iov}, .flags = MSG_NOSIGNAL}; /* EPIPE is the guest's */
    int n;
    if ((err = wasi_load_iovecs(inst, ARG_U32(1), ARG_U32(2), iov, &n)))
        return wasi_result(args, err);
    m.msg.msg_iovlen = (size_t)n;
    ssize_t r;
    wasm_status status;
    if (!sock_loop(inst, args, e->host, e->flags & WASI_FDFLAG_NONBLOCK, POLLOUT, call_send, &m, &r,
                   &status))
        return status;
    wasi_st32(size_out, (uint32_t)r);
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(sock_shutdown)
{
    wasi_errno err;
    struct wasi_fd *e = lookup_socket(CTX, ARG_U32(0), WASI_RIGHT_SOCK_SHUTDOWN, &err);
    if (!e)
        return wasi_result(args, err);
    int how;
    switch (ARG_U32(1)) {
    case WASI_SDFLAG_RD: how = SHUT_RD; break;
    case WASI_SDFLAG_WR: how = SHUT_WR; break;
    case WASI_SDFLAG_RD | WASI_SDFLAG_WR: how = SHUT_RDWR; break;
    default: return wasi_result(args, WASI_EINVAL);
    }
    return wasi_result(args,
                       shutdown(e->host, how) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS);
}
