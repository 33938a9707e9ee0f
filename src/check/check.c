/* SPDX-License-Identifier: MIT */
/*
** check.c -- the guest heap checker: recognising the guest's allocator,
** tracking its blocks through every call of it (from the host and from
** inside the guest), the shadow memory, the quarantine, and the errors found
** on the way. The leak check, summaries and suppressions are check_leak.c;
** the internal interface and the shadow encoding are described in check.h.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check_impl.h"

/* ------------------------------------------------------------ names */

static const char *const kind_ids[] = {
#define WM_CHECK_KIND_ID_(name, id, title) id,
    WM_CHECK_KINDS(WM_CHECK_KIND_ID_)
#undef WM_CHECK_KIND_ID_
};
static const char *const kind_titles[] = {
#define WM_CHECK_KIND_TITLE_(name, id, title) title,
    WM_CHECK_KINDS(WM_CHECK_KIND_TITLE_)
#undef WM_CHECK_KIND_TITLE_
};

const char *wm_check_kind_id(wm_check_kind k) {
  return (unsigned)k < WM_CHECK_KIND_COUNT_ ? kind_ids[k] : "?";
}
const char *wm_check_kind_title(wm_check_kind k) {
  return (unsigned)k < WM_CHECK_KIND_COUNT_ ? kind_titles[k] : "?";
}
wm_check_kind wm_check_kind_parse(const char *id) {
  for (int k = 0; id && k < WM_CHECK_KIND_COUNT_; k++)
    if (strcmp(id, kind_ids[k]) == 0) return (wm_check_kind)k;
  return WM_CHECK_KIND_COUNT_;
}

/* ------------------------------------------------------------ blocks */

/*
** Blocks live in one array (index 0 unused, so 0 is "none") and, for lookups
** by address, in a treap keyed by address: live and freed blocks never
** overlap (an allocation that overlaps one is reported and the older record
** dropped), so the block holding an address is the one with the greatest
** address not above it.
*/
static uint32_t rnd(wm_checker *c) {
  c->seed ^= c->seed << 13;
  c->seed ^= c->seed >> 17;
  c->seed ^= c->seed << 5;
  return c->seed;
}

static void split(wm_checker *c, uint32_t t, uint64_t key, uint32_t *l, uint32_t *r) {
  /* l gets addresses below key, r the rest. Depth is the treap's, O(log n)
  ** expected. */
  if (!t) {
    *l = *r = 0;
  } else if (c->blocks[t].addr < key) {
    split(c, c->blocks[t].right, key, &c->blocks[t].right, r);
    *l = t;
  } else {
    split(c, c->blocks[t].left, key, l, &c->blocks[t].left);
    *r = t;
  }
}

static uint32_t merge(wm_checker *c, uint32_t l, uint32_t r) {
  if (!l || !r) return l ? l : r;
  if (c->blocks[l].prio > c->blocks[r].prio) {
    c->blocks[l].right = merge(c, c->blocks[l].right, r);
    return l;
  }
  c->blocks[r].left = merge(c, l, c->blocks[r].left);
  return r;
}

static void tree_insert(wm_checker *c, uint32_t b) {
  uint32_t l, r;
  c->blocks[b].left = c->blocks[b].right = 0;
  c->blocks[b].prio = rnd(c);
  split(c, c->root, c->blocks[b].addr, &l, &r);
  c->root = merge(c, merge(c, l, b), r);
}

static void tree_remove(wm_checker *c, uint32_t b) {
  uint32_t l, m, r;
  uint64_t a = c->blocks[b].addr;
  split(c, c->root, a, &l, &r);
  split(c, r, a + 1, &m, &r);
  c->root = merge(c, l, r); /* m is b alone: addresses are unique */
}

uint32_t wm__chk_floor(const wm_checker *c, uint64_t addr) {
  uint32_t t = c->root, best = 0;
  while (t) {
    if (c->blocks[t].addr <= addr) {
      best = t;
      t = c->blocks[t].right;
    } else {
      t = c->blocks[t].left;
    }
  }
  return best;
}

static uint32_t tree_ceil(const wm_checker *c, uint64_t addr) {
  uint32_t t = c->root, best = 0;
  while (t) {
    if (c->blocks[t].addr >= addr) {
      best = t;
      t = c->blocks[t].left;
    } else {
      t = c->blocks[t].right;
    }
  }
  return best;
}

static uint32_t block_new(wm_checker *c) {
  uint32_t b;
  if (c->free_blocks) {
    b = c->free_blocks;
    c->free_blocks = c->blocks[b].qnext;
  } else {
    if (c->nblocks == 0) c->nblocks = 1; /* index 0 means none */
    if (wm__grow((void **)&c->blocks, &c->cap_blocks, c->nblocks + 1, sizeof *c->blocks))
      return 0;
    b = c->nblocks++;
  }
  memset(&c->blocks[b], 0, sizeof c->blocks[b]);
  return b;
}

static void block_drop(wm_checker *c, uint32_t b) {
  tree_remove(c, b);
  c->blocks[b].state = B_UNUSED;
  c->blocks[b].qnext = c->free_blocks;
  c->free_blocks = b;
}

static void shadow_set(wm_checker *c, uint64_t addr, uint64_t len, uint8_t v) {
  if (addr >= c->mem->size) return;
  /* Where the heap outside blocks cannot be known for sure, it is never
  ** poisoned: unallocated reads as accessible. */
  if (v == SH_HEAP && !c->poison) v = SH_OK;
  if (len > c->mem->size - addr) len = c->mem->size - addr;
  /* Outside the heap nothing is ever poisoned. */
  if (v != SH_OK && addr < c->heap_lo) {
    if (addr + len <= c->heap_lo) return;
    len -= c->heap_lo - addr;
    addr = c->heap_lo;
  }
  memset(c->shadow + addr, v, len);
}

/* The shadow of block k, its allocator header included. */
static void shadow_block(wm_checker *c, const chk_block *k, uint8_t v) {
  shadow_set(c, k->addr - k->hdr, k->size + k->hdr, v);
}

/* ------------------------------------------------------------ stacks */

/* Stacks are interned: equal stacks share one id (1-based; 0 = none), so
** a loop that allocates a million blocks stores one stack. */
static uint32_t stack_hash(const wm_rawframe *f, uint32_t n, const char *host) {
  uint32_t h = 2166136261u ^ (uint32_t)(uintptr_t)host;
  for (uint32_t i = 0; i < n; i++) {
    h = (h ^ (uint32_t)(uintptr_t)f[i].fn) * 16777619u;
    h = (h ^ (uint32_t)(uintptr_t)f[i].ip) * 16777619u;
  }
  return h ? h : 1;
}

static uint32_t stack_intern(wm_checker *c, const wm_rawframe *f, uint32_t n, const char *host,
                             bool inner) {
  uint32_t h = stack_hash(f, n, host) ^ (inner ? 0x5bd1e995u : 0);
  h = h ? h : 1;
  if (c->nstacks * 2 >= c->shash_cap) { /* grow and rehash the open table */
    uint32_t cap = c->shash_cap ? c->shash_cap * 2 : 1024;
    uint32_t *t = wm__calloc(cap, sizeof *t);
    if (!t) return 0;
    for (uint32_t s = 1; s < c->nstacks; s++) {
      uint32_t i = c->stacks[s].hash & (cap - 1);
      while (t[i]) i = (i + 1) & (cap - 1);
      t[i] = s;
    }
    wm__free(c->shash);
    c->shash = t;
    c->shash_cap = cap;
  }
  uint32_t i = h & (c->shash_cap - 1);
  for (; c->shash[i]; i = (i + 1) & (c->shash_cap - 1)) {
    const chk_stack *s = &c->stacks[c->shash[i]];
    if (s->hash == h && s->n == n && s->host == host && s->inner == inner &&
        (n == 0 || memcmp(&c->frames[s->first], f, n * sizeof *f) == 0))
      return c->shash[i];
  }
  if (c->nstacks == 0) c->nstacks = 1; /* id 0 means none */
  /* The resolved frames grow here too, never in wm__chk_stack: a report
  ** holds pointers into them while it resolves the next stack. */
  if (wm__grow((void **)&c->stacks, &c->cap_stacks, c->nstacks + 1, sizeof *c->stacks) ||
      wm__grow((void **)&c->frames, &c->cap_frames, c->nframes + n + 1, sizeof *c->frames) ||
      wm__grow((void **)&c->rframes, &c->cap_rframes, c->nframes + n + 1, sizeof *c->rframes))
    return 0;
  memcpy(&c->frames[c->nframes], f, n * sizeof *f);
  chk_stack *s = &c->stacks[c->nstacks];
  s->first = c->nframes;
  s->n = n;
  s->hash = h;
  s->host = host;
  s->inner = inner;
  s->resolved = false;
  c->nframes += n;
  c->shash[i] = c->nstacks;
  return c->nstacks++;
}

/* The current stack: the running activations at ip, with `top` (a hooked
** function about to run, not yet on the frame stack) as innermost frame. */
static uint32_t stack_here(wm_checker *c, const wm_func *top, const uint32_t *ip) {
  wm_rawframe f[WM_CHECK_MAX_DEPTH];
  uint32_t n = 0, max = c->depth_max;
  if (top && max) {
    f[0].fn = top;
    f[0].ip = NULL;
    n = 1;
  }
  n += wm__capture_stack(c->rt, ip, f + n, max - n);
  return stack_intern(c, f, n, c->host_label, c->host_inner);
}

wm_check_stack wm__chk_stack(wm_checker *c, uint32_t id) {
  wm_check_stack s = {NULL, 0, NULL, false};
  if (id && id < c->nstacks) {
    chk_stack *k = &c->stacks[id];
    if (!k->resolved) {
      for (uint32_t i = 0; i < k->n; i++)
        wm__resolve_frame(&c->frames[k->first + i], &c->rframes[k->first + i]);
      k->resolved = true;
    }
    s.frames = &c->rframes[k->first];
    s.nframes = c->stacks[id].n;
    s.host = c->stacks[id].host;
    s.host_innermost = c->stacks[id].inner;
  }
  return s;
}

/* ------------------------------------------------------------ reports */

void wm__chk_put(strbuf *b, const char *fmt, ...) {
  if (b->len >= sizeof b->buf) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b->buf + b->len, sizeof b->buf - b->len, fmt, ap);
  va_end(ap);
  if (n > 0) b->len += (size_t)n;
  if (b->len >= sizeof b->buf) b->len = sizeof b->buf - 1;
}
#define put wm__chk_put

void wm__chk_put_stack(strbuf *b, const wm_check_stack *s) {
  if (s->host && s->host_innermost) put(b, "   at the host's %s\n", s->host);
  for (uint32_t i = 0; i < s->nframes; i++) {
    const wm_check_frame *f = &s->frames[i];
    bool first = i == 0 && !(s->host && s->host_innermost);
    put(b, "   %s %s (func %u", first ? "at" : "by", f->name ? f->name : "<unnamed>",
        (unsigned)f->func_idx);
    if (f->offset != UINT32_MAX) put(b, ", byte 0x%x", (unsigned)f->offset);
    put(b, ")\n");
  }
  if (s->host && !s->host_innermost)
    put(b, "   %s the host (%s)\n", s->nframes ? "called from" : "in", s->host);
  else if (!s->nframes && !s->host) put(b, "   (no stack)\n");
}

/* Where addr lies relative to the blocks: sets r->has_block etc. and
** writes the "Address ... is ..." lines. */
static void describe(wm_checker *c, uint64_t addr, wm_check_report *r, strbuf *b) {
  uint32_t lo = wm__chk_floor(c, addr), hi = tree_ceil(c, addr + 1), pick = 0;
  const char *rel = NULL;
  uint64_t dist = 0;
  if (lo && addr < c->blocks[lo].addr + c->blocks[lo].size) {
    pick = lo;
    dist = addr - c->blocks[lo].addr;
    rel = "inside";
  } else {
    uint64_t after = lo ? addr - (c->blocks[lo].addr + c->blocks[lo].size) : UINT64_MAX;
    uint64_t before = hi ? c->blocks[hi].addr - addr : UINT64_MAX;
    if (after <= before && lo) pick = lo, dist = after, rel = "after";
    else if (hi) pick = hi, dist = before, rel = "before";
  }
  if (!pick || (strcmp(rel, "inside") != 0 && dist > 4096)) {
    if (addr >= c->heap_lo && c->tracking)
      put(b, " Address 0x%llx is in the heap, but not inside or near any block\n",
          (unsigned long long)addr);
    else
      put(b, " Address 0x%llx is not inside or near any block\n", (unsigned long long)addr);
    return;
  }
  const chk_block *k = &c->blocks[pick];
  bool freed = k->state != B_LIVE;
  r->has_block = true;
  r->block_freed = freed;
  r->block_addr = k->addr;
  r->block_size = k->size;
  r->alloc_stack = wm__chk_stack(c, k->alloc_st);
  r->free_stack = wm__chk_stack(c, k->free_st);
  put(b, " Address 0x%llx is %llu bytes %s a block of size %llu %s\n", (unsigned long long)addr,
      (unsigned long long)dist, rel, (unsigned long long)k->size, freed ? "free'd" : "alloc'd");
  if (freed) {
    wm__chk_put_stack(b, &r->free_stack);
    put(b, " Block was alloc'd\n");
  }
  wm__chk_put_stack(b, &r->alloc_stack);
}

/* An error context: the same error at the same place is reported once and
** then only counted. */
static bool seen_before(wm_checker *c, wm_check_kind kind, uint64_t size, uint32_t st) {
  /* As Valgrind: the same kind, size and stack (interned: equal stacks have
  ** equal ids) is the same error. */
  uint64_t key = ((uint64_t)kind << 56) ^ ((size & 0xffffff) << 32) ^ st;
  key = key ? key : 1;
  if (c->nctx * 2 >= c->ctx_cap) {
    uint32_t cap = c->ctx_cap ? c->ctx_cap * 2 : 256;
    uint64_t *t = wm__calloc(cap, sizeof *t);
    if (!t) return true; /* out of memory: count, do not report */
    for (uint32_t i = 0; i < c->ctx_cap; i++) {
      if (!c->ctx[i]) continue;
      uint32_t j = (uint32_t)(c->ctx[i] * 0x9E3779B97F4A7C15ull >> 40) & (cap - 1);
      while (t[j]) j = (j + 1) & (cap - 1);
      t[j] = c->ctx[i];
    }
    wm__free(c->ctx);
    c->ctx = t;
    c->ctx_cap = cap;
  }
  uint32_t j = (uint32_t)(key * 0x9E3779B97F4A7C15ull >> 40) & (c->ctx_cap - 1);
  for (; c->ctx[j]; j = (j + 1) & (c->ctx_cap - 1))
    if (c->ctx[j] == key) return true;
  c->ctx[j] = key;
  c->nctx++;
  return false;
}

void wm__chk_emit(wm_checker *c, wm_check_report *r, strbuf *b) {
  r->text = b->buf;
  if (c->opts.on_report) c->opts.on_report(r, c->opts.data);
}

/* Report an error of kind at addr (size bytes) with stack st; addr_desc:
** describe addr against the blocks. */
static void error(wm_checker *c, wm_check_kind kind, uint64_t addr, uint64_t size, uint32_t st,
                  bool addr_desc, const char *extra) {
  c->sum.errors++;
  wm_check_stack where = wm__chk_stack(c, st);
  if (wm__chk_suppressed(c, kind, &where)) {
    c->sum.suppressed++;
    return;
  }
  if (seen_before(c, kind, size, st)) return;
  c->sum.error_contexts++;
  wm_check_report r;
  memset(&r, 0, sizeof r);
  r.kind = kind;
  r.addr = addr;
  r.size = size;
  r.count = 1;
  r.where = where;
  strbuf *b = &c->sb;
  b->len = 0;
  b->buf[0] = 0;
  switch (kind) {
  case WM_CHECK_INVALID_READ: case WM_CHECK_INVALID_WRITE:
  case WM_CHECK_FREED_READ: case WM_CHECK_FREED_WRITE:
    put(b, "%s of size %llu%s\n", kind == WM_CHECK_INVALID_READ || kind == WM_CHECK_FREED_READ
                                      ? "Invalid read" : "Invalid write",
        (unsigned long long)size, extra ? extra : "");
    break;
  default:
    put(b, "%s%s\n", wm_check_kind_title(kind), extra ? extra : "");
    break;
  }
  wm__chk_put_stack(b, &r.where);
  if (addr_desc) describe(c, addr, &r, b);
  wm__chk_emit(c, &r, b);
}

/* ------------------------------------------------------------ tracking */

static int call_quiet(wm_checker *c, wm_func *f, wm_slot *args, wm_error *err);

static void quarantine_push(wm_checker *c, uint32_t b) {
  c->blocks[b].qnext = 0;
  c->blocks[b].qprev = c->q_tail;
  if (c->q_tail) c->blocks[c->q_tail].qnext = b;
  else c->q_head = b;
  c->q_tail = b;
  c->q_bytes += c->blocks[b].size;
}

/* Give the oldest quarantined block back: to the guest's allocator if its
** free was deferred (a nested, untracked call of the free function with the
** arguments the guest gave), then forget it. */
static int quarantine_pop(wm_checker *c) {
  uint32_t b = c->q_head;
  if (!b) return 0;
  chk_block *k = &c->blocks[b];
  c->q_head = k->qnext;
  if (c->q_head) c->blocks[c->q_head].qprev = 0;
  else c->q_tail = 0;
  c->q_bytes -= k->size;
  int rc = 0;
  shadow_block(c, k, SH_HEAP);
  if (k->state == B_FREED && k->free_fn) {
    wm_slot args[4];
    for (int i = 0; i < 4; i++) args[i].u64 = k->free_args[i];
    wm_func *fn = k->free_fn;
    block_drop(c, b);
    rc = call_quiet(c, fn, args, &c->release_err);
    /* The guest's free trapped (its heap is corrupt): the call that made
    ** the block leave the quarantine traps with its message. */
    if (rc && !c->release_rc) c->release_rc = rc;
  } else {
    block_drop(c, b);
  }
  return rc;
}

/* Unlink b from the quarantine list (it is being dropped early: the
** allocator reused memory realloc had already given back). */
static void quarantine_unlink(wm_checker *c, uint32_t b) {
  chk_block *k = &c->blocks[b];
  if (k->qprev) c->blocks[k->qprev].qnext = k->qnext;
  else c->q_head = k->qnext;
  if (k->qnext) c->blocks[k->qnext].qprev = k->qprev;
  else c->q_tail = k->qprev;
  c->q_bytes -= k->size;
}

/* The block that starts exactly at addr, or 0. */
static uint32_t block_at(wm_checker *c, uint64_t addr) {
  uint32_t b = wm__chk_floor(c, addr);
  return b && c->blocks[b].addr == addr ? b : 0;
}

/* AssemblyScript's objects: __new takes a TLSF block and hands out the
** address 16 bytes into it, past the object header; the checker's record
** then describes the object (what AssemblyScript code and the host use),
** its header counted with the TLSF one in hdr. as_raw undoes it, for a
** realloc of the block underneath. */
enum { AS_OBJ_HDR = 16 };

static void as_retype(wm_checker *c, uint32_t b, bool to_object) {
  chk_block *k = &c->blocks[b];
  tree_remove(c, b);
  if (to_object) {
    k->addr += AS_OBJ_HDR, k->size -= AS_OBJ_HDR, k->hdr += AS_OBJ_HDR;
    c->sum.in_use_bytes -= AS_OBJ_HDR;
    c->sum.bytes_allocated -= AS_OBJ_HDR;
  } else {
    k->addr -= AS_OBJ_HDR, k->size += AS_OBJ_HDR, k->hdr -= AS_OBJ_HDR;
    c->sum.in_use_bytes += AS_OBJ_HDR;
  }
  tree_insert(c, b);
}

/* The block a free or realloc of ptr means: the one at ptr, or the object
** whose TLSF block starts at ptr (the collector frees objects so); for a
** realloc (raw), a live object is made a plain block again. */
static uint32_t block_freed_at(wm_checker *c, uint64_t ptr, bool raw) {
  uint32_t b = block_at(c, ptr);
  if (b || !c->as_heap) return b;
  b = block_at(c, ptr + AS_OBJ_HDR);
  if (!b || c->blocks[b].hdr <= AS_OBJ_HDR) return 0;
  if (raw && c->blocks[b].state == B_LIVE) as_retype(c, b, false);
  return b;
}

/* __new or __renew returned obj of size bytes: the block under it is an
** object now, or (grown or shrunk in place) has its new size. */
static void as_settle(wm_checker *c, uint64_t obj, uint64_t size) {
  uint32_t b = obj >= AS_OBJ_HDR ? block_at(c, obj - AS_OBJ_HDR) : 0;
  if (b && c->blocks[b].state == B_LIVE && c->blocks[b].hdr <= AS_OBJ_HDR &&
      c->blocks[b].size >= AS_OBJ_HDR) {
    as_retype(c, b, true);
    return;
  }
  b = block_at(c, obj);
  if (!b || c->blocks[b].state != B_LIVE || c->blocks[b].hdr <= AS_OBJ_HDR) return;
  chk_block *k = &c->blocks[b];
  if (size == k->size || obj + size > c->mem->size) return;
  /* The TLSF block had room: the object grew or shrank inside it. */
  if (size > k->size) shadow_set(c, obj + k->size, size - k->size, SH_OK);
  else shadow_set(c, obj + size, k->size - size, SH_HEAP);
  c->sum.in_use_bytes += size - k->size;
  k->size = size;
}

/* The allocator now uses [addr, end) for a block (addr, size): drop the
** records in the way, except `keep`. A freed block the allocator reused
** after we gave it back is simply forgotten; a live block, or a freed one
** whose free we still hold back, means the allocator hands out memory it
** does not own. */
static void evict_overlaps(wm_checker *c, uint64_t addr, uint64_t end, uint64_t size,
                           uint32_t st, uint32_t keep) {
  for (uint32_t o = wm__chk_floor(c, end - 1); o; o = wm__chk_floor(c, end - 1)) {
    chk_block *k = &c->blocks[o];
    if (o == keep || k->addr + (k->size ? k->size : 1) <= addr) break;
    /* Where only the exchange conventions are seen, a free inlined into
    ** the guest's code may have given a live-looking block back unseen. */
    if ((k->state == B_LIVE && !c->conv_unseen) || (k->state == B_FREED && k->free_fn))
      error(c, WM_CHECK_OVERLAP_ALLOC, addr, size, st, true, NULL);
    if (k->state != B_LIVE) quarantine_unlink(c, o);
    else c->sum.in_use_bytes -= k->size, c->sum.in_use_blocks--;
    /* Whatever of it the new block does not cover is unallocated again. */
    shadow_block(c, k, SH_HEAP);
    block_drop(c, o);
  }
}

/* Stop all checking for good (the summary and the allocator line say why):
** the run goes on unchecked. */
static void stop_checking(wm_checker *c, const char *why) {
  if (c->stopped) return;
  c->stopped = true;
  if (c->mem) c->mem->shadow = NULL;
  size_t n = strlen(c->alloc_desc);
  snprintf(c->alloc_desc + n, sizeof c->alloc_desc - n, "; checking stopped: %s", why);
}

/* The allocator handed out [addr, addr+size). */
static void on_alloc(wm_checker *c, uint64_t addr, uint64_t size, uint32_t st) {
  uint64_t end = addr + (size ? size : 1);
  if (end > c->mem->size) return; /* a bad pointer: nothing to track */
  evict_overlaps(c, addr, end, size, st, 0);
  if (c->heap_lazy) {
    /* The heap starts at the first block dlmalloc hands out, less its
    ** 8-byte chunk header: nothing static lies above it. */
    c->heap_lazy = false;
    uint64_t lo = (addr & ~(uint64_t)7) >= 8 ? (addr & ~(uint64_t)7) - 8 : 0;
    if (lo < c->heap_lo) {
      c->heap_lo = lo;
      shadow_set(c, lo, c->mem->size - lo, SH_HEAP);
    }
  }
  /* Memory the allocator cannot own: the module's static data (the
  ** article's AssemblyScript alloc returns a memory.data slot), or below
  ** the heap when its start is known. */
  /* Only where the exchange conventions are the allocator: a real
  ** allocator may well hand out a static arena (a Rust #[global_allocator]
  ** over a static array). */
  if (c->conv_only &&
      ((addr < c->data_hi && end > c->data_lo) || (!c->heap_unknown && addr < c->heap_lo))) {
    char extra[160];
    if (addr < c->data_hi && end > c->data_lo)
      snprintf(extra, sizeof extra, ": 0x%llx (%llu bytes) lies in the module's static data [0x%llx, 0x%llx)",
               (unsigned long long)addr, (unsigned long long)size,
               (unsigned long long)c->data_lo, (unsigned long long)c->data_hi);
    else
      snprintf(extra, sizeof extra, ": 0x%llx (%llu bytes) lies below the heap, which starts at 0x%llx",
               (unsigned long long)addr, (unsigned long long)size, (unsigned long long)c->heap_lo);
    error(c, WM_CHECK_ALLOC_OUTSIDE_HEAP, addr, size, st, false, extra);
  }
  uint32_t b = block_new(c);
  if (!b) {
    /* Out of host memory: an untracked block would make every later report
    ** about it wrong, so checking stops here, and the summary says so. */
    stop_checking(c, "out of host memory");
    return;
  }
  chk_block *k = &c->blocks[b];
  k->addr = addr;
  k->size = size;
  k->state = B_LIVE;
  k->alloc_st = st;
  /* AssemblyScript's TLSF keeps a 4-byte header in front of each block,
  ** which its collector reads too. */
  k->hdr = c->as_heap && addr >= 4 ? 4 : 0;
  tree_insert(c, b);
  shadow_block(c, k, SH_OK);
  c->sum.allocs++;
  c->sum.bytes_allocated += size;
  c->sum.in_use_blocks++;
  c->sum.in_use_bytes += size;
}

/* A free of ptr by fn with args; returns true when the guest's free should
** not run now (deferred into the quarantine, or refused as an error). */
static bool on_free(wm_checker *c, uint64_t ptr, wm_func *fn, const wm_slot *args,
                    uint32_t nargs, uint32_t st, bool defer) {
  uint32_t b = block_freed_at(c, ptr, false);
  if (!b && c->conv_unseen && !wm__chk_floor(c, ptr)) return false;
  if (!b && c->conv_unseen) {
    /* Not the start of a block, but maybe one an inlined alloc made past
    ** the last block seen: only a pointer inside a live block is surely
    ** invalid. */
    const chk_block *k = &c->blocks[wm__chk_floor(c, ptr)];
    if (k->state != B_LIVE || ptr >= k->addr + k->size) return false;
  }
  if (!b) {
    error(c, WM_CHECK_INVALID_FREE, ptr, 0, st, true, NULL);
    return true;
  }
  chk_block *k = &c->blocks[b];
  if (k->state != B_LIVE) {
    error(c, WM_CHECK_DOUBLE_FREE, ptr, 0, st, true, NULL);
    return true;
  }
  if (k->host) {
    error(c, WM_CHECK_HOST_BLOCK_FREE, ptr, 0, st, true, NULL);
    k->host = 0; /* the guest took it: the host's own free will be a double free */
  }
  c->sum.frees++;
  c->sum.in_use_blocks--;
  c->sum.in_use_bytes -= k->size;
  k->free_st = st;
  k->state = B_FREED;
  k->free_fn = defer ? fn : NULL;
  for (uint32_t i = 0; i < 4; i++) k->free_args[i] = i < nargs ? args[i].u64 : 0;
  shadow_block(c, k, SH_FREED);
  quarantine_push(c, b);
  while (c->q_bytes > c->quarantine_max && c->q_head != b) quarantine_pop(c);
  return defer;
}

/* The block at ptr was freed by the allocator itself (realloc moved it):
** it waits in the quarantine as freed, with nothing to give back. */
static void on_released(wm_checker *c, uint32_t b, uint32_t st) {
  chk_block *k = &c->blocks[b];
  c->sum.frees++;
  c->sum.in_use_blocks--;
  c->sum.in_use_bytes -= k->size;
  k->free_st = st;
  k->state = B_FREED;
  k->free_fn = NULL;
  k->host = 0;
  shadow_block(c, k, SH_FREED);
  quarantine_push(c, b);
  while (c->q_bytes > c->quarantine_max && c->q_head != b) quarantine_pop(c);
}

/* Run f untracked: its memory accesses are the allocator's own business. */
static int call_quiet(wm_checker *c, wm_func *f, wm_slot *args, wm_error *err) {
  c->depth++;
  c->mem->shadow = NULL;
  int rc = wm__interp_call_plain(c->rt, f, args, err);
  c->depth--;
  if (!c->depth && !c->finished && !c->stopped) c->mem->shadow = c->shadow;
  return rc;
}

static uint32_t arg32(const wm_slot *a, uint32_t i) { return a[i].u32; }

static int check_call(wm_runtime *rt, wm_func *f, wm_slot *args, const uint32_t *ip,
                      wm_error *err);

int wm__check_call(wm_runtime *rt, wm_func *f, wm_slot *args, const uint32_t *ip, wm_error *err) {
  /* A call from the host has its arguments and results at the stack top,
  ** where any nested call the checker makes (a deferred free leaving the
  ** quarantine) would start its frame: raise the top above them meanwhile.
  ** wm_func_call made sure they fit. */
  wm_slot *saved_top = rt->stack_top;
  size_t np = wm__type_slots(f->type->params, f->type->nparams);
  size_t nr = wm__type_slots(f->type->results, f->type->nresults);
  size_t nio = np > nr ? np : nr;
  if (args + nio > rt->stack_top) rt->stack_top = args + nio;
  int rc = check_call(rt, f, args, ip, err);
  rt->stack_top = saved_top;
  wm_checker *c = rt->checker;
  if (c && c->release_rc && !c->depth) {
    if (!rc) {
      rc = c->release_rc;
      if (err) {
        *err = c->release_err;
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, "\n  (a free deferred by wasm check)");
      }
    }
    c->release_rc = 0;
  }
  return rc;
}

static int check_call(wm_runtime *rt, wm_func *f, wm_slot *args, const uint32_t *ip,
                      wm_error *err) {
  wm_checker *c = rt->checker;
  if (!c || c->depth || c->finished || c->stopped || !c->mem || f->hook == WM_HOOK_QUIET)
    return c && c->mem ? call_quiet(c, f, args, err) : wm__interp_call_plain(rt, f, args, err);
  uint32_t np = f->type->nparams;
  wm_slot a[4];
  for (uint32_t i = 0; i < 4; i++) a[i].u64 = i < np ? args[i].u64 : 0;
  uint32_t st = stack_here(c, f, ip);
  uint64_t size = 0, ptr = 0;
  int rc;

  switch (f->hook) {
  case WM_HOOK_FREE:
  case WM_HOOK_RUST_DEALLOC:
    ptr = arg32(a, 0);
    if (ptr == 0) return call_quiet(c, f, args, err); /* free(NULL) */
    if (on_free(c, ptr, f, a, np, st, true)) {
      for (uint32_t i = 0; i < f->type->nresults; i++) args[i].u64 = 0;
      return 0;
    }
    return call_quiet(c, f, args, err);

  case WM_HOOK_REALLOC:
  case WM_HOOK_RUST_REALLOC:
  case WM_HOOK_CABI_REALLOC: {
    bool c_style = f->hook == WM_HOOK_REALLOC;
    ptr = arg32(a, 0);
    size = c_style ? arg32(a, 1) : arg32(a, 3);
    uint32_t b = 0;
    /* An AssemblyScript object reallocated as its TLSF block (block_freed_at
    ** makes it a plain block): an object again if the realloc fails. */
    bool was_object = ptr && c->as_heap && !block_at(c, ptr);
    if (ptr) {
      b = block_freed_at(c, ptr, true);
      if (!b || c->blocks[b].state != B_LIVE) {
        /* realloc of something not live: refused like a bad free (the
        ** guest sees an allocation failure). */
        error(c, b ? WM_CHECK_DOUBLE_FREE : WM_CHECK_INVALID_FREE, ptr, 0, st, true,
              " (realloc)");
        for (uint32_t i = 0; i < f->type->nresults; i++) args[i].u64 = 0;
        return 0;
      }
    }
    rc = call_quiet(c, f, args, err);
    if (!rc && f->type->nresults >= 1 && args[0].u32 == 0 && size && c->q_head) {
      /* As for malloc: out of memory only because of what we hold back. */
      while (c->q_head) quarantine_pop(c);
      for (uint32_t i = 0; i < np; i++) args[i] = a[i];
      rc = call_quiet(c, f, args, err);
    }
    if ((rc || f->type->nresults < 1 || args[0].u32 == 0) && was_object && b &&
        c->blocks[b].state == B_LIVE && c->blocks[b].addr == ptr)
      as_retype(c, b, true);
    if (rc || f->type->nresults < 1) return rc;
    uint64_t q = args[0].u32;
    if (!ptr) {
      if (q) on_alloc(c, q, size, st);
      return 0;
    }
    b = block_at(c, ptr); /* the treap may have changed: look again */
    if (!q) {
      if (size == 0 && c_style && b) on_released(c, b, st); /* realloc(p, 0) freed p */
      return 0;
    }
    if (b && q == ptr) { /* resized in place */
      if (ptr + size > c->mem->size) return 0; /* a lie: nothing to track */
      /* Growing over memory realloc gave back earlier (a moved block still
      ** in the quarantine): those records go. */
      if (size > c->blocks[b].size)
        evict_overlaps(c, ptr + c->blocks[b].size, ptr + size, size, st, b);
      chk_block *k = &c->blocks[b];
      c->sum.in_use_bytes -= k->size;
      if (size < k->size) shadow_set(c, ptr + size, k->size - size, SH_HEAP);
      k->size = size;
      k->alloc_st = st;
      shadow_set(c, ptr, size, SH_OK);
      c->sum.in_use_bytes += size;
      c->sum.allocs++;
      c->sum.frees++;
      c->sum.bytes_allocated += size;
      return 0;
    }
    if (b) {
      bool host = c->blocks[b].host;
      on_released(c, b, st);
      on_alloc(c, q, size, st);
      uint32_t nb = block_at(c, q);
      if (nb) c->blocks[nb].host = host;
    } else {
      on_alloc(c, q, size, st);
    }
    return 0;
  }

  case WM_HOOK_AS_NEW:
  case WM_HOOK_AS_RENEW: {
    /* Run tracked: the TLSF calls and collector frees inside are hooked
    ** themselves; then the block under the result is an object. */
    size = f->hook == WM_HOOK_AS_NEW ? arg32(a, 0) : arg32(a, 1);
    rc = wm__interp_call_plain(rt, f, args, err);
    if (!rc && f->type->nresults >= 1) as_settle(c, args[0].u32, size);
    return rc;
  }

  case WM_HOOK_POSIX_MEMALIGN: {
    uint64_t pp = arg32(a, 0);
    size = arg32(a, 2);
    rc = call_quiet(c, f, args, err);
    if (rc || f->type->nresults < 1 || args[0].u32 != 0) return rc;
    uint32_t q;
    if (wm__in_range(pp, 4, c->mem->size)) {
      memcpy(&q, c->mem->base + pp, 4);
      if (q) on_alloc(c, q, size, st);
    }
    return 0;
  }

  default: /* the allocating kinds */
    switch (f->hook) {
    case WM_HOOK_CALLOC: {
      uint64_t n = (uint64_t)arg32(a, 0) * arg32(a, 1);
      size = n > UINT32_MAX ? 0 : n;
      break;
    }
    case WM_HOOK_MEMALIGN: size = arg32(a, 1); break;
    default: size = arg32(a, 0); break; /* malloc, rust alloc(size, align) */
    }
    rc = call_quiet(c, f, args, err);
    if (!rc && f->type->nresults >= 1 && args[0].u32 == 0 && c->q_head) {
      /* Out of guest memory with blocks held back: give them all back to
      ** the allocator and try once more, as if there were no quarantine. */
      while (c->q_head) quarantine_pop(c);
      for (uint32_t i = 0; i < np; i++) args[i] = a[i];
      rc = call_quiet(c, f, args, err);
    }
    if (rc || f->type->nresults < 1) return rc;
    if (args[0].u32) on_alloc(c, args[0].u32, size, st);
    return 0;
  }
}

/* ------------------------------------------------------------ accesses */

void wm__check_access(wm_memory *m, uint64_t ea, uint32_t n, bool write, const uint32_t *ip) {
  wm_checker *c = m->chk;
  if (!c || c->depth || c->finished || c->stopped) return;
  const uint8_t *s = c->shadow + ea;
  bool freed = false;
  uint32_t first = n;
  for (uint32_t i = 0; i < n; i++) {
    if (s[i] == SH_OK) continue;
    if (first == n) first = i;
    if (s[i] == SH_FREED) freed = true;
  }
  if (first == n) return;
  /* A word-sized load, aligned, whose first byte is fine and the rest runs
  ** past a block's end: what strlen, memcpy and friends do one word at a
  ** time. Valgrind's --partial-loads-ok, on by default. */
  if (!write && n > 1 && ea % n == 0 && s[0] == SH_OK) return;
  wm_check_kind k = freed ? (write ? WM_CHECK_FREED_WRITE : WM_CHECK_FREED_READ)
                          : (write ? WM_CHECK_INVALID_WRITE : WM_CHECK_INVALID_READ);
  /* Reported at the access's address, as Valgrind does; described by its
  ** first bad byte when it starts inside a block and runs out of it. */
  error(c, k, ea, n, stack_here(c, NULL, ip), true, NULL);
}

static void check_span(wm_checker *c, uint64_t ea, uint64_t n, bool write, uint32_t st_or0,
                       const uint32_t *ip, const char *what) {
  const uint8_t *s = c->shadow + ea;
  uint64_t i = 0;
  /* Eight shadow bytes at a time while they are all clean. */
  while (i + 8 <= n) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (w) break;
    i += 8;
  }
  while (i < n && s[i] == SH_OK) i++;
  if (i >= n) return;
  bool freed = false;
  for (uint64_t j = i; j < n; j++)
    if (s[j] == SH_FREED) {
      freed = true;
      break;
    }
  wm_check_kind k = freed ? (write ? WM_CHECK_FREED_WRITE : WM_CHECK_FREED_READ)
                          : (write ? WM_CHECK_INVALID_WRITE : WM_CHECK_INVALID_READ);
  char extra[64];
  snprintf(extra, sizeof extra, " (%s)", what);
  uint32_t st = st_or0 ? st_or0 : stack_here(c, NULL, ip);
  error(c, k, ea + i, n, st, true, extra);
}

void wm__check_range(wm_memory *m, uint64_t ea, uint64_t n, bool write, const uint32_t *ip) {
  wm_checker *c = m->chk;
  if (!c || c->depth || c->finished || c->stopped || !n) return;
  check_span(c, ea, n, write, 0, ip, write ? "bulk write" : "bulk read");
}

void wm__check_host_access(wm_memory *m, uint64_t ptr, uint64_t len, bool write, const char *what) {
  wm_checker *c = m ? m->chk : NULL;
  if (!c || c->depth || c->finished || c->stopped || !len || !wm__in_range(ptr, len, m->size))
    return;
  /* The wasm frames below, when a host function called from the guest
  ** makes the access, then the host function's name. */
  const char *saved = c->host_label;
  bool saved_inner = c->host_inner;
  c->host_label = what;
  c->host_inner = true;
  uint32_t st = stack_here(c, NULL, NULL);
  c->host_label = saved;
  c->host_inner = saved_inner;
  check_span(c, ptr, len, write, st ? st : 1, NULL, what);
}

void wm__check_grow(wm_memory *m, uint64_t old_size) {
  wm_checker *c = m->chk;
  if (!c || !c->tracking || m->size <= old_size) return;
  shadow_set(c, old_size, m->size - old_size, SH_HEAP);
}

void wm__check_host_owns(wm_memory *m, uint64_t ptr, bool owned) {
  wm_checker *c = m ? m->chk : NULL;
  if (!c) return;
  uint32_t b = block_at(c, ptr);
  if (b && c->blocks[b].state == B_LIVE) c->blocks[b].host = owned;
}

const char *wm__check_host_label(wm_runtime *rt, const char *label) {
  wm_checker *c = rt ? rt->checker : NULL;
  if (!c) return NULL;
  const char *old = c->host_label;
  c->host_label = label;
  return old;
}

/* ------------------------------------------------------------ recognition */

typedef struct known_fn {
  const char *name;
  uint8_t hook;
  uint8_t family;
} known_fn;

enum { FAM_LIBC = 1, FAM_DL, FAM_RUST, FAM_SDK, FAM_CONV, FAM_AS };

static const known_fn known[] = {
    {"malloc", WM_HOOK_MALLOC, FAM_LIBC},
    {"calloc", WM_HOOK_CALLOC, FAM_LIBC},
    {"realloc", WM_HOOK_REALLOC, FAM_LIBC},
    {"free", WM_HOOK_FREE, FAM_LIBC},
    {"posix_memalign", WM_HOOK_POSIX_MEMALIGN, FAM_LIBC},
    {"aligned_alloc", WM_HOOK_MEMALIGN, FAM_LIBC},
    {"memalign", WM_HOOK_MEMALIGN, FAM_LIBC},
    {"malloc_usable_size", WM_HOOK_QUIET, FAM_LIBC},
    {"dlmalloc", WM_HOOK_MALLOC, FAM_DL},
    {"dlcalloc", WM_HOOK_CALLOC, FAM_DL},
    {"dlrealloc", WM_HOOK_REALLOC, FAM_DL},
    {"dlfree", WM_HOOK_FREE, FAM_DL},
    {"dlposix_memalign", WM_HOOK_POSIX_MEMALIGN, FAM_DL},
    {"dlmemalign", WM_HOOK_MEMALIGN, FAM_DL},
    {"dlmalloc_usable_size", WM_HOOK_QUIET, FAM_DL},
    {"__rust_alloc", WM_HOOK_RUST_ALLOC, FAM_RUST},
    {"__rust_alloc_zeroed", WM_HOOK_RUST_ALLOC_ZEROED, FAM_RUST},
    {"__rust_dealloc", WM_HOOK_RUST_DEALLOC, FAM_RUST},
    {"__rust_realloc", WM_HOOK_RUST_REALLOC, FAM_RUST},
    {"__rdl_alloc", WM_HOOK_RUST_ALLOC, FAM_RUST},
    {"__rdl_alloc_zeroed", WM_HOOK_RUST_ALLOC_ZEROED, FAM_RUST},
    {"__rdl_dealloc", WM_HOOK_RUST_DEALLOC, FAM_RUST},
    {"__rdl_realloc", WM_HOOK_RUST_REALLOC, FAM_RUST},
    {"__rg_alloc", WM_HOOK_RUST_ALLOC, FAM_RUST},
    {"__rg_alloc_zeroed", WM_HOOK_RUST_ALLOC_ZEROED, FAM_RUST},
    {"__rg_dealloc", WM_HOOK_RUST_DEALLOC, FAM_RUST},
    {"__rg_realloc", WM_HOOK_RUST_REALLOC, FAM_RUST},
    {"wm_guest_alloc", WM_HOOK_MALLOC, FAM_SDK},
    {"wm_guest_free", WM_HOOK_FREE, FAM_SDK},
    /* The exchange API's conventions: used only when nothing lower is. */
    {"alloc", WM_HOOK_MALLOC, FAM_CONV},
    {"dealloc", WM_HOOK_FREE, FAM_CONV},
    {"__wbindgen_malloc", WM_HOOK_MALLOC, FAM_CONV},
    {"__wbindgen_free", WM_HOOK_FREE, FAM_CONV},
    {"cabi_realloc", WM_HOOK_CABI_REALLOC, FAM_CONV},
    /* AssemblyScript's runtime, by the names of an unoptimised --debug
    ** build (an optimised one inlines __alloc and __free): its TLSF
    ** allocator (heap.alloc/free/realloc and under every object), and
    ** the collectors' __new/__renew, which make objects of TLSF blocks. */
    {"~lib/rt/tlsf/__alloc", WM_HOOK_MALLOC, FAM_AS},
    {"~lib/rt/tlsf/__realloc", WM_HOOK_REALLOC, FAM_AS},
    {"~lib/rt/tlsf/__free", WM_HOOK_FREE, FAM_AS},
    {"~lib/rt/itcms/__new", WM_HOOK_AS_NEW, FAM_AS},
    {"~lib/rt/itcms/__renew", WM_HOOK_AS_RENEW, FAM_AS},
    {"~lib/rt/tcms/__new", WM_HOOK_AS_NEW, FAM_AS},
    {"~lib/rt/tcms/__renew", WM_HOOK_AS_RENEW, FAM_AS},
};

/* The shape each hook needs: (params, results) all i32. */
static bool shape_ok(const wm_type *t, uint8_t hook) {
  static const uint8_t want[][2] = {
      [WM_HOOK_MALLOC] = {1, 1},     [WM_HOOK_CALLOC] = {2, 1},
      [WM_HOOK_REALLOC] = {2, 1},    [WM_HOOK_FREE] = {1, 0},
      [WM_HOOK_MEMALIGN] = {2, 1},   [WM_HOOK_POSIX_MEMALIGN] = {3, 1},
      [WM_HOOK_RUST_ALLOC] = {2, 1}, [WM_HOOK_RUST_ALLOC_ZEROED] = {2, 1},
      [WM_HOOK_RUST_DEALLOC] = {3, 0}, [WM_HOOK_RUST_REALLOC] = {4, 1},
      [WM_HOOK_CABI_REALLOC] = {4, 1}, [WM_HOOK_AS_NEW] = {2, 1},
      [WM_HOOK_AS_RENEW] = {2, 1},
  };
  if (hook == WM_HOOK_QUIET) return true;
  for (uint32_t i = 0; i < t->nparams; i++)
    if (t->params[i] != WM_I32) return false;
  for (uint32_t i = 0; i < t->nresults; i++)
    if (t->results[i] != WM_I32) return false;
  /* A free may take extra arguments (a length, an alignment). */
  if (hook == WM_HOOK_FREE) return t->nparams >= 1 && t->nparams <= 4 && t->nresults == 0;
  return t->nparams == want[hook][0] && t->nresults == want[hook][1];
}

/* Whether a name-section name is `name` itself or, for the Rust names
** (__rust_*, __rdl_*, __rg_*), its v0 mangling, which newer rustc gives
** them: "_R" ... then the identifier with its length, at the very end
** ("_RNvCsGIExRX8pES_7___rustc12___rust_alloc"). */
static bool name_is(const char *have, const char *name) {
  if (strcmp(have, name) == 0) return true;
  if (have[0] != '_' || have[1] != 'R' || name[0] != '_' || name[1] != '_') return false;
  /* v0 separates an identifier that starts with '_' from its length by
  ** one more '_'. */
  char tail[80];
  int n = snprintf(tail, sizeof tail, "%zu_%s", strlen(name), name);
  size_t hl = strlen(have);
  if (n <= 0 || (size_t)n >= sizeof tail || hl <= (size_t)n) return false;
  const char *t = have + hl - n;
  return strcmp(t, tail) == 0 && !(t[-1] >= '0' && t[-1] <= '9');
}

/* The index of the function (or global) named `name` by an export or the
** name section, or -1. */
static int64_t find_named(const wm_module *mod, wm_externkind kind, const char *name) {
  for (uint32_t i = 0; i < mod->nexports; i++) {
    const wm_export *e = &mod->exports[i];
    if (e->kind == kind && strlen(name) == e->name_len && memcmp(e->name, name, e->name_len) == 0)
      return e->idx;
  }
  char **names = kind == WM_EXTERN_FUNC ? mod->func_names : mod->global_names;
  uint32_t n = kind == WM_EXTERN_FUNC ? mod->nfuncs : mod->nglobals;
  for (uint32_t i = 0; names && i < n; i++)
    if (names[i] && name_is(names[i], name)) return i;
  return -1;
}

static int64_t find_func(const wm_module *mod, const char *name) {
  return find_named(mod, WM_EXTERN_FUNC, name);
}

/* Also by AssemblyScript's name for it (~lib/memory/__heap_base). */
static int64_t find_global(const wm_module *mod, const char *name) {
  int64_t g = find_named(mod, WM_EXTERN_GLOBAL, name);
  char as[64];
  if (g < 0 && snprintf(as, sizeof as, "~lib/memory/%s", name) < (int)sizeof as)
    g = find_named(mod, WM_EXTERN_GLOBAL, as);
  return g;
}

static bool hook_func(wm_checker *c, int64_t idx, uint8_t hook) {
  wm_instance *inst = c->inst;
  if (idx < inst->mod->nfunc_imports || idx >= inst->mod->nfuncs) return false;
  wm_func *f = inst->funcs[idx];
  if (!shape_ok(f->type, hook)) return false;
  f->hook = hook;
  return true;
}

/* Hook the allocator's functions; fills c->alloc_desc. Returns whether
** blocks will be tracked. */
static bool recognise(wm_checker *c) {
  const wm_module *mod = c->inst->mod;
  char names[200] = "";
  size_t nl = 0;
#define ADD_NAME(s)                                                           \
  do {                                                                        \
    int n_ = snprintf(names + nl, sizeof names - nl, "%s%s", nl ? ", " : "", s); \
    if (n_ > 0 && nl + (size_t)n_ < sizeof names) nl += (size_t)n_;           \
  } while (0)
  if (c->opts.alloc_fn || c->opts.free_fn || c->opts.realloc_fn) {
    const char *nm[3] = {c->opts.alloc_fn, c->opts.free_fn, c->opts.realloc_fn};
    const uint8_t hk[3] = {WM_HOOK_MALLOC, WM_HOOK_FREE, WM_HOOK_REALLOC};
    int hooked = 0;
    for (int i = 0; i < 3; i++) {
      if (!nm[i]) continue;
      int64_t idx = find_func(mod, nm[i]);
      if (idx < 0 || !hook_func(c, idx, hk[i])) {
        snprintf(c->alloc_desc, sizeof c->alloc_desc,
                 "allocator: '%s' is not a defined function of the right type; "
                 "checking bounds and host ownership only", nm[i]);
        for (uint32_t k = 0; k < mod->nfuncs; k++)
          if (k >= mod->nfunc_imports) c->inst->funcs[k]->hook = 0;
        return false;
      }
      hooked++;
      ADD_NAME(nm[i]);
    }
    snprintf(c->alloc_desc, sizeof c->alloc_desc, "allocator: user-named (%s)", names);
    return hooked > 0;
  }
  /* A family counts only when both its allocating and its freeing side
  ** are there to hook: half an allocator (a free the compiler inlined)
  ** would make every block it frees look leaked, or every block it makes
  ** look invalid. */
  bool fam[8] = {false}, fam_alloc[8] = {false}, fam_free[8] = {false};
  bool lower = false;
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    const known_fn *k = &known[i];
    if (k->family == FAM_CONV || k->hook == WM_HOOK_QUIET) continue;
    int64_t idx = find_func(mod, k->name);
    if (idx < 0 || !shape_ok(c->inst->funcs[idx]->type, k->hook) ||
        idx < mod->nfunc_imports)
      continue;
    if (k->hook == WM_HOOK_FREE || k->hook == WM_HOOK_RUST_DEALLOC) fam_free[k->family] = true;
    else if (k->hook != WM_HOOK_AS_NEW && k->hook != WM_HOOK_AS_RENEW) fam_alloc[k->family] = true;
  }
  /* AssemblyScript's TLSF is never inlined in a build that names it: a
  ** missing __free is one no code calls (a runtime with no collection
  ** compiled in never frees). */
  fam_free[FAM_AS] = true;
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    const known_fn *k = &known[i];
    if (k->family == FAM_CONV) continue;
    if (!fam_alloc[k->family] || !fam_free[k->family]) continue;
    int64_t idx = find_func(mod, k->name);
    if (idx < 0 || !hook_func(c, idx, k->hook)) continue;
    fam[k->family] = true;
    if (k->hook != WM_HOOK_QUIET) {
      lower = true;
      ADD_NAME(k->name);
    }
  }
  /* The exchange conventions are hooked only when they are the allocator
  ** itself. Over AssemblyScript's runtime they are wrappers the compiler
  ** inlines into other functions (upper's alloc), so calls of them would
  ** miss blocks: no tracking is better than a wrong one. */
  bool as_runtime = find_func(mod, "__new") >= 0 || find_func(mod, "~lib/rt/stub/__new") >= 0 ||
                    find_func(mod, "~lib/rt/itcms/__new") >= 0 ||
                    find_func(mod, "~lib/rt/tcms/__new") >= 0,
       conv_free_found = false;
  if (!lower && !as_runtime) {
    bool conv_alloc = false;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
      const known_fn *k = &known[i];
      if (k->family != FAM_CONV) continue;
      int64_t idx = find_func(mod, k->name);
      if (idx < mod->nfunc_imports || !shape_ok(c->inst->funcs[idx]->type, k->hook)) continue;
      /* cabi_realloc alone does not count: the Component Model's callee
      ** frees its arguments itself, with a free that has no name. */
      if (k->hook == WM_HOOK_FREE) conv_free_found = true;
      else if (k->hook != WM_HOOK_CABI_REALLOC) conv_alloc = true;
    }
    /* alloc with no free (the article's AssemblyScript guest) is tracked
    ** too: its blocks can never be given back, which the leak check and
    ** the exchange layer both say. */
    for (size_t i = 0; conv_alloc && i < sizeof known / sizeof *known; i++) {
      const known_fn *k = &known[i];
      if (k->family != FAM_CONV) continue;
      int64_t idx = find_func(mod, k->name);
      if (idx >= 0 && hook_func(c, idx, k->hook)) {
        fam[FAM_CONV] = true;
        ADD_NAME(k->name);
      }
    }
  }
  const char *what = fam[FAM_CONV] && !conv_free_found
                         ? "the exchange convention's alloc, with no free function: its blocks "
                           "cannot be given back"
                     : fam[FAM_AS] ? "AssemblyScript runtime, its TLSF allocator and objects"
                     : fam[FAM_RUST] ? "Rust global allocator"
                     : fam[FAM_LIBC] || fam[FAM_DL] ? "libc malloc/free"
                     : fam[FAM_SDK] ? "wasmem_guest.h allocator"
                     : fam[FAM_CONV] ? "the exchange convention's functions"
                     : NULL;
  if (!what) {
    const char *why = "allocator: not recognised; checking bounds and host ownership only";
    if (find_func(mod, "~lib/rt/stub/__new") >= 0)
      why = "allocator: AssemblyScript stub runtime, not tracked (it never frees); checking "
            "bounds and host ownership only";
    else if (as_runtime)
      why = "allocator: AssemblyScript runtime, not tracked: its allocator is not named (an "
            "optimised build inlines it; build with --debug and without -O to track its heap); "
            "checking bounds and host ownership only";
    snprintf(c->alloc_desc, sizeof c->alloc_desc, "%s", why);
    return false;
  }
  snprintf(c->alloc_desc, sizeof c->alloc_desc, "allocator: %s (%s)", what, names);
  c->dlmalloc_like = fam[FAM_RUST] || fam[FAM_LIBC] || fam[FAM_DL];
  c->as_heap = fam[FAM_AS];
  if (c->as_heap) {
    /* Garbage is not a leak: a full collection runs before the leak check. */
    static const char *const collect[] = {"~lib/rt/itcms/__collect", "~lib/rt/tcms/__collect",
                                          "__collect"};
    for (size_t i = 0; i < 3 && !c->as_collect; i++) {
      int64_t idx = find_func(mod, collect[i]);
      if (idx < mod->nfunc_imports || idx >= mod->nfuncs) continue;
      wm_func *fn = c->inst->funcs[idx];
      if (!fn->type->nparams && !fn->type->nresults) c->as_collect = fn;
    }
    if (!c->as_collect) {
      size_t n = strlen(c->alloc_desc);
      snprintf(c->alloc_desc + n, sizeof c->alloc_desc - n,
               "; no __collect compiled in, so none runs before the leak check");
    }
  }
  /* Functions of the exchange conventions are often wrappers the compiler
  ** also inlined into the guest's own code (the seed's sum_demo calls an
  ** inlined alloc): allocations made there are invisible, so the heap
  ** outside the blocks seen cannot be poisoned. */
  c->conv_only = fam[FAM_CONV];
  /* ... and, when there is a free function, blocks the guest's own code
  ** allocated or freed with the inlined pair are invisible too: a free of
  ** an unknown block, or a block allocated over a live one, is then not an
  ** error. (With alloc alone nothing can be given back: two live blocks
  ** at one address are an error, the article's AssemblyScript case.) */
  c->conv_unseen = fam[FAM_CONV] && conv_free_found;
  return true;
#undef ADD_NAME
}

/* Where the heap starts, and the data and stack regions: from __heap_base
** when the module names it, else from __stack_pointer's initial value when
** the stack lies above the data (wasm-ld's default layout: data, stack,
** heap). Returns false when the heap cannot be placed safely. */
static bool find_regions(wm_checker *c) {
  wm_instance *inst = c->inst;
  const wm_module *mod = inst->mod;
  uint64_t data_lo = UINT64_MAX, data_hi = 0;
  for (uint32_t i = 0; i < mod->ndatas; i++) {
    const wm_data *d = &mod->datas[i];
    if (d->mode != WM_SEG_ACTIVE || d->mem != 0) continue;
    uint64_t off = wm__eval_const(inst, &d->offset).u32;
    if (off < data_lo) data_lo = off;
    if (off + d->len > data_hi) data_hi = off + d->len;
  }
  if (data_lo == UINT64_MAX) data_lo = data_hi = 0;
  int64_t hb = find_global(mod, "__heap_base");
  int64_t de = find_global(mod, "__data_end");
  int64_t sp = find_global(mod, "__stack_pointer");
  if (de >= 0 && inst->globals[de]->type == WM_I32) data_hi = inst->globals[de]->val[0].u32;
  c->sp_global = sp >= 0 && inst->globals[sp]->type == WM_I32 && inst->globals[sp]->mut ? sp : -1;
  uint64_t sp0 = c->sp_global >= 0 ? inst->globals[sp]->val[0].u32 : 0;
  c->data_lo = data_lo;
  c->data_hi = data_hi;
  if (hb >= 0 && inst->globals[hb]->type == WM_I32) {
    c->heap_lo = inst->globals[hb]->val[0].u32;
    if (c->sp_global >= 0) {
      /* Stack first (Rust): [0, sp0); else between the data and the heap. */
      if (sp0 <= data_lo) c->stack_lo = 0, c->stack_hi = sp0;
      else c->stack_lo = data_hi, c->stack_hi = sp0;
      c->stack_known = true;
    }
    return true;
  }
  if (c->sp_global >= 0 && sp0 >= data_hi) {
    c->heap_lo = (sp0 + 15) & ~(uint64_t)15;
    c->stack_lo = data_hi;
    c->stack_hi = sp0;
    /* Without __data_end the zero-initialised data below the stack is not
    ** told apart from it: the stack's dead part is not excluded from the
    ** leak check's roots (conservative). */
    c->stack_known = de >= 0;
    return true;
  }
  c->heap_lo = UINT64_MAX;
  return false;
}

/* ------------------------------------------------------------ API */

int wm_checker_new(wm_runtime *rt, const wm_check_options *opts, wm_checker **out,
                   wm_error *err) {
  if (!rt || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_checker_new: NULL argument");
  *out = NULL;
  if (rt->checker)
    return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX, "this runtime already has a checker");
  wm_checker *c = wm__calloc(1, sizeof *c);
  if (!c) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (opts) c->opts = *opts;
  const char **names[3] = {&c->opts.alloc_fn, &c->opts.free_fn, &c->opts.realloc_fn};
  for (int i = 0; i < 3; i++) {
    if (!*names[i]) continue;
    char *d = wm__strndup(*names[i], strlen(*names[i]));
    if (!d) {
      for (int k = 0; k < i; k++) wm__free((char *)*names[k]);
      wm__free(c);
      return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    }
    *names[i] = d;
  }
  c->rt = rt;
  c->seed = 2463534242u;
  c->quarantine_max = c->opts.quarantine_bytes && c->opts.quarantine_bytes != SIZE_MAX
                          ? c->opts.quarantine_bytes : (size_t)16 << 20;
  c->depth_max = c->opts.backtrace_depth ? c->opts.backtrace_depth : 12;
  if (c->depth_max > WM_CHECK_MAX_DEPTH) c->depth_max = WM_CHECK_MAX_DEPTH;
  snprintf(c->alloc_desc, sizeof c->alloc_desc, "allocator: no instance attached");
  c->sp_global = -1;
  /* Built-in suppressions, as Valgrind ships for glibc: what a language's
  ** own start-up code allocates for the program's lifetime. wasi-libc's
  ** __main_void mallocs argv and its strings and keeps them only in its
  ** frame, so they look lost once main has returned. */
  static const char defaults[] = "leak-definite 1:__main_void\n"
                                 "leak-indirect 1:__main_void\n"
                                 "leak-possible 1:__main_void\n"
                                 "leak-reachable 1:__main_void\n";
  int rc = wm_checker_suppress(c, defaults, err);
  if (rc) {
    wm__checker_destroy(c);
    return rc;
  }
  rt->checker = c;
  *out = c;
  return 0;
}

wm_checker *wm_runtime_checker(wm_runtime *rt) { return rt ? rt->checker : NULL; }

const char *wm_checker_allocator(const wm_checker *c) { return c ? c->alloc_desc : ""; }

int wm_checker_attach(wm_checker *c, wm_instance *inst, wm_error *err) {
  if (!c || !inst) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_checker_attach: NULL argument");
  if (inst->rt != c->rt)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "the instance belongs to another runtime");
  if (!inst->mod->checked)
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "the module was not loaded with WM_MODULE_CHECKED");
  if (c->inst == inst) return 0; /* attached when it was made */
  if (c->inst)
    return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX,
                     "checking more than one instance per runtime is not supported yet");
  if (!inst->mod->nmems) {
    /* Nothing to check; the instance runs as usual. */
    c->inst = inst;
    snprintf(c->alloc_desc, sizeof c->alloc_desc, "no linear memory: nothing to check");
    return 0;
  }
  wm_memory *m = inst->mems[0];
  if (m->chk) return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX, "the memory is already checked");
  /* Its allocator's pointers would be i64s, which recognise() and the
  ** hooks do not read. */
  if (m->decl.is64)
    return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX,
                     "memory64 not supported by the heap checker yet: memory 0 is 64-bit");
  void *sh = mmap(NULL, m->reserved, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (sh == MAP_FAILED)
    return wm__error(err, WM_ENOMEM, UINT32_MAX, "cannot reserve %zu bytes of shadow memory",
                     m->reserved);
  c->inst = inst;
  c->mem = m;
  c->shadow = sh;
  c->shadow_len = m->reserved;
  bool have_heap = find_regions(c);
  c->tracking = recognise(c);
  if (c->tracking && !have_heap) {
    size_t n = strlen(c->alloc_desc);
    c->heap_lo = m->size; /* nothing below the current end is heap yet */
    c->heap_unknown = true;
    if (c->dlmalloc_like) {
      /* wasi-libc's and Rust's dlmalloc start their heap at __heap_base
      ** and hand out the lowest block first: the heap is taken to start
      ** there (on_alloc). */
      c->heap_lazy = true;
      snprintf(c->alloc_desc + n, sizeof c->alloc_desc - n, "; heap from the first block");
    } else {
      /* Blocks are tracked (frees, double frees, use after free), but
      ** nothing outside them is poisoned. */
      snprintf(c->alloc_desc + n, sizeof c->alloc_desc - n,
               "; heap start unknown: overflows past blocks not detected");
    }
  }
  /* A user-named allocator is trusted to be the whole allocator. */
  c->poison = c->tracking && !c->conv_only && (!c->heap_unknown || c->heap_lazy);
  if (c->tracking && c->conv_only) {
    size_t n = strlen(c->alloc_desc);
    snprintf(c->alloc_desc + n, sizeof c->alloc_desc - n,
             "; only these functions are seen, so the heap outside their blocks is not checked");
  }
  if (c->tracking && !c->heap_unknown) shadow_set(c, c->heap_lo, m->size - c->heap_lo, SH_HEAP);
  if (!c->tracking) c->heap_lo = m->size;
  m->chk = c;
  m->shadow = c->shadow;
  return 0;
}

void wm__check_auto_attach(wm_checker *c, wm_instance *inst) {
  if (!c->inst && !c->finished) (void)wm_checker_attach(c, inst, NULL);
}

void wm__checker_destroy(wm_checker *c) {
  if (!c) return;
  if (c->mem) {
    c->mem->chk = NULL;
    c->mem->shadow = NULL;
  }
  if (c->shadow) munmap(c->shadow, c->shadow_len);
  wm__free((char *)c->opts.alloc_fn);
  wm__free((char *)c->opts.free_fn);
  wm__free((char *)c->opts.realloc_fn);
  wm__free(c->blocks);
  wm__free(c->stacks);
  wm__free(c->frames);
  wm__free(c->rframes);
  wm__free(c->shash);
  wm__free(c->ctx);
  wm__chk_free_suppressions(c);
  wm__free(c);
}

/* A full collection of AssemblyScript's heap before the leak check: what
** the collector frees was garbage, not a leak (its frees are tracked as
** any other). A trapping collector is said in the allocator line. */
void wm__chk_collect(wm_checker *c) {
  if (!c->as_collect || !c->tracking || c->stopped || c->finished) return;
  const char *saved = c->host_label;
  c->host_label = "the full collection before the leak check";
  wm_error e;
  int rc = wm_func_call(c->rt, c->as_collect, NULL, 0, NULL, 0, &e);
  c->host_label = saved;
  if (rc) {
    size_t n = strlen(c->alloc_desc);
    snprintf(c->alloc_desc + n, sizeof c->alloc_desc - n,
             "; the full collection before the leak check trapped (%.*s): garbage may be "
             "counted as leaks",
             (int)strcspn(e.message, "\n"), e.message);
  }
}

/* check_leak.c reaches the block bookkeeping through these. */
void wm__chk_stop(wm_checker *c) {
  c->finished = true;
  if (c->mem) c->mem->shadow = NULL;
}
