;; Tail calls (return_call, return_call_indirect): the lowering moves the
;; arguments down to the frame's first slots and the callee's frame replaces
;; the caller's. Edge cases of that move and of the callees that run as a
;; nested call (host functions, another instance) instead.

(module $other
  (memory (export "mem") 1)
  (data (i32.const 16) "\2a\00\00\00")
  ;; Reads its own memory: after a tail call from another instance the loop
  ;; must have switched to this instance's memory.
  (func (export "load16") (param i32) (result i32)
    (i32.add (i32.load (i32.const 16)) (local.get 0)))
  (func (export "count") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.load (i32.const 16)))
      (else (i64.sub (local.get 0) (i64.const 1)) (return_call 1)))))
(register "other" $other)

(module
  (import "spectest" "print_i32" (func $print_i32 (param i32)))
  (import "other" "load16" (func $load16 (param i32) (result i32)))
  (import "other" "count" (func $count (param i64) (result i64)))
  (memory 1)
  (data (i32.const 16) "\07\00\00\00")
  (type $ii_i (func (param i32 i32) (result i32)))
  (type $v_i (func (result i32)))
  (table funcref (elem $sub $locals $mine $wrong_type))

  ;; Mutual recursion a million deep: no frame or C stack may grow.
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))

  ;; An accumulator loop through the table, also a million deep.
  (func $sum (export "sum") (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else
        (return_call $sum (i64.sub (local.get 0) (i64.const 1))
                          (i64.add (local.get 1) (local.get 0))))))

  ;; The arguments swap places: each move reads a slot another move writes.
  (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func (export "swap") (param i32 i32) (result i32)
    (return_call $sub (local.get 1) (local.get 0)))
  (func (export "swap_indirect") (param i32 i32) (result i32)
    (return_call_indirect (type $ii_i) (local.get 1) (local.get 0) (i32.const 0)))

  ;; The callee has more parameters than the caller has slots: the moved
  ;; arguments overlap the ones still to move.
  (func $eight (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (i32.add
      (i32.add (i32.add (local.get 0) (i32.mul (local.get 1) (i32.const 10)))
               (i32.add (i32.mul (local.get 2) (i32.const 100)) (i32.mul (local.get 3) (i32.const 1000))))
      (i32.add (i32.add (i32.mul (local.get 4) (i32.const 10000)) (i32.mul (local.get 5) (i32.const 100000)))
               (i32.add (i32.mul (local.get 6) (i32.const 1000000)) (i32.mul (local.get 7) (i32.const 10000000))))))
  (func (export "widen") (result i32)
    (return_call $eight (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
                        (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8)))

  ;; The callee's locals start at zero whatever the caller's slots held.
  (func $locals (result i32) (local i32 i64 i32 i32 i32 i32)
    (i32.add (i32.add (local.get 0) (i32.wrap_i64 (local.get 1)))
             (i32.add (local.get 2) (local.get 5))))
  (func (export "fresh_locals") (result i32) (local i32 i32 i32 i32 i32 i32)
    (local.set 0 (i32.const 11)) (local.set 1 (i32.const 12)) (local.set 2 (i32.const 13))
    (local.set 3 (i32.const 14)) (local.set 4 (i32.const 15)) (local.set 5 (i32.const 16))
    (return_call $locals))
  (func (export "fresh_locals_indirect") (result i32) (local i32 i32 i32 i32 i32 i32)
    (local.set 0 (i32.const 11)) (local.set 1 (i32.const 12)) (local.set 5 (i32.const 16))
    (return_call_indirect (type $v_i) (i32.const 1)))

  ;; v128 arguments take two slots each.
  (func $lanes (param v128 i32 v128) (result i32)
    (i32.add (i32.add (i32x4.extract_lane 3 (local.get 0)) (local.get 1))
             (i32x4.extract_lane 0 (local.get 2))))
  (func (export "v128_args") (param i32) (result i32)
    (return_call $lanes (v128.const i32x4 0 0 0 100) (local.get 0) (v128.const i32x4 5 0 0 0)))

  ;; Callees that run nested: a host function, another instance's functions
  ;; (their own memory, their own tail calls).
  (func (export "to_host") (param i32) (return_call $print_i32 (local.get 0)))
  (func (export "to_other") (param i32) (result i32) (return_call $load16 (local.get 0)))
  (func (export "to_other_loop") (param i64) (result i64) (return_call $count (local.get 0)))
  ;; After the other instance returns to this one, this instance's memory is
  ;; the one loaded.
  (func $mine (result i32) (i32.load (i32.const 16)))
  (func (export "back_home") (result i32)
    (i32.add (call $load16 (i32.const 0)) (call $mine)))

  ;; Traps of return_call_indirect: the element, its type.
  (func $wrong_type (param i64) (result i32) (i32.const -1))
  (func (export "indirect") (param i32) (result i32)
    (return_call_indirect (type $v_i) (local.get 0)))
  ;; Dead code after a tail call is still validated, and unreachable.
  (func (export "dead_after") (result i32)
    (return_call $mine)
    (i32.add)
    (drop)
    (i32.const 9))
)

(assert_return (invoke "even" (i64.const 1000000)) (i32.const 1))
(assert_return (invoke "odd" (i64.const 1000001)) (i32.const 1))
(assert_return (invoke "sum" (i64.const 1000000) (i64.const 0)) (i64.const 500000500000))
(assert_return (invoke "swap" (i32.const 3) (i32.const 10)) (i32.const 7))
(assert_return (invoke "swap_indirect" (i32.const 3) (i32.const 10)) (i32.const 7))
(assert_return (invoke "widen") (i32.const 87654321))
(assert_return (invoke "fresh_locals") (i32.const 0))
(assert_return (invoke "fresh_locals_indirect") (i32.const 0))
(assert_return (invoke "v128_args" (i32.const 20)) (i32.const 125))
(assert_return (invoke "to_host" (i32.const 5)))
(assert_return (invoke "to_other" (i32.const 1)) (i32.const 43))
(assert_return (invoke "to_other_loop" (i64.const 1000000)) (i64.const 42))
(assert_return (invoke "back_home") (i32.const 49))
(assert_return (invoke "indirect" (i32.const 2)) (i32.const 7))
(assert_trap (invoke "indirect" (i32.const 3)) "indirect call type mismatch")
(assert_trap (invoke "indirect" (i32.const 4)) "undefined element")
(assert_return (invoke "dead_after") (i32.const 7))

;; Validation: the callee's results must be the caller's.
(assert_invalid
  (module (func $f (result i64) (i64.const 0))
          (func (result i32) (return_call $f)))
  "type mismatch")
(assert_invalid
  (module (func $f (result i32 i32) (i32.const 0) (i32.const 0))
          (func (result i32) (return_call $f)))
  "type mismatch")
(assert_invalid
  (module (type $t (func (result i64)))
          (table 1 funcref)
          (func (result i32) (return_call_indirect (type $t) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (func $f (param i32)) (func (return_call $f (i64.const 0))))
  "type mismatch")
(assert_invalid
  (module (func (return_call 7)))
  "unknown function")
(assert_invalid
  (module (type $t (func)) (func (return_call_indirect (type $t) (i32.const 0))))
  "unknown table")
(assert_invalid
  (module (table 1 externref) (type $t (func))
          (func (return_call_indirect (type $t) (i32.const 0))))
  "type mismatch")
