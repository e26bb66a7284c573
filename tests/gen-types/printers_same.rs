// printers_same.rs: the Rust side of the Rust/C printer comparison of
// tests/gen-types/run (see printers_same.c): records of the type's size from
// stdin, each printed with the generated write_json, write_columns_header
// and write_columns into one String (any core::fmt::Write).
#[path = "types.rs"]
#[allow(dead_code)]
mod types;
use std::io::Read;

type T = types::TYPE;

fn main() {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).unwrap();
    let n = std::mem::size_of::<T>();
    let mut out = String::new();
    for chunk in bytes.chunks_exact(n) {
        // Safety: the generated types are plain integers and byte arrays.
        let e: T = unsafe { std::ptr::read_unaligned(chunk.as_ptr() as *const T) };
        e.write_json(&mut out).unwrap();
        T::write_columns_header(&mut out).unwrap();
        e.write_columns(&mut out).unwrap();
    }
    print!("{}", out);
}
