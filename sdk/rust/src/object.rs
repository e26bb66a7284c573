//! BPF objects: open (and preset `.rodata` values), load, attach, close.

use std::borrow::Cow;
use std::ffi::CString;

use crate::binding::raw;
use crate::elf::ElfInfo;
use crate::error::{errno, Error, Result};
use crate::map::Map;
use crate::poll::Poller;
use crate::Plain;

/// A BPF object read by the guest but not loaded yet: global variables can
/// still be given their initial values (what a C skeleton's `skel->rodata`
/// does), then [`OpenObject::load`] hands it to the host.
pub struct OpenObject<'a> {
    bytes: Cow<'a, [u8]>,
    info: ElfInfo,
    no_load: Vec<String>,
    no_create: Vec<String>,
    /// wasm_load_bpf_object_with, once the guest chose (set_autoload,
    /// set_autocreate): referenced only from there, so that other guests
    /// do not import it and still run on runtimes without it
    load_with: Option<LoadWith>,
}

type LoadWith = unsafe extern "C" fn(i32, i32, i32, i32) -> i64;

/// A BPF object loaded into the kernel.  Dropping it (or [`Object::close`])
/// detaches its programs and frees its maps and buffers.
pub struct Object {
    handle: u64,
    info: ElfInfo,
    /// programs the guest chose not to load (OpenObject::set_autoload)
    not_loaded: Vec<String>,
}

/// A C string for the host; names with a NUL inside are refused.
pub(crate) fn c_string(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::new(errno::EINVAL, format!("{} {:?} contains a NUL byte", what, s)))
}

impl<'a> OpenObject<'a> {
    /// The object's programs: (function name, section) in file order.
    pub fn programs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.info.programs.iter().map(|p| (p.name.as_str(), p.section.as_str()))
    }

    /// Give the global variable `name` the initial value `value` before
    /// load; in the BPF program it is declared `const volatile` (in
    /// `.rodata`, constant once loaded: the verifier prunes the code it
    /// disables) or with a non-zero initial value (in `.data`).  The size
    /// of `T` must be the variable's size.
    pub fn set_global<T: Plain>(&mut self, name: &str, value: T) -> Result<()> {
        let g = self.info.global(name).ok_or_else(|| {
            Error::new(errno::ENOENT, format!("set_global: the object has no global variable '{}'", name))
        })?;
        if g.no_data {
            return Err(Error::new(
                errno::EINVAL,
                format!(
                    "set_global: '{}' is in {}, which has no initial data: declare it \
                     `const volatile` (.rodata) or give it a non-zero initial value (.data)",
                    name, g.section
                ),
            ));
        }
        if g.size != std::mem::size_of::<T>() {
            return Err(Error::new(
                errno::EINVAL,
                format!(
                    "set_global: '{}' is {} bytes, a {} is {}",
                    name,
                    g.size,
                    std::any::type_name::<T>(),
                    std::mem::size_of::<T>()
                ),
            ));
        }
        let at = g.file_offset;
        self.bytes.to_mut()[at..at + g.size].copy_from_slice(value.as_bytes());
        Ok(())
    }

    /// The initial bytes of the global variable `name` (what `set_global`
    /// set, else the object's), or None if it has none (a `.bss` one) or
    /// there is no such variable.
    pub fn global_bytes(&self, name: &str) -> Option<&[u8]> {
        let g = self.info.global(name)?;
        if g.no_data {
            return None;
        }
        self.bytes.get(g.file_offset..g.file_offset + g.size)
    }

    /// [`OpenObject::set_global`] with the value's bytes (exactly the
    /// variable's size), for values whose type is only known at run time
    /// (the generated flags of [`crate::args`]).
    pub fn set_global_bytes(&mut self, name: &str, value: &[u8]) -> Result<()> {
        let g = self.info.global(name).ok_or_else(|| {
            Error::new(errno::ENOENT, format!("set_global: the object has no global variable '{}'", name))
        })?;
        if g.no_data || g.size != value.len() {
            return Err(Error::new(
                errno::EINVAL,
                format!("set_global: '{}' is {} bytes in {}, not {} with initial data", name, g.size, g.section, value.len()),
            ));
        }
        let at = g.file_offset;
        self.bytes.to_mut()[at..at + g.size].copy_from_slice(value);
        Ok(())
    }

    /// Whether program `name` (its function name) is loaded (and can be
    /// attached) at all; by default every program is.  A guest picks so
    /// between variants of a program for the kernel under it (see
    /// [`crate::probe`]): the one not loaded never meets the verifier.
    /// Needs a runtime with ABI 2 (`wasm_load_bpf_object_with`).
    pub fn set_autoload(&mut self, name: &str, load: bool) -> Result<()> {
        if !self.info.programs.iter().any(|p| p.name == name) {
            return Err(Error::new(errno::ENOENT, format!("set_autoload: the object has no program '{}'", name)));
        }
        c_string("set_autoload: program", name)?;
        self.no_load.retain(|n| n != name);
        if !load {
            self.no_load.push(name.to_string());
            self.load_with = Some(raw::wasm_load_bpf_object_with);
        }
        Ok(())
    }

    /// Whether map `name` is created; by default every map is.  No program
    /// that is loaded may use a map that is not created (a ring buffer
    /// beside a perf event array: load the programs of the one created).
    pub fn set_autocreate(&mut self, name: &str, create: bool) -> Result<()> {
        if self.info.map(name).is_none() {
            return Err(Error::new(errno::ENOENT, format!("set_autocreate: the object has no map '{}'", name)));
        }
        c_string("set_autocreate: map", name)?;
        self.no_create.retain(|n| n != name);
        if !create {
            self.no_create.push(name.to_string());
            self.load_with = Some(raw::wasm_load_bpf_object_with);
        }
        Ok(())
    }

    /// Load the object into the kernel: CO-RE relocation, map creation,
    /// verification.  On failure the error carries the host's reason (the
    /// verifier's log is on the runtime's stderr).
    pub fn load(self) -> Result<Object> {
        let len = i32::try_from(self.bytes.len())
            .map_err(|_| Error::new(errno::E2BIG, "load: the object is larger than 2 GiB"))?;
        let ptr = self.bytes.as_ptr() as usize as i32;
        let handle = if let (Some(load_with), false) =
            (self.load_with, self.no_load.is_empty() && self.no_create.is_empty())
        {
            let list = |names: &Vec<String>| c_string("load: names", &names.join(","));
            let (no_load, no_create) = (list(&self.no_load)?, list(&self.no_create)?);
            let at = |s: &CString, empty: bool| if empty { 0 } else { s.as_ptr() as usize as i32 };
            unsafe {
                load_with(ptr, len, at(&no_load, self.no_load.is_empty()), at(&no_create, self.no_create.is_empty()))
                    as u64
            }
        } else {
            unsafe { raw::wasm_load_bpf_object(ptr, len) as u64 }
        };
        if handle == 0 {
            return Err(Error::from_load_failure());
        }
        Ok(Object { handle, info: self.info, not_loaded: self.no_load })
    }
}

impl Object {
    /// Read a BPF object (an ELF file built with `clang -target bpf -g`,
    /// usually embedded with `include_bytes!`) to set globals before load.
    pub fn open(bytes: &[u8]) -> Result<OpenObject<'_>> {
        let info = ElfInfo::parse(bytes)?;
        Ok(OpenObject { bytes: Cow::Borrowed(bytes), info, no_load: Vec::new(), no_create: Vec::new(), load_with: None })
    }

    /// Open and load a BPF object in one step.
    pub fn load(bytes: &[u8]) -> Result<Object> {
        Object::open(bytes)?.load()
    }

    /// The host's handle of the object (for the raw [`crate::binding`] calls).
    pub fn handle(&self) -> u64 {
        self.handle
    }

    /// The object's programs: (function name, section) in file order.
    pub fn programs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.info.programs.iter().map(|p| (p.name.as_str(), p.section.as_str()))
    }

    /// Attach the program `prog` (its C function name) by its SEC() name:
    /// tracepoints, raw and BTF tracepoints, uprobes with a path in the
    /// section name, ...
    pub fn attach(&self, prog: &str) -> Result<()> {
        let name = c_string("attach: program name", prog)?;
        let ret = unsafe { raw::wasm_attach_bpf_program(self.handle as i64, name.as_ptr() as usize as i32, 0) };
        check(ret, || format!("attach: program '{}'", prog))
    }

    /// Attach the program `prog` to `target`: an interface name (xdp,
    /// socket filters), `IFNAME:ingress` or `IFNAME:egress` (tc), a cgroup v2
    /// directory (sockops and other cgroup programs), `PATH:FUNC` (uprobes),
    /// `CATEGORY:NAME` (tracepoints).  An empty target is [`Object::attach`].
    pub fn attach_with_target(&self, prog: &str, target: &str) -> Result<()> {
        let name = c_string("attach: program name", prog)?;
        let target_c = c_string("attach: target", target)?;
        let ret = unsafe {
            raw::wasm_attach_bpf_program(
                self.handle as i64,
                name.as_ptr() as usize as i32,
                target_c.as_ptr() as usize as i32,
            )
        };
        check(ret, || format!("attach: program '{}' to '{}'", prog, target))
    }

    /// Attach every program of the object by its SEC() name, in file order
    /// (what a C skeleton's `__attach` does), except those the guest chose
    /// not to load (`OpenObject::set_autoload`); stops at the first failure.
    pub fn attach_all(&self) -> Result<()> {
        for p in &self.info.programs {
            if self.not_loaded.contains(&p.name) {
                continue;
            }
            self.attach(&p.name)?;
        }
        Ok(())
    }

    /// The map `name`: its C name, or ".rodata", ".data", ".bss" for the
    /// global-data maps.
    pub fn map(&self, name: &str) -> Result<Map<'_>> {
        let name_c = c_string("map: name", name)?;
        let fd = unsafe { raw::wasm_bpf_map_fd_by_name(self.handle as i64, name_c.as_ptr() as usize as i32) };
        if fd < 0 {
            return Err(Error::from_host(fd, || format!("map '{}'", name)));
        }
        Ok(Map::new(self, name, fd, self.info.map(name).cloned()))
    }

    /// A poller for the ring buffer or perf event array map `name`.
    pub fn poller(&self, name: &str) -> Result<Poller<'_>> {
        self.map(name)?.into_poller()
    }

    /// Detach every program, free the object's maps and buffers.  Dropping
    /// the object does the same, silently.
    pub fn close(self) -> Result<()> {
        let handle = self.handle;
        std::mem::forget(self);
        let ret = unsafe { raw::wasm_close_bpf_object(handle as i64) };
        check(ret, || "close".to_string())
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        unsafe { raw::wasm_close_bpf_object(self.handle as i64) };
    }
}

impl std::fmt::Debug for OpenObject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenObject").field("size", &self.bytes.len()).finish()
    }
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object").field("handle", &self.handle).finish()
    }
}

/// Ok for a non-negative return, else the host's error.
pub(crate) fn check(ret: i32, context: impl FnOnce() -> String) -> Result<()> {
    if ret < 0 {
        Err(Error::from_host(ret, context))
    } else {
        Ok(())
    }
}
