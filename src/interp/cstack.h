/* SPDX-License-Identifier: MIT */
/*
** cstack.h -- the C stack limit on calls from the host into wasm (cstack.c,
** used by interp.c). The stack is assumed to grow down, as on every
** platform wasmem targets.
*/
#ifndef WM_CSTACK_H
#define WM_CSTACK_H

#include <stddef.h>
#include <stdint.h>

/* Stack that must still be free when an entry starts: one more level of
** re-entry (entry, loop, host call) and the host function's own frame and
** library calls. AddressSanitizer's frames are several times larger. */
#if defined(__SANITIZE_ADDRESS__)
#define WM_CSTACK_MARGIN ((uintptr_t)48 << 10)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WM_CSTACK_MARGIN ((uintptr_t)48 << 10)
#endif
#endif
#ifndef WM_CSTACK_MARGIN
#define WM_CSTACK_MARGIN ((uintptr_t)32 << 10)
#endif

/* Thread-locals read on every host->wasm call: initial-exec, one load off
** the thread pointer instead of a __tls_get_addr call in PIC code. (A
** library loaded with dlopen takes them from glibc's static TLS surplus;
** a few dozen bytes fit.) */
#if defined(__GNUC__) && !defined(__SANITIZE_THREAD__)
#define WM_TLS_FAST __attribute__((tls_model("initial-exec")))
#else
#define WM_TLS_FAST
#endif

/* The address of the current function's frame; `local` names one of its
** locals for compilers without the builtin (a local's address is not the
** frame's under AddressSanitizer's fake stacks, hence the builtin). */
#if defined(__GNUC__)
#define WM_FRAME_ADDRESS(local) ((uintptr_t)__builtin_frame_address(0))
#else
#define WM_FRAME_ADDRESS(local) ((uintptr_t)&(local))
#endif

/* The lowest frame address at which an entry may start, for a thread
** whose outermost entry is at `entry`: its measured stack bounds plus the
** margin, or a fixed budget below entry where the bounds are unknown or do
** not contain entry. The answer holds for every outermost entry in
** [*valid_lo, *valid_hi) (the thread's stack; empty for a budget). */
uintptr_t wm__cstack_floor(uintptr_t entry, uintptr_t *valid_lo, uintptr_t *valid_hi);
/* The same for a budget counted from entry (wm_runtime_options.c_stack_bytes). */
static inline uintptr_t wm__cstack_budget_floor(uintptr_t entry, size_t budget) {
  uintptr_t room = budget < entry ? (uintptr_t)budget : entry;
  return entry - room + WM_CSTACK_MARGIN;
}

#endif
