/* SPDX-License-Identifier: MIT */
/*
** parse_instr.c -- the text format's instructions (see parse.h): plain and
** folded, with labels, block types and every immediate, written in binary
** as wat2wasm writes them.
**
** Plain block/loop/if ... end nest without recursion (a label stack);
** a folded instruction is one C call per level, WP_MAX_DEPTH at most. A
** folded instruction's operands come first in binary: its immediates are
** skipped, the operands written, then the immediates read again and the
** instruction written -- so that implicit types (call_indirect's, an if's
** block type) are added in the order wat2wasm adds them.
*/
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cstack.h"
#include "parse.h"

/* ------------------------------------------------------ the instructions */

enum {
  I_NONE, I_BLOCK, I_IF, I_ELSE, I_END, I_LABEL, I_BRTABLE, I_FUNC, I_CALLIND, I_LOCAL,
  I_GLOBAL, I_TABLE, I_MEM, I_MEMIDX, I_I32, I_I64, I_F32, I_F64, I_SELECT, I_REFNULL,
  I_MEMINIT, I_DATA, I_MEMCOPY, I_TABLEINIT, I_ELEM, I_TABLECOPY, I_V128, I_SHUFFLE, I_LANE,
  I_MEMLANE, I_ZERO, I_TAG, I_TRY, I_TYPE, I_FIELD, I_TYPE_N, I_TYPE_DATA, I_TYPE_ELEM,
  I_TYPE_TYPE, I_CAST, I_BRCAST
};

typedef struct wp_op {
  const char *name;
  uint32_t code;  /* one byte, or prefix << 16 | LEB-coded sub-opcode */
  uint8_t imm;    /* I_ */
  uint8_t align;  /* memory access: the natural alignment in bytes */
} wp_op;

/* Everything not in the lists below. */
static const wp_op special_ops[] = {
    {"unreachable", 0x00, I_NONE, 0}, {"nop", 0x01, I_NONE, 0}, {"block", 0x02, I_BLOCK, 0},
    {"loop", 0x03, I_BLOCK, 0}, {"if", 0x04, I_IF, 0}, {"else", 0x05, I_ELSE, 0},
    {"end", 0x0B, I_END, 0}, {"br", 0x0C, I_LABEL, 0}, {"br_if", 0x0D, I_LABEL, 0},
    {"br_table", 0x0E, I_BRTABLE, 0}, {"return", 0x0F, I_NONE, 0}, {"call", 0x10, I_FUNC, 0},
    {"call_indirect", 0x11, I_CALLIND, 0}, {"return_call", 0x12, I_FUNC, 0},
    {"return_call_indirect", 0x13, I_CALLIND, 0}, {"call_ref", 0x14, I_TYPE, 0},
    {"return_call_ref", 0x15, I_TYPE, 0}, {"drop", 0x1A, I_NONE, 0},
    {"select", 0x1B, I_SELECT, 0}, {"local.get", 0x20, I_LOCAL, 0},
    {"local.set", 0x21, I_LOCAL, 0}, {"local.tee", 0x22, I_LOCAL, 0},
    {"global.get", 0x23, I_GLOBAL, 0}, {"global.set", 0x24, I_GLOBAL, 0},
    {"table.get", 0x25, I_TABLE, 0}, {"table.set", 0x26, I_TABLE, 0},
    {"i32.load", 0x28, I_MEM, 4}, {"i64.load", 0x29, I_MEM, 8}, {"f32.load", 0x2A, I_MEM, 4},
    {"f64.load", 0x2B, I_MEM, 8}, {"i32.load8_s", 0x2C, I_MEM, 1},
    {"i32.load8_u", 0x2D, I_MEM, 1}, {"i32.load16_s", 0x2E, I_MEM, 2},
    {"i32.load16_u", 0x2F, I_MEM, 2}, {"i64.load8_s", 0x30, I_MEM, 1},
    {"i64.load8_u", 0x31, I_MEM, 1}, {"i64.load16_s", 0x32, I_MEM, 2},
    {"i64.load16_u", 0x33, I_MEM, 2}, {"i64.load32_s", 0x34, I_MEM, 4},
    {"i64.load32_u", 0x35, I_MEM, 4}, {"i32.store", 0x36, I_MEM, 4},
    {"i64.store", 0x37, I_MEM, 8}, {"f32.store", 0x38, I_MEM, 4}, {"f64.store", 0x39, I_MEM, 8},
    {"i32.store8", 0x3A, I_MEM, 1}, {"i32.store16", 0x3B, I_MEM, 2},
    {"i64.store8", 0x3C, I_MEM, 1}, {"i64.store16", 0x3D, I_MEM, 2},
    {"i64.store32", 0x3E, I_MEM, 4}, {"memory.size", 0x3F, I_MEMIDX, 0},
    {"memory.grow", 0x40, I_MEMIDX, 0}, {"i32.const", 0x41, I_I32, 0},
    {"i64.const", 0x42, I_I64, 0}, {"f32.const", 0x43, I_F32, 0}, {"f64.const", 0x44, I_F64, 0},
    {"ref.null", 0xD0, I_REFNULL, 0}, {"ref.is_null", 0xD1, I_NONE, 0},
    {"ref.func", 0xD2, I_FUNC, 0}, {"ref.eq", 0xD3, I_NONE, 0},
    {"ref.as_non_null", 0xD4, I_NONE, 0}, {"br_on_null", 0xD5, I_LABEL, 0},
    {"br_on_non_null", 0xD6, I_LABEL, 0}, {"memory.init", 0xFC0008, I_MEMINIT, 0},
    {"data.drop", 0xFC0009, I_DATA, 0}, {"memory.copy", 0xFC000A, I_MEMCOPY, 0},
    {"memory.fill", 0xFC000B, I_MEMIDX, 0}, {"table.init", 0xFC000C, I_TABLEINIT, 0},
    {"elem.drop", 0xFC000D, I_ELEM, 0}, {"table.copy", 0xFC000E, I_TABLECOPY, 0},
    {"table.grow", 0xFC000F, I_TABLE, 0}, {"table.size", 0xFC0010, I_TABLE, 0},
    {"table.fill", 0xFC0011, I_TABLE, 0}, {"memory.atomic.notify", 0xFE0000, I_MEM, 4},
    {"memory.atomic.wait32", 0xFE0001, I_MEM, 4}, {"memory.atomic.wait64", 0xFE0002, I_MEM, 8},
    {"atomic.fence", 0xFE0003, I_ZERO, 0}, {"throw", 0x08, I_TAG, 0},
    {"throw_ref", 0x0A, I_NONE, 0}, {"try_table", 0x1F, I_TRY, 0},
    /* garbage collection (0xFB) */
    {"struct.new", 0xFB0000, I_TYPE, 0}, {"struct.new_default", 0xFB0001, I_TYPE, 0},
    {"struct.get", 0xFB0002, I_FIELD, 0}, {"struct.get_s", 0xFB0003, I_FIELD, 0},
    {"struct.get_u", 0xFB0004, I_FIELD, 0}, {"struct.set", 0xFB0005, I_FIELD, 0},
    {"array.new", 0xFB0006, I_TYPE, 0}, {"array.new_default", 0xFB0007, I_TYPE, 0},
    {"array.new_fixed", 0xFB0008, I_TYPE_N, 0}, {"array.new_data", 0xFB0009, I_TYPE_DATA, 0},
    {"array.new_elem", 0xFB000A, I_TYPE_ELEM, 0}, {"array.get", 0xFB000B, I_TYPE, 0},
    {"array.get_s", 0xFB000C, I_TYPE, 0}, {"array.get_u", 0xFB000D, I_TYPE, 0},
    {"array.set", 0xFB000E, I_TYPE, 0}, {"array.len", 0xFB000F, I_NONE, 0},
    {"array.fill", 0xFB0010, I_TYPE, 0}, {"array.copy", 0xFB0011, I_TYPE_TYPE, 0},
    {"array.init_data", 0xFB0012, I_TYPE_DATA, 0}, {"array.init_elem", 0xFB0013, I_TYPE_ELEM, 0},
    {"ref.test", 0xFB0014, I_CAST, 0}, {"ref.cast", 0xFB0016, I_CAST, 0},
    {"br_on_cast", 0xFB0018, I_BRCAST, 0}, {"br_on_cast_fail", 0xFB0019, I_BRCAST, 0},
    {"any.convert_extern", 0xFB001A, I_NONE, 0}, {"extern.convert_any", 0xFB001B, I_NONE, 0},
    {"ref.i31", 0xFB001C, I_NONE, 0}, {"i31.get_s", 0xFB001D, I_NONE, 0},
    {"i31.get_u", 0xFB001E, I_NONE, 0},
};

/* Runs of consecutive opcodes without immediates, or, for SIMD, with
** immediates that their names tell (see simd_imm); "-" is an unused
** opcode. */
static char numeric_names[] =
    "i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s "
    "i32.ge_u i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u "
    "i64.ge_s i64.ge_u f32.eq f32.ne f32.lt f32.gt f32.le f32.ge f64.eq f64.ne f64.lt f64.gt "
    "f64.le f64.ge i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u "
    "i32.rem_s i32.rem_u i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr "
    "i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s "
    "i64.rem_u i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr f32.abs "
    "f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt f32.add f32.sub f32.mul "
    "f32.div f32.min f32.max f32.copysign f64.abs f64.neg f64.ceil f64.floor f64.trunc "
    "f64.nearest f64.sqrt f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign "
    "i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u "
    "i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s "
    "i64.trunc_f64_u f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u "
    "f32.demote_f64 f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u "
    "f64.promote_f32 i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 "
    "f64.reinterpret_i64 i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s "
    "i64.extend32_s";
static char sat_names[] =
    "i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u "
    "i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u";
static char simd_names[] =
    "v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s "
    "v128.load32x2_u v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat "
    "v128.store v128.const i8x16.shuffle i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat "
    "i64x2.splat f32x4.splat f64x2.splat i8x16.extract_lane_s i8x16.extract_lane_u "
    "i8x16.replace_lane i16x8.extract_lane_s i16x8.extract_lane_u i16x8.replace_lane "
    "i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane "
    "f32x4.extract_lane f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane "
    /* 0x23 */
    "i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u "
    "i8x16.ge_s i8x16.ge_u i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u "
    "i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u "
    "i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u f32x4.eq f32x4.ne "
    "f32x4.lt f32x4.gt f32x4.le f32x4.ge f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le "
    "f64x2.ge v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true "
    /* 0x54 */
    "v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane v128.store8_lane "
    "v128.store16_lane v128.store32_lane v128.store64_lane v128.load32_zero v128.load64_zero "
    "f32x4.demote_f64x2_zero f64x2.promote_low_f32x4 "
    /* 0x60 */
    "i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s "
    "i8x16.narrow_i16x8_u f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest i8x16.shl "
    "i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u i8x16.sub "
    "i8x16.sub_sat_s i8x16.sub_sat_u f64x2.ceil f64x2.floor i8x16.min_s i8x16.min_u "
    "i8x16.max_s i8x16.max_u f64x2.trunc i8x16.avgr_u i16x8.extadd_pairwise_i8x16_s "
    "i16x8.extadd_pairwise_i8x16_u i32x4.extadd_pairwise_i16x8_s "
    "i32x4.extadd_pairwise_i16x8_u "
    /* 0x80 */
    "i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask "
    "i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u i16x8.extend_low_i8x16_s "
    "i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u i16x8.shl "
    "i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u i16x8.sub "
    "i16x8.sub_sat_s i16x8.sub_sat_u f64x2.nearest i16x8.mul i16x8.min_s i16x8.min_u "
    "i16x8.max_s i16x8.max_u - i16x8.avgr_u i16x8.extmul_low_i8x16_s "
    "i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u "
    /* 0xa0 */
    "i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - - i32x4.extend_low_i16x8_s "
    "i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u i32x4.shl "
    "i32x4.shr_s i32x4.shr_u i32x4.add - - i32x4.sub - - - i32x4.mul i32x4.min_s i32x4.min_u "
    "i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s - i32x4.extmul_low_i16x8_s "
    "i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u "
    /* 0xc0 */
    "i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - - i64x2.extend_low_i32x4_s "
    "i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u i64x2.shl "
    "i64x2.shr_s i64x2.shr_u i64x2.add - - i64x2.sub - - - i64x2.mul i64x2.eq i64x2.ne "
    "i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s i64x2.extmul_low_i32x4_s "
    "i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u "
    /* 0xe0 */
    "f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div f32x4.min "
    "f32x4.max f32x4.pmin f32x4.pmax f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub "
    "f64x2.mul f64x2.div f64x2.min f64x2.max f64x2.pmin f64x2.pmax i32x4.trunc_sat_f32x4_s "
    "i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u "
    "i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s "
    "f64x2.convert_low_i32x4_u "
    /* 0x100: relaxed SIMD */
    "i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u "
    "i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero f32x4.relaxed_madd "
    "f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd i8x16.relaxed_laneselect "
    "i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect "
    "f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max "
    "i16x8.relaxed_q15mulr_s i16x8.dot_i8x16_i7x16_s i32x4.dot_i8x16_i7x16_add_s";
/* The names the final relaxed SIMD spec (WebAssembly 3.0) gives the two
** dot products, 0xFD 0x112 and 0x113; wabt 1.0.32 knows the ones above. */
static char simd_aliases[] = "i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s";

/* The threads proposal's 0xFE instructions from 0x10 on, all with a
** memarg whose natural alignment the name tells (see atomic_align). */
static char atomic_names[] =
    "i32.atomic.load i64.atomic.load i32.atomic.load8_u i32.atomic.load16_u "
    "i64.atomic.load8_u i64.atomic.load16_u i64.atomic.load32_u i32.atomic.store "
    "i64.atomic.store i32.atomic.store8 i32.atomic.store16 i64.atomic.store8 "
    "i64.atomic.store16 i64.atomic.store32 "
    "i32.atomic.rmw.add i64.atomic.rmw.add i32.atomic.rmw8.add_u i32.atomic.rmw16.add_u "
    "i64.atomic.rmw8.add_u i64.atomic.rmw16.add_u i64.atomic.rmw32.add_u "
    "i32.atomic.rmw.sub i64.atomic.rmw.sub i32.atomic.rmw8.sub_u i32.atomic.rmw16.sub_u "
    "i64.atomic.rmw8.sub_u i64.atomic.rmw16.sub_u i64.atomic.rmw32.sub_u "
    "i32.atomic.rmw.and i64.atomic.rmw.and i32.atomic.rmw8.and_u i32.atomic.rmw16.and_u "
    "i64.atomic.rmw8.and_u i64.atomic.rmw16.and_u i64.atomic.rmw32.and_u "
    "i32.atomic.rmw.or i64.atomic.rmw.or i32.atomic.rmw8.or_u i32.atomic.rmw16.or_u "
    "i64.atomic.rmw8.or_u i64.atomic.rmw16.or_u i64.atomic.rmw32.or_u "
    "i32.atomic.rmw.xor i64.atomic.rmw.xor i32.atomic.rmw8.xor_u i32.atomic.rmw16.xor_u "
    "i64.atomic.rmw8.xor_u i64.atomic.rmw16.xor_u i64.atomic.rmw32.xor_u "
    "i32.atomic.rmw.xchg i64.atomic.rmw.xchg i32.atomic.rmw8.xchg_u i32.atomic.rmw16.xchg_u "
    "i64.atomic.rmw8.xchg_u i64.atomic.rmw16.xchg_u i64.atomic.rmw32.xchg_u "
    "i32.atomic.rmw.cmpxchg i64.atomic.rmw.cmpxchg i32.atomic.rmw8.cmpxchg_u "
    "i32.atomic.rmw16.cmpxchg_u i64.atomic.rmw8.cmpxchg_u i64.atomic.rmw16.cmpxchg_u "
    "i64.atomic.rmw32.cmpxchg_u";

#define OPS_MAX 640
#define OPS_HASH 2048 /* a power of two, over twice OPS_MAX */
static wp_op ops[OPS_MAX];
static uint16_t ops_hash[OPS_HASH]; /* index + 1, 0 = empty */
static uint32_t nops;
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;

static uint32_t name_hash(const char *s, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static void ops_add(wp_op op) {
  ops[nops] = op;
  uint32_t i = name_hash(op.name, strlen(op.name)) & (OPS_HASH - 1);
  while (ops_hash[i]) i = (i + 1) & (OPS_HASH - 1);
  ops_hash[i] = (uint16_t)(++nops);
}

/* A SIMD instruction's immediates and natural alignment, from its name. */
static void simd_imm(wp_op *op) {
  const char *n = op->name;
  bool mem = strncmp(n, "v128.load", 9) == 0 || strncmp(n, "v128.store", 10) == 0;
  const char *digits = n + (n[5] == 'l' ? 9 : 10);
  unsigned bits = 0;
  while (*digits >= '0' && *digits <= '9') bits = bits * 10 + (unsigned)(*digits++ - '0');
  if (mem && strstr(n, "_lane")) {
    op->imm = I_MEMLANE;
    op->align = (uint8_t)(bits / 8);
  } else if (mem) {
    op->imm = I_MEM;
    op->align = !bits ? 16 : *digits == 'x' ? 8 : (uint8_t)(bits / 8);
  } else if (strstr(n, "extract_lane") || strstr(n, "replace_lane")) {
    op->imm = I_LANE;
  } else if (strcmp(n, "v128.const") == 0) {
    op->imm = I_V128;
  } else if (strcmp(n, "i8x16.shuffle") == 0) {
    op->imm = I_SHUFFLE;
  }
}

/* An atomic access's natural alignment: its type's size, or the size its
** name gives after load, store or rmw ("i64.atomic.rmw16.add_u": 2). */
static void atomic_imm(wp_op *op) {
  const char *n = op->name, *a = strstr(n, ".atomic.") + 8;
  while (*a >= 'a' && *a <= 'z') a++;
  unsigned bits = 0;
  while (*a >= '0' && *a <= '9') bits = bits * 10 + (unsigned)(*a++ - '0');
  op->imm = I_MEM;
  op->align = (uint8_t)(bits ? bits / 8 : n[1] == '6' ? 8 : 4);
}

enum { LIST_PLAIN, LIST_SIMD, LIST_ATOMIC };

static void ops_list(char *names, uint32_t first, int kind) {
  uint32_t code = first;
  for (char *s = strtok(names, " "); s; s = strtok(NULL, " "), code++) {
    if (strcmp(s, "-") == 0) continue;
    wp_op op = {s, code, I_NONE, 0};
    if (kind == LIST_SIMD) simd_imm(&op);
    else if (kind == LIST_ATOMIC) atomic_imm(&op);
    ops_add(op);
  }
}

static void ops_init(void) {
  for (size_t i = 0; i < sizeof special_ops / sizeof *special_ops; i++) ops_add(special_ops[i]);
  ops_list(numeric_names, 0x45, LIST_PLAIN);
  ops_list(sat_names, 0xFC0000, LIST_PLAIN);
  ops_list(simd_names, 0xFD0000, LIST_SIMD);
  ops_list(simd_aliases, 0xFD0112, LIST_SIMD);
  ops_list(atomic_names, 0xFE0010, LIST_ATOMIC);
}

static const wp_op *op_find(const wm_tok *t) {
  pthread_once(&ops_once, ops_init);
  uint32_t i = name_hash(t->text, t->len) & (OPS_HASH - 1);
  while (ops_hash[i]) {
    const wp_op *op = &ops[ops_hash[i] - 1];
    if (strlen(op->name) == t->len && memcmp(op->name, t->text, t->len) == 0) return op;
    i = (i + 1) & (OPS_HASH - 1);
  }
  return NULL;
}

static bool has_prefix(const wm_tok *t, const char *prefix) {
  size_t n = strlen(prefix);
  return t->len >= n && memcmp(t->text, prefix, n) == 0;
}

static bool tok_is_kw(const wm_tok *t, const char *kw) {
  return t->len == strlen(kw) && memcmp(t->text, kw, t->len) == 0;
}

static int nomem(wp *p);

/* A reference type of a cast: its heap type appended to out, *null
** whether it is nullable (a shorthand such as anyref is). */
static int cast_type(wp *p, wp_buf *out, bool *null) {
  wp_buf vt = {0};
  int rc = wp_valtype(p, &vt);
  if (!rc && !vt.oom) {
    uint8_t b0 = vt.p[0];
    *null = b0 != 0x64;
    if (b0 == 0x63 || b0 == 0x64) wp_bytes(out, vt.p + 1, vt.n - 1);
    else if (vt.n == 1 && b0 >= 0x69 && b0 <= 0x74) wp_byte(out, b0);
    else rc = wp_error(p, &p->t, "a reference type expected");
  }
  if (!rc && vt.oom) rc = nomem(p);
  wm__free(vt.p);
  return rc;
}

static int unknown_op(wp *p) {
  const wm_tok *t = &p->t;
  if (t->kind != WM_TOK_KEYWORD) return wp_unexpected(p, "an instruction");
  /* The legacy proposal's instructions (try, catch, catch_all as
  ** instructions, rethrow, delegate) are not WebAssembly 3.0. */
  if (tok_is_kw(t, "try") || tok_is_kw(t, "rethrow") || tok_is_kw(t, "delegate"))
    return wp_error(p, t, "legacy exception handling not supported");
  if (has_prefix(t, "catch"))
    return wp_error(p, t, "unexpected token '%.*s': catch clauses belong to try_table",
                    (int)(t->len > 32 ? 32 : t->len), t->text);
  return wp_error(p, t, "unknown instruction '%.*s'", (int)(t->len > 32 ? 32 : t->len), t->text);
}

/* ------------------------------------------------------------ emitting */

static void emit_op(wp_buf *b, uint32_t code) {
  if (code > 0xFF) {
    wp_byte(b, (uint8_t)(code >> 16));
    wp_u32(b, code & 0xFFFF);
  } else {
    wp_byte(b, (uint8_t)code);
  }
}

static int nomem(wp *p) { return wm__error(p->err, WM_ENOMEM, UINT32_MAX, NULL); }

/* ------------------------------------------------------------- labels */

static int label_push(wp *p, const wm_tok *id, uint8_t kind) {
  if (wm__grow((void **)&p->labels, &p->caplabels, p->nlabels + 1, sizeof *p->labels))
    return nomem(p);
  wp_label *l = &p->labels[p->nlabels];
  l->name = NULL;
  l->len = 0;
  l->kind = kind;
  if (id) {
    int rc = wp_name_key(p, id, &l->name, &l->len);
    if (rc) return rc;
  }
  p->nlabels++;
  return 0;
}

/* An optional label id, consumed; *id NULL when none. */
static int label_opt(wp *p, wm_tok *buf, const wm_tok **id) {
  *id = NULL;
  if (p->t.kind != WM_TOK_ID) return 0;
  *buf = p->t;
  *id = buf;
  return wp_next(p);
}

/* The id after `end` or `else`, if any, must name the block it closes. */
static int label_check(wp *p, const wp_label *l) {
  if (p->t.kind != WM_TOK_ID) return 0;
  const char *s;
  uint32_t len;
  int rc = wp_name_key(p, &p->t, &s, &len);
  if (rc) return rc;
  if (!l->name || l->len != len || memcmp(l->name, s, len) != 0)
    return wp_error(p, &p->t, "mismatching label %.*s", (int)(p->t.len > 32 ? 32 : p->t.len),
                    p->t.text);
  return wp_next(p);
}

static int label_index(wp *p, uint32_t *out) {
  if (p->t.kind == WM_TOK_NUM) {
    int rc = wm__tok_u32(&p->t, out, p->err);
    return rc ? rc : wp_next(p);
  }
  if (p->t.kind != WM_TOK_ID) return wp_unexpected(p, "a label");
  const char *s;
  uint32_t len;
  int rc = wp_name_key(p, &p->t, &s, &len);
  if (rc) return rc;
  for (uint32_t i = p->nlabels; i-- > 0;) {
    const wp_label *l = &p->labels[i];
    if (l->name && l->len == len && memcmp(l->name, s, len) == 0) {
      *out = p->nlabels - 1 - i;
      return wp_next(p);
    }
  }
  return wp_error(p, &p->t, "unknown label %.*s", (int)(p->t.len > 32 ? 32 : p->t.len), p->t.text);
}

/* A block type, written: empty, one result, or a type index (s33). */
static int blocktype(wp *p, wp_buf *code) {
  wp_use *u = &p->bt;
  int rc = wp_use_parse(p, u, false);
  if (rc) return rc;
  uint32_t np = u->np, nr = u->nr, nvt = (uint32_t)u->vt.n, idx;
  const uint8_t *vt = u->vt.p;
  if (u->has_type) {
    if ((rc = wp_use_index(p, u, &idx))) return rc;
    if (idx >= p->ntypes || !p->types[idx].func) {
      /* Not a function type (yet): written as an index, which the loader checks. */
      wp_s32(code, (int32_t)idx);
      return 0;
    }
    np = p->types[idx].np;
    nr = p->types[idx].nr;
    vt = p->types[idx].vt;
    nvt = p->types[idx].nvt;
  }
  if (np == 0 && nr <= 1) {
    if (nr) wp_bytes(code, vt, nvt);
    else wp_byte(code, 0x40);
    return 0;
  }
  if (!u->has_type && (rc = wp_type_find_or_add(p, vt, nvt, np, nr, &idx))) return rc;
  wp_s32(code, (int32_t)idx);
  return 0;
}

/* try_table's catch clauses, (catch x l) (catch_ref x l) (catch_all l)
** (catch_all_ref l), written as their count and clauses; their labels are
** the try_table's outside (its own label is pushed after). */
static int catches(wp *p, wp_buf *code) {
  static const char *const kinds[] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
  wp_buf cl = {0};
  uint32_t n = 0, x, l;
  int rc = 0;
  while (!rc && p->t.kind == WM_TOK_LPAREN) {
    uint8_t k = 4;
    for (uint8_t i = 0; i < 4; i++)
      if (wp_lparen_kw(p, kinds[i])) k = i;
    if (k == 4) break;
    if ((rc = wp_next(p)) || (rc = wp_next(p))) break;
    wp_byte(&cl, k);
    if (k < 2) {
      if ((rc = wp_index(p, SP_TAG, &x))) break;
      wp_u32(&cl, x);
    }
    if ((rc = label_index(p, &l))) break;
    wp_u32(&cl, l);
    n++;
    rc = wp_expect(p, WM_TOK_RPAREN, NULL);
  }
  if (!rc && cl.oom) rc = nomem(p);
  if (!rc) {
    wp_u32(code, n);
    wp_bytes(code, cl.p, cl.n);
  }
  wm__free(cl.p);
  return rc;
}

/* ---------------------------------------------------------- immediates */

/* An optional memory index (0 when absent). */
static int memidx_opt(wp *p, uint32_t *m) {
  *m = 0;
  return wp_at_index(p) ? wp_index(p, SP_MEM, m) : 0;
}

/* The number after "offset=" (a u64: memory64's offsets; the validator
** refuses one of 2^32 or more on a 32-bit memory) or "align=". */
static int keyword_value(wp *p, size_t skip, uint64_t *out) {
  wm_tok v = p->t;
  v.text += skip;
  v.len -= skip;
  v.col += (uint32_t)skip;
  v.kind = WM_TOK_NUM;
  uint32_t x = 0;
  int rc = skip == 7 ? wm__tok_u64(&v, out, p->err) : wm__tok_u32(&v, &x, p->err);
  if (skip != 7) *out = x;
  return rc ? rc : wp_next(p);
}

static bool kw_prefix(const wp *p, const char *prefix) {
  return p->t.kind == WM_TOK_KEYWORD && has_prefix(&p->t, prefix);
}

/* A memarg of memory m: bit 6 of the flags says its index follows them
** (for a memory other than 0, as wat2wasm writes it). */
static int memarg(wp *p, const wp_op *op, uint32_t m, wp_buf *code) {
  uint64_t offset = 0, align = op->align;
  int rc;
  if (kw_prefix(p, "offset=") && (rc = keyword_value(p, 7, &offset))) return rc;
  if (kw_prefix(p, "align=")) {
    wm_tok at = p->t;
    if ((rc = keyword_value(p, 6, &align))) return rc;
    if (align == 0 || (align & (align - 1)))
      return wp_error(p, &at, "alignment must be a power of two");
  }
  uint32_t log2 = 0;
  while (((uint64_t)1 << log2) < align) log2++;
  emit_op(code, op->code);
  wp_u32(code, m ? log2 | 0x40 : log2);
  if (m) wp_u32(code, m);
  wp_u64(code, offset);
  return 0;
}

static int number_tok(wp *p) {
  if (p->t.kind != WM_TOK_NUM && p->t.kind != WM_TOK_KEYWORD) return wp_unexpected(p, "a number");
  return 0;
}

/* An integer lane of `bits` < 32 bits: signed or unsigned. */
static int small_lane(wp *p, unsigned bits, uint32_t *out) {
  int rc = number_tok(p);
  if (rc || (rc = wm__tok_i32(&p->t, out, p->err))) return rc;
  bool neg = p->t.text[0] == '-';
  int32_t s = (int32_t)*out;
  if (neg ? s < -(1 << (bits - 1)) : *out >= (1u << bits))
    return wp_error(p, &p->t, "constant out of range: %.*s", (int)(p->t.len > 32 ? 32 : p->t.len),
                    p->t.text);
  return wp_next(p);
}

static int lane_index(wp *p, uint8_t *out) {
  uint32_t v;
  if (p->t.kind != WM_TOK_NUM) return wp_unexpected(p, "a lane index");
  int rc = wm__tok_u32(&p->t, &v, p->err);
  if (rc) return rc;
  if (v > 255) return wp_error(p, &p->t, "lane index out of range");
  *out = (uint8_t)v;
  return wp_next(p);
}

static int v128_const(wp *p, wp_buf *code) {
  static const struct { const char *shape; unsigned lanes, bits; bool fl; } shapes[] = {
      {"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
      {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true}};
  int rc;
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    if (!wp_kw(p, shapes[s].shape)) continue;
    if ((rc = wp_next(p))) return rc;
    uint8_t bytes[16];
    unsigned width = shapes[s].bits / 8;
    for (unsigned i = 0; i < shapes[s].lanes; i++) {
      uint64_t v = 0;
      uint32_t v32;
      if ((rc = number_tok(p))) return rc;
      if (shapes[s].bits < 32) {
        if ((rc = small_lane(p, shapes[s].bits, &v32))) return rc;
        v = v32;
      } else {
        if (shapes[s].bits == 32) {
          rc = shapes[s].fl ? wm__tok_f32(&p->t, &v32, p->err) : wm__tok_i32(&p->t, &v32, p->err);
          v = v32;
        } else {
          rc = shapes[s].fl ? wm__tok_f64(&p->t, &v, p->err) : wm__tok_i64(&p->t, &v, p->err);
        }
        if (rc || (rc = wp_next(p))) return rc;
      }
      for (unsigned k = 0; k < width; k++) bytes[i * width + k] = (uint8_t)(v >> (8 * k));
    }
    emit_op(code, 0xFD000C);
    wp_bytes(code, bytes, 16);
    return 0;
  }
  return wp_unexpected(p, "a vector shape (i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2)");
}

/* The immediates of op, from past its keyword, and op written. */
static int immediates(wp *p, const wp_op *op, wp_buf *code) {
  uint32_t a = 0, b = 0;
  int rc = 0;
  switch (op->imm) {
    case I_NONE:
      emit_op(code, op->code);
      return 0;
    case I_LABEL:
      if ((rc = label_index(p, &a))) return rc;
      emit_op(code, op->code);
      wp_u32(code, a);
      return 0;
    case I_BRTABLE: {
      wp_buf *t = &p->tmp;
      uint32_t n = 0;
      t->n = 0;
      while (wp_at_index(p)) {
        if ((rc = label_index(p, &a))) return rc;
        wp_u32(t, a);
        n++;
      }
      if (!n) return wp_unexpected(p, "a label");
      if (t->oom) return nomem(p);
      emit_op(code, op->code);
      wp_u32(code, n - 1);
      wp_bytes(code, t->p, t->n);
      return 0;
    }
    case I_FUNC:
    case I_LOCAL:
    case I_GLOBAL:
    case I_ELEM:
    case I_DATA:
    case I_TYPE: {
      static const int space[] = {[I_FUNC] = SP_FUNC, [I_LOCAL] = SP_LOCAL, [I_GLOBAL] = SP_GLOBAL,
                                  [I_ELEM] = SP_ELEM, [I_DATA] = SP_DATA, [I_TYPE] = SP_TYPE};
      if ((rc = wp_index(p, space[op->imm], &a))) return rc;
      if (op->imm == I_DATA) p->data_instr = true;
      emit_op(code, op->code);
      wp_u32(code, a);
      return 0;
    }
    case I_FIELD: /* a type and a field of it */
      if ((rc = wp_index(p, SP_TYPE, &a)) || (rc = wp_field_index(p, a, &b))) return rc;
      emit_op(code, op->code);
      wp_u32(code, a);
      wp_u32(code, b);
      return 0;
    case I_TYPE_N:
    case I_TYPE_DATA:
    case I_TYPE_ELEM:
    case I_TYPE_TYPE:
      if ((rc = wp_index(p, SP_TYPE, &a))) return rc;
      if (op->imm == I_TYPE_N) {
        if ((rc = number_tok(p)) || (rc = wm__tok_u32(&p->t, &b, p->err))) return rc;
        rc = wp_next(p);
      } else {
        rc = wp_index(p, op->imm == I_TYPE_DATA ? SP_DATA : op->imm == I_TYPE_ELEM ? SP_ELEM : SP_TYPE,
                      &b);
      }
      if (rc) return rc;
      if (op->imm == I_TYPE_DATA) p->data_instr = true;
      emit_op(code, op->code);
      wp_u32(code, a);
      wp_u32(code, b);
      return 0;
    case I_CAST: { /* ref.test/ref.cast rt: the sub-opcode + 1 when rt is nullable */
      bool null;
      wp_buf *t = &p->tmp;
      t->n = 0;
      if ((rc = cast_type(p, t, &null))) return rc;
      emit_op(code, op->code + null);
      wp_bytes(code, t->p, t->n);
      return 0;
    }
    case I_BRCAST: { /* br_on_cast(_fail) l rt1 rt2: flags, label, two heap types */
      bool n1, n2;
      wp_buf h1 = {0}, h2 = {0};
      if (!(rc = label_index(p, &a)) && !(rc = cast_type(p, &h1, &n1)) &&
          !(rc = cast_type(p, &h2, &n2))) {
        emit_op(code, op->code);
        wp_byte(code, (uint8_t)(n1 | n2 << 1));
        wp_u32(code, a);
        wp_bytes(code, h1.p, h1.n);
        wp_bytes(code, h2.p, h2.n);
        if (h1.oom || h2.oom) rc = nomem(p);
      }
      wm__free(h1.p);
      wm__free(h2.p);
      return rc;
    }
    case I_CALLIND: {
      if (wp_at_index(p) && (rc = wp_index(p, SP_TABLE, &b))) return rc;
      wp_use *u = &p->bt;
      if ((rc = wp_use_parse(p, u, false)) || (rc = wp_use_index(p, u, &a))) return rc;
      emit_op(code, op->code);
      wp_u32(code, a);
      wp_u32(code, b);
      return 0;
    }
    case I_TABLE:
      if (wp_at_index(p) && (rc = wp_index(p, SP_TABLE, &a))) return rc;
      emit_op(code, op->code);
      wp_u32(code, a);
      return 0;
    case I_MEM:
      if ((rc = memidx_opt(p, &a))) return rc;
      return memarg(p, op, a, code);
    case I_MEMIDX:
      if ((rc = memidx_opt(p, &a))) return rc;
      emit_op(code, op->code);
      wp_u32(code, a);
      return 0;
    case I_ZERO: /* atomic.fence's reserved byte */
      emit_op(code, op->code);
      wp_byte(code, 0);
      return 0;
    case I_MEMCOPY: /* memory.copy $dst $src: both or neither */
      if ((rc = memidx_opt(p, &a))) return rc;
      b = a;
      if (wp_at_index(p) && (rc = wp_index(p, SP_MEM, &b))) return rc;
      emit_op(code, op->code);
      wp_u32(code, a);
      wp_u32(code, b);
      return 0;
    case I_MEMINIT: {
      /* memory.init $mem? $data: with two indices, the first is the memory. */
      wm_lexer save = p->lx;
      wm_tok at = p->t;
      rc = wp_index(p, SP_DATA, &a);
      if (wp_at_index(p)) {
        p->lx = save;
        p->t = at;
        if ((rc = memidx_opt(p, &b)) || (rc = wp_index(p, SP_DATA, &a))) return rc;
      } else if (rc) {
        return rc;
      }
      p->data_instr = true;
      emit_op(code, op->code);
      wp_u32(code, a);
      wp_u32(code, b);
      return 0;
    }
    case I_TABLEINIT: {
      /* table.init $table? $elem */
      wm_lexer save = p->lx;
      wm_tok at = p->t;
      if ((rc = wp_index(p, SP_ELEM, &a)) && !wp_at_index(p)) return rc;
      if (wp_at_index(p)) {
        p->lx = save;
        p->t = at;
        if ((rc = wp_index(p, SP_TABLE, &b)) || (rc = wp_index(p, SP_ELEM, &a))) return rc;
      } else if (rc) {
        return rc;
      }
      emit_op(code, op->code);
      wp_u32(code, a);
      wp_u32(code, b);
      return 0;
    }
    case I_TABLECOPY:
      if (wp_at_index(p)) {
        if ((rc = wp_index(p, SP_TABLE, &a)) || (rc = wp_index(p, SP_TABLE, &b))) return rc;
      }
      emit_op(code, op->code);
      wp_u32(code, a);
      wp_u32(code, b);
      return 0;
    case I_I32:
      if ((rc = number_tok(p)) || (rc = wm__tok_i32(&p->t, &a, p->err)) || (rc = wp_next(p)))
        return rc;
      emit_op(code, op->code);
      wp_s32(code, (int32_t)a);
      return 0;
    case I_I64: {
      uint64_t v;
      if ((rc = number_tok(p)) || (rc = wm__tok_i64(&p->t, &v, p->err)) || (rc = wp_next(p)))
        return rc;
      emit_op(code, op->code);
      wp_s64(code, (int64_t)v);
      return 0;
    }
    case I_F32: {
      uint8_t le[4];
      if ((rc = number_tok(p)) || (rc = wm__tok_f32(&p->t, &a, p->err)) || (rc = wp_next(p)))
        return rc;
      for (int k = 0; k < 4; k++) le[k] = (uint8_t)(a >> (8 * k));
      emit_op(code, op->code);
      wp_bytes(code, le, 4);
      return 0;
    }
    case I_F64: {
      uint64_t v;
      uint8_t le[8];
      if ((rc = number_tok(p)) || (rc = wm__tok_f64(&p->t, &v, p->err)) || (rc = wp_next(p)))
        return rc;
      for (int k = 0; k < 8; k++) le[k] = (uint8_t)(v >> (8 * k));
      emit_op(code, op->code);
      wp_bytes(code, le, 8);
      return 0;
    }
    case I_SELECT: {
      wp_buf *t = &p->tmp;
      uint32_t n = 0;
      t->n = 0;
      while (wp_lparen_kw(p, "result")) {
        if ((rc = wp_next(p)) || (rc = wp_next(p))) return rc;
        if ((rc = wp_types_group(p, t, &n, WP_ID_NONE, 0))) return rc;
      }
      if (t->oom) return nomem(p);
      if (!n) { /* select (result) is the untyped select, as in wat2wasm */
        emit_op(code, op->code);
        return 0;
      }
      emit_op(code, 0x1C);
      wp_u32(code, n);
      wp_bytes(code, t->p, t->n);
      return 0;
    }
    case I_TAG:
      if ((rc = wp_index(p, SP_TAG, &a))) return rc;
      emit_op(code, op->code);
      wp_u32(code, a);
      return 0;
    case I_REFNULL:
      emit_op(code, op->code);
      return wp_heaptype(p, code);
    case I_V128:
      return v128_const(p, code);
    case I_SHUFFLE: {
      uint8_t lanes[16];
      for (int i = 0; i < 16; i++)
        if ((rc = lane_index(p, &lanes[i]))) return rc;
      emit_op(code, op->code);
      wp_bytes(code, lanes, 16);
      return 0;
    }
    case I_LANE: {
      uint8_t lane = 0;
      if ((rc = lane_index(p, &lane))) return rc;
      emit_op(code, op->code);
      wp_byte(code, lane);
      return 0;
    }
    case I_MEMLANE: {
      /* memidx? memarg lane: a first number is a memory when another follows */
      uint8_t lane = 0;
      if (p->t.kind == WM_TOK_ID) {
        if ((rc = memidx_opt(p, &a))) return rc;
      } else if (p->t.kind == WM_TOK_NUM) {
        wm_lexer peek = p->lx;
        wm_tok nt;
        peek.err = NULL;
        if (wm__lex_next(&peek, &nt) == 0 &&
            (nt.kind == WM_TOK_NUM || (nt.kind == WM_TOK_KEYWORD &&
                                       (has_prefix(&nt, "offset=") || has_prefix(&nt, "align=")))))
          if ((rc = memidx_opt(p, &a))) return rc;
      }
      wp_buf arg = {0};
      rc = memarg(p, op, a, &arg);
      if (!rc) rc = lane_index(p, &lane);
      if (!rc) {
        wp_bytes(code, arg.p, arg.n);
        wp_byte(code, lane);
        if (arg.oom) rc = nomem(p);
      }
      wm__free(arg.p);
      return rc;
    }
    default:
      return wp_error(p, &p->t, "unexpected instruction");
  }
}

/* ----------------------------------------------------- instruction lists */

/* After popping a label: an else with nothing after it goes (wat2wasm
** writes none; the meaning is the same). */
static void drop_empty_else(wp *p, wp_buf *code) {
  const wp_label *l = &p->labels[p->nlabels];
  if (l->kind == 0x05 && !code->oom && code->n == l->else_end) code->n--;
}

int wp_instrs(wp *p, wp_buf *code) {
  uint32_t base = p->nlabels;
  int rc;
  for (;;) {
    if (p->t.kind == WM_TOK_LPAREN) {
      if ((rc = wp_folded(p, code))) return rc;
      continue;
    }
    if (p->t.kind != WM_TOK_KEYWORD) break;
    const wp_op *op = op_find(&p->t);
    if (!op) return unknown_op(p);
    wm_tok at = p->t, idbuf;
    const wm_tok *id;
    if ((rc = wp_next(p))) return rc;
    switch (op->imm) {
      case I_BLOCK:
      case I_IF:
      case I_TRY:
        if ((rc = label_opt(p, &idbuf, &id))) return rc;
        emit_op(code, op->code);
        if ((rc = blocktype(p, code))) return rc;
        if (op->imm == I_TRY && (rc = catches(p, code))) return rc;
        if ((rc = label_push(p, id, (uint8_t)op->code))) return rc;
        break;
      case I_ELSE:
        if (p->nlabels == base || p->labels[p->nlabels - 1].kind != 0x04)
          return wp_error(p, &at, "else without a matching if");
        if ((rc = label_check(p, &p->labels[p->nlabels - 1]))) return rc;
        p->labels[p->nlabels - 1].kind = 0x05;
        emit_op(code, 0x05);
        p->labels[p->nlabels - 1].else_end = code->n;
        break;
      case I_END:
        if (p->nlabels == base) return wp_error(p, &at, "end without a matching block");
        if ((rc = label_check(p, &p->labels[p->nlabels - 1]))) return rc;
        p->nlabels--;
        drop_empty_else(p, code);
        emit_op(code, 0x0B);
        break;
      default:
        if ((rc = immediates(p, op, code))) return rc;
        break;
    }
  }
  if (p->nlabels != base) return wp_unexpected(p, "'end'");
  return code->oom ? nomem(p) : 0;
}

/* Past a folded instruction's immediates: tokens and (type ...),
** (param ...), (result ...) groups. */
static int skip_immediates(wp *p) {
  int rc;
  for (;;) {
    if (p->t.kind == WM_TOK_LPAREN) {
      if (!wp_lparen_kw(p, "type") && !wp_lparen_kw(p, "param") && !wp_lparen_kw(p, "result") &&
          !wp_lparen_kw(p, "ref")) /* a cast's reference type */
        return 0;
      if ((rc = wp_next(p)) || (rc = wp_skip_to_close(p))) return rc;
    } else if (p->t.kind == WM_TOK_RPAREN || p->t.kind == WM_TOK_EOF) {
      return 0;
    } else if ((rc = wp_next(p))) {
      return rc;
    }
  }
}

/* Are we where `mark` says, having read immediates again? */
static int at_mark(wp *p, const wm_lexer *mark) {
  if (p->lx.pos == mark->pos) return 0;
  return wp_error(p, &p->t, "unexpected token '%.*s'", (int)(p->t.len > 32 ? 32 : p->t.len),
                  p->t.text);
}

static int folded_if(wp *p, wp_buf *code, const wm_tok *idtok) {
  int rc;
  /* The block type, skipped; the conditions, written; then the if. */
  wm_lexer bt_lx = p->lx;
  wm_tok bt_t = p->t;
  while (wp_lparen_kw(p, "type") || wp_lparen_kw(p, "param") || wp_lparen_kw(p, "result")) {
    if ((rc = wp_next(p)) || (rc = wp_skip_to_close(p))) return rc;
  }
  wm_lexer cond_lx = p->lx;
  while (p->t.kind == WM_TOK_LPAREN && !wp_lparen_kw(p, "then")) {
    if ((rc = wp_folded(p, code))) return rc;
  }
  wm_lexer then_lx = p->lx;
  wm_tok then_t = p->t;
  p->lx = bt_lx;
  p->t = bt_t;
  emit_op(code, 0x04);
  if ((rc = blocktype(p, code)) || (rc = at_mark(p, &cond_lx))) return rc;
  p->lx = then_lx;
  p->t = then_t;
  if ((rc = label_push(p, idtok, 0x04))) return rc;
  if ((rc = wp_expect_lparen_kw(p, "then")) || (rc = wp_instrs(p, code))) return rc;
  if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
  if (wp_lparen_kw(p, "else")) {
    emit_op(code, 0x05);
    p->labels[p->nlabels - 1].kind = 0x05;
    p->labels[p->nlabels - 1].else_end = code->n;
    if ((rc = wp_next(p)) || (rc = wp_next(p)) || (rc = wp_instrs(p, code))) return rc;
    if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
  }
  p->nlabels--;
  drop_empty_else(p, code);
  emit_op(code, 0x0B);
  return wp_expect(p, WM_TOK_RPAREN, NULL);
}

static int folded(wp *p, wp_buf *code) {
  int rc;
  if ((rc = wp_next(p))) return rc; /* the '(' */
  const wp_op *op = p->t.kind == WM_TOK_KEYWORD ? op_find(&p->t) : NULL;
  if (!op) {
    if (wp_kw(p, "then") || wp_kw(p, "else")) return wp_error(p, &p->t, "'(then' or '(else' outside an if");
    return unknown_op(p);
  }
  wm_tok at = p->t, idbuf;
  const wm_tok *id;
  if ((rc = wp_next(p))) return rc;
  switch (op->imm) {
    case I_BLOCK:
    case I_TRY:
      if ((rc = label_opt(p, &idbuf, &id))) return rc;
      emit_op(code, op->code);
      if ((rc = blocktype(p, code))) return rc;
      if (op->imm == I_TRY && (rc = catches(p, code))) return rc;
      if ((rc = label_push(p, id, (uint8_t)op->code))) return rc;
      if ((rc = wp_instrs(p, code))) return rc;
      p->nlabels--;
      emit_op(code, 0x0B);
      return wp_expect(p, WM_TOK_RPAREN, NULL);
    case I_IF:
      if ((rc = label_opt(p, &idbuf, &id))) return rc;
      return folded_if(p, code, id);
    case I_ELSE:
    case I_END:
      return wp_error(p, &at, "unexpected '%s' in a folded instruction", op->name);
    default:
      break;
  }
  wm_lexer imm_lx = p->lx;
  wm_tok imm_t = p->t;
  if ((rc = skip_immediates(p))) return rc;
  wm_lexer operands_lx = p->lx;
  while (p->t.kind == WM_TOK_LPAREN) {
    if ((rc = wp_folded(p, code))) return rc;
  }
  if ((rc = wp_expect(p, WM_TOK_RPAREN, NULL))) return rc;
  wm_lexer end_lx = p->lx;
  wm_tok end_t = p->t;
  p->lx = imm_lx;
  p->t = imm_t;
  if ((rc = immediates(p, op, code)) || (rc = at_mark(p, &operands_lx))) return rc;
  p->lx = end_lx;
  p->t = end_t;
  return 0;
}

int wp_folded(wp *p, wp_buf *code) {
  if (p->depth >= WP_MAX_DEPTH || WM_FRAME_ADDRESS(p) < p->stack_floor)
    return wp_error(p, &p->t, "instructions nested too deeply (%u levels)", (unsigned)p->depth);
  p->depth++;
  int rc = folded(p, code);
  p->depth--;
  return rc;
}
