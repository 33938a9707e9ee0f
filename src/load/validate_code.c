/* SPDX-License-Identifier: MIT */
/*
** validate_code.c -- validates function bodies by the spec's algorithm and
** lowers nothing: one pass a body over an operand stack of type bytes and a
** control stack, both in scratch buffers made once per module and grown
** geometrically, so that validating allocates nothing per instruction and
** nothing per body unless a buffer must grow.
**
** Its verdicts -- code, message and byte offset -- are the compiler's
** (compile.c validates as it lowers), checks in the same order included;
** the differential fuzzer (tests/fuzz/fuzz_load.c) holds the two to that,
** body by body. The opcode tables are the compiler's: wm__numeric_sig,
** wm__memop_sig and wm__simd_sig. Every error names the offset of the
** instruction it is found in, as the compiler's do.
*/
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "leb.h"
#include "gc_sig.h"
#include "module.h"
#include "ops.h"

/* As compile.h: the operand stack may hold at most this many slots (a
** v128 takes two), else "function too large: operand stack". */
#define MAX_INDEX 0x0FFFFFFFu

/* A local's type bit: a non-defaultable local not set yet (no value type
** has bit 31). */
#define UNSET 0x80000000u

/* The type of a local index one LEB byte can name (under LT_ONE) that
** the body does not have: UNSET, as an unset local's, and equal to no
** operand. ltypes keeps it past nlocals, so that the fast loop's local
** instructions need no bound test for such an index (fast_local). */
#define NO_LOCAL 0xFFFFFFFFu
#define LT_ONE 0x80u

/* A type byte no operand has (0 is Unknown). */
#define NO_TYPE 0xFF
/* Distinct typed-reference block types one function may use. */
#define WM_KEPT_TYPES 256

#define TRY(x)                                                                 \
  do {                                                                         \
    int rc_ = (x);                                                             \
    if (rc_) return rc_;                                                       \
  } while (0)

enum { K_FUNC, K_BLOCK, K_LOOP, K_IF, K_ELSE };

/* A control frame (the spec's ctrl_frame). Label types point into the
** module's function types or into single_types: br_table compares them
** by address, as the compiler does. */
typedef struct vctl {
  const wm_valtype *p, *r;
  uint32_t np, nr;
  uint32_t height;   /* operand stack height at entry, params excluded */
  uint32_t epoch;    /* the br_table that last checked this label */
  uint32_t inits;    /* the local initialisations logged at entry */
  uint8_t kind;
  bool unreachable;
} vctl;

/* One validator's state; the buffers outlive the bodies (scratch). */
typedef struct vstate {
  wm_module *mod;
  wm_error *err;
  const uint8_t *bytes;
  uint32_t pos, end;       /* absolute offsets into bytes */
  uint32_t instr_off;      /* offset of the instruction being validated */

  /* Operand types, 0 for Unknown; nv128 of them are v128 (two slots).
  ** lim = min(cap_vals, MAX_INDEX): a push that keeps nvals + nv128 + 3
  ** within it needs neither room nor the slot check. */
  uint32_t *vals; uint32_t nvals, nv128, cap_vals, lim;
  vctl *ctls; uint32_t nctls, cap_ctls;
  vctl *top;               /* ctls[nctls - 1] */
  /* The locals' types. Typed references: a non-defaultable local not set
  ** yet has UNSET in its type (so local.get tests the type it loads
  ** anyway), and a log of those set since their block began undoes their
  ** setting at its end (the spec's local "init"). */
  uint32_t *ltypes; uint32_t nlocals, cap_ltypes;
  uint32_t lt_dirty;       /* ltypes[lt_dirty..LT_ONE) hold NO_LOCAL */
  uint32_t *ilog; uint32_t nilog, cap_ilog;
  uint32_t *tmp; uint32_t cap_tmp; /* operands br_table pops and pushes back */
  uint32_t epoch;          /* br_tables seen in this body */
  wm_valtype kept[WM_KEPT_TYPES]; uint32_t nkept; /* see keep_type */
  /* Numeric opcodes 0x45..0xC4: operand and result type, operand count. */
  uint8_t num_in[256], num_out[256], num_n[256];
  /* For the fast loop: num_in where the opcode's class (F_UNOP, F_BINOP)
  ** has its operand count, else NO_TYPE, so that the loop leaves it. */
  uint8_t num_fast[256];
  /* For the fast loop: loads and stores 0x28..0x3E, their natural
  ** alignment and value type; a block type byte's index in
  ** wm__single_types plus one (0: not one of them); memory 0's address
  ** type (NO_TYPE: no memory). */
  uint8_t mem_nat[0x3F], mem_ty[0x3F];
  uint8_t bt_single[256];
  uint8_t fclass[256];
  uint32_t mem0_at;
  /* No type or global of the module names v128 (narrow_mod), and neither
  ** does a local of this body (narrow): see fast_run. */
  bool narrow_mod, narrow;
  /* bytes[i] is the module's byte delta + i: the module's bytes (delta 0),
  ** or, for a sparse module, a run of bodies read from its file into
  ** chunk (see worker). pos, end and the offsets of instructions are
  ** relative to bytes, errors' offsets to the module. */
  uint32_t delta;
  uint8_t *chunk; uint32_t cap_chunk;
} vstate;

/* ------------------------------------------------------------------ errors */

static int invalid(vstate *v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int invalid(vstate *v, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wm__verror(v->err, WM_EINVALID, v->instr_off, fmt, ap);
  va_end(ap);
  return WM_EINVALID;
}

static int malformed(vstate *v, const char *msg) {
  wm__error(v->err, WM_EMALFORMED, v->instr_off, "%s", msg);
  return WM_EMALFORMED;
}

static int nomem(vstate *v) {
  wm__error(v->err, WM_ENOMEM, v->instr_off, NULL);
  return WM_ENOMEM;
}

static int mismatch(vstate *v) { return invalid(v, "type mismatch"); }

static int unexpected_end(vstate *v) {
  return malformed(v, "unexpected end of section or function");
}

/* ------------------------------------------------------------------ reader */

static int rd_u8(vstate *v, uint8_t *out) {
  if (WM_UNLIKELY(v->pos >= v->end)) {
    *out = 0;
    return unexpected_end(v);
  }
  *out = v->bytes[v->pos++];
  return 0;
}

static int rd_u32_slow(vstate *v, uint32_t *out) {
  int e = wm__leb_u32(v->bytes, &v->pos, v->end, out);
  return e ? malformed(v, wm__leb_msg(e)) : 0;
}

static inline int rd_u32(vstate *v, uint32_t *out) {
  if (WM_LIKELY(v->pos < v->end && v->bytes[v->pos] < 0x80)) {
    *out = v->bytes[v->pos++];
    return 0;
  }
  return rd_u32_slow(v, out);
}

static int rd_sleb_slow(vstate *v, unsigned bits, int64_t *out) {
  int e = wm__leb_s(v->bytes, &v->pos, v->end, bits, out);
  return e ? malformed(v, wm__leb_msg(e)) : 0;
}

/* Skip a signed LEB128 constant (i32.const, i64.const). */
static inline int skip_sleb(vstate *v, unsigned bits) {
  if (WM_LIKELY(v->pos < v->end && v->bytes[v->pos] < 0x80)) {
    v->pos++;
    return 0;
  }
  int64_t s;
  return rd_sleb_slow(v, bits, &s);
}

static int skip_fixed(vstate *v, uint32_t n) {
  if (v->end - v->pos < n) {
    v->pos = v->end;
    return unexpected_end(v);
  }
  v->pos += n;
  return 0;
}

static int zero_byte(vstate *v) {
  uint8_t b;
  TRY(rd_u8(v, &b));
  return b ? malformed(v, "zero byte expected") : 0;
}

/* ----------------------------------------------------------- operand stack */

static int push_slow(vstate *v, uint32_t t) {
  uint64_t slots = (uint64_t)v->nvals + v->nv128 + (t == WM_V128 ? 2 : 1);
  if (slots >= MAX_INDEX)
    return wm__error(v->err, WM_ELIMIT, v->instr_off, "function too large: operand stack");
  if (wm__grow((void **)&v->vals, &v->cap_vals, v->nvals + 3, sizeof *v->vals)) return nomem(v);
  v->lim = v->cap_vals < MAX_INDEX ? v->cap_vals : MAX_INDEX;
  v->vals[v->nvals++] = t;
  v->nv128 += t == WM_V128;
  return 0;
}

static inline int push(vstate *v, uint32_t t) {
  if (WM_UNLIKELY(v->nvals + v->nv128 + 3 > v->lim)) return push_slow(v, t);
  v->vals[v->nvals++] = t;
  v->nv128 += t == WM_V128;
  return 0;
}

static int push_n(vstate *v, uint32_t n, const wm_valtype *types) {
  for (uint32_t i = 0; i < n; i++) TRY(push(v, types[i]));
  return 0;
}

/* The spec's pop_val: expect 0 takes any type; *t gets the operand's type,
** 0 (Unknown) off a polymorphic stack. */
static inline int pop(vstate *v, uint32_t expect, uint32_t *t) {
  if (WM_UNLIKELY(v->nvals == v->top->height)) {
    *t = 0;
    return v->top->unreachable ? 0 : mismatch(v);
  }
  uint32_t x = v->vals[--v->nvals];
  v->nv128 -= x == WM_V128;
  *t = x;
  if (expect && x != expect && !wm__valtype_match(v->mod, x, expect)) return mismatch(v);
  return 0;
}

static inline int pop_t(vstate *v, uint32_t expect) {
  uint32_t t;
  return pop(v, expect, &t);
}

/* Pop n operands of the given types (the last on top). */
static WM_ALWAYS_INLINE int pop_n(vstate *v, uint32_t n, const wm_valtype *types) {
  if (v->nvals - v->top->height >= n) {
    const uint32_t *s = v->vals + v->nvals - n;
    uint32_t wide = 0;
    for (uint32_t i = 0; i < n; i++) {
      if (s[i] != types[i] && !wm__valtype_match(v->mod, s[i], types[i])) return mismatch(v);
      wide += s[i] == WM_V128;
    }
    v->nvals -= n;
    v->nv128 -= wide;
    return 0;
  }
  for (uint32_t i = n; i-- > 0;) TRY(pop_t(v, types[i]));
  return 0;
}

/* Drop the current frame's operands: the rest of it is unreachable. */
static void set_unreachable(vstate *v) {
  uint32_t h = v->top->height;
  for (uint32_t i = h; i < v->nvals; i++) v->nv128 -= v->vals[i] == WM_V128;
  v->nvals = h;
  v->top->unreachable = true;
}

/* ------------------------------------------------------------ control flow */


/* A value type in a body (select's, a block's) or a heap type (ref.null's):
** wm__read_bodytype's. */
static int rd_type(vstate *v, bool heap, uint32_t *t) {
  const char *why = NULL;
  int e = wm__read_bodytype(v->bytes, &v->pos, v->end, heap, v->mod, t, &why);
  if (e == WM_EINVALID) return invalid(v, "unknown type %u", wm__vt_idx(*t) - 1);
  return e ? malformed(v, why) : 0;
}

/* A block's one typed-reference result needs storage that lives while
** the block does: the function's type table of such types (kept in the
** scratch, found again by value). */
static int keep_type(vstate *v, uint32_t t, const wm_valtype **out) {
  for (uint32_t i = 0; i < v->nkept; i++)
    if (v->kept[i] == t) {
      *out = &v->kept[i];
      return 0;
    }
  if (v->nkept == WM_KEPT_TYPES)
    return wm__error(v->err, WM_ELIMIT, v->instr_off,
                     "function too large: more than %u typed reference block types",
                     WM_KEPT_TYPES);
  v->kept[v->nkept] = (wm_valtype)t;
  *out = &v->kept[v->nkept++];
  return 0;
}

static int rd_blocktype(vstate *v, vctl *f) {
  f->np = f->nr = 0;
  f->p = f->r = NULL;
  if (v->pos >= v->end) return unexpected_end(v);
  uint8_t b = v->bytes[v->pos];
  if (b == 0x40) {
    v->pos++;
    return 0;
  }
  if ((b & 0xC0) == 0x40) { /* a one-byte negative s33: a value type */
    unsigned n = v->mod->wasm2 ? WM_SINGLE_TYPES_WASM2 : WM_SINGLE_TYPES;
    for (unsigned i = 0; i < n; i++) {
      if (wm__single_types[i] == b) {
        v->pos++;
        f->nr = 1;
        f->r = &wm__single_types[i];
        return 0;
      }
    }
    if (b == 0x63 || b == 0x64) { /* a typed reference, kept in the scratch */
      uint32_t t;
      TRY(rd_type(v, false, &t));
      TRY(keep_type(v, t, &f->r));
      f->nr = 1;
      return 0;
    }
    return malformed(v, "malformed value type");
  }
  int64_t idx = 0;
  TRY(rd_sleb_slow(v, 33, &idx));
  if (idx < 0) return malformed(v, "malformed value type");
  const char *why = wm__functype_why(v->mod, (uint64_t)idx);
  if (why) return invalid(v, "%s %u", why, (uint32_t)idx);
  const wm_type *t = &v->mod->types[idx];
  f->np = t->nparams;
  f->p = t->params;
  f->nr = t->nresults;
  f->r = t->results;
  return 0;
}

static uint32_t label_n(const vctl *L) { return L->kind == K_LOOP ? L->np : L->nr; }
static const wm_valtype *label_t(const vctl *L) { return L->kind == K_LOOP ? L->p : L->r; }

static WM_ALWAYS_INLINE int push_ctl(vstate *v, uint8_t kind, const vctl *bt) {
  if (WM_UNLIKELY(v->nctls == v->cap_ctls) &&
      wm__grow((void **)&v->ctls, &v->cap_ctls, v->nctls + 1, sizeof *v->ctls))
    return nomem(v);
  vctl *f = &v->ctls[v->nctls++];
  *f = *bt;
  f->kind = kind;
  f->unreachable = false;
  f->height = v->nvals;
  f->epoch = 0;
  f->inits = v->nilog;
  v->top = f;
  return 0;
}

static int enter_block(vstate *v, uint8_t kind) {
  vctl bt;
  TRY(rd_blocktype(v, &bt));
  if (kind == K_IF) TRY(pop_t(v, WM_I32));
  TRY(pop_n(v, bt.np, bt.p));
  TRY(push_ctl(v, kind, &bt));
  return push_n(v, bt.np, bt.p);
}

/* Pop the frame's results at else/end: exactly its result types. */
static int close_arm(vstate *v) {
  vctl *f = v->top;
  TRY(pop_n(v, f->nr, f->r));
  return v->nvals != f->height ? mismatch(v) : 0;
}

/* Forget the initialisations of non-defaultable locals made since the
** frame began: they do not outlive its arm. */
static void reset_inits(vstate *v, const vctl *f) {
  while (v->nilog > f->inits) v->ltypes[v->ilog[--v->nilog]] |= UNSET;
}

static int do_else(vstate *v) {
  vctl *f = v->top;
  if (f->kind != K_IF) return malformed(v, "else without matching if");
  TRY(close_arm(v));
  reset_inits(v, f);
  f->kind = K_ELSE;
  f->unreachable = false;
  return push_n(v, f->np, f->p);
}

static int do_end(vstate *v) {
  vctl *f = v->top;
  if (f->kind == K_IF) {
    /* The missing else arm passes the params through as results. */
    bool same = f->np == f->nr;
    for (uint32_t i = 0; same && i < f->np; i++) same = wm__valtype_match(v->mod, f->p[i], f->r[i]);
    if (!same) return mismatch(v);
  }
  TRY(close_arm(v));
  reset_inits(v, f);
  v->nctls--;
  if (f->kind == K_FUNC) return 0;
  v->top = f - 1;
  return push_n(v, f->nr, f->r);
}

static int rd_label(vstate *v, vctl **L) {
  uint32_t l;
  TRY(rd_u32(v, &l));
  if (l >= v->nctls) return invalid(v, "unknown label");
  *L = &v->ctls[v->nctls - 1 - l];
  return 0;
}

/* The type of an address into memory m or an index into table t: i64 for
** the 64-bit ones (memory64, table64). */
static uint32_t mem_t(const vstate *v, uint32_t m) { return v->mod->mems[m].is64 ? WM_I64 : WM_I32; }
static uint32_t table_t(const vstate *v, uint32_t t) {
  return v->mod->tables[t].lim.is64 ? WM_I64 : WM_I32;
}

/* A conditional branch's operands (br_if, br_on_null ...): n of types t
** popped and pushed back as t. */
static WM_ALWAYS_INLINE int br_keep(vstate *v, uint32_t n, const wm_valtype *t) {
  if (v->nvals - v->top->height >= n) { /* retyped in place as the label's */
    uint32_t *s = v->vals + v->nvals - n;
    for (uint32_t i = 0; i < n; i++) {
      if (s[i] != t[i] && !wm__valtype_match(v->mod, s[i], t[i])) return mismatch(v);
      v->nv128 += !s[i] && t[i] == WM_V128;
      s[i] = t[i];
    }
    /* An Unknown retyped as a v128 takes a second slot. */
    if (v->nvals + v->nv128 >= MAX_INDEX)
      return wm__error(v->err, WM_ELIMIT, v->instr_off, "function too large: operand stack");
    return 0;
  }
  TRY(pop_n(v, n, t));
  return push_n(v, n, t);
}

static int do_br_if(vstate *v) {
  vctl *L = NULL;
  TRY(rd_label(v, &L));
  TRY(pop_t(v, WM_I32));
  return br_keep(v, label_n(L), label_t(L));
}

/* Pop m operands typed t and push them back with their own types (an
** Unknown popped off a polymorphic stack stays Unknown). */
static int bt_check(vstate *v, uint32_t m, const wm_valtype *t) {
  if (v->nvals - v->top->height >= m) { /* nothing moves */
    const uint32_t *s = v->vals + v->nvals - m;
    for (uint32_t i = 0; i < m; i++)
      if (s[i] != t[i] && !wm__valtype_match(v->mod, s[i], t[i])) return mismatch(v);
    return 0;
  }
  if (WM_UNLIKELY(m > v->cap_tmp) && wm__grow((void **)&v->tmp, &v->cap_tmp, m, sizeof *v->tmp))
    return nomem(v);
  for (uint32_t i = m; i-- > 0;) TRY(pop(v, t[i], &v->tmp[i]));
  for (uint32_t i = 0; i < m; i++) TRY(push(v, v->tmp[i]));
  return 0;
}

/* br_table: the labels are read twice, to check them and then to type
** them; each label is typed once per br_table, as the compiler does. */
static int do_br_table(vstate *v) {
  uint32_t n, l = 0;
  TRY(rd_u32(v, &n));
  if (n > v->end - v->pos) return unexpected_end(v); /* each label takes a byte */
  uint32_t labels = v->pos;
  for (uint32_t i = 0; i <= n; i++) {
    TRY(rd_u32(v, &l));
    if (l >= v->nctls) return invalid(v, "unknown label");
  }
  uint32_t after = v->pos;
  TRY(pop_t(v, WM_I32));
  const vctl *D = &v->ctls[v->nctls - 1 - l];
  uint32_t m = label_n(D);
  v->epoch++;
  v->pos = labels;
  for (uint32_t i = 0; i < n; i++) {
    (void)rd_u32(v, &l); /* checked above */
    vctl *L = &v->ctls[v->nctls - 1 - l];
    if (label_n(L) != m) return mismatch(v);
    if (L->epoch == v->epoch || label_t(L) == label_t(D)) continue;
    L->epoch = v->epoch;
    TRY(bt_check(v, m, label_t(L)));
  }
  v->pos = after;
  TRY(pop_n(v, m, label_t(D)));
  set_unreachable(v);
  return 0;
}

static WM_ALWAYS_INLINE int do_call_type(vstate *v, const wm_type *t) {
  TRY(pop_n(v, t->nparams, t->params));
  return push_n(v, t->nresults, t->results);
}

/* call_indirect's and return_call_indirect's immediates and index: the
** callee's type. */
static int rd_indirect(vstate *v, const wm_type **t) {
  uint32_t ti, tab;
  TRY(rd_u32(v, &ti));
  TRY(rd_u32(v, &tab));
  if (tab >= v->mod->ntables) return invalid(v, "unknown table %u", tab);
  const char *why = wm__functype_why(v->mod, ti);
  if (why) return invalid(v, "%s %u", why, ti);
  if (!wm__valtype_match(v->mod, v->mod->tables[tab].elem, WM_FUNCREF)) return mismatch(v);
  *t = &v->mod->types[ti];
  return pop_t(v, table_t(v, tab));
}

static int do_call_indirect(vstate *v) {
  const wm_type *t;
  TRY(rd_indirect(v, &t));
  return do_call_type(v, t);
}

/* Tail calls: the callee's results must be this function's; the stack
** after is polymorphic, as after return. */
static int do_return_call_type(vstate *v, const wm_type *t) {
  const vctl *F = &v->ctls[0];
  if (t->nresults != F->nr) return mismatch(v);
  for (uint32_t i = 0; i < t->nresults; i++)
    if (!wm__valtype_match(v->mod, t->results[i], F->r[i])) return mismatch(v);
  TRY(pop_n(v, t->nparams, t->params));
  set_unreachable(v);
  return 0;
}

static int do_return_call_indirect(vstate *v) {
  const wm_type *t;
  TRY(rd_indirect(v, &t));
  return do_return_call_type(v, t);
}

/* -------------------------------------------------------- other operators */

static bool is_num(uint32_t t) { return t == WM_I32 || t == WM_I64 || t == WM_F32 || t == WM_F64; }
static bool is_ref(uint32_t t) { return wm__is_reftype(t); }
static bool is_numvec(uint32_t t) { return is_num(t) || t == WM_V128; }

/* A memory index (WebAssembly 2.0: a reserved zero byte), as
** wm__c_memidx. */
static int rd_memidx(vstate *v, uint32_t *pm) {
  uint32_t m = 0;
  if (v->mod->wasm2) TRY(zero_byte(v));
  else TRY(rd_u32(v, &m));
  *pm = m;
  return m >= v->mod->nmems ? invalid(v, "unknown memory %u", m) : 0;
}

/* A memarg, as wm__c_memarg: alignment at most `natural` (exactly, for
** atomics); *at the address type (a 64-bit memory's offset is a u64). */
static int rd_memarg(vstate *v, uint32_t natural, bool exact, uint32_t *at) {
  uint32_t align, mem = 0, offset;
  TRY(rd_u32(v, &align));
  if (!v->mod->wasm2) {
    if (align >= 0x80) return malformed(v, "malformed memop flags");
    if (align & 0x40) TRY(rd_u32(v, &mem));
    align &= 0x3F;
  }
  /* The offset is a u64 in WebAssembly 3.0; below 2^32 for a 32-bit memory. */
  *at = mem < v->mod->nmems && v->mod->mems[mem].is64 ? WM_I64 : WM_I32;
  uint64_t off64 = 0;
  if (v->mod->wasm2) {
    TRY(rd_u32(v, &offset));
  } else {
    int e = wm__leb_u64(v->bytes, &v->pos, v->end, &off64);
    if (e) return malformed(v, wm__leb_msg(e));
  }
  if (mem >= v->mod->nmems) return invalid(v, "unknown memory %u", mem);
  if (*at == WM_I32 && off64 > UINT32_MAX) return invalid(v, "offset out of range");
  if (exact ? align != natural : align > natural)
    return invalid(v, exact ? "atomic alignment must be natural"
                            : "alignment must not be larger than natural");
  return 0;
}

static int rd_table(vstate *v, uint32_t *x) {
  TRY(rd_u32(v, x));
  return *x >= v->mod->ntables ? invalid(v, "unknown table %u", *x) : 0;
}

/* A numeric instruction (0x45..0xC4) whose operands are not plain values
** of its type on top of the stack. */
static int numeric_slow(vstate *v, uint8_t op) {
  if (v->num_in[op] == NO_TYPE) return malformed(v, "illegal opcode");
  if (v->num_n[op] == 2) TRY(pop_t(v, v->num_in[op]));
  TRY(pop_t(v, v->num_in[op]));
  return push(v, v->num_out[op]);
}

/* The 0xFE instructions (the threads proposal), as compile_atomic.c. */
static int atomic_op(vstate *v, uint32_t sub) {
  wm_atomic_sig s = wm__atomic_sig(sub);
  if (s.kind == WM_ATOMIC_NONE) return malformed(v, "illegal opcode");
  if (s.kind == WM_ATOMIC_FENCE) return zero_byte(v);
  uint32_t at;
  TRY(rd_memarg(v, s.size_log2, true, &at));
  switch (s.kind) {
    case WM_ATOMIC_LOAD: break;
    case WM_ATOMIC_STORE:
      TRY(pop_t(v, s.type));
      return pop_t(v, at);
    case WM_ATOMIC_RMW: case WM_ATOMIC_NOTIFY: TRY(pop_t(v, s.type)); break;
    default:
      TRY(pop_t(v, s.kind == WM_ATOMIC_WAIT ? WM_I64 : s.type));
      TRY(pop_t(v, s.type));
      break;
  }
  TRY(pop_t(v, at));
  return push(v, s.kind == WM_ATOMIC_NOTIFY || s.kind == WM_ATOMIC_WAIT ? WM_I32 : s.type);
}

static int load_store(vstate *v, uint8_t op) {
  uint8_t natural, type;
  wm__memop_sig(op, &natural, &type);
  uint32_t at;
  TRY(rd_memarg(v, natural, false, &at));
  if (op <= 0x35) { /* loads */
    TRY(pop_t(v, at));
    return push(v, type);
  }
  TRY(pop_t(v, type));
  return pop_t(v, at);
}

static int do_select(vstate *v, uint8_t op) {
  uint32_t t = 0, a, b;
  if (op == 0x1C) {
    uint32_t n;
    TRY(rd_u32(v, &n));
    if (n != 1) return invalid(v, "invalid result arity");
    TRY(rd_type(v, false, &t));
  }
  TRY(pop_t(v, WM_I32));
  TRY(pop(v, t, &b));
  TRY(pop(v, t, &a));
  if (!t) {
    if ((a && !is_numvec(a)) || (b && !is_numvec(b))) return mismatch(v);
    if (a && b && a != b) return mismatch(v);
    t = a ? a : b;
  }
  return push(v, t);
}

/* memory.init and data.drop need the data count section (as compile_ops.c). */
static int need_datacount(vstate *v, uint32_t x) {
  if (!v->mod->has_datacount && v->mod->ndatas > 0)
    return malformed(v, "data count section required");
  uint32_t n = v->mod->has_datacount ? v->mod->datacount : 0;
  return x >= n ? invalid(v, "unknown data segment %u", x) : 0;
}

/* Pop three operands typed t0, t1, t2 (t2 on top). */
static int pop3(vstate *v, uint32_t t0, uint32_t t1, uint32_t t2) {
  TRY(pop_t(v, t2));
  TRY(pop_t(v, t1));
  return pop_t(v, t0);
}

static int fc_op(vstate *v, uint32_t sub) {
  const wm_module *mod = v->mod;
  uint32_t x, y;
  if (sub <= 7) { /* saturating truncations */
    uint8_t in, out;
    int nin;
    (void)wm__numeric_sig(0xFC00 | sub, &in, &out, &nin);
    TRY(pop_t(v, in));
    return push(v, out);
  }
  switch (sub) {
    case 8: /* memory.init */
      TRY(rd_u32(v, &x));
      TRY(rd_memidx(v, &y));
      TRY(need_datacount(v, x));
      return pop3(v, mem_t(v, y), WM_I32, WM_I32);
    case 9: /* data.drop */
      TRY(rd_u32(v, &x));
      return need_datacount(v, x);
    case 10: { /* memory.copy: the length the narrower address type */
      TRY(rd_memidx(v, &x));
      TRY(rd_memidx(v, &y));
      uint32_t tx = mem_t(v, x), ty = mem_t(v, y);
      return pop3(v, tx, ty, tx == WM_I64 && ty == WM_I64 ? WM_I64 : WM_I32);
    }
    case 11: /* memory.fill */
      TRY(rd_memidx(v, &x));
      return pop3(v, mem_t(v, x), WM_I32, mem_t(v, x));
    case 12: /* table.init elem table */
      TRY(rd_u32(v, &x));
      TRY(rd_table(v, &y));
      if (x >= mod->nelems) return invalid(v, "unknown elem segment %u", x);
      if (!wm__valtype_match(mod, mod->elems[x].type, mod->tables[y].elem)) return mismatch(v);
      return pop3(v, table_t(v, y), WM_I32, WM_I32);
    case 13: /* elem.drop */
      TRY(rd_u32(v, &x));
      return x >= mod->nelems ? invalid(v, "unknown elem segment %u", x) : 0;
    case 14: /* table.copy dst src */
      TRY(rd_table(v, &x));
      TRY(rd_table(v, &y));
      if (!wm__valtype_match(mod, mod->tables[y].elem, mod->tables[x].elem)) return mismatch(v);
      return pop3(v, table_t(v, x), table_t(v, y),
                  table_t(v, x) == WM_I64 && table_t(v, y) == WM_I64 ? WM_I64 : WM_I32);
    case 15: /* table.grow: init n -> old size */
      TRY(rd_table(v, &x));
      TRY(pop_t(v, table_t(v, x)));
      TRY(pop_t(v, mod->tables[x].elem));
      return push(v, table_t(v, x));
    case 16: /* table.size */
      TRY(rd_table(v, &x));
      return push(v, table_t(v, x));
    case 17: /* table.fill: i val n */
      TRY(rd_table(v, &x));
      return pop3(v, table_t(v, x), mod->tables[x].elem, table_t(v, x));
    default:
      return malformed(v, "illegal opcode");
  }
}

static int rd_lane(vstate *v, uint32_t lanes) {
  uint8_t b;
  TRY(rd_u8(v, &b));
  return b >= lanes ? invalid(v, "invalid lane index") : 0;
}

/* A 0xFD instruction, its classes as in compile_simd.c. */
static int simd_op(vstate *v, uint32_t sub) {
  if (sub == 0x0C) { /* v128.const */
    for (int i = 0; i < 16; i++) {
      uint8_t b;
      TRY(rd_u8(v, &b));
    }
    return push(v, WM_V128);
  }
  wm_simd_sig s = wm__simd_sig(sub);
  switch (s.cls) {
    case C_VUN:
      TRY(pop_t(v, WM_V128));
      return push(v, WM_V128);
    case C_VTERN:
      TRY(pop_t(v, WM_V128));
      /* fall through */
    case C_VBIN:
      TRY(pop_t(v, WM_V128));
      TRY(pop_t(v, WM_V128));
      return push(v, WM_V128);
    case C_VSHIFT:
      TRY(pop_t(v, WM_I32));
      TRY(pop_t(v, WM_V128));
      return push(v, WM_V128);
    case C_VTEST:
      TRY(pop_t(v, WM_V128));
      return push(v, WM_I32);
    case C_VSPLAT:
      TRY(pop_t(v, s.scalar));
      return push(v, WM_V128);
    case C_VEXTRACT:
      TRY(rd_lane(v, s.lanes));
      TRY(pop_t(v, WM_V128));
      return push(v, s.scalar);
    case C_VREPLACE:
      TRY(rd_lane(v, s.lanes));
      TRY(pop_t(v, s.scalar));
      TRY(pop_t(v, WM_V128));
      return push(v, WM_V128);
    case C_VLOAD: case C_VLOADLANE: case C_VSTORE: case C_VSTORELANE: {
      uint32_t at;
      TRY(rd_memarg(v, s.align, false, &at));
      bool lane = s.cls == C_VLOADLANE || s.cls == C_VSTORELANE;
      if (lane) TRY(rd_lane(v, s.lanes));
      if (s.cls != C_VLOAD) TRY(pop_t(v, WM_V128));
      TRY(pop_t(v, at));
      return s.cls == C_VLOAD || s.cls == C_VLOADLANE ? push(v, WM_V128) : 0;
    }
    case C_VSHUF: {
      uint8_t m[16];
      for (int i = 0; i < 16; i++) TRY(rd_u8(v, &m[i]));
      for (int i = 0; i < 16; i++)
        if (m[i] >= 32) return invalid(v, "invalid lane index");
      TRY(pop_t(v, WM_V128));
      TRY(pop_t(v, WM_V128));
      return push(v, WM_V128);
    }
    default:
      return malformed(v, "illegal opcode");
  }
}

/* Typed function references: call_ref, return_call_ref, ref.as_non_null,
** br_on_null, br_on_non_null (as compile_ref.c). */
static int ref_op(vstate *v, uint8_t op) {
  uint32_t x, t;
  vctl *L = NULL;
  if (op == 0x14 || op == 0x15) {
    TRY(rd_u32(v, &x));
    const char *why = wm__functype_why(v->mod, x);
    if (why) return invalid(v, "%s %u", why, x);
    TRY(pop_t(v, wm__vt_ref_idx(x, false)));
    const wm_type *ft = &v->mod->types[x];
    return op == 0x14 ? do_call_type(v, ft) : do_return_call_type(v, ft);
  }
  if (op != 0xD4) TRY(rd_label(v, &L));
  TRY(pop(v, 0, &t));
  if (t && !is_ref(t)) return mismatch(v);
  uint32_t nn = t ? t | WM_VT_NONNULL : 0;
  if (op == 0xD4) return push(v, nn);
  if (op == 0xD5) { /* br_on_null: the label takes the operands below */
    TRY(br_keep(v, label_n(L), label_t(L)));
    return push(v, nn);
  }
  /* br_on_non_null: the label takes them and the reference, last */
  uint32_t n = label_n(L);
  if (n == 0 || !is_ref(label_t(L)[n - 1])) return mismatch(v);
  if (!wm__valtype_match(v->mod, nn, label_t(L)[n - 1])) return mismatch(v);
  return br_keep(v, n - 1, label_t(L));
}

/* GC's instructions (0xFB sub, or WM_GC_REF_EQ for ref.eq), typed by
** wm__gc_sig as compile_gc.c types them. */
static int gc_op(vstate *v, uint32_t sub) {
  if (v->mod->wasm2) return malformed(v, "illegal opcode");
  wm_gcsig s;
  int e = wm__gc_sig(v->mod, v->bytes, &v->pos, v->end, sub, &s);
  if (e == 1) return malformed(v, "illegal opcode");
  if (e == WM_EMALFORMED) return malformed(v, s.why);
  if (e == WM_EINVALID) return invalid(v, "%s", s.why);
  if (e) return wm__error(v->err, e, v->instr_off, "%s", s.why);
  uint32_t t = 0;
  if (sub == WM_GC_BR_ON_CAST || sub == WM_GC_BR_ON_CAST_FAIL) {
    /* as compile_gc.c's br_on_cast */
    if (s.label >= v->nctls) return invalid(v, "unknown label");
    vctl *L = &v->ctls[v->nctls - 1 - s.label];
    bool fail = sub == WM_GC_BR_ON_CAST_FAIL;
    uint32_t diff = wm__vt_nullable(s.t2) ? s.t1 | WM_VT_NONNULL : s.t1;
    uint32_t taken = fail ? diff : s.t2, n = label_n(L);
    TRY(pop_t(v, s.t1));
    if (n == 0 || !is_ref(label_t(L)[n - 1])) return mismatch(v);
    if (!wm__valtype_match(v->mod, taken, label_t(L)[n - 1])) return mismatch(v);
    TRY(br_keep(v, n - 1, label_t(L)));
    return push(v, fail ? s.t2 : diff);
  }
  uint32_t u;
  for (uint32_t i = s.n; i-- > 0;) TRY(pop(v, wm__gc_in(&s, i), i == 0 ? &t : &u));
  if (sub == WM_GC_ANY_CONVERT_EXTERN || sub == WM_GC_EXTERN_CONVERT_ANY)
    s.out |= t && wm__vt_nullable(t) ? 0 : WM_VT_NONNULL;
  return s.out ? push(v, s.out) : 0;
}

/* The instructions the main loop does not take itself. */
static int other_op(vstate *v, uint8_t op) {
  wm_module *mod = v->mod;
  uint32_t x;
  uint32_t t;
  if (op >= 0x45 && op <= 0xC4) return numeric_slow(v, op);
  if (op >= 0x28 && op <= 0x3E) return load_store(v, op);
  switch (op) {
    case 0x1B: case 0x1C: return do_select(v, op);
    case 0x23: /* global.get */
      TRY(rd_u32(v, &x));
      if (x >= mod->nglobals) return invalid(v, "unknown global %u", x);
      return push(v, mod->globals[x].type.type);
    case 0x24: /* global.set */
      TRY(rd_u32(v, &x));
      if (x >= mod->nglobals) return invalid(v, "unknown global %u", x);
      if (!mod->globals[x].type.mut) return invalid(v, "global is immutable");
      return pop_t(v, mod->globals[x].type.type);
    case 0x25: /* table.get */
      TRY(rd_table(v, &x));
      TRY(pop_t(v, table_t(v, x)));
      return push(v, mod->tables[x].elem);
    case 0x26: /* table.set */
      TRY(rd_table(v, &x));
      TRY(pop_t(v, mod->tables[x].elem));
      return pop_t(v, table_t(v, x));
    case 0x3F: /* memory.size */
      TRY(rd_memidx(v, &x));
      return push(v, mem_t(v, x));
    case 0x40: /* memory.grow */
      TRY(rd_memidx(v, &x));
      TRY(pop_t(v, mem_t(v, x)));
      return push(v, mem_t(v, x));
    case 0xD0: /* ref.null ht */
      TRY(rd_type(v, true, &t));
      return push(v, t);
    case 0xD1: /* ref.is_null */
      TRY(pop(v, 0, &t));
      if (t && !is_ref(t)) return mismatch(v);
      return push(v, WM_I32);
    case 0xD2: /* ref.func */
      TRY(rd_u32(v, &x));
      if (x >= mod->nfuncs) return invalid(v, "unknown function %u", x);
      if (!mod->func_declared || !mod->func_declared[x])
        return invalid(v, "undeclared function reference");
      return push(v, wm__vt_ref_idx(mod->funcs[x].typeidx, true));
    case 0x14: case 0x15: case 0xD4: case 0xD5: case 0xD6:
      if (mod->wasm2) return malformed(v, "illegal opcode");
      return ref_op(v, op);
    case 0xFC:
      TRY(rd_u32(v, &x));
      return fc_op(v, x);
    case 0xFD:
      TRY(rd_u32(v, &x));
      return simd_op(v, x);
    case 0xFE:
      TRY(rd_u32(v, &x));
      return atomic_op(v, x);
    case 0xFB:
      TRY(rd_u32(v, &x));
      return gc_op(v, x);
    case 0xD3:
      return gc_op(v, WM_GC_REF_EQ);
    default: {
      const char *why = wm__unsupported_op(op);
      return malformed(v, why ? why : "illegal opcode");
    }
  }
}

/* ------------------------------------------------------------- exceptions */

/* The label of a catch clause of kind k (WM_CATCH ... WM_CATCH_ALL_REF)
** must take the tag's payload, then an exnref for the _ref kinds. The
** compiler's check is the same (wm__c_try_table). */
static int catch_ok(vstate *v, uint32_t k, uint32_t tag, const vctl *L) {
  const wm_type *t = k < WM_CATCH_ALL ? &v->mod->types[v->mod->tags[tag]] : NULL;
  uint32_t np = t ? t->nparams : 0, ref = k & 1;
  const wm_valtype *lt = label_t(L);
  if (label_n(L) != np + ref) return mismatch(v);
  for (uint32_t i = 0; i < np; i++)
    if (!wm__valtype_match(v->mod, t->params[i], lt[i])) return mismatch(v);
  return ref && !wm__valtype_match(v->mod, WM_EXNREF | WM_VT_NONNULL, lt[np]) ? mismatch(v) : 0;
}

static int do_try_table(vstate *v) {
  vctl bt;
  uint32_t n, tag = 0;
  TRY(rd_blocktype(v, &bt));
  TRY(rd_u32(v, &n));
  for (uint32_t i = 0; i < n; i++) {
    uint8_t k;
    vctl *L = NULL;
    TRY(rd_u8(v, &k));
    if (k > WM_CATCH_ALL_REF) return malformed(v, "malformed catch clause");
    if (k < WM_CATCH_ALL) {
      TRY(rd_u32(v, &tag));
      if (tag >= v->mod->ntags) return invalid(v, "unknown tag %u", tag);
    }
    TRY(rd_label(v, &L));
    TRY(catch_ok(v, k, tag, L));
  }
  TRY(pop_n(v, bt.np, bt.p));
  TRY(push_ctl(v, K_BLOCK, &bt));
  return push_n(v, bt.np, bt.p);
}

static int exc_op(vstate *v, uint8_t op) {
  uint32_t x;
  if (v->mod->wasm2) return malformed(v, "illegal opcode");
  if (op == 0x1F) return do_try_table(v);
  if (op == 0x08) { /* throw */
    TRY(rd_u32(v, &x));
    if (x >= v->mod->ntags) return invalid(v, "unknown tag %u", x);
    const wm_type *t = &v->mod->types[v->mod->tags[x]];
    TRY(pop_n(v, t->nparams, t->params));
  } else { /* throw_ref */
    TRY(pop_t(v, WM_EXNREF));
  }
  set_unreachable(v);
  return 0;
}

/* ---------------------------------------------------------------- the pass */

static int rd_local(vstate *v, uint32_t *t, uint32_t *px) {
  uint32_t x;
  TRY(rd_u32(v, &x));
  if (x >= v->nlocals) return invalid(v, "unknown local %u", x);
  *t = v->ltypes[x];
  *px = x;
  return 0;
}

/* local.set/tee of a non-defaultable local not yet set: log it. */
static int set_init(vstate *v, uint32_t x) {
  if (WM_UNLIKELY(v->nilog == v->cap_ilog) &&
      wm__grow((void **)&v->ilog, &v->cap_ilog, v->nilog + 1, sizeof *v->ilog))
    return nomem(v);
  v->ilog[v->nilog++] = x;
  v->ltypes[x] &= ~UNSET;
  return 0;
}

/* ---------------------------------------------------------- the fast loop */

/* fast_run takes the instructions most bodies are made of, as long as
** everything about them is plain: immediates of valid encodings, operands
** of exactly the types expected (not merely subtypes), room on both
** stacks, enough operands above the frame's height that none is popped off
** a polymorphic stack. It keeps the cursor and the operand stack in
** locals and changes nothing until an instruction has passed all its
** checks; at the first one it cannot take, it stops before it and step()
** takes that one with every check (and says what is wrong, if anything
** is). So its verdicts are step's. It takes no opcode fewer than
** FAST_TAIL bytes before the body's end: the furthest it reads is the
** tenth byte after one (i64.const's, call_indirect's second LEB), so it
** reads no byte past the end. Its text is validate_fast.h, made twice: see fast_run. (yosys,
** 11.8 M instructions in 28 MB of code: 1.02 G machine instructions to
** validate them all with step alone, 0.46 G with one fast loop, dispatched
** through a class byte; 0.41 G with the two, dispatched by opcode; 0.34 G
** with no room test for one push, the cursor kept on the opcode and no
** bound test for a one-byte local index.) */
#define FAST_TAIL 11

/* n types at s are exactly t[0..n). */
static WM_ALWAYS_INLINE bool same_types(const uint32_t *s, uint32_t n, const wm_valtype *t) {
  for (uint32_t i = 0; i < n; i++)
    if (s[i] != (uint32_t)t[i]) return false;
  return true;
}

/* A LEB128 u32 (wasm-ld pads the relocated ones, function indexes and
** addresses, to 5 bytes); false for a malformed one, which step reads. */
static WM_ALWAYS_INLINE bool fast_u32(const uint8_t **p, uint32_t *out) {
  const uint8_t *q = *p;
  if (WM_LIKELY(q[0] < 0x80)) {
    *p = q + 1;
    *out = q[0];
    return true;
  }
  uint32_t x = q[0] & 0x7F;
  for (unsigned i = 1; i < 4; i++) {
    x |= (uint32_t)(q[i] & 0x7F) << (7 * i);
    if (q[i] < 0x80) {
      *p = q + i + 1;
      *out = x;
      return true;
    }
  }
  if (q[4] >= 0x10) return false; /* past 32 bits, or longer */
  *p = q + 5;
  *out = x | (uint32_t)q[4] << 28;
  return true;
}

/* A local index under n (the body's locals): one byte needs no test, its
** type past n being NO_LOCAL (which the caller's type test refuses). */
static WM_ALWAYS_INLINE bool fast_local(const uint8_t **p, uint32_t *out, uint32_t n) {
  const uint8_t *q = *p;
  if (WM_LIKELY(q[0] < LT_ONE)) {
    *p = q + 1;
    *out = q[0];
    return true;
  }
  return fast_u32(p, out) && *out < n;
}

/* Skip a signed LEB128 constant of `bits` (32 or 64), as wm__leb_s would
** read it: the last of its 5 or 10 bytes may only hold the value's top
** bits and their sign extension. */
static WM_ALWAYS_INLINE bool fast_sleb(const uint8_t **p, unsigned bits) {
  const uint8_t *q = *p;
  if (WM_LIKELY(q[0] < 0x80)) {
    *p = q + 1;
    return true;
  }
  unsigned max = bits == 32 ? 5 : 10;
  for (unsigned i = 1; i + 1 < max; i++)
    if (q[i] < 0x80) {
      *p = q + i + 1;
      return true;
    }
  uint8_t last = q[max - 1];
  /* 32: bits 28..31 in 0x0F, then 0x70 the sign of 0x08; 64: bit 63. */
  uint8_t ext = bits == 32 ? 0x78 : 0x7F;
  if (last & 0x80 || ((last & ext) != 0 && (last & ext) != ext)) return false;
  *p = q + max;
  return true;
}

/* What the fast loop does with an opcode: F_OUT leaves it to step. Every
** opcode is in one range of FAST_OPS, in order, so that the jump table
** made from it (fast_run's jt) has no hole. */
enum {
  F_OUT, F_NOP, F_LGET, F_LSET, F_LTEE, F_GGET, F_GSET, F_I32C, F_I64C, F_F32C, F_F64C, F_DROP,
  F_SELECT, F_LOAD, F_STORE, F_CALL, F_CALLI, F_BR, F_RETURN, F_UNREACH, F_BRIF, F_BLOCK, F_ELSE,
  F_END, F_UNOP, F_BINOP, F_CLASSES
};

#define FAST_OPS(X)                                                            \
  X(0x00, 0x00, F_UNREACH) X(0x01, 0x01, F_NOP) X(0x02, 0x04, F_BLOCK) X(0x05, 0x05, F_ELSE)  \
  X(0x06, 0x0A, F_OUT) X(0x0B, 0x0B, F_END) X(0x0C, 0x0C, F_BR) X(0x0D, 0x0D, F_BRIF)       \
  X(0x0E, 0x0E, F_OUT) X(0x0F, 0x0F, F_RETURN) X(0x10, 0x10, F_CALL) X(0x11, 0x11, F_CALLI) \
  X(0x12, 0x19, F_OUT) X(0x1A, 0x1A, F_DROP) X(0x1B, 0x1B, F_SELECT) X(0x1C, 0x1F, F_OUT)   \
  X(0x20, 0x20, F_LGET) X(0x21, 0x21, F_LSET) X(0x22, 0x22, F_LTEE) X(0x23, 0x23, F_GGET)   \
  X(0x24, 0x24, F_GSET) X(0x25, 0x27, F_OUT) X(0x28, 0x35, F_LOAD) X(0x36, 0x3E, F_STORE)   \
  X(0x3F, 0x40, F_OUT) X(0x41, 0x41, F_I32C) X(0x42, 0x42, F_I64C) X(0x43, 0x43, F_F32C)    \
  X(0x44, 0x44, F_F64C) X(0x45, 0x45, F_UNOP) X(0x46, 0x4F, F_BINOP) X(0x50, 0x50, F_UNOP)    \
  X(0x51, 0x66, F_BINOP) X(0x67, 0x69, F_UNOP) X(0x6A, 0x78, F_BINOP) X(0x79, 0x7B, F_UNOP) \
  X(0x7C, 0x8A, F_BINOP) X(0x8B, 0x91, F_UNOP) X(0x92, 0x98, F_BINOP) X(0x99, 0x9F, F_UNOP) \
  X(0xA0, 0xA6, F_BINOP) X(0xA7, 0xC4, F_UNOP) X(0xC5, 0xFF, F_OUT)

static uint8_t fast_class(unsigned op) {
#define FC(lo, hi, c)                                                          \
  if (op - (lo) <= (unsigned)(hi) - (lo)) return c;
  FAST_OPS(FC)
#undef FC
  return F_OUT;
}

/* Dispatch: computed goto where the interpreter has it (each case jumps
** to the next instruction's, which branch predictors like), else a switch
** in a loop. FNEXT ends a case that took its instruction. */
#if defined(__GNUC__) && !defined(WM_SWITCH_DISPATCH)
#define FAST_GOTO 1
#define FCASE(c) L_##c:
#define FNEXT                                                                  \
  do {                                                                         \
    if (WM_UNLIKELY(p > stop)) goto out;                                       \
    goto *jt[*p];                                                              \
  } while (0)
#else
#define FCASE(c) case c:
#define FNEXT continue
#endif

#define FAST_WIDE 1
#define FAST_NAME fast_run_wide
#include "validate_fast.h"
#undef FAST_WIDE
#undef FAST_NAME
#define FAST_WIDE 0
#define FAST_NAME fast_run_narrow
#include "validate_fast.h"
#undef FAST_WIDE
#undef FAST_NAME

/* A body of up to this many bytes gets an operand stack of a slot per
** byte for the narrow loop (scratch of 4 bytes a byte, rounded up to a
** power of two, which only the slots the body uses touch); a larger one
** takes the wide loop, which tests room at each push. */
#define NARROW_MAX ((uint32_t)1 << 20)

/* The narrow loop while no operand the fast loop pushes can be a v128:
** none on the stack, none among the body's locals, the module's types
** and globals (the fast loop takes no instruction that makes one), and
** the stack has room for a slot per byte left in the body (made here if
** it has not: the stack grows as step's pushes would grow it, and a
** failure to grow it only costs the wide loop). */
static void fast_run(vstate *v) {
  if (v->narrow && !v->nv128) {
    uint32_t left = v->end - v->pos;
    uint64_t need = (uint64_t)v->nvals + 3 + left;
    if (need <= v->lim) {
      fast_run_narrow(v);
      return;
    }
    if (left <= NARROW_MAX && need <= MAX_INDEX &&
        !wm__grow((void **)&v->vals, &v->cap_vals, (uint32_t)need, sizeof *v->vals)) {
      v->lim = v->cap_vals < MAX_INDEX ? v->cap_vals : MAX_INDEX;
      fast_run_narrow(v);
      return;
    }
  }
  fast_run_wide(v);
}
#undef FCASE
#undef FNEXT

/* One instruction at v->pos, with every check and the spec's order of
** them: what the fast loop (fast_run) does not take. */
static int step(vstate *v) {
  v->instr_off = v->pos + v->delta;
  if (WM_UNLIKELY(v->pos >= v->end)) {
    if (v->end + v->delta >= v->mod->len) return unexpected_end(v);
    return malformed(v, "END opcode expected");
  }
  {
    uint8_t op = v->bytes[v->pos++];
    uint32_t x, t = 0;
    switch (op) {
      case 0x00: set_unreachable(v); break; /* unreachable */
      case 0x01: break;                      /* nop */
      case 0x02: TRY(enter_block(v, K_BLOCK)); break;
      case 0x03: TRY(enter_block(v, K_LOOP)); break;
      case 0x04: TRY(enter_block(v, K_IF)); break;
      case 0x05: TRY(do_else(v)); break;
      case 0x0B: TRY(do_end(v)); break;
      case 0x0C: { /* br */
        vctl *L = NULL;
        TRY(rd_label(v, &L));
        TRY(pop_n(v, label_n(L), label_t(L)));
        set_unreachable(v);
        break;
      }
      case 0x0D: TRY(do_br_if(v)); break;
      case 0x0E: TRY(do_br_table(v)); break;
      case 0x0F: /* return */
        TRY(pop_n(v, v->ctls[0].nr, v->ctls[0].r));
        set_unreachable(v);
        break;
      case 0x10: /* call */
        TRY(rd_u32(v, &x));
        if (x >= v->mod->nfuncs) return invalid(v, "unknown function %u", x);
        TRY(do_call_type(v, wm__func_type(v->mod, x)));
        break;
      case 0x11: TRY(do_call_indirect(v)); break;
      case 0x12: /* return_call */
        TRY(rd_u32(v, &x));
        if (x >= v->mod->nfuncs) return invalid(v, "unknown function %u", x);
        TRY(do_return_call_type(v, wm__func_type(v->mod, x)));
        break;
      case 0x13: TRY(do_return_call_indirect(v)); break;
      case 0x08: case 0x0A: case 0x1F: TRY(exc_op(v, op)); break;
      case 0x1A: TRY(pop(v, 0, &t)); break; /* drop */
      case 0x20: /* local.get */
        TRY(rd_local(v, &t, &x));
        if (WM_UNLIKELY(t & UNSET)) return invalid(v, "uninitialized local %u", x);
        TRY(push(v, t));
        break;
      case 0x21: /* local.set */
        TRY(rd_local(v, &t, &x));
        TRY(pop_t(v, t & ~UNSET));
        if (WM_UNLIKELY(t & UNSET)) TRY(set_init(v, x));
        break;
      case 0x22: /* local.tee */
        TRY(rd_local(v, &t, &x));
        TRY(pop_t(v, t & ~UNSET));
        if (WM_UNLIKELY(t & UNSET)) TRY(set_init(v, x));
        TRY(push(v, t & ~UNSET));
        break;
      case 0x41: TRY(skip_sleb(v, 32)); TRY(push(v, WM_I32)); break;
      case 0x42: TRY(skip_sleb(v, 64)); TRY(push(v, WM_I64)); break;
      case 0x43: TRY(skip_fixed(v, 4)); TRY(push(v, WM_F32)); break;
      case 0x44: TRY(skip_fixed(v, 8)); TRY(push(v, WM_F64)); break;
      default:
        if (op >= 0x45 && op <= 0xC4) { /* numeric: the common case in place */
          uint32_t n = v->num_n[op], h = v->nvals;
          uint32_t in = v->num_in[op];
          if (h - v->top->height >= n && v->vals[h - 1] == in && (n == 1 || v->vals[h - 2] == in)) {
            v->nvals = h - n + 1;
            v->vals[h - n] = v->num_out[op];
            break;
          }
        }
        TRY(other_op(v, op));
        break;
    }
  }
  return 0;
}

static int run_body(vstate *v, const wm_type *ft) {
  vctl fbt = {0};
  fbt.nr = ft->nresults;
  fbt.r = ft->results;
  TRY(push_ctl(v, K_FUNC, &fbt));
  while (v->nctls > 0) {
    /* The last FAST_TAIL bytes are step's alone (see fast_run). */
    if (v->end - v->pos >= FAST_TAIL) fast_run(v);
    TRY(step(v));
  }
  if (v->pos != v->end) return malformed(v, "section size mismatch");
  return 0;
}

/* Validate the body of defined function idx with the scratch of v. */
static int validate_body(vstate *v, uint32_t idx) {
  wm_module *mod = v->mod;
  const wm_funcdef *fd = &mod->funcs[idx];
  const wm_type *ft = wm__func_type(mod, idx);
  uint64_t nl = (uint64_t)ft->nparams + fd->nlocals;
  v->instr_off = fd->code_start;
  /* This body may write ltypes[0..nl): noted before it does, so that an
  ** error on the way leaves the next body to reset what it wrote. */
  uint32_t dirty = v->lt_dirty;
  if (nl > dirty) v->lt_dirty = nl > LT_ONE ? LT_ONE : (uint32_t)nl;
  /* The locals' types, params first, in the scratch (as wm__decode_locals
  ** would make them, with its errors). */
  if (nl + 1 > v->cap_ltypes &&
      (nl + 1 > UINT32_MAX ||
       wm__grow((void **)&v->ltypes, &v->cap_ltypes, (uint32_t)nl + 1, sizeof *v->ltypes)))
    return wm__error(v->err, WM_ENOMEM, UINT32_MAX, NULL);
  TRY(wm__decode_locals(mod, fd, v->bytes + (fd->body_off - v->delta), v->ltypes + ft->nparams,
                        v->err));
  uint32_t end = fd->body_off + fd->body_len;
  if (end > mod->len || fd->code_start > end)
    return wm__error(v->err, WM_EMALFORMED, fd->body_off, "function body out of bounds");
  v->pos = fd->code_start - v->delta;
  v->end = end - v->delta;
  if (nl > MAX_INDEX) return wm__error(v->err, WM_EMALFORMED, fd->body_off, "too many locals");
  for (uint32_t i = 0; i < ft->nparams; i++) v->ltypes[i] = ft->params[i];
  v->nlocals = (uint32_t)nl;
  for (uint32_t i = (uint32_t)nl; i < dirty; i++) v->ltypes[i] = NO_LOCAL;
  v->lt_dirty = nl < LT_ONE ? (uint32_t)nl : LT_ONE;
  /* Params are set; other locals unless non-defaultable. */
  v->narrow = v->narrow_mod;
  for (uint32_t i = ft->nparams; i < nl; i++) {
    uint32_t t = v->ltypes[i], k = wm__vt_idx(t);
    if (t == WM_V128) v->narrow = false;
    if (!wm__vt_defaultable(t)) v->ltypes[i] = t | UNSET;
    if (k && k - 1 >= mod->ntypes) {
      v->instr_off = fd->code_start;
      return invalid(v, "unknown type %u", k - 1);
    }
  }
  v->nilog = 0;
  v->nkept = 0;
  v->nvals = v->nv128 = 0;
  v->nctls = 0;
  v->epoch = 0;
  return run_body(v, ft);
}

/* One body with the compiler's precedence: the spec decodes the whole
** module before it validates anything, so when the body is invalid, a
** malformed body, this one or a later one, is what is reported
** (wm__skim_body finds it, for the compiler too). */
static int validate_one(vstate *v, uint32_t idx) {
  int rc = validate_body(v, idx);
  if (rc != WM_EINVALID || v->mod->sparse) return rc; /* sparse: see wm__validate_code */
  wm_error e2;
  for (uint32_t j = idx; j < v->mod->nfuncs; j++) {
    if (wm__skim_body(v->mod, j, &e2) == WM_EMALFORMED) {
      if (v->err) *v->err = e2;
      return WM_EMALFORMED;
    }
  }
  return rc;
}

static int vstate_init(vstate *v, wm_module *mod, wm_error *err) {
  memset(v, 0, sizeof *v);
  v->mod = mod;
  v->err = err;
  v->bytes = mod->bytes;
  v->instr_off = UINT32_MAX;
  for (unsigned op = 0x45; op <= 0xC4; op++) {
    int nin = 1;
    if (!wm__numeric_sig(op, &v->num_in[op], &v->num_out[op], &nin)) {
      v->num_in[op] = NO_TYPE; /* never on the stack: the slow path says why */
      nin = 2;
    }
    v->num_n[op] = (uint8_t)nin;
    uint8_t c = fast_class(op);
    v->num_fast[op] = (c == F_UNOP && nin == 1) || (c == F_BINOP && nin == 2) ? v->num_in[op] : NO_TYPE;
  }
  for (unsigned op = 0x28; op <= 0x3E; op++) wm__memop_sig((uint8_t)op, &v->mem_nat[op], &v->mem_ty[op]);
  unsigned nsingle = mod->wasm2 ? WM_SINGLE_TYPES_WASM2 : WM_SINGLE_TYPES;
  for (unsigned i = nsingle; i-- > 0;) v->bt_single[wm__single_types[i] & 0xFF] = (uint8_t)(i + 1);
  v->mem0_at = mod->nmems ? mem_t(v, 0) : NO_TYPE;
  for (unsigned op = 0; op < 256; op++) v->fclass[op] = fast_class(op);
  v->narrow_mod = true;
  for (uint32_t i = 0; i < mod->ntypes; i++) {
    const wm_type *t = &mod->types[i];
    for (uint32_t j = 0; j < t->nparams; j++) v->narrow_mod &= t->params[j] != WM_V128;
    if (t->kind == WM_COMP_FUNC)
      for (uint32_t j = 0; j < t->nresults; j++) v->narrow_mod &= t->results[j] != WM_V128;
  }
  for (uint32_t i = 0; i < mod->nglobals; i++) v->narrow_mod &= mod->globals[i].type.type != WM_V128;
  /* A first buffer of each, so that most bodies never grow one. */
  if (wm__grow((void **)&v->vals, &v->cap_vals, 1024, sizeof *v->vals) ||
      wm__grow((void **)&v->ctls, &v->cap_ctls, 64, sizeof *v->ctls) ||
      wm__grow((void **)&v->ltypes, &v->cap_ltypes, 256, sizeof *v->ltypes))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t i = 0; i < LT_ONE; i++) v->ltypes[i] = NO_LOCAL;
  v->lim = v->cap_vals;
  return 0;
}

static void vstate_free(vstate *v) {
  wm__free(v->vals);
  wm__free(v->ctls);
  wm__free(v->ltypes);
  wm__free(v->ilog);
  wm__free(v->tmp);
  wm__free(v->chunk);
}

int wm__validate_func(wm_module *mod, uint32_t idx, wm_error *err) {
  if (idx < mod->nfunc_imports || idx >= mod->nfuncs)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "not a defined function: %u", idx);
  vstate v;
  int rc = vstate_init(&v, mod, err);
  if (!rc) rc = validate_one(&v, idx);
  vstate_free(&v);
  return rc;
}

/* ------------------------------------------------------------- threads */

/* Bodies are independent; a worker takes them in chunks off a shared
** counter and stops at its first error. The first error in body order
** wins: once body i has failed, chunks past i are not started, and the
** failures are compared by index at the end. */
#define CHUNK 64

typedef struct vshared {
  wm_module *mod;
  pthread_mutex_t lock;
  uint32_t next;       /* the first body no worker has taken */
  uint32_t fail_idx;   /* the lowest failing body so far, or UINT32_MAX */
  int fail_rc;
  wm_error fail_err;
} vshared;

static void *worker(void *arg) {
  vshared *s = arg;
  wm_error err;
  vstate v;
  int rc = vstate_init(&v, s->mod, &err);
  uint32_t idx = UINT32_MAX;
  while (!rc) {
    uint32_t lo, hi;
    if (s->mod->scan) {
      /* A sparse module's next run of bodies, read into v->chunk; none
      ** once a worker has failed (the load then starts again). */
      pthread_mutex_lock(&s->lock);
      bool failed = s->fail_idx != UINT32_MAX;
      pthread_mutex_unlock(&s->lock);
      if (failed) break;
      rc = wm__scan_next(s->mod, &v.chunk, &v.cap_chunk, &lo, &hi, &v.delta, &err);
      v.bytes = v.chunk;
      if (rc) {
        idx = lo;
        break;
      }
    } else {
      pthread_mutex_lock(&s->lock);
      lo = s->next, hi = lo + CHUNK;
      if (hi > s->mod->nfuncs || hi < lo) hi = s->mod->nfuncs;
      if (lo >= hi || lo > s->fail_idx) hi = lo; /* done, or past a failure */
      s->next = hi;
      pthread_mutex_unlock(&s->lock);
    }
    if (lo >= hi) break;
    idx = lo;
    for (; idx < hi && !rc; idx++) rc = validate_one(&v, idx);
    idx--;
  }
  vstate_free(&v);
  if (rc) {
    if (idx == UINT32_MAX) idx = 0; /* no scratch: counts as the first body's */
    pthread_mutex_lock(&s->lock);
    if (idx < s->fail_idx) {
      s->fail_idx = idx;
      s->fail_rc = rc;
      s->fail_err = err;
    }
    pthread_mutex_unlock(&s->lock);
  }
  return NULL;
}

static int validate_threads(wm_module *mod, unsigned threads, wm_error *err) {
  enum { MAX_THREADS = 16 };
  pthread_t tids[MAX_THREADS];
  vshared s;
  memset(&s, 0, sizeof s);
  s.mod = mod;
  s.next = mod->nfunc_imports;
  s.fail_idx = UINT32_MAX;
  if (pthread_mutex_init(&s.lock, NULL)) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  unsigned started = 0;
  for (; started + 1 < threads; started++)
    if (pthread_create(&tids[started], NULL, worker, &s)) break;
  worker(&s); /* this thread works too */
  for (unsigned i = 0; i < started; i++) pthread_join(tids[i], NULL);
  pthread_mutex_destroy(&s.lock);
  if (s.fail_idx == UINT32_MAX) return 0;
  if (err) *err = s.fail_err;
  return s.fail_rc;
}

int wm__validate_code(wm_module *mod, unsigned threads, wm_error *err) {
  /* A sparse module's bodies are read a chunk at a time. Any failure is
  ** WM_ECACHE: the loader then reads the whole module and loads it again,
  ** and says what is wrong as usual (with the precedence of malformed
  ** bodies that validate_one keeps, which needs them all). */
  if (mod->sparse)
    return !mod->scan || validate_threads(mod, threads ? threads : 1, err) ? WM_ECACHE : 0;
  if (threads > 1 && mod->nfuncs - mod->nfunc_imports > CHUNK)
    return validate_threads(mod, threads, err);
  vstate v;
  int rc = vstate_init(&v, mod, err);
  for (uint32_t i = mod->nfunc_imports; !rc && i < mod->nfuncs; i++) rc = validate_one(&v, i);
  vstate_free(&v);
  return rc;
}
