/* SPDX-License-Identifier: MIT */
/* matmul.c -- f64 arithmetic and strided loads: C = A * B, 200 x 200. The
** order of operations is fixed (no reassociation) so both builds agree
** bit for bit. */
#include "bench.h"

#define N 200
static double a[N][N], b[N][N], c[N][N];

uint32_t run(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = (double)((i * 7 + j * 3) % 17) * 0.25 - 1.5;
      b[i][j] = (double)((i * 5 + j * 11) % 13) * 0.5 + 0.125;
    }
  uint32_t sum = 0;
  for (int rep = 0; rep < BENCH_SCALE(120, 12); rep++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) c[i][j] = 0.0;
    for (int i = 0; i < N; i++)
      for (int k = 0; k < N; k++) {
        double aik = a[i][k];
        for (int j = 0; j < N; j++) c[i][j] += aik * b[k][j];
      }
    /* Fold the result into an integer; perturb A so reps differ. */
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) sum = sum * 31u + (uint32_t)(int32_t)(c[i][j] * 8.0);
    a[rep % N][rep % N] += 1.0;
  }
  return sum;
}
