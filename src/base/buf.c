/* buf.c: the growable byte buffer and string builder of every part. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_bpf_base.h"

/* Room for `more` bytes and the NUL after them. */
static int reserve(struct base_buf *b, size_t more)
{
    if (b->err)
        return b->err;
    if (more > SIZE_MAX - b->len - 1) {
        b->err = -ENOMEM;
        return b->err;
    }
    size_t need = b->len + more + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->err = -ENOMEM;
        return b->err;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int base_buf_append(struct base_buf *b, const void *data, size_t len)
{
    int err = reserve(b, len);
    if (err)
        return err;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int base_buf_puts(struct base_buf *b, const char *s)
{
    return base_buf_append(b, s, strlen(s));
}

int base_buf_vprintf(struct base_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -EINVAL;
    int err = reserve(b, (size_t)n);
    if (err)
        return err;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int base_buf_printf(struct base_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int err = base_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

char *base_buf_take(struct base_buf *b, size_t *len)
{
    if (b->err || (!b->data && base_buf_append(b, "", 0))) {
        base_buf_free(b);
        errno = ENOMEM;
        return NULL;
    }
    char *s = b->data;
    if (len)
        *len = b->len;
    memset(b, 0, sizeof *b);
    return s;
}

void base_buf_free(struct base_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
