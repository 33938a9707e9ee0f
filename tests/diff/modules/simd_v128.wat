;; SPDX-License-Identifier: MIT
;; simd_v128.wat -- exports whose parameters and results are v128 itself,
;; so that the cases go through `wasmem call`'s SHAPE:LANES arguments and
;; its i32x4 result printing (v8_call.js reaches them through a wrapper).
(module
  (memory 1)
  (data (i32.const 0) "\00\11\22\33\44\55\66\77\88\99\aa\bb\cc\dd\ee\ff")
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "i32x4_add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func (export "i8x16_sub_sat_u") (param v128 v128) (result v128) (i8x16.sub_sat_u (local.get 0) (local.get 1)))
  (func (export "f32x4_mul") (param v128 v128) (result v128) (f32x4.mul (local.get 0) (local.get 1)))
  (func (export "f64x2_bits") (param v128) (result i64 i64)
    (i64x2.extract_lane 0 (local.get 0)) (i64x2.extract_lane 1 (local.get 0)))
  (func (export "bitmask") (param v128) (result i32) (i8x16.bitmask (local.get 0)))
  (func (export "splat") (param i64) (result v128) (i64x2.splat (local.get 0)))
  (func (export "mixed") (param i32 v128 f64 v128) (result v128 i32 v128 f64)
    (i32x4.add (local.get 1) (i32x4.splat (local.get 0)))
    (i32.add (local.get 0) (i32x4.extract_lane 3 (local.get 3)))
    (i16x8.mul (local.get 1) (local.get 3))
    (f64.add (local.get 2) (f64x2.extract_lane 1 (local.get 3))))
  (func (export "load_at_lane0") (param v128) (result v128)
    (v128.load offset=0 align=1 (i32x4.extract_lane 0 (local.get 0))))
  (func (export "none") (result v128) (v128.const i8x16 -1 0 1 127 -128 2 3 4 5 6 7 8 9 10 11 12)))
