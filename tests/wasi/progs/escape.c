/* escape: every way out of the preopen must fail, every way that stays
 * inside must work.  argv[1] is the preopen's guest name (e.g. /sandbox);
 * the test prepared on the host, inside it:
 *   inside.txt                    a file that may be read
 *   sub/                          a directory
 *   up -> ..                      a relative symlink that climbs out
 *   abs -> HOST/secret.txt        an absolute symlink (host path)
 *   chain1 -> chain2 -> sub/../../secret.txt   a chain that ends outside
 *   loop1 -> loop2 -> loop1       a symlink loop
 *   subup -> sub/..               a symlink that stays inside
 * and next to it, outside, secret.txt. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static char root[256];
static int preopen_fd = -1;

static const char *errname(int e)
{
    switch (e) {
    case ENOENT: return "ENOENT";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EPERM: return "EPERM";
    case ELOOP: return "ELOOP";
    case EXDEV: return "EXDEV";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ENOTEMPTY: return "ENOTEMPTY";
    default: return strerror(e);
    }
}

/* Raw path_open relative to the preopen: wasi-libc cannot rewrite it. */
static int raw_open(const char *path, int follow, __wasi_errno_t *err)
{
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    *err = __wasi_path_open(preopen_fd, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, 0,
                            __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    return *err ? -1 : fd;
}

static int failures;

static void must_fail(const char *path, int follow)
{
    __wasi_errno_t err;
    int fd = raw_open(path, follow, &err);
    if (fd >= 0) {
        char buf[64] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t n = 0;
        (void)__wasi_fd_read(fd, &iov, 1, &n);
        printf("ESCAPED: open %s%s read [%s]\n", path, follow ? "" : " (nofollow)", buf);
        failures++;
        return;
    }
    printf("blocked: open %s%s: %s\n", path, follow ? "" : " (nofollow)", errname(err));
}

static void must_work(const char *path)
{
    __wasi_errno_t err;
    int fd = raw_open(path, 1, &err);
    if (fd < 0) {
        printf("FAILED: open %s: %s\n", path, errname(err));
        failures++;
        return;
    }
    char buf[64] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    (void)__wasi_fd_read(fd, &iov, 1, &n);
    (void)__wasi_fd_close(fd);
    buf[strcspn(buf, "\n")] = '\0';
    printf("allowed: open %s: [%s]\n", path, buf);
}

static void stat_must_fail(const char *path, int follow)
{
    __wasi_filestat_t st;
    __wasi_errno_t e =
        __wasi_path_filestat_get(preopen_fd, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path,
                                 &st);
    if (!e) {
        printf("ESCAPED: stat %s (inode %llu)\n", path, (unsigned long long)st.ino);
        failures++;
    } else {
        printf("blocked: stat %s%s: %s\n", path, follow ? "" : " (nofollow)", errname(e));
    }
}

static void check(const char *what, __wasi_errno_t e, int want_fail)
{
    if (want_fail && !e) {
        printf("ESCAPED: %s\n", what);
        failures++;
    } else if (want_fail) {
        printf("blocked: %s: %s\n", what, errname(e));
    } else {
        printf("%s: %s\n", what, e ? errname(e) : "ok");
        if (e)
            failures++;
    }
}

int main(int argc, char **argv)
{
    snprintf(root, sizeof root, "%s", argc > 1 ? argv[1] : "/sandbox");
    /* Find the preopen's descriptor by its name. */
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps))
            break;
        char name[256] = {0};
        if (ps.u.dir.pr_name_len < sizeof name &&
            !__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len) &&
            !strcmp(name, root))
            preopen_fd = fd;
    }
    printf("preopen %s found: %s\n", root, preopen_fd >= 0 ? "yes" : "NO");

    must_work("inside.txt");
    must_work("sub/../inside.txt");
    must_work("./sub/./../inside.txt");
    must_work("subup/inside.txt");
    must_fail("../secret.txt", 1);
    must_fail("..", 1);
    must_fail("sub/../../secret.txt", 1);
    must_fail("sub/../../sandbox/inside.txt", 1);
    must_fail("/etc/passwd", 1);
    must_fail("//etc/passwd", 1);
    must_fail("up/secret.txt", 1);
    must_fail("up", 1);
    must_fail("abs", 1);
    must_fail("abs", 0);
    must_fail("chain1", 1);
    must_fail("loop1", 1);
    must_fail("up/", 0);
    must_fail("sub/../up/secret.txt", 1);
    stat_must_fail("..", 1);
    stat_must_fail("../secret.txt", 0);
    stat_must_fail("up/secret.txt", 1);
    stat_must_fail("abs", 1);
    stat_must_fail("chain1", 1);

    /* Through wasi-libc: absolute paths outside any preopen. */
    errno = 0;
    int fd = open("/etc/passwd", O_RDONLY);
    printf("%s: libc open /etc/passwd: %s\n", fd < 0 ? "blocked" : "ESCAPED", errname(errno));
    if (fd >= 0)
        failures++;
    DIR *d = opendir("/");
    printf("%s: libc opendir /\n", d ? "ESCAPED" : "blocked");
    if (d)
        failures++;

    /* Changing names outside. */
    check("mkdir ../made", __wasi_path_create_directory(preopen_fd, "../made"), 1);
    check("mkdir up/made", __wasi_path_create_directory(preopen_fd, "up/made"), 1);
    check("rename inside.txt -> ../moved",
          __wasi_path_rename(preopen_fd, "inside.txt", preopen_fd, "../moved"), 1);
    check("rename ../secret.txt -> stolen",
          __wasi_path_rename(preopen_fd, "../secret.txt", preopen_fd, "stolen"), 1);
    check("rename up/secret.txt -> stolen",
          __wasi_path_rename(preopen_fd, "up/secret.txt", preopen_fd, "stolen"), 1);
    check("link up/secret.txt -> stolen",
          __wasi_path_link(preopen_fd, 0, "up/secret.txt", preopen_fd, "stolen"), 1);
    check("link abs -> stolen (follow)",
          __wasi_path_link(preopen_fd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs", preopen_fd,
                           "stolen"),
          1);
    check("link chain1 -> stolen (follow)",
          __wasi_path_link(preopen_fd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "chain1", preopen_fd,
                           "stolen"),
          1);
    check("unlink ../secret.txt", __wasi_path_unlink_file(preopen_fd, "../secret.txt"), 1);
    check("unlink up/secret.txt", __wasi_path_unlink_file(preopen_fd, "up/secret.txt"), 1);
    check("symlink ../x into ../", __wasi_path_symlink("x", preopen_fd, "../x"), 1);
    check("symlink with an absolute target",
          __wasi_path_symlink("/etc/passwd", preopen_fd, "newabs"), 1);
    check("set times of ..",
          __wasi_path_filestat_set_times(preopen_fd, 0, "..", 0, 0, __WASI_FSTFLAGS_ATIM_NOW), 1);
    check("set times through up/",
          __wasi_path_filestat_set_times(preopen_fd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                         "up/secret.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
          1);
    check("rmdir ..", __wasi_path_remove_directory(preopen_fd, ".."), 1);
    check("rmdir up/", __wasi_path_remove_directory(preopen_fd, "up/"), 1);

    /* Reading a link's text is fine: it is data inside the sandbox. */
    char buf[256];
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_path_readlink(preopen_fd, "up", (uint8_t *)buf, sizeof buf, &n);
    printf("readlink up: %s [%.*s]\n", e ? errname(e) : "ok", (int)n, buf);
    check("readlink through up/",
          __wasi_path_readlink(preopen_fd, "up/x", (uint8_t *)buf, sizeof buf, &n), 1);

    /* A relative symlink made by the guest that points out cannot be used. */
    check("symlink ../secret.txt as mine", __wasi_path_symlink("../secret.txt", preopen_fd, "mine"),
          0);
    must_fail("mine", 1);
    check("unlink mine", __wasi_path_unlink_file(preopen_fd, "mine"), 0);

    printf("%s\n", failures ? "SOME ESCAPES OR FAILURES" : "sandbox held");
    return failures != 0;
}
