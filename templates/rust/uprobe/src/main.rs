//! @NAME@: the guest (runs in wasm-bpf): attaches the probes of the kernel
//! side (@NAME@.bpf.c) to FUNCTION in BINARY (a program or a library, by
//! path) and prints each call (with its first argument) and each return
//! (with the value returned).
//!
//!   @NAME@ [-t SECONDS] [-o columns|json] BINARY:FUNCTION
//!
//! -t, -o (and -h) come from the SDK's Tool, which also runs the poll loop;
//! a `const volatile` global added to @NAME@.bpf.c becomes a flag (the
//! generated @NAME@.skel.rs).  `wasm-bpf build` puts in $BPF_OUT_DIR the BPF
//! object, @NAME@.skel.rs and @NAME@.types.rs (struct event, laid out for
//! wasm32, with its printers).  Where to change what: a field of struct
//! event in @NAME@.bpf.c is a column and a JSON member.

use std::process::exit;

use wasm_bpf_binding::{Object, Plain, Tool};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.types.rs"));
}
mod skel {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.skel.rs"));
}
use types::event;

// Safety: a generated type is integers and arrays of them: every bit pattern is valid.
unsafe impl Plain for event {}
wasm_bpf_binding::impl_print!(event); // the generated printers, for tool.print()

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.bpf.o"));

fn run(tool: &Tool, argv: Vec<String>) -> wasm_bpf_binding::Result<i32> {
    let mut open = Object::open(BPF_OBJECT)?;
    // the flags of the BPF side's globals (none yet) out of argv; the rest is ours
    let rest = match skel::take_args(&mut open, &tool.name, argv) {
        Ok(rest) => rest,
        Err(code) => return Ok(code),
    };
    if tool.help {
        return Ok(0); // all of the help is printed
    }
    let target = match &rest[1..] {
        [t] if t.contains(':') => t.clone(),
        _ => {
            eprintln!("@NAME@: expected one BINARY:FUNCTION (see --help)");
            return Ok(2);
        }
    };
    let obj = open.load()?;
    // a uprobe's target is PATH:FUNCTION (or PATH:OFFSET)
    obj.attach_with_target("on_call", &target)?;
    obj.attach_with_target("on_return", &target)?;
    let mut events = obj.poller("events")?;
    eprintln!("@NAME@: tracing {} (Ctrl-C ends)", target); // stdout is the events'
    let on_event = |data: &[u8]| {
        if let Some(e) = event::from_bytes(data) {
            tool.print(&e); // -o columns (a header first) or json
        }
    };
    Ok(tool.poll(&mut [&mut events], on_event, || 0)) // until -t or Ctrl-C
}

fn main() {
    let mut tool = Tool::new(
        "@NAME@",
        "Trace the calls and returns of FUNCTION in BINARY (a program or a library, by\n\
         path), e.g. /lib/x86_64-linux-gnu/libc.so.6:getcwd.",
    )
    .formats()
    .usage_args("BINARY:FUNCTION");
    let argv = tool.args(std::env::args().collect()).unwrap_or_else(|code| exit(code)); // -t, -o, -h
    match run(&tool, argv) {
        Ok(code) => exit(code),
        Err(e) => {
            eprintln!("@NAME@: {}", e);
            exit(1);
        }
    }
}
