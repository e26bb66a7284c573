/* poll.c: clock_res_get, clock_time_get, random_get, poll_oneoff and
 * sched_yield. */
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "wasi_impl.h"

static int host_clock(uint32_t id, clockid_t *out)
{
    switch (id) {
    case WASI_CLOCK_REALTIME: *out = CLOCK_REALTIME; return 0;
    case WASI_CLOCK_MONOTONIC: *out = CLOCK_MONOTONIC; return 0;
    case WASI_CLOCK_PROCESS_CPUTIME: *out = CLOCK_PROCESS_CPUTIME_ID; return 0;
    case WASI_CLOCK_THREAD_CPUTIME: *out = CLOCK_THREAD_CPUTIME_ID; return 0;
    default: return -1;
    }
}

static uint64_t ns_of(const struct timespec *ts)
{
    if (ts->tv_sec < 0)
        return 0;
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static uint64_t now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ns_of(&ts);
}

WASI_HOST_FN(clock_res_get)
{
    (void)ud;
    clockid_t c;
    if (host_clock((uint32_t)args[0].i32, &c) < 0)
        return wasi_result(args, WASI_EINVAL);
    uint8_t *out = wasi_mem(inst, (uint32_t)args[1].i32, 8);
    if (!out)
        return wasi_result(args, WASI_EFAULT);
    struct timespec ts;
    if (clock_getres(c, &ts) < 0)
        return wasi_result(args, wasi_errno_from_host(errno));
    uint64_t res = ns_of(&ts);
    wasi_st64(out, res ? res : 1); /* the spec asks for a non-zero resolution */
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(clock_time_get)
{
    (void)ud;
    clockid_t c;
    if (host_clock((uint32_t)args[0].i32, &c) < 0)
        return wasi_result(args, WASI_EINVAL);
    /* args[1] is the precision the guest tolerates: every clock here is
     * read at full precision. */
    uint8_t *out = wasi_mem(inst, (uint32_t)args[2].i32, 8);
    if (!out)
        return wasi_result(args, WASI_EFAULT);
    struct timespec ts;
    if (clock_gettime(c, &ts) < 0)
        return wasi_result(args, wasi_errno_from_host(errno));
    wasi_st64(out, ns_of(&ts));
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(random_get)
{
    (void)ud;
    uint32_t len = (uint32_t)args[1].i32;
    uint8_t *buf = wasi_mem(inst, (uint32_t)args[0].i32, len);
    if (!buf)
        return wasi_result(args, WASI_EFAULT);
    uint32_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR) {
                if (wasi_interrupted(inst))
                    return wasm_trap_interrupted(inst);
                continue;
            }
            return wasi_result(args, wasi_errno_from_host(errno));
        }
        done += (uint32_t)n;
    }
    return wasi_result(args, WASI_ESUCCESS);
}

WASI_HOST_FN(sched_yield)
{
    (void)ud;
    (void)inst;
    sched_yield();
    return wasi_result(args, WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ */
/* poll_oneoff                                                         */
/* ------------------------------------------------------------------ */

/* More subscriptions than this in one call is ENOMEM rather than a host
 * allocation proportional to whatever the guest asks for. */
#define POLL_MAX_SUBSCRIPTIONS 65536

struct sub {
    uint64_t userdata;
    uint8_t type;
    wasi_errno error; /* set: the event is ready with this error */
    bool ready;
    uint64_t deadline; /* clock: CLOCK_MONOTONIC ns */
    int pollfd;        /* fd: index in the pollfd array, or -1 */
    int host;          /* fd: host descriptor */
    uint64_t nbytes;
    uint16_t rwflags;
};

/* A clock subscription becomes a deadline on the monotonic clock.  Only
 * clocks that advance while the process sleeps can be waited for. */
static void parse_clock(const uint8_t *p, struct sub *s)
{
    uint32_t id = wasi_ld32(p + 16);
    uint64_t timeout = wasi_ld64(p + 24);
    uint16_t flags = wasi_ld16(p + 40);
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    uint64_t rel;
    if (flags & ~(uint16_t)WASI_SUBCLOCK_ABSTIME) {
        s->error = WASI_EINVAL;
        return;
    }
    switch (id) {
    case WASI_CLOCK_REALTIME:
    case WASI_CLOCK_MONOTONIC:
        if (flags & WASI_SUBCLOCK_ABSTIME) {
            uint64_t cur = now_ns(id == WASI_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC);
            rel = timeout > cur ? timeout - cur : 0;
        } else {
            rel = timeout;
        }
        s->deadline = rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
        break;
    case WASI_CLOCK_PROCESS_CPUTIME:
    case WASI_CLOCK_THREAD_CPUTIME:
        /* CPU time does not advance while the guest waits here. */
        s->error = WASI_ENOTSUP;
        break;
    default: s->error = WASI_EINVAL; break;
    }
}

static void parse_fd(struct wasi_ctx *ctx, const uint8_t *p, struct sub *s)
{
    uint32_t fd = wasi_ld32(p + 16);
    uint64_t need = WASI_RIGHT_POLL_FD_READWRITE |
                    (s->type == WASI_EVENTTYPE_FD_READ ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE);
    wasi_errno err;
    struct wasi_fd *e = wasi_fd_lookup(ctx, fd, need, 0, &err);
    if (!e) {
        s->error = err;
        return;
    }
    s->host = e->host;
    struct stat st;
    if (fstat(e->host, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
        /* Regular files are always ready; report what is left to read. */
        s->ready = true;
        if (s->type == WASI_EVENTTYPE_FD_READ && S_ISREG(st.st_mode)) {
            off_t pos = lseek(e->host, 0, SEEK_CUR);
            if (pos >= 0 && st.st_size > pos)
                s->nbytes = (uint64_t)(st.st_size - pos);
        }
    }
}

static void store_event(uint8_t *p, const struct sub *s)
{
    memset(p, 0, WASI_EVENT_SIZE);
    wasi_st64(p + 0, s->userdata);
    wasi_st16(p + 8, s->error);
    wasi_st8(p + 10, s->type);
    if (s->type != WASI_EVENTTYPE_CLOCK) {
        wasi_st64(p + 16, s->nbytes);
        wasi_st16(p + 24, s->rwflags);
    }
}

WASI_HOST_FN(poll_oneoff)
{
    struct wasi_ctx *ctx = ud;
    uint32_t in = (uint32_t)args[0].i32, out = (uint32_t)args[1].i32;
    uint32_t nsubs = (uint32_t)args[2].i32, nevents_ptr = (uint32_t)args[3].i32;

    if (nsubs == 0)
        return wasi_result(args, WASI_EINVAL);
    const uint8_t *pin = wasi_mem(inst, in, (uint64_t)nsubs * WASI_SUBSCRIPTION_SIZE);
    uint8_t *pout = wasi_mem(inst, out, (uint64_t)nsubs * WASI_EVENT_SIZE);
    uint8_t *pn = wasi_mem(inst, nevents_ptr, 4);
    if (!pin || !pout || !pn)
        return wasi_result(args, WASI_EFAULT);
    if (nsubs > POLL_MAX_SUBSCRIPTIONS)
        return wasi_result(args, WASI_ENOMEM);

    struct sub *subs = calloc(nsubs, sizeof *subs);
    struct pollfd *pfds = calloc((size_t)nsubs + 2, sizeof *pfds);
    if (!subs || !pfds) {
        free(subs);
        free(pfds);
        return wasi_result(args, WASI_ENOMEM);
    }

    bool any_ready = false;
    uint64_t earliest = UINT64_MAX;
    nfds_t npfds = 0;
    for (uint32_t i = 0; i < nsubs; i++) {
        const uint8_t *p = pin + (size_t)i * WASI_SUBSCRIPTION_SIZE;
        struct sub *s = &subs[i];
        s->userdata = wasi_ld64(p);
        s->type = p[8];
        s->pollfd = -1;
        s->host = -1;
        if (s->type == WASI_EVENTTYPE_CLOCK) {
            parse_clock(p, s);
            if (!s->error && s->deadline < earliest)
                earliest = s->deadline;
        } else if (s->type == WASI_EVENTTYPE_FD_READ || s->type == WASI_EVENTTYPE_FD_WRITE) {
            parse_fd(ctx, p, s);
            if (!s->error && !s->ready) {
                s->pollfd = (int)npfds;
                pfds[npfds].fd = s->host;
                pfds[npfds].events = s->type == WASI_EVENTTYPE_FD_READ ? POLLIN : POLLOUT;
                npfds++;
            }
        } else {
            s->error = WASI_EINVAL;
        }
        if (s->error || s->ready)
            any_ready = true;
    }

    wasm_runtime *rt = wasm_instance_runtime(inst);
    /* pfds[npfds]: the interrupt fd, pfds[npfds + 1]: the stop fd (poll()
     * skips them when they are -1) */
    pfds[npfds] = (struct pollfd){.fd = wasm_runtime_interrupt_fd(rt), .events = POLLIN};
    pfds[npfds + 1] = (struct pollfd){.fd = wasm_runtime_stop_fd(rt), .events = POLLIN};
    nfds_t nwait = npfds + 2;

    /* Wait until an fd is ready, the earliest deadline passes, or the
     * runtime is interrupted.  Signals other than the interrupting ones
     * only restart the wait.  Once a stop was requested (the first Ctrl-C),
     * a wait that would block ends at once: with EINTR when it waits for an
     * fd (poll() and select() in the guest report it), and with its clocks
     * fired early when it only waits for time: a sleep cannot report EINTR
     * (wasi-libc turns it into ENOTSUP, Rust's thread::sleep panics), and
     * the guest asks wasm_bpf_interrupted() whether it should end. */
    wasm_status status = WASM_OK;
    for (;;) {
        if (wasm_runtime_interrupted(rt)) {
            status = wasm_trap_interrupted(inst);
            goto done;
        }
        if (!any_ready && wasm_runtime_stop_requested(rt)) {
            if (npfds > 0) {
                status = wasi_result(args, WASI_EINTR);
                goto done;
            }
            for (uint32_t i = 0; i < nsubs; i++)
                if (subs[i].type == WASI_EVENTTYPE_CLOCK && !subs[i].error)
                    subs[i].ready = true;
            break;
        }
        uint64_t now = now_ns(CLOCK_MONOTONIC);
        struct timespec ts = {0, 0}, *tsp = &ts;
        if (!any_ready) {
            if (earliest == UINT64_MAX) {
                tsp = NULL;
            } else if (earliest > now) {
                uint64_t left = earliest - now;
                ts.tv_sec = (time_t)(left / 1000000000u);
                ts.tv_nsec = (long)(left % 1000000000u);
            }
        }
        int r = ppoll(pfds, nwait, tsp, NULL);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            status = wasi_result(args, wasi_errno_from_host(errno));
            goto done;
        }
        if (pfds[npfds].revents) {
            status = wasm_trap_interrupted(inst);
            goto done;
        }
        now = now_ns(CLOCK_MONOTONIC);
        bool fired = any_ready;
        for (uint32_t i = 0; i < nsubs; i++) {
            struct sub *s = &subs[i];
            if (s->type == WASI_EVENTTYPE_CLOCK && !s->error && s->deadline <= now)
                s->ready = fired = true;
            if (s->pollfd >= 0 && pfds[s->pollfd].revents) {
                short rev = pfds[s->pollfd].revents;
                s->ready = fired = true;
                if (rev & POLLNVAL)
                    s->error = WASI_EBADF;
                if (rev & POLLHUP)
                    s->rwflags |= WASI_EVENT_FD_READWRITE_HANGUP;
                int avail = 0;
                if (s->type == WASI_EVENTTYPE_FD_READ && ioctl(s->host, FIONREAD, &avail) == 0 &&
                    avail > 0)
                    s->nbytes = (uint64_t)avail;
            }
        }
        if (fired)
            break;
    }

    uint32_t n = 0;
    for (uint32_t i = 0; i < nsubs; i++) {
        if (subs[i].error || subs[i].ready)
            store_event(pout + (size_t)n++ * WASI_EVENT_SIZE, &subs[i]);
    }
    wasi_st32(pn, n);
    status = wasi_result(args, WASI_ESUCCESS);
done:
    free(subs);
    free(pfds);
    return status;
}
