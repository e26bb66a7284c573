/* metrics.h: `run --metrics [ADDR:]PORT` and `run --ready-file PATH`.
 *
 * A libmicrohttpd server on its own thread serves the run's counters as
 * Prometheus text exposition (version 0.0.4) on /metrics, and the run's
 * readiness on /ready: 200 once the guest has polled a buffer for the
 * first time (it loaded and attached its programs; a guest without
 * buffers: see wasm_bpf_options.on_ready), 503 before.  The
 * server only reads (wasm_bpf_stats_*, wasm_memory_pages): the guest's
 * thread never waits for it.  The metrics are listed in the README
 * ("Metrics"). */
#ifndef WASM_BPF_CLI_METRICS_H
#define WASM_BPF_CLI_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wasm_bpf_host.h"
#include "wasm_engine.h"

/* --metrics's value, checked by metrics_parse_addr */
struct metrics_addr {
    bool set;
    struct sockaddr_storage ss;
    socklen_t len;
    char text[80]; /* as given, for messages */
};

/* opt setter of --metrics (target: struct metrics_addr): PORT (on
 * 127.0.0.1), ADDR:PORT (ADDR a numeric IPv4 address or localhost) or
 * [ADDR6]:PORT. */
int metrics_parse_addr(void *target, const char *value, char *err, size_t errlen);

/* What the info metric says of the module. */
struct metrics_module {
    const char *reference; /* as the user typed it */
    const char *digest;    /* "sha256:..." of its bytes */
    const char *engine;    /* "tiered", "jit" or "interp" */
};

struct metrics_server;

/* Listen on a and serve: bpf and mem (may be NULL: no such metrics) must
 * outlive the server.  NULL with the reason in err ("address already in
 * use"). */
struct metrics_server *metrics_start(const struct metrics_addr *a, const struct metrics_module *m,
                                     wasm_bpf_host *bpf, const wasm_memory *mem, char *err,
                                     size_t errlen);
/* Stop serving (joins the server's thread) and free; NULL is allowed. */
void metrics_stop(struct metrics_server *s);

/* The Prometheus text of the run as it is now (for the server, and for a
 * test without a socket); malloc'ed, NULL when out of memory. */
char *metrics_render(const struct metrics_module *m, wasm_bpf_host *bpf, const wasm_memory *mem,
                     size_t *len);

#endif
