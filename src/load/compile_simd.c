/* SPDX-License-Identifier: MIT */
/*
** compile_simd.c -- validation and lowering of the 0xFD (SIMD) instructions:
** fixed-width SIMD of WebAssembly 2.0 and relaxed SIMD of 3.0. Every
** instruction maps to one lowered instruction of ops_simd.h, whose class
** says its operand types and immediates. A v128 operand is named by the
** first of its two slots (compile.h); v128.const becomes a constant pair.
**
** Relaxed SIMD leaves some results to the implementation. wasmem picks one
** deterministic answer per instruction (docs/SIMD.md): where a relaxed
** instruction has a non-relaxed twin that is among the allowed answers, it
** is lowered to that twin and has no handler of its own.
*/
#include "compile.h"

#define NSUB 0x114 /* opcodes 0x00..0x113; the entry NSUB takes what has none */
#define SUB_INDEX(w) ((w) ? (w)&0xFFFF : NSUB)

WM_OVERRIDE_INIT_BEGIN
/* SIMD opcode -> wm_op + 1 (0 = none), and its class. */
static const uint16_t sub_to_op[NSUB + 1] = {
#define X_(name, cls, wasm) [SUB_INDEX(wasm)] = WM_OP_##name + 1,
    WM_SIMD_OPS(X_)
#undef X_
};
static const uint8_t sub_class[NSUB + 1] = {
#define X_(name, cls, wasm) [SUB_INDEX(wasm)] = C_##cls,
    WM_SIMD_OPS(X_)
#undef X_
};
WM_OVERRIDE_INIT_END

/* Relaxed instructions lowered as their non-relaxed twin (docs/SIMD.md). */
static uint32_t relaxed_twin(uint32_t sub) {
  switch (sub) {
    case 0x100: return 0x0E; /* i8x16.relaxed_swizzle: i8x16.swizzle */
    case 0x101: return 0xF8; /* i32x4.relaxed_trunc_f32x4_s: trunc_sat */
    case 0x102: return 0xF9;
    case 0x103: return 0xFC; /* ..._f64x2_s_zero: trunc_sat_f64x2_s_zero */
    case 0x104: return 0xFD;
    case 0x109: case 0x10A: case 0x10B: case 0x10C: return 0x52; /* laneselect: bitselect */
    case 0x10D: return 0xE8; /* f32x4.relaxed_min: f32x4.min */
    case 0x10E: return 0xE9;
    case 0x10F: return 0xF4;
    case 0x110: return 0xF5;
    case 0x111: return 0x82; /* i16x8.relaxed_q15mulr_s: q15mulr_sat_s */
    default: return sub;
  }
}

/* The scalar type of a splat, extract_lane or replace_lane. */
static uint8_t lane_scalar(uint32_t sub) {
  switch (sub) {
    case 0x12: case 0x1D: case 0x1E: return WM_I64;
    case 0x13: case 0x1F: case 0x20: return WM_F32;
    case 0x14: case 0x21: case 0x22: return WM_F64;
    default: return WM_I32;
  }
}

/* Lanes of an extract_lane or replace_lane. */
static uint32_t lane_count(uint32_t sub) {
  if (sub <= 0x17) return 16;
  if (sub <= 0x1A) return 8;
  if (sub <= 0x1C || sub == 0x1F || sub == 0x20) return 4;
  return 2;
}

/* log2 of the bytes a memory instruction accesses (its natural alignment);
** for the lane forms also the lane size. */
static uint32_t mem_log2(uint32_t sub) {
  switch (sub) {
    case 0x00: case 0x0B: return 4;
    case 0x07: case 0x54: case 0x58: return 0;
    case 0x08: case 0x55: case 0x59: return 1;
    case 0x09: case 0x5C: case 0x56: case 0x5A: return 2;
    default: return 3; /* 8-byte extends, load64_splat/zero/lane */
  }
}

static int rd_lane(cstate *c, uint32_t lanes, uint32_t *lane) {
  uint8_t b;
  TRY(wm__c_rd_u8(c, &b));
  if (b >= lanes) return wm__c_invalid(c, "invalid lane index");
  *lane = b;
  return 0;
}

static int rd_bytes16(cstate *c, uint8_t out[16]) {
  for (int i = 0; i < 16; i++) TRY(wm__c_rd_u8(c, &out[i]));
  return 0;
}

static int v128_const(cstate *c) {
  uint8_t b[16];
  TRY(rd_bytes16(c, b));
  uint64_t lo = 0, hi = 0;
  for (int i = 0; i < 8; i++) {
    lo |= (uint64_t)b[i] << (8 * i);
    hi |= (uint64_t)b[8 + i] << (8 * i);
  }
  uint32_t ref = own_ref(c, c->nvals);
  if (!c->dead) TRY(wm__c_const_v128(c, lo, hi, &ref));
  return wm__c_push(c, WM_V128, ref);
}

static int pop2(cstate *c, uint8_t ta, uint8_t tb, vop *v) {
  TRY(wm__c_pop(c, tb, &v[1]));
  return wm__c_pop(c, ta, &v[0]);
}

/* Memory instructions: `d a imm off`, `d a b imm off lane`, `a b imm off`,
** `a b imm off lane`. The access is at (uint32)(a + imm) + off: an
** `i32.add` of a constant that computed the address is folded into imm,
** as for scalar loads (LOADK); imm is 0 otherwise. */
static int mem_op(cstate *c, uint32_t sub, wm_op op, uint32_t *res) {
  uint32_t offset, lane = 0, base, imm = 0;
  int cls = sub_class[sub];
  bool has_lane = cls == C_VLOADLANE || cls == C_VSTORELANE, has_v = cls != C_VLOAD;
  vop v[2];
  TRY(wm__c_memarg(c, mem_log2(sub), false, &offset));
  if (has_lane) TRY(rd_lane(c, 16u >> mem_log2(sub), &lane));
  if (has_v) TRY(wm__c_pop(c, WM_V128, &v[1]));
  TRY(wm__c_pop(c, wm__c_addr_t(c), &v[0]));
  bool loads = cls == C_VLOAD || cls == C_VLOADLANE;
  if (c->dead) return loads ? wm__c_push(c, WM_V128, own_ref(c, c->nvals)) : 0;
  TRY(wm__c_addr64(c, &v[0])); /* a 64-bit memory: ADDR64 leaves nothing to fold */
  base = v[0].ref;
  if (c->mem64 || !wm__c_take_address_add(c, v[0].ref, true, &base, &imm)) imm = 0;
  TRY(wm__c_head(c, op));
  if (loads) TRY(wm__c_dest(c, WM_V128, res));
  TRY(wm__c_slot(c, base));
  if (has_v) TRY(wm__c_slot(c, v[1].ref));
  TRY(wm__c_cell(c, imm));
  TRY(wm__c_cell(c, offset));
  return has_lane ? wm__c_cell(c, lane) : 0;
}

int wm__c_simd_op(cstate *c, uint32_t sub, uint32_t *res) {
  if (sub == 0x0C) return v128_const(c);
  sub = relaxed_twin(sub);
  if (sub >= NSUB || !sub_to_op[sub]) return 1;
  wm_op op = (wm_op)(sub_to_op[sub] - 1);
  vop v[3];
  uint32_t lane = 0;
  switch (sub_class[sub]) {
    case C_VUN:
      TRY(wm__c_pop(c, WM_V128, &v[0]));
      return wm__c_emit_res(c, op, WM_V128, v, 1, res);
    case C_VBIN:
      TRY(pop2(c, WM_V128, WM_V128, v));
      return wm__c_emit_res(c, op, WM_V128, v, 2, res);
    case C_VTERN:
      TRY(wm__c_pop(c, WM_V128, &v[2]));
      TRY(pop2(c, WM_V128, WM_V128, v));
      return wm__c_emit_res(c, op, WM_V128, v, 3, res);
    case C_VSHIFT:
      TRY(pop2(c, WM_V128, WM_I32, v));
      return wm__c_emit_res(c, op, WM_V128, v, 2, res);
    case C_VTEST:
      TRY(wm__c_pop(c, WM_V128, &v[0]));
      return wm__c_emit_res(c, op, WM_I32, v, 1, res);
    case C_VSPLAT:
      TRY(wm__c_pop(c, lane_scalar(sub), &v[0]));
      return wm__c_emit_res(c, op, WM_V128, v, 1, res);
    case C_VEXTRACT:
      TRY(rd_lane(c, lane_count(sub), &lane));
      TRY(wm__c_pop(c, WM_V128, &v[0]));
      TRY(wm__c_emit_res(c, op, lane_scalar(sub), v, 1, res));
      return c->dead ? 0 : wm__c_cell(c, lane);
    case C_VREPLACE:
      TRY(rd_lane(c, lane_count(sub), &lane));
      TRY(pop2(c, WM_V128, lane_scalar(sub), v));
      TRY(wm__c_emit_res(c, op, WM_V128, v, 2, res));
      return c->dead ? 0 : wm__c_cell(c, lane);
    case C_VLOAD:
    case C_VLOADLANE:
    case C_VSTORE:
    case C_VSTORELANE:
      return mem_op(c, sub, op, res);
    case C_VSHUF: {
      uint8_t m[16];
      TRY(rd_bytes16(c, m));
      for (int i = 0; i < 16; i++)
        if (m[i] >= 32) return wm__c_invalid(c, "invalid lane index");
      TRY(pop2(c, WM_V128, WM_V128, v));
      TRY(wm__c_emit_res(c, op, WM_V128, v, 2, res));
      if (c->dead) return 0;
      for (int i = 0; i < 16; i += 4)
        TRY(wm__c_cell(c, (uint32_t)m[i] | (uint32_t)m[i + 1] << 8 | (uint32_t)m[i + 2] << 16 |
                              (uint32_t)m[i + 3] << 24));
      return 0;
    }
    default:
      return 1;
  }
}

int wm__simd_immediates(uint32_t sub) {
  if (sub == 0x0C) return WM_SIMD_BYTES16; /* v128.const */
  sub = relaxed_twin(sub);
  if (sub >= NSUB || !sub_to_op[sub]) return WM_SIMD_UNKNOWN;
  switch (sub_class[sub]) {
    case C_VEXTRACT: case C_VREPLACE: return WM_SIMD_LANE;
    case C_VSHUF: return WM_SIMD_BYTES16;
    case C_VLOAD: case C_VSTORE: return WM_SIMD_MEMARG;
    case C_VLOADLANE: case C_VSTORELANE: return WM_SIMD_MEMARG_LANE;
    default: return WM_SIMD_NONE;
  }
}

wm_simd_sig wm__simd_sig(uint32_t sub) {
  wm_simd_sig s = {0, 0, 0, 0};
  sub = relaxed_twin(sub);
  if (sub >= NSUB || !sub_to_op[sub]) return s;
  s.cls = sub_class[sub];
  s.scalar = lane_scalar(sub);
  s.align = (uint8_t)mem_log2(sub);
  s.lanes = (uint8_t)(s.cls == C_VLOADLANE || s.cls == C_VSTORELANE ? 16u >> s.align
                                                                     : lane_count(sub));
  return s;
}

int wm__c_skim_simd(cstate *c) {
  uint32_t sub;
  uint8_t b[16];
  TRY(wm__c_rd_u32(c, &sub));
  int imm = wm__simd_immediates(sub);
  if (imm == WM_SIMD_UNKNOWN) return wm__c_malformed(c, "illegal opcode");
  if (imm == WM_SIMD_BYTES16) return rd_bytes16(c, b);
  if (imm == WM_SIMD_MEMARG || imm == WM_SIMD_MEMARG_LANE) TRY(wm__c_skip_memarg(c));
  return imm == WM_SIMD_LANE || imm == WM_SIMD_MEMARG_LANE ? wm__c_rd_u8(c, b) : 0;
}

uint32_t wm__simd_twin(uint32_t sub) { return relaxed_twin(sub); }
