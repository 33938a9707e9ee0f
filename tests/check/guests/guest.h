/* SPDX-License-Identifier: MIT */
/*
** guest.h -- what the C test guests of `wasmem check` share (c_free.c,
** c_simd.c, c_wasi.c; each is one translation unit): a volatile global
** that observed values go to, so that -O1 keeps the loads that produce
** them, and opaque(), which launders a pointer through a volatile global
** (then cleared, so it keeps no block reachable) so that the compiler
** cannot reason about an allocation (a malloc/free pair whose block is
** never used can otherwise be deleted).
*/
#ifndef WM_TEST_GUEST_H
#define WM_TEST_GUEST_H

#include <stddef.h>
#include <stdint.h>

volatile uint32_t g_sink;

static void *volatile g_launder;
static void *opaque(void *p) {
  g_launder = p;
  void *r = g_launder;
  g_launder = 0;
  return r;
}

/* p (a fresh block of n bytes) laundered, each byte written. */
static uint8_t *filled(void *p, size_t n) {
  uint8_t *b = (uint8_t *)opaque(p);
  volatile uint8_t *v = b;
  for (size_t i = 0; i < n; i++) v[i] = (uint8_t)(i + 1);
  return b;
}

#endif
