/* event.bpf.c: the ring buffer's record type, for `wasm-bpf gen types`.
 *
 * A BPF object's BTF only describes the types its global variables, maps
 * and functions use; bootstrap.bpf.c only reaches `struct event` through a
 * pointer in a function body, so its BTF lacks it.  This object, compiled
 * from the same header with `clang -g -target bpf`, declares one variable
 * of the type and is never loaded. */
#include "bootstrap.h"

struct event event_type;
