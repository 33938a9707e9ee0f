/* SPDX-License-Identifier: MIT */
/*
** aot_guard.h -- the fault handler that turns a guarded compiled module's
** stray access into the out-of-bounds trap (aot_guard.c).
*/
#ifndef WM_AOT_GUARD_H
#define WM_AOT_GUARD_H

#include <setjmp.h>
#include <stdint.h>

/* What this thread runs: faults at lo .. lo + span - 1 jump to jb with
** WM_TRAP_MEMORY_OOB. jb NULL: none (nothing guarded runs). */
typedef struct wm_aot_guard {
  const uint8_t *lo;
  uintptr_t span;
  jmp_buf *jb;
} wm_aot_guard;

/* Install the SIGSEGV and SIGBUS handler, once per process (thread-safe);
** -1 if the system refused it. */
int wm__aot_guard_install(void);
/* Make g this thread's guard; gives the one before, to set back. */
wm_aot_guard wm__aot_guard_set(wm_aot_guard g);

#endif
