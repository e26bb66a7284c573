#!/usr/bin/env python3
"""Writes a C program with many varied functions, whose wasm32 build is a
module of about 150 KB: the input of the load-time benchmark."""
import random, sys

random.seed(7)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
out = ["#include <stdint.h>", "#include <stdio.h>", "#include <string.h>"]
for i in range(n):
    k = random.randint(3, 9)
    body = [f"uint32_t f{i}(uint32_t a, uint32_t b, const uint8_t *p, uint32_t n) {{",
            "    uint32_t acc = a ^ 0x9e3779b9u, t = b;"]
    for j in range(k):
        c = random.randint(1, 1 << 20)
        kind = random.randint(0, 4)
        if kind == 0:
            body.append(f"    for (uint32_t i = 0; i < n; i++) acc = (acc << 5 | acc >> 27) ^ (p[i] + {c}u);")
        elif kind == 1:
            body.append(f"    switch ((acc + {c}u) & 7) {{ case 0: t += acc; break; case 1: t ^= {c}u; break;"
                        f" case 2: t = t * 33 + {j}; break; case 3: acc -= t; break; default: acc += {c}u; }}")
        elif kind == 2:
            body.append(f"    if (acc > {c}u) acc /= (t | 1); else acc = acc * {c}u + t;")
        elif kind == 3:
            body.append(f"    {{ double d = (double)acc * {c}.5; acc += (uint32_t)(d / (t + 1.0)); }}")
        else:
            body.append(f"    while (t > {c}u) {{ t >>= 1; acc += t; }}")
    if i:
        body.append(f"    if (n > 1000) acc += f{i-1}(acc, t, p, n / 2);")
    body.append("    return acc ^ t;")
    body.append("}")
    out += body
out.append("int main(int argc, char **argv) {")
out.append("    uint8_t buf[64]; memset(buf, argc, sizeof buf); uint32_t r = 0;")
for i in range(0, n, max(1, n // 50)):
    out.append(f"    r += f{i}(r, {i}u, buf, sizeof buf);")
out.append('    printf("big: %u %s\\n", r, argv[0]); return 0;')
out.append("}")
print("\n".join(out))
