#!/usr/bin/env python3
"""mkwasm.py SIZE SEED OUT [BASE]: write a valid WebAssembly module of exactly
SIZE bytes: BASE (a module, e.g. built by clang; default: just the header)
followed by one custom section of pseudo-random bytes (seeded, so each SEED
gives a different module with a different digest).  Custom sections may
follow any section, so BASE still runs the same."""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from wasmbin import MAGIC, leb128  # noqa: E402


def main():
    size, seed, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    base = open(sys.argv[4], "rb").read() if len(sys.argv) > 4 else MAGIC
    if base[:8] != MAGIC:
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
