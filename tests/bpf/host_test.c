/* host_test.c: the BPF host interface against the real kernel, driven from
 * C through a mock engine (mock_engine.c): every import, every errno of
 * ABI.md, callbacks that stop, trap, grow memory, recurse or close their
 * object, interrupts, policy, and the clean-up (no program or map of ours
 * left in the kernel).
 *
 *   host_test PROBE.bpf.o
 *
 * Records are produced by a uprobe on wasm_bpf_test_trigger() below, so
 * each check knows exactly how many to expect.  Prints one line per check:
 * "ok      NAME" or "FAIL    NAME: why". */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mock_engine.h"
#include "wasm_bpf_base.h"
#include "wasm_bpf_host.h"

/* the traced function: each call emits n records into each buffer */
__attribute__((noinline, used)) int wasm_bpf_test_trigger(int n, unsigned tag);
__attribute__((noinline, used)) int wasm_bpf_test_trigger(int n, unsigned tag)
{
    __asm__ volatile("" ::: "memory");
    return n + (int)tag;
}

/* the errnos the imports return: WASI's numbering, the guest's */
#define G_EBADF        (-8)
#define G_EBUSY        (-10)
#define G_EEXIST       (-20)
#define G_EFAULT       (-21)
#define G_EINVAL       (-28)
#define G_ENAMETOOLONG (-37)
#define G_ENODEV       (-43)
#define G_ENOENT       (-44)
#define G_EPERM        (-63)

struct record {
    unsigned tag, seq;
    unsigned long long pad[2];
};

static int passed, failed;

/* the poll sizes of the exact-copy check (one trigger each) */
static const uint32_t copy_maxes[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 32, 33, 64};
#define COPY_CHECKS (sizeof copy_maxes / sizeof copy_maxes[0])

static void check(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void check(bool ok, const char *name, const char *fmt, ...)
{
    if (ok) {
        passed++;
        printf("ok      %s\n", name);
    } else {
        failed++;
        printf("FAIL    %s: ", name);
        va_list ap;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* A mock guest                                                        */
/* ------------------------------------------------------------------ */

#define OBJ_AT     65536u /* where the object's bytes go */
#define STR_AT     4096u  /* strings */
#define DATA_AT    16384u /* the poll buffer */
#define SCRATCH_AT 32768u /* keys and values */

static wasm_runtime *rt;
static wasm_linker *linker;
static wasm_instance *inst;
static uint32_t str_top = STR_AT;

static uint32_t put_str(const char *s)
{
    uint32_t at = str_top;
    memcpy(wasm_mem(inst, at, (uint32_t)strlen(s) + 1), s, strlen(s) + 1);
    str_top += (uint32_t)strlen(s) + 1;
    if (str_top > DATA_AT - 512)
        str_top = STR_AT;
    return at;
}

static wasm_status call_status;

static wasm_value call(wasm_instance *in, const char *name, int n, ...)
{
    const struct mock_def *d = mock_import(linker, "wasm_bpf", name);
    wasm_value args[8] = {0};
    va_list ap;
    va_start(ap, n);
    const char *sig = d->signature + 1;
    for (int i = 0; i < n; i++, sig++) {
        if (*sig == 'I')
            args[i].i64 = va_arg(ap, int64_t);
        else
            args[i].i32 = va_arg(ap, int32_t);
    }
    va_end(ap);
    call_status = d->fn(in, d->userdata, args);
    return args[0];
}

static uint64_t load(wasm_instance *in, const void *bytes, uint32_t len)
{
    memcpy(wasm_mem(in, OBJ_AT, len), bytes, len);
    return (uint64_t)call(in, "wasm_load_bpf_object", 2, (int32_t)OBJ_AT, (int32_t)len).i64;
}

static int map_fd(uint64_t h, const char *name)
{
    return call(inst, "wasm_bpf_map_fd_by_name", 2, (int64_t)h, (int32_t)put_str(name)).i32;
}

static int attach(uint64_t h, const char *prog, const char *target)
{
    return call(inst, "wasm_attach_bpf_program", 3, (int64_t)h, (int32_t)put_str(prog),
                (int32_t)(target ? put_str(target) : 0))
        .i32;
}

static int poll_buf(uint64_t h, int fd, uint32_t cb, uint32_t max, int timeout)
{
    return call(inst, "wasm_bpf_buffer_poll", 7, (int64_t)h, (int32_t)fd, (int32_t)cb, (int32_t)7,
                (int32_t)DATA_AT, (int32_t)max, (int32_t)timeout)
        .i32;
}

static int map_op(int fd, int cmd, uint32_t key, uint32_t value, uint32_t next, uint64_t flags)
{
    return call(inst, "wasm_bpf_map_operate", 6, (int32_t)fd, (int32_t)cmd, (int32_t)key,
                (int32_t)value, (int32_t)next, (int64_t)flags)
        .i32;
}

/* the counters of the map named `map` (of any object): 0, or -1 if none */
static int stats_of(wasm_bpf_host *h, const char *map, struct wasm_bpf_map_stats *out)
{
    struct wasm_bpf_map_stats all[64];
    long n = wasm_bpf_stats_maps(h, all, 64, sizeof all[0]);
    for (long i = 0; i < n && i < 64; i++)
        if (!strcmp(all[i].map, map)) {
            *out = all[i];
            return 0;
        }
    return -1;
}

static int last_error(char *msg, size_t size)
{
    int r = call(inst, "wasm_bpf_last_error", 2, (int32_t)SCRATCH_AT, (int32_t)size).i32;
    snprintf(msg, size, "%s", (char *)wasm_mem(inst, SCRATCH_AT, (uint32_t)size));
    return r;
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                           */
/* ------------------------------------------------------------------ */

static struct {
    int calls;
    unsigned seq[4096];
    unsigned tag[4096];
    uint32_t len[4096];
    uint32_t ctx;
    int stop_at;   /* return -42 at this call (1-based), 0: never */
    int grow_at;   /* grow (and move) memory at this call */
    int trap_at;   /* trap at this call */
    int repoll_at; /* poll the same buffer again at this call */
    int repoll_result;
    int close_at; /* close the object at this call */
    uint64_t handle;
    int fd;
} cb;

static void cb_reset(void)
{
    memset(&cb, 0, sizeof(cb));
}

static wasm_status on_record(wasm_instance *in, const wasm_value *args, wasm_value *results)
{
    uint32_t ctx = (uint32_t)args[0].i32, data = (uint32_t)args[1].i32, len = (uint32_t)args[2].i32;
    int n = cb.calls++;
    cb.ctx = ctx;
    const struct record *r = wasm_mem(in, data, len);
    if (n < 4096) {
        cb.len[n] = len;
        cb.seq[n] = r && len >= 8 ? r->seq : ~0u;
        cb.tag[n] = r && len >= 8 ? r->tag : ~0u;
    }
    results[0].i32 = 0;
    if (cb.grow_at == n + 1)
        mock_memory_grow(in, 1);
    if (cb.trap_at == n + 1)
        return WASM_TRAP_UNREACHABLE;
    if (cb.repoll_at == n + 1)
        cb.repoll_result = poll_buf(cb.handle, cb.fd, 0, 64, 0);
    if (cb.close_at == n + 1)
        call(in, "wasm_close_bpf_object", 1, (int64_t)cb.handle);
    if (cb.stop_at == n + 1)
        results[0].i32 = -42;
    return WASM_OK;
}

static wasm_status wrong_type(wasm_instance *in, const wasm_value *args, wasm_value *results)
{
    (void)in, (void)args, (void)results;
    return WASM_OK;
}

static wasm_func f_record = {"(iii)i", on_record, NULL};
static wasm_func f_wrong = {"(ii)i", wrong_type, NULL};

static bool seqs_are(int from, int count, unsigned first_seq, unsigned tag)
{
    if (cb.calls < from + count)
        return false;
    for (int i = 0; i < count; i++)
        if (cb.seq[from + i] != first_seq + (unsigned)i || cb.tag[from + i] != tag)
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Kernel objects                                                      */
/* ------------------------------------------------------------------ */

static bool ours(const char *name)
{
    return !strncmp(name, "wbt_", 4) || !strncmp(name, "probe_bp.", 9);
}

/* programs and maps of this test still in the kernel */
static int kernel_leftovers(void)
{
    int n = 0;
    __u32 id = 0;
    while (!bpf_prog_get_next_id(id, &id)) {
        int fd = bpf_prog_get_fd_by_id(id);
        if (fd < 0)
            continue;
        struct bpf_prog_info info = {0};
        __u32 len = sizeof(info);
        if (!bpf_obj_get_info_by_fd(fd, &info, &len) && ours(info.name))
            n++;
        close(fd);
    }
    id = 0;
    while (!bpf_map_get_next_id(id, &id)) {
        int fd = bpf_map_get_fd_by_id(id);
        if (fd < 0)
            continue;
        struct bpf_map_info info = {0};
        __u32 len = sizeof(info);
        if (!bpf_obj_get_info_by_fd(fd, &info, &len) && ours(info.name))
            n++;
        close(fd);
    }
    return n;
}

/* maps are freed by the kernel shortly after their programs */
static int leftovers_after_settling(void)
{
    int n = 0;
    for (int i = 0; i < 40 && (n = kernel_leftovers()); i++)
        usleep(50 * 1000);
    return n;
}

/* ------------------------------------------------------------------ */

/* file offset of section `name` of an ELF image */
static size_t section_offset(const uint8_t *elf_bytes, size_t len, const char *name)
{
    elf_version(EV_CURRENT);
    Elf *elf = elf_memory((char *)elf_bytes, len);
    size_t shstrndx, off = 0;
    Elf_Scn *scn = NULL;
    elf_getshdrstrndx(elf, &shstrndx);
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        gelf_getshdr(scn, &sh);
        if (!strcmp(elf_strptr(elf, shstrndx, sh.sh_name), name))
            off = sh.sh_offset;
    }
    elf_end(elf);
    return off;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *interrupt_later(void *arg)
{
    usleep(200 * 1000);
    mock_interrupt(arg);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: host_test PROBE.bpf.o\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    size_t obj_len;
    char *obj_text = NULL;
    base_read_file(argv[1], SIZE_MAX - 1, &obj_text, &obj_len);
    uint8_t *obj = (uint8_t *)obj_text;
    if (!obj) {
        fprintf(stderr, "host_test: cannot read %s\n", argv[1]);
        return 2;
    }
    char exe[4096], target[4200], msg[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    snprintf(target, sizeof(target), "%s:wasm_bpf_test_trigger", exe);

    int before = kernel_leftovers();
    rt = mock_runtime_new();
    inst = mock_instance_new(rt, 4);
    f_record.inst = f_wrong.inst = inst;
    uint32_t CB = mock_table_add(inst, &f_record);
    uint32_t CB_WRONG = mock_table_add(inst, &f_wrong);

    wasm_bpf_host *host = wasm_bpf_host_new(&(struct wasm_bpf_options){.verbose = false});
    linker = wasm_linker_new();
    check(host && !wasm_bpf_host_define(host, linker), "define imports", "failed");
    {
        static const char *names[] = {"wasm_load_bpf_object",    "wasm_close_bpf_object",
                                      "wasm_attach_bpf_program", "wasm_bpf_buffer_poll",
                                      "wasm_bpf_map_fd_by_name", "wasm_bpf_map_operate",
                                      "wasm_bpf_last_error"};
        static const char *sigs[] = {"(ii)I", "(I)i",      "(Iii)i", "(Iiiiiii)i",
                                     "(Ii)i", "(iiiiiI)i", "(ii)i"};
        bool ok = true;
        for (int i = 0; i < 7; i++)
            for (int m = 0; m < 2; m++) {
                const struct mock_def *d = mock_import(linker, m ? "env" : "wasm_bpf", names[i]);
                ok &= d && !strcmp(d->signature, sigs[i]);
            }
        check(ok, "imports in modules wasm_bpf and env with the ABI's types", "missing or wrong");
    }

    /* ---- load ---- */
    check(load(inst, obj, 0) == 0 && last_error(msg, sizeof(msg)) == G_EINVAL,
          "load of 0 bytes: 0, last error -EINVAL", "got %d", last_error(msg, sizeof(msg)));
    int64_t h = call(inst, "wasm_load_bpf_object", 2, (int32_t)(4 * 65536 - 10), (int32_t)100).i64;
    check(h == 0 && last_error(msg, sizeof(msg)) == G_EFAULT,
          "load of a range past memory: -EFAULT", "handle %lld", (long long)h);
    static const char garbage[] = "this is not an ELF object at all";
    check(load(inst, garbage, sizeof(garbage)) == 0 && last_error(msg, sizeof(msg)) < 0 && msg[0],
          "load of garbage: 0, with a message", "message '%s'", msg);
    uint64_t h1 = load(inst, obj, (uint32_t)obj_len);
    check(h1 == 1, "load: first handle is 1", "got %llu (%s)", (unsigned long long)h1,
          (last_error(msg, sizeof(msg)), msg));
    uint64_t h2 = load(inst, obj, (uint32_t)obj_len);
    check(h2 == 2, "load: second handle is 2", "got %llu", (unsigned long long)h2);

    /* ---- map_fd ---- */
    int rb1 = map_fd(h1, "wbt_rb1"), rb2 = map_fd(h1, "wbt_rb2"), pb = map_fd(h1, "wbt_pb");
    int hash = map_fd(h1, "wbt_hash"), pcpu = map_fd(h1, "wbt_pcpu"),
        queue = map_fd(h1, "wbt_queue");
    check(rb1 >= 0 && rb2 >= 0 && pb >= 0 && hash >= 0 && pcpu >= 0 && queue >= 0,
          "map_fd of every map", "%d %d %d %d %d %d", rb1, rb2, pb, hash, pcpu, queue);
    int ro = map_fd(h1, "probe_bp.rodata");
    check(ro >= 0 && map_fd(h1, ".rodata") == ro && map_fd(h1, "other_na.rodata") == ro,
          "map_fd of .rodata by libbpf's name, section name, another skeleton's name", "%d", ro);
    check(map_fd(h1, "nope") == G_ENOENT, "map_fd of an unknown map: -ENOENT", "unexpected result");
    check(call(inst, "wasm_bpf_map_fd_by_name", 2, (int64_t)99, (int32_t)put_str("wbt_rb1")).i32 ==
              G_EINVAL,
          "map_fd with a forged handle: -EINVAL", "unexpected result");
    check(call(inst, "wasm_bpf_map_fd_by_name", 2, (int64_t)h1, (int32_t)0x7fffffff).i32 ==
              G_EFAULT,
          "map_fd with a name outside memory: -EFAULT", "unexpected result");
    memset(wasm_mem(inst, 4 * 65536 - 8, 8), 'x', 8);
    check(call(inst, "wasm_bpf_map_fd_by_name", 2, (int64_t)h1, (int32_t)(4 * 65536 - 8)).i32 ==
              G_EFAULT,
          "map_fd with an unterminated name: -EFAULT", "unexpected result");
    int rb1_h2 = map_fd(h2, "wbt_rb1");

    /* ---- attach ---- */
    check(attach(h1, "nope", NULL) == G_ENOENT, "attach of an unknown program: -ENOENT",
          "unexpected result");
    check(call(inst, "wasm_attach_bpf_program", 3, (int64_t)h1, (int32_t)0x7ffffff0, 0).i32 ==
              G_EFAULT,
          "attach with a name outside memory: -EFAULT", "unexpected result");
    check(call(inst, "wasm_attach_bpf_program", 3, (int64_t)77, (int32_t)put_str("wbt_trigger"), 0)
                  .i32 == G_EINVAL,
          "attach with a forged handle: -EINVAL", "unexpected result");
    int err = attach(h1, "wbt_xdp_pass", NULL);
    check(err < 0, "attach of xdp without a target fails", "got %d", err);
    check(attach(h1, "wbt_xdp_pass", "no-such-if0") == G_ENODEV,
          "attach of xdp to a missing interface: -ENODEV", "unexpected result");
    check(attach(h1, "wbt_trigger", "/nonexistent/binary:f") < 0,
          "attach of a uprobe to a missing binary fails", "unexpected result");
    check(attach(h1, "wbt_trigger", "no-colon") == G_EINVAL,
          "attach of a uprobe to 'no-colon': -EINVAL", "unexpected result");
    err = attach(h1, "wbt_trigger", target);
    check(err == 0, "attach of a uprobe to PATH:FUNC", "got %d (%s)", err,
          (last_error(msg, sizeof(msg)), msg));

    /* ---- poll ---- */
    cb_reset();
    check(poll_buf(h1, rb1, CB, 64, 0) == 0 && cb.calls == 0, "poll of an empty ring, timeout 0: 0",
          "calls %d", cb.calls);
    double t0 = now_ms();
    int got = poll_buf(h1, rb1, CB, 64, 200);
    double waited = now_ms() - t0;
    check(got == 0 && waited >= 150 && waited < 2000, "poll of an empty ring waits its timeout",
          "got %d after %.0f ms", got, waited);

    wasm_bpf_test_trigger(5, 1);
    cb_reset();
    got = poll_buf(h1, rb1, CB, 64, 100);
    check(got == 5 && seqs_are(0, 5, 0, 1) && cb.len[0] == sizeof(struct record) && cb.ctx == 7,
          "ring buffer: every record, in order, with its length and ctx", "got %d calls %d len %u",
          got, cb.calls, cb.len[0]);
    cb_reset();
    got = poll_buf(h1, rb2, CB, 64, 100);
    check(got == 5 && seqs_are(0, 5, 0, 1), "a second ring buffer of the same object (by fd)",
          "got %d", got);
    cb_reset();
    got = poll_buf(h1, pb, CB, 64, 100);
    check(got == 5 && seqs_are(0, 5, 0, 1) && cb.len[0] >= sizeof(struct record),
          "perf event array: every record", "got %d calls %d", got, cb.calls);

    wasm_bpf_test_trigger(3, 2);
    cb_reset();
    got = poll_buf(h1, rb1, CB, 8, 100);
    check(got == 3 && cb.len[0] == 8 && seqs_are(0, 3, 0, 2),
          "records cut to max, len is what was copied", "got %d len %u", got, cb.len[0]);
    poll_buf(h1, rb2, CB, 64, 0);
    poll_buf(h1, pb, CB, 64, 0);
    /* records of every size up to past the record's: every byte of
     * [0, len) is the record's, nothing after it is written */
    bool exact = true;
    uint32_t bad_max = 0;
    for (size_t k = 0; k < COPY_CHECKS; k++) {
        uint8_t *mem = wasm_mem(inst, DATA_AT, 80);
        memset(mem, 0xAA, 80);
        wasm_bpf_test_trigger(1, 0x04030201u);
        cb_reset();
        got = poll_buf(h1, rb1, CB, copy_maxes[k], 100);
        struct record want = {.tag = 0x04030201u, .seq = 0};
        uint32_t len = copy_maxes[k] < sizeof want ? copy_maxes[k] : (uint32_t)sizeof want;
        bool ok = got == 1 && cb.len[0] == len && !memcmp(mem, &want, len);
        for (uint32_t i = len; i < 80; i++)
            ok = ok && mem[i] == 0xAA;
        poll_buf(h1, rb2, CB, 64, 0); /* the same record in the others */
        poll_buf(h1, pb, CB, 64, 0);
        if (!ok && exact) {
            exact = false;
            bad_max = copy_maxes[k];
        }
    }
    check(exact, "records copied exactly, for max from 1 to 64 bytes",
          "max %u: wrong bytes or bytes written past the record", bad_max);

    /* a negative callback return stops the poll; the rest comes next time */
    wasm_bpf_test_trigger(5, 3);
    cb_reset();
    cb.stop_at = 2;
    got = poll_buf(h1, rb1, CB, 64, 100);
    int calls1 = cb.calls;
    cb.stop_at = 0;
    int got2 = poll_buf(h1, rb1, CB, 64, 100);
    check(got == -42 && calls1 == 2 && got2 == 3 && seqs_are(0, 5, 0, 3),
          "ring: negative callback return stops the poll, no record lost", "got %d/%d calls %d",
          got, got2, cb.calls);
    cb_reset();
    cb.stop_at = 2;
    got = poll_buf(h1, pb, CB, 64, 100);
    calls1 = cb.calls;
    cb.stop_at = 0;
    got2 = poll_buf(h1, pb, CB, 64, 100);
    check(got == -42 && calls1 == 2 && got2 == 3 && seqs_are(0, 5, 0, 3),
          "perf: negative callback return stops the poll, no record lost", "got %d/%d calls %d",
          got, got2, cb.calls);
    poll_buf(h1, rb2, CB, 64, 0);

    /* memory grows (and moves) during a callback */
    wasm_bpf_test_trigger(3, 4);
    cb_reset();
    cb.grow_at = 1;
    uint64_t size_before = inst->mem.size;
    got = poll_buf(h1, rb1, CB, 64, 100);
    check(got == 3 && seqs_are(0, 3, 0, 4) && inst->mem.size > size_before,
          "memory grown and moved by a callback: later records land in the new memory",
          "got %d seqs %u %u %u", got, cb.seq[0], cb.seq[1], cb.seq[2]);

    /* a trap in a callback is the import's status */
    cb_reset();
    cb.trap_at = 1;
    got = poll_buf(h1, rb2, CB, 64, 100);
    check(call_status == WASM_TRAP_UNREACHABLE && cb.calls == 1,
          "a trap in a callback unwinds through the poll", "status %d calls %d", call_status,
          cb.calls);
    cb_reset();
    poll_buf(h1, rb2, CB, 64, 0);
    poll_buf(h1, pb, CB, 64, 0);

    /* a callback that polls its own buffer again */
    wasm_bpf_test_trigger(2, 5);
    cb_reset();
    cb.repoll_at = 1;
    cb.handle = h1;
    cb.fd = rb1;
    got = poll_buf(h1, rb1, CB, 64, 100);
    check(got == 2 && cb.repoll_result == G_EBUSY && cb.calls == 2,
          "a callback polling its own buffer gets -EBUSY, nothing delivered twice",
          "got %d inner %d calls %d", got, cb.repoll_result, cb.calls);
    poll_buf(h1, rb2, CB, 64, 0);
    poll_buf(h1, pb, CB, 64, 0);

    /* bad callbacks, buffers, fds */
    check(poll_buf(h1, rb1, 999, 64, 0) == G_EINVAL,
          "poll: callback index outside the table: -EINVAL", "unexpected result");
    check(poll_buf(h1, rb1, CB_WRONG, 64, 0) == G_EINVAL,
          "poll: callback of the wrong type: -EINVAL", "unexpected result");
    check(poll_buf(h1, hash, CB, 64, 0) == G_EINVAL, "poll of a hash map: -EINVAL",
          "unexpected result");
    check(poll_buf(h1, rb1_h2, CB, 64, 0) == G_EBADF,
          "poll of another object's ring buffer: -EBADF", "unexpected result");
    check(poll_buf(h1, 0, CB, 64, 0) == G_EBADF, "poll of fd 0: -EBADF", "unexpected result");
    check(poll_buf(99, rb1, CB, 64, 0) == G_EINVAL, "poll with a forged handle: -EINVAL",
          "unexpected result");
    check(poll_buf(h1, rb1, CB, 0x7fffffff, 0) == G_EFAULT, "poll with a huge max: -EFAULT",
          "unexpected result");
    check(poll_buf(h1, rb1, CB, (uint32_t)-5, 0) == G_EINVAL, "poll with a negative max: -EINVAL",
          "unexpected result");

    /* ---- map operations ---- */
    uint32_t K = SCRATCH_AT, V = SCRATCH_AT + 64, NK = SCRATCH_AT + 128;
    *(uint32_t *)wasm_mem(inst, K, 4) = 11;
    *(uint64_t *)wasm_mem(inst, V, 8) = 1234;
    check(map_op(hash, 2, K, V, 0, 0) == 0, "map update", "unexpected result");
    *(uint64_t *)wasm_mem(inst, V, 8) = 0;
    check(map_op(hash, 1, K, V, 0, 0) == 0 && *(uint64_t *)wasm_mem(inst, V, 8) == 1234,
          "map lookup", "unexpected result");
    check(map_op(hash, 4, 0, 0, NK, 0) == 0 && *(uint32_t *)wasm_mem(inst, NK, 4) == 11,
          "get next key from key 0 (NULL): the first key", "unexpected result");
    check(map_op(hash, 4, NK, 0, NK, 0) == G_ENOENT, "get next key past the last: -ENOENT",
          "unexpected result");
    check(map_op(hash, 2, K, V, 0, 1 /* BPF_NOEXIST */) == G_EEXIST,
          "update with BPF_NOEXIST: -EEXIST", "unexpected result");
    check(map_op(hash, 3, K, 0, 0, 0) == 0 && map_op(hash, 1, K, V, 0, 0) == G_ENOENT,
          "map delete, then lookup: -ENOENT", "unexpected result");
    check(map_op(hash, 99, K, V, 0, 0) == G_EINVAL, "map command 99: -EINVAL", "unexpected result");
    check(map_op(0, 1, K, V, 0, 0) == G_EBADF, "map operation on fd 0: -EBADF",
          "unexpected result");
    check(map_op(-1, 1, K, V, 0, 0) == G_EBADF, "map operation on fd -1: -EBADF",
          "unexpected result");
    check(map_op(map_fd(h2, "wbt_hash"), 1, K, V, 0, 0) == G_ENOENT,
          "map operation on the map of another object of the same guest", "unexpected result");
    check(map_op(hash, 1, 0xfffffff0, V, 0, 0) == G_EFAULT,
          "map lookup with a key outside memory: -EFAULT", "unexpected result");
    check(map_op(hash, 1, K, (uint32_t)(inst->mem.size - 4), 0, 0) == G_EFAULT,
          "map lookup with a value running off memory: -EFAULT", "unexpected result");
    int ncpus = libbpf_num_possible_cpus();
    *(uint32_t *)wasm_mem(inst, K, 4) = 0;
    uint32_t pv = (uint32_t)inst->mem.size - 8 * (uint32_t)ncpus;
    err = map_op(pcpu, 1, K, pv, 0, 0);
    uint64_t total = 0;
    for (int c = 0; c < ncpus; c++)
        total += *(uint32_t *)wasm_mem(inst, pv + 8 * (uint32_t)c, 4);
    check(err == 0 && total >= 4, "per-CPU lookup fills round_up(4, 8) bytes per possible CPU",
          "err %d total %llu", err, (unsigned long long)total);
    check(map_op(pcpu, 1, K, pv + 4, 0, 0) == G_EFAULT,
          "per-CPU lookup into too small a value: -EFAULT", "unexpected result");
    *(uint64_t *)wasm_mem(inst, V, 8) = 77;
    check(map_op(queue, 2, 0, V, 0, 0) == 0, "queue push (no key)", "unexpected result");
    *(uint64_t *)wasm_mem(inst, V, 8) = 0;
    check(map_op(queue, 21, 0, V, 0, 0) == 0 && *(uint64_t *)wasm_mem(inst, V, 8) == 77 &&
              map_op(queue, 21, 0, V, 0, 0) == G_ENOENT,
          "lookup-and-delete (21) pops the queue", "unexpected result");
    int bss = map_fd(h1, "probe_bp.bss"), data = map_fd(h1, ".data");
    uint64_t *bv = wasm_mem(inst, V, 8);
    err = map_op(bss, 1, K, V, 0, 0);
    check(bss >= 0 && err == 0 && *bv == 5 + COPY_CHECKS,
          ".bss read after load through a lookup (every trigger so far)", "fd %d err %d value %llu",
          bss, err, (unsigned long long)*bv);
    check(data >= 0 && map_op(data, 1, K, V, 0, 0) == 0 && *(uint64_t *)wasm_mem(inst, V, 8) == 7,
          ".data read after load", "unexpected result");

    /* .rodata patched in the guest's copy before load */
    size_t ro_off = section_offset(obj, obj_len, ".rodata");
    uint8_t *patched = malloc(obj_len);
    memcpy(patched, obj, obj_len);
    *(uint32_t *)(patched + ro_off) = 2;
    uint64_t h3 = load(inst, patched, (uint32_t)obj_len);
    free(patched);
    check(h3 == 3 && attach(h3, "wbt_trigger", target) == 0, "load and attach a patched object",
          "unexpected result");
    wasm_bpf_test_trigger(3, 6);
    cb_reset();
    got = poll_buf(h3, map_fd(h3, "wbt_rb1"), CB, 64, 100);
    check(got == 6, ".rodata patched before load reaches the kernel (2 records per seq)", "got %d",
          got);
    poll_buf(h1, rb1, CB, 64, 0);
    poll_buf(h1, rb2, CB, 64, 0);
    poll_buf(h1, pb, CB, 64, 0);

    /* last error */
    map_fd(h1, "nope");
    err = last_error(msg, sizeof(msg));
    check(err == G_ENOENT && strstr(msg, "nope"), "last error: errno and message", "%d '%s'", err,
          msg);
    check(call(inst, "wasm_bpf_last_error", 2, (int32_t)0x7ffffff0, (int32_t)64).i32 == G_EFAULT,
          "last error into a buffer outside memory: -EFAULT", "unexpected result");
    map_op(hash, 1, K, V, 0, 0);
    err = last_error(msg, sizeof(msg));
    check(err == G_ENOENT && strstr(msg, "map_operate"), "last error of a failed map operation",
          "'%s'", msg);

    /* close from inside a callback of its own poll */
    wasm_bpf_test_trigger(3, 7);
    cb_reset();
    cb.close_at = 1;
    cb.handle = h3;
    got = poll_buf(h3, map_fd(h3, "wbt_rb1"), CB, 64, 100);
    check(got == 1 && map_fd(h3, "wbt_rb1") == G_EINVAL,
          "close from a callback: the poll ends, the handle is gone", "got %d calls %d", got,
          cb.calls);
    check(call(inst, "wasm_close_bpf_object", 1, (int64_t)h3).i32 == 0 &&
              call(inst, "wasm_close_bpf_object", 1, (int64_t)12345).i32 == 0,
          "close of a closed or unknown handle: 0", "unexpected result");
    check(map_op(hash, 1, K, V, 0, 0) == G_ENOENT, "the other objects still work",
          "unexpected result");
    poll_buf(h1, rb1, CB, 64, 0);
    poll_buf(h1, rb2, CB, 64, 0);
    poll_buf(h1, pb, CB, 64, 0);

    /* a blocking poll ends when the runtime is interrupted */
    pthread_t th;
    pthread_create(&th, NULL, interrupt_later, rt);
    t0 = now_ms();
    poll_buf(h1, rb1, CB, 64, -1);
    waited = now_ms() - t0;
    pthread_join(th, NULL);
    check(call_status == WASM_TRAP_INTERRUPTED && waited < 3000,
          "a blocking poll (timeout -1) returns the interrupt", "status %d after %.0f ms",
          call_status, waited);
    rt->interrupted = 0;
    uint64_t drain;
    if (read(rt->efd, &drain, sizeof(drain)) < 0)
        drain = 0;

    /* another instance has its own handles and cannot use ours */
    wasm_instance *other = mock_instance_new(rt, 4);
    uint64_t oh = load(other, obj, (uint32_t)obj_len);
    check(oh == 1, "another instance's first handle is 1", "got %llu", (unsigned long long)oh);
    int ofd = call(other, "wasm_bpf_map_operate", 6, (int32_t)hash, 1, (int32_t)K, (int32_t)V, 0,
                   (int64_t)0)
                  .i32;
    check(ofd == G_EBADF, "another instance cannot use our map fds: -EBADF", "got %d", ofd);
    wasm_bpf_host_forget_instance(host, other);
    mock_instance_free(other);

    /* counters (wasm_bpf_stats_*): deltas of what this part of the test does */
    struct wasm_bpf_map_stats hs0, hs1, rs0, rs1;
    check(stats_of(host, "wbt_hash", &hs0) == 0 && stats_of(host, "wbt_rb1", &rs0) == 0 &&
              rs0.buffer && !hs0.buffer && !strcmp(rs0.type, "ringbuf") &&
              !strcmp(hs0.type, "hash"),
          "stats: an entry per map, by name, with its type", "hash %s rb1 %s", hs0.type, rs0.type);
    *(uint32_t *)wasm_mem(inst, K, 4) = 4242;
    map_op(hash, 1, K, V, 0, 0); /* absent: an error */
    map_op(hash, 2, K, V, 0, 0);
    map_op(hash, 1, K, V, 0, 0);
    map_op(hash, 3, 0xfffffff0, 0, 0, 0); /* outside memory: an error */
    wasm_bpf_test_trigger(4, 8);
    cb_reset();
    got = poll_buf(h1, rb1, CB, 64, 100);
    stats_of(host, "wbt_hash", &hs1);
    stats_of(host, "wbt_rb1", &rs1);
    check(hs1.ops[WASM_BPF_MAP_LOOKUP] - hs0.ops[WASM_BPF_MAP_LOOKUP] == 2 &&
              hs1.errors[WASM_BPF_MAP_LOOKUP] - hs0.errors[WASM_BPF_MAP_LOOKUP] == 1 &&
              hs1.ops[WASM_BPF_MAP_UPDATE] - hs0.ops[WASM_BPF_MAP_UPDATE] == 1 &&
              hs1.errors[WASM_BPF_MAP_UPDATE] == hs0.errors[WASM_BPF_MAP_UPDATE] &&
              hs1.ops[WASM_BPF_MAP_DELETE] - hs0.ops[WASM_BPF_MAP_DELETE] == 1 &&
              hs1.errors[WASM_BPF_MAP_DELETE] - hs0.errors[WASM_BPF_MAP_DELETE] == 1,
          "stats: map operations and errors by operation", "lookups +%llu/err +%llu",
          hs1.ops[0] - hs0.ops[0], hs1.errors[0] - hs0.errors[0]);
    check(got == 4 && rs1.delivered - rs0.delivered == 4 && rs1.polls - rs0.polls == 1 &&
              rs1.callback_ns > rs0.callback_ns && rs1.lost == 0,
          "stats: records delivered, polls and callback time of a ring buffer",
          "got %d delivered +%llu polls +%llu", got, rs1.delivered - rs0.delivered,
          rs1.polls - rs0.polls);
    struct wasm_bpf_host_stats hst = {.sz = sizeof hst};
    check(wasm_bpf_stats_host(host, &hst) == 0 && hst.ready && hst.objects_loaded >= 3 &&
              hst.untracked_maps == 0,
          "stats: the host is ready once polled, objects counted", "ready %d loaded %llu",
          hst.ready, hst.objects_loaded);
    struct wasm_bpf_host_stats small = {.sz = 8};
    check(wasm_bpf_stats_maps(host, &hs1, 1, 8) == -EINVAL &&
              wasm_bpf_stats_maps(NULL, NULL, 0, sizeof hs1) == -EINVAL &&
              wasm_bpf_stats_host(host, &small) == -EINVAL &&
              wasm_bpf_map_op_name(WASM_BPF_MAP_OPS) == NULL,
          "stats: bad sizes and hosts are -EINVAL", "unexpected result");

    /* clean-up leaves nothing */
    wasm_bpf_host_cleanup(host);
    check(stats_of(host, "wbt_hash", &hs0) == 0 &&
              hs0.ops[WASM_BPF_MAP_LOOKUP] == hs1.ops[WASM_BPF_MAP_LOOKUP],
          "stats: counters outlive the objects (only rise)", "unexpected result");
    int left = leftovers_after_settling();
    check(left == before, "clean-up: no program or map of ours left in the kernel",
          "%d left (%d before)", left - before, before);

    /* ---- policy ---- */
    const char *types[] = {"tracepoint"};
    wasm_bpf_host *strict = wasm_bpf_host_new(&(struct wasm_bpf_options){
        .policy = &(struct wasm_bpf_policy){.prog_types = types, .n_prog_types = 1}});
    wasm_linker_free(linker);
    linker = wasm_linker_new();
    wasm_bpf_host_define(strict, linker);
    h = (int64_t)load(inst, obj, (uint32_t)obj_len);
    err = last_error(msg, sizeof(msg));
    check(h == 0 && err == G_EPERM && strstr(msg, "kprobe"),
          "policy: a program type not allowed: -EPERM", "handle %lld err %d '%s'", (long long)h,
          err, msg);
    wasm_bpf_host_free(strict);

    const char *targets[] = {"/usr/*", "lo"};
    strict = wasm_bpf_host_new(&(struct wasm_bpf_options){
        .policy = &(struct wasm_bpf_policy){.attach_targets = targets, .n_attach_targets = 2}});
    wasm_linker_free(linker);
    linker = wasm_linker_new();
    wasm_bpf_host_define(strict, linker);
    h = (int64_t)load(inst, obj, (uint32_t)obj_len);
    err = attach((uint64_t)h, "wbt_trigger", target);
    check(h > 0 && err == G_EPERM, "policy: an attach target not allowed: -EPERM", "err %d", err);
    err = attach((uint64_t)h, "wbt_xdp_pass", "lo");
    check(err == 0, "policy: an allowed target attaches", "err %d", err);
    wasm_bpf_host_free(strict);
    left = leftovers_after_settling();
    check(left == before, "freeing the host leaves nothing (xdp link included)", "%d left",
          left - before);

    wasm_bpf_host_free(host);
    wasm_linker_free(linker);
    mock_instance_free(inst);
    mock_runtime_free(rt);
    free(obj);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
