/* output.c: writing a command's output file (-o PATH) the way cp does.
 *
 * A regular file, or a path where nothing is yet, is written as a temporary
 * file beside it and renamed over it once complete: a reader never sees half
 * a file and a failure leaves the old one.  Anything else is written in
 * place, never replaced: a device (as root, `-o /dev/null` must not turn
 * /dev/null into a regular file), a FIFO (its reader gets the bytes), and a
 * symlink, which is followed to what it points to (`-o /dev/stdout`, or a
 * link into a tree the user keeps elsewhere). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasm_bpf_base.h"

/* The process's umask, which mkostemp's 0600 ignores (umask(2) can only be
 * read by setting it; commands are single-threaded). */
static mode_t current_umask(void)
{
    mode_t m = umask(022);
    umask(m);
    return m;
}

int base_output_open(struct base_output *out, const char *path, unsigned mode)
{
    *out = (struct base_output){.fd = -1};
    if (!path || !*path)
        return -EINVAL;
    struct stat st;
    bool replace;
    if (lstat(path, &st) == 0)
        replace = S_ISREG(st.st_mode);
    else if (errno == ENOENT)
        replace = true;
    else
        return -errno;
    if (!(out->path = base_strdup(path)))
        return -ENOMEM;
    if (!replace) {
        /* O_CREAT: a dangling symlink gets its target created, as cp does */
        out->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, (mode_t)mode);
        if (out->fd < 0) {
            int err = -errno;
            base_output_discard(out);
            return err;
        }
        return 0;
    }
    if (!(out->tmp = base_asprintf("%s.tmp.XXXXXX", path))) {
        base_output_discard(out);
        return -ENOMEM;
    }
    out->fd = mkostemp(out->tmp, O_CLOEXEC);
    if (out->fd < 0 || fchmod(out->fd, (mode_t)mode & ~current_umask()) < 0) {
        int err = -errno;
        base_output_discard(out);
        return err;
    }
    return 0;
}

int base_output_commit(struct base_output *out)
{
    int err = 0;
    if (out->tmp && fsync(out->fd) < 0)
        err = -errno;
    if (close(out->fd) < 0 && !err && errno != EINTR)
        err = -errno;
    out->fd = -1;
    if (!err && out->tmp && rename(out->tmp, out->path) < 0)
        err = -errno;
    if (err) {
        base_output_discard(out);
        return err;
    }
    free(out->tmp);
    free(out->path);
    *out = (struct base_output){.fd = -1};
    return 0;
}

void base_output_discard(struct base_output *out)
{
    if (out->fd >= 0)
        close(out->fd);
    if (out->tmp)
        unlink(out->tmp);
    free(out->tmp);
    free(out->path);
    *out = (struct base_output){.fd = -1};
}
