/* SPDX-License-Identifier: MIT */
/*
** test_interp.c -- tests of the interpreter (interp.c, numeric.h) on
** hand-assembled code run in a hand-made runtime, and end to end through the
** public API on modules made by wat2wasm when it is available.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"
#include "ops.h"

#include "check.h"

/* ------------------------------------------------------------ assembler */

typedef struct asmbuf {
  uint32_t c[256];
  uint32_t n;
} asmbuf;

static uint32_t op(asmbuf *a, wm_op o) {
  uint64_t h = wm__op_head(o, false);
  uint32_t at = a->n;
  a->c[a->n++] = (uint32_t)h;
  a->c[a->n++] = (uint32_t)(h >> 32);
  return at;
}

static void u(asmbuf *a, uint32_t v) { a->c[a->n++] = v; }

/* CALL fidx base, with its empty cache of the callee's code. */
static void call(asmbuf *a, uint32_t fidx, uint32_t base) {
  op(a, WM_OP_CALL);
  u(a, fidx);
  u(a, base);
  for (int i = 0; i < WM_CALL_CACHE_CELLS; i++) u(a, 0);
}

/* ------------------------------------------------------------ fake world */

#define STACK_SLOTS 4096
#define MAX_FRAMES 200

static wm_runtime rt;
static wm_module mod;
static wm_instance inst;
static wm_memory mem;
static wm_memory *mems[1];
static wm_func *funcs[8];
static wm_table table;
static wm_table *tables[1];
static uint32_t type_ids[2] = {0, 1};
static char *func_names[8];

/* One function: its code, its wm_code and its wm_func. */
typedef struct tfunc {
  asmbuf a;
  uint64_t consts[8];
  wm_code code;
  wm_func f;
} tfunc;

static wm_valtype any_params[4] = {WM_I64, WM_I64, WM_I64, WM_I64};
static wm_valtype i32x4[4] = {WM_I32, WM_I32, WM_I32, WM_I32};
static wm_type type_any = {2, 1, any_params, any_params, WM_COMP_FUNC};
static wm_type type_i32_i32 = {2, 1, i32x4, i32x4, WM_COMP_FUNC}; /* (i32 i32) -> i32 */
static wm_type type_i32 = {1, 1, i32x4, i32x4, WM_COMP_FUNC};     /* (i32) -> i32, same id */
/* The runtime's interned types: ids 0 and 1 (call_indirect's slow path
** reads them). */
static wm_typeinfo rt_types[2];

static void setup(void) {
  static wm_slot stack[STACK_SLOTS];
  static wm_frame frames[MAX_FRAMES];
  static uint8_t *membytes;
  memset(&rt, 0, sizeof rt);
  rt_types[0] = (wm_typeinfo){type_any, false, {0, 0, 0, 1, true}};
  rt_types[1] = (wm_typeinfo){type_i32_i32, false, {0, 1, 0, 1, true}};
  rt.types = rt_types;
  rt.ntypes = 2;
  rt.stack = rt.stack_top = stack;
  rt.stack_end = stack + STACK_SLOTS;
  rt.frames = frames;
  rt.max_frames = MAX_FRAMES;
  if (!membytes) membytes = calloc(1, 65536);
  mem.base = membytes;
  mem.size = 65536;
  mems[0] = &mem;
  memset(&mod, 0, sizeof mod);
  mod.nmems = 1;
  mod.nfuncs = 8;
  mod.func_names = func_names;
  memset(&inst, 0, sizeof inst);
  inst.rt = &rt;
  inst.mod = &mod;
  inst.funcs = funcs;
  inst.mems = mems;
  inst.tables = tables;
  inst.type_ids = type_ids;
  tables[0] = &table;
}

/* Make tf a function at index idx with the given frame shape. */
static wm_func *finish(tfunc *tf, uint32_t idx, const wm_type *type, uint32_t nparams,
                       uint32_t nlocals, uint32_t nconsts, uint32_t frame_slots) {
  memset(&tf->code, 0, sizeof tf->code);
  tf->code.code = tf->a.c;
  tf->code.ncode = tf->a.n;
  tf->code.nparam_slots = nparams;
  tf->code.nlocal_slots = nlocals;
  tf->code.nresult_slots = type->nresults;
  tf->code.nconsts = nconsts;
  tf->code.consts = tf->consts;
  tf->code.frame_slots = frame_slots;
  tf->code.func_idx = idx;
  memset(&tf->f, 0, sizeof tf->f);
  tf->f.type = type;
  tf->f.type_id = type == &type_any ? 0 : 1;
  tf->f.inst = &inst;
  tf->f.rt = &rt;
  tf->f.code = &tf->code;
  tf->f.idx = idx;
  funcs[idx] = &tf->f;
  return &tf->f;
}

/* ------------------------------------------------------------ numeric table */

typedef struct numcase {
  wm_op op;
  int unary;
  uint64_t a, b;
  uint64_t want;  /* compared on `width` bits */
  int trap;
  int width;
} numcase;

static uint64_t f32b(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t f64b(double f) { uint64_t u; memcpy(&u, &f, 8); return u; }

#define I32N(x) ((uint64_t)(uint32_t)(int32_t)(x))
#define NAN32 0x7FC00000u
#define NAN64 UINT64_C(0x7FF8000000000000)
#define HI UINT64_C(0xDEADBEEF00000000) /* garbage for an i32's upper half */


static void test_numeric(void) {
  /* Not static: the bit patterns come from function calls. */
  const numcase numcases[] = {
      /* integer division */
      {WM_OP_I32_DIV_S, 0, I32N(7), I32N(-2), I32N(-3), 0, 32},
      {WM_OP_I32_DIV_S, 0, I32N(INT32_MIN), I32N(-1), 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_DIV_S, 0, 1, 0, 0, WM_TRAP_DIV_ZERO, 32},
      {WM_OP_I32_DIV_U, 0, 0xFFFFFFFF, 2, 0x7FFFFFFF, 0, 32},
      {WM_OP_I32_DIV_U, 0, 1, HI, 0, WM_TRAP_DIV_ZERO, 32},
      {WM_OP_I32_REM_S, 0, I32N(INT32_MIN), I32N(-1), 0, 0, 32},
      {WM_OP_I32_REM_S, 0, I32N(-7), 2, I32N(-1), 0, 32},
      {WM_OP_I32_REM_S, 0, 1, 0, 0, WM_TRAP_DIV_ZERO, 32},
      {WM_OP_I32_REM_U, 0, 0xFFFFFFFF, 10, 5, 0, 32},
      {WM_OP_I64_DIV_S, 0, (uint64_t)INT64_MIN, (uint64_t)-1, 0, WM_TRAP_INT_OVERFLOW, 64},
      {WM_OP_I64_DIV_S, 0, (uint64_t)-7, 2, (uint64_t)-3, 0, 64},
      {WM_OP_I64_DIV_U, 0, 5, 0, 0, WM_TRAP_DIV_ZERO, 64},
      {WM_OP_I64_REM_S, 0, (uint64_t)INT64_MIN, (uint64_t)-1, 0, 0, 64},
      {WM_OP_I64_REM_U, 0, UINT64_MAX, 10, 5, 0, 64},
      {WM_OP_I64_REM_S, 0, 1, 0, 0, WM_TRAP_DIV_ZERO, 64},
      /* shifts and rotates take the count modulo the width */
      {WM_OP_I32_SHL, 0, 1, 33, 2, 0, 32},
      {WM_OP_I32_SHR_S, 0, 0x80000000, 31, 0xFFFFFFFF, 0, 32},
      {WM_OP_I32_SHR_S, 0, 0x80000000, 32, 0x80000000, 0, 32},
      {WM_OP_I32_SHR_U, 0, 0x80000000, 63, 1, 0, 32},
      {WM_OP_I32_ROTL, 0, 0x80000001, 1, 3, 0, 32},
      {WM_OP_I32_ROTL, 0, 0x12345678, 32, 0x12345678, 0, 32},
      {WM_OP_I32_ROTR, 0, 1, 1, 0x80000000, 0, 32},
      {WM_OP_I32_ROTR, 0, 0xABCD1234, 0xFFFFFFE4, 0x4ABCD123, 0, 32}, /* by 4 */
      {WM_OP_I64_SHL, 0, 1, 64, 1, 0, 64},
      {WM_OP_I64_SHR_S, 0, UINT64_C(0x8000000000000000), 63, UINT64_MAX, 0, 64},
      {WM_OP_I64_SHR_U, 0, UINT64_C(0x8000000000000000), 127, 1, 0, 64},
      {WM_OP_I64_ROTL, 0, UINT64_C(0x8000000000000001), 65, 3, 0, 64},
      {WM_OP_I64_ROTR, 0, 1, 0, 1, 0, 64},
      {WM_OP_I64_ROTR, 0, 1, 1, UINT64_C(0x8000000000000000), 0, 64},
      /* bit counts */
      {WM_OP_I32_CLZ, 1, HI, 0, 32, 0, 32},
      {WM_OP_I32_CLZ, 1, 1, 0, 31, 0, 32},
      {WM_OP_I32_CTZ, 1, HI, 0, 32, 0, 32},
      {WM_OP_I32_CTZ, 1, 0x80000000, 0, 31, 0, 32},
      {WM_OP_I32_POPCNT, 1, HI | 0xFFFFFFFF, 0, 32, 0, 32},
      {WM_OP_I64_CLZ, 1, 0, 0, 64, 0, 64},
      {WM_OP_I64_CLZ, 1, 1, 0, 63, 0, 64},
      {WM_OP_I64_CTZ, 1, 0, 0, 64, 0, 64},
      {WM_OP_I64_POPCNT, 1, UINT64_MAX, 0, 64, 0, 64},
    {WM_OP_I64_POPCNT, 1, UINT64_C(0x8000000000000001), 0, 2, 0, 64},
    {WM_OP_I32_POPCNT, 1, HI | 0x12345678, 0, 13, 0, 32},
      {WM_OP_I32_EQZ, 1, HI, 0, 1, 0, 32},
      {WM_OP_I64_EQZ, 1, HI, 0, 0, 0, 32},
      /* integer arithmetic wraps; i32 ops ignore the upper half */
      {WM_OP_I32_ADD, 0, 0xFFFFFFFF | HI, 1, 0, 0, 32},
      {WM_OP_I32_MUL, 0, 0x10000, 0x10000, 0, 0, 32},
      {WM_OP_I32_LT_S, 0, I32N(-1), 0, 1, 0, 32},
      {WM_OP_I32_LT_U, 0, I32N(-1), 0, 0, 0, 32},
      {WM_OP_I64_SUB, 0, 0, 1, UINT64_MAX, 0, 64},
      {WM_OP_I64_GT_S, 0, 0, UINT64_MAX, 1, 0, 32},
      /* float min/max: -0 < +0, NaN wins */
      {WM_OP_F32_MIN, 0, 0x80000000, 0, 0x80000000, 0, 32},
      {WM_OP_F32_MIN, 0, 0, 0x80000000, 0x80000000, 0, 32},
      {WM_OP_F32_MAX, 0, 0x80000000, 0, 0, 0, 32},
      {WM_OP_F32_MAX, 0, 0, 0x80000000, 0, 0, 32},
      {WM_OP_F64_MIN, 0, UINT64_C(0x8000000000000000), 0, UINT64_C(0x8000000000000000), 0, 64},
      {WM_OP_F64_MAX, 0, UINT64_C(0x8000000000000000), 0, 0, 0, 64},
      {WM_OP_F32_MIN, 0, f32b(1.0f), f32b(2.0f), f32b(1.0f), 0, 32},
      {WM_OP_F64_MAX, 0, f64b(-1.0), f64b(-2.0), f64b(-1.0), 0, 64},
      /* float rounding */
      {WM_OP_F32_NEAREST, 1, f32b(2.5f), 0, f32b(2.0f), 0, 32},
      {WM_OP_F32_NEAREST, 1, f32b(3.5f), 0, f32b(4.0f), 0, 32},
      {WM_OP_F32_NEAREST, 1, f32b(-0.5f), 0, 0x80000000, 0, 32},
      {WM_OP_F64_NEAREST, 1, f64b(2.5), 0, f64b(2.0), 0, 64},
      {WM_OP_F64_NEAREST, 1, f64b(-2.5), 0, f64b(-2.0), 0, 64},
      {WM_OP_F64_NEAREST, 1, f64b(-0.4), 0, UINT64_C(0x8000000000000000), 0, 64},
      {WM_OP_F64_TRUNC, 1, f64b(-1.7), 0, f64b(-1.0), 0, 64},
      {WM_OP_F32_CEIL, 1, f32b(-0.5f), 0, 0x80000000, 0, 32},
      {WM_OP_F64_FLOOR, 1, f64b(-0.5), 0, f64b(-1.0), 0, 64},
      /* sign operations work on bits, NaN payloads survive */
      {WM_OP_F32_NEG, 1, 0x7FC00001, 0, 0xFFC00001, 0, 32},
      {WM_OP_F32_ABS, 1, 0xFF800001, 0, 0x7F800001, 0, 32},
      {WM_OP_F64_NEG, 1, UINT64_C(0x7FF0000000000001), 0, UINT64_C(0xFFF0000000000001), 0, 64},
      {WM_OP_F32_COPYSIGN, 0, 0x7FA00000, 0x80000000, 0xFFA00000, 0, 32},
      {WM_OP_F64_COPYSIGN, 0, f64b(1.5), f64b(-0.0), f64b(-1.5), 0, 64},
      /* trapping truncation at the exact boundaries */
      {WM_OP_I32_TRUNC_F32_S, 1, f32b(-2147483648.0f), 0, 0x80000000, 0, 32},
      {WM_OP_I32_TRUNC_F32_S, 1, f32b(2147483520.0f), 0, 2147483520u, 0, 32},
      {WM_OP_I32_TRUNC_F32_S, 1, f32b(2147483648.0f), 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_TRUNC_F32_S, 1, f32b(-2147483904.0f), 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_TRUNC_F32_S, 1, NAN32, 0, 0, WM_TRAP_INVALID_CONVERSION, 32},
      {WM_OP_I32_TRUNC_F32_S, 1, 0xFF800000, 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_TRUNC_F32_U, 1, f32b(-0.99f), 0, 0, 0, 32},
      {WM_OP_I32_TRUNC_F32_U, 1, f32b(-1.0f), 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_TRUNC_F32_U, 1, f32b(4294967040.0f), 0, 4294967040u, 0, 32},
      {WM_OP_I32_TRUNC_F32_U, 1, f32b(4294967296.0f), 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_TRUNC_F64_S, 1, f64b(-2147483648.9), 0, 0x80000000, 0, 32},
      {WM_OP_I32_TRUNC_F64_S, 1, f64b(-2147483649.0), 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_TRUNC_F64_S, 1, f64b(2147483647.9), 0, 0x7FFFFFFF, 0, 32},
      {WM_OP_I32_TRUNC_F64_S, 1, f64b(2147483648.0), 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_TRUNC_F64_S, 1, NAN64, 0, 0, WM_TRAP_INVALID_CONVERSION, 32},
      {WM_OP_I32_TRUNC_F64_U, 1, f64b(-0.9), 0, 0, 0, 32},
      {WM_OP_I32_TRUNC_F64_U, 1, f64b(-1.0), 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I32_TRUNC_F64_U, 1, f64b(4294967295.9), 0, 0xFFFFFFFF, 0, 32},
      {WM_OP_I32_TRUNC_F64_U, 1, f64b(4294967296.0), 0, 0, WM_TRAP_INT_OVERFLOW, 32},
      {WM_OP_I64_TRUNC_F32_S, 1, f32b(-9223372036854775808.0f), 0, UINT64_C(0x8000000000000000), 0, 64},
      {WM_OP_I64_TRUNC_F32_S, 1, f32b(9223371487098961920.0f), 0, UINT64_C(9223371487098961920), 0, 64},
      {WM_OP_I64_TRUNC_F32_S, 1, f32b(9223372036854775808.0f), 0, 0, WM_TRAP_INT_OVERFLOW, 64},
      {WM_OP_I64_TRUNC_F32_S, 1, f32b(-9223373136366403584.0f), 0, 0, WM_TRAP_INT_OVERFLOW, 64},
      {WM_OP_I64_TRUNC_F32_U, 1, f32b(18446742974197923840.0f), 0, UINT64_C(18446742974197923840), 0, 64},
      {WM_OP_I64_TRUNC_F32_U, 1, f32b(18446744073709551616.0f), 0, 0, WM_TRAP_INT_OVERFLOW, 64},
      {WM_OP_I64_TRUNC_F32_U, 1, f32b(-0.9f), 0, 0, 0, 64},
      {WM_OP_I64_TRUNC_F32_U, 1, NAN32, 0, 0, WM_TRAP_INVALID_CONVERSION, 64},
      {WM_OP_I64_TRUNC_F64_S, 1, f64b(9223372036854774784.0), 0, UINT64_C(9223372036854774784), 0, 64},
      {WM_OP_I64_TRUNC_F64_S, 1, f64b(9223372036854775808.0), 0, 0, WM_TRAP_INT_OVERFLOW, 64},
      {WM_OP_I64_TRUNC_F64_S, 1, f64b(-9223372036854775808.0), 0, UINT64_C(0x8000000000000000), 0, 64},
      {WM_OP_I64_TRUNC_F64_S, 1, f64b(-9223372036854777856.0), 0, 0, WM_TRAP_INT_OVERFLOW, 64},
      {WM_OP_I64_TRUNC_F64_U, 1, f64b(18446744073709549568.0), 0, UINT64_C(18446744073709549568), 0, 64},
      {WM_OP_I64_TRUNC_F64_U, 1, f64b(18446744073709551616.0), 0, 0, WM_TRAP_INT_OVERFLOW, 64},
      {WM_OP_I64_TRUNC_F64_U, 1, f64b(-1.0), 0, 0, WM_TRAP_INT_OVERFLOW, 64},
      {WM_OP_I64_TRUNC_F64_U, 1, NAN64, 0, 0, WM_TRAP_INVALID_CONVERSION, 64},
      /* saturating truncation */
      {WM_OP_I32_TRUNC_SAT_F32_S, 1, NAN32, 0, 0, 0, 32},
      {WM_OP_I32_TRUNC_SAT_F32_S, 1, 0xFF800000, 0, 0x80000000, 0, 32},
      {WM_OP_I32_TRUNC_SAT_F32_S, 1, f32b(2147483648.0f), 0, 0x7FFFFFFF, 0, 32},
      {WM_OP_I32_TRUNC_SAT_F32_U, 1, f32b(-5.0f), 0, 0, 0, 32},
      {WM_OP_I32_TRUNC_SAT_F32_U, 1, f32b(5e9f), 0, 0xFFFFFFFF, 0, 32},
      {WM_OP_I32_TRUNC_SAT_F64_S, 1, f64b(-2147483648.9), 0, 0x80000000, 0, 32},
      {WM_OP_I32_TRUNC_SAT_F64_S, 1, f64b(-3e9), 0, 0x80000000, 0, 32},
      {WM_OP_I32_TRUNC_SAT_F64_U, 1, f64b(4294967295.9), 0, 0xFFFFFFFF, 0, 32},
      {WM_OP_I64_TRUNC_SAT_F32_S, 1, f32b(1e19f), 0, UINT64_C(0x7FFFFFFFFFFFFFFF), 0, 64},
      {WM_OP_I64_TRUNC_SAT_F32_U, 1, f32b(-1e19f), 0, 0, 0, 64},
      {WM_OP_I64_TRUNC_SAT_F64_S, 1, NAN64, 0, 0, 0, 64},
      {WM_OP_I64_TRUNC_SAT_F64_S, 1, f64b(-1e19), 0, UINT64_C(0x8000000000000000), 0, 64},
      {WM_OP_I64_TRUNC_SAT_F64_U, 1, f64b(1e20), 0, UINT64_MAX, 0, 64},
      /* extensions read only the bits they extend */
      {WM_OP_I64_EXTEND_I32_S, 1, HI | 0xFFFFFFFF, 0, UINT64_MAX, 0, 64},
      {WM_OP_I64_EXTEND_I32_U, 1, HI | 0xFFFFFFFF, 0, 0xFFFFFFFF, 0, 64},
      {WM_OP_I64_EXTEND_I32_S, 1, HI | 0x7FFFFFFF, 0, 0x7FFFFFFF, 0, 64},
      {WM_OP_I32_EXTEND8_S, 1, HI | 0x180, 0, 0xFFFFFF80, 0, 32},
      {WM_OP_I32_EXTEND16_S, 1, 0x18000, 0, 0xFFFF8000, 0, 32},
      {WM_OP_I64_EXTEND8_S, 1, 0x7F, 0, 0x7F, 0, 64},
      {WM_OP_I64_EXTEND16_S, 1, 0xFFFF, 0, UINT64_MAX, 0, 64},
      {WM_OP_I64_EXTEND32_S, 1, UINT64_C(0x180000000), 0, UINT64_C(0xFFFFFFFF80000000), 0, 64},
      /* int -> float rounding (valgrind emulates these through a double and
      ** rounds twice: the first two fail under it, not natively) */
      {WM_OP_F32_CONVERT_I64_U, 1, UINT64_C(0x8000008000000001), 0, 0x5F000001, 0, 32},
      {WM_OP_F32_CONVERT_I64_U, 1, UINT64_MAX, 0, 0x5F800000, 0, 32},
      {WM_OP_F32_CONVERT_I64_S, 1, UINT64_C(9007199791611905), 0, f32b(9007200328482816.0f), 0, 32},
      {WM_OP_F64_CONVERT_I64_U, 1, UINT64_MAX, 0, f64b(18446744073709551616.0), 0, 64},
      {WM_OP_F64_CONVERT_I64_U, 1, UINT64_C(0x8000000000000401), 0, UINT64_C(0x43E0000000000001), 0, 64},
      {WM_OP_F32_CONVERT_I32_U, 1, HI | 0xFFFFFFFF, 0, f32b(4294967296.0f), 0, 32},
      {WM_OP_F64_CONVERT_I32_S, 1, HI | 0xFFFFFFFF, 0, f64b(-1.0), 0, 64},
      {WM_OP_F32_DEMOTE_F64, 1, f64b(1.0 + 0x1p-24), 0, f32b(1.0f), 0, 32},
      {WM_OP_F64_PROMOTE_F32, 1, f32b(1.5f), 0, f64b(1.5), 0, 64},
      /* comparisons with NaN */
      {WM_OP_F32_NE, 0, NAN32, NAN32, 1, 0, 32},
      {WM_OP_F64_EQ, 0, NAN64, NAN64, 0, 0, 32},
      {WM_OP_F64_LT, 0, f64b(-0.0), f64b(0.0), 0, 0, 32},
      {WM_OP_REF_IS_NULL, 1, 0, 0, 1, 0, 32},
  };
  tfunc *tf = calloc(1, sizeof *tf);
  for (size_t i = 0; i < sizeof numcases / sizeof numcases[0]; i++) {
    const numcase *c = &numcases[i];
    setup();
    tf->a.n = 0;
    op(&tf->a, c->op);
    u(&tf->a, 0);
    u(&tf->a, 0);
    if (!c->unary) u(&tf->a, 1);
    op(&tf->a, WM_OP_RETURN);
    wm_func *f = finish(tf, 0, &type_any, 2, 2, 0, 2);
    /* Alternate between arguments in place and arguments elsewhere. */
    wm_slot local[2], *args = (i & 1) ? local : rt.stack_top;
    args[0].u64 = c->a;
    args[1].u64 = c->b;
    wm_error err;
    int rc = wm__interp_call(&rt, f, args, &err);
    uint64_t mask = c->width == 32 ? 0xFFFFFFFF : UINT64_MAX;
    int ok = rc == c->trap && (rc || (args[0].u64 & mask) == c->want);
    if (rc && ok) ok = strncmp(err.message, wm_strerror(rc), strlen(wm_strerror(rc))) == 0;
    if (!ok)
      fprintf(stderr, "case %zu %s: rc %d (want %d) result %llx (want %llx)\n", i,
              wm__op_name(c->op), rc, c->trap, (unsigned long long)(args[0].u64 & mask),
              (unsigned long long)c->want);
    CHECK(ok);
    CHECK(rt.nframes == 0 && rt.stack_top == rt.stack);
  }
  free(tf);
}

/* NaN results only need to be NaNs. */
static void test_nan_results(void) {
  const struct { wm_op op; int unary; uint64_t a, b; int is64; } cases[] = {
      {WM_OP_F32_MIN, 0, NAN32, 0x3F800000, 0},
      {WM_OP_F32_MAX, 0, 0x3F800000, 0x7FA00000, 0},
      {WM_OP_F64_MIN, 0, f64b(1.0), NAN64, 1},
      {WM_OP_F64_MAX, 0, NAN64 | 5, f64b(1.0), 1},
      {WM_OP_F32_DEMOTE_F64, 1, NAN64, 0, 0},
      {WM_OP_F64_PROMOTE_F32, 1, NAN32, 0, 1},
      {WM_OP_F32_NEAREST, 1, NAN32, 0, 0},
      {WM_OP_F64_SQRT, 1, f64b(-1.0), 0, 1},
  };
  tfunc *tf = calloc(1, sizeof *tf);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    setup();
    tf->a.n = 0;
    op(&tf->a, cases[i].op);
    u(&tf->a, 0);
    u(&tf->a, 0);
    if (!cases[i].unary) u(&tf->a, 1);
    op(&tf->a, WM_OP_RETURN);
    wm_func *f = finish(tf, 0, &type_any, 2, 2, 0, 2);
    wm_slot args[2] = {{.u64 = cases[i].a}, {.u64 = cases[i].b}};
    int rc = wm__interp_call(&rt, f, args, NULL);
    CHECK(rc == 0);
    CHECK(cases[i].is64 ? isnan(args[0].f64) : isnan(args[0].f32));
  }
  free(tf);
}

/* sum of 0..n-1 with a fused compare-and-branch loop. */
static void test_loop(void) {
  tfunc *tf = calloc(1, sizeof *tf);
  setup();
  asmbuf *a = &tf->a;
  /* slots: 0 n, 1 i, 2 sum, 3 const 1 */
  uint32_t top = op(a, WM_OP_BR_I32_GE_S);
  u(a, 1); u(a, 0);
  uint32_t fix = a->n;
  u(a, 0);
  op(a, WM_OP_I32_ADD); u(a, 2); u(a, 2); u(a, 1);
  op(a, WM_OP_I32_ADD); u(a, 1); u(a, 1); u(a, 3);
  uint32_t br = op(a, WM_OP_BR);
  u(a, (uint32_t)(int32_t)(top - br));
  uint32_t out = op(a, WM_OP_MOVE); u(a, 0); u(a, 2);
  op(a, WM_OP_RETURN);
  a->c[fix] = out - top;
  tf->consts[0] = 1;
  wm_func *f = finish(tf, 0, &type_i32, 1, 3, 1, 4);
  wm_slot args[1] = {{.u64 = 1000}};
  CHECK(wm__interp_call(&rt, f, args, NULL) == 0);
  CHECK(args[0].u32 == 499500);
  /* Locals start at zero even when the stack held garbage. */
  rt.stack[1].u64 = 77; rt.stack[2].u64 = 99;
  args[0].u64 = 10;
  CHECK(wm__interp_call(&rt, f, args, NULL) == 0);
  CHECK(args[0].u32 == 45);
  free(tf);
}

/* br_table, br_if, select, moves, constants. */
static void test_control(void) {
  tfunc *tf = calloc(1, sizeof *tf);
  setup();
  asmbuf *a = &tf->a;
  /* slot 0 = x; result = {10, 20, 30}[min(x, 2)] + (x & 1 ? 1000 : 0) */
  uint32_t bt = op(a, WM_OP_BR_TABLE);
  u(a, 0); u(a, 2);
  uint32_t offs = a->n;
  u(a, 0); u(a, 0); u(a, 0);
  uint32_t t[3];
  uint32_t joins[3];
  for (int k = 0; k < 3; k++) {
    t[k] = op(a, WM_OP_CONST32); u(a, 1); u(a, 10 * (uint32_t)(k + 1));
    joins[k] = op(a, WM_OP_BR); u(a, 0);
  }
  uint32_t join = op(a, WM_OP_CONST64); u(a, 2); u(a, 1); u(a, 0);
  op(a, WM_OP_I32_AND); u(a, 2); u(a, 0); u(a, 2);
  op(a, WM_OP_CONST32); u(a, 3); u(a, 1000);
  op(a, WM_OP_CONST32); u(a, 4); u(a, 0);
  op(a, WM_OP_SELECT); u(a, 3); u(a, 3); u(a, 4); u(a, 2);
  op(a, WM_OP_I32_ADD); u(a, 0); u(a, 1); u(a, 3);
  uint32_t bi = op(a, WM_OP_BR_IF_NOT); u(a, 2);
  uint32_t bifix = a->n;
  u(a, 0);
  op(a, WM_OP_MOVE2); u(a, 5); u(a, 0); u(a, 0); u(a, 5); /* no-op swap dance */
  uint32_t ret = op(a, WM_OP_RETURN);
  a->c[bifix] = ret - bi;
  for (int k = 0; k < 3; k++) {
    a->c[offs + (uint32_t)k] = t[k] - bt;
    a->c[joins[k] + 2] = join - joins[k];
  }
  wm_func *f = finish(tf, 0, &type_i32, 1, 1, 0, 6);
  static const uint32_t want[] = {10, 1020, 30, 1030, 30};
  for (uint32_t x = 0; x < 5; x++) {
    wm_slot args[1] = {{.u64 = x}};
    CHECK(wm__interp_call(&rt, f, args, NULL) == 0);
    CHECK(args[0].u32 == want[x]);
  }
  free(tf);
}

/* fib through CALL, recursion on the interpreter's own frame stack. */
static tfunc *make_fib(void) {
  tfunc *tf = calloc(1, sizeof *tf);
  asmbuf *a = &tf->a;
  /* slots: 0 n, 1 const 2, 2 const 1, 3-4 operand stack */
  uint32_t b = op(a, WM_OP_BR_I32_LT_S); u(a, 0); u(a, 1);
  uint32_t fix = a->n;
  u(a, 0);
  op(a, WM_OP_I32_SUB); u(a, 3); u(a, 0); u(a, 2);
  call(a, 0, 3);
  op(a, WM_OP_I32_SUB); u(a, 4); u(a, 0); u(a, 1);
  call(a, 0, 4);
  op(a, WM_OP_I32_ADD); u(a, 0); u(a, 3); u(a, 4);
  uint32_t r = op(a, WM_OP_RETURN);
  a->c[fix] = r - b;
  tf->consts[0] = 2;
  tf->consts[1] = 1;
  finish(tf, 0, &type_i32, 1, 1, 2, 5);
  return tf;
}

static int call_fib(wm_func *f, uint32_t n, uint32_t *out) {
  wm_slot args[1] = {{.u64 = n}};
  int rc = wm__interp_call(&rt, f, args, NULL);
  *out = args[0].u32;
  return rc;
}

static void test_fib(void) {
  setup();
  tfunc *tf = make_fib();
  uint32_t r = 0;
  CHECK(call_fib(&tf->f, 20, &r) == 0 && r == 6765);
  CHECK(call_fib(&tf->f, 1, &r) == 0 && r == 1);
  CHECK(rt.nframes == 0);
  free(tf);
}

static void test_stack_exhaustion(void) {
  setup();
  tfunc *fib = make_fib();
  tfunc *tf = calloc(1, sizeof *tf);
  /* f(x) = f(x), with
  ** callee frame 25 slots up each time: the value stack (4096 slots) runs out
  ** before the 200 frames. */
  op(&tf->a, WM_OP_MOVE); u(&tf->a, 25); u(&tf->a, 0);
  call(&tf->a, 1, 25);
  op(&tf->a, WM_OP_RETURN);
  wm_func *f = finish(tf, 1, &type_i32, 1, 1, 0, 30);
  func_names[1] = "recurse";
  wm_error err;
  wm_slot args[1] = {{.u64 = 1}};
  int rc = wm__interp_call(&rt, f, args, &err);
  CHECK(rc == WM_TRAP_STACK_EXHAUSTED);
  CHECK(strncmp(err.message, "call stack exhausted\n  at recurse (func 1)\n", 43) == 0);
  CHECK(strstr(err.message, "...") != NULL); /* too deep to list it all */
  CHECK(rt.nframes == 0 && rt.stack_top == rt.stack);
  uint32_t r = 0;
  CHECK(call_fib(&fib->f, 10, &r) == 0 && r == 55);

  /* Same, the frame depth running out first. */
  finish(tf, 1, &type_i32, 1, 1, 0, 2);
  tf->a.c[2] = 0; /* MOVE 0 0 and CALL base 0: the frames do not advance */
  tf->a.c[7] = 0;
  rc = wm__interp_call(&rt, f, args, &err);
  CHECK(rc == WM_TRAP_STACK_EXHAUSTED);
  CHECK(rt.nframes == 0 && rt.stack_top == rt.stack);
  CHECK(call_fib(&fib->f, 12, &r) == 0 && r == 144);

  /* An outermost call whose frame does not fit at all. */
  finish(tf, 1, &type_i32, 1, 1, 0, STACK_SLOTS + 1);
  CHECK(wm__interp_call(&rt, f, args, &err) == WM_TRAP_STACK_EXHAUSTED);
  CHECK(strcmp(err.message, "call stack exhausted") == 0);
  func_names[1] = NULL;
  free(tf);
  free(fib);
}

/* Loads and stores at the exact end of memory. */
static void test_memory_bounds(void) {
  static const struct { wm_op op; uint32_t addr, off; int trap; } cases[] = {
      {WM_OP_I32_LOAD, 65536 - 4, 0, 0},
      {WM_OP_I32_LOAD, 65536 - 3, 0, WM_TRAP_MEMORY_OOB},
      {WM_OP_I32_LOAD, 65536 - 8, 4, 0},
      {WM_OP_I32_LOAD, 65536 - 8, 5, WM_TRAP_MEMORY_OOB},
      {WM_OP_I32_LOAD, 1, 0xFFFFFFFF, WM_TRAP_MEMORY_OOB}, /* ea = 2^32, no wrap */
      {WM_OP_I32_LOAD, 0xFFFFFFFF, 1, WM_TRAP_MEMORY_OOB},
      {WM_OP_I32_LOAD, 0xFFFFFFFC, 4, WM_TRAP_MEMORY_OOB},
      {WM_OP_I64_LOAD, 65536 - 8, 0, 0},
      {WM_OP_I64_LOAD, 65536 - 7, 0, WM_TRAP_MEMORY_OOB},
      {WM_OP_I32_LOAD8_U, 65535, 0, 0},
      {WM_OP_I32_LOAD8_U, 65536, 0, WM_TRAP_MEMORY_OOB},
      {WM_OP_I64_LOAD16_S, 65534, 0, 0},
      {WM_OP_I64_LOAD16_S, 65535, 0, WM_TRAP_MEMORY_OOB},
      {WM_OP_I32_STORE, 65536 - 4, 0, 0},
      {WM_OP_I32_STORE, 65536 - 3, 0, WM_TRAP_MEMORY_OOB},
      {WM_OP_I64_STORE, 0, 65536 - 8, 0},
      {WM_OP_I64_STORE, 1, 65536 - 8, WM_TRAP_MEMORY_OOB},
      {WM_OP_I64_STORE32, 65532, 0, 0},
      {WM_OP_I64_STORE32, 65533, 0, WM_TRAP_MEMORY_OOB},
      {WM_OP_I32_STORE8, 0xFFFFFFFF, 0xFFFFFFFF, WM_TRAP_MEMORY_OOB},
  };
  tfunc *tf = calloc(1, sizeof *tf);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    setup();
    tf->a.n = 0;
    op(&tf->a, cases[i].op);
    u(&tf->a, 0); u(&tf->a, 0); u(&tf->a, cases[i].off);  /* d/a = 0, a/b = 0 */
    op(&tf->a, WM_OP_RETURN);
    wm_func *f = finish(tf, 0, &type_any, 1, 1, 0, 1);
    wm_slot args[2] = {{.u64 = cases[i].addr}, {.u64 = 0}};
    wm_error err;
    int rc = wm__interp_call(&rt, f, args, &err);
    if (rc != cases[i].trap) fprintf(stderr, "memory case %zu: rc %d\n", i, rc);
    CHECK(rc == cases[i].trap);
    if (rc) CHECK(strncmp(err.message, "out of bounds memory access", 27) == 0);
  }
  /* Values round-trip, sign and zero extension. */
  setup();
  memset(mem.base, 0, 16);
  tf->a.n = 0;
  /* slots: 0 addr(=0) 1 value */
  op(&tf->a, WM_OP_I64_STORE); u(&tf->a, 0); u(&tf->a, 1); u(&tf->a, 0);
  op(&tf->a, WM_OP_I64_LOAD8_S); u(&tf->a, 2); u(&tf->a, 0); u(&tf->a, 1);
  op(&tf->a, WM_OP_I32_LOAD16_U); u(&tf->a, 3); u(&tf->a, 0); u(&tf->a, 0);
  op(&tf->a, WM_OP_I64_LOAD32_U); u(&tf->a, 4); u(&tf->a, 0); u(&tf->a, 4);
  op(&tf->a, WM_OP_I64_ADD); u(&tf->a, 0); u(&tf->a, 2); u(&tf->a, 3);
  op(&tf->a, WM_OP_I64_ADD); u(&tf->a, 0); u(&tf->a, 0); u(&tf->a, 4);
  op(&tf->a, WM_OP_RETURN);
  wm_func *f = finish(tf, 0, &type_any, 2, 2, 0, 5);
  wm_slot args[2] = {{.u64 = 0}, {.u64 = UINT64_C(0x89ABCDEF0180FFFE)}};
  CHECK(wm__interp_call(&rt, f, args, NULL) == 0);
  /* load8_s at 1 = 0xFF -> -1; load16_u at 0 = 0xFFFE; load32_u at 4 */
  CHECK(args[0].u64 == (uint64_t)-1 + 0xFFFE + 0x89ABCDEF);
  free(tf);
}

/* ------------------------------------------------------------ host calls */

static int host_add(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  *(int *)data += 1;
  results[0] = wm_val_i32(args[0].of.i32 + args[1].of.i32);
  return 0;
}

static int host_trap(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)args; (void)results; (void)data;
  snprintf(ctx->trap_buf, sizeof ctx->trap_buf, "host says no");
  ctx->trap_msg = ctx->trap_buf;
  return -1;
}

static int host_exit(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx; (void)args; (void)results; (void)data;
  return WM_TRAP_EXIT;
}

/* Calls back into wasm: fib(args[0]) + args[1]. */
static int host_reenter(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  wm_slot *s = ctx->rt->stack_top;
  s[0].u64 = (uint32_t)args[0].of.i32;
  int rc = wm__interp_call(ctx->rt, (wm_func *)data, s, NULL);
  if (rc) return rc;
  results[0] = wm_val_i32(s[0].i32 + args[1].of.i32);
  return 0;
}

/* Calls the wasm function in data, which calls this again: the C recursion
** must stop with a trap, not overflow the C stack. */
static int host_recurse(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  wm_slot *s = ctx->rt->stack_top;
  s[0].u64 = (uint32_t)args[0].of.i32;
  s[1].u64 = (uint32_t)args[1].of.i32;
  int rc = wm__interp_call(ctx->rt, (wm_func *)data, s, NULL);
  if (rc) return rc;
  results[0] = wm_val_i32(s[0].i32);
  return 0;
}

static void test_host_calls(void) {
  setup();
  tfunc *fib = make_fib();
  tfunc *tf = calloc(1, sizeof *tf);
  wm_func host;
  int count = 0;
  memset(&host, 0, sizeof host);
  host.type = &type_i32_i32;
  host.type_id = 1;
  host.rt = &rt;
  host.host = host_add;
  host.host_data = &count;
  host.idx = 2;
  funcs[2] = &host;
  /* g(x, y) = import2(x, y) * 3, with x, y copied to base 3 */
  op(&tf->a, WM_OP_MOVE2); u(&tf->a, 3); u(&tf->a, 0); u(&tf->a, 4); u(&tf->a, 1);
  op(&tf->a, WM_OP_CALL_IMPORT); u(&tf->a, 2); u(&tf->a, 3);
  op(&tf->a, WM_OP_I32_MUL); u(&tf->a, 0); u(&tf->a, 3); u(&tf->a, 2);
  op(&tf->a, WM_OP_RETURN);
  tf->consts[0] = 3;
  wm_func *g = finish(tf, 1, &type_i32_i32, 2, 2, 1, 6);
  wm_slot args[2] = {{.u64 = 5}, {.u64 = 7}};
  CHECK(wm__interp_call(&rt, g, args, NULL) == 0 && args[0].u32 == 36 && count == 1);

  /* A host trap with its own message, then the runtime still works. */
  host.host = host_trap;
  func_names[1] = "caller";
  wm_error err;
  args[0].u64 = 5;
  int rc = wm__interp_call(&rt, g, args, &err);
  CHECK(rc == WM_TRAP_HOST);
  CHECK(strcmp(err.message, "host says no\n  at caller (func 1)") == 0);
  CHECK(rt.nframes == 0 && rt.stack_top == rt.stack);
  host.host = host_exit;
  CHECK(wm__interp_call(&rt, g, args, &err) == WM_TRAP_EXIT);
  CHECK(strncmp(err.message, "guest exited", 12) == 0);

  /* Re-entry: the host function runs fib inside the call. */
  host.host = host_reenter;
  host.host_data = &fib->f;
  args[0].u64 = 10;
  args[1].u64 = 1;
  CHECK(wm__interp_call(&rt, g, args, &err) == 0 && args[0].u32 == (55 + 1) * 3);
  CHECK(rt.nframes == 0 && rt.stack_top == rt.stack);

  /* A host function called directly as the outermost function. */
  host.host = host_add;
  host.host_data = &count;
  args[0].u64 = 40;
  args[1].u64 = 2;
  CHECK(wm__interp_call(&rt, &host, args, NULL) == 0 && args[0].u32 == 42);

  /* Unbounded wasm -> host -> wasm recursion. */
  host.host = host_recurse;
  host.host_data = g;
  CHECK(wm__interp_call(&rt, g, args, &err) == WM_TRAP_STACK_EXHAUSTED);
  CHECK(rt.nframes == 0 && rt.stack_top == rt.stack);
  host.host = host_add;
  host.host_data = &count;
  CHECK(wm__interp_call(&rt, g, args, NULL) == 0);
  func_names[1] = NULL;
  free(tf);
  free(fib);
}

static void test_call_indirect(void) {
  setup();
  tfunc *fib = make_fib();
  tfunc *tf = calloc(1, sizeof *tf);
  wm_func other;
  void *elems[3];
  memset(&other, 0, sizeof other);
  other = fib->f;
  other.type_id = 0; /* another type */
  elems[0] = &fib->f;
  elems[1] = NULL;
  elems[2] = &other;
  table.elems = elems;
  table.size = 3;
  /* h(i, n) = table[i](n), type index 1 */
  op(&tf->a, WM_OP_MOVE); u(&tf->a, 2); u(&tf->a, 1);
  op(&tf->a, WM_OP_CALL_INDIRECT); u(&tf->a, 0); u(&tf->a, 1); u(&tf->a, 0); u(&tf->a, 2);
  op(&tf->a, WM_OP_MOVE); u(&tf->a, 0); u(&tf->a, 2);
  op(&tf->a, WM_OP_RETURN);
  wm_func *h = finish(tf, 1, &type_i32_i32, 2, 2, 0, 3);
  static const struct { uint32_t i; int trap; const char *msg; } cases[] = {
      {0, 0, NULL},
      {1, WM_TRAP_UNINITIALIZED_ELEMENT, "uninitialized element 1\n  at "},
      {2, WM_TRAP_INDIRECT_CALL_TYPE, "indirect call type mismatch"},
      {3, WM_TRAP_UNDEFINED_ELEMENT, "undefined element"},
      {0xFFFFFFFF, WM_TRAP_UNDEFINED_ELEMENT, "undefined element"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    wm_slot args[2] = {{.u64 = cases[k].i}, {.u64 = 15}};
    wm_error err;
    int rc = wm__interp_call(&rt, h, args, &err);
    CHECK(rc == cases[k].trap);
    if (rc == 0) CHECK(args[0].u32 == 610);
    if (rc) CHECK(strncmp(err.message, cases[k].msg, strlen(cases[k].msg)) == 0);
    CHECK(rt.nframes == 0);
  }
  table.elems = NULL;
  table.size = 0;
  free(tf);
  free(fib);
}

/* ------------------------------------------------------------ compiled code */

/*
** Modules from wat2wasm, loaded and compiled by the library, run in a
** hand-made instance (no imports; memory 0 from the declared minimum; table
** 0 from active element segments of ref.func items). This tests the
** compiler and the interpreter together without runtime.c and instance.c.
*/
typedef struct mini {
  wm_module *mod;
  wm_instance inst;
  wm_func *fs;
  wm_func **fps;
  wm_memory mem;
  wm_memory *mp;
  wm_table tab;
  wm_table *tp;
  uint32_t *tids;
  wm_typeinfo *types;    /* the runtime's types while it runs: the module's */
  bool *dropped_e, *dropped_d;
} mini;

static int have_wat2wasm = -1;

static wm_module *load_wat(const char *wat) {
  char wpath[64], bpath[64], cmd[200];
  wm_module *m = NULL;
  wm_error err;
  if (have_wat2wasm < 0) have_wat2wasm = system("wat2wasm --version >/dev/null 2>&1") == 0;
  if (!have_wat2wasm) return NULL;
  snprintf(wpath, sizeof wpath, "/tmp/wm_test_interp_%d.wat", (int)getpid());
  snprintf(bpath, sizeof bpath, "/tmp/wm_test_interp_%d.wasm", (int)getpid());
  FILE *f = fopen(wpath, "w");
  if (!f) return NULL;
  fputs(wat, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "wat2wasm --debug-names %s -o %s", wpath, bpath);
  if (system(cmd) != 0) {
    fprintf(stderr, "wat2wasm failed\n");
    nfail++;
  } else if (wm_module_load_file(bpath, NULL, &m, &err) != 0) {
    fprintf(stderr, "load failed: %s\n", err.message);
    nfail++;
    m = NULL;
  }
  remove(wpath);
  remove(bpath);
  return m;
}

static int mini_new(mini *mi, const char *wat) {
  memset(mi, 0, sizeof *mi);
  mi->mod = load_wat(wat);
  if (!mi->mod) return -1;
  const wm_module *m = mi->mod;
  mi->fs = calloc(m->nfuncs + 1, sizeof *mi->fs);
  mi->fps = calloc(m->nfuncs + 1, sizeof *mi->fps);
  mi->tids = calloc(m->ntypes + 1, sizeof *mi->tids);
  mi->dropped_e = calloc(m->nelems + 1, 1);
  mi->dropped_d = calloc(m->ndatas + 1, 1);
  /* Types are equal iff their indexes are, as long as a test module
  ** declares no type twice. */
  for (uint32_t i = 0; i < m->ntypes; i++) mi->tids[i] = i;
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    mi->fs[i].type_id = m->funcs[i].typeidx;
    mi->fs[i].type = wm__func_type(m, i);
    mi->fs[i].inst = &mi->inst;
    mi->fs[i].rt = &rt;
    const wm_code *c = NULL;
    bool fresh;
    if (i >= m->nfunc_imports) wm__lower((wm_module *)m, i, &c, &fresh, NULL);
    mi->fs[i].code = c;
    mi->fs[i].idx = i;
    mi->fps[i] = &mi->fs[i];
  }
  if (m->nmems) {
    mi->mem.size = m->mems[0].min * 65536;
    mi->mem.base = calloc(1, mi->mem.size + 1);
    mi->mp = &mi->mem;
  }
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wm_data *d = &m->datas[i];
    if (d->mode != WM_SEG_ACTIVE) continue;
    memcpy(mi->mem.base + d->offset.bits, d->bytes, d->len);
    mi->dropped_d[i] = true;
  }
  if (m->ntables) {
    mi->tab.size = (uint32_t)m->tables[0].lim.min;
    mi->tab.elems = calloc(mi->tab.size + 1, sizeof(void *));
    mi->tp = &mi->tab;
  }
  for (uint32_t i = 0; i < m->nelems; i++) {
    const wm_elem *e = &m->elems[i];
    if (e->mode == WM_SEG_PASSIVE) continue;
    mi->dropped_e[i] = true;
    if (e->mode != WM_SEG_ACTIVE) continue;
    for (uint32_t k = 0; k < e->count; k++)
      mi->tab.elems[e->offset.bits + k] = e->items[k].op == 0xD2 ? mi->fps[e->items[k].idx] : NULL;
  }
  /* call_indirect's slow path reads the runtime's types (subtypes). */
  mi->types = calloc(m->ntypes + 1, sizeof *mi->types);
  for (uint32_t i = 0; i < m->ntypes; i++) {
    mi->types[i].type = m->types[i];
    mi->types[i].meta = (wm_typemeta){0, i, 0, 1, true};
  }
  rt.types = mi->types;
  rt.ntypes = m->ntypes;
  mi->inst.rt = &rt;
  mi->inst.mod = m;
  mi->inst.funcs = mi->fps;
  mi->inst.mems = &mi->mp;
  mi->inst.tables = &mi->tp;
  mi->inst.type_ids = mi->tids;
  mi->inst.elem_dropped = mi->dropped_e;
  mi->inst.data_dropped = mi->dropped_d;
  return 0;
}

static void mini_free(mini *mi) {
  free(mi->fs);
  free(mi->fps);
  free(mi->tids);
  free(mi->types);
  rt.types = rt_types;
  rt.ntypes = 2;
  free(mi->dropped_e);
  free(mi->dropped_d);
  free(mi->mem.base);
  free(mi->tab.elems);
  wm_module_free(mi->mod);
}

static wm_func *mini_func(mini *mi, const char *name) {
  for (uint32_t i = 0; i < mi->mod->nexports; i++)
    if (mi->mod->exports[i].kind == WM_EXTERN_FUNC && strcmp(mi->mod->exports[i].name, name) == 0)
      return mi->fps[mi->mod->exports[i].idx];
  fprintf(stderr, "no export %s\n", name);
  exit(1);
}

/* Call an export with up to 3 integer/bit-pattern arguments. */
static int mcall(mini *mi, const char *name, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t *out,
                 wm_error *err) {
  wm_slot *s = rt.stack_top;
  s[0].u64 = a0;
  s[1].u64 = a1;
  s[2].u64 = a2;
  int rc = wm__interp_call(&rt, mini_func(mi, name), s, err);
  if (out) *out = s[0].u64;
  return rc;
}

static const char *compiled_wat =
    "(module\n"
    "  (memory 1)\n"
    "  (data (i32.const 16) \"\\01\\02\\03\\04\\05\\06\\07\\08\")\n"
    "  (table 4 funcref)\n"
    "  (elem (i32.const 0) $fib $sum)\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (func $fib (export \"fib\") (type $t)\n"
    "    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))\n"
    "      (then (local.get 0))\n"
    "      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))\n"
    "                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))\n"
    "  (func $sum (export \"sum\") (param i32) (result i32) (local i32)\n"
    "    (block (loop\n"
    "      (br_if 1 (i32.eqz (local.get 0)))\n"
    "      (local.set 1 (i32.add (local.get 1) (local.get 0)))\n"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
    "      (br 0)))\n"
    "    (local.get 1))\n"
    "  (func (export \"indirect\") (param i32 i32) (result i32)\n"
    "    (call_indirect (type $t) (local.get 1) (local.get 0)))\n"
    "  (func (export \"load64\") (param i32) (result i64) (i64.load offset=4 (local.get 0)))\n"
    "  (func (export \"store_load\") (param i32 i32) (result i32)\n"
    "    (i32.store16 (local.get 0) (local.get 1))\n"
    "    (i32.load16_s (local.get 0)))\n"
    "  (func (export \"fill_copy\") (param i32) (result i64)\n"
    "    (memory.fill (i32.const 100) (i32.const 0xAB) (i32.const 8))\n"
    "    (memory.copy (local.get 0) (i32.const 100) (i32.const 4))\n"
    "    (i64.load (i32.const 96)))\n"
    "  (func (export \"size\") (result i32) (memory.size))\n"
    "  (func (export \"multi\") (param i64) (result i64 i64 i32)\n"
    "    (local.get 0) (i64.const 1) (i64.add (local.get 0)) (i32.const 7))\n"
    "  (func (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))\n"
    "  (func (export \"sel\") (param i32) (result i64)\n"
    "    (select (i64.const 10) (i64.const 20) (local.get 0)))\n"
    "  (func (export \"bt\") (param i32) (result i32)\n"
    "    (block (block (block (br_table 0 1 2 (local.get 0)))\n"
    "      (return (i32.const 100))) (return (i32.const 101)))\n"
    "    (i32.const 102))\n"
    "  (func (export \"loopsum\") (param i32) (result i64) (local i64 i32)\n"
    "    (loop $l\n"
    "      (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 2))))\n"
    "      (local.set 2 (i32.add (local.get 2) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get 2) (local.get 0))))\n"
    "    (local.get 1))\n"
    ")\n";

static void test_compiled(void) {
  mini mi;
  setup();
  if (mini_new(&mi, compiled_wat) != 0) {
    if (!have_wat2wasm) printf("skipping compiled-module tests: no wat2wasm\n");
    return;
  }
  uint64_t r = 0;
  wm_error err;
  CHECK(mcall(&mi, "fib", 20, 0, 0, &r, NULL) == 0 && (uint32_t)r == 6765);
  CHECK(mcall(&mi, "sum", 1000, 0, 0, &r, NULL) == 0 && (uint32_t)r == 500500);
  CHECK(mcall(&mi, "indirect", 0, 10, 0, &r, NULL) == 0 && (uint32_t)r == 55);
  CHECK(mcall(&mi, "indirect", 1, 10, 0, &r, NULL) == 0 && (uint32_t)r == 55);
  CHECK(mcall(&mi, "indirect", 2, 10, 0, &r, &err) == WM_TRAP_UNINITIALIZED_ELEMENT);
  CHECK(mcall(&mi, "indirect", 4, 10, 0, &r, &err) == WM_TRAP_UNDEFINED_ELEMENT);
  CHECK(mcall(&mi, "load64", 12, 0, 0, &r, NULL) == 0 && r == UINT64_C(0x0807060504030201));
  CHECK(mcall(&mi, "load64", 65536 - 12, 0, 0, &r, NULL) == 0);
  CHECK(mcall(&mi, "load64", 65536 - 11, 0, 0, &r, &err) == WM_TRAP_MEMORY_OOB);
  CHECK(strncmp(err.message, "out of bounds memory access\n  at ", 33) == 0);
  CHECK(mcall(&mi, "store_load", 200, 0x18000, 0, &r, NULL) == 0 && (uint32_t)r == 0xFFFF8000);
  CHECK(mcall(&mi, "fill_copy", 96, 0, 0, &r, NULL) == 0 && r == UINT64_C(0xABABABABABABABAB));
  CHECK(mcall(&mi, "fill_copy", 65533, 0, 0, &r, &err) == WM_TRAP_MEMORY_OOB);
  CHECK(mcall(&mi, "size", 0, 0, 0, &r, NULL) == 0 && (uint32_t)r == 1);
  wm_slot *s = rt.stack_top;
  s[0].u64 = 41;
  CHECK(wm__interp_call(&rt, mini_func(&mi, "multi"), s, NULL) == 0);
  CHECK(s[0].u64 == 41 && s[1].u64 == 42 && s[2].u32 == 7);
  CHECK(mcall(&mi, "div", 7, 0, 0, &r, &err) == WM_TRAP_DIV_ZERO);
  CHECK(strncmp(err.message, "integer divide by zero\n  at ", 28) == 0);
  CHECK(mcall(&mi, "div", 0x80000000, 0xFFFFFFFF, 0, &r, &err) == WM_TRAP_INT_OVERFLOW);
  CHECK(mcall(&mi, "div", 0xFFFFFFF9, 2, 0, &r, NULL) == 0 && (int32_t)r == -3);
  CHECK(mcall(&mi, "sel", 1, 0, 0, &r, NULL) == 0 && r == 10);
  CHECK(mcall(&mi, "sel", 0, 0, 0, &r, NULL) == 0 && r == 20);
  for (uint32_t i = 0; i < 5; i++)
    CHECK(mcall(&mi, "bt", i, 0, 0, &r, NULL) == 0 && (uint32_t)r == 100 + (i < 2 ? i : 2));
  CHECK(mcall(&mi, "loopsum", 100000, 0, 0, &r, NULL) == 0 && r == UINT64_C(4999950000));
  CHECK(rt.nframes == 0 && rt.stack_top == rt.stack);
  mini_free(&mi);
}

/* ------------------------------------------------------------ public API */

static wm_module *load_wat_names(const char *wat) {
  return load_wat(wat); /* load_wat keeps the name section (--debug-names) */
}

static int api_host_add(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx; (void)data;
  results[0] = wm_val_i32(args[0].of.i32 + args[1].of.i32);
  return 0;
}

/* Grows the caller's memory by one page; wasm must see the new size. */
static int api_host_grow(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)args; (void)results; (void)data;
  wm_memory *m = wm_call_ctx_memory(ctx);
  return m && wm_memory_grow(m, 1, NULL, NULL) == 0 ? 0 : wm_call_ctx_trap(ctx, -1, "no grow");
}

/* Calls the export "fib" of the instance in data, from inside a call. */
static int api_host_reenter(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  wm_val r;
  wm_error err;
  int rc = wm_func_call(ctx->rt, wm_instance_func((wm_instance *)data, "fib"), args, 1, &r, 1, &err);
  if (rc) return rc;
  results[0] = wm_val_i32(r.of.i32 + 1);
  return 0;
}

static const char *api_wat_a =
    "(module\n"
    "  (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))\n"
    "  (import \"env\" \"grow\" (func $grow))\n"
    "  (import \"env\" \"reenter\" (func $reenter (param i32) (result i32)))\n"
    "  (memory (export \"mem\") 1)\n"
    "  (func $fib (export \"fib\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))\n"
    "      (then (local.get 0))\n"
    "      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))\n"
    "                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))\n"
    "  (func $div (export \"div\") (param i32 i32) (result i32)\n"
    "    (i32.div_u (local.get 0) (local.get 1)))\n"
    "  (func $outer (export \"outer\") (param i32 i32) (result i32)\n"
    "    (call $div (local.get 0) (local.get 1)))\n"
    "  (func (export \"add3\") (param i32 i32 i32) (result i32)\n"
    "    (call $add (call $add (local.get 0) (local.get 1)) (local.get 2)))\n"
    "  (func (export \"reenter\") (param i32) (result i32) (call $reenter (local.get 0)))\n"
    "  ;; store past the first page after the host grew the memory\n"
    "  (func (export \"grow_store\") (result i32)\n"
    "    (call $grow)\n"
    "    (i32.store (i32.const 65536) (i32.const 77))\n"
    "    (i32.add (i32.load (i32.const 65536)) (memory.size)))\n"
    "  (func $rec (export \"rec\") (param i32) (result i32)\n"
    "    (i32.add (call $rec (local.get 0)) (i32.const 1)))\n"
    "  (func (export \"grow_wasm\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
    "  (func (export \"peek\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    ")\n";

/* B shares A's memory and calls into A: A's memory.grow must be seen by B
** when the call returns, and each side runs in its own instance. */
static const char *api_wat_b =
    "(module\n"
    "  (import \"a\" \"mem\" (memory 1))\n"
    "  (import \"a\" \"grow_wasm\" (func $grow (param i32) (result i32)))\n"
    "  (import \"a\" \"fib\" (func $fib (param i32) (result i32)))\n"

    "  (func (export \"run\") (result i32)\n"
    "    (drop (call $grow (i32.const 2)))\n"
    "    (i32.store (i32.const 131072) (call $fib (i32.const 10)))\n"
    "    (i32.load (i32.const 131072)))\n"
    "  (table 2 funcref)\n"
    "  (elem (i32.const 0) $fib $grow)\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (func (export \"indirect\") (param i32 i32) (result i32)\n"
    "    (call_indirect (type $t) (local.get 1) (local.get 0)))\n"
    ")\n";

/* C has its own memory and calls into A: after the return it must use its
** own memory again, not A's. */
static const char *api_wat_c =
    "(module\n"
    "  (import \"a\" \"peek\" (func $peek (param i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (data (i32.const 0) \"\\2a\")\n"
    "  (func (export \"run\") (result i32)\n"
    "    (i32.add (i32.mul (i32.add (call $peek (i32.const 131072)) (i32.load8_u (i32.const 0)))\n"
    "                      (i32.const 10))\n"
    "             (memory.size)))\n"
    ")\n";

static void test_api(void) {
  wm_runtime *r;
  wm_error err;
  wm_module *ma = load_wat_names(api_wat_a), *mb = load_wat_names(api_wat_b);
  wm_module *mc = load_wat_names(api_wat_c);
  if (!ma || !mb || !mc) {
    if (!have_wat2wasm) printf("skipping API tests: no wat2wasm\n");
    wm_module_free(ma);
    wm_module_free(mb);
    wm_module_free(mc);
    return;
  }
  CHECK(wm_runtime_new(NULL, &r, &err) == 0);
  wm_valtype i32s[3] = {WM_I32, WM_I32, WM_I32};
  wm_functype t_add = {2, 1, i32s, i32s}, t_grow = {0, 0, NULL, NULL}, t_re = {1, 1, i32s, i32s};
  wm_func *hadd, *hgrow, *hre;
  wm_instance *ia = NULL, *ib = NULL, *ic = NULL;
  static wm_instance *reenter_target;
  CHECK(wm_func_new_host(r, &t_add, api_host_add, NULL, &hadd, &err) == 0);
  CHECK(wm_func_new_host(r, &t_grow, api_host_grow, NULL, &hgrow, &err) == 0);
  CHECK(wm_func_new_host(r, &t_re, api_host_reenter, &reenter_target, &hre, &err) == 0);
  CHECK(wm_runtime_define_func(r, "env", "add", hadd, &err) == 0);
  CHECK(wm_runtime_define_func(r, "env", "grow", hgrow, &err) == 0);
  CHECK(wm_runtime_define_func(r, "env", "reenter", hre, &err) == 0);
  int rc = wm_instance_new(r, ma, NULL, &ia, &err);
  if (rc) fprintf(stderr, "instantiate a: %s\n", err.message);
  CHECK(rc == 0);
  if (rc) goto done;
  reenter_target = ia;
  hre->host_data = ia;

  wm_val args[3], res[1];
  args[0] = wm_val_i32(20);
  CHECK(wm_func_call(r, wm_instance_func(ia, "fib"), args, 1, res, 1, &err) == 0);
  CHECK(res[0].type == WM_I32 && res[0].of.i32 == 6765);
  args[0] = wm_val_i32(1); args[1] = wm_val_i32(2); args[2] = wm_val_i32(39);
  CHECK(wm_func_call(r, wm_instance_func(ia, "add3"), args, 3, res, 1, &err) == 0);
  CHECK(res[0].of.i32 == 42);
  args[0] = wm_val_i32(15);
  CHECK(wm_func_call(r, wm_instance_func(ia, "reenter"), args, 1, res, 1, &err) == 0);
  CHECK(res[0].of.i32 == 611);

  /* A trap: message, then the backtrace with the name section's names. */
  args[0] = wm_val_i32(7); args[1] = wm_val_i32(0);
  rc = wm_func_call(r, wm_instance_func(ia, "outer"), args, 2, res, 1, &err);
  CHECK(rc == WM_TRAP_DIV_ZERO && err.code == WM_TRAP_DIV_ZERO);
  CHECK(strcmp(err.message, "integer divide by zero\n  at div (func 4, byte 0xd5)\n  at outer (func 5, byte 0xdd)") == 0);
  if (rc != WM_TRAP_DIV_ZERO || strstr(err.message, "at div") == NULL)
    fprintf(stderr, "trap message: %s\n", err.message);
  args[1] = wm_val_i32(2);
  CHECK(wm_func_call(r, wm_instance_func(ia, "outer"), args, 2, res, 1, &err) == 0);
  CHECK(res[0].of.i32 == 3);

  /* Infinite recursion traps and leaves the runtime usable. */
  args[0] = wm_val_i32(0);
  CHECK(wm_func_call(r, wm_instance_func(ia, "rec"), args, 1, res, 1, &err) == WM_TRAP_STACK_EXHAUSTED);
  CHECK(strncmp(err.message, "call stack exhausted\n  at rec (func", 35) == 0);
  args[0] = wm_val_i32(10);
  CHECK(wm_func_call(r, wm_instance_func(ia, "fib"), args, 1, res, 1, &err) == 0 && res[0].of.i32 == 55);

  /* The host grows the memory during the call; the wasm code sees it. */
  CHECK(wm_func_call(r, wm_instance_func(ia, "grow_store"), NULL, 0, res, 1, &err) == 0);
  CHECK(res[0].of.i32 == 77 + 2);

  /* Shared memory grown by the callee instance, seen by the caller. */
  CHECK(wm_runtime_register(r, "a", ia, &err) == 0);
  rc = wm_instance_new(r, mb, NULL, &ib, &err);
  if (rc) fprintf(stderr, "instantiate b: %s\n", err.message);
  CHECK(rc == 0);
  if (rc) goto done;
  CHECK(wm_func_call(r, wm_instance_func(ib, "run"), NULL, 0, res, 1, &err) == 0);
  CHECK(res[0].of.i32 == 55);
  CHECK(wm_memory_pages(wm_instance_memory(ia, "mem")) == 4);
  args[0] = wm_val_i32(131072);
  CHECK(wm_func_call(r, wm_instance_func(ia, "peek"), args, 1, res, 1, &err) == 0);
  CHECK(res[0].of.i32 == 55);
  /* call_indirect to another instance's function through B's table. */
  args[0] = wm_val_i32(0); args[1] = wm_val_i32(12);
  CHECK(wm_func_call(r, wm_instance_func(ib, "indirect"), args, 2, res, 1, &err) == 0);
  CHECK(res[0].of.i32 == 144);
  args[0] = wm_val_i32(2);
  CHECK(wm_func_call(r, wm_instance_func(ib, "indirect"), args, 2, res, 1, &err) ==
        WM_TRAP_UNDEFINED_ELEMENT);

  rc = wm_instance_new(r, mc, NULL, &ic, &err);
  CHECK(rc == 0);
  if (rc) goto done;
  CHECK(wm_func_call(r, wm_instance_func(ic, "run"), NULL, 0, res, 1, &err) == 0);
  CHECK(res[0].of.i32 == 971);

done:
  wm_runtime_free(r);
  wm_module_free(ma);
  wm_module_free(mb);
  wm_module_free(mc);
}

static void test_heads(void) {
  for (int o = 0; o < WM_OP_COUNT_; o++) {
    CHECK((o == WM_OP_FUEL || wm__op_from_head(wm__op_head((wm_op)o, WM_LOOP_PLAIN)) == (wm_op)o) &&
          wm__op_from_head(wm__op_head((wm_op)o, WM_LOOP_CHECKED)) == (wm_op)o &&
          wm__op_from_head(wm__op_head((wm_op)o, WM_LOOP_METERED)) == (wm_op)o);
  }
  CHECK(strcmp(wm__op_name(WM_OP_I32_ADD), "I32_ADD") == 0);
  CHECK(wm__op_head(WM_OP_I32_ADD, false) != wm__op_head(WM_OP_I32_SUB, false));
}

/* The last pass's fused loads (compile_acc.c) trap at the load that failed:
** a load pair at its first or second access, the walk step at its load, as
** the byte offsets in the module say. */
static size_t find_bytes(const uint8_t *b, size_t n, const uint8_t *pat, size_t k) {
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(b + i, pat, k) == 0) return i;
  return (size_t)-1;
}

static void expect_trap_at(wm_runtime *r, wm_instance *in, const char *name, int32_t a, int32_t b,
                           size_t byte) {
  wm_val args[2] = {wm_val_i32(a), wm_val_i32(b)}, res[1];
  wm_error err;
  char want[64];
  snprintf(want, sizeof want, "(func %u, byte 0x%zx)", name[0] == 'p' ? 0u : 1u, byte);
  int rc = wm_func_call(r, wm_instance_func(in, name), args, name[0] == 'p' ? 2 : 1, res, 1, &err);
  CHECK(rc == WM_TRAP_MEMORY_OOB && strstr(err.message, want) != NULL);
  if (rc != WM_TRAP_MEMORY_OOB || !strstr(err.message, want))
    fprintf(stderr, "%s(%d, %d): want %s, got: %s\n", name, a, b, want, err.message);
}

static void test_fused_traps(void) {
  static const char *wat =
      "(module (memory 1) (data (i32.const 65534) \"ab\")"
      " (func (export \"pair\") (param i32 i32) (result i32)"
      "  local.get 0 i32.load16_u local.get 1 i32.load16_u i32.mul)"
      " (func (export \"walk\") (param $p i32) (result i32) (local $next i32) (local $c i32)"
      "  (block $done (loop $l local.get $p i32.const 1 i32.add local.set $next"
      "   (block $z local.get $p i32.load8_u local.tee $c i32.eqz br_if $z"
      "    local.get $next local.set $p br $l) br $done)) local.get $p))";
  char wpath[64], bpath[64], cmd[200];
  if (have_wat2wasm < 0) have_wat2wasm = system("wat2wasm --version >/dev/null 2>&1") == 0;
  if (!have_wat2wasm) return;
  snprintf(wpath, sizeof wpath, "/tmp/wm_test_fused_%d.wat", (int)getpid());
  snprintf(bpath, sizeof bpath, "/tmp/wm_test_fused_%d.wasm", (int)getpid());
  FILE *f = fopen(wpath, "w");
  if (!f) return;
  fputs(wat, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "wat2wasm %s -o %s", wpath, bpath);
  uint8_t bin[1024];
  size_t n = 0;
  if (system(cmd) == 0 && (f = fopen(bpath, "rb")) != NULL) {
    n = fread(bin, 1, sizeof bin, f);
    fclose(f);
  }
  remove(wpath);
  remove(bpath);
  wm_module *m = NULL;
  wm_error err;
  CHECK(n > 0 && wm_module_load(bin, n, NULL, &m, &err) == 0);
  if (!m) return;
  /* local.get 0 i32.load16_u local.get 1 i32.load16_u; local.get 0
  ** i32.load8_u local.tee 2 */
  static const uint8_t pair[] = {0x20, 0x00, 0x2f, 0x01, 0x00, 0x20, 0x01, 0x2f, 0x01, 0x00};
  static const uint8_t walk[] = {0x20, 0x00, 0x2d, 0x00, 0x00, 0x22, 0x02};
  size_t p = find_bytes(bin, n, pair, sizeof pair), w = find_bytes(bin, n, walk, sizeof walk);
  CHECK(p != (size_t)-1 && w != (size_t)-1);
  wm_runtime *r = NULL;
  wm_instance *in = NULL;
  CHECK(wm_runtime_new(NULL, &r, &err) == 0);
  CHECK(r && wm_instance_new(r, m, NULL, &in, &err) == 0);
  if (in && p != (size_t)-1 && w != (size_t)-1) {
    expect_trap_at(r, in, "pair", 65535, 0, p + 2);
    expect_trap_at(r, in, "pair", 0, 65535, p + 7);
    expect_trap_at(r, in, "walk", 65534, 0, w + 2);
    expect_trap_at(r, in, "walk", 65536, 0, w + 2);
    wm_val args[2] = {wm_val_i32(65533), wm_val_i32(0)}, res[1];
    CHECK(wm_func_call(r, wm_instance_func(in, "walk"), args, 1, res, 1, &err) == 0 &&
          res[0].of.i32 == 65533);
  }
  wm_runtime_free(r);
  wm_module_free(m);
}

/* Trap in a nested call: the backtrace lists every frame, innermost first. */
static void test_backtrace(void) {
  setup();
  tfunc *inner = calloc(1, sizeof *inner), *outer = calloc(1, sizeof *outer);
  op(&inner->a, WM_OP_UNREACHABLE);
  finish(inner, 3, &type_i32, 0, 0, 0, 1);
  call(&outer->a, 3, 0);
  op(&outer->a, WM_OP_RETURN);
  wm_func *f = finish(outer, 4, &type_i32, 0, 0, 0, 1);
  func_names[4] = "outer";
  wm_error err;
  wm_slot args[1];
  CHECK(wm__interp_call(&rt, f, args, &err) == WM_TRAP_UNREACHABLE);
  CHECK(strcmp(err.message, "unreachable\n  at <unnamed> (func 3)\n  at outer (func 4)") == 0);
  CHECK(err.code == WM_TRAP_UNREACHABLE);
  func_names[4] = NULL;
  free(inner);
  free(outer);
}

int main(void) {
  test_heads();
  test_numeric();
  test_nan_results();
  test_loop();
  test_control();
  test_fib();
  test_stack_exhaustion();
  test_memory_bounds();
  test_host_calls();
  test_call_indirect();
  test_backtrace();
  test_fused_traps();
  test_compiled();
  test_api();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
