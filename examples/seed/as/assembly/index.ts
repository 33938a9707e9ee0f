// SPDX-License-Identifier: MIT
// index.ts -- the seed article's guest in AssemblyScript: alloc/dealloc,
// array_sum and upper, a drop-in for the C and Rust builds. Built by
// ../build.sh with --exportRuntime, so __new/__pin/__unpin/__collect are
// exported too.

// The article's alloc returned one static 8-byte slot (memory.data(8)) for
// every call, so two live inputs overwrote each other. Here a block is a
// pinned ArrayBuffer: alloc and the runtime's own convention (__new with
// ArrayBuffer's id + __pin, freed by __unpin) hand out the same kind of
// block, so a host may use either pair on any block, results included.

// A fresh, pinned block of len bytes; the collector will not move or free
// it until dealloc unpins it.
export function alloc(len: i32): usize {
  const ptr = __new(<usize>len, idof<ArrayBuffer>());
  __pin(ptr);
  return ptr;
}

// Give the block back; the collector reclaims it.
export function dealloc(ptr: usize, len: i32): void {
  if (ptr != 0) __unpin(ptr);
}

// The sum of len bytes at ptr, wrapping at 256 (the article's u8 sum). The
// input is borrowed: the host still owns it and frees it after the call.
export function array_sum(ptr: usize, len: i32): u8 {
  let result: u8 = 0;
  for (let i = 0; i < len; i++) {
    result += load<u8>(ptr + <usize>i);
  }
  return result;
}

// ASCII upper case of len bytes at ptr into a fresh block of the same
// length that the host owns and frees with dealloc; other bytes (UTF-8
// multi-byte sequences included) are copied unchanged.
export function upper(ptr: usize, len: i32): usize {
  const out = alloc(len);
  for (let i = 0; i < len; i++) {
    let c = load<u8>(ptr + <usize>i);
    if (c >= 0x61 && c <= 0x7a) c -= 32;
    store<u8>(out + <usize>i, c);
  }
  return out;
}

// Replaces the env.abort import (built with --use abort=assembly/index/abort):
// an assertion failure traps instead of calling out to the host.
export function abort(message: string | null, fileName: string | null,
                      line: u32, column: u32): void {
  unreachable();
}

// AssemblyScript's own string convention, for hosts that speak it: the
// argument and the result are managed String objects (UTF-16), passed as
// one pointer each (`wasmem call --as-string TEXT --result string:as-string`).
export function greet(name: string): string {
  return "Hello, " + name.toUpperCase() + "!";
}
