#!/usr/bin/env python3
"""Paired benchmark: each engine run is timed right after a native run of the
same kernel, so that the machine's slow and fast phases cancel out in the
ratio.  Prints, per kernel, the median native time, the median time of each
engine and the median of its per-pair ratios (with their range), then the
geometric mean of the ratios per engine.  Never fails on timing; fails only
when an engine's output does not carry the native checksum.

  paired.py [--iters N] [--engines NAME,NAME...] [--score KERNEL=ITERATIONS] SPEC.tsv
  SPEC lines: kernel<TAB>native command<TAB>engine command...<TAB>checksum regex
  (one engine command per name; the regex's group 1 must be equal in the
  outputs; "A|||B": A for the native output, B for the engines')
  --score: also print KERNEL's score, ITERATIONS over its median time
  (whole process, start-up included), per column, as CoreMark does
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
    ap.add_argument("--engines", default="engine")
    ap.add_argument("--score", default=None)
    a = ap.parse_args()
    names = a.engines.split(",")
    rows = []
    for line in open(a.spec):
        if line.strip() and not line.startswith("#"):
            name, nat, *engs, rx = line.rstrip("\n").split("\t")
            if len(engs) != len(names):
                sys.exit(f"paired.py: {name}: {len(engs)} engine commands for {len(names)} names")
            rows.append((name, shlex.split(nat), [shlex.split(e) for e in engs], rx.split("|||")))
    bad = []
    # per kernel: native times, then per engine (times, ratios)
    results = {}
    for name, nat, engs, rxs in rows:          # warm-up and output check
        _, rc_n, out_n = run(nat)
        want = checksum(rxs[0], out_n)
        for ename, eng in zip(names, engs):
            _, rc_e, out_e = run(eng)
            got = checksum(rxs[-1], out_e)
            if rc_n or rc_e or want is None or want != got:
                bad.append(f"{name} ({ename}): native rc={rc_n} {want!r}, engine rc={rc_e} {got!r}: {out_e.strip()[-200:]!r}")
        results[name] = ([], [([], []) for _ in names])
    for _ in range(a.iters):
        order = list(rows)
        random.shuffle(order)
        for name, nat, engs, _ in order:
            for k, eng in enumerate(engs):     # each engine run right after a native run
                tn, _, _ = run(nat)
                te, _, _ = run(eng)
                results[name][0].append(tn)
                results[name][1][k][0].append(te)
                results[name][1][k][1].append(te / tn)
    print(f"\n{a.title}: median of {a.iters} paired runs (whole process)\n")
    head = f"{'kernel':<10} {'native':>9}"
    for ename in names:
        head += f" {ename:>9} {'ratio':>7} {'range':<9}"
    print(head.rstrip())
    medians = [[] for _ in names]
    for name, *_ in rows:
        tn, per = results[name]
        line = f"{name:<10} {statistics.median(tn):>8.3f}s"
        for k, (te, r) in enumerate(per):
            m = statistics.median(r)
            medians[k].append(m)
            line += f" {statistics.median(te):>8.3f}s {m:>6.2f}x {min(r):.2f}-{max(r):.2f}"
        print(line)
    line = f"{'geomean':<10} {'':>9}"
    for k in range(len(names)):
        geo = math.exp(sum(math.log(x) for x in medians[k]) / len(medians[k]))
        line += f" {'':>9} {geo:>6.2f}x {'':<9}"
    print(line.rstrip())
    if a.score:
        kernel, _, iters = a.score.partition("=")
        if kernel in results and iters.isdigit():
            tn, per = results[kernel]
            line = f"\n{kernel} score (iterations/s, {iters} iterations over the median whole-process time):"
            line += f" native {int(iters) / statistics.median(tn):,.0f}"
            for ename, (te, _) in zip(names, per):
                line += f", {ename} {int(iters) / statistics.median(te):,.0f}"
            print(line)
    if bad:
        print("\nOUTPUT MISMATCHES:")
        for b in bad:
            print("  " + b)
        sys.exit(1)


if __name__ == "__main__":
    main()
