/* SPDX-License-Identifier: MIT */
/*
** runtime.c -- the runtime (the spec's store): its value and frame stacks,
** interned function types, the objects it owns, the name bindings that
** imports resolve against, and the making and growing of functions, tables,
** memories and globals.
*/
#include <sys/mman.h>

#include "runtime.h"
#include "atomic_wait.h"
#include "check.h"
#include "gc.h"

#define PAGE_SIZE 65536u
#define MAX_PAGES 65536u /* 4 GiB: the most a 32-bit memory can address */

#define DEFAULT_STACK_BYTES ((size_t)8 << 20)
#define DEFAULT_CALL_DEPTH 100000u
#define DEFAULT_TABLE_ELEMS 10000000u
/* Runtime-wide budgets: two full wasm32 memories; tables of 128 MB of host
** memory in all, above the per-table cap (a handful of tables grown to it
** would otherwise hold gigabytes); code of a few large programs. */
#define DEFAULT_MEMORY_BYTES ((uint64_t)2 * MAX_PAGES * PAGE_SIZE)
#define DEFAULT_TABLE_ELEMS_TOTAL 16000000u
#define DEFAULT_INSTANCES 10000u
#define DEFAULT_MEMORIES 1000u
#define DEFAULT_TABLES 10000u
#define DEFAULT_CODE_BYTES ((uint64_t)1 << 30)
#define DEFAULT_GC_BYTES ((uint64_t)1 << 30)

/* ---------------------------------------------------------------- runtime */

int wm_runtime_new(const wm_runtime_options *opts, wm_runtime **out, wm_error *err) {
  if (!out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_runtime_new: out is NULL");
  *out = NULL;
  wm_runtime *rt = wm__calloc(1, sizeof *rt);
  if (!rt) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (opts) rt->opts = *opts;
  wm_runtime_options *o = &rt->opts;
  if (o->pool) wm__pool_retain(o->pool); /* released by wm_runtime_free */
  if (!o->stack_bytes) o->stack_bytes = DEFAULT_STACK_BYTES;
  if (!o->max_call_depth) o->max_call_depth = DEFAULT_CALL_DEPTH;
  if (!o->max_memory_pages || o->max_memory_pages > MAX_PAGES) o->max_memory_pages = MAX_PAGES;
  if (!o->max_table_elems) o->max_table_elems = DEFAULT_TABLE_ELEMS;
  /* A table index of 2^32-1 or more is out of bounds of every table:
  ** table64's indexes reach the 32-bit table instructions saturated there
  ** (INDEX64, ops.h). */
  if (o->max_table_elems > UINT32_MAX - 1) o->max_table_elems = UINT32_MAX - 1;
  if (!o->max_memory_bytes) o->max_memory_bytes = DEFAULT_MEMORY_BYTES;
  if (!o->max_table_elems_total) o->max_table_elems_total = DEFAULT_TABLE_ELEMS_TOTAL;
  if (!o->max_instances) o->max_instances = DEFAULT_INSTANCES;
  if (!o->max_memories) o->max_memories = DEFAULT_MEMORIES;
  if (!o->max_tables) o->max_tables = DEFAULT_TABLES;
  if (!o->max_code_bytes) o->max_code_bytes = DEFAULT_CODE_BYTES;
  if (!o->max_gc_bytes) o->max_gc_bytes = DEFAULT_GC_BYTES;

  size_t nslots = o->stack_bytes / sizeof(wm_slot);
  if (nslots == 0) nslots = 1;
  rt->max_frames = o->max_call_depth;
  /* nslots * sizeof(wm_slot) <= stack_bytes cannot overflow; the frame
  ** count is a uint32_t and a frame 24 bytes, so neither can that product.
  ** Neither stack is cleared: a frame record is written when it is pushed
  ** and only records below nframes are read, and slots are written before
  ** they are read. (Clearing the 2.4 MB of frame records was most of the
  ** cost of a runtime, bench/instantiate_bench.c.) */
  rt->stack = wm__malloc(nslots * sizeof(wm_slot));
  rt->frames = wm__malloc((size_t)rt->max_frames * sizeof(wm_frame));
  if (!rt->stack || !rt->frames) {
    wm_runtime_free(rt);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, "out of host memory (value or frame stack)");
  }
  rt->stack_end = rt->stack + nslots;
  rt->stack_top = rt->stack;
  rt->exn_sweep_at = WM_EXN_SWEEP_MIN;
  rt->gc_next = WM_GC_MIN_STEP;
  *out = rt;
  return WM_OK;
}

/* An instance and its arrays are one allocation (instance.c). */
static void instance_free(wm_instance *inst) { wm__free(inst->block); }

void wm__instance_free(wm_instance *inst) {
  if (inst) instance_free(inst);
}

/* Drop one reference to m; the last unmaps it. */
static void memory_free(wm_memory *m) {
  if (atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) > 1) return;
  if (m->pool)
    wm__pool_give(m);
  else
    munmap(m->base, m->reserved);
  wm__free(m);
}

static void table_free(wm_table *t) {
  wm__free(t->elems);
  wm__free(t);
}

void wm_runtime_free(wm_runtime *rt) {
  if (!rt) return;
  wm__checker_destroy(rt->checker);
  for (uint32_t i = 0; i < rt->ninsts; i++) instance_free(rt->insts[i]);
  for (uint32_t i = 0; i < rt->nmems; i++) memory_free(rt->mems[i]);
  for (uint32_t i = 0; i < rt->nheld; i++) memory_free(rt->held[i]);
  for (uint32_t i = 0; i < rt->ntables; i++) table_free(rt->tables[i]);
  for (uint32_t i = 0; i < rt->nobjs; i++) wm__free(rt->objs[i]);
  wm__exn_free_all(rt);
  wm__gc_free_all(rt);
  for (uint32_t i = 0; i < rt->ntypes; i++)
    if (!rt->types[i].block) wm__free(rt->types[i].type.params);
  for (uint32_t i = 0; i < rt->nbindings; i++) {
    if (rt->bindings[i].resolve) continue; /* a host module's names are static */
    wm__free(rt->bindings[i].module);
    wm__free(rt->bindings[i].name);
  }
  wm__free(rt->insts);
  wm__free(rt->mems);
  wm__free(rt->held);
  wm__free(rt->tables);
  wm__free(rt->objs);
  wm__free(rt->host_globals);
  wm__free(rt->pins);
  wm__free(rt->types);
  wm__free(rt->bindings);
  wm__free(rt->stack);
  wm__free(rt->frames);
  if (rt->opts.pool) wm__pool_release(rt->opts.pool);
  wm__free(rt);
}

void wm_runtime_get_usage(const wm_runtime *rt, wm_runtime_usage *out) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  if (!rt) return;
  out->memory_bytes = rt->mem_bytes;
  out->table_elems = rt->table_elems;
  out->code_bytes = rt->code_bytes;
  out->instances = rt->ninsts;
  out->memories = rt->nmems;
  out->tables = rt->ntables;
  out->exceptions = rt->nexns + (rt->exn && !rt->exn->kept);
  out->gc_bytes = rt->gc_bytes;
  out->gc_collections = rt->gc_collections;
}

int wm__rt_own(wm_runtime *rt, void *p) {
  if (wm__grow((void **)&rt->objs, &rt->cap_objs, rt->nobjs + 1, sizeof *rt->objs))
    return WM_ENOMEM;
  rt->objs[rt->nobjs++] = p;
  return WM_OK;
}

int wm__rt_hold_imports(wm_runtime *rt, const wm_instance *inst, wm_error *err) {
  const wm_module *mod = inst->mod;
  uint32_t n = 0;
  for (uint32_t i = 0; i < mod->nmem_imports; i++) n += inst->mems[i]->decl.shared;
  if (!n) return WM_OK;
  if (wm__grow((void **)&rt->held, &rt->cap_held, rt->nheld + n, sizeof *rt->held))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t i = 0; i < mod->nmem_imports; i++) {
    wm_memory *m = inst->mems[i];
    if (!m->decl.shared) continue;
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    rt->held[rt->nheld++] = m;
  }
  return WM_OK;
}

void wm__runtime_stop(wm_runtime *rt) {
  atomic_store(&rt->stopped, true);
  atomic_fetch_add_explicit(&rt->interrupt, 1, memory_order_relaxed);
  wm__atomic_wake_owner(rt);
}

wm_rt_mark wm__rt_mark(const wm_runtime *rt) {
  wm_rt_mark mark = {rt->nobjs, rt->nmems, rt->ntables, rt->mem_bytes, rt->table_elems};
  return mark;
}

/* Only what was made since the mark goes, last first; nothing else may
** have been made or grown in between, so the sizes are simply restored. */
void wm__rt_undo(wm_runtime *rt, const wm_rt_mark *mark) {
  while (rt->nmems > mark->nmems) memory_free(rt->mems[--rt->nmems]);
  while (rt->ntables > mark->ntables) table_free(rt->tables[--rt->ntables]);
  while (rt->nobjs > mark->nobjs) wm__free(rt->objs[--rt->nobjs]);
  rt->mem_bytes = mark->mem_bytes;
  rt->table_elems = mark->table_elems;
}

/* ------------------------------------------------------------------ types */

static bool type_equal(const wm_type *a, const wm_type *b) {
  if (a->kind != b->kind || a->nparams != b->nparams || a->nresults != b->nresults) return false;
  for (uint32_t i = 0; i < a->nparams; i++)
    if (a->params[i] != b->params[i]) return false;
  for (uint32_t i = 0; i < a->nresults; i++)
    if (a->results[i] != b->results[i]) return false;
  return true;
}

/*
** Types are few (a module rarely has more than a few dozen), so a linear
** search is enough. The copy keeps params and results in one allocation,
** which is what wm_runtime_free releases.
*/
int wm__intern_type(wm_runtime *rt, const wm_type *t, uint32_t *id, wm_error *err) {
  for (uint32_t i = 0; i < rt->ntypes; i++) {
    const wm_typemeta *m = &rt->types[i].meta;
    if (m->rec_n == 1 && !m->super && m->final && type_equal(&rt->types[i].type, t)) {
      *id = i;
      return WM_OK;
    }
  }
  if (wm__grow((void **)&rt->types, &rt->cap_types, rt->ntypes + 1, sizeof *rt->types))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  size_t n = (size_t)t->nparams + t->nresults;
  wm_valtype *arr = wm__malloc((n ? n : 1) * sizeof *arr);
  if (!arr) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (t->nparams) memcpy(arr, t->params, t->nparams * sizeof *arr);
  if (t->nresults) memcpy(arr + t->nparams, t->results, t->nresults * sizeof *arr);
  wm_typeinfo *ti = &rt->types[rt->ntypes];
  ti->type.nparams = t->nparams;
  ti->type.nresults = t->nresults;
  ti->type.kind = t->kind;
  ti->type.params = arr;
  ti->type.results = arr + t->nparams;
  ti->block = false;
  ti->meta = (wm_typemeta){0, rt->ntypes, 0, 1, true};
  *id = rt->ntypes++;
  return WM_OK;
}

/* A module's type in the runtime's terms: its references to the module's
** types i as ids[i], those inside its own group (not interned yet) as
** the ids the group gets from `start` on. */
static uint32_t rt_vt(uint32_t t, uint32_t s, uint32_t n, uint32_t start, const uint32_t *ids) {
  uint32_t i = wm__vt_idx(t);
  if (!i) return t;
  i--;
  uint32_t id = i >= s && i - s < n ? start + (i - s) : ids[i];
  return (t & 0x1FF) | ((id + 1) << WM_VT_IDX_SHIFT);
}

/*
** A whole rec group at a time, in the module's order: an equal group
** (iso-recursively, wm__find_group) the runtime has gives its ids; else
** the group is appended, its references rewritten to interned ids. Only
** the types the runtime had before are searched: a group equal to an
** earlier one of the module has that one's canon (wm__canon_types) and so
** its ids, and one that is not equals none of those appended here (a fresh
** runtime, a host's per request, searches nothing). The new types' values
** are copied into one block made up front; if it, or room for the types,
** cannot be had, nothing is added.
*/
int wm__intern_types(wm_runtime *rt, const wm_module *mod, uint32_t *ids, wm_error *err) {
  uint32_t have = rt->ntypes, n = mod->ntypes;
  size_t vals = 0;
  for (uint32_t k = 0; k < n; k++) vals += (size_t)mod->types[k].nparams + mod->types[k].nresults;
  if (n > WM_VT_MAX_IDX - have ||
      wm__grow((void **)&rt->types, &rt->cap_types, have + n, sizeof *rt->types))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm_valtype *arr = vals ? wm__malloc(vals * sizeof *arr) : NULL, *at = arr;
  if (vals && !arr) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t s = 0; s < n;) {
    uint32_t gn = mod->tmeta[s].rec_n, canon = mod->tmeta[s].canon, g;
    if (canon != s) {
      g = ids[canon]; /* its members' ids are consecutive, as ours will be */
    } else {
      wm_typeset ts = wm__rt_typeset(rt->types);
      g = wm__find_group(&ts, have, mod, s, gn, ids);
    }
    if (g == UINT32_MAX) {
      g = rt->ntypes;
      for (uint32_t k = 0; k < gn; k++) {
        const wm_type *t = &mod->types[s + k];
        const wm_typemeta *m = &mod->tmeta[s + k];
        wm_typeinfo *ti = &rt->types[g + k];
        ti->type.nparams = t->nparams;
        ti->type.nresults = t->nresults;
        ti->type.kind = t->kind;
        ti->type.params = t->nparams + t->nresults ? at : NULL;
        ti->type.results = ti->type.params ? at + t->nparams : NULL;
        for (uint32_t i = 0; i < t->nparams; i++) *at++ = (wm_valtype)rt_vt(t->params[i], s, gn, g, ids);
        for (uint32_t i = 0; i < t->nresults; i++) *at++ = (wm_valtype)rt_vt(t->results[i], s, gn, g, ids);
        ti->block = true;
        uint32_t sup = m->super;
        if (sup) sup = (sup - 1 >= s && sup - 1 - s < gn ? g + (sup - 1 - s) : ids[sup - 1]) + 1;
        ti->meta = (wm_typemeta){sup, g + k, k, gn, m->final};
      }
      rt->ntypes += gn;
    }
    for (uint32_t k = 0; k < gn; k++) ids[s + k] = g + k;
    s += gn;
  }
  if (rt->ntypes == have || at == arr) { /* nothing new, or nothing to copy */
    wm__free(arr);
    return WM_OK;
  }
  if (wm__rt_own(rt, arr)) {
    wm__free(arr);
    rt->ntypes = have;
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  return WM_OK;
}

/* ---------------------------------------------------------------- budgets */

/* Does `add` more fit in a budget of `max` of which `have` is used? */
static bool fits(uint64_t have, uint64_t add, uint64_t max) {
  return have <= max && add <= max - have;
}

/* 0, or WM_ELIMIT naming the budget (the option's name) that `add` more
** would pass. */
static int budget(wm_error *err, const char *what, const char *opt, uint64_t have, uint64_t add,
                  uint64_t max) {
  if (fits(have, add, max)) return WM_OK;
  return wm__error(err, WM_ELIMIT, UINT32_MAX,
                   "runtime limit exceeded: %llu more %s would pass the budget of %llu "
                   "(%llu in use; wm_runtime_options.%s)",
                   (unsigned long long)add, what, (unsigned long long)max,
                   (unsigned long long)have, opt);
}

static int refused(wm_error *err, const char *what, uint64_t size, const char *unit,
                   const char *fn) {
  return wm__error(err, WM_ELIMIT, UINT32_MAX,
                   "runtime limit exceeded: a %s of %llu %s refused by the embedder's limiter "
                   "(wm_runtime_options.%s)",
                   what, (unsigned long long)size, unit, fn);
}

static bool module_in(const wm_runtime *rt, const wm_module *mod) {
  for (uint32_t i = rt->ninsts; i-- > 0;)
    if (rt->insts[i]->mod == mod) return true;
  return false;
}

/* The most a memory (in pages) or a table (in elements) of limits lim may
** reach under the runtime's cap for one object, in *max; WM_ELIMIT when its
** minimum is past that already. The memory budget caps a memory later. */
static int object_cap(const wm_runtime *rt, bool memory, wm_limits lim, uint64_t *max,
                      wm_error *err) {
  *max = memory ? rt->opts.max_memory_pages : rt->opts.max_table_elems;
  if (lim.has_max && lim.max < *max) *max = lim.max;
  if (lim.min <= *max) return WM_OK;
  const char *unit = memory ? "pages" : "elements";
  return wm__error(err, WM_ELIMIT, UINT32_MAX,
                   "%s size: minimum of %llu %s exceeds the limit of %llu %s",
                   memory ? "memory" : "table", (unsigned long long)lim.min, unit,
                   (unsigned long long)*max, unit);
}

/* Each defined table and memory within its cap, then the budgets for all
** of them together; only the limiter and the host are asked later. */
int wm__rt_admit(const wm_runtime *rt, const wm_module *mod, wm_error *err) {
  const wm_runtime_options *o = &rt->opts;
  uint64_t elems = 0, bytes = 0, cap;
  int rc = WM_OK;
  for (uint32_t i = mod->ntable_imports; i < mod->ntables && !rc; i++) {
    elems += mod->tables[i].lim.min;
    rc = object_cap(rt, false, mod->tables[i].lim, &cap, err);
  }
  for (uint32_t i = mod->nmem_imports; i < mod->nmems && !rc; i++) {
    bytes += mod->mems[i].min * PAGE_SIZE;
    rc = object_cap(rt, true, mod->mems[i], &cap, err);
  }
  if (!rc) rc = budget(err, "instances", "max_instances", rt->ninsts, 1, o->max_instances);
  if (!rc)
    rc = budget(err, "memories", "max_memories", rt->nmems, mod->nmems - mod->nmem_imports,
                o->max_memories);
  if (!rc)
    rc = budget(err, "tables", "max_tables", rt->ntables, mod->ntables - mod->ntable_imports,
                o->max_tables);
  if (!rc) rc = budget(err, "bytes of memory", "max_memory_bytes", rt->mem_bytes, bytes,
                       o->max_memory_bytes);
  if (!rc) rc = budget(err, "table elements", "max_table_elems_total", rt->table_elems, elems,
                       o->max_table_elems_total);
  if (!rc && !module_in(rt, mod))
    rc = budget(err, "bytes of lowered code", "max_code_bytes", rt->code_bytes, mod->code_bytes,
                o->max_code_bytes);
  return rc;
}

void wm__rt_charge_code(wm_runtime *rt, const wm_module *mod) {
  if (!module_in(rt, mod)) rt->code_bytes += mod->code_bytes;
}

/* A wasm function's first call in rt (the LAZY instruction): its code,
** lowered now if no call has lowered it yet. Code this call lowers is
** charged to rt; once rt's charges have reached max_code_bytes, lowering
** more fails (so a runtime passes its budget by one function at most: the
** size of code is known only once it is made). */
int wm__rt_lower(wm_runtime *rt, wm_func *f, wm_error *err) {
  /* Modules are immutable once loaded but for their lowered code, which
  ** is published atomically. */
  wm_module *mod = (wm_module *)f->inst->mod;
  wm__note_call(mod, f->idx);
  const wm_code *c = atomic_load_explicit(&mod->funcs[f->idx].code, memory_order_acquire);
  if (!c) {
    int rc = budget(err, "bytes of lowered code", "max_code_bytes", rt->code_bytes, 1,
                    rt->opts.max_code_bytes);
    bool fresh;
    if (!rc) rc = wm__lower(mod, f->idx, &c, &fresh, err);
    if (rc) return rc;
    if (fresh) rt->code_bytes += wm__code_size(c);
  }
  f->code = c;
  return 0;
}

/* ----------------------------------------------------------------- memory */

/* Reserve the address space of the whole maximum now, inaccessible, so
** that growing only changes protections and the base never moves; the
** first `bytes` accessible. (A pool's slot is such a reservation made
** before, pool.c.) A memory that starts at 2 MiB or more is reserved on
** a 2 MiB boundary and asks for transparent huge pages: a first touch of a page
** costs most under virtualisation (about 10 us here), and a guest's data
** segments and heap are touched page after page (yosys's 2.9 MB of data:
** 13 ms to instantiate on 4 KiB pages, 6 ms on huge ones). Pool slots do
** not ask: an instance made per request touches little of its memory, and
** a huge page would clear 2 MiB for it; nor do small memories, so that
** making one costs no more system calls. */
#define HUGE ((size_t)2 << 20)

static int reserve_own(wm_memory *m, size_t reserve, uint64_t bytes, wm_error *err) {
  size_t extra = bytes >= HUGE && reserve <= SIZE_MAX - HUGE ? HUGE : 0;
  uint8_t *p = mmap(NULL, reserve + extra, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                    -1, 0);
  if (p == MAP_FAILED)
    return wm__error(err, WM_ENOMEM, UINT32_MAX,
                     "out of host memory: cannot reserve %zu bytes of address space", reserve);
  if (extra) {
    uint8_t *a = (uint8_t *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
    if (a > p) (void)munmap(p, (size_t)(a - p));
    if (p + extra > a) (void)munmap(a + reserve, (size_t)(p + extra - a));
    p = a;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, reserve, MADV_HUGEPAGE);
#endif
  }
  if (bytes && mprotect(p, (size_t)bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(p, reserve);
    return wm__error(err, WM_ENOMEM, UINT32_MAX,
                     "out of host memory: cannot commit %llu bytes of linear memory",
                     (unsigned long long)bytes);
  }
  m->base = p;
  m->reserved = reserve;
  return WM_OK;
}

int wm__memory_create(wm_runtime *rt, wm_limits lim, int how, wm_memory **out, wm_error *err) {
  uint64_t maxp;
  int rc = object_cap(rt, true, lim, &maxp, err);
  if (rc) return rc;
  const wm_runtime_options *o = &rt->opts;
  uint64_t bytes = lim.min * PAGE_SIZE;
  rc = budget(err, "memories", "max_memories", rt->nmems, 1, o->max_memories);
  if (!rc) rc = budget(err, "bytes of memory", "max_memory_bytes", rt->mem_bytes, bytes,
                       o->max_memory_bytes);
  if (rc) return rc;
  /* No memory can outgrow the budget: reserve no more than it. */
  if (maxp > o->max_memory_bytes / PAGE_SIZE) maxp = o->max_memory_bytes / PAGE_SIZE;
  if (o->memory_growing && !o->memory_growing(o->limiter_data, 0, bytes, maxp * PAGE_SIZE))
    return refused(err, "memory", bytes, "bytes", "memory_growing");
  if (wm__grow((void **)&rt->mems, &rt->cap_mems, rt->nmems + 1, sizeof *rt->mems))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm_memory *m = wm__calloc(1, sizeof *m);
  if (!m) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  size_t reserve = maxp ? (size_t)maxp * PAGE_SIZE : PAGE_SIZE;
  /* The guard reservation does not depend on the maximum, which only
  ** bounds growth: its pages past the size stay inaccessible for good. */
  bool guard = how != WM_RESERVE_MAX && sizeof(size_t) >= 8 && !lim.is64;
  /* A shared memory may outlive its maker's runtime and with it the
  ** pool's reference, so it never takes a pool slot; nor does a memory
  ** that needs more than a slot. */
  rc = o->pool && !lim.shared && how != WM_RESERVE_GUARD ? wm__pool_take(o->pool, reserve, bytes, m)
                                                         : 1;
  if (rc < 0) {
    rc = wm__error(err, WM_ENOMEM, UINT32_MAX,
                   "out of host memory: cannot reserve or commit a pool slot for %llu bytes",
                   (unsigned long long)bytes);
  } else if (rc > 0 && guard) {
    rc = reserve_own(m, (size_t)WM_GUARD_SPAN, bytes, err);
    /* A host's memory may do without: only compiled code importing it
    ** needs the guard, and its instantiation says so. */
    if (rc && how == WM_RESERVE_GUARD_UNPOOLED)
      rc = reserve_own(m, reserve, bytes, err);
    else if (rc)
      rc = wm__error(err, WM_ENOMEM, UINT32_MAX,
                     "out of host memory: cannot reserve the %llu bytes of address space that "
                     "compiled code without bounds checks needs for its memory (compile with "
                     "--bounds-checks)",
                     (unsigned long long)WM_GUARD_SPAN);
  } else if (rc > 0) {
    rc = reserve_own(m, reserve, bytes, err);
  }
  if (rc) {
    wm__free(m);
    return rc;
  }
  m->size = bytes;
  m->max_pages = maxp;
  m->decl = lim;
  m->rt = rt;
  atomic_init(&m->refs, 1);
  rt->mems[rt->nmems++] = m;
  rt->mem_bytes += bytes;
  *out = m;
  return WM_OK;
}

/*
** A shared memory grows on any thread, perhaps after the runtime that made
** it is gone: only its effective maximum (fixed when it was made, within
** that runtime's budget) bounds it, and neither the runtime's usage nor its
** limiter is involved. Threads growing at once each make their pages
** accessible (mprotect of pages already accessible changes nothing, and
** fresh pages read as zero) and then publish the new size by
** compare-and-swap; a loser tries again from the size it finds.
*/
static int64_t shared_grow(wm_memory *m, uint64_t delta) {
  uint64_t size = __atomic_load_n(&m->size, __ATOMIC_ACQUIRE);
  for (;;) {
    uint64_t old = size / PAGE_SIZE;
    if (delta == 0) return (int64_t)old;
    if (delta > m->max_pages - old) return -1;
    uint64_t add = delta * PAGE_SIZE;
    if (mprotect(m->base + size, (size_t)add, PROT_READ | PROT_WRITE) != 0) return -1;
    if (__atomic_compare_exchange_n(&m->size, &size, size + add, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
      return (int64_t)old;
  }
}

int64_t wm__memory_grow(wm_memory *m, uint64_t delta) {
  if (m->decl.shared) return shared_grow(m, delta);
  uint64_t old = m->size / PAGE_SIZE;
  if (delta == 0) return (int64_t)old;
  if (delta > m->max_pages - old) return -1;
  const wm_runtime_options *o = &m->rt->opts;
  uint64_t add = delta * PAGE_SIZE;
  if (!fits(m->rt->mem_bytes, add, o->max_memory_bytes)) return -1;
  if (o->memory_growing &&
      !o->memory_growing(o->limiter_data, m->size, m->size + add, m->max_pages * PAGE_SIZE))
    return -1;
  /* Fresh anonymous pages read as zero, as memory.grow requires. */
  if (mprotect(m->base + m->size, (size_t)add, PROT_READ | PROT_WRITE) != 0) return -1;
  m->size += add;
  m->rt->mem_bytes += add;
  if (m->chk) wm__check_grow(m, old * PAGE_SIZE); /* new heap pages are unallocated */
  return (int64_t)old;
}

static int check_limits(wm_limits lim, uint64_t bound, const char *what, wm_error *err) {
  if (lim.min > bound || (lim.has_max && (lim.max > bound || lim.max < lim.min)))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "invalid %s limits", what);
  if (lim.shared && !lim.has_max)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "a shared memory must have a maximum");
  return WM_OK;
}

int wm_memory_new(wm_runtime *rt, wm_limits limits, wm_memory **out, wm_error *err) {
  if (!rt || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_memory_new: NULL argument");
  *out = NULL;
  int rc = check_limits(limits, limits.is64 ? (uint64_t)1 << 48 : MAX_PAGES, "memory", err);
  if (rc) return rc;
  /* Compiled code without bounds checks may import it. */
  return wm__memory_create(rt, limits, WM_RESERVE_GUARD_UNPOOLED, out, err);
}

/* ----------------------------------------------------------------- tables */

static bool is_reftype(wm_valtype t) { return wm__is_reftype((uint8_t)t); }

int wm__table_create(wm_runtime *rt, wm_valtype type, wm_limits lim, void *init, wm_table **out,
                     wm_error *err) {
  uint64_t maxe;
  int rc = object_cap(rt, false, lim, &maxe, err);
  if (rc) return rc;
  const wm_runtime_options *o = &rt->opts;
  rc = budget(err, "tables", "max_tables", rt->ntables, 1, o->max_tables);
  if (!rc) rc = budget(err, "table elements", "max_table_elems_total", rt->table_elems, lim.min,
                       o->max_table_elems_total);
  if (rc) return rc;
  if (o->table_growing && !o->table_growing(o->limiter_data, 0, lim.min, maxe))
    return refused(err, "table", lim.min, "elements", "table_growing");
  if (wm__grow((void **)&rt->tables, &rt->cap_tables, rt->ntables + 1, sizeof *rt->tables))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm_table *t = wm__calloc(1, sizeof *t);
  void **elems = wm__calloc(lim.min ? (size_t)lim.min : 1, sizeof *elems);
  if (!t || !elems) {
    wm__free(t);
    wm__free(elems);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  if (init)
    for (uint64_t i = 0; i < lim.min; i++) elems[i] = init;
  t->elems = elems;
  t->size = t->cap = (uint32_t)lim.min;
  t->type = type;
  t->decl = lim;
  t->max = (uint32_t)maxe;
  t->rt = rt;
  rt->tables[rt->ntables++] = t;
  rt->table_elems += lim.min;
  *out = t;
  return WM_OK;
}

int64_t wm__table_grow(wm_table *t, uint64_t delta, void *init) {
  uint32_t old = t->size;
  if (delta > (uint64_t)t->max - old) return -1;
  const wm_runtime_options *o = &t->rt->opts;
  if (!fits(t->rt->table_elems, delta, o->max_table_elems_total)) return -1;
  if (delta && o->table_growing && !o->table_growing(o->limiter_data, old, old + delta, t->max))
    return -1;
  uint32_t need = old + (uint32_t)delta;
  if (need > t->cap) {
    /* Grow geometrically, but never past the maximum nor past what the
    ** budget leaves, so that host memory stays within it. */
    uint64_t ncap = (uint64_t)t->cap * 2;
    uint64_t left = o->max_table_elems_total - t->rt->table_elems - delta;
    if (ncap > need + left) ncap = need + left;
    if (ncap < need) ncap = need;
    if (ncap > t->max) ncap = t->max;
    void **p = wm__realloc(t->elems, (size_t)ncap * sizeof *p);
    if (!p) return -1;
    t->elems = p;
    t->cap = (uint32_t)ncap;
  }
  for (uint32_t i = old; i < need; i++) t->elems[i] = init;
  t->size = need;
  t->rt->table_elems += delta;
  return old;
}

int wm_table_new(wm_runtime *rt, wm_valtype elem_type, wm_limits limits, void *init,
                 wm_table **out, wm_error *err) {
  if (!rt || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_table_new: NULL argument");
  *out = NULL;
  if (!is_reftype(elem_type))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "table element type must be a reference type");
  int rc = check_limits(limits, limits.is64 ? UINT64_MAX : UINT32_MAX, "table", err);
  if (!rc && limits.shared)
    rc = wm__error(err, WM_EINVAL, UINT32_MAX, "a table cannot be shared");
  const char *why = wm__vt_gc(elem_type) && init ? wm__gcref_refusal(rt, elem_type, init) : NULL;
  if (!rc && why) rc = wm__error(err, WM_ETYPE, UINT32_MAX, "table initial value: %s", why);
  if (rc) return rc;
  return wm__table_create(rt, elem_type, limits, init, out, err);
}

/* ---------------------------------------------------------------- globals */

static bool is_valtype(wm_valtype t) {
  return t == WM_I32 || t == WM_I64 || t == WM_F32 || t == WM_F64 || t == WM_V128 || is_reftype(t);
}

int wm_global_new(wm_runtime *rt, wm_val init, bool mutable_, wm_global **out, wm_error *err) {
  if (!rt || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_global_new: NULL argument");
  *out = NULL;
  if (!is_valtype(init.type))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "unsupported global type 0x%02x",
                     (unsigned)init.type);
  const char *why = wm__vt_gc(init.type) ? wm__gcref_refusal(rt, init.type, init.of.ref) : NULL;
  if (why) return wm__error(err, WM_ETYPE, UINT32_MAX, "global initial value: %s", why);
  /* A reference global the collector must see (collect.c): room first. */
  bool root = is_reftype(init.type) && wm__vt_top(init.type) != 0x70;
  if (root && wm__grow((void **)&rt->host_globals, &rt->cap_host_globals, rt->nhost_globals + 1,
                       sizeof *rt->host_globals))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm_global *g = wm__calloc(1, sizeof *g);
  if (!g || wm__rt_own(rt, g)) {
    wm__free(g);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  if (root) rt->host_globals[rt->nhost_globals++] = g;
  g->type = init.type;
  g->mut = mutable_;
  g->rt = rt;
  wm__val_to_slots(init, g->val);
  *out = g;
  return WM_OK;
}

/* ---------------------------------------------------------- host functions */

/*
** A host function and its type live in one allocation. f->type points at
** that copy rather than into rt->types, which moves when it grows; type_id
** is what identifies the type.
*/
typedef struct host_func {
  wm_func f;
  wm_type type;
  wm_valtype arr[];
} host_func;

int wm_func_new_host(wm_runtime *rt, const wm_functype *type, wm_host_fn fn, void *data,
                     wm_func **out, wm_error *err) {
  if (!rt || !type || !fn || !out)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_func_new_host: NULL argument");
  *out = NULL;
  if ((type->nparams && !type->params) || (type->nresults && !type->results))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_func_new_host: type arrays are NULL");
  if (type->nparams > 1000 || type->nresults > 1000)
    return wm__error(err, WM_ELIMIT, UINT32_MAX, "too many params or results (limit 1000)");
  for (uint32_t i = 0; i < type->nparams + type->nresults; i++) {
    wm_valtype v = i < type->nparams ? type->params[i] : type->results[i - type->nparams];
    if (!is_valtype(v))
      return wm__error(err, WM_EINVAL, UINT32_MAX,
                       "unsupported value type 0x%02x in host function type", (unsigned)v);
  }
  size_t n = (size_t)type->nparams + type->nresults;
  host_func *h = wm__malloc(sizeof *h + n * sizeof(wm_valtype));
  if (!h) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (type->nparams) memcpy(h->arr, type->params, type->nparams * sizeof(wm_valtype));
  if (type->nresults)
    memcpy(h->arr + type->nparams, type->results, type->nresults * sizeof(wm_valtype));
  h->type.nparams = type->nparams;
  h->type.nresults = type->nresults;
  h->type.kind = WM_COMP_FUNC;
  h->type.params = h->arr;
  h->type.results = h->arr + type->nparams;
  uint32_t id;
  int rc = wm__intern_type(rt, &h->type, &id, err);
  if (rc || (rc = wm__rt_own(rt, h)) != 0) {
    wm__free(h);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  memset(&h->f, 0, sizeof h->f);
  h->f.type_id = id;
  h->f.type = &h->type;
  h->f.host = fn;
  h->f.host_data = data;
  h->f.rt = rt;
  *out = &h->f;
  return WM_OK;
}

/* --------------------------------------------------------------- bindings */

/*
** Bindings are kept in the order of definition and searched latest first,
** so that a later definition of a name shadows an earlier one, whether
** either is a plain binding or a host module defined whole. Redefining a
** plain binding moves it to the end rather than keeping a stale copy.
*/
static int define(wm_runtime *rt, const char *module, const char *name, wm_externkind kind,
                  void *obj, wm_error *err) {
  if (!rt || !module || !name || !obj)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_runtime_define: NULL argument");
  for (uint32_t i = 0; i < rt->nbindings; i++) {
    wm_binding *b = &rt->bindings[i];
    /* Names first: a host module's bindings share their module name. */
    if (!b->resolve && strcmp(b->name, name) == 0 && strcmp(b->module, module) == 0) {
      wm_binding keep = *b;
      memmove(b, b + 1, (rt->nbindings - i - 1) * sizeof *b);
      keep.kind = kind;
      keep.obj = obj;
      rt->bindings[rt->nbindings - 1] = keep;
      return WM_OK;
    }
  }
  if (wm__grow((void **)&rt->bindings, &rt->cap_bindings, rt->nbindings + 1,
               sizeof *rt->bindings))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  char *m = wm__strndup(module, strlen(module));
  char *n = wm__strndup(name, strlen(name));
  if (!m || !n) {
    wm__free(m);
    wm__free(n);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  wm_binding *b = &rt->bindings[rt->nbindings++];
  b->module = m;
  b->name = n;
  b->kind = kind;
  b->obj = obj;
  b->resolve = NULL;
  return WM_OK;
}

int wm__rt_define_module(wm_runtime *rt, const char *module, wm_resolve_fn resolve, void *data,
                         wm_error *err) {
  if (wm__grow((void **)&rt->bindings, &rt->cap_bindings, rt->nbindings + 1,
               sizeof *rt->bindings))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm_binding *b = &rt->bindings[rt->nbindings++];
  b->module = (char *)module; /* static: never freed (resolve is set) */
  b->name = NULL;
  b->kind = WM_EXTERN_FUNC;
  b->obj = data;
  b->resolve = resolve;
  return WM_OK;
}

static bool same(const char *s, const char *p, uint32_t len) {
  return strlen(s) == len && memcmp(s, p, len) == 0;
}

int wm__rt_lookup(wm_runtime *rt, const char *module, uint32_t module_len, const char *name,
                  uint32_t name_len, wm_binding *out, wm_error *err) {
  for (uint32_t i = rt->nbindings; i-- > 0;) {
    const wm_binding *b = &rt->bindings[i];
    if (b->resolve) {
      if (!same(b->module, module, module_len)) continue;
      int rc = b->resolve(rt, b->obj, name, name_len, out, err);
      if (rc != WM_ENOT_FOUND) return rc;
    } else if (same(b->name, name, name_len) && same(b->module, module, module_len)) {
      *out = *b; /* names first, as in define() */
      return WM_OK;
    }
  }
  return WM_ENOT_FOUND;
}

int wm_runtime_define_func(wm_runtime *rt, const char *module, const char *name, wm_func *f,
                           wm_error *err) {
  return define(rt, module, name, WM_EXTERN_FUNC, f, err);
}

int wm_runtime_define_table(wm_runtime *rt, const char *module, const char *name, wm_table *t,
                            wm_error *err) {
  return define(rt, module, name, WM_EXTERN_TABLE, t, err);
}

int wm_runtime_define_memory(wm_runtime *rt, const char *module, const char *name, wm_memory *m,
                             wm_error *err) {
  return define(rt, module, name, WM_EXTERN_MEMORY, m, err);
}

int wm_runtime_define_global(wm_runtime *rt, const char *module, const char *name, wm_global *g,
                             wm_error *err) {
  return define(rt, module, name, WM_EXTERN_GLOBAL, g, err);
}

int wm_runtime_define_tag(wm_runtime *rt, const char *module, const char *name, wm_tag *tag,
                          wm_error *err) {
  return define(rt, module, name, WM_EXTERN_TAG, tag, err);
}

/* On failure (out of memory) the exports defined so far stay defined. */
int wm_runtime_register(wm_runtime *rt, const char *module, wm_instance *inst, wm_error *err) {
  if (!rt || !module || !inst)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_runtime_register: NULL argument");
  const wm_module *mod = inst->mod;
  for (uint32_t i = 0; i < mod->nexports; i++) {
    const wm_export *e = &mod->exports[i];
    void *obj = NULL;
    switch (e->kind) {
      case WM_EXTERN_FUNC: obj = inst->funcs[e->idx]; break;
      case WM_EXTERN_TABLE: obj = inst->tables[e->idx]; break;
      case WM_EXTERN_MEMORY: obj = inst->mems[e->idx]; break;
      case WM_EXTERN_GLOBAL: obj = inst->globals[e->idx]; break;
      case WM_EXTERN_TAG: obj = inst->tags[e->idx]; break;
    }
    if (!obj) continue; /* a partly made instance: nothing to define */
    int rc = define(rt, module, e->name, e->kind, obj, err);
    if (rc) return rc;
  }
  return WM_OK;
}
