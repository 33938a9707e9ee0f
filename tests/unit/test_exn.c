/* SPDX-License-Identifier: MIT */
/*
** test_exn.c -- exceptions (WebAssembly 3.0) through the public API: an
** exception crossing host calls both ways (a guest's, left uncaught by a
** nested call, let through by a host function and caught by the guest that
** called it; a host's own, thrown with wm_runtime_throw), the pending
** exception's tag and payload, exnref values going out and back in, tag
** identity per instance, and every error path of the calls (exn.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"
#include "wasmem.h"

#include "check.h"

/* runtime.h's WM_EXN_SWEEP_MIN, which this test does not include. */
#define WM_TEST_SWEEP_MIN 1024

static const char guest_wat[] =
    "(module\n"
    "  (import \"host\" \"tag\" (tag $h (param i64)))\n"
    "  (import \"host\" \"relay\" (func $relay (param i32)))\n"
    "  (import \"host\" \"raise\" (func $raise (param i64)))\n"
    "  (import \"host\" \"bad\" (func $bad))\n"
    "  (tag $e (export \"e\") (param i32))\n"
    "  (func (export \"thrower\") (param i32) (throw $e (local.get 0)))\n"
    /* The host calls thrower; the exception comes back through it. */
    "  (func (export \"via_host\") (param i32) (result i32)\n"
    "    (block $c (result i32)\n"
    "      (try_table (catch $e $c) (call $relay (local.get 0)))\n"
    "      (i32.const -1))\n"
    "    (i32.const 1000) (i32.add))\n"
    /* The host throws its own tag. */
    "  (func (export \"host_tag\") (param i64) (result i64)\n"
    "    (block $c (result i64)\n"
    "      (try_table (catch $h $c) (call $raise (local.get 0)))\n"
    "      (i64.const -1)))\n"
    "  (func (export \"host_all\") (result i32)\n"
    "    (block $c (try_table (catch_all $c) (call $raise (i64.const 1))) (return (i32.const 0)))\n"
    "    (i32.const 1))\n"
    "  (func (export \"bad\") (result i32)\n"
    "    (block $c (try_table (catch_all $c) (call $bad)) (return (i32.const 0)))\n"
    "    (i32.const 1))\n"
    "  (func (export \"catch_ref\") (result exnref)\n"
    "    (block $c (result exnref)\n"
    "      (try_table (catch_all_ref $c) (throw $e (i32.const 8)))\n"
    "      (unreachable)))\n"
    "  (func (export \"rethrow\") (param exnref) (throw_ref (local.get 0)))\n"
    ")\n";

typedef struct hostenv {
  wm_runtime *rt;
  wm_func *thrower;
  wm_tag *host_tag;
  wm_tag *seen_tag;    /* what relay saw pending */
  int32_t seen_val;
  bool swallow;        /* relay handles the exception itself */
} hostenv;

/* Calls the guest's thrower; lets its exception through (or not). */
static int relay(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)results;
  hostenv *h = data;
  wm_val arg = args[0], got;
  wm_error err;
  int rc = wm_func_call(h->rt, h->thrower, &arg, 1, NULL, 0, &err);
  if (rc != WM_EXCEPTION) return rc;
  uint32_t n = 0;
  if (wm_runtime_exception(h->rt, &h->seen_tag, &got, 1, &n, NULL) == WM_OK && n == 1)
    h->seen_val = got.of.i32;
  if (h->swallow) {
    wm_runtime_exception_clear(h->rt);
    return 0;
  }
  return WM_EXCEPTION;
}

static int raise_fn(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)results;
  hostenv *h = data;
  wm_val v = wm_val_i64(args[0].of.i64 * 2);
  return wm_runtime_throw(h->rt, h->host_tag, &v, 1, NULL);
}

/* Returns WM_EXCEPTION with nothing pending: a trap, not an exception. */
static int bad_fn(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)args;
  (void)results;
  wm_runtime_exception_clear(((hostenv *)data)->rt);
  return WM_EXCEPTION;
}

static wm_instance *instantiate(wm_runtime *rt, hostenv *h, wm_module **mod) {
  wm_error err;
  static const wm_valtype i32 = WM_I32, i64 = WM_I64;
  wm_functype t_i32 = {1, 0, &i32, NULL}, t_i64 = {1, 0, &i64, NULL}, t_none = {0, 0, NULL, NULL};
  wm_func *f1, *f2, *f3;
  CHECK(wm_tag_new(rt, &t_i64, &h->host_tag, &err) == 0);
  CHECK(wm_runtime_define_tag(rt, "host", "tag", h->host_tag, &err) == 0);
  CHECK(wm_func_new_host(rt, &t_i32, relay, h, &f1, &err) == 0);
  CHECK(wm_func_new_host(rt, &t_i64, raise_fn, h, &f2, &err) == 0);
  CHECK(wm_func_new_host(rt, &t_none, bad_fn, h, &f3, &err) == 0);
  CHECK(wm_runtime_define_func(rt, "host", "relay", f1, &err) == 0);
  CHECK(wm_runtime_define_func(rt, "host", "raise", f2, &err) == 0);
  CHECK(wm_runtime_define_func(rt, "host", "bad", f3, &err) == 0);
  int rc = wm_module_load((const uint8_t *)guest_wat, strlen(guest_wat), NULL, mod, &err);
  CHECK(rc == 0);
  if (rc) {
    fprintf(stderr, "load: %s\n", err.message);
    return NULL;
  }
  wm_instance *inst = NULL;
  rc = wm_instance_new(rt, *mod, NULL, &inst, &err);
  CHECK(rc == 0);
  if (rc) fprintf(stderr, "instantiate: %s\n", err.message);
  return inst;
}

static int call1(wm_runtime *rt, wm_instance *inst, const char *name, wm_val arg, wm_val *res,
                 wm_error *err) {
  wm_func *f = wm_instance_func(inst, name);
  CHECK(f != NULL);
  return wm_func_call(rt, f, &arg, 1, res, res ? 1 : 0, err);
}

static void test_host_boundary(void) {
  wm_runtime *rt = NULL;
  wm_module *mod = NULL;
  hostenv h;
  memset(&h, 0, sizeof h);
  CHECK(wm_runtime_new(NULL, &rt, NULL) == 0);
  h.rt = rt;
  wm_instance *inst = instantiate(rt, &h, &mod);
  if (!inst) goto done;
  h.thrower = wm_instance_func(inst, "thrower");
  wm_tag *e = wm_instance_tag(inst, "e");
  CHECK(e != NULL && wm_instance_tag(inst, "thrower") == NULL);
  wm_functype et = wm_tag_type(e);
  CHECK(et.nparams == 1 && et.params[0] == WM_I32 && et.nresults == 0);

  /* guest -> host -> guest throws -> host lets it through -> guest catches */
  wm_val r;
  wm_error err;
  CHECK(call1(rt, inst, "via_host", wm_val_i32(7), &r, &err) == 0 && r.of.i32 == 1007);
  CHECK(h.seen_tag == e && h.seen_val == 7);
  /* ... or the host handles it: the guest goes on past the call. */
  h.swallow = true;
  CHECK(call1(rt, inst, "via_host", wm_val_i32(7), &r, &err) == 0 && r.of.i32 == 999);
  h.swallow = false;

  /* The host throws its own tag; the guest catches it by tag or catch_all. */
  CHECK(call1(rt, inst, "host_tag", wm_val_i64(21), &r, &err) == 0 && r.of.i64 == 42);
  wm_func *all = wm_instance_func(inst, "host_all");
  CHECK(wm_func_call(rt, all, NULL, 0, &r, 1, &err) == 0 && r.of.i32 == 1);

  /* WM_EXCEPTION with nothing pending traps, and no try_table catches it. */
  wm_func *bad = wm_instance_func(inst, "bad");
  int rc = wm_func_call(rt, bad, NULL, 0, &r, 1, &err);
  CHECK_ERR(rc, err, WM_TRAP_HOST, "no exception pending");

  /* Uncaught at the top: WM_EXCEPTION, not a trap; the exception pending. */
  rc = call1(rt, inst, "thrower", wm_val_i32(5), NULL, &err);
  CHECK_ERR(rc, err, WM_EXCEPTION, "uncaught exception (tag 1 \"e\"), payload 5");
  CHECK(!wm_is_trap(rc));
  wm_tag *tag = NULL;
  wm_val vals[2], exn;
  uint32_t n = 0;
  CHECK(wm_runtime_exception(rt, &tag, vals, 2, &n, &exn) == 0);
  CHECK(tag == e && n == 1 && vals[0].type == WM_I32 && vals[0].of.i32 == 5);
  CHECK(exn.type == WM_EXNREF && exn.of.ref != NULL);
  CHECK(wm_runtime_exception(rt, NULL, NULL, 0, NULL, NULL) == 0); /* all optional */
  /* The next call from the host forgets it. */
  CHECK(call1(rt, inst, "host_tag", wm_val_i64(1), &r, &err) == 0);
  CHECK(wm_runtime_exception(rt, &tag, NULL, 0, &n, NULL) == WM_EINVAL);
  CHECK(wm_runtime_exception(NULL, &tag, NULL, 0, &n, NULL) == WM_EINVAL);

  /* An exnref goes out to the host and back in: throw_ref rethrows it. */
  wm_func *cr = wm_instance_func(inst, "catch_ref");
  CHECK(wm_func_call(rt, cr, NULL, 0, &r, 1, &err) == 0);
  CHECK(r.type == WM_EXNREF && r.of.ref != NULL);
  rc = call1(rt, inst, "rethrow", r, NULL, &err);
  CHECK(rc == WM_EXCEPTION);
  CHECK(wm_runtime_exception(rt, &tag, vals, 1, &n, NULL) == 0 && tag == e && vals[0].of.i32 == 8);
  wm_val null = {.type = WM_EXNREF};
  null.of.ref = NULL;
  CHECK_ERR(call1(rt, inst, "rethrow", null, NULL, &err), err, WM_TRAP_NULL_EXN,
            "null exception reference");

  /* A second instance has tags of its own. */
  wm_instance *inst2 = NULL;
  CHECK(wm_instance_new(rt, mod, NULL, &inst2, &err) == 0);
  CHECK(inst2 && wm_instance_tag(inst2, "e") != e);
done:
  wm_runtime_free(rt);
  wm_module_free(mod);
}

static void test_errors(void) {
  wm_runtime *rt = NULL;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == 0);
  static const wm_valtype i32 = WM_I32, bogus = (wm_valtype)0x42;
  wm_functype with_result = {0, 1, NULL, &i32}, bad_type = {1, 0, &bogus, NULL};
  wm_functype no_arrays = {2, 0, NULL, NULL}, ok = {1, 0, &i32, NULL};
  wm_tag *t = NULL;
  CHECK_ERR(wm_tag_new(rt, &with_result, &t, &err), err, WM_EINVAL, "has no results");
  CHECK_ERR(wm_tag_new(rt, &bad_type, &t, &err), err, WM_EINVAL, "unsupported value type 0x42");
  CHECK_ERR(wm_tag_new(rt, &no_arrays, &t, &err), err, WM_EINVAL, "NULL");
  CHECK_ERR(wm_tag_new(NULL, &ok, &t, &err), err, WM_EINVAL, "NULL argument");
  CHECK(t == NULL);
  CHECK(wm_tag_new(rt, &ok, &t, &err) == 0 && t);
  wm_functype tt = wm_tag_type(t);
  CHECK(tt.nparams == 1 && tt.params[0] == WM_I32);
  CHECK(wm_tag_type(NULL).nparams == 0);
  wm_val v64 = wm_val_i64(1), v32 = wm_val_i32(1);
  CHECK_ERR(wm_runtime_throw(rt, t, &v64, 1, &err), err, WM_ETYPE, "value 0 is i64");
  CHECK_ERR(wm_runtime_throw(rt, t, NULL, 0, &err), err, WM_ETYPE, "tag takes 1 values, 0 given");
  CHECK_ERR(wm_runtime_throw(rt, NULL, &v32, 1, &err), err, WM_EINVAL, "NULL argument");
  /* Thrown by the host outside any call: pending, readable. */
  CHECK(wm_runtime_throw(rt, t, &v32, 1, &err) == WM_EXCEPTION);
  wm_tag *got = NULL;
  CHECK(wm_runtime_exception(rt, &got, NULL, 0, NULL, NULL) == 0 && got == t);
  wm_runtime_exception_clear(rt);
  wm_runtime_exception_clear(NULL);
  CHECK(wm_runtime_exception(rt, &got, NULL, 0, NULL, NULL) == WM_EINVAL);
  CHECK(wm_runtime_define_tag(rt, "m", "t", NULL, &err) == WM_EINVAL);

  /* A tag import must be a tag of the same type. */
  static const char imp[] = "(module (import \"m\" \"t\" (tag (param i64))))";
  wm_module *mod = NULL;
  CHECK(wm_module_load((const uint8_t *)imp, strlen(imp), NULL, &mod, &err) == 0);
  wm_instance *inst = NULL;
  CHECK(wm_runtime_define_tag(rt, "m", "t", t, &err) == 0);
  CHECK_ERR(wm_instance_new(rt, mod, NULL, &inst, &err), err, WM_EINCOMPATIBLE_IMPORT,
            "expected tag (i64) -> (), got tag (i32) -> ()");
  wm_func *f = NULL;
  static const wm_valtype pi64 = WM_I64;
  wm_functype ft = {1, 0, &pi64, NULL};
  CHECK(wm_func_new_host(rt, &ft, raise_fn, NULL, &f, &err) == 0);
  CHECK(wm_runtime_define_func(rt, "m", "t", f, &err) == 0);
  CHECK_ERR(wm_instance_new(rt, mod, NULL, &inst, &err), err, WM_EINCOMPATIBLE_IMPORT,
            "expected tag, got func");
  wm_module_info info;
  wm_module_get_info(mod, &info);
  CHECK(info.ntags == 1 && info.ntag_imports == 1);
  wm_extern_desc d;
  CHECK(wm_module_import(mod, 0, &d) == 0 && d.kind == WM_EXTERN_TAG && d.func.nparams == 1);
  CHECK(wm_module_entity(mod, WM_EXTERN_TAG, 0, &d) == 0 && d.func.params[0] == WM_I64);
  CHECK(wm_module_entity(mod, WM_EXTERN_TAG, 1, &d) == WM_EINVAL);
  CHECK(strcmp(wm_externkind_name(WM_EXTERN_TAG), "tag") == 0);
  CHECK(strcmp(wm_valtype_name(WM_EXNREF), "exnref") == 0);
  CHECK(strcmp(wm_errname(WM_EXCEPTION), "EXCEPTION") == 0);
  wm_module_free(mod);
  wm_runtime_free(rt);

  /* The standard C API has no tags: a module with tag imports or exports
  ** is refused there. */
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  static const uint8_t tagexp[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
                                   13, 3, 1, 0, 0, 7, 5, 1, 1, 't', 4, 0};
  wasm_byte_vec_t bin;
  wasm_byte_vec_new(&bin, sizeof tagexp, (const wasm_byte_t *)tagexp);
  CHECK(wasm_module_new(store, &bin) == NULL);
  CHECK(wasm_module_validate(store, &bin)); /* valid, just not for wasm.h */
  wasm_byte_vec_delete(&bin);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* Many exceptions thrown and caught: one a plain catch takes is freed at
** once, so the runtime holds none after a million; one a catch_all_ref
** made an exnref of lives with the runtime (counted in wm_runtime_usage),
** as does the pending one the host read as an exnref; an uncaught one is
** held until the next call or wm_runtime_exception_clear. ASan's leak
** check holds the runtime to freeing them all with itself. */
static void test_many(void) {
  static const char wat[] =
      "(module (tag $e (export \"e\") (param i32))\n"
      "  (func (export \"spin\") (param i32) (result i32) (local i32)\n"
      "    (loop $l\n"
      "      (block $c (result i32)\n"
      "        (try_table (catch $e $c) (throw $e (local.get 0))) (unreachable))\n"
      "      (local.set 1 (i32.add (local.get 1)))\n"
      "      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))\n"
      "    (local.get 1))\n"
      /* Rethrown through throw_ref, then caught plainly: made an exnref. */
      "  (func (export \"spin_ref\") (param i32)\n"
      "    (loop $l\n"
      "      (drop (block $c (result i32)\n"
      "        (try_table (catch $e $c)\n"
      "          (throw_ref (block $r (result exnref)\n"
      "            (try_table (catch_all_ref $r) (throw $e (local.get 0))) (unreachable))))\n"
      "        (unreachable)))\n"
      "      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))\n"
      "  (func (export \"raise\") (param i32) (throw $e (i32.const 7))))\n";
  wm_runtime *rt = NULL;
  wm_module *mod = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  wm_runtime_usage u;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == 0);
  CHECK(wm_module_load((const uint8_t *)wat, strlen(wat), NULL, &mod, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  wm_val r;
  CHECK(inst && call1(rt, inst, "spin", wm_val_i32(1000000), &r, &err) == 0 &&
        r.of.i32 == (int32_t)(1000000ull * 1000001 / 2));
  wm_runtime_get_usage(rt, &u);
  CHECK(u.exceptions == 0);
  CHECK(call1(rt, inst, "spin_ref", wm_val_i32(100), NULL, &err) == 0);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.exceptions == 100);
  /* Uncaught: pending until cleared, then freed. */
  CHECK(call1(rt, inst, "raise", wm_val_i32(0), NULL, &err) == WM_EXCEPTION);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.exceptions == 101);
  wm_runtime_exception_clear(rt);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.exceptions == 100);
  /* Uncaught again, then forgotten by the next call from the host. */
  CHECK(call1(rt, inst, "raise", wm_val_i32(0), NULL, &err) == WM_EXCEPTION);
  CHECK(call1(rt, inst, "spin", wm_val_i32(3), &r, &err) == 0 && r.of.i32 == 6);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.exceptions == 100);
  /* Uncaught and read as an exnref: kept, still valid after the next call. */
  CHECK(call1(rt, inst, "raise", wm_val_i32(0), NULL, &err) == WM_EXCEPTION);
  wm_val ex, payload;
  uint32_t n = 0;
  CHECK(wm_runtime_exception(rt, NULL, &payload, 1, &n, &ex) == WM_OK && n == 1 &&
        payload.of.i32 == 7 && ex.type == WM_EXNREF && ex.of.ref);
  CHECK(call1(rt, inst, "spin", wm_val_i32(3), &r, &err) == 0);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.exceptions == 101);
  wm_runtime_free(rt);
  wm_module_free(mod);
}

/* Kept exceptions that nothing names are swept; those a table, a global, a
** local, another exception's payload or the host name survive every sweep
** with their payloads (under ASan a premature free is an error too). */
static void test_sweep(void) {
  static const char wat[] =
      "(module (tag $e (export \"e\") (param i32)) (tag $w (param exnref))\n"
      "  (table $t 64 exnref) (global $g (mut exnref) (ref.null exn))\n"
      /* An exnref of a throw of v. */
      "  (func $make (param $v i32) (result exnref)\n"
      "    (block $r (result exnref)\n"
      "      (try_table (catch_all_ref $r) (throw $e (local.get $v))) (unreachable)))\n"
      /* The payload of exnref x, rethrown and caught. */
      "  (func $val (export \"val\") (param $x exnref) (result i32)\n"
      "    (block $c (result i32)\n"
      "      (try_table (catch $e $c) (throw_ref (local.get $x))) (unreachable)))\n"
      /* n exnrefs dropped at once; every 1000th of them kept: slot i of the
      ** table, the global (the last), a local (the first), and one
      ** wrapped in the payload of another kept in the table's last slot. */
      "  (func (export \"churn\") (param $n i32) (result i32) (local $i i32) (local $first exnref)\n"
      "    (local.set $first (call $make (i32.const -1)))\n"
      "    (table.set $t (i32.const 63) (block $r (result exnref)\n"
      "      (try_table (catch_all_ref $r) (throw $w (call $make (i32.const -2)))) (unreachable)))\n"
      "    (loop $l\n"
      "      (if (i32.rem_u (local.get $i) (i32.const 1000))\n"
      "        (then (drop (call $make (local.get $i))))\n"
      "        (else (table.set $t (i32.rem_u (i32.div_u (local.get $i) (i32.const 1000)) (i32.const 63))\n"
      "                (call $make (local.get $i)))\n"
      "              (global.set $g (call $make (local.get $i)))))\n"
      "      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))\n"
      "    (call $val (local.get $first)))\n"
      "  (func (export \"slot\") (param i32) (result i32) (call $val (table.get $t (local.get 0))))\n"
      "  (func (export \"global\") (result i32) (call $val (global.get $g)))\n"
      /* The exnref in the payload of the one in slot 63. */
      "  (func (export \"wrapped\") (result i32)\n"
      "    (call $val (block $c (result exnref)\n"
      "      (try_table (catch $w $c) (throw_ref (table.get $t (i32.const 63)))) (unreachable))))\n"
      "  (func (export \"held\") (param i32) (result exnref) (call $make (local.get 0))))\n";
  wm_runtime *rt = NULL;
  wm_module *mod = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  wm_runtime_usage u;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == 0);
  CHECK(wm_module_load((const uint8_t *)wat, strlen(wat), NULL, &mod, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  if (!inst) {
    wm_runtime_free(rt);
    wm_module_free(mod);
    return;
  }
  /* One the host holds: made before the churn, never swept. */
  wm_val held;
  CHECK(call1(rt, inst, "held", wm_val_i32(4242), &held, &err) == 0 && held.of.ref);
  wm_val r;
  CHECK(call1(rt, inst, "churn", wm_val_i32(200000), &r, &err) == 0 && r.of.i32 == -1);
  wm_runtime_get_usage(rt, &u);
  /* 200,002 made; what is held is 63 + 2 + the global's + the host's,
  ** and what the last sweep's threshold let pile up since. */
  CHECK(u.exceptions < 3 * WM_TEST_SWEEP_MIN);
  for (int i = 0; i < 63; i++) {
    /* Slot k last got the throw of i = 1000 * (63 * m + k) for the largest
    ** such i under 200,000. */
    int32_t want = -1;
    for (int32_t v = 0; v < 200000; v += 1000)
      if ((v / 1000) % 63 == i) want = v;
    CHECK(call1(rt, inst, "slot", wm_val_i32(i), &r, &err) == 0 && r.of.i32 == want);
  }
  CHECK(wm_func_call(rt, wm_instance_func(inst, "global"), NULL, 0, &r, 1, &err) == 0 &&
        r.of.i32 == 199000);
  CHECK(wm_func_call(rt, wm_instance_func(inst, "wrapped"), NULL, 0, &r, 1, &err) == 0 &&
        r.of.i32 == -2);
  CHECK(call1(rt, inst, "val", held, &r, &err) == 0 && r.of.i32 == 4242);
  wm_runtime_free(rt);
  wm_module_free(mod);
}

/* Two runtimes linked by an import that can carry exnrefs between them --
** an exnref global or table (or a function: instance.c) -- never sweep, as
** neither can see the other's stack: all 3,000 exnrefs stay. */
static void shared_case(const char *a_wat, const char *b_wat) {
  wm_runtime *ra = NULL, *rb = NULL;
  wm_module *ma = NULL, *mb = NULL;
  wm_instance *ia = NULL, *ib = NULL;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &ra, NULL) == 0 && wm_runtime_new(NULL, &rb, NULL) == 0);
  CHECK(wm_module_load((const uint8_t *)a_wat, strlen(a_wat), NULL, &ma, &err) == 0);
  CHECK(wm_module_load((const uint8_t *)b_wat, strlen(b_wat), NULL, &mb, &err) == 0);
  CHECK(wm_instance_new(ra, ma, NULL, &ia, &err) == 0);
  CHECK(ia && wm_runtime_register(rb, "a", ia, &err) == 0);
  CHECK(wm_instance_new(rb, mb, NULL, &ib, &err) == 0);
  wm_val r;
  wm_runtime_usage ua, ub;
  CHECK(ib && call1(rb, ib, "churn", wm_val_i32(3000), &r, &err) == 0);
  wm_runtime_get_usage(ra, &ua);
  wm_runtime_get_usage(rb, &ub);
  CHECK(ua.exceptions + ub.exceptions == 3000);
  wm_runtime_free(rb);
  wm_runtime_free(ra);
  wm_module_free(ma);
  wm_module_free(mb);
}

static void test_shared_no_sweep(void) {
  /* B's loop: n exnrefs, each stored by `store` (or dropped). */
#define CHURN(store)                                                           \
  "  (func (export \"churn\") (param $n i32) (result i32)\n"                   \
  "    (loop $l\n"                                                              \
  "      " store "\n"                                                           \
  "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"   \
  "    (i32.const 0)))\n"
#define MAKE                                                                   \
  "(block $r (result exnref)\n"                                                \
  "  (try_table (catch_all_ref $r) (throw $e (local.get $n))) (unreachable))"
  shared_case("(module (global (export \"g\") (mut exnref) (ref.null exn)))",
              "(module (import \"a\" \"g\" (global $g (mut exnref))) (tag $e (param i32))\n"
              CHURN("(global.set $g " MAKE ")"));
  shared_case("(module (table (export \"t\") 1 exnref))",
              "(module (import \"a\" \"t\" (table $t 1 exnref)) (tag $e (param i32))\n"
              CHURN("(table.set $t (i32.const 0) " MAKE ")"));
#undef CHURN
#undef MAKE
}

int main(void) {
  test_host_boundary();
  test_errors();
  test_many();
  test_sweep();
  test_shared_no_sweep();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
