;; WebAssembly 3.0's 64-bit tables (table64): i64 indexes, sizes, lengths
;; and grow results, element segments at i64 offsets, call_indirect with an
;; i64 index. An index of 2^32 or more reaches the 32-bit table
;; instructions saturated at 2^32-1, out of bounds of every table (INDEX64).
;; Native only: wabt 1.0.32 has no table64.

(module
  (type $r (func (result i32)))
  (table $t i64 3 10 funcref)
  (table $s 4 funcref)
  (elem (table $t) (i64.const 0) func $a $b)
  (elem $e func $b $a)
  (func $a (result i32) (i32.const 10))
  (func $b (result i32) (i32.const 20))
  (func (export "call") (param i64) (result i32) (call_indirect $t (type $r) (local.get 0)))
  (func (export "tail") (param i64) (result i32) (return_call_indirect $t (type $r) (local.get 0)))
  (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "set") (param i64) (table.set $t (local.get 0) (ref.func $b)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "fill") (param i64 i64) (table.fill $t (local.get 0) (ref.func $a) (local.get 1)))
  (func (export "init") (param i64 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "to_s") (param i32 i64 i32) (table.copy $s $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "from_s") (param i64 i32 i32) (table.copy $t $s (local.get 0) (local.get 1) (local.get 2)))
  (func (export "call_s") (param i32) (result i32) (call_indirect $s (type $r) (local.get 0)))
)
(assert_return (invoke "call" (i64.const 0)) (i32.const 10))
(assert_return (invoke "tail" (i64.const 1)) (i32.const 20))
(assert_trap (invoke "call" (i64.const 2)) "uninitialized element")
(assert_trap (invoke "call" (i64.const 3)) "undefined element")
(assert_trap (invoke "call" (i64.const 0x1_0000_0000)) "undefined element")
(assert_trap (invoke "call" (i64.const 0xffff_ffff)) "undefined element")
(assert_trap (invoke "call" (i64.const -1)) "undefined element")
(assert_trap (invoke "tail" (i64.const 0x1_0000_0001)) "undefined element")
(assert_return (invoke "is_null" (i64.const 2)) (i32.const 1))
(assert_trap (invoke "is_null" (i64.const 0x1_0000_0000)) "out of bounds table access")
(assert_return (invoke "set" (i64.const 2)))
(assert_return (invoke "call" (i64.const 2)) (i32.const 20))
(assert_trap (invoke "set" (i64.const 3)) "out of bounds table access")
(assert_trap (invoke "set" (i64.const 0x1_0000_0002)) "out of bounds table access")

(assert_return (invoke "size") (i64.const 3))
(assert_return (invoke "grow" (i64.const 8)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 0x1_0000_0002)) (i64.const -1))
(assert_return (invoke "grow" (i64.const -1)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 2)) (i64.const 3))
(assert_return (invoke "size") (i64.const 5))

(assert_return (invoke "fill" (i64.const 3) (i64.const 2)))
(assert_return (invoke "call" (i64.const 4)) (i32.const 10))
(assert_return (invoke "fill" (i64.const 5) (i64.const 0)))
(assert_trap (invoke "fill" (i64.const 6) (i64.const 0)) "out of bounds table access")
(assert_trap (invoke "fill" (i64.const 0) (i64.const 0x1_0000_0000)) "out of bounds table access")
(assert_trap (invoke "fill" (i64.const 0x1_0000_0000) (i64.const 0)) "out of bounds table access")
(assert_trap (invoke "fill" (i64.const 1) (i64.const -1)) "out of bounds table access")

(assert_return (invoke "init" (i64.const 3) (i32.const 0) (i32.const 2)))
(assert_return (invoke "call" (i64.const 3)) (i32.const 20))
(assert_return (invoke "call" (i64.const 4)) (i32.const 10))
(assert_trap (invoke "init" (i64.const 0x1_0000_0000) (i32.const 0) (i32.const 0)) "out of bounds table access")
(assert_trap (invoke "init" (i64.const 4) (i32.const 0) (i32.const 2)) "out of bounds table access")

(assert_return (invoke "copy" (i64.const 0) (i64.const 3) (i64.const 2)))
(assert_return (invoke "call" (i64.const 0)) (i32.const 20))
(assert_trap (invoke "copy" (i64.const 0) (i64.const 0) (i64.const 0x1_0000_0000)) "out of bounds table access")
(assert_trap (invoke "copy" (i64.const 0x1_0000_0000) (i64.const 0) (i64.const 0)) "out of bounds table access")

;; table.copy between a 32-bit and a 64-bit table: the length is an i32.
(assert_return (invoke "to_s" (i32.const 1) (i64.const 0) (i32.const 2)))
(assert_return (invoke "call_s" (i32.const 1)) (i32.const 20))
(assert_return (invoke "call_s" (i32.const 2)) (i32.const 10))
(assert_trap (invoke "to_s" (i32.const 0) (i64.const 0x1_0000_0000) (i32.const 0)) "out of bounds table access")
(assert_return (invoke "from_s" (i64.const 4) (i32.const 1) (i32.const 1)))
(assert_return (invoke "call" (i64.const 4)) (i32.const 20))
(assert_trap (invoke "from_s" (i64.const 5) (i32.const 0) (i32.const -1)) "out of bounds table access")
(assert_invalid
  (module (table $a 1 funcref) (table $b i64 1 funcref)
    (func (table.copy $a $b (i32.const 0) (i64.const 0) (i64.const 0))))
  "type mismatch")

;; Element segments at i64 offsets, checked at instantiation.
(assert_trap (module (table i64 1 funcref) (elem (i64.const 1) func 0) (func)) "out of bounds table access")
(assert_trap (module (table i64 1 funcref) (elem (i64.const 0x1_0000_0000)) (func)) "out of bounds table access")
(assert_invalid (module (table i64 1 funcref) (elem (i32.const 0) func)) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem (i64.const 0) func)) "type mismatch")

;; Validation: indexes, sizes and lengths of a 64-bit table are i64.
(assert_invalid
  (module (type (func)) (table i64 1 funcref) (func (call_indirect (type 0) (i32.const 0))))
  "type mismatch")
(assert_invalid (module (table i64 1 funcref) (func (result i32) (table.size 0))) "type mismatch")
(assert_invalid (module (table i64 1 funcref) (func (drop (table.get 0 (i32.const 0))))) "type mismatch")
(assert_invalid
  (module (table i64 1 funcref) (func (drop (table.grow 0 (ref.null func) (i32.const 0)))))
  "type mismatch")
(assert_invalid (module (table i64 2 1 funcref)) "size minimum must not be greater than maximum")
(module (table i64 0 0xffff_ffff_ffff_ffff funcref))

;; The abbreviation with elements: the table's limits and the segment's
;; offset take the address type.
(module
  (table $t i64 funcref (elem $f $f $f))
  (func $f (result i32) (i32.const 7))
  (func (export "size") (result i64) (table.size $t))
  (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0))))
(assert_return (invoke "size") (i64.const 3))
(assert_return (invoke "call" (i64.const 2)) (i32.const 7))

;; Imports: the address types must agree.
(module (table (export "t64") i64 1 funcref) (table (export "t32") 1 funcref))
(register "T")
(module (import "T" "t64" (table i64 1 funcref)))
(assert_unlinkable (module (import "T" "t64" (table 1 funcref))) "incompatible import type")
(assert_unlinkable (module (import "T" "t32" (table i64 1 funcref))) "incompatible import type")

;; The binary format: flags 4 and 5; a table cannot be shared (6).
(module binary "\00asm" "\01\00\00\00" "\04\04\01\70\04\01")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\04\05\01\70\06\01\01")
  "integer too large")
