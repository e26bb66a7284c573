#!/usr/bin/env python3
"""Writes the three programs of a byte round trip from a fields file.

    roundtrip.py FIXTURE.fields OUTDIR

  OUTDIR/NAME_native.c  the kernel's side: compiled natively (LP64, the BPF
                        layout) with the fixture's own header; fills each
                        struct with pseudo-random bytes, prints them in hex,
                        prints every listed field, flips every bitfield with
                        the compiler's own bitfield code and prints again
  OUTDIR/NAME_guest.c   a wasm32 guest using the header gen types wrote:
                        `guest STRUCT HEX` reads the bytes and prints the
                        same lines through the generated types and accessors
  OUTDIR/NAME_guest.rs  the same guest in Rust, on the generated module

Identical output from all three means the generated types read (and the
setters write) every field exactly where the kernel put it.

Fields file, one entry a line ('#' starts a comment after a blank):
    header FILE.h             the fixture header (native side)
    struct NAME               following entries are fields of struct NAME
    KIND PATH [key=value]...  a field, PATH as written in C (a.b[1].c)
    const NAME [c=..] [rust=..]   an enum constant
KINDs: int, bool (int the writer keeps 0/1), bytes (raw bytes), ptr,
arr / ptrarr (n=COUNT elements), bits / bbits (a bitfield / a _Bool
bitfield; owner=TYPE: the C type whose accessors hold it).  c= and rust=
give the generated spelling when it differs from the native one.
"""
import os
import re
import sys


def parse(path):
    header, structs, consts = None, [], []
    for lineno, raw in enumerate(open(path), 1):
        line = re.sub(r'(^|\s)#.*', '', raw).strip()
        if not line:
            continue
        words = line.split()
        kind, rest = words[0], words[1:]
        opts = dict(w.split('=', 1) for w in rest[1:] if '=' in w)
        if kind == 'header':
            header = rest[0]
        elif kind == 'struct':
            structs.append((rest[0], []))
        elif kind == 'const':
            consts.append((rest[0], opts))
        elif kind in ('int', 'bool', 'bytes', 'ptr', 'arr', 'ptrarr', 'bits', 'bbits'):
            if not structs:
                sys.exit(f'{path}:{lineno}: field before any struct')
            structs[-1][1].append((kind, rest[0], opts))
        else:
            sys.exit(f'{path}:{lineno}: unknown entry {kind!r}')
    if not header:
        sys.exit(f'{path}: no header line')
    return header, structs, consts


def split_path(path):
    """'ib.a' -> ('ib', 'a'); 'a' -> ('', 'a')"""
    if '.' in path:
        prefix, last = path.rsplit('.', 1)
        return prefix, last
    return '', path


def rust_ident(name):
    keywords = {'as', 'break', 'const', 'continue', 'else', 'enum', 'extern', 'false', 'fn',
                'for', 'if', 'impl', 'in', 'let', 'loop', 'match', 'mod', 'move', 'mut', 'pub',
                'ref', 'return', 'static', 'struct', 'trait', 'true', 'type', 'unsafe', 'use',
                'where', 'while', 'async', 'await', 'dyn', 'try', 'union'}
    if name in ('self', 'Self', 'super', 'crate'):
        return name + '_'
    return 'r#' + name if name in keywords else name


C_PRELUDE = r'''#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
'''

HEX_C = r'''
static void print_hex(const char *label, const void *p, size_t n)
{
    const unsigned char *b = p;
    printf("%s=", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}
'''


def c_program(name, header, structs, consts, native):
    out = [C_PRELUDE]
    out.append(f'#include "{header}"\n' if native else f'#include "{name}.types.h"\n')
    out.append(HEX_C)
    if native:
        out.append(r'''
static uint64_t rnd_state;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}
static void fill(void *p, size_t n, const char *seed)
{
    rnd_state = 0x9e3779b97f4a7c15ull;
    for (const char *s = seed; *s; s++)
        rnd_state = (rnd_state ^ (unsigned char)*s) * 0x100000001b3ull;
    for (size_t i = 0; i < n; i++)
        ((unsigned char *)p)[i] = (unsigned char)rnd();
}
''')
    else:
        out.append(r'''
static int parse_hex(const char *hex, void *p, size_t n)
{
    if (strlen(hex) != 2 * n) {
        printf("size mismatch: %zu bytes given, the generated type has %zu\n", strlen(hex) / 2, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        ((unsigned char *)p)[i] = (unsigned char)v;
    }
    return 0;
}
''')

    def cpath(path, opts):
        return path if native else opts.get('c', path)

    def getter(kind, path, opts):
        if native:
            return f'e->{path}'
        prefix, last = split_path(opts.get('c', path))
        arg = f'&e->{prefix}' if prefix else 'e'
        return f'{opts["owner"]}__get_{last}({arg})'

    for sname, fields in structs:
        out.append(f'\nstatic void print_{sname}(struct {sname} *e)\n{{\n')
        for kind, path, opts in fields:
            p = cpath(path, opts)
            if kind in ('int', 'bool'):
                out.append(f'    printf("{path}=%lld\\n", (long long)(e->{p}));\n')
            elif kind == 'bytes':
                out.append(f'    print_hex("{path}", &e->{p}, sizeof(e->{p}));\n')
            elif kind == 'ptr':
                cast = '(uintptr_t)' if native else ''
                out.append(f'    printf("{path}=%llx\\n", (unsigned long long){cast}e->{p});\n')
            elif kind in ('arr', 'ptrarr'):
                cast = '(uintptr_t)' if native and kind == 'ptrarr' else ''
                conv = '%llx' if kind == 'ptrarr' else '%lld'
                ty = 'unsigned long long' if kind == 'ptrarr' else 'long long'
                out.append(f'    for (int i = 0; i < {opts["n"]}; i++)\n'
                           f'        printf("{path}[%d]={conv}\\n", i, ({ty}){cast}e->{p}[i]);\n')
            elif kind in ('bits', 'bbits'):
                out.append(f'    printf("{path}=%lld\\n", (long long){getter(kind, path, opts)});\n')
        out.append(f'    print_hex("hex", e, sizeof *e);\n}}\n')

        # flip every bitfield: ~ (or ! for _Bool), with the compiler's own
        # bitfield code natively and the generated setters in the guest
        out.append(f'\nstatic void flip_{sname}(struct {sname} *e)\n{{\n')
        for kind, path, opts in fields:
            if kind not in ('bits', 'bbits'):
                continue
            if native:
                op = '!' if kind == 'bbits' else '~'
                out.append(f'    e->{path} = {op}e->{path};\n')
            else:
                prefix, last = split_path(opts.get('c', path))
                arg = f'&e->{prefix}' if prefix else 'e'
                out.append(f'    {opts["owner"]}__set_{last}({arg}, ~{getter(kind, path, opts)});\n')
        out.append('    (void)e;\n}\n')

    out.append('\nstatic void print_constants(void)\n{\n')
    for cname, opts in consts:
        expr = cname if native else opts.get('c', cname)
        out.append(f'    printf("{cname}=%lld\\n", (long long)({expr}));\n')
    out.append('}\n')

    if native:
        out.append('\nint main(void)\n{\n')
        for sname, fields in structs:
            out.append(f'    {{\n        struct {sname} v;\n        fill(&v, sizeof v, "{sname}");\n')
            for kind, path, opts in fields:
                if kind == 'bool':
                    out.append(f'        v.{path} = (rnd() & 1) != 0;\n')
            out.append(f'        printf("== {sname}\\n");\n'
                       f'        print_{sname}(&v);\n'
                       f'        flip_{sname}(&v);\n'
                       f'        printf("-- flipped\\n");\n'
                       f'        print_{sname}(&v);\n    }}\n')
        out.append('    printf("== constants\\n");\n    print_constants();\n    return 0;\n}\n')
    else:
        out.append('\nint main(int argc, char **argv)\n{\n'
                   '    if (argc == 2 && !strcmp(argv[1], "constants")) {\n'
                   '        print_constants();\n        return 0;\n    }\n'
                   '    if (argc != 3)\n        return 2;\n')
        for sname, fields in structs:
            out.append(f'    if (!strcmp(argv[1], "{sname}")) {{\n'
                       f'        struct {sname} *e = malloc(sizeof *e);\n'
                       f'        if (!e || parse_hex(argv[2], e, sizeof *e))\n'
                       f'            return 1;\n'
                       f'        print_{sname}(e);\n'
                       f'        flip_{sname}(e);\n'
                       f'        printf("-- flipped\\n");\n'
                       f'        print_{sname}(e);\n'
                       f'        free(e);\n        return 0;\n    }}\n')
        out.append('    return 2;\n}\n')
    return ''.join(out)


def rust_path(path, opts):
    if 'rust' in opts:
        return opts['rust']
    return '.'.join(rust_ident(p) if re.fullmatch(r'\w+', p) else p for p in path.split('.'))


def rust_program(name, structs, consts):
    out = [f'''// The round-trip guest in Rust (written by roundtrip.py)
#![allow(unused_unsafe, non_camel_case_types, non_upper_case_globals)]
#[path = "{name}_types.rs"]
mod types;
use types::*;

fn print_hex(label: &str, b: &[u8]) {{
    let mut s = String::new();
    for x in b {{
        s.push_str(&format!("{{:02x}}", x));
    }}
    println!("{{}}={{}}", label, s);
}}

fn bytes_of<T>(v: &T) -> &[u8] {{
    unsafe {{ core::slice::from_raw_parts(v as *const T as *const u8, core::mem::size_of::<T>()) }}
}}
''']
    for sname, fields in structs:
        rname = rust_ident(sname)
        out.append(f'\nfn print_{sname}(e: &mut {rname}) {{\n')
        for kind, path, opts in fields:
            rp = rust_path(path, opts)
            if kind in ('int', 'bool'):
                out.append(f'    println!("{path}={{}}", unsafe {{ e.{rp} }} as i64);\n')
            elif kind == 'bytes':
                out.append(f'    {{ let v = unsafe {{ e.{rp} }}; print_hex("{path}", bytes_of(&v)); }}\n')
            elif kind == 'ptr':
                out.append(f'    println!("{path}={{:x}}", unsafe {{ e.{rp} }} as u64);\n')
            elif kind in ('arr', 'ptrarr'):
                fmt = '{:x}' if kind == 'ptrarr' else '{}'
                cast = 'u64' if kind == 'ptrarr' else 'i64'
                out.append(f'    {{ let v = unsafe {{ e.{rp} }}; for i in 0..{opts["n"]} '
                           f'{{ println!("{path}[{{}}]={fmt}", i, v[i] as {cast}); }} }}\n')
            elif kind in ('bits', 'bbits'):
                out.append(f'    println!("{path}={{}}", e.{rp}() as i64);\n')
        out.append(f'    print_hex("hex", bytes_of(e));\n}}\n')
        out.append(f'\nfn flip_{sname}(e: &mut {rname}) {{\n')
        for kind, path, opts in fields:
            if kind in ('bits', 'bbits'):
                rp = rust_path(path, opts)
                prefix, last = split_path(rp)
                setter = 'set_' + last.replace('r#', '')
                target = f'e.{prefix}' if prefix else 'e'
                out.append(f'    {{ let v = !e.{rp}(); {target}.{setter}(v); }}\n')
        out.append('    let _ = e;\n}\n')
    out.append('\nfn print_constants() {\n')
    for cname, opts in consts:
        out.append(f'    println!("{cname}={{}}", {opts.get("rust", cname)} as i64);\n')
    out.append('}\n')
    out.append('''
fn parse_hex(hex: &str, out: &mut [u8]) -> bool {
    if hex.len() != 2 * out.len() {
        println!("size mismatch: {} bytes given, the generated type has {}", hex.len() / 2, out.len());
        return false;
    }
    for i in 0..out.len() {
        match u8::from_str_radix(&hex[2 * i..2 * i + 2], 16) {
            Ok(v) => out[i] = v,
            Err(_) => return false,
        }
    }
    true
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 2 && args[1] == "constants" {
        print_constants();
        return;
    }
    if args.len() != 3 {
        std::process::exit(2);
    }
''')
    for sname, fields in structs:
        rname = rust_ident(sname)
        out.append(f'''    if args[1] == "{sname}" {{
        let mut buf = vec![0u8; core::mem::size_of::<{rname}>()];
        if !parse_hex(&args[2], &mut buf) {{
            std::process::exit(1);
        }}
        // generated types are packed: alignment 1, any address will do
        let e: &mut {rname} = unsafe {{ &mut *(buf.as_mut_ptr() as *mut {rname}) }};
        print_{sname}(e);
        flip_{sname}(e);
        println!("-- flipped");
        print_{sname}(e);
        return;
    }}
''')
    out.append('    std::process::exit(2);\n}\n')
    return ''.join(out)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    spec, outdir = sys.argv[1], sys.argv[2]
    name = os.path.basename(spec).rsplit('.', 1)[0]
    header, structs, consts = parse(spec)
    files = {
        f'{name}_native.c': c_program(name, header, structs, consts, native=True),
        f'{name}_guest.c': c_program(name, header, structs, consts, native=False),
        f'{name}_guest.rs': rust_program(name, structs, consts),
    }
    for fname, text in files.items():
        with open(os.path.join(outdir, fname), 'w') as f:
            f.write(text)
    nfields = sum(len(f) for _, f in structs)
    print(f'{len(structs)} structs, {nfields} fields, {len(consts)} constants')


if __name__ == '__main__':
    main()
