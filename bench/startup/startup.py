#!/usr/bin/env python3
"""Whole-process start-up of `wasm-bpf run hello.wasm` against the same hello
world built natively, and of the default tier (tiered: the interpreter
first, the compiler for what runs hot) and `--engine jit` (every function
compiled before the guest starts) against `--engine interp` (issue 10:
compiling must not slow hello's start-up).

Interleaved (see the engine benchmarks' paired timer): each round runs the
four commands back to back in a random order, so that the drift of a
shared machine hits them alike; the results are the medians over the rounds
of (wasm time - native time) and of (tier - interpreter), in
milliseconds, next to the plain medians.  For the tiers the process's
CPU time (user + system, from the kernel's accounting of the reaped child)
is compared too: a loaded machine disturbs it less than wall time.  Every
command must print "hello".

Usage: startup.py BUILD_DIR [ROUNDS]   (make bench passes the build directory)
"""
import os
import random
import statistics
import subprocess
import sys
import time


def run(cmd):
    """(wall seconds, CPU seconds) of one whole process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    p.stdout.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0 or out != b"hello\n":
        sys.exit(f"startup: {' '.join(cmd)} exited {p.returncode} printing {out[:200]!r}")
    return t, ru.ru_utime + ru.ru_stime


def spread(diffs):
    ms = lambda s: s * 1000
    d = sorted(diffs)
    return (f"median {ms(statistics.median(d)):.2f} ms "
            f"(p10 {ms(d[len(d) // 10]):.2f}, p90 {ms(d[len(d) * 9 // 10]):.2f})")


def main():
    build = sys.argv[1]
    wasm_bpf = os.path.join(build, "wasm-bpf")
    hello_wasm = os.path.join(build, "bench", "startup", "hello.wasm")
    hello_native = os.path.join(build, "bench", "startup", "hello-native")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    cmds = {"w": [wasm_bpf, "run", hello_wasm], "n": [hello_native],
            "i": [wasm_bpf, "run", "--engine", "interp", hello_wasm],
            "j": [wasm_bpf, "run", "--engine", "jit", hello_wasm]}
    for _ in range(10):  # warm the page cache and the dynamic loader
        for cmd in cmds.values():
            run(cmd)
    t = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    for _ in range(rounds):
        order = list(cmds.items())
        random.shuffle(order)
        for k, cmd in order:
            wall, c = run(cmd)
            t[k].append(wall)
            cpu[k].append(c)
    ms = lambda s: s * 1000
    size = os.path.getsize(hello_wasm)
    print(f"start-up: wasm-bpf run hello.wasm ({size // 1024} KB) vs native hello, {rounds} paired runs")
    print(f"  median wasm {ms(statistics.median(t['w'])):.2f} ms, native {ms(statistics.median(t['n'])):.2f} ms")
    print(f"  above native: {spread([w - n for w, n in zip(t['w'], t['n'])])}; goal: under 2 ms")
    for k, what in (("w", "the default (tiered)"), ("j", "--engine jit")):
        print(f"start-up: {what} vs --engine interp, the same {rounds} rounds")
        print(f"  median wall {ms(statistics.median(t[k])):.2f} vs {ms(statistics.median(t['i'])):.2f} ms, "
              f"CPU {ms(statistics.median(cpu[k])):.2f} vs {ms(statistics.median(cpu['i'])):.2f} ms")
        print(f"  above the interpreter, wall: {spread([w - i for w, i in zip(t[k], t['i'])])}")
        print(f"  above the interpreter, CPU: {spread([w - i for w, i in zip(cpu[k], cpu['i'])])}"
              + ("; goal: 0 (issue 10: start-up unchanged)" if k == "w" else ""))


if __name__ == "__main__":
    main()
