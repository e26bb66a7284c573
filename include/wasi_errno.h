/* wasi_errno.h: WASI preview1's errno numbering, and the host's errnos in it.
 *
 * Guests are WASI programs: the errno.h of wasi-libc and the error codes of
 * Rust's wasm32-wasi standard library use WASI's numbering (ENOENT is 44,
 * EINTR 27), not Linux's (2, 4).  Every errno the runtime hands a guest
 * (WASI results, the negative returns of the BPF imports) goes through
 * wasi_errno_from_host(), so a guest's `err == -ENOENT` or `strerror(-err)`
 * means what it says.  The numbers are the `errno` enum of the WASI
 * specification (docs/ABI.md section 6).  Header-only: the WASI part, the BPF
 * interface and the tests share this one table. */
#ifndef WASM_BPF_WASI_ERRNO_H
#define WASM_BPF_WASI_ERRNO_H

#include <errno.h>
#include <stdint.h>

/* X(NAME, WASI number): NAME is the host errno's name without its E. */
/* clang-format off */
#define WASI_ERRNO_TABLE(X)                                                                        \
    X(2BIG, 1) X(ACCES, 2) X(ADDRINUSE, 3) X(ADDRNOTAVAIL, 4) X(AFNOSUPPORT, 5) X(AGAIN, 6)        \
    X(ALREADY, 7) X(BADF, 8) X(BADMSG, 9) X(BUSY, 10) X(CANCELED, 11) X(CHILD, 12)                 \
    X(CONNABORTED, 13) X(CONNREFUSED, 14) X(CONNRESET, 15) X(DEADLK, 16) X(DESTADDRREQ, 17)        \
    X(DOM, 18) X(DQUOT, 19) X(EXIST, 20) X(FAULT, 21) X(FBIG, 22) X(HOSTUNREACH, 23)               \
    X(IDRM, 24) X(ILSEQ, 25) X(INPROGRESS, 26) X(INTR, 27) X(INVAL, 28) X(IO, 29)                  \
    X(ISCONN, 30) X(ISDIR, 31) X(LOOP, 32) X(MFILE, 33) X(MLINK, 34) X(MSGSIZE, 35)                \
    X(MULTIHOP, 36) X(NAMETOOLONG, 37) X(NETDOWN, 38) X(NETRESET, 39) X(NETUNREACH, 40)            \
    X(NFILE, 41) X(NOBUFS, 42) X(NODEV, 43) X(NOENT, 44) X(NOEXEC, 45) X(NOLCK, 46)                \
    X(NOLINK, 47) X(NOMEM, 48) X(NOMSG, 49) X(NOPROTOOPT, 50) X(NOSPC, 51) X(NOSYS, 52)            \
    X(NOTCONN, 53) X(NOTDIR, 54) X(NOTEMPTY, 55) X(NOTRECOVERABLE, 56) X(NOTSOCK, 57)              \
    X(NOTSUP, 58) X(NOTTY, 59) X(NXIO, 60) X(OVERFLOW, 61) X(OWNERDEAD, 62) X(PERM, 63)            \
    X(PIPE, 64) X(PROTO, 65) X(PROTONOSUPPORT, 66) X(PROTOTYPE, 67) X(RANGE, 68) X(ROFS, 69)       \
    X(SPIPE, 70) X(SRCH, 71) X(STALE, 72) X(TIMEDOUT, 73) X(TXTBSY, 74) X(XDEV, 75)
/* clang-format on */

typedef uint16_t wasi_errno;

enum {
    WASI_ESUCCESS = 0,
#define WASI_ERRNO_ENUM(name, n) WASI_E##name = n,
    WASI_ERRNO_TABLE(WASI_ERRNO_ENUM)
#undef WASI_ERRNO_ENUM
        WASI_ENOTCAPABLE = 76, /* WASI's own: outside the preopened directories */
};

/* The kernel's internal "operation not supported" (ENOTSUPP), which some BPF
 * commands let through to user space. */
#define WASI_HOST_KERNEL_ENOTSUPP 524

/* A host errno (positive) as a WASI errno; one with no WASI counterpart
 * (ENODATA, EBADFD ...) becomes EIO. */
static inline wasi_errno wasi_errno_from_host(int e)
{
    switch (e) {
    case 0: return WASI_ESUCCESS;
#define WASI_ERRNO_CASE(name, n) \
    case E##name: return WASI_E##name;
        WASI_ERRNO_TABLE(WASI_ERRNO_CASE)
#undef WASI_ERRNO_CASE
    case WASI_HOST_KERNEL_ENOTSUPP: return WASI_ENOTSUP;
    default: return WASI_EIO;
    }
}

#endif
