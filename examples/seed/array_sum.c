/* SPDX-License-Identifier: MIT */
/*
** array_sum.c -- the seed article's example as a freestanding C guest: the
** host copies a byte array into linear memory (through `alloc`) and calls
** `array_sum(ptr, len)`. Build:
**   clang-14 --target=wasm32 -O2 -nostdlib -Wl,--no-entry -o array_sum.wasm array_sum.c
*/
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* The linker puts the heap after the data and the stack. */
extern unsigned char __heap_base;
static uintptr_t heap_top;

/* A bump allocator: hands out 8-byte aligned blocks, growing memory as
** needed; returns 0 when memory cannot grow. Nothing is ever reused, which is
** enough for a demo (dealloc is accepted and ignored). */
EXPORT("alloc") void *alloc(uint32_t len) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  uintptr_t p = (heap_top + 7) & ~(uintptr_t)7;
  if (len > UINT32_MAX - p) return 0;
  uintptr_t end = p + len;
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have) {
    uintptr_t pages = (end - have + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
  }
  heap_top = end;
  return (void *)p;
}

EXPORT("dealloc") void dealloc(void *ptr, uint32_t len) { (void)ptr; (void)len; }

/* The sum of len bytes at ptr, wrapping at 256 like the article's u8 sum. */
EXPORT("array_sum") uint8_t array_sum(const uint8_t *ptr, uint32_t len) {
  uint8_t s = 0;
  for (uint32_t i = 0; i < len; i++) s += ptr[i];
  return s;
}

/* The article's input, [1, 2, 3, 4, 5], copied in through alloc as a host
** would, then summed: 15. For runners that cannot pass arrays yet. */
EXPORT("sum_demo") uint32_t sum_demo(void) {
  static const uint8_t input[] = {1, 2, 3, 4, 5};
  uint8_t *p = alloc(sizeof input);
  if (!p) return UINT32_MAX;
  for (uint32_t i = 0; i < sizeof input; i++) p[i] = input[i];
  return array_sum(p, sizeof input);
}

/* A numeric export to call with an argument: the n-th Fibonacci number. */
EXPORT("fib") uint64_t fib(uint32_t n) {
  uint64_t a = 0, b = 1;
  while (n--) { uint64_t t = a + b; a = b; b = t; }
  return a;
}
