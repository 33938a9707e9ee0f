/* SPDX-License-Identifier: MIT */
/*
** compile_atomic.c -- validation and lowering of the threads proposal's
** 0xFE instructions: every atomic load, store, read-modify-write and
** compare-exchange, wait, notify and fence lowers to one instruction of
** ops.h (class ALOAD, ASTORE, ARMW, ACMPX, or its own layout), the memarg
** offset as the last cell. Their kinds, sizes and types come from
** wm__atomic_sig (module.h), which the body validator uses too, with the
** same messages: a memory is needed ("unknown memory 0"), and the
** alignment must equal the access size ("atomic alignment must be
** natural"). Nothing is fused with them, and plain loads and stores do not
** change: an unshared memory pays nothing for these.
*/
#include "compile.h"

/* Sub-opcode -> wm_op + 1 (0 = none); ops without an 0xFE opcode land on
** the unused last entry, hence the overridden initialisers. */
#define NSUB 0x4F
#define SUB_INDEX(w) ((w) >= 0xFE00 && (w) < 0xFE00 + NSUB ? (w) - 0xFE00 : NSUB)
WM_OVERRIDE_INIT_BEGIN
static const uint16_t sub_to_op[NSUB + 1] = {
#define X_(name, cls, wasm) [SUB_INDEX(wasm)] = WM_OP_##name + 1,
    WM_OPS(X_)
#undef X_
};
WM_OVERRIDE_INIT_END

int wm__c_atomic_op(cstate *c, uint32_t sub, uint32_t *res) {
  wm_atomic_sig s = wm__atomic_sig(sub);
  if (s.kind == WM_ATOMIC_NONE || sub >= NSUB || !sub_to_op[sub]) return 1;
  wm_op op = (wm_op)(sub_to_op[sub] - 1);
  if (s.kind == WM_ATOMIC_FENCE) {
    uint8_t b;
    TRY(wm__c_rd_u8(c, &b));
    if (b != 0) return wm__c_malformed(c, "zero byte expected");
    return c->dead ? 0 : wm__c_head(c, op);
  }
  uint32_t offset;
  TRY(wm__c_memarg(c, s.size_log2, true, &offset));
  uint8_t at = wm__c_addr_t(c); /* i64 on a 64-bit memory: ADDR64 first */
  vop v[3];
  switch (s.kind) {
    case WM_ATOMIC_LOAD:
      TRY(wm__c_pop(c, at, &v[0]));
      TRY(wm__c_addr64(c, &v[0]));
      TRY(wm__c_emit_res(c, op, s.type, v, 1, res));
      break;
    case WM_ATOMIC_STORE:
      TRY(wm__c_pop(c, s.type, &v[1]));
      TRY(wm__c_pop(c, at, &v[0]));
      if (c->dead) return 0;
      TRY(wm__c_addr64(c, &v[0]));
      TRY(wm__c_head(c, op));
      TRY(wm__c_slot(c, v[0].ref));
      TRY(wm__c_slot(c, v[1].ref));
      break;
    case WM_ATOMIC_RMW: case WM_ATOMIC_NOTIFY: /* notify: the count is an i32 */
      TRY(wm__c_pop(c, s.type, &v[1]));
      TRY(wm__c_pop(c, at, &v[0]));
      TRY(wm__c_addr64(c, &v[0]));
      TRY(wm__c_emit_res(c, op, s.kind == WM_ATOMIC_NOTIFY ? WM_I32 : s.type, v, 2, res));
      break;
    default: /* cmpxchg: expected, replacement; wait: expected, timeout */
      TRY(wm__c_pop(c, s.kind == WM_ATOMIC_WAIT ? WM_I64 : s.type, &v[2]));
      TRY(wm__c_pop(c, s.type, &v[1]));
      TRY(wm__c_pop(c, at, &v[0]));
      TRY(wm__c_addr64(c, &v[0]));
      TRY(wm__c_emit_res(c, op, s.kind == WM_ATOMIC_WAIT ? WM_I32 : s.type, v, 3, res));
      break;
  }
  return c->dead ? 0 : wm__c_cell(c, offset);
}

int wm__c_skim_atomic(cstate *c) {
  uint32_t sub;
  uint8_t b;
  TRY(wm__c_rd_u32(c, &sub));
  wm_atomic_sig s = wm__atomic_sig(sub);
  if (s.kind == WM_ATOMIC_NONE) return wm__c_malformed(c, "illegal opcode");
  if (s.kind == WM_ATOMIC_FENCE) {
    TRY(wm__c_rd_u8(c, &b));
    return b ? wm__c_malformed(c, "zero byte expected") : 0;
  }
  return wm__c_skip_memarg(c);
}
