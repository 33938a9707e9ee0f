;; globals.wast -- module globals, constant initialisers (incl. global.get of
;; imports), exported and imported globals, mutability across modules.
(module $G
  (import "spectest" "global_i32" (global $si32 i32))
  (import "spectest" "global_f64" (global $sf64 f64))
  (global $a i32 (i32.const -2))
  (global $b (mut i64) (i64.const 0x7fffffffffffffff))
  (global $c (mut f32) (f32.const -0))
  (global $d (mut f64) (f64.const nan:0x1))
  (global $from-import i32 (global.get $si32))
  (global $r (mut externref) (ref.null extern))
  (global $fr funcref (ref.func $f))
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (global (export "const") i64 (i64.const 77))
  (func $f (result i32) (i32.const 5))
  (func (export "get-a") (result i32) (global.get $a))
  (func (export "get-b") (result i64) (global.get $b))
  (func (export "set-b") (param i64) (global.set $b (local.get 0)))
  (func (export "get-c") (result f32) (global.get $c))
  (func (export "set-c") (param f32) (global.set $c (local.get 0)))
  (func (export "get-d") (result f64) (global.get $d))
  (func (export "get-imported") (result i32) (global.get $from-import))
  ;; wabt says 666, the spec interpreter 666.6: compare the integer part only
  (func (export "get-sf64") (result f64) (f64.trunc (global.get $sf64)))
  (func (export "set-r") (param externref) (global.set $r (local.get 0)))
  (func (export "get-r") (result externref) (global.get $r))
  (func (export "fr-is-null") (result i32) (ref.is_null (global.get $fr)))
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
)
(assert_return (invoke "get-a") (i32.const -2))
(assert_return (invoke "get-b") (i64.const 0x7fffffffffffffff))
(invoke "set-b" (i64.const -5))
(assert_return (invoke "get-b") (i64.const -5))
(assert_return (invoke "get-c") (f32.const -0))
(invoke "set-c" (f32.const nan:0x7))
(assert_return (invoke "get-c") (f32.const nan:0x7))
(assert_return (invoke "get-d") (f64.const nan:0x1))
(assert_return (invoke "get-imported") (i32.const 666))
(assert_return (invoke "get-sf64") (f64.const 666))
(assert_return (invoke "get-r") (ref.null extern))
(invoke "set-r" (ref.extern 3))
(assert_return (invoke "get-r") (ref.extern 3))
(assert_return (invoke "fr-is-null") (i32.const 0))
(assert_return (get "const") (i64.const 77))
(assert_return (get "counter") (i32.const 0))
(assert_return (invoke "bump") (i32.const 1))
(assert_return (get "counter") (i32.const 1))
(assert_return (get $G "counter") (i32.const 1))

;; a mutable global imported by another module is shared, not copied
(register "G" $G)
(module $H
  (import "G" "counter" (global $cnt (mut i32)))
  (import "G" "const" (global $k i64))
  (global $k2 i64 (global.get $k))
  (func (export "bump") (result i32)
    (global.set $cnt (i32.add (global.get $cnt) (i32.const 10)))
    (global.get $cnt))
  (func (export "k2") (result i64) (global.get $k2))
)
(assert_return (invoke $H "bump") (i32.const 11))
(assert_return (invoke $G "bump") (i32.const 12))
(assert_return (get $G "counter") (i32.const 12))
(assert_return (invoke $H "k2") (i64.const 77))

;; mutability and type must match exactly at import
(assert_unlinkable
  (module (import "G" "counter" (global i32)))
  "incompatible import type")
(assert_unlinkable
  (module (import "G" "const" (global (mut i64))))
  "incompatible import type")
(assert_unlinkable
  (module (import "G" "const" (global i32)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "global_i64" (global f64)))
  "incompatible import type")

;; validation: immutable globals cannot be set; initialisers must be constant
(assert_invalid
  (module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))
  "global is immutable")
(assert_invalid
  (module (global i32 (i64.const 0)))
  "type mismatch")
(assert_invalid
  (module (global i32 (global.get 1)) (global i32 (i32.const 0)))
  "unknown global")
(assert_invalid
  (module (func (result i32) (global.get 0)))
  "unknown global")
