// SPDX-License-Identifier: MIT
// node_run.js -- run a benchmark module's `run` export under V8 (node) for
// reference: prints the checksum as a signed i32 and, on stderr, the time of
// the call alone in ms. Usage: node node_run.js kernel.wasm
'use strict';
const fs = require('fs');
const bytes = fs.readFileSync(process.argv[2]);
const { instance } = { instance: new WebAssembly.Instance(new WebAssembly.Module(bytes), {}) };
const t0 = process.hrtime.bigint();
const r = instance.exports.run();
const t1 = process.hrtime.bigint();
console.log(String(r | 0));
console.error(`time_ms ${(Number(t1 - t0) / 1e6).toFixed(1)}`);
