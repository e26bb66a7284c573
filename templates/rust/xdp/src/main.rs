//! @NAME@: the guest (runs in wasm-bpf): attaches the XDP program of the
//! kernel side (@NAME@.bpf.c) to IFNAME and prints the counters every
//! -i SECONDS and at the end.
//!
//!   @NAME@ [-t SECONDS] [-i SECONDS] IFNAME
//!
//! -t, -i (and -h) come from the SDK's Tool, which also runs the loop; a
//! `const volatile` global added to @NAME@.bpf.c becomes a flag (the
//! generated @NAME@.skel.rs).  `wasm-bpf build` puts in $BPF_OUT_DIR the BPF
//! object, @NAME@.skel.rs and @NAME@.types.rs (struct counter, laid out for
//! wasm32).  Where to change what: the output in print_counters().

use std::process::exit;

use wasm_bpf_binding::{Map, Object, Plain, Tool};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.types.rs"));
}
mod skel {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.skel.rs"));
}
use types::counter;

// Safety: a generated type is integers and arrays of them: every bit pattern is valid.
unsafe impl Plain for counter {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.bpf.o"));

fn proto_name(proto: u32) -> &'static str {
    match proto {
        1 => "ICMP",
        6 => "TCP",
        17 => "UDP",
        255 => "non-IPv4",
        _ => "IPv4",
    }
}

fn print_counters(counters: &Map, when: &str) -> wasm_bpf_binding::Result<()> {
    println!("{}:", when);
    for key in 0..256u32 {
        let c: counter = counters.lookup(&key)?.unwrap_or_else(counter::zeroed);
        if { c.packets } != 0 {
            println!("  {:<8} proto {:<3} {} packets {} bytes", proto_name(key), key, { c.packets }, { c.bytes });
        }
    }
    Ok(())
}

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
    let ifname = match &rest[1..] {
        [i] if !i.starts_with('-') => i.clone(),
        _ => {
            eprintln!("@NAME@: expected the interface IFNAME (see --help)");
            return Ok(2);
        }
    };
    let obj = open.load()?;
    obj.attach_with_target("xdp_count", &ifname)?; // XDP attaches to an interface
    println!("Counting frames on {}", ifname);
    let counters = obj.map("counters")?;
    let tick = || if print_counters(&counters, "so far").is_ok() { 0 } else { -1 };
    let code = tool.poll(&mut [], |_| {}, tick); // every -i SECONDS, until -t or Ctrl-C
    if code == 0 {
        print_counters(&counters, "total")?;
    }
    Ok(code)
}

fn main() {
    let mut tool = Tool::new("@NAME@", "Count the frames arriving on IFNAME, by IP protocol.")
        .intervals(5)
        .usage_args("IFNAME");
    let argv = tool.args(std::env::args().collect()).unwrap_or_else(|code| exit(code)); // -t, -i, -h
    match run(&tool, argv) {
        Ok(code) => exit(code),
        Err(e) => {
            eprintln!("@NAME@: {}", e);
            exit(1);
        }
    }
}
