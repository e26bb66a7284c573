# Shared helpers for shell test suites: source it, call pass/fail/skip, end
# with `summary`.  Each result is one line; summary prints the counts line
# that scripts/run-tests.sh reads and returns non-zero on any failure.
#   WASM_BPF        the command under test (set by scripts/run-tests.sh)
#   WASM_BPF_BUILD  the build directory
#   WASM_BPF_TOP    the source tree
: "${WASM_BPF_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${WASM_BPF_BUILD:=$WASM_BPF_TOP/build}"
: "${WASM_BPF:=$WASM_BPF_BUILD/wasm-bpf}"
export WASM_BPF_TOP WASM_BPF_BUILD WASM_BPF

T_PASSED=0
T_FAILED=0
T_SKIPPED=0

pass() { T_PASSED=$((T_PASSED + 1)); echo "ok      $*"; }
fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL    $*"; }
skip() { T_SKIPPED=$((T_SKIPPED + 1)); echo "skip    $*"; }

# check NAME COMMAND...: pass if the command succeeds
check() {
    name=$1; shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

summary() {
    echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
    [ "$T_FAILED" -eq 0 ]
}
