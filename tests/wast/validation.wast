;; validation.wast -- a sample of validation rules (assert_invalid) and of
;; malformed binaries (assert_malformed with binary modules).

;; operand types and stack height
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (i32.add (i32.const 0)) (drop))) "type mismatch")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (i32.const 1))) "type mismatch")
(assert_invalid (module (func (param f32) (result i32) (i32.eqz (local.get 0)))) "type mismatch")
(assert_invalid (module (func (drop))) "type mismatch")
(assert_invalid (module (func (select (i32.const 1) (i64.const 1) (i32.const 0)) (drop))) "type mismatch")
(assert_invalid (module (func (select (f32.const 1) (f32.const 1) (f64.const 0)) (drop))) "type mismatch")
(assert_invalid
  (module (func (param externref) (result externref)
    (select (local.get 0) (local.get 0) (i32.const 1))))
  "type mismatch")
;; blocks, branches
(assert_invalid (module (func (result i32) (block (result i32) (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (block (param i32) (drop)))) "type mismatch")
(assert_invalid (module (func (br 1))) "unknown label")
(assert_invalid (module (func (block (br_if 2 (i32.const 1))))) "unknown label")
(assert_invalid
  (module (func (result i32)
    (block $a (result i32) (block $b (result i64)
      (br_table $a $b (i32.const 0) (i32.const 0))))))
  "type mismatch")
(assert_invalid (module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1))))) "type mismatch")
(assert_invalid (module (func (if (i64.const 1) (then)))) "type mismatch")
(assert_invalid (module (func (i32.const 0) (loop (param i64) (drop)))) "type mismatch")
(assert_invalid (module (func (result i32) (return (i64.const 1)))) "type mismatch")
;; indices
(assert_invalid (module (func (local.get 0) (drop))) "unknown local")
(assert_invalid (module (func (param i32) (local.set 1 (i32.const 0)))) "unknown local")
(assert_invalid (module (func (call 1))) "unknown function")
(assert_invalid (module (func (global.get 0) (drop))) "unknown global")
(assert_invalid (module (func (drop (i32.load (i32.const 0))))) "unknown memory")
(assert_invalid (module (func (drop (memory.size)))) "unknown memory")
(assert_invalid (module (func (call_indirect (i32.const 0)))) "unknown table")
(assert_invalid (module (func (drop (table.size 0)))) "unknown table")
(assert_invalid (module (memory 1) (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown data segment")
(assert_invalid (module (func (elem.drop 0))) "unknown elem segment")
(assert_invalid (module (start 0)) "unknown function")
(assert_invalid (module (func) (export "f" (func 1))) "unknown function")
;; alignment, limits
(assert_invalid (module (memory 1) (func (drop (i32.load align=8 (i32.const 0))))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (i64.store8 align=2 (i32.const 0) (i64.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 2 1)) "size minimum must not be greater than maximum")
(assert_invalid (module (memory 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (table 2 1 funcref)) "size minimum must not be greater than maximum")
;; globals, start, exports, references
(assert_invalid (module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1)))) "global is immutable")
(assert_invalid (module (func $f (param i32)) (start $f)) "start function")
(assert_invalid (module (func $f (result i32) (i32.const 0)) (start $f)) "start function")
(assert_invalid (module (func) (export "a" (func 0)) (export "a" (func 0))) "duplicate export name")
;; ("undeclared function reference" is left to the official ref_func.wast:
;; nor call_indirect through an externref table: wabt 1.0.32, which checks
;; these files, does not implement those rules.)
(assert_invalid
  (module (table 1 funcref) (func (result externref) (table.get 0 (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (table 1 funcref) (func (param externref) (table.set 0 (i32.const 0) (local.get 0))))
  "type mismatch")
(assert_invalid
  (module (table $a 1 funcref) (table $b 1 externref)
    (func (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0))))
  "type mismatch")
(assert_invalid (module (func (ref.is_null (i32.const 0)) (drop))) "type mismatch")
;; code after unreachable is still type checked, against a polymorphic stack
(assert_invalid (module (func (unreachable) (i64.const 0) (i32.add) (drop))) "type mismatch")
(module (func (result i32) (unreachable) (i32.add)))
(module (func (result i64) (block (br 0)) (unreachable)))

;; malformed binaries
(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "asm\00\01\00\00\00") "magic header not detected")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\01\04\01\60\00"          ;; type section claims 4 bytes, has 4 but type is cut
  )
  "unexpected end")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\0e\01\00"                ;; unknown section id 14
  )
  "malformed section id")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\01\04\01\60\00\00"        ;; type section
    "\03\02\01\00"              ;; function section
    "\0a\06\01\03\00\01\0b\01" ;; code section: a byte left after the last body
  )
  "section size mismatch")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\05\01\03\00\ff\0b"     ;; opcode 0xff does not exist
  )
  "illegal opcode")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"              ;; one function declared, no code section
  )
  "function and code section have inconsistent lengths")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\05\03\01\00\80"           ;; memory limit: LEB128 cut short
  )
  "unexpected end")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\05\07\01\00\80\80\80\80\10"  ;; memory minimum: 5-byte LEB with too many bits
  )
  "integer too large")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\01\05\01\60\01\7a\00"     ;; 0x7a is not a value type
  )
  "malformed value type")
(assert_malformed
  (module binary "\00asm\01\00\00\00"
    "\00\02\05\61"              ;; custom section name runs past the section
  )
  "unexpected end")
