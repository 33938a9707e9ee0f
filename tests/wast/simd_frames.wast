;; SPDX-License-Identifier: MIT
;; simd_frames.wast -- v128 values in every place a value can live: locals
;; next to scalars, params and results in mixed order, multi-value returns,
;; globals, select (typed and untyped), block/loop/if params and results,
;; br/br_if/br_table carrying v128 values, call_indirect, deep operand stacks
;; across calls, and deep recursion. A v128 takes more room than a scalar in
;; a frame, so every test mixes the two and checks each value came through.
(module
  (type $vi_v (func (param v128 i32) (result v128)))
  (table 4 funcref)
  (elem (i32.const 0) $add-splat $sub-splat $mixed-fn $v-id)

  (global $gv (mut v128) (v128.const i32x4 1 2 3 4))
  (global $gi (mut i32) (i32.const 7))
  (global $gc v128 (v128.const i64x2 -1 0x0123456789abcdef))
  (global (export "gc") v128 (v128.const f32x4 1.5 -0.0 inf 0x1p-149))
  (global $gw (mut v128) (v128.const i64x2 0 0))
  (global $gl (mut i64) (i64.const 0))

  (func $v-id (param v128) (result v128) (local.get 0))
  (func $add-splat (type $vi_v) (i32x4.add (local.get 0) (i32x4.splat (local.get 1))))
  (func $sub-splat (type $vi_v) (i32x4.sub (local.get 0) (i32x4.splat (local.get 1))))
  (func $splat-add (param i32 v128) (result v128) (i32x4.add (local.get 1) (i32x4.splat (local.get 0))))
  (func $mixed-fn (type $vi_v) (i8x16.replace_lane 15 (local.get 0) (local.get 1)))

  ;; Every param comes back, in reverse order.
  (func $rev (export "reverse")
    (param i32 v128 i64 v128 f32 v128 f64 i32 v128 v128 i64)
    (result i64 v128 v128 i32 f64 v128 f32 v128 i64 v128 i32)
    (local.get 10) (local.get 9) (local.get 8) (local.get 7) (local.get 6) (local.get 5)
    (local.get 4) (local.get 3) (local.get 2) (local.get 1) (local.get 0))
  (func $rev-back
    (param i64 v128 v128 i32 f64 v128 f32 v128 i64 v128 i32)
    (result i32 v128 i64 v128 f32 v128 f64 i32 v128 v128 i64)
    (local.get 10) (local.get 9) (local.get 8) (local.get 7) (local.get 6) (local.get 5)
    (local.get 4) (local.get 3) (local.get 2) (local.get 1) (local.get 0))
  ;; Results of one call fed straight into the next: the identity.
  (func (export "reverse-twice")
    (param i32 v128 i64 v128 f32 v128 f64 i32 v128 v128 i64)
    (result i32 v128 i64 v128 f32 v128 f64 i32 v128 v128 i64)
    (call $rev-back
      (call $rev (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                 (local.get 6) (local.get 7) (local.get 8) (local.get 9) (local.get 10))))

  ;; A callee that depends on every argument and its position.
  (func $weigh (param v128 i32 v128 v128 i64 v128 i32 v128 f64 v128) (result v128)
    (i32x4.add
      (i32x4.add
        (i32x4.add (local.get 0) (i32x4.mul (local.get 2) (i32x4.splat (i32.const 2))))
        (i32x4.add (i32x4.mul (local.get 3) (i32x4.splat (i32.const 3)))
                   (i32x4.mul (local.get 5) (i32x4.splat (i32.const 4)))))
      (i32x4.add
        (i32x4.add (i32x4.mul (local.get 7) (i32x4.splat (i32.const 5)))
                   (i32x4.mul (local.get 9) (i32x4.splat (i32.const 6))))
        (i32x4.replace_lane 0
          (i32x4.replace_lane 1
            (i32x4.replace_lane 2
              (i32x4.splat (i32.trunc_f64_s (local.get 8)))
              (i32.wrap_i64 (local.get 4)))
            (local.get 6))
          (local.get 1)))))
  (func (export "weigh") (param v128 i32 v128 v128 i64 v128 i32 v128 f64 v128) (result v128)
    (call $weigh (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                 (local.get 5) (local.get 6) (local.get 7) (local.get 8) (local.get 9)))
  ;; The same call with its arguments computed in place, and with values of
  ;; the caller left on the operand stack underneath it.
  (func (export "weigh-inline") (result v128)
    (i32x4.sub
      (v128.const i32x4 1000 2000 3000 4000)
      (call $weigh
        (v128.const i32x4 1 1 1 1) (i32.const 10) (v128.const i32x4 1 2 3 4) (v128.const i32x4 0 0 0 1)
        (i64.const 0x100000020) (v128.const i32x4 2 0 0 0) (i32.const 30) (v128.const i32x4 0 1 0 0)
        (f64.const 40.9) (v128.const i32x4 -1 -1 -1 -1))))

  ;; Locals: defaults are zero, and writing one never touches a neighbour.
  (func (export "locals") (result i32 v128 i64 v128 f32 v128 i32)
    (local $a i32) (local $b v128) (local $c i64) (local $d v128) (local $e f32) (local $f v128) (local $g i32)
    (local.set $a (i32.const -1))
    (local.set $c (i64.const -1))
    (local.set $e (f32.const -1))
    (local.set $g (i32.const -1))
    (local.set $d (v128.const i32x4 5 6 7 8))
    (local.get $a) (local.get $b) (local.get $c) (local.get $d) (local.get $e) (local.get $f) (local.get $g))
  (func (export "locals-tee") (param v128 i32) (result v128 v128 i32)
    (local v128 i32 v128)
    (local.set 4 (local.tee 2 (i32x4.add (local.get 0) (local.get 0))))
    (local.set 3 (i32.add (local.get 1) (i32.const 1)))
    (local.set 2 (v128.not (local.get 2)))
    (local.get 2) (local.get 4) (local.get 3))
  ;; Many v128 locals rotated in a loop: each must keep its own slot.
  (func (export "rotate-locals") (param i32) (result v128 v128 v128 v128 v128 v128)
    (local v128 v128 v128 v128 v128 v128 v128)
    (local.set 1 (v128.const i32x4 1 1 1 1))
    (local.set 2 (v128.const i32x4 2 2 2 2))
    (local.set 3 (v128.const i32x4 3 3 3 3))
    (local.set 4 (v128.const i32x4 4 4 4 4))
    (local.set 5 (v128.const i32x4 5 5 5 5))
    (local.set 6 (v128.const i32x4 6 6 6 6))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set 7 (local.get 1))
        (local.set 1 (local.get 2))
        (local.set 2 (local.get 3))
        (local.set 3 (local.get 4))
        (local.set 4 (local.get 5))
        (local.set 5 (local.get 6))
        (local.set 6 (local.get 7))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $l)))
    (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6))

  (func (export "global-rw") (param v128 i32) (result v128 i32 v128)
    (global.get $gv)
    (global.set $gv (local.get 0))
    (global.set $gi (local.get 1))
    (global.get $gi) (global.get $gv))
  (func (export "global-const") (result v128) (global.get $gc))
  ;; Neighbouring globals of other types stay intact.
  (func (export "global-neighbours") (result i64 v128)
    (global.set $gl (i64.const 0x1122334455667788))
    (global.set $gw (v128.const i64x2 -1 -1))
    (global.get $gl) (global.get $gw))

  (func (export "select-typed") (param v128 v128 i32) (result v128)
    (select (result v128) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "select-untyped") (param v128 v128 i32) (result v128)
    (select (local.get 0) (local.get 1) (local.get 2)))
  (func (export "select-mixed") (param i32 v128 i64) (result i64 v128 i32)
    (select (local.get 2) (i64.const 0) (local.get 0))
    (select (result v128) (local.get 1) (v128.const i32x4 0 0 0 0) (local.get 0))
    (select (result i32) (i32.const 100) (i32.const 200) (local.get 0)))

  (func (export "block-params") (param v128 i32) (result v128 i32 v128)
    (local.get 0) (local.get 1)
    (block (param v128 i32) (result v128 i32 v128)
      (call $add-splat)
      (i32.const 42)
      (v128.const i16x8 1 2 3 4 5 6 7 8)))
  (func (export "if-params") (param v128 i32) (result v128)
    (local.get 0)
    (if (param v128) (result v128) (local.get 1)
      (then (i32x4.neg))
      (else (v128.not))))
  (func (export "loop-params") (param i32) (result v128 i32)
    ;; Sums splat(k) for k = n..1, the accumulator and the counter carried by the loop.
    (v128.const i32x4 0 0 0 0) (local.get 0)
    (loop $l (param v128 i32) (result v128 i32)
      (local.set 0)
      (i32x4.add (i32x4.splat (local.get 0)))
      (local.get 0)
      (if (param v128 i32) (result v128 i32) (i32.gt_u (local.get 0) (i32.const 1))
        (then (drop) (i32.sub (local.get 0) (i32.const 1)) (br $l))
        (else (drop) (i32.const -1)))))

  (func (export "br-v128") (param i32) (result v128 i32)
    (block $b (result v128 i32)
      (v128.const i32x4 1 1 1 1) (i32.const 1)
      (br_if $b (local.get 0))
      (drop) (drop)
      (v128.const i32x4 2 2 2 2) (i32.const 2)))
  (func (export "br_if-v128") (param v128 i32) (result v128)
    (block $b (result v128)
      (drop (br_if $b (local.get 0) (local.get 1)))
      (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9)))
  (func (export "br_table-v128") (param v128 i32) (result v128 i32)
    (block $b2 (result v128 i32)
      (block $b1 (result v128 i32)
        (block $b0 (result v128 i32)
          (local.get 0) (i32.const 0)
          (br_table $b0 $b1 $b2 (local.get 1)))
        ;; From $b0: negate, tag 10.
        (drop) (i32x4.neg) (i32.const 10) (return))
      ;; From $b1: add one, tag 11.
      (drop) (i32x4.add (v128.const i32x4 1 1 1 1)) (i32.const 11) (return))
    ;; From $b2 (and the default): unchanged, tag 12.
    (drop) (i32.const 12))
  ;; A branch out of nested blocks drops the values between.
  (func (export "br-nested-drop") (result v128)
    (block $out (result v128)
      (v128.const i32x4 9 9 9 9)
      (block (result v128 i32)
        (v128.const i32x4 1 2 3 4)
        (i64.const 5) (drop)
        (v128.const i32x4 5 6 7 8)
        (br $out))
      (drop) (drop)))
  (func (export "return-deep") (param v128) (result v128 i32)
    (block (block (block
      (if (i32x4.all_true (local.get 0))
        (then (return (i32x4.mul (local.get 0) (local.get 0)) (i32.const 1)))))))
    (local.get 0) (i32.const 0))

  (func (export "call_indirect") (param v128 i32 i32) (result v128)
    (call_indirect (type $vi_v) (local.get 0) (local.get 1) (local.get 2)))

  ;; Sixteen v128 values live on the operand stack, a call on top of them.
  (func (export "deep-stack") (result v128)
    (v128.const i32x4 1 0 0 0) (v128.const i32x4 2 0 0 0) (v128.const i32x4 3 0 0 0) (v128.const i32x4 4 0 0 0)
    (v128.const i32x4 5 0 0 0) (v128.const i32x4 6 0 0 0) (v128.const i32x4 7 0 0 0) (v128.const i32x4 8 0 0 0)
    (i32.const 1000)
    (v128.const i32x4 9 0 0 0) (v128.const i32x4 10 0 0 0) (v128.const i32x4 11 0 0 0) (v128.const i32x4 12 0 0 0)
    (v128.const i32x4 13 0 0 0) (v128.const i32x4 14 0 0 0) (v128.const i32x4 15 0 0 0)
    (call $add-splat (v128.const i32x4 0 16 0 0) (i32.const 100))
    ;; Fold with weights so that a swapped or shifted slot changes the sum.
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (call $splat-add)
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add) (i32x4.mul (v128.const i32x4 2 2 2 2))
    (i32x4.add))

  ;; Recursion, the v128 accumulator passed down and the result passed up.
  (func $sum-down (export "sum-down") (param i32 v128) (result v128)
    (if (result v128) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (call $sum-down (i32.sub (local.get 0) (i32.const 1))
                            (i32x4.add (local.get 1) (i32x4.splat (local.get 0)))))))
  (func $sum-up (export "sum-up") (param i32) (result v128 i32)
    (local v128 i32)
    (if (result v128 i32) (i32.eqz (local.get 0))
      (then (v128.const i64x2 0 0) (i32.const 0))
      (else
        (call $sum-up (i32.sub (local.get 0) (i32.const 1)))
        (local.set 2) (local.set 1)
        (i64x2.add (local.get 1) (i64x2.splat (i64.extend_i32_u (local.get 0))))
        (i32.add (local.get 2) (i32.const 1)))))
  (func $forever (export "forever") (param v128 i32 v128) (result v128)
    (call $forever (local.get 2) (local.get 1) (local.get 0)))
)

(register "frames")

(assert_return
  (invoke "reverse" (i32.const 1) (v128.const i32x4 2 3 4 5) (i64.const 6) (v128.const i64x2 7 8)
                    (f32.const 9.5) (v128.const f32x4 10 11 12 13) (f64.const 14.5) (i32.const 15)
                    (v128.const i16x8 16 17 18 19 20 21 22 23) (v128.const i8x16 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39)
                    (i64.const 40))
  (i64.const 40) (v128.const i8x16 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39) (v128.const i16x8 16 17 18 19 20 21 22 23)
  (i32.const 15) (f64.const 14.5) (v128.const f32x4 10 11 12 13) (f32.const 9.5) (v128.const i64x2 7 8)
  (i64.const 6) (v128.const i32x4 2 3 4 5) (i32.const 1))
(assert_return
  (invoke "reverse-twice" (i32.const -1) (v128.const i32x4 -2 -3 -4 -5) (i64.const -6) (v128.const i64x2 -7 -8)
                          (f32.const -9.5) (v128.const f64x2 -10 -11) (f64.const -14.5) (i32.const -15)
                          (v128.const i64x2 0x7fffffffffffffff 0x8000000000000000) (v128.const i64x2 0 -1)
                          (i64.const -40))
  (i32.const -1) (v128.const i32x4 -2 -3 -4 -5) (i64.const -6) (v128.const i64x2 -7 -8)
  (f32.const -9.5) (v128.const f64x2 -10 -11) (f64.const -14.5) (i32.const -15)
  (v128.const i64x2 0x7fffffffffffffff 0x8000000000000000) (v128.const i64x2 0 -1) (i64.const -40))

;; 1*a + 2*c + 3*d + 4*f + 5*h + 6*j + (b, g, low32(e), trunc(i)) in lanes 0..3.
(assert_return
  (invoke "weigh" (v128.const i32x4 1 1 1 1) (i32.const 10) (v128.const i32x4 1 2 3 4) (v128.const i32x4 0 0 0 1)
                  (i64.const 0x100000020) (v128.const i32x4 2 0 0 0) (i32.const 30) (v128.const i32x4 0 1 0 0)
                  (f64.const 40.9) (v128.const i32x4 -1 -1 -1 -1))
  (v128.const i32x4 15 34 33 46))
(assert_return (invoke "weigh-inline") (v128.const i32x4 985 1966 2967 3954))

(assert_return (invoke "locals")
  (i32.const -1) (v128.const i64x2 0 0) (i64.const -1) (v128.const i32x4 5 6 7 8) (f32.const -1)
  (v128.const i64x2 0 0) (i32.const -1))
(assert_return (invoke "locals-tee" (v128.const i32x4 1 2 3 0x80000000) (i32.const 41))
  (v128.const i32x4 -3 -5 -7 -1) (v128.const i32x4 2 4 6 0) (i32.const 42))
(assert_return (invoke "rotate-locals" (i32.const 0))
  (v128.const i32x4 1 1 1 1) (v128.const i32x4 2 2 2 2) (v128.const i32x4 3 3 3 3)
  (v128.const i32x4 4 4 4 4) (v128.const i32x4 5 5 5 5) (v128.const i32x4 6 6 6 6))
(assert_return (invoke "rotate-locals" (i32.const 2))
  (v128.const i32x4 3 3 3 3) (v128.const i32x4 4 4 4 4) (v128.const i32x4 5 5 5 5)
  (v128.const i32x4 6 6 6 6) (v128.const i32x4 1 1 1 1) (v128.const i32x4 2 2 2 2))
(assert_return (invoke "rotate-locals" (i32.const 601))
  (v128.const i32x4 2 2 2 2) (v128.const i32x4 3 3 3 3) (v128.const i32x4 4 4 4 4)
  (v128.const i32x4 5 5 5 5) (v128.const i32x4 6 6 6 6) (v128.const i32x4 1 1 1 1))

(assert_return (invoke "global-rw" (v128.const i32x4 9 8 7 6) (i32.const 99))
  (v128.const i32x4 1 2 3 4) (i32.const 99) (v128.const i32x4 9 8 7 6))
(assert_return (invoke "global-rw" (v128.const i64x2 -1 -2) (i32.const 5))
  (v128.const i32x4 9 8 7 6) (i32.const 5) (v128.const i64x2 -1 -2))
(assert_return (invoke "global-const") (v128.const i64x2 -1 0x0123456789abcdef))
(assert_return (get "gc") (v128.const f32x4 1.5 -0.0 inf 0x1p-149))
(assert_return (invoke "global-neighbours") (i64.const 0x1122334455667788) (v128.const i64x2 -1 -1))

(assert_return (invoke "select-typed" (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8) (i32.const 1)) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "select-typed" (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8) (i32.const 0)) (v128.const i32x4 5 6 7 8))
(assert_return (invoke "select-typed" (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8) (i32.const -2)) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "select-untyped" (v128.const i64x2 1 2) (v128.const i64x2 3 4) (i32.const 0x100)) (v128.const i64x2 1 2))
(assert_return (invoke "select-untyped" (v128.const i64x2 1 2) (v128.const i64x2 3 4) (i32.const 0)) (v128.const i64x2 3 4))
(assert_return (invoke "select-mixed" (i32.const 1) (v128.const i32x4 -1 -2 -3 -4) (i64.const 77))
  (i64.const 77) (v128.const i32x4 -1 -2 -3 -4) (i32.const 100))
(assert_return (invoke "select-mixed" (i32.const 0) (v128.const i32x4 -1 -2 -3 -4) (i64.const 77))
  (i64.const 0) (v128.const i32x4 0 0 0 0) (i32.const 200))

(assert_return (invoke "block-params" (v128.const i32x4 1 2 3 4) (i32.const 10))
  (v128.const i32x4 11 12 13 14) (i32.const 42) (v128.const i16x8 1 2 3 4 5 6 7 8))
(assert_return (invoke "if-params" (v128.const i32x4 1 2 3 4) (i32.const 1)) (v128.const i32x4 -1 -2 -3 -4))
(assert_return (invoke "if-params" (v128.const i32x4 1 2 3 4) (i32.const 0)) (v128.const i32x4 -2 -3 -4 -5))
(assert_return (invoke "loop-params" (i32.const 1)) (v128.const i32x4 1 1 1 1) (i32.const -1))
(assert_return (invoke "loop-params" (i32.const 100)) (v128.const i32x4 5050 5050 5050 5050) (i32.const -1))

(assert_return (invoke "br-v128" (i32.const 1)) (v128.const i32x4 1 1 1 1) (i32.const 1))
(assert_return (invoke "br-v128" (i32.const 0)) (v128.const i32x4 2 2 2 2) (i32.const 2))
(assert_return (invoke "br_if-v128" (v128.const i32x4 4 3 2 1) (i32.const 1)) (v128.const i32x4 4 3 2 1))
(assert_return (invoke "br_if-v128" (v128.const i32x4 4 3 2 1) (i32.const 0)) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))
(assert_return (invoke "br_table-v128" (v128.const i32x4 1 2 3 4) (i32.const 0)) (v128.const i32x4 -1 -2 -3 -4) (i32.const 10))
(assert_return (invoke "br_table-v128" (v128.const i32x4 1 2 3 4) (i32.const 1)) (v128.const i32x4 2 3 4 5) (i32.const 11))
(assert_return (invoke "br_table-v128" (v128.const i32x4 1 2 3 4) (i32.const 2)) (v128.const i32x4 1 2 3 4) (i32.const 12))
(assert_return (invoke "br_table-v128" (v128.const i32x4 1 2 3 4) (i32.const -1)) (v128.const i32x4 1 2 3 4) (i32.const 12))
(assert_return (invoke "br-nested-drop") (v128.const i32x4 5 6 7 8))
(assert_return (invoke "return-deep" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 4 9 16) (i32.const 1))
(assert_return (invoke "return-deep" (v128.const i32x4 1 2 0 4)) (v128.const i32x4 1 2 0 4) (i32.const 0))

(assert_return (invoke "call_indirect" (v128.const i32x4 10 20 30 40) (i32.const 5) (i32.const 0)) (v128.const i32x4 15 25 35 45))
(assert_return (invoke "call_indirect" (v128.const i32x4 10 20 30 40) (i32.const 5) (i32.const 1)) (v128.const i32x4 5 15 25 35))
(assert_return (invoke "call_indirect" (v128.const i32x4 10 20 30 40) (i32.const 5) (i32.const 2)) (v128.const i32x4 10 20 30 0x05000028))
(assert_trap (invoke "call_indirect" (v128.const i32x4 10 20 30 40) (i32.const 5) (i32.const 3)) "indirect call type mismatch")
(assert_trap (invoke "call_indirect" (v128.const i32x4 10 20 30 40) (i32.const 5) (i32.const 4)) "undefined element")

(assert_return (invoke "deep-stack") (v128.const i32x4 2225153 2028544 1766400 1766400))

(assert_return (invoke "sum-down" (i32.const 0) (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "sum-down" (i32.const 1000) (v128.const i32x4 0 1 -1 0x7fffffff)) (v128.const i32x4 500500 500501 500499 0x8007a313))
(assert_return (invoke "sum-up" (i32.const 1000)) (v128.const i64x2 500500 500500) (i32.const 1000))
(assert_exhaustion (invoke "forever" (v128.const i32x4 1 2 3 4) (i32.const 0) (v128.const i32x4 5 6 7 8)) "call stack exhausted")
;; The runtime is usable after the exhaustion.
(assert_return (invoke "sum-down" (i32.const 3) (v128.const i32x4 0 0 0 0)) (v128.const i32x4 6 6 6 6))
;; Locals start at zero on every call, even where an earlier call at the same
;; depth left other values in the same stack space.
(module
  (func $dirty (param v128 i32 v128)
    (local v128 i64 v128 f64 v128)
    (local.set 3 (v128.const i64x2 -1 -1))
    (local.set 4 (i64.const -1))
    (local.set 5 (v128.const i64x2 -1 -1))
    (local.set 6 (f64.const -1))
    (local.set 7 (v128.const i64x2 -1 -1)))
  (func $clean (param v128 i32 v128) (result v128 i64 v128 f64 v128)
    (local v128 i64 v128 f64 v128)
    (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7))
  (func (export "dirty-then-clean") (result v128 i64 v128 f64 v128)
    (call $dirty (v128.const i64x2 -1 -1) (i32.const -1) (v128.const i64x2 -1 -1))
    (call $clean (v128.const i64x2 -1 -1) (i32.const -1) (v128.const i64x2 -1 -1)))

  ;; Twenty-four params, v128 and scalars interleaved; the result weighs each.
  (func $many (param v128 i32 v128 v128 i64 v128 f32 v128 v128 v128 i32 v128
                     f64 v128 v128 i64 v128 i32 v128 v128 f32 v128 i32 v128) (result v128)
    (local $acc v128)
    (local.set $acc (local.get 0))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 2)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 3)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 5)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 7)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 8)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 9)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 11)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 13)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 14)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 16)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 18)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 19)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 21)))
    (local.set $acc (i32x4.add (i32x4.shl (local.get $acc) (i32.const 1)) (local.get 23)))
    ;; The scalars go into lane 3, each scaled by its position.
    (i32x4.replace_lane 3 (local.get $acc)
      (i32.add (i32.add (i32.add (i32.mul (local.get 1) (i32.const 1)) (i32.mul (local.get 10) (i32.const 10)))
                        (i32.add (i32.mul (local.get 17) (i32.const 100)) (i32.mul (local.get 22) (i32.const 1000))))
               (i32.add (i32.add (i32.wrap_i64 (i64.mul (local.get 4) (i64.const 10000)))
                                 (i32.wrap_i64 (i64.mul (local.get 15) (i64.const 100000))))
                        (i32.add (i32.trunc_f32_s (f32.mul (local.get 6) (f32.const 1000000)))
                                 (i32.add (i32.trunc_f64_s (f64.mul (local.get 12) (f64.const 10000000)))
                                          (i32.trunc_f32_s (f32.mul (local.get 20) (f32.const 100000000)))))))))
  (func (export "many") (param i32) (result v128)
    (call $many
      (v128.const i32x4 1 0 0 0) (i32.const 1) (v128.const i32x4 0 0 0 0) (v128.const i32x4 1 0 0 0)
      (i64.const 2) (v128.const i32x4 0 1 0 0) (f32.const 3) (v128.const i32x4 1 1 0 0)
      (v128.const i32x4 0 0 1 0) (v128.const i32x4 1 0 1 0) (local.get 0) (v128.const i32x4 0 1 1 0)
      (f64.const 5) (v128.const i32x4 1 1 1 0) (v128.const i32x4 0 0 0 0) (i64.const 6)
      (v128.const i32x4 1 0 0 0) (i32.const 7) (v128.const i32x4 0 1 0 0) (v128.const i32x4 1 1 0 0)
      (f32.const 8) (v128.const i32x4 0 0 1 0) (i32.const 9) (v128.const i32x4 1 0 1 0)))

  ;; A loop carrying three v128 values and a counter, left by br_table.
  (func (export "loop-three") (param i32) (result v128 v128 v128)
    (local $n i32)
    (local.set $n (local.get 0))
    (v128.const i32x4 1 0 0 0) (v128.const i32x4 0 1 0 0) (v128.const i32x4 0 0 1 0)
    (loop $l (param v128 v128 v128) (result v128 v128 v128)
      ;; (a, b, c) -> (b, c, a + b + c)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (call $rot3)
      (block $go (param v128 v128 v128) (result v128 v128 v128)
        (block $stop (param v128 v128 v128) (result v128 v128 v128)
          (br_table $stop $go (i32.gt_s (local.get $n) (i32.const 0))))
        (return))
      (br $l)))
  (func $rot3 (param v128 v128 v128) (result v128 v128 v128)
    (local.get 1) (local.get 2) (i32x4.add (local.get 0) (i32x4.add (local.get 1) (local.get 2))))
)
(assert_return (invoke "dirty-then-clean")
  (v128.const i64x2 0 0) (i64.const 0) (v128.const i64x2 0 0) (f64.const 0) (v128.const i64x2 0 0))
(assert_return (invoke "many" (i32.const 4)) (v128.const i32x4 21845 3276 963 853629741))
(assert_return (invoke "loop-three" (i32.const 1)) (v128.const i32x4 0 1 0 0) (v128.const i32x4 0 0 1 0) (v128.const i32x4 1 1 1 0))
(assert_return (invoke "loop-three" (i32.const 10))
  (v128.const i32x4 44 68 81 0) (v128.const i32x4 81 125 149 0) (v128.const i32x4 149 230 274 0))

;; Imported functions and globals with v128 in their types, across instances.
(module
  (import "frames" "reverse" (func $rev
    (param i32 v128 i64 v128 f32 v128 f64 i32 v128 v128 i64)
    (result i64 v128 v128 i32 f64 v128 f32 v128 i64 v128 i32)))
  (import "frames" "weigh" (func $weigh (param v128 i32 v128 v128 i64 v128 i32 v128 f64 v128) (result v128)))
  (import "frames" "gc" (global $gc v128))
  (global $copy v128 (global.get $gc))
  ;; Calls the import, keeps three of its results and drops the rest.
  (func (export "pick") (result v128 i32 v128)
    (local v128 v128)
    (call $rev (i32.const 1) (v128.const i32x4 2 3 4 5) (i64.const 6) (v128.const i64x2 7 8)
               (f32.const 9.5) (global.get $gc) (f64.const 14.5) (i32.const 15)
               (v128.const i16x8 16 17 18 19 20 21 22 23) (v128.const i8x16 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39)
               (i64.const 40))
    (drop)                      ;; i32 1
    (local.set 0)               ;; v128 i32x4 2 3 4 5
    (drop) (drop) (drop)        ;; i64 6, v128 7 8, f32 9.5
    (local.set 1)               ;; v128 gc
    (drop) (drop) (drop) (drop) ;; f64, i32, v128 i16x8, v128 i8x16
    (drop)                      ;; i64 40
    (local.get 1) (i32.const 3) (local.get 0))
  (func (export "weigh-twice") (param v128) (result v128)
    (call $weigh
      (call $weigh (local.get 0) (i32.const 0) (local.get 0) (local.get 0) (i64.const 0)
                   (local.get 0) (i32.const 0) (local.get 0) (f64.const 0) (local.get 0))
      (i32.const 1) (v128.const i64x2 0 0) (v128.const i64x2 0 0) (i64.const 2) (v128.const i64x2 0 0)
      (i32.const 3) (v128.const i64x2 0 0) (f64.const 4) (v128.const i64x2 0 0)))
  (func (export "copy") (result v128) (global.get $copy))
)
(assert_return (invoke "pick") (v128.const f32x4 1.5 -0.0 inf 0x1p-149) (i32.const 3) (v128.const i32x4 2 3 4 5))
;; 21 times the input, plus (1, 3, 2, 4).
(assert_return (invoke "weigh-twice" (v128.const i32x4 1 -1 100 0)) (v128.const i32x4 22 -18 2102 4))
(assert_return (invoke "copy") (v128.const i32x4 0x3fc00000 0x80000000 0x7f800000 1))

;; A mutable v128 global shared by two instances.
(module
  (global (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (func (export "get") (result v128) (global.get 0)))
(register "owner")
(module
  (import "owner" "g" (global $g (mut v128)))
  (import "owner" "get" (func $get (result v128)))
  (func (export "set-and-read") (param v128) (result v128 v128)
    (global.set $g (local.get 0))
    (call $get) (global.get $g)))
(assert_return (invoke "set-and-read" (v128.const i32x4 5 6 7 8)) (v128.const i32x4 5 6 7 8) (v128.const i32x4 5 6 7 8))
(assert_return (invoke "set-and-read" (v128.const f64x2 -0.0 nan:0x5)) (v128.const i64x2 0x8000000000000000 0x7ff0000000000005)
               (v128.const i64x2 0x8000000000000000 0x7ff0000000000005))

;; Traps deep in calls with v128 values on every frame's stack; afterwards
;; the same functions run normally.
(module
  (func $down (param i32 v128) (result v128)
    (i32x4.add
      (local.get 1)
      (if (result v128) (i32.eqz (local.get 0))
        (then
          ;; i32.div_s traps when the divisor (the low lane) is zero.
          (i32x4.splat (i32.div_s (i32.const 100) (i32x4.extract_lane 0 (local.get 1)))))
        (else (call $down (i32.sub (local.get 0) (i32.const 1)) (i32x4.sub (local.get 1) (v128.const i32x4 1 1 1 1)))))))
  (func (export "down") (param i32 v128) (result v128) (call $down (local.get 0) (local.get 1)))
)
;; 3 levels: 10+9+8+7 in lane 0, plus 100 / 7 at the bottom.
(assert_return (invoke "down" (i32.const 3) (v128.const i32x4 10 20 30 40)) (v128.const i32x4 48 88 128 168))
(assert_trap (invoke "down" (i32.const 10) (v128.const i32x4 10 20 30 40)) "integer divide by zero")
(assert_trap (invoke "down" (i32.const 200) (v128.const i32x4 200 0 0 0)) "integer divide by zero")
(assert_return (invoke "down" (i32.const 3) (v128.const i32x4 10 20 30 40)) (v128.const i32x4 48 88 128 168))
