// args.rs: the Rust guest of tests/gen-skeleton/run's generated flags: the
// table of `wasm-bpf gen skeleton --lang rust args.bpf.o` over the SDK's
// args module, parsed into the open object, whose .rodata values it prints
// as args.c prints the C skeleton's (same checks for both).  No load.
mod skel {
    include!(env!("ARGS_SKEL_RS"));
}
use wasm_bpf_binding::Object;

static OBJ: &[u8] = include_bytes!(env!("ARGS_BPF_O"));

fn main() {
    let mut obj = Object::open(OBJ).unwrap();
    if let Err(code) = skel::parse_args(&mut obj, "args", std::env::args().collect()) {
        std::process::exit(code);
    }
    let g = |name: &str| -> u64 {
        let b = obj.global_bytes(name).unwrap();
        let mut v = [0u8; 8];
        v[..b.len().min(8)].copy_from_slice(&b[..b.len().min(8)]);
        u64::from_le_bytes(v)
    };
    let comm: Vec<u8> = obj.global_bytes("comm_filter").unwrap().iter().copied().take_while(|&c| c != 0).collect();
    println!(
        "small_count={} delta={} max_entries_seen={} min_duration_ns={} big={} verbose_mode={} enabled={} mode={} comm_filter={}",
        g("small_count") as u8,
        g("delta") as u16 as i16,
        g("max_entries_seen") as u32,
        g("min_duration_ns") as i64,
        g("big"),
        g("verbose_mode"),
        g("enabled"),
        g("mode") as u32 as i32,
        String::from_utf8_lossy(&comm)
    );
}
