/* SPDX-License-Identifier: MIT */
/*
** seed.c -- the seed article's guest in C: alloc/dealloc (from wasmem_guest.h),
** array_sum and upper, plus upper in every other result convention. One file,
** two builds: freestanding (our free-list allocator) and wasi-libc (malloc).
*/
#define WM_GUEST_IMPLEMENTATION
#include "wasmem_guest.h"

/* Unlike the article's Rust, these functions only borrow their input: the
** host keeps owning it and frees it after the call. */

/* The sum of the bytes, wrapping at 256 like the article's `u8` sum. */
WM_EXPORT(array_sum) uint32_t array_sum(const uint8_t *p, uint32_t len) {
  uint8_t s = 0;
  for (uint32_t i = 0; i < len; i++) s += p[i];
  return s;
}

/* ASCII upper case of len bytes into a fresh block the caller frees; other
** bytes (UTF-8 continuation and lead bytes included) are copied unchanged,
** as Rust's to_ascii_uppercase does. extra: bytes to leave room for. */
static uint8_t *upper_copy(const uint8_t *p, uint32_t len, uint32_t extra) {
  uint8_t *r = (uint8_t *)wm_guest_alloc((size_t)len + extra);
  if (!r) return 0;
  for (uint32_t i = 0; i < len; i++) {
    uint8_t c = p[i];
    r[i] = (c >= 'a' && c <= 'z') ? (uint8_t)(c - 32) : c;
  }
  return r;
}

/* same-len: the seed's signature; the result has the input's length. */
WM_EXPORT(upper) uint8_t *upper(const uint8_t *p, uint32_t len) {
  return upper_copy(p, len, 0);
}

/* i64: (len << 32) | ptr. */
WM_EXPORT(upper_i64) uint64_t upper_i64(const uint8_t *p, uint32_t len) {
  uint8_t *r = upper_copy(p, len, 0);
  return wm_guest_pack(r, r ? len : 0);
}

/* out-ptr: {ptr, len} stored at the host's address (the last parameter). */
WM_EXPORT(upper_out) void upper_out(const uint8_t *p, uint32_t len, wm_guest_pair *out) {
  uint8_t *r = upper_copy(p, len, 0);
  wm_guest_ret_out(out, r, r ? len : 0);
}

/* cstr: NUL-terminated (a NUL inside the input ends the result early). */
WM_EXPORT(upper_cstr) uint8_t *upper_cstr(const uint8_t *p, uint32_t len) {
  uint8_t *r = upper_copy(p, len, 1);
  if (r) r[len] = 0;
  return r;
}

#if defined(__wasm_multivalue__) && defined(WM_SEED_PAIR)
/* pair: two i32 results, when built with the multi-value ABI. */
WM_EXPORT(upper_pair) wm_guest_pair upper_pair(const uint8_t *p, uint32_t len) {
  uint8_t *r = upper_copy(p, len, 0);
  return wm_guest_make_pair(r, r ? len : 0);
}
#endif
