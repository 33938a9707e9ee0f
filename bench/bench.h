/* SPDX-License-Identifier: MIT */
/*
** bench.h -- the little each benchmark kernel needs in both of its builds:
** natively (gcc, with libc, `main` prints the checksum) and as a freestanding
** wasm32 module (clang-14 -nostdlib, exports `run`). Include it once per kernel.
*/
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Work sizes shrink ~10x under -DBENCH_QUICK so the scripts can be smoke
** tested in seconds; the checksums differ between the two sizes. */
#ifdef BENCH_QUICK
#define BENCH_SCALE(full, quick) (quick)
#else
#define BENCH_SCALE(full, quick) (full)
#endif

/* Every kernel defines this: does the work, returns a checksum that the
** runner compares between the native and the wasm build. */
uint32_t run(void);

/* Keeps the optimiser from folding a whole kernel into a constant. */
static volatile uint32_t bench_opaque_one = 1;

#ifdef __wasm__
/* clang lowers loops and struct copies to calls to these even with
** -nostdlib, so the freestanding build must provide them. */
void *memset(void *d, int c, size_t n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}
void *memmove(void *d, const void *s, size_t n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  if (p < q) while (n--) *p++ = *q++;
  else while (n--) p[n] = q[n];
  return d;
}

/* A page allocator over memory.grow: the kernels that need big buffers
** take them from here so the module starts small and must grow. */
__attribute__((unused)) static void *bench_alloc(size_t bytes) {
  size_t pages = (bytes + 65535) / 65536;
  long old = (long)__builtin_wasm_memory_grow(0, pages);
  if (old < 0) __builtin_trap();
  return (void *)(old * 65536);
}
#else
#include <stdio.h>
#include <stdlib.h>
__attribute__((unused)) static void *bench_alloc(size_t bytes) {
  void *p = calloc(1, bytes);
  if (!p) { perror("calloc"); exit(1); }
  return p;
}
/* Native build: print the checksum as the wasm call would (signed i32). */
int main(void) {
  printf("%d\n", (int32_t)run());
  return 0;
}
#endif

#endif
