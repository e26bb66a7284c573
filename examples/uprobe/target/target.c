/* target.c: the native program the uprobe example traces.
 *   target [ROUNDS]   calls uprobe_add(i, i + 1) and uprobe_sub(10 * i, i)
 *                     for i = 1..ROUNDS (default 3), then exits. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int uprobe_add(int a, int b)
{
    __asm__ volatile("" ::: "memory");
    return a + b;
}

__attribute__((noinline)) int uprobe_sub(int a, int b)
{
    __asm__ volatile("" ::: "memory");
    return a - b;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    int sum = 0;
    for (int i = 1; i <= rounds; i++)
        sum += uprobe_add(i, i + 1) + uprobe_sub(10 * i, i);
    printf("target: %d rounds, checksum %d\n", rounds, sum);
    return 0;
}
