/* clocks: clock_res_get and clock_time_get on the four clocks.
 * argv[1], if given, is the host's time in seconds since 1970. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <wasi/api.h>

static const struct {
    __wasi_clockid_t id;
    const char *name;
} clocks[] = {
    {__WASI_CLOCKID_REALTIME, "realtime"},
    {__WASI_CLOCKID_MONOTONIC, "monotonic"},
    {__WASI_CLOCKID_PROCESS_CPUTIME_ID, "process_cputime"},
    {__WASI_CLOCKID_THREAD_CPUTIME_ID, "thread_cputime"},
};

static __wasi_timestamp_t now(__wasi_clockid_t id)
{
    __wasi_timestamp_t t = 0;
    if (__wasi_clock_time_get(id, 1, &t) != 0)
        return 0;
    return t;
}

int main(int argc, char **argv)
{
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        __wasi_timestamp_t res = 0;
        __wasi_errno_t e = __wasi_clock_res_get(clocks[i].id, &res);
        printf("clock_res_get(%s): errno %d, %s\n", clocks[i].name, e,
               res > 0 && res <= 1000000 ? "resolution in (0, 1 ms]" : "BAD resolution");
        __wasi_timestamp_t t;
        e = __wasi_clock_time_get(clocks[i].id, 1000, &t);
        printf("clock_time_get(%s): errno %d\n", clocks[i].name, e);
    }

    __wasi_timestamp_t t;
    printf("clock_res_get(99): errno %d\n", __wasi_clock_res_get(99, &t));
    printf("clock_time_get(99): errno %d\n", __wasi_clock_time_get(99, 1, &t));

    /* Wall time agrees with the host's. */
    if (argc > 1) {
        long long host = atoll(argv[1]);
        long long guest = (long long)(now(__WASI_CLOCKID_REALTIME) / 1000000000u);
        long long diff = guest > host ? guest - host : host - guest;
        printf("realtime within 5 s of the host: %s\n", diff <= 5 ? "yes" : "NO");
        printf("time() agrees with clock_time_get: %s\n",
               (long long)time(NULL) - guest <= 1 ? "yes" : "NO");
    }

    /* Monotonic and CPU clocks advance while the guest computes. */
    __wasi_timestamp_t m0 = now(__WASI_CLOCKID_MONOTONIC);
    __wasi_timestamp_t p0 = now(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
    __wasi_timestamp_t th0 = now(__WASI_CLOCKID_THREAD_CPUTIME_ID);
    volatile unsigned long x = 0;
    while (now(__WASI_CLOCKID_MONOTONIC) - m0 < 20000000u) /* 20 ms */
        for (int i = 0; i < 1000; i++)
            x = x + (unsigned long)i;
    __wasi_timestamp_t m1 = now(__WASI_CLOCKID_MONOTONIC);
    printf("monotonic advanced by >= 20 ms: %s\n", m1 - m0 >= 20000000u ? "yes" : "NO");
    printf("process cputime advanced: %s\n",
           now(__WASI_CLOCKID_PROCESS_CPUTIME_ID) > p0 ? "yes" : "NO");
    printf("thread cputime advanced: %s\n",
           now(__WASI_CLOCKID_THREAD_CPUTIME_ID) > th0 ? "yes" : "NO");

    struct timespec ts;
    printf("clock_gettime(CLOCK_MONOTONIC): %d\n", clock_gettime(CLOCK_MONOTONIC, &ts));
    return 0;
}
