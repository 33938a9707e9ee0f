/* SPDX-License-Identifier: MIT */
/*
** exn.c -- exception handling (WebAssembly 3.0) at run time: tags, the
** exception objects the runtime owns, the unwinder's search of the lowered
** code's handler tables (module.h, wm_handler; made by
** load/compile_exc.c), and the public calls that give a host the pending
** exception or let it throw one.
**
** Throwing costs an allocation; code that throws nothing pays nothing: the
** tables are read only while an exception unwinds, after the interpreter
** loop has left through its one exit for traps (interp_loop.h, `trapped`;
** interp.c's run_for unwinds and re-enters it). An exception lives until
** a plain catch takes it, unless an exnref has been made of it (runtime.h,
** wm_exn): a guest that throws and catches without end stays bounded.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "gc.h"

/* The sweep reads stack slots no instruction has written yet, on purpose
** (below): under Valgrind, they are declared defined first. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

int wm__tags_create(wm_instance *inst, wm_error *err) {
  const wm_module *mod = inst->mod;
  uint32_t ndef = mod->ntags - mod->ntag_imports;
  if (!ndef) return WM_OK;
  wm_tag *ts = wm__calloc(ndef, sizeof *ts);
  if (!ts || wm__rt_own(inst->rt, ts)) {
    wm__free(ts);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  for (uint32_t i = 0; i < ndef; i++) {
    uint32_t k = mod->ntag_imports + i, ti = mod->tags[k];
    ts[i].type_id = inst->type_ids[ti];
    ts[i].type = &mod->types[ti];
    ts[i].nslots = (uint32_t)wm__type_slots(ts[i].type->params, ts[i].type->nparams);
    ts[i].inst = inst;
    ts[i].rt = inst->rt;
    ts[i].idx = k;
    inst->tags[k] = &ts[i];
  }
  return WM_OK;
}

/* A host tag and its type's storage, one allocation. */
typedef struct host_tag {
  wm_tag tag;
  wm_type type;
  wm_valtype arr[];
} host_tag;

int wm_tag_new(wm_runtime *rt, const wm_functype *type, wm_tag **out, wm_error *err) {
  if (!rt || !type || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_tag_new: NULL argument");
  *out = NULL;
  if (type->nresults)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_tag_new: a tag's type has no results");
  if (type->nparams && !type->params)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_tag_new: type arrays are NULL");
  if (type->nparams > 1000)
    return wm__error(err, WM_ELIMIT, UINT32_MAX, "too many params (limit 1000)");
  for (uint32_t i = 0; i < type->nparams; i++) {
    wm_valtype v = type->params[i];
    if (!wm__is_reftype((uint8_t)v) && v != WM_I32 && v != WM_I64 && v != WM_F32 && v != WM_F64 &&
        v != WM_V128)
      return wm__error(err, WM_EINVAL, UINT32_MAX, "unsupported value type 0x%02x in tag type",
                       (unsigned)v);
  }
  host_tag *h = wm__calloc(1, sizeof *h + type->nparams * sizeof(wm_valtype));
  if (!h) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (type->nparams) memcpy(h->arr, type->params, type->nparams * sizeof(wm_valtype));
  h->type.nparams = type->nparams;
  h->type.kind = WM_COMP_FUNC; /* calloc'd: no results */
  h->type.params = h->arr;
  h->type.results = h->arr + type->nparams;
  uint32_t id;
  int rc = wm__intern_type(rt, &h->type, &id, err);
  if (rc || wm__rt_own(rt, h)) {
    wm__free(h);
    return rc ? rc : wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  h->tag.type_id = id;
  h->tag.rt = rt;
  h->tag.type = &h->type;
  h->tag.nslots = (uint32_t)wm__type_slots(h->arr, type->nparams);
  *out = &h->tag;
  return WM_OK;
}

wm_functype wm_tag_type(const wm_tag *tag) {
  wm_functype f = {0, 0, NULL, NULL};
  if (!tag) return f;
  f.nparams = tag->type->nparams;
  f.params = tag->type->params;
  f.results = tag->type->results;
  return f;
}

/* ------------------------------------------------------------ exceptions */

int wm__exn_throw(wm_runtime *rt, wm_tag *tag, const wm_slot *vals) {
  wm_exn *e = wm__malloc(sizeof *e + (size_t)tag->nslots * sizeof(wm_slot));
  if (!e) return WM_ENOMEM;
  e->tag = tag;
  e->next = NULL;
  e->kept = false;
  e->host = false;
  if (tag->nslots) memcpy(e->vals, vals, tag->nslots * sizeof(wm_slot));
  wm__exn_set(rt, e);
  return WM_EXCEPTION;
}

/* ------------------------------------------------------------- the sweep */

/*
** The kept exceptions nothing names any more are freed when their number
** doubles (at least WM_EXN_SWEEP_MIN): a mark and sweep whose roots are
** the value stack up to the top frame's end, read conservatively (lowered
** code has no map of which slots hold references, so any slot equal to a
** kept exception's address keeps it), the exnref globals and tables of
** the runtime's instances (imported ones too), the pending exception and
** `extra` (being kept now), and every exception the host has seen; a kept
** exception's payload keeps what it names. The sweep runs only while a
** catch clause unwinds (wm__exn_catch), when every live value is in the
** stack's slots. A runtime that shares exnrefs with another never sweeps
** (wm__exn_share). A failed allocation skips the sweep.
*/
typedef struct exn_marks {
  wm_exn **v;     /* the kept exceptions, sorted by address */
  bool *mark;
  uint32_t *work; /* marked, payload not scanned yet */
  uint32_t n, nwork;
} exn_marks;

static int by_address(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (wm_exn *const *)a, y = (uintptr_t) * (wm_exn *const *)b;
  return x < y ? -1 : x > y;
}

/* Mark the kept exception at address p, if p is one. */
static void mark_ptr(exn_marks *m, const void *p) {
  uint32_t lo = 0, hi = m->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if ((uintptr_t)m->v[mid] < (uintptr_t)p) lo = mid + 1;
    else hi = mid;
  }
  if (lo < m->n && m->v[lo] == p && !m->mark[lo]) {
    m->mark[lo] = true;
    m->work[m->nwork++] = lo;
  }
}

static void mark_slots(exn_marks *m, const wm_slot *s, size_t n) {
  for (size_t i = 0; i < n; i++) mark_ptr(m, s[i].ref);
}

/* A word of a GC object's payload (wm__gc_each_ref): objects live until
** the runtime is freed, so every exnref they hold is a root. */
static void mark_word(void *m, const void *p) { mark_ptr(m, p); }

static void mark_payload(exn_marks *m, const wm_exn *e) {
  if (e) mark_slots(m, e->vals, e->tag->nslots);
}

static void sweep(wm_runtime *rt, const wm_exn *extra) {
  exn_marks m = {0};
  m.n = rt->nexns;
  m.v = wm__malloc(m.n * sizeof *m.v);
  m.mark = wm__calloc(m.n, sizeof *m.mark);
  m.work = wm__malloc(m.n * sizeof *m.work);
  if (m.v && m.mark && m.work) {
    uint32_t k = 0;
    for (wm_exn *e = rt->exns; e; e = e->next) m.v[k++] = e;
    qsort(m.v, m.n, sizeof *m.v, by_address);
    for (uint32_t i = 0; i < m.n; i++)
      if (m.v[i]->host) {
        m.mark[i] = true;
        m.work[m.nwork++] = i;
      }
    wm_slot *end = rt->stack_top;
    if (rt->nframes) {
      const wm_frame *top = &rt->frames[rt->nframes - 1];
      wm_slot *fe = top->fp + top->func->code->frame_slots;
      if (fe > end) end = fe;
    }
    if (end > rt->stack_end) end = rt->stack_end;
    VALGRIND_MAKE_MEM_DEFINED(rt->stack, (size_t)(end - rt->stack) * sizeof(wm_slot));
    mark_slots(&m, rt->stack, (size_t)(end - rt->stack));
    wm__gc_each_ref(rt, mark_word, &m);
    mark_ptr(&m, rt->exn);
    mark_payload(&m, rt->exn);
    mark_payload(&m, extra);
    for (uint32_t i = 0; i < rt->ninsts; i++) {
      const wm_instance *inst = rt->insts[i];
      for (uint32_t g = 0; g < inst->mod->nglobals; g++)
        if (WM_VT_KIND(inst->globals[g]->type) == WM_EXNREF) mark_ptr(&m, inst->globals[g]->val[0].ref);
      for (uint32_t t = 0; t < inst->mod->ntables; t++) {
        const wm_table *tb = inst->tables[t];
        if (WM_VT_KIND(tb->type) != WM_EXNREF) continue;
        for (uint32_t j = 0; j < tb->size; j++) mark_ptr(&m, tb->elems[j]);
      }
    }
    while (m.nwork) mark_payload(&m, m.v[m.work[--m.nwork]]);
    wm_exn **link = &rt->exns;
    for (wm_exn *e = rt->exns, *next; e; e = next) {
      next = e->next;
      wm_exn **at = bsearch(&e, m.v, m.n, sizeof *m.v, by_address);
      if (m.mark[at - m.v]) {
        *link = e;
        link = &e->next;
      } else {
        wm__free(e);
        rt->nexns--;
      }
    }
    *link = NULL;
  }
  wm__free(m.v);
  wm__free(m.mark);
  wm__free(m.work);
  /* The next when the number has doubled again. */
  rt->exn_sweep_at = rt->nexns < WM_EXN_SWEEP_MIN / 2 ? WM_EXN_SWEEP_MIN
                     : rt->nexns > UINT32_MAX / 2  ? UINT32_MAX
                                                    : rt->nexns * 2;
}

void wm__exn_share(wm_runtime *a, wm_runtime *b) {
  if (a) atomic_store(&a->exn_shared, true);
  if (b) atomic_store(&b->exn_shared, true);
}

/* An exnref is being made of e: from now on it lives with the runtime.
** Only the unwinder may sweep (sweep_ok): the stack is whole then. */
static void keep(wm_runtime *rt, wm_exn *e, bool sweep_ok) {
  if (e->kept) return;
  if (sweep_ok && rt->nexns >= rt->exn_sweep_at && !atomic_load(&rt->exn_shared)) sweep(rt, e);
  e->kept = true;
  e->next = rt->exns;
  rt->exns = e;
  rt->nexns++;
}

void wm__exn_set(wm_runtime *rt, wm_exn *e) {
  wm_exn *old = rt->exn;
  rt->exn = e;
  if (old && old != e && !old->kept) wm__free(old);
}

void wm__exn_free_all(wm_runtime *rt) {
  wm__exn_set(rt, NULL);
  for (wm_exn *e = rt->exns, *next; e; e = next) {
    next = e->next;
    wm__free(e);
  }
  rt->exns = NULL;
  rt->nexns = 0;
}

const uint32_t *wm__exn_catch(wm_runtime *rt, wm_frame *base) {
  wm_exn *e = rt->exn;
  if (!e) return NULL; /* defensive: WM_EXCEPTION comes with one */
  wm_frame *top = &rt->frames[rt->nframes - 1];
  for (wm_frame *f = top;; f--) {
    /* The throwing instruction, or (a return address) the call a callee's
    ** exception came out of. */
    const uint32_t *at = f == top ? rt->trap_ip : f[1].ret_ip - 1;
    const wm_code *c = f->func->code;
    if (c->nhandlers && at >= c->code && at < c->code + c->ncode) {
      uint32_t cell = (uint32_t)(at - c->code);
      for (uint32_t i = 0; i < c->nhandlers; i++) {
        const wm_handler *h = &c->handlers[i];
        if (cell < h->start || cell >= h->end) continue;
        if (h->kind == WM_CATCH_SKIP) break; /* a return_call left this frame */
        if (h->kind < WM_CATCH_ALL && f->func->inst->tags[h->tag] != e->tag) continue;
        wm_slot *d = f->fp + h->dest;
        if (h->kind < WM_CATCH_ALL) {
          if (e->tag->nslots) memcpy(d, e->vals, e->tag->nslots * sizeof(wm_slot));
          d += e->tag->nslots;
        }
        if (h->kind == WM_CATCH_REF || h->kind == WM_CATCH_ALL_REF) {
          keep(rt, e, true);
          d->ref = e;
        }
        wm__exn_set(rt, NULL); /* frees it unless an exnref names it */
        rt->nframes = (uint32_t)(f - rt->frames) + 1;
        return c->code + h->pad;
      }
    }
    if (f == base) return NULL;
  }
}

/* ", payload 5 2.5": the first few numeric values, for the message. */
static void payload_text(const wm_exn *e, char *buf, size_t cap) {
  const wm_type *t = e->tag->type;
  size_t len = 0;
  buf[0] = 0;
  for (uint32_t i = 0, k = 0; i < t->nparams && i < 4 && len + 32 < cap;
       k += t->params[i++] == WM_V128 ? 2 : 1) {
    const wm_slot *s = &e->vals[k];
    const char *sep = i ? " " : ", payload ";
    int n;
    switch (t->params[i]) {
      case WM_I32: n = snprintf(buf + len, cap - len, "%s%d", sep, (int)s->i32); break;
      case WM_I64: n = snprintf(buf + len, cap - len, "%s%lld", sep, (long long)s->i64); break;
      case WM_F32: n = snprintf(buf + len, cap - len, "%s%.9g", sep, (double)s->f32); break;
      case WM_F64: n = snprintf(buf + len, cap - len, "%s%.17g", sep, s->f64); break;
      default: n = snprintf(buf + len, cap - len, "%s%s", sep, wm_valtype_name(t->params[i])); break;
    }
    if (n < 0) break;
    len += (size_t)n;
  }
  if (t->nparams > 4 && len + 5 < cap) snprintf(buf + len, cap - len, " ...");
}

void wm__exn_describe(const wm_runtime *rt, char *msg) {
  const wm_exn *e = rt->exn;
  if (!e) return;
  const wm_tag *t = e->tag;
  char vals[160];
  payload_text(e, vals, sizeof vals);
  if (!t->inst) {
    snprintf(msg, 256, "uncaught exception (a host tag)%s", vals);
    return;
  }
  const wm_module *mod = t->inst->mod;
  const char *name = NULL;
  for (uint32_t i = 0; i < mod->nexports && !name; i++)
    if (mod->exports[i].kind == WM_EXTERN_TAG && mod->exports[i].idx == t->idx)
      name = mod->exports[i].name;
  if (name)
    snprintf(msg, 256, "uncaught exception (tag %u \"%.60s\")%s", (unsigned)t->idx, name, vals);
  else
    snprintf(msg, 256, "uncaught exception (tag %u)%s", (unsigned)t->idx, vals);
}

/* ------------------------------------------------------------ public API */

int wm_runtime_exception(wm_runtime *rt, wm_tag **tag, wm_val *vals, uint32_t cap, uint32_t *n,
                         wm_val *exn) {
  if (!rt || !rt->exn) return WM_EINVAL;
  const wm_exn *e = rt->exn;
  const wm_type *t = e->tag->type;
  if (tag) *tag = e->tag;
  if (n) *n = t->nparams;
  for (uint32_t i = 0, k = 0; vals && i < t->nparams && i < cap;
       k += t->params[i++] == WM_V128 ? 2 : 1)
    vals[i] = wm__slots_to_val(&e->vals[k], t->params[i]);
  if (exn) {
    keep(rt, rt->exn, false);
    rt->exn->host = true; /* the host may hold the exnref as long as it likes */
    exn->type = WM_EXNREF;
    exn->of.ref = rt->exn;
  }
  return WM_OK;
}

int wm_runtime_throw(wm_runtime *rt, wm_tag *tag, const wm_val *vals, uint32_t n, wm_error *err) {
  if (!rt || !tag || (n && !vals))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_runtime_throw: NULL argument");
  const wm_type *t = tag->type;
  if (n != t->nparams)
    return wm__error(err, WM_ETYPE, UINT32_MAX, "tag takes %u values, %u given",
                     (unsigned)t->nparams, (unsigned)n);
  for (uint32_t i = 0; i < n; i++)
    if (vals[i].type != t->params[i])
      return wm__error(err, WM_ETYPE, UINT32_MAX, "value %u is %s, the tag's is %s", (unsigned)i,
                       wm_valtype_name(vals[i].type), wm_valtype_name(t->params[i]));
  for (uint32_t i = 0; i < n; i++) {
    const char *why = wm__vt_gc(t->params[i]) ? wm__gcref_refusal(rt, t->params[i], vals[i].of.ref)
                                              : NULL;
    if (why) return wm__error(err, WM_ETYPE, UINT32_MAX, "value %u: %s", (unsigned)i, why);
  }
  /* The payload in slot form, built on the value stack above everything
  ** live (nothing guest-sized on the C stack). */
  wm_slot *s = rt->stack_top;
  if ((size_t)(rt->stack_end - s) < tag->nslots)
    return wm__error(err, WM_ELIMIT, UINT32_MAX, "no room on the value stack for the payload");
  for (uint32_t i = 0, k = 0; i < n; k += t->params[i++] == WM_V128 ? 2 : 1)
    wm__val_to_slots(vals[i], &s[k]);
  int rc = wm__exn_throw(rt, tag, s);
  if (rc == WM_ENOMEM) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm__error(err, WM_EXCEPTION, UINT32_MAX, "uncaught exception");
  return WM_EXCEPTION;
}

void wm_runtime_exception_clear(wm_runtime *rt) {
  if (rt) wm__exn_set(rt, NULL);
}
