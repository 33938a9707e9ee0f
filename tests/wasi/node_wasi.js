// SPDX-License-Identifier: MIT
// node_wasi.js -- run a WASI command under Node's node:wasi with the same
// options as `wasmem run` (a subset: --env K=V, --dir HOST[::GUEST], FILE,
// ARGS...), as the oracle of the differential tests. Keep the programs
// small: node 20's node:wasi aborts when memory grows past about 32 MiB.
'use strict';
const fs = require('fs');
const { WASI } = require('wasi');

const env = {}, preopens = {};
let i = 2;
for (; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--env') { const kv = process.argv[++i]; const k = kv.indexOf('='); env[kv.slice(0, k)] = kv.slice(k + 1); }
  else if (a === '--dir') { const [h, g] = process.argv[++i].split('::'); preopens[g || h] = h; }
  else if (a === '--') continue;
  else break;
}
const file = process.argv[i];
const wasi = new WASI({ version: 'preview1', args: [file, ...process.argv.slice(i + 1)], env, preopens,
                        returnOnExit: true });
const mod = new WebAssembly.Module(fs.readFileSync(file));
const inst = new WebAssembly.Instance(mod, wasi.getImportObject());
const code = wasi.start(inst);
process.exitCode = code;
