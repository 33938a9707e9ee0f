;; The accumulator forms (ops.h WM_ACC_OPS): an instruction reading the
;; result of the one just before it, in chains of every form, next to
;; branch targets (loop heads, joins), calls and traps. Expected values
;; from V8 (node) on the same module.
(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\ff\fe\fd\fc\80\00\00\00")
  (data (i32.const 64) "\10\00\00\00\20\00\00\00\30\00\00\00\40\00\00\00")
  ;; BINK and BIN chains: each result is the next one's first operand.
  (func (export "chain") (param i32) (result i32)
    local.get 0 i32.const 7 i32.add i32.const 3 i32.mul i32.const 0xff i32.and
    i32.const 2 i32.shl i32.const 1 i32.xor i32.const 3 i32.rotl i32.const 1 i32.shr_s
    i32.const 2 i32.shr_u i32.const 5 i32.or)
  (func (export "bin") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 1 i32.sub local.get 0 i32.mul
    local.get 1 i32.xor local.get 1 i32.and local.get 0 i32.or local.get 1 i32.shl
    local.get 1 i32.rotr local.get 1 i32.rotl local.get 1 i32.shr_s local.get 1 i32.sub)
  ;; commutative ops whose second operand is the one just written: the
  ;; operands trade places.
  (func (export "commute") (param i32 i32) (result i32)
    local.get 0 i32.const 3 i32.mul local.get 1 i32.const 5 i32.add i32.xor
    local.get 0 local.get 1 i32.sub i32.add
    local.get 1 local.get 0 i32.shl i32.mul
    local.get 0 i32.const 9 i32.or i32.and
    local.get 1 local.get 0 i32.rotl i32.or
    local.get 0 i32.const 1 i32.add i32.add)
  (func (export "eqne") (param i32 i32) (result i32)
    local.get 0 i32.const 3 i32.mul local.get 1 i32.const 5 i32.add i32.eq
    local.get 0 local.get 1 i32.const 2 i32.add i32.ne i32.const 2 i32.mul i32.add)
  (func (export "cmp") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 1 i32.lt_s
    local.get 0 local.get 1 i32.sub local.get 1 i32.gt_u i32.add
    local.get 0 i32.const 3 i32.mul local.get 1 i32.le_u i32.add
    local.get 0 i32.const 1 i32.add i32.eqz i32.add)
  ;; loads at an address the instruction before computed; a 64-bit result
  ;; in between (its low half is what the register holds).
  (func (export "load") (param i32) (result i64)
    local.get 0 i32.const 1 i32.add i32.load8_u
    i32.const 4 i32.add i32.load16_s
    i32.const 0x3ff i32.and i64.load32_u
    local.get 0 i32.const 2 i32.add i64.load8_s i64.add)
  ;; a table lookup chain (a CRC's shape): load, xor, shift.
  (func (export "lookup") (param i32 i32) (result i32)
    (local i32)
    (loop
      local.get 0 i32.const 3 i32.and i32.const 2 i32.shl i32.const 64 i32.add i32.load
      local.get 0 i32.const 8 i32.shr_u i32.xor
      local.get 2 i32.load8_u i32.xor local.set 0
      local.get 2 i32.const 1 i32.add local.tee 2 local.get 1 i32.lt_u br_if 0)
    local.get 0)
  ;; compare-and-branch and br_if on the register.
  (func (export "branch") (param i32) (result i32)
    (block (result i32)
      (block
        local.get 0 i32.const 3 i32.and i32.const 2 i32.eq br_if 0
        local.get 0 i32.const 1 i32.sub i32.const 10 i32.gt_u br_if 0
        local.get 0 i32.const 5 i32.xor i32.eqz br_if 0
        i32.const 100 br 1)
      i32.const 200))
  ;; a loop's first instruction comes right after a producer, but the
  ;; branch back lands on it: it must read its slot.
  (func (export "loop") (param i32) (result i32) (local i32)
    local.get 0 i32.const 1 i32.add local.set 1
    (loop
      local.get 1 i32.const 1 i32.shr_u local.tee 1
      i32.const 3 i32.add i32.const 8 i32.gt_u br_if 0)
    local.get 1)
  ;; the same value joins from both arms of an if: the consumer after the
  ;; join is a branch target.
  (func (export "join") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then local.get 0 i32.const 10 i32.mul)
      (else local.get 0 i32.const 20 i32.add))
    i32.const 1 i32.add)
  ;; stores whose address, or whose value, the instruction before computed.
  (func (export "store") (param i32 i32) (result i32)
    local.get 0 i32.const 128 i32.add local.get 1 i32.store
    local.get 0 i32.const 132 i32.add local.get 1 i32.const 3 i32.mul i32.store offset=4
    local.get 0 i32.const 128 i32.add i32.load
    local.get 0 i32.const 136 i32.add i32.load i32.add)
  ;; a trap in a form: the address comes from the register.
  (func (export "oob") (param i32) (result i32)
    local.get 0 i32.const 65530 i32.add i32.load)
  (func (export "oob-store") (param i32)
    local.get 0 i32.const 65533 i32.add i32.const 1 i32.store)
  (func (export "div") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_u i32.const 1 i32.add)
  ;; a call between a producer and the consumer of its slot.
  (func $id (param i32) (result i32) local.get 0)
  (func (export "call") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $id i32.const 2 i32.mul)
)
(assert_return (invoke "chain" (i32.const 5)) (i32.const 149))
(assert_return (invoke "chain" (i32.const -9)) (i32.const 1005))
(assert_return (invoke "chain" (i32.const 2147483632)) (i32.const 917))
(assert_return (invoke "bin" (i32.const -7) (i32.const 6)) (i32.const -7))
(assert_return (invoke "bin" (i32.const -100) (i32.const 9)) (i32.const -108))
(assert_return (invoke "bin" (i32.const 305419896) (i32.const 31)) (i32.const -32))
(assert_return (invoke "commute" (i32.const 3) (i32.const 4)) (i32.const 36))
(assert_return (invoke "commute" (i32.const -5) (i32.const 77)) (i32.const -402653186))
(assert_return (invoke "commute" (i32.const 123456) (i32.const -3)) (i32.const 123454))
(assert_return (invoke "eqne" (i32.const 2) (i32.const 1)) (i32.const 3))
(assert_return (invoke "eqne" (i32.const 4) (i32.const 2)) (i32.const 0))
(assert_return (invoke "eqne" (i32.const 5) (i32.const 6)) (i32.const 2))
(assert_return (invoke "cmp" (i32.const 1) (i32.const 2)) (i32.const 1))
(assert_return (invoke "cmp" (i32.const -1) (i32.const 0)) (i32.const 3))
(assert_return (invoke "cmp" (i32.const 100) (i32.const -7)) (i32.const 1))
(assert_return (invoke "load" (i32.const 0)) (i64.const 4261347083))
(assert_return (invoke "load" (i32.const 3)) (i64.const 6))
(assert_return (invoke "load" (i32.const 9)) (i64.const 67305981))
(assert_return (invoke "lookup" (i32.const 305419896) (i32.const 12)) (i32.const 220))
(assert_return (invoke "lookup" (i32.const 0) (i32.const 1)) (i32.const 17))
(assert_return (invoke "lookup" (i32.const -1) (i32.const 16)) (i32.const 16))
(assert_return (invoke "branch" (i32.const 2)) (i32.const 200))
(assert_return (invoke "branch" (i32.const 5)) (i32.const 200))
(assert_return (invoke "branch" (i32.const 13)) (i32.const 200))
(assert_return (invoke "branch" (i32.const 1)) (i32.const 100))
(assert_return (invoke "branch" (i32.const 4)) (i32.const 100))
(assert_return (invoke "loop" (i32.const 0)) (i32.const 0))
(assert_return (invoke "loop" (i32.const 1000)) (i32.const 3))
(assert_return (invoke "loop" (i32.const -1)) (i32.const 0))
(assert_return (invoke "join" (i32.const 0)) (i32.const 21))
(assert_return (invoke "join" (i32.const 7)) (i32.const 71))
(assert_return (invoke "store" (i32.const 0) (i32.const 5)) (i32.const 20))
(assert_return (invoke "store" (i32.const 100) (i32.const -3)) (i32.const -12))
(assert_return (invoke "div" (i32.const 7) (i32.const 2)) (i32.const 4))
(assert_return (invoke "call" (i32.const 20)) (i32.const 42))
(assert_trap (invoke "oob" (i32.const 6)) "out of bounds memory access")
(assert_trap (invoke "oob" (i32.const 5)) "out of bounds memory access")
(assert_return (invoke "oob" (i32.const 2)) (i32.const 0))
(assert_trap (invoke "oob-store" (i32.const 3)) "out of bounds memory access")
(assert_trap (invoke "oob-store" (i32.const 2)) "out of bounds memory access")
(assert_return (invoke "oob-store" (i32.const -1)))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
