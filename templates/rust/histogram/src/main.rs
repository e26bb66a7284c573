//! @NAME@: the guest (runs in wasm-bpf): loads the kernel side
//! (@NAME@.bpf.c) and every -i SECONDS prints the histogram it keeps.
//!
//!   @NAME@ [-t SECONDS] [-i SECONDS] [--target-pid PID]
//!
//! -t, -i (and -h) come from the SDK's Tool, which also runs the loop;
//! --target-pid from the generated flags: one per `const volatile` global
//! of @NAME@.bpf.c.  `wasm-bpf build` puts in $BPF_OUT_DIR the BPF object,
//! @NAME@.skel.rs (the flags) and @NAME@.types.rs (struct hist, laid out
//! for wasm32).  Where to change what: the output in print_hist().

use std::process::exit;

use wasm_bpf_binding::{Map, Object, Plain, Tool};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.types.rs"));
}
mod skel {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.skel.rs"));
}
use types::hist;

// Safety: a generated type is integers and arrays of them: every bit pattern is valid.
unsafe impl Plain for hist {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.bpf.o"));

fn print_hist(hists: &Map) -> wasm_bpf_binding::Result<()> {
    let h: hist = hists.lookup(&0u32)?.unwrap_or_else(hist::zeroed);
    let slots = { h.slots };
    let max = slots.iter().copied().max().unwrap_or(0).max(1);
    println!("{:>20} : {:<10} {}", "bytes", "count", "distribution");
    for (i, &n) in slots.iter().enumerate().filter(|(_, &n)| n != 0) {
        let bar = "*".repeat((n * 40 / max) as usize);
        println!("{:>9} -> {:<9} : {:<10} |{:<40}|", 1u64 << i, (1u64 << (i + 1)) - 1, n, bar);
    }
    Ok(())
}

fn run(tool: &Tool, argv: Vec<String>) -> wasm_bpf_binding::Result<i32> {
    let mut open = Object::open(BPF_OBJECT)?;
    // --target-pid PID (and the rest of --help): into .rodata, before load
    if let Err(code) = skel::parse_args(&mut open, &tool.name, argv) {
        return Ok(code);
    }
    let obj = open.load()?;
    obj.attach_all()?;
    println!("Tracing read(2) sizes");
    let hists = obj.map("hists")?;
    let tick = || match print_hist(&hists) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("@NAME@: failed to read the histogram: {}", e);
            -1
        }
    };
    let code = tool.poll(&mut [], |_| {}, tick); // every -i SECONDS, until -t or Ctrl-C
    if code == 0 {
        print_hist(&hists)?; // what the last interval counted
    }
    Ok(code)
}

fn main() {
    let mut tool = Tool::new("@NAME@", "A histogram of the sizes read(2) returns, printed every -i SECONDS.")
        .intervals(5);
    let argv = tool.args(std::env::args().collect()).unwrap_or_else(|code| exit(code)); // -t, -i, -h
    match run(&tool, argv) {
        Ok(code) => exit(code),
        Err(e) => {
            eprintln!("@NAME@: {}", e);
            exit(1);
        }
    }
}
