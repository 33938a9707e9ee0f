/* SPDX-License-Identifier: MIT */
/*
** fuzz_load.c -- libFuzzer targets for "a malformed module gets a clear
** error, never a crash, never a read past the buffer". See README.md.
**
** Built twice (tests/fuzz/CMakeLists.txt, -DWM_FUZZ=ON):
**   fuzz_load         load (decode + validate + lower every body), then
**                     walk the whole read-only inspection API, then free.
**   fuzz_instantiate  the same, and then instantiates modules whose imports
**                     are all functions (satisfied by host functions that
**                     return zeros) and have no start function, and walks
**                     the instance's exports. No guest code ever runs: a
**                     start function is the only way instantiation could
**                     run any, and exports are looked up, never called.
**   fuzz_check        fuzz_instantiate with the module lowered for the
**                     guest heap checker and a checker attached to the
**                     instance: allocator recognition, the regions from
**                     hostile globals and data segments, the leak check's
**                     scan of whatever memory holds, and the heap map.
**
** fuzz_load also holds the body validator (validate_code.c) to the
** compiler (compile.c) that validates as it lowers: every body of every
** input that passes module-level validation goes through both, and any
** difference in code, message or offset aborts (diff_bodies). The same
** check runs without libFuzzer as `fuzz_diff FILE|DIR...` (WM_FUZZ_REPLAY),
** over tests/fuzz/regress and the tests' own modules (CTest fuzz.diff.*).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmem.h"

#ifndef WM_FUZZ_INSTANTIATE
#include "module.h" /* the loader's stages, for diff_bodies */
#endif

/* A sink the compiler cannot see through, so that every field we read from
** the API is really loaded (ASan then checks it). */
static volatile uint64_t sink;

static void touch_str(const char *s) {
  if (s) sink += strlen(s);
}

static void touch_desc(const wm_extern_desc *d) {
  touch_str(d->module);
  touch_str(d->name);
  sink += d->name_len + d->kind + d->index;
  switch (d->kind) {
  case WM_EXTERN_FUNC:
  case WM_EXTERN_TAG:
    for (uint32_t i = 0; i < d->func.nparams; i++) sink += d->func.params[i];
    for (uint32_t i = 0; i < d->func.nresults; i++) sink += d->func.results[i];
    break;
  case WM_EXTERN_TABLE:
    sink += d->elem_type + d->limits.min + d->limits.max + d->limits.has_max;
    touch_str(wm_valtype_name(d->elem_type));
    break;
  case WM_EXTERN_MEMORY:
    sink += d->limits.min + d->limits.max + d->limits.has_max;
    break;
  case WM_EXTERN_GLOBAL:
    sink += d->global_type + d->global_mutable;
    touch_str(wm_valtype_name(d->global_type));
    break;
  }
  touch_str(wm_externkind_name(d->kind));
}

static void touch_seg(const wm_segment_desc *s) {
  sink += s->mode + s->target + s->offset_known + s->offset + s->count + s->elem_type;
}

/* Every read-only query the header offers, including out-of-range ones
** (which must fail with WM_EINVAL, not read past an array). */
static void inspect(const wm_module *mod) {
  wm_module_info info;
  wm_extern_desc d;
  wm_segment_desc s;
  wm_module_get_info(mod, &info);
  touch_str(info.name);
  sink += info.ntypes + info.has_start + info.start;

  uint32_t ni = wm_module_import_count(mod), ne = wm_module_export_count(mod);
  for (uint32_t i = 0; i <= ni; i++)
    if (wm_module_import(mod, i, &d) == 0) touch_desc(&d);
    else if (i < ni) abort(); /* every import in range must describe */
  for (uint32_t i = 0; i <= ne; i++)
    if (wm_module_export(mod, i, &d) == 0) touch_desc(&d);
    else if (i < ne) abort();

  const uint32_t counts[4] = {info.nfuncs, info.ntables, info.nmems, info.nglobals};
  for (int k = 0; k < 4; k++)
    for (uint32_t i = 0; i <= counts[k]; i++)
      if (wm_module_entity(mod, (wm_externkind)k, i, &d) == 0) touch_desc(&d);
      else if (i < counts[k]) abort();
  if (wm_module_entity(mod, (wm_externkind)4, 0, &d) == 0) abort();

  for (uint32_t i = 0; i <= info.ndatas; i++)
    if (wm_module_data(mod, i, &s) == 0) touch_seg(&s);
    else if (i < info.ndatas) abort();
  for (uint32_t i = 0; i <= info.nelems; i++)
    if (wm_module_elem(mod, i, &s) == 0) touch_seg(&s);
    else if (i < info.nelems) abort();
  for (uint32_t i = 0; i <= info.nfuncs; i++) touch_str(wm_module_func_name(mod, i));
}

#ifdef WM_FUZZ_CHECK
#define WM_FUZZ_INSTANTIATE 1
#endif

#ifdef WM_FUZZ_INSTANTIATE
/* An imported function: returns zeros of its result types. data is the
** module's wm_functype for it, which outlives the runtime here. */
static int zero_host(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx;
  (void)args;
  const wm_functype *t = data;
  for (uint32_t i = 0; i < t->nresults; i++) {
    results[i].type = t->results[i];
    results[i].of.i64 = 0;
  }
  return 0;
}

static void instantiate(const wm_module *mod) {
  wm_module_info info;
  wm_module_get_info(mod, &info);
  if (info.has_start) return; /* the start function could loop forever */
  uint32_t ni = wm_module_import_count(mod);
  wm_extern_desc *imps = calloc(ni ? ni : 1, sizeof *imps);
  if (!imps) return;
  for (uint32_t i = 0; i < ni; i++) {
    if (wm_module_import(mod, i, &imps[i]) || imps[i].kind != WM_EXTERN_FUNC) {
      free(imps);
      return;
    }
  }
  /* Small limits: a fuzzed `memory 65536` would otherwise reserve 4 GiB of
  ** address space per input and a table of 10^7 entries 80 MB. */
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_memory_pages = 256;
  o.max_table_elems = 100000;
  o.stack_bytes = 1 << 16;
  wm_runtime *rt = NULL;
  wm_error err;
  if (wm_runtime_new(&o, &rt, &err)) abort();
  for (uint32_t i = 0; i < ni; i++) {
    wm_func *f;
    if (wm_func_new_host(rt, &imps[i].func, zero_host, &imps[i].func, &f, &err) ||
        wm_runtime_define_func(rt, imps[i].module, imps[i].name, f, &err))
      abort();
  }
  wm_instance *inst = NULL;
  int rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  if (rc == 0) {
    if (wm_instance_module(inst) != mod) abort();
    uint32_t ne = wm_module_export_count(mod);
    for (uint32_t i = 0; i < ne; i++) {
      wm_extern_desc d;
      if (wm_module_export(mod, i, &d)) abort();
      void *obj = wm_instance_export(inst, d.name, d.name_len, d.kind);
      if (!obj) abort(); /* every export must resolve */
      switch (d.kind) {
      case WM_EXTERN_FUNC: {
        wm_functype t = wm_func_type(obj);
        if (t.nparams != d.func.nparams || t.nresults != d.func.nresults) abort();
        break;
      }
      case WM_EXTERN_TABLE: {
        wm_table *t = obj;
        uint32_t n = wm_table_size(t);
        wm_val v;
        for (uint32_t k = 0; k < n && k < 64; k++) (void)wm_table_get(t, k, &v, &err);
        if (wm_table_get(t, n, &v, &err) == 0) abort();
        break;
      }
      case WM_EXTERN_MEMORY: {
        wm_memory *m = obj;
        uint64_t size = wm_memory_size(m);
        uint8_t *base = wm_memory_data(m);
        if (size) sink += base[0] + base[size - 1];
        break;
      }
      case WM_EXTERN_GLOBAL: {
        wm_val v = wm_global_get(obj);
        sink += v.type + (uint64_t)v.of.i64;
        break;
      }
      }
    }
    wm_memory *m = wm_instance_default_memory(inst);
    if (m) sink += wm_memory_pages(m);
#ifdef WM_FUZZ_CHECK
    wm_checker *chk;
    wm_check_summary s;
    if (wm_checker_new(rt, NULL, &chk, &err) || wm_checker_attach(chk, inst, &err)) abort();
    touch_str(wm_checker_allocator(chk));
    if (wm_checker_finish(chk, WM_LEAK_CHECK_FULL, &s, &err) == 0) sink += s.errors + s.in_use_blocks;
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
      (void)wm_checker_heap_map(chk, "fuzz", devnull, &err);
      fclose(devnull);
    }
#endif
  } else {
    touch_str(err.message);
  }
  wm_runtime_free(rt);
  free(imps);
}
#endif

#ifndef WM_FUZZ_INSTANTIATE
/* Decode and module-validate data as wm_module_load does, then validate
** each body alone (wm__validate_func) and compile it (wm__compile_func):
** the verdicts must be the same. Errors only lowering can have -- the
** bound on lowered code, too many constants, memory -- are let through:
** the validator may pass the body, or find an error further on. */
static void diff_bodies(const uint8_t *data, size_t size) {
  if (size > UINT32_MAX) return;
  wm_module *mod = wm__calloc(1, sizeof *mod);
  if (!mod) return;
  mod->bytes = wm__malloc(size ? size : 1);
  if (!mod->bytes) {
    wm__module_destroy(mod);
    return;
  }
  if (size) memcpy(mod->bytes, data, size);
  mod->len = size;
  mod->code_limit = (uint64_t)size * 16 + ((uint64_t)1 << 20); /* module.c's default */
  mod->loop = WM_LOOP_PLAIN;
  wm_error e;
  if (wm__decode(mod, &e) || wm__validate_module(mod, &e)) {
    wm__module_destroy(mod);
    return;
  }
  for (uint32_t i = mod->nfunc_imports; i < mod->nfuncs; i++) {
    wm_error ev, ec;
    memset(&ev, 0, sizeof ev);
    memset(&ec, 0, sizeof ec);
    int rv = wm__validate_func(mod, i, &ev);
    wm_code code;
    memset(&code, 0, sizeof code);
    int rc = wm__compile_func(mod, i, &code, &ec);
    if (!rc && !code.in_arena) { /* else the module's arena holds them */
      wm__free(code.code);
      wm__free(code.consts);
      wm__free(code.pcmap_cell);
      wm__free(code.pcmap_off);
    }
    bool lowering = rc == WM_ENOMEM || rv == WM_ENOMEM ||
                    (rc == WM_ELIMIT && strstr(ec.message, "operand stack") == NULL);
    if (lowering) continue;
    if (rv != rc || (rc && (ev.offset != ec.offset || strcmp(ev.message, ec.message) != 0))) {
      fprintf(stderr,
              "validator and compiler disagree on function %u:\n"
              "  validator: %s at %u: %s\n  compiler:  %s at %u: %s\n",
              i, wm_errname(rv), rv ? ev.offset : 0, rv ? ev.message : "",
              wm_errname(rc), rc ? ec.offset : 0, rc ? ec.message : "");
      abort();
    }
  }
  wm__module_destroy(mod);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
#ifndef WM_FUZZ_INSTANTIATE
  diff_bodies(data, size);
#endif
  wm_module *mod = NULL;
  wm_error err;
  memset(&err, 0x55, sizeof err);
#ifdef WM_FUZZ_CHECK
  wm_module_options mo = {.flags = WM_MODULE_CHECKED};
  int rc = wm_module_load(data, size, &mo, &mod, &err);
#else
  int rc = wm_module_load(data, size, NULL, &mod, &err);
#endif
  if (rc) {
    /* A clear error: a known code, a terminated non-empty message. */
    if (mod || rc != err.code || strcmp(wm_errname(rc), "UNKNOWN") == 0) abort();
    if (!memchr(err.message, 0, sizeof err.message) || !err.message[0]) abort();
    if (err.offset != UINT32_MAX && err.offset > size) abort();
    return 0;
  }
  if (!mod) abort();
  inspect(mod);
#ifdef WM_FUZZ_INSTANTIATE
  instantiate(mod);
#endif
  wm_module_free(mod);
  return 0;
}

#ifdef WM_FUZZ_REPLAY
/* Without libFuzzer: run every input named (a file, or a directory's
** .wasm files, recursively) through the target. */
#include <dirent.h>
#include <sys/stat.h>

static int nrun;

static int replay(const char *path) {
  struct stat st;
  if (stat(path, &st)) {
    fprintf(stderr, "fuzz_diff: cannot stat %s\n", path);
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) return 1;
    int bad = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
      const char *n = ent->d_name;
      size_t len = strlen(n);
      if (n[0] == '.') continue;
      char sub[4096];
      snprintf(sub, sizeof sub, "%s/%s", path, n);
      struct stat s2;
      if (stat(sub, &s2)) continue;
      if (S_ISDIR(s2.st_mode) || (len > 5 && strcmp(n + len - 5, ".wasm") == 0)) bad |= replay(sub);
    }
    closedir(d);
    return bad;
  }
  FILE *f = fopen(path, "rb");
  if (!f) return 1;
  uint8_t *buf = malloc((size_t)st.st_size + 1);
  size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
  fclose(f);
  if (!buf) return 1;
  LLVMFuzzerTestOneInput(buf, n);
  free(buf);
  nrun++;
  return 0;
}

int main(int argc, char **argv) {
  int bad = 0;
  for (int i = 1; i < argc; i++) bad |= replay(argv[i]);
  printf("fuzz_diff: %d inputs, validator and compiler agree\n", nrun);
  return bad;
}
#endif
