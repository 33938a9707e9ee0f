;; SPDX-License-Identifier: MIT
;; What only the native reader runs (`wasmem spectest FILE.wast`; wast2json
;; 1.0.32 stops at these): top-level module quote (fields alone, a whole
;; module, nothing at all), assert_uninstantiable, either for one of
;; several results, non-null and untyped reference patterns, quoted ids,
;; annotations.
(module $M (@custom "ignored" (here))
  (func $f (export "f") (result funcref) (ref.func $f))
  (func (export "e") (param externref) (result externref) (local.get 0))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const -1)))
(register "M" $M)
(assert_return (invoke "f") (ref.func))
(assert_return (invoke "e" (ref.extern 0)) (ref.extern))
(assert_return (invoke "e" (ref.extern 0)) (ref.extern 0))
(assert_return (invoke $M "two") (either (i32.const 2) (i32.const 1)) (i64.const 0xffff_ffff_ffff_ffff))
;; (ref.null): a null of any reference type; nofunc and noextern are func's and extern's.
(assert_return (invoke "e" (ref.null extern)) (ref.null))
(assert_return (invoke "e" (ref.null noextern)) (ref.null noextern))

(module $"a b" quote "(func (export \"q\") (result i32)" " (i32.const 5))")
(assert_return (invoke $"a b" "q") (i32.const 5))
(assert_return (invoke $"\61 b" "q") (i32.const 5))
(module quote "(module (func (export \"w\") (result i32) (i32.const 6)))")
(assert_return (invoke "w") (i32.const 6))
(module quote "(func (export \"c\") (result i32) (i32.const 8)) ;; a comment to the end")
(assert_return (invoke "c") (i32.const 8))
(module quote "")
(module quote)
(assert_malformed (module quote "(module (func)) (func)") "unexpected token")
(assert_malformed (module quote "(func (param $x i32) (local $x i32))") "duplicate local")

(assert_uninstantiable (module (memory 1) (data (i32.const 70000) "x")) "out of bounds memory access")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_unlinkable (module (import "M" "nope" (func))) "unknown import")

;; Module definitions and their instances: instantiation is generative, a
;; definition alone never instantiates (this memory could not be made),
;; and an instance becomes the current module.
(module definition (memory 65536))
(module definition $D
  (global $g (export "g") (mut i32) (i32.const 0))
  (func (export "bump") (result i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))
(module instance $D1 $D)
(module instance $D2 $D)
(assert_return (invoke $D1 "bump") (i32.const 1))
(assert_return (invoke $D1 "bump") (i32.const 2))
(assert_return (invoke $D2 "bump") (i32.const 1))
(assert_return (invoke "bump") (i32.const 2))
(module instance)
(assert_return (get "g") (i32.const 0))
(register "D1" $D1)
(module (import "D1" "g" (global (mut i32))) (func (export "read") (result i32) (global.get 0)))
(assert_return (invoke "read") (i32.const 2))
(assert_invalid (module definition (func (result i32))) "type mismatch")
;; Instances of one module share its lowered code, so each CALL's cache of
;; its callee's code: C2's callee is still its type's lazy stub when the
;; cache names the code C1's first call lowered, and C1's calls then find
;; C2's stub cached. Each callee runs in its own instance (its global).
(module definition $C
  (global $g (mut i32) (i32.const 0))
  (func $leaf (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.add (local.get 0) (global.get $g)))
  (func $trap (param i32) (result i32)
    (if (local.get 0) (then unreachable)) (local.get 0))
  (func (export "call") (param i32) (result i32) (call $leaf (local.get 0)))
  (func (export "trap") (param i32) (result i32) (call $trap (local.get 0))))
(module instance $C1 $C)
(module instance $C2 $C)
(assert_return (invoke $C1 "call" (i32.const 10)) (i32.const 11))
(assert_return (invoke $C2 "call" (i32.const 10)) (i32.const 11))
(assert_return (invoke $C1 "call" (i32.const 10)) (i32.const 12))
(assert_return (invoke $C2 "call" (i32.const 10)) (i32.const 12))
(assert_return (invoke $C1 "call" (i32.const 10)) (i32.const 13))
(assert_trap (invoke $C2 "trap" (i32.const 1)) "unreachable")
(assert_return (invoke $C1 "trap" (i32.const 0)) (i32.const 0))
(assert_trap (invoke $C1 "trap" (i32.const 1)) "unreachable")
