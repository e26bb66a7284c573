#!/usr/bin/env python3
"""Paired benchmark: each engine run is timed right after a native run of the
same kernel, so that the machine's slow and fast phases cancel out in the
ratio.  Prints, per kernel, the median native time, the median engine time
and the median of the per-pair ratios (with its range), then the geometric
mean of the ratios.  Never fails on timing; fails only when an engine's
output does not carry the native checksum.

  paired.py [--iters N] SPEC.tsv
  SPEC lines: kernel<TAB>native command<TAB>engine command<TAB>checksum regex
  (the regex's group 1 must be equal in both outputs)
"""
import argparse, math, random, re, shlex, statistics, subprocess, sys, time


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return time.perf_counter() - t0, p.returncode, p.stdout.decode(errors="replace")


def checksum(regex, out):
    m = re.search(regex, out)
    return m.group(1) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--title", default="engine / native")
    a = ap.parse_args()
    rows = []
    for line in open(a.spec):
        if line.strip() and not line.startswith("#"):
            name, nat, eng, rx = line.rstrip("\n").split("\t")
            rows.append((name, shlex.split(nat), shlex.split(eng), rx.split("|||")))
    bad = []
    results = {}
    for name, nat, eng, rxs in rows:           # warm-up and output check
        _, rc_n, out_n = run(nat)
        _, rc_e, out_e = run(eng)
        want = checksum(rxs[0], out_n)
        got = checksum(rxs[-1], out_e)
        if rc_n or rc_e or want is None or want != got:
            bad.append(f"{name}: native rc={rc_n} {want!r}, engine rc={rc_e} {got!r}: {out_e.strip()[-200:]!r}")
        results[name] = ([], [], [])
    for _ in range(a.iters):
        order = list(rows)
        random.shuffle(order)
        for name, nat, eng, _ in order:
            tn, _, _ = run(nat)
            te, _, _ = run(eng)
            results[name][0].append(tn)
            results[name][1].append(te)
            results[name][2].append(te / tn)
    print(f"\n{a.title}: median of {a.iters} paired runs (whole process)\n")
    print(f"{'kernel':<10} {'native':>9} {'engine':>9} {'ratio':>7}  range")
    medians = []
    for name, *_ in rows:
        tn, te, r = results[name]
        m = statistics.median(r)
        medians.append(m)
        print(f"{name:<10} {statistics.median(tn):>8.3f}s {statistics.median(te):>8.3f}s {m:>6.1f}x  {min(r):.1f}-{max(r):.1f}")
    geo = math.exp(sum(math.log(x) for x in medians) / len(medians))
    print(f"{'geomean':<10} {'':>9} {'':>9} {geo:>6.1f}x")
    if bad:
        print("\nOUTPUT MISMATCHES:")
        for b in bad:
            print("  " + b)
        sys.exit(1)


if __name__ == "__main__":
    main()
