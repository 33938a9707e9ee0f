/* SPDX-License-Identifier: MIT */
/*
** aot_guard.h -- the fault handler that turns a guarded compiled module's
** stray access into the out-of-bounds trap (aot_guard.c).
*/
#ifndef WM_AOT_GUARD_H
#define WM_AOT_GUARD_H

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>

/* What this thread runs: faults at lo .. lo + span - 1 take their
** backtrace into bt and jump to jb with WM_TRAP_MEMORY_OOB. jb NULL: none (nothing guarded runs). */
typedef struct wm_aot_guard {
  const uint8_t *lo;
  uintptr_t span;
  struct wm_aot_bt *bt; /* where the fault's backtrace goes (aot_bt.h) */
  jmp_buf *jb;
} wm_aot_guard;

/* Make the SIGSEGV and SIGBUS handler the current one, if it is not
** (thread-safe); -1 if the system refused it. */
int wm__aot_guard_install(void);
/* After a trap (any: only the fault's did something): arm again the
** alternate signal stack the handler's longjmp left disarmed. */
void wm__aot_guard_after_trap(void);
/* Unblock SIGSEGV and SIGBUS on this thread, the mask before in old; 1 if
** either was blocked (then wm__aot_guard_reblock(old) when done). */
int wm__aot_guard_unblock(sigset_t *old);
void wm__aot_guard_reblock(const sigset_t *old);
/* Make g this thread's guard; gives the one before, to set back. */
wm_aot_guard wm__aot_guard_set(wm_aot_guard g);

#endif
