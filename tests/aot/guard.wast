;; guard.wast -- compiled code without bounds checks (wasmem compile's
;; default): every out-of-bounds access below lands in the memory's
;; inaccessible guard pages, and the fault must be the interpreter's trap,
;; with the memory as the interpreter leaves it. Run by aot.wast.guard.
(module $m
  (memory (export "mem") 1 3)
  (func (export "ld32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "ld8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "ld64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "ldf64") (param i32) (result f64) (f64.load (local.get 0)))
  (func (export "st32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "st8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "st64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  ;; The largest offset: address + offset reaches 8 GiB - 2.
  (func (export "ld_far") (param i32) (result i32) (i32.load offset=0xFFFFFFFF (local.get 0)))
  (func (export "st_far") (param i32) (i64.store offset=0xFFFFFFF8 (local.get 0) (i64.const 1)))
  ;; A load whose value is dropped must still trap.
  (func (export "drop_ld") (param i32) (drop (i64.load (local.get 0))))
  (func (export "unused_ld") (param i32) (local i32) (local.set 1 (i32.load8_s (local.get 0))))
  ;; A store before the faulting one stays done.
  (func (export "st_then_oob") (param i32)
    (i32.store (i32.const 16) (i32.const 0x1234))
    (i32.store (local.get 0) (i32.const 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  ;; Deep inside compiled frames.
  (func $rec (export "rec") (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.load (local.get 1)))
      (else (i32.add (i32.const 1)
              (call $rec (i32.sub (local.get 0) (i32.const 1)) (local.get 1))))))
)
(register "m" $m)

(assert_return (invoke "ld32" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "ld32" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "ld8" (i32.const 65535)) (i32.const 0))
(assert_trap (invoke "ld8" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "ld64" (i32.const 65528)) (i64.const 0))
(assert_trap (invoke "ld64" (i32.const 65529)) "out of bounds memory access")
(assert_trap (invoke "ldf64" (i32.const -1)) "out of bounds memory access")
(assert_trap (invoke "ld32" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "st8" (i32.const 65535) (i32.const 9)))
(assert_return (invoke "ld8" (i32.const 65535)) (i32.const 9))
(assert_trap (invoke "st8" (i32.const 65536) (i32.const 9)) "out of bounds memory access")
(assert_return (invoke "st32" (i32.const 65532) (i32.const 7)))
(assert_trap (invoke "st32" (i32.const 65533) (i32.const 7)) "out of bounds memory access")
;; The trapped store wrote none of its bytes.
(assert_return (invoke "ld32" (i32.const 65532)) (i32.const 7))
(assert_trap (invoke "st64" (i32.const 65529) (i64.const -1)) "out of bounds memory access")
(assert_return (invoke "ld32" (i32.const 65532)) (i32.const 7))
(assert_trap (invoke "ld_far" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "ld_far" (i32.const -1)) "out of bounds memory access")
(assert_trap (invoke "st_far" (i32.const -1)) "out of bounds memory access")
(assert_trap (invoke "st_far" (i32.const 8)) "out of bounds memory access")
(assert_trap (invoke "drop_ld" (i32.const 65529)) "out of bounds memory access")
(assert_trap (invoke "unused_ld" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "unused_ld" (i32.const 65535)))
(assert_trap (invoke "st_then_oob" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "ld32" (i32.const 16)) (i32.const 0x1234))
(assert_trap (invoke "rec" (i32.const 1000) (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "rec" (i32.const 1000) (i32.const 16)) (i32.const 5660))

;; After memory.grow the new page is accessible, the one after it not.
(assert_return (invoke "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke "st32" (i32.const 131068) (i32.const 5)))
(assert_return (invoke "ld32" (i32.const 131068)) (i32.const 5))
(assert_trap (invoke "ld32" (i32.const 131069)) "out of bounds memory access")
(assert_trap (invoke "st8" (i32.const 131072) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 1)) (i32.const 2))
(assert_return (invoke "ld8" (i32.const 196607)) (i32.const 0))
(assert_trap (invoke "ld8" (i32.const 196608)) "out of bounds memory access")
;; Past the maximum: no growth, still guarded.
(assert_return (invoke "grow" (i32.const 1)) (i32.const -1))
(assert_trap (invoke "ld8" (i32.const 196608)) "out of bounds memory access")

;; A fault in compiled code reached through an import from compiled code:
;; the callee's own trap, and the caller goes on afterwards.
(module $n
  (import "m" "ld32" (func $ld (param i32) (result i32)))
  (import "m" "mem" (memory 1))
  (func (export "via") (param i32) (result i32) (i32.add (i32.const 1) (call $ld (local.get 0))))
  (func (export "own") (param i32) (result i32) (i32.load (local.get 0))))
(assert_trap (invoke "via" (i32.const 196608)) "out of bounds memory access")
(assert_return (invoke "via" (i32.const 131068)) (i32.const 6))
(assert_trap (invoke "own" (i32.const 196605)) "out of bounds memory access")
(assert_return (invoke "own" (i32.const 196604)) (i32.const 0))

;; The spectest host memory (wm_memory_new) is reserved for guarded code.
(module
  (import "spectest" "memory" (memory 1 2))
  (func (export "ld") (param i32) (result i32) (i32.load (local.get 0))))
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "ld" (i32.const 65533)) "out of bounds memory access")

;; Stores around a load that faults, at addresses the C compiler can tell
;; apart from the load's: none may move across it, nor be dropped because a
;; later store overwrites it (the guarded code's fences). After the trap,
;; memory and the global hold what came before the load, nothing after.
(module $order
  (memory (export "mem") 1)
  (global $g (export "g") (mut i32) (i32.const 0))
  (func (export "st_fault_st") (param $a i32)
    (i32.store (i32.const 0) (i32.const 11))
    (drop (i32.load offset=0x10000000 (local.get $a)))
    (i32.store (i32.const 0) (i32.const 22)))
  (func (export "fault_st") (param $a i32) (result i32)
    (local $v i32)
    (local.set $v (i32.load offset=0x10000000 (local.get $a)))
    (i32.store (i32.const 8) (i32.const 33))
    (local.get $v))
  (func (export "g_fault_g") (param $a i32)
    (global.set $g (i32.const 1))
    (drop (i64.load offset=0x10000000 (local.get $a)))
    (global.set $g (i32.const 2)))
  (func (export "loop_st_fault") (param $a i32) (param $n i32)
    (local $i i32)
    (loop $l
      (i32.store offset=16 (i32.shl (local.get $i) (i32.const 2))
        (i32.add (local.get $i) (i32.const 100)))
      (drop (i32.load offset=0x10000000 (i32.mul (local.get $a) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
  ;; Constant addresses: the store before the load is provably apart from
  ;; it and overwritten after it.
  (func (export "st_kfault_st")
    (i32.store (i32.const 4) (i32.const 44))
    (drop (i32.load (i32.const 0x10000000)))
    (i32.store (i32.const 4) (i32.const 55)))
  (func (export "ld") (param i32) (result i32) (i32.load (local.get 0)))
)
(assert_trap (invoke "st_fault_st" (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 0)) (i32.const 11))
(assert_trap (invoke "st_kfault_st") "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 4)) (i32.const 44))
(assert_trap (invoke "fault_st" (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 8)) (i32.const 0))
(assert_trap (invoke "g_fault_g" (i32.const 0)) "out of bounds memory access")
(assert_return (get "g") (i32.const 1))
;; a = 0 keeps every load at 0x10000000, which faults at once: after the
;; first iteration's store only.
(assert_trap (invoke "loop_st_fault" (i32.const 0) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 16)) (i32.const 100))
(assert_return (invoke "ld" (i32.const 20)) (i32.const 0))
