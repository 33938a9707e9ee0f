// SPDX-License-Identifier: MIT
// rust_cases.rs -- the `wasmem check` test cases in Rust, shared by
// rust_lib.rs (a wasm32-unknown-unknown cdylib: std's dlmalloc port behind
// __rust_alloc/__rust_dealloc/__rust_realloc) and rust_bin.rs (a
// wasm32-wasi command: std's System allocator, wasi-libc's malloc).
// Each function exercises one behaviour; the expected reports are in
// tests/check/cases.txt.
//
// Bad accesses use read_volatile/write_volatile and store what they read
// in a static, so that the optimiser keeps them; pointers go through
// opaque() (a volatile static, cleared after use) so that LLVM cannot
// delete an allocation whose only uses are frees, nor fold a double free.
// opaque() never leaves a copy behind, so it keeps nothing reachable.

use std::collections::BTreeMap;
use std::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};

static mut SINK: u32 = 0;
static mut LAUNDER: usize = 0;
// The static keeping a block reachable (leak_reachable).
static mut KEEP: usize = 0;

fn sink(v: u32) {
    unsafe { write_volatile(addr_of_mut!(SINK), v) }
}

fn opaque<T>(p: *mut T) -> *mut T {
    unsafe {
        write_volatile(addr_of_mut!(LAUNDER), p as usize);
        let r = read_volatile(addr_of!(LAUNDER));
        write_volatile(addr_of_mut!(LAUNDER), 0);
        r as *mut T
    }
}

/// Vec, String, Box, BTreeMap, sorting, formatting, growth by push,
/// everything dropped: no error, no leak. Returns a checksum.
#[inline(never)]
pub fn clean() -> u32 {
    let mut words: Vec<String> = Vec::new();
    for i in 0..300u32 {
        let k = (i * 7919) % 300;
        words.push(format!("item-{:05}-{}", k, &"abcdefghijklmnopqrstuvwxyz"[..1 + (k % 23) as usize]));
    }
    words.sort();
    let joined = words.join(",");
    let mut map: BTreeMap<String, usize> = BTreeMap::new();
    for w in &words {
        *map.entry(w[..8].to_string()).or_insert(0) += w.len();
    }
    let boxed: Box<[u64]> = (0..100u64).collect::<Vec<_>>().into_boxed_slice();
    let mut grow: Vec<u8> = Vec::new();
    for i in 0..5000u32 {
        grow.push(i as u8);
    }
    grow.truncate(10);
    grow.shrink_to_fit();
    let mut s = String::new();
    for (k, v) in &map {
        s.push_str(k);
        s.push_str(&v.to_string());
    }
    let sum = joined.len() as u32
        + s.len() as u32
        + boxed.iter().sum::<u64>() as u32
        + grow.iter().map(|&b| b as u32).sum::<u32>();
    sink(sum);
    sum
}

/// One byte past a 24-byte Vec<u8> buffer: invalid-read at +24.
#[inline(never)]
pub fn overflow_read() -> u32 {
    let mut v: Vec<u8> = Vec::with_capacity(24);
    v.extend(1..=24u8);
    let p = opaque(v.as_mut_ptr());
    let x = unsafe { read_volatile(p.add(24)) } as u32;
    sink(x);
    drop(v);
    x
}

/// One element past a Vec<u32> of capacity 6 (24 bytes): invalid-write at
/// +24.
#[inline(never)]
pub fn overflow_write() {
    let mut v: Vec<u32> = Vec::with_capacity(6);
    v.extend(1..=6u32);
    let p = opaque(v.as_mut_ptr());
    unsafe { write_volatile(p.add(6), 0x5a5a) };
    drop(v);
}

/// A Box<[u32; 8]> (32 bytes) dropped, then read through a raw pointer
/// kept from before: use-after-free-read at +8.
#[inline(never)]
pub fn uaf_read() -> u32 {
    let b = Box::new([7u32; 8]);
    let p = opaque(Box::into_raw(b) as *mut u32);
    drop(unsafe { Box::from_raw(p as *mut [u32; 8]) });
    let x = unsafe { read_volatile(p.add(2)) };
    sink(x);
    x
}

/// A Vec<u8> of capacity 64 dropped, then written through a raw pointer:
/// use-after-free-write at +10.
#[inline(never)]
pub fn uaf_write() {
    let mut v: Vec<u8> = Vec::with_capacity(64);
    v.extend(0..64u8);
    let p = opaque(v.as_mut_ptr());
    drop(v);
    unsafe { write_volatile(p.add(10), 1) };
}

/// A 14-byte String dropped, then its last byte read: use-after-free-read
/// at +13.
#[inline(never)]
pub fn string_uaf() -> u32 {
    let s = String::from("hello, wasmem!");
    let p = opaque(s.as_ptr() as *mut u8);
    drop(s);
    let x = unsafe { read_volatile(p.add(13)) } as u32;
    sink(x);
    x
}

/// Box::from_raw twice on one Box<[u64; 4]> (32 bytes): double-free.
#[inline(never)]
pub fn double_free() {
    let raw = opaque(Box::into_raw(Box::new([1u64; 4])));
    unsafe {
        drop(Box::from_raw(raw));
        drop(Box::from_raw(opaque(raw)));
    }
}

/// A 100-byte Vec<u8> given to mem::forget: leak-definite, 100 bytes.
/// (100 = 8 * 12 + 4: the allocator's chunk for it ends before the block
/// does, so dlmalloc's own `top` pointer points inside it. The program
/// holds no pointer to it: still a definite leak.)
#[inline(never)]
pub fn leak_forget() {
    let v = vec![7u8; 100];
    let p = opaque(v.as_ptr() as *mut u8);
    sink(unsafe { read_volatile(p.add(50)) } as u32);
    std::mem::forget(v);
}

/// A Box<[u8; 48]> kept in a static by its start address: leak-reachable.
#[inline(never)]
pub fn leak_reachable() {
    let p = Box::into_raw(Box::new([3u8; 48]));
    unsafe { write_volatile(addr_of_mut!(KEEP), opaque(p) as usize) };
}
