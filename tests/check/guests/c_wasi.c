/* SPDX-License-Identifier: MIT */
/*
** c_wasi.c -- `wasmem check` test guest: C with wasi-libc (dlmalloc), a
** WASI command; argv[1] picks the case:
**   wasmem check --json F run c-wasi.wasm -- CASE
** The expected reports are in tests/check/cases.txt. An unknown case
** prints the list and exits 2.
**
** Build (tests/check/build.sh):
**   clang-14 --target=wasm32-wasi -O1 -Wl,--strip-debug c_wasi.c
**
** main takes no parameters and reads its arguments itself (args_get into a
** stack buffer): with `int main(int argc, char **argv)`, wasi-libc's
** __main_void mallocs argv and its strings and never frees them, which
** would add a definite and an indirect leak to every case (c_wasi_argv.c
** tests exactly that). Nothing else in the program allocates behind our
** back: printf to stdout uses musl's static buffer.
**
** Every bad access goes through a volatile pointer and its value is stored
** in a global so that -O1 keeps it; pointers go through opaque() so that
** the compiler cannot delete or move allocations (clang knows malloc/free).
** Leaked blocks are never handed to printf or kept on the stack.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "guest.h"

/* n bytes from malloc, each written. */
static uint8_t *new_block(size_t n) { return filled(malloc(n), n); }

static void touch_all(const void *p, size_t n) {
  const volatile uint8_t *v = p;
  uint32_t s = 0;
  for (size_t i = 0; i < n; i++) s += v[i];
  g_sink = s;
}

static void fill_all(void *p, size_t n) {
  volatile uint8_t *v = p;
  for (size_t i = 0; i < n; i++) v[i] = (uint8_t)i;
}

/* ---------------------------------------------- each allocator function */

/* malloc 24 bytes, every byte written and read, freed: clean. */
static int c_malloc(void) {
  uint8_t *p = new_block(24);
  touch_all(p, 24);
  free(p);
  return 0;
}

/* calloc(10, 4): 40 zero bytes, all read (must be 0), freed: clean. */
static int c_calloc(void) {
  uint8_t *p = (uint8_t *)opaque(calloc(10, 4));
  const volatile uint8_t *v = p;
  for (int i = 0; i < 40; i++)
    if (v[i] != 0) return 1;
  free(p);
  return 0;
}

/* realloc from NULL, grown in steps (moving: a block after it is in use),
** shrunk, every byte of each new size used, freed: clean. */
static int c_realloc(void) {
  uint8_t *p = (uint8_t *)opaque(realloc(NULL, 8));
  uint8_t *blocker = new_block(8);
  fill_all(p, 8);
  size_t sizes[] = {16, 100, 1000, 5000, 30, 3};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    p = (uint8_t *)opaque(realloc(p, sizes[i]));
    fill_all(p, sizes[i]);
    touch_all(p, sizes[i]);
  }
  free(p);
  free(blocker);
  return 0;
}

/* free(NULL) is a no-op; free of a live block: clean. */
static int c_free(void) {
  free(opaque(NULL));
  uint8_t *p = new_block(48);
  free(p);
  return 0;
}

/* posix_memalign(64, 100): 64-aligned, all 100 bytes used, freed: clean. */
static int c_posix_memalign(void) {
  void *p = NULL;
  if (posix_memalign(&p, 64, 100) != 0 || ((uintptr_t)p & 63)) return 1;
  p = opaque(p);
  fill_all(p, 100);
  touch_all(p, 100);
  free(p);
  return 0;
}

/* aligned_alloc(32, 96): 32-aligned, all 96 bytes used, freed: clean. */
static int c_aligned_alloc(void) {
  uint8_t *p = (uint8_t *)opaque(aligned_alloc(32, 96));
  if ((uintptr_t)p & 31) return 1;
  fill_all(p, 96);
  touch_all(p, 96);
  free(p);
  return 0;
}

/* The size each allocator function gave must be the one tracked: one byte
** past each is an error. */

/* calloc(10, 4), read at +40: invalid-read@+40/40. */
static int c_calloc_overflow(void) {
  uint8_t *p = (uint8_t *)opaque(calloc(10, 4));
  g_sink = ((volatile uint8_t *)p)[40];
  free(p);
  return 0;
}

/* malloc(16) grown by realloc to 100 (moved), write at +100:
** invalid-write@+100/100. */
static int c_realloc_grow_overflow(void) {
  uint8_t *p = new_block(16);
  uint8_t *blocker = new_block(16);
  p = (uint8_t *)opaque(realloc(p, 100));
  ((volatile uint8_t *)p)[99] = 1; /* the last byte: fine */
  ((volatile uint8_t *)p)[100] = 1;
  free(p);
  free(blocker);
  return 0;
}

/* malloc(100) shrunk by realloc to 24, read at +24: invalid-read@+24/24.
** (dlmalloc shrinks in place; the bytes past 24 are no longer the
** program's.) */
static int c_realloc_shrink_overflow(void) {
  uint8_t *p = new_block(100);
  p = (uint8_t *)opaque(realloc(p, 24));
  g_sink = ((volatile uint8_t *)p)[24];
  free(p);
  return 0;
}

/* posix_memalign(64, 100), read at +100: invalid-read@+100/100. */
static int c_memalign_overflow(void) {
  void *p = NULL;
  if (posix_memalign(&p, 64, 100) != 0) return 1;
  p = opaque(p);
  g_sink = ((volatile uint8_t *)p)[100];
  free(p);
  return 0;
}

/* aligned_alloc(32, 96), write at +96: invalid-write@+96/96. */
static int c_aligned_alloc_overflow(void) {
  uint8_t *p = (uint8_t *)opaque(aligned_alloc(32, 96));
  ((volatile uint8_t *)p)[96] = 1;
  free(p);
  return 0;
}

/* ------------------------------------------------------ strings (clean) */

/* strdup of strings of every length 0..40 (odd and even, so the NUL falls
** at every position within a word), strlen of each (musl's strlen reads
** aligned words past the NUL, within the word: not an error), strcmp,
** strchr, memcpy, all freed: clean. */
static int c_strdup_strlen(void) {
  char src[64];
  uint32_t total = 0;
  for (int len = 0; len <= 40; len++) {
    for (int i = 0; i < len; i++) src[i] = (char)('a' + (i * 7 + len) % 26);
    src[len] = 0;
    char *d = (char *)opaque(strdup(src));
    size_t n = strlen(d);
    if ((int)n != len || strcmp(d, src) != 0) return 1;
    if (len && strchr(d, src[len - 1]) == NULL) return 1;
    total += (uint32_t)n;
    free(d);
  }
  g_sink = total;
  return total == 820 ? 0 : 1;
}

/* ---------------------------------------------- invalid read and write */

/* malloc(24), read at +24: invalid-read@+24/24. */
static int c_overflow_read(void) {
  uint8_t *p = new_block(24);
  g_sink = ((volatile uint8_t *)p)[24];
  free(p);
  return 0;
}

/* malloc(24), write at +24: invalid-write@+24/24. (Natively harmless:
** dlmalloc's chunk has 4 spare bytes there.) */
static int c_overflow_write(void) {
  uint8_t *p = new_block(24);
  ((volatile uint8_t *)p)[24] = 0x5a;
  free(p);
  return 0;
}

/* malloc(24), read at -1 (dlmalloc's chunk header): invalid-read@-1/24. */
static int c_underflow_read(void) {
  uint8_t *p = new_block(24);
  g_sink = ((volatile uint8_t *)p)[-1];
  free(p);
  return 0;
}

/* malloc(24), write 0 at -1: invalid-write@-1/24. The byte is the top
** byte of dlmalloc's size word, already 0 for a small chunk, so the free
** after it still works natively. */
static int c_underflow_write(void) {
  uint8_t *p = new_block(24);
  ((volatile uint8_t *)p)[-1] = 0;
  free(p);
  return 0;
}

/* ------------------------------------------------------ use after free */

/* malloc(32), freed, read at +8: use-after-free-read@+8/32. */
static int c_uaf_read(void) {
  uint8_t *p = new_block(32);
  free(p);
  g_sink = ((volatile uint8_t *)opaque(p))[8];
  return 0;
}

/* malloc(32), freed, write at +12: use-after-free-write@+12/32. (Offset
** 12 is past dlmalloc's free-list links fd/bk at 0..7.) */
static int c_uaf_write(void) {
  uint8_t *p = new_block(32);
  free(p);
  ((volatile uint8_t *)opaque(p))[12] = 0x77;
  return 0;
}

/* malloc(32), freed, then 200 more 32-byte blocks kept live (natively
** dlmalloc hands the freed chunk back for the first of them), then a read
** of the first block at +8, then the 200 freed. With a quarantine
** (cases.txt passes --quarantine=1048576) the freed block is held back
** from the allocator and not reused, so the read is still
** use-after-free-read@+8/32 (without one, it would land in a live block
** and go unnoticed, as under Valgrind). */
static int c_uaf_read_churn(void) {
  uint8_t *p = new_block(32);
  uint8_t *live[200];
  free(p);
  for (int i = 0; i < 200; i++) live[i] = new_block(32);
  g_sink = ((volatile uint8_t *)opaque(p))[8];
  for (int i = 0; i < 200; i++) free(live[i]);
  return 0;
}

/* malloc(16) then realloc to 4096 (must move: a block after it is in use),
** then a read through the old pointer: use-after-free-read@+0/16. */
static int c_realloc_use_old(void) {
  uint8_t *p = new_block(16);
  uint8_t *blocker = new_block(16);
  uint8_t *q = (uint8_t *)opaque(realloc(p, 4096));
  if (q == p) return 1; /* did not move: the case would not test anything */
  g_sink = ((volatile uint8_t *)opaque(p))[0];
  free(q);
  free(blocker);
  return 0;
}

/* ---------------------------------------------------------- bad frees */

/* malloc(32) freed twice: double-free. (Natively, Debian's wasi-libc
** dlmalloc does not notice: the program exits 0.) */
static int c_double_free(void) {
  uint8_t *p = new_block(32);
  free(p);
  free(opaque(p));
  return 0;
}

/* free of a pointer 16 bytes into a live 64-byte block: invalid-free; the
** block is then freed correctly. The block is filled with 0x01 bytes, the
** word dlmalloc takes for the chunk size at p + 12. (Natively dlmalloc
** follows that garbage and the program traps with an out-of-bounds
** access inside dlfree. Under the checker the bad free must be reported;
** the test compares the reports only, not whether the run then traps.) */
static int c_invalid_free_interior(void) {
  uint8_t *p = (uint8_t *)opaque(malloc(64));
  memset(p, 1, 64);
  free(opaque(p + 16));
  free(p);
  return 0;
}

/* free of a static array: invalid-free. (Natively, Debian's wasi-libc
** dlmalloc does not notice: the program exits 0.) */
static char g_static[64];
static int c_invalid_free_static(void) {
  g_static[0] = 1;
  free(opaque(g_static));
  return 0;
}

/* ------------------------------------------------------------- leaks */

uint8_t *volatile g_keep;

/* malloc(40), the pointer dropped: leak-definite, 40 bytes. */
static int c_leak_definite(void) {
  (void)new_block(40);
  return 0;
}

/* malloc(20), the pointer dropped: leak-definite, 20 bytes. A size of 8k+4
** on purpose: dlmalloc's chunk for it ends 4 bytes before the block does,
** so the allocator's own `top` pointer (in its static state) points 16
** bytes into this block. The program holds no pointer to it: still a
** definite leak. */
static int c_leak_definite_odd(void) {
  (void)new_block(20);
  return 0;
}

/* malloc(24), only block + 8 kept in a global: leak-possible. */
static int c_leak_possible(void) {
  uint8_t *p = new_block(24);
  g_keep = p + 8;
  return 0;
}

/* malloc(24) kept in a global: leak-reachable. */
static int c_leak_reachable(void) {
  g_keep = new_block(24);
  return 0;
}

/* A lost 16-byte list head pointing to a 32-byte block: leak-definite (16)
** and leak-indirect (32). */
static int c_leak_indirect(void) {
  uint8_t **head = (uint8_t **)new_block(16);
  uint8_t *second = new_block(32);
  *(uint8_t *volatile *)head = second;
  return 0;
}

/* ------------------------------------------------------ clean (strings) */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Heavy string work: strdup, strcat into growing buffers, snprintf, qsort
** of 300 strings, strstr/strncmp/memmove, a realloc-grown buffer; all
** freed: 0 errors, 0 leaks. Prints a checksum. */
static int c_clean(void) {
  enum { N = 300 };
  char **v = (char **)opaque(malloc(N * sizeof *v));
  char tmp[80];
  for (int i = 0; i < N; i++) {
    int k = (i * 7919) % N;
    snprintf(tmp, sizeof tmp, "item-%05d-%.*s", k, 1 + k % 23, "abcdefghijklmnopqrstuvwxyz");
    v[i] = strdup(tmp);
    if (!v[i]) return 1;
  }
  qsort(v, N, sizeof *v, cmp_str);
  for (int i = 1; i < N; i++)
    if (strcmp(v[i - 1], v[i]) > 0) return 1;
  /* join them with strcat into a buffer grown by realloc */
  size_t cap = 16, len = 0;
  char *joined = (char *)malloc(cap);
  joined[0] = 0;
  for (int i = 0; i < N; i++) {
    size_t n = strlen(v[i]);
    while (len + n + 2 > cap) {
      cap *= 2;
      joined = (char *)realloc(joined, cap);
    }
    strcat(joined, v[i]);
    strcat(joined, ",");
    len += n + 1;
  }
  if (strlen(joined) != len || !strstr(joined, "item-00150-")) return 1;
  /* every string again, reversed, into fresh blocks */
  uint32_t sum = 0;
  for (int i = 0; i < N; i++) {
    size_t n = strlen(v[i]);
    char *r = (char *)malloc(n + 2); /* '>', the n reversed, the NUL */
    for (size_t j = 0; j < n; j++) r[j] = v[i][n - 1 - j];
    r[n] = 0;
    memmove(r + 1, r, n + 1); /* overlapping move, NUL included */
    r[0] = '>';
    if (strncmp(r, ">", 1) != 0 || strlen(r) != n + 1) return 1;
    sum = sum * 31 + (uint32_t)strlen(r);
    free(r);
  }
  for (int i = 0; i < N; i++) free(v[i]);
  free(v);
  free(joined);
  printf("clean ok %u\n", (unsigned)(sum ^ (uint32_t)len));
  return 0;
}

/* ------------------------------------------------------------- driver */

static const struct {
  const char *name;
  int (*fn)(void);
} cases[] = {
    {"malloc", c_malloc},
    {"calloc", c_calloc},
    {"realloc", c_realloc},
    {"free", c_free},
    {"posix_memalign", c_posix_memalign},
    {"aligned_alloc", c_aligned_alloc},
    {"calloc_overflow", c_calloc_overflow},
    {"realloc_grow_overflow", c_realloc_grow_overflow},
    {"realloc_shrink_overflow", c_realloc_shrink_overflow},
    {"memalign_overflow", c_memalign_overflow},
    {"aligned_alloc_overflow", c_aligned_alloc_overflow},
    {"strdup_strlen", c_strdup_strlen},
    {"overflow_read", c_overflow_read},
    {"overflow_write", c_overflow_write},
    {"underflow_read", c_underflow_read},
    {"underflow_write", c_underflow_write},
    {"uaf_read", c_uaf_read},
    {"uaf_write", c_uaf_write},
    {"uaf_read_churn", c_uaf_read_churn},
    {"realloc_use_old", c_realloc_use_old},
    {"double_free", c_double_free},
    {"invalid_free_interior", c_invalid_free_interior},
    {"invalid_free_static", c_invalid_free_static},
    {"leak_definite", c_leak_definite},
    {"leak_definite_odd", c_leak_definite_odd},
    {"leak_possible", c_leak_possible},
    {"leak_reachable", c_leak_reachable},
    {"leak_indirect", c_leak_indirect},
    {"clean", c_clean},
};

int main(void) {
  /* argv[1], read with args_get into a stack buffer (no malloc). */
  __wasi_size_t argc = 0, bufsize = 0;
  char *args[16];
  char buf[512];
  const char *which = "";
  if (__wasi_args_sizes_get(&argc, &bufsize) == 0 && argc <= 16 && bufsize <= sizeof buf &&
      __wasi_args_get((uint8_t **)args, (uint8_t *)buf) == 0 && argc >= 2)
    which = args[1];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (strcmp(which, cases[i].name) == 0) {
      int rc = cases[i].fn();
      if (rc != 0) fprintf(stderr, "c-wasi: case %s failed its own check\n", which);
      return rc;
    }
  fprintf(stderr, "usage: c-wasi.wasm CASE; cases:");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) fprintf(stderr, " %s", cases[i].name);
  fprintf(stderr, "\n");
  return 2;
}
