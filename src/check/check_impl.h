/* SPDX-License-Identifier: MIT */
/*
** check_impl.h -- the checker's own state, shared by check.c (tracking
** and errors) and check_leak.c (leak check, summaries, suppressions). Not
** for the rest of the library, which uses check.h.
*/
#ifndef WM_CHECK_IMPL_H
#define WM_CHECK_IMPL_H

#include <stdarg.h>
#include <stdio.h>

#include "check.h"
#include "util.h"

#define WM_CHECK_MAX_DEPTH 64

/* Block states. */
enum { B_UNUSED = 0, B_LIVE, B_FREED };

typedef struct chk_block {
  uint64_t addr, size;
  uint32_t alloc_st, free_st;  /* interned stacks (0: none) */
  uint32_t left, right, prio;  /* treap by address */
  uint32_t qnext, qprev;       /* quarantine order (qnext is the free-list
                               ** link when unused) */
  uint8_t state;               /* B_* */
  uint8_t host;                /* the host owns it (exchange API) */
  uint8_t mark;                /* leak check */
  /* Bytes in front of addr that are the allocator's header, accessible
  ** while the block lives: AssemblyScript's 4-byte TLSF header, or 20
  ** for an object (the TLSF header and the 16-byte object header; addr is
  ** then the object's address, the one AssemblyScript code uses). */
  uint8_t hdr;
  /* A freed block whose free was deferred: the free function and its
  ** arguments, to run when it leaves the quarantine. NULL when the
  ** allocator already took the memory back (realloc moved the block). */
  wm_func *free_fn;
  uint64_t free_args[4];
} chk_block;

typedef struct chk_stack {
  uint32_t first, n, hash;
  const char *host;
  bool inner;               /* host is the innermost, not the outermost */
  bool resolved;            /* its frames are in wm_checker.rframes too */
} chk_stack;

typedef struct strbuf {
  char buf[8192];
  size_t len;
} strbuf;

typedef struct chk_supp {
  wm_check_kind kind;     /* WM_CHECK_KIND_COUNT_: any kind */
  char *func;             /* pattern; may end in '*' */
  int frame;              /* the frame that must match, or -1: any */
} chk_supp;

struct wm_checker {
  wm_runtime *rt;
  wm_check_options opts;       /* names are owned copies */
  wm_instance *inst;
  wm_memory *mem;
  uint8_t *shadow;
  size_t shadow_len;

  /* Regions of the memory. */
  uint64_t heap_lo;            /* [heap_lo, size) is the heap */
  uint64_t data_lo, data_hi;
  uint64_t stack_lo, stack_hi; /* the shadow stack, grows down from stack_hi */
  bool stack_known;            /* its dead part may be left out of the roots */
  int64_t sp_global;           /* __stack_pointer's index, or -1 */
  bool heap_unknown;
  bool heap_lazy;              /* the heap starts at the first block */
  bool dlmalloc_like;          /* the allocator is dlmalloc underneath */
  bool conv_only;              /* only exchange-convention functions hooked */
  bool conv_unseen;            /* ... with a free: blocks may come and go unseen */
  bool poison;                 /* the heap outside blocks is SH_HEAP */
  bool as_heap;                /* AssemblyScript's runtime (TLSF + a collector) */
  wm_func *as_collect;         /* its full collection, run before the leak check */

  bool tracking;               /* an allocator is hooked */
  bool finished;
  bool stopped;                /* checking gave up (out of host memory) */
  bool leaks_known;            /* the leak check ran: marks are valid */
  int release_rc;              /* a deferred free trapped: its code ... */
  wm_error release_err;        /* ... and message, for the call that ran it */
  uint32_t depth;              /* inside a tracked call */
  const char *host_label;
  bool host_inner;             /* host_label names the accessing host code */
  char alloc_desc[512];

  chk_block *blocks; uint32_t nblocks, cap_blocks;
  uint32_t free_blocks, root, seed;
  uint32_t q_head, q_tail;
  uint64_t q_bytes;
  size_t quarantine_max;

  chk_stack *stacks; uint32_t nstacks, cap_stacks;
  wm_rawframe *frames; uint32_t nframes, cap_frames;
  wm_check_frame *rframes; uint32_t cap_rframes; /* resolved, same indexes */
  uint32_t *shash; uint32_t shash_cap;
  uint32_t depth_max;

  uint64_t *ctx; uint32_t nctx, ctx_cap; /* error contexts seen */
  chk_supp *supps; uint32_t nsupps, cap_supps;

  wm_check_summary sum;
  strbuf sb;                   /* the report being written */
};

/* check.c */
/* Append to b, printf-style; a full buffer keeps what fits. */
void wm__chk_put(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint32_t wm__chk_floor(const wm_checker *c, uint64_t addr);
wm_check_stack wm__chk_stack(wm_checker *c, uint32_t id);
void wm__chk_put_stack(strbuf *b, const wm_check_stack *s);
void wm__chk_emit(wm_checker *c, wm_check_report *r, strbuf *b);
void wm__chk_stop(wm_checker *c);
void wm__chk_collect(wm_checker *c);
/* check_leak.c */
bool wm__chk_suppressed(const wm_checker *c, wm_check_kind kind, const wm_check_stack *where);
void wm__chk_free_suppressions(wm_checker *c);

#endif
