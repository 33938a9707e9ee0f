/* SPDX-License-Identifier: MIT */
/*
** simd.h -- the lane arithmetic of the SIMD instructions (interp_simd.h),
** written with GCC/Clang vector extensions: the compiler turns them into
** SSE/AVX, NEON or plain scalar code for whatever it targets, so there is
** one implementation and no intrinsics to keep in step. A v128 is
** `wm_v128`, a union of the lane views; in the frame it lives in two
** slots, read and written with memcpy (slots are 8-byte aligned).
**
** Where wasm and C differ, lanes are handled one at a time: saturation,
** narrowing, float min/max (NaN and the sign of zero), rounding and
** conversions. Integer lane arithmetic runs on unsigned lanes, so that
** overflow wraps as wasm says.
*/
#ifndef WM_SIMD_H
#define WM_SIMD_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "module.h"
#include "numeric.h"

#define WM_VEC(t) __attribute__((vector_size(16))) t
typedef int8_t WM_VEC(wm_i8x16);
typedef uint8_t WM_VEC(wm_u8x16);
typedef int16_t WM_VEC(wm_i16x8);
typedef uint16_t WM_VEC(wm_u16x8);
typedef int32_t WM_VEC(wm_i32x4);
typedef uint32_t WM_VEC(wm_u32x4);
typedef int64_t WM_VEC(wm_i64x2);
typedef uint64_t WM_VEC(wm_u64x2);
typedef float WM_VEC(wm_f32x4);
typedef double WM_VEC(wm_f64x2);

typedef union wm_v128 {
  wm_i8x16 i8;
  wm_u8x16 u8;
  wm_i16x8 i16;
  wm_u16x8 u16;
  wm_i32x4 i32;
  wm_u32x4 u32;
  wm_i64x2 i64;
  wm_u64x2 u64;
  wm_f32x4 f32;
  wm_f64x2 f64;
  uint8_t b[16];
} wm_v128;

static inline wm_v128 wm_vget(const wm_slot *s) {
  wm_v128 v;
  memcpy(&v, s, 16);
  return v;
}

static inline void wm_vput(wm_slot *s, wm_v128 v) { memcpy(s, &v, 16); }

/* A v128 from an array of 16 bytes of lanes: lane loops write plain
** arrays, since writing lanes of a vector one at a time makes compilers
** patch a register lane by lane. */
static inline wm_v128 wm_vfrom(const void *lanes) {
  wm_v128 v;
  memcpy(&v, lanes, 16);
  return v;
}

/* Lane-wise select: bits of a where m is set, of b elsewhere. With a lane
** comparison as m it is min, max, pmin and pmax (a vector ?: is C++ only). */
static inline wm_u64x2 wm_vsel(wm_u64x2 m, wm_u64x2 a, wm_u64x2 b) { return (a & m) | (b & ~m); }

/* --- integer lanes, one at a time where C has no vector form ---------- */

static inline int32_t wm_sat_s(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The C type of the lanes of view f of a wm_v128 (i8, u16, f32...). */
#define WM_LANE_T(f) __typeof__(((wm_v128 *)0)->f[0])

#define WM_LANES(n, expr)                                                      \
  do {                                                                         \
    for (int i = 0; i < (n); i++) expr;                                        \
  } while (0)

static inline wm_v128 wm_i8x16_add_sat_s(wm_v128 a, wm_v128 b) {
  int8_t o[16 / sizeof(int8_t)];
  WM_LANES(16, o[i] = (int8_t)wm_sat_s(a.i8[i] + b.i8[i], -128, 127));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i8x16_sub_sat_s(wm_v128 a, wm_v128 b) {
  int8_t o[16 / sizeof(int8_t)];
  WM_LANES(16, o[i] = (int8_t)wm_sat_s(a.i8[i] - b.i8[i], -128, 127));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i16x8_add_sat_s(wm_v128 a, wm_v128 b) {
  int16_t o[16 / sizeof(int16_t)];
  WM_LANES(8, o[i] = (int16_t)wm_sat_s(a.i16[i] + b.i16[i], -32768, 32767));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i16x8_sub_sat_s(wm_v128 a, wm_v128 b) {
  int16_t o[16 / sizeof(int16_t)];
  WM_LANES(8, o[i] = (int16_t)wm_sat_s(a.i16[i] - b.i16[i], -32768, 32767));
  return wm_vfrom(o);
}
/* Unsigned saturation: a wrapped sum below a operand overflowed. */
static inline wm_v128 wm_i8x16_add_sat_u(wm_v128 a, wm_v128 b) {
  wm_v128 r = {0};
  r.u8 = a.u8 + b.u8;
  r.u8 |= (wm_u8x16)(r.u8 < a.u8);
  return r;
}
static inline wm_v128 wm_i8x16_sub_sat_u(wm_v128 a, wm_v128 b) {
  wm_v128 r = {0};
  r.u8 = (a.u8 - b.u8) & (wm_u8x16)(a.u8 >= b.u8);
  return r;
}
static inline wm_v128 wm_i16x8_add_sat_u(wm_v128 a, wm_v128 b) {
  wm_v128 r = {0};
  r.u16 = a.u16 + b.u16;
  r.u16 |= (wm_u16x8)(r.u16 < a.u16);
  return r;
}
static inline wm_v128 wm_i16x8_sub_sat_u(wm_v128 a, wm_v128 b) {
  wm_v128 r = {0};
  r.u16 = (a.u16 - b.u16) & (wm_u16x8)(a.u16 >= b.u16);
  return r;
}

static inline wm_v128 wm_i8x16_narrow_s(wm_v128 a, wm_v128 b) {
  int8_t o[16 / sizeof(int8_t)];
  WM_LANES(8, o[i] = (int8_t)wm_sat_s(a.i16[i], -128, 127));
  WM_LANES(8, o[8 + i] = (int8_t)wm_sat_s(b.i16[i], -128, 127));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i8x16_narrow_u(wm_v128 a, wm_v128 b) {
  uint8_t o[16 / sizeof(uint8_t)];
  WM_LANES(8, o[i] = (uint8_t)wm_sat_s(a.i16[i], 0, 255));
  WM_LANES(8, o[8 + i] = (uint8_t)wm_sat_s(b.i16[i], 0, 255));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i16x8_narrow_s(wm_v128 a, wm_v128 b) {
  int16_t o[16 / sizeof(int16_t)];
  WM_LANES(4, o[i] = (int16_t)wm_sat_s(a.i32[i], -32768, 32767));
  WM_LANES(4, o[4 + i] = (int16_t)wm_sat_s(b.i32[i], -32768, 32767));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i16x8_narrow_u(wm_v128 a, wm_v128 b) {
  uint16_t o[16 / sizeof(uint16_t)];
  WM_LANES(4, o[i] = (uint16_t)wm_sat_s(a.i32[i], 0, 65535));
  WM_LANES(4, o[4 + i] = (uint16_t)wm_sat_s(b.i32[i], 0, 65535));
  return wm_vfrom(o);
}

/* Widening: lanes from `half` (0 low, 1 high) of a, sign- or zero-extended. */
#define WM_EXTEND(name, n, dst, src)                                           \
  static inline wm_v128 name(wm_v128 a, int half) {                            \
    WM_LANE_T(dst) o[16 / sizeof(WM_LANE_T(dst))];                             \
    WM_LANES(n, o[i] = a.src[half * (n) + i]);                                 \
    return wm_vfrom(o);                                                        \
  }
WM_EXTEND(wm_i16x8_extend_s, 8, i16, i8)
WM_EXTEND(wm_i16x8_extend_u, 8, u16, u8)
WM_EXTEND(wm_i32x4_extend_s, 4, i32, i16)
WM_EXTEND(wm_i32x4_extend_u, 4, u32, u16)
WM_EXTEND(wm_i64x2_extend_s, 2, i64, i32)
WM_EXTEND(wm_i64x2_extend_u, 2, u64, u32)

/* Extended multiplication of one half of the lanes. Products are formed
** in the wider unsigned type (i16*i16 can overflow int32 only as
** -32768 * -32768 = 2^30, which fits; i32*i32 is done in 64 bits). */
#define WM_EXTMUL(name, n, dst, src, wide)                                     \
  static inline wm_v128 name(wm_v128 a, wm_v128 b, int half) {                 \
    WM_LANE_T(dst) o[16 / sizeof(WM_LANE_T(dst))];                             \
    WM_LANES(n, o[i] = (wide)a.src[half * (n) + i] * (wide)b.src[half * (n) + i]); \
    return wm_vfrom(o);                                                        \
  }
WM_EXTMUL(wm_i16x8_extmul_s, 8, i16, i8, int32_t)
WM_EXTMUL(wm_i16x8_extmul_u, 8, u16, u8, uint32_t)
WM_EXTMUL(wm_i32x4_extmul_s, 4, i32, i16, int32_t)
WM_EXTMUL(wm_i32x4_extmul_u, 4, u32, u16, uint32_t)
WM_EXTMUL(wm_i64x2_extmul_s, 2, i64, i32, int64_t)
WM_EXTMUL(wm_i64x2_extmul_u, 2, u64, u32, uint64_t)

#define WM_EXTADD(name, n, dst, src, wide)                                     \
  static inline wm_v128 name(wm_v128 a) {                                      \
    WM_LANE_T(dst) o[16 / sizeof(WM_LANE_T(dst))];                             \
    WM_LANES(n, o[i] = (wide)a.src[2 * i] + (wide)a.src[2 * i + 1]);           \
    return wm_vfrom(o);                                                        \
  }
WM_EXTADD(wm_i16x8_extadd_s, 8, i16, i8, int32_t)
WM_EXTADD(wm_i16x8_extadd_u, 8, u16, u8, uint32_t)
WM_EXTADD(wm_i32x4_extadd_s, 4, i32, i16, int32_t)
WM_EXTADD(wm_i32x4_extadd_u, 4, u32, u16, uint32_t)

static inline wm_v128 wm_i32x4_dot_s(wm_v128 a, wm_v128 b) {
  uint32_t o[16 / sizeof(uint32_t)];
  /* Two products of -32768 * -32768 sum to 2^31: wraps, as wasm says. */
  WM_LANES(4, o[i] = (uint32_t)(a.i16[2 * i] * b.i16[2 * i]) +
                         (uint32_t)(a.i16[2 * i + 1] * b.i16[2 * i + 1]));
  return wm_vfrom(o);
}

static inline wm_v128 wm_i16x8_q15mulr_sat_s(wm_v128 a, wm_v128 b) {
  int16_t o[16 / sizeof(int16_t)];
  WM_LANES(8, o[i] = (int16_t)wm_sat_s((a.i16[i] * b.i16[i] + 0x4000) >> 15, -32768, 32767));
  return wm_vfrom(o);
}

/* Relaxed dot products (docs/SIMD.md): both operands read as signed; each
** pair of products is added with i16 saturation, as the spec does (only
** -128*-128 twice saturates); the add form sums two such i16 lanes and c,
** wrapping in i32. */
static inline wm_v128 wm_i16x8_relaxed_dot(wm_v128 a, wm_v128 b) {
  int16_t o[16 / sizeof(int16_t)];
  WM_LANES(8, o[i] = (int16_t)wm_sat_s(a.i8[2 * i] * b.i8[2 * i] + a.i8[2 * i + 1] * b.i8[2 * i + 1],
                                           -32768, 32767));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i32x4_relaxed_dot_add(wm_v128 a, wm_v128 b, wm_v128 c) {
  wm_v128 d = wm_i16x8_relaxed_dot(a, b), r = {0};
  WM_LANES(4, r.u32[i] = (uint32_t)(d.i16[2 * i] + d.i16[2 * i + 1]) + c.u32[i]);
  return r;
}

static inline wm_v128 wm_i8x16_popcnt(wm_v128 a) {
  uint8_t o[16 / sizeof(uint8_t)];
  WM_LANES(16, o[i] = (uint8_t)__builtin_popcount(a.u8[i]));
  return wm_vfrom(o);
}

static inline wm_v128 wm_i8x16_avgr_u(wm_v128 a, wm_v128 b) {
  uint8_t o[16 / sizeof(uint8_t)];
  WM_LANES(16, o[i] = (uint8_t)((a.u8[i] + b.u8[i] + 1) >> 1));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i16x8_avgr_u(wm_v128 a, wm_v128 b) {
  uint16_t o[16 / sizeof(uint16_t)];
  WM_LANES(8, o[i] = (uint16_t)((a.u16[i] + b.u16[i] + 1) >> 1));
  return wm_vfrom(o);
}

/* abs on wrapping lanes: -INT_MIN stays INT_MIN. */
#define WM_VABS(U, a)                                                          \
  (((U)(a) ^ (U)((a) >> (sizeof((a)[0]) * 8 - 1))) - (U)((a) >> (sizeof((a)[0]) * 8 - 1)))

static inline uint32_t wm_bitmask8(wm_v128 a) {
  uint32_t m = 0;
  WM_LANES(16, m |= (uint32_t)(a.u8[i] >> 7) << i);
  return m;
}
static inline uint32_t wm_bitmask16(wm_v128 a) {
  uint32_t m = 0;
  WM_LANES(8, m |= (uint32_t)(a.u16[i] >> 15) << i);
  return m;
}
static inline uint32_t wm_bitmask32(wm_v128 a) {
  uint32_t m = 0;
  WM_LANES(4, m |= (a.u32[i] >> 31) << i);
  return m;
}
static inline uint32_t wm_bitmask64(wm_v128 a) {
  return (uint32_t)(a.u64[0] >> 63) | (uint32_t)(a.u64[1] >> 63) << 1;
}

/* i8x16.shuffle: a and b are 32 bytes in the frame (two v128 slot
** pairs), m the 16 lane indexes (validated < 32) in the instruction's
** cells. Plain bytes in and out: building the result in a vector register
** a byte at a time costs far more on most targets. On x86-64 with SSSE3
** (checked at run time: the build targets plain x86-64), two pshufb do it:
** an index of 16 or more becomes a byte with its top bit set, which pshufb
** turns into 0, in the half it does not come from. */
static inline void wm_i8x16_shuffle_bytes(wm_slot *d, const wm_slot *a, const wm_slot *b,
                                          const uint8_t *m) {
  uint8_t ab[32], r[16];
  memcpy(ab, a, 16);
  memcpy(ab + 16, b, 16);
  for (int i = 0; i < 16; i++) r[i] = ab[m[i]];
  memcpy(d, r, 16);
}

static inline void wm_i8x16_swizzle_bytes(wm_slot *d, const wm_slot *a, const wm_slot *s) {
  uint8_t x[16], idx[16], r[16];
  memcpy(x, a, 16);
  memcpy(idx, s, 16);
  for (int i = 0; i < 16; i++) r[i] = idx[i] < 16 ? x[idx[i]] : 0;
  memcpy(d, r, 16);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(WM_NO_SSSE3)
#include <tmmintrin.h>
#define WM_HAVE_SSSE3_PATH 1

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
  if (__builtin_cpu_supports("ssse3")) {
    wm_i8x16_shuffle_ssse3(d, a, b, m);
    return;
  }
#endif
  wm_i8x16_shuffle_bytes(d, a, b, m);
}

static inline void wm_i8x16_swizzle(wm_slot *d, const wm_slot *a, const wm_slot *s) {
#ifdef WM_HAVE_SSSE3_PATH
  if (__builtin_cpu_supports("ssse3")) {
    wm_i8x16_swizzle_ssse3(d, a, s);
    return;
  }
#endif
  wm_i8x16_swizzle_bytes(d, a, s);
}

/* --- float lanes -------------------------------------------------------- */

#define WM_FMAP(name, n, f, fn)                                                \
  static inline wm_v128 name(wm_v128 a) {                                      \
    WM_LANE_T(f) o[16 / sizeof(WM_LANE_T(f))];                                 \
    WM_LANES(n, o[i] = fn(a.f[i]));                                            \
    return wm_vfrom(o);                                                        \
  }
WM_FMAP(wm_f32x4_ceil, 4, f32, wm_f32_ceil)
WM_FMAP(wm_f32x4_floor, 4, f32, wm_f32_floor)
WM_FMAP(wm_f32x4_trunc, 4, f32, wm_f32_trunc)
WM_FMAP(wm_f32x4_nearest, 4, f32, wm_f32_nearest)
WM_FMAP(wm_f64x2_ceil, 2, f64, wm_f64_ceil)
WM_FMAP(wm_f64x2_floor, 2, f64, wm_f64_floor)
WM_FMAP(wm_f64x2_trunc, 2, f64, wm_f64_trunc)
WM_FMAP(wm_f64x2_nearest, 2, f64, wm_f64_nearest)
WM_FMAP(wm_f32x4_sqrt, 4, f32, wm_f32_sqrt)
WM_FMAP(wm_f64x2_sqrt, 2, f64, wm_f64_sqrt)

#define WM_FZIP(name, n, f, fn)                                                \
  static inline wm_v128 name(wm_v128 a, wm_v128 b) {                           \
    WM_LANE_T(f) o[16 / sizeof(WM_LANE_T(f))];                                 \
    WM_LANES(n, o[i] = fn(a.f[i], b.f[i]));                                    \
    return wm_vfrom(o);                                                        \
  }
WM_FZIP(wm_f32x4_min, 4, f32, wm_f32_min)
WM_FZIP(wm_f32x4_max, 4, f32, wm_f32_max)
WM_FZIP(wm_f64x2_min, 2, f64, wm_f64_min)
WM_FZIP(wm_f64x2_max, 2, f64, wm_f64_max)

/* Conversions. trunc_sat: NaN is 0, out-of-range saturates (numeric.h). */
static inline wm_v128 wm_i32x4_trunc_sat_f32_s(wm_v128 a) {
  int32_t o[16 / sizeof(int32_t)];
  WM_LANES(4, o[i] = wm_i32_trunc_sat_f32_s(a.f32[i]));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i32x4_trunc_sat_f32_u(wm_v128 a) {
  uint32_t o[16 / sizeof(uint32_t)];
  WM_LANES(4, o[i] = wm_i32_trunc_sat_f32_u(a.f32[i]));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i32x4_trunc_sat_f64_s(wm_v128 a) {
  int32_t o[4] = {0}; /* lanes 2 and 3 are zero */
  WM_LANES(2, o[i] = wm_i32_trunc_sat_f64_s(a.f64[i]));
  return wm_vfrom(o);
}
static inline wm_v128 wm_i32x4_trunc_sat_f64_u(wm_v128 a) {
  uint32_t o[4] = {0}; /* lanes 2 and 3 are zero */
  WM_LANES(2, o[i] = wm_i32_trunc_sat_f64_u(a.f64[i]));
  return wm_vfrom(o);
}
static inline wm_v128 wm_f32x4_demote(wm_v128 a) {
  float o[4] = {0}; /* lanes 2 and 3 are zero */
  WM_LANES(2, o[i] = (float)a.f64[i]);
  return wm_vfrom(o);
}
static inline wm_v128 wm_f64x2_promote(wm_v128 a) {
  double o[16 / sizeof(double)];
  WM_LANES(2, o[i] = (double)a.f32[i]);
  return wm_vfrom(o);
}
static inline wm_v128 wm_f64x2_convert_s(wm_v128 a) {
  double o[16 / sizeof(double)];
  WM_LANES(2, o[i] = (double)a.i32[i]);
  return wm_vfrom(o);
}
static inline wm_v128 wm_f64x2_convert_u(wm_v128 a) {
  double o[16 / sizeof(double)];
  WM_LANES(2, o[i] = (double)a.u32[i]);
  return wm_vfrom(o);
}

#endif
