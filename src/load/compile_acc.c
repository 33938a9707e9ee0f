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
** after the call, never a producer). A commutative BIN (add, mul, and,
** or, xor, eq, ne) whose second operand P wrote trades its operands first.
*/
#include <pthread.h>
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

/* op's accumulator form (a base op's), or WM_OP_COUNT_: made once. */
static uint16_t form_of[WM_OP_COUNT_];

static void build_forms(void) {
  for (uint32_t op = 0; op < WM_OP_COUNT_; op++) form_of[op] = WM_OP_COUNT_;
  for (uint32_t i = 0; i < WM_ACC_COUNT_; i++) form_of[acc_base[i]] = (uint16_t)(WM_OP_ACC_FIRST_ + i);
}

/* Does op's handler write its operand 0 through PUT (interp_impl.h)? */
static bool producer(wm_op op) {
  op = wm__acc_base(op);
  switch (op_class[op]) {
    case C_UN: case C_BIN: case C_BINK: case C_LOAD: case C_LOADK: case C_BINLD: case C_BINSH:
      return true;
    default:
      return op == WM_OP_I32_LOAD_SHL_K || op == WM_OP_I32_ADD_K_AND_K ||
             op == WM_OP_I32_MUL_K_ADD_K || op == WM_OP_I32_SHR_U_AND_K ||
             (op >= WM_OP_I32_LOAD_2 && op <= WM_OP_I32_LOAD16_U_2);
  }
}

/* The cell, from the first operand cell, of what a producer leaves in the
** accumulator: a load pair's second destination, else operand 0. */
static uint32_t dest_cell(wm_op op) {
  return op >= WM_OP_I32_LOAD_2 && op <= WM_OP_I32_LOAD16_U_2 ? WM_HEAD_CELLS + 3 : 0;
}

/* BIN ops whose operands may trade places. */
static bool commutative(wm_op op) {
  switch (op) {
    case WM_OP_I32_ADD: case WM_OP_I32_MUL: case WM_OP_I32_AND: case WM_OP_I32_OR:
    case WM_OP_I32_XOR: case WM_OP_I32_EQ: case WM_OP_I32_NE:
      return true;
    default:
      return false;
  }
}

static void mark(uint8_t *bits, uint32_t ncode, int64_t cell) {
  if (cell >= 0 && cell < ncode) bits[cell >> 3] |= (uint8_t)(1u << (cell & 7));
}

/* The op of a plain-loop head: its handler's offset looked up in a table
** made once (open addressing, twice the ops), so that the pass holds
** nothing the size of the code but a bitmap and an op per instruction
** (2 bytes for 2 cells or more) -- a 4 MB br_table is 16 MB of cells.
** The first walk looks each op up and keeps it for the second (eager
** lowering of yosys: 0.98x the time). FUEL shares UNREACHABLE's handler;
** the lower op wins, the one the compiler emits. */
#define NHASH 4096
_Static_assert(NHASH >= 2 * WM_OP_COUNT_, "the head table is too small");
static int32_t hash_off[NHASH];
static uint16_t hash_op[NHASH]; /* WM_OP_COUNT_: empty */

static uint32_t slot_of(int32_t off) { return ((uint32_t)off * 2654435761u) >> 20; }

static void build_hash(void) {
  const int32_t *offs;
  (void)wm__op_heads(WM_LOOP_PLAIN, &offs);
  for (uint32_t i = 0; i < NHASH; i++) hash_op[i] = WM_OP_COUNT_;
  for (uint32_t op = 0; offs && op < WM_OP_COUNT_; op++) {
    uint32_t h = slot_of(offs[op]);
    while (hash_op[h] != WM_OP_COUNT_ && hash_off[h] != offs[op]) h = (h + 1) & (NHASH - 1);
    if (hash_op[h] == WM_OP_COUNT_) {
      hash_off[h] = offs[op];
      hash_op[h] = (uint16_t)op;
    }
  }
}

/* The walk's view of the code: heads are handler addresses (base plus an
** offset) or, in the switch build, op numbers. */
typedef struct view {
  wm_code *code;
  const char *base; /* NULL: heads are op numbers */
  const int32_t *offs;
} view;

static wm_op op_at(const view *v, uint32_t at) {
  const uint32_t *c = v->code->code;
  if (!v->base) return (wm_op)c[at];
  int64_t d = (int64_t)((uint64_t)c[at] | (uint64_t)c[at + 1] << 32) - (int64_t)(uintptr_t)v->base;
  for (uint32_t h = slot_of((int32_t)d);; h = (h + 1) & (NHASH - 1))
    if (hash_op[h] == WM_OP_COUNT_ || hash_off[h] == d) return (wm_op)hash_op[h];
}

/* Per op, made once from the layouts: its operand cells (TABLE_LEN for
** BR_TABLE and BR_TABLE_K, whose count is in their cells; NO_LEN for GC's
** STRUCT_NEW and ARRAY_NEW_FIXED, whose layout does not give it) and the
** cell of its branch offset (NO_OFF for none). */
enum { TABLE_LEN = 0xFE, NO_LEN = 0xFF, NO_OFF = 0xFF };
static uint8_t op_cells[WM_OP_COUNT_], op_off[WM_OP_COUNT_];

static void build_cells(void) {
  for (uint32_t op = 0; op < WM_OP_COUNT_; op++) {
    const char *l = wm__op_layout((wm_op)op);
    op_off[op] = NO_OFF;
    if (!l) {
      op_cells[op] = TABLE_LEN;
      continue;
    }
    uint32_t k = 0, offs = 0;
    for (; *l; l++) {
      if (*l == 'o') op_off[op] = (uint8_t)k, offs++;
      k += *l == 'q' ? 2 : 1;
    }
    op_cells[op] = k >= TABLE_LEN || offs > 1 || op == WM_OP_STRUCT_NEW || op == WM_OP_ARRAY_NEW_FIXED
                       ? NO_LEN
                       : (uint8_t)k;
  }
}

/* The cells of the instruction of op at `at`, head included; 0 for NO_LEN. */
static uint32_t length(const wm_code *code, wm_op op, uint32_t at) {
  if (op >= WM_OP_COUNT_ || op_cells[op] == NO_LEN) return 0;
  if (op_cells[op] != TABLE_LEN) return WM_HEAD_CELLS + op_cells[op];
  uint32_t k = op == WM_OP_BR_TABLE_K; /* `a [imm] n off*(n+1)` */
  return WM_HEAD_CELLS + 2 + k + code->code[at + WM_HEAD_CELLS + 1 + k] + 1;
}

/* Two steps of a bit-serial CRC in a row, the second on the next bit of
** the data: an I32_SHR_U_XOR_K_SELECT (or its AND_K variant) whose cells
** the next one repeats but for the bit, one more. Fused (the first's head
** becomes the _SELECT2 op, the second's cells stay, unread, its head
** zeroed) when the crc runs from one step to the next as the handler
** keeps it in a register:
** the select writes the step's input a and tests a bit of it, its arms are
** the step's d and d1, and none of d1, d, a, the data y is another. */
static bool crc_pair(const wm_code *code, wm_op prev_op, uint32_t prev, wm_op op, uint32_t at) {
  if (op != prev_op ||
      (op != WM_OP_I32_SHR_U_XOR_K_SELECT && op != WM_OP_I32_SHR_U_AND_K_XOR_K_SELECT))
    return false;
  uint32_t m = op == WM_OP_I32_SHR_U_AND_K_XOR_K_SELECT, n = 12 + m;
  const uint32_t *p = code->code + prev + WM_HEAD_CELLS, *q = code->code + at + WM_HEAD_CELLS;
  for (uint32_t i = 0; i < n; i++)
    if (q[i] != p[i] + (i == 10 + m)) return false;
  uint32_t d1 = p[0], d = p[1], a = p[2], y = p[9 + m];
  return p[5 + m] == a && p[6 + m] == d && p[7 + m] == d1 && p[8 + m] == a && d1 != d &&
         a != d1 && a != d && y != d1 && y != d && y != a;
}

/* Make the instruction at `at` an `op`, its cells as they are. */
static void set_head(const view *v, uint32_t at, wm_op op) {
  uint64_t head = v->base ? (uint64_t)(uintptr_t)(v->base + v->offs[op]) : op;
  v->code->code[at] = (uint32_t)head;
  v->code->code[at + 1] = (uint32_t)(head >> 32);
}

/* Two i32 loads of one kind at `at`, the second (of op `next`) no branch
** target: one load pair (ops.h), whose first head is rewritten to it.
** The pair's op, or WM_OP_COUNT_ for none. */
static wm_op load_pair(const view *v, const uint8_t *target, uint32_t at, wm_op op, wm_op next) {
  static const uint16_t pair[][2] = {
      {WM_OP_I32_LOAD, WM_OP_I32_LOAD_2},         {WM_OP_I32_LOAD8_S, WM_OP_I32_LOAD8_S_2},
      {WM_OP_I32_LOAD8_U, WM_OP_I32_LOAD8_U_2},   {WM_OP_I32_LOAD16_S, WM_OP_I32_LOAD16_S_2},
      {WM_OP_I32_LOAD16_U, WM_OP_I32_LOAD16_U_2},
  };
  uint32_t p2 = at + WM_HEAD_CELLS + 3;
  for (unsigned i = 0; i < sizeof pair / sizeof *pair; i++)
    if (pair[i][0] == op) {
      if (p2 + WM_HEAD_CELLS + 3 > v->code->ncode || (target[p2 >> 3] >> (p2 & 7) & 1) ||
          next != op)
        return WM_OP_COUNT_;
      set_head(v, at, (wm_op)pair[i][1]);
      v->code->code[p2] = v->code->code[p2 + 1] = 0; /* no address in a cache file */
      return (wm_op)pair[i][1];
    }
  return WM_OP_COUNT_;
}

/* A string walk's step at `at`, an I32_ADD_K `d a imm`: then
** I32_LOAD8_U_BR_IF_NOT `x a off2 off` and MOVE `a d`, neither a branch
** target, and none of d, a, x another. Fused into
** I32_ADD_K_LOAD8_U_BR_IF_NOT_MOVE: the pointer goes from the add to the
** load and to its slot in a register, where the three instructions pass it
** through two slots (two store-to-load forwardings a step). */
static bool step_walk(const view *v, const uint8_t *target, uint32_t at, wm_op op2, wm_op op3) {
  wm_code *code = v->code;
  uint32_t p2 = at + WM_HEAD_CELLS + 3, p3 = p2 + WM_HEAD_CELLS + 4;
  if (p3 + WM_HEAD_CELLS + 2 > code->ncode || (target[p2 >> 3] >> (p2 & 7) & 1) ||
      (target[p3 >> 3] >> (p3 & 7) & 1) || op2 != WM_OP_I32_LOAD8_U_BR_IF_NOT || op3 != WM_OP_MOVE)
    return false;
  const uint32_t *o = code->code + at + WM_HEAD_CELLS;
  uint32_t d = o[0], a = o[1], x = o[5];
  if (d == a || x == d || x == a || o[6] != a || o[11] != a || o[12] != d) return false;
  uint32_t *off = code->code + at + WM_HEAD_CELLS + 8;
  *off = (uint32_t)((int32_t)*off + (int32_t)(p2 - at)); /* now from this head */
  set_head(v, at, WM_OP_I32_ADD_K_LOAD8_U_BR_IF_NOT_MOVE);
  code->code[p2] = code->code[p2 + 1] = code->code[p3] = code->code[p3 + 1] = 0;
  return true;
}

/* The rule: instructions that may take their form take it. target: a
** zeroed bitmap of ncode bits; ops: room for an op per 2 cells, where the
** first walk leaves each instruction's (the second looks none up). NULL,
** or why the code was left as it was. */
static const char *apply(const view *v, uint8_t *target, uint16_t *ops) {
  wm_code *code = v->code;
  uint32_t n = code->ncode, count = 0;
  _Static_assert(WM_HEAD_CELLS >= 2, "an op per 2 cells");
  for (uint32_t at = 0; at < n;) {
    wm_op op = op_at(v, at);
    uint32_t len = length(code, op, at);
    if (!len) return "instruction of no fixed length";
    ops[count++] = (uint16_t)op;
    if (op_cells[op] == TABLE_LEN) {
      uint32_t k = op == WM_OP_BR_TABLE_K;
      for (uint32_t j = at + WM_HEAD_CELLS + 2 + k; j < at + len; j++)
        mark(target, n, (int64_t)at + (int32_t)code->code[j]);
    } else if (op_off[op] != NO_OFF) {
      mark(target, n, (int64_t)at + (int32_t)code->code[at + WM_HEAD_CELLS + op_off[op]]);
    }
    at += len;
  }
  for (uint32_t i = 0; i < code->nhandlers; i++) mark(target, n, code->handlers[i].pad);
  uint32_t prev = UINT32_MAX;
  wm_op prev_op = WM_OP_COUNT_;
  ops[count] = ops[count + 1] = WM_OP_COUNT_; /* past the last: no op */
  for (uint32_t at = 0, k = 0; at < n; k++) {
    wm_op op = (wm_op)ops[k];
    uint32_t len = length(code, op, at);
    bool is_form = op >= WM_OP_ACC_FIRST_;
    wm_op form = is_form ? op : (wm_op)form_of[op];
    /* `d a b` of a commutative op whose b the instruction before wrote:
    ** a and b trade places, so that the form reads b. */
    uint32_t *o = code->code + at + WM_HEAD_CELLS;
    if (!is_form && form != WM_OP_COUNT_ && commutative(op) && prev != UINT32_MAX &&
        !(target[at >> 3] >> (at & 7) & 1) && producer(prev_op) &&
        o[2] == code->code[prev + WM_HEAD_CELLS + dest_cell(prev_op)] && o[1] != o[2]) {
      uint32_t a = o[1];
      o[1] = o[2];
      o[2] = a;
    }
    if (prev != UINT32_MAX && !(target[at >> 3] >> (at & 7) & 1) && crc_pair(code, prev_op, prev, op, at)) {
      set_head(v, prev, op == WM_OP_I32_SHR_U_XOR_K_SELECT ? WM_OP_I32_SHR_U_XOR_K_SELECT2
                                                           : WM_OP_I32_SHR_U_AND_K_XOR_K_SELECT2);
      code->code[at] = code->code[at + 1] = 0; /* no handler's address in a cache file */
      prev = UINT32_MAX; /* three do not fuse; nothing takes its form after */
      prev_op = WM_OP_COUNT_;
      at += len;
      continue;
    }
    if (op == WM_OP_I32_ADD_K && step_walk(v, target, at, (wm_op)ops[k + 1], (wm_op)ops[k + 2])) {
      prev = UINT32_MAX; /* not a producer */
      prev_op = WM_OP_COUNT_;
      at += 3 * WM_HEAD_CELLS + 3 + 4 + 2; /* the three instructions' cells */
      k += 2;
      continue;
    }
    bool ok = form != WM_OP_COUNT_ && prev != UINT32_MAX && !(target[at >> 3] >> (at & 7) & 1) &&
              producer(prev_op) &&
              code->code[at + WM_HEAD_CELLS + acc_operand[form - WM_OP_ACC_FIRST_]] ==
                  code->code[prev + WM_HEAD_CELLS + dest_cell(prev_op)];
    wm_op pair;
    if (ok && !is_form) {
      set_head(v, at, form);
      op = form;
    } else if (!is_form &&
               (pair = load_pair(v, target, at, op, (wm_op)ops[k + 1])) != WM_OP_COUNT_) {
      prev = at;
      prev_op = pair;
      at += 2 * len;
      k++;
      continue;
    }
    prev = at;
    prev_op = op;
    at += len;
  }
  return NULL;
}

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void) {
  build_forms();
  build_hash();
  build_cells();
}

int wm__acc_forms(wm_code *code, unsigned loop) {
  if (loop != WM_LOOP_PLAIN || code->ncode == 0) return 0;
  pthread_once(&tables_once, build_tables);
  uint8_t *target = calloc((size_t)code->ncode / 8 + 1, 1);
  uint16_t *ops = malloc(((size_t)code->ncode / 2 + 2) * sizeof *ops);
  if (!target || !ops) {
    free(target);
    free(ops);
    return WM_ENOMEM;
  }
  view v = {code, NULL, NULL};
  v.base = wm__op_heads(WM_LOOP_PLAIN, &v.offs);
  if (!v.offs) v.base = NULL; /* the switch build: heads are op numbers */
  /* Code with an instruction of no fixed length (GC) keeps its plain forms:
  ** the walk stops before it rewrites anything. */
  (void)apply(&v, target, ops);
  free(target);
  free(ops);
  return 0;
}

const char *wm__acc_verify(const wm_code *code, const uint64_t *starts, const uint64_t *lead) {
  pthread_once(&tables_once, build_tables);
  uint32_t prev = UINT32_MAX;
  for (uint32_t i = 0; i <= (code->ncode - 1) >> 6; i++) {
    for (uint64_t m = starts[i]; m; m &= m - 1) {
      uint32_t at = i * 64 + (uint32_t)__builtin_ctzll(m);
      wm_op op = (wm_op)code->code[at];
      if (op >= WM_OP_ACC_FIRST_ &&
          (prev == UINT32_MAX || (lead[i] >> (at & 63) & 1) || !producer((wm_op)code->code[prev]) ||
           code->code[at + WM_HEAD_CELLS + acc_operand[op - WM_OP_ACC_FIRST_]] !=
               code->code[prev + WM_HEAD_CELLS + dest_cell((wm_op)code->code[prev])]))
        return "accumulator form not right after its operand's producer";
      prev = at;
    }
  }
  return NULL;
}
