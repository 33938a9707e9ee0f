/* SPDX-License-Identifier: MIT */
/*
** api.c -- the public calls on functions, memories, tables and globals, and
** the host-call context: argument checking and the conversion between
** wm_val and the interpreter's untyped slots.
*/
#include <stdio.h>

#include "runtime.h"
#include "gc.h"

#define PAGE_SIZE 65536u

size_t wm__type_slots(const wm_valtype *t, uint32_t n) {
  size_t k = 0;
  for (uint32_t i = 0; i < n; i++) k += t[i] == WM_V128 ? 2 : 1;
  return k;
}

/* -------------------------------------------------------------- functions */

wm_functype wm_func_type(const wm_func *f) {
  wm_functype ft;
  memset(&ft, 0, sizeof ft);
  if (!f) return ft;
  ft.nparams = f->type->nparams;
  ft.nresults = f->type->nresults;
  ft.params = f->type->params;
  ft.results = f->type->results;
  return ft;
}

/*
** Can the host's value v go where a value of type want is expected (a
** parameter, a table's element, a global)? NULL if so, else why not. For
** a reference type: a value of its kind, not null where the type is
** non-null, for a concrete function type (in rt's interned ids; rt NULL:
** a host function's type, which names none) a function of rt of that type
** or a subtype, for an abstract one below the top nothing but null. An
** anyref must be an i31 or one of rt's objects, of the type wanted.
*/
static const char *val_refusal(const wm_runtime *rt, uint32_t want, wm_val v) {
  if (!wm__is_reftype(want)) return v.type == (wm_valtype)want ? NULL : "";
  if (v.type != wm__vt_top(want)) return "";
  if (!v.of.ref) return wm__vt_nullable(want) ? NULL : "a null reference";
  uint32_t idx = wm__vt_idx(want);
  if (v.type == WM_ANYREF) {
    if (!wm__is_i31(v.of.ref) && (!rt || !wm__gc_owns(rt, v.of.ref))) return WM_GC_NOT_OURS;
    return wm__gcref_refusal(rt, want, v.of.ref);
  }
  if (!idx) return (want & 0xFF) == wm__vt_top(want) ? NULL : "a reference of another type";
  if (!rt) return NULL;
  const wm_func *g = v.of.ref;
  wm_typeset ts = wm__rt_typeset(rt->types);
  if (g->rt == rt && wm__type_sub(&ts, g->type_id, idx - 1)) return NULL;
  return "a function of another type";
}

/* An argument for a typed reference parameter (WebAssembly 3.0):
** val_refusal's rules, the type in the runtime's terms. */
static int typed_arg(const wm_func *f, uint32_t i, uint32_t want, wm_val a, wm_error *err) {
  const wm_runtime *rt = f->inst ? f->inst->rt : NULL;
  if (a.type == (wm_valtype)want && wm__is_reftype(want)) a.type = WM_VT_KIND(want); /* its kind */
  if (f->inst) want = wm__vt_to_rt(want, f->inst->type_ids);
  const char *why = val_refusal(rt, want, a);
  if (!why) return WM_OK;
  if (!*why)
    return wm__error(err, WM_ETYPE, UINT32_MAX, "argument %u: expected %s, got %s", (unsigned)i,
                     wm_valtype_name((wm_valtype)want), wm_valtype_name(a.type));
  return wm__error(err, WM_ETYPE, UINT32_MAX, "argument %u: expected %s, got %s", (unsigned)i,
                   wm_valtype_name((wm_valtype)want), why);
}

int wm_func_call(wm_runtime *rt, wm_func *f, const wm_val *args, uint32_t nargs,
                 wm_val *results, uint32_t nresults, wm_error *err) {
  if (!rt || !f) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_func_call: NULL argument");
  const wm_type *t = f->type;
  if (nargs != t->nparams)
    return wm__error(err, WM_ETYPE, UINT32_MAX, "wrong number of arguments: expected %u, got %u",
                     (unsigned)t->nparams, (unsigned)nargs);
  if (nresults != t->nresults)
    return wm__error(err, WM_ETYPE, UINT32_MAX, "wrong number of results: expected %u, got %u",
                     (unsigned)t->nresults, (unsigned)nresults);
  if ((nargs && !args) || (nresults && !results))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_func_call: NULL args or results");
  /* A typed or GC reference is checked whatever type the host wrote. */
  for (uint32_t i = 0; i < nargs; i++)
    if (args[i].type != t->params[i] || wm__vt_idx(t->params[i]) || wm__vt_gc(t->params[i])) {
      int rc = typed_arg(f, i, t->params[i], args[i], err);
      if (rc) return rc;
    }
  /* Arguments go where the callee's frame will start: the stack top. */
  wm_slot *slots = rt->stack_top;
  size_t np = wm__type_slots(t->params, t->nparams), nr = wm__type_slots(t->results, t->nresults);
  if ((size_t)(rt->stack_end - slots) < (np > nr ? np : nr))
    return wm__error(err, WM_TRAP_STACK_EXHAUSTED, UINT32_MAX, "call stack exhausted");
  for (uint32_t i = 0, k = 0; i < nargs; k += args[i++].type == WM_V128 ? 2 : 1)
    wm__val_to_slots(args[i], &slots[k]);
  int rc = wm__interp_call(rt, f, slots, err);
  if (rc) return rc;
  for (uint32_t i = 0, k = 0; i < nresults; k += t->results[i++] == WM_V128 ? 2 : 1)
    results[i] = wm__slots_to_val(&slots[k], t->results[i]);
  return WM_OK;
}

/* --------------------------------------------------------- host contexts */

wm_instance *wm_call_ctx_instance(wm_call_ctx *ctx) { return ctx ? ctx->caller : NULL; }

wm_memory *wm_call_ctx_memory(wm_call_ctx *ctx) {
  return ctx ? wm_instance_default_memory(ctx->caller) : NULL;
}

int wm_call_ctx_trap(wm_call_ctx *ctx, int rc, const char *fmt, ...) {
  if (!ctx || !fmt) return rc;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->trap_buf, sizeof ctx->trap_buf, fmt, ap);
  va_end(ap);
  ctx->trap_msg = ctx->trap_buf;
  return rc;
}

/* ----------------------------------------------------------------- memory */

uint8_t *wm_memory_data(wm_memory *m) { return m ? m->base : NULL; }
/* A shared memory's size may change on another thread at any time. */
uint64_t wm_memory_size(const wm_memory *m) {
  return m ? __atomic_load_n(&m->size, __ATOMIC_ACQUIRE) : 0;
}
uint64_t wm_memory_pages(const wm_memory *m) { return wm_memory_size(m) / PAGE_SIZE; }

int wm_memory_grow(wm_memory *m, uint64_t delta, uint64_t *old_pages, wm_error *err) {
  if (!m) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_memory_grow: NULL memory");
  int64_t old = wm__memory_grow(m, delta);
  if (old < 0) {
    uint64_t cur = wm_memory_size(m) / PAGE_SIZE;
    const wm_runtime *rt = m->rt; /* read only for an unshared memory */
    if (delta > m->max_pages - cur)
      return wm__error(err, WM_ELIMIT, UINT32_MAX,
                       "cannot grow memory of %llu pages by %llu: the maximum is %llu pages",
                       (unsigned long long)cur, (unsigned long long)delta,
                       (unsigned long long)m->max_pages);
    if (!m->decl.shared && delta * PAGE_SIZE > rt->opts.max_memory_bytes - rt->mem_bytes)
      return wm__error(err, WM_ELIMIT, UINT32_MAX,
                       "cannot grow memory of %llu pages by %llu: the runtime's memory budget "
                       "(wm_runtime_options.max_memory_bytes) has %llu bytes left",
                       (unsigned long long)cur, (unsigned long long)delta,
                       (unsigned long long)(rt->opts.max_memory_bytes - rt->mem_bytes));
    return wm__error(err, WM_ELIMIT, UINT32_MAX,
                     "cannot grow memory of %llu pages by %llu: refused by the embedder's "
                     "limiter (wm_runtime_options.memory_growing) or out of host memory",
                     (unsigned long long)cur, (unsigned long long)delta);
  }
  if (old_pages) *old_pages = (uint64_t)old;
  return WM_OK;
}

/* --------------------------------------------------------- tables/globals */

uint32_t wm_table_size(const wm_table *t) { return t ? t->size : 0; }

int wm_table_get(const wm_table *t, uint32_t i, wm_val *out, wm_error *err) {
  if (!t || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_table_get: NULL argument");
  if (i >= t->size)
    return wm__error(err, WM_TRAP_TABLE_OOB, UINT32_MAX,
                     "out of bounds table access: index %u, table size %u", (unsigned)i,
                     (unsigned)t->size);
  out->type = wm__is_reftype(t->type) ? (wm_valtype)wm__vt_top(t->type) : t->type; /* its kind */
  out->of.i64 = 0;
  out->of.ref = t->elems[i];
  if (out->type == WM_EXNREF && out->of.ref) ((wm_exn *)out->of.ref)->host = true; /* exn.c */
  return WM_OK;
}

int wm_table_set(wm_table *t, uint32_t i, wm_val v, wm_error *err) {
  if (!t) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_table_set: NULL table");
  /* A typed table (WebAssembly 3.0) takes what val_refusal allows. */
  const char *why = val_refusal(t->rt, t->type, v);
  if (why)
    return wm__error(err, WM_ETYPE, UINT32_MAX, "table of %s cannot hold %s%s",
                     wm_valtype_name(t->type), *why ? "" : "a ", *why ? why : wm_valtype_name(v.type));
  if (i >= t->size)
    return wm__error(err, WM_TRAP_TABLE_OOB, UINT32_MAX,
                     "out of bounds table access: index %u, table size %u", (unsigned)i,
                     (unsigned)t->size);
  t->elems[i] = v.of.ref;
  return WM_OK;
}

wm_val wm_global_get(const wm_global *g) {
  if (!g) {
    wm_val v;
    memset(&v, 0, sizeof v);
    v.type = WM_I32;
    return v;
  }
  return wm__slots_to_val(g->val, g->type);
}

int wm_global_set(wm_global *g, wm_val v, wm_error *err) {
  if (!g) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_global_set: NULL global");
  if (!g->mut) return wm__error(err, WM_EINVAL, UINT32_MAX, "global is immutable");
  const char *why = val_refusal(g->rt, g->type, v);
  if (why)
    return wm__error(err, WM_ETYPE, UINT32_MAX, "global of type %s cannot hold %s%s",
                     wm_valtype_name(g->type), *why ? "" : "a ", *why ? why : wm_valtype_name(v.type));
  wm__val_to_slots(v, g->val);
  return WM_OK;
}
