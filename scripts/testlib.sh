# Shared helpers for shell test suites: source it, call pass/fail/skip, end
# with `summary`.  Each result is one line; summary prints the counts line
# that scripts/run-tests.sh reads and returns non-zero on any failure.
#   WASM_BPF        the command under test (set by scripts/run-tests.sh)
#   WASM_BPF_BUILD  the build directory
#   WASM_BPF_TOP    the source tree
#   WASM_BPF_EMULATOR  set when the binary runs under user emulation (make
#                   test-arm64: "qemu-aarch64 -L /"): the command that runs
#                   a program built for it; such a process has no bpf(2)
#                   (qemu-user does not pass it on), and starts slower
#   WASM_BPF_MACHINE   the machine the binary is built for (uname -m's
#                   name), when it is not this one
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

# oom_sweep NAME STEP COMMAND...: run COMMAND with every allocation after the
# first N failing (tests/base/fail_malloc.so, an LD_PRELOAD shim), for
# N = 0, STEP, 2*STEP ... until it succeeds: each run must end with an exit
# status and a message, never by a signal (a crash, an abort).  Skipped
# in sanitizer builds, whose runtime must come first (the shim would
# replace malloc under it).
oom_sweep() {
    local name=$1 step=$2 n=0 rc crashes=0 first="" runs=0 err
    local fm=$WASM_BPF_BUILD/tests/base/fail_malloc.so
    shift 2
    if [ ! -f "$fm" ]; then
        fail "out of memory: $name: $fm is not built (make test-build)"
        return
    fi
    if ldd "$WASM_BPF" 2>/dev/null | grep -q 'libasan\|libubsan'; then
        skip "out of memory: $name: a sanitizer build (its runtime must come first)"
        return
    fi
    err=$(mktemp)
    while [ $n -le 20000 ]; do
        FAIL_MALLOC_AFTER=$n LD_PRELOAD=$fm "$@" >/dev/null 2>"$err"
        rc=$?
        if [ $rc -ge 128 ]; then
            crashes=$((crashes + 1))
            [ -n "$first" ] || first="at $n: status $rc $(head -c 200 "$err")"
        fi
        runs=$((runs + 1))
        [ $rc -eq 0 ] && break
        n=$((n + step))
    done
    rm -f "$err"
    if [ $n -gt 20000 ]; then
        fail "out of memory: $name: did not succeed within 20000 allocations"
    elif [ $crashes -eq 0 ]; then
        pass "out of memory: $name: failing from allocation 0, $step, ... $((n - step)) (of $n): $((runs - 1)) errors, no crash"
    else
        fail "out of memory: $name: $crashes crashes ($first)"
    fi
}

summary() {
    echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
    [ "$T_FAILED" -eq 0 ]
}
