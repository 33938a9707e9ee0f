/* SPDX-License-Identifier: MIT */
/*
** test_simd.c -- the two implementations of i8x16.shuffle and
** i8x16.swizzle in src/interp/simd.h (portable bytes, and SSSE3 where the
** build has it) against a reference written from the spec, on random and
** edge inputs. The spec tests run whichever path the machine takes; this
** runs both.
*/
#include "simd.h"

#include "check.h"

static uint32_t rng = 12345;
static uint8_t rnd8(void) {
  rng = rng * 1103515245u + 12345u;
  return (uint8_t)(rng >> 16);
}

static void fill(uint8_t *p, int n) {
  for (int i = 0; i < n; i++) p[i] = rnd8();
}

int main(void) {
#ifdef WM_HAVE_SSSE3_PATH
  /* The one CPUID the interpreter asks says what libgcc's dozen do. */
  CHECK(wm_has_ssse3() == (__builtin_cpu_supports("ssse3") != 0));
  CHECK(wm_has_ssse3() == wm_has_ssse3()); /* asked once, then remembered */
#endif
  for (int round = 0; round < 2000; round++) {
    wm_slot a[2], b[2], s[2], d[2];
    uint8_t ab[32], m[16], idx[16], want[16];
    fill(ab, 32);
    memcpy(a, ab, 16);
    memcpy(b, ab + 16, 16);
    /* Shuffle lane indexes are < 32 (validation); swizzle's are any byte,
    ** with the edges 15, 16, 127, 128 and 255 made common. */
    static const uint8_t edges[] = {0, 15, 16, 31, 127, 128, 255};
    for (int i = 0; i < 16; i++) {
      m[i] = rnd8() & 31;
      idx[i] = (rnd8() & 3) ? edges[rnd8() % 7] : rnd8();
    }
    memcpy(s, idx, 16);

    for (int i = 0; i < 16; i++) want[i] = ab[m[i]];
    wm_i8x16_shuffle_bytes(d, a, b, m);
    CHECK(memcmp(d, want, 16) == 0);
    wm_i8x16_shuffle(d, a, b, m);
    CHECK(memcmp(d, want, 16) == 0);
#ifdef WM_HAVE_SSSE3_PATH
    if (wm_has_ssse3()) {
      wm_i8x16_shuffle_ssse3(d, a, b, m);
      CHECK(memcmp(d, want, 16) == 0);
    }
#endif

    for (int i = 0; i < 16; i++) want[i] = idx[i] < 16 ? ab[idx[i]] : 0;
    wm_i8x16_swizzle_bytes(d, a, s);
    CHECK(memcmp(d, want, 16) == 0);
    wm_i8x16_swizzle(d, a, s);
    CHECK(memcmp(d, want, 16) == 0);
#ifdef WM_HAVE_SSSE3_PATH
    if (wm_has_ssse3()) {
      wm_i8x16_swizzle_ssse3(d, a, s);
      CHECK(memcmp(d, want, 16) == 0);
    }
#endif
    /* The destination may be an operand. */
    memcpy(d, a, 16);
    wm_i8x16_shuffle(d, d, b, m);
    for (int i = 0; i < 16; i++) want[i] = ab[m[i]];
    CHECK(memcmp(d, want, 16) == 0);
  }
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
