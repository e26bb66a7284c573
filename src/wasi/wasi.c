/* wasi.c: the WASI context, the guest descriptor table and the table of
 * imports that wasi_define() puts on a linker.  (Errno translation:
 * include/wasi_errno.h.) */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi_impl.h"

/* ------------------------------------------------------------------ */
/* File types, rights, flags                                           */
/* ------------------------------------------------------------------ */

uint8_t wasi_filetype_of(int host, mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFSOCK: {
        int type = 0;
        socklen_t len = sizeof type;
        if (host >= 0 && getsockopt(host, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
            type == SOCK_DGRAM)
            return WASI_FILETYPE_SOCKET_DGRAM;
        return WASI_FILETYPE_SOCKET_STREAM;
    }
    default: return WASI_FILETYPE_UNKNOWN; /* FIFOs: preview1 has no pipe type */
    }
}

void wasi_max_rights(uint8_t type, uint64_t *base, uint64_t *inheriting)
{
    switch (type) {
    case WASI_FILETYPE_REGULAR_FILE:
    case WASI_FILETYPE_BLOCK_DEVICE:
        *base = WASI_RIGHTS_REGULAR_FILE;
        *inheriting = 0;
        break;
    case WASI_FILETYPE_DIRECTORY:
        *base = WASI_RIGHTS_DIRECTORY;
        *inheriting = WASI_RIGHTS_DIRECTORY | WASI_RIGHTS_REGULAR_FILE;
        break;
    case WASI_FILETYPE_SOCKET_STREAM:
    case WASI_FILETYPE_SOCKET_DGRAM:
        *base = WASI_RIGHTS_SOCKET;
        *inheriting = 0;
        break;
    default: /* character devices, FIFOs */
        *base = WASI_RIGHTS_STREAM;
        *inheriting = 0;
        break;
    }
}

/* WASI fd flag <-> open(2) flag.  O_SYNC includes O_DSYNC's bit, so from
 * the host SYNC is tested before DSYNC, and RSYNC (the same as O_SYNC on
 * Linux) is never reported back. */
static const struct {
    uint16_t wasi;
    int host;
    bool reported;
} fdflag_map[] = {
    {WASI_FDFLAG_APPEND, O_APPEND, true}, {WASI_FDFLAG_NONBLOCK, O_NONBLOCK, true},
    {WASI_FDFLAG_SYNC, O_SYNC, true},     {WASI_FDFLAG_DSYNC, O_DSYNC, true},
    {WASI_FDFLAG_RSYNC, O_RSYNC, false},
};

uint16_t wasi_fdflags_from_host(int oflags)
{
    uint16_t f = 0;
    for (size_t i = 0; i < sizeof fdflag_map / sizeof fdflag_map[0]; i++) {
        int host = fdflag_map[i].host;
        if (fdflag_map[i].reported && (oflags & host) == host) {
            f |= fdflag_map[i].wasi;
            oflags &= ~host; /* O_SYNC's bits: not DSYNC too */
        }
    }
    return f;
}

int wasi_fdflags_to_host(uint16_t flags)
{
    int o = 0;
    for (size_t i = 0; i < sizeof fdflag_map / sizeof fdflag_map[0]; i++)
        if (flags & fdflag_map[i].wasi)
            o |= fdflag_map[i].host;
    return o;
}

static uint64_t timespec_ns(const struct timespec *ts)
{
    if (ts->tv_sec < 0)
        return 0; /* before 1970: WASI timestamps are unsigned */
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

void wasi_store_filestat(uint8_t *p, const struct stat *st, uint8_t type)
{
    memset(p, 0, WASI_FILESTAT_SIZE);
    wasi_st64(p + 0, st->st_dev);
    wasi_st64(p + 8, st->st_ino);
    wasi_st8(p + 16, type);
    wasi_st64(p + 24, st->st_nlink);
    wasi_st64(p + 32, (uint64_t)st->st_size);
    wasi_st64(p + 40, timespec_ns(&st->st_atim));
    wasi_st64(p + 48, timespec_ns(&st->st_mtim));
    wasi_st64(p + 56, timespec_ns(&st->st_ctim));
}

wasi_errno wasi_times_from_guest(uint64_t atim, uint64_t mtim, uint32_t fst_flags,
                                 struct timespec ts[2])
{
    if (fst_flags & ~(uint32_t)WASI_FSTFLAGS_ALL)
        return WASI_EINVAL;
    if ((fst_flags & WASI_FST_ATIM) && (fst_flags & WASI_FST_ATIM_NOW))
        return WASI_EINVAL;
    if ((fst_flags & WASI_FST_MTIM) && (fst_flags & WASI_FST_MTIM_NOW))
        return WASI_EINVAL;
    const uint64_t values[2] = {atim, mtim};
    const uint32_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM};
    const uint32_t now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
    for (int i = 0; i < 2; i++) {
        if (fst_flags & set[i]) {
            ts[i].tv_sec = (time_t)(values[i] / 1000000000u);
            ts[i].tv_nsec = (long)(values[i] % 1000000000u);
        } else {
            ts[i].tv_sec = 0;
            ts[i].tv_nsec = (fst_flags & now[i]) ? UTIME_NOW : UTIME_OMIT;
        }
    }
    return WASI_ESUCCESS;
}

/* ------------------------------------------------------------------ */
/* Descriptor table                                                    */
/* ------------------------------------------------------------------ */

struct wasi_fd *wasi_fd_lookup(struct wasi_ctx *ctx, uint32_t fd, uint64_t base,
                               uint64_t inheriting, wasi_errno *err)
{
    if (fd >= ctx->nfds || ctx->fds[fd].host < 0) {
        *err = WASI_EBADF;
        return NULL;
    }
    struct wasi_fd *e = &ctx->fds[fd];
    if ((e->rights_base & base) != base || (e->rights_inheriting & inheriting) != inheriting) {
        *err = WASI_ENOTCAPABLE;
        return NULL;
    }
    *err = WASI_ESUCCESS;
    return e;
}

static int fd_table_grow(struct wasi_ctx *ctx, uint32_t want)
{
    if (want <= ctx->nfds)
        return 0;
    uint32_t n = ctx->nfds ? ctx->nfds : 8;
    while (n < want)
        n *= 2;
    if (n > WASI_MAX_FDS)
        n = WASI_MAX_FDS;
    if (n < want)
        return -1;
    struct wasi_fd *fds = realloc(ctx->fds, n * sizeof *fds);
    if (!fds)
        return -1;
    for (uint32_t i = ctx->nfds; i < n; i++)
        fds[i] = (struct wasi_fd){.host = -1};
    ctx->fds = fds;
    ctx->nfds = n;
    return 0;
}

wasi_errno wasi_fd_reserve(struct wasi_ctx *ctx, uint32_t *fd)
{
    for (uint32_t i = 0; i < ctx->nfds; i++) {
        if (ctx->fds[i].host < 0) {
            *fd = i;
            return WASI_ESUCCESS;
        }
    }
    if (ctx->nfds >= WASI_MAX_FDS)
        return WASI_EMFILE;
    uint32_t i = ctx->nfds;
    if (fd_table_grow(ctx, i + 1) < 0)
        return WASI_ENOMEM;
    *fd = i;
    return WASI_ESUCCESS;
}

void wasi_fd_install(struct wasi_ctx *ctx, uint32_t fd, int host, uint8_t type, uint16_t flags,
                     uint64_t base, uint64_t inheriting)
{
    uint64_t max_base, max_inheriting;
    wasi_max_rights(type, &max_base, &max_inheriting);
    struct wasi_fd *e = &ctx->fds[fd];
    e->host = host;
    e->type = type;
    e->flags = flags;
    e->rights_base = base & max_base;
    e->rights_inheriting = inheriting & max_inheriting;
    e->preopen = NULL;
}

void wasi_fd_close_slot(struct wasi_ctx *ctx, uint32_t fd)
{
    struct wasi_fd *e = &ctx->fds[fd];
    if (e->host >= 0)
        close(e->host);
    free(e->preopen);
    *e = (struct wasi_fd){.host = -1};
}

/* ------------------------------------------------------------------ */
/* Guest memory and waiting                                            */
/* ------------------------------------------------------------------ */

wasi_errno wasi_load_iovecs(wasm_instance *inst, uint32_t iovs, uint32_t iovs_len,
                            struct iovec *out, int *count)
{
    const uint8_t *arr = wasi_mem(inst, iovs, (uint64_t)iovs_len * WASI_IOVEC_SIZE);
    if (!arr)
        return WASI_EFAULT;
    uint32_t n = iovs_len < WASI_IOV_MAX ? iovs_len : WASI_IOV_MAX;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = wasi_ld32(arr + i * WASI_IOVEC_SIZE);
        uint32_t len = wasi_ld32(arr + i * WASI_IOVEC_SIZE + 4);
        uint8_t *p = wasi_mem(inst, buf, len);
        if (!p)
            return WASI_EFAULT;
        out[i].iov_base = p;
        out[i].iov_len = len;
    }
    *count = (int)n;
    return WASI_ESUCCESS;
}

bool wasi_interrupted(wasm_instance *inst)
{
    return wasm_runtime_interrupted(wasm_instance_runtime(inst)) != 0;
}

bool wasi_stop_requested(wasm_instance *inst)
{
    return wasm_runtime_stop_requested(wasm_instance_runtime(inst)) != 0;
}

int wasi_wait_fd(wasm_instance *inst, int fd, short events)
{
    wasm_runtime *rt = wasm_instance_runtime(inst);
    /* A stop request ends waits for input; output is still written out, so
     * that what the guest prints after Ctrl-C is not lost.  poll() skips
     * the negative fds. */
    struct pollfd pfd[3] = {
        {.fd = fd, .events = events},
        {.fd = wasm_runtime_interrupt_fd(rt), .events = POLLIN},
        {.fd = (events & POLLIN) ? wasm_runtime_stop_fd(rt) : -1, .events = POLLIN},
    };
    for (;;) {
        if (wasm_runtime_interrupted(rt))
            return 0;
        int r = poll(pfd, 3, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (pfd[1].revents)
            return 0;
        /* Errors and hang-ups count as ready: the read or write that follows
         * reports them. */
        if (pfd[0].revents)
            return 1;
        if (pfd[2].revents) {
            errno = EINTR;
            return -1;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Context                                                             */
/* ------------------------------------------------------------------ */

/* Copy strings back to back into one buffer, as args_get/environ_get hand
 * them to the guest.  Sizes are checked against the 32-bit guest ABI. */
static int pack_strings(int n, const char *const *strs, struct wasi_strings *out)
{
    uint64_t total = 0;
    for (int i = 0; i < n; i++)
        total += strlen(strs[i]) + 1;
    if (total > UINT32_MAX / 2 || (uint64_t)n > UINT32_MAX / 8)
        return -1;
    char *p = malloc(total ? total : 1);
    if (!p)
        return -1;
    out->data = p;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(strs[i]) + 1;
        memcpy(p, strs[i], len);
        p += len;
    }
    out->count = (uint32_t)n;
    out->size = (uint32_t)total;
    return 0;
}

/* Guest fds 0..2.  Streams 1 and 2 are always character devices without
 * seek rights so that wasi-libc line-buffers stdout (see wasi.h); fd 0 shows
 * what it really is (a file given with `< file` stays seekable). */
static int setup_stdio(struct wasi_ctx *ctx, int guest_fd, int host_fd)
{
    ctx->stdio_host[guest_fd] = host_fd;
    ctx->stdio_flags[guest_fd] = -1;
    if (host_fd < 0)
        return 0;
    int status = fcntl(host_fd, F_GETFL);
    if (status < 0)
        return 0; /* not open: the guest fd stays closed */
    int dup_fd = fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
    if (dup_fd < 0)
        return -1;
    ctx->stdio_flags[guest_fd] = status;

    struct stat st;
    uint8_t type = WASI_FILETYPE_UNKNOWN;
    if (fstat(dup_fd, &st) == 0)
        type = wasi_filetype_of(dup_fd, st.st_mode);
    if (guest_fd > 0 || isatty(dup_fd))
        type = WASI_FILETYPE_CHARACTER_DEVICE;

    uint64_t base, inheriting;
    wasi_max_rights(type, &base, &inheriting);
    if (type == WASI_FILETYPE_CHARACTER_DEVICE)
        base = WASI_RIGHTS_STREAM;
    if ((status & O_ACCMODE) == O_RDONLY)
        base &= ~(WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_ALLOCATE |
                  WASI_RIGHT_FD_FILESTAT_SET_SIZE);
    else if ((status & O_ACCMODE) == O_WRONLY)
        base &= ~WASI_RIGHT_FD_READ;
    struct wasi_fd *e = &ctx->fds[guest_fd];
    e->host = dup_fd;
    e->type = type;
    e->flags = wasi_fdflags_from_host(status);
    e->rights_base = base;
    e->rights_inheriting = inheriting;
    e->preopen = NULL;
    return 0;
}

wasi_ctx *wasi_ctx_new(const wasi_config *cfg, char *err, size_t errlen)
{
    struct wasi_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        ctx->stdio_host[i] = -1;
        ctx->stdio_flags[i] = -1;
    }
    /* Tests force the hand-written walk to check it on this kernel too. */
    const char *no2 = getenv("WASM_BPF_WASI_NO_OPENAT2");
    ctx->no_openat2 = no2 && *no2 && strcmp(no2, "0") != 0;

    if (pack_strings(cfg->argc, cfg->argv, &ctx->argv_strs) < 0 ||
        pack_strings(cfg->envc, cfg->envp, &ctx->env_strs) < 0) {
        snprintf(err, errlen, "arguments or environment too large for a 32-bit guest");
        goto fail;
    }
    if (fd_table_grow(ctx, (uint32_t)(3 + cfg->npreopens)) < 0) {
        snprintf(err, errlen, "too many preopened directories");
        goto fail;
    }
    for (int i = 0; i < 3; i++) {
        if (setup_stdio(ctx, i, cfg->stdio[i]) < 0) {
            snprintf(err, errlen, "cannot duplicate standard stream %d: %s", i, strerror(errno));
            goto fail;
        }
    }
    for (size_t i = 0; i < cfg->npreopens; i++) {
        const wasi_preopen *p = &cfg->preopens[i];
        int fd = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(err, errlen, "%s: %s", p->host_path, strerror(errno));
            goto fail;
        }
        uint32_t slot = (uint32_t)(3 + i);
        wasi_fd_install(ctx, slot, fd, WASI_FILETYPE_DIRECTORY, 0, WASI_RIGHTS_DIRECTORY,
                        WASI_RIGHTS_DIRECTORY | WASI_RIGHTS_REGULAR_FILE);
        ctx->fds[slot].preopen = strdup(p->guest_path);
        if (!ctx->fds[slot].preopen) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    return ctx;
fail:
    wasi_ctx_free(ctx);
    return NULL;
}

void wasi_ctx_free(wasi_ctx *ctx)
{
    if (!ctx)
        return;
    for (uint32_t i = 0; i < ctx->nfds; i++)
        wasi_fd_close_slot(ctx, i);
    /* The guest's fds 0..2 share the caller's open file descriptions: undo
     * fd_fdstat_set_flags so that a shell does not inherit a non-blocking
     * terminal. */
    for (int i = 0; i < 3; i++) {
        if (ctx->stdio_flags[i] >= 0) {
            int now = fcntl(ctx->stdio_host[i], F_GETFL);
            if (now >= 0 && now != ctx->stdio_flags[i])
                fcntl(ctx->stdio_host[i], F_SETFL, ctx->stdio_flags[i]);
        }
    }
    free(ctx->fds);
    free(ctx->argv_strs.data);
    free(ctx->env_strs.data);
    free(ctx);
}

int wasi_exit_signal(const wasi_ctx *ctx)
{
    return ctx->exit_signal;
}

/* ------------------------------------------------------------------ */
/* The imports                                                         */
/* ------------------------------------------------------------------ */

/* Signatures follow the witx: handles, sizes, pointers and small flags
 * are i32; filesize, timestamp, rights, dircookie and filedelta are i64. */
static const struct {
    const char *name;
    const char *signature;
    wasm_host_fn fn;
} wasi_imports[] = {
    {"args_get", "(ii)i", wasi_args_get},
    {"args_sizes_get", "(ii)i", wasi_args_sizes_get},
    {"environ_get", "(ii)i", wasi_environ_get},
    {"environ_sizes_get", "(ii)i", wasi_environ_sizes_get},
    {"clock_res_get", "(ii)i", wasi_clock_res_get},
    {"clock_time_get", "(iIi)i", wasi_clock_time_get},
    {"fd_advise", "(iIIi)i", wasi_fd_advise},
    {"fd_allocate", "(iII)i", wasi_fd_allocate},
    {"fd_close", "(i)i", wasi_fd_close},
    {"fd_datasync", "(i)i", wasi_fd_datasync},
    {"fd_fdstat_get", "(ii)i", wasi_fd_fdstat_get},
    {"fd_fdstat_set_flags", "(ii)i", wasi_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "(iII)i", wasi_fd_fdstat_set_rights},
    {"fd_filestat_get", "(ii)i", wasi_fd_filestat_get},
    {"fd_filestat_set_size", "(iI)i", wasi_fd_filestat_set_size},
    {"fd_filestat_set_times", "(iIIi)i", wasi_fd_filestat_set_times},
    {"fd_pread", "(iiiIi)i", wasi_fd_pread},
    {"fd_prestat_get", "(ii)i", wasi_fd_prestat_get},
    {"fd_prestat_dir_name", "(iii)i", wasi_fd_prestat_dir_name},
    {"fd_pwrite", "(iiiIi)i", wasi_fd_pwrite},
    {"fd_read", "(iiii)i", wasi_fd_read},
    {"fd_readdir", "(iiiIi)i", wasi_fd_readdir},
    {"fd_renumber", "(ii)i", wasi_fd_renumber},
    {"fd_seek", "(iIii)i", wasi_fd_seek},
    {"fd_sync", "(i)i", wasi_fd_sync},
    {"fd_tell", "(ii)i", wasi_fd_tell},
    {"fd_write", "(iiii)i", wasi_fd_write},
    {"path_create_directory", "(iii)i", wasi_path_create_directory},
    {"path_filestat_get", "(iiiii)i", wasi_path_filestat_get},
    {"path_filestat_set_times", "(iiiiIIi)i", wasi_path_filestat_set_times},
    {"path_link", "(iiiiiii)i", wasi_path_link},
    {"path_open", "(iiiiiIIii)i", wasi_path_open},
    {"path_readlink", "(iiiiii)i", wasi_path_readlink},
    {"path_remove_directory", "(iii)i", wasi_path_remove_directory},
    {"path_rename", "(iiiiii)i", wasi_path_rename},
    {"path_symlink", "(iiiii)i", wasi_path_symlink},
    {"path_unlink_file", "(iii)i", wasi_path_unlink_file},
    {"poll_oneoff", "(iiii)i", wasi_poll_oneoff},
    {"proc_exit", "(i)", wasi_proc_exit},
    {"proc_raise", "(i)i", wasi_proc_raise},
    {"sched_yield", "()i", wasi_sched_yield},
    {"random_get", "(ii)i", wasi_random_get},
    {"sock_accept", "(iii)i", wasi_sock_accept},
    {"sock_recv", "(iiiiii)i", wasi_sock_recv},
    {"sock_send", "(iiiii)i", wasi_sock_send},
    {"sock_shutdown", "(ii)i", wasi_sock_shutdown},
};

int wasi_define(wasi_ctx *ctx, wasm_linker *l)
{
    for (size_t i = 0; i < sizeof wasi_imports / sizeof wasi_imports[0]; i++)
        if (wasm_linker_define_func(l, "wasi_snapshot_preview1", wasi_imports[i].name,
                                    wasi_imports[i].signature, wasi_imports[i].fn, ctx) < 0)
            return -1;
    return 0;
}
