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
#include "wasi_errno.h"

/* libbpf's own error codes (LIBBPF_ERRNO__*, 4000 and up) as errnos */
int wasm_bpf__errno_from_libbpf(int err)
{
    switch (-err) {
    case LIBBPF_ERRNO__VERIFY: return -EACCES;
    case LIBBPF_ERRNO__PROG2BIG: return -E2BIG;
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
    case LIBBPF_ERRNO__NLPARSE: return -EINVAL;
    default: return err;
    }
}

int wasm_bpf__guest_errno(int err)
{
    return err >= 0 ? err : -(int)wasi_errno_from_host(-err);
}

const char *wasm_bpf__strerror(int err)
{
    static char buf[128];
    if (libbpf_strerror(err, buf, sizeof(buf)))
        snprintf(buf, sizeof(buf), "%s", strerror(err < 0 ? -err : err));
    return buf;
}
