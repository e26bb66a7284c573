//! rust-runqlat: the guest of the runqlat example, in Rust.
//!
//!   rust-runqlat [-m] [-P | -L] [-p PID] [INTERVAL [COUNT]]
//!
//! Run queue latency (from wake-up to running) as log2 histograms, like
//! examples/runqlat: the same BPF program, the same output.  Every INTERVAL
//! seconds (default 1) reads the histograms from the `hists` hash map
//! (typed iteration and lookups), prints them and deletes them; stops after
//! COUNT intervals (default: until interrupted).  The options reach the
//! kernel through .rodata, set before load.
//!
//! The BPF object (runqlat.bpf.c: examples/runqlat/runqlat.bpf.c, included) and
//! its types (generated as by `wasm-bpf gen types --lang rust`) are in
//! $BPF_OUT_DIR, which `wasm-bpf build examples/rust-runqlat` sets.

use std::process::ExitCode;
use std::time::Duration;

use wasm_bpf_binding::{cstr_lossy, probe, Map, Object, Plain};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/runqlat.types.rs"));
}
use types::hist;

// Safety: generated types are integers and arrays at the kernel's offsets.
unsafe impl Plain for hist {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/runqlat.bpf.o"));

const USAGE: &str = "Usage: rust-runqlat [-m] [-P | -L] [-p PID] [INTERVAL [COUNT]]
Summarize run queue (scheduler) latency as a histogram.
  -m      milliseconds (default: microseconds)
  -P      one histogram per process
  -L      one histogram per thread
  -p PID  only this process";

#[derive(Default)]
struct Options {
    milliseconds: bool,
    per_process: bool,
    per_thread: bool,
    pid: i32,
    interval: u64,
    count: u64,
}

fn usage_error(message: &str) -> ! {
    eprintln!("rust-runqlat: {}\n{}", message, USAGE);
    std::process::exit(2)
}

fn parse_args() -> Options {
    let mut opts = Options { interval: 1, ..Options::default() };
    let mut positional = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{}", USAGE);
                std::process::exit(0)
            }
            "-m" => opts.milliseconds = true,
            "-P" => opts.per_process = true,
            "-L" => opts.per_thread = true,
            "-p" => match args.next().map(|s| s.parse::<i32>()) {
                Some(Ok(pid)) if pid >= 0 => opts.pid = pid,
                _ => usage_error("-p needs a process id"),
            },
            a if !a.starts_with('-') && positional < 2 => {
                match (a.parse::<u64>(), positional) {
                    (Ok(n), 0) if n > 0 => opts.interval = n,
                    (Ok(n), 1) => opts.count = n,
                    _ => usage_error(&format!("invalid number '{}'", a)),
                }
                positional += 1;
            }
            a => usage_error(&format!("unexpected argument '{}'", a)),
        }
    }
    if opts.per_process && opts.per_thread {
        usage_error("-P and -L cannot be used together");
    }
    opts
}

fn stars(val: u32, max: u32, width: u64) -> String {
    let n = if max > 0 { u64::from(val) * width / u64::from(max) } else { 0 };
    (0..width).map(|i| if i < n { '*' } else { ' ' }).collect()
}

fn print_log2_hist(slots: &[u32], unit: &str) {
    println!("{:10}{:<14} : count    distribution", "", unit);
    let last = match slots.iter().rposition(|&s| s != 0) {
        Some(last) => last,
        None => return,
    };
    let max = slots.iter().copied().max().unwrap_or(0);
    for (i, &count) in slots.iter().enumerate().take(last + 1) {
        let low: u64 = if i == 0 { 0 } else { 1 << i };
        let high: u64 = (1 << (i + 1)) - 1;
        println!("{:10} -> {:<10} : {:<8} |{}|", low, high, count, stars(count, max, 40));
    }
}

/// Print every histogram of the map, then delete them all.
fn print_and_clear(hists: &Map, opts: &Options) -> wasm_bpf_binding::Result<()> {
    let unit = if opts.milliseconds { "msecs" } else { "usecs" };
    for entry in hists.entries::<u32, hist>() {
        let (key, h) = entry?;
        if opts.per_process {
            println!("\npid = {} {}", key, cstr_lossy(&h.comm));
        } else if opts.per_thread {
            println!("\ntid = {} {}", key, cstr_lossy(&h.comm));
        }
        print_log2_hist(&{ h.slots }, unit);
    }
    let keys = hists.keys::<u32>().collect::<wasm_bpf_binding::Result<Vec<u32>>>()?;
    for key in keys {
        hists.delete(&key)?;
    }
    Ok(())
}

fn run(opts: &Options) -> wasm_bpf_binding::Result<()> {
    let mut open = Object::open(BPF_OBJECT)?;
    open.set_global("targ_per_process", u8::from(opts.per_process))?;
    open.set_global("targ_per_thread", u8::from(opts.per_thread))?;
    open.set_global("targ_ms", u8::from(opts.milliseconds))?;
    open.set_global("targ_tgid", opts.pid)?;
    // tp_btf needs the kernel's own BTF; raw_tp only CO-RE, which --btf
    // can serve on a kernel without it: load one set of programs
    let tp_btf = probe::prog_type(probe::prog_type::TRACING) == Ok(true);
    if !tp_btf {
        eprintln!(
            "rust-runqlat: no tp_btf programs here: {}: using raw tracepoints",
            probe::why_not().unwrap_or_else(|| "the probe said no".into())
        );
    }
    for name in ["sched_wakeup", "sched_wakeup_new", "sched_switch"] {
        open.set_autoload(name, tp_btf)?;
    }
    for name in ["raw_wakeup", "raw_wakeup_new", "raw_switch"] {
        open.set_autoload(name, !tp_btf)?;
    }
    let obj = open.load()?;
    obj.attach_all()?;
    let hists = obj.map("hists")?;

    println!("Tracing run queue latency... Hit Ctrl-C to end.");
    let mut n = 1;
    loop {
        std::thread::sleep(Duration::from_secs(opts.interval));
        println!();
        print_and_clear(&hists, opts)?;
        // Ctrl-C ended the sleep early: this was the last interval
        if (opts.count > 0 && n >= opts.count) || wasm_bpf_binding::interrupted() {
            return Ok(());
        }
        n += 1;
    }
}

fn main() -> ExitCode {
    let opts = parse_args();
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rust-runqlat: {}", e);
            ExitCode::FAILURE
        }
    }
}
