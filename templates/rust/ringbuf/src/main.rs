//! @NAME@: the guest (runs in wasm-bpf): loads the kernel side
//! (@NAME@.bpf.c) and prints each event it sends.
//!
//!   @NAME@ [-t SECONDS] [-o columns|json] [--min-pid N]
//!
//! -t, -o (and -h) come from the SDK's Tool, which also runs the poll loop;
//! --min-pid from the generated flags: one per `const volatile` global of
//! @NAME@.bpf.c.  `wasm-bpf build` puts in $BPF_OUT_DIR the BPF object,
//! @NAME@.skel.rs (the flags) and @NAME@.types.rs (struct event, laid out
//! for wasm32, with its printers as columns or JSON lines).  Where to change
//! what: a field of struct event in @NAME@.bpf.c is a column and a JSON
//! member; the closure given to tool.poll() may print anything else instead.

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
    // --min-pid N (and the rest of --help): into .rodata, before load
    if let Err(code) = skel::parse_args(&mut open, &tool.name, argv) {
        return Ok(code);
    }
    let obj = open.load()?;
    obj.attach_all()?;
    let mut events = obj.poller("events")?;
    eprintln!("@NAME@: tracing execs (Ctrl-C ends)"); // stdout is the events'
    let on_event = |data: &[u8]| {
        if let Some(e) = event::from_bytes(data) {
            tool.print(&e); // -o columns (a header first) or json
        }
    };
    Ok(tool.poll(&mut [&mut events], on_event, || 0)) // until -t or Ctrl-C
}

fn main() {
    let mut tool = Tool::new("@NAME@", "Print every exec: pid, parent pid, command, file.").formats();
    let argv = tool.args(std::env::args().collect()).unwrap_or_else(|code| exit(code)); // -t, -o, -h
    match run(&tool, argv) {
        Ok(code) => exit(code),
        Err(e) => {
            eprintln!("@NAME@: {}", e);
            exit(1);
        }
    }
}
