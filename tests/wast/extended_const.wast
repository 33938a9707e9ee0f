;; Extended constant expressions (WebAssembly 3.0): i32 and i64 add, sub
;; and mul in the initialisers of globals and the offsets of segments,
;; with wrapping arithmetic, imported globals and nesting; and what stays
;; invalid. (wast2json runs with --enable-extended-const.)

(module
  (import "spectest" "global_i32" (global $gi i32))   ;; 666
  (import "spectest" "global_i64" (global $gl i64))   ;; 666
  (global $a i32 (i32.add (global.get $gi) (i32.const 1)))
  (global $b i32 (i32.sub (i32.const 0) (i32.const 1)))
  (global $c i32 (i32.add (i32.const 0x7fffffff) (i32.const 1)))
  (global $d i32 (i32.mul (i32.const 0x10000) (i32.const 0x10000)))
  (global $e i32 (i32.mul (i32.const -3) (i32.const 7)))
  (global $f i64 (i64.mul (i64.add (global.get $gl) (i64.const 4)) (i64.const 0x100000000)))
  (global $g i64 (i64.sub (i64.const 0x8000000000000000) (i64.const 1)))
  (global $h i64 (i64.mul (i64.const 0x100000000) (i64.const 0x100000000)))
  ;; unfolded, deeper: ((1 + 2) * (3 + 4)) - 5 = 16
  (global $i i32 i32.const 1 i32.const 2 i32.add i32.const 3 i32.const 4 i32.add i32.mul
                 i32.const 5 i32.sub)
  (memory 1)
  ;; 666 - 600 = 66 (and 10 * 10 = 100)
  (data (i32.sub (global.get $gi) (i32.const 600)) "ext")
  (data (i32.mul (i32.const 10) (i32.const 10)) "\2a")
  (table 10 funcref)
  (elem (i32.add (i32.const 2) (i32.const 3)) $seven)
  (func $seven (result i32) (i32.const 7))
  (type $t (func (result i32)))
  (func (export "a") (result i32) (global.get $a))
  (func (export "b") (result i32) (global.get $b))
  (func (export "c") (result i32) (global.get $c))
  (func (export "d") (result i32) (global.get $d))
  (func (export "e") (result i32) (global.get $e))
  (func (export "f") (result i64) (global.get $f))
  (func (export "g") (result i64) (global.get $g))
  (func (export "h") (result i64) (global.get $h))
  (func (export "i") (result i32) (global.get $i))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
)
(assert_return (invoke "a") (i32.const 667))
(assert_return (invoke "b") (i32.const -1))
(assert_return (invoke "c") (i32.const 0x80000000))
(assert_return (invoke "d") (i32.const 0))
(assert_return (invoke "e") (i32.const -21))
(assert_return (invoke "f") (i64.const 0x29e00000000))
(assert_return (invoke "g") (i64.const 0x7fffffffffffffff))
(assert_return (invoke "h") (i64.const 0))
(assert_return (invoke "i") (i32.const 16))
(assert_return (invoke "load8" (i32.const 66)) (i32.const 0x65))
(assert_return (invoke "load8" (i32.const 68)) (i32.const 0x74))
(assert_return (invoke "load8" (i32.const 100)) (i32.const 42))
(assert_return (invoke "call" (i32.const 5)) (i32.const 7))
(assert_trap (invoke "call" (i32.const 4)) "uninitialized element")

;; An offset computed out of bounds traps at instantiation.
(assert_trap
  (module (memory 1) (data (i32.mul (i32.const 0x8000) (i32.const 2)) "x"))
  "out of bounds memory access")

;; Too few operands, mixed types, the wrong result type, two results.
(assert_invalid (module (global i32 (i32.add (i32.const 1)))) "type mismatch")
(assert_invalid (module (global i32 i32.add)) "type mismatch")
(assert_invalid (module (global i32 (i32.add (i64.const 1) (i32.const 1)))) "type mismatch")
(assert_invalid (module (global i64 (i32.add (i32.const 1) (i32.const 1)))) "type mismatch")
(assert_invalid (module (global i32 (i64.add (i64.const 1) (i64.const 1)))) "type mismatch")
(assert_invalid (module (global i32 i32.const 1 i32.const 2 i32.const 3 i32.add)) "type mismatch")
(assert_invalid
  (module (memory 1) (data (i64.add (i64.const 0) (i64.const 1)) "x"))
  "type mismatch")
;; Still not constant: other arithmetic, a mutable global; and a global defined
;; after this one is unknown.
(assert_invalid (module (global i32 (i32.div_s (i32.const 1) (i32.const 1))))
  "constant expression required")
(assert_invalid (module (global i32 (i32.and (i32.const 1) (i32.const 1))))
  "constant expression required")
(assert_invalid (module (global f32 (f32.add (f32.const 1) (f32.const 1))))
  "constant expression required")
(assert_invalid
  (module (global $m (import "spectest" "global_mut_i32") (mut i32))
          (global i32 (i32.add (global.get $m) (i32.const 1))))
  "constant expression required")
(assert_invalid
  (module (global i32 (i32.add (global.get 1) (i32.const 1))) (global i32 (i32.const 1)))
  "unknown global")
