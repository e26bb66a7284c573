/* files: files and directories inside a preopen (argv[1], e.g. /sandbox,
 * empty when the program starts): create, write, read, seek, pread,
 * pwrite, truncate, stat, readdir, rename, unlink, symlink, readlink, hard
 * links, timestamps, and the errors POSIX promises for each. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static char root[256];

static const char *at(const char *rel)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", root, rel);
    return buf[k];
}

/* Print the outcome of a call: "ok" or the errno's name. */
static void report(const char *what, int r)
{
    if (r >= 0) {
        printf("%s: ok\n", what);
        return;
    }
    const char *name;
    switch (errno) {
    case ENOENT: name = "ENOENT"; break;
    case EEXIST: name = "EEXIST"; break;
    case ENOTDIR: name = "ENOTDIR"; break;
    case EISDIR: name = "EISDIR"; break;
    case ENOTEMPTY: name = "ENOTEMPTY"; break;
    case EBADF: name = "EBADF"; break;
    case EINVAL: name = "EINVAL"; break;
    case ELOOP: name = "ELOOP"; break;
    case EPERM: name = "EPERM"; break;
    case EACCES: name = "EACCES"; break;
    case ENOTCAPABLE: name = "ENOTCAPABLE"; break;
    default: name = strerror(errno); break;
    }
    printf("%s: %s\n", what, name);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted, without "." and "..". */
static void list(const char *rel)
{
    DIR *d = opendir(at(rel));
    if (!d) {
        report("opendir", -1);
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        const char *t = e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : "";
        char *s = malloc(strlen(e->d_name) + 2);
        sprintf(s, "%s%s", e->d_name, t);
        names[n++] = s;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    printf("ls %s:", rel);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void write_file(const char *rel, const char *text)
{
    int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        report(rel, -1);
        return;
    }
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        report("write", -1);
    close(fd);
}

static void cat(const char *rel)
{
    char buf[256];
    int fd = open(at(rel), O_RDONLY);
    if (fd < 0) {
        printf("cat %s: ", rel);
        report("open", -1);
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    printf("cat %s: [%s]\n", rel, buf);
}

int main(int argc, char **argv)
{
    snprintf(root, sizeof root, "%s", argc > 1 ? argv[1] : ".");
    char buf[256];
    struct stat st;

    /* Create, write, read back. */
    int fd = open(at("a.txt"), O_RDWR | O_CREAT | O_EXCL, 0644);
    report("create a.txt", fd);
    printf("write: %zd\n", write(fd, "hello, world\n", 13));
    printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    printf("lseek set 7: %lld\n", (long long)lseek(fd, 7, SEEK_SET));
    ssize_t n = read(fd, buf, 5);
    buf[n > 0 ? n : 0] = '\0';
    printf("read 5 at 7: %zd [%s]\n", n, buf);
    printf("lseek cur: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("lseek cur -3: %lld\n", (long long)lseek(fd, -3, SEEK_CUR));
    report("lseek before start", (int)lseek(fd, -100, SEEK_SET));

    /* Scatter/gather and positioned I/O. */
    struct iovec iov[2] = {{"AB", 2}, {"CD", 2}};
    printf("pwritev 4 at 0: %zd\n", pwritev(fd, iov, 2, 0));
    n = pread(fd, buf, 6, 0);
    buf[n > 0 ? n : 0] = '\0';
    printf("pread 6 at 0: %zd [%s]\n", n, buf);
    printf("offset kept by pread/pwrite: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    char r1[3] = {0}, r2[4] = {0};
    struct iovec riov[2] = {{r1, 2}, {r2, 3}};
    lseek(fd, 0, SEEK_SET);
    printf("readv 2+3: %zd [%s][%s]\n", readv(fd, riov, 2), r1, r2);

    /* Size changes. */
    report("fstat", fstat(fd, &st));
    printf("size %lld, regular %d, nlink %lu\n", (long long)st.st_size, S_ISREG(st.st_mode),
           (unsigned long)st.st_nlink);
    report("ftruncate 5", ftruncate(fd, 5));
    fstat(fd, &st);
    printf("size after truncate: %lld\n", (long long)st.st_size);
    report("ftruncate 100", ftruncate(fd, 100));
    fstat(fd, &st);
    printf("size after extend: %lld\n", (long long)st.st_size);
    printf("hole reads as zero: %s\n",
           pread(fd, buf, 4, 50) == 4 && !buf[0] && !buf[3] ? "yes" : "NO");
    report("ftruncate 5 again", ftruncate(fd, 5));
    report("fsync", fsync(fd));
    report("fdatasync", fdatasync(fd));
    printf("posix_fadvise: %d\n", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    report("close", close(fd));
    report("close again", close(fd));
    cat("a.txt");

    /* Append mode. */
    fd = open(at("a.txt"), O_WRONLY | O_APPEND);
    report("open append", fd);
    lseek(fd, 0, SEEK_SET);
    printf("append write: %zd\n", write(fd, "++", 2));
    close(fd);
    cat("a.txt");

    /* open() errors. */
    report("create a.txt again (O_EXCL)", open(at("a.txt"), O_RDWR | O_CREAT | O_EXCL, 0644));
    report("open missing", open(at("missing"), O_RDONLY));
    report("open a.txt as a directory", open(at("a.txt"), O_RDONLY | O_DIRECTORY));
    report("open a.txt/x", open(at("a.txt/x"), O_RDONLY));

    /* Directories. */
    report("mkdir d", mkdir(at("d"), 0755));
    report("mkdir d again", mkdir(at("d"), 0755));
    report("mkdir d/e", mkdir(at("d/e"), 0755));
    report("mkdir missing/x", mkdir(at("missing/x"), 0755));
    write_file("d/one", "1");
    write_file("d/two", "22");
    write_file("d/e/three", "333");
    list(".");
    list("d");
    report("stat d", stat(at("d"), &st));
    printf("d is a directory: %s\n", S_ISDIR(st.st_mode) ? "yes" : "NO");
    report("rmdir d (not empty)", rmdir(at("d")));
    report("unlink d (a directory)", unlink(at("d")));
    report("rmdir d/one (a file)", rmdir(at("d/one")));
    report("open d for writing", open(at("d"), O_WRONLY));
    report("read a directory",
           (fd = open(at("d"), O_RDONLY | O_DIRECTORY), (int)read(fd, buf, 10)));
    close(fd);

    /* Rename. */
    report("rename d/one -> d/uno", rename(at("d/one"), at("d/uno")));
    report("rename missing", rename(at("d/one"), at("d/x")));
    report("rename file over file", rename(at("d/two"), at("d/uno")));
    cat("d/uno");
    report("rename dir -> d/e2", rename(at("d/e"), at("d/e2")));
    report("rename file over dir", rename(at("d/uno"), at("d/e2")));
    list("d");
    list("d/e2");

    /* Symlinks. */
    report("symlink d/e2/three <- lnk", symlink("d/e2/three", at("lnk")));
    report("symlink to a directory", symlink("d", at("dirlnk")));
    report("symlink dangling", symlink("nowhere", at("dangling")));
    report("symlink over existing", symlink("x", at("lnk")));
    n = readlink(at("lnk"), buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("readlink lnk: %zd [%s]\n", n, buf);
    n = readlink(at("lnk"), buf, 4);
    printf("readlink lnk into 4 bytes: %zd [%.4s]\n", n, buf);
    report("readlink a regular file", (int)readlink(at("a.txt"), buf, sizeof buf));
    cat("lnk");
    cat("dirlnk/e2/three");
    cat("dangling");
    report("lstat lnk", lstat(at("lnk"), &st));
    printf("lstat says symlink: %s, size %lld\n", S_ISLNK(st.st_mode) ? "yes" : "NO",
           (long long)st.st_size);
    report("stat lnk", stat(at("lnk"), &st));
    printf("stat follows to a regular file of 3 bytes: %s\n",
           S_ISREG(st.st_mode) && st.st_size == 3 ? "yes" : "NO");
    report("open lnk O_NOFOLLOW", open(at("lnk"), O_RDONLY | O_NOFOLLOW));
    report("stat dangling", stat(at("dangling"), &st));
    write_file("dangling", "made through a dangling link");
    cat("nowhere");
    list(".");
    report("unlink lnk", unlink(at("lnk")));
    report("stat lnk after unlink", lstat(at("lnk"), &st));
    cat("d/e2/three");

    /* Hard links. */
    report("link a.txt -> hard", link(at("a.txt"), at("hard")));
    stat(at("a.txt"), &st);
    printf("nlink after link: %lu\n", (unsigned long)st.st_nlink);
    struct stat st2;
    stat(at("hard"), &st2);
    printf("same inode: %s\n", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev ? "yes" : "NO");
    report("link over existing", link(at("a.txt"), at("hard")));
    report("link a directory", link(at("d"), at("dlink")));
    report("unlink hard", unlink(at("hard")));
    stat(at("a.txt"), &st);
    printf("nlink after unlink: %lu\n", (unsigned long)st.st_nlink);

    /* Timestamps. */
    struct timespec times[2] = {{1000000000, 123456789}, {1234567890, 987654321}};
    report("utimensat a.txt", utimensat(AT_FDCWD, at("a.txt"), times, 0));
    stat(at("a.txt"), &st);
    printf("atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    fd = open(at("a.txt"), O_RDWR);
    struct timespec ftimes[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
    report("futimens mtime only", futimens(fd, ftimes));
    fstat(fd, &st);
    printf("atime %lld mtime %lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
    /* (This wasi-libc handles UTIME_NOW and UTIME_OMIT in the first
     * timespec only.) */
    struct timespec nows[2] = {{0, UTIME_NOW}, {1500000001, 0}};
    report("futimens atime now", futimens(fd, nows));
    fstat(fd, &st);
    printf("atime is recent: %s, mtime %lld\n", st.st_atim.tv_sec > 1600000000 ? "yes" : "NO",
           (long long)st.st_mtim.tv_sec);
    close(fd);

    /* Unlink and clean up: the preopen ends as it started. */
    report("unlink a.txt", unlink(at("a.txt")));
    report("unlink a.txt again", unlink(at("a.txt")));
    report("unlink d/uno", unlink(at("d/uno")));
    report("unlink d/two", unlink(at("d/two")));
    report("unlink d/e2/three", unlink(at("d/e2/three")));
    report("rmdir d/e2", rmdir(at("d/e2")));
    report("rmdir d", rmdir(at("d")));
    unlink(at("dirlnk"));
    unlink(at("dangling"));
    unlink(at("nowhere"));
    list(".");
    return 0;
}
