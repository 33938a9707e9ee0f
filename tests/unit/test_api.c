/* SPDX-License-Identifier: MIT */
/*
** test_api.c -- tests of the runtime, linking and the public object API
** (runtime.c, instance.c, api.c): options, host functions, memories, tables,
** globals, every error path, segments and start functions (on modules made
** by wat2wasm at test time), and allocation-failure injection.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

#include "check.h"

/* ------------------------------------------------------------ wat helper */

static bool have_wat2wasm;

/* Assemble wat text with wat2wasm into a module; NULL (and a failure) when
** that does not work. */
static wm_module *load_wat(const char *wat) {
  size_t len;
  uint8_t *bin = wat_bytes(wat, "", &len);
  if (!bin) return NULL;
  wm_module *mod = NULL;
  wm_error err;
  int rc = wm_module_load(bin, len, NULL, &mod, &err);
  free(bin);
  if (rc != 0) {
    fprintf(stderr, "wm_module_load failed: %s\n", err.message);
    nfail++;
    return NULL;
  }
  return mod;
}

/* ------------------------------------------------------------ runtime */

static void test_runtime_options(void) {
  wm_runtime *rt = NULL;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, &err) == WM_OK);
  CHECK(rt && rt->opts.stack_bytes == (size_t)8 << 20);
  CHECK(rt && rt->max_frames == 100000);
  CHECK(rt && rt->opts.max_memory_pages == 65536);
  CHECK(rt && rt->opts.max_table_elems == 10000000);
  CHECK(rt && rt->stack_top == rt->stack && rt->stack_end == rt->stack + (1 << 20));
  wm_runtime_free(rt);

  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.stack_bytes = 4096;
  o.max_call_depth = 50;
  o.max_memory_pages = 70000; /* above 4 GiB: clamped */
  o.max_table_elems = 10;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(rt->stack_end - rt->stack == 512);
  CHECK(rt->max_frames == 50);
  CHECK(rt->opts.max_memory_pages == 65536);
  CHECK(rt->opts.max_table_elems == 10);
  wm_runtime_free(rt);

  wm_runtime_free(NULL); /* harmless */
  CHECK(wm_runtime_new(NULL, NULL, &err) == WM_EINVAL);
}

static void test_intern(void) {
  wm_runtime *rt;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  wm_valtype p1[] = {WM_I32, WM_I64}, r1[] = {WM_F32};
  wm_valtype p2[] = {WM_I32, WM_I64}, r2[] = {WM_F32};
  wm_valtype p3[] = {WM_I32}, r3[] = {WM_I64, WM_F32};
  wm_type a = {2, 1, p1, r1, WM_COMP_FUNC}, b = {2, 1, p2, r2, WM_COMP_FUNC}, c = {1, 2, p3, r3, WM_COMP_FUNC},
          d = {0, 0, NULL, NULL, WM_COMP_FUNC};
  uint32_t ia, ib, ic, id, id2;
  CHECK(wm__intern_type(rt, &a, &ia, NULL) == 0);
  CHECK(wm__intern_type(rt, &b, &ib, NULL) == 0);
  CHECK(wm__intern_type(rt, &c, &ic, NULL) == 0);
  CHECK(wm__intern_type(rt, &d, &id, NULL) == 0);
  CHECK(wm__intern_type(rt, &d, &id2, NULL) == 0);
  CHECK(ia == ib && ia != ic && id == id2 && id != ia && id != ic);
  CHECK(rt->ntypes == 3);
  wm_runtime_free(rt);

  /* A module's types at once: duplicates within the list and with what
  ** rt has share an id; out of memory adds none of them. */
  wm_valtype p4[] = {WM_F64}, p5[] = {WM_F64};
  wm_type e = {1, 0, p4, NULL, WM_COMP_FUNC}, f = {1, 0, p5, NULL, WM_COMP_FUNC}, list[] = {e, a, f, d, c, e};
  wm_typemeta metas[6];
  for (int i = 0; i < 6; i++) metas[i] = (wm_typemeta){0, 0, 0, 1, true};
  wm_module fake;
  memset(&fake, 0, sizeof fake);
  fake.types = list;
  fake.tmeta = metas;
  fake.ntypes = 6;
  uint32_t ids[6];
  wm_error err;
  CHECK(wm__canon_types(&fake, &err) == WM_OK); /* as validation gives them */
  CHECK(metas[0].canon == 0 && metas[2].canon == 0 && metas[5].canon == 0 && metas[3].canon == 3);
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  CHECK(wm__intern_type(rt, &c, &ic, NULL) == 0 && ic == 0);
  wm__alloc_fail_after(0);
  CHECK_ERR(wm__intern_types(rt, &fake, ids, &err), err, WM_ENOMEM, "out of");
  wm__alloc_fail_after(-1);
  CHECK(rt->ntypes == 1);
  CHECK(wm__intern_types(rt, &fake, ids, &err) == WM_OK);
  CHECK(rt->ntypes == 4 && ids[0] == 1 && ids[1] == 2 && ids[2] == 1 && ids[3] == 3 &&
        ids[4] == 0 && ids[5] == 1);
  p4[0] = WM_I32; /* the runtime has its own copy */
  CHECK(rt->types[1].type.params[0] == WM_F64 && rt->types[2].type.params[1] == WM_I64 &&
        rt->types[2].type.results[0] == WM_F32 && rt->types[3].type.params == NULL);
  CHECK(wm__intern_type(rt, &f, &id, NULL) == 0 && id == 1);
  wm_runtime_free(rt);
}

/* ------------------------------------------------------------ host funcs */

static int host_add(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  int *calls = data;
  (*calls)++;
  if (wm_call_ctx_instance(ctx) != NULL || wm_call_ctx_memory(ctx) != NULL) return -1;
  results[0] = wm_val_i32(args[0].of.i32 + args[1].of.i32);
  return 0;
}

static int host_fail(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)results;
  (void)data;
  return wm_call_ctx_trap(ctx, -7, "boom %d", args[0].of.i32);
}

/* Sets the value but not the type (data 0), or the wrong type (data 1). */
static int host_sloppy(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx, (void)args;
  if (data) results[0] = wm_val_i64(5);
  else results[0].of.i32 = 5;
  return 0;
}

static void test_host_result_types(void) {
  wm_runtime *rt;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  wm_valtype r[] = {WM_I32};
  wm_functype ft = {0, 1, NULL, r};
  wm_func *unset, *wrong;
  CHECK(wm_func_new_host(rt, &ft, host_sloppy, NULL, &unset, &err) == WM_OK);
  CHECK(wm_func_new_host(rt, &ft, host_sloppy, (void *)1, &wrong, &err) == WM_OK);
  wm_val res[1];
  int rc = wm_func_call(rt, unset, NULL, 0, res, 1, &err);
  CHECK_ERR(rc, err, WM_TRAP_HOST, "host function returned result 0 with its type unset, the function type says i32");
  rc = wm_func_call(rt, wrong, NULL, 0, res, 1, &err);
  CHECK_ERR(rc, err, WM_TRAP_HOST, "host function returned result 0 of type i64, the function type says i32");
  CHECK(rt->stack_top == rt->stack && rt->nframes == 0);
  wm_runtime_free(rt);
}

static void test_host_funcs(void) {
  wm_runtime *rt;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  wm_valtype p[] = {WM_I32, WM_I32}, r[] = {WM_I32};
  wm_functype ft = {2, 1, p, r};
  int calls = 0;
  wm_func *f = NULL;
  CHECK(wm_func_new_host(rt, &ft, host_add, &calls, &f, &err) == WM_OK);
  p[0] = WM_F64; /* the type was copied */
  wm_functype got = wm_func_type(f);
  CHECK(got.nparams == 2 && got.nresults == 1 && got.params[0] == WM_I32 &&
        got.params[1] == WM_I32 && got.results[0] == WM_I32);

  wm_val args[2] = {wm_val_i32(40), wm_val_i32(2)}, res[1];
  CHECK(wm_func_call(rt, f, args, 2, res, 1, &err) == WM_OK);
  CHECK(res[0].type == WM_I32 && res[0].of.i32 == 42 && calls == 1);
  CHECK(rt->stack_top == rt->stack && rt->nframes == 0);

  /* Wrong argument count, result count and argument type. */
  int rc = wm_func_call(rt, f, args, 1, res, 1, &err);
  CHECK_ERR(rc, err, WM_ETYPE, "wrong number of arguments: expected 2, got 1");
  rc = wm_func_call(rt, f, args, 2, res, 0, &err);
  CHECK_ERR(rc, err, WM_ETYPE, "wrong number of results");
  args[1] = wm_val_i64(2);
  rc = wm_func_call(rt, f, args, 2, res, 1, &err);
  CHECK_ERR(rc, err, WM_ETYPE, "argument 1: expected i32, got i64");
  CHECK(calls == 1);

  /* A host function that traps with its own message. */
  wm_valtype p1[] = {WM_I32};
  wm_functype ft1 = {1, 0, p1, NULL};
  wm_func *g = NULL;
  CHECK(wm_func_new_host(rt, &ft1, host_fail, NULL, &g, &err) == WM_OK);
  args[0] = wm_val_i32(7);
  rc = wm_func_call(rt, g, args, 1, NULL, 0, &err);
  CHECK_ERR(rc, err, WM_TRAP_HOST, "boom 7");
  CHECK(rt->stack_top == rt->stack && rt->nframes == 0);

  /* Same types intern to the same id, whoever makes them. */
  wm_func *f2 = NULL;
  p[0] = WM_I32;
  CHECK(wm_func_new_host(rt, &ft, host_add, &calls, &f2, NULL) == WM_OK);
  CHECK(f2->type_id == f->type_id && g->type_id != f->type_id);

  /* Bad types. */
  wm_valtype bad[] = {(wm_valtype)0x55};
  wm_functype fb = {1, 0, bad, NULL};
  CHECK(wm_func_new_host(rt, &fb, host_fail, NULL, &g, &err) == WM_EINVAL);
  CHECK(wm_func_new_host(rt, &ft, NULL, NULL, &g, &err) == WM_EINVAL);
  wm_runtime_free(rt);
}

/* ------------------------------------------------------------ globals */

static void test_globals(void) {
  wm_runtime *rt;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  wm_global *gi = NULL, *gm = NULL, *gf = NULL;
  CHECK(wm_global_new(rt, wm_val_i32(-5), false, &gi, &err) == WM_OK);
  CHECK(wm_global_get(gi).type == WM_I32 && wm_global_get(gi).of.i32 == -5);
  CHECK(gi->val[0].u64 == 0xFFFFFFFBu); /* slots hold i32 zero-extended */
  int rc = wm_global_set(gi, wm_val_i32(1), &err);
  CHECK_ERR(rc, err, WM_EINVAL, "immutable");
  CHECK(wm_global_get(gi).of.i32 == -5);

  CHECK(wm_global_new(rt, wm_val_i64(1), true, &gm, &err) == WM_OK);
  rc = wm_global_set(gm, wm_val_i32(1), &err);
  CHECK_ERR(rc, err, WM_ETYPE, "i64");
  CHECK(wm_global_set(gm, wm_val_i64(-1234567890123LL), &err) == WM_OK);
  CHECK(wm_global_get(gm).of.i64 == -1234567890123LL);

  /* A NaN payload survives. */
  wm_val nan;
  nan.type = WM_F32;
  nan.of.i64 = 0;
  nan.of.f32_bits = 0x7FA00001u;
  CHECK(wm_global_new(rt, nan, true, &gf, &err) == WM_OK);
  CHECK(wm_global_get(gf).of.f32_bits == 0x7FA00001u);
  wm_val bad;
  memset(&bad, 0, sizeof bad);
  bad.type = (wm_valtype)0x40;
  CHECK(wm_global_new(rt, bad, true, &gf, &err) == WM_EINVAL);
  wm_runtime_free(rt);
}

/* ------------------------------------------------------------ v128 */

static wm_val v128_i32x4(int32_t a, int32_t b, int32_t c, int32_t d) {
  int32_t l[4] = {a, b, c, d};
  uint8_t bytes[16];
  memcpy(bytes, l, 16); /* little-endian hosts only (module.h checks) */
  return wm_val_v128(bytes);
}

static bool is_i32x4(wm_val v, int32_t a, int32_t b, int32_t c, int32_t d) {
  int32_t l[4];
  memcpy(l, v.of.v128, 16);
  return v.type == WM_V128 && l[0] == a && l[1] == b && l[2] == c && l[3] == d;
}

/* (v128 i32 v128) -> (i32 v128): the lane sums of the vectors times k, and k + 1. */
static int host_vmix(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)data;
  int32_t a[4], b[4], k = args[1].of.i32;
  memcpy(a, args[0].of.v128, 16);
  memcpy(b, args[2].of.v128, 16);
  results[0] = wm_val_i32(k + 1);
  results[1] = v128_i32x4((a[0] + b[0]) * k, (a[1] + b[1]) * k, (a[2] + b[2]) * k, (a[3] + b[3]) * k);
  return 0;
}

static const char *v128_wat =
    "(module\n"
    "  (import \"env\" \"vmix\" (func $vmix (param v128 i32 v128) (result i32 v128)))\n"
    "  (import \"env\" \"vg\" (global $vg v128))\n"
    "  (global $copy (export \"copy\") v128 (global.get $vg))\n"
    "  (global $m (export \"m\") (mut v128) (v128.const i32x4 5 6 7 8))\n"
    "  ;; wasm -> host with v128s around an i32, then a v128 result back out\n"
    "  (func (export \"via_host\") (param v128 i32) (result v128 i32)\n"
    "    (local i32)\n"
    "    (call $vmix (local.get 0) (local.get 1) (global.get $m))\n"
    "    (global.set $m)\n"
    "    (local.set 2)\n"
    "    (global.get $m) (local.get 2))\n"
    "  (func (export \"sum\") (param v128) (result i32)\n"
    "    (i32.add (i32.add (i32x4.extract_lane 0 (local.get 0)) (i32x4.extract_lane 1 (local.get 0)))\n"
    "             (i32.add (i32x4.extract_lane 2 (local.get 0)) (i32x4.extract_lane 3 (local.get 0))))))\n";

static void test_v128(void) {
  wm_module *mod = load_wat(v128_wat);
  if (!mod) return;
  wm_runtime *rt;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  wm_valtype p[] = {WM_V128, WM_I32, WM_V128}, r[] = {WM_I32, WM_V128};
  wm_functype ft = {3, 2, p, r};
  wm_func *hf = NULL;
  wm_global *vg = NULL;
  CHECK(wm_func_new_host(rt, &ft, host_vmix, NULL, &hf, &err) == WM_OK);
  CHECK(wm_global_new(rt, v128_i32x4(-1, 2, -3, 4), false, &vg, &err) == WM_OK);
  CHECK(is_i32x4(wm_global_get(vg), -1, 2, -3, 4));
  CHECK(wm_runtime_define_func(rt, "env", "vmix", hf, &err) == WM_OK);
  CHECK(wm_runtime_define_global(rt, "env", "vg", vg, &err) == WM_OK);

  /* The host function called directly. */
  wm_val args[3] = {v128_i32x4(1, 2, 3, 4), wm_val_i32(10), v128_i32x4(10, 20, 30, 40)}, res[2];
  CHECK(wm_func_call(rt, hf, args, 3, res, 2, &err) == WM_OK);
  CHECK(res[0].type == WM_I32 && res[0].of.i32 == 11 && is_i32x4(res[1], 110, 220, 330, 440));

  wm_instance *inst = NULL;
  int rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  CHECK(rc == WM_OK);
  if (rc) fprintf(stderr, "  instantiate: %s\n", err.message);
  if (inst) {
    CHECK(is_i32x4(wm_global_get(wm_instance_global(inst, "copy")), -1, 2, -3, 4));
    wm_global *m = wm_instance_global(inst, "m");
    CHECK(is_i32x4(wm_global_get(m), 5, 6, 7, 8));
    wm_func *vh = wm_instance_func(inst, "via_host"), *sum = wm_instance_func(inst, "sum");
    wm_val a2[2] = {v128_i32x4(1, 1, 1, 1), wm_val_i32(3)};
    rc = vh ? wm_func_call(rt, vh, a2, 2, res, 2, &err) : -1;
    CHECK(rc == WM_OK && is_i32x4(res[0], 18, 21, 24, 27) && res[1].of.i32 == 4);
    CHECK(is_i32x4(wm_global_get(m), 18, 21, 24, 27));
    CHECK(wm_global_set(m, v128_i32x4(0, 0, 0, -9), &err) == WM_OK);
    wm_val one = v128_i32x4(100, 20, 3, -1);
    rc = sum ? wm_func_call(rt, sum, &one, 1, res, 1, &err) : -1;
    CHECK(rc == WM_OK && res[0].type == WM_I32 && res[0].of.i32 == 122);
    /* A v128 where an i32 is expected, and the other way round. */
    rc = sum ? wm_func_call(rt, sum, a2 + 1, 1, res, 1, &err) : -1;
    CHECK_ERR(rc, err, WM_ETYPE, "argument 0: expected v128, got i32");
    rc = wm_global_set(m, wm_val_i32(1), &err);
    CHECK_ERR(rc, err, WM_ETYPE, "global of type v128 cannot hold a i32");
  }
  CHECK(rt->stack_top == rt->stack && rt->nframes == 0);
  wm_runtime_free(rt);
  wm_module_free(mod);
}

/* ------------------------------------------------------------ memories */

static void test_memories(void) {
  wm_runtime *rt;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  wm_memory *m = NULL;
  wm_limits lim = {1, 3, true, false, false};
  CHECK(wm_memory_new(rt, lim, &m, &err) == WM_OK);
  CHECK(wm_memory_pages(m) == 1 && wm_memory_size(m) == 65536);
  uint64_t old = 99;
  CHECK(wm_memory_grow(m, 2, &old, &err) == WM_OK && old == 1);
  CHECK(wm_memory_pages(m) == 3);
  int rc = wm_memory_grow(m, 1, &old, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "maximum is 3 pages");
  CHECK(wm__memory_grow(m, 1) == -1);
  CHECK(wm__memory_grow(m, 0) == 3);
  CHECK(wm__memory_grow(m, UINT64_MAX) == -1);
  CHECK(wm_memory_pages(m) == 3);

  /* The base never moves, and a host pointer taken before a large grow
  ** still reads what it read before; new pages are zero. */
  wm_memory *big = NULL;
  wm_limits nolim = {1, 0, false, false, false};
  CHECK(wm_memory_new(rt, nolim, &big, &err) == WM_OK);
  uint8_t *base = wm_memory_data(big);
  memcpy(base + 100, "stable", 7);
  const char *p = (const char *)base + 100;
  CHECK(wm_memory_grow(big, 1500, &old, &err) == WM_OK && old == 1);
  CHECK(wm_memory_data(big) == base);
  CHECK(memcmp(p, "stable", 7) == 0);
  CHECK(wm_memory_size(big) == 1501ull * 65536);
  uint8_t *d = wm_memory_data(big);
  CHECK(d[65536] == 0 && d[1000ull * 65536 + 7] == 0 && d[1501ull * 65536 - 1] == 0);
  d[1501ull * 65536 - 1] = 0xAB; /* the last byte is writable */
  CHECK(wm__memory_grow(big, 64000) == 1501);
  CHECK(wm_memory_data(big) == base && memcmp(p, "stable", 7) == 0);
  CHECK(d[1501ull * 65536 - 1] == 0xAB);
  CHECK(wm_memory_pages(big) == 65501);
  CHECK(wm__memory_grow(big, 36) == -1); /* one page past 4 GiB */
  CHECK(wm__memory_grow(big, 35) == 65501);
  CHECK(wm_memory_pages(big) == 65536 && wm_memory_size(big) == 65536ull * 65536);
  wm_memory_data(big)[65536ull * 65536 - 1] = 1;
  CHECK(wm__memory_grow(big, 1) == -1); /* 4 GiB is the ceiling */

  /* Bad limits. */
  wm_limits l2 = {65537, 0, false, false, false};
  CHECK(wm_memory_new(rt, l2, &m, &err) == WM_EINVAL);
  wm_limits l3 = {2, 1, true, false, false};
  CHECK(wm_memory_new(rt, l3, &m, &err) == WM_EINVAL);
  /* Shared: a maximum is required; a table is never shared. */
  wm_limits ls = {1, 0, false, true, false};
  CHECK_ERR(wm_memory_new(rt, ls, &m, &err), err, WM_EINVAL, "a shared memory must have a maximum");
  wm_table *tab;
  wm_limits lt = {1, 2, true, true, false};
  CHECK_ERR(wm_table_new(rt, WM_FUNCREF, lt, NULL, &tab, &err), err, WM_EINVAL,
            "a table cannot be shared");
  wm_runtime_free(rt);

  /* The runtime's limit caps memories that declare no maximum. */
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_memory_pages = 10;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_memory_new(rt, nolim, &m, &err) == WM_OK);
  /* Growth stops at the cap; the reservation of a host's memory is the
  ** guard span that compiled code without bounds checks needs. */
  CHECK(m->max_pages == 10);
  CHECK(m->reserved == (sizeof(size_t) >= 8 ? (size_t)WM_GUARD_SPAN : 10 * 65536));
  CHECK(wm__memory_grow(m, 9) == 1);
  rc = wm_memory_grow(m, 1, NULL, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "maximum is 10 pages");
  wm_limits l4 = {11, 0, false, false, false};
  rc = wm_memory_new(rt, l4, &m, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "memory size");
  wm_limits l5 = {0, 0, true, false, false}; /* max 0: no accessible page at all */
  CHECK(wm_memory_new(rt, l5, &m, &err) == WM_OK);
  CHECK(wm_memory_size(m) == 0 && wm__memory_grow(m, 1) == -1 && wm__memory_grow(m, 0) == 0);
  wm_runtime_free(rt);
}

/* ------------------------------------------------------------ tables */

static void test_tables(void) {
  wm_runtime *rt;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  int token;
  wm_table *t = NULL;
  wm_limits lim = {2, 40, true, false, false};
  CHECK(wm_table_new(rt, WM_EXTERNREF, lim, &token, &t, &err) == WM_OK);
  CHECK(wm_table_size(t) == 2);
  wm_val v;
  CHECK(wm_table_get(t, 1, &v, &err) == WM_OK && v.type == WM_EXTERNREF && v.of.ref == &token);
  int rc = wm_table_get(t, 2, &v, &err);
  CHECK_ERR(rc, err, WM_TRAP_TABLE_OOB, "out of bounds table access");
  wm_val fr;
  fr.type = WM_FUNCREF;
  fr.of.ref = NULL;
  rc = wm_table_set(t, 0, fr, &err);
  CHECK_ERR(rc, err, WM_ETYPE, "externref");
  wm_val ex;
  ex.type = WM_EXTERNREF;
  ex.of.ref = NULL;
  CHECK(wm_table_set(t, 0, ex, &err) == WM_OK);
  CHECK(wm_table_set(t, 2, ex, &err) == WM_TRAP_TABLE_OOB);
  CHECK(wm_table_get(t, 0, &v, &err) == WM_OK && v.of.ref == NULL);
  CHECK(wm__table_grow(t, 3, &token) == 2 && wm_table_size(t) == 5);
  CHECK(wm__table_grow(t, 35, NULL) == 5 && wm_table_size(t) == 40);
  CHECK(wm_table_get(t, 4, &v, &err) == WM_OK && v.of.ref == &token);
  CHECK(wm_table_get(t, 39, &v, &err) == WM_OK && v.of.ref == NULL);
  CHECK(wm__table_grow(t, 1, NULL) == -1);
  CHECK(wm__table_grow(t, 0, NULL) == 40);
  CHECK(wm__table_grow(t, UINT64_MAX, NULL) == -1);
  CHECK(wm_table_new(rt, WM_I32, lim, NULL, &t, &err) == WM_EINVAL);
  wm_limits bad = {3, 2, true, false, false};
  CHECK(wm_table_new(rt, WM_FUNCREF, bad, NULL, &t, &err) == WM_EINVAL);
  wm_runtime_free(rt);

  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_table_elems = 100;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  wm_limits nolim = {10, 0, false, false, false};
  CHECK(wm_table_new(rt, WM_FUNCREF, nolim, NULL, &t, &err) == WM_OK);
  CHECK(wm__table_grow(t, 90, NULL) == 10 && wm__table_grow(t, 1, NULL) == -1);
  wm_limits toobig = {101, 0, false, false, false};
  rc = wm_table_new(rt, WM_FUNCREF, toobig, NULL, &t, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "table size");
  wm_runtime_free(rt);
}

/* ------------------------------------------------------------ linking */

static const char *importer_wat =
    "(module\n"
    "  (import \"env\" \"f\" (func (param i32) (result i32)))\n"
    "  (import \"env\" \"mem\" (memory 1 4))\n"
    "  (import \"env\" \"tab\" (table 2 funcref))\n"
    "  (import \"env\" \"g\" (global (mut i64)))\n"
    "  (func (export \"call_f\") (param i32) (result i32) local.get 0 call 0)\n"
    "  (func (export \"get_g\") (result i64) global.get 0))\n";

typedef struct env env;

static int host_inc(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data);

static int host_nop(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx; (void)args; (void)results; (void)data;
  return 0;
}

/* A runtime with env.f/mem/tab/g defined as `importer_wat` needs them,
** except for the object named `skip`, which is defined as `alt` instead. */
struct env {
  wm_runtime *rt;
  wm_func *f;
  wm_memory *mem;
  wm_table *tab;
  wm_global *g, *base;
  wm_instance *seen;
  wm_memory *seen_mem;
};

static int host_inc(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  env *e = data;
  e->seen = wm_call_ctx_instance(ctx);
  e->seen_mem = wm_call_ctx_memory(ctx);
  results[0] = wm_val_i32(args[0].of.i32 + 1);
  return 0;
}

static int env_make(env *e, wm_error *err) {
  memset(e, 0, sizeof *e);
  int rc = wm_runtime_new(NULL, &e->rt, err);
  if (rc) return rc;
  wm_valtype p[] = {WM_I32}, r[] = {WM_I32};
  wm_functype ft = {1, 1, p, r};
  wm_limits ml = {1, 4, true, false, false}, tl = {2, 10, true, false, false};
  if ((rc = wm_func_new_host(e->rt, &ft, host_inc, e, &e->f, err)) ||
      (rc = wm_memory_new(e->rt, ml, &e->mem, err)) ||
      (rc = wm_table_new(e->rt, WM_FUNCREF, tl, NULL, &e->tab, err)) ||
      (rc = wm_global_new(e->rt, wm_val_i64(77), true, &e->g, err)) ||
      (rc = wm_global_new(e->rt, wm_val_i32(16), false, &e->base, err)) ||
      (rc = wm_runtime_define_global(e->rt, "env", "base", e->base, err)) ||
      (rc = wm_runtime_define_func(e->rt, "env", "f", e->f, err)) ||
      (rc = wm_runtime_define_memory(e->rt, "env", "mem", e->mem, err)) ||
      (rc = wm_runtime_define_table(e->rt, "env", "tab", e->tab, err)) ||
      (rc = wm_runtime_define_global(e->rt, "env", "g", e->g, err)))
    return rc;
  return 0;
}

static void test_linking(void) {
  wm_module *mod = load_wat(importer_wat);
  if (!mod) return;
  env e;
  wm_error err;
  wm_instance *inst = NULL;
  CHECK(env_make(&e, &err) == 0);
  int rc = wm_instance_new(e.rt, mod, NULL, &inst, &err);
  CHECK(rc == WM_OK);
  if (rc) fprintf(stderr, "  instantiate: %s\n", err.message);
  if (inst) {
    CHECK(wm_instance_module(inst) == mod);
    CHECK(wm_instance_default_memory(inst) == e.mem);
    wm_func *cf = wm_instance_func(inst, "call_f");
    CHECK(cf != NULL && wm_instance_func(inst, "nope") == NULL);
    CHECK(wm_instance_memory(inst, "call_f") == NULL); /* wrong kind */
    wm_val a = wm_val_i32(41), r;
    rc = cf ? wm_func_call(e.rt, cf, &a, 1, &r, 1, &err) : -1;
    CHECK(rc == WM_OK && r.type == WM_I32 && r.of.i32 == 42);
    CHECK(e.seen == inst && e.seen_mem == e.mem); /* the host saw its caller */
    wm_func *gg = wm_instance_func(inst, "get_g");
    CHECK(wm_global_set(e.g, wm_val_i64(-3), &err) == WM_OK);
    rc = gg ? wm_func_call(e.rt, gg, NULL, 0, &r, 1, &err) : -1;
    CHECK(rc == WM_OK && r.type == WM_I64 && r.of.i64 == -3);
    CHECK(e.rt->stack_top == e.rt->stack && e.rt->nframes == 0);
  }
  wm_runtime_free(e.rt);

  /* A missing import of each kind. */
  const char *names[] = {"f", "mem", "tab", "g"};
  for (int k = 0; k < 4; k++) {
    CHECK(env_make(&e, &err) == 0);
    /* Rebind the name under another namespace to make it missing. */
    for (uint32_t i = 0; i < e.rt->nbindings; i++)
      if (strcmp(e.rt->bindings[i].name, names[k]) == 0) e.rt->bindings[i].module[0] = 'X';
    inst = (wm_instance *)1;
    uint32_t before = e.rt->ninsts;
    rc = wm_instance_new(e.rt, mod, NULL, &inst, &err);
    char want[64];
    snprintf(want, sizeof want, "unknown import: \"env\" \"%s\"", names[k]);
    CHECK_ERR(rc, err, WM_EUNKNOWN_IMPORT, want);
    CHECK(inst == NULL && e.rt->ninsts == before);
    wm_runtime_free(e.rt);
  }

  /* Incompatible imports: kind, function type, limits, global type. */
  struct {
    int which;
    const char *why;
  } cases[] = {
      {0, "expected func, got global"},
      {1, "expected func (i32) -> (i32), got func (i64) -> (i32)"},
      {2, "memory limits"},              {3, "memory limits"},
      {4, "memory limits"},              {5, "table limits"},
      {6, "element type differs"},       {7, "expected table, got func"},
      {8, "expected mut i64, got i64"},  {9, "expected mut i64, got mut i32"},
      {10, "expected memory, got table"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    CHECK(env_make(&e, &err) == 0);
    wm_runtime *rt = e.rt;
    wm_valtype p[] = {WM_I64}, r[] = {WM_I32};
    wm_functype ft = {1, 1, p, r};
    wm_func *f2;
    wm_memory *m2;
    wm_table *t2;
    wm_global *g2;
    wm_limits l;
    switch (cases[c].which) {
      case 0: wm_runtime_define_global(rt, "env", "f", e.g, NULL); break;
      case 1:
        wm_func_new_host(rt, &ft, host_nop, NULL, &f2, NULL);
        wm_runtime_define_func(rt, "env", "f", f2, NULL);
        break;
      case 2: /* too small: 0 pages, 1 required */
        l = (wm_limits){0, 4, true, false, false};
        wm_memory_new(rt, l, &m2, NULL);
        wm_runtime_define_memory(rt, "env", "mem", m2, NULL);
        break;
      case 3: /* no maximum, but one is required */
        l = (wm_limits){1, 0, false, false, false};
        wm_memory_new(rt, l, &m2, NULL);
        wm_runtime_define_memory(rt, "env", "mem", m2, NULL);
        break;
      case 4: /* maximum larger than required */
        l = (wm_limits){1, 5, true, false, false};
        wm_memory_new(rt, l, &m2, NULL);
        wm_runtime_define_memory(rt, "env", "mem", m2, NULL);
        break;
      case 5: /* table too small */
        l = (wm_limits){1, 0, false, false, false};
        wm_table_new(rt, WM_FUNCREF, l, NULL, &t2, NULL);
        wm_runtime_define_table(rt, "env", "tab", t2, NULL);
        break;
      case 6:
        l = (wm_limits){2, 0, false, false, false};
        wm_table_new(rt, WM_EXTERNREF, l, NULL, &t2, NULL);
        wm_runtime_define_table(rt, "env", "tab", t2, NULL);
        break;
      case 7: /* table of the wrong kind: a function under the table's name */
        wm_runtime_define_func(rt, "env", "tab", e.f, NULL);
        break;
      case 8:
        wm_global_new(rt, wm_val_i64(1), false, &g2, NULL);
        wm_runtime_define_global(rt, "env", "g", g2, NULL);
        break;
      case 9:
        wm_global_new(rt, wm_val_i32(1), true, &g2, NULL);
        wm_runtime_define_global(rt, "env", "g", g2, NULL);
        break;
      case 10: wm_runtime_define_table(rt, "env", "mem", e.tab, NULL); break;
    }
    uint32_t before = rt->ninsts;
    rc = wm_instance_new(rt, mod, NULL, &inst, &err);
    CHECK_ERR(rc, err, WM_EINCOMPATIBLE_IMPORT, "incompatible import type: \"env\"");
    if (!strstr(err.message, cases[c].why)) {
      nfail++;
      fprintf(stderr, "case %d: \"%s\" lacks \"%s\"\n", cases[c].which, err.message,
              cases[c].why);
    }
    CHECK(rt->ninsts == before);
    wm_runtime_free(rt);
  }

  /* Limits that do match: larger current size, smaller maximum, and a table
  ** grown past the required minimum. */
  CHECK(env_make(&e, &err) == 0);
  wm_memory *m3;
  wm_table *t3;
  wm_limits ml = {3, 3, true, false, false}, tl = {1, 0, false, false, false};
  wm_memory_new(e.rt, ml, &m3, NULL);
  wm_table_new(e.rt, WM_FUNCREF, tl, NULL, &t3, NULL);
  CHECK(wm__table_grow(t3, 4, NULL) == 1);
  wm_runtime_define_memory(e.rt, "env", "mem", m3, NULL);
  wm_runtime_define_table(e.rt, "env", "tab", t3, NULL);
  rc = wm_instance_new(e.rt, mod, NULL, &inst, &err);
  CHECK(rc == WM_OK);
  if (rc) fprintf(stderr, "  instantiate: %s\n", err.message);
  wm_runtime_free(e.rt);
  wm_module_free(mod);
}

/* ------------------------------------------------------------ segments */

static const char *segments_wat =
    "(module\n"
    "  (import \"env\" \"base\" (global $base i32))\n"
    "  (memory (export \"mem\") 1)\n"
    "  (table (export \"tab\") 4 funcref)\n"
    "  (global (export \"gf\") funcref (ref.func $b))\n"
    "  (global (export \"g64\") (mut i64) (i64.const -2))\n"
    "  (func $a (export \"a\") (result i32) i32.const 1)\n"
    "  (func $b (export \"b\") (result i32) i32.const 2)\n"
    "  (elem (i32.const 1) $a $b)\n"
    "  (elem declare func $a)\n"
    "  (elem $p funcref (ref.func $a) (ref.null func))\n"
    "  (data (i32.const 8) \"hello\")\n"
    "  (data (global.get $base) \"world\")\n"
    "  (data $q \"passive\"))\n";

/* A shared memory made by the host: imported where the import says
** shared (atomics then reach it), refused where it does not; the new trap
** codes are traps with the spec's words. */
static void test_shared_memory(void) {
  wm_error err;
  wm_runtime *rt;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  wm_memory *m;
  wm_limits sl = {1, 2, true, true, false};
  CHECK(wm_memory_new(rt, sl, &m, &err) == WM_OK);
  CHECK(wm_runtime_define_memory(rt, "host", "mem", m, &err) == WM_OK);
  size_t len;
  uint8_t *bin = wat_bytes("(module (import \"host\" \"mem\" (memory 1 2 shared))"
                           " (func (export \"add\") (param i32) (result i32)"
                           "  i32.const 8 local.get 0 i32.atomic.rmw.add))",
                           "--enable-threads", &len);
  wm_module *good = NULL;
  CHECK(bin && wm_module_load(bin, len, NULL, &good, &err) == WM_OK);
  free(bin);
  wm_module *bad = load_wat("(module (import \"host\" \"mem\" (memory 1 2)))");
  wm_instance *inst;
  if (good && bad) {
    CHECK(wm_instance_new(rt, good, NULL, &inst, &err) == WM_OK);
    wm_val args[1] = {wm_val_i32(5)}, res[1];
    wm_func *f = wm_instance_func(inst, "add");
    CHECK(f && wm_func_call(rt, f, args, 1, res, 1, &err) == WM_OK && res[0].of.i32 == 0);
    CHECK(f && wm_func_call(rt, f, args, 1, res, 1, &err) == WM_OK && res[0].of.i32 == 5);
    CHECK(wm_memory_data(m)[8] == 10);
    CHECK_ERR(wm_instance_new(rt, bad, NULL, &inst, &err), err, WM_EINCOMPATIBLE_IMPORT,
              "incompatible import type");
    CHECK(strstr(err.message, "expected an unshared memory, got a shared one") != NULL);
  }
  wm_module_free(good);
  wm_module_free(bad);
  wm_runtime_free(rt);
  CHECK(wm_is_trap(WM_TRAP_UNALIGNED_ATOMIC) && wm_is_trap(WM_TRAP_EXPECTED_SHARED));
  CHECK(strcmp(wm_strerror(WM_TRAP_UNALIGNED_ATOMIC), "unaligned atomic") == 0);
  CHECK(strcmp(wm_strerror(WM_TRAP_EXPECTED_SHARED), "expected shared memory") == 0);
  CHECK(wm_is_trap(WM_TRAP_ARRAY_OOB) && !wm_is_trap(WM_TRAP_ARRAY_OOB - 1));
  CHECK(!wm_is_trap(WM_EXCEPTION));
}

/* Importing a shared memory takes a reference for the importing runtime
** (wm__rt_hold_imports): with every allocation of the instantiation
** failing in turn, the failure is WM_ENOMEM and holds nothing; once it
** succeeds the importer keeps the memory after its maker is freed. */
static void test_shared_memory_hold_failures(void) {
  static const char wat[] = "(module (import \"host\" \"mem\" (memory 1 2 shared))"
                            " (func (export \"peek\") (result i32) i32.const 8 i32.load))";
  wm_module *mod = NULL;
  CHECK(wm_module_load((const uint8_t *)wat, sizeof wat - 1, NULL, &mod, NULL) == WM_OK);
  if (!mod) return;
  int bad = 0;
  for (long n = 0; n < 1000; n++) {
    wm_error err;
    wm_runtime *maker, *user;
    wm_memory *m;
    wm_instance *inst;
    wm_limits sl = {1, 2, true, true, false};
    CHECK(wm_runtime_new(NULL, &maker, NULL) == WM_OK);
    CHECK(wm_runtime_new(NULL, &user, NULL) == WM_OK);
    CHECK(wm_memory_new(maker, sl, &m, &err) == WM_OK);
    CHECK(wm_runtime_define_memory(user, "host", "mem", m, &err) == WM_OK);
    wm_memory_data(m)[8] = 42;
    wm__alloc_fail_after(n);
    int rc = wm_instance_new(user, mod, NULL, &inst, &err);
    wm__alloc_fail_after(-1);
    wm_runtime_free(maker); /* the user's reference, if any, keeps it */
    if (rc == WM_OK) {
      wm_val r;
      CHECK(wm_func_call(user, wm_instance_func(inst, "peek"), NULL, 0, &r, 1, &err) == WM_OK);
      CHECK(r.of.i32 == 42);
      wm_runtime_free(user);
      break;
    }
    if (rc != WM_ENOMEM) {
      bad++;
      fprintf(stderr, "alloc failure %ld: rc %d (%s)\n", n, rc, err.message);
    }
    wm_runtime_free(user);
  }
  CHECK(bad == 0);
  wm_module_free(mod);
}

static void test_segments(void) {
  wm_module *mod = load_wat(segments_wat);
  if (!mod) return;
  wm_error err;
  wm_instance *inst = NULL;
  env e;
  CHECK(env_make(&e, &err) == 0);
  wm_runtime *rt = e.rt;
  int rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  CHECK(rc == WM_OK);
  if (rc) fprintf(stderr, "  instantiate: %s\n", err.message);
  if (inst) {
    wm_memory *m = wm_instance_memory(inst, "mem");
    CHECK(m && m == wm_instance_default_memory(inst));
    CHECK(m && memcmp(wm_memory_data(m) + 8, "hello", 5) == 0);
    CHECK(m && memcmp(wm_memory_data(m) + 16, "world", 5) == 0);
    CHECK(m && wm_memory_data(m)[7] == 0 && wm_memory_data(m)[13] == 0);
    wm_table *t = wm_instance_table(inst, "tab");
    wm_val v;
    CHECK(t && wm_table_size(t) == 4);
    CHECK(wm_table_get(t, 0, &v, NULL) == 0 && v.type == WM_FUNCREF && v.of.ref == NULL);
    CHECK(wm_table_get(t, 1, &v, NULL) == 0 && v.of.ref == wm_instance_func(inst, "a"));
    CHECK(wm_table_get(t, 2, &v, NULL) == 0 && v.of.ref == wm_instance_func(inst, "b"));
    CHECK(wm_table_get(t, 3, &v, NULL) == 0 && v.of.ref == NULL);
    wm_global *gf = wm_instance_global(inst, "gf");
    CHECK(gf && wm_global_get(gf).type == WM_FUNCREF &&
          wm_global_get(gf).of.ref == wm_instance_func(inst, "b"));
    wm_global *g64 = wm_instance_global(inst, "g64");
    CHECK(g64 && wm_global_get(g64).of.i64 == -2);
    CHECK(inst->elem_dropped[0] && inst->elem_dropped[1] && !inst->elem_dropped[2]);
    CHECK(inst->data_dropped[0] && inst->data_dropped[1] && !inst->data_dropped[2]);
    wm_func *b = wm_instance_func(inst, "b");
    wm_val r;
    rc = b ? wm_func_call(rt, b, NULL, 0, &r, 1, &err) : -1;
    CHECK(rc == WM_OK && r.of.i32 == 2);

    /* Register the instance and link another module against it. */
    CHECK(wm_runtime_register(rt, "seg", inst, &err) == WM_OK);
    wm_module *user = load_wat(
        "(module (import \"seg\" \"mem\" (memory 1))\n"
        "  (import \"seg\" \"b\" (func $b (result i32)))\n"
        "  (import \"seg\" \"g64\" (global (mut i64)))\n"
        "  (data (i32.const 0) \"X\")\n"
        "  (func (export \"c\") (result i32) call $b))\n");
    wm_instance *ui = NULL;
    if (user) {
      rc = wm_instance_new(rt, user, NULL, &ui, &err);
      CHECK(rc == WM_OK);
      if (rc) fprintf(stderr, "  instantiate: %s\n", err.message);
      CHECK(m && wm_memory_data(m)[0] == 'X');
      CHECK(ui && wm_instance_default_memory(ui) == m);
      wm_func *c = ui ? wm_instance_func(ui, "c") : NULL;
      rc = c ? wm_func_call(rt, c, NULL, 0, &r, 1, &err) : -1;
      CHECK(rc == WM_OK && r.of.i32 == 2);
    }
    wm_runtime_free(rt);
    wm_module_free(user);
  } else {
    wm_runtime_free(rt);
  }
  wm_module_free(mod);
}

/* Segments that do not fit trap; earlier writes to imported objects stay. */
static void test_segment_traps(void) {
  wm_module *dmod = load_wat(
      "(module (import \"env\" \"mem\" (memory 1))\n"
      "  (data (i32.const 0) \"ok\")\n"
      "  (data (i32.const 65535) \"xy\")\n"
      "  (data (i32.const 4) \"never\"))\n");
  wm_module *emod = load_wat(
      "(module (import \"env\" \"tab\" (table 2 funcref))\n"
      "  (func $f)\n"
      "  (elem (i32.const 0) $f)\n"
      "  (elem (i32.const 1) $f $f)\n"
      "  (elem (i32.const 1) $f))\n");
  wm_module *smod = load_wat(
      "(module (import \"env\" \"mem\" (memory 1))\n"
      "  (func $s i32.const 100 i32.const 42 i32.store8 unreachable)\n"
      "  (start $s))\n");
  wm_error err;
  env e;
  wm_instance *inst;
  int rc;
  if (dmod) {
    CHECK(env_make(&e, &err) == 0);
    uint32_t before = e.rt->ninsts;
    rc = wm_instance_new(e.rt, dmod, NULL, &inst, &err);
    CHECK_ERR(rc, err, WM_TRAP_MEMORY_OOB, "out of bounds memory access");
    CHECK(inst == NULL && e.rt->ninsts == before + 1); /* still owned */
    uint8_t *d = wm_memory_data(e.mem);
    CHECK(d[0] == 'o' && d[1] == 'k' && d[65535] == 0 && d[4] == 0);
    wm_runtime_free(e.rt);
  }
  if (emod) {
    CHECK(env_make(&e, &err) == 0);
    rc = wm_instance_new(e.rt, emod, NULL, &inst, &err);
    CHECK_ERR(rc, err, WM_TRAP_TABLE_OOB, "out of bounds table access");
    CHECK(e.tab->elems[0] != NULL && e.tab->elems[1] == NULL);
    wm_runtime_free(e.rt);
  }
  if (smod) {
    CHECK(env_make(&e, &err) == 0);
    rc = wm_instance_new(e.rt, smod, NULL, &inst, &err);
    CHECK_ERR(rc, err, WM_TRAP_UNREACHABLE, "unreachable");
    CHECK(wm_memory_data(e.mem)[100] == 42);
    CHECK(e.rt->stack_top == e.rt->stack && e.rt->nframes == 0);
    wm_runtime_free(e.rt);
  }
  /* A memory bigger than the runtime allows fails cleanly. */
  wm_module *huge = load_wat("(module (memory 20))");
  if (huge) {
    wm_runtime_options o;
    memset(&o, 0, sizeof o);
    o.max_memory_pages = 10;
    wm_runtime *rt;
    CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
    rc = wm_instance_new(rt, huge, NULL, &inst, &err);
    CHECK_ERR(rc, err, WM_ELIMIT, "memory size");
    wm_runtime_free(rt);
  }
  wm_module_free(dmod);
  wm_module_free(emod);
  wm_module_free(smod);
  wm_module_free(huge);
}

/* ------------------------------------------------------------ re-entrancy */

/* A host function that calls back into wasm: down(n) = n ? cb(n-1) : 100
** and cb(m) = down(m) + 1, so down(n) = 100 + n through 2n nested calls. */
typedef struct reenter {
  wm_runtime *rt;
  wm_func *down;
  int depth, max_depth;
} reenter;

static int host_cb(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  reenter *r = data;
  wm_val res;
  wm_error err;
  (void)ctx;
  if (++r->depth > r->max_depth) r->max_depth = r->depth;
  int rc = wm_func_call(r->rt, r->down, args, 1, &res, 1, &err);
  r->depth--;
  if (rc) return wm_call_ctx_trap(ctx, rc, "%s", err.message);
  results[0] = wm_val_i32(res.of.i32 + 1);
  return 0;
}

static void test_reentry(void) {
  wm_module *mod = load_wat(
      "(module (import \"env\" \"cb\" (func $cb (param i32) (result i32)))\n"
      "  (func (export \"down\") (param i32) (result i32)\n"
      "    local.get 0 i32.eqz if (result i32) i32.const 100\n"
      "    else local.get 0 i32.const 1 i32.sub call $cb end)\n"
      "  (func (export \"boom\") unreachable))\n");
  if (!mod) return;
  reenter r;
  memset(&r, 0, sizeof r);
  wm_error err;
  CHECK(wm_runtime_new(NULL, &r.rt, NULL) == WM_OK);
  wm_valtype p[] = {WM_I32};
  wm_functype ft = {1, 1, p, p};
  wm_func *cb;
  CHECK(wm_func_new_host(r.rt, &ft, host_cb, &r, &cb, NULL) == WM_OK);
  CHECK(wm_runtime_define_func(r.rt, "env", "cb", cb, NULL) == WM_OK);
  wm_instance *inst = NULL;
  CHECK(wm_instance_new(r.rt, mod, NULL, &inst, &err) == WM_OK);
  r.down = inst ? wm_instance_func(inst, "down") : NULL;
  if (r.down) {
    wm_val a = wm_val_i32(20), res;
    CHECK(wm_func_call(r.rt, r.down, &a, 1, &res, 1, &err) == WM_OK && res.of.i32 == 120);
    CHECK(r.max_depth == 20);
    CHECK(r.rt->stack_top == r.rt->stack && r.rt->nframes == 0);
    /* A trap, then the runtime is still usable. */
    int rc = wm_func_call(r.rt, wm_instance_func(inst, "boom"), NULL, 0, NULL, 0, &err);
    CHECK_ERR(rc, err, WM_TRAP_UNREACHABLE, "unreachable");
    CHECK(r.rt->stack_top == r.rt->stack && r.rt->nframes == 0);
    a = wm_val_i32(3);
    CHECK(wm_func_call(r.rt, r.down, &a, 1, &res, 1, &err) == WM_OK && res.of.i32 == 103);
  }
  wm_runtime_free(r.rt);
  wm_module_free(mod);
}

/* ------------------------------------------------------------ alloc failures */

/*
** Make a runtime, define the imports, instantiate and run: with the Nth
** allocation failing for N = 0, 1, ... until everything succeeds. Every
** failure must be a clean WM_ENOMEM (the sanitizer or valgrind build checks
** that nothing leaks).
*/
static void test_alloc_failures(void) {
  wm_module *mod = load_wat(importer_wat);
  wm_module *seg = load_wat(segments_wat);
  if (!mod || !seg) {
    wm_module_free(mod);
    wm_module_free(seg);
    return;
  }
  int bad = 0;
  long n;
  for (n = 0; n < 10000; n++) {
    wm_error err;
    env e;
    wm_instance *i1 = NULL, *i2 = NULL;
    wm__alloc_fail_after(n);
    int rc = env_make(&e, &err);
    if (rc == 0) rc = wm_instance_new(e.rt, mod, NULL, &i1, &err);
    if (rc == 0) rc = wm_instance_new(e.rt, seg, NULL, &i2, &err);
    if (rc == 0) rc = wm_runtime_register(e.rt, "seg", i2, &err);
    wm__alloc_fail_after(-1);
    if (rc == 0) {
      wm_val a = wm_val_i32(1), r;
      CHECK(wm_func_call(e.rt, wm_instance_func(i1, "call_f"), &a, 1, &r, 1, &err) == 0);
      CHECK(r.of.i32 == 2);
      wm_runtime_free(e.rt);
      break;
    }
    if (rc != WM_ENOMEM || err.code != WM_ENOMEM) {
      bad++;
      fprintf(stderr, "alloc failure %ld: rc %d (%s)\n", n, rc, err.message);
    }
    wm_runtime_free(e.rt);
  }
  CHECK(bad == 0);
  CHECK(n > 10 && n < 10000);
  printf("allocation failure injected at %ld points\n", n);
  wm_module_free(mod);
  wm_module_free(seg);
}

/* WASI is defined in a runtime as one host module (wm_wasi_define): its
** names resolve at instantiation, each function made once per runtime;
** the latest definition of a name wins over an earlier one, whichever of
** the two is the host module; a name the host module lacks falls through
** to a plain binding; a function made while resolving that cannot be
** (out of memory) fails the instantiation with WM_ENOMEM. */
static int host_exit(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)results;
  *(int *)data = args[0].of.i32;
  return 0;
}

static int host_extra(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)args;
  (void)data;
  results[0] = wm_val_i32(99);
  return 0;
}

static const char wasi_imp_wat[] =
    "(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"sched_yield\" (func $y (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"extra\" (func $x (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"exit\") (param i32) (call $exit (local.get 0)))\n"
    "  (func (export \"yield\") (result i32) (call $y))\n"
    "  (func (export \"extra\") (result i32) (call $x)))\n";

/* Make a runtime with WASI (w) and plain bindings of proc_exit (before
** WASI when `before`, else after) and of "extra", and instantiate. */
static int wasi_bindings_make(wm_module *mod, wm_wasi *w, bool before, int *seen, wm_runtime **rt,
                              wm_instance **inst, wm_error *err) {
  static const wm_valtype i32[] = {WM_I32};
  wm_functype te = {1, 0, i32, NULL}, tx = {0, 1, NULL, i32};
  wm_func *fe, *fx;
  int rc = wm_runtime_new(NULL, rt, err);
  if (!rc && !before) rc = wm_wasi_define(w, *rt, err);
  if (!rc) rc = wm_func_new_host(*rt, &te, host_exit, seen, &fe, err);
  if (!rc) rc = wm_func_new_host(*rt, &tx, host_extra, NULL, &fx, err);
  if (!rc) rc = wm_runtime_define_func(*rt, "wasi_snapshot_preview1", "proc_exit", fe, err);
  if (!rc) rc = wm_runtime_define_func(*rt, "wasi_snapshot_preview1", "extra", fx, err);
  if (!rc && before) rc = wm_wasi_define(w, *rt, err);
  if (!rc) rc = wm_instance_new(*rt, mod, NULL, inst, err);
  return rc;
}

static void test_wasi_bindings(void) {
  wm_module *mod = load_wat(wasi_imp_wat);
  wm_wasi *w = NULL;
  wm_error err;
  CHECK(wm_wasi_new(&w, &err) == WM_OK);
  if (!mod || !w) {
    wm_module_free(mod);
    wm_wasi_free(w);
    return;
  }
  for (int before = 0; before < 2; before++) {
    wm_runtime *rt = NULL;
    wm_instance *inst = NULL;
    int seen = -1;
    CHECK(wasi_bindings_make(mod, w, before, &seen, &rt, &inst, &err) == WM_OK);
    if (!inst) {
      wm_runtime_free(rt);
      continue;
    }
    wm_val a = wm_val_i32(5), r;
    int rc = wm_func_call(rt, wm_instance_func(inst, "exit"), &a, 1, NULL, 0, &err);
    int code = -1;
    if (before) { /* WASI's proc_exit, defined last */
      CHECK(rc == WM_TRAP_EXIT && seen == -1 && wm_wasi_exit_code(w, &code) && code == 5);
    } else { /* the plain binding, defined last */
      CHECK(rc == WM_OK && seen == 5);
    }
    CHECK(wm_func_call(rt, wm_instance_func(inst, "yield"), NULL, 0, &r, 1, &err) == WM_OK &&
          r.of.i32 == 0);
    CHECK(wm_func_call(rt, wm_instance_func(inst, "extra"), NULL, 0, &r, 1, &err) == WM_OK &&
          r.of.i32 == 99);
    /* A second instance gets the same function objects. */
    wm_instance *inst2 = NULL;
    CHECK(wm_instance_new(rt, mod, NULL, &inst2, &err) == WM_OK);
    CHECK(inst2 && inst2->funcs[1] == inst->funcs[1]);
    wm_runtime_free(rt);
  }

  /* A WASI name with the wrong type, and one WASI does not have. */
  wm_module *bad = load_wat("(module (import \"wasi_snapshot_preview1\" \"fd_close\""
                            " (func (param i64) (result i32))))");
  wm_module *unk = load_wat("(module (import \"wasi_snapshot_preview1\" \"fd_closed\""
                            " (func (param i32) (result i32))))");
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK && wm_wasi_define(w, rt, &err) == WM_OK);
  if (bad)
    CHECK_ERR(wm_instance_new(rt, bad, NULL, &inst, &err), err, WM_EINCOMPATIBLE_IMPORT,
              "fd_close");
  if (unk)
    CHECK_ERR(wm_instance_new(rt, unk, NULL, &inst, &err), err, WM_EUNKNOWN_IMPORT, "fd_closed");
  wm_runtime_free(rt);
  wm_module_free(unk);

  /* Out of memory while a WASI function is made at instantiation: the
  ** module's own types are interned first, so only an import whose type
  ** differs from WASI's makes resolving allocate (the type interned). */
  long n;
  int bad_rc = 0;
  for (n = 0; bad && n < 1000; n++) {
    rt = NULL;
    inst = NULL;
    int rc = wm_runtime_new(NULL, &rt, &err);
    if (!rc) rc = wm_wasi_define(w, rt, &err);
    wm__alloc_fail_after(n);
    if (!rc) rc = wm_instance_new(rt, bad, NULL, &inst, &err);
    wm__alloc_fail_after(-1);
    wm_runtime_free(rt);
    if (rc == WM_EINCOMPATIBLE_IMPORT) break; /* nothing failed */
    if (rc != WM_ENOMEM || err.code != WM_ENOMEM) bad_rc++;
  }
  CHECK(bad_rc == 0 && n > 2 && n < 1000);
  wm_module_free(bad);
  wm_module_free(mod);
  wm_wasi_free(w);
}

/* Export names are byte strings: one holding NUL bytes is found only by the
** length-taking lookup, and the kind must match too. */
static void test_export_names(void) {
  wm_module *m = load_wat("(module (func (export \"a\\00b\") (result i32) i32.const 7)"
                          " (memory (export \"a\") 1))");
  CHECK(m != NULL);
  if (!m) return;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, m, NULL, &inst, NULL) == WM_OK);
  wm_func *f = wm_instance_export(inst, "a\0b", 3, WM_EXTERN_FUNC);
  CHECK(f != NULL);
  wm_val r;
  if (f) CHECK(wm_func_call(rt, f, NULL, 0, &r, 1, NULL) == WM_OK && r.of.i32 == 7);
  CHECK(wm_instance_func(inst, "a") == NULL);           /* "a" is the memory */
  CHECK(wm_instance_export(inst, "a", 1, WM_EXTERN_MEMORY) == wm_instance_memory(inst, "a"));
  CHECK(wm_instance_export(inst, "a\0b", 2, WM_EXTERN_FUNC) == NULL);
  CHECK(wm_instance_export(inst, NULL, 0, WM_EXTERN_FUNC) == NULL);
  wm_runtime_free(rt);
  wm_module_free(m);
}

/* Module introspection: index spaces with imports first, segments, and
** out-of-range indexes. */
static void test_module_info(void) {
  wm_module *m = load_wat("(module (import \"e\" \"m\" (memory 1)) (global i32 (i32.const 1))"
                          " (table 3 externref) (data (i32.const 8) \"abc\") (data \"z\")"
                          " (func $f) (elem declare func $f))");
  CHECK(m != NULL);
  if (!m) return;
  wm_module_info info;
  wm_module_get_info(m, &info);
  CHECK(info.nmems == 1 && info.nmem_imports == 1 && info.nglobals == 1 && info.ntables == 1);
  CHECK(info.nfuncs == 1 && info.ndatas == 2 && info.nelems == 1 && !info.has_start);
  wm_extern_desc d;
  CHECK(wm_module_entity(m, WM_EXTERN_MEMORY, 0, &d) == WM_OK && d.limits.min == 1 && !d.limits.has_max);
  CHECK(wm_module_entity(m, WM_EXTERN_TABLE, 0, &d) == WM_OK && d.elem_type == WM_EXTERNREF);
  CHECK(wm_module_entity(m, WM_EXTERN_GLOBAL, 1, &d) == WM_EINVAL);
  CHECK(wm_module_entity(m, (wm_externkind)9, 0, &d) == WM_EINVAL);
  wm_segment_desc s;
  CHECK(wm_module_data(m, 0, &s) == WM_OK && s.mode == WM_SEGMENT_ACTIVE && s.offset_known &&
        s.offset == 8 && s.count == 3);
  CHECK(wm_module_data(m, 1, &s) == WM_OK && s.mode == WM_SEGMENT_PASSIVE && s.count == 1);
  CHECK(wm_module_data(m, 2, &s) == WM_EINVAL);
  CHECK(wm_module_elem(m, 0, &s) == WM_OK && s.mode == WM_SEGMENT_DECLARATIVE && s.elem_type == WM_FUNCREF);
  CHECK(wm_module_elem(m, 1, &s) == WM_EINVAL);
  wm_module_free(m);
}

/* ------------------------------------------------------ typed references */

/* A typed reference parameter (WebAssembly 3.0) takes a WM_FUNCREF value:
** not null where the type is non-null, a function of the right type (or
** a subtype) for a concrete one. Results come back as WM_FUNCREF. The
** module is text, which wm_module_load reads itself. */
static void test_typed_refs(void) {
  static const char wat[] =
      "(module (type $t (func (result i32))) (type $u (func (param i32)))"
      " (func $k (type $t) (i32.const 42)) (func $v (type $u))"
      " (elem declare func $k)"
      " (func (export \"call\") (param (ref $t)) (result i32) (call_ref $t (local.get 0)))"
      " (func (export \"maybe\") (param (ref null $t)) (result i32)"
      "   (if (result i32) (ref.is_null (local.get 0)) (then (i32.const -1))"
      "     (else (call_ref $t (local.get 0)))))"
      " (func (export \"any\") (param (ref func)) (result (ref func)) (local.get 0))"
      " (func (export \"k\") (result (ref $t)) (ref.func $k))"
      " (func (export \"v\") (type $u))"
      " (table (export \"tab\") 1 (ref null $t))"
      " (global (export \"g\") (mut (ref null $t)) (ref.null $t))"
      " (global (export \"ga\") (mut anyref) (ref.null any))"
      " (func (export \"anyp\") (param anyref) (result i32) (ref.is_null (local.get 0))))";
  wm_runtime *rt = NULL;
  wm_module *mod = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  CHECK(wm_module_load((const uint8_t *)wat, sizeof wat - 1, NULL, &mod, &err) == WM_OK);
  if (!mod) {
    fprintf(stderr, "  %s\n", err.message);
    wm_runtime_free(rt);
    return;
  }
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == WM_OK);
  wm_func *call = wm_instance_func(inst, "call"), *maybe = wm_instance_func(inst, "maybe");
  wm_func *any = wm_instance_func(inst, "any"), *k = wm_instance_func(inst, "k");
  wm_func *v = wm_instance_func(inst, "v");
  CHECK(call && maybe && any && k && v);
  wm_val r, kref;
  CHECK(wm_func_call(rt, k, NULL, 0, &kref, 1, &err) == WM_OK && kref.type == WM_FUNCREF &&
        kref.of.ref != NULL);
  CHECK(wm_func_call(rt, call, &kref, 1, &r, 1, &err) == WM_OK && r.of.i32 == 42);
  CHECK(wm_func_call(rt, maybe, &kref, 1, &r, 1, &err) == WM_OK && r.of.i32 == 42);
  wm_val null = {.type = WM_FUNCREF};
  CHECK(wm_func_call(rt, maybe, &null, 1, &r, 1, &err) == WM_OK && r.of.i32 == -1);
  CHECK_ERR(wm_func_call(rt, call, &null, 1, &r, 1, &err), err, WM_ETYPE, "null reference");
  wm_val vref = {.type = WM_FUNCREF};
  vref.of.ref = v;
  CHECK_ERR(wm_func_call(rt, call, &vref, 1, &r, 1, &err), err, WM_ETYPE, "of another type");
  wm_val ext = {.type = WM_EXTERNREF};
  CHECK_ERR(wm_func_call(rt, call, &ext, 1, &r, 1, &err), err, WM_ETYPE, "expected (ref $0)");
  CHECK(wm_func_call(rt, any, &vref, 1, &r, 1, &err) == WM_OK && r.type == WM_FUNCREF &&
        r.of.ref == v);
  CHECK_ERR(wm_func_call(rt, any, &null, 1, &r, 1, &err), err, WM_ETYPE, "(ref func)");
  /* A table or global of a concrete function type takes functions of
  ** that type (or null) from the host, no other. */
  wm_table *tab = wm_instance_table(inst, "tab");
  wm_global *g = wm_instance_global(inst, "g");
  CHECK(tab && g);
  if (tab && g) {
    CHECK_ERR(wm_table_set(tab, 0, vref, &err), err, WM_ETYPE, "a function of another type");
    CHECK(wm_table_set(tab, 0, kref, &err) == WM_OK && wm_table_set(tab, 0, null, &err) == WM_OK);
    CHECK_ERR(wm_table_set(tab, 0, ext, &err), err, WM_ETYPE, "cannot hold a externref");
    CHECK_ERR(wm_global_set(g, vref, &err), err, WM_ETYPE, "a function of another type");
    CHECK(wm_global_set(g, kref, &err) == WM_OK && wm_global_get(g).of.ref == kref.of.ref);
  }
  /* GC references: null and i31s cross the API, objects of the runtime
  ** too (test_gc_api); a pointer of the host's is refused. */
  wm_func *anyp = wm_instance_func(inst, "anyp");
  wm_global *ga = wm_instance_global(inst, "ga");
  wm_val anull = {.type = WM_ANYREF}, aref = {.type = WM_ANYREF};
  aref.of.ref = &r;
  CHECK(anyp && ga);
  if (anyp && ga) {
    CHECK(wm_func_call(rt, anyp, &anull, 1, &r, 1, &err) == WM_OK && r.of.i32 == 1);
    CHECK_ERR(wm_func_call(rt, anyp, &aref, 1, &r, 1, &err), err, WM_ETYPE, "neither an i31");
    wm_val i31 = {.type = WM_ANYREF};
    i31.of.ref = wm_anyref_i31(7);
    CHECK(wm_func_call(rt, anyp, &i31, 1, &r, 1, &err) == WM_OK && r.of.i32 == 0);
    CHECK(wm_global_get(ga).type == WM_ANYREF && wm_global_get(ga).of.ref == NULL);
    CHECK(wm_global_set(ga, anull, &err) == WM_OK);
    CHECK_ERR(wm_global_set(ga, aref, &err), err, WM_ETYPE, "neither an i31");
  }
  wm_global *gn = NULL;
  wm_table *tn = NULL;
  CHECK_ERR(wm_global_new(rt, aref, true, &gn, &err), err, WM_ETYPE, "neither an i31");
  CHECK(wm_global_new(rt, anull, true, &gn, &err) == WM_OK && gn);
  wm_limits lim = {1, 1, true, false, false};
  CHECK_ERR(wm_table_new(rt, WM_ANYREF, lim, &r, &tn, &err), err, WM_ETYPE, "neither an i31");
  CHECK(wm_table_new(rt, WM_ANYREF, lim, NULL, &tn, &err) == WM_OK && tn);
  wm_module_free(mod);
  wm_runtime_free(rt);
}

/* Objects of another runtime: an interned type id means nothing outside
** its runtime, so a function or tag of another matches an import by
** structure, where structure is identity, and a table or global of typed
** references does not match at all. Equal ids of two runtimes used to let
** a function of the wrong type in. */
static wm_module *cross_mods[16];
static int ncross_mods;

/* An instance of wat in rt; its module freed at the test's end. */
static int cross_inst(wm_runtime *rt, const char *wat, wm_instance **inst, wm_error *err) {
  wm_module *mod = NULL;
  int rc = wm_module_load((const uint8_t *)wat, strlen(wat), NULL, &mod, err);
  if (rc) return rc;
  if (ncross_mods == (int)(sizeof cross_mods / sizeof *cross_mods)) {
    wm_module_free(mod);
    return WM_ENOMEM; /* the test's own table is full: make it larger */
  }
  cross_mods[ncross_mods++] = mod;
  return wm_instance_new(rt, mod, NULL, inst, err);
}

static void test_cross_runtime(void) {
  wm_runtime *ra = NULL, *rb = NULL;
  wm_instance *ia = NULL, *ib = NULL;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &ra, NULL) == 0);
  /* In ra (explicit types first): $s is type 0, the tag's (i32) -> () 1,
  ** f's () -> i32 2. */
  CHECK(cross_inst(ra,
                   "(module (tag (export \"t\") (param i32))"
                   " (func (export \"f\") (result i32) (i32.const 42))"
                   " (type $s (sub (func (result i32))))"
                   " (func (export \"sub\") (type $s) (i32.const 7))"
                   " (table (export \"tab\") 1 (ref null $s))"
                   " (table (export \"atab\") 1 anyref) (global (export \"ag\") anyref (ref.null any))"
                   " (func (export \"anyf\") (param anyref)))",
                   &ia, &err) == 0);
  if (!ia) {
    wm_runtime_free(ra);
    while (ncross_mods) wm_module_free(cross_mods[--ncross_mods]);
    return;
  }
  wm_func *hf = NULL;
  wm_valtype i32 = WM_I32;
  wm_functype ft = {0, 1, NULL, &i32};
  CHECK(wm_func_new_host(ra, &ft, host_nop, NULL, &hf, &err) == 0);
  /* In ra, explicit types first: $s is 0, the tag's 1, f's () -> i32 2.
  ** Here f's type is 0 and $c, (i64 i64) -> i64, is 2: f's id in ra. */
  const char *ok_b = "(module (type $a (func (result i32))) (type $b (func (param i32)))"
                     " (type $c (func (param i64 i64) (result i64)))"
                     " (import \"a\" \"f\" (func $f (type $a)))"
                     " (import \"a\" \"t\" (tag (type $b)))"
                     " (import \"a\" \"h\" (func $h (type $a)))"
                     " (table 2 funcref) (elem (i32.const 0) $f $h)"
                     " (func (export \"g\") (result i32) (call $f))"
                     " (func (export \"ci\") (param i32) (result i32)"
                     "  (call_indirect (type $a) (local.get 0)))"
                     " (func (export \"bad\") (param i32) (result i64)"
                     "  (call_indirect (type $c) (i64.const 5) (i64.const 6) (local.get 0))))";
  struct {
    const char *wat, *msg;
  } bad[] = {
      /* Type 2 here too, but (i64 i64) -> (i64): the ids are equal. */
      {"(module (type (func)) (type (func (param i32)))"
       " (type (func (param i64 i64) (result i64))) (import \"a\" \"f\" (func (type 2))))",
       "expected func (i64, i64) -> (i64), got func () -> (i32)"},
      {"(module (import \"a\" \"t\" (tag (param i64))))", "expected tag"},
      /* A declared subtype is not identity by structure. */
      {"(module (type $s (sub (func (result i32)))) (import \"a\" \"sub\" (func (type $s))))",
       "expected func"},
      {"(module (type $s (sub (func (result i32)))) (import \"a\" \"tab\" (table 1 (ref null $s))))",
       "a table of typed or GC references from another runtime"},
      /* No GC reference crosses between runtimes (objects and their type
      ** ids are the runtime's). */
      {"(module (import \"a\" \"atab\" (table 1 anyref)))",
       "a table of typed or GC references from another runtime"},
      {"(module (import \"a\" \"ag\" (global anyref)))",
       "a global of a typed or GC reference from another runtime"},
      {"(module (import \"a\" \"anyf\" (func (param anyref))))", "expected func"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK(wm_runtime_new(NULL, &rb, NULL) == 0);
    CHECK(wm_runtime_register(rb, "a", ia, &err) == 0);
    CHECK(cross_inst(rb, bad[i].wat, &ib, &err) == WM_EINCOMPATIBLE_IMPORT &&
          strstr(err.message, bad[i].msg));
    wm_runtime_free(rb);
    rb = NULL;
  }
  /* The right types link, though their ids differ (0 here, 1 in ra). */
  CHECK(wm_runtime_new(NULL, &rb, NULL) == 0);
  CHECK(wm_runtime_register(rb, "a", ia, &err) == 0);
  CHECK(wm_runtime_define_func(rb, "a", "h", hf, &err) == 0);
  ib = NULL;
  CHECK(cross_inst(rb, ok_b, &ib, &err) == 0);
  wm_val r;
  CHECK(ib && wm_func_call(rb, wm_instance_func(ib, "g"), NULL, 0, &r, 1, &err) == 0 &&
        r.of.i32 == 42);
  /* call_indirect compares types, not ids, across runtimes: the right one
  ** calls (ids 1 and 0), the wrong one traps although its id here is f's
  ** id in ra. */
  wm_val a = wm_val_i32(0);
  CHECK(ib && wm_func_call(rb, wm_instance_func(ib, "ci"), &a, 1, &r, 1, &err) == 0 &&
        r.of.i32 == 42);
  a = wm_val_i32(1); /* host_nop sets no result: an error past the type check */
  CHECK(ib && wm_func_call(rb, wm_instance_func(ib, "ci"), &a, 1, &r, 1, &err) != 0 &&
        strstr(err.message, "host function returned result 0 with its type unset"));
  for (int32_t i = 0; i < 2; i++) {
    a = wm_val_i32(i);
    CHECK(ib && wm_func_call(rb, wm_instance_func(ib, "bad"), &a, 1, &r, 1, &err) ==
                    WM_TRAP_INDIRECT_CALL_TYPE);
  }
  wm_runtime_free(rb);
  wm_runtime_free(ra);
  while (ncross_mods) wm_module_free(cross_mods[--ncross_mods]);
}

/* A host function that returns the pointer in data as its anyref result. */
static int host_anyref(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)args;
  results[0].type = WM_ANYREF;
  results[0].of.ref = data;
  return 0;
}

/* Load wat and instantiate it in rt; on failure both are freed (false). */
static bool load_inst(wm_runtime *rt, const char *wat, wm_module **mod, wm_instance **inst) {
  wm_error err;
  CHECK(wm_module_load((const uint8_t *)wat, strlen(wat), NULL, mod, &err) == WM_OK);
  CHECK(*mod && wm_instance_new(rt, *mod, NULL, inst, &err) == WM_OK);
  if (*inst) return true;
  wm_module_free(*mod);
  wm_runtime_free(rt);
  return false;
}

/* GC's values across the API (wm_anyref_*), and the max_gc_bytes budget:
** objects made by calls and by constant expressions count against it,
** and a call past it traps with WM_TRAP_GC_MEMORY. */
static void test_gc_api(void) {
  static const char wat[] =
      "(module (type $s (struct (field i32)))"
      " (type $a (array (mut i64)))"
      " (global (export \"g\") (ref $s) (struct.new $s (i32.const 3)))"
      " (func (export \"mk\") (param i32) (result (ref $s)) (struct.new $s (local.get 0)))"
      " (func (export \"get\") (param (ref $s)) (result i32) (struct.get $s 0 (local.get 0)))"
      " (func (export \"arr\") (param i32) (result (ref $a)) (array.new_default $a (local.get 0)))"
      " (func (export \"ext\") (param anyref) (result externref) (extern.convert_any (local.get 0)))"
      " (func (export \"int\") (param externref) (result anyref) (any.convert_extern (local.get 0)))"
      " (func (export \"id\") (param anyref) (result anyref) (local.get 0)))";
  wm_runtime_options o = {0};
  o.max_gc_bytes = 4096;
  wm_runtime *rt = NULL;
  wm_module *mod = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  if (!load_inst(rt, wat, &mod, &inst)) return;
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  CHECK(u.gc_bytes > 0); /* the global's struct */
  uint64_t before = u.gc_bytes;
  wm_val a = {.type = WM_I32}, r, r2;
  a.of.i32 = 41;
  CHECK(wm_func_call(rt, wm_instance_func(inst, "mk"), &a, 1, &r, 1, &err) == WM_OK);
  CHECK(r.type == WM_ANYREF && wm_anyref_kind_of(rt, r.of.ref) == WM_ANY_STRUCT);
  CHECK(wm_func_call(rt, wm_instance_func(inst, "get"), &r, 1, &r2, 1, &err) == WM_OK &&
        r2.of.i32 == 41);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.gc_bytes > before);
  /* An i31 or a host reference is not a (ref $s); a foreign pointer is
  ** not an anyref of rt; null is not a (ref $s) either. */
  wm_val i31 = {.type = WM_ANYREF}, host = {.type = WM_ANYREF}, bad = {.type = WM_ANYREF};
  i31.of.ref = wm_anyref_i31((uint32_t)-5);
  CHECK(wm_anyref_kind_of(rt, i31.of.ref) == WM_ANY_I31 && wm_anyref_i31_value(i31.of.ref) == -5);
  int x = 0;
  CHECK(wm_anyref_host(rt, &x, &host.of.ref) == WM_OK);
  CHECK(wm_anyref_kind_of(rt, host.of.ref) == WM_ANY_HOST && wm_anyref_host_value(rt, host.of.ref) == &x);
  CHECK(wm_anyref_host_value(rt, r.of.ref) == NULL && wm_anyref_kind_of(rt, &x) == WM_ANY_FOREIGN);
  CHECK(wm_anyref_host(rt, NULL, &bad.of.ref) == WM_EINVAL);
  wm_func *get = wm_instance_func(inst, "get");
  CHECK_ERR(wm_func_call(rt, get, &i31, 1, &r2, 1, &err), err, WM_ETYPE, "a reference of another type");
  CHECK_ERR(wm_func_call(rt, get, &host, 1, &r2, 1, &err), err, WM_ETYPE, "a reference of another type");
  bad.of.ref = &x;
  CHECK_ERR(wm_func_call(rt, wm_instance_func(inst, "id"), &bad, 1, &r2, 1, &err), err, WM_ETYPE,
            "neither an i31");
  bad.of.ref = NULL;
  CHECK_ERR(wm_func_call(rt, get, &bad, 1, &r2, 1, &err), err, WM_ETYPE, "a null reference");
  /* Bit 0 set with bits above 31 is not an i31 wm_anyref_i31 could make
  ** (it would not ref.eq the same value made by ref.i31). */
  if (sizeof(void *) == 8) {
    bad.of.ref = (void *)(uintptr_t)((UINT64_C(1) << 40) | 3);
    CHECK(wm_anyref_kind_of(rt, bad.of.ref) == WM_ANY_FOREIGN);
    CHECK_ERR(wm_func_call(rt, wm_instance_func(inst, "id"), &bad, 1, &r2, 1, &err), err, WM_ETYPE,
              "neither an i31");
  }
  /* The conversions give the host its pointer back, and the object back. */
  CHECK(wm_func_call(rt, wm_instance_func(inst, "ext"), &host, 1, &r2, 1, &err) == WM_OK &&
        r2.type == WM_EXTERNREF && r2.of.ref == &x);
  wm_val e = r2;
  CHECK(wm_func_call(rt, wm_instance_func(inst, "int"), &e, 1, &r2, 1, &err) == WM_OK &&
        wm_anyref_host_value(rt, r2.of.ref) == &x);
  CHECK(wm_func_call(rt, wm_instance_func(inst, "ext"), &r, 1, &e, 1, &err) == WM_OK &&
        e.of.ref == r.of.ref);
  CHECK(wm_func_call(rt, wm_instance_func(inst, "id"), &i31, 1, &r2, 1, &err) == WM_OK &&
        r2.of.ref == i31.of.ref);
  /* A host that writes the parameter's own type instead of its kind is
  ** checked all the same; so are a global's and a table's initial values
  ** of any subtype of any, and a host function's anyref result. */
  wm_functype gt = wm_func_type(get);
  wm_val typed = {.type = gt.params[0]};
  typed.of.ref = &x;
  CHECK_ERR(wm_func_call(rt, get, &typed, 1, &r2, 1, &err), err, WM_ETYPE, "neither an i31");
  typed.of.ref = r.of.ref;
  CHECK(wm_func_call(rt, get, &typed, 1, &r2, 1, &err) == WM_OK && r2.of.i32 == 41);
  wm_global *gg = NULL;
  wm_val arr = {.type = (wm_valtype)0x6A};
  arr.of.ref = i31.of.ref;
  CHECK_ERR(wm_global_new(rt, arr, false, &gg, &err), err, WM_ETYPE, "a reference of another type");
  arr.of.ref = &x;
  CHECK_ERR(wm_global_new(rt, arr, false, &gg, &err), err, WM_ETYPE, "neither an i31");
  wm_table *tt = NULL;
  wm_limits lim1 = {1, 1, true, false, false};
  CHECK_ERR(wm_table_new(rt, (wm_valtype)0x6A, lim1, i31.of.ref, &tt, &err), err, WM_ETYPE,
            "a reference of another type");
  CHECK(wm_table_new(rt, (wm_valtype)0x6B, lim1, r.of.ref, &tt, &err) == WM_OK && tt);
  wm_valtype anyt = WM_ANYREF;
  wm_functype hft = {0, 1, NULL, &anyt};
  wm_func *hbad = NULL, *hgood = NULL;
  CHECK(wm_func_new_host(rt, &hft, host_anyref, &x, &hbad, &err) == WM_OK);
  CHECK(wm_func_new_host(rt, &hft, host_anyref, r.of.ref, &hgood, &err) == WM_OK);
  if (hbad && hgood) {
    CHECK_ERR(wm_func_call(rt, hbad, NULL, 0, &r2, 1, &err), err, WM_TRAP_HOST, "neither an i31");
    CHECK(wm_func_call(rt, hgood, NULL, 0, &r2, 1, &err) == WM_OK && r2.of.ref == r.of.ref);
  }
  wm_functype tagt = {1, 0, &anyt, NULL};
  wm_tag *tag = NULL;
  CHECK(wm_tag_new(rt, &tagt, &tag, &err) == WM_OK);
  if (tag) {
    wm_val foreign = {.type = WM_ANYREF};
    foreign.of.ref = &x;
    CHECK_ERR(wm_runtime_throw(rt, tag, &foreign, 1, &err), err, WM_ETYPE, "neither an i31");
    CHECK(wm_runtime_throw(rt, tag, &r, 1, &err) == WM_EXCEPTION);
    wm_runtime_exception_clear(rt);
  }
  /* The budget: 4 KiB holds a 400-element i64 array but not a 600-element one. */
  a.of.i32 = 400;
  CHECK(wm_func_call(rt, wm_instance_func(inst, "arr"), &a, 1, &r2, 1, &err) == WM_OK);
  a.of.i32 = 600;
  CHECK_ERR(wm_func_call(rt, wm_instance_func(inst, "arr"), &a, 1, &r2, 1, &err), err,
            WM_TRAP_GC_MEMORY, "out of GC memory");
  a.of.i32 = -1; /* 2^32 - 1 elements: past any budget, no overflow */
  CHECK_ERR(wm_func_call(rt, wm_instance_func(inst, "arr"), &a, 1, &r2, 1, &err), err,
            WM_TRAP_GC_MEMORY, "out of GC memory");
  wm_runtime_free(rt);
  /* A constant expression's object past the budget fails instantiation. */
  o.max_gc_bytes = 8;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  inst = NULL;
  CHECK_ERR(wm_instance_new(rt, mod, NULL, &inst, &err), err, WM_TRAP_GC_MEMORY, "out of GC memory");
  CHECK(inst == NULL);
  wm_runtime_free(rt);
  wm_module_free(mod);
}

/* A host function that collects while its guest caller waits: the
** arguments it got, on the value stack, survive. */
static int hcollect_rc;
static int host_collect(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  hcollect_rc = wm_runtime_collect(data);
  results[0] = args[0];
  return 0;
}

/* A host function that calls relay_target, which throws, collects while
** the exception is pending, and lets it through to its caller. */
static wm_func *relay_target;
static int host_relay(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)args;
  (void)results;
  wm_error err;
  int rc = wm_func_call(data, relay_target, NULL, 0, NULL, 0, &err);
  if (rc == WM_EXCEPTION && wm_runtime_collect(data) == WM_OK) return WM_EXCEPTION;
  return -1;
}

/* The collector (collect.c) through the API: garbage past the budget is
** reclaimed, pins keep what the host holds, a stale reference is refused,
** cycles between objects and kept exceptions go, a host global and a
** host function's arguments are roots, and a runtime sharing values with
** another does not collect. */
static void test_gc_collect(void) {
  static const char wat[] =
      "(module (type $s (struct (field i32)))"
      " (type $h (struct (field (mut exnref))))"
      " (import \"host\" \"collect\" (func $hc (param anyref) (result anyref)))"
      " (import \"host\" \"relay\" (func $relay))"
      " (tag $t (param (ref null $h)))"
      " (tag $ts (param (ref null $s)))"
      " (func (export \"thrower\") (throw $ts (struct.new $s (i32.const 99))))"
      " (func (export \"outer\") (result i32)"
      "  (block $c (result (ref null $s))"
      "   (try_table (catch $ts $c) (call $relay)) (unreachable))"
      "  (struct.get $s 0))"
      " (func (export \"mk\") (param i32) (result (ref $s)) (struct.new $s (local.get 0)))"
      " (func (export \"get\") (param (ref $s)) (result i32) (struct.get $s 0 (local.get 0)))"
      " (func (export \"garbage\") (param $n i32)"
      "  (loop $l (drop (struct.new $s (i32.const -1)))"
      "   (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))"
      " (func (export \"cycles\") (param $n i32) (local $o (ref null $h))"
      "  (loop $l"
      "   (local.set $o (struct.new $h (ref.null exn)))"
      "   (block $c (result (ref null $h) exnref)"
      "    (try_table (catch_ref $t $c) (throw $t (local.get $o))) (unreachable))"
      "   (struct.set $h 0)"
      "   (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))"
      " (func (export \"viahost\") (param i32) (result i32)"
      "  (struct.get $s 0 (ref.cast (ref $s) (call $hc (struct.new $s (local.get 0)))))))";
  wm_runtime_options o = {0};
  o.max_gc_bytes = 64 * 1024;
  wm_runtime *rt = NULL;
  wm_module *mod = NULL;
  wm_instance *inst = NULL;
  wm_func *hf = NULL;
  wm_error err;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  wm_valtype anyt = WM_ANYREF;
  wm_functype hct = {1, 1, &anyt, &anyt};
  CHECK(wm_func_new_host(rt, &hct, host_collect, rt, &hf, &err) == WM_OK);
  CHECK(wm_runtime_define_func(rt, "host", "collect", hf, &err) == WM_OK);
  wm_functype vt = {0, 0, NULL, NULL};
  CHECK(wm_func_new_host(rt, &vt, host_relay, rt, &hf, &err) == WM_OK);
  CHECK(wm_runtime_define_func(rt, "host", "relay", hf, &err) == WM_OK);
  if (!load_inst(rt, wat, &mod, &inst)) return;
  wm_func *mk = wm_instance_func(inst, "mk"), *get = wm_instance_func(inst, "get");
  wm_runtime_usage u;
  wm_val a = {.type = WM_I32}, kept, loose, r;
  /* Garbage 50 times the budget. */
  a.of.i32 = 100000; /* 32 bytes each */
  CHECK(wm_func_call(rt, wm_instance_func(inst, "garbage"), &a, 1, NULL, 0, &err) == WM_OK);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.gc_bytes <= o.max_gc_bytes && u.gc_collections >= 40);
  /* A pinned result survives a collection; an unpinned one is refused
  ** afterwards (freed, not mistaken for an object). */
  a.of.i32 = 5;
  CHECK(wm_func_call(rt, mk, &a, 1, &kept, 1, &err) == WM_OK);
  a.of.i32 = 6;
  CHECK(wm_func_call(rt, mk, &a, 1, &loose, 1, &err) == WM_OK);
  CHECK(wm_ref_pin(rt, kept.of.ref) == WM_OK && wm_ref_pin(rt, kept.of.ref) == WM_OK);
  CHECK(wm_runtime_collect(rt) == WM_OK);
  CHECK(wm_func_call(rt, get, &kept, 1, &r, 1, &err) == WM_OK && r.of.i32 == 5);
  CHECK_ERR(wm_func_call(rt, get, &loose, 1, &r, 1, &err), err, WM_ETYPE, "neither an i31");
  CHECK(wm_anyref_kind_of(rt, loose.of.ref) == WM_ANY_FOREIGN);
  /* Pins count: one unpin of two keeps it. */
  CHECK(wm_ref_unpin(rt, kept.of.ref) == WM_OK);
  CHECK(wm_runtime_collect(rt) == WM_OK);
  CHECK(wm_func_call(rt, get, &kept, 1, &r, 1, &err) == WM_OK && r.of.i32 == 5);
  /* A host global keeps what it holds without a pin. */
  wm_global *hg = NULL;
  CHECK(wm_global_new(rt, kept, true, &hg, &err) == WM_OK);
  CHECK(wm_ref_unpin(rt, kept.of.ref) == WM_OK);
  CHECK(wm_ref_unpin(rt, kept.of.ref) == WM_ENOT_FOUND);
  CHECK(wm_runtime_collect(rt) == WM_OK);
  if (hg) {
    wm_val gv = wm_global_get(hg);
    CHECK(wm_anyref_kind_of(rt, gv.of.ref) == WM_ANY_STRUCT);
    CHECK(wm_func_call(rt, get, &gv, 1, &r, 1, &err) == WM_OK && r.of.i32 == 5);
  }
  /* Pinning: NULL and i31s need nothing; a pointer not rt's is refused. */
  int x = 0;
  CHECK(wm_ref_pin(rt, NULL) == WM_OK && wm_ref_pin(rt, wm_anyref_i31(3)) == WM_OK);
  CHECK(wm_ref_pin(rt, &x) == WM_EINVAL && wm_ref_pin(NULL, &x) == WM_EINVAL);
  CHECK(wm_ref_unpin(rt, &x) == WM_ENOT_FOUND && wm_runtime_collect(NULL) == WM_EINVAL);
  /* An object and a kept exception naming each other are garbage too:
  ** 5,000 such pairs, then nothing is left of them. */
  a.of.i32 = 5000;
  CHECK(wm_func_call(rt, wm_instance_func(inst, "cycles"), &a, 1, NULL, 0, &err) == WM_OK);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.exceptions < 5000);
  CHECK(wm_runtime_collect(rt) == WM_OK);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.exceptions == 0);
  /* The global's struct (32 bytes with its header) is all that is live. */
  CHECK(u.gc_bytes == 32);
  /* A host function collecting in the middle of a call. */
  a.of.i32 = 77;
  hcollect_rc = 1;
  CHECK(wm_func_call(rt, wm_instance_func(inst, "viahost"), &a, 1, &r, 1, &err) == WM_OK &&
        r.of.i32 == 77 && hcollect_rc == WM_OK);
  /* A pending exception's payload is a root: the host collects between
  ** a nested call's exception and letting it through. */
  relay_target = wm_instance_func(inst, "thrower");
  CHECK(wm_func_call(rt, wm_instance_func(inst, "outer"), NULL, 0, &r, 1, &err) == WM_OK &&
        r.of.i32 == 99);
  wm_runtime_free(rt);
  wm_module_free(mod);

  /* Two runtimes whose values may meet never collect: linked by a
  ** function import, by a table or global of references, or once a
  ** function of one has run on the other's stack (a funcref the host put
  ** in a table, wm_func_call with another runtime's function). */
  static const char *const links[][2] = {
      {"(module (func (export \"f\")))", "(module (import \"a\" \"f\" (func)))"},
      {"(module (table (export \"f\") 1 funcref))", "(module (import \"a\" \"f\" (table 1 funcref)))"},
      {"(module (global (export \"f\") (mut externref) (ref.null extern)))",
       "(module (import \"a\" \"f\" (global (mut externref))))"},
  };
  for (int k = 0; k < 5; k++) {
    wm_runtime *ra = NULL, *rb = NULL;
    wm_instance *ia = NULL, *ib = NULL;
    CHECK(wm_runtime_new(NULL, &ra, NULL) == WM_OK && wm_runtime_new(NULL, &rb, NULL) == WM_OK);
    if (k < 3) {
      CHECK(cross_inst(ra, links[k][0], &ia, &err) == WM_OK);
      CHECK(wm_runtime_collect(ra) == WM_OK);
      if (ia && k == 0) CHECK(wm_runtime_define_func(rb, "a", "f", wm_instance_func(ia, "f"), &err) == WM_OK);
      if (ia && k == 1) CHECK(wm_runtime_define_table(rb, "a", "f", wm_instance_table(ia, "f"), &err) == WM_OK);
      if (ia && k == 2)
        CHECK(wm_runtime_define_global(rb, "a", "f", wm_instance_global(ia, "f"), &err) == WM_OK);
      CHECK(cross_inst(rb, links[k][1], &ib, &err) == WM_OK);
    } else {
      CHECK(cross_inst(ra,
                       "(module (type $t (func)) (table (export \"tab\") 1 funcref)"
                       " (func (export \"go\") (call_indirect (type $t) (i32.const 0))))",
                       &ia, &err) == WM_OK);
      CHECK(cross_inst(rb, "(module (func (export \"f\")))", &ib, &err) == WM_OK);
      CHECK(wm_runtime_collect(ra) == WM_OK && wm_runtime_collect(rb) == WM_OK);
      if (ia && ib && k == 3) {
        wm_val fv = {.type = WM_FUNCREF};
        fv.of.ref = wm_instance_func(ib, "f");
        CHECK(wm_table_set(wm_instance_table(ia, "tab"), 0, fv, &err) == WM_OK);
        CHECK(wm_runtime_collect(ra) == WM_OK); /* not yet: nothing ran */
        CHECK(wm_func_call(ra, wm_instance_func(ia, "go"), NULL, 0, NULL, 0, &err) == WM_OK);
      } else if (ib) {
        CHECK(wm_func_call(ra, wm_instance_func(ib, "f"), NULL, 0, NULL, 0, &err) == WM_OK);
      }
    }
    CHECK(wm_runtime_collect(ra) == WM_EUNSUPPORTED && wm_runtime_collect(rb) == WM_EUNSUPPORTED);
    wm_runtime_free(rb);
    wm_runtime_free(ra);
    while (ncross_mods) wm_module_free(cross_mods[--ncross_mods]);
  }
}

int main(void) {
  have_wat2wasm = system("wat2wasm --version >/dev/null 2>&1") == 0;
  test_runtime_options();
  test_intern();
  test_host_funcs();
  test_host_result_types();
  test_globals();
  test_memories();
  test_tables();
  test_typed_refs();
  test_gc_api();
  test_cross_runtime();
  test_gc_collect();
  if (have_wat2wasm) {
    test_linking();
    test_v128();
    test_export_names();
    test_module_info();
    test_segments();
    test_shared_memory();
    test_shared_memory_hold_failures();
    test_segment_traps();
    test_reentry();
    test_alloc_failures();
    test_wasi_bindings();
  } else {
    fprintf(stderr, "wat2wasm not found: skipping the module tests\n");
  }
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
