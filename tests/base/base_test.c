/* base_test.c: unit checks of src/base and include/wasi_errno.h.  One line
 * per check, "ok NAME" or "FAIL NAME: why"; tests/base/run counts them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_errno.h"
#include "wasm_bpf_base.h"

static int failures;

static void check(int ok, const char *name, const char *why)
{
    if (ok) {
        printf("ok %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

static void size_case(const char *text, int want_err, uint64_t want)
{
    uint64_t got = 0;
    int err = base_parse_size(text, &got);
    char name[128], why[128];
    snprintf(name, sizeof name, "size \"%s\"", text);
    snprintf(why, sizeof why, "got %d / %llu, want %d / %llu", err, (unsigned long long)got,
             want_err, (unsigned long long)want);
    check(err == want_err && (err || got == want), name, why);
}

static void test_sizes(void)
{
    size_case("65536", 0, 65536);
    size_case("0", 0, 0);
    size_case("64K", 0, 65536);
    size_case("64k", 0, 65536);
    size_case("64KiB", 0, 65536);
    size_case("64KB", 0, 65536);
    size_case("64kb", 0, 65536);
    size_case("8M", 0, 8u << 20);
    size_case("1G", 0, 1u << 30);
    size_case("2T", 0, UINT64_C(2) << 40);
    size_case("16777215T", 0, UINT64_C(16777215) << 40);
    size_case("18446744073709551615", 0, UINT64_MAX);
    /* the overflows: every one an error, never a wrapped value */
    size_case("17179869185G", -ERANGE, 0);
    size_case("17179869184G", -ERANGE, 0);
    size_case("16777216T", -ERANGE, 0);
    size_case("18446744073709551616", -ERANGE, 0);
    size_case("99999999999999999999999", -ERANGE, 0);
    size_case("", -EINVAL, 0);
    size_case("-1", -EINVAL, 0);
    size_case(" 1", -EINVAL, 0);
    size_case("+1", -EINVAL, 0);
    size_case("K", -EINVAL, 0);
    size_case("1X", -EINVAL, 0);
    size_case("1Ki B", -EINVAL, 0);
    size_case("1iB", -EINVAL, 0);
    size_case("1KK", -EINVAL, 0);
}

static void test_buf(void)
{
    struct base_buf b = {0};
    size_t len = 99;
    char *s = base_buf_take(&b, &len);
    check(s && !strcmp(s, "") && len == 0, "buf: empty take is \"\"", "not an empty string");
    free(s);
    for (int i = 0; i < 1000; i++)
        base_buf_printf(&b, "%d,", i);
    base_buf_append(&b, "x\0y", 3);
    check(!b.err && b.len > 3000 && b.data[b.len] == '\0' && !memcmp(b.data + b.len - 3, "x\0y", 3),
          "buf: printf and binary append", "contents wrong");
    check(!strncmp(b.data, "0,1,2,", 6), "buf: order kept", b.data);
    s = base_buf_take(&b, &len);
    check(s && len > 3000 && !b.data && !b.len, "buf: take hands over and resets", "not reset");
    free(s);
    /* a failed append is sticky and leaves the contents alone */
    base_buf_puts(&b, "abc");
    int err = base_buf_append(&b, "x", SIZE_MAX - 2);
    check(err == -ENOMEM && b.err == -ENOMEM && b.len == 3 && !strcmp(b.data, "abc"),
          "buf: an impossible append is -ENOMEM", "not -ENOMEM or contents changed");
    check(base_buf_puts(&b, "d") == -ENOMEM && b.len == 3, "buf: failure is sticky",
          "appended after a failure");
    errno = 0;
    check(!base_buf_take(&b, NULL) && errno == ENOMEM && !b.data, "buf: take after failure is NULL",
          "take succeeded");
}

static void test_alloc(void)
{
    errno = 0;
    check(!base_calloc(SIZE_MAX / 2, 3) && errno == ENOMEM, "alloc: calloc overflow is ENOMEM",
          "no ENOMEM");
    void *p = base_malloc(8);
    errno = 0;
    check(!base_reallocarray(p, SIZE_MAX / 4, 8) && errno == ENOMEM,
          "alloc: reallocarray overflow is ENOMEM", "no ENOMEM");
    free(p);
    char *s = base_asprintf("%s-%d", "a", 42);
    check(s && !strcmp(s, "a-42"), "alloc: asprintf", s ? s : "NULL");
    free(s);
    s = base_strndup("abcdef", 3);
    check(s && !strcmp(s, "abc"), "alloc: strndup", s ? s : "NULL");
    free(s);
}

static void test_files(void)
{
    char dir[] = "/tmp/base-test.XXXXXX";
    if (!mkdtemp(dir)) {
        check(0, "files: temporary directory", strerror(errno));
        return;
    }
    char *path = base_path_join(dir, "f");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char big[100000];
    memset(big, 'z', sizeof big);
    check(fd >= 0 && base_write_all(fd, big, sizeof big) == 0, "files: write_all", strerror(errno));
    if (fd >= 0)
        close(fd);
    char *data = NULL;
    size_t len = 0;
    int err = base_read_file(path, sizeof big, &data, &len);
    check(!err && len == sizeof big && data[len] == '\0' && !memcmp(data, big, len),
          "files: read a file at its cap", "contents differ");
    free(data);
    check(base_read_file(path, sizeof big - 1, &data, &len) == -EFBIG,
          "files: one byte over the cap is -EFBIG", "not -EFBIG");
    check(base_read_file(dir, 100, &data, &len) == -EISDIR, "files: a directory is -EISDIR",
          "not -EISDIR");
    char *missing = base_path_join(dir, "none");
    check(base_read_file(missing, 100, &data, &len) == -ENOENT, "files: a missing file is -ENOENT",
          "not -ENOENT");
    fd = open(path, O_WRONLY | O_TRUNC);
    if (fd >= 0)
        close(fd);
    err = base_read_file(path, 10, &data, &len);
    check(!err && len == 0 && data && !data[0], "files: an empty file is \"\"", "not empty");
    free(data);
    unlink(path);
    rmdir(dir);
    free(missing);
    free(path);
}

static void path_case(char *(*fn)(const char *), const char *fname, const char *in,
                      const char *want)
{
    char *got = fn(in);
    char name[128];
    snprintf(name, sizeof name, "path: %s(\"%s\") is \"%s\"", fname, in, want);
    check(got && !strcmp(got, want), name, got ? got : "NULL");
    free(got);
}

static void join_case(const char *dir, const char *file, const char *want)
{
    char *got = base_path_join(dir, file);
    char name[128];
    snprintf(name, sizeof name, "path: join(\"%s\", \"%s\") is \"%s\"", dir, file, want);
    check(got && !strcmp(got, want), name, got ? got : "NULL");
    free(got);
}

static void test_paths(void)
{
    join_case("a", "b", "a/b");
    join_case("a/", "b", "a/b");
    join_case("/", "b", "/b");
    join_case("", "b", "b");
    join_case("a", "/b", "/b");
    path_case(base_path_dirname, "dirname", "a/b/c", "a/b");
    path_case(base_path_dirname, "dirname", "a/b/", "a");
    path_case(base_path_dirname, "dirname", "/a", "/");
    path_case(base_path_dirname, "dirname", "a", ".");
    path_case(base_path_dirname, "dirname", "a//b", "a");
    path_case(base_path_dirname, "dirname", "/", "/");
    path_case(base_path_basename, "basename", "a/b.o", "b.o");
    path_case(base_path_basename, "basename", "a/b/", "b");
    path_case(base_path_basename, "basename", "/", "/");
    path_case(base_path_basename, "basename", "b", "b");
}

static char printed[256];
static enum wasm_bpf_print_level printed_level;

static int print_to_buffer(enum wasm_bpf_print_level level, const char *fmt, va_list ap)
{
    printed_level = level;
    return vsnprintf(printed, sizeof printed, fmt, ap);
}

static void test_print(void)
{
    base_print(WASM_BPF_WARN, "dropped %d", 1); /* no callback: nothing happens */
    check(!printed[0], "print: dropped without a callback", printed);
    check(wasm_bpf_set_print(print_to_buffer) == NULL, "print: no callback by default",
          "one was set");
    base_print(WASM_BPF_INFO, "hello %s", "there");
    check(!strcmp(printed, "hello there") && printed_level == WASM_BPF_INFO,
          "print: through the callback", printed);
    check(wasm_bpf_set_print(NULL) == print_to_buffer, "print: set returns the previous callback",
          "wrong previous callback");
}

static void test_wasi_errno(void)
{
    /* docs/ABI.md section 6: the numbers guests compare with */
    check(wasi_errno_from_host(ENOENT) == 44 && WASI_ENOENT == 44, "errno: ENOENT is 44", "not 44");
    check(wasi_errno_from_host(EINTR) == 27, "errno: EINTR is 27", "not 27");
    check(wasi_errno_from_host(EPERM) == 63, "errno: EPERM is 63", "not 63");
    check(wasi_errno_from_host(EOPNOTSUPP) == WASI_ENOTSUP &&
              wasi_errno_from_host(524) == WASI_ENOTSUP,
          "errno: EOPNOTSUPP and the kernel's ENOTSUPP are ENOTSUP", "not ENOTSUP");
    check(wasi_errno_from_host(ENODATA) == WASI_EIO, "errno: one with no WASI counterpart is EIO",
          "not EIO");
    check(wasi_errno_from_host(0) == WASI_ESUCCESS, "errno: 0 is success", "not 0");
    int distinct = 1;
    unsigned seen[80] = {0};
#define SEEN(name, n)                                               \
    if (n >= 80 || seen[n]++ || wasi_errno_from_host(E##name) != n) \
        distinct = 0;
    WASI_ERRNO_TABLE(SEEN)
#undef SEEN
    check(distinct, "errno: every entry has its own number and maps back",
          "a duplicate or a mismatch");
}

int main(void)
{
    test_sizes();
    test_buf();
    test_alloc();
    test_files();
    test_paths();
    test_print();
    test_wasi_errno();
    return failures ? 1 : 0;
}
