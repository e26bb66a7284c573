/* spec_runner: runs the WebAssembly spec tests, converted by wast2json,
 * through the engine's embedding API.
 *
 *   spec_runner [-v] FILE.json...
 *
 * Every command is checked: module (binary, named), register, action,
 * assert_return (NaN patterns and references included), assert_trap,
 * assert_exhaustion, assert_invalid, assert_malformed (binary form; the
 * text form is the converter's business and is skipped with that reason),
 * assert_unlinkable and assert_uninstantiable.  Prints one line per file
 * after a first line "tier: interp|jit" (the tier that runs), and ends with
 * "N passed, N failed, N skipped". */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_bpf_base.h"
#include "wasm_engine.h"

static bool verbose;
static int total_passed, total_failed, total_skipped;

typedef struct named_instance {
    char *name;
    wasm_instance *inst;
    wasm_module *mod;
} named_instance;

typedef struct file_state {
    const char *path;
    char dir[4096];
    wasm_runtime *rt;
    wasm_linker *linker;
    named_instance *instances;
    size_t ninstances;
    wasm_instance *current;
    int passed, failed, skipped;
    char skip_reasons[4096];
} file_state;

/* ------------------------------------------------------------------ */

static wasm_status spectest_print(wasm_instance *inst, void *ud, wasm_value *args)
{
    (void)inst, (void)ud, (void)args;
    return WASM_OK;
}

static void define_spectest(file_state *fs)
{
    static const char *const prints[][2] = {
        {"print", "()"},           {"print_i32", "(i)"}, {"print_i64", "(I)"},
        {"print_f32", "(f)"},      {"print_f64", "(F)"}, {"print_i32_f32", "(if)"},
        {"print_f64_f64", "(FF)"},
    };
    for (size_t i = 0; i < sizeof prints / sizeof prints[0]; i++)
        wasm_linker_define_func(fs->linker, "spectest", prints[i][0], prints[i][1], spectest_print,
                                NULL);
    wasm_value v;
    v.raw = 0;
    v.i32 = 666;
    wasm_linker_define_global(fs->linker, "spectest", "global_i32",
                              wasm_global_new(fs->rt, WASM_I32, 0, v));
    v.raw = 0;
    v.i64 = 666;
    wasm_linker_define_global(fs->linker, "spectest", "global_i64",
                              wasm_global_new(fs->rt, WASM_I64, 0, v));
    v.raw = 0;
    v.f32 = 666.6f;
    wasm_linker_define_global(fs->linker, "spectest", "global_f32",
                              wasm_global_new(fs->rt, WASM_F32, 0, v));
    v.raw = 0;
    v.f64 = 666.6;
    wasm_linker_define_global(fs->linker, "spectest", "global_f64",
                              wasm_global_new(fs->rt, WASM_F64, 0, v));
    wasm_linker_define_table(fs->linker, "spectest", "table",
                             wasm_table_new(fs->rt, WASM_FUNCREF, 10, 20));
    wasm_linker_define_memory(fs->linker, "spectest", "memory", wasm_memory_new(fs->rt, 1, 2));
}

/* ------------------------------------------------------------------ */

__attribute__((format(printf, 3, 4))) static void fail(file_state *fs, json_t *cmd, const char *fmt,
                                                       ...)
{
    fs->failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "  FAIL %s:%lld: ", fs->path,
            (long long)json_integer_value(json_object_get(cmd, "line")));
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

static void pass(file_state *fs)
{
    fs->passed++;
}

static void skip(file_state *fs, const char *reason)
{
    fs->skipped++;
    if (!strstr(fs->skip_reasons, reason)) {
        size_t n = strlen(fs->skip_reasons);
        snprintf(fs->skip_reasons + n, sizeof fs->skip_reasons - n, "%s%s", n ? "; " : "", reason);
    }
}

/* On failure *error is the errno of wasm_module_load (ENOEXEC: malformed,
 * EINVAL: invalid), or of reading the file. */
static wasm_module *load_module(file_state *fs, json_t *cmd, int *error, char *err, size_t errlen)
{
    const char *file = json_string_value(json_object_get(cmd, "filename"));
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", fs->dir, file ? file : "?");
    size_t len;
    char *bytes;
    int rerr = base_read_file(path, SIZE_MAX - 1, &bytes, &len);
    if (rerr) {
        snprintf(err, errlen, "cannot read %.900s: %s", path, strerror(-rerr));
        *error = -rerr;
        return NULL;
    }
    wasm_module *m = wasm_module_load((const uint8_t *)bytes, len, err, errlen);
    *error = m ? 0 : errno;
    free(bytes);
    return m;
}

static wasm_instance *find_instance(file_state *fs, const char *name)
{
    if (!name)
        return fs->current;
    for (size_t i = fs->ninstances; i-- > 0;)
        if (fs->instances[i].name && !strcmp(fs->instances[i].name, name))
            return fs->instances[i].inst;
    return NULL;
}

static void keep_instance(file_state *fs, const char *name, wasm_instance *inst, wasm_module *mod)
{
    named_instance *n = realloc(fs->instances, (fs->ninstances + 1) * sizeof *n);
    if (!n)
        abort();
    fs->instances = n;
    n[fs->ninstances++] = (named_instance){name ? strdup(name) : NULL, inst, mod};
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

static int type_of(const char *t)
{
    if (!strcmp(t, "i32"))
        return WASM_I32;
    if (!strcmp(t, "i64"))
        return WASM_I64;
    if (!strcmp(t, "f32"))
        return WASM_F32;
    if (!strcmp(t, "f64"))
        return WASM_F64;
    if (!strcmp(t, "funcref"))
        return WASM_FUNCREF;
    if (!strcmp(t, "externref"))
        return WASM_EXTERNREF;
    return -1;
}

/* externref N is the host value N + 1, so that ref.extern 0 is not null */
static bool parse_value(json_t *v, wasm_value *out)
{
    const char *t = json_string_value(json_object_get(v, "type"));
    const char *s = json_string_value(json_object_get(v, "value"));
    if (!t || !s)
        return false;
    out->raw = 0;
    int type = type_of(t);
    switch (type) {
    case WASM_I32:
    case WASM_F32: out->raw = (uint32_t)strtoull(s, NULL, 10); return true;
    case WASM_I64:
    case WASM_F64: out->raw = strtoull(s, NULL, 10); return true;
    case WASM_FUNCREF:
    case WASM_EXTERNREF: out->raw = !strcmp(s, "null") ? 0 : strtoull(s, NULL, 10) + 1; return true;
    }
    return false;
}

static bool value_matches(json_t *exp, wasm_value got, char *why, size_t whylen)
{
    const char *t = json_string_value(json_object_get(exp, "type"));
    const char *s = json_string_value(json_object_get(exp, "value"));
    int type = t ? type_of(t) : -1;
    if (type < 0 || !s) {
        snprintf(why, whylen, "unsupported expected value");
        return false;
    }
    if (type == WASM_F32 || type == WASM_F64) {
        bool is32 = type == WASM_F32;
        uint64_t bits = is32 ? (uint32_t)got.raw : got.raw;
        uint64_t exp_mask = is32 ? 0x7f800000u : 0x7ff0000000000000ull;
        uint64_t quiet = is32 ? 0x00400000u : 0x0008000000000000ull;
        uint64_t payload = is32 ? 0x007fffffu : 0x000fffffffffffffull;
        bool nan = (bits & exp_mask) == exp_mask && (bits & payload);
        if (!strcmp(s, "nan:canonical")) {
            if (nan && (bits & payload) == quiet)
                return true;
            snprintf(why, whylen, "expected nan:canonical, got 0x%llx", (unsigned long long)bits);
            return false;
        }
        if (!strcmp(s, "nan:arithmetic")) {
            if (nan && (bits & quiet))
                return true;
            snprintf(why, whylen, "expected nan:arithmetic, got 0x%llx", (unsigned long long)bits);
            return false;
        }
    }
    wasm_value e;
    parse_value(exp, &e);
    uint64_t a = got.raw, b = e.raw;
    if (type == WASM_I32 || type == WASM_F32)
        a = (uint32_t)a, b = (uint32_t)b;
    if (a == b)
        return true;
    snprintf(why, whylen, "expected %s %s, got 0x%llx", t, s, (unsigned long long)a);
    return false;
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */
/* ------------------------------------------------------------------ */

/* Runs an action; returns the status, fills results (*nresults). */
static wasm_status run_action(file_state *fs, json_t *cmd, wasm_value *results, size_t *nresults,
                              char *err, size_t errlen)
{
    json_t *action = json_object_get(cmd, "action");
    const char *type = json_string_value(json_object_get(action, "type"));
    const char *module = json_string_value(json_object_get(action, "module"));
    const char *field = json_string_value(json_object_get(action, "field"));
    wasm_instance *inst = find_instance(fs, module);
    *nresults = 0;
    if (!inst || !field) {
        snprintf(err, errlen, "no instance %s", module ? module : "(current)");
        return (wasm_status)-1;
    }
    if (!strcmp(type, "get")) {
        wasm_global *g = wasm_instance_global_export(inst, field);
        if (!g) {
            snprintf(err, errlen, "no global export \"%s\"", field);
            return (wasm_status)-1;
        }
        results[0] = wasm_global_get(g);
        *nresults = 1;
        return WASM_OK;
    }
    wasm_func *f =
        wasm_instance_func_len(inst, field, json_string_length(json_object_get(action, "field")));
    if (!f) {
        snprintf(err, errlen, "no function export \"%s\"", field);
        return (wasm_status)-1;
    }
    json_t *args = json_object_get(action, "args");
    wasm_value argv[64];
    size_t nargs = json_array_size(args);
    if (nargs > 64 || nargs != wasm_func_param_count(f)) {
        snprintf(err, errlen, "argument count mismatch");
        return (wasm_status)-1;
    }
    for (size_t i = 0; i < nargs; i++)
        parse_value(json_array_get(args, i), &argv[i]);
    if (wasm_func_result_count(f) > 64) {
        snprintf(err, errlen, "too many results");
        return (wasm_status)-1;
    }
    wasm_status st = wasm_call(wasm_instance_runtime(inst), f, argv, results);
    *nresults = wasm_func_result_count(f);
    if (st != WASM_OK)
        snprintf(err, errlen, "%s", wasm_runtime_trap_message(fs->rt));
    return st;
}

/* Trap texts of the spec interpreter that our messages spell differently. */
static bool trap_text_matches(wasm_status st, const char *msg, const char *expected)
{
    if (!expected || !strncmp(msg, expected, strlen(expected)))
        return true;
    if (st == WASM_TRAP_TABLE_OOB && !strcmp(expected, "undefined element"))
        return true;
    if (st == WASM_TRAP_NULL_FUNC && !strncmp(expected, "uninitialized element", 21))
        return true;
    if (st == WASM_TRAP_MEMORY_OOB && !strcmp(expected, "out of bounds memory access"))
        return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

static void cmd_module(file_state *fs, json_t *cmd)
{
    char err[1024];
    int lerr;
    wasm_module *m = load_module(fs, cmd, &lerr, err, sizeof err);
    if (!m) {
        fail(fs, cmd, "module does not load: %s", err);
        fs->current = NULL;
        return;
    }
    wasm_instance *inst = wasm_instantiate(fs->rt, m, fs->linker, err, sizeof err);
    if (!inst) {
        fail(fs, cmd, "module does not instantiate: %s", err);
        wasm_module_free(m);
        fs->current = NULL;
        return;
    }
    keep_instance(fs, json_string_value(json_object_get(cmd, "name")), inst, m);
    fs->current = inst;
    pass(fs);
}

static void cmd_register(file_state *fs, json_t *cmd)
{
    const char *as = json_string_value(json_object_get(cmd, "as"));
    wasm_instance *inst = find_instance(fs, json_string_value(json_object_get(cmd, "name")));
    if (!inst || !as) {
        fail(fs, cmd, "register: no such instance");
        return;
    }
    if (wasm_linker_define_instance(fs->linker, as, inst))
        fail(fs, cmd, "register: out of memory");
    else
        pass(fs);
}

static void cmd_assert_return(file_state *fs, json_t *cmd)
{
    wasm_value results[64];
    size_t n;
    char err[1024];
    wasm_status st = run_action(fs, cmd, results, &n, err, sizeof err);
    if (st != WASM_OK) {
        fail(fs, cmd, "%s", err);
        return;
    }
    json_t *expected = json_object_get(cmd, "expected");
    if (json_array_size(expected) != n) {
        fail(fs, cmd, "expected %zu results, got %zu", json_array_size(expected), n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char why[256];
        if (!value_matches(json_array_get(expected, i), results[i], why, sizeof why)) {
            fail(fs, cmd, "result %zu: %s", i, why);
            return;
        }
    }
    pass(fs);
}

static void cmd_assert_trap(file_state *fs, json_t *cmd, bool exhaustion)
{
    wasm_value results[64];
    size_t n;
    char err[1024];
    const char *text = json_string_value(json_object_get(cmd, "text"));
    wasm_status st = run_action(fs, cmd, results, &n, err, sizeof err);
    if (st == WASM_OK) {
        fail(fs, cmd, "expected trap \"%s\", returned normally", text ? text : "");
        return;
    }
    if ((int)st < 0) {
        fail(fs, cmd, "%s", err);
        return;
    }
    if (exhaustion ? st != WASM_TRAP_STACK_EXHAUSTED : !trap_text_matches(st, err, text)) {
        fail(fs, cmd, "expected trap \"%s\", got \"%s\"", text ? text : "", err);
        return;
    }
    pass(fs);
}

static const char *load_error_name(int error)
{
    return error == ENOEXEC ? "malformed" : error == EINVAL ? "invalid" : "other";
}

/* want: ENOEXEC (assert_malformed) or EINVAL (assert_invalid) */
static void cmd_assert_load_fails(file_state *fs, json_t *cmd, int want)
{
    const char *mt = json_string_value(json_object_get(cmd, "module_type"));
    if (mt && !strcmp(mt, "text")) {
        skip(fs, "assert_malformed in text form (checked by wast2json, not by the engine)");
        return;
    }
    char err[1024];
    int error;
    wasm_module *m = load_module(fs, cmd, &error, err, sizeof err);
    const char *text = json_string_value(json_object_get(cmd, "text"));
    if (m) {
        wasm_module_free(m);
        fail(fs, cmd, "expected %s module (\"%s\"), but it loaded", load_error_name(want),
             text ? text : "");
        return;
    }
    if (error != want) {
        fail(fs, cmd, "expected %s (\"%s\"), got %s: %s", load_error_name(want), text ? text : "",
             load_error_name(error), err);
        return;
    }
    if (verbose)
        printf("  ok %s:%lld: \"%s\" -> %s\n", fs->path,
               (long long)json_integer_value(json_object_get(cmd, "line")), text ? text : "", err);
    pass(fs);
}

/* unlinkable: wasm_instantiate fails with ENOENT or EINVAL (an import is
 * missing or of another type); otherwise with ECANCELED (a trap) */
static void cmd_assert_instantiate_fails(file_state *fs, json_t *cmd, bool unlinkable)
{
    char err[1024];
    int lerr;
    wasm_module *m = load_module(fs, cmd, &lerr, err, sizeof err);
    if (!m) {
        fail(fs, cmd, "module does not load: %s", err);
        return;
    }
    wasm_instance *inst = wasm_instantiate(fs->rt, m, fs->linker, err, sizeof err);
    int error = inst ? 0 : errno;
    if (inst) {
        /* it may be referenced by tables it wrote into: keep it */
        keep_instance(fs, NULL, inst, m);
        fail(fs, cmd, "expected instantiation to fail");
        return;
    }
    if (unlinkable ? error != ENOENT && error != EINVAL : error != ECANCELED) {
        fail(fs, cmd, "instantiation failed the wrong way (%s): %s", strerror(error), err);
        wasm_module_free(m);
        return;
    }
    /* a failed instantiation may have written into imported tables
     * references to its functions; keep the module alive for them */
    keep_instance(fs, NULL, NULL, m);
    pass(fs);
}

static void run_file(const char *json_path)
{
    json_error_t jerr;
    json_t *root = json_load_file(json_path, JSON_ALLOW_NUL, &jerr);
    file_state fs;
    memset(&fs, 0, sizeof fs);
    fs.path = json_path;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", json_path);
    snprintf(fs.dir, sizeof fs.dir, "%s", dirname(tmp));
    const char *label = json_path;
    if (!root) {
        printf("%s: cannot parse: %s\n", label, jerr.text);
        total_failed++;
        return;
    }
    const char *source = json_string_value(json_object_get(root, "source_filename"));
    if (source)
        label = source;
    fs.rt = wasm_runtime_new(NULL);
    fs.linker = wasm_linker_new();
    define_spectest(&fs);
    json_t *cmds = json_object_get(root, "commands");
    for (size_t i = 0; i < json_array_size(cmds); i++) {
        json_t *cmd = json_array_get(cmds, i);
        const char *type = json_string_value(json_object_get(cmd, "type"));
        if (!type)
            continue;
        if (!strcmp(type, "module")) {
            cmd_module(&fs, cmd);
        } else if (!strcmp(type, "register")) {
            cmd_register(&fs, cmd);
        } else if (!strcmp(type, "action")) {
            wasm_value r[64];
            size_t n;
            char err[1024];
            if (run_action(&fs, cmd, r, &n, err, sizeof err) != WASM_OK)
                fail(&fs, cmd, "action failed: %s", err);
            else
                pass(&fs);
        } else if (!strcmp(type, "assert_return")) {
            cmd_assert_return(&fs, cmd);
        } else if (!strcmp(type, "assert_trap")) {
            cmd_assert_trap(&fs, cmd, false);
        } else if (!strcmp(type, "assert_exhaustion")) {
            cmd_assert_trap(&fs, cmd, true);
        } else if (!strcmp(type, "assert_invalid")) {
            cmd_assert_load_fails(&fs, cmd, EINVAL);
        } else if (!strcmp(type, "assert_malformed")) {
            cmd_assert_load_fails(&fs, cmd, ENOEXEC);
        } else if (!strcmp(type, "assert_unlinkable")) {
            cmd_assert_instantiate_fails(&fs, cmd, true);
        } else if (!strcmp(type, "assert_uninstantiable")) {
            cmd_assert_instantiate_fails(&fs, cmd, false);
        } else {
            fail(&fs, cmd, "unknown command type %s", type);
        }
    }
    printf("%s: %d passed, %d failed, %d skipped%s%s%s\n", label, fs.passed, fs.failed, fs.skipped,
           fs.skipped ? " (" : "", fs.skip_reasons, fs.skipped ? ")" : "");
    total_passed += fs.passed;
    total_failed += fs.failed;
    total_skipped += fs.skipped;
    wasm_linker_free(fs.linker);
    wasm_runtime_free(fs.rt);
    for (size_t i = 0; i < fs.ninstances; i++) {
        free(fs.instances[i].name);
        wasm_module_free(fs.instances[i].mod);
    }
    free(fs.instances);
    json_decref(root);
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i < argc && !strcmp(argv[i], "-v")) {
        verbose = true;
        i++;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: spec_runner [-v] FILE.json...\n");
        return 2;
    }
    /* the tier that ran (the compiler is asked for but absent in a
     * -DWASM_NO_JIT build or elsewhere than x86-64), for the closing label */
    wasm_runtime *rt = wasm_runtime_new(NULL);
    if (!rt) {
        fprintf(stderr, "spec_runner: no runtime: %s\n", strerror(errno));
        return 2;
    }
    printf("tier: %s\n", wasm_engine_name(wasm_runtime_engine(rt)));
    wasm_runtime_free(rt);
    for (; i < argc; i++)
        run_file(argv[i]);
    printf("%d passed, %d failed, %d skipped\n", total_passed, total_failed, total_skipped);
    return total_failed ? 1 : 0;
}
