/* SPDX-License-Identifier: MIT */
/*
** interp_impl.h -- what the two compilations of the dispatch loop share:
** interp.c's plain loop and interp_checked.c's checked loop (the guest heap
** checker's) both include it, then interp_loop.h. The memory access and
** frame helpers, the host call, and the macros the loop is written in.
** Nothing else includes it.
*/
#ifndef WM_INTERP_IMPL_H
#define WM_INTERP_IMPL_H

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"
#include "check.h"
#include "gc.h"
#include "ops.h"
#include "numeric.h"
#include "simd.h"
#include "atomic_wait.h"
#include "aot.h"

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
** CALL's cache of its callee's code (ops.h): the 8-aligned pointer among
** the three cells after `fidx base`. The module's code is shared by its
** instances and may run on several threads, which fill the cache with the
** same value; a relaxed atomic pointer is one plain load or store. The
** loop compares it with the callee's wm_func.code before trusting it, so
** the code a cache names was obtained by an acquiring load in this thread.
*/
static inline const wm_code *_Atomic *call_cache(const uint32_t *ip) {
  uintptr_t a = (uintptr_t)(ip + WM_HEAD_CELLS + 2);
  return (const wm_code *_Atomic *)((a + 7) & ~(uintptr_t)7);
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
  if (WM_LIKELY(c->quick_entry)) { /* one test for the common case */
    l[0].u64 = 0;
    l[1].u64 = 0;
    l[2].u64 = 0;
    l[3].u64 = 0;
    return;
  }
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
  size_t need = (((size_t)t->nparams + t->nresults) * sizeof(wm_val) + sizeof(wm_slot) - 1) /
                sizeof(wm_slot);
  if ((size_t)(rt->stack_end - scratch) < need) return WM_TRAP_STACK_EXHAUSTED;
  wm_val *vargs = (wm_val *)scratch, *vres = vargs + t->nparams;
  for (uint32_t i = 0, k = 0; i < t->nparams; k += t->params[i++] == WM_V128 ? 2 : 1)
    vargs[i] = wm__slots_to_val(&args[k], t->params[i]);
  /* Each result's type must be set by the host function (wasmem.h): one
  ** left unset (0 is no type) or set wrong is the host's bug, a trap. */
  for (uint32_t i = 0; i < t->nresults; i++) {
    vres[i].type = (wm_valtype)0;
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
    /* An exception goes on unwinding in the caller: the host let through
    ** one a nested call left, or threw its own (wm_runtime_throw). */
    if (rc == WM_EXCEPTION && rt->exn) return rc;
    if (rc == WM_EXCEPTION)
      snprintf(msg, 256, "host function returned WM_EXCEPTION with no exception pending");
    if (!wm_is_trap(rc)) rc = WM_TRAP_HOST;
    if (ctx.trap_msg) snprintf(msg, 256, "%s", ctx.trap_msg);
    return rc;
  }
  for (uint32_t i = 0; i < t->nresults; i++)
    if (vres[i].type != t->results[i]) {
      snprintf(msg, 256, "host function returned result %u %s%s, the function type says %s", i,
               vres[i].type ? "of type " : "with its type unset",
               vres[i].type ? wm_valtype_name(vres[i].type) : "", wm_valtype_name(t->results[i]));
      return WM_TRAP_HOST;
    }
  for (uint32_t i = 0; i < t->nresults; i++) {
    const char *why = wm__vt_gc(t->results[i]) ? wm__gcref_refusal(rt, t->results[i], vres[i].of.ref)
                                               : NULL;
    if (WM_UNLIKELY(why != NULL)) {
      snprintf(msg, 256, "host function returned result %u: %s", i, why);
      return WM_TRAP_HOST;
    }
  }
  for (uint32_t i = 0, k = 0; i < t->nresults; k += t->results[i++] == WM_V128 ? 2 : 1)
    wm__val_to_slots(vres[i], &args[k]);
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
/* Builds with WM_OPSTATS (cmake -DWM_OPSTATS=ON) count each handler entered
** and each pair of handlers one after the other, and print the commonest
** when the process exits (opstats.c): the measurements superinstructions
** are chosen from. A handler that loops in itself counts once an entry. */
#ifdef WM_OPSTATS
void wm__opstat(unsigned op, const uint32_t *ip, const wm_code *c);
#define OPSTAT(name) wm__opstat(WM_OP_##name, ip, frp->func->code);
#else
#define OPSTAT(name)
#endif
/* HEAD_IS(p, name): is the instruction at p a `name`? */
#ifdef WM_GOTO_DISPATCH
#define vmdispatch(h) goto *(void *)(uintptr_t)(h);
#define vmcase(name) L_##name: OPSTAT(name)
#define vmbreak goto *(void *)(uintptr_t)head_at(ip)
#define HEAD_IS(p, name) (head_at(p) == (uint64_t)(uintptr_t)&&L_##name)
#else
#define vmdispatch(h) switch ((wm_op)(h))
#define vmcase(name) case WM_OP_##name: OPSTAT(name)
#define vmbreak break
#define HEAD_IS(p, name) (head_at(p) == (uint64_t)WM_OP_##name)
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

/* CALL_INDIRECT and RETURN_CALL_INDIRECT (`a typeidx tableidx ...`): the
** callee is table[a.i32], of the expected type (the same interned id, or
** failing that a subtype, or another runtime's function of the same simple
** type: wm__indirect_ok), or a trap. An empty
** element's message names the index, as the reference interpreter does and
** the spec tests (bulk.wast) expect. */
#define INDIRECT_CALLEE()                                                     \
  do {                                                                        \
    const wm_table *t_ = inst->tables[OPD(2)];                                \
    uint32_t i_ = R(0).u32;                                                   \
    if (WM_UNLIKELY(i_ >= t_->size)) TRAP(WM_TRAP_UNDEFINED_ELEMENT);         \
    callee = (wm_func *)t_->elems[i_];                                        \
    if (WM_UNLIKELY(!callee)) {                                               \
      snprintf(msg, 256, "%s %u", wm_strerror(WM_TRAP_UNINITIALIZED_ELEMENT), i_); \
      TRAP(WM_TRAP_UNINITIALIZED_ELEMENT);                                    \
    }                                                                         \
    if (WM_UNLIKELY(callee->type_id != inst->type_ids[OPD(1)] || callee->rt != rt) && \
        !wm__indirect_ok(rt, callee, inst->type_ids[OPD(1)]))                 \
      TRAP(WM_TRAP_INDIRECT_CALL_TYPE);                                       \
  } while (0)

/* The accumulator (ops.h, WM_ACC_OPS): the producers -- the handlers of
** UN, BIN, BINK, LOAD, LOADK, BINLD and BINSH, I32_LOAD_SHL_K,
** I32_ADD_K_AND_K, I32_MUL_K_ADD_K and I32_SHR_U_AND_K -- write their
** result through PUT, which also leaves its low 32 bits in acc32, a
** register (a load pair leaves its second value there). An accumulator
** form reads its operand from there instead of
** from the slot the instruction before it has just stored: the store to
** load forwarding that a chain of dependent instructions otherwise pays at
** each step is gone from the chain. The other loops never read acc32, so
** the compiler drops it there. */
#define PUT(dfield, v)                                                        \
  do {                                                                        \
    __typeof__(fp->dfield) put_ = (v);                                        \
    SET_##dfield(R(0), put_);                                                 \
    acc32 = ACC_BITS_##dfield(put_);                                          \
  } while (0)
/* A slot is 8 bytes, and an i32 result is stored as all 8 of them, its
** upper half zero. A 4-byte store that an 8-byte load of the same slot
** follows (a MOVE, a select, a call's arguments) cannot be forwarded to
** it from the store buffer: the load waits until the store has left it,
** some 15 cycles on the x86 measured, where a forwarded load takes 5. The
** wider store costs nothing more. f32 stays a 4-byte store: widening it
** would take a move out of the vector register. */
#define SET_u32(s, v) ((s).u64 = (uint32_t)(v))
#define SET_i32(s, v) ((s).u64 = (uint32_t)(v))
#define SET_u64(s, v) ((s).u64 = (v))
#define SET_i64(s, v) ((s).i64 = (v))
#define SET_f32(s, v) ((s).f32 = (v))
#define SET_f64(s, v) ((s).f64 = (v))
#define SET_ref(s, v) ((s).ref = (v))
#define ACC_BITS_u32(x) (x)
#define ACC_BITS_i32(x) ((uint32_t)(x))
#define ACC_BITS_u64(x) ((uint32_t)(x))
#define ACC_BITS_i64(x) ((uint32_t)(x))
#define ACC_BITS_f32(x) wm_f32_bits(x)
#define ACC_BITS_f64(x) ((uint32_t)wm_f64_bits(x))
#define ACC_BITS_ref(x) ((uint32_t)(uintptr_t)(x))

/* Instruction classes (see ops.h): UN `d a`, BIN `d a b`, CMPBR `a b off`.
** In UN and BIN the operand slots are R(1) and R(2). */
#define UN(name, dfield, expr)                                                \
  vmcase(name) {                                                              \
    PUT(dfield, expr);                                                        \
    ip += 4;                                                                  \
    vmbreak;                                                                  \
  }
#define BIN(name, dfield, expr)                                               \
  vmcase(name) {                                                              \
    PUT(dfield, expr);                                                        \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
/* Operations that can trap return 0 or the trap code (numeric.h). */
#define BIN_TRAP(name, ctype, field, fn)                                      \
  vmcase(name) {                                                              \
    ctype r_;                                                                 \
    int t_ = fn(R(1).field, R(2).field, &r_);                                 \
    if (WM_UNLIKELY(t_)) TRAP(t_);                                            \
    PUT(field, r_);                                                           \
    ip += 5;                                                                  \
    vmbreak;                                                                  \
  }
#define UN_TRAP(name, ctype, dfield, afield, fn)                              \
  vmcase(name) {                                                              \
    ctype r_;                                                                 \
    int t_ = fn(R(1).afield, &r_);                                            \
    if (WM_UNLIKELY(t_)) TRAP(t_);                                            \
    PUT(dfield, r_);                                                          \
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
    PUT(dfield, v_);                                                          \
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
    PUT(dfield, expr);                                                        \
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
/* A select picks one of two slots without a branch. Its condition is data
** (crc16 tests one bit of its input per step), and every select of one op
** shares the one branch in the op's handler, so a branch there mispredicts
** about half the time on such data: 15 to 20 cycles, where the mask costs
** two. */
static inline uint64_t choose(bool c, uint64_t a, uint64_t b) {
  return b ^ ((a ^ b) & ((uint64_t)0 - (uint64_t)c));
}
static inline wm_slot pick(bool c, wm_slot a, wm_slot b) {
  return (wm_slot){.u64 = choose(c, a.u64, b.u64)};
}
/* SELCMP `d a b x y` and SELCMPK `d a b x imm`: d = x op y (or imm) ? a :
** b, the i32 compare of a select's condition (ops.h). */
#define SELCMP(name, field, cmp)                                              \
  vmcase(name) {                                                              \
    R(0) = pick(R(3).field cmp R(4).field, R(1), R(2));                       \
    ip += 7;                                                                  \
    vmbreak;                                                                  \
  }
#define SELCMPK(name, field, ctype, cmp)                                      \
  vmcase(name) {                                                              \
    R(0) = pick(R(3).field cmp (ctype)OPD(4), R(1), R(2));                    \
    ip += 7;                                                                  \
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
    PUT(dfield, v_);                                                          \
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
    SET_##dfield(R(0), v_);                                                   \
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
    PUT(field, R(1).field op v_);                                             \
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
    SET_u32(R(0), v_);                                                        \
    if (v_ cmp 0)                                                             \
      ip += (int32_t)OPD(3);                                                  \
    else                                                                      \
      ip += 6;                                                                \
    vmbreak;                                                                  \
  }
/* MOVE `d1 a1`, then LOADK `d a imm off` of an i32 (n bytes, as ctype,
** zero-extended): `d1 a1 d a imm off`. */
/* MOVE `d1 a1`, then the i32 load `d a off` from operand 2 on (the address
** is read after the move: it may be d1); p gets the access's address. */
#define MOVE_LOAD_I32(p)                                                      \
  do {                                                                        \
    uint32_t v_;                                                              \
    R(0) = R(1);                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(3).u32, OPD(4), 4, &(p)))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p, 4, false);                                                  \
    memcpy(&v_, p, 4);                                                        \
    SET_u32(R(2), v_);                                                        \
  } while (0)
/* MOVE_I32_LOAD_STORE's work: MOVE_LOAD_I32, then the store of v (read
** after the load: v may be d) where it loaded. The checker reports the
** store at the next cell (its trap location). */
#define MOVE_LOAD_STORE_I32()                                                 \
  do {                                                                        \
    uint8_t *p_;                                                              \
    MOVE_LOAD_I32(p_);                                                        \
    uint32_t v_ = R(5).u32;                                                   \
    ip += WM_CHECKED;                                                         \
    CHK_ACCESS(p_, 4, true);                                                  \
    ip -= WM_CHECKED;                                                         \
    memcpy(p_, &v_, 4);                                                       \
  } while (0)
#define MOVELOADK(name, n, ctype)                                             \
  vmcase(name) {                                                              \
    ctype v_;                                                                 \
    uint8_t *p_;                                                              \
    R(0) = R(1);                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(3).u32 + OPD(4), OPD(5), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                           \
    memcpy(&v_, p_, n);                                                       \
    SET_u32(R(2), v_);                                                        \
    ip += 8;                                                                  \
    vmbreak;                                                                  \
  }
/* MUL_ADD_RMW `d a b imm off c off2`: BINLD d = a * v (v loaded as ctype,
** n bytes, from b + imm and off), then BINRMW of d at c and off2. ip steps
** one cell before the second access: a trap or a checker report there
** names the add's location (ops.h). `pre` runs first: the i32 add of the
** ADD_ and ADDK_ forms, which then steps ip past its 3 cells. */
#define MULADDRMW(name, n, ctype, field, pre)                                 \
  vmcase(name) {                                                              \
    pre;                                                                      \
    ctype v_, w_;                                                             \
    uint8_t *p_;                                                              \
    uint32_t c_ = OPD(5), off2_ = OPD(6);                                     \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(2).u32 + OPD(3), OPD(4), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                           \
    memcpy(&v_, p_, n);                                                       \
    v_ = R(1).field * v_;                                                     \
    SET_##field(R(0), v_);                                                    \
    ip += 1;                                                                  \
    if (WM_UNLIKELY(!mem_access(membase, memsize, fp[c_].u32, off2_, n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, true);                                            \
    memcpy(&w_, p_, n);                                                       \
    w_ = v_ + w_;                                                             \
    memcpy(p_, &w_, n);                                                       \
    ip += 8;                                                                  \
    vmbreak;                                                                  \
  }
/* ADDBR `d a imm x k off`: I32_ADD_K d a imm (or I32_AND_K, ANDBR), then
** CMPBRK x k off, where x is d: compile.c fuses the two only then. The
** compare takes the value just computed, not the slot it went to, so the
** branch resolves without waiting for a store-to-load forwarding (which
** matters when it mispredicts: a state machine's character tests). */
#define ADDBR(name, field, ctype, cmp) KOPBR(name, +, field, ctype, cmp)
/* I32_ADD_K_BR_* `d a imm x y off` (rhs OPD(2)) and I32_ADD_BR_* `d a b x y
** off` (rhs R(2).u32): d = a + rhs, then branch when x cmp y, both read
** after d is written. */
#define ADDBRS(name, rhs, field, cmp)                                         \
  vmcase(name) {                                                              \
    SET_u32(R(0), R(1).u32 + (rhs));                                          \
    if (R(3).field cmp R(4).field)                                            \
      ip += (int32_t)OPD(5);                                                  \
    else                                                                      \
      ip += 8;                                                                \
    vmbreak;                                                                  \
  }
#define ANDBR(name, field, ctype, cmp) KOPBR(name, &, field, ctype, cmp)
#define KOPBR(name, op, field, ctype, cmp)                                    \
  vmcase(name) {                                                              \
    uint32_t v_ = R(1).u32 op OPD(2);                                         \
    SET_u32(R(0), v_);                                                        \
    if ((ctype)v_ cmp (ctype)OPD(4))                                          \
      ip += (int32_t)OPD(5);                                                  \
    else                                                                      \
      ip += 8;                                                                \
    vmbreak;                                                                  \
  }
/* BINSH `d a b sh`: d = a op shfn(b, sh), i32 (shfn counts mod 32). */
#define BINSH(name, op, shfn)                                                 \
  vmcase(name) {                                                              \
    PUT(u32, R(1).u32 op shfn(R(2).u32, OPD(3)));                             \
    ip += 6;                                                                  \
    vmbreak;                                                                  \
  }
/* BR_IF and BR_IF_NOT `a off`: jump when a.i32 cmp 0. */
#define BRIF(name, cmp)                                                       \
  vmcase(name) {                                                              \
    if (R(0).u32 cmp 0)                                                       \
      ip += (int32_t)OPD(1);                                                  \
    else                                                                      \
      ip += 4;                                                                \
    vmbreak;                                                                  \
  }
/* I32_LOAD_SHL_K `d a sh imm off`: the n-byte i32 at (a << sh) + imm, the
** sum wrapping as the i32.add did, and off. */
#define LOADSHL(name, n)                                                      \
  vmcase(name) {                                                              \
    uint32_t v_ = 0;                                                          \
    uint8_t *p_;                                                              \
    uint32_t a_ = wm_i32_shl(R(1).u32, OPD(2)) + OPD(3);                      \
    if (WM_UNLIKELY(!mem_access(membase, memsize, a_, OPD(4), n, &p_)))       \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                                 \
    memcpy(&v_, p_, n);                                                       \
    PUT(u32, v_);                                                             \
    ip += 7;                                                                  \
    vmbreak;                                                                  \
  }
/* The sign-extended immediate of an i64 BINK. */
#define IMM64 ((uint64_t)(int64_t)(int32_t)OPD(2))


/* interp.c: a call run in a nested activation whose frame starts at top
** (above everything live), like a host call: code lowered for the other
** loop, or (from the checked loop, with the calling instruction ip) a
** function of the guest's allocator, which goes through the checker. A trap
** there keeps its message and backtrace in msg. */
/* LAZY: lower f's code and point f at it, or the error code with its
** message in msg (256 bytes). Out of the loop, in interp.c. */
int wm__interp_lower(wm_runtime *rt, wm_func *f, char *msg);
/* Debug builds: acc, after checking that it equals slot (interp.c). */
uint32_t wm__acc_checked(uint32_t acc, uint32_t slot);
int wm__interp_nested(wm_runtime *rt, wm_func *callee, wm_slot *args, wm_slot *top,
                      const uint32_t *ip, char *msg);
/* interp_checked.c: the checked loop, and its handler addresses (op's is
** the base returned plus (*offs)[op]). */
int wm__run_checked(wm_runtime *rt, const uint32_t *ip, char *msg);
const char *wm__checked_dispatch(const int32_t **offs);
/* interp_metered.c: the metered loop, and its handler addresses (as above). */
int wm__run_metered(wm_runtime *rt, const uint32_t *ip, char *msg);
const char *wm__metered_dispatch(const int32_t **offs);

#endif
