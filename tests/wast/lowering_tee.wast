;; Lowering regression tests: a local.tee of a local or a constant leaves that operand itself
;; on the stack (not the copy), so the source must be materialised when it changes while the
;; operand is live: the source set or teed before the use, a chain of tees, a tee of a
;; constant feeding an immediate form, the list walk `p = load(q = p)`, a tee as a block
;; result and as br_if's value, and a tee of the local itself.
(module
  (memory 1)
  (data (i32.const 16) "\18\00\00\00\07\00\00\00")   ;; node at 16: next = 24, key 7
  (data (i32.const 24) "\00\00\00\00\09\00\00\00")   ;; node at 24: next = 0, key 9
  ;; The source changes after the tee, before its value is used.
  (func (export "set_src") (param i32) (result i32) (local i32)
    (local.tee 1 (local.get 0))
    (local.set 0 (i32.const 100))
    (i32.add (local.get 0))
    (i32.mul (local.get 1) (i32.const 1000))
    (i32.add))
  ;; The source is overwritten by a tee of the copy: the first operand keeps the old value.
  (func (export "swap_tee") (param i32 i32) (result i32) (local i32)
    (local.tee 2 (local.get 0))
    (local.tee 0 (local.get 1))
    (i32.sub)
    (i32.add (i32.mul (local.get 0) (i32.const 100)))
    (i32.add (i32.mul (local.get 2) (i32.const 10000))))
  ;; A chain of tees of one source, then the source changes.
  (func (export "chain") (param i32) (result i32) (local i32 i32)
    (local.tee 2 (local.tee 1 (local.get 0)))
    (local.set 0 (i32.const 3))
    (i32.add (local.get 0))
    (i32.add (local.get 1))
    (i32.add (local.get 2)))
  ;; A tee of a constant: the copy gets it, and the constant can be an immediate.
  (func (export "const") (param i32) (result i32) (local i32)
    (i32.add (local.get 0) (local.tee 1 (i32.const 7)))
    (i32.mul (local.get 1))
    (i32.sub (i32.const 64) (local.tee 1 (i32.const 0xffffffff)))
    (i32.add)
    (i32.add (local.get 1)))
  (func (export "const64") (param i64) (result i64) (local i64)
    (i64.shl (local.get 0) (local.tee 1 (i64.const 4)))
    (i64.add (local.get 1)))
  ;; Reverse a list in place, p = load(q = p): returns the new head * 1000 + the key of the
  ;; node after it + the count of nodes, then reverses it back.
  (func $rev (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 0 (i32.load (local.tee 1 (local.get 0))))
      (i32.store (local.get 1) (local.get 2))
      (local.set 2 (local.get 1))
      (br_if $l (local.get 0)))
    (local.get 1))
  (func (export "reverse") (result i32) (local i32)
    (local.set 0 (call $rev (i32.const 16)))
    (i32.mul (local.get 0) (i32.const 1000))
    (i32.add (i32.load offset=4 (i32.load (local.get 0))))
    (drop (call $rev (local.get 0))))
  (func (export "reverse_back") (result i32)
    (drop (call $rev (call $rev (i32.const 16))))
    (i32.add (i32.load (i32.const 16)) (i32.load (i32.const 24))))
  ;; The tee's value out of a block, and as br_if's value with the source changed after.
  (func (export "block") (param i32) (result i32) (local i32)
    (block (result i32) (local.tee 1 (local.get 0)) (br 0))
    (i32.add (local.get 1)))
  (func (export "br_if") (param i32 i32) (result i32) (local i32)
    (block (result i32)
      (local.tee 2 (local.get 0))
      (local.get 1)
      (br_if 0)
      (local.set 0 (i32.const 50))
      (i32.add (local.get 0)))
    (i32.add (i32.mul (local.get 2) (i32.const 1000))))
  ;; A tee of the local itself, and a tee whose value is a load trapping out of bounds.
  (func (export "self") (param i32) (result i32)
    (i32.add (local.tee 0 (local.get 0)) (local.get 0)))
  (func (export "load_oob") (param i32) (result i32) (local i32)
    (i32.load (local.tee 1 (local.get 0))))
)
(assert_return (invoke "set_src" (i32.const 5)) (i32.const 5105))
(assert_return (invoke "swap_tee" (i32.const 9) (i32.const 4)) (i32.const 90405))
(assert_return (invoke "chain" (i32.const 5)) (i32.const 18))
(assert_return (invoke "const" (i32.const 3)) (i32.const 134))
(assert_return (invoke "const64" (i64.const 3)) (i64.const 52))
(assert_return (invoke "reverse") (i32.const 24007))
(assert_return (invoke "reverse_back") (i32.const 24))
(assert_return (invoke "block" (i32.const 21)) (i32.const 42))
(assert_return (invoke "br_if" (i32.const 6) (i32.const 1)) (i32.const 6006))
(assert_return (invoke "br_if" (i32.const 6) (i32.const 0)) (i32.const 6056))
(assert_return (invoke "self" (i32.const 8)) (i32.const 16))
(assert_return (invoke "load_oob" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "load_oob" (i32.const 65533)) "out of bounds memory access")
