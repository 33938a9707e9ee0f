// SPDX-License-Identifier: MIT
// node_wasi.js -- run a WASI (preview1) command module under node for the
// start-up and CoreMark comparisons: compiles FILE, instantiates it with
// node:wasi, runs _start and exits with the guest's exit code. The guest
// sees the current directory as "." (CoreMark and `-V` need no files).
// Usage: node --no-warnings node_wasi.js FILE.wasm [ARGS...]
'use strict';
const fs = require('fs');
const { WASI } = require('node:wasi');

const file = process.argv[2];
if (!file) {
  console.error('usage: node node_wasi.js FILE.wasm [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...process.argv.slice(3)],
  env: {},
  preopens: { '.': '.' },
  returnOnExit: true,
});
const mod = new WebAssembly.Module(fs.readFileSync(file));
const instance = new WebAssembly.Instance(mod, wasi.getImportObject());
process.exitCode = wasi.start(instance);
