/* SPDX-License-Identifier: MIT */
/*
** compile_gc.c -- lowering of garbage collection's instructions
** (WebAssembly 3.0: the 0xFB prefix and ref.eq), typed by wm__gc_sig
** (gc_sig.c) as the body validator types them. Each is one lowered
** instruction of ops.h's GC group; the layouts of objects and the storage
** codes are gc.h's. ref.cast checks in place, as ref.as_non_null does;
** br_on_cast and br_on_cast_fail are laid out as br_if's with the target
** type in a cell before the offset.
*/
#include "compile.h"
#include "gc.h"
#include "gc_sig.h"
#include "leb.h"

/* Pop the instruction's operands into c->tmp (bottom first). */
static int pop_ops(cstate *c, const wm_gcsig *s) {
  if (wm__grow((void **)&c->tmp, &c->cap_tmp, s->n ? s->n : 1, sizeof *c->tmp))
    return wm__c_nomem(c);
  for (uint32_t i = s->n; i-- > 0;) TRY(wm__c_pop(c, wm__gc_in(s, i), &c->tmp[i]));
  return 0;
}

static int cells(cstate *c, const uint32_t *v, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) TRY(wm__c_cell(c, v[i]));
  return 0;
}

/* `op d operands.. cells..`, d the result pushed as s->out. */
static int with_result(cstate *c, wm_op op, uint32_t out, const wm_gcsig *s, const uint32_t *k,
                       uint32_t nk, uint32_t *res) {
  TRY(wm__c_emit_res(c, op, out, c->tmp, (int)s->n, res));
  return c->dead ? 0 : cells(c, k, nk);
}

/* `op operands.. cells..`, no result. */
static int no_result(cstate *c, wm_op op, const wm_gcsig *s, const uint32_t *k, uint32_t nk) {
  if (c->dead) return 0;
  TRY(wm__c_head(c, op));
  for (uint32_t i = 0; i < s->n; i++) TRY(wm__c_slot(c, c->tmp[i].ref));
  return cells(c, k, nk);
}

/* br_on_cast / br_on_cast_fail: the label takes the operands below and
** the reference, typed rt2 on br_on_cast's branch and rt1 minus rt2 on
** br_on_cast_fail's; the other type stays on the stack. */
static int br_on_cast(cstate *c, const wm_gcsig *s, bool fail) {
  if (s->label >= c->nctls) return wm__c_invalid(c, "unknown label");
  ctl *L = &c->ctls[c->nctls - 1 - s->label];
  uint32_t diff = wm__vt_nullable(s->t2) ? s->t1 | WM_VT_NONNULL : s->t1;
  uint32_t taken = fail ? diff : s->t2, stays = fail ? s->t2 : diff, n = label_n(L);
  vop r;
  TRY(wm__c_pop(c, s->t1, &r));
  if (n == 0 || !wm__is_reftype(label_t(L)[n - 1])) return wm__c_invalid(c, "type mismatch");
  uint32_t ref = c->dead ? own_ref(c, c->nvals) : r.ref;
  TRY(wm__c_push(c, taken, ref));
  wm_op on = fail ? WM_OP_BR_ON_CAST_FAIL : WM_OP_BR_ON_CAST;
  wm_op off = fail ? WM_OP_BR_ON_CAST : WM_OP_BR_ON_CAST_FAIL;
  TRY(wm__c_cond_branch(c, L, n, on, off, ref, s->t2));
  TRY(wm__c_pop(c, 0, &r));
  return wm__c_push(c, stays, ref);
}

int wm__c_gc_op(cstate *c, uint32_t sub, uint32_t *res) {
  if (c->mod->wasm2) return wm__c_malformed(c, "illegal opcode");
  wm_gcsig s;
  uint32_t pos = c->pos - c->base;
  int e = wm__gc_sig(c->mod, c->bytes, &pos, c->end - c->base, sub, &s);
  c->pos = pos + c->base;
  if (e == 1) return 1;
  if (e == WM_EMALFORMED) return wm__c_malformed(c, s.why);
  if (e == WM_EINVALID) return wm__c_invalid(c, "%s", s.why);
  if (e) return wm__error(c->err, e, c->instr_off, "%s", s.why);
  if (sub == WM_GC_BR_ON_CAST || sub == WM_GC_BR_ON_CAST_FAIL)
    return br_on_cast(c, &s, sub == WM_GC_BR_ON_CAST_FAIL);
  TRY(pop_ops(c, &s));
  uint32_t st = s.store | (s.refs ? WM_GS_REFS : 0), offst = s.offset << 8 | s.store;
  switch (sub) {
  case WM_GC_STRUCT_NEW: {
    uint32_t k[] = {s.x, s.size, s.refs, s.n};
    TRY(wm__c_emit_res(c, WM_OP_STRUCT_NEW, s.out, NULL, 0, res));
    if (c->dead) return 0;
    TRY(cells(c, k, 4));
    const wm_type *t = &c->mod->types[s.x];
    for (uint32_t i = 0; i < s.n; i++) {
      TRY(wm__c_slot(c, c->tmp[i].ref));
      TRY(wm__c_cell(c, wm__gc_field_at(t, i) << 8 | wm__gc_store_code(t->params[i])));
    }
    return 0;
  }
  case WM_GC_STRUCT_NEW_DEFAULT: {
    uint32_t k[] = {s.x, s.size, s.refs};
    return with_result(c, WM_OP_STRUCT_NEW_DEFAULT, s.out, &s, k, 3, res);
  }
  case WM_GC_STRUCT_GET: case WM_GC_STRUCT_GET_S: case WM_GC_STRUCT_GET_U:
    return with_result(c, WM_OP_STRUCT_GET, s.out, &s, &offst, 1, res);
  case WM_GC_STRUCT_SET: return no_result(c, WM_OP_STRUCT_SET, &s, &offst, 1);
  case WM_GC_ARRAY_NEW: case WM_GC_ARRAY_NEW_DEFAULT: {
    wm_op op = sub == WM_GC_ARRAY_NEW ? WM_OP_ARRAY_NEW : WM_OP_ARRAY_NEW_DEFAULT;
    TRY(wm__c_emit_res(c, op, s.out, NULL, 0, res));
    if (c->dead) return 0;
    TRY(wm__c_cell(c, s.x));
    for (uint32_t i = 0; i < s.n; i++) TRY(wm__c_slot(c, c->tmp[i].ref));
    return wm__c_cell(c, st);
  }
  case WM_GC_ARRAY_NEW_FIXED: {
    uint32_t k[] = {s.x, st, s.n};
    TRY(wm__c_emit_res(c, WM_OP_ARRAY_NEW_FIXED, s.out, NULL, 0, res));
    if (c->dead) return 0;
    TRY(cells(c, k, 3));
    for (uint32_t i = 0; i < s.n; i++) TRY(wm__c_slot(c, c->tmp[i].ref));
    return 0;
  }
  case WM_GC_ARRAY_NEW_DATA: case WM_GC_ARRAY_NEW_ELEM: {
    wm_op op = sub == WM_GC_ARRAY_NEW_DATA ? WM_OP_ARRAY_NEW_DATA : WM_OP_ARRAY_NEW_ELEM;
    TRY(wm__c_emit_res(c, op, s.out, NULL, 0, res));
    if (c->dead) return 0;
    TRY(wm__c_cell(c, s.x));
    TRY(wm__c_cell(c, s.y));
    for (uint32_t i = 0; i < s.n; i++) TRY(wm__c_slot(c, c->tmp[i].ref));
    return wm__c_cell(c, st);
  }
  case WM_GC_ARRAY_GET: case WM_GC_ARRAY_GET_S: case WM_GC_ARRAY_GET_U:
    return with_result(c, WM_OP_ARRAY_GET, s.out, &s, &s.store, 1, res);
  case WM_GC_ARRAY_SET: return no_result(c, WM_OP_ARRAY_SET, &s, &s.store, 1);
  case WM_GC_ARRAY_LEN: return with_result(c, WM_OP_ARRAY_LEN, s.out, &s, NULL, 0, res);
  case WM_GC_ARRAY_FILL: return no_result(c, WM_OP_ARRAY_FILL, &s, &s.store, 1);
  case WM_GC_ARRAY_COPY: return no_result(c, WM_OP_ARRAY_COPY, &s, &s.store, 1);
  case WM_GC_ARRAY_INIT_DATA: case WM_GC_ARRAY_INIT_ELEM:
    if (c->dead) return 0;
    TRY(wm__c_head(c, sub == WM_GC_ARRAY_INIT_DATA ? WM_OP_ARRAY_INIT_DATA : WM_OP_ARRAY_INIT_ELEM));
    TRY(wm__c_cell(c, s.y));
    for (uint32_t i = 0; i < s.n; i++) TRY(wm__c_slot(c, c->tmp[i].ref));
    return wm__c_cell(c, st);
  case WM_GC_REF_TEST: case WM_GC_REF_TEST_NULL:
    return with_result(c, WM_OP_REF_TEST, WM_I32, &s, &s.t1, 1, res);
  case WM_GC_REF_CAST: case WM_GC_REF_CAST_NULL: /* in place */
    if (!c->dead) {
      TRY(wm__c_head(c, WM_OP_REF_CAST));
      TRY(wm__c_slot(c, c->tmp[0].ref));
      TRY(wm__c_cell(c, s.t1));
    }
    return wm__c_push(c, s.out, c->dead ? own_ref(c, c->nvals) : c->tmp[0].ref);
  case WM_GC_ANY_CONVERT_EXTERN: case WM_GC_EXTERN_CONVERT_ANY: {
    uint32_t in = c->tmp[0].type, out = s.out | (in && wm__vt_nullable(in) ? 0 : WM_VT_NONNULL);
    wm_op op = sub == WM_GC_ANY_CONVERT_EXTERN ? WM_OP_ANY_CONVERT_EXTERN : WM_OP_EXTERN_CONVERT_ANY;
    return with_result(c, op, out, &s, NULL, 0, res);
  }
  case WM_GC_REF_I31: return with_result(c, WM_OP_REF_I31, s.out, &s, NULL, 0, res);
  case WM_GC_I31_GET_S: return with_result(c, WM_OP_I31_GET_S, s.out, &s, NULL, 0, res);
  case WM_GC_I31_GET_U: return with_result(c, WM_OP_I31_GET_U, s.out, &s, NULL, 0, res);
  default: /* WM_GC_REF_EQ */
    return with_result(c, WM_OP_REF_EQ, s.out, &s, NULL, 0, res);
  }
}

/* Skimming (wm__skim_body): the immediates of 0xFB instruction sub read
** past, only malformedness reported. */
int wm__c_skim_gc(cstate *c, uint32_t sub) {
  static const uint8_t nimm[0x14] = {1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 0, 1, 2, 2, 2};
  uint32_t v, heaps = 0;
  if (c->mod->wasm2) return wm__c_malformed(c, "illegal opcode");
  if (sub < 0x14) {
    if ((sub == WM_GC_ARRAY_NEW_DATA || sub == WM_GC_ARRAY_INIT_DATA) && !c->mod->has_datacount &&
        c->mod->ndatas > 0)
      return wm__c_malformed(c, "data count section required");
    for (uint32_t i = 0; i < nimm[sub]; i++) TRY(wm__c_rd_u32(c, &v));
    return 0;
  }
  if (sub <= WM_GC_REF_CAST_NULL) {
    heaps = 1;
  } else if (sub <= WM_GC_BR_ON_CAST_FAIL) {
    uint8_t flags;
    TRY(wm__c_rd_u8(c, &flags));
    if (flags > 3) return wm__c_malformed(c, "malformed cast flags");
    TRY(wm__c_rd_u32(c, &v));
    heaps = 2;
  } else if (sub > WM_GC_I31_GET_U) {
    return wm__c_malformed(c, "illegal opcode");
  }
  for (uint32_t i = 0; i < heaps; i++) {
    const char *why = NULL;
    uint32_t pos = c->pos - c->base, t;
    int e = wm__read_bodytype(c->bytes, &pos, c->end - c->base, true, c->mod, &t, &why);
    c->pos = pos + c->base;
    if (e == WM_EMALFORMED) return wm__c_malformed(c, why);
  }
  return 0;
}
