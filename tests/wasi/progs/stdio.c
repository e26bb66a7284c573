/* stdio: copy stdin to stdout in upper case, count the bytes, and write a
 * line to stderr. */
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char buf[4096];
    unsigned long total = 0, lines = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            lines += buf[i] == '\n';
            buf[i] = (char)toupper((unsigned char)buf[i]);
        }
        fwrite(buf, 1, (size_t)n, stdout);
        total += (unsigned long)n;
    }
    printf("read %lu bytes, %lu lines, last read %ld\n", total, lines, (long)n);
    fprintf(stderr, "this goes to stderr\n");
    fflush(stdout);
    /* Writes of every size through fd_write's iovecs. */
    printf("%s\n", "x");
    for (int i = 0; i < 3; i++)
        printf("line %d of a loop\n", i);
    return 0;
}
