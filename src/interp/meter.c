/* SPDX-License-Identifier: MIT */
/*
** meter.c -- stopping a guest: fuel, interrupts and deadlines. Code loaded
** with WM_MODULE_METERED starts every basic block with a FUEL instruction
** (compile.c) that takes the block's cost from rt->fuel; this file holds its
** slow path, the public calls that set the budget, the interrupt and the
** deadline, and the check that keeps unmetered code from running while a
** limit is set. Unmetered code never reaches any of it.
*/
#include <time.h>

#include "runtime.h"
#include "check.h"

/* The most fuel the FUEL instruction may take before the slow path runs:
** the slow path reads the clock for the deadline, so this bounds how long a
** guest runs past it (some tens of microseconds of wasm code). */
#define METER_SLICE 16384

/* The budget while no fuel is set: more than any call can use up between
** two slow paths, which top it up again. */
#define FUEL_UNLIMITED_RESERVE ((uint64_t)1 << 62)

/* Monotonic time in ns. The coarse clock costs a few ns (no system call)
** and is a few ms behind at most: the deadline may be late by that much. */
static uint64_t now_ns(bool coarse) {
  struct timespec ts;
#ifdef CLOCK_MONOTONIC_COARSE
  if (coarse && clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0)
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#else
  (void)coarse;
#endif
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void update_slow(wm_runtime *rt) {
  rt->meter_slow = rt->fuel_on || rt->deadline || rt->interrupt_seen;
}

/* Move fuel between the hot counter and the reserve so that the counter
** holds at most one slice; total is what is left. */
static void refill(wm_runtime *rt, uint64_t total) {
  uint64_t take = total < METER_SLICE ? total : METER_SLICE;
  rt->fuel = (int64_t)take;
  rt->fuel_reserve = total - take;
}

int wm__meter_poll(wm_runtime *rt, uint32_t cost) {
  rt->fuel += cost; /* not charged yet: the block may not run */
  int req = atomic_load_explicit(&rt->interrupt, memory_order_relaxed);
  if (req) {
    rt->interrupt_seen = true;
    rt->interrupt_val = req;
    rt->meter_slow = true;
    return WM_TRAP_INTERRUPTED;
  }
  if (rt->deadline && now_ns(true) >= rt->deadline) return WM_TRAP_DEADLINE;
  if (!rt->fuel_on) rt->fuel_reserve = FUEL_UNLIMITED_RESERVE;
  uint64_t total = (uint64_t)rt->fuel + rt->fuel_reserve;
  if (total < cost) {
    /* Short: the block does not run, and nothing is left. */
    refill(rt, 0);
    return WM_TRAP_OUT_OF_FUEL;
  }
  refill(rt, total - cost);
  return 0;
}

/* The requests seen have stopped the call they were meant for (and the
** calls nested in it): the next call runs normally -- unless a request
** came after they were seen (the count moved on), which then stops it. */
void wm__meter_interrupt_done(wm_runtime *rt) {
  int seen = rt->interrupt_val;
  atomic_compare_exchange_strong_explicit(&rt->interrupt, &seen, 0, memory_order_relaxed,
                                          memory_order_relaxed);
  rt->interrupt_seen = false;
  update_slow(rt);
}

int wm__meter_call(wm_runtime *rt, wm_func *f, wm_slot *args_results, wm_error *err) {
  if ((rt->fuel_on || rt->deadline) && !f->host && !f->inst->mod->metered)
    return wm__error(err, WM_EUNSUPPORTED, UINT32_MAX,
                     "function %u: fuel or a deadline is set, but its module was not loaded "
                     "with WM_MODULE_METERED, so it could not be stopped",
                     (unsigned)f->idx);
  return f->hook ? wm__check_call(rt, f, args_results, NULL, err)
                 : wm__interp_call_plain(rt, f, args_results, err);
}

/* ------------------------------------------------------------ public API */

int wm_runtime_set_fuel(wm_runtime *rt, uint64_t fuel) {
  if (!rt) return WM_EINVAL;
  rt->fuel_on = fuel != WM_FUEL_UNLIMITED;
  refill(rt, rt->fuel_on ? fuel : FUEL_UNLIMITED_RESERVE);
  update_slow(rt);
  return WM_OK;
}

uint64_t wm_runtime_get_fuel(const wm_runtime *rt) {
  if (!rt || !rt->fuel_on) return WM_FUEL_UNLIMITED;
  /* Between instructions the counter is never negative. */
  return (uint64_t)rt->fuel + rt->fuel_reserve;
}

void wm_runtime_interrupt(wm_runtime *rt) {
  /* One lock-free atomic add: safe from any thread and from a signal
  ** handler. A count, not a flag, so that a request made after an earlier
  ** one was seen is not cleared with it. */
  if (rt) atomic_fetch_add_explicit(&rt->interrupt, 1, memory_order_relaxed);
}

int wm_runtime_set_deadline(wm_runtime *rt, uint64_t ns) {
  if (!rt) return WM_EINVAL;
  if (ns == 0) {
    rt->deadline = 0;
  } else {
    uint64_t now = now_ns(false);
    rt->deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
  }
  update_slow(rt);
  return WM_OK;
}
