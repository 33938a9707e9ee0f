/* SPDX-License-Identifier: MIT */
/*
** util.c -- the allocation hook, the error table's strings and error
** filling, growable arrays, huge-page mappings.
*/
#include "util.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wasmem needs a little-endian host (slots alias i32 and i64)"
#endif

/* Allocations left before an injected failure; negative means never.
** Atomic: a module's lowering-ahead thread allocates too. */
static _Atomic long fail_after = -1;

void wm__alloc_fail_after(long n) { atomic_store_explicit(&fail_after, n, memory_order_relaxed); }

static int should_fail(void) {
  long n = atomic_load_explicit(&fail_after, memory_order_relaxed);
  while (n > 0 && !atomic_compare_exchange_weak_explicit(&fail_after, &n, n - 1,
                                                         memory_order_relaxed,
                                                         memory_order_relaxed)) {
  }
  return n == 0;
}

void *wm__malloc(size_t n) {
  if (should_fail()) return NULL;
  return malloc(n ? n : 1);
}

void *wm__calloc(size_t count, size_t size) {
  if (should_fail()) return NULL;
  if (count == 0 || size == 0) return calloc(1, 1);
  return calloc(count, size); /* calloc checks count * size for overflow */
}

void *wm__realloc(void *p, size_t n) {
  if (should_fail()) return NULL;
  return realloc(p, n ? n : 1);
}

void wm__free(void *p) { free(p); }

char *wm__strndup(const char *s, size_t n) {
  char *r = wm__malloc(n + 1);
  if (!r) return NULL;
  memcpy(r, s, n);
  r[n] = 0;
  return r;
}

int wm__grow_slow(void **arr, uint32_t *cap, uint32_t need, size_t elsize) {
  if (need <= *cap) return 0;
  uint64_t ncap = *cap ? (uint64_t)*cap * 2 : 8;
  while (ncap < need) ncap *= 2;
  if (ncap > UINT32_MAX) ncap = UINT32_MAX;
  if (ncap * elsize > SIZE_MAX / 2) return WM_ENOMEM;
  void *p = wm__realloc(*arr, (size_t)ncap * elsize);
  if (!p) return WM_ENOMEM;
  *arr = p;
  *cap = (uint32_t)ncap;
  return 0;
}

#define HUGE_PAGE ((size_t)2 << 20)

size_t wm__huge_len(size_t n) { return n ? (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1) : HUGE_PAGE; }

void *wm__map_huge(size_t n) {
  if (should_fail() || n > SIZE_MAX - 2 * HUGE_PAGE) return NULL;
  size_t len = wm__huge_len(n);
  /* Map a page more and cut the ends off: what stays is aligned. */
  uint8_t *m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return NULL;
  uint8_t *a = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
  if (a > m) (void)munmap(m, (size_t)(a - m));
  if (m + len + HUGE_PAGE > a + len) (void)munmap(a + len, (size_t)(m + len + HUGE_PAGE - (a + len)));
#ifdef MADV_HUGEPAGE
  (void)madvise(a, len, MADV_HUGEPAGE);
#endif
  return a;
}

void wm__unmap_huge(void *p, size_t n) {
  if (p) (void)munmap(p, wm__huge_len(n));
}

const char *wm_version(void) { return WM_VERSION; }

/* ------------------------------------------------------------ error table */

const char *wm_strerror(int code) {
  switch (code) {
#define WM_ERR_MSG_(name, c, msg) case c: return msg;
    WM_ERRORS(WM_ERR_MSG_)
#undef WM_ERR_MSG_
  }
  return "unknown error";
}

const char *wm_errname(int code) {
  switch (code) {
#define WM_ERR_NAME_(name, c, msg) case c: return #name;
    WM_ERRORS(WM_ERR_NAME_)
#undef WM_ERR_NAME_
  }
  return "UNKNOWN";
}

bool wm_is_trap(int code) { return code <= WM_TRAP_UNREACHABLE && code >= WM_TRAP_ARRAY_OOB; }

int wm__verror(wm_error *err, int code, uint32_t offset, const char *fmt, va_list ap) {
  if (!err) return code;
  err->code = code;
  err->offset = offset;
  if (fmt)
    vsnprintf(err->message, sizeof err->message, fmt, ap);
  else
    snprintf(err->message, sizeof err->message, "%s", wm_strerror(code));
  return code;
}

int wm__error(wm_error *err, int code, uint32_t offset, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wm__verror(err, code, offset, fmt, ap);
  va_end(ap);
  return code;
}

/* ------------------------------------------------------------ values */

const char *wm_externkind_name(wm_externkind k) {
  switch (k) {
    case WM_EXTERN_FUNC: return "func";
    case WM_EXTERN_TABLE: return "table";
    case WM_EXTERN_MEMORY: return "memory";
    case WM_EXTERN_GLOBAL: return "global";
    case WM_EXTERN_TAG: return "tag";
  }
  return "?";
}

const char *wm_valtype_name(wm_valtype t) {
  switch (t) {
    case WM_I32: return "i32";
    case WM_I64: return "i64";
    case WM_F32: return "f32";
    case WM_F64: return "f64";
    case WM_V128: return "v128";
    case WM_FUNCREF: return "funcref";
    case WM_EXTERNREF: return "externref";
    case WM_EXNREF: return "exnref";
    case WM_ANYREF: return "anyref";
  }
  /* Typed references (WebAssembly 3.0): "(ref null $3)", "(ref func)". A
  ** few buffers per thread, so that a message may name two types. */
  static const char *const heaps[] = {"func",   "extern", "exn",    "nofunc", "noextern",
                                      "noexn",  "any",    "eq",     "i31",    "struct",
                                      "array",  "none"};
  static const uint8_t codes[] = {0x70, 0x6F, 0x69, 0x73, 0x72, 0x74,
                                  0x6E, 0x6D, 0x6C, 0x6B, 0x6A, 0x71};
  static _Thread_local char bufs[4][40];
  static _Thread_local unsigned next;
  uint32_t v = (uint32_t)t, idx = (v >> 9) & 0x3FFFFF;
  const char *heap = NULL;
  for (unsigned i = 0; i < sizeof codes; i++)
    if ((v & 0xFF) == codes[i]) heap = heaps[i];
  uint32_t h = v & 0xFF;
  if (!heap || (v >> 31) || (idx && h != 0x70 && h != 0x6B && h != 0x6A)) return "?";
  char *b = bufs[next++ % 4];
  if (idx)
    snprintf(b, sizeof bufs[0], "(ref %s$%u)", v & 0x100 ? "" : "null ", (unsigned)(idx - 1));
  else
    snprintf(b, sizeof bufs[0], "(ref %s%s)", v & 0x100 ? "" : "null ", heap);
  return b;
}

wm_val wm_val_f32(float v) {
  wm_val x;
  x.type = WM_F32;
  x.of.i64 = 0;
  memcpy(&x.of.f32_bits, &v, 4);
  return x;
}

wm_val wm_val_f64(double v) {
  wm_val x;
  x.type = WM_F64;
  memcpy(&x.of.f64_bits, &v, 8);
  return x;
}

wm_val wm_val_v128(const uint8_t bytes[16]) {
  wm_val x;
  x.type = WM_V128;
  memcpy(x.of.v128, bytes, 16);
  return x;
}

float wm_val_as_f32(wm_val v) {
  float f;
  memcpy(&f, &v.of.f32_bits, 4);
  return f;
}

double wm_val_as_f64(wm_val v) {
  double d;
  memcpy(&d, &v.of.f64_bits, 8);
  return d;
}
