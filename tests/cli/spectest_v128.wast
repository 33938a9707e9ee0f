;; SPDX-License-Identifier: MIT
;; Wrong expectations on purpose: each assertion below must FAIL in
;; `wasmem spectest`, with the line v128.sh expects (lanes shown in the
;; expected lane shape, the first lane that differs named).
(module
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "bytes") (result v128)
    (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))
  (func (export "seven") (result i32) (i32.const 7))
  (func (export "two") (result v128 v128) (v128.const i64x2 1 2) (v128.const i64x2 3 4)))
;; (v128.sh also uses "two", "seven" and "bytes" for what wast2json refuses
;; to write: results of the wrong type, an either for two results.)

;; An integer lane off by one (line 15).
(assert_return (invoke "bytes") (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 16))
;; A signalling NaN is not arithmetic; a quiet NaN with a payload is not canonical.
(assert_return (invoke "id" (v128.const f32x4 1 2 nan:0x200000 4)) (v128.const f32x4 1 2 nan:arithmetic 4))
(assert_return (invoke "id" (v128.const f32x4 1 nan:0x400001 3 4)) (v128.const f32x4 1 nan:canonical 3 4))
(assert_return (invoke "id" (v128.const f64x2 nan:0x4000000000000 0)) (v128.const f64x2 nan:arithmetic 0))
(assert_return (invoke "id" (v128.const f64x2 0 nan:0x8000000000001)) (v128.const f64x2 0 nan:canonical))
;; Float lanes are compared bit for bit: -0 is not 0.
(assert_return (invoke "id" (v128.const f32x4 -0 0 0 0)) (v128.const f32x4 0 0 0 0))
;; Signed and unsigned spellings of one lane match; a different lane does not.
(assert_return (invoke "id" (v128.const i16x8 -1 0 0 0 0 0 0 0)) (v128.const i16x8 65535 0 0 0 0 0 0 1))
(assert_return (invoke "id" (v128.const i64x2 -1 5)) (v128.const i64x2 -1 6))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 5))
;; No alternative matches.
(assert_return (invoke "bytes") (either (v128.const i32x4 0 0 0 0) (v128.const f32x4 nan:canonical 0 0 0)))
(assert_return (invoke "seven") (either (i32.const 1) (i32.const 2)))
