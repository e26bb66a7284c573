/* errno.c: the kernel's errno numbers in the guest's numbering.
 *
 * Guests are WASI programs: the errno.h of wasi-libc and the error codes of
 * Rust's wasm32-wasi standard library use WASI's numbering (ENOENT is 44,
 * EINTR 27), not Linux's (2, 4).  So every negative errno an import
 * returns is translated here, and a guest's `err == -ENOENT` or
 * `strerror(-err)` means what it says.  (The original runtime passed
 * Linux's numbers through, which no guest could compare with.) */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* WASI preview1 errno values (the `errno` enum of the WASI specification) */
enum {
    W_2BIG = 1, W_ACCES = 2, W_ADDRINUSE = 3, W_ADDRNOTAVAIL = 4, W_AFNOSUPPORT = 5, W_AGAIN = 6,
    W_ALREADY = 7, W_BADF = 8, W_BADMSG = 9, W_BUSY = 10, W_CANCELED = 11, W_CHILD = 12,
    W_CONNABORTED = 13, W_CONNREFUSED = 14, W_CONNRESET = 15, W_DEADLK = 16, W_DESTADDRREQ = 17,
    W_DOM = 18, W_DQUOT = 19, W_EXIST = 20, W_FAULT = 21, W_FBIG = 22, W_HOSTUNREACH = 23,
    W_IDRM = 24, W_ILSEQ = 25, W_INPROGRESS = 26, W_INTR = 27, W_INVAL = 28, W_IO = 29,
    W_ISCONN = 30, W_ISDIR = 31, W_LOOP = 32, W_MFILE = 33, W_MLINK = 34, W_MSGSIZE = 35,
    W_MULTIHOP = 36, W_NAMETOOLONG = 37, W_NETDOWN = 38, W_NETRESET = 39, W_NETUNREACH = 40,
    W_NFILE = 41, W_NOBUFS = 42, W_NODEV = 43, W_NOENT = 44, W_NOEXEC = 45, W_NOLCK = 46,
    W_NOLINK = 47, W_NOMEM = 48, W_NOMSG = 49, W_NOPROTOOPT = 50, W_NOSPC = 51, W_NOSYS = 52,
    W_NOTCONN = 53, W_NOTDIR = 54, W_NOTEMPTY = 55, W_NOTRECOVERABLE = 56, W_NOTSOCK = 57,
    W_NOTSUP = 58, W_NOTTY = 59, W_NXIO = 60, W_OVERFLOW = 61, W_OWNERDEAD = 62, W_PERM = 63,
    W_PIPE = 64, W_PROTO = 65, W_PROTONOSUPPORT = 66, W_PROTOTYPE = 67, W_RANGE = 68,
    W_ROFS = 69, W_SPIPE = 70, W_SRCH = 71, W_STALE = 72, W_TIMEDOUT = 73, W_TXTBSY = 74,
    W_XDEV = 75,
};

#define KERNEL_ENOTSUPP 524 /* the kernel's internal "operation not supported" */

/* libbpf's own error codes (LIBBPF_ERRNO__*, 4000 and up) as errnos */
int wb_errno_from_libbpf(int err)
{
    switch (-err) {
    case LIBBPF_ERRNO__VERIFY:
        return -EACCES;
    case LIBBPF_ERRNO__PROG2BIG:
        return -E2BIG;
    case LIBBPF_ERRNO__LIBELF:
    case LIBBPF_ERRNO__FORMAT:
    case LIBBPF_ERRNO__KVERSION:
    case LIBBPF_ERRNO__ENDIAN:
    case LIBBPF_ERRNO__INTERNAL:
    case LIBBPF_ERRNO__RELOC:
    case LIBBPF_ERRNO__LOAD:
    case LIBBPF_ERRNO__KVER:
    case LIBBPF_ERRNO__PROGTYPE:
    case LIBBPF_ERRNO__WRNGPID:
    case LIBBPF_ERRNO__INVSEQ:
    case LIBBPF_ERRNO__NLPARSE:
        return -EINVAL;
    default:
        return err;
    }
}

int wb_guest_errno(int err)
{
    if (err >= 0)
        return err;
    switch (-err) {
    case E2BIG: return -W_2BIG;
    case EACCES: return -W_ACCES;
    case EADDRINUSE: return -W_ADDRINUSE;
    case EADDRNOTAVAIL: return -W_ADDRNOTAVAIL;
    case EAFNOSUPPORT: return -W_AFNOSUPPORT;
    case EAGAIN: return -W_AGAIN;
    case EALREADY: return -W_ALREADY;
    case EBADF: return -W_BADF;
    case EBADMSG: return -W_BADMSG;
    case EBUSY: return -W_BUSY;
    case ECANCELED: return -W_CANCELED;
    case ECHILD: return -W_CHILD;
    case ECONNABORTED: return -W_CONNABORTED;
    case ECONNREFUSED: return -W_CONNREFUSED;
    case ECONNRESET: return -W_CONNRESET;
    case EDEADLK: return -W_DEADLK;
    case EDESTADDRREQ: return -W_DESTADDRREQ;
    case EDOM: return -W_DOM;
    case EDQUOT: return -W_DQUOT;
    case EEXIST: return -W_EXIST;
    case EFAULT: return -W_FAULT;
    case EFBIG: return -W_FBIG;
    case EHOSTUNREACH: return -W_HOSTUNREACH;
    case EIDRM: return -W_IDRM;
    case EILSEQ: return -W_ILSEQ;
    case EINPROGRESS: return -W_INPROGRESS;
    case EINTR: return -W_INTR;
    case EINVAL: return -W_INVAL;
    case EIO: return -W_IO;
    case EISCONN: return -W_ISCONN;
    case EISDIR: return -W_ISDIR;
    case ELOOP: return -W_LOOP;
    case EMFILE: return -W_MFILE;
    case EMLINK: return -W_MLINK;
    case EMSGSIZE: return -W_MSGSIZE;
    case EMULTIHOP: return -W_MULTIHOP;
    case ENAMETOOLONG: return -W_NAMETOOLONG;
    case ENETDOWN: return -W_NETDOWN;
    case ENETRESET: return -W_NETRESET;
    case ENETUNREACH: return -W_NETUNREACH;
    case ENFILE: return -W_NFILE;
    case ENOBUFS: return -W_NOBUFS;
    case ENODEV: return -W_NODEV;
    case ENOENT: return -W_NOENT;
    case ENOEXEC: return -W_NOEXEC;
    case ENOLCK: return -W_NOLCK;
    case ENOLINK: return -W_NOLINK;
    case ENOMEM: return -W_NOMEM;
    case ENOMSG: return -W_NOMSG;
    case ENOPROTOOPT: return -W_NOPROTOOPT;
    case ENOSPC: return -W_NOSPC;
    case ENOSYS: return -W_NOSYS;
    case ENOTCONN: return -W_NOTCONN;
    case ENOTDIR: return -W_NOTDIR;
    case ENOTEMPTY: return -W_NOTEMPTY;
    case ENOTRECOVERABLE: return -W_NOTRECOVERABLE;
    case ENOTSOCK: return -W_NOTSOCK;
    case EOPNOTSUPP: return -W_NOTSUP;
    case KERNEL_ENOTSUPP: return -W_NOTSUP;
    case ENOTTY: return -W_NOTTY;
    case ENXIO: return -W_NXIO;
    case EOVERFLOW: return -W_OVERFLOW;
    case EOWNERDEAD: return -W_OWNERDEAD;
    case EPERM: return -W_PERM;
    case EPIPE: return -W_PIPE;
    case EPROTO: return -W_PROTO;
    case EPROTONOSUPPORT: return -W_PROTONOSUPPORT;
    case EPROTOTYPE: return -W_PROTOTYPE;
    case ERANGE: return -W_RANGE;
    case EROFS: return -W_ROFS;
    case ESPIPE: return -W_SPIPE;
    case ESRCH: return -W_SRCH;
    case ESTALE: return -W_STALE;
    case ETIMEDOUT: return -W_TIMEDOUT;
    case ETXTBSY: return -W_TXTBSY;
    case EXDEV: return -W_XDEV;
    default: return -W_IO; /* no WASI equivalent (ENODATA, EBADFD ...) */
    }
}

const char *wb_strerror(int err)
{
    static char buf[128];
    if (libbpf_strerror(err, buf, sizeof(buf)))
        snprintf(buf, sizeof(buf), "%s", strerror(err < 0 ? -err : err));
    return buf;
}
