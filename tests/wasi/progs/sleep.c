/* sleep: print a line, then block, for the signal tests.
 *   sleep MS   nanosleep (poll_oneoff on a clock) for MS milliseconds
 *   read       read stdin until end of file (fd_read)
 *   poll MS    poll() on stdin with a timeout (poll_oneoff with an fd)
 *   spin       compute forever (no host call at all)
 * Lines printed before blocking must reach stdout even if a signal ends
 * the run, whatever stdout is (terminal, pipe, file). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "sleep";
    long ms = argc > 2 ? atol(argv[2]) : 10000;
    printf("before %s\n", how);
    printf("a second line\n");
    if (!strcmp(how, "sleep")) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    } else if (!strcmp(how, "read")) {
        char buf[256];
        while (read(0, buf, sizeof buf) > 0)
            ;
    } else if (!strcmp(how, "poll")) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        int r = poll(&p, 1, (int)ms);
        printf("poll returned %d\n", r);
    } else if (!strcmp(how, "spin")) {
        volatile unsigned long n = 0;
        for (;;)
            n++;
    }
    printf("after %s\n", how);
    return 0;
}
