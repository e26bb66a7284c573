//! rust-xdp: the guest of the xdp example, in Rust.
//!
//!   rust-xdp IFNAME [-t SECONDS] [-i INTERVAL]
//!
//! Attaches an XDP program to IFNAME and, every INTERVAL seconds (default 1)
//! and at the end, prints the frames and bytes received per IP protocol,
//! read from the kernel's array with typed map lookups; like examples/xdp:
//! the same BPF program, the same output.
//!
//! The BPF object (xdp.bpf.c: examples/xdp/xdp.bpf.c, included) and
//! its types (generated as by `wasm-bpf gen types --lang rust`) are in
//! $BPF_OUT_DIR, which `wasm-bpf build examples/rust-xdp` sets.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use wasm_bpf_binding::{Map, Object, Plain};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/xdp.types.rs"));
}
use types::counter;

// Safety: generated types are integers and arrays at the kernel's offsets.
unsafe impl Plain for counter {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/xdp.bpf.o"));

/// The slot counting frames that are not IPv4 (xdp.h).
const XDP_NOT_IPV4: u32 = 255;

const USAGE: &str = "Usage: rust-xdp IFNAME [-t SECONDS] [-i INTERVAL]
Count the frames arriving on IFNAME, by IP protocol.";

fn proto_name(proto: u32) -> &'static str {
    match proto {
        1 => "ICMP",
        6 => "TCP",
        17 => "UDP",
        XDP_NOT_IPV4 => "non-IPv4",
        _ => "IPv4",
    }
}

fn print_counters(stats: &Map, when: &str) -> wasm_bpf_binding::Result<()> {
    println!("{}:", when);
    for key in 0..256u32 {
        // an array has every key: None would be a bug
        let c: counter = stats.lookup(&key)?.unwrap_or_else(counter::zeroed);
        if c.packets != 0 {
            println!("  {:<8} proto {:<3} {} packets {} bytes", proto_name(key), key, { c.packets }, { c.bytes });
        }
    }
    Ok(())
}

fn run(ifname: &str, seconds: u64, interval: u64) -> wasm_bpf_binding::Result<()> {
    let obj = Object::load(BPF_OBJECT)?;
    obj.attach_with_target("xdp_count", ifname)?;
    println!("Counting packets on {}", ifname);

    let stats = obj.map("xdp_stats")?;
    let end = Some(seconds)
        .filter(|&s| s > 0)
        .and_then(|s| Instant::now().checked_add(Duration::from_secs(s)));
    loop {
        let mut wait = Duration::from_secs(interval);
        if let Some(end) = end {
            wait = wait.min(end.saturating_duration_since(Instant::now()));
        }
        std::thread::sleep(wait);
        if end.map_or(false, |end| Instant::now() >= end) {
            break;
        }
        print_counters(&stats, "so far")?;
    }
    print_counters(&stats, "total")
}

/// (IFNAME, SECONDS, INTERVAL), or None for a usage error.
fn parse_args() -> Option<(String, u64, u64)> {
    let (mut ifname, mut seconds, mut interval) = (None, 0, 1);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{}", USAGE);
                std::process::exit(0)
            }
            "-t" => seconds = args.next()?.parse().ok()?,
            "-i" => interval = args.next()?.parse().ok().filter(|&i| i > 0)?,
            a if !a.starts_with('-') && ifname.is_none() => ifname = Some(a.to_string()),
            _ => return None,
        }
    }
    Some((ifname?, seconds, interval))
}

fn main() -> ExitCode {
    let (ifname, seconds, interval) = match parse_args() {
        Some(args) => args,
        None => {
            eprintln!("{}", USAGE);
            std::process::exit(2)
        }
    };
    match run(&ifname, seconds, interval) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rust-xdp: {}", e);
            ExitCode::FAILURE
        }
    }
}
