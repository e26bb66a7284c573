#!/usr/bin/env python3
"""mkwasm.py SIZE SEED OUT [BASE]: write a valid WebAssembly module of exactly
SIZE bytes: BASE (a module, e.g. built by clang; default: just the header)
followed by one custom section of pseudo-random bytes (seeded, so each SEED
gives a different module with a different digest).  Custom sections may
follow any section, so BASE still runs the same."""
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
    base = open(sys.argv[4], "rb").read() if len(sys.argv) > 4 else b"\0asm\x01\0\0\0"
    if base[:8] != b"\0asm\x01\0\0\0":
        sys.exit("mkwasm.py: %s is not a WebAssembly module" % sys.argv[4])
    size -= len(base) - 8
    name = b"wasm-bpf-test"
    # total = header (8) + section id (1) + LEB128 length + payload: solve for
    # the payload length so the file is exactly SIZE bytes
    payload_len = size - 9 - 1
    while payload_len > 0 and 9 + len(leb128(payload_len)) + payload_len > size:
        payload_len -= 1
    if payload_len < 1 + len(name) or 9 + len(leb128(payload_len)) + payload_len != size:
        sys.exit("mkwasm.py: cannot make a module of exactly %d bytes" % size)
    payload = leb128(len(name)) + name + random.Random(seed).randbytes(payload_len - 1 - len(name))
    with open(out, "wb") as f:
        f.write(base)
        f.write(b"\x00" + leb128(len(payload)))
        f.write(payload)


main()
