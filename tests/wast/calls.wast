;; calls.wast -- direct calls (many params, recursion, mutual recursion) and
;; call_indirect with type mismatch, undefined and uninitialized elements.
(module
  (type $v_i (func (result i32)))
  (type $i_i (func (param i32) (result i32)))
  (type $ii_i (func (param i32 i32) (result i32)))
  (type $f_f (func (param f64) (result f64)))
  (type $v_i_dup (func (result i32))) ;; structurally equal to $v_i

  (table $t 8 funcref)
  (elem (table $t) (i32.const 0) func $const7 $inc $sub $fneg $const7)
  ;; slots 5..7 stay null

  (func $const7 (type $v_i) (i32.const 7))
  (func $inc (type $i_i) (i32.add (local.get 0) (i32.const 1)))
  (func $sub (type $ii_i) (i32.sub (local.get 0) (local.get 1)))
  (func $fneg (type $f_f) (f64.neg (local.get 0)))

  (func (export "call-indirect-v_i") (param i32) (result i32)
    (call_indirect $t (type $v_i) (local.get 0)))
  (func (export "call-indirect-dup") (param i32) (result i32)
    (call_indirect $t (type $v_i_dup) (local.get 0)))
  (func (export "call-indirect-i_i") (param i32 i32) (result i32)
    (call_indirect $t (type $i_i) (local.get 1) (local.get 0)))
  (func (export "call-indirect-ii_i") (param i32 i32 i32) (result i32)
    (call_indirect $t (type $ii_i) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "call-indirect-f_f") (param i32 f64) (result f64)
    (call_indirect $t (type $f_f) (local.get 1) (local.get 0)))

  ;; Many parameters of mixed types, to cross any register/slot boundary.
  (func $many (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64 i32) (result f64)
    (f64.add
      (f64.add
        (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
        (f64.add (f64.promote_f32 (local.get 2)) (local.get 3)))
      (f64.add
        (f64.add
          (f64.add (f64.convert_i32_s (local.get 12)) (f64.convert_i64_s (local.get 13)))
          (f64.add (f64.promote_f32 (local.get 14)) (local.get 15)))
        (f64.mul (f64.convert_i32_s (local.get 16)) (f64.const 1000)))))
  (func (export "many") (result f64)
    (call $many
      (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4)
      (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0)
      (i32.const 0) (i64.const 0) (f32.const 0) (f64.const 0)
      (i32.const 10) (i64.const 20) (f32.const 30) (f64.const 40) (i32.const 5)))

  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $even (export "even") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
      (else (call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (call $even (i32.sub (local.get 0) (i32.const 1))))))
  ;; Locals are zeroed on every call, also in recursion.
  (func $locals (export "locals") (param i32) (result i32)
    (local i32 i64 f64)
    (if (i32.or (local.get 1) (i32.wrap_i64 (local.get 2))) (then (return (i32.const -1))))
    (local.set 1 (i32.const 1)) (local.set 2 (i64.const 1))
    (if (result i32) (local.get 0)
      (then (call $locals (i32.sub (local.get 0) (i32.const 1))))
      (else (i32.const 0))))
)

(assert_return (invoke "call-indirect-v_i" (i32.const 0)) (i32.const 7))
(assert_return (invoke "call-indirect-v_i" (i32.const 4)) (i32.const 7))
(assert_return (invoke "call-indirect-dup" (i32.const 0)) (i32.const 7))
(assert_return (invoke "call-indirect-i_i" (i32.const 1) (i32.const 41)) (i32.const 42))
(assert_return (invoke "call-indirect-ii_i" (i32.const 2) (i32.const 10) (i32.const 3)) (i32.const 7))
(assert_return (invoke "call-indirect-f_f" (i32.const 3) (f64.const 1.5)) (f64.const -1.5))
(assert_trap (invoke "call-indirect-v_i" (i32.const 1)) "indirect call type mismatch")
(assert_trap (invoke "call-indirect-i_i" (i32.const 0) (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "call-indirect-ii_i" (i32.const 1) (i32.const 0) (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "call-indirect-f_f" (i32.const 2) (f64.const 0)) "indirect call type mismatch")
(assert_trap (invoke "call-indirect-v_i" (i32.const 5)) "uninitialized element")
(assert_trap (invoke "call-indirect-v_i" (i32.const 7)) "uninitialized element")
(assert_trap (invoke "call-indirect-v_i" (i32.const 8)) "undefined element")
(assert_trap (invoke "call-indirect-v_i" (i32.const -1)) "undefined element")
(assert_trap (invoke "call-indirect-v_i" (i32.const 0x80000000)) "undefined element")

(assert_return (invoke "many") (f64.const 5110))
(assert_return (invoke "fac" (i64.const 0)) (i64.const 1))
(assert_return (invoke "fac" (i64.const 20)) (i64.const 2432902008176640000))
(assert_return (invoke "fac" (i64.const 25)) (i64.const 7034535277573963776))
(assert_return (invoke "fib" (i32.const 20)) (i32.const 6765))
(assert_return (invoke "even" (i32.const 1000)) (i32.const 1))
(assert_return (invoke "even" (i32.const 777)) (i32.const 0))
(assert_return (invoke "locals" (i32.const 50)) (i32.const 0))
