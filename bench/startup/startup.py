#!/usr/bin/env python3
"""Whole-process start-up of `wasm-bpf run hello.wasm` against the same hello
world built natively.

Paired and interleaved (see the engine benchmarks' paired timer): each pair
runs both commands back to back in a random order, so that the drift of a
shared machine hits both alike; the result is the median over the pairs of
(wasm time - native time), in milliseconds, next to the plain medians.
Both commands must print "hello".

Usage: startup.py WASM_BPF HELLO_WASM HELLO_NATIVE [PAIRS]
"""
import os
import random
import statistics
import subprocess
import sys
import time


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    t = time.perf_counter() - t0
    if p.returncode != 0 or p.stdout != b"hello\n":
        sys.exit(f"startup: {' '.join(cmd)} exited {p.returncode} printing {p.stdout[:200]!r}")
    return t


def main():
    wasm_bpf, hello_wasm, hello_native = sys.argv[1:4]
    pairs = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    wasm = [wasm_bpf, "run", hello_wasm]
    native = [hello_native]
    for _ in range(10):  # warm the page cache and the dynamic loader
        run(wasm)
        run(native)
    diffs, tw, tn = [], [], []
    for _ in range(pairs):
        order = [("w", wasm), ("n", native)]
        random.shuffle(order)
        t = {k: run(cmd) for k, cmd in order}
        tw.append(t["w"])
        tn.append(t["n"])
        diffs.append(t["w"] - t["n"])
    ms = lambda s: s * 1000
    size = os.path.getsize(hello_wasm)
    print(f"start-up: wasm-bpf run hello.wasm ({size // 1024} KB) vs native hello, {pairs} paired runs")
    print(f"  median wasm {ms(statistics.median(tw)):.2f} ms, native {ms(statistics.median(tn)):.2f} ms")
    d = sorted(diffs)
    print(f"  above native: median {ms(statistics.median(d)):.2f} ms "
          f"(p10 {ms(d[len(d) // 10]):.2f}, p90 {ms(d[len(d) * 9 // 10]):.2f}); goal: under 2 ms")


if __name__ == "__main__":
    main()
