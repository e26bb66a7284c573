//! @NAME@: the guest (runs in wasm-bpf): attaches the probes of the kernel
//! side (@NAME@.bpf.c) to FUNCTION in BINARY (a program or a library, by
//! path) and prints each call (with its first argument) and each return
//! (with the value returned).
//!
//!   @NAME@ BINARY:FUNCTION [-t SECONDS]
//!
//! Where to change what: the options in parse_args(), the output in
//! print_event().  `wasm-bpf build` puts the BPF object and its types
//! (struct event, laid out for wasm32) in $BPF_OUT_DIR.

use std::process::exit;
use std::time::{Duration, Instant};

use wasm_bpf_binding::{cstr_lossy, Object, Plain};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.types.rs"));
}
use types::event;

// Safety: a generated type is integers and arrays of them: every bit pattern is valid.
unsafe impl Plain for event {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.bpf.o"));

const USAGE: &str = "Usage: @NAME@ BINARY:FUNCTION [-t SECONDS]
Trace the calls and returns of FUNCTION in BINARY (a program or a library,
by path), e.g. /lib/x86_64-linux-gnu/libc.so.6:getcwd.
  -t SECONDS  stop after SECONDS (default: run until interrupted)";

/// (target, seconds), or exit with the usage.
fn parse_args() -> (String, u64) {
    let (mut target, mut seconds) = (None, 0u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let ok = match arg.as_str() {
            "-t" => args.next().and_then(|v| v.parse().ok()).map(|v| seconds = v).is_some(),
            a if !a.starts_with('-') && a.contains(':') && target.is_none() => {
                target = Some(a.to_string());
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("{}", USAGE);
            exit(2);
        }
    }
    match target {
        Some(t) => (t, seconds),
        None => {
            eprintln!("{}", USAGE);
            exit(2)
        }
    }
}

fn print_event(data: &[u8]) {
    if let Some(e) = event::from_bytes(data) {
        let kind = if { e.is_return } != 0 { "return" } else { "call" };
        println!("{:<7} {:<16} {:<6} {:#x}", { e.pid }, cstr_lossy(&e.comm), kind, { e.value });
    }
}

fn run(target: &str, seconds: u64) -> wasm_bpf_binding::Result<()> {
    let obj = Object::load(BPF_OBJECT)?;
    // a uprobe's target is PATH:FUNCTION (or PATH:OFFSET)
    obj.attach_with_target("on_call", target)?;
    obj.attach_with_target("on_return", target)?;
    let mut events = obj.poller("events")?;
    println!("{:<7} {:<16} {:<6} {}", "PID", "COMM", "EVENT", "VALUE");
    let end = Some(seconds).filter(|&s| s > 0).map(|s| Instant::now() + Duration::from_secs(s));
    while end.map_or(true, |end| Instant::now() < end) {
        match events.poll(Duration::from_millis(100), print_event) {
            Err(e) if e.is_interrupted() => break, // Ctrl-C
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
    Ok(())
}

fn main() {
    let (target, seconds) = parse_args();
    if let Err(e) = run(&target, seconds) {
        eprintln!("@NAME@: {}", e);
        exit(1);
    }
}
