/* perms_test.c: unit checks of the permissions declaration (public API of
 * wasm_bpf_host.h only): the scan of modules built here around real BPF
 * objects (also split over data segments, hidden, truncated, mutated), the
 * annotation parser on hostile texts, the check against rules.
 *
 *   perms-test TRACER.bpf.o WRITER.bpf.o */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"

static int passed, failed;

static void check(const char *what, int ok, const char *detail)
{
    if (ok) {
        printf("ok      %s\n", what);
        passed++;
    } else {
        printf("FAIL    %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
        failed++;
    }
}

static void *need(void *p)
{
    if (!p) {
        fprintf(stderr, "perms-test: out of memory\n");
        exit(1);
    }
    return p;
}

/* ---- modules made here: a header and a data section ---- */

struct seg {
    uint32_t offset;
    const void *bytes;
    size_t len;
};

static void leb(struct base_buf *b, uint64_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        if (v)
            c |= 0x80;
        base_buf_append(b, &c, 1);
    } while (v);
}

static void sleb(struct base_buf *b, int64_t v)
{
    for (;;) {
        uint8_t c = v & 0x7f;
        v >>= 7;
        bool done = (v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40));
        if (!done)
            c |= 0x80;
        base_buf_append(b, &c, 1);
        if (done)
            break;
    }
}

static char *module(const struct seg *segs, size_t n, size_t *len)
{
    struct base_buf sec = {0}, m = {0};
    leb(&sec, n);
    for (size_t i = 0; i < n; i++) {
        leb(&sec, 0);                     /* active, memory 0 */
        base_buf_append(&sec, "\x41", 1); /* i32.const */
        sleb(&sec, (int32_t)segs[i].offset);
        base_buf_append(&sec, "\x0b", 1);
        leb(&sec, segs[i].len);
        base_buf_append(&sec, segs[i].bytes, segs[i].len);
    }
    base_buf_append(&m, "\0asm\1\0\0\0", 8);
    base_buf_append(&m, "\x0b", 1);
    leb(&m, sec.len);
    base_buf_append(&m, sec.data, sec.len);
    base_buf_free(&sec);
    return need(base_buf_take(&m, len));
}

static int count_objects(const char *mod, size_t len, char **json)
{
    struct wasm_bpf_permissions *p;
    char err[512];
    *json = NULL;
    int rc = wasm_bpf_permissions_scan(mod, len, &p, err, sizeof err);
    if (rc)
        return rc;
    *json = need(wasm_bpf_permissions_json(p));
    wasm_bpf_permissions_free(p);
    int n = 0;
    for (const char *s = *json; (s = strstr(s, "\"programs\"")); s++)
        n++;
    return n;
}

static void scan_checks(const char *tracer, size_t tlen, const char *writer, size_t wlen)
{
    char *json, detail[256];
    size_t len;
    char *mod = module(NULL, 0, &len);
    int n = count_objects(mod, len, &json);
    check("scan: a module without data declares no object",
          n == 0 && !strcmp(json, "{\"version\":1,\"objects\":[]}"), json);
    free(json);
    free(mod);

    int rc = wasm_bpf_permissions_scan("not wasm", 8, &(struct wasm_bpf_permissions *){0}, detail,
                                       sizeof detail);
    check("scan: not a module is -EINVAL with a reason",
          rc == -EINVAL && strstr(detail, "WebAssembly"), detail);

    struct seg one[] = {{1024, "padding", 7}, {65536, tracer, tlen}};
    mod = module(one, 2, &len);
    n = count_objects(mod, len, &json);
    check("scan: the tracer object: program, section, type, map, no helper",
          n == 1 &&
              strstr(json, "{\"name\":\"wbp_tracer\",\"section\":\"tp/syscalls/sys_enter_getppid\","
                           "\"type\":\"tracepoint\"}") &&
              strstr(json, "{\"name\":\"wbp_counts\",\"type\":\"hash\"}") &&
              strstr(json, "\"helpers\":[]"),
          json);
    char *first = json;
    rc = count_objects(mod, len, &json);
    check("scan: the same module gives the same text", rc == 1 && !strcmp(first, json), NULL);
    free(first);
    free(json);
    /* from a file, after a custom section the scan skips unread */
    char path[] = "/tmp/perms-test.XXXXXX";
    int fd = mkstemp(path);
    static const char custom[] = "\x00\x85\x80\x04\x04name"; /* 65541 bytes: "name" + 65536 */
    static char filler[65536];
    int wrote = fd >= 0 && write(fd, mod, 8) == 8 &&
                write(fd, custom, sizeof custom - 1) == sizeof custom - 1 &&
                write(fd, filler, sizeof filler) == sizeof filler &&
                write(fd, mod + 8, len - 8) == (ssize_t)(len - 8);
    struct wasm_bpf_permissions *fp = NULL;
    rc = wrote ? wasm_bpf_permissions_scan_fd(fd, &fp, detail, sizeof detail) : -1;
    char *ftext = fp ? need(wasm_bpf_permissions_json(fp)) : NULL;
    check("scan_fd: a file with a 64 KiB custom section before the data",
          rc == 0 && ftext && strstr(ftext, "wbp_tracer"), detail);
    free(ftext);
    wasm_bpf_permissions_free(fp);
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    /* the module truncated inside the data section */
    rc = wasm_bpf_permissions_scan(mod, len - 100, &(struct wasm_bpf_permissions *){0}, detail,
                                   sizeof detail);
    check("scan: a truncated module is -EINVAL", rc == -EINVAL, detail);
    free(mod);

    /* split where wasm-opt's memory packing splits: the object in two
     * segments with a gap of zeros between them */
    size_t cut = tlen / 2, zeros = 0;
    for (; cut < tlen; cut += zeros ? zeros : 1) {
        for (zeros = 0; cut + zeros < tlen && tracer[cut + zeros] == 0;)
            zeros++;
        if (zeros >= 8)
            break;
    }
    struct seg split[] = {{65536, tracer, cut},
                          {65536 + (uint32_t)(cut + zeros), tracer + cut + zeros,
                           tlen - cut - zeros}};
    mod = module(split, 2, &len);
    snprintf(detail, sizeof detail, "cut at %zu, %zu zeros", cut, zeros);
    n = count_objects(mod, len, &json);
    check("scan: an object split over two segments around zeros is found", zeros >= 8 && n == 1,
          detail);
    free(json);
    free(mod);

    /* hidden: a later segment overwrites the magic, as hidden.wat does */
    struct seg hidden[] = {{65536, tracer, tlen}, {65536, "\0\0\0\0", 4}};
    mod = module(hidden, 2, &len);
    n = count_objects(mod, len, &json);
    check("scan: an object whose magic a later segment overwrites is not found", n == 0, json);
    free(json);
    free(mod);

    /* truncated object: its sections do not fit */
    struct seg cutobj[] = {{65536, tracer, tlen - 64}};
    mod = module(cutobj, 1, &len);
    n = count_objects(mod, len, &json);
    check("scan: a truncated object is not an object", n == 0, json);
    free(json);
    free(mod);

    struct seg two[] = {{65536, tracer, tlen}, {65536 * 4, writer, wlen}};
    mod = module(two, 2, &len);
    n = count_objects(mod, len, &json);
    check("scan: two objects; the writer's helpers (one called from a subprogram)",
          n == 2 && strstr(json, "\"helpers\":[\"bpf_probe_write_user\",\"bpf_send_signal\"]"),
          json);
    struct wasm_bpf_permissions *p;
    rc = wasm_bpf_permissions_parse(json, strlen(json), &p, detail, sizeof detail);
    check("parse: what the scan wrote", rc == 0, detail);
    if (!rc) {
        char *words = need(wasm_bpf_permissions_describe(p));
        check("describe: programs by type with their tracepoints, and the helpers in words",
              strstr(words,
                     "loads 1 tracepoint program: syscalls/sys_enter_getppid (wbp_tracer)") &&
                  strstr(words,
                         "loads 2 tracepoint programs: syscalls/sys_enter_getppid (wbp_writer), "
                         "syscalls/sys_enter_getpgid (wbp_signaller)") &&
                  strstr(words, "uses bpf_probe_write_user: may write to user memory") &&
                  strstr(words, "uses bpf_send_signal: may send signals to processes"),
              words);
        free(words);

        static const char *const xdp[] = {"xdp"}, *const tp[] = {"tracepoint"},
                                 *const tracepoint_pattern[] = {"tracepoint/syscalls/*"},
                                 *const sched[] = {"tp/sched/*"},
                                 *const signal[] = {"bpf_send_signal"};
        struct wasm_bpf_policy pol = {.prog_types = xdp,
                                      .n_prog_types = 1,
                                      .prog_types_name = "--allow-prog-type"};
        rc = wasm_bpf_permissions_check(p, &pol, detail, sizeof detail);
        check("check: a program type outside the rule: -EPERM naming program, type and rule",
              rc == -EPERM && strstr(detail, "'wbp_tracer' of type 'tracepoint'") &&
                  strstr(detail, "(--allow-prog-type)"),
              detail);
        pol = (struct wasm_bpf_policy){.attach_targets = sched, .n_attach_targets = 1};
        rc = wasm_bpf_permissions_check(p, &pol, detail, sizeof detail);
        check("check: a SEC() attach target outside the patterns: -EPERM",
              rc == -EPERM && strstr(detail, "attached to 'tp/syscalls/sys_enter_getppid'") &&
                  strstr(detail, "(attach_targets)"),
              detail);
        pol = (struct wasm_bpf_policy){.attach_targets = tracepoint_pattern,
                                       .n_attach_targets = 1,
                                       .prog_types = tp,
                                       .n_prog_types = 1};
        rc = wasm_bpf_permissions_check(p, &pol, detail, sizeof detail);
        check("check: a pattern in libbpf's other spelling allows the section", rc == 0, detail);
        pol = (struct wasm_bpf_policy){.helpers = signal,
                                       .n_helpers = 1,
                                       .helpers_name = "--allow-helper"};
        rc = wasm_bpf_permissions_check(p, &pol, detail, sizeof detail);
        check("check: a helper outside the allow list: -EPERM naming object and helper",
              rc == -EPERM && strstr(detail, "object 'writer_bpf' calls bpf_probe_write_user") &&
                  strstr(detail, "(--allow-helper)"),
              detail);
        struct wasm_bpf_policy second = {.helpers = xdp, .n_helpers = 0, .helpers_name = "file"};
        pol = (struct wasm_bpf_policy){.next = &second};
        rc = wasm_bpf_permissions_check(p, &pol, detail, sizeof detail);
        check("check: every policy of the chain must allow (an empty list allows no helper)",
              rc == -EPERM && strstr(detail, "(file)"), detail);
        wasm_bpf_permissions_free(p);
    }
    free(json);

    /* mutations of the module: never a crash, a hang or a leak (ASan) */
    unsigned seed = 1;
    int clean = 1;
    for (int i = 0; i < 300; i++) {
        char *copy = need(malloc(len));
        memcpy(copy, mod, len);
        for (int k = 0; k < 8; k++) {
            seed = seed * 1103515245 + 12345;
            size_t at = 9 + (seed >> 8) % (len - 9);
            copy[at] = (char)(seed >> 3);
        }
        struct wasm_bpf_permissions *q = NULL;
        rc = wasm_bpf_permissions_scan(copy, len, &q, detail, sizeof detail);
        if (rc && rc != -EINVAL && rc != -ENOMEM)
            clean = 0;
        wasm_bpf_permissions_free(q);
        free(copy);
    }
    check("scan: 300 mutated modules end in 0 or -EINVAL", clean, NULL);
    free(mod);
}

static void parse_checks(void)
{
    static const struct {
        const char *what, *text, *expect;
    } bad[] = {
        {"not JSON", "{", "not JSON"},
        {"not an object", "[]", "not a JSON object"},
        {"another version", "{\"version\":2,\"objects\":[]}", "\"version\" is not 1"},
        {"an unknown member", "{\"version\":1,\"objects\":[],\"x\":1}", "unknown member \"x\""},
        {"a duplicate member", "{\"version\":1,\"version\":1,\"objects\":[]}", "not JSON"},
        {"objects not an array", "{\"version\":1,\"objects\":{}}", "\"objects\" is not an array"},
        {"an object without maps",
         "{\"version\":1,\"objects\":[{\"name\":\"a\",\"programs\":[],\"helpers\":[]}]}",
         "objects[0] needs"},
        {"a program without type",
         "{\"version\":1,\"objects\":[{\"name\":\"a\",\"programs\":[{\"name\":\"p\",\"section\":\"s\"}],"
         "\"maps\":[],\"helpers\":[]}]}",
         "objects[0].programs[0] needs"},
        {"a program with an extra member",
         "{\"version\":1,\"objects\":[{\"name\":\"a\",\"programs\":[{\"name\":\"p\",\"section\":\"s\",\"type\":"
         "\"t\",\"x\":\"\"}],\"maps\":[],\"helpers\":[]}]}",
         "objects[0].programs[0] needs"},
        {"an unknown helper",
         "{\"version\":1,\"objects\":[{\"name\":\"a\",\"programs\":[],\"maps\":[],\"helpers\":[\"bpf_x\"]}]}",
         "objects[0].helpers[0] is not one of"},
        {"a NUL inside a name",
         "{\"version\":1,\"objects\":[{\"name\":\"a\\u0000b\",\"programs\":[],\"maps\":[],\"helpers\":[]}]}",
         "not JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct wasm_bpf_permissions *p = NULL;
        char err[512] = "", what[128];
        int rc = wasm_bpf_permissions_parse(bad[i].text, strlen(bad[i].text), &p, err, sizeof err);
        snprintf(what, sizeof what, "parse: %s is -EINVAL with a reason", bad[i].what);
        check(what, rc == -EINVAL && !p && strstr(err, bad[i].expect), err);
    }
    /* 65 objects; and a text over the size bound */
    struct base_buf b = {0};
    base_buf_puts(&b, "{\"version\":1,\"objects\":[");
    for (int i = 0; i < 65; i++)
        base_buf_printf(&b, "%s{\"name\":\"a\",\"programs\":[],\"maps\":[],\"helpers\":[]}",
                        i ? "," : "");
    base_buf_puts(&b, "]}");
    size_t len;
    char *text = need(base_buf_take(&b, &len));
    char err[512] = "";
    struct wasm_bpf_permissions *p = NULL;
    int rc = wasm_bpf_permissions_parse(text, len, &p, err, sizeof err);
    check("parse: more than 64 objects is -EINVAL", rc == -EINVAL && strstr(err, "at most 64"),
          err);
    free(text);
    text = need(calloc(1, (2u << 20) + 1));
    memset(text, ' ', 2u << 20);
    rc = wasm_bpf_permissions_parse(text, 2u << 20, &p, err, sizeof err);
    check("parse: a text over 1 MiB is refused unread", rc == -EINVAL && strstr(err, "longer than"),
          err);
    free(text);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: perms-test TRACER.bpf.o WRITER.bpf.o\n");
        return 2;
    }
    char *tracer, *writer;
    size_t tlen, wlen;
    if (base_read_file(argv[1], 1 << 24, &tracer, &tlen) ||
        base_read_file(argv[2], 1 << 24, &writer, &wlen)) {
        fprintf(stderr, "perms-test: cannot read %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    scan_checks(tracer, tlen, writer, wlen);
    parse_checks();
    free(tracer);
    free(writer);
    printf("%d passed, %d failed, 0 skipped\n", passed, failed);
    return failed != 0;
}
