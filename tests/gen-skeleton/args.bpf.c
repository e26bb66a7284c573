/* args.bpf.c: a `const volatile` global of every kind the skeleton makes a
 * flag of (tests/gen-skeleton/run, "generated flags"), and some it must
 * not: a plain const, a struct, an int array. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "wasm-bpf-bpf.h"

char LICENSE[] SEC("license") = "GPL";

enum wbt_mode { WBT_MODE_OFF = 0, WBT_MODE_FAST = 3, WBT_MODE_SLOW = -2 };
struct wbt_pair {
    int a, b;
};

const volatile __u8 small_count WASM_BPF_DESCRIPTION("a byte-sized \"count\"") = 7;
const volatile __s16 delta = -5;
const volatile __u32 max_entries_seen = 100;
const volatile __s64 min_duration_ns WASM_BPF_DESCRIPTION("only longer than this (ns)") = 1000;
const volatile __u64 big = 0;
const volatile bool verbose_mode WASM_BPF_DESCRIPTION("report everything") = false;
const volatile bool enabled = true;
const volatile enum wbt_mode mode WASM_BPF_DESCRIPTION("how to run") = WBT_MODE_FAST;
const volatile char comm_filter[8] WASM_BPF_DESCRIPTION("only this command") = "init";
const __u32 not_a_knob = 5;                   /* const, not volatile: no flag */
const volatile struct wbt_pair pair = {1, 2}; /* no flag spells a struct */
const volatile __u32 ports[2] = {80, 443};    /* nor an int array */

int seen;

SEC("tp/syscalls/sys_enter_getppid")
int wbt_args(void *ctx)
{
    /* every knob is read, so that none is optimised out of .rodata */
    if (verbose_mode || enabled || mode == WBT_MODE_SLOW || comm_filter[0] ||
        seen == (int)not_a_knob || pair.a || ports[1] || small_count || delta || max_entries_seen ||
        min_duration_ns || big)
        seen++;
    return 0;
}
