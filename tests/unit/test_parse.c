/* SPDX-License-Identifier: MIT */
/*
** test_parse.c -- the text-format parser (src/text/parse.c, parse_instr.c):
** modules covering the text syntax (abbreviations, folded instructions,
** inline imports, exports, elems and data, implicit types, labels, every
** immediate, SIMD) whose bytes must equal wat2wasm's; a few encodings
** checked byte by byte; every error, with its line and column; text
** through wm_module_load and wm_module_load_file; allocation failures.
*/
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "parse.h"
#include "wasmem.h"

/* Our bytes equal wat2wasm's for text. */
static void same_as_wabt(const char *text) {
  size_t ref_len = 0, len = 0;
  uint8_t *ref = wat_bytes(text,
                           "--enable-relaxed-simd --enable-extended-const --enable-threads "
                           "--enable-tail-call --enable-multi-memory --enable-annotations "
                           "--enable-memory64",
                           &ref_len);
  uint8_t *bin = NULL;
  wm_error err;
  int rc = wm_wat_to_wasm(text, strlen(text), &bin, &len, &err);
  CHECK(rc == 0);
  if (rc) fprintf(stderr, "  error: %s\n  in: %s\n", err.message, text);
  bool same = ref && bin && len == ref_len && memcmp(ref, bin, len) == 0;
  CHECK(same);
  if (!same && ref && bin) {
    size_t i = 0;
    while (i < len && i < ref_len && ref[i] == bin[i]) i++;
    fprintf(stderr, "  differs at byte %zu (ours %zu bytes, wat2wasm %zu): %s\n", i, len,
            ref_len, text);
  }
  free(ref);
  wm_free(bin);
}

static void test_same_as_wabt(void) {
  /* memory64: i64 limits (flags 4, 5), u64 limits and offsets, an inline
  ** (data ...) with an i64 offset, an explicit i32; wabt 1.0.32 has no
  ** table64 and caps offsets at 2^32-1 (test_memory64 checks those bytes). */
  same_as_wabt("(module (import \"x\" \"y\" (memory i64 1)) (memory $m i64 1 5)\n"
               "  (memory $n i64 (data \"abc\")) (memory i32 2)\n"
               "  (func (param i64) (result i64)\n"
               "    (drop (i32.load offset=0xffff_ffff (local.get 0)))\n"
               "    (i64.store $n offset=65536 (local.get 0) (i64.const 1))\n"
               "    (v128.store $n offset=7 (local.get 0) (v128.const i64x2 1 2))\n"
               "    (drop (i32.atomic.load offset=4 (local.get 0)))\n"
               "    (drop (memory.grow (i64.const 1))) (drop (memory.size $n))\n"
               "    (memory.fill (i64.const 0) (i32.const 1) (i64.const 2))\n"
               "    (memory.copy $m $n (i64.const 0) (i64.const 1) (i64.const 2))\n"
               "    (memory.init $n 0 (i64.const 0) (i32.const 1) (i32.const 2))\n"
               "    (local.get 0))\n"
               "  (data (memory $m) (i64.const 5) \"x\"))");

  /* Multiple memories: memargs with an index (flags bit 6) only for memory
  ** other than 0, memory.size/grow/fill/init/copy's indexes, data segments
  ** of memory 1, an imported memory first. */
  same_as_wabt("(module (import \"m\" \"mem\" (memory 1)) (memory $b 1 2) (memory $c 0)\n"
               "  (data (memory $b) (i32.const 8) \"ab\") (data $d \"xy\")\n"
               "  (func (param i32) (result i32)\n"
               "    (i32.store $b offset=4 (local.get 0) (i32.load 0 (local.get 0)))\n"
               "    (i64.store8 2 (i32.const 0) (i64.load16_u $b align=1 (i32.const 2)))\n"
               "    (memory.copy $b $c (i32.const 0) (i32.const 1) (i32.const 2))\n"
               "    (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))\n"
               "    (memory.fill $c (i32.const 0) (i32.const 1) (i32.const 0))\n"
               "    (memory.init $b $d (i32.const 0) (i32.const 0) (i32.const 1))\n"
               "    (drop (memory.grow $c (memory.size $b)))\n"
               "    (v128.store 1 (i32.const 0) (v128.load8_lane $b 3 (i32.const 0) (v128.const i64x2 0 0)))\n"
               "    (i32.atomic.rmw.add 1 (i32.const 0) (i32.const 1))))\n");
  /* Tail calls: return_call by index and name, return_call_indirect with a
  ** table and an inline type (an implicit type in binary order). */
  same_as_wabt("(module (table $t 1 funcref)\n"
               "  (func $f (param i32) (result i32) (return_call $f (local.get 0)))\n"
               "  (func (param i32) (result i32)\n"
               "    (return_call_indirect $t (param i32) (result i32) (local.get 0) (i32.const 0)))\n"
               "  (func (result i64) i32.const 0 return_call_indirect (result i64)))\n");
  /* The threads proposal: shared limits, every atomic's natural alignment
  ** and opcode, memarg offsets and explicit alignment, the fence's byte. */
  same_as_wabt("(module (memory 1 2 shared)\n"
               "  (func (param i32 i64)\n"
               "    (drop (memory.atomic.notify offset=4 (local.get 0) (i32.const 1)))\n"
               "    (drop (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const -1)))\n"
               "    (drop (memory.atomic.wait64 align=8 (local.get 0) (i64.const 0) (i64.const 5)))\n"
               "    atomic.fence\n"
               "    (drop (i32.atomic.load (local.get 0))) (drop (i64.atomic.load (local.get 0)))\n"
               "    (drop (i32.atomic.load8_u (local.get 0))) (drop (i32.atomic.load16_u (local.get 0)))\n"
               "    (drop (i64.atomic.load8_u (local.get 0))) (drop (i64.atomic.load16_u (local.get 0)))\n"
               "    (drop (i64.atomic.load32_u offset=8 (local.get 0)))\n"
               "    (i32.atomic.store (local.get 0) (i32.const 1)) (i64.atomic.store (local.get 0) (local.get 1))\n"
               "    (i32.atomic.store8 (local.get 0) (i32.const 1)) (i32.atomic.store16 (local.get 0) (i32.const 1))\n"
               "    (i64.atomic.store8 (local.get 0) (local.get 1)) (i64.atomic.store16 (local.get 0) (local.get 1))\n"
               "    (i64.atomic.store32 (local.get 0) (local.get 1))\n"
               "    (drop (i32.atomic.rmw.add (local.get 0) (i32.const 1)))\n"
               "    (drop (i64.atomic.rmw32.sub_u (local.get 0) (local.get 1)))\n"
               "    (drop (i32.atomic.rmw16.and_u (local.get 0) (i32.const 1)))\n"
               "    (drop (i64.atomic.rmw8.or_u (local.get 0) (local.get 1)))\n"
               "    (drop (i64.atomic.rmw.xor (local.get 0) (local.get 1)))\n"
               "    (drop (i32.atomic.rmw8.xchg_u (local.get 0) (i32.const 1)))\n"
               "    (drop (i32.atomic.rmw.cmpxchg (local.get 0) (i32.const 1) (i32.const 2)))\n"
               "    (drop (i64.atomic.rmw16.cmpxchg_u (local.get 0) (local.get 1) (local.get 1)))\n"
               "    (drop (i64.atomic.rmw32.cmpxchg_u (local.get 0) (local.get 1) (local.get 1)))))");
  /* Module fields, inline forms, ids and implicit types in their order. */
  same_as_wabt("(module\n"
               "  (type $t (func (param i32) (result i32)))\n"
               "  (import \"env\" \"f\" (func $imp (param i64)))\n"
               "  (import \"env\" \"g\" (global $g (mut i32)))\n"
               "  (func $e (import \"env\" \"e\") (type $t))\n"
               "  (table $tab (import \"env\" \"t\") 1 10 funcref)\n"
               "  (memory $m (import \"env\" \"m\") 1 2)\n"
               "  (global $h (export \"h\") f64 (f64.const -0x1.8p3))\n"
               "  (func $a (export \"a\") (export \"a2\") (type $t) local.get 0)\n"
               "  (func $b (param $x f32) (param i64 i64) (result f32) (local $y i32) (local f32 f32 i32)\n"
               "    (local.set $y (i32.const 7)) local.get $x)\n"
               "  (func $c (result i32 i64) (i32.const 1) (i64.const -1))\n"
               "  (start $s) (func $s)\n"
               "  (export \"m\" (memory $m)) (export \"t\" (table $tab)) (export \"g\" (global $g))\n"
               "  (elem (i32.const 0) $a $b)\n"
               "  (elem $p func $a $c)\n"
               "  (elem declare func $s)\n"
               "  (elem (table $tab) (offset (i32.const 2)) funcref (ref.func $a) (item ref.null func))\n"
               "  (data (i32.const 16) \"hi\\00\\ff\" \"\\u{1F600}\")\n"
               "  (data $d \"passive\")\n"
               "  (data (memory $m) (offset (i32.const 0)))\n"
               ")");
  /* Control: labels, block types, br_table, folded if with conditions. */
  same_as_wabt("(module (type $bt (func (param i32) (result i32)))\n"
               "  (func (param i32) (result i32) (local i64)\n"
               "    (block $out (result i32)\n"
               "      (loop $l\n"
               "        (br_if $l (i32.eqz (local.get 0)))\n"
               "        (br_table $l $l 0 (local.get 0)))\n"
               "      (drop (if $i (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))\n"
               "      (if (local.get 0) (then nop))\n"
               "      (if (local.get 0) (then nop) (else))\n"
               "      (i32.const 1) block (param i32) (result i32) end drop\n"
               "      i32.const 5 (block (type $bt) (i32.const 1) (i32.add)) drop\n"
               "      (block (result i32 i32) (i32.const 1) (i32.const 2)) drop drop\n"
               "      local.get 0 if $x (result i32) i32.const 3 else $x i32.const 4 end $x\n"
               "      br 0))\n"
               "  (table 2 funcref)\n"
               "  (func (call_indirect (param i32) (i32.const 1) (i32.const 0))\n"
               "        (call_indirect 0 (type 0) (i32.const 1) (i32.const 0)) drop\n"
               "        (drop (call $return_value)) unreachable)\n"
               "  (func $return_value (result i32) i32.const 0 return))");
  /* Memory, numbers, references, tables, bulk memory, select. */
  same_as_wabt("(module (memory 1) (table $t 1 externref) (table $f 2 funcref)\n"
               "  (elem $e func 0) (data $d \"abc\")\n"
               "  (func (param i32) (result i32)\n"
               "    (i32.store offset=4 align=2 (local.get 0) (i32.load8_u offset=0x10 (i32.const 0)))\n"
               "    (f64.store (i32.const 8) (f64.const nan:0x4))\n"
               "    (i64.store32 align=1 (i32.const 0) (i64.const 0xffff_ffff_ffff_ffff))\n"
               "    (drop (f32.const -inf)) (drop (f32.const 0x1p-149)) (drop (i32.const -2147483648))\n"
               "    (drop (memory.grow (memory.size)))\n"
               "    (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop $d)\n"
               "    (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))\n"
               "    (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))\n"
               "    (table.init $f $e (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop $e)\n"
               "    (table.copy $f $f (i32.const 0) (i32.const 1) (i32.const 1))\n"
               "    (drop (table.grow $t (ref.null extern) (i32.const 1))) (drop (table.size $f))\n"
               "    (table.set $t (i32.const 0) (table.get $t (i32.const 0)))\n"
               "    (table.fill $f (i32.const 0) (ref.func 0) (i32.const 1))\n"
               "    (drop (ref.is_null (ref.null func)))\n"
               "    (select (result i32) (i32.const 1) (i32.const 2) (local.get 0)) drop\n"
               "    (select (i32.const 1) (i32.const 2) (local.get 0)) drop\n"
               "    (i32.trunc_sat_f32_s (f32.const 1)) (i64.extend32_s (i64.const 1)) drop\n"
               "  ))");
  /* SIMD immediates. */
#define Z "(v128.const i64x2 0 0)"
  same_as_wabt("(module (memory 1) (func\n"
               "  (drop (v128.const i8x16 -128 255 0 1 2 3 4 5 6 7 8 9 10 11 12 13))\n"
               "  (drop (v128.const i16x8 -1 65535 0 1 2 3 4 5)) (drop (v128.const i32x4 1 2 3 0xffffffff))\n"
               "  (drop (v128.const i64x2 -1 2)) (drop (v128.const f32x4 1.5 nan -0 inf))\n"
               "  (drop (v128.const f64x2 0x1p-1074 nan:0x8))\n"
               "  v128.const i64x2 1 2 v128.const i64x2 3 4\n"
               "  i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31 drop\n"
               "  (drop (i32x4.extract_lane 3 (i16x8.replace_lane 7 (v128.const i64x2 0 0) (i32.const 3))))\n"
               "  (drop (v128.load8_lane 15 (i32.const 0) (v128.const i64x2 0 0)))\n"
               "  (v128.store64_lane offset=8 align=8 1 (i32.const 0) (v128.const i64x2 0 0))\n"
               "  (drop (v128.load offset=16 (i32.const 0))) (drop (v128.load32_zero (i32.const 0)))\n"
               "  (drop (i8x16.relaxed_laneselect " Z Z Z "))\n"
               "  (drop (f64x2.relaxed_madd " Z Z Z "))\n"
               "  (drop (i32x4.dot_i8x16_i7x16_add_s (v128.const i64x2 0 0) (v128.const i64x2 0 0) (v128.const i64x2 0 0)))))");
  /* Inline table elements and memory data; extended constants; bare fields. */
  same_as_wabt("(global $g (import \"m\" \"g\") i32)\n"
               "(global i32 (i32.add (global.get $g) (i32.const 2)))\n"
               "(table $t (export \"t\") funcref (elem $f $f))\n"
               "(table externref (elem (ref.null extern)))\n"
               "(memory (export \"m\") (data \"\\01\\02\"))\n"
               "(func $f)\n"
               "(data (memory 0) (i32.mul (i32.const 2) (global.get $g)) \"x\")");
  /* Annotations and comments are nothing. */
  same_as_wabt("(module (@custom \"x\") (func $f (; c ;) (call $f)) ;; end\n"
               " (func (export \"e\") (call $f)))");
  /* A module in binary. */
  same_as_wabt("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")");
}

/* $"a b" is an id like $ab (wabt 1.0.32 has no quoted ids: compare with
** the same module under plain ids). */
static void test_quoted_ids(void) {
  static const char quoted[] = "(module (func $\"a b\" (call $\"a b\")) (func (call $\"a b\")))";
  size_t ref_len = 0, len = 0;
  uint8_t *ref = wat_bytes("(module (func $ab (call $ab)) (func (call $ab)))", "", &ref_len);
  uint8_t *bin = NULL;
  wm_error err;
  CHECK(wm_wat_to_wasm(quoted, strlen(quoted), &bin, &len, &err) == 0);
  CHECK(ref && bin && len == ref_len && memcmp(ref, bin, len) == 0);
  free(ref);
  wm_free(bin);
}

/* Bytes by hand: these encodings are wat2wasm's choices. */
static void test_bytes(void) {
  static const char text[] = "(module (func (result i32) i32.const 64))";
  static const uint8_t want[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                 1, 5, 1, 0x60, 0, 1, 0x7F,   /* type () -> i32 */
                                 3, 2, 1, 0,                  /* func */
                                 10, 7, 1, 5, 0, 0x41, 0xC0, 0, 0x0B}; /* 64 as s32: 2 bytes */
  uint8_t *bin = NULL;
  size_t len = 0;
  wm_error err;
  CHECK(wm_wat_to_wasm(text, strlen(text), &bin, &len, &err) == 0);
  CHECK(len == sizeof want && memcmp(bin, want, len) == 0);
  wm_free(bin);
  /* The data count section comes only with memory.init or data.drop. */
  static const char dc[] = "(module (memory 1) (data \"a\") (func (data.drop 0)))";
  CHECK(wm_wat_to_wasm(dc, strlen(dc), &bin, &len, &err) == 0);
  bool has12 = false;
  for (size_t i = 8; bin && i + 1 < len; i += 2 + bin[i + 1]) has12 |= bin[i] == 12;
  CHECK(has12);
  wm_free(bin);
  /* An empty text is a module with no fields: the header only. */
  CHECK(wm_wat_to_wasm("", 0, &bin, &len, &err) == 0 && len == 8);
  wm_free(bin);
  /* The relaxed dot products under their 3.0 names are wabt's names. */
  static const char dot3[] = "(module (func (param v128) (result v128 v128)"
                             " (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 0))"
                             " (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 0)"
                             " (local.get 0))))";
  static const char dotw[] = "(module (func (param v128) (result v128 v128)"
                             " (i16x8.dot_i8x16_i7x16_s (local.get 0) (local.get 0))"
                             " (i32x4.dot_i8x16_i7x16_add_s (local.get 0) (local.get 0)"
                             " (local.get 0))))";
  uint8_t *bin2 = NULL;
  size_t len2 = 0;
  CHECK(wm_wat_to_wasm(dot3, strlen(dot3), &bin, &len, &err) == 0);
  CHECK(wm_wat_to_wasm(dotw, strlen(dotw), &bin2, &len2, &err) == 0);
  CHECK(bin && bin2 && len == len2 && memcmp(bin, bin2, len) == 0);
  wm_free(bin);
  wm_free(bin2);
}

/* Section id of the module text becomes, the bytes of its content. */
static bool section_is(const char *text, uint8_t id, const uint8_t *want, size_t n) {
  uint8_t *bin = NULL;
  size_t len = 0;
  wm_error err;
  bool ok = false;
  if (wm_wat_to_wasm(text, strlen(text), &bin, &len, &err) != 0) {
    fprintf(stderr, "%s: %s\n", text, err.message);
    return false;
  }
  for (size_t i = 8; i + 1 < len;) {
    size_t size = bin[i + 1], hdr = 2; /* these sizes fit one LEB byte */
    if (bin[i] == id) ok = size == n && memcmp(bin + i + hdr, want, n) == 0;
    i += hdr + size;
  }
  wm_free(bin);
  return ok;
}
#define SECTION_IS(text, id, ...)                                              \
  do {                                                                         \
    static const uint8_t want_[] = {__VA_ARGS__};                              \
    CHECK(section_is(text, id, want_, sizeof want_));                          \
  } while (0)

/* Typed references and the types of GC: reference types by heap type
** (abstract or a type index, nullable ones of an abstract type as their
** shorthands), a type naming one defined after it, rec groups (an empty
** one is an entry too), sub and sub final with supertypes, structs and
** arrays with packed and mutable fields, the instructions, tables with an
** initial value, and which types an inline type use may name. */
static void test_typed_refs(void) {
  SECTION_IS("(module (type $f (func (param (ref $g))))"
             " (type $g (func (result (ref null $f) funcref (ref null func) (ref func)"
             " (ref extern) (ref null any)))))",
             1, 0x02, 0x60, 0x01, 0x64, 0x01, 0x00, 0x60, 0x00, 0x06, 0x63, 0x00, 0x70, 0x70, 0x64,
             0x70, 0x64, 0x6F, 0x6E);
  SECTION_IS("(module (rec (type $a (sub (struct (field $x i32) (field (mut i8) i16))))"
             " (type $b (sub final $a (struct (field i32) (field (mut i8)) (field i16)))))"
             " (rec) (type (array (mut (ref null $b)))))",
             1, 0x03, 0x4E, 0x02, 0x50, 0x00, 0x5F, 0x03, 0x7F, 0x00, 0x78, 0x01, 0x77, 0x00, 0x4F,
             0x01, 0x00, 0x5F, 0x03, 0x7F, 0x00, 0x78, 0x01, 0x77, 0x00, 0x4E, 0x00, 0x5E, 0x63, 0x01,
             0x01);
  /* Locals in runs of one type; call_ref, return_call_ref, ref.as_non_null. */
  SECTION_IS("(module (type (func)) (func (param (ref null 0))"
             " (local (ref 0) (ref 0) i32 (ref null func))"
             " (call_ref 0 (local.get 0)) (return_call_ref 0 (ref.as_non_null (local.get 0)))))",
             10, 0x01, 0x12, 0x03, 0x02, 0x64, 0x00, 0x01, 0x7F, 0x01, 0x70, 0x20, 0x00, 0x14, 0x00,
             0x20, 0x00, 0xD4, 0x15, 0x00, 0x0B);
  /* A typed block result, ref.null of a type, br_on_null/br_on_non_null,
  ** a typed select. */
  SECTION_IS("(module (type (func)) (func (result (ref null 0))"
             " (block (result (ref null 0)) (ref.null 0))"
             " (block $l (br_on_null $l (ref.null func)) (br_on_non_null $l) (drop))"
             " (select (result (ref null 0)) (ref.null 0) (ref.null 0) (i32.const 1)) (drop)))",
             10, 0x01, 0x1D, 0x00, 0x02, 0x63, 0x00, 0xD0, 0x00, 0x0B, 0x02, 0x40, 0xD0, 0x70, 0xD5,
             0x00, 0xD6, 0x00, 0x1A, 0x0B, 0xD0, 0x00, 0xD0, 0x00, 0x41, 0x01, 0x1C, 0x01, 0x63, 0x00,
             0x1A, 0x0B);
  /* Tables: with an initial value (0x40 0x00 first), or without. */
  SECTION_IS("(module (type (func)) (table 2 (ref null 0) (ref.null 0)) (table 1 funcref))", 4,
             0x02, 0x40, 0x00, 0x63, 0x00, 0x00, 0x02, 0xD0, 0x00, 0x0B, 0x70, 0x00, 0x01);
  SECTION_IS("(module (type (func)) (global (ref null 0) (ref.null 0)))", 6, 0x01, 0x63, 0x00,
             0x00, 0xD0, 0x00, 0x0B);
  /* A list written as expressions keeps its type, funcref: as indices it
  ** would be (ref func), a narrower type in WebAssembly 3.0 (wat2wasm 1.0.32
  ** writes indices); written as indices, it is indices. A table's inline
  ** list is the table's type whichever way it is written. */
  SECTION_IS("(module (func) (elem funcref (ref.func 0)))", 9, 0x01, 0x05, 0x70, 0x01, 0xD2, 0x00,
             0x0B);
  SECTION_IS("(module (func) (elem (i32.const 0) funcref (ref.func 0)) (table 1 funcref))", 9,
             0x01, 0x04, 0x41, 0x00, 0x0B, 0x01, 0xD2, 0x00, 0x0B);
  SECTION_IS("(module (func) (elem func 0))", 9, 0x01, 0x01, 0x00, 0x01, 0x00);
  /* Element segments of a typed reference type list expressions. */
  SECTION_IS("(module (type (func)) (func $f) (elem (ref 0) (ref.func $f)))", 9, 0x01, 0x05, 0x64,
             0x00, 0x01, 0xD2, 0x00, 0x0B);
  /* An inline type use names only a final function type without
  ** supertypes alone in its group: a new type otherwise. */
  SECTION_IS("(module (type (sub (func))) (func))", 1, 0x02, 0x50, 0x00, 0x60, 0x00, 0x00, 0x60,
             0x00, 0x00);
  SECTION_IS("(module (rec (type (func)) (type (func))) (func))", 1, 0x02, 0x4E, 0x02, 0x60, 0x00,
             0x00, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00);
  SECTION_IS("(module (type (sub final (func))) (func))", 3, 0x01, 0x00);
  SECTION_IS("(module (rec (type (func))) (func))", 3, 0x01, 0x00);
}

/* text gives WM_EMALFORMED with a message holding `msg`. */
static void bad(const char *text, const char *msg) {
  uint8_t *bin = (uint8_t *)1;
  size_t len = 1;
  wm_error err;
  memset(&err, 0, sizeof err);
  int rc = wm_wat_to_wasm(text, strlen(text), &bin, &len, &err);
  CHECK_ERR(rc, err, WM_EMALFORMED, msg);
  CHECK(bin == NULL && len == 0);
  if (rc == 0) wm_free(bin);
}

static void test_errors(void) {
  bad("(module (func (call $nope)))", "1:21: unknown function $nope");
  bad("(module (func (local.get $x)))", "1:26: unknown local $x");
  bad("(module (func (global.get $x)))", "unknown global $x");
  bad("(module (func (table.size $x)))", "unknown table $x");
  bad("(module (func (memory.size $x)))", "unknown memory $x");
  bad("(module (func (elem.drop $x)))", "unknown elem segment $x");
  bad("(module (func (data.drop $x)))", "unknown data segment $x");
  bad("(module (func (call_indirect (type $x))))", "unknown type $x");
  bad("(module (func (br $x)))", "1:19: unknown label $x");
  bad("(module (export \"f\" (func $x)))", "unknown function $x");
  bad("(module (start $x))", "unknown function $x");
  bad("(module (func $f) (func $f))", "1:25: duplicate function $f");
  bad("(module (func (param $a i32) (local $a i32)))", "duplicate local $a");
  bad("(module (type $t (func)) (type $t (func)))", "duplicate type $t");
  bad("(module (memory $m 1) (memory $m 1))", "duplicate memory $m");
  bad("(module (func (param i32 foo)))", "1:26: expected a value type, got 'foo'");
  bad("(module (func (i32.const 0x1_0000_0000)))", "1:26: constant out of range");
  bad("(module (func (i64.const 99999999999999999999)))", "constant out of range");
  bad("(module (func (f32.const 1x)))", "1:26:");
  bad("(module (memory 1) (func (i32.load align=3 (i32.const 0))))", "1:36: alignment must be a power of two");
  bad("(module (memory 1) (func (i32.load align=0 (i32.const 0))))", "alignment must be a power of two");
  /* An offset is a u64 (memory64); 2^32 or more on a 32-bit memory is
  ** for the validator ("offset out of range"). */
  bad("(module (memory 1) (func (i32.load offset=0x1_0000_0000_0000_0000 (i32.const 0))))",
      "constant out of range");
  bad("(module (func) (import \"a\" \"b\" (func)))", "1:17: imports must occur before all non-import definitions");
  bad("(module (global i32 (i32.const 0)) (func (import \"a\" \"b\")))", "imports must occur before");
  bad("(module (func (frob)))", "1:16: unknown instruction 'frob'");
  bad("(module (func return_call_ref))", "expected a type index or id");
  bad("(module (func (param (ref))))", "expected a heap type");
  bad("(module (func (param (ref null $nowhere))))", "unknown type $nowhere");
  bad("(module (func (param (ref func i32))))", "expected ')'");
  bad("(module (type (sub (sub (func)))))", "expected func, struct or array");
  bad("(module (type (frob)))", "expected func, struct, array or sub");
  bad("(module (type (struct (field (mut i8 i16)))))", "expected ')'");
  bad("(module (type (array)))", "expected a value type");
  bad("(module (rec (func)))", "expected ')'");
  bad("(module (type $t (func)) (rec (type $t (func))))", "duplicate type $t");
  bad("(module (type (struct (field $x i32) (field $y i32) (field $x i64))))",
      "1:60: duplicate field $x");
  bad("(module (type $s (struct (field $x i32))) (func (drop (struct.get $s $y (ref.null $s)))))",
      "unknown field $y");
  bad("(module (type $s (struct)) (func (drop (struct.get $s))))", "expected a field");
  bad("(module (func (drop (ref.test i32 (ref.null any)))))", "a reference type expected");
  bad("(module (func (block (br_on_cast 0 anyref))))", "expected a value type");
  bad("(module (func return_call))", "1:26: expected a function index or id");
  bad("(module (func return_call $nowhere))", "unknown function $nowhere");
  bad("(module (func try))", "legacy exception handling not supported");
  bad("(module (func rethrow 0))", "legacy exception handling not supported");
  bad("(module (func catch_all))", "catch clauses belong to try_table");
  bad("(module (func (throw $nope)))", "unknown tag $nope");
  bad("(module (func try_table (catch $t 0) end))", "unknown tag $t");
  bad("(module (func try_table (catch_all $l) end))", "unknown label $l");
  bad("(module (func else))", "1:15: else without a matching if");
  bad("(module (func block else end))", "else without a matching if");
  bad("(module (func end))", "1:15: end without a matching block");
  bad("(module (func block))", "1:20: expected 'end', got ')'");
  bad("(module (func block $a end $b))", "1:28: mismatching label $b");
  bad("(module (func (then)))", "outside an if");
  bad("(module (func (if (i32.const 1))))", "expected '(then'");
  bad("(module (func (block (end))))", "unexpected 'end' in a folded instruction");
  bad("(module (func (i32.const 1 2)))", "1:28: unexpected token '2'");
  bad("(module (func (i32.const 1) 5))", "expected ')', got '5'");
  bad("(module (func $f) (start $f) (start $f))", "1:31: multiple start sections");
  bad("(module quote \"(module)\")", "module quote not supported yet");
  bad("(module (frob))", "1:10: unknown module field 'frob'");
  bad("(module (type $t (func (param i32))) (func (type $t) (param i64)))",
      "inline function type does not match type 0");
  bad("(module (memory 2) (func (drop (i32.load $m (i32.const 0)))))", "unknown memory $m");
  bad("(module (memory i64 0x1_0000_0000_0000_0000))", "constant out of range");
  bad("(module (memory i32 0x1_0000_0000))", "constant out of range");
  bad("(module (table i64 1 (elem)))", "expected a value type");
  bad("(module (func (v128.const i8x17 0)))", "expected a vector shape");
  bad("(module (func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))", "1:33: constant out of range");
  bad("(module (func (v128.const i16x8 -32769 0 0 0 0 0 0 0)))", "constant out of range");
  bad("(module (func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0))))", "lane index out of range");
  bad("(module (func (i8x16.extract_lane_s $x)))", "expected a lane index");
  bad("(module (func (result i32) (param i32)))", "param after result");
  bad("(module (func (ref.null i32)))", "expected a heap type");
  bad("(module (func (br_table)))", "expected a label");
  bad("(module (func (br)))", "expected a label");
  bad("(module) (func)", "1:10: expected end of input");
  bad("(module (func)", "expected ')', got end of input");
  bad("(module \"unterminated", "1:9: unterminated string");
  bad("(module 5)", "expected ')'");
  bad("(module (5))", "expected a module field");
  bad("(module (table 1 i32))", "expected a reference type");
  bad("(module (import \"a\" (func)))", "expected a string");
  bad("(module (import \"a\" \"b\" (frob)))", "expected func, table, memory, global or tag");
  bad("(module (export \"a\" (frob 0)))", "expected func, table, memory, global or tag");
  bad("(module (elem))", "expected func or a reference type");
  bad("(module (elem i64))", "expected func or a reference type");
  bad("(module (elem (table 0) func 0))", "expected an offset expression");
  bad("(module (func (local.get 0x1_0000_0000)))", "constant out of range");
  /* Ids are the bytes of the name, so $"a" is $a. */
  bad("(module (func $a) (func $\"a\"))", "duplicate function $\"a\"");
  /* Folded nesting is bounded; plain nesting is not recursion at all. */
  size_t depth = WP_MAX_DEPTH + 1, n = 0;
  char *deep = malloc(depth * 12 + 64);
  n += (size_t)sprintf(deep, "(module (func ");
  for (size_t i = 0; i < depth; i++) n += (size_t)sprintf(deep + n, "(block ");
  for (size_t i = 0; i < depth; i++) deep[n++] = ')';
  strcpy(deep + n, "))");
  bad(deep, "instructions nested too deeply");
  n = (size_t)sprintf(deep, "(module (func ");
  for (size_t i = 0; i < depth; i++) n += (size_t)sprintf(deep + n, "block ");
  for (size_t i = 0; i < depth; i++) n += (size_t)sprintf(deep + n, "end ");
  strcpy(deep + n, "))");
  uint8_t *bin = NULL;
  size_t len = 0;
  wm_error err;
  CHECK(wm_wat_to_wasm(deep, strlen(deep), &bin, &len, &err) == 0);
  wm_free(bin);
  free(deep);
  /* NULL arguments. */
  CHECK_ERR(wm_wat_to_wasm("(module)", 8, NULL, &len, &err), err, WM_EINVAL, "NULL");
  CHECK_ERR(wm_wat_to_wasm(NULL, 8, &bin, &len, &err), err, WM_EINVAL, "NULL");
}

/* On a thread with a small stack, deep folding stops before the stack's
** end, with an error. */
static void *parse_deep(void *arg) {
  static int rc;
  wm_error err;
  uint8_t *bin = NULL;
  size_t len;
  rc = wm_wat_to_wasm(arg, strlen(arg), &bin, &len, &err);
  if (rc == 0) wm_free(bin);
  else if (!strstr(err.message, "nested too deeply")) fprintf(stderr, "  %s\n", err.message);
  return &rc;
}

static void test_small_stack(void) {
  size_t depth = WP_MAX_DEPTH - 1, n = 0;
  char *deep = malloc(depth * 12 + 64);
  n += (size_t)sprintf(deep, "(module (func ");
  for (size_t i = 0; i < depth; i++) n += (size_t)sprintf(deep + n, "(block ");
  for (size_t i = 0; i < depth; i++) deep[n++] = ')';
  strcpy(deep + n, "))");
  pthread_attr_t attr;
  pthread_t th;
  void *res = NULL;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 << 10);
  CHECK(pthread_create(&th, &attr, parse_deep, deep) == 0);
  CHECK(pthread_join(th, &res) == 0);
  CHECK(res && *(int *)res == WM_EMALFORMED);
  pthread_attr_destroy(&attr);
  /* The same text on this thread's large stack parses. */
  res = parse_deep(deep);
  CHECK(*(int *)res == 0);
  free(deep);
}

/* wm_module_load and wm_module_load_file take text. */
static void test_load(void) {
  static const char text[] = ";; a comment first\n(module (func (export \"f\") (result i32) i32.const 42))";
  wm_module *mod = NULL;
  wm_error err;
  CHECK(wm_module_load((const uint8_t *)text, strlen(text), NULL, &mod, &err) == 0);
  CHECK(mod && wm_module_export_count(mod) == 1);
  wm_module_free(mod);
  static const char broken[] = "(module\n  (func (result i32) (i32.const)))";
  int rc = wm_module_load((const uint8_t *)broken, strlen(broken), NULL, &mod, &err);
  CHECK_ERR(rc, err, WM_EMALFORMED, "2:32: expected a number, got ')'");
  CHECK(mod == NULL);
  /* Text that parses but does not validate: the loader's error. */
  static const char invalid[] = "(module (func (result i32)))";
  rc = wm_module_load((const uint8_t *)invalid, strlen(invalid), NULL, &mod, &err);
  CHECK(rc != 0 && rc != WM_EMALFORMED && mod == NULL);
  /* A file: errors name it. */
  char path[64];
  snprintf(path, sizeof path, "/tmp/wm_test_parse_%d.wat", (int)getpid());
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return;
  fputs(broken, f);
  fclose(f);
  rc = wm_module_load_file(path, NULL, &mod, &err);
  char want[96];
  snprintf(want, sizeof want, "%s:2:32: expected a number", path);
  CHECK_ERR(rc, err, WM_EMALFORMED, want);
  CHECK(strncmp(err.message, path, strlen(path)) == 0);
  f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  CHECK(wm_module_load_file(path, NULL, &mod, &err) == 0 && mod);
  wm_module_free(mod);
  remove(path);
  /* Not text and not binary: the binary loader's error, as before. */
  static const char junk[] = "#!not a module";
  rc = wm_module_load((const uint8_t *)junk, strlen(junk), NULL, &mod, &err);
  CHECK(rc == WM_EMALFORMED && strstr(err.message, "magic"));
  /* A block type or call_indirect's type use names no params (the spec's
  ** grammar has no ids there); a function's and a type definition's may. */
  bad("(module (func (block (param $x i32) (drop))))", "1:29: expected a value type, got '$x'");
  bad("(module (func (loop (param $x i32) (drop))))", "expected a value type, got '$x'");
  bad("(module (func (if (param $x i32) (then) (else))))", "expected a value type, got '$x'");
  bad("(module (table 0 funcref) (func (call_indirect (param $x i32) (i32.const 0) (i32.const 0))))",
      "expected a value type, got '$x'");
  same_as_wabt("(module (type (func (param $x i32))) (func (param $y i32)))");
  CHECK(!wm__wat_is_text((const uint8_t *)"\0asm(", 5));
  CHECK(wm__wat_is_text((const uint8_t *)" (; x ;) (", 10));
}

/* Every allocation may fail: WM_ENOMEM, nothing leaked (ASan), no crash. */
static void test_alloc_failures(void) {
  static const char text[] =
      "(module (type $t (func (param i32))) (func $f (export \"f\") (param $x i32) (local $y i64)\n"
      "  (block $b (br_if $b (local.get $x))) (call_indirect (param i64) (i64.const 0) (i32.const 0)))\n"
      "  (table funcref (elem $f)) (memory (data \"abc\")) (elem func $f) (func $\"q\"))";
  int failures = 0;
  bool done = false;
  for (long n = 0; n < 2000 && !done; n++) {
    uint8_t *bin = NULL;
    size_t len = 0;
    wm_error err;
    wm__alloc_fail_after(n);
    int rc = wm_wat_to_wasm(text, strlen(text), &bin, &len, &err);
    wm__alloc_fail_after(-1);
    if (rc == 0) {
      done = true;
      wm_free(bin);
    } else {
      failures += rc == WM_ENOMEM;
      if (rc != WM_ENOMEM) fprintf(stderr, "  after %ld: %s\n", n, err.message);
      CHECK(rc == WM_ENOMEM && bin == NULL);
    }
  }
  CHECK(done && failures > 5);
}

int main(void) {
  test_same_as_wabt();
  test_quoted_ids();
  test_bytes();
  test_typed_refs();
  test_errors();
  test_small_stack();
  test_load();
  test_alloc_failures();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
