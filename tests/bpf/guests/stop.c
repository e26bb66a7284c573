/* stop.c: how a guest ends after Ctrl-C, over bootstrap's object (exec and
 * exit events in a ring buffer).  Prints "ready" once attached, then:
 *   stop poll    poll without a timeout until -EINTR, then print a summary
 *                and return 0 (the way libbpf tools end)
 *   stop sleep   sleep a second at a time, asking wasm_bpf_interrupted()
 *                after each sleep; then drain the buffer without waiting,
 *                print a summary and return 0 (the way runqlat ends)
 *   stop ignore  poll in a loop, ignoring -EINTR (the runtime must stop it)
 *   stop target T  attach only handle_exec (a tracepoint), with target T as
 *                original guests pass one, print "attach returned N", then
 *                poll until Ctrl-C as "poll" does
 * The summary is "summary: N events (exec M)". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap.h"
#include "bootstrap.types.h"
#include "bootstrap.skel.h"

static int events, execs;

static int count_event(void *ctx, void *data, size_t len)
{
    const struct event *e = data;
    (void)ctx;
    if (len >= sizeof(*e) && !e->exit_event)
        execs++;
    events++;
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "poll";
    struct bootstrap_bpf *skel = bootstrap_bpf__open_and_load();
    if (!skel)
        return 10;
    if (!strcmp(mode, "target") && argc > 2) {
        struct bpf_program *prog = skel->progs.handle_exec;
        int r = wasm_attach_bpf_program(prog->obj_ptr, "handle_exec", argv[2]);
        printf("attach returned %d\n", r);
        if (r < 0)
            return 12;
        mode = "poll";
    } else if (bootstrap_bpf__attach(skel)) {
        return 10;
    }
    struct bpf_buffer *rb = bpf_buffer__open(skel->maps.rb, count_event, NULL);
    if (!rb)
        return 11;
    printf("ready\n");
    fflush(stdout);
    int err = 0;
    if (!strcmp(mode, "poll")) {
        while ((err = bpf_buffer__poll(rb, -1)) >= 0)
            ;
        printf("poll returned %s\n", err == -EINTR ? "-EINTR" : strerror(-err));
    } else if (!strcmp(mode, "sleep")) {
        while (!wasm_bpf_interrupted())
            sleep(1);
        err = bpf_buffer__poll(rb, 0);
        printf("interrupted; the last poll returned %d\n", err);
    } else {
        for (;;)
            bpf_buffer__poll(rb, -1);
    }
    printf("summary: %d events (exec %d)\n", events, execs);
    bpf_buffer__free(rb);
    bootstrap_bpf__destroy(skel);
    return err == -EINTR || err >= 0 ? 0 : 1;
}
