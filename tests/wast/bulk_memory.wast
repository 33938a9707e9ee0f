;; bulk_memory.wast -- memory.fill, memory.copy (overlapping both ways),
;; memory.init, data.drop, and their bounds checks (done before any write).
(module
  (memory 1)
  (data $d0 "\01\02\03\04\05\06\07\08")
  (data $d1 "hello")
  (data $active (i32.const 0xff00) "\aa\bb")
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init0") (param i32 i32 i32) (memory.init $d0 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init1") (param i32 i32 i32) (memory.init $d1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init-active") (param i32 i32 i32) (memory.init $active (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop0") (data.drop $d0))
  (func (export "drop1") (data.drop $d1))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
)

;; an active segment is dropped after instantiation: only length 0 works
(assert_return (invoke "load8" (i32.const 0xff01)) (i32.const 0xbb))
(invoke "init-active" (i32.const 0) (i32.const 0) (i32.const 0))
(assert_trap (invoke "init-active" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")

;; fill
(invoke "fill" (i32.const 10) (i32.const 0x1ab) (i32.const 5))
(assert_return (invoke "load64" (i32.const 8)) (i64.const 0x00ababababab0000))
(assert_return (invoke "load8" (i32.const 15)) (i32.const 0))
(invoke "fill" (i32.const 65536) (i32.const 1) (i32.const 0))
(assert_trap (invoke "fill" (i32.const 65537) (i32.const 1) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 65530) (i32.const 7) (i32.const 7)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 65530)) (i32.const 0))
(assert_trap (invoke "fill" (i32.const 1) (i32.const 7) (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 1)) (i32.const 0))
(invoke "fill" (i32.const 65535) (i32.const 9) (i32.const 1))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 9))

;; init and copy with overlap
(invoke "init0" (i32.const 100) (i32.const 0) (i32.const 8))
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0807060504030201))
(invoke "copy" (i32.const 102) (i32.const 100) (i32.const 6))   ;; forward overlap
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0605040302010201))
(invoke "init0" (i32.const 100) (i32.const 0) (i32.const 8))
(invoke "copy" (i32.const 100) (i32.const 102) (i32.const 6))   ;; backward overlap
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0807080706050403))
(invoke "copy" (i32.const 100) (i32.const 100) (i32.const 8))   ;; same place
(assert_return (invoke "load64" (i32.const 100)) (i64.const 0x0807080706050403))
(invoke "init0" (i32.const 200) (i32.const 6) (i32.const 2))
(assert_return (invoke "load64" (i32.const 200)) (i64.const 0x0807))
(invoke "init1" (i32.const 300) (i32.const 1) (i32.const 4))
(assert_return (invoke "load64" (i32.const 300)) (i64.const 0x6f6c6c65))
(invoke "init1" (i32.const 300) (i32.const 5) (i32.const 0))
(assert_trap (invoke "init1" (i32.const 300) (i32.const 6) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "init1" (i32.const 300) (i32.const 2) (i32.const 4)) "out of bounds memory access")
(assert_trap (invoke "init1" (i32.const 65534) (i32.const 0) (i32.const 3)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 65534)) (i32.const 0))
(invoke "init1" (i32.const 65536) (i32.const 0) (i32.const 0))
(assert_trap (invoke "init1" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")

;; copy bounds: checked before anything is written
(invoke "copy" (i32.const 65536) (i32.const 0) (i32.const 0))
(invoke "copy" (i32.const 0) (i32.const 65536) (i32.const 0))
(assert_trap (invoke "copy" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 65537) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 65532) (i32.const 100) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "copy" (i32.const 100) (i32.const 65532) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "load8" (i32.const 100)) (i32.const 3))
(assert_trap (invoke "copy" (i32.const 0) (i32.const 0) (i32.const -1)) "out of bounds memory access")
(invoke "copy" (i32.const 0xff00) (i32.const 0) (i32.const 0x100))
(assert_return (invoke "load8" (i32.const 0xff01)) (i32.const 0))

;; data.drop: later inits of the segment fail unless the length is 0;
;; dropping twice is fine
(invoke "drop0")
(invoke "drop0")
(invoke "init0" (i32.const 0) (i32.const 0) (i32.const 0))
(assert_trap (invoke "init0" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(invoke "init1" (i32.const 0) (i32.const 0) (i32.const 5))
(invoke "drop1")
(assert_trap (invoke "init1" (i32.const 0) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "load64" (i32.const 0)) (i64.const 0x6f6c6c6568))

;; segments are applied in order; a failing segment traps instantiation
;; but what earlier segments wrote stays (here: in an imported memory)
(module $M (memory (export "mem") 1))
(register "M" $M)
(assert_trap
  (module
    (memory (import "M" "mem") 1)
    (data (i32.const 10) "\01")
    (data (i32.const 65535) "\02\03"))
  "out of bounds memory access")
(module
  (memory (import "M" "mem") 1)
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0))))
(assert_return (invoke "load8" (i32.const 10)) (i32.const 1))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 0))
