/* wasm_engine.h: the WebAssembly engine's embedding API.
 *
 * The engine decodes, validates and compiles a module once (wasm_module_load),
 * links it against host functions and other instances (wasm_linker), and runs
 * it in a runtime (wasm_runtime) that owns the value stack, the limits, the
 * interrupt and stop flags and the last trap.  It knows nothing of WASI, BPF or OCI.
 *
 * Values cross the API as wasm_value: a 64-bit cell whose active member is
 * given by the Wasm type.  i32/f32 live in the low 32 bits.  A funcref is a
 * wasm_func pointer (NULL is ref.null); an externref is an opaque host
 * uintptr_t where 0 is ref.null.
 *
 * Errors follow libbpf's convention: functions that return an int return 0
 * (or a count) on success and a negative errno on failure; functions that
 * return a pointer return NULL and set errno; messages go to a buffer the
 * caller passes.  The errno of each failure is listed with the function.
 * Running code ends with a wasm_status: a trap is a result, not an error.
 *
 * Threading: a runtime and its instances are used by one thread at a time.
 * wasm_runtime_interrupt() and wasm_runtime_request_stop() are the only
 * calls that are safe from a signal handler or from another thread.
 */
#ifndef WASM_ENGINE_H
#define WASM_ENGINE_H

/* Every name declared here is part of the library's interface (the rest of
 * libwasm-bpf.a is hidden: see the Makefile). */
#pragma GCC visibility push(default)

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasm_module wasm_module;   /* decoded, validated, compiled; immutable */
typedef struct wasm_runtime wasm_runtime; /* stack, limits, interrupt flag, trap state */
typedef struct wasm_linker wasm_linker;   /* named imports available to instances */
typedef struct wasm_instance wasm_instance;
typedef struct wasm_func wasm_func;
typedef struct wasm_memory wasm_memory;
typedef struct wasm_table wasm_table;
typedef struct wasm_global wasm_global;

/* Value types, numbered as in the binary format. */
typedef enum wasm_valtype {
    WASM_I32 = 0x7f,
    WASM_I64 = 0x7e,
    WASM_F32 = 0x7d,
    WASM_F64 = 0x7c,
    WASM_FUNCREF = 0x70,
    WASM_EXTERNREF = 0x6f,
} wasm_valtype;

typedef union wasm_value {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    wasm_func *funcref;
    uintptr_t externref;
    uint64_t raw;
} wasm_value;

typedef enum wasm_extern_kind {
    WASM_EXTERN_FUNC = 0,
    WASM_EXTERN_TABLE = 1,
    WASM_EXTERN_MEMORY = 2,
    WASM_EXTERN_GLOBAL = 3,
} wasm_extern_kind;

/* Outcome of running code.  WASM_OK is 0; every other value stops the
 * guest and unwinds to the embedder.  wasm_runtime_trap_message() gives the
 * text, with the function name from the module's name section. */
typedef enum wasm_status {
    WASM_OK = 0,
    WASM_TRAP_UNREACHABLE,        /* "unreachable" executed */
    WASM_TRAP_MEMORY_OOB,         /* out of bounds memory access */
    WASM_TRAP_TABLE_OOB,          /* out of bounds table access / undefined element */
    WASM_TRAP_NULL_FUNC,          /* uninitialized element / null function reference */
    WASM_TRAP_INDIRECT_TYPE,      /* indirect call type mismatch */
    WASM_TRAP_DIV_ZERO,           /* integer divide by zero */
    WASM_TRAP_INT_OVERFLOW,       /* integer overflow */
    WASM_TRAP_INVALID_CONVERSION, /* invalid conversion to integer */
    WASM_TRAP_STACK_EXHAUSTED,    /* call stack exhausted */
    WASM_TRAP_INTERRUPTED,        /* wasm_runtime_interrupt() was called */
    WASM_TRAP_HOST,               /* a host function failed (message set by it) */
    WASM_TRAP_EXIT,               /* the guest asked to exit (WASI proc_exit) */
    WASM_TRAP_OUT_OF_FUEL,        /* the fuel limit ran out (fuzzing builds) */
} wasm_status;

/* ------------------------------------------------------------------ */
/* Modules                                                            */
/* ------------------------------------------------------------------ */

/* Decode, validate and compile.  On failure returns NULL, writes a message
 * naming the section, the byte offset and the reason into err (if errlen is
 * not 0), and sets errno to
 *   ENOEXEC  the bytes are not a well-formed binary module ("malformed")
 *   EINVAL   well formed, but fails validation ("invalid"), or bytes is NULL
 *   E2BIG    over an implementation limit (types, operand stack, nesting,
 *            compiled code size...)
 *   ENOMEM   out of memory
 * The bytes are not referenced after the call. */
wasm_module *wasm_module_load(const uint8_t *bytes, size_t len, char *err, size_t errlen);
/* The same, and stoppable: once wasm_runtime_interrupt() or
 * wasm_runtime_request_stop() was called on `watch` (from a signal handler,
 * say), the load ends at the next section, function body or data segment
 * with NULL, errno EINTR and "interrupted while loading".  The module is not
 * tied to `watch`; NULL watches nothing. */
wasm_module *wasm_module_load_interruptible(const uint8_t *bytes, size_t len,
                                            const wasm_runtime *watch, char *err, size_t errlen);
void wasm_module_free(wasm_module *mod);

/* Custom section by name (the first one with that name), or NULL. */
const uint8_t *wasm_module_custom_section(const wasm_module *mod, const char *name, size_t *len);

/* Imports and exports of a module, for tools and error messages. */
uint32_t wasm_module_import_count(const wasm_module *mod);
void wasm_module_import(const wasm_module *mod, uint32_t i, const char **module, const char **name,
                        wasm_extern_kind *kind);
uint32_t wasm_module_export_count(const wasm_module *mod);
void wasm_module_export(const wasm_module *mod, uint32_t i, const char **name,
                        wasm_extern_kind *kind);

/* ------------------------------------------------------------------ */
/* Runtime                                                            */
/* ------------------------------------------------------------------ */

/* Execution tiers.  The compiler translates functions to machine code
 * (x86-64; elsewhere, and for anything it does not handle, the interpreter
 * runs).  `jit` compiles every function when a module is first
 * instantiated in a runtime that uses it; `tiered` starts every function
 * in the interpreter and compiles those that run hot (with the functions
 * they call directly), switching a running loop over to machine code, so
 * that code that runs once is never compiled. */
typedef enum wasm_engine_tier {
    WASM_ENGINE_DEFAULT = 0, /* $WASM_BPF_ENGINE ("tiered", "jit" or "interp"), else tiered */
    WASM_ENGINE_INTERP,
    WASM_ENGINE_JIT,
    WASM_ENGINE_TIERED,
} wasm_engine_tier;

/* Set sz to sizeof(wasm_runtime_config) (libbpf's convention, so that the
 * struct can grow): WASM_RUNTIME_CONFIG(cfg, .max_memory_pages = 16); */
typedef struct wasm_runtime_config {
    size_t sz;
    uint32_t max_memory_pages; /* cap on any memory of this runtime (64 KiB pages); 0 = 65536 */
    uint32_t max_call_depth;   /* nested Wasm calls before "call stack exhausted"; 0 = default */
    uint32_t stack_slots;      /* value stack size in 8-byte slots; 0 = default (1 Mi slots) */
    uint32_t engine;           /* wasm_engine_tier */
    /* tiered: interpreted calls and loop iterations between two looks at
     * what runs hot (each compiles what it finds); 0 = default (1000) */
    uint32_t tier_period;
} wasm_runtime_config;
#define WASM_RUNTIME_CONFIG(name, ...) \
    wasm_runtime_config name = {.sz = sizeof(wasm_runtime_config), __VA_ARGS__}

/* cfg may be NULL.  NULL with errno EINVAL when the tier (or $WASM_BPF_ENGINE)
 * is not one of the above or cfg->sz is wrong, ENOMEM when out of memory. */
wasm_runtime *wasm_runtime_new(const wasm_runtime_config *cfg);
/* The tier this runtime runs (WASM_ENGINE_JIT or _TIERED only where the
 * compiler exists). */
wasm_engine_tier wasm_runtime_engine(const wasm_runtime *rt);
const char *wasm_engine_name(wasm_engine_tier tier);
/* The architecture this build's compiler generates code for ("x86-64"), or
 * NULL when it has none (other architectures, -DWASM_NO_JIT): then every
 * runtime runs the interpreter, whatever tier it asked for. */
const char *wasm_engine_compiler_arch(void);
/* What compiling a module cost so far, in every runtime that uses the
 * compiler: 0, or -ENOENT when nothing of it was ever compiled (then the
 * interpreter runs it; under `tiered`, until something runs hot). */
typedef struct wasm_jit_stats {
    uint32_t functions, compiled; /* defined functions, and those with machine code */
    uint64_t compile_ns;
    uint64_t code_bytes, input_bytes; /* machine code, and the bodies it came from */
} wasm_jit_stats;
int wasm_module_jit_stats(const wasm_module *mod, wasm_jit_stats *stats);
void wasm_runtime_free(wasm_runtime *rt); /* frees every instance created in it */

/* Ask running code to stop at the next call or loop back-edge with
 * WASM_TRAP_INTERRUPTED.  Async-signal-safe.  The flag stays set until
 * wasm_runtime_clear_interrupt(); host functions that block should watch
 * wasm_runtime_interrupt_fd() (readable once interrupted) and return
 * wasm_trap_interrupted() when it fires. */
void wasm_runtime_interrupt(wasm_runtime *rt);
int wasm_runtime_interrupted(const wasm_runtime *rt);
void wasm_runtime_clear_interrupt(wasm_runtime *rt);
int wasm_runtime_interrupt_fd(wasm_runtime *rt); /* an eventfd, or -errno if it cannot be created */

/* Ask the guest to end by itself (the first Ctrl-C): running code is not
 * stopped, but host functions that wait for input (reads, polls, accepts)
 * stop waiting and return EINTR to the guest, at once for every later
 * call, so that the guest can finish its work and exit.  Writes still
 * complete.  The embedder calls wasm_runtime_interrupt() if the guest does
 * not end in time.  Async-signal-safe; cleared by
 * wasm_runtime_clear_interrupt().  wasm_runtime_stop_fd() is an eventfd,
 * readable once a stop was requested (-errno if it cannot be created). */
void wasm_runtime_request_stop(wasm_runtime *rt);
int wasm_runtime_stop_requested(const wasm_runtime *rt);
int wasm_runtime_stop_fd(wasm_runtime *rt);

/* The last trap: its message ("integer divide by zero in function 'f' (func 3)"),
 * and for WASM_TRAP_EXIT the exit code. */
const char *wasm_runtime_trap_message(const wasm_runtime *rt);
int wasm_runtime_exit_code(const wasm_runtime *rt);

/* ------------------------------------------------------------------ */
/* Host functions and the linker                                       */
/* ------------------------------------------------------------------ */

/* A host function reads its parameters from args[0..nparams) and writes its
 * results to args[0..nresults) (the same array).  `inst` is the instance
 * that called it (for its memory).  Return WASM_OK, or a status built with
 * wasm_trap_host() / wasm_trap_exit() / wasm_trap_interrupted(). */
typedef wasm_status (*wasm_host_fn)(wasm_instance *inst, void *userdata, wasm_value *args);

/* Signatures are written "(params)results" with one letter per value:
 * i = i32, I = i64, f = f32, F = f64, r = funcref, x = externref.
 * Example: "(iiii)i" for fd_write, "(Ii)i" for (i64, i32) -> i32. */

wasm_linker *wasm_linker_new(void);
void wasm_linker_free(wasm_linker *l);

/* The definitions return 0, -EINVAL for a malformed signature or a NULL
 * argument, -ENOMEM when out of memory.  A later definition of the same
 * module/name replaces an earlier one. */
int wasm_linker_define_func(wasm_linker *l, const char *module, const char *name,
                            const char *signature, wasm_host_fn fn, void *userdata);
/* Make every export of `inst` importable under module name `module`
 * (the spec tests' `register`). */
int wasm_linker_define_instance(wasm_linker *l, const char *module, wasm_instance *inst);
int wasm_linker_define_memory(wasm_linker *l, const char *module, const char *name, wasm_memory *m);
int wasm_linker_define_table(wasm_linker *l, const char *module, const char *name, wasm_table *t);
int wasm_linker_define_global(wasm_linker *l, const char *module, const char *name, wasm_global *g);

/* Stand-alone host objects (for linkers; owned by the runtime).  NULL with
 * errno EINVAL for a bad type or limits, ENOMEM when out of memory. */
wasm_memory *wasm_memory_new(wasm_runtime *rt, uint32_t min_pages,
                             uint32_t max_pages /* UINT32_MAX: none */);
wasm_table *wasm_table_new(wasm_runtime *rt, wasm_valtype elem, uint32_t min,
                           uint32_t max /* UINT32_MAX: none */);
wasm_global *wasm_global_new(wasm_runtime *rt, wasm_valtype type, int mutable_, wasm_value value);

/* ------------------------------------------------------------------ */
/* Instances                                                          */
/* ------------------------------------------------------------------ */

/* Link, allocate, initialise segments and run the start function.  On
 * failure returns NULL, writes why into err (for a missing import: its
 * module, name and type) and sets errno to
 *   ENOENT     an import is missing ("unlinkable")
 *   EINVAL     an import has another kind or type ("unlinkable"), or rt or
 *              mod is NULL
 *   E2BIG      a memory or table is over the runtime's or the engine's limit
 *   ENOMEM     out of memory, or no address space for a memory
 *   ECANCELED  a trap stopped it: a segment did not fit, or the start
 *              function trapped (the instance stays with the runtime: what
 *              earlier segments wrote into imported tables must stay valid)
 *   EINTR      rt was interrupted or asked to stop while its compiler
 *              translated the module ("interrupted while compiling"); a
 *              later instantiation compiles it again
 * The module must outlive the instance. */
wasm_instance *wasm_instantiate(wasm_runtime *rt, const wasm_module *mod, const wasm_linker *l,
                                char *err, size_t errlen);
void wasm_instance_free(wasm_instance *inst);

wasm_runtime *wasm_instance_runtime(const wasm_instance *inst);
const wasm_module *wasm_instance_module(const wasm_instance *inst);

/* Exports by name; NULL when absent or of another kind.  Names may contain
 * NUL bytes: wasm_instance_func_len takes the length. */
wasm_func *wasm_instance_func(const wasm_instance *inst, const char *name);
wasm_func *wasm_instance_func_len(const wasm_instance *inst, const char *name, size_t len);
wasm_memory *wasm_instance_memory_export(const wasm_instance *inst, const char *name);
wasm_table *wasm_instance_table_export(const wasm_instance *inst, const char *name);
wasm_global *wasm_instance_global_export(const wasm_instance *inst, const char *name);

/* The instance's memory 0 and table 0 (defined or imported), or NULL. */
wasm_memory *wasm_instance_memory(const wasm_instance *inst);
wasm_table *wasm_instance_table(const wasm_instance *inst);

/* ------------------------------------------------------------------ */
/* Guest memory                                                       */
/* ------------------------------------------------------------------ */

/* The host address of guest range [ptr, ptr+len) of the instance's memory 0,
 * or NULL if any byte of it lies outside the memory (or there is no memory).
 * len may be 0 (then ptr may equal the memory size).  Memories grow in place
 * and never shrink, so the address stays valid for the life of the
 * instance, across calls into the guest and memory.grow. */
void *wasm_mem(wasm_instance *inst, uint32_t ptr, uint32_t len);
/* A NUL-terminated string starting at ptr whose length (without NUL) is at
 * most maxlen; NULL if it runs off memory or is longer.  *len may be NULL. */
const char *wasm_mem_str(wasm_instance *inst, uint32_t ptr, uint32_t maxlen, uint32_t *len);

uint8_t *wasm_memory_data(const wasm_memory *m);
uint64_t wasm_memory_size(const wasm_memory *m); /* in bytes */
/* The current size in pages; safe to call from another thread while the
 * guest runs (a metrics server's), as long as the memory exists. */
uint32_t wasm_memory_pages(const wasm_memory *m);
/* Grow by delta pages; returns the old size in pages or -1. */
int64_t wasm_memory_grow(wasm_memory *m, uint32_t delta);

/* ------------------------------------------------------------------ */
/* Functions, tables, globals                                          */
/* ------------------------------------------------------------------ */

uint32_t wasm_func_param_count(const wasm_func *f);
uint32_t wasm_func_result_count(const wasm_func *f);
wasm_valtype wasm_func_param_type(const wasm_func *f, uint32_t i);
wasm_valtype wasm_func_result_type(const wasm_func *f, uint32_t i);
/* 1 if the function's type is exactly `signature` (see above). */
int wasm_func_has_signature(const wasm_func *f, const char *signature);
/* How messages name the function: "'NAME' (func N)", NAME from the name
 * section or an export, or "func N" when it has neither; written into buf
 * (truncated to buflen), which is returned. */
const char *wasm_func_name(const wasm_func *f, char *buf, size_t buflen);

/* Call f with args (its parameter count) and receive results (its result
 * count).  Re-entrant: a host function may call back into any instance of
 * the same runtime.  Returns WASM_OK or the trap (WASM_TRAP_INTERRUPTED at
 * once if the runtime is interrupted); the runtime's stack is left as it
 * was before the call in either case. */
wasm_status wasm_call(wasm_runtime *rt, wasm_func *f, const wasm_value *args, wasm_value *results);

/* The same call, made many times in a row from the host: a poll's callback,
 * once per record.  wasm_callback_call(cb, args, results) is exactly
 * wasm_call(rt, f, args, results), but with compiled code the checks and
 * the set-up that do not change between calls are done once (when the
 * runtime's stack is where it was at the previous call, and the callback
 * is not already running), so each call is little more than the jump into
 * the function.  Re-entrant calls, and everything else, take wasm_call's
 * path.  cb is used for one function of a live instance (a poll makes
 * one per call, from the table element it was given).  NULL with errno
 * ENOMEM; wasm_callback_free(NULL) does nothing. */
typedef struct wasm_callback wasm_callback;
wasm_callback *wasm_callback_new(wasm_runtime *rt, wasm_func *f);
wasm_status wasm_callback_call(wasm_callback *cb, const wasm_value *args, wasm_value *results);
void wasm_callback_free(wasm_callback *cb);

uint32_t wasm_table_size(const wasm_table *t);
wasm_valtype wasm_table_elem_type(const wasm_table *t);
/* 0, or -ERANGE when i is out of range.  wasm_table_set also returns
 * -EINVAL for a function reference of another runtime. */
int wasm_table_get(const wasm_table *t, uint32_t i, wasm_value *out);
int wasm_table_set(wasm_table *t, uint32_t i, wasm_value v);
/* The function at table index i, or NULL when out of range or null. */
wasm_func *wasm_table_func(const wasm_table *t, uint32_t i);

wasm_valtype wasm_global_type(const wasm_global *g);
int wasm_global_mutable(const wasm_global *g);
wasm_value wasm_global_get(const wasm_global *g);
/* 0, -EPERM when the global is immutable, -EINVAL when `type` is not the
 * global's type (or a function reference is of another runtime). */
int wasm_global_set(wasm_global *g, wasm_valtype type, wasm_value v);

/* ------------------------------------------------------------------ */
/* Traps raised by host functions                                      */
/* ------------------------------------------------------------------ */

/* Record a message and return WASM_TRAP_HOST; the guest unwinds. */
wasm_status wasm_trap_host(wasm_instance *inst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Record an exit code and return WASM_TRAP_EXIT; the guest unwinds. */
wasm_status wasm_trap_exit(wasm_instance *inst, int code);
/* Return WASM_TRAP_INTERRUPTED (for host functions that saw the interrupt). */
wasm_status wasm_trap_interrupted(wasm_instance *inst);

/* Name of a status, e.g. "integer divide by zero". */
const char *wasm_status_string(wasm_status s);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop

#endif
