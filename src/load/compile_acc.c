/* SPDX-License-Identifier: MIT */
/*
** compile_acc.c -- the last step of lowering for the plain loop: picks the
** accumulator forms (ops.h, WM_ACC_OPS). A producer's handler (the classes
** UN, BIN, BINK, LOAD, LOADK, BINLD and BINSH, and I32_LOAD_SHL_K) leaves
** the low 32 bits of its result in a register as well as in its slot; the
** instruction right after it, if it reads that slot as its accumulator
** operand and nothing can jump to it, reads the register instead. Each
** such read takes a store-to-load forwarding (some 4 to 5 cycles) off a
** chain of dependent instructions.
**
** The rule, over the finished code: instruction I at cell `at` becomes
** I_A when (1) I has a form, (2) the instruction before it in the code, P,
** is a producer, (3) I's accumulator operand names P's destination slot
** (operand 0), and (4) no branch, br_table, or exception handler lands on
** `at`. Then every way into I passes through P just before it: falling
** through from P is the only one left (a call returns to the instruction
** after the call, never a producer).
*/
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "ops.h"

static const uint8_t op_class[] = {
#define X_(name, cls, wasm) C_##cls,
    WM_OPS(X_)
#undef X_
};

static const uint16_t acc_base[] = {
#define BASE_(X, base, cls, k) WM_OP_##base,
    WM_ACC_OPS(BASE_, _)
#undef BASE_
};
static const uint8_t acc_operand[] = {
#define K_(X, base, cls, k) k,
    WM_ACC_OPS(K_, _)
#undef K_
};

wm_op wm__acc_base(wm_op op) {
  return op >= WM_OP_ACC_FIRST_ && op < WM_OP_COUNT_ ? (wm_op)acc_base[op - WM_OP_ACC_FIRST_]
                                                     : op;
}

/* op's accumulator form (a base op's), or WM_OP_COUNT_: a table built on
** first use. Threads that lower at once build the same table; the flag is
** set last. */
static uint16_t form_of[WM_OP_COUNT_];
static _Atomic bool forms_ready;

static void build_forms(void) {
  for (uint32_t op = 0; op < WM_OP_COUNT_; op++) form_of[op] = WM_OP_COUNT_;
  for (uint32_t i = 0; i < WM_ACC_COUNT_; i++) form_of[acc_base[i]] = (uint16_t)(WM_OP_ACC_FIRST_ + i);
  atomic_store(&forms_ready, true);
}

/* Does op's handler write its operand 0 through PUT (interp_impl.h)? */
static bool producer(wm_op op) {
  op = wm__acc_base(op);
  switch (op_class[op]) {
    case C_UN: case C_BIN: case C_BINK: case C_LOAD: case C_LOADK: case C_BINLD: case C_BINSH:
      return true;
    default:
      return op == WM_OP_I32_LOAD_SHL_K;
  }
}

static void mark(uint8_t *bits, uint32_t ncode, int64_t cell) {
  if (cell >= 0 && cell < ncode) bits[cell >> 3] |= (uint8_t)(1u << (cell & 7));
}

/* The op at instruction start `at`: from ops, or (ops NULL: a cache
** file's code, wm__code_trust) the head itself, an op number. */
#define OP_AT(at) ((wm_op)(ops ? ops[at] : code->code[at]))

/* The cells of the instruction at `at` (its layout, or br_table's count). */
static uint32_t length(const wm_code *code, wm_op op, uint32_t at) {
  const char *l = wm__op_layout(op);
  uint32_t len = WM_HEAD_CELLS;
  if (!l) { /* BR_TABLE, BR_TABLE_K: `a [imm] n off*(n+1)` */
    uint32_t k = op == WM_OP_BR_TABLE_K;
    return len + 2 + k + code->code[at + WM_HEAD_CELLS + 1 + k] + 1;
  }
  for (; *l; l++) len += *l == 'q' ? 2 : 1;
  return len;
}

/* The rule, for both uses: with rewrite, instructions that may take their
** form take it (ops[] follows); without, every form present must be one
** the rule allows, else what is wrong. target: a zeroed bitmap, ncode
** bits. The code's shape must already be sound (wm__code_check's). */
static const char *apply(wm_code *code, uint32_t *ops, uint8_t *target, bool rewrite) {
  uint32_t n = code->ncode;
  for (uint32_t at = 0; at < n;) {
    wm_op op = OP_AT(at);
    uint32_t pc = at + WM_HEAD_CELLS, len = length(code, op, at);
    const char *l = wm__op_layout(op);
    if (!l) {
      uint32_t k = op == WM_OP_BR_TABLE_K;
      for (uint32_t j = pc + 2 + k; j < at + len; j++) mark(target, n, (int64_t)at + (int32_t)code->code[j]);
    } else {
      for (; *l; l++) {
        if (*l == 'o') mark(target, n, (int64_t)at + (int32_t)code->code[pc]);
        pc += *l == 'q' ? 2 : 1;
      }
    }
    at += len;
  }
  for (uint32_t i = 0; i < code->nhandlers; i++) mark(target, n, code->handlers[i].pad);
  const int32_t *offs = NULL;
  const char *base = rewrite ? wm__op_heads(WM_LOOP_PLAIN, &offs) : NULL;
  uint32_t prev = UINT32_MAX;
  for (uint32_t at = 0; at < n;) {
    wm_op op = OP_AT(at);
    uint32_t len = length(code, op, at);
    bool is_form = op >= WM_OP_ACC_FIRST_;
    wm_op form = is_form ? op : (wm_op)form_of[op];
    bool ok = form != WM_OP_COUNT_ && prev != UINT32_MAX && !(target[at >> 3] >> (at & 7) & 1) &&
              producer(OP_AT(prev)) &&
              code->code[at + WM_HEAD_CELLS + acc_operand[form - WM_OP_ACC_FIRST_]] ==
                  code->code[prev + WM_HEAD_CELLS];
    if (is_form && !ok) return "accumulator form not right after its operand's producer";
    if (rewrite && ok && !is_form) {
      uint64_t head = offs ? (uint64_t)(uintptr_t)(base + offs[form]) : form;
      code->code[at] = (uint32_t)head;
      code->code[at + 1] = (uint32_t)(head >> 32);
      ops[at] = form;
    }
    prev = at;
    at += len;
  }
  return NULL;
}

int wm__acc_forms(wm_code *code, unsigned loop) {
  if (loop != WM_LOOP_PLAIN || code->ncode == 0) return 0;
  if (!atomic_load(&forms_ready)) build_forms();
  uint32_t *ops = malloc((size_t)code->ncode * sizeof *ops);
  uint8_t *target = calloc((size_t)code->ncode / 8 + 1, 1);
  if (!ops || !target) {
    free(ops);
    free(target);
    return WM_ENOMEM;
  }
  /* Code wm__code_ops cannot walk (GC's variable-length instructions)
  ** keeps its plain forms. */
  if (wm__code_ops(code, loop, ops)) (void)apply(code, ops, target, true);
  free(ops);
  free(target);
  return 0;
}

const char *wm__acc_verify(const wm_code *code) {
  if (!atomic_load(&forms_ready)) build_forms();
  uint8_t *target = calloc((size_t)code->ncode / 8 + 1, 1);
  if (!target) return "out of memory";
  const char *why = apply((wm_code *)code, NULL, target, false);
  free(target);
  return why;
}
