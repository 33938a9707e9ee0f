;; SPDX-License-Identifier: MIT
;; The spectest runner's v128 values: arguments and results in every lane
;; shape (wast2json writes each lane's unsigned bits), NaN patterns per
;; float lane, globals, multiple results, and `either` (any alternative may
;; match). tests/cli/spectest_v128.wast holds the mismatches it must report.
(module
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "swap") (param v128 v128) (result v128 v128) (local.get 1) (local.get 0))
  (func (export "bytes") (result v128)
    (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))
  (func (export "seven") (result i32) (i32.const 7))
  (global (export "g") v128 (v128.const i64x2 -1 0x0123456789abcdef)))

;; Every shape through a parameter, with the extremes of each lane type.
(assert_return (invoke "id" (v128.const i8x16 0 -1 127 -128 255 1 2 3 4 5 6 7 8 9 10 11))
               (v128.const i8x16 0 255 127 128 -1 1 2 3 4 5 6 7 8 9 10 11))
(assert_return (invoke "id" (v128.const i16x8 0 -1 32767 -32768 65535 1 2 3))
               (v128.const i16x8 0 65535 32767 32768 -1 1 2 3))
(assert_return (invoke "id" (v128.const i32x4 -1 2147483647 -2147483648 4294967295))
               (v128.const i32x4 4294967295 2147483647 2147483648 -1))
(assert_return (invoke "id" (v128.const i64x2 -1 -9223372036854775808))
               (v128.const i64x2 18446744073709551615 9223372036854775808))
(assert_return (invoke "id" (v128.const f32x4 1.5 -0 inf -inf))
               (v128.const f32x4 1.5 -0 inf -inf))
(assert_return (invoke "id" (v128.const f64x2 -0x1p-1074 0x1.fffffffffffffp+1023))
               (v128.const f64x2 -0x1p-1074 0x1.fffffffffffffp+1023))

;; One value read in each shape: lane 0 first, lanes little-endian.
(assert_return (invoke "bytes") (v128.const i16x8 0x0100 0x0302 0x0504 0x0706 0x0908 0x0b0a 0x0d0c 0x0f0e))
(assert_return (invoke "bytes") (v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c))
(assert_return (invoke "bytes") (v128.const i64x2 0x0706050403020100 0x0f0e0d0c0b0a0908))
(assert_return (invoke "bytes") (v128.const f32x4 0x1.0402p-121 0x1.0c0a08p-113 0x1.14121p-105 0x1.1c1a18p-97))

;; NaN patterns per lane: canonical takes either sign, arithmetic any quiet
;; NaN; a NaN given by its bits must match exactly.
(assert_return (invoke "id" (v128.const f32x4 nan -nan nan:0x400001 -nan:0x7fffff))
               (v128.const f32x4 nan:canonical nan:canonical nan:arithmetic nan:arithmetic))
(assert_return (invoke "id" (v128.const f32x4 nan:0x200000 1 nan -nan:0x1))
               (v128.const f32x4 nan:0x200000 1 nan:arithmetic -nan:0x1))
(assert_return (invoke "id" (v128.const f64x2 -nan nan:0x8000000000001))
               (v128.const f64x2 nan:canonical nan:arithmetic))
(assert_return (invoke "id" (v128.const f64x2 nan:0x1 -nan:0x4000000000000))
               (v128.const f64x2 nan:0x1 -nan:0x4000000000000))

;; Globals and multiple results.
(assert_return (get "g") (v128.const i64x2 -1 0x0123456789abcdef))
(assert_return (invoke "swap" (v128.const i32x4 1 2 3 4) (v128.const f64x2 1 2))
               (v128.const f64x2 1 2) (v128.const i8x16 1 0 0 0 2 0 0 0 3 0 0 0 4 0 0 0))

;; either: any alternative may match, in any shape.
(assert_return (invoke "bytes")
               (either (v128.const i32x4 0 0 0 0) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)))
(assert_return (invoke "id" (v128.const f32x4 nan 1 2 3))
               (either (v128.const f32x4 nan:canonical 1 2 3) (v128.const i32x4 0 0 0 0)))
(assert_return (invoke "seven") (either (i32.const 1) (i32.const 7)))
(assert_return (invoke "seven") (either (i32.const 7)))
