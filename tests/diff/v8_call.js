// SPDX-License-Identifier: MIT
// v8_call.js -- the oracle of the differential test: runs exports of wasm
// modules under V8 (node) and prints their results the way `wasmem call`
// is checked, then compares wasmem's recorded outputs with them.
//
//   node v8_call.js FILE.wasm FUNC [ARGS...]    one call, printed like wasmem
//   node v8_call.js --expect CASES DIR          one line per case of CASES
//   node v8_call.js --compare CASES EXPECTED ACTUAL
//
// A result line is `ok TYPE:VALUE ...`, `trap MESSAGE` or `fail REASON` (V8
// rejected the module, the export or the arguments). VALUE is printed as
// `wasmem call` prints it (signed decimal; %.9g / %.17g for f32 / f64; `nan`
// for any NaN), but the comparison is by value: integers modulo their width,
// floats bit for bit, any NaN equal to any NaN. MESSAGE is the spec's trap
// text; V8's trap messages are mapped to it.
//
// v128 parameters and results are written as `wasmem call` takes and prints
// them (SHAPE:LANES arguments, i32x4:A,B,C,D results). JS cannot pass a
// v128, so such a function is called through a small generated wasm module
// that imports it and trades each v128 for two i64 (wrapper()).
'use strict';
const fs = require('fs');
const path = require('path');

// ---------------------------------------------------------------- types
// WebAssembly 2.0 JS API has no type reflection in node 20, so read the
// function types of the exports from the binary.
function exportTypes(bytes) {
  let p = 8;
  const u8 = () => bytes[p++];
  const leb = () => { let r = 0, s = 0, b; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const name = () => { const n = leb(); const s = Buffer.from(bytes.subarray(p, p + n)).toString('utf8'); p += n; return s; };
  const vt = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };
  const types = [], funcs = [], exps = {};
  const limits = () => { const f = u8(); leb(); if (f & 1) leb(); };
  while (p < bytes.length) {
    const id = u8(), size = leb(), end = p + size;
    if (id === 1) {
      for (let n = leb(); n--;) {
        u8(); // 0x60
        const params = []; for (let k = leb(); k--;) params.push(vt[u8()]);
        const results = []; for (let k = leb(); k--;) results.push(vt[u8()]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = leb(); n--;) {
        name(); name();
        const kind = u8();
        if (kind === 0) funcs.push(leb());
        else if (kind === 1) { u8(); limits(); }
        else if (kind === 2) limits();
        else { u8(); u8(); }
      }
    } else if (id === 3) {
      for (let n = leb(); n--;) funcs.push(leb());
    } else if (id === 7) {
      for (let n = leb(); n--;) {
        const nm = name(), kind = u8(), idx = leb();
        if (kind === 0) exps[nm] = types[funcs[idx]];
      }
    }
    p = end;
  }
  return exps;
}

// --------------------------------------------------------------- values
const f32buf = new Float32Array(1), u32buf = new Uint32Array(f32buf.buffer);
const f64buf = new Float64Array(1), u64buf = new BigUint64Array(f64buf.buffer);
const f32bits = (x) => { f32buf[0] = x; return u32buf[0]; };
const f64bits = (x) => { f64buf[0] = x; return u64buf[0]; };

function parseFloatText(s) {
  s = s.toLowerCase().replace(/^\+/, '');
  if (/^-?nan/.test(s)) return NaN;
  if (/^inf(inity)?$/.test(s)) return Infinity;
  if (/^-inf(inity)?$/.test(s)) return -Infinity;
  const hx = /^(-?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?p([+-]?\d+)$/.exec(s);
  if (hx) {
    const digits = (hx[2] || '') + (hx[3] || '');
    let m = 0; for (const d of digits) m = m * 16 + parseInt(d, 16);
    const v = m * Math.pow(2, Number(hx[4]) - 4 * (hx[3] || '').length);
    return hx[1] ? -v : v;
  }
  if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

// SHAPE -> [lanes, bytes per lane, float kind or null].
const SHAPES = { i8x16: [16, 1, null], i16x8: [8, 2, null], i32x4: [4, 4, null], i64x2: [2, 8, null],
  f32x4: [4, 4, 'f32'], f64x2: [2, 8, 'f64'] };

// A v128 argument (SHAPE:LANES) as its two i64 halves, lane 0 first.
function v128Arg(s) {
  const m = /^([if](?:8x16|16x8|32x4|64x2)):(.*)$/.exec(s);
  if (!m || !SHAPES[m[1]]) throw new Error(`bad v128 argument ${s}`);
  const [n, size, fk] = SHAPES[m[1]];
  const lanes = m[2].split(',');
  if (lanes.length !== n) throw new Error(`${m[1]} takes ${n} lanes`);
  const bytes = Buffer.alloc(16);
  lanes.forEach((l, i) => {
    let bits;
    // A bits: lane is taken as it stands (a JS number would quiet a
    // signalling NaN).
    if (fk && l.startsWith('bits:')) bits = BigInt.asUintN(size * 8, BigInt(l.slice(5)));
    else if (fk === 'f32') { f32buf[0] = toArg('f32', l); bits = BigInt(u32buf[0]); }
    else if (fk === 'f64') { f64buf[0] = toArg('f64', l); bits = u64buf[0]; }
    else {
      const x = BigInt(l), w = BigInt(size * 8);
      if (x < -(1n << (w - 1n)) || x >= 1n << w) throw new Error(`lane ${i} out of range`);
      bits = BigInt.asUintN(size * 8, x);
    }
    for (let k = 0; k < size; k++) bytes[i * size + k] = Number((bits >> BigInt(8 * k)) & 0xffn);
  });
  return [bytes.readBigInt64LE(0), bytes.readBigInt64LE(8)];
}

// An argument of type t from the text a user would pass to `wasmem call`.
function toArg(t, s) {
  switch (t) {
    case 'v128': return v128Arg(s);
    case 'i32': return Number(BigInt.asIntN(32, BigInt(s)));
    case 'i64': return BigInt.asIntN(64, BigInt(s));
    case 'f32': return s.startsWith('bits:') ? (u32buf[0] = Number(BigInt(s.slice(5))), f32buf[0]) : Math.fround(parseFloatText(s));
    case 'f64': return s.startsWith('bits:') ? (u64buf[0] = BigInt(s.slice(5)), f64buf[0]) : parseFloatText(s);
    default: throw new Error(`cannot pass a ${t} argument`);
  }
}

// C's printf("%.<prec>g"), which `wasmem call` uses (%.9g for f32, %.17g
// for f64: enough digits to read back the same bits).
function cG(x, prec) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const e = Number(x.toExponential(prec - 1).split('e')[1]);
  let s;
  if (e < -4 || e >= prec) {
    let [m, ex] = x.toExponential(prec - 1).split('e');
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const n = Math.abs(Number(ex));
    s = `${m}e${ex[0] === '-' ? '-' : '+'}${n < 10 ? '0' : ''}${n}`;
  } else {
    s = x.toFixed(Math.max(0, prec - 1 - e));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return s;
}

// A value as `wasmem call` prints it.
function text(t, v) {
  if (t === 'v128') {
    const b = Buffer.alloc(16);
    b.writeBigInt64LE(BigInt.asIntN(64, v[0]), 0);
    b.writeBigInt64LE(BigInt.asIntN(64, v[1]), 8);
    return `i32x4:${[0, 4, 8, 12].map((o) => b.readInt32LE(o)).join(',')}`;
  }
  if (t === 'i32') return String(v | 0);
  if (t === 'i64') return String(BigInt.asIntN(64, BigInt(v)));
  if (t === 'f32') return cG(v, 9);
  if (t === 'f64') return cG(v, 17);
  return String(v);
}
const show = (t, v) => `${t}:${text(t, v)}`;

// V8's trap texts -> the WebAssembly specification's. Where V8 uses one
// text for two spec traps, both are accepted (`A|B`): NaN is an "invalid
// conversion", a value out of range an "integer overflow"; a null entry is
// "uninitialized", a wrong type a "mismatch". The spec tests pin those down.
const TRAPS = [
  [/remainder by zero|divide by zero/, 'integer divide by zero'],
  [/divide result unrepresentable/, 'integer overflow'],
  [/float unrepresentable in integer range/, 'integer overflow|invalid conversion to integer'],
  [/unreachable/, 'unreachable'],
  [/memory access out of bounds/, 'out of bounds memory access'],
  [/table index is out of bounds/, 'undefined element'],
  [/null function or function signature mismatch/, 'uninitialized element|indirect call type mismatch'],
  [/null function/, 'uninitialized element'],
  [/signature mismatch/, 'indirect call type mismatch'],
  [/Maximum call stack size exceeded/, 'call stack exhausted'],
];

// A module that imports "m" "f" of type ty and exports "w": the same
// function with each v128 parameter and result as two i64 (low half first).
function wrapper(ty) {
  const VT = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f };
  const uleb = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
  const vec = (items) => [...uleb(items.length), ...items.flat()];
  const flat = (ts) => ts.flatMap((t) => (t === 'v128' ? ['i64', 'i64'] : [t]));
  const functype = (ps, rs) => [0x60, ...vec(ps.map((t) => [VT[t]])), ...vec(rs.map((t) => [VT[t]]))];
  const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
  const str = (s) => [...uleb(s.length), ...Buffer.from(s)];
  const SIMD = 0xfd, SPLAT = 0x12, EXTRACT = 0x1d, REPLACE = 0x1e;
  const code = [];
  let p = 0;
  for (const t of ty.params) {
    if (t === 'v128') { code.push(0x20, ...uleb(p), SIMD, SPLAT, 0x20, ...uleb(p + 1), SIMD, REPLACE, 1); p += 2; }
    else code.push(0x20, ...uleb(p++));
  }
  code.push(0x10, 0); // call the import
  // The results into locals (the last is on top), then out again.
  const first = flat(ty.params).length, locals = ty.results;
  for (let i = locals.length - 1; i >= 0; i--) code.push(0x21, ...uleb(first + i));
  locals.forEach((t, i) => {
    if (t === 'v128') code.push(0x20, ...uleb(first + i), SIMD, EXTRACT, 0, 0x20, ...uleb(first + i), SIMD, EXTRACT, 1);
    else code.push(0x20, ...uleb(first + i));
  });
  code.push(0x0b);
  const body = [...vec(locals.map((t) => [1, VT[t]])), ...code];
  return new WebAssembly.Module(new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([functype(ty.params, ty.results), functype(flat(ty.params), flat(ty.results))])),
    ...section(2, vec([[...str('m'), ...str('f'), 0x00, 0]])),
    ...section(3, vec([[1]])),
    ...section(7, vec([[...str('w'), 0x00, 1]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]));
}

const modCache = new Map();
function call(file, func, args) {
  let m = modCache.get(file);
  if (!m) {
    const bytes = fs.readFileSync(file);
    m = { module: new WebAssembly.Module(bytes), types: exportTypes(bytes) };
    modCache.set(file, m);
  }
  const ty = m.types[func];
  if (!ty) throw new Error(`${file}: no exported function ${func}`);
  if (args.length !== ty.params.length) throw new Error(`${func}: wants ${ty.params.length} arguments`);
  // A fresh instance per call, as `wasmem call` makes one per process.
  const inst = new WebAssembly.Instance(m.module, {});
  let fn = inst.exports[func];
  const hasV128 = ty.params.includes('v128') || ty.results.includes('v128');
  if (hasV128) fn = new WebAssembly.Instance(wrapper(ty), { m: { f: fn } }).exports.w;
  const a = args.flatMap((s, i) => { const v = toArg(ty.params[i], s); return ty.params[i] === 'v128' ? v : [v]; });
  let r;
  try {
    r = fn(...a);
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError || e instanceof RangeError)) throw e;
    const hit = TRAPS.find(([re]) => re.test(e.message));
    return `trap ${hit ? hit[1] : e.message}`;
  }
  let vals = ty.results.length === 1 ? [r] : ty.results.length === 0 ? [] : r;
  if (hasV128) { // regroup the i64 pairs
    const flatVals = ty.results.flatMap((t) => (t === 'v128' ? ['i64', 'i64'] : [t])).length === 1 ? [r] : r;
    let k = 0;
    vals = ty.results.map((t) => (t === 'v128' ? [flatVals[k++], flatVals[k++]] : flatVals[k++]));
  }
  return ['ok', ...ty.results.map((t, i) => show(t, vals[i]))].join(' ');
}

// ------------------------------------------------------------ cases file
// Each line: MODULE FUNC ARGS...; '#' starts a comment.
function readCases(file) {
  return fs.readFileSync(file, 'utf8').split('\n')
    .map((l) => l.replace(/#.*/, '').trim()).filter((l) => l)
    .map((l) => { const [mod, func, ...args] = l.split(/\s+/); return { mod, func, args }; });
}

// ------------------------------------------------------------- compare
// Does wasmem's output (exit status, stdout, stderr) match an expected line?
// Returns null on a match, else the reason.
function judge(expected, rc, out, errText) {
  if (expected.startsWith('fail ')) {
    // A clean failure: an error exit (not a signal or a sanitizer abort)
    // with a message.
    if (rc === 0) return 'expected an error, got success';
    if (rc >= 128) return `expected a clean error, got exit status ${rc} (crash?)`;
    if (!errText.trim() && !out.trim()) return 'expected an error message';
    return null;
  }
  if (expected.startsWith('trap ')) {
    const msg = expected.slice(5), text = (out + ' ' + errText).toLowerCase();
    if (rc === 0) return `expected trap "${msg}", got success`;
    if (!msg.split('|').some((m) => text.includes(m))) return `expected trap "${msg}"`;
    return null;
  }
  if (rc !== 0) return 'expected success, got exit status ' + rc;
  // A v128 compares as its four i32 lanes (wasmem prints i32x4:A,B,C,D).
  const want = expected.split(' ').slice(1).flatMap((x) => {
    const i = x.indexOf(':'), t = x.slice(0, i), v = x.slice(i + 1);
    return t === 'v128' ? v.replace(/^i32x4:/, '').split(',').map((l) => ['i32', l]) : [[t, v]];
  });
  // Tokens with a value in them; type and shape names around values are dropped.
  const toks = out.replace(/\b[if](8x16|16x8|32x4|64x2):/g, ' ').split(/[\s,()\[\]]+/)
    .map((t) => t.replace(/^(i32|i64|f32|f64):/i, '').replace(/:(i32|i64|f32|f64)$/i, ''))
    .filter((t) => t && !/^(i32|i64|f32|f64)$/i.test(t) && (/\d/.test(t) || /^[+-]?(nan|inf)/i.test(t)));
  if (toks.length !== want.length) return `expected ${want.length} values, got ${toks.length}`;
  for (let i = 0; i < want.length; i++) {
    const [t, w] = want[i], g = toks[i];
    if (t === 'i32' || t === 'i64') {
      let gv;
      try { gv = BigInt(g); } catch (e) { return `value ${i}: "${g}" is not an integer`; }
      const bits = t === 'i32' ? 32 : 64;
      if (BigInt.asUintN(bits, gv) !== BigInt.asUintN(bits, BigInt(w))) return `value ${i}: ${g} != ${w}`;
    } else {
      let gv;
      if (/^0x[0-9a-f]+$/i.test(g)) { // a bit pattern
        const b = BigInt(g);
        if (t === 'f32') { u32buf[0] = Number(b); gv = f32buf[0]; } else { u64buf[0] = b; gv = f64buf[0]; }
      } else gv = parseFloatText(g);
      if (gv === undefined) return `value ${i}: "${g}" is not a float`;
      const wv = parseFloatText(w);
      if (Number.isNaN(wv) || Number.isNaN(gv)) {
        if (Number.isNaN(wv) !== Number.isNaN(gv)) return `value ${i}: ${g} != ${w}`;
      } else if (t === 'f32' ? f32bits(Math.fround(gv)) !== f32bits(wv) : f64bits(gv) !== f64bits(wv)) {
        return `value ${i}: ${g} != ${w}`;
      }
    }
  }
  return null;
}

function main(argv) {
  if (argv[0] === '--expect') {
    const [, casesFile, dir] = argv;
    for (const c of readCases(casesFile)) {
      let line;
      // What V8 rejects (bad module, no such export, bad arguments), wasmem
      // must reject too, cleanly.
      try { line = call(path.join(dir, c.mod + '.wasm'), c.func, c.args); } catch (e) { line = `fail ${e.message.split('\n')[0]}`; }
      console.log(line);
    }
    return 0;
  }
  if (argv[0] === '--compare') {
    // ACTUAL holds one line per case: rc TAB stdout TAB stderr (newlines
    // turned into spaces).
    const [, casesFile, expFile, actFile] = argv;
    const cases = readCases(casesFile);
    const exp = fs.readFileSync(expFile, 'utf8').split('\n');
    const act = fs.readFileSync(actFile, 'utf8').split('\n');
    let pass = 0, fail = 0;
    cases.forEach((c, i) => {
      const [rc, out = '', err = ''] = (act[i] || '').split('\t');
      const why = judge(exp[i], Number(rc), out, err);
      if (why === null) { pass++; return; }
      fail++;
      console.log(`FAIL ${c.mod} ${c.func} ${c.args.join(' ')}: ${why}`);
      console.log(`     expected: ${exp[i]}`);
      console.log(`     wasmem:   exit ${rc}; stdout: ${out.trim().slice(0, 200)}; stderr: ${err.trim().slice(0, 200)}`);
    });
    console.log(`${pass} passed, ${fail} failed`);
    return fail ? 1 : 0;
  }
  if (argv.length < 2) {
    console.error('usage: node v8_call.js FILE.wasm FUNC [ARGS...] | --expect CASES DIR | --compare CASES EXPECTED ACTUAL');
    return 2;
  }
  // One call, printed as `wasmem call` prints it: a value a line, or the
  // trap on stderr.
  const line = call(argv[0], argv[1], argv.slice(2));
  if (line.startsWith('trap ')) {
    console.error(`wasmem: trap: ${line.slice(5)}`);
    return 1;
  }
  for (const v of line.split(' ').slice(1)) console.log(v.slice(v.indexOf(':') + 1));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
