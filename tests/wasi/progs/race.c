/* race: open a path that leaves the preopen through "..", again and again,
 * while the host (tests/wasi/mover.c) renames a directory in and out of
 * the sandbox as fast as it can.  Resolution that trusted the kernel's ".."
 * after a component was moved away would reach the canary outside (a plain
 * openat does, a few percent of the time).
 *   sandbox/a/b/c/c/.../c   DEPTH levels of c; b moves to OUT/x/y/b and back
 *   OUT/canary              "CANARY"
 * The path is a/b/c/.../c/ then DEPTH+3 times ../ then canary: the long
 * walk inside b widens the window.  argv: ITERATIONS DEPTH */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv)
{
    int iterations = argc > 1 ? atoi(argv[1]) : 1000;
    int depth = argc > 2 ? atoi(argv[2]) : 40;
    static char path[4096] = "a/b/";
    for (int i = 0; i < depth && strlen(path) < 3000; i++)
        strcat(path, "c/");
    for (int i = 0; i < depth + 3 && strlen(path) < 4000; i++)
        strcat(path, "../");
    strcat(path, "canary");
    int escaped = 0, opened_inside = 0, errors = 0;
    for (int i = 0; i < iterations; i++) {
        __wasi_fd_t fd;
        __wasi_errno_t e = __wasi_path_open(3, 0, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
        if (e) {
            errors++;
            continue;
        }
        char buf[16] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t n;
        (void)__wasi_fd_read(fd, &iov, 1, &n);
        (void)__wasi_fd_close(fd);
        if (buf[0] == 'C')
            escaped++;
        else
            opened_inside++;
    }
    printf("iterations %d, escaped %d\n", iterations, escaped);
    fprintf(stderr, "race: %d refused, %d opened inside\n", errors, opened_inside);
    return escaped != 0;
}
