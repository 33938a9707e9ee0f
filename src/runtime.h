/* SPDX-License-Identifier: MIT */
/*
** runtime.h -- run-time objects: the runtime (the spec's store), instances,
** function/table/memory/global instances, and the interpreter's entry point.
** Used by runtime.c, instance.c, memory.c, interp.c and api.c.
*/
#ifndef WM_RUNTIME_H
#define WM_RUNTIME_H

#include <stdatomic.h>
#include <string.h>

#include "module.h"

/* Interned function types: two wm_funcs have equal types iff type_id is
** equal, whatever module they come from. */
typedef struct wm_typeinfo {
  wm_type type;          /* a copy rt owns: its own allocation, or (block)
                         ** part of one that rt->objs owns; a typed
                         ** reference in it names an interned id */
  bool block;
  wm_typemeta meta;      /* rec group and supertype, in interned ids */
} wm_typeinfo;

/* The runtime's interned types as a wm_typeset (types.c). */
static inline wm_typeset wm__rt_typeset(const wm_typeinfo *types) {
  /* None interned yet (a module without types importing a global): an
  ** empty set, without taking members of a null pointer. */
  wm_typeset ts = {types ? &types[0].type : NULL, sizeof *types, types ? &types[0].meta : NULL,
                   sizeof *types};
  return ts;
}

struct wm_func {
  uint32_t type_id;      /* index into wm_runtime.types */
  uint8_t hook;          /* WM_HOOK_* (check.h): a tracked allocator
                         ** function of a checked instance; else 0. In
                         ** type_id's padding: the struct keeps its size */
  const wm_type *type;   /* equal to rt->types[type_id].type, in storage that
                         ** never moves (the module's, or the host func's) */
  wm_instance *inst;     /* owning instance; NULL for host functions */
  const wm_code *code;   /* wasm functions */
  wm_runtime *rt;        /* the runtime whose interned type type_id is */
  uint32_t idx;          /* index in its module's function space */
  wm_host_fn host;       /* host functions */
  void *host_data;
};

struct wm_memory {
  uint8_t *base;         /* never moves: the maximum is reserved up front */
  uint64_t size;         /* bytes accessible now (pages * 65536) */
  uint64_t max_pages;    /* effective maximum (declared and runtime limit) */
  size_t reserved;       /* bytes of address space reserved at base */
  wm_limits decl;        /* the declared limits (max may be absent) */
  /* The guest heap checker (check.h), when one watches this memory: its
  ** shadow as the checked loop should see it (NULL while the guest's
  ** allocator runs, whose accesses are not checked) and the checker. */
  uint8_t *shadow;
  struct wm_checker *chk;
  wm_runtime *rt;        /* the owner, whose budgets growth is charged to */
  wm_pool *pool;         /* the pool whose slot base is, or NULL (pool.c) */
  uint32_t slot;         /* the slot's index in the pool */
  /* A shared memory may be imported by runtimes on other threads
  ** (wasi-threads): each runtime holding it counts one reference, its
  ** maker's included, and the last to be freed unmaps it. Its size then
  ** changes on any thread (wm__memory_grow: a compare-and-swap). An
  ** unshared memory has one reference, its runtime's. */
  atomic_uint refs;
};

struct wm_table {
  void **elems;
  uint32_t size;
  uint32_t cap;
  wm_valtype type;
  wm_limits decl;
  uint32_t max;          /* effective maximum */
  wm_runtime *rt;        /* the owner, whose budgets growth is charged to */
};

struct wm_global {
  wm_slot val[2];        /* a v128 takes both; any other value val[0] */
  wm_valtype type;
  bool mut;
  wm_runtime *rt;        /* the owner */
};

/* An exception tag (exn.c): identity is the object. A module's own tags
** are made per instance; a host's by wm_tag_new. */
struct wm_tag {
  uint32_t type_id;      /* interned type (rt->types) of its payload */
  uint32_t nslots;       /* slots of its payload (a v128 takes two) */
  const wm_type *type;   /* params: the payload; storage that never moves */
  wm_instance *inst;     /* defining instance, NULL for a host tag */
  uint32_t idx;          /* index in inst's tag space */
  wm_runtime *rt;        /* the runtime whose interned type type_id is */
};

/* An exception: its tag and payload in slot form. One no exnref value has
** named yet is held only while it unwinds or is pending (rt->exn) and is
** freed when a catch clause without _ref takes it or it is replaced;
** once a catch_ref or catch_all_ref clause, or wm_runtime_exception, has
** made an exnref of it, it is `kept`: linked on rt->exns, freed by a
** collection (collect.c) once nothing names it, or with the runtime. One whose exnref
** the host has seen (`host`: a result, an argument of a host function, a
** global or table read) is never swept: the host may hold it anywhere. */
typedef struct wm_exn {
  struct wm_exn *next;
  wm_tag *tag;
  bool kept, host;
  bool mark;  /* reached, during a collection (collect.c) */
  wm_slot vals[];
} wm_exn;

struct wm_instance {
  wm_runtime *rt;
  const wm_module *mod;
  wm_func **funcs;       /* whole function index space (imports first) */
  wm_table **tables;
  wm_memory **mems;
  wm_global **globals;
  wm_tag **tags;
  uint32_t *type_ids;    /* module type index -> runtime type id */
  bool *elem_dropped;    /* per element segment */
  bool *data_dropped;    /* per data segment */
  wm_func *own_funcs;    /* storage for the defined functions */
  void *block;           /* the allocation the instance is in (instance.c) */
  /* Element segments whose items are extended constant expressions (GC
  ** objects among them) are evaluated once, at instantiation: per segment
  ** its references, or NULL (evaluate the items when used). NULL when no
  ** segment has such items. */
  void ***elem_refs;
  /* The trap a constant expression met making a GC object (0: none). */
  int const_trap;
  /* The compiled code's context (src/aot/aot_rt.c) when the module was
  ** loaded from a compiled object; else NULL. */
  void *aot;
};


/* One activation record of the interpreter (kept off the C stack). */
typedef struct wm_frame {
  const uint32_t *ret_ip; /* where the caller resumes */
  wm_slot *fp;            /* this frame's slots */
  wm_func *func;          /* the function running in this frame */
} wm_frame;

/*
** A name -> object binding for import resolution. A host module defined as
** a whole (wm_wasi_define) is one binding with `resolve` set and `name`
** NULL: its names are found, and their objects made, by resolve(rt, obj,
** name, len, out, err) when an import asks for them -- WM_OK with out's
** kind and obj set, WM_ENOT_FOUND for a name it does not have, or an error
** in err. Its `module` is the definer's static string, not a copy.
*/
typedef struct wm_binding wm_binding;
typedef int (*wm_resolve_fn)(wm_runtime *rt, void *data, const char *name, uint32_t len,
                             wm_binding *out, wm_error *err);
struct wm_binding {
  char *module, *name;
  wm_externkind kind;
  void *obj;             /* wm_func*, wm_table*, wm_memory*, wm_global* or
                         ** wm_tag*;
                         ** a host module's data */
  wm_resolve_fn resolve; /* a host module's; NULL for a plain binding */
};

/* A stretch of this thread's native stack that compiled frames occupy
** (aot_rt.c): from hi (the frame of the wm__aot_run that entered them)
** down to lo, set while compiled code has left for the runtime or a host
** (every callee-saved register spilled above lo first), 0 while it runs.
** Lives in wm__aot_run's frame. */
typedef struct wm_native_seg {
  uintptr_t lo, hi;
  struct wm_native_seg *prev;
} wm_native_seg;

/* Can the collector read compiled frames (collect.c)? It needs the
** compiler's register spill (__builtin_unwind_init) and frame addresses,
** and a stack that grows down. */
#if defined(__GNUC__) && !defined(__hppa__)
#define WM_NATIVE_SCAN 1
#else
#define WM_NATIVE_SCAN 0
#endif

struct wm_runtime {
  wm_runtime_options opts;
  /* Value stack and frame stack, shared by nested calls (a host function
  ** calling back into wasm continues above the current top). */
  wm_slot *stack, *stack_end, *stack_top;
  wm_frame *frames;
  uint32_t nframes, max_frames;
  /* Where the innermost activation was when it trapped (for the byte
  ** offset in the backtrace); its callers' places are their frames'
  ** return addresses. */
  const uint32_t *trap_ip;
  /* Interned function types. */
  wm_typeinfo *types; uint32_t ntypes, cap_types;
  /* Everything the runtime owns, freed by wm_runtime_free. */
  void **objs; uint32_t nobjs, cap_objs;        /* plain allocations */
  wm_memory **mems; uint32_t nmems, cap_mems;   /* need unmapping */
  wm_table **tables; uint32_t ntables, cap_tables;
  wm_instance **insts; uint32_t ninsts, cap_insts;
  /* Shared memories made in other runtimes that rt's instances import: one
  ** reference each, released by wm_runtime_free. */
  wm_memory **held; uint32_t nheld, cap_held;
  wm_binding *bindings; uint32_t nbindings, cap_bindings;
  struct wm_checker *checker; /* the guest heap checker, if made (check.c) */
  /* What the budgets of opts count (see wm_runtime_usage): current sizes
  ** of all memories and tables, and the lowered code of the distinct
  ** modules instantiated. */
  uint64_t mem_bytes, table_elems, code_bytes;
  /* Metering (meter.c). The FUEL instruction of metered code takes a
  ** block's cost from `fuel`, which holds at most one slice of the budget;
  ** when it goes negative, or `interrupt` is set, it calls wm__meter_poll,
  ** which takes interrupts, reads the clock and refills `fuel` from
  ** `fuel_reserve` (unlimited while fuel_on is false). */
  int64_t fuel;
  uint64_t fuel_reserve;
  bool fuel_on;          /* wm_runtime_set_fuel: a budget is set */
  bool interrupt_seen;   /* metered code saw `interrupt` (its value in
                         ** interrupt_val): cleared when the outermost
                         ** call into rt returns */
  int interrupt_val;
  uint32_t entries;      /* calls from the host into rt running now,
                         ** nested ones included (wm__interp_call_plain) */
  bool meter_slow;       /* fuel_on || deadline || interrupt_seen */
  uint64_t deadline;     /* CLOCK_MONOTONIC ns; 0 = none */
  atomic_int interrupt;  /* requests so far (wm_runtime_interrupt, from any
                         ** thread); 0 when none is pending */
  /* Exceptions (exn.c): the kept ones, their number, and the one unwinding
  ** or left uncaught by the last call (NULL when none; kept or not). */
  wm_exn *exns;
  uint32_t nexns;
  wm_exn *exn;
  /* A collection (collect.c) runs when nexns reaches exn_sweep_at;
  ** never once refs_shared is set: exnrefs and objects may cross into or
  ** out of another runtime (an import of a function, or of a table or
  ** global that can hold an exnref, between two runtimes), whose roots a
  ** collection cannot see. */
  uint32_t exn_sweep_at;
  atomic_bool refs_shared;
  /* Activations of compiled code (src/aot) running in rt, and the native
  ** stack segments their frames occupy, innermost first (wm_native_seg):
  ** the collector reads them as roots (collect.c). Where it cannot
  ** (WM_NATIVE_SCAN unset), no collection runs while native_depth is set. */
  uint32_t native_depth;
  struct wm_native_seg *native_seg;
  /* Garbage-collected objects (gc.c): every one, newest first; the set of
  ** their addresses (open addressing, gc_cap a power of two); their bytes
  ** with headers, counted against opts.max_gc_bytes. */
  struct wm_gcobj *gc_objs;
  void **gc_set;
  size_t gc_cap, gc_n;
  uint64_t gc_bytes;
  /* A collection is due when gc_bytes passes gc_next (collect.c); the
  ** bytes live after the last one; how many have run. */
  uint64_t gc_next, gc_live, gc_collections;
  /* Roots the collector cannot find through instances: the reference
  ** globals the host made (wm_global_new) and what the host pinned
  ** (wm_ref_pin; a value once per pin). */
  wm_global **host_globals; uint32_t nhost_globals, cap_host_globals;
  void **pins; uint32_t npins, cap_pins;
  /* Set once by wm__runtime_stop (a wasi-threads group ending, from any
  ** thread): memory.atomic.wait in rt returns at once, trapping. */
  atomic_bool stopped;
};

struct wm_call_ctx {
  wm_runtime *rt;
  wm_instance *caller;   /* NULL when called from the host */
  char *trap_msg;        /* set by wm_call_ctx_trap; points into a buffer */
  char trap_buf[256];
};

/* exn.c: a new exception of tag with its payload copied from vals (slot
** form), made the pending one; returns WM_EXCEPTION, or WM_ENOMEM. */
int wm__exn_throw(wm_runtime *rt, wm_tag *tag, const wm_slot *vals);
/* exn.c: unwinding the pending exception from the top frame (of
** rt->nframes) at rt->trap_ip, its callers at their calls, down to frame
** `base`: the landing pad of the first catch clause that takes it, its
** payload delivered into that frame's slots and rt->nframes cut back to
** that frame; NULL when none does. */
const uint32_t *wm__exn_catch(wm_runtime *rt, wm_frame *base);
/* exn.c: the pending exception caught by a clause of kind (WM_CATCH...,
** module.h) that matched it: its payload (catch, catch_ref), then its
** exnref (the _ref kinds), written to d.., and no exception pending. */
void wm__exn_take(wm_runtime *rt, uint32_t kind, wm_slot *d);
/* exn.c: "uncaught exception: tag 0 \"e0\" of module m" into msg (256). */
void wm__exn_describe(const wm_runtime *rt, char *msg);
/* exn.c: make e (NULL: none) the pending exception; the one it replaces
** is freed unless it is kept. */
void wm__exn_set(wm_runtime *rt, wm_exn *e);
/* Kept exceptions a runtime holds before its first sweep (exn.c). */
#define WM_EXN_SWEEP_MIN 1024u
/* exn.c: never sweep the exceptions of a or b (either may be NULL):
** exnrefs may cross between them. */
void wm__refs_share(wm_runtime *a, wm_runtime *b);
/* exn.c: free every exception (runtime teardown). */
void wm__exn_free_all(wm_runtime *rt);
/* exn.c: make the defined tags of inst (its tag space's tail). */
int wm__tags_create(wm_instance *inst, wm_error *err);

/* runtime.c */
int wm__intern_type(wm_runtime *rt, const wm_type *t, uint32_t *id, wm_error *err);
/* Intern n types at once (a module's): ids[i] for types[i]; the ones rt
** does not have yet are copied into one allocation. On failure (out of
** memory) none of them is added. */
int wm__intern_types(wm_runtime *rt, const wm_module *mod, uint32_t *ids,
                     wm_error *err);
/* Register an allocation to be freed with the runtime. */
int wm__rt_own(wm_runtime *rt, void *p);
/* How wm__memory_create reserves a memory's address space: its maximum
** (or a pool's slot), or WM_GUARD_SPAN bytes from the base, which compiled
** code without bounds checks needs (aot_abi.h's WM_AOT_GUARD_SPAN: any
** 32-bit address plus 32-bit offset plus 8 bytes lands inside). A guard
** reservation is made on 64-bit hosts for a 32-bit memory only; the pool's
** slots are smaller, so WM_RESERVE_GUARD never takes one, and
** WM_RESERVE_GUARD_UNPOOLED (wm_memory_new) only where no pool gives a
** slot. */
enum { WM_RESERVE_MAX, WM_RESERVE_GUARD_UNPOOLED, WM_RESERVE_GUARD };
#define WM_GUARD_SPAN (((uint64_t)8 << 30) + 65536u)
int wm__memory_create(wm_runtime *rt, wm_limits lim, int reserve, wm_memory **out,
                      wm_error *err);
/* Is m reserved for compiled code without bounds checks? */
static inline bool wm__memory_guarded(const wm_memory *m) {
  return (uint64_t)m->reserved >= WM_GUARD_SPAN;
}
int wm__table_create(wm_runtime *rt, wm_valtype type, wm_limits lim, void *init, wm_table **out, wm_error *err);
/* Can rt take an instance of mod (each table's and memory's cap, counts,
** initial sizes, code)? 0 or WM_ELIMIT naming the limit; charges nothing. */
int wm__rt_admit(const wm_runtime *rt, const wm_module *mod, wm_error *err);
/* How many memories, tables and plain allocations rt owns and their sizes:
** wm__rt_undo frees what was made after the mark and restores the sizes,
** for an instantiation that fails before its objects were used. */
typedef struct wm_rt_mark {
  uint32_t nobjs, nmems, ntables;
  uint64_t mem_bytes, table_elems;
} wm_rt_mark;
wm_rt_mark wm__rt_mark(const wm_runtime *rt);
void wm__rt_undo(wm_runtime *rt, const wm_rt_mark *mark);
/* Charge mod's code to rt unless an instance of it is there already
** (call before the new instance is registered). */
void wm__rt_charge_code(wm_runtime *rt, const wm_module *mod);
/* Point wasm function f at its lowered code, lowering it if no call has
** yet (the LAZY instruction); charged to rt's max_code_bytes. */
int wm__rt_lower(wm_runtime *rt, wm_func *f, wm_error *err);
/* Grow; returns the old size in pages/elements or -1 (past a maximum or a
** budget, refused by the limiter, or out of host memory). */
int64_t wm__memory_grow(wm_memory *m, uint64_t delta);
int64_t wm__table_grow(wm_table *t, uint64_t delta, void *init);

/* pool.c: a reference more or less to a pool (the last frees it). */
void wm__pool_retain(wm_pool *p);
void wm__pool_release(wm_pool *p);
/* pool.c: give m (its base, reserved, pool and slot) a free slot of p able
** to hold max_bytes, with its first `bytes` accessible and zero: 0, or 1
** when none fits or is free (a fallback, counted), or -1 when the slot's
** address space or protections could not be had (out of host memory). */
int wm__pool_take(wm_pool *p, uint64_t max_bytes, uint64_t bytes, wm_memory *m);
/* pool.c: zero m's pages and return its slot to the pool. */
void wm__pool_give(wm_memory *m);

/* runtime.c: resolve (module, name) against the bindings, the latest
** definition first: WM_OK with out's kind and obj set, WM_ENOT_FOUND when
** nothing defines it, or another error (in err) from a host module that
** could not make the object. Lengths allow names that are not
** NUL-terminated where they end. */
int wm__rt_lookup(wm_runtime *rt, const char *module, uint32_t module_len, const char *name,
                  uint32_t name_len, wm_binding *out, wm_error *err);
/* runtime.c: define a whole host module named `module` (static storage)
** whose names resolve through resolve(rt, data, ...); it shadows earlier
** definitions of the names it has, and later ones shadow it. data is the
** definer's, who must keep it alive (an allocation rt owns, say). */
int wm__rt_define_module(wm_runtime *rt, const char *module, wm_resolve_fn resolve, void *data,
                         wm_error *err);
/* instance.c: wm_instance_new with the imports given in order instead of
** by name: imports[i] (its kind and object; the names are not read) is the
** module's import i, checked as a binding of its name would be. For the
** standard C API (capi_objects.c), whose imports are positional. */
int wm__instance_new_linked(wm_runtime *rt, const wm_module *mod, const wm_instance_options *opts,
                            const wm_binding *imports, wm_instance **out, wm_error *err);
/* runtime.c: take a reference to each shared memory inst imports (from
** any runtime, rt's own too) for rt, so that it outlives its maker while
** rt lives. Before inst is registered: WM_ENOMEM leaves nothing held. */
int wm__rt_hold_imports(wm_runtime *rt, const wm_instance *inst, wm_error *err);
/* runtime.c: stop rt from another thread: an interrupt request (metered
** code stops at its next block) and rt->stopped, and every thread of rt
** parked in memory.atomic.wait is woken to trap. Not signal-safe. */
void wm__runtime_stop(wm_runtime *rt);
/* runtime.c: free an instance's arrays and the instance (runtime teardown,
** or instance.c before the instance is registered). */
void wm__instance_free(wm_instance *inst);

/* A wm_val in slot form (i32/f32 zero-extended; a v128 takes two slots)
** and back. Inline: the interpreter's host calls convert every argument. */
static inline void wm__val_to_slots(wm_val v, wm_slot *s) {
  s->u64 = 0;
  switch (v.type) {
    case WM_I32: s->u64 = (uint32_t)v.of.i32; break;
    case WM_F32: s->u64 = v.of.f32_bits; break;
    case WM_FUNCREF:
    case WM_EXTERNREF:
    case WM_ANYREF:
    case WM_EXNREF: s->ref = v.of.ref; break;
    case WM_V128: memcpy(s, v.of.v128, 16); break;
    default: s->u64 = v.of.f64_bits; break; /* i64, f64 */
  }
}

/* A typed reference comes out as a value of its hierarchy's kind
** (WM_FUNCREF, WM_EXTERNREF, WM_EXNREF, WM_ANYREF): embedders see those
** only. */
static inline wm_val wm__slots_to_val(const wm_slot *s, wm_valtype t) {
  wm_val v;
  memset(&v, 0, sizeof v);
  if (t > 0xFF || wm__vt_top(t) != t) t = (wm_valtype)wm__vt_top(t);
  v.type = t;
  switch (t) {
    case WM_I32: v.of.i32 = s->i32; break;
    case WM_F32: v.of.f32_bits = s->u32; break;
    case WM_FUNCREF:
    case WM_ANYREF:
    case WM_EXTERNREF: v.of.ref = s->ref; break;
    case WM_EXNREF: /* the host holds it from now on: never swept */
      v.of.ref = s->ref;
      if (s->ref) ((wm_exn *)s->ref)->host = true;
      break;
    case WM_V128: memcpy(v.of.v128, s, 16); break;
    default: v.of.i64 = s->i64; break;
  }
  return v;
}

/* api.c: the slots of n values of the given types. */
size_t wm__type_slots(const wm_valtype *t, uint32_t n);

/* instance.c: the value of a constant expression in an instance (globals,
** segment offsets, element items). */
wm_slot wm__eval_const(const wm_instance *inst, const wm_constexpr *e);

/* An element segment's item k as a reference (see elem_refs). */
static inline void *wm__elem_item(const wm_instance *inst, uint32_t seg, uint32_t k) {
  if (inst->elem_refs && inst->elem_refs[seg]) return inst->elem_refs[seg][k];
  return wm__eval_const(inst, &inst->mod->elems[seg].items[k]).ref;
}

/*
** interp.c: call f with args in args_results[0..nparams) (slot form); on
** success the results are in args_results[0..nresults). Returns 0 or a trap
** code, with the trap message and a backtrace of function names in err.
*/
int wm__interp_call(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err);
/* The size of a trap message the loops get from wm__interp_call (256 bytes
** at least for every writer; compiled code's frames may fill it all), and
** of the message with its backtrace. */
#define WM_TRAP_MSG_CAP sizeof(((wm_error *)0)->message)
/* interp.c: append the backtrace line of fn to buf (cap bytes): its name
** (name section, else export), index and byte offset off (none if
** UINT32_MAX). false when the buffer is full, which it then says with a
** last line "  ..." (after which nothing more is appended). */
bool wm__bt_append(char *buf, size_t cap, const wm_func *fn, uint32_t off);
/* interp.c: host function f called by wasm code of instance caller (which
** its wm_call_ctx names, as WASI needs): compiled code's imports
** (src/aot). As wm__interp_call otherwise. */
int wm__interp_call_host(wm_runtime *rt, wm_instance *caller, wm_func *f, wm_slot *args_results,
                         wm_error *err);
/* interp.c: the lowest address a frame of compiled code (src/aot) running
** in the current activation may have; below it, "call stack exhausted". */
uintptr_t wm__interp_stack_floor(const wm_runtime *rt);
/* instance.c: call_indirect's check when callee's type id is not the
** expected one (interned id `id` of rt) or callee belongs to another
** runtime: a subtype, or another runtime's function of the same simple
** type (as imports match). */
bool wm__indirect_ok(const wm_runtime *rt, const wm_func *callee, uint32_t id);

/* meter.c: the slow path of FUEL, which has taken `cost` from rt->fuel and
** found it negative or an interrupt pending: 0 to go on (fuel refilled), or
** the trap to stop with. */
int wm__meter_poll(wm_runtime *rt, uint32_t cost);
/* meter.c: wm__interp_call while rt->meter_slow: refuses unmetered code
** while fuel or a deadline is set. */
int wm__meter_call(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err);
/* meter.c: the outermost call into rt returned after metered code saw an
** interrupt: the request is done with, unless another came meanwhile. */
void wm__meter_interrupt_done(wm_runtime *rt);

#endif
