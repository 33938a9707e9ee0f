/* SPDX-License-Identifier: MIT */
/*
** interp.c -- the interpreter: the plain dispatch loop (interp_loop.h) over
** the lowered, slot-addressed code of ops.h, the instructions' heads, and
** the entry point that sets up the outermost call and turns a trap into an
** error with a wasm backtrace. The checked loop is interp_checked.c, the
** metered one interp_metered.c.
*/
#include <stddef.h>

#include "interp_impl.h"
#include "cstack.h"

/* The instructions' names, as one block of strings and each one's offset in
** it: a table of pointers would need a relocation per name in a
** position-independent build, applied at every process start. */
typedef struct op_name_block {
#define WM_OP_NAME_(name, cls, wasm) char n_##name[sizeof #name];
  WM_OPS(WM_OP_NAME_)
#undef WM_OP_NAME_
} op_name_block;
static const op_name_block op_names = {
#define WM_OP_NAME_(name, cls, wasm) #name,
    WM_OPS(WM_OP_NAME_)
#undef WM_OP_NAME_
};
static const uint16_t op_name_at[WM_OP_COUNT_] = {
#define WM_OP_NAME_(name, cls, wasm) (uint16_t)offsetof(op_name_block, n_##name),
    WM_OPS(WM_OP_NAME_)
#undef WM_OP_NAME_
};
_Static_assert(sizeof(op_name_block) <= UINT16_MAX, "op_name_at holds 16-bit offsets");

const char *wm__op_name(wm_op op) {
  return (unsigned)op < WM_OP_COUNT_ ? (const char *)&op_names + op_name_at[op] : "?";
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

#ifdef WM_GOTO_DISPATCH
/* The plain loop's handler addresses, published by run(NULL, NULL, NULL):
** op's is plain_base + plain_offs[op]. Atomic: threads loading their first
** modules at once all publish them (the same values). */
static const char *_Atomic plain_base;
static const int32_t *_Atomic plain_offs;
#endif

#if WM_CHECK_LOWERED
uint32_t wm__acc_checked(uint32_t acc, uint32_t slot) {
  if (acc != slot) {
    fprintf(stderr, "wasmem: accumulator form read 0x%x where its slot holds 0x%x\n", acc, slot);
    abort();
  }
  return acc;
}
#endif

NOINLINE int wm__interp_lower(wm_runtime *rt, wm_func *f, char *msg) {
  wm_error err;
  int rc = wm__rt_lower(rt, f, &err);
  if (rc) snprintf(msg, 256, "lowering func %u: %.200s", (unsigned)f->idx, err.message);
  return rc;
}

NOINLINE int wm__interp_nested(wm_runtime *rt, wm_func *callee, wm_slot *args, wm_slot *top,
                               const uint32_t *ip, char *msg) {
  wm_slot *saved_top = rt->stack_top;
  wm_error err;
  rt->stack_top = top;
  /* A hooked callee goes to the checker with the caller's position. */
  int rc = callee->hook ? wm__check_call(rt, callee, args, ip, &err)
                        : wm__interp_call(rt, callee, args, &err);
  rt->stack_top = saved_top;
  if (rc) snprintf(msg, 256, "%.255s", err.message);
  return rc;
}

#define WM_CHECKED 0
#define WM_METERED 0
#define OTHER_LOOP(m) ((m)->loop != WM_LOOP_PLAIN)
#define RUN_NAME run
#define RUN_LINKAGE static
#define DISPATCH_BASE plain_base
#define DISPATCH_OFFS plain_offs
#define CHK_LOAD_SHADOW() ((void)0)
#define CHK_ACCESS(p, n, w) ((void)0)
#define CHK_RANGE(ea, n, w) ((void)0)
#include "interp_loop.h"

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
#undef MOVELOADK
#undef MOVE_LOAD_I32
#undef LOADCMPBR
#undef MULADDRMW
#undef ADDBR
#undef STOREX
#undef IMM64
#undef COPY_MM

/* ------------------------------------------------------------ heads */

#ifdef WM_GOTO_DISPATCH
/* A loop's handler addresses: the base returned plus (*offs)[op]. */
static const char *get_table(unsigned loop, const int32_t **offs) {
  if (loop == WM_LOOP_CHECKED) return wm__checked_dispatch(offs);
  if (loop == WM_LOOP_METERED) return wm__metered_dispatch(offs);
  if (!plain_offs) run(NULL, NULL, NULL); /* publishes the label addresses */
  *offs = plain_offs;
  return plain_base;
}
#endif

uint64_t wm__op_head(wm_op op, unsigned loop) {
#ifdef WM_GOTO_DISPATCH
  if ((unsigned)op >= WM_OP_COUNT_) return 0;
  const int32_t *offs;
  const char *base = get_table(loop, &offs);
  return (uint64_t)(uintptr_t)(base + offs[op]);
#else
  (void)loop; /* all loops switch on the same opcode numbers */
  return (uint64_t)op;
#endif
}

const char *wm__op_heads(unsigned loop, const int32_t **offs) {
#ifdef WM_GOTO_DISPATCH
  return get_table(loop, offs);
#else
  (void)loop;
  *offs = NULL;
  return NULL;
#endif
}

wm_op wm__op_from_head(uint64_t head) {
#ifdef WM_GOTO_DISPATCH
  for (unsigned k = 0; k < 3; k++) {
    const int32_t *offs;
    const char *base = get_table(k, &offs);
    for (unsigned i = 0; i < WM_OP_COUNT_; i++)
      if ((uint64_t)(uintptr_t)(base + offs[i]) == head) return (wm_op)i;
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

uint32_t wm__capture_stack(const wm_runtime *rt, const uint32_t *ip, wm_rawframe *out,
                           uint32_t max) {
  uint32_t n = 0;
  for (uint32_t i = rt->nframes; i-- > 0 && n < max;) {
    const uint32_t *at = i + 1 == rt->nframes ? ip : rt->frames[i + 1].ret_ip;
    if (at && i + 1 != rt->nframes) at--; /* a return address: back into the call */
    out[n].fn = rt->frames[i].func;
    out[n].ip = at;
    n++;
  }
  return n;
}

void wm__resolve_frame(const wm_rawframe *r, wm_check_frame *out) {
  const wm_func *fn = r->fn;
  out->func_idx = fn->idx;
  out->offset = fn->code && r->ip ? byte_offset(fn->code, r->ip) : UINT32_MAX;
  out->name = fn->inst ? wm__func_label(fn->inst->mod, fn->idx) : NULL;
}

/* A backtrace is full when it ends with the line that says so. */
static bool bt_full(const char *buf, size_t len) {
  static const char more[] = "\n  ...";
  return len >= sizeof more - 1 && memcmp(buf + len - (sizeof more - 1), more, sizeof more - 1) == 0;
}

bool wm__bt_append(char *buf, size_t cap, const wm_func *fn, uint32_t off) {
  size_t len = strlen(buf);
  if (bt_full(buf, len)) return false;
  /* The name section's name, else the export name. */
  const char *name = fn->inst ? wm__func_label(fn->inst->mod, fn->idx) : NULL;
  char line[160], at[32] = "";
  if (off != UINT32_MAX) snprintf(at, sizeof at, ", byte 0x%x", (unsigned)off);
  int n = snprintf(line, sizeof line, "\n  at %.100s (func %u%s)", name ? name : "<unnamed>",
                   (unsigned)fn->idx, at);
  if (n < 0) return false;
  if (len + (size_t)n + 8 >= cap) {
    snprintf(buf + len, cap - len, "\n  ...");
    return false;
  }
  memcpy(buf + len, line, (size_t)n + 1);
  return true;
}

/* Append the backtrace of the active frames above depth0, innermost first,
** to buf; stops with "..." when the buffer is full (deep recursion). Each
** line has the byte offset of the instruction: for the innermost frame the
** one that trapped, for the others their call (a return address points
** past it, hence the cell back). An entry frame has no return address, so
** the frame that called into the host before it shows no offset. */
static void backtrace(const wm_runtime *rt, uint32_t depth0, char *buf, size_t cap) {
  for (uint32_t i = rt->nframes; i-- > depth0;) {
    const wm_func *fn = rt->frames[i].func;
    const uint32_t *ip = i + 1 == rt->nframes ? rt->trap_ip : rt->frames[i + 1].ret_ip;
    if (ip && i + 1 != rt->nframes) ip--;
    if (!wm__bt_append(buf, cap, fn, fn->code ? byte_offset(fn->code, ip) : UINT32_MAX)) return;
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
** frame), so each entry checks that the C stack has room for one more
** level (cstack.c), and the nesting is capped besides. Per thread because
** the C stack is. Calls between wasm functions never come here.
*/
#define MAX_NESTING 256
/* One thread-local block, so that its address is computed once per call.
** entry_floor, the lowest frame address at which an entry may start when
** the runtime has no budget of its own, holds for outermost entries whose
** frame lies in [valid_lo, valid_hi) (the thread's stack, cstack.c). */
static _Thread_local WM_TLS_FAST struct {
  uint32_t nesting;
  uintptr_t entry_frame; /* the outermost entry's frame address */
  uintptr_t entry_floor, valid_lo, valid_hi;
} cstack;

/* Whether an entry whose frame is at `here` may run. The outermost entry
** only notes where it starts: the loop never recurses in C, so only
** re-entry (a host function calling back into wasm) runs the stack down,
** and the thread's bounds are first read then (for the main thread that
** costs a read of /proc/self/maps, which a plain call need not pay). */
static inline bool stack_left(const wm_runtime *rt, uintptr_t here) {
  if (cstack.nesting == 0) {
    cstack.entry_frame = here;
    return true;
  }
  uintptr_t entry = cstack.entry_frame;
  if (WM_UNLIKELY(entry < cstack.valid_lo || entry >= cstack.valid_hi))
    cstack.entry_floor = wm__cstack_floor(entry, &cstack.valid_lo, &cstack.valid_hi);
  size_t budget = rt->opts.c_stack_bytes;
  uintptr_t floor = budget ? wm__cstack_budget_floor(cstack.entry_frame, budget) : cstack.entry_floor;
  return cstack.nesting < MAX_NESTING && here >= floor;
}

int wm__interp_call_host(wm_runtime *rt, wm_instance *caller, wm_func *f, wm_slot *args_results,
                         wm_error *err) {
  const uint32_t depth0 = rt->nframes;
  wm_slot *const top0 = rt->stack_top, *fp = top0;
  const wm_type *t = f->type;
  size_t np = wm__type_slots(t->params, t->nparams), nr = wm__type_slots(t->results, t->nresults);
  size_t nio = np > nr ? np : nr;
  char msg[256];
  msg[0] = 0;
  int rc = WM_TRAP_STACK_EXHAUSTED;
  if ((size_t)(rt->stack_end - fp) >= nio) {
    if (np) memmove(fp, args_results, np * sizeof(wm_slot));
    rc = call_host(rt, caller, f, fp, fp + nio, msg);
    if (rc == 0 && nr) memmove(args_results, fp, nr * sizeof(wm_slot));
  }
  if (rc && err) trap_error(rt, depth0, rc, msg, err);
  rt->stack_top = top0;
  return rc;
}

/* The C stack floor for native code (aot_rt.c), which runs inside an
** activation (so an outermost entry is noted): a frame below it traps. The
** same floor a nested entry from the host would meet. */
uintptr_t wm__interp_stack_floor(const wm_runtime *rt) {
  uintptr_t entry = cstack.entry_frame;
  if (WM_UNLIKELY(entry < cstack.valid_lo || entry >= cstack.valid_hi))
    cstack.entry_floor = wm__cstack_floor(entry, &cstack.valid_lo, &cstack.valid_hi);
  size_t budget = rt->opts.c_stack_bytes;
  return budget ? wm__cstack_budget_floor(entry, budget) : cstack.entry_floor;
}

/* Run the activation f's entry frame (on top of rt->frames) begins in the
** loop its code was lowered for. An exception unwinds here, out of the
** loop: the first catch clause that takes it, in the frame that threw or a
** caller of it within this activation, has the loop go on at its landing
** pad; an uncaught one ends the activation with WM_EXCEPTION. */
static int run_for(wm_runtime *rt, const wm_func *f, char *msg) {
  wm_frame *const base = &rt->frames[rt->nframes - 1];
  const uint32_t *ip = base->func->code->code;
  for (;;) {
    int rc;
    switch (f->inst->mod->loop) {
      case WM_LOOP_CHECKED: rc = wm__run_checked(rt, ip, msg); break;
      case WM_LOOP_METERED: rc = wm__run_metered(rt, ip, msg); break;
      default: rc = run(rt, ip, msg); break;
    }
    if (WM_LIKELY(rc != WM_EXCEPTION)) return rc;
    ip = wm__exn_catch(rt, base);
    if (!ip) {
      wm__exn_describe(rt, msg);
      return rc;
    }
  }
}

int wm__interp_call(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err) {
  /* Another runtime's function on rt's stack: neither may collect now
  ** (collect.c), each may hold the other's values. */
  if (WM_UNLIKELY(f->rt != rt)) wm__refs_share(rt, f->rt);
  /* Fuel, a deadline or an interrupt in the works (meter.c), which then
  ** does what follows itself. */
  if (WM_UNLIKELY(rt->meter_slow)) return wm__meter_call(rt, f, args_results, err);
  /* Functions of a checked guest's allocator are tracked by check.c, which
  ** calls back into wm__interp_call_plain. Only a checker sets hook. */
  if (WM_UNLIKELY(f->hook)) return wm__check_call(rt, f, args_results, NULL, err);
  return wm__interp_call_plain(rt, f, args_results, err);
}

int wm__interp_call_plain(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err) {
  const uint32_t depth0 = rt->nframes;
  wm_slot *const top0 = rt->stack_top;
  const wm_type *t = f->type;
  /* WM_TRAP_MSG_CAP: compiled code (NATIVE) adds its frames to it. */
  char msg[WM_TRAP_MSG_CAP];
  int rc;

  msg[0] = 0;
  if (!stack_left(rt, WM_FRAME_ADDRESS(msg))) {
    rc = WM_TRAP_STACK_EXHAUSTED;
    goto failed;
  }
  /* The callee's frame starts at the stack top; the arguments must be
  ** there (they usually already are). */
  wm_slot *fp = top0;
  size_t np = wm__type_slots(t->params, t->nparams), nr = wm__type_slots(t->results, t->nresults);
  size_t nio = np > nr ? np : nr;
  if ((size_t)(rt->stack_end - fp) < nio) {
    rc = WM_TRAP_STACK_EXHAUSTED;
    goto failed;
  }
  if (args_results != fp && np) memmove(fp, args_results, np * sizeof(wm_slot));

  cstack.nesting++;
  /* An exception an earlier call left uncaught is forgotten when the host
  ** calls in afresh (not from a host function, which may still rethrow). */
  if (rt->entries++ == 0 && WM_UNLIKELY(rt->exn)) wm__exn_set(rt, NULL);
  if (f->host) {
    rc = call_host(rt, NULL, f, fp, fp + nio, msg);
  } else {
    rc = push_entry_frame(rt, f, fp);
    if (rc == 0) rc = run_for(rt, f, msg);
  }
  cstack.nesting--;
  /* The outermost call into rt returns: an interrupt metered code saw has
  ** done its work (meter.c). */
  if (--rt->entries == 0 && WM_UNLIKELY(rt->interrupt_seen)) wm__meter_interrupt_done(rt);
  if (rc != 0) goto failed;
  if (args_results != fp && nr) memmove(args_results, fp, nr * sizeof(wm_slot));
  return 0;

failed:
  if (err) trap_error(rt, depth0, rc, msg, err);
  /* Unwind what the failed activations left so the runtime stays usable. */
  rt->nframes = depth0;
  rt->stack_top = top0;
  return rc;
}
