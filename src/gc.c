/* SPDX-License-Identifier: MIT */
/*
** gc.c -- the objects of WebAssembly 3.0's garbage collection (gc.h):
** making them within the runtime's budget, the set of their addresses,
** the run-time type test of a reference, and the conversions between the
** any and extern hierarchies.
*/
#include <stdio.h>

#include "gc.h"
#include "runtime.h"

/* --------------------------------------------------------- address set */

/* Open addressing over the objects' addresses, at most half full. */
static size_t slot_of(const void *p, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 20) & (cap - 1);
}

static bool set_add(wm_runtime *rt, wm_gcobj *o) {
  if ((rt->gc_n + 1) * 2 > rt->gc_cap) {
    size_t cap = rt->gc_cap ? rt->gc_cap * 2 : 64;
    void **s = wm__calloc(cap, sizeof *s);
    if (!s) return false;
    for (size_t i = 0; i < rt->gc_cap; i++) {
      if (!rt->gc_set[i]) continue;
      size_t k = slot_of(rt->gc_set[i], cap);
      while (s[k]) k = (k + 1) & (cap - 1);
      s[k] = rt->gc_set[i];
    }
    wm__free(rt->gc_set);
    rt->gc_set = s;
    rt->gc_cap = cap;
  }
  wm__gc_set_put(rt, o);
  rt->gc_n++;
  return true;
}

void wm__gc_set_put(wm_runtime *rt, wm_gcobj *o) {
  size_t k = slot_of(o, rt->gc_cap);
  while (rt->gc_set[k]) k = (k + 1) & (rt->gc_cap - 1);
  rt->gc_set[k] = o;
}

bool wm__gc_owns(const wm_runtime *rt, const void *p) {
  if (!p || !rt->gc_cap || ((uintptr_t)p & 7)) return false;
  for (size_t k = slot_of(p, rt->gc_cap); rt->gc_set[k]; k = (k + 1) & (rt->gc_cap - 1))
    if (rt->gc_set[k] == p) return true;
  return false;
}

/* ------------------------------------------------------------- objects */

static bool over_budget(const wm_runtime *rt, uint64_t total) {
  return total > rt->opts.max_gc_bytes - rt->gc_bytes || rt->gc_bytes > rt->opts.max_gc_bytes;
}

wm_gcobj *wm__gc_alloc(wm_runtime *rt, bool may_collect, uint8_t kind, uint32_t type_id,
                       uint64_t size, bool refs, int *trap, char *msg) {
  uint64_t total = sizeof(wm_gcobj) + size;
  if (may_collect && size <= UINT32_MAX) {
    /* Due by volume; or the budget would refuse, and enough was made since
    ** the last collection (a sixteenth of the budget) for one to be worth
    ** it, or the last such refusal trapped: a heap that live stays within
    ** a sixteenth of the budget traps rather than collecting at every
    ** allocation. */
    bool due = total > rt->gc_next - rt->gc_bytes || rt->gc_bytes > rt->gc_next;
    if (due || (over_budget(rt, total) && rt->gc_bytes - rt->gc_live >= rt->opts.max_gc_bytes / 16))
      wm__gc_collect(rt, NULL);
  }
  if (size > UINT32_MAX || over_budget(rt, total)) {
    /* Garbage may be made without allocating (a global cleared after this
    ** trap): the next allocation the budget refuses collects first. */
    rt->gc_live = 0;
    snprintf(msg, 256,
             "out of GC memory: an object of %llu bytes would pass max_gc_bytes (%llu bytes, "
             "%llu live)",
             (unsigned long long)size, (unsigned long long)rt->opts.max_gc_bytes,
             (unsigned long long)rt->gc_bytes);
    *trap = WM_TRAP_GC_MEMORY;
    return NULL;
  }
  wm_gcobj *o = wm__calloc(1, (size_t)total);
  if (!o || !set_add(rt, o)) {
    wm__free(o);
    snprintf(msg, 256, "out of GC memory: the allocator refused %llu bytes",
             (unsigned long long)total);
    *trap = WM_TRAP_GC_MEMORY;
    return NULL;
  }
  o->kind = kind;
  o->type_id = type_id;
  o->has_refs = refs;
  o->size = (uint32_t)size;
  o->next = rt->gc_objs;
  rt->gc_objs = o;
  rt->gc_bytes += total;
  return o;
}

/* -------------------------------------------------------------- arrays
** The array instructions that make or copy many elements, for the
** interpreter (interp_gc.h) and compiled code (aot_rt.c) alike; st is the
** elements' storage code (WM_GS_*, with WM_GS_REFS), a trap the result. */

wm_gcobj *wm__gc_array_new(wm_runtime *rt, bool may_collect, uint32_t type_id, uint32_t st,
                           uint32_t n, const wm_slot *init, int *trap, char *msg) {
  uint32_t es = 1u << (st & 7);
  wm_gcobj *o = wm__gc_alloc(rt, may_collect, WM_COMP_ARRAY, type_id, (uint64_t)n * es,
                             (st & WM_GS_REFS) != 0, trap, msg);
  if (!o) return NULL;
  o->len = n;
  if (init)
    for (uint32_t i = 0; i < n; i++) wm__gc_write(o->data + (size_t)i * es, st, init);
  return o;
}

wm_gcobj *wm__gc_array_new_data(wm_runtime *rt, bool may_collect, const wm_instance *inst,
                                uint32_t type_id, uint32_t seg, uint32_t st, uint32_t src,
                                uint32_t n, int *trap, char *msg) {
  const wm_data *d = &inst->mod->datas[seg];
  uint64_t bytes = (uint64_t)n * (1u << (st & 7));
  if ((uint64_t)src + bytes > (inst->data_dropped[seg] ? 0 : d->len)) {
    *trap = WM_TRAP_MEMORY_OOB;
    return NULL;
  }
  wm_gcobj *o = wm__gc_array_new(rt, may_collect, type_id, st & ~WM_GS_REFS, n, NULL, trap, msg);
  if (o && bytes) memcpy(o->data, d->bytes + src, (size_t)bytes);
  return o;
}

wm_gcobj *wm__gc_array_new_elem(wm_runtime *rt, bool may_collect, const wm_instance *inst,
                                uint32_t type_id, uint32_t seg, uint32_t src, uint32_t n,
                                int *trap, char *msg) {
  const wm_elem *e = &inst->mod->elems[seg];
  if (!wm__in_range(src, n, inst->elem_dropped[seg] ? 0 : e->count)) {
    *trap = WM_TRAP_TABLE_OOB;
    return NULL;
  }
  wm_gcobj *o = wm__gc_array_new(rt, may_collect, type_id, WM_GS_64 | WM_GS_REFS, n, NULL, trap, msg);
  if (o)
    for (uint32_t k = 0; k < n; k++) {
      void *v = wm__elem_item(inst, seg, src + k);
      memcpy(o->data + (size_t)k * 8, &v, 8);
    }
  return o;
}

int wm__gc_array_fill(wm_gcobj *o, uint32_t i, uint32_t n, uint32_t st, const wm_slot *v) {
  uint32_t es = 1u << (st & 7);
  if (!wm__in_range(i, n, o->len)) return WM_TRAP_ARRAY_OOB;
  for (uint32_t k = 0; k < n; k++) wm__gc_write(o->data + (size_t)(i + k) * es, st, v);
  return 0;
}

int wm__gc_array_copy(wm_gcobj *a, uint32_t i, const wm_gcobj *b, uint32_t j, uint32_t n,
                      uint32_t st) {
  uint32_t es = 1u << (st & 7);
  if (!wm__in_range(i, n, a->len) || !wm__in_range(j, n, b->len)) return WM_TRAP_ARRAY_OOB;
  if (n) memmove(a->data + (size_t)i * es, b->data + (size_t)j * es, (size_t)n * es);
  return 0;
}

int wm__gc_array_init_data(const wm_instance *inst, wm_gcobj *o, uint32_t seg, uint32_t i,
                           uint32_t src, uint32_t n, uint32_t st) {
  uint32_t es = 1u << (st & 7);
  if (!wm__in_range(i, n, o->len)) return WM_TRAP_ARRAY_OOB;
  const wm_data *d = &inst->mod->datas[seg];
  if ((uint64_t)src + (uint64_t)n * es > (inst->data_dropped[seg] ? 0 : d->len))
    return WM_TRAP_MEMORY_OOB;
  if (n) memcpy(o->data + (size_t)i * es, d->bytes + src, (size_t)n * es);
  return 0;
}

int wm__gc_array_init_elem(const wm_instance *inst, wm_gcobj *o, uint32_t seg, uint32_t i,
                           uint32_t src, uint32_t n) {
  if (!wm__in_range(i, n, o->len)) return WM_TRAP_ARRAY_OOB;
  const wm_elem *e = &inst->mod->elems[seg];
  if (!wm__in_range(src, n, inst->elem_dropped[seg] ? 0 : e->count)) return WM_TRAP_TABLE_OOB;
  for (uint32_t k = 0; k < n; k++) {
    void *v = wm__elem_item(inst, seg, src + k);
    memcpy(o->data + (size_t)(i + k) * 8, &v, 8);
  }
  return 0;
}

void wm__gc_free_all(wm_runtime *rt) {
  for (wm_gcobj *o = rt->gc_objs, *next; o; o = next) {
    next = o->next;
    wm__free(o);
  }
  rt->gc_objs = NULL;
  wm__free(rt->gc_set);
  rt->gc_set = NULL;
  rt->gc_cap = rt->gc_n = 0;
  rt->gc_bytes = 0;
}

/* ----------------------------------------------------------- type test */

bool wm__ref_test(const wm_runtime *rt, const wm_instance *inst, const void *r, uint32_t t) {
  uint32_t idx = wm__vt_idx(t);
  return wm__ref_match(rt, r, t, idx ? inst->type_ids[idx - 1] : UINT32_MAX);
}

bool wm__ref_match(const wm_runtime *rt, const void *r, uint32_t t, uint32_t id) {
  if (!r) return wm__vt_nullable(t);
  uint32_t ht = wm__vt_heap(t), idx = wm__vt_idx(t);
  switch (wm__vt_top(t)) {
  case 0x70: /* func: a wm_func */
    if (ht == 0x73) return false;
    return !idx || wm__indirect_ok(rt, (const wm_func *)r, id);
  case 0x6E: break;
  default: /* extern, exn: the top holds every non-null one, the bottom none */
    return ht == wm__vt_top(t);
  }
  if (ht == 0x6E) return true;
  if (wm__is_i31(r)) return ht == 0x6D || ht == 0x6C;
  const wm_gcobj *o = r;
  if (o->kind != WM_COMP_STRUCT && o->kind != WM_COMP_ARRAY) return false; /* a host box: any */
  if (ht == 0x6D) return true;
  if (ht != wm__kind_heap(o->kind)) return false; /* i31, none, the other kind */
  if (!idx) return true;
  wm_typeset ts = wm__rt_typeset(rt->types);
  return wm__type_sub(&ts, o->type_id, id);
}

const char *wm__gcref_refusal(const wm_runtime *rt, uint32_t t, const void *p) {
  if (!p) return wm__vt_nullable(t) ? NULL : "a null reference";
  if (!wm__anyref_ok(rt, p)) return WM_GC_NOT_OURS;
  uint32_t idx = wm__vt_idx(t);
  return wm__ref_match(rt, p, t, idx ? idx - 1 : UINT32_MAX) ? NULL : "a reference of another type";
}

/* ---------------------------------------------------------- conversions */

static int box(wm_runtime *rt, bool may_collect, uint8_t kind, void *v, void **out, char *msg) {
  int trap = 0;
  wm_gcobj *o = wm__gc_alloc(rt, may_collect, kind, 0, sizeof v, false, &trap, msg);
  if (!o) return trap;
  memcpy(o->data, &v, sizeof v);
  *out = o;
  return 0;
}

static void *unbox(const wm_gcobj *o) {
  void *v;
  memcpy(&v, o->data, sizeof v);
  return v;
}

int wm__gc_internalize(wm_runtime *rt, bool may_collect, void *e, void **out, char *msg) {
  if (!e) {
    *out = NULL;
    return 0;
  }
  if (wm__gc_owns(rt, e)) {
    const wm_gcobj *o = e;
    *out = o->kind == WM_GC_I31BOX ? unbox(o) : e;
    return 0;
  }
  return box(rt, may_collect, WM_GC_HOSTBOX, e, out, msg);
}

int wm__gc_externalize(wm_runtime *rt, bool may_collect, void *a, void **out, char *msg) {
  if (!a) {
    *out = NULL;
    return 0;
  }
  if (wm__is_i31(a)) return box(rt, may_collect, WM_GC_I31BOX, a, out, msg);
  const wm_gcobj *o = a;
  *out = o->kind == WM_GC_HOSTBOX ? unbox(o) : a;
  return 0;
}

/* -------------------------------------------------------------- public */

wm_anyref_kind wm_anyref_kind_of(const wm_runtime *rt, const void *ref) {
  if (!ref) return WM_ANY_NULL;
  if (wm__is_i31(ref)) return wm__is_host_i31(ref) ? WM_ANY_I31 : WM_ANY_FOREIGN;
  if (!rt || !wm__gc_owns(rt, ref)) return WM_ANY_FOREIGN;
  switch (((const wm_gcobj *)ref)->kind) {
  case WM_COMP_STRUCT: return WM_ANY_STRUCT;
  case WM_COMP_ARRAY: return WM_ANY_ARRAY;
  case WM_GC_HOSTBOX: return WM_ANY_HOST;
  default: return WM_ANY_FOREIGN; /* an i31 box is an externref, never an anyref */
  }
}

void *wm_anyref_i31(uint32_t v) { return wm__i31_make(v); }

int32_t wm_anyref_i31_value(const void *ref) { return wm__i31_s(ref); }

int wm_anyref_host(wm_runtime *rt, void *p, void **out) {
  char msg[256];
  if (!rt || !p || !out) return WM_EINVAL;
  int trap = wm__gc_internalize(rt, false, p, out, msg);
  if (!trap) return WM_OK;
  return rt->gc_bytes + sizeof(wm_gcobj) + sizeof p > rt->opts.max_gc_bytes ? WM_ELIMIT : WM_ENOMEM;
}

void *wm_anyref_host_value(const wm_runtime *rt, const void *ref) {
  if (wm_anyref_kind_of(rt, ref) != WM_ANY_HOST) return NULL;
  return unbox(ref);
}
