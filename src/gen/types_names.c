/* types_names.c: strings, identifier sets, and how C, Rust and WIT spell a
 * name that came from BTF.  BTF names are usually C identifiers, but BTF
 * from other compilers (or a hand-made file) may hold anything, so every
 * function here accepts any string and returns a valid identifier. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "types_internal.h"

/* ---- memory and strings ---- */

/* Out of memory: the generators build many small strings and arrays, so
 * rather than checking each, running out jumps back to gen__catch_oom(),
 * which fails the generation with "out of memory" (-ENOMEM).  This is the
 * generators' one out-of-memory path, and the only non-local exit in the
 * library: the allocation itself is base's, and the jump never leaves
 * the generator that set it up (gen_types(), gen_skeleton()).  The state a
 * generation frees when it fails (model, output, roots) stays consistent
 * across the jump: a failed realloc leaves its block as it was, and a
 * base_buf keeps its contents when an append fails. */
static _Thread_local jmp_buf *oom_jump;

int gen__catch_oom(int (*fn)(void *), void *arg, char *err, size_t errlen)
{
    jmp_buf here;
    jmp_buf *outer = oom_jump;
    int ret;
    oom_jump = &here;
    if (setjmp(here)) {
        snprintf(err, errlen, "out of memory");
        ret = -1;
    } else {
        ret = fn(arg);
    }
    oom_jump = outer;
    return ret;
}

/* The jump; outside gen__catch_oom() nothing calls the gen__x* functions,
 * and returning NULL there is the caller's to check. */
static void *out_of_memory(void)
{
    if (oom_jump)
        longjmp(*oom_jump, 1);
    return NULL;
}

void *gen__xrealloc(void *p, size_t n)
{
    void *q = base_realloc(p, n);
    return q ? q : out_of_memory();
}

char *gen__xstrdup(const char *s)
{
    char *d = base_strdup(s);
    return d ? d : out_of_memory();
}

char *gen__xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = base_vasprintf(fmt, ap);
    va_end(ap);
    return s ? s : out_of_memory();
}

const char *gen__buf_str(struct base_buf *b)
{
    if (b->err)
        return out_of_memory();
    return b->data ? b->data : "";
}

char *gen__buf_take(struct base_buf *b)
{
    char *s = base_buf_take(b, NULL);
    return s ? s : out_of_memory();
}

void gen__comment_text(struct base_buf *b, const char *text)
{
    /* Neither a block comment's end nor a line break may leak out, and the
     * output stays ASCII (Rust and WIT sources must be UTF-8; BTF names
     * are bytes). */
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (p[0] == '*' && p[1] == '/')
            base_buf_puts(b, "* ");
        else if (c < 0x20)
            base_buf_puts(b, " ");
        else if (c >= 0x7f)
            base_buf_puts(b, "?");
        else
            base_buf_printf(b, "%c", c);
    }
}

/* ---- identifier sets: open addressing, FNV-1a ---- */

static size_t name_hash(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static size_t name_slot(char *const *slots, size_t cap, const char *name)
{
    size_t i = name_hash(name) & (cap - 1);
    while (slots[i] && strcmp(slots[i], name))
        i = (i + 1) & (cap - 1);
    return i;
}

bool gen__names_has(const struct gt_nameset *set, const char *name)
{
    return set->cap && set->slots[name_slot(set->slots, set->cap, name)];
}

void gen__names_add(struct gt_nameset *set, const char *name)
{
    if ((set->count + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        char **slots = gen__xrealloc(NULL, cap * sizeof *slots);
        memset(slots, 0, cap * sizeof *slots);
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i])
                slots[name_slot(slots, cap, set->slots[i])] = set->slots[i];
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    size_t i = name_slot(set->slots, set->cap, name);
    if (!set->slots[i]) {
        set->slots[i] = gen__xstrdup(name);
        set->count++;
    }
}

void gen__names_free(struct gt_nameset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

char *gen__names_claim(struct gt_nameset *set, const char *base, const char *sep)
{
    char *name = gen__xstrdup(base);
    for (unsigned n = 2; gen__names_has(set, name); n++) {
        free(name);
        name = gen__xasprintf("%s%s%u", base, sep, n);
    }
    gen__names_add(set, name);
    return name;
}

static bool in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (!strcmp(*list, name))
            return true;
    return false;
}

/* ---- C ---- */

/* Keywords of C11/C23 and the macros of the standard headers a guest is
 * likely to include next to ours: a BTF name among them gets a '_' (the
 * kernel's `enum { false, true }` and `typedef _Bool bool` are the usual
 * cases). */
static const char *const c_reserved[] = {
    "auto",       "break",     "case",           "char",
    "const",      "continue",  "default",        "do",
    "double",     "else",      "enum",           "extern",
    "float",      "for",       "goto",           "if",
    "inline",     "int",       "long",           "register",
    "restrict",   "return",    "short",          "signed",
    "sizeof",     "static",    "struct",         "switch",
    "typedef",    "union",     "unsigned",       "void",
    "volatile",   "while",     "_Alignas",       "_Alignof",
    "_Atomic",    "_Bool",     "_Complex",       "_Generic",
    "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    "alignas",    "alignof",   "bool",           "constexpr",
    "false",      "nullptr",   "static_assert",  "thread_local",
    "true",       "typeof",    "typeof_unqual",  "_BitInt",
    "__int128",   "asm",       "__extension__",  "__attribute__",
    "NULL",       "offsetof",  "assert",         "noreturn",
    "complex",    "imaginary", "errno",          NULL,
};

/* Type names the C library (stdint.h, stddef.h, sys/types.h ...) defines,
 * often with another width on wasm32 than in the kernel (size_t is 4 bytes
 * there): a BTF typedef of that name is not re-declared. */
static const char *const c_library_types[] = {
    "int8_t",      "int16_t",      "int32_t",   "int64_t",     "uint8_t",   "uint16_t",
    "uint32_t",    "uint64_t",     "intptr_t",  "uintptr_t",   "intmax_t",  "uintmax_t",
    "size_t",      "ssize_t",      "ptrdiff_t", "wchar_t",     "wint_t",    "max_align_t",
    "off_t",       "pid_t",        "uid_t",     "gid_t",       "mode_t",    "dev_t",
    "ino_t",       "nlink_t",      "time_t",    "clock_t",     "clockid_t", "timer_t",
    "suseconds_t", "useconds_t",   "socklen_t", "sa_family_t", "blksize_t", "blkcnt_t",
    "fsblkcnt_t",  "fsfilcnt_t",   "id_t",      "key_t",       "locale_t",  "va_list",
    "FILE",        "bool",         "_Bool",     "char16_t",    "char32_t",  "wctype_t",
    "fpos_t",      "sig_atomic_t", NULL,
};

bool gen__c_reserved_typedef(const char *name)
{
    return in_list(c_library_types, name);
}

char *gen__c_ident(const char *name)
{
    struct base_buf b = {0};
    for (const char *p = name; *p; p++)
        base_buf_printf(&b, "%c", isalnum((unsigned char)*p) || *p == '_' ? *p : '_');
    char *s = gen__buf_take(&b);
    if (!*s || isdigit((unsigned char)*s) || in_list(c_reserved, s) ||
        in_list(c_library_types, s)) {
        char *t =
            isdigit((unsigned char)*s) || !*s ? gen__xasprintf("_%s", s) : gen__xasprintf("%s_", s);
        free(s);
        s = t;
    }
    return s;
}

/* ---- Rust ---- */

static const char *const rust_keywords[] = {
    "as",     "break", "const", "continue", "else",     "enum",   "extern", "false",    "fn",
    "for",    "if",    "impl",  "in",       "let",      "loop",   "match",  "mod",      "move",
    "mut",    "pub",   "ref",   "return",   "static",   "struct", "trait",  "true",     "type",
    "unsafe", "use",   "where", "while",    "async",    "await",  "dyn",    "abstract", "become",
    "box",    "do",    "final", "macro",    "override", "priv",   "typeof", "unsized",  "virtual",
    "yield",  "try",   "union", "gen",      NULL,
};

/* Keywords that cannot be raw identifiers. */
static const char *const rust_unraw[] = {"self", "Self", "super", "crate", "_", NULL};

static const char *const rust_primitives[] = {
    "bool", "char", "str", "u8",  "u16",  "u32",   "u64", "u128", "usize",
    "i8",   "i16",  "i32", "i64", "i128", "isize", "f32", "f64",  NULL,
};

bool gen__rust_primitive(const char *name)
{
    return in_list(rust_primitives, name);
}

char *gen__rust_ident(const char *name)
{
    /* Model names are C identifiers already; only keywords need care. */
    if (in_list(rust_unraw, name))
        return gen__xasprintf("%s_", name);
    if (in_list(rust_keywords, name))
        return gen__xasprintf("r#%s", name);
    return gen__xstrdup(name);
}

/* ---- WIT ---- */

/* WIT keywords (component-model WIT.md), plus the retired float32/float64
 * and a few more that a `%` escape makes harmless. */
static const char *const wit_keywords[] = {
    "as",      "async",   "bool",          "borrow",  "char",      "constructor",
    "enum",    "export",  "f32",           "f64",     "flags",     "from",
    "func",    "future",  "import",        "include", "interface", "list",
    "map",     "option",  "own",           "package", "record",    "resource",
    "result",  "s16",     "s32",           "s64",     "s8",        "static",
    "stream",  "string",  "tuple",         "type",    "u16",       "u32",
    "u64",     "u8",      "use",           "variant", "with",      "world",
    "float32", "float64", "error-context", "union",   "self",      "default",
    "await",   NULL,
};

bool gen__wit_keyword(const char *kebab)
{
    return in_list(wit_keywords, kebab);
}

/* A WIT label is kebab-case: words of [a-z0-9] (or all upper case) joined by
 * single '-', the first word starting with a letter.  C's snake_case and
 * camelCase become lower-case words; anything else separates words. */
char *gen__wit_kebab(const char *name)
{
    struct base_buf b = {0};
    bool word_open = false; /* the last character written was part of a word */
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p, prev = p > name ? (unsigned char)p[-1] : 0,
                      next = (unsigned char)p[1];
        if (!isalnum(c)) {
            word_open = false;
            continue;
        }
        /* camelCase and HTTPServer boundaries */
        bool boundary =
            isupper(c) && ((islower(prev) || isdigit(prev)) || (isupper(prev) && islower(next)));
        if (b.len && (!word_open || boundary))
            base_buf_puts(&b, "-");
        if (!b.len && isdigit(c))
            base_buf_puts(&b, "x"); /* the first word must start with a letter */
        base_buf_printf(&b, "%c", tolower(c));
        word_open = true;
    }
    if (!b.len)
        base_buf_puts(&b, "x");
    return gen__buf_take(&b);
}
