//! What every tracing tool repeats, once (the Rust side of the C SDK's
//! `wasm-bpf-tool.h`): the common options `-t SECONDS`, `-o json|columns`,
//! `-i SECONDS`, `-h`, the poll loop until the time is up or Ctrl-C, and
//! printing events with the printers `wasm-bpf gen types --lang rust`
//! writes for them.
//!
//! ```ignore
//! let mut tool = Tool::new("bootstrap", "Trace process execs and exits.").formats();
//! let rest = tool.args(std::env::args().collect()).unwrap_or_else(|code| exit(code));
//! ...  // the tool's own options in `rest`; open, load, attach
//! let mut events = obj.poller("rb")?;
//! let code = tool.poll(&mut [&mut events], |data| {
//!     if let Some(e) = event::from_bytes(data) {
//!         tool.print(&e);                  // -o columns (a header first) or json
//!     }
//! }, || 0);
//! ```
//!
//! Exit codes, as the runtime's: 0 success, 1 failure, 2 usage.

use std::cell::Cell;
use std::fmt;
use std::io::Write as _;
use std::time::{Duration, Instant};

use crate::poll::Poller;

/// The printers `wasm-bpf gen types --lang rust` writes for each event type
/// (inherent methods of the same names, with only `core`):
/// `wasm_bpf_binding::impl_print!(event)` makes them this trait, which
/// [`Tool::print`] uses.
pub trait Print {
    /// One JSON object and a newline.
    fn write_json(&self, w: &mut dyn fmt::Write) -> fmt::Result;
    /// The column names, aligned with the rows, and a newline.
    fn write_columns_header(w: &mut dyn fmt::Write) -> fmt::Result;
    /// One row of columns and a newline.
    fn write_columns(&self, w: &mut dyn fmt::Write) -> fmt::Result;
}

/// `impl_print!(event, other)`: the generated printers of these types as
/// [`Print`].
#[macro_export]
macro_rules! impl_print {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::Print for $t {
            fn write_json(&self, w: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                <$t>::write_json(self, w)
            }
            fn write_columns_header(w: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                <$t>::write_columns_header(w)
            }
            fn write_columns(&self, w: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                <$t>::write_columns(self, w)
            }
        }
    )+};
}

/// How events are printed (`-o`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Aligned columns, a header line before the first event (the default).
    Columns,
    /// One JSON object per line.
    Json,
}

/// The longest `-t` accepted: a year.
pub const MAX_TIMEOUT_S: u64 = 366 * 24 * 3600;
/// The longest `-i` accepted: an hour.
pub const MAX_INTERVAL_S: u64 = 3600;

/// A tool's common options and loop (see the module's documentation).
#[derive(Debug)]
pub struct Tool {
    /// The name in messages and the usage line.
    pub name: String,
    /// One line for `--help`.
    pub summary: String,
    /// Positional arguments for the usage line ("IFNAME"), if any.
    pub usage_args: Option<String>,
    /// `-o` is offered.
    pub formats: bool,
    /// `-i` is offered (the period of the loop's tick).
    pub intervals: bool,
    /// `-t`: `None` runs until interrupted.
    pub timeout: Option<Duration>,
    /// `-o`.
    pub output: Output,
    /// The poll timeout and the period of the tick (default 100 ms; `-i`).
    pub interval: Duration,
    /// `-h`/`--help` was given (the common help is printed).
    pub help: bool,
    interrupted: Cell<bool>,
    header_done: Cell<bool>,
}

impl Tool {
    pub fn new(name: &str, summary: &str) -> Tool {
        Tool {
            name: name.to_string(),
            summary: summary.to_string(),
            usage_args: None,
            formats: false,
            intervals: false,
            timeout: None,
            output: Output::Columns,
            interval: Duration::from_millis(100),
            help: false,
            interrupted: Cell::new(false),
            header_done: Cell::new(false),
        }
    }

    /// Offer `-o columns|json`.
    pub fn formats(mut self) -> Tool {
        self.formats = true;
        self
    }

    /// Offer `-i SECONDS`, `default_s` when not given: the period of the
    /// tick of [`Tool::poll`].
    pub fn intervals(mut self, default_s: u64) -> Tool {
        self.intervals = true;
        self.interval = Duration::from_secs(default_s.clamp(1, MAX_INTERVAL_S));
        self
    }

    /// Positional arguments shown in the usage line.
    pub fn usage_args(mut self, args: &str) -> Tool {
        self.usage_args = Some(args.to_string());
        self
    }

    /// Whether the loop ended on Ctrl-C or SIGTERM.
    pub fn interrupted(&self) -> bool {
        self.interrupted.get()
    }

    /// The common options' help.
    pub fn help_text(&self) -> String {
        let mut s = format!(
            "Usage: {} [OPTIONS]{}{}\n",
            self.name,
            if self.usage_args.is_some() { " " } else { "" },
            self.usage_args.as_deref().unwrap_or("")
        );
        if !self.summary.is_empty() {
            s += &format!("{}\n", self.summary);
        }
        s += "\nOptions:\n  -t, --timeout SECONDS   stop after SECONDS (default: run until interrupted)\n";
        if self.formats {
            s += "  -o, --output FORMAT     columns (default) or json (one object per line)\n";
        }
        if self.intervals {
            s += &format!("  -i, --interval SECONDS  print every SECONDS (default {})\n", self.interval.as_secs().max(1));
        }
        s += "  -h, --help              this help\n";
        s
    }

    fn usage_error(&self, what: String) -> i32 {
        eprintln!("{}: {} (see --help)", self.name, what);
        2
    }

    /// Take the common options out of `argv` (argv[0] and the rest stay, in
    /// order; a "--" ends the options and stays): what is left, or the
    /// exit code for main() at once (2 after a usage error, printed).
    /// `-h`/`--help` prints the common help, sets `help` and stays, so that
    /// the tool's own parser (a generated `parse_args`) adds its options.
    pub fn args(&mut self, argv: Vec<String>) -> Result<Vec<String>, i32> {
        let mut out = Vec::with_capacity(argv.len());
        let mut it = argv.into_iter();
        if let Some(a0) = it.next() {
            out.push(a0);
        }
        let mut rest = false;
        while let Some(a) = it.next() {
            if rest || !a.starts_with('-') || a == "-" {
                out.push(a);
                continue;
            }
            if a == "--" {
                rest = true;
                out.push(a);
                continue;
            }
            if a == "-h" || a == "--help" {
                if !self.help {
                    print!("{}", self.help_text());
                }
                self.help = true;
                out.push(a);
                continue;
            }
            let opt = |short: char, long: &str| -> Option<Option<String>> {
                let s = format!("-{}", short);
                let l = format!("--{}", long);
                if a == s || a == l {
                    Some(None) // the value is the next argument
                } else if a.starts_with(&s) && !a.starts_with("--") {
                    Some(Some(a[2..].to_string()))
                } else if let Some(v) = a.strip_prefix(&format!("{}=", l)) {
                    Some(Some(v.to_string()))
                } else {
                    None
                }
            };
            let (which, value) = if let Some(v) = opt('t', "timeout") {
                ('t', v)
            } else if let (true, Some(v)) = (self.formats, opt('o', "output")) {
                ('o', v)
            } else if let (true, Some(v)) = (self.intervals, opt('i', "interval")) {
                ('i', v)
            } else {
                out.push(a);
                continue;
            };
            let value = match value.or_else(|| it.next()) {
                Some(v) => v,
                None => return Err(self.usage_error(format!("{} needs a value", a))),
            };
            let seconds = |max: u64| value.parse::<u64>().ok().filter(|&s| s > 0 && s <= max);
            match which {
                't' => match seconds(MAX_TIMEOUT_S) {
                    Some(s) => self.timeout = Some(Duration::from_secs(s)),
                    None => {
                        return Err(self.usage_error(format!("-t: '{}' is not a number of seconds from 1 to a year", value)))
                    }
                },
                'i' => match seconds(MAX_INTERVAL_S) {
                    Some(s) => self.interval = Duration::from_secs(s),
                    None => {
                        return Err(self.usage_error(format!("-i: '{}' is not a number of seconds from 1 to 3600", value)))
                    }
                },
                _ => {
                    self.output = match value.as_str() {
                        "json" => Output::Json,
                        "columns" => Output::Columns,
                        _ => {
                            return Err(self.usage_error(format!(
                                "-o: unknown output format '{}' (expected columns or json)",
                                value
                            )))
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Print one event as `-o` asked: a JSON line, or a row of columns with
    /// the header before the first.  Flushed, so that a pipe sees each event.
    pub fn print<T: Print>(&self, event: &T) {
        let mut s = String::new();
        let _ = match self.output {
            Output::Json => event.write_json(&mut s),
            Output::Columns => {
                if !self.header_done.replace(true) {
                    let _ = T::write_columns_header(&mut s);
                }
                event.write_columns(&mut s)
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(s.as_bytes());
        let _ = out.flush();
    }

    /// The loop: poll the pollers (the first waits up to `interval`, the
    /// others are drained without waiting), giving each record to
    /// `on_record`, and call `tick` every `interval` (a tool without
    /// pollers sleeps in between).  Ends when `-t`'s time is up (without a
    /// last tick: what is left is the tool's to print after the loop), on
    /// Ctrl-C or SIGTERM ([`Tool::interrupted`] then), when `tick` returns
    /// > 0 (done: 0) or < 0 (failed: 1), or when a poll fails (printed: 1).
    /// Returns the exit code.
    pub fn poll<F, T>(&self, pollers: &mut [&mut Poller<'_>], mut on_record: F, mut tick: T) -> i32
    where
        F: FnMut(&[u8]),
        T: FnMut() -> i32,
    {
        let interval = if self.interval.is_zero() { Duration::from_millis(100) } else { self.interval };
        let start = Instant::now();
        let end = self.timeout.map(|t| start + t);
        let mut next_tick = start + interval;
        loop {
            let now = Instant::now();
            let mut wait = interval.min(next_tick.saturating_duration_since(now));
            if let Some(end) = end {
                wait = wait.min(end.saturating_duration_since(now));
            }
            if pollers.is_empty() {
                if !wait.is_zero() {
                    std::thread::sleep(wait); // the runtime ends it early on Ctrl-C
                }
            } else {
                for (i, p) in pollers.iter_mut().enumerate() {
                    match p.poll(if i == 0 { wait } else { Duration::ZERO }, |r: &[u8]| on_record(r)) {
                        Err(e) if e.is_interrupted() => {
                            self.interrupted.set(true);
                            return 0;
                        }
                        Err(e) => {
                            eprintln!("{}: polling the events failed: {}", self.name, e);
                            return 1;
                        }
                        Ok(_) => {}
                    }
                }
            }
            if crate::interrupted() {
                self.interrupted.set(true);
                return 0;
            }
            let now = Instant::now();
            if end.map_or(false, |end| now >= end) {
                return 0;
            }
            if now >= next_tick {
                next_tick += interval;
                if next_tick <= now {
                    next_tick = now + interval;
                }
                let rc = tick();
                if rc != 0 {
                    return if rc < 0 { 1 } else { 0 };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn common_options() {
        let mut t = Tool::new("x", "").formats().intervals(5);
        let rest = t.args(argv(&["x", "-t", "3", "--min-pid", "7", "-ojson", "--interval=2", "--", "-t"])).unwrap();
        assert_eq!(rest, argv(&["x", "--min-pid", "7", "--", "-t"]));
        assert_eq!((t.timeout, t.output, t.interval), (Some(Duration::from_secs(3)), Output::Json, Duration::from_secs(2)));
        let mut t = Tool::new("x", "");
        assert_eq!(t.args(argv(&["x", "-t", "0"])), Err(2));
        assert_eq!(t.args(argv(&["x", "-t"])), Err(2));
        assert_eq!(t.args(argv(&["x", "--timeout", "99999999999"])), Err(2));
        // -o not offered: left for the tool
        assert_eq!(t.args(argv(&["x", "-o", "json"])).unwrap(), argv(&["x", "-o", "json"]));
        let mut t = Tool::new("x", "").formats();
        assert_eq!(t.args(argv(&["x", "-o", "yaml"])), Err(2));
        assert_eq!(t.args(argv(&["x", "--help"])).unwrap(), argv(&["x", "--help"]));
        assert!(t.help);
        assert!(t.help_text().contains("-o, --output FORMAT"));
    }
}
