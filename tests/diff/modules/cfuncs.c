/* SPDX-License-Identifier: MIT */
/*
** cfuncs.c -- numeric exports compiled from C by clang-14 (freestanding
** wasm32), so the differential test also sees code shaped by a real compiler:
** loops over linear memory, i64 arithmetic, float math, switch tables.
*/
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("gcd") uint32_t gcd(uint32_t a, uint32_t b) {
  while (b) { uint32_t t = a % b; a = b; b = t; }
  return a;
}

EXPORT("collatz") uint32_t collatz(uint64_t n) {
  uint32_t steps = 0;
  while (n > 1) { n = n & 1 ? 3 * n + 1 : n / 2; steps++; }
  return steps;
}

EXPORT("isqrt") uint32_t isqrt(uint32_t x) { return (uint32_t)__builtin_sqrt((double)x); }

EXPORT("horner") double horner(double x) {
  static const double c[] = {1.0, -0.5, 0.25, -0.125, 0.0625, 3.14159};
  double r = 0;
  for (int i = 0; i < 6; i++) r = r * x + c[i];
  return r;
}

EXPORT("mean_f32") float mean_f32(float a, float b, float c) { return (a + b + c) / 3.0f; }

/* Sorts a pseudo-random array in linear memory and folds it into a hash. */
static int32_t arr[512];
EXPORT("sort_hash") uint32_t sort_hash(uint32_t seed, uint32_t n) {
  if (n > 512) n = 512;
  for (uint32_t i = 0; i < n; i++) { seed = seed * 1103515245u + 12345u; arr[i] = (int32_t)seed >> 7; }
  for (uint32_t i = 1; i < n; i++) {
    int32_t v = arr[i];
    uint32_t j = i;
    while (j > 0 && arr[j - 1] > v) { arr[j] = arr[j - 1]; j--; }
    arr[j] = v;
  }
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ (uint32_t)arr[i]) * 16777619u;
  return h;
}

EXPORT("mix64") uint64_t mix64(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

EXPORT("day_kind") int32_t day_kind(int32_t d) {
  switch (d) {
  case 0: case 6: return 2;
  case 1: case 2: case 3: case 4: return 1;
  case 5: return 3;
  default: return -1;
  }
}

EXPORT("f64_to_i64") int64_t f64_to_i64(double x) { return (int64_t)x; }
