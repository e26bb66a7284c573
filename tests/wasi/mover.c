/* mover: rename A to B and back as fast as possible for SECONDS seconds
 * (the host side of the wasi suite's race check).  Usage: mover A B SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: mover A B SECONDS\n");
        return 2;
    }
    time_t end = time(NULL) + atoi(argv[3]);
    long n = 0;
    while (time(NULL) < end) {
        n += rename(argv[1], argv[2]) == 0;
        n += rename(argv[2], argv[1]) == 0;
    }
    printf("%ld\n", n);
    return 0;
}
