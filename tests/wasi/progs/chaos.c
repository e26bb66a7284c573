/* chaos: call every WASI import with random arguments (pointers anywhere,
 * including across the end of memory and around 4 GiB, random lengths,
 * flags, fds and path bytes) many times.  The host must neither crash nor
 * touch anything outside the preopen; the guest only counts the calls.
 * fds 1 and 2 are left alone so that the count reaches stdout, and clock
 * timeouts are kept short.  argv: SEED ITERATIONS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
/* clang-format off */
IMPORT(args_get) int32_t w_args_get(int32_t, int32_t);
IMPORT(args_sizes_get) int32_t w_args_sizes_get(int32_t, int32_t);
IMPORT(environ_get) int32_t w_environ_get(int32_t, int32_t);
IMPORT(environ_sizes_get) int32_t w_environ_sizes_get(int32_t, int32_t);
IMPORT(clock_res_get) int32_t w_clock_res_get(int32_t, int32_t);
IMPORT(clock_time_get) int32_t w_clock_time_get(int32_t, int64_t, int32_t);
IMPORT(fd_advise) int32_t w_fd_advise(int32_t, int64_t, int64_t, int32_t);
IMPORT(fd_allocate) int32_t w_fd_allocate(int32_t, int64_t, int64_t);
IMPORT(fd_close) int32_t w_fd_close(int32_t);
IMPORT(fd_datasync) int32_t w_fd_datasync(int32_t);
IMPORT(fd_fdstat_get) int32_t w_fd_fdstat_get(int32_t, int32_t);
IMPORT(fd_fdstat_set_flags) int32_t w_fd_fdstat_set_flags(int32_t, int32_t);
IMPORT(fd_fdstat_set_rights) int32_t w_fd_fdstat_set_rights(int32_t, int64_t, int64_t);
IMPORT(fd_filestat_get) int32_t w_fd_filestat_get(int32_t, int32_t);
IMPORT(fd_filestat_set_size) int32_t w_fd_filestat_set_size(int32_t, int64_t);
IMPORT(fd_filestat_set_times) int32_t w_fd_filestat_set_times(int32_t, int64_t, int64_t, int32_t);
IMPORT(fd_pread) int32_t w_fd_pread(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(fd_prestat_get) int32_t w_fd_prestat_get(int32_t, int32_t);
IMPORT(fd_prestat_dir_name) int32_t w_fd_prestat_dir_name(int32_t, int32_t, int32_t);
IMPORT(fd_pwrite) int32_t w_fd_pwrite(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(fd_read) int32_t w_fd_read(int32_t, int32_t, int32_t, int32_t);
IMPORT(fd_readdir) int32_t w_fd_readdir(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(fd_renumber) int32_t w_fd_renumber(int32_t, int32_t);
IMPORT(fd_seek) int32_t w_fd_seek(int32_t, int64_t, int32_t, int32_t);
IMPORT(fd_sync) int32_t w_fd_sync(int32_t);
IMPORT(fd_tell) int32_t w_fd_tell(int32_t, int32_t);
IMPORT(fd_write) int32_t w_fd_write(int32_t, int32_t, int32_t, int32_t);
IMPORT(path_create_directory) int32_t w_path_create_directory(int32_t, int32_t, int32_t);
IMPORT(path_filestat_get) int32_t w_path_filestat_get(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_filestat_set_times) int32_t w_path_filestat_set_times(int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t);
IMPORT(path_link) int32_t w_path_link(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_open) int32_t w_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t);
IMPORT(path_readlink) int32_t w_path_readlink(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_remove_directory) int32_t w_path_remove_directory(int32_t, int32_t, int32_t);
IMPORT(path_rename) int32_t w_path_rename(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_symlink) int32_t w_path_symlink(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_unlink_file) int32_t w_path_unlink_file(int32_t, int32_t, int32_t);
IMPORT(poll_oneoff) int32_t w_poll_oneoff(int32_t, int32_t, int32_t, int32_t);
IMPORT(sched_yield) int32_t w_sched_yield(void);
IMPORT(random_get) int32_t w_random_get(int32_t, int32_t);
IMPORT(sock_accept) int32_t w_sock_accept(int32_t, int32_t, int32_t);
IMPORT(sock_recv) int32_t w_sock_recv(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(sock_send) int32_t w_sock_send(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(sock_shutdown) int32_t w_sock_shutdown(int32_t, int32_t);
IMPORT(proc_raise) int32_t w_proc_raise(int32_t);
/* clang-format on */

static uint64_t state;
static uint32_t rnd(void)
{
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(state >> 32);
}
static uint64_t rnd64(void)
{
    return (uint64_t)rnd() << 32 | rnd();
}

/* The scratch area is the last two pages of memory, grown for it: what the
 * host writes through a scratch pointer, at any length, either stays in
 * them or is refused for crossing the end.  (Elsewhere in memory the host
 * would write as asked, and the guest would wreck its own data.) */
#define SCRATCH_SIZE 131072u
static uint8_t *scratch;
static uint32_t mem_end;

/* A pointer that is not all inside memory: beyond it, across its end, or
 * near 4 GiB. */
static int32_t bad_ptr(void)
{
    switch (rnd() % 3) {
    case 0: return (int32_t)(mem_end + rnd() % (0u - mem_end));
    case 1: return (int32_t)(mem_end - rnd() % 64);
    default: return (int32_t)(0u - rnd() % 64);
    }
}

/* A pointer: into the scratch area mostly, else a bad one. */
static int32_t ptr(void)
{
    if (rnd() % 8 < 3)
        return bad_ptr();
    return (int32_t)(uintptr_t)(scratch + rnd() % (SCRATCH_SIZE - 8192));
}

static int32_t len(void)
{
    switch (rnd() % 6) {
    case 0: return (int32_t)rnd();
    case 1: return 0;
    default: return (int32_t)(rnd() % 64);
    }
}

/* fds: never 1 or 2 (the count goes there); the preopen (3) often. */
static int32_t fd(void)
{
    static const int32_t some[] = {0, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 64, 1000, -1, 0x7fffffff};
    return some[rnd() % (sizeof some / sizeof some[0])];
}

/* Path bytes: short names from a small alphabet with / and .. so that
 * operations hit each other's files, or random bytes. */
static int32_t path(int32_t *plen)
{
    static char buf[8][64];
    static int k;
    char *p = buf[k = (k + 1) % 8];
    static const char *parts[] = {"a", "b", "..", ".", "/", "c/", "../", "d/e", ""};
    int n = 0;
    if (rnd() % 5 == 0) {
        n = (int)(rnd() % 40);
        for (int i = 0; i < n; i++)
            p[i] = (char)rnd();
    } else {
        p[0] = '\0';
        for (int i = rnd() % 4; i >= 0; i--)
            strcat(p, parts[rnd() % (sizeof parts / sizeof parts[0])]);
        n = (int)strlen(p);
    }
    if (rnd() % 10 == 0) {
        *plen = len();
        return bad_ptr();
    }
    *plen = n;
    return (int32_t)(uintptr_t)p;
}

/* iovecs for calls that write into guest memory: each buffer in the
 * scratch area or a bad one (random bytes there could point anywhere). */
static int32_t read_iovs(int32_t *n)
{
    if (rnd() % 8 == 0) {
        *n = len();
        return bad_ptr();
    }
    uint32_t *iov = (uint32_t *)(void *)(scratch + SCRATCH_SIZE - 8192);
    *n = (int32_t)(rnd() % 9);
    for (int j = 0; j < *n; j++) {
        iov[2 * j] = (uint32_t)ptr();
        iov[2 * j + 1] = (uint32_t)len();
    }
    return (int32_t)(uintptr_t)iov;
}

/* Random subscriptions whose clocks wait at most about 1 ms. */
static int32_t subscriptions(int32_t n)
{
    uint8_t *s = scratch + SCRATCH_SIZE - 4096;
    for (int i = 0; i < n && i < 32; i++) {
        for (int j = 0; j < 48; j++)
            s[i * 48 + j] = (uint8_t)rnd();
        s[i * 48 + 8] = (uint8_t)(rnd() % 4);
        uint64_t timeout = rnd() % 1000000;
        memcpy(s + i * 48 + 24, &timeout, 8);
        uint16_t flags = rnd() % 3 == 0;
        memcpy(s + i * 48 + 40, &flags, 2);
    }
    return (int32_t)(uintptr_t)s;
}

int main(int argc, char **argv)
{
    state = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    long iterations = argc > 2 ? atol(argv[2]) : 20000;
    mem_end = (uint32_t)(__builtin_wasm_memory_grow(0, 2) + 2) * 65536u;
    scratch = (uint8_t *)(uintptr_t)(mem_end - SCRATCH_SIZE);
    long calls = 0;
    int32_t l1, l2;
    for (long i = 0; i < iterations; i++, calls++) {
        switch (rnd() % 44) {
        case 0: w_args_get(ptr(), ptr()); break;
        case 1: w_args_sizes_get(ptr(), ptr()); break;
        case 2: w_environ_get(ptr(), ptr()); break;
        case 3: w_environ_sizes_get(ptr(), ptr()); break;
        case 4: w_clock_res_get((int32_t)(rnd() % 6), ptr()); break;
        case 5: w_clock_time_get((int32_t)(rnd() % 6), (int64_t)rnd64(), ptr()); break;
        case 6: w_fd_advise(fd(), (int64_t)rnd64(), (int64_t)rnd64(), (int32_t)(rnd() % 8)); break;
        case 7: w_fd_allocate(fd(), rnd() % 4096, rnd() % 4096); break;
        case 8: {
            int32_t f = fd();
            if (f > 4)
                w_fd_close(f);
            break;
        }
        case 9: w_fd_datasync(fd()); break;
        case 10: w_fd_fdstat_get(fd(), ptr()); break;
        case 11: w_fd_fdstat_set_flags(fd(), (int32_t)(rnd() % 64) & ~4); break;
        case 12: w_fd_fdstat_set_rights(fd(), (int64_t)rnd64(), (int64_t)rnd64()); break;
        case 13: w_fd_filestat_get(fd(), ptr()); break;
        case 14: w_fd_filestat_set_size(fd(), rnd() % 100000); break;
        case 15:
            w_fd_filestat_set_times(fd(), (int64_t)rnd64(), (int64_t)rnd64(),
                                    (int32_t)(rnd() % 32));
            break;
        case 16: {
            int32_t v = read_iovs(&l1);
            w_fd_pread(fd(), v, l1, (int64_t)(rnd() % 3 ? rnd() % 1000 : rnd64()), ptr());
            break;
        }
        case 17: w_fd_prestat_get(fd(), ptr()); break;
        case 18: w_fd_prestat_dir_name(fd(), ptr(), len()); break;
        case 19: w_fd_pwrite(fd(), ptr(), len(), rnd() % 100000, ptr()); break;
        case 20: {
            int32_t v = read_iovs(&l1);
            w_fd_read(fd(), v, l1, ptr());
            break;
        }
        case 21: w_fd_readdir(fd(), ptr(), len(), (int64_t)(rnd() % 2 ? 0 : rnd64()), ptr()); break;
        case 22: {
            int32_t a = fd(), b = fd();
            if (a > 2 && b > 2)
                w_fd_renumber(a, b);
            break;
        }
        case 23:
            w_fd_seek(fd(), (int64_t)rnd64() >> (rnd() % 64), (int32_t)(rnd() % 4), ptr());
            break;
        case 24: w_fd_sync(fd()); break;
        case 25: w_fd_tell(fd(), ptr()); break;
        case 26: w_fd_write(fd(), ptr(), len(), ptr()); break;
        case 27: {
            int32_t p = path(&l1);
            w_path_create_directory(fd(), p, l1);
            break;
        }
        case 28: {
            int32_t p = path(&l1);
            w_path_filestat_get(fd(), (int32_t)(rnd() % 3), p, l1, ptr());
            break;
        }
        case 29: {
            int32_t p = path(&l1);
            w_path_filestat_set_times(fd(), (int32_t)(rnd() % 3), p, l1, (int64_t)rnd64(),
                                      (int64_t)rnd64(), (int32_t)(rnd() % 16));
            break;
        }
        case 30: {
            int32_t p = path(&l1), q = path(&l2);
            w_path_link(fd(), (int32_t)(rnd() % 3), p, l1, fd(), q, l2);
            break;
        }
        case 31: {
            int32_t p = path(&l1), r;
            w_path_open(fd(), (int32_t)(rnd() % 3), p, l1, (int32_t)(rnd() % 32), (int64_t)rnd64(),
                        (int64_t)rnd64(), (int32_t)(rnd() % 32) & ~4,
                        rnd() % 2 ? ptr() : (int32_t)(uintptr_t)&r);
            break;
        }
        case 32: {
            int32_t p = path(&l1);
            w_path_readlink(fd(), p, l1, ptr(), len(), ptr());
            break;
        }
        case 33: {
            int32_t p = path(&l1);
            w_path_remove_directory(fd(), p, l1);
            break;
        }
        case 34: {
            int32_t p = path(&l1), q = path(&l2);
            w_path_rename(fd(), p, l1, fd(), q, l2);
            break;
        }
        case 35: {
            int32_t p = path(&l1), q = path(&l2);
            w_path_symlink(p, l1, fd(), q, l2);
            break;
        }
        case 36: {
            int32_t p = path(&l1);
            w_path_unlink_file(fd(), p, l1);
            break;
        }
        case 37: {
            int32_t n = (int32_t)(rnd() % 4 ? rnd() % 33 : rnd());
            w_poll_oneoff(rnd() % 4 ? subscriptions(n) : bad_ptr(), ptr(), n, ptr());
            break;
        }
        case 38: w_sched_yield(); break;
        case 39: w_random_get(ptr(), rnd() % 8 ? len() % 4096 : len()); break;
        case 40: w_sock_accept(fd(), (int32_t)rnd(), ptr()); break;
        case 41: {
            int32_t v = read_iovs(&l1);
            w_sock_recv(fd(), v, l1, (int32_t)rnd(), ptr(), ptr());
            break;
        }
        case 42: w_sock_send(fd(), ptr(), len(), (int32_t)rnd(), ptr()); break;
        case 43:
            w_proc_raise(rnd() % 3 ? 16 + (int32_t)(rnd() % 2) * 2 : (int32_t)rnd() + 31);
            break;
        }
    }
    printf("survived %ld calls\n", calls);
    return 0;
}
