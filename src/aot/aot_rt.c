/* SPDX-License-Identifier: MIT */
/*
** aot_rt.c -- ahead-of-time compilation, second half: loading a compiled
** object (wm_module_load_native) and running its functions.
**
** A compiled object carries its module's bytes; loading them gives an
** ordinary wm_module (validated, as any), to which the object's functions
** are attached: every defined function's lowered code is one NATIVE
** instruction and a RETURN, made here at load, so that calls from the
** host, from the interpreter, through tables and exports all reach native
** code the way they reach lowered code, and the interpreter's frames,
** backtraces and nested calls are unchanged. Calls between the module's
** own functions are C calls and never come back here.
**
** NATIVE enters through wm__aot_run, which sets a jump point: a trap in
** native code (the helpers below, or the generated code's checks) jumps
** back to it, unwinding only C frames of native code and these helpers --
** every nested call into the runtime (imports, indirect calls through
** slots) has returned before its trap is re-raised here. The instance's
** context (wm_aot_ctx, aot_abi.h) holds the memory, globals and function
** space the generated code reads, and the helpers.
*/
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aot.h"
#include "aot_bt.h"
#include "aot_guard.h"
#include "cstack.h"
#include "gc.h"
#include "ops.h"
#include "util.h"

_Static_assert(sizeof(wm_aot_slot) == sizeof(wm_slot), "slot layouts differ");
_Static_assert(WM_AOT_GUARD_SPAN == WM_GUARD_SPAN, "guard spans differ");

/* An instance's context: the ABI's part first, then the runtime's. */
typedef struct aot_inst {
  wm_aot_ctx pub;
  wm_instance *inst;
  jmp_buf *jb;        /* the innermost wm__aot_run's */
  char *msg;          /* its trap message buffer (WM_TRAP_MSG_CAP bytes) */
  wm_slot *top;       /* where nested calls put their frames */
  uintptr_t guard;    /* guarded code: its memory's reservation, else 0 */
  wm_aot_bt bt;       /* the last trap's return addresses (aot_bt.c) */
  uint32_t tail_slots; /* the slots of the module's longest signature */
  bool pend;          /* WM_AOT_EXN code: exceptions are pending, not jumps */
  wm_slot *exn_buf;   /* a caught exception's payload and exnref (aot_exn.c) */
  wm_native_seg *seg; /* the innermost wm__aot_run's stack segment (collect.c) */
} aot_inst;

static const uint64_t no_memory_size = 0;

static aot_inst *of(wm_aot_ctx *c) { return (aot_inst *)c; }

/* Every trap takes its backtrace (named by wm__aot_run after the jump):
** site is the wasm function of the trap's site where the code says it. */
static _Noreturn void trap_at(aot_inst *a, int code, uint32_t site) {
  wm__aot_bt_capture(&a->bt, site, NULL);
  longjmp(*a->jb, code);
}

static _Noreturn void raise_trap(aot_inst *a, int code) { trap_at(a, code, UINT32_MAX); }

static void h_trap(wm_aot_ctx *c, int code, uint32_t fidx) { trap_at(of(c), code, fidx); }

/* Metered code's slow path: the FUEL instruction's (meter.c). */
static void h_meter(wm_aot_ctx *c, uint32_t cost, uint32_t fidx) {
  aot_inst *a = of(c);
  int code = wm__meter_poll(a->inst->rt, cost);
  if (code) trap_at(a, code, fidx);
}

/* No fault is ours while the runtime or a host runs: code that leaves
** compiled code for them clears the thread's guard (unguard) and puts it
** back when they return (reguard). */
static wm_aot_guard unguard(aot_inst *a) {
  wm_aot_guard g = {0};
  return a->guard ? wm__aot_guard_set(g) : g;
}

static void reguard(aot_inst *a, wm_aot_guard g) {
  if (a->guard) (void)wm__aot_guard_set(g);
}

/* A nested call through the runtime: its arguments in io, copied to the
** stack above the native frame by wm__interp_call. Its trap becomes ours,
** with its whole message: the nested call's backtrace, to which
** wm__aot_run adds the compiled frames above it, and the interpreter its
** own.
**
** The compiled frames' stack segment is closed below this frame while the
** callee runs (collect.c reads [lo, hi) as roots): first every callee-saved
** register, which may hold a compiled frame's reference, is saved here,
** above lo. Never inlined: the spill belongs to this frame. */
static __attribute__((noinline)) void nested(aot_inst *a, wm_func *f, wm_aot_slot *io) {
  wm_runtime *rt = a->inst->rt;
  wm_error err;
  wm_slot *saved = rt->stack_top;
  wm_native_seg *seg = a->seg;
#if WM_NATIVE_SCAN
  __builtin_unwind_init();
  seg->lo = wm__native_sp();
#endif
  rt->stack_top = a->top;
  wm_aot_guard g = unguard(a);
  int rc = f->host ? wm__interp_call_host(rt, a->inst, f, (wm_slot *)io, &err)
                   : wm__interp_call(rt, f, (wm_slot *)io, &err);
  reguard(a, g);
  rt->stack_top = saved;
  seg->lo = 0;
  if (rc == 0) return;
  if (rc == WM_EXCEPTION && a->pend) {
    /* Pending for the call site's check; results it never reads. */
    memset(io, 0, wm__type_slots(f->type->results, f->type->nresults) * sizeof *io);
    a->pub.exn = 1;
    return;
  }
  if (rc != WM_EXCEPTION && err.message[0]) snprintf(a->msg, WM_TRAP_MSG_CAP, "%s", err.message);
  raise_trap(a, rc);
}

static void h_call(wm_aot_ctx *c, uint32_t fidx, wm_aot_slot *io) {
  aot_inst *a = of(c);
  nested(a, a->inst->funcs[fidx], io);
}

/* The callee of call_indirect, checked as the interpreter's
** INDIRECT_CALLEE checks it. */
static wm_func *callee_of(aot_inst *a, uint32_t table, uint32_t type, uint32_t i) {
  wm_instance *inst = a->inst;
  const wm_table *t = inst->tables[table];
  if (i >= t->size) raise_trap(a, WM_TRAP_UNDEFINED_ELEMENT);
  wm_func *f = (wm_func *)t->elems[i];
  if (!f) {
    snprintf(a->msg, 256, "%s %u", wm_strerror(WM_TRAP_UNINITIALIZED_ELEMENT), i);
    raise_trap(a, WM_TRAP_UNINITIALIZED_ELEMENT);
  }
  if ((f->type_id != inst->type_ids[type] || f->rt != inst->rt) &&
      !wm__indirect_ok(inst->rt, f, inst->type_ids[type]))
    raise_trap(a, WM_TRAP_INDIRECT_CALL_TYPE);
  return f;
}

/* This very instance's function of exactly the type: its C signature is
** the one the caller uses. Its defined-function index, else -1. */
static int32_t direct_index(const aot_inst *a, const wm_func *f, uint32_t type) {
  if (f->inst == a->inst && f->type_id == a->inst->type_ids[type])
    return (int32_t)(f->idx - a->inst->mod->nfunc_imports);
  return -1;
}

static int32_t h_indirect(wm_aot_ctx *c, uint32_t table, uint32_t type, uint32_t i) {
  aot_inst *a = of(c);
  return direct_index(a, callee_of(a, table, type, i), type);
}

static void h_icall(wm_aot_ctx *c, uint32_t table, uint32_t type, uint32_t i, wm_aot_slot *io) {
  aot_inst *a = of(c);
  nested(a, callee_of(a, table, type, i), io);
}

/* call_ref's callee: as h_indirect's, null the only check left
** (CALL_REF's message). */
static int32_t h_ref_callee(wm_aot_ctx *c, void *ref, uint32_t type, uint32_t fidx) {
  aot_inst *a = of(c);
  wm_func *f = ref;
  if (!f) {
    snprintf(a->msg, WM_TRAP_MSG_CAP, "null function reference");
    trap_at(a, WM_TRAP_NULL_REF, fidx);
  }
  return direct_index(a, f, type);
}

static void h_ref_call(wm_aot_ctx *c, void *ref, wm_aot_slot *io) { nested(of(c), ref, io); }

/* GC's instructions (aot_gc.c): the interpreter's null message and test. */
static void h_null_trap(wm_aot_ctx *c, const char *what, uint32_t fidx) {
  aot_inst *a = of(c);
  snprintf(a->msg, WM_TRAP_MSG_CAP, "null %s reference", what);
  trap_at(a, WM_TRAP_NULL_REF, fidx);
}
static int h_ref_test(wm_aot_ctx *c, void *r, uint32_t t) {
  const wm_instance *inst = of(c)->inst;
  return wm__ref_test(inst->rt, inst, r, t);
}

/* GC's allocating and copying instructions (aot_abi.h): gc.c's, as the
** interpreter's handlers call them; the null checks and their messages
** are interp_gc.h's. An allocation may collect (the compiled frames are
** read as roots, collect.c): a value to store is passed in slots of the
** caller's frame, which the collection reads. */
static void gc_null(aot_inst *a, const void *r, uint32_t fidx) {
  if (WM_UNLIKELY(!r)) h_null_trap(&a->pub, "array", fidx);
}
static void gc_done(aot_inst *a, int trap, uint32_t fidx) {
  if (WM_UNLIKELY(trap)) trap_at(a, trap, fidx);
}
static void *gc_made(aot_inst *a, void *o, int trap, uint32_t fidx) {
  if (WM_UNLIKELY(!o)) trap_at(a, trap, fidx);
  return o;
}
static void *h_struct_new(wm_aot_ctx *c, uint32_t type, uint32_t size, uint32_t refs,
                          uint32_t fidx) {
  aot_inst *a = of(c);
  int trap = 0;
  wm_gcobj *o = wm__gc_alloc(a->inst->rt, true, WM_COMP_STRUCT, a->inst->type_ids[type], size,
                             refs != 0, &trap, a->msg);
  return gc_made(a, o, trap, fidx);
}
static void *h_array_new(wm_aot_ctx *c, uint32_t type, uint32_t st, uint32_t n,
                         const wm_aot_slot *init, uint32_t fidx) {
  aot_inst *a = of(c);
  int trap = 0;
  wm_gcobj *o = wm__gc_array_new(a->inst->rt, true, a->inst->type_ids[type], st, n,
                                 (const wm_slot *)init, &trap, a->msg);
  return gc_made(a, o, trap, fidx);
}
static void *h_array_new_data(wm_aot_ctx *c, uint32_t type, uint32_t st, uint32_t seg,
                              uint32_t src, uint32_t n, uint32_t fidx) {
  aot_inst *a = of(c);
  int trap = 0;
  wm_gcobj *o = wm__gc_array_new_data(a->inst->rt, true, a->inst, a->inst->type_ids[type], seg, st,
                                      src, n, &trap, a->msg);
  return gc_made(a, o, trap, fidx);
}
static void *h_array_new_elem(wm_aot_ctx *c, uint32_t type, uint32_t seg, uint32_t src,
                              uint32_t n, uint32_t fidx) {
  aot_inst *a = of(c);
  int trap = 0;
  wm_gcobj *o = wm__gc_array_new_elem(a->inst->rt, true, a->inst, a->inst->type_ids[type], seg,
                                      src, n, &trap, a->msg);
  return gc_made(a, o, trap, fidx);
}
static void h_array_fill(wm_aot_ctx *c, void *o, uint32_t i, const wm_aot_slot *v, uint32_t n,
                         uint32_t st, uint32_t fidx) {
  gc_null(of(c), o, fidx);
  gc_done(of(c), wm__gc_array_fill(o, i, n, st, (const wm_slot *)v), fidx);
}
static void h_array_copy(wm_aot_ctx *c, void *d, uint32_t i, void *s, uint32_t j, uint32_t n,
                         uint32_t st, uint32_t fidx) {
  gc_null(of(c), d, fidx);
  gc_null(of(c), s, fidx);
  gc_done(of(c), wm__gc_array_copy(d, i, s, j, n, st), fidx);
}
static void h_array_init(wm_aot_ctx *c, uint32_t data, uint32_t seg, void *o, uint32_t i,
                         uint32_t src, uint32_t n, uint32_t st, uint32_t fidx) {
  aot_inst *a = of(c);
  gc_null(a, o, fidx);
  gc_done(a, data ? wm__gc_array_init_data(a->inst, o, seg, i, src, n, st)
                  : wm__gc_array_init_elem(a->inst, o, seg, i, src, n), fidx);
}
static void *h_convert(wm_aot_ctx *c, void *r, uint32_t to_extern, uint32_t fidx) {
  aot_inst *a = of(c);
  void *out = NULL;
  int trap = to_extern ? wm__gc_externalize(a->inst->rt, true, r, &out, a->msg)
                       : wm__gc_internalize(a->inst->rt, true, r, &out, a->msg);
  gc_done(a, trap, fidx);
  return out;
}

/* The tail calls left pending (aot_abi.h), one after another until none
** is: a function of this instance through its entry (which may leave the
** next one), anything else nested. Their slots are taken at the stack top
** and a->top raised past them, so that the calls' own nested calls go
** above; a trap leaves through wm__aot_run, which puts a->top back. */
static wm_aot_slot *h_tail_run(wm_aot_ctx *c) {
  aot_inst *a = of(c);
  wm_slot *io = a->top;
  if ((size_t)(a->inst->rt->stack_end - io) < a->tail_slots) raise_trap(a, WM_TRAP_STACK_EXHAUSTED);
  a->top = io + a->tail_slots;
  const wm_module *mod = a->inst->mod;
  const wm_aot_lib *l = mod->aot;
  const wm_slot *args = (const wm_slot *)c->tail_args;
  while (c->tail_f) {
    wm_func *f = c->tail_f;
    c->tail_f = NULL;
    bool own = !f->host && f->inst == a->inst;
    uint32_t k = own ? f->idx - mod->nfunc_imports : 0;
    size_t n = own ? l->codes[k].nparam_slots : wm__type_slots(f->type->params, f->type->nparams);
    if (n > a->tail_slots) n = a->tail_slots; /* never: the caller's type has as many */
    for (size_t i = 0; i < n; i++) io[i] = args[i];
    if (own)
      l->desc->entries[k](c, (wm_aot_slot *)io);
    else
      nested(a, f, (wm_aot_slot *)io);
  }
  a->top = io;
  return (wm_aot_slot *)io;
}

/* Growing calls the embedder's limiter (memory_growing, table_growing):
** host code, so it runs unguarded. */
static uint64_t h_mem_grow(wm_aot_ctx *c, uint32_t mem, uint64_t delta) {
  aot_inst *a = of(c);
  wm_aot_guard g = unguard(a);
  int64_t r = wm__memory_grow(a->inst->mems[mem], delta);
  reguard(a, g);
  return (uint64_t)r;
}

static void h_mem_fill(wm_aot_ctx *c, uint32_t mem, uint64_t d, uint32_t val, uint64_t n) {
  wm_memory *m = of(c)->inst->mems[mem];
  if (!wm__in_range(d, n, m->size)) raise_trap(of(c), WM_TRAP_MEMORY_OOB);
  if (n) memset(m->base + d, (int)(uint8_t)val, (size_t)n);
}

static void h_mem_copy(wm_aot_ctx *c, uint32_t dm, uint32_t sm, uint64_t d, uint64_t s,
                       uint64_t n) {
  wm_memory *md = of(c)->inst->mems[dm], *ms = of(c)->inst->mems[sm];
  if (!wm__in_range(s, n, ms->size) || !wm__in_range(d, n, md->size))
    raise_trap(of(c), WM_TRAP_MEMORY_OOB);
  if (n) memmove(md->base + d, ms->base + s, (size_t)n);
}

static void h_mem_init(wm_aot_ctx *c, uint32_t mem, uint32_t seg, uint64_t d, uint32_t s,
                       uint32_t n) {
  wm_instance *inst = of(c)->inst;
  wm_memory *m = inst->mems[mem];
  const wm_data *data = &inst->mod->datas[seg];
  uint32_t len = inst->data_dropped[seg] ? 0 : data->len;
  if (!wm__in_range(s, n, len) || !wm__in_range(d, n, m->size))
    raise_trap(of(c), WM_TRAP_MEMORY_OOB);
  if (n) memcpy(m->base + d, data->bytes + s, n);
}

static void h_data_drop(wm_aot_ctx *c, uint32_t seg) { of(c)->inst->data_dropped[seg] = true; }

static void *h_table_get(wm_aot_ctx *c, uint32_t table, uint32_t i) {
  const wm_table *t = of(c)->inst->tables[table];
  if (i >= t->size) raise_trap(of(c), WM_TRAP_TABLE_OOB);
  return t->elems[i];
}

static void h_table_set(wm_aot_ctx *c, uint32_t table, uint32_t i, void *v) {
  wm_table *t = of(c)->inst->tables[table];
  if (i >= t->size) raise_trap(of(c), WM_TRAP_TABLE_OOB);
  t->elems[i] = v;
}

static uint32_t h_table_size(wm_aot_ctx *c, uint32_t table) {
  return of(c)->inst->tables[table]->size;
}

static uint64_t h_table_grow(wm_aot_ctx *c, uint32_t table, void *init, uint64_t n) {
  aot_inst *a = of(c);
  wm_aot_guard g = unguard(a);
  int64_t r = wm__table_grow(a->inst->tables[table], n, init);
  reguard(a, g);
  return (uint64_t)r;
}

static void h_table_fill(wm_aot_ctx *c, uint32_t table, uint32_t i, void *v, uint32_t n) {
  wm_table *t = of(c)->inst->tables[table];
  if (!wm__in_range(i, n, t->size)) raise_trap(of(c), WM_TRAP_TABLE_OOB);
  for (uint32_t k = 0; k < n; k++) t->elems[i + k] = v;
}

static void h_table_copy(wm_aot_ctx *c, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                         uint32_t n) {
  wm_table *td = of(c)->inst->tables[dt];
  const wm_table *ts = of(c)->inst->tables[st];
  if (!wm__in_range(s, n, ts->size) || !wm__in_range(d, n, td->size))
    raise_trap(of(c), WM_TRAP_TABLE_OOB);
  if (n) memmove(td->elems + d, ts->elems + s, (size_t)n * sizeof(void *));
}

static void h_table_init(wm_aot_ctx *c, uint32_t table, uint32_t seg, uint32_t d, uint32_t s,
                         uint32_t n) {
  wm_instance *inst = of(c)->inst;
  wm_table *t = inst->tables[table];
  const wm_elem *e = &inst->mod->elems[seg];
  uint32_t len = inst->elem_dropped[seg] ? 0 : e->count;
  if (!wm__in_range(s, n, len) || !wm__in_range(d, n, t->size))
    raise_trap(of(c), WM_TRAP_TABLE_OOB);
  for (uint32_t k = 0; k < n; k++) t->elems[d + k] = wm__elem_item(inst, seg, s + k);
}

/* throw and throw_ref (aot_abi.h): the exception is the interpreter's
** (THROW, THROW_REF), pending or jumped with as the code was compiled. */
static void h_exn_throw(wm_aot_ctx *c, uint32_t tag, void *ref, const wm_aot_slot *vals,
                        uint32_t fidx) {
  aot_inst *a = of(c);
  wm_runtime *rt = a->inst->rt;
  if (tag == UINT32_MAX) {
    if (!ref) trap_at(a, WM_TRAP_NULL_EXN, fidx);
    wm__exn_set(rt, ref); /* kept: an exnref names it */
  } else {
    int rc = wm__exn_throw(rt, a->inst->tags[tag], (const wm_slot *)vals);
    if (rc != WM_EXCEPTION) trap_at(a, rc, fidx);
  }
  if (!a->pend) longjmp(*a->jb, WM_EXCEPTION);
  c->exn = 1;
}

/* One catch clause of a try_table's dispatch: does it take the pending
** exception? Then as the interpreter's unwinder takes it (wm__exn_take). */
static const wm_aot_slot *h_exn_catch(wm_aot_ctx *c, uint32_t tag, uint32_t kind) {
  aot_inst *a = of(c);
  wm_runtime *rt = a->inst->rt;
  if (!rt->exn) return NULL; /* defensive: exn comes with one */
  if (kind < WM_CATCH_ALL && a->inst->tags[tag] != rt->exn->tag) return NULL;
  wm__exn_take(rt, kind, a->exn_buf);
  c->exn = 0;
  return (const wm_aot_slot *)a->exn_buf;
}

static void h_elem_drop(wm_aot_ctx *c, uint32_t seg) { of(c)->inst->elem_dropped[seg] = true; }

int wm__aot_instance(wm_instance *inst, wm_error *err) {
  const wm_module *mod = inst->mod;
  size_t ng = mod->nglobals, nm = mod->nmems, nt = 1;
  for (uint32_t i = 0; i < mod->ntypes; i++) {
    const wm_type *t = &mod->types[i];
    size_t np = wm__type_slots(t->params, t->nparams), nr = wm__type_slots(t->results, t->nresults);
    if (np > nt) nt = np;
    if (nr > nt) nt = nr;
  }
  size_t ne = 1; /* the largest payload and an exnref */
  for (uint32_t i = 0; i < mod->ntags; i++) {
    const wm_type *t = &mod->types[mod->tags[i]];
    size_t n = wm__type_slots(t->params, t->nparams) + 1;
    if (n > ne) ne = n;
  }
  aot_inst *a = wm__calloc(1, sizeof *a + ng * sizeof(wm_aot_slot *) + nm * sizeof(uint8_t *) +
                                  nm * sizeof(uint64_t *) + (nt + ne) * sizeof(wm_aot_slot));
  if (!a || wm__rt_own(inst->rt, a)) {
    wm__free(a);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  /* Guarded code needs its memory reserved for it, and the fault handler. */
  if (mod->aot->desc->flags & WM_AOT_GUARDED) {
    const char *why = NULL;
    if (sizeof(void *) < 8)
      why = "needs a 64-bit host";
    else if (mod->nmems && !wm__memory_guarded(inst->mems[0]))
      why = "needs its memory reserved with 8 GiB of guard, and the imported memory was not "
            "(one defined by an interpreted module, or in a pool's slot)";
    else if (wm__aot_guard_install() != 0)
      why = "needs a SIGSEGV handler, and the system refused to install one";
    if (why)
      return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX,
                       "compiled code without bounds checks %s; compile the module with "
                       "--bounds-checks (wasmem compile, or run/call --aot)",
                       why);
    if (mod->nmems) a->guard = (uintptr_t)inst->mems[0]->reserved;
  }
  wm_aot_slot **globals = (wm_aot_slot **)(a + 1);
  for (size_t i = 0; i < ng; i++) globals[i] = (wm_aot_slot *)inst->globals[i]->val;
  uint8_t **mems = (uint8_t **)(globals + ng);
  const uint64_t **sizes = (const uint64_t **)(mems + nm);
  for (size_t i = 0; i < nm; i++) {
    mems[i] = inst->mems[i]->base;
    sizes[i] = &inst->mems[i]->size;
  }
  wm_aot_ctx *c = &a->pub;
  a->tail_slots = (uint32_t)nt;
  c->tail_args = (wm_aot_slot *)(sizes + nm);
  c->tail_run = h_tail_run;
  a->exn_buf = (wm_slot *)c->tail_args + nt;
  a->pend = (mod->aot->desc->flags & WM_AOT_EXN) != 0;
  c->exn_throw = h_exn_throw;
  c->exn_catch = h_exn_catch;
  c->mems = mems;
  c->mem_sizes = sizes;
  c->mem = mod->nmems ? inst->mems[0]->base : NULL;
  c->mem_size = mod->nmems ? &inst->mems[0]->size : &no_memory_size;
  c->globals = globals;
  c->funcs = (void *const *)inst->funcs;
  c->trap = h_trap;
  c->fuel = &inst->rt->fuel;
  c->interrupt = (const int *)&inst->rt->interrupt; /* read with __atomic_load_n */
  c->meter = h_meter;
  a->bt.site = UINT32_MAX;
  wm__aot_bt_warm();
  c->call = h_call;
  c->indirect = h_indirect;
  c->icall = h_icall;
  c->ref_callee = h_ref_callee;
  c->ref_call = h_ref_call;
  c->null_trap = h_null_trap;
  c->ref_test = h_ref_test;
  c->struct_new = h_struct_new;
  c->array_new = h_array_new;
  c->array_new_data = h_array_new_data;
  c->array_new_elem = h_array_new_elem;
  c->array_fill = h_array_fill;
  c->array_copy = h_array_copy;
  c->array_init = h_array_init;
  c->convert = h_convert;
  c->mem_grow = h_mem_grow;
  c->mem_fill = h_mem_fill;
  c->mem_copy = h_mem_copy;
  c->mem_init = h_mem_init;
  c->data_drop = h_data_drop;
  c->table_get = h_table_get;
  c->table_set = h_table_set;
  c->table_size = h_table_size;
  c->table_grow = h_table_grow;
  c->table_fill = h_table_fill;
  c->table_copy = h_table_copy;
  c->table_init = h_table_init;
  c->elem_drop = h_elem_drop;
  a->inst = inst;
  inst->aot = a;
  return 0;
}

int wm__aot_run(wm_runtime *rt, wm_instance *inst, uint32_t k, wm_slot *fp, wm_slot *top,
                char *msg) {
  aot_inst *a = inst->aot;
  /* Compiled code checks a frame's address only after the frame is made:
  ** the floor it sees is raised by two of its largest frames, and it is
  ** entered only where that much room is left (a frame larger than the
  ** floor's margin would reach past it before its first check). */
  uintptr_t floor = wm__interp_stack_floor(rt), room = inst->mod->aot->frame_room;
  floor = floor > UINTPTR_MAX - room ? UINTPTR_MAX : floor + room;
  if (WM_FRAME_ADDRESS(a) < floor) return WM_TRAP_STACK_EXHAUSTED;
  jmp_buf jb;
  jmp_buf *const saved_jb = a->jb;
  char *const saved_msg = a->msg;
  wm_slot *const saved_top = a->top;
  const uintptr_t saved_floor = a->pub.stack_floor;
  wm_native_seg *const saved_seg = a->seg;
  /* The compiled frames go below this one (collect.c reads them). */
  wm_native_seg seg = {0, WM_FRAME_ADDRESS(jb), rt->native_seg};
  rt->native_seg = &seg;
  a->seg = &seg;
  a->jb = &jb;
  a->msg = msg;
  a->top = top;
  a->pub.stack_floor = floor;
  inst->rt->native_depth++; /* no collection under native frames without WM_NATIVE_SCAN */
  wm_aot_guard g = {0};
  sigset_t mask;
  int blocked = 0;
  if (a->guard) {
    g = wm__aot_guard_set((wm_aot_guard){a->pub.mem, a->guard, &a->bt, &jb});
    /* The thread's outermost guarded activation: a blocked SIGSEGV would
    ** make a fault end the process whatever the handler. */
    if (!g.jb) blocked = wm__aot_guard_unblock(&mask);
  }
  int code = setjmp(jb);
  if (code == 0) {
    inst->mod->aot->desc->entries[k](&a->pub, (wm_aot_slot *)fp);
    if (a->pub.tail_f) { /* it ended in a tail call: its results are the last call's */
      const wm_type *t = wm__func_type(inst->mod, inst->mod->nfunc_imports + k);
      memcpy(fp, h_tail_run(&a->pub), wm__type_slots(t->results, t->nresults) * sizeof *fp);
    }
  }
  /* An exception compiled code left pending: it goes on unwinding from
  ** the NATIVE frame, as one jumped with does. */
  int thrown = code == 0 && a->pub.exn ? WM_EXCEPTION : 0;
  if (a->guard) {
    if (code) wm__aot_guard_after_trap();
    if (blocked) wm__aot_guard_reblock(&mask);
    (void)wm__aot_guard_set(g);
  }
  inst->rt->native_depth--;
  rt->native_seg = seg.prev;
  a->seg = saved_seg;
  a->pub.tail_f = NULL; /* none is pending after a trap either */
  a->pub.exn = 0;
  a->jb = saved_jb;
  a->msg = saved_msg;
  a->top = saved_top;
  a->pub.stack_floor = saved_floor;
  if (thrown) return thrown;
  if (code) {
    /* Unguarded again: a fault here is not the code's. */
    if (code != WM_EXCEPTION)
      wm__aot_bt_format(inst, inst->mod->nfunc_imports + k, &a->bt, code, msg, WM_TRAP_MSG_CAP);
    a->bt.n = 0;
    a->bt.site = UINT32_MAX;
  }
  return code;
}

/* ------------------------------------------------------------ loading */

void wm__aot_module_free(wm_module *mod) {
  wm_aot_lib *l = mod->aot;
  if (!l) return;
  /* The defined functions' codes are ours, not the compiler's. */
  for (uint32_t i = mod->nfunc_imports; i < mod->nfuncs && l->codes; i++)
    atomic_store_explicit(&mod->funcs[i].code, NULL, memory_order_relaxed);
  wm__free(l->codes);
  wm__free(l->cells);
  wm__aot_bt_free(l);
  if (l->fd >= 0) close(l->fd);
  if (l->handle) dlclose(l->handle);
  wm__free(l);
  mod->aot = NULL;
}

/* Every defined function's code: NATIVE k, then RETURN (its results are
** in slots 0.. as any return's). */
enum { NATIVE_CELLS = WM_HEAD_CELLS + 1, RETURN_CELLS = WM_HEAD_CELLS };

static int attach(wm_module *mod, wm_aot_lib *l, wm_error *err) {
  uint32_t ndef = mod->nfuncs - mod->nfunc_imports;
  uint32_t per = NATIVE_CELLS + RETURN_CELLS;
  l->codes = wm__calloc(ndef ? ndef : 1, sizeof *l->codes);
  l->cells = wm__calloc(ndef ? (size_t)ndef * per : 1, sizeof *l->cells);
  if (!l->codes || !l->cells) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  uint64_t native = wm__op_head(WM_OP_NATIVE, mod->loop), ret = wm__op_head(WM_OP_RETURN, mod->loop);
  for (uint32_t k = 0; k < ndef; k++) {
    uint32_t idx = mod->nfunc_imports + k;
    const wm_type *t = wm__func_type(mod, idx);
    uint32_t *cells = l->cells + (size_t)k * per;
    memcpy(cells, &native, 8);
    cells[WM_HEAD_CELLS] = k;
    memcpy(cells + NATIVE_CELLS, &ret, 8);
    wm_code *c = &l->codes[k];
    uint32_t np = (uint32_t)wm__type_slots(t->params, t->nparams);
    uint32_t nr = (uint32_t)wm__type_slots(t->results, t->nresults);
    c->code = cells;
    c->ncode = per;
    c->nparam_slots = np;
    c->nlocal_slots = np;
    c->nresult_slots = nr;
    c->frame_slots = (np + 4 > nr ? np + 4 : nr);
    c->func_idx = idx;
    c->quick_entry = true;
    atomic_store_explicit(&mod->funcs[idx].code, c, memory_order_release);
  }
  return 0;
}

/* dlopen gives back an object already loaded under the same name even if
** the file was replaced since: is the file mapped at `addr` (inside the
** object) the one at `path` now? Where /proc cannot tell, yes. */
static bool same_file(const void *addr, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return true;
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f) return true;
  bool same = true;
  char line[512];
  uintptr_t a = (uintptr_t)addr;
  while (fgets(line, sizeof line, f)) {
    uintptr_t lo, hi;
    unsigned long long ino;
    if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %*s %*s %llu", &lo, &hi, &ino) == 3 && a >= lo &&
        a < hi) {
      same = ino == (unsigned long long)st.st_ino;
      break;
    }
  }
  fclose(f);
  return same;
}

/* Does the 64-bit ELF file at path hold every segment and table its
** headers name? dlopen maps segments past the end of a truncated file and
** dies of SIGBUS touching them, so a cut-off object (a full disk, a copy
** interrupted) must be refused before. Anything else is dlopen's to judge. */
static bool elf_whole(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return true;
  Elf64_Ehdr eh;
  struct stat st;
  bool ok = true;
  if (fstat(fileno(f), &st) == 0 && fread(&eh, sizeof eh, 1, f) == 1 &&
      memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
    uint64_t size = (uint64_t)st.st_size;
    ok = eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phoff <= size &&
         (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) <= size - eh.e_phoff &&
         (eh.e_shnum == 0 || (eh.e_shoff <= size && (uint64_t)eh.e_shnum * eh.e_shentsize <= size - eh.e_shoff));
    for (uint16_t i = 0; ok && i < eh.e_phnum; i++) {
      Elf64_Phdr ph;
      ok = fseek(f, (long)(eh.e_phoff + (uint64_t)i * sizeof ph), SEEK_SET) == 0 &&
           fread(&ph, sizeof ph, 1, f) == 1 && ph.p_offset <= size && ph.p_filesz <= size - ph.p_offset;
    }
  }
  fclose(f);
  return ok;
}

int wm_module_load_native(const char *path, const wm_module_options *opts, wm_module **out,
                          wm_error *err) {
  if (!path || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_load_native: NULL argument");
  *out = NULL;
  wm_module_options o;
  memset(&o, 0, sizeof o);
  if (opts) o = *opts;
  if (o.flags & WM_MODULE_CHECKED)
    return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX,
                     "compiled code with the heap checker not supported yet");
  o.flags &= ~(uint32_t)WM_MODULE_EAGER;
  o.cache_dir = NULL;
  /* A path without a slash would be searched for on the library path. */
  char full[4096];
  if (!strchr(path, '/'))
    snprintf(full, sizeof full, "./%s", path);
  else
    snprintf(full, sizeof full, "%s", path);
  if (!elf_whole(full))
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "%s is cut short: its headers name bytes past its end; compile it again", path);
  void *h = dlopen(full, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *why = dlerror();
    return wm__error(err, WM_EIO, UINT32_MAX, "cannot load compiled module %s: %s", path,
                     why ? why : "unknown error");
  }
#define SYM_(x) #x
#define SYM(x) SYM_(x)
  const wm_aot_module *d = dlsym(h, SYM(WM_AOT_SYMBOL));
  if (!d || d->abi != WM_AOT_ABI) {
    dlclose(h);
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "%s is not a module compiled by this wasmem (%s); compile it again",
                     path, d ? "another ABI version" : "no " SYM(WM_AOT_SYMBOL));
  }
  if (!d->frame_max) {
    dlclose(h);
    return wm__error(err, WM_EINVAL, UINT32_MAX, "%s names no largest frame; compile it again", path);
  }
  /* Metered code is loaded metered, wanted or not: its FUEL points run
  ** anyway. Unmetered code cannot be stopped, so it is refused where it
  ** must be. */
  if (d->flags & WM_AOT_METERED) {
    o.flags |= WM_MODULE_METERED;
  } else if (o.flags & WM_MODULE_METERED) {
    dlclose(h);
    return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX,
                     "%s was compiled without metering, so fuel, interrupts and deadlines "
                     "cannot stop it; compile it again with --metered",
                     path);
  }
  if (!same_file(d, full)) {
    dlclose(h);
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "%s was replaced while its earlier version is still loaded in this "
                     "process; load the new object under another name",
                     path);
  }
  uint8_t hash[16];
  wm_module_hash(d->wasm, (size_t)d->wasm_len, hash);
  if (memcmp(hash, d->hash, 16) != 0) {
    dlclose(h);
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "%s: the module's bytes do not match the hash it was compiled for", path);
  }
  wm_module *mod;
  int rc = wm_module_load(d->wasm, (size_t)d->wasm_len, &o, &mod, err);
  if (rc) {
    dlclose(h);
    return rc;
  }
  if (d->nfuncs != mod->nfuncs - mod->nfunc_imports) {
    wm_module_free(mod);
    dlclose(h);
    return wm__error(err, WM_EINVAL, UINT32_MAX, "%s: function count does not match its module",
                     path);
  }
  wm_aot_lib *l = wm__calloc(1, sizeof *l);
  if (!l) {
    wm_module_free(mod);
    dlclose(h);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  l->handle = h;
  l->desc = d;
  l->fd = open(full, O_RDONLY | O_CLOEXEC);
  /* Two largest frames, saturated: a frame of more than a quarter of the
  ** address space leaves no room, and every entry traps. */
  uint64_t fm = *d->frame_max;
  l->frame_room = fm > UINTPTR_MAX / 4 ? UINTPTR_MAX : 2 * ((uintptr_t)fm + WM_AOT_FRAME_SLACK);
  mod->aot = l;
  rc = attach(mod, l, err);
  if (rc) {
    wm_module_free(mod);
    return rc;
  }
  *out = mod;
  return 0;
}
