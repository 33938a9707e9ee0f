/* SPDX-License-Identifier: MIT */
/* sieve.c -- byte loads/stores in a tight loop: the sieve of Eratosthenes. */
#include "bench.h"

#define N BENCH_SCALE(8000000, 800000)
static uint8_t composite[N + 1];

uint32_t run(void) {
  uint32_t total = 0;
  for (int rep = 0; rep < 8; rep++) {
    uint32_t n = N * bench_opaque_one, count = 0;
    for (uint32_t i = 0; i <= n; i++) composite[i] = 0;
    for (uint32_t i = 2; i * i <= n; i++)
      if (!composite[i])
        for (uint32_t j = i * i; j <= n; j += i) composite[j] = 1;
    for (uint32_t i = 2; i <= n; i++) count += !composite[i];
    total += count;
  }
  return total;
}
