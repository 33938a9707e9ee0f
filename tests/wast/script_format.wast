;; SPDX-License-Identifier: MIT
;; The script format itself, read both by wast2json and natively (`wasmem
;; spectest FILE.wast`): named modules and registration, module binary,
;; module quote in assertions (wast2json 1.0.32 stops at a top-level one:
;; tests/spectest/native.wast has those), both actions, every kind of
;; expected result (NaN patterns, v128 lanes with NaN patterns, references,
;; either) and every assertion.
(module $M1
  (global (export "g") i32 (i32.const 42))
  (global (export "nan") f32 (f32.const nan:0x600000))
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "f64") (param f64) (result f64) (local.get 0))
  (func (export "v") (param v128) (result v128) (local.get 0))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func $self (export "self") (result funcref) (ref.func $self))
  (func (export "null") (result funcref) (ref.null func))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const -1))
  (func (export "\e2\82\ac \00 x") (result i32) (i32.const 7))
  (func $loop (export "loop") (call $loop))
  (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))
(register "m1" $M1)

(assert_return (get $M1 "g") (i32.const 42))
(assert_return (get "g") (i32.const 0x2a))
(assert_return (get "nan") (f32.const nan:arithmetic))
(assert_return (invoke $M1 "f32" (f32.const -nan)) (f32.const nan:canonical))
(assert_return (invoke "f32" (f32.const nan:0x400001)) (f32.const nan:arithmetic))
(assert_return (invoke "f64" (f64.const 0x1p-1074)) (f64.const 4.9406564584124654e-324))
(assert_return (invoke "f64" (f64.const -nan:0x8000000000001)) (f64.const nan:arithmetic))
(assert_return (invoke "v" (v128.const f32x4 nan 1 -0 nan:0x400000))
               (v128.const f32x4 nan:canonical 1 -0 nan:arithmetic))
(assert_return (invoke "v" (v128.const i8x16 -1 255 -128 0 1 2 3 4 5 6 7 8 9 10 11 12))
               (v128.const i8x16 255 -1 128 0 1 2 3 4 5 6 7 8 9 10 11 12))
(assert_return (invoke "v" (v128.const i64x2 -1 0x7fff_ffff_ffff_ffff))
               (v128.const i16x8 -1 -1 -1 -1 -1 -1 -1 0x7fff))
(assert_return (invoke "ext" (ref.extern 3)) (ref.extern 3))
(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))
(assert_return (invoke "null") (ref.null func))
(assert_return (invoke "two") (i32.const 1) (i64.const -1))
(assert_return (invoke "f64" (f64.const 1)) (either (f64.const 2) (f64.const nan:canonical) (f64.const 1)))
(assert_return (invoke "v" (v128.const i32x4 1 2 3 4))
               (either (v128.const i32x4 1 2 3 5) (v128.const i64x2 0x2_0000_0001 0x4_0000_0003)))
(assert_return (invoke "\e2\82\ac \00 x") (i32.const 7))
(assert_return (invoke "\u{20ac} \00 x") (i32.const 7))
(invoke "div" (i32.const 1))
(assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke "loop") "call stack exhausted")

;; module binary: an empty module, then one exporting a global 7.
(module binary "\00asm" "\01\00\00\00")
(module $B binary
  "\00asm\01\00\00\00"
  "\06\06\01\7f\00\41\07\0b"      ;; global section: i32 const 7
  "\07\05\01\01g\03\00")           ;; export section: "g" global 0
(assert_return (get $B "g") (i32.const 7))
(assert_return (get $M1 "g") (i32.const 42))

(assert_malformed (module quote "(func (i32.const 0x1_0000_0000))") "constant out of range")
(assert_malformed (module quote "(func (block (param $x i32)))") "unexpected token")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_unlinkable (module (import "m1" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "m1" "g" (global i64))) "incompatible import type")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
