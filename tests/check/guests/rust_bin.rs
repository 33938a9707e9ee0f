// SPDX-License-Identifier: MIT
// rust_bin.rs -- `wasmem check` test guest: Rust, a wasm32-wasi command
// (std's System allocator: wasi-libc's malloc/free under __rust_alloc).
// argv[1] picks one case of rust_cases.rs:
//   wasmem check --json F run rust-wasi.wasm -- CASE
// An unknown case prints the list and exits 2.
// Build (tests/check/build.sh, Debian's rustc 1.63):
//   /usr/bin/rustc --edition 2021 --crate-type bin --target wasm32-wasi
//     -O -C strip=debuginfo -o rust-wasi.wasm rust_bin.rs
//
// Note: std's start-up code names the main thread, which allocates (an
// Arc for the thread handle and the CString "main") and keeps both in a
// static (thread-locals are statics on wasm without atomics) until exit:
// every run ends with those still reachable. cases.txt lists them.

mod rust_cases;

const CASES: &[&str] = &[
    "clean",
    "overflow_read",
    "overflow_write",
    "uaf_read",
    "uaf_write",
    "string_uaf",
    "double_free",
    "leak_forget",
    "leak_reachable",
];

fn main() {
    let case = std::env::args().nth(1).unwrap_or_default();
    match case.as_str() {
        "clean" => {
            rust_cases::clean();
        }
        "overflow_read" => {
            rust_cases::overflow_read();
        }
        "overflow_write" => rust_cases::overflow_write(),
        "uaf_read" => {
            rust_cases::uaf_read();
        }
        "uaf_write" => rust_cases::uaf_write(),
        "string_uaf" => {
            rust_cases::string_uaf();
        }
        "double_free" => rust_cases::double_free(),
        "leak_forget" => rust_cases::leak_forget(),
        "leak_reachable" => rust_cases::leak_reachable(),
        _ => {
            eprintln!("usage: rust-wasi.wasm CASE; cases: {}", CASES.join(" "));
            std::process::exit(2);
        }
    }
}
