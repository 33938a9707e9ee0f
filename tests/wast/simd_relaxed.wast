;; SPDX-License-Identifier: MIT
;; simd_relaxed.wast -- relaxed SIMD (WebAssembly 3.0). Each relaxed
;; instruction may give one of a few results on some inputs; elsewhere every
;; implementation agrees. Both kinds are tested: the inputs where all choices
;; agree, and wasmem's own fixed choice where they do not, which is the
;; deterministic profile's (see docs/SIMD.md). wast2json needs
;; --enable-relaxed-simd for this file. The two dot products are in a binary
;; module because wabt 1.0.32 spells their text names differently (without
;; "relaxed_"); their opcodes are the standard 0xfd 0x112 and 0xfd 0x113.
(module
  (func (export "i8x16.relaxed_swizzle") (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "i32x4.relaxed_trunc_f32x4_s") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (func (export "i32x4.relaxed_trunc_f32x4_u") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_u (local.get 0)))
  (func (export "i32x4.relaxed_trunc_f64x2_s_zero") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))
  (func (export "i32x4.relaxed_trunc_f64x2_u_zero") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (func (export "f32x4.relaxed_madd") (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f32x4.relaxed_nmadd") (param v128 v128 v128) (result v128) (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f64x2.relaxed_madd") (param v128 v128 v128) (result v128) (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f64x2.relaxed_nmadd") (param v128 v128 v128) (result v128) (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "i8x16.relaxed_laneselect") (param v128 v128 v128) (result v128) (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "i16x8.relaxed_laneselect") (param v128 v128 v128) (result v128) (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "i32x4.relaxed_laneselect") (param v128 v128 v128) (result v128) (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "i64x2.relaxed_laneselect") (param v128 v128 v128) (result v128) (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f32x4.relaxed_min") (param v128 v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (func (export "f32x4.relaxed_max") (param v128 v128) (result v128) (f32x4.relaxed_max (local.get 0) (local.get 1)))
  (func (export "f64x2.relaxed_min") (param v128 v128) (result v128) (f64x2.relaxed_min (local.get 0) (local.get 1)))
  (func (export "f64x2.relaxed_max") (param v128 v128) (result v128) (f64x2.relaxed_max (local.get 0) (local.get 1)))
  (func (export "i16x8.relaxed_q15mulr_s") (param v128 v128) (result v128) (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  ;; The choice is fixed: the same inputs twice give equal lanes.
  (func (export "madd-twice-equal") (param v128 v128 v128) (result i32)
    (i32x4.all_true (i32x4.eq (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))
                              (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))))
)

;; relaxed_swizzle: indices 0..15 select a byte on every implementation; indices
;; with the top bit set give 0 on every implementation; 16..127 may give 0 or
;; the byte at index mod 16 -- wasmem gives 0, as i8x16.swizzle does.
(assert_return (invoke "i8x16.relaxed_swizzle" (v128.const i8x16 0xa0 0xa1 0xa2 0xa3 0xa4 0xa5 0xa6 0xa7 0xa8 0xa9 0xaa 0xab 0xac 0xad 0xae 0xaf) (v128.const i8x16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0)) (v128.const i8x16 0xaf 0xae 0xad 0xac 0xab 0xaa 0xa9 0xa8 0xa7 0xa6 0xa5 0xa4 0xa3 0xa2 0xa1 0xa0))
(assert_return (invoke "i8x16.relaxed_swizzle" (v128.const i8x16 0xa0 0xa1 0xa2 0xa3 0xa4 0xa5 0xa6 0xa7 0xa8 0xa9 0xaa 0xab 0xac 0xad 0xae 0xaf) (v128.const i8x16 0 0 1 1 2 2 3 3 15 15 15 15 7 7 7 7)) (v128.const i8x16 0xa0 0xa0 0xa1 0xa1 0xa2 0xa2 0xa3 0xa3 0xaf 0xaf 0xaf 0xaf 0xa7 0xa7 0xa7 0xa7))
(assert_return (invoke "i8x16.relaxed_swizzle" (v128.const i8x16 0xa0 0xa1 0xa2 0xa3 0xa4 0xa5 0xa6 0xa7 0xa8 0xa9 0xaa 0xab 0xac 0xad 0xae 0xaf) (v128.const i8x16 -128 -127 -113 -112 -1 -16 -64 -91 0 1 2 3 4 5 6 7)) (v128.const i8x16 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0xa0 0xa1 0xa2 0xa3 0xa4 0xa5 0xa6 0xa7))
(assert_return (invoke "i8x16.relaxed_swizzle" (v128.const i8x16 0xa0 0xa1 0xa2 0xa3 0xa4 0xa5 0xa6 0xa7 0xa8 0xa9 0xaa 0xab 0xac 0xad 0xae 0xaf) (v128.const i8x16 16 17 31 32 127 112 65 47 16 31 32 48 64 80 96 126)) (v128.const i8x16 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00))
;; relaxed_trunc: in-range lanes truncate toward zero everywhere; NaN and
;; out-of-range lanes are implementation-defined -- wasmem saturates like
;; trunc_sat (NaN to 0).
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_s" (v128.const f32x4 0x1.e66666p+0 -0x1.e66666p+0 0 -0)) (v128.const i32x4 1 -1 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_s" (v128.const f32x4 0x1.fffffep+30 -0x1p+31 0x1.e240cp+16 -0x1.fae148p-1)) (v128.const i32x4 2147483520 -2147483648 123456 0))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_s" (v128.const f32x4 0x1p-149 -0x1p-149 0x1.92p+6 -0x1.92p+6)) (v128.const i32x4 0 0 100 -100))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_s" (v128.const f32x4 nan:0x400000 -nan:0x400000 nan:0x200000 inf)) (v128.const i32x4 0 0 0 2147483647))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_s" (v128.const f32x4 -inf 0x1p+31 -0x1.000002p+31 -0x1.65a0bcp+31)) (v128.const i32x4 -2147483648 2147483647 -2147483648 -2147483648))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_u" (v128.const f32x4 0x1.e66666p+0 0x1.fae148p-1 0 -0)) (v128.const i32x4 1 0 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_u" (v128.const f32x4 0x1.fffffep+31 0x1p+31 0x1.e240cp+16 -0x1.fae148p-1)) (v128.const i32x4 -256 -2147483648 123456 0))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_u" (v128.const f32x4 0x1p-149 -0x1p-149 0x1.92p+6 0x1.65a0bcp+31)) (v128.const i32x4 0 0 100 -1294967296))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_u" (v128.const f32x4 nan:0x400000 -nan:0x400000 nan:0x200000 inf)) (v128.const i32x4 0 0 0 -1))
(assert_return (invoke "i32x4.relaxed_trunc_f32x4_u" (v128.const f32x4 -inf 0x1p+32 -0x1p+0 -0x1.65a0bcp+31)) (v128.const i32x4 0 -1 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_s_zero" (v128.const f64x2 0x1.ffffffff9999ap+30 -0x1.00000001ccccdp+31)) (v128.const i32x4 2147483647 -2147483648 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_s_zero" (v128.const f64x2 -0 0x0.0000000000001p-1022)) (v128.const i32x4 0 0 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_s_zero" (v128.const f64x2 0x1.ep+2 -0x1.ep+2)) (v128.const i32x4 7 -7 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_s_zero" (v128.const f64x2 nan:0x8000000000000 -inf)) (v128.const i32x4 0 -2147483648 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_s_zero" (v128.const f64x2 0x1p+31 -0x1.00000002p+31)) (v128.const i32x4 2147483647 -2147483648 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_s_zero" (v128.const f64x2 nan:0x4000000000000 inf)) (v128.const i32x4 0 2147483647 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_u_zero" (v128.const f64x2 0x1.ffffffffccccdp+31 -0x1.ccccccccccccdp-1)) (v128.const i32x4 -1 0 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_u_zero" (v128.const f64x2 -0 0x0.0000000000001p-1022)) (v128.const i32x4 0 0 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_u_zero" (v128.const f64x2 0x1.ep+2 0x1.dcd65p+29)) (v128.const i32x4 7 1000000000 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_u_zero" (v128.const f64x2 nan:0x8000000000000 -inf)) (v128.const i32x4 0 0 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_u_zero" (v128.const f64x2 0x1p+32 -0x1p+0)) (v128.const i32x4 -1 0 0 0))
(assert_return (invoke "i32x4.relaxed_trunc_f64x2_u_zero" (v128.const f64x2 nan:0x4000000000000 inf)) (v128.const i32x4 0 -1 0 0))
;; relaxed_madd/nmadd: a*b+c and -(a*b)+c. Exact cases agree everywhere.
(assert_return (invoke "f32x4.relaxed_madd" (v128.const f32x4 0x1p+1 -0x1.8p+0 0x1p-1 0x1.f4p+9) (v128.const f32x4 0x1.8p+1 0x1p+1 0x1p-1 0x1.f4p+9) (v128.const f32x4 0x1p+2 0x1p-2 -0x1p-2 -0x1.e848p+19)) (v128.const f32x4 0x1.4p+3 -0x1.6p+1 0 0))
(assert_return (invoke "f32x4.relaxed_nmadd" (v128.const f32x4 0x1p+1 -0x1.8p+0 0x1p-1 0x1.f4p+9) (v128.const f32x4 0x1.8p+1 0x1p+1 0x1p-1 0x1.f4p+9) (v128.const f32x4 0x1p+2 0x1p-2 -0x1p-2 -0x1.e848p+19)) (v128.const f32x4 -0x1p+1 0x1.ap+1 -0x1p-1 -0x1.e848p+20))
(assert_return (invoke "f32x4.relaxed_madd" (v128.const f32x4 -0 0 0x1.8p+1 0x1p+0) (v128.const f32x4 0x1p+0 -0x1p+0 -0 0x1p+0) (v128.const f32x4 -0 0 -0 -0x1p+0)) (v128.const f32x4 -0 0 -0 0))
(assert_return (invoke "f32x4.relaxed_nmadd" (v128.const f32x4 -0 0 0x1.8p+1 0x1p+0) (v128.const f32x4 0x1p+0 -0x1p+0 -0 0x1p+0) (v128.const f32x4 -0 0 -0 -0x1p+0)) (v128.const f32x4 0 0 0 -0x1p+1))
(assert_return (invoke "f64x2.relaxed_madd" (v128.const f64x2 0x1p+1 -0x1.8p+0) (v128.const f64x2 0x1.8p+1 0x1p+1) (v128.const f64x2 0x1p+2 0x1p-2)) (v128.const f64x2 0x1.4p+3 -0x1.6p+1))
(assert_return (invoke "f64x2.relaxed_nmadd" (v128.const f64x2 0x1p+1 -0x1.8p+0) (v128.const f64x2 0x1.8p+1 0x1p+1) (v128.const f64x2 0x1p+2 0x1p-2)) (v128.const f64x2 -0x1p+1 0x1.ap+1))
(assert_return (invoke "f64x2.relaxed_madd" (v128.const f64x2 0x1p-1 0x1.f4p+9) (v128.const f64x2 0x1p-1 0x1.f4p+9) (v128.const f64x2 -0x1p-2 -0x1.e848p+19)) (v128.const f64x2 0 0))
(assert_return (invoke "f64x2.relaxed_nmadd" (v128.const f64x2 0x1p-1 0x1.f4p+9) (v128.const f64x2 0x1p-1 0x1.f4p+9) (v128.const f64x2 -0x1p-2 -0x1.e848p+19)) (v128.const f64x2 -0x1p-1 -0x1.e848p+20))
(assert_return (invoke "f64x2.relaxed_madd" (v128.const f64x2 -0 0) (v128.const f64x2 0x1p+0 -0x1p+0) (v128.const f64x2 -0 0)) (v128.const f64x2 -0 0))
(assert_return (invoke "f64x2.relaxed_nmadd" (v128.const f64x2 -0 0) (v128.const f64x2 0x1p+0 -0x1p+0) (v128.const f64x2 -0 0)) (v128.const f64x2 0 0))
(assert_return (invoke "f64x2.relaxed_madd" (v128.const f64x2 0x1.8p+1 0x1p+0) (v128.const f64x2 -0 0x1p+0) (v128.const f64x2 -0 -0x1p+0)) (v128.const f64x2 -0 0))
(assert_return (invoke "f64x2.relaxed_nmadd" (v128.const f64x2 0x1.8p+1 0x1p+0) (v128.const f64x2 -0 0x1p+0) (v128.const f64x2 -0 -0x1p+0)) (v128.const f64x2 0 -0x1p+1))
;; Where fused and unfused differ, wasmem rounds the product first: (1+e)(1-e)-1
;; is 0 rather than -e*e, and a product that overflows to infinity meets -inf as
;; a NaN rather than as a finite sum. NaN operands give NaN.
(assert_return (invoke "f32x4.relaxed_madd" (v128.const f32x4 0x1.000002p+0 0x1p+127 0x1.000002p+0 0x1p-126) (v128.const f32x4 0x1.fffffcp-1 0x1p+1 0x1.000002p+0 0x1p-1) (v128.const f32x4 -0x1p+0 -inf -0x1p+0 0x1p-127)) (v128.const f32x4 0 nan:canonical 0x1p-22 0x1p-126))
(assert_return (invoke "f32x4.relaxed_nmadd" (v128.const f32x4 0x1.000002p+0 0x1p+127 0x1.000002p+0 0x1p-126) (v128.const f32x4 0x1.fffffcp-1 0x1p+1 0x1.000002p+0 0x1p-1) (v128.const f32x4 -0x1p+0 -inf -0x1p+0 0x1p-127)) (v128.const f32x4 -0x1p+1 -inf -0x1.000002p+1 0))
(assert_return (invoke "f32x4.relaxed_madd" (v128.const f32x4 0x1p+127 0x1.000002p+0 nan:0x400000 0x1p+0) (v128.const f32x4 0x1p+2 0x1.fffffcp-1 0x1p+0 nan:0x200000) (v128.const f32x4 inf -0x1p+0 0x1p+0 0x1p+0)) (v128.const f32x4 inf 0 nan:canonical nan:arithmetic))
(assert_return (invoke "f32x4.relaxed_nmadd" (v128.const f32x4 0x1p+127 0x1.000002p+0 nan:0x400000 0x1p+0) (v128.const f32x4 0x1p+2 0x1.fffffcp-1 0x1p+0 nan:0x200000) (v128.const f32x4 inf -0x1p+0 0x1p+0 0x1p+0)) (v128.const f32x4 nan:canonical -0x1p+1 nan:canonical nan:arithmetic))
(assert_return (invoke "f64x2.relaxed_madd" (v128.const f64x2 0x1.0000000000001p+0 0x1p+1023) (v128.const f64x2 0x1.ffffffffffffep-1 0x1p+1) (v128.const f64x2 -0x1p+0 -inf)) (v128.const f64x2 0 nan:canonical))
(assert_return (invoke "f64x2.relaxed_nmadd" (v128.const f64x2 0x1.0000000000001p+0 0x1p+1023) (v128.const f64x2 0x1.ffffffffffffep-1 0x1p+1) (v128.const f64x2 -0x1p+0 -inf)) (v128.const f64x2 -0x1p+1 -inf))
(assert_return (invoke "f64x2.relaxed_madd" (v128.const f64x2 0x1.0000000000001p+0 0x1p-1022) (v128.const f64x2 0x1.0000000000001p+0 0x1p-1) (v128.const f64x2 -0x1p+0 0x0.8p-1022)) (v128.const f64x2 0x1p-51 0x1p-1022))
(assert_return (invoke "f64x2.relaxed_nmadd" (v128.const f64x2 0x1.0000000000001p+0 0x1p-1022) (v128.const f64x2 0x1.0000000000001p+0 0x1p-1) (v128.const f64x2 -0x1p+0 0x0.8p-1022)) (v128.const f64x2 -0x1.0000000000001p+1 0))
(assert_return (invoke "f64x2.relaxed_madd" (v128.const f64x2 0x1p+1023 0x1.0000000000001p+0) (v128.const f64x2 0x1p+2 0x1.ffffffffffffep-1) (v128.const f64x2 inf -0x1p+0)) (v128.const f64x2 inf 0))
(assert_return (invoke "f64x2.relaxed_nmadd" (v128.const f64x2 0x1p+1023 0x1.0000000000001p+0) (v128.const f64x2 0x1p+2 0x1.ffffffffffffep-1) (v128.const f64x2 inf -0x1p+0)) (v128.const f64x2 nan:canonical -0x1p+1))
(assert_return (invoke "f64x2.relaxed_madd" (v128.const f64x2 nan:0x8000000000000 0x1p+0) (v128.const f64x2 0x1p+0 nan:0x4000000000000) (v128.const f64x2 0x1p+0 0x1p+0)) (v128.const f64x2 nan:canonical nan:arithmetic))
(assert_return (invoke "f64x2.relaxed_nmadd" (v128.const f64x2 nan:0x8000000000000 0x1p+0) (v128.const f64x2 0x1p+0 nan:0x4000000000000) (v128.const f64x2 0x1p+0 0x1p+0)) (v128.const f64x2 nan:canonical nan:arithmetic))
;; relaxed_laneselect: a mask lane of all ones or all zeros selects the whole
;; lane everywhere; for other masks wasmem selects bit by bit (v128.bitselect).
(assert_return (invoke "i8x16.relaxed_laneselect" (v128.const i8x16 0xcc 0x40 0x53 0x32 0x3d 0x31 0xd2 0xf0 0x1d 0x4a 0x79 0xf3 0x8e 0xff 0x9c 0x3c) (v128.const i8x16 0x25 0x8e 0xa1 0xa9 0x80 0x00 0xd9 0x47 0x07 0xd5 0xf5 0x7f 0x2c 0xca 0xd0 0x30) (v128.const i8x16 0xff 0x00 0xff 0x00 0xff 0x00 0xff 0x00 0xff 0x00 0xff 0x00 0xff 0x00 0xff 0x00)) (v128.const i8x16 0xcc 0x8e 0x53 0xa9 0x3d 0x00 0xd2 0x47 0x1d 0xd5 0x79 0x7f 0x8e 0xca 0x9c 0x30))
(assert_return (invoke "i8x16.relaxed_laneselect" (v128.const i8x16 0xcc 0x40 0x53 0x32 0x3d 0x31 0xd2 0xf0 0x1d 0x4a 0x79 0xf3 0x8e 0xff 0x9c 0x3c) (v128.const i8x16 0x25 0x8e 0xa1 0xa9 0x80 0x00 0xd9 0x47 0x07 0xd5 0xf5 0x7f 0x2c 0xca 0xd0 0x30) (v128.const i8x16 0x80 0x7f 0x5a 0x01 0x81 0xff 0xd5 0x63 0x2e 0x54 0x52 0x1e 0x16 0x8d 0xc7 0x42)) (v128.const i8x16 0xa5 0xc0 0xf3 0xa8 0x01 0x31 0xd8 0x64 0x0d 0xc1 0xf5 0x73 0x2e 0xcf 0x94 0x30))
(assert_return (invoke "i16x8.relaxed_laneselect" (v128.const i16x8 0x88b2 0x783b 0x3479 0x39c0 0x3112 0x1266 0x14b9 0xd86b) (v128.const i16x8 0x333b 0xb27d 0x8f62 0xe6b1 0x7009 0x9866 0xb44a 0x89eb) (v128.const i16x8 0xffff 0x0000 0xffff 0x0000 0xffff 0x0000 0xffff 0x0000)) (v128.const i16x8 0x88b2 0xb27d 0x3479 0xe6b1 0x3112 0x9866 0x14b9 0x89eb))
(assert_return (invoke "i16x8.relaxed_laneselect" (v128.const i16x8 0x88b2 0x783b 0x3479 0x39c0 0x3112 0x1266 0x14b9 0xd86b) (v128.const i16x8 0x333b 0xb27d 0x8f62 0xe6b1 0x7009 0x9866 0xb44a 0x89eb) (v128.const i16x8 0x8000 0x7fff 0x5a5a 0x0001 0x1388 0x198f 0xd6e8 0xcd28)) (v128.const i16x8 0xb33b 0xf83b 0x9578 0xe6b0 0x7101 0x9066 0x34aa 0xc8eb))
(assert_return (invoke "i32x4.relaxed_laneselect" (v128.const i32x4 0xfb69e070 0xb517da60 0xbd5ce366 0x36480de2) (v128.const i32x4 0xbe3e00fc 0x54313a3b 0xd988d7c6 0x1677cffc) (v128.const i32x4 0xffffffff 0x00000000 0xffffffff 0x00000000)) (v128.const i32x4 0xfb69e070 0x54313a3b 0xbd5ce366 0x1677cffc))
(assert_return (invoke "i32x4.relaxed_laneselect" (v128.const i32x4 0xfb69e070 0xb517da60 0xbd5ce366 0x36480de2) (v128.const i32x4 0xbe3e00fc 0x54313a3b 0xd988d7c6 0x1677cffc) (v128.const i32x4 0x80000000 0x7fffffff 0x5a5a5a5a 0x00000001)) (v128.const i32x4 0xbe3e00fc 0x3517da60 0x99d8c7c6 0x1677cffc))
(assert_return (invoke "i64x2.relaxed_laneselect" (v128.const i64x2 0x93af0473184cf29a 0xd3cdfaf77613b8c0) (v128.const i64x2 0xeab7658c144f0b6a 0xc8c0817cc814db98) (v128.const i64x2 0xffffffffffffffff 0x0000000000000000)) (v128.const i64x2 0x93af0473184cf29a 0xc8c0817cc814db98))
(assert_return (invoke "i64x2.relaxed_laneselect" (v128.const i64x2 0x93af0473184cf29a 0xd3cdfaf77613b8c0) (v128.const i64x2 0xeab7658c144f0b6a 0xc8c0817cc814db98) (v128.const i64x2 0x8000000000000000 0x7fffffffffffffff)) (v128.const i64x2 0xeab7658c144f0b6a 0xd3cdfaf77613b8c0))
;; relaxed_min/max: ordinary operands agree everywhere; with a NaN or with zeros
;; of opposite signs wasmem gives what f32x4/f64x2.min/max give.
(assert_return (invoke "f32x4.relaxed_min" (v128.const f32x4 0x1p+0 -0x1p+0 inf 0x1p-149) (v128.const f32x4 0x1p+1 -0x1p-1 -0x1.8p+1 0)) (v128.const f32x4 0x1p+0 -0x1p+0 -0x1.8p+1 0))
(assert_return (invoke "f32x4.relaxed_max" (v128.const f32x4 0x1p+0 -0x1p+0 inf 0x1p-149) (v128.const f32x4 0x1p+1 -0x1p-1 -0x1.8p+1 0)) (v128.const f32x4 0x1p+1 -0x1p-1 inf 0x1p-149))
(assert_return (invoke "f32x4.relaxed_min" (v128.const f32x4 nan:0x400000 0x1p+0 -0 0) (v128.const f32x4 0x1p+0 nan:0x200000 0 -0)) (v128.const f32x4 nan:canonical nan:arithmetic -0 -0))
(assert_return (invoke "f32x4.relaxed_max" (v128.const f32x4 nan:0x400000 0x1p+0 -0 0) (v128.const f32x4 0x1p+0 nan:0x200000 0 -0)) (v128.const f32x4 nan:canonical nan:arithmetic 0 0))
(assert_return (invoke "f64x2.relaxed_min" (v128.const f64x2 0x1p+0 -0x1p+0) (v128.const f64x2 0x1p+1 -0x1p-1)) (v128.const f64x2 0x1p+0 -0x1p+0))
(assert_return (invoke "f64x2.relaxed_max" (v128.const f64x2 0x1p+0 -0x1p+0) (v128.const f64x2 0x1p+1 -0x1p-1)) (v128.const f64x2 0x1p+1 -0x1p-1))
(assert_return (invoke "f64x2.relaxed_min" (v128.const f64x2 inf 0x0.0000000000001p-1022) (v128.const f64x2 -0x1.8p+1 0)) (v128.const f64x2 -0x1.8p+1 0))
(assert_return (invoke "f64x2.relaxed_max" (v128.const f64x2 inf 0x0.0000000000001p-1022) (v128.const f64x2 -0x1.8p+1 0)) (v128.const f64x2 inf 0x0.0000000000001p-1022))
(assert_return (invoke "f64x2.relaxed_min" (v128.const f64x2 nan:0x8000000000000 0x1p+0) (v128.const f64x2 0x1p+0 nan:0x4000000000000)) (v128.const f64x2 nan:canonical nan:arithmetic))
(assert_return (invoke "f64x2.relaxed_max" (v128.const f64x2 nan:0x8000000000000 0x1p+0) (v128.const f64x2 0x1p+0 nan:0x4000000000000)) (v128.const f64x2 nan:canonical nan:arithmetic))
(assert_return (invoke "f64x2.relaxed_min" (v128.const f64x2 -0 0) (v128.const f64x2 0 -0)) (v128.const f64x2 -0 -0))
(assert_return (invoke "f64x2.relaxed_max" (v128.const f64x2 -0 0) (v128.const f64x2 0 -0)) (v128.const f64x2 0 0))
;; relaxed_q15mulr_s: only -32768 * -32768 is implementation-defined; wasmem
;; saturates it to 32767 like q15mulr_sat_s.
(assert_return (invoke "i16x8.relaxed_q15mulr_s" (v128.const i16x8 16384 -16384 32767 -32767 1 -1 12345 -20000) (v128.const i16x8 16384 16384 32767 32767 16384 16384 11215 -20000)) (v128.const i16x8 8192 -8192 32766 -32766 1 0 4225 12207))
(assert_return (invoke "i16x8.relaxed_q15mulr_s" (v128.const i16x8 -32768 -32768 -32768 0 -32768 100 -32768 -32768) (v128.const i16x8 -32768 32767 -32767 -32768 1 -32768 -32768 0)) (v128.const i16x8 32767 -32767 32767 0 -1 -100 32767 0))
(assert_return (invoke "madd-twice-equal" (v128.const f32x4 0x1.000002p0 3 -1 0x1p100)
                                          (v128.const f32x4 0x1.fffffcp-1 0.1 -1 0x1p-100)
                                          (v128.const f32x4 -1 1e-8 0.5 -1))
               (i32.const 1))

;; Relaxed instructions validate like the others.
(assert_invalid (module (func (result v128) (f32x4.relaxed_madd (v128.const i64x2 0 0) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128)
  (i32x4.relaxed_laneselect (v128.const i64x2 0 0) (v128.const i64x2 0 0) (i32.const -1)))) "type mismatch")
(assert_invalid (module (func (result v128) (i8x16.relaxed_swizzle (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i32x4.relaxed_trunc_f32x4_s (v128.const i64x2 0 0)))) "type mismatch")

;; The dot products, in a binary module: i16x8.relaxed_dot_i8x16_i7x16_s,
;; i32x4.relaxed_dot_i8x16_i7x16_add_s, and the second computed by parts.
(module binary
  "\00asm" "\01\00\00\00"
  ;; types: 0 = [v128 v128] -> [v128], 1 = [v128 v128 v128] -> [v128]
  "\01\0e\02" "\60\02\7b\7b\01\7b" "\60\03\7b\7b\7b\01\7b"
  ;; functions: types 0, 1, 1
  "\03\04\03\00\01\01"
  ;; exports
  "\07\5c\03"
  "\1f" "i16x8.relaxed_dot_i8x16_i7x16_s" "\00\00"
  "\23" "i32x4.relaxed_dot_i8x16_i7x16_add_s" "\00\01"
  "\10" "dot_add-by-parts" "\00\02"
  ;; code
  "\0a\28\03"
  ;; local.get 0, local.get 1, i16x8.relaxed_dot_i8x16_i7x16_s (0xfd 0x112)
  "\09\00" "\20\00\20\01" "\fd\92\02" "\0b"
  ;; local.get 0, 1, 2, i32x4.relaxed_dot_i8x16_i7x16_add_s (0xfd 0x113)
  "\0b\00" "\20\00\20\01\20\02" "\fd\93\02" "\0b"
  ;; the same by its definition: relaxed_dot, i32x4.extadd_pairwise_i16x8_s
  ;; (0xfd 0x7e), local.get 2, i32x4.add (0xfd 0xae)
  "\10\00" "\20\00\20\01" "\fd\92\02" "\fd\7e" "\20\02" "\fd\ae\01" "\0b")
;; Second operands in 0..127 (the "i7" range) give the same result everywhere.
;; (wabt 1.0.32's interpreter gets i32x4.relaxed_dot_i8x16_i7x16_add_s wrong,
;; even here; dot_add-by-parts reaches the same expected values through the
;; instruction's definition, which wabt does compute.)
(assert_return (invoke "i16x8.relaxed_dot_i8x16_i7x16_s" (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)) (v128.const i16x8 1 13 41 85 145 221 313 421))
(assert_return (invoke "i16x8.relaxed_dot_i8x16_i7x16_s" (v128.const i8x16 -128 -128 127 127 -1 -1 0 5 100 -100 -50 50 7 -7 1 -1) (v128.const i8x16 127 127 127 127 127 0 99 3 1 1 2 2 127 127 64 64)) (v128.const i16x8 -32512 32258 -127 15 0 0 0 0))
(assert_return (invoke "i16x8.relaxed_dot_i8x16_i7x16_s" (v128.const i8x16 -74 11 99 -66 51 -100 78 -2 -16 113 78 -58 68 -122 -111 -102) (v128.const i8x16 126 10 91 110 30 65 125 14 120 24 37 76 23 4 124 90)) (v128.const i16x8 -9214 1749 -4970 9722 792 -1522 1076 -22944))
(assert_return (invoke "i32x4.relaxed_dot_i8x16_i7x16_add_s" (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (v128.const i32x4 0 1 2 3)) (v128.const i32x4 14 127 368 737))
(assert_return (invoke "dot_add-by-parts" (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (v128.const i32x4 0 1 2 3)) (v128.const i32x4 14 127 368 737))
(assert_return (invoke "i32x4.relaxed_dot_i8x16_i7x16_add_s" (v128.const i8x16 -128 -128 127 127 -1 -1 0 5 100 -100 -50 50 7 -7 1 -1) (v128.const i8x16 127 127 127 127 127 0 99 3 1 1 2 2 127 127 64 64) (v128.const i32x4 1 -1 2147483647 -2147483648)) (v128.const i32x4 -253 -113 2147483647 -2147483648))
(assert_return (invoke "dot_add-by-parts" (v128.const i8x16 -128 -128 127 127 -1 -1 0 5 100 -100 -50 50 7 -7 1 -1) (v128.const i8x16 127 127 127 127 127 0 99 3 1 1 2 2 127 127 64 64) (v128.const i32x4 1 -1 2147483647 -2147483648)) (v128.const i32x4 -253 -113 2147483647 -2147483648))
(assert_return (invoke "i32x4.relaxed_dot_i8x16_i7x16_add_s" (v128.const i8x16 -74 11 99 -66 51 -100 78 -2 -16 113 78 -58 68 -122 -111 -102) (v128.const i8x16 126 10 91 110 30 65 125 14 120 24 37 76 23 4 124 90) (v128.const i32x4 -327864104 -793288726 -1070476741 1784465482)) (v128.const i32x4 -327871569 -793283974 -1070477471 1784443614))
(assert_return (invoke "dot_add-by-parts" (v128.const i8x16 -74 11 99 -66 51 -100 78 -2 -16 113 78 -58 68 -122 -111 -102) (v128.const i8x16 126 10 91 110 30 65 125 14 120 24 37 76 23 4 124 90) (v128.const i32x4 -327864104 -793288726 -1070476741 1784465482)) (v128.const i32x4 -327871569 -793283974 -1070477471 1784443614))
;; A second operand of 128..255 is implementation-defined: read as signed or as
;; unsigned. wasmem reads it as signed, so both operands are signed bytes. The
;; pair sums saturate to i16 (iadd_sat, in the 3.0 definition), which matters
;; only for -128*-128 + -128*-128 = 32768 -> 32767; dot_add adds those saturated
;; pair sums pairwise and then the accumulator (wrapping). wabt 1.0.32 wraps
;; the pair sums instead (giving -32768), so it fails the first two dot and
;; the first two by-parts assertions below, besides every direct dot_add one.
(assert_return (invoke "i16x8.relaxed_dot_i8x16_i7x16_s" (v128.const i8x16 -128 -128 -128 -128 1 1 -128 127 2 3 -1 -1 0 0 0 0) (v128.const i8x16 -128 -128 -127 -127 -1 -1 -1 -1 -2 -3 -128 -128 0 0 0 0)) (v128.const i16x8 32767 32512 -2 1 -13 256 0 0))
(assert_return (invoke "i16x8.relaxed_dot_i8x16_i7x16_s" (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128) (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128)) (v128.const i16x8 32767 32767 32767 32767 32767 32767 32767 32767))
(assert_return (invoke "i16x8.relaxed_dot_i8x16_i7x16_s" (v128.const i8x16 -128 -97 118 -54 -115 -124 -6 -83 110 -70 71 115 -76 -59 -6 5) (v128.const i8x16 -21 -84 -46 -44 -52 -116 -103 -9 66 85 122 9 -76 113 84 23)) (v128.const i16x8 10836 -3052 20364 1365 1310 9697 -891 -389))
(assert_return (invoke "i32x4.relaxed_dot_i8x16_i7x16_add_s" (v128.const i8x16 -128 -128 -128 -128 1 1 -128 127 2 3 -1 -1 0 0 0 0) (v128.const i8x16 -128 -128 -127 -127 -1 -1 -1 -1 -2 -3 -128 -128 0 0 0 0) (v128.const i32x4 1 2 3 4)) (v128.const i32x4 65280 1 246 4))
(assert_return (invoke "dot_add-by-parts" (v128.const i8x16 -128 -128 -128 -128 1 1 -128 127 2 3 -1 -1 0 0 0 0) (v128.const i8x16 -128 -128 -127 -127 -1 -1 -1 -1 -2 -3 -128 -128 0 0 0 0) (v128.const i32x4 1 2 3 4)) (v128.const i32x4 65280 1 246 4))
(assert_return (invoke "i32x4.relaxed_dot_i8x16_i7x16_add_s" (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128) (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128) (v128.const i32x4 2147483647 -1 0 -2147483648)) (v128.const i32x4 -2147418115 65533 65534 -2147418114))
(assert_return (invoke "dot_add-by-parts" (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128) (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128) (v128.const i32x4 2147483647 -1 0 -2147483648)) (v128.const i32x4 -2147418115 65533 65534 -2147418114))
(assert_return (invoke "i32x4.relaxed_dot_i8x16_i7x16_add_s" (v128.const i8x16 -128 -97 118 -54 -115 -124 -6 -83 110 -70 71 115 -76 -59 -6 5) (v128.const i8x16 -21 -84 -46 -44 -52 -116 -103 -9 66 85 122 9 -76 113 84 23) (v128.const i32x4 -1971585190 1186514545 1235378828 1948788444)) (v128.const i32x4 -1971577406 1186536274 1235389835 1948787164))
(assert_return (invoke "dot_add-by-parts" (v128.const i8x16 -128 -97 118 -54 -115 -124 -6 -83 110 -70 71 115 -76 -59 -6 5) (v128.const i8x16 -21 -84 -46 -44 -52 -116 -103 -9 66 85 122 9 -76 113 84 23) (v128.const i32x4 -1971585190 1186514545 1235378828 1948788444)) (v128.const i32x4 -1971577406 1186536274 1235389835 1948787164))
