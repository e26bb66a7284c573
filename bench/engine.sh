#!/bin/sh
# Engine benchmark: compute kernels natively (gcc -O2) and as wasm32 modules
# (clang -O2) under our engine, paired in one run; prints the ratios and
# their geometric mean, then the load speed of a ~150 KB compiled C module
# and of the type bomb (2 MB of distinct function types), and memory.
#   bench/engine.sh BUILD_DIR
set -eu
build=$1
bin=$build/bench
top=$(cd "$(dirname "$0")/.." && pwd)
iters=${BENCH_ITERS:-5}
kernels="fib sieve crc32 sha256 matmul qsort coremix"

# mk/wasm.mk builds the kernels only when ../shared/bench/kernels (their
# harness) sits next to the repository
if [ ! -x "$bin/native/hello" ]; then
    echo "compute kernels: skipped: their sources (../shared/bench/kernels) are not next to the repository"
    kernels=""
fi

# WASI modules through `wasm-bpf run` once the command can run them;
# until then the kernels' no-libc builds through the engine's API.
mode=wasi
if [ -n "$kernels" ] && [ "$("$build/wasm-bpf" run "$bin/wasm/hello.wasm" 2>/dev/null)" != "hello" ]; then
    mode=nolibc
    echo "note: \`wasm-bpf run\` cannot run WASI modules in this build;"
    echo "      kernels run through the engine API (no-libc builds)"
fi
spec=$(mktemp)
for k in $kernels; do
    if [ $mode = wasi ]; then
        interp="$build/wasm-bpf run --engine interp $bin/wasm/$k.wasm"
        jit="$build/wasm-bpf run --engine jit $bin/wasm/$k.wasm"
        tiered="$build/wasm-bpf run --engine tiered $bin/wasm/$k.wasm"
        rx="$k: ([0-9]+)"
    else
        interp="env WASM_BPF_ENGINE=interp $build/tests/wasm_invoke $bin/nolibc/$k.wasm bench_run"
        jit="env WASM_BPF_ENGINE=jit $build/tests/wasm_invoke $bin/nolibc/$k.wasm bench_run"
        tiered="env WASM_BPF_ENGINE=tiered $build/tests/wasm_invoke $bin/nolibc/$k.wasm bench_run"
        rx="$k: ([0-9]+)|||i32:([0-9]+)"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$bin/native/$k" "$interp" "$jit" "$tiered" "$rx" >>"$spec"
done
# coremix's iterations per run, for its CoreMark-style score
coremix_iters=$(sed -n 's/^#define COREMIX_ITERS \([0-9][0-9]*\)$/\1/p' "$top/bench/kernels/coremix.c")
if [ -n "$kernels" ]; then
    python3 "$top/bench/paired.py" --iters "$iters" --engines interp,jit,tiered \
        ${coremix_iters:+--score "coremix=$coremix_iters"} \
        --title "Compute kernels, wasm-bpf engine (interpreter; compiler: every function up front, or tiered, the default) / native gcc -O2" "$spec"
fi
rm -f "$spec"

echo
echo "Load, a C program (clang -O2):"
WASM_BPF_ENGINE=interp "$build/tests/load_bench" "$bin/wasm/big.wasm"
echo "Load, the same with the compiler (instantiate includes compiling):"
WASM_BPF_ENGINE=jit "$build/tests/load_bench" "$bin/wasm/big.wasm"
echo "Load, the type bomb (160000 distinct function types, tests/engine/gen_limits.py):"
"$build/tests/load_bench" "$build/tests/limits/type_bomb.wasm"
