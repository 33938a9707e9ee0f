/*
** interp.c -- the interpreter: one dispatch loop that executes the lowered,
** slot-addressed code of ops.h, plus the entry point that sets up the
** outermost call and turns a trap into an error with a wasm backtrace.
*/
#include <stdio.h>
#include <string.h>

#include "runtime.h"
#include "check.h"
#include "ops.h"
#include "numeric.h"

/* Computed goto needs GCC's labels-as-values; everything else, or a build
** that asks for it, gets the portable switch. */
#if defined(__GNUC__) && !defined(WM_SWITCH_DISPATCH)
#define WM_GOTO_DISPATCH 1
#endif

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

static const char *const op_names[WM_OP_COUNT_] = {
#define WM_OP_NAME_(name, cls, wasm) #name,
    WM_OPS(WM_OP_NAME_)
#undef WM_OP_NAME_
};

const char *wm__op_name(wm_op op) {
  return (unsigned)op < WM_OP_COUNT_ ? op_names[op] : "?";
}

/* ------------------------------------------------------------ helpers */

/*
** Every load and store of linear memory goes through here: the effective
** address is computed in 64 bits (addr + offset < 2^33 cannot wrap) and the
** whole access [ea, ea+n) must lie below the memory's current size. Returns
** false when it does not (the caller traps), else sets *p. This is the single
** hook point for the future memory checker. (A NULL return for failure
** would cost every access a second test: base + ea may be NULL for all the
** compiler knows.)
*/
static inline bool mem_access(uint8_t *base, uint64_t size, uint32_t addr, uint32_t offset,
                              uint32_t n, uint8_t **p) {
  uint64_t ea = (uint64_t)addr + offset;
  if (WM_UNLIKELY(ea + n > size)) return false;
  *p = base + ea;
  return true;
}

/*
** Function entry, after the checks: zero the declared locals and copy the
** constants into their slots. The arguments are already in
** nfp[0..nparam_slots). compile.c makes every frame at least nparam_slots +
** 4 slots long, so up to four locals are zeroed with four unconditional
** stores (what lies past the locals is constant or operand-stack space that
** nothing has written yet): a loop would become a memset call, around
** which the dispatch loop spills its registers on every wasm call, and
** tests of the count would cost branches.
*/
static inline void enter_frame(const wm_code *c, wm_slot *nfp) {
  wm_slot *l = nfp + c->nparam_slots;
  uint32_t n = c->nlocal_slots - c->nparam_slots;
  if (WM_UNLIKELY(n > 4)) {
    memset(l, 0, n * sizeof *l);
  } else {
    l[0].u64 = 0;
    l[1].u64 = 0;
    l[2].u64 = 0;
    l[3].u64 = 0;
  }
  /* Functions whose constants all became immediates have none to copy. */
  if (c->nconsts) {
    const uint64_t *k = c->consts;
    wm_slot *ks = nfp + c->nlocal_slots;
    for (uint32_t i = 0; i < c->nconsts; i++) ks[i].u64 = k[i];
  }
}

/* The outermost activation of a wm__interp_call: check the call depth and
** that the whole frame fits on the value stack, enter it and push its
** record. (Calls inside the loop do the same with the frame pointer in a
** register; see CALL.) */
static int push_entry_frame(wm_runtime *rt, wm_func *callee, wm_slot *nfp) {
  const wm_code *c = callee->code;
  if (WM_UNLIKELY(rt->nframes >= rt->max_frames ||
                  (size_t)(rt->stack_end - nfp) < c->frame_slots))
    return WM_TRAP_STACK_EXHAUSTED;
  enter_frame(c, nfp);
  wm_frame *fr = &rt->frames[rt->nframes++];
  fr->ret_ip = NULL;
  fr->fp = nfp;
  fr->func = callee;
  return 0;
}

/*
** Call a host function: its arguments are in args[0..nparams) in slot form,
** its results go to args[0..nresults). The wm_val arrays are built on the
** value stack at `scratch` (nothing guest-sized goes on the C stack), and
** rt->stack_top is raised past them so that a host function that calls back
** into wasm runs above everything live. A trap message the host set is
** copied to msg (256 bytes).
*/
static int call_host(wm_runtime *rt, wm_instance *caller, wm_func *hf, wm_slot *args,
                     wm_slot *scratch, char *msg) {
  const wm_type *t = hf->type;
  size_t need = 2 * ((size_t)t->nparams + t->nresults); /* a wm_val is two slots */
  if ((size_t)(rt->stack_end - scratch) < need) return WM_TRAP_STACK_EXHAUSTED;
  wm_val *vargs = (wm_val *)scratch, *vres = vargs + t->nparams;
  for (uint32_t i = 0; i < t->nparams; i++) {
    wm_val *v = &vargs[i];
    v->type = t->params[i];
    v->of.i64 = 0;
    switch (t->params[i]) {
      case WM_I32: v->of.i32 = args[i].i32; break;
      case WM_F32: v->of.f32_bits = args[i].u32; break;
      case WM_FUNCREF:
      case WM_EXTERNREF: v->of.ref = args[i].ref; break;
      default: v->of.i64 = args[i].i64; break; /* i64, f64 */
    }
  }
  for (uint32_t i = 0; i < t->nresults; i++) {
    vres[i].type = t->results[i];
    vres[i].of.i64 = 0;
  }
  wm_call_ctx ctx;
  ctx.rt = rt;
  ctx.caller = caller;
  ctx.trap_msg = NULL;
  ctx.trap_buf[0] = 0;
  wm_slot *saved_top = rt->stack_top;
  rt->stack_top = scratch + need; /* a re-entrant call starts above us */
  int rc = hf->host(&ctx, vargs, vres, hf->host_data);
  rt->stack_top = saved_top;
  if (rc != 0) {
    if (!wm_is_trap(rc)) rc = WM_TRAP_HOST;
    if (ctx.trap_msg) snprintf(msg, 256, "%s", ctx.trap_msg);
    return rc;
  }
  for (uint32_t i = 0; i < t->nresults; i++) {
    switch (t->results[i]) {
      case WM_I32: args[i].u64 = (uint32_t)vres[i].of.i32; break;
      case WM_F32: args[i].u64 = vres[i].of.f32_bits; break;
      case WM_FUNCREF:
      case WM_EXTERNREF: args[i].ref = vres[i].of.ref; break;
      default: args[i].i64 = vres[i].of.i64; break;
    }
  }
  return 0;
}

static inline uint64_t head_at(const uint32_t *ip) {
  uint64_t h;
  memcpy(&h, ip, 8); /* cells are 4-byte aligned only */
  return h;
}

/* ------------------------------------------------------------ the loop */

/* Dispatch. In the goto build the head is the handler's address; in the
** switch build it is the opcode. vmbreak ends every handler: it fetches and
** jumps to the next one (goto) or leaves the switch for the loop (switch). */
#ifdef WM_GOTO_DISPATCH
#define vmdispatch(h) goto *(void *)(uintptr_t)(h);
#define vmcase(name) L_##name:
#define vmbreak goto *(void *)(uintptr_t)head_at(ip)
#else
#define vmdispatch(h) switch ((wm_op)(h))
#define vmcase(name) case WM_OP_##name:
#define vmbreak break
#endif

/* Operand cell k of the current instruction, and the slot it names. */
#define OPD(k) ip[WM_HEAD_CELLS + (k)]
#define R(k) fp[OPD(k)]
#define TRAP(code)                                                            \
  do {                                                                        \
    trap = (code);                                                            \
    goto trapped;                                                             \
  } while (0)

/* The memory cache: memory 0 of the running instance. Its base never moves,
** but its size can change (memory.grow here, in another instance sharing it,
** or by a host function), so every place that may have changed it reloads. */
#define LOAD_MEM()                                                            \
  do {                                                                        \
    if (inst->mod->nmems) {                                                   \
      mem0 = inst->mems[0];                                                   \
      membase = mem0->base;                                                   \
      memsize = mem0->size;                                                   \
    } else {                                                                  \
      mem0 = NULL;                                                            \
      membase = NULL;                                                         \
      memsize = 0;                                                            \
    }                                                                         \
    CHK_LOAD_SHADOW();                                                        \
  } while (0)

/* Instruction classes (see ops.h): UN `d a`, BIN `d a b`, CMPBR `a b off`.
** In UN and BIN the operand slots are R(1) and R(2). */
#define UN(name, dfield, expr)                                                \
  vmcase(name) {                                                              \
    R(0).dfield = (expr);                                                     \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
#define BIN(name, dfield, expr)                                               \
  vmcase(name) {                                                              \
    R(0).dfield = (expr);                                                     \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
/* Operations that can trap return 0 or the trap code (numeric.h). */
#define BIN_TRAP(name, ctype, field, fn)                                      \
  vmcase(name) {                                                              \
    ctype r_;                                                                 \
    int t_ = fn(R(1).field, R(2).field, &r_);                                 \
    if (WM_UNLIKELY(t_)) TRAP(t_);                                            \
    R(0).field = r_;                                                          \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define UN_TRAP(name, ctype, dfield, afield, fn)                              \
  vmcase(name) {                                                              \
    ctype r_;                                                                 \
    int t_ = fn(R(1).afield, &r_);                                            \
    if (WM_UNLIKELY(t_)) TRAP(t_);                                            \
    R(0).dfield = r_;                                                         \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
#define CMPBR(name, field, cmp)                                               \
  vmcase(name) {                                                              \
    if (R(0).field cmp R(1).field)                                            \
      ip += (int32_t)OPD(2);                                                  \
    else                                                                      \
      ip += 5;                                                                \
    vmbreak;                                                                  \
  }
/* Loads `d a imm` and stores `a b imm`; ctype is the type in memory. */
#define LOAD(name, n, ctype, dfield)                                          \
  vmcase(name) {                                                              \
    ctype v_;                                                                 \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32, OPD(2), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                           \
    memcpy(&v_, p_, n);                                                       \
    R(0).dfield = v_;                                                         \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define STORE(name, n, ctype, afield)                                         \
  vmcase(name) {                                                              \
    ctype v_ = (ctype)R(1).afield;                                            \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(0).u32, OPD(2), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, true);                                            \
    memcpy(p_, &v_, n);                                                       \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }

/* Immediate forms (ops.h): BINK `d a imm`, CMPBRK `a imm off`, LOADK
** `d a imm off`, STOREK `a imm b off`. The address of LOADK/STOREK wraps
** at 2^32 like the i32.add it replaces; only then is the offset added (in
** 64 bits, by mem_access). */
#define BINK(name, dfield, expr)                                              \
  vmcase(name) {                                                              \
    R(0).dfield = (expr);                                                     \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define CMPBRK(name, field, ctype, cmp)                                       \
  vmcase(name) {                                                              \
    if (R(0).field cmp (ctype)OPD(1))                                         \
      ip += (int32_t)OPD(2);                                                  \
    else                                                                      \
      ip += 5;                                                                \
    vmbreak;                                                                  \
  }
#define LOADK(name, n, ctype, dfield)                                         \
  vmcase(name) {                                                              \
    ctype v_;                                                                 \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32 + OPD(2), OPD(3), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                           \
    memcpy(&v_, p_, n);                                                       \
    R(0).dfield = v_;                                                         \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
#define STOREK(name, n, ctype, afield)                                        \
  vmcase(name) {                                                              \
    ctype v_ = (ctype)R(2).afield;                                            \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(0).u32 + OPD(1), OPD(3), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, true);                                            \
    memcpy(p_, &v_, n);                                                       \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* LOADX `d a x off` and STOREX `a x b off`: as LOADK and STOREK with the
** displacement in slot x. */
#define LOADX(name, n, ctype, dfield)                                         \
  vmcase(name) {                                                              \
    ctype v_;                                                                 \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32 + R(2).u32, OPD(3), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                           \
    memcpy(&v_, p_, n);                                                       \
    R(0).dfield = v_;                                                         \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
#define STOREX(name, n, ctype, afield)                                        \
  vmcase(name) {                                                              \
    ctype v_ = (ctype)R(2).afield;                                            \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(0).u32 + R(1).u32, OPD(3), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, true);                                            \
    memcpy(p_, &v_, n);                                                       \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* BINLD `d a b imm off`: d = a op v, v loaded (n bytes, as ctype) like
** LOADK from b + imm and off. */
#define BINLD(name, n, ctype, field, op)                                      \
  vmcase(name) {                                                              \
    ctype v_;                                                                 \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(2).u32 + OPD(3), OPD(4), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                           \
    memcpy(&v_, p_, n);                                                       \
    R(0).field = R(1).field op v_;                                            \
    ip += 7;                                                                  \
    vmbreak;                                                                  \
  }
/* BINRMW `a b imm off`: BINLD with the result stored back in place. One
** mem_access covers both the load and the store: same address, same size. */
#define BINRMW(name, n, ctype, field, op)                                     \
  vmcase(name) {                                                              \
    ctype v_;                                                                 \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32 + OPD(2), OPD(3), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, true);                                            \
    memcpy(&v_, p_, n);                                                       \
    v_ = R(0).field op v_;                                                    \
    memcpy(p_, &v_, n);                                                       \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* A LOAD `d a imm` of an i32 (n bytes, zero-extended) that then branches
** on the value it loaded (`d a imm off`): when it `cmp` 0. */
#define LOADBR(name, n, ctype, cmp)                                           \
  vmcase(name) {                                                              \
    ctype v_;                                                                 \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32, OPD(2), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                           \
    memcpy(&v_, p_, n);                                                       \
    R(0).u32 = v_;                                                            \
    if (v_ cmp 0)                                                             \
      ip += (int32_t)OPD(3);                                                  \
    else                                                                      \
      ip += 6;                                                                \
    vmbreak;                                                                  \
  }
/* ADDBR `d a imm x k off`: I32_ADD_K d a imm, then CMPBRK x k off. x is
** read only after d is written: it is often d itself. */
#define ADDBR(name, field, ctype, cmp)                                        \
  vmcase(name) {                                                              \
    R(0).u32 = R(1).u32 + OPD(2);                                             \
    if (R(3).field cmp (ctype)OPD(4))                                         \
      ip += (int32_t)OPD(5);                                                  \
    else                                                                      \
      ip += 8;                                                                \
    vmbreak;                                                                  \
  }
/* The sign-extended immediate of an i64 BINK. */
#define IMM64 ((uint64_t)(int64_t)(int32_t)OPD(2))

#ifdef WM_GOTO_DISPATCH
/* The handler addresses of run() [0] and run_checked() [1], published by
** each when called with rt == NULL. */
static const void *const *dispatch_tables[2];
#endif

/*
** The checked loop's hooks (interp_loop.h with WM_CHECKED 1). CHK_ACCESS
** reads the shadow of an access as one integer of its width: zero means
** nothing to say, anything else goes to check.c's slow path, which reports
** (and lets the access happen: it is within the memory). In the plain loop
** they expand to nothing.
*/
static inline bool shadow_dirty(const uint8_t *s, uint32_t n) {
  uint16_t v2;
  uint32_t v4;
  uint64_t v8;
  switch (n) {
  case 1: return s[0] != 0;
  case 2: memcpy(&v2, s, 2); return v2 != 0;
  case 4: memcpy(&v4, s, 4); return v4 != 0;
  default: memcpy(&v8, s, 8); return v8 != 0;
  }
}

/* A call of a hooked function from the checked loop: like a host call, the
** callee runs in a nested activation whose frame starts at top (above
** everything live); a trap there keeps its message and backtrace. */
static NOINLINE int hooked(wm_runtime *rt, wm_func *callee, wm_slot *args, wm_slot *top,
                           const uint32_t *ip, char *msg) {
  wm_slot *saved_top = rt->stack_top;
  wm_error err;
  rt->stack_top = top;
  int rc = wm__check_call(rt, callee, args, ip, &err);
  rt->stack_top = saved_top;
  if (rc) snprintf(msg, 256, "%.255s", err.message);
  return rc;
}

static int run(wm_runtime *rt, char *msg);
static int run_checked(wm_runtime *rt, char *msg);

/* A call into code lowered for the other loop (an instance of a checked
** module calling one of a plain module, or the reverse): a nested
** activation above everything live, like a host call. */
static NOINLINE int nested(wm_runtime *rt, wm_func *callee, wm_slot *args, wm_slot *top,
                           char *msg) {
  wm_slot *saved_top = rt->stack_top;
  wm_error err;
  rt->stack_top = top;
  int rc = wm__interp_call(rt, callee, args, &err);
  rt->stack_top = saved_top;
  if (rc) snprintf(msg, 256, "%.255s", err.message);
  return rc;
}

#define WM_CHECKED 0
#define RUN_NAME run
#define CHK_LOAD_SHADOW() ((void)0)
#define CHK_ACCESS(p, n, w) ((void)0)
#define CHK_RANGE(ea, n, w) ((void)0)
#include "interp_loop.h"
#undef WM_CHECKED
#undef RUN_NAME
#undef CHK_LOAD_SHADOW
#undef CHK_ACCESS
#undef CHK_RANGE

#define WM_CHECKED 1
#define RUN_NAME run_checked
#define CHK_LOAD_SHADOW() (shadow = mem0 ? mem0->shadow : NULL)
#define CHK_ACCESS(p, n, w)                                                   \
  do {                                                                        \
    if (shadow && WM_UNLIKELY(shadow_dirty(shadow + ((p) - membase), n))) {   \
      rt->nframes = (uint32_t)(frp - rt->frames) + 1;                         \
      wm__check_access(mem0, (uint64_t)((p) - membase), n, w, ip);            \
    }                                                                         \
  } while (0)
#define CHK_RANGE(ea, n, w)                                                   \
  do {                                                                        \
    if (shadow && (n)) {                                                      \
      rt->nframes = (uint32_t)(frp - rt->frames) + 1;                         \
      wm__check_range(mem0, ea, n, w, ip);                                    \
    }                                                                         \
  } while (0)
#include "interp_loop.h"
#undef WM_CHECKED
#undef RUN_NAME
#undef CHK_LOAD_SHADOW
#undef CHK_ACCESS
#undef CHK_RANGE


#undef vmdispatch
#undef vmcase
#undef vmbreak
#undef OPD
#undef R
#undef TRAP
#undef LOAD_MEM
#undef UN
#undef BIN
#undef BIN_TRAP
#undef UN_TRAP
#undef CMPBR
#undef LOAD
#undef STORE
#undef BINK
#undef CMPBRK
#undef LOADK
#undef STOREK
#undef BINLD
#undef LOADX
#undef BINRMW
#undef LOADBR
#undef ADDBR
#undef STOREX
#undef IMM64

/* ------------------------------------------------------------ heads */

#ifdef WM_GOTO_DISPATCH
static const void *const *get_table(bool checked) {
  if (!dispatch_tables[0]) run(NULL, NULL); /* publish the label addresses */
  if (!dispatch_tables[1]) run_checked(NULL, NULL);
  return dispatch_tables[checked];
}
#endif

uint64_t wm__op_head(wm_op op, bool checked) {
#ifdef WM_GOTO_DISPATCH
  if ((unsigned)op >= WM_OP_COUNT_) return 0;
  return (uint64_t)(uintptr_t)get_table(checked)[op];
#else
  (void)checked; /* both loops switch on the same opcode numbers */
  return (uint64_t)op;
#endif
}

wm_op wm__op_from_head(uint64_t head) {
#ifdef WM_GOTO_DISPATCH
  for (int k = 0; k < 2; k++) {
    const void *const *t = get_table(k);
    for (unsigned i = 0; i < WM_OP_COUNT_; i++)
      if ((uint64_t)(uintptr_t)t[i] == head) return (wm_op)i;
  }
  return WM_OP_COUNT_;
#else
  return head < WM_OP_COUNT_ ? (wm_op)head : WM_OP_COUNT_;
#endif
}

/* ------------------------------------------------------------ entry */

/* The module byte offset of the instruction at ip in code (the last
** recorded one at or before it: every instruction that can trap, calls
** included, is recorded), or UINT32_MAX if unknown. */
static uint32_t byte_offset(const wm_code *code, const uint32_t *ip) {
  if (!ip || !code->npcmap || ip < code->code || ip >= code->code + code->ncode) return UINT32_MAX;
  uint32_t cell = (uint32_t)(ip - code->code), lo = 0, hi = code->npcmap;
  while (lo < hi) { /* the first entry past cell */
    uint32_t mid = lo + (hi - lo) / 2;
    if (code->pcmap_cell[mid] <= cell) lo = mid + 1;
    else hi = mid;
  }
  return lo ? code->pcmap_off[lo - 1] : UINT32_MAX;
}

/* A function's name for a report: the name section's, else an export's. */
const char *wm__func_label(const wm_module *mod, uint32_t idx) {
  const char *name = wm_module_func_name(mod, idx);
  for (uint32_t i = 0; !name && i < mod->nexports; i++)
    if (mod->exports[i].kind == WM_EXTERN_FUNC && mod->exports[i].idx == idx &&
        !memchr(mod->exports[i].name, 0, mod->exports[i].name_len) &&
        mod->exports[i].name[mod->exports[i].name_len] == 0)
      name = mod->exports[i].name;
  return name;
}

uint32_t wm__capture_stack(const wm_runtime *rt, const uint32_t *ip, wm_check_frame *out,
                           uint32_t max) {
  uint32_t n = 0;
  for (uint32_t i = rt->nframes; i-- > 0 && n < max;) {
    const wm_func *fn = rt->frames[i].func;
    const uint32_t *at = i + 1 == rt->nframes ? ip : rt->frames[i + 1].ret_ip;
    if (at && i + 1 != rt->nframes) at--;
    out[n].func_idx = fn->idx;
    out[n].offset = fn->code && at ? byte_offset(fn->code, at) : UINT32_MAX;
    out[n].name = fn->inst ? wm__func_label(fn->inst->mod, fn->idx) : NULL;
    n++;
  }
  return n;
}

/* Append the backtrace of the active frames above depth0, innermost first,
** to buf; stops with "..." when the buffer is full (deep recursion). Each
** line has the byte offset of the instruction: for the innermost frame the
** one that trapped, for the others their call (a return address points
** past it, hence the cell back). An entry frame has no return address, so
** the frame that called into the host before it shows no offset. */
static void backtrace(const wm_runtime *rt, uint32_t depth0, char *buf, size_t cap) {
  size_t len = strlen(buf);
  for (uint32_t i = rt->nframes; i-- > depth0;) {
    const wm_func *fn = rt->frames[i].func;
    const char *name = fn->inst ? wm_module_func_name(fn->inst->mod, fn->idx) : NULL;
    const uint32_t *ip = i + 1 == rt->nframes ? rt->trap_ip : rt->frames[i + 1].ret_ip;
    if (ip && i + 1 != rt->nframes) ip--;
    uint32_t off = fn->code ? byte_offset(fn->code, ip) : UINT32_MAX;
    char line[160], at[32] = "";
    if (off != UINT32_MAX) snprintf(at, sizeof at, ", byte 0x%x", (unsigned)off);
    int n = snprintf(line, sizeof line, "\n  at %.100s (func %u%s)", name ? name : "<unnamed>",
                     (unsigned)fn->idx, at);
    if (n < 0) break;
    if (len + (size_t)n + 8 >= cap) {
      snprintf(buf + len, cap - len, "\n  ...");
      return;
    }
    memcpy(buf + len, line, (size_t)n + 1);
    len += (size_t)n;
  }
}

/* Fill err for a trap: the message, then the backtrace. Kept out of
** wm__interp_call so its buffer is not on the C stack of every nested call. */
static NOINLINE void trap_error(const wm_runtime *rt, uint32_t depth0, int rc,
                                                 const char *msg, wm_error *err) {
  char buf[sizeof err->message];
  snprintf(buf, sizeof buf, "%s", msg[0] ? msg : wm_strerror(rc));
  backtrace(rt, depth0, buf, sizeof buf);
  wm__error(err, rc, UINT32_MAX, "%s", buf);
}

/*
** Nesting of wm__interp_call on this thread's C stack: a host function that
** calls back into wasm, which calls the host again, and so on, recurses in
** C. The wasm frame limit does not bound that (each level may hold only one
** frame), so this does, well before a small thread stack would overflow.
** Per thread because the C stack is.
*/
#define MAX_NESTING 256
static _Thread_local uint32_t nesting;

/* The loop that runs f's code: the checked one for checked modules. */
static int run_for(wm_runtime *rt, const wm_func *f, char *msg) {
  return f->inst->mod->checked ? run_checked(rt, msg) : run(rt, msg);
}

int wm__interp_call(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err) {
  /* Functions of a checked guest's allocator are tracked by check.c, which
  ** calls back into wm__interp_call_plain. Only a checker sets hook. */
  if (WM_UNLIKELY(f->hook)) return wm__check_call(rt, f, args_results, NULL, err);
  return wm__interp_call_plain(rt, f, args_results, err);
}

int wm__interp_call_plain(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err) {
  const uint32_t depth0 = rt->nframes;
  wm_slot *const top0 = rt->stack_top;
  const wm_type *t = f->type;
  char msg[256];
  int rc;

  msg[0] = 0;
  if (nesting >= MAX_NESTING) {
    rc = WM_TRAP_STACK_EXHAUSTED;
    goto failed;
  }
  /* The callee's frame starts at the stack top; the arguments must be
  ** there (they usually already are). */
  wm_slot *fp = top0;
  size_t nio = t->nparams > t->nresults ? t->nparams : t->nresults;
  if ((size_t)(rt->stack_end - fp) < nio) {
    rc = WM_TRAP_STACK_EXHAUSTED;
    goto failed;
  }
  if (args_results != fp && t->nparams)
    memmove(fp, args_results, t->nparams * sizeof(wm_slot));

  nesting++;
  if (f->host) {
    rc = call_host(rt, NULL, f, fp, fp + nio, msg);
  } else {
    rc = push_entry_frame(rt, f, fp);
    if (rc == 0) rc = run_for(rt, f, msg);
  }
  nesting--;
  if (rc != 0) goto failed;
  if (args_results != fp && t->nresults)
    memmove(args_results, fp, t->nresults * sizeof(wm_slot));
  return 0;

failed:
  if (err) trap_error(rt, depth0, rc, msg, err);
  /* Unwind what the failed activations left so the runtime stays usable. */
  rt->nframes = depth0;
  rt->stack_top = top0;
  return rc;
}
