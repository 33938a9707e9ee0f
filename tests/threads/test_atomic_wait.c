/* SPDX-License-Identifier: MIT */
/*
** test_atomic_wait.c -- memory.atomic.wait and notify between host
** threads (src/interp/atomic_wait.c): a parked waiter is woken by a
** notify of its address only, notify wakes at most its count in arrival
** order and says how many, the value is compared (32 or 64 bits) before
** parking, and timeouts return 2 after at least their time. Runs in the
** ThreadSanitizer build too.
*/
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "atomic_wait.h"
#include "check.h" /* tests/unit: the assertion macros */

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A word of "memory", aligned as a wasm atomic address is. */
static _Alignas(8) uint64_t word[2];

typedef struct waiter_arg {
  void *p;
  int64_t timeout;
  int result;
  int order;          /* when it returned, among the waiters */
} waiter_arg;

static int returned;  /* waiters returned so far (atomic) */

static void *waiter(void *arg) {
  waiter_arg *w = arg;
  w->result = wm__atomic_wait(w->p, false, 0, w->timeout);
  w->order = __atomic_fetch_add(&returned, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

/* Start a waiter on p and wait until it is parked. */
static void park(pthread_t *t, waiter_arg *w, void *p, uint32_t already) {
  w->p = p;
  w->timeout = -1;
  w->result = -1;
  CHECK(pthread_create(t, NULL, waiter, w) == 0);
  while (wm__atomic_waiting(p) < already + 1) {
    struct timespec d = {0, 200000};
    nanosleep(&d, NULL);
  }
}

int main(void) {
  /* No thread needed: not-equal, immediate and timed time-outs. */
  word[0] = 0x0000000500000007ull;
  CHECK(wm__atomic_wait(&word[0], false, 8, -1) == 1);
  CHECK(wm__atomic_wait(&word[0], false, 0x100000007ull, 0) == 2); /* wrapped to 32 bits: equal */
  CHECK(wm__atomic_wait(&word[0], true, 7, -1) == 1);             /* 64 bits: not equal */
  uint64_t t0 = now_ns();
  CHECK(wm__atomic_wait(&word[0], true, 0x0000000500000007ull, 20000000) == 2);
  CHECK(now_ns() - t0 >= 20000000);
  CHECK(wm__atomic_notify(&word[0], 5) == 0);
  CHECK(wm__atomic_waiting(&word[0]) == 0);

  /* A parked waiter: a notify of another address does not wake it, one of
  ** its own does (count 0 wakes no one). */
  word[0] = 0;
  word[1] = 0;
  pthread_t t[3];
  waiter_arg w[3];
  park(&t[0], &w[0], &word[0], 0);
  CHECK(wm__atomic_notify(&word[1], 1) == 0);
  CHECK(wm__atomic_notify(&word[0], 0) == 0);
  CHECK(wm__atomic_waiting(&word[0]) == 1);
  CHECK(wm__atomic_notify(&word[0], 1) == 1);
  pthread_join(t[0], NULL);
  CHECK(w[0].result == 0);
  CHECK(wm__atomic_waiting(&word[0]) == 0);

  /* Three waiters: notify 2 wakes the first two to arrive, then the last. */
  returned = 0;
  for (uint32_t i = 0; i < 3; i++) park(&t[i], &w[i], &word[0], i);
  CHECK(wm__atomic_notify(&word[0], 2) == 2);
  pthread_join(t[0], NULL);
  pthread_join(t[1], NULL);
  CHECK(w[0].result == 0 && w[1].result == 0);
  CHECK(wm__atomic_waiting(&word[0]) == 1);
  CHECK(wm__atomic_notify(&word[0], UINT32_MAX) == 1);
  pthread_join(t[2], NULL);
  CHECK(w[2].result == 0 && w[2].order == 2);

  /* A waiter with a timeout that nobody notifies leaves the queue. */
  w[0].p = &word[1];
  w[0].timeout = 5000000;
  CHECK(pthread_create(&t[0], NULL, waiter, &w[0]) == 0);
  pthread_join(t[0], NULL);
  CHECK(w[0].result == 2 && wm__atomic_waiting(&word[1]) == 0);

  printf("%d passed, %d failed\n", npass, nfail);
  return nfail != 0;
}
