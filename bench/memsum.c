/* SPDX-License-Identifier: MIT */
/* memsum.c -- memory bandwidth: fill and sum a 64 MiB array, which in wasm
** comes from memory.grow (the module starts with a small memory). */
#include "bench.h"

#define WORDS ((64u << 20) / 4)

uint32_t run(void) {
  uint32_t words = BENCH_SCALE(WORDS, WORDS / 8);
  uint32_t *v = bench_alloc((size_t)words * 4);
  for (uint32_t i = 0; i < words; i++) v[i] = i * 2654435761u;
  uint32_t sum = 0;
  for (int rep = 0; rep < BENCH_SCALE(24, 3); rep++)
    for (uint32_t i = 0; i < words; i++) sum += v[i] ^ (uint32_t)rep;
  return sum;
}
