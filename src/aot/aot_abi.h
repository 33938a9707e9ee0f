/* SPDX-License-Identifier: MIT */
/*
** aot_abi.h -- what native code made by `wasmem compile` (aot_c.c) and the
** runtime that runs it (aot_rt.c) agree on. The translator copies this file
** into every C file it writes, so it includes only the C library's headers
** and changes only with WM_AOT_ABI.
**
** A compiled object exports one wm_aot_module named WM_AOT_SYMBOL: the
** module's bytes (the runtime loads and validates them as any module, for
** its imports, exports, segments and types) and, per defined function, an
** entry taking its arguments from slots and leaving its results there, and
** the function itself with typed C arguments. The runtime gives each
** instance one wm_aot_ctx, which every compiled function takes first.
*/
#ifndef WM_AOT_ABI_H
#define WM_AOT_ABI_H

#include <stdint.h>

#define WM_AOT_ABI 10u
#define WM_AOT_SYMBOL wasmem_aot_module_v1

/* A value in slot form, laid out as the interpreter's wm_slot: i32 and f32
** in the low half (the high half zero when the runtime reads it), i64,
** f64, and references as pointers. */
typedef union wm_aot_slot {
  uint32_t u32;
  int32_t i32;
  uint64_t u64;
  int64_t i64;
  float f32;
  double f64;
  void *ref;
} wm_aot_slot;

typedef struct wm_aot_ctx wm_aot_ctx;

/* The runtime's side of an instance. Compiled code reads the first six
** fields and calls the rest; the runtime keeps more after them. Every
** helper that can trap does not return then (it leaves through the
** runtime's jump back to where it entered native code). */
struct wm_aot_ctx {
  uint8_t *mem;                /* memory 0's base: it never moves */
  const uint64_t *mem_size;    /* memory 0's size in bytes, read after calls */
  wm_aot_slot *const *globals; /* each global's value */
  void *const *funcs;          /* the function space, for ref.func */
  uint8_t *const *mems;        /* each memory's base (never moves) */
  const uint64_t *const *mem_sizes; /* each memory's size in bytes */
  uintptr_t stack_floor;       /* a frame address below this traps */
  /* Trap with code in wasm function fidx (the module's index: the site's
  ** function, which the backtrace names even where it was inlined). */
  void (*trap)(wm_aot_ctx *c, int code, uint32_t fidx);
  /* Call function fidx (an import, or any function through slots): its
  ** arguments in io[0..], its results to io[0..]. */
  void (*call)(wm_aot_ctx *c, uint32_t fidx, wm_aot_slot *io);
  /* call_indirect of type `type` through table `table` at i: checks the
  ** element (bounds, null, type) and gives the defined-function index of
  ** this module whose typed C function may be called directly (a function
  ** of this very instance), or -1 when the call must go through icall. */
  int32_t (*indirect)(wm_aot_ctx *c, uint32_t table, uint32_t type, uint32_t i);
  void (*icall)(wm_aot_ctx *c, uint32_t table, uint32_t type, uint32_t i, wm_aot_slot *io);
  /* The memory instructions of memory `mem` (copy: from sm to dm), their
  ** addresses and lengths widened to 64 bits (a 32-bit memory's are
  ** zero-extended); grow gives the old size in pages or UINT64_MAX. */
  uint64_t (*mem_grow)(wm_aot_ctx *c, uint32_t mem, uint64_t delta);
  void (*mem_fill)(wm_aot_ctx *c, uint32_t mem, uint64_t d, uint32_t val, uint64_t n);
  void (*mem_copy)(wm_aot_ctx *c, uint32_t dm, uint32_t sm, uint64_t d, uint64_t s, uint64_t n);
  void (*mem_init)(wm_aot_ctx *c, uint32_t mem, uint32_t seg, uint64_t d, uint32_t s, uint32_t n);
  void (*data_drop)(wm_aot_ctx *c, uint32_t seg);
  void *(*table_get)(wm_aot_ctx *c, uint32_t table, uint32_t i);
  void (*table_set)(wm_aot_ctx *c, uint32_t table, uint32_t i, void *v);
  uint32_t (*table_size)(wm_aot_ctx *c, uint32_t table);
  /* The table instructions take 32-bit indexes and lengths (a table64's
  ** are clamped to UINT32_MAX first: out of bounds); grow takes n zero-
  ** extended and gives the old size or UINT64_MAX. */
  uint64_t (*table_grow)(wm_aot_ctx *c, uint32_t table, void *init, uint64_t n);
  void (*table_fill)(wm_aot_ctx *c, uint32_t table, uint32_t i, void *v, uint32_t n);
  void (*table_copy)(wm_aot_ctx *c, uint32_t dt, uint32_t st, uint32_t d, uint32_t s, uint32_t n);
  void (*table_init)(wm_aot_ctx *c, uint32_t table, uint32_t seg, uint32_t d, uint32_t s,
                     uint32_t n);
  void (*elem_drop)(wm_aot_ctx *c, uint32_t seg);
  /* Metered code (WM_AOT_METERED): each basic block takes its cost from
  ** *fuel before it runs, and calls meter, which traps or refills the
  ** counter, when that leaves it negative or *interrupt is set (read with
  ** a relaxed atomic load). */
  int64_t *fuel;
  const int *interrupt;
  void (*meter)(wm_aot_ctx *c, uint32_t cost, uint32_t fidx);
  /* call_ref of type `type` on reference f (validation proved its type):
  ** traps on a null one ("null function reference", in wasm function
  ** fidx), and gives, as indirect does, the defined-function index whose
  ** typed C function may be called directly, or -1: then ref_call calls
  ** f through slots. */
  int32_t (*ref_callee)(wm_aot_ctx *c, void *f, uint32_t type, uint32_t fidx);
  void (*ref_call)(wm_aot_ctx *c, void *f, wm_aot_slot *io);
  /* Tail calls (return_call*): the caller puts the callee's arguments in
  ** tail_args (room for any signature of the module), the callee (a
  ** function of the function space, a table's, a reference) in tail_f,
  ** and returns at once. Every call of a compiled function of the module
  ** that may return so (and the runtime, after an entry) then calls
  ** tail_run while tail_f is set: it performs the pending calls one after
  ** another in constant native stack, and gives the last one's results
  ** (valid until the next call). */
  wm_aot_slot *tail_args;
  void *tail_f;
  wm_aot_slot *(*tail_run)(wm_aot_ctx *c);
  /* GC (aot_gc.c): trap "null <what> reference" in wasm function fidx;
  ** does reference r match value type t of the module (ref.test, ref.cast,
  ** br_on_cast: the interpreter's test, t's type index the module's)? */
  void (*null_trap)(wm_aot_ctx *c, const char *what, uint32_t fidx);
  int (*ref_test)(wm_aot_ctx *c, void *r, uint32_t t);
  /* Exceptions (aot_exn.c). exn_throw throws: tag's exception with the
  ** payload vals (slot form), or, tag UINT32_MAX, the exnref ref again
  ** (null traps, in wasm function fidx). Code compiled WM_AOT_EXN takes
  ** exceptions as pending: exn_throw, and a call whose callee threw, set
  ** exn and return; every call site checks it and goes to its try_table's
  ** dispatch, which asks exn_catch, clause by clause, whether the pending
  ** exception matches (kind: module.h's WM_CATCH..WM_CATCH_ALL_REF, tag
  ** this module's tag index): then exn is cleared and its payload (then
  ** the exnref) is in the slots it gives, else NULL. Other code never
  ** sees one: exn_throw and the calls leave through the runtime's jump. */
  int exn;
  void (*exn_throw)(wm_aot_ctx *c, uint32_t tag, void *ref, const wm_aot_slot *vals, uint32_t fidx);
  const wm_aot_slot *(*exn_catch)(wm_aot_ctx *c, uint32_t tag, uint32_t kind);
  /* GC's instructions that make objects or copy into arrays (aot_gc.c),
  ** the interpreter's own (gc.c); type is the module's type index, st an
  ** element's storage code (gc.h's WM_GS_*, WM_GS_REFS), a value to store
  ** one or two slots, fidx the site's function for a trap (null, bounds,
  ** segment, "out of GC memory"). An allocation may collect: the collector
  ** reads compiled frames as roots (collect.c). struct_new and array_new
  ** (init NULL) give zeroed objects; array_init is array.init_data (data
  ** 1) or array.init_elem (data 0) of segment seg; convert is
  ** any.convert_extern (to_extern 0) or extern.convert_any (1). */
  void *(*struct_new)(wm_aot_ctx *c, uint32_t type, uint32_t size, uint32_t refs, uint32_t fidx);
  void *(*array_new)(wm_aot_ctx *c, uint32_t type, uint32_t st, uint32_t n,
                     const wm_aot_slot *init, uint32_t fidx);
  void *(*array_new_data)(wm_aot_ctx *c, uint32_t type, uint32_t st, uint32_t seg, uint32_t src,
                          uint32_t n, uint32_t fidx);
  void *(*array_new_elem)(wm_aot_ctx *c, uint32_t type, uint32_t seg, uint32_t src, uint32_t n,
                          uint32_t fidx);
  void (*array_fill)(wm_aot_ctx *c, void *a, uint32_t i, const wm_aot_slot *v, uint32_t n,
                     uint32_t st, uint32_t fidx);
  void (*array_copy)(wm_aot_ctx *c, void *a, uint32_t i, void *b, uint32_t j, uint32_t n,
                     uint32_t st, uint32_t fidx);
  void (*array_init)(wm_aot_ctx *c, uint32_t data, uint32_t seg, void *a, uint32_t i, uint32_t src,
                     uint32_t n, uint32_t st, uint32_t fidx);
  void *(*convert)(wm_aot_ctx *c, void *r, uint32_t to_extern, uint32_t fidx);
};

typedef void (*wm_aot_entry)(wm_aot_ctx *c, wm_aot_slot *io);

/* wm_aot_module.flags. WM_AOT_GUARDED: loads and stores of memory 0, a
** 32-bit memory, are not checked; it must be reserved so that base + any
** 32-bit address + any 32-bit offset + 8 lands inside the reservation
** (WM_AOT_GUARD_SPAN), all of it beyond the memory's size inaccessible: a
** stray access faults, and the runtime's fault handler makes the fault the
** trap. Without it, and always for other memories and 64-bit ones, every
** access is checked against the size. */
#define WM_AOT_GUARDED 1u
/* WM_AOT_METERED: every basic block charges its cost as the interpreter's
** metered code does (fuel, interrupts, deadlines: ctx->meter). Loaded as a
** metered module. */
#define WM_AOT_METERED 2u
/* WM_AOT_EXN: some try_table of the module catches, so its code takes
** exceptions as pending (wm_aot_ctx.exn) rather than by the runtime's
** jump. */
#define WM_AOT_EXN 4u
#define WM_AOT_GUARD_SPAN (((uint64_t)8 << 30) + 65536u)

typedef struct wm_aot_module {
  uint32_t abi;                /* WM_AOT_ABI */
  uint32_t nfuncs;             /* defined functions */
  const uint8_t *wasm;         /* the module's bytes */
  uint64_t wasm_len;
  uint8_t hash[16];            /* wm_module_hash of them */
  const wm_aot_entry *entries; /* per defined function */
  void (*const *direct)(void); /* per defined function: its typed C function */
  uint32_t flags;              /* WM_AOT_GUARDED, WM_AOT_METERED, WM_AOT_EXN */
  /* The largest frame of any function of the object, in bytes. The
  ** runtime gives the code a stack floor raised by two such frames and
  ** their slack (WM_AOT_FRAME_SLACK each: a check sees its frame's
  ** address, and the next callee's frame is made before its own check),
  ** and enters it only with that much room above the floor. */
  const uint64_t *frame_max;
} wm_aot_module;

/* Added to a frame's size: the return address and saved frame pointer
** (which a compiler's count may leave out), a red zone (128 bytes on
** x86-64), alignment. */
#define WM_AOT_FRAME_SLACK 512u

#endif
