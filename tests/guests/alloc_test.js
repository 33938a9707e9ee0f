// SPDX-License-Identifier: MIT
// alloc_test.js -- checks a guest's exported alloc/dealloc under node: random
// alloc/free sequences never hand out overlapping live blocks, keep their
// contents and bound memory growth; with --strict (the free-list allocator
// of include/wasmem_guest.h) blocks are also 8-aligned, a freed block is
// reused at once, and a double free or a free of a pointer alloc never
// returned traps instead of corrupting the heap.
// Usage: node alloc_test.js GUEST.wasm [--strict]  (exit 77: GUEST not built)
'use strict';
const fs = require('fs');
const assert = require('assert');

const [file, flag] = process.argv.slice(2);
const strict = flag === '--strict';
if (!fs.existsSync(file)) { // its toolchain is missing: see examples/seed/build.sh
  console.log(`SKIP: ${file} was not built`);
  process.exit(process.env.CI === 'true' ? 1 : 77);
}
function instantiate() {
  const mod = new WebAssembly.Module(fs.readFileSync(file));
  const imports = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    imports[imp.module] = imports[imp.module] || {};
    imports[imp.module][imp.name] = () => { throw new Error(`import ${imp.name} called`); };
  }
  const ex = new WebAssembly.Instance(mod, imports).exports;
  if (ex._initialize) ex._initialize();
  return ex;
}

let checks = 0;
const ex = instantiate();
let seed = 12345;
const rand = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
const live = new Map(); // ptr -> {len, fill}
let maxEnd = 0;
for (let step = 0; step < 4000; step++) {
  if (live.size && (rand(3) === 0 || live.size > 60)) {
    const keys = [...live.keys()];
    const p = keys[rand(keys.length)];
    const b = live.get(p);
    const m = new Uint8Array(ex.memory.buffer, p, b.len);
    assert(m.every((v) => v === b.fill), `block ${p} (len ${b.len}) was overwritten`);
    ex.dealloc(p, b.len);
    live.delete(p);
  } else {
    const len = rand(5) === 0 ? rand(70000) : rand(300);
    const p = ex.alloc(len) >>> 0;
    assert(p !== 0, `alloc(${len}) returned 0`);
    // Rust's Vec<u8> is 1-aligned and gives alloc(0) a dangling pointer.
    if (strict) assert(p % 8 === 0, `alloc(${len}) = ${p} is not 8-aligned`);
    for (const [q, b] of live)
      assert(len === 0 || b.len === 0 || p + len <= q || q + b.len <= p,
             `alloc(${len}) = ${p} overlaps ${q}+${b.len}`);
    const fill = rand(256);
    new Uint8Array(ex.memory.buffer, p, len).fill(fill);
    live.set(p, { len, fill });
    maxEnd = Math.max(maxEnd, p + len);
  }
  checks++;
}
// Freed memory is reused: the live set stays small, so memory must too.
assert(ex.memory.buffer.byteLength <= 64 << 20, `memory grew to ${ex.memory.buffer.byteLength} bytes`);
for (const [p, b] of live) ex.dealloc(p, b.len);

if (strict) {
  // Freed everything: the same size again comes back from the free list
  // (AssemblyScript's collector frees later, at its own pace).
  const a = ex.alloc(100) >>> 0; ex.dealloc(a, 100);
  assert.strictEqual(ex.alloc(100) >>> 0, a, 'a freed block was not reused');
  const e2 = instantiate();
  const p = e2.alloc(16) >>> 0;
  e2.dealloc(p, 16);
  assert.throws(() => e2.dealloc(p, 16), WebAssembly.RuntimeError, 'double free did not trap');
  const e3 = instantiate();
  const q = e3.alloc(16) >>> 0;
  assert.throws(() => e3.dealloc(q + 8, 8), WebAssembly.RuntimeError, 'free of an inner pointer did not trap');
  assert.throws(() => e3.dealloc(4, 8), WebAssembly.RuntimeError, 'free of a wild pointer did not trap');
  e3.dealloc(0, 0); // a no-op
  checks += 5;
}
console.log(`${checks} passed, 0 failed`);
