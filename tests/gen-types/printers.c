/* printers.c: the event printers of a generated C header (gen types), fed
 * with known values; tests/gen-types/run parses what they print.
 *   printers ev json|columns|bytes   struct ev of fixtures/ev.h (bytes: its raw bytes)
 *   printers more json           struct more of fixtures/more.h, every byte 0xa5 */
#include <stdio.h>
#include <string.h>

#include TYPES_H

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
#ifdef EV
    struct ev e;
    memset(&e, 0, sizeof e);
    e.pid = -42;
    e.ts = 18446744073709551615ULL;
    memcpy(e.comm, "a\"b\\c\x01\xe9", 7); /* a quote, a backslash, control, non-ASCII */
    e.ptr = 0xffff888000001000ULL;
    e.delta = -9000000000LL;
    e.kind = EV_BIG;
    e.val.l = -1;
    e.inner.port = 8080;
    e.inner.proto = 6;
    ev__set_flags(&e, 5);
    ev__set_prio(&e, 31);
    e.last = 'z';
    if (!strcmp(argv[1], "bytes")) { /* the record, for the Rust/C comparison */
        fwrite(&e, sizeof e, 1, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "json")) {
        ev__print_json(stdout, &e);
        e.kind = 7;                             /* no enumerator: the number */
        memcpy(e.comm, "0123456789abcdef", 16); /* no NUL: all 16 bytes */
        ev__print_json(stdout, &e);
    } else {
        ev__print_columns_header(stdout);
        ev__print_columns(stdout, &e);
        e.pid = 1;
        e.kind = EV_EXEC;
        memcpy(e.comm, "0123456789abcdef", 16);
        ev__print_columns(stdout, &e);
    }
#else
    (void)argv;
    struct more m;
    memset(&m, 0xa5, sizeof m);
    more__print_json(stdout, &m);
    more__print_columns_header(stdout);
    more__print_columns(stdout, &m);
#endif
    return 0;
}
