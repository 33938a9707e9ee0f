/* SPDX-License-Identifier: MIT */
/*
** ops_simd.h -- the SIMD part of the instruction set (ops.h): one lowered
** instruction per 0xFD opcode of WebAssembly 2.0's fixed-width SIMD and
** the relaxed SIMD instructions that are not aliases (compile_simd.c lowers
** the others to their deterministic twin), plus the v128 forms of a few
** generic instructions. Included by ops.h only; WASM is 0xFD0000 | the
** opcode (a LEB128 u32 after the prefix).
**
** A v128 lives in two consecutive slots, named by the first: `d` is
** written 16 bytes wide, `a b c` are read so. Classes:
**   VUN `d a`, VBIN `d a b`, VTERN `d a b c`   v128 operations
**   VSHIFT `d a b`    b is the i32 shift count
**   VTEST `d a`       d is an i32 (any_true, all_true, bitmask)
**   VSPLAT `d a`      a is the scalar of the lane type (i32 for i8/i16)
**   VEXTRACT `d a lane`, VREPLACE `d a b lane`
**   VLOAD `d a imm off`, VSTORE `a b imm off`   at (uint32)(a + imm) + off,
**                     as LOADK/STOREK (imm is a folded i32.add's, or 0)
**   VLOADLANE `d a b imm off lane`   d = b with lane `lane` loaded from there
**   VSTORELANE `a b imm off lane`    store lane `lane` of b there
**   VSHUF `d a b m0 m1 m2 m3`    lane indexes, four to a cell, lane 0 lowest
** The memory forms come first (op_traps in compile.c takes them as one
** range).
*/
#ifndef WM_OPS_SIMD_H
#define WM_OPS_SIMD_H

#define WM_SIMD_OPS(X)                                                          \
  X(V128_LOAD, VLOAD, 0xFD0000)                                                 \
  X(V128_LOAD8X8_S, VLOAD, 0xFD0001)                                            \
  X(V128_LOAD8X8_U, VLOAD, 0xFD0002)                                            \
  X(V128_LOAD16X4_S, VLOAD, 0xFD0003)                                           \
  X(V128_LOAD16X4_U, VLOAD, 0xFD0004)                                           \
  X(V128_LOAD32X2_S, VLOAD, 0xFD0005)                                           \
  X(V128_LOAD32X2_U, VLOAD, 0xFD0006)                                           \
  X(V128_LOAD8_SPLAT, VLOAD, 0xFD0007)                                          \
  X(V128_LOAD16_SPLAT, VLOAD, 0xFD0008)                                         \
  X(V128_LOAD32_SPLAT, VLOAD, 0xFD0009)                                         \
  X(V128_LOAD64_SPLAT, VLOAD, 0xFD000A)                                         \
  X(V128_STORE, VSTORE, 0xFD000B)                                               \
  X(V128_LOAD8_LANE, VLOADLANE, 0xFD0054)                                       \
  X(V128_LOAD16_LANE, VLOADLANE, 0xFD0055)                                      \
  X(V128_LOAD32_LANE, VLOADLANE, 0xFD0056)                                      \
  X(V128_LOAD64_LANE, VLOADLANE, 0xFD0057)                                      \
  X(V128_STORE8_LANE, VSTORELANE, 0xFD0058)                                     \
  X(V128_STORE16_LANE, VSTORELANE, 0xFD0059)                                    \
  X(V128_STORE32_LANE, VSTORELANE, 0xFD005A)                                    \
  X(V128_STORE64_LANE, VSTORELANE, 0xFD005B)                                    \
  X(V128_LOAD32_ZERO, VLOAD, 0xFD005C)                                          \
  X(V128_LOAD64_ZERO, VLOAD, 0xFD005D)                                          \
  X(SELECT_V, SPEC, 0) /* d a b c : d = c.i32 ? a : b */                        \
  X(GLOBAL_GET_V, SPEC, 0) /* d gidx */                                         \
  X(GLOBAL_SET_V, SPEC, 0) /* gidx a */                                         \
  X(MOVE_V, SPEC, 0) /* d a : 16 bytes */                                       \
  X(I8X16_SHUFFLE, VSHUF, 0xFD000D)                                             \
  X(I8X16_SWIZZLE, VBIN, 0xFD000E)                                              \
  X(I8X16_SPLAT, VSPLAT, 0xFD000F)                                              \
  X(I16X8_SPLAT, VSPLAT, 0xFD0010)                                              \
  X(I32X4_SPLAT, VSPLAT, 0xFD0011)                                              \
  X(I64X2_SPLAT, VSPLAT, 0xFD0012)                                              \
  X(F32X4_SPLAT, VSPLAT, 0xFD0013)                                              \
  X(F64X2_SPLAT, VSPLAT, 0xFD0014)                                              \
  X(I8X16_EXTRACT_LANE_S, VEXTRACT, 0xFD0015)                                   \
  X(I8X16_EXTRACT_LANE_U, VEXTRACT, 0xFD0016)                                   \
  X(I8X16_REPLACE_LANE, VREPLACE, 0xFD0017)                                     \
  X(I16X8_EXTRACT_LANE_S, VEXTRACT, 0xFD0018)                                   \
  X(I16X8_EXTRACT_LANE_U, VEXTRACT, 0xFD0019)                                   \
  X(I16X8_REPLACE_LANE, VREPLACE, 0xFD001A)                                     \
  X(I32X4_EXTRACT_LANE, VEXTRACT, 0xFD001B)                                     \
  X(I32X4_REPLACE_LANE, VREPLACE, 0xFD001C)                                     \
  X(I64X2_EXTRACT_LANE, VEXTRACT, 0xFD001D)                                     \
  X(I64X2_REPLACE_LANE, VREPLACE, 0xFD001E)                                     \
  X(F32X4_EXTRACT_LANE, VEXTRACT, 0xFD001F)                                     \
  X(F32X4_REPLACE_LANE, VREPLACE, 0xFD0020)                                     \
  X(F64X2_EXTRACT_LANE, VEXTRACT, 0xFD0021)                                     \
  X(F64X2_REPLACE_LANE, VREPLACE, 0xFD0022)                                     \
  X(I8X16_EQ, VBIN, 0xFD0023)                                                   \
  X(I8X16_NE, VBIN, 0xFD0024)                                                   \
  X(I8X16_LT_S, VBIN, 0xFD0025)                                                 \
  X(I8X16_LT_U, VBIN, 0xFD0026)                                                 \
  X(I8X16_GT_S, VBIN, 0xFD0027)                                                 \
  X(I8X16_GT_U, VBIN, 0xFD0028)                                                 \
  X(I8X16_LE_S, VBIN, 0xFD0029)                                                 \
  X(I8X16_LE_U, VBIN, 0xFD002A)                                                 \
  X(I8X16_GE_S, VBIN, 0xFD002B)                                                 \
  X(I8X16_GE_U, VBIN, 0xFD002C)                                                 \
  X(I16X8_EQ, VBIN, 0xFD002D)                                                   \
  X(I16X8_NE, VBIN, 0xFD002E)                                                   \
  X(I16X8_LT_S, VBIN, 0xFD002F)                                                 \
  X(I16X8_LT_U, VBIN, 0xFD0030)                                                 \
  X(I16X8_GT_S, VBIN, 0xFD0031)                                                 \
  X(I16X8_GT_U, VBIN, 0xFD0032)                                                 \
  X(I16X8_LE_S, VBIN, 0xFD0033)                                                 \
  X(I16X8_LE_U, VBIN, 0xFD0034)                                                 \
  X(I16X8_GE_S, VBIN, 0xFD0035)                                                 \
  X(I16X8_GE_U, VBIN, 0xFD0036)                                                 \
  X(I32X4_EQ, VBIN, 0xFD0037)                                                   \
  X(I32X4_NE, VBIN, 0xFD0038)                                                   \
  X(I32X4_LT_S, VBIN, 0xFD0039)                                                 \
  X(I32X4_LT_U, VBIN, 0xFD003A)                                                 \
  X(I32X4_GT_S, VBIN, 0xFD003B)                                                 \
  X(I32X4_GT_U, VBIN, 0xFD003C)                                                 \
  X(I32X4_LE_S, VBIN, 0xFD003D)                                                 \
  X(I32X4_LE_U, VBIN, 0xFD003E)                                                 \
  X(I32X4_GE_S, VBIN, 0xFD003F)                                                 \
  X(I32X4_GE_U, VBIN, 0xFD0040)                                                 \
  X(F32X4_EQ, VBIN, 0xFD0041)                                                   \
  X(F32X4_NE, VBIN, 0xFD0042)                                                   \
  X(F32X4_LT, VBIN, 0xFD0043)                                                   \
  X(F32X4_GT, VBIN, 0xFD0044)                                                   \
  X(F32X4_LE, VBIN, 0xFD0045)                                                   \
  X(F32X4_GE, VBIN, 0xFD0046)                                                   \
  X(F64X2_EQ, VBIN, 0xFD0047)                                                   \
  X(F64X2_NE, VBIN, 0xFD0048)                                                   \
  X(F64X2_LT, VBIN, 0xFD0049)                                                   \
  X(F64X2_GT, VBIN, 0xFD004A)                                                   \
  X(F64X2_LE, VBIN, 0xFD004B)                                                   \
  X(F64X2_GE, VBIN, 0xFD004C)                                                   \
  X(V128_NOT, VUN, 0xFD004D)                                                    \
  X(V128_AND, VBIN, 0xFD004E)                                                   \
  X(V128_ANDNOT, VBIN, 0xFD004F)                                                \
  X(V128_OR, VBIN, 0xFD0050)                                                    \
  X(V128_XOR, VBIN, 0xFD0051)                                                   \
  X(V128_BITSELECT, VTERN, 0xFD0052)                                            \
  X(V128_ANY_TRUE, VTEST, 0xFD0053)                                             \
  X(F32X4_DEMOTE_F64X2_ZERO, VUN, 0xFD005E)                                     \
  X(F64X2_PROMOTE_LOW_F32X4, VUN, 0xFD005F)                                     \
  X(I8X16_ABS, VUN, 0xFD0060)                                                   \
  X(I8X16_NEG, VUN, 0xFD0061)                                                   \
  X(I8X16_POPCNT, VUN, 0xFD0062)                                                \
  X(I8X16_ALL_TRUE, VTEST, 0xFD0063)                                            \
  X(I8X16_BITMASK, VTEST, 0xFD0064)                                             \
  X(I8X16_NARROW_I16X8_S, VBIN, 0xFD0065)                                       \
  X(I8X16_NARROW_I16X8_U, VBIN, 0xFD0066)                                       \
  X(F32X4_CEIL, VUN, 0xFD0067)                                                  \
  X(F32X4_FLOOR, VUN, 0xFD0068)                                                 \
  X(F32X4_TRUNC, VUN, 0xFD0069)                                                 \
  X(F32X4_NEAREST, VUN, 0xFD006A)                                               \
  X(I8X16_SHL, VSHIFT, 0xFD006B)                                                \
  X(I8X16_SHR_S, VSHIFT, 0xFD006C)                                              \
  X(I8X16_SHR_U, VSHIFT, 0xFD006D)                                              \
  X(I8X16_ADD, VBIN, 0xFD006E)                                                  \
  X(I8X16_ADD_SAT_S, VBIN, 0xFD006F)                                            \
  X(I8X16_ADD_SAT_U, VBIN, 0xFD0070)                                            \
  X(I8X16_SUB, VBIN, 0xFD0071)                                                  \
  X(I8X16_SUB_SAT_S, VBIN, 0xFD0072)                                            \
  X(I8X16_SUB_SAT_U, VBIN, 0xFD0073)                                            \
  X(F64X2_CEIL, VUN, 0xFD0074)                                                  \
  X(F64X2_FLOOR, VUN, 0xFD0075)                                                 \
  X(I8X16_MIN_S, VBIN, 0xFD0076)                                                \
  X(I8X16_MIN_U, VBIN, 0xFD0077)                                                \
  X(I8X16_MAX_S, VBIN, 0xFD0078)                                                \
  X(I8X16_MAX_U, VBIN, 0xFD0079)                                                \
  X(F64X2_TRUNC, VUN, 0xFD007A)                                                 \
  X(I8X16_AVGR_U, VBIN, 0xFD007B)                                               \
  X(I16X8_EXTADD_PAIRWISE_I8X16_S, VUN, 0xFD007C)                               \
  X(I16X8_EXTADD_PAIRWISE_I8X16_U, VUN, 0xFD007D)                               \
  X(I32X4_EXTADD_PAIRWISE_I16X8_S, VUN, 0xFD007E)                               \
  X(I32X4_EXTADD_PAIRWISE_I16X8_U, VUN, 0xFD007F)                               \
  X(I16X8_ABS, VUN, 0xFD0080)                                                   \
  X(I16X8_NEG, VUN, 0xFD0081)                                                   \
  X(I16X8_Q15MULR_SAT_S, VBIN, 0xFD0082)                                        \
  X(I16X8_ALL_TRUE, VTEST, 0xFD0083)                                            \
  X(I16X8_BITMASK, VTEST, 0xFD0084)                                             \
  X(I16X8_NARROW_I32X4_S, VBIN, 0xFD0085)                                       \
  X(I16X8_NARROW_I32X4_U, VBIN, 0xFD0086)                                       \
  X(I16X8_EXTEND_LOW_I8X16_S, VUN, 0xFD0087)                                    \
  X(I16X8_EXTEND_HIGH_I8X16_S, VUN, 0xFD0088)                                   \
  X(I16X8_EXTEND_LOW_I8X16_U, VUN, 0xFD0089)                                    \
  X(I16X8_EXTEND_HIGH_I8X16_U, VUN, 0xFD008A)                                   \
  X(I16X8_SHL, VSHIFT, 0xFD008B)                                                \
  X(I16X8_SHR_S, VSHIFT, 0xFD008C)                                              \
  X(I16X8_SHR_U, VSHIFT, 0xFD008D)                                              \
  X(I16X8_ADD, VBIN, 0xFD008E)                                                  \
  X(I16X8_ADD_SAT_S, VBIN, 0xFD008F)                                            \
  X(I16X8_ADD_SAT_U, VBIN, 0xFD0090)                                            \
  X(I16X8_SUB, VBIN, 0xFD0091)                                                  \
  X(I16X8_SUB_SAT_S, VBIN, 0xFD0092)                                            \
  X(I16X8_SUB_SAT_U, VBIN, 0xFD0093)                                            \
  X(F64X2_NEAREST, VUN, 0xFD0094)                                               \
  X(I16X8_MUL, VBIN, 0xFD0095)                                                  \
  X(I16X8_MIN_S, VBIN, 0xFD0096)                                                \
  X(I16X8_MIN_U, VBIN, 0xFD0097)                                                \
  X(I16X8_MAX_S, VBIN, 0xFD0098)                                                \
  X(I16X8_MAX_U, VBIN, 0xFD0099)                                                \
  X(I16X8_AVGR_U, VBIN, 0xFD009B)                                               \
  X(I16X8_EXTMUL_LOW_I8X16_S, VBIN, 0xFD009C)                                   \
  X(I16X8_EXTMUL_HIGH_I8X16_S, VBIN, 0xFD009D)                                  \
  X(I16X8_EXTMUL_LOW_I8X16_U, VBIN, 0xFD009E)                                   \
  X(I16X8_EXTMUL_HIGH_I8X16_U, VBIN, 0xFD009F)                                  \
  X(I32X4_ABS, VUN, 0xFD00A0)                                                   \
  X(I32X4_NEG, VUN, 0xFD00A1)                                                   \
  X(I32X4_ALL_TRUE, VTEST, 0xFD00A3)                                            \
  X(I32X4_BITMASK, VTEST, 0xFD00A4)                                             \
  X(I32X4_EXTEND_LOW_I16X8_S, VUN, 0xFD00A7)                                    \
  X(I32X4_EXTEND_HIGH_I16X8_S, VUN, 0xFD00A8)                                   \
  X(I32X4_EXTEND_LOW_I16X8_U, VUN, 0xFD00A9)                                    \
  X(I32X4_EXTEND_HIGH_I16X8_U, VUN, 0xFD00AA)                                   \
  X(I32X4_SHL, VSHIFT, 0xFD00AB)                                                \
  X(I32X4_SHR_S, VSHIFT, 0xFD00AC)                                              \
  X(I32X4_SHR_U, VSHIFT, 0xFD00AD)                                              \
  X(I32X4_ADD, VBIN, 0xFD00AE)                                                  \
  X(I32X4_SUB, VBIN, 0xFD00B1)                                                  \
  X(I32X4_MUL, VBIN, 0xFD00B5)                                                  \
  X(I32X4_MIN_S, VBIN, 0xFD00B6)                                                \
  X(I32X4_MIN_U, VBIN, 0xFD00B7)                                                \
  X(I32X4_MAX_S, VBIN, 0xFD00B8)                                                \
  X(I32X4_MAX_U, VBIN, 0xFD00B9)                                                \
  X(I32X4_DOT_I16X8_S, VBIN, 0xFD00BA)                                          \
  X(I32X4_EXTMUL_LOW_I16X8_S, VBIN, 0xFD00BC)                                   \
  X(I32X4_EXTMUL_HIGH_I16X8_S, VBIN, 0xFD00BD)                                  \
  X(I32X4_EXTMUL_LOW_I16X8_U, VBIN, 0xFD00BE)                                   \
  X(I32X4_EXTMUL_HIGH_I16X8_U, VBIN, 0xFD00BF)                                  \
  X(I64X2_ABS, VUN, 0xFD00C0)                                                   \
  X(I64X2_NEG, VUN, 0xFD00C1)                                                   \
  X(I64X2_ALL_TRUE, VTEST, 0xFD00C3)                                            \
  X(I64X2_BITMASK, VTEST, 0xFD00C4)                                             \
  X(I64X2_EXTEND_LOW_I32X4_S, VUN, 0xFD00C7)                                    \
  X(I64X2_EXTEND_HIGH_I32X4_S, VUN, 0xFD00C8)                                   \
  X(I64X2_EXTEND_LOW_I32X4_U, VUN, 0xFD00C9)                                    \
  X(I64X2_EXTEND_HIGH_I32X4_U, VUN, 0xFD00CA)                                   \
  X(I64X2_SHL, VSHIFT, 0xFD00CB)                                                \
  X(I64X2_SHR_S, VSHIFT, 0xFD00CC)                                              \
  X(I64X2_SHR_U, VSHIFT, 0xFD00CD)                                              \
  X(I64X2_ADD, VBIN, 0xFD00CE)                                                  \
  X(I64X2_SUB, VBIN, 0xFD00D1)                                                  \
  X(I64X2_MUL, VBIN, 0xFD00D5)                                                  \
  X(I64X2_EQ, VBIN, 0xFD00D6)                                                   \
  X(I64X2_NE, VBIN, 0xFD00D7)                                                   \
  X(I64X2_LT_S, VBIN, 0xFD00D8)                                                 \
  X(I64X2_GT_S, VBIN, 0xFD00D9)                                                 \
  X(I64X2_LE_S, VBIN, 0xFD00DA)                                                 \
  X(I64X2_GE_S, VBIN, 0xFD00DB)                                                 \
  X(I64X2_EXTMUL_LOW_I32X4_S, VBIN, 0xFD00DC)                                   \
  X(I64X2_EXTMUL_HIGH_I32X4_S, VBIN, 0xFD00DD)                                  \
  X(I64X2_EXTMUL_LOW_I32X4_U, VBIN, 0xFD00DE)                                   \
  X(I64X2_EXTMUL_HIGH_I32X4_U, VBIN, 0xFD00DF)                                  \
  X(F32X4_ABS, VUN, 0xFD00E0)                                                   \
  X(F32X4_NEG, VUN, 0xFD00E1)                                                   \
  X(F32X4_SQRT, VUN, 0xFD00E3)                                                  \
  X(F32X4_ADD, VBIN, 0xFD00E4)                                                  \
  X(F32X4_SUB, VBIN, 0xFD00E5)                                                  \
  X(F32X4_MUL, VBIN, 0xFD00E6)                                                  \
  X(F32X4_DIV, VBIN, 0xFD00E7)                                                  \
  X(F32X4_MIN, VBIN, 0xFD00E8)                                                  \
  X(F32X4_MAX, VBIN, 0xFD00E9)                                                  \
  X(F32X4_PMIN, VBIN, 0xFD00EA)                                                 \
  X(F32X4_PMAX, VBIN, 0xFD00EB)                                                 \
  X(F64X2_ABS, VUN, 0xFD00EC)                                                   \
  X(F64X2_NEG, VUN, 0xFD00ED)                                                   \
  X(F64X2_SQRT, VUN, 0xFD00EF)                                                  \
  X(F64X2_ADD, VBIN, 0xFD00F0)                                                  \
  X(F64X2_SUB, VBIN, 0xFD00F1)                                                  \
  X(F64X2_MUL, VBIN, 0xFD00F2)                                                  \
  X(F64X2_DIV, VBIN, 0xFD00F3)                                                  \
  X(F64X2_MIN, VBIN, 0xFD00F4)                                                  \
  X(F64X2_MAX, VBIN, 0xFD00F5)                                                  \
  X(F64X2_PMIN, VBIN, 0xFD00F6)                                                 \
  X(F64X2_PMAX, VBIN, 0xFD00F7)                                                 \
  X(I32X4_TRUNC_SAT_F32X4_S, VUN, 0xFD00F8)                                     \
  X(I32X4_TRUNC_SAT_F32X4_U, VUN, 0xFD00F9)                                     \
  X(F32X4_CONVERT_I32X4_S, VUN, 0xFD00FA)                                       \
  X(F32X4_CONVERT_I32X4_U, VUN, 0xFD00FB)                                       \
  X(I32X4_TRUNC_SAT_F64X2_S_ZERO, VUN, 0xFD00FC)                                \
  X(I32X4_TRUNC_SAT_F64X2_U_ZERO, VUN, 0xFD00FD)                                \
  X(F64X2_CONVERT_LOW_I32X4_S, VUN, 0xFD00FE)                                   \
  X(F64X2_CONVERT_LOW_I32X4_U, VUN, 0xFD00FF)                                   \
  X(F32X4_RELAXED_MADD, VTERN, 0xFD0105)                                        \
  X(F32X4_RELAXED_NMADD, VTERN, 0xFD0106)                                       \
  X(F64X2_RELAXED_MADD, VTERN, 0xFD0107)                                        \
  X(F64X2_RELAXED_NMADD, VTERN, 0xFD0108)                                       \
  X(I16X8_RELAXED_DOT_I8X16_I7X16_S, VBIN, 0xFD0112)                            \
  X(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, VTERN, 0xFD0113)

#endif
