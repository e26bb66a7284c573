/* file.c: reading and writing whole files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "wasm_bpf_base.h"

int base_read_fd(int fd, size_t max, char **data, size_t *len)
{
    struct base_buf b = {0};
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = -errno;
            base_buf_free(&b);
            return err;
        }
        if (n == 0)
            break;
        if ((size_t)n > max - b.len) {
            base_buf_free(&b);
            return -EFBIG;
        }
        if (base_buf_append(&b, chunk, (size_t)n)) {
            base_buf_free(&b);
            return -ENOMEM;
        }
    }
    size_t n;
    char *s = base_buf_take(&b, &n);
    if (!s)
        return -ENOMEM;
    *data = s;
    if (len)
        *len = n;
    return 0;
}

int base_read_file(const char *path, size_t max, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int err = base_read_fd(fd, max, data, len);
    close(fd);
    return err;
}

int base_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}
