#include "types_internal.h"
int gt_emit_rust(struct gt_model *m, FILE *out) { (void)m; (void)out; return -1; }
