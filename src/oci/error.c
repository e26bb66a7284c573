/* error.c: the last error of the OCI client, and its hint.
 *
 * Operations are deep (a pull goes through the store, the registry session,
 * auth, HTTP), so instead of passing an error object down every call the
 * innermost failure writes one message here, callers on the way up may put
 * context in front of it, and the command prints it once. */
#include <stdio.h>
#include <string.h>

#include "oci_internal.h"

static char error_message[2048];
static char error_hint[1024];

static void vformat(char *dst, size_t size, const char *fmt, va_list ap)
{
    vsnprintf(dst, size, fmt, ap);
}

int oci_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(error_message, sizeof error_message, fmt, ap);
    va_end(ap);
    error_hint[0] = '\0';
    return -1;
}

void oci_set_hint(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(error_hint, sizeof error_hint, fmt, ap);
    va_end(ap);
}

void oci_error_context(const char *fmt, ...)
{
    char context[512], old[sizeof error_message];
    va_list ap;
    va_start(ap, fmt);
    vformat(context, sizeof context, fmt, ap);
    va_end(ap);
    memcpy(old, error_message, sizeof old);
    /* context, ": ", then as much of the old message as fits */
    size_t n = strlen(context);
    memcpy(error_message, context, n);
    size_t room = sizeof error_message - n - 1;
    size_t m = strnlen(old, sizeof old);
    if (room >= 2) {
        memcpy(error_message + n, ": ", 2);
        n += 2;
        room -= 2;
        if (m > room)
            m = room;
        memcpy(error_message + n, old, m);
        n += m;
    }
    error_message[n] = '\0';
}

void oci_error_clear(void)
{
    error_message[0] = '\0';
    error_hint[0] = '\0';
}

void oci_warn(const char *fmt, ...)
{
    va_list ap;
    fputs("wasm-bpf: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

const char *oci_error(void)
{
    return error_message;
}

const char *oci_error_hint(void)
{
    return error_hint[0] ? error_hint : NULL;
}

void oci_print_error(const char *what)
{
    const char *msg = error_message[0] ? error_message : "unknown error";
    if (what && *what)
        fprintf(stderr, "wasm-bpf: %s: %s\n", what, msg);
    else
        fprintf(stderr, "wasm-bpf: %s\n", msg);
    if (error_hint[0])
        fprintf(stderr, "hint: %s\n", error_hint);
}
