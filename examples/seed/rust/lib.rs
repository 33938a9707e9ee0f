// SPDX-License-Identifier: MIT
// lib.rs -- the seed article's guest in Rust, as the article wrote it: alloc,
// dealloc, array_sum and upper. Built by ../build.sh with Debian's
// /usr/bin/rustc as a cdylib for wasm32-unknown-unknown and wasm32-wasi.
//
// Ownership, as in the article: array_sum and upper take ownership of their
// input (Vec::from_raw_parts) and free it when they return, so the host
// must NOT dealloc the input afterwards -- doing so is the article's double
// free (`wasmem call --transfer` says the callee owns the input). upper's
// result is handed to the host, which frees it with dealloc(ptr, len).

/// Allocate len bytes in linear memory and return the offset of the block.
#[no_mangle]
pub fn alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::with_capacity(len);
    let ptr = buf.as_mut_ptr();
    // keep the block alive past the end of this function
    std::mem::forget(buf);
    ptr
}

/// Free a block that alloc returned (or that upper returned).
#[no_mangle]
pub unsafe fn dealloc(ptr: *mut u8, size: usize) {
    let data = Vec::from_raw_parts(ptr, size, size);
    std::mem::drop(data);
}

/// The sum of the len bytes at ptr (wrapping, like the article's u8 sum).
/// Takes ownership of the block: it is freed when `data` goes out of scope.
#[no_mangle]
pub unsafe fn array_sum(ptr: *mut u8, len: usize) -> u8 {
    let data = Vec::from_raw_parts(ptr, len, len);
    data.iter().fold(0u8, |a, &b| a.wrapping_add(b))
}

/// ASCII upper case of the UTF-8 string at (ptr, len), returned in a fresh
/// block of the same length that the host owns. Takes ownership of the input.
#[no_mangle]
pub unsafe fn upper(ptr: *mut u8, len: usize) -> *mut u8 {
    let data = Vec::from_raw_parts(ptr, len, len);
    let input_str = String::from_utf8(data).unwrap();
    let mut upper = input_str.to_ascii_uppercase().as_bytes().to_owned();
    let ptr = upper.as_mut_ptr();
    std::mem::forget(upper);
    ptr
}
