/* SPDX-License-Identifier: MIT */
/*
** interp_simd.h -- the handlers of the SIMD instructions (ops_simd.h),
** included inside the dispatch loop's body (interp_loop.h), so they are
** compiled into all three loops. The lane arithmetic is in simd.h. Every
** handler reads its v128 operands into locals before it writes d, which may
** be one of them.
*/

/* VUN `d a`, VBIN `d a b`, VTERN `d a b c`: `stmt` computes r from a, b, c. */
#define VUN(name, stmt)                                                       \
  vmcase(name) {                                                              \
    wm_v128 a = wm_vget(&R(1)), r;                                            \
    stmt;                                                                     \
    wm_vput(&R(0), r);                                                        \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
#define VBIN(name, stmt)                                                      \
  vmcase(name) {                                                              \
    wm_v128 a = wm_vget(&R(1)), b = wm_vget(&R(2)), r;                        \
    stmt;                                                                     \
    wm_vput(&R(0), r);                                                        \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define VTERN(name, stmt)                                                     \
  vmcase(name) {                                                              \
    wm_v128 a = wm_vget(&R(1)), b = wm_vget(&R(2)), c = wm_vget(&R(3)), r;    \
    stmt;                                                                     \
    wm_vput(&R(0), r);                                                        \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* VSHIFT `d a b`: lane type T (its bits - 1 masks the count). */
#define VSHIFT(name, field, T, op)                                            \
  vmcase(name) {                                                              \
    wm_v128 a = wm_vget(&R(1)), r;                                            \
    r.field = a.field op (T)(R(2).u32 & (sizeof(T) * 8 - 1));                 \
    wm_vput(&R(0), r);                                                        \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
/* VTEST `d a`: an i32 from a. */
#define VTEST(name, expr)                                                     \
  vmcase(name) {                                                              \
    wm_v128 a = wm_vget(&R(1));                                               \
    R(0).u64 = (uint32_t)(expr);                                              \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
/* VSPLAT `d a`: the lane's bits, so that float payloads survive. */
#define VSPLAT(name, field, T, afield)                                        \
  vmcase(name) {                                                              \
    wm_v128 r = {0};                                                          \
    r.field = (__typeof__(r.field)){0} + (T)R(1).afield;                      \
    wm_vput(&R(0), r);                                                        \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
/* VEXTRACT `d a lane`, VREPLACE `d a b lane`. */
#define VEXTRACT(name, dfield, expr)                                          \
  vmcase(name) {                                                              \
    wm_v128 a = wm_vget(&R(1));                                               \
    uint32_t l = OPD(2);                                                      \
    R(0).u64 = 0;                                                             \
    R(0).dfield = (expr);                                                     \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define VREPLACE(name, field, T, bfield)                                      \
  vmcase(name) {                                                              \
    wm_v128 r = wm_vget(&R(1));                                               \
    r.field[OPD(3)] = (T)R(2).bfield;                                         \
    wm_vput(&R(0), r);                                                        \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* VLOAD `d a imm off`: n bytes at (uint32)(a + imm) + off, from which
** `stmt` makes r. */
#define VLOAD(name, n, stmt)                                                  \
  vmcase(name) {                                                              \
    uint8_t *p_;                                                              \
    wm_v128 r = {0};                                                          \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32 + OPD(2), OPD(3), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                                 \
    stmt;                                                                     \
    wm_vput(&R(0), r);                                                        \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* Load-and-extend: 8 bytes as `n` lanes of src widened into dst. */
#define VLOAD_EXT(name, n, dst, src)                                          \
  VLOAD(name, 8, {                                                            \
    __typeof__(r.src[0]) t_[n];                                               \
    __typeof__(r.dst) v_ = {0};                                               \
    memcpy(t_, p_, 8);                                                        \
    WM_LANES(n, v_[i] = t_[i]);                                               \
    r.dst = v_;                                                               \
  })
#define VLOAD_SPLAT(name, n, field, T)                                        \
  VLOAD(name, n, {                                                            \
    T t_;                                                                     \
    memcpy(&t_, p_, n);                                                       \
    r.field = (__typeof__(r.field)){0} + t_;                                  \
  })
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
#define VSEL(m, x, y) ((wm_u64x2)wm_vsel((wm_u64x2)(m), (x).u64, (y).u64))

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
VLOAD(V128_LOAD, 16, memcpy(&r, p_, 16))
VLOAD_EXT(V128_LOAD8X8_S, 8, i16, i8)
VLOAD_EXT(V128_LOAD8X8_U, 8, u16, u8)
VLOAD_EXT(V128_LOAD16X4_S, 4, i32, i16)
VLOAD_EXT(V128_LOAD16X4_U, 4, u32, u16)
VLOAD_EXT(V128_LOAD32X2_S, 2, i64, i32)
VLOAD_EXT(V128_LOAD32X2_U, 2, u64, u32)
VLOAD_SPLAT(V128_LOAD8_SPLAT, 1, u8, uint8_t)
VLOAD_SPLAT(V128_LOAD16_SPLAT, 2, u16, uint16_t)
VLOAD_SPLAT(V128_LOAD32_SPLAT, 4, u32, uint32_t)
VLOAD_SPLAT(V128_LOAD64_SPLAT, 8, u64, uint64_t)
VLOAD(V128_LOAD32_ZERO, 4, {
  memset(&r, 0, 16);
  memcpy(&r, p_, 4);
})
VLOAD(V128_LOAD64_ZERO, 8, {
  memset(&r, 0, 16);
  memcpy(&r, p_, 8);
})
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
VSPLAT(I8X16_SPLAT, u8, uint8_t, u32)
VSPLAT(I16X8_SPLAT, u16, uint16_t, u32)
VSPLAT(I32X4_SPLAT, u32, uint32_t, u32)
VSPLAT(I64X2_SPLAT, u64, uint64_t, u64)
VSPLAT(F32X4_SPLAT, u32, uint32_t, u32)
VSPLAT(F64X2_SPLAT, u64, uint64_t, u64)
VEXTRACT(I8X16_EXTRACT_LANE_S, i32, a.i8[l])
VEXTRACT(I8X16_EXTRACT_LANE_U, u32, a.u8[l])
VEXTRACT(I16X8_EXTRACT_LANE_S, i32, a.i16[l])
VEXTRACT(I16X8_EXTRACT_LANE_U, u32, a.u16[l])
VEXTRACT(I32X4_EXTRACT_LANE, u32, a.u32[l])
VEXTRACT(I64X2_EXTRACT_LANE, u64, a.u64[l])
VEXTRACT(F32X4_EXTRACT_LANE, u32, a.u32[l])
VEXTRACT(F64X2_EXTRACT_LANE, u64, a.u64[l])
VREPLACE(I8X16_REPLACE_LANE, u8, uint8_t, u32)
VREPLACE(I16X8_REPLACE_LANE, u16, uint16_t, u32)
VREPLACE(I32X4_REPLACE_LANE, u32, uint32_t, u32)
VREPLACE(I64X2_REPLACE_LANE, u64, uint64_t, u64)
VREPLACE(F32X4_REPLACE_LANE, u32, uint32_t, u32)
VREPLACE(F64X2_REPLACE_LANE, u64, uint64_t, u64)

/* --- comparisons (lanes of all ones or zero) ---------------------------- */
VBIN(I8X16_EQ, r.i8 = a.i8 == b.i8)
VBIN(I8X16_NE, r.i8 = a.i8 != b.i8)
VBIN(I8X16_LT_S, r.i8 = a.i8 < b.i8)
VBIN(I8X16_LT_U, r.i8 = a.u8 < b.u8)
VBIN(I8X16_GT_S, r.i8 = a.i8 > b.i8)
VBIN(I8X16_GT_U, r.i8 = a.u8 > b.u8)
VBIN(I8X16_LE_S, r.i8 = a.i8 <= b.i8)
VBIN(I8X16_LE_U, r.i8 = a.u8 <= b.u8)
VBIN(I8X16_GE_S, r.i8 = a.i8 >= b.i8)
VBIN(I8X16_GE_U, r.i8 = a.u8 >= b.u8)
VBIN(I16X8_EQ, r.i16 = a.i16 == b.i16)
VBIN(I16X8_NE, r.i16 = a.i16 != b.i16)
VBIN(I16X8_LT_S, r.i16 = a.i16 < b.i16)
VBIN(I16X8_LT_U, r.i16 = a.u16 < b.u16)
VBIN(I16X8_GT_S, r.i16 = a.i16 > b.i16)
VBIN(I16X8_GT_U, r.i16 = a.u16 > b.u16)
VBIN(I16X8_LE_S, r.i16 = a.i16 <= b.i16)
VBIN(I16X8_LE_U, r.i16 = a.u16 <= b.u16)
VBIN(I16X8_GE_S, r.i16 = a.i16 >= b.i16)
VBIN(I16X8_GE_U, r.i16 = a.u16 >= b.u16)
VBIN(I32X4_EQ, r.i32 = a.i32 == b.i32)
VBIN(I32X4_NE, r.i32 = a.i32 != b.i32)
VBIN(I32X4_LT_S, r.i32 = a.i32 < b.i32)
VBIN(I32X4_LT_U, r.i32 = a.u32 < b.u32)
VBIN(I32X4_GT_S, r.i32 = a.i32 > b.i32)
VBIN(I32X4_GT_U, r.i32 = a.u32 > b.u32)
VBIN(I32X4_LE_S, r.i32 = a.i32 <= b.i32)
VBIN(I32X4_LE_U, r.i32 = a.u32 <= b.u32)
VBIN(I32X4_GE_S, r.i32 = a.i32 >= b.i32)
VBIN(I32X4_GE_U, r.i32 = a.u32 >= b.u32)
VBIN(I64X2_EQ, r.i64 = a.i64 == b.i64)
VBIN(I64X2_NE, r.i64 = a.i64 != b.i64)
VBIN(I64X2_LT_S, r.i64 = a.i64 < b.i64)
VBIN(I64X2_GT_S, r.i64 = a.i64 > b.i64)
VBIN(I64X2_LE_S, r.i64 = a.i64 <= b.i64)
VBIN(I64X2_GE_S, r.i64 = a.i64 >= b.i64)
VBIN(F32X4_EQ, r.i32 = a.f32 == b.f32)
VBIN(F32X4_NE, r.i32 = a.f32 != b.f32)
VBIN(F32X4_LT, r.i32 = a.f32 < b.f32)
VBIN(F32X4_GT, r.i32 = a.f32 > b.f32)
VBIN(F32X4_LE, r.i32 = a.f32 <= b.f32)
VBIN(F32X4_GE, r.i32 = a.f32 >= b.f32)
VBIN(F64X2_EQ, r.i64 = a.f64 == b.f64)
VBIN(F64X2_NE, r.i64 = a.f64 != b.f64)
VBIN(F64X2_LT, r.i64 = a.f64 < b.f64)
VBIN(F64X2_GT, r.i64 = a.f64 > b.f64)
VBIN(F64X2_LE, r.i64 = a.f64 <= b.f64)
VBIN(F64X2_GE, r.i64 = a.f64 >= b.f64)

/* --- bitwise ------------------------------------------------------------ */
VUN(V128_NOT, r.u64 = ~a.u64)
VBIN(V128_AND, r.u64 = a.u64 & b.u64)
VBIN(V128_ANDNOT, r.u64 = a.u64 & ~b.u64)
VBIN(V128_OR, r.u64 = a.u64 | b.u64)
VBIN(V128_XOR, r.u64 = a.u64 ^ b.u64)
VTERN(V128_BITSELECT, r.u64 = wm_vsel(c.u64, a.u64, b.u64))
VTEST(V128_ANY_TRUE, (a.u64[0] | a.u64[1]) != 0)

/* --- integer lanes ------------------------------------------------------ */
VUN(I8X16_ABS, r.u8 = WM_VABS(wm_u8x16, a.i8))
VUN(I8X16_NEG, r.u8 = -a.u8)
VUN(I8X16_POPCNT, r = wm_i8x16_popcnt(a))
VTEST(I8X16_ALL_TRUE, wm_bitmask8((wm_v128){.i8 = a.i8 == (wm_i8x16){0}}) == 0)
VTEST(I8X16_BITMASK, wm_bitmask8(a))
VBIN(I8X16_NARROW_I16X8_S, r = wm_i8x16_narrow_s(a, b))
VBIN(I8X16_NARROW_I16X8_U, r = wm_i8x16_narrow_u(a, b))
VSHIFT(I8X16_SHL, u8, uint8_t, <<)
VSHIFT(I8X16_SHR_S, i8, int8_t, >>)
VSHIFT(I8X16_SHR_U, u8, uint8_t, >>)
VBIN(I8X16_ADD, r.u8 = a.u8 + b.u8)
VBIN(I8X16_ADD_SAT_S, r = wm_i8x16_add_sat_s(a, b))
VBIN(I8X16_ADD_SAT_U, r = wm_i8x16_add_sat_u(a, b))
VBIN(I8X16_SUB, r.u8 = a.u8 - b.u8)
VBIN(I8X16_SUB_SAT_S, r = wm_i8x16_sub_sat_s(a, b))
VBIN(I8X16_SUB_SAT_U, r = wm_i8x16_sub_sat_u(a, b))
VBIN(I8X16_MIN_S, r.u64 = VSEL(a.i8 < b.i8, a, b))
VBIN(I8X16_MIN_U, r.u64 = VSEL(a.u8 < b.u8, a, b))
VBIN(I8X16_MAX_S, r.u64 = VSEL(a.i8 > b.i8, a, b))
VBIN(I8X16_MAX_U, r.u64 = VSEL(a.u8 > b.u8, a, b))
VBIN(I8X16_AVGR_U, r = wm_i8x16_avgr_u(a, b))
VUN(I16X8_EXTADD_PAIRWISE_I8X16_S, r = wm_i16x8_extadd_s(a))
VUN(I16X8_EXTADD_PAIRWISE_I8X16_U, r = wm_i16x8_extadd_u(a))
VUN(I32X4_EXTADD_PAIRWISE_I16X8_S, r = wm_i32x4_extadd_s(a))
VUN(I32X4_EXTADD_PAIRWISE_I16X8_U, r = wm_i32x4_extadd_u(a))
VUN(I16X8_ABS, r.u16 = WM_VABS(wm_u16x8, a.i16))
VUN(I16X8_NEG, r.u16 = -a.u16)
VBIN(I16X8_Q15MULR_SAT_S, r = wm_i16x8_q15mulr_sat_s(a, b))
VTEST(I16X8_ALL_TRUE, wm_bitmask16((wm_v128){.i16 = a.i16 == (wm_i16x8){0}}) == 0)
VTEST(I16X8_BITMASK, wm_bitmask16(a))
VBIN(I16X8_NARROW_I32X4_S, r = wm_i16x8_narrow_s(a, b))
VBIN(I16X8_NARROW_I32X4_U, r = wm_i16x8_narrow_u(a, b))
VUN(I16X8_EXTEND_LOW_I8X16_S, r = wm_i16x8_extend_s(a, 0))
VUN(I16X8_EXTEND_HIGH_I8X16_S, r = wm_i16x8_extend_s(a, 1))
VUN(I16X8_EXTEND_LOW_I8X16_U, r = wm_i16x8_extend_u(a, 0))
VUN(I16X8_EXTEND_HIGH_I8X16_U, r = wm_i16x8_extend_u(a, 1))
VSHIFT(I16X8_SHL, u16, uint16_t, <<)
VSHIFT(I16X8_SHR_S, i16, int16_t, >>)
VSHIFT(I16X8_SHR_U, u16, uint16_t, >>)
VBIN(I16X8_ADD, r.u16 = a.u16 + b.u16)
VBIN(I16X8_ADD_SAT_S, r = wm_i16x8_add_sat_s(a, b))
VBIN(I16X8_ADD_SAT_U, r = wm_i16x8_add_sat_u(a, b))
VBIN(I16X8_SUB, r.u16 = a.u16 - b.u16)
VBIN(I16X8_SUB_SAT_S, r = wm_i16x8_sub_sat_s(a, b))
VBIN(I16X8_SUB_SAT_U, r = wm_i16x8_sub_sat_u(a, b))
VBIN(I16X8_MUL, r.u16 = a.u16 * b.u16)
VBIN(I16X8_MIN_S, r.u64 = VSEL(a.i16 < b.i16, a, b))
VBIN(I16X8_MIN_U, r.u64 = VSEL(a.u16 < b.u16, a, b))
VBIN(I16X8_MAX_S, r.u64 = VSEL(a.i16 > b.i16, a, b))
VBIN(I16X8_MAX_U, r.u64 = VSEL(a.u16 > b.u16, a, b))
VBIN(I16X8_AVGR_U, r = wm_i16x8_avgr_u(a, b))
VBIN(I16X8_EXTMUL_LOW_I8X16_S, r = wm_i16x8_extmul_s(a, b, 0))
VBIN(I16X8_EXTMUL_HIGH_I8X16_S, r = wm_i16x8_extmul_s(a, b, 1))
VBIN(I16X8_EXTMUL_LOW_I8X16_U, r = wm_i16x8_extmul_u(a, b, 0))
VBIN(I16X8_EXTMUL_HIGH_I8X16_U, r = wm_i16x8_extmul_u(a, b, 1))
VUN(I32X4_ABS, r.u32 = WM_VABS(wm_u32x4, a.i32))
VUN(I32X4_NEG, r.u32 = -a.u32)
VTEST(I32X4_ALL_TRUE, wm_bitmask32((wm_v128){.i32 = a.i32 == (wm_i32x4){0}}) == 0)
VTEST(I32X4_BITMASK, wm_bitmask32(a))
VUN(I32X4_EXTEND_LOW_I16X8_S, r = wm_i32x4_extend_s(a, 0))
VUN(I32X4_EXTEND_HIGH_I16X8_S, r = wm_i32x4_extend_s(a, 1))
VUN(I32X4_EXTEND_LOW_I16X8_U, r = wm_i32x4_extend_u(a, 0))
VUN(I32X4_EXTEND_HIGH_I16X8_U, r = wm_i32x4_extend_u(a, 1))
VSHIFT(I32X4_SHL, u32, uint32_t, <<)
VSHIFT(I32X4_SHR_S, i32, int32_t, >>)
VSHIFT(I32X4_SHR_U, u32, uint32_t, >>)
VBIN(I32X4_ADD, r.u32 = a.u32 + b.u32)
VBIN(I32X4_SUB, r.u32 = a.u32 - b.u32)
VBIN(I32X4_MUL, r.u32 = a.u32 * b.u32)
VBIN(I32X4_MIN_S, r.u64 = VSEL(a.i32 < b.i32, a, b))
VBIN(I32X4_MIN_U, r.u64 = VSEL(a.u32 < b.u32, a, b))
VBIN(I32X4_MAX_S, r.u64 = VSEL(a.i32 > b.i32, a, b))
VBIN(I32X4_MAX_U, r.u64 = VSEL(a.u32 > b.u32, a, b))
VBIN(I32X4_DOT_I16X8_S, r = wm_i32x4_dot_s(a, b))
VBIN(I32X4_EXTMUL_LOW_I16X8_S, r = wm_i32x4_extmul_s(a, b, 0))
VBIN(I32X4_EXTMUL_HIGH_I16X8_S, r = wm_i32x4_extmul_s(a, b, 1))
VBIN(I32X4_EXTMUL_LOW_I16X8_U, r = wm_i32x4_extmul_u(a, b, 0))
VBIN(I32X4_EXTMUL_HIGH_I16X8_U, r = wm_i32x4_extmul_u(a, b, 1))
VUN(I64X2_ABS, r.u64 = WM_VABS(wm_u64x2, a.i64))
VUN(I64X2_NEG, r.u64 = -a.u64)
VTEST(I64X2_ALL_TRUE, a.u64[0] != 0 && a.u64[1] != 0)
VTEST(I64X2_BITMASK, wm_bitmask64(a))
VUN(I64X2_EXTEND_LOW_I32X4_S, r = wm_i64x2_extend_s(a, 0))
VUN(I64X2_EXTEND_HIGH_I32X4_S, r = wm_i64x2_extend_s(a, 1))
VUN(I64X2_EXTEND_LOW_I32X4_U, r = wm_i64x2_extend_u(a, 0))
VUN(I64X2_EXTEND_HIGH_I32X4_U, r = wm_i64x2_extend_u(a, 1))
VSHIFT(I64X2_SHL, u64, uint64_t, <<)
VSHIFT(I64X2_SHR_S, i64, int64_t, >>)
VSHIFT(I64X2_SHR_U, u64, uint64_t, >>)
VBIN(I64X2_ADD, r.u64 = a.u64 + b.u64)
VBIN(I64X2_SUB, r.u64 = a.u64 - b.u64)
VBIN(I64X2_MUL, r.u64 = a.u64 * b.u64)
VBIN(I64X2_EXTMUL_LOW_I32X4_S, r = wm_i64x2_extmul_s(a, b, 0))
VBIN(I64X2_EXTMUL_HIGH_I32X4_S, r = wm_i64x2_extmul_s(a, b, 1))
VBIN(I64X2_EXTMUL_LOW_I32X4_U, r = wm_i64x2_extmul_u(a, b, 0))
VBIN(I64X2_EXTMUL_HIGH_I32X4_U, r = wm_i64x2_extmul_u(a, b, 1))

/* --- float lanes -------------------------------------------------------- */
VUN(F32X4_ABS, r.u32 = a.u32 & 0x7FFFFFFFu)
VUN(F32X4_NEG, r.u32 = a.u32 ^ 0x80000000u)
VUN(F32X4_SQRT, r = wm_f32x4_sqrt(a))
VUN(F32X4_CEIL, r = wm_f32x4_ceil(a))
VUN(F32X4_FLOOR, r = wm_f32x4_floor(a))
VUN(F32X4_TRUNC, r = wm_f32x4_trunc(a))
VUN(F32X4_NEAREST, r = wm_f32x4_nearest(a))
VBIN(F32X4_ADD, r.f32 = a.f32 + b.f32)
VBIN(F32X4_SUB, r.f32 = a.f32 - b.f32)
VBIN(F32X4_MUL, r.f32 = a.f32 * b.f32)
VBIN(F32X4_DIV, r.f32 = a.f32 / b.f32)
VBIN(F32X4_MIN, r = wm_f32x4_min(a, b))
VBIN(F32X4_MAX, r = wm_f32x4_max(a, b))
VBIN(F32X4_PMIN, r.u64 = VSEL(b.f32 < a.f32, b, a))
VBIN(F32X4_PMAX, r.u64 = VSEL(a.f32 < b.f32, b, a))
VUN(F64X2_ABS, r.u64 = a.u64 & 0x7FFFFFFFFFFFFFFFull)
VUN(F64X2_NEG, r.u64 = a.u64 ^ 0x8000000000000000ull)
VUN(F64X2_SQRT, r = wm_f64x2_sqrt(a))
VUN(F64X2_CEIL, r = wm_f64x2_ceil(a))
VUN(F64X2_FLOOR, r = wm_f64x2_floor(a))
VUN(F64X2_TRUNC, r = wm_f64x2_trunc(a))
VUN(F64X2_NEAREST, r = wm_f64x2_nearest(a))
VBIN(F64X2_ADD, r.f64 = a.f64 + b.f64)
VBIN(F64X2_SUB, r.f64 = a.f64 - b.f64)
VBIN(F64X2_MUL, r.f64 = a.f64 * b.f64)
VBIN(F64X2_DIV, r.f64 = a.f64 / b.f64)
VBIN(F64X2_MIN, r = wm_f64x2_min(a, b))
VBIN(F64X2_MAX, r = wm_f64x2_max(a, b))
VBIN(F64X2_PMIN, r.u64 = VSEL(b.f64 < a.f64, b, a))
VBIN(F64X2_PMAX, r.u64 = VSEL(a.f64 < b.f64, b, a))
VUN(I32X4_TRUNC_SAT_F32X4_S, r = wm_i32x4_trunc_sat_f32_s(a))
VUN(I32X4_TRUNC_SAT_F32X4_U, r = wm_i32x4_trunc_sat_f32_u(a))
VUN(F32X4_CONVERT_I32X4_S, r.f32 = __builtin_convertvector(a.i32, wm_f32x4))
VUN(F32X4_CONVERT_I32X4_U, r.f32 = __builtin_convertvector(a.u32, wm_f32x4))
VUN(I32X4_TRUNC_SAT_F64X2_S_ZERO, r = wm_i32x4_trunc_sat_f64_s(a))
VUN(I32X4_TRUNC_SAT_F64X2_U_ZERO, r = wm_i32x4_trunc_sat_f64_u(a))
VUN(F64X2_CONVERT_LOW_I32X4_S, r = wm_f64x2_convert_s(a))
VUN(F64X2_CONVERT_LOW_I32X4_U, r = wm_f64x2_convert_u(a))
VUN(F32X4_DEMOTE_F64X2_ZERO, r = wm_f32x4_demote(a))
VUN(F64X2_PROMOTE_LOW_F32X4, r = wm_f64x2_promote(a))

/* --- relaxed SIMD (docs/SIMD.md; the others are lowered to their twins) - */
VTERN(F32X4_RELAXED_MADD, r.f32 = a.f32 * b.f32 + c.f32)
VTERN(F32X4_RELAXED_NMADD, r.f32 = -(a.f32 * b.f32) + c.f32)
VTERN(F64X2_RELAXED_MADD, r.f64 = a.f64 * b.f64 + c.f64)
VTERN(F64X2_RELAXED_NMADD, r.f64 = -(a.f64 * b.f64) + c.f64)
VBIN(I16X8_RELAXED_DOT_I8X16_I7X16_S, r = wm_i16x8_relaxed_dot(a, b))
VTERN(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, r = wm_i32x4_relaxed_dot_add(a, b, c))

#undef VUN
#undef VBIN
#undef VTERN
#undef VSHIFT
#undef VTEST
#undef VSPLAT
#undef VEXTRACT
#undef VREPLACE
#undef VLOAD
#undef VLOAD_EXT
#undef VLOAD_SPLAT
#undef VLOADLANE
#undef VSTORELANE
#undef VSEL
