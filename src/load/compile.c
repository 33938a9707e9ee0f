/* SPDX-License-Identifier: MIT */
/*
** compile.c -- validates one function body by the spec's validation
** algorithm and, in the same single pass, lowers it into the slot-addressed
** code of ops.h. This file holds the state, the reader, the operand and
** control stacks, emission, control flow and the main loop; compile_ops.c
** holds the plain instructions (numeric, memory, tables, references).
**
** Lowering keeps a stack of virtual operands (compile.h): local.get and
** constants emit nothing, they push an operand naming the local's or the
** constant's slot, and an instruction reads its operands from wherever they
** live. Values are forced into their own stack slots ("materialised") only
** where a contract needs them there: block results and loop params, call
** arguments, before a local they name is overwritten, and at block entry
** (see enter_block for why).
**
** Constant slots are numbered only when the body is done (their count sets
** where the operand stack starts): operand cells hold tagged references
** until a final fix-up pass (compile.h). On an invalid body the remaining
** bodies are skimmed for encoding errors, which the spec reports first
** (compile_skim.c).
*/
#include "compile.h"
#include "leb.h"
#include "gc_sig.h"

/* ------------------------------------------------------------------ errors */

int wm__c_invalid(cstate *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wm__verror(c->err, WM_EINVALID, c->instr_off, fmt, ap);
  va_end(ap);
  return WM_EINVALID;
}

int wm__c_malformed(cstate *c, const char *msg) {
  return wm__error(c->err, WM_EMALFORMED, c->instr_off, "%s", msg);
}

static int too_big(cstate *c, const char *what) {
  return wm__error(c->err, WM_ELIMIT, c->instr_off, "function too large: %s", what);
}

static int mismatch(cstate *c) { return wm__c_invalid(c, "type mismatch"); }

/* ------------------------------------------------------------------ reader */

int wm__c_unexpected_end(cstate *c) {
  return wm__c_malformed(c, "unexpected end of section or function");
}

int wm__c_rd_u8(cstate *c, uint8_t *out) {
  if (c->pos >= c->end) {
    *out = 0; /* gcc -O2 cannot see that callers stop at the error */
    return wm__c_unexpected_end(c);
  }
  *out = c->bytes[c->pos++ - c->base];
  return 0;
}

/* The LEB128 readers (leb.h) read from the body's bytes, offsets relative
** to them. */
/* Two bytes (the commonest case after one, which the inline readers take):
** b[0] continues, b[1] ends, and no reader's width can end earlier. */
static inline bool two_bytes(const cstate *c, uint32_t *v) {
  if (c->end - c->pos < 2) return false;
  const uint8_t *b = &c->bytes[c->pos - c->base];
  if ((b[0] & 0x80) == 0 || (b[1] & 0x80) != 0) return false;
  *v = (uint32_t)(b[0] & 0x7F) | (uint32_t)b[1] << 7;
  return true;
}

int wm__c_rd_u32_slow(cstate *c, uint32_t *out) {
  if (two_bytes(c, out)) {
    c->pos += 2;
    return 0;
  }
  uint32_t at = c->pos - c->base;
  int e = wm__leb_u32(c->bytes, &at, c->end - c->base, out);
  c->pos = at + c->base;
  return e ? wm__c_malformed(c, wm__leb_msg(e)) : 0;
}

static int rd_u64(cstate *c, uint64_t *out) {
  uint32_t v;
  if (c->pos < c->end && c->bytes[c->pos - c->base] < 0x80) {
    *out = c->bytes[c->pos++ - c->base];
    return 0;
  }
  if (two_bytes(c, &v)) {
    c->pos += 2;
    *out = v;
    return 0;
  }
  uint32_t at = c->pos - c->base;
  int e = wm__leb_u64(c->bytes, &at, c->end - c->base, out);
  c->pos = at + c->base;
  return e ? wm__c_malformed(c, wm__leb_msg(e)) : 0;
}

int wm__c_rd_sleb_slow(cstate *c, unsigned bits, int64_t *out) {
  uint32_t v;
  if (two_bytes(c, &v)) { /* 14 bits, sign-extended */
    c->pos += 2;
    *out = v & 0x2000 ? (int64_t)v - 0x4000 : (int64_t)v;
    return 0;
  }
  uint32_t at = c->pos - c->base;
  int e = wm__leb_s(c->bytes, &at, c->end - c->base, bits, out);
  c->pos = at + c->base;
  return e ? wm__c_malformed(c, wm__leb_msg(e)) : 0;
}

int wm__c_rd_fixed(cstate *c, unsigned n, uint64_t *out) {
  if (c->end - c->pos < n) {
    c->pos = c->end;
    return wm__c_unexpected_end(c);
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)c->bytes[c->pos - c->base + i] << (8 * i);
  c->pos += n;
  *out = v;
  return 0;
}

/* ---------------------------------------------------------------- emission */

/* The module's bound on lowered code (wm_module_options.max_code_bytes)
** is checked as code is made, so that no input can make the loader
** allocate far past it: code that grows faster than the bytes it comes from
** (moves of many values at every branch) stops here. */
int wm__c_reserve(cstate *c, uint32_t n) {
  if (c->ncode + n < c->ncode) return too_big(c, "code");
  uint64_t fixed = atomic_load_explicit(&c->mod->code_bytes, memory_order_relaxed) +
                   ((uint64_t)c->nconsts + c->npc) * sizeof(uint64_t);
  uint64_t bytes = fixed + ((uint64_t)c->ncode + n) * sizeof *c->code;
  if (bytes > c->mod->code_limit)
    return wm__error(c->err, WM_ELIMIT, c->instr_off,
                     "lowered code larger than the limit of %llu bytes "
                     "(wm_module_options.max_code_bytes; default 16 times the module's size "
                     "plus 1 MiB)",
                     (unsigned long long)c->mod->code_limit);
  if (wm__grow((void **)&c->code, &c->cap_code, c->ncode + n, sizeof *c->code)) return wm__c_nomem(c);
  /* What the next cells may take unchecked (wm__c_cell): up to the
  ** capacity and the limit, both as they stand. */
  uint64_t cells = (c->mod->code_limit - fixed) / sizeof *c->code;
  c->lim = cells < UINT32_MAX ? (uint32_t)cells : UINT32_MAX;
  c->room = c->lim < c->cap_code ? c->lim : c->cap_code;
  return 0;
}

static bool op_traps(wm_op op) {
  if (op >= WM_OP_I32_LOAD && op <= WM_OP_I64_STORE32) return true;
  if (op >= WM_OP_I32_LOAD_K && op <= WM_OP_I64_STORE32_K) return true;
  if (op >= WM_OP_I32_LOAD_X && op <= WM_OP_I64_STORE32_X) return true;
  if (op >= WM_OP_I32_ADD_LD && op <= WM_OP_F64_MUL_LD) return true;
  if (op >= WM_OP_I32_ADD_RMW && op <= WM_OP_F64_MUL_RMW) return true;
  if (op >= WM_OP_I32_DIV_S && op <= WM_OP_I32_REM_U) return true;
  if (op >= WM_OP_I64_DIV_S && op <= WM_OP_I64_REM_U) return true;
  if (op >= WM_OP_I32_TRUNC_F32_S && op <= WM_OP_I32_TRUNC_F64_U) return true;
  if (op >= WM_OP_I64_TRUNC_F32_S && op <= WM_OP_I64_TRUNC_F64_U) return true;
  if (op >= WM_OP_I32_LOAD_BR_IF && op <= WM_OP_I32_LOAD8_U_BR_IF_NOT) return true;
  if (op >= WM_OP_MOVE_I32_LOAD && op <= WM_OP_I32_LOAD_BR_NE) return true;
  if (op >= WM_OP_V128_LOAD && op <= WM_OP_V128_LOAD64_ZERO) return true;
  if (op >= WM_OP_MEMORY_ATOMIC_NOTIFY && op <= WM_OP_I64_ATOMIC_RMW32_CMPXCHG_U)
    return op != WM_OP_ATOMIC_FENCE;
  switch (op) {
    case WM_OP_UNREACHABLE: case WM_OP_CALL: case WM_OP_CALL_IMPORT:
    case WM_OP_CALL_INDIRECT: case WM_OP_RETURN_CALL: case WM_OP_RETURN_CALL_INDIRECT:
    case WM_OP_MEMORY_COPY_MM: case WM_OP_MEMORY_INIT: case WM_OP_MEMORY_COPY:
    case WM_OP_MEMORY_FILL: case WM_OP_TABLE_GET: case WM_OP_TABLE_SET:
    case WM_OP_TABLE_INIT: case WM_OP_TABLE_COPY: case WM_OP_TABLE_FILL:
    case WM_OP_FUEL: case WM_OP_I32_LOAD_SHL_K: case WM_OP_ADDR64: case WM_OP_MEMORY_FILL64:
    case WM_OP_MEMORY_INIT64: case WM_OP_MEMORY_COPY64: case WM_OP_I32_XOR_LD8_U:
    case WM_OP_I32_ADD_LD8_U: case WM_OP_F32_MUL_ADD_RMW: case WM_OP_F64_MUL_ADD_RMW:
    case WM_OP_I32_MUL_LD_ADD: case WM_OP_F32_ADD_MUL_ADD_RMW: case WM_OP_F64_ADD_MUL_ADD_RMW:
    case WM_OP_F32_ADDK_MUL_ADD_RMW: case WM_OP_F64_ADDK_MUL_ADD_RMW:
    case WM_OP_THROW: case WM_OP_THROW_REF: case WM_OP_CALL_REF: case WM_OP_RETURN_CALL_REF:
    case WM_OP_REF_AS_NON_NULL:
      return true;
    default:
      return false;
  }
}

/* op_traps remembered per op as it is first emitted (0 not yet known,
** else TRAPS_NO or TRAPS_YES): filled as lowering goes, so that a start
** that lowers little pays for the ops it emits, not for all of them.
** Threads that lower at once may store the same value. */
static _Atomic uint8_t traps_memo[WM_OP_COUNT_];

/* wm__c_head's rare cases: room to check, a trap location to record. */
int wm__c_head_slow(cstate *c, wm_op op) {
  if ((uint64_t)c->ncode + WM_HEAD_CELLS + 8 > c->room) TRY(wm__c_reserve(c, WM_HEAD_CELLS + 8));
  uint8_t t = atomic_load_explicit(&c->traps[op], memory_order_relaxed);
  if (!t) {
    t = op_traps(op) ? TRAPS_YES : TRAPS_NO;
    atomic_store_explicit(&c->traps[op], t, memory_order_relaxed);
  }
  if (t == TRAPS_YES) {
    if (wm__grow((void **)&c->pc_cell, &c->cap_pc, c->npc + 1, sizeof *c->pc_cell) ||
        wm__grow((void **)&c->pc_off, &c->cap_pc2, c->npc + 1, sizeof *c->pc_off))
      return wm__c_nomem(c);
    c->pc_cell[c->npc] = c->ncode;
    c->pc_off[c->npc++] = c->instr_off;
    wm__c_charge(c); /* a trap location counts against the limit */
  }
  wm__c_put_head(c, op);
  return 0;
}

int wm__c_fix_slow(cstate *c) {
  if (wm__grow((void **)&c->fix, &c->cap_fix, c->nfix + 1, sizeof *c->fix)) return wm__c_nomem(c);
  return 0;
}

/* Queue a move d <- a (dropped when d == a); flush_moves emits the queue in
** order, plain moves two at a time, and a move of a constant as CONST32 or
** CONST64 so that the constant needs no slot. A v128 move is queued with
** MOVE_WIDE on d and emitted alone as MOVE_V: one 16-byte copy, which the
** v128 instruction that reads it can take straight from the store (two
** 8-byte halves would stall it). */
#define MOVE_WIDE 0x20000000u /* above MAX_INDEX, below REF_STACK */

static int add_move(cstate *c, uint32_t d, uint32_t a) {
  if ((d & ~MOVE_WIDE) == a) return 0;
  if (wm__grow((void **)&c->mv, &c->cap_mv, c->nmv + 2, sizeof *c->mv)) return wm__c_nomem(c);
  c->mv[c->nmv++] = d;
  c->mv[c->nmv++] = a;
  return 0;
}

int wm__c_flush_moves(cstate *c) {
  uint32_t n = c->nmv, held = NOPOS; /* a plain move waiting for a partner */
  c->nmv = 0;
  for (uint32_t i = 0; i < n; i += 2) {
    uint64_t k;
    if (c->mv[i] & MOVE_WIDE) {
      if (held != NOPOS) { /* keep the order */
        TRY(wm__c_head(c, WM_OP_MOVE));
        TRY(wm__c_slot(c, c->mv[held]));
        TRY(wm__c_slot(c, c->mv[held + 1]));
        held = NOPOS;
      }
      TRY(wm__c_head(c, WM_OP_MOVE_V));
      TRY(wm__c_slot(c, c->mv[i] & ~MOVE_WIDE));
      TRY(wm__c_slot(c, c->mv[i + 1]));
      continue;
    }
    if (!wm__c_const(c, c->mv[i + 1], &k)) {
      if (held == NOPOS) {
        held = i;
        continue;
      }
      TRY(wm__c_head(c, WM_OP_MOVE2));
      TRY(wm__c_slot(c, c->mv[held]));
      TRY(wm__c_slot(c, c->mv[held + 1]));
      TRY(wm__c_slot(c, c->mv[i]));
      TRY(wm__c_slot(c, c->mv[i + 1]));
      held = NOPOS;
      continue;
    }
    if (held != NOPOS) { /* keep the order: it may read this destination */
      TRY(wm__c_head(c, WM_OP_MOVE));
      TRY(wm__c_slot(c, c->mv[held]));
      TRY(wm__c_slot(c, c->mv[held + 1]));
      held = NOPOS;
    }
    TRY(wm__c_head(c, k >> 32 ? WM_OP_CONST64 : WM_OP_CONST32));
    TRY(wm__c_slot(c, c->mv[i]));
    TRY(wm__c_cell(c, (uint32_t)k));
    if (k >> 32) TRY(wm__c_cell(c, (uint32_t)(k >> 32)));
  }
  if (held != NOPOS) {
    TRY(wm__c_head(c, WM_OP_MOVE));
    TRY(wm__c_slot(c, c->mv[held]));
    TRY(wm__c_slot(c, c->mv[held + 1]));
  }
  return 0;
}

/* Queue the move of a value of type `type` (a v128 is one MOVE_V). */
int wm__c_move(cstate *c, uint32_t d, uint32_t a, uint32_t type) {
  return add_move(c, type == WM_V128 ? d | MOVE_WIDE : d, a);
}

/* A branch instruction's offset cell, to `target` (a cell index) or, when
** target is NOPOS, to the end of frame L (patched there). */
static int add_patch(cstate *c, ctl *L, uint32_t cell, uint32_t instr) {
  if (wm__grow((void **)&c->patches, &c->cap_patches, c->npatches + 1, sizeof *c->patches))
    return wm__c_nomem(c);
  c->patches[c->npatches] = (patch){cell, instr, L->patches};
  L->patches = c->npatches++;
  return 0;
}

static void set_off(cstate *c, uint32_t cell, uint32_t instr, uint32_t target) {
  c->code[cell] = (uint32_t)((int64_t)target - (int64_t)instr);
  if (target == c->ncode) {
    c->label_cell = target;
    c->fuel_new = true;
  }
}

/* Is the last instruction emitted a `prev` of `len` cells that ends right
** here, with no label in between? Then whatever is emitted next always runs
** right after it, and the two may become one instruction. */
bool wm__c_fusable(const cstate *c, wm_op prev, uint32_t len) {
  return c->last_start != NOPOS && c->last_op == prev && c->ncode == c->last_start + len &&
         c->label_cell != c->ncode;
}

/* Make the last instruction an `op`, its cells as they are: a fusion that
** keeps the first instruction's cells and appends the rest. */
void wm__c_rehead(cstate *c, wm_op op) {
  uint64_t h = wm__op_head(op, c->mod->loop);
  c->code[c->last_start] = (uint32_t)h;
  c->code[c->last_start + 1] = (uint32_t)(h >> 32);
  c->last_op = op;
}

/* Take back the last instruction, a compare (`d a b`, `d a imm`) or eqz
** (`d a`) that a branch absorbs; *a and *b get its operand cells. The
** instruction before it becomes the last again, so that the branch may fuse
** with it. Compares do not trap: there is no trap location to take back. */
static void untake_cmp(cstate *c, uint32_t *a, uint32_t *b) {
  *a = c->code[c->last_start + WM_HEAD_CELLS + 1];
  *b = c->code[c->last_start + WM_HEAD_CELLS + 2];
  c->nfix = c->last_fix;
  c->ncode = c->last_start;
  c->last_start = c->last2_start;
  c->last_op = c->last2_op;
  c->last2_start = c->last3_start;
  c->last2_op = c->last3_op;
  c->last3_start = NOPOS;
}

static uint32_t untake_eqz(cstate *c) {
  uint32_t a, b;
  untake_cmp(c, &a, &b);
  return a;
}

/* Emit compare-and-branch `br` (a CMPBRK) on a and imm, the offset to
** follow. An I32_ADD_K just before it (a loop counter's step) becomes the
** fused I32_ADD_K_BR_*_K, which adds first and then compares the sum -- only
** when a is the sum's slot; an I32_AND_K (a bit test) I32_AND_K_BR_*_K. */
static int cmpbrk_head(cstate *c, wm_op br, uint32_t a, uint32_t imm);

/* Emit compare-and-branch `br` (a CMPBR) on slots a and b, the offset to
** follow, after the compare was taken back (untake_cmp). An I32_ADD_K or
** I32_ADD just before it (a loop's step, then its test against a bound in
** a slot) becomes the fused I32_ADD_K_BR_* or I32_ADD_BR_*, which adds
** first and then compares -- whichever slots the compare reads. */
static int cmpbr_head(cstate *c, wm_op br, uint32_t a, uint32_t b) {
  wm_op first = WM_OP_COUNT_;
  if (wm__c_fusable(c, WM_OP_I32_ADD_K, WM_HEAD_CELLS + 3)) first = WM_OP_I32_ADD_K_BR_EQ;
  if (wm__c_fusable(c, WM_OP_I32_ADD, WM_HEAD_CELLS + 3)) first = WM_OP_I32_ADD_BR_EQ;
  if (first == WM_OP_I32_ADD_BR_EQ && (br == WM_OP_BR_I32_LE_U || br == WM_OP_BR_I32_GE_U) &&
      c->last2_start != NOPOS &&
      c->last2_op == WM_OP_I32_STORE8_X && c->last2_start + WM_HEAD_CELLS + 4 == c->last_start &&
      c->label_cell != c->last_start) {
    /* A byte store, then the step and test of the loop it is in, with no
    ** label between (a strided fill, the sieve's inner loop): one
    ** I32_STORE8_X_ADD_BR_LE_U, the store's head rewritten, the add's
    ** cells after the store's (`end >= j` as `j <= end`). The offset the
    ** caller emits is from the store, the last instruction again. */
    const uint32_t *add = c->code + c->last_start + WM_HEAD_CELLS;
    uint32_t d = add[0], x = add[1], s = add[2];
    wm__c_retract(c);
    wm__c_rehead(c, WM_OP_I32_STORE8_X_ADD_BR_LE_U);
    TRY(wm__c_slot(c, d));
    TRY(wm__c_slot(c, x));
    TRY(wm__c_slot(c, s));
    TRY(wm__c_slot(c, br == WM_OP_BR_I32_LE_U ? a : b));
    return wm__c_slot(c, br == WM_OP_BR_I32_LE_U ? b : a);
  }
  if (first != WM_OP_COUNT_) {
    wm__c_rehead(c, (wm_op)(first + (br - WM_OP_BR_I32_EQ)));
  } else {
    TRY(wm__c_head(c, br));
  }
  TRY(wm__c_slot(c, a));
  return wm__c_slot(c, b);
}

static int cmpbrk_head(cstate *c, wm_op br, uint32_t a, uint32_t imm) {
  wm_op first = WM_OP_COUNT_;
  bool reads_it = c->last_start != NOPOS && c->code[c->last_start + WM_HEAD_CELLS] == a;
  if (reads_it && wm__c_fusable(c, WM_OP_I32_ADD_K, WM_HEAD_CELLS + 3))
    first = WM_OP_I32_ADD_K_BR_EQ_K;
  if (reads_it && wm__c_fusable(c, WM_OP_I32_AND_K, WM_HEAD_CELLS + 3))
    first = WM_OP_I32_AND_K_BR_EQ_K;
  if (first != WM_OP_COUNT_) {
    wm__c_rehead(c, (wm_op)(first + (br - WM_OP_BR_I32_EQ_K)));
  } else {
    TRY(wm__c_head(c, br));
  }
  TRY(wm__c_slot(c, a));
  return wm__c_cell(c, imm);
}

/* Start a branch `op` whose operand cells follow (cond when with_cond, then
** the offset, which the caller emits). A MOVE just before it (a local.set,
** a block result) is folded in as the fused form's `d a` prefix; a load of
** the condition's value just before it becomes a load-and-branch. Either
** way c->last_start is the start of the instruction the offset is relative
** to. */
static int branch_head(cstate *c, wm_op op, uint32_t cond) {
  static const struct { uint16_t op, fused; } move_forms[] = {
      {WM_OP_BR, WM_OP_MOVE_BR},
      {WM_OP_BR_IF, WM_OP_MOVE_BR_IF},
      {WM_OP_BR_IF_NOT, WM_OP_MOVE_BR_IF_NOT},
  };
  static const struct { uint16_t load, op, fused; } load_forms[] = {
      {WM_OP_I32_LOAD, WM_OP_BR_IF, WM_OP_I32_LOAD_BR_IF},
      {WM_OP_I32_LOAD, WM_OP_BR_IF_NOT, WM_OP_I32_LOAD_BR_IF_NOT},
      {WM_OP_I32_LOAD8_U, WM_OP_BR_IF, WM_OP_I32_LOAD8_U_BR_IF},
      {WM_OP_I32_LOAD8_U, WM_OP_BR_IF_NOT, WM_OP_I32_LOAD8_U_BR_IF_NOT},
  };
  /* A list reversal's loop, `n = l->next; l->next = r; r = l; l = n` while
  ** l != 0: a MOVE_I32_LOAD_STORE, a MOVE and this BR_IF, with no label
  ** after the first, are one instruction. The MOVE's head goes; its cells
  ** follow the store's, then the condition's. */
  if (op == WM_OP_BR_IF && wm__c_fusable(c, WM_OP_MOVE, WM_HEAD_CELLS + 2) &&
      c->last2_start != NOPOS && c->last2_op == WM_OP_MOVE_I32_LOAD_STORE &&
      c->last2_start + WM_HEAD_CELLS + 6 == c->last_start && c->label_cell != c->last_start) {
    uint32_t d = c->code[c->last_start + WM_HEAD_CELLS], a = c->code[c->last_start + WM_HEAD_CELLS + 1];
    wm__c_retract(c);
    wm__c_rehead(c, WM_OP_MOVE_I32_LOAD_STORE_MOVE_BR_IF);
    TRY(wm__c_slot(c, d));
    TRY(wm__c_slot(c, a));
    return wm__c_slot(c, cond);
  }
  wm_op fused = WM_OP_COUNT_;
  for (unsigned i = 0; i < sizeof move_forms / sizeof *move_forms; i++)
    if (move_forms[i].op == op && wm__c_fusable(c, WM_OP_MOVE, WM_HEAD_CELLS + 2))
      fused = (wm_op)move_forms[i].fused;
  for (unsigned i = 0; i < sizeof load_forms / sizeof *load_forms; i++)
    if (load_forms[i].op == op && wm__c_fusable(c, (wm_op)load_forms[i].load, WM_HEAD_CELLS + 3) &&
        c->code[c->last_start + WM_HEAD_CELLS] == cond)
      fused = (wm_op)load_forms[i].fused; /* it branches on the value it loaded */
  if (fused == WM_OP_COUNT_ && op != WM_OP_BR && wm__c_fusable(c, WM_OP_I32_AND_K, WM_HEAD_CELLS + 3) &&
      c->code[c->last_start + WM_HEAD_CELLS] == cond)
    /* A branch on a bit test, `x & mask`: a compare of it with 0. */
    return cmpbrk_head(c, op == WM_OP_BR_IF ? WM_OP_BR_I32_NE_K : WM_OP_BR_I32_EQ_K, cond, 0);
  if (fused == WM_OP_COUNT_ && op != WM_OP_BR && wm__c_fusable(c, WM_OP_I32_ADD_K, WM_HEAD_CELLS + 3))
    /* A branch after a step, `while (--n)`: the step and a compare with 0
    ** (fused when the condition is the sum, cmpbrk_head). */
    return cmpbrk_head(c, op == WM_OP_BR_IF ? WM_OP_BR_I32_NE_K : WM_OP_BR_I32_EQ_K, cond, 0);
  if (fused == WM_OP_COUNT_) {
    TRY(wm__c_head(c, op));
    return op == WM_OP_BR ? 0 : wm__c_slot(c, cond);
  }
  /* Rewrite the head in place: its operand cells, their fix-ups and, for a
  ** load, its trap location stay as they are. */
  wm__c_rehead(c, fused);
  if (op == WM_OP_BR || fused >= WM_OP_I32_LOAD_BR_IF) return 0;
  return wm__c_slot(c, cond);
}

static int branch_off(cstate *c, ctl *L, uint32_t instr) {
  if (L->kind == K_LOOP) {
    uint32_t cell = c->ncode;
    TRY(wm__c_cell(c, 0));
    set_off(c, cell, instr, L->start);
    return 0;
  }
  TRY(add_patch(c, L, c->ncode, instr));
  return wm__c_cell(c, 0);
}

/* A patch's cell holds 0 until it is set, or, for the br_table cells of
** one label, the index of the next such cell: a br_table costs one patch
** per label, not per target (cell 0 is never an offset cell). */
static void resolve_patches(cstate *c, ctl *L, uint32_t target) {
  for (uint32_t i = L->patches; i != NOPOS; i = c->patches[i].next) {
    uint32_t cell = c->patches[i].cell;
    do {
      uint32_t next = c->code[cell];
      set_off(c, cell, c->patches[i].instr, target);
      cell = next;
    } while (cell);
  }
  L->patches = NOPOS;
}

/* ---------------------------------------------------------------- constants */

static uint32_t hash64(uint64_t v) {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  return (uint32_t)v;
}

/* The reference of a constant slot holding bits v (deduplicated). */
static int const_ref(cstate *c, uint64_t v, uint32_t *ref) {
  if (c->nconsts * 2 >= c->chash_cap) {
    /* The table's storage is kept between lowerings (cap_chash), but each
    ** body clears only the part it uses: a table grown by one large body
    ** costs the small ones after it nothing. The constants themselves are
    ** the source, so the table is rebuilt in place. */
    uint32_t ncap = c->chash_cap ? c->chash_cap * 2 : 64;
    if (wm__grow((void **)&c->chash, &c->cap_chash, ncap, sizeof *c->chash)) return wm__c_nomem(c);
    uint32_t *h = c->chash;
    memset(h, 0, (size_t)ncap * sizeof *h);
    for (uint32_t i = 0; i < c->nconsts; i++) {
      uint32_t j = hash64(c->consts[i]) & (ncap - 1);
      while (h[j]) j = (j + 1) & (ncap - 1);
      h[j] = i + 1;
    }
    c->chash_cap = ncap;
  }
  uint32_t j = hash64(v) & (c->chash_cap - 1);
  while (c->chash[j]) {
    if (c->consts[c->chash[j] - 1] == v) {
      *ref = REF_CONST | (c->chash[j] - 1);
      return 0;
    }
    j = (j + 1) & (c->chash_cap - 1);
  }
  if (c->nconsts >= MAX_INDEX) return too_big(c, "constants");
  if (wm__grow((void **)&c->consts, &c->cap_consts, c->nconsts + 1, sizeof *c->consts) ||
      wm__grow((void **)&c->kpair, &c->cap_kpair, c->nconsts + 1, sizeof *c->kpair))
    return wm__c_nomem(c);
  c->consts[c->nconsts] = v;
  c->kpair[c->nconsts] = 0;
  wm__c_charge(c); /* a constant counts against the limit */
  c->chash[j] = ++c->nconsts;
  *ref = REF_CONST | (c->nconsts - 1);
  return 0;
}

/* A v128 constant: two consecutive constants, lo then hi, marked as a pair
** so that the fix-up keeps both when the first is named. Pairs are not
** looked up (a later v128 gets a pair of its own), though a scalar constant
** may share a half's slot: same bits. */
int wm__c_const_v128(cstate *c, uint64_t lo, uint64_t hi, uint32_t *ref) {
  if (c->nconsts + 2 >= MAX_INDEX) return too_big(c, "constants");
  if (wm__grow((void **)&c->consts, &c->cap_consts, c->nconsts + 2, sizeof *c->consts) ||
      wm__grow((void **)&c->kpair, &c->cap_kpair, c->nconsts + 2, sizeof *c->kpair))
    return wm__c_nomem(c);
  c->consts[c->nconsts] = lo;
  c->consts[c->nconsts + 1] = hi;
  c->kpair[c->nconsts] = 1;
  c->kpair[c->nconsts + 1] = 0;
  wm__c_charge(c);
  wm__c_charge(c);
  *ref = REF_CONST | c->nconsts;
  c->nconsts += 2;
  return 0;
}

/* ----------------------------------------------------------- operand stack */

static ctl *top_ctl(cstate *c) { return &c->ctls[c->nctls - 1]; }

int wm__c_push_slow(cstate *c, uint32_t type, uint32_t ref) {
  if (c->nvals >= MAX_INDEX) return too_big(c, "operand stack");
  if (wm__grow((void **)&c->vals, &c->cap_vals, c->nvals + 1, sizeof *c->vals) ||
      wm__grow((void **)&c->hs, &c->cap_hs, c->nvals + 2, sizeof *c->hs))
    return wm__c_nomem(c);
  uint32_t top = c->hs[c->nvals] + type_slots(type);
  if (top >= MAX_INDEX) return too_big(c, "operand stack");
  c->hs[c->nvals + 1] = top;
  c->vals[c->nvals++] = (vop){type, ref};
  if (IS_LOCAL(ref)) {
    c->lrefs[ref]++;
    c->nlrefs++;
  }
  if (top > c->maxh) c->maxh = top;
  return 0;
}

static int push_res(cstate *c, uint32_t type) { return wm__c_push(c, type, own_ref(c, c->nvals)); }

/* wm__c_pop's rare cases: an empty frame (polymorphic or a mismatch) and
** an operand of another type than expected (a subtype or a mismatch). */
int wm__c_pop_slow(cstate *c, uint32_t expect, vop *out) {
  ctl *f = top_ctl(c);
  if (c->nvals == f->height) {
    if (!f->unreachable) return mismatch(c);
    *out = (vop){0, own_ref(c, c->nvals)};
    return 0;
  }
  vop v = c->vals[--c->nvals];
  if (IS_LOCAL(v.ref)) {
    c->lrefs[v.ref]--;
    c->nlrefs--;
  }
  if (expect && v.type != expect && !wm__valtype_match(c->mod, v.type, expect)) return mismatch(c);
  *out = v;
  return 0;
}

/* Pop n operands of the given types into c->tmp[0..n) (bottom first). */
static int pop_n(cstate *c, uint32_t n, const wm_valtype *types) {
  if (wm__grow((void **)&c->tmp, &c->cap_tmp, n, sizeof *c->tmp)) return wm__c_nomem(c);
  for (uint32_t i = n; i-- > 0;) TRY(wm__c_pop(c, types[i], &c->tmp[i]));
  return 0;
}

/* Push back what pop_n took, retyped as `types` when not NULL: br_if
** re-pushes the label's types, br_table the operands' own (they differ only
** for Unknown). */
static int repush_n(cstate *c, uint32_t n, const wm_valtype *types) {
  for (uint32_t i = 0; i < n; i++)
    TRY(wm__c_push(c, types ? types[i] : c->tmp[i].type, c->tmp[i].ref));
  return 0;
}

/* Drop the current frame's operands: the rest of it is unreachable. */
static void set_unreachable(cstate *c) {
  ctl *f = top_ctl(c);
  while (c->nvals > f->height) {
    vop v = c->vals[--c->nvals];
    if (IS_LOCAL(v.ref)) {
      c->lrefs[v.ref]--;
      c->nlrefs--;
    }
  }
  f->unreachable = true;
  c->dead = true;
  /* Metered code: what follows, once validation calls it live again
  ** (after an end or else), starts a basic block. Where no branch reaches
  ** that end, the block never runs and its cost is never charged. */
  c->fuel_new = true;
}

static void update_dead(cstate *c) {
  ctl *f = top_ctl(c);
  c->dead = f->unreachable || f->dead_entry;
}

/* Move every operand that names the local in slot x into its own stack
** slot, so that x can be overwritten. Only the current frame can hold
** such operands. */
static int mat_local(cstate *c, uint32_t x) {
  for (uint32_t h = c->nvals; h-- > 0 && c->lrefs[x] > 0;) {
    if (c->vals[h].ref != x) continue;
    if (!c->dead) TRY(wm__c_move(c, own_ref(c, h), x, c->vals[h].type));
    c->vals[h].ref = own_ref(c, h);
    c->lrefs[x]--;
    c->nlrefs--;
  }
  return wm__c_flush_moves(c);
}

/* Move every operand that names a local into its own stack slot. */
static int mat_all_locals(cstate *c) {
  for (uint32_t h = c->nvals; h-- > 0 && c->nlrefs > 0;) {
    uint32_t r = c->vals[h].ref;
    if (!IS_LOCAL(r)) continue;
    if (!c->dead) TRY(wm__c_move(c, own_ref(c, h), r, c->vals[h].type));
    c->vals[h].ref = own_ref(c, h);
    c->lrefs[r]--;
    c->nlrefs--;
  }
  return wm__c_flush_moves(c);
}

/* ------------------------------------------------------------ block types */


static const wm_valtype *single(const wm_module *mod, uint8_t t) {
  unsigned n = mod->wasm2 ? WM_SINGLE_TYPES_WASM2 : WM_SINGLE_TYPES;
  for (unsigned i = 0; i < n; i++)
    if (wm__single_types[i] == t) return &wm__single_types[i];
  return NULL;
}

static int rd_blocktype(cstate *c, ctl *f) {
  f->np = f->nr = 0;
  f->p = f->r = NULL;
  if (c->pos >= c->end) return wm__c_unexpected_end(c);
  uint8_t b = c->bytes[c->pos - c->base];
  if (b == 0x40) {
    c->pos++;
    return 0;
  }
  if ((b & 0xC0) == 0x40) { /* a one-byte negative s33: a value type */
    const wm_valtype *t = single(c->mod, b);
    if (!t && (b == 0x63 || b == 0x64)) { /* a typed reference */
      uint32_t rt;
      TRY(wm__c_rd_type(c, false, &rt));
      TRY(wm__c_keep_type(c, rt, &f->r));
      f->nr = 1;
      return 0;
    }
    if (!t) return wm__c_malformed(c, "malformed value type");
    c->pos++;
    f->nr = 1;
    f->r = t;
    return 0;
  }
  int64_t idx = 0;
  TRY(wm__c_rd_sleb(c, 33, &idx));
  if (idx < 0) return wm__c_malformed(c, "malformed value type");
  const char *why = wm__functype_why(c->mod, (uint64_t)idx);
  if (why) return wm__c_invalid(c, "%s %u", why, (uint32_t)idx);
  const wm_type *t = &c->mod->types[idx];
  f->np = t->nparams;
  f->p = t->params;
  f->nr = t->nresults;
  f->r = t->results;
  return 0;
}

/* ------------------------------------------------------------ control flow */


static int push_ctl(cstate *c, uint8_t kind, const ctl *bt) {
  if (wm__grow((void **)&c->ctls, &c->cap_ctls, c->nctls + 1, sizeof *c->ctls)) return wm__c_nomem(c);
  ctl *f = &c->ctls[c->nctls++];
  *f = *bt;
  f->kind = kind;
  f->unreachable = false;
  f->dead_entry = c->dead;
  f->height = c->nvals;
  f->inits = c->nilog;
  f->start = c->ncode;
  if (kind == K_LOOP) {
    c->label_cell = c->ncode;
    c->fuel_new = true;
  }
  f->patches = NOPOS;
  f->else_cell = f->else_instr = NOPOS;
  f->bt_epoch = 0;
  return 0;
}

/* The slots of a label's values (or a frame's results) start where the
** frame's operands do: hs[L->height], which stays put while L is open
** (positions below it are not popped). They follow the label's types, not
** whatever operands lie above that height at a branch (a v128 below the
** branch values would shift them). */
static uint32_t label_base(const cstate *c, const ctl *L) { return c->hs[L->height]; }

/* Do the label slots of L (types t) already hold the top n operands
** (c->tmp)? */
static bool in_place(cstate *c, const ctl *L, uint32_t n, const wm_valtype *t) {
  for (uint32_t i = 0, s = label_base(c, L); i < n; s += type_slots(t[i++]))
    if (c->tmp[i].ref != (REF_STACK | s)) return false;
  return true;
}

/* Moves of the n operands in c->tmp, of types t, into the slots from L's
** height on (its label's, or its results' at its end). In ascending order
** this is safe: a source is a local, a constant or the operand's own stack
** slot, which is never below its destination. */
static int label_moves(cstate *c, const ctl *L, uint32_t n, const wm_valtype *t) {
  for (uint32_t i = 0, s = label_base(c, L); i < n; s += type_slots(t[i++]))
    TRY(wm__c_move(c, REF_STACK | s, c->tmp[i].ref, t[i]));
  return wm__c_flush_moves(c);
}

/* Return with the n results in c->tmp, whose own stack slots start at
** position h0: move them to slots 0.. (a v128 takes two) and emit
** RETURN. Destinations are plain slot numbers. Result i may come from a local or constant slot s
** below i, which the move of result s has overwritten by then; such sources
** are first copied to their own stack slots (never below any destination).
** A constant's final slot is not known yet (unused ones are dropped), only
** that it is at least L. A single result that the last instruction has just
** computed is written to slot 0 by that instruction itself. */
static int emit_return(cstate *c, uint32_t n, uint32_t h0) {
  uint32_t L = c->nlslots, lr = c->prev_res;
  const wm_valtype *rt = c->ftype->results;
  if (n == 1 && lr != NOPOS && lr == c->last_start + WM_HEAD_CELLS &&
      c->tmp[0].ref == own_ref(c, h0) && c->code[lr] == c->tmp[0].ref) {
    c->code[lr] = 0;
    c->tmp[0].ref = 0;
  }
  for (uint32_t i = 0, d = 0; i < n; d += type_slots(rt[i++])) {
    uint32_t r = c->tmp[i].ref, s;
    if (IS_LOCAL(r)) s = r;
    else if (r & REF_CONST) s = L;
    else continue;
    if (s < d) {
      TRY(wm__c_move(c, own_ref(c, h0 + i), r, rt[i]));
      c->tmp[i].ref = own_ref(c, h0 + i);
    }
  }
  TRY(wm__c_flush_moves(c));
  for (uint32_t i = 0, d = 0; i < n; d += type_slots(rt[i++]))
    TRY(wm__c_move(c, d, c->tmp[i].ref, rt[i]));
  TRY(wm__c_flush_moves(c));
  return wm__c_head(c, WM_OP_RETURN);
}

/* Enter block/loop/if. Values are materialised here for two reasons: a
** loop's params and every block's params must be in fixed slots, and no
** operand below a frame may name a local -- otherwise a local.set inside
** the frame would materialise it on one path only (say, in one arm of an
** if) and the compile-time state after the frame would be wrong. */
static int enter_block(cstate *c, uint8_t kind, uint32_t prev_start, wm_op prev_op, uint32_t lr) {
  ctl bt;
  TRY(rd_blocktype(c, &bt));
  vop cond = {0, 0};
  uint32_t cond_h = c->nvals - 1;
  if (kind == K_IF) TRY(wm__c_pop(c, WM_I32, &cond));
  TRY(pop_n(c, bt.np, bt.p));
  uint32_t base = c->nvals;
  TRY(mat_all_locals(c));
  if (kind == K_LOOP) c->locals_zero = false; /* a branch back may follow a write */
  if (!c->dead) {
    for (uint32_t i = 0; i < bt.np; i++) TRY(wm__c_move(c, own_ref(c, base + i), c->tmp[i].ref, bt.p[i]));
    TRY(wm__c_flush_moves(c));
  }
  uint32_t else_cell = NOPOS, else_instr = NOPOS;
  static const wm_op inverse[] = {WM_OP_BR_I32_NE,   WM_OP_BR_I32_EQ,   WM_OP_BR_I32_GE_S,
                                  WM_OP_BR_I32_GE_U, WM_OP_BR_I32_LE_S, WM_OP_BR_I32_LE_U,
                                  WM_OP_BR_I32_GT_S, WM_OP_BR_I32_GT_U, WM_OP_BR_I32_LT_S,
                                  WM_OP_BR_I32_LT_U};
  if (kind == K_IF && !c->dead) {
    bool fuse = lr != NOPOS && c->last_start == prev_start && cond.ref == own_ref(c, cond_h) &&
                c->code[lr] == cond.ref;
    if (fuse && prev_op == WM_OP_I32_EQZ) {
      /* eqz a ; if  ->  BR_IF a else */
      TRY(branch_head(c, WM_OP_BR_IF, untake_eqz(c)));
    } else if (fuse && prev_op >= WM_OP_I32_EQ && prev_op <= WM_OP_I32_GE_U) {
      /* cmp a b ; if  ->  BR_<not cmp> a b else (the compare taken back
      ** with the history of the last instructions, so that the branch
      ** fuses with the one before it) */
      uint32_t a, b;
      untake_cmp(c, &a, &b);
      TRY(cmpbr_head(c, inverse[prev_op - WM_OP_I32_EQ], a, b));
    } else if (fuse && prev_op >= WM_OP_I32_EQ_K && prev_op <= WM_OP_I32_GE_U_K) {
      /* the same with an immediate b: BR_<not cmp>_K a imm else */
      uint32_t a, imm;
      wm_op br = inverse[prev_op - WM_OP_I32_EQ_K];
      untake_cmp(c, &a, &imm);
      TRY(cmpbrk_head(c, (wm_op)(WM_OP_BR_I32_EQ_K + (br - WM_OP_BR_I32_EQ)), a, imm));
    } else {
      TRY(branch_head(c, WM_OP_BR_IF_NOT, cond.ref));
    }
    else_instr = c->last_start;
    else_cell = c->ncode;
    TRY(wm__c_cell(c, 0));
  }
  TRY(push_ctl(c, kind, &bt));
  ctl *f = top_ctl(c);
  f->else_cell = else_cell;
  f->else_instr = else_instr;
  for (uint32_t i = 0; i < bt.np; i++) TRY(push_res(c, bt.p[i]));
  return 0;
}

/* Pop the frame's results at else/end: exactly the result types must be on
** its stack. On a live path they are moved into the result slots. */
static int close_arm(cstate *c) {
  ctl *f = top_ctl(c);
  TRY(pop_n(c, f->nr, f->r));
  if (c->nvals != f->height) return mismatch(c);
  if (c->dead) return 0;
  /* Branches to the function's label return directly (jump_to), so its end
  ** is reached only by falling through: return from here too. */
  if (f->kind == K_FUNC) return emit_return(c, f->nr, c->nvals);
  return label_moves(c, f, f->nr, f->r);
}

static int do_else(cstate *c) {
  ctl *f = top_ctl(c);
  if (f->kind != K_IF) return wm__c_malformed(c, "else without matching if");
  TRY(close_arm(c));
  if (!c->dead) {
    TRY(branch_head(c, WM_OP_BR, 0));
    TRY(branch_off(c, f, c->last_start));
  }
  f = top_ctl(c);
  if (f->else_cell != NOPOS) set_off(c, f->else_cell, f->else_instr, c->ncode);
  f->else_cell = NOPOS;
  wm__c_reset_inits(c, f);
  f->kind = K_ELSE;
  f->unreachable = false;
  update_dead(c);
  for (uint32_t i = 0; i < f->np; i++) TRY(push_res(c, f->p[i]));
  return 0;
}

static int do_end(cstate *c) {
  ctl *f = top_ctl(c);
  if (f->kind == K_IF) {
    /* The missing else arm passes the params through as results. */
    bool same = f->np == f->nr;
    for (uint32_t i = 0; same && i < f->np; i++) same = wm__valtype_match(c->mod, f->p[i], f->r[i]);
    if (!same) return mismatch(c);
  }
  TRY(close_arm(c));
  f = top_ctl(c);
  if (f->kind == K_TRY) wm__c_try_end(c, f);
  if (f->else_cell != NOPOS) set_off(c, f->else_cell, f->else_instr, c->ncode);
  resolve_patches(c, f, c->ncode);
  wm__c_reset_inits(c, f);
  ctl fr = *f;
  c->nctls--;
  if (fr.kind == K_FUNC) return 0;
  update_dead(c);
  for (uint32_t i = 0; i < fr.nr; i++) TRY(push_res(c, fr.r[i]));
  return 0;
}

static int rd_label(cstate *c, ctl **L) {
  uint32_t l = 0; /* set by wm__c_rd_u32 (for -Wmaybe-uninitialized) */
  TRY(wm__c_rd_u32(c, &l));
  if (l >= c->nctls) return wm__c_invalid(c, "unknown label");
  *L = &c->ctls[c->nctls - 1 - l];
  return 0;
}

/* Emit the jump to L with the n operands in c->tmp as its values. */
static int jump_to(cstate *c, ctl *L, uint32_t n) {
  if (L->kind == K_FUNC) return emit_return(c, n, c->nvals - n);
  TRY(label_moves(c, L, n, label_t(L)));
  TRY(branch_head(c, WM_OP_BR, 0));
  return branch_off(c, L, c->last_start);
}

static int do_br(cstate *c) {
  ctl *L = NULL;
  TRY(rd_label(c, &L));
  uint32_t n = label_n(L);
  TRY(pop_n(c, n, label_t(L)));
  if (!c->dead) {
    c->nvals += n; /* jump_to wants the operands' heights */
    int rc = jump_to(c, L, n);
    c->nvals -= n;
    TRY(rc);
  }
  set_unreachable(c);
  return 0;
}

/* br_if on `cmp a b` (an I32_EQ or I32_NE just taken back), one of whose
** operands the instruction at s2 right before it, an I32_LOAD, has just
** loaded: rewrite the load in place as I32_LOAD_BR_EQ/NE `d a imm b`, the
** offset to follow. It keeps writing d, so nothing else need change, and
** keeps its trap location (recorded at s2). Returns 1 when it cannot. */
static int load_cmpbr(cstate *c, wm_op cmp, uint32_t s2, wm_op op2, uint32_t a, uint32_t b) {
  uint32_t s = c->ncode;
  if ((cmp != WM_OP_I32_EQ && cmp != WM_OP_I32_NE) || s2 == NOPOS || op2 != WM_OP_I32_LOAD ||
      s != s2 + WM_HEAD_CELLS + 3 || c->label_cell == s)
    return 1;
  uint32_t d = c->code[s2 + WM_HEAD_CELLS];
  if (d != a && d != b) return 1;
  uint64_t h = wm__op_head(cmp == WM_OP_I32_EQ ? WM_OP_I32_LOAD_BR_EQ : WM_OP_I32_LOAD_BR_NE,
                           c->mod->loop);
  c->code[s2] = (uint32_t)h;
  c->code[s2 + 1] = (uint32_t)(h >> 32);
  c->last_start = s2;
  c->last_op = cmp == WM_OP_I32_EQ ? WM_OP_I32_LOAD_BR_EQ : WM_OP_I32_LOAD_BR_NE;
  c->last2_start = c->last3_start = NOPOS;
  c->last_fix = c->nfix;
  while (c->last_fix && c->fix[c->last_fix - 1] >= s2) c->last_fix--;
  return wm__c_slot(c, d == a ? b : a); /* equality commutes */
}

static int branch_around(cstate *c, ctl *L, uint32_t n, wm_op off, uint32_t cond,
                         uint32_t extra);

/* A branch on a reference (BR_ON_NULL ...): `op cond`, nothing fused. */
static int plain_branch(cstate *c, wm_op op, uint32_t cond) {
  TRY(wm__c_head(c, op));
  return wm__c_slot(c, cond);
}

static int do_br_if(cstate *c, uint32_t prev_start, wm_op prev_op, uint32_t lr) {
  ctl *L = NULL;
  TRY(rd_label(c, &L));
  vop cond;
  uint32_t cond_h = c->nvals - 1;
  TRY(wm__c_pop(c, WM_I32, &cond));
  uint32_t n = label_n(L);
  TRY(pop_n(c, n, label_t(L)));
  TRY(repush_n(c, n, label_t(L)));
  if (c->dead) return 0;
  if (L->kind != K_FUNC && in_place(c, L, n, label_t(L))) {
    bool fuse = lr != NOPOS && c->last_start == prev_start && cond.ref == own_ref(c, cond_h) &&
                c->code[lr] == cond.ref;
    if (fuse && prev_op == WM_OP_I32_EQZ) {
      TRY(branch_head(c, WM_OP_BR_IF_NOT, untake_eqz(c)));
    } else if (fuse && prev_op >= WM_OP_I32_EQ && prev_op <= WM_OP_I32_GE_U) {
      uint32_t a, b;
      untake_cmp(c, &a, &b); /* the one before it is the last again */
      int rc = load_cmpbr(c, prev_op, c->last_start, c->last_op, a, b);
      if (rc != 1) TRY(rc);
      else TRY(cmpbr_head(c, (wm_op)(WM_OP_BR_I32_EQ + (prev_op - WM_OP_I32_EQ)), a, b));
    } else if (fuse && prev_op >= WM_OP_I32_EQ_K && prev_op <= WM_OP_I32_GE_U_K) {
      uint32_t a, imm;
      untake_cmp(c, &a, &imm);
      TRY(cmpbrk_head(c, (wm_op)(WM_OP_BR_I32_EQ_K + (prev_op - WM_OP_I32_EQ_K)), a, imm));
    } else {
      TRY(branch_head(c, WM_OP_BR_IF, cond.ref));
    }
    return branch_off(c, L, c->last_start);
  }
  /* BR_IF_NOT cond skip ; moves ; BR L ; skip: */
  return branch_around(c, L, n, WM_OP_BR_IF_NOT, cond.ref, NOPOS);
}

/* A conditional branch to L whose operands must move: `off cond skip ;
** moves ; BR L ; skip:` (off branches when the branch is not taken). */
static int branch_around(cstate *c, ctl *L, uint32_t n, wm_op off, uint32_t cond,
                         uint32_t extra) {
  TRY(off == WM_OP_BR_IF_NOT ? branch_head(c, off, cond) : plain_branch(c, off, cond));
  if (extra != NOPOS) TRY(wm__c_cell(c, extra));
  uint32_t skip_instr = c->last_start, skip_cell = c->ncode;
  TRY(wm__c_cell(c, 0));
  TRY(jump_to(c, L, n));
  set_off(c, skip_cell, skip_instr, c->ncode);
  return 0;
}

int wm__c_cond_branch(cstate *c, ctl *L, uint32_t n, wm_op on, wm_op off, uint32_t cond,
                      uint32_t extra) {
  TRY(pop_n(c, n, label_t(L)));
  TRY(repush_n(c, n, label_t(L)));
  if (c->dead) return 0;
  if (L->kind != K_FUNC && in_place(c, L, n, label_t(L))) {
    TRY(plain_branch(c, on, cond));
    if (extra != NOPOS) TRY(wm__c_cell(c, extra));
    return branch_off(c, L, c->last_start);
  }
  return branch_around(c, L, n, off, cond, extra);
}

/* Read a br_table label that the first pass has checked. */
static ctl *bt_label(cstate *c) {
  uint32_t l = 0;
  (void)wm__c_rd_u32(c, &l);
  return &c->ctls[c->nctls - 1 - l];
}

/* First visit of label L by the br_table being lowered: are the m
** operands where L wants them? Operands in stack slots are in the slot of
** their own height (compile.h), so that is L's height when all are. */
static void bt_visit(cstate *c, ctl *L, uint32_t m, bool all_own) {
  if (L->bt_epoch == c->bt_epoch) return;
  L->bt_epoch = c->bt_epoch;
  L->stub = L->bt_last = NOPOS;
  L->bt_in_place = L->kind != K_FUNC && (m == 0 || (all_own && L->height == c->nvals - m));
}

/*
** br_table. Its labels are read twice from the bytes, to check them and
** then to lower them, so nothing per target is kept but the target's own
** cell. Each label is type-checked once per br_table (its operands do not
** change between targets), not once per target, so a long table of few
** labels costs no more than its bytes.
*/
static int do_br_table(cstate *c) {
  uint32_t n, l;
  TRY(wm__c_rd_u32(c, &n));
  if (n > c->end - c->pos) return wm__c_unexpected_end(c); /* each label takes a byte */
  uint32_t labels = c->pos;
  for (uint32_t i = 0; i <= n; i++) {
    TRY(wm__c_rd_u32(c, &l));
    if (l >= c->nctls) return wm__c_invalid(c, "unknown label");
  }
  uint32_t after = c->pos;
  vop cond;
  TRY(wm__c_pop(c, WM_I32, &cond));
  uint32_t cond_own = own_ref(c, c->nvals);
  ctl *D = &c->ctls[c->nctls - 1 - l];
  uint32_t m = label_n(D);
  c->bt_epoch++;
  c->pos = labels;
  for (uint32_t i = 0; i < n; i++) {
    ctl *L = bt_label(c);
    if (label_n(L) != m) return mismatch(c);
    if (L->bt_epoch == c->bt_epoch || label_t(L) == label_t(D)) continue;
    L->bt_epoch = c->bt_epoch;
    TRY(pop_n(c, m, label_t(L)));
    TRY(repush_n(c, m, NULL));
  }
  c->pos = after;
  TRY(pop_n(c, m, label_t(D)));
  if (!c->dead) {
    c->nvals += m;
    bool all_own = true;
    for (uint32_t k = 0; k < m; k++) all_own = all_own && c->tmp[k].ref == own_ref(c, c->nvals - m + k);
    if (cond.ref == cond_own && wm__c_fusable(c, WM_OP_I32_ADD_K, WM_HEAD_CELLS + 3) &&
        c->code[c->last_start + WM_HEAD_CELLS] == cond.ref) {
      /* br_table on i + k that nothing else reads (a C switch whose first
      ** case is k's negation): BR_TABLE_K. The add does not trap. */
      uint32_t i = c->code[c->last_start + WM_HEAD_CELLS + 1];
      uint32_t k = c->code[c->last_start + WM_HEAD_CELLS + 2];
      wm__c_retract(c);
      TRY(wm__c_head(c, WM_OP_BR_TABLE_K));
      TRY(wm__c_slot(c, i));
      TRY(wm__c_cell(c, k));
    } else {
      TRY(wm__c_head(c, WM_OP_BR_TABLE));
      TRY(wm__c_slot(c, cond.ref));
    }
    uint32_t instr = c->last_start;
    TRY(wm__c_cell(c, n));
    uint32_t cells = c->ncode;
    TRY(wm__c_reserve(c, n + 1));
    c->ncode += n + 1;
    c->bt_epoch++;
    c->pos = labels;
    for (uint32_t i = 0; i <= n; i++) {
      ctl *L = bt_label(c);
      uint32_t cell = cells + i;
      bt_visit(c, L, m, all_own);
      if (L->bt_in_place && L->kind == K_LOOP) {
        set_off(c, cell, instr, L->start);
      } else if (L->bt_in_place) {
        c->code[cell] = 0;
        if (L->bt_last == NOPOS) TRY(add_patch(c, L, cell, instr));
        else c->code[L->bt_last] = cell;
        L->bt_last = cell;
      } else {
        if (L->stub == NOPOS) {
          /* jump_to may consume c->tmp (emit_return rewrites it): redo pop. */
          uint32_t at = c->pos;
          L->stub = c->ncode;
          c->label_cell = c->ncode;
          c->fuel_new = true;
          TRY(jump_to(c, L, m));
          for (uint32_t k = 0; k < m; k++) c->tmp[k] = c->vals[c->nvals - m + k];
          c->pos = at;
        }
        set_off(c, cell, instr, L->stub);
      }
    }
    c->pos = after;
    c->nvals -= m;
  }
  set_unreachable(c);
  return 0;
}

static int do_return(cstate *c) {
  ctl *F = &c->ctls[0];
  TRY(pop_n(c, F->nr, F->r));
  if (!c->dead) TRY(emit_return(c, F->nr, c->nvals));
  set_unreachable(c);
  return 0;
}

/* Arguments in consecutive stack slots from `base`, results back there. */
static int call_args(cstate *c, const wm_type *t, uint32_t *base) {
  TRY(pop_n(c, t->nparams, t->params));
  *base = c->nvals;
  if (c->dead) return 0;
  for (uint32_t i = 0; i < t->nparams; i++)
    TRY(wm__c_move(c, own_ref(c, *base + i), c->tmp[i].ref, t->params[i]));
  return wm__c_flush_moves(c);
}

static int call_results(cstate *c, const wm_type *t) {
  for (uint32_t i = 0; i < t->nresults; i++) TRY(push_res(c, t->results[i]));
  return 0;
}

static int do_call(cstate *c) {
  uint32_t f, base;
  TRY(wm__c_rd_u32(c, &f));
  if (f >= c->mod->nfuncs) return wm__c_invalid(c, "unknown function %u", f);
  const wm_type *t = wm__func_type(c->mod, f);
  TRY(call_args(c, t, &base));
  if (!c->dead) {
    bool defined = f >= c->mod->nfunc_imports;
    if (defined && wm__c_fusable(c, WM_OP_I32_ADD_K, WM_HEAD_CELLS + 3)) {
      /* An add of a literal just before (the last argument, `n - 1`): one
      ** instruction, the add's head rewritten in place; the call's trap
      ** location is where its own head would be, 3 cells in. */
      wm__c_rehead(c, WM_OP_I32_ADD_K_CALL);
      c->last2_start = c->last3_start = NOPOS;
      TRY(wm__c_trap_site(c, c->last_start + 3));
    } else {
      TRY(wm__c_head(c, defined ? WM_OP_CALL : WM_OP_CALL_IMPORT));
    }
    TRY(wm__c_cell(c, f));
    TRY(wm__c_slot(c, own_ref(c, base)));
    /* CALL's cache of the callee's code, empty until its first run. */
    for (int i = 0; defined && i < WM_CALL_CACHE_CELLS; i++) TRY(wm__c_cell(c, 0));
  }
  return call_results(c, t);
}

/* call_indirect's and return_call_indirect's immediates. */
static int rd_indirect(cstate *c, uint32_t *ti, uint32_t *tab) {
  TRY(wm__c_rd_u32(c, ti));
  TRY(wm__c_rd_u32(c, tab));
  if (*tab >= c->mod->ntables) return wm__c_invalid(c, "unknown table %u", *tab);
  const char *why = wm__functype_why(c->mod, *ti);
  if (why) return wm__c_invalid(c, "%s %u", why, *ti);
  if (!wm__valtype_match(c->mod, c->mod->tables[*tab].elem, WM_FUNCREF)) return mismatch(c);
  return 0;
}

static int do_call_indirect(cstate *c) {
  uint32_t ti = 0, tab = 0, base; /* set by rd_indirect (for -Wmaybe-uninitialized) */
  TRY(rd_indirect(c, &ti, &tab));
  const wm_type *t = &c->mod->types[ti];
  vop a;
  TRY(wm__c_pop(c, wm__c_table_t(c, tab), &a));
  uint32_t at = c->nvals;
  TRY(call_args(c, t, &base));
  if (!c->dead) {
    /* The index operand sits above the arguments or in a local/constant,
    ** so the argument moves cannot have overwritten it. */
    if (c->mod->tables[tab].lim.is64) TRY(wm__c_index64(c, &a, at));
    TRY(wm__c_head(c, WM_OP_CALL_INDIRECT));
    TRY(wm__c_slot(c, a.ref));
    TRY(wm__c_cell(c, ti));
    TRY(wm__c_cell(c, tab));
    TRY(wm__c_slot(c, own_ref(c, base)));
  }
  return call_results(c, t);
}

/* Tail calls (WebAssembly 3.0): the callee's results must be this
** function's. The instruction is followed by the return sequence of a
** plain `call; return`, which only the callees that run nested (host
** functions, another loop's code, the checker's allocator hooks) reach. */
static int tail_results(cstate *c, const wm_type *t) {
  const wm_type *f = c->ftype;
  if (t->nresults != f->nresults) return mismatch(c);
  for (uint32_t i = 0; i < t->nresults; i++)
    if (!wm__valtype_match(c->mod, t->results[i], f->results[i])) return mismatch(c);
  return 0;
}

static uint32_t param_slots(const wm_type *t) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < t->nparams; i++) n += type_slots(t->params[i]);
  return n;
}

static int tail_return(cstate *c, const wm_type *t) {
  if (!c->dead) {
    TRY(call_results(c, t));
    c->prev_res = NOPOS; /* the last instruction is the call, not a result */
  }
  return do_return(c);
}

static int do_return_call(cstate *c) {
  uint32_t f, base;
  TRY(wm__c_rd_u32(c, &f));
  if (f >= c->mod->nfuncs) return wm__c_invalid(c, "unknown function %u", f);
  const wm_type *t = wm__func_type(c->mod, f);
  TRY(tail_results(c, t));
  TRY(call_args(c, t, &base));
  if (!c->dead) {
    TRY(wm__c_head(c, WM_OP_RETURN_CALL));
    TRY(wm__c_cell(c, f));
    TRY(wm__c_slot(c, own_ref(c, base)));
    TRY(wm__c_cell(c, param_slots(t)));
    TRY(wm__c_tail_skip(c, c->last_start));
  }
  return tail_return(c, t);
}

static int do_return_call_indirect(cstate *c) {
  uint32_t ti = 0, tab = 0, base; /* set by rd_indirect (for -Wmaybe-uninitialized) */
  TRY(rd_indirect(c, &ti, &tab));
  const wm_type *t = &c->mod->types[ti];
  TRY(tail_results(c, t));
  vop a;
  TRY(wm__c_pop(c, wm__c_table_t(c, tab), &a));
  uint32_t at = c->nvals;
  TRY(call_args(c, t, &base));
  if (!c->dead) {
    if (c->mod->tables[tab].lim.is64) TRY(wm__c_index64(c, &a, at));
    TRY(wm__c_head(c, WM_OP_RETURN_CALL_INDIRECT));
    TRY(wm__c_slot(c, a.ref));
    TRY(wm__c_cell(c, ti));
    TRY(wm__c_cell(c, tab));
    TRY(wm__c_slot(c, own_ref(c, base)));
    TRY(wm__c_cell(c, param_slots(t)));
    TRY(wm__c_tail_skip(c, c->last_start));
  }
  return tail_return(c, t);
}

int wm__c_call_ref(cstate *c, bool tail) {
  uint32_t ti = 0, base;
  TRY(wm__c_rd_u32(c, &ti));
  const char *why = wm__functype_why(c->mod, ti);
  if (why) return wm__c_invalid(c, "%s %u", why, ti);
  const wm_type *t = &c->mod->types[ti];
  vop a;
  TRY(wm__c_pop(c, wm__vt_ref_idx(ti, false), &a));
  if (tail) TRY(tail_results(c, t));
  TRY(call_args(c, t, &base));
  if (!c->dead) { /* the reference sat above the arguments: no move wrote it */
    TRY(wm__c_head(c, tail ? WM_OP_RETURN_CALL_REF : WM_OP_CALL_REF));
    TRY(wm__c_slot(c, a.ref));
    TRY(wm__c_slot(c, own_ref(c, base)));
    if (tail) TRY(wm__c_cell(c, param_slots(t)));
    if (tail) TRY(wm__c_tail_skip(c, c->last_start));
  }
  return tail ? tail_return(c, t) : call_results(c, t);
}

/* --------------------------------------------------------------- variables */

static int rd_local(cstate *c, uint32_t *x) {
  TRY(wm__c_rd_u32(c, x));
  if (*x >= c->nlocals) return wm__c_invalid(c, "unknown local %u", *x);
  return 0;
}

/* local.set / local.tee. When the value was just computed into its own
** stack slot by the previous instruction, that instruction is retargeted to
** write the local directly -- unless an operand still names the local (it
** must keep the old value) or the value is not that result. */
static int do_local_set(cstate *c, bool tee, uint32_t lr, bool at_entry) {
  uint32_t x;
  TRY(rd_local(c, &x));
  uint32_t type = c->ltypes[x];
  uint32_t slot = c->lslot[x];
  vop v;
  uint32_t h = c->nvals - 1;
  uint64_t k;
  uint32_t lm = c->last_move;
  c->last_move = NOPOS;
  TRY(wm__c_pop(c, type, &v));
  if (WM_UNLIKELY(!c->linit[x])) TRY(wm__c_set_init(c, x));
  if ((at_entry || c->locals_zero) && !tee && x >= c->ftype->nparams && type != WM_V128 &&
      wm__c_const(c, v.ref, &k) && k == 0) {
    /* Compilers open functions, or their first branches, by zeroing
    ** locals that entry has zeroed. */
    c->at_entry = at_entry;
    return 0;
  }
  c->locals_zero = false;
  if (!c->dead) {
    if (lr != NOPOS && v.ref == own_ref(c, h) && c->lrefs[slot] == 0 && c->code[lr] == v.ref) {
      c->code[lr] = slot; /* stays in `fix`; fix-up leaves local slots alone */
    } else {
      TRY(mat_local(c, slot));
      if (v.ref != slot && type != WM_V128 && lm != NOPOS && c->last_start == lm &&
          c->last_op == WM_OP_MOVE && c->ncode == lm + WM_HEAD_CELLS + 2 &&
          !wm__c_const(c, v.ref, &k)) {
        /* local.get a local.set b local.get c local.set d: one MOVE2 (register
        ** rotations in unrolled loops); right after another MOVE2, with no
        ** label between, both are one MOVE4 (SHA-2's eight variables). */
        uint32_t p = c->last2_start;
        wm_op fused = WM_OP_MOVE2;
        if (p != NOPOS && c->last2_op == WM_OP_MOVE2 && p + WM_HEAD_CELLS + 4 == lm &&
            c->label_cell != lm) {
          uint32_t d3 = c->code[lm + WM_HEAD_CELLS], a3 = c->code[lm + WM_HEAD_CELLS + 1];
          c->ncode = lm; /* the MOVE's cells move down over its head */
          while (c->nfix && c->fix[c->nfix - 1] >= lm) c->nfix--;
          c->last_start = lm = p;
          c->last2_start = c->last3_start;
          c->last2_op = c->last3_op;
          c->last3_start = NOPOS;
          c->last_fix = c->nfix;
          while (c->last_fix && c->fix[c->last_fix - 1] >= p) c->last_fix--;
          TRY(wm__c_slot(c, d3));
          TRY(wm__c_slot(c, a3));
          fused = WM_OP_MOVE4;
        }
        uint64_t head = wm__op_head(fused, c->mod->loop);
        c->code[lm] = (uint32_t)head;
        c->code[lm + 1] = (uint32_t)(head >> 32);
        c->last_op = fused;
        TRY(wm__c_slot(c, slot));
        TRY(wm__c_slot(c, v.ref));
      } else if (v.ref != slot) {
        TRY(wm__c_move(c, slot, v.ref, type));
        TRY(wm__c_flush_moves(c));
        if (!tee && c->last_op == WM_OP_MOVE) c->last_move = c->last_start;
      }
    }
  }
  /* A tee of a local or constant leaves that operand itself on the stack,
  ** not the copy: `local.get y local.tee x i32.load local.set y` then loads
  ** from y, whose last write is one instruction nearer, and a constant can
  ** still become an immediate. Materialising y before it changes keeps it
  ** right, as for any local.get. */
  uint32_t pushed = slot;
  if (c->dead)
    pushed = own_ref(c, c->nvals);
  else if (type != WM_V128 && (IS_LOCAL(v.ref) || wm__c_const(c, v.ref, &k)))
    pushed = v.ref;
  if (tee) TRY(wm__c_push(c, type, pushed));
  return 0;
}

/* ---------------------------------------------------------------- metering */

/* The fuel an instruction costs (meter.c): 1, except the structural
** markers, which do no work of their own. */
static bool costs_fuel(uint8_t op) {
  return !(op == 0x01 || op == 0x02 || op == 0x03 || op == 0x05 || op == 0x0B);
}

/* Metered code: charge the live instruction about to be compiled to its
** basic block's FUEL, emitting a new FUEL first where a block starts (any
** label, so every loop iteration and every function entry runs one). Sets
** *fresh when it emitted one: nothing may fuse across it. */
static int meter(cstate *c, bool *fresh) {
  *fresh = false;
  if (c->fuel_new || c->fuel_cell == NOPOS) {
    TRY(wm__c_head(c, WM_OP_FUEL));
    c->fuel_cell = c->ncode;
    TRY(wm__c_cell(c, 0));
    c->fuel_new = false;
    *fresh = true;
  }
  c->code[c->fuel_cell]++;
  return 0;
}

/* ------------------------------------------------------------ memories */

int wm__c_use_memory(cstate *c, uint32_t mem) {
  if (mem >= c->mod->nmems) return wm__c_invalid(c, "unknown memory %u", mem);
  if (mem == 0 || c->dead) return 0;
  TRY(wm__c_head(c, WM_OP_MEMORY_SELECT));
  TRY(wm__c_cell(c, mem));
  c->mem_open = true;
  return 0;
}

static int close_memory(cstate *c) {
  c->mem_open = false;
  TRY(wm__c_head(c, WM_OP_MEMORY_SELECT));
  TRY(wm__c_cell(c, 0));
  c->last_res = NOPOS; /* the result's producer is no longer the last */
  return 0;
}

/* The memarg's flags and memory index, for every reader (skim too). */
static int rd_memflags(cstate *c, uint32_t *align, uint32_t *mem) {
  TRY(wm__c_rd_u32(c, align));
  *mem = 0;
  if (c->mod->wasm2) return 0; /* any flags are an alignment, judged later */
  if (*align >= 0x80) return wm__c_malformed(c, "malformed memop flags");
  if (*align & 0x40) TRY(wm__c_rd_u32(c, mem));
  *align &= 0x3F;
  return 0;
}

/* A memarg's offset: a u64 in WebAssembly 3.0 (a u32 under
** WM_MODULE_WASM2), into c->off64 and, when it fits, *offset; c->mem64
** says the memory is 64-bit (its offset goes to ADDR64, *offset is 0). */
static int rd_offset(cstate *c, uint32_t mem, uint32_t *offset) {
  c->mem64 = mem < c->mod->nmems && c->mod->mems[mem].is64;
  *offset = 0;
  if (c->mod->wasm2) {
    TRY(wm__c_rd_u32(c, offset));
    c->off64 = *offset;
    return 0;
  }
  TRY(rd_u64(c, &c->off64));
  if (!c->mem64) *offset = (uint32_t)c->off64;
  return 0;
}

int wm__c_memarg(cstate *c, uint32_t natural, bool exact, uint32_t *offset) {
  /* Most memargs (yosys: 35,000 in a start's 1,264 bodies) are memory 0's
  ** flags in one byte and an offset in one or two, with an alignment that
  ** passes: taken here, the rest (and every error) below. */
  const wm_module *mod = c->mod;
  if (WM_LIKELY(c->end - c->pos >= 3 && mod->nmems)) {
    const uint8_t *b = &c->bytes[c->pos - c->base];
    uint32_t off = b[1], n = 2;
    if (off >= 0x80) {
      off = b[2] < 0x80 ? (off & 0x7F) | (uint32_t)b[2] << 7 : UINT32_MAX;
      n = 3;
    }
    if (b[0] < 0x40 && off != UINT32_MAX && (exact ? b[0] == natural : b[0] <= natural)) {
      c->pos += n;
      c->mem64 = mod->mems[0].is64;
      c->off64 = off;
      *offset = c->mem64 && !mod->wasm2 ? 0 : off; /* as rd_offset */
      return 0;
    }
  }
  uint32_t align, mem;
  TRY(rd_memflags(c, &align, &mem));
  TRY(rd_offset(c, mem, offset));
  if (mem >= c->mod->nmems) return wm__c_invalid(c, "unknown memory %u", mem);
  if (!c->mem64 && c->off64 > UINT32_MAX) return wm__c_invalid(c, "offset out of range");
  if (exact ? align != natural : align > natural)
    return wm__c_invalid(c, exact ? "atomic alignment must be natural"
                                  : "alignment must not be larger than natural");
  return mem == 0 ? 0 : wm__c_use_memory(c, mem); /* memory 0, known to exist: nothing */
}

int wm__c_addr64(cstate *c, vop *a) {
  if (!c->mem64 || c->dead) return 0;
  uint32_t d = own_ref(c, c->nvals);
  TRY(wm__c_head(c, WM_OP_ADDR64));
  TRY(wm__c_slot(c, d));
  TRY(wm__c_slot(c, a->ref));
  TRY(wm__c_cell(c, (uint32_t)c->off64));
  TRY(wm__c_cell(c, (uint32_t)(c->off64 >> 32)));
  a->ref = d;
  return 0;
}

int wm__c_index64(cstate *c, vop *v, uint32_t pos) {
  if (c->dead) return 0;
  uint32_t d = own_ref(c, pos);
  TRY(wm__c_head(c, WM_OP_INDEX64));
  TRY(wm__c_slot(c, d));
  TRY(wm__c_slot(c, v->ref));
  v->ref = d;
  return 0;
}

int wm__c_memidx(cstate *c, bool select, uint32_t *mem) {
  if (c->mod->wasm2) {
    uint8_t b;
    TRY(wm__c_rd_u8(c, &b));
    if (b != 0) return wm__c_malformed(c, "zero byte expected");
    *mem = 0;
  } else {
    TRY(wm__c_rd_u32(c, mem));
  }
  if (select) return wm__c_use_memory(c, *mem);
  return *mem < c->mod->nmems ? 0 : wm__c_invalid(c, "unknown memory %u", *mem);
}

/* ---------------------------------------------------------------- the pass */

static int compile_body(cstate *c) {
  ctl fbt = {0};
  fbt.nr = c->ftype->nresults;
  fbt.r = c->ftype->results;
  TRY(push_ctl(c, K_FUNC, &fbt));
  c->last_start = c->last2_start = c->last3_start = NOPOS;
  c->last_res = NOPOS;
  c->label_cell = NOPOS;
  c->mul_start = NOPOS;
  c->at_entry = true;
  c->locals_zero = true;
  c->last_move = NOPOS;
  c->fuel_cell = NOPOS;
  while (c->nctls > 0) {
    c->instr_off = c->pos;
    uint32_t lr = c->last_res, prev_start = c->last_start;
    wm_op prev_op = c->last_op;
    bool at_entry = c->at_entry;
    uint32_t last_move = c->last_move;
    c->last_move = NOPOS;
    c->prev_res = lr;
    c->last_res = NOPOS;
    c->at_entry = false;
    if (c->pos >= c->end) {
      if (c->end >= c->mod->len) return wm__c_unexpected_end(c);
      return wm__c_malformed(c, "END opcode expected");
    }
    uint8_t op = c->bytes[c->pos++ - c->base];
    bool fresh = false;
    if (c->mod->metered && !c->dead && costs_fuel(op)) TRY(meter(c, &fresh));
    if (fresh) { /* the FUEL is now the last instruction */
      lr = c->prev_res = NOPOS;
      last_move = NOPOS;
      prev_start = c->last_start;
      prev_op = WM_OP_FUEL;
    }
    switch (op) {
      case 0x00: /* unreachable */
        if (!c->dead) TRY(wm__c_head(c, WM_OP_UNREACHABLE));
        set_unreachable(c);
        break;
      case 0x01: break; /* nop */
      case 0x02: TRY(enter_block(c, K_BLOCK, prev_start, prev_op, lr)); break;
      case 0x03: TRY(enter_block(c, K_LOOP, prev_start, prev_op, lr)); break;
      case 0x04: TRY(enter_block(c, K_IF, prev_start, prev_op, lr)); break;
      case 0x05: TRY(do_else(c)); break;
      case 0x0B: TRY(do_end(c)); break;
      case 0x0C: TRY(do_br(c)); break;
      case 0x0D: TRY(do_br_if(c, prev_start, prev_op, lr)); break;
      case 0x0E: TRY(do_br_table(c)); break;
      case 0x0F: TRY(do_return(c)); break;
      case 0x10: TRY(do_call(c)); break;
      case 0x11: TRY(do_call_indirect(c)); break;
      case 0x12: TRY(do_return_call(c)); break;
      case 0x13: TRY(do_return_call_indirect(c)); break;
      case 0x08: case 0x0A: case 0x1F: TRY(wm__c_exc_op(c, op)); break;
      case 0x14: case 0x15: case 0xD4: case 0xD5: case 0xD6: TRY(wm__c_ref_op(c, op)); break;
      case 0x1A: { /* drop */
        vop v;
        TRY(wm__c_pop(c, 0, &v));
        break;
      }
      case 0x20: { /* local.get */
        uint32_t x;
        TRY(rd_local(c, &x));
        if (WM_UNLIKELY(!c->linit[x])) return wm__c_invalid(c, "uninitialized local %u", x);
        TRY(wm__c_push(c, c->ltypes[x], c->dead ? own_ref(c, c->nvals) : c->lslot[x]));
        c->last_res = lr; /* emits nothing: a store may still fold its address */
        c->last_move = last_move;
        break;
      }
      case 0x21:
        c->last_move = last_move; /* do_local_set consumes it */
        TRY(do_local_set(c, false, lr, at_entry));
        break;
      case 0x22: TRY(do_local_set(c, true, lr, false)); break;
      case 0x41: case 0x42: case 0x43: case 0x44: { /* constants */
        uint64_t bits = 0;
        int64_t s = 0;
        uint8_t t;
        if (op == 0x41) {
          TRY(wm__c_rd_sleb(c, 32, &s));
          bits = (uint32_t)s;
          t = WM_I32;
        } else if (op == 0x42) {
          TRY(wm__c_rd_sleb(c, 64, &s));
          bits = (uint64_t)s;
          t = WM_I64;
        } else {
          TRY(wm__c_rd_fixed(c, op == 0x43 ? 4 : 8, &bits));
          t = op == 0x43 ? WM_F32 : WM_F64;
        }
        uint32_t ref = own_ref(c, c->nvals);
        if (!c->dead) TRY(const_ref(c, bits, &ref));
        TRY(wm__c_push(c, t, ref));
        c->last_res = lr; /* as for local.get */
        c->at_entry = at_entry;
        break;
      }
      case 0xD0: { /* ref.null ht: a constant slot holding NULL */
        uint32_t t;
        TRY(wm__c_rd_type(c, true, &t));
        uint32_t ref = own_ref(c, c->nvals);
        if (!c->dead) TRY(const_ref(c, 0, &ref));
        TRY(wm__c_push(c, t, ref));
        break;
      }
      case 0xD3: case 0xFB: case 0xFC: case 0xFD: case 0xFE: { /* prefixes: a sub-opcode follows */
        uint32_t sub = WM_GC_REF_EQ, res = NOPOS;
        if (op != 0xD3) TRY(wm__c_rd_u32(c, &sub));
        int rc = op == 0xFC   ? wm__c_fc_op(c, sub, &res)
                 : op == 0xFD ? wm__c_simd_op(c, sub, &res)
                 : op == 0xFE ? wm__c_atomic_op(c, sub, &res)
                              : wm__c_gc_op(c, sub, &res);
        if (rc == 1) return wm__c_malformed(c, "illegal opcode");
        if (rc) return rc;
        c->last_res = res;
        break;
      }
      default: {
        uint32_t res = NOPOS;
        int rc = wm__c_simple_op(c, op, &res);
        if (rc == 1) {
          const char *why = wm__unsupported_op(op);
          return wm__c_malformed(c, why ? why : "illegal opcode");
        }
        if (rc) return rc;
        c->last_res = res;
        break;
      }
    }
    if (c->mem_open) TRY(close_memory(c));
    /* The code after a conditional branch starts a basic block. */
    if (op == 0x04 || op == 0x0D || op == 0xD5 || op == 0xD6) c->fuel_new = true;
  }
  if (c->pos != c->end) return wm__c_malformed(c, "section size mismatch");
  return 0;
}

int wm__c_skip_memarg(cstate *c) {
  uint32_t align = 0, mem, offset;
  TRY(rd_memflags(c, &align, &mem));
  return rd_offset(c, mem, &offset);
}

static void free_state(cstate *c) {
  wm__free(c->decl);
  wm__free(c->kmap);
  wm__free(c->body_buf);
  wm__free(c->ltypes);
  wm__free(c->linit);
  wm__free(c->ilog);
  wm__free(c->lrefs);
  wm__free(c->lslot);
  wm__free(c->hs);
  wm__free(c->kpair);
  wm__free(c->vals);
  wm__free(c->ctls);
  wm__free(c->tmp);
  wm__free(c->fix);
  wm__free(c->patches);
  wm__free(c->chash);
  wm__free(c->mv);
  wm__free(c->hdl);
}

/* Give back an output array's unused capacity (it grew by doubling); on
** failure the array stays as it is. */
static void shrink(void **arr, uint32_t n, size_t elsize) {
  if (!*arr || !n) return;
  void *p = wm__realloc(*arr, (size_t)n * elsize);
  if (p) *arr = p;
}

static void free_output(cstate *c);

/*
** The compiler's growable arrays (operands, control frames, fixups, the
** code and constants being emitted, the locals' types and slots, the body's
** bytes...) are kept between lowerings, a set per thread lowering at a
** time, in a list on the module: lowering a function then rarely
** allocates, where it used to grow a dozen arrays from nothing and make
** several more per body (yosys `-V`, 1,265 functions: a tenth of its
** start-up in malloc and realloc, and a quarter of its page faults in
** arrays growing). The first set of a large module starts at the size
** its largest body needs (presize), so that growing it copies nothing.
*/
typedef struct scratch {
  struct scratch *next;
  uint32_t most; /* the module's largest body, once presize has looked */
  uint32_t *code, *fix, *pc_cell, *pc_off, *mv, *hs, *lslot, *lrefs, *decl, *kmap, *chash, *ilog;
  uint32_t cap_code, cap_fix, cap_pc, cap_pc2, cap_mv, cap_hs, cap_lslot, cap_lrefs, cap_decl,
      cap_kmap, cap_chash, cap_ilog;
  patch *patches;
  uint32_t cap_patches;
  uint64_t *consts;
  uint8_t *kpair, *linit, *body_buf;
  uint32_t cap_consts, cap_kpair, cap_linit, cap_body;
  wm_valtype *ltypes;
  uint32_t cap_ltypes;
  vop *vals, *tmp;
  ctl *ctls;
  uint32_t cap_vals, cap_tmp, cap_ctls;
} scratch;

#define SCRATCH_FIELDS(X, out)                                                        \
  X(vals, cap_vals) X(ctls, cap_ctls) X(tmp, cap_tmp) X(fix, cap_fix)                \
  X(patches, cap_patches) X(mv, cap_mv) X(kpair, cap_kpair) X(hs, cap_hs)            \
  X(ltypes, cap_ltypes) X(lslot, cap_lslot) X(lrefs, cap_lrefs) X(decl, cap_decl)    \
  X(kmap, cap_kmap) X(chash, cap_chash) X(ilog, cap_ilog) X(linit, cap_linit)        \
  X(body_buf, cap_body)                                                               \
  out(code, cap_code) out(consts, cap_consts) out(pc_cell, cap_pc) out(pc_off, cap_pc2)

/* A set's main arrays start at what the module's largest body needs
** in the common case (a cell and half a fix-up per body byte; a body
** lowers to about 0.75 cells a byte), so that they do not grow by copying
** into fresh pages: yosys `-V`, 120 page faults. Allocated, not touched:
** what a body does not use costs no memory. A failure here only leaves
** an array to grow. */
static void presize(const wm_module *mod, scratch *s) {
  if (!s->most) {
    for (uint32_t i = mod->nfunc_imports; i < mod->nfuncs; i++)
      if (mod->funcs[i].body_len > s->most) s->most = mod->funcs[i].body_len;
    if (s->most > MAX_INDEX) s->most = MAX_INDEX;
  }
  uint32_t most = s->most;
  (void)(wm__grow((void **)&s->code, &s->cap_code, most, sizeof *s->code) ||
         wm__grow((void **)&s->fix, &s->cap_fix, most / 2, sizeof *s->fix) ||
         wm__grow((void **)&s->pc_cell, &s->cap_pc, most / 4, sizeof *s->pc_cell) ||
         wm__grow((void **)&s->pc_off, &s->cap_pc2, most / 4, sizeof *s->pc_off));
}

/* Start c with a spare set of arrays (or a new one; or none if out of
** memory, when the arrays are simply freed at the end). */
static void take_scratch(cstate *c) {
  wm_module *mod = c->mod;
  pthread_mutex_lock(&mod->arena_lock);
  scratch *s = mod->scratch;
  if (s) mod->scratch = s->next;
  pthread_mutex_unlock(&mod->arena_lock);
  if (!s) s = wm__calloc(1, sizeof *s);
  if (!s) return;
  /* New, or its arrays kept by a large function's code (settle_output). */
  if (!s->cap_code) presize(mod, s);
#define TAKE(f, cap) c->f = s->f, c->cap = s->cap, s->f = NULL, s->cap = 0;
  SCRATCH_FIELDS(TAKE, TAKE)
#undef TAKE
  c->scr = s;
}

/* Give c's arrays back for the next lowering, the outputs too unless
** `outputs` is false (the lowered code took them). */
static void give_scratch(cstate *c, bool outputs) {
  scratch *s = c->scr;
  if (!s) return;
  c->scr = NULL;
#define GIVE(f, cap) s->f = c->f, s->cap = c->cap, c->f = NULL, c->cap = 0;
#define GIVE_OUT(f, cap) if (outputs) { GIVE(f, cap) }
  SCRATCH_FIELDS(GIVE, GIVE_OUT)
#undef GIVE_OUT
#undef GIVE
  wm_module *mod = c->mod;
  pthread_mutex_lock(&mod->arena_lock);
  s->next = mod->scratch;
  mod->scratch = s;
  pthread_mutex_unlock(&mod->arena_lock);
}

void wm__compile_scratch_free(wm_module *mod) {
  for (scratch *s = mod->scratch, *next; s; s = next) {
    next = s->next;
#define FREE(f, cap) wm__free(s->f);
    SCRATCH_FIELDS(FREE, FREE)
#undef FREE
    wm__free(s);
  }
  mod->scratch = NULL;
}

/* Move the output arrays into one block of the module's code arena
** (wm__code_alloc), constants first for their alignment, giving the
** arrays back to the scratch; or, when the arena has no room for them,
** give back their unused capacity and let the lowered code keep them
** (copied, a large function's code would touch as many fresh pages again:
** yosys `-V`, 130 page faults). */
static bool settle_output(cstate *c) {
  size_t nk = (size_t)c->nconsts * sizeof *c->consts, nc = (size_t)c->ncode * sizeof *c->code;
  size_t np = (size_t)c->npc * sizeof *c->pc_cell;
  size_t total = (nk + nc + 2 * np + 7) & ~(size_t)7;
  uint8_t *p = wm__code_alloc(c->mod, total ? total : 8);
  if (!p) {
    shrink((void **)&c->code, c->ncode, sizeof *c->code);
    shrink((void **)&c->consts, c->nconsts, sizeof *c->consts);
    shrink((void **)&c->pc_cell, c->npc, sizeof *c->pc_cell);
    shrink((void **)&c->pc_off, c->npc, sizeof *c->pc_off);
    give_scratch(c, false);
    return false;
  }
  uint64_t *consts = (uint64_t *)p;
  uint32_t *code = (uint32_t *)(p + nk), *cell = (uint32_t *)(p + nk + nc);
  uint32_t *off = (uint32_t *)(p + nk + nc + np);
  if (nk) memcpy(consts, c->consts, nk);
  if (nc) memcpy(code, c->code, nc);
  if (np) {
    memcpy(cell, c->pc_cell, np);
    memcpy(off, c->pc_off, np);
  }
  if (c->scr) give_scratch(c, true);
  else free_output(c);
  c->consts = consts;
  c->code = code;
  c->pc_cell = cell;
  c->pc_off = off;
  return true;
}

static void free_output(cstate *c) {
  wm__free(c->code);
  wm__free(c->consts);
  wm__free(c->pc_cell);
  wm__free(c->pc_off);
}

int wm__compile_func(wm_module *mod, uint32_t idx, wm_code *out, wm_error *err) {
  if (idx < mod->nfunc_imports || idx >= mod->nfuncs)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "not a defined function: %u", idx);
  wm_funcdef *fd = &mod->funcs[idx];
  const uint8_t *body;
  cstate c;
  memset(&c, 0, sizeof c);
  c.mod = mod;
  c.err = err;
  c.head_base = wm__op_heads(mod->loop, &c.head_offs);
  c.traps = traps_memo;
  take_scratch(&c);
  int rc = wm__body_bytes(mod, idx, &body, &c.body_buf, &c.cap_body, err);
  if (rc) goto fail;
  c.bytes = body;
  c.base = fd->body_off;
  c.pos = fd->code_start;
  c.end = fd->body_off + fd->body_len;
  c.instr_off = c.pos;
  c.ftype = wm__func_type(mod, idx);
  if (c.end > mod->len || c.pos > c.end || c.pos < c.base) {
    rc = wm__error(err, WM_EMALFORMED, fd->body_off, "function body out of bounds");
    goto fail;
  }
  uint64_t nl = (uint64_t)c.ftype->nparams + fd->nlocals;
  if (nl > MAX_INDEX) {
    rc = wm__error(err, WM_EMALFORMED, fd->body_off, "too many locals");
    goto fail;
  }
  c.nlocals = (uint32_t)nl;
  if (wm__grow((void **)&c.ltypes, &c.cap_ltypes, c.nlocals ? c.nlocals : 1, sizeof *c.ltypes) ||
      wm__grow((void **)&c.lslot, &c.cap_lslot, c.nlocals + 1, sizeof *c.lslot) ||
      wm__grow((void **)&c.hs, &c.cap_hs, 1, sizeof *c.hs) ||
      wm__grow((void **)&c.decl, &c.cap_decl, fd->nlocals ? fd->nlocals : 1, sizeof *c.decl)) {
    rc = wm__c_nomem(&c);
    goto fail;
  }
  c.hs[0] = 0;
  for (uint32_t i = 0; i < c.ftype->nparams; i++) c.ltypes[i] = c.ftype->params[i];
  rc = wm__decode_locals(c.mod, fd, body, c.decl, err);
  for (uint32_t i = 0; !rc && i < fd->nlocals; i++)
    c.ltypes[c.ftype->nparams + i] = (wm_valtype)c.decl[i];
  if (rc) goto fail;
  uint32_t nparam_slots = 0;
  for (uint32_t i = 0; i < c.nlocals; i++) {
    if (i == c.ftype->nparams) nparam_slots = c.nlslots;
    c.lslot[i] = c.nlslots;
    c.nlslots += type_slots(c.ltypes[i]);
    if (c.nlslots > MAX_INDEX) {
      rc = wm__error(err, WM_EMALFORMED, fd->body_off, "too many locals");
      goto fail;
    }
  }
  if (c.ftype->nparams == c.nlocals) nparam_slots = c.nlslots;
  c.lslot[c.nlocals] = c.nlslots;
  uint32_t nresult_slots = 0;
  for (uint32_t i = 0; i < c.ftype->nresults; i++) nresult_slots += type_slots(c.ftype->results[i]);
  if (wm__grow((void **)&c.lrefs, &c.cap_lrefs, c.nlslots ? c.nlslots : 1, sizeof *c.lrefs)) {
    rc = wm__c_nomem(&c);
    goto fail;
  }
  memset(c.lrefs, 0, (size_t)c.nlslots * sizeof *c.lrefs);

  c.instr_off = fd->code_start;
  rc = wm__c_init_locals(&c);
  if (!rc) rc = compile_body(&c);
  if (rc == WM_EINVALID) {
    /* The spec decodes the whole module before it validates anything, so
    ** a malformed body, this one or a later one, takes precedence. */
    wm_error e2;
    for (uint32_t j = idx; j < mod->nfuncs; j++) {
      int rc2 = wm__skim_body(mod, j, &e2);
      if (rc2 == WM_EMALFORMED) {
        if (err) *err = e2;
        rc = rc2;
        break;
      }
    }
  }
  if (rc) goto fail;

  /* Only constants that some operand cell names get a slot: immediate
  ** forms and CONST moves leave many unused. Renumber those in order. */
  if (wm__grow((void **)&c.kmap, &c.cap_kmap, c.nconsts ? c.nconsts : 1, sizeof *c.kmap)) {
    rc = wm__c_nomem(&c);
    goto fail;
  }
  uint32_t *kmap = c.kmap;
  memset(kmap, 0, (size_t)c.nconsts * sizeof *kmap);
  for (uint32_t i = 0; i < c.nfix; i++) {
    uint32_t v = c.code[c.fix[i]];
    if (!(v & REF_CONST)) continue;
    kmap[v & REF_MASK] = 1;
    if (c.kpair[v & REF_MASK]) kmap[(v & REF_MASK) + 1] = 1;
  }
  uint32_t nk = 0;
  for (uint32_t i = 0; i < c.nconsts; i++) {
    if (!kmap[i]) continue;
    c.consts[nk] = c.consts[i];
    kmap[i] = nk++;
  }
  c.nconsts = nk;

  /* Fix-up: tagged constant and stack references become slot numbers. */
  uint64_t frame = (uint64_t)c.nlslots + c.nconsts + c.maxh;
  if (frame < nresult_slots) frame = nresult_slots;
  /* Room for the interpreter's four unconditional zeroing stores at entry
  ** (enter_frame in interp.c). */
  if (frame < (uint64_t)nparam_slots + 4) frame = (uint64_t)nparam_slots + 4;
  if (frame > MAX_INDEX) {
    rc = too_big(&c, "frame");
    goto fail;
  }
  for (uint32_t i = 0; i < c.nfix; i++) {
    uint32_t v = c.code[c.fix[i]];
    if (v & REF_CONST) c.code[c.fix[i]] = c.nlslots + kmap[v & REF_MASK];
    else if (v & REF_STACK) c.code[c.fix[i]] = c.nlslots + c.nconsts + (v & REF_MASK);
  }
  wm_code *code = out;
  code->in_arena = settle_output(&c);
  code->code = c.code;
  code->ncode = c.ncode;
  code->nparam_slots = nparam_slots;
  code->nlocal_slots = c.nlslots;
  code->nresult_slots = nresult_slots;
  code->nconsts = c.nconsts;
  code->consts = c.consts;
  code->frame_slots = (uint32_t)frame;
  code->func_idx = idx;
  code->quick_entry = c.nconsts == 0 && c.nlslots - nparam_slots <= 4;
  code->pcmap_cell = c.pc_cell;
  code->pcmap_off = c.pc_off;
  code->npcmap = c.npc;
  wm__c_handlers_done(&c, c.nlslots + c.nconsts, code);
  free_state(&c);
  return wm__acc_forms(code, mod->loop) ? wm__error(err, WM_ENOMEM, UINT32_MAX, NULL) : 0;

fail:
  give_scratch(&c, true);
  free_state(&c);
  free_output(&c);
  return rc;
}

/* ------------------------------------------- helpers for compile_exc.c */

int wm__c_rd_blocktype(cstate *c, ctl *f) { return rd_blocktype(c, f); }
int wm__c_pop_n(cstate *c, uint32_t n, const wm_valtype *types) { return pop_n(c, n, types); }
int wm__c_push_res(cstate *c, uint32_t type) { return push_res(c, type); }
int wm__c_push_ctl(cstate *c, uint8_t kind, const ctl *bt) { return push_ctl(c, kind, bt); }
int wm__c_jump_to(cstate *c, ctl *L, uint32_t n) { return jump_to(c, L, n); }
int wm__c_rd_label(cstate *c, ctl **L) { return rd_label(c, L); }
void wm__c_set_unreachable(cstate *c) { set_unreachable(c); }
void wm__c_land(cstate *c, uint32_t cell, uint32_t instr) { set_off(c, cell, instr, c->ncode); }

int wm__c_br_fwd(cstate *c, uint32_t *cell, uint32_t *instr) {
  TRY(branch_head(c, WM_OP_BR, 0));
  *instr = c->last_start;
  *cell = c->ncode;
  return wm__c_cell(c, 0);
}

/* A block's entry as enter_block makes it, its params (in c->tmp, popped
** by the caller) moved to their own slots from the current height. */
int wm__c_enter_params(cstate *c, const ctl *bt) {
  uint32_t base = c->nvals;
  TRY(mat_all_locals(c));
  if (c->dead) return 0;
  for (uint32_t i = 0; i < bt->np; i++)
    TRY(wm__c_move(c, own_ref(c, base + i), c->tmp[i].ref, bt->p[i]));
  return wm__c_flush_moves(c);
}
