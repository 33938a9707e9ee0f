/* SPDX-License-Identifier: MIT */
/*
** c_free.c -- `wasmem check` test guest: C, freestanding (no libc), on
** include/wasmem_guest.h's own free-list allocator (wm_guest_alloc /
** wm_guest_free, exported as alloc/dealloc). A reactor: each exported
** function exercises one behaviour, called with
**   wasmem check --json F call c-free.wasm FUNC
** The expected reports are in tests/check/cases.txt.
**
** Build (tests/check/build.sh):
**   clang-14 --target=wasm32 -O1 -nostdlib -Wl,--no-entry -I include c_free.c
**
** Every bad access goes through a volatile pointer and its value is stored
** in a global, so that -O1 keeps it; every pointer is passed through
** opaque() so that the compiler cannot reason about the allocation (a
** malloc/free pair whose block is never used can otherwise be deleted).
** opaque() leaves no copy of the pointer behind, so it never keeps a block
** reachable. Block sizes handed to the leak cases are multiples of 8.
*/
#define WM_GUEST_IMPLEMENTATION
#include "wasmem_guest.h"

#include "guest.h"

static uint8_t *new_block(uint32_t n) { return filled(wm_guest_alloc(n), n); }

/* --------------------------------------------------------------- clean */

/* Many blocks of many sizes, a linked list, every byte written and read
** within bounds, everything freed: no error, no leak. */
struct node {
  struct node *next;
  uint32_t len;
  uint8_t *data;
};

WM_EXPORT(clean) uint32_t clean(void) {
  struct node *head = 0;
  uint32_t sum = 0;
  for (uint32_t i = 0; i < 200; i++) {
    struct node *n = (struct node *)opaque(wm_guest_alloc(sizeof *n));
    n->len = (i * 37) % 61; /* 0..60, alloc(0) included */
    n->data = new_block(n->len);
    n->next = head;
    head = n;
    if (i % 3 == 0) { /* free some as we go, so blocks are reused */
      struct node *d = head;
      head = d->next;
      wm_guest_free(d->data, d->len);
      wm_guest_free(d, sizeof *d);
    }
  }
  while (head) {
    struct node *d = head;
    volatile uint8_t *v = d->data;
    for (uint32_t k = 0; k < d->len; k++) sum += v[k];
    head = d->next;
    wm_guest_free(d->data, d->len);
    wm_guest_free(d, sizeof *d);
  }
  g_sink = sum;
  return sum;
}

/* The exchange: the host copies the input into a block from alloc, the
** guest returns a fresh block that the host reads and frees
** (`--string TEXT --result string:same-len`). No error, no leak. */
WM_EXPORT(upper) uint8_t *upper(const uint8_t *p, uint32_t n) {
  uint8_t *r = (uint8_t *)wm_guest_alloc(n);
  for (uint32_t i = 0; i < n; i++) r[i] = (p[i] >= 'a' && p[i] <= 'z') ? (uint8_t)(p[i] - 32) : p[i];
  return r;
}

/* The callee takes ownership of its input and frees it itself
** (`--string TEXT --transfer`). No error, no leak. */
WM_EXPORT(sum_free) uint32_t sum_free(uint8_t *p, uint32_t n) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i++) s += p[i];
  wm_guest_free(p, n);
  return s;
}

/* A word-at-a-time strlen (the way libc's does it): aligned 4-byte loads
** that run past the NUL and past the end of the block (e.g. for a 21-byte
** block the last load covers bytes 20..23, only byte 20 being the
** block's). Aligned word reads crossing a block's end are not errors:
** clean. */
static uint32_t strlen_words(const char *s) {
  const char *a = s;
  while ((uintptr_t)s & 3) {
    if (!*(const volatile char *)s) return (uint32_t)(s - a);
    s++;
  }
  const volatile uint32_t *w = (const volatile uint32_t *)s;
  for (;;) {
    uint32_t x = *w;
    if ((x - 0x01010101u) & ~x & 0x80808080u) break; /* a zero byte */
    w++;
  }
  s = (const char *)w;
  while (*s) s++;
  return (uint32_t)(s - a);
}

WM_EXPORT(strlen_words) uint32_t strlen_words_case(void) {
  uint32_t total = 0;
  for (uint32_t len = 0; len < 24; len++) { /* the NUL at every offset */
    char *p = (char *)opaque(wm_guest_alloc(len + 1));
    for (uint32_t i = 0; i < len; i++) p[i] = (char)('a' + i);
    p[len] = 0;
    total += strlen_words(p);
    wm_guest_free(p, len + 1);
  }
  g_sink = total;
  return total; /* 276 */
}

/* Static data and the stack, read and written through volatile pointers
** (the static struct through one byte pointer, a[] and on into b[]):
** outside the heap, never flagged: clean. */
struct two_arrays {
  uint8_t a[20];
  uint8_t b[20];
};
static struct two_arrays g_two;
WM_EXPORT(static_stack) uint32_t static_stack(void) {
  volatile uint8_t local[64];
  volatile uint8_t *d = (volatile uint8_t *)opaque(&g_two);
  uint32_t s = 0;
  for (int i = 0; i < 64; i++) local[i] = (uint8_t)i;
  for (int i = 0; i < 40; i++) d[i] = (uint8_t)(2 * i); /* a[] then b[] */
  for (int i = 0; i < 64; i++) s += local[i];
  for (int i = 0; i < 40; i++) s += d[i];
  g_sink = s;
  return s;
}

/* ------------------------------------------------- invalid read / write */

/* One byte past a 24-byte block: invalid-read at block + 24. */
WM_EXPORT(overflow_read) uint32_t overflow_read(void) {
  uint8_t *p = new_block(24);
  volatile uint8_t *v = p;
  g_sink = v[24];
  wm_guest_free(p, 24);
  return g_sink;
}

/* One byte past a 24-byte block: invalid-write at block + 24. */
WM_EXPORT(overflow_write) void overflow_write(void) {
  uint8_t *p = new_block(24);
  volatile uint8_t *v = p;
  v[24] = 0x5a;
  wm_guest_free(p, 24);
}

/* One byte before a 24-byte block (the allocator's header): invalid-read
** at block - 1. */
WM_EXPORT(underflow_read) uint32_t underflow_read(void) {
  uint8_t *p = new_block(24);
  volatile uint8_t *v = p;
  g_sink = v[-1];
  wm_guest_free(p, 24);
  return g_sink;
}

/* An aligned 4-byte read of the last word of a 20-byte block, then an
** unaligned 4-byte read at block + 18 that runs 2 bytes past the end
** (not word-aligned: not the strlen pattern, an error). */
WM_EXPORT(overflow_read_unaligned) uint32_t overflow_read_unaligned(void) {
  uint8_t *p = new_block(20);
  g_sink = *(volatile uint32_t *)(p + 16); /* in bounds */
  g_sink = *(volatile uint32_t *)(p + 18); /* bytes 18..21: 2 past */
  wm_guest_free(p, 20);
  return g_sink;
}

/* ------------------------------------------------------ use after free */

/* Read a freed 32-byte block at offset 8: use-after-free-read at +8. */
WM_EXPORT(uaf_read) uint32_t uaf_read(void) {
  uint8_t *p = new_block(32);
  wm_guest_free(p, 32);
  volatile uint8_t *v = opaque(p);
  g_sink = v[8];
  return g_sink;
}

/* Write a freed 32-byte block at offset 12: use-after-free-write at +12.
** (The free-list link lives in the first 4 bytes: offset 12 is clear of
** it, so the write does not corrupt the allocator when run natively.) */
WM_EXPORT(uaf_write) void uaf_write(void) {
  uint8_t *p = new_block(32);
  wm_guest_free(p, 32);
  volatile uint8_t *v = opaque(p);
  v[12] = 0x77;
}

/* ---------------------------------------------------------- bad frees */

/* Free a 32-byte block twice: double-free. The header's allocator traps
** on the second free when run natively. */
WM_EXPORT(double_free) void double_free(void) {
  uint8_t *p = new_block(32);
  wm_guest_free(p, 32);
  wm_guest_free(opaque(p), 32);
}

/* Free a pointer 16 bytes into a live 64-byte block: invalid-free; then
** the block itself, correctly. (Natively the allocator traps: the word
** before p + 16 is not a "used" header.) */
WM_EXPORT(invalid_free_interior) void invalid_free_interior(void) {
  uint8_t *p = new_block(64);
  wm_guest_free(opaque(p + 16), 48);
  wm_guest_free(p, 64);
}

/* Free a static array: invalid-free (natively, a trap: below the heap). */
static uint8_t g_static[64];
WM_EXPORT(invalid_free_static) void invalid_free_static(void) {
  g_static[0] = 1;
  wm_guest_free(opaque(g_static), sizeof g_static);
}

/* ------------------------------------------------------------- leaks */

/* The global keeping blocks alive for the reachable / possible cases. */
uint8_t *volatile g_keep;

/* A 40-byte block whose only pointer is dropped: leak-definite, 40 bytes. */
WM_EXPORT(leak_definite) void leak_definite(void) {
  (void)new_block(40);
}

/* A 24-byte block of which a global holds only block + 8: leak-possible. */
WM_EXPORT(leak_possible) void leak_possible(void) {
  uint8_t *p = new_block(24);
  g_keep = p + 8;
}

/* A 24-byte block held by a global (start pointer): leak-reachable. */
WM_EXPORT(leak_reachable) void leak_reachable(void) {
  g_keep = new_block(24);
}

/* A lost 16-byte list head pointing to a second, 32-byte block:
** leak-definite (16) and leak-indirect (32). */
WM_EXPORT(leak_indirect) void leak_indirect(void) {
  uint8_t **head = (uint8_t **)new_block(16);
  uint8_t *second = new_block(32);
  *(uint8_t *volatile *)head = second;
}
