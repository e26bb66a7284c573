/* rights: descriptor types and rights as the guest sees them, and rights
 * being enforced.  argv[1]: the preopen's guest name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static void fdstat(const char *what, int fd)
{
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    if (e) {
        printf("%s: fdstat errno %d\n", what, e);
        return;
    }
    printf("%s: type %d, seek %s, tell %s, read %s, write %s, readdir %s, path_open %s\n", what,
           st.fs_filetype, (st.fs_rights_base & __WASI_RIGHTS_FD_SEEK) ? "yes" : "no",
           (st.fs_rights_base & __WASI_RIGHTS_FD_TELL) ? "yes" : "no",
           (st.fs_rights_base & __WASI_RIGHTS_FD_READ) ? "yes" : "no",
           (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) ? "yes" : "no",
           (st.fs_rights_base & __WASI_RIGHTS_FD_READDIR) ? "yes" : "no",
           (st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) ? "yes" : "no");
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : "/sandbox";
    char path[256];

    /* stdout and stderr look like terminals (so stdout is line-buffered)
     * whatever the host connected them to. */
    fdstat("stdout", 1);
    fdstat("stderr", 2);
    printf("isatty(1) %d, isatty(2) %d\n", isatty(1), isatty(2));
    errno = 0;
    printf("lseek(stdout): %lld, errno %s\n", (long long)lseek(1, 0, SEEK_CUR),
           errno == ENOTCAPABLE ? "ENOTCAPABLE"
           : errno == ESPIPE    ? "ESPIPE"
                                : strerror(errno));

    fdstat("preopen", 3);
    snprintf(path, sizeof path, "%s/f", root);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    fdstat("regular file", fd);

    /* Dropping a right is enforced; rights cannot be gained back. */
    __wasi_fdstat_t st;
    (void)__wasi_fd_fdstat_get(fd, &st);
    __wasi_rights_t without_write = st.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE;
    printf("drop write: errno %d\n",
           __wasi_fd_fdstat_set_rights(fd, without_write, st.fs_rights_inheriting));
    errno = 0;
    printf("write after drop: %zd, errno %s\n", write(fd, "x", 1),
           errno == ENOTCAPABLE ? "ENOTCAPABLE" : strerror(errno));
    printf("read still allowed: %zd\n", read(fd, path, 1));
    printf("regain write: errno %d\n",
           __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, st.fs_rights_inheriting));
    close(fd);

    /* A directory whose inheriting rights exclude writing hands out no
     * writable files. */
    __wasi_fd_t dir;
    __wasi_errno_t e = __wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY,
                                        __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR,
                                        __WASI_RIGHTS_FD_READ, 0, &dir);
    printf("open . with read-only inheriting: errno %d\n", e);
    __wasi_fd_t f;
    e = __wasi_path_open(dir, 0, "f", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &f);
    printf("open f for writing through it: errno %d (ENOTCAPABLE is %d)\n", e,
           __WASI_ERRNO_NOTCAPABLE);
    e = __wasi_path_open(dir, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0, &f);
    printf("open f for reading through it: errno %d\n", e);
    e = __wasi_path_open(dir, 0, "g", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &f);
    printf("create g through it (no path_create_file right): errno %d\n", e);
    printf("mkdir through it: errno %d\n", __wasi_path_create_directory(dir, "newdir"));
    printf("unlink through it: errno %d\n", __wasi_path_unlink_file(dir, "f"));

    /* A directory cannot be read as bytes nor seeked. */
    __wasi_filesize_t pos;
    printf("seek a directory: errno %d\n", __wasi_fd_seek(3, 0, __WASI_WHENCE_SET, &pos));

    /* A regular file cannot be used as a directory. */
    snprintf(path, sizeof path, "%s/f", root);
    fd = open(path, O_RDONLY);
    printf("path_open relative to a file: errno %d\n",
           __wasi_path_open(fd, 0, "x", 0, __WASI_RIGHTS_FD_READ, 0, 0, &f));
    printf("readdir a file: errno %d\n",
           __wasi_fd_readdir(fd, (uint8_t *)path, sizeof path, 0, (__wasi_size_t *)&pos));
    close(fd);
    unlink(path);
    return 0;
}
