/* printers_same.c: the C side of the Rust/C printer comparison of
 * tests/gen-types/run: reads records of TYPE's size from stdin and prints
 * each as a JSON line, the column header and a row, with the printers of
 * the generated C header; printers_same.rs does the same with the Rust
 * module's, and the two outputs must be identical. */
#include <stdio.h>
#include <string.h>

#include TYPES_H

#define CAT2(a, b) a##b
#define CAT(a, b)  CAT2(a, b)

int main(void)
{
    struct TYPE e;
    while (fread(&e, 1, sizeof e, stdin) == sizeof e) {
        CAT(TYPE, __print_json)(stdout, &e);
        CAT(TYPE, __print_columns_header)(stdout);
        CAT(TYPE, __print_columns)(stdout, &e);
    }
    return 0;
}
