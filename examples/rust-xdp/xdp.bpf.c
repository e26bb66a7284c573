/* xdp.bpf.c: the BPF side of rust-xdp: the C example's program
 * (examples/xdp), included rather than copied so that both guests load
 * the same code.  `wasm-bpf build` compiles the *.bpf.c files of the
 * tool's directory; includes in the included file are found beside it. */
#include "../xdp/xdp.bpf.c"
