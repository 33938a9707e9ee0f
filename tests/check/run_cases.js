// SPDX-License-Identifier: MIT
// run_cases.js -- the driver behind tests/check/run.sh: runs every case of
// cases.txt under `wasmem check --json`, compares the JSON Lines records
// with the expectations, then the extra checks (--error-exitcode, plain
// call/run of the clean cases, --leak-check=no, the text report).
// Usage: node run_cases.js WASMEM GUESTDIR CASES WORKDIR [FILTER]
// FILTER (a substring of "MODULE MODE FUNC ARGS") runs only matching cases.
// Prints `ok` / `FAIL` / `skip` a case; exits 1 on any failure, 77 when
// nothing could run (no guest built) unless CI=true, else 0.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const [wasmem, gdir, casesFile, work, filter] = process.argv.slice(2);
if (!wasmem || !gdir || !casesFile || !work) {
  console.error('usage: node run_cases.js WASMEM GUESTDIR CASES WORKDIR [FILTER]');
  process.exit(2);
}
const CI = process.env.CI === 'true';
const TIMEOUT = 1000 * Number(process.env.WM_CHECK_TIMEOUT || 180);
fs.mkdirSync(work, { recursive: true });

const ERROR_KINDS = ['invalid-read', 'invalid-write', 'use-after-free-read', 'use-after-free-write',
  'double-free', 'invalid-free', 'host-block-free', 'overlapping-alloc'];
const LEAK_KINDS = ['leak-definite', 'leak-indirect', 'leak-possible', 'leak-reachable', 'leak-host'];
const LEAK_FIELD = { 'leak-definite': 'definitely_lost', 'leak-indirect': 'indirectly_lost',
  'leak-possible': 'possibly_lost', 'leak-reachable': 'still_reachable', 'leak-host': 'host_leaked' };
const VALUE_OPTS = new Set(['--allocator', '--quarantine', '--json', '--leak-check', '--error-exitcode']);

let built = new Set();
try {
  built = new Set(fs.readFileSync(path.join(gdir, 'variants'), 'utf8').split('\n').filter(Boolean));
} catch (e) { /* nothing built */ }

let nok = 0, nfail = 0, nskip = 0;
const indent = (s) => String(s).replace(/\n$/, '').split('\n').map((l) => '    | ' + l).join('\n');
function ok(label) { nok++; console.log(`ok   ${label}`); }
function fail(label, why, res) {
  nfail++;
  console.log(`FAIL ${label}: ${why}`);
  if (res) {
    if (res.cmd) console.log(`    command: ${res.cmd}`);
    if (res.status !== undefined) console.log(`    exit status: ${res.status}${res.signal ? ' signal ' + res.signal : ''}`);
    if (res.stdout) console.log('    stdout:\n' + indent(res.stdout));
    if (res.stderr) console.log('    stderr (the text report):\n' + indent(res.stderr));
  }
}
function skip(label, why) {
  if (CI) { fail(label, `${why} (a failure under CI=true)`); return; }
  nskip++;
  console.log(`skip ${label}: ${why}`);
}

// Split a line on blanks; '...' is one token (quotes removed).
function tokenize(line) {
  const out = [];
  const re = /'([^']*)'|(\S+)/g;
  let m;
  while ((m = re.exec(line))) out.push(m[1] !== undefined ? m[1] : m[2]);
  return out;
}

// KIND[@+N/S|@-N/S][:B][~NAME], constraints in any order after KIND.
function parseExpect(tok, where) {
  const m = /^([a-z-]+)((?:@[+-]\d+\/\d+|:\d+|~[^@:~]+)*)$/.exec(tok);
  if (!m) throw new Error(`${where}: bad expectation '${tok}'`);
  const e = { kind: m[1], text: tok };
  if (!ERROR_KINDS.includes(e.kind) && !LEAK_KINDS.includes(e.kind)) throw new Error(`${where}: unknown kind '${e.kind}'`);
  const re = /@([+-]\d+)\/(\d+)|:(\d+)|~([^@:~]+)/g;
  let c;
  while ((c = re.exec(m[2]))) {
    if (c[1] !== undefined) { e.rel = Number(c[1]); e.bsize = Number(c[2]); }
    else if (c[3] !== undefined) e.bytes = Number(c[3]);
    else e.name = c[4];
  }
  return e;
}

function parseCases(file) {
  const cases = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${path.basename(file)}:${i + 1}`;
    const arrow = line.indexOf('=>');
    if (arrow < 0) throw new Error(`${where}: no '=>'`);
    const lhs = tokenize(line.slice(0, arrow));
    const expect = tokenize(line.slice(arrow + 2)).map((t) => parseExpect(t, where));
    const opts = [];
    while (lhs.length && lhs[0].startsWith('--')) {
      const o = lhs.shift();
      opts.push(o);
      if (VALUE_OPTS.has(o)) opts.push(lhs.shift());
    }
    if (lhs.length < 3) throw new Error(`${where}: expected [OPTIONS] MODULE MODE FUNC_OR_CASE [ARGS...] =>`);
    const [module, mode, func, ...args] = lhs;
    if (mode !== 'call' && mode !== 'run') throw new Error(`${where}: mode must be call or run, not '${mode}'`);
    cases.push({ where, opts, module, mode, func, args, expect,
      label: [...opts, module, mode, func, ...args].join(' ') });
  });
  return cases;
}

const q = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
function run(argv) {
  const r = spawnSync(wasmem, argv, { encoding: 'utf8', timeout: TIMEOUT, maxBuffer: 64 << 20 });
  return { cmd: [wasmem, ...argv].map(q).join(' '), status: r.status, signal: r.signal,
    stdout: r.stdout || '', stderr: (r.stderr || '') + (r.error ? `\n[run_cases.js: ${r.error.message}]` : '') };
}
// The guest part of the command line: call FILE FUNC ARGS / run FILE -- CASE ARGS
function guestArgv(c) {
  const wasm = path.join(gdir, `${c.module}.wasm`);
  return c.mode === 'call' ? ['call', wasm, c.func, ...c.args] : ['run', wasm, '--', c.func, ...c.args];
}
function runChecked(c, extraOpts, tag) {
  const json = path.join(work, `${c.module}.${c.func}.${tag}.jsonl`.replace(/[^\w.-]/g, '_'));
  fs.rmSync(json, { force: true });
  const res = run(['check', '--json', json, ...extraOpts, ...c.opts, ...guestArgv(c)]);
  res.json = json;
  return res;
}

// The records of a --json file: { records, summary } or throws with a reason.
function readJson(file) {
  if (!fs.existsSync(file)) throw new Error(`no JSON written to ${file}`);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const objs = lines.map((l, i) => {
    try { return JSON.parse(l); } catch (e) { throw new Error(`JSON line ${i + 1} does not parse: ${l.slice(0, 200)}`); }
  });
  const sums = objs.filter((o) => o && o.kind === 'summary');
  if (sums.length !== 1) throw new Error(`expected exactly one summary object, got ${sums.length}`);
  if (objs[objs.length - 1].kind !== 'summary') throw new Error('the summary object is not the last line');
  const records = objs.slice(0, -1);
  for (const r of records) {
    if (typeof r.kind !== 'string' || (!ERROR_KINDS.includes(r.kind) && !LEAK_KINDS.includes(r.kind)))
      throw new Error(`record of unknown kind: ${JSON.stringify(r).slice(0, 300)}`);
    if (!Array.isArray(r.where)) throw new Error(`record without a where array: ${JSON.stringify(r).slice(0, 300)}`);
    if (r.block !== null && r.block !== undefined && (typeof r.block.addr !== 'number' || typeof r.block.size !== 'number'))
      throw new Error(`record with a malformed block: ${JSON.stringify(r).slice(0, 300)}`);
  }
  return { records, summary: sums[0] };
}

function frameNames(r) {
  const fr = [...(r.where || [])];
  if (r.block) fr.push(...(r.block.alloc || []), ...(r.block.free || []));
  return fr.map((f) => (f && f.func) || '');
}
function instances(records) {
  const out = [];
  for (const r of records) {
    const n = Number.isInteger(r.count) && r.count > 0 ? r.count : 1;
    for (let i = 0; i < n; i++) out.push({ r, bytesEach: typeof r.bytes === 'number' ? r.bytes / n : undefined });
  }
  return out;
}
function matches(e, inst) {
  const r = inst.r;
  if (r.kind !== e.kind) return false;
  if (e.rel !== undefined) {
    if (!r.block || typeof r.addr !== 'number') return false;
    if (r.addr - r.block.addr !== e.rel || r.block.size !== e.bsize) return false;
  }
  if (e.bytes !== undefined && inst.bytesEach !== e.bytes) return false;
  if (e.name !== undefined && !frameNames(r).some((n) => n.includes(e.name))) return false;
  return true;
}
// A perfect matching between expectations and record instances (small:
// backtracking, most constrained expectations first).
function match(expect, insts) {
  if (expect.length !== insts.length) return false;
  const es = [...expect].sort((a, b) => score(b) - score(a));
  const used = new Array(insts.length).fill(false);
  const go = (k) => {
    if (k === es.length) return true;
    for (let i = 0; i < insts.length; i++) {
      if (used[i] || !matches(es[k], insts[i])) continue;
      used[i] = true;
      if (go(k + 1)) return true;
      used[i] = false;
    }
    return false;
  };
  return go(0);
  function score(e) { return (e.rel !== undefined) + (e.bytes !== undefined) + (e.name !== undefined); }
}
function describe(records) {
  if (!records.length) return '(none)';
  return records.map((r) => {
    let s = r.kind;
    if (r.block && typeof r.addr === 'number') {
      const d = r.addr - r.block.addr;
      s += `@${d >= 0 ? '+' : ''}${d}/${r.block.size}`;
    }
    if (LEAK_KINDS.includes(r.kind)) s += `:${r.bytes}`;
    if (r.count > 1) s += `(x${r.count})`;
    const names = frameNames(r).filter(Boolean).slice(0, 4);
    if (names.length) s += ` [${names.join(' < ')}]`;
    return s;
  }).join('\n      ');
}
// The summary must agree with the records. errors/contexts count the error
// records (errors: with their counts); like Valgrind with --leak-check=full
// (--errors-for-leak-kinds=definite,possible) they may also count the
// definite and possible leak records, and the host's leaks: either
// convention is accepted.
function summaryProblems(records, s, opts = []) {
  const p = [];
  const cnt = (r) => (Number.isInteger(r.count) && r.count > 0 ? r.count : 1);
  const errs = records.filter((r) => ERROR_KINDS.includes(r.kind));
  const leaks = records.filter((r) => ['leak-definite', 'leak-possible', 'leak-host'].includes(r.kind));
  const nerr = errs.reduce((a, r) => a + cnt(r), 0);
  const nleak = leaks.length; /* Valgrind: one error per loss record */
  if (s.errors !== nerr && s.errors !== nerr + nleak)
    p.push(`summary.errors ${s.errors} is neither ${nerr} (the error records' counts) nor ${nerr + nleak} (with the definite/possible/host loss records)`);
  if (s.contexts !== errs.length && s.contexts !== errs.length + nleak)
    p.push(`summary.contexts ${s.contexts} is neither ${errs.length} error records nor ${errs.length + nleak} with the definite/possible loss records`);
  if ((s.errors === nerr) !== (s.contexts === errs.length))
    p.push(`summary.errors ${s.errors} and contexts ${s.contexts} count the leaks differently`);
  // --leak-check=summary prints no loss records: only the errors count
  // (above) says whether any leak was definite or possible.
  const leakRecords = !opts.includes('--leak-check=summary');
  for (const k of leakRecords ? LEAK_KINDS : []) {
    const b = records.filter((r) => r.kind === k).reduce((a, r) => a + (r.bytes || 0), 0);
    if (s[LEAK_FIELD[k]] !== b) p.push(`summary.${LEAK_FIELD[k]} ${s[LEAK_FIELD[k]]} != ${b} (${k} records)`);
  }
  return p;
}

function checkCase(c, extraOpts = [], tag = 'check') {
  const label = extraOpts.length ? `${extraOpts.join(' ')} ${c.label}` : c.label;
  const res = runChecked(c, extraOpts, tag);
  let got;
  try { got = readJson(res.json); } catch (e) { fail(label, e.message, res); return null; }
  const want = c.expect.map((e) => e.text).join(' ') || '(none)';
  if (!match(c.expect, instances(got.records))) {
    fail(label, `reports differ\n    expected: ${want}\n    got:      ${describe(got.records)}`, res);
    return null;
  }
  const sp = summaryProblems(got.records, got.summary, [...(c.opts || []), ...extraOpts]);
  if (sp.length) { fail(label, `summary: ${sp.join('; ')}`, res); return null; }
  ok(label);
  return { res, got };
}

// ------------------------------------------------------------------ main
let cases;
try { cases = parseCases(casesFile); } catch (e) { console.error(`run_cases.js: ${e.message}`); process.exit(2); }
if (filter) cases = cases.filter((c) => c.label.includes(filter));

const help = run(['check', '--help']);
if (help.status !== 0) fail('wasmem check --help', 'exit status not 0 (is `wasmem check` built in?)', help);

const clean = []; // cases whose only reports are the runtime's reachable blocks
for (const c of cases) {
  if (!built.has(c.module)) { skip(c.label, `guest ${c.module} was not built (see build.sh output)`); continue; }
  const r = checkCase(c);
  // Clean: nothing expected but std's own start-up blocks (rust-wasi).
  if (!c.opts.length && c.expect.every((e) => e.kind === 'leak-reachable' && e.name === 'rt4init'))
    clean.push({ c, r });
}

// --------------------------------------------------------- extra checks
const byLabel = (m, mode, f) => cases.find((c) => c.module === m && c.mode === mode && c.func === f && !c.opts.length);

// --error-exitcode=99: 99 when an error was reported, else the guest's own
// status (0 for a clean case, and for one with only reachable blocks).
for (const [m, mode, f, want] of [
  ['c-free', 'call', 'overflow_read', 99], ['c-free', 'call', 'clean', 0],
  ['c-wasi', 'run', 'overflow_read', 99], ['c-wasi', 'run', 'double_free', 99], ['c-wasi', 'run', 'clean', 0],
  ['rust', 'call', 'uaf_read', 99], ['rust', 'call', 'clean', 0],
  ['rust-wasi', 'run', 'double_free', 99], ['rust-wasi', 'run', 'clean', 0]]) {
  const c = byLabel(m, mode, f);
  if (!c) continue;
  const label = `--error-exitcode=99 ${c.label} exits ${want}`;
  if (!built.has(m)) { skip(label, `guest ${m} was not built`); continue; }
  const res = runChecked(c, ['--error-exitcode=99'], 'exitcode');
  if (res.status === want) ok(label); else fail(label, `exit status ${res.status}`, res);
}

// Plain `wasmem call` / `wasmem run` of the clean cases still work (exit 0)
// and print what the checked run printed; some outputs are known.
const known = { 'c-free call upper': /^HELLO, WORLD\n$/, 'c-free call sum_free': /^294\n$/,
  'c-free call strlen_words': /^276\n$/, 'c-free call static_stack': /^3576\n$/,
  'c-wasi run clean': /^clean ok \d+\n$/ };
for (const { c, r } of clean) {
  const label = `plain ${c.label}`;
  if (!built.has(c.module)) continue;
  const res = run(guestArgv(c));
  const k = known[`${c.module} ${c.mode} ${c.func}`];
  if (res.status !== 0) fail(label, `exit status ${res.status}`, res);
  else if (k && !k.test(res.stdout)) fail(label, `stdout does not match ${k}`, res);
  else if (r && r.res.stdout !== res.stdout) fail(label, `stdout differs from the checked run's: ${JSON.stringify(r.res.stdout)}`, res);
  else ok(label);
}

// --leak-check=no: no leak records at all; errors still reported.
for (const [f, want] of [['leak_definite', []], ['overflow_read', ['invalid-read@+24/24']], ['leak_indirect', []]]) {
  const c = byLabel('c-wasi', 'run', f);
  if (!c) continue;
  const c2 = { ...c, expect: want.map((t) => parseExpect(t, 'run_cases.js')) };
  if (!built.has('c-wasi')) { skip(`--leak-check=no ${c.label}`, 'guest c-wasi was not built'); continue; }
  checkCase(c2, ['--leak-check=no'], 'noleak');
}

// The text report on stderr, in Valgrind's words (the contract's).
function textCheck(m, mode, f, regexes) {
  const c = byLabel(m, mode, f);
  if (!c) return;
  const label = `text report of ${c.label}`;
  if (!built.has(m)) { skip(label, `guest ${m} was not built`); return; }
  const res = runChecked(c, [], 'text');
  const missing = regexes.filter((re) => !re.test(res.stderr));
  if (missing.length) fail(label, `stderr lacks ${missing.join(', ')}`, res); else ok(label);
}
textCheck('c-wasi', 'run', 'overflow_read', [
  /==wasmem== Invalid read of size 1\n/,
  /Address 0x[0-9a-fA-F]+ is 0 bytes after a block of size 24 alloc'd/,
  /HEAP SUMMARY/,
  /ERROR SUMMARY: 1 errors from 1 contexts/]);
textCheck('c-free', 'call', 'overflow_write', [
  /==wasmem== Invalid write of size 1\n/,
  /Address 0x[0-9a-fA-F]+ is 0 bytes after a block of size 24 alloc'd/,
  /ERROR SUMMARY: 1 errors from 1 contexts/]);
textCheck('c-wasi', 'run', 'leak_definite', [/HEAP SUMMARY/, /LEAK SUMMARY/,
  /definitely lost: 40 bytes in 1 blocks/, /ERROR SUMMARY: [01] errors from [01] contexts/]);
textCheck('c-wasi', 'run', 'clean', [/HEAP SUMMARY/, /ERROR SUMMARY: 0 errors from 0 contexts/]);
textCheck('as', 'call', 'object_overflow', [
  /allocator: AssemblyScript runtime, its TLSF allocator and objects/,
  /Address 0x[0-9a-fA-F]+ is 0 bytes after a block of size 24 alloc'd/,
  /by ~lib\/rt\/itcms\/__new/]);
textCheck('as', 'call', 'corrupt_header', [
  /\(the full collection before the leak check trapped \(unreachable\): garbage may be counted as leaks\)/]);

console.log(`\n${nok} ok, ${nfail} failed, ${nskip} skipped`);
if (nfail) process.exit(1);
if (!nok && nskip) process.exit(77);
process.exit(0);
