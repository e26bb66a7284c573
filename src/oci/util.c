/* util.c: small string and file helpers (allocation and buffers: src/base). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci_internal.h"

bool oci__str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool oci__str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool oci__is_loopback_host(const char *host_port)
{
    char host[256];
    const char *end;
    if (host_port[0] == '[') { /* [::1]:5000 */
        end = strchr(host_port, ']');
        if (!end)
            return false;
        host_port++;
    } else {
        end = strchr(host_port, ':');
        if (end && strchr(end + 1, ':')) /* a bare IPv6 address */
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

char *oci__text_excerpt(char out[EXCERPT_SIZE], const char *s, size_t len, size_t max)
{
    if (max > EXCERPT_SIZE - 1)
        max = EXCERPT_SIZE - 1;
    size_t n = 0;
    for (size_t i = 0; i < len && n < max; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n' || ch == '\r') {
            if (n)
                break;
            continue;
        }
        out[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    /* trailing blanks */
    while (n && isspace((unsigned char)out[n - 1]))
        n--;
    out[n] = '\0';
    return out;
}

int oci__fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int oci__write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    char *dir = base_path_dirname(path);
    char *tmp = base_asprintf("%s.tmp.XXXXXX", path);
    if (!dir || !tmp) {
        oci_fail_nomem();
        goto fail;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        oci_fail("cannot create a file next to %s: %s", path, strerror(errno));
        goto fail;
    }
    int werr = fchmod(fd, mode) < 0 ? -errno : base_write_all(fd, data, len);
    if (!werr && fsync(fd) < 0)
        werr = -errno;
    if (werr) {
        oci_fail("cannot write %s: %s", tmp, strerror(-werr));
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
    oci__fsync_dir(dir);
    free(tmp);
    free(dir);
    return 0;
fail:
    free(tmp);
    free(dir);
    return -1;
}

int oci__mkdir_p(const char *path, mode_t mode)
{
    char *p = base_strdup(path);
    if (!p)
        return -1;
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

double oci__now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void oci__sleep_seconds(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}
