/* args.c: a guest whose only options are the flags gen skeleton generated
 * from args.bpf.c's globals; prints what they set in .rodata (no load: the
 * values are read back from the skeleton, where load would take them). */
#include <inttypes.h>
#include <stdio.h>

#include "args.skel.h"

int main(int argc, char **argv)
{
    struct args_bpf *skel = args_bpf__open();
    if (!skel)
        return 1;
    int rc = args_bpf__parse_args(skel, argc, argv);
    if (rc < 0) {
        const struct args_bpf__rodata *r = skel->rodata;
        printf("small_count=%u delta=%d max_entries_seen=%" PRIu32 " min_duration_ns=%" PRId64
               " big=%" PRIu64 " verbose_mode=%d enabled=%d mode=%d comm_filter=%.8s\n",
               r->small_count, r->delta, r->max_entries_seen, r->min_duration_ns, r->big,
               r->verbose_mode, r->enabled, (int)r->mode, r->comm_filter);
        rc = 0;
    }
    args_bpf__destroy(skel);
    return rc;
}
