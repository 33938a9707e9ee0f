/* SPDX-License-Identifier: MIT */
/*
** aot_c.c -- ahead-of-time compilation, first half: a validated module
** translated into one C file (wm_module_to_c), which the system's C
** compiler turns into a shared object that aot_rt.c loads and runs.
**
** One C function per wasm function, typed: i32 is uint32_t, i64 uint64_t,
** f32 float, f64 double, a reference void *. Locals are C locals `lN`; the
** operand stack is resolved here, at translation time: the value at depth
** d of type T is the C local `sdT` (s3i, s3l, s3f, s3d, s3r, s3v), so the C
** compiler sees plain data flow and allocates registers. Control is
** labels and gotos: a block's end, a loop's head, an if's else. A branch
** copies its values into the target's depths first. Code after an
** unconditional branch is skipped to the end of its block, as validation
** allows any stack there.
**
** Semantics are the interpreter's: the numeric functions are numeric.h's,
** copied into the file (aot_text.c, made by the build), memory accesses are
** bounds-checked against the memory's current size (its base never moves)
** or guarded, and everything that touches the runtime (imports, tables,
** growing memory, bulk operations, traps) goes through the helpers of
** wm_aot_ctx (aot_abi.h). What this version does not translate is refused
** at translation with "... not supported yet": threads and shared
** memories. GC's types (rec groups, subtypes, struct and array
** definitions) are translated: the runtime interns them and checks
** call_indirect's and call_ref's callees by subtyping as the interpreter
** does; so are GC's references (any's hierarchy: a void * as the
** interpreter's slot holds it) and its instructions (aot_gc.c), those
** that allocate through the runtime, whose collector reads compiled
** frames.
** Exceptions (tags, throw, throw_ref, try_table, exnref) are aot_exn.c's.
** Typed function references are translated: a (ref null?
** ht) of the func or extern hierarchy is a reference as funcref's and
** externref's, the checks validation made need no code, call_ref asks the
** runtime for its callee as call_indirect does. A table64's i64 indexes
** are clamped to 32 bits as the interpreter clamps them. Tail calls: a
** function's return_call of itself is a jump to its start; any other
** return_call* leaves the call pending in the context and returns, and
** the call sites that may see one (found by a first pass over the bodies)
** have the runtime perform it (aot_abi.h's tail_run): constant native
** stack for chains of any length.
** The memory instructions (several memories, memory64) are aot_mem.c's,
** which shares this file's function state and output (aot_emit.h); SIMD
** (v128 values as C locals of simd_lanes.h's union) is aot_simd.c's.
*/
#include <inttypes.h>
#include <stdlib.h>

#include "aot_emit.h"
#include "gc_sig.h"

/* The C types of the value classes (aot_emit.h), and their wm_aot_slot
** fields. */
static const char *const ctype[T_N] = {"uint32_t", "uint64_t", "float", "double", "void *", "wm_v128"};
static const char *const tfield[T_N] = {"u32", "u64", "f32", "f64", "ref", NULL};

/* A signature's name, for the typedefs of typed function pointers and the
** structs of several results: the index of the first type of the module
** with the same params and results, so equal signatures share a name. */
static bool same_sig(const wm_type *a, const wm_type *b) {
  if (a->kind != b->kind || a->nparams != b->nparams || a->nresults != b->nresults) return false;
  for (uint32_t i = 0; i < a->nparams; i++)
    if (a->params[i] != b->params[i]) return false;
  for (uint32_t i = 0; i < a->nresults; i++)
    if (a->results[i] != b->results[i]) return false;
  return true;
}
static uint32_t sig_index(const wm_module *mod, const wm_type *t) {
  uint32_t i = 0;
  while (i < mod->ntypes && !same_sig(&mod->types[i], t)) i++;
  return i;
}
static void sig_name(const wm_module *mod, const wm_type *t, char *out, size_t cap) {
  snprintf(out, cap, "%u", (unsigned)sig_index(mod, t));
}


/* What a part's bodies name of the others: a function's typed C function
** (REF_F), its slot entry (REF_E), and the tables (REF_TABLES, kept in the
** byte of function 0, whose own uses take the low bits). */
enum { REF_F = 1, REF_E = 2, REF_TABLES = 4 };


/* A value type (a local's, select's, a block's) or a heap type (heap) at
** pos, read past. */
static int rd_type(fstate *f, bool heap, uint32_t *vt) {
  const char *why = NULL;
  int rc = wm__read_bodytype(f->b, &f->pos, f->end, heap, f->mod, vt, &why);
  return rc ? fail(f, rc, "%s", why ? why : "unknown type") : 0;
}

/* A block type: its params and results (a type index's, or one result). */
static int blocktype(fstate *f, ctrl *c) {
  if (f->pos >= f->end) return fail(f, WM_EMALFORMED, "unexpected end");
  uint8_t x = f->b[f->pos];
  c->np = c->nr = 0;
  if (x == 0x40) {
    f->pos++;
    return 0;
  }
  if ((x & 0xC0) == 0x40) {
    uint32_t vt = x;
    if (x == 0x63 || x == 0x64) { /* (ref null? ht): a heap type follows */
      int rc = rd_type(f, false, &vt);
      if (rc) return rc;
    } else {
      f->pos++;
    }
    if (tclass(vt) < 0) return unsupported(f, tclass_why(vt));
    c->one = vt;
    c->results = NULL; /* see rtype */
    c->nr = 1;
    return 0;
  }
  int64_t idx;
  int rc = s64imm(f, &idx);
  if (rc) return rc;
  if (idx < 0 || (uint64_t)idx >= f->mod->ntypes)
    return fail(f, WM_EINVALID, "unknown type");
  const wm_type *t = &f->mod->types[idx];
  c->np = t->nparams;
  c->nr = t->nresults;
  c->params = t->params;
  c->results = t->results;
  return 0;
}

/* ------------------------------------------------------------ control */

static int push_ctrl(fstate *f, uint8_t kind, ctrl *c) {
  if (wm__grow((void **)&f->cs, &f->cap_cs, f->ncs + 1, sizeof *f->cs))
    return wm__error(f->err, WM_ENOMEM, UINT32_MAX, NULL);
  c->kind = kind;
  c->label = f->nlabels++;
  c->unreachable = false;
  c->has_else = false;
  c->targeted = false;
  c->height = f->sp - c->np;
  f->cs[f->ncs++] = *c;
  return 0;
}

/* Copy the n values on top of the stack to depths dst.. (a branch's
** values into its target's). */
static int copy_top(fstate *f, uint32_t n, uint32_t dst) {
  uint32_t src = f->sp - n;
  if (src == dst) return 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t t = f->stk[src + i];
    int rc = mark(f, dst + i, t);
    if (rc) return rc;
    put(f->o, "  s%u%c = s%u%c;\n", (unsigned)(dst + i), tsuf[t], (unsigned)(src + i), tsuf[t]);
  }
  return 0;
}

/* The jump of a branch to label depth l, its values copied first. */
static int branch(fstate *f, uint32_t l) {
  ctrl *c = &f->cs[f->ncs - 1 - l];
  c->targeted = true;
  int rc = copy_top(f, c->kind == K_LOOP ? c->np : c->nr, c->height);
  bool fast = f->vec && (f->vec->label == c->label || f->vec->outer == c->label);
  char to = c->kind != K_LOOP ? 'E' : fast ? 'V' : 'L';
  put(f->o, "  goto %c%u;\n", to, (unsigned)c->label);
  return rc;
}

int wm__aot_branch_if(fstate *f, const char *cond, uint32_t l) {
  put(f->o, "  if (%s) {\n", cond);
  int rc = branch(f, l);
  put(f->o, "  }\n");
  f->fuel_new = true;
  return rc;
}

/* Skip instructions to the end or else of the current block: code after
** an unconditional branch. The immediates are read as any instruction's. */
static int skip_dead(fstate *f);
/* After an unconditional branch: the rest of the block is skipped. */
static void set_dead(fstate *f);

/* ------------------------------------------------------------ numerics */

/* Instructions 0x45..0xC4: operand and result classes and the C form,
** where %s are the operands in order. A form starting with '!' is the name
** of numeric.h's trapping function (result through a pointer, its C type
** after a '|'). */
typedef struct numop {
  uint8_t a, b, r;     /* operand classes (b = T_N: unary), result class */
  const char *form;
} numop;

#define U32 T_I32
#define U64 T_I64
#define F32 T_F32
#define F64 T_F64
#define NONE T_N
static const numop numops[0xC5 - 0x45] = {
  /* 0x45 */ {U32, NONE, U32, "(uint32_t)(%s == 0)"},
  {U32, U32, U32, "(uint32_t)(%s == %s)"},
  {U32, U32, U32, "(uint32_t)(%s != %s)"},
  {U32, U32, U32, "(uint32_t)((int32_t)%s < (int32_t)%s)"},
  {U32, U32, U32, "(uint32_t)(%s < %s)"},
  {U32, U32, U32, "(uint32_t)((int32_t)%s > (int32_t)%s)"},
  {U32, U32, U32, "(uint32_t)(%s > %s)"},
  {U32, U32, U32, "(uint32_t)((int32_t)%s <= (int32_t)%s)"},
  {U32, U32, U32, "(uint32_t)(%s <= %s)"},
  {U32, U32, U32, "(uint32_t)((int32_t)%s >= (int32_t)%s)"},
  {U32, U32, U32, "(uint32_t)(%s >= %s)"},
  /* 0x50 */ {U64, NONE, U32, "(uint32_t)(%s == 0)"},
  {U64, U64, U32, "(uint32_t)(%s == %s)"},
  {U64, U64, U32, "(uint32_t)(%s != %s)"},
  {U64, U64, U32, "(uint32_t)((int64_t)%s < (int64_t)%s)"},
  {U64, U64, U32, "(uint32_t)(%s < %s)"},
  {U64, U64, U32, "(uint32_t)((int64_t)%s > (int64_t)%s)"},
  {U64, U64, U32, "(uint32_t)(%s > %s)"},
  {U64, U64, U32, "(uint32_t)((int64_t)%s <= (int64_t)%s)"},
  {U64, U64, U32, "(uint32_t)(%s <= %s)"},
  {U64, U64, U32, "(uint32_t)((int64_t)%s >= (int64_t)%s)"},
  {U64, U64, U32, "(uint32_t)(%s >= %s)"},
  /* 0x5B */ {F32, F32, U32, "(uint32_t)(%s == %s)"},
  {F32, F32, U32, "(uint32_t)(%s != %s)"},
  {F32, F32, U32, "(uint32_t)(%s < %s)"},
  {F32, F32, U32, "(uint32_t)(%s > %s)"},
  {F32, F32, U32, "(uint32_t)(%s <= %s)"},
  {F32, F32, U32, "(uint32_t)(%s >= %s)"},
  /* 0x61 */ {F64, F64, U32, "(uint32_t)(%s == %s)"},
  {F64, F64, U32, "(uint32_t)(%s != %s)"},
  {F64, F64, U32, "(uint32_t)(%s < %s)"},
  {F64, F64, U32, "(uint32_t)(%s > %s)"},
  {F64, F64, U32, "(uint32_t)(%s <= %s)"},
  {F64, F64, U32, "(uint32_t)(%s >= %s)"},
  /* 0x67 */ {U32, NONE, U32, "wm_i32_clz(%s)"},
  {U32, NONE, U32, "wm_i32_ctz(%s)"},
  {U32, NONE, U32, "wm_i32_popcnt(%s)"},
  {U32, U32, U32, "%s + %s"},
  {U32, U32, U32, "%s - %s"},
  {U32, U32, U32, "%s * %s"},
  {U32, U32, U32, "!wm_i32_div_s|int32_t"},
  {U32, U32, U32, "!wm_i32_div_u|uint32_t"},
  {U32, U32, U32, "!wm_i32_rem_s|int32_t"},
  {U32, U32, U32, "!wm_i32_rem_u|uint32_t"},
  {U32, U32, U32, "%s & %s"},
  {U32, U32, U32, "%s | %s"},
  {U32, U32, U32, "%s ^ %s"},
  {U32, U32, U32, "wm_i32_shl(%s, %s)"},
  {U32, U32, U32, "(uint32_t)wm_i32_shr_s((int32_t)%s, %s)"},
  {U32, U32, U32, "wm_i32_shr_u(%s, %s)"},
  {U32, U32, U32, "wm_i32_rotl(%s, %s)"},
  {U32, U32, U32, "wm_i32_rotr(%s, %s)"},
  /* 0x79 */ {U64, NONE, U64, "wm_i64_clz(%s)"},
  {U64, NONE, U64, "wm_i64_ctz(%s)"},
  {U64, NONE, U64, "wm_i64_popcnt(%s)"},
  {U64, U64, U64, "%s + %s"},
  {U64, U64, U64, "%s - %s"},
  {U64, U64, U64, "%s * %s"},
  {U64, U64, U64, "!wm_i64_div_s|int64_t"},
  {U64, U64, U64, "!wm_i64_div_u|uint64_t"},
  {U64, U64, U64, "!wm_i64_rem_s|int64_t"},
  {U64, U64, U64, "!wm_i64_rem_u|uint64_t"},
  {U64, U64, U64, "%s & %s"},
  {U64, U64, U64, "%s | %s"},
  {U64, U64, U64, "%s ^ %s"},
  {U64, U64, U64, "wm_i64_shl(%s, %s)"},
  {U64, U64, U64, "(uint64_t)wm_i64_shr_s((int64_t)%s, %s)"},
  {U64, U64, U64, "wm_i64_shr_u(%s, %s)"},
  {U64, U64, U64, "wm_i64_rotl(%s, %s)"},
  {U64, U64, U64, "wm_i64_rotr(%s, %s)"},
  /* 0x8B */ {F32, NONE, F32, "wm_f32_abs(%s)"},
  {F32, NONE, F32, "wm_f32_neg(%s)"},
  {F32, NONE, F32, "wm_f32_ceil(%s)"},
  {F32, NONE, F32, "wm_f32_floor(%s)"},
  {F32, NONE, F32, "wm_f32_trunc(%s)"},
  {F32, NONE, F32, "wm_f32_nearest(%s)"},
  {F32, NONE, F32, "wm_f32_sqrt(%s)"},
  {F32, F32, F32, "%s + %s"},
  {F32, F32, F32, "%s - %s"},
  {F32, F32, F32, "%s * %s"},
  {F32, F32, F32, "%s / %s"},
  {F32, F32, F32, "wm_f32_min(%s, %s)"},
  {F32, F32, F32, "wm_f32_max(%s, %s)"},
  {F32, F32, F32, "wm_f32_copysign(%s, %s)"},
  /* 0x99 */ {F64, NONE, F64, "wm_f64_abs(%s)"},
  {F64, NONE, F64, "wm_f64_neg(%s)"},
  {F64, NONE, F64, "wm_f64_ceil(%s)"},
  {F64, NONE, F64, "wm_f64_floor(%s)"},
  {F64, NONE, F64, "wm_f64_trunc(%s)"},
  {F64, NONE, F64, "wm_f64_nearest(%s)"},
  {F64, NONE, F64, "wm_f64_sqrt(%s)"},
  {F64, F64, F64, "%s + %s"},
  {F64, F64, F64, "%s - %s"},
  {F64, F64, F64, "%s * %s"},
  {F64, F64, F64, "%s / %s"},
  {F64, F64, F64, "wm_f64_min(%s, %s)"},
  {F64, F64, F64, "wm_f64_max(%s, %s)"},
  {F64, F64, F64, "wm_f64_copysign(%s, %s)"},
  /* 0xA7 */ {U64, NONE, U32, "(uint32_t)%s"},
  {F32, NONE, U32, "!wm_i32_trunc_f32_s|int32_t"},
  {F32, NONE, U32, "!wm_i32_trunc_f32_u|uint32_t"},
  {F64, NONE, U32, "!wm_i32_trunc_f64_s|int32_t"},
  {F64, NONE, U32, "!wm_i32_trunc_f64_u|uint32_t"},
  {U32, NONE, U64, "(uint64_t)(int64_t)(int32_t)%s"},
  {U32, NONE, U64, "(uint64_t)%s"},
  {F32, NONE, U64, "!wm_i64_trunc_f32_s|int64_t"},
  {F32, NONE, U64, "!wm_i64_trunc_f32_u|uint64_t"},
  {F64, NONE, U64, "!wm_i64_trunc_f64_s|int64_t"},
  {F64, NONE, U64, "!wm_i64_trunc_f64_u|uint64_t"},
  /* 0xB2 */ {U32, NONE, F32, "wm_bf(wm_f32_convert_i32_s((int32_t)%s))"},
  {U32, NONE, F32, "wm_bf(wm_f32_convert_i32_u(%s))"},
  {U64, NONE, F32, "wm_bf(wm_f32_convert_i64_s((int64_t)%s))"},
  {U64, NONE, F32, "wm_bf(wm_f32_convert_i64_u(%s))"},
  {F64, NONE, F32, "wm_bf(wm_f32_demote_f64(%s))"},
  {U32, NONE, F64, "wm_bd(wm_f64_convert_i32_s((int32_t)%s))"},
  {U32, NONE, F64, "wm_bd(wm_f64_convert_i32_u(%s))"},
  {U64, NONE, F64, "wm_bd(wm_f64_convert_i64_s((int64_t)%s))"},
  {U64, NONE, F64, "wm_bd(wm_f64_convert_i64_u(%s))"},
  {F32, NONE, F64, "wm_bd(wm_f64_promote_f32(%s))"},
  /* 0xBC */ {F32, NONE, U32, "wm_f32_bits(%s)"},
  {F64, NONE, U64, "wm_f64_bits(%s)"},
  {U32, NONE, F32, "wm_bf(wm_f32_from(%s))"},
  {U64, NONE, F64, "wm_bd(wm_f64_from(%s))"},
  /* 0xC0 */ {U32, NONE, U32, "(uint32_t)wm_i32_extend8_s(%s)"},
  {U32, NONE, U32, "(uint32_t)wm_i32_extend16_s(%s)"},
  {U64, NONE, U64, "(uint64_t)wm_i64_extend8_s(%s)"},
  {U64, NONE, U64, "(uint64_t)wm_i64_extend16_s(%s)"},
  {U64, NONE, U64, "(uint64_t)wm_i64_extend32_s(%s)"},
};

/* The saturating truncations, 0xFC 0..7. */
static const numop satops[8] = {
  {F32, NONE, U32, "(uint32_t)wm_i32_trunc_sat_f32_s(%s)"},
  {F32, NONE, U32, "wm_i32_trunc_sat_f32_u(%s)"},
  {F64, NONE, U32, "(uint32_t)wm_i32_trunc_sat_f64_s(%s)"},
  {F64, NONE, U32, "wm_i32_trunc_sat_f64_u(%s)"},
  {F32, NONE, U64, "(uint64_t)wm_i64_trunc_sat_f32_s(%s)"},
  {F32, NONE, U64, "wm_i64_trunc_sat_f32_u(%s)"},
  {F64, NONE, U64, "(uint64_t)wm_i64_trunc_sat_f64_s(%s)"},
  {F64, NONE, U64, "wm_i64_trunc_sat_f64_u(%s)"},
};

int wm__aot_numeric_arity(uint8_t op) {
  const numop *n = &numops[op - 0x45];
  return n->form[0] == '!' ? -1 : n->b == NONE ? 1 : 2;
}

static int numeric(fstate *f, const numop *n) {
  uint32_t nin = n->b == NONE ? 1 : 2;
  uint32_t a = f->sp - nin;
  const char *x = V(f, a), *y = nin == 2 ? V(f, a + 1) : "";
  f->sp = a;
  int rc = push(f, n->r);
  if (rc) return rc;
  const char *d = V(f, a);
  if (n->form[0] == '!') {
    f->extra += 16;
    /* numeric.h's trapping form: name|result type */
    const char *bar = strchr(n->form, '|');
    int nl = (int)(bar - n->form - 1);
    if (nin == 2)
      put(f->o, "  { %s r_; int t_ = %.*s(%s, %s, &r_); if (WM_UNLIKELY(t_)) wm_trap(c, t_); %s = (%s)r_; }\n",
          bar + 1, nl, n->form + 1, x, y, d, ctype[n->r]);
    else
      put(f->o, "  { %s r_; int t_ = %.*s(%s, &r_); if (WM_UNLIKELY(t_)) wm_trap(c, t_); %s = (%s)r_; }\n",
          bar + 1, nl, n->form + 1, x, d, ctype[n->r]);
    return 0;
  }
  /* The signed trapping divisions take signed operands. */
  put(f->o, "  %s = ", d);
  if (nin == 2)
    put(f->o, n->form, x, y);
  else
    put(f->o, n->form, x);
  put(f->o, ";\n");
  return 0;
}

/* ------------------------------------------------------------ calls */

/* The calls below name arguments and results by the callee's type (the
** stack's classes are the same, validation says so), so that both arms of
** an indirect call are written from one stack state. */

/* Pop a call's arguments (at base..) and push its results. */
static int call_done(fstate *f, const wm_type *t, uint32_t base) {
  f->sp = base;
  for (uint32_t i = 0; i < t->nresults; i++) {
    int rc = push(f, tc(t->results[i]));
    if (rc) return rc;
  }
  return 0;
}

/* A typed call: `callee(c, args)`, its results to depths base.. */
static int typed_call(fstate *f, const wm_type *t, uint32_t base, const char *callee) {
  for (uint32_t i = 0; i < t->nresults; i++) {
    int rc = mark(f, base + i, tc(t->results[i]));
    if (rc) return rc;
  }
  char sn[64];
  sig_name(f->mod, t, sn, sizeof sn);
  if (t->nresults > 1) f->extra += 8u * t->nresults + 16;
  if (t->nresults == 1)
    put(f->o, "  %s = ", NV(f, base, tc(t->results[0])));
  else if (t->nresults > 1)
    put(f->o, "  { struct r_%s r_ = ", sn);
  else
    put(f->o, "  ");
  put(f->o, "%s(c", callee);
  for (uint32_t i = 0; i < t->nparams; i++) put(f->o, ", %s", NV(f, base + i, tc(t->params[i])));
  put(f->o, ");");
  if (t->nresults > 1) {
    for (uint32_t i = 0; i < t->nresults; i++)
      put(f->o, " %s = r_.r%u;", NV(f, base + i, tc(t->results[i])), (unsigned)i);
    put(f->o, " }");
  }
  put(f->o, "\n");
  return 0;
}

/* A value of class k written to slot *j of array io (and the next for a
** v128, which takes two), *j moved past it; an i32 or f32 clears the high
** half. And the value of slot *j read as an expression. */
static void put_to_slot(cbuf *o, const char *io, uint32_t *j, int k, const char *v) {
  if (k == T_V128) {
    put(o, " wm_vput(&%s[%u], %s);", io, (unsigned)*j, v);
    *j += 2;
    return;
  }
  if (k == T_I32 || k == T_F32) put(o, " %s[%u].u64 = 0;", io, (unsigned)*j);
  put(o, " %s[%u].%s = %s;", io, (unsigned)*j, tfield[k], v);
  *j += 1;
}
static void put_from_slot(cbuf *o, const char *io, uint32_t *j, int k) {
  if (k == T_V128)
    put(o, "wm_vget(&%s[%u])", io, (unsigned)*j);
  else
    put(o, "%s[%u].%s", io, (unsigned)*j, tfield[k]);
  *j += k == T_V128 ? 2 : 1;
}
void wm__aot_put_to_slot(cbuf *o, const char *io, uint32_t *j, int k, const char *v) {
  put_to_slot(o, io, j, k, v);
}
void wm__aot_put_from_slot(cbuf *o, const char *io, uint32_t *j, int k) { put_from_slot(o, io, j, k); }

/* A call through slots (an import, a call the runtime makes, a long
** argument list): `io_` filled from the arguments, `stmt` run, results
** read back. */
static int slot_call(fstate *f, const wm_type *t, uint32_t base, const char *stmt) {
  uint32_t np = (uint32_t)wm__type_slots(t->params, t->nparams);
  uint32_t nr = (uint32_t)wm__type_slots(t->results, t->nresults);
  uint32_t n = np > nr ? np : nr;
  f->extra += 8u * n + 16;
  put(f->o, "  { wm_aot_slot io_[%u];", (unsigned)(n ? n : 1));
  for (uint32_t i = 0, j = 0; i < t->nparams; i++) {
    int k = tc(t->params[i]);
    put_to_slot(f->o, "io_", &j, k, NV(f, base + i, k));
  }
  put(f->o, " %s;", stmt);
  for (uint32_t i = 0, j = 0; i < t->nresults; i++) {
    int k = tc(t->results[i]);
    int rc = mark(f, base + i, k);
    if (rc) return rc;
    put(f->o, " %s = ", NV(f, base + i, k));
    put_from_slot(f->o, "io_", &j, k);
    put(f->o, ";");
  }
  put(f->o, " }\n");
  return 0;
}

/* After a call of function x (UINT32_MAX: any of the module's, through
** a table or a reference) in the second pass over a module whose bodies
** leave tail calls pending (aot_abi.h): if the callee did, the runtime
** performs them, and their results are the call's. Only a body with a
** return_call* of another function leaves one, so calls of the others
** (and every call in a module without) have no check. */
static int tail_check(fstate *f, const wm_type *t, uint32_t base, uint32_t x) {
  if (!f->tail || (x != UINT32_MAX && !f->tails[x])) return 0;
  put(f->o, "  if (WM_UNLIKELY(c->tail_f != NULL)) { wm_aot_slot *t_ = c->tail_run(c); (void)t_;");
  for (uint32_t i = 0, j = 0; i < t->nresults; i++) {
    int k = tc(t->results[i]);
    put(f->o, " %s = ", NV(f, base + i, k));
    put_from_slot(f->o, "t_", &j, k);
    put(f->o, ";");
  }
  put(f->o, " }\n");
  return 0;
}

/* Function idx returns a zero its caller ignores (a tail call left
** pending, an exception). */
static void put_zero_return(cbuf *o, const wm_module *mod, uint32_t idx) {
  const wm_type *self = wm__func_type(mod, idx);
  if (self->nresults == 0) {
    put(o, "  return;\n");
    return;
  }
  char sn[64];
  sig_name(mod, self, sn, sizeof sn);
  if (self->nresults == 1)
    put(o, "  { %s z_;", ctype[tc(self->results[0])]);
  else
    put(o, "  { struct r_%s z_;", sn);
  put(o, " memset(&z_, 0, sizeof z_); return z_; }\n");
}

/* return_call, return_call_indirect and return_call_ref of type t, the
** arguments at depths base..: of this very function (callee NULL), the
** arguments become its parameters and it starts again (T_, after the
** stack check); any other call is left pending for the caller's call
** site (aot_abi.h), its callee the C expression `callee`, and the
** function returns a zero its caller ignores. */
static int tail_call(fstate *f, const wm_type *t, uint32_t base, const char *callee) {
  if (!callee) {
    for (uint32_t i = 0; i < t->nparams; i++)
      put(f->o, "  l%u = %s;\n", (unsigned)i, NV(f, base + i, tc(t->params[i])));
    put(f->o, "  goto T_;\n");
    f->self_tail = true;
  } else {
    put(f->o, "  { wm_aot_slot *a_ = c->tail_args;");
    for (uint32_t i = 0, j = 0; i < t->nparams; i++) {
      int k = tc(t->params[i]);
      put_to_slot(f->o, "a_", &j, k, NV(f, base + i, k));
    }
    put(f->o, " c->tail_f = %s; }\n", callee);
    put_zero_return(f->o, f->mod, f->self);
    f->tails[f->self] = 1;
    f->tail_used = true;
  }
  set_dead(f);
  return 0;
}

/* Argument lists longer than this go through slots. */
#define MAX_C_ARGS 24

/* The call of call_indirect and call_ref once the runtime has checked the
** callee and put in k_ its defined-function index when this instance's
** typed C function of the very type may be called directly (through
** wm_direct, or wm_entries for a long argument list), else -1: then
** `slow` calls it through slots. */
static int callee_call(fstate *f, const wm_type *t, uint32_t base, const char *slow) {
  char sn[64], buf[96];
  sig_name(f->mod, t, sn, sizeof sn);
  f->refs[0] |= REF_TABLES;
  f->trefs[sig_index(f->mod, t)] = 1;
  put(f->o, "  if (k_ >= 0) {\n");
  int rc;
  if (t->nparams > MAX_C_ARGS) {
    rc = slot_call(f, t, base, "wm_entries[k_](c, io_)");
  } else {
    snprintf(buf, sizeof buf, "((ft_%s)wm_direct[k_])", sn);
    rc = typed_call(f, t, base, buf);
  }
  if (!rc) rc = tail_check(f, t, base, UINT32_MAX);
  if (rc) return rc;
  put(f->o, "  } else {\n");
  rc = slot_call(f, t, base, slow);
  if (rc) return rc;
  put(f->o, "  }\n");
  wm__aot_exn_check(f);
  reload_size(f);
  return call_done(f, t, base);
}

/* ------------------------------------------------------------ metering */

/* Metered code charges fuel as the interpreter's does (compile.c, meter):
** each instruction but nop, block, loop, else and end costs 1, charged to
** its basic block, whose WM_FUEL takes the whole cost before the block
** runs. A block starts at the function's first costed instruction and at
** the first one after a loop's head, an if, a br_if, an else, or the end
** of a block that something branches to (or an if's, which its false arm
** reaches): where compile.c binds a label or follows a conditional branch.
** The cost is known at the block's end, so WM_FUEL's argument is a field
** of spaces filled in then (fuel_close). */
#define NO_FUEL SIZE_MAX
#define FUEL_DIGITS 10

static bool costs_fuel(uint8_t op) {
  return !(op == 0x01 || op == 0x02 || op == 0x03 || op == 0x05 || op == 0x0B);
}

static void fuel_close(fstate *f) {
  if (f->fuel_at == NO_FUEL) return;
  if (!f->o->oom) {
    char d[FUEL_DIGITS + 1];
    snprintf(d, sizeof d, "%*u", FUEL_DIGITS, (unsigned)f->fuel_n);
    memcpy(f->o->p + f->fuel_at, d, FUEL_DIGITS);
  }
  f->fuel_at = NO_FUEL;
}

/* Charge the costed instruction about to be translated. */
static void charge(fstate *f) {
  if (f->fuel_new || f->fuel_at == NO_FUEL) {
    fuel_close(f);
    put(f->o, "  WM_FUEL(");
    f->fuel_at = f->o->n;
    put(f->o, "%*s);\n", FUEL_DIGITS, "");
    f->fuel_n = 0;
    f->fuel_new = false;
  }
  f->fuel_n++;
}

/* ------------------------------------------------------------ one body */

static int instr(fstate *f);

static int translate_body(fstate *f, uint32_t fidx) {
  const wm_module *mod = f->mod;
  const wm_type *t = wm__func_type(mod, fidx);
  ctrl fc;
  memset(&fc, 0, sizeof fc);
  fc.nr = t->nresults;
  fc.results = t->results;
  f->sp = 0;
  f->ncs = 0;
  f->nlabels = 0;
  f->fuel_at = NO_FUEL;
  f->fuel_new = false;
  int rc = push_ctrl(f, K_FUNC, &fc);
  while (!rc && f->ncs) {
    if (f->pos >= f->end) return fail(f, WM_EMALFORMED, "unexpected end of function body");
    rc = f->cs[f->ncs - 1].unreachable ? skip_dead(f) : instr(f);
  }
  fuel_close(f);
  if (!rc && f->o->oom) rc = wm__error(f->err, WM_ENOMEM, UINT32_MAX, NULL);
  return rc;
}

/* The end of the current block, reached (`live`) or after skipped code:
** its results are at its depths, where the code before or a branch to it
** put them. An if without else has a false arm that passes its params
** through as its results (the same types at the same depths). */
static int end_block(fstate *f, bool live) {
  ctrl c = f->cs[f->ncs - 1];
  if (c.kind == K_IF && !c.has_else) {
    if (live) put(f->o, "  goto E%u;\n", (unsigned)c.label);
    put(f->o, "F%u:;\n", (unsigned)c.label);
  }
  if ((c.kind == K_IF && !c.has_else) || (c.targeted && c.kind != K_LOOP)) f->fuel_new = true;
  f->ncs--;
  f->sp = c.height;
  for (uint32_t i = 0; i < c.nr; i++) {
    int rc = push(f, tc(rtype(&c, i)));
    if (rc) return rc;
  }
  if (c.kind != K_LOOP) put(f->o, "E%u:;\n", (unsigned)c.label);
  return 0;
}

/* `else`, reached or not: the false arm starts with the params. */
static int else_arm(fstate *f, bool live) {
  ctrl *c = &f->cs[f->ncs - 1];
  if (live) {
    put(f->o, "  goto E%u;\n", (unsigned)c->label);
    c->targeted = true;
  }
  put(f->o, "F%u:;\n", (unsigned)c->label);
  f->fuel_new = true; /* the if's false arm starts here */
  c->has_else = true;
  c->unreachable = false;
  f->sp = c->height;
  for (uint32_t i = 0; i < c->np; i++) {
    int rc = push(f, tc(c->params[i]));
    if (rc) return rc;
  }
  return 0;
}

static void set_dead(fstate *f) {
  ctrl *c = &f->cs[f->ncs - 1];
  c->unreachable = true;
  f->sp = c->height;
  f->fuel_new = true; /* as compile.c's set_unreachable */
}

static int skip_imm(fstate *f, uint8_t op);

static int skip_dead(fstate *f) {
  uint32_t depth = 0;
  for (;;) {
    uint8_t op;
    int rc = byte(f, &op);
    if (rc) return rc;
    if (op == 0x02 || op == 0x03 || op == 0x04 || op == 0x1F) {
      ctrl tmp;
      rc = blocktype(f, &tmp);
      if (!rc && op == 0x1F) rc = wm__aot_try_clauses(f, 0, false, &tmp.catches);
      if (rc) return rc;
      depth++;
    } else if (op == 0x0B) {
      if (depth == 0) return end_block(f, false);
      depth--;
    } else if (op == 0x05 && depth == 0) {
      return else_arm(f, false);
    } else if (op != 0x05) {
      rc = skip_imm(f, op);
      if (rc) return rc;
    }
  }
}

/* The immediates of op (not a block instruction), read and dropped. */
static int skip_imm(fstate *f, uint8_t op) {
  uint32_t x, y;
  int32_t s;
  int64_t l;
  switch (op) {
    case 0x08: case 0x0C: case 0x0D: case 0x10: case 0x12: case 0x14: case 0x15: case 0x20: case 0x21:
    case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0xD2: case 0xD5: case 0xD6:
      return u32imm(f, &x);
    case 0x0E: {
      int rc = u32imm(f, &y);
      for (uint32_t i = 0; !rc && i <= y; i++) rc = u32imm(f, &x);
      return rc;
    }
    case 0x11: case 0x13: {
      int rc = u32imm(f, &x);
      return rc ? rc : u32imm(f, &y);
    }
    case 0x1C: {
      int rc = u32imm(f, &y);
      for (uint32_t i = 0; !rc && i < y; i++) {
        uint8_t b;
        rc = byte(f, &b);
      }
      return rc;
    }
    case 0x3F: case 0x40: return u32imm(f, &x);
    case 0x41: return s32imm(f, &s);
    case 0x42: return s64imm(f, &l);
    case 0x43:
      if (f->end - f->pos < 4) return fail(f, WM_EMALFORMED, "unexpected end");
      f->pos += 4;
      return 0;
    case 0x44:
      if (f->end - f->pos < 8) return fail(f, WM_EMALFORMED, "unexpected end");
      f->pos += 8;
      return 0;
    case 0xD0: return rd_type(f, true, &x);
    case 0xD3: return 0;
    case 0xFB: {
      int rc = u32imm(f, &x);
      return rc ? rc : wm__aot_gc_skip(f, x);
    }
    case 0xFD: {
      wm_aot_vform v;
      const char *why = "this SIMD instruction";
      int rc = wm__aot_simd(f->b, &f->pos, f->end, &v, &why);
      if (rc == WM_EUNSUPPORTED) return unsupported(f, why);
      return rc ? fail(f, rc, "%s", why) : 0;
    }
    case 0xFC: {
      int rc = u32imm(f, &x);
      if (rc) return rc;
      switch (x) {
        case 8: case 12: case 14:
          rc = u32imm(f, &y);
          return rc ? rc : u32imm(f, &y);
        case 10: {
          rc = u32imm(f, &y);
          return rc ? rc : u32imm(f, &y);
        }
        case 9: case 11: case 13: case 15: case 16: case 17: return u32imm(f, &y);
        default: return x < 8 ? 0 : unsupported(f, "this 0xFC instruction");
      }
    }
    default:
      if (op >= 0x28 && op <= 0x3E) {
        uint64_t offset;
        return wm__aot_memarg(f, &x, &offset);
      }
      if ((op >= 0x45 && op <= 0xC4) || op == 0x00 || op == 0x01 || op == 0x0A || op == 0x0F || op == 0x1A ||
          op == 0x1B || op == 0xD1 || op == 0xD4)
        return 0;
      return unsupported(f, "this instruction");
  }
}

static const char *unsupported_op(uint8_t op) {
  switch (op) {
    case 0x06: case 0x07: case 0x09: case 0x18: case 0x19: return "legacy exception handling";
    case 0xFE: return "threads (atomics)";
    default: return NULL;
  }
}

/* The class of aot_simd.c's letter (a C local's suffix). */
static int vclass(char c) {
  int k = 0;
  while (k < T_N - 1 && tsuf[k] != c) k++;
  return k;
}

/* A SIMD instruction at `at`: aot_simd.c's statement with the operands'
** and the result's C names put in, after the access's address as any
** load's or store's (fences around a store, a guarded load's value kept
** in a vector register). */
static int simd(fstate *f, uint32_t at) {
  wm_aot_vform v;
  const char *why = "this SIMD instruction";
  int rc = wm__aot_simd(f->b, &f->pos, f->end, &v, &why);
  if (rc == WM_EUNSUPPORTED) {
    f->pos = at;
    return unsupported(f, why);
  }
  if (rc) return fail(f, rc, "%s", why);
  f->simd = true;
  uint32_t a = f->sp - v.nin;
  char names[4][24], ptr[40] = "";
  for (uint32_t i = 0; i < v.nin; i++) snprintf(names[i], sizeof names[i], "%s", V(f, a + i));
  /* A store wider than 8 bytes may be two to the C compiler (two 8-byte
  ** moves): in guarded code the first would land before the second
  ** faults, and a trapped store must write nothing. It is checked as in
  ** checked code; loads have nothing to undo. */
  if (v.access)
    wm__aot_address(f, a, v.mem, v.offset, v.access, f->guarded && !(v.store && v.access > 8), ptr,
                    sizeof ptr);
  if (v.store) fence(f);
  f->sp = a;
  names[3][0] = 0;
  if (v.out) {
    rc = push(f, vclass(v.out));
    if (rc) return rc;
    snprintf(names[3], sizeof names[3], "%s", V(f, a));
  }
  put(f->o, "  ");
  for (const char *p = v.form; *p; p++) {
    if (*p != '$' || !p[1]) {
      put_bytes(f->o, p, 1);
      continue;
    }
    p++;
    if (*p == 'r')
      put(f->o, "%s", names[3]);
    else if (*p == 'p')
      put(f->o, "%s", ptr);
    else if (*p >= '0' && *p <= '2')
      put(f->o, "%s", names[*p - '0']);
  }
  put(f->o, ";\n");
  if (v.store) fence(f);
  if (v.access && !v.store && f->guarded && v.mem == 0) put(f->o, "  WM_KEEPV(%s);\n", names[3]);
  return 0;
}

/* table64: an i64 index or length at depth d becomes the 32-bit operand
** the table helpers take, clamped as the interpreter's INDEX64 clamps it
** (a table holds fewer than 2^32 elements, so 2^32 or more stays out of
** bounds). */
static bool tab64(const fstate *f, uint32_t t) { return f->mod->tables[t].lim.is64; }

static int index64(fstate *f, uint32_t d) {
  const char *x = V(f, d);
  int rc = mark(f, d, T_I32);
  if (rc) return rc;
  f->stk[d] = T_I32;
  put(f->o, "  %s = %s > UINT32_MAX ? UINT32_MAX : (uint32_t)%s;\n", V(f, d), x, x);
  return 0;
}

/* The 64-bit operands of table.init (x 12, table i1), table.copy (14, i0
** from i1: the length when both are 64-bit) and table.fill (17, table i0). */
static int table64_operands(fstate *f, uint32_t x, uint32_t i0, uint32_t i1) {
  bool w[3] = {false, false, false};
  if (x == 12) w[0] = tab64(f, i1);
  if (x == 14) w[0] = tab64(f, i0), w[1] = tab64(f, i1), w[2] = w[0] && w[1];
  if (x == 17) w[0] = w[2] = tab64(f, i0);
  for (uint32_t k = 0; k < 3; k++) {
    int rc = w[k] ? index64(f, f->sp - 3 + k) : 0;
    if (rc) return rc;
  }
  return 0;
}

/* A loop aot_vec.c versions (c its block type, the loop's first
** instruction at f->pos): the fast copy under its guard, then the exact
** loop, both translated from the same bytes (no block inside, so the
** same label serves both), then J<label>, where the fast copy ends. */
/* A loop, or a nest (p->outer set: its inner loop is the plan's), written
** twice: the fast copy under the guard, then the exact one. Under a nest's
** guard, its inner loop's, which holds at each of its entries exactly when
** at the nest's (aot_vec.c), the inner loop is its fast copy alone; when
** it fails, the exact copy's inner loop is exact alone. */
static int versioned_loop(fstate *f, ctrl *c, vplan *p) {
  uint32_t start = f->pos, label = f->nlabels, depth = f->ncs;
  bool nest = p->outer != NONE_L;
  if (nest) p->outer = label;
  p->label = nest ? label + 1 : label;
  p->next = 0;
  wm__aot_vec_guard(f, p);
  if (nest) put(f->o, "V%u:;\n", (unsigned)label);
  else wm__aot_vec_head(f, p);
  int rc = 0;
  for (int copy = 0; copy < 2 && !rc; copy++) {
    f->pos = start;
    f->nlabels = label;
    f->vec = copy == 0 ? p : NULL;
    f->novec = nest && copy == 1;
    rc = push_ctrl(f, K_LOOP, c);
    if (!rc && copy == 1) put(f->o, "L%u:;\n", (unsigned)label);
    while (!rc && f->ncs > depth) {
      if (f->pos >= f->end) rc = fail(f, WM_EMALFORMED, "unexpected end of function body");
      else rc = f->cs[f->ncs - 1].unreachable ? skip_dead(f) : instr(f);
    }
    if (copy == 0) put(f->o, "  goto J%u;\n  }\n", (unsigned)label);
  }
  f->vec = NULL;
  f->novec = false;
  put(f->o, "J%u:;\n", (unsigned)label);
  return rc;
}

static int instr(fstate *f) {
  const wm_module *mod = f->mod;
  uint32_t at = f->pos;
  uint8_t op;
  int rc = byte(f, &op);
  if (rc) return rc;
  if (f->metered && costs_fuel(op)) charge(f);
  uint32_t x, y;
  char buf[512];
  if (op >= 0x45 && op <= 0xC4) return numeric(f, &numops[op - 0x45]);
  if (op >= 0x28 && op <= 0x40) return wm__aot_mem(f, op);
  switch (op) {
    case 0x00:
      put(f->o, "  wm_trap(c, %d);\n", WM_TRAP_UNREACHABLE);
      set_dead(f);
      return 0;
    case 0x01: return 0;
    case 0x02: case 0x03: case 0x04: case 0x1F: {
      ctrl c;
      memset(&c, 0, sizeof c);
      rc = blocktype(f, &c);
      if (rc) return rc;
      for (uint32_t i = 0; i < c.np; i++)
        if (tclass(c.params[i]) < 0) return unsupported(f, tclass_why(c.params[i]));
      for (uint32_t i = 0; i < c.nr; i++)
        if (tclass(rtype(&c, i)) < 0) return unsupported(f, tclass_why(rtype(&c, i)));
      if (op == 0x03 && f->vec && f->vec->outer != NONE_L && f->pos == f->vec->inner_at) {
        /* A versioned nest's inner loop, in the nest's fast copy. */
        rc = push_ctrl(f, K_LOOP, &c);
        if (!rc) wm__aot_vec_head(f, f->vec);
        return rc;
      }
      if (op == 0x03 && !c.np && !c.nr && !f->vec && !f->novec) {
        vplan plan;
        if (wm__aot_vec_nest(f, &plan) || wm__aot_vec_plan(f, &plan))
          return versioned_loop(f, &c, &plan);
      }
      if (op == 0x04) {
        uint32_t cond = --f->sp;
        put(f->o, "  if (!%s) goto F%u;\n", V(f, cond), (unsigned)f->nlabels);
      }
      /* try_table: its clauses' dispatch (aot_exn.c); the body starts a
      ** basic block when it has one, as compile_exc.c's branch over it. */
      if (op == 0x1F && (rc = wm__aot_try_clauses(f, f->nlabels, true, &c.catches))) return rc;
      if (c.catches) f->fuel_new = true;
      rc = push_ctrl(f, op == 0x02 ? K_BLOCK : op == 0x03 ? K_LOOP : op == 0x04 ? K_IF : K_TRY, &c);
      if (rc) return rc;
      if (op == 0x03) put(f->o, "L%u:;\n", (unsigned)f->cs[f->ncs - 1].label);
      if (op != 0x02) f->fuel_new = true; /* a loop's head, an if's true arm */
      return 0;
    }
    case 0x05: return else_arm(f, true);
    case 0x0B: return end_block(f, true);
    case 0x0C:
      rc = u32imm(f, &x);
      if (rc) return rc;
      rc = branch(f, x);
      set_dead(f);
      return rc;
    case 0x0D: {
      rc = u32imm(f, &x);
      if (rc) return rc;
      uint32_t cond = --f->sp;
      return wm__aot_branch_if(f, V(f, cond), x);
    }
    case 0x0E: {
      rc = u32imm(f, &y);
      if (rc) return rc;
      uint32_t cond = --f->sp;
      put(f->o, "  switch (%s) {\n", V(f, cond));
      for (uint32_t i = 0; i <= y; i++) {
        rc = u32imm(f, &x);
        if (rc) return rc;
        if (i < y)
          put(f->o, "  case %uu:\n", (unsigned)i);
        else
          put(f->o, "  default:\n");
        rc = branch(f, x);
        if (rc) return rc;
      }
      put(f->o, "  }\n");
      set_dead(f);
      return 0;
    }
    case 0x0F:
      rc = branch(f, f->ncs - 1);
      set_dead(f);
      return rc;
    case 0x08: case 0x0A: /* throw, throw_ref: aot_exn.c */
      rc = wm__aot_throw(f, op);
      set_dead(f);
      return rc;
    case 0x10: {
      rc = u32imm(f, &x);
      if (rc) return rc;
      const wm_type *t = wm__func_type(mod, x);
      uint32_t base = f->sp - t->nparams;
      if (x < mod->nfunc_imports) {
        snprintf(buf, sizeof buf, "c->call(c, %uu, io_)", (unsigned)x);
        rc = slot_call(f, t, base, buf);
      } else if (t->nparams > MAX_C_ARGS) {
        f->refs[x] |= REF_E;
        snprintf(buf, sizeof buf, "e%u(c, io_)", (unsigned)x);
        rc = slot_call(f, t, base, buf);
      } else {
        f->refs[x] |= REF_F;
        snprintf(buf, sizeof buf, "f%u", (unsigned)x);
        rc = typed_call(f, t, base, buf);
      }
      if (!rc && x >= mod->nfunc_imports) rc = tail_check(f, t, base, x);
      if (rc) return rc;
      wm__aot_exn_check(f);
      reload_size(f);
      return call_done(f, t, base);
    }
    case 0x12: { /* return_call */
      rc = u32imm(f, &x);
      if (rc) return rc;
      const wm_type *t = wm__func_type(mod, x);
      if (x == f->self) return tail_call(f, t, f->sp - t->nparams, NULL);
      snprintf(buf, sizeof buf, "c->funcs[%u]", (unsigned)x);
      return tail_call(f, t, f->sp - t->nparams, buf);
    }
    case 0x13: { /* return_call_indirect: the checks of call_indirect */
      rc = u32imm(f, &y);
      if (!rc) rc = u32imm(f, &x);
      if (rc) return rc;
      const wm_type *t = &mod->types[y];
      if (tab64(f, x) && (rc = index64(f, f->sp - 1))) return rc;
      uint32_t iv = --f->sp;
      char ix[24];
      snprintf(ix, sizeof ix, "%s", V(f, iv));
      put(f->o, "  (void)c->indirect(c, %uu, %uu, %s);\n", (unsigned)x, (unsigned)y, ix);
      snprintf(buf, sizeof buf, "c->table_get(c, %uu, %s)", (unsigned)x, ix);
      return tail_call(f, t, f->sp - t->nparams, buf);
    }
    case 0x15: { /* return_call_ref: a null reference traps in ref_callee */
      rc = u32imm(f, &y);
      if (rc) return rc;
      const wm_type *t = &mod->types[y];
      uint32_t rv = --f->sp;
      char r[24];
      snprintf(r, sizeof r, "%s", V(f, rv));
      put(f->o, "  (void)c->ref_callee(c, %s, %uu, WM_SELF);\n", r, (unsigned)y);
      return tail_call(f, t, f->sp - t->nparams, r);
    }
    case 0x11: {
      rc = u32imm(f, &y); /* type */
      if (!rc) rc = u32imm(f, &x); /* table */
      if (rc) return rc;
      const wm_type *t = &mod->types[y];
      if (tab64(f, x) && (rc = index64(f, f->sp - 1))) return rc;
      uint32_t iv = --f->sp;
      uint32_t base = f->sp - t->nparams;
      char ix[24];
      snprintf(ix, sizeof ix, "%s", V(f, iv));
      put(f->o, "  k_ = c->indirect(c, %uu, %uu, %s);\n", (unsigned)x, (unsigned)y, ix);
      snprintf(buf, sizeof buf, "c->icall(c, %uu, %uu, %s, io_)", (unsigned)x, (unsigned)y, ix);
      return callee_call(f, t, base, buf);
    }
    case 0x14: { /* call_ref: the reference on top, null traps in ref_callee */
      rc = u32imm(f, &y);
      if (rc) return rc;
      const wm_type *t = &mod->types[y];
      uint32_t rv = --f->sp;
      uint32_t base = f->sp - t->nparams;
      char r[24];
      snprintf(r, sizeof r, "%s", V(f, rv));
      put(f->o, "  k_ = c->ref_callee(c, %s, %uu, WM_SELF);\n", r, (unsigned)y);
      snprintf(buf, sizeof buf, "c->ref_call(c, %s, io_)", r);
      return callee_call(f, t, base, buf);
    }
    case 0x1A: f->sp--; return 0;
    case 0x1B: case 0x1C: {
      if (op == 0x1C) {
        rc = u32imm(f, &y);
        if (rc) return rc;
        for (uint32_t i = 0; i < y; i++) {
          uint32_t vt;
          rc = rd_type(f, false, &vt);
          if (rc) return rc;
          if (tclass(vt) < 0) return unsupported(f, tclass_why(vt));
        }
      }
      uint32_t a = f->sp - 3;
      put(f->o, "  %s = %s ? %s : %s;\n", V(f, a), V(f, a + 2), V(f, a), V(f, a + 1));
      f->sp = a + 1;
      return 0;
    }
    case 0x20: {
      rc = u32imm(f, &x);
      if (rc) return rc;
      return pushv(f, f->ltype[x], "l%u", (unsigned)x);
    }
    case 0x21: case 0x22:
      rc = u32imm(f, &x);
      if (rc) return rc;
      put(f->o, "  l%u = %s;\n", (unsigned)x, V(f, f->sp - 1));
      if (op == 0x21) f->sp--;
      return 0;
    case 0x23: {
      rc = u32imm(f, &x);
      if (rc) return rc;
      int k = tc(mod->globals[x].type.type); /* check_module checked it */
      if (k == T_V128) return pushv(f, k, "wm_vget(c->globals[%u])", (unsigned)x);
      return pushv(f, k, "c->globals[%u]->%s", (unsigned)x, tfield[k]);
    }
    case 0x24: {
      rc = u32imm(f, &x);
      if (rc) return rc;
      int k = tc(mod->globals[x].type.type); /* check_module checked it */
      uint32_t a = --f->sp;
      fence(f);
      if (k == T_V128) {
        put(f->o, "  wm_vput(c->globals[%u], %s);\n", (unsigned)x, V(f, a));
      } else {
        if (k == T_I32 || k == T_F32) put(f->o, "  c->globals[%u]->u64 = 0;\n", (unsigned)x);
        put(f->o, "  c->globals[%u]->%s = %s;\n", (unsigned)x, tfield[k], V(f, a));
      }
      fence(f);
      return 0;
    }
    case 0x25: {
      rc = u32imm(f, &x);
      if (rc) return rc;
      uint32_t a = f->sp - 1;
      if (tab64(f, x) && (rc = index64(f, a))) return rc;
      const char *i = V(f, a);
      f->sp = a;
      rc = push(f, T_REF);
      if (rc) return rc;
      put(f->o, "  %s = c->table_get(c, %uu, %s);\n", V(f, a), (unsigned)x, i);
      return 0;
    }
    case 0x26: {
      rc = u32imm(f, &x);
      if (rc) return rc;
      uint32_t a = f->sp - 2;
      if (tab64(f, x) && (rc = index64(f, a))) return rc;
      put(f->o, "  c->table_set(c, %uu, %s, %s);\n", (unsigned)x, V(f, a), V(f, a + 1));
      f->sp = a;
      return 0;
    }
    case 0x41: {
      int32_t v;
      rc = s32imm(f, &v);
      if (rc) return rc;
      return pushv(f, T_I32, "%" PRIu32 "u", (uint32_t)v);
    }
    case 0x42: {
      int64_t v;
      rc = s64imm(f, &v);
      if (rc) return rc;
      return pushv(f, T_I64, "UINT64_C(%" PRIu64 ")", (uint64_t)v);
    }
    case 0x43: {
      if (f->end - f->pos < 4) return fail(f, WM_EMALFORMED, "unexpected end");
      uint32_t bits;
      memcpy(&bits, f->b + f->pos, 4);
      f->pos += 4;
      return pushv(f, T_F32, "wm_kf(0x%08" PRIx32 "u)", bits);
    }
    case 0x44: {
      if (f->end - f->pos < 8) return fail(f, WM_EMALFORMED, "unexpected end");
      uint64_t bits;
      memcpy(&bits, f->b + f->pos, 8);
      f->pos += 8;
      return pushv(f, T_F64, "wm_kd(UINT64_C(0x%016" PRIx64 "))", bits);
    }
    case 0xD0: { /* ref.null ht: of a function type, func, extern or their bottoms */
      uint32_t vt;
      rc = rd_type(f, true, &vt);
      if (rc) return rc;
      if (tclass(vt) < 0) return unsupported(f, tclass_why(vt));
      return pushv(f, T_REF, "NULL");
    }
    case 0xD1: {
      uint32_t a = f->sp - 1;
      const char *r = V(f, a);
      f->sp = a;
      rc = push(f, T_I32);
      if (rc) return rc;
      put(f->o, "  %s = (uint32_t)(%s == NULL);\n", V(f, a), r);
      return 0;
    }
    case 0xD2:
      rc = u32imm(f, &x);
      if (rc) return rc;
      return pushv(f, T_REF, "c->funcs[%u]", (unsigned)x);
    case 0xD4: /* ref.as_non_null: the same value, or the trap */
      put(f->o, "  if (WM_UNLIKELY(!%s)) wm_trap(c, %d);\n", V(f, f->sp - 1), WM_TRAP_NULL_REF);
      return 0;
    case 0xD5: case 0xD6: { /* br_on_null, br_on_non_null: as br_if on the reference */
      rc = u32imm(f, &x);
      if (rc) return rc;
      uint32_t r = f->sp - 1;
      /* br_on_null's label takes the values below the reference, which
      ** stays for the fall-through; br_on_non_null's takes it too, and
      ** drops it for the fall-through. */
      if (op == 0xD5) f->sp--;
      put(f->o, "  if (%s%s) {\n", op == 0xD5 ? "!" : "", NV(f, r, T_REF));
      rc = branch(f, x);
      put(f->o, "  }\n");
      f->sp = op == 0xD5 ? r + 1 : r;
      f->fuel_new = true;
      return rc;
    }
    case 0xFC: {
      rc = u32imm(f, &x);
      if (rc) return rc;
      if (x < 8) return numeric(f, &satops[x]);
      if (x >= 8 && x <= 11) return wm__aot_mem_bulk(f, x);
      /* The bulk instructions: two immediates at most, then a helper. */
      uint32_t i0 = 0, i1 = 0;
      if (x == 12 || x == 14) rc = u32imm(f, &i0);
      if (!rc && x >= 12 && x <= 17) rc = u32imm(f, x == 12 || x == 14 ? &i1 : &i0);
      if (rc) return rc;
      if ((rc = table64_operands(f, x, i0, i1))) return rc;
      switch (x) {
        case 12: /* table.init elem table */
          snprintf(buf, sizeof buf, "c->table_init(c, %uu, %uu", (unsigned)i1, (unsigned)i0);
          return bulk(f, buf, 3);
        case 13: snprintf(buf, sizeof buf, "c->elem_drop(c, %uu", (unsigned)i0); return bulk(f, buf, 0);
        case 14: /* table.copy dst src */
          snprintf(buf, sizeof buf, "c->table_copy(c, %uu, %uu", (unsigned)i0, (unsigned)i1);
          return bulk(f, buf, 3);
        case 15: { /* table.grow: init n -> old (all ones when it fails) */
          uint32_t a = f->sp - 2;
          bool w = tab64(f, i0);
          snprintf(buf, sizeof buf, "c->table_grow(c, %uu, %s, %s)", (unsigned)i0, V(f, a), V(f, a + 1));
          f->sp = a;
          return pushv(f, w ? T_I64 : T_I32, "%s%s", w ? "" : "(uint32_t)", buf);
        }
        case 16: return pushv(f, tab64(f, i0) ? T_I64 : T_I32, "c->table_size(c, %uu)", (unsigned)i0);
        case 17: snprintf(buf, sizeof buf, "c->table_fill(c, %uu", (unsigned)i0); return bulk(f, buf, 3);
        default: return unsupported(f, "this 0xFC instruction");
      }
    }
    case 0xFD: return simd(f, at);
    case 0xD3: return wm__aot_gc(f, WM_GC_REF_EQ);
    case 0xFB:
      rc = u32imm(f, &x);
      return rc ? rc : wm__aot_gc(f, x);
    default: {
      const char *what = unsupported_op(op);
      f->pos = at;
      return unsupported(f, what ? what : "this instruction");
    }
  }
}

/* ------------------------------------------------------------ the file */

/* What every translated function uses besides numeric.h: traps (the
** runtime's helper never returns), unaligned little-endian accesses, and
** float values the C compiler cannot see through (wm_bf, wm_bd): it would
** fold x * 1.0, x - 0.0, -1.0 * x or demote(promote(x)) to x (or -x),
** which is wrong for a signalling NaN (wasm quiets it); GCC's
** -fsignaling-nans covers only some of these, Clang's none. Every float a
** constant can reach the compiler's view through is opaque: literals,
** conversions and reinterpretations of integers, promotions, demotions,
** the zero of a float local. */
static const char prelude[] =
    "#if defined(__x86_64__) || defined(__i386__)\n#define WM_FREG \"+x\"\n"
    "#elif defined(__aarch64__)\n#define WM_FREG \"+w\"\n#else\n#define WM_FREG \"+m\"\n#endif\n"
    "static inline float wm_bf(float v) { __asm__(\"\" : WM_FREG(v)); return v; }\n"
    "static inline double wm_bd(double v) { __asm__(\"\" : WM_FREG(v)); return v; }\n"
    "static inline float wm_kf(uint32_t b) { return wm_bf(wm_f32_from(b)); }\n"
    "static inline double wm_kd(uint64_t b) { return wm_bd(wm_f64_from(b)); }\n"
    "#define WM_UNLIKELY(x) __builtin_expect(!!(x), 0)\n"
    "#define WM_FUEL(n) do { if (WM_UNLIKELY((*fuel_ -= (int64_t)(n)) < 0 ||\\\n"
    "    __atomic_load_n(intr_, __ATOMIC_RELAXED))) c->meter(c, (n), WM_SELF); } while (0)\n"
    "#ifdef WM_FRAMES_MEASURED\n#define WM_NOINLINE\n#else\n#define WM_NOINLINE __attribute__((noinline))\n#endif\n"
    "#define WM_KEEP(v) __asm__(\"\" : : \"r\"(v))\n"
    "#define WM_FENCE() __asm__ __volatile__(\"\" : : : \"memory\")\n"
    "#if defined(__x86_64__)\n#define WM_KEEPF(v) __asm__(\"\" : : \"x\"(v))\n"
    "#elif defined(__aarch64__)\n#define WM_KEEPF(v) __asm__(\"\" : : \"w\"(v))\n"
    "#else\n#define WM_KEEPF(v) do { double kf_ = (v); uint64_t b_; memcpy(&b_, &kf_, 8); WM_KEEP(b_); } while (0)\n#endif\n"
    "__attribute__((noreturn, cold)) static void wm_trap_in(wm_aot_ctx *c, int code, uint32_t fidx) {\n"
    "  c->trap(c, code, fidx);\n  __builtin_unreachable();\n}\n"
    "#define wm_trap(c, code) wm_trap_in(c, code, WM_SELF)\n"
    "#define WM_OPAQUE(fn) __extension__({ __typeof__(&fn) p_ = fn; __asm__(\"\" : \"+r\"(p_)); p_; })\n"
    "static inline uint8_t wm_ld_u8(const uint8_t *p) { return *p; }\n"
    "static inline uint16_t wm_ld_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }\n"
    "static inline uint32_t wm_ld_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }\n"
    "static inline uint64_t wm_ld_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }\n"
    "static inline void wm_st_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }\n"
    "static inline void wm_st_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }\n"
    "static inline void wm_st_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }\n";

/* The module-level features this version translates. */
static int check_module(const wm_module *mod, wm_error *err) {
#define NO(what) return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX, "wasmem compile: %s not supported yet", what)
  if (mod->sparse) return wm__error(err, WM_EINVAL, UINT32_MAX, "wasmem compile: the module was loaded through the code cache; load it without one");
  for (uint32_t i = 0; i < mod->nmems; i++)
    if (mod->mems[i].shared) NO("shared memory (threads)");
  /* Typed references of the func and extern hierarchies, and exnrefs, are
  ** references as funcref and externref (tclass); GC's are not. */
  for (uint32_t i = 0; i < mod->ntables; i++)
    if (tclass(mod->tables[i].elem) != T_REF) NO(tclass_why(mod->tables[i].elem));
  for (uint32_t i = 0; i < mod->ntypes; i++) {
    const wm_type *t = &mod->types[i];
    /* A struct or array type is only a type here (rec groups, subtypes:
    ** the runtime's interned ids and checks); its values are refused where
    ** they appear. */
    if (t->kind != WM_COMP_FUNC) continue;
    for (uint32_t k = 0; k < t->nparams; k++)
      if (tclass(t->params[k]) < 0) NO(tclass_why(t->params[k]));
    for (uint32_t k = 0; k < t->nresults; k++)
      if (tclass(t->results[k]) < 0) NO(tclass_why(t->results[k]));
  }
  for (uint32_t i = 0; i < mod->nglobals; i++)
    if (tclass(mod->globals[i].type.type) < 0) NO(tclass_why(mod->globals[i].type.type));
  return 0;
#undef NO
}

static void put_sig_types(cbuf *o, const wm_module *mod, const uint8_t *used) {
  /* One typedef per distinct signature the part uses (used[i], i its
  ** sig_index), and a struct per one of several results. */
  for (uint32_t i = 0; i < mod->ntypes; i++) {
    const wm_type *t = &mod->types[i];
    if (!used[i] || sig_index(mod, t) != i) continue;
    char sn[64];
    sig_name(mod, t, sn, sizeof sn);
    if (t->nresults > 1) {
      put(o, "struct r_%s {", sn);
      for (uint32_t k = 0; k < t->nresults; k++)
        put(o, " %s r%u;", ctype[tc(t->results[k])], (unsigned)k);
      put(o, " };\n");
    }
    put(o, "typedef ");
    if (t->nresults == 0)
      put(o, "void");
    else if (t->nresults == 1)
      put(o, "%s", ctype[tc(t->results[0])]);
    else
      put(o, "struct r_%s", sn);
    put(o, " (*ft_%s)(wm_aot_ctx *", sn);
    for (uint32_t k = 0; k < t->nparams; k++) put(o, ", %s", ctype[tc(t->params[k])]);
    put(o, ");\n");
  }
}

/* The C declaration of function idx's typed function: "static T fN(...)". */
static void put_proto(cbuf *o, const wm_module *mod, uint32_t idx) {
  const wm_type *t = wm__func_type(mod, idx);
  char sn[64];
  sig_name(mod, t, sn, sizeof sn);
  put(o, "WM_FN WM_NOINLINE ");
  if (t->nresults == 0)
    put(o, "void");
  else if (t->nresults == 1)
    put(o, "%s", ctype[tc(t->results[0])]);
  else
    put(o, "struct r_%s", sn);
  put(o, " f%u(wm_aot_ctx *c", (unsigned)idx);
  for (uint32_t k = 0; k < t->nparams; k++)
    put(o, ", %s l%u", ctype[tc(t->params[k])], (unsigned)k);
  put(o, ")");
}

static int put_function(cbuf *o, fstate *f, uint32_t idx) {
  const wm_module *mod = f->mod;
  const wm_funcdef *fd = &mod->funcs[idx];
  const wm_type *t = wm__func_type(mod, idx);
  const uint8_t *body;
  uint8_t *bb = NULL;
  uint32_t bcap = 0;
  int rc = wm__body_bytes(mod, idx, &body, &bb, &bcap, f->err);
  if (rc) return rc;
  uint32_t *decl = NULL;
  uint32_t nl = t->nparams + fd->nlocals;
  if (fd->nlocals && !(decl = wm__malloc((size_t)fd->nlocals * sizeof *decl))) {
    wm__free(bb);
    return wm__error(f->err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  if (fd->nlocals) rc = wm__decode_locals(mod, fd, body, decl, f->err);
  if (!rc && wm__grow((void **)&f->ltype, &f->nlocals, nl ? nl : 1, 1))
    rc = wm__error(f->err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t i = 0; !rc && i < nl; i++) {
    uint32_t vt = i < t->nparams ? t->params[i] : decl[i - t->nparams];
    int k = tclass(vt);
    if (k < 0) {
      rc = wm__error(f->err, WM_EUNSUPPORTED, fd->body_off, "wasmem compile: %s not supported yet",
                     tclass_why(vt));
      break;
    }
    f->ltype[i] = (uint8_t)k;
    if (k == T_V128) f->simd = true;
  }
  cbuf code = {0};
  if (!rc) {
    f->o = &code;
    f->b = body + (fd->code_start - fd->body_off);
    f->off0 = fd->code_start;
    f->pos = 0;
    f->end = fd->body_len - (fd->code_start - fd->body_off);
    if (f->cap_used) memset(f->used, 0, f->cap_used);
    f->extra = 0;
    f->self = idx;
    f->self_tail = false;
    f->exn_exit = false;
    rc = translate_body(f, idx);
  }
  if (!rc) {
    /* An estimate of the frame: every C local, the blocks' temporaries
    ** (f->extra), a margin. The largest (WM_FRAME_MAX) bounds every frame
    ** of an object built without measured frames, whose functions are
    ** noinline (no frame holds another's). The entry check compares the
    ** frame's address with the floor, which the runtime raised by two
    ** largest frames (this one and the next callee's before its own
    ** check; aot_abi.h's frame_max). */
    uint64_t nvars = nl;
    for (uint32_t d = 0; d < f->cap_used; d++)
      for (int k = 0; k < T_N; k++) nvars += (f->used[d] >> k) & 1;
    uint64_t est = 32 * nvars + f->extra + 512;
    if (est > f->frame_max) f->frame_max = est;
    /* The function a trap site names (wm_trap). */
    put(o, "#undef WM_SELF\n#define WM_SELF %uu\n", (unsigned)idx);
    put_proto(o, mod, idx);
    put(o, " {\n  uint8_t *const mem = c->mem; uint64_t ms = c->mem_size ? *c->mem_size : 0;\n");
    put(o, "  uint64_t ea_; int32_t k_; (void)mem; (void)ms; (void)ea_; (void)k_;\n");
    if (f->metered) put(o, "  int64_t *const fuel_ = c->fuel; const int *const intr_ = c->interrupt;\n");
    put(o, "  if (WM_UNLIKELY((uintptr_t)__builtin_frame_address(0) < c->stack_floor)) wm_trap(c, %d);\n",
        WM_TRAP_STACK_EXHAUSTED);
    if (f->self_tail) put(o, "T_:;\n"); /* a tail call of itself: locals zeroed again */
    for (uint32_t i = t->nparams; i < nl; i++)
      put(o, "  %s l%u = %s;\n", ctype[f->ltype[i]], (unsigned)i,
          f->ltype[i] == T_F32 ? "wm_kf(0)" : f->ltype[i] == T_F64 ? "wm_kd(0)"
          : f->ltype[i] == T_V128 ? "wm_kv(0, 0)" : "0");
    for (uint32_t d = 0; d < f->cap_used; d++)
      for (int k = 0; k < T_N; k++)
        if (f->used[d] & (1u << k)) put(o, "  %s s%u%c; (void)s%u%c;\n", ctype[k], (unsigned)d, tsuf[k], (unsigned)d, tsuf[k]);
    put_bytes(o, code.p ? code.p : "", code.n);
    /* The function's end label is where returns and the last end meet. */
    if (t->nresults == 0) {
      put(o, "  return;\n");
    } else if (t->nresults == 1) {
      put(o, "  return s0%c;\n", tsuf[tc(t->results[0])]);
    } else {
      char sn[64];
      sig_name(mod, t, sn, sizeof sn);
      put(o, "  { struct r_%s r_;", sn);
      for (uint32_t k = 0; k < t->nresults; k++)
        put(o, " r_.r%u = s%u%c;", (unsigned)k, (unsigned)k, tsuf[tc(t->results[k])]);
      put(o, " return r_; }\n");
    }
    /* A pending exception no try_table of the body takes (aot_exn.c). */
    if (f->exn_exit) {
      put(o, "X_:;\n");
      put_zero_return(o, mod, idx);
    }
    put(o, "}\n");
    /* The entry: arguments and results through slots. */
    put(o, "WM_FN void e%u(wm_aot_ctx *c, wm_aot_slot *io) {\n  ", (unsigned)idx);
    if (t->nresults == 1)
      put(o, "%s r_ = ", ctype[tc(t->results[0])]);
    else if (t->nresults > 1) {
      char sn[64];
      sig_name(mod, t, sn, sizeof sn);
      put(o, "struct r_%s r_ = ", sn);
    }
    /* Through an opaque pointer: never inlined here, so that an entry's
    ** frame is always followed by its function's (aot_bt.c). */
    put(o, "WM_OPAQUE(f%u)(c", (unsigned)idx);
    for (uint32_t k = 0, j = 0; k < t->nparams; k++) {
      put(o, ", ");
      put_from_slot(o, "io", &j, tc(t->params[k]));
    }
    put(o, ");\n");
    for (uint32_t k = 0, j = 0; k < t->nresults; k++) {
      int tc = tclass(t->results[k]);
      char r[24];
      snprintf(r, sizeof r, t->nresults == 1 ? "r_" : "r_.r%u", (unsigned)k);
      if (tc == T_V128) {
        put(o, "  wm_vput(&io[%u], %s);\n", (unsigned)j, r);
        j += 2;
        continue;
      }
      if (tc == T_I32 || tc == T_F32) put(o, "  io[%u].u64 = 0;\n", (unsigned)j);
      put(o, "  io[%u].%s = %s;\n", (unsigned)j++, tfield[tc], r);
    }
    put(o, "}\n");
  }
  wm__free(code.p);
  wm__free(decl);
  wm__free(bb);
  return rc;
}

/* What every part starts with: the ABI, the numeric functions, the
** prelude, the signature types. Functions and the tables are static in a
** single file, hidden (visible to the object's other parts only) in a
** split one. */
static void put_header(cbuf *o, const wm_module *mod, uint32_t part, uint32_t nparts,
                       const uint8_t *types, bool simd) {
  put(o, "/* Made by wasmem %s (wasmem compile): module of %zu bytes", WM_VERSION, mod->len);
  if (nparts > 1) put(o, ", part %u of %u", (unsigned)part + 1, (unsigned)nparts);
  put(o, ". */\n");
  /* GCC's -O2 vectorises with the "very cheap" cost model, which takes no
  ** loop that needs a run-time test that its accesses do not overlap:
  ** every versioned loop (aot_vec.c) that writes memory, where all arrays
  ** are one. "cheap" allows that test (bench/matmul: 650 M instructions
  ** to 410 M; CoreMark's object unchanged). Before the headers, so that
  ** every function has the same options (GCC inlines none across
  ** different ones); clang refuses the flag and knows no such pragma. */
  put(o, "#if defined(__GNUC__) && !defined(__clang__)\n#pragma GCC optimize(\"vect-cost-model=cheap\")\n"
         "#endif\n");
  put(o, "#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n");
#define DEF_CODE_(name, code, msg) put(o, "#define WM_%s (%d)\n", #name, code);
  WM_ERRORS(DEF_CODE_)
#undef DEF_CODE_
  put_bytes(o, wm__aot_text_abi, strlen(wm__aot_text_abi));
  put_bytes(o, wm__aot_text_numeric, strlen(wm__aot_text_numeric));
  put_bytes(o, prelude, strlen(prelude));
  if (simd) {
    put_bytes(o, wm__aot_text_simd, strlen(wm__aot_text_simd));
    put_bytes(o, wm__aot_simd_prelude, strlen(wm__aot_simd_prelude));
  }
  if (nparts > 1)
    put(o, "#define WM_FN __attribute__((visibility(\"hidden\")))\n"
           "#define WM_TABLE extern __attribute__((visibility(\"hidden\")))\n");
  else
    put(o, "#define WM_FN static\n#define WM_TABLE static\n");
  put_sig_types(o, mod, types);
}

/* The module's bytes, wm_wasm, as a string literal: a compiler reads one
** many times faster than as many numbers (yosys' 30.8 MB with gcc -O2:
** 4.7 CPU-seconds and 420 MB, against 150 s and 3.8 GB for the decimal
** array this replaced), and the file stays self-contained. Printable characters stand for themselves,
** the rest are three-digit octal escapes (a hex escape would take the
** digits after it); '?' is escaped against trigraphs. The array has
** exactly len elements: C drops the literal's terminating zero. */
static void put_wasm_bytes(cbuf *o, const wm_module *mod) {
  put(o, "static const uint8_t wm_wasm[%zu] =", mod->len ? mod->len : (size_t)1);
  if (!mod->len) {
    put(o, " {0};\n");
    return;
  }
  char line[4 * 64 + 8];
  for (size_t i = 0; i < mod->len; i += 64) {
    size_t n = 0, end = mod->len - i < 64 ? mod->len : i + 64;
    line[n++] = '"';
    for (size_t k = i; k < end; k++) {
      uint8_t b = mod->bytes[k];
      if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\' && b != '?') {
        line[n++] = (char)b;
      } else {
        line[n++] = '\\';
        line[n++] = (char)('0' + (b >> 6));
        line[n++] = (char)('0' + ((b >> 3) & 7));
        line[n++] = (char)('0' + (b & 7));
      }
    }
    line[n++] = '"';
    put_bytes(o, "\n", 1);
    put_bytes(o, line, n);
  }
  put(o, ";\n");
}

/* Part 0's end: the tables of entries and typed functions, the module's
** bytes, their hash and the descriptor. */
static void put_tables(cbuf *o, const wm_module *mod, uint32_t nparts, uint32_t flags) {
  uint32_t nimp = mod->nfunc_imports, ndef = mod->nfuncs - nimp;
  const char *def = nparts > 1 ? "__attribute__((visibility(\"hidden\"))) " : "static ";
  put(o, "%sconst wm_aot_entry wm_entries[%u] = {", def, (unsigned)(ndef ? ndef : 1));
  for (uint32_t i = nimp; i < mod->nfuncs; i++) put(o, "%se%u", i > nimp ? ", " : "", (unsigned)i);
  put(o, "%s};\n", ndef ? "" : "0");
  put(o, "%svoid (*const wm_direct[%u])(void) = {", def, (unsigned)(ndef ? ndef : 1));
  for (uint32_t i = nimp; i < mod->nfuncs; i++)
    put(o, "%s(void (*)(void))f%u", i > nimp ? ", " : "", (unsigned)i);
  put(o, "%s};\n", ndef ? "" : "0");
  put_wasm_bytes(o, mod);
  /* The largest frame (aot_abi.h): the translator's estimate, or, where
  ** the functions may be inlined into each other (WM_FRAMES_MEASURED),
  ** the largest the compiler reported (-fstack-usage), in a file of its
  ** own that `wasmem compile` writes and links in. */
  put(o, "#ifdef WM_FRAMES_MEASURED\nextern __attribute__((visibility(\"hidden\"))) const uint64_t wm_frame_max;\n"
         "#else\nstatic const uint64_t wm_frame_max = WM_FRAME_MAX;\n#endif\n");
  uint8_t h[16];
  wm_module_hash(mod->bytes, mod->len, h);
  put(o, "__attribute__((visibility(\"default\"))) const wm_aot_module WM_AOT_SYMBOL = {\n");
  put(o, "  WM_AOT_ABI, %uu, wm_wasm, %zuu, {", (unsigned)ndef, mod->len);
  for (int i = 0; i < 16; i++) put(o, "%s%u", i ? "," : "", h[i]);
  put(o, "}, wm_entries, wm_direct, %uu, &wm_frame_max};\n", (unsigned)flags);
}

/* Spread the defined functions over nparts by body size, largest first,
** each to the part with the fewest bytes so far: part[i - imports]. */
static int spread(const wm_module *mod, uint32_t nparts, uint32_t *part, wm_error *err) {
  uint32_t nimp = mod->nfunc_imports, ndef = mod->nfuncs - nimp;
  uint32_t *order = wm__malloc(((size_t)ndef + 1) * sizeof *order);
  uint64_t *load = wm__calloc(nparts, sizeof *load);
  if (!order || !load) {
    wm__free(order);
    wm__free(load);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  for (uint32_t i = 0; i < ndef; i++) order[i] = i;
  /* A shell sort of the order by size, largest first (stable enough:
  ** equal sizes go anywhere). */
  for (uint32_t gap = ndef / 2; gap > 0; gap /= 2)
    for (uint32_t i = gap; i < ndef; i++)
      for (uint32_t j = i; j >= gap && mod->funcs[nimp + order[j - gap]].body_len <
                                           mod->funcs[nimp + order[j]].body_len; j -= gap) {
        uint32_t t = order[j];
        order[j] = order[j - gap];
        order[j - gap] = t;
      }
  /* Part 0 also holds the module's bytes, a string literal, and declares
  ** every function: on yosys (30.8 MB) gcc -O2 takes 9 CPU-seconds for
  ** that part without bodies, what about 100 KB of bodies cost (a part of
  ** 3.1 MB of bodies, 41 MB of C, took 303 CPU-seconds and 2.8 GB). An
  ** eighth of the module, as for the array of numbers before, left part 0
  ** with no body at all. */
  load[0] = mod->len / 256;
  for (uint32_t k = 0; k < ndef; k++) {
    uint32_t best = 0;
    for (uint32_t p = 1; p < nparts; p++)
      if (load[p] < load[best]) best = p;
    part[order[k]] = best;
    load[best] += mod->funcs[nimp + order[k]].body_len + 64;
  }
  wm__free(order);
  wm__free(load);
  return 0;
}

int wm_module_to_c_parts(const wm_module *mod, const wm_compile_options *opts, uint32_t nparts,
                         char **out, size_t *out_len, wm_error *err) {
  if (!mod || !out || nparts == 0 || nparts > WM_C_PARTS_MAX)
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "wm_module_to_c_parts: NULL argument or not 1 to %u parts", WM_C_PARTS_MAX);
  const uint32_t known = WM_COMPILE_BOUNDS_CHECKS | WM_COMPILE_METERED;
  if (opts && (opts->flags & ~known))
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_compile_options.flags: unknown flag 0x%x",
                     (unsigned)(opts->flags & ~known));
  for (uint32_t p = 0; p < nparts; p++) {
    out[p] = NULL;
    if (out_len) out_len[p] = 0;
  }
  int rc = check_module(mod, err);
  if (rc) return rc;
  uint32_t nimp = mod->nfunc_imports, ndef = mod->nfuncs - nimp;
  size_t nf = mod->nfuncs ? mod->nfuncs : 1, nt = mod->ntypes ? mod->ntypes : 1;
  uint32_t *part = wm__calloc((size_t)ndef + 1, sizeof *part);
  cbuf *bodies = wm__calloc(nparts, sizeof *bodies);
  uint8_t *refs = wm__calloc(nparts, nf), *trefs = wm__calloc(nparts, nt);
  if (!part || !bodies || !refs || !trefs) rc = wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  if (!rc && nparts > 1) rc = spread(mod, nparts, part, err);
  fstate f;
  memset(&f, 0, sizeof f);
  f.mod = mod;
  f.err = err;
  /* v128 in a signature or a global: the file needs simd_lanes.h even
  ** where no body names one (the bodies set f.simd for theirs). */
  for (uint32_t i = 0; i < mod->ntypes; i++) {
    const wm_type *t = &mod->types[i];
    if (t->kind != WM_COMP_FUNC) continue; /* a struct's v128 field is no value here */
    for (uint32_t k = 0; k < t->nparams; k++) f.simd |= tclass(t->params[k]) == T_V128;
    for (uint32_t k = 0; k < t->nresults; k++) f.simd |= tclass(t->results[k]) == T_V128;
  }
  for (uint32_t i = 0; i < mod->nglobals; i++) f.simd |= tclass(mod->globals[i].type.type) == T_V128;
  /* Guard pages need a 64-bit address space: a 32-bit host checks. */
  /* Only a 32-bit memory 0 is guarded (aot_mem.c): without one, nothing is. */
  f.guarded = sizeof(void *) >= 8 && !(opts && (opts->flags & WM_COMPILE_BOUNDS_CHECKS)) &&
              !(mod->nmems && mod->mems[0].is64);
  f.metered = opts && (opts->flags & WM_COMPILE_METERED);
  /* The bodies go to their part's buffer first: WM_FRAME_MAX, the largest
  ** frame bound, is known only after them all and they use it; and a
  ** part declares only what its bodies name (refs, trefs). */
  f.tails = wm__calloc(nf, 1);
  if (!rc && !f.tails) rc = wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (;;) {
    for (uint32_t i = nimp; !rc && i < mod->nfuncs; i++) {
      uint32_t p = part[i - nimp];
      f.refs = refs + (size_t)p * nf;
      f.trefs = trefs + (size_t)p * nt;
      f.trefs[sig_index(mod, wm__func_type(mod, i))] = 1;
      rc = put_function(&bodies[p], &f, i);
    }
    if (rc || (f.tail == f.tail_used && f.exn == f.exn_used)) break;
    /* Some body leaves tail calls pending: now that f.tails says which,
    ** the bodies again, with the calls that may see one checking. Or some
    ** try_table catches: every call checks for a pending exception
    ** (aot_exn.c). */
    f.tail = f.tail_used;
    f.exn = f.exn_used;
    f.frame_max = 0;
    memset(refs, 0, (size_t)nparts * nf);
    memset(trefs, 0, (size_t)nparts * nt);
    for (uint32_t p = 0; p < nparts; p++) {
      wm__free(bodies[p].p);
      memset(&bodies[p], 0, sizeof bodies[p]);
    }
  }
  for (uint32_t p = 0; !rc && p < nparts; p++) {
    /* Part 0's tables name every function. */
    uint8_t *r = refs + (size_t)p * nf, *tr = trefs + (size_t)p * nt;
    cbuf decls = {0}, o = {0};
    put(&decls, "#define WM_FRAME_MAX %" PRIu64 "u\n", f.frame_max);
    for (uint32_t i = nimp; i < mod->nfuncs; i++) {
      if (p == 0 || (r[i] & REF_F)) {
        put_proto(&decls, mod, i);
        put(&decls, ";\n");
      }
      if (p == 0 || (r[i] & REF_E))
        put(&decls, "WM_FN void e%u(wm_aot_ctx *c, wm_aot_slot *io);\n", (unsigned)i);
      if (p == 0 || (r[i] & (REF_F | REF_E))) tr[sig_index(mod, wm__func_type(mod, i))] = 1;
    }
    if (p == 0 || (r[0] & REF_TABLES)) {
      put(&decls, "WM_TABLE const wm_aot_entry wm_entries[%u];\n", (unsigned)(ndef ? ndef : 1));
      put(&decls, "WM_TABLE void (*const wm_direct[%u])(void);\n", (unsigned)(ndef ? ndef : 1));
    }
    put_header(&o, mod, p, nparts, tr, f.simd);
    put_bytes(&o, decls.p ? decls.p : "", decls.n);
    put_bytes(&o, bodies[p].p ? bodies[p].p : "", bodies[p].n);
    wm__free(bodies[p].p);
    bodies[p].p = NULL;
    if (p == 0)
      put_tables(&o, mod, nparts,
                 (f.guarded ? WM_AOT_GUARDED : 0u) | (f.metered ? WM_AOT_METERED : 0u) |
                     (f.exn ? WM_AOT_EXN : 0u));
    wm__free(decls.p);
    if (o.oom || bodies[p].oom || decls.oom) {
      wm__free(o.p);
      rc = wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
      break;
    }
    out[p] = o.p;
    if (out_len) out_len[p] = o.n;
  }
  wm__free(refs);
  wm__free(trefs);
  for (uint32_t p = 0; bodies && p < nparts; p++) wm__free(bodies[p].p);
  wm__free(bodies);
  wm__free(part);
  wm__free(f.stk);
  wm__free(f.used);
  wm__free(f.cs);
  wm__free(f.ltype);
  wm__free(f.tails);
  if (rc)
    for (uint32_t p = 0; p < nparts; p++) {
      wm__free(out[p]);
      out[p] = NULL;
    }
  return rc;
}

int wm_module_to_c(const wm_module *mod, char **out, size_t *out_len, wm_error *err) {
  if (!mod || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_to_c: NULL argument");
  return wm_module_to_c_parts(mod, NULL, 1, out, out_len, err);
}
