/* perms.c: the permissions a module's eBPF objects need, read from them.
 *
 * `push` scans the module for the BPF ELF objects embedded in its data (a C
 * skeleton's byte array, Rust's include_bytes!: contiguous bytes of the
 * module file) and records, per object, its programs (name, SEC() name,
 * type), its maps (name, type) and the helpers of concern its code calls,
 * as a JSON manifest annotation the signature then covers.  `run` checks
 * that declaration against the operator's rules before anything loads, and
 * every object a guest loads against the declaration (load.c): an object
 * built or downloaded at run time cannot need more than was declared.
 *
 * Everything here reads hostile bytes: ELF headers are bounds-checked
 * before libelf sees them, BTF goes through the cycle check before libbpf
 * opens it, and counts, name lengths and the JSON text are bounded. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <gelf.h>
#include <bpf/btf.h>
#include <jansson.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define PERMS_VERSION     1
#define PERMS_MAX_OBJECTS 64         /* embedded objects in one module */
#define PERMS_MAX_ITEMS   1024       /* programs, or maps, of one object */
#define PERMS_NAME_MAX    512        /* a name, SEC() name or type */
#define PERMS_JSON_MAX    (1u << 20) /* the annotation's text */

/* The helpers whose use an operator wants to know of and may forbid:
 * what they let a program do beyond observing. */
static const struct {
    int id;
    const char *name;
    const char *words;
} concern[] = {
    {BPF_FUNC_probe_write_user, "bpf_probe_write_user", "may write to user memory"},
    {BPF_FUNC_override_return, "bpf_override_return",
     "may change the return value of kernel functions"},
    {BPF_FUNC_send_signal, "bpf_send_signal", "may send signals to processes"},
    {BPF_FUNC_send_signal_thread, "bpf_send_signal_thread", "may send signals to threads"},
};
#define N_CONCERN (sizeof(concern) / sizeof(concern[0]))

struct perm_prog {
    char *name, *section, *type;
};
struct perm_map {
    char *name, *type;
};
struct perm_object {
    char *name;
    struct perm_prog *progs;
    size_t n_progs;
    struct perm_map *maps;
    size_t n_maps;
    unsigned helpers; /* bit i: concern[i] */
};
struct wasm_bpf_permissions {
    struct perm_object *objects;
    size_t n_objects;
};

static const char *const concern_names[] = {"bpf_probe_write_user", "bpf_override_return",
                                            "bpf_send_signal", "bpf_send_signal_thread", NULL};

const char *const *wasm_bpf_helpers_of_concern(void)
{
    return concern_names;
}

int wasm_bpf__helper_index(const char *name)
{
    for (size_t i = 0; i < N_CONCERN; i++)
        if (!strcmp(concern[i].name, name))
            return (int)i;
    return -1;
}

const char *wasm_bpf__helper_concern_by_id(int id)
{
    for (size_t i = 0; i < N_CONCERN; i++)
        if (concern[i].id == id)
            return concern[i].name;
    return NULL;
}

const char *wasm_bpf__helper_name(unsigned index)
{
    return index < N_CONCERN ? concern[index].name : "?";
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void wasm_bpf_permissions_free(struct wasm_bpf_permissions *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_objects; i++) {
        struct perm_object *o = &p->objects[i];
        for (size_t j = 0; j < o->n_progs; j++) {
            free(o->progs[j].name);
            free(o->progs[j].section);
            free(o->progs[j].type);
        }
        for (size_t j = 0; j < o->n_maps; j++) {
            free(o->maps[j].name);
            free(o->maps[j].type);
        }
        free(o->progs);
        free(o->maps);
        free(o->name);
    }
    free(p->objects);
    free(p);
}

/* ------------------------------------------------------------------ */
/* Helper calls in the instructions                                    */
/* ------------------------------------------------------------------ */

#define INSN_CALL  0x85 /* BPF_JMP | BPF_CALL */
#define INSN_LD_DW 0x18 /* BPF_LD | BPF_IMM | BPF_DW: two slots */

/* The function symbol of section SHNDX covering byte OFF, or NULL. */
static const char *function_at(Elf *elf, Elf_Data *syms, size_t strndx, size_t shndx, uint64_t off)
{
    if (!syms)
        return NULL;
    size_t n = syms->d_size / sizeof(Elf64_Sym);
    for (size_t i = 0; i < n; i++) {
        GElf_Sym s;
        if (!gelf_getsym(syms, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
            s.st_shndx != shndx || off < s.st_value || off - s.st_value >= s.st_size)
            continue;
        return elf_strptr(elf, strndx, s.st_name);
    }
    return NULL;
}

int wasm_bpf__helper_calls(const void *bytes, size_t len, wasm_bpf__helper_call_fn fn, void *ctx)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return -EINVAL;
    Elf *elf = elf_memory((char *)bytes, len);
    if (!elf)
        return -EINVAL;
    int rc = 0;
    size_t shstrndx;
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx)) {
        rc = -EINVAL;
        goto out;
    }
    bool lsb = eh.e_ident[EI_DATA] != ELFDATA2MSB;
    Elf_Data *syms = NULL;
    size_t symstr = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB &&
            sh.sh_entsize == sizeof(Elf64_Sym)) {
            syms = elf_getdata(scn, NULL);
            symstr = sh.sh_link;
            break;
        }
    }
    scn = NULL;
    while (!rc && (scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d || !d->d_buf)
            continue;
        const char *secname = elf_strptr(elf, shstrndx, sh.sh_name);
        const uint8_t *insn = d->d_buf;
        size_t n = d->d_size / 8;
        unsigned seen = 0; /* one report per helper and section bounds the symbol lookups */
        for (size_t i = 0; i < n && !rc; i++) {
            const uint8_t *x = insn + 8 * i;
            if (x[0] == INSN_LD_DW) {
                i++;
                continue;
            }
            if (x[0] != INSN_CALL || (lsb ? x[1] >> 4 : x[1] & 0xf) != 0)
                continue; /* not a call, or a call of a subprogram or kfunc */
            uint32_t imm = lsb ? (uint32_t)x[4] | (uint32_t)x[5] << 8 | (uint32_t)x[6] << 16 |
                                     (uint32_t)x[7] << 24
                               : (uint32_t)x[7] | (uint32_t)x[6] << 8 | (uint32_t)x[5] << 16 |
                                     (uint32_t)x[4] << 24;
            for (unsigned h = 0; h < N_CONCERN; h++) {
                if ((uint32_t)concern[h].id != imm || (seen & (1u << h)))
                    continue;
                seen |= 1u << h;
                const char *func = function_at(elf, syms, symstr, elf_ndxscn(scn), 8 * (uint64_t)i);
                rc = fn(ctx, func ? func : "?", secname ? secname : "?", h);
            }
        }
    }
out:
    elf_end(elf);
    return rc;
}

static int add_helper_bit(void *ctx, const char *func, const char *section, unsigned helper)
{
    (void)func;
    (void)section;
    *(unsigned *)ctx |= 1u << helper;
    return 0;
}

/* ------------------------------------------------------------------ */
/* One object: programs, maps, helpers                                 */
/* ------------------------------------------------------------------ */

/* libbpf's complaints about a malformed object are the scan's result
 * (the object is refused), not output of the library's */
static void quiet_libbpf(void *ctx, int level, const char *fmt, va_list ap)
{
    (void)ctx;
    (void)level;
    (void)fmt;
    (void)ap;
}

static char *bounded_dup(const char *s)
{
    return base_strndup(s ? s : "", PERMS_NAME_MAX);
}

static int add_prog(struct perm_object *o, const char *name, const char *section)
{
    if (o->n_progs >= PERMS_MAX_ITEMS)
        return -E2BIG;
    struct perm_prog *p = base_reallocarray(o->progs, o->n_progs + 1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    o->progs = p;
    enum bpf_prog_type type;
    enum bpf_attach_type at;
    const char *tname = NULL;
    if (!libbpf_prog_type_by_name(section, &type, &at))
        tname = libbpf_bpf_prog_type_str(type);
    p = &o->progs[o->n_progs++];
    p->name = bounded_dup(name);
    p->section = bounded_dup(section);
    p->type = bounded_dup(tname ? tname : "unknown");
    return p->name && p->section && p->type ? 0 : -ENOMEM;
}

static int add_map(struct perm_object *o, const char *name, uint32_t type)
{
    if (o->n_maps >= PERMS_MAX_ITEMS)
        return -E2BIG;
    struct perm_map *m = base_reallocarray(o->maps, o->n_maps + 1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    o->maps = m;
    const char *tname = libbpf_bpf_map_type_str((enum bpf_map_type)type);
    m = &o->maps[o->n_maps++];
    m->name = bounded_dup(name);
    m->type = bounded_dup(tname ? tname : "unknown");
    return m->name && m->type ? 0 : -ENOMEM;
}

/* Programs, as libbpf finds them: the global functions of the code
 * sections other than .text (whose functions are subprograms). */
static int scan_programs(Elf *elf, size_t shstrndx, struct perm_object *o)
{
    Elf_Scn *scn = NULL;
    Elf_Data *syms = NULL;
    size_t strndx = 0;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB &&
            sh.sh_entsize == sizeof(Elf64_Sym)) {
            syms = elf_getdata(scn, NULL);
            strndx = sh.sh_link;
            break;
        }
    }
    size_t n = syms ? syms->d_size / sizeof(Elf64_Sym) : 0;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym s;
        GElf_Shdr sh;
        Elf_Scn *in;
        if (!gelf_getsym(syms, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
            GELF_ST_BIND(s.st_info) == STB_LOCAL || s.st_shndx == SHN_UNDEF ||
            s.st_shndx >= SHN_LORESERVE || !(in = elf_getscn(elf, s.st_shndx)) ||
            !gelf_getshdr(in, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
            continue;
        const char *sec = elf_strptr(elf, shstrndx, sh.sh_name);
        const char *name = elf_strptr(elf, strndx, s.st_name);
        if (!sec || !name || !strcmp(sec, ".text"))
            continue;
        int rc = add_prog(o, name, sec);
        if (rc)
            return rc;
    }
    return 0;
}

/* Maps, as libbpf reads BTF-defined maps: each variable of the .maps
 * DATASEC is a struct whose member `type` is a pointer to an array of
 * (map type) elements, __uint(type, BPF_MAP_TYPE_...).  The BTF passed the
 * cycle check, and every chain is walked a bounded number of steps. */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t *id)
{
    for (int i = 0; i < 64; i++) {
        const struct btf_type *t = btf__type_by_id(btf, *id);
        if (!t)
            return NULL;
        switch (btf_kind(t)) {
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG: *id = t->type; continue;
        default: return t;
        }
    }
    return NULL;
}

static int scan_maps(Elf *elf, struct perm_object *o)
{
    Elf_Data *d = wasm_bpf__elf_section(elf, ".BTF");
    if (!d || d->d_size > UINT32_MAX)
        return 0;
    struct btf *btf = btf__new(d->d_buf, (uint32_t)d->d_size);
    if (!btf)
        return 0; /* libbpf would refuse the object itself */
    int rc = 0;
    uint32_t n = btf__type_cnt(btf);
    for (uint32_t id = 1; id < n && !rc; id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
        if (!t || !btf_is_datasec(t) || !name || strcmp(name, ".maps"))
            continue;
        const struct btf_var_secinfo *vs = btf_var_secinfos(t);
        for (uint16_t v = 0; v < btf_vlen(t) && !rc; v++) {
            const struct btf_type *var = btf__type_by_id(btf, vs[v].type);
            if (!var || !btf_is_var(var))
                continue;
            uint32_t sid = var->type;
            const struct btf_type *def = skip_mods(btf, &sid);
            if (!def || !btf_is_struct(def))
                continue;
            uint32_t type = 0; /* BPF_MAP_TYPE_UNSPEC: libbpf refuses it */
            const struct btf_member *m = btf_members(def);
            for (uint16_t k = 0; k < btf_vlen(def); k++) {
                const char *mname = btf__name_by_offset(btf, m[k].name_off);
                uint32_t mid = m[k].type;
                const struct btf_type *pt =
                    mname && !strcmp(mname, "type") ? skip_mods(btf, &mid) : NULL;
                uint32_t aid = pt && btf_is_ptr(pt) ? pt->type : 0;
                const struct btf_type *at = aid ? skip_mods(btf, &aid) : NULL;
                if (at && btf_is_array(at))
                    type = btf_array(at)->nelems;
            }
            rc = add_map(o, btf__name_by_offset(btf, var->name_off), type);
        }
    }
    btf__free(btf);
    return rc;
}

/* Read the object at BYTES into *o.  0, -EINVAL (err says why), -ENOMEM.
 * libelf and libbpf's BTF parser only: opening the whole object with
 * libbpf is more than a declaration needs, and less robust. */
static int scan_object(const void *bytes, size_t len, struct perm_object *o, char *err,
                       size_t errlen)
{
    char why[256];
    int rc = wasm_bpf__btf_check_object(bytes, len, why, sizeof(why));
    if (rc) {
        set_err(err, errlen, "%s", rc == -ENOMEM ? "out of memory" : why);
        return rc;
    }
    char name[64];
    wasm_bpf__object_name(bytes, len, name, sizeof(name));
    if (!(o->name = base_strdup(name)))
        return -ENOMEM;
    Elf *elf = elf_version(EV_CURRENT) != EV_NONE ? elf_memory((char *)bytes, len) : NULL;
    size_t shstrndx;
    if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
        elf_end(elf);
        set_err(err, errlen, "object '%s': not a readable ELF object", name);
        return -EINVAL;
    }
    rc = scan_programs(elf, shstrndx, o);
    if (!rc)
        rc = scan_maps(elf, o);
    elf_end(elf);
    if (rc == -E2BIG) {
        set_err(err, errlen, "object '%s' has more than %d programs or maps", name,
                PERMS_MAX_ITEMS);
        return -EINVAL;
    }
    if (rc) {
        set_err(err, errlen, "out of memory");
        return rc;
    }
    if (wasm_bpf__helper_calls(bytes, len, add_helper_bit, &o->helpers) < 0) {
        set_err(err, errlen, "object '%s': cannot read its sections", name);
        return -EINVAL;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Finding the objects in a module                                     */
/* ------------------------------------------------------------------ */

static uint64_t get(const uint8_t *p, int n, bool lsb)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[lsb ? i : n - 1 - i] << (8 * i);
    return v;
}

/* The size of the 64-bit BPF ELF object starting at P (AVAIL bytes
 * available): the end of its section headers or of its last section,
 * whichever is further; 0 if P starts no such object, or one that does not
 * fit. */
size_t wasm_bpf__elf_extent(const uint8_t *p, size_t avail)
{
    if (avail < sizeof(Elf64_Ehdr) || memcmp(p, ELFMAG, SELFMAG) || p[EI_CLASS] != ELFCLASS64 ||
        (p[EI_DATA] != ELFDATA2LSB && p[EI_DATA] != ELFDATA2MSB))
        return 0;
    bool lsb = p[EI_DATA] == ELFDATA2LSB;
    if (get(p + offsetof(Elf64_Ehdr, e_machine), 2, lsb) != EM_BPF)
        return 0;
    uint64_t shoff = get(p + offsetof(Elf64_Ehdr, e_shoff), 8, lsb);
    uint64_t shentsize = get(p + offsetof(Elf64_Ehdr, e_shentsize), 2, lsb);
    uint64_t shnum = get(p + offsetof(Elf64_Ehdr, e_shnum), 2, lsb);
    if (shentsize != sizeof(Elf64_Shdr) || shnum == 0 || shoff > avail ||
        shnum * shentsize > avail - shoff)
        return 0;
    uint64_t end = shoff + shnum * shentsize;
    for (uint64_t i = 0; i < shnum; i++) {
        const uint8_t *sh = p + shoff + i * shentsize;
        uint64_t type = get(sh + offsetof(Elf64_Shdr, sh_type), 4, lsb);
        uint64_t off = get(sh + offsetof(Elf64_Shdr, sh_offset), 8, lsb);
        uint64_t size = get(sh + offsetof(Elf64_Shdr, sh_size), 8, lsb);
        if (type == SHT_NOBITS || type == SHT_NULL)
            continue;
        if (off > avail || size > avail - off)
            return 0;
        if (off + size > end)
            end = off + size;
    }
    return (size_t)end;
}

/* Scan BUF (a stretch of the module's initial memory) for objects. */
static int scan_bytes(struct wasm_bpf_permissions *p, const uint8_t *m, size_t len, char *err,
                      size_t errlen)
{
    size_t at = 0;
    while (at + SELFMAG <= len) {
        const uint8_t *hit = memmem(m + at, len - at, ELFMAG, SELFMAG);
        if (!hit)
            break;
        size_t start = (size_t)(hit - m);
        size_t size = wasm_bpf__elf_extent(hit, len - start);
        if (!size) {
            at = start + 1;
            continue;
        }
        if (p->n_objects >= PERMS_MAX_OBJECTS) {
            set_err(err, errlen, "more than %d eBPF objects in the module", PERMS_MAX_OBJECTS);
            return -EINVAL;
        }
        struct perm_object *objs = base_reallocarray(p->objects, p->n_objects + 1, sizeof(*objs));
        if (!objs) {
            set_err(err, errlen, "out of memory");
            return -ENOMEM;
        }
        p->objects = objs;
        memset(&objs[p->n_objects], 0, sizeof(*objs));
        /* libelf and libbpf read it aligned, as a load would see it */
        void *copy = base_malloc(size);
        if (!copy) {
            set_err(err, errlen, "out of memory");
            return -ENOMEM;
        }
        memcpy(copy, hit, size);
        char why[384];
        struct base_libbpf_capture prev = base_libbpf_capture(quiet_libbpf, NULL);
        int rc = scan_object(copy, size, &objs[p->n_objects++], why, sizeof(why));
        base_libbpf_capture_restore(prev);
        free(copy);
        if (rc) {
            set_err(err, errlen, "embedded eBPF object %zu: %s", p->n_objects, why);
            return rc;
        }
        at = start + size;
    }
    return 0;
}

/* ---- the module's data segments ----
 * An object is embedded as one array, but the toolchain may store it in
 * several segments (clang runs wasm-opt when it finds it, whose memory
 * packing drops runs of zeros), so the scan reads the initial memory the
 * active segments make, as an instance would see it.  This is a reader of
 * the data section only, for a module that is not instantiated; the
 * engine's decoder keeps no segment bytes for a caller. */

#define GAP_FILL_MAX (64u << 20) /* zeros put between segments, in all */
#define GAP_MAX      (64u << 10) /* a larger gap ends a stretch */

struct segment {
    uint64_t offset; /* in linear memory */
    const uint8_t *bytes;
    size_t len;
    bool active;
};

static bool leb_u(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

static bool leb_s(const uint8_t **p, const uint8_t *end, int64_t *v)
{
    uint64_t r = 0;
    int shift = 0;
    uint8_t b;
    do {
        if (*p >= end || shift >= 64)
            return false;
        b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40))
        r |= ~(uint64_t)0 << shift;
    *v = (int64_t)r;
    return true;
}

/* The data section's segments; false if the module is malformed. */
static bool data_segments(const uint8_t *m, size_t len, struct segment **segs, size_t *n)
{
    *segs = NULL;
    *n = 0;
    if (len < 8 || memcmp(m, "\0asm", 4))
        return false;
    const uint8_t *p = m + 8, *end = m + len;
    while (p < end) {
        uint8_t id = *p++;
        uint64_t size;
        if (!leb_u(&p, end, &size) || size > (uint64_t)(end - p))
            return false;
        const uint8_t *sec = p, *sec_end = p + size;
        p = sec_end;
        if (id != 11)
            continue;
        uint64_t count;
        if (*segs || !leb_u(&sec, sec_end, &count) || count > (uint64_t)(sec_end - sec))
            return false; /* a second data section is malformed too */
        if (!(*segs = base_calloc(count ? count : 1, sizeof(**segs))))
            return false;
        for (uint64_t i = 0; i < count; i++) {
            struct segment *s = &(*segs)[i];
            uint64_t flags, memidx = 0, blen;
            int64_t offset = 0;
            if (!leb_u(&sec, sec_end, &flags) || flags > 2)
                return false;
            s->active = flags != 1;
            if (flags == 2 && !leb_u(&sec, sec_end, &memidx))
                return false;
            if (s->active) {
                /* i32.const / i64.const N end; anything else (global.get):
                 * an address unknown here, so the segment stands alone */
                if (sec < sec_end && (*sec == 0x41 || *sec == 0x42)) {
                    sec++;
                    if (!leb_s(&sec, sec_end, &offset) || sec >= sec_end || *sec++ != 0x0b)
                        return false;
                } else {
                    while (sec < sec_end && *sec != 0x0b)
                        sec++;
                    if (sec++ >= sec_end)
                        return false;
                    s->active = false;
                }
            }
            if (!leb_u(&sec, sec_end, &blen) || blen > (uint64_t)(sec_end - sec))
                return false;
            s->offset = flags == 0 || flags == 2 ? (uint64_t)offset & 0xffffffffffffull : 0;
            s->active = s->active && memidx == 0;
            s->bytes = sec;
            s->len = (size_t)blen;
            sec += blen;
            (*n)++;
        }
    }
    return true;
}

static int by_offset(const void *a, const void *b)
{
    const struct segment *x = *(const struct segment *const *)a,
                         *y = *(const struct segment *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int by_position(const void *a, const void *b)
{
    const struct segment *x = *(const struct segment *const *)a,
                         *y = *(const struct segment *const *)b;
    return x < y ? -1 : x > y;
}

int wasm_bpf_permissions_scan(const void *module, size_t len, struct wasm_bpf_permissions **out,
                              char *err, size_t errlen)
{
    *out = NULL;
    struct wasm_bpf_permissions *p = base_calloc(1, sizeof(*p));
    struct segment *segs = NULL, **order = NULL;
    size_t n = 0;
    uint8_t *run = NULL;
    int rc = -ENOMEM;
    if (!p)
        goto nomem;
    if (!data_segments(module, len, &segs, &n)) {
        if (!segs && len >= 8 && !memcmp(module, "\0asm", 4) && errno == ENOMEM)
            goto nomem;
        set_err(err, errlen, "not a WebAssembly module, or its sections are malformed");
        rc = -EINVAL;
        goto out;
    }
    if (n && !(order = base_calloc(n, sizeof(*order))))
        goto nomem;
    size_t n_active = 0;
    for (size_t i = 0; i < n; i++) {
        if (segs[i].active)
            order[n_active++] = &segs[i];
        else if ((rc = scan_bytes(p, segs[i].bytes, segs[i].len, err, errlen)))
            goto out; /* passive: copied wherever the guest says */
    }
    if (n_active)
        qsort(order, n_active, sizeof(*order), by_offset);
    uint64_t filled = 0;
    for (size_t i = 0; i < n_active;) {
        /* a stretch of memory: segments that touch or overlap, or are
         * separated by a small gap of zeros */
        uint64_t start = order[i]->offset, end = start + order[i]->len;
        size_t j = i + 1;
        for (; j < n_active; j++) {
            uint64_t gap = order[j]->offset > end ? order[j]->offset - end : 0;
            if (gap > GAP_MAX || filled + gap > GAP_FILL_MAX)
                break;
            filled += gap;
            if (order[j]->offset + order[j]->len > end)
                end = order[j]->offset + order[j]->len;
        }
        if (end - start > (uint64_t)len + GAP_FILL_MAX) {
            rc = -EINVAL;
            set_err(err, errlen, "data segments larger than the module");
            goto out;
        }
        if (!(run = base_calloc(1, (size_t)(end - start) + 1)))
            goto nomem;
        /* in the module's order: a later segment overwrites an earlier one */
        qsort(order + i, j - i, sizeof(*order), by_position);
        for (size_t k = i; k < j; k++)
            memcpy(run + (order[k]->offset - start), order[k]->bytes, order[k]->len);
        if ((rc = scan_bytes(p, run, (size_t)(end - start), err, errlen)))
            goto out;
        free(run);
        run = NULL;
        i = j;
    }
    *out = p;
    p = NULL;
    rc = 0;
    goto out;
nomem:
    set_err(err, errlen, "out of memory");
    rc = -ENOMEM;
out:
    free(run);
    free(order);
    free(segs);
    wasm_bpf_permissions_free(p);
    return rc;
}

/* The data section is all a scan reads, so a file is not read whole (a
 * module may carry megabytes of custom sections): its sections are walked
 * with pread and the data section alone is read, into a module of one
 * section for wasm_bpf_permissions_scan(). */
int wasm_bpf_permissions_scan_fd(int fd, struct wasm_bpf_permissions **out, char *err,
                                 size_t errlen)
{
    *out = NULL;
    uint8_t head[8];
    if (pread(fd, head, 8, 0) != 8 || memcmp(head, "\0asm", 4)) {
        set_err(err, errlen, "not a WebAssembly module");
        return -ENOEXEC;
    }
    off_t at = 8;
    for (;;) {
        uint8_t h[11];
        ssize_t n = pread(fd, h, sizeof(h), at);
        if (n < 0) {
            set_err(err, errlen, "cannot read the module: %s", strerror(errno));
            return -errno;
        }
        if (n == 0)
            break; /* no data section: a module made of no object */
        const uint8_t *p = h + 1, *end = h + n;
        uint64_t size;
        if (n < 2 || !leb_u(&p, end, &size) || size > (uint64_t)INT64_MAX - (uint64_t)at) {
            set_err(err, errlen, "not a WebAssembly module, or its sections are malformed");
            return -EINVAL;
        }
        off_t body = at + (off_t)(p - h);
        if (h[0] != 11) {
            at = body + (off_t)size;
            continue;
        }
        if (size > ((uint64_t)1 << 32)) {
            set_err(err, errlen, "a data section of %llu bytes", (unsigned long long)size);
            return -EINVAL;
        }
        size_t hl = 8 + (size_t)(p - h);
        uint8_t *m = base_malloc(hl + (size_t)size);
        if (!m) {
            set_err(err, errlen, "out of memory");
            return -ENOMEM;
        }
        memcpy(m, "\0asm\1\0\0\0", 8);
        memcpy(m + 8, h, (size_t)(p - h));
        size_t got = 0;
        while (got < size) {
            ssize_t r = pread(fd, m + hl + got, (size_t)size - got, body + (off_t)got);
            if (r <= 0) {
                free(m);
                set_err(err, errlen, "the data section is truncated");
                return -EINVAL;
            }
            got += (size_t)r;
        }
        int rc = wasm_bpf_permissions_scan(m, hl + (size_t)size, out, err, errlen);
        free(m);
        return rc;
    }
    return wasm_bpf_permissions_scan("\0asm\1\0\0\0", 8, out, err, errlen);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

char *wasm_bpf_permissions_json(const struct wasm_bpf_permissions *p)
{
    json_t *root = json_object(), *objects = json_array();
    bool ok = root && objects && !json_object_set_new(root, "version", json_integer(PERMS_VERSION));
    for (size_t i = 0; ok && i < p->n_objects; i++) {
        const struct perm_object *o = &p->objects[i];
        json_t *jo = json_object(), *progs = json_array(), *maps = json_array(),
               *helpers = json_array();
        ok = jo && progs && maps && helpers &&
             !json_object_set_new(jo, "name", json_string(o->name));
        for (size_t j = 0; ok && j < o->n_progs; j++)
            ok =
                !json_array_append_new(progs, json_pack("{s:s, s:s, s:s}", "name", o->progs[j].name,
                                                        "section", o->progs[j].section, "type",
                                                        o->progs[j].type));
        for (size_t j = 0; ok && j < o->n_maps; j++)
            ok = !json_array_append_new(maps, json_pack("{s:s, s:s}", "name", o->maps[j].name,
                                                        "type", o->maps[j].type));
        for (unsigned h = 0; ok && h < N_CONCERN; h++)
            if (o->helpers & (1u << h))
                ok = !json_array_append_new(helpers, json_string(concern[h].name));
        if (ok) {
            ok = !json_object_set(jo, "programs", progs) && !json_object_set(jo, "maps", maps) &&
                 !json_object_set(jo, "helpers", helpers) && !json_array_append(objects, jo);
        }
        json_decref(progs);
        json_decref(maps);
        json_decref(helpers);
        json_decref(jo);
    }
    ok = ok && !json_object_set(root, "objects", objects);
    char *text = ok ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(objects);
    json_decref(root);
    char *copy = text ? base_strdup(text) : NULL; /* ours to free with free() */
    free(text);
    if (!copy)
        errno = ENOMEM;
    return copy;
}

/* A string member of at most PERMS_NAME_MAX bytes, or NULL. */
static const char *member_string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) > PERMS_NAME_MAX ||
        strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

/* Every member of OBJ is one of KEYS (NULL-terminated): a typo is an error. */
static const char *unknown_member(json_t *obj, const char *const *keys)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t i;
        for (i = 0; keys[i] && strcmp(keys[i], key); i++)
            ;
        if (!keys[i])
            return key;
    }
    return NULL;
}

static int parse_object(json_t *jo, size_t index, struct perm_object *o, char *err, size_t errlen)
{
    static const char *const obj_keys[] = {"name", "programs", "maps", "helpers", NULL};
    static const char *const prog_keys[] = {"name", "section", "type", NULL};
    static const char *const map_keys[] = {"name", "type", NULL};
    const char *bad;
    if (!json_is_object(jo)) {
        set_err(err, errlen, "objects[%zu] is not an object", index);
        return -EINVAL;
    }
    if ((bad = unknown_member(jo, obj_keys))) {
        set_err(err, errlen, "objects[%zu]: unknown member \"%.64s\"", index, bad);
        return -EINVAL;
    }
    const char *name = member_string(jo, "name");
    json_t *progs = json_object_get(jo, "programs"), *maps = json_object_get(jo, "maps"),
           *helpers = json_object_get(jo, "helpers");
    if (!name || !json_is_array(progs) || !json_is_array(maps) || !json_is_array(helpers)) {
        set_err(err, errlen,
                "objects[%zu] needs a \"name\" string and \"programs\", \"maps\" and \"helpers\" "
                "arrays",
                index);
        return -EINVAL;
    }
    if (json_array_size(progs) > PERMS_MAX_ITEMS || json_array_size(maps) > PERMS_MAX_ITEMS) {
        set_err(err, errlen, "objects[%zu]: more than %d programs or maps", index, PERMS_MAX_ITEMS);
        return -EINVAL;
    }
    if (!(o->name = base_strdup(name)) ||
        !(o->progs = base_calloc(json_array_size(progs) + 1, sizeof(*o->progs))) ||
        !(o->maps = base_calloc(json_array_size(maps) + 1, sizeof(*o->maps)))) {
        set_err(err, errlen, "out of memory");
        return -ENOMEM;
    }
    size_t i;
    json_t *v;
    json_array_foreach(progs, i, v)
    {
        const char *n = json_is_object(v) ? member_string(v, "name") : NULL,
                   *s = n ? member_string(v, "section") : NULL,
                   *t = s ? member_string(v, "type") : NULL;
        if (!t || (bad = unknown_member(v, prog_keys))) {
            set_err(
                err, errlen,
                "objects[%zu].programs[%zu] needs exactly the strings \"name\", \"section\" and "
                "\"type\"",
                index, i);
            return -EINVAL;
        }
        struct perm_prog *p = &o->progs[o->n_progs++];
        if (!(p->name = base_strdup(n)) || !(p->section = base_strdup(s)) ||
            !(p->type = base_strdup(t))) {
            set_err(err, errlen, "out of memory");
            return -ENOMEM;
        }
    }
    json_array_foreach(maps, i, v)
    {
        const char *n = json_is_object(v) ? member_string(v, "name") : NULL,
                   *t = n ? member_string(v, "type") : NULL;
        if (!t || (bad = unknown_member(v, map_keys))) {
            set_err(err, errlen,
                    "objects[%zu].maps[%zu] needs exactly the strings \"name\" and \"type\"", index,
                    i);
            return -EINVAL;
        }
        struct perm_map *m = &o->maps[o->n_maps++];
        if (!(m->name = base_strdup(n)) || !(m->type = base_strdup(t))) {
            set_err(err, errlen, "out of memory");
            return -ENOMEM;
        }
    }
    json_array_foreach(helpers, i, v)
    {
        int h = json_is_string(v) ? wasm_bpf__helper_index(json_string_value(v)) : -1;
        if (h < 0) {
            set_err(err, errlen,
                    "objects[%zu].helpers[%zu] is not one of bpf_probe_write_user, "
                    "bpf_override_return, bpf_send_signal, bpf_send_signal_thread",
                    index, i);
            return -EINVAL;
        }
        o->helpers |= 1u << h;
    }
    return 0;
}

int wasm_bpf_permissions_parse(const char *text, size_t len, struct wasm_bpf_permissions **out,
                               char *err, size_t errlen)
{
    static const char *const top_keys[] = {"version", "objects", NULL};
    *out = NULL;
    if (len > PERMS_JSON_MAX) {
        set_err(err, errlen, "longer than %u bytes", PERMS_JSON_MAX);
        return -EINVAL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        set_err(err, errlen, "not JSON: %s (at byte %d)", jerr.text, jerr.position);
        return -EINVAL;
    }
    int rc = -EINVAL;
    struct wasm_bpf_permissions *p = NULL;
    json_t *version = json_object_get(root, "version"), *objects = json_object_get(root, "objects");
    const char *bad;
    if (!json_is_object(root)) {
        set_err(err, errlen, "not a JSON object");
        goto out;
    }
    if ((bad = unknown_member(root, top_keys))) {
        set_err(err, errlen, "unknown member \"%.64s\"", bad);
        goto out;
    }
    if (!json_is_integer(version) || json_integer_value(version) != PERMS_VERSION) {
        set_err(err, errlen, "\"version\" is not %d (written by a newer wasm-bpf?)", PERMS_VERSION);
        goto out;
    }
    if (!json_is_array(objects) || json_array_size(objects) > PERMS_MAX_OBJECTS) {
        set_err(err, errlen, "\"objects\" is not an array of at most %d objects",
                PERMS_MAX_OBJECTS);
        goto out;
    }
    if (!(p = base_calloc(1, sizeof(*p))) ||
        !(p->objects = base_calloc(json_array_size(objects) + 1, sizeof(*p->objects)))) {
        set_err(err, errlen, "out of memory");
        rc = -ENOMEM;
        goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(objects, i, v)
    {
        p->n_objects++;
        if ((rc = parse_object(v, i, &p->objects[i], err, errlen)))
            goto out;
    }
    rc = 0;
    *out = p;
    p = NULL;
out:
    wasm_bpf_permissions_free(p);
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------ */
/* In words                                                            */
/* ------------------------------------------------------------------ */

/* The target a program attaches to by its SEC() name alone, or NULL when
 * the guest gives one at run time (an interface, a cgroup). */
static const char *static_target(const struct perm_prog *p)
{
    enum bpf_prog_type type;
    enum bpf_attach_type at;
    if (libbpf_prog_type_by_name(p->section, &type, &at))
        return NULL;
    switch (wasm_bpf__prog_kind_of(type, p->section)->attach) {
    case WB_ATTACH_XDP:
    case WB_ATTACH_SOCKET:
    case WB_ATTACH_TC:
    case WB_ATTACH_CGROUP: return NULL;
    default: break;
    }
    const char *slash = strchr(p->section, '/');
    return slash && slash[1] ? slash + 1 : NULL;
}

char *wasm_bpf_permissions_describe(const struct wasm_bpf_permissions *p)
{
    struct base_buf b = {0};
    if (!p->n_objects)
        base_buf_puts(&b, "embeds no eBPF object: every object it loads at run time is refused\n");
    for (size_t i = 0; i < p->n_objects; i++) {
        const struct perm_object *o = &p->objects[i];
        base_buf_printf(&b, "object %s:\n", o->name);
        /* programs grouped by type, in the order of first appearance */
        for (size_t j = 0; j < o->n_progs; j++) {
            bool first = true;
            for (size_t k = 0; k < j; k++)
                if (!strcmp(o->progs[k].type, o->progs[j].type))
                    first = false;
            if (!first)
                continue;
            size_t count = 0;
            for (size_t k = j; k < o->n_progs; k++)
                count += !strcmp(o->progs[k].type, o->progs[j].type);
            base_buf_printf(&b, "  loads %zu %s program%s:", count, o->progs[j].type,
                            count == 1 ? "" : "s");
            const char *sep = " ";
            for (size_t k = j; k < o->n_progs; k++) {
                if (strcmp(o->progs[k].type, o->progs[j].type))
                    continue;
                const char *target = static_target(&o->progs[k]);
                if (target)
                    base_buf_printf(&b, "%s%s (%s)", sep, target, o->progs[k].name);
                else
                    base_buf_printf(&b, "%s%s (SEC \"%s\", target given at run time)", sep,
                                    o->progs[k].name, o->progs[k].section);
                sep = ", ";
            }
            base_buf_puts(&b, "\n");
        }
        if (o->n_maps) {
            base_buf_printf(&b, "  maps:");
            for (size_t j = 0; j < o->n_maps; j++)
                base_buf_printf(&b, "%s%s (%s)", j ? ", " : " ", o->maps[j].name, o->maps[j].type);
            base_buf_puts(&b, "\n");
        }
        for (unsigned h = 0; h < N_CONCERN; h++)
            if (o->helpers & (1u << h))
                base_buf_printf(&b, "  uses %s: %s\n", concern[h].name, concern[h].words);
    }
    return base_buf_take(&b, NULL);
}

/* ------------------------------------------------------------------ */
/* Checks                                                              */
/* ------------------------------------------------------------------ */

int wasm_bpf_permissions_check(const struct wasm_bpf_permissions *p,
                               const struct wasm_bpf_policy *policy, char *err, size_t errlen)
{
    for (const struct wasm_bpf_policy *r = policy; r; r = r->next) {
        for (size_t i = 0; i < p->n_objects; i++) {
            const struct perm_object *o = &p->objects[i];
            for (size_t j = 0; j < o->n_progs; j++) {
                const struct perm_prog *pr = &o->progs[j];
                if (!wasm_bpf__rule_has(r->prog_types, r->n_prog_types, pr->type, false)) {
                    set_err(err, errlen,
                            "the module declares program '%s' of type '%s' (object '%s'), which "
                            "the policy does not allow (%s)",
                            pr->name, pr->type, o->name,
                            r->prog_types_name ? r->prog_types_name : "prog_types");
                    return -EPERM;
                }
                if (!static_target(pr))
                    continue;
                char other[PERMS_NAME_MAX + 32];
                const char *alt = wasm_bpf__sec_other_spelling(pr->section, other, sizeof(other));
                if (!wasm_bpf__rule_has(r->attach_targets, r->n_attach_targets, pr->section,
                                        true) &&
                    !(alt &&
                      wasm_bpf__rule_has(r->attach_targets, r->n_attach_targets, alt, true))) {
                    set_err(err, errlen,
                            "the module declares program '%s' attached to '%s' (object '%s'), "
                            "which the policy does not allow (%s)",
                            pr->name, pr->section, o->name,
                            r->attach_targets_name ? r->attach_targets_name : "attach_targets");
                    return -EPERM;
                }
            }
            for (unsigned h = 0; h < N_CONCERN; h++)
                if ((o->helpers & (1u << h)) && r->helpers &&
                    !wasm_bpf__rule_has(r->helpers, r->n_helpers, concern[h].name, false)) {
                    set_err(err, errlen,
                            "the module declares that object '%s' calls %s (%s), which the "
                            "policy does not allow (%s)",
                            o->name, concern[h].name, concern[h].words,
                            r->helpers_name ? r->helpers_name : "helpers");
                    return -EPERM;
                }
        }
    }
    return 0;
}

struct declared_check {
    const struct wasm_bpf_permissions *declared;
    char *err;
    size_t errlen;
    const char *object;
};

static int helper_declared(void *ctx, const char *func, const char *section, unsigned helper)
{
    struct declared_check *c = ctx;
    for (size_t i = 0; i < c->declared->n_objects; i++)
        if (c->declared->objects[i].helpers & (1u << helper))
            return 0;
    set_err(c->err, c->errlen,
            "function '%s' (section '%s') of object '%s' calls %s, which the module did not "
            "declare (%s)",
            func, section, c->object, concern[helper].name, WASM_BPF_PERMISSIONS_ANNOTATION);
    return -EPERM;
}

int wasm_bpf__check_declared(const struct wasm_bpf_permissions *d, struct bpf_object *obj,
                             const char *objname, const void *bytes, size_t len, char *err,
                             size_t errlen)
{
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (!bpf_program__autoload(prog))
            continue;
        const char *name = bpf_program__name(prog), *sec = bpf_program__section_name(prog);
        const char *type = libbpf_bpf_prog_type_str(bpf_program__type(prog));
        if (!type)
            type = "unknown";
        bool found = false;
        for (size_t i = 0; i < d->n_objects && !found; i++)
            for (size_t j = 0; j < d->objects[i].n_progs && !found; j++) {
                const struct perm_prog *p = &d->objects[i].progs[j];
                found =
                    !strcmp(p->name, name) && !strcmp(p->section, sec) && !strcmp(p->type, type);
            }
        if (!found) {
            set_err(err, errlen,
                    "program '%s' (SEC \"%s\", type '%s') of object '%s' is not among the programs "
                    "the module declared (%s)",
                    name, sec, type, objname, WASM_BPF_PERMISSIONS_ANNOTATION);
            return -EPERM;
        }
    }
    struct bpf_map *map;
    bpf_object__for_each_map(map, obj) {
        if (bpf_map__is_internal(map))
            continue;
        const char *type = libbpf_bpf_map_type_str(bpf_map__type(map));
        if (!type)
            type = "unknown";
        bool found = false;
        for (size_t i = 0; i < d->n_objects && !found; i++)
            for (size_t j = 0; j < d->objects[i].n_maps && !found; j++)
                found = !strcmp(d->objects[i].maps[j].name, bpf_map__name(map)) &&
                        !strcmp(d->objects[i].maps[j].type, type);
        if (!found) {
            set_err(err, errlen,
                    "map '%s' (type '%s') of object '%s' is not among the maps the module "
                    "declared (%s)",
                    bpf_map__name(map), type, objname, WASM_BPF_PERMISSIONS_ANNOTATION);
            return -EPERM;
        }
    }
    struct declared_check c = {d, err, errlen, objname};
    int rc = wasm_bpf__helper_calls(bytes, len, helper_declared, &c);
    if (rc == -EINVAL)
        set_err(err, errlen, "object '%s': cannot read its sections", objname);
    return rc;
}

struct wasm_bpf_permissions *wasm_bpf__permissions_copy(const struct wasm_bpf_permissions *p)
{
    char *text = wasm_bpf_permissions_json(p);
    if (!text)
        return NULL;
    struct wasm_bpf_permissions *copy = NULL;
    int rc = wasm_bpf_permissions_parse(text, strlen(text), &copy, NULL, 0);
    free(text);
    if (rc)
        errno = -rc;
    return copy;
}
