// host.js -- the seed article's JavaScript host, for reference: copies
// [1, 2, 3, 4, 5] into the guest through `alloc` and calls `array_sum`.
// Usage: node host.js array_sum.wasm
'use strict';
const fs = require('fs');
const mod = new WebAssembly.Module(fs.readFileSync(process.argv[2]));
const instance = new WebAssembly.Instance(mod, {});
const data = [1, 2, 3, 4, 5];
const ptr = instance.exports.alloc(data.length);
new Uint8Array(instance.exports.memory.buffer, ptr, data.length).set(data);
console.log('Result: ' + instance.exports.array_sum(ptr, data.length));
