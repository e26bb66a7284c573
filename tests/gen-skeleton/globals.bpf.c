/* globals.bpf.c: global data of every awkward shape, for the skeleton's
 * layout: long and pointers (8 bytes here, 4 in wasm32 C), bool, arrays,
 * a struct, in .rodata, .data and .bss.  A uprobe on the trigger binary's
 * wasm_bpf_test_trigger() combines them into .bss, so a guest can check
 * what reached the kernel. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct config {
    long threshold;
    void *cookie;
    unsigned char flags;
    int values[3];
};

const volatile long rodata_long = 7;
const volatile bool rodata_bool = true;
const volatile char rodata_name[12] = "wasm-bpf";
const volatile unsigned short rodata_short = 9;
const volatile struct config rodata_cfg = {.threshold = 100, .flags = 3, .values = {1, 2, 3}};

long data_long = 11;
struct config bss_cfg;
unsigned long long bss_count;
unsigned long long bss_name_sum;

SEC("uprobe")
int BPF_KPROBE(wbt_globals, int n, unsigned tag)
{
    bss_count += rodata_cfg.threshold + rodata_long + bss_cfg.flags + (rodata_bool ? 1 : 0);
    bss_cfg.values[0] = rodata_cfg.values[2];
    bss_cfg.threshold = rodata_short;
    for (int i = 0; i < 12; i++)
        bss_name_sum += rodata_name[i];
    data_long += 1;
    return 0;
}
