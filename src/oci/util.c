/* util.c: allocation, growable buffers and small string and file helpers. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci_internal.h"

static void out_of_memory(size_t n)
{
    fprintf(stderr, "wasm-bpf: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory(0);
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_appendf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    char *tmp = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_append(b, tmp, (size_t)n);
    free(tmp);
}

void buf_free(struct buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

bool str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool is_loopback_host(const char *host_port)
{
    char host[256];
    const char *end;
    if (host_port[0] == '[') {              /* [::1]:5000 */
        end = strchr(host_port, ']');
        if (!end)
            return false;
        host_port++;
    } else {
        end = strchr(host_port, ':');
        if (end && strchr(end + 1, ':'))    /* a bare IPv6 address */
            end = NULL;
        if (!end)
            end = host_port + strlen(host_port);
    }
    size_t n = (size_t)(end - host_port);
    if (n >= sizeof host)
        return false;
    memcpy(host, host_port, n);
    host[n] = '\0';
    if (!strcasecmp(host, "localhost") || !strcmp(host, "::1"))
        return true;
    /* 127.0.0.0/8: four decimal octets, the first 127 */
    unsigned a, b, c, d;
    char extra;
    if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4)
        return a == 127 && b < 256 && c < 256 && d < 256;
    return false;
}

const char *oci_human_size(uint64_t n, char buf[32])
{
    /* decimal units, as docker prints sizes */
    if (n < 1000)
        snprintf(buf, 32, "%lluB", (unsigned long long)n);
    else if (n < 1000 * 1000)
        snprintf(buf, 32, "%.1fkB", (double)n / 1e3);
    else if (n < 1000ull * 1000 * 1000)
        snprintf(buf, 32, "%.1fMB", (double)n / 1e6);
    else
        snprintf(buf, 32, "%.2fGB", (double)n / 1e9);
    return buf;
}

char *text_excerpt(const char *s, size_t len, size_t max)
{
    struct buf b = {0};
    for (size_t i = 0; i < len && b.len < max; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n' || ch == '\r') {
            if (b.len)
                break;
            continue;
        }
        if (ch < 0x20 || ch == 0x7f)
            ch = '?';
        buf_append(&b, &ch, 1);
    }
    if (!b.data)
        return xstrdup("");
    /* trailing blanks */
    while (b.len && isspace((unsigned char)b.data[b.len - 1]))
        b.data[--b.len] = '\0';
    return b.data;
}

int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    char *dir_copy = xstrdup(path);
    char *dir = dirname(dir_copy);
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        oci_fail("cannot create a file next to %s: %s", path, strerror(errno));
        goto fail;
    }
    if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        oci_fail("cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto fail;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        oci_fail("cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        goto fail;
    }
    fsync_dir(dir);
    free(tmp);
    free(dir_copy);
    return 0;
fail:
    free(tmp);
    free(dir_copy);
    return -1;
}

int mkdir_p(const char *path, mode_t mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return -1;
        }
        *s = '/';
    }
    int r = mkdir(p, mode);
    int e = errno;
    free(p);
    if (r < 0 && e != EEXIST) {
        errno = e;
        return -1;
    }
    return 0;
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_seconds(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}
