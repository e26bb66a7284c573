#!/usr/bin/env python3
"""Writes two modules that are valid but over the engine's limits, in the
text format (wat2wasm turns them into binaries):
  deep_stack.wat  a function pushing 70000 values (the limit is 65536)
  code_bomb.wat   a br_table whose 300 targets each copy 1000 values: a few
                  KB of input that would compile to megabytes of moves"""
import sys

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
