;; WebAssembly 3.0: a constant expression may read any immutable global
;; defined before it (a global's initialiser) or any immutable global of the
;; module (a segment's offset or items), not only imported ones (2.0; the
;; 2.0 suite runs with `spectest --wasm2`, see tests/cli/wast.sh).

(module
  (memory 1)
  (table 16 funcref)
  (global $base i32 (i32.const 8))
  (global $next i32 (i32.add (global.get $base) (i32.const 2)))
  (global $f funcref (ref.func $seven))
  (data (global.get $next) "\2a")
  (elem (offset (global.get $base)) func $seven)
  (elem (i32.const 1) funcref (item global.get $f))
  (func $seven (result i32) (i32.const 7))
  (func (export "next") (result i32) (global.get $next))
  (func (export "byte") (result i32) (i32.load8_u (i32.const 10)))
  (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))
(assert_return (invoke "next") (i32.const 10))
(assert_return (invoke "byte") (i32.const 42))
(assert_return (invoke "call" (i32.const 1)) (i32.const 7))
(assert_trap (invoke "call" (i32.const 0)) "uninitialized element")

(assert_invalid (module (global i32 (global.get 0))) "unknown global 0")
(assert_invalid
  (module (global i32 (global.get 1)) (global i32 (i32.const 0)))
  "unknown global 1")
(assert_invalid
  (module (global $m (mut i32) (i32.const 0)) (global i32 (global.get $m)))
  "constant expression required")
(assert_invalid
  (module (memory 1) (global $m (mut i32) (i32.const 0)) (data (global.get $m) ""))
  "constant expression required")
(assert_invalid
  (module (memory 1) (data (global.get 0) ""))
  "unknown global 0")
