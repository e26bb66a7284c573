/* btf_section.c: minimal BTF for a list of kernels, carried in a module's
 * custom section WASM_BPF_BTF_SECTION (docs/ABI.md section 8), and BTF
 * bytes handed to libbpf as a file (a memfd).
 *
 * The section: "WBTF", a little-endian u32 version (1), then entries up to
 * its end, each a u32 length and the kernel release (uname -r: 1 to 64
 * printable characters, no blank), a u32 length and raw BTF.  Every length
 * is checked against what is left; the module is the guest's author's, so
 * a bad section is refused with what is wrong, never read past. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define MAGIC       "WBTF"
#define VERSION     1
#define RELEASE_MAX 64
#define ENTRIES_MAX 1024
#define BTF_MIN     24 /* struct btf_header */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool release_ok(const char *s, size_t n)
{
    if (n == 0 || n > RELEASE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return false;
    return true;
}

int wasm_bpf_btf_release_check(const char *release)
{
    return release && release_ok(release, strlen(release)) ? 0 : -EINVAL;
}

int wasm_bpf_btf_section_add(struct base_buf *section, const char *release, const void *btf,
                             size_t len)
{
    if (!section || wasm_bpf_btf_release_check(release) || !btf || len < BTF_MIN ||
        len > WASM_BPF_BTF_MAX_SIZE)
        return -EINVAL;
    unsigned char n[4];
    if (section->len == 0) {
        base_buf_append(section, MAGIC, 4);
        put_u32(n, VERSION);
        base_buf_append(section, n, 4);
    }
    put_u32(n, (uint32_t)strlen(release));
    base_buf_append(section, n, 4);
    base_buf_append(section, release, strlen(release));
    put_u32(n, (uint32_t)len);
    base_buf_append(section, n, 4);
    base_buf_append(section, btf, len);
    return section->err ? -ENOMEM : 0;
}

static int bad(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (msg && size)
        vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

int wasm_bpf_btf_section_find(const void *section, size_t len, const char *release,
                              const void **btf, size_t *btf_len, char *msg, size_t size)
{
    const unsigned char *p = section, *end = p ? p + len : NULL;
    if (msg && size)
        msg[0] = '\0';
    if (!p || len < 8 || memcmp(p, MAGIC, 4))
        return bad(msg, size, "%s: does not start with \"" MAGIC "\"", WASM_BPF_BTF_SECTION);
    if (get_u32(p + 4) != VERSION)
        return bad(msg, size, "%s: version %u, this runtime reads version %d", WASM_BPF_BTF_SECTION,
                   get_u32(p + 4), VERSION);
    struct base_buf names = {0};
    int found = 0;
    size_t count = 0;
    for (p += 8; p < end; count++) {
        if (count == ENTRIES_MAX) {
            base_buf_free(&names);
            return bad(msg, size, "%s: more than %d kernels", WASM_BPF_BTF_SECTION, ENTRIES_MAX);
        }
        uint32_t rlen = (size_t)(end - p) >= 4 ? get_u32(p) : UINT32_MAX;
        const char *rel = (const char *)p + 4;
        if (rlen == UINT32_MAX || (size_t)(end - p) - 4 < (size_t)rlen + 4 ||
            !release_ok(rel, rlen)) {
            base_buf_free(&names);
            return bad(msg, size,
                       "%s: entry %zu: no kernel release of 1 to %d printable characters",
                       WASM_BPF_BTF_SECTION, count + 1, RELEASE_MAX);
        }
        p += 4 + rlen;
        uint32_t blen = get_u32(p);
        p += 4;
        if (blen < BTF_MIN || blen > WASM_BPF_BTF_MAX_SIZE || (size_t)(end - p) < blen) {
            base_buf_free(&names);
            return bad(msg, size, "%s: entry %zu (%.*s): BTF of %u bytes %s", WASM_BPF_BTF_SECTION,
                       count + 1, (int)rlen, rel, blen,
                       (size_t)(end - p) < blen ? "runs past the section" : "is out of bounds");
        }
        if (!found && release && strlen(release) == rlen && !memcmp(rel, release, rlen)) {
            *btf = p;
            *btf_len = blen;
            found = 1;
        }
        base_buf_printf(&names, "%s%.*s", names.len ? ", " : "", (int)rlen, rel);
        p += blen;
    }
    if (!found && msg && size)
        snprintf(msg, size, "%s", names.len ? names.data : "no kernel");
    base_buf_free(&names);
    return found;
}

int wasm_bpf_btf_memfd(const void *btf, size_t len, char *path, size_t pathlen, char *err,
                       size_t errlen)
{
    if (!btf || !path || !pathlen)
        return -EINVAL;
    int fd = memfd_create("wasm-bpf-btf", MFD_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (err && errlen)
            snprintf(err, errlen, "memfd_create: %s", strerror(e));
        return -e;
    }
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, (const char *)btf + done, len - done);
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            if (err && errlen)
                snprintf(err, errlen, "writing the BTF to a memfd: %s", strerror(e));
            return -e;
        }
        done += (size_t)n;
    }
    snprintf(path, pathlen, "/proc/self/fd/%d", fd);
    int rc = wasm_bpf_btf_file_check(path, err, errlen);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}
