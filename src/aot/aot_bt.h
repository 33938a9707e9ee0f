/* SPDX-License-Identifier: MIT */
/*
** aot_bt.h -- the backtrace of a trap in compiled code (aot_bt.c): the
** return addresses taken when it traps, named after the trap.
*/
#ifndef WM_AOT_BT_H
#define WM_AOT_BT_H

#include <stddef.h>
#include <stdint.h>

/* Return addresses taken at a trap: enough for any message (a line is at
** least 16 bytes, a message 512), and few enough to take in no time. */
#define WM_AOT_BT_MAX 64

typedef struct wm_aot_bt {
  void *pcs[WM_AOT_BT_MAX];
  int n;          /* how many; 0 where none could be taken */
  uint32_t site;  /* the function of the trap's site, or UINT32_MAX */
  const void *pc; /* a fault's own instruction (not a return address), or NULL */
} wm_aot_bt;

/* Take the return addresses of this thread's stack now (in a trap helper,
** or in the fault handler: no allocation once warmed up). */
void wm__aot_bt_capture(wm_aot_bt *bt, uint32_t site, const void *pc);
/* Load what capturing needs (the unwinder's library), outside any signal
** handler; once per process. */
void wm__aot_bt_warm(void);

#endif
