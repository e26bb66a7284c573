/* sock: stdin is a listening TCP socket (the test's host side connects):
 * accept a connection, receive a line, send it back upper-cased, shut the
 * connection down. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(void)
{
    __wasi_fdstat_t st;
    (void)__wasi_fd_fdstat_get(0, &st);
    printf("stdin type %d (socket stream 6), accept right: %s\n", st.fs_filetype,
           (st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT) ? "yes" : "no");
    __wasi_fd_t conn;
    __wasi_errno_t e = __wasi_sock_accept(0, 0, &conn);
    printf("sock_accept: errno %d\n", e);
    if (e)
        return 1;
    char buf[256];
    size_t got = 0;
    while (got < sizeof buf - 1 && !memchr(buf, '\n', got)) {
        __wasi_iovec_t iov = {(uint8_t *)buf + got, sizeof buf - 1 - got};
        __wasi_size_t n = 0;
        __wasi_roflags_t ro = 0;
        e = __wasi_sock_recv(conn, &iov, 1, 0, &n, &ro);
        if (e || n == 0)
            break;
        got += n;
    }
    buf[got] = '\0';
    printf("sock_recv: errno %d, [%.*s]\n", e, (int)strcspn(buf, "\n"), buf);
    /* MSG_PEEK leaves nothing behind here: the peer sent one line. */
    for (size_t i = 0; i < got; i++)
        buf[i] = (char)toupper((unsigned char)buf[i]);
    __wasi_ciovec_t out = {(const uint8_t *)buf, got};
    __wasi_size_t sent = 0;
    e = __wasi_sock_send(conn, &out, 1, 0, &sent);
    printf("sock_send: errno %d, %lu bytes\n", e, sent);
    printf("sock_send with flags: errno %d\n", __wasi_sock_send(conn, &out, 1, 1, &sent));
    printf("sock_shutdown bad how: errno %d\n", __wasi_sock_shutdown(conn, 0));
    printf("sock_shutdown: errno %d\n",
           __wasi_sock_shutdown(conn, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
    printf("fd_close: errno %d\n", __wasi_fd_close(conn));
    return 0;
}
