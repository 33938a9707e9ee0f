/* SPDX-License-Identifier: MIT */
/*
** compile.h -- private to the function compiler (compile.c, compile_ops.c):
** the compile-time state of one function body and the helpers the two files
** share. Nothing outside the compiler includes it.
*/
#ifndef WM_COMPILE_H
#define WM_COMPILE_H

#include "module.h"
#include "ops.h"

/*
** Slot references. While a body is being compiled the number of constants is
** not known, so operand cells that name a constant or an operand-stack slot
** hold a tagged reference; every such cell is recorded in `fix` and
** rewritten into a real slot index when the body is done:
**   ref < REF_STACK          a local (params included): its slot
**   REF_STACK | s            operand-stack slot s (from the stack's base)
**   REF_CONST | i            constant number i (slot nlslots + i)
** A v128 takes two consecutive slots (a local, a constant pair or stack
** slots) and is named by the first, so `ref + 1` names its upper half
** whatever the tag. Operand position h (the h-th value from the bottom of
** the operand stack) lives in stack slot hs[h]: positions and slots differ
** once a v128 is below.
*/
#define REF_CONST 0x80000000u
#define REF_STACK 0x40000000u
#define REF_MASK 0x3FFFFFFFu
#define MAX_INDEX 0x0FFFFFFFu /* cap on locals, constants and stack height */
#define NOPOS UINT32_MAX
/* Distinct typed-reference block types one body may use (as the body
** validator, validate_code.c). */
#define WM_KEPT_TYPES 256

#define IS_LOCAL(ref) ((ref) < REF_STACK)

/* Slots a value of type t takes: two for a v128, else one (also for the
** Unknown type of a polymorphic stack, whose code emits nothing). */
static inline uint32_t type_slots(uint32_t t) { return t == WM_V128 ? 2 : 1; }

/* A virtual operand: its type (0 = Unknown, from a polymorphic stack) and
** where its value lives. Invariant: a REF_STACK operand is always in the
** slot of its own height, so writing a stack slot only ever overwrites the
** operand that is being replaced. */
typedef struct vop {
  uint32_t type;
  uint32_t ref;
} vop;

/* K_TRY is a try_table: a block whose else_instr holds the index of its
** first handler (cstate.hdl), NOPOS when it has none (compile_exc.c). */
enum { K_FUNC, K_BLOCK, K_LOOP, K_IF, K_ELSE, K_TRY };

/* A control frame (the spec's ctrl_frame) plus what lowering needs. */
typedef struct ctl {
  uint8_t kind;
  bool unreachable;    /* the spec's flag: the rest of the frame is dead */
  bool dead_entry;     /* entered in dead code: emit nothing for it at all */
  bool bt_in_place;    /* br_table, see below */
  uint32_t np, nr;
  uint32_t height;     /* operand stack height at entry, params excluded */
  const wm_valtype *p, *r;
  uint32_t start;      /* loop: cell index of its first instruction */
  uint32_t patches;    /* head of the list of forward branches to patch */
  uint32_t else_cell;  /* if: offset cell of the branch to the else arm */
  uint32_t else_instr; /*     and the start of that instruction */
  /* While one br_table is lowered (valid when bt_epoch is the cstate's):
  ** whether the operands are already where this label wants them
  ** (bt_in_place); if not, the cell of this label's stub or NOPOS; if so,
  ** the last offset cell that branches here (a chain through the cells,
  ** see resolve_patches) or NOPOS. Packed so that deep nesting costs no
  ** more than before (56 bytes a block). */
  uint32_t bt_epoch;
  union {
    uint32_t stub;
    uint32_t bt_last;
  };
  uint32_t inits;      /* local initialisations logged at entry (compile_ref.c) */
} ctl;

/* What a branch to L carries: a loop its parameters, else its results. */
static inline uint32_t label_n(const ctl *L) { return L->kind == K_LOOP ? L->np : L->nr; }
static inline const wm_valtype *label_t(const ctl *L) { return L->kind == K_LOOP ? L->p : L->r; }

typedef struct patch {
  uint32_t cell, instr, next;
} patch;

/* Around a table indexed by wasm opcode and initialised from the ops.h
** X-macro list: the lowered ops that implement no wasm opcode one-to-one
** all land on one spare entry, overriding each other on purpose. */
#if defined(__clang__)
#define WM_OVERRIDE_INIT_BEGIN                                                \
  _Pragma("clang diagnostic push")                                            \
  _Pragma("clang diagnostic ignored \"-Winitializer-overrides\"")
#define WM_OVERRIDE_INIT_END _Pragma("clang diagnostic pop")
#elif defined(__GNUC__)
#define WM_OVERRIDE_INIT_BEGIN                                                \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Woverride-init\"")
#define WM_OVERRIDE_INIT_END _Pragma("GCC diagnostic pop")
#else
#define WM_OVERRIDE_INIT_BEGIN
#define WM_OVERRIDE_INIT_END
#endif

typedef struct cstate {
  wm_module *mod;
  wm_error *err;
  const char *head_base;   /* the module's loop's heads (wm__op_heads), */
  const int32_t *head_offs; /* taken once per body for wm__c_head */
  const uint8_t *bytes;    /* the body's bytes: bytes[0] is at offset base */
  uint32_t base;
  uint32_t pos, end;       /* offsets in the module (so in errors), pos >= base */
  uint32_t instr_off;      /* offset of the instruction being compiled */

  const wm_type *ftype;
  uint32_t nlocals;        /* params included */
  wm_valtype *ltypes;      /* nlocals types */
  uint32_t *lslot;         /* per local: its slot; lslot[nlocals] = nlslots */
  uint32_t nlslots;        /* slots of all locals (params included) */
  uint32_t *lrefs;         /* per local slot: operands on the stack naming it */
  uint32_t nlrefs;         /* total of lrefs */
  /* Capacities of the per-body arrays above, kept between lowerings with
  ** the rest of the scratch (compile.c), and of two more: the declared
  ** locals' type codes and the fix-up's map of constants. */
  uint32_t cap_ltypes, cap_lslot, cap_lrefs;
  uint32_t *decl, *kmap; uint32_t cap_decl, cap_kmap;
  /* A sparse module's body is read into this buffer (wm__body_bytes). */
  uint8_t *body_buf; uint32_t cap_body;

  /* The operand stack; hs[h] is the stack slot of position h (valid for
  ** every position pushed so far: popping keeps it), maxh the most stack
  ** slots in use. */
  vop *vals; uint32_t nvals, cap_vals, maxh;
  uint32_t *hs; uint32_t cap_hs;
  ctl *ctls; uint32_t nctls, cap_ctls;
  vop *tmp; uint32_t cap_tmp;         /* operands popped by pop_n */
  uint32_t bt_epoch;       /* br_tables lowered so far (see ctl) */
  bool dead;               /* emit nothing: current code is unreachable */
  bool mem_open;           /* a MEMORY_SELECT of memory > 0 awaits its close */
  bool mem64;              /* the last memarg read was of a 64-bit memory, */
  uint64_t off64;          /* ... whose offset this is (see wm__c_addr64) */

  uint32_t *code; uint32_t ncode, cap_code;
  /* Cells free to emit without a check: ncode may grow to `room`, the
  ** lesser of cap_code and `lim`, the most cells the module's code limit
  ** allows as it stood when wm__c_reserve last looked, less 2 for each
  ** constant or trap location (8 bytes) added since (wm__c_charge). */
  uint32_t room, lim;
  /* Per lowered op, once known: can it trap (its cell goes in the trap
  ** map)? TRAPS_NO, TRAPS_YES, or 0 when not known yet (compile.c). */
  _Atomic uint8_t *traps;
  uint32_t *fix; uint32_t nfix, cap_fix;
  uint32_t *pc_cell, *pc_off; uint32_t npc, cap_pc, cap_pc2;
  patch *patches; uint32_t npatches, cap_patches;
  uint64_t *consts; uint32_t nconsts, cap_consts;
  uint8_t *kpair; uint32_t cap_kpair; /* per constant: first half of a v128 */
  /* const index + 1; 0 = empty: chash_cap entries in use of cap_chash */
  uint32_t *chash; uint32_t chash_cap, cap_chash;

  /* Pending moves, emitted pairwise as MOVE2. */
  uint32_t *mv; uint32_t nmv, cap_mv;

  /* The last emitted instruction: its first cell, op, and the length of fix
  ** before it (for rewriting a compare into a compare-and-branch). */
  uint32_t last_start, last_fix;
  wm_op last_op;
  /* The same for the instruction before it, so that a fusion that takes
  ** the last one back can fuse with the one before. */
  uint32_t last2_start;
  wm_op last2_op;
  /* And the one before that (a select's bit test and xor taken back leave
  ** a CRC's shift-xor the last again). */
  uint32_t last3_start;
  wm_op last3_op;
  /* Where the last float BINLD multiply was emitted (NOPOS: none yet), and
  ** the instruction just before it then: a MUL_ADD_RMW that takes the
  ** multiply back may take that one, an i32 add, too (emit_mul_add_rmw). */
  uint32_t mul_start, pre_mul_start;
  wm_op pre_mul_op;
  /* Cell of the destination of the last instruction when it produced a
  ** plain single result on top of the stack, valid only while compiling the
  ** very next wasm instruction (then NOPOS). */
  uint32_t last_res;
  /* last_res as it stood when the current wasm instruction began (the
  ** producer of its operand, if any): what fusions check against. */
  uint32_t prev_res;
  /* Still in the function's opening run of `const; local.set` pairs, where
  ** every declared local still holds the zero function entry gave it. */
  bool at_entry;
  /* No local.set or local.tee has written a local yet, and no loop has
  ** begun: control so far only flowed forward from entry, so every
  ** declared local still holds entry's zero, on every path here. */
  bool locals_zero;
  /* The cell where a branch target was last bound (a loop's start, the
  ** end of a block some branch leaves, an else arm, a br_table stub). An
  ** instruction may be fused with the one before it only when no label
  ** lies between them: wm__c_fusable() in compile.c. */
  uint32_t label_cell;
  /* Start of the MOVE that the last local.set emitted, while only local.gets
  ** (which emit nothing and bind no label) have followed it; else NOPOS. */
  uint32_t last_move;
  /* Metered code (WM_MODULE_METERED): the cost cell of the FUEL that
  ** starts the current basic block (NOPOS before the first), and whether a
  ** new block starts at the next instruction that costs fuel (a label was
  ** bound or a conditional branch emitted since). */
  uint32_t fuel_cell;
  bool fuel_new;
  /* The growable arrays' storage, kept between lowerings (compile.c). */
  struct scratch *scr;
  /* Exception handlers made so far (compile_exc.c): own allocation, given
  ** to the lowered code; dest holds a tagged slot reference until the
  ** fix-up. */
  wm_handler *hdl; uint32_t nhdl, cap_hdl;
  /* Typed references (compile_ref.c): per local whether it is set, the
  ** log of non-defaultable locals set since their block began, and the
  ** typed-reference block types of this body (see wm__c_keep_type). */
  uint8_t *linit; uint32_t cap_linit;
  uint32_t *ilog; uint32_t nilog, cap_ilog;
  wm_valtype kept[WM_KEPT_TYPES]; uint32_t nkept;
} cstate;

/* compile.c */
int wm__c_invalid(cstate *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int wm__c_malformed(cstate *c, const char *msg);
/* The body's bytes ran out ("unexpected end of section or function"). */
int wm__c_unexpected_end(cstate *c);
/* A signed LEB128 of the given width; n little-endian bytes (constants). */
int wm__c_rd_sleb_slow(cstate *c, unsigned bits, int64_t *out);
static inline int wm__c_rd_sleb(cstate *c, unsigned bits, int64_t *out) {
  if (WM_LIKELY(c->pos < c->end)) {
    uint8_t b = c->bytes[c->pos - c->base];
    if (WM_LIKELY(b < 0x80)) { /* one byte: seven bits, sign-extended */
      c->pos++;
      *out = b & 0x40 ? (int64_t)b - 0x80 : (int64_t)b;
      return 0;
    }
  }
  return wm__c_rd_sleb_slow(c, bits, out);
}
int wm__c_rd_fixed(cstate *c, unsigned n, uint64_t *out);
/* Out of memory at the current instruction. */
static inline int wm__c_nomem(cstate *c) {
  return wm__error(c->err, WM_ENOMEM, c->instr_off, NULL);
}

/* Return the first nonzero code (an error already filled in). */
#define TRY(x)                                                                 \
  do {                                                                         \
    int rc_ = (x);                                                             \
    if (rc_) return rc_;                                                       \
  } while (0)
int wm__c_rd_u8(cstate *c, uint8_t *out);
/* Most LEB128s in a body are one byte: that case inline, the rest (and
** every error) in the out-of-line readers. */
int wm__c_rd_u32_slow(cstate *c, uint32_t *out);
static inline int wm__c_rd_u32(cstate *c, uint32_t *out) {
  if (WM_LIKELY(c->pos < c->end)) {
    uint8_t b = c->bytes[c->pos - c->base];
    if (WM_LIKELY(b < 0x80)) {
      c->pos++;
      *out = b;
      return 0;
    }
  }
  return wm__c_rd_u32_slow(c, out);
}
/* A memory instruction's memarg: flags (log2 of the alignment; in
** WebAssembly 3.0 bit 6 says a memory index follows), the memory index,
** the offset. The alignment must not exceed `natural` (must equal it when
** `exact`: atomics). For a memory other than 0 it emits MEMORY_SELECT, so
** the instruction emitted next runs on that memory (see wm__c_use_memory). */
int wm__c_memarg(cstate *c, uint32_t natural, bool exact, uint32_t *offset);
/* memory.size/grow/fill/init/copy's memory: a memory index (WebAssembly
** 2.0: a reserved zero byte), checked, and with `select` made the current
** memory as by wm__c_use_memory. */
int wm__c_memidx(cstate *c, bool select, uint32_t *mem);
/* memory64 and table64 (WebAssembly 3.0). The type of an address after
** wm__c_memarg (i64 for a 64-bit memory); wm__c_addr64, once every operand
** is popped (the address deepest, at position c->nvals), emits ADDR64 of
** the address a and the memarg's offset into a's own slot, which a then
** names: the plain access follows with offset 0 (the offset wm__c_memarg
** gave). wm__c_index64: INDEX64 of the operand v popped from position
** pos, into its own slot. Both emit nothing in dead code. */
static inline uint8_t wm__c_addr_t(const cstate *c) { return c->mem64 ? WM_I64 : WM_I32; }
int wm__c_addr64(cstate *c, vop *a);
int wm__c_index64(cstate *c, vop *v, uint32_t pos);
static inline uint8_t wm__c_table_t(const cstate *c, uint32_t t) {
  return c->mod->tables[t].lim.is64 ? WM_I64 : WM_I32;
}
static inline uint8_t wm__c_mem_t(const cstate *c, uint32_t m) {
  return c->mod->mems[m].is64 ? WM_I64 : WM_I32;
}
/* Skip a memarg (its encoding errors only), for wm__skim_body. */
int wm__c_skip_memarg(cstate *c);
/* Memory mem must exist. Instructions work on memory 0 (cached in the
** loop's locals); for another, MEMORY_SELECT mem is emitted before the
** instruction and MEMORY_SELECT 0 after it (compile_body closes it), so
** nothing can fuse across the pair. Nothing is emitted in dead code. */
int wm__c_use_memory(cstate *c, uint32_t mem);
/* The operand stack's push and pop, the emission of an instruction's head
** and of its operand cells: called for nearly every byte of a body, so
** inline, their rare cases (growing an array, a limit, an error, a
** polymorphic stack) out of line in compile.c. */
int wm__c_push_slow(cstate *c, uint32_t type, uint32_t ref);
int wm__c_pop_slow(cstate *c, uint32_t expect, vop *out);
int wm__c_reserve(cstate *c, uint32_t n);
int wm__c_head_slow(cstate *c, wm_op op);
int wm__c_fix_slow(cstate *c);

/* A constant or a trap location was added: 8 bytes more of the limit. */
static inline void wm__c_charge(cstate *c) {
  c->lim = c->lim >= 2 ? c->lim - 2 : 0;
  if (c->room > c->lim) c->room = c->lim;
}

static inline int wm__c_push(cstate *c, uint32_t type, uint32_t ref) {
  uint32_t n = c->nvals;
  if (WM_UNLIKELY(n + 2 > c->cap_hs || n + 1 > c->cap_vals || n >= MAX_INDEX))
    return wm__c_push_slow(c, type, ref);
  uint32_t top = c->hs[n] + type_slots(type);
  if (WM_UNLIKELY(top >= MAX_INDEX)) return wm__c_push_slow(c, type, ref);
  c->hs[n + 1] = top;
  c->vals[n] = (vop){type, ref};
  c->nvals = n + 1;
  if (IS_LOCAL(ref)) {
    c->lrefs[ref]++;
    c->nlrefs++;
  }
  if (top > c->maxh) c->maxh = top;
  return 0;
}

/* The spec's pop_val, with expect 0 meaning any type. An operand popped off
** a polymorphic stack has type 0 (Unknown). */
static inline int wm__c_pop(cstate *c, uint32_t expect, vop *out) {
  if (WM_UNLIKELY(c->nvals == c->ctls[c->nctls - 1].height)) return wm__c_pop_slow(c, expect, out);
  vop v = c->vals[c->nvals - 1];
  if (WM_UNLIKELY(expect && v.type != expect)) return wm__c_pop_slow(c, expect, out);
  c->nvals--;
  if (IS_LOCAL(v.ref)) {
    c->lrefs[v.ref]--;
    c->nlrefs--;
  }
  *out = v;
  return 0;
}

/* Write the head of op (its handler's address, or op itself in the switch
** build) and make it the last instruction emitted. */
static inline void wm__c_put_head(cstate *c, wm_op op) {
  uint64_t h = c->head_offs ? (uint64_t)(uintptr_t)(c->head_base + c->head_offs[op]) : (uint64_t)op;
  c->last3_start = c->last2_start;
  c->last3_op = c->last2_op;
  c->last2_start = c->last_start;
  c->last2_op = c->last_op;
  c->last_start = c->ncode;
  c->last_op = op;
  c->last_fix = c->nfix;
  c->code[c->ncode++] = (uint32_t)h;
  c->code[c->ncode++] = (uint32_t)(h >> 32);
}

/* Start an instruction. Callers check c->dead first: dead code emits
** nothing. Room for the head and 8 cells is checked at once; an op that
** can trap gets its cell recorded in the trap map. */
enum { TRAPS_NO = 1, TRAPS_YES = 2 };
static inline int wm__c_head(cstate *c, wm_op op) {
  if (WM_UNLIKELY((uint64_t)c->ncode + WM_HEAD_CELLS + 8 > c->room) ||
      atomic_load_explicit(&c->traps[op], memory_order_relaxed) != TRAPS_NO)
    return wm__c_head_slow(c, op);
  wm__c_put_head(c, op);
  return 0;
}

static inline int wm__c_cell(cstate *c, uint32_t v) {
  if (WM_UNLIKELY(c->ncode >= c->room)) TRY(wm__c_reserve(c, 1));
  c->code[c->ncode++] = v;
  return 0;
}

static inline int wm__c_slot(cstate *c, uint32_t ref) {
  if (!IS_LOCAL(ref)) {
    if (WM_UNLIKELY(c->nfix >= c->cap_fix)) TRY(wm__c_fix_slow(c));
    c->fix[c->nfix++] = c->ncode;
  }
  return wm__c_cell(c, ref);
}
int wm__c_move(cstate *c, uint32_t d, uint32_t a, uint32_t type);
int wm__c_flush_moves(cstate *c);
int wm__c_const_v128(cstate *c, uint64_t lo, uint64_t hi, uint32_t *ref);
/* Is the last instruction emitted a `prev` of `len` cells that ends right
** here, with no label in between? */
bool wm__c_fusable(const cstate *c, wm_op prev, uint32_t len);
void wm__c_rehead(cstate *c, wm_op op);
/* Take back the last instruction emitted, to re-emit it fused with the one
** being compiled (compile_ops.c). Returns the body offset its trap would
** report (NOPOS if it cannot trap). */
uint32_t wm__c_retract(cstate *c);
/* Record cell as a trap location at the current wasm instruction's offset. */
int wm__c_trap_site(cstate *c, uint32_t cell);

/* The reference of the operand-stack slot of position h. */
static inline uint32_t own_ref(const cstate *c, uint32_t h) { return REF_STACK | c->hs[h]; }

/* Is ref a constant, and which bits does it hold? */
static inline bool wm__c_const(const cstate *c, uint32_t ref, uint64_t *bits) {
  if (!(ref & REF_CONST)) return false;
  *bits = c->consts[ref & REF_MASK];
  return true;
}

/* compile_ops.c: numeric, memory, table, reference and variable
** instructions. Return 0, an error, or 1 when `op` is not one of them.
** *last_res receives the cell of the destination operand when the
** instruction produced one plain result (see cstate.last_res). */
int wm__c_simple_op(cstate *c, uint8_t op, uint32_t *last_res);
int wm__c_fc_op(cstate *c, uint32_t sub, uint32_t *last_res);
/* compile_ops.c: emit the destination cell of a one-result instruction
** (its operand-stack slot) and push the result; emit `op d v[0..n)`. */
int wm__c_dest(cstate *c, uint32_t type, uint32_t *res);
/* compile_ops.c: when the address operand `ref` (just popped) is what the
** last instruction, `I32_ADD_K ref base imm` (or, unless imm_only,
** `I32_ADD ref base x`), computed, take that instruction back and give its
** operands: the access does the add itself. */
bool wm__c_take_address_add(cstate *c, uint32_t ref, bool imm_only, uint32_t *base,
                            uint32_t *disp);
int wm__c_emit_res(cstate *c, wm_op op, uint32_t type, const vop *v, int n, uint32_t *res);

/* compile.c, for compile_exc.c: the static helpers of the same names. */
int wm__c_rd_blocktype(cstate *c, ctl *f);
int wm__c_pop_n(cstate *c, uint32_t n, const wm_valtype *types);
int wm__c_push_res(cstate *c, uint32_t type);
int wm__c_enter_params(cstate *c, const ctl *bt);
int wm__c_push_ctl(cstate *c, uint8_t kind, const ctl *bt);
int wm__c_jump_to(cstate *c, ctl *L, uint32_t n);
int wm__c_rd_label(cstate *c, ctl **L);
void wm__c_set_unreachable(cstate *c);
/* Emit `BR 0` and give the cell of its offset (set later by wm__c_land). */
int wm__c_br_fwd(cstate *c, uint32_t *cell, uint32_t *instr);
/* Point the offset cell of the branch at instr to here. */
void wm__c_land(cstate *c, uint32_t cell, uint32_t instr);

/* compile_exc.c: exception handling (WebAssembly 3.0): try_table, throw,
** throw_ref (0x1F, 0x08, 0x0A), and what they need of the rest: the end of
** a try_table (its handlers' ranges end there), a return_call inside one
** (WM_CATCH_SKIP), and the handler table's fix-up into *out. */
int wm__c_exc_op(cstate *c, uint8_t op);
void wm__c_try_end(cstate *c, const ctl *f);
int wm__c_tail_skip(cstate *c, uint32_t instr);
void wm__c_handlers_done(cstate *c, uint32_t stack_base, wm_code *out);
/* The types a catch clause of kind k gives its label, as in the body
** validator: 0 or the error. */
int wm__c_catch_ok(cstate *c, uint32_t k, uint32_t tag, const ctl *L);

/* compile_ref.c: typed function references. A value type or heap type of
** a body, its type index checked; keep a block's one typed-reference
** result type in c->kept; ref.as_non_null, br_on_null, br_on_non_null
** (0xD4..0xD6); the locals' initialisation (set up for a body, logged at
** local.set/tee, undone at the end of a block's arm). */
int wm__c_rd_type(cstate *c, bool heap, uint32_t *t);
int wm__c_keep_type(cstate *c, uint32_t t, const wm_valtype **out);
int wm__c_ref_op(cstate *c, uint8_t op);
int wm__c_init_locals(cstate *c);
int wm__c_set_init(cstate *c, uint32_t x);
void wm__c_reset_inits(cstate *c, const ctl *f);
/* compile.c, for compile_ref.c: call_ref and return_call_ref (0x14, 0x15);
** a conditional branch to L on `cond` by op `on` (when it need not move
** operands) or around moves and a BR by `off`, L's n operands on top. */
int wm__c_call_ref(cstate *c, bool tail);
int wm__c_cond_branch(cstate *c, ctl *L, uint32_t n, wm_op on, wm_op off, uint32_t cond,
                      uint32_t extra);

/* compile_simd.c: the 0xFD instruction `sub` (as wm__c_fc_op), and its
** encoding alone for wm__skim_body. */
int wm__c_simd_op(cstate *c, uint32_t sub, uint32_t *last_res);
/* compile_gc.c: an instruction of GC (sub: the 0xFB sub-opcode, or
** WM_GC_REF_EQ for 0xD3); 1 when sub is none. */
int wm__c_gc_op(cstate *c, uint32_t sub, uint32_t *last_res);
int wm__c_skim_gc(cstate *c, uint32_t sub);
int wm__c_skim_simd(cstate *c);
/* compile_atomic.c: the same for the 0xFE (threads) instructions. */
int wm__c_atomic_op(cstate *c, uint32_t sub, uint32_t *last_res);
int wm__c_skim_atomic(cstate *c);

#endif
