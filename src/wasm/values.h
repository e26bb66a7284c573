/* values.h: Wasm's value semantics that C does not give directly (float
 * min/max, quieting rounding, rotations, saturating conversions), shared by
 * the interpreter and the compiled tier's helpers so both compute the same
 * bits.  Nothing outside src/wasm includes it. */
#ifndef WASM_VALUES_H
#define WASM_VALUES_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float f32_of(uint64_t s)
{
    uint32_t u = (uint32_t)s;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline uint64_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline double f64_of(uint64_t s)
{
    double d;
    memcpy(&d, &s, 8);
    return d;
}
static inline uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* min/max: NaN if either is NaN (a + b propagates and quiets it), and
 * -0 < +0, which C's comparisons do not see. */
#define MIN_MAX(min, max, T)           \
    static inline T min(T a, T b)      \
    {                                  \
        if (isnan(a) || isnan(b))      \
            return a + b;              \
        if (a == b)                    \
            return signbit(a) ? a : b; \
        return a < b ? a : b;          \
    }                                  \
    static inline T max(T a, T b)      \
    {                                  \
        if (isnan(a) || isnan(b))      \
            return a + b;              \
        if (a == b)                    \
            return signbit(a) ? b : a; \
        return a > b ? a : b;          \
    }
MIN_MAX(wasm_fminf, wasm_fmaxf, float)
MIN_MAX(wasm_fmin, wasm_fmax, double)

/* Rounding functions of libm return a signalling NaN unchanged; Wasm wants
 * it quieted (an arithmetic NaN). */
#define QUIETING(name, T, fn)            \
    static inline T name(T x)            \
    {                                    \
        return isnan(x) ? x + x : fn(x); \
    }
QUIETING(wasm_ceilf, float, ceilf)
QUIETING(wasm_floorf, float, floorf)
QUIETING(wasm_truncf, float, truncf)
QUIETING(wasm_nearestf, float, nearbyintf)
QUIETING(wasm_ceil, double, ceil)
QUIETING(wasm_floor, double, floor)
QUIETING(wasm_trunc, double, trunc)
QUIETING(wasm_nearest, double, nearbyint)

static inline uint32_t rotl32(uint32_t a, uint32_t b)
{
    return (a << (b & 31)) | (a >> (-b & 31));
}
static inline uint32_t rotr32(uint32_t a, uint32_t b)
{
    return (a >> (b & 31)) | (a << (-b & 31));
}
static inline uint64_t rotl64(uint64_t a, uint64_t b)
{
    return (a << (b & 63)) | (a >> (-b & 63));
}
static inline uint64_t rotr64(uint64_t a, uint64_t b)
{
    return (a >> (b & 63)) | (a << (-b & 63));
}

/* Saturating conversions (non-trapping float-to-int). */
static inline uint64_t sat_i32_s(double d)
{
    if (isnan(d))
        return 0;
    if (d <= -2147483648.0)
        return (uint32_t)INT32_MIN;
    if (d >= 2147483647.0)
        return (uint32_t)INT32_MAX;
    return (uint32_t)(int32_t)d;
}
static inline uint64_t sat_i32_u(double d)
{
    if (isnan(d) || d <= 0)
        return 0;
    if (d >= 4294967295.0)
        return UINT32_MAX;
    return (uint32_t)d;
}
static inline uint64_t sat_i64_s(double d)
{
    if (isnan(d))
        return 0;
    if (d <= -9223372036854775808.0)
        return (uint64_t)INT64_MIN;
    if (d >= 9223372036854775808.0)
        return (uint64_t)INT64_MAX;
    return (uint64_t)(int64_t)d;
}
static inline uint64_t sat_i64_u(double d)
{
    if (isnan(d) || d <= 0)
        return 0;
    if (d >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)d;
}
/* f32 inputs go through these too: every f32 is exactly a double. */

#endif
