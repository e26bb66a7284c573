/* oci_report.h: the command's side of the OCI client's reports (errors
 * with hints in this command line's words, progress bars). */
#ifndef WASM_BPF_CLI_OCI_REPORT_H
#define WASM_BPF_CLI_OCI_REPORT_H

#include "oci.h"

/* Where the command's OCI calls write their errors (oci_options.error). */
extern struct oci_error cli_oci_error;

/* "wasm-bpf: [WHAT: ]MESSAGE" and "hint: ..." on stderr. */
void cli_print_oci_error(const struct oci_error *e, const char *what);
/* The progress callback (oci_set_progress()). */
void cli_oci_progress(const struct oci_progress *p, void *ctx);

#endif
