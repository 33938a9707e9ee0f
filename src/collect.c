/* SPDX-License-Identifier: MIT */
/*
** collect.c -- the runtime's one collector: a mark and sweep over its
** garbage-collected objects (gc.h: structs, arrays, boxes) and its kept
** exceptions (runtime.h, wm_exn), which may name each other -- an
** exception's payload can hold an object, an object's field an exnref --
** so they are marked together.
**
** Roots:
** - the value stack up to the end of the top frame (or the stack top, if
**   higher), read conservatively: lowered code has no map of which slots
**   hold references, so any slot equal to the address of an object or a
**   kept exception keeps it (a stale or numeric slot may keep garbage
**   alive; it never frees a live value). Host functions' arguments and
**   results are on this stack too (interp_impl.h, call_host);
** - the globals and tables of every instance (imported ones too), the
**   runtime's tables, the globals the host made (wm_global_new);
** - element segments evaluated at instantiation (wm_instance.elem_refs);
** - the pending exception, the one being kept now, those the host has seen;
** - the objects the host pinned (wm_ref_pin).
** An object's payload, if it may hold references, is read conservatively
** too (every 8-aligned word); so is an exception's. A word is looked up in
** the objects' address set and among the kept exceptions before it is
** followed, so nothing that is not ours is ever read.
**
** When: an allocation from running code (wm__gc_alloc with may_collect)
** once the bytes allocated since the last collection reach the live bytes
** then (at least WM_GC_MIN_STEP), or when the budget would refuse it; the
** unwinder when the kept exceptions have doubled (exn.c); the host
** (wm_runtime_collect); instance_new before constant expressions make
** objects. Only where every live value is in the stack's slots, or in
** compiled frames: the interpreter brings rt->nframes up to date before it
** allocates, and so does NATIVE before it enters compiled code. A
** runtime whose values may cross into another's never collects
** (refs_shared, set for both: a function, table or reference global
** imported between them, or a function of one entered on the other's
** stack -- interp_loop.h's instance switch, wm__interp_call): the other's
** roots, and its frames on our stack, are out of sight.
**
** Compiled frames (src/aot) hold references in C locals and registers, of
** which there is no map: each entry into compiled code (wm__aot_run)
** records the stretch of this thread's native stack its frames take
** (rt->native_seg, wm_native_seg), closed below (lo) whenever the code
** leaves for the runtime or a host, with every callee-saved register
** spilled above lo first (aot_rt.c's nested). A collection spills its own
** registers (__builtin_unwind_init, scan_native), then reads every word of
** each segment, from lo or, for one still open (the code called a helper
** that collects), from its own frame, up to hi: a word that points into an
** object, anywhere from its header to one byte past its payload, keeps it
** -- the C compiler may keep only an address inside an object (a field's,
** an element's) across a call. The words are gathered and sorted (k of
** them: the segments' size, a few hundred in a shallow call chain), then
** every object looks for a word inside it with a binary search
** (wm__gc_held, mark_held): k log k + n log k for n objects, rather than
** sorting the objects (n log n per collection: a loop of allocations ran
** 1.5x the instructions so). A kept exception is taken at its exact
** address only, as the words are read: compiled code never makes an
** address inside one. With more words than the room sized before marking
** (never expected), every object is kept.
** Segments are the runtime's, so the thread's own (a runtime runs on one
** thread at a time); another runtime's compiled frames on our stack mean
** refs_shared. Where the scan is not possible (WM_NATIVE_SCAN: a compiler
** without the builtins), no collection runs while compiled code does
** (rt->native_depth).
*/
#include <stdlib.h>

#include "gc.h"
#include "runtime.h"

/* The sweep reads stack slots no instruction has written yet, on purpose:
** under Valgrind, they are declared defined first. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

typedef struct marker {
  wm_runtime *rt;
  uintptr_t *words;  /* compiled frames' words (sorted before use) */
  size_t nwords, cap_words;
  bool keep_all;     /* more words than room: every object is kept */
  wm_exn **exns;    /* the kept exceptions, sorted by address */
  uint32_t nexns;
  wm_gcobj **objs;  /* marked objects whose payload is not read yet */
  size_t nobjs;
  wm_exn **ework;   /* marked exceptions whose payload is not read yet */
  uint32_t nework;
} marker;

static int by_address(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
  return x < y ? -1 : x > y;
}

static wm_exn *kept_exn(const marker *m, const void *p) {
  uint32_t lo = 0, hi = m->nexns;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if ((uintptr_t)m->exns[mid] < (uintptr_t)p) lo = mid + 1;
    else hi = mid;
  }
  return lo < m->nexns && m->exns[lo] == p ? m->exns[lo] : NULL;
}

static void mark_obj(marker *m, wm_gcobj *o) {
  if (o->mark) return;
  o->mark = 1;
  if (o->has_refs) m->objs[m->nobjs++] = o;
}

static void mark_exn(marker *m, wm_exn *e) {
  if (e->mark) return;
  e->mark = true;
  m->ework[m->nework++] = e;
}

/* Mark what p is, if it is ours: an object, or a kept exception. */
static void mark(marker *m, const void *p) {
  if (!p || ((uintptr_t)p & 7)) return; /* null, an i31 */
  if (wm__gc_owns(m->rt, p)) {
    mark_obj(m, (wm_gcobj *)p);
    return;
  }
  wm_exn *e = m->nexns ? kept_exn(m, p) : NULL;
  if (e) mark_exn(m, e);
}

bool wm__gc_held(const uintptr_t *words, size_t k, const wm_gcobj *o) {
  uintptr_t a = (uintptr_t)o;
  size_t lo = 0, hi = k; /* the first word at or above o */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (words[mid] < a) lo = mid + 1;
    else hi = mid;
  }
  return lo < k && words[lo] - a <= sizeof(wm_gcobj) + o->size;
}

static int by_word(const void *a, const void *b) {
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

/* Mark every object a compiled frame's word points into. */
static void mark_held(marker *m) {
  if (!m->nwords && !m->keep_all) return;
  qsort(m->words, m->nwords, sizeof *m->words, by_word);
  for (wm_gcobj *o = m->rt->gc_objs; o; o = o->next)
    if (m->keep_all || wm__gc_held(m->words, m->nwords, o)) mark_obj(m, o);
}

#if WM_NATIVE_SCAN
/* Every word of [lo, hi), a stretch of compiled frames (and of the runtime's
** frames below them): read as it is, redzones and all, not through ASan.
** Kept exceptions are marked now; words that may point into an object are
** kept for mark_held. */
__attribute__((no_sanitize_address)) static void scan_words(marker *m, uintptr_t lo,
                                                              uintptr_t hi) {
  lo = (lo + sizeof(void *) - 1) & ~(uintptr_t)(sizeof(void *) - 1);
  if (lo >= hi) return;
  VALGRIND_MAKE_MEM_DEFINED((void *)lo, hi - lo);
  for (uintptr_t p = lo; p + sizeof(void *) <= hi; p += sizeof(void *)) {
    uintptr_t w = *(const volatile uintptr_t *)p;
    if (w < 4096) continue; /* null, small numbers: no object is there */
    if (m->nexns && !(w & 7)) {
      wm_exn *e = kept_exn(m, (const void *)w);
      if (e) mark_exn(m, e);
    }
    if (m->nwords < m->cap_words) m->words[m->nwords++] = w;
    else m->keep_all = true;
  }
}

/* Below scan_native's frame: the segments, an open one from here. */
__attribute__((noinline)) static void scan_below(marker *m) {
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  for (const wm_native_seg *s = m->rt->native_seg; s; s = s->prev)
    scan_words(m, s->lo ? s->lo : here, s->hi);
}

/* Every callee-saved register is saved in this frame first: one may hold
** the only copy of a compiled frame's reference. */
__attribute__((noinline)) static void scan_native(marker *m) {
  __builtin_unwind_init();
  scan_below(m);
  __asm__ volatile("" ::: "memory"); /* no tail call: this frame stays */
}

__attribute__((noinline)) uintptr_t wm__native_sp(void) {
  return (uintptr_t)__builtin_frame_address(0);
}
#endif

static void mark_slots(marker *m, const wm_slot *s, size_t n) {
  for (size_t i = 0; i < n; i++) mark(m, s[i].ref);
}

static void mark_payload(marker *m, const wm_exn *e) {
  if (e) mark_slots(m, e->vals, e->tag->nslots);
}

static void mark_table(marker *m, const wm_table *t) {
  if (wm__vt_top(t->type) == 0x70) return; /* functions are not collected */
  for (uint32_t j = 0; j < t->size; j++) mark(m, t->elems[j]);
}

static void mark_global(marker *m, const wm_global *g) {
  if (wm__is_reftype(g->type) && wm__vt_top(g->type) != 0x70) mark(m, g->val[0].ref);
}

static void mark_roots(marker *m, const wm_exn *extra) {
  wm_runtime *rt = m->rt;
  wm_slot *end = rt->stack_top;
  if (rt->nframes) {
    const wm_frame *top = &rt->frames[rt->nframes - 1];
    wm_slot *fe = top->fp + top->func->code->frame_slots;
    if (fe > end) end = fe;
  }
  if (end > rt->stack_end) end = rt->stack_end;
  VALGRIND_MAKE_MEM_DEFINED(rt->stack, (size_t)(end - rt->stack) * sizeof(wm_slot));
  mark_slots(m, rt->stack, (size_t)(end - rt->stack));
  for (uint32_t i = 0; i < m->nexns; i++)
    if (m->exns[i]->host) mark(m, m->exns[i]);
  mark(m, rt->exn);
  mark_payload(m, rt->exn);
  mark_payload(m, extra);
  for (uint32_t i = 0; i < rt->ninsts; i++) {
    const wm_instance *inst = rt->insts[i];
    const wm_module *mod = inst->mod;
    for (uint32_t g = 0; g < mod->nglobals; g++) mark_global(m, inst->globals[g]);
    for (uint32_t t = 0; t < mod->ntables; t++) mark_table(m, inst->tables[t]);
    if (inst->elem_refs)
      for (uint32_t s = 0; s < mod->nelems; s++)
        if (inst->elem_refs[s] && !inst->elem_dropped[s])
          for (uint32_t k = 0; k < mod->elems[s].count; k++) mark(m, inst->elem_refs[s][k]);
  }
  for (uint32_t i = 0; i < rt->ntables; i++) mark_table(m, rt->tables[i]);
  for (uint32_t i = 0; i < rt->nhost_globals; i++) mark_global(m, rt->host_globals[i]);
  for (uint32_t i = 0; i < rt->npins; i++) mark(m, rt->pins[i]);
#if WM_NATIVE_SCAN
  if (rt->native_seg) scan_native(m);
#endif
  mark_held(m);
}

/* Read the payloads of what is marked until nothing new is. */
static void trace(marker *m) {
  while (m->nobjs || m->nework) {
    if (m->nework) {
      mark_payload(m, m->ework[--m->nework]);
      continue;
    }
    const wm_gcobj *o = m->objs[--m->nobjs];
    for (uint32_t i = 0; i + 8 <= o->size; i += 8) {
      void *p;
      memcpy(&p, o->data + i, sizeof p);
      mark(m, p);
    }
  }
}

/* Free the unmarked objects, unmark the rest and rebuild the address set
** in place (it has room: it held more). */
static void sweep_objects(wm_runtime *rt) {
  wm_gcobj **link = &rt->gc_objs;
  for (wm_gcobj *o = rt->gc_objs, *next; o; o = next) {
    next = o->next;
    if (o->mark) {
      o->mark = 0;
      *link = o;
      link = &o->next;
    } else {
      rt->gc_bytes -= sizeof(wm_gcobj) + o->size;
      rt->gc_n--;
      wm__free(o);
    }
  }
  *link = NULL;
  if (rt->gc_cap) memset(rt->gc_set, 0, rt->gc_cap * sizeof *rt->gc_set);
  for (wm_gcobj *o = rt->gc_objs; o; o = o->next) wm__gc_set_put(rt, o);
}

static void sweep_exns(wm_runtime *rt) {
  wm_exn **link = &rt->exns;
  for (wm_exn *e = rt->exns, *next; e; e = next) {
    next = e->next;
    if (e->mark) {
      e->mark = false;
      *link = e;
      link = &e->next;
    } else {
      wm__free(e);
      rt->nexns--;
    }
  }
  *link = NULL;
}

/* When the next collection is due: the kept exceptions doubled, the
** objects' bytes doubled (at least WM_GC_MIN_STEP more). */
static void schedule(wm_runtime *rt) {
  rt->exn_sweep_at = rt->nexns < WM_EXN_SWEEP_MIN / 2 ? WM_EXN_SWEEP_MIN
                     : rt->nexns > UINT32_MAX / 2  ? UINT32_MAX
                                                    : rt->nexns * 2;
  uint64_t step = rt->gc_bytes > WM_GC_MIN_STEP ? rt->gc_bytes : WM_GC_MIN_STEP;
  rt->gc_next = rt->gc_bytes + step;
  rt->gc_live = rt->gc_bytes;
}

bool wm__gc_collect(wm_runtime *rt, const wm_exn *extra) {
  if (atomic_load(&rt->refs_shared) || (!WM_NATIVE_SCAN && rt->native_depth)) return false;
  marker m = {0};
  m.rt = rt;
  m.nexns = rt->nexns;
  m.exns = wm__malloc((m.nexns ? m.nexns : 1) * sizeof *m.exns);
  m.ework = wm__malloc((m.nexns ? m.nexns : 1) * sizeof *m.ework);
  m.objs = wm__malloc((rt->gc_n ? rt->gc_n : 1) * sizeof *m.objs);
  bool ok = m.exns && m.ework && m.objs;
#if WM_NATIVE_SCAN
  if (ok && rt->native_seg) {
    /* Room for the segments' words, an open one's from here, and for the
    ** frames the scan adds below (a few hundred bytes; 64 KiB allowed). */
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    size_t bytes = 65536;
    for (const wm_native_seg *sg = rt->native_seg; sg; sg = sg->prev) {
      uintptr_t lo = sg->lo ? sg->lo : here;
      bytes += sg->hi > lo ? sg->hi - lo : 0;
    }
    m.cap_words = bytes / sizeof(void *);
    m.words = wm__malloc(m.cap_words * sizeof *m.words);
    ok = m.words != NULL;
  }
#endif
  if (ok) {
    uint32_t k = 0;
    for (wm_exn *e = rt->exns; e; e = e->next) m.exns[k++] = e;
    qsort(m.exns, m.nexns, sizeof *m.exns, by_address);
    mark_roots(&m, extra);
    trace(&m);
    sweep_objects(rt);
    sweep_exns(rt);
    rt->gc_collections++;
  }
  wm__free(m.exns);
  wm__free(m.ework);
  wm__free(m.objs);
  wm__free(m.words);
  schedule(rt); /* also after a failed allocation: not again at once */
  return ok;
}

/* -------------------------------------------------------------- public */

int wm_runtime_collect(wm_runtime *rt) {
  if (!rt) return WM_EINVAL;
  if (atomic_load(&rt->refs_shared) || (!WM_NATIVE_SCAN && rt->native_depth)) return WM_EUNSUPPORTED;
  return wm__gc_collect(rt, NULL) ? WM_OK : WM_ENOMEM;
}

int wm_ref_pin(wm_runtime *rt, void *ref) {
  if (!rt) return WM_EINVAL;
  if (!ref || wm__is_i31(ref)) return WM_OK; /* nothing to keep */
  if (!wm__gc_owns(rt, ref)) return WM_EINVAL;
  if (wm__grow((void **)&rt->pins, &rt->cap_pins, rt->npins + 1, sizeof *rt->pins))
    return WM_ENOMEM;
  rt->pins[rt->npins++] = ref;
  return WM_OK;
}

int wm_ref_unpin(wm_runtime *rt, void *ref) {
  if (!rt) return WM_EINVAL;
  if (!ref || wm__is_i31(ref)) return WM_OK;
  for (uint32_t i = rt->npins; i-- > 0;)
    if (rt->pins[i] == ref) {
      rt->pins[i] = rt->pins[--rt->npins];
      return WM_OK;
    }
  return WM_ENOT_FOUND;
}
