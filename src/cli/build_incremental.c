/* build_incremental.c: whether a step of `build` runs again.  A step runs
 * when its output is missing, when it was made by another command (kept
 * beside it in OUTPUT.cmd), or when one of its inputs (the compilers'
 * dependency files list the headers) changed after the step last ran
 * (OUTPUT.cmd's time: an output found the same as before keeps its own). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "wasm_bpf_base.h"

bool build_newer(const struct stat *a, const struct stat *b)
{
    return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
           (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
}

/* The prerequisites of a make-style dependency file ("out: a.c b.h \"). */
static int read_deps(const char *path, struct build_strv *deps)
{
    char *text;
    size_t len;
    if (base_read_file(path, 16 << 20, &text, &len) < 0)
        return -1;
    char *p = strchr(text, ':');
    while (p && p[1] != ' ' && p[1] != '\n' && p[1] != '\t' && p[1] != '\0')
        p = strchr(p + 1, ':');
    if (!p) {
        free(text);
        return -1;
    }
    struct base_buf word = {0};
    for (p++;; p++) {
        if (*p == '\\' && p[1] == '\n') {
            p++;
            continue;
        }
        if (*p == '\\' && p[1] == ' ') {
            base_buf_append(&word, " ", 1);
            p++;
            continue;
        }
        if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
            if (word.len)
                build_strv_add(deps, word.data);
            word.len = 0;
            if (word.data)
                word.data[0] = '\0';
            if (*p == '\0' || *p == '\n')
                break;
            continue;
        }
        base_buf_append(&word, p, 1);
    }
    int rc = word.err || deps->failed ? -1 : 0;
    base_buf_free(&word);
    free(text);
    return rc;
}

/* Is OUT up to date: there, made by the command COMMAND (kept in OUT.cmd),
 * and that step run (OUT.cmd written) after each of INPUTS and of the
 * prerequisites in DEPFILE last changed? */
bool build_up_to_date(const char *out, const char *command, char *const *inputs,
                      const char *depfile)
{
    struct stat st_out, st;
    if (stat(out, &st_out) < 0)
        return false;
    char *cmdfile = base_asprintf("%s.cmd", out), *old = NULL;
    size_t len;
    /* the step last ran when OUT.cmd was written: an output found the same
     * as before keeps its older time (what includes it is not rebuilt) */
    bool same = cmdfile && base_read_file(cmdfile, 1 << 20, &old, &len) == 0 &&
                !strcmp(old, command) && stat(cmdfile, &st_out) == 0;
    free(old);
    free(cmdfile);
    if (!same)
        return false;
    for (size_t i = 0; inputs && inputs[i]; i++)
        if (stat(inputs[i], &st) < 0 || build_newer(&st, &st_out))
            return false;
    if (!depfile)
        return true;
    struct build_strv deps = {0};
    bool ok = read_deps(depfile, &deps) == 0;
    for (size_t i = 0; ok && i < deps.n; i++)
        ok = stat(deps.v[i], &st) == 0 && !build_newer(&st, &st_out);
    build_strv_free(&deps);
    return ok;
}

/* After OUT was made by COMMAND: remember the command. */
int build_made(const char *out, const char *command)
{
    char *cmdfile = base_asprintf("%s.cmd", out);
    int fd = cmdfile ? open(cmdfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    int rc = fd >= 0 ? base_write_all(fd, command, strlen(command)) : -errno;
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc < 0)
        build_fail("cannot write %s: %s", cmdfile ? cmdfile : out, strerror(-rc));
    free(cmdfile);
    return rc < 0 ? -1 : 0;
}

/* Forget what made OUT (before a step that may fail half-way). */
void build_unmade(const char *out)
{
    char *cmdfile = base_asprintf("%s.cmd", out);
    if (cmdfile)
        unlink(cmdfile);
    free(cmdfile);
}

bool build_same_contents(const char *a, const char *b)
{
    char *x = NULL, *y = NULL;
    size_t nx, ny;
    bool same = base_read_file(a, 64 << 20, &x, &nx) == 0 &&
                base_read_file(b, 64 << 20, &y, &ny) == 0 && nx == ny && !memcmp(x, y, nx);
    free(x);
    free(y);
    return same;
}
