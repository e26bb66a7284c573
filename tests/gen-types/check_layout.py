#!/usr/bin/env python3
"""Checks generated layouts against `bpftool btf dump file X format raw`,
a BTF reader independent of the generator's (libbpf's btf.h helpers).

    check_layout.py c   RAW_DUMP TYPES.h     the _Static_asserts and bitfield
                                             accessors of a generated header
    check_layout.py wit RAW_DUMP TYPES.wit   the canonical-ABI layout of the
                                             records of a generated WIT file
    check_layout.py sections OBJECT.o TYPES.h   section structs (gen_types_btf)
                                             against the ELF symbol table

C: compiling the header proves that its asserts hold; this proves that the
asserted numbers are BTF's: every struct's size, every member's offset (and
that every BTF member has an assert), every bitfield's bit position and
width as the accessor uses them.

WIT: computes each record's layout the way the component model's canonical
ABI does (CanonicalABI.md: fields at multiples of their alignment, size
rounded up to the record's alignment) and checks that it needs no implicit
padding, that each record has its BTF size and each field named after a
BTF member its BTF offset.

Prints one summary line; exits 1 with the mismatches listed.
"""
import re
import sys

# ---- bpftool's raw format ----


class T:
    def __init__(self, tid, kind, name, attrs):
        self.id, self.kind, self.name, self.attrs = tid, kind, name, attrs
        self.members = []   # (name, type_id, bits_offset, bitfield_size)


def load_raw(path):
    types = {}
    cur = None
    head = re.compile(r"^\[(\d+)\] (\w+) '([^']*)'(.*)$")
    member = re.compile(r"^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?")
    for line in open(path):
        m = head.match(line)
        if m:
            attrs = dict(re.findall(r'(\w+)=(\S+)', m.group(4)))
            cur = T(int(m.group(1)), m.group(2), m.group(3), attrs)
            types[cur.id] = cur
            continue
        m = member.match(line)
        if m and cur is not None and cur.kind in ('STRUCT', 'UNION'):
            cur.members.append((m.group(1), int(m.group(2)), int(m.group(3)),
                                int(m.group(4) or 0)))
    return types


def strip(types, tid):
    """Through typedefs and qualifiers."""
    for _ in range(64):
        t = types.get(tid)
        if t is None or t.kind not in ('TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'):
            return tid
        tid = int(t.attrs['type_id'])
    return tid


def record_of(types, tid):
    """The struct/union a member holds by value (through arrays), or None."""
    for _ in range(64):
        tid = strip(types, tid)
        t = types.get(tid)
        if t is None:
            return None
        if t.kind == 'ARRAY':
            tid = int(t.attrs['type_id'])
            continue
        return tid if t.kind in ('STRUCT', 'UNION') else None
    return None


def leaves(types, tid, base=0):
    """Every member reachable by name from struct/union tid, anonymous
    members flattened as C11 does: (name, bit offset, bitfield bits, type)."""
    out = []
    for name, mtid, off, bf in types[tid].members:
        bits, off_total = bf, base + off
        if not bf:   # kind_flag 0 bitfields hide in the INT encoding
            u = types.get(strip(types, mtid))
            if u is not None and u.kind == 'INT':
                nr, ioff = int(u.attrs['nr_bits']), int(u.attrs['bits_offset'])
                if ioff or nr != 8 * int(u.attrs['size']):
                    bits, off_total = nr, off_total + ioff
        if name in ('', '(anon)'):
            sub = record_of(types, mtid)
            if sub is not None and not bits:
                out.extend(leaves(types, sub, off_total))
            continue
        out.append((name, off_total, bits, mtid))
    return out


def unique_named(types, kinds):
    seen = {}
    for t in types.values():
        if t.kind in kinds and t.name not in ('', '(anon)'):
            seen.setdefault(t.name, []).append(t.id)
    return {n: ids[0] for n, ids in seen.items() if len(ids) == 1}


# ---- C ----

def check_c(types, header):
    text = open(header).read()
    sizes = {m.group(2): int(m.group(3)) for m in re.finditer(
        r'_Static_assert\(sizeof\((struct|union) (\w+)\) == (\d+)', text)}
    offsets = {}
    for m in re.finditer(r'_Static_assert\(offsetof\((?:struct|union) (\w+), (\w+)\) == (\d+)', text):
        offsets.setdefault(m.group(1), {})[m.group(2)] = int(m.group(3))
    # member declarations: which generated record each field holds
    bodies = {}
    for m in re.finditer(r'\n(?:__extension__ )?(struct|union) (\w+) \{\n(.*?)\n\} __attribute__',
                         text, re.S):
        bodies[m.group(2)] = re.findall(r'(?:struct|union) (\w+) (\w+)(?:\[|;)', m.group(3))
    accessors = re.findall(
        r'/\* (?:struct|union) (\w+)\.(\w+): [^\n]*:(\d+) \*/\n'
        r'static inline \w+ \w+\(const (?:struct|union) \w+ \*p\)\n\{\n'
        r'    return [^\n]*wasm_bpf_bits_get\(p->(\w+), (\d+), (\d+)\)', text)

    # map generated tags to BTF ids: unique names first, then through fields
    named = unique_named(types, ('STRUCT', 'UNION'))
    tag_to_id = {tag: named[tag] for tag in sizes if tag in named}
    changed = True
    while changed:
        changed = False
        for tag, tid in list(tag_to_id.items()):
            btf_members = {n: mt for n, _, _, mt in leaves(types, tid)}
            for sub_tag, field in bodies.get(tag, []):
                mt = btf_members.get(field) or btf_members.get(field.rstrip('_'))
                sub = record_of(types, mt) if mt else None
                if sub is not None and sub_tag not in tag_to_id:
                    tag_to_id[sub_tag] = sub
                    changed = True

    errors, nrec, nfields, nbits = [], 0, 0, 0
    generated = re.compile(r'^__(pad|bf|bytes|anon)\d*(_\d+)?$')
    for tag, tid in sorted(tag_to_id.items()):
        t = types[tid]
        nrec += 1
        if sizes.get(tag) != int(t.attrs['size']):
            errors.append(f'{tag}: size {sizes.get(tag)} in the header, {t.attrs["size"]} in BTF')
        asserted = offsets.get(tag, {})
        for name, bitoff, bits, _ in leaves(types, tid):
            if bits:
                continue   # checked through the accessors
            cname = name if name in asserted else name + '_'
            if cname not in asserted:
                errors.append(f'{tag}.{name}: no offset assert in the header')
            elif asserted[cname] * 8 != bitoff:
                errors.append(f'{tag}.{name}: offset {asserted[cname]} in the header, '
                              f'bit {bitoff} in BTF')
            else:
                nfields += 1
        for member in asserted:
            if generated.match(member) and member not in [n for n, *_ in leaves(types, tid)]:
                continue
            if member not in [n for n, *_ in leaves(types, tid)] and \
               member.rstrip('_') not in [n for n, *_ in leaves(types, tid)]:
                errors.append(f'{tag}.{member}: asserted but not a member in BTF')
        btf_bits = {n: (o, b) for n, o, b, _ in leaves(types, tid) if b}
        seen_bits = set()
        for atag, field, width, storage, bit, nbits_acc in accessors:
            if atag != tag:
                continue
            key = field if field in btf_bits else field.rstrip('_')
            if key not in btf_bits:
                errors.append(f'{tag}.{field}: accessor for a bitfield BTF does not have')
                continue
            seen_bits.add(key)
            o, b = btf_bits[key]
            got = asserted.get(storage, -1) * 8 + int(bit)
            if got != o or int(nbits_acc) != b or int(width) != b:
                errors.append(f'{tag}.{field}: accessor reads bits {got}+{nbits_acc}, BTF has '
                              f'{o}+{b}')
            else:
                nbits += 1
        for key in btf_bits:
            if key not in seen_bits:
                errors.append(f'{tag}.{key}: bitfield without accessors')
    unmapped = sorted(set(sizes) - set(tag_to_id))
    return errors, (f'{nrec} records, {nfields} member offsets and {nbits} bitfields agree with '
                    f'bpftool' + (f'; {len(unmapped)} not matched to BTF: {" ".join(unmapped)}'
                                  if unmapped else ''))


# ---- WIT ----

PRIM = {'u8': 1, 's8': 1, 'u16': 2, 's16': 2, 'u32': 4, 's32': 4, 'f32': 4,
        'u64': 8, 's64': 8, 'f64': 8}


def kebab(name):
    words = re.sub(r'([a-z0-9])([A-Z])', r'\1_\2', name).lower().split('_')
    s = '-'.join(w for w in words if w)
    return s if s and not s[0].isdigit() else 'x' + s


def check_wit(types, wit):
    text = open(wit).read()
    body = text[text.index('interface types {'):]
    records, aliases, desc = {}, {}, {}
    for m in re.finditer(r'((?:    ///[^\n]*\n)*)    record (%?[\w-]+) \{\n(.*?)\n    \}', body, re.S):
        name = m.group(2).lstrip('%')
        fields = re.findall(r'^        (%?[\w-]+): ([^\n]*?),(?:\s*//.*)?$', m.group(3), re.M)
        records[name] = [(f.lstrip('%'), ty) for f, ty in fields]
        d = re.match(r'    /// ([^:\n]*):', m.group(1))
        desc[name] = d.group(1) if d else ''
    for m in re.finditer(r'^    type (%?[\w-]+) = ([^;]*);', body, re.M):
        aliases[m.group(1).lstrip('%')] = m.group(2)

    def layout(ty, depth=0):
        """(size, alignment) of a WIT type, per CanonicalABI.md."""
        ty = ty.strip()
        if depth > 64:
            raise ValueError(f'type loop at {ty}')
        if ty in PRIM:   # a primitive; %u8 would name a type called u8
            return PRIM[ty], PRIM[ty]
        ty = ty.lstrip('%')
        m = re.fullmatch(r'list<(.*), (\d+)>', ty)
        if m:
            s, a = layout(m.group(1), depth + 1)
            return s * int(m.group(2)), a
        if ty in aliases:
            return layout(aliases[ty], depth + 1)
        if ty in records:
            return record_layout(ty, depth + 1)[:2]
        raise ValueError(f'unknown type {ty}')

    def record_layout(name, depth=0):
        off, align, offsets = 0, 1, []
        for fname, fty in records[name]:
            s, a = layout(fty, depth)
            off = (off + a - 1) // a * a
            offsets.append((fname, off, s))
            off += s
            align = max(align, a)
        return (off + align - 1) // align * align, align, offsets

    named = unique_named(types, ('STRUCT', 'UNION'))
    errors, nrec, nfields, nchecked = [], 0, 0, 0
    for name in records:
        nrec += 1
        size, align, offsets = record_layout(name)
        end = 0
        for fname, off, s in offsets:   # no implicit padding anywhere
            if off != end:
                errors.append(f'{name}.{fname}: the canonical ABI puts it at {off}, after a gap '
                              f'from {end}')
            end = off + s
        if size != end:
            errors.append(f'{name}: the canonical ABI pads it to {size} (fields end at {end})')
        d = desc[name].split()
        if len(d) == 2 and d[0] in ('struct', 'union') and d[1] in named:
            t = types[named[d[1]]]
            if size != int(t.attrs['size']):
                errors.append(f'{name}: canonical size {size}, BTF size {t.attrs["size"]}')
            btf = {kebab(n): o for n, o, b, _ in leaves(types, t.id) if not b}
            for fname, off, s in offsets:
                if fname in btf:
                    nfields += 1
                    if btf[fname] != 8 * off:
                        errors.append(f'{name}.{fname}: canonical offset {off}, BTF bit '
                                      f'{btf[fname]}')
            nchecked += 1
    return errors, (f'{nrec} records laid out by the canonical ABI without implicit padding; '
                    f'{nchecked} matched to BTF by name with {nfields} field offsets agreeing')


# ---- section structs: offsets are the variables' ELF symbol values ----

def check_sections(obj, header):
    import subprocess
    secs = {}
    for line in subprocess.run(['readelf', '-SW', obj], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        m = re.match(r'\s*\[\s*(\d+)\]\s+(\S+)', line)
        if m:
            secs[m.group(1)] = m.group(2)
    want = {}
    for line in subprocess.run(['readelf', '-sW', obj], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        f = line.split()
        if len(f) == 8 and f[3] == 'OBJECT' and f[6] in secs:
            sec = secs[f[6]].lstrip('.').replace('.', '_')
            want.setdefault(sec, {})[f[7]] = int(f[1], 16)
    text = open(header).read()
    errors, n = [], 0
    for sec, syms in sorted(want.items()):
        for name, value in sorted(syms.items()):
            m = re.search(rf'_Static_assert\(offsetof\(struct {sec}, {name}\) == (\d+)', text)
            if not m:
                errors.append(f'{sec}.{name}: no offset assert')
            elif int(m.group(1)) != value:
                errors.append(f'{sec}.{name}: offset {m.group(1)}, symbol value {value}')
            else:
                n += 1
    return errors, f'{len(want)} sections, {n} variable offsets agree with the ELF symbols'


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ('c', 'wit', 'sections'):
        sys.exit(__doc__)
    if sys.argv[1] == 'sections':
        errors, summary = check_sections(sys.argv[2], sys.argv[3])
    else:
        types = load_raw(sys.argv[2])
        errors, summary = (check_c if sys.argv[1] == 'c' else check_wit)(types, sys.argv[3])
    for e in errors[:50]:
        print('  ' + e)
    if len(errors) > 50:
        print(f'  ... and {len(errors) - 50} more')
    print(summary if not errors else f'{len(errors)} mismatches; ' + summary)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
