/* SPDX-License-Identifier: MIT */
/*
** strings.c (guest) -- the guest of ../strings.c, freestanding C for wasm32
** with wasmem_guest.h's allocator behind the exported alloc/dealloc:
**   clang-14 --target=wasm32 -O2 -nostdlib -Wl,--no-entry -I include \
**     -o strings.wasm examples/embed/guest/strings.c
*/
#define WM_GUEST_IMPLEMENTATION
#include "wasmem_guest.h"

/* A new string: "Hello, " + name + "!", returned through an out-pointer
** ({ptr, len} at out) in a block the host then owns and frees. */
WM_EXPORT(greet)
void greet(const uint8_t *name, uint32_t len, wm_guest_pair *out) {
  static const char hello[] = "Hello, ";
  size_t n = sizeof hello - 1, total = n + len + 1;
  uint8_t *s = wm_guest_alloc(total);
  if (!s) { wm_guest_ret_out(out, 0, 0); return; }
  for (size_t i = 0; i < n; i++) s[i] = (uint8_t)hello[i];
  for (size_t i = 0; i < len; i++) s[n + i] = name[i];
  s[total - 1] = '!';
  wm_guest_ret_out(out, s, total);
}

/* The number of bytes of text[0..len) that are ASCII vowels (borrowed:
** the host frees the input). */
WM_EXPORT(vowels)
int vowels(const uint8_t *text, uint32_t len) {
  int n = 0;
  for (size_t i = 0; i < len; i++) {
    uint8_t c = text[i] | 0x20;
    n += c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  }
  return n;
}
