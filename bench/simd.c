/* SPDX-License-Identifier: MIT */
/* simd.c -- the SIMD benchmark: eight small kernels of the kind SIMD is
** used for (u8 image blend and RGBA-to-grey, a channel swap, i16 audio mix,
** i16 dot product into i64, f32 saxpy with clamping and an f64 energy,
** 4-vector normalisation, f32 matrix-vector, f32 -> i16 quantisation and
** a byte scan), each written twice: in plain C and with wasm_simd128.h.
**
** Three wasm builds come from this file (bench/simd.sh): scalar (plain C,
** no -msimd128), auto-vectorised (plain C, -msimd128 -DSIMD_PLAIN) and
** intrinsics (-msimd128); the native build is plain C. All four compute
** the same values bit for bit: float sums keep the same order in both
** paths (four or two interleaved partial sums, combined in a fixed order)
** and nothing relies on NaN or rounding-mode details. The intrinsics path
** uses most instruction groups on purpose: this kernel is also a test of
** the engine. */
#include "bench.h"

#if defined(__wasm_simd128__) && !defined(SIMD_PLAIN)
#include <wasm_simd128.h>
#define USE_INTRINSICS 1
#else
#define USE_INTRINSICS 0
#endif

#define NPIX (64u * 1024u)         /* RGBA pixels, and bytes per u8 plane */
#define NSAMP (64u * 1024u)        /* i16 samples */
#define NF (16u * 1024u)           /* f32 elements */
#define MV 128u                    /* matrix side */
#define NTEXT (256u * 1024u)       /* bytes scanned */

static uint32_t lcg_state;
static uint32_t lcg(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state;
}

static uint32_t mix(uint32_t h, uint32_t v) {
  h ^= v;
  h *= 0x01000193u;
  return h ^ (h >> 15);
}

static uint32_t f32_bits(float f) {
  union { float f; uint32_t u; } x;
  x.f = f;
  return x.u;
}

static uint32_t f64_fold(double d) {
  union { double d; uint64_t u; } x;
  x.d = d;
  return (uint32_t)x.u ^ (uint32_t)(x.u >> 32);
}

/* A position-weighted byte sum: each byte times (its index mod 16) + 1,
** so that a byte in the wrong lane changes the result. */
static uint32_t weigh_bytes(const uint8_t *p, uint32_t n) {
#if USE_INTRINSICS
  const v128_t wlo = wasm_i16x8_make(1, 2, 3, 4, 5, 6, 7, 8);
  const v128_t whi = wasm_i16x8_make(9, 10, 11, 12, 13, 14, 15, 16);
  v128_t acc = wasm_i32x4_splat(0);
  for (uint32_t i = 0; i < n; i += 16) {
    v128_t lo = wasm_i16x8_mul(wasm_u16x8_load8x8(p + i), wlo);
    v128_t hi = wasm_i16x8_mul(wasm_u16x8_load8x8(p + i + 8), whi);
    /* At most 255*8 + 255*16 = 6120: no u16 overflow. */
    acc = wasm_i32x4_add(acc, wasm_u32x4_extadd_pairwise_u16x8(wasm_i16x8_add(lo, hi)));
  }
  return (uint32_t)wasm_i32x4_extract_lane(acc, 0) + (uint32_t)wasm_i32x4_extract_lane(acc, 1) +
         (uint32_t)wasm_i32x4_extract_lane(acc, 2) + (uint32_t)wasm_i32x4_extract_lane(acc, 3);
#else
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i++) s += (uint32_t)p[i] * ((i & 15) + 1);
  return s;
#endif
}

/* Blend three u8 planes: the saturated sum of a and b averaged (rounding
** up) with the saturated difference c - a, clamped to video range. */
static void blend(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *out, uint32_t n) {
#if USE_INTRINSICS
  const v128_t lo = wasm_u8x16_splat(16), hi = wasm_u8x16_splat(235);
  for (uint32_t i = 0; i < n; i += 16) {
    v128_t va = wasm_v128_load(a + i), vb = wasm_v128_load(b + i), vc = wasm_v128_load(c + i);
    v128_t s = wasm_u8x16_add_sat(va, vb);
    v128_t d = wasm_u8x16_sub_sat(vc, va);
    v128_t r = wasm_u8x16_avgr(s, d);
    wasm_v128_store(out + i, wasm_u8x16_min(wasm_u8x16_max(r, lo), hi));
  }
#else
  for (uint32_t i = 0; i < n; i++) {
    unsigned s = (unsigned)a[i] + b[i];
    if (s > 255) s = 255;
    unsigned d = c[i] > a[i] ? (unsigned)c[i] - a[i] : 0;
    unsigned r = (s + d + 1) >> 1;
    if (r < 16) r = 16;
    if (r > 235) r = 235;
    out[i] = (uint8_t)r;
  }
#endif
}

/* RGBA to grey: (77 R + 150 G + 29 B + 128) >> 8, one byte a pixel; 0
** where alpha is below 128. */
static void grey(const uint8_t *rgba, uint8_t *out, uint32_t npix) {
#if USE_INTRINSICS
  const v128_t kr = wasm_i16x8_splat(77), kg = wasm_i16x8_splat(150), kb = wasm_i16x8_splat(29);
  const v128_t round = wasm_i16x8_splat(128);
  for (uint32_t i = 0; i < npix; i += 16) {
    const uint8_t *p = rgba + 4 * i;
    v128_t v0 = wasm_v128_load(p), v1 = wasm_v128_load(p + 16);
    v128_t v2 = wasm_v128_load(p + 32), v3 = wasm_v128_load(p + 48);
    /* R and G of pixels 0-7 (then 8-15), B and A likewise. */
    v128_t rg0 = wasm_i8x16_shuffle(v0, v1, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    v128_t ba0 = wasm_i8x16_shuffle(v0, v1, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    v128_t rg1 = wasm_i8x16_shuffle(v2, v3, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
    v128_t ba1 = wasm_i8x16_shuffle(v2, v3, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
    /* u16 arithmetic: at most 256 * 255 + 128, below 2^16; shr_u is exact. */
    v128_t y0 = wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(rg0), kr),
                               wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(rg0), kg));
    y0 = wasm_i16x8_add(y0, wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(ba0), kb), round));
    v128_t y1 = wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(rg1), kr),
                               wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(rg1), kg));
    y1 = wasm_i16x8_add(y1, wasm_i16x8_add(wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(ba1), kb), round));
    y0 = wasm_u16x8_shr(y0, 8);
    y1 = wasm_u16x8_shr(y1, 8);
    v128_t alpha = wasm_i8x16_shuffle(ba0, ba1, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    v128_t clear = wasm_u8x16_lt(alpha, wasm_u8x16_splat(128));
    wasm_v128_store(out + i, wasm_v128_bitselect(wasm_i8x16_splat(0), wasm_u8x16_narrow_i16x8(y0, y1), clear));
  }
#else
  for (uint32_t i = 0; i < npix; i++) {
    const uint8_t *p = rgba + 4 * i;
    unsigned y = (77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8;
    out[i] = p[3] < 128 ? 0 : (uint8_t)y;
  }
#endif
}

/* RGBA to BGRA. */
static void swap_rb(const uint8_t *in, uint8_t *out, uint32_t npix) {
#if USE_INTRINSICS
  const v128_t idx = wasm_i8x16_make(2, 1, 0, 3, 6, 5, 4, 7, 10, 9, 8, 11, 14, 13, 12, 15);
  for (uint32_t i = 0; i < 4 * npix; i += 16)
    wasm_v128_store(out + i, wasm_i8x16_swizzle(wasm_v128_load(in + i), idx));
#else
  for (uint32_t i = 0; i < 4 * npix; i += 4) {
    out[i] = in[i + 2];
    out[i + 1] = in[i + 1];
    out[i + 2] = in[i];
    out[i + 3] = in[i + 3];
  }
#endif
}

/* Audio: the saturated sum of two i16 tracks times a Q15 gain (rounded,
** saturated), then the i16 dot product with a third track and the
** energy, both in i64. Returns them folded. */
static uint32_t audio(const int16_t *a, const int16_t *b, const int16_t *c, int16_t *out, uint32_t n,
                      int16_t gain) {
#if USE_INTRINSICS
  const v128_t g = wasm_i16x8_splat(gain);
  v128_t dot = wasm_i64x2_splat(0), energy = wasm_i64x2_splat(0);
  for (uint32_t i = 0; i < n; i += 8) {
    v128_t s = wasm_i16x8_add_sat(wasm_v128_load(a + i), wasm_v128_load(b + i));
    s = wasm_i16x8_q15mulr_sat(s, g);
    wasm_v128_store(out + i, s);
    v128_t d = wasm_i32x4_dot_i16x8(s, wasm_v128_load(c + i));
    dot = wasm_i64x2_add(dot, wasm_i64x2_extend_low_i32x4(d));
    dot = wasm_i64x2_add(dot, wasm_i64x2_extend_high_i32x4(d));
    v128_t e = wasm_i32x4_add(wasm_u32x4_shr(wasm_i32x4_extmul_low_i16x8(s, s), 4),
                              wasm_u32x4_shr(wasm_i32x4_extmul_high_i16x8(s, s), 4));
    energy = wasm_i64x2_add(energy, wasm_u64x2_extend_low_u32x4(e));
    energy = wasm_i64x2_add(energy, wasm_u64x2_extend_high_u32x4(e));
  }
  int64_t d = wasm_i64x2_extract_lane(dot, 0) + wasm_i64x2_extract_lane(dot, 1);
  int64_t e = wasm_i64x2_extract_lane(energy, 0) + wasm_i64x2_extract_lane(energy, 1);
#else
  int64_t d = 0, e = 0;
  for (uint32_t i = 0; i < n; i++) {
    int32_t s = (int32_t)a[i] + b[i];
    if (s > 32767) s = 32767;
    if (s < -32768) s = -32768;
    s = (s * gain + 16384) >> 15;
    if (s > 32767) s = 32767;
    out[i] = (int16_t)s;
    d += s * c[i];
    e += (uint32_t)(s * s) >> 4;
  }
#endif
  return (uint32_t)d ^ (uint32_t)((uint64_t)d >> 32) ^ (uint32_t)e * 3u ^ (uint32_t)((uint64_t)e >> 32);
}

/* y = a x + y, clamped to [-lim, lim] (pmin/pmax semantics: the
** comparison picks, as the C ternaries do); then the f64 energy of y in
** two interleaved partial sums. */
static uint32_t saxpy(float a, const float *x, float *y, uint32_t n, float lim) {
#if USE_INTRINSICS
  const v128_t va = wasm_v128_load32_splat(&a), vlo = wasm_f32x4_splat(-lim), vhi = wasm_f32x4_splat(lim);
  v128_t acc = wasm_f64x2_splat(0.0);
  for (uint32_t i = 0; i < n; i += 4) {
    v128_t v = wasm_f32x4_add(wasm_f32x4_mul(va, wasm_v128_load(x + i)), wasm_v128_load(y + i));
    v = wasm_f32x4_pmin(wasm_f32x4_pmax(v, vlo), vhi);
    wasm_v128_store(y + i, v);
    v128_t lo = wasm_f64x2_promote_low_f32x4(v);
    v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    acc = wasm_f64x2_add(acc, wasm_f64x2_mul(lo, lo));
    acc = wasm_f64x2_add(acc, wasm_f64x2_mul(hi, hi));
  }
  double e = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
#else
  double e0 = 0.0, e1 = 0.0;
  for (uint32_t i = 0; i < n; i++) {
    float v = a * x[i] + y[i];
    v = v < -lim ? -lim : v;
    v = lim < v ? lim : v;
    y[i] = v;
  }
  for (uint32_t i = 0; i < n; i += 2) {
    e0 += (double)y[i] * (double)y[i];
    e1 += (double)y[i + 1] * (double)y[i + 1];
  }
  double e = e0 + e1;
#endif
  return f64_fold(e);
}

/* Normalise 4-vectors (x, y, z, w): v / sqrt((x^2 + y^2) + (z^2 + w^2)). */
static void normalise(const float *in, float *out, uint32_t nvec) {
#if USE_INTRINSICS
  for (uint32_t i = 0; i < 4 * nvec; i += 4) {
    v128_t v = wasm_v128_load(in + i);
    v128_t sq = wasm_f32x4_mul(v, v);
    v128_t t = wasm_f32x4_add(sq, wasm_i32x4_shuffle(sq, sq, 1, 0, 3, 2));
    t = wasm_f32x4_add(t, wasm_i32x4_shuffle(t, t, 2, 3, 0, 1));
    wasm_v128_store(out + i, wasm_f32x4_div(v, wasm_f32x4_sqrt(t)));
  }
#else
  for (uint32_t i = 0; i < 4 * nvec; i += 4) {
    float x = in[i], y = in[i + 1], z = in[i + 2], w = in[i + 3];
    float len = __builtin_sqrtf((x * x + y * y) + (z * z + w * w));
    out[i] = x / len;
    out[i + 1] = y / len;
    out[i + 2] = z / len;
    out[i + 3] = w / len;
  }
#endif
}

/* out = leaky_relu(M v) for a row-major MV x MV matrix; each row in four
** interleaved partial sums added as (s0 + s1) + (s2 + s3). */
static void matvec(const float *m, const float *v, float *out) {
  for (uint32_t r = 0; r < MV; r++) {
    const float *row = m + r * MV;
#if USE_INTRINSICS
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (uint32_t c = 0; c < MV; c += 4)
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(row + c), wasm_v128_load(v + c)));
    out[r] = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
             (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
#else
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    for (uint32_t c = 0; c < MV; c += 4) {
      s0 += row[c] * v[c];
      s1 += row[c + 1] * v[c + 1];
      s2 += row[c + 2] * v[c + 2];
      s3 += row[c + 3] * v[c + 3];
    }
    out[r] = (s0 + s1) + (s2 + s3);
#endif
  }
#if USE_INTRINSICS
  const v128_t zero = wasm_f32x4_splat(0.0f), slope = wasm_f32x4_splat(0.125f);
  for (uint32_t r = 0; r < MV; r += 4) {
    v128_t v = wasm_v128_load(out + r);
    wasm_v128_store(out + r, wasm_v128_bitselect(wasm_f32x4_mul(v, slope), v, wasm_f32x4_lt(v, zero)));
  }
#else
  for (uint32_t r = 0; r < MV; r++) out[r] = out[r] < 0.0f ? out[r] * 0.125f : out[r];
#endif
}

/* f32 -> i16 with a scale (truncating, saturating to i16; the inputs stay
** inside the i32 range), then back to f32; returns the folded i16 values
** and the sum of |x - back| in four interleaved partial sums. */
static uint32_t quantise(const float *x, int16_t *q, uint32_t n, float scale) {
  const float inv = 1.0f / scale;
#if USE_INTRINSICS
  const v128_t vs = wasm_f32x4_splat(scale), vinv = wasm_f32x4_splat(inv);
  const v128_t qmax = wasm_i32x4_splat(32767), qmin = wasm_i32x4_splat(-32768);
  v128_t err = wasm_f32x4_splat(0.0f), nclip = wasm_i32x4_splat(0);
  for (uint32_t i = 0; i < n; i += 8) {
    v128_t x0 = wasm_v128_load(x + i), x1 = wasm_v128_load(x + i + 4);
    v128_t i0 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(x0, vs));
    v128_t i1 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(x1, vs));
    wasm_v128_store(q + i, wasm_i16x8_narrow_i32x4(i0, i1));
    /* The same clamping as the saturating narrow, kept in i32 lanes. */
    v128_t c0 = wasm_i32x4_min(wasm_i32x4_max(i0, qmin), qmax);
    v128_t c1 = wasm_i32x4_min(wasm_i32x4_max(i1, qmin), qmax);
    nclip = wasm_i32x4_sub(nclip, wasm_i32x4_ne(c0, i0));
    nclip = wasm_i32x4_sub(nclip, wasm_i32x4_ne(c1, i1));
    v128_t b0 = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(c0), vinv);
    v128_t b1 = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(c1), vinv);
    err = wasm_f32x4_add(err, wasm_f32x4_abs(wasm_f32x4_sub(x0, b0)));
    err = wasm_f32x4_add(err, wasm_f32x4_abs(wasm_f32x4_sub(x1, b1)));
  }
  float e = (wasm_f32x4_extract_lane(err, 0) + wasm_f32x4_extract_lane(err, 1)) +
            (wasm_f32x4_extract_lane(err, 2) + wasm_f32x4_extract_lane(err, 3));
  uint32_t clipped = (uint32_t)wasm_i32x4_extract_lane(nclip, 0) + (uint32_t)wasm_i32x4_extract_lane(nclip, 1) +
                     (uint32_t)wasm_i32x4_extract_lane(nclip, 2) + (uint32_t)wasm_i32x4_extract_lane(nclip, 3);
#else
  float e0 = 0.0f, e1 = 0.0f, e2 = 0.0f, e3 = 0.0f;
  uint32_t clipped = 0;
  for (uint32_t i = 0; i < n; i++) {
    int32_t t = (int32_t)(x[i] * scale);
    clipped += t > 32767 || t < -32768;
    if (t > 32767) t = 32767;
    if (t < -32768) t = -32768;
    q[i] = (int16_t)t;
  }
  for (uint32_t i = 0; i < n; i += 4) {
    e0 += __builtin_fabsf(x[i] - (float)q[i] * inv);
    e1 += __builtin_fabsf(x[i + 1] - (float)q[i + 1] * inv);
    e2 += __builtin_fabsf(x[i + 2] - (float)q[i + 2] * inv);
    e3 += __builtin_fabsf(x[i + 3] - (float)q[i + 3] * inv);
  }
  float e = (e0 + e1) + (e2 + e3);
#endif
  return mix(weigh_bytes((const uint8_t *)q, 2 * n) ^ f32_bits(e), clipped);
}

#if USE_INTRINSICS
/* The sum of a vector's 16 u8 lanes. */
static uint32_t weigh_counts(v128_t c) {
  v128_t w = wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(c));
  w = wasm_i32x4_add(w, wasm_i32x4_shuffle(w, w, 2, 3, 0, 1));
  w = wasm_i32x4_add(w, wasm_i32x4_shuffle(w, w, 1, 0, 3, 2));
  return (uint32_t)wasm_i32x4_extract_lane(w, 0);
}
#endif

/* A byte scan: counts newlines, digits and bytes that differ from a
** reference copy, and sums the positions of '#'. */
static uint32_t scan(const uint8_t *t, const uint8_t *ref, uint32_t n) {
  uint32_t lines = 0, digits = 0, diffs = 0, high = 0, hashes = 0;
#if USE_INTRINSICS
  const v128_t nl = wasm_i8x16_splat('\n'), zero = wasm_i8x16_splat('0'), ten = wasm_u8x16_splat(10);
  const v128_t hash = wasm_i8x16_splat('#');
  for (uint32_t blk = 0; blk < n; blk += 16 * 255) {
    /* Byte counters (minus the all-ones compare masks) for up to 255
    ** blocks, then widened. */
    v128_t cl = wasm_i8x16_splat(0), cd = wasm_i8x16_splat(0), cx = wasm_i8x16_splat(0);
    v128_t ch = wasm_i8x16_splat(0);
    uint32_t end = blk + 16 * 255 < n ? blk + 16 * 255 : n;
    for (uint32_t i = blk; i < end; i += 16) {
      v128_t v = wasm_v128_load(t + i);
      cl = wasm_i8x16_sub(cl, wasm_i8x16_eq(v, nl));
      cd = wasm_i8x16_sub(cd, wasm_u8x16_lt(wasm_i8x16_sub(v, zero), ten));
      ch = wasm_i8x16_sub(ch, wasm_i8x16_lt(v, wasm_i8x16_splat(0)));
      v128_t same = wasm_i8x16_eq(v, wasm_v128_load(ref + i));
      if (!wasm_i8x16_all_true(same)) cx = wasm_i8x16_sub(cx, wasm_v128_not(same));
      v128_t h = wasm_i8x16_eq(v, hash);
      if (wasm_v128_any_true(h)) {
        uint32_t bits = (uint32_t)wasm_i8x16_bitmask(h);
        while (bits) {
          hashes += i + (uint32_t)__builtin_ctz(bits);
          bits &= bits - 1;
        }
      }
    }
    lines += weigh_counts(cl);
    digits += weigh_counts(cd);
    diffs += weigh_counts(cx);
    high += weigh_counts(ch);
  }
#else
  for (uint32_t i = 0; i < n; i++) {
    uint8_t c = t[i];
    lines += c == '\n';
    digits += (uint8_t)(c - '0') < 10;
    diffs += c != ref[i];
    high += (int8_t)c < 0;
    if (c == '#') hashes += i;
  }
#endif
  return mix(mix(mix(mix(lines, digits), diffs), high), hashes);
}

/* Uniform in [-1, 1). */
static float unit(void) { return (float)((int32_t)lcg() >> 8) * (1.0f / 8388608.0f); }

uint32_t run(void) {
  uint32_t iters = BENCH_SCALE(300, 30) * bench_opaque_one;
  uint8_t *pa = bench_alloc(NPIX), *pb = bench_alloc(NPIX), *pc = bench_alloc(NPIX);
  uint8_t *pout = bench_alloc(NPIX), *gout = bench_alloc(NPIX);
  uint8_t *rgba = bench_alloc(4 * NPIX), *bgra = bench_alloc(4 * NPIX);
  int16_t *ta = bench_alloc(2 * NSAMP), *tb = bench_alloc(2 * NSAMP);
  int16_t *tc = bench_alloc(2 * NSAMP), *tout = bench_alloc(2 * NSAMP);
  float *fx = bench_alloc(4 * NF), *fy = bench_alloc(4 * NF);
  float *vin = bench_alloc(4 * NF), *vout = bench_alloc(4 * NF);
  float *mat = bench_alloc(4 * MV * MV), *vec = bench_alloc(4 * MV), *mvout = bench_alloc(4 * MV);
  float *qx = bench_alloc(4 * NF);
  int16_t *qq = bench_alloc(2 * NF);
  uint8_t *text = bench_alloc(NTEXT), *ref = bench_alloc(NTEXT);
  static const char alphabet[] = "etaoinshrdlucmfwypvbgkqjxz      \n\n0123456789#";

  lcg_state = 12345;
  for (uint32_t i = 0; i < NPIX; i++) {
    pa[i] = (uint8_t)(lcg() >> 24);
    pb[i] = (uint8_t)(lcg() >> 24);
    pc[i] = (uint8_t)(lcg() >> 24);
  }
  for (uint32_t i = 0; i < 4 * NPIX; i++) rgba[i] = (uint8_t)(lcg() >> 24);
  for (uint32_t i = 0; i < NSAMP; i++) {
    ta[i] = (int16_t)(lcg() >> 16);
    tb[i] = (int16_t)(lcg() >> 16);
    /* Within +-2^14, so a pair of products in i32x4.dot_i16x8_s cannot
    ** wrap (the plain path sums in i64). */
    tc[i] = (int16_t)((int32_t)lcg() >> 18);
  }
  for (uint32_t i = 0; i < NF; i++) {
    fx[i] = unit();
    fy[i] = unit();
    vin[i] = (i & 3) == 3 ? 1.0f + unit() * 0.5f : unit(); /* w != 0: no 0/0 */
    qx[i] = 4.0f * unit();
  }
  for (uint32_t i = 0; i < MV * MV; i++) mat[i] = unit();
  for (uint32_t i = 0; i < MV; i++) vec[i] = unit();
  for (uint32_t i = 0; i < NTEXT; i++) {
    uint32_t r = lcg();
    text[i] = (r >> 24) < 3 ? (uint8_t)(0x80 + (r & 0x7f)) : (uint8_t)alphabet[(r >> 8) % (sizeof alphabet - 1)];
    ref[i] = (r & 0x3ff) == 7 ? 'x' : text[i];
  }

  uint32_t h = 0;
  for (uint32_t it = 0; it < iters; it++) {
    blend(pa, pb, pc, pout, NPIX);
    h = mix(h, weigh_bytes(pout, NPIX));
    grey(rgba, gout, NPIX);
    h = mix(h, weigh_bytes(gout, NPIX));
    swap_rb(rgba, bgra, NPIX);
    h = mix(h, weigh_bytes(bgra, 4 * NPIX));
    int16_t gain = it % 5 == 4 ? (int16_t)-32768 : (int16_t)(20000 + 97 * it);
    h = mix(h, audio(ta, tb, tc, tout, NSAMP, gain));
    h = mix(h, weigh_bytes((const uint8_t *)tout, 2 * NSAMP));
    h = mix(h, saxpy(0.5f + (float)(it % 7) * 0.125f, fx, fy, NF, 4.0f));
    normalise(vin, vout, NF / 4);
    h = mix(h, weigh_bytes((const uint8_t *)vout, 4 * NF));
    matvec(mat, vec, mvout);
    h = mix(h, weigh_bytes((const uint8_t *)mvout, 4 * MV));
    h = mix(h, quantise(qx, qq, NF, 10000.0f + 100.0f * (float)it));
    h = mix(h, scan(text, ref, NTEXT));
    /* Perturb the inputs so that no two iterations are alike. */
    pa[(it * 7919u) % NPIX] ^= (uint8_t)(it + 1);
    rgba[(it * 104729u) % (4 * NPIX)] += 77;
    ta[(it * 31u) % NSAMP] = (int16_t)(-32768 + (int32_t)it);
    vin[(it * 13u) % NF] += 0.25f;
    vec[it % MV] = mvout[(it + 1) % MV];
    text[(it * 7907u) % NTEXT] = '#';
  }
  return h;
}
