;; A module with a 64-bit memory (WebAssembly 3.0's memory64), for `wasmem
;; inspect` and `wasmem call` (tests/CMakeLists.txt); wat2wasm
;; --enable-memory64 writes the same bytes (tests/text/compare.sh).
(module
  (memory (export "memory") i64 1 3)
  (data (i64.const 0x10) "\07")
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "load") (param i64) (result i32) (i32.load8_u offset=0x10 (local.get 0))))
