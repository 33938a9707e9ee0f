/* SPDX-License-Identifier: MIT */
/*
** test_aot_meter.c -- metered compiled code (WM_COMPILE_METERED) against
** the interpreter's metered code, the reference: for every budget from 0
** to a call's whole cost, both tiers must trap or return alike, with the
** same result, the same fuel left and the same memory (a block that cannot
** be paid for does not run at all). The guest covers what decides where a
** basic block starts: loops, if with and without else, br_if, br_table,
** blocks reached by a branch and blocks that are not, dead code, returns
** from inside blocks, direct, indirect and host calls (a host function
** that calls back into the guest), and a trap. Then interrupts from
** another thread and deadlines stop a compiled loop that never ends; an
** unmetered object is refused while fuel is set, and a metered one loads
** metered with or without WM_MODULE_METERED. Both with guard pages and
** with bounds checks.
*/
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aot_build.h"
#include "check.h"
#include "wasmem.h"

static const char *const guest_wat =
    "(module\n"
    "  (import \"env\" \"back\" (func $back (param i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (table 2 funcref)\n"
    "  (elem (i32.const 0) $leaf $twice)\n"
    "  (func $leaf (export \"leaf\") (param i32) (result i32)\n"
    "    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get 0)))\n"
    "    (i32.mul (local.get 0) (i32.const 3)))\n"
    "  (func $twice (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))\n"
    "  (func $early (param i32) (result i32)\n"
    "    (block $b (result i32)\n"
    "      (if (i32.gt_u (local.get 0) (i32.const 4)) (then (return (i32.const 40))))\n"
    "      (drop (br_if $b (i32.const 3) (i32.eq (local.get 0) (i32.const 2))))\n"
    "      (i32.add (local.get 0) (i32.const 100))))\n"
    "  (func (export \"work\") (param $n i32) (result i32) (local $i i32) (local $acc i32)\n"
    "    (block $done\n"
    "      (loop $l\n"
    "        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))\n"
    "        (if (i32.and (local.get $i) (i32.const 1))\n"
    "          (then (local.set $acc (i32.add (local.get $acc) (call $leaf (local.get $i)))))\n"
    "          (else (local.set $acc (i32.sub (local.get $acc) (i32.const 1)))))\n"
    "        (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 3)))\n"
    "          (then (local.set $acc (call_indirect (type $t) (local.get $acc)\n"
    "                                  (i32.and (local.get $i) (i32.const 1))))))\n"
    "        (block $a (block $b (block $c\n"
    "          (br_table $a $b $c $c (i32.rem_u (local.get $i) (i32.const 4))))\n"
    "          (local.set $acc (i32.add (local.get $acc) (i32.const 7))) (br $a))\n"
    "          (local.set $acc (i32.xor (local.get $acc) (i32.const 5))))\n"
    "        (block $o\n"
    "          (block $in\n"
    "            (br_if $o (i32.eqz (local.get $i)))\n"
    "            (br $o)\n"
    "            (drop (i32.const 99)))\n"
    "          (drop (i32.const 5)) (nop))\n"
    "        (i32.store8 (i32.add (i32.const 16) (local.get $i)) (local.get $acc))\n"
    "        (local.set $acc (i32.add (local.get $acc) (call $early (local.get $i))))\n"
    "        (if (i32.eq (local.get $i) (i32.const 5))\n"
    "          (then (local.set $acc (i32.add (local.get $acc) (call $back (local.get $i))))))\n"
    "        (local.set $acc (select (local.get $acc) (i32.const 1) (local.get $acc)))\n"
    "        (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "        (br $l)))\n"
    "    (if (i32.gt_u (local.get $n) (i32.const 8)) (then unreachable))\n"
    "    (local.get $acc))\n"
    "  (func (export \"spin\") (loop $l (br $l)))\n"
    /* Code after an end nothing branches to never runs, and is never
    ** charged, whatever the dead code before holds (a loop, an if, a
    ** br_if), and after a br_table whose values move: each costs 2 or 3. */
    "  (func (export \"dead_loop\") (param i32) (result i32)\n"
    "    (block $out (block (br $out) (loop)) (drop (i32.const 1)) (drop (i32.const 2)))\n"
    "    (i32.const 7))\n"
    "  (func (export \"dead_if\") (param i32) (result i32)\n"
    "    (block $out (block (br $out) (if (i32.const 0) (then))) (drop (i32.const 1)))\n"
    "    (i32.const 7))\n"
    "  (func (export \"dead_br_if\") (param i32) (result i32)\n"
    "    (block $out (block (br $out) (br_if 0 (i32.const 0))) (drop (i32.const 1)))\n"
    "    (i32.const 7))\n"
    /* Exceptions: a try_table's body starts a block when it has clauses;
    ** a catch lands on its label as a branch does. */
    "  (tag $e (param i32))\n"
    "  (func $thr (param i32) (result i32)\n"
    "    (if (local.get 0) (then (throw $e (local.get 0)))) (i32.const 1))\n"
    "  (func (export \"exn\") (param i32) (result i32) (local $k i32)\n"
    "    (loop $l\n"
    "      (block $c (result i32)\n"
    "        (try_table (result i32) (catch $e $c)\n"
    "          (drop (i32.const 1)) (call $thr (i32.and (local.get 0) (i32.const 1))))\n"
    "        (i32.add (i32.const 10)))\n"
    "      (local.set $k (i32.add (local.get $k)))\n"
    "      (local.set 0 (i32.shr_u (local.get 0) (i32.const 1)))\n"
    "      (br_if $l (local.get 0)))\n"
    "    (block $d (try_table (catch_all $d) (throw $e (local.get $k))))\n"
    "    (try_table (nop))\n"
    "    (local.get $k))\n"
    "  (func (export \"table_moves\") (param i32) (result i32)\n"
    "    (block $out (result i32)\n"
    "      (block (br_table $out $out (i32.const 5) (local.get 0)))\n"
    "      (drop (i32.const 1)) (drop (i32.const 2)) (i32.const 9))))\n";

/* The host import: calls the guest's `leaf` back (a nested metered call). */
static wm_instance *back_inst;
static int host_back(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  wm_runtime *rt = data;
  wm_val a = args[0];
  return wm_func_call(rt, wm_instance_func(back_inst, "leaf"), &a, 1, results, 1, NULL);
}

static wm_runtime *runtime(void) {
  wm_runtime *rt = NULL;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, &err) == WM_OK);
  static const wm_valtype i[] = {WM_I32};
  wm_functype t = {1, 1, i, i};
  wm_func *f;
  CHECK(wm_func_new_host(rt, &t, host_back, rt, &f, &err) == WM_OK);
  CHECK(wm_runtime_define_func(rt, "env", "back", f, &err) == WM_OK);
  return rt;
}

/* What one call did. */
typedef struct outcome {
  int rc;
  int32_t result;
  uint64_t fuel_left;
  uint8_t mem[32];
} outcome;

/* Call fn(n) on a fresh instance of mod with `fuel`. */
static outcome run(wm_module *mod, const char *fn, int32_t n, uint64_t fuel) {
  outcome o;
  memset(&o, 0, sizeof o);
  wm_runtime *rt = runtime();
  wm_error err;
  wm_instance *inst = NULL;
  if (wm_instance_new(rt, mod, NULL, &inst, &err) != WM_OK) {
    fprintf(stderr, "instantiation failed: %s\n", err.message);
    nfail++;
    o.rc = -1000;
    wm_runtime_free(rt);
    return o;
  }
  back_inst = inst;
  wm_runtime_set_fuel(rt, fuel);
  wm_val a = {.type = WM_I32, .of.i32 = n}, r;
  o.rc = wm_func_call(rt, wm_instance_func(inst, fn), &a, 1, &r, 1, &err);
  if (o.rc == WM_OK) o.result = r.of.i32;
  o.fuel_left = wm_runtime_get_fuel(rt);
  memcpy(o.mem, wm_memory_data(wm_instance_memory(inst, "memory")), sizeof o.mem);
  wm_runtime_free(rt);
  return o;
}

static bool same(const outcome *a, const outcome *b) {
  return a->rc == b->rc && a->result == b->result && a->fuel_left == b->fuel_left &&
         memcmp(a->mem, b->mem, sizeof a->mem) == 0;
}

/* Every budget from 0 to the whole cost of fn(n) and two past it; the
** cost, or 0 where the tiers differ. */
static uint64_t compare(wm_module *interp, wm_module *nat, const char *fn, int32_t n) {
  const uint64_t plenty = (uint64_t)1 << 40;
  outcome wi = run(interp, fn, n, plenty), wn = run(nat, fn, n, plenty);
  uint64_t cost = plenty - wi.fuel_left;
  CHECK(same(&wi, &wn));
  if (!same(&wi, &wn))
    fprintf(stderr, "%s(%d): interpreter cost %llu rc %d, compiled cost %llu rc %d\n", fn, (int)n,
            (unsigned long long)cost, wi.rc, (unsigned long long)(plenty - wn.fuel_left), wn.rc);
  CHECK(cost > 0 && cost < 100000);
  int differ = 0;
  for (uint64_t f = 0; f <= cost + 2 && cost < 100000; f++) {
    outcome a = run(interp, fn, n, f), b = run(nat, fn, n, f);
    if (!same(&a, &b) && differ++ < 3)
      fprintf(stderr, "%s(%d), fuel %llu: interpreter rc %d result %d left %llu; compiled rc %d result %d left %llu\n",
              fn, (int)n, (unsigned long long)f, a.rc, a.result, (unsigned long long)a.fuel_left, b.rc,
              b.result, (unsigned long long)b.fuel_left);
    /* Short of the whole cost, the call runs out of fuel. */
    if (f < cost && a.rc != WM_TRAP_OUT_OF_FUEL) differ++;
  }
  CHECK(differ == 0);
  return same(&wi, &wn) && differ == 0 ? cost : 0;
}

static wm_module *load_native(const char *so, uint32_t flags) {
  wm_module_options o = {.flags = flags};
  wm_module *m = NULL;
  wm_error err;
  if (wm_module_load_native(so, &o, &m, &err) != WM_OK) {
    fprintf(stderr, "load_native: %s\n", err.message);
    nfail++;
  }
  return m;
}

static void *interrupter(void *p) {
  struct timespec ts = {0, 20 * 1000 * 1000};
  nanosleep(&ts, NULL);
  wm_runtime_interrupt(p);
  return NULL;
}

/* The never-ending loop, stopped by an interrupt and by a deadline. */
static void test_stop(wm_module *nat) {
  wm_runtime *rt = runtime();
  wm_error err;
  wm_instance *inst = NULL;
  CHECK(wm_instance_new(rt, nat, NULL, &inst, &err) == WM_OK);
  if (!inst) {
    wm_runtime_free(rt);
    return;
  }
  pthread_t t;
  CHECK(pthread_create(&t, NULL, interrupter, rt) == 0);
  int rc = wm_func_call(rt, wm_instance_func(inst, "spin"), NULL, 0, NULL, 0, &err);
  pthread_join(t, NULL);
  CHECK(rc == WM_TRAP_INTERRUPTED);
  CHECK(strstr(err.message, "interrupted") != NULL);
  /* Seen, so cleared: the next call runs. */
  wm_val a = {.type = WM_I32, .of.i32 = 3}, r;
  CHECK(wm_func_call(rt, wm_instance_func(inst, "work"), &a, 1, &r, 1, &err) == WM_OK);
  CHECK(wm_runtime_set_deadline(rt, 20 * 1000 * 1000) == WM_OK);
  rc = wm_func_call(rt, wm_instance_func(inst, "spin"), NULL, 0, NULL, 0, &err);
  CHECK(rc == WM_TRAP_DEADLINE);
  CHECK(wm_runtime_set_deadline(rt, 0) == WM_OK);
  /* Fuel stops it too. */
  wm_runtime_set_fuel(rt, 1000000);
  CHECK(wm_func_call(rt, wm_instance_func(inst, "spin"), NULL, 0, NULL, 0, &err) ==
        WM_TRAP_OUT_OF_FUEL);
  CHECK(wm_runtime_get_fuel(rt) == 0);
  wm_runtime_free(rt);
}

static void test_tier(wm_module *interp, uint32_t flags, const char *tag) {
  char so[128];
  snprintf(so, sizeof so, "/tmp/wm_test_aot_meter_%d_%s.so", (int)getpid(), tag);
  if (build_so_with(interp, so, flags | WM_COMPILE_METERED) != 0) {
    fprintf(stderr, "test_aot_meter: cc could not build the compiled module\n");
    nfail++;
    return;
  }
  /* Metered, asked for or not. */
  wm_module *nat = load_native(so, WM_MODULE_METERED), *nat2 = load_native(so, 0);
  if (nat && nat2) {
    for (int32_t n = 0; n <= 9; n += 3) compare(interp, nat, "work", n);
    compare(interp, nat2, "work", 7);
    CHECK(compare(interp, nat, "dead_loop", 0) == 2);
    CHECK(compare(interp, nat, "dead_if", 0) == 2);
    CHECK(compare(interp, nat, "dead_br_if", 0) == 2);
    CHECK(compare(interp, nat, "table_moves", 0) == 3);
    CHECK(compare(interp, nat, "table_moves", 1) == 3);
    for (int32_t n = 0; n <= 6; n += 3) CHECK(compare(interp, nat, "exn", n) > 10);
    test_stop(nat2);
  }
  wm_module_free(nat);
  wm_module_free(nat2);
  remove(so);

  /* Unmetered: refused under WM_MODULE_METERED, and while fuel is set. */
  if (build_so_with(interp, so, flags) != 0) {
    nfail++;
    return;
  }
  wm_error err;
  wm_module_options mo = {.flags = WM_MODULE_METERED};
  wm_module *un = NULL;
  CHECK_ERR(wm_module_load_native(so, &mo, &un, &err), err, WM_EUNSUPPORTED,
            "compiled without metering");
  un = load_native(so, 0);
  if (un) {
    wm_runtime *rt = runtime();
    wm_instance *inst = NULL;
    CHECK(wm_instance_new(rt, un, NULL, &inst, &err) == WM_OK);
    wm_runtime_set_fuel(rt, 1000);
    wm_val a = {.type = WM_I32, .of.i32 = 3}, r;
    if (inst)
      CHECK_ERR(wm_func_call(rt, wm_instance_func(inst, "work"), &a, 1, &r, 1, &err), err,
                WM_EUNSUPPORTED, "not loaded");
    wm_runtime_free(rt);
  }
  wm_module_free(un);
  remove(so);
}

int main(void) {
  wm_error err;
  wm_module *interp = NULL;
  wm_module_options o = {.flags = WM_MODULE_METERED};
  CHECK(wm_module_load((const uint8_t *)guest_wat, strlen(guest_wat), &o, &interp, &err) == WM_OK);
  if (interp) {
    /* Only metered C charges fuel. */
    wm_module *plain = NULL;
    CHECK(wm_module_load((const uint8_t *)guest_wat, strlen(guest_wat), NULL, &plain, &err) == WM_OK);
    char *c = NULL;
    size_t len = 0;
    wm_compile_options co = {WM_COMPILE_METERED};
    CHECK(wm_module_to_c_parts(plain, &co, 1, &c, &len, &err) == WM_OK);
    CHECK(c && strstr(c, "  WM_FUEL(") != NULL);
    wm_free(c);
    CHECK(wm_module_to_c(plain, &c, &len, &err) == WM_OK);
    CHECK(c && strstr(c, "  WM_FUEL(") == NULL);
    wm_free(c);
    co.flags = 4;
    CHECK_ERR(wm_module_to_c_parts(plain, &co, 1, &c, &len, &err), err, WM_EINVAL, "unknown flag");
    wm_module_free(plain);
    test_tier(interp, 0, "guard");
    test_tier(interp, WM_COMPILE_BOUNDS_CHECKS, "checked");
  }
  wm_module_free(interp);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
