//! sdk-test: the Rust SDK against the real host and kernel (tests/rust/run).
//!
//!   sdk-test TGID
//!
//! TGID is the runtime's process id (the script starts it with `exec`): the
//! BPF program (sdk_test.bpf.c) only reacts to that process's sched_yield()
//! calls, which the guest makes itself with `std::thread::yield_now()`.
//! Each check prints "ok      NAME" or "FAIL    NAME: why".  At the end the
//! guest closes its objects, prints "closed" and waits 2 seconds, so that
//! the script can check that nothing is left in the kernel.  Exit status 1
//! if a check failed.

use std::io::Write;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use wasm_bpf_binding::{binding, cstr_lossy, errno, probe, Error, MapFlags, Object, Plain, Poller};

mod types {
    include!(concat!(env!("BPF_OUT_DIR"), "/sdk_test.rs"));
}
use types::{big_record, record, stats};

// Safety: generated types are integers and arrays at the kernel's offsets.
unsafe impl Plain for record {}
unsafe impl Plain for big_record {}
unsafe impl Plain for stats {}

static BPF_OBJECT: &[u8] = include_bytes!(concat!(env!("BPF_OUT_DIR"), "/sdk_test.bpf.o"));

const RECORDS_PER_YIELD: u32 = 3;
const DATA_VALUE: u64 = 1234;
const TAG: u64 = 0xfeed_f00d;

struct Checks {
    failed: u32,
}

impl Checks {
    fn check(&mut self, name: &str, ok: bool, why: impl FnOnce() -> String) {
        if ok {
            println!("ok      {}", name);
        } else {
            println!("FAIL    {}: {}", name, why());
            self.failed += 1;
        }
    }

    /// `r` is an error with errno `want` (any errno if None) and a message
    /// containing `text`.
    fn error<T>(&mut self, name: &str, r: Result<T, Error>, want: Option<i32>, text: &str) {
        match r {
            Err(e) => self.check(
                name,
                want.map_or(true, |w| e.errno() == w) && e.message().contains(text),
                || format!("got errno {} \"{}\", wanted errno {:?} and \"{}\"", e.errno(), e, want, text),
            ),
            Ok(_) => self.check(name, false, || "succeeded".to_string()),
        }
    }

    /// The value of `r`, or a failed check and the end of the test.
    fn must<T>(&mut self, name: &str, r: Result<T, Error>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.check(name, false, || e.to_string());
                println!("sdk-test: cannot go on");
                std::process::exit(1)
            }
        }
    }
}

/// Poll until `want` records came (or 2 s passed); their bytes.
fn collect(p: &mut Poller, want: usize) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(2);
    while got.len() < want && Instant::now() < deadline {
        if p.poll(Duration::from_millis(100), |d| got.push(d.to_vec())).is_err() {
            break;
        }
    }
    got
}

fn records(raw: &[Vec<u8>]) -> Vec<(u32, u32)> {
    raw.iter().filter_map(|d| record::from_bytes(d)).map(|r| ({ r.seq }, { r.index })).collect()
}

fn yields(n: u32) {
    for _ in 0..n {
        std::thread::yield_now();
    }
}

fn main() {
    let tgid: i32 = match std::env::args().nth(1).map(|s| s.parse()) {
        Some(Ok(t)) => t,
        _ => {
            eprintln!("usage: sdk-test TGID");
            std::process::exit(2)
        }
    };
    let mut c = Checks { failed: 0 };

    // ---- opening and loading
    c.error("open: bytes that are not ELF", Object::open(b"hello, world"), Some(errno::ENOEXEC), "not a usable BPF ELF");
    c.error("open: a truncated object", Object::open(&BPF_OBJECT[..200]), Some(errno::ENOEXEC), "not a usable");

    let junk = [0x42u8; 64];
    let handle = binding::wasm_load_bpf_object(junk.as_ptr() as u32, junk.len() as i32);
    let mut msg = [0u8; 256];
    let last = binding::wasm_bpf_last_error(msg.as_mut_ptr() as u32, msg.len() as i32);
    c.check("raw load of junk: handle 0; wasm_bpf_last_error: errno and message", handle == 0 && last < 0 && msg[0] != 0, || {
        format!("handle {}, last error {}", handle, last)
    });

    // the same object, but not GPL: the verifier refuses bpf_perf_event_output
    let mut non_gpl = BPF_OBJECT.to_vec();
    match non_gpl.windows(12).position(|w| w == b"Dual BSD/GPL") {
        Some(at) => non_gpl[at..at + 12].copy_from_slice(b"Proprietary\0"),
        None => c.check("the object's license string", false, || "not found".to_string()),
    }
    c.error("load: the kernel's refusal comes with the host's message", Object::load(&non_gpl), None, "load:");

    // ---- globals before load
    let mut open = c.must("open the test object", Object::open(BPF_OBJECT));
    c.error("set_global: unknown variable", open.set_global("nope", 1u32), Some(errno::ENOENT), "'nope'");
    c.error("set_global: wrong size", open.set_global("target_tgid", 1u64), Some(errno::EINVAL), "is 4 bytes");
    c.error("set_global: a .bss variable", open.set_global("seq", 1u32), Some(errno::EINVAL), ".bss");
    c.must("set_global: target_tgid (.rodata)", open.set_global("target_tgid", tgid));
    c.must("set_global: records_per_yield (.rodata)", open.set_global("records_per_yield", RECORDS_PER_YIELD));
    c.must("set_global: data_value (.data)", open.set_global("data_value", DATA_VALUE));
    c.must("set_global: a bool, flag_on_yield (.rodata)", open.set_global("flag_on_yield", true));
    c.error("set_global: a bool is 1 byte, not 4", open.set_global("records_per_yield", true), Some(errno::EINVAL), "is 4 bytes");
    let progs: Vec<(String, String)> = open.programs().map(|(n, s)| (n.to_string(), s.to_string())).collect();
    c.check(
        "programs: names and sections from the ELF file",
        progs == [("on_yield".into(), "tp/syscalls/sys_enter_sched_yield".into()), ("never_attached".into(), "xdp".into())],
        || format!("{:?}", progs),
    );
    let obj = c.must("load", open.load());
    c.check("load: a non-zero handle", obj.handle() != 0, || "0".to_string());

    // ---- attach errors
    c.error("attach: unknown program", obj.attach("nope"), Some(errno::ENOENT), "'nope'");
    c.error("attach: a name with a NUL byte", obj.attach("on\0yield"), Some(errno::EINVAL), "NUL");
    c.error("attach: xdp needs an interface", obj.attach("never_attached"), None, "never_attached");
    c.error(
        "attach_with_target: no such interface",
        obj.attach_with_target("never_attached", "wbt-none0"),
        Some(errno::ENODEV),
        "wbt-none0",
    );

    // ---- maps: errors and sizes
    c.error("map: unknown name", obj.map("nope"), Some(errno::ENOENT), "'nope'");
    let counts = c.must("map counts", obj.map("counts"));
    c.check(
        "map: type and sizes from the object's BTF",
        (counts.map_type(), counts.key_size(), counts.value_size()) == (Some(1), Some(4), Some(16)),
        || format!("{:?} {:?} {:?}", counts.map_type(), counts.key_size(), counts.value_size()),
    );
    c.error("lookup: a key of the wrong size", counts.lookup::<u64, stats>(&1), Some(errno::EINVAL), "key is 4 bytes");
    c.error("lookup: a value of the wrong size", counts.lookup::<u32, u64>(&1), Some(errno::EINVAL), "value is 16 bytes");
    let percpu = c.must("map percpu", obj.map("percpu"));
    c.error("lookup: per-CPU maps are refused", percpu.lookup::<u32, u64>(&0), Some(errno::ENOTSUP), "per-CPU");
    c.error("poller: a hash map is not a buffer", obj.poller("counts"), Some(errno::EINVAL), "not a ring buffer");
    let data = c.must("map .data", obj.map(".data"));
    let value = data.lookup::<u32, u64>(&0);
    c.check("global-data map .data holds the value set before load", value == Ok(Some(DATA_VALUE)), || {
        format!("{:?}", value)
    });
    let io: std::io::Error = obj.map("nope").unwrap_err().into();
    c.check("errors convert to std::io::Error (ENOENT: NotFound)", io.kind() == std::io::ErrorKind::NotFound, || {
        format!("{:?}", io.kind())
    });

    // ---- events
    let slots = c.must("map slots", obj.map("slots"));
    c.must("update slots[0] (the tag the BPF program copies)", slots.update(&0u32, &TAG, MapFlags::ANY));
    c.must("attach on_yield", obj.attach("on_yield"));
    let mut rb = c.must("poller rb", obj.poller("rb"));
    let mut pb = c.must("poller pb", obj.poller("pb"));
    let mut big = c.must("poller big", obj.poller("big"));
    yields(5);

    let mut got = Vec::new();
    let n = rb.poll(Duration::from_millis(500), |d| got.push(d.to_vec()));
    let want: Vec<(u32, u32)> = (1..=5).flat_map(|s| (0..RECORDS_PER_YIELD).map(move |i| (s, i))).collect();
    c.check("ring buffer: every record of a poll, in order", n == Ok(15) && records(&got) == want, || {
        format!("poll {:?}, records {:?}", n, records(&got))
    });
    let r = got.first().and_then(|d| record::from_bytes(d));
    c.check(
        "ring buffer: record contents (tag from the map update, comm)",
        r.map_or(false, |r| { r.tag } == TAG && cstr_lossy(&r.comm) == "wasm-bpf" && got[0].len() == 32),
        || format!("{:?}", got.first()),
    );

    let mut seqs: Vec<u32> = records(&collect(&mut pb, 5)).iter().map(|r| r.0).collect();
    seqs.sort_unstable();
    c.check("perf event array: the 5 records", seqs == [1, 2, 3, 4, 5], || format!("{:?}", seqs));

    big.set_max_record_size(100);
    let bigs = collect(&mut big, 5);
    let cut_ok = bigs.len() == 5
        && bigs.iter().enumerate().all(|(i, d)| {
            let seq = i as u32 + 1;
            d.len() == 100
                && d[..4] == seq.to_le_bytes()
                && d[4..].iter().enumerate().all(|(j, &b)| b == ((seq as usize + j) & 0xff) as u8)
        });
    c.check("poll: records longer than the buffer are cut to it", cut_ok, || {
        format!("{} records, lengths {:?}", bigs.len(), bigs.iter().map(|d| d.len()).collect::<Vec<_>>())
    });
    let _ = big_record::zeroed();

    // ---- bool values: what the kernel wrote, what the guest writes, bytes that are no bool
    let flags = c.must("map flags", obj.map("flags"));
    let v = flags.lookup::<u32, bool>(&0);
    c.check("bool: the kernel's copy of a bool set with set_global reads true", v == Ok(Some(true)), || format!("{:?}", v));
    let v = flags.lookup::<u32, bool>(&1);
    c.check("bool: an untouched value reads false", v == Ok(Some(false)), || format!("{:?}", v));
    c.must("bool: update", flags.update(&1u32, &true, MapFlags::ANY));
    let v = flags.entries::<u32, bool>().collect::<Result<Vec<(u32, bool)>, Error>>();
    c.check("bool: entries after an update", v == Ok(vec![(0, true), (1, true)]), || format!("{:?}", v));
    c.must("bool: the byte 2 written as a u8", flags.update(&1u32, &2u8, MapFlags::ANY));
    c.error("bool: a byte other than 0 or 1 is refused on reads", flags.lookup::<u32, bool>(&1), Some(errno::EINVAL), "not a valid bool");
    c.error("bool: a wrong size is refused before the kernel", flags.lookup::<u32, [bool; 2]>(&0), Some(errno::EINVAL), "value is 1 bytes");

    // ---- typed map operations on what the kernel wrote
    let keys = counts.keys::<u32>().collect::<Result<Vec<u32>, Error>>();
    let mut sorted = keys.clone().unwrap_or_default();
    sorted.sort_unstable();
    c.check("keys: one per yield", sorted == [1, 2, 3, 4, 5], || format!("{:?}", keys));
    let entries = counts.entries::<u32, stats>().collect::<Result<Vec<(u32, stats)>, Error>>();
    c.check(
        "entries: values as the kernel wrote them",
        entries.as_ref().map_or(false, |e| {
            e.len() == 5
                && e.iter().all(|(_, s)| {
                    DATA_VALUE == { s.data_value } && RECORDS_PER_YIELD == { s.records } && tgid == { s.tgid }
                })
        }),
        || format!("{} entries", entries.as_ref().map_or(0, |e| e.len())),
    );
    c.check("lookup: a missing key is None", counts.lookup::<u32, stats>(&99).map(|v| v.is_none()) == Ok(true), || {
        "not None".into()
    });
    let mut s = stats::zeroed();
    s.data_value = 42;
    c.check("update NOEXIST: creates", counts.update(&100u32, &s, MapFlags::NOEXIST).is_ok(), || "failed".into());
    c.error("update NOEXIST: an existing key", counts.update(&100u32, &s, MapFlags::NOEXIST), Some(errno::EEXIST), "");
    c.error("update EXIST: a missing key", counts.update(&101u32, &s, MapFlags::EXIST), Some(errno::ENOENT), "");
    let v = counts.lookup_and_delete::<u32, stats>(&100);
    let gone = counts.lookup::<u32, stats>(&100);
    c.check(
        "lookup_and_delete: the value, then nothing",
        v.as_ref().map_or(false, |v| v.map_or(false, |v| { v.data_value } == 42)) && gone.map_or(false, |g| g.is_none()),
        || format!("{:?}", v.map(|v| v.map(|v| { v.data_value }))),
    );
    c.check("delete: true, then false", counts.delete(&1u32) == Ok(true) && counts.delete(&1u32) == Ok(false), || {
        "wrong".into()
    });
    let n = counts.keys::<u32>().count();
    c.check("keys after delete", n == 4, || format!("{} keys", n));

    // ---- what callbacks can do
    yields(2); // 6 records: (6, 0..3), (7, 0..3)
    let mut seen = Vec::new();
    let n = rb.poll(Duration::from_millis(500), |d| {
        seen.push(d.to_vec());
        if seen.len() == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    let mut rest = Vec::new();
    let n2 = rb.poll(Duration::ZERO, |d| rest.push(d.to_vec()));
    c.check(
        "poll: Break stops the poll; the next poll delivers the rest",
        n == Ok(2) && n2 == Ok(4) && records(&seen) == [(6, 0), (6, 1)] && records(&rest) == [(6, 2), (7, 0), (7, 1), (7, 2)],
        || format!("{:?} {:?} {:?} {:?}", n, records(&seen), n2, records(&rest)),
    );

    yields(1); // seq 8
    let r = rb.poll(Duration::from_millis(500), |_| -> Result<(), Error> { Err(Error::new(errno::ERANGE, "stop here")) });
    c.error("poll: a callback's Err is the poll's", r, Some(errno::ERANGE), "stop here");
    let r = rb.poll(Duration::ZERO, |_| -7);
    c.error("poll: a negative i32 from the callback is an error", r, Some(7), "returned -7");
    let left = rb.poll(Duration::ZERO, |_| ());
    c.check("poll: the records after a stop stay for the next poll", left == Ok(1), || format!("{:?}", left));

    yields(1); // seq 9
    let mut inner = None;
    let n = rb.poll(Duration::MAX, |d| {
        // imports from inside the callback: a map lookup, output
        if let Some(r) = record::from_bytes(d) {
            inner = Some(counts.lookup::<u32, stats>(&{ r.seq }));
        }
    });
    c.check(
        "poll: the callback can call imports (a map lookup)",
        n == Ok(3) && matches!(inner, Some(Ok(Some(_)))),
        || format!("{:?} {:?}", n, inner.map(|r| r.map(|v| v.is_some()))),
    );
    let _ = collect(&mut pb, 4);
    let _ = collect(&mut big, 4);

    let t = Instant::now();
    let n = rb.poll(Duration::ZERO, |_| ());
    c.check("poll: timeout 0 returns at once", n == Ok(0) && t.elapsed() < Duration::from_millis(100), || {
        format!("{:?} after {:?}", n, t.elapsed())
    });
    let t = Instant::now();
    let n = rb.poll(Duration::from_millis(300), |_| ());
    c.check("poll: waits for the timeout when nothing comes", n == Ok(0) && t.elapsed() >= Duration::from_millis(250), || {
        format!("{:?} after {:?}", n, t.elapsed())
    });

    // ---- the raw binding, as code written for the original crate uses it
    let fd = binding::wasm_bpf_map_fd_by_name(obj.handle(), "counts\0".as_ptr() as u32);
    let key = 2u32;
    let mut value = stats::zeroed();
    let ret = binding::wasm_bpf_map_operate(fd, 1, &key as *const u32 as u64, &mut value as *mut stats as u64, 0, 0);
    c.check(
        "binding: map_fd_by_name and map_operate (u64 addresses) read the map",
        fd == counts.fd() && ret == 0 && { value.data_value } == DATA_VALUE,
        || format!("fd {} vs {}, ret {}", fd, counts.fd(), ret),
    );
    let ret = binding::wasm_bpf_map_operate(fd, 1, 0xffff_fff0, &mut value as *mut stats as u64, 0, 0);
    c.check("binding: a key outside memory is -EFAULT", ret == -errno::EFAULT, || format!("{}", ret));

    // ---- two objects at once
    let obj2 = c.must("a second object", Object::load(BPF_OBJECT));
    let counts2 = c.must("its map counts", obj2.map("counts"));
    c.check(
        "a second object: its own handle and maps",
        obj2.handle() != obj.handle() && counts2.fd() != counts.fd() && counts2.keys::<u32>().count() == 0,
        || format!("handles {} {}, fds {} {}", obj.handle(), obj2.handle(), counts.fd(), counts2.fd()),
    );
    drop(counts2);
    drop(obj2); // closed by Drop: the script sees its programs gone too

    // ---- probes and load-time choices (ABI 2)
    c.check("probe: tracepoint programs", probe::prog_type(probe::prog_type::TRACEPOINT) == Ok(true), || {
        format!("{:?}", probe::prog_type(probe::prog_type::TRACEPOINT))
    });
    c.check("probe: hash maps", probe::map_type(probe::map_type::HASH) == Ok(true), || {
        format!("{:?}", probe::map_type(probe::map_type::HASH))
    });
    c.check("probe: the kernel's ring buffers (6.x)", probe::feature(probe::Feature::Ringbuf) == Ok(true), || {
        format!("{:?}", probe::feature(probe::Feature::Ringbuf))
    });
    c.error("probe: an unknown program type is EINVAL", probe::prog_type(9999), Some(errno::EINVAL), "unknown program type 9999");
    c.error("probe: a type beyond i32 is EINVAL", probe::map_type(u32::MAX), Some(errno::EINVAL), "unknown map type");
    c.error("probe: helpers of tracing programs cannot be probed", probe::helper(probe::prog_type::TRACING, 14), Some(errno::ENOTSUP), "cannot be probed");
    let mut open3 = c.must("open for a choice", Object::open(BPF_OBJECT));
    c.error("set_autoload: unknown program", open3.set_autoload("nope", false), Some(errno::ENOENT), "'nope'");
    c.error("set_autocreate: unknown map", open3.set_autocreate("nope", false), Some(errno::ENOENT), "'nope'");
    c.must("set_autoload(never_attached, false)", open3.set_autoload("never_attached", false));
    c.must("set_autoload(on_yield, false)", open3.set_autoload("on_yield", false));
    c.must("set_autocreate(big, false)", open3.set_autocreate("big", false));
    let obj3 = c.must("load without two programs and a map", open3.load());
    c.error("a map not created has no fd", obj3.map("big"), Some(errno::ENOENT), "big");
    c.check("a map created has one", obj3.map("counts").is_ok(), || "no counts".into());
    c.check("a program not loaded cannot be attached", obj3.attach("on_yield").is_err(), || "attached".into());
    drop(obj3);

    // ---- close: everything leaves the kernel
    drop((rb, pb, big, counts, percpu, data, slots));
    c.check("close the first object: Ok", obj.close().is_ok(), || "failed".into());
    println!("closed");
    let _ = std::io::stdout().flush();
    std::thread::sleep(Duration::from_secs(2));
    std::process::exit(if c.failed > 0 { 1 } else { 0 })
}
