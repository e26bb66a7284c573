#!/bin/sh
# BPF benchmarks (needs root): start-up to attached, ring buffer records,
# map lookups, native libbpf against wasm-bpf, plus sizes.
#   bench/bpf/run.sh BUILD_DIR
set -eu
build=$1
b=$build/bench/bpf
if [ "$(id -u)" -ne 0 ]; then
    echo "bench/bpf: skipped: loading BPF programs needs root"
    exit 0
fi
exec "$b/driver" "$build/wasm-bpf" "$b/native/bootstrap" "$build/examples/bootstrap/bootstrap.wasm" \
    "$b/native/bpfbench" "$b/bpfbench.wasm" "$build/tests/bpf/trigger" "$b/callbench" "$b/callbench.wasm"
