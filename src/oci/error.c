/* error.c: the error of the operation running, and its hint.
 *
 * Operations are deep (a pull goes through the store, the registry session,
 * auth, HTTP), so instead of passing an error object down every call, each
 * public operation binds the caller's struct oci_error (oci_options.error)
 * for its thread when it starts; the innermost failure writes one message
 * there, callers on the way up may put context in front of it, and the
 * caller prints it once. */
#include <stdio.h>
#include <string.h>

#include "oci_internal.h"

/* Where errors go when the caller gave no oci_error: written, never read. */
static _Thread_local struct oci_error discarded;
static _Thread_local struct oci_error *bound;

static struct oci_error *error_of_thread(void)
{
    return bound ? bound : &discarded;
}

void oci_error_bind(const struct oci_options *o)
{
    bound = o ? o->error : NULL;
    oci_error_clear();
}

void oci_error_unbind(int *scope)
{
    (void)scope;
    bound = NULL;
}

const struct oci_error *oci_error_current(void)
{
    return error_of_thread();
}

int oci_fail(const char *fmt, ...)
{
    struct oci_error *current = error_of_thread();
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(current->message, sizeof current->message, fmt, ap);
    va_end(ap);
    current->hint[0] = '\0';
    current->action = OCI_HINT_NONE;
    current->hint_arg[0] = '\0';
    return -1;
}

static void set_hint(enum oci_hint action, const char *arg, const char *fmt, va_list ap)
{
    struct oci_error *current = error_of_thread();
    vsnprintf(current->hint, sizeof current->hint, fmt, ap);
    current->action = action;
    snprintf(current->hint_arg, sizeof current->hint_arg, "%s", arg ? arg : "");
}

void oci_set_hint(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_hint(OCI_HINT_NONE, NULL, fmt, ap);
    va_end(ap);
}

void oci_set_hint_action(enum oci_hint action, const char *arg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_hint(action, arg, fmt, ap);
    va_end(ap);
}

void oci_error_context(const char *fmt, ...)
{
    struct oci_error *current = error_of_thread();
    char context[512], old[sizeof current->message];
    char *message = current->message;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(context, sizeof context, fmt, ap);
    va_end(ap);
    memcpy(old, message, sizeof old);
    /* context, ": ", then as much of the old message as fits */
    size_t n = strlen(context);
    memcpy(message, context, n);
    size_t room = sizeof old - n - 1;
    size_t m = strnlen(old, sizeof old);
    if (room >= 2) {
        memcpy(message + n, ": ", 2);
        n += 2;
        room -= 2;
        if (m > room)
            m = room;
        memcpy(message + n, old, m);
        n += m;
    }
    message[n] = '\0';
}

void oci_error_clear(void)
{
    struct oci_error *current = error_of_thread();
    memset(current, 0, sizeof *current);
}

void oci__vprint_line(enum wasm_bpf_print_level level, const char *prefix, const char *fmt,
                      va_list ap)
{
    char text[2048];
    vsnprintf(text, sizeof text, fmt, ap);
    base_print(level, "%s%s\n", prefix, text);
}

void oci_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    oci__vprint_line(WASM_BPF_WARN, "wasm-bpf: warning: ", fmt, ap);
    va_end(ap);
}

int oci_fail_nomem(void)
{
    return oci_fail("out of memory");
}
