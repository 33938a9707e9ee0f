;; Tail calls in compiled code (src/aot/aot_c.c, aot_rt.c): return_call of
;; the function itself (a jump to its start), of another (left pending for
;; the caller's call site, which the runtime performs), return_call_indirect
;; and return_call_ref, deep enough (1,000,000) that anything but constant
;; native stack would exhaust it, between functions of different
;; signatures, to imported (compiled, host) functions, from and to
;; functions of many parameters and results. The same traps and messages as
;; the interpreter's, which runs this file too; every module here must be
;; compiled (tests/CMakeLists.txt).

(module $M
  (func (export "add3") (param i32 i32 i32) (result i32)
    (i32.add (local.get 0) (i32.add (local.get 1) (local.get 2))))
  ;; An exported function that itself ends in a tail call of another.
  (func (export "via") (param i64) (result i64) (return_call $twice (local.get 0)))
  (func $twice (param i64) (result i64) (i64.mul (local.get 0) (i64.const 2))))
(register "M" $M)

(module
  (import "M" "add3" (func $add3 (param i32 i32 i32) (result i32)))
  (import "M" "via" (func $via (param i64) (result i64)))
  (import "spectest" "print_i32" (func $print (param i32)))

  (type $i (func (param i32) (result i32)))
  (type $l (func (param i64) (result i32)))
  (type $v (func))
  (type $many (func (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64
                            i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64 i32)
                     (result i64 f64 i32 f32 i64)))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $even_i $odd_l $even_i)
  (elem declare func $odd_r $even_r $many_down)

  ;; The function itself: a loop of 1,000,000, locals zeroed each time.
  (func $count (export "count") (param i32 i64) (result i64)
    (local $z i32)
    (if (local.get $z) (then (unreachable)))
    (local.set $z (i32.const 1))
    (if (result i64) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1))
                                (i64.add (local.get 1) (i64.const 3))))))

  ;; Mutual recursion of two signatures, directly.
  (func $even (export "even") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 44))
      (else (return_call $odd (i64.extend_i32_u (i32.sub (local.get 0) (i32.const 1)))))))
  (func $odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 99))
      (else (return_call $even (i32.wrap_i64 (i64.sub (local.get 0) (i64.const 1)))))))

  ;; The same through the table.
  (func $even_i (export "even_i") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 44))
      (else (return_call_indirect $t (type $l)
              (i64.extend_i32_u (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $odd_l (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 99))
      (else (return_call_indirect $t (type $i)
              (i32.wrap_i64 (i64.sub (local.get 0) (i64.const 1))) (i32.const 2)))))

  ;; And through references.
  (func $even_r (export "even_r") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 44))
      (else (return_call_ref $l (i64.extend_i32_u (i32.sub (local.get 0) (i32.const 1)))
                                (ref.func $odd_r)))))
  (func $odd_r (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 99))
      (else (return_call_ref $i (i32.wrap_i64 (i64.sub (local.get 0) (i64.const 1)))
                                (ref.func $even_r)))))

  ;; A tail call's results are its caller's caller's: called, not returned.
  (func (export "even_plus") (param i32) (result i32)
    (i32.add (call $even (local.get 0)) (i32.const 1000)))
  (func (export "even_i_plus") (param i32) (result i32)
    (i32.add (call_indirect $t (type $i) (local.get 0) (i32.const 0)) (i32.const 1000)))

  ;; Traps: the interpreter's codes and messages.
  (func (export "mismatch") (result i32)
    (return_call_indirect $t (type $i) (i32.const 0) (i32.const 1)))
  (func (export "undefined") (result i32)
    (return_call_indirect $t (type $i) (i32.const 0) (i32.const 7)))
  (func (export "uninit") (result i32)
    (return_call_indirect $t (type $i) (i32.const 0) (i32.const 3)))
  (func (export "null") (result i32)
    (return_call_ref $i (i32.const 0) (ref.null $i)))
  ;; A trap after a pending call, in the callee.
  (func (export "late") (result i32) (return_call $boom (i32.const 1)))
  (func $boom (param i32) (result i32) (unreachable))

  ;; Imports: a compiled function of another instance, one that itself
  ;; ends in a tail call, a host function.
  (func (export "to_add3") (param i32) (result i32)
    (return_call $add3 (local.get 0) (i32.const 20) (i32.const 300)))
  (func (export "to_via") (result i64) (return_call $via (i64.const 21)))
  (func (export "to_print") (return_call $print (i32.const 7)))
  (func (export "call_to_add3") (result i32)
    (i32.mul (call $add3 (i32.const 1) (i32.const 2) (i32.const 3)) (i32.const 2)))

  ;; Many parameters and results: counting down through itself by
  ;; reference, then to another function of the signature.
  (func $many_down (type $many)
    (if (i32.eqz (local.get 0))
      (then (return_call $many_end
        (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
        (local.get 6) (local.get 7) (local.get 8) (local.get 9) (local.get 10) (local.get 11)
        (local.get 12) (local.get 13) (local.get 14) (local.get 15) (local.get 16)
        (local.get 17) (local.get 18) (local.get 19) (local.get 20) (local.get 21)
        (local.get 22) (local.get 23) (local.get 24) (local.get 25) (local.get 26)
        (local.get 27) (local.get 28))))
    (return_call_ref $many
      (i32.sub (local.get 0) (i32.const 1)) (i64.add (local.get 1) (i64.const 1))
      (local.get 2) (local.get 3) (local.get 4) (local.get 5)
      (local.get 6) (local.get 7) (local.get 8) (local.get 9) (local.get 10) (local.get 11)
      (local.get 12) (local.get 13) (local.get 14) (local.get 15) (local.get 16)
      (local.get 17) (local.get 18) (local.get 19) (local.get 20) (local.get 21)
      (local.get 22) (local.get 23) (local.get 24) (local.get 25) (local.get 26)
      (local.get 27) (i32.add (local.get 28) (i32.const 2))
      (ref.func $many_down)))
  (func $many_end (type $many)
    (local.get 1) (local.get 3) (local.get 28) (local.get 2) (local.get 13))
  (func (export "many") (param i32) (result i64 f64 i32 f32 i64)
    (call $many_down
      (local.get 0) (i64.const 0) (f32.const 1.5) (f64.const 2.5) (i32.const 0) (i64.const 0)
      (f32.const 0) (f64.const 0) (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0)
      (i32.const 0) (i64.const 77) (f32.const 0) (f64.const 0) (i32.const 0) (i64.const 0)
      (f32.const 0) (f64.const 0) (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0)
      (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0) (i32.const 5)))
  ;; A small function tail-calling one of many parameters, and back.
  (func (export "to_many") (param i32) (result i64 f64 i32 f32 i64)
    (return_call $many_down
      (local.get 0) (i64.const 0) (f32.const 1.5) (f64.const 2.5) (i32.const 0) (i64.const 0)
      (f32.const 0) (f64.const 0) (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0)
      (i32.const 0) (i64.const 77) (f32.const 0) (f64.const 0) (i32.const 0) (i64.const 0)
      (f32.const 0) (f64.const 0) (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0)
      (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0) (i32.const 5))))

(assert_return (invoke "count" (i32.const 1000000) (i64.const 1)) (i64.const 3000001))
(assert_return (invoke "even" (i32.const 1000000)) (i32.const 44))
(assert_return (invoke "even" (i32.const 999999)) (i32.const 99))
(assert_return (invoke "even_i" (i32.const 1000000)) (i32.const 44))
(assert_return (invoke "even_i" (i32.const 1000001)) (i32.const 99))
(assert_return (invoke "even_r" (i32.const 1000000)) (i32.const 44))
(assert_return (invoke "even_r" (i32.const 777777)) (i32.const 99))
(assert_return (invoke "even_plus" (i32.const 1000000)) (i32.const 1044))
(assert_return (invoke "even_i_plus" (i32.const 1000001)) (i32.const 1099))
(assert_trap (invoke "mismatch") "indirect call type mismatch")
(assert_trap (invoke "undefined") "undefined element")
(assert_trap (invoke "uninit") "uninitialized element")
(assert_trap (invoke "null") "null function reference")
(assert_trap (invoke "late") "unreachable")
(assert_return (invoke "to_add3" (i32.const 4)) (i32.const 324))
(assert_return (invoke "to_via") (i64.const 42))
(assert_return (invoke "to_print"))
(assert_return (invoke "call_to_add3") (i32.const 12))
(assert_return (invoke "many" (i32.const 100000))
  (i64.const 100000) (f64.const 2.5) (i32.const 200005) (f32.const 1.5) (i64.const 77))
(assert_return (invoke "to_many" (i32.const 3))
  (i64.const 3) (f64.const 2.5) (i32.const 11) (f32.const 1.5) (i64.const 77))

;; v128 arguments and results (two slots each), pending and to itself.
(module
  (func $vdown (export "vdown") (param i32 v128) (result v128 i32)
    (if (i32.eqz (local.get 0)) (then (return (local.get 1) (i32.const 9))))
    (return_call $vstep (local.get 1) (i32.sub (local.get 0) (i32.const 1))))
  (func $vstep (param v128 i32) (result v128 i32)
    (return_call $vdown (local.get 1) (i32x4.add (local.get 0) (v128.const i32x4 1 2 3 4))))
  (func $vself (export "vself") (param i32 v128) (result v128)
    (if (result v128) (i32.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $vself (i32.sub (local.get 0) (i32.const 1))
                                (i64x2.add (local.get 1) (v128.const i64x2 1 -1))))))
  (func (export "vplus") (param i32) (result i32)
    (call $vdown (local.get 0) (v128.const i32x4 0 0 0 0))
    (drop) (i32x4.extract_lane 3)))

(assert_return (invoke "vdown" (i32.const 100000) (v128.const i32x4 0 1 2 3))
  (v128.const i32x4 100000 200001 300002 400003) (i32.const 9))
(assert_return (invoke "vself" (i32.const 1000000) (v128.const i64x2 5 5))
  (v128.const i64x2 1000005 -999995))
(assert_return (invoke "vplus" (i32.const 10)) (i32.const 40))
