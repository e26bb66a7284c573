/* dump.c: a readable listing of the compiled code, for engine developers
 * (wasm__module_dump) and a structural check of it used by the tests
 * (every instruction has a known handler and the sizes add up). */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "jit.h"

static const char *const op_names[OP_COUNT] = {
#define X(name) #name,
    WASM_OPS(X)
#undef X
};

/* Words of an instruction (handler included); BR_TABLE's depends on its count. */
uint32_t wasm__op_words(enum wasm_op op, const code_t *pc)
{
    switch (op) {
    case OP_EXIT:
    case OP_UNREACHABLE:
    case OP_RET: return 2;
    case OP_BR:
    case OP_RET1:
    case OP_DATA_DROP:
    case OP_ELEM_DROP:
    case OP_MEMORY_SIZE: return 3;
    case OP_RETK: return 4;
    case OP_MOV:
    case OP_CONST32:
    case OP_BR_NZ:
    case OP_BR_Z:
    case OP_BR_NZ64:
    case OP_BR_Z64:
    case OP_CALL_IMPORT:
    case OP_GLOBAL_GET:
    case OP_GLOBAL_SET:
    case OP_MEMORY_GROW:
    case OP_TABLE_SIZE:
    case OP_REF_FUNC:
    case OP_REF_IS_NULL: return 4;
    case OP_BR_TABLE: return 4 + pc[3] + 1;
    case OP_CONST64:
    case OP_CALL:
    case OP_MEMORY_FILL:
    case OP_MEMORY_COPY:
    case OP_TABLE_GET:
    case OP_TABLE_SET: return 5;
    case OP_SELECT:
    case OP_CALL_INDIRECT:
    case OP_MEMORY_INIT:
    case OP_TABLE_GROW:
    case OP_TABLE_FILL: return 6;
    case OP_TABLE_COPY:
    case OP_TABLE_INIT: return 7;
    default: break;
    }
    if (op >= OP_LD8S_A && op <= OP_ST64_AI)
        return 6;
    if (op >= OP_LD8S_K && op <= OP_ST64_K)
        return 5;
    if ((op >= OP_I32_ADD && op <= OP_BR_I64_GE_U_I) || (op >= OP_F32_ADD && op <= OP_F64_GE) ||
        (op >= OP_LD8S && op <= OP_ST64))
        return 5;
    return 4; /* unary operations and conversions */
}

static int op_of(const code_t *pc)
{
    const void *h;
    memcpy(&h, pc, sizeof h);
    for (int i = 0; i < OP_COUNT; i++)
        if (wasm__interp_handlers[i] == h)
            return i;
    return -1;
}

/* Walk one function's code; print it when out is given.  Returns false if
 * an instruction is unknown or the last one overruns the function. */
static bool walk_function(const func_code *fc, FILE *out)
{
    const code_t *pc = fc->code, *end = fc->code + fc->code_words;
    while (pc < end) {
        int op = op_of(pc);
        if (op < 0)
            return false;
        uint32_t n = wasm__op_words((enum wasm_op)op, pc);
        if (pc + n > end)
            return false;
        if (out) {
            fprintf(out, "  %5td  %-18s", pc - fc->code, op_names[op]);
            for (uint32_t i = 2; i < n; i++)
                fprintf(out, " %d", (int32_t)pc[i]);
            fputc('\n', out);
        }
        pc += n;
    }
    return true;
}

bool wasm__module_code_check(const wasm_module *m)
{
    for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++)
        if (!walk_function(&m->codes[i], NULL))
            return false;
    return true;
}

void wasm__module_dump(const wasm_module *m, FILE *out)
{
    char name[160];
    for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) {
        const func_code *fc = &m->codes[i];
        fprintf(out, "%s: params %u, locals %u, frame %u slots, %u words\n",
                wasm__func_display_name(m, fc->func_index, name, sizeof name), fc->nparams,
                fc->nlocals, fc->frame_slots, fc->code_words);
        if (!walk_function(fc, out))
            fprintf(out, "  (bad instruction)\n");
    }
}
