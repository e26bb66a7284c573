/* types.c: `gen types` entry point: open the BTF (of a BPF object, or a raw
 * BTF file such as /sys/kernel/btf/vmlinux), choose the root types, build
 * the layout model and hand it to the emitter of the requested language. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "gen_internal.h"
#include "types_internal.h"
#include "wasm_bpf_base.h"

int gen_types_lang_from_name(const char *name)
{
    if (!strcmp(name, "c"))
        return GEN_TYPES_C;
    if (!strcmp(name, "rust") || !strcmp(name, "rs"))
        return GEN_TYPES_RUST;
    if (!strcmp(name, "wit"))
        return GEN_TYPES_WIT;
    return -1;
}

enum file_kind { FILE_ELF, FILE_RAW_BTF };

/* Identifies the file by its first bytes; big-endian input is refused here
 * already, with the reason. */
static void set_hint(const struct gen_types_opts *opts, enum gen_hint hint)
{
    if (opts->hint)
        *opts->hint = hint;
}

static int sniff(const char *path, enum file_kind *kind, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    unsigned char h[8] = {0};
    ssize_t n = read(fd, h, sizeof h);
    int saved = errno;
    close(fd);
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(saved));
        return -1;
    }
    if (n >= 6 && !memcmp(h, "\177ELF", 4)) {
        if (h[5] == 2) { /* EI_DATA = ELFDATA2MSB */
            snprintf(err, errlen,
                     "%s: a big-endian object (compiled with -target bpfeb?): Wasm "
                     "guests are little-endian, compile with -target bpf or bpfel",
                     path);
            return -1;
        }
        *kind = FILE_ELF;
        return 0;
    }
    if (n >= 2 && ((h[0] == 0x9f && h[1] == 0xeb) || (h[0] == 0xeb && h[1] == 0x9f))) {
        *kind = FILE_RAW_BTF;
        return 0;
    }
    snprintf(err, errlen, "%s: neither an ELF object nor a raw BTF file", path);
    return -1;
}

/* A module's BTF in /sys/kernel/btf is split BTF on top of vmlinux. */
static const char *default_base(const char *path)
{
    static const char dir[] = "/sys/kernel/btf/";
    if (!strncmp(path, dir, sizeof dir - 1) && strcmp(path + sizeof dir - 1, "vmlinux"))
        return "/sys/kernel/btf/vmlinux";
    return NULL;
}

/* ---- default roots: what the object's globals and maps use ---- */

struct roots {
    int *ids;
    int n;
    unsigned char *seen;    /* by BTF id: already a root */
    unsigned char *visited; /* by BTF id: already walked by collect() */
};

static void add_root(struct roots *rs, int id)
{
    if (rs->seen[id])
        return;
    rs->seen[id] = 1;
    rs->ids = gen__xrealloc(rs->ids, ((size_t)rs->n + 1) * sizeof *rs->ids);
    rs->ids[rs->n++] = id;
}

/* Collects the named types that type `id` (a global's type, or a map's key
 * or value) uses: through pointers, arrays and qualifiers; a typedef and
 * what it names; the by-value members of anonymous structs (so `struct {
 * struct ev e; } state;` finds struct ev).  A named struct brings its own
 * members along later, in the model. */
static void collect(const struct btf *btf, struct roots *rs, int id, bool follow_ptr, int depth)
{
    for (; depth < GT_MAX_DEPTH; depth++) {
        const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (uint32_t)id) : NULL;
        if (!t || rs->visited[id])
            return;
        if (btf_is_mod(t)) { /* const, volatile ...: no type of its own */
            id = (int)t->type;
            continue;
        }
        const char *name = btf__name_by_offset(btf, t->name_off);
        bool named = name && *name;
        switch (btf_kind(t)) {
        case BTF_KIND_PTR:
            if (!follow_ptr)
                return;
            id = (int)t->type;
            continue;
        case BTF_KIND_ARRAY: id = (int)btf_array(t)->type; continue;
        case BTF_KIND_TYPEDEF:
            rs->visited[id] = 1;
            add_root(rs, id);
            id = (int)t->type;
            continue;
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
            if (named)
                add_root(rs, id);
            return;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
            rs->visited[id] = 1;
            if (named) {
                add_root(rs, id);
                return;
            }
            for (int i = 0; i < btf_vlen(t); i++)
                collect(btf, rs, (int)btf_members(t)[i].type, false, depth + 1);
            return;
        default: return;
        }
    }
}

static int cmp_id(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int default_roots(const struct btf *btf, struct roots *rs)
{
    int n = (int)btf__type_cnt(btf);
    for (int id = 1; id < n; id++) {
        const struct btf_type *t = btf__type_by_id(btf, (uint32_t)id);
        if (!btf_is_datasec(t))
            continue;
        const char *sec = btf__name_by_offset(btf, t->name_off);
        if (sec && !strcmp(sec, ".ksyms"))
            continue; /* kernel variables: the kernel's types, not the program's */
        bool maps = sec && !strcmp(sec, ".maps");
        for (int i = 0; i < btf_vlen(t); i++) {
            const struct btf_type *var = btf__type_by_id(btf, btf_var_secinfos(t)[i].type);
            if (!var || !btf_is_var(var))
                continue;
            if (!maps) {
                collect(btf, rs, (int)var->type, true, 0);
                continue;
            }
            /* A BTF map definition: __type(key, K) and __type(value, V)
             * are pointer members named key and value. */
            const struct btf_type *def = btf__type_by_id(btf, var->type);
            while (def && (btf_is_const(def) || btf_is_volatile(def) || btf_is_typedef(def)))
                def = btf__type_by_id(btf, def->type);
            if (!def || !btf_is_struct(def))
                continue;
            for (int j = 0; j < btf_vlen(def); j++) {
                const char *mname = btf__name_by_offset(btf, btf_members(def)[j].name_off);
                if (mname && (!strcmp(mname, "key") || !strcmp(mname, "value")))
                    collect(btf, rs, (int)btf_members(def)[j].type, true, 0);
            }
        }
    }
    if (rs->n)
        qsort(rs->ids, (size_t)rs->n, sizeof *rs->ids, cmp_id);
    return 0;
}

/* ---- the types named by the caller ---- */

static int named_roots(const struct btf *btf, const struct gen_types_opts *opts, struct roots *rs,
                       char *err, size_t errlen)
{
    int n = (int)btf__type_cnt(btf);
    for (size_t k = 0; k < opts->ntypes; k++) {
        const char *want = opts->types[k];
        int want_kind = -1; /* -1: any of struct, union, enum, typedef */
        static const struct {
            const char *prefix;
            int kind;
        } prefixes[] = {
            {"struct ", BTF_KIND_STRUCT},
            {"union ", BTF_KIND_UNION},
            {"enum ", BTF_KIND_ENUM},
            {"typedef ", BTF_KIND_TYPEDEF},
        };
        for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
            size_t len = strlen(prefixes[p].prefix);
            if (!strncmp(want, prefixes[p].prefix, len)) {
                want_kind = prefixes[p].kind;
                want += len;
                while (*want == ' ')
                    want++;
                break;
            }
        }
        if (!*want) {
            snprintf(err, errlen, "type '%s': no type name", opts->types[k]);
            return -1;
        }
        int found = 0, tags = 0, fwd = 0;
        for (int id = 1; id < n; id++) {
            const struct btf_type *t = btf__type_by_id(btf, (uint32_t)id);
            const char *name = btf__name_by_offset(btf, t->name_off);
            if (!name || strcmp(name, want))
                continue;
            int kind = btf_kind(t) == BTF_KIND_ENUM64 ? BTF_KIND_ENUM : btf_kind(t);
            if (kind == BTF_KIND_FWD) {
                fwd++;
                continue;
            }
            if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION && kind != BTF_KIND_ENUM &&
                kind != BTF_KIND_TYPEDEF)
                continue;
            if (want_kind >= 0 && kind != want_kind)
                continue;
            if (kind != BTF_KIND_TYPEDEF)
                tags++;
            found++;
            if (!rs->seen[id])
                add_root(rs, id);
        }
        if (!found) {
            if (fwd)
                snprintf(err, errlen,
                         "%s: '%s' is only declared (a forward declaration): its "
                         "layout is not in this BTF",
                         opts->path, opts->types[k]);
            else
                snprintf(err, errlen, "%s: no %s named '%s'", opts->path,
                         want_kind == BTF_KIND_STRUCT    ? "struct"
                         : want_kind == BTF_KIND_UNION   ? "union"
                         : want_kind == BTF_KIND_ENUM    ? "enum"
                         : want_kind == BTF_KIND_TYPEDEF ? "typedef"
                                                         : "struct, union, enum or typedef",
                         want);
            return -1;
        }
        if (tags > 1)
            base_print(WASM_BPF_WARN,
                       "wasm-bpf: warning: %s: %d different types are named '%s'; "
                       "all are generated, the later ones renamed\n",
                       opts->path, tags, want);
    }
    return 0;
}

/* ---- naming the output ---- */

static char *output_name(const struct gen_types_opts *opts)
{
    if (opts->name && *opts->name)
        return gen__xstrdup(opts->name);
    const char *base = strrchr(opts->path, '/');
    base = base ? base + 1 : opts->path;
    char *s = gen__xstrdup(*base ? base : "types");
    size_t len = strlen(s);
    static const char *const suffixes[] = {".o", ".bpf", ".btf", NULL};
    for (const char *const *suf = suffixes; *suf; suf++) {
        size_t sl = strlen(*suf);
        if (len > sl && !strcmp(s + len - sl, *suf)) {
            len -= sl;
            s[len] = 0;
        }
    }
    return s;
}

/* One emit(): what it allocates lives here, so that emit() frees it
 * however emit_job() ends (out of memory included, see gen__catch_oom()). */
struct emit_job {
    struct gt_model m;
    const int *ids;
    int nids;
    enum gen_types_lang lang;
    const char *where;
    FILE *out;
    char *text;
    size_t text_len;
    FILE *mem;
};

static int emit_job(void *arg)
{
    struct emit_job *j = arg;
    char *err = j->m.err;
    size_t errlen = j->m.errlen;
    if (gen__model_build(&j->m, j->ids, j->nids)) {
        char *msg = gen__xstrdup(err);
        snprintf(err, errlen, "%s: %s", j->where, msg);
        free(msg);
        return -1;
    }
    /* Emit into memory: on error, nothing half-written reaches `out`. */
    j->mem = open_memstream(&j->text, &j->text_len);
    if (!j->mem) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int emitted = j->lang == GEN_TYPES_RUST  ? gen__emit_rust(&j->m, j->mem)
                  : j->lang == GEN_TYPES_WIT ? gen__emit_wit(&j->m, j->mem)
                                             : gen__emit_c(&j->m, j->mem);
    int closed = fclose(j->mem);
    j->mem = NULL;
    if (closed) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (emitted)
        return -1;
    if (fwrite(j->text, 1, j->text_len, j->out) != j->text_len || fflush(j->out)) {
        snprintf(err, errlen, "writing the output: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Builds the model and writes it out; `where` prefixes model errors. */
static int emit(const struct btf *btf, const int *ids, int nids, enum gen_types_lang lang,
                const char *source, const char *name, const char *where, bool printers, FILE *out,
                char *err, size_t errlen)
{
    struct emit_job j = {
        .m = {.btf = btf,
              .err = err,
              .errlen = errlen,
              .source = source,
              .name = name,
              .print_roots = printers ? ids : NULL,
              .nprint_roots = printers ? nids : 0},
        .ids = ids,
        .nids = nids,
        .lang = lang,
        .where = where,
        .out = out,
    };
    int ret = gen__catch_oom(emit_job, &j, err, errlen);
    if (j.mem)
        fclose(j.mem);
    free(j.text);
    gen__model_free(&j.m);
    return ret;
}

int gen__types_btf(const struct btf *btf, const int *ids, size_t nids, enum gen_types_lang lang,
                   bool printers, const char *source, const char *name, FILE *out, char *err,
                   size_t errlen)
{
    if (errlen)
        err[0] = 0;
    if (btf__endianness(btf) != BTF_LITTLE_ENDIAN) {
        snprintf(err, errlen, "%s: big-endian BTF: Wasm guests are little-endian", source);
        return -1;
    }
    if (nids > INT32_MAX) {
        snprintf(err, errlen, "%s: too many types", source);
        return -1;
    }
    if (gen_btf_check_chains(btf, source, err, errlen))
        return -1;
    return emit(btf, ids, (int)nids, lang, source, name, source, printers, out, err, errlen);
}

int gen_types_btf(const struct btf *btf, const int *ids, size_t nids, enum gen_types_lang lang,
                  const char *source, const char *name, FILE *out, char *err, size_t errlen)
{
    /* the skeleton's global-data types: no printers (they are not events) */
    return gen__types_btf(btf, ids, nids, lang, false, source, name, out, err, errlen);
}

/* libbpf would print its own view of a failure; ours, with the file
 * named, is in err */
static void drop_libbpf_message(void *ctx, int level, const char *fmt, va_list ap)
{
}

/* gen_types() after the BTF is open: what it allocates, for it to free. */
struct roots_job {
    const struct btf *btf;
    const struct gen_types_opts *opts;
    enum file_kind kind;
    FILE *out;
    char *err;
    size_t errlen;
    struct roots rs;
    char *name;
};
static int roots_job(void *arg);

int gen_types(const struct gen_types_opts *opts, FILE *out, char *err, size_t errlen)
{
    if (errlen)
        err[0] = 0;
    set_hint(opts, GEN_HINT_NONE);
    enum file_kind kind;
    if (sniff(opts->path, &kind, err, errlen))
        return -1;

    struct base_libbpf_capture old_print = base_libbpf_capture(drop_libbpf_message, NULL);
    struct btf *base = NULL, *btf = NULL;
    const char *base_path = opts->base_btf_path ? opts->base_btf_path : default_base(opts->path);
    if (kind == FILE_RAW_BTF && base_path) {
        base = btf__parse(base_path, NULL);
        if (!base) {
            snprintf(err, errlen, "%s: cannot read base BTF: %s", base_path, strerror(errno));
            base_libbpf_capture_restore(old_print);
            return -1;
        }
        btf = btf__parse_raw_split(opts->path, base);
    } else if (kind == FILE_RAW_BTF) {
        btf = btf__parse_raw(opts->path);
    } else {
        btf = btf__parse_elf(opts->path, NULL);
    }
    if (!btf) {
        int e = errno;
        if (kind == FILE_ELF && e == ENOENT)
            snprintf(err, errlen, "%s: no .BTF section (compile with clang -g -target bpf)",
                     opts->path);
        else {
            snprintf(err, errlen, "%s: cannot read its BTF: %s", opts->path, strerror(e));
            if (kind == FILE_RAW_BTF && !base_path)
                set_hint(opts, GEN_HINT_BASE_BTF);
        }
        btf__free(base);
        base_libbpf_capture_restore(old_print);
        return -1;
    }
    base_libbpf_capture_restore(old_print);
    if (gen_btf_check_chains(btf, opts->path, err, errlen)) {
        btf__free(btf);
        btf__free(base);
        return -1;
    }

    struct roots_job j =
        {.btf = btf, .opts = opts, .kind = kind, .out = out, .err = err, .errlen = errlen};
    int ret = gen__catch_oom(roots_job, &j, err, errlen);
    free(j.rs.ids);
    free(j.rs.seen);
    free(j.rs.visited);
    free(j.name);
    btf__free(btf);
    btf__free(base);
    return ret;
}

/* Picks the roots and emits; what it allocates is in the job (see emit()). */
static int roots_job(void *arg)
{
    struct roots_job *j = arg;
    const struct btf *btf = j->btf;
    const struct gen_types_opts *opts = j->opts;
    struct roots *rs = &j->rs;
    char *err = j->err;
    size_t errlen = j->errlen;
    int ntypes = (int)btf__type_cnt(btf);
    rs->seen = gen__xrealloc(NULL, (size_t)ntypes);
    rs->visited = gen__xrealloc(NULL, (size_t)ntypes);
    memset(rs->seen, 0, (size_t)ntypes);
    memset(rs->visited, 0, (size_t)ntypes);
    if (btf__endianness(btf) != BTF_LITTLE_ENDIAN) {
        snprintf(err, errlen,
                 "%s: big-endian BTF: Wasm guests are little-endian (compile the "
                 "BPF program with -target bpf or bpfel)",
                 opts->path);
        return -1;
    }
    if (opts->ntypes) {
        if (named_roots(btf, opts, rs, err, errlen))
            return -1;
    } else if (j->kind == FILE_RAW_BTF) {
        snprintf(err, errlen, "%s: raw BTF has no variables or maps to start from", opts->path);
        set_hint(opts, GEN_HINT_NAME_TYPES);
        return -1;
    } else {
        default_roots(btf, rs);
        if (!rs->n) {
            snprintf(err, errlen,
                     "%s: no named type is used by a global variable or a map "
                     "(declare one, e.g. `struct event *unused_event;`)",
                     opts->path);
            set_hint(opts, GEN_HINT_NAME_TYPES);
            return -1;
        }
    }

    j->name = output_name(opts);
    const char *slash = strrchr(opts->path, '/');
    return emit(btf, rs->ids, rs->n, opts->lang, slash ? slash + 1 : opts->path, j->name,
                opts->path, true, j->out, err, errlen);
}
