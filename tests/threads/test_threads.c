/* SPDX-License-Identifier: MIT */
/*
** test_threads.c -- several threads use wasmem at once, each with its own
** runtimes: they load their first modules together (plain and checked,
** which publishes the dispatch tables), instantiate one module shared by
** all, call it (their first calls lower its functions at once: one
** lowering of each is published, the others dropped) -- also as loaded
** from its file through a code cache, whose bodies the first calls read in
** from the file --, trap, re-enter it from a host function, and run a WASI
** guest that opens files (the openat2 probe). The ThreadSanitizer build
** (-DWM_SANITIZE=thread) runs it to find data races.
** Usage: test_threads shared.wasm wasi_note.wasm
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasmem.h"

#include "check.h"

#define NTHREADS 4
#define ROUNDS 8

static uint8_t *shared_bytes, *wasi_bytes;
static size_t shared_len, wasi_len;
static const wm_module *shared_mod, *sparse_mod, *wasi_mod;
static pthread_barrier_t loaded, ready;
/* CHECK counts from every thread. */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct tally {
  int pass, fail;
} tally;

/* A thread's CHECK: counted locally, added to the totals at the end. */
#define TCHECK(t, cond)                                                       \
  do {                                                                        \
    if (cond)                                                                 \
      (t)->pass++;                                                            \
    else {                                                                    \
      (t)->fail++;                                                            \
      fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);     \
    }                                                                         \
  } while (0)

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = n > 0 ? malloc((size_t)n) : NULL;
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return b;
}

/* The host import: cb(n) = down(n) + 1, calling back into the instance. */
typedef struct guest {
  wm_runtime *rt;
  wm_instance *inst;
} guest;

static int host_cb(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  guest *g = data;
  wm_val res;
  wm_error err;
  int rc = wm_func_call(g->rt, wm_instance_func(g->inst, "down"), args, 1, &res, 1, &err);
  if (rc) return wm_call_ctx_trap(ctx, rc, "%s", err.message);
  results[0] = wm_val_i32(res.of.i32 + 1);
  return 0;
}

static int32_t call1(guest *g, const char *name, int32_t a, int *rc, wm_error *err) {
  wm_val arg = wm_val_i32(a), res = wm_val_i32(0);
  *rc = wm_func_call(g->rt, wm_instance_func(g->inst, name), &arg, 1, &res, 1, err);
  return res.of.i32;
}

/* Instantiate mod in a runtime of its own and run everything it offers. */
static void use_module(tally *t, const wm_module *mod) {
  static const wm_runtime_options opts = {.stack_bytes = 1 << 20, .max_call_depth = 10000};
  guest g = {NULL, NULL};
  wm_error err;
  wm_valtype p[] = {WM_I32};
  wm_functype ft = {1, 1, p, p};
  wm_func *cb = NULL;
  int rc = wm_runtime_new(&opts, &g.rt, &err);
  if (!rc) rc = wm_func_new_host(g.rt, &ft, host_cb, &g, &cb, &err);
  if (!rc) rc = wm_runtime_define_func(g.rt, "env", "cb", cb, &err);
  if (!rc) rc = wm_instance_new(g.rt, mod, NULL, &g.inst, &err);
  TCHECK(t, rc == WM_OK);
  if (rc) {
    fprintf(stderr, "%s\n", err.message);
    wm_runtime_free(g.rt);
    return;
  }
  TCHECK(t, call1(&g, "fib", 15, &rc, &err) == 610 && rc == WM_OK);
  for (int i = 1; i <= 5; i++) TCHECK(t, call1(&g, "bump", i, &rc, &err) == i * (i + 1) / 2);
  wm_val c;
  TCHECK(t, wm_func_call(g.rt, wm_instance_func(g.inst, "count"), NULL, 0, &c, 1, &err) == WM_OK &&
                c.of.i32 == 5);
  call1(&g, "load", 65536, &rc, &err);
  TCHECK(t, rc == WM_TRAP_MEMORY_OOB && strstr(err.message, "out of bounds"));
  wm_val dv[2] = {wm_val_i32(1), wm_val_i32(0)}, dr;
  rc = wm_func_call(g.rt, wm_instance_func(g.inst, "div"), dv, 2, &dr, 1, &err);
  TCHECK(t, rc == WM_TRAP_DIV_ZERO);
  TCHECK(t, call1(&g, "down", 10, &rc, &err) == 110 && rc == WM_OK);
  /* Endless re-entry: each thread's own C stack limit stops it. */
  call1(&g, "down", 1000000, &rc, &err);
  TCHECK(t, rc == WM_TRAP_STACK_EXHAUSTED);
  TCHECK(t, call1(&g, "fib", 10, &rc, &err) == 55 && rc == WM_OK);
  wm_runtime_free(g.rt);
}

/* Run the WASI guest with a directory of its own; it writes a file there. */
static void run_wasi(tally *t, int id, int round) {
  char dir[64], file[80];
  snprintf(dir, sizeof dir, "/tmp/wm_threads_%d_%d_%d", (int)getpid(), id, round);
  snprintf(file, sizeof file, "%s/note.txt", dir);
  TCHECK(t, mkdir(dir, 0700) == 0);
  wm_wasi *w = NULL;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  int rc = wm_wasi_new(&w, &err);
  if (!rc) rc = wm_wasi_preopen_dir(w, dir, ".", 0, &err);
  if (!rc) rc = wm_wasi_set_stdio_buffer(w, 1, NULL, 0, &err);
  if (!rc) rc = wm_runtime_new(NULL, &rt, &err);
  if (!rc) rc = wm_wasi_define(w, rt, &err);
  if (!rc) rc = wm_instance_new(rt, wasi_mod, NULL, &inst, &err);
  TCHECK(t, rc == WM_OK);
  if (!rc) {
    rc = wm_func_call(rt, wm_instance_func(inst, "_start"), NULL, 0, NULL, 0, &err);
    int code = -1;
    TCHECK(t, rc == WM_TRAP_EXIT && wm_wasi_exit_code(w, &code) && code == 7);
    size_t len = 0;
    const uint8_t *out = wm_wasi_output(w, 1, &len);
    TCHECK(t, out && len == 3 && memcmp(out, "ok\n", 3) == 0);
  } else {
    fprintf(stderr, "%s\n", err.message);
  }
  wm_runtime_free(rt);
  wm_wasi_free(w);
  char buf[32] = "";
  FILE *f = fopen(file, "r");
  TCHECK(t, f && fgets(buf, sizeof buf, f) && strcmp(buf, "written by a thread\n") == 0);
  if (f) fclose(f);
  remove(file);
  rmdir(dir);
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  tally t = {0, 0};
  /* The process's first loads happen here, on every thread at once. */
  wm_module *plain = NULL, *checked = NULL;
  wm_module_options co = {.flags = WM_MODULE_CHECKED};
  wm_error err;
  TCHECK(&t, wm_module_load(shared_bytes, shared_len, NULL, &plain, &err) == WM_OK);
  TCHECK(&t, wm_module_load(shared_bytes, shared_len, &co, &checked, &err) == WM_OK);
  pthread_barrier_wait(&loaded);
  pthread_barrier_wait(&ready); /* the shared modules are loaded now */
  for (int r = 0; r < ROUNDS; r++) {
    use_module(&t, shared_mod);
    use_module(&t, sparse_mod);
    if (plain) use_module(&t, plain);
    if (checked) use_module(&t, checked);
    run_wasi(&t, id, r);
  }
  wm_module_free(plain);
  wm_module_free(checked);
  pthread_mutex_lock(&count_lock);
  npass += t.pass;
  nfail += t.fail;
  pthread_mutex_unlock(&count_lock);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test_threads shared.wasm wasi_note.wasm\n");
    return 2;
  }
  shared_bytes = read_file(argv[1], &shared_len);
  wasi_bytes = read_file(argv[2], &wasi_len);
  if (!shared_bytes || !wasi_bytes) {
    fprintf(stderr, "cannot read the modules\n");
    return 1;
  }
  pthread_barrier_init(&loaded, NULL, NTHREADS + 1);
  pthread_barrier_init(&ready, NULL, NTHREADS + 1);
  pthread_t th[NTHREADS];
  for (int i = 0; i < NTHREADS; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i) != 0) {
      fprintf(stderr, "cannot create threads\n");
      return 1;
    }

  /* Once the threads' own loads are done: the modules they share. */
  pthread_barrier_wait(&loaded);
  wm_module *sm = NULL, *wm = NULL;
  wm_error err;
  int rc_shared = wm_module_load(shared_bytes, shared_len, NULL, &sm, &err);
  int rc_wasi = wm_module_load(wasi_bytes, wasi_len, NULL, &wm, &err);
  if (rc_shared || rc_wasi) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  /* The shared module through a code cache: the first load writes it, the
  ** second takes it and leaves the bodies in the file. */
  char cdir[64], cmd[96];
  snprintf(cdir, sizeof cdir, "/tmp/wm_threads_cache_%d", (int)getpid());
  wm_module_options cache_opts = {.cache_dir = cdir};
  wm_module *warm = NULL, *sp = NULL;
  if (wm_module_load_file(argv[1], &cache_opts, &warm, &err) != WM_OK ||
      wm_module_load_file(argv[1], &cache_opts, &sp, &err) != WM_OK) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  wm_module_free(warm);
  shared_mod = sm;
  sparse_mod = sp;
  wasi_mod = wm;
  pthread_barrier_wait(&ready);
  int joined = 0; /* counted before CHECK: the threads count passes too */
  for (int i = 0; i < NTHREADS; i++) joined += pthread_join(th[i], NULL) == 0;
  CHECK(joined == NTHREADS);

  wm_module_free(sm);
  wm_module_free(sp);
  wm_module_free(wm);
  snprintf(cmd, sizeof cmd, "rm -rf %s", cdir);
  CHECK(system(cmd) == 0);
  free(shared_bytes);
  free(wasi_bytes);
  pthread_barrier_destroy(&loaded);
  pthread_barrier_destroy(&ready);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
