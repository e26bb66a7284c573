/* decode.c: the binary format, section by section, with module-level
 * validation.  Function bodies are handed to the compiler as soon as their
 * section is reached, so a module is read, validated and compiled in one
 * pass over its bytes. */
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "jit.h"
#include "reader.h"

enum {
    SEC_CUSTOM = 0,
    SEC_TYPE,
    SEC_IMPORT,
    SEC_FUNCTION,
    SEC_TABLE,
    SEC_MEMORY,
    SEC_GLOBAL,
    SEC_EXPORT,
    SEC_START,
    SEC_ELEMENT,
    SEC_CODE,
    SEC_DATA,
    SEC_DATACOUNT,
};

static const char *const section_names[] = {
    "custom", "type",  "import",  "function", "table", "memory",     "global",
    "export", "start", "element", "code",     "data",  "data count",
};

/* Position of each section id in the required order. */
static const int section_rank[] = {
    [SEC_TYPE] = 1,    [SEC_IMPORT] = 2,     [SEC_FUNCTION] = 3, [SEC_TABLE] = 4,
    [SEC_MEMORY] = 5,  [SEC_GLOBAL] = 6,     [SEC_EXPORT] = 7,   [SEC_START] = 8,
    [SEC_ELEMENT] = 9, [SEC_DATACOUNT] = 10, [SEC_CODE] = 11,    [SEC_DATA] = 12,
};

typedef struct decoder {
    reader r;
    wasm_module *m;
    compiler *comp;
    const wasm_runtime *watch; /* stop when it is interrupted (NULL: never) */
    uint32_t nfunc_decls;      /* entries of the function section */
    bool seen_function_section;
    bool seen_code_section;
    bool seen_data_section;
} decoder;

/* Ctrl-C during a long load: checked at coarse points only (a section, a
 * function body, a data segment), each of them linear in its bytes. */
static void check_stop(decoder *d)
{
    if (wasm__runtime_stopping(d->watch)) {
        d->r.error = EINTR;
        if (d->r.err && d->r.errlen)
            snprintf(d->r.err, d->r.errlen, "interrupted while loading (in the %s section)",
                     d->r.section);
        longjmp(*d->r.fail, 1);
    }
}

static void *xcalloc(decoder *d, size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    void *p = calloc(n, size);
    if (!p)
        reader_fail_at(&d->r, ENOMEM, d->r.pos, "out of memory");
    return p;
}

static void *xrealloc(decoder *d, void *p, size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    void *q = reallocarray(p, n, size);
    if (!q)
        reader_fail_at(&d->r, ENOMEM, d->r.pos, "out of memory");
    return q;
}

/* ------------------------------------------------------------------ */
/* Names and types                                                     */
/* ------------------------------------------------------------------ */

static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if ((c & 0xe0) == 0xc0)
            len = 2, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
            len = 3, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
            len = 4, cp = c & 0x07;
        else
            return false;
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static char *read_name(decoder *d, uint32_t *out_len)
{
    reader *r = &d->r;
    uint32_t len = read_count(r, 1);
    *out_len = len;
    const uint8_t *s = r->buf + r->pos;
    if (!utf8_valid(s, len))
        malformed(r, "malformed UTF-8 encoding");
    char *name = xcalloc(d, len + 1, 1);
    memcpy(name, s, len);
    r->pos += len;
    return name;
}

static limits read_limits(reader *r)
{
    uint8_t flags = read_u8(r);
    limits l;
    if (flags > 1)
        malformed(r, "integer too large (limits flags 0x%02x)", flags);
    l.min = read_u32(r);
    l.max = flags ? read_u32(r) : UINT32_MAX;
    l.has_max = flags;
    return l;
}

static void check_table_type(reader *r, const table_type *t)
{
    if (t->lim.has_max && t->lim.min > t->lim.max)
        invalid(r, "size minimum must not be greater than maximum");
}

static limits read_memory_type(reader *r)
{
    limits l = read_limits(r);
    if (l.min > WASM_MAX_PAGES || (l.has_max && l.max > WASM_MAX_PAGES))
        invalid(r, "memory size must be at most 65536 pages (4GiB)");
    if (l.has_max && l.min > l.max)
        invalid(r, "size minimum must not be greater than maximum");
    return l;
}

/* A function's type: an index into the type section read so far */
static uint32_t read_type_index(reader *r, const wasm_module *m)
{
    uint32_t t = read_u32(r);
    if (t >= m->ntypes)
        invalid(r, "unknown type %u", t);
    return t;
}

static table_type read_table_type(reader *r)
{
    table_type t;
    t.elem = read_reftype(r);
    t.lim = read_limits(r);
    check_table_type(r, &t);
    return t;
}

static global_type read_global_type(reader *r)
{
    global_type g;
    g.type = read_valtype(r);
    uint8_t mut = read_u8(r);
    if (mut > 1)
        malformed(r, "malformed mutability");
    g.mut = mut;
    return g;
}

/* ------------------------------------------------------------------ */
/* Constant expressions                                                */
/* ------------------------------------------------------------------ */

static void read_one_const(decoder *d, const_expr *e, uint8_t op, uint32_t nglobals_visible)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    switch (op) {
    case 0x41:
        e->kind = CE_CONST;
        e->type = WASM_I32;
        e->value = (uint32_t)read_s32(r);
        break;
    case 0x42:
        e->kind = CE_CONST;
        e->type = WASM_I64;
        e->value = (uint64_t)read_s64(r);
        break;
    case 0x43:
        e->kind = CE_CONST;
        e->type = WASM_F32;
        e->value = read_fixed32(r);
        break;
    case 0x44:
        e->kind = CE_CONST;
        e->type = WASM_F64;
        e->value = read_fixed64(r);
        break;
    case 0xd0:
        e->kind = CE_REF_NULL;
        e->type = read_reftype(r);
        e->value = 0;
        break;
    case 0xd2: {
        uint32_t f = read_u32(r);
        if (f >= m->nfuncs)
            invalid(r, "unknown function %u", f);
        e->kind = CE_REF_FUNC;
        e->type = WASM_FUNCREF;
        e->value = f;
        m->func_refs[f] = 1;
        break;
    }
    case 0x23: {
        uint32_t g = read_u32(r);
        if (g >= nglobals_visible)
            invalid(r, "unknown global %u", g);
        if (m->globals[g].mut)
            invalid(r, "constant expression required");
        e->kind = CE_GLOBAL_GET;
        e->type = m->globals[g].type;
        e->value = g;
        break;
    }
    default:
        if (!wasm__opcode_exists(op))
            malformed(r, "illegal opcode 0x%02x", op);
        invalid(r, "constant expression required");
    }
}

/* Reads `instr end` and checks the result type.  In Wasm 2.0 constant
 * expressions see only imported globals. */
static const_expr read_const_expr(decoder *d, uint8_t expected, uint32_t nglobals_visible)
{
    reader *r = &d->r;
    const_expr e;
    uint8_t op = read_u8(r);
    if (op == 0x0b)
        invalid(r, "type mismatch: constant expression is empty");
    read_one_const(d, &e, op, nglobals_visible);
    uint8_t next = read_u8(r);
    if (next != 0x0b) {
        /* a second value (or any other instruction) cannot be valid */
        const_expr extra;
        if (next == 0x41 || next == 0x42 || next == 0x43 || next == 0x44 || next == 0xd0 ||
            next == 0xd2 || next == 0x23) {
            read_one_const(d, &extra, next, nglobals_visible);
            invalid(r, "type mismatch: constant expression leaves two values");
        }
        if (!wasm__opcode_exists(next))
            malformed(r, "illegal opcode 0x%02x", next);
        invalid(r, "constant expression required");
    }
    if (e.type != expected)
        invalid(r, "type mismatch: constant expression has type %s, expected %s",
                wasm__valtype_name(e.type), wasm__valtype_name(expected));
    return e;
}

/* ------------------------------------------------------------------ */
/* Sections                                                            */
/* ------------------------------------------------------------------ */

static void read_type_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 3);
    if (n > LIMIT_TYPES)
        over_limit(r, "too many function types (%u, the limit is %u)", n, LIMIT_TYPES);
    m->types = xcalloc(d, n, sizeof *m->types);
    if (!wasm__functype_reserve(n))
        reader_fail_at(r, ENOMEM, r->pos, "out of memory");
    uint8_t types[2 * LIMIT_PARAMS];
    for (uint32_t i = 0; i < n; i++) {
        uint8_t form = read_u8(r);
        if (form != 0x60)
            malformed(r, "malformed function type form 0x%02x (integer representation too long?)",
                      form);
        uint32_t np = read_count(r, 1);
        if (np > LIMIT_PARAMS)
            over_limit(r, "too many parameters (%u)", np);
        for (uint32_t k = 0; k < np; k++)
            types[k] = read_valtype(r);
        uint32_t nr = read_count(r, 1);
        if (nr > LIMIT_PARAMS)
            over_limit(r, "too many results (%u)", nr);
        for (uint32_t k = 0; k < nr; k++)
            types[np + k] = read_valtype(r);
        /* the module's types share the interned bytes: one copy per distinct type */
        func_type *t = &m->types[i];
        t->id = wasm__functype_intern(types, np, types + np, nr, &t->types);
        if (t->id == UINT32_MAX)
            reader_fail_at(r, ENOMEM, r->pos, "out of memory");
        t->nparams = np;
        t->nresults = nr;
        m->ntypes = i + 1;
    }
}

static void read_import_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 4);
    m->imports = xcalloc(d, n, sizeof *m->imports);
    /* the index spaces grow as imports are read; allocate for the worst case */
    m->func_type_index = xcalloc(d, n, sizeof *m->func_type_index);
    m->tables = xcalloc(d, n, sizeof *m->tables);
    m->memories = xcalloc(d, n, sizeof *m->memories);
    m->globals = xcalloc(d, n, sizeof *m->globals);
    for (uint32_t i = 0; i < n; i++) {
        import_def *im = &m->imports[i];
        im->module = read_name(d, &im->module_len);
        m->nimports = i + 1;
        im->name = read_name(d, &im->name_len);
        uint8_t kind = read_u8(r);
        im->kind = kind;
        switch (kind) {
        case WASM_EXTERN_FUNC: {
            uint32_t t = read_type_index(r, m);
            im->u.type_index = t;
            im->index = m->nfuncs;
            m->func_type_index[m->nfuncs++] = t;
            m->nfunc_imports++;
            break;
        }
        case WASM_EXTERN_TABLE:
            im->u.table = read_table_type(r);
            im->index = m->ntables;
            m->tables[m->ntables++] = im->u.table;
            m->ntable_imports++;
            break;
        case WASM_EXTERN_MEMORY:
            im->u.memory = read_memory_type(r);
            im->index = m->nmemories;
            m->memories[m->nmemories++] = im->u.memory;
            m->nmemory_imports++;
            break;
        case WASM_EXTERN_GLOBAL:
            im->u.global = read_global_type(r);
            im->index = m->nglobals;
            m->globals[m->nglobals++] = im->u.global;
            m->nglobal_imports++;
            break;
        default: malformed(r, "malformed import kind %u", kind);
        }
    }
    if (m->nmemories > 1)
        invalid(r, "multiple memories");
}

static void read_function_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 1);
    m->func_type_index = xrealloc(d, m->func_type_index, (size_t)m->nfuncs + n, sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        m->func_type_index[m->nfuncs + i] = read_type_index(r, m);
    m->nfuncs += n;
    d->nfunc_decls = n;
    d->seen_function_section = true;
}

static void read_table_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 3);
    m->tables = xrealloc(d, m->tables, (size_t)m->ntables + n, sizeof *m->tables);
    for (uint32_t i = 0; i < n; i++)
        m->tables[m->ntables++] = read_table_type(r);
}

static void read_memory_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 2);
    m->memories = xrealloc(d, m->memories, (size_t)m->nmemories + n, sizeof *m->memories);
    for (uint32_t i = 0; i < n; i++)
        m->memories[m->nmemories++] = read_memory_type(r);
    if (m->nmemories > 1)
        invalid(r, "multiple memories");
}

static void read_global_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 3);
    m->globals = xrealloc(d, m->globals, (size_t)m->nglobals + n, sizeof *m->globals);
    m->global_inits = xcalloc(d, n, sizeof *m->global_inits);
    for (uint32_t i = 0; i < n; i++) {
        global_type g = read_global_type(r);
        m->global_inits[i] = read_const_expr(d, g.type, m->nglobal_imports);
        m->globals[m->nglobals++] = g;
    }
}

static int export_name_cmp(const void *a, const void *b)
{
    const export_def *x = *(export_def *const *)a, *y = *(export_def *const *)b;
    uint32_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static void read_export_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 3);
    m->exports = xcalloc(d, n, sizeof *m->exports);
    for (uint32_t i = 0; i < n; i++) {
        export_def *e = &m->exports[i];
        e->name = read_name(d, &e->name_len);
        m->nexports = i + 1;
        e->kind = read_u8(r);
        e->index = read_u32(r);
        uint32_t limit;
        switch (e->kind) {
        case WASM_EXTERN_FUNC: limit = m->nfuncs; break;
        case WASM_EXTERN_TABLE: limit = m->ntables; break;
        case WASM_EXTERN_MEMORY: limit = m->nmemories; break;
        case WASM_EXTERN_GLOBAL: limit = m->nglobals; break;
        default: malformed(r, "malformed export kind %u", e->kind);
        }
        if (e->index >= limit)
            invalid(r, "unknown %s %u",
                    (const char *[]){"function", "table", "memory", "global"}[e->kind], e->index);
        if (e->kind == WASM_EXTERN_FUNC)
            m->func_refs[e->index] = 1;
    }
    /* names must be unique */
    export_def **sorted = xcalloc(d, n, sizeof *sorted);
    for (uint32_t i = 0; i < n; i++)
        sorted[i] = &m->exports[i];
    qsort(sorted, n, sizeof *sorted, export_name_cmp);
    for (uint32_t i = 1; i < n; i++) {
        if (!export_name_cmp(&sorted[i - 1], &sorted[i])) {
            char name[64];
            snprintf(name, sizeof name, "%s", sorted[i]->name);
            free(sorted);
            invalid(r, "duplicate export name \"%s\"", name);
        }
    }
    free(sorted);
}

static void read_start_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t f = read_u32(r);
    if (f >= m->nfuncs)
        invalid(r, "unknown function %u", f);
    const func_type *t = &m->types[m->func_type_index[f]];
    if (t->nparams || t->nresults)
        invalid(r, "start function must have type [] -> []");
    m->start = f;
}

static void read_element_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 2);
    m->elems = xcalloc(d, n, sizeof *m->elems);
    for (uint32_t i = 0; i < n; i++) {
        elem_segment *s = &m->elems[i];
        m->nelems = i + 1;
        uint32_t flags = read_u32(r);
        if (flags > 7)
            malformed(r, "malformed elements segment kind %u", flags);
        bool passive_or_decl = flags & 1;
        bool explicit_table = flags & 2;
        bool exprs = flags & 4;
        s->mode = !passive_or_decl ? SEG_ACTIVE : explicit_table ? SEG_DECLARATIVE : SEG_PASSIVE;
        s->table = 0;
        if (s->mode == SEG_ACTIVE) {
            if (explicit_table)
                s->table = read_u32(r);
            if (s->table >= m->ntables)
                invalid(r, "unknown table %u", s->table);
            s->offset = read_const_expr(d, WASM_I32, m->nglobal_imports);
        }
        s->elem_type = WASM_FUNCREF;
        if (passive_or_decl || explicit_table) {
            if (exprs) {
                s->elem_type = read_reftype(r);
            } else {
                uint8_t kind = read_u8(r);
                if (kind != 0)
                    malformed(r, "malformed element kind %u", kind);
            }
        }
        uint32_t count = read_count(r, 1);
        s->items = xcalloc(d, count, sizeof *s->items);
        for (uint32_t k = 0; k < count; k++) {
            if (exprs) {
                s->items[k] = read_const_expr(d, s->elem_type, m->nglobal_imports);
            } else {
                uint32_t f = read_u32(r);
                if (f >= m->nfuncs)
                    invalid(r, "unknown function %u", f);
                s->items[k] = (const_expr){CE_REF_FUNC, WASM_FUNCREF, f};
                m->func_refs[f] = 1;
            }
            s->count = k + 1;
        }
        if (s->mode == SEG_ACTIVE && m->tables[s->table].elem != s->elem_type)
            invalid(r, "type mismatch: element segment of %s for a table of %s",
                    wasm__valtype_name(s->elem_type), wasm__valtype_name(m->tables[s->table].elem));
    }
}

static void read_datacount_section(decoder *d)
{
    d->m->data_count = read_u32(&d->r);
    d->m->has_data_count = true;
}

static void read_code_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 2);
    if (n != d->nfunc_decls)
        malformed(r, "function and code section have inconsistent lengths");
    m->codes = xcalloc(d, n, sizeof *m->codes);
    for (uint32_t i = 0; i < n; i++) {
        check_stop(d);
        uint32_t size = read_u32(r);
        if (size > reader_left(r))
            malformed(r, "unexpected end of section or function");
        size_t start = r->pos, end = r->pos + size;
        func_code *fc = &m->codes[i];
        fc->module = m;
        fc->func_index = m->nfunc_imports + i;
        fc->type = &m->types[m->func_type_index[fc->func_index]];
        fc->body_offset = (uint32_t)start;
        fc->body_size = size;
        compile_error ce = {r->err, r->errlen, 0};
        if (!wasm__compiler_run(d->comp, fc, r->buf, start, end, &ce)) {
            r->error = ce.error;
            longjmp(*r->fail, 1);
        }
        r->pos = end;
    }
    d->seen_code_section = true;
}

static void read_data_section(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = read_count(r, 2);
    if (m->has_data_count && n != m->data_count)
        malformed(r, "data count and data section have inconsistent lengths");
    m->datas = xcalloc(d, n, sizeof *m->datas);
    for (uint32_t i = 0; i < n; i++) {
        data_segment *s = &m->datas[i];
        m->ndatas = i + 1;
        uint32_t flags = read_u32(r);
        if (flags > 2)
            malformed(r, "malformed data segment kind %u", flags);
        s->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
        if (s->mode == SEG_ACTIVE) {
            s->memory = flags == 2 ? read_u32(r) : 0;
            if (s->memory >= m->nmemories)
                invalid(r, "unknown memory %u", s->memory);
            s->offset = read_const_expr(d, WASM_I32, m->nglobal_imports);
        }
        check_stop(d);
        uint32_t size = read_count(r, 1);
        s->bytes = xcalloc(d, size, 1);
        memcpy(s->bytes, r->buf + r->pos, size);
        s->size = size;
        r->pos += size;
    }
}

/* The name section is advisory: a broken one is ignored, never an error. */
static void read_name_section(wasm_module *m, const uint8_t *p, size_t size)
{
    reader r = {.buf = p, .pos = 0, .end = size, .section = "name"};
    jmp_buf jb;
    r.fail = &jb;
    if (setjmp(jb))
        return;
    while (r.pos < r.end) {
        uint8_t id = read_u8(&r);
        uint32_t len = read_u32(&r);
        if (len > reader_left(&r))
            return;
        size_t sub_end = r.pos + len;
        if (id == 1 && m->nfuncs) {
            reader s = r;
            s.end = sub_end;
            uint32_t n = read_u32(&s);
            if (!m->func_names && !(m->func_names = calloc(m->nfuncs, sizeof(char *))))
                return;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t idx = read_u32(&s);
                uint32_t nlen = read_u32(&s);
                if (nlen > reader_left(&s))
                    return;
                if (idx < m->nfuncs && !m->func_names[idx]) {
                    char *name = malloc(nlen + 1);
                    if (!name)
                        return;
                    memcpy(name, s.buf + s.pos, nlen);
                    name[nlen] = 0;
                    m->func_names[idx] = name;
                }
                s.pos += nlen;
            }
        }
        r.pos = sub_end;
    }
}

static void read_custom_section(decoder *d, size_t end)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    uint32_t name_len;
    char *name = read_name(d, &name_len);
    if (r->pos > end) {
        free(name);
        malformed(r, "unexpected end");
    }
    (void)name_len;
    custom_section *cs = xrealloc(d, m->customs, m->ncustoms + 1, sizeof *cs);
    m->customs = cs;
    cs = &m->customs[m->ncustoms++];
    cs->name = name;
    cs->size = end - r->pos;
    cs->data = xcalloc(d, cs->size, 1);
    memcpy(cs->data, r->buf + r->pos, cs->size);
    r->pos = end;
    if (!strcmp(name, "name"))
        read_name_section(m, cs->data, cs->size);
}

/* ------------------------------------------------------------------ */
/* Module                                                              */
/* ------------------------------------------------------------------ */

static void decode(decoder *d)
{
    reader *r = &d->r;
    wasm_module *m = d->m;
    r->section = "header";
    if (reader_left(r) < 4 || memcmp(r->buf, "\0asm", 4))
        malformed(r, "magic header not detected");
    r->pos = 4;
    if (reader_left(r) < 4)
        malformed(r, "unexpected end");
    if (memcmp(r->buf + 4, "\1\0\0\0", 4))
        malformed(r, "unknown binary version");
    r->pos = 8;

    /* The structure of the whole module is checked before its contents, so
     * a misplaced section is reported as malformed even when an earlier
     * section would fail validation. */
    size_t module_end = r->end;
    int last_rank = 0;
    for (r->pos = 8; r->pos < module_end;) {
        r->section = "module";
        uint8_t id = read_u8(r);
        if (id > SEC_DATACOUNT)
            malformed(r, "malformed section id %u", id);
        uint32_t size = read_u32(r);
        if (size > reader_left(r))
            malformed(r, "unexpected end (section size %u past the end of the module)", size);
        if (id != SEC_CUSTOM) {
            if (section_rank[id] <= last_rank) {
                r->section = section_names[id];
                malformed(
                    r, "unexpected content after last section (section out of order or repeated)");
            }
            last_rank = section_rank[id];
        }
        r->pos += size;
    }
    r->pos = 8;
    last_rank = 0;
    while (r->pos < module_end) {
        r->section = "module";
        r->end = module_end;
        uint8_t id = read_u8(r);
        if (id > SEC_DATACOUNT)
            malformed(r, "malformed section id %u", id);
        r->section = section_names[id];
        check_stop(d);
        uint32_t size = read_u32(r);
        if (size > reader_left(r))
            malformed(r, "unexpected end (section size %u past the end of the module)", size);
        size_t end = r->pos + size;
        r->end = end;
        if (id != SEC_CUSTOM) {
            if (section_rank[id] <= last_rank)
                malformed(
                    r, "unexpected content after last section (section out of order or repeated)");
            last_rank = section_rank[id];
        }
        /* func_refs needs the function count; it is known once the
         * function section (or the imports) have been read. */
        if (id >= SEC_TABLE && id != SEC_CUSTOM && !m->func_refs)
            m->func_refs = xcalloc(d, m->nfuncs, 1);
        switch (id) {
        case SEC_CUSTOM: read_custom_section(d, end); break;
        case SEC_TYPE: read_type_section(d); break;
        case SEC_IMPORT: read_import_section(d); break;
        case SEC_FUNCTION: read_function_section(d); break;
        case SEC_TABLE: read_table_section(d); break;
        case SEC_MEMORY: read_memory_section(d); break;
        case SEC_GLOBAL: read_global_section(d); break;
        case SEC_EXPORT: read_export_section(d); break;
        case SEC_START: read_start_section(d); break;
        case SEC_ELEMENT: read_element_section(d); break;
        case SEC_DATACOUNT: read_datacount_section(d); break;
        case SEC_CODE: read_code_section(d); break;
        case SEC_DATA:
            read_data_section(d);
            d->seen_data_section = true;
            break;
        }
        if (r->pos != end)
            malformed(r, "section size mismatch");
    }
    r->end = module_end;
    r->section = "module";
    if (d->nfunc_decls && !d->seen_code_section)
        malformed(r, "function and code section have inconsistent lengths");
    if (m->uses_data_without_count) {
        if (d->seen_data_section)
            malformed(r, "data count section required");
        invalid(r, "unknown data segment");
    }
    if (m->has_data_count && m->data_count && !m->datas)
        malformed(r, "data count and data section have inconsistent lengths");
    if (!m->func_refs)
        m->func_refs = xcalloc(d, m->nfuncs, 1);
}

static wasm_module *load_fail(int error, char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    errno = error;
    return NULL;
}

static wasm_module *load(const uint8_t *bytes, size_t len, const wasm_runtime *watch, char *err,
                         size_t errlen)
{
    wasm__interp_init();
    if (err && errlen)
        err[0] = 0;
    if (!bytes && len)
        return load_fail(EINVAL, err, errlen, "no bytes");
    wasm_module *m = calloc(1, sizeof *m);
    if (!m)
        return load_fail(ENOMEM, err, errlen, "out of memory");
    m->start = -1;
    decoder d = {.m = m, .watch = watch};
    jmp_buf jb;
    d.r = (reader){.buf = bytes, .pos = 0, .end = len, .err = err, .errlen = errlen, .fail = &jb};
    d.comp = wasm__compiler_new(m, len);
    if (!d.comp) {
        free(m);
        return load_fail(ENOMEM, err, errlen, "out of memory");
    }
    if (setjmp(jb)) {
        int error = d.r.error;
        wasm__compiler_free(d.comp);
        wasm__module_free_contents(m);
        free(m);
        errno = error;
        return NULL;
    }
    decode(&d);
    if (!wasm__compiler_finish(d.comp)) {
        d.r.error = ENOMEM;
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        longjmp(jb, 1);
    }
    wasm__compiler_free(d.comp);
    return m;
}

wasm_module *wasm_module_load(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    return load(bytes, len, NULL, err, errlen);
}

wasm_module *wasm_module_load_interruptible(const uint8_t *bytes, size_t len,
                                            const wasm_runtime *watch, char *err, size_t errlen)
{
    return load(bytes, len, watch, err, errlen);
}

void wasm__module_free_contents(wasm_module *m)
{
    wasm__jit_free(m);
    for (uint32_t i = 0; i < m->ntypes; i++)
        wasm__functype_release(m->types[i].id);
    free(m->types);
    for (uint32_t i = 0; i < m->nimports; i++) {
        free(m->imports[i].module);
        free(m->imports[i].name);
    }
    free(m->imports);
    free(m->func_type_index);
    free(m->codes);
    free(m->tables);
    free(m->memories);
    free(m->globals);
    free(m->global_inits);
    for (uint32_t i = 0; i < m->nexports; i++)
        free(m->exports[i].name);
    free(m->exports);
    for (uint32_t i = 0; i < m->nelems; i++)
        free(m->elems[i].items);
    free(m->elems);
    for (uint32_t i = 0; i < m->ndatas; i++)
        free(m->datas[i].bytes);
    free(m->datas);
    free(m->func_refs);
    for (uint32_t i = 0; i < m->ncustoms; i++) {
        free(m->customs[i].name);
        free(m->customs[i].data);
    }
    free(m->customs);
    if (m->func_names)
        for (uint32_t i = 0; i < m->nfuncs; i++)
            free(m->func_names[i]);
    free(m->func_names);
    free(m->code);
}

void wasm_module_free(wasm_module *m)
{
    if (!m)
        return;
    wasm__module_free_contents(m);
    free(m);
}

const uint8_t *wasm_module_custom_section(const wasm_module *m, const char *name, size_t *len)
{
    for (uint32_t i = 0; i < m->ncustoms; i++) {
        if (!strcmp(m->customs[i].name, name)) {
            if (len)
                *len = m->customs[i].size;
            return m->customs[i].data;
        }
    }
    return NULL;
}

uint32_t wasm_module_import_count(const wasm_module *m)
{
    return m->nimports;
}

void wasm_module_import(const wasm_module *m, uint32_t i, const char **module, const char **name,
                        wasm_extern_kind *kind)
{
    const import_def *im = &m->imports[i];
    if (module)
        *module = im->module;
    if (name)
        *name = im->name;
    if (kind)
        *kind = (wasm_extern_kind)im->kind;
}

uint32_t wasm_module_export_count(const wasm_module *m)
{
    return m->nexports;
}

void wasm_module_export(const wasm_module *m, uint32_t i, const char **name, wasm_extern_kind *kind)
{
    if (name)
        *name = m->exports[i].name;
    if (kind)
        *kind = (wasm_extern_kind)m->exports[i].kind;
}
