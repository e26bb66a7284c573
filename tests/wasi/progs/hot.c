/* hot: a loop that runs hot (argv[1] rounds of a million iterations) in a
 * program whose start-up does not, for the engines' checks in the wasi
 * suite: the tiered engine compiles the loop while it runs, and every
 * engine prints the same hash.  argv: ROUNDS */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 1, h = 0;
    for (unsigned r = 0; r < rounds; r++)
        for (unsigned i = 0; i < 1000000; i++)
            h = h * 31 + (i ^ r);
    printf("%u\n", h);
    return 0;
}
