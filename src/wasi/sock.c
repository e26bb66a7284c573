/* sock.c: sock_accept, sock_recv, sock_send and sock_shutdown, on guest
 * fds that are sockets (a guest gets them from its host: stdin given as a
 * listening socket, for example).  Any other fd is ENOTSOCK. */
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi_impl.h"

#define CTX ((struct wasi_ctx *)ud)
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

/* Wait for a blocking socket unless the guest asked for non-blocking
 * mode.  1: go on; 0: interrupted; -1: errno. */
static int sock_wait(wasm_instance *inst, const struct wasi_fd *e, short events)
{
    if (e->flags & WASI_FDFLAG_NONBLOCK)
        return 1;
    return wasi_wait_fd(inst, e->host, events);
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
    int conn;
    for (;;) {
        if (!(listen_flags & WASI_FDFLAG_NONBLOCK)) {
            int w = wasi_wait_fd(inst, host, POLLIN);
            if (w == 0)
                return wasm_trap_interrupted(inst);
            if (w < 0)
                return wasi_result(args, wasi_errno_from_host(errno));
        }
        conn = accept4(host, NULL, NULL,
                       SOCK_CLOEXEC | ((fdflags & WASI_FDFLAG_NONBLOCK) ? SOCK_NONBLOCK : 0));
        if (conn >= 0)
            break;
        if (errno == EINTR && wasi_interrupted(inst))
            return wasm_trap_interrupted(inst);
        if (errno == EINTR || (errno == EAGAIN && !(listen_flags & WASI_FDFLAG_NONBLOCK)))
            continue;
        return wasi_result(args, wasi_errno_from_host(errno));
    }
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
    struct msghdr msg = {.msg_iov = iov};
    int n;
    if ((err = wasi_load_iovecs(inst, ARG_U32(1), ARG_U32(2), iov, &n)))
        return wasi_result(args, err);
    msg.msg_iovlen = (size_t)n;
    int flags = ((riflags & WASI_RIFLAG_RECV_PEEK) ? MSG_PEEK : 0) |
                ((riflags & WASI_RIFLAG_RECV_WAITALL) ? MSG_WAITALL : 0);
    ssize_t r;
    for (;;) {
        int w = sock_wait(inst, e, POLLIN);
        if (w == 0)
            return wasm_trap_interrupted(inst);
        if (w < 0)
            return wasi_result(args, wasi_errno_from_host(errno));
        r = recvmsg(e->host, &msg, flags);
        if (r >= 0)
            break;
        if (errno == EINTR && wasi_interrupted(inst))
            return wasm_trap_interrupted(inst);
        if (errno == EINTR || (errno == EAGAIN && !(e->flags & WASI_FDFLAG_NONBLOCK)))
            continue;
        return wasi_result(args, wasi_errno_from_host(errno));
    }
    wasi_st32(size_out, (uint32_t)r);
    wasi_st16(flags_out, (msg.msg_flags & MSG_TRUNC) ? WASI_ROFLAG_RECV_DATA_TRUNCATED : 0);
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
    struct msghdr msg = {.msg_iov = iov};
    int n;
    if ((err = wasi_load_iovecs(inst, ARG_U32(1), ARG_U32(2), iov, &n)))
        return wasi_result(args, err);
    msg.msg_iovlen = (size_t)n;
    ssize_t r;
    for (;;) {
        int w = sock_wait(inst, e, POLLOUT);
        if (w == 0)
            return wasm_trap_interrupted(inst);
        if (w < 0)
            return wasi_result(args, wasi_errno_from_host(errno));
        r = sendmsg(e->host, &msg, MSG_NOSIGNAL); /* EPIPE is the guest's to handle */
        if (r >= 0)
            break;
        if (errno == EINTR && wasi_interrupted(inst))
            return wasm_trap_interrupted(inst);
        if (errno == EINTR || (errno == EAGAIN && !(e->flags & WASI_FDFLAG_NONBLOCK)))
            continue;
        return wasi_result(args, wasi_errno_from_host(errno));
    }
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
    return wasi_result(args, shutdown(e->host, how) < 0 ? wasi_errno_from_host(errno)
                                                        : WASI_ESUCCESS);
}
