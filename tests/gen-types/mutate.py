#!/usr/bin/env python3
"""Feeds gen types corrupted inputs: N seeded mutations (a few random bytes
each) of the given files, in every language.  Each run must end with exit 0
or 1 (never a crash, a hang or a sanitizer report); prints a summary and
exits 1 otherwise.  (`make fuzz` builds a libFuzzer target for the long run.)

    mutate.py WASM_BPF N FILE...    (a .btf file gets --type for each struct)
"""
import os
import random
import subprocess
import sys
import tempfile


def main():
    wasm_bpf, n, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    rnd = random.Random(20240501)
    outcomes = {0: 0, 1: 0}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'mutated')
        for i in range(n):
            src = files[i % len(files)]
            data = bytearray(open(src, 'rb').read())
            for _ in range(rnd.randint(1, 8)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            open(path, 'wb').write(data)
            lang = ('c', 'rust', 'wit')[i % 3]
            args = [wasm_bpf, 'gen', 'types', '--lang', lang]
            if src.endswith('.btf'):
                args += ['--type', rnd.choice(['syn', 'dup', 'type', 'u8', 'bool', 'size_t'])]
            try:
                r = subprocess.run(args + [path], capture_output=True, timeout=20)
            except subprocess.TimeoutExpired:
                print(f'hang: mutation {i} of {src} ({lang})')
                sys.exit(1)
            if r.returncode not in (0, 1) or b'Sanitizer' in r.stderr or b'runtime error' in r.stderr:
                print(f'exit {r.returncode} on mutation {i} of {src} ({lang}):')
                print(r.stderr.decode(errors='replace')[-2000:])
                sys.exit(1)
            outcomes[r.returncode] += 1
    print(f'{n} corrupted inputs: {outcomes[0]} generated, {outcomes[1]} refused with an error, '
          f'no crash')


if __name__ == '__main__':
    main()
