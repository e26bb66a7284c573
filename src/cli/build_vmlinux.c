/* build_vmlinux.c: vmlinux.h for the BPF side, `bpftool btf dump` of the
 * kernel's BTF (or --btf FILE), made once per BTF into the cache
 * ($XDG_CACHE_HOME/wasm-bpf/vmlinux/, ~/.cache/...), keyed by the BTF's
 * sha256. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "oci.h"
#include "wasm_bpf_base.h"

/* vmlinux.h of the BTF, made once per BTF into the cache. */
int build_vmlinux(struct build *b)
{
    const char *btf = b->a->btf ? b->a->btf : "/sys/kernel/btf/vmlinux";
    if (access(btf, R_OK) < 0)
        return build_fail(
            b->a->btf ? "cannot read %s: %s"
                      : "cannot read %s: %s (a kernel without BTF: give one with --btf FILE)",
            btf, strerror(errno));
    struct oci_error oerr = {0};
    struct oci_options o = {.error = &oerr};
    char digest[OCI_DIGEST_SIZE];
    if (oci_digest_file(btf, &o, digest) < 0)
        return build_fail("%s", oerr.message);
    const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *root = cache && *cache ? base_path_join(cache, "wasm-bpf")
                 : home && *home ? base_path_join(home, ".cache/wasm-bpf")
                                 : NULL;
    if (!root)
        return build_fail("no cache directory: set XDG_CACHE_HOME or HOME");
    /* 16 hex digits: a name per BTF, short enough to read in --verbose */
    b->vmlinux_dir = build_path_in(root, "vmlinux/%.16s", digest + 7);
    free(root);
    char *header = b->vmlinux_dir ? base_path_join(b->vmlinux_dir, "vmlinux.h") : NULL;
    char *tmp = header ? base_asprintf("%s.%d.tmp", header, (int)getpid()) : NULL;
    int rc = -1;
    if (!tmp) {
        build_fail("out of memory");
        goto out;
    }
    if (access(header, R_OK) == 0) {
        rc = 0;
        goto out;
    }
    char *mkdir_argv[] = {"mkdir", "-p", b->vmlinux_dir, NULL};
    char *argv[] = {"bpftool", "btf", "dump", "file", (char *)btf, "format", "c", NULL};
    if (build_need_tool("bpftool") < 0 || build_run(b, NULL, mkdir_argv, NULL) < 0)
        goto out;
    if (build_run(b, NULL, argv, tmp) < 0) {
        unlink(tmp);
        goto out;
    }
    if (b->a->verbose) /* what the rename below does, for a Makefile */
        fprintf(stderr, "mv %s %s\n", tmp, header);
    if (rename(tmp, header) < 0) {
        build_fail("cannot write %s: %s", header, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    free(header);
    return rc;
}
