#!/bin/bash
# tests/oci/bench.sh [BUILD]: what pulling costs `run`.  BUILD defaults to
# $WASM_BPF_BUILD (set by `make bench`), else build/.
#
# A ~100 KB module (a clang-built WASI program padded with a custom section)
# is pushed to a docker-registry on 127.0.0.1.  Then, repeated, each time
# with an empty store:
#   wasm-bpf run --store EMPTY REF   against   wasm-bpf run FILE
# and the difference of the medians is printed (goal: under 30 ms).  While
# `run` cannot run the module yet, the pull alone is measured: the path
# `run` takes (oci_resolve_module, through oci-test) and `wasm-bpf pull`.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${WASM_BPF_BUILD:-build}}
case $build in /*) ;; *) build=$top/$build ;; esac
HERE=$top/tests/oci
W=$build/wasm-bpf
OT=$build/tests/oci/oci-test
RUNS=${OCI_BENCH_RUNS:-21}

for tool in docker-registry python3 curl; do
    if ! command -v $tool > /dev/null; then
        echo "oci bench: skipped ($tool is missing)"
        exit 0
    fi
done

T=$(mktemp -d /tmp/wasm-bpf-oci-bench.XXXXXX)
PIDS=""
. "$HERE/registry.sh"
trap 'stop_servers; rm -rf "$T"' EXIT

start_registry bench "" ""
wait_registry bench || { echo "oci bench: the registry did not start" >&2; exit 1; }
R=127.0.0.1:$bench_PORT

base=""
printf 'int main(void) { return 0; }\n' > "$T/main.c"
if clang --target=wasm32-wasi -O2 -o "$T/base.wasm" "$T/main.c" 2> /dev/null; then
    base=$T/base.wasm
fi
python3 "$HERE/mkwasm.py" 102400 bench "$T/module.wasm" $base
"$W" push -q "$R/bench/module:v1" "$T/module.wasm" > /dev/null || { echo "oci bench: push failed" >&2; exit 1; }

# median_ms LABEL COMMAND...: run COMMAND $RUNS times ('{}' becomes a fresh
# empty store each time), print and keep (in MEDIAN) the median in ms
median_ms() {
    local label=$1
    shift
    MEDIAN=$(python3 - "$T" "$RUNS" "$@" << 'PY'
import os, statistics, subprocess, sys, time
tmp, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
times = []
for i in range(runs):
    store = os.path.join(tmp, "store-%d-%d" % (os.getpid(), i))
    argv = [a.replace("{}", store) for a in cmd]
    t = time.perf_counter()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
    if r.returncode != 0:
        print("FAILED")
        sys.exit(0)
print("%.1f" % statistics.median(times))
PY
)
    printf '  %-52s median %6s ms  (%d runs)\n' "$label" "$MEDIAN" "$RUNS"
}

size=$(stat -c %s "$T/module.wasm")
echo "oci bench: a $size-byte module, registry on 127.0.0.1, empty store each run"
if "$W" run "$T/module.wasm" > /dev/null 2>&1; then
    median_ms "wasm-bpf run FILE" "$W" run "$T/module.wasm"
    file_ms=$MEDIAN
    median_ms "wasm-bpf run REF (pull into an empty store)" "$W" run --store {} "$R/bench/module:v1"
    ref_ms=$MEDIAN
    if [ "$file_ms" != FAILED ] && [ "$ref_ms" != FAILED ]; then
        python3 -c "d = $ref_ms - $file_ms; print('  run REF - run FILE: %.1f ms (goal: under 30 ms)%s' % (d, '' if d < 30 else '  OVER THE GOAL'))"
    fi
else
    echo "  (wasm-bpf run cannot run the module in this build: measuring the pull alone)"
    median_ms "wasm-bpf --version (process start, for scale)" "$W" --version
    start_ms=$MEDIAN
fi
median_ms "resolve REF as run does (oci_resolve_module)" "$OT" resolve --quiet --store {} "$R/bench/module:v1"
if [ -n "${start_ms:-}" ] && [ "$start_ms" != FAILED ] && [ "$MEDIAN" != FAILED ]; then
    python3 -c "print('  what the pull adds to a process start: %.1f ms (goal for run REF - run FILE: under 30 ms)' % ($MEDIAN - $start_ms))"
fi
median_ms "wasm-bpf pull REF" "$W" pull -q --store {} "$R/bench/module:v1"
median_ms "resolve REF, already in the store (--pull missing)" "$OT" resolve --quiet --store "$T/warm" "$R/bench/module:v1"
