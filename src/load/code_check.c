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
** allow-list, and the immediates that index the module's entities are
** checked against the module.
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
  /* Code a cache file offers (wm__code_trust): heads are op numbers, and
  ** every instruction must pass the allow-list against this module. */
  const wm_module *mod;
} walk;

static const char *trusted(const walk *w, wm_op op, uint32_t at);

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
    wm_op op = w->mod ? (c->code[pc + 1] == 0 && c->code[pc] < WM_OP_COUNT_ ? (wm_op)c->code[pc]
                                                                            : WM_OP_COUNT_)
                      : op_of(c->code[pc] | (uint64_t)c->code[pc + 1] << 32, loop);
    if ((unsigned)op >= WM_OP_COUNT_) return "unknown instruction";
    uint32_t at = pc;
    w->starts[at >> 3] |= (uint8_t)(1u << (at & 7));
    pc += WM_HEAD_CELLS;
    const char *l = wm__op_layout(op);
    const char *why = l ? operands(w, op, l, at, &pc)
                      : op == WM_OP_BR_TABLE || op == WM_OP_BR_TABLE_K
                          ? br_table(w, op == WM_OP_BR_TABLE_K, at, &pc)
                          : "instruction without a known layout";
    if (!why && w->mod && !w->targets) why = trusted(w, op, at);
    if (why) return why;
  }
  return NULL;
}

static const char *check(const wm_code *c, unsigned loop, uint8_t *starts, const wm_module *mod) {
  if (c->nlocal_slots < c->nparam_slots) return "fewer locals than parameters";
  if ((uint64_t)c->nlocal_slots + c->nconsts > c->frame_slots ||
      c->nresult_slots > c->frame_slots)
    return "frame smaller than its locals, constants or results";
  if (c->nconsts && !c->consts) return "constants missing";
  walk w = {c, starts, false, mod};
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
  const char *why = check(c, loop, starts, NULL);
  free(starts);
  return why;
}

/* ------------------------------------------ lowered code from a cache file */

/*
** A code cache file may hold lowered code (cache.c), and anyone who can
** write the cache directory can forge it. Such code is installed only if
** it cannot break memory safety whatever its values: its shape passes the
** checks above, and every instruction is one the allow-list below admits.
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
*/
enum { T_NO, T_PURE, T_MEM, T_CALL, T_ADD_CALL, T_CALL_IMPORT, T_CALL_INDIRECT, T_GLOBAL_GET,
       T_GLOBAL_SET, T_DATA, T_MEMORY_INIT };

static uint8_t trust[WM_OP_COUNT_];
static pthread_once_t trust_once = PTHREAD_ONCE_INIT;

static const uint8_t class_of[] = {
#define X_(name, cls, wasm) C_##cls,
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

static void classify(void) {
  for (uint32_t op = 0; op < WM_OP_COUNT_; op++) {
    switch (class_of[op]) {
      /* The numeric macros UN, UN_TRAP, BIN, BIN_TRAP, BINK, CMPBR, CMPBRK,
      ** KOPBR, BINSH, SELCMP, SELCMPK: slots, immediates, branches. */
      case C_UN: case C_BIN: case C_BINK: case C_CMPBR: case C_CMPBRK: case C_ADDBR:
      case C_BINSH: case C_SELCMP: case C_SELCMPK:
        trust[op] = T_PURE;
        break;
      /* LOAD, STORE, LOADK, STOREK, LOADX, STOREX, BINLD, BINRMW: one
      ** mem_access each. */
      case C_LOAD: case C_STORE: case C_LOADK: case C_STOREK: case C_LOADX: case C_STOREX:
      case C_BINLD: case C_BINRMW:
        trust[op] = T_MEM;
        break;
      default: trust[op] = T_NO; break;
    }
  }
  trust[WM_OP_REF_IS_NULL] = T_NO; /* class UN, but a reference operation */
  static const wm_op pure[] = {
      WM_OP_UNREACHABLE, WM_OP_BR, WM_OP_BR_IF, WM_OP_BR_IF_NOT, WM_OP_BR_TABLE,
      WM_OP_BR_TABLE_K, WM_OP_RETURN, WM_OP_MOVE, WM_OP_MOVE2, WM_OP_MOVE4, WM_OP_CONST32,
      WM_OP_CONST64, WM_OP_SELECT, WM_OP_MOVE_BR, WM_OP_MOVE_BR_IF, WM_OP_MOVE_BR_IF_NOT,
      WM_OP_I32_MUL_ADD, WM_OP_I32_MUL_K_ADD, WM_OP_I32_ADD_K_AND_K, WM_OP_I32_MUL_K_ADD_K,
      WM_OP_I32_DIV_S_K, WM_OP_I32_DIV_U_K, WM_OP_I32_REM_S_K, WM_OP_I32_REM_U_K,
      WM_OP_SELECT_AND_K, WM_OP_I32_SHR_U_XOR_K, WM_OP_SELECT_XOR_AND_K,
      WM_OP_I32_SHR_U_XOR_K_SELECT, WM_OP_I32_SIGMA_K, WM_OP_I32_ANDN, WM_OP_I32_MAJ,
      WM_OP_I32_SHR_U_AND_K};
  for (size_t i = 0; i < sizeof pure / sizeof pure[0]; i++) trust[pure[i]] = T_PURE;
  /* ADDBRS: an add, then a compare of two slots and a branch. */
  for (uint32_t op = WM_OP_I32_ADD_K_BR_EQ; op <= WM_OP_I32_ADD_K_BR_GE_U; op++) trust[op] = T_PURE;
  for (uint32_t op = WM_OP_I32_ADD_BR_EQ; op <= WM_OP_I32_ADD_BR_GE_U; op++) trust[op] = T_PURE;
  /* LOADBR, MOVE_LOAD_I32, MOVE_LOAD_STORE_I32 (the store through the
  ** pointer the load's mem_access gave), MOVELOADK, LOADCMPBR, MULADDRMW
  ** (a mem_access per access), I32_MUL_LD_ADD, I32_LOAD_SHL_K; memory.size,
  ** memory.grow (wm__memory_grow), memory.copy and memory.fill
  ** (wm__in_range against memsize). */
  static const wm_op mem[] = {
      WM_OP_I32_LOAD_BR_IF, WM_OP_I32_LOAD_BR_IF_NOT, WM_OP_I32_LOAD8_U_BR_IF,
      WM_OP_I32_LOAD8_U_BR_IF_NOT, WM_OP_MOVE_I32_LOAD, WM_OP_MOVE_I32_LOAD_K,
      WM_OP_MOVE_I32_LOAD8_U_K, WM_OP_MOVE_I32_LOAD_STORE, WM_OP_MOVE_I32_LOAD_STORE_MOVE_BR_IF,
      WM_OP_I32_LOAD_BR_EQ, WM_OP_I32_LOAD_BR_NE, WM_OP_F32_MUL_ADD_RMW, WM_OP_F64_MUL_ADD_RMW,
      WM_OP_F32_ADD_MUL_ADD_RMW, WM_OP_F64_ADD_MUL_ADD_RMW, WM_OP_F32_ADDK_MUL_ADD_RMW,
      WM_OP_F64_ADDK_MUL_ADD_RMW, WM_OP_I32_MUL_LD_ADD, WM_OP_I32_LOAD_SHL_K, WM_OP_MEMORY_SIZE,
      WM_OP_MEMORY_GROW, WM_OP_MEMORY_COPY, WM_OP_MEMORY_FILL};
  for (size_t i = 0; i < sizeof mem / sizeof mem[0]; i++) trust[mem[i]] = T_MEM;
  trust[WM_OP_CALL] = T_CALL;
  trust[WM_OP_I32_ADD_K_CALL] = T_ADD_CALL;
  trust[WM_OP_CALL_IMPORT] = T_CALL_IMPORT;
  trust[WM_OP_CALL_INDIRECT] = T_CALL_INDIRECT;
  trust[WM_OP_GLOBAL_GET] = T_GLOBAL_GET;
  trust[WM_OP_GLOBAL_SET] = T_GLOBAL_SET;
  trust[WM_OP_DATA_DROP] = T_DATA;
  trust[WM_OP_MEMORY_INIT] = T_MEMORY_INIT;
  /* An accumulator form does what its op does, reading one operand from
  ** the register the instruction before it set: wm__acc_verify checks
  ** that it is right after that producer. */
  for (uint32_t op = WM_OP_ACC_FIRST_; op < WM_OP_COUNT_; op++) trust[op] = trust[wm__acc_base(op)];
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

static const char *trusted(const walk *w, wm_op op, uint32_t at) {
  const wm_module *mod = w->mod;
  const uint32_t *o = w->c->code + at + WM_HEAD_CELLS;
  switch (trust[op]) {
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
      return o[1] < mod->nglobals && numeric(mod->globals[o[1]].type.type) &&
                     mod->globals[o[1]].type.type != WM_V128
                 ? NULL
                 : "global.get of no numeric global";
    case T_GLOBAL_SET: /* gidx a */
      return o[0] < mod->nglobals && numeric(mod->globals[o[0]].type.type) &&
                     mod->globals[o[0]].type.type != WM_V128 && mod->globals[o[0]].type.mut
                 ? NULL
                 : "global.set of no mutable numeric global";
    case T_MEMORY_INIT:
      if (!mod->nmems) return "memory instruction without a memory";
      /* fall through */
    case T_DATA: return o[0] < mod->ndatas ? NULL : "data segment out of range";
    default: return "instruction not allowed in cached code";
  }
}

#define MAX_FRAME 0x0FFFFFFFu /* compile.h's MAX_INDEX: no frame is larger */

const char *wm__code_trust(wm_code *c, const wm_module *mod, uint32_t idx, bool install) {
  pthread_once(&trust_once, classify);
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
  uint8_t *starts = calloc((size_t)c->ncode / 8 + 1, 1);
  if (!starts) return "out of memory";
  const char *why = check(c, mod->loop, starts, mod);
  /* The last instruction must not go on to the next cell, which is not
  ** code: a conditional branch, a call (which returns to the next cell) or
  ** anything else would run off the end. */
  uint32_t last = c->ncode;
  while (!why && last > 0 && !at_start(starts, c->ncode, last - 1)) last--;
  if (!why) why = wm__acc_verify(c);
  if (!why) {
    uint32_t op = last ? c->code[last - 1] : WM_OP_COUNT_;
    if (op != WM_OP_RETURN && op != WM_OP_UNREACHABLE && op != WM_OP_BR &&
        op != WM_OP_BR_TABLE && op != WM_OP_BR_TABLE_K && op != WM_OP_MOVE_BR)
      why = "code that runs off its end";
  }
  if (!why && install) {
    const int32_t *offs;
    const char *base = wm__op_heads(mod->loop, &offs);
    for (uint32_t at = 0; at < c->ncode; at++) {
      if (!at_start(starts, c->ncode, at)) continue;
      uint32_t op = c->code[at];
      uint64_t head = offs ? (uint64_t)(uintptr_t)(base + offs[op]) : op;
      c->code[at] = (uint32_t)head;
      c->code[at + 1] = (uint32_t)(head >> 32);
      if (op == WM_OP_CALL || op == WM_OP_I32_ADD_K_CALL) { /* the call's cache: empty */
        uint32_t k = at + WM_HEAD_CELLS + (op == WM_OP_CALL ? 2 : 5);
        c->code[k] = c->code[k + 1] = c->code[k + 2] = 0;
      }
    }
  }
  free(starts);
  return why;
}

bool wm__code_ops(const wm_code *c, unsigned loop, uint32_t *out) {
  if (loop >= NLOOPS) return false;
  uint32_t pc = 0;
  memcpy(out, c->code, (size_t)c->ncode * sizeof *out);
  while (pc < c->ncode) {
    if (c->ncode - pc < WM_HEAD_CELLS) return false;
    wm_op op = op_of(c->code[pc] | (uint64_t)c->code[pc + 1] << 32, loop);
    if ((unsigned)op >= WM_OP_COUNT_) return false;
    out[pc] = op;
    out[pc + 1] = 0;
    pc += WM_HEAD_CELLS;
    const char *l = wm__op_layout(op);
    if (!l) { /* BR_TABLE, BR_TABLE_K: `a [imm] n off*(n+1)` */
      if (op != WM_OP_BR_TABLE && op != WM_OP_BR_TABLE_K) return false;
      uint32_t k = op == WM_OP_BR_TABLE_K;
      if (c->ncode - pc < 2 + k || c->code[pc + 1 + k] >= c->ncode - pc - 2 - k) return false;
      pc += 2 + k + c->code[pc + 1 + k] + 1;
      continue;
    }
    for (; *l; l++) {
      uint32_t cells = *l == 'q' ? 2 : 1;
      if (c->ncode - pc < cells) return false;
      if (*l == 'c') out[pc] = 0; /* CALL's cache: an address */
      pc += cells;
    }
    /* STRUCT_NEW and ARRAY_NEW_FIXED have more cells; no cached code holds
    ** them (refused above), so such a function is not written. */
    if (op == WM_OP_STRUCT_NEW || op == WM_OP_ARRAY_NEW_FIXED) return false;
  }
  return true;
}
