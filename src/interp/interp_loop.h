/* SPDX-License-Identifier: MIT */
/*
** interp_loop.h -- the dispatch loop, compiled three times: by interp.c as
** run() (WM_CHECKED 0, WM_METERED 0: the plain engine), by interp_checked.c
** as wm__run_checked() (WM_CHECKED 1, for modules lowered with
** WM_MODULE_CHECKED) and by interp_metered.c as wm__run_metered()
** (WM_METERED 1, for modules lowered with WM_MODULE_METERED only). The
** checked loop also runs every memory access past the guest heap checker's
** shadow memory and sends calls of the guest's allocator functions through
** check.c; the metered and checked loops have the FUEL instruction. The
** plain loop compiles none of that, so neither checking nor metering costs
** the plain engine a test. OTHER_LOOP(mod) says that mod's code is not for
** this loop (or, in the checked loop, that its metering differs).
*/

/* The instructions that have an accumulator form (ops.h, WM_ACC_OPS), as
** K(class macro, name, its other arguments): ACC_OPS_R1 those whose
** operand 1 the form reads from acc32, ACC_OPS_R0 operand 0. Each list is
** expanded twice in the loop, as the plain handlers and as the forms. */
#define ACC_OPS_R1(K) \
  K(BINK, I32_ADD_K, u32, R(1).u32 + OPD(2)) \
  K(BINK, I32_MUL_K, u32, R(1).u32 * OPD(2)) \
  K(BINK, I32_AND_K, u32, R(1).u32 & OPD(2)) \
  K(BINK, I32_OR_K, u32, R(1).u32 | OPD(2)) \
  K(BINK, I32_XOR_K, u32, R(1).u32 ^ OPD(2)) \
  K(BINK, I32_SHL_K, u32, wm_i32_shl(R(1).u32, OPD(2))) \
  K(BINK, I32_SHR_S_K, i32, wm_i32_shr_s(R(1).i32, OPD(2))) \
  K(BINK, I32_SHR_U_K, u32, wm_i32_shr_u(R(1).u32, OPD(2))) \
  K(BINK, I32_ROTL_K, u32, wm_i32_rotl(R(1).u32, OPD(2))) \
  K(BINK, I32_ROTR_K, u32, wm_i32_rotr(R(1).u32, OPD(2))) \
  K(BINK, I32_EQ_K, u32, R(1).u32 == OPD(2)) \
  K(BINK, I32_NE_K, u32, R(1).u32 != OPD(2)) \
  K(BINK, I32_LT_S_K, u32, R(1).i32 < (int32_t)OPD(2)) \
  K(BINK, I32_LT_U_K, u32, R(1).u32 < OPD(2)) \
  K(BINK, I32_GT_S_K, u32, R(1).i32 > (int32_t)OPD(2)) \
  K(BINK, I32_GT_U_K, u32, R(1).u32 > OPD(2)) \
  K(BINK, I32_LE_S_K, u32, R(1).i32 <= (int32_t)OPD(2)) \
  K(BINK, I32_LE_U_K, u32, R(1).u32 <= OPD(2)) \
  K(BINK, I32_GE_S_K, u32, R(1).i32 >= (int32_t)OPD(2)) \
  K(BINK, I32_GE_U_K, u32, R(1).u32 >= OPD(2)) \
  K(BIN, I32_EQ, u32, R(1).u32 == R(2).u32) \
  K(BIN, I32_NE, u32, R(1).u32 != R(2).u32) \
  K(BIN, I32_LT_S, u32, R(1).i32 < R(2).i32) \
  K(BIN, I32_LT_U, u32, R(1).u32 < R(2).u32) \
  K(BIN, I32_GT_S, u32, R(1).i32 > R(2).i32) \
  K(BIN, I32_GT_U, u32, R(1).u32 > R(2).u32) \
  K(BIN, I32_LE_S, u32, R(1).i32 <= R(2).i32) \
  K(BIN, I32_LE_U, u32, R(1).u32 <= R(2).u32) \
  K(BIN, I32_GE_S, u32, R(1).i32 >= R(2).i32) \
  K(BIN, I32_GE_U, u32, R(1).u32 >= R(2).u32) \
  K(BIN, I32_ADD, u32, R(1).u32 + R(2).u32) \
  K(BIN, I32_SUB, u32, R(1).u32 - R(2).u32) \
  K(BIN, I32_MUL, u32, R(1).u32 * R(2).u32) \
  K(BIN, I32_AND, u32, R(1).u32 & R(2).u32) \
  K(BIN, I32_OR, u32, R(1).u32 | R(2).u32) \
  K(BIN, I32_XOR, u32, R(1).u32 ^ R(2).u32) \
  K(BIN, I32_SHL, u32, wm_i32_shl(R(1).u32, R(2).u32)) \
  K(BIN, I32_SHR_S, i32, wm_i32_shr_s(R(1).i32, R(2).u32)) \
  K(BIN, I32_SHR_U, u32, wm_i32_shr_u(R(1).u32, R(2).u32)) \
  K(BIN, I32_ROTL, u32, wm_i32_rotl(R(1).u32, R(2).u32)) \
  K(BIN, I32_ROTR, u32, wm_i32_rotr(R(1).u32, R(2).u32)) \
  K(UN, I32_EQZ, u32, R(1).u32 == 0) \
  K(LOAD, I32_LOAD, 4, uint32_t, u32) \
  K(LOAD, I64_LOAD, 8, uint64_t, u64) \
  K(LOAD, F32_LOAD, 4, uint32_t, u32) /* as bits: NaN payloads survive */ \
  K(LOAD, F64_LOAD, 8, uint64_t, u64) \
  K(LOAD, I32_LOAD8_S, 1, int8_t, i32) \
  K(LOAD, I32_LOAD8_U, 1, uint8_t, u32) \
  K(LOAD, I32_LOAD16_S, 2, int16_t, i32) \
  K(LOAD, I32_LOAD16_U, 2, uint16_t, u32) \
  K(LOAD, I64_LOAD8_S, 1, int8_t, i64) \
  K(LOAD, I64_LOAD8_U, 1, uint8_t, u64) \
  K(LOAD, I64_LOAD16_S, 2, int16_t, i64) \
  K(LOAD, I64_LOAD16_U, 2, uint16_t, u64) \
  K(LOAD, I64_LOAD32_S, 4, int32_t, i64) \
  K(LOAD, I64_LOAD32_U, 4, uint32_t, u64) \
  K(LOADK, I32_LOAD_K, 4, uint32_t, u32) \
  K(LOADK, I64_LOAD_K, 8, uint64_t, u64) \
  K(LOADK, F32_LOAD_K, 4, uint32_t, u32) \
  K(LOADK, F64_LOAD_K, 8, uint64_t, u64) \
  K(LOADK, I32_LOAD8_S_K, 1, int8_t, i32) \
  K(LOADK, I32_LOAD8_U_K, 1, uint8_t, u32) \
  K(LOADK, I32_LOAD16_S_K, 2, int16_t, i32) \
  K(LOADK, I32_LOAD16_U_K, 2, uint16_t, u32) \
  K(LOADK, I64_LOAD8_S_K, 1, int8_t, i64) \
  K(LOADK, I64_LOAD8_U_K, 1, uint8_t, u64) \
  K(LOADK, I64_LOAD16_S_K, 2, int16_t, i64) \
  K(LOADK, I64_LOAD16_U_K, 2, uint16_t, u64) \
  K(LOADK, I64_LOAD32_S_K, 4, int32_t, i64) \
  K(LOADK, I64_LOAD32_U_K, 4, uint32_t, u64) \
  K(BINLD, I32_ADD_LD, 4, uint32_t, u32, +) \
  K(BINLD, I32_SUB_LD, 4, uint32_t, u32, -) \
  K(BINLD, I32_MUL_LD, 4, uint32_t, u32, *) \
  K(BINLD, I32_AND_LD, 4, uint32_t, u32, &) \
  K(BINLD, I32_OR_LD, 4, uint32_t, u32, |) \
  K(BINLD, I32_XOR_LD, 4, uint32_t, u32, ^) \
  K(BINLD, I32_XOR_LD8_U, 1, uint8_t, u32, ^) \
  K(BINLD, I32_ADD_LD8_U, 1, uint8_t, u32, +) \
  K(BINSH, I32_XOR_SHL_K, ^, wm_i32_shl) \
  K(BINSH, I32_XOR_SHR_U_K, ^, wm_i32_shr_u) \
  K(BINSH, I32_XOR_ROTL_K, ^, wm_i32_rotl) \
  K(BINSH, I32_XOR_ROTR_K, ^, wm_i32_rotr) \
  K(BINSH, I32_OR_SHL_K, |, wm_i32_shl) \
  K(BINSH, I32_OR_SHR_U_K, |, wm_i32_shr_u) \
  K(LOADSHL, I32_LOAD_SHL_K, 4)
#define ACC_OPS_R0(K) \
  K(BRIF, BR_IF, !=) \
  K(BRIF, BR_IF_NOT, ==) \
  K(CMPBRK, BR_I32_EQ_K, u32, uint32_t, ==) \
  K(CMPBRK, BR_I32_NE_K, u32, uint32_t, !=) \
  K(CMPBRK, BR_I32_LT_S_K, i32, int32_t, <) \
  K(CMPBRK, BR_I32_LT_U_K, u32, uint32_t, <) \
  K(CMPBRK, BR_I32_GT_S_K, i32, int32_t, >) \
  K(CMPBRK, BR_I32_GT_U_K, u32, uint32_t, >) \
  K(CMPBRK, BR_I32_LE_S_K, i32, int32_t, <=) \
  K(CMPBRK, BR_I32_LE_U_K, u32, uint32_t, <=) \
  K(CMPBRK, BR_I32_GE_S_K, i32, int32_t, >=) \
  K(CMPBRK, BR_I32_GE_U_K, u32, uint32_t, >=) \
  K(STORE, I32_STORE, 4, uint32_t, u32) \
  K(STORE, I64_STORE, 8, uint64_t, u64) \
  K(STORE, F32_STORE, 4, uint32_t, u32) \
  K(STORE, F64_STORE, 8, uint64_t, u64) \
  K(STORE, I32_STORE8, 1, uint8_t, u32) \
  K(STORE, I32_STORE16, 2, uint16_t, u32) \
  K(STORE, I64_STORE8, 1, uint8_t, u64) \
  K(STORE, I64_STORE16, 2, uint16_t, u64) \
  K(STORE, I64_STORE32, 4, uint32_t, u64) \
  K(STOREK, I32_STORE_K, 4, uint32_t, u32) \
  K(STOREK, I64_STORE_K, 8, uint64_t, u64) \
  K(STOREK, F32_STORE_K, 4, uint32_t, u32) \
  K(STOREK, F64_STORE_K, 8, uint64_t, u64) \
  K(STOREK, I32_STORE8_K, 1, uint8_t, u32) \
  K(STOREK, I32_STORE16_K, 2, uint16_t, u32) \
  K(STOREK, I64_STORE8_K, 1, uint8_t, u64) \
  K(STOREK, I64_STORE16_K, 2, uint16_t, u64) \
  K(STOREK, I64_STORE32_K, 4, uint32_t, u64)
#define ACC_BASE_(M, name, ...) M(name, __VA_ARGS__)
#define ACC_FORM_(M, name, ...) M(name##_A, __VA_ARGS__)
/* In the forms' handlers: operand k as a slot, or acc32 as one. Only the
** plain loop reads the register; builds that check lowered code also check
** that it holds what the slot holds. */
#if !WM_CHECKED && !WM_METERED
#if WM_CHECK_LOWERED
#define ACC_SLOT(k) ((wm_slot){.u32 = wm__acc_checked(acc32, fp[OPD(k)].u32)})
#else
#define ACC_SLOT(k) ((wm_slot){.u32 = acc32})
#endif
#else
#define ACC_SLOT(k) fp[OPD(k)]
#endif
#define ACC_R1_0 fp[OPD(0)]
#define ACC_R1_1 ACC_SLOT(1)
#define ACC_R1_2 fp[OPD(2)]
#define ACC_R1_3 fp[OPD(3)]
#define ACC_R1_4 fp[OPD(4)]
#define ACC_R0_0 ACC_SLOT(0)
#define ACC_R0_1 fp[OPD(1)]
#define ACC_R0_2 fp[OPD(2)]
#define ACC_R0_3 fp[OPD(3)]
#define ACC_R0_4 fp[OPD(4)]


/*
** Run an activation (its entry frame pushed by push_entry_frame, the one
** frame with no return address) from cell ip of the frame on top of
** rt->frames until its entry frame returns: at entry the top frame is the
** entry frame and ip its code's first cell; after a catch (interp.c's
** run_for) they are the catching frame and its landing pad. Returns 0 or a trap code; on a trap (WM_EXCEPTION
** included) the frames of the failed activations are left on rt->frames
** for the backtrace and the unwinding, rt->trap_ip is the failing cell, and
** msg (256 bytes) may hold a message more precise than the code's (a host
** function's own). Catching is not done here: a label to re-enter the loop
** at cost the plain engine's calls about 1% more instructions. Called with
** rt == NULL, it only publishes its dispatch table.
*/
RUN_LINKAGE int RUN_NAME(wm_runtime *rt_arg, const uint32_t *ip, char *msg) {
  /* rt lives in memory, not in a register: only slow paths (calls of
  ** host functions, traps, lowering) and the cross-runtime test of an
  ** indirect call read it, and a register for it is one that ip, fp, frp,
  ** acc32, membase, memsize and inst cannot have. GCC's allocation of this
  ** one long function otherwise shifts with any new handler: one had frp,
  ** the frame pointer every call and return moves, on the stack (fib 1.33x
  ** the time). */
  wm_runtime *volatile const rt = rt_arg;
#ifdef WM_GOTO_DISPATCH
#if !WM_METERED
  /* Never in code lowered for this loop, which has no handler for it: the
  ** slot names another (the pasted label is macro-expanded). */
#define L_FUEL L_UNREACHABLE
#endif
  /* Each handler's distance from UNREACHABLE's, not its address: a table
  ** of differences is a link-time constant, where one of addresses needs a
  ** relocation per entry in a position-independent build, applied (and
  ** its pages copied) at every process start. */
  static const int32_t label_offs[WM_OP_COUNT_] = {
#define WM_OP_LABEL_(name, cls, wasm) (int32_t)(&&L_##name - &&L_UNREACHABLE),
      WM_OPS(WM_OP_LABEL_)
#undef WM_OP_LABEL_
  };
#undef L_FUEL
  if (!rt) {
    /* Idempotent: always the same values; the offsets last, since readers
    ** test them. */
    DISPATCH_BASE = (const char *)&&L_UNREACHABLE;
    DISPATCH_OFFS = label_offs;
    return 0;
  }
#endif
  /* The frame stack is walked through a local pointer to the running
  ** activation's record; rt->nframes is brought up to date only where
  ** something else reads it: before a host call (which may re-enter
  ** wm__interp_call), on a trap (for the backtrace) and at the exit. */
  wm_frame *const frlast = &rt->frames[rt->max_frames - 1];
  wm_frame *frp = &rt->frames[rt->nframes - 1];
  wm_slot *const stack_end = rt->stack_end;
  wm_func *callee = NULL; /* operands of the shared call path (call_common) */
  wm_slot *nfp = NULL;
  const uint32_t *next_ip = NULL;
  uint32_t ntail = 0;                /* RETURN_CALL*: the argument slots */
  int trap;

  /* Hot state, kept in locals (and ip). */
  wm_slot *fp = frp->fp;
  uint32_t acc32 = 0; /* the accumulator: see PUT (only the plain loop reads it) */
  (void)acc32;
  wm_instance *inst = frp->func->inst;
  wm_memory *mem0;
  uint8_t *membase;
  uint64_t memsize;
#if WM_CHECKED
  uint8_t *shadow; /* mem0's shadow; NULL when not checked right now */
#endif
  LOAD_MEM(); /* first use of this instance's memory */

  for (;;) {
    vmdispatch(head_at(ip)) {
      /* --- control ---------------------------------------------------- */
      vmcase(UNREACHABLE) TRAP(WM_TRAP_UNREACHABLE);
      vmcase(BR) {
        ip += (int32_t)OPD(0);
        vmbreak;
      }
      vmcase(BR_TABLE) {
        uint32_t i = R(0).u32, n = OPD(1);
        if (i > n) i = n;
        ip += (int32_t)OPD(2 + i);
        vmbreak;
      }
      vmcase(BR_TABLE_K) {
        uint32_t i = R(0).u32 + OPD(1), n = OPD(2); /* wraps as the i32.add did */
        if (i > n) i = n;
        ip += (int32_t)OPD(3 + i);
        vmbreak;
      }
      vmcase(RETURN) {
        /* The results are in this frame's slots 0.., which are the caller's
        ** slots base.. : nothing to copy. */
        ip = frp->ret_ip;
        if (WM_UNLIKELY(!ip)) { /* the activation's entry frame has none */
          rt->nframes = (uint32_t)(frp - rt->frames);
          return 0;
        }
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
      vmcase(I32_ADD_K_CALL) {
        /* The add, then the CALL whose head would be 3 cells in: from
        ** there on, ip is that head's (its cache, return address and trap
        ** location are found from it). */
        SET_u32(R(0), R(1).u32 + OPD(2));
        ip += 3;
        goto call_defined;
      }
      vmcase(CALL) {
        /* A defined function of this instance: no instance switch, no host
        ** function. The callee's code comes from the instruction's cache,
        ** so its first cell is two loads away, not five; the cache is the
        ** module's, and the wm_func's code (a stub until lowered, per
        ** instance) is only compared with it, off the path to dispatch. */
      call_defined:
        callee = inst->funcs[OPD(0)];
#if WM_CHECKED
        if (WM_UNLIKELY(callee->hook)) {
          nfp = fp + OPD(1);
          next_ip = ip + WM_CALL_CELLS;
          goto hooked_call;
        }
#endif
        const wm_code *c = atomic_load_explicit(call_cache(ip), memory_order_relaxed);
        nfp = fp + OPD(1);
        if (WM_UNLIKELY(c != callee->code)) {
          c = callee->code;
          atomic_store_explicit(call_cache(ip), c, memory_order_relaxed);
        }
        if (WM_UNLIKELY(frp == frlast || (size_t)(stack_end - nfp) < c->frame_slots))
          TRAP(WM_TRAP_STACK_EXHAUSTED);
        enter_frame(c, nfp);
        frp++;
        frp->ret_ip = ip + WM_CALL_CELLS;
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
        INDIRECT_CALLEE();
        nfp = fp + OPD(3);
        next_ip = ip + 6;
        goto call_common;
      }
      /* Tail calls: the arguments move down to this frame's slots 0.. and
      ** the callee's frame replaces it (frame stack and C stack stay
      ** constant). A callee that runs nested (host function, the checker's
      ** allocator hook, another loop's code) is called as by CALL_IMPORT,
      ** and the return sequence after the instruction hands its results
      ** on. */
      vmcase(RETURN_CALL) {
        callee = inst->funcs[OPD(0)];
        nfp = fp + OPD(1);
        ntail = OPD(2);
        next_ip = ip + 5;
        goto tail_common;
      }
      vmcase(RETURN_CALL_INDIRECT) {
        INDIRECT_CALLEE();
        nfp = fp + OPD(3);
        ntail = OPD(4);
        next_ip = ip + 7;
        goto tail_common;
      }
      vmcase(NATIVE) {
        /* Compiled code (src/aot): the frame's slots 0.. hold the
        ** arguments and get the results; nested calls go above the frame.
        ** The native code may have grown the memory. */
        rt->nframes = (uint32_t)(frp - rt->frames) + 1;
        trap = wm__aot_run(rt, inst, OPD(0), fp, fp + frp->func->code->frame_slots, msg);
        if (WM_UNLIKELY(trap)) goto trapped;
        LOAD_MEM();
        ip += WM_HEAD_CELLS + 1;
        vmbreak;
      }
      vmcase(LAZY) {
        /* The first call of a function not lowered yet entered its stub
        ** (wm_funcdef), a frame of just its parameters. Lower it, then
        ** enter the real frame in the same place: the arguments are where
        ** they must be. */
        trap = wm__interp_lower(rt, frp->func, msg);
        if (WM_UNLIKELY(trap)) goto trapped;
        const wm_code *c = frp->func->code;
        if (WM_UNLIKELY((size_t)(stack_end - fp) < c->frame_slots))
          TRAP(WM_TRAP_STACK_EXHAUSTED);
        enter_frame(c, fp);
        ip = c->code;
        vmbreak;
      }
      /* Shared by CALL_IMPORT and CALL_INDIRECT: the callee may be a host
      ** function or belong to another instance. Kept inside the dispatch
      ** body so that vmbreak means the same here in both builds. */
    call_common:
#if WM_CHECKED
      if (WM_UNLIKELY(callee->hook)) goto hooked_call;
#endif
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
        if (WM_UNLIKELY(OTHER_LOOP(callee->inst->mod))) {
          /* Lowered for another loop, or metered where the caller is not
          ** (or the other way round: wm__interp_call decides whether it
          ** may run): undo the frame and run it there, nested, like a host
          ** function. */
          frp--;
          fp = frp->fp;
          ip = next_ip - 1; /* inside the call instruction, for a backtrace */
          rt->nframes = (uint32_t)(frp - rt->frames) + 1;
          trap = wm__interp_nested(rt, callee, nfp, fp + frp->func->code->frame_slots, NULL, msg);
          if (WM_UNLIKELY(trap)) goto trapped;
          LOAD_MEM();
          ip = next_ip;
          vmbreak;
        }
        /* Another runtime's function on our stack: from now on neither
        ** may collect (collect.c): each may hold the other's values. */
        if (WM_UNLIKELY(callee->rt != rt)) wm__refs_share(rt, callee->rt);
        inst = callee->inst; /* the callee runs in its own instance */
        LOAD_MEM();
      }
      vmbreak;

    tail_common:
#if WM_CHECKED
      if (WM_UNLIKELY(callee->hook)) goto hooked_call;
#endif
      if (callee->host || (callee->inst != inst && OTHER_LOOP(callee->inst->mod)))
        goto call_common;
      {
        const wm_code *c = callee->code;
        if (WM_UNLIKELY((size_t)(stack_end - fp) < c->frame_slots))
          TRAP(WM_TRAP_STACK_EXHAUSTED);
        for (uint32_t k = 0; k < ntail; k++) fp[k] = nfp[k]; /* fp < nfp */
        enter_frame(c, fp);
        frp->func = callee;
        ip = c->code;
      }
      if (callee->inst != inst) {
        if (WM_UNLIKELY(callee->rt != rt)) wm__refs_share(rt, callee->rt);
        inst = callee->inst;
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
      vmcase(MOVE4) {
        R(0) = R(1);
        R(2) = R(3);
        R(4) = R(5);
        R(6) = R(7);
        ip += 10;
        vmbreak;
      }
      vmcase(CONST32) {
        R(0).u64 = OPD(1);
        ip += 4;
        vmbreak;
      }
      /* LOAD2 `d1 a1 imm1 h h d2 a2 imm2`: two loads in order (a2 read
      ** after d1 is written); the accumulator gets d2. */
#define LOAD2(name, n, ctype, dfield)                                         \
  vmcase(name) {                                                              \
    ctype v_;                                                                 \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32, OPD(2), n, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, n, false);                                                 \
    memcpy(&v_, p_, n);                                                       \
    SET_##dfield(R(0), v_);                                                   \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(6).u32, OPD(7), n, &p_))) { \
      ip += 5; /* the second load's own trap location */                      \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    }                                                                         \
    CHK_ACCESS(p_, n, false);                                                 \
    memcpy(&v_, p_, n);                                                       \
    SET_##dfield(R(5), v_);                                                   \
    acc32 = ACC_BITS_##dfield(v_);                                            \
    ip += 10;                                                                 \
    vmbreak;                                                                  \
  }
      LOAD2(I32_LOAD_2, 4, uint32_t, u32)
      LOAD2(I32_LOAD8_S_2, 1, int8_t, i32)
      LOAD2(I32_LOAD8_U_2, 1, uint8_t, u32)
      LOAD2(I32_LOAD16_S_2, 2, int16_t, i32)
      LOAD2(I32_LOAD16_U_2, 2, uint16_t, u32)
#undef LOAD2
      vmcase(I32_ADD_K_LOAD8_U_BR_IF_NOT_MOVE) {
        uint32_t a_ = R(1).u32, d_ = a_ + OPD(2);
        uint8_t *p_;
        SET_u32(R(0), d_);
        if (WM_UNLIKELY(!mem_access(membase, memsize, a_, OPD(7), 1, &p_))) {
          ip += 5; /* the load's own trap location */
          TRAP(WM_TRAP_MEMORY_OOB);
        }
        CHK_ACCESS(p_, 1, false);
        uint8_t x_ = *p_;
        SET_u32(R(5), x_);
        if (x_ == 0) {
          ip += (int32_t)OPD(8);
        } else {
          SET_u32(R(11), d_);
          ip += 15;
        }
        vmbreak;
      }
      vmcase(CONST64) {
        R(0).u64 = (uint64_t)OPD(1) | (uint64_t)OPD(2) << 32;
        ip += 5;
        vmbreak;
      }
      vmcase(SELECT) {
        R(0) = pick(R(3).u32 != 0, R(1), R(2));
        ip += 6;
        vmbreak;
      }
      vmcase(GLOBAL_GET) {
        R(0) = inst->globals[OPD(1)]->val[0];
        ip += 4;
        vmbreak;
      }
      vmcase(GLOBAL_SET) {
        inst->globals[OPD(0)]->val[0] = R(1);
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
        CHK_RANGE(dst, n, true);
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
        CHK_RANGE(src, n, false);
        CHK_RANGE(dst, n, true);
        if (n) memmove(membase + dst, membase + src, n);
        ip += 5;
        vmbreak;
      }
      vmcase(MEMORY_FILL) {
        uint32_t dst = R(0).u32, n = R(2).u32;
        if (!wm__in_range(dst, n, memsize)) TRAP(WM_TRAP_MEMORY_OOB);
        CHK_RANGE(dst, n, true);
        if (n) memset(membase + dst, (int)(uint8_t)R(1).u32, n);
        ip += 5;
        vmbreak;
      }
      /* Multiple memories (WebAssembly 3.0): an instruction on memory m > 0
      ** is bracketed by MEMORY_SELECT m and MEMORY_SELECT 0, which load the
      ** memory cache (base, size, checker shadow) from that memory, so the
      ** memory 0 code pays nothing. */
      vmcase(MEMORY_SELECT) {
        mem0 = inst->mems[OPD(0)];
        membase = mem0->base;
        memsize = mem0->size;
        CHK_LOAD_SHADOW();
        ip += 3;
        vmbreak;
      }
/* memory.copy of n bytes from memory ms at src to memory md at dst, in
** bounds: the checker sees both ranges first (MEMORY_COPY_MM and
** MEMORY_COPY64). */
#if WM_CHECKED
#define COPY_MM(md, ms, dst, src, n)                                          \
  do {                                                                        \
    if ((n) && ((ms)->shadow || (md)->shadow)) {                              \
      rt->nframes = (uint32_t)(frp - rt->frames) + 1;                         \
      if ((ms)->shadow) wm__check_range(ms, src, n, false, ip);               \
      if ((md)->shadow) wm__check_range(md, dst, n, true, ip);                \
    }                                                                         \
    if (n) memmove((md)->base + (dst), (ms)->base + (src), (size_t)(n));      \
  } while (0)
#else
#define COPY_MM(md, ms, dst, src, n)                                          \
  do {                                                                        \
    if (n) memmove((md)->base + (dst), (ms)->base + (src), (size_t)(n));      \
  } while (0)
#endif
      vmcase(MEMORY_COPY_MM) {
        wm_memory *md = inst->mems[OPD(3)], *ms = inst->mems[OPD(4)];
        uint32_t dst = R(0).u32, src = R(1).u32, n = R(2).u32;
        if (!wm__in_range(src, n, ms->size) || !wm__in_range(dst, n, md->size))
          TRAP(WM_TRAP_MEMORY_OOB);
        COPY_MM(md, ms, dst, src, n);
        ip += 7;
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
          t->elems[dst + k] = wm__elem_item(inst, seg, src + k);
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
      UN(I32_CLZ, u32, wm_i32_clz(R(1).u32))
      UN(I32_CTZ, u32, wm_i32_ctz(R(1).u32))
      UN(I32_POPCNT, u32, wm_i32_popcnt(R(1).u32))
      BIN_TRAP(I32_DIV_S, int32_t, i32, wm_i32_div_s)
      BIN_TRAP(I32_DIV_U, uint32_t, u32, wm_i32_div_u)
      BIN_TRAP(I32_REM_S, int32_t, i32, wm_i32_rem_s)
      BIN_TRAP(I32_REM_U, uint32_t, u32, wm_i32_rem_u)

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
      vmcase(MOVE_I32_LOAD) {
        uint8_t *p_;
        MOVE_LOAD_I32(p_);
        ip += 7;
        vmbreak;
      }
      MOVELOADK(MOVE_I32_LOAD_K, 4, uint32_t)
      /* MOVE_I32_LOAD, then a store of v to the same address: the lowering
      ** checked that d1 holds it, so the load's bounds check covers the
      ** store. The checker sees the store at its own location, the next
      ** cell. */
      vmcase(MOVE_I32_LOAD_STORE) {
        MOVE_LOAD_STORE_I32();
        ip += 8;
        vmbreak;
      }
      vmcase(MOVE_I32_LOAD_STORE_MOVE_BR_IF) {
#if !WM_METERED
        /* The loop that branches back to itself, in the shape a reversal
        ** has (`t = l; l = l->next; t->next = r; r = t` while l, with l, t
        ** and r three slots): the three stay in registers until it ends,
        ** where each step would otherwise wait for the slot the step
        ** before stored. Only here: the other loops count fuel at the
        ** loop's head, which is then not this instruction. */
        if (OPD(9) == 0 && OPD(1) == OPD(2) && OPD(1) == OPD(3) && OPD(1) == OPD(8) &&
            OPD(0) == OPD(7) && OPD(5) == OPD(6) && OPD(0) != OPD(1) && OPD(5) != OPD(1) &&
            OPD(5) != OPD(0)) {
          uint64_t l_ = R(1).u64, t_ = R(0).u64, r_ = R(5).u64;
          uint32_t off_ = OPD(4), n_, v_;
          uint8_t *p_;
          do {
            t_ = l_;
            if (WM_UNLIKELY(!mem_access(membase, memsize, (uint32_t)l_, off_, 4, &p_))) {
              R(0).u64 = t_;
              R(5).u64 = r_;
              TRAP(WM_TRAP_MEMORY_OOB);
            }
            memcpy(&n_, p_, 4);
            l_ = n_;
            v_ = (uint32_t)r_;
            memcpy(p_, &v_, 4);
            r_ = t_;
          } while ((uint32_t)l_);
          R(0).u64 = t_;
          R(1).u64 = l_;
          R(5).u64 = r_;
          ip += 12;
          vmbreak;
        }
#endif
        MOVE_LOAD_STORE_I32();
        R(6) = R(7);
        if (R(8).u32) /* after the move: the condition may be d2 */
          ip += (int32_t)OPD(9);
        else
          ip += 12;
        vmbreak;
      }
      vmcase(I32_STORE8_X_ADD_BR_LE_U) {
#if !WM_METERED
        /* The loop that branches back to itself, stepping the slot j that
        ** is one of the store's two address operands (the other the
        ** base), its step, bound and stored value other slots: j stays
        ** in a register until the loop ends. Only here, as for the list
        ** reversal above. */
        if (OPD(9) == 0 && OPD(4) == OPD(5) && OPD(4) == OPD(7) &&
            (OPD(0) == OPD(4)) != (OPD(1) == OPD(4)) && OPD(2) != OPD(4) && OPD(6) != OPD(4) &&
            OPD(8) != OPD(4)) {
          uint32_t j_ = R(4).u32, base_ = OPD(0) == OPD(4) ? R(1).u32 : R(0).u32;
          uint32_t step_ = R(6).u32, end_ = R(8).u32, off_ = OPD(3);
          uint8_t v_ = (uint8_t)R(2).u32, *p_;
          do {
            if (WM_UNLIKELY(!mem_access(membase, memsize, base_ + j_, off_, 1, &p_))) {
              SET_u32(R(4), j_);
              TRAP(WM_TRAP_MEMORY_OOB);
            }
            *p_ = v_;
            j_ += step_;
          } while (j_ <= end_);
          SET_u32(R(4), j_);
          ip += 12;
          vmbreak;
        }
#endif
        uint8_t v_ = (uint8_t)R(2).u32, *p_;
        if (WM_UNLIKELY(!mem_access(membase, memsize, R(0).u32 + R(1).u32, OPD(3), 1, &p_)))
          TRAP(WM_TRAP_MEMORY_OOB);
        CHK_ACCESS(p_, 1, true);
        *p_ = v_;
        SET_u32(R(4), R(5).u32 + R(6).u32);
        if (R(7).u32 <= R(8).u32)
          ip += (int32_t)OPD(9);
        else
          ip += 12;
        vmbreak;
      }
      MOVELOADK(MOVE_I32_LOAD8_U_K, 1, uint8_t)
/* A list search, `for (n = l; n; n = n->next) if (n->key == k) ...`: an
** I32_LOAD_BR_EQ or _NE `d n koff k off` (this instruction) whose way on
** (fall-through or branch) is t, an `I32_LOAD_BR_IF n n noff` that
** branches back here, n neither d nor k, k not d. The two run here, n in
** a register, until the key is found (to `found`), n is 0 (t falls
** through) or a load traps (at its own instruction). Only in the plain
** loop: the others count fuel at the loop's head, which is then neither. */
#if !WM_METERED
#define LIST_FIND(t, found)                                                   \
  if (HEAD_IS(t, I32_LOAD_BR_IF) && (t)[WM_HEAD_CELLS] == OPD(1) &&           \
      (t)[WM_HEAD_CELLS + 1] == OPD(1) && (t) + (int32_t)(t)[WM_HEAD_CELLS + 3] == ip && \
      OPD(0) != OPD(1) && OPD(3) != OPD(1) && OPD(3) != OPD(0)) {             \
    uint32_t n_ = R(1).u32, k_ = R(3).u32, koff_ = OPD(2), noff_ = (t)[WM_HEAD_CELLS + 2]; \
    const uint32_t *found_ = (found), *next_, *at_ = NULL; /* at_: a trap */ \
    for (;;) {                                                                \
      if (WM_UNLIKELY(!mem_access(membase, memsize, n_, noff_, 4, &p_))) {    \
        at_ = (t);                                                            \
        next_ = NULL;                                                         \
        break;                                                                \
      }                                                                       \
      memcpy(&n_, p_, 4);                                                     \
      if (!n_) {                                                              \
        next_ = (t) + WM_HEAD_CELLS + 4;                                      \
        break;                                                                \
      }                                                                       \
      if (WM_UNLIKELY(!mem_access(membase, memsize, n_, koff_, 4, &p_))) {    \
        at_ = ip;                                                             \
        next_ = NULL;                                                         \
        break;                                                                \
      }                                                                       \
      memcpy(&v_, p_, 4);                                                     \
      if (v_ == k_) {                                                         \
        next_ = found_;                                                       \
        break;                                                                \
      }                                                                       \
    }                                                                         \
    SET_u32(R(0), v_); /* before ip moves: R reads its cells */               \
    SET_u32(R(1), n_);                                                        \
    if (WM_UNLIKELY(at_ != NULL)) {                                           \
      ip = at_;                                                               \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    }                                                                         \
    ip = next_;                                                               \
    vmbreak;                                                                  \
  }
#else
#define LIST_FIND(t, found)
#endif
/* I32_LOAD_BR_EQ and _NE `d a imm b off`: the load, then the branch when
** the value is (not) b's; `found` is where the equal value goes on to,
** `on` where an unequal one does (a list search's next step). */
#define LOAD_FIND(name, found, on)                                            \
  vmcase(name) {                                                              \
    uint32_t v_;                                                              \
    uint8_t *p_;                                                              \
    if (WM_UNLIKELY(!mem_access(membase, memsize, R(1).u32, OPD(2), 4, &p_))) \
      TRAP(WM_TRAP_MEMORY_OOB);                                               \
    CHK_ACCESS(p_, 4, false);                                                 \
    memcpy(&v_, p_, 4);                                                       \
    SET_u32(R(0), v_);                                                        \
    if (v_ == R(3).u32) {                                                     \
      ip = (found);                                                           \
      vmbreak;                                                                \
    }                                                                         \
    LIST_FIND(on, found)                                                      \
    ip = (on);                                                                \
    vmbreak;                                                                  \
  }
      LOAD_FIND(I32_LOAD_BR_EQ, ip + (int32_t)OPD(4), ip + 7)
      LOAD_FIND(I32_LOAD_BR_NE, ip + 7, ip + (int32_t)OPD(4))
#undef LOAD_FIND
#undef LIST_FIND
      MULADDRMW(F32_MUL_ADD_RMW, 4, float, f32, (void)0)
      MULADDRMW(F64_MUL_ADD_RMW, 8, double, f64, (void)0)
      MULADDRMW(F32_ADD_MUL_ADD_RMW, 4, float, f32, SET_u32(R(0), R(1).u32 + R(2).u32); ip += 3)
      MULADDRMW(F64_ADD_MUL_ADD_RMW, 8, double, f64, SET_u32(R(0), R(1).u32 + R(2).u32); ip += 3)
      MULADDRMW(F32_ADDK_MUL_ADD_RMW, 4, float, f32, SET_u32(R(0), R(1).u32 + OPD(2)); ip += 3)
      MULADDRMW(F64_ADDK_MUL_ADD_RMW, 8, double, f64, SET_u32(R(0), R(1).u32 + OPD(2)); ip += 3)
      vmcase(I32_MUL_ADD) {
        SET_u32(R(0), R(1).u32 * R(2).u32 + R(3).u32);
        ip += 6;
        vmbreak;
      }
      vmcase(I32_MUL_K_ADD) {
        SET_u32(R(0), R(1).u32 * OPD(2) + R(3).u32);
        ip += 6;
        vmbreak;
      }
      vmcase(I32_ADD_K_AND_K) {
        PUT(u32, (R(1).u32 + OPD(2)) & OPD(3));
        ip += 6;
        vmbreak;
      }
      vmcase(I32_MUL_K_ADD_K) {
        PUT(u32, R(1).u32 * OPD(2) + OPD(3));
        ip += 6;
        vmbreak;
      }
#define DIVK_M ((uint64_t)OPD(2) | (uint64_t)OPD(3) << 32)
      vmcase(I32_DIV_S_K) {
        SET_u32(R(0), wm_i32_div_m(R(1).u32, DIVK_M, OPD(4)));
        ip += 7;
        vmbreak;
      }
      vmcase(I32_DIV_U_K) {
        SET_u32(R(0), wm_u32_div_m(R(1).u32, DIVK_M));
        ip += 7;
        vmbreak;
      }
      vmcase(I32_REM_S_K) {
        SET_u32(R(0), wm_i32_rem_m(R(1).u32, DIVK_M, OPD(4)));
        ip += 7;
        vmbreak;
      }
      vmcase(I32_REM_U_K) {
        uint32_t a_ = R(1).u32;
        SET_u32(R(0), a_ - wm_u32_div_m(a_, DIVK_M) * OPD(4));
        ip += 7;
        vmbreak;
      }
#undef DIVK_M
      vmcase(I32_MUL_LD_ADD) {
        uint32_t v_;
        uint8_t *p_;
        if (WM_UNLIKELY(!mem_access(membase, memsize, R(2).u32 + OPD(3), OPD(4), 4, &p_)))
          TRAP(WM_TRAP_MEMORY_OOB);
        CHK_ACCESS(p_, 4, false);
        memcpy(&v_, p_, 4);
        SET_u32(R(0), R(1).u32 * v_ + R(5).u32);
        ip += 8;
        vmbreak;
      }
      vmcase(SELECT_AND_K) {
        R(0) = pick((R(3).u32 & OPD(4)) != 0, R(1), R(2));
        ip += 7;
        vmbreak;
      }
      SELCMP(SELECT_I32_EQ, u32, ==)
      SELCMP(SELECT_I32_NE, u32, !=)
      SELCMP(SELECT_I32_LT_S, i32, <)
      SELCMP(SELECT_I32_LT_U, u32, <)
      SELCMP(SELECT_I32_GT_S, i32, >)
      SELCMP(SELECT_I32_GT_U, u32, >)
      SELCMP(SELECT_I32_LE_S, i32, <=)
      SELCMP(SELECT_I32_LE_U, u32, <=)
      SELCMP(SELECT_I32_GE_S, i32, >=)
      SELCMP(SELECT_I32_GE_U, u32, >=)
      SELCMPK(SELECT_I32_EQ_K, u32, uint32_t, ==)
      SELCMPK(SELECT_I32_NE_K, u32, uint32_t, !=)
      SELCMPK(SELECT_I32_LT_S_K, i32, int32_t, <)
      SELCMPK(SELECT_I32_LT_U_K, u32, uint32_t, <)
      SELCMPK(SELECT_I32_GT_S_K, i32, int32_t, >)
      SELCMPK(SELECT_I32_GT_U_K, u32, uint32_t, >)
      SELCMPK(SELECT_I32_LE_S_K, i32, int32_t, <=)
      SELCMPK(SELECT_I32_LE_U_K, u32, uint32_t, <=)
      SELCMPK(SELECT_I32_GE_S_K, i32, int32_t, >=)
      SELCMPK(SELECT_I32_GE_U_K, u32, uint32_t, >=)
      vmcase(SELECT_XOR_AND_K) {
        R(0) = pick(((R(3).u32 ^ wm_i32_shr_u(R(4).u32, OPD(5))) & OPD(6)) != 0, R(1), R(2));
        ip += 9;
        vmbreak;
      }
      /* Bit-serial CRC steps: the shift, masked in the AND_K variants (m 1:
      ** the mask is cell 4, every cell after it one further on), written to
      ** d1, then d = d1 ^ k -- d1 first: d may be the same stack slot --
      ** and in the _SELECT forms the select on the tested bit after them. */
#define CRC_SHIFT_XOR(m)                                                      \
  uint32_t v_ = wm_i32_shr_u(R(2).u32, OPD(3)) & ((m) ? OPD(4) : UINT32_MAX); \
  SET_u32(R(0), v_);                                                          \
  SET_u32(R(1), v_ ^ OPD(4 + (m)))
#define CRC_STEP(name, m)                                                     \
  vmcase(name) {                                                              \
    CRC_SHIFT_XOR(m);                                                         \
    ip += 7 + (m);                                                            \
    vmbreak;                                                                  \
  }
#define CRC_SELECT(name, m)                                                   \
  vmcase(name) {                                                              \
    CRC_SHIFT_XOR(m);                                                         \
    R(5 + (m)) = pick(((R(8 + (m)).u32 ^ wm_i32_shr_u(R(9 + (m)).u32, OPD(10 + (m)))) & \
                       OPD(11 + (m))) != 0,                                   \
                      R(6 + (m)), R(7 + (m)));                                \
    ip += 14 + (m);                                                           \
    vmbreak;                                                                  \
  }
      CRC_STEP(I32_SHR_U_XOR_K, 0)
      CRC_STEP(I32_SHR_U_AND_K_XOR_K, 1)
      CRC_SELECT(I32_SHR_U_XOR_K_SELECT, 0)
      CRC_SELECT(I32_SHR_U_AND_K_XOR_K_SELECT, 1)
      /* Two CRC steps, the crc (a, the select's d' and x) in a register
      ** between them: the select's arms d and d1, the data y none of those
      ** (compile_acc.c pairs only such steps). */
#define CRC2(name, m, len)                                                    \
  vmcase(name) {                                                              \
    uint32_t c_ = R(2).u32, y_ = R(9 + (m)).u32, v_ = 0, w_ = 0;              \
    for (uint32_t b_ = 0; b_ < 2; b_++) {                                     \
      v_ = wm_i32_shr_u(c_, OPD(3)) & ((m) ? OPD(4) : UINT32_MAX);            \
      w_ = v_ ^ OPD(4 + (m));                                                 \
      c_ = (uint32_t)choose(((c_ ^ wm_i32_shr_u(y_, OPD(10 + (m)) + b_)) & OPD(11 + (m))) != 0, \
                            w_, v_);                                          \
    }                                                                         \
    SET_u32(R(0), v_);                                                        \
    SET_u32(R(1), w_);                                                        \
    SET_u32(R(5 + (m)), c_);                                                  \
    ip += (len);                                                              \
    vmbreak;                                                                  \
  }
      CRC2(I32_SHR_U_XOR_K_SELECT2, 0, 28)
      CRC2(I32_SHR_U_AND_K_XOR_K_SELECT2, 1, 30)
#undef CRC2
#undef CRC_SELECT
#undef CRC_STEP
#undef CRC_SHIFT_XOR
      vmcase(I32_SIGMA_K) {
        uint32_t x_ = R(1).u32;
        SET_u32(R(0), wm_i32_rotl(x_, OPD(2)) ^ wm_i32_rotl(x_, OPD(3)) ^
                    (wm_i32_rotl(x_, OPD(4)) & OPD(5)));
        ip += 8;
        vmbreak;
      }
      vmcase(I32_ANDN) {
        SET_u32(R(0), R(1).u32 & ~R(2).u32);
        ip += 5;
        vmbreak;
      }
      vmcase(I32_MAJ) {
        uint32_t x_ = R(1).u32, y_ = R(2).u32;
        SET_u32(R(0), ((x_ ^ y_) & R(3).u32) ^ (x_ & y_));
        ip += 6;
        vmbreak;
      }
      ADDBRS(I32_ADD_K_BR_EQ, OPD(2), u32, ==)
      ADDBRS(I32_ADD_K_BR_NE, OPD(2), u32, !=)
      ADDBRS(I32_ADD_K_BR_LT_S, OPD(2), i32, <)
      ADDBRS(I32_ADD_K_BR_LT_U, OPD(2), u32, <)
      ADDBRS(I32_ADD_K_BR_GT_S, OPD(2), i32, >)
      ADDBRS(I32_ADD_K_BR_GT_U, OPD(2), u32, >)
      ADDBRS(I32_ADD_K_BR_LE_S, OPD(2), i32, <=)
      ADDBRS(I32_ADD_K_BR_LE_U, OPD(2), u32, <=)
      ADDBRS(I32_ADD_K_BR_GE_S, OPD(2), i32, >=)
      ADDBRS(I32_ADD_K_BR_GE_U, OPD(2), u32, >=)
      ADDBRS(I32_ADD_BR_EQ, R(2).u32, u32, ==)
      ADDBRS(I32_ADD_BR_NE, R(2).u32, u32, !=)
      ADDBRS(I32_ADD_BR_LT_S, R(2).u32, i32, <)
      ADDBRS(I32_ADD_BR_LT_U, R(2).u32, u32, <)
      ADDBRS(I32_ADD_BR_GT_S, R(2).u32, i32, >)
      ADDBRS(I32_ADD_BR_GT_U, R(2).u32, u32, >)
      ADDBRS(I32_ADD_BR_LE_S, R(2).u32, i32, <=)
      ADDBRS(I32_ADD_BR_LE_U, R(2).u32, u32, <=)
      ADDBRS(I32_ADD_BR_GE_S, R(2).u32, i32, >=)
      ADDBRS(I32_ADD_BR_GE_U, R(2).u32, u32, >=)
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
      ANDBR(I32_AND_K_BR_EQ_K, u32, uint32_t, ==)
      ANDBR(I32_AND_K_BR_NE_K, u32, uint32_t, !=)
      ANDBR(I32_AND_K_BR_LT_S_K, i32, int32_t, <)
      ANDBR(I32_AND_K_BR_LT_U_K, u32, uint32_t, <)
      ANDBR(I32_AND_K_BR_GT_S_K, i32, int32_t, >)
      ANDBR(I32_AND_K_BR_GT_U_K, u32, uint32_t, >)
      ANDBR(I32_AND_K_BR_LE_S_K, i32, int32_t, <=)
      ANDBR(I32_AND_K_BR_LE_U_K, u32, uint32_t, <=)
      ANDBR(I32_AND_K_BR_GE_S_K, i32, int32_t, >=)
      ANDBR(I32_AND_K_BR_GE_U_K, u32, uint32_t, >=)
      vmcase(I32_SHR_U_AND_K) {
        PUT(u32, wm_i32_shr_u(R(1).u32, OPD(2)) & OPD(3));
        ip += 6;
        vmbreak;
      }
      /* --- the instructions with an accumulator form, then those forms:
      ** the same handlers with operand 1 (ACC_OPS_R1) or 0 (ACC_OPS_R0)
      ** read from acc32 (interp_impl.h, PUT) in the plain loop. ----------- */
      ACC_OPS_R1(ACC_BASE_)
      ACC_OPS_R0(ACC_BASE_)
#undef R
#define R(k) ACC_R1_##k
      ACC_OPS_R1(ACC_FORM_)
#undef R
#define R(k) ACC_R0_##k
      ACC_OPS_R0(ACC_FORM_)
#undef R
#define R(k) fp[OPD(k)]

      /* --- SIMD ---------------------------------------------------------- */
#include "interp_simd.h"

      /* --- threads: atomic accesses, wait, notify, fence --------------- */
#include "interp_atomic.h"

      /* --- 64-bit addresses (memory64, table64) ------------------------ */
#include "interp_mem64.h"

      /* --- typed function references ------------------------------------ */
#include "interp_ref.h"
#include "interp_gc.h"

#if WM_METERED
      /* --- metering (code loaded with WM_MODULE_METERED) --------------- */
      vmcase(FUEL) {
        /* A basic block's cost. Whatever stops the guest is found in the
        ** slow path, which also refills rt->fuel (meter.c). */
        if (WM_UNLIKELY((rt->fuel -= (int64_t)OPD(0)) < 0 ||
                        atomic_load_explicit(&rt->interrupt, memory_order_relaxed))) {
          trap = wm__meter_poll(rt, OPD(0));
          if (trap) goto trapped;
        }
        ip += 3;
        vmbreak;
      }
#endif

      /* --- exceptions (exn.c: the exception; interp.c's run_for: the
      ** unwinding) ----------------------------------------------------- */
      vmcase(THROW) {
        trap = wm__exn_throw(rt, inst->tags[OPD(0)], &R(1));
        goto trapped;
      }
      vmcase(THROW_REF) {
        if (WM_UNLIKELY(!R(0).ref)) TRAP(WM_TRAP_NULL_EXN);
        wm__exn_set(rt, R(0).ref); /* kept: an exnref names it */
        trap = WM_EXCEPTION;
        goto trapped;
      }

#if WM_CHECKED
    hooked_call:
      /* A function of the guest's allocator (check.h): check.c runs it in a
      ** nested activation above this frame and tracks what it did. */
      rt->nframes = (uint32_t)(frp - rt->frames) + 1;
      trap = wm__interp_nested(rt, callee, nfp, fp + frp->func->code->frame_slots, ip, msg);
      if (WM_UNLIKELY(trap)) goto trapped;
      LOAD_MEM(); /* it may have grown the memory */
      ip = next_ip;
      vmbreak;
#endif

#ifndef WM_GOTO_DISPATCH
#if !WM_METERED
      case WM_OP_FUEL: /* never in code lowered for this loop */
#endif
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

/* The parameters are consumed: the next compilation defines its own. */
#undef WM_CHECKED
#undef WM_METERED
#undef OTHER_LOOP
#undef RUN_NAME
#undef RUN_LINKAGE
#undef DISPATCH_BASE
#undef DISPATCH_OFFS
#undef CHK_LOAD_SHADOW
#undef CHK_ACCESS
#undef CHK_RANGE
