/* mock_engine.h: the engine objects as the mock engine (mock_engine.c)
 * defines them, for the host interface's unit test. */
#ifndef MOCK_ENGINE_H
#define MOCK_ENGINE_H

#include <stdint.h>

#include "wasm_engine.h"

struct wasm_runtime {
    volatile int interrupted;
    int efd;
    volatile int stop_requested;
    int stop_efd;
    int depth;             /* nested wasm_call()s */
    char message[256];     /* of the last host trap */
};

typedef wasm_status (*mock_fn)(wasm_instance *inst, const wasm_value *args, wasm_value *results);

struct wasm_func {
    const char *signature;
    mock_fn fn;
    wasm_instance *inst;
};

struct wasm_table {
    wasm_func **elems;
    uint32_t n;
};

struct wasm_memory {
    uint8_t *data;
    uint64_t size;
};

/* guest memory is allocated for this many pages and grows in place */
#define MOCK_MAX_PAGES 64

struct wasm_instance {
    struct wasm_memory mem;
    struct wasm_table table;
    wasm_runtime *rt;
};

struct mock_def {
    char module[32], name[64], signature[32];
    wasm_host_fn fn;
    void *userdata;
};

struct wasm_linker {
    struct mock_def defs[32];
    int n;
};

wasm_runtime *mock_runtime_new(void);
void mock_runtime_free(wasm_runtime *rt);
wasm_instance *mock_instance_new(wasm_runtime *rt, uint32_t pages);
void mock_instance_free(wasm_instance *inst);
void mock_memory_grow(wasm_instance *inst, uint32_t pages);
uint32_t mock_table_add(wasm_instance *inst, wasm_func *f);
const struct mock_def *mock_import(const wasm_linker *l, const char *module, const char *name);
void mock_interrupt(wasm_runtime *rt);
void mock_request_stop(wasm_runtime *rt);

#endif
