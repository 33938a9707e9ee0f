// SPDX-License-Identifier: MIT
// v8_exec.js -- V8's half of the differential fuzzer: run a module made by
// `wasm-opt --translate-to-fuzz` under node the way binaryen's fuzz_shell.js
// does, and print the same canonical lines as wm_fuzz_exec.c (its header
// comment describes the format and the imports' semantics).
//
//   node v8_exec.js FILE.wasm          run one module, print its output
//   node v8_exec.js A.wasm B.wasm...   run each, output to A.v8, B.v8...
//   node v8_exec.js --inputs DIR SEED FIRST COUNT
//                                      the generator's inputs: DIR/in-I.bin
//                                      for I in FIRST..FIRST+COUNT-1, from
//                                      seed SEED (see inputs())
//
// Exit status: 0 when the module ran (traps included), 2 when V8 did not
// compile it (`compile error: MESSAGE`).
'use strict';
const fs = require('fs');

// ------------------------------------------------------------ the module
// The JS API gives no types (node 20 has no type reflection), so read the
// function types of the exported and imported functions and the types of the
// exported globals from the binary. Only what translate-to-fuzz emits for wasmem's
// feature set is understood: one-byte value types, MVP constant expressions
// and v128.const.
function readTypes(bytes) {
  const VT = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };
  let pos = 0;
  const byte = () => bytes[pos++];
  const uleb = () => {
    let v = 0n, shift = 0n, b;
    do { b = byte(); v |= BigInt(b & 0x7f) << shift; shift += 7n; } while (b & 0x80);
    return Number(v);
  };
  const valtype = () => { const b = byte(); if (!(b in VT)) throw new Error(`value type 0x${b.toString(16)}`); return VT[b]; };
  const name = () => {
    const n = uleb();
    pos += n;
    return Buffer.from(bytes.subarray(pos - n, pos)).toString('utf8');
  };
  const skipLimits = () => { const flags = uleb(); uleb(); if (flags & 1) uleb(); };
  const skipConstExpr = () => {
    for (;;) {
      const op = byte();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x42) { while (bytes[pos++] & 0x80); } // signed LEB
      else if (op === 0x43) pos += 4;
      else if (op === 0x44) pos += 8;
      else if (op === 0x23 || op === 0xd2) uleb();
      else if (op === 0xd0) byte();
      else if (op === 0xfd && uleb() === 12) pos += 16; // v128.const
      else throw new Error(`constant expression opcode 0x${op.toString(16)}`);
    }
  };
  const sigs = [], funcSigs = [], globalTypes = [], exportTypes = new Map(), importSigs = new Map();
  pos = 8;
  while (pos < bytes.length) {
    const id = byte(), size = uleb(), next = pos + size;
    if (id === 1) { // types
      for (let n = uleb(); n > 0; n--) {
        if (byte() !== 0x60) throw new Error('not a function type');
        const params = Array.from({ length: uleb() }, valtype);
        const results = Array.from({ length: uleb() }, valtype);
        sigs.push({ params, results });
      }
    } else if (id === 2) { // imports
      for (let n = uleb(); n > 0; n--) {
        const key = `${name()} ${name()}`;
        const kind = byte();
        if (kind === 0) { funcSigs.push(sigs[uleb()]); importSigs.set(key, funcSigs[funcSigs.length - 1]); }
        else if (kind === 1) { byte(); skipLimits(); }
        else if (kind === 2) skipLimits();
        else if (kind === 3) { globalTypes.push(valtype()); byte(); }
        else throw new Error(`import kind ${kind}`);
      }
    } else if (id === 3) { // functions
      for (let n = uleb(); n > 0; n--) funcSigs.push(sigs[uleb()]);
    } else if (id === 6) { // globals
      for (let n = uleb(); n > 0; n--) { globalTypes.push(valtype()); byte(); skipConstExpr(); }
    } else if (id === 7) { // exports
      for (let n = uleb(); n > 0; n--) {
        const exp = name(), kind = byte(), index = uleb();
        if (kind === 0) exportTypes.set(exp, funcSigs[index]);
        else if (kind === 3) exportTypes.set(exp, globalTypes[index]);
      }
    }
    pos = next;
  }
  return { exportTypes, importSigs };
}

// ----------------------------------------------------------------- values
const f32 = new Float32Array(1), f32u = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1), f64u = new BigUint64Array(f64.buffer);
const hex = (v, digits) => '0x' + v.toString(16).padStart(digits, '0');

function show(type, v) {
  switch (type) {
    case 'i32': return `i32:${v | 0}`;
    case 'i64': return `i64:${BigInt.asIntN(64, v)}`;
    case 'f32': f32[0] = v; return Number.isNaN(v) ? 'f32:nan' : `f32:${hex(f32u[0], 8)}`;
    case 'f64': f64[0] = v; return Number.isNaN(v) ? 'f64:nan' : `f64:${hex(f64u[0], 16)}`;
    case 'v128': return `v128:0x${hex(BigInt.asUintN(64, v[1]), 16).slice(2)}${hex(BigInt.asUintN(64, v[0]), 16).slice(2)}`;
    default: return `${type}:${v === null ? 'null' : 'ref'}`;
  }
}

function zero(type) {
  if (type === 'i64') return 0n;
  if (type === 'funcref' || type === 'externref') return null;
  return 0;
}

// V8's trap messages -> the classes wm_fuzz_exec.c prints.
const TRAP_CLASSES = [
  [/^unreachable/, 'unreachable'],
  [/memory access out of bounds|data segment out of bounds/, 'memory'],
  [/divide by zero|remainder by zero/, 'div-zero'],
  [/divide result unrepresentable|float unrepresentable in integer range/, 'overflow'],
  [/table index is out of bounds|table access out of bounds|element segment out of bounds/, 'table'],
  [/null function|signature mismatch/, 'indirect-call'],
  [/dereferencing a null pointer/, 'null'],
];

function outcome(e) {
  if (e instanceof WebAssembly.RuntimeError) {
    const hit = TRAP_CLASSES.find(([re]) => re.test(e.message));
    return `trap ${hit ? hit[1] : '? ' + e.message}`;
  }
  if (e instanceof RangeError && /Maximum call stack size exceeded/.test(e.message)) return 'trap stack';
  return 'exception';
}

// JS cannot take a v128, so log-v128 is a wasm function (this module) that
// passes the two i64 lanes of its argument to the JS import h.log:
//   (func (export "log-v128") (param v128)
//     (call $log (i64x2.extract_lane 0 (local.get 0)) (i64x2.extract_lane 1 (local.get 0))))
const LOG_V128 = new WebAssembly.Module(new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x0a, 0x02, 0x60, 0x02, 0x7e, 0x7e, 0x00, 0x60, 0x01, 0x7b, 0x00, // types
  0x02, 0x09, 0x01, 0x01, 0x68, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x00, // import h.log
  0x03, 0x02, 0x01, 0x01, // one function of type 1
  0x07, 0x0c, 0x01, 0x08, 0x6c, 0x6f, 0x67, 0x2d, 0x76, 0x31, 0x32, 0x38, 0x00, 0x01, // export
  0x0a, 0x10, 0x01, 0x0e, 0x00, 0x20, 0x00, 0xfd, 0x1d, 0x00, 0x20, 0x00, 0xfd, 0x1d, 0x01,
  0x10, 0x00, 0x0b, // code
]));

// ------------------------------------------------------------ the harness
// As fuzz_shell.js: the export list holds every export (any kind), in order;
// callFunc passes null for each parameter (an i64 one throws a TypeError);
// the *-catch imports swallow JS exceptions but not traps or a stack overflow.
function callFunc(func) {
  const args = [];
  for (let i = 0; i < func.length; i++) args.push(null);
  return func.apply(null, args);
}

function tryCall(thunk) {
  try {
    thunk();
    return 0;
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    if (String(e).includes('Maximum call stack size exceeded')) throw e;
    return 1;
  }
}

// Run one module; returns its output lines. Each module gets fresh imports
// and export lists, so many can run in one process.
function run(bytes) {
  const out = [];
  let module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (e) {
    return [`compile error: ${e.message}`];
  }
  const { exportTypes: types, importSigs } = readTypes(bytes);
  const exportList = [];
  let exportsObj = {};
  let tempRet0 = 0;
  // A logger prints every argument with its type: with --fuzz-passes,
  // legalize-js-interface may turn log-i64's i64 into two i32s.
  const log = (name) => (...args) => {
    const sig = importSigs.get(`fuzzing-support ${name}`);
    out.push(['log', ...sig.params.map((t, i) => show(t, args[i]))].join(' '));
  };
  const imports = {
    'env': {
      'setTempRet0': (v) => { tempRet0 = v; },
      'getTempRet0': () => tempRet0,
    },
    'fuzzing-support': {
      'log-i32': log('log-i32'),
      'log-i64': log('log-i64'),
      'log-f32': log('log-f32'),
      'log-f64': log('log-f64'),
      'log-v128': new WebAssembly.Instance(LOG_V128, {
        h: { log: (lo, hi) => { out.push(`log ${show('v128', [lo, hi])}`); } },
      }).exports['log-v128'],
      'call-export': (index, flags) => { callFunc(exportList[index].value); },
      'call-export-catch': (index) => tryCall(() => callFunc(exportList[index].value)),
      'call-ref': (ref, flags) => { callFunc(ref); },
      'call-ref-catch': (ref) => tryCall(() => callFunc(ref)),
      'table-get': (index) => exportsObj.table.get(index >>> 0),
      'table-set': (index, value) => { exportsObj.table.set(index >>> 0, value); },
      'sleep': (ms, id) => id,
    },
  };
  // Imported globals get an object, as fuzz_shell.js gives them. An import
  // the harness does not know is a link error (as for wasmem).
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind === 'global') {
      imports[imp.module] = imports[imp.module] || {};
      imports[imp.module][imp.name] = { payload: imp.name };
    } else if (!imports[imp.module] || !Object.hasOwn(imports[imp.module], imp.name)) {
      return ['instantiate link error'];
    }
  }
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    out.push(`instantiate ${e instanceof WebAssembly.LinkError ? 'link error' : outcome(e)}`);
    return out;
  }
  exportsObj = instance.exports;
  const exps = WebAssembly.Module.exports(module);
  for (const { name } of exps) exportList.push({ name, value: instance.exports[name] });
  for (const { name, kind } of exps) {
    const value = instance.exports[name];
    if (kind === 'function') {
      out.push(`export ${name}`);
      const sig = types.get(name);
      let r;
      try {
        r = value(...sig.params.map(zero));
      } catch (e) {
        out.push(outcome(e));
        continue;
      }
      const vals = sig.results.length === 1 ? [r] : sig.results.length === 0 ? [] : r;
      out.push(['ok', ...sig.results.map((t, i) => show(t, vals[i]))].join(' '));
    } else if (kind === 'global') {
      let v;
      try {
        v = show(types.get(name), value.value);
      } catch (e) {
        v = 'exception'; // a v128 global: .value throws a TypeError
      }
      out.push(`global ${name} ${v}`);
    }
  }
  return out;
}

// The generator's inputs: input I of seed SEED is splitmix64 output from the
// state SEED * 2^32 + I, 1 KiB to 16 KiB long, so that a seed and an index
// name the same bytes on every machine. (Binaryen scales its hang limit down
// for inputs under 40 KiB and never up, so loops stay short.)
function splitmix(state) {
  let s = BigInt.asUintN(64, state);
  return () => {
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
}

function inputs(dir, seed, first, count) {
  for (let i = first; i < first + count; i++) {
    const next = splitmix((BigInt(seed) << 32n) + BigInt(i));
    const n = 1024 + Number(next() % 15361n);
    const out = Buffer.alloc(n);
    for (let k = 0; k < n; k += 8) {
      const z = next();
      for (let j = 0; j < 8 && k + j < n; j++) out[k + j] = Number((z >> BigInt(8 * j)) & 0xffn);
    }
    fs.writeFileSync(`${dir}/in-${i}.bin`, out);
  }
}

function main(argv) {
  if (argv[0] === '--inputs' && argv.length === 5) {
    inputs(argv[1], argv[2], Number(argv[3]), Number(argv[4]));
    return 0;
  }
  if (argv.length === 0 || argv[0].startsWith('-')) {
    console.error('usage: node v8_exec.js FILE.wasm... | --inputs DIR SEED FIRST COUNT');
    return 1;
  }
  if (argv.length === 1) {
    const lines = run(fs.readFileSync(argv[0]));
    for (const l of lines) console.log(l);
    return lines[0] && lines[0].startsWith('compile error') ? 2 : 0;
  }
  // Several modules: one node start for all (the fuzzer's CI run is mostly
  // node starting); X.wasm's output goes to X.v8.
  for (const file of argv) {
    const lines = run(fs.readFileSync(file));
    fs.writeFileSync(file.replace(/\.wasm$/, '') + '.v8', lines.map((l) => l + '\n').join(''));
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
