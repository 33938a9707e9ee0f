;; start.wast -- the start function runs once, after segments are applied,
;; can call imports, and its trap fails instantiation.
(module
  (memory 1)
  (data (i32.const 0) "\05")
  (global $runs (mut i32) (i32.const 0))
  (func $start
    (global.set $runs (i32.add (global.get $runs) (i32.const 1)))
    ;; the data segment is already in memory when start runs
    (i32.store8 (i32.const 1) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1))))
  (start $start)
  (func (export "runs") (result i32) (global.get $runs))
  (func (export "byte1") (result i32) (i32.load8_u (i32.const 1)))
)
(assert_return (invoke "runs") (i32.const 1))
(assert_return (invoke "byte1") (i32.const 6))

;; a start function may be exported and called again later
(module
  (global $n (mut i32) (i32.const 0))
  (func $s (export "s") (global.set $n (i32.add (global.get $n) (i32.const 1))))
  (start $s)
  (func (export "n") (result i32) (global.get $n)))
(assert_return (invoke "n") (i32.const 1))
(invoke "s")
(assert_return (invoke "n") (i32.const 2))

;; a start function that is an import
(module (import "spectest" "print" (func $p)) (start $p))

;; a start function writes into an imported memory; a trapping start keeps
;; what it wrote before the trap
(module $M (memory (export "mem") 1) (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))
(register "M" $M)
(module
  (import "M" "mem" (memory 1))
  (func $s (i32.store8 (i32.const 7) (i32.const 77)))
  (start $s))
(assert_return (invoke $M "peek" (i32.const 7)) (i32.const 77))
(assert_trap
  (module
    (import "M" "mem" (memory 1))
    (func $s (i32.store8 (i32.const 8) (i32.const 88)) (unreachable))
    (start $s))
  "unreachable")
(assert_return (invoke $M "peek" (i32.const 8)) (i32.const 88))
(assert_trap
  (module
    (func $s (drop (call $f (i32.const 0))))
    (func $f (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
    (start $s))
  "integer divide by zero")
