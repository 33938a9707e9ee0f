/* SPDX-License-Identifier: MIT */
/*
** atomic_wait.c -- memory.atomic.wait32/64 and memory.atomic.notify: a
** parking lot keyed by host address. Waiters queue, in arrival order, on
** one of a fixed set of buckets (the address hashed), each with a mutex;
** a waiter sleeps on its own condition variable until a notify of its
** address takes it off the queue, or its timeout passes. The value is
** compared under the bucket's lock, and notify takes the same lock, so a
** store followed by a notify on another thread cannot slip between a
** waiter's check and its sleep (no lost wake-up); nothing wakes a waiter
** spuriously, as the proposal requires.
**
** A wait blocks the calling thread: fuel, deadlines and
** wm_runtime_interrupt are not looked at while it sleeps, and a wait
** without a timeout that no other thread will notify never returns --
** unless its runtime is stopped (wm__runtime_stop, a wasi-threads group
** ending): each waiter names its owner (the runtime) and a stop flag, read
** under the bucket's lock; wm__atomic_wake_owner, called after the flag is
** set, takes every bucket's lock in turn and wakes the owner's waiters,
** which return 3 (stopped). The flag is read before sleeping and the wake
** takes the same lock, so a stop is never missed.
*/
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "atomic_wait.h"

typedef struct waiter {
  const void *addr;
  const void *owner;     /* whose stop wakes it (a runtime), or NULL */
  pthread_cond_t cv;
  bool woken;
  struct waiter *next;
} waiter;

enum { NBUCKETS = 64 };

static struct bucket {
  pthread_mutex_t mu;
  waiter *head, *tail;
} buckets[NBUCKETS];

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_buckets(void) {
  for (int i = 0; i < NBUCKETS; i++) pthread_mutex_init(&buckets[i].mu, NULL);
}

static struct bucket *bucket_of(const void *p) {
  pthread_once(&once, init_buckets);
  uintptr_t a = (uintptr_t)p >> 2; /* waits are on 4- or 8-byte words */
  return &buckets[(a ^ (a >> 6) ^ (a >> 12)) % NBUCKETS];
}

static void unlink_waiter(struct bucket *b, waiter *w) {
  waiter **pp = &b->head, *prev = NULL;
  while (*pp && *pp != w) {
    prev = *pp;
    pp = &(*pp)->next;
  }
  if (!*pp) return;
  *pp = w->next;
  if (b->tail == w) b->tail = prev;
}

/* The absolute CLOCK_MONOTONIC time `ns` from now, kept far from time_t's
** overflow (a timeout of centuries is as good as none, but still one). */
static struct timespec deadline_in(int64_t ns) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  const int64_t cap = (int64_t)1 << 62;
  if (ns > cap) ns = cap;
  int64_t nsec = t.tv_nsec + ns % 1000000000;
  t.tv_sec += (time_t)(ns / 1000000000 + nsec / 1000000000);
  t.tv_nsec = (long)(nsec % 1000000000);
  return t;
}

int wm__atomic_wait(void *p, bool wide, uint64_t want, int64_t timeout_ns) {
  return wm__atomic_wait_owned(p, wide, want, timeout_ns, NULL, NULL);
}

int wm__atomic_wait_owned(void *p, bool wide, uint64_t want, int64_t timeout_ns,
                          const void *owner, const atomic_bool *stop) {
  struct bucket *b = bucket_of(p);
  pthread_mutex_lock(&b->mu);
  if (stop && atomic_load(stop)) {
    pthread_mutex_unlock(&b->mu);
    return 3;
  }
  uint64_t have = wide ? __atomic_load_n((uint64_t *)p, __ATOMIC_SEQ_CST)
                       : __atomic_load_n((uint32_t *)p, __ATOMIC_SEQ_CST);
  if (have != (wide ? want : (uint32_t)want)) {
    pthread_mutex_unlock(&b->mu);
    return 1; /* not-equal */
  }
  if (timeout_ns == 0) {
    pthread_mutex_unlock(&b->mu);
    return 2; /* timed-out at once */
  }
  waiter w = {p, owner, PTHREAD_COND_INITIALIZER, false, NULL};
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&w.cv, &attr);
  pthread_condattr_destroy(&attr);
  if (b->tail) b->tail->next = &w;
  else b->head = &w;
  b->tail = &w;
  struct timespec until = timeout_ns > 0 ? deadline_in(timeout_ns) : (struct timespec){0, 0};
  bool stopped = false;
  while (!w.woken) {
    int rc = timeout_ns < 0 ? pthread_cond_wait(&w.cv, &b->mu)
                            : pthread_cond_timedwait(&w.cv, &b->mu, &until);
    if (stop && atomic_load(stop)) {
      stopped = !w.woken;
      break;
    }
    if (rc == ETIMEDOUT) break;
  }
  if (!w.woken) unlink_waiter(b, &w);
  pthread_mutex_unlock(&b->mu);
  pthread_cond_destroy(&w.cv);
  return stopped ? 3 : w.woken ? 0 : 2;
}

void wm__atomic_wake_owner(const void *owner) {
  for (int i = 0; i < NBUCKETS; i++) {
    struct bucket *b = &buckets[i];
    pthread_once(&once, init_buckets);
    pthread_mutex_lock(&b->mu);
    for (waiter *w = b->head; w; w = w->next)
      if (w->owner == owner) pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&b->mu);
  }
}

uint32_t wm__atomic_notify(void *p, uint32_t count) {
  if (count == 0) return 0;
  struct bucket *b = bucket_of(p);
  uint32_t n = 0;
  pthread_mutex_lock(&b->mu);
  waiter *w = b->head, *prev = NULL;
  while (w && n < count) {
    waiter *next = w->next;
    if (w->addr == p) {
      if (prev) prev->next = next;
      else b->head = next;
      if (b->tail == w) b->tail = prev;
      w->woken = true;
      pthread_cond_signal(&w->cv);
      n++;
    } else {
      prev = w;
    }
    w = next;
  }
  pthread_mutex_unlock(&b->mu);
  return n;
}

uint32_t wm__atomic_waiting(const void *p) {
  struct bucket *b = bucket_of(p);
  uint32_t n = 0;
  pthread_mutex_lock(&b->mu);
  for (waiter *w = b->head; w; w = w->next) n += w->addr == p;
  pthread_mutex_unlock(&b->mu);
  return n;
}
