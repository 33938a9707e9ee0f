/* SPDX-License-Identifier: MIT */
/*
** interp_simd.h -- the handlers of the SIMD instructions (ops_simd.h),
** included inside the dispatch loop's body (interp_loop.h), so they are
** compiled into all three loops. The lane arithmetic, shared with compiled
** code, is in simd_lanes.h. Every
** handler reads its v128 operands into locals before it writes d, which may
** be one of them.
*/

/* VUN `d a`, VBIN `d a b`, VTERN `d a b c`, VSHIFT `d a b` (b the count),
** VTEST `d a` (d an i32): simd_lanes.h's wm_v_NAME of the operands. */
#define VUN(name)                                                             \
  vmcase(name) {                                                              \
    wm_vput(&R(0), wm_v_##name(wm_vget(&R(1))));                             \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
#define VBIN(name)                                                            \
  vmcase(name) {                                                              \
    wm_vput(&R(0), wm_v_##name(wm_vget(&R(1)), wm_vget(&R(2))));             \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define VTERN(name)                                                           \
  vmcase(name) {                                                              \
    wm_vput(&R(0), wm_v_##name(wm_vget(&R(1)), wm_vget(&R(2)), wm_vget(&R(3)))); \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
#define VSHIFT(name)                                                          \
  vmcase(name) {                                                              \
    wm_vput(&R(0), wm_v_##name(wm_vget(&R(1)), R(2).u32));                   \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define VTEST(name)                                                           \
  vmcase(name) {                                                              \
    R(0).u64 = wm_v_##name(wm_vget(&R(1)));                                   \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
/* VSPLAT `d a`, VEXTRACT `d a lane`, VREPLACE `d a b lane`: scalars as
** their slot's bits. */
#define VSPLAT(name)                                                          \
  vmcase(name) {                                                              \
    wm_vput(&R(0), wm_vs_##name(R(1).u64));                                   \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
#define VEXTRACT(name)                                                        \
  vmcase(name) {                                                              \
    R(0).u64 = wm_vx_##name(wm_vget(&R(1)), OPD(2));                          \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define VREPLACE(name)                                                        \
  vmcase(name) {                                                              \
    wm_vput(&R(0), wm_vr_##name(wm_vget(&R(1)), R(2).u64, OPD(3)));          \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* VLOAD `d a imm off`: n bytes at (uint32)(a + imm) + off, made a v128
** by simd_lanes.h's wm_vl_NAME. */
#define VLOAD(name, n)                                                        \
  vmcase(name) {                                                              \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32 + OPD(2), OPD(3), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                                 \
    wm_vput(&R(0), wm_vl_##name(p_));                                         \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* VLOADLANE `d a b imm off lane`, VSTORELANE `a b imm off lane`. */
#define VLOADLANE(name, n)                                                    \
  vmcase(name) {                                                              \
    uint8_t *p_;                                                              \
    wm_v128 r = wm_vget(&R(2));                                               \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32 + OPD(3), OPD(4), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                                 \
    memcpy(&r.b[OPD(5) * (n)], p_, n);                                        \
    wm_vput(&R(0), r);                                                        \
    ip += 8;                                                                  \
    vmbreak;                                                                  \
  }
#define VSTORELANE(name, n)                                                   \
  vmcase(name) {                                                              \
    uint8_t *p_;                                                              \
    wm_v128 v = wm_vget(&R(1));                                               \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(0).u32 + OPD(2), OPD(3), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, true);                                                  \
    memcpy(p_, &v.b[OPD(4) * (n)], n);                                        \
    ip += 7;                                                                  \
    vmbreak;                                                                  \
  }

/* --- moves, select, globals --------------------------------------------- */
vmcase(MOVE_V) {
  memmove(&R(0), &R(1), 16);
  ip += 4;
  vmbreak;
}
vmcase(SELECT_V) {
  memmove(&R(0), R(3).u32 ? &R(1) : &R(2), 16);
  ip += 6;
  vmbreak;
}
vmcase(GLOBAL_GET_V) {
  memcpy(&R(0), inst->globals[OPD(1)]->val, 16);
  ip += 4;
  vmbreak;
}
vmcase(GLOBAL_SET_V) {
  memcpy(inst->globals[OPD(0)]->val, &R(1), 16);
  ip += 4;
  vmbreak;
}

/* --- memory ------------------------------------------------------------ */
VLOAD(V128_LOAD, 16)
VLOAD(V128_LOAD8X8_S, 8)
VLOAD(V128_LOAD8X8_U, 8)
VLOAD(V128_LOAD16X4_S, 8)
VLOAD(V128_LOAD16X4_U, 8)
VLOAD(V128_LOAD32X2_S, 8)
VLOAD(V128_LOAD32X2_U, 8)
VLOAD(V128_LOAD8_SPLAT, 1)
VLOAD(V128_LOAD16_SPLAT, 2)
VLOAD(V128_LOAD32_SPLAT, 4)
VLOAD(V128_LOAD64_SPLAT, 8)
VLOAD(V128_LOAD32_ZERO, 4)
VLOAD(V128_LOAD64_ZERO, 8)
vmcase(V128_STORE) {
  uint8_t *p_;
  if (WM_UNLIKELY(!mem_access(membase, memsize, R(0).u32 + OPD(2), OPD(3), 16, &p_)))
    TRAP(WM_TRAP_MEMORY_OOB);
  CHK_ACCESS(p_, 16, true);
  memcpy(p_, &R(1), 16);
  ip += 6;
  vmbreak;
}
VLOADLANE(V128_LOAD8_LANE, 1)
VLOADLANE(V128_LOAD16_LANE, 2)
VLOADLANE(V128_LOAD32_LANE, 4)
VLOADLANE(V128_LOAD64_LANE, 8)
VSTORELANE(V128_STORE8_LANE, 1)
VSTORELANE(V128_STORE16_LANE, 2)
VSTORELANE(V128_STORE32_LANE, 4)
VSTORELANE(V128_STORE64_LANE, 8)

/* --- lanes ------------------------------------------------------------- */
vmcase(I8X16_SHUFFLE) {
  wm_i8x16_shuffle(&R(0), &R(1), &R(2), (const uint8_t *)&OPD(3)); /* little-endian cells */
  ip += 9;
  vmbreak;
}
vmcase(I8X16_SWIZZLE) {
  wm_i8x16_swizzle(&R(0), &R(1), &R(2));
  ip += 5;
  vmbreak;
}
VSPLAT(I8X16_SPLAT)
VSPLAT(I16X8_SPLAT)
VSPLAT(I32X4_SPLAT)
VSPLAT(I64X2_SPLAT)
VSPLAT(F32X4_SPLAT)
VSPLAT(F64X2_SPLAT)
VEXTRACT(I8X16_EXTRACT_LANE_S)
VEXTRACT(I8X16_EXTRACT_LANE_U)
VEXTRACT(I16X8_EXTRACT_LANE_S)
VEXTRACT(I16X8_EXTRACT_LANE_U)
VEXTRACT(I32X4_EXTRACT_LANE)
VEXTRACT(I64X2_EXTRACT_LANE)
VEXTRACT(F32X4_EXTRACT_LANE)
VEXTRACT(F64X2_EXTRACT_LANE)
VREPLACE(I8X16_REPLACE_LANE)
VREPLACE(I16X8_REPLACE_LANE)
VREPLACE(I32X4_REPLACE_LANE)
VREPLACE(I64X2_REPLACE_LANE)
VREPLACE(F32X4_REPLACE_LANE)
VREPLACE(F64X2_REPLACE_LANE)

/* --- the instructions of v128 operands: simd_lanes.h's tables --------- */
#define X_(name, ...) VUN(name)
WM_SIMD_UN(X_)
#undef X_
#define X_(name, ...) VBIN(name)
WM_SIMD_BIN(X_)
#undef X_
#define X_(name, ...) VTERN(name)
WM_SIMD_TERN(X_)
#undef X_
#define X_(name, ...) VTEST(name)
WM_SIMD_TEST(X_)
#undef X_
#define X_(name, ...) VSHIFT(name)
WM_SIMD_SHIFT(X_)
#undef X_

#undef VUN
#undef VBIN
#undef VTERN
#undef VSHIFT
#undef VTEST
#undef VSPLAT
#undef VEXTRACT
#undef VREPLACE
#undef VLOAD
#undef VLOADLANE
#undef VSTORELANE
