/* SPDX-License-Identifier: MIT */
/*
** test_wasm_capi.c -- tests of the standard C API (include/wasm.h,
** src/capi_*.c) through its public surface: vectors and types, host
** callbacks with environments, import/export reflection, globals, memories,
** tables, traps with messages and frames, start functions, multi-value,
** foreign references, host info and finalizers, serialisation and shared
** modules. Modules are made by wat2wasm at test time. Run under the ASan
** build, it also checks that the ownership rules leave nothing behind. The
** one internal it uses is the allocation-failure hook (util.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm.h"

#include "check.h"
#include "util.h" /* wm__alloc_fail_after */

/* ------------------------------------------------------------ helpers */

/* Assemble wat with wat2wasm into *out (owned); false (and a failure) if
** that does not work. */
static bool wat(const char *text, wasm_byte_vec_t *out) {
  size_t len;
  uint8_t *bin = wat_bytes(text, "", &len);
  if (!bin) {
    wasm_byte_vec_new_empty(out);
    return false;
  }
  wasm_byte_vec_new(out, len, (const wasm_byte_t *)bin);
  free(bin);
  return true;
}

static wasm_module_t *module(wasm_store_t *store, const char *text) {
  wasm_byte_vec_t bin;
  if (!wat(text, &bin)) return NULL;
  wasm_module_t *m = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  CHECK(m != NULL);
  return m;
}

/* Instantiate mod with f as its one import. */
static wasm_instance_t *instantiate1(wasm_store_t *store, wasm_module_t *mod, wasm_func_t *f) {
  wasm_extern_t *imps[1] = {wasm_func_as_extern(f)};
  wasm_extern_vec_t iv = WASM_ARRAY_VEC(imps);
  wasm_instance_t *inst = wasm_instance_new(store, mod, &iv, NULL);
  CHECK(inst != NULL);
  return inst;
}

/* The trap's message as a C string (static buffer); deletes the trap. */
static const char *trap_text(wasm_trap_t *trap) {
  static char buf[256];
  buf[0] = 0;
  if (!trap) return "<no trap>";
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  if (msg.size && msg.data[msg.size - 1] == 0) snprintf(buf, sizeof buf, "%s", msg.data);
  else snprintf(buf, sizeof buf, "<not NUL-terminated>");
  wasm_byte_vec_delete(&msg);
  wasm_trap_delete(trap);
  return buf;
}

#define CHECK_TRAP(trap, text)                                                \
  do {                                                                        \
    const char *got_ = trap_text(trap);                                       \
    if (!strstr(got_, (text))) {                                              \
      nfail++;                                                                \
      fprintf(stderr, "%s:%d: FAILED: trap \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, got_, \
              (text));                                                        \
    } else                                                                    \
      npass++;                                                                \
  } while (0)

static int finalized[8];
static void fin(void *p) { finalized[(intptr_t)p]++; }

static int env_finalized;
static void env_fin(void *env) {
  CHECK(*(int *)env == 1000);
  env_finalized++;
}

/* ---------------------------------------------------- types and vectors */

static void test_types(void) {
  wasm_valtype_t *ps[2] = {wasm_valtype_new_i32(), wasm_valtype_new(WASM_F64)};
  wasm_valtype_vec_t params, results, copy;
  wasm_valtype_vec_new(&params, 2, ps);
  wasm_valtype_vec_new_empty(&results);
  wasm_valtype_vec_copy(&copy, &params);
  CHECK(copy.size == 2 && wasm_valtype_kind(copy.data[1]) == WASM_F64);
  wasm_valtype_vec_delete(&copy);
  CHECK(copy.size == 0 && copy.data == NULL);
  wasm_functype_t *ft = wasm_functype_new(&params, &results);
  CHECK(params.size == 0); /* taken over */
  CHECK(wasm_functype_params(ft)->size == 2 && wasm_functype_results(ft)->size == 0);
  CHECK(wasm_valtype_is_num(wasm_functype_params(ft)->data[0]));
  wasm_externtype_t *et = wasm_functype_as_externtype(ft);
  CHECK(wasm_externtype_kind(et) == WASM_EXTERN_FUNC);
  CHECK(wasm_externtype_as_functype(et) == ft && wasm_externtype_as_globaltype(et) == NULL);
  wasm_functype_t *ft2 = wasm_functype_copy(ft);
  CHECK(ft2 != ft && wasm_functype_params(ft2)->size == 2);
  wasm_functype_delete(ft2);
  wasm_functype_delete(ft);
  CHECK(wasm_valtype_new(77) == NULL);
  CHECK(wasm_valtype_is_ref(wasm_valtype_new_funcref()));

  wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  CHECK(wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I64);
  CHECK(wasm_globaltype_mutability(gt) == WASM_VAR);
  wasm_limits_t lim = {1, wasm_limits_max_default};
  wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_externref(), &lim);
  CHECK(wasm_tabletype_limits(tt)->max == wasm_limits_max_default);
  wasm_memorytype_t *mt = wasm_memorytype_new(&lim);
  CHECK(wasm_memorytype_limits(mt)->min == 1);

  /* A vector of extern types owns them, and so does its copy. */
  wasm_externtype_t *ets[3] = {wasm_globaltype_as_externtype(gt), wasm_tabletype_as_externtype(tt),
                               wasm_memorytype_as_externtype(mt)};
  wasm_externtype_vec_t v, vc;
  wasm_externtype_vec_new(&v, 3, ets);
  wasm_externtype_vec_copy(&vc, &v);
  CHECK(vc.size == 3 && vc.data[2] != v.data[2]);
  CHECK(wasm_externtype_as_tabletype_const(vc.data[1]) != NULL);
  wasm_externtype_vec_delete(&v);
  wasm_externtype_vec_delete(&vc);

  wasm_name_t name, name2;
  wasm_name_new_from_string(&name, "abc");
  CHECK(name.size == 3);
  wasm_name_new_from_string_nt(&name2, "abc");
  CHECK(name2.size == 4 && name2.data[3] == 0);
  wasm_importtype_t *it =
      wasm_importtype_new(&name, &name2, wasm_memorytype_as_externtype(wasm_memorytype_new(&lim)));
  wasm_importtype_t *it2 = wasm_importtype_copy(it);
  CHECK(wasm_importtype_module(it2)->size == 3 && wasm_importtype_name(it2)->size == 4);
  CHECK(wasm_externtype_kind(wasm_importtype_type(it2)) == WASM_EXTERN_MEMORY);
  wasm_importtype_delete(it);
  wasm_importtype_delete(it2);

  wasm_config_t *cfg = wasm_config_new();
  wasm_engine_t *e = wasm_engine_new_with_config(cfg);
  CHECK(e != NULL);
  wasm_engine_delete(e);
}

/* ------------------------------------------------- callbacks, reflection */

static int calls;

static wasm_trap_t *add_cb(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  calls++;
  CHECK(args->size == 2 && results->size == 1);
  CHECK(results->data[0].kind == WASM_I32); /* preset to the result's type */
  results->data[0].of.i32 = args->data[0].of.i32 + args->data[1].of.i32 + *(int *)env;
  return NULL;
}

static wasm_trap_t *bad_result_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  results->data[0].kind = WASM_F64; /* not the declared i32 */
  return NULL;
}

static const char *linked_wat =
    "(module\n"
    "  (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))\n"
    "  (import \"env\" \"g\" (global $g (mut i64)))\n"
    "  (import \"env\" \"mem\" (memory 1 2))\n"
    "  (import \"env\" \"tab\" (table 1 funcref))\n"
    "  (func (export \"call_add\") (param i32) (result i32)\n"
    "    (call $add (local.get 0) (i32.const 100)))\n"
    "  (func (export \"bump\") (global.set $g (i64.add (global.get $g) (i64.const 1))))\n"
    "  (func (export \"peek\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
    "  (global (export \"c\") f32 (f32.const 1.5))\n"
    "  (export \"mem\" (memory 0))\n"
    "  (export \"tab\" (table 0)))\n";

static void test_linking(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store, linked_wat);
  if (!mod) {
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return;
  }

  /* Reflection of the module's imports and exports. */
  wasm_importtype_vec_t imps;
  wasm_module_imports(mod, &imps);
  CHECK(imps.size == 4);
  if (imps.size == 4) {
    CHECK(memcmp(wasm_importtype_module(imps.data[0])->data, "env", 3) == 0);
    CHECK(wasm_importtype_name(imps.data[0])->size == 3);
    const wasm_functype_t *ft = wasm_externtype_as_functype_const(wasm_importtype_type(imps.data[0]));
    CHECK(ft && wasm_functype_params(ft)->size == 2 && wasm_functype_results(ft)->size == 1);
    const wasm_globaltype_t *gt =
        wasm_externtype_as_globaltype_const(wasm_importtype_type(imps.data[1]));
    CHECK(gt && wasm_globaltype_mutability(gt) == WASM_VAR &&
          wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I64);
    const wasm_memorytype_t *mt =
        wasm_externtype_as_memorytype_const(wasm_importtype_type(imps.data[2]));
    CHECK(mt && wasm_memorytype_limits(mt)->min == 1 && wasm_memorytype_limits(mt)->max == 2);
    const wasm_tabletype_t *tt =
        wasm_externtype_as_tabletype_const(wasm_importtype_type(imps.data[3]));
    CHECK(tt && wasm_tabletype_limits(tt)->max == wasm_limits_max_default &&
          wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
  }
  wasm_importtype_vec_delete(&imps);
  wasm_exporttype_vec_t exps;
  wasm_module_exports(mod, &exps);
  CHECK(exps.size == 6);
  if (exps.size == 6) {
    CHECK(wasm_exporttype_name(exps.data[3])->size == 1 && wasm_exporttype_name(exps.data[3])->data[0] == 'c');
    CHECK(wasm_externtype_kind(wasm_exporttype_type(exps.data[3])) == WASM_EXTERN_GLOBAL);
  }
  wasm_exporttype_vec_delete(&exps);

  /* The imports, made here. */
  int bias = 1000;
  wasm_functype_t *ft = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                              wasm_valtype_new_i32());
  wasm_func_t *add = wasm_func_new_with_env(store, ft, add_cb, &bias, env_fin);
  wasm_func_set_host_info_with_finalizer(add, (void *)1, fin);
  wasm_functype_delete(ft);
  CHECK(wasm_func_param_arity(add) == 2 && wasm_func_result_arity(add) == 1);
  wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_val_t v41 = WASM_I64_VAL(41);
  wasm_global_t *g = wasm_global_new(store, gt, &v41);
  wasm_val_t wrong = WASM_I32_VAL(1);
  CHECK(wasm_global_new(store, gt, &wrong) == NULL);
  wasm_globaltype_delete(gt);
  wasm_limits_t mlim = {1, 2};
  wasm_memorytype_t *mt = wasm_memorytype_new(&mlim);
  wasm_memory_t *mem = wasm_memory_new(store, mt);
  wasm_memorytype_delete(mt);
  wasm_limits_t tlim = {1, 4};
  wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &tlim);
  wasm_table_t *tab = wasm_table_new(store, tt, NULL);
  wasm_tabletype_delete(tt);
  CHECK(add && g && mem && tab);
  if (!add || !g || !mem || !tab) goto out;

  /* Too few imports, or one of the wrong kind: no instance, a trap saying why. */
  wasm_trap_t *trap = NULL;
  wasm_extern_t *few[1] = {wasm_func_as_extern(add)};
  wasm_extern_vec_t fewv = WASM_ARRAY_VEC(few);
  CHECK(wasm_instance_new(store, mod, &fewv, &trap) == NULL);
  CHECK_TRAP(trap, "4 imports, 1 were given");
  wasm_extern_t *bad[4] = {wasm_func_as_extern(add), wasm_memory_as_extern(mem),
                           wasm_memory_as_extern(mem), wasm_table_as_extern(tab)};
  wasm_extern_vec_t badv = WASM_ARRAY_VEC(bad);
  CHECK(wasm_instance_new(store, mod, &badv, &trap) == NULL);
  CHECK_TRAP(trap, "expected a global");

  wasm_extern_t *ok[4] = {wasm_func_as_extern(add), wasm_global_as_extern(g),
                          wasm_memory_as_extern(mem), wasm_table_as_extern(tab)};
  wasm_extern_vec_t okv = WASM_ARRAY_VEC(ok);
  wasm_instance_t *inst = wasm_instance_new(store, mod, &okv, &trap);
  CHECK(inst != NULL && trap == NULL);
  wasm_module_delete(mod); /* instances keep what they need */
  if (!inst) goto out;
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_instance_delete(inst);
  CHECK(ex.size == 6);
  if (ex.size != 6) goto out2;

  /* A call through the host callback. */
  wasm_func_t *call_add = wasm_extern_as_func(ex.data[0]);
  wasm_val_t a[1] = {WASM_I32_VAL(5)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(call_add, &av, &rv) == NULL);
  CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 1105 && calls == 1);
  /* The host callable directly too. */
  wasm_val_t a2[2] = {WASM_I32_VAL(1), WASM_I32_VAL(2)};
  wasm_val_vec_t av2 = WASM_ARRAY_VEC(a2);
  CHECK(wasm_func_call(add, &av2, &rv) == NULL && r[0].of.i32 == 1003);
  /* Wrong argument count and kinds are traps that say so. */
  CHECK_TRAP(wasm_func_call(call_add, &av2, &rv), "wrong number of arguments");
  wasm_val_t af[1] = {WASM_F32_VAL(1)};
  wasm_val_vec_t avf = WASM_ARRAY_VEC(af);
  CHECK_TRAP(wasm_func_call(call_add, &avf, &rv), "argument 0: expected i32");

  /* Globals: the imported one seen from wasm and from the host. */
  wasm_func_t *bump = wasm_extern_as_func(ex.data[1]);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(bump, &none, &none) == NULL);
  wasm_val_t gv;
  wasm_global_get(g, &gv);
  CHECK(gv.kind == WASM_I64 && gv.of.i64 == 42);
  wasm_val_t v7 = WASM_I64_VAL(7);
  wasm_global_set(g, &v7);
  CHECK(wasm_func_call(bump, &none, &none) == NULL);
  wasm_global_get(g, &gv);
  CHECK(gv.of.i64 == 8);
  wasm_global_t *c = wasm_extern_as_global(ex.data[3]);
  wasm_global_get(c, &gv);
  CHECK(gv.kind == WASM_F32 && gv.of.f32 == 1.5f);
  wasm_val_t f9 = WASM_F32_VAL(9);
  wasm_global_set(c, &f9); /* immutable: ignored */
  wasm_global_get(c, &gv);
  CHECK(gv.of.f32 == 1.5f);
  wasm_globaltype_t *cgt = wasm_global_type(c);
  CHECK(wasm_globaltype_mutability(cgt) == WASM_CONST);
  wasm_globaltype_delete(cgt);

  /* Memory: exported and imported are the same object. */
  wasm_memory_t *xmem = wasm_extern_as_memory(ex.data[4]);
  CHECK(wasm_memory_same(xmem, mem) && xmem == mem);
  wasm_memory_data(mem)[70000 - 65536] = 9;
  CHECK(wasm_memory_size(mem) == 1 && wasm_memory_data_size(mem) == 65536);
  CHECK(wasm_memory_grow(mem, 1) && wasm_memory_size(mem) == 2);
  CHECK(!wasm_memory_grow(mem, 1));
  wasm_memory_data(mem)[70000] = 77;
  wasm_val_t pa[1] = {WASM_I32_VAL(70000)};
  wasm_val_vec_t pav = WASM_ARRAY_VEC(pa);
  CHECK(wasm_func_call(wasm_extern_as_func(ex.data[2]), &pav, &rv) == NULL && r[0].of.i32 == 77);
  pa[0].of.i32 = 2 * 65536;
  CHECK_TRAP(wasm_func_call(wasm_extern_as_func(ex.data[2]), &pav, &rv), "out of bounds memory access");
  wasm_memorytype_t *cmt = wasm_memory_type(mem);
  CHECK(wasm_memorytype_limits(cmt)->min == 2 && wasm_memorytype_limits(cmt)->max == 2);
  wasm_memorytype_delete(cmt);

  /* Tables: funcrefs in and out keep their identity and host info. */
  CHECK(wasm_table_size(tab) == 1 && wasm_table_get(tab, 0) == NULL);
  CHECK(wasm_table_set(tab, 0, wasm_func_as_ref(add)));
  wasm_ref_t *got = wasm_table_get(tab, 0);
  CHECK(got && wasm_ref_same(got, wasm_func_as_ref(add)));
  CHECK(wasm_ref_get_host_info(got) == (void *)1);
  CHECK(wasm_ref_as_func(got) == add && wasm_ref_as_global(got) == NULL);
  wasm_ref_delete(got);
  CHECK(!wasm_table_set(tab, 1, NULL));
  CHECK(wasm_table_grow(tab, 2, wasm_func_as_ref(call_add)) && wasm_table_size(tab) == 3);
  got = wasm_table_get(tab, 2);
  CHECK(got && wasm_ref_as_func(got) == call_add);
  wasm_ref_delete(got);
  CHECK(!wasm_table_grow(tab, 2, NULL));
  wasm_foreign_t *fo = wasm_foreign_new(store);
  CHECK(!wasm_table_set(tab, 0, wasm_foreign_as_ref(fo))); /* not a func */
  wasm_foreign_delete(fo);
  wasm_tabletype_t *ctt = wasm_table_type(tab);
  CHECK(wasm_tabletype_limits(ctt)->min == 3 && wasm_tabletype_limits(ctt)->max == 4);
  wasm_tabletype_delete(ctt);

  /* extern types of the live objects. */
  wasm_externtype_t *et = wasm_extern_type(ex.data[0]);
  CHECK(wasm_externtype_kind(et) == WASM_EXTERN_FUNC && wasm_extern_kind(ex.data[0]) == WASM_EXTERN_FUNC);
  wasm_externtype_delete(et);

  /* A host function whose result has the wrong kind traps. */
  wasm_functype_t *ft01 = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *badf = wasm_func_new(store, ft01, bad_result_cb);
  wasm_functype_delete(ft01);
  CHECK_TRAP(wasm_func_call(badf, &none, &rv), "result 0 is not a i32");
  wasm_func_delete(badf);

out2:
  wasm_extern_vec_delete(&ex);
out:
  wasm_func_delete(add);
  wasm_global_delete(g);
  wasm_memory_delete(mem);
  wasm_table_delete(tab);
  CHECK(finalized[1] == 0 && env_finalized == 0); /* externs live as long as the store */
  wasm_store_delete(store);
  CHECK(finalized[1] == 1);  /* the func's host info */
  CHECK(env_finalized == 1); /* and its environment */
  wasm_engine_delete(engine);
}

/* ------------------------------------------------------------- traps */

static wasm_trap_t *fail_cb(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  (void)results;
  wasm_message_t m;
  wasm_name_new_from_string_nt(&m, "host says no");
  wasm_trap_t *t = wasm_trap_new((wasm_store_t *)env, &m);
  wasm_name_delete(&m);
  return t;
}

static void test_traps(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store,
                              "(module\n"
                              "  (import \"\" \"fail\" (func $fail))\n"
                              "  (func $inner (i32.div_s (i32.const 1) (i32.const 0)) drop)\n"
                              "  (func (export \"div\") (call $inner))\n"
                              "  (func (export \"host\") (call $fail)))\n");
  if (!mod) goto out;
  wasm_functype_t *ft = wasm_functype_new_0_0();
  wasm_func_t *fail = wasm_func_new_with_env(store, ft, fail_cb, store, NULL);
  wasm_functype_delete(ft);
  wasm_instance_t *inst = instantiate1(store, mod, fail);
  if (!inst) goto out;
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_val_vec_t none = WASM_EMPTY_VEC;

  /* A wasm trap: the spec's message, frames innermost first. */
  wasm_trap_t *t = wasm_func_call(wasm_extern_as_func(ex.data[0]), &none, &none);
  CHECK(t != NULL);
  if (t) {
    wasm_frame_t *origin = wasm_trap_origin(t);
    CHECK(origin && wasm_frame_func_index(origin) == 1);
    CHECK(origin && wasm_frame_module_offset(origin) > 0 && wasm_frame_func_offset(origin) > 0);
    CHECK(origin && wasm_frame_instance(origin) == NULL);
    wasm_frame_t *oc = wasm_frame_copy(origin);
    CHECK(oc && wasm_frame_module_offset(oc) == wasm_frame_module_offset(origin));
    wasm_frame_delete(oc);
    wasm_frame_delete(origin);
    wasm_frame_vec_t trace;
    wasm_trap_trace(t, &trace);
    CHECK(trace.size == 2);
    if (trace.size == 2) CHECK(wasm_frame_func_index(trace.data[1]) == 2);
    wasm_frame_vec_delete(&trace);
    wasm_trap_t *t2 = wasm_trap_copy(t);
    CHECK(wasm_trap_same(t, t2));
    wasm_trap_delete(t2);
  }
  CHECK_TRAP(t, "integer divide by zero");

  /* A host trap: its message comes through, without a backtrace. */
  t = wasm_func_call(wasm_extern_as_func(ex.data[1]), &none, &none);
  CHECK(t != NULL);
  if (t) {
    wasm_message_t m;
    wasm_trap_message(t, &m);
    CHECK(m.size == strlen("host says no") + 1 && strcmp(m.data, "host says no") == 0);
    wasm_byte_vec_delete(&m);
  }
  CHECK_TRAP(t, "host says no");

  /* A trap made by the host has no frames. */
  wasm_message_t m;
  wasm_name_new_from_string(&m, "no NUL here");
  t = wasm_trap_new(store, &m);
  wasm_name_delete(&m);
  CHECK(wasm_trap_origin(t) == NULL);
  wasm_frame_vec_t trace;
  wasm_trap_trace(t, &trace);
  CHECK(trace.size == 0);
  wasm_frame_vec_delete(&trace);
  CHECK_TRAP(t, "no NUL here");

  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(fail);
out:
  wasm_module_delete(mod);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void test_start(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store, "(module (func $s unreachable) (start $s))");
  if (mod) {
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    wasm_trap_t *trap = NULL;
    CHECK(wasm_instance_new(store, mod, &none, &trap) == NULL);
    CHECK(trap != NULL);
    if (trap) {
      wasm_frame_t *f = wasm_trap_origin(trap);
      CHECK(f && wasm_frame_func_index(f) == 0);
      wasm_frame_delete(f);
    }
    CHECK_TRAP(trap, "unreachable");
    /* Without a place for the trap, just NULL. */
    CHECK(wasm_instance_new(store, mod, &none, NULL) == NULL);
    wasm_module_delete(mod);
  }
  /* Invalid modules are refused. */
  wasm_byte_vec_t junk;
  wasm_byte_vec_new(&junk, 4, "\0asx");
  CHECK(!wasm_module_validate(store, &junk));
  CHECK(wasm_module_new(store, &junk) == NULL);
  wasm_byte_vec_delete(&junk);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* --------------------------------------------------------- multi-value */

static wasm_trap_t *swap_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  wasm_val_copy(&results->data[0], &args->data[1]);
  wasm_val_copy(&results->data[1], &args->data[0]);
  return NULL;
}

static void test_multi(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store,
                              "(module\n"
                              "  (import \"\" \"swap\" (func $swap (param i64 f64) (result f64 i64)))\n"
                              "  (func (export \"run\") (param i64 f64) (result f64 i64)\n"
                              "    (call $swap (local.get 0) (local.get 1))))\n");
  if (mod) {
    wasm_functype_t *ft = wasm_functype_new_2_2(wasm_valtype_new_i64(), wasm_valtype_new_f64(),
                                                wasm_valtype_new_f64(), wasm_valtype_new_i64());
    wasm_func_t *swap = wasm_func_new(store, ft, swap_cb);
    wasm_functype_delete(ft);
    wasm_instance_t *inst = instantiate1(store, mod, swap);
    if (inst) {
      wasm_extern_vec_t ex;
      wasm_instance_exports(inst, &ex);
      wasm_val_t a[2] = {WASM_I64_VAL(-5), WASM_F64_VAL(2.5)};
      wasm_val_t r[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
      wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
      CHECK(wasm_func_call(wasm_extern_as_func(ex.data[0]), &av, &rv) == NULL);
      CHECK(r[0].kind == WASM_F64 && r[0].of.f64 == 2.5);
      CHECK(r[1].kind == WASM_I64 && r[1].of.i64 == -5);
      wasm_extern_vec_delete(&ex);
      wasm_instance_delete(inst);
    }
    wasm_func_delete(swap);
    wasm_module_delete(mod);
  }
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* A function with v128 in its type: the type says so (wasmem's kind),
** calling it through wasm.h is refused, since no wasm_val_t can hold one. */
static void test_v128(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store,
                              "(module\n"
                              "  (func (export \"splat\") (param i32) (result v128)\n"
                              "    (i32x4.splat (local.get 0)))\n"
                              "  (global (export \"g\") v128 (v128.const i32x4 1 2 3 4)))\n");
  /* No host function or global of a v128 type can be made. */
  wasm_functype_t *vft = wasm_functype_new_1_0(wasm_valtype_new(WASMEM_V128));
  CHECK(wasm_func_new(store, vft, swap_cb) == NULL);
  wasm_functype_delete(vft);
  wasm_globaltype_t *vgt = wasm_globaltype_new(wasm_valtype_new(WASMEM_V128), WASM_CONST);
  wasm_val_t vz = {.kind = WASMEM_V128};
  CHECK(wasm_global_new(store, vgt, &vz) == NULL);
  wasm_globaltype_delete(vgt);
  if (mod) {
    wasm_exporttype_vec_t et;
    wasm_module_exports(mod, &et);
    const wasm_functype_t *ft = et.size >= 1 ? wasm_externtype_as_functype_const(
                                                   wasm_exporttype_type(et.data[0]))
                                             : NULL;
    CHECK(et.size == 2);
    CHECK(ft && wasm_functype_results(ft)->size == 1 &&
          wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASMEM_V128);
    wasm_exporttype_vec_delete(&et);
    wasm_instance_t *inst = wasm_instance_new(store, mod, NULL, NULL);
    CHECK(inst != NULL);
    if (inst) {
      wasm_extern_vec_t ex;
      wasm_instance_exports(inst, &ex);
      wasm_val_t a[1] = {WASM_I32_VAL(7)}, r[1] = {WASM_INIT_VAL};
      wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
      CHECK_TRAP(wasm_func_call(wasm_extern_as_func(ex.data[0]), &av, &rv),
                 "a v128 result cannot pass through wasm.h");
      wasm_val_t gv = WASM_INIT_VAL;
      wasm_global_get(wasm_extern_as_global(ex.data[1]), &gv);
      CHECK(gv.kind == WASMEM_V128);
      wasm_extern_vec_delete(&ex);
      wasm_instance_delete(inst);
    }
    wasm_module_delete(mod);
  }
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* WebAssembly 3.0's references through wasm.h: an externref the guest made
** of a GC object (extern.convert_any) reaches the host as a reference of
** its own and comes back as the object; anyref and exnref are described by
** wasmem's kinds and refused in calls, as v128 is. */
static void test_gcrefs(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  static const char text[] =
      "(module (type $s (struct (field i32)))"
      " (table (export \"t\") 1 externref)"
      " (func (export \"mk\") (param i32) (result externref)"
      "  (extern.convert_any (struct.new $s (local.get 0))))"
      " (func (export \"get\") (param externref) (result i32)"
      "  (struct.get $s 0 (ref.cast (ref $s) (any.convert_extern (local.get 0)))))"
      " (func (export \"keep\") (param i32)"
      "  (table.set (i32.const 0) (extern.convert_any (struct.new $s (local.get 0)))))"
      " (func (export \"any\") (result anyref) (ref.i31 (i32.const 1)))"
      " (func (export \"exn\") (param exnref)))";
  wasm_byte_vec_t bin; /* wasmem reads the text format too */
  wasm_byte_vec_new(&bin, sizeof text - 1, text);
  wasm_module_t *mod = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  wasm_instance_t *inst = mod ? wasm_instance_new(store, mod, NULL, NULL) : NULL;
  CHECK(inst != NULL);
  if (inst) {
    wasm_extern_vec_t ex;
    wasm_instance_exports(inst, &ex);
    CHECK(ex.size == 6);
    wasm_table_t *t = wasm_extern_as_table(ex.data[0]);
    wasm_func_t *mk = wasm_extern_as_func(ex.data[1]), *get = wasm_extern_as_func(ex.data[2]);
    wasm_val_t a[1] = {WASM_I32_VAL(41)}, r[1] = {WASM_INIT_VAL}, r2[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r), rv2 = WASM_ARRAY_VEC(r2);
    CHECK(wasm_func_call(mk, &av, &rv) == NULL && r[0].kind == WASM_EXTERNREF && r[0].of.ref);
    wasm_val_vec_t back = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(get, &back, &rv2) == NULL && r2[0].of.i32 == 41);
    CHECK(wasm_func_call(get, &back, &rv2) == NULL && r2[0].of.i32 == 41);
    wasm_val_delete(&r[0]);
    a[0].of.i32 = 9;
    CHECK(wasm_func_call(wasm_extern_as_func(ex.data[3]), &av, NULL) == NULL);
    wasm_ref_t *e1 = wasm_table_get(t, 0), *e2 = wasm_table_get(t, 0);
    CHECK(e1 && e1 == e2); /* one reference per object */
    wasm_val_t in[1] = {{.kind = WASM_EXTERNREF, .of.ref = e1}};
    wasm_val_vec_t iv = WASM_ARRAY_VEC(in);
    CHECK(wasm_func_call(get, &iv, &rv2) == NULL && r2[0].of.i32 == 9);
    CHECK(wasm_table_set(t, 0, e1)); /* the object goes back as itself */
    CHECK(wasm_func_call(get, &iv, &rv2) == NULL && r2[0].of.i32 == 9);
    wasm_ref_delete(e1);
    wasm_ref_delete(e2);
    /* anyref and exnref: their kinds, and no call through wasm.h. */
    wasm_functype_t *ft = wasm_func_type(wasm_extern_as_func(ex.data[4]));
    CHECK(ft && wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASMEM_ANYREF);
    wasm_functype_delete(ft);
    ft = wasm_func_type(wasm_extern_as_func(ex.data[5]));
    CHECK(ft && wasm_valtype_kind(wasm_functype_params(ft)->data[0]) == WASMEM_EXNREF);
    wasm_functype_delete(ft);
    CHECK_TRAP(wasm_func_call(wasm_extern_as_func(ex.data[4]), NULL, &rv),
               "an anyref result cannot pass through wasm.h");
    wasm_functype_t *aft = wasm_functype_new_0_1(wasm_valtype_new(WASMEM_ANYREF));
    CHECK(aft && wasm_func_new(store, aft, swap_cb) == NULL);
    wasm_functype_delete(aft);
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
  }
  wasm_module_delete(mod);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* ------------------------------------------- host references, finalizers */

static wasm_trap_t *echo_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  wasm_val_copy(&results->data[0], &args->data[0]);
  return NULL;
}

static void test_hostrefs(void) {
  memset(finalized, 0, sizeof finalized);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store,
                              "(module\n"
                              "  (import \"\" \"echo\" (func $echo (param externref) (result externref)))\n"
                              "  (global (export \"g\") (mut externref) (ref.null extern))\n"
                              "  (table (export \"t\") 2 externref)\n"
                              "  (func (export \"call\") (param externref) (result externref)\n"
                              "    (call $echo (local.get 0))))\n");
  if (!mod) goto out;
  wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_externref(),
                                              wasm_valtype_new_externref());
  wasm_func_t *echo = wasm_func_new(store, ft, echo_cb);
  wasm_functype_delete(ft);
  wasm_instance_t *inst = instantiate1(store, mod, echo);
  wasm_func_delete(echo);
  if (!inst) goto out;
  wasm_instance_set_host_info_with_finalizer(inst, (void *)2, fin);
  CHECK(wasm_instance_get_host_info(inst) == (void *)2);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_instance_t *inst2 = wasm_instance_copy(inst);
  wasm_instance_delete(inst);
  CHECK(finalized[2] == 0); /* a second handle still holds it */
  wasm_instance_delete(inst2);
  CHECK(finalized[2] == 1); /* the last handle: finalized now */

  /* A foreign object never given to wasm goes with its last handle. */
  wasm_foreign_t *lone = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(lone, (void *)3, fin);
  wasm_ref_t *lone_ref = wasm_ref_copy(wasm_foreign_as_ref(lone));
  wasm_foreign_delete(lone);
  CHECK(finalized[3] == 0);
  CHECK(wasm_ref_as_foreign(lone_ref) != NULL && wasm_ref_as_func(lone_ref) == NULL);
  wasm_ref_delete(lone_ref);
  CHECK(finalized[3] == 1);

  /* One given to wasm lives on where wasm keeps it. */
  wasm_foreign_t *fo = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(fo, (void *)4, fin);
  wasm_ref_t *ref = wasm_foreign_as_ref(fo);
  wasm_val_t a[1] = {WASM_REF_VAL(ref)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(wasm_extern_as_func(ex.data[2]), &av, &rv) == NULL);
  CHECK(r[0].kind == WASM_EXTERNREF && r[0].of.ref && wasm_ref_same(r[0].of.ref, ref));
  CHECK(wasm_ref_get_host_info(r[0].of.ref) == (void *)4);
  wasm_val_delete(&r[0]);

  wasm_global_t *g = wasm_extern_as_global(ex.data[0]);
  wasm_val_t gv;
  wasm_global_get(g, &gv);
  CHECK(gv.kind == WASM_EXTERNREF && gv.of.ref == NULL);
  wasm_global_set(g, &a[0]);
  wasm_table_t *t = wasm_extern_as_table(ex.data[1]);
  CHECK(wasm_table_set(t, 1, ref));
  wasm_foreign_delete(fo); /* the host's last handle */
  CHECK(finalized[4] == 0);
  wasm_global_get(g, &gv);
  CHECK(gv.of.ref && wasm_ref_get_host_info(gv.of.ref) == (void *)4);
  wasm_val_t gcopy;
  wasm_val_copy(&gcopy, &gv);
  wasm_val_delete(&gv);
  wasm_val_delete(&gcopy);
  wasm_ref_t *tr = wasm_table_get(t, 1);
  CHECK(tr && wasm_ref_get_host_info(tr) == (void *)4);
  wasm_ref_delete(tr);
  CHECK(wasm_table_get(t, 0) == NULL && wasm_table_get(t, 2) == NULL);
  wasm_extern_vec_delete(&ex);
out:
  wasm_module_delete(mod);
  wasm_store_delete(store);
  CHECK(finalized[4] == 1); /* with the store */
  wasm_engine_delete(engine);
}

/* ------------------------------- one instance's exports as another's imports */

/* A host function that calls back into wasm: env is the func to call. */
static wasm_trap_t *reenter_cb(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  wasm_val_t a[1] = {WASM_I32_VAL(args->data[0].of.i32 * 2)};
  wasm_val_vec_t av = WASM_ARRAY_VEC(a);
  return wasm_func_call((const wasm_func_t *)env, &av, results);
}

static void test_instance_links(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *a = module(store,
                            "(module (memory (export \"m\") 1)\n"
                            "  (func (export \"inc\") (param i32) (result i32)\n"
                            "    (i32.store (i32.const 0) (i32.add (local.get 0) (i32.const 1)))\n"
                            "    (i32.load (i32.const 0))))\n");
  wasm_module_t *b = module(store,
                            "(module (import \"a\" \"m\" (memory 1))\n"
                            "  (import \"host\" \"f\" (func $f (param i32) (result i32)))\n"
                            "  (func (export \"run\") (param i32) (result i32)\n"
                            "    (i32.add (call $f (local.get 0)) (i32.load (i32.const 0)))))\n");
  wasm_extern_vec_t none = WASM_EMPTY_VEC, aex = WASM_EMPTY_VEC, bex = WASM_EMPTY_VEC;
  wasm_instance_t *ia = a ? wasm_instance_new(store, a, &none, NULL) : NULL;
  CHECK(ia != NULL);
  if (ia) wasm_instance_exports(ia, &aex);
  wasm_instance_t *ib = NULL;
  if (b && aex.size == 2) {
    wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t *f = wasm_func_new_with_env(store, ft, reenter_cb, wasm_extern_as_func(aex.data[1]),
                                            NULL);
    wasm_functype_delete(ft);
    wasm_extern_t *imps[2] = {aex.data[0], wasm_func_as_extern(f)};
    wasm_extern_vec_t iv = WASM_ARRAY_VEC(imps);
    ib = wasm_instance_new(store, b, &iv, NULL);
    wasm_func_delete(f);
  }
  CHECK(ib != NULL);
  if (ib) {
    wasm_instance_exports(ib, &bex);
    wasm_val_t args[1] = {WASM_I32_VAL(20)}, r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(args), rv = WASM_ARRAY_VEC(r);
    /* run(20) = inc(40) + the 41 inc stored in a's memory, which b imports */
    CHECK(wasm_func_call(wasm_extern_as_func(bex.data[0]), &av, &rv) == NULL && r[0].of.i32 == 82);
  }
  wasm_extern_vec_delete(&aex);
  wasm_extern_vec_delete(&bex);
  wasm_instance_delete(ia);
  wasm_instance_delete(ib);
  wasm_module_delete(a);
  wasm_module_delete(b);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* ------------------------------------------- imports bound by position */

/* Returns its env, an int, as the i32 result. */
static wasm_trap_t *const_cb(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = *(const int *)env;
  return NULL;
}

/* Call instance export k, a () -> i32; -1 if that fails. */
static int call_export_i32(wasm_instance_t *inst, size_t k) {
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, rv = WASM_ARRAY_VEC(r);
  int got = -1;
  if (k < ex.size && wasm_func_call(wasm_extern_as_func(ex.data[k]), &none, &rv) == NULL &&
      r[0].kind == WASM_I32)
    got = r[0].of.i32;
  wasm_extern_vec_delete(&ex);
  return got;
}

/* Each import gets the extern at its position, whatever its name: the same
** name twice, or a name with a NUL byte in it. */
static void test_import_positions(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store,
                              "(module\n"
                              "  (import \"m\" \"f\" (func $a (result i32)))\n"
                              "  (import \"m\" \"f\" (func $b (result i32)))\n"
                              "  (func (export \"a\") (result i32) (call $a))\n"
                              "  (func (export \"b\") (result i32) (call $b)))\n");
  wasm_module_t *nul = module(store,
                              "(module (import \"m\" \"f\\00x\" (func $c (result i32)))\n"
                              "  (func (export \"c\") (result i32) (call $c)))\n");
  if (!mod || !nul) goto out;
  static int vals[3] = {1, 2, 3};
  wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *fs[3];
  for (int i = 0; i < 3; i++) fs[i] = wasm_func_new_with_env(store, ft, const_cb, &vals[i], NULL);
  wasm_functype_delete(ft);
  wasm_extern_t *imps[2] = {wasm_func_as_extern(fs[0]), wasm_func_as_extern(fs[1])};
  wasm_extern_vec_t iv = WASM_ARRAY_VEC(imps);
  wasm_instance_t *inst = wasm_instance_new(store, mod, &iv, NULL);
  CHECK(inst != NULL);
  if (inst) {
    CHECK(call_export_i32(inst, 0) == 1);
    CHECK(call_export_i32(inst, 1) == 2);
    wasm_instance_delete(inst);
  }
  /* Another instance with them the other way round. */
  imps[0] = wasm_func_as_extern(fs[1]);
  imps[1] = wasm_func_as_extern(fs[0]);
  inst = wasm_instance_new(store, mod, &iv, NULL);
  CHECK(inst != NULL);
  if (inst) {
    CHECK(call_export_i32(inst, 0) == 2);
    CHECK(call_export_i32(inst, 1) == 1);
    wasm_instance_delete(inst);
  }
  wasm_extern_t *imp3[1] = {wasm_func_as_extern(fs[2])};
  wasm_extern_vec_t iv3 = WASM_ARRAY_VEC(imp3);
  wasm_trap_t *trap = NULL;
  inst = wasm_instance_new(store, nul, &iv3, &trap);
  CHECK(inst != NULL && trap == NULL);
  if (trap) fprintf(stderr, "  (%s)\n", trap_text(trap));
  if (inst) {
    CHECK(call_export_i32(inst, 0) == 3);
    wasm_instance_delete(inst);
  }
  /* A func of the wrong type at one position: an error naming both types. */
  wasm_functype_t *ft11 = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *wrong = wasm_func_new_with_env(store, ft11, const_cb, &vals[0], NULL);
  wasm_functype_delete(ft11);
  imps[1] = wasm_func_as_extern(wrong);
  CHECK(wasm_instance_new(store, mod, &iv, &trap) == NULL);
  CHECK_TRAP(trap, "incompatible import type: \"m\" \"f\" "
                   "(expected func () -> (i32), got func (i32) -> (i32))");
  wasm_func_delete(wrong);
  for (int i = 0; i < 3; i++) wasm_func_delete(fs[i]);
out:
  wasm_module_delete(mod);
  wasm_module_delete(nul);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* ---------------------------------- finalizers when the store goes */

/* Host info finalizers that delete the handle they were given. */
static void fin_delete_func(void *p) {
  wasm_func_delete(p);
  finalized[6]++;
}
static void fin_delete_foreign(void *p) {
  wasm_foreign_delete(p);
  finalized[7]++;
}

/* An older object's finalizer deletes its handles on newer objects of the
** same store: every finalizer still runs once, and nothing is used after
** it is freed. */
/* A store holds many instances: more than a wasmem runtime's default cap
** of 10,000 (the standard's finalize example makes 100,000 in one store). */
static void test_many_instances(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store, "(module (func (export \"f\")))");
  int made = 0;
  for (int i = 0; mod && i < 10050; i++) {
    wasm_instance_t *inst = wasm_instance_new(store, mod, NULL, NULL);
    if (!inst) break;
    made++;
    wasm_instance_delete(inst);
  }
  CHECK(made == 10050);
  wasm_module_delete(mod);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void test_store_finalizers(void) {
  memset(finalized, 0, sizeof finalized);
  env_finalized = 0;
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_foreign_t *f = wasm_foreign_new(store);
  wasm_foreign_t *f2 = wasm_foreign_new(store);
  static int env = 1000;
  wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *g = wasm_func_new_with_env(store, ft, const_cb, &env, env_fin);
  wasm_functype_delete(ft);
  wasm_foreign_t *h = wasm_foreign_new(store); /* held only by f2's host info */
  CHECK(f && f2 && g && h);
  wasm_func_set_host_info_with_finalizer(g, (void *)1, fin);
  wasm_foreign_set_host_info_with_finalizer(f, g, fin_delete_func);
  wasm_foreign_set_host_info_with_finalizer(f2, h, fin_delete_foreign);
  wasm_foreign_set_host_info_with_finalizer(h, (void *)2, fin);
  wasm_store_delete(store);
  CHECK(finalized[6] == 1 && finalized[7] == 1);
  CHECK(finalized[1] == 1 && finalized[2] == 1);
  CHECK(env_finalized == 1);
  wasm_engine_delete(engine);
}

/* ------------------------------------------- running out of host memory */

/* wasm_func_new_with_env with each of its allocations failing in turn:
** NULL and nothing made (its environment not finalized), or a working func
** whose environment is finalized once, with the store. */
static void test_func_new_out_of_memory(void) {
  static int env = 1000;
  bool made = false;
  for (long k = 0; k < 64 && !made; k++) {
    env_finalized = 0;
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
    wm__alloc_fail_after(k);
    wasm_func_t *f = wasm_func_new_with_env(store, ft, const_cb, &env, env_fin);
    wm__alloc_fail_after(-1);
    wasm_functype_delete(ft);
    made = f != NULL;
    if (f) {
      wasm_val_t r[1] = {WASM_INIT_VAL};
      wasm_val_vec_t none = WASM_EMPTY_VEC, rv = WASM_ARRAY_VEC(r);
      CHECK(wasm_func_call(f, &none, &rv) == NULL && r[0].of.i32 == 1000);
      wasm_func_delete(f);
    }
    wasm_store_delete(store);
    CHECK(env_finalized == (made ? 1 : 0));
    wasm_engine_delete(engine);
  }
  CHECK(made);
}

/* --------------------------------------- serialisation, sharing, exports */

static void test_modules(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *mod = module(store, "(module (func (export \"f\") (result i32) i32.const 7))");
  if (!mod) goto out;
  wasm_module_set_host_info_with_finalizer(mod, (void *)5, fin);
  wasm_byte_vec_t bin;
  wasm_module_serialize(mod, &bin);
  CHECK(bin.size > 8 && memcmp(bin.data, "\0asm", 4) == 0);
  wasm_module_t *again = wasm_module_deserialize(store, &bin);
  wasm_byte_vec_delete(&bin);
  CHECK(again != NULL && !wasm_module_same(again, mod));

  wasm_shared_module_t *shared = wasm_module_share(mod);
  wasm_module_delete(mod);
  CHECK(finalized[5] == 1);
  wasm_store_t *store2 = wasm_store_new(engine);
  wasm_module_t *obtained = wasm_module_obtain(store2, shared);
  wasm_shared_module_delete(shared);
  CHECK(obtained != NULL);
  wasm_module_t *both[2] = {again, obtained};
  wasm_store_t *stores[2] = {store, store2};
  for (int i = 0; i < 2 && both[i]; i++) {
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    wasm_instance_t *inst = wasm_instance_new(stores[i], both[i], &none, NULL);
    CHECK(inst != NULL);
    if (!inst) continue;
    wasm_extern_vec_t ex, copy;
    wasm_instance_exports(inst, &ex);
    wasm_extern_vec_copy(&copy, &ex);
    CHECK(copy.size == 1 && copy.data[0] == ex.data[0]);
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t none2 = WASM_EMPTY_VEC, rv = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(wasm_extern_as_func_const(copy.data[0]), &none2, &rv) == NULL);
    CHECK(r[0].of.i32 == 7);
    wasm_extern_vec_delete(&copy);
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
  }
  wasm_module_delete(again);
  wasm_module_delete(obtained);
  wasm_store_delete(store2);
out:
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* Values: copying and deleting numbers and null references is harmless. */
static void test_values(void) {
  wasm_val_t vals[3] = {WASM_I32_VAL(1), WASM_F64_VAL(2), WASM_INIT_VAL};
  wasm_val_vec_t v, c;
  wasm_val_vec_new(&v, 3, vals);
  wasm_val_vec_copy(&c, &v);
  CHECK(c.size == 3 && c.data[1].of.f64 == 2.0 && c.data[2].of.ref == NULL);
  wasm_val_vec_delete(&c);
  wasm_val_vec_delete(&v);
  wasm_val_t p;
  wasm_val_init_ptr(&p, &p);
  CHECK(wasm_val_ptr(&p) == &p);
  wasm_byte_vec_t b;
  wasm_byte_vec_new_uninitialized(&b, 5);
  CHECK(b.size == 5);
  wasm_byte_vec_delete(&b);
}

int main(void) {
  if (system("wat2wasm --version >/dev/null 2>&1") != 0) {
    printf("wat2wasm not found: skipped\n");
    return 0;
  }
  test_types();
  test_values();
  test_linking();
  test_traps();
  test_start();
  test_multi();
  test_v128();
  test_gcrefs();
  test_instance_links();
  test_import_positions();
  test_many_instances();
  test_store_finalizers();
  test_func_new_out_of_memory();
  test_hostrefs();
  test_modules();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
