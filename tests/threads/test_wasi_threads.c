/* SPDX-License-Identifier: MIT */
/*
** test_wasi_threads.c -- wasi-threads through the C API (src/wasi/
** wasi_threads.c): the WAT guests wt_*.wat spawn threads that share one
** memory and a counter, exit from a spawned thread while main waits, trap
** in a thread, fail to spawn (no wasi_thread_start, a thread limit, the
** embedder's setup refusing, code for the heap checker), loop where only metered code can be stopped,
** block in fd_read on a pipe; and a shared memory outliving the runtime
** that made it. Runs under ThreadSanitizer too (scripts/test.sh).
** usage: test_wasi_threads DIR (the folder of the wt_*.wat files)
*/
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wasmem.h"
#include "check.h" /* tests/unit: the assertion macros */

static const char *dir;

typedef struct run_opts {
  uint32_t flags;          /* module flags (WM_MODULE_METERED) */
  bool set_threads;        /* call wm_wasi_set_threads with `threads` */
  wm_wasi_threads_options threads;
  int stdin_fd;            /* bind guest fd 0 to it when >= 0 */
  bool answer;             /* define env.answer in the main runtime */
} run_opts;

typedef struct outcome {
  int rc, code;
  wm_error err;
  char out[64];            /* captured stdout */
} outcome;

static int answer_fn(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx, (void)args;
  results[0] = wm_val_i32(*(const int *)data);
  return 0;
}

static const int forty_two = 42;

static int define_answer(wm_runtime *rt, wm_error *err) {
  wm_valtype r = WM_I32;
  wm_functype t = {0, 1, NULL, &r};
  wm_func *f;
  int rc = wm_func_new_host(rt, &t, answer_fn, (void *)&forty_two, &f, err);
  return rc ? rc : wm_runtime_define_func(rt, "env", "answer", f, err);
}

/* The setup callback: define env.answer, or refuse when data says so. */
static int setup(void *data, wm_runtime *rt, wm_error *err) {
  if (data && *(const bool *)data) {
    snprintf(err->message, sizeof err->message, "refused by the test");
    return WM_EINVAL;
  }
  return define_answer(rt, err);
}

/* Run DIR/NAME.wat as a WASI command with o: its shared memory made and
** defined as env.memory, stdout captured. */
static outcome run(const char *name, const run_opts *o) {
  outcome r;
  memset(&r, 0, sizeof r);
  char path[512];
  snprintf(path, sizeof path, "%s/%s.wat", dir, name);
  wm_module_options mo;
  memset(&mo, 0, sizeof mo);
  mo.flags = o->flags;
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_wasi *w = NULL;
  wm_instance *inst = NULL;
  wm_memory *mem = NULL;
  wm_limits lim = {1, 1, true, true, false};
  r.rc = wm_module_load_file(path, &mo, &mod, &r.err);
  if (!r.rc) r.rc = wm_runtime_new(NULL, &rt, &r.err);
  if (!r.rc) r.rc = wm_wasi_new(&w, &r.err);
  if (!r.rc) r.rc = wm_wasi_set_stdio_buffer(w, 1, NULL, 1024, &r.err);
  if (!r.rc && o->stdin_fd >= 0) r.rc = wm_wasi_set_stdio_fd(w, 0, o->stdin_fd, &r.err);
  if (!r.rc && o->set_threads) r.rc = wm_wasi_set_threads(w, &o->threads, &r.err);
  if (!r.rc) r.rc = wm_wasi_define(w, rt, &r.err);
  if (!r.rc) r.rc = wm_memory_new(rt, lim, &mem, &r.err);
  if (!r.rc) r.rc = wm_runtime_define_memory(rt, "env", "memory", mem, &r.err);
  if (!r.rc && o->answer) r.rc = define_answer(rt, &r.err);
  if (!r.rc) r.rc = wm_instance_new(rt, mod, NULL, &inst, &r.err);
  if (!r.rc) r.rc = wm_wasi_run(w, rt, inst, &r.code, &r.err);
  size_t len = 0;
  const uint8_t *out = w ? wm_wasi_output(w, 1, &len) : NULL;
  if (out && len < sizeof r.out) memcpy(r.out, out, len);
  wm_wasi_free(w);
  wm_runtime_free(rt);
  wm_module_free(mod);
  return r;
}

static run_opts defaults(void) {
  run_opts o;
  memset(&o, 0, sizeof o);
  o.stdin_fd = -1;
  return o;
}

/* What the `ended` callback saw. */
typedef struct ended_log {
  int calls, exit_code, trap;
  char msg[sizeof(wm_error){0}.message];
} ended_log;

static void on_ended(void *data, int exit_code, int trap, const wm_error *err) {
  ended_log *l = data;
  l->calls++;
  l->exit_code = exit_code;
  l->trap = trap;
  snprintf(l->msg, sizeof l->msg, "%s", err ? err->message : "");
}

static void test_counter(void) {
  run_opts o = defaults();
  outcome r = run("wt_counter", &o);
  CHECK(r.rc == 0);
  CHECK(r.code == 0);
  CHECK(strcmp(r.out, "8000\n") == 0);
  if (r.rc) fprintf(stderr, "counter: %s\n", r.err.message);
}

static void test_exit_from_thread(void) {
  run_opts o = defaults();
  ended_log log = {0};
  o.set_threads = true;
  o.threads = (wm_wasi_threads_options){4, NULL, on_ended, &log};
  outcome r = run("wt_exit", &o);
  CHECK(r.rc == 0);
  CHECK(r.code == 7);
  /* The main thread was still waiting: the callback heard of it. */
  CHECK(log.calls == 1);
  CHECK(log.exit_code == 7 && log.trap == 0);
}

static void test_trap_in_thread(void) {
  run_opts o = defaults();
  ended_log log = {0};
  o.set_threads = true;
  o.threads = (wm_wasi_threads_options){4, NULL, on_ended, &log};
  outcome r = run("wt_trap", &o);
  CHECK_ERR(r.rc, r.err, WM_TRAP_UNREACHABLE, "in wasi thread 1: unreachable");
  CHECK(strstr(r.err.message, "wasi_thread_start") != NULL); /* the backtrace */
  CHECK(log.calls == 1 && log.trap == WM_TRAP_UNREACHABLE);
  CHECK(strstr(log.msg, "in wasi thread 1") != NULL);
}

static void test_spawn_failures(void) {
  run_opts o = defaults();
  outcome r = run("wt_nostart", &o);
  CHECK(r.rc == 0 && r.code == 28); /* EINVAL: no wasi_thread_start */
  o.set_threads = true;
  o.threads = (wm_wasi_threads_options){2, NULL, NULL, NULL};
  r = run("wt_limit", &o);
  CHECK(r.rc == 0 && r.code == 26); /* two threads, then EAGAIN */
  o.threads.max_threads = 0;
  r = run("wt_limit", &o);
  CHECK(r.rc == 0 && r.code == 6); /* none at all */
}

static void test_setup(void) {
  run_opts o = defaults();
  bool refuse = false;
  o.answer = true;
  o.set_threads = true;
  o.threads = (wm_wasi_threads_options){4, setup, NULL, &refuse};
  outcome r = run("wt_host", &o);
  CHECK(r.rc == 0 && r.code == 42);
  refuse = true;
  r = run("wt_host", &o);
  CHECK(r.rc == 0 && r.code == 6); /* the spawn failed: EAGAIN */
  /* Code for the heap checker: threads not supported yet, ENOTSUP. */
  refuse = false;
  o.flags = WM_MODULE_CHECKED;
  r = run("wt_host", &o);
  CHECK(r.rc == 0 && r.code == 58);
  o.flags = 0;
  /* Without setup the thread's instance lacks env.answer: EAGAIN too. */
  o.threads.setup = NULL;
  r = run("wt_host", &o);
  CHECK(r.rc == 0 && r.code == 6);
}

/* Busy loops are stopped only in metered code. */
static void test_busy_metered(void) {
  run_opts o = defaults();
  o.flags = WM_MODULE_METERED;
  outcome r = run("wt_busy", &o); /* main returns: the busy thread stops */
  CHECK(r.rc == 0 && r.code == 0);
  r = run("wt_busy_main", &o); /* a thread exits: the busy main thread stops */
  CHECK(r.rc == 0 && r.code == 3);
  if (r.rc) fprintf(stderr, "busy_main: %s\n", r.err.message);
}

static void test_blocked_read(void) {
  int p[2];
  CHECK(pipe(p) == 0);
  run_opts o = defaults();
  o.stdin_fd = p[0];
  outcome r = run("wt_read", &o);
  CHECK(r.rc == 0 && r.code == 5);
  close(p[0]);
  close(p[1]);
}

static void test_api_errors(void) {
  wm_wasi *w;
  wm_error err;
  CHECK(wm_wasi_new(&w, &err) == 0);
  wm_wasi_threads_options o = {0x20000000, NULL, NULL, NULL};
  CHECK_ERR(wm_wasi_set_threads(w, &o, &err), err, WM_EINVAL, "max_threads");
  CHECK_ERR(wm_wasi_set_threads(w, NULL, &err), err, WM_EINVAL, "NULL");
  CHECK_ERR(wm_wasi_set_threads(NULL, &o, &err), err, WM_EINVAL, "NULL");
  CHECK_ERR(wm_wasi_threads_end(NULL, &err), err, WM_EINVAL, "NULL");
  CHECK(wm_wasi_threads_end(w, &err) == 0); /* nothing spawned: nothing to do */
  wm_wasi_free(w);
}

/* Setting threads after a spawn is refused; _start called directly, then
** wm_wasi_threads_end, is the same as wm_wasi_run. */
static void test_direct_call(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/wt_counter.wat", dir);
  wm_module *mod;
  wm_runtime *rt;
  wm_wasi *w;
  wm_instance *inst;
  wm_memory *mem;
  wm_error err;
  wm_limits lim = {1, 1, true, true, false};
  CHECK(wm_module_load_file(path, NULL, &mod, &err) == 0);
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_wasi_new(&w, &err) == 0);
  CHECK(wm_wasi_set_stdio_buffer(w, 1, NULL, 64, &err) == 0);
  CHECK(wm_wasi_define(w, rt, &err) == 0);
  CHECK(wm_memory_new(rt, lim, &mem, &err) == 0);
  CHECK(wm_runtime_define_memory(rt, "env", "memory", mem, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  CHECK(wm_func_call(rt, wm_instance_func(inst, "_start"), NULL, 0, NULL, 0, &err) == 0);
  wm_wasi_threads_options o = {4, NULL, NULL, NULL};
  CHECK_ERR(wm_wasi_set_threads(w, &o, &err), err, WM_EINVAL, "spawned already");
  CHECK(wm_wasi_threads_end(w, &err) == 0);
  size_t len;
  const uint8_t *out = wm_wasi_output(w, 1, &len);
  CHECK(out && len == 5 && memcmp(out, "8000\n", 5) == 0);
  /* The group ended: the main runtime runs again, with no stop left. */
  CHECK(wm_func_call(rt, wm_instance_func(inst, "_start"), NULL, 0, NULL, 0, &err) ==
        WM_TRAP_UNREACHABLE); /* thread-spawn now fails (-6): the guest traps */
  wm_wasi_free(w);
  wm_runtime_free(rt);
  wm_module_free(mod);
}

/* A shared memory made in one runtime and imported by another outlives the
** first: the importer holds a reference (ASan would see a use after free). */
static void test_memory_outlives_maker(void) {
  static const char wat[] =
      "(module (import \"env\" \"m\" (memory 1 4 shared))\n"
      "  (func (export \"poke\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
      "  (func (export \"peek\") (param i32) (result i32) (i32.load (local.get 0)))\n"
      "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))";
  wm_module *mod;
  wm_runtime *maker, *user;
  wm_instance *a, *b;
  wm_memory *m;
  wm_error err;
  wm_limits lim = {1, 4, true, true, false};
  CHECK(wm_module_load((const uint8_t *)wat, sizeof wat - 1, NULL, &mod, &err) == 0);
  CHECK(wm_runtime_new(NULL, &maker, &err) == 0);
  CHECK(wm_runtime_new(NULL, &user, &err) == 0);
  CHECK(wm_memory_new(maker, lim, &m, &err) == 0);
  CHECK(wm_runtime_define_memory(maker, "env", "m", m, &err) == 0);
  CHECK(wm_runtime_define_memory(user, "env", "m", m, &err) == 0);
  CHECK(wm_instance_new(maker, mod, NULL, &a, &err) == 0);
  CHECK(wm_instance_new(user, mod, NULL, &b, &err) == 0);
  wm_val args[2] = {wm_val_i32(16), wm_val_i32(1234)}, res;
  CHECK(wm_func_call(maker, wm_instance_func(a, "poke"), args, 2, NULL, 0, &err) == 0);
  wm_runtime_free(maker);
  CHECK(wm_func_call(user, wm_instance_func(b, "peek"), args, 1, &res, 1, &err) == 0);
  CHECK(res.of.i32 == 1234);
  args[0] = wm_val_i32(3);
  CHECK(wm_func_call(user, wm_instance_func(b, "grow"), args, 1, &res, 1, &err) == 0);
  CHECK(res.of.i32 == 1);
  CHECK(wm_memory_pages(m) == 4);
  CHECK(wm_func_call(user, wm_instance_func(b, "grow"), args, 1, &res, 1, &err) == 0);
  CHECK(res.of.i32 == -1); /* past the maximum */
  uint64_t old;
  CHECK_ERR(wm_memory_grow(m, 1, &old, &err), err, WM_ELIMIT, "the maximum is 4 pages");
  CHECK(wm_memory_grow(m, 0, &old, &err) == 0 && old == 4);
  args[0] = wm_val_i32(4 * 65536 - 4);
  args[1] = wm_val_i32(77);
  CHECK(wm_func_call(user, wm_instance_func(b, "poke"), args, 2, NULL, 0, &err) == 0);
  wm_runtime_free(user); /* the last reference: unmapped */
  wm_module_free(mod);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_wasi_threads DIR\n");
    return 2;
  }
  dir = argv[1];
  test_counter();
  test_exit_from_thread();
  test_trap_in_thread();
  test_spawn_failures();
  test_setup();
  test_busy_metered();
  test_blocked_read();
  test_api_errors();
  test_direct_call();
  test_memory_outlives_maker();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
