/* SPDX-License-Identifier: MIT */
/*
** atomic_wait.h -- memory.atomic.wait and notify (atomic_wait.c), for the
** dispatch loop's handlers (interp_atomic.h).
*/
#ifndef WM_ATOMIC_WAIT_H
#define WM_ATOMIC_WAIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Wait on the aligned 4- or 8-byte word at p of a shared memory: 0 woken
** by a notify, 1 the word did not hold want (wrapped to 32 bits unless
** wide), 2 timed out (timeout_ns < 0: never). */
int wm__atomic_wait(void *p, bool wide, uint64_t want, int64_t timeout_ns);
/* The same, for a thread of `owner` (a runtime) whose *stop may be set by
** another thread, which then calls wm__atomic_wake_owner(owner): 3 when
** the wait ended (or never began) because *stop was set. */
int wm__atomic_wait_owned(void *p, bool wide, uint64_t want, int64_t timeout_ns,
                          const void *owner, const atomic_bool *stop);
/* Wake every waiter of owner, to look at its stop flag (set before). */
void wm__atomic_wake_owner(const void *owner);
/* Wake up to count waiters of p, in arrival order; returns how many. */
uint32_t wm__atomic_notify(void *p, uint32_t count);
/* How many threads wait on p now (for tests: to know a waiter is parked). */
uint32_t wm__atomic_waiting(const void *p);

#endif
