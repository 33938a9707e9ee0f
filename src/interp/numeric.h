/* SPDX-License-Identifier: MIT */
/*
** numeric.h -- the numeric semantics of WebAssembly as static inline
** functions, used by the interpreter's loop (and by nothing it would slow).
** Each follows the spec's definition exactly; the trapping ones return 0 or a
** WM_TRAP_* code and write their result through a pointer.
*/
#ifndef WM_NUMERIC_H
#define WM_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "wasmem.h"

/* ------------------------------------------------------------ bit casts */

static inline uint32_t wm_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline uint64_t wm_f64_bits(double f) { uint64_t u; memcpy(&u, &f, 8); return u; }
static inline float wm_f32_from(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline double wm_f64_from(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }

/* ------------------------------------------------------------ integers */

/* Arithmetic is done in unsigned types: wrapping is the wasm semantics and
** signed overflow would be undefined behaviour in C. */

static inline int wm_i32_div_s(int32_t a, int32_t b, int32_t *r) {
  if (b == 0) return WM_TRAP_DIV_ZERO;
  if (a == INT32_MIN && b == -1) return WM_TRAP_INT_OVERFLOW;
  *r = a / b;
  return 0;
}
static inline int wm_i32_div_u(uint32_t a, uint32_t b, uint32_t *r) {
  if (b == 0) return WM_TRAP_DIV_ZERO;
  *r = a / b;
  return 0;
}
/* rem_s of INT_MIN by -1 is 0 in wasm (the quotient overflows, the remainder
** does not), but the C expression would trap on x86. */
static inline int wm_i32_rem_s(int32_t a, int32_t b, int32_t *r) {
  if (b == 0) return WM_TRAP_DIV_ZERO;
  *r = b == -1 ? 0 : a % b;
  return 0;
}
static inline int wm_i32_rem_u(uint32_t a, uint32_t b, uint32_t *r) {
  if (b == 0) return WM_TRAP_DIV_ZERO;
  *r = a % b;
  return 0;
}
/* Division by a constant k, |k| >= 2, given m = ceil(2^64 / |k|): the
** quotient of a 32-bit a is the high half of the 96-bit product m * a.
** Exact: m = (2^64 + e) / k with 0 <= e < k, so m * a / 2^64 = a / k +
** e * a / (k * 2^64), where the fraction of a / k is at most (k - 1) / k
** and the second term is under 2^-32 < 1 / k: the floor is a / k's. */
static inline uint32_t wm_u32_div_m(uint32_t a, uint64_t m) {
#ifdef __SIZEOF_INT128__
  return (uint32_t)(((unsigned __int128)m * a) >> 64);
#else
  /* m <= 2^63 (k = 2 gives 2^63), so (m >> 32) * a < 2^63, and adding
  ** the carry from the low product (under 2^32) still fits */
  return (uint32_t)(((m >> 32) * a + (((m & 0xFFFFFFFFu) * a) >> 32)) >> 32);
#endif
}
static inline uint32_t wm_i32_div_m(uint32_t a, uint64_t m, uint32_t k) {
  uint32_t sa = 0u - (a >> 31), sq = sa ^ (0u - (k >> 31)); /* all ones if negative */
  uint32_t q = wm_u32_div_m((a ^ sa) - sa, m);
  return (q ^ sq) - sq;
}
static inline uint32_t wm_i32_rem_m(uint32_t a, uint64_t m, uint32_t k) {
  uint32_t sa = 0u - (a >> 31), sk = 0u - (k >> 31);
  uint32_t ua = (a ^ sa) - sa, uk = (k ^ sk) - sk;
  uint32_t r = ua - wm_u32_div_m(ua, m) * uk;
  return (r ^ sa) - sa;
}

static inline int wm_i64_div_s(int64_t a, int64_t b, int64_t *r) {
  if (b == 0) return WM_TRAP_DIV_ZERO;
  if (a == INT64_MIN && b == -1) return WM_TRAP_INT_OVERFLOW;
  *r = a / b;
  return 0;
}
static inline int wm_i64_div_u(uint64_t a, uint64_t b, uint64_t *r) {
  if (b == 0) return WM_TRAP_DIV_ZERO;
  *r = a / b;
  return 0;
}
static inline int wm_i64_rem_s(int64_t a, int64_t b, int64_t *r) {
  if (b == 0) return WM_TRAP_DIV_ZERO;
  *r = b == -1 ? 0 : a % b;
  return 0;
}
static inline int wm_i64_rem_u(uint64_t a, uint64_t b, uint64_t *r) {
  if (b == 0) return WM_TRAP_DIV_ZERO;
  *r = a % b;
  return 0;
}

/* Shift counts are taken modulo the width. */
static inline uint32_t wm_i32_shl(uint32_t a, uint32_t b) { return a << (b & 31); }
static inline uint32_t wm_i32_shr_u(uint32_t a, uint32_t b) { return a >> (b & 31); }
static inline int32_t wm_i32_shr_s(int32_t a, uint32_t b) {
  /* Right shift of a negative value is implementation-defined in C; do it
  ** on the bits so it is arithmetic everywhere. */
  uint32_t n = b & 31, u = (uint32_t)a;
  uint32_t r = u >> n;
  if (a < 0 && n) r |= ~(UINT32_MAX >> n);
  return (int32_t)r;
}
static inline uint32_t wm_i32_rotl(uint32_t a, uint32_t b) {
  uint32_t n = b & 31;
  return (a << n) | (a >> ((32 - n) & 31));
}
static inline uint32_t wm_i32_rotr(uint32_t a, uint32_t b) {
  uint32_t n = b & 31;
  return (a >> n) | (a << ((32 - n) & 31));
}
static inline uint64_t wm_i64_shl(uint64_t a, uint64_t b) { return a << (b & 63); }
static inline uint64_t wm_i64_shr_u(uint64_t a, uint64_t b) { return a >> (b & 63); }
static inline int64_t wm_i64_shr_s(int64_t a, uint64_t b) {
  uint64_t n = b & 63, u = (uint64_t)a;
  uint64_t r = u >> n;
  if (a < 0 && n) r |= ~(UINT64_MAX >> n);
  return (int64_t)r;
}
static inline uint64_t wm_i64_rotl(uint64_t a, uint64_t b) {
  uint64_t n = b & 63;
  return (a << n) | (a >> ((64 - n) & 63));
}
static inline uint64_t wm_i64_rotr(uint64_t a, uint64_t b) {
  uint64_t n = b & 63;
  return (a >> n) | (a << ((64 - n) & 63));
}

#if defined(__GNUC__)
static inline uint32_t wm_i32_clz(uint32_t a) { return a ? (uint32_t)__builtin_clz(a) : 32; }
static inline uint32_t wm_i32_ctz(uint32_t a) { return a ? (uint32_t)__builtin_ctz(a) : 32; }
static inline uint64_t wm_i64_clz(uint64_t a) { return a ? (uint64_t)__builtin_clzll(a) : 64; }
static inline uint64_t wm_i64_ctz(uint64_t a) { return a ? (uint64_t)__builtin_ctzll(a) : 64; }
#else
static inline uint64_t wm_i64_clz(uint64_t a) {
  uint64_t n = 0;
  if (!a) return 64;
  while (!(a & (UINT64_C(1) << 63))) { a <<= 1; n++; }
  return n;
}
static inline uint64_t wm_i64_ctz(uint64_t a) {
  uint64_t n = 0;
  if (!a) return 64;
  while (!(a & 1)) { a >>= 1; n++; }
  return n;
}
static inline uint32_t wm_i32_clz(uint32_t a) { return (uint32_t)wm_i64_clz(a) - 32; }
static inline uint32_t wm_i32_ctz(uint32_t a) { return a ? (uint32_t)wm_i64_ctz(a) : 32; }
#endif

#if defined(__GNUC__) && defined(__POPCNT__)
static inline uint32_t wm_i32_popcnt(uint32_t a) { return (uint32_t)__builtin_popcount(a); }
static inline uint64_t wm_i64_popcnt(uint64_t a) { return (uint64_t)__builtin_popcountll(a); }
#else
/* Without the popcnt instruction GCC's builtin is a library call that spills
** the loop's registers; the classic bit-slicing count is inline and short. */
static inline uint64_t wm_i64_popcnt(uint64_t a) {
  a = a - ((a >> 1) & UINT64_C(0x5555555555555555));
  a = (a & UINT64_C(0x3333333333333333)) + ((a >> 2) & UINT64_C(0x3333333333333333));
  a = (a + (a >> 4)) & UINT64_C(0x0F0F0F0F0F0F0F0F);
  return (a * UINT64_C(0x0101010101010101)) >> 56;
}
static inline uint32_t wm_i32_popcnt(uint32_t a) { return (uint32_t)wm_i64_popcnt(a); }
#endif

/* Sign extensions read only the low bits they extend. */
static inline int32_t wm_i32_extend8_s(uint32_t a) { return (int32_t)(int8_t)(uint8_t)a; }
static inline int32_t wm_i32_extend16_s(uint32_t a) { return (int32_t)(int16_t)(uint16_t)a; }
static inline int64_t wm_i64_extend8_s(uint64_t a) { return (int64_t)(int8_t)(uint8_t)a; }
static inline int64_t wm_i64_extend16_s(uint64_t a) { return (int64_t)(int16_t)(uint16_t)a; }
static inline int64_t wm_i64_extend32_s(uint64_t a) { return (int64_t)(int32_t)(uint32_t)a; }

/* ------------------------------------------------------------ floats */

/* abs, neg and copysign act on the sign bit only: they never canonicalise a
** NaN, as the spec requires. */
static inline float wm_f32_abs(float a) { return wm_f32_from(wm_f32_bits(a) & 0x7FFFFFFFu); }
static inline float wm_f32_neg(float a) { return wm_f32_from(wm_f32_bits(a) ^ 0x80000000u); }
static inline float wm_f32_copysign(float a, float b) {
  return wm_f32_from((wm_f32_bits(a) & 0x7FFFFFFFu) | (wm_f32_bits(b) & 0x80000000u));
}
static inline double wm_f64_abs(double a) {
  return wm_f64_from(wm_f64_bits(a) & UINT64_C(0x7FFFFFFFFFFFFFFF));
}
static inline double wm_f64_neg(double a) {
  return wm_f64_from(wm_f64_bits(a) ^ UINT64_C(0x8000000000000000));
}
static inline double wm_f64_copysign(double a, double b) {
  return wm_f64_from((wm_f64_bits(a) & UINT64_C(0x7FFFFFFFFFFFFFFF)) |
                     (wm_f64_bits(b) & UINT64_C(0x8000000000000000)));
}

/* min/max: a NaN operand gives a NaN (a + b propagates it, quietened); -0 is
** below +0, which C's comparisons do not see, so equal operands (only zeros
** of different sign can be equal yet differ) combine their sign bits. */
static inline float wm_f32_min(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return wm_f32_from(wm_f32_bits(a) | wm_f32_bits(b));
  return a < b ? a : b;
}
static inline float wm_f32_max(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return wm_f32_from(wm_f32_bits(a) & wm_f32_bits(b));
  return a > b ? a : b;
}
static inline double wm_f64_min(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return wm_f64_from(wm_f64_bits(a) | wm_f64_bits(b));
  return a < b ? a : b;
}
static inline double wm_f64_max(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return wm_f64_from(wm_f64_bits(a) & wm_f64_bits(b));
  return a > b ? a : b;
}

/* The rounding functions must return an arithmetic (quiet) NaN for a NaN
** input; libm may hand a signalling NaN back unchanged, so set the quiet bit
** ourselves. */
static inline float wm_f32_quiet(float a) { return wm_f32_from(wm_f32_bits(a) | 0x00400000u); }
static inline double wm_f64_quiet(double a) {
  return wm_f64_from(wm_f64_bits(a) | UINT64_C(0x0008000000000000));
}

/* nearest rounds half to even and keeps the sign of zero: that is rint in
** the default rounding mode, which wasm code cannot change. nearbyint is
** rint without raising the inexact flag. */
static inline float wm_f32_nearest(float a) { return a != a ? wm_f32_quiet(a) : nearbyintf(a); }
static inline double wm_f64_nearest(double a) { return a != a ? wm_f64_quiet(a) : nearbyint(a); }
static inline float wm_f32_ceil(float a) { return a != a ? wm_f32_quiet(a) : ceilf(a); }
static inline float wm_f32_floor(float a) { return a != a ? wm_f32_quiet(a) : floorf(a); }
static inline float wm_f32_trunc(float a) { return a != a ? wm_f32_quiet(a) : truncf(a); }
static inline float wm_f32_sqrt(float a) { return sqrtf(a); }
static inline double wm_f64_ceil(double a) { return a != a ? wm_f64_quiet(a) : ceil(a); }
static inline double wm_f64_floor(double a) { return a != a ? wm_f64_quiet(a) : floor(a); }
static inline double wm_f64_trunc(double a) { return a != a ? wm_f64_quiet(a) : trunc(a); }
static inline double wm_f64_sqrt(double a) { return sqrt(a); }

/* ------------------------------------------------------------ conversions */

/*
** Trapping float -> int. The range tests are on the untruncated value and
** use bounds that are exactly representable in the source type: x is in
** range iff trunc(x) fits, i.e. lo < x < hi where lo/hi are the first
** values whose truncation no longer fits. For the signed lower bound the
** limit -2^(N-1) itself fits, and the next value below it whose truncation
** does not fit is -2^(N-1) - 1; in f32 (and in f64 for N = 64) no value lies
** strictly between the two, so `x >= -2^(N-1)` is the same test.
*/
#define WM_TRUNC_CHECK_(x, lo_ok, hi)                                         \
  do {                                                                        \
    if ((x) != (x)) return WM_TRAP_INVALID_CONVERSION;                        \
    if (!(lo_ok) || !((x) < (hi))) return WM_TRAP_INT_OVERFLOW;               \
  } while (0)

static inline int wm_i32_trunc_f32_s(float x, int32_t *r) {
  WM_TRUNC_CHECK_(x, x >= -2147483648.0f, 2147483648.0f);
  *r = (int32_t)x;
  return 0;
}
static inline int wm_i32_trunc_f32_u(float x, uint32_t *r) {
  WM_TRUNC_CHECK_(x, x > -1.0f, 4294967296.0f);
  *r = (uint32_t)x;
  return 0;
}
static inline int wm_i32_trunc_f64_s(double x, int32_t *r) {
  WM_TRUNC_CHECK_(x, x > -2147483649.0, 2147483648.0);
  *r = (int32_t)x;
  return 0;
}
static inline int wm_i32_trunc_f64_u(double x, uint32_t *r) {
  WM_TRUNC_CHECK_(x, x > -1.0, 4294967296.0);
  *r = (uint32_t)x;
  return 0;
}
static inline int wm_i64_trunc_f32_s(float x, int64_t *r) {
  WM_TRUNC_CHECK_(x, x >= -9223372036854775808.0f, 9223372036854775808.0f);
  *r = (int64_t)x;
  return 0;
}
static inline int wm_i64_trunc_f32_u(float x, uint64_t *r) {
  WM_TRUNC_CHECK_(x, x > -1.0f, 18446744073709551616.0f);
  *r = (uint64_t)x;
  return 0;
}
static inline int wm_i64_trunc_f64_s(double x, int64_t *r) {
  WM_TRUNC_CHECK_(x, x >= -9223372036854775808.0, 9223372036854775808.0);
  *r = (int64_t)x;
  return 0;
}
static inline int wm_i64_trunc_f64_u(double x, uint64_t *r) {
  WM_TRUNC_CHECK_(x, x > -1.0, 18446744073709551616.0);
  *r = (uint64_t)x;
  return 0;
}
#undef WM_TRUNC_CHECK_

/* Saturating float -> int: NaN gives 0, out of range clamps. Same bounds. */
static inline int32_t wm_i32_trunc_sat_f32_s(float x) {
  if (x != x) return 0;
  if (!(x >= -2147483648.0f)) return INT32_MIN;
  if (!(x < 2147483648.0f)) return INT32_MAX;
  return (int32_t)x;
}
static inline uint32_t wm_i32_trunc_sat_f32_u(float x) {
  if (x != x || !(x > -1.0f)) return 0;
  if (!(x < 4294967296.0f)) return UINT32_MAX;
  return (uint32_t)x;
}
static inline int32_t wm_i32_trunc_sat_f64_s(double x) {
  if (x != x) return 0;
  if (!(x > -2147483649.0)) return INT32_MIN;
  if (!(x < 2147483648.0)) return INT32_MAX;
  return (int32_t)x;
}
static inline uint32_t wm_i32_trunc_sat_f64_u(double x) {
  if (x != x || !(x > -1.0)) return 0;
  if (!(x < 4294967296.0)) return UINT32_MAX;
  return (uint32_t)x;
}
static inline int64_t wm_i64_trunc_sat_f32_s(float x) {
  if (x != x) return 0;
  if (!(x >= -9223372036854775808.0f)) return INT64_MIN;
  if (!(x < 9223372036854775808.0f)) return INT64_MAX;
  return (int64_t)x;
}
static inline uint64_t wm_i64_trunc_sat_f32_u(float x) {
  if (x != x || !(x > -1.0f)) return 0;
  if (!(x < 18446744073709551616.0f)) return UINT64_MAX;
  return (uint64_t)x;
}
static inline int64_t wm_i64_trunc_sat_f64_s(double x) {
  if (x != x) return 0;
  if (!(x >= -9223372036854775808.0)) return INT64_MIN;
  if (!(x < 9223372036854775808.0)) return INT64_MAX;
  return (int64_t)x;
}
static inline uint64_t wm_i64_trunc_sat_f64_u(double x) {
  if (x != x || !(x > -1.0)) return 0;
  if (!(x < 18446744073709551616.0)) return UINT64_MAX;
  return (uint64_t)x;
}

/*
** int -> float must round to nearest-even once. C's conversions do that for
** every source type on the compilers we support (GCC and Clang convert u64
** by halving with a sticky bit, which is exact), but i64/u64 -> f32 through
** a double would round twice, so never write it that way.
*/
static inline float wm_f32_convert_i32_s(int32_t a) { return (float)a; }
static inline float wm_f32_convert_i32_u(uint32_t a) { return (float)a; }
static inline float wm_f32_convert_i64_s(int64_t a) { return (float)a; }
static inline float wm_f32_convert_i64_u(uint64_t a) { return (float)a; }
static inline double wm_f64_convert_i32_s(int32_t a) { return (double)a; }
static inline double wm_f64_convert_i32_u(uint32_t a) { return (double)a; }
static inline double wm_f64_convert_i64_s(int64_t a) { return (double)a; }
static inline double wm_f64_convert_i64_u(uint64_t a) { return (double)a; }

/* Demotion rounds to nearest; a NaN stays a NaN (quietened), which is all the
** spec asks. */
static inline float wm_f32_demote_f64(double a) { return (float)a; }
static inline double wm_f64_promote_f32(float a) { return (double)a; }

#endif
