//! Guest SDK for wasm-bpf: write the user-space half of an eBPF tool in
//! Rust, compile it to `wasm32-wasi`, run it with `wasm-bpf run`.
//!
//! ```ignore
//! use std::time::Duration;
//! use wasm_bpf_binding::{cstr_lossy, Object, Plain};
//!
//! mod types;                              // src/types.rs: wasm-bpf gen types --lang rust
//! unsafe impl Plain for types::event {}   // any bit pattern is a valid event
//!
//! static BPF_OBJECT: &[u8] = include_bytes!("../hello.bpf.o");
//!
//! fn main() -> Result<(), wasm_bpf_binding::Error> {
//!     let obj = Object::load(BPF_OBJECT)?;
//!     obj.attach("handle_exec")?;
//!     let mut events = obj.poller("rb")?;
//!     loop {
//!         events.poll(Duration::from_millis(100), |data| {
//!             if let Some(e) = types::event::from_bytes(data) {
//!                 println!("{} {}", { e.pid }, cstr_lossy(&e.comm));
//!             }
//!         })?;
//!     }
//! }
//! ```
//!
//! - [`Object`]: load a BPF object (closed on drop), attach its programs,
//!   get its maps; [`OpenObject::set_global`] sets `.rodata` values first.
//! - [`Map`]: typed `lookup`, `update`, `delete`, `keys`, `entries`; the
//!   Rust types are checked against the map's key and value sizes.
//! - [`Poller`]: ring buffers and perf event arrays, one closure call per
//!   record.
//! - [`args`]: flags for the object's `const volatile` globals, from the
//!   table `wasm-bpf gen skeleton --lang rust` writes.
//! - [`Tool`]: a tool's common options (`-t`, `-o json|columns`, `-i`,
//!   `-h`), its poll loop until the time is up or Ctrl-C, and printing
//!   events with the generated printers ([`Print`], [`impl_print!`]).
//! - [`Error`]: every failure, with the errno and the host's message; the
//!   crate never panics on a host error.
//! - [`binding`]: the raw imports, compatible with the original
//!   `wasm-bpf-binding` crate.
//!
//! Guests must export their function table (`-C link-arg=--export-table`),
//! through which the host calls the poll callbacks.

pub mod args;
pub mod binding;
mod elf;
mod error;
mod map;
mod object;
mod poll;
pub mod probe;
mod tool;

pub use error::{errno, Error, Result};
pub use map::{Keys, Map, MapFlags};
pub use object::{Object, OpenObject};
pub use poll::{CallbackResult, Poller, DEFAULT_MAX_RECORD_SIZE};
pub use tool::{Output, Print, Tool, MAX_INTERVAL_S, MAX_TIMEOUT_S};

/// Types read from and written to the kernel as raw bytes: integers,
/// floats, `bool`, arrays of them, and the `#[repr(C, packed)]` structs of
/// `wasm-bpf gen types`, after `unsafe impl Plain for event {}`.
///
/// Bytes that come from the kernel are checked with [`Plain::valid`]
/// before they become a value: a `bool` must be 0 or 1 (C's `_Bool`), as
/// any other byte would be undefined behaviour in Rust; a lookup that
/// finds another byte is an error (`EINVAL`), `from_bytes` gives `None`.
///
/// `usize`, `isize` and pointers are left out on purpose: they are 4 bytes
/// in a wasm32 guest and 8 in the kernel.
///
/// # Safety
/// The type must have no padding that matters, the same layout as the
/// kernel's type, and every bit pattern that `valid` accepts must be a
/// valid value (the default `valid` accepts all: no `bool` fields, `char`,
/// enums or references, unless `valid` is written to reject what they
/// cannot hold).
pub unsafe trait Plain: Copy + 'static {
    /// Whether `bytes` (exactly `size_of::<Self>()` of them) hold a valid
    /// value.  Every bit pattern, unless the type says otherwise.
    fn valid(bytes: &[u8]) -> bool {
        let _ = bytes;
        true
    }

    /// The all-zero value.
    fn zeroed() -> Self {
        // Safety: all-zero bytes are a valid value of a Plain type.
        unsafe { std::mem::zeroed() }
    }

    /// A value read from the first `size_of::<Self>()` bytes of `bytes`
    /// (a record of a ring buffer, say); None if there are fewer, or if
    /// they are not a valid value (a `bool` byte other than 0 or 1).
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let size = std::mem::size_of::<Self>();
        if bytes.len() < size || !Self::valid(&bytes[..size]) {
            return None;
        }
        // Safety: enough bytes, checked by `valid`, unaligned read.
        Some(unsafe { std::ptr::read_unaligned(bytes.as_ptr() as *const Self) })
    }

    /// The value's bytes.
    fn as_bytes(&self) -> &[u8] {
        // Safety: a Plain value is plain bytes.
        unsafe { std::slice::from_raw_parts(self as *const Self as *const u8, std::mem::size_of::<Self>()) }
    }
}

macro_rules! plain {
    ($($t:ty)*) => { $(unsafe impl Plain for $t {})* };
}
plain!(u8 u16 u32 u64 u128 i8 i16 i32 i64 i128 f32 f64);

/// C's `_Bool`: one byte, 0 or 1 (the kernel's and clang's BPF layout).
unsafe impl Plain for bool {
    fn valid(bytes: &[u8]) -> bool {
        matches!(bytes, [0] | [1])
    }
}

unsafe impl<T: Plain, const N: usize> Plain for [T; N] {
    fn valid(bytes: &[u8]) -> bool {
        let size = std::mem::size_of::<T>();
        size == 0 || bytes.chunks(size).all(T::valid)
    }
}

/// A C character: `i8` or `u8` (generated types use `i8` for `char`).
pub trait CChar: Copy {
    fn byte(self) -> u8;
}
impl CChar for u8 {
    fn byte(self) -> u8 {
        self
    }
}
impl CChar for i8 {
    fn byte(self) -> u8 {
        self as u8
    }
}

/// True once the run was asked to stop (the first Ctrl-C or SIGTERM): the
/// guest should print what it has and return.  Blocking polls then fail with
/// an error whose [`Error::is_interrupted`] is true, but a guest that waits
/// with `std::thread::sleep` cannot see that (its sleep just ends early):
/// it asks this after each sleep.  If the guest does not end within
/// `--stop-timeout` (default 2 s) the runtime stops it.
pub fn interrupted() -> bool {
    unsafe { binding::raw::wasm_bpf_interrupted() != 0 }
}

/// The text of a C string in a fixed array (`char comm[16]`): the bytes
/// before the first NUL (all of them if there is none), invalid UTF-8
/// replaced by U+FFFD.
pub fn cstr_lossy<C: CChar>(chars: &[C]) -> String {
    let bytes: Vec<u8> = chars.iter().map(|c| c.byte()).take_while(|&b| b != 0).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C, packed)]
    #[derive(Clone, Copy)]
    struct Ev {
        pid: i32,
        ts: u64,
        comm: [i8; 4],
    }
    unsafe impl Plain for Ev {}

    #[test]
    fn plain_values() {
        let bytes = [1u8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, b'a' as u8, b'b', 0, b'z', 99];
        let e = Ev::from_bytes(&bytes).unwrap();
        assert_eq!(({ e.pid }, { e.ts }), (1, 2));
        assert_eq!(cstr_lossy(&{ e.comm }), "ab");
        assert_eq!(e.as_bytes(), &bytes[..16]);
        assert!(Ev::from_bytes(&bytes[..15]).is_none());
        assert_eq!(<[u32; 3]>::zeroed(), [0; 3]);
        assert_eq!(cstr_lossy(&[b'x', b'y']), "xy");
        assert_eq!(cstr_lossy(&[0xffu8, b'!']), "\u{fffd}!");
    }

    #[test]
    fn plain_bools() {
        assert_eq!(bool::from_bytes(&[0]), Some(false));
        assert_eq!(bool::from_bytes(&[1, 7]), Some(true));
        assert_eq!(bool::from_bytes(&[2]), None);
        assert_eq!(bool::from_bytes(&[0xff]), None);
        assert_eq!(bool::from_bytes(&[]), None);
        assert_eq!(true.as_bytes(), &[1]);
        assert_eq!(false.as_bytes(), &[0]);
        assert!(!bool::zeroed());
        assert_eq!(<[bool; 3]>::from_bytes(&[1, 0, 1]), Some([true, false, true]));
        assert_eq!(<[bool; 3]>::from_bytes(&[1, 0, 2]), None);
        assert_eq!(<[[bool; 2]; 2]>::from_bytes(&[0, 1, 1, 3]), None);
        assert!(<[u8; 2]>::valid(&[0xff, 2]));
    }
}
