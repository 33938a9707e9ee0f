/*
** interp.c -- the interpreter: one dispatch loop that executes the lowered,
** slot-addressed code of ops.h, plus the entry point that sets up the
** outermost call and turns a trap into an error with a wasm backtrace.
*/
#include <stdio.h>
#include <string.h>

#include "runtime.h"
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
/* The handler addresses, published by run() when called with rt == NULL. */
static const void *const *dispatch_table;
#endif

/*
** Run the activation on top of rt->frames (already pushed by
** push_entry_frame) until it returns. Returns 0 or a trap code; on a trap
** the frames of the failed activations are left on rt->frames for the
** backtrace, and msg
** (256 bytes) may hold a message more precise than the code's (a host
** function's own). Called with rt == NULL, it only publishes its dispatch
** table.
*/
static int run(wm_runtime *rt, char *msg) {
#ifdef WM_GOTO_DISPATCH
  static const void *const labels[WM_OP_COUNT_] = {
#define WM_OP_LABEL_(name, cls, wasm) &&L_##name,
      WM_OPS(WM_OP_LABEL_)
#undef WM_OP_LABEL_
  };
  if (!rt) {
    dispatch_table = labels; /* idempotent: always the same value */
    return 0;
  }
#endif
  /* The frame stack is walked through a local pointer to the running
  ** activation's record; rt->nframes is brought up to date only where
  ** something else reads it: before a host call (which may re-enter
  ** wm__interp_call), on a trap (for the backtrace) and at the exit. */
  wm_frame *const frbase = &rt->frames[rt->nframes - 1]; /* its RETURN leaves */
  wm_frame *const frlast = &rt->frames[rt->max_frames - 1];
  wm_frame *frp = frbase;
  wm_slot *const stack_end = rt->stack_end;
  wm_func *callee = NULL; /* operands of the shared call path (call_common) */
  wm_slot *nfp = NULL;
  const uint32_t *next_ip = NULL;
  int trap;

  /* Hot state, kept in locals. */
  const uint32_t *ip = frp->func->code->code;
  wm_slot *fp = frp->fp;
  wm_instance *inst = frp->func->inst;
  wm_memory *mem0;
  uint8_t *membase;
  uint64_t memsize;
  LOAD_MEM(); /* first use of this instance's memory */

  for (;;) {
    vmdispatch(head_at(ip)) {
      /* --- control ---------------------------------------------------- */
      vmcase(UNREACHABLE) TRAP(WM_TRAP_UNREACHABLE);
      vmcase(BR) {
        ip += (int32_t)OPD(0);
        vmbreak;
      }
      vmcase(BR_IF) {
        if (R(0).u32)
          ip += (int32_t)OPD(1);
        else
          ip += 4;
        vmbreak;
      }
      vmcase(BR_IF_NOT) {
        if (!R(0).u32)
          ip += (int32_t)OPD(1);
        else
          ip += 4;
        vmbreak;
      }
      vmcase(BR_TABLE) {
        uint32_t i = R(0).u32, n = OPD(1);
        if (i > n) i = n;
        ip += (int32_t)OPD(2 + i);
        vmbreak;
      }
      vmcase(RETURN) {
        /* The results are in this frame's slots 0.., which are the caller's
        ** slots base.. : nothing to copy. */
        if (WM_UNLIKELY(frp == frbase)) {
          rt->nframes = (uint32_t)(frp - rt->frames);
          return 0;
        }
        ip = frp->ret_ip;
        frp--;
        fp = frp->fp;
        /* A callee of the same instance ran in this loop with these very
        ** locals, so the memory cache is still right; one from another
        ** instance may have grown the memory we share, so reload. */
        if (WM_UNLIKELY(frp->func->inst != inst)) {
          inst = frp->func->inst;
          LOAD_MEM();
        }
        vmbreak;
      }
      vmcase(CALL) {
        /* A defined function of this instance: no instance switch, no host
        ** function. */
        callee = inst->funcs[OPD(0)];
        const wm_code *c = callee->code;
        nfp = fp + OPD(1);
        if (WM_UNLIKELY(frp == frlast || (size_t)(stack_end - nfp) < c->frame_slots))
          TRAP(WM_TRAP_STACK_EXHAUSTED);
        enter_frame(c, nfp);
        frp++;
        frp->ret_ip = ip + 4;
        frp->fp = nfp;
        frp->func = callee;
        fp = nfp;
        ip = c->code;
        vmbreak;
      }
      vmcase(CALL_IMPORT) {
        callee = inst->funcs[OPD(0)];
        nfp = fp + OPD(1);
        next_ip = ip + 4;
        goto call_common;
      }
      vmcase(CALL_INDIRECT) {
        const wm_table *t = inst->tables[OPD(2)];
        uint32_t i = R(0).u32;
        if (WM_UNLIKELY(i >= t->size)) TRAP(WM_TRAP_UNDEFINED_ELEMENT);
        callee = (wm_func *)t->elems[i];
        if (WM_UNLIKELY(!callee)) {
          /* The reference interpreter names the index, and the spec tests
          ** (bulk.wast) expect it. */
          snprintf(msg, 256, "%s %u", wm_strerror(WM_TRAP_UNINITIALIZED_ELEMENT), i);
          TRAP(WM_TRAP_UNINITIALIZED_ELEMENT);
        }
        if (WM_UNLIKELY(callee->type_id != inst->type_ids[OPD(1)]))
          TRAP(WM_TRAP_INDIRECT_CALL_TYPE);
        nfp = fp + OPD(3);
        next_ip = ip + 6;
        goto call_common;
      }
      /* Shared by CALL_IMPORT and CALL_INDIRECT: the callee may be a host
      ** function or belong to another instance. Kept inside the dispatch
      ** body so that vmbreak means the same here in both builds. */
    call_common:
      if (callee->host) {
        rt->nframes = (uint32_t)(frp - rt->frames) + 1; /* a re-entrant call pushes above */
        trap = call_host(rt, inst, callee, nfp, fp + frp->func->code->frame_slots, msg);
        if (WM_UNLIKELY(trap)) goto trapped;
        /* The host function may have grown our memory (directly or by
        ** calling back into wasm), so reload its size. */
        LOAD_MEM();
        ip = next_ip;
        vmbreak;
      }
      {
        const wm_code *c = callee->code;
        if (WM_UNLIKELY(frp == frlast || (size_t)(stack_end - nfp) < c->frame_slots))
          TRAP(WM_TRAP_STACK_EXHAUSTED);
        enter_frame(c, nfp);
        frp++;
        frp->ret_ip = next_ip;
        frp->fp = nfp;
        frp->func = callee;
        fp = nfp;
        ip = c->code;
      }
      if (callee->inst != inst) {
        inst = callee->inst; /* the callee runs in its own instance */
        LOAD_MEM();
      }
      vmbreak;

      /* --- moves and constants ---------------------------------------- */
      vmcase(MOVE) {
        R(0) = R(1);
        ip += 4;
        vmbreak;
      }
      vmcase(MOVE2) {
        R(0) = R(1);
        R(2) = R(3);
        ip += 6;
        vmbreak;
      }
      vmcase(CONST32) {
        R(0).u64 = OPD(1);
        ip += 4;
        vmbreak;
      }
      vmcase(CONST64) {
        R(0).u64 = (uint64_t)OPD(1) | (uint64_t)OPD(2) << 32;
        ip += 5;
        vmbreak;
      }
      vmcase(SELECT) {
        R(0) = R(3).u32 ? R(1) : R(2);
        ip += 6;
        vmbreak;
      }
      vmcase(GLOBAL_GET) {
        R(0) = inst->globals[OPD(1)]->val;
        ip += 4;
        vmbreak;
      }
      vmcase(GLOBAL_SET) {
        inst->globals[OPD(0)]->val = R(1);
        ip += 4;
        vmbreak;
      }

      /* --- references ------------------------------------------------- */
      vmcase(REF_FUNC) {
        R(0).ref = inst->funcs[OPD(1)];
        ip += 4;
        vmbreak;
      }
      UN(REF_IS_NULL, u32, R(1).ref == NULL)

      /* --- memory ----------------------------------------------------- */
      LOAD(I32_LOAD, 4, uint32_t, u32)
      LOAD(I64_LOAD, 8, uint64_t, u64)
      LOAD(F32_LOAD, 4, uint32_t, u32) /* as bits: NaN payloads survive */
      LOAD(F64_LOAD, 8, uint64_t, u64)
      LOAD(I32_LOAD8_S, 1, int8_t, i32)
      LOAD(I32_LOAD8_U, 1, uint8_t, u32)
      LOAD(I32_LOAD16_S, 2, int16_t, i32)
      LOAD(I32_LOAD16_U, 2, uint16_t, u32)
      LOAD(I64_LOAD8_S, 1, int8_t, i64)
      LOAD(I64_LOAD8_U, 1, uint8_t, u64)
      LOAD(I64_LOAD16_S, 2, int16_t, i64)
      LOAD(I64_LOAD16_U, 2, uint16_t, u64)
      LOAD(I64_LOAD32_S, 4, int32_t, i64)
      LOAD(I64_LOAD32_U, 4, uint32_t, u64)
      STORE(I32_STORE, 4, uint32_t, u32)
      STORE(I64_STORE, 8, uint64_t, u64)
      STORE(F32_STORE, 4, uint32_t, u32)
      STORE(F64_STORE, 8, uint64_t, u64)
      STORE(I32_STORE8, 1, uint8_t, u32)
      STORE(I32_STORE16, 2, uint16_t, u32)
      STORE(I64_STORE8, 1, uint8_t, u64)
      STORE(I64_STORE16, 2, uint16_t, u64)
      STORE(I64_STORE32, 4, uint32_t, u64)
      vmcase(MEMORY_SIZE) {
        R(0).u64 = memsize / 65536;
        ip += 3;
        vmbreak;
      }
      vmcase(MEMORY_GROW) {
        int64_t old = wm__memory_grow(mem0, R(1).u32);
        R(0).u64 = (uint32_t)(int32_t)old;
        memsize = mem0->size; /* the size just changed */
        ip += 4;
        vmbreak;
      }
      vmcase(MEMORY_INIT) {
        uint32_t seg = OPD(0);
        const wm_data *d = &inst->mod->datas[seg];
        uint32_t seglen = inst->data_dropped[seg] ? 0 : d->len;
        uint32_t dst = R(1).u32, src = R(2).u32, n = R(3).u32;
        if (!wm__in_range(src, n, seglen) || !wm__in_range(dst, n, memsize))
          TRAP(WM_TRAP_MEMORY_OOB);
        if (n) memcpy(membase + dst, d->bytes + src, n);
        ip += 6;
        vmbreak;
      }
      vmcase(DATA_DROP) {
        inst->data_dropped[OPD(0)] = true;
        ip += 3;
        vmbreak;
      }
      vmcase(MEMORY_COPY) {
        uint32_t dst = R(0).u32, src = R(1).u32, n = R(2).u32;
        if (!wm__in_range(src, n, memsize) || !wm__in_range(dst, n, memsize))
          TRAP(WM_TRAP_MEMORY_OOB);
        if (n) memmove(membase + dst, membase + src, n);
        ip += 5;
        vmbreak;
      }
      vmcase(MEMORY_FILL) {
        uint32_t dst = R(0).u32, n = R(2).u32;
        if (!wm__in_range(dst, n, memsize)) TRAP(WM_TRAP_MEMORY_OOB);
        if (n) memset(membase + dst, (int)(uint8_t)R(1).u32, n);
        ip += 5;
        vmbreak;
      }

      /* --- tables ----------------------------------------------------- */
      vmcase(TABLE_GET) {
        const wm_table *t = inst->tables[OPD(1)];
        uint32_t i = R(2).u32;
        if (i >= t->size) TRAP(WM_TRAP_TABLE_OOB);
        R(0).ref = t->elems[i];
        ip += 5;
        vmbreak;
      }
      vmcase(TABLE_SET) {
        wm_table *t = inst->tables[OPD(0)];
        uint32_t i = R(1).u32;
        if (i >= t->size) TRAP(WM_TRAP_TABLE_OOB);
        t->elems[i] = R(2).ref;
        ip += 5;
        vmbreak;
      }
      vmcase(TABLE_INIT) {
        wm_table *t = inst->tables[OPD(0)];
        uint32_t seg = OPD(1);
        const wm_elem *e = &inst->mod->elems[seg];
        uint32_t seglen = inst->elem_dropped[seg] ? 0 : e->count;
        uint32_t dst = R(2).u32, src = R(3).u32, n = R(4).u32;
        if (!wm__in_range(src, n, seglen) || !wm__in_range(dst, n, t->size))
          TRAP(WM_TRAP_TABLE_OOB);
        for (uint32_t k = 0; k < n; k++)
          t->elems[dst + k] = wm__eval_const(inst, &e->items[src + k]).ref;
        ip += 7;
        vmbreak;
      }
      vmcase(ELEM_DROP) {
        inst->elem_dropped[OPD(0)] = true;
        ip += 3;
        vmbreak;
      }
      vmcase(TABLE_COPY) {
        wm_table *td = inst->tables[OPD(0)];
        const wm_table *ts = inst->tables[OPD(1)];
        uint32_t dst = R(2).u32, src = R(3).u32, n = R(4).u32;
        if (!wm__in_range(src, n, ts->size) || !wm__in_range(dst, n, td->size))
          TRAP(WM_TRAP_TABLE_OOB);
        if (n) memmove(td->elems + dst, ts->elems + src, (size_t)n * sizeof(void *));
        ip += 7;
        vmbreak;
      }
      vmcase(TABLE_GROW) {
        int64_t old = wm__table_grow(inst->tables[OPD(1)], R(3).u32, R(2).ref);
        R(0).u64 = (uint32_t)(int32_t)old;
        ip += 6;
        vmbreak;
      }
      vmcase(TABLE_SIZE) {
        R(0).u64 = inst->tables[OPD(1)]->size;
        ip += 4;
        vmbreak;
      }
      vmcase(TABLE_FILL) {
        wm_table *t = inst->tables[OPD(0)];
        uint32_t i = R(1).u32, n = R(3).u32;
        void *v = R(2).ref;
        if (!wm__in_range(i, n, t->size)) TRAP(WM_TRAP_TABLE_OOB);
        for (uint32_t k = 0; k < n; k++) t->elems[i + k] = v;
        ip += 6;
        vmbreak;
      }

      /* --- fused compare-and-branch ----------------------------------- */
      CMPBR(BR_I32_EQ, u32, ==)
      CMPBR(BR_I32_NE, u32, !=)
      CMPBR(BR_I32_LT_S, i32, <)
      CMPBR(BR_I32_LT_U, u32, <)
      CMPBR(BR_I32_GT_S, i32, >)
      CMPBR(BR_I32_GT_U, u32, >)
      CMPBR(BR_I32_LE_S, i32, <=)
      CMPBR(BR_I32_LE_U, u32, <=)
      CMPBR(BR_I32_GE_S, i32, >=)
      CMPBR(BR_I32_GE_U, u32, >=)

      /* --- i32 -------------------------------------------------------- */
      UN(I32_EQZ, u32, R(1).u32 == 0)
      BIN(I32_EQ, u32, R(1).u32 == R(2).u32)
      BIN(I32_NE, u32, R(1).u32 != R(2).u32)
      BIN(I32_LT_S, u32, R(1).i32 < R(2).i32)
      BIN(I32_LT_U, u32, R(1).u32 < R(2).u32)
      BIN(I32_GT_S, u32, R(1).i32 > R(2).i32)
      BIN(I32_GT_U, u32, R(1).u32 > R(2).u32)
      BIN(I32_LE_S, u32, R(1).i32 <= R(2).i32)
      BIN(I32_LE_U, u32, R(1).u32 <= R(2).u32)
      BIN(I32_GE_S, u32, R(1).i32 >= R(2).i32)
      BIN(I32_GE_U, u32, R(1).u32 >= R(2).u32)
      UN(I32_CLZ, u32, wm_i32_clz(R(1).u32))
      UN(I32_CTZ, u32, wm_i32_ctz(R(1).u32))
      UN(I32_POPCNT, u32, wm_i32_popcnt(R(1).u32))
      BIN(I32_ADD, u32, R(1).u32 + R(2).u32)
      BIN(I32_SUB, u32, R(1).u32 - R(2).u32)
      BIN(I32_MUL, u32, R(1).u32 * R(2).u32)
      BIN_TRAP(I32_DIV_S, int32_t, i32, wm_i32_div_s)
      BIN_TRAP(I32_DIV_U, uint32_t, u32, wm_i32_div_u)
      BIN_TRAP(I32_REM_S, int32_t, i32, wm_i32_rem_s)
      BIN_TRAP(I32_REM_U, uint32_t, u32, wm_i32_rem_u)
      BIN(I32_AND, u32, R(1).u32 & R(2).u32)
      BIN(I32_OR, u32, R(1).u32 | R(2).u32)
      BIN(I32_XOR, u32, R(1).u32 ^ R(2).u32)
      BIN(I32_SHL, u32, wm_i32_shl(R(1).u32, R(2).u32))
      BIN(I32_SHR_S, i32, wm_i32_shr_s(R(1).i32, R(2).u32))
      BIN(I32_SHR_U, u32, wm_i32_shr_u(R(1).u32, R(2).u32))
      BIN(I32_ROTL, u32, wm_i32_rotl(R(1).u32, R(2).u32))
      BIN(I32_ROTR, u32, wm_i32_rotr(R(1).u32, R(2).u32))

      /* --- i64 -------------------------------------------------------- */
      UN(I64_EQZ, u32, R(1).u64 == 0)
      BIN(I64_EQ, u32, R(1).u64 == R(2).u64)
      BIN(I64_NE, u32, R(1).u64 != R(2).u64)
      BIN(I64_LT_S, u32, R(1).i64 < R(2).i64)
      BIN(I64_LT_U, u32, R(1).u64 < R(2).u64)
      BIN(I64_GT_S, u32, R(1).i64 > R(2).i64)
      BIN(I64_GT_U, u32, R(1).u64 > R(2).u64)
      BIN(I64_LE_S, u32, R(1).i64 <= R(2).i64)
      BIN(I64_LE_U, u32, R(1).u64 <= R(2).u64)
      BIN(I64_GE_S, u32, R(1).i64 >= R(2).i64)
      BIN(I64_GE_U, u32, R(1).u64 >= R(2).u64)
      UN(I64_CLZ, u64, wm_i64_clz(R(1).u64))
      UN(I64_CTZ, u64, wm_i64_ctz(R(1).u64))
      UN(I64_POPCNT, u64, wm_i64_popcnt(R(1).u64))
      BIN(I64_ADD, u64, R(1).u64 + R(2).u64)
      BIN(I64_SUB, u64, R(1).u64 - R(2).u64)
      BIN(I64_MUL, u64, R(1).u64 * R(2).u64)
      BIN_TRAP(I64_DIV_S, int64_t, i64, wm_i64_div_s)
      BIN_TRAP(I64_DIV_U, uint64_t, u64, wm_i64_div_u)
      BIN_TRAP(I64_REM_S, int64_t, i64, wm_i64_rem_s)
      BIN_TRAP(I64_REM_U, uint64_t, u64, wm_i64_rem_u)
      BIN(I64_AND, u64, R(1).u64 & R(2).u64)
      BIN(I64_OR, u64, R(1).u64 | R(2).u64)
      BIN(I64_XOR, u64, R(1).u64 ^ R(2).u64)
      BIN(I64_SHL, u64, wm_i64_shl(R(1).u64, R(2).u64))
      BIN(I64_SHR_S, i64, wm_i64_shr_s(R(1).i64, R(2).u64))
      BIN(I64_SHR_U, u64, wm_i64_shr_u(R(1).u64, R(2).u64))
      BIN(I64_ROTL, u64, wm_i64_rotl(R(1).u64, R(2).u64))
      BIN(I64_ROTR, u64, wm_i64_rotr(R(1).u64, R(2).u64))

      /* --- f32 / f64 -------------------------------------------------- */
      BIN(F32_EQ, u32, R(1).f32 == R(2).f32)
      BIN(F32_NE, u32, R(1).f32 != R(2).f32)
      BIN(F32_LT, u32, R(1).f32 < R(2).f32)
      BIN(F32_GT, u32, R(1).f32 > R(2).f32)
      BIN(F32_LE, u32, R(1).f32 <= R(2).f32)
      BIN(F32_GE, u32, R(1).f32 >= R(2).f32)
      BIN(F64_EQ, u32, R(1).f64 == R(2).f64)
      BIN(F64_NE, u32, R(1).f64 != R(2).f64)
      BIN(F64_LT, u32, R(1).f64 < R(2).f64)
      BIN(F64_GT, u32, R(1).f64 > R(2).f64)
      BIN(F64_LE, u32, R(1).f64 <= R(2).f64)
      BIN(F64_GE, u32, R(1).f64 >= R(2).f64)
      UN(F32_ABS, f32, wm_f32_abs(R(1).f32))
      UN(F32_NEG, f32, wm_f32_neg(R(1).f32))
      UN(F32_CEIL, f32, wm_f32_ceil(R(1).f32))
      UN(F32_FLOOR, f32, wm_f32_floor(R(1).f32))
      UN(F32_TRUNC, f32, wm_f32_trunc(R(1).f32))
      UN(F32_NEAREST, f32, wm_f32_nearest(R(1).f32))
      UN(F32_SQRT, f32, wm_f32_sqrt(R(1).f32))
      BIN(F32_ADD, f32, R(1).f32 + R(2).f32)
      BIN(F32_SUB, f32, R(1).f32 - R(2).f32)
      BIN(F32_MUL, f32, R(1).f32 * R(2).f32)
      BIN(F32_DIV, f32, R(1).f32 / R(2).f32)
      BIN(F32_MIN, f32, wm_f32_min(R(1).f32, R(2).f32))
      BIN(F32_MAX, f32, wm_f32_max(R(1).f32, R(2).f32))
      BIN(F32_COPYSIGN, f32, wm_f32_copysign(R(1).f32, R(2).f32))
      UN(F64_ABS, f64, wm_f64_abs(R(1).f64))
      UN(F64_NEG, f64, wm_f64_neg(R(1).f64))
      UN(F64_CEIL, f64, wm_f64_ceil(R(1).f64))
      UN(F64_FLOOR, f64, wm_f64_floor(R(1).f64))
      UN(F64_TRUNC, f64, wm_f64_trunc(R(1).f64))
      UN(F64_NEAREST, f64, wm_f64_nearest(R(1).f64))
      UN(F64_SQRT, f64, wm_f64_sqrt(R(1).f64))
      BIN(F64_ADD, f64, R(1).f64 + R(2).f64)
      BIN(F64_SUB, f64, R(1).f64 - R(2).f64)
      BIN(F64_MUL, f64, R(1).f64 * R(2).f64)
      BIN(F64_DIV, f64, R(1).f64 / R(2).f64)
      BIN(F64_MIN, f64, wm_f64_min(R(1).f64, R(2).f64))
      BIN(F64_MAX, f64, wm_f64_max(R(1).f64, R(2).f64))
      BIN(F64_COPYSIGN, f64, wm_f64_copysign(R(1).f64, R(2).f64))

      /* --- conversions ------------------------------------------------ */
      UN_TRAP(I32_TRUNC_F32_S, int32_t, i32, f32, wm_i32_trunc_f32_s)
      UN_TRAP(I32_TRUNC_F32_U, uint32_t, u32, f32, wm_i32_trunc_f32_u)
      UN_TRAP(I32_TRUNC_F64_S, int32_t, i32, f64, wm_i32_trunc_f64_s)
      UN_TRAP(I32_TRUNC_F64_U, uint32_t, u32, f64, wm_i32_trunc_f64_u)
      /* The source i32 has an unspecified upper half: read .i32/.u32. */
      UN(I64_EXTEND_I32_S, i64, (int64_t)R(1).i32)
      UN(I64_EXTEND_I32_U, u64, (uint64_t)R(1).u32)
      UN_TRAP(I64_TRUNC_F32_S, int64_t, i64, f32, wm_i64_trunc_f32_s)
      UN_TRAP(I64_TRUNC_F32_U, uint64_t, u64, f32, wm_i64_trunc_f32_u)
      UN_TRAP(I64_TRUNC_F64_S, int64_t, i64, f64, wm_i64_trunc_f64_s)
      UN_TRAP(I64_TRUNC_F64_U, uint64_t, u64, f64, wm_i64_trunc_f64_u)
      UN(F32_CONVERT_I32_S, f32, wm_f32_convert_i32_s(R(1).i32))
      UN(F32_CONVERT_I32_U, f32, wm_f32_convert_i32_u(R(1).u32))
      UN(F32_CONVERT_I64_S, f32, wm_f32_convert_i64_s(R(1).i64))
      UN(F32_CONVERT_I64_U, f32, wm_f32_convert_i64_u(R(1).u64))
      UN(F32_DEMOTE_F64, f32, wm_f32_demote_f64(R(1).f64))
      UN(F64_CONVERT_I32_S, f64, wm_f64_convert_i32_s(R(1).i32))
      UN(F64_CONVERT_I32_U, f64, wm_f64_convert_i32_u(R(1).u32))
      UN(F64_CONVERT_I64_S, f64, wm_f64_convert_i64_s(R(1).i64))
      UN(F64_CONVERT_I64_U, f64, wm_f64_convert_i64_u(R(1).u64))
      UN(F64_PROMOTE_F32, f64, wm_f64_promote_f32(R(1).f32))
      UN(I32_EXTEND8_S, i32, wm_i32_extend8_s(R(1).u32))
      UN(I32_EXTEND16_S, i32, wm_i32_extend16_s(R(1).u32))
      UN(I64_EXTEND8_S, i64, wm_i64_extend8_s(R(1).u64))
      UN(I64_EXTEND16_S, i64, wm_i64_extend16_s(R(1).u64))
      UN(I64_EXTEND32_S, i64, wm_i64_extend32_s(R(1).u64))
      UN(I32_TRUNC_SAT_F32_S, i32, wm_i32_trunc_sat_f32_s(R(1).f32))
      UN(I32_TRUNC_SAT_F32_U, u32, wm_i32_trunc_sat_f32_u(R(1).f32))
      UN(I32_TRUNC_SAT_F64_S, i32, wm_i32_trunc_sat_f64_s(R(1).f64))
      UN(I32_TRUNC_SAT_F64_U, u32, wm_i32_trunc_sat_f64_u(R(1).f64))
      UN(I64_TRUNC_SAT_F32_S, i64, wm_i64_trunc_sat_f32_s(R(1).f32))
      UN(I64_TRUNC_SAT_F32_U, u64, wm_i64_trunc_sat_f32_u(R(1).f32))
      UN(I64_TRUNC_SAT_F64_S, i64, wm_i64_trunc_sat_f64_s(R(1).f64))
      UN(I64_TRUNC_SAT_F64_U, u64, wm_i64_trunc_sat_f64_u(R(1).f64))

      /* --- immediate forms -------------------------------------------- */
      BINK(I32_ADD_K, u32, R(1).u32 + OPD(2))
      BINK(I32_MUL_K, u32, R(1).u32 * OPD(2))
      BINK(I32_AND_K, u32, R(1).u32 & OPD(2))
      BINK(I32_OR_K, u32, R(1).u32 | OPD(2))
      BINK(I32_XOR_K, u32, R(1).u32 ^ OPD(2))
      BINK(I32_SHL_K, u32, wm_i32_shl(R(1).u32, OPD(2)))
      BINK(I32_SHR_S_K, i32, wm_i32_shr_s(R(1).i32, OPD(2)))
      BINK(I32_SHR_U_K, u32, wm_i32_shr_u(R(1).u32, OPD(2)))
      BINK(I32_ROTL_K, u32, wm_i32_rotl(R(1).u32, OPD(2)))
      BINK(I32_ROTR_K, u32, wm_i32_rotr(R(1).u32, OPD(2)))
      BINK(I32_EQ_K, u32, R(1).u32 == OPD(2))
      BINK(I32_NE_K, u32, R(1).u32 != OPD(2))
      BINK(I32_LT_S_K, u32, R(1).i32 < (int32_t)OPD(2))
      BINK(I32_LT_U_K, u32, R(1).u32 < OPD(2))
      BINK(I32_GT_S_K, u32, R(1).i32 > (int32_t)OPD(2))
      BINK(I32_GT_U_K, u32, R(1).u32 > OPD(2))
      BINK(I32_LE_S_K, u32, R(1).i32 <= (int32_t)OPD(2))
      BINK(I32_LE_U_K, u32, R(1).u32 <= OPD(2))
      BINK(I32_GE_S_K, u32, R(1).i32 >= (int32_t)OPD(2))
      BINK(I32_GE_U_K, u32, R(1).u32 >= OPD(2))
      BINK(I64_ADD_K, u64, R(1).u64 + IMM64)
      BINK(I64_MUL_K, u64, R(1).u64 * IMM64)
      BINK(I64_AND_K, u64, R(1).u64 & IMM64)
      BINK(I64_OR_K, u64, R(1).u64 | IMM64)
      BINK(I64_XOR_K, u64, R(1).u64 ^ IMM64)
      BINK(I64_SHL_K, u64, wm_i64_shl(R(1).u64, IMM64))
      BINK(I64_SHR_S_K, i64, wm_i64_shr_s(R(1).i64, IMM64))
      BINK(I64_SHR_U_K, u64, wm_i64_shr_u(R(1).u64, IMM64))
      BINK(I64_ROTL_K, u64, wm_i64_rotl(R(1).u64, IMM64))
      BINK(I64_ROTR_K, u64, wm_i64_rotr(R(1).u64, IMM64))
      CMPBRK(BR_I32_EQ_K, u32, uint32_t, ==)
      CMPBRK(BR_I32_NE_K, u32, uint32_t, !=)
      CMPBRK(BR_I32_LT_S_K, i32, int32_t, <)
      CMPBRK(BR_I32_LT_U_K, u32, uint32_t, <)
      CMPBRK(BR_I32_GT_S_K, i32, int32_t, >)
      CMPBRK(BR_I32_GT_U_K, u32, uint32_t, >)
      CMPBRK(BR_I32_LE_S_K, i32, int32_t, <=)
      CMPBRK(BR_I32_LE_U_K, u32, uint32_t, <=)
      CMPBRK(BR_I32_GE_S_K, i32, int32_t, >=)
      CMPBRK(BR_I32_GE_U_K, u32, uint32_t, >=)
      LOADK(I32_LOAD_K, 4, uint32_t, u32)
      LOADK(I64_LOAD_K, 8, uint64_t, u64)
      LOADK(F32_LOAD_K, 4, uint32_t, u32)
      LOADK(F64_LOAD_K, 8, uint64_t, u64)
      LOADK(I32_LOAD8_S_K, 1, int8_t, i32)
      LOADK(I32_LOAD8_U_K, 1, uint8_t, u32)
      LOADK(I32_LOAD16_S_K, 2, int16_t, i32)
      LOADK(I32_LOAD16_U_K, 2, uint16_t, u32)
      LOADK(I64_LOAD8_S_K, 1, int8_t, i64)
      LOADK(I64_LOAD8_U_K, 1, uint8_t, u64)
      LOADK(I64_LOAD16_S_K, 2, int16_t, i64)
      LOADK(I64_LOAD16_U_K, 2, uint16_t, u64)
      LOADK(I64_LOAD32_S_K, 4, int32_t, i64)
      LOADK(I64_LOAD32_U_K, 4, uint32_t, u64)
      STOREK(I32_STORE_K, 4, uint32_t, u32)
      STOREK(I64_STORE_K, 8, uint64_t, u64)
      STOREK(F32_STORE_K, 4, uint32_t, u32)
      STOREK(F64_STORE_K, 8, uint64_t, u64)
      STOREK(I32_STORE8_K, 1, uint8_t, u32)
      STOREK(I32_STORE16_K, 2, uint16_t, u32)
      STOREK(I64_STORE8_K, 1, uint8_t, u64)
      STOREK(I64_STORE16_K, 2, uint16_t, u64)
      STOREK(I64_STORE32_K, 4, uint32_t, u64)
      LOADX(I32_LOAD_X, 4, uint32_t, u32)
      LOADX(I64_LOAD_X, 8, uint64_t, u64)
      LOADX(F32_LOAD_X, 4, uint32_t, u32)
      LOADX(F64_LOAD_X, 8, uint64_t, u64)
      LOADX(I32_LOAD8_S_X, 1, int8_t, i32)
      LOADX(I32_LOAD8_U_X, 1, uint8_t, u32)
      LOADX(I32_LOAD16_S_X, 2, int16_t, i32)
      LOADX(I32_LOAD16_U_X, 2, uint16_t, u32)
      LOADX(I64_LOAD8_S_X, 1, int8_t, i64)
      LOADX(I64_LOAD8_U_X, 1, uint8_t, u64)
      LOADX(I64_LOAD16_S_X, 2, int16_t, i64)
      LOADX(I64_LOAD16_U_X, 2, uint16_t, u64)
      LOADX(I64_LOAD32_S_X, 4, int32_t, i64)
      LOADX(I64_LOAD32_U_X, 4, uint32_t, u64)
      STOREX(I32_STORE_X, 4, uint32_t, u32)
      STOREX(I64_STORE_X, 8, uint64_t, u64)
      STOREX(F32_STORE_X, 4, uint32_t, u32)
      STOREX(F64_STORE_X, 8, uint64_t, u64)
      STOREX(I32_STORE8_X, 1, uint8_t, u32)
      STOREX(I32_STORE16_X, 2, uint16_t, u32)
      STOREX(I64_STORE8_X, 1, uint8_t, u64)
      STOREX(I64_STORE16_X, 2, uint16_t, u64)
      STOREX(I64_STORE32_X, 4, uint32_t, u64)
      BINLD(I32_ADD_LD, 4, uint32_t, u32, +)
      BINLD(I32_SUB_LD, 4, uint32_t, u32, -)
      BINLD(I32_MUL_LD, 4, uint32_t, u32, *)
      BINLD(I32_AND_LD, 4, uint32_t, u32, &)
      BINLD(I32_OR_LD, 4, uint32_t, u32, |)
      BINLD(I32_XOR_LD, 4, uint32_t, u32, ^)
      BINLD(I64_ADD_LD, 8, uint64_t, u64, +)
      BINLD(I64_SUB_LD, 8, uint64_t, u64, -)
      BINLD(I64_MUL_LD, 8, uint64_t, u64, *)
      BINLD(I64_AND_LD, 8, uint64_t, u64, &)
      BINLD(I64_OR_LD, 8, uint64_t, u64, |)
      BINLD(I64_XOR_LD, 8, uint64_t, u64, ^)
      BINLD(F32_ADD_LD, 4, float, f32, +)
      BINLD(F32_SUB_LD, 4, float, f32, -)
      BINLD(F32_MUL_LD, 4, float, f32, *)
      BINLD(F64_ADD_LD, 8, double, f64, +)
      BINLD(F64_SUB_LD, 8, double, f64, -)
      BINLD(F64_MUL_LD, 8, double, f64, *)
      BINRMW(I32_ADD_RMW, 4, uint32_t, u32, +)
      BINRMW(I32_SUB_RMW, 4, uint32_t, u32, -)
      BINRMW(I32_MUL_RMW, 4, uint32_t, u32, *)
      BINRMW(I32_AND_RMW, 4, uint32_t, u32, &)
      BINRMW(I32_OR_RMW, 4, uint32_t, u32, |)
      BINRMW(I32_XOR_RMW, 4, uint32_t, u32, ^)
      BINRMW(I64_ADD_RMW, 8, uint64_t, u64, +)
      BINRMW(I64_SUB_RMW, 8, uint64_t, u64, -)
      BINRMW(I64_MUL_RMW, 8, uint64_t, u64, *)
      BINRMW(I64_AND_RMW, 8, uint64_t, u64, &)
      BINRMW(I64_OR_RMW, 8, uint64_t, u64, |)
      BINRMW(I64_XOR_RMW, 8, uint64_t, u64, ^)
      BINRMW(F32_ADD_RMW, 4, float, f32, +)
      BINRMW(F32_SUB_RMW, 4, float, f32, -)
      BINRMW(F32_MUL_RMW, 4, float, f32, *)
      BINRMW(F64_ADD_RMW, 8, double, f64, +)
      BINRMW(F64_SUB_RMW, 8, double, f64, -)
      BINRMW(F64_MUL_RMW, 8, double, f64, *)

      /* --- fused pairs ------------------------------------------------ */
      vmcase(MOVE_BR) {
        R(0) = R(1);
        ip += (int32_t)OPD(2);
        vmbreak;
      }
      vmcase(MOVE_BR_IF) {
        R(0) = R(1);
        if (R(2).u32) /* after the move: the condition may be d */
          ip += (int32_t)OPD(3);
        else
          ip += 6;
        vmbreak;
      }
      vmcase(MOVE_BR_IF_NOT) {
        R(0) = R(1);
        if (!R(2).u32)
          ip += (int32_t)OPD(3);
        else
          ip += 6;
        vmbreak;
      }
      LOADBR(I32_LOAD_BR_IF, 4, uint32_t, !=)
      LOADBR(I32_LOAD_BR_IF_NOT, 4, uint32_t, ==)
      LOADBR(I32_LOAD8_U_BR_IF, 1, uint8_t, !=)
      LOADBR(I32_LOAD8_U_BR_IF_NOT, 1, uint8_t, ==)
      ADDBR(I32_ADD_K_BR_EQ_K, u32, uint32_t, ==)
      ADDBR(I32_ADD_K_BR_NE_K, u32, uint32_t, !=)
      ADDBR(I32_ADD_K_BR_LT_S_K, i32, int32_t, <)
      ADDBR(I32_ADD_K_BR_LT_U_K, u32, uint32_t, <)
      ADDBR(I32_ADD_K_BR_GT_S_K, i32, int32_t, >)
      ADDBR(I32_ADD_K_BR_GT_U_K, u32, uint32_t, >)
      ADDBR(I32_ADD_K_BR_LE_S_K, i32, int32_t, <=)
      ADDBR(I32_ADD_K_BR_LE_U_K, u32, uint32_t, <=)
      ADDBR(I32_ADD_K_BR_GE_S_K, i32, int32_t, >=)
      ADDBR(I32_ADD_K_BR_GE_U_K, u32, uint32_t, >=)
      vmcase(I32_SHR_U_AND_K) {
        R(0).u32 = wm_i32_shr_u(R(1).u32, OPD(2)) & OPD(3);
        ip += 6;
        vmbreak;
      }

#ifndef WM_GOTO_DISPATCH
      case WM_OP_COUNT_: /* never emitted; listed so -Wswitch stays useful */
        TRAP(WM_TRAP_UNREACHABLE);
#endif
    }
  }

trapped:
  rt->nframes = (uint32_t)(frp - rt->frames) + 1; /* the backtrace reads them */
  rt->trap_ip = ip;
  return trap;
}

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
static const void *const *get_table(void) {
  if (!dispatch_table) run(NULL, NULL); /* publishes the label addresses */
  return dispatch_table;
}
#endif

uint64_t wm__op_head(wm_op op) {
#ifdef WM_GOTO_DISPATCH
  if ((unsigned)op >= WM_OP_COUNT_) return 0;
  return (uint64_t)(uintptr_t)get_table()[op];
#else
  return (uint64_t)op;
#endif
}

wm_op wm__op_from_head(uint64_t head) {
#ifdef WM_GOTO_DISPATCH
  const void *const *t = get_table();
  for (unsigned i = 0; i < WM_OP_COUNT_; i++)
    if ((uint64_t)(uintptr_t)t[i] == head) return (wm_op)i;
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

int wm__interp_call(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err) {
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
    if (rc == 0) rc = run(rt, msg);
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
