/* fd.c: the fd_* functions: reading and writing, offsets, attributes,
 * directory listing, preopens and renumbering. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi_impl.h"

#define CTX        ((struct wasi_ctx *)ud)
#define ARG_U32(i) ((uint32_t)args[i].i32)
#define ARG_U64(i) ((uint64_t)args[i].i64)

/* Look up guest fd args[0] with the given rights or return its errno. */
#define LOOKUP_FD(e, base)                                                        \
    wasi_errno lookup_err_;                                                       \
    struct wasi_fd *e = wasi_fd_lookup(CTX, ARG_U32(0), (base), 0, &lookup_err_); \
    if (!e)                                                                       \
    return wasi_result(args, lookup_err_)

static bool is_stream(const struct wasi_fd *e)
{
    return e->type != WASI_FILETYPE_REGULAR_FILE && e->type != WASI_FILETYPE_DIRECTORY &&
           e->type != WASI_FILETYPE_BLOCK_DEVICE;
}

/* A write to a pipe nobody reads any more ends the guest the way SIGPIPE
 * ends a native program (the host ignores SIGPIPE so that it can clean up). */
static wasm_status broken_pipe(wasm_instance *inst, struct wasi_ctx *ctx)
{
    ctx->exit_signal = SIGPIPE;
    return wasm_trap_exit(inst, 128 + SIGPIPE);
}

/* ------------------------------------------------------------------ */
/* Reading and writing                                                 */
/* ------------------------------------------------------------------ */

/* fd_read / fd_write / fd_pread / fd_pwrite share this: gather the iovecs,
 * wait (interruptibly) for streams, transfer, store the byte count. */
static wasm_status transfer(wasm_instance *inst, struct wasi_ctx *ctx, wasm_value *args,
                            struct wasi_fd *e, bool write, bool positioned, uint64_t offset,
                            uint32_t iovs, uint32_t iovs_len, uint32_t result_ptr)
{
    uint8_t *result = wasi_mem(inst, result_ptr, 4);
    if (!result)
        return wasi_result(args, WASI_EFAULT);
    struct iovec iov[WASI_IOV_MAX];
    int n;
    wasi_errno err = wasi_load_iovecs(inst, iovs, iovs_len, iov, &n);
    if (err)
        return wasi_result(args, err);
    if (positioned && offset > (uint64_t)INT64_MAX)
        return wasi_result(args, WASI_EINVAL);

    /* Streams may block: wait for them where an interrupt can end the wait. */
    bool wait = !positioned && is_stream(e) && !(e->flags & WASI_FDFLAG_NONBLOCK);
    ssize_t r;
    for (;;) {
        if (wait) {
            int w = wasi_wait_fd(inst, e->host, write ? POLLOUT : POLLIN);
            if (w == 0)
                return wasm_trap_interrupted(inst);
            if (w < 0)
                return wasi_result(args, wasi_errno_from_host(errno));
        }
        if (positioned)
            r = write ? pwritev(e->host, iov, n, (off_t)offset)
                      : preadv(e->host, iov, n, (off_t)offset);
        else
            r = write ? writev(e->host, iov, n) : readv(e->host, iov, n);
        if (r >= 0)
            break;
        if (errno == EINTR) {
            if (wasi_interrupted(inst))
                return wasm_trap_interrupted(inst);
            continue;
        }
        if (errno == EAGAIN && wait)
            continue; /* someone else drained it between poll and read */
        if (errno == EPIPE && write)
            return broken_pipe(inst, ctx);
        return wasi_result(args, wasi_errno_from_host(errno));
    }
    wasi_st32(result, (uint32_t)r);
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_read)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_READ);
    return transfer(inst, CTX, args, e, false, false, 0, ARG_U32(1), ARG_U32(2), ARG_U32(3));
}

WASI_HOST_FN(fd_write)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_WRITE);
    return transfer(inst, CTX, args, e, true, false, 0, ARG_U32(1), ARG_U32(2), ARG_U32(3));
}

WASI_HOST_FN(fd_pread)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK);
    return transfer(inst, CTX, args, e, false, true, ARG_U64(3), ARG_U32(1), ARG_U32(2),
                    ARG_U32(4));
}

WASI_HOST_FN(fd_pwrite)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK);
    return transfer(inst, CTX, args, e, true, true, ARG_U64(3), ARG_U32(1), ARG_U32(2), ARG_U32(4));
}

/* ------------------------------------------------------------------ */
/* Offsets                                                             */
/* ------------------------------------------------------------------ */

/* fd_seek, and fd_tell as a seek by 0 from the current position; the new
 * position goes to out_ptr. */
static wasm_status seek(wasm_instance *inst, struct wasi_ctx *ctx, wasm_value *args, uint32_t fd,
                        int64_t offset, uint32_t whence, uint32_t out_ptr)
{
    /* Reading the offset (cur + 0) only needs fd_tell. */
    uint64_t need =
        (whence == WASI_WHENCE_CUR && offset == 0) ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
    wasi_errno err;
    struct wasi_fd *e = wasi_fd_lookup(ctx, fd, 0, 0, &err);
    if (!e)
        return wasi_result(args, err);
    /* fd_seek implies fd_tell. */
    if (!(e->rights_base & need) &&
        !(need == WASI_RIGHT_FD_TELL && (e->rights_base & WASI_RIGHT_FD_SEEK)))
        return wasi_result(args, WASI_ENOTCAPABLE);
    int how;
    switch (whence) {
    case WASI_WHENCE_SET: how = SEEK_SET; break;
    case WASI_WHENCE_CUR: how = SEEK_CUR; break;
    case WASI_WHENCE_END: how = SEEK_END; break;
    default: return wasi_result(args, WASI_EINVAL);
    }
    uint8_t *out = wasi_mem(inst, out_ptr, 8);
    if (!out)
        return wasi_result(args, WASI_EFAULT);
    off_t pos = lseek(e->host, (off_t)offset, how);
    if (pos < 0)
        return wasi_result(args, wasi_errno_from_host(errno));
    wasi_st64(out, (uint64_t)pos);
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_seek)
{
    return seek(inst, CTX, args, ARG_U32(0), args[1].i64, ARG_U32(2), ARG_U32(3));
}

WASI_HOST_FN(fd_tell)
{
    return seek(inst, CTX, args, ARG_U32(0), 0, WASI_WHENCE_CUR, ARG_U32(1));
}

/* ------------------------------------------------------------------ */
/* Syncing, advice, allocation                                         */
/* ------------------------------------------------------------------ */

WASI_HOST_FN(fd_sync)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_SYNC);
    return wasi_result(args, fsync(e->host) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS);
}

WASI_HOST_FN(fd_datasync)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_DATASYNC);
    return wasi_result(args, fdatasync(e->host) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS);
}

WASI_HOST_FN(fd_advise)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_ADVISE);
    uint64_t offset = ARG_U64(1), len = ARG_U64(2);
    uint32_t advice = ARG_U32(3);
    static const int host_advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                                      POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                                      POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (advice > WASI_ADVICE_NOREUSE || offset > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX)
        return wasi_result(args, WASI_EINVAL);
    int r = posix_fadvise(e->host, (off_t)offset, (off_t)len, host_advice[advice]);
    return wasi_result(args, wasi_errno_from_host(r));
}

WASI_HOST_FN(fd_allocate)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_ALLOCATE);
    uint64_t offset = ARG_U64(1), len = ARG_U64(2);
    if (offset > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX)
        return wasi_result(args, WASI_EINVAL);
    if (offset + len > (uint64_t)INT64_MAX)
        return wasi_result(args, WASI_EFBIG);
    int r;
    do
        r = posix_fallocate(e->host, (off_t)offset, (off_t)len);
    while (r == EINTR && !wasi_interrupted(inst));
    if (r == EINTR)
        return wasm_trap_interrupted(inst);
    return wasi_result(args, wasi_errno_from_host(r));
}

/* ------------------------------------------------------------------ */
/* Descriptor attributes                                               */
/* ------------------------------------------------------------------ */

WASI_HOST_FN(fd_fdstat_get)
{
    wasi_errno err;
    struct wasi_fd *e = wasi_fd_lookup(CTX, ARG_U32(0), 0, 0, &err);
    if (!e)
        return wasi_result(args, err);
    uint8_t *p = wasi_mem(inst, ARG_U32(1), WASI_FDSTAT_SIZE);
    if (!p)
        return wasi_result(args, WASI_EFAULT);
    memset(p, 0, WASI_FDSTAT_SIZE);
    wasi_st8(p + 0, e->type);
    wasi_st16(p + 2, e->flags);
    wasi_st64(p + 8, e->rights_base);
    wasi_st64(p + 16, e->rights_inheriting);
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_fdstat_set_flags)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_FDSTAT_SET_FLAGS);
    uint32_t flags = ARG_U32(1);
    if (flags & ~(uint32_t)WASI_FDFLAGS_ALL)
        return wasi_result(args, WASI_EINVAL);
    /* Linux cannot change the sync flags of an open file. */
    uint16_t sync = WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC;
    if ((flags & sync) != (e->flags & sync))
        return wasi_result(args, WASI_ENOTSUP);
    int status = fcntl(e->host, F_GETFL);
    if (status < 0)
        return wasi_result(args, wasi_errno_from_host(errno));
    status &= ~(O_APPEND | O_NONBLOCK);
    if (flags & WASI_FDFLAG_APPEND)
        status |= O_APPEND;
    if (flags & WASI_FDFLAG_NONBLOCK)
        status |= O_NONBLOCK;
    if (fcntl(e->host, F_SETFL, status) < 0)
        return wasi_result(args, wasi_errno_from_host(errno));
    e->flags = (uint16_t)flags;
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_fdstat_set_rights)
{
    wasi_errno err;
    struct wasi_fd *e = wasi_fd_lookup(CTX, ARG_U32(0), 0, 0, &err);
    if (!e)
        return wasi_result(args, err);
    uint64_t base = ARG_U64(1), inheriting = ARG_U64(2);
    /* Rights can only be dropped. */
    if ((base & ~e->rights_base) || (inheriting & ~e->rights_inheriting))
        return wasi_result(args, WASI_ENOTCAPABLE);
    e->rights_base = base;
    e->rights_inheriting = inheriting;
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_filestat_get)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_FILESTAT_GET);
    uint8_t *p = wasi_mem(inst, ARG_U32(1), WASI_FILESTAT_SIZE);
    if (!p)
        return wasi_result(args, WASI_EFAULT);
    struct stat st;
    if (fstat(e->host, &st) < 0)
        return wasi_result(args, wasi_errno_from_host(errno));
    wasi_store_filestat(p, &st, e->type);
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_filestat_set_size)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_FILESTAT_SET_SIZE);
    uint64_t size = ARG_U64(1);
    if (size > (uint64_t)INT64_MAX)
        return wasi_result(args, WASI_EINVAL);
    return wasi_result(args, ftruncate(e->host, (off_t)size) < 0 ? wasi_errno_from_host(errno)
                                                                 : WASI_ESUCCESS);
}

WASI_HOST_FN(fd_filestat_set_times)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_FILESTAT_SET_TIMES);
    struct timespec ts[2];
    wasi_errno err = wasi_times_from_guest(ARG_U64(1), ARG_U64(2), ARG_U32(3), ts);
    if (err)
        return wasi_result(args, err);
    return wasi_result(args,
                       futimens(e->host, ts) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ */
/* Preopens, closing, renumbering                                      */
/* ------------------------------------------------------------------ */

/* A preopened directory (EBADF for any other fd). */
static struct wasi_fd *lookup_preopen(struct wasi_ctx *ctx, uint32_t fd, wasi_errno *err)
{
    struct wasi_fd *e = wasi_fd_lookup(ctx, fd, 0, 0, err);
    if (e && !e->preopen) {
        *err = WASI_EBADF;
        return NULL;
    }
    return e;
}

WASI_HOST_FN(fd_prestat_get)
{
    wasi_errno err;
    struct wasi_fd *e = lookup_preopen(CTX, ARG_U32(0), &err);
    if (!e)
        return wasi_result(args, err);
    uint8_t *p = wasi_mem(inst, ARG_U32(1), WASI_PRESTAT_SIZE);
    if (!p)
        return wasi_result(args, WASI_EFAULT);
    memset(p, 0, WASI_PRESTAT_SIZE);
    wasi_st8(p, WASI_PREOPENTYPE_DIR);
    wasi_st32(p + 4, (uint32_t)strlen(e->preopen));
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_prestat_dir_name)
{
    wasi_errno err;
    struct wasi_fd *e = lookup_preopen(CTX, ARG_U32(0), &err);
    if (!e)
        return wasi_result(args, err);
    uint32_t len = ARG_U32(2);
    uint8_t *p = wasi_mem(inst, ARG_U32(1), len);
    if (!p)
        return wasi_result(args, WASI_EFAULT);
    size_t name_len = strlen(e->preopen);
    if (len < name_len)
        return wasi_result(args, WASI_ENAMETOOLONG);
    memcpy(p, e->preopen, name_len); /* no NUL: the length came from fd_prestat_get */
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_close)
{
    wasi_errno err;
    if (!wasi_fd_lookup(CTX, ARG_U32(0), 0, 0, &err))
        return wasi_result(args, err);
    wasi_fd_close_slot(CTX, ARG_U32(0));
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(fd_renumber)
{
    struct wasi_ctx *ctx = CTX;
    uint32_t from = ARG_U32(0), to = ARG_U32(1);
    wasi_errno err;
    if (!wasi_fd_lookup(ctx, from, 0, 0, &err) || !wasi_fd_lookup(ctx, to, 0, 0, &err))
        return wasi_result(args, err);
    if (from != to) {
        wasi_fd_close_slot(ctx, to);
        ctx->fds[to] = ctx->fds[from];
        ctx->fds[from] = (struct wasi_fd){.host = -1};
    }
    return wasi_result(args, WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ */
/* fd_readdir                                                          */
/* ------------------------------------------------------------------ */

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static uint8_t dirent_type(int dirfd, const struct linux_dirent64 *d)
{
    switch (d->d_type) {
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case DT_FIFO: return WASI_FILETYPE_UNKNOWN;
    default: {
        /* Some file systems do not fill d_type. */
        struct stat st;
        if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            return wasi_filetype_of(-1, st.st_mode);
        return WASI_FILETYPE_UNKNOWN;
    }
    }
}

/* Entries are the kernel's, "." and ".." included; a cookie is the
 * kernel's d_off of the entry before (0: the start), so a guest can resume
 * anywhere.  The buffer is filled completely, the last entry possibly cut,
 * so bufused < buf_len means the end of the directory was reached. */
WASI_HOST_FN(fd_readdir)
{
    LOOKUP_FD(e, WASI_RIGHT_FD_READDIR);
    uint32_t buf_len = ARG_U32(2);
    uint8_t *buf = wasi_mem(inst, ARG_U32(1), buf_len);
    uint8_t *used_out = wasi_mem(inst, ARG_U32(4), 4);
    if (!buf || !used_out)
        return wasi_result(args, WASI_EFAULT);
    uint64_t cookie = ARG_U64(3);
    if (cookie > (uint64_t)INT64_MAX)
        return wasi_result(args, WASI_EINVAL);
    if (lseek(e->host, (off_t)cookie, SEEK_SET) < 0)
        return wasi_result(args, wasi_errno_from_host(errno));

    static _Thread_local uint64_t host_buf[4096]; /* 32 KiB, 8-byte aligned */
    uint32_t used = 0;
    while (used < buf_len) {
        long n = syscall(SYS_getdents64, e->host, host_buf, sizeof host_buf);
        if (n < 0)
            return wasi_result(args, wasi_errno_from_host(errno));
        if (n == 0)
            break;
        for (long off = 0; off < n && used < buf_len;) {
            const struct linux_dirent64 *d = (const void *)((const char *)host_buf + off);
            off += d->d_reclen;
            uint32_t namlen = (uint32_t)strlen(d->d_name);
            uint8_t entry[WASI_DIRENT_SIZE] = {0};
            wasi_st64(entry + 0, (uint64_t)d->d_off);
            wasi_st64(entry + 8, d->d_ino);
            wasi_st32(entry + 16, namlen);
            wasi_st8(entry + 20, dirent_type(e->host, d));
            uint32_t room = buf_len - used;
            uint32_t k = room < WASI_DIRENT_SIZE ? room : WASI_DIRENT_SIZE;
            memcpy(buf + used, entry, k);
            used += k;
            room -= k;
            k = room < namlen ? room : namlen;
            memcpy(buf + used, d->d_name, k);
            used += k;
        }
    }
    wasi_st32(used_out, used);
    return wasi_result(args, WASI_ESUCCESS);
}
