;; A module with a 64-bit memory and a 64-bit table (WebAssembly 3.0), for
;; `wasmem inspect` and `wasmem call` (tests/CMakeLists.txt).
(module
  (memory (export "memory") i64 1 3)
  (table $t i64 2 funcref)
  (elem (table $t) (i64.const 1) func $seven)
  (func $seven (result i32) (i32.const 7))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0))))
