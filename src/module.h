/* SPDX-License-Identifier: MIT */
/*
** module.h -- the in-memory form of a decoded module (wm_module), shared by
** the pipeline: decode.c fills it, validate.c checks it at module level,
** compile.c validates and lowers each function body into wm_code, and the
** runtime instantiates it. Nothing here changes after wm_module_load returns.
*/
#ifndef WM_MODULE_H
#define WM_MODULE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"
#include "wasmem.h"

/* Operand slots are 8 bytes; a v128 takes two consecutive ones. Union
** punning is defined behaviour in C11. */
typedef union wm_slot {
  int32_t i32;
  uint32_t u32;
  int64_t i64;
  uint64_t u64;
  float f32;
  double f64;
  void *ref;
} wm_slot;

/*
** Value types are 32 bits wide inside wasmem (a wm_valtype, and uint32_t on
** the validators' stacks): the low byte is the type code of WebAssembly 2.0
** for numbers, v128 and the nullable abstract references (0x70 funcref,
** 0x6F externref, 0x69 exnref, and GC's 0x6E anyref, 0x6D eqref, 0x6C
** i31ref, 0x6B structref, 0x6A arrayref), or the abstract heap type of a
** typed reference (also the bottoms 0x73 nofunc, 0x72 noextern, 0x74
** noexn, 0x71 none); bit 8 (WM_VT_NONNULL) makes a reference non-null;
** bits 9..30 hold a type index + 1 (0 for an abstract heap type), whose
** low byte is then the abstract type of that type's kind (0x70 func, 0x6B
** struct, 0x6A array: wm__kind_heap), so that code reading only the low
** byte sees "some function / struct / array reference". So funcref is 0x70
** and (ref func) 0x170, and every 2.0 type keeps its value. In the
** runtime's interned types (runtime.c) the index is the interned type's id
** instead of the module's type index.
*/
#define WM_VT_NONNULL 0x100u
#define WM_VT_IDX_SHIFT 9
#define WM_VT_MAX_IDX 0x3FFFFFu /* bits 9..30: at most this many types + 1 */
static inline uint32_t wm__vt_heap(uint32_t t) { return t & 0xFF; }
/* The type index of a typed reference + 1, 0 for an abstract one. */
static inline uint32_t wm__vt_idx(uint32_t t) { return (t >> WM_VT_IDX_SHIFT) & WM_VT_MAX_IDX; }
/* A reference to type index idx, whose kind's abstract type is heap. */
static inline uint32_t wm__vt_ref_kind(uint32_t idx, uint32_t heap, bool nonnull) {
  return heap | (nonnull ? WM_VT_NONNULL : 0) | ((idx + 1) << WM_VT_IDX_SHIFT);
}
/* The same for a function type (the commonest: ref.func, call_ref). */
static inline uint32_t wm__vt_ref_idx(uint32_t idx, bool nonnull) {
  return wm__vt_ref_kind(idx, 0x70u, nonnull);
}
static inline bool wm__vt_nullable(uint32_t t) { return !(t & WM_VT_NONNULL); }

/* Is t a reference type? Every test of "a reference" goes through here. */
static inline bool wm__is_reftype(uint32_t t) {
  switch (t & 0xFF) {
  case 0x70: case 0x6F: case 0x69: case 0x73: case 0x72: case 0x74:
  case 0x6E: case 0x6D: case 0x6C: case 0x6B: case 0x6A: case 0x71: return true;
  default: return false;
  }
}

/* The top of the hierarchy reference type t belongs to: 0x70 (func), 0x6F
** (extern), 0x69 (exn) or 0x6E (any: eq, i31, struct, array, none). */
static inline uint32_t wm__vt_top(uint32_t t) {
  switch (t & 0xFF) {
  case 0x73: return 0x70;
  case 0x72: return 0x6F;
  case 0x74: return 0x69;
  case 0x6D: case 0x6C: case 0x6B: case 0x6A: case 0x71: return 0x6E;
  default: return t & 0xFF;
  }
}

/* The bottom of that hierarchy: nofunc, noextern, noexn or none. */
static inline uint32_t wm__vt_bottom(uint32_t t) {
  switch (wm__vt_top(t)) {
  case 0x70: return 0x73;
  case 0x6F: return 0x72;
  case 0x69: return 0x74;
  default: return 0x71;
  }
}

/* Is the reference type defaultable (nullable)? Numbers and vectors are. */
static inline bool wm__vt_defaultable(uint32_t t) { return !(t & WM_VT_NONNULL); }

/* The reference type of `ref.null ht` for an abstract heap type byte ht
** (func, extern, exn and their bottoms: (ref null ht)), or 0 when ht is
** not one wasmem knows. */
static inline uint32_t wm__null_type(uint8_t ht) {
  return wm__is_reftype(ht) ? ht : 0;
}

/* What a defined type is (its composite type's kind). */
enum { WM_COMP_FUNC, WM_COMP_STRUCT, WM_COMP_ARRAY };
/* Packed storage types of struct and array fields (WebAssembly 3.0). */
#define WM_PACKED_I8 0x78u
#define WM_PACKED_I16 0x77u

/*
** A defined type. A function type's params and results point into one
** allocation. A struct or array type keeps its fields in the same two
** arrays, so that copying, comparing and interning types treat every kind
** alike: nparams == nresults == the number of fields (an array has one),
** params[i] field i's storage type (a value type, or WM_PACKED_I8 /
** WM_PACKED_I16), results[i] its mutability (1 mutable, 0 not). Code that
** takes a type index as a function type checks the kind first
** (wm__is_functype).
*/
typedef struct wm_type {
  uint32_t nparams, nresults;
  wm_valtype *params;
  wm_valtype *results;
  uint8_t kind;          /* WM_COMP_* */
} wm_type;

/* The abstract heap type references to a type of this kind have in their
** low byte: 0x70 func, 0x6B struct, 0x6A array. */
static inline uint32_t wm__kind_heap(uint8_t kind) {
  return kind == WM_COMP_STRUCT ? 0x6Bu : kind == WM_COMP_ARRAY ? 0x6Au : 0x70u;
}

/* What WebAssembly 3.0's recursive groups and subtyping add to a type
** (wm_module.tmeta, and each runtime type's): the declared supertype + 1
** (0: none), the index of an equivalent type (the first of the module, or
** the runtime's id, iso-recursively equal to this one: equal canon <=>
** equal types), this type's place in its rec group and the group's size
** (a type outside `rec` is a group of one), and whether it is final (a
** plain function type is). */
typedef struct wm_typemeta {
  uint32_t super, canon;
  uint32_t rec_i, rec_n;
  bool final;
} wm_typemeta;

/* A table of types with their meta, entries tstride and mstride bytes
** apart (a module's arrays, or the runtime's interned types). */
typedef struct wm_typeset {
  const wm_type *t;
  size_t tstride;
  const wm_typemeta *m;
  size_t mstride;
} wm_typeset;

typedef struct wm_tabletype {
  wm_valtype elem;
  wm_limits lim;
} wm_tabletype;

/* types.c: does value type `sub` match `super` in mod (the spec's
** subtyping: equal, or a reference whose nullability and heap type fit;
** Unknown, 0, matches anything)? Both validators and import matching use
** it. The fast case, equal types, is inline. */
bool wm__valtype_match_slow(const wm_typeset *ts, uint32_t sub, uint32_t super);
static inline bool wm__valtype_match(const wm_module *mod, uint32_t sub, uint32_t super);
/* types.c: is type index (or runtime id) a a subtype of b, following the
** declared supertypes? */
bool wm__type_sub(const wm_typeset *ts, uint32_t a, uint32_t b);
/* types.c: give every type of mod its canon (wm_type), comparing rec
** groups iso-recursively; and check the types' references and supertypes
** (validation errors). */
int wm__canon_types(wm_module *mod, wm_error *err);
/* types.c: find rec group [s, s+n) of mod (references to earlier groups
** mapped through ids, those inside the group relative) among the nhave
** types of `have` (runtime ids); its first id, or UINT32_MAX. */
uint32_t wm__find_group(const wm_typeset *have, uint32_t nhave, const wm_module *mod, uint32_t s,
                        uint32_t n, const uint32_t *ids);
/* A module value type in the runtime's terms: its type index replaced by
** the interned id ids[idx]. */
static inline uint32_t wm__vt_to_rt(uint32_t t, const uint32_t *ids) {
  uint32_t i = wm__vt_idx(t);
  if (!i) return t;
  return (t & 0x1FF) | ((ids[i - 1] + 1) << WM_VT_IDX_SHIFT);
}

typedef struct wm_globaltype {
  wm_valtype type;
  bool mut;
} wm_globaltype;

/*
** A constant expression (global initialisers, segment offsets, element
** items). WebAssembly 2.0 allows exactly one instruction before `end`:
** op is the opcode byte: 0x41 i32.const, 0x42 i64.const, 0x43 f32.const,
** 0x44 f64.const (bits in `bits`), 0xFD v128.const (globals only: the low
** half in `bits`, the high in wm_global_def.init_hi), 0xD0 ref.null (type in `type`),
** 0xD2 ref.func (function index in `idx`), 0x23 global.get (index in `idx`).
** `type` is always the expression's result type.
*/
typedef struct wm_constexpr {
  uint64_t bits;
  uint32_t idx;
  uint8_t op;
  uint32_t type;        /* a wm_valtype */
} wm_constexpr;

/* decode.c leaves op = 0 for an expression that is not one constant
** instruction: idx then says why (below) and bits holds the byte offset.
** wm__validate_module rejects such modules, so later stages never see one. */
enum { WM_CONST_NONCONST = 1, WM_CONST_ARITY = 2 };

/* op of an extended constant expression (WebAssembly 3.0: several
** instructions, i32/i64 add, sub and mul among them): bits is the byte
** offset of its first instruction, idx its bytes up to the final `end`.
** validate.c types it with a stack, wm__eval_const runs it, both reading
** it with wm__const_next (decode.c: one instruction at *pos, which decode
** checked, into *out; advances *pos). */
#define WM_CONST_EXTENDED 0x01
/* Operands such an expression may stack up: an implementation limit
** (compilers emit 2; array.new_fixed takes one per element, and other
** engines allow 10,000 elements). */
#define WM_CONST_MAX_DEPTH 10000u
/* The stack an extended expression e needs: no more operands than bytes. */
static inline uint32_t wm__const_depth_cap(const wm_constexpr *e) {
  return e->idx < WM_CONST_MAX_DEPTH ? (e->idx ? e->idx : 1) : WM_CONST_MAX_DEPTH;
}
void wm__const_next(const wm_module *mod, uint32_t *pos, wm_constexpr *out);

typedef struct wm_import {
  char *module; /* NUL-terminated copies in wm_module.import_names */
  char *name;
  uint32_t module_len, name_len;
  wm_externkind kind;
  union {                  /* by kind: imports are many, keep them small */
    uint32_t typeidx;      /* WM_EXTERN_FUNC, WM_EXTERN_TAG */
    wm_tabletype table;    /* WM_EXTERN_TABLE */
    wm_limits mem;         /* WM_EXTERN_MEMORY */
    wm_globaltype global;  /* WM_EXTERN_GLOBAL */
  };
} wm_import;

typedef struct wm_export {
  char *name; /* NUL-terminated copy */
  uint32_t name_len;
  wm_externkind kind;
  uint32_t idx;
} wm_export;

typedef struct wm_global_def {
  wm_globaltype type;
  wm_constexpr init;     /* op 0xFD: v128.const, low 8 bytes in init.bits */
  uint64_t init_hi;      /* v128.const: its upper 8 bytes */
} wm_global_def;

enum { WM_SEG_ACTIVE = 0, WM_SEG_PASSIVE = 1, WM_SEG_DECLARATIVE = 2 };

typedef struct wm_elem {
  uint8_t mode;
  uint32_t table;       /* active only */
  wm_constexpr offset;  /* active only */
  wm_valtype type;      /* a reference type */
  uint32_t count;
  wm_constexpr *items;  /* count items: ref.func, ref.null or global.get */
} wm_elem;

typedef struct wm_data {
  uint8_t mode;         /* WM_SEG_ACTIVE or WM_SEG_PASSIVE */
  uint32_t mem;
  wm_constexpr offset;
  const uint8_t *bytes; /* points into wm_module.bytes */
  uint32_t len;
} wm_data;

/*
** Lowered code of one defined function; see ops.h for the instruction format.
** The frame of a call is `frame_slots` slots starting at the first parameter:
** [params | other locals | constants | operand stack]. Results are returned
** in slots 0..nresult_slots-1 of the frame.
*/
typedef struct wm_code {
  uint32_t *code;        /* instruction cells */
  uint32_t ncode;        /* number of cells */
  uint32_t nparam_slots;
  uint32_t nlocal_slots; /* params included */
  uint32_t nresult_slots;
  uint32_t nconsts;      /* constant slots, right after the locals */
  uint64_t *consts;      /* their values, copied into the frame on entry */
  uint32_t frame_slots;  /* locals + constants + maximum operand stack */
  uint32_t func_idx;     /* index in the module's function space */
  /* No more than four locals past the parameters and no constants: entry
  ** is the four unconditional zeroing stores alone (enter_frame). Only the
  ** makers of a wm_code set it; false takes the general path. */
  bool quick_entry;
  /* Map from instruction cell index to body byte offset, for traps. Sorted by
  ** cell; may be NULL. */
  uint32_t *pcmap_cell, *pcmap_off;
  uint32_t npcmap;
  /* Exception handlers (try_table catch clauses; see wm_handler), searched
  ** in order only while an exception unwinds through this code. */
  const struct wm_handler *handlers;
  uint32_t nhandlers;
  /* The arrays are one block of the module's code arena (wm__code_alloc),
  ** freed with the module, not each on its own. */
  bool in_arena;
} wm_code;

/*
** One catch clause of a try_table, as lowered: it applies to an exception
** unwinding at a cell in [start, end) of the function's code (the throwing
** instruction, or a call instruction a callee's exception came out of)
** whose tag is the instance's tag `tag` (any tag for the catch_all kinds).
** The payload goes to the frame's slots from `dest` on, then the exnref
** for the _ref kinds, and execution goes on at cell `pad`, a landing pad
** that branches to the clause's label. Inner clauses come first, a
** try_table's in their order. WM_CATCH_SKIP covers a return_call inside a
** try_table: an exception from its callee leaves this frame uncaught.
*/
enum { WM_CATCH, WM_CATCH_REF, WM_CATCH_ALL, WM_CATCH_ALL_REF, WM_CATCH_SKIP };
typedef struct wm_handler {
  uint32_t start, end;
  uint32_t tag;
  uint32_t pad;
  uint32_t dest;
  uint32_t kind;
} wm_handler;

typedef struct wm_funcdef {
  uint32_t typeidx;
  /* Defined functions only (not imports): */
  uint32_t body_off;     /* offset of the body (after its size) in bytes */
  uint32_t body_len;
  uint32_t nlocals;      /* declared locals, excluding params */
  uint32_t code_start;   /* offset of the first instruction (after locals) */
  /* Lowering is lazy (module.c): until a function's first call, the code a
  ** call enters is its type's stub (wm_module.stubs), which lowers the body
  ** and publishes it in `code`. Set once, atomically (threads share a
  ** module); never changed after. `lowering` is set while one thread
  ** lowers it: another that needs it waits (module.c, wm__lower). */
  _Atomic uint8_t lowering;
  wm_code *_Atomic code;
} wm_funcdef;

/* The compilations of the dispatch loop (interp_loop.h), one per flavour
** of lowered code: plain (interp.c), checked (interp_checked.c: the guest
** heap checker's, every memory access also checked against the shadow
** memory; it meters too) and metered (interp_metered.c: with the FUEL
** instruction, which the plain loop does not have). */
enum { WM_LOOP_PLAIN, WM_LOOP_CHECKED, WM_LOOP_METERED };

struct wm_module {
  uint8_t *bytes;        /* owned copy of the binary */
  size_t len;

  wm_type *types;        uint32_t ntypes;
  wm_typemeta *tmeta;    /* ntypes entries (decode.c, types.c) */
  wm_import *imports;    uint32_t nimports;
  char *import_names;    /* every import's two names, in one allocation */
  /* Index spaces: imports first, then definitions. */
  wm_funcdef *funcs;     uint32_t nfuncs;   uint32_t nfunc_imports;
  wm_tabletype *tables;  uint32_t ntables;  uint32_t ntable_imports;
  wm_limits *mems;       uint32_t nmems;    uint32_t nmem_imports;
  wm_global_def *globals; uint32_t nglobals; uint32_t nglobal_imports;
  uint32_t *tags;        uint32_t ntags;    uint32_t ntag_imports; /* type indexes */
  wm_export *exports;    uint32_t nexports;
  bool has_start;        uint32_t start;
  wm_elem *elems;        uint32_t nelems;
  wm_data *datas;        uint32_t ndatas;
  bool has_datacount;    uint32_t datacount;

  /* From the `name` custom section; NULL where absent. func_names has
  ** nfuncs entries. */
  char *module_name;
  char **func_names;
  /* Global names (name section subsection 7); NULL where absent. nglobals
  ** entries. The checker finds __stack_pointer and __heap_base by them. */
  char **global_names;

  /* Lowered for the checked interpreter loop (WM_MODULE_CHECKED). */
  bool checked;
  /* Bytes of lowered code made so far (cells, constants, trap maps; it
  ** grows as functions are first called) and the most allowed
  ** (wm_module_options.max_code_bytes). */
  _Atomic uint64_t code_bytes;
  uint64_t code_limit;
  /* One stub per function type (ntypes entries): the frame shape of its
  ** parameters and results and one LAZY instruction, what every function
  ** of that type enters until its first call lowers it (wm_funcdef). */
  wm_code *stubs;
  /* The LAZY instruction every stub's code is (see wm_funcdef). */
  uint32_t lazy_cells[2];
  /* Lowered with FUEL instructions (WM_MODULE_METERED, meter.c). */
  bool metered;
  bool wasm2;        /* WM_MODULE_WASM2: 2.0's one memory and reserved bytes */
  /* The compilation of the loop its code is lowered for (WM_LOOP_*): the
  ** checked one for checked modules, metered or not. */
  uint8_t loop;

  /* Defined tables' initial values (tables with an initialiser, 0x40 0x00:
  ** op 0 where a table has none, then its elements are null). ntables -
  ** ntable_imports entries, or NULL when no table has one. */
  wm_constexpr *table_inits;

  /* Set by module-level validation: functions that ref.func may name in
  ** function bodies (C.refs in the spec). nfuncs entries. */
  bool *func_declared;

  /* While wm__decode runs only: a code cache's body table (cache.c), which
  ** the code section is then read from instead of each body's header. */
  const uint8_t *cache_table;
  uint32_t cache_nfuncs;
  /* While wm__decode and wm__validate_code run only: the scan of a sparse
  ** module's bodies (module.c: a cold load that leaves the bodies in the
  ** file). Decoding checks that it covers the code section and leaves the
  ** bodies' bounds in funcs[] unset; the validator's threads take runs of
  ** bodies from it (wm__scan_next), which sets them. */
  struct wm_scan *scan;
  /* The hash of the bytes (wm_module_hash), where loading computed it. */
  uint8_t hash[16];
  bool has_hash;
  /* `bytes` is an anonymous mapping (module.c), not wm__malloc's. */
  bool bytes_mapped;
  /* When not 0, `funcs` is wm__map_huge's of this many bytes (decode.c:
  ** a large function section). */
  size_t funcs_mapped;
  /* A module read from a file through the code cache holds only the bytes
  ** outside its code section: then `sparse` is set and `file` is that
  ** file, open for the module's life, from which each body is read when it
  ** is lowered (wm__body_bytes). */
  bool sparse;
  int file;
  /* The code arena (wm__code_alloc): chunks, the free part of the last;
  ** and the compiler's spare scratch arrays (compile.c), under the same
  ** lock. */
  pthread_mutex_t arena_lock;
  /* Threads waiting for a function another thread lowers (wm__lower),
  ** woken under arena_lock when it is lowered or its lowering failed. */
  pthread_cond_t lowered;
  _Atomic uint32_t lower_waiters;
  _Atomic uint32_t nlowered; /* bodies lowered: each at most once */
  void *scratch;
  void *arena_chunks;
  uint8_t *arena_next;
  size_t arena_left;
  /* Loaded from a compiled object (wm_module_load_native, src/aot): the
  ** object and the NATIVE code of every defined function; else NULL. */
  struct wm_aot_lib *aot;

  /* First calls (WM_MODULE_PRELOWER; "Code cache" in ARCHITECTURE).
  ** `calls`: defined functions (0 the first defined) in the order of
  ** their first call in any runtime (wm__note_call), ncalls of them, each
  ** with its bit in `called`; both under arena_lock. `hint`: the list the
  ** cache gave at load (checked: every entry names a defined function),
  ** nhint entries, immutable, which the thread `ahead` lowers, last entry
  ** first, until it meets what the calls lowered or `stop` is set.
  ** `cache_dir`: where wm_module_cache_update writes the file again. */
  bool note_calls;
  uint32_t *calls, ncalls, cap_calls;
  uint8_t *called;
  uint32_t *hint, nhint;
  char *cache_dir;
  bool ahead_running;
  pthread_t ahead;
  _Atomic bool stop;

  /* Lowered code from the cache file (cache.c: its lowered part `lc`,
  ** lc_len bytes, inside lc_buf, which the module owns). lc_index: per
  ** defined function, the offset of its entry in lc, WM_LC_NONE or
  ** WM_LC_REFUSED; NULL unless the part is for this module's loop and the
  ** loop is the plain one. lower() installs an entry that wm__code_trust
  ** accepts instead of lowering the body (lc_installed counts them). */
  uint8_t *lc_buf;
  size_t lc_buf_len;
  const uint8_t *lc;
  size_t lc_len;
  uint32_t *lc_index;
  _Atomic uint32_t lc_installed;
  _Atomic bool lc_stale; /* an entry was refused: write the file again */
};

/* cache.c: the 128-bit hash of wm_module_hash, over a stream given in
** pieces of any size. */
typedef struct wm_hasher {
  uint64_t v[4];
  uint64_t len;
  uint8_t tail[32]; /* the bytes after the last whole 32-byte stripe */
  uint32_t ntail;
} wm_hasher;
void wm__hash_init(wm_hasher *h);
void wm__hash_update(wm_hasher *h, const uint8_t *p, size_t n);
void wm__hash_final(wm_hasher *h, uint8_t out[16]);
/* module.c: the bytes of defined function idx's body, from its first byte
** (fd->body_off) on: in mod->bytes, or for a sparse module read from its
** file into the caller's buffer *buf of *cap bytes, grown as needed (the
** caller frees it; it may keep it for the next body). 0, WM_ENOMEM, or
** WM_EIO when the file no longer holds them. Thread-safe. */
int wm__body_bytes(const wm_module *mod, uint32_t idx, const uint8_t **body, uint8_t **buf,
                   uint32_t *cap, wm_error *err);
/* cache.c: the code cache. wm__cache_check accepts `cache` for module
** bytes of length len and hash key (wm_module_hash), pointing *table at its
** n body entries and *list at its nlist first-call entries (u32 each, every
** one checked to be below n), or fails with WM_ECACHE saying why. wm__cache_read reads
** dir's file for key into a new buffer, freed by wm__cache_release (with
** the length read), wm__cache_write writes mod's (both -1 on any failure:
** the cache is best effort). */
int wm__cache_check(size_t len, const uint8_t key[16], const uint8_t *cache, size_t cache_len,
                    const uint8_t **table, uint32_t *n, const uint8_t **list, uint32_t *nlist,
                    const uint8_t **lc, size_t *nlc, wm_error *err);
/* ... and *lc at its lowered code part, *nlc bytes (NULL, 0 when none),
** whose entries are checked to fit and name defined functions.
** wm__cache_alloc gives a buffer wm__cache_release frees. */
uint8_t *wm__cache_alloc(size_t len);
int wm__cache_read(const char *dir, const uint8_t key[16], uint8_t **out, size_t *out_len);
void wm__cache_release(uint8_t *buf, size_t len);
int wm__cache_write(const char *dir, const uint8_t key[16], const wm_module *mod);
/* cache.c: a file's identity (device, inode, size, modification and change
** times) standing for its bytes' hash, so that a cached start need not
** read them all. wm__ident_lookup gives the hash noted for sb's file if its
** identity is unchanged and was noted safely after its last change (0;
** else -1). wm__ident_note notes it, `taken` being the realtime clock in
** nanoseconds just before the stat (-1, writing nothing, when the file
** changed too recently to tell a later change by its change time).
** wm__racy_ns is that margin (tests shorten it). */
struct stat;
int wm__ident_lookup(const char *dir, const struct stat *sb, uint8_t hash[16]);
int wm__ident_note(const char *dir, const struct stat *sb, int64_t taken, const uint8_t hash[16]);
extern int64_t wm__racy_ns;
/* The file's size and contents for mod: its body table and the list of
** its first calls (wm__first_calls). */
size_t wm__cache_size(const wm_module *mod, uint32_t nlist);
void wm__cache_fill(const wm_module *mod, const uint8_t key[16], const uint32_t *list,
                    uint32_t nlist, const uint8_t *lc, size_t nlc, uint8_t *out);
/* cache.c: lowered code in a cache file. wm__lcache_index checks the
** lowered part lc (len bytes) of a file for ndef defined functions (0, else
** -1), gives the loop it is for (UINT32_MAX: another build's instruction
** set), and fills index (ndef entries, or NULL)
** with each function's entry (offset in lc), WM_LC_REFUSED (lowered, not
** cacheable) or WM_LC_NONE. wm__lcache_install makes c from defined
** function idx's entry when wm__code_trust accepts it (0), else -1 with
** *why the reason if the entry was refused (NULL if there was none). */
#define WM_LC_NONE UINT32_MAX
#define WM_LC_REFUSED (UINT32_MAX - 1)
int wm__lcache_index(const uint8_t *lc, size_t len, uint32_t ndef, unsigned *loop,
                     uint32_t *index);
int wm__lcache_install(wm_module *mod, uint32_t idx, wm_code *c, const char **why);
/* module.c: note defined function idx's first call in a runtime (a no-op
** without WM_MODULE_PRELOWER); the list a cache file gets: the hint it was
** loaded with, then the functions first called since that it lacks (a new
** array, or NULL when out of memory; *fresh counts the latter). */
void wm__note_call(wm_module *mod, uint32_t idx);
uint32_t *wm__first_calls(wm_module *mod, uint32_t *n, uint32_t *fresh);

/* module.c: n bytes (a multiple of 8) of memory for lowered code that
** lives as long as the module, 8-aligned, or NULL (too large for the
** arena, or out of memory: the caller keeps its own allocation).
** Thread-safe. */
void *wm__code_alloc(wm_module *mod, size_t n);

/* compile.c: free the compiler's scratch arrays kept in mod. */
void wm__compile_scratch_free(wm_module *mod);

/* decode.c: parse bytes (already copied into a fresh module) into mod. */
int wm__decode(wm_module *mod, wm_error *err);
/* Whether a body's nlocals declared locals, and all the module's locals so
** far with them, stay under the caps for a module of len bytes. */
bool wm__locals_fit(uint64_t nlocals, uint64_t all, size_t len);
/* The scan of mod->scan (see there): whether it covers n bodies from
** module offset first (the first body's header) to end. */
bool wm__scan_covers(const struct wm_scan *s, uint32_t n, size_t first, size_t end);
/* The bytes of the code section a validating thread reads at a time. */
#define WM_SCAN_RUN ((uint32_t)256 << 10)
/* The next run of bodies for a validating thread (module.c, "the scan"):
** their bytes read into *buf (grown as needed: *cap), from module offset
** *from on, and their bounds set in funcs[]; [*lo, *hi) their indexes,
** empty once every body has been handed out or a run has failed. 0, or
** WM_ECACHE (or WM_ENOMEM) for a run the plain load must judge. */
int wm__scan_next(wm_module *mod, uint8_t **buf, uint32_t *cap, uint32_t *lo, uint32_t *hi,
                  uint32_t *from, wm_error *err);
/* decode.c: expand the local declarations of the body whose bytes begin at
** `body` (wm__body_bytes), which wm__decode has checked, into out
** (fd->nlocals type codes). */
int wm__decode_locals(const wm_module *mod, const wm_funcdef *fd, const uint8_t *body, uint32_t *out,
                      wm_error *err);
/* validate.c: module-level validation (everything except function bodies). */
int wm__validate_module(wm_module *mod, wm_error *err);
/* validate_code.c: validate every defined function's body (the spec's
** algorithm, nothing lowered), in order; the first error wins, with the
** code, message and offset wm__compile_func would report. threads > 1
** validates on that many threads (same verdict); 0 or 1: this thread. */
int wm__validate_code(wm_module *mod, unsigned threads, wm_error *err);
/* validate_code.c: validate the body of defined function `idx` alone, with
** the precedence wm__compile_func gives a malformed later body (for the
** differential fuzzer, tests/fuzz). */
int wm__validate_func(wm_module *mod, uint32_t idx, wm_error *err);
/* compile.c: validate and lower the body of defined function `idx` into
** *out. Reads the module, and adds to its code_bytes, only: threads may
** lower different functions of one module at once. */
int wm__compile_func(wm_module *mod, uint32_t idx, wm_code *out, wm_error *err);
/* module.c: the lowered code of defined function idx, lowering it first if
** no call has yet; *fresh tells whether this call made it (it is charged
** to the caller's runtime). Thread-safe. */
int wm__lower(wm_module *mod, uint32_t idx, const wm_code **out, bool *fresh, wm_error *err);
/* Bytes a function's lowered code holds. */
uint64_t wm__code_size(const wm_code *c);
/* compile.c: only decode the body of function idx (no validation); returns
** 0 or the WM_EMALFORMED error the body has. For giving malformedness
** precedence over invalidity, as the spec does. */
int wm__skim_body(wm_module *mod, uint32_t idx, wm_error *err);
/* The proposal a single-byte opcode (or prefix) belongs to that wasmem
** recognises but does not run yet, as the message the loaders report it
** with (still WM_EMALFORMED: in WebAssembly 2.0 these bytes are not
** instructions); NULL for any other. The compiler, the body validator and
** the decoder's skipping of constant expressions all use it, so that their
** verdicts stay the same. */
static inline const char *wm__unsupported_op(uint8_t op) {
  switch (op) {
  case 0x06: case 0x07: case 0x09: case 0x18: case 0x19:
    return "legacy exception handling not supported";
  default:
    return NULL;
  }
}
/*
** The threads proposal's 0xFE instructions: what kind each sub-opcode is,
** log2 of the bytes it accesses (its alignment must equal that) and the
** value type it loads, stores or compares (i32 or i64; for notify the
** count's, i32). WM_ATOMIC_NONE for a sub-opcode that is not one.
*/
enum {
  WM_ATOMIC_NONE, WM_ATOMIC_NOTIFY, WM_ATOMIC_WAIT, WM_ATOMIC_FENCE, WM_ATOMIC_LOAD,
  WM_ATOMIC_STORE, WM_ATOMIC_RMW, WM_ATOMIC_CMPXCHG
};
typedef struct wm_atomic_sig {
  uint8_t kind, size_log2, type;
} wm_atomic_sig;
static inline wm_atomic_sig wm__atomic_sig(uint32_t sub) {
  /* Loads, stores and each RMW group come in one order: i32, i64, i32 8u,
  ** i32 16u, i64 8u, i64 16u, i64 32u. */
  static const uint8_t lg[7] = {2, 3, 0, 1, 0, 1, 2};
  static const uint8_t ty[7] = {WM_I32, WM_I64, WM_I32, WM_I32, WM_I64, WM_I64, WM_I64};
  wm_atomic_sig s = {WM_ATOMIC_NONE, 0, 0};
  if (sub <= 0x02) {
    s.kind = sub == 0 ? WM_ATOMIC_NOTIFY : WM_ATOMIC_WAIT;
    s.size_log2 = sub == 2 ? 3 : 2;
    s.type = sub == 2 ? WM_I64 : WM_I32;
  } else if (sub == 0x03) {
    s.kind = WM_ATOMIC_FENCE;
  } else if (sub >= 0x10 && sub <= 0x4E) {
    uint32_t k = sub < 0x1E ? (sub - 0x10) % 7 : (sub - 0x1E) % 7;
    s.kind = sub < 0x17 ? WM_ATOMIC_LOAD : sub < 0x1E ? WM_ATOMIC_STORE
             : sub < 0x48 ? WM_ATOMIC_RMW : WM_ATOMIC_CMPXCHG;
    s.size_log2 = lg[k];
    s.type = ty[k];
  }
  return s;
}
/* compile_simd.c: the immediates of SIMD instruction sub (after the 0xFD
** prefix), for the readers that only skip them; WM_SIMD_UNKNOWN when sub
** is not an instruction wasmem knows (WebAssembly 2.0 or relaxed SIMD). */
enum {
  WM_SIMD_UNKNOWN, WM_SIMD_NONE, WM_SIMD_LANE, WM_SIMD_BYTES16, WM_SIMD_MEMARG,
  WM_SIMD_MEMARG_LANE
};
int wm__simd_immediates(uint32_t sub);
/* compile_simd.c: what validating SIMD instruction sub needs: its class
** (C_V*, ops.h, after the relaxed twin; 0 when unknown), the scalar type
** of a splat or lane instruction, its lane count (lane immediates must be
** below it) and, for memory instructions, log2 of the natural alignment. */
typedef struct wm_simd_sig {
  uint8_t cls, scalar, lanes, align;
} wm_simd_sig;
wm_simd_sig wm__simd_sig(uint32_t sub);
/* compile_simd.c: the non-relaxed instruction a relaxed SIMD instruction
** runs as (docs/SIMD.md), or sub itself; the AOT translator's choice is the
** interpreter's. */
uint32_t wm__simd_twin(uint32_t sub);
/* compile_ops.c: the operand type, result type and operand count (1 or 2)
** of numeric opcode w (0x45..0xC4, 0xFC00..0xFC07); false for others. And
** the natural alignment (log2) and value type of load/store w (0x28..0x3E). */
bool wm__numeric_sig(uint32_t w, uint8_t *in, uint8_t *out, int *nin);
void wm__memop_sig(uint8_t w, uint8_t *align, uint8_t *type);
/* disasm.c: print lowered code, one instruction a line (debugging, tests). */
void wm__disasm(const wm_code *c, FILE *out);
/* code_check.c: NULL if c has the shape the interpreter assumes (every
** head an instruction of the given loop, WM_LOOP_*; operands inside the
** code, slots inside the frame, branches onto instruction starts), else
** what is wrong. Builds with WM_CHECK_LOWERED run it on every body lowered
** (module.c's lower). */
const char *wm__code_check(const wm_code *c, unsigned loop);
/* code_check.c: lowered code a cache file offers for defined function idx,
** each head its op number (then 0), as wm__code_ops writes it from c's
** code of the given loop (false if a head is not that loop's, or the code
** has an instruction no cache may hold; out may be c->code). wm__code_trust
** recomputes what it can (parameter and result slots, quick_entry,
** func_idx, no handlers), then checks that the code cannot break memory
** safety (its shape, the allow-list, entity indexes) nor read a slot, or
** half of one, the call has not written (see code_check.c); NULL if so,
** and with `install` the heads are then mod->loop's, CALL's caches empty. */
const char *wm__code_trust(wm_code *c, const wm_module *mod, uint32_t idx, bool install);
/* code_check.c, for builds with WM_CHECK_LOWERED: why wm__code_trust's
** flow analysis (no slot read before this call wrote it) refuses the
** plain loop's code c made for defined function idx, where everything else
** admits it; NULL if it does not (or another rule refuses c first). c's
** heads are op numbers meanwhile: c must not be running. lower() aborts on
** a refusal: the analysis and the compiler disagree. */
const char *wm__code_trust_self(wm_code *c, const wm_module *mod, uint32_t idx);
bool wm__code_ops(const wm_code *c, unsigned loop, uint32_t *out);
/* Release everything owned by mod, and mod itself. */
void wm__module_destroy(wm_module *mod);

static inline wm_typeset wm__mod_typeset(const wm_module *mod) {
  wm_typeset ts = {mod->types, sizeof(wm_type), mod->tmeta, sizeof(wm_typemeta)};
  return ts;
}

static inline bool wm__valtype_match(const wm_module *mod, uint32_t sub, uint32_t super) {
  if (sub == super || !sub) return true;
  if (!wm__is_reftype(sub) || !wm__is_reftype(super)) return false;
  wm_typeset ts = wm__mod_typeset(mod);
  return wm__valtype_match_slow(&ts, sub, super);
}

/* types.c: the value types of one byte, 2.0's (WM_SINGLE_TYPES_WASM2)
** first, then 3.0's shorthands for the nullable abstract references. */
#define WM_SINGLE_TYPES 17
#define WM_SINGLE_TYPES_WASM2 7
extern const wm_valtype wm__single_types[WM_SINGLE_TYPES];

/* NULL if type index idx is one of mod's function types, else why not,
** as the start of the validation error "<why> <idx>". */
static inline const char *wm__functype_why(const wm_module *mod, uint64_t idx) {
  if (idx >= mod->ntypes) return "unknown type";
  return mod->types[idx].kind == WM_COMP_FUNC ? NULL : "non-function type";
}

/* The type of function index idx (import or definition). */
static inline const wm_type *wm__func_type(const wm_module *mod, uint32_t idx) {
  return &mod->types[mod->funcs[idx].typeidx];
}

#endif
