/* wasi_impl.h: private to src/wasi.  The preview1 ABI (values and layouts
 * from the specification's witx), the descriptor table, guest-memory
 * helpers, and the host functions of each file.
 *
 *   wasi.c   context, descriptor table, errno translation, the import table
 *   fd.c     fd_* (reads, writes, seeks, stat, readdir, renumber, ...)
 *   path.c   path_* and the sandboxed resolution beneath a preopen
 *   poll.c   clocks, random_get, poll_oneoff, sched_yield
 *   proc.c   args, environ, proc_exit, proc_raise
 *   sock.c   sock_accept, sock_recv, sock_send, sock_shutdown
 */
#ifndef WASM_BPF_WASI_IMPL_H
#define WASM_BPF_WASI_IMPL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "wasi.h"
#include "wasi_errno.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "guest memory is little-endian; this code stores host integers into it as they are"
#endif

/* ------------------------------------------------------------------ */
/* The preview1 ABI                                                    */
/* ------------------------------------------------------------------ */

/* wasi_errno, WASI_E* and wasi_errno_from_host(): include/wasi_errno.h */

enum { /* filetype (u8) */
       WASI_FILETYPE_UNKNOWN = 0,
       WASI_FILETYPE_BLOCK_DEVICE = 1,
       WASI_FILETYPE_CHARACTER_DEVICE = 2,
       WASI_FILETYPE_DIRECTORY = 3,
       WASI_FILETYPE_REGULAR_FILE = 4,
       WASI_FILETYPE_SOCKET_DGRAM = 5,
       WASI_FILETYPE_SOCKET_STREAM = 6,
       WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

enum { /* clockid (u32) */
       WASI_CLOCK_REALTIME = 0,
       WASI_CLOCK_MONOTONIC = 1,
       WASI_CLOCK_PROCESS_CPUTIME = 2,
       WASI_CLOCK_THREAD_CPUTIME = 3,
};

enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };

enum { /* fdflags (u16) */
       WASI_FDFLAG_APPEND = 1 << 0,
       WASI_FDFLAG_DSYNC = 1 << 1,
       WASI_FDFLAG_NONBLOCK = 1 << 2,
       WASI_FDFLAG_RSYNC = 1 << 3,
       WASI_FDFLAG_SYNC = 1 << 4,
       WASI_FDFLAGS_ALL = 0x1f,
};

enum { /* oflags (u16) */
       WASI_O_CREAT = 1 << 0,
       WASI_O_DIRECTORY = 1 << 1,
       WASI_O_EXCL = 1 << 2,
       WASI_O_TRUNC = 1 << 3,
       WASI_OFLAGS_ALL = 0xf,
};

enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 << 0 };

enum { /* fstflags (u16) */
       WASI_FST_ATIM = 1 << 0,
       WASI_FST_ATIM_NOW = 1 << 1,
       WASI_FST_MTIM = 1 << 2,
       WASI_FST_MTIM_NOW = 1 << 3,
       WASI_FSTFLAGS_ALL = 0xf,
};

enum { WASI_EVENTTYPE_CLOCK = 0, WASI_EVENTTYPE_FD_READ = 1, WASI_EVENTTYPE_FD_WRITE = 2 };
enum { WASI_EVENT_FD_READWRITE_HANGUP = 1 << 0 };
enum { WASI_SUBCLOCK_ABSTIME = 1 << 0 };
enum { WASI_RIFLAG_RECV_PEEK = 1 << 0, WASI_RIFLAG_RECV_WAITALL = 1 << 1 };
enum { WASI_ROFLAG_RECV_DATA_TRUNCATED = 1 << 0 };
enum { WASI_SDFLAG_RD = 1 << 0, WASI_SDFLAG_WR = 1 << 1 };
enum { WASI_PREOPENTYPE_DIR = 0 };
enum { WASI_ADVICE_NOREUSE = 5 }; /* advice is 0 (normal) .. 5 (noreuse) */
enum { WASI_SIGNAL_LAST = 30 };   /* signal is 0 (none) .. 30 (sys) */

/* rights (u64) */
#define WASI_RIGHT_FD_DATASYNC             (UINT64_C(1) << 0)
#define WASI_RIGHT_FD_READ                 (UINT64_C(1) << 1)
#define WASI_RIGHT_FD_SEEK                 (UINT64_C(1) << 2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS     (UINT64_C(1) << 3)
#define WASI_RIGHT_FD_SYNC                 (UINT64_C(1) << 4)
#define WASI_RIGHT_FD_TELL                 (UINT64_C(1) << 5)
#define WASI_RIGHT_FD_WRITE                (UINT64_C(1) << 6)
#define WASI_RIGHT_FD_ADVISE               (UINT64_C(1) << 7)
#define WASI_RIGHT_FD_ALLOCATE             (UINT64_C(1) << 8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY   (UINT64_C(1) << 9)
#define WASI_RIGHT_PATH_CREATE_FILE        (UINT64_C(1) << 10)
#define WASI_RIGHT_PATH_LINK_SOURCE        (UINT64_C(1) << 11)
#define WASI_RIGHT_PATH_LINK_TARGET        (UINT64_C(1) << 12)
#define WASI_RIGHT_PATH_OPEN               (UINT64_C(1) << 13)
#define WASI_RIGHT_FD_READDIR              (UINT64_C(1) << 14)
#define WASI_RIGHT_PATH_READLINK           (UINT64_C(1) << 15)
#define WASI_RIGHT_PATH_RENAME_SOURCE      (UINT64_C(1) << 16)
#define WASI_RIGHT_PATH_RENAME_TARGET      (UINT64_C(1) << 17)
#define WASI_RIGHT_PATH_FILESTAT_GET       (UINT64_C(1) << 18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE  (UINT64_C(1) << 19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES (UINT64_C(1) << 20)
#define WASI_RIGHT_FD_FILESTAT_GET         (UINT64_C(1) << 21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE    (UINT64_C(1) << 22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES   (UINT64_C(1) << 23)
#define WASI_RIGHT_PATH_SYMLINK            (UINT64_C(1) << 24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY   (UINT64_C(1) << 25)
#define WASI_RIGHT_PATH_UNLINK_FILE        (UINT64_C(1) << 26)
#define WASI_RIGHT_POLL_FD_READWRITE       (UINT64_C(1) << 27)
#define WASI_RIGHT_SOCK_SHUTDOWN           (UINT64_C(1) << 28)
#define WASI_RIGHT_SOCK_ACCEPT             (UINT64_C(1) << 29)
#define WASI_RIGHTS_ALL                    ((UINT64_C(1) << 30) - 1)

/* The most a descriptor of each kind can have.  Directories cannot seek or
 * read bytes; streams cannot seek, which is also how wasi-libc tells a
 * terminal (see wasi.h). */
#define WASI_RIGHTS_REGULAR_FILE                                                \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |         \
     WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL | \
     WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |      \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |             \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIRECTORY                                                                  \
    (WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_ADVISE |              \
     WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                          \
     WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN |        \
     WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE |        \
     WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_GET |                            \
     WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |                  \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK | \
     WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |                          \
     WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_STREAM                                                       \
    (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_SOCKET (WASI_RIGHTS_STREAM | WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT)

/* Layout sizes and offsets (witx). */
enum {
    WASI_IOVEC_SIZE = 8,   /* buf u32 @0, buf_len u32 @4 */
    WASI_FDSTAT_SIZE = 24, /* filetype u8 @0, flags u16 @2, base u64 @8, inheriting u64 @16 */
    WASI_FILESTAT_SIZE =
        64, /* dev @0 ino @8 filetype u8 @16 nlink @24 size @32 atim @40 mtim @48 ctim @56 */
    WASI_DIRENT_SIZE = 24,       /* d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20 */
    WASI_PRESTAT_SIZE = 8,       /* tag u8 @0, pr_name_len u32 @4 */
    WASI_SUBSCRIPTION_SIZE = 48, /* userdata u64 @0, tag u8 @8, union @16: clock{id u32 @16,
                                   timeout u64 @24, precision u64 @32, flags u16 @40} or fd u32 @16 */
    WASI_EVENT_SIZE = 32,        /* userdata u64 @0, error u16 @8, type u8 @10,
                                   nbytes u64 @16, flags u16 @24 */
};

/* Guest memory is little-endian and guest pointers need not be aligned:
 * every access goes through these. */
static inline uint16_t wasi_ld16(const void *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static inline uint32_t wasi_ld32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t wasi_ld64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline void wasi_st8(void *p, uint8_t v)
{
    memcpy(p, &v, 1);
}
static inline void wasi_st16(void *p, uint16_t v)
{
    memcpy(p, &v, 2);
}
static inline void wasi_st32(void *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static inline void wasi_st64(void *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/* ------------------------------------------------------------------ */
/* Context and descriptor table                                        */
/* ------------------------------------------------------------------ */

/* Guest descriptors beyond this are EMFILE. */
#define WASI_MAX_FDS 16384

struct wasi_fd {
    int host;       /* host descriptor; -1 marks a free slot */
    uint8_t type;   /* WASI filetype shown to the guest */
    uint16_t flags; /* WASI fdflags */
    uint64_t rights_base;
    uint64_t rights_inheriting;
    char *preopen; /* guest name of a preopened directory, else NULL */
};

/* args_* and environ_*: count strings back to back, each with its NUL,
 * size bytes in all. */
struct wasi_strings {
    char *data;
    uint32_t count, size;
};

struct wasi_ctx {
    struct wasi_fd *fds;
    uint32_t nfds; /* slots allocated */

    struct wasi_strings argv_strs; /* the guest's argv */
    struct wasi_strings env_strs;  /* its environment, "KEY=VALUE" each */

    int stdio_host[3];  /* the caller's descriptors behind guest 0..2 */
    int stdio_flags[3]; /* their file status flags before the guest ran */

    int exit_signal; /* see wasi_exit_signal() */
    bool no_openat2; /* openat2 missing (or disabled): walk paths by hand */
};

/* The entry for guest fd `fd` if it is open and has all of the `base` and
 * `inheriting` rights; otherwise NULL and *err is EBADF or ENOTCAPABLE. */
struct wasi_fd *wasi_fd_lookup(struct wasi_ctx *ctx, uint32_t fd, uint64_t base,
                               uint64_t inheriting, wasi_errno *err);
/* A free guest fd number (the lowest), growing the table; EMFILE when full. */
wasi_errno wasi_fd_reserve(struct wasi_ctx *ctx, uint32_t *fd);
/* Fill slot `fd` (reserved) with a new host descriptor.  The rights are
 * clamped to what a descriptor of that kind can have. */
void wasi_fd_install(struct wasi_ctx *ctx, uint32_t fd, int host, uint8_t type, uint16_t flags,
                     uint64_t base, uint64_t inheriting);
void wasi_fd_close_slot(struct wasi_ctx *ctx, uint32_t fd);

/* WASI filetype of a host object and the rights it may ever have. */
uint8_t wasi_filetype_of(int host, mode_t mode);
void wasi_max_rights(uint8_t type, uint64_t *base, uint64_t *inheriting);
/* WASI fdflags from open(2)/fcntl(2) file status flags, and back. */
uint16_t wasi_fdflags_from_host(int oflags);
int wasi_fdflags_to_host(uint16_t flags);

/* Write a struct stat as a WASI filestat to guest memory at p (64 bytes). */
void wasi_store_filestat(uint8_t *p, const struct stat *st, uint8_t type);

/* ------------------------------------------------------------------ */
/* Host calls                                                          */
/* ------------------------------------------------------------------ */

/* Store a WASI errno as the function's i32 result. */
static inline wasm_status wasi_result(wasm_value *args, wasi_errno e)
{
    args[0].raw = 0;
    args[0].i32 = e;
    return WASM_OK;
}

/* Guest range [ptr, ptr + len) as a host pointer, NULL when it is not all
 * inside memory.  Lengths are computed in 64 bits by callers so that
 * count * size cannot wrap. */
static inline uint8_t *wasi_mem(wasm_instance *inst, uint32_t ptr, uint64_t len)
{
    if (len > UINT32_MAX)
        return NULL;
    return wasm_mem(inst, ptr, (uint32_t)len);
}

/* Gather a guest iovec array into host iovecs (at most IOV_MAX of them:
 * a shorter transfer is allowed).  EFAULT for any range outside memory. */
wasi_errno wasi_load_iovecs(wasm_instance *inst, uint32_t iovs, uint32_t iovs_len,
                            struct iovec *out, int *count);
#define WASI_IOV_MAX 1024

/* Interruptible waiting.  Returns 1 when host fd `fd` is ready for `events`
 * (POLLIN/POLLOUT), 0 when the runtime was interrupted (the caller returns
 * wasm_trap_interrupted), -1 with errno on failure; waiting for input
 * (POLLIN) fails with EINTR once a stop was requested
 * (wasm_runtime_request_stop) unless the fd is ready. */
int wasi_wait_fd(wasm_instance *inst, int fd, short events);
/* For EINTR loops: true when the guest's runtime has been interrupted. */
bool wasi_interrupted(wasm_instance *inst);
/* True once the run was asked to stop: waits for input end with EINTR. */
bool wasi_stop_requested(wasm_instance *inst);

/* The host functions, one per import; each is a wasm_host_fn. */
#define WASI_HOST_FN(name) wasm_status wasi_##name(wasm_instance *inst, void *ud, wasm_value *args)
/* proc.c */
WASI_HOST_FN(args_get);
WASI_HOST_FN(args_sizes_get);
WASI_HOST_FN(environ_get);
WASI_HOST_FN(environ_sizes_get);
WASI_HOST_FN(proc_exit);
WASI_HOST_FN(proc_raise);
/* poll.c */
WASI_HOST_FN(clock_res_get);
WASI_HOST_FN(clock_time_get);
WASI_HOST_FN(random_get);
WASI_HOST_FN(poll_oneoff);
WASI_HOST_FN(sched_yield);
/* fd.c */
WASI_HOST_FN(fd_advise);
WASI_HOST_FN(fd_allocate);
WASI_HOST_FN(fd_close);
WASI_HOST_FN(fd_datasync);
WASI_HOST_FN(fd_fdstat_get);
WASI_HOST_FN(fd_fdstat_set_flags);
WASI_HOST_FN(fd_fdstat_set_rights);
WASI_HOST_FN(fd_filestat_get);
WASI_HOST_FN(fd_filestat_set_size);
WASI_HOST_FN(fd_filestat_set_times);
WASI_HOST_FN(fd_pread);
WASI_HOST_FN(fd_prestat_get);
WASI_HOST_FN(fd_prestat_dir_name);
WASI_HOST_FN(fd_pwrite);
WASI_HOST_FN(fd_read);
WASI_HOST_FN(fd_readdir);
WASI_HOST_FN(fd_renumber);
WASI_HOST_FN(fd_seek);
WASI_HOST_FN(fd_sync);
WASI_HOST_FN(fd_tell);
WASI_HOST_FN(fd_write);
/* path.c */
WASI_HOST_FN(path_create_directory);
WASI_HOST_FN(path_filestat_get);
WASI_HOST_FN(path_filestat_set_times);
WASI_HOST_FN(path_link);
WASI_HOST_FN(path_open);
WASI_HOST_FN(path_readlink);
WASI_HOST_FN(path_remove_directory);
WASI_HOST_FN(path_rename);
WASI_HOST_FN(path_symlink);
WASI_HOST_FN(path_unlink_file);
/* sock.c */
WASI_HOST_FN(sock_accept);
WASI_HOST_FN(sock_recv);
WASI_HOST_FN(sock_send);
WASI_HOST_FN(sock_shutdown);

/* Shared by fd.c and path.c: timespec pair for futimens/utimensat from
 * WASI (atim, mtim, fst_flags); EINVAL for contradictory flags. */
wasi_errno wasi_times_from_guest(uint64_t atim, uint64_t mtim, uint32_t fst_flags,
                                 struct timespec ts[2]);

#endif
