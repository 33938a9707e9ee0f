/* SPDX-License-Identifier: MIT */
/*
** cstack.c -- how deep calls from the host into wasm may nest on the C
** stack: the calling thread's stack bounds, measured once per thread, or
** a budget counted from the outermost entry. interp.c compares the current
** frame address against the floor computed here before each entry.
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>

#include "cstack.h"

/* Budget for a stack whose bounds are unknown. */
#define FALLBACK_BYTES ((uintptr_t)128 << 10)

/* This thread's stack [lo, hi) as the thread library reports it (lo == 0:
** unknown), read once per thread where the caller does not keep the
** answer: pthread_getattr_np is slow for the main thread (it reads
** /proc/self/maps). */
static _Thread_local uintptr_t stack_lo, stack_hi;
static _Thread_local bool measured;

static void measure(void) {
  measured = true;
#if defined(__linux__)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void *addr;
  size_t size;
  /* The reported range excludes the guard page(s). */
  if (pthread_attr_getstack(&attr, &addr, &size) == 0 && addr && size) {
    stack_lo = (uintptr_t)addr;
    stack_hi = stack_lo + size;
  }
  pthread_attr_destroy(&attr);
#endif
}

uintptr_t wm__cstack_floor(uintptr_t entry, uintptr_t *valid_lo, uintptr_t *valid_hi) {
  if (!measured) measure();
  if (stack_lo && entry > stack_lo && entry < stack_hi) {
    *valid_lo = stack_lo + 1;
    *valid_hi = stack_hi;
    return stack_lo + WM_CSTACK_MARGIN;
  }
  /* A frame outside the thread's stack runs on a stack of its own (a
  ** coroutine's), whose size nothing tells us. */
  *valid_lo = *valid_hi = 0;
  return wm__cstack_budget_floor(entry, FALLBACK_BYTES);
}
