/* path.c: the path_* functions and the sandbox: every path a guest gives
 * is resolved beneath the directory descriptor it is relative to.
 *
 * Resolution uses openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): the
 * kernel refuses absolute paths, absolute symlinks and any `..` (literal or
 * from a symlink) that would climb above the starting directory, and
 * returns EAGAIN when a concurrent rename could have let `..` escape.  On
 * kernels without openat2 (before 5.6) walk_beneath() does the same by
 * hand: one component at a time with O_NOFOLLOW, symlinks expanded in user
 * space, and `..` answered from a stack of the directories already opened,
 * never by asking the kernel for a parent, so a directory moved away during
 * the walk cannot lead outside.
 *
 * Operations on the last component (mkdir, unlink, rename, symlink, link
 * target) resolve the parent directory beneath and then act on the last
 * name with the *at call: for those calls the kernel never follows a final
 * symlink nor acts on a final "." or "..".  Operations that read through
 * the last component (stat, utimes, readlink, link source) open it with
 * O_PATH beneath and work on that descriptor.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi_impl.h"

#define CTX        ((struct wasi_ctx *)ud)
#define ARG_U32(i) ((uint32_t)args[i].i32)
#define ARG_U64(i) ((uint64_t)args[i].i64)

/* Internal result: the runtime was interrupted while a path call blocked
 * (opening a FIFO); never shown to the guest. */
#define WASI_INTERRUPTED 0xffff

#define RETURN_ERR(err) \
    return (err) == WASI_INTERRUPTED ? wasm_trap_interrupted(inst) : wasi_result(args, (err))

#define WALK_MAX_SYMLINKS 40
#define WALK_MAX_DEPTH    1024

/* A guest path (pointer, length) as a host C string. */
static wasi_errno load_path(wasm_instance *inst, uint32_t ptr, uint32_t len, char buf[PATH_MAX])
{
    const uint8_t *p = wasi_mem(inst, ptr, len);
    if (!p)
        return WASI_EFAULT;
    if (len >= PATH_MAX)
        return WASI_ENAMETOOLONG;
    if (memchr(p, '\0', len))
        return WASI_EINVAL; /* no file name contains a NUL */
    memcpy(buf, p, len);
    buf[len] = '\0';
    return WASI_ESUCCESS;
}

/* ------------------------------------------------------------------ */
/* Resolution beneath a directory                                      */
/* ------------------------------------------------------------------ */

/* The hand-written walk: see the top of the file. */
static int walk_beneath(int dirfd, const char *path, int flags, mode_t mode, bool follow,
                        wasi_errno *err)
{
    char rest[2 * PATH_MAX]; /* what is left to resolve */
    char spliced[2 * PATH_MAX];
    char name[NAME_MAX + 1];
    int stack[WALK_MAX_DEPTH];
    int depth = 0, links = 0, result = -1;
    /* O_CREAT|O_EXCL never follows a final symlink (POSIX). */
    if ((flags & O_CREAT) && (flags & O_EXCL))
        follow = false;

    if (path[0] == '\0') {
        *err = WASI_ENOENT;
        return -1;
    }
    if (path[0] == '/') {
        *err = WASI_ENOTCAPABLE;
        return -1;
    }
    snprintf(rest, sizeof rest, "%s", path);
    char *p = rest;
#define CUR (depth ? stack[depth - 1] : dirfd)

    for (;;) {
        while (*p == '/')
            p++;
        if (*p == '\0') {
            /* The path ended on a directory: "dir/", ".", "a/..". */
            result = openat(CUR, ".", flags | O_CLOEXEC, mode);
            goto opened;
        }
        char *q = p;
        while (*q && *q != '/')
            q++;
        size_t clen = (size_t)(q - p);
        const char *after = q;
        while (*after == '/')
            after++;
        bool last = *after == '\0';
        bool trailing_slash = last && *q == '/';
        if (clen > NAME_MAX) {
            *err = WASI_ENAMETOOLONG;
            goto out;
        }
        memcpy(name, p, clen);
        name[clen] = '\0';
        p = q;

        if (!strcmp(name, "."))
            continue;
        if (!strcmp(name, "..")) {
            if (depth == 0) {
                *err = WASI_ENOTCAPABLE;
                goto out;
            }
            close(stack[--depth]);
            continue;
        }
        if (!last || follow || trailing_slash) {
            int fd = openat(CUR, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                if (last && errno == ENOENT && (flags & O_CREAT) && !trailing_slash)
                    goto final; /* create it */
                *err = wasi_errno_from_host(errno);
                goto out;
            }
            struct stat st;
            if (fstat(fd, &st) < 0) {
                *err = wasi_errno_from_host(errno);
                close(fd);
                goto out;
            }
            if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
                close(fd);
                if (n < 0) {
                    *err = wasi_errno_from_host(errno);
                    goto out;
                }
                target[n] = '\0';
                if (++links > WALK_MAX_SYMLINKS) {
                    *err = WASI_ELOOP;
                    goto out;
                }
                if (n == 0) {
                    *err = WASI_ENOENT;
                    goto out;
                }
                if (target[0] == '/') {
                    *err = WASI_ENOTCAPABLE;
                    goto out;
                }
                /* Go on with the link's target followed by what was left
                 * (which begins with '/' when anything is left). */
                int len = snprintf(spliced, sizeof spliced, "%s%s", target, p);
                if (len < 0 || (size_t)len >= sizeof rest) {
                    *err = WASI_ENAMETOOLONG;
                    goto out;
                }
                memcpy(rest, spliced, (size_t)len + 1);
                p = rest;
                continue;
            }
            if (!last || trailing_slash) {
                if (!S_ISDIR(st.st_mode)) {
                    close(fd);
                    *err = WASI_ENOTDIR;
                    goto out;
                }
                if (depth == WALK_MAX_DEPTH) {
                    close(fd);
                    *err = WASI_ENAMETOOLONG;
                    goto out;
                }
                stack[depth++] = fd;
                continue; /* a trailing slash ends the loop at the top */
            }
            close(fd);
        }
final:
        /* The last component, known not to be a symlink to follow.  Should a
         * symlink appear there meanwhile, O_NOFOLLOW refuses it (ELOOP),
         * except with O_PATH, which opens the link itself. */
        result = openat(CUR, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
opened:
        if (result < 0)
            *err = wasi_errno_from_host(errno); /* EINTR: open_beneath walks again */
        goto out;
    }
out:
    while (depth > 0)
        close(stack[--depth]);
#undef CUR
    return result;
}

/* Open `path` beneath `dirfd` with open(2) flags; `follow` says whether a
 * symlink in the last component is followed.  Returns a host descriptor,
 * or -1 with *err (ENOTCAPABLE for any attempt to leave the directory). */
static int open_beneath(struct wasi_ctx *ctx, wasm_instance *inst, int dirfd, const char *path,
                        int flags, mode_t mode, bool follow, wasi_errno *err)
{
    if (!ctx->no_openat2) {
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)),
            .mode = (flags & O_CREAT) ? mode : 0,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
        };
        for (int tries = 0;; tries++) {
            int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
            if (fd >= 0)
                return fd;
            if (errno == EAGAIN && tries < 128)
                continue; /* a rename raced a "..": resolve again */
            if (errno == EINTR) {
                if (wasi_interrupted(inst) || wasi_stop_requested(inst)) {
                    /* opening a FIFO waits for the other end */
                    *err = wasi_interrupted(inst) ? WASI_INTERRUPTED : WASI_EINTR;
                    return -1;
                }
                continue;
            }
            if (errno == ENOSYS) {
                ctx->no_openat2 = true;
                break;
            }
            *err = errno == EXDEV ? WASI_ENOTCAPABLE : wasi_errno_from_host(errno);
            return -1;
        }
    }
    for (;;) {
        int fd = walk_beneath(dirfd, path, flags, mode, follow, err);
        if (fd >= 0 || *err != WASI_EINTR)
            return fd;
        if (wasi_interrupted(inst)) {
            *err = WASI_INTERRUPTED;
            return -1;
        }
        if (wasi_stop_requested(inst))
            return -1; /* with WASI_EINTR */
    }
}

/* Resolve the directory part of `path` (modified in place) beneath dirfd;
 * *base is left pointing at the last component, trailing slashes kept for
 * the *at call to judge.  *pfd is to be released with put_parent(). */
static wasi_errno open_parent(struct wasi_ctx *ctx, wasm_instance *inst, int dirfd, char *path,
                              int *pfd, const char **base)
{
    size_t len = strlen(path);
    if (len == 0)
        return WASI_ENOENT;
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    size_t end = len;
    while (end > 0 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *base = path + start;
    if (start == 0) {
        *pfd = dirfd;
        return WASI_ESUCCESS;
    }
    path[start - 1] = '\0';
    wasi_errno err;
    int fd = open_beneath(ctx, inst, dirfd, path, O_PATH | O_DIRECTORY, 0, true, &err);
    if (fd < 0)
        return err;
    *pfd = fd;
    return WASI_ESUCCESS;
}

static void put_parent(int pfd, int dirfd)
{
    if (pfd != dirfd)
        close(pfd);
}

/* Lookup flags other than symlink_follow are invalid. */
static bool bad_lookupflags(uint32_t flags)
{
    return (flags & ~(uint32_t)WASI_LOOKUP_SYMLINK_FOLLOW) != 0;
}

/* The directory a path call starts from: guest fd `fd` with `right`, and
 * its lookup flags valid (0 for calls that take none). */
static struct wasi_fd *lookup_dir(struct wasi_ctx *ctx, uint32_t fd, uint64_t right,
                                  uint32_t lookupflags, wasi_errno *err)
{
    struct wasi_fd *dir = wasi_fd_lookup(ctx, fd, right, 0, err);
    if (dir && bad_lookupflags(lookupflags)) {
        *err = WASI_EINVAL;
        return NULL;
    }
    return dir;
}

/* Open with O_PATH what the guest path at (ptr, len) names beneath dirfd,
 * following a final symlink only when asked: an fd, or -1 with *err. */
static int open_path_arg(struct wasi_ctx *ctx, wasm_instance *inst, int dirfd, uint32_t ptr,
                         uint32_t len, bool follow, wasi_errno *err)
{
    char path[PATH_MAX];
    if ((*err = load_path(inst, ptr, len, path)))
        return -1;
    return open_beneath(ctx, inst, dirfd, path, O_PATH, 0, follow, err);
}

/* What a call does to the last component `base` of a path, in its parent
 * directory pfd: 0, or -1 with errno. */
typedef int (*at_parent_op)(int pfd, const char *base, const void *arg);

/* Resolve the parent of `path` beneath dirfd and act on its last
 * component there (see the top of the file). */
static wasi_errno at_parent(struct wasi_ctx *ctx, wasm_instance *inst, int dirfd, char *path,
                            at_parent_op op, const void *arg)
{
    int pfd;
    const char *base;
    wasi_errno err = open_parent(ctx, inst, dirfd, path, &pfd, &base);
    if (err)
        return err;
    err = op(pfd, base, arg) < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
    put_parent(pfd, dirfd);
    return err;
}

/* ------------------------------------------------------------------ */
/* path_open                                                           */
/* ------------------------------------------------------------------ */

WASI_HOST_FN(path_open)
{
    struct wasi_ctx *ctx = CTX;
    uint32_t dirflags = ARG_U32(1), oflags = ARG_U32(4), fdflags = ARG_U32(7);
    uint64_t base = ARG_U64(5), inheriting = ARG_U64(6);
    if (bad_lookupflags(dirflags) || (oflags & ~(uint32_t)WASI_OFLAGS_ALL) ||
        (fdflags & ~(uint32_t)WASI_FDFLAGS_ALL))
        return wasi_result(args, WASI_EINVAL);

    /* What the directory must allow: opening, creating and truncating
     * through it, and handing out the rights asked for. */
    uint64_t need_base = WASI_RIGHT_PATH_OPEN;
    if (oflags & WASI_O_CREAT)
        need_base |= WASI_RIGHT_PATH_CREATE_FILE;
    if (oflags & WASI_O_TRUNC)
        need_base |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
    uint64_t need_inheriting = base | inheriting;
    if (fdflags & WASI_FDFLAG_DSYNC)
        need_inheriting |= WASI_RIGHT_FD_DATASYNC;
    if (fdflags & (WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
        need_inheriting |= WASI_RIGHT_FD_SYNC;
    wasi_errno err;
    struct wasi_fd *dir = wasi_fd_lookup(ctx, ARG_U32(0), need_base, need_inheriting, &err);
    if (!dir)
        return wasi_result(args, err);
    int dirfd = dir->host; /* `dir` may move when the table grows below */

    uint8_t *result = wasi_mem(inst, ARG_U32(8), 4);
    if (!result)
        return wasi_result(args, WASI_EFAULT);
    char path[PATH_MAX];
    if ((err = load_path(inst, ARG_U32(2), ARG_U32(3), path)))
        return wasi_result(args, err);

    /* The access mode follows from the rights asked for. */
    bool read = base & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
    bool write = base & (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_ALLOCATE |
                         WASI_RIGHT_FD_FILESTAT_SET_SIZE);
    int flags = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (oflags & WASI_O_DIRECTORY)
        flags = O_RDONLY | O_DIRECTORY; /* directories are never opened for writing */
    if (oflags & WASI_O_CREAT)
        flags |= O_CREAT;
    if (oflags & WASI_O_EXCL)
        flags |= O_EXCL;
    if (oflags & WASI_O_TRUNC)
        flags |= O_TRUNC;
    flags |= wasi_fdflags_to_host((uint16_t)fdflags) | O_NOCTTY;

    uint32_t slot;
    if ((err = wasi_fd_reserve(ctx, &slot)))
        return wasi_result(args, err);
    int fd = open_beneath(ctx, inst, dirfd, path, flags, 0666,
                          dirflags & WASI_LOOKUP_SYMLINK_FOLLOW, &err);
    if (fd < 0)
        RETURN_ERR(err);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        err = wasi_errno_from_host(errno);
        close(fd);
        return wasi_result(args, err);
    }
    wasi_fd_install(ctx, slot, fd, wasi_filetype_of(fd, st.st_mode), (uint16_t)fdflags, base,
                    inheriting);
    wasi_st32(result, slot);
    return wasi_result(args, WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ */
/* Reading through a path                                              */
/* ------------------------------------------------------------------ */

WASI_HOST_FN(path_filestat_get)
{
    struct wasi_ctx *ctx = CTX;
    uint32_t flags = ARG_U32(1);
    wasi_errno err;
    struct wasi_fd *dir = lookup_dir(ctx, ARG_U32(0), WASI_RIGHT_PATH_FILESTAT_GET, flags, &err);
    if (!dir)
        return wasi_result(args, err);
    uint8_t *out = wasi_mem(inst, ARG_U32(4), WASI_FILESTAT_SIZE);
    if (!out)
        return wasi_result(args, WASI_EFAULT);
    int fd = open_path_arg(ctx, inst, dir->host, ARG_U32(2), ARG_U32(3),
                           flags & WASI_LOOKUP_SYMLINK_FOLLOW, &err);
    if (fd < 0)
        RETURN_ERR(err);
    struct stat st;
    int r = fstat(fd, &st);
    err = r < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
    close(fd);
    if (r < 0)
        return wasi_result(args, err);
    wasi_store_filestat(out, &st, wasi_filetype_of(-1, st.st_mode));
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(path_filestat_set_times)
{
    struct wasi_ctx *ctx = CTX;
    uint32_t flags = ARG_U32(1);
    wasi_errno err;
    struct wasi_fd *dir =
        lookup_dir(ctx, ARG_U32(0), WASI_RIGHT_PATH_FILESTAT_SET_TIMES, flags, &err);
    if (!dir)
        return wasi_result(args, err);
    struct timespec ts[2];
    if ((err = wasi_times_from_guest(ARG_U64(4), ARG_U64(5), ARG_U32(6), ts)))
        return wasi_result(args, err);
    int fd = open_path_arg(ctx, inst, dir->host, ARG_U32(2), ARG_U32(3),
                           flags & WASI_LOOKUP_SYMLINK_FOLLOW, &err);
    if (fd < 0)
        RETURN_ERR(err);
    /* utimensat on the O_PATH descriptor itself (Linux 5.8+), else through
     * its /proc link, which names exactly the object opened. */
    int r = utimensat(fd, "", ts, AT_EMPTY_PATH);
    if (r < 0 && errno == EINVAL) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        r = utimensat(AT_FDCWD, proc, ts, 0);
    }
    err = r < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
    close(fd);
    return wasi_result(args, err);
}

WASI_HOST_FN(path_readlink)
{
    struct wasi_ctx *ctx = CTX;
    wasi_errno err;
    struct wasi_fd *dir = wasi_fd_lookup(ctx, ARG_U32(0), WASI_RIGHT_PATH_READLINK, 0, &err);
    if (!dir)
        return wasi_result(args, err);
    uint32_t buf_len = ARG_U32(4);
    uint8_t *buf = wasi_mem(inst, ARG_U32(3), buf_len);
    uint8_t *used = wasi_mem(inst, ARG_U32(5), 4);
    if (!buf || !used)
        return wasi_result(args, WASI_EFAULT);
    int fd = open_path_arg(ctx, inst, dir->host, ARG_U32(1), ARG_U32(2), false, &err);
    if (fd < 0)
        RETURN_ERR(err);
    struct stat st;
    char target[PATH_MAX];
    ssize_t n = -1;
    if (fstat(fd, &st) < 0)
        err = wasi_errno_from_host(errno);
    else if (!S_ISLNK(st.st_mode))
        err = WASI_EINVAL;
    else if ((n = readlinkat(fd, "", target, sizeof target)) < 0)
        err = wasi_errno_from_host(errno);
    close(fd);
    if (n < 0)
        return wasi_result(args, err);
    /* Like readlink(2): as much as fits, no NUL. */
    uint32_t k = (uint64_t)n < buf_len ? (uint32_t)n : buf_len;
    memcpy(buf, target, k);
    wasi_st32(used, k);
    return wasi_result(args, WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ */
/* Changing names                                                      */
/* ------------------------------------------------------------------ */

static int op_mkdir(int pfd, const char *base, const void *unused)
{
    (void)unused;
    return mkdirat(pfd, base, 0777);
}

WASI_HOST_FN(path_create_directory)
{
    struct wasi_ctx *ctx = CTX;
    wasi_errno err;
    struct wasi_fd *dir =
        wasi_fd_lookup(ctx, ARG_U32(0), WASI_RIGHT_PATH_CREATE_DIRECTORY, 0, &err);
    if (!dir)
        return wasi_result(args, err);
    char path[PATH_MAX];
    if ((err = load_path(inst, ARG_U32(1), ARG_U32(2), path)))
        return wasi_result(args, err);
    err = at_parent(ctx, inst, dir->host, path, op_mkdir, NULL);
    RETURN_ERR(err);
}

static int op_unlink(int pfd, const char *base, const void *at_flags)
{
    return unlinkat(pfd, base, *(const int *)at_flags);
}

static wasm_status unlink_common(wasm_instance *inst, struct wasi_ctx *ctx, wasm_value *args,
                                 uint64_t right, int at_flags)
{
    wasi_errno err;
    struct wasi_fd *dir = wasi_fd_lookup(ctx, ARG_U32(0), right, 0, &err);
    if (!dir)
        return wasi_result(args, err);
    char path[PATH_MAX];
    if ((err = load_path(inst, ARG_U32(1), ARG_U32(2), path)))
        return wasi_result(args, err);
    err = at_parent(ctx, inst, dir->host, path, op_unlink, &at_flags);
    /* Some file systems say EEXIST for a directory that is not empty. */
    if (err == WASI_EEXIST && at_flags == AT_REMOVEDIR)
        err = WASI_ENOTEMPTY;
    RETURN_ERR(err);
}

WASI_HOST_FN(path_remove_directory)
{
    return unlink_common(inst, CTX, args, WASI_RIGHT_PATH_REMOVE_DIRECTORY, AT_REMOVEDIR);
}

WASI_HOST_FN(path_unlink_file)
{
    return unlink_common(inst, CTX, args, WASI_RIGHT_PATH_UNLINK_FILE, 0);
}

WASI_HOST_FN(path_rename)
{
    struct wasi_ctx *ctx = CTX;
    wasi_errno err;
    struct wasi_fd *from = wasi_fd_lookup(ctx, ARG_U32(0), WASI_RIGHT_PATH_RENAME_SOURCE, 0, &err);
    if (!from)
        return wasi_result(args, err);
    struct wasi_fd *to = wasi_fd_lookup(ctx, ARG_U32(3), WASI_RIGHT_PATH_RENAME_TARGET, 0, &err);
    if (!to)
        return wasi_result(args, err);
    char old_path[PATH_MAX], new_path[PATH_MAX];
    if ((err = load_path(inst, ARG_U32(1), ARG_U32(2), old_path)) ||
        (err = load_path(inst, ARG_U32(4), ARG_U32(5), new_path)))
        return wasi_result(args, err);
    int old_dir, new_dir;
    const char *old_base, *new_base;
    if ((err = open_parent(ctx, inst, from->host, old_path, &old_dir, &old_base)))
        RETURN_ERR(err);
    if ((err = open_parent(ctx, inst, to->host, new_path, &new_dir, &new_base))) {
        put_parent(old_dir, from->host);
        RETURN_ERR(err);
    }
    err = renameat(old_dir, old_base, new_dir, new_base) < 0 ? wasi_errno_from_host(errno)
                                                             : WASI_ESUCCESS;
    put_parent(old_dir, from->host);
    put_parent(new_dir, to->host);
    return wasi_result(args, err);
}

static int op_symlink(int pfd, const char *base, const void *target)
{
    return symlinkat(target, pfd, base);
}

WASI_HOST_FN(path_symlink)
{
    struct wasi_ctx *ctx = CTX;
    wasi_errno err;
    struct wasi_fd *dir = wasi_fd_lookup(ctx, ARG_U32(2), WASI_RIGHT_PATH_SYMLINK, 0, &err);
    if (!dir)
        return wasi_result(args, err);
    char target[PATH_MAX], path[PATH_MAX];
    if ((err = load_path(inst, ARG_U32(0), ARG_U32(1), target)) ||
        (err = load_path(inst, ARG_U32(3), ARG_U32(4), path)))
        return wasi_result(args, err);
    /* An absolute link could never be followed inside the sandbox, and
     * would point host programs at host paths the guest chose. */
    if (target[0] == '/')
        return wasi_result(args, WASI_ENOTCAPABLE);
    err = at_parent(ctx, inst, dir->host, path, op_symlink, target);
    RETURN_ERR(err);
}

WASI_HOST_FN(path_link)
{
    struct wasi_ctx *ctx = CTX;
    uint32_t old_flags = ARG_U32(1);
    wasi_errno err;
    struct wasi_fd *from = wasi_fd_lookup(ctx, ARG_U32(0), WASI_RIGHT_PATH_LINK_SOURCE, 0, &err);
    if (!from)
        return wasi_result(args, err);
    struct wasi_fd *to = lookup_dir(ctx, ARG_U32(4), WASI_RIGHT_PATH_LINK_TARGET, old_flags, &err);
    if (!to)
        return wasi_result(args, err);
    char old_path[PATH_MAX], new_path[PATH_MAX];
    if ((err = load_path(inst, ARG_U32(2), ARG_U32(3), old_path)) ||
        (err = load_path(inst, ARG_U32(5), ARG_U32(6), new_path)))
        return wasi_result(args, err);
    /* The source is opened beneath (following a final symlink only when
     * asked), so linkat never resolves a guest path itself. */
    int src = open_beneath(ctx, inst, from->host, old_path, O_PATH, 0,
                           old_flags & WASI_LOOKUP_SYMLINK_FOLLOW, &err);
    if (src < 0)
        RETURN_ERR(err);
    int pfd;
    const char *base;
    if ((err = open_parent(ctx, inst, to->host, new_path, &pfd, &base))) {
        close(src);
        RETURN_ERR(err);
    }
    /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link does not. */
    int r = linkat(src, "", pfd, base, AT_EMPTY_PATH);
    if (r < 0 && errno == ENOENT) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", src);
        r = linkat(AT_FDCWD, proc, pfd, base, AT_SYMLINK_FOLLOW);
    }
    err = r < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
    put_parent(pfd, to->host);
    close(src);
    return wasi_result(args, err);
}
