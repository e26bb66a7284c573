/* alloc.c: allocation with the library's one out-of-memory policy: NULL with
 * errno ENOMEM, for the caller to turn into -ENOMEM; never an abort. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_bpf_base.h"

void *base_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        errno = ENOMEM;
    return p;
}

void *base_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        errno = ENOMEM;
    return p;
}

void *base_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        errno = ENOMEM;
    return q;
}

void *base_reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return base_realloc(p, n * size);
}

char *base_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = base_malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *base_strdup(const char *s)
{
    return base_strndup(s, SIZE_MAX);
}

char *base_vasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        errno = EINVAL; /* a bad format or a wide character */
        return NULL;
    }
    char *p = base_malloc((size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *base_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = base_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}
