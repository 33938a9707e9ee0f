// SPDX-License-Identifier: MIT
// as_cases.ts -- the `wasmem check` test cases in AssemblyScript, one
// export per case (tests/check/cases.txt says what each must report).
// Built by ../build.sh with --debug and without -O, so the runtime's
// functions keep their names, once per collector (incremental, minimal).
// heap.alloc / heap.realloc / heap.free are the TLSF allocator's own
// __alloc / __realloc / __free; objects come from the collector's __new.

let keptPtr: usize = 0;
let keptObj: ArrayBuffer | null = null;

// Strings, arrays and maps made and dropped, an array grown (the
// collector's __renew), raw blocks used within bounds: nothing to report.
export function clean(): i32 {
  let s = "";
  for (let i = 0; i < 200; i++) s += i.toString();
  const words = new Array<string>();
  for (let i = 0; i < 100; i++) words.push(s.substring(i, i + 5).toUpperCase());
  const seen = new Map<string, i32>();
  for (let i = 0; i < words.length; i++) seen.set(words[i], i);
  const nums = new Array<i32>();
  for (let i = 0; i < 1000; i++) nums.push(i);
  let sum = 0;
  for (let i = 0; i < nums.length; i++) sum += nums[i];
  let p = heap.alloc(64);
  store<u8>(p + 63, 1);
  p = heap.realloc(p, 4000);
  store<u8>(p + 3999, 2);
  heap.free(p);
  return seen.size + s.length + sum;
}

// A full collection with a live string in a local. The incremental
// collector finds it through the shadow stack; the minimal one must only
// run between calls (its documented rule), so here it frees the string
// and the read after it is a use after free.
export function collect_with_live_local(): i32 {
  const s = "abc".repeat(10);
  __collect();
  return s.charCodeAt(4);
}

export function overflow_write(): void {
  const p = heap.alloc(24);
  store<u8>(p + 24, 1);
  heap.free(p);
}

export function overflow_read(): u8 {
  const p = heap.alloc(24);
  const v = load<u8>(p + 24);
  heap.free(p);
  return v;
}

export function use_after_free(): u8 {
  const p = heap.alloc(16);
  heap.free(p);
  return load<u8>(p + 4);
}

export function use_after_realloc(): u8 {
  const p = heap.alloc(16);
  const q = heap.realloc(p, 100000); // too big to grow in place: moves
  const v = load<u8>(p);
  heap.free(q);
  return v;
}

export function double_free(): void {
  const p = heap.alloc(32);
  heap.free(p);
  heap.free(p);
}

export function invalid_free(): void {
  const p = heap.alloc(32);
  heap.free(p + 8);
  heap.free(p);
}

// A raw block nobody points to: definitely lost (the collector does not
// own raw blocks, so it never frees them).
export function leak(): void {
  heap.alloc(100);
}

// A raw block a global still points to: still reachable.
export function leak_reachable(): void {
  keptPtr = heap.alloc(40);
}

// One byte past an ArrayBuffer of 24 bytes: the object, not its TLSF block.
export function object_overflow(): void {
  const b = new ArrayBuffer(24);
  store<u8>(changetype<usize>(b) + 24, 1);
}

function garbage(): usize {
  return changetype<usize>(new ArrayBuffer(32));
}

// An object the collector freed, read through a stale address.
export function object_use_after_collect(): u8 {
  const p = garbage();
  __collect();
  return load<u8>(p + 8);
}

// Garbage is not a leak: the collector frees it before the leak check.
export function garbage_only(): void {
  for (let i = 0; i < 1000; i++) new ArrayBuffer(64);
}

// An object a global still holds: still reachable, not lost.
export function object_kept(): void {
  keptObj = new ArrayBuffer(48);
}

// Replaces the env.abort import (--use abort=...): an assertion traps.
export function abort(message: string | null, fileName: string | null,
                      line: u32, column: u32): void {
  unreachable();
}

// A kept object whose class id is overwritten (its header is the
// runtime's, so the write itself is allowed): the collection before the
// leak check traps on it, which the report says.
export function corrupt_header(): void {
  const b = new ArrayBuffer(8);
  keptObj = b;
  store<u32>(changetype<usize>(b) - 8, 0xfffff);
}

// A realloc of an object's TLSF block that fails (too large: TLSF aborts,
// a trap): the block stays the object it was, still held by a global.
export function realloc_object_fails(): void {
  const b = new ArrayBuffer(8);
  keptObj = b;
  heap.realloc(changetype<usize>(b) - 16, 0x7ffffff0);
}
