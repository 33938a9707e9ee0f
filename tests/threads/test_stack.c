/* SPDX-License-Identifier: MIT */
/*
** test_stack.c -- guest -> host -> guest re-entry on small C stacks: a
** guest whose host import calls back into it without end must trap with
** WM_TRAP_STACK_EXHAUSTED, never overflow the thread's stack, on threads of
** 64, 128 and 256 KiB, with a configured C stack budget, and on a stack of
** its own (a coroutine's); the runtime stays usable after each trap.
** Usage: test_stack reenter.wasm
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <ucontext.h>

#include "wasmem.h"

#include "check.h"

#if defined(__SANITIZE_THREAD__)
#define TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(TSAN)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* A C stack budget a few levels deep: AddressSanitizer's frames are
** several times larger. */
#if defined(__SANITIZE_ADDRESS__)
#define BUDGET (256 << 10)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUDGET (256 << 10)
#endif
#endif
#ifndef BUDGET
#define BUDGET (96 << 10)
#endif

static const wm_module *mod;

/* One guest and its host function: cb(n) = down(n) + 1, so down(n) is
** 100 + n through 2n nested entries, and down(huge) never ends. */
typedef struct guest {
  wm_runtime *rt;
  wm_instance *inst;
  wm_func *down;
  int depth, max_depth;
} guest;

static int host_cb(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  guest *g = data;
  wm_val res;
  wm_error err;
  char note[128]; /* a host's own work on its stack, printf included */
  snprintf(note, sizeof note, "depth %d, n %d", g->depth, (int)args[0].of.i32);
  if (++g->depth > g->max_depth) g->max_depth = g->depth;
  int rc = wm_func_call(g->rt, g->down, args, 1, &res, 1, &err);
  g->depth--;
  if (rc) return wm_call_ctx_trap(ctx, rc, "%s (%s)", err.message, note);
  results[0] = wm_val_i32(res.of.i32 + 1);
  return 0;
}

static int guest_new(guest *g, const wm_runtime_options *opts) {
  memset(g, 0, sizeof *g);
  wm_error err;
  wm_valtype p[] = {WM_I32};
  wm_functype ft = {1, 1, p, p};
  wm_func *cb;
  if (wm_runtime_new(opts, &g->rt, &err) || wm_func_new_host(g->rt, &ft, host_cb, g, &cb, &err) ||
      wm_runtime_define_func(g->rt, "env", "cb", cb, &err) ||
      wm_instance_new(g->rt, mod, NULL, &g->inst, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  g->down = wm_instance_func(g->inst, "down");
  return g->down ? 0 : -1;
}

/* down(n): its result, or the trap's code with the message in err. */
static int call_down(guest *g, int32_t n, int32_t *out, wm_error *err) {
  wm_val a = wm_val_i32(n), r = wm_val_i32(0);
  int rc = wm_func_call(g->rt, g->down, &a, 1, &r, 1, err);
  *out = r.of.i32;
  return rc;
}

/* Endless re-entry traps cleanly; then the runtime still works. Returns the
** deepest nesting reached. */
static int exhaust(const wm_runtime_options *opts, const char *what) {
  guest g;
  if (guest_new(&g, opts)) {
    nfail++;
    wm_runtime_free(g.rt);
    return -1;
  }
  wm_error err;
  int32_t v = 0;
  int rc = call_down(&g, 1000000, &v, &err);
  CHECK_ERR(rc, err, WM_TRAP_STACK_EXHAUSTED, "call stack exhausted");
  CHECK(g.depth == 0);
  int deepest = g.max_depth;
  printf("%s: trapped at nesting %d\n", what, deepest);
  /* The host function at `deepest` was refused its call: down(n) nests
  ** n + 1 entries. */
  int32_t n = deepest > 3 ? 3 : deepest - 1;
  CHECK(n >= 0 && call_down(&g, n, &v, &err) == WM_OK && v == 100 + n);
  rc = wm_func_call(g.rt, wm_instance_func(g.inst, "boom"), NULL, 0, NULL, 0, &err);
  CHECK_ERR(rc, err, WM_TRAP_UNREACHABLE, "unreachable");
  CHECK(n >= 0 && call_down(&g, n, &v, &err) == WM_OK && v == 100 + n);
  /* A second exhaustion stops at the same depth: nothing leaked. */
  g.max_depth = 0;
  CHECK(call_down(&g, 1000000, &v, &err) == WM_TRAP_STACK_EXHAUSTED);
  CHECK(g.max_depth == deepest);
  wm_runtime_free(g.rt);
  return deepest;
}

/* ------------------------------------------------------------ threads */

typedef struct job {
  size_t stack;
  const wm_runtime_options *opts;
  int deepest;
} job;

static void *thread_main(void *arg) {
  job *j = arg;
  char what[64];
  snprintf(what, sizeof what, "thread with %zu KiB", j->stack >> 10);
  j->deepest = exhaust(j->opts, what);
  return NULL;
}

static int on_thread(size_t stack, const wm_runtime_options *opts) {
  pthread_attr_t attr;
  pthread_t t;
  job j = {stack, opts, -1};
  CHECK(pthread_attr_init(&attr) == 0);
  CHECK(pthread_attr_setstacksize(&attr, stack) == 0);
  if (pthread_create(&t, &attr, thread_main, &j) != 0) {
    nfail++;
    fprintf(stderr, "pthread_create with a %zu-byte stack failed\n", stack);
  } else {
    CHECK(pthread_join(t, NULL) == 0);
  }
  pthread_attr_destroy(&attr);
  return j.deepest;
}

/* ------------------------------------------------------------ a coroutine */

#ifndef SANITIZED /* the sanitizers do not follow swapcontext well */
static ucontext_t main_ctx, co_ctx;
static const wm_runtime_options *co_opts;
static int co_deepest;

static void co_main(void) {
  co_deepest = exhaust(co_opts, co_opts ? "coroutine stack of 128 KiB, 64 KiB budget"
                                        : "coroutine stack of 128 KiB");
}

/* Run exhaust() on a stack of our own: the thread's bounds do not describe
** it, so the runtime must notice and not trust them. */
static int on_coroutine(const wm_runtime_options *opts) {
  size_t size = 128 << 10;
  void *stack = malloc(size);
  co_opts = opts;
  co_deepest = -1;
  CHECK(stack && getcontext(&co_ctx) == 0);
  if (!stack) return -1;
  co_ctx.uc_stack.ss_sp = stack;
  co_ctx.uc_stack.ss_size = size;
  co_ctx.uc_link = &main_ctx;
  makecontext(&co_ctx, co_main, 0);
  CHECK(swapcontext(&main_ctx, &co_ctx) == 0);
  free(stack);
  return co_deepest;
}
#endif

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_stack reenter.wasm\n");
    return 2;
  }
  wm_module *m = NULL;
  wm_error err;
  if (wm_module_load_file(argv[1], NULL, &m, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  mod = m;

  /* Small thread stacks: a clean trap each, deeper on bigger stacks. */
  int d64 = on_thread(64 << 10, NULL);
  int d128 = on_thread(128 << 10, NULL);
  int d256 = on_thread(256 << 10, NULL);
  CHECK(d64 >= 1 && d128 >= d64 && d256 >= d128);
#ifndef TSAN /* which raises small thread stacks to 128 KiB and more */
  CHECK(d256 > d128);
#endif

  /* The main thread's stack, 8 MiB by default, reaches the hard cap of
  ** 256 nested entries first; a small one (ulimit -s) traps earlier. */
  struct rlimit rl;
  bool big = getrlimit(RLIMIT_STACK, &rl) == 0 &&
             (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)4 << 20);
  int dmain = exhaust(NULL, "main thread");
  CHECK(big ? dmain == 256 : dmain >= 1);

  /* A configured budget counts from the outermost entry, whatever the
  ** thread's stack (big enough here). */
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.c_stack_bytes = BUDGET;
  int dbudget = on_thread(4 << 20, &o);
  CHECK(dbudget >= 1 && dbudget < 256);
  CHECK(on_thread(2 << 20, &o) == dbudget);

#ifndef SANITIZED
  /* A coroutine's stack: the thread's bounds do not apply, so the runtime
  ** falls back to a conservative budget, or uses the configured one. */
  CHECK(on_coroutine(NULL) >= 1);
  o.c_stack_bytes = 64 << 10;
  CHECK(on_coroutine(&o) >= 1);
#endif

  wm_module_free(m);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
