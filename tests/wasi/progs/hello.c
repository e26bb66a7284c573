/* hello: the start-up benchmark's guest (and the smallest smoke test). */
#include <stdio.h>

int main(void)
{
    printf("hello\n");
    return 0;
}
