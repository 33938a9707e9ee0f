/* SPDX-License-Identifier: MIT */
/*
** instantiate_bench.c -- host program timing what a host that makes an
** instance per request pays (issue 12): for each module given, loaded once,
** the time of wm_runtime_new + wm_instance_new + wm_runtime_free, the same
** with a memory pool (wm_pool) shared by all the runtimes, and the time of
** the instance alone in a runtime kept between iterations (freed every
** 1,000 instances, wm_runtime_options' default limit). A module that
** imports WASI gets a WASI context made and defined in each runtime (part
** of what is timed: a host per request does that too).
** Usage: instantiate_bench [-n N] [-m fresh|pooled|shared] FILE.wasm...
** Prints one line per module: microseconds per iteration (median of 5
** rounds of N). -m times one of the three alone (for a profiler); the
** others print as "-".
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasmem.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  unsigned char *b = n > 0 ? malloc((size_t)n) : NULL;
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return b;
}

/* The runtime options of every runtime made: with the pool or without. */
static wm_runtime_options g_opts;
/* Does the module being timed import WASI? */
static bool g_wasi;

/* A runtime as the host makes it: with a WASI context defined when the
** module imports WASI (*w, else NULL). 0 or -1. */
static int runtime_make(wm_runtime **rt, wm_wasi **w) {
  wm_error err;
  *w = NULL;
  if (wm_runtime_new(&g_opts, rt, &err) != WM_OK) return -1;
  if (g_wasi && (wm_wasi_new(w, &err) != WM_OK || wm_wasi_define(*w, *rt, &err) != WM_OK)) {
    fprintf(stderr, "wasi: %s\n", err.message);
    wm_runtime_free(*rt);
    wm_wasi_free(*w);
    return -1;
  }
  return 0;
}

static void runtime_done(wm_runtime *rt, wm_wasi *w) {
  wm_runtime_free(rt);
  wm_wasi_free(w);
}

/* One round of n iterations; the microseconds per iteration, or -1. */
static double round_fresh(const wm_module *mod, int n) {
  double t0 = now_us();
  for (int i = 0; i < n; i++) {
    wm_runtime *rt;
    wm_wasi *w;
    wm_instance *inst;
    wm_error err;
    if (runtime_make(&rt, &w)) return -1;
    if (wm_instance_new(rt, mod, NULL, &inst, &err) != WM_OK) {
      fprintf(stderr, "instantiate: %s\n", err.message);
      runtime_done(rt, w);
      return -1;
    }
    runtime_done(rt, w);
  }
  return (now_us() - t0) / n;
}

static double round_shared(const wm_module *mod, int n) {
  wm_runtime *rt = NULL;
  wm_wasi *w = NULL;
  wm_error err;
  double t0 = now_us();
  for (int i = 0; i < n; i++) {
    if (i % 1000 == 0) {
      runtime_done(rt, w);
      if (runtime_make(&rt, &w)) return -1;
    }
    wm_instance *inst;
    if (wm_instance_new(rt, mod, NULL, &inst, &err) != WM_OK) {
      fprintf(stderr, "instantiate: %s\n", err.message);
      runtime_done(rt, w);
      return -1;
    }
  }
  double t = (now_us() - t0) / n;
  runtime_done(rt, w);
  return t;
}

static double median5(double (*round)(const wm_module *, int), const wm_module *mod, int n) {
  double r[5];
  for (int i = 0; i < 5; i++)
    if ((r[i] = round(mod, n)) < 0) return -1;
  qsort(r, 5, sizeof *r, cmp_double);
  return r[2];
}

int main(int argc, char **argv) {
  int n = 2000, first = 1;
  const char *only = NULL;
  while (first + 1 < argc && argv[first][0] == '-') {
    if (strcmp(argv[first], "-n") == 0)
      n = atoi(argv[first + 1]);
    else if (strcmp(argv[first], "-m") == 0)
      only = argv[first + 1];
    else
      break;
    first += 2;
  }
  if (first >= argc || n <= 0 ||
      (only && strcmp(only, "fresh") && strcmp(only, "pooled") && strcmp(only, "shared"))) {
    fprintf(stderr, "usage: instantiate_bench [-n N] [-m fresh|pooled|shared] FILE.wasm...\n");
    return 2;
  }
  wm_pool *pool;
  wm_error perr;
  if (wm_pool_new(NULL, &pool, &perr) != WM_OK) {
    fprintf(stderr, "instantiate_bench: %s\n", perr.message);
    return 1;
  }
  printf("%-24s %12s %12s %12s\n", "module", "rt+inst us", "pooled us", "inst us");
  for (int a = first; a < argc; a++) {
    size_t len;
    unsigned char *bytes = read_file(argv[a], &len);
    wm_module *mod = NULL;
    wm_error err;
    if (!bytes || wm_module_load(bytes, len, NULL, &mod, &err) != WM_OK) {
      fprintf(stderr, "instantiate_bench: %s: %s\n", argv[a], bytes ? err.message : "cannot read");
      free(bytes);
      return 1;
    }
    free(bytes);
    g_wasi = false;
    for (uint32_t i = 0; i < wm_module_import_count(mod); i++) {
      wm_extern_desc d;
      if (wm_module_import(mod, i, &d) == WM_OK && strcmp(d.module, "wasi_snapshot_preview1") == 0)
        g_wasi = true;
    }
    /* 0 stands for a mode not timed. */
    double fresh = 0, shared = 0, pooled = 0;
    g_opts.pool = NULL;
    if (!only || strcmp(only, "fresh") == 0) fresh = median5(round_fresh, mod, n);
    if (!only || strcmp(only, "shared") == 0) shared = median5(round_shared, mod, n);
    g_opts.pool = pool;
    if (!only || strcmp(only, "pooled") == 0) pooled = median5(round_fresh, mod, n);
    wm_module_free(mod);
    if (fresh < 0 || shared < 0 || pooled < 0) return 1;
    const char *name = strrchr(argv[a], '/');
    printf("%-24s", name ? name + 1 : argv[a]);
    double col[3] = {fresh, pooled, shared};
    for (int c = 0; c < 3; c++) {
      if (col[c] > 0)
        printf(" %12.2f", col[c]);
      else
        printf(" %12s", "-");
    }
    printf("\n");
  }
  wm_pool_free(pool);
  return 0;
}
