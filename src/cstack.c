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

/* This thread's stack [lo, hi) as the thread library reports it, read
** once: pthread_getattr_np is slow for the main thread (it reads
** /proc/self/maps). lo == 0: unknown. */
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

uintptr_t wm__cstack_budget_floor(uintptr_t entry, size_t budget) {
  uintptr_t room = budget < entry ? (uintptr_t)budget : entry;
  return entry - room + WM_CSTACK_MARGIN;
}

uintptr_t wm__cstack_floor(uintptr_t entry) {
  if (!measured) measure();
  /* A frame outside the thread's stack runs on a stack of its own (a
  ** coroutine's), whose size nothing tells us. */
  if (stack_lo && entry > stack_lo && entry < stack_hi) return stack_lo + WM_CSTACK_MARGIN;
  return wm__cstack_budget_floor(entry, FALLBACK_BYTES);
}
