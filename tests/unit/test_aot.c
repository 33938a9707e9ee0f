/* SPDX-License-Identifier: MIT */
/*
** test_aot.c -- ahead-of-time code through the C API (src/aot):
** wm_module_to_c's refusals and allocation failures, and a module compiled
** with the system's C compiler and loaded with wm_module_load_native:
** results, a host import that reads its caller's memory and traps with a
** message, memory grown by the host and then read by compiled code, two
** instances in two runtimes, the runtime usable after traps, and every
** refusal of the loader (arguments, a missing file, checked or metered
** loading, allocation failures).
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "util.h" /* wm__alloc_fail_after */
#include "wasmem.h"

static const char *const mod_wat =
    "(module\n"
    "  (import \"host\" \"sum\" (func $sum (param i32 i32) (result i32)))\n"
    "  (import \"host\" \"grow\" (func $grow (param i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 8) \"\\01\\02\\03\\04\")\n"
    "  (global $g (mut i64) (i64.const 5))\n"
    "  (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func (export \"hsum\") (param i32 i32) (result i32) (call $sum (local.get 0) (local.get 1)))\n"
    "  (func (export \"grow_then_load\") (result i32)\n"
    "    (drop (call $grow (i32.const 1)))\n"
    "    (i32.store (i32.const 70000) (i32.const 77))\n"
    "    (i32.load (i32.const 70000)))\n"
    "  (func (export \"gadd\") (param i64) (result i64)\n"
    "    (global.set $g (i64.add (global.get $g) (local.get 0))) (global.get $g))\n"
    "  (func (export \"div\") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1))))\n";

static int host_sum(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)data;
  /* The caller is the compiled instance: its memory is reachable. */
  wm_memory *m = wm_call_ctx_memory(ctx);
  if (!m) return wm_call_ctx_trap(ctx, WM_TRAP_HOST, "no caller memory");
  uint32_t p = (uint32_t)args[0].of.i32, n = (uint32_t)args[1].of.i32;
  if ((uint64_t)p + n > wm_memory_size(m)) return wm_call_ctx_trap(ctx, WM_TRAP_HOST, "sum out of range %u", p);
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i++) s += wm_memory_data(m)[p + i];
  results[0].type = WM_I32;
  results[0].of.i32 = (int32_t)s;
  return 0;
}

static int host_grow(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)data;
  uint64_t old = 0;
  wm_error err;
  int rc = wm_memory_grow(wm_call_ctx_memory(ctx), (uint64_t)args[0].of.i32, &old, &err);
  results[0].type = WM_I32;
  results[0].of.i32 = rc ? -1 : (int32_t)old;
  return 0;
}

static wm_runtime *new_runtime(void) {
  wm_runtime *rt = NULL;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, &err) == WM_OK);
  static const wm_valtype ii[] = {WM_I32, WM_I32}, i[] = {WM_I32};
  wm_functype t2 = {2, 1, ii, i}, t1 = {1, 1, i, i};
  wm_func *f;
  CHECK(wm_func_new_host(rt, &t2, host_sum, NULL, &f, &err) == WM_OK);
  CHECK(wm_runtime_define_func(rt, "host", "sum", f, &err) == WM_OK);
  CHECK(wm_func_new_host(rt, &t1, host_grow, NULL, &f, &err) == WM_OK);
  CHECK(wm_runtime_define_func(rt, "host", "grow", f, &err) == WM_OK);
  return rt;
}

static int call_i32(wm_runtime *rt, wm_instance *inst, const char *name, int32_t a, int32_t b,
                    int32_t *r, wm_error *err) {
  wm_func *f = wm_instance_func(inst, name);
  wm_val args[2] = {{.type = WM_I32, .of.i32 = a}, {.type = WM_I32, .of.i32 = b}};
  wm_val res;
  uint32_t n = wm_func_type(f).nparams;
  int rc = wm_func_call(rt, f, args, n, &res, 1, err);
  if (rc == 0) *r = res.of.i32;
  return rc;
}

/* Compile mod to `so` with the system's cc: 0, or -1. */
static int build_so(const wm_module *mod, const char *so) {
  char *c = NULL;
  size_t len = 0;
  wm_error err;
  if (wm_module_to_c(mod, &c, &len, &err) != 0) return -1;
  char src[160], cmd[640];
  snprintf(src, sizeof src, "%s.c", so);
  FILE *f = fopen(src, "wb");
  int ok = f && fwrite(c, 1, len, f) == len;
  if (f) fclose(f);
  wm_free(c);
  if (!ok) return -1;
  snprintf(cmd, sizeof cmd, "cc -O1 -shared -fPIC -ffp-contract=off -fno-optimize-sibling-calls -w -o %s %s -lm",
           so, src);
  int rc = system(cmd);
  remove(src);
  return rc == 0 ? 0 : -1;
}

static void test_to_c(void) {
  wm_error err;
  wm_module *mod = NULL;
  char *c = NULL;
  size_t len = 0;
  CHECK_ERR(wm_module_to_c(NULL, &c, &len, &err), err, WM_EINVAL, "NULL");
  CHECK(wm_module_load((const uint8_t *)mod_wat, strlen(mod_wat), NULL, &mod, &err) == WM_OK);
  CHECK_ERR(wm_module_to_c(mod, NULL, &len, &err), err, WM_EINVAL, "NULL");
  CHECK(wm_module_to_c(mod, &c, &len, &err) == WM_OK);
  CHECK(c && strlen(c) == len);
  CHECK(c && strstr(c, "wasmem_aot_module_v1") && strstr(c, "uint32_t f2(wm_aot_ctx *c"));
  wm_free(c);
  /* Every allocation failing in turn: WM_ENOMEM or the whole file. */
  for (long n = 0; n < 400; n++) {
    char *out = NULL;
    wm__alloc_fail_after(n);
    int rc = wm_module_to_c(mod, &out, &len, &err);
    wm__alloc_fail_after(-1);
    CHECK(rc == WM_OK || rc == WM_ENOMEM);
    CHECK((rc == WM_OK) == (out != NULL));
    wm_free(out);
    if (rc == WM_OK) break;
  }
  wm_module_free(mod);

  /* Refusals by name. */
  static const struct {
    const char *wat, *why;
  } no[] = {
      {"(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))", "SIMD"},
      {"(module (func $f (return_call $f)))", "tail calls"},
      {"(module (type $s (struct (field i32))) (func (result i32) (i32.const 0)))", "GC types"},
      {"(module (memory 1) (memory 1))", "more than one memory"},
      {"(module (memory i64 1))", "memory64"},
      {"(module (tag) (func))", "exception handling"},
      {"(module (memory 1 1 shared))", "shared memory"},
      {"(module (func (param v128)))", "v128"},
  };
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    mod = NULL;
    CHECK(wm_module_load((const uint8_t *)no[i].wat, strlen(no[i].wat), NULL, &mod, &err) == WM_OK);
    c = NULL;
    CHECK_ERR(wm_module_to_c(mod, &c, &len, &err), err, WM_EUNSUPPORTED, no[i].why);
    CHECK(c == NULL);
    wm_module_free(mod);
  }
}

static void test_native(void) {
  wm_error err;
  wm_module *mod = NULL, *nat = NULL;
  char so[128];
  snprintf(so, sizeof so, "/tmp/wm_test_aot_%d.so", (int)getpid());
  CHECK(wm_module_load((const uint8_t *)mod_wat, strlen(mod_wat), NULL, &mod, &err) == WM_OK);
  if (build_so(mod, so) != 0) {
    fprintf(stderr, "test_aot: cc could not build the compiled module\n");
    nfail++;
    wm_module_free(mod);
    return;
  }
  wm_module_free(mod);

  /* The loader's refusals. */
  CHECK_ERR(wm_module_load_native(NULL, NULL, &nat, &err), err, WM_EINVAL, "NULL");
  CHECK_ERR(wm_module_load_native("/nonexistent/x.so", NULL, &nat, &err), err, WM_EIO,
            "cannot load compiled module");
  wm_module_options o = {0};
  o.flags = WM_MODULE_METERED;
  CHECK_ERR(wm_module_load_native(so, &o, &nat, &err), err, WM_EUNSUPPORTED, "not supported yet");
  o.flags = WM_MODULE_CHECKED;
  CHECK_ERR(wm_module_load_native(so, &o, &nat, &err), err, WM_EUNSUPPORTED, "not supported yet");
  for (long n = 0; n < 400; n++) {
    wm_module *m = NULL;
    wm__alloc_fail_after(n);
    int rc = wm_module_load_native(so, NULL, &m, &err);
    wm__alloc_fail_after(-1);
    CHECK(rc == WM_OK || rc == WM_ENOMEM);
    CHECK((rc == WM_OK) == (m != NULL));
    wm_module_free(m);
    if (rc == WM_OK) break;
  }

  CHECK(wm_module_load_native(so, NULL, &nat, &err) == WM_OK);
  wm_runtime *rt1 = new_runtime(), *rt2 = new_runtime();
  wm_instance *i1 = NULL, *i2 = NULL;
  CHECK(wm_instance_new(rt1, nat, NULL, &i1, &err) == WM_OK);
  CHECK(wm_instance_new(rt2, nat, NULL, &i2, &err) == WM_OK);
  int32_t r = 0;
  CHECK(call_i32(rt1, i1, "add", 40, 2, &r, &err) == WM_OK && r == 42);
  CHECK(call_i32(rt1, i1, "hsum", 8, 4, &r, &err) == WM_OK && r == 10);
  /* A host trap's message comes through compiled code. */
  CHECK_ERR(call_i32(rt1, i1, "hsum", 65535, 4, &r, &err), err, WM_TRAP_HOST, "sum out of range 65535");
  CHECK_ERR(call_i32(rt1, i1, "div", 1, 0, &r, &err), err, WM_TRAP_DIV_ZERO, "integer divide by zero");
  /* The runtime goes on after traps; the host grows the memory compiled
  ** code then reads past the old end of. */
  CHECK(call_i32(rt1, i1, "grow_then_load", 0, 0, &r, &err) == WM_OK && r == 77);
  CHECK(wm_memory_size(wm_instance_memory(i1, "memory")) == 2 * 65536);
  CHECK(wm_memory_size(wm_instance_memory(i2, "memory")) == 65536);
  /* Globals are per instance. */
  wm_val a = {.type = WM_I64, .of.i64 = 10}, res;
  CHECK(wm_func_call(rt1, wm_instance_func(i1, "gadd"), &a, 1, &res, 1, &err) == WM_OK &&
        res.of.i64 == 15);
  CHECK(wm_func_call(rt1, wm_instance_func(i1, "gadd"), &a, 1, &res, 1, &err) == WM_OK &&
        res.of.i64 == 25);
  CHECK(wm_func_call(rt2, wm_instance_func(i2, "gadd"), &a, 1, &res, 1, &err) == WM_OK &&
        res.of.i64 == 15);
  /* Another module compiled to the same path while the first is loaded:
  ** dlopen would give the old object back; it is refused instead. */
  static const char other[] = "(module (func (export \"seven\") (result i32) (i32.const 7)))";
  wm_module *om = NULL, *stale = NULL;
  CHECK(wm_module_load((const uint8_t *)other, strlen(other), NULL, &om, &err) == WM_OK);
  CHECK(build_so(om, so) == 0);
  wm_module_free(om);
  CHECK_ERR(wm_module_load_native(so, NULL, &stale, &err), err, WM_EINVAL, "was replaced");
  CHECK(stale == NULL);
  wm_runtime_free(rt1);
  CHECK(call_i32(rt2, i2, "add", 1, 2, &r, &err) == WM_OK && r == 3);
  wm_runtime_free(rt2);
  wm_module_free(nat);
  remove(so);
}

int main(void) {
  test_to_c();
  test_native();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
