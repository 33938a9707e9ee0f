;; Lowering regression tests for a strided fill's loop: an i32.store8 at base + j,
;; then j += step and a branch back while j <= end (I32_STORE8_X_ADD_BR_LE_U; the
;; plain loop runs it in a register when the branch comes back to it). Edge cases:
;; the store before the test (one store when j starts past the end), j first or
;; second in the address, a store offset, the step as the stored value (its low
;; byte), an address that wraps at 2^32, j wrapping at 2^32, a trap part way
;; (the bytes before it written), j both operands of the address and a loop head
;; before the store (not run in a register), the test written `end >= j`.
;; Expected values from wabt's spectest-interp.
(module
  (memory 1)
  (func $clear (memory.fill (i32.const 0) (i32.const 0) (i32.const 65536)))
  ;; h = h * 31 + byte over [from, to): what a fill wrote.
  (func $sum (export "sum") (param $i i32) (param $n i32) (result i32) (local $h i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $h))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
  ;; mem[base + j] = v for j = j0, j0 + step, ... while j <= end, the store
  ;; before the test (one store even when j0 > end); returns j.
  (func $fill (export "fill") (param $base i32) (param $j i32) (param $step i32) (param $end i32)
        (param $v i32) (result i32)
    (call $clear)
    (loop $l
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (local.get $v))
      (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $step))) (local.get $end))))
    (local.get $j))
  ;; j the address's first operand, the base its second.
  (func (export "fill_jfirst") (param $base i32) (param $j i32) (param $step i32) (param $end i32)
        (param $v i32) (result i32)
    (call $clear)
    (loop $l
      (i32.store8 (i32.add (local.get $j) (local.get $base)) (local.get $v))
      (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $step))) (local.get $end))))
    (local.get $j))
  ;; A store offset.
  (func (export "fill_off") (param $base i32) (param $j i32) (param $step i32) (param $end i32)
        (param $v i32) (result i32)
    (call $clear)
    (loop $l
      (i32.store8 offset=3 (i32.add (local.get $base) (local.get $j)) (local.get $v))
      (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $step))) (local.get $end))))
    (local.get $j))
  ;; The value stored is the step (the two one slot); only its low byte.
  (func (export "fill_step") (param $base i32) (param $j i32) (param $step i32) (param $end i32)
        (result i32)
    (call $clear)
    (loop $l
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (local.get $step))
      (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $step))) (local.get $end))))
    (local.get $j))
  ;; j is both operands of the address (2 j): one iteration a dispatch.
  (func (export "fill_2j") (param $j i32) (param $step i32) (param $end i32) (param $v i32)
        (result i32)
    (call $clear)
    (loop $l
      (i32.store8 (i32.add (local.get $j) (local.get $j)) (local.get $v))
      (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $step))) (local.get $end))))
    (local.get $j))
  ;; The loop's head is an instruction before the store (a count): the
  ;; branch does not come back to the fused instruction itself. Returns
  ;; count * 65536 + j.
  (func (export "fill_count") (param $base i32) (param $j i32) (param $step i32) (param $end i32)
        (param $v i32) (result i32) (local $k i32)
    (call $clear)
    (loop $l
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (local.get $v))
      (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $step))) (local.get $end))))
    (i32.add (i32.shl (local.get $k) (i32.const 16)) (local.get $j)))
  ;; A bound that is not a local's but a computed value's (the end + 0).
  (func (export "fill_ge") (param $base i32) (param $j i32) (param $step i32) (param $end i32)
        (param $v i32) (result i32)
    (call $clear)
    (loop $l
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (local.get $v))
      (br_if $l (i32.ge_u (local.get $end) (local.tee $j (i32.add (local.get $j) (local.get $step))))))
    (local.get $j))
)
(assert_return (invoke "fill" (i32.const 0) (i32.const 4) (i32.const 2) (i32.const 100) (i32.const 1)) (i32.const 102))
(assert_return (invoke "sum" (i32.const 0) (i32.const 110)) (i32.const 1806642415))
(assert_return (invoke "fill" (i32.const 0) (i32.const 50) (i32.const 3) (i32.const 10) (i32.const 7)) (i32.const 53))
(assert_return (invoke "sum" (i32.const 45) (i32.const 60)) (i32.const -1375594535))
(assert_return (invoke "fill" (i32.const 0xFFFFFFF0) (i32.const 16) (i32.const 16) (i32.const 64) (i32.const 5)) (i32.const 80))
(assert_return (invoke "sum" (i32.const 0) (i32.const 70)) (i32.const 639963244))
(assert_trap (invoke "fill" (i32.const 65500) (i32.const 0) (i32.const 8) (i32.const 1000) (i32.const 9)) "out of bounds memory access")
(assert_return (invoke "byte" (i32.const 65500)) (i32.const 9))
(assert_return (invoke "byte" (i32.const 65524)) (i32.const 9))
(assert_return (invoke "byte" (i32.const 65532)) (i32.const 9))
(assert_return (invoke "byte" (i32.const 65533)) (i32.const 0))
(assert_trap (invoke "fill" (i32.const 0) (i32.const 65530) (i32.const 0x80000000) (i32.const 0xFFFFFFFF) (i32.const 3)) "out of bounds memory access")
(assert_return (invoke "byte" (i32.const 65530)) (i32.const 3))
(assert_return (invoke "byte" (i32.const 65531)) (i32.const 0))
(assert_trap (invoke "fill" (i32.const 65000) (i32.const 0xFFFFFFF0) (i32.const 8) (i32.const 0xFFFFFFF8) (i32.const 4)) "out of bounds memory access")
(assert_return (invoke "byte" (i32.const 64984)) (i32.const 4))
(assert_return (invoke "byte" (i32.const 65000)) (i32.const 4))
(assert_return (invoke "byte" (i32.const 65528)) (i32.const 4))
(assert_return (invoke "byte" (i32.const 65529)) (i32.const 0))
(assert_return (invoke "fill_jfirst" (i32.const 1000) (i32.const 0) (i32.const 5) (i32.const 50) (i32.const 2)) (i32.const 55))
(assert_return (invoke "sum" (i32.const 1000) (i32.const 1060)) (i32.const 1752811646))
(assert_return (invoke "fill_off" (i32.const 0) (i32.const 0) (i32.const 10) (i32.const 30) (i32.const 4)) (i32.const 40))
(assert_return (invoke "sum" (i32.const 0) (i32.const 40)) (i32.const 1243870736))
(assert_return (invoke "fill_step" (i32.const 0) (i32.const 1) (i32.const 7) (i32.const 30)) (i32.const 36))
(assert_return (invoke "sum" (i32.const 0) (i32.const 40)) (i32.const 1206431495))
(assert_return (invoke "fill_step" (i32.const 0) (i32.const 0) (i32.const 0x101) (i32.const 0x500)) (i32.const 0x505))
(assert_return (invoke "sum" (i32.const 0) (i32.const 0x510)) (i32.const 1964121503))
(assert_return (invoke "fill_2j" (i32.const 1) (i32.const 3) (i32.const 20) (i32.const 6)) (i32.const 22))
(assert_return (invoke "sum" (i32.const 0) (i32.const 45)) (i32.const 310633002))
(assert_return (invoke "fill_count" (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 20) (i32.const 8)) (i32.const 393240))
(assert_return (invoke "sum" (i32.const 0) (i32.const 30)) (i32.const 505852368))
(assert_return (invoke "fill_ge" (i32.const 0) (i32.const 4) (i32.const 2) (i32.const 100) (i32.const 1)) (i32.const 102))
(assert_return (invoke "sum" (i32.const 0) (i32.const 110)) (i32.const 1806642415))
(assert_return (invoke "fill_ge" (i32.const 0) (i32.const 50) (i32.const 3) (i32.const 10) (i32.const 7)) (i32.const 53))
(assert_return (invoke "sum" (i32.const 45) (i32.const 60)) (i32.const -1375594535))
