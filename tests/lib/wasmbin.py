"""Pieces of the WebAssembly binary format for the test generators
(tests/engine/gen_limits.py, tests/oci/mkwasm.py): one encoder, so the
generators cannot disagree on how a length is written."""

MAGIC = b"\x00asm\x01\x00\x00\x00"


def leb128(n):
    """Unsigned LEB128 of a non-negative integer."""
    if n < 0:
        raise ValueError("leb128: negative value %d" % n)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def section(sid, body):
    """A section: its id, the LEB128 length of body, body."""
    return bytes([sid]) + leb128(len(body)) + body
