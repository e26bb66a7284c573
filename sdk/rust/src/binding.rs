//! The raw imports of module `wasm_bpf` (docs/ABI.md, section 2).
//!
//! The functions keep the names and Rust signatures of the original
//! `wasm-bpf-binding` crate, so code written for it compiles unchanged:
//! pointers are passed as integers holding addresses in the guest's memory
//! (`buf.as_ptr() as u32`), strings must end with a NUL (`"rb\0"`).  Unlike
//! the original crate, every import is declared with the Wasm types the
//! hosts implement: `wasm_bpf_map_operate` takes its three pointers as `i32`
//! offsets (the original declared them `i64`, which no host accepts).  The
//! `u64` parameters of `wasm_bpf_map_operate` are kept for source
//! compatibility; only their low 32 bits (a wasm32 address) are passed.
//!
//! Every function returns a negative errno (WASI numbering, like
//! `std::io::Error::raw_os_error` in a wasm32-wasi guest) on failure, except
//! `wasm_load_bpf_object`, which returns 0.  Most guests use the safe layer
//! ([`crate::Object`]) instead.

pub type Uint64T = u64;
pub type Uint32T = u32;
pub type Int32T = i32;
/// An object handle: small, opaque, non-zero (0 means "no object").
pub type BpfObjectSkel = Uint64T;

/// The imports with their exact Wasm types.
pub mod raw {
    #[cfg(target_arch = "wasm32")]
    #[link(wasm_import_module = "wasm_bpf")]
    extern "C" {
        pub fn wasm_load_bpf_object(obj_buf: i32, obj_buf_sz: i32) -> i64;
        pub fn wasm_close_bpf_object(obj: i64) -> i32;
        pub fn wasm_attach_bpf_program(obj: i64, name: i32, attach_target: i32) -> i32;
        pub fn wasm_bpf_buffer_poll(
            obj: i64,
            fd: i32,
            sample_func: i32,
            ctx: i32,
            data: i32,
            max_size: i32,
            timeout_ms: i32,
        ) -> i32;
        pub fn wasm_bpf_map_fd_by_name(obj: i64, name: i32) -> i32;
        pub fn wasm_bpf_map_operate(
            fd: i32,
            cmd: i32,
            key: i32,
            value: i32,
            next_key: i32,
            flags: i64,
        ) -> i32;
    }

    #[cfg(all(target_arch = "wasm32", feature = "last-error"))]
    #[link(wasm_import_module = "wasm_bpf")]
    extern "C" {
        /// Extension (ABI section 4): the errno of the last failed call
        /// (negative), its message written NUL-terminated into `[buf, buf+len)`.
        pub fn wasm_bpf_last_error(buf: i32, len: i32) -> i32;
    }

    #[cfg(target_arch = "wasm32")]
    #[link(wasm_import_module = "wasm_bpf")]
    extern "C" {
        /// Extension (ABI section 4): 1 once the run was asked to stop
        /// (Ctrl-C, SIGTERM), else 0.  Imported only by guests that call it.
        pub fn wasm_bpf_interrupted() -> i32;
    }

    #[cfg(target_arch = "wasm32")]
    #[link(wasm_import_module = "wasm_bpf")]
    extern "C" {
        /// Extension (ABI 2): load without the programs named in the C
        /// string at `no_load` and the maps named at `no_create` (each a
        /// comma-separated list, or 0).
        pub fn wasm_load_bpf_object_with(obj_buf: i32, obj_buf_sz: i32, no_load: i32, no_create: i32) -> i64;
        /// Extension (ABI 2): probes; 1 yes, 0 no, or a negative errno.
        pub fn wasm_bpf_probe_prog_type(prog_type: i32) -> i32;
        pub fn wasm_bpf_probe_map_type(map_type: i32) -> i32;
        pub fn wasm_bpf_probe_helper(prog_type: i32, helper: i32) -> i32;
        pub fn wasm_bpf_probe_feature(feature: i32) -> i32;
    }

    // Outside WebAssembly (unit tests of the crate on the build machine)
    // there is no host: every call fails with ENOSYS.
    #[cfg(not(target_arch = "wasm32"))]
    mod no_host {
        const ENOSYS: i32 = crate::errno::ENOSYS;
        pub unsafe fn wasm_load_bpf_object(_: i32, _: i32) -> i64 {
            0
        }
        pub unsafe fn wasm_close_bpf_object(_: i64) -> i32 {
            0
        }
        pub unsafe fn wasm_attach_bpf_program(_: i64, _: i32, _: i32) -> i32 {
            -ENOSYS
        }
        pub unsafe fn wasm_bpf_buffer_poll(_: i64, _: i32, _: i32, _: i32, _: i32, _: i32, _: i32) -> i32 {
            -ENOSYS
        }
        pub unsafe fn wasm_bpf_map_fd_by_name(_: i64, _: i32) -> i32 {
            -ENOSYS
        }
        pub unsafe fn wasm_bpf_map_operate(_: i32, _: i32, _: i32, _: i32, _: i32, _: i64) -> i32 {
            -ENOSYS
        }
        pub unsafe fn wasm_bpf_last_error(_: i32, _: i32) -> i32 {
            -ENOSYS
        }
        pub unsafe fn wasm_bpf_interrupted() -> i32 {
            0
        }
        pub unsafe extern "C" fn wasm_load_bpf_object_with(_: i32, _: i32, _: i32, _: i32) -> i64 {
            0
        }
        pub unsafe fn wasm_bpf_probe_prog_type(_: i32) -> i32 {
            -ENOSYS
        }
        pub unsafe fn wasm_bpf_probe_map_type(_: i32) -> i32 {
            -ENOSYS
        }
        pub unsafe fn wasm_bpf_probe_helper(_: i32, _: i32) -> i32 {
            -ENOSYS
        }
        pub unsafe fn wasm_bpf_probe_feature(_: i32) -> i32 {
            -ENOSYS
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub use no_host::*;
}

/// Open and load the BPF ELF object `[obj_buf, obj_buf + obj_buf_sz)`.
/// Returns a handle, or 0 on failure.
pub fn wasm_load_bpf_object(obj_buf: u32, obj_buf_sz: i32) -> BpfObjectSkel {
    unsafe { raw::wasm_load_bpf_object(obj_buf as i32, obj_buf_sz) as u64 }
}

/// Detach every program of the object, free its buffers and close it.
pub fn wasm_close_bpf_object(obj: BpfObjectSkel) -> i32 {
    unsafe { raw::wasm_close_bpf_object(obj as i64) }
}

/// Attach the program named by the NUL-terminated string at `name`;
/// `attach_target` is 0 or the address of "" to attach by the program's
/// SEC() name, else an interface name, cgroup path, ... (ABI section 2).
pub fn wasm_attach_bpf_program(obj: BpfObjectSkel, name: u32, attach_target: u32) -> i32 {
    unsafe { raw::wasm_attach_bpf_program(obj as i64, name as i32, attach_target as i32) }
}

/// Deliver the records of the ring buffer or perf event array `fd`: each is
/// copied into `[data, data + max_size)`, then table element `sample_func`
/// is called as `fn(ctx: u32, data: u32, len: u32) -> i32`.  Returns the
/// number of records delivered or a negative errno.
pub fn wasm_bpf_buffer_poll(
    program: BpfObjectSkel,
    fd: i32,
    sample_func: Int32T,
    ctx: Uint32T,
    data: u32,
    max_size: i32,
    timeout_ms: i32,
) -> i32 {
    unsafe {
        raw::wasm_bpf_buffer_poll(
            program as i64,
            fd,
            sample_func,
            ctx as i32,
            data as i32,
            max_size,
            timeout_ms,
        )
    }
}

/// The fd of the object's map named by the NUL-terminated string at `name`.
pub fn wasm_bpf_map_fd_by_name(obj: BpfObjectSkel, name: u32) -> i32 {
    unsafe { raw::wasm_bpf_map_fd_by_name(obj as i64, name as i32) }
}

/// A map operation, `cmd` in the kernel's numbering (1 lookup, 2 update,
/// 3 delete, 4 get next key, 21 lookup and delete).  `key`, `value` and
/// `next_key` are addresses in the guest's memory (0 for an unused one; for
/// get-next-key, key 0 asks for the first key).
pub fn wasm_bpf_map_operate(
    fd: i32,
    cmd: i32,
    key: u64,
    value: u64,
    next_key: u64,
    flags_s: Uint64T,
) -> i32 {
    unsafe {
        raw::wasm_bpf_map_operate(
            fd,
            cmd,
            key as u32 as i32,
            value as u32 as i32,
            next_key as u32 as i32,
            flags_s as i64,
        )
    }
}

/// Extension: the negative errno of the last failed call, its message
/// written (NUL-terminated, possibly cut) into `[buf, buf + len)`.
#[cfg(feature = "last-error")]
pub fn wasm_bpf_last_error(buf: u32, len: i32) -> i32 {
    unsafe { raw::wasm_bpf_last_error(buf as i32, len) }
}
