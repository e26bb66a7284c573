/* cycle.bpf.c: an object whose BTF `mkbtf --cycle` turns into reference
 * cycles (a TYPEDEF or CONST that leads back to itself, which libbpf's BTF
 * parser accepts): through a map definition, a .rodata and a .bss
 * variable.  Unpatched it is an ordinary object. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

typedef struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, u32);
    __type(value, u64);
} wbt_cycle_map_t;

/* types of their own, so that a cycle in one leaves the others intact */
typedef unsigned int wbt_ro_t;
typedef unsigned long long wbt_bss_t;

wbt_cycle_map_t wbt_cycle_map SEC(".maps");
const volatile wbt_ro_t wbt_cycle_ro = 1;
wbt_bss_t wbt_cycle_bss;

SEC("tp/syscalls/sys_enter_getppid")
int wbt_cycle_prog(void *ctx)
{
    u32 key = 0;
    u64 *value = bpf_map_lookup_elem(&wbt_cycle_map, &key);
    if (value)
        *value += wbt_cycle_ro;
    wbt_cycle_bss++;
    return 0;
}
