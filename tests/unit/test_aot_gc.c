/* SPDX-License-Identifier: MIT */
/*
** test_aot_gc.c -- the collector reading compiled frames (src/collect.c,
** src/aot/aot_rt.c's segments). A compiled function holds structs and
** arrays only in its C locals while it makes garbage many times
** max_gc_bytes (1 MiB) itself, through an interpreted function and through
** a host function that collects (wm_runtime_collect, allowed now under
** compiled frames), calls the interpreted one and boxes a host pointer;
** then it checks every field and element. The same interpreted, and
** compiled by cc at -O1 and -O2, with guard pages and with bounds checks.
** A collection that missed a compiled frame's reference would free the
** object and the garbage (boxes and arrays of the same sizes, filled with
** -1) would soon overwrite it. The C compiler may keep only an address
** inside an object across a call, which no test can force: the interior
** lookup (wm__gc_held) is tested directly.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aot_build.h"
#include "check.h"
#include "gc.h"
#include "runtime.h"
#include "wasmem.h"

static const char g_wat[] =
    "(module\n"
    "  (type $box (struct (field (mut i32))))\n"
    "  (type $pair (struct (field i64) (field (mut eqref)) (field f64) (field (mut i8))))\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (type $longs (array (mut i64)))\n"
    "  (import \"interp\" \"churn\" (func $churn (param i32)))\n"
    "  (import \"host\" \"alloc\" (func $host (param i32)))\n"
    "  (func $garbage (param $n i32)\n"
    "    (loop $l\n"
    "      (drop (array.new $bytes (i32.const -1) (i32.const 3000)))\n"
    "      (drop (array.new $longs (i64.const -1) (i32.const 50)))\n"
    "      (drop (struct.new $box (i32.const -1)))\n"
    "      (drop (struct.new $pair (i64.const -1) (ref.null eq) (f64.const -1) (i32.const -1)))\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))\n"
    "  (func (export \"hold\") (param $v i32) (param $rounds i32) (result i32)\n"
    "    (local $b (ref $box)) (local $p (ref $pair)) (local $a (ref $bytes))\n"
    "    (local $l (ref $longs)) (local $i i32) (local $bad i32)\n"
    "    (local.set $b (struct.new $box (local.get $v)))\n"
    "    (local.set $p (struct.new $pair (i64.extend_i32_s (local.get $v)) (local.get $b)\n"
    "                                    (f64.const 0.5) (local.get $v)))\n"
    "    (local.set $a (array.new $bytes (local.get $v) (i32.const 3000)))\n"
    "    (local.set $l (array.new $longs (i64.const 0x1122334455667788) (i32.const 50)))\n"
    "    (loop $r\n"
    "      (call $garbage (i32.const 40))\n"
    "      (call $churn (i32.const 40))\n"
    "      (call $host (local.get $rounds))\n"
    "      (array.set $bytes (local.get $a) (i32.rem_u (local.get $rounds) (i32.const 3000))\n"
    "        (i32.add (array.get_u $bytes (local.get $a)\n"
    "          (i32.rem_u (local.get $rounds) (i32.const 3000))) (i32.const 0)))\n"
    "      (br_if $r (local.tee $rounds (i32.sub (local.get $rounds) (i32.const 1)))))\n"
    "    (local.set $bad (i32.or\n"
    "      (i32.or (i32.ne (struct.get $box 0 (local.get $b)) (local.get $v))\n"
    "              (i64.ne (struct.get $pair 0 (local.get $p)) (i64.extend_i32_s (local.get $v))))\n"
    "      (i32.or (i32.eqz (ref.eq (struct.get $pair 1 (local.get $p)) (local.get $b)))\n"
    "              (f64.ne (struct.get $pair 2 (local.get $p)) (f64.const 0.5)))))\n"
    "    (local.set $bad (i32.or (local.get $bad) (i32.shl\n"
    "      (i32.ne (struct.get_u $pair 3 (local.get $p)) (i32.and (local.get $v) (i32.const 255)))\n"
    "      (i32.const 1))))\n"
    "    (loop $e\n"
    "      (local.set $bad (i32.or (local.get $bad) (i32.shl\n"
    "        (i32.ne (array.get_u $bytes (local.get $a) (local.get $i))\n"
    "                (i32.and (local.get $v) (i32.const 255))) (i32.const 2))))\n"
    "      (if (i32.lt_u (local.get $i) (i32.const 50))\n"
    "        (then (local.set $bad (i32.or (local.get $bad) (i32.shl\n"
    "          (i64.ne (array.get $longs (local.get $l) (local.get $i))\n"
    "                  (i64.const 0x1122334455667788)) (i32.const 3))))))\n"
    "      (br_if $e (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))\n"
    "                          (i32.const 3000))))\n"
    "    (i32.or (local.get $bad) (i32.shl (i32.ne (array.len (local.get $a)) (i32.const 3000))\n"
    "                                      (i32.const 4)))))\n";

static const char i_wat[] =
    "(module\n"
    "  (type $box (struct (field (mut i32))))\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (func (export \"churn\") (param $n i32)\n"
    "    (loop $l\n"
    "      (drop (array.new $bytes (i32.const -2) (i32.const 3000)))\n"
    "      (drop (struct.new $box (i32.const -2)))\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))\n";

typedef struct env {
  wm_runtime *rt;
  wm_func *churn;
  int collect_rc; /* wm_runtime_collect's code inside the host function */
  int churn_rc;
  int box_rc;
} env;

static env E;

/* Collects, calls the interpreted churn, boxes a host pointer: all under
** the compiled caller's frames. */
static int host_alloc(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)results;
  (void)data;
  int rc = wm_runtime_collect(E.rt);
  if (rc) E.collect_rc = rc;
  wm_val n = wm_val_i32(20);
  wm_error err;
  rc = wm_func_call(E.rt, E.churn, &n, 1, NULL, 0, &err);
  if (rc) E.churn_rc = rc;
  void *box = NULL;
  rc = wm_anyref_host(E.rt, (void *)(uintptr_t)(0x1000 + 8 * (uint32_t)args[0].of.i32), &box);
  if (rc) E.box_rc = rc;
  return 0;
}

/* hold(v, rounds) with G from gso (NULL: interpreted): its result, -1 if
** it could not run; *collections how many collections ran. */
static int32_t run_hold(const char *gso, int32_t v, int32_t rounds, uint64_t *collections) {
  wm_error err;
  wm_runtime_options ro;
  memset(&ro, 0, sizeof ro);
  ro.max_gc_bytes = 1u << 20;
  memset(&E, 0, sizeof E);
  int32_t result = -1;
  wm_module *gm = NULL, *im = NULL;
  CHECK(wm_runtime_new(&ro, &E.rt, &err) == WM_OK);
  static const wm_valtype i32 = WM_I32;
  wm_functype t = {1, 0, &i32, NULL};
  wm_func *h = NULL;
  CHECK(wm_func_new_host(E.rt, &t, host_alloc, NULL, &h, &err) == WM_OK);
  CHECK(wm_runtime_define_func(E.rt, "host", "alloc", h, &err) == WM_OK);
  wm_instance *ii = NULL, *gi = NULL;
  CHECK(wm_module_load((const uint8_t *)i_wat, strlen(i_wat), NULL, &im, &err) == WM_OK);
  CHECK(im && wm_instance_new(E.rt, im, NULL, &ii, &err) == WM_OK);
  if (ii) {
    E.churn = wm_instance_func(ii, "churn");
    CHECK(wm_runtime_define_func(E.rt, "interp", "churn", E.churn, &err) == WM_OK);
  }
  int rc = gso ? wm_module_load_native(gso, NULL, &gm, &err)
               : wm_module_load((const uint8_t *)g_wat, strlen(g_wat), NULL, &gm, &err);
  CHECK(rc == WM_OK);
  if (rc) fprintf(stderr, "test_aot_gc: %s\n", err.message);
  if (gm && wm_instance_new(E.rt, gm, NULL, &gi, &err) == WM_OK) {
    wm_val args[2] = {wm_val_i32(v), wm_val_i32(rounds)}, r;
    rc = wm_func_call(E.rt, wm_instance_func(gi, "hold"), args, 2, &r, 1, &err);
    CHECK(rc == WM_OK);
    if (rc) fprintf(stderr, "test_aot_gc: hold: %s\n", err.message);
    else result = r.of.i32;
  }
  CHECK(E.collect_rc == WM_OK && E.churn_rc == WM_OK && E.box_rc == WM_OK);
  *collections = E.rt->gc_collections;
  wm_runtime_free(E.rt);
  wm_module_free(gm);
  wm_module_free(im);
  return result;
}

/* wm__gc_held on real objects: a word at the start, in the header, in the
** payload, at the last byte or one past the end keeps an object; one before
** it, or two past the end, does not. */
static void test_interior(void) {
  wm_error err;
  wm_runtime *rt = NULL;
  CHECK(wm_runtime_new(NULL, &rt, &err) == WM_OK);
  enum { N = 40 };
  wm_gcobj *objs[N];
  char msg[256];
  for (int i = 0; i < N; i++) {
    int trap = 0;
    objs[i] = wm__gc_alloc(rt, false, WM_COMP_ARRAY, 0, (uint64_t)(i % 7) * 24, false, &trap, msg);
    CHECK(objs[i] != NULL);
  }
  for (int i = 0; i < N; i++) {
    const wm_gcobj *o = objs[i];
    uintptr_t a = (uintptr_t)o, end = a + sizeof(wm_gcobj) + o->size;
    const uintptr_t in[] = {a, a + 5, (uintptr_t)o->data, end - 1, end};
    for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
      uintptr_t w[3] = {16, in[k], UINTPTR_MAX}; /* sorted, with words far off around */
      CHECK(wm__gc_held(w, 3, o));
      CHECK(wm__gc_held(w + 1, 1, o));
    }
    uintptr_t out[3] = {a - 1, end + 1, end + 4096};
    CHECK(!wm__gc_held(out, 3, o));
    CHECK(!wm__gc_held(out, 0, o));
    CHECK(!wm__gc_held(out + 1, 2, o));
    uintptr_t mixed[4] = {a - 8, a - 1, end, end + 1}; /* the search lands on end */
    CHECK(wm__gc_held(mixed, 4, o));
  }
  wm_runtime_free(rt);
}

int main(void) {
  test_interior();
  uint64_t ncoll = 0;
  const int32_t v = 0x5a, rounds = 40;
  CHECK(run_hold(NULL, v, rounds, &ncoll) == 0);
  CHECK(ncoll > 10);
  static const char *const ccs[] = {"cc -O1", "cc -O2"};
  for (size_t k = 0; k < sizeof ccs / sizeof ccs[0]; k++)
    for (uint32_t flags = 0; flags <= WM_COMPILE_BOUNDS_CHECKS; flags += WM_COMPILE_BOUNDS_CHECKS) {
      char so[160];
      snprintf(so, sizeof so, "/tmp/wm_test_aot_gc_%d_%zu_%u.so", (int)getpid(), k, (unsigned)flags);
      wm_error err;
      wm_module *mod = NULL;
      CHECK(wm_module_load((const uint8_t *)g_wat, strlen(g_wat), NULL, &mod, &err) == WM_OK);
      int built = mod ? build_so_cc(mod, so, flags, ccs[k]) : -1;
      wm_module_free(mod);
      CHECK(built == 0);
      if (built) continue;
      ncoll = 0;
      int32_t r = run_hold(so, v, rounds, &ncoll);
      if (r != 0) fprintf(stderr, "test_aot_gc: %s%s: hold gave %d\n", ccs[k],
                          flags ? " (bounds checks)" : "", (int)r);
      CHECK(r == 0);
      CHECK(ncoll > 10);
      remove(so);
    }
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail != 0;
}
