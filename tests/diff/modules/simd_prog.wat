;; SPDX-License-Identifier: MIT
;; simd_prog.wat -- v128 values moving through a program rather than one
;; instruction: locals (zeroed, many, between scalars), a mutable global,
;; select, block/if/loop results and parameters, br_if and br_table
;; carrying vectors, direct, indirect and recursive calls with v128
;; parameters and multiple results, deep operand stacks, and SIMD loops
;; over memory. Exports take and return scalars (V8 cannot pass a v128 to
;; JS); a v128 comes back as two i64, lanes 0 and 1 of i64x2.
(module
  (type $vv (func (param v128 i32) (result v128)))
  (table 3 funcref)
  (elem (i32.const 0) $dbl $rot $neg)
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\f0\e0\d0\c0\b0\a0\90\80\7f\6f\5f\4f\3f\2f\1f\0f")
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (global $k v128 (v128.const i64x2 0x0123456789abcdef 0xfedcba9876543210))

  (func $v (param i64 i64) (result v128)
    (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))
  (func $r (param v128) (result i64 i64)
    (i64x2.extract_lane 0 (local.get 0)) (i64x2.extract_lane 1 (local.get 0)))

  ;; Declared v128 locals start at zero, whatever the slots held before:
  ;; a first call fills its frame, the second must see zeros again.
  (func $dirty (param i32) (result i32) (local v128 v128 i64 v128)
    (local.set 1 (i32x4.splat (local.get 0)))
    (local.set 2 (i32x4.splat (i32.mul (local.get 0) (i32.const 3))))
    (local.set 3 (i64.const -1))
    (local.set 4 (local.get 2))
    (i32.add (i32x4.extract_lane 3 (local.get 4)) (i32x4.extract_lane 0 (local.get 1))))
  (func $fresh (param i32) (result i32) (local v128 v128 i64 v128)
    (i32.add (i32x4.bitmask (i32x4.eq (local.get 1) (v128.const i32x4 0 0 0 0)))
      (i32.add (i32.wrap_i64 (local.get 3))
        (i32.add (i32x4.extract_lane 2 (local.get 2)) (i32x4.extract_lane 1 (local.get 4))))))
  (func (export "locals_zeroed") (param i32) (result i32 i32)
    (call $dirty (local.get 0)) (call $fresh (local.get 0)))

  ;; Scalars and vectors interleaved in parameters and locals: each keeps
  ;; its own value.
  (func (export "locals_mixed") (param i32 i64 i64 f64) (result i64 i64 i32 f64 i64)
    (local $a v128) (local $x i32) (local $b v128) (local $y i64) (local $c v128) (local $z f32)
    (local.set $a (call $v (local.get 1) (local.get 2)))
    (local.set $x (i32.add (local.get 0) (i32.const 1)))
    (local.set $b (i32x4.add (local.get $a) (i32x4.splat (local.get $x))))
    (local.set $y (i64.add (local.get 1) (i64.const 7)))
    (local.set $c (v128.xor (local.get $b) (i64x2.splat (local.get $y))))
    (local.set $z (f32.demote_f64 (local.get 3)))
    (call $r (i8x16.add (local.get $c) (local.get $a)))
    (i32.add (local.get $x) (i32x4.extract_lane 3 (local.get $b)))
    (f64.add (local.get 3) (f64.promote_f32 (local.get $z)))
    (i64.add (local.get $y) (i64x2.extract_lane 1 (local.get $c))))

  ;; Twenty live vectors at once, each distinct.
  (func (export "many_locals") (param i32) (result i64 i64)
    (local v128 v128 v128 v128 v128 v128 v128 v128 v128 v128
           v128 v128 v128 v128 v128 v128 v128 v128 v128 v128)
    (local.set 1 (i32x4.splat (local.get 0)))
    (local.set 2 (i32x4.add (local.get 1) (local.get 1)))
    (local.set 3 (i32x4.mul (local.get 2) (local.get 1)))
    (local.set 4 (i16x8.sub (local.get 3) (local.get 2)))
    (local.set 5 (v128.xor (local.get 4) (global.get $k)))
    (local.set 6 (i8x16.add (local.get 5) (local.get 1)))
    (local.set 7 (i64x2.mul (local.get 6) (local.get 2)))
    (local.set 8 (i32x4.shl (local.get 7) (i32.const 3)))
    (local.set 9 (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (local.get 8) (local.get 8)))
    (local.set 10 (i16x8.mul (local.get 9) (local.get 3)))
    (local.set 11 (v128.or (local.get 10) (local.get 4)))
    (local.set 12 (i32x4.sub (local.get 11) (local.get 5)))
    (local.set 13 (i8x16.sub_sat_u (local.get 12) (local.get 6)))
    (local.set 14 (i64x2.add (local.get 13) (local.get 7)))
    (local.set 15 (i32x4.max_s (local.get 14) (local.get 8)))
    (local.set 16 (i16x8.min_u (local.get 15) (local.get 9)))
    (local.set 17 (v128.andnot (local.get 16) (local.get 10)))
    (local.set 18 (i8x16.avgr_u (local.get 17) (local.get 11)))
    (local.set 19 (i32x4.add (local.get 18) (local.get 12)))
    (local.set 20 (v128.xor (local.get 19) (local.get 13)))
    ;; Fold all twenty so that every one counts.
    (call $r
      (i64x2.add
        (i64x2.add
          (i64x2.add (i64x2.add (local.get 1) (local.get 2)) (i64x2.add (local.get 3) (local.get 4)))
          (i64x2.add (i64x2.add (local.get 5) (local.get 6)) (i64x2.add (local.get 7) (local.get 8))))
        (i64x2.add
          (i64x2.add
            (i64x2.add (i64x2.add (local.get 9) (local.get 10)) (i64x2.add (local.get 11) (local.get 12)))
            (i64x2.add (i64x2.add (local.get 13) (local.get 14)) (i64x2.add (local.get 15) (local.get 16))))
          (i64x2.add (i64x2.add (local.get 17) (local.get 18)) (i64x2.add (local.get 19) (local.get 20)))))))

  (func (export "global_rw") (param i64 i64) (result i64 i64 i64 i64)
    (global.set $g (i32x4.add (global.get $g) (call $v (local.get 0) (local.get 1))))
    (global.set $g (i32x4.mul (global.get $g) (global.get $g)))
    (call $r (global.get $g))
    (call $r (global.get $k)))

  (func (export "select") (param i64 i64 i64 i64 i32) (result i64 i64)
    (call $r (select (call $v (local.get 0) (local.get 1)) (call $v (local.get 2) (local.get 3))
                     (local.get 4))))
  (func (export "select_typed") (param i64 i64 i64 i64 i32) (result i64 i64)
    (call $r (select (result v128) (call $v (local.get 0) (local.get 1))
                     (call $v (local.get 2) (local.get 3)) (local.get 4))))

  ;; if/else and block results; br_if leaving a vector behind.
  (func (export "if_result") (param i32 i64 i64) (result i64 i64)
    (call $r
      (if (result v128) (local.get 0)
        (then (i8x16.neg (call $v (local.get 1) (local.get 2))))
        (else (i16x8.abs (call $v (local.get 1) (local.get 2)))))))
  (func (export "br_if_value") (param i32 i64 i64) (result i64 i64)
    (call $r
      (block (result v128)
        (drop (br_if 0 (i32x4.splat (i32.const 7)) (local.get 0)))
        (i32x4.add (call $v (local.get 1) (local.get 2)) (v128.const i32x4 1 1 1 1)))))
  (func (export "br_table_value") (param i32 i64 i64) (result i64 i64)
    (local v128)
    (local.set 3 (call $v (local.get 1) (local.get 2)))
    (call $r
      (block $c (result v128)
        (block $b (result v128)
          (block $a (result v128)
            (br_table $a $b $c (local.get 3) (local.get 0)))
          (return (call $r (i8x16.popcnt))))
        (i16x8.shl (i32.const 4)))))

  ;; A loop with a v128 parameter and result: v = v * 3 + rotate(w), n
  ;; rounds (at least one); br_if carries the vector back to the loop.
  (func (export "loop_param") (param i32 i64 i64) (result i64 i64)
    (local $w v128)
    (local.set $w (call $v (local.get 1) (local.get 2)))
    local.get $w
    loop $next (param v128) (result v128)
      v128.const i32x4 3 3 3 3
      i32x4.mul
      (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $w) (local.get $w))
      i32x4.add
      (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
      i32.const 0
      i32.gt_s
      br_if $next
    end
    call $r)

  ;; Calls: vectors between scalars in the parameters, several results.
  (func $mixed (param i32 v128 i64 v128 f32) (result v128 i32 v128)
    (i32x4.add (local.get 1) (i32x4.splat (local.get 0)))
    (i32.add (local.get 0) (i32.wrap_i64 (local.get 2)))
    (f32x4.mul (local.get 3) (f32x4.splat (local.get 4))))
  (func (export "call_mixed") (param i32 i64 i64 i64 f32) (result i64 i64 i32 i64 i64)
    (local v128 v128 i32)
    (call $mixed (local.get 0) (call $v (local.get 1) (local.get 2)) (local.get 3)
                 (call $v (local.get 2) (local.get 1)) (local.get 4))
    (local.set 6)
    (local.set 7)
    (local.set 5)
    (call $r (local.get 5)) (local.get 7) (call $r (local.get 6)))
  (func $dbl (type $vv) (i32x4.shl (local.get 0) (local.get 1)))
  (func $rot (type $vv)
    (i8x16.swizzle (local.get 0)
      (i8x16.add (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
                 (i8x16.splat (local.get 1)))))
  (func $neg (type $vv) (i64x2.neg (local.get 0)))
  (func (export "call_indirect") (param i32 i64 i64 i32) (result i64 i64)
    (call $r (call_indirect (type $vv) (call $v (local.get 1) (local.get 2)) (local.get 3)
                                       (local.get 0))))
  ;; Recursion: each frame keeps its vector across the inner call.
  (func $rec (param v128 i32) (result v128)
    (if (result v128) (i32.eqz (local.get 1))
      (then (local.get 0))
      (else
        (i8x16.add_sat_u
          (local.get 0)
          (call $rec (i8x16.add (local.get 0) (i8x16.splat (local.get 1)))
                     (i32.sub (local.get 1) (i32.const 1)))))))
  (func (export "recurse") (param i64 i64 i32) (result i64 i64)
    (call $r (call $rec (call $v (local.get 0) (local.get 1)) (local.get 2))))

  ;; A deep operand stack of vectors and scalars mixed.
  (func (export "deep_stack") (param i32) (result i64 i64)
    (local v128)
    (local.set 1 (i32x4.splat (local.get 0)))
    (call $r
      (i32x4.add
        (i32x4.add (local.get 1)
          (i32x4.replace_lane 2 (local.get 1)
            (i32.add (local.get 0)
              (i32x4.extract_lane 0
                (i32x4.mul (local.get 1)
                  (i32x4.add (local.get 1)
                    (i32x4.splat (i32.mul (local.get 0) (i32x4.extract_lane 3
                      (i32x4.sub (local.get 1) (v128.const i32x4 1 2 3 4)))))))))))
        (i32x4.shr_s
          (i32x4.add (i32x4.splat (i32.const -100)) (local.get 1))
          (i32x4.extract_lane 1 (v128.const i32x4 0 2 0 0))))))

  ;; Loops over memory: byte sum by widening adds, and a running 16-byte
  ;; prefix XOR written back and read.
  (func (export "mem_sum") (param i32 i32) (result i32)
    (local $acc v128) (local $end i32)
    (local.set $end (i32.add (local.get 0) (local.get 1)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get 0) (local.get $end)))
        (local.set $acc (i32x4.add (local.get $acc)
          (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (v128.load (local.get 0))))))
        (local.set 0 (i32.add (local.get 0) (i32.const 16)))
        (br $next)))
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
             (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
  (func (export "mem_xor_scan") (param i32 i32) (result i64 i64)
    (local $x v128) (local $p i32)
    (local.set $p (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get 1)))
        (local.set $x (v128.xor (local.get $x) (v128.load offset=0 align=1 (i32.add (local.get 0) (local.get $p)))))
        (v128.store offset=64 align=4 (local.get $p) (local.get $x))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (call $r (v128.load offset=48 (local.get 1))))
)
