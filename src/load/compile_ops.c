/* SPDX-License-Identifier: MIT */
/*
** compile_ops.c -- the function compiler's plain instructions: numeric,
** memory, table, reference, global and select. Each validates its operands
** and emits one instruction reading them from their slots; the opcode
** mapping and the memory operators' types come from tables.
*/
#include "compile.h"

/* ------------------------------------------------------------------ tables */


/* wasm opcode -> wm_op + 1 (0 = none), from the WASM column of WM_OPS.
** Index: one-byte opcodes as is, 0xFCnn at 0x100 + nn; ops without a wasm
** opcode, and the SIMD and atomic ones (compile_simd.c, compile_atomic.c),
** all land on the unused last entry, hence the overridden initialisers. */
#define WASM_INDEX(w)                                                         \
  ((w) == 0 || (w) >= 0xFD0000 || ((w) >= 0xFE00 && (w) <= 0xFEFF) ? 0x120   \
   : (w) >= 0xFC00 ? 0x100 + ((w)&0x1F)                                      \
                   : (w))
WM_OVERRIDE_INIT_BEGIN
static const uint16_t wasm_to_op[0x121] = {
#define X_(name, cls, wasm) [WASM_INDEX(wasm)] = WM_OP_##name + 1,
    WM_OPS(X_)
#undef X_
};
WM_OVERRIDE_INIT_END

static const uint8_t op_class[] = {
#define X_(name, cls, wasm) C_##cls,
    WM_OPS(X_)
#undef X_
};

static bool lookup(uint32_t w, wm_op *op) {
  uint32_t i = w >= 0xFC00 ? 0x100 + (w & 0xFF) : w;
  if (w == 0 || i >= 0x120 || wasm_to_op[i] == 0) return false;
  *op = (wm_op)(wasm_to_op[i] - 1);
  return true;
}

/* Operand and result types of the numeric opcodes (0x45..0xC4 and the
** saturating truncations 0xFC00..0xFC07). */
bool wm__numeric_sig(uint32_t w, uint8_t *in, uint8_t *out, int *nin) {
  /* 0x45..0xC4, one entry each: operand type, result type, operand count
  ** (I i32, L i64, F f32, D f64). */
#define S(i, o, n) {WM_##i##_, WM_##o##_, n}
  enum { WM_I_ = WM_I32, WM_L_ = WM_I64, WM_F_ = WM_F32, WM_D_ = WM_F64 };
  static const struct { uint8_t in, out, nin; } t[0xC5 - 0x45] = {
      S(I, I, 1), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2),  /* 0x45 */
      S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(L, I, 1),  /* 0x4B */
      S(L, I, 2), S(L, I, 2), S(L, I, 2), S(L, I, 2), S(L, I, 2), S(L, I, 2),  /* 0x51 */
      S(L, I, 2), S(L, I, 2), S(L, I, 2), S(L, I, 2), S(F, I, 2), S(F, I, 2),  /* 0x57 */
      S(F, I, 2), S(F, I, 2), S(F, I, 2), S(F, I, 2), S(D, I, 2), S(D, I, 2),  /* 0x5D */
      S(D, I, 2), S(D, I, 2), S(D, I, 2), S(D, I, 2), S(I, I, 1), S(I, I, 1),  /* 0x63 */
      S(I, I, 1), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2),  /* 0x69 */
      S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2),  /* 0x6F */
      S(I, I, 2), S(I, I, 2), S(I, I, 2), S(I, I, 2), S(L, L, 1), S(L, L, 1),  /* 0x75 */
      S(L, L, 1), S(L, L, 2), S(L, L, 2), S(L, L, 2), S(L, L, 2), S(L, L, 2),  /* 0x7B */
      S(L, L, 2), S(L, L, 2), S(L, L, 2), S(L, L, 2), S(L, L, 2), S(L, L, 2),  /* 0x81 */
      S(L, L, 2), S(L, L, 2), S(L, L, 2), S(L, L, 2), S(F, F, 1), S(F, F, 1),  /* 0x87 */
      S(F, F, 1), S(F, F, 1), S(F, F, 1), S(F, F, 1), S(F, F, 1), S(F, F, 2),  /* 0x8D */
      S(F, F, 2), S(F, F, 2), S(F, F, 2), S(F, F, 2), S(F, F, 2), S(F, F, 2),  /* 0x93 */
      S(D, D, 1), S(D, D, 1), S(D, D, 1), S(D, D, 1), S(D, D, 1), S(D, D, 1),  /* 0x99 */
      S(D, D, 1), S(D, D, 2), S(D, D, 2), S(D, D, 2), S(D, D, 2), S(D, D, 2),  /* 0x9F */
      S(D, D, 2), S(D, D, 2), S(L, I, 1), S(F, I, 1), S(F, I, 1), S(D, I, 1),  /* 0xA5 */
      S(D, I, 1), S(I, L, 1), S(I, L, 1), S(F, L, 1), S(F, L, 1), S(D, L, 1),  /* 0xAB */
      S(D, L, 1), S(I, F, 1), S(I, F, 1), S(L, F, 1), S(L, F, 1), S(D, F, 1),  /* 0xB1 */
      S(I, D, 1), S(I, D, 1), S(L, D, 1), S(L, D, 1), S(F, D, 1), S(F, I, 1),  /* 0xB7 */
      S(D, L, 1), S(I, F, 1), S(L, D, 1), S(I, I, 1), S(I, I, 1), S(L, L, 1),  /* 0xBD */
      S(L, L, 1), S(L, L, 1),  /* 0xC3 */
  };
#undef S
  if (w >= 0x45 && w <= 0xC4) {
    *in = t[w - 0x45].in;
    *out = t[w - 0x45].out;
    *nin = t[w - 0x45].nin;
    return true;
  }
  /* The saturating truncations 0xFC00..0xFC07: f32 or f64 to i32 or i64. */
  if (w >= 0xFC00 && w <= 0xFC07) {
    *in = (w & 2) ? WM_F64 : WM_F32;
    *out = (w & 4) ? WM_I64 : WM_I32;
    *nin = 1;
    return true;
  }
  return false;
}

/* Natural alignment (log2) and value type of loads/stores 0x28..0x3E. */
static const struct { uint8_t align, type; } memops[] = {
    {2, WM_I32}, {3, WM_I64}, {2, WM_F32}, {3, WM_F64}, {0, WM_I32}, {0, WM_I32},
    {1, WM_I32}, {1, WM_I32}, {0, WM_I64}, {0, WM_I64}, {1, WM_I64}, {1, WM_I64},
    {2, WM_I64}, {2, WM_I64}, {2, WM_I32}, {3, WM_I64}, {2, WM_F32}, {3, WM_F64},
    {0, WM_I32}, {1, WM_I32}, {0, WM_I64}, {1, WM_I64}, {2, WM_I64},
};

void wm__memop_sig(uint8_t w, uint8_t *align, uint8_t *type) {
  *align = memops[w - 0x28].align;
  *type = memops[w - 0x28].type;
}

static bool is_num(uint32_t t) { return t == WM_I32 || t == WM_I64 || t == WM_F32 || t == WM_F64; }
static bool is_ref(uint32_t t) { return wm__is_reftype(t); }
/* Numeric or vector: what untyped select takes. */
static bool is_numvec(uint32_t t) { return is_num(t) || t == WM_V128; }

/* ----------------------------------------------------------------- helpers */

static int mismatch(cstate *c) { return wm__c_invalid(c, "type mismatch"); }

static int rd_table(cstate *c, uint32_t *x) {
  TRY(wm__c_rd_u32(c, x));
  if (*x >= c->mod->ntables) return wm__c_invalid(c, "unknown table %u", *x);
  return 0;
}

/* Push the one result of the instruction being emitted: its destination
** cell is the operand-stack slot the result lives in. */
int wm__c_dest(cstate *c, uint32_t type, uint32_t *res) {
  if (!c->dead) {
    *res = c->ncode;
    TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  }
  return wm__c_push(c, type, own_ref(c, c->nvals));
}

/* Emit `op d a..` where the operands were popped into v[0..n) (bottom
** first). Result d is the new top of the stack. */
int wm__c_emit_res(cstate *c, wm_op op, uint32_t type, const vop *v, int n, uint32_t *res) {
  if (c->dead) return wm__c_push(c, type, own_ref(c, c->nvals));
  TRY(wm__c_head(c, op));
  *res = c->ncode;
  TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  for (int i = 0; i < n; i++) TRY(wm__c_slot(c, v[i].ref));
  return wm__c_push(c, type, own_ref(c, c->nvals));
}

/* Pop three i32 operands into v[0..3). */
static int pop3_i32(cstate *c, vop *v) {
  TRY(wm__c_pop(c, WM_I32, &v[2]));
  TRY(wm__c_pop(c, WM_I32, &v[1]));
  return wm__c_pop(c, WM_I32, &v[0]);
}

/* Pop three operands typed t0, t1, t2 (t2 on top) into v[0..3). */
static int pop3(cstate *c, vop *v, uint32_t t0, uint32_t t1, uint32_t t2) {
  TRY(wm__c_pop(c, t2, &v[2]));
  TRY(wm__c_pop(c, t1, &v[1]));
  return wm__c_pop(c, t0, &v[0]);
}

static int emit_slots(cstate *c, const vop *v, int n) {
  for (int i = 0; i < n; i++) TRY(wm__c_slot(c, v[i].ref));
  return 0;
}

/* --------------------------------------------------------------- numerics */

/* The immediate form (BINK) of a BIN op whose second operand is a
** constant; 0 for none. Subtraction uses the add form with the negated
** constant. */
static const uint16_t imm_form[WM_OP_COUNT_] = {
    [WM_OP_I32_ADD] = WM_OP_I32_ADD_K,     [WM_OP_I32_SUB] = WM_OP_I32_ADD_K,
    [WM_OP_I32_MUL] = WM_OP_I32_MUL_K,     [WM_OP_I32_AND] = WM_OP_I32_AND_K,
    [WM_OP_I32_OR] = WM_OP_I32_OR_K,       [WM_OP_I32_XOR] = WM_OP_I32_XOR_K,
    [WM_OP_I32_SHL] = WM_OP_I32_SHL_K,     [WM_OP_I32_SHR_S] = WM_OP_I32_SHR_S_K,
    [WM_OP_I32_SHR_U] = WM_OP_I32_SHR_U_K, [WM_OP_I32_ROTL] = WM_OP_I32_ROTL_K,
    [WM_OP_I32_ROTR] = WM_OP_I32_ROTR_K,   [WM_OP_I32_EQ] = WM_OP_I32_EQ_K,
    [WM_OP_I32_NE] = WM_OP_I32_NE_K,       [WM_OP_I32_LT_S] = WM_OP_I32_LT_S_K,
    [WM_OP_I32_LT_U] = WM_OP_I32_LT_U_K,   [WM_OP_I32_GT_S] = WM_OP_I32_GT_S_K,
    [WM_OP_I32_GT_U] = WM_OP_I32_GT_U_K,   [WM_OP_I32_LE_S] = WM_OP_I32_LE_S_K,
    [WM_OP_I32_LE_U] = WM_OP_I32_LE_U_K,   [WM_OP_I32_GE_S] = WM_OP_I32_GE_S_K,
    [WM_OP_I32_GE_U] = WM_OP_I32_GE_U_K,   [WM_OP_I64_ADD] = WM_OP_I64_ADD_K,
    [WM_OP_I64_SUB] = WM_OP_I64_ADD_K,     [WM_OP_I64_MUL] = WM_OP_I64_MUL_K,
    [WM_OP_I64_AND] = WM_OP_I64_AND_K,     [WM_OP_I64_OR] = WM_OP_I64_OR_K,
    [WM_OP_I64_XOR] = WM_OP_I64_XOR_K,     [WM_OP_I64_SHL] = WM_OP_I64_SHL_K,
    [WM_OP_I64_SHR_S] = WM_OP_I64_SHR_S_K, [WM_OP_I64_SHR_U] = WM_OP_I64_SHR_U_K,
    [WM_OP_I64_ROTL] = WM_OP_I64_ROTL_K,   [WM_OP_I64_ROTR] = WM_OP_I64_ROTR_K,
};

/* With the constant first, `k op a` is `a op' k`: op itself when it
** commutes, the mirrored compare for the ordered i32 compares, else 0. */
static wm_op swapped(wm_op op) {
  static const wm_op mirror[] = {WM_OP_I32_EQ,   WM_OP_I32_NE,   WM_OP_I32_GT_S, WM_OP_I32_GT_U,
                                 WM_OP_I32_LT_S, WM_OP_I32_LT_U, WM_OP_I32_GE_S, WM_OP_I32_GE_U,
                                 WM_OP_I32_LE_S, WM_OP_I32_LE_U};
  if (op >= WM_OP_I32_EQ && op <= WM_OP_I32_GE_U) return mirror[op - WM_OP_I32_EQ];
  switch (op) {
    case WM_OP_I32_ADD: case WM_OP_I32_MUL: case WM_OP_I32_AND: case WM_OP_I32_OR:
    case WM_OP_I32_XOR: case WM_OP_I64_ADD: case WM_OP_I64_MUL: case WM_OP_I64_AND:
    case WM_OP_I64_OR: case WM_OP_I64_XOR:
      return op;
    default:
      return (wm_op)0;
  }
}

/* Take back the last instruction emitted, to re-emit it fused with the one
** being compiled. Returns the body offset its trap would report (NOPOS if
** it cannot trap), which the fused instruction keeps. */
uint32_t wm__c_retract(cstate *c) {
  uint32_t off = NOPOS;
  if (c->npc && c->pc_cell[c->npc - 1] == c->last_start) off = c->pc_off[--c->npc];
  c->ncode = c->last_start;
  c->nfix = c->last_fix;
  /* The instruction before it is the last again, so that the fused one may
  ** fuse with it in turn (a MOVE before a load whose address add is taken
  ** back). */
  c->last_start = c->last2_start;
  c->last_op = c->last2_op;
  c->last2_start = c->last3_start;
  c->last2_op = c->last3_op;
  c->last3_start = NOPOS;
  while (c->last_fix && c->fix[c->last_fix - 1] >= c->last_start) c->last_fix--;
  return off;
}

/* Record the instruction at cell as able to trap, at the current wasm
** instruction's offset. */
int wm__c_trap_site(cstate *c, uint32_t cell) {
  if (wm__grow((void **)&c->pc_cell, &c->cap_pc, c->npc + 1, sizeof *c->pc_cell) ||
      wm__grow((void **)&c->pc_off, &c->cap_pc2, c->npc + 1, sizeof *c->pc_off))
    return wm__error(c->err, WM_ENOMEM, c->instr_off, NULL);
  c->pc_cell[c->npc] = cell;
  c->pc_off[c->npc++] = c->instr_off;
  wm__c_charge(c); /* it counts against the code limit */
  return 0;
}

/* Emit BIN op on v[0..2) in its immediate form when one operand is a
** constant that fits the 32-bit immediate; returns 1 when it cannot. */
static int emit_imm(cstate *c, wm_op op, uint8_t type, const vop *v, uint32_t *res) {
  uint64_t k;
  vop a = v[0];
  if (!imm_form[op]) return 1;
  if (!wm__c_const(c, v[1].ref, &k)) {
    if (!wm__c_const(c, v[0].ref, &k) || !(op = swapped(op))) return 1;
    a = v[1];
  }
  wm_op kop = (wm_op)imm_form[op];
  if (op == WM_OP_I32_SUB || op == WM_OP_I64_SUB) k = 0 - k;
  if (op >= WM_OP_I64_SHL && op <= WM_OP_I64_ROTR) k &= 63; /* as the op masks it */
  bool is64 = kop >= WM_OP_I64_ADD_K && kop <= WM_OP_I64_ROTR_K;
  if (is64 && (uint64_t)(int64_t)(int32_t)k != k) return 1; /* imm is sign-extended */
  /* A shift by a constant whose result this op takes, just before it: one
  ** instruction. Neither part traps. (x >> sh) & mask, the shift's result
  ** used only here, is a bit-field extraction. (x >> sh) ^ k, the shift
  ** just written to the slot the xor reads (a bit-serial CRC's `crc >> 1`,
  ** tee'd, then xored with the polynomial), still writes the shift's result
  ** there: a local.tee's local or its own stack slot; so does ((x >> sh) &
  ** mask) ^ k, a 16-bit CRC's step (I32_SHR_U_AND_K_XOR_K). Likewise an
  ** add of a literal to the product the last instruction, a multiply by a
  ** literal, has just put in its own stack slot (which nothing else
  ** reads): `x * K1 + K2`, an LCG step or a scaled index; and a mask of a
  ** sum with a literal, `(c - '0') & 255`. */
  uint32_t lr = c->prev_res, ls = c->last_start + WM_HEAD_CELLS;
  bool own = a.ref == own_ref(c, c->nvals) || a.ref == own_ref(c, c->nvals + 1);
  wm_op fused = WM_OP_COUNT_;
  if (kop == WM_OP_I32_AND_K && lr != NOPOS && lr == ls && c->last_op == WM_OP_I32_SHR_U_K &&
      c->code[lr] == a.ref && own)
    fused = WM_OP_I32_SHR_U_AND_K;
  else if (kop == WM_OP_I32_XOR_K && wm__c_fusable(c, WM_OP_I32_SHR_U_K, WM_HEAD_CELLS + 3) &&
           c->code[ls] == a.ref)
    fused = WM_OP_I32_SHR_U_XOR_K;
  else if (kop == WM_OP_I32_XOR_K && wm__c_fusable(c, WM_OP_I32_SHR_U_AND_K, WM_HEAD_CELLS + 4) &&
           c->code[ls] == a.ref)
    fused = WM_OP_I32_SHR_U_AND_K_XOR_K;
  else if (kop == WM_OP_I32_ADD_K && own && lr == ls &&
           wm__c_fusable(c, WM_OP_I32_MUL_K, WM_HEAD_CELLS + 3) && c->code[ls] == a.ref)
    fused = WM_OP_I32_MUL_K_ADD_K;
  else if (kop == WM_OP_I32_AND_K && own && lr == ls &&
           wm__c_fusable(c, WM_OP_I32_ADD_K, WM_HEAD_CELLS + 3) && c->code[ls] == a.ref)
    fused = WM_OP_I32_ADD_K_AND_K;
  if (fused != WM_OP_COUNT_) {
    uint32_t d1 = c->code[ls], x = c->code[ls + 1], imm = c->code[ls + 2];
    uint32_t mask = fused == WM_OP_I32_SHR_U_AND_K_XOR_K ? c->code[ls + 3] : 0;
    wm__c_retract(c);
    TRY(wm__c_head(c, fused));
    if (fused == WM_OP_I32_SHR_U_XOR_K || fused == WM_OP_I32_SHR_U_AND_K_XOR_K) TRY(wm__c_slot(c, d1));
    *res = c->ncode;
    TRY(wm__c_slot(c, own_ref(c, c->nvals)));
    TRY(wm__c_slot(c, x));
    TRY(wm__c_cell(c, imm));
    if (fused == WM_OP_I32_SHR_U_AND_K_XOR_K) TRY(wm__c_cell(c, mask));
    TRY(wm__c_cell(c, (uint32_t)k));
    return wm__c_push(c, type, own_ref(c, c->nvals));
  }
  TRY(wm__c_head(c, kop));
  *res = c->ncode;
  TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  TRY(wm__c_slot(c, a.ref));
  TRY(wm__c_cell(c, (uint32_t)k));
  return wm__c_push(c, type, own_ref(c, c->nvals));
}

/* The BINSH forms: an i32 xor or or of a value that the last instruction,
** a shift or rotation by a constant, has just computed. */
static const struct { uint16_t op, shift, fused; } shift_forms[] = {
    {WM_OP_I32_XOR, WM_OP_I32_SHL_K, WM_OP_I32_XOR_SHL_K},
    {WM_OP_I32_XOR, WM_OP_I32_SHR_U_K, WM_OP_I32_XOR_SHR_U_K},
    {WM_OP_I32_XOR, WM_OP_I32_ROTL_K, WM_OP_I32_XOR_ROTL_K},
    {WM_OP_I32_XOR, WM_OP_I32_ROTR_K, WM_OP_I32_XOR_ROTR_K},
    {WM_OP_I32_OR, WM_OP_I32_SHL_K, WM_OP_I32_OR_SHL_K},
    {WM_OP_I32_OR, WM_OP_I32_SHR_U_K, WM_OP_I32_OR_SHR_U_K},
};

/* The rotation (as I32_SIGMA_K takes it: rotl(x, r) & m) that shift or
** rotation op by k of x is. */
static void as_rotl(wm_op op, uint32_t k, uint32_t *r, uint32_t *m) {
  k &= 31;
  bool left = op == WM_OP_I32_ROTL_K || op == WM_OP_I32_SHL_K;
  *r = left ? k : (32 - k) & 31;
  *m = op == WM_OP_I32_SHL_K ? UINT32_MAX << k : op == WM_OP_I32_SHR_U_K ? UINT32_MAX >> k : UINT32_MAX;
}

/* Rotations of one value xored together (SHA-2's sigmas): the xor of
** `other` with the shift or rotation shop by sh of x, just taken back, where
** other is what the instruction now last has just put in its own stack
** slot -- a rotation of the same x (then shop must be one too), or an
** I32_SIGMA_K of two rotations of it. That instruction is taken back too
** and one I32_SIGMA_K of two or three terms emitted. x must not be the slot
** it wrote (its second reader would see the rotation). None of them traps.
** Returns 1 when not. */
static int emit_sigma(cstate *c, wm_op shop, uint32_t other, uint32_t x, uint32_t sh,
                      uint8_t type, uint32_t *res) {
  wm_op prev = c->last_op;
  bool two = prev == WM_OP_I32_SIGMA_K;
  if (!two && prev != WM_OP_I32_ROTL_K && prev != WM_OP_I32_ROTR_K) return 1;
  if (!two && shop != WM_OP_I32_ROTL_K && shop != WM_OP_I32_ROTR_K) return 1;
  if (other != own_ref(c, c->nvals) || other == x) return 1;
  if (!wm__c_fusable(c, prev, WM_HEAD_CELLS + (two ? 6 : 3))) return 1;
  const uint32_t *p = &c->code[c->last_start + WM_HEAD_CELLS];
  if (p[0] != other || p[1] != x || (two && p[5] != 0)) return 1;
  uint32_t t[4] = {0, 0, 0, 0}, m;
  if (two) {
    t[0] = p[2];
    t[1] = p[3];
    as_rotl(shop, sh, &t[2], &t[3]);
  } else {
    as_rotl(prev, p[2], &t[0], &m);
    as_rotl(shop, sh, &t[1], &m);
  }
  wm__c_retract(c);
  TRY(wm__c_head(c, WM_OP_I32_SIGMA_K));
  *res = c->ncode;
  TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  TRY(wm__c_slot(c, x));
  for (int k = 0; k < 4; k++) TRY(wm__c_cell(c, t[k]));
  return wm__c_push(c, type, own_ref(c, c->nvals));
}

/* Is an operand of a binary op on v[0..2) the value the last instruction
** has just put in its own stack slot `wrote` (the top, v[1], or, when the op
** commutes, v[0] with v[1] pushed after it, so not a slot that instruction
** wrote)? Then *other is the op's other operand. */
static bool fresh_operand(const cstate *c, const vop *v, uint32_t wrote, bool commutes,
                          uint32_t *other) {
  if (v[1].ref == own_ref(c, c->nvals + 1) && wrote == v[1].ref)
    *other = v[0].ref;
  else if (commutes && v[0].ref == own_ref(c, c->nvals) && wrote == v[0].ref)
    *other = v[1].ref;
  else
    return false;
  return true;
}

/* When an operand of BIN op on v[0..2) is the value the last instruction
** (a shift in shift_forms) has just put in its own stack slot, used only
** here, take the shift back and emit the BINSH form. Both ops commute, so
** the shifted value may be either operand. Returns 1 when not. Shifts do
** not trap: there is no trap location to keep. */
static int emit_shift_op(cstate *c, wm_op op, uint8_t type, const vop *v, uint32_t *res) {
  unsigned i = 0, n = sizeof shift_forms / sizeof *shift_forms;
  if (c->prev_res == NOPOS || c->prev_res != c->last_start + WM_HEAD_CELLS) return 1;
  while (i < n && (shift_forms[i].op != op || shift_forms[i].shift != c->last_op)) i++;
  uint32_t lr = c->prev_res, s = c->last_start;
  if (i == n || lr == NOPOS || lr != s + WM_HEAD_CELLS) return 1;
  uint32_t other;
  if (!fresh_operand(c, v, c->code[lr], true, &other)) return 1;
  uint32_t x = c->code[s + 3], sh = c->code[s + 4];
  wm__c_retract(c);
  if (op == WM_OP_I32_XOR) {
    int rc = emit_sigma(c, (wm_op)shift_forms[i].shift, other, x, sh, type, res);
    if (rc != 1) return rc;
  }
  TRY(wm__c_head(c, (wm_op)shift_forms[i].fused));
  *res = c->ncode;
  TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  TRY(wm__c_slot(c, other));
  TRY(wm__c_slot(c, x));
  TRY(wm__c_cell(c, sh));
  return wm__c_push(c, type, own_ref(c, c->nvals));
}

/* The BINLD forms: BIN op, the load of its type, and whether the loaded
** value may be the first operand too. The first ones, in the order of the
** BINRMW forms, have those; the byte forms after them have none. */
static const struct { uint16_t op, load, fused; bool commutes; } load_forms[] = {
    {WM_OP_I32_ADD, WM_OP_I32_LOAD, WM_OP_I32_ADD_LD, true},
    {WM_OP_I32_SUB, WM_OP_I32_LOAD, WM_OP_I32_SUB_LD, false},
    {WM_OP_I32_MUL, WM_OP_I32_LOAD, WM_OP_I32_MUL_LD, true},
    {WM_OP_I32_AND, WM_OP_I32_LOAD, WM_OP_I32_AND_LD, true},
    {WM_OP_I32_OR, WM_OP_I32_LOAD, WM_OP_I32_OR_LD, true},
    {WM_OP_I32_XOR, WM_OP_I32_LOAD, WM_OP_I32_XOR_LD, true},
    {WM_OP_I64_ADD, WM_OP_I64_LOAD, WM_OP_I64_ADD_LD, true},
    {WM_OP_I64_SUB, WM_OP_I64_LOAD, WM_OP_I64_SUB_LD, false},
    {WM_OP_I64_MUL, WM_OP_I64_LOAD, WM_OP_I64_MUL_LD, true},
    {WM_OP_I64_AND, WM_OP_I64_LOAD, WM_OP_I64_AND_LD, true},
    {WM_OP_I64_OR, WM_OP_I64_LOAD, WM_OP_I64_OR_LD, true},
    {WM_OP_I64_XOR, WM_OP_I64_LOAD, WM_OP_I64_XOR_LD, true},
    {WM_OP_F32_ADD, WM_OP_F32_LOAD, WM_OP_F32_ADD_LD, true},
    {WM_OP_F32_SUB, WM_OP_F32_LOAD, WM_OP_F32_SUB_LD, false},
    {WM_OP_F32_MUL, WM_OP_F32_LOAD, WM_OP_F32_MUL_LD, true},
    {WM_OP_F64_ADD, WM_OP_F64_LOAD, WM_OP_F64_ADD_LD, true},
    {WM_OP_F64_SUB, WM_OP_F64_LOAD, WM_OP_F64_SUB_LD, false},
    {WM_OP_F64_MUL, WM_OP_F64_LOAD, WM_OP_F64_MUL_LD, true},
    {WM_OP_I32_XOR, WM_OP_I32_LOAD8_U, WM_OP_I32_XOR_LD8_U, true},
    {WM_OP_I32_ADD, WM_OP_I32_LOAD8_U, WM_OP_I32_ADD_LD8_U, true},
};

/* When an operand of BIN op on v[0..2) is the value that the last
** instruction, a LOAD or LOADK of the op's type, has just put in its own
** slot, take the load back and emit the BINLD form. Returns 1 when not.
** (IEEE add and mul commute exactly; only a NaN's payload may differ, which
** wasm leaves nondeterministic.) */
_Static_assert(WM_OP_I32_LOAD8_U_K - WM_OP_I32_LOAD_K == WM_OP_I32_LOAD8_U - WM_OP_I32_LOAD,
               "the K forms of the loads are in the loads' order");
static int emit_load_op(cstate *c, wm_op op, uint8_t type, const vop *v, uint32_t *res) {
  unsigned i = 0, n = sizeof load_forms / sizeof *load_forms;
  wm_op ld = WM_OP_COUNT_, ldk = WM_OP_COUNT_, l = c->last_op;
  if (c->prev_res == NOPOS || c->prev_res != c->last_start + WM_HEAD_CELLS) return 1;
  /* Every load in the table is one of the first six, or its K form. */
  if (!(l >= WM_OP_I32_LOAD && l <= WM_OP_I32_LOAD8_U) &&
      !(l >= WM_OP_I32_LOAD_K && l <= WM_OP_I32_LOAD8_U_K))
    return 1;
  for (; i < n; i++) {
    ld = (wm_op)load_forms[i].load;
    ldk = (wm_op)(WM_OP_I32_LOAD_K + (ld - WM_OP_I32_LOAD));
    if (load_forms[i].op == op && (c->last_op == ld || c->last_op == ldk)) break;
  }
  uint32_t lr = c->prev_res, s = c->last_start;
  if (i == n || lr == NOPOS || lr != s + WM_HEAD_CELLS) return 1;
  uint32_t other;
  if (!fresh_operand(c, v, c->code[lr], load_forms[i].commutes, &other)) return 1;
  bool k = c->last_op == ldk;
  uint32_t base = c->code[s + 3], imm = k ? c->code[s + 4] : 0, off = c->code[k ? s + 5 : s + 4];
  uint32_t trap_off = wm__c_retract(c);
  if (load_forms[i].fused == WM_OP_F32_MUL_LD || load_forms[i].fused == WM_OP_F64_MUL_LD) {
    c->mul_start = c->ncode;
    c->pre_mul_start = c->last_start;
    c->pre_mul_op = c->last_op;
  }
  TRY(wm__c_head(c, (wm_op)load_forms[i].fused));
  if (trap_off != NOPOS) c->pc_off[c->npc - 1] = trap_off; /* the load's, for its trap */
  *res = c->ncode;
  TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  TRY(wm__c_slot(c, other));
  TRY(wm__c_slot(c, base));
  TRY(wm__c_cell(c, imm));
  TRY(wm__c_cell(c, off));
  return wm__c_push(c, type, own_ref(c, c->nvals));
}

/* The i32 multiplies whose product the next i32.add may take (an
** accumulation `s += a * b[k]`, an index `i * n + j`), their fused forms,
** their operand cells after d and how many of those are slots. */
static const struct { uint16_t mul, fused; uint8_t ncells, nslots; } mul_add_forms[] = {
    {WM_OP_I32_MUL, WM_OP_I32_MUL_ADD, 2, 2},
    {WM_OP_I32_MUL_K, WM_OP_I32_MUL_K_ADD, 2, 1},
    {WM_OP_I32_MUL_LD, WM_OP_I32_MUL_LD_ADD, 4, 2},
};

/* An i32.add of the product that the last instruction, an i32 multiply, has
** just put in its own stack slot, and of another operand that is not a
** constant (that add stays an I32_ADD_K): take the multiply back and emit
** its MUL_ADD form, the add's slot as d, the other operand appended. The
** product's slot is above the stack after the add, so nothing reads it.
** I32_MUL_LD_ADD keeps the load's trap location. Returns 1 when not. */
static int emit_mul_add(cstate *c, const vop *v, uint32_t *res) {
  unsigned i = 0, n = sizeof mul_add_forms / sizeof *mul_add_forms;
  if (c->prev_res == NOPOS || c->prev_res != c->last_start + WM_HEAD_CELLS) return 1;
  while (i < n && mul_add_forms[i].mul != c->last_op) i++;
  uint32_t lr = c->prev_res, s = c->last_start, other, m[4];
  if (i == n || lr == NOPOS || lr != s + WM_HEAD_CELLS) return 1;
  if (!fresh_operand(c, v, c->code[lr], true, &other)) return 1;
  uint64_t k;
  if (wm__c_const(c, other, &k)) return 1;
  for (unsigned j = 0; j < mul_add_forms[i].ncells; j++) m[j] = c->code[lr + 1 + j];
  uint32_t trap_off = wm__c_retract(c);
  TRY(wm__c_head(c, (wm_op)mul_add_forms[i].fused));
  if (trap_off != NOPOS) c->pc_off[c->npc - 1] = trap_off; /* the load's, for its trap */
  *res = c->ncode;
  TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  for (unsigned j = 0; j < mul_add_forms[i].ncells; j++)
    TRY(j < mul_add_forms[i].nslots ? wm__c_slot(c, m[j]) : wm__c_cell(c, m[j]));
  TRY(wm__c_slot(c, other));
  return wm__c_push(c, WM_I32, own_ref(c, c->nvals));
}

/* An i32.and of the complement (`x ^ -1`) that the last instruction, an
** I32_XOR_K of -1, has just put in its own stack slot: take it back and
** emit I32_ANDN of the other operand and x (SHA-2's choice, `g & ~e`).
** Neither traps. Returns 1 when not. */
static int emit_andn(cstate *c, const vop *v, uint32_t *res) {
  uint32_t lr = c->prev_res, ls = c->last_start + WM_HEAD_CELLS, other;
  if (lr != ls || !wm__c_fusable(c, WM_OP_I32_XOR_K, WM_HEAD_CELLS + 3) ||
      c->code[ls + 2] != UINT32_MAX)
    return 1;
  if (!fresh_operand(c, v, c->code[ls], true, &other)) return 1;
  uint32_t x = c->code[ls + 1];
  wm__c_retract(c);
  TRY(wm__c_head(c, WM_OP_I32_ANDN));
  *res = c->ncode;
  TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  TRY(wm__c_slot(c, other));
  TRY(wm__c_slot(c, x));
  return wm__c_push(c, WM_I32, own_ref(c, c->nvals));
}

/* Is the instruction at `start` an i32 BIN `op` of 3 cells ending at `end`,
** with no label at end? */
static bool bin_at(const cstate *c, uint32_t start, wm_op op, wm_op want, uint32_t end) {
  return start != NOPOS && op == want && start + WM_HEAD_CELLS + 3 == end && c->label_cell != end;
}

/* SHA-2's majority as clang writes it, `((x ^ y) & z) ^ (x & y)`: an
** i32.xor of two values on the stack, s0 = v[0] and s1 = v[1], where the
** last three instructions are `I32_XOR t x y` (t is s0, or s1 when z was
** pushed first), `I32_AND s0 t z` (either order) and `I32_AND s1 x y`
** (either order), in a row with no label between. All three are taken back and one I32_MAJ emitted. x, y and z
** must not be s0 or s1, so that each holds the same value where the three
** read it (only s0 and s1 are written in between). None of them traps.
** Returns 1 when not. */
static int emit_maj(cstate *c, const vop *v, uint32_t *res) {
  uint32_t s0 = own_ref(c, c->nvals), s1 = own_ref(c, c->nvals + 1);
  uint32_t a3 = c->last3_start, a2 = c->last2_start, a1 = c->last_start;
  if (v[0].ref != s0 || v[1].ref != s1 || c->prev_res != a1 + WM_HEAD_CELLS ||
      !bin_at(c, a1, c->last_op, WM_OP_I32_AND, c->ncode) ||
      !bin_at(c, a2, c->last2_op, WM_OP_I32_AND, a1) ||
      !bin_at(c, a3, c->last3_op, WM_OP_I32_XOR, a2))
    return 1;
  const uint32_t *p1 = &c->code[a1 + WM_HEAD_CELLS], *p2 = &c->code[a2 + WM_HEAD_CELLS],
                 *p3 = &c->code[a3 + WM_HEAD_CELLS];
  uint32_t t = p3[0]; /* s0, or s1 when z came first (`z (x ^ y) and`) */
  if (p1[0] != s1 || p2[0] != s0 || (t != s0 && t != s1)) return 1;
  if (p2[1] != t && p2[2] != t) return 1;
  uint32_t x = p3[1], y = p3[2], z = p2[1] == t ? p2[2] : p2[1];
  if (!((p1[1] == x && p1[2] == y) || (p1[1] == y && p1[2] == x))) return 1;
  const uint32_t r[3] = {x, y, z};
  for (int i = 0; i < 3; i++)
    if (r[i] == s0 || r[i] == s1) return 1;
  for (int i = 0; i < 3; i++) wm__c_retract(c);
  TRY(wm__c_head(c, WM_OP_I32_MAJ));
  *res = c->ncode;
  TRY(wm__c_slot(c, s0));
  for (int i = 0; i < 3; i++) TRY(wm__c_slot(c, r[i]));
  return wm__c_push(c, WM_I32, s0);
}

/* An i32 division or remainder by a constant k other than 0 and +-1 (a
** literal divisor: `n / 10`, a pointer difference over an element size):
** the _K form, which multiplies by the reciprocal m = ceil(2^64 / |k|)
** and cannot trap. Returns 1 when not. */
static int emit_divk(cstate *c, wm_op op, const vop *v, uint32_t *res) {
  static const wm_op kform[] = {WM_OP_I32_DIV_S_K, WM_OP_I32_DIV_U_K, WM_OP_I32_REM_S_K,
                                WM_OP_I32_REM_U_K};
  uint64_t k64;
  if (op < WM_OP_I32_DIV_S || op > WM_OP_I32_REM_U || !wm__c_const(c, v[1].ref, &k64)) return 1;
  uint32_t k = (uint32_t)k64;
  bool sign = op == WM_OP_I32_DIV_S || op == WM_OP_I32_REM_S;
  uint32_t mag = sign && (k >> 31) ? 0u - k : k;
  if (mag < 2) return 1; /* 0 traps; 1 and -1 are left as they are */
  uint64_t m = UINT64_MAX / mag + 1;
  TRY(wm__c_head(c, kform[op - WM_OP_I32_DIV_S]));
  *res = c->ncode;
  TRY(wm__c_slot(c, own_ref(c, c->nvals)));
  TRY(wm__c_slot(c, v[0].ref));
  TRY(wm__c_cell(c, (uint32_t)m));
  TRY(wm__c_cell(c, (uint32_t)(m >> 32)));
  TRY(wm__c_cell(c, k));
  return wm__c_push(c, WM_I32, own_ref(c, c->nvals));
}

static int numeric(cstate *c, uint32_t w, uint32_t *res) {
  uint8_t in, out;
  int nin;
  if (!wm__numeric_sig(w, &in, &out, &nin)) return 1;
  vop v[2];
  if (nin == 2) TRY(wm__c_pop(c, in, &v[1]));
  TRY(wm__c_pop(c, in, &v[0]));
  if (w == 0xA7 || (w >= 0xBC && w <= 0xBF)) /* wrap, reinterpret: free */
    return wm__c_push(c, out, c->dead ? own_ref(c, c->nvals) : v[0].ref);
  wm_op op;
  if (!lookup(w, &op)) return 1;
  if (nin == 2 && !c->dead) {
    int rc = op == WM_OP_I32_ADD   ? emit_mul_add(c, v, res)
             : op == WM_OP_I32_AND ? emit_andn(c, v, res)
             : op == WM_OP_I32_XOR ? emit_maj(c, v, res)
                                   : 1;
    if (rc == 1) rc = emit_load_op(c, op, out, v, res);
    if (rc == 1) rc = emit_shift_op(c, op, out, v, res);
    if (rc == 1) rc = emit_imm(c, op, out, v, res);
    if (rc == 1) rc = emit_divk(c, op, v, res);
    if (rc != 1) return rc;
  }
  return wm__c_emit_res(c, op, out, v, nin, res);
}

/* ------------------------------------------------------------------ memory */

/* When the address operand (ref, on top of the stack after the pops) is the
** result of the last instruction emitted, `I32_ADD_K addr base imm` or
** `I32_ADD addr base x`, that instruction is taken back: the caller emits
** the access in its K or X form, which does the same 32-bit add. The value
** operand of a store may sit in between only if it emitted nothing, which
** prev_res ensures. Returns the K or X form of op, or op itself. */
bool wm__c_take_address_add(cstate *c, uint32_t ref, bool imm_only, uint32_t *base,
                            uint32_t *disp) {
  uint32_t lr = c->prev_res;
  if (lr == NOPOS || ref != own_ref(c, c->nvals) || c->code[lr] != ref) return false;
  if (lr != c->last_start + WM_HEAD_CELLS) return false;
  if (c->last_op != WM_OP_I32_ADD_K && (imm_only || c->last_op != WM_OP_I32_ADD)) return false;
  *base = c->code[lr + 1];
  *disp = c->code[lr + 2];
  wm__c_retract(c);
  return true;
}

static wm_op fold_address(cstate *c, wm_op op, uint32_t ref, uint32_t *base, uint32_t *disp) {
  bool k = c->last_op == WM_OP_I32_ADD_K;
  if (!wm__c_take_address_add(c, ref, false, base, disp)) return op;
  return (wm_op)((k ? WM_OP_I32_LOAD_K : WM_OP_I32_LOAD_X) + (op - WM_OP_I32_LOAD));
}

/* The add of emit_rmw (a BINRMW of `base`, memarg offset `offset`, whose
** load reports trap_off) on the result of the last instruction, a float
** BINLD multiply `mul` with no label between: take the multiply back too
** and emit MUL_ADD_RMW. Its head's cell records the multiply's trap
** location, the next cell the add's (the handler steps ip onto it). An
** i32 add or add of a literal just before the multiply, with no label
** between (matmul's `c + j` tee'd into a local), is taken back too and
** runs first in the ADD_ or ADDK_ form, whose second access is 4 cells in. */
static int emit_mul_add_rmw(cstate *c, wm_op mul, uint32_t base, uint32_t offset,
                            uint32_t trap_off) {
  uint32_t s = c->last_start, m[5], pre[3];
  for (int k = 0; k < 5; k++) m[k] = c->code[s + WM_HEAD_CELLS + k];
  uint32_t mul_off = wm__c_retract(c);
  bool f64 = mul == WM_OP_F64_MUL_LD;
  wm_op op = f64 ? WM_OP_F64_MUL_ADD_RMW : WM_OP_F32_MUL_ADD_RMW;
  /* The add, if the instruction before the multiply was one, right before
  ** it (the loads the multiply and the add absorbed took the history of
  ** the last two instructions with them: emit_load_op noted it), with no
  ** label at the multiply and no trap location at or after it. */
  uint32_t p = c->pre_mul_start;
  bool addx = c->pre_mul_op == WM_OP_I32_ADD;
  if (c->mul_start == s && p != NOPOS && p + WM_HEAD_CELLS + 3 == s && c->label_cell != s &&
      (addx || c->pre_mul_op == WM_OP_I32_ADD_K) && (!c->npc || c->pc_cell[c->npc - 1] < p)) {
    for (int k = 0; k < 3; k++) pre[k] = c->code[p + WM_HEAD_CELLS + k];
    c->ncode = p; /* an add does not trap: no location to take back */
    while (c->nfix && c->fix[c->nfix - 1] >= p) c->nfix--;
    c->last_start = c->last2_start = c->last3_start = NOPOS;
    op = addx ? (f64 ? WM_OP_F64_ADD_MUL_ADD_RMW : WM_OP_F32_ADD_MUL_ADD_RMW)
              : (f64 ? WM_OP_F64_ADDK_MUL_ADD_RMW : WM_OP_F32_ADDK_MUL_ADD_RMW);
  }
  bool prefixed = op != WM_OP_F64_MUL_ADD_RMW && op != WM_OP_F32_MUL_ADD_RMW;
  TRY(wm__c_head(c, op));
  if (mul_off != NOPOS) c->pc_off[c->npc - 1] = mul_off;
  TRY(wm__c_trap_site(c, c->last_start + (prefixed ? 4 : 1)));
  if (trap_off != NOPOS) c->pc_off[c->npc - 1] = trap_off;
  if (prefixed) {
    TRY(wm__c_slot(c, pre[0]));
    TRY(wm__c_slot(c, pre[1]));
    TRY(addx ? wm__c_slot(c, pre[2]) : wm__c_cell(c, pre[2]));
  }
  for (int k = 0; k < 3; k++) TRY(wm__c_slot(c, m[k]));
  TRY(wm__c_cell(c, m[3]));
  TRY(wm__c_cell(c, m[4]));
  TRY(wm__c_slot(c, base));
  return wm__c_cell(c, offset);
}

/* A store of the value the last instruction, a BINLD, has just computed
** into its own slot, to the very address it loaded from (same base slot,
** no displacement, same offset and width): take the BINLD back and emit its
** BINRMW form. Returns 1 when not. */
static int emit_rmw(cstate *c, wm_op store, const vop *v, uint32_t offset) {
  uint32_t lr = c->prev_res, s = c->last_start, i;
  uint32_t n = WM_OP_F64_MUL_RMW - WM_OP_I32_ADD_RMW + 1; /* the forms that have one */
  if (lr == NOPOS || lr != s + WM_HEAD_CELLS) return 1;
  for (i = 0; i < n && load_forms[i].fused != c->last_op; i++) {}
  if (i == n || store != (wm_op)(load_forms[i].load + (WM_OP_I32_STORE - WM_OP_I32_LOAD))) return 1;
  if (v[1].ref != own_ref(c, c->nvals + 1) || c->code[lr] != v[1].ref) return 1;
  uint32_t a = c->code[s + 3], base = c->code[s + 4];
  if (v[0].ref != base || c->code[s + 5] != 0 || c->code[s + 6] != offset) return 1;
  uint32_t trap_off = wm__c_retract(c);
  wm_op mul = c->last_op == WM_OP_F64_MUL_LD ? WM_OP_F64_MUL_LD : WM_OP_F32_MUL_LD;
  if ((wm_op)load_forms[i].fused == mul + (WM_OP_F64_ADD_LD - WM_OP_F64_MUL_LD) &&
      wm__c_fusable(c, mul, WM_HEAD_CELLS + 5) && c->code[c->last_start + WM_HEAD_CELLS] == a)
    return emit_mul_add_rmw(c, mul, base, offset, trap_off);
  TRY(wm__c_head(c, (wm_op)(WM_OP_I32_ADD_RMW + (load_forms[i].fused - WM_OP_I32_ADD_LD))));
  if (trap_off != NOPOS) c->pc_off[c->npc - 1] = trap_off;
  TRY(wm__c_slot(c, a));
  TRY(wm__c_slot(c, base));
  TRY(wm__c_cell(c, 0));
  return wm__c_cell(c, offset);
}

/* A table lookup: the I32_LOAD_K (or I32_LOAD, disp 0) being emitted
** (displacement disp, memarg offset) reads at the result of the instruction
** at s, an I32_SHL_K into the address's own stack slot, which nothing else
** reads, with no label between. The shift becomes an I32_LOAD_SHL_K in place: `d a sh` are
** already its first cells (d, the address's slot, is the load's
** destination too). It gets the load's trap location. */
static int emit_load_shl(cstate *c, uint32_t s, uint32_t disp, uint32_t offset, uint32_t *res) {
  uint64_t h = wm__op_head(WM_OP_I32_LOAD_SHL_K, c->mod->loop);
  c->code[s] = (uint32_t)h;
  c->code[s + 1] = (uint32_t)(h >> 32);
  c->last_start = s;
  c->last_op = WM_OP_I32_LOAD_SHL_K;
  c->last2_start = c->last3_start = NOPOS;
  c->last_fix = c->nfix;
  while (c->last_fix && c->fix[c->last_fix - 1] >= s) c->last_fix--;
  TRY(wm__c_trap_site(c, s));
  *res = s + WM_HEAD_CELLS;
  TRY(wm__c_cell(c, disp));
  TRY(wm__c_cell(c, offset));
  return wm__c_push(c, WM_I32, own_ref(c, c->nvals));
}

/* The loads that take a MOVE just before them as a prefix: `q = p` then
** `p = p->next` in a list walk, a local.tee of the address. */
static const struct { uint16_t load, fused; } move_loads[] = {
    {WM_OP_I32_LOAD, WM_OP_MOVE_I32_LOAD},
    {WM_OP_I32_LOAD_K, WM_OP_MOVE_I32_LOAD_K},
    {WM_OP_I32_LOAD8_U_K, WM_OP_MOVE_I32_LOAD8_U_K},
};

/* Start load `form`, whose operand cells follow. After a MOVE with no label
** between, the MOVE's head becomes the fused form's (its `d1 a1` stay as
** the first operands) and the load's trap location is recorded at it. */
static int load_head(cstate *c, wm_op form) {
  for (unsigned i = 0; i < sizeof move_loads / sizeof *move_loads; i++) {
    if (move_loads[i].load != form || !wm__c_fusable(c, WM_OP_MOVE, WM_HEAD_CELLS + 2)) continue;
    uint32_t s = c->last_start;
    uint64_t h = wm__op_head((wm_op)move_loads[i].fused, c->mod->loop);
    c->code[s] = (uint32_t)h;
    c->code[s + 1] = (uint32_t)(h >> 32);
    c->last_op = (wm_op)move_loads[i].fused;
    c->last2_start = c->last3_start = NOPOS;
    return wm__c_trap_site(c, s);
  }
  return wm__c_head(c, form);
}

/* An i32.store of `value` right after a MOVE_I32_LOAD `d1 a1 d a off`
** with no label between, to address d1 and the same offset, where d1
** holds the address the load read (a is a1 or d1; the load wrote another
** slot): `n = l->next; l->next = r` in a list reversal. The MOVE_I32_LOAD
** becomes a MOVE_I32_LOAD_STORE in place, with the store's trap location
** at its second cell (the load's bounds check covers the store; the
** checker reports the store there). Returns 1 when not. */
static int emit_load_store(cstate *c, uint32_t addr, uint32_t value, uint32_t offset) {
  if (!wm__c_fusable(c, WM_OP_MOVE_I32_LOAD, WM_HEAD_CELLS + 5)) return 1;
  uint32_t s = c->last_start, *o = &c->code[s + WM_HEAD_CELLS];
  if (addr != o[0] || o[2] == o[0] || (o[3] != o[1] && o[3] != o[0]) || o[4] != offset) return 1;
  uint64_t h = wm__op_head(WM_OP_MOVE_I32_LOAD_STORE, c->mod->loop);
  c->code[s] = (uint32_t)h;
  c->code[s + 1] = (uint32_t)(h >> 32);
  c->last_op = WM_OP_MOVE_I32_LOAD_STORE;
  c->last2_start = c->last3_start = NOPOS;
  TRY(wm__c_trap_site(c, s + 1));
  return wm__c_slot(c, value);
}

/* The displacement cell of a K or X form: an immediate or a slot. */
static int emit_disp(cstate *c, wm_op form, uint32_t disp) {
  return op_class[form] == C_LOADX || op_class[form] == C_STOREX ? wm__c_slot(c, disp)
                                                                 : wm__c_cell(c, disp);
}

static int load_store(cstate *c, uint8_t w, uint32_t *res) {
  uint32_t offset;
  unsigned k = w - 0x28;
  TRY(wm__c_memarg(c, memops[k].align, false, &offset));
  /* Nothing fuses with a MEMORY_SELECT, nor with ADDR64. */
  bool fuse = !c->mem_open && !c->mem64;
  wm_op op;
  if (!lookup(w, &op)) return 1;
  vop v[2];
  uint32_t base = 0, disp = 0; /* set by fold_address (GCC cannot tell) */
  if (op_class[op] == C_LOAD) {
    TRY(wm__c_pop(c, wm__c_addr_t(c), &v[0]));
    if (c->dead) return wm__c_push(c, memops[k].type, own_ref(c, c->nvals));
    TRY(wm__c_addr64(c, &v[0]));
    if (!fuse) {
      TRY(wm__c_head(c, op));
      TRY(wm__c_dest(c, memops[k].type, res));
      TRY(wm__c_slot(c, v[0].ref));
      return wm__c_cell(c, offset);
    }
    uint32_t s2 = c->last2_start;
    wm_op op2 = c->last2_op;
    if (op == WM_OP_I32_LOAD && c->last_op == WM_OP_I32_SHL_K && c->prev_res != NOPOS &&
        c->prev_res == c->last_start + WM_HEAD_CELLS && c->code[c->prev_res] == v[0].ref &&
        v[0].ref == own_ref(c, c->nvals))
      return emit_load_shl(c, c->last_start, 0, offset, res); /* no displacement */
    wm_op form = fold_address(c, op, v[0].ref, &base, &disp);
    if (form == WM_OP_I32_LOAD_K && s2 != NOPOS && op2 == WM_OP_I32_SHL_K &&
        c->ncode == s2 + WM_HEAD_CELLS + 3 && c->label_cell != c->ncode &&
        base == v[0].ref && c->code[s2 + WM_HEAD_CELLS] == base)
      return emit_load_shl(c, s2, disp, offset, res);
    if (form != op) {
      TRY(load_head(c, form));
      TRY(wm__c_dest(c, memops[k].type, res));
      TRY(wm__c_slot(c, base));
      TRY(emit_disp(c, form, disp));
      return wm__c_cell(c, offset);
    }
    TRY(load_head(c, op));
    TRY(wm__c_dest(c, memops[k].type, res));
    TRY(wm__c_slot(c, v[0].ref));
    return wm__c_cell(c, offset);
  }
  TRY(wm__c_pop(c, memops[k].type, &v[1]));
  TRY(wm__c_pop(c, wm__c_addr_t(c), &v[0]));
  if (c->dead) return 0;
  TRY(wm__c_addr64(c, &v[0]));
  int rc = fuse ? emit_rmw(c, op, v, offset) : 1;
  if (rc == 1 && fuse && op == WM_OP_I32_STORE) rc = emit_load_store(c, v[0].ref, v[1].ref, offset);
  if (rc != 1) return rc;
  wm_op form = fuse ? fold_address(c, op, v[0].ref, &base, &disp) : op;
  if (form != op) {
    TRY(wm__c_head(c, form));
    TRY(wm__c_slot(c, base));
    TRY(emit_disp(c, form, disp));
    TRY(wm__c_slot(c, v[1].ref));
    return wm__c_cell(c, offset);
  }
  TRY(wm__c_head(c, op));
  TRY(emit_slots(c, v, 2));
  return wm__c_cell(c, offset);
}

/* ------------------------------------------------------------ entry points */

int wm__c_simple_op(cstate *c, uint8_t w, uint32_t *res) {
  wm_module *mod = c->mod;
  vop v[3];
  uint32_t x;
  if (w >= 0x45 && w <= 0xC4) return numeric(c, w, res);
  if (w >= 0x28 && w <= 0x3E) return load_store(c, w, res);
  switch (w) {
    case 0x1B: case 0x1C: { /* select, select t */
      uint32_t t = 0;
      if (w == 0x1C) {
        uint32_t n;
        TRY(wm__c_rd_u32(c, &n));
        if (n != 1) return wm__c_invalid(c, "invalid result arity");
        TRY(wm__c_rd_type(c, false, &t));
      }
      TRY(wm__c_pop(c, WM_I32, &v[2]));
      TRY(wm__c_pop(c, t, &v[1]));
      TRY(wm__c_pop(c, t, &v[0]));
      if (!t) {
        uint32_t a = v[0].type, b = v[1].type;
        if ((a && !is_numvec(a)) || (b && !is_numvec(b))) return mismatch(c);
        if (a && b && a != b) return mismatch(c);
        t = a ? a : b;
      }
      uint32_t lr = c->prev_res;
      if (!c->dead && t && t != WM_V128 && c->last_op == WM_OP_I32_AND_K && lr != NOPOS &&
          lr == c->last_start + WM_HEAD_CELLS && c->code[lr] == v[2].ref &&
          v[2].ref == own_ref(c, c->nvals + 2)) {
        /* A select on a bit test that nothing else reads: one SELECT_AND_K.
        ** Neither part traps. */
        uint32_t x = c->code[lr + 1], mask = c->code[lr + 2];
        wm__c_retract(c);
        /* When the bit tested is of an xor, shifted or not, that only the
        ** test reads (`(crc ^ (v >> k)) & 1`), that goes in too:
        ** SELECT_XOR_AND_K. */
        uint32_t s = c->last_start + WM_HEAD_CELLS, y[3] = {x, 0, 0};
        bool xs = wm__c_fusable(c, WM_OP_I32_XOR_SHR_U_K, WM_HEAD_CELLS + 4);
        bool of_xor = (xs || wm__c_fusable(c, WM_OP_I32_XOR, WM_HEAD_CELLS + 3)) && c->code[s] == x &&
                   x == own_ref(c, c->nvals + 2);
        if (of_xor) {
          y[0] = c->code[s + 1];
          y[1] = c->code[s + 2];
          y[2] = xs ? c->code[s + 3] : 0;
          wm__c_retract(c);
        }
        /* A bit-serial CRC's step before it (`(crc >> 1) ^ poly`, the
        ** select's arms), with no label between: the pair is one
        ** instruction, the shift's head rewritten in place. */
        wm_op step = WM_OP_COUNT_;
        if (of_xor && wm__c_fusable(c, WM_OP_I32_SHR_U_XOR_K, WM_HEAD_CELLS + 5))
          step = WM_OP_I32_SHR_U_XOR_K_SELECT;
        if (of_xor && wm__c_fusable(c, WM_OP_I32_SHR_U_AND_K_XOR_K, WM_HEAD_CELLS + 6))
          step = WM_OP_I32_SHR_U_AND_K_XOR_K_SELECT; /* with the mask */
        if (step != WM_OP_COUNT_) {
          wm__c_rehead(c, step);
        } else {
          TRY(wm__c_head(c, of_xor ? WM_OP_SELECT_XOR_AND_K : WM_OP_SELECT_AND_K));
        }
        *res = c->ncode;
        TRY(wm__c_slot(c, own_ref(c, c->nvals)));
        TRY(wm__c_slot(c, v[0].ref));
        TRY(wm__c_slot(c, v[1].ref));
        TRY(wm__c_slot(c, y[0]));
        if (of_xor) TRY(wm__c_slot(c, y[1]));
        if (of_xor) TRY(wm__c_cell(c, y[2]));
        TRY(wm__c_cell(c, mask));
        return wm__c_push(c, t, own_ref(c, c->nvals));
      }
      wm_op lo = c->last_op;
      bool by_slot = lo >= WM_OP_I32_EQ && lo <= WM_OP_I32_GE_U;
      bool by_imm = lo >= WM_OP_I32_EQ_K && lo <= WM_OP_I32_GE_U_K;
      if (!c->dead && t && t != WM_V128 && (by_slot || by_imm) && lr != NOPOS &&
          lr == c->last_start + WM_HEAD_CELLS && c->code[lr] == v[2].ref &&
          v[2].ref == own_ref(c, c->nvals + 2)) {
        /* A select on an i32 compare that nothing else reads: one
        ** SELECT_I32_<cmp>, or its _K form. Neither part traps, and
        ** nothing ran between them, so the compare's operands still hold
        ** what it read. */
        uint32_t x = c->code[lr + 1], y = c->code[lr + 2];
        wm__c_retract(c);
        TRY(wm__c_head(c, by_slot ? (wm_op)(WM_OP_SELECT_I32_EQ + (lo - WM_OP_I32_EQ))
                                  : (wm_op)(WM_OP_SELECT_I32_EQ_K + (lo - WM_OP_I32_EQ_K))));
        *res = c->ncode;
        TRY(wm__c_slot(c, own_ref(c, c->nvals)));
        TRY(wm__c_slot(c, v[0].ref));
        TRY(wm__c_slot(c, v[1].ref));
        TRY(wm__c_slot(c, x));
        TRY(by_slot ? wm__c_slot(c, y) : wm__c_cell(c, y));
        return wm__c_push(c, t, own_ref(c, c->nvals));
      }
      return wm__c_emit_res(c, t == WM_V128 ? WM_OP_SELECT_V : WM_OP_SELECT, t, v, 3, res);
    }
    case 0x23: /* global.get */
      TRY(wm__c_rd_u32(c, &x));
      if (x >= mod->nglobals) return wm__c_invalid(c, "unknown global %u", x);
      if (c->dead) return wm__c_push(c, mod->globals[x].type.type, own_ref(c, c->nvals));
      TRY(wm__c_head(c, mod->globals[x].type.type == WM_V128 ? WM_OP_GLOBAL_GET_V : WM_OP_GLOBAL_GET));
      TRY(wm__c_dest(c, mod->globals[x].type.type, res));
      return wm__c_cell(c, x);
    case 0x24: /* global.set */
      TRY(wm__c_rd_u32(c, &x));
      if (x >= mod->nglobals) return wm__c_invalid(c, "unknown global %u", x);
      if (!mod->globals[x].type.mut) return wm__c_invalid(c, "global is immutable");
      TRY(wm__c_pop(c, mod->globals[x].type.type, &v[0]));
      if (c->dead) return 0;
      TRY(wm__c_head(c, mod->globals[x].type.type == WM_V128 ? WM_OP_GLOBAL_SET_V : WM_OP_GLOBAL_SET));
      TRY(wm__c_cell(c, x));
      return wm__c_slot(c, v[0].ref);
    case 0x25: /* table.get */
      TRY(rd_table(c, &x));
      TRY(wm__c_pop(c, wm__c_table_t(c, x), &v[0]));
      if (c->dead) return wm__c_push(c, mod->tables[x].elem, own_ref(c, c->nvals));
      if (mod->tables[x].lim.is64) TRY(wm__c_index64(c, &v[0], c->nvals));
      TRY(wm__c_head(c, WM_OP_TABLE_GET));
      TRY(wm__c_dest(c, mod->tables[x].elem, res));
      TRY(wm__c_cell(c, x));
      return wm__c_slot(c, v[0].ref);
    case 0x26: /* table.set */
      TRY(rd_table(c, &x));
      TRY(wm__c_pop(c, mod->tables[x].elem, &v[1]));
      TRY(wm__c_pop(c, wm__c_table_t(c, x), &v[0]));
      if (c->dead) return 0;
      if (mod->tables[x].lim.is64) TRY(wm__c_index64(c, &v[0], c->nvals));
      TRY(wm__c_head(c, WM_OP_TABLE_SET));
      TRY(wm__c_cell(c, x));
      return emit_slots(c, v, 2);
    case 0x3F: /* memory.size (MEMORY_SIZE writes all 8 bytes: an i64 too) */
      TRY(wm__c_memidx(c, true, &x));
      return wm__c_emit_res(c, WM_OP_MEMORY_SIZE, wm__c_mem_t(c, x), v, 0, res);
    case 0x40: /* memory.grow */
      TRY(wm__c_memidx(c, true, &x));
      TRY(wm__c_pop(c, wm__c_mem_t(c, x), &v[0]));
      if (mod->mems[x].is64) return wm__c_emit_res(c, WM_OP_MEMORY_GROW64, WM_I64, v, 1, res);
      return wm__c_emit_res(c, WM_OP_MEMORY_GROW, WM_I32, v, 1, res);
    case 0xD1: /* ref.is_null */
      TRY(wm__c_pop(c, 0, &v[0]));
      if (v[0].type && !is_ref(v[0].type)) return mismatch(c);
      return wm__c_emit_res(c, WM_OP_REF_IS_NULL, WM_I32, v, 1, res);
    case 0xD2: /* ref.func */
      TRY(wm__c_rd_u32(c, &x));
      if (x >= mod->nfuncs) return wm__c_invalid(c, "unknown function %u", x);
      if (!mod->func_declared || !mod->func_declared[x])
        return wm__c_invalid(c, "undeclared function reference");
      uint32_t ft = wm__vt_ref_idx(mod->funcs[x].typeidx, true);
      if (c->dead) return wm__c_push(c, ft, own_ref(c, c->nvals));
      TRY(wm__c_head(c, WM_OP_REF_FUNC));
      TRY(wm__c_dest(c, ft, res));
      return wm__c_cell(c, x);
    default:
      return 1;
  }
}

/* memory.init and data.drop need the data count section. A module without
** data segments is let through to "unknown data segment" instead: wabt
** leaves the empty count section out, and the testsuite's binaries come
** from wabt (see also wm__skim_body). */
static int need_datacount(cstate *c, uint32_t x) {
  if (!c->mod->has_datacount && c->mod->ndatas > 0)
    return wm__c_malformed(c, "data count section required");
  uint32_t n = c->mod->has_datacount ? c->mod->datacount : 0;
  if (x >= n) return wm__c_invalid(c, "unknown data segment %u", x);
  return 0;
}

static int rd_elem(cstate *c, uint32_t *x) {
  TRY(wm__c_rd_u32(c, x));
  if (*x >= c->mod->nelems) return wm__c_invalid(c, "unknown elem segment %u", *x);
  return 0;
}

/* memory.copy where a memory is 64-bit (WebAssembly 3.0): each address
** has its memory's type, the length the narrower of the two (i32 unless
** both are i64); MEMORY_COPY64 reads each as its bit in w says. */
static int copy64(cstate *c, uint32_t x, uint32_t y, vop *v) {
  uint8_t tx = wm__c_mem_t(c, x), ty = wm__c_mem_t(c, y);
  uint8_t tn = tx == WM_I64 && ty == WM_I64 ? WM_I64 : WM_I32;
  TRY(pop3(c, v, tx, ty, tn));
  if (c->dead) return 0;
  TRY(wm__c_head(c, WM_OP_MEMORY_COPY64));
  TRY(emit_slots(c, v, 3));
  TRY(wm__c_cell(c, x));
  TRY(wm__c_cell(c, y));
  return wm__c_cell(c, (tx == WM_I64) | (ty == WM_I64) << 1 | (tn == WM_I64) << 2);
}

int wm__c_fc_op(cstate *c, uint32_t sub, uint32_t *res) {
  wm_module *mod = c->mod;
  vop v[3];
  uint32_t x, y;
  if (sub <= 7) return numeric(c, 0xFC00 | sub, res);
  switch (sub) {
    case 8: /* memory.init */
      TRY(wm__c_rd_u32(c, &x));
      TRY(wm__c_memidx(c, true, &y));
      TRY(need_datacount(c, x));
      TRY(pop3(c, v, wm__c_mem_t(c, y), WM_I32, WM_I32));
      if (c->dead) return 0;
      TRY(wm__c_head(c, mod->mems[y].is64 ? WM_OP_MEMORY_INIT64 : WM_OP_MEMORY_INIT));
      TRY(wm__c_cell(c, x));
      return emit_slots(c, v, 3);
    case 9: /* data.drop */
      TRY(wm__c_rd_u32(c, &x));
      TRY(need_datacount(c, x));
      if (c->dead) return 0;
      TRY(wm__c_head(c, WM_OP_DATA_DROP));
      return wm__c_cell(c, x);
    case 10: /* memory.copy dst src */
      TRY(wm__c_memidx(c, false, &x));
      TRY(wm__c_memidx(c, false, &y));
      if (mod->mems[x].is64 || mod->mems[y].is64) return copy64(c, x, y, v);
      if (x == y) TRY(wm__c_use_memory(c, x));
      TRY(pop3_i32(c, v));
      if (c->dead) return 0;
      if (x == y) {
        TRY(wm__c_head(c, WM_OP_MEMORY_COPY));
        return emit_slots(c, v, 3);
      }
      TRY(wm__c_head(c, WM_OP_MEMORY_COPY_MM)); /* between two memories */
      TRY(emit_slots(c, v, 3));
      TRY(wm__c_cell(c, x));
      return wm__c_cell(c, y);
    case 11: /* memory.fill */
      TRY(wm__c_memidx(c, true, &x));
      TRY(pop3(c, v, wm__c_mem_t(c, x), WM_I32, wm__c_mem_t(c, x)));
      if (c->dead) return 0;
      TRY(wm__c_head(c, mod->mems[x].is64 ? WM_OP_MEMORY_FILL64 : WM_OP_MEMORY_FILL));
      return emit_slots(c, v, 3);
    case 12: /* table.init elem table */
      TRY(wm__c_rd_u32(c, &x));
      TRY(rd_table(c, &y));
      if (x >= mod->nelems) return wm__c_invalid(c, "unknown elem segment %u", x);
      if (!wm__valtype_match(mod, mod->elems[x].type, mod->tables[y].elem)) return mismatch(c);
      TRY(pop3(c, v, wm__c_table_t(c, y), WM_I32, WM_I32));
      if (c->dead) return 0;
      if (mod->tables[y].lim.is64) TRY(wm__c_index64(c, &v[0], c->nvals));
      TRY(wm__c_head(c, WM_OP_TABLE_INIT));
      TRY(wm__c_cell(c, y));
      TRY(wm__c_cell(c, x));
      return emit_slots(c, v, 3);
    case 13: /* elem.drop */
      TRY(rd_elem(c, &x));
      if (c->dead) return 0;
      TRY(wm__c_head(c, WM_OP_ELEM_DROP));
      return wm__c_cell(c, x);
    case 14: /* table.copy dst src */
      TRY(rd_table(c, &x));
      TRY(rd_table(c, &y));
      if (!wm__valtype_match(mod, mod->tables[y].elem, mod->tables[x].elem)) return mismatch(c);
      /* table64: the length is an i64 when both tables are 64-bit. */
      bool dx = mod->tables[x].lim.is64, sy = mod->tables[y].lim.is64;
      TRY(pop3(c, v, dx ? WM_I64 : WM_I32, sy ? WM_I64 : WM_I32, dx && sy ? WM_I64 : WM_I32));
      if (c->dead) return 0;
      for (int k = 0; k < 3; k++)
        if (k == 0 ? dx : k == 1 ? sy : dx && sy) TRY(wm__c_index64(c, &v[k], c->nvals + k));
      TRY(wm__c_head(c, WM_OP_TABLE_COPY));
      TRY(wm__c_cell(c, x));
      TRY(wm__c_cell(c, y));
      return emit_slots(c, v, 3);
    case 15: /* table.grow: init n -> old size */
      TRY(rd_table(c, &x));
      TRY(wm__c_pop(c, wm__c_table_t(c, x), &v[1]));
      TRY(wm__c_pop(c, mod->tables[x].elem, &v[0]));
      if (c->dead) return wm__c_push(c, wm__c_table_t(c, x), own_ref(c, c->nvals));
      TRY(wm__c_head(c, mod->tables[x].lim.is64 ? WM_OP_TABLE_GROW64 : WM_OP_TABLE_GROW));
      TRY(wm__c_dest(c, wm__c_table_t(c, x), res));
      TRY(wm__c_cell(c, x));
      return emit_slots(c, v, 2);
    case 16: /* table.size */
      TRY(rd_table(c, &x));
      if (c->dead) return wm__c_push(c, wm__c_table_t(c, x), own_ref(c, c->nvals));
      TRY(wm__c_head(c, WM_OP_TABLE_SIZE)); /* writes all 8 bytes: an i64 too */
      TRY(wm__c_dest(c, wm__c_table_t(c, x), res));
      return wm__c_cell(c, x);
    case 17: /* table.fill: i val n */
      TRY(rd_table(c, &x));
      TRY(pop3(c, v, wm__c_table_t(c, x), mod->tables[x].elem, wm__c_table_t(c, x)));
      if (c->dead) return 0;
      if (mod->tables[x].lim.is64) {
        TRY(wm__c_index64(c, &v[0], c->nvals));
        TRY(wm__c_index64(c, &v[2], c->nvals + 2));
      }
      TRY(wm__c_head(c, WM_OP_TABLE_FILL));
      TRY(wm__c_cell(c, x));
      return emit_slots(c, v, 3);
    default:
      return 1;
  }
}
