/* SPDX-License-Identifier: MIT */
/*
** instance.c -- instantiation: resolving imports against the runtime's
** bindings (or to objects given in import order), allocating the
** instance's functions, tables, memories and globals, applying segments and
** running the start function; plus constant expressions and export lookup.
*/
#include <stdio.h>
#include <sys/mman.h>

#include "runtime.h"
#include "aot.h"
#include "check.h"
#include "gc.h"
#include "gc_sig.h"
#include "leb.h"

#define PAGE_SIZE 65536u

/* A GC instruction of a constant expression on stack st of n values:
** the new n. A GC object that cannot be made is a null, and the trap is
** kept in inst->const_trap for instantiation to report. */
static uint32_t eval_gc(const wm_instance *inst, const wm_constexpr *c, wm_slot *st, uint32_t n) {
  const wm_module *mod = inst->mod;
  wm_runtime *rt = inst->rt;
  wm_gcsig s;
  uint32_t p = (uint32_t)c->bits + 1, sub = 0;
  char msg[256];
  int trap = 0;
  (void)wm__leb_u32(mod->bytes, &p, (uint32_t)mod->len, &sub);
  (void)wm__gc_sig(mod, mod->bytes, &p, (uint32_t)mod->len, sub, &s);
  n -= s.n;
  wm_slot *in = &st[n], r;
  r.u64 = 0;
  switch (sub) {
  case WM_GC_REF_I31: r.ref = wm__i31_make(in[0].u32); break;
  case WM_GC_ANY_CONVERT_EXTERN: trap = wm__gc_internalize(rt, false, in[0].ref, &r.ref, msg); break;
  case WM_GC_EXTERN_CONVERT_ANY: trap = wm__gc_externalize(rt, false, in[0].ref, &r.ref, msg); break;
  case WM_GC_STRUCT_NEW: case WM_GC_STRUCT_NEW_DEFAULT: {
    wm_gcobj *o = wm__gc_alloc(rt, false, WM_COMP_STRUCT, inst->type_ids[s.x], s.size, s.refs, &trap, msg);
    const wm_type *t = &mod->types[s.x];
    for (uint32_t i = 0; o && i < s.n; i++)
      wm__gc_write(o->data + wm__gc_field_at(t, i), wm__gc_store_code(t->params[i]), &in[i]);
    r.ref = o;
    break;
  }
  default: { /* array.new, array.new_default, array.new_fixed */
    uint32_t len = sub == WM_GC_ARRAY_NEW_FIXED ? s.n : in[s.n - 1].u32, es = 1u << (s.store & 7);
    wm_gcobj *o = wm__gc_alloc(rt, false, WM_COMP_ARRAY, inst->type_ids[s.x], (uint64_t)len * es, s.refs,
                               &trap, msg);
    for (uint32_t i = 0; o && sub != WM_GC_ARRAY_NEW_DEFAULT && i < len; i++) /* zeroed */
      wm__gc_write(o->data + (size_t)i * es, s.store, sub == WM_GC_ARRAY_NEW_FIXED ? &in[i] : &in[0]);
    if (o) o->len = len;
    r.ref = o;
    break;
  }
  }
  if (trap && !inst->const_trap) ((wm_instance *)inst)->const_trap = trap;
  st[n++] = r;
  return n;
}

/* An extended constant expression (WM_CONST_EXTENDED), which validation
** has typed: its depth is at most wm__const_depth_cap (a stack on the heap
** past a few; without memory for it, a null and const_trap WM_ENOMEM). i32 arithmetic wraps
** and keeps the slot's upper half zero, as the interpreter's does. */
static wm_slot eval_extended(const wm_instance *inst, const wm_constexpr *e) {
  wm_slot local[64], *st = local, r;
  uint32_t cap = wm__const_depth_cap(e);
  if (cap > 64 && !(st = wm__malloc(cap * sizeof *st))) {
    if (!inst->const_trap) ((wm_instance *)inst)->const_trap = WM_ENOMEM;
    r.u64 = 0;
    return r;
  }
  uint32_t n = 0, pos = (uint32_t)e->bits, end = (uint32_t)e->bits + e->idx;
  while (pos < end) {
    wm_constexpr c;
    wm__const_next(inst->mod, &pos, &c);
    bool arith = (c.op >= 0x6A && c.op <= 0x6C) || (c.op >= 0x7C && c.op <= 0x7E);
    if (c.op == 0xFB) { /* GC's constant instructions (validation typed them) */
      n = eval_gc(inst, &c, st, n);
      continue;
    }
    if (!arith) {
      st[n++] = wm__eval_const(inst, &c);
      continue;
    }
    uint64_t x = st[n - 2].u64, y = st[n - 1].u64;
    n--;
    switch (c.op) {
    case 0x6A: x = (uint32_t)(x + y); break;
    case 0x6B: x = (uint32_t)(x - y); break;
    case 0x6C: x = (uint32_t)((uint32_t)x * (uint32_t)y); break;
    case 0x7C: x += y; break;
    case 0x7D: x -= y; break;
    default: x *= y; break; /* 0x7E */
    }
    st[n - 1].u64 = x;
  }
  r = st[0];
  if (st != local) wm__free(st);
  return r;
}

wm_slot wm__eval_const(const wm_instance *inst, const wm_constexpr *e) {
  wm_slot s;
  s.u64 = 0;
  switch (e->op) {
    case WM_CONST_EXTENDED: return eval_extended(inst, e);
    case 0x41: s.u64 = (uint32_t)e->bits; break; /* i32.const */
    case 0x42: s.u64 = e->bits; break;           /* i64.const */
    case 0x43: s.u64 = (uint32_t)e->bits; break; /* f32.const */
    case 0x44: s.u64 = e->bits; break;           /* f64.const */
    case 0xFD: s.u64 = e->bits; break;           /* v128.const: low half */
    case 0xD0: s.ref = NULL; break;              /* ref.null */
    case 0xD2: s.ref = inst->funcs[e->idx]; break;
    case 0x23: s = inst->globals[e->idx]->val[0]; break;
    default: break; /* validation rejects anything else */
  }
  return s;
}

/*
** Limits subtyping (the spec's "import matching"): the provided object's
** current size must be at least the required minimum, and when a maximum is
** required the object must declare one no larger.
*/
static bool limits_match(uint64_t cur, wm_limits have, wm_limits want) {
  if (cur < want.min) return false;
  if (want.has_max && (!have.has_max || have.max > want.max)) return false;
  return true;
}

/* A function type as text, "(i32, i64) -> (f32)", cut with "..." if long. */
static void type_text(const wm_type *t, char *buf, size_t cap) {
  size_t n = 0;
  for (int part = 0; part < 2; part++) {
    uint32_t cnt = part ? t->nresults : t->nparams;
    const wm_valtype *v = part ? t->results : t->params;
    n += (size_t)snprintf(buf + n, cap - n, "%s(", part ? " -> " : "");
    for (uint32_t i = 0; i < cnt && n < cap; i++) {
      if (n + 16 >= cap) {
        n += (size_t)snprintf(buf + n, cap - n, "...");
        break;
      }
      n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", wm_valtype_name(v[i]));
    }
    if (n < cap) n += (size_t)snprintf(buf + n, cap - n, ")");
    if (n >= cap) return;
  }
}

static int incompatible(wm_error *err, const wm_import *imp, const char *why) {
  return wm__error(err, WM_EINCOMPATIBLE_IMPORT, UINT32_MAX,
                   "incompatible import type: \"%s\" \"%s\" (%s)", imp->module, imp->name, why);
}

/*
** A function or tag of another runtime: its type id is an id of that
** runtime's interned types, meaningless here (equal ids of two runtimes
** may be different types). It matches an import only by structure, so
** only where structure is identity: both types without a type index,
** final, without supertypes, alone in their rec groups, and equal.
** (`owner`: the instance defining it, NULL for a host's, always such.)
*/
/* A reference of any's hierarchy: a GC object's type id, like a type
** index, means something only in its own runtime (gc.c), and the object
** lives as long as its runtime; none crosses between runtimes. */
static bool gc_ref(uint32_t t) { return wm__is_reftype(t) && wm__vt_top(t) == 0x6E; }

static bool simple_type(const wm_module *mod, const wm_type *t) {
  if (mod) {
    const wm_typemeta *m = &mod->tmeta[t - mod->types];
    if (!m->final || m->super || m->rec_n != 1) return false;
  }
  if (t->kind != WM_COMP_FUNC) return false;
  for (uint32_t i = 0; i < t->nparams; i++)
    if (wm__vt_idx(t->params[i]) || gc_ref(t->params[i])) return false;
  for (uint32_t i = 0; i < t->nresults; i++)
    if (wm__vt_idx(t->results[i]) || gc_ref(t->results[i])) return false;
  return true;
}

/* Is `have`, of a function of instance owner (NULL: a host's), a simple
** type equal to the simple type `want`? */
static bool alike(const wm_type *want, const wm_instance *owner, const wm_type *have) {
  /* (No memcmp of an empty list: its arrays may be NULL.) */
  return simple_type(owner ? owner->mod : NULL, have) && want->nparams == have->nparams &&
         want->nresults == have->nresults &&
         (!want->nparams || !memcmp(want->params, have->params, want->nparams * sizeof *want->params)) &&
         (!want->nresults ||
          !memcmp(want->results, have->results, want->nresults * sizeof *want->results));
}

static bool foreign_match(const wm_module *mod, uint32_t ti, const wm_instance *owner,
                          const wm_type *have) {
  return simple_type(mod, &mod->types[ti]) && alike(&mod->types[ti], owner, have);
}

bool wm__indirect_ok(const wm_runtime *rt, const wm_func *callee, uint32_t id) {
  const wm_typeinfo *ti = &rt->types[id];
  if (callee->rt == rt) {
    wm_typeset ts = wm__rt_typeset(rt->types);
    return wm__type_sub(&ts, callee->type_id, id);
  }
  /* Another runtime's function (in a table it shares, or imported): by
  ** structure, as an import. */
  const wm_typemeta *m = &ti->meta;
  return m->final && !m->super && m->rec_n == 1 && simple_type(NULL, &ti->type) &&
         alike(&ti->type, callee->inst, callee->type);
}

/* A function or tag import whose type is not the object's. */
static int types_differ(wm_error *err, const wm_import *imp, const char *kind, const wm_type *want,
                        const wm_type *have) {
  char w[160], h[160], why[360];
  type_text(want, w, sizeof w);
  type_text(have, h, sizeof h);
  snprintf(why, sizeof why, "expected %s %s, got %s %s", kind, w, kind, h);
  return incompatible(err, imp, why);
}

/* Resolve import i of the module into the instance's index spaces: to
** given[i] when the imports are given in order, else to the runtime's
** binding of its name. */
static int link_import(wm_instance *inst, uint32_t i, const wm_binding *given, uint32_t *counts,
                       wm_error *err) {
  const wm_module *mod = inst->mod;
  const wm_import *imp = &mod->imports[i];
  wm_binding found;
  const wm_binding *b = given ? &given[i] : &found;
  if (!given) {
    int rc = wm__rt_lookup(inst->rt, imp->module, imp->module_len, imp->name, imp->name_len,
                           &found, err);
    if (rc == WM_ENOT_FOUND)
      return wm__error(err, WM_EUNKNOWN_IMPORT, UINT32_MAX, "unknown import: \"%s\" \"%s\"",
                       imp->module, imp->name);
    if (rc) return rc;
  }
  if (b->kind != imp->kind) {
    char why[64];
    snprintf(why, sizeof why, "expected %s, got %s", wm_externkind_name(imp->kind), wm_externkind_name(b->kind));
    return incompatible(err, imp, why);
  }
  uint32_t k = counts[imp->kind]++;
  switch (imp->kind) {
    case WM_EXTERN_FUNC: {
      /* The export's type must be a subtype of the import's: the same
      ** interned type, or one declaring it among its supertypes. */
      wm_func *f = b->obj;
      wm_typeset ts = wm__rt_typeset(inst->rt->types);
      if (f->rt != inst->rt ? !foreign_match(mod, imp->typeidx, f->inst, f->type)
                            : f->type_id != inst->type_ids[imp->typeidx] &&
                                  !wm__type_sub(&ts, f->type_id, inst->type_ids[imp->typeidx]))
        return types_differ(err, imp, "func", &mod->types[imp->typeidx], f->type);
      /* Another runtime's code runs on this one's stack: the exnrefs it
      ** makes are ours but may go into its globals and tables. */
      if (f->rt != inst->rt) wm__refs_share(f->rt, inst->rt);
      inst->funcs[k] = f;
      break;
    }
    case WM_EXTERN_TABLE: {
      wm_table *t = b->obj;
      /* A type index is an id of the owner's interned types (above). */
      if (t->rt != inst->rt && (wm__vt_idx(t->type) || gc_ref(t->type)))
        return incompatible(err, imp, "a table of typed or GC references from another runtime");
      if (t->type != wm__vt_to_rt(imp->table.elem, inst->type_ids))
        return incompatible(err, imp, "element type differs");
      if (t->decl.is64 != imp->table.lim.is64)
        return incompatible(err, imp, imp->table.lim.is64 ? "expected a 64-bit table, got a 32-bit one"
                                                          : "expected a 32-bit table, got a 64-bit one");
      if (!limits_match(t->size, t->decl, imp->table.lim))
        return incompatible(err, imp, "table limits do not match");
      /* Another runtime's table: what either stores the other reads. */
      if (t->rt != inst->rt) wm__refs_share(t->rt, inst->rt);
      inst->tables[k] = t;
      break;
    }
    case WM_EXTERN_MEMORY: {
      wm_memory *m = b->obj;
      if (m->decl.shared != imp->mem.shared)
        return incompatible(err, imp, imp->mem.shared ? "expected a shared memory, got an unshared one"
                                                      : "expected an unshared memory, got a shared one");
      if (m->decl.is64 != imp->mem.is64)
        return incompatible(err, imp, imp->mem.is64 ? "expected a 64-bit memory, got a 32-bit one"
                                                    : "expected a 32-bit memory, got a 64-bit one");
      if (!limits_match(m->size / PAGE_SIZE, m->decl, imp->mem))
        return incompatible(err, imp, "memory limits do not match");
      inst->mems[k] = m;
      break;
    }
    case WM_EXTERN_GLOBAL: {
      wm_global *g = b->obj;
      if (g->rt != inst->rt && (wm__vt_idx(g->type) || gc_ref(g->type)))
        return incompatible(err, imp, "a global of a typed or GC reference from another runtime");
      /* A mutable global's type must be the import's; an immutable one's
      ** may be a subtype. */
      wm_valtype want = wm__vt_to_rt(imp->global.type, inst->type_ids);
      wm_typeset ts = wm__rt_typeset(inst->rt->types);
      if (g->mut != imp->global.mut ||
          (g->type != want && (g->mut || !wm__is_reftype(g->type) || !wm__is_reftype(want) ||
                               !wm__valtype_match_slow(&ts, g->type, want)))) {
        char why[96];
        snprintf(why, sizeof why, "expected %s%s, got %s%s", imp->global.mut ? "mut " : "",
                 wm_valtype_name(imp->global.type), g->mut ? "mut " : "", wm_valtype_name(g->type));
        return incompatible(err, imp, why);
      }
      if (g->rt != inst->rt && wm__is_reftype(g->type)) wm__refs_share(g->rt, inst->rt);
      inst->globals[k] = g;
      break;
    }
    case WM_EXTERN_TAG: {
      /* Tags match by type: the same interned function type. */
      wm_tag *t = b->obj;
      if (t->rt != inst->rt ? !foreign_match(mod, imp->typeidx, t->inst, t->type)
                            : t->type_id != inst->type_ids[imp->typeidx])
        return types_differ(err, imp, "tag", &mod->types[imp->typeidx], t->type);
      inst->tags[k] = t;
      break;
    }
  }
  return WM_OK;
}

/* Carve `bytes` from *at, aligned to `align` (a power of two). */
static void *carve(uint8_t **at, size_t bytes, size_t align) {
  uintptr_t a = ((uintptr_t)*at + align - 1) & ~(uintptr_t)(align - 1);
  *at = (uint8_t *)a + bytes;
  return (void *)a;
}
#define CARVE(at, n, type) carve(at, (size_t)(n) * sizeof(type), _Alignof(type))

/* Allocate the instance and its index-space arrays, all in one zeroed
** block that wm__instance_free releases at once (an instance per request
** would otherwise pay nine allocations and nine frees); NULL if out of
** memory. The counts are 32-bit and the elements at most a wm_func, so
** the sum cannot overflow a 64-bit size_t.
**
** An instance of 1 MiB or more (a module of tens of thousands of
** functions: yosys's is 2.2 MB) starts on a 2 MiB boundary inside a block
** 2 MiB larger and asks for transparent huge pages: filling in its
** functions touched every 4 KiB page, at about 10 us a page on this kind
** of virtual machine (341 page faults, 3 ms). The block's pages outside
** the instance are never touched. */
#define BIG_INSTANCE ((size_t)1 << 20)
#define HUGE ((size_t)2 << 20)

static wm_instance *instance_alloc(wm_runtime *rt, const wm_module *mod) {
  uint32_t ndef = mod->nfuncs - mod->nfunc_imports;
  size_t total = sizeof(wm_instance) + (size_t)ndef * sizeof(wm_func) +
                 ((size_t)mod->nfuncs + mod->ntables + mod->nmems + mod->nglobals + mod->ntags) *
                     sizeof(void *) +
                 (size_t)mod->ntypes * sizeof(uint32_t) + mod->nelems + mod->ndatas +
                 8 * 8; /* alignment slack: at most 7 bytes before each array */
  size_t extra = total >= BIG_INSTANCE ? HUGE : 0;
  uint8_t *block = wm__calloc(1, total + extra);
  if (!block) return NULL;
  wm_instance *inst = (wm_instance *)block;
  if (extra) {
    inst = (wm_instance *)(((uintptr_t)block + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
#ifdef MADV_HUGEPAGE
    (void)madvise(inst, total, MADV_HUGEPAGE);
#endif
  }
  inst->block = block;
  uint8_t *at = (uint8_t *)(inst + 1);
  inst->own_funcs = CARVE(&at, ndef, wm_func);
  inst->funcs = CARVE(&at, mod->nfuncs, wm_func *);
  inst->tables = CARVE(&at, mod->ntables, wm_table *);
  inst->mems = CARVE(&at, mod->nmems, wm_memory *);
  inst->globals = CARVE(&at, mod->nglobals, wm_global *);
  inst->tags = CARVE(&at, mod->ntags, wm_tag *);
  inst->type_ids = CARVE(&at, mod->ntypes, uint32_t);
  inst->elem_dropped = CARVE(&at, mod->nelems, bool);
  inst->data_dropped = CARVE(&at, mod->ndatas, bool);
  inst->rt = rt;
  inst->mod = mod;
  return inst;
}

static int const_failed(const wm_instance *inst, wm_error *err) {
  if (inst->const_trap == WM_ENOMEM)
    return wm__error(err, WM_ENOMEM, UINT32_MAX, "out of host memory evaluating a constant expression");
  return wm__error(err, inst->const_trap, UINT32_MAX,
                   "out of GC memory: a constant expression's object is past max_gc_bytes");
}

/* The element segments whose items are extended expressions, evaluated
** once (see wm_instance.elem_refs). */
static int eval_elems(wm_instance *inst, wm_error *err) {
  const wm_module *mod = inst->mod;
  for (uint32_t i = 0; i < mod->nelems; i++) {
    const wm_elem *e = &mod->elems[i];
    bool ext = false;
    for (uint32_t k = 0; k < e->count && !ext; k++) ext = e->items[k].op == WM_CONST_EXTENDED;
    if (!ext) continue;
    if (!inst->elem_refs) {
      inst->elem_refs = wm__calloc(mod->nelems, sizeof *inst->elem_refs);
      if (!inst->elem_refs || wm__rt_own(inst->rt, inst->elem_refs)) {
        wm__free(inst->elem_refs);
        inst->elem_refs = NULL;
        return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
      }
    }
    void **v = wm__calloc(e->count, sizeof *v);
    if (!v || wm__rt_own(inst->rt, v)) {
      wm__free(v);
      return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    }
    for (uint32_t k = 0; k < e->count; k++) v[k] = wm__eval_const(inst, &e->items[k]).ref;
    inst->elem_refs[i] = v;
    if (inst->const_trap) return const_failed(inst, err);
  }
  return WM_OK;
}

/* Allocate the defined tables, memories and globals (globals initialised in
** order, so an initialiser sees the globals before it). */
static int alloc_defined(wm_instance *inst, wm_error *err) {
  wm_runtime *rt = inst->rt;
  const wm_module *mod = inst->mod;
  int rc;
  for (uint32_t i = mod->ntable_imports; i < mod->ntables; i++) {
    const wm_tabletype *tt = &mod->tables[i];
    const wm_constexpr *e = mod->table_inits ? &mod->table_inits[i - mod->ntable_imports] : NULL;
    void *init = e && e->op ? wm__eval_const(inst, e).ref : NULL; /* imported globals only */
    rc = wm__table_create(rt, (wm_valtype)wm__vt_to_rt(tt->elem, inst->type_ids), tt->lim, init,
                          &inst->tables[i], err);
    if (rc) return rc;
  }
  for (uint32_t i = mod->nmem_imports; i < mod->nmems; i++) {
    /* Compiled code without bounds checks needs its memory guarded; an
    ** interpreted module's is, where the runtime asks (guard_memories). */
    bool guard = mod->aot && (mod->aot->desc->flags & WM_AOT_GUARDED);
    int how = guard                      ? WM_RESERVE_GUARD
              : rt->opts.guard_memories ? WM_RESERVE_GUARD_UNPOOLED
                                        : WM_RESERVE_MAX;
    rc = wm__memory_create(rt, mod->mems[i], how, &inst->mems[i], err);
    if (rc) return rc;
  }
  uint32_t ndef = mod->nglobals - mod->nglobal_imports;
  if (ndef) {
    wm_global *gs = wm__calloc(ndef, sizeof *gs);
    if (!gs || wm__rt_own(rt, gs)) {
      wm__free(gs);
      return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    }
    for (uint32_t i = 0; i < ndef; i++) {
      const wm_global_def *d = &mod->globals[mod->nglobal_imports + i];
      gs[i].type = (wm_valtype)wm__vt_to_rt(d->type.type, inst->type_ids);
      gs[i].mut = d->type.mut;
      gs[i].rt = rt;
      gs[i].val[0] = wm__eval_const(inst, &d->init);
      if (d->init.op == 0xFD) gs[i].val[1].u64 = d->init_hi; /* v128.const */
      if (d->init.op == 0x23) gs[i].val[1] = inst->globals[d->init.idx]->val[1];
      inst->globals[mod->nglobal_imports + i] = &gs[i];
    }
  }
  return inst->const_trap ? const_failed(inst, err) : eval_elems(inst, err);
}

/* Active segments are applied in order and then dropped; the first that
** does not fit traps, and what earlier ones wrote stays (spec 2.0). */
static int apply_segments(wm_instance *inst, wm_error *err) {
  const wm_module *mod = inst->mod;
  for (uint32_t i = 0; i < mod->nelems; i++) {
    const wm_elem *e = &mod->elems[i];
    if (e->mode == WM_SEG_ACTIVE) {
      wm_table *t = inst->tables[e->table];
      wm_slot o = wm__eval_const(inst, &e->offset);
      uint64_t off = t->decl.is64 ? o.u64 : o.u32; /* table64: an i64 offset */
      if (!wm__in_range(off, e->count, t->size))
        return wm__error(err, WM_TRAP_TABLE_OOB, UINT32_MAX, "out of bounds table access");
      for (uint32_t k = 0; k < e->count; k++) t->elems[off + k] = wm__elem_item(inst, i, k);
      inst->elem_dropped[i] = true;
    } else if (e->mode == WM_SEG_DECLARATIVE) {
      inst->elem_dropped[i] = true;
    }
  }
  for (uint32_t i = 0; i < mod->ndatas; i++) {
    const wm_data *d = &mod->datas[i];
    if (d->mode != WM_SEG_ACTIVE) continue;
    wm_memory *m = inst->mems[d->mem];
    wm_slot o = wm__eval_const(inst, &d->offset);
    uint64_t off = m->decl.is64 ? o.u64 : o.u32; /* memory64: an i64 offset */
    if (!wm__in_range(off, d->len, m->size))
      return wm__error(err, WM_TRAP_MEMORY_OOB, UINT32_MAX, "out of bounds memory access");
    if (d->len) memcpy(m->base + off, d->bytes, d->len);
    inst->data_dropped[i] = true;
  }
  return WM_OK;
}

/* May instantiating mod make GC objects (an extended constant expression
** in a global, a table's initial value or an element segment)? */
static bool makes_objects(const wm_module *mod) {
  for (uint32_t i = mod->nglobal_imports; i < mod->nglobals; i++)
    if (mod->globals[i].init.op == WM_CONST_EXTENDED) return true;
  for (uint32_t i = 0; mod->table_inits && i < mod->ntables - mod->ntable_imports; i++)
    if (mod->table_inits[i].op == WM_CONST_EXTENDED) return true;
  for (uint32_t i = 0; i < mod->nelems; i++)
    for (uint32_t k = 0; k < mod->elems[i].count; k++)
      if (mod->elems[i].items[k].op == WM_CONST_EXTENDED) return true;
  return false;
}

/*
** Every failure before the segments are applied -- linking, a cap or budget,
** the limiter's refusal, running out of memory -- leaves nothing behind: the
** instance is registered only once its objects are made. After registration
** the instance is owned by the runtime whatever happens, so its tables,
** memories and segment effects on imported objects stay as the spec
** requires; *out is set only on success.
*/
static int instance_new(wm_runtime *rt, const wm_module *mod, const wm_binding *given,
                        wm_instance **out, wm_error *err) {
  if (!rt || !mod || !out)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_instance_new: NULL argument");
  *out = NULL;
  /* Room in the ownership list first, so registering cannot fail later. */
  if (wm__grow((void **)&rt->insts, &rt->cap_insts, rt->ninsts + 1, sizeof *rt->insts))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm_instance *inst = instance_alloc(rt, mod);
  if (!inst) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);

  int rc = wm__intern_types(rt, mod, inst->type_ids, err);
  uint32_t counts[5] = {0, 0, 0, 0, 0};
  for (uint32_t i = 0; i < mod->nimports && rc == WM_OK; i++)
    rc = link_import(inst, i, given, counts, err);
  /* The caps and the runtime's budgets are checked for the whole instance
  ** here, so a refusal makes nothing. */
  if (rc == WM_OK) rc = wm__rt_admit(rt, mod, err);
  if (rc) {
    wm__instance_free(inst);
    return rc;
  }

  for (uint32_t i = mod->nfunc_imports; i < mod->nfuncs; i++) {
    wm_func *f = &inst->own_funcs[i - mod->nfunc_imports];
    uint32_t ti = mod->funcs[i].typeidx;
    f->type_id = inst->type_ids[ti];
    f->type = &mod->types[ti];
    f->inst = inst;
    f->rt = rt;
    /* Lowered already (by an earlier call in any instance), or the stub
    ** whose LAZY instruction lowers it at the first call. */
    const wm_code *c = atomic_load_explicit(&mod->funcs[i].code, memory_order_acquire);
    f->code = c ? c : &mod->stubs[ti];
    f->idx = i;
    inst->funcs[i] = f;
  }
  /* What the limiter refuses, or the host has no memory for, is known only
  ** while the objects are made: those made before are undone. Nothing has
  ** seen them yet. */
  /* Constant expressions may make GC objects and cannot collect while
  ** they do (C variables hold what they made): collect before them if
  ** anything was made since the last collection. */
  if (makes_objects(mod) && rt->gc_bytes > rt->gc_live) wm__gc_collect(rt, NULL);
  wm_rt_mark mark = wm__rt_mark(rt);
  rc = alloc_defined(inst, err);
  if (rc == WM_OK) rc = wm__tags_create(inst, err);
  if (rc == WM_OK) rc = wm__rt_hold_imports(rt, inst, err);
  if (rc == WM_OK && mod->aot) rc = wm__aot_instance(inst, err);
  if (rc) {
    wm__rt_undo(rt, &mark);
    wm__instance_free(inst);
    return rc;
  }
  wm__rt_charge_code(rt, mod);
  rt->insts[rt->ninsts++] = inst;

  rc = apply_segments(inst, err);
  /* The runtime's heap checker watches a checked module's instance from
  ** before its start function, which may allocate. */
  if (rc == WM_OK && rt->checker && mod->checked) wm__check_auto_attach(rt->checker, inst);
  if (rc == WM_OK && mod->has_start)
    rc = wm__interp_call(rt, inst->funcs[mod->start], rt->stack_top, err);
  if (rc) return rc;
  *out = inst;
  return WM_OK;
}

int wm_instance_new(wm_runtime *rt, const wm_module *mod, const wm_instance_options *opts,
                    wm_instance **out, wm_error *err) {
  (void)opts;
  return instance_new(rt, mod, NULL, out, err);
}

int wm__instance_new_linked(wm_runtime *rt, const wm_module *mod, const wm_instance_options *opts,
                            const wm_binding *imports, wm_instance **out, wm_error *err) {
  (void)opts;
  if (!imports && mod && mod->nimports)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_instance_new: NULL argument");
  /* Without imports the two ways of linking are the same. */
  return instance_new(rt, mod, imports, out, err);
}

const wm_module *wm_instance_module(const wm_instance *inst) { return inst ? inst->mod : NULL; }

void *wm_instance_export(wm_instance *inst, const char *name, size_t len, wm_externkind kind) {
  if (!inst || !name) return NULL;
  const wm_module *mod = inst->mod;
  for (uint32_t i = 0; i < mod->nexports; i++) {
    const wm_export *e = &mod->exports[i];
    if (e->kind != kind || e->name_len != len || memcmp(e->name, name, len) != 0) continue;
    switch (kind) {
      case WM_EXTERN_FUNC: return inst->funcs[e->idx];
      case WM_EXTERN_TABLE: return inst->tables[e->idx];
      case WM_EXTERN_MEMORY: return inst->mems[e->idx];
      case WM_EXTERN_GLOBAL: return inst->globals[e->idx];
      case WM_EXTERN_TAG: return inst->tags[e->idx];
    }
  }
  return NULL;
}

static void *find_export(wm_instance *inst, const char *name, wm_externkind kind) {
  return name ? wm_instance_export(inst, name, strlen(name), kind) : NULL;
}

wm_func *wm_instance_func(wm_instance *inst, const char *name) {
  return find_export(inst, name, WM_EXTERN_FUNC);
}

wm_table *wm_instance_table(wm_instance *inst, const char *name) {
  return find_export(inst, name, WM_EXTERN_TABLE);
}

wm_memory *wm_instance_memory(wm_instance *inst, const char *name) {
  return find_export(inst, name, WM_EXTERN_MEMORY);
}

wm_global *wm_instance_global(wm_instance *inst, const char *name) {
  return find_export(inst, name, WM_EXTERN_GLOBAL);
}

wm_tag *wm_instance_tag(wm_instance *inst, const char *name) {
  return find_export(inst, name, WM_EXTERN_TAG);
}

wm_memory *wm_instance_default_memory(wm_instance *inst) {
  return inst && inst->mod->nmems ? inst->mems[0] : NULL;
}
