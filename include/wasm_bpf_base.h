/* wasm_bpf_base.h: what every part of libwasm-bpf shares, below them all.
 *
 * Memory, growable strings, whole files, sizes, paths, and the library's one
 * diagnostic channel.  It uses no other part.
 *
 * The conventions of the library (modelled on libbpf):
 *   - a function returns 0 or a negative errno, or a pointer, NULL with
 *     errno set;
 *   - out of memory is an error like any other (-ENOMEM, or NULL with errno
 *     ENOMEM) that goes up to the caller: the library never aborts;
 *   - a failure's message goes into a buffer the caller or the object owns;
 *   - every diagnostic that is not a result (warnings, progress, libbpf's
 *     messages) goes through the print callback set with
 *     wasm_bpf_set_print(); the library never writes to stderr itself and
 *     never names a command-line flag. */
#ifndef WASM_BPF_BASE_H
#define WASM_BPF_BASE_H

/* Every name declared here is part of the library's interface (the rest of
 * libwasm-bpf.a is hidden: see the Makefile). */
#pragma GCC visibility push(default)

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- diagnostics ---- */

enum wasm_bpf_print_level {
    WASM_BPF_WARN,  /* something the user should know: printed by the CLI always */
    WASM_BPF_INFO,  /* progress and status lines */
    WASM_BPF_DEBUG, /* what --verbose asked for */
};
/* Called with a complete message or a piece of one (progress bars redraw a
 * line with "\r"): print it as it is. */
typedef int (*wasm_bpf_print_fn)(enum wasm_bpf_print_level level, const char *fmt, va_list ap);

/* Set the callback (NULL: diagnostics are dropped, the default); returns
 * the previous one.  libbpf's own messages are routed through it too (see
 * base_libbpf_capture()). */
wasm_bpf_print_fn wasm_bpf_set_print(wasm_bpf_print_fn fn);

/* For the parts of the library: a diagnostic through the callback. */
void base_print(enum wasm_bpf_print_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void base_vprint(enum wasm_bpf_print_level level, const char *fmt, va_list ap);

/* libbpf's messages: its print callback is set in one place (base), and
 * forwarded to `capture` while one is set, else to the print callback at
 * the matching level (libbpf's DEBUG is dropped).  A part that wants
 * libbpf's messages of one operation (to put them into its error, or show
 * them only if it fails) sets a capture around it and puts back the one
 * returned.  `level` is libbpf's (0 warn, 1 info, 2 debug). */
typedef void (*base_libbpf_capture_fn)(void *ctx, int level, const char *fmt, va_list ap);
struct base_libbpf_capture {
    base_libbpf_capture_fn fn;
    void *ctx;
};
struct base_libbpf_capture base_libbpf_capture(base_libbpf_capture_fn fn, void *ctx);
void base_libbpf_capture_restore(struct base_libbpf_capture previous);

/* ---- memory: NULL with errno ENOMEM on failure, never an abort ---- */

void *base_malloc(size_t n);              /* n == 0 allocates one byte */
void *base_calloc(size_t n, size_t size); /* overflow of n * size: ENOMEM */
void *base_realloc(void *p, size_t n);    /* on failure p is left as it was */
/* realloc for n elements of `size` bytes, checking n * size for overflow */
void *base_reallocarray(void *p, size_t n, size_t size);
char *base_strdup(const char *s);
char *base_strndup(const char *s, size_t n);
char *base_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *base_vasprintf(const char *fmt, va_list ap);

/* ---- a growable byte buffer / string builder ----
 * `data` is NUL-terminated whenever it is not NULL.  An allocation failure
 * is sticky: the append that failed and every later one return -ENOMEM and
 * leave the contents as they were, so a builder can append many pieces and
 * check once (base_buf_take()). */
struct base_buf {
    char *data;
    size_t len;
    size_t cap;
    int err; /* 0, or -ENOMEM after a failed append */
};
int base_buf_append(struct base_buf *b, const void *data, size_t len);
int base_buf_puts(struct base_buf *b, const char *s);
int base_buf_printf(struct base_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int base_buf_vprintf(struct base_buf *b, const char *fmt, va_list ap);
/* The string (an empty one if nothing was appended), b reset; NULL with
 * errno ENOMEM (b freed) if an append failed. */
char *base_buf_take(struct base_buf *b, size_t *len);
void base_buf_free(struct base_buf *b);

/* ---- files ---- */

/* Read a whole file into a NUL-terminated buffer (*len excludes the NUL).
 * More than `max` bytes: -EFBIG.  0, or a negative errno (-ENOENT, -EISDIR
 * ...).  Reads to the end: a size from stat is only a hint (pipes, /proc). */
int base_read_file(const char *path, size_t max, char **data, size_t *len);
/* The same from an open descriptor (not closed). */
int base_read_fd(int fd, size_t max, char **data, size_t *len);
/* write(2) all of it, again after EINTR.  0 or -errno. */
int base_write_all(int fd, const void *data, size_t len);

/* An output file (-o PATH) written as cp writes one: a regular file or a
 * missing path is written to a temporary file beside it, renamed over it by
 * base_output_commit() (readers never see half a file; a failure leaves the
 * old one); a device, a FIFO or a symlink (followed) is written in place,
 * never replaced (`-o /dev/null` stays a device).  Write to `fd`. */
struct base_output {
    int fd;
    char *path;
    char *tmp; /* the temporary file, NULL when writing in place */
};
/* 0 or -errno (-ENOENT for a missing directory, -EISDIR ...); `mode` for a
 * new file, less the umask. */
int base_output_open(struct base_output *out, const char *path, unsigned mode);
/* Flush to disk and put in place.  0 or -errno (the temporary file is
 * removed on failure). */
int base_output_commit(struct base_output *out);
/* Give up: the temporary file is removed; a file written in place keeps
 * what was written. */
void base_output_discard(struct base_output *out);

/* ---- sizes ----
 * "65536", "64K", "8M", "1G", "2T": a decimal count with an optional K, M, G
 * or T suffix (binary: K is 1024), optionally followed by "i" and/or "B"
 * ("64KiB", "64KB", "64kb").  0, -EINVAL if it is not a size, -ERANGE if it
 * does not fit in 64 bits (17179869185G). */
int base_parse_size(const char *s, uint64_t *bytes);

/* ---- paths (malloc'ed results; NULL with errno ENOMEM) ---- */

/* dir "/" name, without doubling a '/' at the seam; an absolute name or an
 * empty dir gives name. */
char *base_path_join(const char *dir, const char *name);
/* The directory part, as dirname(3) (which may modify its argument) says. */
char *base_path_dirname(const char *path);
/* The last component, as basename(3) (POSIX) says: "a/b/" gives "b". */
char *base_path_basename(const char *path);

/* ---- BTF reference chains ----
 * Untrusted BTF (a guest's object, a file given to `gen`) may hold a chain
 * of pointers, typedefs, qualifiers, type tags, variables, functions,
 * declaration tags or array elements that leads back to itself; libbpf
 * parses it and then loops in its own walks.  The check follows every chain
 * among the ids first..count-1 once (linear): 0, -EINVAL with *looping set
 * to a type on such a loop, or -ENOMEM.  `type_by_id` gives the type of an
 * id as the BTF holds it (libbpf's btf__type_by_id()); NULL ends a chain.
 * Ids below `first` (the base of split BTF) end chains: check them on their
 * own.  Kinds are read from <linux/btf.h>'s layout; base uses no libbpf
 * structure. */
struct btf_type;
typedef const struct btf_type *(*base_btf_type_fn)(void *ctx, uint32_t id);
int base_btf_check_chains(uint32_t first, uint32_t count, base_btf_type_fn type_by_id, void *ctx,
                          uint32_t *looping);
/* "typedef", "const", "pointer" ... for a type that continues a chain;
 * "type" for any other. */
const char *base_btf_kind_name(const struct btf_type *t);

#pragma GCC visibility pop

#endif
