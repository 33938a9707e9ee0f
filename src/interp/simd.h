/* SPDX-License-Identifier: MIT */
/*
** simd.h -- the interpreter's view of SIMD: the lane arithmetic of both
** tiers (simd_lanes.h) and what only the interpreter uses, the SSSE3 forms
** of i8x16.shuffle and i8x16.swizzle chosen at run time.
*/
#ifndef WM_SIMD_H
#define WM_SIMD_H

#include "module.h"
#include "simd_lanes.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(WM_NO_SSSE3)
#include <cpuid.h>
#include <tmmintrin.h>
#define WM_HAVE_SSSE3_PATH 1

/* Whether the processor has SSSE3: asked once, when a shuffle first runs.
** Not __builtin_cpu_supports, which links libgcc's constructor that asks
** the processor a dozen questions at every start: each CPUID leaves a
** virtual machine, about 30 us of a 1 ms start here. A race only asks
** twice. */
static inline bool wm_has_ssse3(void) {
  static _Atomic int known; /* 0 not asked, 1 no, 2 yes */
  int k = atomic_load_explicit(&known, memory_order_relaxed);
  if (!k) {
    unsigned a, b, c, d;
    k = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) ? 2 : 1;
    atomic_store_explicit(&known, k, memory_order_relaxed);
  }
  return k == 2;
}

/* Two pshufb do i8x16.shuffle: an index of 16 or more becomes a byte
** with its top bit set, which pshufb turns into 0, in the half it does
** not come from. */
__attribute__((target("ssse3"))) static void wm_i8x16_shuffle_ssse3(wm_slot *d, const wm_slot *a,
                                                                    const wm_slot *b,
                                                                    const uint8_t *m) {
  __m128i va = _mm_loadu_si128((const __m128i *)(const void *)a);
  __m128i vb = _mm_loadu_si128((const __m128i *)(const void *)b);
  __m128i vm = _mm_loadu_si128((const __m128i *)(const void *)m);
  __m128i ia = _mm_or_si128(vm, _mm_cmpgt_epi8(vm, _mm_set1_epi8(15)));
  __m128i ib = _mm_sub_epi8(vm, _mm_set1_epi8(16)); /* 0..15 from b, else negative */
  __m128i r = _mm_or_si128(_mm_shuffle_epi8(va, ia), _mm_shuffle_epi8(vb, ib));
  _mm_storeu_si128((__m128i *)(void *)d, r);
}

/* Indexes of 16 and more saturate past 0x7F, so pshufb gives them 0. */
__attribute__((target("ssse3"))) static void wm_i8x16_swizzle_ssse3(wm_slot *d, const wm_slot *a,
                                                                    const wm_slot *s) {
  __m128i va = _mm_loadu_si128((const __m128i *)(const void *)a);
  __m128i vs = _mm_loadu_si128((const __m128i *)(const void *)s);
  __m128i r = _mm_shuffle_epi8(va, _mm_adds_epu8(vs, _mm_set1_epi8(0x70)));
  _mm_storeu_si128((__m128i *)(void *)d, r);
}
#endif

static inline void wm_i8x16_shuffle(wm_slot *d, const wm_slot *a, const wm_slot *b, const uint8_t *m) {
#ifdef WM_HAVE_SSSE3_PATH
  if (wm_has_ssse3()) {
    wm_i8x16_shuffle_ssse3(d, a, b, m);
    return;
  }
#endif
  wm_i8x16_shuffle_bytes(d, a, b, m);
}

static inline void wm_i8x16_swizzle(wm_slot *d, const wm_slot *a, const wm_slot *s) {
#ifdef WM_HAVE_SSSE3_PATH
  if (wm_has_ssse3()) {
    wm_i8x16_swizzle_ssse3(d, a, s);
    return;
  }
#endif
  wm_i8x16_swizzle_bytes(d, a, s);
}

#endif
