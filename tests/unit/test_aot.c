/* SPDX-License-Identifier: MIT */
/*
** test_aot.c -- ahead-of-time code through the C API (src/aot):
** wm_module_to_c's refusals and allocation failures, and a module compiled
** with the system's C compiler and loaded with wm_module_load_native:
** results, a host import that reads its caller's memory and traps with a
** message, memory grown by the host and then read by compiled code, two
** instances in two runtimes, the runtime usable after traps, and every
** refusal of the loader (arguments, a missing file, checked loading, an
** unmetered object loaded metered, allocation failures).
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <fenv.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aot_build.h"
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

static wm_runtime *new_runtime_with(const wm_runtime_options *ro) {
  wm_runtime *rt = NULL;
  wm_error err;
  CHECK(wm_runtime_new(ro, &rt, &err) == WM_OK);
  static const wm_valtype ii[] = {WM_I32, WM_I32}, i[] = {WM_I32};
  wm_functype t2 = {2, 1, ii, i}, t1 = {1, 1, i, i};
  wm_func *f;
  CHECK(wm_func_new_host(rt, &t2, host_sum, NULL, &f, &err) == WM_OK);
  CHECK(wm_runtime_define_func(rt, "host", "sum", f, &err) == WM_OK);
  CHECK(wm_func_new_host(rt, &t1, host_grow, NULL, &f, &err) == WM_OK);
  CHECK(wm_runtime_define_func(rt, "host", "grow", f, &err) == WM_OK);
  return rt;
}

static wm_runtime *new_runtime(void) { return new_runtime_with(NULL); }

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

static int build_so(const wm_module *mod, const char *so) { return build_so_with(mod, so, 0); }

/* The frame room: an object built as `wasmem compile` builds it
** (WM_FRAMES_MEASURED), its largest frame said to be 1 MiB. The runtime
** enters it only with two such frames left above the stack floor, and
** traps at once where they are not. */
static void test_frame_room(void) {
  wm_error err;
  wm_module *mod = NULL, *nat = NULL;
  char so[128], src[160], frame[160], cmd[1024];
  snprintf(so, sizeof so, "/tmp/wm_test_aot_fr_%d.so", (int)getpid());
  snprintf(src, sizeof src, "%s.c", so);
  snprintf(frame, sizeof frame, "%s.frame.c", so);
  CHECK(wm_module_load((const uint8_t *)mod_wat, strlen(mod_wat), NULL, &mod, &err) == WM_OK);
  char *c = NULL;
  size_t len = 0;
  CHECK(wm_module_to_c_parts(mod, NULL, 1, &c, &len, &err) == WM_OK);
  wm_module_free(mod);
  static const char ft[] = "#include <stdint.h>\n__attribute__((visibility(\"hidden\"))) "
                           "const uint64_t wm_frame_max = 1048576u;\n";
  FILE *f = fopen(src, "wb"), *g = fopen(frame, "wb");
  int ok = f && g && fwrite(c, 1, len, f) == len && fwrite(ft, 1, sizeof ft - 1, g) == sizeof ft - 1;
  if (f) fclose(f);
  if (g) fclose(g);
  wm_free(c);
  snprintf(cmd, sizeof cmd,
           "cc -O2 -shared -fPIC -ffp-contract=off -fno-optimize-sibling-calls -w "
           "-DWM_FRAMES_MEASURED -o %s %s %s -lm", so, src, frame);
  CHECK(ok && system(cmd) == 0);
  remove(src);
  remove(frame);
  CHECK(wm_module_load_native(so, NULL, &nat, &err) == WM_OK);
  for (int small = 1; small >= 0 && nat; small--) {
    wm_runtime_options ro = {0};
    ro.c_stack_bytes = small ? (size_t)1 << 20 : (size_t)4 << 20;
    wm_runtime *rt = new_runtime_with(&ro);
    wm_instance *inst = NULL;
    CHECK(wm_instance_new(rt, nat, NULL, &inst, &err) == WM_OK);
    int32_t r = 0;
    if (small) {
      CHECK_ERR(call_i32(rt, inst, "add", 40, 2, &r, &err), err, WM_TRAP_STACK_EXHAUSTED,
                "call stack exhausted");
      CHECK_ERR(call_i32(rt, inst, "add", 40, 2, &r, &err), err, WM_TRAP_STACK_EXHAUSTED,
                "call stack exhausted");
    } else {
      CHECK(call_i32(rt, inst, "add", 40, 2, &r, &err) == WM_OK && r == 42);
    }
    wm_runtime_free(rt);
  }
  wm_module_free(nat);
  remove(so);
}

/* The C `wasmem compile` makes of the module `wat`, NULL (a failed check)
** if it does not load or translate; free it with wm_free. */
static char *c_of(const char *wat) {
  wm_error err;
  wm_module *mod = NULL;
  char *c = NULL;
  size_t len;
  CHECK(wm_module_load((const uint8_t *)wat, strlen(wat), NULL, &mod, &err) == WM_OK);
  CHECK(mod && wm_module_to_c(mod, &c, &len, &err) == WM_OK && c);
  wm_module_free(mod);
  return c;
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
      {"(module (memory 1 1 shared))", "shared memory"},
      /* Typed function references, tail calls, exceptions and GC's types,
      ** references and instructions are translated: what stays refused is
      ** above. */
  };
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    mod = NULL;
    CHECK(wm_module_load((const uint8_t *)no[i].wat, strlen(no[i].wat), NULL, &mod, &err) == WM_OK);
    c = NULL;
    CHECK_ERR(wm_module_to_c(mod, &c, &len, &err), err, WM_EUNSUPPORTED, no[i].why);
    CHECK(c == NULL);
    wm_module_free(mod);
  }

  /* GC's allocating and copying instructions call the runtime (aot_gc.c). */
  static const struct {
    const char *wat, *helper;
  } gc[] = {
      {"(module (type $s (struct (field i32))) (func (result anyref) (struct.new $s (i32.const 1))))",
       "c->struct_new(c, 0u, 8u, 0u, WM_SELF)"},
      {"(module (type $a (array i8)) (func (result i32) (array.len (array.new_default $a (i32.const 1)))))",
       "c->array_new(c, 0u, 0u, "},
      {"(module (func (result externref) (extern.convert_any (ref.i31 (i32.const 1)))))",
       "c->convert(c, "},
      {"(module (func (param externref) (result anyref) (any.convert_extern (local.get 0))))",
       "c->convert(c, "},
      {"(module (type $a (array (mut anyref))) (func (param (ref $a))"
       " (array.fill $a (local.get 0) (i32.const 0) (ref.null any) (i32.const 1))))",
       "c->array_fill(c, "},
  };
  for (size_t i = 0; i < sizeof gc / sizeof gc[0]; i++) {
    c = c_of(gc[i].wat);
    CHECK(c != NULL && strstr(c, gc[i].helper) != NULL);
    wm_free(c);
  }

  /* Exceptions are translated (aot_exn.c). Only a module some live
  ** try_table of which catches checks for a pending exception after its
  ** calls and is marked WM_AOT_EXN (4 in the descriptor's flags, 5 with
  ** WM_AOT_GUARDED); any other's C has no check. */
  static const struct {
    const char *wat;
    bool pending;
  } x[] = {
      {"(module (tag) (func (call 1)) (func (throw 0)))", false},
      {"(module (global exnref (ref.null exn)) (table 1 exnref))", false},
      {"(module (func (call 1) (try_table (call 1))) (func))", false},
      {"(module (func (return) (block (try_table (catch_all 0) (call 1)))) (func))", false},
      {"(module (func (block (try_table (catch_all 0) (call 1)))) (func))", true},
      {"(module (type $t (func)) (func (param (ref $t))"
       " (block (try_table (catch_all 0) (call_ref $t (local.get 0))))))",
       true},
  };
  for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) {
    c = c_of(x[i].wat);
    CHECK(c != NULL && (strstr(c, "if (WM_UNLIKELY(c->exn))") != NULL) == x[i].pending);
    CHECK(c != NULL && (strstr(c, ", 4u, &wm_frame_max}") || strstr(c, ", 5u, &wm_frame_max}")) ==
                           x[i].pending);
    wm_free(c);
  }

  /* SIMD is translated: a v128 in a signature alone brings simd_lanes.h
  ** into the C, a module without one has none of it. */
  static const struct {
    const char *wat;
    bool simd;
  } v[] = {
      {"(module (func (param v128)))", true},
      {"(module (global v128 (v128.const i64x2 1 2)))", true},
      {"(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))", true},
      {"(module (func (result i32) (i32.const 1)))", false},
      /* GC's references, wherever they are, and its instructions that make
      ** no object. */
      {"(module (table i64 1 anyref))", false},
      {"(module (func (param eqref)))", false},
      {"(module (global (ref null none) (ref.null none)))", false},
      {"(module (func (local i31ref)))", false},
      {"(module (func (drop (ref.null struct))))", false},
      {"(module (func (result i32) (block (result anyref) (ref.null any)) (drop) (i32.const 0)))",
       false},
      {"(module (func (select (result arrayref) (ref.null array) (ref.null array) (i32.const 0))"
       " (drop)))",
       false},
      {"(module (type $s (struct (field (mut v128)))) (func (param (ref $s)) (result v128)"
       " (struct.get $s 0 (local.get 0))))",
       true},
      /* GC's types alone are translated (a v128 field is no value). */
      {"(module (rec (type $s (struct (field i8) (field (mut v128)))) (type $a (array i64)))"
       " (type $f (sub (func (result i32)))) (func (type $f) (i32.const 1)))",
       false},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    c = c_of(v[i].wat);
    CHECK(c != NULL && (strstr(c, "WM_SIMD_LANES_H") != NULL) == v[i].simd);
    CHECK(c != NULL && (strstr(c, "wm_kv(") != NULL) == v[i].simd);
    wm_free(c);
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
  CHECK_ERR(wm_module_load_native(so, &o, &nat, &err), err, WM_EUNSUPPORTED,
            "compiled without metering");
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
  /* Compiled code is not lowered code: nothing to print. */
  CHECK_ERR(wm_module_print_lowered(nat, 1, stdout, &err), err, WM_EINVAL,
            "compiled module has no lowered code");
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

/* ------------------------------------------- guard pages (WM_AOT_GUARDED) */

static const char *const guard_wat =
    "(module\n"
    "  (import \"host\" \"touch\" (func $touch (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"ld\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func (export \"st\") (param i32 i32) (result i32)\n"
    "    (i32.store (local.get 0) (local.get 1)) (i32.const 0))\n"
    "  (func (export \"touch\") (result i32) (i32.add (i32.const 1) (call $touch))))\n";
static const char *const guard_import_wat =
    "(module (import \"env\" \"mem\" (memory 1))\n"
    "  (func (export \"ld\") (param i32) (result i32) (i32.load (local.get 0))))\n";

/* A page of the embedder's own, inaccessible until its SIGSEGV handler
** (installed before any compiled code ran) makes it accessible. */
static volatile int *host_page;
static volatile sig_atomic_t host_faults;
static struct sigaction host_prev;

static void host_handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  if ((uintptr_t)si->si_addr - (uintptr_t)host_page < 4096) {
    host_faults++;
    mprotect((void *)host_page, 4096, PROT_READ | PROT_WRITE);
    return;
  }
  sigaction(sig, &host_prev, NULL); /* not ours: fault again, as before */
}

static int host_touch(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx, (void)args, (void)data;
  host_page[1] = 41; /* faults the first time after each mprotect(PROT_NONE) */
  results[0].type = WM_I32;
  results[0].of.i32 = host_page[1];
  return 0;
}

static wm_runtime *guard_runtime_opts(wm_pool *pool, bool guard_memories) {
  wm_runtime_options o = {0};
  o.pool = pool;
  o.guard_memories = guard_memories;
  wm_runtime *rt = NULL;
  wm_error err;
  CHECK(wm_runtime_new(&o, &rt, &err) == WM_OK);
  static const wm_valtype i[] = {WM_I32};
  wm_functype t = {0, 1, NULL, i};
  wm_func *f = NULL;
  CHECK(wm_func_new_host(rt, &t, host_touch, NULL, &f, &err) == WM_OK);
  CHECK(wm_runtime_define_func(rt, "host", "touch", f, &err) == WM_OK);
  return rt;
}

static wm_runtime *guard_runtime(wm_pool *pool) { return guard_runtime_opts(pool, false); }

/* Compile a .wat to so (flags WM_COMPILE_*) and load it: NULL if cc failed. */
static wm_module *guard_load(const char *wat, const char *so, uint32_t flags) {
  wm_error err;
  wm_module *m = NULL, *nat = NULL;
  CHECK(wm_module_load((const uint8_t *)wat, strlen(wat), NULL, &m, &err) == WM_OK);
  int rc = build_so_with(m, so, flags);
  wm_module_free(m);
  if (rc != 0) {
    fprintf(stderr, "test_aot: cc could not build %s\n", so);
    nfail++;
    return NULL;
  }
  CHECK(wm_module_load_native(so, NULL, &nat, &err) == WM_OK);
  return nat;
}

typedef struct guard_job {
  wm_module *nat;
  int ok, traps;
} guard_job;

/* One thread's runtime and instance, trapping through the guard while the
** other thread does the same. */
static void *guard_thread(void *p) {
  guard_job *j = p;
  wm_runtime *rt = guard_runtime(NULL);
  wm_instance *inst = NULL;
  wm_error err;
  if (wm_instance_new(rt, j->nat, NULL, &inst, &err) == WM_OK) {
    for (int k = 0; k < 2000; k++) {
      int32_t r = -1;
      if (call_i32(rt, inst, "ld", k % 2 ? 65536 + k : 65532, 0, &r, &err) == WM_TRAP_MEMORY_OOB &&
          strstr(err.message, "out of bounds memory access"))
        j->traps++;
      else if (r == 0)
        j->ok++;
    }
  }
  wm_runtime_free(rt);
  return NULL;
}

static void test_guard(void) {
  wm_error err;
  char so[128], so_imp[128], so_chk[128];
  snprintf(so, sizeof so, "/tmp/wm_test_aot_g_%d.so", (int)getpid());
  snprintf(so_imp, sizeof so_imp, "/tmp/wm_test_aot_gi_%d.so", (int)getpid());
  snprintf(so_chk, sizeof so_chk, "/tmp/wm_test_aot_gc_%d.so", (int)getpid());
  wm_module *m = NULL;
  char *c = NULL;
  size_t len;
  CHECK(wm_module_load((const uint8_t *)guard_wat, strlen(guard_wat), NULL, &m, &err) == WM_OK);
  wm_compile_options bad = {0x80};
  CHECK_ERR(wm_module_to_c_parts(m, &bad, 1, &c, &len, &err), err, WM_EINVAL, "unknown flag");
  CHECK(c == NULL);
  wm_module_free(m);

  /* A fault outside any linear memory ends the process as before: a
  ** child with no handler of its own but ours. */
  wm_module *nat = guard_load(guard_wat, so, 0);
  if (!nat) return;
  pid_t pid = fork();
  if (pid == 0) {
    wm_runtime *rt = guard_runtime(NULL);
    wm_instance *inst = NULL;
    int32_t r;
    if (wm_instance_new(rt, nat, NULL, &inst, &err) != WM_OK ||
        call_i32(rt, inst, "ld", 70000, 0, &r, &err) != WM_TRAP_MEMORY_OOB)
      _exit(3);
    /* An address no memory holds: a page unmapped again. */
    volatile int *gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap((void *)gone, 4096);
    *gone = 1;
    _exit(0);
  }
  int st = 0;
  CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
  /* Killed by SIGSEGV; under a sanitizer, by its report (an exit status,
  ** or SIGABRT with abort_on_error). */
  CHECK(WIFSIGNALED(st) ? WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGABRT
                        : WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3);

  /* The embedder's handler, installed before ours, still gets its faults:
  ** outside compiled code, and in a host function compiled code called. */
  host_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(host_page != MAP_FAILED);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = host_handler;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGSEGV, &sa, &host_prev) == 0);
  wm_runtime *rt = guard_runtime(NULL);
  wm_instance *inst = NULL;
  CHECK(wm_instance_new(rt, nat, NULL, &inst, &err) == WM_OK);
  int32_t r = 0;
  CHECK_ERR(call_i32(rt, inst, "ld", 65533, 0, &r, &err), err, WM_TRAP_MEMORY_OOB,
            "out of bounds memory access");
  host_page[0] = 1;
  CHECK(host_faults == 1);
  mprotect((void *)host_page, 4096, PROT_NONE);
  wm_val res;
  CHECK(wm_func_call(rt, wm_instance_func(inst, "touch"), NULL, 0, &res, 1, &err) == WM_OK &&
        res.of.i32 == 42);
  CHECK(host_faults == 2);
  CHECK_ERR(call_i32(rt, inst, "st", -4, 1, &r, &err), err, WM_TRAP_MEMORY_OOB,
            "out of bounds memory access");

  /* Two threads trapping through the guard at once, each its own. */
  guard_job jobs[2] = {{nat, 0, 0}, {nat, 0, 0}};
  pthread_t th[2];
  for (int k = 0; k < 2; k++) CHECK(pthread_create(&th[k], NULL, guard_thread, &jobs[k]) == 0);
  for (int k = 0; k < 2; k++) pthread_join(th[k], NULL);
  for (int k = 0; k < 2; k++) CHECK(jobs[k].ok == 1000 && jobs[k].traps == 1000);

  /* Instantiation refuses a memory not reserved for guarded code: one an
  ** interpreted module defines, one a pool's slot holds. A host's own
  ** (wm_memory_new, no pool) is reserved so. */
  wm_module *imp = guard_load(guard_import_wat, so_imp, 0);
  wm_module *imp_chk = guard_load(guard_import_wat, so_chk, WM_COMPILE_BOUNDS_CHECKS);
  static const char exporter[] = "(module (memory (export \"mem\") 1))";
  wm_module *em = NULL;
  CHECK(wm_module_load((const uint8_t *)exporter, strlen(exporter), NULL, &em, &err) == WM_OK);
  wm_instance *ei = NULL, *gi = NULL;
  CHECK(wm_instance_new(rt, em, NULL, &ei, &err) == WM_OK);
  wm_memory *mem = wm_instance_memory(ei, "mem");
  CHECK(wm_runtime_define_memory(rt, "env", "mem", mem, &err) == WM_OK);
  CHECK_ERR(wm_instance_new(rt, imp, NULL, &gi, &err), err, WM_EUNSUPPORTED, "--bounds-checks");
  CHECK(gi == NULL);
  CHECK(wm_instance_new(rt, imp_chk, NULL, &gi, &err) == WM_OK);
  CHECK_ERR(call_i32(rt, gi, "ld", 65533, 0, &r, &err), err, WM_TRAP_MEMORY_OOB,
            "out of bounds memory access");
  wm_memory *hm = NULL;
  wm_limits lim = {.min = 1};
  CHECK(wm_memory_new(rt, lim, &hm, &err) == WM_OK);
  CHECK(wm_runtime_define_memory(rt, "env", "mem", hm, &err) == WM_OK);
  gi = NULL;
  CHECK(wm_instance_new(rt, imp, NULL, &gi, &err) == WM_OK);
  CHECK_ERR(call_i32(rt, gi, "ld", 65533, 0, &r, &err), err, WM_TRAP_MEMORY_OOB,
            "out of bounds memory access");
  wm_pool *pool = NULL;
  CHECK(wm_pool_new(NULL, &pool, &err) == WM_OK);
  wm_runtime *prt = guard_runtime(pool);
  CHECK(wm_memory_new(prt, lim, &hm, &err) == WM_OK);
  CHECK(wm_runtime_define_memory(prt, "env", "mem", hm, &err) == WM_OK);
  gi = NULL;
  CHECK_ERR(wm_instance_new(prt, imp, NULL, &gi, &err), err, WM_EUNSUPPORTED, "pool");
  /* A guarded module's own memory does not take a pool slot. */
  CHECK(wm_instance_new(prt, nat, NULL, &gi, &err) == WM_OK);
  CHECK_ERR(call_i32(prt, gi, "ld", 65533, 0, &r, &err), err, WM_TRAP_MEMORY_OOB,
            "out of bounds memory access");
  wm_runtime_free(prt);
  /* A runtime with guard_memories reserves an interpreted module's memory
  ** for guarded importers, except in a pool's slot. */
  wm_runtime *grt = guard_runtime_opts(NULL, true);
  ei = gi = NULL;
  CHECK(wm_instance_new(grt, em, NULL, &ei, &err) == WM_OK);
  mem = wm_instance_memory(ei, "mem");
  CHECK(wm_runtime_define_memory(grt, "env", "mem", mem, &err) == WM_OK);
  CHECK(wm_instance_new(grt, imp, NULL, &gi, &err) == WM_OK);
  CHECK(call_i32(grt, gi, "ld", 65532, 0, &r, &err) == WM_OK);
  CHECK_ERR(call_i32(grt, gi, "ld", 65533, 0, &r, &err), err, WM_TRAP_MEMORY_OOB,
            "out of bounds memory access");
  CHECK(wm_memory_grow(mem, 1, NULL, &err) == WM_OK);
  CHECK(call_i32(grt, gi, "ld", 65533, 0, &r, &err) == WM_OK);
  CHECK_ERR(call_i32(grt, gi, "ld", 131069, 0, &r, &err), err, WM_TRAP_MEMORY_OOB,
            "out of bounds memory access");
  wm_runtime_free(grt);
  wm_runtime_options po = {.pool = pool, .guard_memories = true};
  CHECK(wm_runtime_new(&po, &prt, &err) == WM_OK);
  ei = gi = NULL;
  CHECK(wm_instance_new(prt, em, NULL, &ei, &err) == WM_OK);
  CHECK(wm_runtime_define_memory(prt, "env", "mem", wm_instance_memory(ei, "mem"), &err) ==
        WM_OK);
  CHECK_ERR(wm_instance_new(prt, imp, NULL, &gi, &err), err, WM_EUNSUPPORTED, "pool");
  wm_runtime_free(prt);
  wm_pool_free(pool);
  wm_runtime_free(rt);
  wm_module_free(em);
  wm_module_free(imp);
  wm_module_free(imp_chk);
  wm_module_free(nat);
  sigaction(SIGSEGV, &host_prev, NULL);
  munmap((void *)host_page, 4096);
  remove(so);
  remove(so_imp);
  remove(so_chk);
}

/* ------------------------------------------------- the handler's manners */

static const char *const manners_wat =
    "(module (memory (export \"memory\") 1)\n"
    "  (func (export \"ld\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func (export \"grow\") (result i32) (memory.grow (i32.const 1))))\n";

static wm_memory *limited_mem;

/* An embedder's limiter with a bug: it reads the page growth is about to
** open. Host code: its fault is not a trap of compiled code. */
static bool buggy_limiter(void *d, uint64_t cur, uint64_t desired, uint64_t max) {
  (void)d, (void)max;
  if (limited_mem && cur) {
    volatile uint8_t *p = wm_memory_data(limited_mem);
    (void)p[desired - 1];
  }
  return true;
}

/* Run fn in a child: its exit status, or 128 + the signal that ended it. */
static int in_child(int (*fn)(wm_module *), wm_module *nat) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) _exit(fn(nat));
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1;
  return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static bool trap_once(wm_runtime *rt, wm_module *nat) {
  wm_instance *inst = NULL;
  wm_error err;
  int32_t r;
  if (wm_instance_new(rt, nat, NULL, &inst, &err) != WM_OK) return false;
  return call_i32(rt, inst, "ld", 70000, 0, &r, &err) == WM_TRAP_MEMORY_OOB &&
         strstr(err.message, "out of bounds memory access");
}

/* A signal sent, not a fault, goes on as without us (the default: death). */
static int child_raise(wm_module *nat) {
  if (!trap_once(new_runtime(), nat)) return 3;
  raise(SIGSEGV);
  return 0;
}

/* An embedder that put the default back over ours: the next
** instantiation installs ours again. */
static int child_restore(wm_module *nat) {
  wm_runtime *rt = new_runtime();
  if (!trap_once(rt, nat)) return 3;
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGSEGV, &dfl, NULL);
  sigaction(SIGBUS, &dfl, NULL);
  return trap_once(rt, nat) ? 0 : 4;
}

/* The limiter's fault ends the process, as in the interpreter. */
static int child_limiter(wm_module *nat) {
  wm_runtime_options o = {0};
  o.memory_growing = buggy_limiter;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  if (wm_runtime_new(&o, &rt, &err) != WM_OK || wm_instance_new(rt, nat, NULL, &inst, &err))
    return 3;
  limited_mem = wm_instance_memory(inst, "memory");
  wm_val res;
  wm_func_call(rt, wm_instance_func(inst, "grow"), NULL, 0, &res, 1, &err);
  return 0;
}

typedef struct blocked_job {
  wm_module *nat;
  bool trapped, still_blocked;
} blocked_job;

/* A worker thread that blocks every signal, as servers do. */
static void *blocked_thread(void *p) {
  blocked_job *j = p;
  sigset_t all, now;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  wm_runtime *rt = new_runtime();
  j->trapped = trap_once(rt, j->nat);
  wm_runtime_free(rt);
  pthread_sigmask(SIG_BLOCK, NULL, &now);
  j->still_blocked = sigismember(&now, SIGSEGV) == 1;
  return NULL;
}

static void test_guard_manners(void) {
  char so[128];
  snprintf(so, sizeof so, "/tmp/wm_test_aot_gm_%d.so", (int)getpid());
  wm_module *nat = guard_load(manners_wat, so, 0);
  if (!nat) return;
  /* The floating point control state survives a trap through the guard. */
  wm_runtime *rt = new_runtime();
  CHECK(fesetround(FE_UPWARD) == 0);
  CHECK(trap_once(rt, nat));
  CHECK(fegetround() == FE_UPWARD);
  fesetround(FE_TONEAREST);
  /* An alternate stack the kernel disarms for the handler is armed again. */
  static char alt[1 << 16];
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = (int)(1U << 31)};
  if (sigaltstack(&ss, NULL) == 0) {
    CHECK(trap_once(rt, nat));
    stack_t cur;
    CHECK(sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) && cur.ss_sp == alt);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
  }
  wm_runtime_free(rt);
  blocked_job j = {nat, false, false};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, blocked_thread, &j) == 0);
  pthread_join(th, NULL);
  CHECK(j.trapped && j.still_blocked);
  /* Signals sent, a handler put back, a fault of host code: in children. */
  int r = in_child(child_raise, nat);
  CHECK(r != 0 && r != 3 && r != -1);
  CHECK(in_child(child_restore, nat) == 0);
  r = in_child(child_limiter, nat);
  CHECK(r != 0 && r != 3 && r != -1);
  wm_module_free(nat);
  remove(so);
}

/* A module split into parts: each part compiles alone, declares exactly
** the functions its bodies call (part 0, whose tables name them all,
** declares every one) and the signatures it uses, and the parts linked
** together run. The export name's '?', '"' and '\' go through the bytes'
** string literal. Function indices: 0 the import, 1 add ... 8 callwide. */
static const char *const parts_wat =
    "(module\n"
    "  (type $bin (func (param i32 i32) (result i32)))\n"
    "  (import \"host\" \"sum\" (func $sum (type $bin)))\n"
    "  (memory 1)\n"
    "  (table 2 funcref)\n"
    "  (elem (i32.const 0) $add $two)\n"
    "  (func $add (export \"a?\?=\\\"\\\\1\") (type $bin) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func $two (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))\n"
    "  (func (export \"pair\") (param i32) (result i32) (i32.sub (call $two (local.get 0) (i32.const 1))))\n"
    "  (func (export \"ind\") (type $bin)\n"
    "    (call_indirect (type $bin) (local.get 0) (local.get 1) (i32.const 0)))\n"
    "  (func (export \"lone\") (result f64) (f64.const 1.5))\n"
    "  (func (export \"hsum\") (type $bin)\n"
    "    (i32.add (call $sum (local.get 0) (local.get 1)) (call $add (local.get 0) (local.get 1))))\n"
    "  (func $wide (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32\n"
    "                      i32 i32 i32 i32 i32 i32 i32) (result i32) (local.get 24))\n"
    "  (func (export \"callwide\") (result i32)\n"
    "    (call $wide (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)\n"
    "      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)\n"
    "      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)\n"
    "      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)\n"
    "      (i32.const 0) (i32.const 25))))\n";

/* Whether part c declares (';' after the parameters) or defines ('{')
** function x's typed C function, and whether it declares its entry. */
static bool has_proto(const char *c, unsigned x, char end) {
  char pat[48];
  snprintf(pat, sizeof pat, " f%u(wm_aot_ctx *c", x);
  for (const char *p = strstr(c, pat); p; p = strstr(p + 1, pat)) {
    const char *q = strchr(p, ')');
    if (q && q[1] == (end == '{' ? ' ' : ';')) return true;
  }
  return false;
}
static bool has_entry_decl(const char *c, unsigned x) {
  char pat[64];
  snprintf(pat, sizeof pat, "WM_FN void e%u(wm_aot_ctx *c, wm_aot_slot *io);", x);
  return strstr(c, pat) != NULL;
}
static int count_of(const char *c, const char *pat) {
  int n = 0;
  for (const char *p = strstr(c, pat); p; p = strstr(p + 1, pat)) n++;
  return n;
}

static void test_parts(void) {
  enum { NP = 3, NF = 9 };
  /* Who calls whom directly (typed: f; through slots: e), the signature
  ** class of each function, and who calls through the table. */
  static const struct { unsigned from, to; bool entry; } calls[] = {
      {3, 2, false}, {6, 1, false}, {8, 7, true}};
  static const int sig[NF] = {0, 0, 1, 2, 0, 3, 0, 4, 5};
  wm_error err;
  wm_module *mod = NULL;
  CHECK(wm_module_load((const uint8_t *)parts_wat, strlen(parts_wat), NULL, &mod, &err) == WM_OK);
  char *c[NP] = {0};
  size_t len[NP];
  CHECK(wm_module_to_c_parts(mod, NULL, NP, c, len, &err) == WM_OK);
  if (!c[0]) {
    wm_module_free(mod);
    return;
  }
  int where[NF] = {-1};
  for (unsigned x = 1; x < NF; x++) {
    where[x] = -1;
    for (int p = 0; p < NP; p++)
      if (has_proto(c[p], x, '{')) {
        CHECK(where[x] == -1);
        where[x] = p;
      }
    CHECK(where[x] >= 0);
  }
  for (int p = 0; p < NP; p++) {
    CHECK(strlen(c[p]) == len[p]);
    CHECK((strstr(c[p], "WM_AOT_SYMBOL =") != NULL) == (p == 0));
    CHECK((strstr(c[p], "static const uint8_t wm_wasm[") != NULL) == (p == 0));
    bool sigs[6] = {false};
    bool ind = where[4] == p;
    for (unsigned x = 1; x < NF; x++) {
      bool f = p == 0, e = p == 0;
      for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++)
        if (calls[k].to == x && where[calls[k].from] == p) {
          if (calls[k].entry) e = true;
          else f = true;
        }
      CHECK(has_proto(c[p], x, ';') == f);
      CHECK(has_entry_decl(c[p], x) == e);
      if (f || e || where[x] == p) sigs[sig[x]] = true;
    }
    if (ind) sigs[0] = true;
    int nsig = 0;
    for (int k = 0; k < 6; k++) nsig += sigs[k];
    CHECK(count_of(c[p], "(*ft_") == nsig);
    CHECK(count_of(c[p], "struct r_1 {") == (sigs[1] ? 1 : 0));
    CHECK((strstr(c[p], "WM_TABLE const wm_aot_entry wm_entries") != NULL) == (p == 0 || ind));
  }
  /* Each part compiles alone; linked, they run. */
  char so[128], src[160], obj[NP][160], cmd[2048];
  snprintf(so, sizeof so, "/tmp/wm_test_aot_parts_%d.so", (int)getpid());
  snprintf(cmd, sizeof cmd, "cc -shared -o %s", so);
  bool built = true;
  for (int p = 0; p < NP; p++) {
    snprintf(src, sizeof src, "%s.%d.c", so, p);
    snprintf(obj[p], sizeof obj[p], "%s.%d.o", so, p);
    FILE *f = fopen(src, "wb");
    bool ok = f && fwrite(c[p], 1, len[p], f) == len[p];
    if (f) fclose(f);
    char one[640];
    snprintf(one, sizeof one,
             "cc -c -O1 -fPIC -ffp-contract=off -fno-optimize-sibling-calls -w "
             "-Werror=implicit-function-declaration -o %s %s", obj[p], src);
    if (!ok || system(one) != 0) built = false;
    remove(src);
    size_t n = strlen(cmd);
    snprintf(cmd + n, sizeof cmd - n, " %s", obj[p]);
  }
  CHECK(built);
  strncat(cmd, " -lm", sizeof cmd - strlen(cmd) - 1);
  bool linked = built && system(cmd) == 0;
  CHECK(linked);
  for (int p = 0; p < NP; p++) remove(obj[p]);
  wm_module *nat = NULL;
  if (linked && wm_module_load_native(so, NULL, &nat, &err) == WM_OK) {
    wm_runtime *rt = new_runtime();
    wm_instance *inst = NULL;
    int32_t r = 0;
    CHECK(wm_instance_new(rt, nat, NULL, &inst, &err) == WM_OK);
    CHECK(call_i32(rt, inst, "a?\?=\"\\1", 2, 3, &r, &err) == 0 && r == 5);
    CHECK(call_i32(rt, inst, "pair", 10, 0, &r, &err) == 0 && r == -9);
    CHECK(call_i32(rt, inst, "ind", 4, 5, &r, &err) == 0 && r == 9);
    CHECK(call_i32(rt, inst, "hsum", 0, 4, &r, &err) == 0 && r == 4);
    CHECK(call_i32(rt, inst, "callwide", 0, 0, &r, &err) == 0 && r == 25);
    wm_runtime_free(rt);
    wm_module_free(nat);
  } else {
    CHECK(!"the parts' object loads");
  }
  remove(so);
  for (int p = 0; p < NP; p++) wm_free(c[p]);
  wm_module_free(mod);
}

/* Function 0's definition in c, to the file's end; NULL if none. */
static const char *f0_of(const char *c) {
  for (const char *p = strstr(c, " f0(wm_aot_ctx *c"); p; p = strstr(p + 1, " f0(wm_aot_ctx *c")) {
    const char *q = strchr(p, ')');
    if (q && q[1] == ' ' && q[2] == '{') return p;
  }
  return NULL;
}

/* Lines of function 0's C that start with label letter k. */
static int labels_of(const char *c, char k) {
  const char *body = f0_of(c);
  int n = 0;
  for (const char *p = body ? strchr(body, '\n') : NULL; p; p = strchr(p + 1, '\n'))
    if (p[1] == k && p[2] >= '0' && p[2] <= '9') n++;
  return n;
}

/* Versioned loops and nests (aot_vec.c): which loops of function 0 are
** written twice, and that the fast copy (from its first label to its jump
** past the exact one) keeps no load (WM_KEEP) and fences no store. */
static void test_vec_c(void) {
  static const struct {
    const char *why, *wat;
    int v, l, keep, fence;
  } t[] = {
      {"a counted loop", "(module (memory 1) (func (param $b i32) (local $i i32)"
       " (loop $l (drop (i32.load (i32.add (local.get $b) (local.get $i))))"
       " (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 64))))))",
       1, 1, 1, 0},
      {"a loop that may trap", "(module (memory 1) (func (param $b i32) (local $i i32)"
       " (loop $l (drop (i32.div_u (i32.const 1) (i32.load (i32.add (local.get $b) (local.get $i)))))"
       " (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 64))))))",
       0, 1, 1, 0},
      {"a nest (memsum's)", "(module (memory 1) (func (param $b i32) (param $n i32) (local $r i32)"
       " (local $i i32) (local $s i32)"
       " (loop $o (local.set $i (i32.const 0))"
       "  (loop $l (local.set $s (i32.add (local.get $s) (i32.xor (local.get $r)"
       "   (i32.load (i32.add (local.get $b) (local.get $i))))))"
       "   (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))"
       "  (br_if $o (i32.ne (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 9))))))",
       2, 2, 1, 0},
      {"a nest that stores", "(module (memory 1) (func (param $b i32) (local $r i32) (local $i i32)"
       " (loop $o (local.set $i (i32.add (local.get $b) (i32.const 8)))"
       "  (loop $l (i32.store (i32.add (local.get $b) (local.get $i)) (local.get $r))"
       "   (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 64))))"
       "  (br_if $o (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))))",
       2, 2, 0, 2},
      {"a nest whose inner base moves", "(module (memory 1) (func (param $b i32) (local $r i32)"
       " (local $i i32)"
       " (loop $o (local.set $i (i32.const 0))"
       "  (loop $l (drop (i32.load (i32.add (local.get $b) (local.get $i))))"
       "   (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 64))))"
       "  (local.set $b (i32.add (local.get $b) (i32.const 64)))"
       "  (br_if $o (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))))",
       1, 2, 1, 0},
      {"a nest whose counter starts where the last pass ended",
       "(module (memory 1) (func (param $b i32) (local $r i32) (local $i i32)"
       " (loop $o (local.set $i (i32.sub (local.get $i) (i32.const 64)))"
       "  (loop $l (drop (i32.load (i32.add (local.get $b) (local.get $i))))"
       "   (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 64))))"
       "  (br_if $o (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))))",
       1, 2, 1, 0},
      {"a nest with a load outside its inner loop",
       "(module (memory 1) (func (param $b i32) (local $r i32) (local $i i32)"
       " (loop $o (local.set $i (i32.load (local.get $b)))"
       "  (loop $l (drop (i32.load (i32.add (local.get $b) (local.get $i))))"
       "   (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 64))))"
       "  (br_if $o (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))))",
       1, 2, 2, 0},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    char *c = c_of(t[i].wat);
    if (c) {
      const char *f0 = f0_of(c);
      bool ok = f0 && labels_of(c, 'V') == t[i].v && labels_of(c, 'L') == t[i].l &&
                count_of(f0, "WM_KEEP") == t[i].keep && count_of(f0, "WM_FENCE") == t[i].fence;
      const char *fast = f0 ? strstr(f0, "\nV") : NULL;
      const char *jump = fast ? strstr(fast, "goto J") : NULL;
      for (const char *p = fast; p && p < jump; p++)
        if (!strncmp(p, "WM_KEEP", 7) || !strncmp(p, "WM_FENCE", 8)) ok = false;
      if (!ok) fprintf(stderr, "test_vec_c: %s:\n%s\n", t[i].why, f0 ? f0 : c);
      CHECK(ok);
    }
    wm_free(c);
  }
}

int main(void) {
  test_vec_c();
  test_guard();
  test_guard_manners();
  test_to_c();
  test_native();
  test_parts();
  test_frame_room();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
