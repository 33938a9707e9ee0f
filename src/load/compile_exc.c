/* SPDX-License-Identifier: MIT */
/*
** compile_exc.c -- lowering of exception handling (WebAssembly 3.0):
** try_table, throw and throw_ref, validated as compile.c validates
** everything (the body validator, validate_code.c, gives the same
** verdicts).
**
** Nothing runs for a catch clause until an exception unwinds: a try_table
** lowers to `BR over`, then a landing pad per clause, then its body. A pad
** is the branch to the clause's label with the payload (and the exnref)
** as its values, which the unwinder (interp/exn.c) has written to the
** stack slots from the try_table's height on, where the pad expects them.
** Each clause becomes a wm_handler (module.h) whose range is the body's
** cells; the interpreter searches the table only while unwinding.
*/
#include "compile.h"

int wm__c_catch_ok(cstate *c, uint32_t k, uint32_t tag, const ctl *L) {
  const wm_type *t = k < WM_CATCH_ALL ? &c->mod->types[c->mod->tags[tag]] : NULL;
  uint32_t np = t ? t->nparams : 0, ref = k & 1;
  const wm_valtype *lt = label_t(L);
  if (label_n(L) != np + ref) return wm__c_invalid(c, "type mismatch");
  for (uint32_t i = 0; i < np; i++)
    if (!wm__valtype_match(c->mod, t->params[i], lt[i])) return wm__c_invalid(c, "type mismatch");
  return ref && !wm__valtype_match(c->mod, WM_EXNREF | WM_VT_NONNULL, lt[np])
             ? wm__c_invalid(c, "type mismatch") : 0;
}

static int add_handler(cstate *c, wm_handler h) {
  if (wm__grow((void **)&c->hdl, &c->cap_hdl, c->nhdl + 1, sizeof *c->hdl)) return wm__c_nomem(c);
  c->hdl[c->nhdl++] = h;
  return 0;
}

/* One clause's landing pad: its payload (then its exnref) pushed as own
** operands from the try_table's height, and the branch to label L with
** them. Returns the cell where it starts. */
static int landing_pad(cstate *c, uint32_t k, uint32_t tag, ctl *L, uint32_t *pad) {
  const wm_type *t = k < WM_CATCH_ALL ? &c->mod->types[c->mod->tags[tag]] : NULL;
  uint32_t np = t ? t->nparams : 0, n = np + (k & 1), h = c->nvals;
  *pad = c->ncode;
  c->label_cell = c->ncode; /* the unwinder jumps here: fuse nothing across */
  c->prev_res = NOPOS;
  for (uint32_t i = 0; i < np; i++) TRY(wm__c_push_res(c, t->params[i]));
  if (k & 1) TRY(wm__c_push_res(c, WM_EXNREF | WM_VT_NONNULL)); /* a caught exnref is not null */
  TRY(wm__c_pop_n(c, n, label_t(L)));
  c->nvals += n; /* jump_to wants the operands' heights */
  int rc = wm__c_jump_to(c, L, n);
  c->nvals = h;
  return rc;
}

/* try_table bt catch* : read and check the clauses against the labels
** outside it, enter the block, and (live) emit the pads. */
static int do_try_table(cstate *c) {
  ctl bt;
  uint32_t n;
  TRY(wm__c_rd_blocktype(c, &bt));
  TRY(wm__c_rd_u32(c, &n));
  uint32_t first = c->nhdl;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t k;
    uint32_t tag = UINT32_MAX, l;
    TRY(wm__c_rd_u8(c, &k));
    if (k > WM_CATCH_ALL_REF) return wm__c_malformed(c, "malformed catch clause");
    if (k < WM_CATCH_ALL) {
      TRY(wm__c_rd_u32(c, &tag));
      if (tag >= c->mod->ntags) return wm__c_invalid(c, "unknown tag %u", tag);
    }
    TRY(wm__c_rd_u32(c, &l));
    if (l >= c->nctls) return wm__c_invalid(c, "unknown label");
    TRY(wm__c_catch_ok(c, k, tag, &c->ctls[c->nctls - 1 - l]));
    /* Recorded now, its pad made below: label l is still l then. */
    if (!c->dead) TRY(add_handler(c, (wm_handler){0, NOPOS, tag, l, 0, k}));
  }
  TRY(wm__c_pop_n(c, bt.np, bt.p));
  TRY(wm__c_enter_params(c, &bt));
  if (!c->dead && n) {
    uint32_t over, over_instr;
    TRY(wm__c_br_fwd(c, &over, &over_instr));
    for (uint32_t i = first; i < c->nhdl; i++) {
      wm_handler *h = &c->hdl[i];
      uint32_t pad;
      TRY(landing_pad(c, h->kind, h->tag, &c->ctls[c->nctls - 1 - h->pad], &pad));
      h = &c->hdl[i];
      h->pad = pad;
      h->dest = REF_STACK | c->hs[c->nvals];
    }
    wm__c_land(c, over, over_instr);
    for (uint32_t i = first; i < c->nhdl; i++) c->hdl[i].start = c->ncode;
  }
  TRY(wm__c_push_ctl(c, K_TRY, &bt));
  ctl *f = &c->ctls[c->nctls - 1];
  f->else_instr = first < c->nhdl ? first : NOPOS;
  for (uint32_t i = 0; i < bt.np; i++) TRY(wm__c_push_res(c, bt.p[i]));
  return 0;
}

void wm__c_try_end(cstate *c, const ctl *f) {
  if (f->else_instr == NOPOS) return;
  /* Inner try_tables and return_calls have closed their entries. */
  for (uint32_t i = f->else_instr; i < c->nhdl; i++)
    if (c->hdl[i].end == NOPOS) c->hdl[i].end = c->ncode;
}

int wm__c_tail_skip(cstate *c, uint32_t instr) {
  for (uint32_t i = c->nctls; i-- > 0;)
    if (c->ctls[i].kind == K_TRY && c->ctls[i].else_instr != NOPOS)
      return add_handler(c, (wm_handler){instr, c->ncode, 0, 0, 0, WM_CATCH_SKIP});
  return 0;
}

/* Operands moved to their own stack slots from the current height, as a
** call's arguments are. */
static int own_slots(cstate *c, uint32_t n, const wm_valtype *types, uint32_t *base) {
  TRY(wm__c_pop_n(c, n, types));
  *base = c->nvals;
  if (c->dead) return 0;
  for (uint32_t i = 0; i < n; i++)
    TRY(wm__c_move(c, own_ref(c, *base + i), c->tmp[i].ref, types[i]));
  return wm__c_flush_moves(c);
}

int wm__c_exc_op(cstate *c, uint8_t op) {
  if (c->mod->wasm2) return wm__c_malformed(c, "illegal opcode");
  if (op == 0x1F) return do_try_table(c);
  if (op == 0x08) { /* throw x: THROW x base */
    uint32_t x, base;
    TRY(wm__c_rd_u32(c, &x));
    if (x >= c->mod->ntags) return wm__c_invalid(c, "unknown tag %u", x);
    const wm_type *t = &c->mod->types[c->mod->tags[x]];
    TRY(own_slots(c, t->nparams, t->params, &base));
    if (!c->dead) {
      TRY(wm__c_head(c, WM_OP_THROW));
      TRY(wm__c_cell(c, x));
      TRY(wm__c_slot(c, own_ref(c, base)));
    }
  } else { /* throw_ref: THROW_REF a */
    vop a;
    TRY(wm__c_pop(c, WM_EXNREF, &a));
    if (!c->dead) {
      TRY(wm__c_head(c, WM_OP_THROW_REF));
      TRY(wm__c_slot(c, a.ref));
    }
  }
  wm__c_set_unreachable(c);
  return 0;
}

/* Inner entries first: by start, latest first; of equal starts (a
** return_call opening a try_table's body) the shorter range first; a
** try_table's clauses keep their order. Insertion sort: tables are short. */
static bool before(const wm_handler *a, const wm_handler *b) {
  return a->start > b->start || (a->start == b->start && a->end < b->end);
}

void wm__c_handlers_done(cstate *c, uint32_t stack_base, wm_code *out) {
  out->handlers = NULL;
  out->nhandlers = 0;
  if (!c->nhdl) return;
  wm_handler *h = c->hdl;
  for (uint32_t i = 0; i < c->nhdl; i++) {
    if (h[i].kind != WM_CATCH_SKIP) h[i].dest = stack_base + (h[i].dest & REF_MASK);
    wm_handler x = h[i];
    uint32_t j = i;
    for (; j > 0 && before(&x, &h[j - 1]); j--) h[j] = h[j - 1];
    h[j] = x;
  }
  out->handlers = h;
  out->nhandlers = c->nhdl;
  c->hdl = NULL;
  c->nhdl = c->cap_hdl = 0;
}
