//! @NAME@: the guest (runs in wasm-bpf): attaches the XDP program of the
//! kernel side (@NAME@.bpf.c) to IFNAME and prints the counters every
//! INTERVAL seconds and at the end.
//!
//!   @NAME@ IFNAME [-t SECONDS] [-i INTERVAL]
//!
//! Where to change what: the options in parse_args(), the output in
//! print_counters().  `wasm-bpf build` puts the BPF object and its types
//! (struct counter, laid out for wasm32) in $BPF_OUT_DIR.

use std::process::exit;
use std::time::{Duration, Instant};

use wasm_bpf_binding::{interrupted, Map, Object, Plain};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.types.rs"));
}
use types::counter;

// Safety: a generated type is integers and arrays of them: every bit pattern is valid.
unsafe impl Plain for counter {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/@NAME@.bpf.o"));

const USAGE: &str = "Usage: @NAME@ IFNAME [-t SECONDS] [-i INTERVAL]
Count the frames arriving on IFNAME, by IP protocol.
  -t SECONDS   stop after SECONDS (default: run until interrupted)
  -i INTERVAL  print every INTERVAL seconds (default 5)";

fn proto_name(proto: u32) -> &'static str {
    match proto {
        1 => "ICMP",
        6 => "TCP",
        17 => "UDP",
        255 => "non-IPv4",
        _ => "IPv4",
    }
}

/// (ifname, seconds, interval), or exit with the usage.
fn parse_args() -> (String, u64, u64) {
    let (mut ifname, mut seconds, mut interval) = (None, 0u64, 5u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let ok = match arg.as_str() {
            "-t" => args.next().and_then(|v| v.parse().ok()).map(|v| seconds = v).is_some(),
            "-i" => args.next().and_then(|v| v.parse().ok()).filter(|&v| v > 0).map(|v| interval = v).is_some(),
            a if !a.starts_with('-') && ifname.is_none() => {
                ifname = Some(a.to_string());
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("{}", USAGE);
            exit(2);
        }
    }
    match ifname {
        Some(i) => (i, seconds, interval),
        None => {
            eprintln!("{}", USAGE);
            exit(2)
        }
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

fn run(ifname: &str, seconds: u64, interval: u64) -> wasm_bpf_binding::Result<()> {
    let obj = Object::load(BPF_OBJECT)?;
    obj.attach_with_target("xdp_count", ifname)?; // XDP attaches to an interface
    println!("Counting frames on {}", ifname);
    let counters = obj.map("counters")?;
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
        print_counters(&counters, "so far")?;
    }
    print_counters(&counters, "total")
}

fn main() {
    let (ifname, seconds, interval) = parse_args();
    if let Err(e) = run(&ifname, seconds, interval) {
        eprintln!("@NAME@: {}", e);
        exit(1);
    }
}
