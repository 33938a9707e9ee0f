// SPDX-License-Identifier: MIT
// rust_lib.rs -- `wasmem check` test guest: Rust, a wasm32-unknown-unknown
// cdylib (std's dlmalloc port behind __rust_alloc and friends). Each export
// is one case of rust_cases.rs:
//   wasmem check --json F call rust.wasm CASE
// Build (tests/check/build.sh, Debian's rustc 1.63):
//   /usr/bin/rustc --edition 2021 --crate-type cdylib --target wasm32-unknown-unknown
//     -O -C strip=debuginfo -o rust.wasm rust_lib.rs

mod rust_cases;

#[no_mangle]
pub extern "C" fn clean() -> u32 {
    rust_cases::clean()
}
#[no_mangle]
pub extern "C" fn overflow_read() -> u32 {
    rust_cases::overflow_read()
}
#[no_mangle]
pub extern "C" fn overflow_write() {
    rust_cases::overflow_write()
}
#[no_mangle]
pub extern "C" fn uaf_read() -> u32 {
    rust_cases::uaf_read()
}
#[no_mangle]
pub extern "C" fn uaf_write() {
    rust_cases::uaf_write()
}
#[no_mangle]
pub extern "C" fn string_uaf() -> u32 {
    rust_cases::string_uaf()
}
#[no_mangle]
pub extern "C" fn double_free() {
    rust_cases::double_free()
}
#[no_mangle]
pub extern "C" fn leak_forget() {
    rust_cases::leak_forget()
}
#[no_mangle]
pub extern "C" fn leak_reachable() {
    rust_cases::leak_reachable()
}
