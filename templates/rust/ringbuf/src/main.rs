//! @NAME@: the guest (runs in wasm-bpf): loads the kernel side
//! (@NAME@.bpf.c) and prints each event it sends.
//!
//!   @NAME@ [-t SECONDS] [-p MIN_PID]
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

const USAGE: &str = "Usage: @NAME@ [-t SECONDS] [-p MIN_PID]
Print every exec: pid, parent pid, command, file.
  -t SECONDS  stop after SECONDS (default: run until interrupted)
  -p MIN_PID  only processes with a pid of at least MIN_PID";

/// (seconds, min_pid), or exit with the usage.
fn parse_args() -> (u64, i32) {
    let (mut seconds, mut min_pid) = (0u64, 0i32);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let ok = match arg.as_str() {
            "-t" => args.next().and_then(|v| v.parse().ok()).map(|v| seconds = v).is_some(),
            "-p" => args.next().and_then(|v| v.parse().ok()).filter(|&v| v >= 0).map(|v| min_pid = v).is_some(),
            _ => false,
        };
        if !ok {
            eprintln!("{}", USAGE);
            exit(2);
        }
    }
    (seconds, min_pid)
}

fn print_event(data: &[u8]) {
    if let Some(e) = event::from_bytes(data) {
        println!("{:<7} {:<7} {:<16} {}", { e.pid }, { e.ppid }, cstr_lossy(&e.comm), cstr_lossy(&e.filename));
    }
}

fn run(seconds: u64, min_pid: i32) -> wasm_bpf_binding::Result<()> {
    let mut open = Object::open(BPF_OBJECT)?;
    open.set_global("min_pid", min_pid)?; // before load: the kernel side reads it
    let obj = open.load()?;
    obj.attach_all()?;
    let mut events = obj.poller("events")?;
    println!("{:<7} {:<7} {:<16} {}", "PID", "PPID", "COMM", "FILE");
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
    let (seconds, min_pid) = parse_args();
    if let Err(e) = run(seconds, min_pid) {
        eprintln!("@NAME@: {}", e);
        exit(1);
    }
}
