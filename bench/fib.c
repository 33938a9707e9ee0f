/* SPDX-License-Identifier: MIT */
/* fib.c -- call-heavy: naive recursive Fibonacci. Measures call/return cost. */
#include "bench.h"

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

uint32_t run(void) { return fib(BENCH_SCALE(40, 30) * bench_opaque_one); }
