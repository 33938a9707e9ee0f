;; GC's types in compiled code (src/aot/aot_c.c): a type section with rec
;; groups, declared subtypes (`sub`, `sub final`) and struct and array
;; definitions, in modules whose code uses none of GC's values. call_indirect
;; and call_ref are checked by the runtime's subtype-aware test (interned
;; type ids, declared supertypes), as in the interpreter, which runs this file
;; too; every module here must be compiled (tests/CMakeLists.txt).

(module $A
  (rec (type $pt (struct (field i32) (field (mut i64))))
       (type $arr (array (mut i8))))
  (type $base (sub (func (param i32) (result i32))))
  (type $mid (sub $base (func (param i32) (result i32))))
  (type $leaf (sub final $mid (func (param i32) (result i32))))
  (type $other (sub final (func (param i32) (result i32))))
  (rec (type $r1 (func (result i32))) (type $r2 (struct)))
  (rec (type $s1 (func (result i32))) (type $s2 (struct)))
  (type $plain (func (result i32)))

  (func $fb (type $base) (i32.add (local.get 0) (i32.const 1)))
  (func $fm (type $mid) (i32.add (local.get 0) (i32.const 10)))
  (func $fl (type $leaf) (i32.add (local.get 0) (i32.const 100)))
  (func $fo (type $other) (i32.add (local.get 0) (i32.const 1000)))
  (func $r (type $r1) (i32.const 7))
  (func $p (type $plain) (i32.const 8))
  (table $t 6 funcref)
  (elem (table $t) (i32.const 0) func $fb $fm $fl $fo $r $p)
  (export "fl" (func $fl))
  (export "t" (table $t))

  ;; call_indirect through the supertype takes any declared subtype.
  (func (export "as_base") (param i32 i32) (result i32)
    (call_indirect $t (type $base) (local.get 0) (local.get 1)))
  (func (export "as_mid") (param i32 i32) (result i32)
    (call_indirect $t (type $mid) (local.get 0) (local.get 1)))
  (func (export "as_leaf") (param i32 i32) (result i32)
    (call_indirect $t (type $leaf) (local.get 0) (local.get 1)))
  ;; The same structure in an equal rec group is the same type; a group of
  ;; other shape, or a plain type, is not.
  (func (export "as_s1") (param i32) (result i32)
    (call_indirect $t (type $s1) (local.get 0)))
  (func (export "as_plain") (param i32) (result i32)
    (call_indirect $t (type $plain) (local.get 0)))
  (func (export "ref_mid") (param i32) (result i32)
    (call_ref $mid (local.get 0) (ref.func $fl)))
  (elem declare func $fl))
(register "A" $A)

(assert_return (invoke "as_base" (i32.const 5) (i32.const 0)) (i32.const 6))
(assert_return (invoke "as_base" (i32.const 5) (i32.const 1)) (i32.const 15))
(assert_return (invoke "as_base" (i32.const 5) (i32.const 2)) (i32.const 105))
(assert_trap (invoke "as_base" (i32.const 5) (i32.const 3)) "indirect call type mismatch")
(assert_trap (invoke "as_mid" (i32.const 5) (i32.const 0)) "indirect call type mismatch")
(assert_return (invoke "as_mid" (i32.const 5) (i32.const 1)) (i32.const 15))
(assert_return (invoke "as_mid" (i32.const 5) (i32.const 2)) (i32.const 105))
(assert_trap (invoke "as_leaf" (i32.const 5) (i32.const 1)) "indirect call type mismatch")
(assert_return (invoke "as_leaf" (i32.const 5) (i32.const 2)) (i32.const 105))
(assert_trap (invoke "as_leaf" (i32.const 5) (i32.const 6)) "undefined element")
(assert_return (invoke "as_s1" (i32.const 4)) (i32.const 7))
(assert_trap (invoke "as_s1" (i32.const 5)) "indirect call type mismatch")
(assert_return (invoke "as_plain" (i32.const 5)) (i32.const 8))
(assert_trap (invoke "as_plain" (i32.const 4)) "indirect call type mismatch")
(assert_return (invoke "ref_mid" (i32.const 1)) (i32.const 101))

;; Another module's types are the same ids when their groups are equal: its
;; call_indirect into A's table, and an import of A's function by a
;; supertype.
(module
  (rec (type $pt (struct (field i32) (field (mut i64))))
       (type $arr (array (mut i8))))
  (type $base (sub (func (param i32) (result i32))))
  (type $mid (sub $base (func (param i32) (result i32))))
  (type $r2s (struct (field f32)))
  (rec (type $s1 (func (result i32))) (type $s2 (struct)))
  (import "A" "fl" (func $fl (type $base)))
  (import "A" "t" (table $t 6 funcref))
  (func (export "imp") (param i32) (result i32) (call $fl (local.get 0)))
  (func (export "via_mid") (param i32 i32) (result i32)
    (call_indirect $t (type $mid) (local.get 0) (local.get 1)))
  (func (export "via_s1") (param i32) (result i32)
    (call_indirect $t (type $s1) (local.get 0))))
(assert_return (invoke "imp" (i32.const 1)) (i32.const 101))
(assert_return (invoke "via_mid" (i32.const 1) (i32.const 2)) (i32.const 101))
(assert_trap (invoke "via_mid" (i32.const 1) (i32.const 0)) "indirect call type mismatch")
(assert_return (invoke "via_s1" (i32.const 4)) (i32.const 7))
(assert_trap (invoke "via_s1" (i32.const 5)) "indirect call type mismatch")

;; A type open to subtypes (`sub` without `final`) is not the plain type of
;; the same signature; `sub final` without supertypes is the plain type.
(module
  (import "A" "t" (table $t 6 funcref))
  (type $plain (func (param i32) (result i32)))
  (func (export "plain") (param i32 i32) (result i32)
    (call_indirect $t (type $plain) (local.get 0) (local.get 1))))
(assert_trap (invoke "plain" (i32.const 1) (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "plain" (i32.const 1) (i32.const 2)) "indirect call type mismatch")
(assert_return (invoke "plain" (i32.const 1) (i32.const 3)) (i32.const 1001))
