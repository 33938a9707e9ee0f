/* SPDX-License-Identifier: MIT */
/*
** wm_fuzz_exec.c -- wasmem's half of the differential fuzzer: run a module
** made by binaryen's `wasm-opt --translate-to-fuzz` the way binaryen's own
** fuzz harness does, and print one canonical line per observable event, so
** that the output can be compared line for line with v8_exec.js (node).
** Uses only the public API (include/wasmem.h).
**
** Usage: wm_fuzz_exec [--checked] FILE.wasm
**   --checked  load the code for the heap checker's copy of the loop (no
**              checker attached: it runs the second copy of the interpreter)
**
** What is run (binaryen's fuzz_shell.js and execution-results.h define it):
** the module is instantiated with the `fuzzing-support` imports, then every
** export is visited in order. A function export is called with zeros (null
** for references) and prints `export NAME` then `ok VALUES...`, `trap CLASS`
** or `exception`; a global export prints `global NAME VALUE`. Instance state
** persists from one export to the next, also after a trap.
**
** The imports: log-i32/i64/f32/f64 print `log VALUES`; sleep(ms, id) returns
** id; call-export(i, flags) and call-ref(ref, flags) call export i (any kind
** in the export list) or a funcref with zero arguments, and call-export-catch
** and call-ref-catch do the same but return 1 if a host *exception* (not a
** trap) came out. A host exception is what JS throws when it cannot make the
** call: no such export, not a function, a null ref, an i64 parameter (JS
** would have to turn null into a BigInt), or any of them during the start
** function (the exports are not known yet). table-get/table-set use the
** export "table" and throw on an index out of range. An imported externref
** global gets a non-null host reference. env.setTempRet0/getTempRet0 keep
** one i32 (binaryen's legalize-js-interface pass splits i64s with them).
**
** Values: `i32:-5`, `i64:123`, `f32:0x3f800000` (bits), `f64:0x...`,
** `f32:nan` for any NaN (JS does not keep NaN payloads), `funcref:null`,
** `funcref:ref`, same for externref, `v128:0x` and the 16 bytes as one
** little-endian 128-bit number (32 hex digits, every bit; only log-v128
** shows one).
**
** SIMD (run.sh --simd): JS cannot pass a v128, so as in V8 a call from the
** harness (an export, call-export, call-ref) to a function with a v128
** parameter or result is a host exception before anything runs, and an
** exported v128 global prints `global NAME exception`. log-v128 works: V8's
** side gives it a small wasm function that splits the vector. Traps are printed as a class that both
** engines' messages map to (see trap_class()).
** Exit status: 0 when the module ran (traps included), 2 when it was not
** loaded (`load error CODE: MESSAGE`), 1 on a usage or host error.
*/
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmem.h"

enum import_kind {
  IMP_LOG,
  IMP_CALL_EXPORT,
  IMP_CALL_EXPORT_CATCH,
  IMP_CALL_REF,
  IMP_CALL_REF_CATCH,
  IMP_TABLE_GET,
  IMP_TABLE_SET,
  IMP_SLEEP,
  IMP_SET_TEMP_RET0,
  IMP_GET_TEMP_RET0
};

typedef struct fuzz_state {
  wm_runtime *rt;
  const wm_module *mod;
  wm_instance *inst; /* NULL while instantiating (the start function) */
  bool exception;    /* a host exception is unwinding through wasm */
  int32_t temp_ret0; /* env.setTempRet0/getTempRet0 (legalized i64s) */
} fuzz_state;

typedef struct binding {
  fuzz_state *st;
  enum import_kind kind;
  uint32_t nparams;
} binding;

/* The one host object imported externref globals point to. */
static int extern_payload;

/* Trap classes shared with v8_exec.js: where V8 uses one message for two
** spec traps (or wasmem one code for two V8 messages) they are one class. */
static const char *trap_class(int code) {
  switch (code) {
  case WM_TRAP_UNREACHABLE: return "unreachable";
  case WM_TRAP_MEMORY_OOB: return "memory";
  case WM_TRAP_DIV_ZERO: return "div-zero";
  case WM_TRAP_INT_OVERFLOW:
  case WM_TRAP_INVALID_CONVERSION: return "overflow";
  case WM_TRAP_UNDEFINED_ELEMENT:
  case WM_TRAP_TABLE_OOB: return "table";
  case WM_TRAP_UNINITIALIZED_ELEMENT:
  case WM_TRAP_INDIRECT_CALL_TYPE: return "indirect-call";
  case WM_TRAP_NULL_REF: return "null";
  case WM_TRAP_STACK_EXHAUSTED: return "stack";
  default: return wm_errname(code);
  }
}

static void print_val(wm_val v) {
  switch (v.type) {
  case WM_I32: printf("i32:%" PRId32, v.of.i32); break;
  case WM_I64: printf("i64:%" PRId64, v.of.i64); break;
  case WM_F32:
    if ((v.of.f32_bits & 0x7fffffffu) > 0x7f800000u) printf("f32:nan");
    else printf("f32:0x%08" PRIx32, v.of.f32_bits);
    break;
  case WM_F64:
    if ((v.of.f64_bits & 0x7fffffffffffffffull) > 0x7ff0000000000000ull) printf("f64:nan");
    else printf("f64:0x%016" PRIx64, v.of.f64_bits);
    break;
  case WM_FUNCREF:
  case WM_EXTERNREF: printf("%s:%s", wm_valtype_name(v.type), v.of.ref ? "ref" : "null"); break;
  case WM_V128:
    printf("v128:0x");
    for (int i = 15; i >= 0; i--) printf("%02x", v.of.v128[i]);
    break;
  default: printf("%s:?", wm_valtype_name(v.type)); break;
  }
}

static wm_val zero_of(wm_valtype t) {
  wm_val v;
  memset(&v, 0, sizeof v);
  v.type = t;
  return v;
}

/* Throw a host exception: the calling wasm code unwinds (wasmem sees a host
** trap) until a *-catch import or the export call sees st->exception. */
static int throw_exception(wm_call_ctx *ctx, fuzz_state *st) {
  st->exception = true;
  return wm_call_ctx_trap(ctx, WM_TRAP_HOST, "host exception");
}

/* Does f's type have a v128 anywhere? Then JS cannot call it. */
static bool has_v128(wm_functype ty) {
  for (uint32_t i = 0; i < ty.nparams; i++)
    if (ty.params[i] == WM_V128) return true;
  for (uint32_t i = 0; i < ty.nresults; i++)
    if (ty.results[i] == WM_V128) return true;
  return false;
}

/* Call f with zeros (null for references); on success print `ok VALUES`
** if asked. Returns wm_func_call's code. */
static int call_with_zeros(fuzz_state *st, wm_func *f, bool print, wm_error *err) {
  wm_functype ty = wm_func_type(f);
  wm_val *vals = calloc((size_t)ty.nparams + ty.nresults + 1, sizeof *vals);
  if (!vals) return err->code = WM_ENOMEM;
  for (uint32_t i = 0; i < ty.nparams; i++) vals[i] = zero_of(ty.params[i]);
  wm_val *results = vals + ty.nparams;
  int rc = wm_func_call(st->rt, f, vals, ty.nparams, results, ty.nresults, err);
  if (rc == 0 && print) {
    printf("ok");
    for (uint32_t i = 0; i < ty.nresults; i++) {
      printf(" ");
      print_val(results[i]);
    }
    printf("\n");
  }
  free(vals);
  return rc;
}

/* Call f as JS would from the harness: with zeros, after the same checks.
** Returns 0, a trap code to pass on, or WM_TRAP_HOST with st->exception. */
static int call_as_js(wm_call_ctx *ctx, fuzz_state *st, wm_func *f) {
  if (!f) return throw_exception(ctx, st);
  wm_functype ty = wm_func_type(f);
  if (has_v128(ty)) return throw_exception(ctx, st);
  for (uint32_t i = 0; i < ty.nparams; i++)
    /* fuzz_shell passes null for every parameter; null is no BigInt. */
    if (ty.params[i] == WM_I64) return throw_exception(ctx, st);
  wm_error err;
  int rc = call_with_zeros(st, f, false, &err);
  /* A trap goes on in the caller as the same trap; so does an exception. */
  if (rc == 0 || wm_is_trap(rc)) return rc;
  return wm_call_ctx_trap(ctx, WM_TRAP_HOST, "%s", wm_strerror(rc));
}

/* The export at index i of the export list (every kind counts), if it is a
** function; NULL otherwise, or before instantiation has finished. */
static wm_func *export_func(fuzz_state *st, uint32_t i) {
  wm_extern_desc d;
  if (!st->inst || wm_module_export(st->mod, i, &d) != 0 || d.kind != WM_EXTERN_FUNC) return NULL;
  return wm_instance_export(st->inst, d.name, d.name_len, WM_EXTERN_FUNC);
}

static int catch_result(fuzz_state *st, int rc, wm_val *results) {
  results[0] = wm_val_i32(0);
  if (rc == WM_TRAP_HOST && st->exception) {
    st->exception = false;
    results[0] = wm_val_i32(1);
    return 0;
  }
  return rc;
}

static int host_import(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  binding *b = data;
  fuzz_state *st = b->st;
  wm_table *table = st->inst ? wm_instance_table(st->inst, "table") : NULL;
  switch (b->kind) {
  case IMP_LOG: /* every argument: legalization makes log-i64 take two i32s */
    printf("log");
    for (uint32_t i = 0; i < b->nparams; i++) {
      printf(" ");
      print_val(args[i]);
    }
    printf("\n");
    return 0;
  case IMP_SET_TEMP_RET0: st->temp_ret0 = args[0].of.i32; return 0;
  case IMP_GET_TEMP_RET0: results[0] = wm_val_i32(st->temp_ret0); return 0;
  case IMP_SLEEP: results[0] = args[1]; return 0;
  case IMP_CALL_EXPORT: return call_as_js(ctx, st, export_func(st, (uint32_t)args[0].of.i32));
  case IMP_CALL_EXPORT_CATCH:
    return catch_result(st, call_as_js(ctx, st, export_func(st, (uint32_t)args[0].of.i32)), results);
  case IMP_CALL_REF: return call_as_js(ctx, st, args[0].of.ref);
  case IMP_CALL_REF_CATCH: return catch_result(st, call_as_js(ctx, st, args[0].of.ref), results);
  case IMP_TABLE_GET:
    if (!table || (uint32_t)args[0].of.i32 >= wm_table_size(table)) return throw_exception(ctx, st);
    return wm_table_get(table, (uint32_t)args[0].of.i32, &results[0], NULL);
  case IMP_TABLE_SET:
    if (!table || (uint32_t)args[0].of.i32 >= wm_table_size(table)) return throw_exception(ctx, st);
    return wm_table_set(table, (uint32_t)args[0].of.i32, args[1], NULL);
  }
  return throw_exception(ctx, st);
}

/* The imports the harness provides (env's are added by binaryen's
** legalize-js-interface pass, which --fuzz-passes may run). */
static bool import_kind_of(const char *module, const char *name, enum import_kind *out) {
  static const struct {
    const char *module, *name;
    enum import_kind kind;
  } names[] = {
      {"fuzzing-support", "log-i32", IMP_LOG},
      {"fuzzing-support", "log-i64", IMP_LOG},
      {"fuzzing-support", "log-f32", IMP_LOG},
      {"fuzzing-support", "log-f64", IMP_LOG},
      {"fuzzing-support", "log-v128", IMP_LOG},
      {"fuzzing-support", "call-export", IMP_CALL_EXPORT},
      {"fuzzing-support", "call-export-catch", IMP_CALL_EXPORT_CATCH},
      {"fuzzing-support", "call-ref", IMP_CALL_REF},
      {"fuzzing-support", "call-ref-catch", IMP_CALL_REF_CATCH},
      {"fuzzing-support", "table-get", IMP_TABLE_GET},
      {"fuzzing-support", "table-set", IMP_TABLE_SET},
      {"fuzzing-support", "sleep", IMP_SLEEP},
      {"env", "setTempRet0", IMP_SET_TEMP_RET0},
      {"env", "getTempRet0", IMP_GET_TEMP_RET0},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(module, names[i].module) == 0 && strcmp(name, names[i].name) == 0)
      return *out = names[i].kind, true;
  return false;
}

/* Define what the module imports and the harness knows. Anything else is
** left undefined, so instantiation fails as V8's does with a LinkError. */
static int define_imports(fuzz_state *st, binding *bindings, wm_error *err) {
  uint32_t n = wm_module_import_count(st->mod);
  for (uint32_t i = 0; i < n; i++) {
    wm_extern_desc d;
    int rc = wm_module_import(st->mod, i, &d);
    if (rc) return rc;
    if (d.kind == WM_EXTERN_FUNC && import_kind_of(d.module, d.name, &bindings[i].kind)) {
      bindings[i].st = st;
      bindings[i].nparams = d.func.nparams;
      wm_func *f;
      if ((rc = wm_func_new_host(st->rt, &d.func, host_import, &bindings[i], &f, err)) ||
          (rc = wm_runtime_define_func(st->rt, d.module, d.name, f, err)))
        return rc;
    } else if (d.kind == WM_EXTERN_GLOBAL && d.global_type == WM_EXTERNREF && !d.global_mutable) {
      wm_val v = zero_of(WM_EXTERNREF);
      v.of.ref = &extern_payload;
      wm_global *g;
      if ((rc = wm_global_new(st->rt, v, false, &g, err)) ||
          (rc = wm_runtime_define_global(st->rt, d.module, d.name, g, err)))
        return rc;
    }
  }
  return 0;
}

static void print_outcome(fuzz_state *st, int rc) {
  if (rc == WM_TRAP_HOST && st->exception) {
    st->exception = false;
    printf("exception\n");
  } else if (wm_is_trap(rc)) {
    printf("trap %s\n", trap_class(rc));
  } else {
    printf("error %s\n", wm_errname(rc));
  }
}

static void call_export(fuzz_state *st, const wm_extern_desc *d) {
  wm_func *f = wm_instance_export(st->inst, d->name, d->name_len, WM_EXTERN_FUNC);
  if (has_v128(wm_func_type(f))) {
    printf("exception\n");
    return;
  }
  wm_error err;
  int rc = call_with_zeros(st, f, true, &err);
  if (rc) print_outcome(st, rc);
}

static int run(fuzz_state *st) {
  wm_error err;
  uint32_t nimports = wm_module_import_count(st->mod);
  binding *bindings = calloc((size_t)nimports + 1, sizeof *bindings);
  if (!bindings) return fprintf(stderr, "wm_fuzz_exec: out of memory\n"), 1;
  int rc = define_imports(st, bindings, &err);
  if (rc) {
    fprintf(stderr, "wm_fuzz_exec: defining imports: %s\n", err.message);
    free(bindings);
    return 1;
  }
  wm_instance *inst;
  rc = wm_instance_new(st->rt, st->mod, NULL, &inst, &err);
  if (rc) {
    printf("instantiate ");
    if (rc == WM_EUNKNOWN_IMPORT || rc == WM_EINCOMPATIBLE_IMPORT) printf("link error\n");
    else print_outcome(st, rc);
    free(bindings);
    return 0;
  }
  st->inst = inst;
  uint32_t nexports = wm_module_export_count(st->mod);
  for (uint32_t i = 0; i < nexports; i++) {
    wm_extern_desc d;
    if (wm_module_export(st->mod, i, &d) != 0) continue;
    if (d.kind == WM_EXTERN_FUNC) {
      printf("export %s\n", d.name);
      call_export(st, &d);
    } else if (d.kind == WM_EXTERN_GLOBAL) {
      wm_global *g = wm_instance_export(inst, d.name, d.name_len, WM_EXTERN_GLOBAL);
      wm_val v = wm_global_get(g);
      printf("global %s ", d.name);
      if (v.type == WM_V128) printf("exception"); /* JS's .value throws */
      else print_val(v);
      printf("\n");
    }
  }
  free(bindings);
  return 0;
}

int main(int argc, char **argv) {
  wm_module_options opts = {0};
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--checked") == 0) opts.flags |= WM_MODULE_CHECKED;
    else if (!path && argv[i][0] != '-') path = argv[i];
    else path = NULL, i = argc;
  }
  if (!path) {
    fprintf(stderr, "usage: wm_fuzz_exec [--checked] FILE.wasm\n");
    return 1;
  }
  /* Line by line, so that a crash still shows how far the module got. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  wm_error err;
  wm_module *mod;
  int rc = wm_module_load_file(path, &opts, &mod, &err);
  if (rc) {
    printf("load error %s: %s\n", wm_errname(rc), err.message);
    return 2;
  }
  fuzz_state st = {0};
  st.mod = mod;
  if (wm_runtime_new(NULL, &st.rt, &err)) {
    fprintf(stderr, "wm_fuzz_exec: %s\n", err.message);
    wm_module_free(mod);
    return 1;
  }
  rc = run(&st);
  wm_runtime_free(st.rt);
  wm_module_free(mod);
  return rc;
}
