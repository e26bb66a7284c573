//! rust-bootstrap: the guest of the bootstrap example, in Rust.
//!
//!   rust-bootstrap [-d MIN_DURATION_MS] [-t SECONDS] [-h]
//!
//! Prints one line per exec and per process exit (with its lifetime), like
//! examples/bootstrap: the same BPF program, the same output.  With -d, only
//! exits of processes that lived at least that long are shown: the value
//! reaches the kernel through .rodata, set before load.  With -t, stops
//! after that many seconds; otherwise runs until interrupted.
//!
//! The BPF object (bootstrap.bpf.c: examples/bootstrap/bootstrap.bpf.c, included) and
//! its types (generated as by `wasm-bpf gen types --lang rust`) are in
//! $BPF_OUT_DIR, which `wasm-bpf build examples/rust-bootstrap` sets.

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use wasm_bpf_binding::{cstr_lossy, Object, Plain};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/bootstrap.types.rs"));
}
use types::event;

// Safety: a generated type is integers and arrays of them at the kernel's
// offsets: every bit pattern is a valid event.
unsafe impl Plain for event {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/bootstrap.bpf.o"));

const USAGE: &str = "Usage: rust-bootstrap [-d MIN_DURATION_MS] [-t SECONDS]
Trace process execs and exits (with their lifetime).
  -d MS       only show exits of processes that lived at least MS milliseconds
  -t SECONDS  stop after SECONDS (default: run until interrupted)";

struct Options {
    min_duration_ms: u64,
    seconds: u64,
}

/// The options, or the exit status to leave with (through
/// std::process::exit: ExitCode of Rust 1.63 on WASI only knows 0 and 1).
fn parse_args() -> Result<Options, i32> {
    let mut opts = Options { min_duration_ms: 0, seconds: 0 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (value, what) = match arg.as_str() {
            "-h" | "--help" => {
                println!("{}", USAGE);
                return Err(0);
            }
            "-d" | "--duration" => (&mut opts.min_duration_ms, "duration"),
            "-t" => (&mut opts.seconds, "number of seconds"),
            _ => {
                eprintln!("rust-bootstrap: unexpected argument '{}'\n{}", arg, USAGE);
                return Err(2);
            }
        };
        match args.next().map(|s| s.parse::<u64>()) {
            Some(Ok(v)) => *value = v,
            Some(Err(_)) | None => {
                eprintln!("rust-bootstrap: {} needs a {}", arg, what);
                return Err(2);
            }
        }
    }
    Ok(opts)
}

/// The time of day (UTC) as HH:MM:SS.
fn time_of_day() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("{:02}:{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}

fn print_event(data: &[u8]) {
    let e = match event::from_bytes(data) {
        Some(e) => e,
        None => return,
    };
    let comm = cstr_lossy(&e.comm);
    let (pid, ppid) = ({ e.pid }, { e.ppid });
    if e.exit_event != 0 {
        let mut line = format!("{:<8} {:<5} {:<16} {:<7} {:<7} [{}]", time_of_day(), "EXIT", comm, pid, ppid, { e.exit_code });
        if { e.duration_ns } != 0 {
            line += &format!(" ({}ms)", { e.duration_ns } / 1_000_000);
        }
        println!("{}", line);
    } else {
        let filename = cstr_lossy(&e.filename);
        println!("{:<8} {:<5} {:<16} {:<7} {:<7} {}", time_of_day(), "EXEC", comm, pid, ppid, filename);
    }
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(status) => std::process::exit(status),
    };

    // parameterise the BPF code before it is loaded
    let mut open = match Object::open(BPF_OBJECT) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("Failed to open BPF object: {}", e);
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = open.set_global("min_duration_ns", opts.min_duration_ms.saturating_mul(1_000_000)) {
        eprintln!("Failed to set min_duration_ns: {}", e);
        return ExitCode::FAILURE;
    }
    let obj = match open.load() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("Failed to load and verify BPF object: {}", e);
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = obj.attach_all() {
        eprintln!("Failed to attach BPF programs: {}", e);
        return ExitCode::FAILURE;
    }
    let mut events = match obj.poller("rb") {
        Ok(p) => p,
        Err(e) => {
            eprintln!("Failed to create ring buffer: {}", e);
            return ExitCode::FAILURE;
        }
    };

    println!("{:<8} {:<5} {:<16} {:<7} {:<7} {}", "TIME", "EVENT", "COMM", "PID", "PPID", "FILENAME/EXIT CODE");
    let end = Some(opts.seconds)
        .filter(|&s| s > 0)
        .and_then(|s| Instant::now().checked_add(Duration::from_secs(s)));
    loop {
        match events.poll(Duration::from_millis(100), print_event) {
            Ok(_) => {}
            Err(e) if e.is_interrupted() => break,
            Err(e) => {
                eprintln!("Error polling ring buffer: {}", e);
                return ExitCode::FAILURE;
            }
        }
        if end.map_or(false, |end| Instant::now() >= end) {
            break;
        }
    }
    ExitCode::SUCCESS
}
