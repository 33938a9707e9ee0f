/* SPDX-License-Identifier: MIT */
/*
** aot_exn.c -- exception handling (WebAssembly 3.0) in compiled code:
** try_table and its catch clauses, throw and throw_ref. Tags, the
** exception objects and exnrefs are the runtime's own (exn.c: an exnref is
** a wm_exn *, a reference as any in the C); only how an exception leaves
** a compiled frame and finds its try_table is this file's.
**
** Design: a pending exception, not setjmp/longjmp per try_table. A
** try_table that catches is a dispatch, H<label>, written before its body:
** per clause in order, the runtime (exn_catch, aot_rt.c) says whether the
** pending exception matches, and if so gives its payload (and exnref) in
** slots, which go to the clause label's depths, and the code jumps to the
** label as br does; no clause taking it, the dispatch goes on to the
** enclosing try_table's, or to X_, the function's exceptional return (a
** zero its caller ignores). A throw in the body jumps to the innermost
** dispatch directly; every call site checks the context's `exn` after the
** call (one load and a branch not taken). So C locals stay C locals --
** setjmp would have needed every local read after a catch `volatile`, in
** memory across the whole body, and a jump buffer set on every entry to a
** try_table, paid by code that throws nothing -- and a trap stays what it
** was: a longjmp to wm__aot_run that no try_table sees (traps are not
** exceptions).
**
** It costs nothing to modules no try_table of which catches: the
** translator learns in its first pass over the bodies whether some live
** try_table has a clause (fstate.exn_used) and, only then, translates them
** again with the checks (fstate.exn), the object marked WM_AOT_EXN. In
** any other module nothing can catch, so a throw (and a callee's exception
** through the runtime) leaves by the runtime's jump to wm__aot_run, as it
** did before exceptions were translated, with no check at call sites.
** Either way the interpreter goes on unwinding from the NATIVE frame
** (interp.c's run_for), so exceptions cross compiled, interpreted and host
** frames in both directions and an uncaught one leaves wm_func_call as the
** interpreter's does.
*/
#include "aot_emit.h"

/* Where a pending exception goes from here: the innermost enclosing
** try_table that catches, else the function's exceptional return. */
static void exn_goto(fstate *f) {
  for (uint32_t i = f->ncs; i-- > 0;)
    if (f->cs[i].kind == K_TRY && f->cs[i].catches) {
      put(f->o, "  goto H%u;\n", (unsigned)f->cs[i].label);
      return;
    }
  f->exn_exit = true;
  put(f->o, "  goto X_;\n");
}

void wm__aot_exn_check(fstate *f) {
  if (!f->exn) return;
  put(f->o, "  if (WM_UNLIKELY(c->exn))\n");
  exn_goto(f);
}

/* One clause's landing: the caught payload (then the exnref), in the
** slots x_, to the depths of label l's values, and the branch. */
static int land(fstate *f, uint32_t kind, uint32_t tag, uint32_t l) {
  ctrl *L = &f->cs[f->ncs - 1 - l];
  L->targeted = true;
  uint32_t d = L->height, j = 0;
  put(f->o, "  { const wm_aot_slot *x_ = c->exn_catch(c, %uu, %uu);\n  if (x_) {", (unsigned)tag,
      (unsigned)kind);
  if (kind < WM_CATCH_ALL) {
    const wm_type *t = &f->mod->types[f->mod->tags[tag]];
    for (uint32_t i = 0; i < t->nparams; i++, d++) {
      int k = tc(t->params[i]);
      int rc = mark(f, d, k);
      if (rc) return rc;
      put(f->o, " %s = ", NV(f, d, k));
      wm__aot_put_from_slot(f->o, "x_", &j, k);
      put(f->o, ";");
    }
  }
  if (kind == WM_CATCH_REF || kind == WM_CATCH_ALL_REF) {
    int rc = mark(f, d, T_REF);
    if (rc) return rc;
    put(f->o, " %s = x_[%u].ref;", NV(f, d, T_REF), (unsigned)j);
  }
  put(f->o, " goto %c%u; } }\n", L->kind == K_LOOP ? 'L' : 'E', (unsigned)L->label);
  return 0;
}

int wm__aot_try_clauses(fstate *f, uint32_t label, bool emit, bool *catches) {
  uint32_t n;
  int rc = u32imm(f, &n);
  if (rc) return rc;
  *catches = n > 0;
  if (emit && n) {
    f->exn_used = true;
    /* Reached from a call site or a throw, before the call's own reload:
    ** the callee may have grown the memory. */
    put(f->o, "  goto B%u;\nH%u:;\n  ms = *c->mem_size;\n", (unsigned)label, (unsigned)label);
  }
  for (uint32_t i = 0; i < n; i++) {
    uint8_t kind;
    uint32_t tag = 0, l;
    rc = byte(f, &kind);
    if (rc) return rc;
    if (kind > WM_CATCH_ALL_REF) return fail(f, WM_EMALFORMED, "malformed catch clause");
    if (kind < WM_CATCH_ALL && (rc = u32imm(f, &tag))) return rc;
    if (tag >= f->mod->ntags && kind < WM_CATCH_ALL) return fail(f, WM_EINVALID, "unknown tag");
    if ((rc = u32imm(f, &l))) return rc;
    if (!emit) continue;
    if (l >= f->ncs) return fail(f, WM_EINVALID, "unknown label");
    if ((rc = land(f, kind, tag, l))) return rc;
  }
  if (emit && n) {
    exn_goto(f); /* the clauses are outside the try_table: its enclosing one's */
    put(f->o, "B%u:;\n", (unsigned)label);
  }
  return 0;
}

int wm__aot_throw(fstate *f, uint8_t op) {
  if (op == 0x08) {
    uint32_t x;
    int rc = u32imm(f, &x);
    if (rc) return rc;
    if (x >= f->mod->ntags) return fail(f, WM_EINVALID, "unknown tag");
    const wm_type *t = &f->mod->types[f->mod->tags[x]];
    uint32_t base = f->sp - t->nparams;
    uint32_t n = (uint32_t)wm__type_slots(t->params, t->nparams);
    f->extra += 8u * n + 16;
    put(f->o, "  { wm_aot_slot io_[%u];", (unsigned)(n ? n : 1));
    for (uint32_t i = 0, j = 0; i < t->nparams; i++) {
      int k = tc(t->params[i]);
      wm__aot_put_to_slot(f->o, "io_", &j, k, NV(f, base + i, k));
    }
    put(f->o, " c->exn_throw(c, %uu, NULL, io_, WM_SELF); }\n", (unsigned)x);
  } else {
    put(f->o, "  c->exn_throw(c, UINT32_MAX, %s, NULL, WM_SELF);\n", V(f, f->sp - 1));
  }
  /* Pending: to the dispatch. Otherwise exn_throw does not return. */
  if (f->exn) exn_goto(f);
  return 0;
}
