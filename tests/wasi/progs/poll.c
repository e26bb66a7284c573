/* poll: poll_oneoff with clock and fd subscriptions.
 *   poll            everything
 *   poll portable   only what Node's node:wasi also gets right (relative
 *                   clocks), for the comparison with it */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static __wasi_timestamp_t mono(void)
{
    __wasi_timestamp_t t = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout, int abstime)
{
    __wasi_subscription_t s = {0};
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 0;
    s.u.u.clock.flags = abstime ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
    return s;
}

int main(int argc, char **argv)
{
    int portable = argc > 1 && !strcmp(argv[1], "portable");
    /* nanosleep is one relative monotonic clock subscription. */
    __wasi_timestamp_t t0 = mono();
    struct timespec ts = {0, 50 * 1000000};
    printf("nanosleep 50 ms: %d\n", nanosleep(&ts, NULL));
    __wasi_timestamp_t slept = mono() - t0;
    printf("slept >= 50 ms: %s, < 1 s: %s\n", slept >= 50000000u ? "yes" : "NO",
           slept < 1000000000u ? "yes" : "NO");

    /* Two clocks: the earlier fires, alone. */
    __wasi_subscription_t subs[3];
    __wasi_event_t ev[3];
    __wasi_size_t n = 0;
    subs[0] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 2000000000u, 0);
    subs[1] = clock_sub(22, __WASI_CLOCKID_MONOTONIC, 20000000u, 0);
    __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, 2, &n);
    printf("two clocks: errno %d, %lu event(s), userdata %llu, type %d, error %d\n", e, n,
           (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);

    /* No subscriptions at all is EINVAL. */
    printf("zero subscriptions: errno %d\n", __wasi_poll_oneoff(subs, ev, 0, &n));

    /* poll(2) with no fds sleeps. */
    t0 = mono();
    int r = poll(NULL, 0, 25);
    printf("poll(no fds, 25 ms): %d, waited >= 25 ms: %s\n", r,
           mono() - t0 >= 25000000u ? "yes" : "NO");
    if (portable)
        return 0;

    /* An absolute deadline on the realtime clock, already in the past. */
    __wasi_timestamp_t rt = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &rt);
    subs[0] = clock_sub(33, __WASI_CLOCKID_REALTIME, rt - 1000000u, 1);
    e = __wasi_poll_oneoff(subs, ev, 1, &n);
    printf("past absolute realtime: errno %d, %lu event(s), userdata %llu\n", e, n,
           (unsigned long long)ev[0].userdata);

    /* An absolute monotonic deadline 30 ms ahead. */
    t0 = mono();
    subs[0] = clock_sub(44, __WASI_CLOCKID_MONOTONIC, t0 + 30000000u, 1);
    e = __wasi_poll_oneoff(subs, ev, 1, &n);
    printf("absolute monotonic +30 ms: errno %d, %lu event(s), waited >= 30 ms: %s\n", e, n,
           mono() - t0 >= 30000000u ? "yes" : "NO");

    /* stdout is always writable: an fd_write subscription fires at once,
     * before a long clock. */
    subs[0] = clock_sub(55, __WASI_CLOCKID_MONOTONIC, 5000000000u, 0);
    subs[1].userdata = 66;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[1].u.u.fd_write.file_descriptor = 1;
    t0 = mono();
    e = __wasi_poll_oneoff(subs, ev, 2, &n);
    printf("stdout writable: errno %d, %lu event(s), userdata %llu, type %d, error %d, quick: %s\n",
           e, n, (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error,
           mono() - t0 < 1000000000u ? "yes" : "NO");

    /* A bad fd is reported in its event, not as the call's errno. */
    subs[0].userdata = 77;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[0].u.u.fd_read.file_descriptor = 1234;
    e = __wasi_poll_oneoff(subs, ev, 1, &n);
    printf("bad fd: errno %d, %lu event(s), userdata %llu, error %d\n", e, n,
           (unsigned long long)ev[0].userdata, ev[0].error);

    /* poll(2) on stdin (at end of file here) with a timeout. */
    struct pollfd p = {.fd = 0, .events = POLLIN};
    r = poll(&p, 1, 1000);
    printf("poll(stdin at EOF): %d, POLLIN %s\n", r, (p.revents & POLLIN) ? "set" : "clear");
    return 0;
}
