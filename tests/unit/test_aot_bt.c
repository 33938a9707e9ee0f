/* SPDX-License-Identifier: MIT */
/*
** test_aot_bt.c -- backtraces through compiled code when the tiers nest:
** the same module run interpreted and compiled gives the same trap message
** and backtrace, the compiled frames in their place among the interpreted
** ones and the nested calls' whole backtraces kept: interpreted ->
** compiled -> host -> interpreted, compiled -> host -> compiled, compiled ->
** an interpreted module's function, and a host import that traps. Compiled
** frames have no byte offsets: they are taken out of both before comparing.
** Built with inlining off (as a function the C compiler inlined has no
** frame), with guard pages and with explicit checks, by cc and by clang
** where there is one.
*/
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aot_build.h"
#include "check.h"
#include "wasmem.h"

/* Q: interpreted, called by C. */
static const char *const q_wat =
    "(module\n"
    "  (func $qdeep (export \"deep\") (param i32) (result i32)\n"
    "    (i32.add (call $q2 (local.get 0)) (i32.const 1)))\n"
    "  (func $q2 (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))\n";

/* C: the module run in both tiers. */
static const char *const c_wat =
    "(module\n"
    "  (import \"host\" \"reenter_p\" (func $rp (param i32) (result i32)))\n"
    "  (import \"host\" \"reenter_c\" (func $rc (param i32) (result i32)))\n"
    "  (import \"host\" \"fail\" (func $fail (param i32) (result i32)))\n"
    "  (import \"q\" \"deep\" (func $qdeep (param i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (func $mid (export \"mid\") (param i32) (result i32)\n"
    "    (i32.mul (call $mid_in (local.get 0)) (i32.const 3)))\n"
    "  (func $mid_in (param i32) (result i32) (i32.add (call $rp (local.get 0)) (i32.const 1)))\n"
    "  (func $mid2 (export \"mid2\") (param i32) (result i32)\n"
    "    (i32.mul (call $mid2_in (local.get 0)) (i32.const 3)))\n"
    "  (func $mid2_in (param i32) (result i32) (i32.add (call $rc (local.get 0)) (i32.const 1)))\n"
    "  (func $leafc (export \"leafc\") (param i32) (result i32)\n"
    "    (i32.add (call $leafc_in (local.get 0)) (i32.const 1)))\n"
    "  (func $leafc_in (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func $hostfail (export \"hostfail\") (param i32) (result i32)\n"
    "    (i32.add (call $hf_in (local.get 0)) (i32.const 1)))\n"
    "  (func $hf_in (param i32) (result i32) (i32.add (call $fail (local.get 0)) (i32.const 1)))\n"
    "  (func $viaq (export \"viaq\") (param i32) (result i32)\n"
    "    (i32.add (call $vq_in (local.get 0)) (i32.const 1)))\n"
    "  (func $vq_in (param i32) (result i32) (i32.add (call $qdeep (local.get 0)) (i32.const 1))))\n";

/* P: interpreted, calls C and is called back by the host. */
static const char *const p_wat =
    "(module\n"
    "  (import \"c\" \"mid\" (func $mid (param i32) (result i32)))\n"
    "  (func $start (export \"start\") (param i32) (result i32)\n"
    "    (i32.add (call $mid (local.get 0)) (i32.const 1)))\n"
    "  (func $leaf (export \"leaf\") (param i32) (result i32)\n"
    "    (i32.add (call $leaf_in (local.get 0)) (i32.const 1)))\n"
    "  (func $leaf_in (param i32) (result i32) (if (local.get 0) (then unreachable)) (i32.const 2)))\n";

static wm_runtime *the_rt;
static wm_instance *inst_p, *inst_c;

/* Call export `name` of *data's instance with the argument; its trap is
** the host's, with the whole message. */
static int reenter(wm_call_ctx *ctx, wm_instance *inst, const char *name, const wm_val *args,
                   wm_val *results) {
  wm_error err;
  int rc = wm_func_call(the_rt, wm_instance_func(inst, name), args, 1, results, 1, &err);
  if (rc) return wm_call_ctx_trap(ctx, rc, "%s", err.message);
  return 0;
}

static int host_reenter_p(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)data;
  return reenter(ctx, inst_p, "leaf", args, results);
}

static int host_reenter_c(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)data;
  return reenter(ctx, inst_c, "leafc", args, results);
}

static int host_fail(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)data;
  (void)results;
  return wm_call_ctx_trap(ctx, WM_TRAP_HOST, "the host fails for %d", args[0].of.i32);
}

/* The three modules instantiated, C from the .so at `so` or, if NULL,
** interpreted: the runtime, or NULL. */
static wm_runtime *setup(const char *so, wm_module **mods) {
  wm_error err;
  wm_runtime *rt = NULL;
  if (wm_runtime_new(NULL, &rt, &err) != WM_OK) return NULL;
  static const wm_valtype i[] = {WM_I32};
  wm_functype t = {1, 1, i, i};
  wm_host_fn fns[3] = {host_reenter_p, host_reenter_c, host_fail};
  const char *names[3] = {"reenter_p", "reenter_c", "fail"};
  for (int k = 0; k < 3; k++) {
    wm_func *f;
    CHECK(wm_func_new_host(rt, &t, fns[k], NULL, &f, &err) == WM_OK);
    CHECK(wm_runtime_define_func(rt, "host", names[k], f, &err) == WM_OK);
  }
  wm_instance *q = NULL;
  CHECK(wm_module_load((const uint8_t *)q_wat, strlen(q_wat), NULL, &mods[0], &err) == WM_OK);
  CHECK(wm_instance_new(rt, mods[0], NULL, &q, &err) == WM_OK);
  CHECK(wm_runtime_register(rt, "q", q, &err) == WM_OK);
  int rc = so ? wm_module_load_native(so, NULL, &mods[1], &err)
              : wm_module_load((const uint8_t *)c_wat, strlen(c_wat), NULL, &mods[1], &err);
  CHECK(rc == WM_OK);
  if (rc) {
    fprintf(stderr, "test_aot_bt: %s\n", err.message);
    return rt;
  }
  CHECK(wm_instance_new(rt, mods[1], NULL, &inst_c, &err) == WM_OK);
  CHECK(wm_runtime_register(rt, "c", inst_c, &err) == WM_OK);
  CHECK(wm_module_load((const uint8_t *)p_wat, strlen(p_wat), NULL, &mods[2], &err) == WM_OK);
  CHECK(wm_instance_new(rt, mods[2], NULL, &inst_p, &err) == WM_OK);
  return rt;
}

/* The message of calling inst's `name` with arg, byte offsets taken out. */
static void trap_of(wm_instance *inst, const char *name, int32_t arg, char *out, size_t cap) {
  wm_error err;
  wm_val a = {.type = WM_I32, .of.i32 = arg}, r;
  int rc = wm_func_call(the_rt, wm_instance_func(inst, name), &a, 1, &r, 1, &err);
  CHECK(rc != WM_OK);
  size_t n = 0;
  for (const char *p = rc ? err.message : "no trap"; *p && n + 1 < cap;) {
    if (strncmp(p, ", byte 0x", 9) == 0) {
      p += 9;
      while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) p++;
      continue;
    }
    out[n++] = *p++;
  }
  out[n] = 0;
}

enum { NCASES = 5 };
static const struct {
  int in_p;
  const char *name;
  int32_t arg;
} cases[NCASES] = {
    {1, "start", 1},     /* interpreted -> compiled -> host -> interpreted */
    {0, "mid2", 70000},  /* compiled -> host -> compiled, a fault (or check) */
    {0, "hostfail", 4},  /* compiled -> a host function that traps */
    {0, "viaq", 0},      /* compiled -> an interpreted module's function */
    {0, "leafc", 65535}, /* compiled, a fault (or check) */
};

static void run_all(const char *so, char out[NCASES][600]) {
  wm_module *mods[3] = {NULL, NULL, NULL};
  inst_p = inst_c = NULL;
  the_rt = setup(so, mods);
  CHECK(the_rt != NULL);
  for (int k = 0; k < NCASES && the_rt && inst_p && inst_c; k++)
    trap_of(cases[k].in_p ? inst_p : inst_c, cases[k].name, cases[k].arg, out[k], 600);
  wm_runtime_free(the_rt);
  for (int k = 0; k < 3; k++) wm_module_free(mods[k]);
}

/* The module built by cc_cmd into so, functions not inlined (flags:
** WM_COMPILE_*): 0, or -1. */
static int build(const char *cc_cmd, const char *so, uint32_t flags) {
  wm_error err;
  wm_module *mod = NULL;
  if (wm_module_load((const uint8_t *)c_wat, strlen(c_wat), NULL, &mod, &err) != WM_OK) return -1;
  char cc[64];
  snprintf(cc, sizeof cc, "%s -O2 -fno-inline", cc_cmd);
  int rc = build_so_cc(mod, so, flags, cc);
  wm_module_free(mod);
  return rc;
}

int main(void) {
  static char want[NCASES][600], got[NCASES][600];
  run_all(NULL, want);
  /* What the interpreter says (the text format gives no name section:
  ** export names, else <unnamed>): every frame, innermost first, the nested
  ** activations' in their place; the compiled tier must say the same. */
  CHECK(strcmp(want[0], "unreachable\n  at <unnamed> (func 3)\n  at leaf (func 2)\n"
                        "  at <unnamed> (func 5)\n  at mid (func 4)\n  at start (func 1)") == 0);
  CHECK(strcmp(want[1], "out of bounds memory access\n  at <unnamed> (func 9)\n  at leafc (func 8)\n"
                        "  at <unnamed> (func 7)\n  at mid2 (func 6)") == 0);
  CHECK(strcmp(want[2], "the host fails for 4\n  at <unnamed> (func 11)\n  at hostfail (func 10)") == 0);
  CHECK(strcmp(want[3], "integer divide by zero\n  at <unnamed> (func 1)\n  at deep (func 0)\n"
                        "  at <unnamed> (func 13)\n  at viaq (func 12)") == 0);
  CHECK(strcmp(want[4], "out of bounds memory access\n  at <unnamed> (func 9)\n  at leafc (func 8)") == 0);
  const char *ccs[2] = {"cc", "clang"};
  for (int ci = 0; ci < 2; ci++) {
    char probe[64];
    snprintf(probe, sizeof probe, "command -v %s >/dev/null", ccs[ci]);
    if (system(probe) != 0) {
      fprintf(stderr, "test_aot_bt: no %s, skipped\n", ccs[ci]);
      continue;
    }
    for (uint32_t flags = 0; flags <= WM_COMPILE_BOUNDS_CHECKS; flags += WM_COMPILE_BOUNDS_CHECKS) {
      char so[160];
      snprintf(so, sizeof so, "/tmp/wm_test_aot_bt_%d_%s_%u.so", (int)getpid(), ccs[ci],
               (unsigned)flags);
      if (build(ccs[ci], so, flags) != 0) {
        fprintf(stderr, "test_aot_bt: %s could not build the module\n", ccs[ci]);
        nfail++;
        continue;
      }
      memset(got, 0, sizeof got);
      run_all(so, got);
      for (int k = 0; k < NCASES; k++)
        if (strcmp(want[k], got[k]) != 0) {
          nfail++;
          fprintf(stderr, "FAILED: %s (%s%s): interpreted\n%s\ncompiled\n%s\n", cases[k].name,
                  ccs[ci], flags ? ", bounds checks" : "", want[k], got[k]);
        } else {
          npass++;
        }
      remove(so);
    }
  }
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail != 0;
}
