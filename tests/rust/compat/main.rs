//! compat: a guest written like the Rust guests of the original Wasm-bpf
//! project, against the original `wasm-bpf-binding` API: raw calls with
//! integer addresses and "name\0" strings, no Rust `main` (wasi-libc calls
//! the exported `__main_argc_argv`), a callback found through the function
//! table, map operations with u64 addresses.  It is built with plain rustc
//! (mk/rust.mk), and must compile and run unchanged.
//!
//! Polls the bootstrap example's ring buffer for 3 seconds, printing
//! "exec PID FILENAME" per exec, then walks the `exec_start` hash map with
//! get-next-key and lookups, and prints what it found.
#![no_main]

use wasm_bpf_binding::binding;

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/bootstrap.bpf.o"));

/// struct event of examples/bootstrap/bootstrap.h, laid out by hand.
#[repr(C, packed)]
#[derive(Clone, Copy)]
struct Event {
    pid: i32,
    ppid: i32,
    exit_code: u32,
    __pad0: [u8; 4],
    duration_ns: u64,
    comm: [u8; 16],
    filename: [u8; 127],
    exit_event: u8,
}

fn c_text(bytes: &[u8]) -> String {
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

extern "C" fn handle_event(_ctx: u32, data: u32, data_sz: u32) -> i32 {
    if (data_sz as usize) < std::mem::size_of::<Event>() {
        return 0;
    }
    let event = unsafe { std::ptr::read_unaligned(data as usize as *const Event) };
    if event.exit_event == 0 {
        let pid = event.pid;
        println!("exec {} {}", pid, c_text(&{ event.filename }));
    }
    0
}

#[export_name = "__main_argc_argv"]
fn main(_argc: i32, _argv: u32) -> i32 {
    let obj = binding::wasm_load_bpf_object(BPF_OBJECT.as_ptr() as u32, BPF_OBJECT.len() as i32);
    if obj == 0 {
        println!("Failed to load bpf object");
        return 1;
    }
    for prog in ["handle_exec\0", "handle_exit\0"] {
        let ret = binding::wasm_attach_bpf_program(obj, prog.as_ptr() as u32, "\0".as_ptr() as u32);
        if ret < 0 {
            println!("Attach {} failed: {}", prog, ret);
            return 1;
        }
    }
    let rb = binding::wasm_bpf_map_fd_by_name(obj, "rb\0".as_ptr() as u32);
    let exec_start = binding::wasm_bpf_map_fd_by_name(obj, "exec_start\0".as_ptr() as u32);
    if rb < 0 || exec_start < 0 {
        println!("Failed to get map fds: {} {}", rb, exec_start);
        return 1;
    }
    println!("attached");

    let buffer = [0u8; 256];
    let end = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < end {
        let ret = binding::wasm_bpf_buffer_poll(
            obj,
            rb,
            handle_event as i32,
            0,
            buffer.as_ptr() as u32,
            buffer.len() as i32,
            100,
        );
        if ret < 0 {
            println!("poll failed: {}", ret);
            return 1;
        }
    }

    // walk the map from a key that is no pid, as the original guests did
    let mut key: i32 = -1;
    let mut next: i32 = 0;
    let mut exec_time: u64 = 0;
    let (mut entries, mut lookups) = (0, 0);
    while binding::wasm_bpf_map_operate(exec_start, 4, &key as *const i32 as u64, 0, &mut next as *mut i32 as u64, 0) == 0 {
        entries += 1;
        let ret = binding::wasm_bpf_map_operate(
            exec_start,
            1,
            &next as *const i32 as u64,
            &mut exec_time as *mut u64 as u64,
            0,
            0,
        );
        if ret == 0 && exec_time != 0 {
            lookups += 1;
        }
        key = next;
    }
    println!("exec_start: {} entries, {} lookups", entries, lookups);
    binding::wasm_close_bpf_object(obj);
    0
}
