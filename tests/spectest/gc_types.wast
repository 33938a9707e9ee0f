;; Garbage collection's types (WebAssembly 3.0), step one: struct and
;; array types, packed fields, the abstract heap types of `any` and their
;; lattice, subtyping of struct and array types, and the rule that only a
;; function type types a function, a block, a tag or an indirect call.
;; No GC instruction runs yet: values of these types are null here.

(module
  (type $s0 (struct))
  (type $s1 (struct (field i32) (field (mut i64)) (field $f i8) (field (mut i16))))
  (type $a (array (mut f32)))
  (type $ap (array i8))
  (rec (type $list (struct (field i32) (field (ref null $list)))))
  (type $node (sub (struct (field (ref null $node)))))
  (type $pair (sub $node (struct (field (ref null $node)) (field anyref))))

  (global $g (mut anyref) (ref.null any))
  (global $gs (mut (ref null $s1)) (ref.null $s1))
  (global (export "none") nullref (ref.null none))
  (table $t 2 eqref)

  ;; The lattice: none <: i31, struct, array <: eq <: any; a concrete
  ;; struct type <: struct, an array type <: array.
  (func (param (ref null $s1)) (result structref) (local.get 0))
  (func (param (ref null $s1)) (result eqref) (local.get 0))
  (func (param (ref $a)) (result (ref array)) (local.get 0))
  (func (param i31ref) (result eqref) (local.get 0))
  (func (param (ref null $pair)) (result (ref null $node)) (local.get 0))
  (func (param nullref) (result (ref null $list)) (local.get 0))
  (func (param nullref) (result i31ref) (local.get 0))

  (func (export "null-any") (result anyref) (global.get $g))
  (func (export "null-s") (result (ref null $s1)) (global.get $gs))
  (func (export "is-null") (param anyref) (result i32) (ref.is_null (local.get 0)))
  (func (export "set-get") (result i32)
    (global.set $g (ref.null eq))
    (table.set $t (i32.const 1) (ref.null struct))
    (i32.add (ref.is_null (global.get $g)) (ref.is_null (table.get $t (i32.const 1)))))
  (func (export "block") (result structref)
    (block (result (ref null $s1)) (ref.null none)))
  (func (export "grow") (result i32)
    (table.grow $t (ref.null none) (i32.const 3)))
)
(assert_return (invoke "null-any") (ref.null any))
(assert_return (invoke "null-s") (ref.null none))
(assert_return (get "none") (ref.null none))
(assert_return (invoke "is-null" (ref.null any)) (i32.const 1))
(assert_return (invoke "set-get") (i32.const 2))
(assert_return (invoke "block") (ref.null struct))
(assert_return (invoke "grow") (i32.const 2))

;; Outside the lattice.
(assert_invalid
  (module (type $s (struct)) (func (param (ref null $s)) (result arrayref) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (func (param structref) (result i31ref) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (func (param eqref) (result structref) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (func (param anyref) (result externref) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (func (param funcref) (result anyref) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (func (param nullfuncref) (result anyref) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (type $s (struct)) (func (param structref) (result (ref null $s)) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (type $s (struct)) (func (param (ref null $s)) (result (ref $s)) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (type $s (struct)) (type $t (struct))
    (func (param (ref null $s)) (result (ref null $t)) (local.get 0))
    (func (param (ref null $t)) (result (ref null $s)) (local.get 0))
    (func (param (ref null $s)) (result funcref) (local.get 0)))
  "type mismatch")

;; Equal struct types are one type (the same canonical group).
(module
  (type $s (struct (field i32)))
  (type $t (struct (field i32)))
  (func (param (ref null $s)) (result (ref null $t)) (local.get 0))
)

;; Subtyping: width and depth, immutable fields covariant, mutable ones
;; invariant, packed ones only themselves, arrays like one field.
(module
  (type $top (sub (struct (field anyref))))
  (type $wide (sub $top (struct (field anyref) (field i32))))
  (type $deep (sub $top (struct (field eqref))))
  (type $aa (sub (array anyref)))
  (type $ae (sub $aa (array (ref i31))))
  (type $m (sub (struct (field (mut eqref)))))
  (type $m2 (sub $m (struct (field (mut eqref)) (field (mut i8)))))
  (func (param (ref $deep)) (result (ref $top)) (local.get 0))
  (func (param (ref null $ae)) (result (ref null $aa)) (local.get 0))
)
(assert_invalid
  (module (type $a (sub (struct (field i32 i64)))) (type (sub $a (struct (field i32)))))
  "sub type")
(assert_invalid
  (module (type $a (sub (struct (field (mut anyref))))) (type (sub $a (struct (field (mut eqref))))))
  "sub type")
(assert_invalid
  (module (type $a (sub (struct (field anyref)))) (type (sub $a (struct (field (mut anyref))))))
  "sub type")
(assert_invalid
  (module (type $a (sub (struct (field eqref)))) (type (sub $a (struct (field anyref)))))
  "sub type")
(assert_invalid
  (module (type $a (sub (struct (field i8)))) (type (sub $a (struct (field i16)))))
  "sub type")
(assert_invalid
  (module (type $a (sub (struct (field i8)))) (type (sub $a (struct (field i32)))))
  "sub type")
(assert_invalid
  (module (type $a (sub (array i32))) (type (sub $a (array i64))))
  "sub type")
(assert_invalid
  (module (type $a (sub (array (mut i32)))) (type (sub $a (array i32))))
  "sub type")
(assert_invalid
  (module (type $a (sub (struct))) (type (sub $a (array i32))))
  "sub type")
(assert_invalid
  (module (type $a (sub (func))) (type (sub $a (struct))))
  "sub type")
(assert_invalid
  (module (type $a (struct)) (type (sub $a (struct))))
  "sub type")

;; Only a function type types a function, a tag, a block or an indirect call.
(assert_invalid (module (type $s (struct)) (func (type $s))) "non-function type")
(assert_invalid (module (type $s (struct)) (import "m" "f" (func (type $s)))) "non-function type")
(assert_invalid (module (type $a (array i32)) (tag (type $a))) "non-function type")
(assert_invalid
  (module (type $s (struct)) (func (block (type $s))))
  "non-function type")
(assert_invalid
  (module (type $s (struct)) (table 1 funcref)
    (func (call_indirect (type $s) (i32.const 0))))
  "non-function type")
(assert_invalid
  (module (type $s (struct)) (func (param (ref $s)) (call_ref $s (local.get 0))))
  "non-function type")

;; The binary form: bad mutability, a packed type outside a field.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\05\01"           ;; type section, 1 type
    "\5f\01\7f\02"        ;; struct (field i32 with mutability 2)
  )
  "malformed mutability")
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01"           ;; type section, 1 type
    "\60\00\01\78"        ;; func () -> (i8)
  )
  "malformed value type")

;; The type checks of call_indirect follow declared supertypes at run time.
(module
  (type $t1 (sub (func (result i32))))
  (type $t2 (sub $t1 (func (result i32))))
  (type $t3 (sub final (func (result i32))))
  (func $f1 (type $t1) (i32.const 1))
  (func $f2 (type $t2) (i32.const 2))
  (func $f3 (type $t3) (i32.const 3))
  (table funcref (elem $f1 $f2 $f3))
  (func (export "as-t1") (param i32) (result i32) (call_indirect (type $t1) (local.get 0)))
  (func (export "as-t2") (param i32) (result i32) (call_indirect (type $t2) (local.get 0)))
)
(assert_return (invoke "as-t1" (i32.const 0)) (i32.const 1))
(assert_return (invoke "as-t1" (i32.const 1)) (i32.const 2))
(assert_trap (invoke "as-t1" (i32.const 2)) "indirect call type mismatch")
(assert_trap (invoke "as-t2" (i32.const 0)) "indirect call type mismatch")
(assert_return (invoke "as-t2" (i32.const 1)) (i32.const 2))
