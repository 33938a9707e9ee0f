/* SPDX-License-Identifier: MIT */
/*
** ops.h -- the internal instruction set that compile.c emits and interp.c
** executes. One table, written once, generates the opcode enum, the
** disassembler names and the dispatch tables.
**
** Code is an array of 32-bit cells. Every instruction starts with a 2-cell
** (8-byte) head: the opcode number in the switch build, the handler's address
** in the computed-goto build (compile.c writes wm__op_head(op)). Operand cells
** follow, each a uint32:
**   d, a, b, c  slot indexes into the current frame (units of wm_slot);
**               d is written, a/b/c are read. Any slot may be a local, a
**               constant slot or an operand-stack slot.
**   off         signed branch offset in cells, relative to the first cell of
**               the instruction that holds it.
**   imm         an unsigned 32-bit immediate (index, memarg offset, ...).
**   lo, hi      a 64-bit immediate as two cells, low half first.
**
** Frame layout (wm_code): [params | locals | constants | operand stack].
** On entry the interpreter zeroes the declared locals and copies the
** function's constants (wm_code.consts) into their slots, so any operand may
** be a constant slot. The commonest uses of a constant (an i32 add, shift or
** compare against a literal, a literal address displacement) have
** immediate-operand forms (_K) instead, so that hot loops and small
** functions need no constant slots and calls need not copy any.
**
** Values in slots: i32 in .i32 (upper half unspecified), i64 in .i64, f32 in
** .f32, f64 in .f64, references in .ref (funcref: wm_func*, NULL = null;
** externref: host pointer, NULL = null). Reinterpretations and i32.wrap_i64
** are therefore free: compile.c emits no instruction for them (little-endian
** hosts only, checked at build time).
**
** Classes: UN is `d a` (d = op a), BIN is `d a b` (d = a op b), and CMPBR is
** `a b off` (branch when a op b, both i32). BINK is `d a imm` (d = a op imm;
** i64 forms sign-extend imm), CMPBRK `a imm off` (branch when a.i32 op imm),
** LOADK `d a imm off` and STOREK `a imm b off`: the access of LOAD/STORE at
** address (uint32)(a + imm) -- wasm's own i32.add wrap -- plus memarg
** offset `off`; LOADX `d a x off` and STOREX `a x b off` the same at
** (uint32)(a + x) for a slot x. BINLD is `d a b imm off`: d = a op v, where v is the value
** of the op's own type (i32, i64, f32, f64) loaded as by LOADK from b + imm
** and off -- a load whose only use is the next operation. BINRMW is
** `a b imm off`: the same, with the result stored back where v came from
** (`x[i] += a`). BINSH is `d a b sh`: d = a op (b shop sh), an i32 xor or
** or of a value shifted or rotated by a constant.
** Other layouts are drawn in the comment of each instruction.
*/
#ifndef WM_OPS_H
#define WM_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "ops_simd.h"

/*
** The accumulator forms (the plain loop's register cache of the last i32
** result). Y(X, BASE, CLASS, K): op BASE_A is BASE whose operand K (an i32
** slot) is the one the instruction before it just wrote; in the plain loop
** it reads the value from a register instead of from the slot, which is
** also written. The lowering's last step (compile_acc.c) picks these forms
** where they apply; the other loops run them as BASE.
*/
#define WM_ACC_OPS(Y, X) \
  Y(X, I32_ADD_K, BINK, 1) \
  Y(X, I32_MUL_K, BINK, 1) \
  Y(X, I32_AND_K, BINK, 1) \
  Y(X, I32_OR_K, BINK, 1) \
  Y(X, I32_XOR_K, BINK, 1) \
  Y(X, I32_SHL_K, BINK, 1) \
  Y(X, I32_SHR_S_K, BINK, 1) \
  Y(X, I32_SHR_U_K, BINK, 1) \
  Y(X, I32_ROTL_K, BINK, 1) \
  Y(X, I32_ROTR_K, BINK, 1) \
  Y(X, I32_EQ_K, BINK, 1) \
  Y(X, I32_NE_K, BINK, 1) \
  Y(X, I32_LT_S_K, BINK, 1) \
  Y(X, I32_LT_U_K, BINK, 1) \
  Y(X, I32_GT_S_K, BINK, 1) \
  Y(X, I32_GT_U_K, BINK, 1) \
  Y(X, I32_LE_S_K, BINK, 1) \
  Y(X, I32_LE_U_K, BINK, 1) \
  Y(X, I32_GE_S_K, BINK, 1) \
  Y(X, I32_GE_U_K, BINK, 1) \
  Y(X, I32_EQ, BIN, 1) \
  Y(X, I32_NE, BIN, 1) \
  Y(X, I32_LT_S, BIN, 1) \
  Y(X, I32_LT_U, BIN, 1) \
  Y(X, I32_GT_S, BIN, 1) \
  Y(X, I32_GT_U, BIN, 1) \
  Y(X, I32_LE_S, BIN, 1) \
  Y(X, I32_LE_U, BIN, 1) \
  Y(X, I32_GE_S, BIN, 1) \
  Y(X, I32_GE_U, BIN, 1) \
  Y(X, I32_ADD, BIN, 1) \
  Y(X, I32_SUB, BIN, 1) \
  Y(X, I32_MUL, BIN, 1) \
  Y(X, I32_AND, BIN, 1) \
  Y(X, I32_OR, BIN, 1) \
  Y(X, I32_XOR, BIN, 1) \
  Y(X, I32_SHL, BIN, 1) \
  Y(X, I32_SHR_S, BIN, 1) \
  Y(X, I32_SHR_U, BIN, 1) \
  Y(X, I32_ROTL, BIN, 1) \
  Y(X, I32_ROTR, BIN, 1) \
  Y(X, I32_EQZ, UN, 1) \
  Y(X, I32_LOAD, LOAD, 1) \
  Y(X, I64_LOAD, LOAD, 1) \
  Y(X, F32_LOAD, LOAD, 1) \
  Y(X, F64_LOAD, LOAD, 1) \
  Y(X, I32_LOAD8_S, LOAD, 1) \
  Y(X, I32_LOAD8_U, LOAD, 1) \
  Y(X, I32_LOAD16_S, LOAD, 1) \
  Y(X, I32_LOAD16_U, LOAD, 1) \
  Y(X, I64_LOAD8_S, LOAD, 1) \
  Y(X, I64_LOAD8_U, LOAD, 1) \
  Y(X, I64_LOAD16_S, LOAD, 1) \
  Y(X, I64_LOAD16_U, LOAD, 1) \
  Y(X, I64_LOAD32_S, LOAD, 1) \
  Y(X, I64_LOAD32_U, LOAD, 1) \
  Y(X, I32_LOAD_K, LOADK, 1) \
  Y(X, I64_LOAD_K, LOADK, 1) \
  Y(X, F32_LOAD_K, LOADK, 1) \
  Y(X, F64_LOAD_K, LOADK, 1) \
  Y(X, I32_LOAD8_S_K, LOADK, 1) \
  Y(X, I32_LOAD8_U_K, LOADK, 1) \
  Y(X, I32_LOAD16_S_K, LOADK, 1) \
  Y(X, I32_LOAD16_U_K, LOADK, 1) \
  Y(X, I64_LOAD8_S_K, LOADK, 1) \
  Y(X, I64_LOAD8_U_K, LOADK, 1) \
  Y(X, I64_LOAD16_S_K, LOADK, 1) \
  Y(X, I64_LOAD16_U_K, LOADK, 1) \
  Y(X, I64_LOAD32_S_K, LOADK, 1) \
  Y(X, I64_LOAD32_U_K, LOADK, 1) \
  Y(X, I32_ADD_LD, BINLD, 1) \
  Y(X, I32_SUB_LD, BINLD, 1) \
  Y(X, I32_MUL_LD, BINLD, 1) \
  Y(X, I32_AND_LD, BINLD, 1) \
  Y(X, I32_OR_LD, BINLD, 1) \
  Y(X, I32_XOR_LD, BINLD, 1) \
  Y(X, I32_XOR_LD8_U, BINLD, 1) \
  Y(X, I32_ADD_LD8_U, BINLD, 1) \
  Y(X, I32_XOR_SHL_K, BINSH, 1) \
  Y(X, I32_XOR_SHR_U_K, BINSH, 1) \
  Y(X, I32_XOR_ROTL_K, BINSH, 1) \
  Y(X, I32_XOR_ROTR_K, BINSH, 1) \
  Y(X, I32_OR_SHL_K, BINSH, 1) \
  Y(X, I32_OR_SHR_U_K, BINSH, 1) \
  Y(X, I32_LOAD_SHL_K, SPEC, 1) \
  Y(X, BR_I32_EQ_K, CMPBRK, 0) \
  Y(X, BR_I32_NE_K, CMPBRK, 0) \
  Y(X, BR_I32_LT_S_K, CMPBRK, 0) \
  Y(X, BR_I32_LT_U_K, CMPBRK, 0) \
  Y(X, BR_I32_GT_S_K, CMPBRK, 0) \
  Y(X, BR_I32_GT_U_K, CMPBRK, 0) \
  Y(X, BR_I32_LE_S_K, CMPBRK, 0) \
  Y(X, BR_I32_LE_U_K, CMPBRK, 0) \
  Y(X, BR_I32_GE_S_K, CMPBRK, 0) \
  Y(X, BR_I32_GE_U_K, CMPBRK, 0) \
  Y(X, BR_IF, SPEC, 0) \
  Y(X, BR_IF_NOT, SPEC, 0) \
  Y(X, I32_STORE, STORE, 0) \
  Y(X, I64_STORE, STORE, 0) \
  Y(X, F32_STORE, STORE, 0) \
  Y(X, F64_STORE, STORE, 0) \
  Y(X, I32_STORE8, STORE, 0) \
  Y(X, I32_STORE16, STORE, 0) \
  Y(X, I64_STORE8, STORE, 0) \
  Y(X, I64_STORE16, STORE, 0) \
  Y(X, I64_STORE32, STORE, 0) \
  Y(X, I32_STORE_K, STOREK, 0) \
  Y(X, I64_STORE_K, STOREK, 0) \
  Y(X, F32_STORE_K, STOREK, 0) \
  Y(X, F64_STORE_K, STOREK, 0) \
  Y(X, I32_STORE8_K, STOREK, 0) \
  Y(X, I32_STORE16_K, STOREK, 0) \
  Y(X, I64_STORE8_K, STOREK, 0) \
  Y(X, I64_STORE16_K, STOREK, 0) \
  Y(X, I64_STORE32_K, STOREK, 0)
#define WM_ACC_OP_(X, base, cls, k) X(base##_A, cls, 0)

/* X(NAME, CLASS, WASM) -- WASM is the wasm opcode the instruction implements
** one-to-one (0xFCnn for the 0xFC prefix), or 0 when it has no such opcode. */
#define WM_OPS(X)                                                               \
  /* --- control ------------------------------------------------------- */    \
  X(UNREACHABLE, SPEC, 0x00)   /* -- : trap "unreachable" */                    \
  X(BR, SPEC, 0)               /* off : jump */                                 \
  X(BR_IF, SPEC, 0)            /* a off : jump if a.i32 != 0 */                 \
  X(BR_IF_NOT, SPEC, 0)        /* a off : jump if a.i32 == 0 */                 \
  X(BR_TABLE, SPEC, 0)         /* a n off_0 .. off_n : jump to off_min(a,n) */  \
  X(RETURN, SPEC, 0)           /* -- : results already in slots 0.. */          \
  X(CALL, SPEC, 0)             /* fidx base cache x3 : call a defined function \
                                  of this module; args at base.., results to   \
                                  base..; the callee's wm_code* cached in the  \
                                  8-aligned pair within the three cells (0    \
                                  from the compiler; call_cache()) */         \
  X(CALL_IMPORT, SPEC, 0)      /* fidx base : call imported function fidx      \
                                  (host or another instance's) */              \
  X(CALL_INDIRECT, SPEC, 0)    /* a typeidx tableidx base : call table[a.i32] */\
  X(RETURN_CALL, SPEC, 0)      /* fidx base n : tail call of function fidx:   \
                                  the n arg slots at base.. move to 0.. and    \
                                  its frame replaces this one; a return        \
                                  sequence follows, for the callees that run   \
                                  as a nested call */                          \
  X(RETURN_CALL_INDIRECT, SPEC, 0) /* a typeidx tableidx base n : the same,    \
                                  table[a.i32] */                              \
  X(NATIVE, SPEC, 0)           /* k : run defined function k's compiled code \
                                  (src/aot), args and results in slots 0.. */  \
  X(LAZY, SPEC, 0)             /* -- : the first call of a function not yet   \
                                  lowered: lower it, enter its real frame */   \
  /* --- moves and constants ---------------------------------------------- */ \
  X(MOVE, SPEC, 0)             /* d a : d = a (all 8 bytes) */                  \
  X(MOVE2, SPEC, 0)            /* d1 a1 d2 a2 : two moves, in order */          \
  X(CONST32, SPEC, 0)          /* d imm : d.u64 = imm (zero-extended) */        \
  X(CONST64, SPEC, 0)          /* d lo hi : d.u64 = lo | hi << 32 */            \
  X(SELECT, SPEC, 0)           /* d a b c : d = c.i32 ? a : b */                \
  X(GLOBAL_GET, SPEC, 0)       /* d gidx : d = global */                        \
  X(GLOBAL_SET, SPEC, 0)       /* gidx a : global = a */                        \
  /* --- references ------------------------------------------------------- */ \
  X(REF_FUNC, SPEC, 0)         /* d fidx : d.ref = the instance's function */   \
  X(REF_IS_NULL, UN, 0xD1)                                                      \
  /* --- memory: d a imm (load: d = mem[a.u32 + imm]),                         \
         a b imm (store: mem[a.u32 + imm] = b) ------------------------------ */\
  X(I32_LOAD, LOAD, 0x28) X(I64_LOAD, LOAD, 0x29)                               \
  X(F32_LOAD, LOAD, 0x2A) X(F64_LOAD, LOAD, 0x2B)                               \
  X(I32_LOAD8_S, LOAD, 0x2C) X(I32_LOAD8_U, LOAD, 0x2D)                         \
  X(I32_LOAD16_S, LOAD, 0x2E) X(I32_LOAD16_U, LOAD, 0x2F)                       \
  X(I64_LOAD8_S, LOAD, 0x30) X(I64_LOAD8_U, LOAD, 0x31)                         \
  X(I64_LOAD16_S, LOAD, 0x32) X(I64_LOAD16_U, LOAD, 0x33)                       \
  X(I64_LOAD32_S, LOAD, 0x34) X(I64_LOAD32_U, LOAD, 0x35)                       \
  X(I32_STORE, STORE, 0x36) X(I64_STORE, STORE, 0x37)                           \
  X(F32_STORE, STORE, 0x38) X(F64_STORE, STORE, 0x39)                           \
  X(I32_STORE8, STORE, 0x3A) X(I32_STORE16, STORE, 0x3B)                        \
  X(I64_STORE8, STORE, 0x3C) X(I64_STORE16, STORE, 0x3D)                        \
  X(I64_STORE32, STORE, 0x3E)                                                   \
  X(MEMORY_SIZE, SPEC, 0x3F)   /* d : d.i32 = pages */                          \
  X(MEMORY_GROW, SPEC, 0x40)   /* d a : d.i32 = old pages or -1 */              \
  X(MEMORY_INIT, SPEC, 0xFC08) /* dataidx a b c : dst=a src=b n=c */            \
  X(DATA_DROP, SPEC, 0xFC09)   /* dataidx */                                    \
  X(MEMORY_COPY, SPEC, 0xFC0A) /* a b c : dst=a src=b n=c */                    \
  X(MEMORY_FILL, SPEC, 0xFC0B) /* a b c : dst=a val=b n=c */                    \
  X(MEMORY_SELECT, SPEC, 0)    /* m : memory m is the one the next            \
                                  instruction works on (m > 0; then 0 again) */\
  X(MEMORY_COPY_MM, SPEC, 0)   /* a b c dm sm : memory.copy from memory sm to \
                                  memory dm */                                 \
  /* --- tables ----------------------------------------------------------- */ \
  X(TABLE_GET, SPEC, 0x25)     /* d tidx a : d.ref = table[a.u32] */            \
  X(TABLE_SET, SPEC, 0x26)     /* tidx a b : table[a.u32] = b.ref */            \
  X(TABLE_INIT, SPEC, 0xFC0C)  /* tidx elemidx a b c : dst=a src=b n=c */       \
  X(ELEM_DROP, SPEC, 0xFC0D)   /* elemidx */                                    \
  X(TABLE_COPY, SPEC, 0xFC0E)  /* dst_tidx src_tidx a b c */                    \
  X(TABLE_GROW, SPEC, 0xFC0F)  /* d tidx a b : init=a.ref n=b; d = old or -1 */ \
  X(TABLE_SIZE, SPEC, 0xFC10)  /* d tidx */                                     \
  X(TABLE_FILL, SPEC, 0xFC11)  /* tidx a b c : i=a val=b.ref n=c */             \
  /* --- fused i32 compare-and-branch (a b off) ------------------------- */    \
  X(BR_I32_EQ, CMPBR, 0) X(BR_I32_NE, CMPBR, 0)                                 \
  X(BR_I32_LT_S, CMPBR, 0) X(BR_I32_LT_U, CMPBR, 0)                             \
  X(BR_I32_GT_S, CMPBR, 0) X(BR_I32_GT_U, CMPBR, 0)                             \
  X(BR_I32_LE_S, CMPBR, 0) X(BR_I32_LE_U, CMPBR, 0)                             \
  X(BR_I32_GE_S, CMPBR, 0) X(BR_I32_GE_U, CMPBR, 0)                             \
  /* --- numeric ---------------------------------------------------------- */ \
  X(I32_EQZ, UN, 0x45) X(I32_EQ, BIN, 0x46) X(I32_NE, BIN, 0x47)                \
  X(I32_LT_S, BIN, 0x48) X(I32_LT_U, BIN, 0x49) X(I32_GT_S, BIN, 0x4A)          \
  X(I32_GT_U, BIN, 0x4B) X(I32_LE_S, BIN, 0x4C) X(I32_LE_U, BIN, 0x4D)          \
  X(I32_GE_S, BIN, 0x4E) X(I32_GE_U, BIN, 0x4F)                                 \
  X(I64_EQZ, UN, 0x50) X(I64_EQ, BIN, 0x51) X(I64_NE, BIN, 0x52)                \
  X(I64_LT_S, BIN, 0x53) X(I64_LT_U, BIN, 0x54) X(I64_GT_S, BIN, 0x55)          \
  X(I64_GT_U, BIN, 0x56) X(I64_LE_S, BIN, 0x57) X(I64_LE_U, BIN, 0x58)          \
  X(I64_GE_S, BIN, 0x59) X(I64_GE_U, BIN, 0x5A)                                 \
  X(F32_EQ, BIN, 0x5B) X(F32_NE, BIN, 0x5C) X(F32_LT, BIN, 0x5D)                \
  X(F32_GT, BIN, 0x5E) X(F32_LE, BIN, 0x5F) X(F32_GE, BIN, 0x60)                \
  X(F64_EQ, BIN, 0x61) X(F64_NE, BIN, 0x62) X(F64_LT, BIN, 0x63)                \
  X(F64_GT, BIN, 0x64) X(F64_LE, BIN, 0x65) X(F64_GE, BIN, 0x66)                \
  X(I32_CLZ, UN, 0x67) X(I32_CTZ, UN, 0x68) X(I32_POPCNT, UN, 0x69)             \
  X(I32_ADD, BIN, 0x6A) X(I32_SUB, BIN, 0x6B) X(I32_MUL, BIN, 0x6C)             \
  X(I32_DIV_S, BIN, 0x6D) X(I32_DIV_U, BIN, 0x6E) X(I32_REM_S, BIN, 0x6F)       \
  X(I32_REM_U, BIN, 0x70) X(I32_AND, BIN, 0x71) X(I32_OR, BIN, 0x72)            \
  X(I32_XOR, BIN, 0x73) X(I32_SHL, BIN, 0x74) X(I32_SHR_S, BIN, 0x75)           \
  X(I32_SHR_U, BIN, 0x76) X(I32_ROTL, BIN, 0x77) X(I32_ROTR, BIN, 0x78)         \
  X(I64_CLZ, UN, 0x79) X(I64_CTZ, UN, 0x7A) X(I64_POPCNT, UN, 0x7B)             \
  X(I64_ADD, BIN, 0x7C) X(I64_SUB, BIN, 0x7D) X(I64_MUL, BIN, 0x7E)             \
  X(I64_DIV_S, BIN, 0x7F) X(I64_DIV_U, BIN, 0x80) X(I64_REM_S, BIN, 0x81)       \
  X(I64_REM_U, BIN, 0x82) X(I64_AND, BIN, 0x83) X(I64_OR, BIN, 0x84)            \
  X(I64_XOR, BIN, 0x85) X(I64_SHL, BIN, 0x86) X(I64_SHR_S, BIN, 0x87)           \
  X(I64_SHR_U, BIN, 0x88) X(I64_ROTL, BIN, 0x89) X(I64_ROTR, BIN, 0x8A)         \
  X(F32_ABS, UN, 0x8B) X(F32_NEG, UN, 0x8C) X(F32_CEIL, UN, 0x8D)               \
  X(F32_FLOOR, UN, 0x8E) X(F32_TRUNC, UN, 0x8F) X(F32_NEAREST, UN, 0x90)        \
  X(F32_SQRT, UN, 0x91) X(F32_ADD, BIN, 0x92) X(F32_SUB, BIN, 0x93)             \
  X(F32_MUL, BIN, 0x94) X(F32_DIV, BIN, 0x95) X(F32_MIN, BIN, 0x96)             \
  X(F32_MAX, BIN, 0x97) X(F32_COPYSIGN, BIN, 0x98)                              \
  X(F64_ABS, UN, 0x99) X(F64_NEG, UN, 0x9A) X(F64_CEIL, UN, 0x9B)               \
  X(F64_FLOOR, UN, 0x9C) X(F64_TRUNC, UN, 0x9D) X(F64_NEAREST, UN, 0x9E)        \
  X(F64_SQRT, UN, 0x9F) X(F64_ADD, BIN, 0xA0) X(F64_SUB, BIN, 0xA1)             \
  X(F64_MUL, BIN, 0xA2) X(F64_DIV, BIN, 0xA3) X(F64_MIN, BIN, 0xA4)             \
  X(F64_MAX, BIN, 0xA5) X(F64_COPYSIGN, BIN, 0xA6)                              \
  /* 0xA7 i32.wrap_i64 is free (no instruction) */                             \
  X(I32_TRUNC_F32_S, UN, 0xA8) X(I32_TRUNC_F32_U, UN, 0xA9)                     \
  X(I32_TRUNC_F64_S, UN, 0xAA) X(I32_TRUNC_F64_U, UN, 0xAB)                     \
  X(I64_EXTEND_I32_S, UN, 0xAC) X(I64_EXTEND_I32_U, UN, 0xAD)                   \
  X(I64_TRUNC_F32_S, UN, 0xAE) X(I64_TRUNC_F32_U, UN, 0xAF)                     \
  X(I64_TRUNC_F64_S, UN, 0xB0) X(I64_TRUNC_F64_U, UN, 0xB1)                     \
  X(F32_CONVERT_I32_S, UN, 0xB2) X(F32_CONVERT_I32_U, UN, 0xB3)                 \
  X(F32_CONVERT_I64_S, UN, 0xB4) X(F32_CONVERT_I64_U, UN, 0xB5)                 \
  X(F32_DEMOTE_F64, UN, 0xB6)                                                   \
  X(F64_CONVERT_I32_S, UN, 0xB7) X(F64_CONVERT_I32_U, UN, 0xB8)                 \
  X(F64_CONVERT_I64_S, UN, 0xB9) X(F64_CONVERT_I64_U, UN, 0xBA)                 \
  X(F64_PROMOTE_F32, UN, 0xBB)                                                  \
  /* 0xBC..0xBF reinterpretations are free (no instruction) */                 \
  X(I32_EXTEND8_S, UN, 0xC0) X(I32_EXTEND16_S, UN, 0xC1)                        \
  X(I64_EXTEND8_S, UN, 0xC2) X(I64_EXTEND16_S, UN, 0xC3)                        \
  X(I64_EXTEND32_S, UN, 0xC4)                                                   \
  X(I32_TRUNC_SAT_F32_S, UN, 0xFC00) X(I32_TRUNC_SAT_F32_U, UN, 0xFC01)         \
  X(I32_TRUNC_SAT_F64_S, UN, 0xFC02) X(I32_TRUNC_SAT_F64_U, UN, 0xFC03)         \
  X(I64_TRUNC_SAT_F32_S, UN, 0xFC04) X(I64_TRUNC_SAT_F32_U, UN, 0xFC05)         \
  X(I64_TRUNC_SAT_F64_S, UN, 0xFC06) X(I64_TRUNC_SAT_F64_U, UN, 0xFC07)         \
  /* --- immediate forms (BINK `d a imm`); x - imm is emitted as x + -imm -- */ \
  X(I32_ADD_K, BINK, 0) X(I32_MUL_K, BINK, 0) X(I32_AND_K, BINK, 0)             \
  X(I32_OR_K, BINK, 0) X(I32_XOR_K, BINK, 0) X(I32_SHL_K, BINK, 0)              \
  X(I32_SHR_S_K, BINK, 0) X(I32_SHR_U_K, BINK, 0) X(I32_ROTL_K, BINK, 0)        \
  X(I32_ROTR_K, BINK, 0)                                                        \
  /* compares, in the order of I32_EQ..I32_GE_U */                             \
  X(I32_EQ_K, BINK, 0) X(I32_NE_K, BINK, 0)                                     \
  X(I32_LT_S_K, BINK, 0) X(I32_LT_U_K, BINK, 0)                                 \
  X(I32_GT_S_K, BINK, 0) X(I32_GT_U_K, BINK, 0)                                 \
  X(I32_LE_S_K, BINK, 0) X(I32_LE_U_K, BINK, 0)                                 \
  X(I32_GE_S_K, BINK, 0) X(I32_GE_U_K, BINK, 0)                                 \
  X(I64_ADD_K, BINK, 0) X(I64_MUL_K, BINK, 0) X(I64_AND_K, BINK, 0)             \
  X(I64_OR_K, BINK, 0) X(I64_XOR_K, BINK, 0) X(I64_SHL_K, BINK, 0)              \
  X(I64_SHR_S_K, BINK, 0) X(I64_SHR_U_K, BINK, 0) X(I64_ROTL_K, BINK, 0)        \
  X(I64_ROTR_K, BINK, 0)                                                        \
  /* --- compare-and-branch with an immediate (CMPBRK `a imm off`), in the    \
         order of BR_I32_EQ..BR_I32_GE_U ---------------------------------- */ \
  X(BR_I32_EQ_K, CMPBRK, 0) X(BR_I32_NE_K, CMPBRK, 0)                           \
  X(BR_I32_LT_S_K, CMPBRK, 0) X(BR_I32_LT_U_K, CMPBRK, 0)                       \
  X(BR_I32_GT_S_K, CMPBRK, 0) X(BR_I32_GT_U_K, CMPBRK, 0)                       \
  X(BR_I32_LE_S_K, CMPBRK, 0) X(BR_I32_LE_U_K, CMPBRK, 0)                       \
  X(BR_I32_GE_S_K, CMPBRK, 0) X(BR_I32_GE_U_K, CMPBRK, 0)                       \
  /* --- memory at (uint32)(a + imm) (LOADK `d a imm off`,                    \
         STOREK `a imm b off`), in the order of I32_LOAD..I64_STORE32 ----- */ \
  X(I32_LOAD_K, LOADK, 0) X(I64_LOAD_K, LOADK, 0)                               \
  X(F32_LOAD_K, LOADK, 0) X(F64_LOAD_K, LOADK, 0)                               \
  X(I32_LOAD8_S_K, LOADK, 0) X(I32_LOAD8_U_K, LOADK, 0)                         \
  X(I32_LOAD16_S_K, LOADK, 0) X(I32_LOAD16_U_K, LOADK, 0)                       \
  X(I64_LOAD8_S_K, LOADK, 0) X(I64_LOAD8_U_K, LOADK, 0)                         \
  X(I64_LOAD16_S_K, LOADK, 0) X(I64_LOAD16_U_K, LOADK, 0)                       \
  X(I64_LOAD32_S_K, LOADK, 0) X(I64_LOAD32_U_K, LOADK, 0)                       \
  X(I32_STORE_K, STOREK, 0) X(I64_STORE_K, STOREK, 0)                           \
  X(F32_STORE_K, STOREK, 0) X(F64_STORE_K, STOREK, 0)                           \
  X(I32_STORE8_K, STOREK, 0) X(I32_STORE16_K, STOREK, 0)                        \
  X(I64_STORE8_K, STOREK, 0) X(I64_STORE16_K, STOREK, 0)                        \
  X(I64_STORE32_K, STOREK, 0)                                                   \
  /* --- memory at (uint32)(a + x) (LOADX `d a x off`, STOREX `a x b off`),   \
         in the order of I32_LOAD..I64_STORE32 ----------------------------- */\
  X(I32_LOAD_X, LOADX, 0) X(I64_LOAD_X, LOADX, 0)                               \
  X(F32_LOAD_X, LOADX, 0) X(F64_LOAD_X, LOADX, 0)                               \
  X(I32_LOAD8_S_X, LOADX, 0) X(I32_LOAD8_U_X, LOADX, 0)                         \
  X(I32_LOAD16_S_X, LOADX, 0) X(I32_LOAD16_U_X, LOADX, 0)                       \
  X(I64_LOAD8_S_X, LOADX, 0) X(I64_LOAD8_U_X, LOADX, 0)                         \
  X(I64_LOAD16_S_X, LOADX, 0) X(I64_LOAD16_U_X, LOADX, 0)                       \
  X(I64_LOAD32_S_X, LOADX, 0) X(I64_LOAD32_U_X, LOADX, 0)                       \
  X(I32_STORE_X, STOREX, 0) X(I64_STORE_X, STOREX, 0)                           \
  X(F32_STORE_X, STOREX, 0) X(F64_STORE_X, STOREX, 0)                           \
  X(I32_STORE8_X, STOREX, 0) X(I32_STORE16_X, STOREX, 0)                        \
  X(I64_STORE8_X, STOREX, 0) X(I64_STORE16_X, STOREX, 0)                        \
  X(I64_STORE32_X, STOREX, 0)                                                   \
  /* --- arithmetic on a loaded operand (BINLD `d a b imm off`) ---------- */  \
  X(I32_ADD_LD, BINLD, 0) X(I32_SUB_LD, BINLD, 0) X(I32_MUL_LD, BINLD, 0)       \
  X(I32_AND_LD, BINLD, 0) X(I32_OR_LD, BINLD, 0) X(I32_XOR_LD, BINLD, 0)        \
  X(I64_ADD_LD, BINLD, 0) X(I64_SUB_LD, BINLD, 0) X(I64_MUL_LD, BINLD, 0)       \
  X(I64_AND_LD, BINLD, 0) X(I64_OR_LD, BINLD, 0) X(I64_XOR_LD, BINLD, 0)        \
  X(F32_ADD_LD, BINLD, 0) X(F32_SUB_LD, BINLD, 0) X(F32_MUL_LD, BINLD, 0)       \
  X(F64_ADD_LD, BINLD, 0) X(F64_SUB_LD, BINLD, 0) X(F64_MUL_LD, BINLD, 0)       \
  /* --- read-modify-write (BINRMW `a b imm off`), in the order of BINLD -- */ \
  X(I32_ADD_RMW, BINRMW, 0) X(I32_SUB_RMW, BINRMW, 0) X(I32_MUL_RMW, BINRMW, 0) \
  X(I32_AND_RMW, BINRMW, 0) X(I32_OR_RMW, BINRMW, 0) X(I32_XOR_RMW, BINRMW, 0)  \
  X(I64_ADD_RMW, BINRMW, 0) X(I64_SUB_RMW, BINRMW, 0) X(I64_MUL_RMW, BINRMW, 0) \
  X(I64_AND_RMW, BINRMW, 0) X(I64_OR_RMW, BINRMW, 0) X(I64_XOR_RMW, BINRMW, 0)  \
  X(F32_ADD_RMW, BINRMW, 0) X(F32_SUB_RMW, BINRMW, 0) X(F32_MUL_RMW, BINRMW, 0) \
  X(F64_ADD_RMW, BINRMW, 0) X(F64_SUB_RMW, BINRMW, 0) X(F64_MUL_RMW, BINRMW, 0) \
  /* --- a move, then a branch (a local.set or block result before a jump);  \
         the condition is read after the move ---------------------------- */ \
  X(MOVE_BR, SPEC, 0)          /* d a off : d = a; jump */                      \
  X(MOVE_BR_IF, SPEC, 0)       /* d a c off : d = a; jump if c.i32 != 0 */      \
  X(MOVE_BR_IF_NOT, SPEC, 0)   /* d a c off : d = a; jump if c.i32 == 0 */      \
  /* --- a load, then a branch on the loaded value (a list walk's             \
         `while (p = p->next)`): LOAD `d a imm`, then BR_IF/BR_IF_NOT d --- */  \
  X(I32_LOAD_BR_IF, SPEC, 0)        /* d a imm off */                           \
  X(I32_LOAD_BR_IF_NOT, SPEC, 0)    /* d a imm off */                           \
  X(I32_LOAD8_U_BR_IF, SPEC, 0)     /* d a imm off */                           \
  X(I32_LOAD8_U_BR_IF_NOT, SPEC, 0) /* d a imm off */                           \
  /* --- bit-field extraction ---------------------------------------------- */\
  X(I32_SHR_U_AND_K, SPEC, 0)  /* d a sh mask : d = (a.u32 >> (sh & 31)) & mask */ \
  /* --- an i32 xor or or whose second operand is a shift or rotation by a   \
         constant, used only there (hashes, CRCs): BINSH `d a b sh`, d = a op \
         (b shop sh), the shift counted mod 32 as wasm's ---------------- */ \
  X(I32_XOR_SHL_K, BINSH, 0) X(I32_XOR_SHR_U_K, BINSH, 0)                       \
  X(I32_XOR_ROTL_K, BINSH, 0) X(I32_XOR_ROTR_K, BINSH, 0)                       \
  X(I32_OR_SHL_K, BINSH, 0) X(I32_OR_SHR_U_K, BINSH, 0)                         \
  /* --- a table lookup: I32_SHL_K, then I32_LOAD_K on its result ------- */  \
  X(I32_LOAD_SHL_K, SPEC, 0)   /* d a sh imm off : d = the i32 at             \
                                  (uint32)((a.u32 << (sh & 31)) + imm) + off */ \
  /* --- BINLD on a byte (i32.load8_u) that an i32 xor or add uses: byte   \
         hashes, CRCs, checksums ----------------------------------------- */ \
  X(I32_XOR_LD8_U, BINLD, 0) X(I32_ADD_LD8_U, BINLD, 0)                         \
  /* --- I32_ADD_K `d a imm`, then CMPBRK `x k off` (a loop counter's step   \
         and test), in the order of BR_I32_EQ_K..BR_I32_GE_U_K; x is read   \
         after d is written (ADDBR `d a imm x k off`); x is d: the handler  \
         compares the sum it computed ------------------------------------- */\
  X(I32_ADD_K_BR_EQ_K, ADDBR, 0) X(I32_ADD_K_BR_NE_K, ADDBR, 0)                 \
  X(I32_ADD_K_BR_LT_S_K, ADDBR, 0) X(I32_ADD_K_BR_LT_U_K, ADDBR, 0)             \
  X(I32_ADD_K_BR_GT_S_K, ADDBR, 0) X(I32_ADD_K_BR_GT_U_K, ADDBR, 0)             \
  X(I32_ADD_K_BR_LE_S_K, ADDBR, 0) X(I32_ADD_K_BR_LE_U_K, ADDBR, 0)             \
  X(I32_ADD_K_BR_GE_S_K, ADDBR, 0) X(I32_ADD_K_BR_GE_U_K, ADDBR, 0)           \
  /* --- the same with I32_AND_K (a bit test: `if (x & 4)`, `(x & m) == k`), \
         layout ADDBR `d a mask x k off` --------------------------------- */ \
  X(I32_AND_K_BR_EQ_K, ADDBR, 0) X(I32_AND_K_BR_NE_K, ADDBR, 0)                 \
  X(I32_AND_K_BR_LT_S_K, ADDBR, 0) X(I32_AND_K_BR_LT_U_K, ADDBR, 0)             \
  X(I32_AND_K_BR_GT_S_K, ADDBR, 0) X(I32_AND_K_BR_GT_U_K, ADDBR, 0)             \
  X(I32_AND_K_BR_LE_S_K, ADDBR, 0) X(I32_AND_K_BR_LE_U_K, ADDBR, 0)             \
  X(I32_AND_K_BR_GE_S_K, ADDBR, 0) X(I32_AND_K_BR_GE_U_K, ADDBR, 0)             \
  /* --- a MOVE, then a load (a list walk's `q = p; p = p->next`, a tee of   \
         the address); the address is read after the move ---------------- */ \
  X(MOVE_I32_LOAD, SPEC, 0)      /* d1 a1 d a imm : d1 = a1; I32_LOAD d a imm */ \
  X(MOVE_I32_LOAD_K, SPEC, 0)    /* d1 a1 d a imm off : d1 = a1; I32_LOAD_K */  \
  X(MOVE_I32_LOAD8_U_K, SPEC, 0) /* d1 a1 d a imm off : d1 = a1; I32_LOAD8_U_K */\
  X(MOVE_I32_LOAD_STORE, SPEC, 0) /* d1 a1 d a off v : MOVE_I32_LOAD, then     \
                                  I32_STORE d1 v off to the address it loaded \
                                  from (`n = l->next; l->next = r`); v is read \
                                  after the load */                            \
  X(MOVE_I32_LOAD_STORE_MOVE_BR_IF, SPEC, 0) /* d1 a1 d a off v d2 a2 c off2 : \
                                  MOVE_I32_LOAD_STORE, then MOVE_BR_IF d2 a2 c \
                                  off2 (off2 from this head): a list         \
                                  reversal's whole loop, `r = l; l = n` while \
                                  l != 0 */                                   \
  X(I32_STORE8_X_ADD_BR_LE_U, SPEC, 0) /* a x b off d a2 s x2 y off2 :        \
                                  I32_STORE8_X a x b off, then               \
                                  I32_ADD_BR_LE_U d a2 s x2 y off2 (off2     \
                                  from this head): a strided fill's loop,    \
                                  the sieve's `c[j] = 1` while (j += i) <= n \
                                  */                                          \
  /* --- an i32 load, then a compare of the loaded value with a slot and a    \
         branch (a list search's `if (n->key == want)`): LOAD `d a imm`, then \
         BR_I32_EQ/NE d b ------------------------------------------------ */ \
  X(I32_LOAD_BR_EQ, SPEC, 0)     /* d a imm b off */                            \
  X(I32_LOAD_BR_NE, SPEC, 0)     /* d a imm b off */                            \
  /* --- a select on a bit test (bit-serial CRCs): I32_AND_K c x mask, then   \
         SELECT d a b c ------------------------------------------------- */  \
  X(SELECT_AND_K, SPEC, 0)       /* d a b x mask : d = x.i32 & mask ? a : b */  \
  /* --- a select on an i32 compare that nothing else reads (`x < k ? a :   \
         b`, a state machine's next state): I32_EQ..I32_GE_U c x y or their \
         _K forms c x imm, then SELECT d a b c; in the order of I32_EQ..    \
         I32_GE_U. SELCMP `d a b x y`, SELCMPK `d a b x imm` -------------- */ \
  X(SELECT_I32_EQ, SELCMP, 0) X(SELECT_I32_NE, SELCMP, 0)                       \
  X(SELECT_I32_LT_S, SELCMP, 0) X(SELECT_I32_LT_U, SELCMP, 0)                   \
  X(SELECT_I32_GT_S, SELCMP, 0) X(SELECT_I32_GT_U, SELCMP, 0)                   \
  X(SELECT_I32_LE_S, SELCMP, 0) X(SELECT_I32_LE_U, SELCMP, 0)                   \
  X(SELECT_I32_GE_S, SELCMP, 0) X(SELECT_I32_GE_U, SELCMP, 0)                   \
  X(SELECT_I32_EQ_K, SELCMPK, 0) X(SELECT_I32_NE_K, SELCMPK, 0)                 \
  X(SELECT_I32_LT_S_K, SELCMPK, 0) X(SELECT_I32_LT_U_K, SELCMPK, 0)             \
  X(SELECT_I32_GT_S_K, SELCMPK, 0) X(SELECT_I32_GT_U_K, SELCMPK, 0)             \
  X(SELECT_I32_LE_S_K, SELCMPK, 0) X(SELECT_I32_LE_U_K, SELCMPK, 0)             \
  X(SELECT_I32_GE_S_K, SELCMPK, 0) X(SELECT_I32_GE_U_K, SELCMPK, 0)             \
  X(I32_SIGMA_K, SPEC, 0)        /* d x r1 r2 r3 m3 : d = rotl(x,r1) ^         \
                                    rotl(x,r2) ^ (rotl(x,r3) & m3), i32 (SHA-2's \
                                    sigmas; m3 = 0: two terms) */              \
  X(I32_ANDN, SPEC, 0)           /* d a b : d = a & ~b, i32 (I32_XOR_K of -1, \
                                    then an and: SHA-2's choice) */            \
  X(I32_MAJ, SPEC, 0)            /* d x y z : d = ((x ^ y) & z) ^ (x & y),     \
                                    i32 (xor, and, and, xor: SHA-2's majority) */ \
  /* --- a float BINLD multiply, then the BINRMW add of its result into     \
         memory (`c[j] += a * b[j]`, an axpy): F64_MUL_LD d a b imm off, then \
         F64_ADD_RMW d c 0 off2. Two accesses with two trap locations: a trap \
         in the add reports the location recorded one cell into the head -- */ \
  X(F32_MUL_ADD_RMW, SPEC, 0)    /* d a b imm off c off2 */                     \
  X(F64_MUL_ADD_RMW, SPEC, 0)    /* d a b imm off c off2 */                     \
  /* --- the same after the i32 add just before it (an address tee'd into a \
         local: `c + j`), which runs first: 3 more cells, the first access's \
         trap location at the head, the second's 4 cells in -------------- */ \
  X(F32_ADD_MUL_ADD_RMW, SPEC, 0)  /* d1 a1 x1 d a b imm off c off2 :         \
                                      d1 = a1 + x1 (i32), then F32_MUL_ADD_RMW */\
  X(F64_ADD_MUL_ADD_RMW, SPEC, 0)  /* d1 a1 x1 d a b imm off c off2 */          \
  X(F32_ADDK_MUL_ADD_RMW, SPEC, 0) /* d1 a1 imm1 d a b imm off c off2 :       \
                                      d1 = a1 + imm1 (i32), then F32_... */     \
  X(F64_ADDK_MUL_ADD_RMW, SPEC, 0) /* d1 a1 imm1 d a b imm off c off2 */        \
  /* --- an i32 multiply whose product the next i32.add takes (`s += a * b`, \
         `i * n + j`): the multiply's cells, its result slot now the add's, \
         then the addend c. I32_MUL_LD_ADD traps where the load would ---- */ \
  X(I32_MUL_ADD, SPEC, 0)        /* d a b c : d = a * b + c */                  \
  X(I32_MUL_K_ADD, SPEC, 0)      /* d a imm c : d = a * imm + c */              \
  X(I32_MUL_LD_ADD, SPEC, 0)     /* d a b imm off c : d = a * v + c, v as by    \
                                    I32_MUL_LD d a b imm off */                \
  X(I32_ADD_K_AND_K, SPEC, 0)    /* d a imm mask : d = (a + imm) & mask (a     \
                                    character class `(c - '0') & 255 < 10`,    \
                                    a ring buffer's `(i + 1) & (n - 1)`) */    \
  X(I32_MUL_K_ADD_K, SPEC, 0)    /* d a imm k : d = a * imm + k (an LCG step,  \
                                    `i * 12 + 1056`) */                        \
  /* --- an i32 division or remainder by a constant k, |k| >= 2 (clang      \
         leaves `n / 10`, `(end - begin) / sizeof (T)` to the engine): the    \
         quotient is the high 64 bits of m * a, m = ceil(2^64 / |k|), exact    \
         for every 32-bit a. Never traps. -------------------------------- */ \
  X(I32_DIV_S_K, SPEC, 0)        /* d a lo hi k : d = a / k, on magnitudes,    \
                                    then the sign */                           \
  X(I32_DIV_U_K, SPEC, 0)        /* d a lo hi k : d = a / k */                 \
  X(I32_REM_S_K, SPEC, 0)        /* d a lo hi k : d = a % k (a's sign) */      \
  X(I32_REM_U_K, SPEC, 0)        /* d a lo hi k : d = a % k */                 \
  /* --- bit-serial CRCs and hashes: a shift whose result an xor with a      \
         constant takes (kept too: a local.tee's local), and a select on a   \
         bit of an xor, shifted or not (`(crc ^ (v >> k)) & 1`) --------- */ \
  X(I32_SHR_U_XOR_K, SPEC, 0)    /* d1 d a sh k : d1 = a.u32 >> (sh & 31);     \
                                    d = d1 ^ k */                              \
  X(SELECT_XOR_AND_K, SPEC, 0)   /* d a b x y sh mask : d = (x.i32 ^          \
                                    (y.u32 >> (sh & 31))) & mask ? a : b */    \
  X(I32_SHR_U_XOR_K_SELECT, SPEC, 0) /* d1 d a sh k, then d' a' b' x y sh'    \
                                    mask : I32_SHR_U_XOR_K, then             \
                                    SELECT_XOR_AND_K (one bit of a CRC) */    \
  X(I32_SHR_U_AND_K_XOR_K, SPEC, 0) /* d1 d a sh mask k : d1 = (a.u32 >>     \
                                    (sh & 31)) & mask; d = d1 ^ k (a 16-bit \
                                    CRC's `(crc >> 1) & 0x7fff`) */           \
  X(I32_SHR_U_AND_K_XOR_K_SELECT, SPEC, 0) /* d1 d a sh mask k, then d' a' b' \
                                    x y sh' mask' : I32_SHR_U_AND_K_XOR_K,   \
                                    then SELECT_XOR_AND_K */                  \
  X(I32_SHR_U_XOR_K_SELECT2, SPEC, 0) /* I32_SHR_U_XOR_K_SELECT's cells, then \
                                    the same op on the next bit (sh' + 1),   \
                                    the crc the select's d' and a, a' d, b'  \
                                    d1 (compile_acc.c): two steps, the crc  \
                                    in a register between them */            \
  X(I32_SHR_U_AND_K_XOR_K_SELECT2, SPEC, 0) /* the same of                  \
                                    I32_SHR_U_AND_K_XOR_K_SELECT */          \
  /* --- a br_table on i + k (a C switch whose first case is not 0) ------ */  \
  X(BR_TABLE_K, SPEC, 0)         /* a imm n off_0 .. off_n : BR_TABLE on       \
                                    (uint32)(a + imm) */                       \
  /* --- two MOVE2 in a row (a register rotation: SHA-2's eight working   \
         variables) ------------------------------------------------------ */ \
  /* --- an i32 add of a literal, then a call of a defined function (an     \
         argument computed last: `f(n - 1)`, `f(p + 8)`); I32_ADD_K's cells, \
         then CALL's (cache aligned as from the CALL's own head, 3 cells in); \
         the call's trap location is 3 cells in ---------------------------- */\
  X(I32_ADD_K_CALL, SPEC, 0)     /* d a imm fidx base cache x3 : d = a + imm;  \
                                    CALL fidx base */                          \
  /* --- an i32 add, I32_ADD_K `d a imm` or I32_ADD `d a b`, then CMPBR `x  \
         y off` (a loop's step and its test against a bound in a slot:      \
         `i += k; if (i < n)`), in the order of BR_I32_EQ..BR_I32_GE_U; x   \
         and y are read after d is written (`d a imm x y off`, `d a b x y   \
         off`) ----------------------------------------------------------- */\
  X(I32_ADD_K_BR_EQ, SPEC, 0) X(I32_ADD_K_BR_NE, SPEC, 0)                       \
  X(I32_ADD_K_BR_LT_S, SPEC, 0) X(I32_ADD_K_BR_LT_U, SPEC, 0)                   \
  X(I32_ADD_K_BR_GT_S, SPEC, 0) X(I32_ADD_K_BR_GT_U, SPEC, 0)                   \
  X(I32_ADD_K_BR_LE_S, SPEC, 0) X(I32_ADD_K_BR_LE_U, SPEC, 0)                   \
  X(I32_ADD_K_BR_GE_S, SPEC, 0) X(I32_ADD_K_BR_GE_U, SPEC, 0)                   \
  X(I32_ADD_BR_EQ, SPEC, 0) X(I32_ADD_BR_NE, SPEC, 0)                           \
  X(I32_ADD_BR_LT_S, SPEC, 0) X(I32_ADD_BR_LT_U, SPEC, 0)                       \
  X(I32_ADD_BR_GT_S, SPEC, 0) X(I32_ADD_BR_GT_U, SPEC, 0)                       \
  X(I32_ADD_BR_LE_S, SPEC, 0) X(I32_ADD_BR_LE_U, SPEC, 0)                       \
  X(I32_ADD_BR_GE_S, SPEC, 0) X(I32_ADD_BR_GE_U, SPEC, 0)                       \
  X(MOVE4, SPEC, 0)              /* d1 a1 d2 a2 d3 a3 d4 a4 : four moves, in   \
                                    order */                                   \
  /* --- two i32 loads of one kind in a row, LOAD `d1 a1 imm1` and LOAD     \
         `d2 a2 imm2` (both factors of a product, two fields), made in the  \
         last pass when the second is no branch target: `d1 a1 imm1 h h d2 \
         a2 imm2`, the second head unread; the second's trap location is 5 \
         cells in, and d2 is what the accumulator holds ------------------ */ \
  X(I32_LOAD_2, SPEC, 0) X(I32_LOAD8_S_2, SPEC, 0) X(I32_LOAD8_U_2, SPEC, 0)  \
  X(I32_LOAD16_S_2, SPEC, 0) X(I32_LOAD16_U_2, SPEC, 0)                       \
  /* --- a string walk's step: I32_ADD_K `d a imm`, I32_LOAD8_U_BR_IF_NOT   \
         `x a off2 off` and MOVE `a d` (`for (; *p; p++)`: the next pointer \
         made, the byte at the current one loaded and tested, the next     \
         pointer kept), made in the last pass (compile_acc.c) when none of  \
         d, a, x is another; the second and third heads stay, unread; off  \
         is from this head -------------------------------------------------- */ \
  X(I32_ADD_K_LOAD8_U_BR_IF_NOT_MOVE, SPEC, 0) /* d a imm h h x a off2 off h \
                                    h a d : d = a + imm; x = mem8[a + off2];  \
                                    jump if x == 0; else a = d */             \
  /* --- the threads proposal (0xFE): sequentially consistent accesses at an  \
         address that must be a multiple of their size (else the trap       \
         "unaligned atomic"); ALOAD `d a off`, ASTORE `a b off`, ARMW       \
         `d a b off` (d = the old value; mem = old op b), ACMPX `d a b c     \
         off` (d = old; mem = c if old == b, b wrapped to the access size) */ \
  X(MEMORY_ATOMIC_NOTIFY, SPEC, 0xFE00) /* d a b off : wake b.u32 waiters at  \
                                          a + off; d = how many */          \
  X(MEMORY_ATOMIC_WAIT32, SPEC, 0xFE01) /* d a b c off : wait at a + off while \
                                          it holds b, c ns (< 0: forever); \
                                          d = 0 woken, 1 not equal, 2 timed \
                                          out; an unshared memory traps */  \
  X(MEMORY_ATOMIC_WAIT64, SPEC, 0xFE02) /* d a b c off : the same, i64 */     \
  X(ATOMIC_FENCE, SPEC, 0xFE03)        /* -- : a sequentially consistent fence */ \
  X(I32_ATOMIC_LOAD, ALOAD, 0xFE10) X(I64_ATOMIC_LOAD, ALOAD, 0xFE11)           \
  X(I32_ATOMIC_LOAD8_U, ALOAD, 0xFE12) X(I32_ATOMIC_LOAD16_U, ALOAD, 0xFE13)    \
  X(I64_ATOMIC_LOAD8_U, ALOAD, 0xFE14) X(I64_ATOMIC_LOAD16_U, ALOAD, 0xFE15)    \
  X(I64_ATOMIC_LOAD32_U, ALOAD, 0xFE16) X(I32_ATOMIC_STORE, ASTORE, 0xFE17)     \
  X(I64_ATOMIC_STORE, ASTORE, 0xFE18) X(I32_ATOMIC_STORE8, ASTORE, 0xFE19)      \
  X(I32_ATOMIC_STORE16, ASTORE, 0xFE1A) X(I64_ATOMIC_STORE8, ASTORE, 0xFE1B)    \
  X(I64_ATOMIC_STORE16, ASTORE, 0xFE1C) X(I64_ATOMIC_STORE32, ASTORE, 0xFE1D)   \
  X(I32_ATOMIC_RMW_ADD, ARMW, 0xFE1E) X(I64_ATOMIC_RMW_ADD, ARMW, 0xFE1F)       \
  X(I32_ATOMIC_RMW8_ADD_U, ARMW, 0xFE20)                                        \
  X(I32_ATOMIC_RMW16_ADD_U, ARMW, 0xFE21)                                       \
  X(I64_ATOMIC_RMW8_ADD_U, ARMW, 0xFE22)                                        \
  X(I64_ATOMIC_RMW16_ADD_U, ARMW, 0xFE23)                                       \
  X(I64_ATOMIC_RMW32_ADD_U, ARMW, 0xFE24) X(I32_ATOMIC_RMW_SUB, ARMW, 0xFE25)   \
  X(I64_ATOMIC_RMW_SUB, ARMW, 0xFE26) X(I32_ATOMIC_RMW8_SUB_U, ARMW, 0xFE27)    \
  X(I32_ATOMIC_RMW16_SUB_U, ARMW, 0xFE28)                                       \
  X(I64_ATOMIC_RMW8_SUB_U, ARMW, 0xFE29)                                        \
  X(I64_ATOMIC_RMW16_SUB_U, ARMW, 0xFE2A)                                       \
  X(I64_ATOMIC_RMW32_SUB_U, ARMW, 0xFE2B) X(I32_ATOMIC_RMW_AND, ARMW, 0xFE2C)   \
  X(I64_ATOMIC_RMW_AND, ARMW, 0xFE2D) X(I32_ATOMIC_RMW8_AND_U, ARMW, 0xFE2E)    \
  X(I32_ATOMIC_RMW16_AND_U, ARMW, 0xFE2F)                                       \
  X(I64_ATOMIC_RMW8_AND_U, ARMW, 0xFE30)                                        \
  X(I64_ATOMIC_RMW16_AND_U, ARMW, 0xFE31)                                       \
  X(I64_ATOMIC_RMW32_AND_U, ARMW, 0xFE32) X(I32_ATOMIC_RMW_OR, ARMW, 0xFE33)    \
  X(I64_ATOMIC_RMW_OR, ARMW, 0xFE34) X(I32_ATOMIC_RMW8_OR_U, ARMW, 0xFE35)      \
  X(I32_ATOMIC_RMW16_OR_U, ARMW, 0xFE36)                                        \
  X(I64_ATOMIC_RMW8_OR_U, ARMW, 0xFE37)                                         \
  X(I64_ATOMIC_RMW16_OR_U, ARMW, 0xFE38)                                        \
  X(I64_ATOMIC_RMW32_OR_U, ARMW, 0xFE39) X(I32_ATOMIC_RMW_XOR, ARMW, 0xFE3A)    \
  X(I64_ATOMIC_RMW_XOR, ARMW, 0xFE3B) X(I32_ATOMIC_RMW8_XOR_U, ARMW, 0xFE3C)    \
  X(I32_ATOMIC_RMW16_XOR_U, ARMW, 0xFE3D)                                       \
  X(I64_ATOMIC_RMW8_XOR_U, ARMW, 0xFE3E)                                        \
  X(I64_ATOMIC_RMW16_XOR_U, ARMW, 0xFE3F)                                       \
  X(I64_ATOMIC_RMW32_XOR_U, ARMW, 0xFE40)                                       \
  X(I32_ATOMIC_RMW_XCHG, ARMW, 0xFE41) X(I64_ATOMIC_RMW_XCHG, ARMW, 0xFE42)     \
  X(I32_ATOMIC_RMW8_XCHG_U, ARMW, 0xFE43)                                       \
  X(I32_ATOMIC_RMW16_XCHG_U, ARMW, 0xFE44)                                      \
  X(I64_ATOMIC_RMW8_XCHG_U, ARMW, 0xFE45)                                       \
  X(I64_ATOMIC_RMW16_XCHG_U, ARMW, 0xFE46)                                      \
  X(I64_ATOMIC_RMW32_XCHG_U, ARMW, 0xFE47)                                      \
  X(I32_ATOMIC_RMW_CMPXCHG, ACMPX, 0xFE48)                                      \
  X(I64_ATOMIC_RMW_CMPXCHG, ACMPX, 0xFE49)                                      \
  X(I32_ATOMIC_RMW8_CMPXCHG_U, ACMPX, 0xFE4A)                                   \
  X(I32_ATOMIC_RMW16_CMPXCHG_U, ACMPX, 0xFE4B)                                  \
  X(I64_ATOMIC_RMW8_CMPXCHG_U, ACMPX, 0xFE4C)                                   \
  X(I64_ATOMIC_RMW16_CMPXCHG_U, ACMPX, 0xFE4D)                                  \
  X(I64_ATOMIC_RMW32_CMPXCHG_U, ACMPX, 0xFE4E)                                  \
  /* --- metering (only in code loaded with WM_MODULE_METERED) ---------- */   \
  X(FUEL, SPEC, 0)             /* cost : charge a basic block's cost (its      \
                                  wasm instructions), then poll: trap when the \
                                  fuel is short, an interrupt was asked for or \
                                  the deadline passed (meter.c) */ \
  /* --- SIMD (ops_simd.h) ---------------------------------------------- */   \
  WM_SIMD_OPS(X)                                                                \
  /* --- exceptions (WebAssembly 3.0; try_table has no instruction: its     \
  ** catch clauses are the code's handler table, see wm_handler) --------- */ \
  X(THROW, SPEC, 0)            /* tag base : throw a new exception of tag,     \
                                  its payload in the slots from base */        \
  X(THROW_REF, SPEC, 0)        /* a : throw the exception a.ref again;        \
                                  trap "null exception reference" if null */   \
  /* --- 64-bit addresses (memory64, table64: WebAssembly 3.0) ----------- */   \
  X(ADDR64, SPEC, 0)           /* d a lo hi : the effective address a.u64 +    \
                                  offset (lo hi) of an access to a 64-bit      \
                                  memory, into d as an i32 for the plain       \
                                  access after it (its own offset 0); trap     \
                                  "out of bounds memory access" when the sum   \
                                  overflows or reaches 2^32 (our memories hold \
                                  at most 2^32 bytes) */                       \
  X(INDEX64, SPEC, 0)          /* d a : d.u32 = min(a.u64, 2^32-1): a table64  \
                                  index or count for the 32-bit table          \
                                  instructions (no table has 2^32-1 elements,  \
                                  so a saturated value is out of bounds) */    \
  X(MEMORY_GROW64, SPEC, 0)    /* d a : d.i64 = memory.grow(a.u64), -1 when   \
                                  it fails */                                  \
  X(MEMORY_FILL64, SPEC, 0)    /* a b c : memory.fill at a.u64, byte b, c.u64  \
                                  bytes */                                     \
  X(MEMORY_INIT64, SPEC, 0)    /* seg a b c : memory.init to a.u64 from b.u32, \
                                  c.u32 bytes */                               \
  X(MEMORY_COPY64, SPEC, 0)    /* a b c dm sm w : memory.copy of c bytes from  \
                                  memory sm at b to memory dm at a; bits 0, 1, \
                                  2 of w: a, b, c is an i64 (else an i32) */   \
  X(TABLE_GROW64, SPEC, 0)     /* d x a b : d.i64 = table.grow(x, init a,      \
                                  b.u64), -1 when it fails */                  \
  /* --- typed function references (WebAssembly 3.0) --------------------- */ \
  X(CALL_REF, SPEC, 0)         /* a base : call the function a.ref (trap     \
                                  "null function reference" when null) */     \
  X(RETURN_CALL_REF, SPEC, 0)  /* a base n : tail call of a.ref, as          \
                                  RETURN_CALL */                               \
  X(REF_AS_NON_NULL, SPEC, 0)  /* a : trap "null reference" when a.ref is    \
                                  null (the slot then holds the result) */     \
  X(BR_ON_NULL, SPEC, 0)       /* a off : jump if a.ref is null */            \
  X(BR_ON_NON_NULL, SPEC, 0)   /* a off : jump if a.ref is not null */      \
  /* --- garbage collection (WebAssembly 3.0; gc.h: st is a storage code  \
  ** WM_GS_*, offst a field's offset << 8 | its storage code, refs 1 when \
  ** the object may hold references) ------------------------------------ */ \
  X(REF_EQ, SPEC, 0)           /* d a b : d.i32 = a.ref == b.ref */            \
  X(REF_I31, SPEC, 0)          /* d a : d.ref = the i31 of a.i32 */            \
  X(I31_GET_S, SPEC, 0)        /* d a : d.i32 = a's i31 sign-extended (trap  \
                                  "null i31 reference") */                     \
  X(I31_GET_U, SPEC, 0)        /* d a : the same, zero-extended */             \
  X(REF_TEST, SPEC, 0)         /* d a t : d.i32 = a.ref matches type t */     \
  X(REF_CAST, SPEC, 0)         /* a t : trap "cast failure" unless a.ref      \
                                  matches t (the slot then holds the result) */ \
  X(BR_ON_CAST, SPEC, 0)       /* a t off : jump if a.ref matches t */         \
  X(BR_ON_CAST_FAIL, SPEC, 0)  /* a t off : jump unless a.ref matches t */     \
  X(ANY_CONVERT_EXTERN, SPEC, 0) /* d a : any.convert_extern */                \
  X(EXTERN_CONVERT_ANY, SPEC, 0) /* d a : extern.convert_any */                \
  X(STRUCT_NEW, SPEC, 0)       /* d x size refs n (a offst)*n : a new struct  \
                                  of type x, field i from slot a_i */          \
  X(STRUCT_NEW_DEFAULT, SPEC, 0) /* d x size refs : a new zeroed struct */      \
  X(STRUCT_GET, SPEC, 0)       /* d a offst : d = a's field (trap "null      \
                                  structure reference") */                     \
  X(STRUCT_SET, SPEC, 0)       /* a b offst : a's field = b */                 \
  X(ARRAY_NEW, SPEC, 0)        /* d x a b st : b.u32 elements, each a */      \
  X(ARRAY_NEW_DEFAULT, SPEC, 0) /* d x b st : b.u32 zeroed elements */          \
  X(ARRAY_NEW_FIXED, SPEC, 0)  /* d x st n a*n : n elements from slots */     \
  X(ARRAY_NEW_DATA, SPEC, 0)   /* d x seg a b st : b.u32 elements from data  \
                                  segment seg at byte a.u32 */                 \
  X(ARRAY_NEW_ELEM, SPEC, 0)   /* d x seg a b st : from element segment seg */ \
  X(ARRAY_GET, SPEC, 0)        /* d a b st : d = a[b] (traps "null array      \
                                  reference", "out of bounds array access") */ \
  X(ARRAY_SET, SPEC, 0)        /* a b c st : a[b] = c */                       \
  X(ARRAY_LEN, SPEC, 0)        /* d a : d.i32 = a's length */                  \
  X(ARRAY_FILL, SPEC, 0)       /* a b c e st : a[b..b+e) = c */                \
  X(ARRAY_COPY, SPEC, 0)       /* a b c e f st : a[b..b+f) = c[e..e+f) */      \
  X(ARRAY_INIT_DATA, SPEC, 0)  /* seg a b c e st : a[b..b+e) = data seg at c */ \
  X(ARRAY_INIT_ELEM, SPEC, 0)  /* seg a b c e st : from element segment seg */ \
  /* --- accumulator forms (WM_ACC_OPS) --------------------------------- */ \
  WM_ACC_OPS(WM_ACC_OP_, X)

/* The classes of the CLASS column, as C_<class> (the compiler and the
** disassembler index them by op). */
enum {
  C_SPEC, C_UN, C_BIN, C_LOAD, C_STORE, C_CMPBR, C_BINK, C_CMPBRK, C_LOADK, C_STOREK, C_BINLD,
  C_LOADX, C_STOREX, C_BINRMW, C_ADDBR, C_BINSH, C_SELCMP, C_SELCMPK, C_ALOAD, C_ASTORE, C_ARMW, C_ACMPX, C_VUN, C_VBIN, C_VTERN, C_VSHIFT, C_VTEST, C_VSPLAT,
  C_VEXTRACT, C_VREPLACE, C_VLOAD, C_VSTORE, C_VLOADLANE, C_VSTORELANE, C_VSHUF
};

typedef enum wm_op {
#define WM_OP_ENUM_(name, cls, wasm) WM_OP_##name,
  WM_OPS(WM_OP_ENUM_)
#undef WM_OP_ENUM_
  WM_OP_COUNT_
} wm_op;

/* The accumulator forms come last, WM_ACC_COUNT_ of them. */
#define WM_ACC_ONE_(X, base, cls, k) +1
enum { WM_ACC_COUNT_ = 0 WM_ACC_OPS(WM_ACC_ONE_, _) };
#undef WM_ACC_ONE_
#define WM_OP_ACC_FIRST_ ((wm_op)(WM_OP_COUNT_ - WM_ACC_COUNT_))

/* compile_acc.c: the op an accumulator form is a form of (op itself for
** any other op), and which operand it reads from the register. */
wm_op wm__acc_base(wm_op op);
/* compile_acc.c: turn the plain loop's instructions into their accumulator
** forms where the one before them has just written the operand (code is a
** finished body for loop). Allocates nothing it keeps; 0 or WM_ENOMEM. */
struct wm_code;
int wm__acc_forms(struct wm_code *code, unsigned loop);
/* compile_acc.c: NULL if every accumulator form in code (a cache file's,
** its heads op numbers, its shape already checked) is right after a
** producer of its operand and not where control can arrive otherwise: a
** bit of lead (code_check.c's block leaders: every branch target, and
** every cell after an instruction that does not go on to the next);
** starts marks the instructions. Else what is wrong. */
const char *wm__acc_verify(const struct wm_code *code, const uint64_t *starts,
                           const uint64_t *lead);

/* Cells in the instruction head. */
#define WM_HEAD_CELLS 2
/* CALL's cache of its callee's code: a pointer in the three cells after
** `fidx base`, at the one 8-aligned pair among them (cells are 4-aligned),
** so that it is read and written whole, never torn. */
#define WM_CALL_CACHE_CELLS 3
#define WM_CALL_CELLS (WM_HEAD_CELLS + 2 + WM_CALL_CACHE_CELLS)

/* interp.c: the 8-byte head value for op (handler address or opcode) in
** the given compilation of the loop (WM_LOOP_*, module.h). */
uint64_t wm__op_head(wm_op op, unsigned loop);
/* interp.c: the same for a whole body, without a call per instruction: op's
** head is base + (*offs)[op] (the returned base), or op itself where
** *offs is NULL (the switch build). */
const char *wm__op_heads(unsigned loop, const int32_t **offs);
/* interp.c: the op a head value stands for (for the disassembler). */
wm_op wm__op_from_head(uint64_t head);
/* The op's name, e.g. "I32_ADD". */
const char *wm__op_name(wm_op op);
/* disasm.c: the operand cells after op's head, one letter each: s a slot,
** b a call's base slot (the callee's frame starts there: it may be the
** slot just past the caller's frame, for a call with no arguments), i an
** immediate, o a branch offset, q a 64-bit immediate (two cells), c a
** cell of CALL's run-time cache. STRUCT_NEW is followed by n (slot,
** offset) pairs and ARRAY_NEW_FIXED by n slots, n its last cell. NULL for
** BR_TABLE and BR_TABLE_K, whose length is in their cells (`a n off*(n+1)`,
** `a imm n off*(n+1)`). */
const char *wm__op_layout(wm_op op);

#endif
