/* SPDX-License-Identifier: MIT */
/*
** aot_vec.c -- loop versioning for the C compiler's vectoriser.
**
** A wasm address is an i32 sum that may wrap, translated as
** `(uint64_t)(uint32_t)(a + b) + offset`: to the C compiler that is not
** a linear function of the loop's counter, so it vectorises no loop
** that reads or writes memory (and the guarded code's WM_KEEP and
** WM_FENCE, which pin every access in its place, stop it as well). For
** a simple counted loop this file proves, from the loop's bytes, that
** every address is `base + iv + k`, and the translator (aot_c.c) emits
** the loop twice:
**
**   if (GUARD) { V: fast copy, addresses as 64-bit sums; goto J; }
**   L: the exact loop, as always
**   J:
**
** The loops taken: block type [] -> [], straight-line (no block, branch
** or call inside), ending `... br_if 0 end`, whose condition is
** `i32.ne(iv + s, N)` (N a constant or a local the loop does not write)
** for a local iv whose value at the end of each
** iteration is its value at the start plus s (0 < s < 2^31), and whose
** every other instruction is a local access, a constant, drop, select,
** a numeric instruction that cannot trap, or a load or store of a
** 32-bit memory 0 whose address is a sum, by i32.add, of constants, at
** most one local the loop never writes (B) and at most one iv-valued
** term. Symbolically an address is then B + IV + k + offset with k the
** sum of the constants as unsigned numbers and IV the iv's value at the
** start of the iteration (a term read after the iv's update carries s
** in k).
**
** The guard: iv < N, (N - iv) % s == 0, and for each access of n bytes
** B + (N - s) + k + offset + n <= the memory's size (without IV: B + k
** + offset + n; without B: no B). Proof that the fast copy is exact when
** it holds, with iv0 the iv at entry and T = (N - iv0) / s >= 1:
**  - Iteration t (0 <= t < T) starts with IV = iv0 + t*s <= N - s <
**    2^32, so IV never wraps; after it the condition's value is iv0 +
**    (t+1)*s, which is below N, so != N, for t < T - 1 and is N for t =
**    T - 1: the exact loop runs exactly T iterations, and so does the
**    fast one (the same C, the same condition), with the same values.
**  - Every term of an address is non-negative and their sum is at most
**    B + (N - s) + k + offset + n <= size <= 2^32: so no i32.add of the
**    chain wrapped, each partial sum is the exact one, and the 64-bit sum
**    the fast copy computes is the wasm effective address; and it is
**    in bounds (the largest IV is N - s, at t = T - 1).
**  - So no access traps, and nothing else in the loop can (no trapping
**    instruction, no call): the loop runs to its end. Without traps,
**    stores need no fences and loads no WM_KEEP (they only order and
**    pin accesses against a fault), and the memory's size cannot change
**    inside (no memory.grow, no call; another thread can only grow a
**    memory, and a shared memory is never versioned).
** When the guard fails the exact loop runs, traps and wraps included.
**
** Nests. gcc vectorises an outer loop (bench/memsum's repetitions over
** one array, each pass a vector lane) only when nothing but the inner
** loop is between its head and latch, and the inner loop's guard is. So
** a loop O of block type [] whose body is P1, one loop I as above, P2
** (P1 and P2 straight-line as a loop body above, but with no load or
** store; I entered with an empty stack; P2 ending in O's br_if 0) has
** I's guard hoisted to O's entry when every term of it is the same at
** each entry of I: I's bases and local limit are locals O does not
** write, and P1 leaves I's iv at E, a constant or such a local plus a
** constant (the symbolic pass over P1, with O's written locals unknown).
** The hoisted guard G is I's with E for the iv. Proof: P1 and P2 cannot
** trap, call or grow memory, so `ms` is the same throughout O, and at
** each entry of I its guard's terms have the values G's have at O's
** entry (E's local, the bases and the limit are not written in O; E is
** what P1 computes from them). So I's guard holds at each of its entries
** exactly when G holds at O's entry: under G every run of I is its fast
** copy (exact, no trap, by the proof above) and nothing else in O can
** trap, so O's fast copy -- P1, I's fast copy, P2 -- is O; when G fails,
** every run of I would take its exact copy, which is all O's exact copy
** has.
*/
#include <inttypes.h>

#include "aot_emit.h"

enum { S_UNK, S_AFF, S_CMP };
#define K_MAX (UINT64_C(1) << 33) /* a larger k: no versioning (keeps the guard's sums exact) */
#define VSTACK 64

/* A symbolic i32: S_AFF is base + carried(cv) + k, base a local the loop
** never writes (or NONE_L), cv a written local whose value at the start
** of the iteration is meant (or NONE_L); S_CMP is i32.ne(carried(cv) + k,
** N), N the constant n, or local base when that is not NONE_L. */
typedef struct sym {
  uint8_t kind;
  uint32_t base, cv, n;
  uint64_t k;
} sym;

typedef struct scan {
  fstate *f;
  uint32_t pos;
  bool *written;        /* per local */
  sym *local;           /* per local, the symbolic value now */
  sym st[VSTACK];
  uint32_t sp;
  sym cond;             /* the br_if's */
  bool ended;
  vplan *p;             /* NULL in the first pass */
} scan;

static sym unk(void) { return (sym){S_UNK, NONE_L, NONE_L, 0, 0}; }
static sym aff(uint32_t base, uint32_t cv, uint64_t k) { return (sym){S_AFF, base, cv, 0, k}; }

static bool spush(scan *s, sym v) {
  if (s->sp >= VSTACK) return false;
  s->st[s->sp++] = v;
  return true;
}
static bool spop(scan *s, sym *v) {
  if (!s->sp) return false;
  *v = s->st[--s->sp];
  return true;
}

static bool rd_u32(scan *s, uint32_t *v) {
  *v = 0;
  return !wm__leb_u32(s->f->b, &s->pos, s->f->end, v);
}

static sym add(sym a, sym b) {
  if (a.kind != S_AFF || b.kind != S_AFF) return unk();
  if (a.base != NONE_L && b.base != NONE_L) return unk();
  if (a.cv != NONE_L && b.cv != NONE_L) return unk();
  uint64_t k = a.k + b.k;
  if (k >= K_MAX) return unk();
  return aff(a.base != NONE_L ? a.base : b.base, a.cv != NONE_L ? a.cv : b.cv, k);
}

/* A load or store: its address must be affine; recorded in the second
** pass. */
static bool access(scan *s, bool store) {
  uint8_t op = s->f->b[s->pos - 1];
  uint32_t align;
  uint64_t off = 0;
  if (!rd_u32(s, &align) || (align & 0x40)) return false; /* an explicit memory index */
  if (wm__leb_u64(s->f->b, &s->pos, s->f->end, &off) || off >= K_MAX) return false;
  sym v, a;
  if (store && !spop(s, &v)) return false;
  if (!spop(s, &a) || (s->p && a.kind != S_AFF)) return false;
  if (!store && !spush(s, unk())) return false;
  if (!s->p) return true;
  vplan *p = s->p;
  if (p->nacc == VPLAN_ACC) return false;
  p->acc[p->nacc++] = (vacc){a.base, a.cv, a.k + off, wm__aot_access_bytes(op)};
  return true;
}

/* One instruction; false: not a loop this file takes. */
static bool step(scan *s) {
  fstate *f = s->f;
  if (s->pos >= f->end) return false;
  uint8_t op = f->b[s->pos++];
  if (s->cond.kind == S_CMP && op != 0x0B) return false; /* br_if 0 is the last */
  uint32_t x;
  sym a, b, c;
  switch (op) {
    case 0x01: return true;
    case 0x0B:
      s->ended = true;
      return s->cond.kind == S_CMP;
    case 0x0D:
      if (!rd_u32(s, &x) || x != 0 || !spop(s, &a)) return false;
      if (a.kind != S_CMP && s->p) return false;
      s->cond = a.kind == S_CMP ? a : (sym){S_CMP, NONE_L, NONE_L, 0, 0};
      return true;
    case 0x1A: return spop(s, &a);
    case 0x1B: return spop(s, &a) && spop(s, &b) && spop(s, &c) && spush(s, unk());
    case 0x20: case 0x21: case 0x22:
      if (!rd_u32(s, &x) || x >= f->nlocals) return false;
      if (op == 0x20) return spush(s, s->local[x]);
      if (!spop(s, &a)) return false;
      s->written[x] = true;
      s->local[x] = f->ltype[x] == T_I32 ? a : unk();
      return op == 0x21 || spush(s, a);
    case 0x41: {
      int64_t v = 0;
      if (wm__leb_s(f->b, &s->pos, f->end, 32, &v)) return false;
      return spush(s, aff(NONE_L, NONE_L, (uint32_t)(int32_t)v));
    }
    case 0x42: {
      int64_t v = 0;
      if (wm__leb_s(f->b, &s->pos, f->end, 64, &v)) return false;
      return spush(s, unk());
    }
    case 0x43: case 0x44:
      s->pos += op == 0x43 ? 4 : 8;
      return s->pos <= f->end && spush(s, unk());
    default: break;
  }
  if (op >= 0x28 && op <= 0x35) return access(s, false);
  if (op >= 0x36 && op <= 0x3E) return access(s, true);
  if (op < 0x45 || op > 0xC4) return false;
  int nin = wm__aot_numeric_arity(op);
  if (nin < 0) return false; /* may trap */
  if (nin == 1) return spop(s, &a) && spush(s, unk());
  if (!spop(s, &b) || !spop(s, &a)) return false;
  if (op == 0x6A) return spush(s, add(a, b));
  /* The limit: a constant, or a local the loop does not write. */
  if (op == 0x47 && a.kind == S_AFF && a.base == NONE_L && a.cv != NONE_L && b.kind == S_AFF &&
      b.cv == NONE_L && (b.base == NONE_L ? b.k <= UINT32_MAX : b.k == 0))
    return spush(s, (sym){S_CMP, b.base, a.cv, (uint32_t)b.k, a.k});
  return spush(s, unk());
}

/* One pass over the body from the loop's first instruction to its end.
** The first (p NULL) finds the locals the loop writes; the second, with
** each written i32 local's carried value as its start, the accesses. */
static bool pass(scan *s, uint32_t start, vplan *p) {
  s->pos = start;
  s->sp = 0;
  s->ended = false;
  s->cond = unk();
  s->p = p;
  for (uint32_t i = 0; i < s->f->nlocals; i++) {
    if (p && s->f->ltype[i] == T_I32)
      s->local[i] = s->written[i] ? aff(NONE_L, i, 0) : aff(i, NONE_L, 0);
    else
      s->local[i] = unk();
  }
  while (!s->ended)
    if (!step(s)) return false;
  return s->sp == 0;
}

static bool eligible(const fstate *f) {
  return !f->metered && f->mod->nmems && !f->mod->mems[0].is64 && !f->mod->mems[0].shared;
}

static bool scan_init(scan *s, fstate *f) {
  memset(s, 0, sizeof *s);
  s->f = f;
  s->written = wm__calloc(f->nlocals ? f->nlocals : 1, sizeof *s->written);
  s->local = wm__calloc(f->nlocals ? f->nlocals : 1, sizeof *s->local);
  return s->written && s->local;
}

static void scan_free(scan *s) {
  wm__free(s->written);
  wm__free(s->local);
}

/* The plan of the loop whose first instruction is at start; *end is past
** its end, and the locals it writes are marked in written (per local). */
static bool plan_at(fstate *f, uint32_t start, vplan *p, uint32_t *end, bool *written) {
  scan s;
  bool ok = scan_init(&s, f) && pass(&s, start, NULL);
  p->nacc = 0;
  ok = ok && pass(&s, start, p);
  if (ok) {
    /* The iv: the condition's local, which ends the iteration as its
    ** start plus s, the condition's own k. */
    uint32_t iv = s.cond.cv;
    sym e = s.local[iv];
    ok = e.kind == S_AFF && e.base == NONE_L && e.cv == iv && e.k == s.cond.k && e.k > 0 &&
         e.k < (UINT64_C(1) << 31);
    for (uint32_t i = 0; ok && i < p->nacc; i++) ok = p->acc[i].cv == NONE_L || p->acc[i].cv == iv;
    p->iv = iv;
    p->step = (uint32_t)e.k;
    p->limit = s.cond.n;
    p->limit_local = s.cond.base;
    p->outer = NONE_L;
    *end = s.pos;
    for (uint32_t i = 0; ok && i < f->nlocals; i++) written[i] = written[i] || s.written[i];
  }
  scan_free(&s);
  return ok;
}

bool wm__aot_vec_plan(fstate *f, vplan *p) {
  if (!eligible(f)) return false;
  uint32_t end;
  bool *written = wm__calloc(f->nlocals ? f->nlocals : 1, sizeof *written);
  bool ok = written && plan_at(f, f->pos, p, &end, written);
  wm__free(written);
  return ok;
}

bool wm__aot_vec_nest(fstate *f, vplan *p) {
  if (!eligible(f)) return false;
  scan s;
  const uint32_t start = f->pos;
  uint32_t inner = 0, head = 0;
  bool ok = scan_init(&s, f);
  /* The first pass: the locals the nest writes (the inner loop's
  ** included), and its shape: no access but the inner loop's. */
  s.pos = start;
  for (uint32_t i = 0; i < f->nlocals; i++) s.local[i] = unk();
  while (ok && !s.ended) {
    if (s.pos >= f->end || (f->b[s.pos] >= 0x28 && f->b[s.pos] <= 0x3E)) {
      ok = false;
    } else if (f->b[s.pos] == 0x03) {
      /* The inner loop: one, of block type [], entered with nothing on
      ** the stack, before the nest's br_if. */
      ok = !inner && !s.sp && s.pos + 1 < f->end && f->b[s.pos + 1] == 0x40 &&
           s.cond.kind == S_UNK;
      head = s.pos;
      inner = s.pos + 2;
      ok = ok && plan_at(f, inner, p, &s.pos, s.written);
    } else {
      ok = step(&s);
    }
  }
  ok = ok && inner && s.sp == 0;
  /* The inner loop's guard must not change in the nest: its limit and
  ** bases are locals the nest does not write. */
  ok = ok && (p->limit_local == NONE_L || !s.written[p->limit_local]);
  for (uint32_t i = 0; ok && i < p->nacc; i++)
    ok = p->acc[i].base == NONE_L || !s.written[p->acc[i].base];
  if (ok) {
    /* The second pass, up to the inner loop: the iv's value at its entry,
    ** which must be a constant or a sum of one local the nest does not
    ** write and constants. */
    s.pos = start;
    s.sp = 0;
    s.cond = unk();
    for (uint32_t i = 0; i < f->nlocals; i++)
      s.local[i] = f->ltype[i] == T_I32 && !s.written[i] ? aff(i, NONE_L, 0) : unk();
    while (ok && s.pos < head) ok = step(&s);
    sym e = s.local[p->iv];
    ok = ok && s.pos == head && e.kind == S_AFF && e.cv == NONE_L;
    p->outer = 0;
    p->inner_at = inner;
    p->iv0_local = e.base;
    p->iv0_k = e.k;
  }
  scan_free(&s);
  return ok;
}

void wm__aot_vec_guard(fstate *f, const vplan *p) {
  const unsigned st = p->step;
  char n[16], iv[48];
  if (p->limit_local != NONE_L)
    snprintf(n, sizeof n, "l%u", (unsigned)p->limit_local);
  else
    snprintf(n, sizeof n, "%uu", (unsigned)p->limit);
  /* A nest's guard is its inner loop's at the nest's entry, with the
  ** iv's value at the inner loop's entry in place of the iv. */
  if (p->outer == NONE_L)
    snprintf(iv, sizeof iv, "l%u", (unsigned)p->iv);
  else if (p->iv0_local == NONE_L)
    snprintf(iv, sizeof iv, "%uu", (unsigned)(uint32_t)p->iv0_k);
  else
    snprintf(iv, sizeof iv, "(uint32_t)((uint64_t)l%u + UINT64_C(%" PRIu64 "))",
             (unsigned)p->iv0_local, p->iv0_k);
  /* The first two tests make N - s >= iv >= 0, which the others use. */
  put(f->o, "  if (%s < %s && (uint32_t)(%s - %s) %% %uu == 0u", iv, n, n, iv, st);
  for (uint32_t i = 0; i < p->nacc; i++) {
    const vacc *a = &p->acc[i];
    /* One test per base and kind: the access that reaches furthest. */
    bool widest = true;
    for (uint32_t j = 0; j < p->nacc; j++) {
      const vacc *b = &p->acc[j];
      if (b->base != a->base || (b->cv == NONE_L) != (a->cv == NONE_L)) continue;
      uint64_t ea = a->k + a->n, eb = b->k + b->n;
      if (eb > ea || (eb == ea && j < i)) widest = false;
    }
    if (!widest) continue;
    put(f->o, " && ");
    if (a->base != NONE_L) put(f->o, "(uint64_t)l%u + ", (unsigned)a->base);
    if (a->cv != NONE_L) put(f->o, "((uint64_t)%s - %uu) + ", n, st);
    put(f->o, "UINT64_C(%" PRIu64 ") <= ms", a->k + a->n);
  }
  put(f->o, ") {\n  uint64_t v%u_;\n", (unsigned)p->label);
}

void wm__aot_vec_head(fstate *f, const vplan *p) {
  put(f->o, "V%u:;\n  v%u_ = l%u;\n", (unsigned)p->label, (unsigned)p->label, (unsigned)p->iv);
}

void wm__aot_vec_address(fstate *f, char *p, size_t cap) {
  vplan *v = f->vec;
  const vacc *a = &v->acc[v->next++];
  put(f->o, "  ea_ = ");
  if (a->base != NONE_L) put(f->o, "(uint64_t)l%u + ", (unsigned)a->base);
  if (a->cv != NONE_L) put(f->o, "v%u_ + ", (unsigned)v->label);
  put(f->o, "UINT64_C(%" PRIu64 ");\n", a->k);
  snprintf(p, cap, "(mem + ea_)");
}
