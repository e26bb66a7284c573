/* reader.h: bounds-checked reading of the binary format, shared by the
 * decoder and the function compiler.  A failed read records the error and
 * longjmps to the reader's owner, which frees what it allocated. */
#ifndef WASM_READER_H
#define WASM_READER_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct reader {
    const uint8_t *buf;
    size_t pos, end;     /* current position and end of the current unit */
    const char *section; /* for messages */
    char *err;
    size_t errlen;
    int error; /* after a failure: ENOEXEC, EINVAL, E2BIG or ENOMEM */
    jmp_buf *fail;
} reader;

__attribute__((noreturn, format(printf, 4, 5))) static inline void reader_fail_at(
    reader *r, int error, size_t offset, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->err && r->errlen)
        snprintf(r->err, r->errlen, "%s section at offset 0x%zx: %s",
                 r->section ? r->section : "module", offset, msg);
    r->error = error;
    longjmp(*r->fail, 1);
}

/* The errno of each kind of failure (see wasm_module_load in wasm_engine.h) */
#define malformed(r, ...)  reader_fail_at((r), ENOEXEC, (r)->pos, __VA_ARGS__)
#define invalid(r, ...)    reader_fail_at((r), EINVAL, (r)->pos, __VA_ARGS__)
#define over_limit(r, ...) reader_fail_at((r), E2BIG, (r)->pos, __VA_ARGS__)

static inline size_t reader_left(const reader *r)
{
    return r->end - r->pos;
}

static inline uint8_t read_u8(reader *r)
{
    if (r->pos >= r->end)
        malformed(r, "unexpected end");
    return r->buf[r->pos++];
}

/* Unsigned LEB128 of at most `bits` bits. */
static inline uint64_t read_uleb(reader *r, unsigned bits)
{
    uint64_t result = 0;
    unsigned shift = 0;
    for (;;) {
        if (r->pos >= r->end)
            malformed(r, "unexpected end");
        uint8_t byte = r->buf[r->pos++];
        if (shift + 7 >= bits && shift < 64) {
            /* last allowed byte: no continuation, no bits beyond `bits` */
            if (byte & 0x80)
                malformed(r, "integer representation too long");
            unsigned used = bits - shift;
            if (used < 7 && (byte >> used))
                malformed(r, "integer too large");
            return result | (uint64_t)byte << shift;
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return result;
        shift += 7;
    }
}

/* Signed LEB128 of at most `bits` bits. */
static inline int64_t read_sleb(reader *r, unsigned bits)
{
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t byte;
    for (;;) {
        if (r->pos >= r->end)
            malformed(r, "unexpected end");
        byte = r->buf[r->pos++];
        if (shift + 7 >= bits) {
            if (byte & 0x80)
                malformed(r, "integer representation too long");
            /* the unused high bits must all equal the sign bit */
            unsigned used = bits - shift;                /* 1..7 bits of this byte are value bits */
            int8_t sbyte = (int8_t)(byte << 1) >> 1;     /* 7-bit value, sign-extended */
            int8_t rest = (int8_t)(sbyte >> (used - 1)); /* sign bit and everything above */
            if (rest != 0 && rest != -1)
                malformed(r, "integer too large");
            result |= (uint64_t)(byte & 0x7f) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
        if (!(byte & 0x80))
            break;
    }
    if (shift < 64 && (byte & 0x40))
        result |= ~(uint64_t)0 << shift;
    return (int64_t)result;
}

static inline uint32_t read_u32(reader *r)
{
    return (uint32_t)read_uleb(r, 32);
}
static inline int32_t read_s32(reader *r)
{
    return (int32_t)read_sleb(r, 32);
}
static inline int64_t read_s64(reader *r)
{
    return read_sleb(r, 64);
}

/* n little-endian bytes as they are (f32 and f64 immediates) */
static inline void read_fixed(reader *r, void *out, size_t n)
{
    if (reader_left(r) < n)
        malformed(r, "unexpected end");
    memcpy(out, r->buf + r->pos, n);
    r->pos += n;
}

static inline uint32_t read_fixed32(reader *r)
{
    uint32_t v;
    read_fixed(r, &v, sizeof v);
    return v;
}

static inline uint64_t read_fixed64(reader *r)
{
    uint64_t v;
    read_fixed(r, &v, sizeof v);
    return v;
}

/* A vector count whose items take at least min_item_bytes each: a count
 * that cannot fit in what is left is rejected before anything is allocated. */
static inline uint32_t read_count(reader *r, size_t min_item_bytes)
{
    uint32_t n = read_u32(r);
    if (min_item_bytes && (uint64_t)n * min_item_bytes > reader_left(r))
        malformed(r, "unexpected end");
    return n;
}

static inline uint8_t read_valtype(reader *r)
{
    uint8_t t = read_u8(r);
    if (!is_val_type(t))
        malformed(r, "malformed value type 0x%02x", t);
    return t;
}

static inline uint8_t read_reftype(reader *r)
{
    uint8_t t = read_u8(r);
    if (!is_ref_type(t))
        malformed(r, "malformed reference type 0x%02x", t);
    return t;
}

#endif
