/* SPDX-License-Identifier: MIT */
/*
** leb.h -- the LEB128 readers of function bodies, shared by the compiler
** (compile.c) and the body validator (validate_code.c) so that both accept
** and reject the same bytes. They read b[*pos..end) and advance *pos;
** they return 0 or a WM_LEB_* error, which wm__leb_msg words as the spec's
** tests do (the caller reports it as malformed at its instruction).
*/
#ifndef WM_LEB_H
#define WM_LEB_H

#include <stdint.h>

#include "module.h"

enum { WM_LEB_OK, WM_LEB_END, WM_LEB_LONG, WM_LEB_LARGE };

static inline const char *wm__leb_msg(int e) {
  return e == WM_LEB_END    ? "unexpected end of section or function"
         : e == WM_LEB_LONG ? "integer representation too long"
                            : "integer too large";
}

/* Unsigned 32-bit: at most 5 bytes, the last with no bits beyond 32. */
static inline int wm__leb_u32(const uint8_t *b, uint32_t *pos, uint32_t end, uint32_t *out) {
  uint32_t r = 0;
  for (int i = 0;; i++) {
    if (*pos >= end) return WM_LEB_END;
    uint8_t x = b[(*pos)++];
    if (i == 4) {
      if (x & 0x80) return WM_LEB_LONG;
      if (x & 0x70) return WM_LEB_LARGE;
      r |= (uint32_t)x << 28;
      break;
    }
    r |= (uint32_t)(x & 0x7F) << (7 * i);
    if (!(x & 0x80)) break;
  }
  *out = r;
  return WM_LEB_OK;
}

/* Unsigned 64-bit (memory64's memarg offsets): at most 10 bytes, the last
** with no bits beyond 64. */
static inline int wm__leb_u64(const uint8_t *b, uint32_t *pos, uint32_t end, uint64_t *out) {
  uint64_t r = 0;
  for (int i = 0;; i++) {
    if (*pos >= end) return WM_LEB_END;
    uint8_t x = b[(*pos)++];
    if (i == 9) {
      if (x & 0x80) return WM_LEB_LONG;
      if (x & 0x7E) return WM_LEB_LARGE;
      r |= (uint64_t)x << 63;
      break;
    }
    r |= (uint64_t)(x & 0x7F) << (7 * i);
    if (!(x & 0x80)) break;
  }
  *out = r;
  return WM_LEB_OK;
}

/* Signed, of `bits` bits (32, 33 or 64): the unused bits of the last byte
** must be copies of the sign bit. */
static inline int wm__leb_s(const uint8_t *b, uint32_t *pos, uint32_t end, unsigned bits,
                            int64_t *out) {
  uint64_t r = 0;
  unsigned shift = 0, maxbytes = (bits + 6) / 7;
  for (unsigned i = 0;; i++) {
    if (*pos >= end) return WM_LEB_END;
    uint8_t x = b[(*pos)++];
    if (i == maxbytes - 1) {
      if (x & 0x80) return WM_LEB_LONG;
      unsigned used = bits - shift; /* value bits in this byte, 1..7 */
      uint8_t sign = (x >> (used - 1)) & 1;
      uint8_t rest = (uint8_t)((x & 0x7F) >> used);
      uint8_t want = sign ? (uint8_t)(0x7F >> used) : 0;
      if (rest != want) return WM_LEB_LARGE;
      r |= (uint64_t)(x & 0x7F) << shift;
      shift += 7;
      break;
    }
    r |= (uint64_t)(x & 0x7F) << shift;
    shift += 7;
    if (!(x & 0x80)) break;
  }
  if (shift < 64 && (r >> (shift - 1)) & 1) r |= ~(uint64_t)0 << shift;
  *out = (int64_t)r;
  return WM_LEB_OK;
}

/* A heap type of a body (ref.null's, a typed reference's): an abstract
** one's byte or a type index, as the nullable reference wm__null_type /
** wm__vt_ref_idx (module.h) make. */
static inline int wm__read_heaptype_(const uint8_t *b, uint32_t *pos, uint32_t end, bool wasm2,
                                     uint32_t *t, const char **why) {
  if (*pos >= end) {
    *why = wm__leb_msg(WM_LEB_END);
    return WM_EMALFORMED;
  }
  uint8_t x = b[*pos];
  if ((x & 0xC0) == 0x40) {
    (*pos)++;
    *t = wasm2 && x != WM_FUNCREF && x != WM_EXTERNREF ? 0 : wm__null_type(x);
    if (!*t) *why = "malformed reference type";
    return *t ? 0 : WM_EMALFORMED;
  }
  int64_t v = 0;
  int e = wasm2 ? WM_LEB_OK : wm__leb_s(b, pos, end, 33, &v);
  if (wasm2 || e || v < 0 || v >= WM_VT_MAX_IDX) {
    *why = e ? wm__leb_msg(e) : v < 0 || wasm2 ? "malformed reference type" : "too many types";
    return WM_EMALFORMED;
  }
  *t = wm__vt_ref_idx((uint32_t)v, false);
  return 0;
}

/* A value type of a body (a local's, select's, a block's): one byte, or
** 0x63/0x64 and a heap type. */
static inline int wm__read_valtype_(const uint8_t *b, uint32_t *pos, uint32_t end, bool wasm2,
                                    uint32_t *t, const char **why) {
  if (*pos >= end) {
    *why = wm__leb_msg(WM_LEB_END);
    return WM_EMALFORMED;
  }
  uint8_t x = b[(*pos)++];
  switch (x) {
  case WM_I32: case WM_I64: case WM_F32: case WM_F64: case WM_V128: case WM_FUNCREF:
  case WM_EXTERNREF:
    *t = x;
    return 0;
  case WM_EXNREF: case 0x6E: case 0x6D: case 0x6C: case 0x6B: case 0x6A: case 0x71: case 0x73:
  case 0x72: case 0x74: /* WebAssembly 3.0's, as the rest of this switch */
    if (wasm2) break;
    *t = x;
    return 0;
  case 0x63: case 0x64:
    if (wasm2) break;
    if (wm__read_heaptype_(b, pos, end, false, t, why)) return WM_EMALFORMED;
    if (x == 0x64) *t |= WM_VT_NONNULL;
    return 0;
  }
  *why = "malformed value type";
  return WM_EMALFORMED;
}

/* Either of them (heap: a heap type) for both body readers, the compiler's
** and the validator's: 0, or WM_EMALFORMED with *why, or WM_EINVALID for a
** type index the module does not have (*t names it). WebAssembly 2.0
** (WM_MODULE_WASM2) has funcref and externref alone. */
static inline int wm__read_bodytype(const uint8_t *b, uint32_t *pos, uint32_t end, bool heap,
                                    const wm_module *mod, uint32_t *t, const char **why) {
  int e = heap ? wm__read_heaptype_(b, pos, end, mod->wasm2, t, why)
               : wm__read_valtype_(b, pos, end, mod->wasm2, t, why);
  if (e) return e;
  uint32_t i = wm__vt_idx(*t);
  if (!i) return 0;
  if (i - 1 >= mod->ntypes) return WM_EINVALID;
  *t = (*t & ~0xFFu) | wm__kind_heap(mod->types[i - 1].kind); /* its kind's abstract type */
  return 0;
}

#endif
