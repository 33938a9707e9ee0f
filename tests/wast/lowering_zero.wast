;; lowering_zero.wast -- `i32.const 0 local.set x` where x may still hold
;; entry's zero: the lowering drops the write only while no local has been
;; written and no loop has begun (control has only flowed forward from
;; entry), and must keep it everywhere else.
(module
  ;; After a forward branch, before any write: dropped, still 0 (fib's shape).
  (func (export "after-br") (param i32) (result i32) (local i32)
    (block
      (br_if 0 (i32.lt_u (local.get 0) (i32.const 2)))
      (i32.const 0) (local.set 1)
      (local.set 0 (i32.add (local.get 0) (local.get 1))))
    (i32.add (local.get 0) (local.get 1)))
  ;; A write in a block the branch skipped: the later zeroing must stay.
  (func (export "after-write") (param i32) (result i32) (local i32)
    (block
      (br_if 0 (local.get 0))
      (local.set 1 (i32.const 5)))
    (i32.const 0) (local.set 1)
    (local.get 1))
  ;; Inside a loop the local was set on the previous iteration.
  (func (export "in-loop") (param i32) (result i32) (local i32 i32)
    (loop $l
      (i32.const 0) (local.set 1)
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (local.set 1 (i32.const 10))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (i32.add (local.get 2) (local.get 1)))
  ;; A tee writes the local: a later zeroing of another local must stay,
  ;; and of the same one too.
  (func (export "after-tee") (param i32) (result i32) (local i32 i32)
    (drop (local.tee 1 (local.get 0)))
    (i32.const 0) (local.set 2)
    (i32.const 0) (local.set 1)
    (i32.add (local.get 1) (local.get 2)))
  ;; An operand still naming the local across the dropped write sees 0.
  (func (export "named") (param i32) (result i32) (local i32)
    (block
      (br_if 0 (local.get 0))
      (local.get 1)
      (i32.const 0) (local.set 1)
      (local.set 0)
      (local.set 0 (i32.add (local.get 0) (i32.const 3))))
    (local.get 0))
  ;; i64, f64 and a nonzero constant (kept) after a branch.
  (func (export "types") (param i32) (result f64) (local i64 f64 i32)
    (block
      (br_if 0 (i32.eqz (local.get 0)))
      (i64.const 0) (local.set 1)
      (f64.const 0) (local.set 2)
      (i32.const 7) (local.set 3))
    (f64.add (f64.add (f64.convert_i64_s (local.get 1)) (local.get 2))
             (f64.convert_i32_s (local.get 3))))
  ;; -0.0 is not zero bits: kept.
  (func (export "neg-zero") (param i32) (result f64) (local f64)
    (block
      (br_if 0 (i32.eqz (local.get 0)))
      (f64.const -0) (local.set 1))
    (f64.div (f64.const 1) (local.get 1)))
  ;; A return writes slot 0 (the first local here), but nothing after it
  ;; runs on that path.
  (func (export "after-return") (param i32) (result i32) (local i32)
    (if (local.get 0) (then (return (i32.const 9))))
    (i32.const 0) (local.set 1)
    (i32.add (local.get 1) (i32.const 4)))
)
(assert_return (invoke "after-br" (i32.const 1)) (i32.const 1))
(assert_return (invoke "after-br" (i32.const 5)) (i32.const 5))
(assert_return (invoke "after-write" (i32.const 0)) (i32.const 0))
(assert_return (invoke "after-write" (i32.const 1)) (i32.const 0))
(assert_return (invoke "in-loop" (i32.const 1)) (i32.const 10))
(assert_return (invoke "in-loop" (i32.const 3)) (i32.const 10))
(assert_return (invoke "after-tee" (i32.const 6)) (i32.const 0))
(assert_return (invoke "named" (i32.const 0)) (i32.const 3))
(assert_return (invoke "named" (i32.const 4)) (i32.const 4))
(assert_return (invoke "types" (i32.const 0)) (f64.const 0))
(assert_return (invoke "types" (i32.const 1)) (f64.const 7))
(assert_return (invoke "neg-zero" (i32.const 0)) (f64.const inf))
(assert_return (invoke "neg-zero" (i32.const 1)) (f64.const -inf))
(assert_return (invoke "after-return" (i32.const 0)) (i32.const 4))
(assert_return (invoke "after-return" (i32.const 1)) (i32.const 9))
