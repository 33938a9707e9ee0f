;; Typed function references (WebAssembly 3.0) as wasmem runs them: call_ref,
;; return_call_ref, ref.as_non_null, br_on_null, br_on_non_null, typed
;; locals and their initialisation, tables with an initial value, subtyping
;; and rec groups across modules. Native only (wast2json 1.0.32 has no typed
;; references); CMake runs it in the plain, checked, metered and eager loops.

(module $lib
  (type $ii (func (param i32) (result i32)))
  (rec (type $r1 (func (param (ref null $r2)))) (type $r2 (func (result (ref null $r1)))))
  (type $base (sub (func (result i32))))
  (type $derived (sub $base (func (result i32))))
  (func $double (export "double") (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $r1f (export "r1") (type $r1))
  (func $d (export "derived") (type $derived) (i32.const 7))
  (global (export "gd") (ref $ii) (ref.func $double))
  (table (export "tab") 3 (ref null $ii))
)
(register "lib")

(module
  (type $ii (func (param i32) (result i32)))
  (rec (type $r1 (func (param (ref null $r2)))) (type $r2 (func (result (ref null $r1)))))
  (type $base (sub (func (result i32))))
  ;; Matches: the same type, the same rec group (iso-recursive), a subtype.
  (import "lib" "double" (func $double (type $ii)))
  (import "lib" "r1" (func (type $r1)))
  (import "lib" "derived" (func $d (type $base)))
  (import "lib" "gd" (global $gd (ref null $ii)))
  (import "lib" "tab" (table 3 (ref null $ii)))
  (elem declare func $inc)
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (table $t 4 (ref $ii) (ref.func $inc))

  (func (export "call_ref") (param i32) (result i32)
    (call_ref $ii (local.get 0) (ref.func $inc)))
  (func (export "call_global") (param i32) (result i32)
    (call_ref $ii (local.get 0) (global.get $gd)))
  (func (export "call_null") (result i32)
    (call_ref $ii (i32.const 1) (ref.null $ii)))
  (func (export "call_table") (param i32 i32) (result i32)
    (call_ref $ii (local.get 1) (table.get $t (local.get 0))))
  (func (export "call_sub") (result i32) (call_ref $base (ref.func $d)))
  (func $loop (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_ref $loopt (i32.sub (local.get 0) (i32.const 1))
                                    (i32.add (local.get 1) (i32.const 1))
                                    (ref.func $loop)))))
  (type $loopt (func (param i32 i32) (result i32)))
  (elem declare func $loop $d)
  (func (export "tail") (param i32) (result i32)
    (call $loop (local.get 0) (i32.const 0)))
  (func (export "tail_null") (result i32)
    (return_call_ref $ii (i32.const 0) (ref.null $ii)))

  (func (export "as_non_null") (param i32) (result i32)
    (local $f (ref null $ii))
    (if (local.get 0) (then (local.set $f (ref.func $inc))))
    (call_ref $ii (i32.const 10) (ref.as_non_null (local.get $f))))

  (func (export "br_on_null") (param i32) (result i32)
    (local $f (ref null $ii))
    (if (local.get 0) (then (local.set $f (ref.func $inc))))
    (block $null
      (return (call_ref $ii (i32.const 20) (br_on_null $null (local.get $f)))))
    (i32.const -1))
  (func (export "br_on_non_null") (param i32) (result i32)
    (local $f (ref null $ii))
    (local $g (ref $ii))
    (if (local.get 0) (then (local.set $f (ref.func $inc))))
    (local.set $g
      (block $nn (result (ref $ii))
        (br_on_non_null $nn (local.get $f))
        (return (i32.const -2))))
    (call_ref $ii (i32.const 30) (local.get $g)))
  ;; A value below the reference goes with it to the label.
  (func (export "br_on_null_vals") (param i32) (result i32 i32)
    (local $f (ref null $ii))
    (if (local.get 0) (then (local.set $f (ref.func $inc))))
    (block $null (result i32)
      (i32.const 5)
      (br_on_null $null (local.get $f))
      (drop)
      (i32.const 6)
      (return (i32.const 1)))
    (i32.const 0))

  ;; A non-defaultable local, set in the same block before its use.
  (func (export "local_init") (param i32) (result i32)
    (local $f (ref $ii))
    (local.set $f (ref.func $inc))
    (block (result i32) (call_ref $ii (local.get 0) (local.get $f))))
  (func (export "local_tee") (param i32) (result i32)
    (local $f (ref $ii))
    (call_ref $ii (local.get 0) (local.tee $f (ref.func $inc))))

  (func (export "table_init") (result i32)
    (call_ref $ii (i32.const 41) (table.get $t (i32.const 3))))
  (func (export "is_null") (param i32) (result i32)
    (local $f (ref null func))
    (if (local.get 0) (then (local.set $f (ref.func $inc))))
    (ref.is_null (local.get $f)))
)

(assert_return (invoke "call_ref" (i32.const 4)) (i32.const 5))
(assert_return (invoke "call_global" (i32.const 4)) (i32.const 8))
(assert_trap (invoke "call_null") "null function reference")
(assert_return (invoke "call_table" (i32.const 2) (i32.const 9)) (i32.const 10))
(assert_return (invoke "call_sub") (i32.const 7))
(assert_return (invoke "tail" (i32.const 100000)) (i32.const 100000))
(assert_trap (invoke "tail_null") "null function reference")
(assert_return (invoke "as_non_null" (i32.const 1)) (i32.const 11))
(assert_trap (invoke "as_non_null" (i32.const 0)) "null reference")
(assert_return (invoke "br_on_null" (i32.const 1)) (i32.const 21))
(assert_return (invoke "br_on_null" (i32.const 0)) (i32.const -1))
(assert_return (invoke "br_on_non_null" (i32.const 1)) (i32.const 31))
(assert_return (invoke "br_on_non_null" (i32.const 0)) (i32.const -2))
(assert_return (invoke "br_on_null_vals" (i32.const 1)) (i32.const 6) (i32.const 1))
(assert_return (invoke "br_on_null_vals" (i32.const 0)) (i32.const 5) (i32.const 0))
(assert_return (invoke "local_init" (i32.const 1)) (i32.const 2))
(assert_return (invoke "local_tee" (i32.const 2)) (i32.const 3))
(assert_return (invoke "table_init") (i32.const 42))
(assert_return (invoke "is_null" (i32.const 0)) (i32.const 1))
(assert_return (invoke "is_null" (i32.const 1)) (i32.const 0))

;; Import matching: a different type, a supertype for a subtype, a
;; different rec group, a non-null global for a nullable mutable one.
(assert_unlinkable
  (module (type $t (func (param i64) (result i32))) (import "lib" "double" (func (type $t))))
  "incompatible import type")
(assert_unlinkable
  (module
    (type $base (sub (func (result i32))))
    (type $derived (sub $base (func (result i32))))
    (type $other (sub final $base (func (result i32))))
    (import "lib" "derived" (func (type $other))))
  "incompatible import type")
(assert_unlinkable
  (module
    (rec (type $r1 (func (param (ref null $r2)))) (type $r2 (func (result (ref null $r1)))) (type (func)))
    (import "lib" "r1" (func (type $r1))))
  "incompatible import type")
(assert_unlinkable
  (module (import "lib" "gd" (global (mut (ref null func)))))
  "incompatible import type")
(module (type $ii (func (param i32) (result i32))) (import "lib" "gd" (global (ref null func))))
(assert_unlinkable
  (module (import "lib" "tab" (table 3 funcref)))
  "incompatible import type")

;; Validation: the local initialisation rule, subtyping refused where it
;; does not hold, null where non-null is needed.
(assert_invalid
  (module (type $t (func)) (func (local $f (ref $t)) (drop (local.get $f))))
  "uninitialized local")
(assert_invalid
  (module (type $t (func)) (elem declare func 0)
    (func (local $f (ref $t))
      (block (local.set $f (ref.func 0)))
      (drop (local.get $f))))
  "uninitialized local")
(assert_invalid
  (module (type $t (func)) (elem declare func 0)
    (func (param i32) (local $f (ref $t))
      (if (local.get 0) (then (local.set $f (ref.func 0))) (else (drop (local.get $f))))))
  "uninitialized local")
(assert_invalid
  (module (type $t (func)) (func (param (ref null $t)) (call_ref $t (local.get 0)) (drop (ref.as_non_null (ref.null func))) (call_ref $t (ref.null func))))
  "type mismatch")
(assert_invalid
  (module (type $t (func)) (func (result (ref $t)) (ref.null $t)))
  "type mismatch")
(assert_invalid
  (module (type $t (func)) (table 1 (ref $t)))
  "type mismatch")
(assert_invalid
  (module (type $t (func)) (func (call_ref 1 (ref.null $t))))
  "unknown type")
(assert_invalid
  (module (type $t (func)) (func (block $l (br_on_non_null $l (ref.null $t)))))
  "type mismatch")
(assert_invalid
  (module (type $a (func)) (type $b (sub $a (func))))
  "sub type")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\04\01\5f\00\00")
  "garbage collection not supported yet")

;; An element list written as expressions has the type written: funcref
;; items are nullable, so they do not fit a table of (ref func), though
;; the same list written as indices is (ref func) and does.
(module
  (func)
  (table 1 (ref func) (ref.func 0))
  (elem (i32.const 0) func 0)
  (elem $p func 0)
  (func (export "init") (table.init $p (i32.const 0) (i32.const 0) (i32.const 1))))
(assert_return (invoke "init"))
(assert_invalid
  (module (func) (table 1 (ref func) (ref.func 0)) (elem (i32.const 0) funcref (ref.func 0)))
  "type mismatch")
(assert_invalid
  (module (func) (table 1 (ref func) (ref.func 0)) (elem $p funcref (ref.func 0))
    (func (table.init $p (i32.const 0) (i32.const 0) (i32.const 1))))
  "type mismatch")
(module
  (func)
  (table 1 (ref func) (ref.func 0))
  (elem (i32.const 0) (ref func) (ref.func 0)))
