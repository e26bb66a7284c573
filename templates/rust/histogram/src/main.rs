//! @NAME@: the guest (runs in wasm-bpf): loads the kernel side
//! (@NAME@.bpf.c) and every INTERVAL seconds prints the histogram it keeps.
//!
//!   @NAME@ [-t SECONDS] [-i INTERVAL] [-p PID]
//!
//! Where to change what: the options in parse_args(), the output in
//! print_hist().  `wasm-bpf build` puts the BPF object and its types
//! (struct hist, laid out for wasm32) in $BPF_OUT_DIR.

use std::process::exit;
use std::time::{Duration, Instant};

use wasm_bpf_binding::{interrupted, Map, Object, Plain};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.types.rs"));
}
use types::hist;

// Safety: a generated type is integers and arrays of them: every bit pattern is valid.
unsafe impl Plain for hist {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.bpf.o"));

const USAGE: &str = "Usage: @NAME@ [-t SECONDS] [-i INTERVAL] [-p PID]
A histogram of the sizes read(2) returns.
  -t SECONDS   stop after SECONDS (default: run until interrupted)
  -i INTERVAL  print every INTERVAL seconds (default 5)
  -p PID       only the process PID";

/// (seconds, interval, pid), or exit with the usage.
fn parse_args() -> (u64, u64, i32) {
    let (mut seconds, mut interval, mut pid) = (0u64, 5u64, 0i32);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let ok = match arg.as_str() {
            "-t" => args.next().and_then(|v| v.parse().ok()).map(|v| seconds = v).is_some(),
            "-i" => args.next().and_then(|v| v.parse().ok()).filter(|&v| v > 0).map(|v| interval = v).is_some(),
            "-p" => args.next().and_then(|v| v.parse().ok()).filter(|&v| v >= 0).map(|v| pid = v).is_some(),
            _ => false,
        };
        if !ok {
            eprintln!("{}", USAGE);
            exit(2);
        }
    }
    (seconds, interval, pid)
}

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

fn run(seconds: u64, interval: u64, pid: i32) -> wasm_bpf_binding::Result<()> {
    let mut open = Object::open(BPF_OBJECT)?;
    open.set_global("target_pid", pid)?; // before load: the kernel side reads it
    let obj = open.load()?;
    obj.attach_all()?;
    println!("Tracing read(2) sizes");
    let hists = obj.map("hists")?;
    let end = Some(seconds).filter(|&s| s > 0).map(|s| Instant::now() + Duration::from_secs(s));
    loop {
        let mut wait = Duration::from_secs(interval);
        if let Some(end) = end {
            wait = wait.min(end.saturating_duration_since(Instant::now()));
        }
        std::thread::sleep(wait);
        if interrupted() || end.map_or(false, |end| Instant::now() >= end) {
            break;
        }
        print_hist(&hists)?;
    }
    print_hist(&hists)
}

fn main() {
    let (seconds, interval, pid) = parse_args();
    if let Err(e) = run(seconds, interval, pid) {
        eprintln!("@NAME@: {}", e);
        exit(1);
    }
}
