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
//! - [`Error`]: every failure, with the errno and the host's message; the
//!   crate never panics on a host error.
//! - [`binding`]: the raw imports, compatible with the original
//!   `wasm-bpf-binding` crate.
//!
//! Guests must export their function table (`-C link-arg=--export-table`),
//! through which the host calls the poll callbacks.

pub mod binding;
mod elf;
mod error;
mod map;
mod object;
mod poll;

pub use error::{errno, Error, Result};
pub use map::{Keys, Map, MapFlags};
pub use object::{Object, OpenObject};
pub use poll::{CallbackResult, Poller, DEFAULT_MAX_RECORD_SIZE};

/// Types for which every bit pattern is a valid value, read from and
/// written to the kernel as raw bytes: integers, floats, arrays of them,
/// and the `#[repr(C, packed)]` structs of `wasm-bpf gen types`, after
/// `unsafe impl Plain for event {}`.
///
/// `usize`, `isize` and pointers are left out on purpose: they are 4 bytes
/// in a wasm32 guest and 8 in the kernel.
///
/// # Safety
/// The type must have no padding that matters, no invalid bit patterns
/// (no `bool`, `char`, enums, references) and the same layout as the
/// kernel's type.
pub unsafe trait Plain: Copy + 'static {
    /// The all-zero value.
    fn zeroed() -> Self {
        // Safety: all-zero bytes are a valid value of a Plain type.
        unsafe { std::mem::zeroed() }
    }

    /// A value read from the first `size_of::<Self>()` bytes of `bytes`
    /// (a record of a ring buffer, say); None if there are fewer.
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() < std::mem::size_of::<Self>() {
            return None;
        }
        // Safety: enough bytes, any bit pattern is valid, unaligned read.
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
unsafe impl<T: Plain, const N: usize> Plain for [T; N] {}

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
}
