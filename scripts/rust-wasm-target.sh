#!/bin/sh
# Print the name under which a Rust toolchain has its WASI preview 1 target
# installed: wasm32-wasip1 (Rust 1.78 and later; 1.84 dropped the old name)
# or wasm32-wasi (before 1.78, e.g. Debian 12's rustc 1.63).  Both build the
# same module; the build and the tests use whichever the toolchain has.
#   scripts/rust-wasm-target.sh [RUSTC]    (default: rustc from PATH)
# Exits 1, printing nothing, when the toolchain has neither installed.
rustc=${1:-rustc}
sysroot=$("$rustc" --print sysroot 2>/dev/null) || exit 1
for t in wasm32-wasip1 wasm32-wasi; do
    # the standard library of the target, not just the name in target-list
    if [ -d "$sysroot/lib/rustlib/$t/lib" ]; then
        echo "$t"
        exit 0
    fi
done
exit 1
