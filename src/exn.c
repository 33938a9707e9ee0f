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
  e->mark = false;
  if (tag->nslots) memcpy(e->vals, vals, tag->nslots * sizeof(wm_slot));
  wm__exn_set(rt, e);
  return WM_EXCEPTION;
}

/* ------------------------------------------------------------- keeping */

void wm__refs_share(wm_runtime *a, wm_runtime *b) {
  if (a) atomic_store(&a->refs_shared, true);
  if (b) atomic_store(&b->refs_shared, true);
}

/* An exnref is being made of e: from now on it lives with the runtime
** until a collection (collect.c) finds nothing naming it. The kept ones
** are collected when their number has doubled (at least
** WM_EXN_SWEEP_MIN), only from the unwinder (sweep_ok): the stack is whole
** then. */
static void keep(wm_runtime *rt, wm_exn *e, bool sweep_ok) {
  if (e->kept) return;
  if (sweep_ok && rt->nexns >= rt->exn_sweep_at) wm__gc_collect(rt, e);
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

void wm__exn_take(wm_runtime *rt, uint32_t kind, wm_slot *d) {
  wm_exn *e = rt->exn;
  if (kind < WM_CATCH_ALL) {
    if (e->tag->nslots) memcpy(d, e->vals, e->tag->nslots * sizeof(wm_slot));
    d += e->tag->nslots;
  }
  if (kind == WM_CATCH_REF || kind == WM_CATCH_ALL_REF) {
    keep(rt, e, true);
    d->ref = e;
  }
  wm__exn_set(rt, NULL); /* frees it unless an exnref names it */
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
        wm__exn_take(rt, h->kind, f->fp + h->dest);
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
