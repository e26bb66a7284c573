/* exit: end in the way argv[1] says.
 *   exit N     exit(N)
 *   return N   return N from main
 *   _exit N    _Exit(N): proc_exit without flushing stdio
 *   trap       __builtin_trap()
 *   abort      abort()
 *   divzero    an integer division by zero (in a named function)
 *   recurse    unbounded recursion with a frame in linear memory (the
 *              shadow stack runs off memory: out of bounds)
 *   deep       unbounded recursion with no frame in memory (call stack
 *              exhausted)
 *   spam       print lines forever (until stdout is closed) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) int divide(volatile int a, volatile int b)
{
    return a / b;
}

/* Recurses until the call stack is exhausted (never, as far as the
 * compiler can tell: it stops at a depth no stack reaches). */
__attribute__((noinline)) int recurse(volatile int n)
{
    volatile char pad[64];
    pad[n & 63] = (char)n;
    if (n == 0x7fffffff)
        return 0;
    return recurse(n + 1) + pad[(n + 1) & 63];
}

volatile int sink;

__attribute__((noinline)) int deep(int n)
{
    if (n == -1)
        return 0;
    int r = deep(n + 1);
    sink = r; /* a use after the call: no tail call to turn into a loop */
    return r + n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(
            stderr,
            "usage: exit exit|return|_exit N | trap | abort | divzero | recurse | deep | spam\n");
        return 2;
    }
    const char *how = argv[1];
    int code = argc > 2 ? atoi(argv[2]) : 0;
    printf("exiting by %s\n", how);
    if (!strcmp(how, "exit"))
        exit(code);
    if (!strcmp(how, "return"))
        return code;
    if (!strcmp(how, "_exit")) {
        fflush(stdout);
        _Exit(code);
    }
    fflush(stdout);
    if (!strcmp(how, "trap"))
        __builtin_trap();
    if (!strcmp(how, "abort"))
        abort();
    if (!strcmp(how, "divzero"))
        return divide(1, 0);
    if (!strcmp(how, "recurse"))
        return recurse(0);
    if (!strcmp(how, "deep"))
        return deep(0);
    if (!strcmp(how, "spam"))
        for (unsigned long i = 0;; i++)
            printf("line %lu\n", i);
    fprintf(stderr, "exit: unknown way '%s'\n", how);
    return 2;
}
