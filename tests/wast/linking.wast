;; linking.wast -- register + import from other modules (functions, memory,
;; table, globals), the spectest host module, and assert_unlinkable.
(module $A
  (memory (export "mem") 1 2)
  (table (export "tab") 3 funcref)
  (global (export "g") (mut i32) (i32.const 1))
  (func $double (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "call-tab") (param i32) (result i32) (call_indirect (param i32) (result i32) (i32.const 21) (local.get 0)))
  (elem (i32.const 0) $double)
)
(register "A" $A)

(module $B
  (import "A" "double" (func $double (param i32) (result i32)))
  (import "A" "mem" (memory 1))
  (import "A" "tab" (table 1 funcref))
  (import "A" "g" (global $g (mut i32)))
  (import "spectest" "print_i32" (func $print (param i32)))
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (elem (i32.const 1) $triple)
  (func (export "quad") (param i32) (result i32) (call $double (call $double (local.get 0))))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "bump-g") (global.set $g (i32.add (global.get $g) (i32.const 1))))
  (func (export "print") (param i32) (result i32) (call $print (local.get 0)) (local.get 0))
  ;; re-export an import under another name
  (export "double2" (func $double))
)
(register "B" $B)

(assert_return (invoke $B "quad" (i32.const 5)) (i32.const 20))
(assert_return (invoke $B "double2" (i32.const 4)) (i32.const 8))
(assert_return (invoke $B "print" (i32.const 3)) (i32.const 3))
;; shared memory: a store through one instance is seen through the other
(invoke $A "store" (i32.const 16) (i32.const 0xcafe))
(assert_return (invoke $B "load" (i32.const 16)) (i32.const 0xcafe))
(invoke $B "store" (i32.const 32) (i32.const 0xbeef))
(assert_return (invoke $A "load" (i32.const 32)) (i32.const 0xbeef))
(assert_return (invoke $B "grow" (i32.const 1)) (i32.const 1))
(invoke $B "store" (i32.const 65536) (i32.const 7))
(assert_return (invoke $A "load" (i32.const 65536)) (i32.const 7))
(assert_return (invoke $B "grow" (i32.const 1)) (i32.const -1))
;; shared table: B's segment wrote slot 1 of A's table
(assert_return (invoke $A "call-tab" (i32.const 0)) (i32.const 42))
(assert_return (invoke $A "call-tab" (i32.const 1)) (i32.const 63))
(assert_trap (invoke $A "call-tab" (i32.const 2)) "uninitialized element")
;; shared mutable global
(invoke $B "bump-g")
(assert_return (get $A "g") (i32.const 2))

;; a function re-exported through B is the same function
(module $C
  (import "B" "double2" (func $d (param i32) (result i32)))
  (func (export "f") (result i32) (call $d (i32.const 50))))
(assert_return (invoke $C "f") (i32.const 100))

;; unknown imports
(assert_unlinkable (module (import "A" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "nope" "double" (func))) "unknown import")
(assert_unlinkable (module (import "spectest" "nope" (global i32))) "unknown import")
;; wrong kind or type
(assert_unlinkable (module (import "A" "double" (func (param i64) (result i32)))) "incompatible import type")
(assert_unlinkable (module (import "A" "double" (func (param i32)))) "incompatible import type")
(assert_unlinkable (module (import "A" "mem" (func))) "incompatible import type")
(assert_unlinkable (module (import "A" "double" (memory 1))) "incompatible import type")
(assert_unlinkable (module (import "A" "g" (global i32))) "incompatible import type")
(assert_unlinkable (module (import "A" "tab" (table 1 externref))) "incompatible import type")
;; limits: the import's declared range must cover the actual one
(assert_unlinkable (module (import "A" "mem" (memory 3))) "incompatible import type")
(assert_unlinkable (module (import "A" "mem" (memory 1 1))) "incompatible import type")
(module (import "A" "mem" (memory 2 2)))
(module (import "A" "mem" (memory 0)))
(assert_unlinkable (module (import "A" "tab" (table 4 funcref))) "incompatible import type")
(assert_unlinkable (module (import "A" "tab" (table 3 5 funcref))) "incompatible import type")
(module (import "A" "tab" (table 3 funcref)))
(assert_unlinkable (module (import "spectest" "memory" (memory 1 1))) "incompatible import type")
(module (import "spectest" "memory" (memory 1 2)))
(module (import "spectest" "table" (table 10 20 funcref)))
(assert_unlinkable (module (import "spectest" "table" (table 10 15 funcref))) "incompatible import type")

;; a failed instantiation leaves no trace of its other imports' use
(module $D (global (export "x") i32 (i32.const 9)))
(register "D" $D)
(assert_unlinkable
  (module (import "D" "x" (global i32)) (import "D" "y" (global i32)))
  "unknown import")
(module (import "D" "x" (global $x i32)) (func (export "x") (result i32) (global.get $x)))
(assert_return (invoke "x") (i32.const 9))
