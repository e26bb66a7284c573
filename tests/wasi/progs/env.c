/* env: print the environment in the order the host gave it, then look up
 * the variables named on the command line. */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv)
{
    int n = 0;
    for (char **e = environ; e && *e; e++, n++)
        printf("env[%d]=[%s]\n", n, *e);
    printf("count=%d\n", n);
    for (int i = 1; i < argc; i++) {
        const char *v = getenv(argv[i]);
        printf("getenv(%s)=%s%s%s\n", argv[i], v ? "[" : "", v ? v : "(unset)", v ? "]" : "");
    }
    return 0;
}
