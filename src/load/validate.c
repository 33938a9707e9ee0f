/* SPDX-License-Identifier: MIT */
/*
** validate.c -- module-level validation: index bounds, limits, constant
** expressions, segments, exports and the start function; everything of the
** spec's module validation except function bodies (compile.c checks those).
*/
#include "module.h"
#include "gc_sig.h"
#include "leb.h"

#include <stdlib.h>

#define TRY(x)                \
  do {                        \
    int rc_ = (x);            \
    if (rc_) return rc_;      \
  } while (0)

#define MAX_PAGES 65536u

/* Validation errors name what is wrong first (the spec's text); we seldom
** know a byte offset here, so most say UINT32_MAX. */
#define invalid(err, off, ...) wm__error(err, WM_EINVALID, off, __VA_ARGS__)

static int check_limits(const wm_limits *l, uint64_t range, const char *what, wm_error *err) {
  if (l->min > range || (l->has_max && l->max > range))
    return invalid(err, UINT32_MAX, "%s", what);
  if (l->has_max && l->min > l->max)
    return invalid(err, UINT32_MAX, "size minimum must not be greater than maximum");
  return 0;
}

/* A 64-bit memory (memory64) may declare up to 2^48 pages, 2^64 bytes;
** a 64-bit table (table64) any u64 size. */
static int check_memory(const wm_limits *l, wm_error *err) {
  if (l->is64)
    return check_limits(l, (uint64_t)1 << 48, "memory size must be at most 2^48 pages", err);
  return check_limits(l, MAX_PAGES, "memory size must be at most 65536 pages (4GiB)", err);
}

static int check_table(const wm_tabletype *t, wm_error *err) {
  if (t->lim.is64) return check_limits(&t->lim, UINT64_MAX, "table size", err);
  return check_limits(&t->lim, UINT32_MAX, "table size must be at most 2^32-1", err);
}

/* The type of an address into memory m or an index into table t: i64
** for the 64-bit ones. */
static wm_valtype mem_addr(const wm_module *mod, uint32_t m) {
  return mod->mems[m].is64 ? WM_I64 : WM_I32;
}
static wm_valtype table_addr(const wm_module *mod, uint32_t t) {
  return mod->tables[t].lim.is64 ? WM_I64 : WM_I32;
}

/* Does value type t name only types the module has? */
static bool vt_known(const wm_module *mod, uint32_t t) {
  uint32_t i = wm__vt_idx(t);
  return !i || i - 1 < mod->ntypes;
}

static int check_functype(const wm_module *mod, uint32_t idx, wm_error *err) {
  const char *why = wm__functype_why(mod, idx);
  return why ? invalid(err, UINT32_MAX, "%s %u", why, idx) : 0;
}

static int check_vt(const wm_module *mod, uint32_t t, wm_error *err) {
  if (vt_known(mod, t)) return 0;
  return invalid(err, UINT32_MAX, "unknown type %u", wm__vt_idx(t) - 1);
}

/*
** One constant instruction: sets e->type for global.get and marks ref.func
** targets as declared. global.get may name an immutable global among the
** first `visible`: in WebAssembly 3.0 any global before the one being
** defined (in a global's initialiser) or any global (in a segment); in 2.0
** (WM_MODULE_WASM2) only imported ones (see visible_globals).
*/
static int const_type(wm_module *mod, wm_constexpr *e, uint32_t visible, wm_error *err) {
  switch (e->op) {
  case 0:
    if (e->idx == WM_CONST_NONCONST)
      return invalid(err, (uint32_t)e->bits, "constant expression required");
    return invalid(err, (uint32_t)e->bits, "type mismatch");
  case 0x23:
    if (e->idx >= visible) return invalid(err, UINT32_MAX, "unknown global %u", e->idx);
    if (mod->globals[e->idx].type.mut)
      return invalid(err, UINT32_MAX, "constant expression required");
    e->type = mod->globals[e->idx].type.type;
    break;
  case 0xD2:
    if (e->idx >= mod->nfuncs) return invalid(err, UINT32_MAX, "unknown function %u", e->idx);
    mod->func_declared[e->idx] = true;
    e->type = wm__vt_ref_idx(mod->funcs[e->idx].typeidx, true);
    break;
  case 0xD0:
    if (!vt_known(mod, e->type)) return invalid(err, UINT32_MAX, "unknown type %u", wm__vt_idx(e->type) - 1);
    break;
  }
  return 0;
}

/* An extended constant expression (WM_CONST_EXTENDED): each instruction
** checked as a lone one is, the arithmetic on a stack of types, and
** exactly one value left. */
static int too_deep(wm_error *err, uint32_t cap, uint32_t at) {
  return wm__error(err, WM_ELIMIT, at, "constant expression too deep: more than %u operands (at byte 0x%x)",
                   cap, at);
}

static int extended_on(wm_module *mod, wm_constexpr *e, uint32_t visible, uint32_t *stack,
                       uint32_t cap, wm_error *err) {
  uint32_t n = 0, pos = (uint32_t)e->bits, end = (uint32_t)e->bits + e->idx;
  while (pos < end) {
    uint32_t at = pos;
    wm_constexpr c;
    wm__const_next(mod, &pos, &c);
    if ((c.op >= 0x6A && c.op <= 0x6C) || (c.op >= 0x7C && c.op <= 0x7E)) {
      if (n < 2 || stack[n - 1] != c.type || stack[n - 2] != c.type)
        return invalid(err, at, "type mismatch");
      n--;
      continue;
    }
    if (c.op == 0xFB) { /* GC's constant instructions, typed as in bodies */
      wm_gcsig s;
      uint32_t p = (uint32_t)c.bits + 1, sub = 0;
      (void)wm__leb_u32(mod->bytes, &p, (uint32_t)mod->len, &sub);
      int e = wm__gc_sig(mod, mod->bytes, &p, (uint32_t)mod->len, sub, &s);
      if (e) return wm__error(err, e, at, "%s", s.why);
      if (n < s.n) return invalid(err, at, "type mismatch");
      for (uint32_t i = 0; i < s.n; i++) {
        uint32_t want = wm__gc_in(&s, i), have = stack[n - s.n + i];
        if (!wm__valtype_match(mod, have, want)) return invalid(err, at, "type mismatch");
        if (want == WM_V128)
          return wm__error(err, WM_EMALFORMED, at,
                           "a v128 operand of a GC constant expression is not supported yet");
      }
      if (sub == WM_GC_ANY_CONVERT_EXTERN || sub == WM_GC_EXTERN_CONVERT_ANY)
        s.out |= s.n && wm__vt_nullable(stack[n - 1]) ? 0 : WM_VT_NONNULL;
      n -= s.n;
      if (n == cap) return too_deep(err, cap, at);
      stack[n++] = s.out;
      continue;
    }
    if (c.op == 0) return invalid(err, at, "constant expression required"); /* defensive */
    TRY(const_type(mod, &c, visible, err));
    if (n == cap) return too_deep(err, cap, at);
    stack[n++] = c.type;
  }
  if (n != 1) return invalid(err, UINT32_MAX, "type mismatch");
  e->type = stack[0];
  return 0;
}

/* Its operands are at most as many as its bytes, and at most
** WM_CONST_MAX_DEPTH: a stack of that many, on the heap past a few. */
static int extended_type(wm_module *mod, wm_constexpr *e, uint32_t visible, wm_error *err) {
  uint32_t local[64], *stack = local;
  uint32_t cap = wm__const_depth_cap(e);
  if (cap > 64 && !(stack = wm__malloc(cap * sizeof *stack)))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  int rc = extended_on(mod, e, visible, stack, cap, err);
  if (stack != local) wm__free(stack);
  return rc;
}

/* The globals a constant expression may read: those before global
** `defining` (UINT32_MAX: in a segment, all of them); in 2.0 the imported
** ones. */
static uint32_t visible_globals(const wm_module *mod, uint32_t defining) {
  if (mod->wasm2) return mod->nglobal_imports;
  return defining < mod->nglobals ? defining : mod->nglobals;
}

/* A constant expression of type `want` reading the first `visible` globals. */
static int check_const(wm_module *mod, wm_constexpr *e, wm_valtype want, uint32_t visible,
                       wm_error *err) {
  TRY(e->op == WM_CONST_EXTENDED ? extended_type(mod, e, visible, err)
                                 : const_type(mod, e, visible, err));
  if (!wm__valtype_match(mod, e->type, want)) return invalid(err, UINT32_MAX, "type mismatch");
  return 0;
}

static int cmp_export(const void *a, const void *b) {
  const wm_export *x = *(wm_export *const *)a, *y = *(wm_export *const *)b;
  uint32_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
  int c = memcmp(x->name, y->name, n);
  if (c) return c;
  return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

static int check_exports(wm_module *mod, wm_error *err) {
  for (uint32_t i = 0; i < mod->nexports; i++) {
    wm_export *ex = &mod->exports[i];
    switch (ex->kind) {
    case WM_EXTERN_FUNC:
      if (ex->idx >= mod->nfuncs) return invalid(err, UINT32_MAX, "unknown function %u", ex->idx);
      mod->func_declared[ex->idx] = true;
      break;
    case WM_EXTERN_TABLE:
      if (ex->idx >= mod->ntables) return invalid(err, UINT32_MAX, "unknown table %u", ex->idx);
      break;
    case WM_EXTERN_MEMORY:
      if (ex->idx >= mod->nmems) return invalid(err, UINT32_MAX, "unknown memory %u", ex->idx);
      break;
    case WM_EXTERN_GLOBAL:
      if (ex->idx >= mod->nglobals) return invalid(err, UINT32_MAX, "unknown global %u", ex->idx);
      break;
    case WM_EXTERN_TAG:
      if (ex->idx >= mod->ntags) return invalid(err, UINT32_MAX, "unknown tag %u", ex->idx);
      break;
    }
  }
  if (mod->nexports < 2) return 0;
  /* Sort pointers by name to find duplicates in n log n: clang's
  ** --export-all modules have thousands of exports. */
  wm_export **v = wm__calloc(mod->nexports, sizeof *v);
  if (!v) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t i = 0; i < mod->nexports; i++) v[i] = &mod->exports[i];
  qsort(v, mod->nexports, sizeof *v, cmp_export);
  int rc = 0;
  for (uint32_t i = 1; i < mod->nexports && !rc; i++)
    if (cmp_export(&v[i - 1], &v[i]) == 0)
      rc = invalid(err, UINT32_MAX, "duplicate export name \"%s\"", v[i]->name);
  wm__free(v);
  return rc;
}

static int check_elem(wm_module *mod, wm_elem *el, wm_error *err) {
  TRY(check_vt(mod, el->type, err));
  if (el->mode == WM_SEG_ACTIVE) {
    if (el->table >= mod->ntables) return invalid(err, UINT32_MAX, "unknown table %u", el->table);
    TRY(check_const(mod, &el->offset, table_addr(mod, el->table), visible_globals(mod, UINT32_MAX), err));
  }
  /* A function's reference, (ref $t) with $t a function type (every
  ** function's type was checked first), matches func and (ref func): a
  ** large table's items (yosys: 12,000) need no type match each. */
  bool any_func = el->type == WM_FUNCREF || el->type == (WM_FUNCREF | WM_VT_NONNULL);
  uint32_t visible = visible_globals(mod, UINT32_MAX);
  for (uint32_t i = 0; i < el->count; i++) {
    if (any_func && el->items[i].op == 0xD2) TRY(const_type(mod, &el->items[i], visible, err));
    else TRY(check_const(mod, &el->items[i], el->type, visible, err));
  }
  if (el->mode == WM_SEG_ACTIVE && !wm__valtype_match(mod, el->type, mod->tables[el->table].elem))
    return invalid(err, UINT32_MAX, "type mismatch");
  return 0;
}

int wm__validate_module(wm_module *mod, wm_error *err) {
  mod->func_declared = wm__calloc(mod->nfuncs, sizeof(bool));
  if (!mod->func_declared) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  TRY(wm__canon_types(mod, err));
  for (uint32_t i = 0; i < mod->nimports; i++) {
    const wm_import *im = &mod->imports[i];
    if (im->kind == WM_EXTERN_GLOBAL) TRY(check_vt(mod, im->global.type, err));
  }

  for (uint32_t i = 0; i < mod->nfuncs; i++)
    TRY(check_functype(mod, mod->funcs[i].typeidx, err));
  for (uint32_t i = 0; i < mod->ntags; i++) {
    TRY(check_functype(mod, mod->tags[i], err));
    if (mod->types[mod->tags[i]].nresults)
      return invalid(err, UINT32_MAX, "non-empty tag result type");
  }
  for (uint32_t i = 0; i < mod->ntables; i++) {
    TRY(check_table(&mod->tables[i], err));
    TRY(check_vt(mod, mod->tables[i].elem, err));
  }
  for (uint32_t i = 0; i < mod->nmems; i++) TRY(check_memory(&mod->mems[i], err));
  if (mod->nmems > 1 && mod->wasm2) return invalid(err, UINT32_MAX, "multiple memories");

  for (uint32_t i = mod->nglobal_imports; i < mod->nglobals; i++) {
    TRY(check_vt(mod, mod->globals[i].type.type, err));
    TRY(check_const(mod, &mod->globals[i].init, mod->globals[i].type.type,
                    visible_globals(mod, i), err));
  }
  /* A table's initial value (or null, which a non-null type lacks),
  ** reading imported globals only: tables come before globals. (An
  ** undecodable expression is op 0 with idx saying why.) */
  for (uint32_t i = mod->ntable_imports; i < mod->ntables; i++) {
    wm_constexpr *e = mod->table_inits ? &mod->table_inits[i - mod->ntable_imports] : NULL;
    if (e && (e->op || e->idx))
      TRY(check_const(mod, e, mod->tables[i].elem, mod->nglobal_imports, err));
    else if (!wm__vt_nullable(mod->tables[i].elem))
      return invalid(err, UINT32_MAX, "type mismatch");
  }
  for (uint32_t i = 0; i < mod->nelems; i++) TRY(check_elem(mod, &mod->elems[i], err));
  for (uint32_t i = 0; i < mod->ndatas; i++) {
    wm_data *d = &mod->datas[i];
    if (d->mode != WM_SEG_ACTIVE) continue;
    if (d->mem >= mod->nmems) return invalid(err, UINT32_MAX, "unknown memory %u", d->mem);
    TRY(check_const(mod, &d->offset, mem_addr(mod, d->mem), visible_globals(mod, UINT32_MAX), err));
  }

  if (mod->has_start) {
    if (mod->start >= mod->nfuncs)
      return invalid(err, UINT32_MAX, "unknown function %u", mod->start);
    const wm_type *t = wm__func_type(mod, mod->start);
    if (t->nparams || t->nresults) return invalid(err, UINT32_MAX, "start function");
  }
  return check_exports(mod, err);
}
