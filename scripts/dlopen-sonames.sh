#!/bin/sh
# scripts/dlopen-sonames.sh [TOP]: the SONAMEs the command opens with
# dlopen, one per line, read from their #defines (`#define LIBCURL
# "libcurl.so.4"`, whatever the alignment) in src/oci (its *libs.c and headers) and
# src/cli/metrics.c.  One reader for the image, the package and their tests.
set -eu
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
sed -n 's/^#define [A-Z0-9_]*LIB[A-Z0-9_]*[[:space:]][[:space:]]*"\(lib[^"]*\.so\.[0-9.]*\)"$/\1/p' \
    "$top"/src/oci/*libs.c "$top"/src/oci/*.h "$top/src/cli/metrics.c" | sort -u
