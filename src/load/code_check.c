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
** Builds with WM_CHECK_LOWERED (Debug builds, the sanitizer one among
** them) run it on every body they lower, so that the whole test suite
** checks the compiler's output and the layout table at once. The same walk
** is the structural half of reading lowered code back from a cache file
** (wm__code_trust, below): there every instruction must also be on an
** allow-list, the immediates that index the module's entities are checked
** against the module, and a dataflow proves that no slot is read before
** the call has written it. The walk is one pass over the code, driven by
** a table by op made once.
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

/* Equal offsets (the plain loop's FUEL is UNREACHABLE's handler) sort by
** op, so that the search finds the lowest: the op the compiler emits. */
static int by_off(const void *a, const void *b) {
  const head_op *x = a, *y = b;
  if (x->off != y->off) return (x->off > y->off) - (x->off < y->off);
  return (x->op > y->op) - (x->op < y->op);
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

/* ------------------------------------------------------------- the op table */

/*
** What the walks need of each op, made once from the operand layouts
** (wm__op_layout, the disassembler's) rather than read from the layout
** string at each instruction: the operand cells, which of them are slots,
** a call base, a branch offset, CALL's cache; how control leaves it; and,
** for the ops cached code may hold, the allow-list class and the slots it
** reads and writes in order (the flow analysis, below).
*/
enum { CTL_NEXT, CTL_COND, CTL_JUMP, CTL_END, CTL_TABLE };
#define VARLEN 0xFF /* BR_TABLE, BR_TABLE_K: the length is in their cells */
#define MAX_STEPS 8

/* A step of an instruction's effect on the frame, in the handler's order;
** x, y, z are operand cells. */
enum {
  S_R4 = 1, /* reads the low 4 bytes of slot x (an i32 or f32) */
  S_R8,     /* reads all 8 bytes of slot x */
  S_W4,     /* writes the low 4 bytes of slot x (the upper half unchanged) */
  S_W8,     /* writes all 8 bytes of slot x */
  S_MOVE,   /* slot x = slot y, 8 bytes: reads y */
  S_SEL,    /* slot x = slot y or slot z, 8 bytes: reads both */
  S_CALLF,  /* a call of function o[x] with its frame at slot o[y] */
  S_CALLT,  /* the same, of type o[x] (call_indirect) */
  S_GGET,   /* slot x = global o[y], of the global's width */
  S_GSET,   /* global o[x] = slot y, of the global's width */
  S_RET     /* reads the function's results in slots 0.. */
};
typedef struct step {
  uint8_t act, x, y, z;
} step;

typedef struct opinfo {
  uint8_t cells;  /* operand cells after the head, VARLEN for br_table */
  uint8_t ctl;    /* CTL_* */
  uint8_t off;    /* the branch offset's cell (CTL_COND, CTL_JUMP) */
  uint8_t base;   /* 1 + the call base's cell, 0 for none */
  uint8_t tail;   /* STRUCT_NEW 2, ARRAY_NEW_FIXED 1: cells per item after
                  ** the fixed ones, as many items as the last fixed cell */
  uint8_t trust;  /* T_* below: the allow-list of cached code */
  uint8_t nsteps;
  uint32_t slots; /* bit k: cell k names a slot */
  uint32_t cache; /* bit k: cell k is CALL's run-time cache */
  step steps[MAX_STEPS + 1]; /* ended by act 0 */
} opinfo;

static opinfo info[WM_OP_COUNT_];
static pthread_once_t info_once = PTHREAD_ONCE_INIT;

static void classify(void);

static void build_info(void) {
  for (uint32_t op = 0; op < WM_OP_COUNT_; op++) {
    opinfo *in = &info[op];
    const char *l = wm__op_layout((wm_op)op);
    if (op == WM_OP_RETURN || op == WM_OP_UNREACHABLE) in->ctl = CTL_END;
    if (!l) { /* BR_TABLE, BR_TABLE_K (the walk refuses any other) */
      in->cells = VARLEN;
      in->ctl = CTL_TABLE;
      in->slots = 1;
      continue;
    }
    uint32_t k = 0;
    for (; *l && k < 32; l++) {
      if (*l == 's') in->slots |= 1u << k;
      if (*l == 'b') in->base = (uint8_t)(k + 1);
      if (*l == 'c') in->cache |= 1u << k;
      if (*l == 'o') {
        in->off = (uint8_t)k;
        in->ctl = op == WM_OP_BR || op == WM_OP_MOVE_BR ? CTL_JUMP : CTL_COND;
      }
      k += *l == 'q' ? 2 : 1;
    }
    in->cells = (uint8_t)k;
    if (*l) { /* longer than the masks: the walk refuses it */
      *in = (opinfo){.cells = VARLEN, .ctl = CTL_TABLE, .slots = 1};
      continue;
    }
    if (op == WM_OP_STRUCT_NEW) in->tail = 2;
    if (op == WM_OP_ARRAY_NEW_FIXED) in->tail = 1;
  }
  classify();
}

static const opinfo *op_info(void) {
  pthread_once(&info_once, build_info);
  return info;
}

/* Bitmaps of cells or slots, 64 to a word. */
static inline bool bit(const uint64_t *b, uint64_t i) { return b[i >> 6] >> (i & 63) & 1; }
static inline void set_bit(uint64_t *b, uint32_t i) { b[i >> 6] |= (uint64_t)1 << (i & 63); }

/* The walk: one pass over the code, marking each instruction's start in
** `starts` and each branch target (with, for the flow analysis, each
** instruction after one that branches or ends) in `lead`; then every bit
** of `lead` must be a start. Memory: the two bitmaps, however many
** targets a br_table has. */
typedef struct walk {
  const wm_code *c;
  const opinfo *info;
  uint64_t *starts, *lead;
  /* Code a cache file offers (wm__code_trust): heads are op numbers, and
  ** every instruction must pass the allow-list against this module. */
  const wm_module *mod;
} walk;

static const char *trusted(const walk *w, wm_op op, uint32_t at);

static const char *target(const walk *w, uint32_t at, uint32_t off) {
  int64_t t = (int64_t)at + (int32_t)off;
  if (t < 0 || t >= w->c->ncode) return "branch to the middle of an instruction";
  set_bit(w->lead, (uint32_t)t);
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
  for (uint32_t j = 0; j <= n; j++) {
    const char *why = target(w, at, c->code[i + j]);
    if (why) return why;
  }
  *pc = i + n + 1;
  return NULL;
}

static const char *pass(const walk *w, unsigned loop) {
  const wm_code *c = w->c;
  const uint32_t *code = c->code;
  const uint32_t n = c->ncode, fs = c->frame_slots;
  uint32_t pc = 0;
  while (pc < n) {
    if (n - pc < WM_HEAD_CELLS) return "instruction cut off by the end of the code";
    wm_op op = w->mod ? (code[pc + 1] == 0 && code[pc] < WM_OP_COUNT_ ? (wm_op)code[pc]
                                                                      : WM_OP_COUNT_)
                      : op_of(code[pc] | (uint64_t)code[pc + 1] << 32, loop);
    if ((unsigned)op >= WM_OP_COUNT_) return "unknown instruction";
    const opinfo *in = &w->info[op];
    uint32_t at = pc;
    set_bit(w->starts, at);
    pc += WM_HEAD_CELLS;
    const char *why = NULL;
    if (in->cells == VARLEN) {
      why = op == WM_OP_BR_TABLE || op == WM_OP_BR_TABLE_K
                ? br_table(w, op == WM_OP_BR_TABLE_K, at, &pc)
                : "instruction without a known layout";
    } else {
      if (n - pc < in->cells) return "instruction cut off by the end of the code";
      const uint32_t *o = code + pc;
      for (uint32_t m = in->slots; m; m &= m - 1)
        if (o[__builtin_ctz(m)] >= fs) return "slot outside the frame";
      if (in->base && o[in->base - 1] > fs) return "call base outside the frame";
      if (in->ctl == CTL_COND || in->ctl == CTL_JUMP) why = target(w, at, o[in->off]);
      pc += in->cells;
      if (in->tail && !why) { /* STRUCT_NEW's and ARRAY_NEW_FIXED's items */
        uint32_t items = o[in->cells - 1];
        if ((n - pc) / in->tail < items) return "instruction cut off by the end of the code";
        for (uint32_t k = 0; k < items; k++, pc += in->tail)
          if (code[pc] >= fs) return "slot outside the frame";
      }
    }
    if (!why && w->mod) why = trusted(w, op, at);
    if (why) return why;
    if (in->ctl != CTL_NEXT && pc < n) set_bit(w->lead, pc);
  }
  /* Every target (and every cell after a branch: a start already) must
  ** start an instruction. */
  for (uint32_t i = 0; i <= n >> 6; i++)
    if (w->lead[i] & ~w->starts[i]) return "branch to the middle of an instruction";
  return NULL;
}

static const char *check(const wm_code *c, unsigned loop, uint64_t *maps, const wm_module *mod) {
  if (c->nlocal_slots < c->nparam_slots) return "fewer locals than parameters";
  if ((uint64_t)c->nlocal_slots + c->nconsts > c->frame_slots ||
      c->nresult_slots > c->frame_slots)
    return "frame smaller than its locals, constants or results";
  if (c->nconsts && !c->consts) return "constants missing";
  walk w = {c, op_info(), maps, maps + (c->ncode >> 6) + 1, mod};
  const char *why = pass(&w, loop);
  if (why) return why;
  for (uint32_t i = 0; i < c->npcmap; i++)
    if (c->pcmap_cell[i] >= c->ncode || (i && c->pcmap_cell[i] < c->pcmap_cell[i - 1]))
      return "trap map out of order or outside the code";
  for (uint32_t i = 0; i < c->nhandlers; i++) {
    const wm_handler *h = &c->handlers[i];
    if (h->start > h->end || h->end > c->ncode || h->pad >= c->ncode || !bit(w.starts, h->pad))
      return "handler outside the code";
  }
  return NULL;
}

/* The two bitmaps of a walk over c, zeroed; NULL when out of memory. */
static uint64_t *walk_maps(const wm_code *c) {
  return calloc(2 * ((size_t)(c->ncode >> 6) + 1), sizeof(uint64_t));
}

const char *wm__code_check(const wm_code *c, unsigned loop) {
  if (loop >= NLOOPS) return "unknown loop";
  uint64_t *maps = walk_maps(c);
  if (!maps) return "out of memory";
  const char *why = check(c, loop, maps, NULL);
  free(maps);
  return why;
}

/* ------------------------------------------ lowered code from a cache file */

/*
** A code cache file may hold lowered code (cache.c), and anyone who can
** write the cache directory can forge it. Such code is installed only if
** it cannot break memory safety whatever its values: its shape passes the
** checks above, every instruction is one the allow-list below admits, and
** it reads no slot before writing it (the flow analysis, further below).
** The list is by what each handler (interp_loop.h, interp_impl.h) does
** with its operands, read handler by handler:
**   PURE  reads and writes frame slots (checked inside the frame), jumps
**         (checked onto instruction starts) or traps: numeric operations
**         on any bits, moves, selects, constants, branches, br_table, return.
**   MEM   also accesses memory 0 through mem_access (or wm__in_range), a
**         bounds check against its current size at run time, whatever the
**         address; needs a memory 0 (memory.grow writes through it).
**   the rest index the module's entities and are checked here: calls name
**         a function of the right kind whose type holds no reference (its
**         arguments and results fit in the frame), call_indirect a function
**         table and such a type, global.get/set a numeric global (a number
**         written into a reference global would be a forged pointer; a
**         reference read into a slot, an address leaked), memory.init and
**         data.drop a data segment.
** Everything else -- tables, references, GC, exceptions, SIMD, atomics,
** tail calls, other memories, 64-bit addresses, FUEL, NATIVE, LAZY -- is
** refused, and the function is lowered from its body as usual; so is any
** op added later until someone classifies it here. The function's own type
** must hold no reference either: then no slot its code can reach is read
** as a reference (by an instruction above, a callee, or its caller).
**
** Each admitted op also says which operand slots it reads and writes, in
** the handler's order, and how wide: an i32 or f32 handler reads and
** writes the low half of a slot (`.u32`, `.f32`) and leaves the upper half
** as it was, an i64 or f64 one all 8 bytes; a move or select copies all 8.
** The ops of a class get it from the class (the operand types from
** wm__numeric_sig or the op's name), the others from their line in
** `named` below, so that no op is admitted without it.
*/
enum { T_NO, T_PURE, T_MEM, T_CALL, T_ADD_CALL, T_CALL_IMPORT, T_CALL_INDIRECT, T_GLOBAL_GET,
       T_GLOBAL_SET, T_DATA, T_MEMORY_INIT };

static const uint8_t class_of[] = {
#define X_(name, cls, wasm) C_##cls,
    WM_OPS(X_)
#undef X_
};
static const uint32_t wasm_of[] = {
#define X_(name, cls, wasm) wasm,
    WM_OPS(X_)
#undef X_
};

/* The ops the classes below admit without naming them, counted when this
** file is compiled: an op added to one of those classes stops the build
** here until someone has read its handler and moved it out of the class's
** default or raised the count. */
#define ADMITTED_(cls)                                                                  \
  (cls == C_UN || cls == C_BIN || cls == C_BINK || cls == C_CMPBR || cls == C_CMPBRK ||  \
   cls == C_ADDBR || cls == C_BINSH || cls == C_SELCMP || cls == C_SELCMPK ||           \
   cls == C_LOAD || cls == C_STORE || cls == C_LOADK || cls == C_STOREK ||              \
   cls == C_LOADX || cls == C_STOREX || cls == C_BINLD || cls == C_BINRMW)
#define COUNT_(name, cls, wasm) +ADMITTED_(C_##cls)
enum { ADMITTED_BY_CLASS = 0 WM_OPS(COUNT_) };
#undef COUNT_
_Static_assert(ADMITTED_BY_CLASS == 447,
               "an op was added to a class cached code admits: read its handler first");

/* The ops admitted by name, with their steps: r/R a read of 4/8 bytes, w/W
** a write, m a move (dest, source), s a select (dest, the two sources), c
** a call (function cell, base cell), t call_indirect's (type cell, base
** cell), g global.get (slot, global), G global.set (global, slot), x the
** return; digits are operand cells, A to F cells 10 to 15. Read from each
** handler. */
static const struct named {
  uint16_t op;
  uint8_t trust;
  const char *steps;
} named[] = {
    {WM_OP_UNREACHABLE, T_PURE, ""},
    {WM_OP_BR, T_PURE, ""},
    {WM_OP_BR_IF, T_PURE, "r0"},
    {WM_OP_BR_IF_NOT, T_PURE, "r0"},
    {WM_OP_BR_TABLE, T_PURE, "r0"},
    {WM_OP_BR_TABLE_K, T_PURE, "r0"},
    {WM_OP_RETURN, T_PURE, "x"},
    {WM_OP_MOVE, T_PURE, "m01"},
    {WM_OP_MOVE2, T_PURE, "m01 m23"},
    {WM_OP_MOVE4, T_PURE, "m01 m23 m45 m67"},
    {WM_OP_I32_ADD_K_LOAD8_U_BR_IF_NOT_MOVE, T_MEM, "r1 w0 r6 w5 rC wB"},
    {WM_OP_I32_LOAD_2, T_MEM, "r1 w0 r6 w5"},
    {WM_OP_I32_LOAD8_S_2, T_MEM, "r1 w0 r6 w5"},
    {WM_OP_I32_LOAD8_U_2, T_MEM, "r1 w0 r6 w5"},
    {WM_OP_I32_LOAD16_S_2, T_MEM, "r1 w0 r6 w5"},
    {WM_OP_I32_LOAD16_U_2, T_MEM, "r1 w0 r6 w5"},
    {WM_OP_CONST32, T_PURE, "W0"},
    {WM_OP_CONST64, T_PURE, "W0"},
    {WM_OP_SELECT, T_PURE, "r3 s012"},
    {WM_OP_MOVE_BR, T_PURE, "m01"},
    {WM_OP_MOVE_BR_IF, T_PURE, "m01 r2"},
    {WM_OP_MOVE_BR_IF_NOT, T_PURE, "m01 r2"},
    {WM_OP_I32_MUL_ADD, T_PURE, "r1 r2 r3 w0"},
    {WM_OP_I32_MUL_K_ADD, T_PURE, "r1 r3 w0"},
    {WM_OP_I32_ADD_K_AND_K, T_PURE, "r1 w0"},
    {WM_OP_I32_MUL_K_ADD_K, T_PURE, "r1 w0"},
    {WM_OP_I32_DIV_S_K, T_PURE, "r1 w0"},
    {WM_OP_I32_DIV_U_K, T_PURE, "r1 w0"},
    {WM_OP_I32_REM_S_K, T_PURE, "r1 w0"},
    {WM_OP_I32_REM_U_K, T_PURE, "r1 w0"},
    {WM_OP_SELECT_AND_K, T_PURE, "r3 s012"},
    {WM_OP_I32_SHR_U_XOR_K, T_PURE, "r2 w0 w1"},
    {WM_OP_SELECT_XOR_AND_K, T_PURE, "r3 r4 s012"},
    {WM_OP_I32_SHR_U_XOR_K_SELECT, T_PURE, "r2 w0 w1 r8 r9 s567"},
    {WM_OP_I32_SHR_U_AND_K_XOR_K, T_PURE, "r2 w0 w1"},
    {WM_OP_I32_SHR_U_AND_K_XOR_K_SELECT, T_PURE, "r2 w0 w1 r9 rA s678"},
    {WM_OP_I32_SHR_U_XOR_K_SELECT2, T_PURE, "r2 w0 w1 r8 r9 s567"},
    {WM_OP_I32_SHR_U_AND_K_XOR_K_SELECT2, T_PURE, "r2 w0 w1 r9 rA s678"},
    {WM_OP_I32_SIGMA_K, T_PURE, "r1 w0"},
    {WM_OP_I32_ANDN, T_PURE, "r1 r2 w0"},
    {WM_OP_I32_MAJ, T_PURE, "r1 r2 r3 w0"},
    {WM_OP_I32_SHR_U_AND_K, T_PURE, "r1 w0"},
    /* LOADBR, MOVE_LOAD_I32, MOVE_LOAD_STORE_I32 (the store through the
    ** pointer the load's mem_access gave), MOVELOADK, I32_LOAD_BR_EQ and _NE, MULADDRMW
    ** (a mem_access per access), I32_MUL_LD_ADD, I32_LOAD_SHL_K,
    ** I32_STORE8_X_ADD_BR_LE_U (a mem_access per store); memory.size,
    ** memory.grow (wm__memory_grow), memory.copy and memory.fill
    ** (wm__in_range against memsize). */
    {WM_OP_I32_LOAD_BR_IF, T_MEM, "r1 w0"},
    {WM_OP_I32_LOAD_BR_IF_NOT, T_MEM, "r1 w0"},
    {WM_OP_I32_LOAD8_U_BR_IF, T_MEM, "r1 w0"},
    {WM_OP_I32_LOAD8_U_BR_IF_NOT, T_MEM, "r1 w0"},
    {WM_OP_MOVE_I32_LOAD, T_MEM, "m01 r3 w2"},
    {WM_OP_MOVE_I32_LOAD_K, T_MEM, "m01 r3 w2"},
    {WM_OP_MOVE_I32_LOAD8_U_K, T_MEM, "m01 r3 w2"},
    {WM_OP_MOVE_I32_LOAD_STORE, T_MEM, "m01 r3 w2 r5"},
    {WM_OP_MOVE_I32_LOAD_STORE_MOVE_BR_IF, T_MEM, "m01 r3 w2 r5 m67 r8"},
    {WM_OP_I32_STORE8_X_ADD_BR_LE_U, T_MEM, "r0 r1 r2 r5 r6 w4 r7 r8"},
    {WM_OP_I32_LOAD_BR_EQ, T_MEM, "r1 w0 r3"},
    {WM_OP_I32_LOAD_BR_NE, T_MEM, "r1 w0 r3"},
    {WM_OP_F32_MUL_ADD_RMW, T_MEM, "r2 r1 w0 r5"},
    {WM_OP_F64_MUL_ADD_RMW, T_MEM, "r2 R1 W0 r5"},
    {WM_OP_F32_ADD_MUL_ADD_RMW, T_MEM, "r1 r2 w0 r5 r4 w3 r8"},
    {WM_OP_F64_ADD_MUL_ADD_RMW, T_MEM, "r1 r2 w0 r5 R4 W3 r8"},
    {WM_OP_F32_ADDK_MUL_ADD_RMW, T_MEM, "r1 w0 r5 r4 w3 r8"},
    {WM_OP_F64_ADDK_MUL_ADD_RMW, T_MEM, "r1 w0 r5 R4 W3 r8"},
    {WM_OP_I32_MUL_LD_ADD, T_MEM, "r2 r1 r5 w0"},
    {WM_OP_I32_LOAD_SHL_K, T_MEM, "r1 w0"},
    {WM_OP_MEMORY_SIZE, T_MEM, "W0"},
    {WM_OP_MEMORY_GROW, T_MEM, "r1 W0"},
    {WM_OP_MEMORY_COPY, T_MEM, "r0 r1 r2"},
    {WM_OP_MEMORY_FILL, T_MEM, "r0 r1 r2"},
    {WM_OP_CALL, T_CALL, "c01"},
    {WM_OP_I32_ADD_K_CALL, T_ADD_CALL, "r1 w0 c34"},
    {WM_OP_CALL_IMPORT, T_CALL_IMPORT, "c01"},
    {WM_OP_CALL_INDIRECT, T_CALL_INDIRECT, "r0 t13"},
    {WM_OP_GLOBAL_GET, T_GLOBAL_GET, "g01"},
    {WM_OP_GLOBAL_SET, T_GLOBAL_SET, "G01"},
    {WM_OP_DATA_DROP, T_DATA, ""},
    {WM_OP_MEMORY_INIT, T_MEMORY_INIT, "r1 r2 r3"},
};

static void add_step(opinfo *in, uint8_t act, uint8_t x, uint8_t y, uint8_t z) {
  if (in->nsteps < MAX_STEPS) in->steps[in->nsteps] = (step){act, x, y, z};
  in->nsteps++; /* more than MAX_STEPS: refused by consistent() */
}

static void parse_steps(opinfo *in, const char *s) {
  static const char acts[] = "rRwWmsctgGx";
  for (; *s; s++) {
    const char *a = *s ? strchr(acts, *s) : NULL;
    if (!a) continue; /* a space */
    uint8_t v[3] = {0, 0, 0};
    for (int k = 0; k < 3 && ((s[1] >= '0' && s[1] <= '9') || (s[1] >= 'A' && s[1] <= 'F')); k++) {
      s++;
      v[k] = (uint8_t)(*s <= '9' ? *s - '0' : *s - 'A' + 10);
    }
    add_step(in, (uint8_t)(S_R4 + (a - acts)), v[0], v[1], v[2]);
  }
}

/* 8 for an i64 or f64, 4 for an i32 or f32, 0 for anything else. */
static unsigned width_of(wm_valtype t) {
  return t == WM_I64 || t == WM_F64 ? 8 : t == WM_I32 || t == WM_F32 ? 4 : 0;
}

/* The value type an op's name begins with, as a width (I64_LOAD8_S_K: 8). */
static unsigned width_of_name(uint32_t op) {
  const char *n = wm__op_name((wm_op)op);
  if ((n[0] != 'I' && n[0] != 'F') || n[3] != '_') return 0;
  return n[1] == '6' && n[2] == '4' ? 8 : n[1] == '3' && n[2] == '2' ? 4 : 0;
}

static uint8_t rd(unsigned w) { return w == 8 ? S_R8 : S_R4; }
static uint8_t wr(unsigned w) { return w == 8 ? S_W8 : S_W4; }

/* The steps of an op a class admits, from the class's macro in
** interp_impl.h; false when its widths cannot be told (then refused). */
static bool class_steps(opinfo *in, uint32_t op) {
  unsigned w = width_of_name(op);
  switch (class_of[op]) {
    case C_UN: case C_BIN: { /* `d a [b]` of the wasm op's types */
      uint8_t ti, to;
      int nin;
      if (!wm__numeric_sig(wasm_of[op], &ti, &to, &nin)) return false;
      unsigned wi = width_of(ti), wo = width_of(to);
      if (!wi || !wo || nin != (class_of[op] == C_UN ? 1 : 2)) return false;
      add_step(in, rd(wi), 1, 0, 0);
      if (nin == 2) add_step(in, rd(wi), 2, 0, 0);
      add_step(in, wr(wo), 0, 0, 0);
      return true;
    }
    case C_CMPBR: parse_steps(in, "r0 r1"); return true;    /* BR_I32_*: i32 */
    case C_CMPBRK: parse_steps(in, "r0"); return true;      /* i32 */
    case C_ADDBR: parse_steps(in, "r1 w0 r3"); return true; /* KOPBR: i32 */
    case C_BINSH: parse_steps(in, "r1 r2 w0"); return true; /* i32 */
    case C_SELCMP: parse_steps(in, "r3 r4 s012"); return true;
    case C_SELCMPK: parse_steps(in, "r3 s012"); return true;
    default: break;
  }
  if (!w) return false;
  switch (class_of[op]) {
    case C_BINK: add_step(in, rd(w), 1, 0, 0); break; /* `d a imm`: I32_*_K, I64_*_K */
    case C_LOAD: case C_LOADK: add_step(in, S_R4, 1, 0, 0); break;
    case C_LOADX: parse_steps(in, "r1 r2"); break;
    case C_STORE: parse_steps(in, "r0"); add_step(in, rd(w), 1, 0, 0); return true;
    case C_STOREK: parse_steps(in, "r0"); add_step(in, rd(w), 2, 0, 0); return true;
    case C_STOREX: parse_steps(in, "r0 r1"); add_step(in, rd(w), 2, 0, 0); return true;
    case C_BINLD: parse_steps(in, "r2"); add_step(in, rd(w), 1, 0, 0); break;
    case C_BINRMW: parse_steps(in, "r1"); add_step(in, rd(w), 0, 0, 0); return true;
    default: return false;
  }
  add_step(in, wr(w), 0, 0, 0); /* the result, last */
  return true;
}

/* The steps name exactly the op's slot cells (and a call's base), each
** inside the layout: an op whose steps and layout disagree is a mistake
** in this file. */
static bool consistent(const opinfo *in) {
  if (in->nsteps > MAX_STEPS) return false;
  uint32_t named_slots = 0, cells = in->cells == VARLEN ? 1 : in->cells;
  for (uint32_t i = 0; i < in->nsteps; i++) {
    const step *s = &in->steps[i];
    /* The cells each kind of step names: x; x, y; x, y, z; none. */
    uint32_t used = s->act == S_RET ? 0 : s->act == S_SEL ? 3 : s->act >= S_MOVE ? 2 : 1;
    if ((used > 0 && s->x >= cells) || (used > 1 && s->y >= cells) || (used > 2 && s->z >= cells))
      return false;
    switch (s->act) {
      case S_MOVE: named_slots |= 1u << s->x | 1u << s->y; break;
      case S_SEL: named_slots |= 1u << s->x | 1u << s->y | 1u << s->z; break;
      case S_CALLF: case S_CALLT:
        if (in->base != s->y + 1) return false;
        break;
      case S_GGET: named_slots |= 1u << s->x; break;
      case S_GSET: named_slots |= 1u << s->y; break;
      case S_RET: break;
      default: named_slots |= 1u << s->x; break;
    }
  }
  return named_slots == in->slots;
}

static void admit(uint32_t op, uint8_t trust) {
  opinfo *in = &info[op];
  if (consistent(in)) {
    in->trust = trust;
    return;
  }
#if WM_CHECK_LOWERED
  fprintf(stderr, "wasmem: code_check.c: the steps of %s disagree with its layout\n",
          wm__op_name((wm_op)op));
  abort();
#endif
}

static void classify(void) {
  for (uint32_t op = 0; op < WM_OP_ACC_FIRST_; op++) {
    switch (class_of[op]) {
      /* The numeric macros UN, UN_TRAP, BIN, BIN_TRAP, BINK, CMPBR, CMPBRK,
      ** KOPBR, BINSH, SELCMP, SELCMPK: slots, immediates, branches. */
      case C_UN: case C_BIN: case C_BINK: case C_CMPBR: case C_CMPBRK: case C_ADDBR:
      case C_BINSH: case C_SELCMP: case C_SELCMPK:
        if (op != WM_OP_REF_IS_NULL && class_steps(&info[op], op)) admit(op, T_PURE);
        break; /* REF_IS_NULL: class UN, but a reference operation */
      /* LOAD, STORE, LOADK, STOREK, LOADX, STOREX, BINLD, BINRMW: one
      ** mem_access each. */
      case C_LOAD: case C_STORE: case C_LOADK: case C_STOREK: case C_LOADX: case C_STOREX:
      case C_BINLD: case C_BINRMW:
        if (class_steps(&info[op], op)) admit(op, T_MEM);
        break;
      default: break;
    }
  }
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
    parse_steps(&info[named[i].op], named[i].steps);
    admit(named[i].op, named[i].trust);
  }
  /* ADDBRS: an add, then a compare of two slots (both i32) and a branch. */
  for (uint32_t op = WM_OP_I32_ADD_K_BR_EQ; op <= WM_OP_I32_ADD_K_BR_GE_U; op++) {
    parse_steps(&info[op], "r1 w0 r3 r4");
    admit(op, T_PURE);
  }
  for (uint32_t op = WM_OP_I32_ADD_BR_EQ; op <= WM_OP_I32_ADD_BR_GE_U; op++) {
    parse_steps(&info[op], "r1 r2 w0 r3 r4");
    admit(op, T_PURE);
  }
  /* An accumulator form (compile_acc.c) is its op with one operand read
  ** from the register the instruction before it set, which holds what the
  ** slot holds: the same steps and trust as its op. wm__acc_verify checks
  ** that it is right after that producer. */
  for (uint32_t op = WM_OP_ACC_FIRST_; op < WM_OP_COUNT_; op++) info[op] = info[wm__acc_base((wm_op)op)];
}

static bool numeric(wm_valtype t) {
  return t == WM_I32 || t == WM_I64 || t == WM_F32 || t == WM_F64 || t == WM_V128;
}

static uint64_t slots_of(const wm_valtype *t, uint32_t n) {
  uint64_t k = 0;
  for (uint32_t i = 0; i < n; i++) k += t[i] == WM_V128 ? 2 : 1;
  return k;
}

/* Type ti, if it is a function type with no reference among its params
** and results; else NULL. */
static const wm_type *plain_type(const wm_module *mod, uint32_t ti) {
  if (ti >= mod->ntypes || mod->types[ti].kind != WM_COMP_FUNC) return NULL;
  const wm_type *t = &mod->types[ti];
  for (uint32_t i = 0; i < t->nparams; i++)
    if (!numeric(t->params[i])) return NULL;
  for (uint32_t i = 0; i < t->nresults; i++)
    if (!numeric(t->results[i])) return NULL;
  return t;
}

/* A call of type t with its frame at base: arguments and results inside
** the caller's frame. */
static const char *call_fits(const walk *w, const wm_type *t, uint32_t base) {
  if (!t) return "call of a type with references";
  uint64_t np = slots_of(t->params, t->nparams), nr = slots_of(t->results, t->nresults);
  return (uint64_t)base + (np > nr ? np : nr) <= w->c->frame_slots
             ? NULL
             : "call's arguments or results outside the frame";
}

static const char *call_ok(const walk *w, uint32_t f, uint32_t base, bool defined) {
  const wm_module *mod = w->mod;
  if (f >= mod->nfuncs || (f >= mod->nfunc_imports) != defined)
    return "call of a function out of range";
  return call_fits(w, plain_type(mod, mod->funcs[f].typeidx), base);
}

static bool plain_global(const wm_module *mod, uint32_t g) {
  return g < mod->nglobals && numeric(mod->globals[g].type.type) &&
         mod->globals[g].type.type != WM_V128;
}

static const char *trusted(const walk *w, wm_op op, uint32_t at) {
  const wm_module *mod = w->mod;
  const uint32_t *o = w->c->code + at + WM_HEAD_CELLS;
  switch (w->info[op].trust) {
    case T_PURE: return NULL;
    case T_MEM: return mod->nmems ? NULL : "memory instruction without a memory";
    case T_CALL: return call_ok(w, o[0], o[1], true);
    case T_ADD_CALL: return call_ok(w, o[3], o[4], true);
    case T_CALL_IMPORT: return call_ok(w, o[0], o[1], false);
    case T_CALL_INDIRECT: /* a typeidx tableidx base */
      if (o[2] >= mod->ntables || (mod->tables[o[2]].elem & 0xFF) != 0x70)
        return "call_indirect through no function table";
      return call_fits(w, plain_type(mod, o[1]), o[3]);
    case T_GLOBAL_GET: /* d gidx */
      return plain_global(mod, o[1]) ? NULL : "global.get of no numeric global";
    case T_GLOBAL_SET: /* gidx a */
      return plain_global(mod, o[0]) && mod->globals[o[0]].type.mut
                 ? NULL
                 : "global.set of no mutable numeric global";
    case T_MEMORY_INIT:
      if (!mod->nmems) return "memory instruction without a memory";
      /* fall through */
    case T_DATA: return o[0] < mod->ndatas ? NULL : "data segment out of range";
    default: return "instruction not allowed in cached code";
  }
}

/* ------------------------------------------------------ the flow analysis */

/*
** A frame's slots are not cleared between calls (enter_frame zeroes the
** declared locals and copies the constants, no more), so an operand-stack
** slot holds whatever an earlier call left there -- a host address, a
** reference, half of one -- until this call writes it. Code the compiler
** made never reads such a slot; forged code could, and hand the value to
** the guest. So cached code must read no slot, nor the upper half of one,
** that this call has not written on every path to the read.
**
** The analysis is a forward "definitely written" dataflow over the basic
** blocks of the code (a block starts at the entry, at every branch target
** and after every branch, br_table, return or unreachable), with two bits
** per slot: its low 4 bytes written (`lo`), all 8 written (`full`). At
** entry: the parameters by their types (an i32 or f32 argument's upper
** half is the caller's: lo only), the locals (zeroed) and the constants
** (copied) full. Each instruction's steps (the op table) then apply in
** order: a 4-byte read needs lo, an 8-byte read full; a 4-byte write sets
** lo, an 8-byte one both; a move or select needs lo of its sources and
** copies (meets) their bits. A call reads its arguments from its base by
** the callee's parameter types, then the callee's frame may have left
** anything from the base to the end of ours: those slots are unwritten,
** then its results written. A return reads the results by the function's
** types; a global by the global's. Where paths meet, a bit holds only if
** it holds on each of them. Blocks no path reaches are never checked: they
** never run.
**
** Bounds: two bitsets of frame_slots bits per block; a function needing
** more than FLOW_MAX_BYTES of them, or more than FLOW_MAX_WORK word
** operations to reach the fixed point (loops evaluate blocks again until
** nothing changes; each evaluation only clears bits, so it ends), is
** refused and lowered from its body instead. Compiled code stays far
** below both: of the 1,264 functions a yosys start runs, the largest
** needs 107 KB of bitsets (1,671 blocks, a frame of 192 to 255 slots)
** and the costliest 70,000 word operations (all of them, 330,000).
*/
#define FLOW_MAX_BYTES (16u << 20)
#define FLOW_MAX_WORK (1u << 25)
static const char too_costly[] = "too costly to check for slots read before written";

typedef struct flow {
  const wm_code *c;
  const wm_module *mod;
  const opinfo *info;
  const wm_type *type; /* the function's */
  const uint64_t *lead;
  uint32_t *rank;      /* leaders in the words of lead before each */
  uint32_t *bstart;    /* each block's first cell */
  uint32_t nblocks, words;
  uint64_t *in;        /* per block: lo then full, `words` each */
  uint64_t *seen, *dirty; /* per block: reached; to evaluate (again) */
  uint64_t *lo, *full; /* the state while evaluating a block */
  uint64_t work;
} flow;

static uint32_t block_of(const flow *f, uint32_t cell) {
  uint64_t below = f->lead[cell >> 6] & (((uint64_t)1 << (cell & 63)) - 1);
  return f->rank[cell >> 6] + (uint32_t)__builtin_popcountll(below);
}

static const char *need(const flow *f, uint32_t s, bool wide) {
  if (!bit(f->lo, s)) return "a slot read before it is written";
  if (wide && !bit(f->full, s)) return "the upper half of a slot read before it is written";
  return NULL;
}

static void put(flow *f, uint32_t s, bool wide) {
  set_bit(f->lo, s);
  if (wide) set_bit(f->full, s);
}

static void put_bit(uint64_t *b, uint32_t s, bool v) {
  if (v) set_bit(b, s);
  else b[s >> 6] &= ~((uint64_t)1 << (s & 63));
}

/* Values of types t[0..n) in slots from `at`: read (check) or written. */
static const char *values(flow *f, const wm_valtype *t, uint32_t n, uint32_t at, bool write) {
  for (uint32_t i = 0; i < n; i++) {
    bool wide = width_of(t[i]) != 4; /* i64, f64, v128 */
    uint32_t k = t[i] == WM_V128 ? 2 : 1;
    for (uint32_t j = 0; j < k; j++, at++) {
      if (write) put(f, at, wide);
      else if (need(f, at, wide)) return need(f, at, wide);
    }
  }
  return NULL;
}

static const char *call(flow *f, const wm_type *t, uint32_t base) {
  const char *why = values(f, t->params, t->nparams, base, false);
  if (why) return why;
  f->work += f->words;
  /* The callee's frame: slots base.. unwritten (bits past the frame are
  ** never set). */
  uint32_t w = base >> 6;
  uint64_t keep = ((uint64_t)1 << (base & 63)) - 1;
  if (w < f->words) {
    f->lo[w] &= keep;
    f->full[w] &= keep;
    for (w++; w < f->words; w++) f->lo[w] = f->full[w] = 0;
  }
  return values(f, t->results, t->nresults, base, true);
}

static const char *apply(flow *f, const opinfo *in, const uint32_t *o) {
  const wm_module *mod = f->mod;
  for (const step *s = in->steps; s->act; s++) {
    const char *why = NULL;
    switch (s->act) {
      case S_R4: why = need(f, o[s->x], false); break;
      case S_R8: why = need(f, o[s->x], true); break;
      case S_W4: put(f, o[s->x], false); break;
      case S_W8: put(f, o[s->x], true); break;
      case S_MOVE:
        if (!(why = need(f, o[s->y], false))) {
          bool full = bit(f->full, o[s->y]);
          set_bit(f->lo, o[s->x]);
          put_bit(f->full, o[s->x], full);
        }
        break;
      case S_SEL:
        if (!(why = need(f, o[s->y], false)) && !(why = need(f, o[s->z], false))) {
          bool full = bit(f->full, o[s->y]) && bit(f->full, o[s->z]);
          set_bit(f->lo, o[s->x]);
          put_bit(f->full, o[s->x], full);
        }
        break;
      case S_CALLF: why = call(f, &mod->types[mod->funcs[o[s->x]].typeidx], o[s->y]); break;
      case S_CALLT: why = call(f, &mod->types[o[s->x]], o[s->y]); break;
      case S_GGET: put(f, o[s->x], width_of(mod->globals[o[s->y]].type.type) == 8); break;
      case S_GSET: why = need(f, o[s->y], width_of(mod->globals[o[s->x]].type.type) == 8); break;
      case S_RET: why = values(f, f->type->results, f->type->nresults, 0, false); break;
      default: why = "instruction not allowed in cached code"; break;
    }
    if (why) return why;
  }
  return NULL;
}

/* Control reaches block b with the current state. */
static void reach(flow *f, uint32_t b) {
  uint64_t *in = f->in + (size_t)b * 2 * f->words;
  f->work += 2 * f->words;
  if (!bit(f->seen, b)) {
    memcpy(in, f->lo, f->words * sizeof *in);
    memcpy(in + f->words, f->full, f->words * sizeof *in);
    set_bit(f->seen, b);
    set_bit(f->dirty, b);
    return;
  }
  uint64_t changed = 0;
  for (uint32_t i = 0; i < f->words; i++) {
    uint64_t lo = in[i] & f->lo[i], full = in[i + f->words] & f->full[i];
    changed |= (lo ^ in[i]) | (full ^ in[i + f->words]);
    in[i] = lo;
    in[i + f->words] = full;
  }
  if (changed) set_bit(f->dirty, b);
}

static const char *evaluate(flow *f, uint32_t b) {
  const wm_code *c = f->c;
  const uint64_t *in = f->in + (size_t)b * 2 * f->words;
  memcpy(f->lo, in, f->words * sizeof *in);
  memcpy(f->full, in + f->words, f->words * sizeof *in);
  uint32_t pc = f->bstart[b], end = b + 1 < f->nblocks ? f->bstart[b + 1] : c->ncode;
  if ((f->work += 2 * f->words + (end - pc)) > FLOW_MAX_WORK) return too_costly; /* per cell */
  for (;;) {
    uint32_t at = pc, op = c->code[pc];
    const opinfo *in = &f->info[op];
    const uint32_t *o = c->code + pc + WM_HEAD_CELLS;
    const char *why = apply(f, in, o);
    if (why) return why;
    if (in->cells != VARLEN) {
      pc += WM_HEAD_CELLS + in->cells;
    } else { /* br_table: each target, the same one once in a row */
      uint32_t k = op == WM_OP_BR_TABLE_K, n = o[1 + k], last = UINT32_MAX;
      for (uint32_t j = 0; j <= n; j++) {
        uint32_t t = block_of(f, at + o[2 + k + j]);
        if (t != last) reach(f, t);
        last = t;
        if (f->work > FLOW_MAX_WORK) return too_costly;
      }
      return NULL;
    }
    if (pc < end) continue;
    switch (in->ctl) {
      case CTL_END: return NULL;
      case CTL_JUMP: reach(f, block_of(f, at + o[in->off])); return NULL;
      case CTL_COND: reach(f, block_of(f, at + o[in->off])); /* fall through */
      default: reach(f, b + 1); return NULL; /* the code's end: refused before */
    }
  }
}

/* The lowest block to evaluate from block `from` on, wrapping round: sweeps
** in code order, where a loop's back edge is the only edge back. */
static uint32_t next_dirty(const flow *f, uint32_t from) {
  uint32_t nw = (f->nblocks >> 6) + 1;
  for (uint32_t k = 0, w = from >> 6; k <= nw; k++, w = w + 1 < nw ? w + 1 : 0) {
    uint64_t m = f->dirty[w];
    if (k == 0) m &= ~(uint64_t)0 << (from & 63);
    if (m) return w * 64 + (uint32_t)__builtin_ctzll(m);
  }
  return UINT32_MAX;
}

static const char *run_flow(flow *f) {
  const wm_code *c = f->c;
  const wm_type *t = f->type;
  /* The entry state: parameters by type, locals and constants full. */
  (void)values(f, t->params, t->nparams, 0, true);
  for (uint32_t s = c->nparam_slots; s < c->nlocal_slots + c->nconsts; s++) put(f, s, true);
  reach(f, 0);
  for (uint32_t b = 0; (b = next_dirty(f, b)) != UINT32_MAX;) {
    f->dirty[b >> 6] &= ~((uint64_t)1 << (b & 63));
    const char *why = evaluate(f, b);
    if (why) return why;
    if (f->work > FLOW_MAX_WORK) return too_costly;
    b = b + 1 < f->nblocks ? b + 1 : 0;
  }
  return NULL; /* the fixed point */
}

/* The flow analysis of c (its shape and allow-list checked: `lead` marks
** its blocks' starts but the first), for function type t. */
static const char *flow_check(const wm_code *c, const wm_module *mod, const wm_type *t,
                              uint64_t *lead) {
  uint32_t nw = (c->ncode >> 6) + 1, words = (c->frame_slots >> 6) + 1;
  lead[0] |= 1;
  uint32_t *rank = malloc(((size_t)nw + 1) * sizeof *rank);
  if (!rank) return "out of memory";
  uint32_t nblocks = 0;
  for (uint32_t i = 0; i < nw; i++) {
    rank[i] = nblocks;
    nblocks += (uint32_t)__builtin_popcountll(lead[i]);
  }
  uint64_t bytes = (uint64_t)nblocks * 2 * words * 8;
  if (bytes > FLOW_MAX_BYTES) {
    free(rank);
    return "too large to check for slots read before written";
  }
  size_t bw = ((size_t)nblocks >> 6) + 1;
  flow f = {c, mod, op_info(), t, lead, rank, NULL, nblocks, words, NULL, NULL, NULL, NULL,
            NULL, 0};
  f.bstart = malloc((size_t)nblocks * sizeof *f.bstart);
  f.in = malloc((size_t)bytes + 8);
  f.seen = calloc(2 * bw + 2 * (size_t)words, sizeof(uint64_t));
  const char *why = "out of memory";
  if (f.bstart && f.in && f.seen) {
    f.dirty = f.seen + bw;
    f.lo = f.dirty + bw;
    f.full = f.lo + words;
    for (uint32_t i = 0, b = 0; i < nw; i++)
      for (uint64_t m = lead[i]; m; m &= m - 1)
        f.bstart[b++] = i * 64 + (uint32_t)__builtin_ctzll(m);
    why = run_flow(&f);
  }
  free(f.seen);
  free(f.in);
  free(f.bstart);
  free(rank);
  return why;
}

#define MAX_FRAME 0x0FFFFFFFu /* compile.h's MAX_INDEX: no frame is larger */

/* The cells of the instruction of op at pc, head included (its shape
** checked). */
static uint32_t insn_cells(const opinfo *info, const uint32_t *code, uint32_t pc, uint32_t op) {
  if (info[op].cells != VARLEN) return WM_HEAD_CELLS + info[op].cells;
  uint32_t k = op == WM_OP_BR_TABLE_K; /* `a [imm] n off*(n+1)` */
  return WM_HEAD_CELLS + 2 + k + code[pc + WM_HEAD_CELLS + 1 + k] + 1;
}

/* The head of op in a loop whose heads are base + offs[op] (wm__op_heads). */
static uint64_t head_of(uint32_t op, const char *base, const int32_t *offs) {
  return offs ? (uint64_t)(uintptr_t)(base + offs[op]) : op;
}

/* wm__code_trust's work; *by_flow tells whether a rule the compiler's own
** code must pass refused: the flow analysis, or the accumulator forms'. */
static const char *trust(wm_code *c, const wm_module *mod, uint32_t idx, bool install,
                         bool *by_flow) {
  const opinfo *info = op_info();
  *by_flow = false;
  if (idx < mod->nfunc_imports || idx >= mod->nfuncs) return "not a defined function";
  const wm_funcdef *fd = &mod->funcs[idx];
  const wm_type *t = plain_type(mod, fd->typeidx);
  if (!t) return "a type with references";
  /* Recomputed, never read: what the type and the body table say. */
  c->nparam_slots = (uint32_t)slots_of(t->params, t->nparams);
  c->nresult_slots = (uint32_t)slots_of(t->results, t->nresults);
  c->func_idx = idx;
  c->handlers = NULL;
  c->nhandlers = 0;
  c->quick_entry = c->nconsts == 0 && c->nlocal_slots - c->nparam_slots <= 4;
  if (c->frame_slots > MAX_FRAME || (uint64_t)c->nparam_slots + 4 > c->frame_slots)
    return "frame too large or too small";
  /* Locals: a v128 takes two slots. Their types need no check: no
  ** instruction allowed reads a slot as a reference. */
  if (c->nlocal_slots < c->nparam_slots ||
      (uint64_t)c->nlocal_slots < (uint64_t)c->nparam_slots + fd->nlocals ||
      (uint64_t)c->nlocal_slots > (uint64_t)c->nparam_slots + 2 * (uint64_t)fd->nlocals)
    return "locals not the body's";
  for (uint32_t i = 0; i < c->npcmap; i++)
    if (c->pcmap_off[i] < fd->body_off || c->pcmap_off[i] - fd->body_off > fd->body_len)
      return "trap map outside the body";
  if (!c->ncode) return "no code";
  uint64_t *maps = walk_maps(c);
  if (!maps) return "out of memory";
  uint64_t *starts = maps, *lead = maps + (c->ncode >> 6) + 1;
  const char *why = check(c, mod->loop, maps, mod);
  /* The last instruction must not go on to the next cell, which is not
  ** code: a conditional branch, a call (which returns to the next cell) or
  ** anything else would run off the end. */
  uint32_t last = UINT32_MAX;
  for (uint32_t i = (c->ncode - 1) >> 6; !why && last == UINT32_MAX; i--) {
    if (starts[i]) last = i * 64 + 63 - (uint32_t)__builtin_clzll(starts[i]);
    if (!i) break;
  }
  if (!why && (last == UINT32_MAX || info[c->code[last]].ctl == CTL_NEXT ||
               info[c->code[last]].ctl == CTL_COND))
    why = "code that runs off its end";
  if (!why) {
    why = wm__acc_verify(c, starts, lead);
    *by_flow = why != NULL;
  }
  if (!why) {
    why = flow_check(c, mod, t, lead);
    *by_flow = why != NULL;
  }
  if (!why && install) {
    const int32_t *offs;
    const char *base = wm__op_heads(mod->loop, &offs);
    for (uint32_t i = 0; i <= (c->ncode - 1) >> 6; i++) {
      for (uint64_t m = starts[i]; m; m &= m - 1) {
        uint32_t at = i * 64 + (uint32_t)__builtin_ctzll(m), op = c->code[at];
        uint64_t head = head_of(op, base, offs);
        c->code[at] = (uint32_t)head;
        c->code[at + 1] = (uint32_t)(head >> 32);
        if (op == WM_OP_CALL || op == WM_OP_I32_ADD_K_CALL) { /* the call's cache: empty */
          uint32_t k = at + WM_HEAD_CELLS + (op == WM_OP_CALL ? 2 : 5);
          c->code[k] = c->code[k + 1] = c->code[k + 2] = 0;
        }
      }
    }
  }
  free(maps);
  return why;
}

const char *wm__code_trust(wm_code *c, const wm_module *mod, uint32_t idx, bool install) {
  bool by_flow;
  return trust(c, mod, idx, install, &by_flow);
}

const char *wm__code_trust_self(wm_code *c, const wm_module *mod, uint32_t idx) {
  const opinfo *info = op_info();
  unsigned loop = mod->loop;
  if (loop != WM_LOOP_PLAIN || c->nhandlers || !c->ncode) return NULL;
  /* Only code of ops on the allow-list (its shape wm__code_check has
  ** passed), whose heads become op numbers in place, not in a copy -- a
  ** 4 MB br_table is 16 MB of cells, and test_limits bounds what a load
  ** holds -- and are put back after. */
  for (uint32_t pc = 0; pc < c->ncode;) {
    wm_op op = op_of(c->code[pc] | (uint64_t)c->code[pc + 1] << 32, loop);
    if ((unsigned)op >= WM_OP_COUNT_ || info[op].trust == T_NO) return NULL;
    pc += insn_cells(info, c->code, pc, op);
  }
  if (!wm__code_ops(c, loop, c->code)) return NULL; /* cannot fail: checked above */
  wm_code v = *c;
  bool by_flow = false;
  const char *why = trust(&v, mod, idx, false, &by_flow);
  const int32_t *offs;
  const char *base = wm__op_heads(loop, &offs);
  for (uint32_t pc = 0; pc < c->ncode;) {
    uint32_t op = c->code[pc];
    uint64_t head = head_of(op, base, offs);
    c->code[pc] = (uint32_t)head;
    c->code[pc + 1] = (uint32_t)(head >> 32);
    pc += insn_cells(info, c->code, pc, op);
  }
  return by_flow ? why : NULL;
}

bool wm__code_ops(const wm_code *c, unsigned loop, uint32_t *out) {
  if (loop >= NLOOPS) return false;
  const opinfo *info = op_info();
  uint32_t pc = 0;
  if (out != c->code) memcpy(out, c->code, (size_t)c->ncode * sizeof *out);
  while (pc < c->ncode) {
    if (c->ncode - pc < WM_HEAD_CELLS) return false;
    wm_op op = op_of(c->code[pc] | (uint64_t)c->code[pc + 1] << 32, loop);
    if ((unsigned)op >= WM_OP_COUNT_) return false;
    out[pc] = op;
    out[pc + 1] = 0;
    pc += WM_HEAD_CELLS;
    const opinfo *in = &info[op];
    if (in->cells == VARLEN) { /* BR_TABLE, BR_TABLE_K: `a [imm] n off*(n+1)` */
      uint32_t k = op == WM_OP_BR_TABLE_K;
      if (c->ncode - pc < 2 + k || c->code[pc + 1 + k] >= c->ncode - pc - 2 - k) return false;
      pc += 2 + k + c->code[pc + 1 + k] + 1;
      continue;
    }
    if (c->ncode - pc < in->cells) return false;
    for (uint32_t m = in->cache; m; m &= m - 1) out[pc + __builtin_ctz(m)] = 0; /* an address */
    pc += in->cells;
    /* STRUCT_NEW and ARRAY_NEW_FIXED have more cells; no cached code holds
    ** them (refused above), so such a function is not written. */
    if (in->tail) return false;
  }
  return true;
}
