/* size.c: sizes given on a command line or in a file ("64K", "8MiB"). */
#include <errno.h>
#include <stdint.h>

#include "wasm_bpf_base.h"

/* Suffix letter -> shift; a table so a new unit is one line. */
static const struct {
    char letter;
    unsigned shift;
} units[] = {{'K', 10}, {'M', 20}, {'G', 30}, {'T', 40}};

int base_parse_size(const char *s, uint64_t *bytes)
{
    if (!s || *s < '0' || *s > '9') /* no sign, no blanks */
        return -EINVAL;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    unsigned shift = 0;
    char c = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (c == units[i].letter) {
            shift = units[i].shift;
            s++;
            break;
        }
    if (shift && *s == 'i')
        s++;
    if (*s == 'B' || *s == 'b')
        s++;
    if (*s)
        return -EINVAL;
    if (shift && v > (UINT64_MAX >> shift))
        return -ERANGE;
    *bytes = v << shift;
    return 0;
}
