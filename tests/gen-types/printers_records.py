#!/usr/bin/env python3
"""printers_records.py SIZE [FILE]: records of SIZE bytes for the printer
comparison: all zero, all 0xa5, all 0xff, a counting pattern, 60 random ones
(fixed seed: floats of every exponent, NaN and infinity among them), and
FILE's bytes first when given (a record set by hand)."""
import random
import sys

size = int(sys.argv[1])
out = bytearray()
if len(sys.argv) > 2:
    out += open(sys.argv[2], 'rb').read()
out += bytes(size) + b'\xa5' * size + b'\xff' * size
out += bytes((i * 37 + 11) & 0xff for i in range(size))
rng = random.Random(13)
for _ in range(60):
    out += bytes(rng.getrandbits(8) for _ in range(size))
sys.stdout.buffer.write(out)
