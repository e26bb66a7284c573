/* rawabi: the preview1 ABI called directly, below wasi-libc: errno values,
 * struct layouts byte by byte, and guest pointers that leave memory (each
 * must be EFAULT, never a crash or a write elsewhere).
 *   rawabi PREOPEN        the checks (PREOPEN: guest name of an empty preopen at fd 3)
 *   rawabi raise SIG      proc_raise(SIG), then print what it returned
 *   rawabi exit CODE      proc_exit(CODE) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
/* clang-format off */
IMPORT(args_get) int32_t raw_args_get(int32_t, int32_t);
IMPORT(args_sizes_get) int32_t raw_args_sizes_get(int32_t, int32_t);
IMPORT(clock_time_get) int32_t raw_clock_time_get(int32_t, int64_t, int32_t);
IMPORT(random_get) int32_t raw_random_get(int32_t, int32_t);
IMPORT(fd_write) int32_t raw_fd_write(int32_t, int32_t, int32_t, int32_t);
IMPORT(fd_read) int32_t raw_fd_read(int32_t, int32_t, int32_t, int32_t);
IMPORT(fd_close) int32_t raw_fd_close(int32_t);
IMPORT(fd_seek) int32_t raw_fd_seek(int32_t, int64_t, int32_t, int32_t);
IMPORT(fd_tell) int32_t raw_fd_tell(int32_t, int32_t);
IMPORT(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t, int32_t);
IMPORT(fd_fdstat_set_flags) int32_t raw_fd_fdstat_set_flags(int32_t, int32_t);
IMPORT(fd_filestat_get) int32_t raw_fd_filestat_get(int32_t, int32_t);
IMPORT(fd_filestat_set_size) int32_t raw_fd_filestat_set_size(int32_t, int64_t);
IMPORT(fd_filestat_set_times) int32_t raw_fd_filestat_set_times(int32_t, int64_t, int64_t, int32_t);
IMPORT(fd_prestat_get) int32_t raw_fd_prestat_get(int32_t, int32_t);
IMPORT(fd_prestat_dir_name) int32_t raw_fd_prestat_dir_name(int32_t, int32_t, int32_t);
IMPORT(fd_readdir) int32_t raw_fd_readdir(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(fd_renumber) int32_t raw_fd_renumber(int32_t, int32_t);
IMPORT(fd_advise) int32_t raw_fd_advise(int32_t, int64_t, int64_t, int32_t);
IMPORT(fd_allocate) int32_t raw_fd_allocate(int32_t, int64_t, int64_t);
IMPORT(fd_pwrite) int32_t raw_fd_pwrite(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(fd_pread) int32_t raw_fd_pread(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(path_open) int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t);
IMPORT(path_filestat_get) int32_t raw_path_filestat_get(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_create_directory) int32_t raw_path_create_directory(int32_t, int32_t, int32_t);
IMPORT(path_remove_directory) int32_t raw_path_remove_directory(int32_t, int32_t, int32_t);
IMPORT(path_unlink_file) int32_t raw_path_unlink_file(int32_t, int32_t, int32_t);
IMPORT(poll_oneoff) int32_t raw_poll_oneoff(int32_t, int32_t, int32_t, int32_t);
IMPORT(proc_raise) int32_t raw_proc_raise(int32_t);
IMPORT(proc_exit) void raw_proc_exit(int32_t);
IMPORT(sched_yield) int32_t raw_sched_yield(void);
IMPORT(sock_accept) int32_t raw_sock_accept(int32_t, int32_t, int32_t);
IMPORT(sock_recv) int32_t raw_sock_recv(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(sock_send) int32_t raw_sock_send(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(sock_shutdown) int32_t raw_sock_shutdown(int32_t, int32_t);
/* clang-format on */

#define P(x)                  ((int32_t)(uintptr_t)(x))
#define RIGHT_FD_READ         (1ll << 1)
#define RIGHT_FD_SEEK         (1ll << 2)
#define RIGHT_FD_WRITE        (1ll << 6)
#define RIGHT_FD_FILESTAT_GET (1ll << 21)
#define RIGHT_FD_READDIR      (1ll << 14)
#define RIGHTS_FILE                                                                        \
    (RIGHT_FD_READ | RIGHT_FD_SEEK | RIGHT_FD_WRITE | RIGHT_FD_FILESTAT_GET | (1ll << 5) | \
     (1ll << 8) | (1ll << 22) | (1ll << 23) | (1ll << 7))

static int failures;

static void expect(const char *what, int32_t got, int32_t want)
{
    printf("%s: %d%s\n", what, got, got == want ? "" : " (UNEXPECTED)");
    if (got != want)
        failures++;
}

static uint8_t *canary_buf(size_t n)
{
    uint8_t *p = malloc(n + 16);
    memset(p, 0xAA, n + 16);
    return p;
}

static int canary_intact(const uint8_t *p, size_t n)
{
    for (size_t i = n; i < n + 16; i++)
        if (p[i] != 0xAA)
            return 0;
    return 1;
}

static uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static int32_t open_file(const char *name, int creat)
{
    int32_t fd = -1;
    int32_t e = raw_path_open(3, 1, P(name), (int32_t)strlen(name), creat ? 1 : 0, RIGHTS_FILE, 0,
                              0, P(&fd));
    return e ? -e : fd;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "raise")) {
        int32_t r = raw_proc_raise(atoi(argv[2]));
        printf("proc_raise(%s) returned %d\n", argv[2], r);
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "exit")) {
        raw_proc_exit((int32_t)strtoul(argv[2], NULL, 0));
        return 99; /* not reached */
    }

    uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;

    /* ---- errno values ---- */
    expect("fd_close(999) EBADF", raw_fd_close(999), 8);
    uint64_t pos;
    expect("clock_time_get(4) EINVAL", raw_clock_time_get(4, 0, P(&pos)), 28);
    uint8_t subs[48] = {0}, evs[32];
    uint32_t nev;
    expect("poll_oneoff(0 subscriptions) EINVAL", raw_poll_oneoff(P(subs), P(evs), 0, P(&nev)), 28);
    subs[8] = 7; /* unknown event type */
    expect("poll_oneoff bad type: call", raw_poll_oneoff(P(subs), P(evs), 1, P(&nev)), 0);
    expect("poll_oneoff bad type: events", (int32_t)nev, 1);
    expect("poll_oneoff bad type: event error EINVAL", (int32_t)((uint16_t)evs[8] | evs[9] << 8),
           28);
    int32_t fd;
    expect("path_open bad oflags EINVAL",
           raw_path_open(3, 0, P("x"), 1, 0x10, RIGHTS_FILE, 0, 0, P(&fd)), 28);
    expect("path_open bad lookupflags EINVAL",
           raw_path_open(3, 2, P("x"), 1, 0, RIGHTS_FILE, 0, 0, P(&fd)), 28);
    expect("path_open NUL inside the path EINVAL",
           raw_path_open(3, 0, P("a\0b"), 3, 0, RIGHTS_FILE, 0, 0, P(&fd)), 28);
    expect("path_open empty path ENOENT",
           raw_path_open(3, 0, P(""), 0, 0, RIGHTS_FILE, 0, 0, P(&fd)), 44);
    expect("path_open absolute ENOTCAPABLE",
           raw_path_open(3, 0, P("/etc"), 4, 0, RIGHTS_FILE, 0, 0, P(&fd)), 76);
    expect("fd_fdstat_set_flags unknown flag EINVAL", raw_fd_fdstat_set_flags(1, 0x20), 28);
    expect("fd_prestat_get(1) EBADF", raw_fd_prestat_get(1, P(subs)), 8);
    expect("fd_prestat_get(100) EBADF", raw_fd_prestat_get(100, P(subs)), 8);
    expect("proc_raise(0) EINVAL", raw_proc_raise(0), 28);
    expect("proc_raise(31) EINVAL", raw_proc_raise(31), 28);
    expect("sched_yield", raw_sched_yield(), 0);
    expect("sock_recv on stdout ENOTSOCK", raw_sock_recv(1, P(subs), 0, 0, P(&nev), P(&nev)), 57);
    expect("sock_send on a preopen ENOTSOCK", raw_sock_send(3, P(subs), 0, 0, P(&nev)), 57);
    expect("sock_shutdown on stdout ENOTSOCK", raw_sock_shutdown(1, 3), 57);
    expect("sock_accept on a preopen ENOTSOCK", raw_sock_accept(3, 0, P(&fd)), 57);
    expect("sock_shutdown(999) EBADF", raw_sock_shutdown(999, 3), 8);

    /* ---- layouts ---- */
    uint8_t *b = canary_buf(24);
    expect("fd_fdstat_get(3)", raw_fd_fdstat_get(3, P(b)), 0);
    printf("fdstat: filetype %d (directory 3), flags %d, 24 bytes only: %s\n", b[0],
           b[2] | b[3] << 8, canary_intact(b, 24) ? "yes" : "NO");
    free(b);
    b = canary_buf(8);
    expect("fd_prestat_get(3)", raw_fd_prestat_get(3, P(b)), 0);
    uint32_t namelen = ld32(b + 4);
    printf("prestat: tag %d, name length %u, 8 bytes only: %s\n", b[0], namelen,
           canary_intact(b, 8) ? "yes" : "NO");
    free(b);
    b = canary_buf(namelen);
    expect("fd_prestat_dir_name", raw_fd_prestat_dir_name(3, P(b), (int32_t)namelen), 0);
    printf("preopen name: [%.*s], no NUL written: %s\n", (int)namelen, b,
           canary_intact(b, namelen) ? "yes" : "NO");
    expect("fd_prestat_dir_name short buffer ENAMETOOLONG",
           raw_fd_prestat_dir_name(3, P(b), (int32_t)namelen - 1), 37);
    free(b);

    fd = open_file("file", 1);
    printf("path_open creat: fd %s\n", fd > 3 ? "> 3" : "BAD");
    uint8_t data[] = "0123456789";
    uint32_t iov[2] = {P(data), 10}, n = 0;
    expect("fd_write 10", raw_fd_write(fd, P(iov), 1, P(&n)), 0);
    expect("nwritten", (int32_t)n, 10);
    b = canary_buf(64);
    expect("fd_filestat_get", raw_fd_filestat_get(fd, P(b)), 0);
    printf(
        "filestat: filetype %d (regular 4), nlink %llu, size %llu, mtime set %s, 64 bytes only: %s\n",
        b[16], (unsigned long long)ld64(b + 24), (unsigned long long)ld64(b + 32),
        ld64(b + 48) > 1000000000ull * 1600000000ull ? "yes" : "no",
        canary_intact(b, 64) ? "yes" : "NO");
    expect("fd_filestat_set_times ATIM|ATIM_NOW EINVAL", raw_fd_filestat_set_times(fd, 0, 0, 3),
           28);
    expect("fd_filestat_set_times MTIM|MTIM_NOW EINVAL", raw_fd_filestat_set_times(fd, 0, 0, 12),
           28);
    expect("fd_filestat_set_times unknown bit EINVAL", raw_fd_filestat_set_times(fd, 0, 0, 16), 28);
    expect("fd_filestat_set_times atim=5s", raw_fd_filestat_set_times(fd, 5000000000ll, 0, 1), 0);
    (void)raw_fd_filestat_get(fd, P(b));
    printf("atim now %llu\n", (unsigned long long)ld64(b + 40));
    expect("path_filestat_get bad lookupflags EINVAL",
           raw_path_filestat_get(3, 4, P("file"), 4, P(b)), 28);
    expect("path_filestat_get", raw_path_filestat_get(3, 0, P("file"), 4, P(b)), 0);
    printf("path filestat: filetype %d, size %llu\n", b[16], (unsigned long long)ld64(b + 32));
    free(b);
    expect("fd_advise bad advice EINVAL", raw_fd_advise(fd, 0, 0, 6), 28);
    expect("fd_advise willneed", raw_fd_advise(fd, 0, 10, 3), 0);
    expect("fd_allocate 4096", raw_fd_allocate(fd, 0, 4096), 0);
    expect("fd_filestat_set_size 3", raw_fd_filestat_set_size(fd, 3), 0);
    expect("fd_tell", raw_fd_tell(fd, P(&pos)), 0);
    printf("offset %llu\n", (unsigned long long)pos);
    expect("fd_seek -1 from start EINVAL", raw_fd_seek(fd, -1, 0, P(&pos)), 28);
    expect("fd_seek bad whence EINVAL", raw_fd_seek(fd, 0, 3, P(&pos)), 28);
    expect("fd_seek on a directory ENOTCAPABLE", raw_fd_seek(3, 0, 0, P(&pos)), 76);
    expect("fd_pwrite at 1", raw_fd_pwrite(fd, P(iov), 1, 1, P(&n)), 0);
    char rd[16] = {0};
    uint32_t riov[2] = {P(rd), 4};
    expect("fd_pread at 0", raw_fd_pread(fd, P(riov), 1, 0, P(&n)), 0);
    printf("pread: %u [%.4s]\n", n, rd);
    expect("fd_pread offset above 2^63 EINVAL",
           raw_fd_pread(fd, P(riov), 1, (int64_t)0x8000000000000000ull, P(&n)), 28);

    /* ---- renumber ---- */
    int32_t fd2 = open_file("file", 0);
    expect("fd_renumber to a closed fd EBADF", raw_fd_renumber(fd, 200), 8);
    expect("fd_renumber onto another open fd", raw_fd_renumber(fd2, fd), 0);
    expect("old fd now closed EBADF", raw_fd_close(fd2), 8);
    expect("fd_renumber fd onto itself", raw_fd_renumber(fd, fd), 0);
    expect("renumbered fd reads", raw_fd_pread(fd, P(riov), 1, 0, P(&n)), 0);
    expect("fd_close", raw_fd_close(fd), 0);

    /* ---- readdir: cookies and a truncated last entry ---- */
    expect("mkdir dir", raw_path_create_directory(3, P("dir"), 3), 0);
    const char *names[] = {"dir/alpha", "dir/beta", "dir/gamma"};
    for (int i = 0; i < 3; i++) {
        int32_t f = open_file(names[i], 1);
        raw_fd_close(f);
    }
    int32_t dfd;
    expect("open dir", raw_path_open(3, 0, P("dir"), 3, 2, RIGHT_FD_READDIR, 0, 0, P(&dfd)), 0);
    uint8_t big[4096];
    uint32_t used;
    expect("fd_readdir all", raw_fd_readdir(dfd, P(big), sizeof big, 0, P(&used)), 0);
    int count = 0;
    for (uint32_t off = 0; off + 24 <= used; count++)
        off += 24 + ld32(big + off + 16);
    printf("entries: %d (with . and ..), end reached: %s\n", count,
           used < sizeof big ? "yes" : "NO");
    expect("fd_readdir into 10 bytes", raw_fd_readdir(dfd, P(big), 10, 0, P(&used)), 0);
    printf("bufused %u (a cut entry fills the buffer)\n", used);
    /* Walk with a one-entry buffer, resuming from each d_next. */
    uint64_t cookie = 0;
    int walked = 0;
    for (;;) {
        expect("fd_readdir one by one",
               raw_fd_readdir(dfd, P(big), 24 + 16, (int64_t)cookie, P(&used)), 0);
        if (used < 24)
            break;
        walked++;
        cookie = ld64(big);
        if (walked > 10)
            break;
    }
    printf("walked by cookies: %d\n", walked);
    expect("fd_readdir needs the readdir right", raw_fd_readdir(1, P(big), sizeof big, 0, P(&used)),
           76);
    raw_fd_close(dfd);
    for (int i = 0; i < 3; i++)
        raw_path_unlink_file(3, P(names[i]), (int32_t)strlen(names[i]));
    expect("rmdir dir", raw_path_remove_directory(3, P("dir"), 3), 0);
    expect("unlink file", raw_path_unlink_file(3, P("file"), 4), 0);

    /* ---- pointers outside memory: EFAULT, nothing written ---- */
    expect("args_sizes_get at the end of memory", raw_args_sizes_get((int32_t)end - 2, P(&n)), 21);
    expect("args_get argv beyond memory", raw_args_get((int32_t)end - 4, P(big)), 21);
    expect("args_get buffer beyond memory", raw_args_get(P(big), (int32_t)end - 1), 21);
    expect("clock_time_get result straddling the end", raw_clock_time_get(0, 0, (int32_t)end - 7),
           21);
    expect("random_get straddling the end", raw_random_get((int32_t)end - 10, 20), 21);
    expect("random_get wrapping around 4 GiB", raw_random_get((int32_t)0xfffffff0u, 0x20), 21);
    iov[0] = end - 1;
    iov[1] = 2;
    expect("fd_write iovec buffer straddling the end", raw_fd_write(1, P(iov), 1, P(&n)), 21);
    iov[0] = end;
    iov[1] = 0;
    expect("fd_write empty iovec at the very end", raw_fd_write(1, P(iov), 1, P(&n)), 0);
    expect("fd_write iovec array beyond memory", raw_fd_write(1, (int32_t)end - 4, 1, P(&n)), 21);
    expect("fd_write huge iovec count", raw_fd_write(1, P(iov), 0x7fffffff, P(&n)), 21);
    iov[0] = P(data);
    iov[1] = 1;
    expect("fd_write result pointer beyond memory", raw_fd_write(1, P(iov), 1, (int32_t)end), 21);
    expect("fd_read result pointer beyond memory", raw_fd_read(0, P(iov), 1, (int32_t)end), 21);
    expect("path_open path beyond memory",
           raw_path_open(3, 0, (int32_t)end - 2, 10, 0, RIGHTS_FILE, 0, 0, P(&fd)), 21);
    expect("path_open result beyond memory",
           raw_path_open(3, 0, P("x"), 1, 1, RIGHTS_FILE, 0, 0, (int32_t)end), 21);
    expect("path_create_directory path beyond memory",
           raw_path_create_directory(3, (int32_t)end - 1, 5), 21);
    expect("fd_fdstat_get beyond memory", raw_fd_fdstat_get(1, (int32_t)end - 23), 21);
    expect("fd_filestat_get beyond memory", raw_fd_filestat_get(3, (int32_t)end - 63), 21);
    expect("fd_prestat_dir_name beyond memory", raw_fd_prestat_dir_name(3, (int32_t)end - 1, 8),
           21);
    expect("fd_readdir beyond memory", raw_fd_readdir(3, (int32_t)end - 8, 16, 0, P(&used)), 21);
    expect("poll_oneoff subscriptions beyond memory",
           raw_poll_oneoff((int32_t)end - 47, P(evs), 1, P(&nev)), 21);
    expect("poll_oneoff events beyond memory",
           raw_poll_oneoff(P(subs), (int32_t)end - 31, 1, P(&nev)), 21);
    expect("poll_oneoff huge count", raw_poll_oneoff(P(subs), P(evs), 0x10000000, P(&nev)), 21);
    printf("x marks the file x was not created: %s\n",
           raw_path_filestat_get(3, 0, P("x"), 1, P(big)) == 44 ? "yes" : "NO");

    /* ---- argv through the raw calls ---- */
    uint32_t argc2, argsize;
    expect("args_sizes_get", raw_args_sizes_get(P(&argc2), P(&argsize)), 0);
    uint32_t *ptrs = malloc(argc2 * 4);
    char *strs = malloc(argsize);
    expect("args_get", raw_args_get(P(ptrs), P(strs)), 0);
    printf("argc %u, argv[1] [%s], pointers into the buffer: %s\n", argc2,
           (char *)(uintptr_t)ptrs[1], ptrs[0] == (uint32_t)P(strs) ? "yes" : "NO");

    printf("%s\n", failures ? "SOME CHECKS FAILED" : "all checks passed");
    return failures != 0;
}
