/* globals.c: a C guest over the skeleton of globals.bpf.o: writes .rodata
 * and .bss before load, attaches, and once the test has run the trigger
 * reads .bss and .data back from the kernel.
 *   globals TRIGGER_BINARY */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "globals.skel.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: globals TRIGGER_BINARY\n");
        return 2;
    }
    struct globals_bpf *skel = globals_bpf__open();
    if (!skel)
        return 10;
    /* the skeleton starts with the object's initial values */
    if (skel->rodata->rodata_long != 7 || skel->rodata->rodata_cfg.threshold != 100 ||
        skel->rodata->rodata_cfg.values[2] != 3 ||
        strcmp((const char *)skel->rodata->rodata_name, "wasm-bpf") || !skel->rodata->rodata_bool ||
        skel->data->data_long != 11)
        return 11;
    skel->rodata->rodata_long = 5;
    skel->rodata->rodata_cfg.threshold = 1000;
    skel->rodata->rodata_cfg.values[2] = 42;
    skel->rodata->rodata_short = 77;
    snprintf((char *)skel->rodata->rodata_name, sizeof(skel->rodata->rodata_name), "AB");
    skel->bss->bss_cfg.flags = 4;
    int err = globals_bpf__load(skel);
    if (err) {
        fprintf(stderr, "load: %s\n", strerror(-err));
        return 12;
    }
    char target[600];
    snprintf(target, sizeof(target), "%s:wasm_bpf_test_trigger", argv[1]);
    bpf_set_prog_attach_target(skel->progs.wbt_globals, target);
    if ((err = globals_bpf__attach(skel))) {
        fprintf(stderr, "attach: %s\n", strerror(-err));
        return 13;
    }
    printf("ready\n");
    fflush(stdout);
    for (int i = 0; i < 200 && !skel->bss->bss_count; i++) {
        usleep(25000);
        if ((err = bpf_map__read_mmaped(skel->maps.bss)) < 0) {
            fprintf(stderr, "read .bss: %s\n", strerror(-err));
            return 14;
        }
    }
    if ((err = bpf_map__read_mmaped(skel->maps.data)) < 0)
        return 15;
    printf("count %llu values0 %d threshold %lld name_sum %llu data_long %lld\n",
           (unsigned long long)skel->bss->bss_count, skel->bss->bss_cfg.values[0],
           (long long)skel->bss->bss_cfg.threshold, (unsigned long long)skel->bss->bss_name_sum,
           (long long)skel->data->data_long);
    globals_bpf__destroy(skel);
    return 0;
}
