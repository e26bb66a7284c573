/* random: random_get fills buffers with bytes that differ between calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void)
{
    static unsigned char a[256], b[256];
    printf("getentropy: %d\n", getentropy(a, sizeof a));
    printf("random_get: errno %d\n", __wasi_random_get(b, sizeof b));
    printf("two buffers differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "NO");
    int zeros = 0;
    for (unsigned i = 0; i < sizeof a; i++)
        zeros += a[i] == 0;
    printf("not mostly zero: %s\n", zeros < 32 ? "yes" : "NO");

    /* A large request is filled completely (getrandom returns at most 32 MiB
     * per call on Linux, and less when interrupted). */
    size_t big = 4 << 20;
    unsigned char *p = calloc(1, big);
    printf("random_get 4 MiB: errno %d\n", __wasi_random_get(p, big));
    size_t tail_zero = 0;
    for (size_t i = big - 4096; i < big; i++)
        tail_zero += p[i] == 0;
    printf("tail filled: %s\n", tail_zero < 64 ? "yes" : "NO");
    printf("random_get of 0 bytes: errno %d\n", __wasi_random_get(p, 0));
    free(p);

    unsigned counts[2] = {0, 0};
    for (int i = 0; i < 1000; i++)
        counts[arc4random() & 1]++;
    printf("arc4random looks fair: %s\n", counts[0] > 400 && counts[1] > 400 ? "yes" : "NO");
    return 0;
}
