/* SPDX-License-Identifier: MIT */
/*
** aot_emit.h -- what the translator's two halves share: the C text being
** written (cbuf, put), the C view of value types, and the state of the
** function being translated (its operand stack of C locals, its blocks)
** with the helpers that push, name and read immediates. aot_c.c
** translates control, calls, numerics and the file; aot_mem.c the
** memory instructions.
*/
#ifndef WM_AOT_EMIT_H
#define WM_AOT_EMIT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aot.h"
#include "leb.h"
#include "util.h"

/* ------------------------------------------------------------ output */

typedef struct cbuf {
  char *p;
  size_t n, cap;
  bool oom;
} cbuf;

#if defined(__GNUC__)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF_LIKE(a, b)
#endif

/* Room for n more bytes and a NUL; false (b->oom set) when there is none. */
static inline bool reserve(cbuf *b, size_t n) {
  if (b->oom) return false;
  if (b->cap - b->n > n) return true;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap - b->n <= n) cap *= 2;
  char *np = wm__realloc(b->p, cap);
  if (!np) {
    b->oom = true;
    return false;
  }
  b->p = np;
  b->cap = cap;
  return true;
}

static inline void put(cbuf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
static inline void put(cbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (k < 0 || !reserve(b, (size_t)k)) {
    b->oom = true;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)k;
}

static inline void put_bytes(cbuf *b, const char *s, size_t n) {
  if (!reserve(b, n)) return;
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}


/* ------------------------------------------------------------ value types */

/* The C view of a value type: 0 i32, 1 i64, 2 f32, 3 f64, 4 reference,
** 5 v128 (simd_lanes.h's union, two slots); -1 for what is not translated
** yet. A reference is any of the func and extern hierarchies, typed or
** not, nullable or not ((ref null? ht) for func, extern, nofunc, noextern
** or a function type): a wm_func * or an extern value, NULL for null, as
** funcref's and externref's; an exnref (exn, noexn) is the runtime's
** wm_exn * (aot_exn.c). GC's are not translated. */
enum { T_I32, T_I64, T_F32, T_F64, T_REF, T_V128, T_N };
static const char tsuf[T_N] = {'i', 'l', 'f', 'd', 'r', 'v'};

static inline int tclass(uint32_t t) {
  switch (t) {
    case WM_I32: return T_I32;
    case WM_I64: return T_I64;
    case WM_F32: return T_F32;
    case WM_F64: return T_F64;
    case WM_V128: return T_V128;
    default: /* func's, extern's and any's (GC: aot_gc.c) hierarchies */
      if (!wm__is_reftype(t)) return -1;
      return T_REF; /* and exnref (aot_exn.c) */
  }
}

/* Why a type tclass refuses is not translated (a packed storage type is
** no value's). */
static inline const char *tclass_why(uint32_t t) {
  (void)t;
  return "this type";
}

/* tclass of a type the module check has accepted (never -1). */
static inline int tc(uint32_t t) {
  int k = tclass(t);
  return k < 0 ? T_I64 : k;
}
/* ------------------------------------------------------------ function state */

enum { K_FUNC, K_BLOCK, K_LOOP, K_IF, K_TRY };

typedef struct ctrl {
  uint8_t kind;
  bool unreachable;     /* after br, return, unreachable ...: skip to end */
  bool has_else;
  bool targeted;        /* a branch to its end was translated */
  bool catches;         /* a try_table with clauses: H<label> its dispatch */
  uint32_t label;
  uint32_t height;      /* stack depth below the parameters */
  uint32_t np, nr;
  const wm_valtype *params, *results;
  wm_valtype one;       /* a block type of one result (results NULL) */
} ctrl;

/* Result i of a block. */
static inline wm_valtype rtype(const ctrl *c, uint32_t i) { return c->results ? c->results[i] : c->one; }

/* aot_vec.c: a loop translated twice, its plan. An access's address is
** base + the iv at the iteration's start + k (the memarg's offset in k),
** base and cv a local or NONE_L (cv, when not NONE_L, is the iv). */
#define NONE_L UINT32_MAX
#define VPLAN_ACC 32
typedef struct vacc {
  uint32_t base, cv;
  uint64_t k;
  uint32_t n;           /* bytes accessed */
} vacc;
typedef struct vplan {
  uint32_t label;       /* the loop's: V<label> the fast copy, J<label> after both */
  /* A nest (wm__aot_vec_nest): the outer loop's label (V<outer> its fast
  ** copy, J<outer> after both), else NONE_L; the inner loop's first
  ** instruction; the iv's value at its entry, iv0_local (or NONE_L) +
  ** iv0_k. */
  uint32_t outer, inner_at, iv0_local;
  uint64_t iv0_k;
  uint32_t iv, step, limit;
  uint32_t limit_local; /* the limit's local, or NONE_L: the constant limit */
  uint32_t nacc, next;  /* next: the fast copy's next access */
  vacc acc[VPLAN_ACC];
} vplan;

typedef struct fstate {
  const wm_module *mod;
  wm_error *err;
  cbuf *o;
  const uint8_t *b;     /* the instructions */
  uint32_t pos, end;
  uint32_t off0;        /* module offset of b[0], for errors */
  uint8_t *stk;         /* T_* of each depth */
  uint32_t sp, cap_stk;
  uint8_t *used;        /* per depth, a bit per T_* that was named */
  uint32_t cap_used;
  ctrl *cs;
  uint32_t ncs, cap_cs;
  uint32_t nlabels;
  uint64_t extra;       /* bytes of the body's block temporaries (io_, r_) */
  uint64_t frame_max;   /* the largest frame bound of the functions so far */
  bool guarded;         /* loads and stores unchecked (WM_AOT_GUARDED) */
  bool metered;         /* basic blocks charge fuel (WM_AOT_METERED) */
  bool fuel_new;        /* the next costed instruction starts a block */
  size_t fuel_at;       /* where the open block's cost goes in o, or NO_FUEL */
  uint32_t fuel_n;      /* its cost so far */
  uint8_t *ltype;       /* T_* of each local */
  uint32_t nlocals;
  char names[8][32];
  unsigned ring;
  bool simd;            /* a v128 was named: the file needs simd_lanes.h */
  uint8_t *refs;        /* the current part's REF_* of each function index */
  uint8_t *trefs;       /* the current part's signatures used, by sig_index */
  vplan *vec;           /* translating a versioned loop's (or nest's) fast copy */
  bool novec;           /* translating a versioned nest's exact copy: no loop versioned */
  uint32_t self;        /* the function being translated */
  bool self_tail;       /* it tail-calls itself: a jump to its start (T_) */
  uint8_t *tails;       /* per function index: its body leaves tail calls pending */
  bool tail_used;       /* some body does (the first pass over the bodies) */
  bool tail;            /* the second pass: calls that may see one run it after */
  bool exn_used;        /* some live try_table catches (aot_exn.c) */
  bool exn;             /* the pass where exceptions are pending (WM_AOT_EXN) */
  bool exn_exit;        /* the body jumps to X_, its exceptional return */
} fstate;

static inline int fail(fstate *f, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
static inline int fail(fstate *f, int code, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return wm__error(f->err, code, f->off0 + f->pos, "%s", msg);
}

static inline int unsupported(fstate *f, const char *what) {
  return fail(f, WM_EUNSUPPORTED, "wasmem compile: %s not supported yet", what);
}

/* Mark depth d as used with class k (its C local is declared). */
static inline int mark(fstate *f, uint32_t d, int k) {
  if (d >= f->cap_used) {
    uint32_t old = f->cap_used;
    if (wm__grow((void **)&f->used, &f->cap_used, d + 1, 1))
      return wm__error(f->err, WM_ENOMEM, UINT32_MAX, NULL);
    memset(f->used + old, 0, f->cap_used - old);
  }
  f->used[d] |= (uint8_t)(1u << k);
  return 0;
}

/* The C name of the value at depth d, of class k: s3i, s3d ... */
static const char *NV(fstate *f, uint32_t d, int k) {
  char *s = f->names[f->ring++ & 7];
  snprintf(s, sizeof f->names[0], "s%u%c", (unsigned)d, tsuf[k]);
  return s;
}
/* The same for the value now at depth d. */
static const char *V(fstate *f, uint32_t d) { return NV(f, d, f->stk[d]); }

static inline int push(fstate *f, int t) {
  if (wm__grow((void **)&f->stk, &f->cap_stk, f->sp + 1, 1))
    return wm__error(f->err, WM_ENOMEM, UINT32_MAX, NULL);
  int rc = mark(f, f->sp, t);
  if (rc) return rc;
  if (t == T_V128) f->simd = true;
  f->stk[f->sp++] = (uint8_t)t;
  return 0;
}

/* Push a value of class t computed by the C expression fmt. */
static inline int pushv(fstate *f, int t, const char *fmt, ...) PRINTF_LIKE(3, 4);
static inline int pushv(fstate *f, int t, const char *fmt, ...) {
  int rc = push(f, t);
  if (rc) return rc;
  char e[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e, sizeof e, fmt, ap);
  va_end(ap);
  put(f->o, "  %s = %s;\n", V(f, f->sp - 1), e);
  return 0;
}

/* ------------------------------------------------------------ immediates */

static inline int u32imm(fstate *f, uint32_t *v) {
  *v = 0;
  int e = wm__leb_u32(f->b, &f->pos, f->end, v);
  return e ? fail(f, WM_EMALFORMED, "%s", wm__leb_msg(e)) : 0;
}
static inline int s32imm(fstate *f, int32_t *v) {
  int64_t x = 0;
  int e = wm__leb_s(f->b, &f->pos, f->end, 32, &x);
  *v = (int32_t)x;
  return e ? fail(f, WM_EMALFORMED, "%s", wm__leb_msg(e)) : 0;
}
static inline int s64imm(fstate *f, int64_t *v) {
  *v = 0;
  int e = wm__leb_s(f->b, &f->pos, f->end, 64, v);
  return e ? fail(f, WM_EMALFORMED, "%s", wm__leb_msg(e)) : 0;
}
static inline int byte(fstate *f, uint8_t *v) {
  *v = 0;
  if (f->pos >= f->end) return fail(f, WM_EMALFORMED, "unexpected end");
  *v = f->b[f->pos++];
  return 0;
}

/* ------------------------------------------------------------ memory */

/* Around a store, to memory or a global, in guarded code: a load that
** faults is the trap, so no store may move across one, nor be dropped
** because a later store overwrites it (wasm's state after a trap is that
** of the instructions before it). The empty asm that clobbers memory
** keeps stores in their places among the accesses; loads between two
** stores can still be merged, reordered and hoisted. Checked code needs
** none: the trap is a call, which the C compiler cannot move a store
** across. */
static inline void fence(fstate *f) {
  if (f->guarded) put(f->o, "  WM_FENCE();\n");
}

/* A helper call that takes n operands after its immediates: `head` is the
** call up to them ("c->mem_fill(c"). */
static inline int bulk(fstate *f, const char *head, uint32_t n) {
  uint32_t a = f->sp - n;
  put(f->o, "  %s", head);
  for (uint32_t i = 0; i < n; i++) put(f->o, ", %s", V(f, a + i));
  put(f->o, ");\n");
  f->sp = a;
  return 0;
}

/* After a call, anything may have grown memory 0 (aot_mem.c: the other
** memories' sizes are read at each access). */
static inline void reload_size(fstate *f) { put(f->o, "  ms = *c->mem_size;\n"); }

/* aot_mem.c: a memarg's memory index and offset. */
int wm__aot_memarg(fstate *f, uint32_t *mem, uint64_t *offset);
/* aot_mem.c: the effective address of an access of n bytes to memory mem
** at depth a's address plus offset: `ea_` in the C, and the accessed
** bytes' C pointer in p (cap bytes). Checked against the memory's size,
** unless `guarded` and the memory is memory 0, 32-bit: then ea_ + n is
** below 2^33 + 8, inside the memory's reservation (WM_AOT_GUARD_SPAN),
** and a stray access faults in its inaccessible part. */
void wm__aot_address(fstate *f, uint32_t a, uint32_t mem, uint64_t offset, uint32_t n,
                     bool guarded, char *p, size_t cap);
/* aot_mem.c: a load, store, memory.size or memory.grow (op 0x28..0x40,
** its immediates next), or 0xFC x for x in 8..11 (memory.init, data.drop,
** memory.copy, memory.fill). */
int wm__aot_mem(fstate *f, uint8_t op);
int wm__aot_mem_bulk(fstate *f, uint32_t x);
/* aot_mem.c: the bytes a load or store (0x28..0x3E) accesses. */
uint32_t wm__aot_access_bytes(uint8_t op);
/* aot_gc.c: GC instruction sub (WM_GC_*, gc_sig.h; after 0xFB, or
** WM_GC_REF_EQ) at f->pos, translated, or refused by name; its immediates
** read past (dead code). */
int wm__aot_gc(fstate *f, uint32_t sub);
int wm__aot_gc_skip(fstate *f, uint32_t sub);
/* aot_c.c: `if (cond) <branch to label depth l>`, as br_if's. */
int wm__aot_branch_if(fstate *f, const char *cond, uint32_t l);
/* aot_c.c: the operand count of numeric instruction op (0x45..0xC4), or
** -1 when it may trap. */
int wm__aot_numeric_arity(uint8_t op);

/* aot_vec.c: whether the loop whose first instruction is at f->pos (its
** block type []) is versioned, its plan in p; whether it is the outer loop
** of a versioned nest (one such loop inside, its guard hoisted out), the
** inner loop's plan in p; the fast copy's guard (`if (...) {` and the
** iv's copy declared) and the fast loop's head (`V<label>:;`); the fast
** copy's address of its next access, as wm__aot_address's. */
bool wm__aot_vec_plan(fstate *f, vplan *p);
bool wm__aot_vec_nest(fstate *f, vplan *p);
void wm__aot_vec_guard(fstate *f, const vplan *p);
void wm__aot_vec_head(fstate *f, const vplan *p);
void wm__aot_vec_address(fstate *f, char *p, size_t cap);

/* aot_exn.c: a try_table's clauses (after its block type, f->pos at
** them), read, and in live code (emit) its dispatch H<label>, label the
** try_table's own, not yet pushed; *catches: it has clauses. */
int wm__aot_try_clauses(fstate *f, uint32_t label, bool emit, bool *catches);
/* aot_exn.c: throw (0x08) and throw_ref (0x0A). */
int wm__aot_throw(fstate *f, uint8_t op);
/* aot_exn.c: after a call, in WM_AOT_EXN code: the check of a pending
** exception. */
void wm__aot_exn_check(fstate *f);
/* aot_c.c: a value of class k written to slot *j of C array io, and slot
** *j of io read as a value of class k (*j moved past it). */
void wm__aot_put_to_slot(cbuf *o, const char *io, uint32_t *j, int k, const char *v);
void wm__aot_put_from_slot(cbuf *o, const char *io, uint32_t *j, int k);

#endif
