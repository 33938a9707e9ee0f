;; Typed function references in compiled code (src/aot/aot_c.c): (ref null?
;; ht) of func, extern, nofunc, noextern and function types in locals,
;; params, results, blocks, globals and tables (one with an initialiser),
;; select with a type, ref.null of each, ref.as_non_null, br_on_null and
;; br_on_non_null carrying values, call_ref (direct to this instance, or
;; through the runtime to an import) and call_indirect through a typed
;; table. The same traps and messages as the interpreter's, which runs this
;; file too; every module here must be compiled (tests/CMakeLists.txt).

(module $M
  (type $ii (func (param i32) (result i32)))
  (func (export "inc") (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func (export "make") (result (ref $ii)) (ref.func $dbl))
  (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (global (export "gf") (ref null $ii) (ref.func $dbl))
  (table (export "tab") 2 (ref null $ii)))
(register "M" $M)

(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (type $pair (func (param i32 i64) (result i64 i32)))
  (import "M" "inc" (func $inc (type $ii)))
  (import "M" "make" (func $make (result (ref $ii))))
  (import "M" "gf" (global $gf (ref null $ii)))
  (import "M" "tab" (table $itab 2 (ref null $ii)))

  (table $t 3 (ref null $ii))
  (table $nn 2 (ref $ii) (ref.func $sq))
  (table $ex 1 externref)
  (elem (table $t) (i32.const 0) (ref $ii) (ref.func $sq) (ref.func $inc))
  (elem declare func $swap $sq $boom)

  (global $g (mut (ref null $ii)) (ref.null $ii))
  (global $gnn (ref $ii) (ref.func $sq))
  (global $gx (mut externref) (ref.null extern))
  (global $gnf (ref null nofunc) (ref.null nofunc))

  (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))
  (func $swap (type $pair) (local.get 1) (local.get 0))
  (func $boom (type $v) (unreachable))

  ;; call_ref: a defined function (the direct path), an import (through the
  ;; runtime), a function that another module made, null.
  (func (export "call_sq") (param i32) (result i32)
    (call_ref $ii (local.get 0) (ref.func $sq)))
  (func (export "call_inc") (param i32) (result i32)
    (call_ref $ii (local.get 0) (ref.func $inc)))
  (func (export "call_made") (param i32) (result i32)
    (call_ref $ii (local.get 0) (call $make)))
  (func (export "call_null") (param i32) (result i32)
    (call_ref $ii (local.get 0) (ref.null $ii)))
  (func (export "call_pair") (param i32 i64) (result i64 i32)
    (call_ref $pair (local.get 0) (local.get 1) (ref.func $swap)))
  (func (export "call_boom") (call_ref $v (ref.func $boom)))
  ;; A typed parameter and result, passed through.
  (func $pass (param $f (ref null $ii)) (result (ref null $ii)) (local.get $f))
  (func (export "call_passed") (param i32 i32) (result i32)
    (call_ref $ii (local.get 0)
      (call $pass (select (result (ref null $ii)) (ref.func $sq) (ref.func $inc) (local.get 1)))))

  ;; ref.as_non_null.
  (func (export "as_non_null") (param i32) (result i32)
    (call_ref $ii (i32.const 5)
      (ref.as_non_null (select (result (ref null $ii)) (ref.func $sq) (ref.null $ii) (local.get 0)))))
  (func (export "as_non_null_extern") (param externref) (result externref)
    (ref.as_non_null (local.get 0)))

  ;; br_on_null and br_on_non_null with values carried through the branch.
  (func $bon (param $r (ref null $ii)) (param $x i32) (result i32 i32)
    (block $null (result i32 i32)
      (i32.const 100) (local.get $x) (local.get $r)
      (br_on_null $null)
      (local.set $r)
      (drop)
      (return (i32.const 1) (call_ref $ii (local.get $x) (local.get $r))))
  )
  (func (export "br_on_null") (param i32 i32) (result i32 i32)
    (call $bon (select (result (ref null $ii)) (ref.func $sq) (ref.null $ii) (local.get 0)) (local.get 1)))
  (func $bonn (param $r (ref null $ii)) (param $x i32) (result i32)
    (block $nn (result i32 (ref $ii))
      (local.get $x) (local.get $r)
      (br_on_non_null $nn)
      (return (i32.sub (i32.const 0) (local.get $x))))
    (call_ref $ii))
  (func (export "br_on_non_null") (param i32 i32) (result i32)
    (call $bonn (select (result (ref null $ii)) (ref.func $sq) (ref.null $ii) (local.get 0)) (local.get 1)))
  (func (export "br_on_non_null_extern") (param externref) (result i32)
    (block $nn (result (ref extern))
      (br_on_non_null $nn (local.get 0))
      (return (i32.const 0)))
    (drop)
    (i32.const 1))

  ;; Non-nullable locals (set before use), a nullable one, nofunc/noextern.
  (func (export "locals") (param i32) (result i32)
    (local $f (ref $ii)) (local $n (ref null $ii)) (local $b (ref null nofunc)) (local $e (ref null noextern))
    (local.set $f (ref.func $sq))
    (local.set $n (local.get $f))
    (i32.add
      (i32.add (ref.is_null (local.get $b)) (ref.is_null (local.get $e)))
      (call_ref $ii (local.get 0) (local.get $n))))
  (func (export "null_bottoms") (result i32)
    (i32.add (ref.is_null (ref.null nofunc))
      (i32.add (ref.is_null (ref.null noextern)) (ref.is_null (global.get $gnf)))))
  (func (export "block_typed") (param i32) (result i32)
    (call_ref $ii (local.get 0)
      (block (result (ref $ii)) (ref.func $sq))))

  ;; Typed globals: get, set, null, imported.
  (func (export "global_call") (param i32) (result i32)
    (call_ref $ii (local.get 0) (global.get $gnn)))
  (func (export "global_set") (param i32)
    (global.set $g (select (result (ref null $ii)) (ref.func $inc) (ref.null $ii) (local.get 0))))
  (func (export "global_get") (param i32) (result i32)
    (call_ref $ii (local.get 0) (global.get $g)))
  (func (export "global_imported") (param i32) (result i32)
    (call_ref $ii (local.get 0) (global.get $gf)))
  (func (export "global_extern") (param externref) (result externref)
    (global.set $gx (local.get 0)) (global.get $gx))

  ;; Typed tables: call_indirect, table.get, set, grow, size, an initialiser.
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
  (func (export "indirect_nn") (param i32 i32) (result i32)
    (call_indirect $nn (type $ii) (local.get 1) (local.get 0)))
  (func (export "get_call") (param i32 i32) (result i32)
    (call_ref $ii (local.get 1) (table.get $t (local.get 0))))
  (func (export "set_null") (param i32) (table.set $t (local.get 0) (ref.null $ii)))
  (func (export "grow_nn") (param i32) (result i32) (table.grow $nn (ref.func $inc) (local.get 0)))
  (func (export "size_nn") (result i32) (table.size $nn))
  (func (export "imported_table") (param i32 i32) (result i32)
    (table.set $itab (i32.const 0) (ref.func $sq))
    (call_indirect $itab (type $ii) (local.get 1) (local.get 0)))
)

(assert_return (invoke "call_sq" (i32.const 7)) (i32.const 49))
(assert_return (invoke "call_inc" (i32.const 7)) (i32.const 8))
(assert_return (invoke "call_made" (i32.const 7)) (i32.const 14))
(assert_trap (invoke "call_null" (i32.const 7)) "null function reference")
(assert_return (invoke "call_pair" (i32.const 3) (i64.const 4)) (i64.const 4) (i32.const 3))
(assert_trap (invoke "call_boom") "unreachable")
(assert_return (invoke "call_passed" (i32.const 6) (i32.const 1)) (i32.const 36))
(assert_return (invoke "call_passed" (i32.const 6) (i32.const 0)) (i32.const 7))

(assert_return (invoke "as_non_null" (i32.const 1)) (i32.const 25))
(assert_trap (invoke "as_non_null" (i32.const 0)) "null reference")
(assert_return (invoke "as_non_null_extern" (ref.extern 3)) (ref.extern 3))
(assert_trap (invoke "as_non_null_extern" (ref.null extern)) "null reference")

(assert_return (invoke "br_on_null" (i32.const 1) (i32.const 9)) (i32.const 1) (i32.const 81))
(assert_return (invoke "br_on_null" (i32.const 0) (i32.const 9)) (i32.const 100) (i32.const 9))
(assert_return (invoke "br_on_non_null" (i32.const 1) (i32.const 9)) (i32.const 81))
(assert_return (invoke "br_on_non_null" (i32.const 0) (i32.const 9)) (i32.const -9))
(assert_return (invoke "br_on_non_null_extern" (ref.extern 1)) (i32.const 1))
(assert_return (invoke "br_on_non_null_extern" (ref.null extern)) (i32.const 0))

(assert_return (invoke "locals" (i32.const 3)) (i32.const 11))
(assert_return (invoke "null_bottoms") (i32.const 3))
(assert_return (invoke "block_typed" (i32.const 4)) (i32.const 16))

(assert_return (invoke "global_call" (i32.const 5)) (i32.const 25))
(assert_trap (invoke "global_get" (i32.const 5)) "null function reference")
(assert_return (invoke "global_set" (i32.const 1)))
(assert_return (invoke "global_get" (i32.const 5)) (i32.const 6))
(assert_return (invoke "global_imported" (i32.const 5)) (i32.const 10))
(assert_return (invoke "global_extern" (ref.extern 7)) (ref.extern 7))

(assert_return (invoke "indirect" (i32.const 0) (i32.const 3)) (i32.const 9))
(assert_return (invoke "indirect" (i32.const 1) (i32.const 3)) (i32.const 4))
(assert_trap (invoke "indirect" (i32.const 2) (i32.const 3)) "uninitialized element")
(assert_trap (invoke "indirect" (i32.const 3) (i32.const 3)) "undefined element")
(assert_return (invoke "indirect_nn" (i32.const 1) (i32.const 3)) (i32.const 9))
(assert_return (invoke "get_call" (i32.const 1) (i32.const 3)) (i32.const 4))
(assert_return (invoke "set_null" (i32.const 1)))
(assert_trap (invoke "get_call" (i32.const 1) (i32.const 3)) "null function reference")
(assert_trap (invoke "indirect" (i32.const 1) (i32.const 3)) "uninitialized element")
(assert_return (invoke "grow_nn" (i32.const 2)) (i32.const 2))
(assert_return (invoke "size_nn") (i32.const 4))
(assert_return (invoke "indirect_nn" (i32.const 3) (i32.const 3)) (i32.const 4))
(assert_return (invoke "imported_table" (i32.const 0) (i32.const 6)) (i32.const 36))
(assert_trap (invoke "imported_table" (i32.const 1) (i32.const 6)) "uninitialized element")
