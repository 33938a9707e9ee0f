/* SPDX-License-Identifier: MIT */
/*
** wasmem_guest.h -- the guest side of wasmem's data exchange, for C modules
** compiled to wasm32 with clang: export macros, the standard alloc/dealloc pair
** a host finds by name, and helpers to hand (ptr, len) results back.
*/
#ifndef WASMEM_GUEST_H
#define WASMEM_GUEST_H

/*
** Use
** ---
** Include this header everywhere; in exactly one .c file define
** WM_GUEST_IMPLEMENTATION first, which defines the allocator and exports it:
**
**   #define WM_GUEST_IMPLEMENTATION
**   #include "wasmem_guest.h"
**
**   WM_EXPORT(array_sum) uint32_t array_sum(const uint8_t *p, uint32_t n) {...}
**
** Builds (see examples/seed/build.sh):
**   freestanding:  clang-14 --target=wasm32 -O2 -nostdlib -Wl,--no-entry -I include m.c
**   wasi-libc:     clang-14 --target=wasm32-wasi -O2 -mexec-model=reactor
**                  -Wl,--strip-debug -I include m.c
**   multi-value:   add -mmultivalue -Xclang -target-abi -Xclang experimental-mv
**
** The allocator convention (the seed article's, which wasmem detects from
** the export names):
**   alloc(len: i32) -> ptr: i32      a fresh block of len bytes, 8-aligned;
**                                    0 when memory cannot grow. alloc(0)
**                                    returns a valid, distinct block.
**   dealloc(ptr: i32, len: i32)      gives the block back; dealloc(0, _) is a
**                                    no-op. Freeing a block that is not in
**                                    use (a double free) traps (unreachable)
**                                    in the freestanding allocator instead of
**                                    corrupting the heap.
** With wasi-libc (__wasi__ defined, or WM_GUEST_USE_LIBC) the pair is a thin
** wrapper on malloc/free, and the module also exports malloc/free itself only
** if you ask the linker to (-Wl,--export=malloc -Wl,--export=free).
** Define WM_GUEST_NO_EXPORTS to keep the pair as plain C functions
** (wm_guest_alloc/wm_guest_free) without exporting alloc/dealloc.
**
** Result conventions (the names are those of `wasmem call --result`):
**   same-len  return the pointer only; the result has the input's length.
**   i64       return wm_guest_pack(p, len): ptr in the low 32 bits, len in
**             the high 32 bits.
**   out-ptr   the host passes, as the last parameter, the address of 8
**             bytes of guest memory; store {ptr, len} there with
**             wm_guest_ret_out() and return nothing.
**   pair      return a wm_guest_pair by value. With the multi-value ABI
**             flags above clang returns it as two i32 results (ptr, len);
**             without them the C ABI passes a hidden *first* out-pointer
**             instead, so build with the flags when you mean `pair`.
**   cstr      return a pointer to NUL-terminated bytes.
** In every case the block returned is the host's to free with dealloc(ptr,
** len) once it has read it (wasmem does that for `wasmem call`).
**
** The freestanding build has no libc, so this file also defines memcpy,
** memmove and memset (clang emits calls to them for struct copies and for
** loops it recognises) unless WM_GUEST_NO_MEMFUNCS is defined.
*/

#include <stddef.h>
#include <stdint.h>

#if !defined(__wasm32__)
#error "wasmem_guest.h is for wasm32 guests (clang --target=wasm32 or wasm32-wasi)"
#endif

#if defined(__wasi__) && !defined(WM_GUEST_USE_LIBC)
#define WM_GUEST_USE_LIBC 1
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Export a function under its own C name: WM_EXPORT(upper) uint8_t *upper(...). */
#define WM_EXPORT(name) __attribute__((export_name(#name), visibility("default")))
/* Export under a different name than the C function's. */
#define WM_EXPORT_AS(str) __attribute__((export_name(str), visibility("default")))

/* The allocator behind alloc/dealloc, callable from guest code. Never
** inlined, so that `wasmem check` sees every allocation and free by these
** names, wherever the guest calls them from. */
__attribute__((noinline)) void *wm_guest_alloc(size_t len);
__attribute__((noinline)) void wm_guest_free(void *ptr, size_t len);

/* A (ptr, len) pair, as the `pair` and `out-ptr` conventions lay it out:
** two little-endian u32, ptr first. */
typedef struct wm_guest_pair {
  uint32_t ptr;
  uint32_t len;
} wm_guest_pair;

static inline wm_guest_pair wm_guest_make_pair(const void *p, size_t len) {
  wm_guest_pair r;
  r.ptr = (uint32_t)(uintptr_t)p;
  r.len = (uint32_t)len;
  return r;
}

/* `i64`: ptr in the low half, len in the high half. */
static inline uint64_t wm_guest_pack(const void *p, size_t len) {
  return (uint64_t)(uint32_t)(uintptr_t)p | ((uint64_t)(uint32_t)len << 32);
}

/* `out-ptr`: store {ptr, len} at the host-provided address. */
static inline void wm_guest_ret_out(wm_guest_pair *out, const void *p, size_t len) {
  out->ptr = (uint32_t)(uintptr_t)p;
  out->len = (uint32_t)len;
}

/* A copy of n bytes in a fresh block (NULL if out of memory), for results
** the host will own. */
static inline uint8_t *wm_guest_dup(const void *src, size_t n) {
  uint8_t *p = (uint8_t *)wm_guest_alloc(n);
  if (p)
    for (size_t i = 0; i < n; i++) p[i] = ((const uint8_t *)src)[i];
  return p;
}

#ifdef __cplusplus
}
#endif

/* ------------------------------------------------------------ implementation */
#ifdef WM_GUEST_IMPLEMENTATION

#ifdef WM_GUEST_USE_LIBC
#include <stdlib.h>

/* malloc(0) may return NULL, which the host would read as out-of-memory. */
void *wm_guest_alloc(size_t len) { return malloc(len ? len : 1); }
void wm_guest_free(void *ptr, size_t len) { (void)len; free(ptr); }

#else /* freestanding */

/*
** A first-fit free-list allocator on linear memory past __heap_base. Each
** block has an 8-byte header {size, state} in front of it; size counts the
** payload (a multiple of 8). Free blocks are kept on an address-ordered list
** and merged with free neighbours, so alternating alloc/dealloc of the same
** sizes -- the host's pattern -- reuses memory instead of growing it. The
** state word tells used blocks from free ones, so a double free or a free of
** a pointer alloc never returned is caught (trap) rather than corrupting the
** list. Single-threaded, like every wasm32 guest without threads.
*/
typedef struct wm__gblock {
  uint32_t size;               /* payload bytes */
  uint32_t state;              /* WM__GUSED or WM__GFREE */
  struct wm__gblock *next;     /* free blocks only: lives in the payload */
} wm__gblock;

#define WM__GUSED 0x75736564u  /* "used" */
#define WM__GFREE 0x66726565u  /* "free" */
#define WM__GHDR 8u

extern unsigned char __heap_base;
static uintptr_t wm__gtop;        /* first byte never handed out */
static wm__gblock *wm__gfree;     /* free list, by address */

static wm__gblock *wm__ghdr(void *p) { return (wm__gblock *)((uintptr_t)p - WM__GHDR); }

void *wm_guest_alloc(size_t len) {
  if (len > 0x7fffff00u) return 0;
  uint32_t need = (uint32_t)((len + 7) & ~(size_t)7);
  if (need < 8) need = 8; /* room for the free-list link */
  wm__gblock **pp = &wm__gfree;
  for (wm__gblock *b = wm__gfree; b; pp = &b->next, b = b->next) {
    if (b->size < need) continue;
    if (b->size >= need + WM__GHDR + 8) { /* split: the tail stays free */
      wm__gblock *rest = (wm__gblock *)((uintptr_t)b + WM__GHDR + need);
      rest->size = b->size - need - WM__GHDR;
      rest->state = WM__GFREE;
      rest->next = b->next;
      *pp = rest;
      b->size = need;
    } else {
      *pp = b->next;
    }
    b->state = WM__GUSED;
    return (uint8_t *)b + WM__GHDR;
  }
  if (!wm__gtop) wm__gtop = ((uintptr_t)&__heap_base + 7) & ~(uintptr_t)7;
  uintptr_t start = wm__gtop, end = start + WM__GHDR + need;
  if (end < start) return 0;
  uint64_t have = (uint64_t)__builtin_wasm_memory_size(0) * 65536u; /* 4 GiB fits */
  if (end > have) {
    size_t pages = (size_t)((end - have + 65535u) / 65536u);
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
  }
  wm__gtop = end;
  wm__gblock *b = (wm__gblock *)start;
  b->size = need;
  b->state = WM__GUSED;
  return (uint8_t *)b + WM__GHDR;
}

void wm_guest_free(void *ptr, size_t len) {
  (void)len; /* the header knows the size; len is for allocators that need it */
  if (!ptr) return;
  uintptr_t a = (uintptr_t)ptr;
  uintptr_t lo = ((uintptr_t)&__heap_base + 7) & ~(uintptr_t)7;
  if ((a & 7) || a < lo + WM__GHDR || a >= wm__gtop) __builtin_trap(); /* never allocated */
  wm__gblock *b = wm__ghdr(ptr);
  if (b->state != WM__GUSED) __builtin_trap(); /* double free, or not a block start */
  b->state = WM__GFREE;
  wm__gblock *prev = 0, *cur = wm__gfree;
  while (cur && cur < b) { prev = cur; cur = cur->next; }
  b->next = cur;
  if (prev) prev->next = b; else wm__gfree = b;
  /* merge with the next block, then with the previous one */
  if (cur && (uintptr_t)b + WM__GHDR + b->size == (uintptr_t)cur) {
    b->size += WM__GHDR + cur->size;
    b->next = cur->next;
  }
  if (prev && (uintptr_t)prev + WM__GHDR + prev->size == (uintptr_t)b) {
    prev->size += WM__GHDR + b->size;
    prev->next = b->next;
  }
}

#ifndef WM_GUEST_NO_MEMFUNCS
/* no_builtin keeps clang from turning these loops back into calls to
** themselves. */
__attribute__((no_builtin)) void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *dp = (uint8_t *)d;
  const uint8_t *sp = (const uint8_t *)s;
  while (n--) *dp++ = *sp++;
  return d;
}
__attribute__((no_builtin)) void *memmove(void *d, const void *s, size_t n) {
  uint8_t *dp = (uint8_t *)d;
  const uint8_t *sp = (const uint8_t *)s;
  if (dp < sp)
    while (n--) *dp++ = *sp++;
  else
    while (n--) dp[n] = sp[n];
  return d;
}
__attribute__((no_builtin)) void *memset(void *d, int c, size_t n) {
  uint8_t *dp = (uint8_t *)d;
  while (n--) *dp++ = (uint8_t)c;
  return d;
}
#endif /* WM_GUEST_NO_MEMFUNCS */

#endif /* WM_GUEST_USE_LIBC */

#ifndef WM_GUEST_NO_EXPORTS
WM_EXPORT(alloc) void *alloc(uint32_t len) { return wm_guest_alloc(len); }
WM_EXPORT(dealloc) void dealloc(void *ptr, uint32_t len) { wm_guest_free(ptr, len); }
#endif

#endif /* WM_GUEST_IMPLEMENTATION */
#endif /* WASMEM_GUEST_H */
