#!/usr/bin/env python3
"""A/B of two wasm-bpf binaries on the ring-buffer benchmark: cost per record
from the kernel's ring to a trivial callback (bpfbench.wasm ring, as
bench/bpf/driver.c's (b)), the two binaries alternated run by run so that
the machine's slow and fast phases hit both.  Prints every run's ns per
record (the guest's wall clock, and the CPU time the guest measured over
its polls: what a loaded machine disturbs least), the medians, and the
median of the per-pair ratios.  Needs root.

  bench/bpf/ring_ab.py A_WASM_BPF B_WASM_BPF BPFBENCH_WASM TRIGGER [ROUNDS]
  e.g. bench/bpf/ring_ab.py /tmp/main/build/wasm-bpf build/wasm-bpf \\
       build/bench/bpf/bpfbench.wasm build/tests/bpf/trigger 21
"""
import statistics, subprocess, sys

RECORDS = "2000000"


def one(binary, wasm, trigger):
    p = subprocess.Popen([binary, "run", wasm, "ring", trigger, RECORDS],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if p.stdout.readline().strip() != "ready":
        sys.exit("%s: the guest did not start" % binary)
    subprocess.run([trigger, RECORDS, "1"], check=True)   # the records wait in the ring
    p.stdin.write("go\n")
    p.stdin.flush()
    line = p.stdout.readline()          # "ring N records X ns/record Y cpu-ns/record"
    p.wait()
    return float(line.split()[3]), float(line.split()[5])


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    a, b, wasm, trigger = sys.argv[1:5]
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 11
    ra, rb = [], []
    for i in range(rounds):
        if i % 2 == 0:
            ra.append(one(a, wasm, trigger))
            rb.append(one(b, wasm, trigger))
        else:
            rb.append(one(b, wasm, trigger))
            ra.append(one(a, wasm, trigger))
    for k, what in ((0, "wall ns/record (the guest's clock)"), (1, "CPU ns/record (the guest's process CPU clock over its polls)")):
        xa, xb = [v[k] for v in ra], [v[k] for v in rb]
        ratios = [y / x for x, y in zip(xa, xb)]
        print(what)
        print("  A", " ".join("%.1f" % v for v in xa), "median %.1f" % statistics.median(xa))
        print("  B", " ".join("%.1f" % v for v in xb), "median %.1f" % statistics.median(xb))
        print("  B/A: ratio of medians %.3f, median of pair ratios %.3f (%.2f to %.2f)" % (
            statistics.median(xb) / statistics.median(xa), statistics.median(ratios), min(ratios),
            max(ratios)))


if __name__ == "__main__":
    main()
