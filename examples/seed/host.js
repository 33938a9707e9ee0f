// SPDX-License-Identifier: MIT
// host.js -- the seed article's JavaScript host, generalised to take the same
// arguments as `wasmem call` for the exchange it does (alloc, copy, call,
// read back, dealloc), so tests/guests can compare the two outputs.
// Usage: node host.js GUEST.wasm FUNC (--bytes 1,2,3 | --string TEXT |
//          --file PATH)... [--result KIND:CONV] [--transfer]
// KIND is string or bytes; CONV same-len, i64, out-ptr (an 8-byte {ptr, len}
// block passed as the last argument), pair or cstr, as for `wasmem call`.
// Prints the integer result, or with --result the string (UTF-8) or bytes
// (comma-separated decimal) read back. A trap prints "trap: ..." to stderr
// and exits 1. A guest with alloc but no dealloc (the article's own
// AssemblyScript module) works too: nothing is freed, as in the article's
// host, and stderr says how much, as `wasmem call` does. Modules importing
// wasi_snapshot_preview1 get a small shim of
// the calls a Rust wasm32-wasi cdylib imports (no node:wasi: see
// shared/TOOLCHAINS.md).
'use strict';
const fs = require('fs');

function usage(msg) {
  process.stderr.write(`host.js: ${msg}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
if (argv.length < 2) usage('usage: node host.js GUEST.wasm FUNC [args]');
const [file, func] = argv;
const inputs = []; // Uint8Array each
let result = null; // {kind, conv}
let transfer = false;
for (let i = 2; i < argv.length; i++) {
  const a = argv[i];
  const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
  if (a === '--bytes') {
    const v = val();
    inputs.push(Uint8Array.from(v === '' ? [] : v.split(',').map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0 || n > 255) usage(`bad byte '${s}'`);
      return n;
    })));
  } else if (a === '--string') inputs.push(new TextEncoder().encode(val()));
  else if (a === '--file') inputs.push(new Uint8Array(fs.readFileSync(val())));
  else if (a === '--result') {
    const [kind, conv] = val().split(':');
    if (!['string', 'bytes'].includes(kind) ||
        !['same-len', 'i64', 'out-ptr', 'pair', 'cstr'].includes(conv))
      usage(`bad --result '${argv[i]}'`);
    result = { kind, conv };
  } else if (a === '--transfer') transfer = true;
  else usage(`unknown argument '${a}'`);
}

// The calls a Rust wasm32-wasi cdylib imports; they are only reached on a
// panic (to print it) or at exit.
function wasiShim(getMemory) {
  return {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      const dv = new DataView(getMemory().buffer);
      let n = 0;
      for (let k = 0; k < iovsLen; k++) {
        const p = dv.getUint32(iovs + 8 * k, true), l = dv.getUint32(iovs + 8 * k + 4, true);
        process.stderr.write(new Uint8Array(getMemory().buffer, p, l));
        n += l;
      }
      dv.setUint32(nwrittenPtr, n, true);
      return 0;
    },
    environ_sizes_get(countPtr, sizePtr) {
      const dv = new DataView(getMemory().buffer);
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return 0;
    },
    environ_get() { return 0; },
    proc_exit(code) { throw new Error(`proc_exit(${code})`); },
  };
}

const mod = new WebAssembly.Module(fs.readFileSync(file));
let instance;
const imports = {};
for (const imp of WebAssembly.Module.imports(mod)) {
  if (imp.module !== 'wasi_snapshot_preview1')
    usage(`unsupported import ${imp.module}.${imp.name}`);
  imports[imp.module] = wasiShim(() => instance.exports.memory);
  if (!(imp.name in imports[imp.module]))
    usage(`unsupported import ${imp.module}.${imp.name}`);
}
instance = new WebAssembly.Instance(mod, imports);
const ex = instance.exports;
if (typeof ex._initialize === 'function') ex._initialize();
for (const name of ['memory', 'alloc', func])
  if (!(name in ex)) usage(`the module exports no '${name}'`);

// Give a block back with the guest's dealloc; without one, count it.
let lost = 0, lostBytes = 0;
function dealloc(ptr, len) {
  if (typeof ex.dealloc === 'function') return ex.dealloc(ptr, len);
  lost++;
  lostBytes += len;
}

// The article's copyMemory: alloc, then copy through a view of the memory.
function copyMemory(data) {
  const ptr = ex.alloc(data.length) >>> 0;
  if (ptr === 0) throw new Error('alloc returned 0');
  new Uint8Array(ex.memory.buffer, ptr, data.length).set(data);
  return ptr;
}

try {
  const args = [];
  for (const data of inputs) args.push(copyMemory(data), data.length);
  // out-ptr: 8 bytes for the guest's {ptr, len}, passed last.
  const outp = result && result.conv === 'out-ptr' ? ex.alloc(8) >>> 0 : 0;
  if (outp) args.push(outp);
  const ret = ex[func](...args);
  // The host frees its inputs unless the callee took ownership of them
  // (--transfer): freeing them then would be the article's double free.
  if (!transfer)
    for (let k = 0; k < inputs.length; k++) dealloc(args[2 * k], inputs[k].length);
  if (result) {
    let ptr, len, size;
    switch (result.conv) {
      case 'same-len': ptr = ret >>> 0; len = inputs.length ? inputs[0].length : 0; break;
      case 'i64': ptr = Number(BigInt.asUintN(32, ret)); len = Number(BigInt.asUintN(64, ret) >> 32n); break;
      case 'pair': ptr = ret[0] >>> 0; len = ret[1] >>> 0; break;
      case 'out-ptr': {
        const dv = new DataView(ex.memory.buffer);
        ptr = dv.getUint32(outp, true); len = dv.getUint32(outp + 4, true);
        dealloc(outp, 8);
        break;
      }
      case 'cstr': {
        const m = new Uint8Array(ex.memory.buffer);
        ptr = ret >>> 0; len = m.indexOf(0, ptr) - ptr;
        if (len < 0) throw new Error('no NUL after the result');
        size = len + 1;
        break;
      }
    }
    if (size === undefined) size = len;
    // slice() copies out of the memory before dealloc may reuse it
    const bytes = new Uint8Array(ex.memory.buffer, ptr, len).slice();
    dealloc(ptr, size); // the result is the host's to free
    if (result.kind === 'string')
      console.log(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    else console.log(Array.from(bytes).join(','));
  } else if (ret !== undefined) {
    console.log(String(ret));
  }
} catch (e) {
  process.stderr.write(`trap: ${e.message}\n`);
  process.exit(1);
}
if (lost)
  process.stderr.write(`host.js: warning: ${lost} guest block${lost === 1 ? '' : 's'} ` +
                       `(${lostBytes} bytes) could not be freed: the guest exports alloc but no dealloc\n`);
