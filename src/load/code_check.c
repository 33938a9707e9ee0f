/* SPDX-License-Identifier: MIT */
/*
** code_check.c -- checks the shape of lowered code (ops.h) against the rules
** the interpreter takes for granted: every head names an instruction, every
** instruction's operand cells lie inside the code, slots inside the frame,
** branches (and br_table's targets, handlers' landing pads) land on the
** start of an instruction, the trap map and the handlers' ranges lie
** inside the code. Operand layouts are the disassembler's
** (wm__op_layout), so the two cannot disagree.
**
** Builds with WM_CHECK_LOWERED (Debug and sanitizer builds) run it on
** every body they lower, so that the whole test suite checks the
** compiler's output and the layout table at once. It is the first part of
** what reading lowered code back from a cache would take; what it does not
** check yet is what that also needs: the types of the values in slots (a
** reference slot written as a number), and immediates that index the
** module's entities (functions, globals, tables, segments, types).
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "ops.h"

/* The op a head stands for in the given loop (WM_LOOP_*), WM_OP_COUNT_
** for none: a head of another loop's table is as wrong as garbage. Each
** loop's heads (wm__op_heads: a base plus an offset per op) sorted once,
** then searched by halves. */
#define NLOOPS 3
typedef struct head_op {
  int32_t off;
  uint32_t op;
} head_op;
static head_op sorted[NLOOPS][WM_OP_COUNT_];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int by_off(const void *a, const void *b) {
  int32_t x = ((const head_op *)a)->off, y = ((const head_op *)b)->off;
  return (x > y) - (x < y);
}

static void sort_heads(void) {
  for (unsigned k = 0; k < NLOOPS; k++) {
    const int32_t *offs;
    (void)wm__op_heads(k, &offs);
    for (uint32_t i = 0; offs && i < WM_OP_COUNT_; i++) sorted[k][i] = (head_op){offs[i], i};
    qsort(sorted[k], WM_OP_COUNT_, sizeof sorted[k][0], by_off);
  }
}

static wm_op op_of(uint64_t head, unsigned loop) {
  const int32_t *offs;
  const char *base = wm__op_heads(loop, &offs);
  if (!offs) return head < WM_OP_COUNT_ ? (wm_op)head : WM_OP_COUNT_; /* the switch build */
  pthread_once(&sorted_once, sort_heads);
  int64_t d = (int64_t)(head - (uint64_t)(uintptr_t)base);
  if (d < INT32_MIN || d > INT32_MAX) return WM_OP_COUNT_;
  int32_t off = (int32_t)d;
  uint32_t lo = 0, hi = WM_OP_COUNT_;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (sorted[loop][mid].off < off) lo = mid + 1;
    else hi = mid;
  }
  return lo < WM_OP_COUNT_ && sorted[loop][lo].off == off ? (wm_op)sorted[loop][lo].op
                                                          : WM_OP_COUNT_;
}

/* Bit i of starts: cell i starts an instruction. */
static bool at_start(const uint8_t *starts, uint32_t ncode, uint64_t cell) {
  return cell < ncode && (starts[cell >> 3] >> (cell & 7) & 1);
}

/* The walk: two passes over the code, the first marking each instruction's
** start in `starts` and checking all but branch targets, the second
** (`starts` complete) checking that every target is a start. No memory
** but the bitmap: a 4 MB br_table's targets are as many cells. */
typedef struct walk {
  const wm_code *c;
  uint8_t *starts;
  bool targets; /* the second pass */
} walk;

static const char *target(const walk *w, uint32_t at, uint32_t off) {
  if (!w->targets) return NULL;
  int64_t t = (int64_t)at + (int32_t)off;
  return t >= 0 && at_start(w->starts, w->c->ncode, (uint64_t)t)
             ? NULL
             : "branch to the middle of an instruction";
}

/* One instruction's operands from cell pc (after its head) per layout l;
** *pc moves past them. NULL or what is wrong. */
static const char *operands(const walk *w, wm_op op, const char *l, uint32_t at, uint32_t *pc) {
  const wm_code *c = w->c;
  uint32_t n = 0, i = *pc;
  for (; *l; l++) {
    uint32_t cells = *l == 'q' ? 2 : 1;
    if (c->ncode - i < cells) return "instruction cut off by the end of the code";
    uint32_t v = c->code[i];
    if (*l == 's' && v >= c->frame_slots) return "slot outside the frame";
    if (*l == 'b' && v > c->frame_slots) return "call base outside the frame";
    if (*l == 'o' && target(w, at, v)) return target(w, at, v);
    if (!l[1]) n = v; /* STRUCT_NEW's and ARRAY_NEW_FIXED's count */
    i += cells;
  }
  if (op == WM_OP_STRUCT_NEW || op == WM_OP_ARRAY_NEW_FIXED) {
    uint32_t per = op == WM_OP_STRUCT_NEW ? 2 : 1;
    if ((c->ncode - i) / per < n) return "instruction cut off by the end of the code";
    for (uint32_t k = 0; k < n; k++, i += per)
      if (c->code[i] >= c->frame_slots) return "slot outside the frame";
  }
  *pc = i;
  return NULL;
}

/* br_table's `a n off*(n+1)` (BR_TABLE_K: `a imm n off*(n+1)`). */
static const char *br_table(const walk *w, bool k, uint32_t at, uint32_t *pc) {
  const wm_code *c = w->c;
  uint32_t i = *pc;
  if (c->ncode - i < 2u + k) return "instruction cut off by the end of the code";
  if (c->code[i] >= c->frame_slots) return "slot outside the frame";
  uint32_t n = c->code[i + 1 + k];
  i += 2 + k;
  if (n >= c->ncode - i) return "instruction cut off by the end of the code";
  for (uint32_t j = 0; j <= n; j++)
    if (target(w, at, c->code[i + j])) return target(w, at, c->code[i + j]);
  *pc = i + n + 1;
  return NULL;
}

static const char *pass(const walk *w, unsigned loop) {
  const wm_code *c = w->c;
  uint32_t pc = 0;
  while (pc < c->ncode) {
    if (c->ncode - pc < WM_HEAD_CELLS) return "instruction cut off by the end of the code";
    wm_op op = op_of(c->code[pc] | (uint64_t)c->code[pc + 1] << 32, loop);
    if ((unsigned)op >= WM_OP_COUNT_) return "unknown instruction";
    uint32_t at = pc;
    w->starts[at >> 3] |= (uint8_t)(1u << (at & 7));
    pc += WM_HEAD_CELLS;
    const char *l = wm__op_layout(op);
    const char *why = l ? operands(w, op, l, at, &pc)
                      : op == WM_OP_BR_TABLE || op == WM_OP_BR_TABLE_K
                          ? br_table(w, op == WM_OP_BR_TABLE_K, at, &pc)
                          : "instruction without a known layout";
    if (why) return why;
  }
  return NULL;
}

static const char *check(const wm_code *c, unsigned loop, uint8_t *starts) {
  if (c->nlocal_slots < c->nparam_slots) return "fewer locals than parameters";
  if ((uint64_t)c->nlocal_slots + c->nconsts > c->frame_slots ||
      c->nresult_slots > c->frame_slots)
    return "frame smaller than its locals, constants or results";
  if (c->nconsts && !c->consts) return "constants missing";
  walk w = {c, starts, false};
  const char *why = pass(&w, loop);
  w.targets = true;
  if (!why) why = pass(&w, loop);
  if (why) return why;
  for (uint32_t i = 0; i < c->npcmap; i++)
    if (c->pcmap_cell[i] >= c->ncode || (i && c->pcmap_cell[i] < c->pcmap_cell[i - 1]))
      return "trap map out of order or outside the code";
  for (uint32_t i = 0; i < c->nhandlers; i++) {
    const wm_handler *h = &c->handlers[i];
    if (h->start > h->end || h->end > c->ncode || !at_start(starts, c->ncode, h->pad))
      return "handler outside the code";
  }
  return NULL;
}

const char *wm__code_check(const wm_code *c, unsigned loop) {
  if (loop >= NLOOPS) return "unknown loop";
  uint8_t *starts = calloc((size_t)c->ncode / 8 + 1, 1);
  if (!starts) return "out of memory";
  const char *why = check(c, loop, starts);
  free(starts);
  return why;
}
