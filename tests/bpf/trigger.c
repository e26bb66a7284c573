/* trigger.c: the native program the hostile-guest tests trace.
 *   trigger N [TAG]   calls wasm_bpf_test_trigger(N, TAG) once: the probe
 *                     object's uprobe then emits N records into each buffer. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline, used)) int wasm_bpf_test_trigger(int n, unsigned tag);
__attribute__((noinline, used)) int wasm_bpf_test_trigger(int n, unsigned tag)
{
    __asm__ volatile("" ::: "memory");
    return n + (int)tag;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: trigger N [TAG]\n");
        return 2;
    }
    return wasm_bpf_test_trigger(atoi(argv[1]), argc > 2 ? (unsigned)atoi(argv[2]) : 0) < 0;
}
