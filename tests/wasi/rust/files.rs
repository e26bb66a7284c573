// files.rs: a Rust std guest (built with Debian's rustc for wasm32-wasi).
// Reads the file named by argv[1] (inside a preopen) and prints it, then
// its arguments and its environment, sorted.
use std::env;
use std::fs;
use std::process;

fn main() {
    let args: Vec<String> = env::args().collect();
    if args.len() < 2 {
        eprintln!("usage: {} FILE [args...]", args[0]);
        process::exit(2);
    }
    match fs::read_to_string(&args[1]) {
        Ok(text) => print!("{}: {}", args[1], text),
        Err(e) => {
            println!("{}: error: {}", args[1], e);
            process::exit(1);
        }
    }
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("arg {}: {}", i, a);
    }
    let mut vars: Vec<(String, String)> = env::vars().collect();
    vars.sort();
    for (k, v) in vars {
        println!("env {}={}", k, v);
    }
    let meta = fs::metadata(&args[1]).expect("metadata");
    println!("size {} bytes, is file: {}", meta.len(), meta.is_file());
    let dir = std::path::Path::new(&args[1]).parent().unwrap();
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("directory: {}", names.join(" "));
    let out = dir.join("written-by-rust.txt");
    fs::write(&out, "from rust\n").expect("write");
    println!("wrote and read back: {}", fs::read_to_string(&out).unwrap().trim());
    fs::remove_file(&out).expect("remove");
    process::exit(3);
}
