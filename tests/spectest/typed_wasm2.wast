;; Under WebAssembly 2.0's rules (`spectest --wasm2`, WM_MODULE_WASM2) the
;; value types of WebAssembly 3.0 -- (ref null? ht) and exnref -- are bytes
;; 2.0 does not know, in every place a type is read, and so are the type
;; section's rec groups and subtypes. Each of these modules is valid 3.0.
(module (func (param funcref externref)))
(assert_malformed
  (module quote "(type $t (func)) (func (param (ref null $t)))")
  "malformed value type")
(assert_malformed
  (module quote "(func (result (ref func)) (ref.func 0))")
  "malformed value type")
(assert_malformed
  (module quote "(func (local exnref))")
  "malformed value type")
(assert_malformed
  (module quote "(type $t (func)) (global (ref null $t) (ref.null $t))")
  "malformed value type")
(assert_malformed
  (module quote "(type $t (func)) (table 1 (ref null $t))")
  "malformed reference type")
(assert_malformed
  (module quote "(type $t (func)) (func (local (ref null $t)))")
  "malformed value type")
(assert_malformed
  (module quote "(type $t (func)) (func (block (result (ref null $t)) (ref.null $t)) (drop))")
  "malformed value type")
(assert_malformed
  (module quote "(func (select (result (ref func)) (ref.func 0) (ref.func 0) (i32.const 0)) (drop))")
  "malformed value type")
(assert_malformed
  (module quote "(func (drop (ref.null exn)))")
  "malformed reference type")
(assert_malformed
  (module quote "(type $t (func)) (func (drop (ref.null $t)))")
  "malformed reference type")
(assert_malformed
  (module quote "(rec (type (func)))")
  "malformed function type")
(assert_malformed
  (module quote "(type (sub (func)))")
  "malformed function type")
;; Garbage collection's types are 3.0 too: struct and array types, the
;; abstract references of any's hierarchy, in any place a type is read.
(assert_malformed
  (module quote "(type (struct (field i32)))")
  "malformed function type")
(assert_malformed
  (module quote "(type (array i8))")
  "malformed function type")
(assert_malformed
  (module quote "(func (local anyref))")
  "malformed value type")
(assert_malformed
  (module quote "(func (param i31ref))")
  "malformed value type")
(assert_malformed
  (module quote "(global nullref (ref.null none))")
  "malformed value type")
(assert_malformed
  (module quote "(func (drop (ref.null eq)))")
  "malformed reference type")
(assert_malformed
  (module quote "(func (block (result structref) (ref.null struct)) (drop))")
  "malformed value type")
(assert_malformed
  (module quote "(func (block (result exnref) (ref.null exn)) (drop))")
  "malformed value type")
(assert_malformed
  (module quote "(table 1 arrayref)")
  "malformed reference type")
;; GC's instructions (each valid 3.0) are no instructions of 2.0.
(assert_malformed
  (module quote "(func (result i32) (i31.get_u (ref.i31 (i32.const 1))))")
  "illegal opcode")
(assert_malformed
  (module quote "(func (result i32) (ref.eq (ref.null func) (ref.null func)))")
  "illegal opcode")
(assert_malformed
  (module quote "(func (param externref) (drop (any.convert_extern (local.get 0))))")
  "illegal opcode")
