/* cmd_new.c: `wasm-bpf new NAME [--lang c|rust] [--template T]`: a
 * directory with a small working tool, ready for `wasm-bpf build`.
 *
 * The templates are files in the tree (templates/LANG/TEMPLATE/, installed
 * under PREFIX/share/wasm-bpf/templates), found relative to the binary as
 * the SDK is (datadir.c): a user can read and change them as any source,
 * and a new template is a directory, not C code.  Each file is copied with
 * "NAME" at the start of its file name and "@NAME@" in its text replaced by
 * the tool's name, "@RUST_SDK@" by the Rust SDK crate's directory.  The
 * BPF side is the same in every language: a template without NAME.bpf.c
 * gets c/TEMPLATE's.
 *
 * All or nothing: the tool is written into a hidden sibling directory
 * (.NAME.new-PID, made here, so removing it never removes a user's file),
 * which is renamed to NAME at the end without replacing anything that
 * appeared there meanwhile; on any failure it is removed.  Termination
 * signals wait until then. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "opt.h"
#include "wasm_bpf_base.h"

static const char *const langs[] = {"c", "rust", NULL};
static const char *const templates[] = {"ringbuf", "histogram", "xdp", "uprobe", NULL};

struct new_args {
    const char *lang;
    const char *template;
};

static int set_from(const char *const *names, void *target, const char *value, char *err,
                    size_t errlen)
{
    struct base_buf list = {0};
    for (size_t i = 0; names[i]; i++) {
        if (!strcmp(value, names[i])) {
            *(const char **)target = names[i];
            base_buf_free(&list);
            return 0;
        }
        base_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    }
    snprintf(err, errlen, "expected one of %s", list.data ? list.data : "");
    base_buf_free(&list);
    return -1;
}

static int set_lang(void *target, const char *value, char *err, size_t errlen)
{
    return set_from(langs, target, value, err, errlen);
}

static int set_template(void *target, const char *value, char *err, size_t errlen)
{
    return set_from(templates, target, value, err, errlen);
}

#define AT(member) offsetof(struct new_args, member)
static const struct opt new_opts[] = {
    {"lang", 'l', "LANG", OPT_SET, AT(lang), set_lang, "the guest's language: c (default) or rust"},
    {"template", 't', "TEMPLATE", OPT_SET, AT(template), set_template,
     "ringbuf (default): an event per exec through a ring buffer;\n"
     "histogram: a log2 histogram in a map, printed every few seconds;\n"
     "xdp: frames counted by IP protocol on an interface;\n"
     "uprobe: calls and returns of a function of a program or library"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
#undef AT

static const struct opt_group new_groups[] = {
    {new_opts, 0, NULL},
    {NULL, 0, NULL},
};

const struct opt_command cmd_new_spec = {
    .name = "new",
    .usage = "new [options] NAME",
    .description = "Create the directory NAME with a small working tool: the kernel side\n"
                   "(NAME.bpf.c), the guest (NAME.c, or a Cargo project with --lang rust), a\n"
                   "README.md whose first line gives the version `build` records, and a\n"
                   ".gitignore.  Comments in the sources say where to change what.  All or\n"
                   "nothing: a failure leaves no NAME (it is written beside, then renamed).\n"
                   "Then:\n"
                   "  cd NAME && wasm-bpf build && sudo wasm-bpf run NAME.wasm\n",
    .groups = new_groups,
    .epilog = "NAME is a path; its last component names the tool and the C identifiers\n"
              "(letters, digits and '_', starting with a letter).  The templates are the\n"
              "files in PREFIX/share/wasm-bpf/templates (templates/ in a checkout).\n",
};

#define GITIGNORE_BUILD "# what `wasm-bpf build` makes\n/.wasm-bpf-build/\n/*.wasm\n"
static const char gitignore[] = GITIGNORE_BUILD;
/* a Rust tool's also what a plain `cargo build` makes, as `cargo new` writes */
static const char gitignore_rust[] = GITIGNORE_BUILD "# what `cargo build` makes\n/target/\n";

static bool valid_tool_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) || strlen(s) > 48)
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", *p))
            return false;
    return true;
}

struct instantiation {
    const char *name;
    char *rust_sdk; /* for @RUST_SDK@, found on first use */
};

/* TEXT with the placeholders replaced; NULL when out of memory or when
 * @RUST_SDK@ is needed and not found (message printed). */
static char *fill(struct instantiation *in, const char *text)
{
    struct base_buf out = {0};
    for (const char *p = text; *p;) {
        if (!strncmp(p, "@NAME@", 6)) {
            base_buf_puts(&out, in->name);
            p += 6;
        } else if (!strncmp(p, "@RUST_SDK@", 10)) {
            if (!in->rust_sdk && !(in->rust_sdk = cli_data_dir(CLI_DATA_SDK_RUST))) {
                fprintf(
                    stderr,
                    "wasm-bpf new: the Rust SDK crate is not beside this binary (PREFIX/%s) nor in "
                    "its checkout (sdk/rust)\n",
                    cli_data_where(CLI_DATA_SDK_RUST));
                base_buf_free(&out);
                return NULL;
            }
            base_buf_puts(&out, in->rust_sdk);
            p += 10;
        } else {
            base_buf_append(&out, p++, 1);
        }
    }
    char *s = base_buf_take(&out, NULL);
    if (!s)
        fprintf(stderr, "wasm-bpf new: out of memory\n");
    return s;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wxe");
    if (!f) {
        fprintf(stderr, "wasm-bpf new: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* fclose once, whatever fputs did: a full disk shows at the flush */
    int err = fputs(text, f) < 0 ? errno : 0;
    if (fclose(f) != 0 && !err)
        err = errno;
    if (err) {
        fprintf(stderr, "wasm-bpf new: cannot write %s: %s\n", path, strerror(err));
        return -1;
    }
    return 0;
}

/* Copy the template file FROM to TO, filled in. */
static int copy_file(struct instantiation *in, const char *from, const char *to)
{
    char *text = NULL;
    size_t len;
    int r = base_read_file(from, 1 << 20, &text, &len);
    if (r < 0) {
        fprintf(stderr, "wasm-bpf new: cannot read %s: %s\n", from, strerror(-r));
        return -1;
    }
    char *filled = fill(in, text);
    r = filled ? write_text(to, filled) : -1;
    free(text);
    free(filled);
    return r;
}

static int copy_dir(struct instantiation *in, const char *from, const char *to);

/* Copy what the template directory FROM holds into the directory TO,
 * recursively. */
static int copy_contents(struct instantiation *in, const char *from, const char *to)
{
    DIR *d = opendir(from);
    if (!d) {
        fprintf(stderr, "wasm-bpf new: cannot read the template %s: %s\n", from, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *src = base_path_join(from, e->d_name);
        char *name = !strncmp(e->d_name, "NAME", 4) ? base_asprintf("%s%s", in->name, e->d_name + 4)
                                                    : base_strdup(e->d_name);
        char *dst = name ? base_path_join(to, name) : NULL;
        struct stat st;
        if (!src || !dst) {
            fprintf(stderr, "wasm-bpf new: out of memory\n");
            rc = -1;
        } else if (stat(src, &st) < 0) {
            fprintf(stderr, "wasm-bpf new: cannot read %s: %s\n", src, strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = copy_dir(in, src, dst);
        } else {
            rc = copy_file(in, src, dst);
        }
        free(src);
        free(name);
        free(dst);
    }
    closedir(d);
    return rc;
}

/* Copy the template directory FROM to TO (created). */
static int copy_dir(struct instantiation *in, const char *from, const char *to)
{
    if (mkdir(to, 0755) < 0) {
        fprintf(stderr, "wasm-bpf new: cannot create %s: %s\n", to, strerror(errno));
        return -1;
    }
    return copy_contents(in, from, to);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    if (remove(path) < 0)
        fprintf(stderr, "wasm-bpf new: cannot remove %s: %s\n", path, strerror(errno));
    return 0; /* remove what can be */
}

/* The hidden sibling of PATH the tool is written into, created (mode 0755
 * less the umask, as mkdir(1)), or NULL after saying why. */
static char *make_staging_dir(const char *path, const char *name)
{
    char *parent = base_path_dirname(path);
    if (!parent) {
        fprintf(stderr, "wasm-bpf new: out of memory\n");
        return NULL;
    }
    for (unsigned i = 0; i < 100; i++) {
        char *staging = i ? base_asprintf("%s/.%s.new-%ld-%u", parent, name, (long)getpid(), i)
                          : base_asprintf("%s/.%s.new-%ld", parent, name, (long)getpid());
        if (!staging) {
            fprintf(stderr, "wasm-bpf new: out of memory\n");
            break;
        }
        if (mkdir(staging, 0755) == 0) {
            free(parent);
            return staging;
        }
        int err = errno;
        free(staging);
        if (err != EEXIST) {
            fprintf(stderr, "wasm-bpf new: cannot create %s: cannot write in %s: %s\n", path,
                    parent, strerror(err));
            break;
        }
    }
    free(parent);
    return NULL;
}

/* STAGING renamed to PATH, unless PATH exists (made meanwhile). */
static int publish(const char *staging, const char *path)
{
    if (renameat2(AT_FDCWD, staging, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    int err = errno;
    struct stat st;
    /* a file system without RENAME_NOREPLACE: check, then rename (which
     * would replace only an empty directory made in between) */
    if (err == EINVAL && lstat(path, &st) < 0 && errno == ENOENT && rename(staging, path) == 0)
        return 0;
    if (err == EINVAL)
        err = errno;
    fprintf(stderr, "wasm-bpf new: cannot create %s: %s\n", path,
            err == EEXIST || err == ENOTEMPTY ? "it was created meanwhile" : strerror(err));
    return -1;
}

int cmd_new(int argc, char **argv)
{
    struct new_args a = {.lang = "c", .template = "ringbuf"};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        return 1;
    int nargs, rc = opt_parse(&cmd_new_spec, &a, argc, argv, args, &nargs);
    if (rc < 0 && nargs == 0)
        rc = opt_args_error(&cmd_new_spec, "expected the tool's NAME");
    if (rc < 0 && nargs > 1)
        rc = opt_args_error(&cmd_new_spec, "unexpected argument '%s'", args[1]);
    char *name = rc < 0 ? base_path_basename(args[0]) : NULL;
    if (rc < 0 && name && !valid_tool_name(name))
        rc = opt_usage_error(
            &cmd_new_spec,
            "'%s': a tool's name is letters, digits and '_', starting with a letter (it names C "
            "identifiers and the module)",
            name);
    struct stat st;
    if (rc < 0 && lstat(args[0], &st) == 0)
        rc = opt_usage_error(&cmd_new_spec, "'%s' already exists", args[0]);
    if (rc >= 0)
        goto out;
    rc = 1;
    if (!name) {
        fprintf(stderr, "wasm-bpf new: out of memory\n");
        goto out;
    }
    char *root = cli_data_dir(CLI_DATA_TEMPLATES);
    if (!root) {
        fprintf(stderr,
                "wasm-bpf new: the templates are not beside this binary (PREFIX/%s) nor in its "
                "checkout (templates/)\n",
                cli_data_where(CLI_DATA_TEMPLATES));
        goto out;
    }
    char *from = base_asprintf("%s/%s/%s", root, a.lang, a.template);
    char *bpf_from = base_asprintf("%s/c/%s/NAME.bpf.c", root, a.template);
    free(root);
    struct instantiation in = {.name = name};
    char *staging = NULL, *ignore = NULL, *bpf_to = NULL;
    /* Ctrl-C and the like wait until the directory is complete or gone */
    sigset_t stop, old_mask;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigaddset(&stop, SIGQUIT);
    sigprocmask(SIG_BLOCK, &stop, &old_mask);
    if (!from || !bpf_from)
        fprintf(stderr, "wasm-bpf new: out of memory\n");
    else if (access(from, R_OK) < 0)
        fprintf(stderr, "wasm-bpf new: no template %s for %s (%s)\n", a.template, a.lang, from);
    else if ((staging = make_staging_dir(args[0], name))) {
        bpf_to = base_asprintf("%s/%s.bpf.c", staging, name);
        ignore = base_path_join(staging, ".gitignore");
        if (!bpf_to || !ignore)
            fprintf(stderr, "wasm-bpf new: out of memory\n");
        else if (copy_contents(&in, from, staging) == 0 &&
                 write_text(ignore, strcmp(a.lang, "rust") ? gitignore : gitignore_rust) == 0 &&
                 (access(bpf_to, F_OK) == 0 || copy_file(&in, bpf_from, bpf_to) == 0) &&
                 publish(staging, args[0]) == 0)
            rc = 0;
        if (rc != 0) {
            nftw(staging, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
            fprintf(stderr, "wasm-bpf new: %s not created\n", args[0]);
        }
    }
    if (rc == 0)
        printf(
            "Created %s (%s, template %s).  Next:\n  cd %s && wasm-bpf build && sudo wasm-bpf run %s.wasm\n",
            args[0], a.lang, a.template, args[0], name);
    fflush(stdout);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    free(staging);
    free(from);
    free(bpf_from);
    free(bpf_to);
    free(ignore);
    free(in.rust_sdk);
out:
    free(name);
    free(args);
    return rc;
}
