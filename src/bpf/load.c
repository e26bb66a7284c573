/* load.c: wasm_load_bpf_object: open the guest's BPF ELF object with
 * libbpf, check it against the policy, load it into the kernel.
 *
 * The object gets a name so that its global-data maps get libbpf's usual
 * names ("bootstra.rodata"), the ones a guest skeleton uses.  The guest's
 * load call carries no name, so it is the one bpftool would have given:
 * the source file "bootstrap.bpf.c" named in the object's BTF line
 * information gives "bootstrap_bpf", the name `gen skeleton` derives from
 * "bootstrap.bpf.o". */
#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define DEFAULT_OBJECT_NAME "wasm_bpf"

/* The name of the object's first C source file in its .BTF strings, as a
 * C identifier without ".c": "/src/bootstrap.bpf.c" -> "bootstrap_bpf". */
void wasm_bpf__object_name(const void *bytes, size_t len, char *name, size_t size)
{
    snprintf(name, size, "%s", DEFAULT_OBJECT_NAME);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return;
    Elf *elf = elf_memory((char *)bytes, len);
    if (!elf)
        return;
    Elf_Data *d = wasm_bpf__elf_section(elf, ".BTF");
    struct btf_header hdr;
    if (!d || d->d_size < sizeof(hdr))
        goto out;
    memcpy(&hdr, d->d_buf, sizeof(hdr));
    if (hdr.magic != BTF_MAGIC || hdr.hdr_len > d->d_size ||
        (uint64_t)hdr.hdr_len + hdr.str_off + hdr.str_len > d->d_size)
        goto out;
    const char *strs = (const char *)d->d_buf + hdr.hdr_len + hdr.str_off;
    for (uint32_t at = 0; at < hdr.str_len;) {
        const char *s = strs + at;
        size_t n = strnlen(s, hdr.str_len - at);
        if (n > 2 && n < 4096 && !strcmp(s + n - 2, ".c")) {
            const char *base = strrchr(s, '/');
            base = base ? base + 1 : s;
            snprintf(name, size, "%.*s", (int)(s + n - 2 - base), base);
            for (char *p = name; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '_')
                    *p = '_';
            if (!name[0])
                snprintf(name, size, "%s", DEFAULT_OBJECT_NAME);
            goto out;
        }
        at += (uint32_t)n + 1;
    }
out:
    elf_end(elf);
}

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

/* After a failed load: was it for want of the kernel's BTF? */
static bool kernel_btf_missing(void)
{
    struct stat st;
    return stat(KERNEL_BTF, &st) || st.st_size == 0;
}

static bool percpu_map(enum bpf_map_type type)
{
    return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
           type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

struct helper_rule {
    struct wb_instance *wi;
    const char *object;
};

static int helper_allowed(void *ctx, const char *func, const char *section, unsigned helper)
{
    struct helper_rule *c = ctx;
    const char *name = wasm_bpf__helper_name(helper);
    const char *rule = wasm_bpf__helper_refused(c->wi->host, name);
    if (!rule)
        return 0;
    return wasm_bpf__fail(c->wi, -EPERM,
                          "load: function '%s' (section '%s') of object '%s' calls %s, which the "
                          "policy does not allow (%s)",
                          func, section, c->object, name, rule);
}

/* Before anything reaches the kernel: the policy's program types and
 * helpers of concern for every program the object would load, then the
 * module's declaration, if it made one. */
static int check_policy(struct wb_instance *wi, struct wb_object *o, size_t len)
{
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, o->obj) {
        if (!bpf_program__autoload(prog))
            continue;
        const char *type = libbpf_bpf_prog_type_str(bpf_program__type(prog));
        if (!type)
            type = "unknown";
        const char *rule = wasm_bpf__prog_type_refused(wi->host, type);
        if (rule)
            return wasm_bpf__fail(
                wi, -EPERM,
                "load: program '%s' of object '%s' has type '%s', which the policy "
                "does not allow (%s)",
                bpf_program__name(prog), o->name, type, rule);
    }
    struct helper_rule hr = {wi, o->name};
    int err = wasm_bpf__helper_calls(o->elf, len, helper_allowed, &hr);
    if (err == -EINVAL)
        return wasm_bpf__fail(wi, -EINVAL, "load: object '%s': cannot read its code sections",
                              o->name);
    if (err)
        return err;
    if (wi->host->declared) {
        char why[400];
        err = wasm_bpf__check_declared(wi->host->declared, o->obj, o->name, o->elf, len, why,
                                       sizeof(why));
        if (err)
            return wasm_bpf__fail(wi, err, "load: %s", why);
    }
    return 0;
}

/* The guest's choice before load (wasm_load_bpf_object_with): programs
 * not to load, maps not to create, each a comma-separated list of names
 * (NULL: none).  0, or -ENOENT / -EINVAL with the message set. */
static int choose(struct wb_instance *wi, struct wb_object *o, const char *list, bool maps)
{
    const char *what = maps ? "map" : "program";
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= 64)
            return wasm_bpf__fail(wi, -EINVAL, "load: %s list '%s': %s name", what, list,
                                  n ? "a too long" : "an empty");
        char name[64];
        memcpy(name, p, n);
        name[n] = '\0';
        int err;
        if (maps) {
            struct bpf_map *m = bpf_object__find_map_by_name(o->obj, name);
            err = m ? bpf_map__set_autocreate(m, false) : -ENOENT;
        } else {
            struct bpf_program *prog = bpf_object__find_program_by_name(o->obj, name);
            err = prog ? bpf_program__set_autoload(prog, false) : -ENOENT;
        }
        if (err == -ENOENT)
            return wasm_bpf__fail(wi, -ENOENT,
                                  "load: object '%s' has no %s '%s' (asked not to %s it)", o->name,
                                  what, name, maps ? "create" : "load");
        if (err)
            return wasm_bpf__fail(wi, err, "load: %s '%s': %s", what, name,
                                  wasm_bpf__strerror(err));
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

uint64_t wasm_bpf__load(struct wb_instance *wi, const void *bytes, size_t len, const char *no_load,
                        const char *no_create)
{
    wasm_bpf_host *host = wi->host;
    struct wb_object *o = calloc(1, sizeof(*o));
    if (!o) {
        wasm_bpf__fail(wi, -ENOMEM, "load: out of memory");
        return 0;
    }
    o->owner = wi;
    /* our own copy: the guest's memory may move when it grows */
    o->elf = malloc(len);
    if (!o->elf) {
        free(o);
        wasm_bpf__fail(wi, -ENOMEM, "load: out of memory for a %zu-byte object", len);
        return 0;
    }
    memcpy(o->elf, bytes, len);
    wasm_bpf__object_name(o->elf, len, o->name, sizeof(o->name));

    int err;
    char bad_btf[256];
    if ((err = wasm_bpf__btf_check_object(o->elf, len, bad_btf, sizeof(bad_btf)))) {
        if (err == -ENOMEM)
            snprintf(bad_btf, sizeof(bad_btf), "out of memory checking its BTF");
        base_print(WASM_BPF_WARN, "wasm-bpf: cannot open the guest's BPF object: %s\n", bad_btf);
        wasm_bpf__fail(wi, err, "load: cannot open the BPF object: %s", bad_btf);
        goto fail;
    }
    wasm_bpf__log_begin(host);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = o->name,
                .btf_custom_path = host->btf_path);
    o->obj = bpf_object__open_mem(o->elf, len, &opts);
    if (!o->obj) {
        err = -errno;
        wasm_bpf__log_end();
        base_print(WASM_BPF_WARN, "wasm-bpf: cannot open the guest's BPF object: %s\n",
                   wasm_bpf__strerror(err));
        wasm_bpf__log_print();
        wasm_bpf__fail(wi, wasm_bpf__errno_from_libbpf(err),
                       "load: cannot open the BPF object: %s%s%s", wasm_bpf__strerror(err),
                       *wasm_bpf__log_reason() ? ": " : "", wasm_bpf__log_reason());
        goto fail;
    }
    if ((err = choose(wi, o, no_load, false)) || (err = choose(wi, o, no_create, true))) {
        wasm_bpf__log_end();
        base_print(WASM_BPF_WARN, "wasm-bpf: %s\n", wi->last_error);
        goto fail;
    }
    if ((err = check_policy(wi, o, len))) {
        wasm_bpf__log_end();
        base_print(WASM_BPF_WARN, "wasm-bpf: %s\n", wi->last_error);
        goto fail;
    }
    err = bpf_object__load(o->obj);
    if (err) {
        err = err < 0 ? err : -err;
        wasm_bpf__log_end();
        base_print(WASM_BPF_WARN, "wasm-bpf: cannot load BPF object '%s': %s\n", o->name,
                   wasm_bpf__strerror(err));
        /* without privileges libbpf blames CONFIG_BPF_SYSCALL and
         * RLIMIT_MEMLOCK; say which capability is missing instead */
        char caps[512];
        if (err == -EPERM && wasm_bpf__caps_hint(o->obj, NULL, caps, sizeof(caps))) {
            base_print(WASM_BPF_WARN, "  %s\n", caps);
            wasm_bpf__fail(wi, -EPERM, "load: cannot load BPF object '%s': %s (%s)", o->name,
                           wasm_bpf__strerror(err), caps);
            goto fail;
        }
        wasm_bpf__log_print();
        if (!host->btf_path && kernel_btf_missing())
            base_print(WASM_BPF_WARN,
                       "  this kernel has no usable BTF at %s: give one for CO-RE with %s (its "
                       "vmlinux BTF, or a minimal one from `bpftool gen min_core_btf`)\n",
                       KERNEL_BTF, host->btf_name);
        const char *why = wasm_bpf__log_reason();
        if (*why)
            wasm_bpf__fail(wi, wasm_bpf__errno_from_libbpf(err),
                           "load: cannot load BPF object '%s': %s (%s)", o->name,
                           wasm_bpf__strerror(err), why);
        else
            wasm_bpf__fail(wi, wasm_bpf__errno_from_libbpf(err),
                           "load: cannot load BPF object '%s': %s", o->name,
                           wasm_bpf__strerror(err));
        if (!host->verbose)
            base_print(WASM_BPF_WARN, "  (run with %s for libbpf's whole log)\n",
                       host->verbose_name);
        goto fail;
    }
    wasm_bpf__log_end();

    if ((err = wasm_bpf__map_fds_add(host, o))) {
        wasm_bpf__fail(wi, err, "load: out of memory");
        goto fail;
    }
    wasm_bpf__buffers_prepare(wi, o);
    WB_STAT_ADD(host->objects_loaded, 1);
    o->handle = ++wi->next_handle;
    o->next = wi->objects;
    wi->objects = o;
    return o->handle;

fail:
    bpf_object__close(o->obj);
    free(o->elf);
    free(o);
    return 0;
}

uint32_t wasm_bpf__value_size(const struct bpf_map *map)
{
    uint32_t size = bpf_map__value_size(map);
    if (percpu_map(bpf_map__type(map))) {
        int ncpus = libbpf_num_possible_cpus();
        if (ncpus < 1)
            ncpus = 1;
        size = ((size + 7) & ~7u) * (uint32_t)ncpus;
    }
    return size;
}
