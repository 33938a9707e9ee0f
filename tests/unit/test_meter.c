/* SPDX-License-Identifier: MIT */
/*
** test_meter.c -- fuel, interrupts and deadlines (meter.c) through the
** public API, on modules made by wat2wasm: exact costs, refuelling, traps
** with backtraces, nested host -> guest calls, interrupts from another
** thread, deadlines, and the refusal of unmetered code while a limit is set.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasmem.h"
#include "runtime.h"

#include "check.h"

/* Assemble wat with wat2wasm and load it with `flags`; NULL (and a
** failure counted) when that does not work. */
static wm_module *wat(const char *text, uint32_t flags) {
  size_t len;
  uint8_t *bin = wat_bytes(text, "", &len);
  wm_module_options o = {.flags = flags};
  wm_module *mod = NULL;
  wm_error err;
  if (bin && wm_module_load(bin, len, &o, &mod, &err) != 0) {
    fprintf(stderr, "cannot load:\n%s\n%s\n", text, err.message);
    nfail++;
    mod = NULL;
  }
  free(bin);
  return mod;
}

/*
** The guest. Costs (1 per instruction but nop/block/loop/else/end):
**   straight  5
**   count(n)  9 per iteration, 4 for the last test, 1 for the result:
**             9n + 5
**   outer(n)  calls the host's `h`, which calls count(n): 4 + count(n)
**   spin      never ends
**   outer_spin  calls `hs`, which calls spin; then spins itself
*/
static const char *guest_wat =
    "(module\n"
    "  (import \"env\" \"h\" (func $h (param i32) (result i32)))\n"
    "  (import \"env\" \"hs\" (func $hs))\n"
    "  (func $spin (export \"spin\") (loop $l (br $l)))\n"
    "  (func (export \"straight\") (result i32)\n"
    "    i32.const 1 i32.const 2 i32.add i32.const 3 i32.mul)\n"
    "  (func $count (export \"count\") (param i32) (result i32) (local i32)\n"
    "    (block $b (loop $l\n"
    "      (br_if $b (i32.ge_u (local.get 1) (local.get 0)))\n"
    "      (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get 1))\n"
    "  (func (export \"outer\") (param i32) (result i32)\n"
    "    (i32.add (call $h (local.get 0)) (i32.const 0)))\n"
    "  (func (export \"outer_spin\") (call $hs) (call $spin)))\n";

typedef struct world {
  wm_runtime *rt;
  wm_module *mod;
  wm_instance *inst;
  int inner_rc;       /* what the last nested call returned */
  bool swallow;       /* hs ignores its nested call's trap */
  int twice_rc[2];    /* host_interrupt_twice's two calls */
} world;

static int host_h(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  world *w = data;
  wm_val a = args[0];
  w->inner_rc = wm_func_call(w->rt, wm_instance_func(w->inst, "count"), &a, 1, results, 1, NULL);
  return w->inner_rc;
}

static int host_hs(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx, (void)args, (void)results;
  world *w = data;
  w->inner_rc = wm_func_call(w->rt, wm_instance_func(w->inst, "spin"), NULL, 0, NULL, 0, NULL);
  return w->swallow ? 0 : w->inner_rc;
}

/* Requests an interrupt, then calls into metered wasm twice. */
static int host_interrupt_twice(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx, (void)args, (void)results;
  world *w = data;
  wm_runtime_interrupt(w->rt);
  for (int i = 0; i < 2; i++)
    w->twice_rc[i] =
        wm_func_call(w->rt, wm_instance_func(w->inst, "straight"), NULL, 0, (wm_val[1]){{0}}, 1, NULL);
  return 0;
}

static bool world_new(world *w, uint32_t flags) {
  memset(w, 0, sizeof *w);
  w->mod = wat(guest_wat, flags);
  if (!w->mod) return false;
  wm_error err;
  wm_valtype i32[] = {WM_I32};
  wm_functype t_h = {1, 1, i32, i32}, t_hs = {0, 0, NULL, NULL};
  wm_func *h = NULL, *hs = NULL;
  bool ok = wm_runtime_new(NULL, &w->rt, &err) == WM_OK &&
            wm_func_new_host(w->rt, &t_h, host_h, w, &h, &err) == WM_OK &&
            wm_func_new_host(w->rt, &t_hs, host_hs, w, &hs, &err) == WM_OK &&
            wm_runtime_define_func(w->rt, "env", "h", h, &err) == WM_OK &&
            wm_runtime_define_func(w->rt, "env", "hs", hs, &err) == WM_OK &&
            wm_instance_new(w->rt, w->mod, NULL, &w->inst, &err) == WM_OK;
  CHECK(ok);
  return ok;
}

static void world_free(world *w) {
  wm_runtime_free(w->rt);
  wm_module_free(w->mod);
}

/* Call export name with at most one i32 argument and result. */
static int call(world *w, const char *name, const wm_val *arg, int32_t *res, wm_error *err) {
  wm_func *f = wm_instance_func(w->inst, name);
  wm_functype t = wm_func_type(f);
  wm_val out = wm_val_i32(0);
  int rc = wm_func_call(w->rt, f, arg, t.nparams, &out, t.nresults, err);
  if (res) *res = out.of.i32;
  return rc;
}

/* The runtime is back at rest: nothing left on its stacks. */
static bool at_rest(const world *w) {
  return w->rt->nframes == 0 && w->rt->stack_top == w->rt->stack;
}

/* ------------------------------------------------------------ fuel */

static void test_fuel_api(void) {
  CHECK(wm_runtime_set_fuel(NULL, 5) == WM_EINVAL);
  CHECK(wm_runtime_get_fuel(NULL) == WM_FUEL_UNLIMITED);
  CHECK(wm_runtime_set_deadline(NULL, 5) == WM_EINVAL);
  wm_runtime_interrupt(NULL); /* harmless */
  CHECK(strcmp(wm_strerror(WM_TRAP_OUT_OF_FUEL), "all fuel consumed") == 0);
  CHECK(strcmp(wm_strerror(WM_TRAP_INTERRUPTED), "interrupted") == 0);
  CHECK(strcmp(wm_strerror(WM_TRAP_DEADLINE), "deadline exceeded") == 0);
  CHECK(wm_is_trap(WM_TRAP_OUT_OF_FUEL) && wm_is_trap(WM_TRAP_INTERRUPTED) &&
        wm_is_trap(WM_TRAP_DEADLINE));
  wm_runtime *rt = NULL;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  CHECK(wm_runtime_get_fuel(rt) == WM_FUEL_UNLIMITED);
  CHECK(wm_runtime_set_fuel(rt, 123456789) == WM_OK && wm_runtime_get_fuel(rt) == 123456789);
  CHECK(wm_runtime_set_fuel(rt, 0) == WM_OK && wm_runtime_get_fuel(rt) == 0);
  CHECK(wm_runtime_set_fuel(rt, UINT64_MAX - 1) == WM_OK &&
        wm_runtime_get_fuel(rt) == UINT64_MAX - 1);
  CHECK(wm_runtime_set_fuel(rt, WM_FUEL_UNLIMITED) == WM_OK &&
        wm_runtime_get_fuel(rt) == WM_FUEL_UNLIMITED);
  wm_runtime_free(rt);
}

static void test_fuel_costs(uint32_t flags) {
  world w;
  if (!world_new(&w, flags)) return;
  wm_error err;
  int32_t r = 0;
  /* No fuel set: metered code runs unlimited. */
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  CHECK(wm_runtime_get_fuel(w.rt) == WM_FUEL_UNLIMITED);

  /* A straight-line function of 5 instructions costs 5. */
  wm_runtime_set_fuel(w.rt, 5);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  CHECK(wm_runtime_get_fuel(w.rt) == 0);
  wm_runtime_set_fuel(w.rt, 4);
  CHECK_ERR(call(&w, "straight", NULL, &r, &err), err, WM_TRAP_OUT_OF_FUEL, "all fuel consumed");
  CHECK(strstr(err.message, "\n  at ") != NULL); /* a backtrace */
  CHECK(wm_runtime_get_fuel(w.rt) == 0);
  CHECK(at_rest(&w));
  /* Out of fuel stays out of fuel until refuelled. */
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_TRAP_OUT_OF_FUEL);
  wm_runtime_set_fuel(w.rt, 100);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  CHECK(wm_runtime_get_fuel(w.rt) == 95);

  /* A loop: 9n + 5, exactly; one unit less traps. */
  wm_val a = wm_val_i32(10);
  wm_runtime_set_fuel(w.rt, 1000);
  CHECK(call(&w, "count", &a, &r, &err) == WM_OK && r == 10);
  CHECK(wm_runtime_get_fuel(w.rt) == 1000 - 95);
  wm_runtime_set_fuel(w.rt, 95);
  CHECK(call(&w, "count", &a, &r, &err) == WM_OK && wm_runtime_get_fuel(w.rt) == 0);
  wm_runtime_set_fuel(w.rt, 94);
  CHECK(call(&w, "count", &a, &r, &err) == WM_TRAP_OUT_OF_FUEL);
  /* Long enough to refill the counter from the reserve many times. */
  a = wm_val_i32(1000000);
  wm_runtime_set_fuel(w.rt, 10000000);
  CHECK(call(&w, "count", &a, &r, &err) == WM_OK && r == 1000000);
  CHECK(wm_runtime_get_fuel(w.rt) == 10000000 - 9000005);

  /* (loop (br 0)) stops; the runtime stays usable. */
  wm_runtime_set_fuel(w.rt, 1000000);
  CHECK_ERR(call(&w, "spin", NULL, NULL, &err), err, WM_TRAP_OUT_OF_FUEL, "all fuel consumed");
  CHECK(strstr(err.message, "at spin (func 2") != NULL); /* named by its export */
  CHECK(at_rest(&w));
  wm_runtime_set_fuel(w.rt, WM_FUEL_UNLIMITED);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);

  /* Nested host -> guest calls draw from the same budget: outer(n) is
  ** 4 of its own plus count(n). */
  a = wm_val_i32(10);
  wm_runtime_set_fuel(w.rt, 1000);
  CHECK(call(&w, "outer", &a, &r, &err) == WM_OK && r == 10);
  CHECK(wm_runtime_get_fuel(w.rt) == 1000 - 99);
  /* The nested call runs out: it traps, and so does the call around it. */
  wm_runtime_set_fuel(w.rt, 50);
  CHECK_ERR(call(&w, "outer", &a, &r, &err), err, WM_TRAP_OUT_OF_FUEL, "all fuel consumed");
  CHECK(w.inner_rc == WM_TRAP_OUT_OF_FUEL);
  CHECK(at_rest(&w));
  world_free(&w);
}

/* Unmetered code cannot be stopped, so it is refused while a limit is set. */
static void test_unmetered(void) {
  world w;
  if (!world_new(&w, 0)) return;
  wm_error err;
  int32_t r = 0;
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  wm_runtime_set_fuel(w.rt, 1000);
  CHECK_ERR(call(&w, "straight", NULL, &r, &err), err, WM_EUNSUPPORTED, "WM_MODULE_METERED");
  CHECK(wm_runtime_get_fuel(w.rt) == 1000);
  wm_runtime_set_fuel(w.rt, WM_FUEL_UNLIMITED);
  wm_runtime_set_deadline(w.rt, 1000000000);
  CHECK_ERR(call(&w, "straight", NULL, &r, &err), err, WM_EUNSUPPORTED, "WM_MODULE_METERED");
  wm_runtime_set_deadline(w.rt, 0);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  /* An interrupt does not stop unmetered code. */
  wm_runtime_interrupt(w.rt);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  world_free(&w);

  /* Metered code calling unmetered code in another instance. */
  wm_module *lib = wat("(module (func (export \"spin\") (loop $l (br $l))))", 0);
  wm_module *app = wat("(module (import \"lib\" \"spin\" (func $s))\n"
                       "  (func (export \"f\") (call $s)))",
                       WM_MODULE_METERED);
  wm_runtime *rt = NULL;
  wm_instance *il = NULL, *ia = NULL;
  if (lib && app && wm_runtime_new(NULL, &rt, &err) == WM_OK &&
      wm_instance_new(rt, lib, NULL, &il, &err) == WM_OK &&
      wm_runtime_register(rt, "lib", il, &err) == WM_OK &&
      wm_instance_new(rt, app, NULL, &ia, &err) == WM_OK) {
    wm_runtime_set_fuel(rt, 1000);
    int rc = wm_func_call(rt, wm_instance_func(ia, "f"), NULL, 0, NULL, 0, &err);
    CHECK_ERR(rc, err, WM_EUNSUPPORTED, "WM_MODULE_METERED");
    CHECK(rt->nframes == 0 && rt->stack_top == rt->stack);
  } else {
    CHECK(!"cross-instance setup");
  }
  wm_runtime_free(rt);
  wm_module_free(app);
  wm_module_free(lib);
}

/* ------------------------------------------------------------ interrupts */

typedef struct waker {
  wm_runtime *rt;
  unsigned delay_ms;
} waker;

static void *wake(void *p) {
  waker *k = p;
  struct timespec ts = {k->delay_ms / 1000, (long)(k->delay_ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  wm_runtime_interrupt(k->rt);
  return NULL;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run export name while another thread interrupts after 50 ms. */
static int interrupted_call(world *w, const char *name, wm_error *err) {
  pthread_t th;
  waker k = {w->rt, 50};
  CHECK(pthread_create(&th, NULL, wake, &k) == 0);
  int rc = call(w, name, NULL, NULL, err);
  pthread_join(th, NULL);
  return rc;
}

static void test_interrupt(void) {
  world w;
  if (!world_new(&w, WM_MODULE_METERED)) return;
  wm_error err;
  int32_t r = 0;

  /* Requested while nothing runs: stops the next call, and only that one. */
  wm_runtime_interrupt(w.rt);
  CHECK_ERR(call(&w, "straight", NULL, &r, &err), err, WM_TRAP_INTERRUPTED, "interrupted");
  CHECK(strstr(err.message, "\n  at ") != NULL);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);

  /* From another thread, into an endless loop. */
  double t0 = now_s();
  CHECK_ERR(interrupted_call(&w, "spin", &err), err, WM_TRAP_INTERRUPTED, "interrupted");
  CHECK(now_s() - t0 < 5);
  CHECK(at_rest(&w));
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);

  /* With fuel set too: the interrupt wins, the fuel is not charged for the
  ** block that did not run, and fuel accounting goes on afterwards. */
  wm_runtime_set_fuel(w.rt, 100);
  wm_runtime_interrupt(w.rt);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_TRAP_INTERRUPTED);
  CHECK(wm_runtime_get_fuel(w.rt) == 100);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && wm_runtime_get_fuel(w.rt) == 95);
  wm_runtime_set_fuel(w.rt, WM_FUEL_UNLIMITED);

  /* A guest looping inside a nested call is stopped, and so is the call
  ** around it, which gets the trap from its host function. */
  CHECK_ERR(interrupted_call(&w, "outer_spin", &err), err, WM_TRAP_INTERRUPTED, "interrupted");
  CHECK(w.inner_rc == WM_TRAP_INTERRUPTED);
  CHECK(at_rest(&w));
  /* When the host function swallows the nested trap, the outer guest's own
  ** loop is stopped too: the request holds until the outermost call ends. */
  w.swallow = true;
  CHECK_ERR(interrupted_call(&w, "outer_spin", &err), err, WM_TRAP_INTERRUPTED, "interrupted");
  CHECK(w.inner_rc == WM_TRAP_INTERRUPTED);
  CHECK(strstr(err.message, "func 2") != NULL); /* in spin, called by outer_spin */
  CHECK(at_rest(&w));
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);

  /* A second request after the first was seen stops the next call too
  ** (it was once cleared with the first), and the one after runs. */
  wm_runtime_interrupt(w.rt);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_TRAP_INTERRUPTED);
  wm_runtime_interrupt(w.rt);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_TRAP_INTERRUPTED);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);

  /* The outermost call is a host function the host called itself: the
  ** request it makes stops every call into wasm it makes, until it returns
  ** (nframes is 0 between them, which once counted as outermost). */
  wm_valtype none[1];
  wm_functype t = {0, 0, none, none};
  wm_func *hi = NULL;
  CHECK(wm_func_new_host(w.rt, &t, host_interrupt_twice, &w, &hi, &err) == WM_OK);
  CHECK(wm_func_call(w.rt, hi, NULL, 0, NULL, 0, &err) == WM_OK);
  CHECK(w.twice_rc[0] == WM_TRAP_INTERRUPTED && w.twice_rc[1] == WM_TRAP_INTERRUPTED);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  world_free(&w);
}

/* ------------------------------------------------------------ deadlines */

static void test_deadline(void) {
  world w;
  if (!world_new(&w, WM_MODULE_METERED)) return;
  wm_error err;
  int32_t r = 0;
  CHECK(wm_runtime_set_deadline(w.rt, 50 * 1000000ull) == WM_OK);
  double t0 = now_s();
  CHECK_ERR(call(&w, "spin", NULL, NULL, &err), err, WM_TRAP_DEADLINE, "deadline exceeded");
  double dt = now_s() - t0;
  CHECK(dt >= 0.04 && dt < 5);
  CHECK(strstr(err.message, "\n  at ") != NULL);
  CHECK(at_rest(&w));
  /* A passed deadline holds until it is cleared or moved. */
  CHECK(call(&w, "spin", NULL, NULL, &err) == WM_TRAP_DEADLINE);
  wm_runtime_set_deadline(w.rt, 0);
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  /* A far deadline does not get in the way. */
  wm_runtime_set_deadline(w.rt, 3600 * 1000000000ull);
  wm_val a = wm_val_i32(100000);
  CHECK(call(&w, "count", &a, &r, &err) == WM_OK && r == 100000);
  /* In a nested call. */
  wm_runtime_set_deadline(w.rt, 50 * 1000000ull);
  CHECK_ERR(call(&w, "outer_spin", NULL, NULL, &err), err, WM_TRAP_DEADLINE, "deadline exceeded");
  CHECK(w.inner_rc == WM_TRAP_DEADLINE);
  CHECK(at_rest(&w));
  wm_runtime_set_deadline(w.rt, UINT64_MAX); /* saturates: never */
  CHECK(call(&w, "straight", NULL, &r, &err) == WM_OK && r == 9);
  world_free(&w);
}

int main(void) {
  if (system("wat2wasm --version >/dev/null 2>&1") != 0) {
    fprintf(stderr, "wat2wasm not found: skipping\n");
    return 0;
  }
  test_fuel_api();
  test_fuel_costs(WM_MODULE_METERED);
  test_fuel_costs(WM_MODULE_METERED | WM_MODULE_CHECKED);
  test_unmetered();
  test_interrupt();
  test_deadline();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
