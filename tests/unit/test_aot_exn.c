/* SPDX-License-Identifier: MIT */
/*
** test_aot_exn.c -- exceptions in compiled code (src/aot/aot_exn.c) crossing
** host frames, which a .wast cannot have: compiled -> host -> compiled that
** throws, the host letting the exception through or handling it; a host
** function throwing its own tag into compiled code, caught by tag and by
** catch_all, or uncaught; the same through a module none of whose
** try_tables catch (its exceptions leave by the runtime's jump). Every case
** runs interpreted and compiled (by cc, with guard pages and with bounds
** checks): the same results, the same error code and first line, the same
** pending exception.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aot_build.h"
#include "check.h"
#include "wasmem.h"

/* G catches; P has no try_table that catches. */
static const char g_wat[] =
    "(module\n"
    "  (import \"host\" \"tag\" (tag $h (param i64)))\n"
    "  (import \"host\" \"relay\" (func $relay (param i32)))\n"
    "  (import \"host\" \"raise\" (func $raise (param i64)))\n"
    "  (tag $e (export \"e\") (param i32))\n"
    "  (func (export \"thrower\") (param i32) (throw $e (local.get 0)))\n"
    "  (func $mid (param i32) (result i32) (call $relay (local.get 0)) (i32.const 5))\n"
    "  (func (export \"via_host\") (param i32) (result i32)\n"
    "    (block $c (result i32)\n"
    "      (try_table (catch $e $c) (return (i32.add (call $mid (local.get 0)) (i32.const 1))))\n"
    "      (unreachable))\n"
    "    (i32.const 1000) (i32.add))\n"
    "  (func (export \"host_tag\") (param i64) (result i64)\n"
    "    (block $c (result i64)\n"
    "      (try_table (catch $h $c) (call $raise (local.get 0)))\n"
    "      (i64.const -1)))\n"
    "  (func (export \"host_all\") (param i64) (result i64)\n"
    "    (block $c (try_table (catch_all $c) (call $raise (local.get 0))) (return (i64.const 0)))\n"
    "    (i64.const 1))\n"
    "  (func (export \"host_uncaught\") (param i64) (result i64)\n"
    "    (block $c (result i32) (try_table (catch $e $c) (call $raise (local.get 0))) (unreachable))\n"
    "    (drop) (i64.const 2)))\n";

static const char p_wat[] =
    "(module\n"
    "  (import \"host\" \"raise\" (func $raise (param i64)))\n"
    "  (import \"host\" \"relay\" (func $relay (param i32)))\n"
    "  (func (export \"plain\") (param i64) (result i64)\n"
    "    (call $raise (local.get 0)) (i64.const 3))\n"
    "  (func (export \"plain_relay\") (param i64) (result i64)\n"
    "    (call $relay (i32.wrap_i64 (local.get 0))) (i64.const 4)))\n";

typedef struct hostenv {
  wm_runtime *rt;
  wm_func *thrower;
  wm_tag *host_tag;
  bool swallow; /* relay handles the exception itself */
} hostenv;

static hostenv H;

/* Calls G's thrower; lets its exception through, or handles it. */
static int relay(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)results;
  (void)data;
  wm_val arg = args[0];
  wm_error err;
  int rc = wm_func_call(H.rt, H.thrower, &arg, 1, NULL, 0, &err);
  if (rc == WM_EXCEPTION && H.swallow) {
    wm_runtime_exception_clear(H.rt);
    return 0;
  }
  return rc;
}

static int raise_fn(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)results;
  (void)data;
  wm_val v = wm_val_i64(args[0].of.i64 * 2);
  return wm_runtime_throw(H.rt, H.host_tag, &v, 1, NULL);
}

/* One call's outcome: its code, result, the error's first line, and the
** pending exception's payload. */
typedef struct outcome {
  int rc;
  int64_t result;
  char first[120];
  int64_t payload;
} outcome;

static const struct {
  const char *mod, *name;
  int64_t arg;
  bool swallow;
} cases[] = {
    {"g", "via_host", 7, false},    {"g", "via_host", 7, true},    {"g", "host_tag", 21, false},
    {"g", "host_all", 4, false},    {"g", "host_uncaught", 9, false}, {"g", "thrower", 5, false},
    {"p", "plain", 6, false},       {"p", "plain_relay", 8, false}, {"p", "plain_relay", 8, true},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static wm_instance *load(wm_runtime *rt, const char *wat, const char *so, const char *name,
                         wm_module **mod) {
  wm_error err;
  int rc = so ? wm_module_load_native(so, NULL, mod, &err)
              : wm_module_load((const uint8_t *)wat, strlen(wat), NULL, mod, &err);
  CHECK(rc == WM_OK);
  if (rc) {
    fprintf(stderr, "test_aot_exn: %s: %s\n", name, err.message);
    return NULL;
  }
  wm_instance *inst = NULL;
  CHECK(wm_instance_new(rt, *mod, NULL, &inst, &err) == WM_OK);
  return inst;
}

/* Every case with G and P from the objects gso and pso, or interpreted. */
static void run_all(const char *gso, const char *pso, outcome *out) {
  wm_error err;
  wm_module *mods[2] = {NULL, NULL};
  memset(&H, 0, sizeof H);
  CHECK(wm_runtime_new(NULL, &H.rt, &err) == WM_OK);
  static const wm_valtype i32 = WM_I32, i64 = WM_I64;
  wm_functype t_i32 = {1, 0, &i32, NULL}, t_i64 = {1, 0, &i64, NULL};
  wm_func *f1, *f2;
  CHECK(wm_tag_new(H.rt, &t_i64, &H.host_tag, &err) == 0);
  CHECK(wm_runtime_define_tag(H.rt, "host", "tag", H.host_tag, &err) == 0);
  CHECK(wm_func_new_host(H.rt, &t_i32, relay, NULL, &f1, &err) == 0);
  CHECK(wm_func_new_host(H.rt, &t_i64, raise_fn, NULL, &f2, &err) == 0);
  CHECK(wm_runtime_define_func(H.rt, "host", "relay", f1, &err) == 0);
  CHECK(wm_runtime_define_func(H.rt, "host", "raise", f2, &err) == 0);
  wm_instance *g = load(H.rt, g_wat, gso, "g", &mods[0]);
  wm_instance *p = load(H.rt, p_wat, pso, "p", &mods[1]);
  if (g) H.thrower = wm_instance_func(g, "thrower");
  for (int k = 0; k < NCASES && g && p; k++) {
    outcome *o = &out[k];
    memset(o, 0, sizeof *o);
    H.swallow = cases[k].swallow;
    wm_instance *inst = cases[k].mod[0] == 'g' ? g : p;
    wm_func *f = wm_instance_func(inst, cases[k].name);
    wm_functype ft = wm_func_type(f);
    wm_val arg = ft.params[0] == WM_I32 ? wm_val_i32((int32_t)cases[k].arg) : wm_val_i64(cases[k].arg);
    wm_val r;
    memset(&r, 0, sizeof r);
    o->rc = wm_func_call(H.rt, f, &arg, 1, &r, ft.nresults, &err);
    if (o->rc == 0) {
      o->result = ft.nresults && ft.results[0] == WM_I64 ? r.of.i64 : r.of.i32;
      continue;
    }
    snprintf(o->first, sizeof o->first, "%.*s", (int)strcspn(err.message, "\n"), err.message);
    wm_val v;
    uint32_t n = 0;
    if (o->rc == WM_EXCEPTION && wm_runtime_exception(H.rt, NULL, &v, 1, &n, NULL) == 0 && n == 1)
      o->payload = v.type == WM_I64 ? v.of.i64 : v.of.i32;
  }
  wm_runtime_free(H.rt);
  for (int k = 0; k < 2; k++) wm_module_free(mods[k]);
}

static int build(const char *wat, const char *so, uint32_t flags) {
  wm_error err;
  wm_module *mod = NULL;
  if (wm_module_load((const uint8_t *)wat, strlen(wat), NULL, &mod, &err) != WM_OK) return -1;
  int rc = build_so_with(mod, so, flags);
  wm_module_free(mod);
  return rc;
}

int main(void) {
  static outcome want[NCASES], got[NCASES];
  run_all(NULL, NULL, want);
  /* The interpreter's outcomes, stated. */
  CHECK(want[0].rc == 0 && want[0].result == 1007);
  CHECK(want[1].rc == 0 && want[1].result == 6);
  CHECK(want[2].rc == 0 && want[2].result == 42);
  CHECK(want[3].rc == 0 && want[3].result == 1);
  CHECK(want[4].rc == WM_EXCEPTION && want[4].payload == 18 &&
        strcmp(want[4].first, "uncaught exception (a host tag), payload 18") == 0);
  CHECK(want[5].rc == WM_EXCEPTION && want[5].payload == 5 &&
        strcmp(want[5].first, "uncaught exception (tag 1 \"e\"), payload 5") == 0);
  CHECK(want[6].rc == WM_EXCEPTION && want[6].payload == 12);
  CHECK(want[7].rc == WM_EXCEPTION && want[7].payload == 8);
  CHECK(want[8].rc == 0 && want[8].result == 4);
  for (uint32_t flags = 0; flags <= WM_COMPILE_BOUNDS_CHECKS; flags += WM_COMPILE_BOUNDS_CHECKS) {
    char gso[160], pso[160];
    snprintf(gso, sizeof gso, "/tmp/wm_test_aot_exn_%d_g%u.so", (int)getpid(), (unsigned)flags);
    snprintf(pso, sizeof pso, "/tmp/wm_test_aot_exn_%d_p%u.so", (int)getpid(), (unsigned)flags);
    if (build(g_wat, gso, flags) != 0 || build(p_wat, pso, flags) != 0) {
      fprintf(stderr, "test_aot_exn: cc could not build the modules\n");
      nfail++;
      continue;
    }
    memset(got, 0, sizeof got);
    run_all(gso, pso, got);
    for (int k = 0; k < NCASES; k++) {
      bool same = want[k].rc == got[k].rc && want[k].result == got[k].result &&
                  want[k].payload == got[k].payload && strcmp(want[k].first, got[k].first) == 0;
      if (same) {
        npass++;
        continue;
      }
      nfail++;
      fprintf(stderr, "FAILED: %s %s%s: interpreted %d %lld '%s' %lld, compiled %d %lld '%s' %lld\n",
              cases[k].mod, cases[k].name, flags ? " (bounds checks)" : "", want[k].rc,
              (long long)want[k].result, want[k].first, (long long)want[k].payload, got[k].rc,
              (long long)got[k].result, got[k].first, (long long)got[k].payload);
    }
    remove(gso);
    remove(pso);
  }
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail != 0;
}
