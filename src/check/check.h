/* SPDX-License-Identifier: MIT */
/*
** check.h -- the guest heap checker's internal interface: what the
** interpreter, the runtime and the exchange layer call, and the snapshot the
** heap map is drawn from. The public side is "Guest heap checking" in
** wasmem.h; the implementation is check.c (tracking and errors),
** check_leak.c (leak check, reports and summaries) and check_svg.c (the
** heap map).
**
** Shadow memory: one byte per byte of linear memory, in an address range
** reserved as large as the memory's own reservation, so that it never moves
** either. 0 means "no objection" (data, stack, or a live block), anything
** else is poisoned (SH_*). The checked interpreter loop reads the shadow of
** each access as one integer of the access's width and calls
** wm__check_access only when it is not zero.
*/
#ifndef WM_CHECK_H
#define WM_CHECK_H

#include <stdio.h>

#include "runtime.h"

/* Shadow byte values. */
enum {
  SH_OK = 0,      /* accessible: outside the heap, or inside a live block */
  SH_HEAP = 1,    /* heap, not inside any block the allocator handed out */
  SH_FREED = 2    /* inside a freed block (quarantined) */
};

/* What a tracked function is (wm_func.hook). 0 means not tracked. */
enum {
  WM_HOOK_NONE = 0,
  WM_HOOK_MALLOC,         /* (size) -> ptr */
  WM_HOOK_CALLOC,         /* (n, size) -> ptr, zeroed */
  WM_HOOK_REALLOC,        /* (ptr, size) -> ptr */
  WM_HOOK_FREE,           /* (ptr, ...) */
  WM_HOOK_MEMALIGN,       /* aligned_alloc(align, size) -> ptr */
  WM_HOOK_POSIX_MEMALIGN, /* (ptr*, align, size) -> 0 or an errno */
  WM_HOOK_RUST_ALLOC,     /* (size, align) -> ptr */
  WM_HOOK_RUST_ALLOC_ZEROED,
  WM_HOOK_RUST_DEALLOC,   /* (ptr, size, align) */
  WM_HOOK_RUST_REALLOC,   /* (ptr, old_size, align, new_size) -> ptr */
  WM_HOOK_CABI_REALLOC,   /* (ptr, old_size, align, new_size) -> ptr */
  WM_HOOK_AS_NEW,         /* AssemblyScript __new(size, class id) -> object:
                          ** runs tracked; its TLSF block becomes an object */
  WM_HOOK_AS_RENEW,       /* AssemblyScript __renew(object, size) -> object */
  WM_HOOK_QUIET           /* allocator internals (malloc_usable_size...):
                          ** not tracked, but their accesses are not checked */
};

/* check.c: run hooked function f (f->hook != 0) with its arguments in
** args (slot form; results come back there), tracking what it does.
** Called by wm__interp_call for calls from the host and by the checked
** loop for calls from wasm, with rt->nframes up to date and rt->stack_top
** above everything live; ip is the calling instruction (NULL from the
** host). Returns 0 or a trap code; on a trap err holds the message. */
int wm__check_call(wm_runtime *rt, wm_func *f, wm_slot *args, const uint32_t *ip, wm_error *err);

/* check.c: the slow path of a checked load or store: the shadow of
** [ea, ea+n) is not all SH_OK. rt->nframes is up to date; ip is the
** instruction's. Reports unless the access is allowed (inside the
** allocator, or a partial word load at a block's end). */
void wm__check_access(wm_memory *m, uint64_t ea, uint32_t n, bool write, const uint32_t *ip);
/* check.c: a bulk access by memory.copy/fill/init, already bounds-checked. */
void wm__check_range(wm_memory *m, uint64_t ea, uint64_t n, bool write, const uint32_t *ip);
/* check.c: the memory grew from old_size bytes (runtime.c). */
void wm__check_grow(wm_memory *m, uint64_t old_size);
/* check.c: a host access through the exchange API (what = the function). */
void wm__check_host_access(wm_memory *m, uint64_t ptr, uint64_t len, bool write, const char *what);
/* check.c: the exchange layer took (owned = true) or gave up (false) the
** host's ownership of the block at ptr. */
void wm__check_host_owns(wm_memory *m, uint64_t ptr, bool owned);
/* check.c: name the host entry point for the stacks of what follows;
** returns the previous name (restore it after). NULL rt checker: no-op. */
const char *wm__check_host_label(wm_runtime *rt, const char *label);
/* check.c: attach c to inst if it watches nothing yet (instance.c, before
** the start function runs); a later wm_checker_attach of inst is a no-op. */
void wm__check_auto_attach(wm_checker *c, wm_instance *inst);
/* check.c: free everything of the runtime's checker (wm_runtime_free). */
void wm__checker_destroy(wm_checker *c);

/* A frame as captured: the function and where in its code (NULL: at its
** start). Resolved to a wm_check_frame (index, byte offset, name) only when
** a report needs it, so capturing at every allocation stays cheap. */
typedef struct wm_rawframe {
  const wm_func *fn;
  const uint32_t *ip;
} wm_rawframe;

/* interp.c: the frames of the running activations, innermost first, the
** innermost at ip (NULL: at its function's start), at most max. Returns
** how many were written. */
uint32_t wm__capture_stack(const wm_runtime *rt, const uint32_t *ip, wm_rawframe *out,
                           uint32_t max);
/* interp.c: the index, module byte offset and name of a captured frame. */
void wm__resolve_frame(const wm_rawframe *r, wm_check_frame *out);
/* interp.c: a function's name for reports: the name section's, else an
** export's, else NULL. */
const char *wm__func_label(const wm_module *mod, uint32_t idx);
/* interp.c: wm__interp_call without the tracking of hooked functions. */
int wm__interp_call_plain(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err);

/* ------------------------------------------------------------ heap map */

/* A block as the heap map draws it. */
enum { HM_LIVE, HM_HOST, HM_FREED, HM_LEAKED };
typedef struct wm__hm_block {
  uint64_t addr, size;
  uint8_t state;          /* HM_* */
} wm__hm_block;

/* A snapshot of one linear memory: its regions and every block, sorted by
** address, blocks not overlapping. Any region may be empty (lo == hi). */
typedef struct wm__heapview {
  const char *title;      /* e.g. "seed.wasm after upper" */
  uint64_t mem_size;      /* bytes */
  uint64_t data_lo, data_hi;   /* static data */
  uint64_t stack_lo, stack_hi; /* the shadow stack */
  uint64_t heap_lo;            /* the heap: [heap_lo, mem_size) */
  const wm__hm_block *blocks;
  size_t nblocks;
} wm__heapview;

/* check_svg.c: draw v as a self-contained SVG document. Big memories are
** summarised (blocks too small to see at the scale are merged into runs
** coloured by their dominant state, leaked whenever any byte leaked), so
** the output stays under ~2 MB whatever the number of blocks. Returns 0,
** or -1 on a write error. */
int wm__heapmap_svg(const wm__heapview *v, FILE *out);

#endif
