//! Probes of the kernel under the guest (ABI 2, docs/ABI.md section 4):
//! what a guest asks before it loads, to pick between variants of a
//! program or map ([`crate::OpenObject::set_autoload`],
//! [`crate::OpenObject::set_autocreate`]): tp_btf or raw_tp, a ring buffer
//! or a perf buffer.
//!
//! Each answers `Ok(true)`, `Ok(false)` (the kernel lacks it, or the run's
//! policy does not allow it: [`why_not`] says which), or an error:
//! `EINVAL` for a number the runtime does not know, `ENOTSUP` for what it
//! cannot probe, `EPERM` when the kernel refused the probe itself.  The
//! runtime keeps its answers: asking again costs nothing.

use crate::binding::raw;
use crate::error::{Error, Result};

/// The kernel's `enum bpf_prog_type` numbers most guests choose between.
pub mod prog_type {
    pub const SOCKET_FILTER: u32 = 1;
    pub const KPROBE: u32 = 2;
    pub const SCHED_CLS: u32 = 3;
    pub const TRACEPOINT: u32 = 5;
    pub const XDP: u32 = 6;
    pub const RAW_TRACEPOINT: u32 = 17;
    /// tp_btf (asked as such: it needs the kernel's BTF), fentry, fexit
    pub const TRACING: u32 = 26;
    pub const LSM: u32 = 29;
}

/// The kernel's `enum bpf_map_type` numbers most guests choose between.
pub mod map_type {
    pub const HASH: u32 = 1;
    pub const ARRAY: u32 = 2;
    pub const PERF_EVENT_ARRAY: u32 = 4;
    pub const RINGBUF: u32 = 27;
}

/// Kernel features the runtime probes as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Feature {
    /// The kernel's own BTF (`/sys/kernel/btf/vmlinux`).
    Btf = 0,
    /// Ring buffer maps (5.8).
    Ringbuf = 1,
    /// The `bpf_loop()` helper (5.17).
    BpfLoop = 2,
    /// fentry programs, loaded and attached.
    Fentry = 3,
    /// tcx links for tc programs (6.6).
    Tcx = 4,
}

fn answer(r: i32, what: impl FnOnce() -> String) -> Result<bool> {
    match r {
        1 => Ok(true),
        0 => Ok(false),
        _ => Err(Error::from_host(r, what)),
    }
}

fn number(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(-1)
}

/// Can programs of this type be loaded?  [`prog_type::TRACING`] asks for
/// tp_btf programs.
pub fn prog_type(t: u32) -> Result<bool> {
    answer(unsafe { raw::wasm_bpf_probe_prog_type(number(t)) }, || format!("probe prog_type({})", t))
}

/// Can maps of this type be created?
pub fn map_type(t: u32) -> Result<bool> {
    answer(unsafe { raw::wasm_bpf_probe_map_type(number(t)) }, || format!("probe map_type({})", t))
}

/// May programs of type `prog_type` call helper number `helper`
/// (`enum bpf_func_id`)?
pub fn helper(prog_type: u32, helper: u32) -> Result<bool> {
    answer(unsafe { raw::wasm_bpf_probe_helper(number(prog_type), number(helper)) }, || {
        format!("probe helper({}, {})", prog_type, helper)
    })
}

/// Does the kernel have this feature?
pub fn feature(f: Feature) -> Result<bool> {
    answer(unsafe { raw::wasm_bpf_probe_feature(f as i32) }, || format!("probe feature {:?}", f))
}

/// Why the last probe answered `Ok(false)`: the runtime's words ("probe
/// prog_type(26): needs the kernel's BTF ...", "... is not allowed
/// (--allow-prog-type)"); None without the `last-error` feature.
pub fn why_not() -> Option<String> {
    crate::error::last_error().map(|(_, message)| message)
}
