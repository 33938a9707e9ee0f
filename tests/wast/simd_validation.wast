;; SPDX-License-Identifier: MIT
;; simd_validation.wast -- what makes a SIMD module invalid (lane indices out
;; of range, alignment above natural, operand and result type mismatches, no
;; memory) and how SIMD opcodes are decoded (the opcode is a LEB128 u32 after
;; the 0xfd prefix; unused opcodes and truncated immediates are malformed).

;; Lane indices: one past the last lane of each shape.
(assert_invalid (module (func (result i32) (i8x16.extract_lane_s 16 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result i32) (i8x16.extract_lane_u 16 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result i32) (i16x8.extract_lane_s 8 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result i32) (i16x8.extract_lane_u 8 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result i32) (i32x4.extract_lane 4 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result i64) (i64x2.extract_lane 2 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result f32) (f32x4.extract_lane 4 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result f64) (f64x2.extract_lane 2 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result f64) (f64x2.extract_lane 255 (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result v128) (i8x16.replace_lane 16 (v128.const i64x2 0 0) (i32.const 0)))) "invalid lane index")
(assert_invalid (module (func (result v128) (i16x8.replace_lane 8 (v128.const i64x2 0 0) (i32.const 0)))) "invalid lane index")
(assert_invalid (module (func (result v128) (i32x4.replace_lane 4 (v128.const i64x2 0 0) (i32.const 0)))) "invalid lane index")
(assert_invalid (module (func (result v128) (i64x2.replace_lane 2 (v128.const i64x2 0 0) (i64.const 0)))) "invalid lane index")
(assert_invalid (module (func (result v128) (f32x4.replace_lane 4 (v128.const i64x2 0 0) (f32.const 0)))) "invalid lane index")
(assert_invalid (module (func (result v128) (f64x2.replace_lane 2 (v128.const i64x2 0 0) (f64.const 0)))) "invalid lane index")
(assert_invalid (module (func (result v128)
  (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 32 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (func (result v128)
  (i8x16.shuffle 255 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (result v128) (v128.load8_lane 16 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (result v128) (v128.load16_lane 8 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (result v128) (v128.load32_lane 4 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (result v128) (v128.load64_lane 2 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (v128.store8_lane 16 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (v128.store16_lane 8 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (v128.store32_lane 4 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")
(assert_invalid (module (memory 1) (func (v128.store64_lane 2 (i32.const 0) (v128.const i64x2 0 0)))) "invalid lane index")

;; Alignment above the natural alignment of the access.
(assert_invalid (module (memory 1) (func (result v128) (v128.load align=32 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (v128.store align=32 (i32.const 0) (v128.const i64x2 0 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load8x8_s align=16 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load16x4_u align=16 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load32x2_s align=16 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load8_splat align=2 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load16_splat align=4 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load32_splat align=8 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load64_splat align=16 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load32_zero align=8 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load64_zero align=16 (i32.const 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load8_lane align=2 0 (i32.const 0) (v128.const i64x2 0 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load16_lane align=4 0 (i32.const 0) (v128.const i64x2 0 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load32_lane align=8 0 (i32.const 0) (v128.const i64x2 0 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (result v128) (v128.load64_lane align=16 0 (i32.const 0) (v128.const i64x2 0 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (v128.store8_lane align=2 0 (i32.const 0) (v128.const i64x2 0 0)))) "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (v128.store64_lane align=16 1 (i32.const 0) (v128.const i64x2 0 0)))) "alignment must not be larger than natural")

;; Memory instructions need a memory.
(assert_invalid (module (func (result v128) (v128.load (i32.const 0)))) "unknown memory")
(assert_invalid (module (func (v128.store (i32.const 0) (v128.const i64x2 0 0)))) "unknown memory")
(assert_invalid (module (func (result v128) (v128.load32_zero (i32.const 0)))) "unknown memory")
(assert_invalid (module (func (result v128) (v128.load8_lane 0 (i32.const 0) (v128.const i64x2 0 0)))) "unknown memory")

;; Operand and result types.
(assert_invalid (module (func (result v128) (i8x16.add (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i32x4.add (i64.const 0) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (f32x4.add (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (v128.not (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (v128.any_true (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i8x16.bitmask (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (v128.bitselect (v128.const i64x2 0 0) (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (v128.bitselect (v128.const i64x2 0 0) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i8x16.splat (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i64x2.splat (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (f32x4.splat (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (f64x2.splat (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i8x16.splat (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (f32x4.extract_lane 0 (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (i64x2.extract_lane 0 (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i64x2.replace_lane 0 (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (f32x4.replace_lane 0 (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i8x16.replace_lane 0 (i32.const 0) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i8x16.shl (v128.const i64x2 0 0) (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (result v128) (i64x2.shr_s (v128.const i64x2 0 0) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128)
  (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i8x16.swizzle (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (i16x8.narrow_i32x4_s (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (i64x2.extend_low_i32x4_s (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (result v128) (v128.load (i64.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (result v128) (v128.load (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (v128.store (i32.const 0) (i64.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (v128.store (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (memory 1) (func (result v128) (v128.load8_lane 0 (v128.const i64x2 0 0) (i32.const 0)))) "type mismatch")

;; v128 against scalars in locals, globals, blocks, calls and select.
(assert_invalid (module (func (local v128) (local.set 0 (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (local v128) (local.get 0))) "type mismatch")
(assert_invalid (module (func (param v128) (result i32) (local.get 0))) "type mismatch")
(assert_invalid (module (global v128 (i32.const 0))) "type mismatch")
(assert_invalid (module (global i64 (v128.const i64x2 0 0))) "type mismatch")
(assert_invalid (module (global $g (mut v128) (v128.const i64x2 0 0)) (func (global.set $g (i32.const 0)))) "type mismatch")
(assert_invalid (module (global $g v128 (v128.const i64x2 0 0)) (func (global.set $g (v128.const i64x2 0 0)))) "immutable global")
(assert_invalid (module (func (result v128) (block (result v128) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (v128.const i64x2 0 0) (block (param i64) (result v128) (drop) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128) (loop (result v128) (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128)
  (if (result v128) (i32.const 1) (then (v128.const i64x2 0 0)) (else (i32.const 0))))) "type mismatch")
(assert_invalid (module (func (result v128) (block (result v128) (br 0 (i64.const 0))))) "type mismatch")
(assert_invalid (module (func (result v128)
  (block (result v128) (br_if 0 (v128.const i64x2 0 0) (v128.const i64x2 0 0))))) "type mismatch")
(assert_invalid (module (func (param i32) (result v128)
  (block $a (result v128) (block $b (result i32) (br_table $a $b (v128.const i64x2 0 0) (local.get 0))) (drop) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func $f (param v128 i32)) (func (call $f (i32.const 0) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func $f (result v128) (v128.const i64x2 0 0)) (func (result i32) (call $f))) "type mismatch")
(assert_invalid (module (func (result v128) (return (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (result v128)
  (select (result v128) (v128.const i64x2 0 0) (i64.const 0) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result v128)
  (select (v128.const i64x2 0 0) (v128.const i64x2 0 0) (v128.const i64x2 0 0)))) "type mismatch")
(assert_invalid (module (func (result v128)
  (select (result i64) (v128.const i64x2 0 0) (v128.const i64x2 0 0) (i32.const 1)))) "type mismatch")

;; The SIMD opcode after the 0xfd prefix is a LEB128 u32: a longer encoding
;; of the same number is the same instruction (here v128.const, 12).
(module binary
    "\00\61\73\6d\01\00\00\00"
    "\01\05\01\60\00\01\7b"
    "\03\02\01\00"
    "\07\05\01\01\66\00\00"
    "\0a\17\01\15\00\fd\8c\00\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\0b")
(assert_return (invoke "f") (v128.const i32x4 1 2 3 4))
(module binary
    "\00\61\73\6d\01\00\00\00"
    "\01\05\01\60\00\01\7b"
    "\03\02\01\00"
    "\07\05\01\01\66\00\00"
    "\0a\1a\01\18\00\fd\8c\80\80\80\00\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\0b")
(assert_return (invoke "f") (v128.const i32x4 1 2 3 4))
;; i8x16.swizzle (14) as 0x8e 0x00, with v128.const in its shortest form.
(module binary
    "\00\61\73\6d\01\00\00\00"
    "\01\05\01\60\00\01\7b"
    "\03\02\01\00"
    "\07\05\01\01\66\00\00"
    "\0a\2b\01\29\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\0c\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\fd\8e\00\0b")
(assert_return (invoke "f") (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1))
;; Six bytes are one too many for a u32.
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\1b\01\19\00\fd\8c\80\80\80\80\00\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\0b")
  "integer representation too long")
;; A fifth byte may only carry the top four bits of a u32.
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\1a\01\18\00\fd\8c\80\80\80\70\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\0b")
  "integer too large")
;; Opcodes that no SIMD instruction uses.
;; 0x9a
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\9a\01\0b")
  "illegal opcode")
;; 0xa2
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\a2\01\0b")
  "illegal opcode")
;; 0xa5
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\a5\01\0b")
  "illegal opcode")
;; 0xaf
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\af\01\0b")
  "illegal opcode")
;; 0xb3
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\b3\01\0b")
  "illegal opcode")
;; 0xbb
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\bb\01\0b")
  "illegal opcode")
;; 0xc2
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\c2\01\0b")
  "illegal opcode")
;; 0xcf
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\cf\01\0b")
  "illegal opcode")
;; 0xd3
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\d3\01\0b")
  "illegal opcode")
;; 0xe2
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\e2\01\0b")
  "illegal opcode")
;; 0xee
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\ee\01\0b")
  "illegal opcode")
;; 0x114
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\94\02\0b")
  "illegal opcode")
;; 0x7fff
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\1a\01\18\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\ff\ff\01\0b")
  "illegal opcode")
;; 0xffffffff
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\1c\01\1a\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\ff\ff\ff\ff\0f\0b")
  "illegal opcode")
;; v128.const cut short by the end of the body, and of the section.
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\0e\01\0c\00\fd\0c\01\00\00\00\02\00\00\00\0b")
  "unexpected end")
(assert_malformed
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\0f\01\0d\00\fd\0d\00\01\02\03\04\05\06\07\08\09")
  "unexpected end")
;; A shuffle lane index of 32 or more is a validation error, not a decoding one.
(assert_invalid
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\3a\01\38\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\0d\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\20\0b")
  "invalid lane index")
(assert_invalid
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\3a\01\38\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\0d\ff\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0b")
  "invalid lane index")
;; i32x4.extract_lane 4 (0xfd 0x1b 0x04).
(assert_invalid
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7f"
      "\03\02\01\00"
      "\07\05\01\01\66\00\00"
      "\0a\19\01\17\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\1b\04\0b")
  "invalid lane index")
;; v128.load32_lane with alignment 2^3 (0xfd 0x56, align 3, offset 0, lane 0).
(assert_invalid
  (module binary
      "\00\61\73\6d\01\00\00\00"
      "\01\05\01\60\00\01\7b"
      "\03\02\01\00"
      "\05\03\01\00\01"
      "\07\05\01\01\66\00\00"
      "\0a\1d\01\1b\00\41\00\fd\0c\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\fd\56\03\00\00\0b")
  "alignment must not be larger than natural")
