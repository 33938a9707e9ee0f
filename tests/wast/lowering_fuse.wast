;; Lowering regression tests: pairs fused into one instruction (a move then a branch, a load then a branch on the loaded value, shift-and-mask): lowering_fuse.wast
(module
  (memory 1)
  ;; A linked list at 16: node = (next, value); 16 -> 32 -> 48 -> 0.
  (data (i32.const 16) "\20\00\00\00\01\00\00\00")
  (data (i32.const 32) "\30\00\00\00\02\00\00\00")
  (data (i32.const 48) "\00\00\00\00\04\00\00\00")
  (data (i32.const 64) "ab\00")

  ;; local.set then br_if on the local just set: MOVE_BR_IF, the condition
  ;; is the destination and must be read after the move.
  (func (export "move_br_if_alias") (param i32 i32) (result i32)
    (block
      (local.set 0 (local.get 1))
      (br_if 0 (local.get 0))
      (return (i32.const -1)))
    (local.get 0))
  ;; The same through eqz: MOVE_BR_IF_NOT.
  (func (export "move_br_if_not") (param i32 i32) (result i32)
    (block
      (local.set 0 (local.get 1))
      (br_if 0 (i32.eqz (local.get 0)))
      (return (i32.add (local.get 0) (i32.const 100))))
    (local.get 0))
  ;; A block result moved into place, then the jump out: MOVE_BR.
  (func (export "move_br") (param i32 i32) (result i32)
    (local i32)
    (local.set 2
      (block (result i32)
        (if (local.get 0) (then (br 1 (local.get 1))))
        (i32.const 7)))
    (local.get 2))
  ;; A move just before a loop whose first instruction is a branch: the
  ;; loop's label lies between them, so they must not fuse (the back edge
  ;; would land inside the fused instruction).
  (func (export "move_then_loop") (param i32) (result i32)
    (local i32 i32)
    (local.set 1 (local.get 0))
    (block $b
      (loop $l
        (br_if $b (i32.eqz (local.get 1)))
        (local.set 2 (i32.add (local.get 2) (i32.const 1)))
        (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
        (br $l)))
    (local.get 2))
  ;; A move at the end of an if arm, then (after the label) a br_if.
  (func (export "move_then_label") (param i32 i32) (result i32)
    (local i32)
    (block
      (if (local.get 0) (then (local.set 2 (local.get 1))))
      (br_if 0 (local.get 2))
      (return (i32.const -1)))
    (local.get 2))
  ;; List walks: the load and the branch on the loaded pointer fuse; the
  ;; pointer is still written when the branch is taken.
  (func (export "list_sum") (param i32) (result i32)
    (local i32)
    (block
      (br_if 0 (i32.eqz (local.get 0)))
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.load offset=4 (local.get 0))))
        (br_if $l (local.tee 0 (i32.load (local.get 0))))))
    (local.get 1))
  (func (export "list_len") (param i32) (result i32)
    (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (local.tee 0 (i32.load (local.get 0)))))
    (i32.add (i32.mul (local.get 1) (i32.const 1000)) (local.get 0)))
  ;; Branch when the loaded byte is zero, via if (BR_IF_NOT form).
  (func (export "strlen") (param i32) (result i32)
    (local i32)
    (block
      (loop $l
        (if (i32.eqz (local.tee 1 (i32.load8_u (local.get 0))))
          (then (br 2)))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br $l)))
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 1)))
  ;; if on a loaded value, both arms.
  (func (export "if_load8") (param i32) (result i32)
    (local i32)
    (if (result i32) (local.tee 1 (i32.load8_u (local.get 0)))
      (then (local.get 1)) (else (i32.const -1))))
  ;; br_if on a load (stack operand): taken, not taken, and a trap inside.
  (func (export "br_load") (param i32) (result i32)
    (block (result i32)
      (br_if 0 (i32.const 10) (i32.load (local.get 0)))
      (drop)
      (i32.const 20)))
  (func (export "br_load8_not") (param i32) (result i32)
    (block (result i32)
      (br_if 0 (i32.const 10) (i32.eqz (i32.load8_u offset=1 (local.get 0))))
      (drop)
      (i32.const 20)))
  ;; Shift-and-mask, with the shift count masked and the result aliasing
  ;; the source local.
  (func (export "field") (param i32 i32) (result i32)
    (i32.and (i32.shr_u (local.get 0) (i32.const 33)) (i32.const 0xff)))
  (func (export "field_alias") (param i32) (result i32)
    (local.set 0 (i32.and (i32.shr_u (local.get 0) (i32.const 28)) (i32.const 0x7)))
    (local.get 0))
  (func (export "field_rev") (param i32) (result i32)
    (i32.and (i32.const 0xf0) (i32.shr_u (local.get 0) (i32.const 4))))
  ;; The shift's result is used twice (tee): no fusion may drop it.
  (func (export "field_tee") (param i32) (result i32)
    (local i32)
    (i32.add (i32.and (local.tee 1 (i32.shr_u (local.get 0) (i32.const 8))) (i32.const 0xf))
             (local.get 1)))
)
(assert_return (invoke "move_br_if_alias" (i32.const 5) (i32.const 0)) (i32.const -1))
(assert_return (invoke "move_br_if_alias" (i32.const 0) (i32.const 9)) (i32.const 9))
(assert_return (invoke "move_br_if_not" (i32.const 5) (i32.const 0)) (i32.const 0))
(assert_return (invoke "move_br_if_not" (i32.const 0) (i32.const 3)) (i32.const 103))
(assert_return (invoke "move_br" (i32.const 1) (i32.const 42)) (i32.const 42))
(assert_return (invoke "move_br" (i32.const 0) (i32.const 42)) (i32.const 7))
(assert_return (invoke "move_then_loop" (i32.const 0)) (i32.const 0))
(assert_return (invoke "move_then_loop" (i32.const 5)) (i32.const 5))
(assert_return (invoke "move_then_label" (i32.const 1) (i32.const 6)) (i32.const 6))
(assert_return (invoke "move_then_label" (i32.const 0) (i32.const 6)) (i32.const -1))
(assert_return (invoke "move_then_label" (i32.const 1) (i32.const 0)) (i32.const -1))
(assert_return (invoke "list_sum" (i32.const 16)) (i32.const 7))
(assert_return (invoke "list_sum" (i32.const 32)) (i32.const 6))
(assert_return (invoke "list_sum" (i32.const 0)) (i32.const 0))
(assert_return (invoke "list_len" (i32.const 16)) (i32.const 3000))
(assert_return (invoke "list_len" (i32.const 48)) (i32.const 1000))
(assert_trap (invoke "list_len" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "strlen" (i32.const 64)) (i32.const 66000))
(assert_return (invoke "strlen" (i32.const 66)) (i32.const 66000))
(assert_trap (invoke "strlen" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "if_load8" (i32.const 64)) (i32.const 97))
(assert_return (invoke "if_load8" (i32.const 66)) (i32.const -1))
(assert_trap (invoke "if_load8" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "br_load" (i32.const 16)) (i32.const 10))
(assert_return (invoke "br_load" (i32.const 0)) (i32.const 20))
(assert_trap (invoke "br_load" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "br_load8_not" (i32.const 64)) (i32.const 20))
(assert_return (invoke "br_load8_not" (i32.const 65)) (i32.const 10))
(assert_trap (invoke "br_load8_not" (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "field" (i32.const 0xabcd) (i32.const 0)) (i32.const 0xe6))
(assert_return (invoke "field_alias" (i32.const 0xf0000000)) (i32.const 7))
(assert_return (invoke "field_alias" (i32.const 0x10000000)) (i32.const 1))
(assert_return (invoke "field_rev" (i32.const 0xabcd)) (i32.const 0xb0))
(assert_return (invoke "field_tee" (i32.const 0x1234)) (i32.const 0x14))
