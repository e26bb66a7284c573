#!/usr/bin/env python3
"""Writes modules that stress the engine's limits.  Two are valid but over
the limits, in the text format (wat2wasm turns them into binaries):
  deep_stack.wat  a function pushing 70000 values (the limit is 65536)
  code_bomb.wat   a br_table whose 300 targets each copy 1000 values: a few
                  KB of input that would compile to megabytes of moves
and two are binaries within the limits, whose load time must grow linearly:
  type_bomb.wasm       160000 distinct function types (about 2 MB)
  type_bomb_quarter.wasm  the first 40000 of them (about 480 KB)
With --big-code FILE it writes only one large valid module instead (63 MB
of function bodies, a load and a compile of seconds: the signal tests
interrupt them); it is not kept in the build tree."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from wasmbin import MAGIC, leb128, section  # noqa: E402


def big_code(nfuncs=1000, reps=9000):
    """nfuncs functions (param i32) (result i32), each `x = x + x` reps
    times (7 bytes each) and returning x: valid, within every limit."""
    body = b"\x00" + b"\x20\x00\x20\x00\x6a\x21\x00" * reps + b"\x20\x00\x0b"
    types = leb128(1) + b"\x60\x01\x7f\x01\x7f"
    funcs = leb128(nfuncs) + b"\x00" * nfuncs
    code = leb128(nfuncs) + (leb128(len(body)) + body) * nfuncs
    return (MAGIC + section(1, types) + section(3, funcs)
            + section(10, code))


if len(sys.argv) == 3 and sys.argv[1] == "--big-code":
    with open(sys.argv[2], "wb") as f:
        f.write(big_code())
    sys.exit(0)

out = sys.argv[1]
with open(f"{out}/deep_stack.wat", "w") as f:
    f.write("(module (func (export \"f\") (result i32)\n")
    f.write("  i32.const 0\n" * 70000)
    f.write("  drop\n" * 69999)
    f.write("))\n")

results = " ".join(["i32"] * 1000)
depth = 300
with open(f"{out}/code_bomb.wat", "w") as f:
    f.write(f"(module (type $t (func (result {results})))\n")
    f.write(f"  (func (export \"f\") (param i32) (result {results})\n")
    f.write("    (block (type $t)\n" * depth)
    f.write("    " + "i32.const 7 " * 1000 + "\n")
    labels = " ".join(str(i) for i in range(depth))
    f.write(f"    local.get 0 br_table {labels} 0\n")
    f.write("    )\n" * depth)
    f.write("  ))\n")


def type_bomb(ntypes):
    """A type section only: type i has 9 parameters spelling i in base 4
    over (i32, i64, f32, f64), so that no two types are equal."""
    valtypes = (0x7F, 0x7E, 0x7D, 0x7C)
    body = bytearray(leb128(ntypes))
    for i in range(ntypes):
        params = bytes(valtypes[(i >> (2 * k)) & 3] for k in range(9))
        body += b"\x60" + leb128(len(params)) + params + b"\x00"
    return MAGIC + section(1, bytes(body))


with open(f"{out}/type_bomb.wasm", "wb") as f:
    f.write(type_bomb(160000))
with open(f"{out}/type_bomb_quarter.wasm", "wb") as f:
    f.write(type_bomb(40000))
