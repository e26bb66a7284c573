#!/usr/bin/env python3
"""mkwasm.py SIZE SEED OUT: write a valid WebAssembly module of about SIZE
bytes: the header and one custom section of pseudo-random bytes (seeded, so
each SEED gives a different module with a different digest)."""
import random
import sys


def leb128(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def main():
    size, seed, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    name = b"wasm-bpf-test"
    payload_len = max(0, size - 8 - 6 - 1 - len(name))
    payload = leb128(len(name)) + name + random.Random(seed).randbytes(payload_len)
    with open(out, "wb") as f:
        f.write(b"\0asm\x01\0\0\0")
        f.write(b"\x00" + leb128(len(payload)))
        f.write(payload)


main()
