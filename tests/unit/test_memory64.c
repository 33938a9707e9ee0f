/* SPDX-License-Identifier: MIT */
/*
** test_memory64.c -- WebAssembly 3.0's 64-bit memories and tables through
** the C API: their limits in import and export descriptions, host-made
** ones, the 4 GiB we give a memory64 at most, 2.0's refusal of their
** limits, and the parts that refuse a 64-bit memory with their own
** message: the exchange API, WASI preview1 and the heap checker.
** (Instructions and traps: tests/spectest/memory64.wast and table64.wast.)
*/
#include <stdio.h>
#include <string.h>

#include "wasmem.h"

#include "check.h"

static const char mod64[] =
    "(module (import \"x\" \"m\" (memory i64 1)) (table (export \"t\") i64 2 funcref)"
    " (table (export \"u\") i64 funcref (elem $f)) (memory (export \"memory\") i64 1 7)"
    " (func $f) (func (export \"_start\")))";

static wm_module *load_text(const char *text, uint32_t flags, wm_error *err) {
  wm_module *mod = NULL;
  wm_module_options o = {.flags = flags};
  int rc = wm_module_load((const uint8_t *)text, strlen(text), &o, &mod, err);
  if (rc) fprintf(stderr, "  load: %s\n", err->message);
  return rc ? NULL : mod;
}

/* The limits of imports and exports carry the address type. */
static void test_descriptions(void) {
  wm_error err;
  wm_module *mod = load_text(mod64, 0, &err);
  CHECK(mod != NULL);
  if (!mod) return;
  wm_extern_desc d;
  CHECK(wm_module_import(mod, 0, &d) == 0 && d.kind == WM_EXTERN_MEMORY && d.limits.is64 &&
        d.limits.min == 1 && !d.limits.has_max);
  CHECK(wm_module_export(mod, 0, &d) == 0 && d.kind == WM_EXTERN_TABLE && d.limits.is64 &&
        d.limits.min == 2);
  CHECK(wm_module_export(mod, 1, &d) == 0 && d.kind == WM_EXTERN_TABLE && d.limits.is64 &&
        d.limits.min == 1 && d.limits.has_max && d.limits.max == 1);
  CHECK(wm_module_export(mod, 2, &d) == 0 && d.kind == WM_EXTERN_MEMORY && d.limits.is64 &&
        d.limits.max == 7);
  wm_module_free(mod);
  /* WebAssembly 2.0 has no 64-bit limits: malformed under WM_MODULE_WASM2. */
  mod = NULL;
  wm_module_options o = {.flags = WM_MODULE_WASM2};
  int rc = wm_module_load((const uint8_t *)mod64, strlen(mod64), &o, &mod, &err);
  CHECK_ERR(rc, err, WM_EMALFORMED, "integer too large");
  CHECK(mod == NULL);
}

/* A host-made 64-bit memory may declare up to 2^48 pages; it gets the
** runtime's cap (4 GiB at most), and a minimum past that fails. */
static void test_host_objects(void) {
  wm_error err;
  wm_runtime *rt = NULL;
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  if (!rt) return;
  wm_memory *m = NULL;
  wm_limits l = {1, (uint64_t)1 << 48, true, false, true};
  CHECK(wm_memory_new(rt, l, &m, &err) == 0 && m && wm_memory_pages(m) == 1);
  l.max++;
  CHECK_ERR(wm_memory_new(rt, l, &m, &err), err, WM_EINVAL, "invalid memory limits");
  wm_limits big = {65537, 0, false, false, true};
  CHECK_ERR(wm_memory_new(rt, big, &m, &err), err, WM_ELIMIT, "exceeds the limit of 65536 pages");
  wm_table *t = NULL;
  wm_limits tl = {1, UINT64_MAX, true, false, true};
  CHECK(wm_table_new(rt, WM_FUNCREF, tl, NULL, &t, &err) == 0 && t);
  tl.is64 = false;
  CHECK_ERR(wm_table_new(rt, WM_FUNCREF, tl, NULL, &t, &err), err, WM_EINVAL,
            "invalid table limits");
  wm_runtime_free(rt);
}

/* An instance of a module with the memory64 import satisfied. */
static wm_instance *instantiate(wm_runtime *rt, wm_module *mod, wm_error *err) {
  wm_memory *m = NULL;
  wm_limits l = {1, 0, false, false, true};
  wm_instance *inst = NULL;
  if (wm_memory_new(rt, l, &m, err) || wm_runtime_define_memory(rt, "x", "m", m, err) ||
      wm_instance_new(rt, mod, NULL, &inst, err))
    fprintf(stderr, "  instantiate: %s\n", err->message);
  return inst;
}

/* The parts that read guest pointers as i32s refuse a 64-bit memory. */
static void test_refusals(void) {
  wm_error err;
  wm_module *mod = load_text(mod64, 0, &err);
  wm_runtime *rt = NULL;
  CHECK(mod && wm_runtime_new(NULL, &rt, &err) == 0);
  if (!mod || !rt) return;
  wm_instance *inst = instantiate(rt, mod, &err);
  CHECK(inst != NULL);
  wm_guest *g = NULL;
  CHECK_ERR(wm_guest_new(rt, inst, NULL, &g, &err), err, WM_EUNSUPPORTED,
            "memory64 not supported by the exchange API");
  CHECK(g == NULL);
  wm_wasi *w = NULL;
  CHECK(wm_wasi_new(&w, &err) == 0);
  int code = -1;
  CHECK_ERR(wm_wasi_run(w, rt, inst, &code, &err), err, WM_EUNSUPPORTED,
            "WASI preview1 is 32-bit");
  wm_wasi_free(w);
  wm_runtime_free(rt);
  wm_module_free(mod);

  /* The heap checker: the instance's memory 0 is 64-bit. */
  mod = load_text(mod64, WM_MODULE_CHECKED, &err);
  rt = NULL;
  CHECK(mod && wm_runtime_new(NULL, &rt, &err) == 0);
  if (!mod || !rt) return;
  inst = instantiate(rt, mod, &err);
  wm_checker *c = NULL;
  CHECK(inst && wm_checker_new(rt, NULL, &c, &err) == 0);
  CHECK_ERR(wm_checker_attach(c, inst, &err), err, WM_EUNSUPPORTED,
            "memory64 not supported by the heap checker");
  wm_runtime_free(rt);
  wm_module_free(mod);
}

/* A memory64 minimum past 65536 pages (4 GiB) is valid but more than we
** give: instantiation fails as for any memory too large. */
static void test_too_large(void) {
  static const char text[] = "(module (memory i64 0x1_0001))";
  wm_error err;
  wm_module *mod = load_text(text, 0, &err);
  wm_runtime *rt = NULL;
  CHECK(mod && wm_runtime_new(NULL, &rt, &err) == 0);
  if (!mod || !rt) return;
  wm_instance *inst = NULL;
  CHECK_ERR(wm_instance_new(rt, mod, NULL, &inst, &err), err, WM_ELIMIT,
            "memory size: minimum of 65537 pages exceeds the limit of 65536 pages");
  wm_runtime_free(rt);
  wm_module_free(mod);
}

int main(void) {
  test_descriptions();
  test_host_objects();
  test_refusals();
  test_too_large();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
