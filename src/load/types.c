/* SPDX-License-Identifier: MIT */
/*
** types.c -- WebAssembly 3.0's type equivalence and subtyping (typed
** references, struct and array types): matching value types (both body validators, module
** validation, import matching), canonical types of a module's rec groups
** (iso-recursive equivalence), and the search for an equal group that the
** runtime's interning (runtime.c) shares.
*/
#include "module.h"

const wm_valtype wm__single_types[WM_SINGLE_TYPES] = {
    WM_I32, WM_I64, WM_F32, WM_F64, WM_V128, WM_FUNCREF, WM_EXTERNREF, WM_EXNREF,
    0x6E, 0x6D, 0x6C, 0x6B, 0x6A, 0x71, 0x73, 0x72, 0x74};

#define TY(ts, i) ((const wm_type *)((const char *)(ts)->t + (size_t)(i) * (ts)->tstride))
#define ME(ts, i) ((const wm_typemeta *)((const char *)(ts)->m + (size_t)(i) * (ts)->mstride))

bool wm__type_sub(const wm_typeset *ts, uint32_t a, uint32_t b) {
  uint32_t cb = ME(ts, b)->canon;
  /* Supertypes come before their subtypes (validation checks it), so the
  ** walk ends. */
  for (uint32_t i = a + 1; i; i = ME(ts, i - 1)->super)
    if (ME(ts, i - 1)->canon == cb) return true;
  return false;
}

/*
** The heap types of one hierarchy form a lattice: the top (func, extern,
** exn, any) takes every one, the bottom (nofunc, noextern, noexn, none)
** goes anywhere; in any's, eq takes i31, struct and array, struct takes
** every struct type (whose low byte is struct's) and array every array
** type; a concrete type fits another along its declared supertypes.
*/
bool wm__valtype_match_slow(const wm_typeset *ts, uint32_t sub, uint32_t super) {
  if ((sub & WM_VT_NONNULL) < (super & WM_VT_NONNULL)) return false; /* null into non-null */
  if (wm__vt_top(sub) != wm__vt_top(super)) return false;
  uint32_t hs = sub & 0xFF, hp = super & 0xFF, is = wm__vt_idx(sub), ip = wm__vt_idx(super);
  if (hp == wm__vt_top(super) && !ip) return true; /* the top takes everything */
  if (hs == wm__vt_bottom(sub)) return true;      /* a bottom goes anywhere */
  if (hp == wm__vt_bottom(super)) return false;   /* only a bottom fits a bottom */
  if (!ip) {                                      /* eq, i31, struct, array */
    if (hp == 0x6D) return hs == 0x6D || hs == 0x6C || hs == 0x6B || hs == 0x6A;
    return hs == hp;
  }
  if (!is) return false;                          /* an abstract type into a concrete one */
  return wm__type_sub(ts, is - 1, ip - 1);
}

/* Does field type (storage st, mutability m) of a subtype fit its
** supertype's (pst, pm)? A const field covariantly, a var one only
** when equal both ways; packed types only themselves. */
static bool field_match(const wm_module *mod, uint32_t st, uint32_t m, uint32_t pst, uint32_t pm) {
  if (m != pm) return false;
  if (st == WM_PACKED_I8 || st == WM_PACKED_I16 || pst == WM_PACKED_I8 || pst == WM_PACKED_I16)
    return st == pst;
  return wm__valtype_match(mod, st, pst) && (!m || wm__valtype_match(mod, pst, st));
}

/* Does type t (of mod) match its declared supertype p? Both of one kind,
** p not final; a function's parameters contravariant and results
** covariant; a struct's fields a prefix of p's (width and depth); an
** array's element like a field. */
static bool super_ok(const wm_module *mod, const wm_type *t, const wm_type *p, bool pfinal) {
  if (pfinal || p->kind != t->kind) return false;
  if (t->kind != WM_COMP_FUNC) {
    if (t->nparams < p->nparams || (t->kind == WM_COMP_ARRAY && t->nparams != p->nparams))
      return false;
    for (uint32_t i = 0; i < p->nparams; i++)
      if (!field_match(mod, t->params[i], t->results[i], p->params[i], p->results[i])) return false;
    return true;
  }
  if (p->nparams != t->nparams || p->nresults != t->nresults) return false;
  for (uint32_t i = 0; i < t->nparams; i++)
    if (!wm__valtype_match(mod, p->params[i], t->params[i])) return false;
  for (uint32_t i = 0; i < t->nresults; i++)
    if (!wm__valtype_match(mod, t->results[i], p->results[i])) return false;
  return true;
}

/* A reference's type in the terms groups are compared in: a type index
** inside the group [s, s + n) as its place there (marked with bit 31),
** another through ids (canonical indexes or runtime ids; none: itself). */
static uint32_t rel_vt(uint32_t t, uint32_t s, uint32_t n, const uint32_t *ids) {
  uint32_t i = wm__vt_idx(t);
  if (!i) return t;
  i--;
  if (i >= s && i - s < n) return (t & 0x1FF) | ((i - s) << WM_VT_IDX_SHIFT) | 0x80000000u;
  return (t & 0x1FF) | ((ids ? ids[i] : i) << WM_VT_IDX_SHIFT);
}

/* The same for a declared supertype (+ 1, 0 for none). */
static uint32_t rel_super(uint32_t sup, uint32_t s, uint32_t n, const uint32_t *ids) {
  if (!sup) return 0;
  sup--;
  if (sup >= s && sup - s < n) return (sup - s) | 0x80000000u;
  return (ids ? ids[sup] : sup) + 1;
}

/* Is member x of group [xs, xs+n) of xt (references mapped through xids)
** the same type as member y of group [ys, ys+n) of yt (through yids)? */
static bool member_equal(const wm_typeset *xt, uint32_t x, uint32_t xs, const uint32_t *xids,
                         const wm_typeset *yt, uint32_t y, uint32_t ys, const uint32_t *yids,
                         uint32_t n) {
  const wm_type *a = TY(xt, x), *b = TY(yt, y);
  const wm_typemeta *am = ME(xt, x), *bm = ME(yt, y);
  if (a->kind != b->kind || a->nparams != b->nparams || a->nresults != b->nresults ||
      am->final != bm->final)
    return false;
  if (rel_super(am->super, xs, n, xids) != rel_super(bm->super, ys, n, yids)) return false;
  for (uint32_t i = 0; i < a->nparams; i++)
    if (rel_vt(a->params[i], xs, n, xids) != rel_vt(b->params[i], ys, n, yids)) return false;
  for (uint32_t i = 0; i < a->nresults; i++)
    if (rel_vt(a->results[i], xs, n, xids) != rel_vt(b->results[i], ys, n, yids)) return false;
  return true;
}

uint32_t wm__find_group(const wm_typeset *have, uint32_t nhave, const wm_module *mod, uint32_t s,
                        uint32_t n, const uint32_t *ids) {
  wm_typeset mt = wm__mod_typeset(mod);
  for (uint32_t g = 0; g + n <= nhave; g++) {
    const wm_typemeta *h = ME(have, g);
    if (h->rec_i != 0 || h->rec_n != n) continue;
    bool same = true;
    for (uint32_t k = 0; same && k < n; k++)
      same = member_equal(have, g + k, g, NULL, &mt, s + k, s, ids, n);
    if (same) return g;
  }
  return UINT32_MAX;
}

/* Check one value type's type index: it may name a type of an earlier
** group or of its own (`end`: the group's end). */
static int check_ref(uint32_t t, uint32_t end, wm_error *err) {
  uint32_t i = wm__vt_idx(t);
  if (i && i - 1 >= end)
    return wm__error(err, WM_EINVALID, UINT32_MAX, "unknown type %u", i - 1);
  return 0;
}

int wm__canon_types(wm_module *mod, wm_error *err) {
  uint32_t *ids = wm__calloc(mod->ntypes ? mod->ntypes : 1, sizeof *ids);
  if (!ids) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm_typeset mt = wm__mod_typeset(mod);
  int rc = 0;
  for (uint32_t s = 0; s < mod->ntypes && !rc;) {
    uint32_t n = mod->tmeta[s].rec_n;
    for (uint32_t k = s; k < s + n && !rc; k++) {
      const wm_type *t = &mod->types[k];
      for (uint32_t i = 0; i < t->nparams && !rc; i++) rc = check_ref(t->params[i], s + n, err);
      for (uint32_t i = 0; i < t->nresults && !rc; i++) rc = check_ref(t->results[i], s + n, err);
      uint32_t sup = mod->tmeta[k].super;
      if (!rc && sup && sup - 1 >= k)
        rc = wm__error(err, WM_EINVALID, UINT32_MAX, "unknown type %u", sup - 1);
    }
    if (rc) break;
    /* An equal group earlier in the module gives its canon; else these
    ** types are their own. References inside a group are compared
    ** relative to it, so that equal canons <=> equal types. */
    uint32_t g = UINT32_MAX;
    for (uint32_t e = 0; e < s && g == UINT32_MAX; e += mod->tmeta[e].rec_n ? mod->tmeta[e].rec_n : 1) {
      if (mod->tmeta[e].rec_n != n || ids[e] != e) continue;
      bool same = true;
      for (uint32_t k = 0; same && k < n; k++)
        same = member_equal(&mt, e + k, e, ids, &mt, s + k, s, ids, n);
      if (same) g = e;
    }
    for (uint32_t k = 0; k < n; k++) {
      ids[s + k] = g == UINT32_MAX ? s + k : g + k;
      mod->tmeta[s + k].canon = ids[s + k];
    }
    for (uint32_t k = s; k < s + n && !rc; k++) {
      uint32_t sup = mod->tmeta[k].super;
      if (sup && !super_ok(mod, &mod->types[k], &mod->types[sup - 1], mod->tmeta[sup - 1].final))
        rc = wm__error(err, WM_EINVALID, UINT32_MAX, "sub type %u does not match its supertype", k);
    }
    s += n;
  }
  wm__free(ids);
  return rc;
}
