/* SPDX-License-Identifier: MIT */
/*
** aot_simd.c -- ahead-of-time compilation of the SIMD instructions: each
** 0xFD instruction as one C statement over v128 C locals (wm_v128, of
** simd_lanes.h, which the translator copies into the file), for aot_c.c
** to place among the others (wm__aot_simd, aot.h: this file knows
** nothing of the operand stack, labels or memory modes).
**
** The statement calls the function of simd_lanes.h the interpreter's
** handler calls (wm_v_NAME, wm_vl_NAME, wm_vs_NAME ...: NAME from
** ops_simd.h's table), so both tiers compute every lane the same way;
** a relaxed instruction is its non-relaxed twin where the interpreter
** makes it one (wm__simd_twin). Floats coming out of lanes, and v128
** constants, are opaque to the C compiler (wm_kf, wm_kd, wm_kv), as
** aot_c.c's scalar floats: it would fold `x * 1.0` for a signalling NaN.
** i8x16.shuffle alone is the C compiler's own shuffle (WM_SHUFFLE), its
** lanes being constants.
*/
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aot.h"
#include "leb.h"
#include "ops.h"

/* ops_simd.h's instructions: 0xFD opcode, class, name. */
typedef struct vop {
  uint32_t wasm;
  uint8_t cls;
  const char *name;
} vop;
static const vop vops[] = {
#define X_(name, cls, wasm) {wasm, C_##cls, #name},
    WM_SIMD_OPS(X_)
#undef X_
};

static const vop *find(uint32_t sub) {
  for (size_t i = 0; i < sizeof vops / sizeof vops[0]; i++)
    if (vops[i].wasm == (0xFD0000u | sub) && vops[i].cls != C_SPEC) return &vops[i];
  return NULL;
}

/* A scalar operand's bits (the slot's), and a lane's bits as a scalar. */
static const char *bits_of(uint8_t t) {
  switch (t) {
    case WM_I32: return "(uint64_t)$%c";
    case WM_F32: return "(uint64_t)wm_f32_bits($%c)";
    case WM_F64: return "wm_f64_bits($%c)";
    default: return "$%c";
  }
}
static char letter(uint8_t t) {
  switch (t) {
    case WM_I64: return 'l';
    case WM_F32: return 'f';
    case WM_F64: return 'd';
    default: return 'i';
  }
}

/* What the statements add to the prelude: a v128 constant opaque to the
** C compiler, a loaded v128 kept in a vector register (aot_c.c's WM_KEEP:
** a guarded load wasm drops must still fault), and i8x16.shuffle as the
** compiler's shuffle of constant lanes (index i < 16 from a, else b[i -
** 16]: wasm's, and wm_i8x16_shuffle_bytes'), which it makes one or two
** vector shuffles where the byte loop cost as much as the interpreter. */
const char wm__aot_simd_prelude[] =
    "#if defined(__x86_64__)\n#define WM_KEEPV(v) __asm__(\"\" : : \"x\"((v).u64))\n"
    "#define WM_VREG \"+x\"\n"
    "#elif defined(__aarch64__)\n#define WM_KEEPV(v) __asm__(\"\" : : \"w\"((v).u64))\n"
    "#define WM_VREG \"+w\"\n"
    "#else\n#define WM_KEEPV(v) __asm__(\"\" : : \"m\"(v))\n#define WM_VREG \"+m\"\n#endif\n"
    "#ifdef __clang__\n#define WM_SHUFFLE(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)\n"
    "#else\n#define WM_SHUFFLE(a, b, ...) __builtin_shuffle(a, b, (wm_u8x16){__VA_ARGS__})\n#endif\n"
    "static inline wm_v128 wm_kv(uint64_t lo, uint64_t hi) {\n"
    "  wm_v128 v; v.u64 = (wm_u64x2){lo, hi}; __asm__(\"\" : WM_VREG(v.u64)); return v;\n}\n";

/* The module was validated: a malformed immediate and an unknown opcode
** are defensive checks believed unreachable. */
static int rd_u32(const uint8_t *b, uint32_t *pos, uint32_t end, uint32_t *v, const char **why) {
  *v = 0;
  int e = wm__leb_u32(b, pos, end, v);
  if (e) *why = wm__leb_msg(e);
  return e ? WM_EMALFORMED : 0;
}

static int rd_u8(const uint8_t *b, uint32_t *pos, uint32_t end, uint8_t *v, const char **why) {
  if (*pos >= end) {
    *why = "unexpected end";
    return WM_EMALFORMED;
  }
  *v = b[(*pos)++];
  return 0;
}

static void set(wm_aot_vform *v, const char *in, char out) {
  v->nin = (uint8_t)strlen(in);
  memcpy(v->in, in, v->nin);
  v->out = out;
}

int wm__aot_simd(const uint8_t *b, uint32_t *pos, uint32_t end, wm_aot_vform *v, const char **why) {
  uint32_t sub;
  memset(v, 0, sizeof *v);
  int rc = rd_u32(b, pos, end, &sub, why);
  if (rc) return rc;
  char *s = v->form;
  size_t cap = sizeof v->form;
  if (sub == 0x0C) { /* v128.const */
    uint8_t k[16];
    if (end - *pos < 16) {
      *why = "unexpected end";
      return WM_EMALFORMED;
    }
    memcpy(k, b + *pos, 16);
    *pos += 16;
    uint64_t lo = 0, hi = 0;
    for (int i = 0; i < 8; i++) {
      lo |= (uint64_t)k[i] << (8 * i);
      hi |= (uint64_t)k[8 + i] << (8 * i);
    }
    set(v, "", 'v');
    snprintf(s, cap, "$r = wm_kv(UINT64_C(0x%016" PRIx64 "), UINT64_C(0x%016" PRIx64 "))", lo, hi);
    return 0;
  }
  sub = wm__simd_twin(sub);
  const vop *op = find(sub);
  wm_simd_sig sig = wm__simd_sig(sub);
  if (!op) {
    *why = "illegal opcode";
    return WM_EMALFORMED;
  }
  uint32_t align = 0, lane = 0;
  uint8_t byte;
  if (op->cls == C_VLOAD || op->cls == C_VSTORE || op->cls == C_VLOADLANE || op->cls == C_VSTORELANE) {
    rc = rd_u32(b, pos, end, &align, why);
    if (rc) return rc;
    if (align & 0x40) rc = rd_u32(b, pos, end, &v->mem, why);
    if (rc) return rc;
    int e = wm__leb_u64(b, pos, end, &v->offset);
    if (e) {
      *why = wm__leb_msg(e);
      return WM_EMALFORMED;
    }
    v->access = (uint8_t)(1u << sig.align);
  }
  if (op->cls == C_VLOADLANE || op->cls == C_VSTORELANE || op->cls == C_VEXTRACT ||
      op->cls == C_VREPLACE) {
    rc = rd_u8(b, pos, end, &byte, why);
    if (rc) return rc;
    lane = byte;
  }
  char in[2] = {letter(sig.scalar), 0};
  char conv[40];
  switch (op->cls) {
    case C_VUN: set(v, "v", 'v'); snprintf(s, cap, "$r = wm_v_%s($0)", op->name); return 0;
    case C_VBIN:
      set(v, "vv", 'v');
      if (sub == 0x0E) /* i8x16.swizzle: the interpreter's portable form */
        snprintf(s, cap, "wm_i8x16_swizzle_bytes(&$r, &$0, &$1)");
      else
        snprintf(s, cap, "$r = wm_v_%s($0, $1)", op->name);
      return 0;
    case C_VTERN: set(v, "vvv", 'v'); snprintf(s, cap, "$r = wm_v_%s($0, $1, $2)", op->name); return 0;
    case C_VSHIFT: set(v, "vi", 'v'); snprintf(s, cap, "$r = wm_v_%s($0, $1)", op->name); return 0;
    case C_VTEST: set(v, "v", 'i'); snprintf(s, cap, "$r = wm_v_%s($0)", op->name); return 0;
    case C_VSPLAT:
      set(v, in, 'v');
      snprintf(conv, sizeof conv, bits_of(sig.scalar), '0');
      snprintf(s, cap, "$r = wm_vs_%s(%s)", op->name, conv);
      return 0;
    case C_VEXTRACT: {
      set(v, "v", in[0]);
      const char *wrap = sig.scalar == WM_F32 ? "wm_kf((uint32_t)" : sig.scalar == WM_F64 ? "wm_kd("
                         : sig.scalar == WM_I32 ? "(uint32_t)(" : "(";
      snprintf(s, cap, "$r = %swm_vx_%s($0, %uu))", wrap, op->name, (unsigned)lane);
      return 0;
    }
    case C_VREPLACE: {
      char ops[3] = {'v', in[0], 0};
      set(v, ops, 'v');
      snprintf(conv, sizeof conv, bits_of(sig.scalar), '1');
      snprintf(s, cap, "$r = wm_vr_%s($0, %s, %uu)", op->name, conv, (unsigned)lane);
      return 0;
    }
    case C_VLOAD: set(v, "i", 'v'); snprintf(s, cap, "$r = wm_vl_%s($p)", op->name); return 0;
    case C_VSTORE:
      set(v, "iv", 0);
      v->store = true;
      snprintf(s, cap, "wm_vput($p, $1)");
      return 0;
    case C_VLOADLANE:
      set(v, "iv", 'v');
      snprintf(s, cap, "$r = $1; memcpy(&$r.b[%u], $p, %u)", (unsigned)(lane * v->access),
               (unsigned)v->access);
      return 0;
    case C_VSTORELANE:
      set(v, "iv", 0);
      v->store = true;
      snprintf(s, cap, "memcpy($p, &$1.b[%u], %u)", (unsigned)(lane * v->access), (unsigned)v->access);
      return 0;
    case C_VSHUF: {
      if (end - *pos < 16) {
        *why = "unexpected end";
        return WM_EMALFORMED;
      }
      set(v, "vv", 'v');
      int n = snprintf(s, cap, "$r.u8 = WM_SHUFFLE($0.u8, $1.u8");
      for (int i = 0; i < 16; i++) n += snprintf(s + n, cap - (size_t)n, ", %u", b[*pos + i]);
      snprintf(s + n, cap - (size_t)n, ")");
      *pos += 16;
      return 0;
    }
    default:
      *why = "this SIMD instruction";
      return WM_EUNSUPPORTED;
  }
}
