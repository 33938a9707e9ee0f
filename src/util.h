/* SPDX-License-Identifier: MIT */
/*
** util.h -- small shared helpers: the one allocation hook, error filling,
** growable arrays and overflow-safe arithmetic. Every file may include it.
*/
#ifndef WM_UTIL_H
#define WM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wasmem.h"

/*
** All heap memory of the library goes through these. The test build can make
** the Nth allocation fail (wm__alloc_fail_after) to test every failure path.
** wm__free(NULL) is a no-op.
*/
void *wm__malloc(size_t n);
void *wm__calloc(size_t count, size_t size); /* zeroed; overflow-checked */
void *wm__realloc(void *p, size_t n);
void wm__free(void *p);
char *wm__strndup(const char *s, size_t n);
/* Fail the allocation after `n` more successful ones; -1 turns it off. */
void wm__alloc_fail_after(long n);
/* Tests only (exchange.c): the generation new block slots start at. */
void wm__guest_first_gen(uint32_t gen);

/*
** Fill err (if not NULL) and return code. offset is a module byte offset or
** UINT32_MAX. When fmt is NULL the message is wm_strerror(code).
*/
int wm__error(wm_error *err, int code, uint32_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int wm__verror(wm_error *err, int code, uint32_t offset, const char *fmt, va_list ap);

/*
** Grow an array so that it can hold at least `need` elements of `elsize`
** bytes; *cap is updated. Returns 0 or WM_ENOMEM (the array is unchanged).
** The test for room is inline: the compiler asks at every cell it emits
** (a tenth of a large module's lowering was calls that found room).
*/
int wm__grow_slow(void **arr, uint32_t *cap, uint32_t need, size_t elsize);
static inline int wm__grow(void **arr, uint32_t *cap, uint32_t need, size_t elsize) {
  return need <= *cap ? 0 : wm__grow_slow(arr, cap, need, elsize);
}

/*
** Memory for a large array that is written once and kept (a module's
** function table, a code cache file being read): an anonymous mapping 2
** MiB aligned and a multiple of 2 MiB long, asking for transparent huge
** pages, so that filling it costs a page fault per 2 MiB instead of one per
** 4 KiB (each about 10 us or more on virtual machines). Worth it from
** WM_HUGE_FROM bytes. The memory is zero; NULL when out of memory (the
** allocation hook applies). wm__unmap_huge(p, n) takes the same n.
*/
#define WM_HUGE_FROM ((size_t)256 << 10)
size_t wm__huge_len(size_t n);
void *wm__map_huge(size_t n);
void wm__unmap_huge(void *p, size_t n);

/* Overflow-safe range check: is [off, off+len) inside [0, size)? Written as
** `len <= size && off <= size - len` so that nothing can wrap. */
static inline int wm__in_range(uint64_t off, uint64_t len, uint64_t size) {
  return len <= size && off <= size - len;
}

/* Branch hints, and a small helper inlined even where the compiler's
** size heuristics would not (hot loops of the loader). */
#if defined(__GNUC__)
#define WM_LIKELY(x) __builtin_expect(!!(x), 1)
#define WM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define WM_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define WM_LIKELY(x) (x)
#define WM_UNLIKELY(x) (x)
#define WM_ALWAYS_INLINE inline
#endif

#endif
