/* SPDX-License-Identifier: MIT */
/*
** compile_ref.c -- lowering of typed function references (WebAssembly
** 3.0): the value and heap types of a body, ref.as_non_null, br_on_null,
** br_on_non_null, and the initialisation of non-defaultable locals,
** validated as compile.c validates everything (the body validator,
** validate_code.c, gives the same verdicts). call_ref and return_call_ref
** are compile.c's (wm__c_call_ref), beside the other calls.
**
** ref.as_non_null is REF_AS_NON_NULL on the operand's slot, which then
** stands for the non-null result; the branches are BR_ON_NULL and
** BR_ON_NON_NULL on the reference's slot, laid out as br_if's.
*/
#include "compile.h"
#include "leb.h"

static int checked_idx(cstate *c, uint32_t t) {
  uint32_t i = wm__vt_idx(t);
  if (i && i - 1 >= c->mod->ntypes) return wm__c_invalid(c, "unknown type %u", i - 1);
  return 0;
}

/* A value type in a body or a heap type (heap): wm__read_bodytype's. */
int wm__c_rd_type(cstate *c, bool heap, uint32_t *t) {
  const char *why = NULL;
  uint32_t pos = c->pos - c->base;
  int e = wm__read_bodytype(c->bytes, &pos, c->end - c->base, heap, c->mod, t, &why);
  c->pos = pos + c->base;
  if (e == WM_EINVALID) return wm__c_invalid(c, "unknown type %u", wm__vt_idx(*t) - 1);
  return e ? wm__c_malformed(c, why) : 0;
}

int wm__c_keep_type(cstate *c, uint32_t t, const wm_valtype **out) {
  for (uint32_t i = 0; i < c->nkept; i++)
    if (c->kept[i] == t) {
      *out = &c->kept[i];
      return 0;
    }
  if (c->nkept == WM_KEPT_TYPES)
    return wm__error(c->err, WM_ELIMIT, c->instr_off,
                     "function too large: more than %u typed reference block types",
                     WM_KEPT_TYPES);
  c->kept[c->nkept] = (wm_valtype)t;
  *out = &c->kept[c->nkept++];
  return 0;
}


int wm__c_ref_op(cstate *c, uint8_t op) {
  if (c->mod->wasm2) return wm__c_malformed(c, "illegal opcode");
  if (op == 0x14 || op == 0x15) return wm__c_call_ref(c, op == 0x15);
  ctl *L = NULL;
  vop r;
  if (op != 0xD4) TRY(wm__c_rd_label(c, &L));
  TRY(wm__c_pop(c, 0, &r));
  if (r.type && !wm__is_reftype(r.type)) return wm__c_invalid(c, "type mismatch");
  uint32_t nn = r.type ? r.type | WM_VT_NONNULL : 0;
  if (op == 0xD4) { /* ref.as_non_null: checked in place */
    if (!c->dead) {
      TRY(wm__c_head(c, WM_OP_REF_AS_NON_NULL));
      TRY(wm__c_slot(c, r.ref));
    }
    return wm__c_push(c, nn, c->dead ? own_ref(c, c->nvals) : r.ref);
  }
  if (op == 0xD5) { /* br_on_null: the label takes the operands below */
    TRY(wm__c_cond_branch(c, L, label_n(L), WM_OP_BR_ON_NULL, WM_OP_BR_ON_NON_NULL, r.ref, NOPOS));
    return wm__c_push(c, nn, c->dead ? own_ref(c, c->nvals) : r.ref);
  }
  /* br_on_non_null: the label takes them and the reference, last; the
  ** reference goes back on the stack for the branch, off it after. */
  uint32_t n = label_n(L);
  if (n == 0 || !wm__is_reftype(label_t(L)[n - 1])) return wm__c_invalid(c, "type mismatch");
  if (!wm__valtype_match(c->mod, nn, label_t(L)[n - 1])) return wm__c_invalid(c, "type mismatch");
  TRY(wm__c_push(c, nn, c->dead ? own_ref(c, c->nvals) : r.ref));
  TRY(wm__c_cond_branch(c, L, n, WM_OP_BR_ON_NON_NULL, WM_OP_BR_ON_NULL, r.ref, NOPOS));
  return wm__c_pop(c, 0, &r);
}

/* ------------------------------------------------------ local initialisation */

int wm__c_init_locals(cstate *c) {
  if (wm__grow((void **)&c->linit, &c->cap_linit, c->nlocals ? c->nlocals : 1, 1))
    return wm__c_nomem(c);
  memset(c->linit, 1, c->nlocals);
  for (uint32_t i = c->ftype->nparams; i < c->nlocals; i++) {
    uint32_t t = c->ltypes[i];
    if (!wm__vt_defaultable(t)) c->linit[i] = 0;
    TRY(checked_idx(c, t));
  }
  return 0;
}

int wm__c_set_init(cstate *c, uint32_t x) {
  if (c->nilog == c->cap_ilog &&
      wm__grow((void **)&c->ilog, &c->cap_ilog, c->nilog + 1, sizeof *c->ilog))
    return wm__c_nomem(c);
  c->ilog[c->nilog++] = x;
  c->linit[x] = 1;
  return 0;
}

void wm__c_reset_inits(cstate *c, const ctl *f) {
  while (c->nilog > f->inits) c->linit[c->ilog[--c->nilog]] = 0;
}
