/* SPDX-License-Identifier: MIT */
/*
** check_leak.c -- the end of a checked run: the leak check (Valgrind's
** reachability classes over linear memory), the loss records, the HEAP /
** LEAK / ERROR SUMMARY text, and suppressions.
*/
#include <stdlib.h>
#include <string.h>

#include "check_impl.h"

/* Marks, in increasing strength: a block keeps the strongest it gets. */
enum { M_NONE = 0, M_INDIRECT, M_POSSIBLE, M_REACHABLE };

typedef struct leakscan {
  wm_checker *c;
  uint32_t *v;        /* live blocks sorted by address */
  uint32_t n;
  uint32_t *work;     /* positions in v to scan */
  uint32_t nwork;
  uint64_t lo, hi;    /* no block outside [lo, hi) */
} leakscan;

/* Position in s->v of the block holding addr, or UINT32_MAX. */
static uint32_t find_pos(const leakscan *s, uint64_t addr) {
  if (addr < s->lo || addr >= s->hi) return UINT32_MAX;
  uint32_t lo = 0, hi = s->n;
  while (lo < hi) { /* the first block starting past addr */
    uint32_t mid = lo + (hi - lo) / 2;
    if (s->c->blocks[s->v[mid]].addr <= addr) lo = mid + 1;
    else hi = mid;
  }
  if (!lo) return UINT32_MAX;
  const chk_block *k = &s->c->blocks[s->v[lo - 1]];
  if (addr == k->addr || addr < k->addr + k->size) return lo - 1;
  return UINT32_MAX;
}

/* A value seen in a root or a scanned block, with the strength of what
** it came from (a root is M_REACHABLE); leader is the clique's block when
** scanning a lost one (never re-marked by its own members). */
static void seen_value(leakscan *s, uint64_t v, uint8_t from, uint32_t leader) {
  uint32_t p = find_pos(s, v);
  if (p == UINT32_MAX || p == leader) return;
  chk_block *k = &s->c->blocks[s->v[p]];
  /* dlmalloc keeps pointers to chunks (its top chunk, its free lists): a
  ** chunk's address is 8-aligned and 8 bytes before its user block, so
  ** it falls in the last bytes of the block before it. Such a value is the
  ** allocator's own, not the program's. */
  if (s->c->dlmalloc_like && v != k->addr && (v - k->addr) % 8 == 0 &&
      v - k->addr + 8 > k->size)
    return;
  uint8_t m;
  if (from == M_INDIRECT) m = M_INDIRECT;
  else m = v == k->addr ? from : M_POSSIBLE;
  if (m <= k->mark) return;
  k->mark = m;
  s->work[s->nwork++] = p; /* each block enters at most three times */
}

static void scan_bytes(leakscan *s, uint64_t lo, uint64_t hi, uint8_t from, uint32_t leader) {
  const uint8_t *base = s->c->mem->base;
  if (hi > s->c->mem->size) hi = s->c->mem->size; /* never past the memory */
  lo = (lo + 3) & ~(uint64_t)3;
  for (uint64_t a = lo; a + 4 <= hi; a += 4) {
    uint32_t v;
    memcpy(&v, base + a, 4);
    if (v >= s->lo && v < s->hi) seen_value(s, v, from, leader);
  }
}

static void drain(leakscan *s, uint32_t leader) {
  while (s->nwork) {
    uint32_t p = s->work[--s->nwork];
    const chk_block *k = &s->c->blocks[s->v[p]];
    scan_bytes(s, k->addr, k->addr + k->size, k->mark, leader);
  }
}

typedef struct addr_idx {
  uint64_t addr;
  uint32_t b;
} addr_idx;

static int cmp_addr(const void *a, const void *b) {
  uint64_t x = ((const addr_idx *)a)->addr, y = ((const addr_idx *)b)->addr;
  return x < y ? -1 : x > y;
}

typedef struct lossrec {
  wm_check_kind kind;
  uint32_t st;
  uint64_t count, bytes, first;
} lossrec;

static int cmp_loss(const void *a, const void *b) {
  const lossrec *x = a, *y = b;
  if (x->bytes != y->bytes) return x->bytes < y->bytes ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->st < y->st ? -1 : x->st > y->st;
}

#define put wm__chk_put

static wm_check_kind kind_of(const chk_block *k) {
  if (k->host) return WM_CHECK_LEAK_HOST;
  switch (k->mark) {
  case M_REACHABLE: return WM_CHECK_LEAK_REACHABLE;
  case M_POSSIBLE: return WM_CHECK_LEAK_POSSIBLE;
  case M_INDIRECT: return WM_CHECK_LEAK_INDIRECT;
  default: return WM_CHECK_LEAK_DEFINITE;
  }
}

/* Whether a leak kind counts as an error (Valgrind's
** --errors-for-leak-kinds=definite,possible, plus the host's leaks). */
static bool leak_is_error(wm_check_kind k) {
  return k == WM_CHECK_LEAK_DEFINITE || k == WM_CHECK_LEAK_POSSIBLE || k == WM_CHECK_LEAK_HOST;
}

static int leak_check(wm_checker *c, wm_leak_check mode, wm_error *err) {
  leakscan s;
  memset(&s, 0, sizeof s);
  s.c = c;
  for (uint32_t b = 1; b < c->nblocks; b++)
    if (c->blocks[b].state == B_LIVE) s.n++;
  if (!s.n) return 0;
  s.v = wm__malloc(sizeof *s.v * s.n);
  s.work = wm__malloc(sizeof *s.work * (size_t)s.n * 3);
  lossrec *recs = wm__malloc(sizeof *recs * s.n);
  if (!s.v || !s.work || !recs) {
    wm__free(s.v);
    wm__free(s.work);
    wm__free(recs);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  addr_idx *order = wm__malloc(sizeof *order * s.n);
  if (!order) {
    wm__free(s.v);
    wm__free(s.work);
    wm__free(recs);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  uint32_t i = 0;
  for (uint32_t b = 1; b < c->nblocks; b++)
    if (c->blocks[b].state == B_LIVE) {
      c->blocks[b].mark = M_NONE;
      order[i].addr = c->blocks[b].addr;
      order[i++].b = b;
    }
  qsort(order, s.n, sizeof *order, cmp_addr);
  for (i = 0; i < s.n; i++) s.v[i] = order[i].b;
  wm__free(order);
  s.lo = c->blocks[s.v[0]].addr;
  const chk_block *last = &c->blocks[s.v[s.n - 1]];
  s.hi = last->addr + (last->size ? last->size : 1);

  /* Roots: the globals, the memory outside the heap (less the dead part
  ** of the stack, below the stack pointer), and blocks the host holds. */
  wm_instance *inst = c->inst;
  for (uint32_t g = 0; g < inst->mod->nglobals; g++) {
    const wm_global *gl = inst->globals[g];
    /* Only mutable globals can hold a pointer the program made: an
    ** immutable one was set before the first allocation (__heap_base is
    ** one, and it often equals the first block's address). */
    if ((gl->type != WM_I32 && gl->type != WM_I64) || !gl->mut) continue;
    if ((int64_t)g == c->sp_global) continue;
    seen_value(&s, gl->val[0].u32, M_REACHABLE, UINT32_MAX);
    if (gl->type == WM_I64) seen_value(&s, gl->val[0].u64 >> 32, M_REACHABLE, UINT32_MAX);
  }
  uint64_t top = c->heap_lo < c->mem->size ? c->heap_lo : c->mem->size;
  if (c->stack_known && c->sp_global >= 0) {
    uint64_t sp = inst->globals[c->sp_global]->val[0].u32;
    if (sp < c->stack_lo) sp = c->stack_lo;
    if (sp > c->stack_hi) sp = c->stack_hi;
    scan_bytes(&s, 0, c->stack_lo < top ? c->stack_lo : top, M_REACHABLE, UINT32_MAX);
    scan_bytes(&s, sp, top, M_REACHABLE, UINT32_MAX);
  } else {
    scan_bytes(&s, 0, top, M_REACHABLE, UINT32_MAX);
  }
  /* AssemblyScript's objects are the collector's: one left after the full
  ** collection is reachable or pinned, and without a collection it may be
  ** garbage, never a leak. Either way it counts as still reachable, and
  ** what it points to too. */
  for (i = 0; i < s.n; i++) {
    chk_block *k = &c->blocks[s.v[i]];
    if (k->hdr > 16 && k->mark < M_REACHABLE) {
      k->mark = M_REACHABLE;
      s.work[s.nwork++] = i;
    }
    if (k->host) scan_bytes(&s, k->addr, k->addr + k->size, M_REACHABLE, UINT32_MAX);
  }
  drain(&s, UINT32_MAX);
  /* Lost blocks: each one still unmarked leads a clique; what it reaches
  ** alone is indirectly lost. */
  for (i = 0; i < s.n; i++) {
    chk_block *k = &c->blocks[s.v[i]];
    if (k->mark != M_NONE || k->host) continue;
    scan_bytes(&s, k->addr, k->addr + k->size, M_INDIRECT, i);
    drain(&s, i);
  }

  /* Loss records: one per kind and allocation stack. */
  uint32_t nrec = 0;
  for (i = 0; i < s.n; i++) {
    const chk_block *k = &c->blocks[s.v[i]];
    wm_check_kind kind = kind_of(k);
    uint32_t r;
    for (r = 0; r < nrec; r++) /* few distinct stacks in practice */
      if (recs[r].kind == kind && recs[r].st == k->alloc_st) break;
    if (r == nrec) {
      recs[nrec].kind = kind;
      recs[nrec].st = k->alloc_st;
      recs[nrec].count = recs[nrec].bytes = 0;
      recs[nrec].first = k->addr;
      nrec++;
    }
    recs[r].count++;
    recs[r].bytes += k->size;
  }
  qsort(recs, nrec, sizeof *recs, cmp_loss);
  for (uint32_t r = 0; r < nrec; r++) {
    wm_check_stack where = wm__chk_stack(c, recs[r].st);
    bool supp = wm__chk_suppressed(c, recs[r].kind, &where);
    /* Suppressed leaks have their own line, as in Valgrind's summary. */
    if (supp) {
      c->sum.leak_suppressed_blocks += recs[r].count;
      c->sum.leak_suppressed_bytes += recs[r].bytes;
    } else {
      unsigned li = recs[r].kind - WM_CHECK_LEAK_DEFINITE;
      c->sum.leak_blocks[li] += recs[r].count;
      c->sum.leak_bytes[li] += recs[r].bytes;
    }
    if (leak_is_error(recs[r].kind)) {
      if (supp) {
        c->sum.suppressed += recs[r].count;
        continue;
      }
      c->sum.errors += recs[r].count;
      c->sum.error_contexts++;
    }
    if (mode != WM_LEAK_CHECK_FULL || supp) continue;
    wm_check_report rep;
    memset(&rep, 0, sizeof rep);
    rep.kind = recs[r].kind;
    rep.addr = recs[r].first;
    rep.count = recs[r].count;
    rep.bytes = recs[r].bytes;
    rep.size = recs[r].bytes;
    rep.where = where;
    rep.alloc_stack = where;
    strbuf *b = &c->sb;
    b->len = 0;
    b->buf[0] = 0;
    put(b, "%llu bytes in %llu blocks are %s in loss record %u of %u\n",
        (unsigned long long)recs[r].bytes, (unsigned long long)recs[r].count,
        wm_check_kind_title(recs[r].kind), r + 1, nrec);
    wm__chk_put_stack(b, &where);
    wm__chk_emit(c, &rep, b);
  }
  wm__free(s.v);
  wm__free(s.work);
  wm__free(recs);
  return 0;
}

int wm_checker_finish(wm_checker *c, wm_leak_check mode, wm_check_summary *out, wm_error *err) {
  if (!c) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_checker_finish: NULL checker");
  if (c->finished) return wm__error(err, WM_EINVAL, UINT32_MAX, "the checker has finished");
  if (mode != WM_LEAK_CHECK_NO) wm__chk_collect(c);
  wm__chk_stop(c);
  int rc = 0;
  /* After checking stopped, blocks were missed: no leak check. */
  bool leaks = mode != WM_LEAK_CHECK_NO && c->tracking && !c->stopped;
  if (leaks) rc = leak_check(c, mode, err);
  c->leaks_known = leaks && rc == 0;
  if (out) *out = c->sum;
  return rc;
}

static const char *commas(uint64_t v, char *buf) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v), o = 0;
  for (int i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) buf[o++] = ',';
    buf[o++] = tmp[i];
  }
  buf[o] = 0;
  return buf;
}

size_t wm_check_summary_format(const wm_checker *c, const wm_check_summary *s, wm_leak_check mode,
                               char *buf, size_t cap) {
  strbuf *b = wm__malloc(sizeof *b);
  if (!b) return 0;
  b->len = 0;
  b->buf[0] = 0;
  char x[32], y[32], z[32];
  put(b, "HEAP SUMMARY:\n");
  put(b, "    in use at exit: %s bytes in %s blocks\n", commas(s->in_use_bytes, x),
      commas(s->in_use_blocks, y));
  put(b, "  total heap usage: %s allocs, %s frees, %s bytes allocated\n", commas(s->allocs, x),
      commas(s->frees, y), commas(s->bytes_allocated, z));
  if (c && c->stopped) {
    put(b, "\nLEAK SUMMARY: not run (%s)\n", strstr(c->alloc_desc, "checking stopped"));
  } else if (mode != WM_LEAK_CHECK_NO && c && c->tracking) {
    static const char *const label[5] = {"   definitely lost", "   indirectly lost",
                                         "     possibly lost", "   still reachable",
                                         " not freed by host"};
    put(b, "\nLEAK SUMMARY:\n");
    const char *gc = strstr(c->alloc_desc, "the full collection before");
    if (gc) put(b, "  (%s)\n", gc);
    for (int k = 0; k < 5; k++)
      put(b, "%s: %s bytes in %s blocks\n", label[k], commas(s->leak_bytes[k], x),
          commas(s->leak_blocks[k], y));
    put(b, "        suppressed: %s bytes in %s blocks\n", commas(s->leak_suppressed_bytes, x),
        commas(s->leak_suppressed_blocks, y));
  }
  put(b, "\nERROR SUMMARY: %s errors from %s contexts (suppressed: %s)\n", commas(s->errors, x),
      commas(s->error_contexts, y), commas(s->suppressed, z));
  size_t need = b->len;
  if (cap) {
    size_t n = need < cap - 1 ? need : cap - 1;
    memcpy(buf, b->buf, n);
    buf[n] = 0;
  }
  wm__free(b);
  return need;
}

/* ------------------------------------------------------------ suppressions */

static bool match(const char *pat, const char *name) {
  size_t n = strlen(pat);
  if (n && pat[n - 1] == '*') return strncmp(pat, name, n - 1) == 0;
  return strcmp(pat, name) == 0;
}

bool wm__chk_suppressed(const wm_checker *c, wm_check_kind kind, const wm_check_stack *where) {
  for (uint32_t i = 0; i < c->nsupps; i++) {
    const chk_supp *s = &c->supps[i];
    if (s->kind != WM_CHECK_KIND_COUNT_ && s->kind != kind) continue;
    /* Any frame of the stack may match: a suppression names the function
    ** at fault, which need not be the innermost (memcpy inside it). */
    for (uint32_t f = 0; f < where->nframes; f++)
      if ((s->frame < 0 || (uint32_t)s->frame == f) && where->frames[f].name &&
          match(s->func, where->frames[f].name))
        return true;
  }
  return false;
}

int wm_checker_suppress(wm_checker *c, const char *text, wm_error *err) {
  if (!c || !text) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_checker_suppress: NULL argument");
  uint32_t line = 0;
  for (const char *p = text; *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    line++;
    char tmp[512];
    if (len >= sizeof tmp)
      return wm__error(err, WM_EINVAL, UINT32_MAX, "suppressions line %u: too long", line);
    memcpy(tmp, p, len);
    tmp[len] = 0;
    p += len + (e ? 1 : 0);
    char *hash = strchr(tmp, '#');
    if (hash) *hash = 0;
    char kind[64], func[448], more[8];
    int n = sscanf(tmp, "%63s %447s %7s", kind, func, more);
    if (n <= 0) continue;
    if (n != 2)
      return wm__error(err, WM_EINVAL, UINT32_MAX,
                       "suppressions line %u: expected KIND FUNCTION", line);
    wm_check_kind k = strcmp(kind, "*") == 0 ? WM_CHECK_KIND_COUNT_ : wm_check_kind_parse(kind);
    if (k == WM_CHECK_KIND_COUNT_ && strcmp(kind, "*") != 0)
      return wm__error(err, WM_EINVAL, UINT32_MAX, "suppressions line %u: unknown kind '%s'",
                       line, kind);
    /* N:FUNC matches frame N only (0 is the innermost). */
    int frame = -1;
    const char *fn = func;
    if (func[0] >= '0' && func[0] <= '9' && strchr(func, ':')) {
      char *end;
      long n = strtol(func, &end, 10);
      if (*end != ':' || n > 63)
        return wm__error(err, WM_EINVAL, UINT32_MAX, "suppressions line %u: bad frame in '%s'",
                         line, func);
      frame = (int)n;
      fn = end + 1;
    }
    char *f = wm__strndup(fn, strlen(fn));
    if (!f || wm__grow((void **)&c->supps, &c->cap_supps, c->nsupps + 1, sizeof *c->supps)) {
      wm__free(f);
      return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    }
    c->supps[c->nsupps].kind = k;
    c->supps[c->nsupps].func = f;
    c->supps[c->nsupps].frame = frame;
    c->nsupps++;
  }
  return 0;
}

void wm__chk_free_suppressions(wm_checker *c) {
  for (uint32_t i = 0; i < c->nsupps; i++) wm__free(c->supps[i].func);
  wm__free(c->supps);
}

/* ------------------------------------------------------------ heap map */

static int cmp_hm(const void *a, const void *b) {
  uint64_t x = ((const wm__hm_block *)a)->addr, y = ((const wm__hm_block *)b)->addr;
  return x < y ? -1 : x > y;
}

int wm_checker_heap_map(wm_checker *c, const char *title, FILE *out, wm_error *err) {
  if (!c || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_checker_heap_map: NULL argument");
  if (!c->mem) return wm__error(err, WM_EINVAL, UINT32_MAX, "no linear memory is checked");
  uint32_t n = 0;
  for (uint32_t b = 1; b < c->nblocks; b++) n += c->blocks[b].state != B_UNUSED;
  wm__hm_block *v = wm__malloc(sizeof *v * (n ? n : 1));
  if (!v) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  uint32_t i = 0;
  for (uint32_t b = 1; b < c->nblocks; b++) {
    const chk_block *k = &c->blocks[b];
    if (k->state == B_UNUSED) continue;
    v[i].addr = k->addr;
    v[i].size = k->size;
    if (k->state == B_FREED) v[i].state = HM_FREED;
    else if (k->host) v[i].state = HM_HOST;
    else if (c->leaks_known && k->mark != M_REACHABLE) v[i].state = HM_LEAKED;
    else v[i].state = HM_LIVE;
    i++;
  }
  qsort(v, n, sizeof *v, cmp_hm);
  wm__heapview hv;
  memset(&hv, 0, sizeof hv);
  hv.title = title;
  hv.mem_size = c->mem->size;
  hv.data_lo = c->data_lo;
  hv.data_hi = c->data_hi;
  hv.stack_lo = c->stack_lo;
  hv.stack_hi = c->stack_hi;
  hv.heap_lo = c->heap_lo < c->mem->size ? c->heap_lo : c->mem->size;
  hv.blocks = v;
  hv.nblocks = n;
  int rc = wm__heapmap_svg(&hv, out);
  wm__free(v);
  if (rc) return wm__error(err, WM_EIO, UINT32_MAX, "cannot write the heap map");
  return 0;
}
