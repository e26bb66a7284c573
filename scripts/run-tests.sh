#!/bin/sh
# Run test suites and add up their results.
#   scripts/run-tests.sh BUILD_DIR SUITE...
# Each suite is tests/SUITE/run; it prints what it checks and ends with the
# line "N passed, N failed" (", N skipped" may follow).  A suite that exits
# without that line counts as one failure.  Exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1; shift
case $build in /*) ;; *) build=$top/$build ;; esac
export WASM_BPF_TOP="$top" WASM_BPF_BUILD="$build" WASM_BPF="$build/wasm-bpf"

passed=0 failed=0 skipped=0
for suite in "$@"; do
    echo "=== $suite"
    out=$(mktemp)
    # stream the suite's output and keep it to find its summary line
    ( cd "$top" && "tests/$suite/run" 2>&1; echo "__exit=$?" ) | tee "$out" | grep -v '^__exit='
    code=$(sed -n 's/^__exit=//p' "$out")
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$out" | tail -n 1)
    rm -f "$out"
    if [ -z "$line" ]; then
        echo "$suite: no summary line (exit $code): counted as 1 failed"
        failed=$((failed + 1))
        continue
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped$/\1/p')
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
    if [ "$f" -eq 0 ] && [ "$code" -ne 0 ]; then
        echo "$suite: exited $code with no failure counted: counted as 1 failed"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
