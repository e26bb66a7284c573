//! What the guest reads from its own BPF object before handing it to the
//! host: the programs (for `attach_all`), where global variables live (to
//! set `.rodata` values before load) and the maps' key and value sizes
//! (so that typed map operations can check them: the kernel writes a whole
//! value, whatever the size of the Rust type it lands in).
//!
//! A BPF object is an ELF64 little-endian file (machine EM_BPF).  Map
//! sizes come from its BTF: each map of the `.maps` section is a variable
//! whose type is a struct with members `type`, `key`/`key_size`,
//! `value`/`value_size` (libbpf's `__uint` and `__type` macros).  Internal
//! maps (`.rodata`, `.data`, `.bss`) have a 4-byte key and their section
//! as value.  Every offset and size is checked: a malformed object gives an
//! error, never a panic.

use crate::error::{errno, Error, Result};

const EM_BPF: u16 = 247;
const SHT_SYMTAB: u32 = 2;
const SHT_NOBITS: u32 = 8;
const SHF_EXECINSTR: u64 = 4;
const STT_OBJECT: u8 = 1;
const STT_FUNC: u8 = 2;
const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;

/// A program of the object: its function name and section (SEC() name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramInfo {
    pub name: String,
    pub section: String,
}

/// A map of the object as the ELF file describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapInfo {
    /// The map's C name, or the section name (".rodata") of an internal map.
    pub name: String,
    /// The kernel's map type (BPF_MAP_TYPE_*); 0 when unknown.
    pub map_type: u32,
    pub key_size: u32,
    pub value_size: u32,
}

/// Where a global variable's initial value is in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalInfo {
    pub section: String,
    pub file_offset: usize,
    pub size: usize,
    /// In a section with no data in the file (.bss): cannot be preset.
    pub no_data: bool,
}

struct Section<'a> {
    name: &'a str,
    data: Option<&'a [u8]>, // None for .bss-like sections (no bytes in the file)
    kind: u32,
    flags: u64,
    offset: usize,
    size: usize,
    link: u32,
    entsize: usize,
}

/// The parts of a BPF ELF object the SDK needs, found once at open.
pub struct ElfInfo {
    pub programs: Vec<ProgramInfo>,
    pub maps: Vec<MapInfo>,
    /// name -> location, for global variables of data sections
    globals: Vec<(String, GlobalInfo)>,
}

fn bad(what: &str) -> Error {
    Error::new(errno::ENOEXEC, format!("not a usable BPF ELF object: {}", what))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}
fn usize_at(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u64_at(b, at)?).ok()
}
/// The NUL-terminated string at `at` of a string table.
fn str_at(b: &[u8], at: usize) -> Option<&str> {
    let tail = b.get(at..)?;
    let len = tail.iter().position(|&c| c == 0)?;
    std::str::from_utf8(&tail[..len]).ok()
}

impl ElfInfo {
    pub fn parse(file: &[u8]) -> Result<ElfInfo> {
        if file.len() < 64 || &file[0..4] != b"\x7fELF" {
            return Err(bad("no ELF header"));
        }
        if file[4] != 2 || file[5] != 1 {
            return Err(bad("not a 64-bit little-endian ELF file"));
        }
        if u16_at(file, 18) != Some(EM_BPF) {
            return Err(bad("not compiled for BPF (clang -target bpf)"));
        }
        let shoff = usize_at(file, 0x28).ok_or_else(|| bad("header"))?;
        let shentsize = usize::from(u16_at(file, 0x3a).ok_or_else(|| bad("header"))?);
        let shnum = usize::from(u16_at(file, 0x3c).ok_or_else(|| bad("header"))?);
        let shstrndx = usize::from(u16_at(file, 0x3e).ok_or_else(|| bad("header"))?);
        if shentsize < 64 || shstrndx >= shnum {
            return Err(bad("section header table"));
        }
        let header = |i: usize| -> Option<(u32, u32, u64, usize, usize, u32, usize)> {
            let at = shoff.checked_add(i.checked_mul(shentsize)?)?;
            Some((
                u32_at(file, at)?,
                u32_at(file, at + 4)?,
                u64_at(file, at + 8)?,
                usize_at(file, at + 24)?,
                usize_at(file, at + 32)?,
                u32_at(file, at + 40)?,
                usize_at(file, at + 56)?,
            ))
        };
        let (_, _, _, stroff, strsize, _, _) = header(shstrndx).ok_or_else(|| bad("section headers"))?;
        let shstrtab = file
            .get(stroff..stroff.checked_add(strsize).ok_or_else(|| bad("section names"))?)
            .ok_or_else(|| bad("section names"))?;
        let mut sections = Vec::with_capacity(shnum);
        for i in 0..shnum {
            let (name, kind, flags, offset, size, link, entsize) =
                header(i).ok_or_else(|| bad("section headers"))?;
            let name = str_at(shstrtab, name as usize).ok_or_else(|| bad("section name"))?;
            if kind != SHT_NOBITS && offset.checked_add(size).map_or(true, |end| end > file.len()) {
                return Err(bad(&format!("section {} lies outside the file", name)));
            }
            let data = if kind == SHT_NOBITS { None } else { file.get(offset..offset + size) };
            sections.push(Section { name, data, kind, flags, offset, size, link, entsize });
        }

        let mut info = ElfInfo { programs: Vec::new(), maps: Vec::new(), globals: Vec::new() };
        info.read_symbols(&sections)?;
        if let Some(btf) = sections.iter().find(|s| s.name == ".BTF").and_then(|s| s.data) {
            // without usable BTF the maps' sizes are unknown, not an error
            if let Some(maps) = btf::map_infos(btf) {
                info.maps = maps;
            }
        }
        for s in &sections {
            if is_data_section(s.name) {
                info.maps.push(MapInfo {
                    name: s.name.to_string(),
                    map_type: 2, // BPF_MAP_TYPE_ARRAY
                    key_size: 4,
                    value_size: u32::try_from(s.size).unwrap_or(u32::MAX),
                });
            }
        }
        Ok(info)
    }

    fn read_symbols(&mut self, sections: &[Section]) -> Result<()> {
        let symtab = match sections.iter().find(|s| s.kind == SHT_SYMTAB) {
            Some(s) => s,
            None => return Ok(()),
        };
        let names = sections.get(symtab.link as usize).and_then(|s| s.data).ok_or_else(|| bad("symbol names"))?;
        let entsize = if symtab.entsize >= 24 { symtab.entsize } else { 24 };
        let syms = symtab.data.ok_or_else(|| bad("symbol table"))?;
        for at in (0..syms.len() / entsize).map(|i| i * entsize) {
            let name = u32_at(syms, at).and_then(|n| str_at(names, n as usize));
            let st_info = syms[at + 4];
            let shndx = usize::from(u16_at(syms, at + 6).unwrap_or(0));
            let value = usize_at(syms, at + 8).unwrap_or(usize::MAX);
            let size = usize_at(syms, at + 16).unwrap_or(usize::MAX);
            let (name, section) = match (name, sections.get(shndx)) {
                (Some(n), Some(s)) if !n.is_empty() && shndx != 0 => (n, s),
                _ => continue,
            };
            let (kind, bind) = (st_info & 0xf, st_info >> 4);
            if kind == STT_FUNC
                && (bind == STB_GLOBAL || bind == STB_WEAK)
                && section.flags & SHF_EXECINSTR != 0
                && section.name != ".text"
            {
                self.programs.push(ProgramInfo { name: name.to_string(), section: section.name.to_string() });
            } else if kind == STT_OBJECT && is_data_section(section.name) {
                let in_file = value.checked_add(size).map_or(false, |end| end <= section.size);
                if !in_file {
                    return Err(bad(&format!("variable {} lies outside its section", name)));
                }
                self.globals.push((
                    name.to_string(),
                    GlobalInfo {
                        section: section.name.to_string(),
                        file_offset: if section.data.is_some() { section.offset + value } else { 0 },
                        size,
                        no_data: section.kind == SHT_NOBITS,
                    },
                ));
            }
        }
        Ok(())
    }

    /// The global variable `name` of a data section.
    pub fn global(&self, name: &str) -> Option<&GlobalInfo> {
        self.globals.iter().find(|(n, _)| n == name).map(|(_, g)| g)
    }

    /// The map the host knows as `name`: a map's C name, an internal map's
    /// section (".rodata") or libbpf's name for it ("bootstra.rodata").
    pub fn map(&self, name: &str) -> Option<&MapInfo> {
        if let Some(m) = self.maps.iter().find(|m| m.name == name) {
            return Some(m);
        }
        let section = &name[name.find('.')?..];
        self.maps.iter().find(|m| m.name == section && is_data_section(&m.name))
    }
}

/// Sections that libbpf turns into internal array maps.
fn is_data_section(name: &str) -> bool {
    [".rodata", ".data", ".bss"]
        .iter()
        .any(|p| name == *p || (name.starts_with(p) && name[p.len()..].starts_with('.')))
}

/// Map definitions from BTF (the `.maps` section's variables).
mod btf {
    use super::{str_at, u16_at, u32_at, MapInfo};

    const MAGIC: u16 = 0xeb9f;

    const KIND_INT: u32 = 1;
    const KIND_PTR: u32 = 2;
    const KIND_ARRAY: u32 = 3;
    const KIND_STRUCT: u32 = 4;
    const KIND_UNION: u32 = 5;
    const KIND_ENUM: u32 = 6;
    const KIND_TYPEDEF: u32 = 8;
    const KIND_VOLATILE: u32 = 9;
    const KIND_CONST: u32 = 10;
    const KIND_RESTRICT: u32 = 11;
    const KIND_FUNC_PROTO: u32 = 13;
    const KIND_VAR: u32 = 14;
    const KIND_DATASEC: u32 = 15;
    const KIND_FLOAT: u32 = 16;
    const KIND_DECL_TAG: u32 = 17;
    const KIND_TYPE_TAG: u32 = 18;
    const KIND_ENUM64: u32 = 19;

    /// One type: its header fields and where its trailing data starts.
    #[derive(Clone, Copy)]
    struct Type {
        name_off: u32,
        kind: u32,
        vlen: usize,
        size_or_type: u32,
        extra: usize, // offset of the kind-specific data in `types`
    }

    struct Btf<'a> {
        types_data: &'a [u8],
        strings: &'a [u8],
        types: Vec<Type>, // index = type id - 1
    }

    impl<'a> Btf<'a> {
        fn parse(b: &'a [u8]) -> Option<Btf<'a>> {
            if u16_at(b, 0)? != MAGIC {
                return None;
            }
            let hdr_len = u32_at(b, 4)? as usize;
            let (type_off, type_len) = (u32_at(b, 8)? as usize, u32_at(b, 12)? as usize);
            let (str_off, str_len) = (u32_at(b, 16)? as usize, u32_at(b, 20)? as usize);
            let types_start = hdr_len.checked_add(type_off)?;
            let strings_start = hdr_len.checked_add(str_off)?;
            let types_data = b.get(types_start..types_start.checked_add(type_len)?)?;
            let strings = b.get(strings_start..strings_start.checked_add(str_len)?)?;
            let mut types = Vec::new();
            let mut at = 0;
            while at < types_data.len() {
                let info = u32_at(types_data, at + 4)?;
                let t = Type {
                    name_off: u32_at(types_data, at)?,
                    kind: (info >> 24) & 0x1f,
                    vlen: (info & 0xffff) as usize,
                    size_or_type: u32_at(types_data, at + 8)?,
                    extra: at + 12,
                };
                let trailing = match t.kind {
                    KIND_INT | KIND_VAR | KIND_DECL_TAG => 4,
                    KIND_ARRAY => 12,
                    KIND_STRUCT | KIND_UNION | KIND_DATASEC | KIND_ENUM64 => 12 * t.vlen,
                    KIND_ENUM | KIND_FUNC_PROTO => 8 * t.vlen,
                    k if k <= KIND_TYPE_TAG => 0,
                    _ => return None, // a kind newer than this parser
                };
                at = t.extra.checked_add(trailing)?;
                types.push(t);
            }
            Some(Btf { types_data, strings, types })
        }

        fn get(&self, id: u32) -> Option<Type> {
            self.types.get((id as usize).checked_sub(1)?).copied()
        }

        fn name(&self, t: &Type) -> Option<&'a str> {
            str_at(self.strings, t.name_off as usize)
        }

        /// Follow typedefs and qualifiers.
        fn skip_mods(&self, mut id: u32) -> Option<Type> {
            for _ in 0..32 {
                let t = self.get(id)?;
                match t.kind {
                    KIND_TYPEDEF | KIND_VOLATILE | KIND_CONST | KIND_RESTRICT | KIND_TYPE_TAG => {
                        id = t.size_or_type
                    }
                    _ => return Some(t),
                }
            }
            None
        }

        fn size_of(&self, id: u32, depth: u32) -> Option<u64> {
            if depth > 32 {
                return None;
            }
            let t = self.skip_mods(id)?;
            match t.kind {
                KIND_INT | KIND_STRUCT | KIND_UNION | KIND_ENUM | KIND_ENUM64 | KIND_FLOAT
                | KIND_DATASEC => Some(u64::from(t.size_or_type)),
                KIND_PTR => Some(8),
                KIND_ARRAY => {
                    let elem = u32_at(self.types_data, t.extra)?;
                    let n = u32_at(self.types_data, t.extra + 8)?;
                    self.size_of(elem, depth + 1)?.checked_mul(u64::from(n))
                }
                KIND_VAR => self.size_of(t.size_or_type, depth + 1),
                _ => None,
            }
        }

        /// `__uint(name, N)` is `int (*name)[N]`: N.
        fn uint_member(&self, member_type: u32) -> Option<u32> {
            let ptr = self.skip_mods(member_type)?;
            if ptr.kind != KIND_PTR {
                return None;
            }
            let arr = self.skip_mods(ptr.size_or_type)?;
            if arr.kind != KIND_ARRAY {
                return None;
            }
            u32_at(self.types_data, arr.extra + 8)
        }

        /// `__type(name, T)` is `T *name`: sizeof(T).
        fn type_member_size(&self, member_type: u32) -> Option<u32> {
            let ptr = self.skip_mods(member_type)?;
            if ptr.kind != KIND_PTR {
                return None;
            }
            u32::try_from(self.size_of(ptr.size_or_type, 0)?).ok()
        }
    }

    pub fn map_infos(b: &[u8]) -> Option<Vec<MapInfo>> {
        let btf = Btf::parse(b)?;
        let mut maps = Vec::new();
        for sec in btf.types.iter().filter(|t| t.kind == KIND_DATASEC) {
            if btf.name(sec) != Some(".maps") {
                continue;
            }
            for i in 0..sec.vlen {
                let var_id = u32_at(btf.types_data, sec.extra + 12 * i)?;
                let var = btf.get(var_id)?;
                if var.kind != KIND_VAR {
                    continue;
                }
                let name = btf.name(&var)?.to_string();
                let def = btf.skip_mods(var.size_or_type)?;
                if def.kind != KIND_STRUCT {
                    continue;
                }
                let mut m = MapInfo { name, map_type: 0, key_size: 0, value_size: 0 };
                for j in 0..def.vlen {
                    let at = def.extra + 12 * j;
                    let member = str_at(btf.strings, u32_at(btf.types_data, at)? as usize)?;
                    let mtype = u32_at(btf.types_data, at + 4)?;
                    match member {
                        "type" => m.map_type = btf.uint_member(mtype).unwrap_or(0),
                        "key_size" => m.key_size = btf.uint_member(mtype).unwrap_or(0),
                        "value_size" => m.value_size = btf.uint_member(mtype).unwrap_or(0),
                        "key" => m.key_size = btf.type_member_size(mtype).unwrap_or(0),
                        "value" => m.value_size = btf.type_member_size(mtype).unwrap_or(0),
                        _ => {}
                    }
                }
                maps.push(m);
            }
        }
        Some(maps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A BPF object built by the tree (make), if there is one.
    fn object(path: &str) -> Option<Vec<u8>> {
        let top = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let build = std::env::var("WASM_BPF_BUILD").unwrap_or_else(|_| format!("{}/build", top));
        std::fs::read(format!("{}/{}", build, path)).ok()
    }

    #[test]
    fn bootstrap_object() {
        let bytes = match object("examples/bootstrap/bootstrap.bpf.o") {
            Some(b) => b,
            None => return eprintln!("skipped: build/examples/bootstrap/bootstrap.bpf.o not built"),
        };
        let info = ElfInfo::parse(&bytes).unwrap();
        let progs: Vec<_> = info.programs.iter().map(|p| (p.name.as_str(), p.section.as_str())).collect();
        assert_eq!(
            progs,
            [("handle_exec", "tp/sched/sched_process_exec"), ("handle_exit", "tp/sched/sched_process_exit")]
        );
        let rb = info.map("rb").unwrap();
        assert_eq!((rb.map_type, rb.key_size, rb.value_size), (27, 0, 0));
        let start = info.map("exec_start").unwrap();
        assert_eq!((start.map_type, start.key_size, start.value_size), (1, 4, 8));
        let rodata = info.map("bootstra.rodata").unwrap();
        assert_eq!((rodata.key_size, rodata.value_size), (4, 8));
        assert_eq!(info.map(".rodata"), Some(rodata));
        let g = info.global("min_duration_ns").unwrap();
        assert_eq!((g.section.as_str(), g.size, g.no_data), (".rodata", 8, false));
        assert!(info.map("nope").is_none());
        assert!(info.global("nope").is_none());
    }

    #[test]
    fn damaged_objects_give_errors() {
        assert_eq!(ElfInfo::parse(b"").err().unwrap().errno(), errno::ENOEXEC);
        assert!(ElfInfo::parse(&[0x7f, b'E', b'L', b'F', 1, 1, 0, 0]).is_err());
        let bytes = match object("examples/bootstrap/bootstrap.bpf.o") {
            Some(b) => b,
            None => return,
        };
        // truncations, and bytes flipped (all of the ELF header and the
        // section headers at the end of the file), give an error or a
        // result, never a panic
        for len in (0..bytes.len()).step_by(7) {
            let _ = ElfInfo::parse(&bytes[..len]);
        }
        let mut b = bytes.clone();
        let tail = bytes.len().saturating_sub(2048);
        for i in (0..64).chain((64..tail).step_by(11)).chain(tail..bytes.len()) {
            b[i] ^= 0xff;
            let _ = ElfInfo::parse(&b);
            b[i] ^= 0xff;
        }
    }
}
