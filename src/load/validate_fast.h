/* SPDX-License-Identifier: MIT */
/*
** validate_fast.h -- the body validator's fast loop (see "the fast loop"
** in validate_code.c), included there twice: FAST_WIDE 1 makes fast_run_wide,
** which counts the v128 operands it pushes and pops (each takes two slots of
** the stack's bound), FAST_WIDE 0 fast_run_narrow, for a body and a stack
** that hold no v128 and a module whose types and globals name none: there no
** operand the loop pushes can be one, and a push is a store. The narrow
** loop is entered only with room on the stack for a slot per byte left in
** the body (fast_run), and keeps that so: an instruction that pushes one
** value takes at least two bytes, so it needs no test of room; one that
** may push more (a call, else) tests that the room left after it still
** covers the bytes after it.
*/
static void FAST_NAME(vstate *v) {
#ifdef FAST_GOTO
  /* Each opcode straight to its case (GNU C's ranges). */
#define FJ(lo, hi, c) [lo ... hi] = &&L_##c,
  static const void *const jt[256] = {FAST_OPS(FJ)};
#undef FJ
#endif
  if (v->end - v->pos < FAST_TAIL || (uint64_t)v->nvals + v->nv128 + 3 > v->lim) return;
  const wm_module *mod = v->mod;
#ifndef FAST_GOTO
  const uint8_t *const fclass = v->fclass;
#endif
  /* p stays on the opcode until its instruction is taken: where the loop
  ** stops, it is on the one step takes next. q reads the immediates. */
  const uint8_t *p = v->bytes + v->pos, *q;
  const uint8_t *const stop = v->bytes + v->end - FAST_TAIL;
  /* In locals: the stores to the operand stack could alias v's fields. */
  const uint32_t *const ltypes = v->ltypes;
  const uint32_t nlocals = v->nlocals;
  uint32_t *const vals = v->vals;
  uint32_t *sp = vals + v->nvals; /* past the top operand */
  /* push's test, that slots + 3 <= lim, as a bound on sp: every v128
  ** operand's second slot moves it one down. */
  uint32_t *room = vals + (v->lim - 3 - v->nv128);
  vctl *const ctls = v->ctls;
  vctl *top = v->top;
  uint32_t *base = vals + top->height; /* the frame's first operand */
  uint32_t x, t;
  uint8_t op;
#if FAST_WIDE
/* Room to push k values, of two slots each at most; ROOM1 for one. */
#define ROOM(k, after) (room - sp >= 2 * (ptrdiff_t)(k))
#define ROOM1 ROOM(1, q)
#define PUSH(ty) (*sp++ = (ty), room -= sp[-1] == WM_V128)
#define POP() (room += *--sp == WM_V128)
#define POP_N(n) for (uint32_t i_ = 0; i_ < (n); i_++) POP()
#define POP_TO(b) while (sp > (b)) POP()
#else /* nothing on the stack takes two slots: room does not move */
/* k values pushed by an instruction that ends at `after`: the room left
** covers the bytes left (see above); one value always fits. */
#define ROOM(k, after) (room - sp - (ptrdiff_t)(k) >= stop + FAST_TAIL - (after))
#define ROOM1 1
#define PUSH(ty) (*sp++ = (ty))
#define POP() (--sp)
#define POP_N(n) (sp -= (n))
#define POP_TO(b) (sp = (b))
#endif
/* Label x is not in the control stack (compared in bytes: no division
** by the frame's size). */
#define NO_LABEL(x) ((uint64_t)(x) * sizeof(vctl) > (size_t)((const char *)top - (const char *)ctls))
/* The k operands on top are of exactly the types t[0..k). */
#define TOP_IS(k, t) ((size_t)(sp - base) >= (k) && same_types(sp - (k), (k), (t)))
  for (;;) {
    if (p > stop) goto out;
#ifdef FAST_GOTO
    goto *jt[*p];
#else
    switch (fclass[*p]) {
#endif
    FCASE(F_NOP) p++;
      FNEXT;
    FCASE(F_LGET)
      q = p + 1;
      if (!fast_local(&q, &x, nlocals)) goto out;
      t = ltypes[x];
      if ((t & UNSET) || !ROOM1) goto out;
      PUSH(t);
      p = q;
      FNEXT;
    FCASE(F_LSET) /* an unset local's type has UNSET, which no operand has */
      q = p + 1;
      if (!fast_local(&q, &x, nlocals) || sp == base || sp[-1] != ltypes[x]) goto out;
      POP();
      p = q;
      FNEXT;
    FCASE(F_LTEE)
      q = p + 1;
      if (!fast_local(&q, &x, nlocals) || sp == base || sp[-1] != ltypes[x]) goto out;
      p = q;
      FNEXT;
    FCASE(F_GGET)
      q = p + 1;
      if (!fast_u32(&q, &x) || x >= mod->nglobals || !ROOM1) goto out;
      PUSH(mod->globals[x].type.type);
      p = q;
      FNEXT;
    FCASE(F_GSET)
      q = p + 1;
      if (!fast_u32(&q, &x) || x >= mod->nglobals || !mod->globals[x].type.mut || sp == base ||
          sp[-1] != mod->globals[x].type.type)
        goto out;
      POP();
      p = q;
      FNEXT;
    FCASE(F_I32C)
      q = p + 1;
      if (!fast_sleb(&q, 32) || !ROOM1) goto out;
      *sp++ = WM_I32;
      p = q;
      FNEXT;
    FCASE(F_I64C)
      q = p + 1;
      if (!fast_sleb(&q, 64) || !ROOM1) goto out;
      *sp++ = WM_I64;
      p = q;
      FNEXT;
    FCASE(F_F32C)
      q = p + 5;
      if (!ROOM1) goto out;
      *sp++ = WM_F32;
      p = q;
      FNEXT;
    FCASE(F_F64C)
      q = p + 9;
      if (!ROOM1) goto out;
      *sp++ = WM_F64;
      p = q;
      FNEXT;
    FCASE(F_DROP)
      if (sp == base) goto out;
      POP();
      p++;
      FNEXT;
    FCASE(F_SELECT)
      if (sp - base < 3 || sp[-1] != WM_I32) goto out;
      t = sp[-2];
      if (sp[-3] != t || !is_numvec(t)) goto out;
      sp -= 2;
#if FAST_WIDE
      room += t == WM_V128;
#endif
      p++;
      FNEXT;
    FCASE(F_LOAD)
      /* An alignment byte at most natural has no memory index. */
      op = p[0];
      if (p[1] > v->mem_nat[op]) goto out;
      q = p + 2;
      if (!fast_u32(&q, &x) || sp == base || sp[-1] != v->mem0_at) goto out;
      sp[-1] = v->mem_ty[op];
      p = q;
      FNEXT;
    FCASE(F_STORE)
      op = p[0];
      if (p[1] > v->mem_nat[op]) goto out;
      q = p + 2;
      if (!fast_u32(&q, &x) || sp - base < 2 || sp[-1] != v->mem_ty[op] || sp[-2] != v->mem0_at)
        goto out;
      sp -= 2;
      p = q;
      FNEXT;
    FCASE(F_CALL) {
      q = p + 1;
      if (!fast_u32(&q, &x) || x >= mod->nfuncs) goto out;
      const wm_type *ft = wm__func_type(mod, x);
      if (!TOP_IS(ft->nparams, ft->params) || !ROOM(ft->nresults, q)) goto out;
      POP_N(ft->nparams);
      for (uint32_t i = 0; i < ft->nresults; i++) PUSH(ft->results[i]);
      p = q;
      FNEXT;
    }
    FCASE(F_CALLI) {
      uint32_t tab;
      q = p + 1;
      if (!fast_u32(&q, &x) || !fast_u32(&q, &tab) || x >= mod->ntypes ||
          mod->types[x].kind != WM_COMP_FUNC || tab >= mod->ntables ||
          mod->tables[tab].elem != WM_FUNCREF || sp == base ||
          sp[-1] != (mod->tables[tab].lim.is64 ? WM_I64 : WM_I32))
        goto out;
      const wm_type *ft = &mod->types[x];
      sp--; /* the index, under which the arguments are */
      if (!TOP_IS(ft->nparams, ft->params) || !ROOM(ft->nresults, q)) {
        sp++;
        goto out;
      }
      POP_N(ft->nparams);
      for (uint32_t i = 0; i < ft->nresults; i++) PUSH(ft->results[i]);
      p = q;
      FNEXT;
    }
    FCASE(F_BR) {
      q = p + 1;
      if (!fast_u32(&q, &x) || NO_LABEL(x)) goto out;
      const vctl *L = top - x;
      if (!TOP_IS(label_n(L), label_t(L))) goto out;
      POP_TO(base); /* the rest of the frame is unreachable */
      top->unreachable = true;
      p = q;
      FNEXT;
    }
    FCASE(F_RETURN)
      if (!TOP_IS(ctls->nr, ctls->r)) goto out;
      POP_TO(base);
      top->unreachable = true;
      p++;
      FNEXT;
    FCASE(F_UNREACH)
      POP_TO(base);
      top->unreachable = true;
      p++;
      FNEXT;
    FCASE(F_BRIF) { /* the label's operands stay, of its types */
      q = p + 1;
      if (!fast_u32(&q, &x) || NO_LABEL(x) || sp == base || sp[-1] != WM_I32) goto out;
      const vctl *L = top - x;
      sp--;
      if (!TOP_IS(label_n(L), label_t(L))) {
        sp++;
        goto out;
      }
      p = q;
      FNEXT;
    }
    FCASE(F_BLOCK) { /* block, loop, if */
      op = p[0];
      uint8_t b = p[1];
      uint32_t k = b == 0x40 ? 0 : v->bt_single[b];
      if ((b != 0x40 && !k) || top + 1 == ctls + v->cap_ctls) goto out;
      if (!FAST_WIDE && k && wm__single_types[k - 1] == WM_V128) goto out;
      if (op == 0x04) {
        if (sp == base || sp[-1] != WM_I32) goto out;
        sp--;
      }
      vctl *f = ++top;
      f->p = NULL;
      f->np = 0;
      f->r = k ? &wm__single_types[k - 1] : NULL;
      f->nr = k != 0;
      f->height = (uint32_t)(sp - vals);
      f->epoch = 0;
      f->inits = v->nilog;
      f->kind = op == 0x02 ? K_BLOCK : op == 0x03 ? K_LOOP : K_IF;
      f->unreachable = false;
      base = sp;
      p += 2;
      FNEXT;
    }
    FCASE(F_ELSE) /* the results, exactly, then the params again */
      if (top->kind != K_IF || (size_t)(sp - base) != top->nr || v->nilog > top->inits ||
          !same_types(base, top->nr, top->r) || !ROOM(top->np, p + 1))
        goto out;
      POP_TO(base);
      for (uint32_t i = 0; i < top->np; i++) PUSH(top->p[i]);
      top->kind = K_ELSE;
      top->unreachable = false;
      p++;
      FNEXT;
    FCASE(F_END) /* but the function's: the results stay */
      if (top->kind == K_FUNC || (size_t)(sp - base) != top->nr || v->nilog > top->inits ||
          !same_types(base, top->nr, top->r))
        goto out;
      if (top->kind == K_IF && (top->np != top->nr || !same_types(top->p, top->nr, top->r)))
        goto out;
      top--;
      base = vals + top->height;
      p++;
      FNEXT;
    FCASE(F_UNOP)
      op = p[0];
      if (sp == base || sp[-1] != v->num_fast[op]) goto out;
      sp[-1] = v->num_out[op];
      p++;
      FNEXT;
    FCASE(F_BINOP)
      op = p[0];
      if (sp - base < 2 || sp[-1] != v->num_fast[op] || sp[-2] != sp[-1]) goto out;
      sp--;
      sp[-1] = v->num_out[op];
      p++;
      FNEXT;
    FCASE(F_OUT) goto out;
#ifndef FAST_GOTO
      default: goto out;
    }
#endif
  }
out:
  v->pos = (uint32_t)(p - v->bytes);
  v->nvals = (uint32_t)(sp - vals);
  v->nv128 = v->lim - 3 - (uint32_t)(room - vals);
  v->nctls = (uint32_t)(top - ctls) + 1;
  v->top = top;
#undef ROOM
#undef ROOM1
#undef TOP_IS
#undef NO_LABEL
#undef PUSH
#undef POP
#undef POP_N
#undef POP_TO
}
