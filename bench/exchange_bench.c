/* SPDX-License-Identifier: MIT */
/*
** exchange_bench.c -- host program (not a guest kernel) timing the exchange
** layer: 64 MiB copied into guest memory and back vs plain memcpy, and the
** cost of one host->guest call of array_sum on a 16-byte array.
** Usage: exchange_bench  (needs wat2wasm on PATH; prints the numbers)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasmem.h"

static const char wat[] =
    "(module (memory (export \"memory\") 1)\n"
    "  (global $top (mut i32) (i32.const 1024))\n"
    "  (func $alloc (export \"alloc\") (param $n i32) (result i32) (local $p i32)\n"
    "    (local.set $p (global.get $top))\n"
    "    (global.set $top (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 15)) (i32.const -16)))\n"
    "    (if (i32.gt_u (global.get $top) (i32.mul (memory.size) (i32.const 65536)))\n"
    "      (then (drop (memory.grow (i32.add (i32.shr_u (local.get $n) (i32.const 16)) (i32.const 1))))))\n"
    "    (local.get $p))\n"
    "  (func (export \"dealloc\") (param $p i32) (param $n i32)\n"
    "    (if (i32.eq (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 15)) (i32.const -16))\n"
    "                (global.get $top)) (then (global.set $top (local.get $p)))))\n"
    "  (func (export \"array_sum\") (param $p i32) (param $n i32) (result i32) (local $s i32)\n"
    "    (block $b (loop $l (br_if $b (i32.eqz (local.get $n)))\n"
    "      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $p))))\n"
    "      (local.set $p (i32.add (local.get $p) (i32.const 1)))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l)))\n"
    "    (i32.and (local.get $s) (i32.const 255))))\n";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void) {
  char src[64], bin[64], cmd[200];
  snprintf(src, sizeof src, "/tmp/wm_exbench_%d.wat", (int)getpid());
  snprintf(bin, sizeof bin, "/tmp/wm_exbench_%d.wasm", (int)getpid());
  FILE *f = fopen(src, "w");
  if (!f) return 1;
  fputs(wat, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "wat2wasm %s -o %s", src, bin);
  if (system(cmd) != 0) {
    fprintf(stderr, "exchange_bench: wat2wasm failed\n");
    return 1;
  }
  remove(src);
  wm_error err;
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  if (wm_module_load_file(bin, NULL, &mod, &err) || wm_runtime_new(NULL, &rt, &err) ||
      wm_instance_new(rt, mod, NULL, &inst, &err) || wm_guest_new(rt, inst, NULL, &g, &err)) {
    fprintf(stderr, "exchange_bench: %s\n", err.message);
    return 1;
  }
  remove(bin);

  /* 1. 64 MiB in and back out, best of 5, vs memcpy of the same. */
  size_t n = 64u << 20;
  uint8_t *a = malloc(n), *b = malloc(n), *c = malloc(n);
  if (!a || !b || !c) return 1;
  for (size_t i = 0; i < n; i++) a[i] = (uint8_t)(i * 31);
  memset(b, 0, n);
  memset(c, 0, n);
  wm_block blk;
  if (wm_guest_alloc(g, (uint32_t)n, &blk, &err)) {
    fprintf(stderr, "exchange_bench: %s\n", err.message);
    return 1;
  }
  wm_memory *m = wm_guest_memory(g);
  double best_x = 1e9, best_m = 1e9;
  for (int r = 0; r < 5; r++) {
    double t0 = now();
    if (wm_memory_write(m, blk.ptr, a, n, &err) || wm_memory_read(m, blk.ptr, b, n, &err)) return 1;
    double t1 = now();
    memcpy(c, a, n);
    memcpy(b, c, n);
    double t2 = now();
    if (t1 - t0 < best_x) best_x = t1 - t0;
    if (t2 - t1 < best_m) best_m = t2 - t1;
  }
  if (memcmp(a, b, n) != 0) {
    fprintf(stderr, "exchange_bench: data differs\n");
    return 1;
  }
  printf("64 MiB in+out via wm_memory_write/read: %.2f ms (%.2f GB/s)\n", best_x * 1e3,
         2.0 * (double)n / best_x / 1e9);
  printf("64 MiB plain memcpy x2:                  %.2f ms\n", best_m * 1e3);
  printf("ratio (memcpy time / exchange time):     %.2fx\n", best_m / best_x);
  wm_block_free(g, blk, &err);

  /* 2. array_sum on 16 bytes: one call with the block reused, and the
  ** full exchange (alloc, copy in, call, free) per call. */
  static const uint8_t sixteen[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  wm_func *sum = wm_instance_func(inst, "array_sum");
  wm_block sb;
  wm_guest_alloc_copy(g, sixteen, 16, &sb, &err);
  wm_val args[2] = {wm_val_i32((int32_t)sb.ptr), wm_val_i32(16)}, res[1];
  int iters = 1000000;
  double t0 = now();
  for (int i = 0; i < iters; i++) wm_func_call(rt, sum, args, 2, res, 1, &err);
  double t1 = now();
  printf("array_sum(16 bytes), wm_func_call:       %.1f ns/call (result %d)\n",
         (t1 - t0) * 1e9 / iters, res[0].of.i32);
  wm_arg ga[1] = {wm_arg_bytes(sixteen, 16)};
  iters = 300000;
  t0 = now();
  for (int i = 0; i < iters; i++) wm_guest_call(g, "array_sum", NULL, ga, 1, res, 1, NULL, &err);
  t1 = now();
  printf("array_sum(16 bytes), wm_guest_call (alloc+copy+call+free): %.1f ns/call (result %d)\n",
         (t1 - t0) * 1e9 / iters, res[0].of.i32);
  wm_block_free(g, sb, &err);
  wm_guest_stats st;
  wm_guest_free(g, &st);
  wm_runtime_free(rt);
  wm_module_free(mod);
  free(a), free(b), free(c);
  return st.live_blocks ? 1 : 0;
}
