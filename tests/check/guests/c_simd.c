/* SPDX-License-Identifier: MIT */
/*
** c_simd.c -- `wasmem check` test guest: SIMD accesses (v128 loads,
** stores, lane and splat forms) to blocks of include/wasmem_guest.h's
** allocator, built with -msimd128 and wasm_simd128.h. Each export does one
** thing; the expected reports are in tests/check/cases.txt. As in c_free.c,
** pointers pass through opaque() and results go to a volatile global, so
** that -O1 keeps every access.
**
** Build (tests/check/build.sh):
**   clang-14 --target=wasm32 -O1 -msimd128 -nostdlib -Wl,--no-entry -I include c_simd.c
*/
#define WM_GUEST_IMPLEMENTATION
#include "wasmem_guest.h"

#include <wasm_simd128.h>

#include "guest.h"

/* Where loaded vectors go whole (an extracted lane would let clang load
** only that lane). */
volatile v128_t g_vsink;

static uint8_t *new_block(uint32_t n) { return filled(wm_guest_alloc(n), n); }

/* Loads and stores inside a 32-byte block: no report. */
WM_EXPORT(simd_clean) uint32_t simd_clean(void) {
  uint8_t *p = new_block(32);
  v128_t a = wasm_v128_load(p), b = wasm_v128_load(p + 16);
  wasm_v128_store(p, wasm_i8x16_add(a, b));
  wasm_v128_store32_lane(p + 28, a, 3);
  g_sink = wasm_i32x4_extract_lane(wasm_v128_load(p), 0) +
           wasm_i32x4_extract_lane(wasm_v128_load32_splat(p + 28), 2);
  wm_guest_free(p, 32);
  return g_sink;
}

/* 16 bytes from offset 5 of a 20-byte block: reads 1 byte past it. (Not
** 16-byte aligned, since blocks are 8-byte aligned: an aligned load that
** runs past a block's end is let through, as Valgrind's
** --partial-loads-ok does for vectorised string functions.) */
WM_EXPORT(simd_overflow_read) uint32_t simd_overflow_read(void) {
  uint8_t *p = new_block(20);
  g_vsink = wasm_v128_load(opaque(p + 5));
  wm_guest_free(p, 20);
  return 0;
}

/* A 4-byte lane stored just past a 20-byte block. */
WM_EXPORT(simd_overflow_store_lane) void simd_overflow_store_lane(void) {
  uint8_t *p = new_block(20);
  wasm_v128_store32_lane(opaque(p + 20), wasm_i32x4_splat(7), 0);
  wm_guest_free(p, 20);
}

/* A splat load of the 4 bytes in front of a 16-byte block. */
WM_EXPORT(simd_underflow_splat) uint32_t simd_underflow_splat(void) {
  uint8_t *p = new_block(16);
  g_vsink = wasm_v128_load32_splat(opaque(p - 4));
  wm_guest_free(p, 16);
  return 0;
}

/* A v128 load from a freed 32-byte block. */
WM_EXPORT(simd_use_after_free) uint32_t simd_use_after_free(void) {
  uint8_t *p = new_block(32);
  wm_guest_free(p, 32);
  g_vsink = wasm_v128_load(opaque(p));
  return 0;
}
