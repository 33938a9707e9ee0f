;; exhaustion.wast -- unbounded recursion traps with "call stack exhausted"
;; (direct, mutual, indirect, with many locals), and the runtime recovers.
(module
  (type $v (func))
  (table funcref (elem $indirect))
  (func $self (export "self") (call $self))
  (func $ping (export "ping") (param i32) (result i32) (call $pong (i32.add (local.get 0) (i32.const 1))))
  (func $pong (param i32) (result i32) (call $ping (local.get 0)))
  (func $indirect (export "indirect") (call_indirect (type $v) (i32.const 0)))
  (func $fat (export "fat") (param i64) (result i64)
    (local f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (i64.add (call $fat (local.get 0)) (i64.const 1)))
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
)
(assert_exhaustion (invoke "self") "call stack exhausted")
(assert_exhaustion (invoke "ping" (i32.const 0)) "call stack exhausted")
(assert_exhaustion (invoke "indirect") "call stack exhausted")
(assert_exhaustion (invoke "fat" (i64.const 0)) "call stack exhausted")
;; moderate recursion still works after exhaustion
(assert_return (invoke "depth" (i32.const 1000)) (i32.const 1000))
(assert_exhaustion (invoke "self") "call stack exhausted")
(assert_return (invoke "depth" (i32.const 5)) (i32.const 5))
