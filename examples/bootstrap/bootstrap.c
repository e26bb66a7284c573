/* bootstrap.c: the guest of the bootstrap example.
 *
 *   bootstrap [-d MIN_DURATION_MS] [--min-duration-ns N] [-o json] [-t SECONDS] [-h]
 *
 * Prints one line per exec and per process exit (with its lifetime).  With
 * -d, only exits of processes that lived at least that long are shown: the
 * value reaches the kernel through .rodata, patched before load.  With -t,
 * stops after that many seconds; otherwise runs until interrupted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bootstrap.h"
#include "bootstrap.types.h"
#include "bootstrap.skel.h"
#include "wasm-bpf-tool.h"

static struct wasm_bpf_tool tool =
    WASM_BPF_TOOL("bootstrap", "Trace process execs and exits (with their lifetime).");

static int handle_event(void *ctx, void *data, size_t len)
{
    const struct event *e = data;
    (void)ctx;
    if (len < sizeof(*e))
        return 0;
    if (tool.output == WASM_BPF_OUTPUT_JSON) {   /* -o json: the generated printer */
        WASM_BPF_TOOL_PRINT(&tool, event, e);
        return 0;
    }

    char ts[32];
    time_t t = time(NULL);
    strftime(ts, sizeof(ts), "%H:%M:%S", gmtime(&t));
    if (e->exit_event) {
        printf("%-8s %-5s %-16s %-7d %-7d [%u]", ts, "EXIT", e->comm, e->pid, e->ppid, e->exit_code);
        if (e->duration_ns)
            printf(" (%llums)", (unsigned long long)(e->duration_ns / 1000000));
        printf("\n");
    } else {
        printf("%-8s %-5s %-16s %-7d %-7d %s\n", ts, "EXEC", e->comm, e->pid, e->ppid, e->filename);
    }
    fflush(stdout);
    return 0;
}

static int parse_number(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    long min_duration_ms = -1;
    tool.formats = true;   /* -o json */
    int rc = wasm_bpf_tool_args(&tool, &argc, argv);   /* -t SECONDS */
    if (rc >= 0)
        return rc;
    if (tool.help)
        printf("  -d, --duration MS       --min-duration-ns in milliseconds\n");
    struct bootstrap_bpf *skel = bootstrap_bpf__open();
    if (!skel) {
        fprintf(stderr, "Failed to open BPF skeleton\n");
        return 1;
    }
    /* --min-duration-ns N, from the BPF side's const volatile global, into
     * .rodata before load */
    rc = bootstrap_bpf__take_args(skel, &argc, argv);
    for (int i = 1; rc < 0 && i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            rc = 0;   /* all of the help is printed */
        } else if ((!strcmp(argv[i], "-d") || !strcmp(argv[i], "--duration")) && i + 1 < argc) {
            if (parse_number(argv[++i], &min_duration_ms)) {
                fprintf(stderr, "bootstrap: invalid duration '%s'\n", argv[i]);
                rc = 2;
            }
        } else {
            fprintf(stderr, "bootstrap: unexpected argument '%s' (see --help)\n", argv[i]);
            rc = 2;
        }
    }
    struct bpf_buffer *rb = NULL;
    if (rc >= 0)
        goto cleanup;
    /* parameterise the BPF code before it is loaded */
    if (min_duration_ms >= 0)
        skel->rodata->min_duration_ns = min_duration_ms * 1000000ULL;

    rc = 1;
    int err = bootstrap_bpf__load(skel);
    if (err) {
        fprintf(stderr, "Failed to load and verify BPF skeleton: %s\n", strerror(-err));
        goto cleanup;
    }
    err = bootstrap_bpf__attach(skel);
    if (err) {
        fprintf(stderr, "Failed to attach BPF skeleton: %s\n", strerror(-err));
        goto cleanup;
    }
    rb = bpf_buffer__open(skel->maps.rb, handle_event, NULL);
    if (!rb) {
        fprintf(stderr, "Failed to create ring buffer: %s\n", strerror(errno));
        goto cleanup;
    }

    if (tool.output == WASM_BPF_OUTPUT_COLUMNS) {
        printf("%-8s %-5s %-16s %-7s %-7s %s\n", "TIME", "EVENT", "COMM", "PID", "PPID",
               "FILENAME/EXIT CODE");
        fflush(stdout);
    }
    rc = wasm_bpf_tool_poll(&tool, &rb, 1, NULL, NULL);

cleanup:
    bpf_buffer__free(rb);
    bootstrap_bpf__destroy(skel);
    return rc;
}
