/* SPDX-License-Identifier: MIT */
/*
** test_pool_threads.c -- one memory pool (wm_pool) shared by threads that
** each make runtimes and instances in a loop, as a server making an
** instance per request does: every memory must be fresh (its data, zeroes
** elsewhere) although the last user of its slot scribbled a secret all
** over it, and with fewer slots than threads some memories fall back.
** Run under ThreadSanitizer by scripts/test.sh.
** Usage: test_pool_threads POOL.wasm
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmem.h"

#include "check.h" /* tests/unit: the assertion macros */

#define NTHREADS 6
#define ROUNDS 150
#define PAGE 65536u

static const wm_module *mod;
static wm_pool *pool;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int bad_rounds;

/* One request: 0, or what went wrong. */
static const char *request(int id, int round, uint8_t *want) {
  wm_runtime_options o = {.pool = pool};
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  const char *why = NULL;
  if (wm_runtime_new(&o, &rt, &err) || wm_instance_new(rt, mod, NULL, &inst, &err)) {
    why = "instantiation failed";
  } else {
    wm_memory *m = wm_instance_default_memory(inst);
    if (wm_memory_size(m) != PAGE || memcmp(wm_memory_data(m), want, PAGE) != 0) {
      why = "memory not fresh";
    } else {
      wm_val arg = wm_val_i32(0x40 + (id * ROUNDS + round) % 0x3F);
      if (wm_func_call(rt, wm_instance_func(inst, "scribble"), &arg, 1, NULL, 0, &err))
        why = "scribble failed";
      else if (wm_memory_size(m) != 2 * PAGE || wm_memory_data(m)[2 * PAGE - 1] != arg.of.i32)
        why = "scribble did not reach the grown page";
    }
  }
  wm_runtime_free(rt);
  return why;
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  uint8_t *want = calloc(1, PAGE);
  if (!want) return NULL;
  memcpy(want + 8, "seed", 4);
  for (int round = 0; round < ROUNDS; round++) {
    const char *why = request(id, round, want);
    if (why) {
      pthread_mutex_lock(&count_lock);
      if (bad_rounds++ < 5) fprintf(stderr, "thread %d round %d: %s\n", id, round, why);
      pthread_mutex_unlock(&count_lock);
    }
  }
  free(want);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_pool_threads POOL.wasm\n");
    return 2;
  }
  wm_module *m = NULL;
  wm_error err;
  /* Fewer slots than threads: some memories take the normal path. */
  wm_pool_options po = {.max_slots = NTHREADS - 2};
  if (wm_module_load_file(argv[1], NULL, &m, &err) || wm_pool_new(&po, &pool, &err)) {
    fprintf(stderr, "test_pool_threads: %s\n", err.message);
    return 1;
  }
  mod = m;
  pthread_t th[NTHREADS];
  int started = 0;
  for (int i = 0; i < NTHREADS; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i) == 0) started++;
  CHECK(started == NTHREADS);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  CHECK(bad_rounds == 0);
  wm_pool_usage u;
  wm_pool_get_usage(pool, &u);
  CHECK(u.in_use == 0 && u.slots >= 1 && u.slots <= NTHREADS - 2);
  printf("slots %u, fallbacks %llu\n", u.slots, (unsigned long long)u.fallbacks);
  wm_pool_free(pool);
  wm_module_free(m);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
