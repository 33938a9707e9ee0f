;; Compiled code importing a memory that an interpreted module defines.
;; $Mm declares a shared memory (threads), which the translator does not
;; take yet, so it runs interpreted; spectest --aot asks its runtime to
;; reserve such memories as guarded compiled code needs (guard_memories).
(module $Mm
  (memory $m0 (export "mem0") 0 0)
  (memory $m1 (export "mem1") 1 5)
  (memory $unused 1 1 shared)
  (data (memory 1) (i32.const 10) "\00\01\02\03\04\05\06\07\08\09")
  (func (export "load") (param i32) (result i32) (i32.load8_u $m1 (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow $m1 (local.get 0)))
  (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 5))
      (else (return_call $down (i32.sub (local.get 0) (i32.const 1)))))))
(register "Mm" $Mm)

;; Tail calls from compiled code to the interpreted module's functions:
;; imported, through a table, through a reference, one that tail-calls
;; itself 100,000 times interpreted.
(module $Tm
  (type $i (func (param i32) (result i32)))
  (import "Mm" "twice" (func $twice (type $i)))
  (import "Mm" "down" (func $down (type $i)))
  (table 2 funcref)
  (elem (i32.const 0) func $twice $down)
  (func (export "direct") (param i32) (result i32) (return_call $twice (local.get 0)))
  (func (export "table") (param i32 i32) (result i32)
    (return_call_indirect (type $i) (local.get 0) (local.get 1)))
  (func (export "ref") (param i32) (result i32) (return_call_ref $i (local.get 0) (ref.func $down)))
  (func (export "plus") (param i32) (result i32)
    (i32.add (call $self (local.get 0)) (i32.const 1)))
  (func $self (param i32) (result i32) (return_call $twice (local.get 0))))
(assert_return (invoke $Tm "direct" (i32.const 21)) (i32.const 42))
(assert_return (invoke $Tm "table" (i32.const 4) (i32.const 0)) (i32.const 8))
(assert_return (invoke $Tm "table" (i32.const 100000) (i32.const 1)) (i32.const 5))
(assert_trap (invoke $Tm "table" (i32.const 1) (i32.const 2)) "undefined element")
(assert_return (invoke $Tm "ref" (i32.const 100000)) (i32.const 5))
(assert_return (invoke $Tm "plus" (i32.const 10)) (i32.const 21))

(module $Om
  (memory (import "Mm" "mem1") 1)
  (data (i32.const 5) "\a0\a1\a2\a3\a4\a5\a6\a7")
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "load32") (param i32) (result i32) (i32.load offset=4 (local.get 0))))

(assert_return (invoke $Mm "load" (i32.const 12)) (i32.const 0xa7))
(assert_return (invoke $Om "load" (i32.const 12)) (i32.const 0xa7))
(assert_return (invoke $Om "store" (i32.const 65535) (i32.const 7)))
(assert_return (invoke $Mm "load" (i32.const 65535)) (i32.const 7))
(assert_trap (invoke $Om "load" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke $Om "load32" (i32.const 65529)) "out of bounds memory access")
(assert_trap (invoke $Om "store" (i32.const -1) (i32.const 1)) "out of bounds memory access")
;; Growth by the interpreted exporter is seen by the compiled importer.
(assert_return (invoke $Mm "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke $Om "load" (i32.const 65536)) (i32.const 0))
(assert_trap (invoke $Om "load" (i32.const 131072)) "out of bounds memory access")

;; A data segment out of the imported memory's bounds traps at instantiation.
(assert_trap
  (module
    (memory (import "Mm" "mem0") 0)
    (data (i32.const 0xffff) "a"))
  "out of bounds memory access")
