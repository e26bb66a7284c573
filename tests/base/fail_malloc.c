/* fail_malloc.c: an LD_PRELOAD shim that makes every allocation after the
 * first FAIL_MALLOC_AFTER ones fail (NULL, errno ENOMEM), as when memory
 * runs out.  tests/base/run runs commands under it at every such point and
 * checks that they end with an error, not a crash or an abort. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);

static long left = -2; /* -2: not read yet; -1: never fail */

static int fail_now(void)
{
    if (left == -2) {
        const char *e = getenv("FAIL_MALLOC_AFTER");
        left = e ? atol(e) : -1;
    }
    if (left < 0)
        return 0;
    if (left == 0) {
        errno = ENOMEM;
        return 1;
    }
    left--;
    return 0;
}

void *malloc(size_t n)
{
    return fail_now() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __libc_realloc(p, n);
}
