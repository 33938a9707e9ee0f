/* SPDX-License-Identifier: MIT */
/*
** host.c -- the seed article's host in C on wasmem's core API: copy an array
** and a string into a guest through its exported alloc, call array_sum and
** upper, read the result back with a bounds and UTF-8 check, free what the
** host owns. Works with every guest of examples/seed (WASI ones included).
**
** Build (the walkthrough does this):
**   cc -std=c11 -I include examples/seed/host.c build/release/libwasmem.a -lm -o seed_host
** Usage: seed_host GUEST.wasm [--transfer]
**          the article's two calls: array_sum([1, 2, 3, 4, 5]) and upper(...)
**        seed_host GUEST.wasm FUNC (--bytes 1,2,3 | --string TEXT | --file PATH)...
**                  [--result KIND:CONV] [--transfer]
**          one call, with the arguments and output of examples/seed/host.js
**          (KIND string|bytes, CONV same-len|i64|out-ptr|pair|cstr), so that
**          tests/guests can compare the two hosts.
**   --transfer: the guest's functions take ownership of their input (the
**   article's Rust guest), so the host must not dealloc it afterwards.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmem.h"

typedef struct guest {
  wm_runtime *rt;
  wm_instance *inst;
  wm_memory *mem;
  wm_func *alloc, *dealloc;
} guest;

static int fail(const char *what, const wm_error *err) {
  fprintf(stderr, "seed_host: %s: %s\n", what, err->message[0] ? err->message : wm_strerror(err->code));
  return 1;
}

/* The host pointer for guest bytes [ptr, ptr + len), or NULL when the range
** is not inside the memory. Checked in 64 bits so ptr + len cannot wrap.
** Taken afresh after every call into the guest: the guest may grow memory
** (wasmem keeps the base address, but the size check must see the new size). */
static uint8_t *guest_range(guest *g, uint32_t ptr, uint32_t len) {
  if ((uint64_t)ptr + len > wm_memory_size(g->mem)) return NULL;
  return wm_memory_data(g->mem) + ptr;
}

static int call_i32(guest *g, wm_func *f, const int32_t *args, uint32_t nargs, int32_t *result,
                    wm_error *err) {
  wm_val a[4], r[1];
  for (uint32_t i = 0; i < nargs; i++) a[i] = wm_val_i32(args[i]);
  int rc = wm_func_call(g->rt, f, a, nargs, r, result ? 1 : 0, err);
  if (rc == 0 && result) *result = r[0].of.i32;
  return rc;
}

/* The article's copyMemory: alloc(len), then copy the bytes in. */
static int copy_in(guest *g, const void *data, uint32_t len, uint32_t *ptr, wm_error *err) {
  int32_t p;
  int rc = call_i32(g, g->alloc, (int32_t[]){(int32_t)len}, 1, &p, err);
  if (rc) return rc;
  uint8_t *dst = guest_range(g, (uint32_t)p, len);
  if (!dst || (p == 0 && len)) {
    snprintf(err->message, sizeof err->message, "alloc(%u) returned %u, not a usable block", len,
             (uint32_t)p);
    return err->code = WM_EINVAL;
  }
  memcpy(dst, data, len);
  *ptr = (uint32_t)p;
  return 0;
}

static int dealloc(guest *g, uint32_t ptr, uint32_t len, wm_error *err) {
  return call_i32(g, g->dealloc, (int32_t[]){(int32_t)ptr, (int32_t)len}, 2, NULL, err);
}

/* Offset of the first byte that is not valid UTF-8, or -1. */
static long utf8_error(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n;) {
    uint8_t c = s[i];
    size_t k;
    uint32_t cp, min;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1Fu; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0Fu; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07u; min = 0x10000; }
    else return (long)i;
    if (k > n - i - 1) return (long)i; /* cut short */
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return (long)i;
      cp = (cp << 6) | (s[i + j] & 0x3Fu);
    }
    /* overlong forms, surrogates and code points past U+10FFFF */
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return (long)i;
    i += k + 1;
  }
  return -1;
}

typedef struct input {
  uint8_t *data;
  uint32_t len;
} input;

/* Read a --bytes list ("1,2,3", "" for none) or a file into *in. */
static int parse_bytes(const char *list, input *in) {
  size_t n = *list ? 1 : 0;
  for (const char *c = list; *c; c++) n += *c == ',';
  in->data = malloc(n ? n : 1);
  if (!in->data) return -1;
  in->len = 0;
  for (const char *c = list; *c;) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(c, &end, 10);
    if (end == c || errno || v > 255 || (*end && *end != ',')) return -1;
    in->data[in->len++] = (uint8_t)v;
    c = *end ? end + 1 : end;
  }
  return 0;
}

static int read_file(const char *path, input *in) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap || n > UINT32_MAX / 2) break;
    uint8_t *nb = realloc(buf, cap *= 2);
    if (!nb) { free(buf); buf = NULL; }
    else buf = nb;
  }
  int bad = !buf || ferror(f) || n > UINT32_MAX / 2;
  fclose(f);
  if (bad) { free(buf); return -1; }
  in->data = buf;
  in->len = (uint32_t)n;
  return 0;
}

/* One call with host.js's arguments and output. */
static int call_one(guest *g, int argc, char **argv, wm_error *err) {
  enum { MAXIN = 8 };
  input in[MAXIN] = {{0}};
  int nin = 0, transfer = 0, status = 1;
  const char *kind = NULL, *conv = NULL;
  wm_func *f = wm_instance_func(g->inst, argv[0]);
  if (!f) { fprintf(stderr, "seed_host: no function export '%s'\n", argv[0]); return 2; }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--transfer") == 0) { transfer = 1; continue; }
    if (i + 1 >= argc) { fprintf(stderr, "seed_host: bad argument '%s'\n", a); goto out; }
    const char *v = argv[++i];
    if (strcmp(a, "--result") == 0) {
      static char buf[32];
      snprintf(buf, sizeof buf, "%s", v);
      char *colon = strchr(buf, ':');
      if (!colon) { fprintf(stderr, "seed_host: bad --result '%s'\n", v); goto out; }
      *colon = 0;
      kind = buf;
      conv = colon + 1;
      continue;
    }
    if (nin == MAXIN) { fprintf(stderr, "seed_host: too many inputs\n"); goto out; }
    int bad;
    if (strcmp(a, "--bytes") == 0) bad = parse_bytes(v, &in[nin]);
    else if (strcmp(a, "--file") == 0) bad = read_file(v, &in[nin]);
    else if (strcmp(a, "--string") == 0) {
      size_t n = strlen(v);
      in[nin].data = malloc(n ? n : 1);
      bad = !in[nin].data;
      if (!bad) memcpy(in[nin].data, v, n), in[nin].len = (uint32_t)n;
    } else bad = -1;
    nin++;
    if (bad) { fprintf(stderr, "seed_host: bad argument %s '%s'\n", a, v); goto out; }
  }
  if (kind && ((strcmp(kind, "string") && strcmp(kind, "bytes")) ||
               (strcmp(conv, "same-len") && strcmp(conv, "i64") && strcmp(conv, "out-ptr") &&
                strcmp(conv, "pair") && strcmp(conv, "cstr")))) {
    fprintf(stderr, "seed_host: bad --result '%s:%s'\n", kind, conv);
    goto out;
  }

  wm_val args[2 * MAXIN + 1], res[2];
  uint32_t nargs = 0, ptrs[MAXIN], outp = 0;
  for (int k = 0; k < nin; k++) {
    if (copy_in(g, in[k].data, in[k].len, &ptrs[k], err)) { fail("copying in", err); goto out; }
    args[nargs++] = wm_val_i32((int32_t)ptrs[k]);
    args[nargs++] = wm_val_i32((int32_t)in[k].len);
  }
  if (kind && strcmp(conv, "out-ptr") == 0) { /* {ptr, len} lands here, passed last */
    int32_t p;
    if (call_i32(g, g->alloc, (int32_t[]){8}, 1, &p, err)) { fail("alloc", err); goto out; }
    outp = (uint32_t)p;
    args[nargs++] = wm_val_i32(p);
  }
  wm_functype ft = wm_func_type(f);
  if (ft.nresults > 2) { fprintf(stderr, "seed_host: too many results\n"); goto out; }
  if (wm_func_call(g->rt, f, args, nargs, res, ft.nresults, err)) { fail(argv[0], err); goto out; }
  if (!transfer)
    for (int k = 0; k < nin; k++)
      if (dealloc(g, ptrs[k], in[k].len, err)) { fail("dealloc", err); goto out; }

  if (!kind) {
    if (ft.nresults && res[0].type == WM_I64) printf("%" PRId64 "\n", res[0].of.i64);
    else if (ft.nresults) printf("%" PRId32 "\n", res[0].of.i32);
    status = 0;
    goto out;
  }
  uint32_t ptr = 0, len = 0, size;
  if (!strcmp(conv, "same-len")) ptr = (uint32_t)res[0].of.i32, len = nin ? in[0].len : 0;
  else if (!strcmp(conv, "i64"))
    ptr = (uint32_t)res[0].of.i64, len = (uint32_t)((uint64_t)res[0].of.i64 >> 32);
  else if (!strcmp(conv, "pair")) ptr = (uint32_t)res[0].of.i32, len = (uint32_t)res[1].of.i32;
  else if (!strcmp(conv, "out-ptr")) {
    const uint8_t *o = guest_range(g, outp, 8);
    if (!o) { fprintf(stderr, "seed_host: out-pointer out of range\n"); goto out; }
    ptr = (uint32_t)o[0] | (uint32_t)o[1] << 8 | (uint32_t)o[2] << 16 | (uint32_t)o[3] << 24;
    len = (uint32_t)o[4] | (uint32_t)o[5] << 8 | (uint32_t)o[6] << 16 | (uint32_t)o[7] << 24;
    if (dealloc(g, outp, 8, err)) { fail("dealloc", err); goto out; }
  } else { /* cstr */
    ptr = (uint32_t)res[0].of.i32;
    const uint8_t *m = wm_memory_data(g->mem);
    uint64_t end = ptr, sz = wm_memory_size(g->mem);
    while (end < sz && m[end]) end++;
    if (end >= sz) { fprintf(stderr, "seed_host: no NUL after the result\n"); goto out; }
    len = (uint32_t)(end - ptr);
  }
  size = strcmp(conv, "cstr") ? len : len + 1;
  const uint8_t *r = guest_range(g, ptr, len);
  if (!r) { fprintf(stderr, "seed_host: result [%u, +%u) is outside memory\n", ptr, len); goto out; }
  if (!strcmp(kind, "string")) {
    long bad = utf8_error(r, len);
    if (bad >= 0) { fprintf(stderr, "seed_host: result is not UTF-8 (byte %ld)\n", bad); goto out; }
    fwrite(r, 1, len, stdout);
  } else {
    for (uint32_t i = 0; i < len; i++) printf("%s%u", i ? "," : "", r[i]);
  }
  putchar('\n');
  if (dealloc(g, ptr, size, err)) { fail("dealloc", err); goto out; } /* the host's to free */
  status = 0;
out:
  for (int k = 0; k < nin; k++) free(in[k].data);
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: seed_host GUEST.wasm [--transfer]\n"
                    "       seed_host GUEST.wasm FUNC (--bytes L|--string S|--file P)... "
                    "[--result KIND:CONV] [--transfer]\n");
    return 2;
  }
  int transfer = argc == 3 && strcmp(argv[2], "--transfer") == 0;
  int demo = argc == 2 || transfer;
  wm_error err = {0};
  wm_module *mod = NULL;
  wm_wasi *wasi = NULL;
  guest g = {0};
  int status = 1;

  if (wm_module_load_file(argv[1], NULL, &mod, &err)) return fail(argv[1], &err);
  if (wm_runtime_new(NULL, &g.rt, &err)) { fail("runtime", &err); goto out; }
  /* A Rust wasm32-wasi cdylib imports a few WASI calls (to print a panic,
  ** read its environment, exit): give it wasmem's WASI host module. */
  if (wm_wasi_new(&wasi, &err) || wm_wasi_define(wasi, g.rt, &err)) {
    fail("WASI", &err);
    goto out;
  }
  if (wm_instance_new(g.rt, mod, NULL, &g.inst, &err)) { fail(argv[1], &err); goto out; }
  g.mem = wm_instance_memory(g.inst, "memory");
  g.alloc = wm_instance_func(g.inst, "alloc");
  g.dealloc = wm_instance_func(g.inst, "dealloc");
  wm_func *array_sum = wm_instance_func(g.inst, "array_sum");
  wm_func *upper = wm_instance_func(g.inst, "upper");
  if (!g.mem || !g.alloc || !g.dealloc || (demo && (!array_sum || !upper))) {
    fprintf(stderr, "seed_host: %s must export memory, alloc, dealloc%s\n", argv[1],
            demo ? ", array_sum and upper" : "");
    goto out;
  }
  wm_func *init = wm_instance_func(g.inst, "_initialize"); /* a WASI reactor */
  if (init && call_i32(&g, init, NULL, 0, NULL, &err)) { fail("_initialize", &err); goto out; }
  if (!demo) {
    status = call_one(&g, argc - 2, argv + 2, &err);
    goto out;
  }

  /* array_sum([1, 2, 3, 4, 5]) */
  static const uint8_t input[] = {1, 2, 3, 4, 5};
  uint32_t ptr;
  int32_t sum;
  if (copy_in(&g, input, sizeof input, &ptr, &err)) { fail("copying the array in", &err); goto out; }
  if (call_i32(&g, array_sum, (int32_t[]){(int32_t)ptr, sizeof input}, 2, &sum, &err)) {
    fail("array_sum", &err);
    goto out;
  }
  /* Ours unless the callee took it: freeing it then is the double free. */
  if (!transfer && dealloc(&g, ptr, sizeof input, &err)) { fail("dealloc", &err); goto out; }
  printf("array_sum([1, 2, 3, 4, 5]) = %d\n", sum);

  /* upper("this should be uppercase"): the result has the input's length
  ** and is the host's to free. */
  static const char text[] = "this should be uppercase";
  uint32_t n = (uint32_t)strlen(text);
  int32_t res;
  if (copy_in(&g, text, n, &ptr, &err)) { fail("copying the string in", &err); goto out; }
  if (call_i32(&g, upper, (int32_t[]){(int32_t)ptr, (int32_t)n}, 2, &res, &err)) {
    fail("upper", &err);
    goto out;
  }
  if (!transfer && dealloc(&g, ptr, n, &err)) { fail("dealloc", &err); goto out; }
  const uint8_t *out = guest_range(&g, (uint32_t)res, n);
  if (!out) {
    fprintf(stderr, "seed_host: upper returned [%u, +%u), outside memory\n", (uint32_t)res, n);
    goto out;
  }
  long bad = utf8_error(out, n);
  if (bad >= 0) {
    fprintf(stderr, "seed_host: upper's result is not UTF-8 (byte %ld)\n", bad);
    goto out;
  }
  printf("upper(\"%s\") = \"%.*s\"\n", text, (int)n, (const char *)out);
  if (dealloc(&g, (uint32_t)res, n, &err)) { fail("dealloc", &err); goto out; }
  status = 0;
out:
  wm_runtime_free(g.rt);
  wm_wasi_free(wasi); /* after the runtime that calls it */
  wm_module_free(mod);
  return status;
}
