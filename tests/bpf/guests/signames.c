/* signames.c: the C SDK's signal-name table (wasm_bpf_signal_name), as a
 * guest uses it: prints "N NAME" for -1..65, "N -" where there is none. */
#include <stdio.h>

#include "wasm-bpf.h"

int main(void)
{
    for (int sig = -1; sig <= 65; sig++) {
        const char *name = wasm_bpf_signal_name(sig);
        printf("%d %s\n", sig, name ? name : "-");
    }
    return 0;
}
