;; The last pass's fusions (compile_acc.c): a string walk's step
;; (I32_ADD_K_LOAD8_U_BR_IF_NOT_MOVE), load pairs (I32_LOAD*_2) whose
;; second value the next instruction reads from the accumulator, and the
;; producers I32_ADD_K_AND_K, I32_SHR_U_AND_K and I32_MUL_K_ADD_K. Each
;; next to the forms it must not take (another pointer, a branch target),
;; with traps at the first and at the second access. Expected values from
;; V8 (node) on the same module.
(module
  (memory 1)
  (data (i32.const 0) "abc\00xyz\00")
  (data (i32.const 16) "\01\00\ff\ff\02\80\fe\7f\10\20\30\40\08\00\00\00")
  (data (i32.const 65530) "qwerty")
  ;; a string walk's step, `for (; *p; p++)`: the next pointer made, the
  ;; byte at p tested, the next pointer kept
  (func (export "walk") (param $p i32) (result i32) (local $next i32) (local $c i32) (local $sum i32)
    (block $done
      (loop $l
        local.get $p i32.const 1 i32.add local.set $next
        (block $z
          local.get $p i32.load8_u local.tee $c i32.eqz br_if $z
          local.get $next local.set $p
          local.get $sum local.get $c i32.add local.set $sum
          br $l)
        br $done))
    local.get $sum i32.const 16 i32.shl local.get $p i32.add)
  ;; the same step with the load at an offset and a step of 2
  (func (export "walk2") (param $p i32) (result i32) (local $next i32) (local $c i32) (local $n i32)
    (block $done
      (loop $l
        local.get $p i32.const 2 i32.add local.set $next
        (block $z
          local.get $p i32.load8_u offset=1 local.tee $c i32.eqz br_if $z
          local.get $next local.set $p
          local.get $n i32.const 1 i32.add local.set $n
          br $l)
        br $done))
    local.get $n i32.const 16 i32.shl local.get $p i32.add)
  ;; the load from another pointer than the step's: not the fused form
  (func (export "walk-other") (param $p i32) (param $q i32) (result i32) (local $next i32) (local $c i32)
    (block $done
      (loop $l
        local.get $p i32.const 1 i32.add local.set $next
        (block $z
          local.get $q i32.load8_u local.tee $c i32.eqz br_if $z
          local.get $next local.set $p
          local.get $q i32.const 1 i32.add local.set $q
          br $l)
        br $done))
    local.get $p)
  ;; load pairs: both factors loaded, then the product (the second value
  ;; is the accumulator's)
  (func (export "pair16s") (param i32 i32) (result i32)
    local.get 0 i32.load16_s local.get 1 i32.load16_s i32.mul)
  (func (export "pair16u") (param i32 i32) (result i32)
    local.get 0 i32.load16_u offset=2 local.get 1 i32.load16_u i32.mul)
  (func (export "pair8s") (param i32 i32) (result i32)
    local.get 0 i32.load8_s local.get 1 i32.load8_s i32.sub)
  (func (export "pair8u") (param i32 i32) (result i32)
    local.get 0 i32.load8_u offset=1 local.get 1 i32.load8_u i32.mul)
  (func (export "pair32") (param i32 i32) (result i32)
    local.get 0 i32.load local.get 1 i32.load offset=4 i32.mul)
  ;; the second address is the first load's value
  (func (export "deref") (param i32) (result i32)
    local.get 0 i32.load local.get 0 i32.load offset=12 i32.load i32.add)
  (func (export "deref2") (param i32) (result i32)
    local.get 0 i32.load i32.load)
  ;; the second load where a branch lands: two loads
  (func (export "pair-label") (param i32 i32) (result i32)
    local.get 0 i32.load16_s
    (loop (param i32) (result i32)
      local.get 1 i32.load16_s i32.add
      local.get 1 i32.const 2 i32.add local.tee 1 i32.const 24 i32.lt_u br_if 0))
  ;; producers the next instruction reads from the accumulator
  (func (export "digit") (param i32) (result i32)
    (block (result i32)
      i32.const 0 local.get 0 i32.const -48 i32.add i32.const 255 i32.and i32.const 9 i32.gt_u br_if 0
      drop i32.const 1))
  (func (export "bits") (param i32) (result i32)
    local.get 0 i32.const 5 i32.shr_u i32.const 7 i32.and i32.const 3 i32.mul)
  (func (export "mulk") (param i32) (result i32)
    local.get 0 i32.const 3 i32.mul i32.const 5 i32.add i32.const 1 i32.shl)
)
(assert_return (invoke "walk" (i32.const 0)) (i32.const 19267587))
(assert_return (invoke "walk" (i32.const 3)) (i32.const 3))
(assert_return (invoke "walk" (i32.const 4)) (i32.const 23789575))
(assert_return (invoke "walk" (i32.const 1)) (i32.const 12910595))
(assert_trap (invoke "walk" (i32.const 65530)) "out of bounds memory access")
(assert_trap (invoke "walk" (i32.const 65535)) "out of bounds memory access")
(assert_trap (invoke "walk" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "walk" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "walk2" (i32.const 0)) (i32.const 65538))
(assert_return (invoke "walk2" (i32.const 4)) (i32.const 65542))
(assert_return (invoke "walk2" (i32.const 16)) (i32.const 16))
(assert_return (invoke "walk2" (i32.const 65528)) (i32.const 65528))
(assert_trap (invoke "walk2" (i32.const 65534)) "out of bounds memory access")
(assert_trap (invoke "walk2" (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "walk-other" (i32.const 0) (i32.const 0)) (i32.const 3))
(assert_return (invoke "walk-other" (i32.const 10) (i32.const 4)) (i32.const 13))
(assert_trap (invoke "walk-other" (i32.const 5) (i32.const 65534)) "out of bounds memory access")
(assert_return (invoke "pair16s" (i32.const 16) (i32.const 18)) (i32.const -1))
(assert_return (invoke "pair16s" (i32.const 18) (i32.const 22)) (i32.const -32766))
(assert_return (invoke "pair16s" (i32.const 20) (i32.const 20)) (i32.const 1073610756))
(assert_return (invoke "pair16s" (i32.const 65534) (i32.const 16)) (i32.const 31092))
(assert_return (invoke "pair16s" (i32.const 16) (i32.const 65534)) (i32.const 31092))
(assert_trap (invoke "pair16s" (i32.const 65535) (i32.const 16)) "out of bounds memory access")
(assert_trap (invoke "pair16s" (i32.const 16) (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "pair16u" (i32.const 16) (i32.const 18)) (i32.const -131071))
(assert_return (invoke "pair16u" (i32.const 18) (i32.const 22)) (i32.const 1073741820))
(assert_return (invoke "pair16u" (i32.const 65532) (i32.const 16)) (i32.const 31092))
(assert_trap (invoke "pair16u" (i32.const 65533) (i32.const 16)) "out of bounds memory access")
(assert_trap (invoke "pair16u" (i32.const 16) (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "pair8s" (i32.const 18) (i32.const 19)) (i32.const 0))
(assert_return (invoke "pair8s" (i32.const 21) (i32.const 23)) (i32.const -255))
(assert_return (invoke "pair8s" (i32.const 65535) (i32.const 65535)) (i32.const 0))
(assert_trap (invoke "pair8s" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "pair8s" (i32.const 0) (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "pair8u" (i32.const 17) (i32.const 18)) (i32.const 65025))
(assert_return (invoke "pair8u" (i32.const 20) (i32.const 21)) (i32.const 16384))
(assert_return (invoke "pair8u" (i32.const 65534) (i32.const 0)) (i32.const 11737))
(assert_trap (invoke "pair8u" (i32.const 65535) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "pair8u" (i32.const 0) (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "pair32" (i32.const 16) (i32.const 20)) (i32.const 538976272))
(assert_return (invoke "pair32" (i32.const 24) (i32.const 16)) (i32.const 1346912288))
(assert_return (invoke "pair32" (i32.const 65532) (i32.const 16)) (i32.const -950967094))
(assert_trap (invoke "pair32" (i32.const 65533) (i32.const 16)) "out of bounds memory access")
(assert_return (invoke "pair32" (i32.const 16) (i32.const 65528)) (i32.const 118452837))
(assert_trap (invoke "pair32" (i32.const 16) (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "deref" (i32.const 16)) (i32.const -65535))
(assert_return (invoke "deref" (i32.const 24)) (i32.const 1083409009))
(assert_trap (invoke "deref" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "deref" (i32.const 65524)) "out of bounds memory access")
(assert_return (invoke "deref2" (i32.const 28)) (i32.const 0))
(assert_trap (invoke "deref2" (i32.const 16)) "out of bounds memory access")
(assert_trap (invoke "deref2" (i32.const 20)) "out of bounds memory access")
(assert_return (invoke "pair-label" (i32.const 16) (i32.const 16)) (i32.const 1))
(assert_return (invoke "pair-label" (i32.const 20) (i32.const 18)) (i32.const -32767))
(assert_return (invoke "pair-label" (i32.const 65534) (i32.const 16)) (i32.const 31092))
(assert_return (invoke "pair-label" (i32.const 16) (i32.const 65534)) (i32.const 31093))
(assert_return (invoke "digit" (i32.const 48)) (i32.const 1))
(assert_return (invoke "digit" (i32.const 57)) (i32.const 1))
(assert_return (invoke "digit" (i32.const 58)) (i32.const 0))
(assert_return (invoke "digit" (i32.const 47)) (i32.const 0))
(assert_return (invoke "digit" (i32.const 304)) (i32.const 1))
(assert_return (invoke "digit" (i32.const -200)) (i32.const 1))
(assert_return (invoke "bits" (i32.const 0)) (i32.const 0))
(assert_return (invoke "bits" (i32.const 255)) (i32.const 21))
(assert_return (invoke "bits" (i32.const -1)) (i32.const 21))
(assert_return (invoke "bits" (i32.const 160)) (i32.const 15))
(assert_return (invoke "mulk" (i32.const 0)) (i32.const 10))
(assert_return (invoke "mulk" (i32.const 7)) (i32.const 52))
(assert_return (invoke "mulk" (i32.const -1)) (i32.const 4))
(assert_return (invoke "mulk" (i32.const 1431655765)) (i32.const 8))
