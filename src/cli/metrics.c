/* metrics.c: the Prometheus endpoint of `run --metrics` (see metrics.h).
 *
 * libmicrohttpd runs one internal thread that accepts, parses and answers;
 * we give it a socket we bound ourselves, so that a busy port or a bad
 * address is our own clear error rather than the library's log line.  The
 * thread blocks the run's signals: SIGINT/SIGTERM/SIGHUP must reach the
 * guest's thread (cmd_run.c's handlers act on the runtime).
 *
 * libmicrohttpd is opened with dlopen when --metrics is given, as the OCI
 * client opens libcurl: linked, it and what it needs (GnuTLS, nettle, gmp,
 * p11-kit ... ten libraries) made every run start ~30 ms later. */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "wasm_bpf_base.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* the library's name as the loader knows it (the image build reads this line) */
#define LIBMICROHTTPD "libmicrohttpd.so.12"

/* The functions we call, bound by name (the header gives their types). */
static struct {
    void *handle;
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_quiesce_daemon) *quiesce_daemon;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
} mhd;

/* 0, or -1 with why in err */
static int mhd_open(char *err, size_t errlen)
{
    if (mhd.handle)
        return 0;
    void *h = dlopen(LIBMICROHTTPD, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, errlen, "cannot load %s (Debian package libmicrohttpd12): %s", LIBMICROHTTPD,
                 dlerror());
        return -1;
    }
    static const struct {
        const char *name;
        size_t offset;
    } syms[] = {
#define SYM(f) {"MHD_" #f, offsetof(__typeof__(mhd), f)}
        SYM(start_daemon),        SYM(stop_daemon),
        SYM(quiesce_daemon),      SYM(create_response_from_buffer),
        SYM(add_response_header), SYM(queue_response),
        SYM(destroy_response),
#undef SYM
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        void *f = dlsym(h, syms[i].name);
        if (!f) {
            snprintf(err, errlen, "%s has no %s", LIBMICROHTTPD, syms[i].name);
            dlclose(h);
            return -1;
        }
        memcpy((char *)&mhd + syms[i].offset, &f, sizeof f);
    }
    mhd.handle = h;
    return 0;
}

int metrics_parse_addr(void *target, const char *value, char *err, size_t errlen)
{
    struct metrics_addr *a = target;
    memset(a, 0, sizeof *a);
    const char *host = "127.0.0.1", *port = value;
    char hostbuf[64];
    bool v6 = false;
    if (value[0] == '[') { /* [ADDR6]:PORT */
        const char *close = strchr(value, ']');
        if (!close || close[1] != ':' || (size_t)(close - value - 1) >= sizeof hostbuf) {
            snprintf(err, errlen, "expected [IPV6-ADDRESS]:PORT");
            return -1;
        }
        memcpy(hostbuf, value + 1, (size_t)(close - value - 1));
        hostbuf[close - value - 1] = '\0';
        host = hostbuf;
        port = close + 2;
        v6 = true;
    } else if (strchr(value, ':')) { /* ADDR:PORT */
        const char *colon = strrchr(value, ':');
        if (strchr(value, ':') != colon) {
            snprintf(err, errlen, "an IPv6 address goes in brackets: [ADDR]:PORT");
            return -1;
        }
        if (colon == value || (size_t)(colon - value) >= sizeof hostbuf) {
            snprintf(err, errlen, "expected PORT or ADDR:PORT (e.g. 9100, 0.0.0.0:9100)");
            return -1;
        }
        memcpy(hostbuf, value, (size_t)(colon - value));
        hostbuf[colon - value] = '\0';
        host = !strcmp(hostbuf, "localhost") ? "127.0.0.1" : hostbuf;
        port = colon + 1;
    }
    /* the port: 1 to 65535, digits only */
    unsigned long p = 0;
    const char *c = port;
    for (; *c >= '0' && *c <= '9' && p <= 65535; c++)
        p = p * 10 + (unsigned long)(*c - '0');
    if (c == port || *c || p == 0 || p > 65535) {
        snprintf(err, errlen, "port '%s' is not a number from 1 to 65535", port);
        return -1;
    }
    if (v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
        if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
            snprintf(err, errlen, "'%s' is not a numeric IPv6 address", host);
            return -1;
        }
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)p);
        a->len = sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
        if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
            snprintf(err, errlen, "'%s' is not a numeric IPv4 address, localhost or [IPV6]", host);
            return -1;
        }
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)p);
        a->len = sizeof *s4;
    }
    snprintf(a->text, sizeof a->text, "%s", value);
    a->set = true;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The exposition                                                      */
/* ------------------------------------------------------------------ */

/* A label value: backslash, double quote and newline escaped (0.0.4). */
static void put_label(struct base_buf *b, const char *name, const char *value)
{
    base_buf_printf(b, "%s=\"", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\\')
            base_buf_puts(b, "\\\\");
        else if (*p == '"')
            base_buf_puts(b, "\\\"");
        else if (*p == '\n')
            base_buf_puts(b, "\\n");
        else
            base_buf_append(b, p, 1);
    }
    base_buf_puts(b, "\"");
}

static void put_header(struct base_buf *b, const char *name, const char *type, const char *help)
{
    base_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The process's start, as Prometheus' client libraries give it: the boot
 * time plus the process's start in clock ticks (/proc).  -1 if unknown. */
static double process_start_time(void)
{
    char *stat = NULL, *boot = NULL;
    size_t len;
    double t = -1;
    if (base_read_file("/proc/self/stat", 1 << 16, &stat, &len) == 0 &&
        base_read_file("/proc/stat", 1 << 20, &boot, &len) == 0) {
        /* field 22 (starttime), counted after the command's ")" */
        const char *p = strrchr(stat, ')');
        int field = 2;
        while (p && field < 22) {
            p = strchr(p + 1, ' ');
            field++;
        }
        const char *bt = strstr(boot, "\nbtime ");
        long ticks = sysconf(_SC_CLK_TCK);
        if (p && bt && ticks > 0)
            t = (double)strtoull(bt + 7, NULL, 10) +
                (double)strtoull(p + 1, NULL, 10) / (double)ticks;
    }
    free(stat);
    free(boot);
    return t;
}

/* the counters of the buffers and maps, one metric family at a time */
struct family {
    const char *name, *type, *help;
    bool buffers_only;
};

static void put_map_labels(struct base_buf *b, const struct wasm_bpf_map_stats *e)
{
    put_label(b, "object", e->object);
    base_buf_puts(b, ",");
    put_label(b, "map", e->map);
}

static void put_maps(struct base_buf *b, const struct wasm_bpf_map_stats *e, long n)
{
    static const struct family buffer_families[] = {
        {"wasm_bpf_buffer_polls_total", "counter",
         "Polls of a ring buffer or perf event array by the guest.", true},
        {"wasm_bpf_buffer_records_delivered_total", "counter",
         "Records handed to the guest's poll callback.", true},
        {"wasm_bpf_buffer_records_lost_total", "counter",
         "Records that never reached the guest: perf samples the kernel dropped, records the host "
         "could not keep (ring buffers: the kernel counts no drops).",
         true},
        {"wasm_bpf_buffer_callback_seconds", "summary",
         "Time spent delivering records to the guest's callback (copies and calls, measured per "
         "batch); _count is the records delivered.",
         true},
    };
    for (size_t f = 0; f < sizeof buffer_families / sizeof buffer_families[0]; f++) {
        const struct family *fam = &buffer_families[f];
        put_header(b, fam->name, fam->type, fam->help);
        for (long i = 0; i < n; i++) {
            if (!e[i].buffer)
                continue;
            if (!strcmp(fam->type, "summary")) {
                base_buf_printf(b, "%s_sum{", fam->name);
                put_map_labels(b, &e[i]);
                base_buf_printf(b, "} %.9f\n%s_count{", (double)e[i].callback_ns / 1e9, fam->name);
                put_map_labels(b, &e[i]);
                base_buf_printf(b, "} %llu\n", e[i].delivered);
                continue;
            }
            unsigned long long v = f == 0 ? e[i].polls : f == 1 ? e[i].delivered : e[i].lost;
            base_buf_printf(b, "%s{", fam->name);
            put_map_labels(b, &e[i]);
            base_buf_printf(b, "} %llu\n", v);
        }
    }
    static const struct family map_families[] = {
        {"wasm_bpf_map_operations_total", "counter",
         "Map operations of the guest (wasm_bpf_map_operate), by operation.", false},
        {"wasm_bpf_map_errors_total", "counter",
         "Map operations that failed, by operation (absent keys and the end of a get_next_key "
         "walk included).",
         false},
    };
    for (size_t f = 0; f < 2; f++) {
        put_header(b, map_families[f].name, map_families[f].type, map_families[f].help);
        for (long i = 0; i < n; i++)
            for (int op = 0; op < WASM_BPF_MAP_OPS; op++) {
                base_buf_printf(b, "%s{", map_families[f].name);
                put_map_labels(b, &e[i]);
                base_buf_puts(b, ",");
                put_label(b, "type", e[i].type);
                base_buf_puts(b, ",");
                put_label(b, "op", wasm_bpf_map_op_name(op));
                base_buf_printf(b, "} %llu\n", f == 0 ? e[i].ops[op] : e[i].errors[op]);
            }
    }
}

char *metrics_render(const struct metrics_module *m, wasm_bpf_host *bpf, const wasm_memory *mem,
                     size_t *len)
{
    struct base_buf b = {0};
    put_header(&b, "wasm_bpf_module_info", "gauge",
               "The module being run: its reference as given, the digest of its bytes, the "
               "engine's tier.");
    base_buf_puts(&b, "wasm_bpf_module_info{");
    put_label(&b, "reference", m->reference);
    base_buf_puts(&b, ",");
    put_label(&b, "digest", m->digest);
    base_buf_puts(&b, ",");
    put_label(&b, "engine", m->engine);
    base_buf_puts(&b, "} 1\n");

    double start = process_start_time();
    if (start >= 0) {
        put_header(&b, "process_start_time_seconds", "gauge",
                   "Start time of the process since unix epoch in seconds.");
        base_buf_printf(&b, "process_start_time_seconds %.2f\n", start);
    }
    if (mem) {
        put_header(&b, "wasm_bpf_guest_memory_pages", "gauge",
                   "The guest's linear memory, in 64 KiB pages.");
        base_buf_printf(&b, "wasm_bpf_guest_memory_pages %u\n", wasm_memory_pages(mem));
    }
    if (bpf) {
        struct wasm_bpf_host_stats hs = {.sz = sizeof hs};
        if (wasm_bpf_stats_host(bpf, &hs) == 0) {
            put_header(&b, "wasm_bpf_ready", "gauge",
                       "1 once the guest has attached and waits for events (first poll), else 0.");
            base_buf_printf(&b, "wasm_bpf_ready %d\n", hs.ready ? 1 : 0);
            put_header(&b, "wasm_bpf_objects_loaded_total", "counter",
                       "BPF objects the guest loaded.");
            base_buf_printf(&b, "wasm_bpf_objects_loaded_total %llu\n", hs.objects_loaded);
            put_header(&b, "wasm_bpf_untracked_maps_total", "counter",
                       "Maps left out of the per-map metrics (over the limit of distinct names).");
            base_buf_printf(&b, "wasm_bpf_untracked_maps_total %llu\n", hs.untracked_maps);
        }
        /* a snapshot: the count may rise between the two calls */
        struct wasm_bpf_map_stats *e = NULL;
        long n = wasm_bpf_stats_maps(bpf, NULL, 0, sizeof *e);
        for (int tries = 0; n > 0 && tries < 4; tries++) {
            struct wasm_bpf_map_stats *t = base_reallocarray(e, (size_t)n, sizeof *e);
            if (!t) {
                n = -ENOMEM;
                break;
            }
            e = t;
            long got = wasm_bpf_stats_maps(bpf, e, (size_t)n, sizeof *e);
            if (got <= n) {
                n = got;
                break;
            }
            n = got;
        }
        if (n > 0)
            put_maps(&b, e, n);
        free(e);
        if (n < 0) {
            base_buf_free(&b);
            return NULL;
        }
    }
    return base_buf_take(&b, len);
}

/* ------------------------------------------------------------------ */
/* The server                                                          */
/* ------------------------------------------------------------------ */

struct metrics_server {
    struct MHD_Daemon *daemon;
    int fd;
    struct metrics_module module;
    wasm_bpf_host *bpf;
    const wasm_memory *mem;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body, size_t len)
{
    struct MHD_Response *r = mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result ret = mhd.queue_response(c, status, r);
    mhd.destroy_response(r);
    return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    char *body = strdup(text);
    return body ? reply(c, status, "text/plain; charset=utf-8", body, strlen(body)) : MHD_NO;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req)
{
    struct metrics_server *s = cls;
    (void)version;
    (void)upload;
    if (*upload_size) /* a body: not ours to read */
        return MHD_NO;
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    (void)req;
    if (!strcmp(url, "/metrics")) {
        size_t len;
        char *body = metrics_render(&s->module, s->bpf, s->mem, &len);
        if (!body)
            return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
        return reply(c, MHD_HTTP_OK, CONTENT_TYPE, body, len);
    }
    if (!strcmp(url, "/ready")) {
        struct wasm_bpf_host_stats hs = {.sz = sizeof hs};
        bool ready = s->bpf && wasm_bpf_stats_host(s->bpf, &hs) == 0 && hs.ready;
        return ready ? reply_text(c, MHD_HTTP_OK, "ready\n")
                     : reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                                  "not ready: the guest has not attached and waited for "
                                  "events yet\n");
    }
    return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: /metrics and /ready are served\n");
}

/* libmicrohttpd's own diagnostics (a dropped connection ...) are not the
 * run's business: only --verbose would want them, and they say nothing a
 * scraper does not see. */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)fmt;
    (void)ap;
}

struct metrics_server *metrics_start(const struct metrics_addr *a, const struct metrics_module *m,
                                     wasm_bpf_host *bpf, const wasm_memory *mem, char *err,
                                     size_t errlen)
{
    if (mhd_open(err, errlen) < 0)
        return NULL;
    struct metrics_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->module = *m;
    s->bpf = bpf;
    s->mem = mem;
    s->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(s->fd, (const struct sockaddr *)&a->ss, a->len) || listen(s->fd, 16)) {
        snprintf(err, errlen, "cannot listen there: %s", strerror(errno));
        if (s->fd >= 0)
            close(s->fd);
        free(s);
        return NULL;
    }
    /* the server's thread inherits this mask: the run's signals go to the guest's thread */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGALRM);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    /* a few connections, each closed after 10 s idle: a scraper needs one */
    s->daemon =
        mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
                         NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL,
                         MHD_OPTION_LISTEN_SOCKET, s->fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!s->daemon) {
        snprintf(err, errlen, "libmicrohttpd cannot serve there (%s)", strerror(saved));
        close(s->fd);
        free(s);
        return NULL;
    }
    return s;
}

void metrics_stop(struct metrics_server *s)
{
    if (!s)
        return;
    /* quiesced, the daemon leaves the listening socket to us; else it
     * closes it itself */
    bool ours = mhd.quiesce_daemon(s->daemon) == s->fd;
    mhd.stop_daemon(s->daemon);
    if (ours)
        close(s->fd);
    free(s);
}
