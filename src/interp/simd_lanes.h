/* SPDX-License-Identifier: MIT */
/*
** simd_lanes.h -- the lane arithmetic of the SIMD instructions, written
** with GCC/Clang vector extensions: the compiler turns them into SSE/AVX,
** NEON or plain scalar code for whatever it targets, so there is one
** implementation and no intrinsics to keep in step. A v128 is `wm_v128`,
** a union of the lane views; in the frame it lives in two slots, read and
** written with memcpy (slots are 8-byte aligned).
**
** Both tiers use this file: the interpreter's handlers (interp_simd.h,
** through simd.h) and the C that the ahead-of-time translator writes
** (src/aot/aot_simd.c), which copies it in as text after numeric.h
** (cmake/embed_text.cmake drops the include of numeric.h). So it includes
** only the C library's headers and numeric.h, and every instruction whose
** result is a function of its v128 operands is one function here,
** `wm_v_NAME` (NAME as in ops_simd.h), made from the tables at the end.
**
** Where wasm and C differ, lanes are handled one at a time: saturation,
** narrowing, float min/max (NaN and the sign of zero), rounding and
** conversions. Integer lane arithmetic runs on unsigned lanes, so that
** overflow wraps as wasm says.
*/
#ifndef WM_SIMD_LANES_H
#define WM_SIMD_LANES_H

#include <math.h>
#include <stdint.h>
#include <string.h>

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

/* A v128 from 16 bytes (two slots, memory) and back. */
static inline wm_v128 wm_vget(const void *s) {
  wm_v128 v;
  memcpy(&v, s, 16);
  return v;
}

static inline void wm_vput(void *s, wm_v128 v) { memcpy(s, &v, 16); }

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
#define WM_VSEL(m, x, y) ((wm_u64x2)wm_vsel((wm_u64x2)(m), (x).u64, (y).u64))

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

/* i8x16.shuffle: a and b are 32 bytes (in the frame: two v128 slot
** pairs), m the 16 lane indexes (validated < 32; in the interpreter, the
** instruction's cells). Plain bytes in and out: building the result in a
** vector register a byte at a time costs far more on most targets (simd.h
** has the interpreter's SSSE3 form). d may be a or b. */
static inline void wm_i8x16_shuffle_bytes(void *d, const void *a, const void *b,
                                          const uint8_t *m) {
  uint8_t ab[32], r[16];
  memcpy(ab, a, 16);
  memcpy(ab + 16, b, 16);
  for (int i = 0; i < 16; i++) r[i] = ab[m[i]];
  memcpy(d, r, 16);
}

static inline void wm_i8x16_swizzle_bytes(void *d, const void *a, const void *s) {
  uint8_t x[16], idx[16], r[16];
  memcpy(x, a, 16);
  memcpy(idx, s, 16);
  for (int i = 0; i < 16; i++) r[i] = idx[i] < 16 ? x[idx[i]] : 0;
  memcpy(d, r, 16);
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

/* --- loads: r from the bytes at p (as many as the load reads) ---------- */

#define WM_VLOAD_EXT(name, n, dst, src)                                        \
  static inline wm_v128 wm_vl_##name(const uint8_t *p) {                       \
    wm_v128 r;                                                                 \
    __typeof__(r.src[0]) t_[n];                                                \
    __typeof__(r.dst) v_ = {0};                                                \
    memcpy(t_, p, 8);                                                          \
    WM_LANES(n, v_[i] = t_[i]);                                                \
    r.dst = v_;                                                                \
    return r;                                                                  \
  }
#define WM_VLOAD_SPLAT(name, n, field, T)                                      \
  static inline wm_v128 wm_vl_##name(const uint8_t *p) {                       \
    wm_v128 r;                                                                 \
    T t_;                                                                      \
    memcpy(&t_, p, n);                                                         \
    r.field = (__typeof__(r.field)){0} + t_;                                   \
    return r;                                                                  \
  }
static inline wm_v128 wm_vl_V128_LOAD(const uint8_t *p) { return wm_vget(p); }
WM_VLOAD_EXT(V128_LOAD8X8_S, 8, i16, i8)
WM_VLOAD_EXT(V128_LOAD8X8_U, 8, u16, u8)
WM_VLOAD_EXT(V128_LOAD16X4_S, 4, i32, i16)
WM_VLOAD_EXT(V128_LOAD16X4_U, 4, u32, u16)
WM_VLOAD_EXT(V128_LOAD32X2_S, 2, i64, i32)
WM_VLOAD_EXT(V128_LOAD32X2_U, 2, u64, u32)
WM_VLOAD_SPLAT(V128_LOAD8_SPLAT, 1, u8, uint8_t)
WM_VLOAD_SPLAT(V128_LOAD16_SPLAT, 2, u16, uint16_t)
WM_VLOAD_SPLAT(V128_LOAD32_SPLAT, 4, u32, uint32_t)
WM_VLOAD_SPLAT(V128_LOAD64_SPLAT, 8, u64, uint64_t)
static inline wm_v128 wm_vl_V128_LOAD32_ZERO(const uint8_t *p) {
  wm_v128 r;
  memset(&r, 0, 16);
  memcpy(&r, p, 4);
  return r;
}
static inline wm_v128 wm_vl_V128_LOAD64_ZERO(const uint8_t *p) {
  wm_v128 r;
  memset(&r, 0, 16);
  memcpy(&r, p, 8);
  return r;
}
#undef WM_VLOAD_EXT
#undef WM_VLOAD_SPLAT

/* --- splats, extract_lane, replace_lane: scalars as their bits --------- */

/* Splat: the scalar's bits (an i32 for i8 and i16 lanes), so that float
** payloads survive. */
#define WM_VSPLAT(name, field, T)                                              \
  static inline wm_v128 wm_vs_##name(uint64_t x) {                             \
    wm_v128 r;                                                                 \
    r.field = (__typeof__(r.field)){0} + (T)x;                                 \
    return r;                                                                  \
  }
WM_VSPLAT(I8X16_SPLAT, u8, uint8_t)
WM_VSPLAT(I16X8_SPLAT, u16, uint16_t)
WM_VSPLAT(I32X4_SPLAT, u32, uint32_t)
WM_VSPLAT(I64X2_SPLAT, u64, uint64_t)
WM_VSPLAT(F32X4_SPLAT, u32, uint32_t)
WM_VSPLAT(F64X2_SPLAT, u64, uint64_t)
#undef WM_VSPLAT

/* Extract: the lane's bits as the slot holds them (an i32 zero-extended
** to 64 bits, the signed forms sign-extended to 32 first). */
static inline uint64_t wm_vx_I8X16_EXTRACT_LANE_S(wm_v128 a, uint32_t l) { return (uint32_t)(int32_t)a.i8[l]; }
static inline uint64_t wm_vx_I8X16_EXTRACT_LANE_U(wm_v128 a, uint32_t l) { return a.u8[l]; }
static inline uint64_t wm_vx_I16X8_EXTRACT_LANE_S(wm_v128 a, uint32_t l) { return (uint32_t)(int32_t)a.i16[l]; }
static inline uint64_t wm_vx_I16X8_EXTRACT_LANE_U(wm_v128 a, uint32_t l) { return a.u16[l]; }
static inline uint64_t wm_vx_I32X4_EXTRACT_LANE(wm_v128 a, uint32_t l) { return a.u32[l]; }
static inline uint64_t wm_vx_I64X2_EXTRACT_LANE(wm_v128 a, uint32_t l) { return a.u64[l]; }
static inline uint64_t wm_vx_F32X4_EXTRACT_LANE(wm_v128 a, uint32_t l) { return a.u32[l]; }
static inline uint64_t wm_vx_F64X2_EXTRACT_LANE(wm_v128 a, uint32_t l) { return a.u64[l]; }

/* Replace: lane l of a becomes the low bits of x. */
#define WM_VREPLACE(name, field, T)                                            \
  static inline wm_v128 wm_vr_##name(wm_v128 a, uint64_t x, uint32_t l) {      \
    a.field[l] = (T)x;                                                         \
    return a;                                                                  \
  }
WM_VREPLACE(I8X16_REPLACE_LANE, u8, uint8_t)
WM_VREPLACE(I16X8_REPLACE_LANE, u16, uint16_t)
WM_VREPLACE(I32X4_REPLACE_LANE, u32, uint32_t)
WM_VREPLACE(I64X2_REPLACE_LANE, u64, uint64_t)
WM_VREPLACE(F32X4_REPLACE_LANE, u32, uint32_t)
WM_VREPLACE(F64X2_REPLACE_LANE, u64, uint64_t)
#undef WM_VREPLACE

/* --- the instructions of v128 operands, as tables ----------------------- */

/* X(NAME, stmt): `stmt` computes r from a (UN), a and b (BIN), a, b and c
** (TERN); TEST gives an i32 of a; SHIFT is X(NAME, lane field, lane type,
** operator), the count masked to the lane's bits. Relaxed SIMD takes the
** deterministic answer (docs/SIMD.md); the relaxed instructions with a
** non-relaxed twin are not here (compile_simd.c's wm__simd_twin). */

#define WM_SIMD_UN(X)                                                           \
  X(V128_NOT, r.u64 = ~a.u64)                                                   \
  X(I8X16_ABS, r.u8 = WM_VABS(wm_u8x16, a.i8))                                  \
  X(I8X16_NEG, r.u8 = -a.u8)                                                    \
  X(I8X16_POPCNT, r = wm_i8x16_popcnt(a))                                       \
  X(I16X8_EXTADD_PAIRWISE_I8X16_S, r = wm_i16x8_extadd_s(a))                    \
  X(I16X8_EXTADD_PAIRWISE_I8X16_U, r = wm_i16x8_extadd_u(a))                    \
  X(I32X4_EXTADD_PAIRWISE_I16X8_S, r = wm_i32x4_extadd_s(a))                    \
  X(I32X4_EXTADD_PAIRWISE_I16X8_U, r = wm_i32x4_extadd_u(a))                    \
  X(I16X8_ABS, r.u16 = WM_VABS(wm_u16x8, a.i16))                                \
  X(I16X8_NEG, r.u16 = -a.u16)                                                  \
  X(I16X8_EXTEND_LOW_I8X16_S, r = wm_i16x8_extend_s(a, 0))                      \
  X(I16X8_EXTEND_HIGH_I8X16_S, r = wm_i16x8_extend_s(a, 1))                     \
  X(I16X8_EXTEND_LOW_I8X16_U, r = wm_i16x8_extend_u(a, 0))                      \
  X(I16X8_EXTEND_HIGH_I8X16_U, r = wm_i16x8_extend_u(a, 1))                     \
  X(I32X4_ABS, r.u32 = WM_VABS(wm_u32x4, a.i32))                                \
  X(I32X4_NEG, r.u32 = -a.u32)                                                  \
  X(I32X4_EXTEND_LOW_I16X8_S, r = wm_i32x4_extend_s(a, 0))                      \
  X(I32X4_EXTEND_HIGH_I16X8_S, r = wm_i32x4_extend_s(a, 1))                     \
  X(I32X4_EXTEND_LOW_I16X8_U, r = wm_i32x4_extend_u(a, 0))                      \
  X(I32X4_EXTEND_HIGH_I16X8_U, r = wm_i32x4_extend_u(a, 1))                     \
  X(I64X2_ABS, r.u64 = WM_VABS(wm_u64x2, a.i64))                                \
  X(I64X2_NEG, r.u64 = -a.u64)                                                  \
  X(I64X2_EXTEND_LOW_I32X4_S, r = wm_i64x2_extend_s(a, 0))                      \
  X(I64X2_EXTEND_HIGH_I32X4_S, r = wm_i64x2_extend_s(a, 1))                     \
  X(I64X2_EXTEND_LOW_I32X4_U, r = wm_i64x2_extend_u(a, 0))                      \
  X(I64X2_EXTEND_HIGH_I32X4_U, r = wm_i64x2_extend_u(a, 1))                     \
  X(F32X4_ABS, r.u32 = a.u32 & 0x7FFFFFFFu)                                     \
  X(F32X4_NEG, r.u32 = a.u32 ^ 0x80000000u)                                     \
  X(F32X4_SQRT, r = wm_f32x4_sqrt(a))                                           \
  X(F32X4_CEIL, r = wm_f32x4_ceil(a))                                           \
  X(F32X4_FLOOR, r = wm_f32x4_floor(a))                                         \
  X(F32X4_TRUNC, r = wm_f32x4_trunc(a))                                         \
  X(F32X4_NEAREST, r = wm_f32x4_nearest(a))                                     \
  X(F64X2_ABS, r.u64 = a.u64 & 0x7FFFFFFFFFFFFFFFull)                           \
  X(F64X2_NEG, r.u64 = a.u64 ^ 0x8000000000000000ull)                           \
  X(F64X2_SQRT, r = wm_f64x2_sqrt(a))                                           \
  X(F64X2_CEIL, r = wm_f64x2_ceil(a))                                           \
  X(F64X2_FLOOR, r = wm_f64x2_floor(a))                                         \
  X(F64X2_TRUNC, r = wm_f64x2_trunc(a))                                         \
  X(F64X2_NEAREST, r = wm_f64x2_nearest(a))                                     \
  X(I32X4_TRUNC_SAT_F32X4_S, r = wm_i32x4_trunc_sat_f32_s(a))                   \
  X(I32X4_TRUNC_SAT_F32X4_U, r = wm_i32x4_trunc_sat_f32_u(a))                   \
  X(F32X4_CONVERT_I32X4_S, r.f32 = __builtin_convertvector(a.i32, wm_f32x4))    \
  X(F32X4_CONVERT_I32X4_U, r.f32 = __builtin_convertvector(a.u32, wm_f32x4))    \
  X(I32X4_TRUNC_SAT_F64X2_S_ZERO, r = wm_i32x4_trunc_sat_f64_s(a))              \
  X(I32X4_TRUNC_SAT_F64X2_U_ZERO, r = wm_i32x4_trunc_sat_f64_u(a))              \
  X(F64X2_CONVERT_LOW_I32X4_S, r = wm_f64x2_convert_s(a))                       \
  X(F64X2_CONVERT_LOW_I32X4_U, r = wm_f64x2_convert_u(a))                       \
  X(F32X4_DEMOTE_F64X2_ZERO, r = wm_f32x4_demote(a))                            \
  X(F64X2_PROMOTE_LOW_F32X4, r = wm_f64x2_promote(a))

#define WM_SIMD_BIN(X)                                                          \
  X(I8X16_EQ, r.i8 = a.i8 == b.i8)                                              \
  X(I8X16_NE, r.i8 = a.i8 != b.i8)                                              \
  X(I8X16_LT_S, r.i8 = a.i8 < b.i8)                                             \
  X(I8X16_LT_U, r.i8 = a.u8 < b.u8)                                             \
  X(I8X16_GT_S, r.i8 = a.i8 > b.i8)                                             \
  X(I8X16_GT_U, r.i8 = a.u8 > b.u8)                                             \
  X(I8X16_LE_S, r.i8 = a.i8 <= b.i8)                                            \
  X(I8X16_LE_U, r.i8 = a.u8 <= b.u8)                                            \
  X(I8X16_GE_S, r.i8 = a.i8 >= b.i8)                                            \
  X(I8X16_GE_U, r.i8 = a.u8 >= b.u8)                                            \
  X(I16X8_EQ, r.i16 = a.i16 == b.i16)                                           \
  X(I16X8_NE, r.i16 = a.i16 != b.i16)                                           \
  X(I16X8_LT_S, r.i16 = a.i16 < b.i16)                                          \
  X(I16X8_LT_U, r.i16 = a.u16 < b.u16)                                          \
  X(I16X8_GT_S, r.i16 = a.i16 > b.i16)                                          \
  X(I16X8_GT_U, r.i16 = a.u16 > b.u16)                                          \
  X(I16X8_LE_S, r.i16 = a.i16 <= b.i16)                                         \
  X(I16X8_LE_U, r.i16 = a.u16 <= b.u16)                                         \
  X(I16X8_GE_S, r.i16 = a.i16 >= b.i16)                                         \
  X(I16X8_GE_U, r.i16 = a.u16 >= b.u16)                                         \
  X(I32X4_EQ, r.i32 = a.i32 == b.i32)                                           \
  X(I32X4_NE, r.i32 = a.i32 != b.i32)                                           \
  X(I32X4_LT_S, r.i32 = a.i32 < b.i32)                                          \
  X(I32X4_LT_U, r.i32 = a.u32 < b.u32)                                          \
  X(I32X4_GT_S, r.i32 = a.i32 > b.i32)                                          \
  X(I32X4_GT_U, r.i32 = a.u32 > b.u32)                                          \
  X(I32X4_LE_S, r.i32 = a.i32 <= b.i32)                                         \
  X(I32X4_LE_U, r.i32 = a.u32 <= b.u32)                                         \
  X(I32X4_GE_S, r.i32 = a.i32 >= b.i32)                                         \
  X(I32X4_GE_U, r.i32 = a.u32 >= b.u32)                                         \
  X(I64X2_EQ, r.i64 = a.i64 == b.i64)                                           \
  X(I64X2_NE, r.i64 = a.i64 != b.i64)                                           \
  X(I64X2_LT_S, r.i64 = a.i64 < b.i64)                                          \
  X(I64X2_GT_S, r.i64 = a.i64 > b.i64)                                          \
  X(I64X2_LE_S, r.i64 = a.i64 <= b.i64)                                         \
  X(I64X2_GE_S, r.i64 = a.i64 >= b.i64)                                         \
  X(F32X4_EQ, r.i32 = a.f32 == b.f32)                                           \
  X(F32X4_NE, r.i32 = a.f32 != b.f32)                                           \
  X(F32X4_LT, r.i32 = a.f32 < b.f32)                                            \
  X(F32X4_GT, r.i32 = a.f32 > b.f32)                                            \
  X(F32X4_LE, r.i32 = a.f32 <= b.f32)                                           \
  X(F32X4_GE, r.i32 = a.f32 >= b.f32)                                           \
  X(F64X2_EQ, r.i64 = a.f64 == b.f64)                                           \
  X(F64X2_NE, r.i64 = a.f64 != b.f64)                                           \
  X(F64X2_LT, r.i64 = a.f64 < b.f64)                                            \
  X(F64X2_GT, r.i64 = a.f64 > b.f64)                                            \
  X(F64X2_LE, r.i64 = a.f64 <= b.f64)                                           \
  X(F64X2_GE, r.i64 = a.f64 >= b.f64)                                           \
  X(V128_AND, r.u64 = a.u64 & b.u64)                                            \
  X(V128_ANDNOT, r.u64 = a.u64 & ~b.u64)                                        \
  X(V128_OR, r.u64 = a.u64 | b.u64)                                             \
  X(V128_XOR, r.u64 = a.u64 ^ b.u64)                                            \
  X(I8X16_NARROW_I16X8_S, r = wm_i8x16_narrow_s(a, b))                          \
  X(I8X16_NARROW_I16X8_U, r = wm_i8x16_narrow_u(a, b))                          \
  X(I8X16_ADD, r.u8 = a.u8 + b.u8)                                              \
  X(I8X16_ADD_SAT_S, r = wm_i8x16_add_sat_s(a, b))                              \
  X(I8X16_ADD_SAT_U, r = wm_i8x16_add_sat_u(a, b))                              \
  X(I8X16_SUB, r.u8 = a.u8 - b.u8)                                              \
  X(I8X16_SUB_SAT_S, r = wm_i8x16_sub_sat_s(a, b))                              \
  X(I8X16_SUB_SAT_U, r = wm_i8x16_sub_sat_u(a, b))                              \
  X(I8X16_MIN_S, r.u64 = WM_VSEL(a.i8 < b.i8, a, b))                               \
  X(I8X16_MIN_U, r.u64 = WM_VSEL(a.u8 < b.u8, a, b))                               \
  X(I8X16_MAX_S, r.u64 = WM_VSEL(a.i8 > b.i8, a, b))                               \
  X(I8X16_MAX_U, r.u64 = WM_VSEL(a.u8 > b.u8, a, b))                               \
  X(I8X16_AVGR_U, r = wm_i8x16_avgr_u(a, b))                                    \
  X(I16X8_Q15MULR_SAT_S, r = wm_i16x8_q15mulr_sat_s(a, b))                      \
  X(I16X8_NARROW_I32X4_S, r = wm_i16x8_narrow_s(a, b))                          \
  X(I16X8_NARROW_I32X4_U, r = wm_i16x8_narrow_u(a, b))                          \
  X(I16X8_ADD, r.u16 = a.u16 + b.u16)                                           \
  X(I16X8_ADD_SAT_S, r = wm_i16x8_add_sat_s(a, b))                              \
  X(I16X8_ADD_SAT_U, r = wm_i16x8_add_sat_u(a, b))                              \
  X(I16X8_SUB, r.u16 = a.u16 - b.u16)                                           \
  X(I16X8_SUB_SAT_S, r = wm_i16x8_sub_sat_s(a, b))                              \
  X(I16X8_SUB_SAT_U, r = wm_i16x8_sub_sat_u(a, b))                              \
  X(I16X8_MUL, r.u16 = a.u16 * b.u16)                                           \
  X(I16X8_MIN_S, r.u64 = WM_VSEL(a.i16 < b.i16, a, b))                             \
  X(I16X8_MIN_U, r.u64 = WM_VSEL(a.u16 < b.u16, a, b))                             \
  X(I16X8_MAX_S, r.u64 = WM_VSEL(a.i16 > b.i16, a, b))                             \
  X(I16X8_MAX_U, r.u64 = WM_VSEL(a.u16 > b.u16, a, b))                             \
  X(I16X8_AVGR_U, r = wm_i16x8_avgr_u(a, b))                                    \
  X(I16X8_EXTMUL_LOW_I8X16_S, r = wm_i16x8_extmul_s(a, b, 0))                   \
  X(I16X8_EXTMUL_HIGH_I8X16_S, r = wm_i16x8_extmul_s(a, b, 1))                  \
  X(I16X8_EXTMUL_LOW_I8X16_U, r = wm_i16x8_extmul_u(a, b, 0))                   \
  X(I16X8_EXTMUL_HIGH_I8X16_U, r = wm_i16x8_extmul_u(a, b, 1))                  \
  X(I32X4_ADD, r.u32 = a.u32 + b.u32)                                           \
  X(I32X4_SUB, r.u32 = a.u32 - b.u32)                                           \
  X(I32X4_MUL, r.u32 = a.u32 * b.u32)                                           \
  X(I32X4_MIN_S, r.u64 = WM_VSEL(a.i32 < b.i32, a, b))                             \
  X(I32X4_MIN_U, r.u64 = WM_VSEL(a.u32 < b.u32, a, b))                             \
  X(I32X4_MAX_S, r.u64 = WM_VSEL(a.i32 > b.i32, a, b))                             \
  X(I32X4_MAX_U, r.u64 = WM_VSEL(a.u32 > b.u32, a, b))                             \
  X(I32X4_DOT_I16X8_S, r = wm_i32x4_dot_s(a, b))                                \
  X(I32X4_EXTMUL_LOW_I16X8_S, r = wm_i32x4_extmul_s(a, b, 0))                   \
  X(I32X4_EXTMUL_HIGH_I16X8_S, r = wm_i32x4_extmul_s(a, b, 1))                  \
  X(I32X4_EXTMUL_LOW_I16X8_U, r = wm_i32x4_extmul_u(a, b, 0))                   \
  X(I32X4_EXTMUL_HIGH_I16X8_U, r = wm_i32x4_extmul_u(a, b, 1))                  \
  X(I64X2_ADD, r.u64 = a.u64 + b.u64)                                           \
  X(I64X2_SUB, r.u64 = a.u64 - b.u64)                                           \
  X(I64X2_MUL, r.u64 = a.u64 * b.u64)                                           \
  X(I64X2_EXTMUL_LOW_I32X4_S, r = wm_i64x2_extmul_s(a, b, 0))                   \
  X(I64X2_EXTMUL_HIGH_I32X4_S, r = wm_i64x2_extmul_s(a, b, 1))                  \
  X(I64X2_EXTMUL_LOW_I32X4_U, r = wm_i64x2_extmul_u(a, b, 0))                   \
  X(I64X2_EXTMUL_HIGH_I32X4_U, r = wm_i64x2_extmul_u(a, b, 1))                  \
  X(F32X4_ADD, r.f32 = a.f32 + b.f32)                                           \
  X(F32X4_SUB, r.f32 = a.f32 - b.f32)                                           \
  X(F32X4_MUL, r.f32 = a.f32 * b.f32)                                           \
  X(F32X4_DIV, r.f32 = a.f32 / b.f32)                                           \
  X(F32X4_MIN, r = wm_f32x4_min(a, b))                                          \
  X(F32X4_MAX, r = wm_f32x4_max(a, b))                                          \
  X(F32X4_PMIN, r.u64 = WM_VSEL(b.f32 < a.f32, b, a))                              \
  X(F32X4_PMAX, r.u64 = WM_VSEL(a.f32 < b.f32, b, a))                              \
  X(F64X2_ADD, r.f64 = a.f64 + b.f64)                                           \
  X(F64X2_SUB, r.f64 = a.f64 - b.f64)                                           \
  X(F64X2_MUL, r.f64 = a.f64 * b.f64)                                           \
  X(F64X2_DIV, r.f64 = a.f64 / b.f64)                                           \
  X(F64X2_MIN, r = wm_f64x2_min(a, b))                                          \
  X(F64X2_MAX, r = wm_f64x2_max(a, b))                                          \
  X(F64X2_PMIN, r.u64 = WM_VSEL(b.f64 < a.f64, b, a))                              \
  X(F64X2_PMAX, r.u64 = WM_VSEL(a.f64 < b.f64, b, a))                              \
  X(I16X8_RELAXED_DOT_I8X16_I7X16_S, r = wm_i16x8_relaxed_dot(a, b))

#define WM_SIMD_TERN(X)                                                         \
  X(V128_BITSELECT, r.u64 = wm_vsel(c.u64, a.u64, b.u64))                       \
  X(F32X4_RELAXED_MADD, r.f32 = a.f32 * b.f32 + c.f32)                          \
  X(F32X4_RELAXED_NMADD, r.f32 = -(a.f32 * b.f32) + c.f32)                      \
  X(F64X2_RELAXED_MADD, r.f64 = a.f64 * b.f64 + c.f64)                          \
  X(F64X2_RELAXED_NMADD, r.f64 = -(a.f64 * b.f64) + c.f64)                      \
  X(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, r = wm_i32x4_relaxed_dot_add(a, b, c))

#define WM_SIMD_TEST(X)                                                          \
  X(V128_ANY_TRUE, (a.u64[0] | a.u64[1]) != 0)                                   \
  X(I8X16_ALL_TRUE, wm_bitmask8((wm_v128){.i8 = a.i8 == (wm_i8x16){0}}) == 0)    \
  X(I8X16_BITMASK, wm_bitmask8(a))                                               \
  X(I16X8_ALL_TRUE, wm_bitmask16((wm_v128){.i16 = a.i16 == (wm_i16x8){0}}) == 0) \
  X(I16X8_BITMASK, wm_bitmask16(a))                                              \
  X(I32X4_ALL_TRUE, wm_bitmask32((wm_v128){.i32 = a.i32 == (wm_i32x4){0}}) == 0) \
  X(I32X4_BITMASK, wm_bitmask32(a))                                              \
  X(I64X2_ALL_TRUE, a.u64[0] != 0 && a.u64[1] != 0)                              \
  X(I64X2_BITMASK, wm_bitmask64(a))

#define WM_SIMD_SHIFT(X)                                                        \
  X(I8X16_SHL, u8, uint8_t, <<)                                                 \
  X(I8X16_SHR_S, i8, int8_t, >>)                                                \
  X(I8X16_SHR_U, u8, uint8_t, >>)                                               \
  X(I16X8_SHL, u16, uint16_t, <<)                                               \
  X(I16X8_SHR_S, i16, int16_t, >>)                                              \
  X(I16X8_SHR_U, u16, uint16_t, >>)                                             \
  X(I32X4_SHL, u32, uint32_t, <<)                                               \
  X(I32X4_SHR_S, i32, int32_t, >>)                                              \
  X(I32X4_SHR_U, u32, uint32_t, >>)                                             \
  X(I64X2_SHL, u64, uint64_t, <<)                                               \
  X(I64X2_SHR_S, i64, int64_t, >>)                                              \
  X(I64X2_SHR_U, u64, uint64_t, >>)

#define WM_DEF_UN_(name, stmt)                                                 \
  static inline wm_v128 wm_v_##name(wm_v128 a) {                               \
    wm_v128 r;                                                                 \
    stmt;                                                                      \
    return r;                                                                  \
  }
#define WM_DEF_BIN_(name, stmt)                                                \
  static inline wm_v128 wm_v_##name(wm_v128 a, wm_v128 b) {                    \
    wm_v128 r;                                                                 \
    stmt;                                                                      \
    return r;                                                                  \
  }
#define WM_DEF_TERN_(name, stmt)                                               \
  static inline wm_v128 wm_v_##name(wm_v128 a, wm_v128 b, wm_v128 c) {         \
    wm_v128 r;                                                                 \
    stmt;                                                                      \
    return r;                                                                  \
  }
#define WM_DEF_TEST_(name, expr)                                               \
  static inline uint32_t wm_v_##name(wm_v128 a) { return (uint32_t)(expr); }
#define WM_DEF_SHIFT_(name, field, T, op)                                      \
  static inline wm_v128 wm_v_##name(wm_v128 a, uint32_t n) {                   \
    wm_v128 r;                                                                 \
    r.field = a.field op (T)(n & (sizeof(T) * 8 - 1));                         \
    return r;                                                                  \
  }
WM_SIMD_UN(WM_DEF_UN_)
WM_SIMD_BIN(WM_DEF_BIN_)
WM_SIMD_TERN(WM_DEF_TERN_)
WM_SIMD_TEST(WM_DEF_TEST_)
WM_SIMD_SHIFT(WM_DEF_SHIFT_)
#undef WM_DEF_UN_
#undef WM_DEF_BIN_
#undef WM_DEF_TERN_
#undef WM_DEF_TEST_
#undef WM_DEF_SHIFT_

#endif
