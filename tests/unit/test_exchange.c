/* SPDX-License-Identifier: MIT */
/*
** test_exchange.c -- tests of the data exchange layer (exchange.c): checked
** access, typed arrays, UTF-8/UTF-16 strings, allocator detection, block
** ownership, every result convention, traps mid-call, memory.grow during an
** exchange, a guest with alloc and no dealloc (the article's AssemblyScript
** module) and host functions with checked pointer arguments. Guests are
** WAT modules assembled by wat2wasm at test time.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmem.h"

#include "check.h"

static wm_module *load_wat(const char *wat) {
  size_t len;
  uint8_t *bin = wat_bytes(wat, "--enable-all", &len);
  if (!bin) return NULL;
  wm_module *m = NULL;
  wm_error err;
  if (wm_module_load(bin, len, NULL, &m, &err) != 0) {
    fprintf(stderr, "load: %s\n", err.message);
    nfail++;
    m = NULL;
  }
  free(bin);
  return m;
}

/*
** The main guest: a bump allocator (alloc grows memory as needed, by many
** pages for big requests) whose dealloc counts calls in $frees; the seed's
** array_sum and upper; "hello" returned in every convention; a trap.
*/
static const char guest_wat[] =
    "(module\n"
    "  (import \"env\" \"log\" (func $log (param i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (global $top (mut i32) (i32.const 1024))\n"
    "  (global $frees (export \"frees\") (mut i32) (i32.const 0))\n"
    "  (data (i32.const 16) \"hello\\00\")\n"
    "  (data (i32.const 32) \"ab\\ffcd\")\n"
    "  (func $alloc (export \"alloc\") (param $n i32) (result i32) (local $p i32) (local $end i32)\n"
    "    (local.set $p (global.get $top))\n"
    "    (local.set $end (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 15)) (i32.const -16)))\n"
    "    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))\n"
    "      (then (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end)\n"
    "            (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))) (i32.const 0))\n"
    "        (then (return (i32.const 0))))))\n"
    "    (global.set $top (local.get $end))\n"
    "    (local.get $p))\n"
    "  (func (export \"dealloc\") (param i32 i32)\n"
    "    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))\n"
    "  (func (export \"array_sum\") (param $p i32) (param $n i32) (result i32) (local $s i32)\n"
    "    (block $b (loop $l (br_if $b (i32.eqz (local.get $n)))\n"
    "      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $p))))\n"
    "      (local.set $p (i32.add (local.get $p) (i32.const 1)))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l)))\n"
    "    (i32.and (local.get $s) (i32.const 255)))\n"
    "  (func (export \"upper\") (param $p i32) (param $n i32) (result i32) (local $r i32) (local $i i32) (local $c i32)\n"
    "    (local.set $r (call $alloc (local.get $n)))\n"
    "    (block $b (loop $l (br_if $b (i32.ge_u (local.get $i) (local.get $n)))\n"
    "      (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))\n"
    "      (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))\n"
    "        (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))\n"
    "      (i32.store8 (i32.add (local.get $r) (local.get $i)) (local.get $c))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))\n"
    "    (local.get $r))\n"
    "  (func $hello (result i32) (local $r i32)\n"
    "    (local.set $r (call $alloc (i32.const 6)))\n"
    "    (memory.copy (local.get $r) (i32.const 16) (i32.const 6)) (local.get $r))\n"
    "  (func (export \"h_cstr\") (result i32) (call $hello))\n"
    "  (func (export \"h_pair\") (result i32 i32) (call $hello) (i32.const 5))\n"
    "  (func (export \"h_i64\") (result i64)\n"
    "    (i64.or (i64.extend_i32_u (call $hello)) (i64.shl (i64.const 5) (i64.const 32))))\n"
    "  (func (export \"h_out\") (param $o i32) (i32.store (local.get $o) (call $hello))\n"
    "    (i32.store offset=4 (local.get $o) (i32.const 5)))\n"
    "  (func (export \"h_prefix\") (result i32) (local $r i32)\n"
    "    (local.set $r (call $alloc (i32.const 9)))\n"
    "    (i32.store (local.get $r) (i32.const 5))\n"
    "    (memory.copy (i32.add (local.get $r) (i32.const 4)) (i32.const 16) (i32.const 5)) (local.get $r))\n"
    "  (func (export \"h_extra\") (result i32 i32 i32) (call $hello) (i32.const 5) (i32.const 42))\n"
    "  (func (export \"bad_utf8\") (result i32 i32) (i32.const 32) (i32.const 5))\n"
    "  (func (export \"bad_ptr\") (result i32 i32) (i32.const 65530) (i32.const 100))\n"
    "  (func (export \"trapper\") (param i32 i32) (result i32) unreachable)\n"
    "  (func (export \"grow_sum\") (param $p i32) (param $n i32) (result i32)\n"
    "    (drop (call $alloc (i32.const 0x1000000)))\n"
    "    (i32.load8_u (local.get $p)))\n"
    "  (func (export \"call_log\") (param i32 i32) (result i32) (call $log (local.get 0) (local.get 1))))\n";

static const char noalloc_wat[] =
    "(module (memory (export \"memory\") 1) (func (export \"f\") (param i32 i32) (result i32) (i32.const 0)))";

/* An AssemblyScript-like runtime: __new lays out the 20-byte header. */
static const char as_wat[] =
    "(module (memory (export \"memory\") 1)\n"
    "  (global $top (mut i32) (i32.const 1024)) (global $pins (export \"pins\") (mut i32) (i32.const 0))\n"
    "  (func (export \"__new\") (param $n i32) (param $id i32) (result i32) (local $p i32)\n"
    "    (local.set $p (i32.add (global.get $top) (i32.const 20)))\n"
    "    (i32.store (i32.sub (local.get $p) (i32.const 8)) (local.get $id))\n"
    "    (i32.store (i32.sub (local.get $p) (i32.const 4)) (local.get $n))\n"
    "    (global.set $top (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 15)) (i32.const -16)))\n"
    "    (local.get $p))\n"
    "  (func (export \"__pin\") (param i32) (result i32)\n"
    "    (global.set $pins (i32.add (global.get $pins) (i32.const 1))) (local.get 0))\n"
    "  (func (export \"__unpin\") (param i32) (global.set $pins (i32.sub (global.get $pins) (i32.const 1))))\n"
    "  (func (export \"__collect\"))\n"
    "  (func (export \"id\") (param i32) (result i32) (local.get 0)))";

static int log_calls;
static char log_buf[64];

static int host_log(wm_call_ctx *ctx, const wm_hostarg *args, wm_val *results, void *data) {
  (void)ctx, (void)data;
  log_calls++;
  size_t n = args[0].len < sizeof log_buf - 1 ? args[0].len : sizeof log_buf - 1;
  memcpy(log_buf, args[0].data, n);
  log_buf[n] = 0;
  results[0] = wm_val_i32((int32_t)args[0].len);
  return 0;
}

static int32_t global_i32(wm_instance *inst, const char *name) {
  return wm_global_get(wm_instance_global(inst, name)).of.i32;
}

static void test_memory_access(wm_memory *m) {
  wm_error err;
  uint8_t *p;
  int rc = wm_memory_slice(m, 0, 65536, &p, &err);
  CHECK(rc == 0 && p == wm_memory_data(m));
  rc = wm_memory_slice(m, 65536, 0, &p, &err);
  CHECK(rc == 0);
  rc = wm_memory_slice(m, 65530, 100, &p, &err);
  CHECK_ERR(rc, err, WM_EBOUNDS, "guest range [0xfffa, +100) is out of bounds");
  CHECK(p == NULL);
  /* ptr + len wraps around 2^64: still refused. */
  rc = wm_memory_slice(m, 16, UINT64_MAX - 8, &p, &err);
  CHECK_ERR(rc, err, WM_EBOUNDS, "out of bounds");
  rc = wm_memory_slice(m, UINT64_MAX, 2, &p, &err);
  CHECK(rc == WM_EBOUNDS);
  char buf[8] = "xyz";
  CHECK(wm_memory_write(m, 100, buf, 3, &err) == 0);
  memset(buf, 0, sizeof buf);
  CHECK(wm_memory_read(m, 100, buf, 3, &err) == 0 && strcmp(buf, "xyz") == 0);
  CHECK(wm_memory_read(m, 65535, buf, 2, &err) == WM_EBOUNDS);

  /* Typed arrays are little-endian in guest memory. */
  uint32_t u[2] = {0x11223344u, 0xdeadbeefu}, u2[2];
  CHECK(wm_memory_write_array(m, 201, WM_ELEM_U32, u, 2, &err) == 0);
  CHECK(wm_memory_data(m)[201] == 0x44 && wm_memory_data(m)[204] == 0x11);
  CHECK(wm_memory_read_array(m, 201, WM_ELEM_U32, u2, 2, &err) == 0 && u2[1] == 0xdeadbeefu);
  double d[3] = {1.5, -2.25, 1e300}, d2[3];
  CHECK(wm_memory_write_array(m, 300, WM_ELEM_F64, d, 3, &err) == 0);
  CHECK(wm_memory_read_array(m, 300, WM_ELEM_F64, d2, 3, &err) == 0 && memcmp(d, d2, sizeof d) == 0);
  int16_t s[2] = {-2, 300}, s2[2];
  CHECK(wm_memory_write_array(m, 400, WM_ELEM_I16, s, 2, &err) == 0);
  CHECK(wm_memory_read_array(m, 400, WM_ELEM_I16, s2, 2, &err) == 0 && s2[0] == -2 && s2[1] == 300);
  float f = 3.5f, f2;
  CHECK(wm_memory_write_array(m, 500, WM_ELEM_F32, &f, 1, &err) == 0);
  CHECK(wm_memory_read_array(m, 500, WM_ELEM_F32, &f2, 1, &err) == 0 && f2 == 3.5f);
  uint64_t big[1];
  rc = wm_memory_read_array(m, 8, WM_ELEM_U64, big, SIZE_MAX / 4, &err);
  CHECK_ERR(rc, err, WM_EBOUNDS, "overflows");
  CHECK(wm_memory_read_array(m, 65532, WM_ELEM_U64, big, 1, &err) == WM_EBOUNDS);
  CHECK(wm_elemtype_size(WM_ELEM_I64) == 8 && wm_elemtype_size(WM_ELEM_U8) == 1);
}

static void test_strings(wm_memory *m) {
  wm_error err;
  const char *view;
  char *s = NULL;
  size_t n, bad = 99;
  CHECK(wm_utf8_valid("h\xc3\xa9llo \xf0\x9f\x98\x80", 11, NULL));
  CHECK(!wm_utf8_valid("abc\xc0\xaf", 5, &bad) && bad == 3);          /* overlong */
  CHECK(!wm_utf8_valid("\xed\xa0\x80", 3, &bad) && bad == 0);         /* surrogate */
  CHECK(!wm_utf8_valid("abcdefghij\xf4\x90\x80\x80", 14, &bad) && bad == 10); /* > U+10FFFF */
  CHECK(!wm_utf8_valid("ab\xe2\x82", 4, &bad) && bad == 2);           /* truncated */
  CHECK(wm_memory_write(m, 0x1000, "grüße", 7, &err) == 0);
  CHECK(wm_memory_string(m, 0x1000, 7, &view, &err) == 0 && memcmp(view, "grüße", 7) == 0);
  CHECK(wm_memory_read_string(m, 0x1000, 7, &s, &n, &err) == 0 && n == 7 && strcmp(s, "grüße") == 0);
  wm_free(s);
  CHECK(wm_memory_write(m, 0x1100, "abc\xff", 4, &err) == 0);
  int rc = wm_memory_read_string(m, 0x1100, 4, &s, &n, &err);
  CHECK_ERR(rc, err, WM_EUTF8, "invalid UTF-8 at byte 3 of the string (guest address 0x1103)");
  CHECK(s == NULL);
  /* NUL-terminated, with a maximum. */
  CHECK(wm_memory_write(m, 0x1200, "cstr\0", 5, &err) == 0);
  CHECK(wm_memory_read_cstr(m, 0x1200, 100, &s, &n, &err) == 0 && n == 4 && strcmp(s, "cstr") == 0);
  wm_free(s);
  CHECK(wm_memory_read_cstr(m, 0x1200, 4, &s, &n, &err) == 0);
  wm_free(s);
  rc = wm_memory_read_cstr(m, 0x1200, 3, &s, &n, &err);
  CHECK_ERR(rc, err, WM_EBOUNDS, "no NUL within 3 bytes");
  memset(wm_memory_data(m) + 65530, 'x', 6);
  rc = wm_memory_read_cstr(m, 65530, 1000, &s, &n, &err);
  CHECK_ERR(rc, err, WM_EBOUNDS, "no NUL before the end of memory");
  /* UTF-16LE with a surrogate pair, and an unpaired one. */
  static const uint8_t u16[] = {'h', 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde, 0x16, 0x4e};
  CHECK(wm_memory_write(m, 0x1300, u16, sizeof u16, &err) == 0);
  CHECK(wm_memory_read_utf16(m, 0x1300, sizeof u16, &s, &n, &err) == 0 &&
        strcmp(s, "h\xc3\xa9\xf0\x9f\x98\x80\xe4\xb8\x96") == 0);
  wm_free(s);
  rc = wm_memory_read_utf16(m, 0x1300, 6, &s, &n, &err);
  CHECK_ERR(rc, err, WM_EUTF8, "unpaired surrogate 0xd83d) at byte 4");
  CHECK(wm_memory_read_utf16(m, 0x1300, 5, &s, &n, &err) == WM_EUTF8);
}

static void test_guest(wm_module *mod) {
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  wm_func *logf;
  wm_param lp[1] = {{WM_PARAM_STRING, WM_I32}};
  wm_valtype lr[1] = {WM_I32};
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_func_new_checked(rt, "log", lp, 1, lr, 1, host_log, NULL, &logf, &err) == 0);
  CHECK(wm_runtime_define_func(rt, "env", "log", logf, &err) == 0);
  if (wm_instance_new(rt, mod, NULL, &inst, &err) != 0) {
    fprintf(stderr, "instantiate: %s\n", err.message);
    nfail++;
    wm_runtime_free(rt);
    return;
  }
  wm_memory *m = wm_instance_memory(inst, "memory");
  test_memory_access(m);
  test_strings(m);

  CHECK(wm_guest_new(rt, inst, NULL, &g, &err) == 0);
  CHECK(wm_guest_alloc_kind(g) == WM_ALLOC_SEED && wm_guest_can_free(g));
  CHECK(wm_guest_memory(g) == m);

  /* array_sum: default (host frees its input after the call). */
  static const uint8_t five[] = {1, 2, 3, 4, 5};
  wm_arg a[2] = {wm_arg_bytes(five, 5)};
  wm_val r[3];
  wm_block b;
  int32_t frees0 = global_i32(inst, "frees");
  CHECK(wm_guest_call(g, "array_sum", NULL, a, 1, r, 1, NULL, &err) == 0 && r[0].of.i32 == 15);
  CHECK(global_i32(inst, "frees") == frees0 + 1);
  /* With transfer the host does not free. */
  wm_guest_call_options co = {0};
  co.transfer = true;
  CHECK(wm_guest_call(g, "array_sum", &co, a, 1, r, 1, NULL, &err) == 0 && r[0].of.i32 == 15);
  CHECK(global_i32(inst, "frees") == frees0 + 1);

  /* upper, same-len: the result is host-owned, then freed. */
  co.transfer = false;
  co.result = WM_RESULT_SAME_LEN;
  a[0] = wm_arg_string("this should be uppercase");
  CHECK(wm_guest_call(g, "upper", &co, a, 1, NULL, 0, &b, &err) == 0);
  char *s = NULL;
  CHECK(wm_memory_read_string(m, b.ptr, b.len, &s, NULL, &err) == 0 &&
        strcmp(s, "THIS SHOULD BE UPPERCASE") == 0);
  wm_free(s);
  CHECK(wm_block_owner(g, b) == WM_OWNER_HOST);
  wm_guest_stats st;
  wm_guest_get_stats(g, &st);
  CHECK(st.live_blocks == 1 && st.live_bytes == 24);
  frees0 = global_i32(inst, "frees");
  CHECK(wm_block_free(g, b, &err) == 0 && global_i32(inst, "frees") == frees0 + 1);
  CHECK(wm_block_owner(g, b) == WM_OWNER_FREED);
  /* Double free: reported, the guest not called. */
  int rc = wm_block_free(g, b, &err);
  CHECK_ERR(rc, err, WM_EOWNERSHIP, "already freed (double free)");
  CHECK(global_i32(inst, "frees") == frees0 + 1);
  /* Freeing a transferred block. */
  wm_block t;
  CHECK(wm_guest_alloc_copy(g, "xy", 2, &t, &err) == 0);
  CHECK(wm_block_transfer(g, t, &err) == 0 && wm_block_owner(g, t) == WM_OWNER_GUEST);
  rc = wm_block_free(g, t, &err);
  CHECK_ERR(rc, err, WM_EOWNERSHIP, "transferred to the guest");
  CHECK(global_i32(inst, "frees") == frees0 + 1);
  uint8_t *dp;
  CHECK(wm_block_data(g, t, &dp, &err) == WM_EOWNERSHIP);
  /* A stale handle whose slot was reused, and a forged one. */
  wm_block t2;
  CHECK(wm_guest_alloc(g, 4, &t2, &err) == 0);
  CHECK(wm_block_free(g, t, &err) == WM_EOWNERSHIP);
  wm_block forged = t2;
  forged.id += 7;
  CHECK(wm_block_free(g, forged, &err) == WM_EOWNERSHIP && wm_block_owner(g, forged) == WM_OWNER_INVALID);
  CHECK(wm_block_free(g, t2, &err) == 0);

  /* Every result convention returns "hello". */
  static const struct { const char *fn; wm_result_conv c; } convs[] = {
      {"h_cstr", WM_RESULT_CSTR}, {"h_pair", WM_RESULT_PAIR}, {"h_i64", WM_RESULT_I64},
      {"h_out", WM_RESULT_OUT_PTR}, {"h_prefix", WM_RESULT_LEN_PREFIX}};
  for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++) {
    co.result = convs[i].c;
    const char *view = NULL;
    rc = wm_guest_call(g, convs[i].fn, &co, NULL, 0, NULL, 0, &b, &err);
    if (rc) fprintf(stderr, "%s: %s\n", convs[i].fn, err.message);
    CHECK(rc == 0 && b.len == 5);
    CHECK(wm_memory_string(m, b.ptr, b.len, &view, &err) == 0 && view && memcmp(view, "hello", 5) == 0);
    CHECK(wm_block_free(g, b, &err) == 0);
  }
  /* A convention plus an extra value result. */
  co.result = WM_RESULT_PAIR;
  CHECK(wm_guest_call(g, "h_extra", &co, NULL, 0, r, 1, &b, &err) == 0 && r[0].of.i32 == 42);
  CHECK(wm_block_free(g, b, &err) == 0);
  /* Shape mismatch. */
  rc = wm_guest_call(g, "h_pair", &co, NULL, 0, r, 1, &b, &err);
  CHECK_ERR(rc, err, WM_ETYPE, "does not match");
  co.result = WM_RESULT_I64;
  CHECK(wm_guest_call(g, "h_pair", &co, NULL, 0, NULL, 0, &b, &err) == WM_ETYPE);
  CHECK(wm_guest_call(g, "nope", &co, NULL, 0, NULL, 0, &b, &err) == WM_ENOT_FOUND);
  /* A result out of range, and one holding invalid UTF-8. */
  co.result = WM_RESULT_PAIR;
  rc = wm_guest_call(g, "bad_ptr", &co, NULL, 0, NULL, 0, &b, &err);
  CHECK_ERR(rc, err, WM_EBOUNDS, "out of bounds");
  CHECK(b.id == 0);
  CHECK(wm_guest_call(g, "bad_utf8", &co, NULL, 0, NULL, 0, &b, &err) == 0);
  rc = wm_memory_read_string(m, b.ptr, b.len, &s, NULL, &err);
  CHECK_ERR(rc, err, WM_EUTF8, "invalid UTF-8 at byte 2 of the string (guest address 0x22)");
  CHECK(wm_block_free(g, b, &err) == 0);

  /* A trap mid-call: the input block is freed, nothing stays live. */
  wm_guest_get_stats(g, &st);
  uint32_t live = st.live_blocks;
  frees0 = global_i32(inst, "frees");
  co.result = WM_RESULT_NONE;
  a[0] = wm_arg_bytes(five, 5);
  rc = wm_guest_call(g, "trapper", &co, a, 1, r, 1, NULL, &err);
  CHECK(rc == WM_TRAP_UNREACHABLE);
  wm_guest_get_stats(g, &st);
  CHECK(st.live_blocks == live && global_i32(inst, "frees") == frees0 + 1);
  co.result = WM_RESULT_SAME_LEN;
  CHECK(wm_guest_call(g, "trapper", &co, a, 1, NULL, 0, &b, &err) == WM_TRAP_UNREACHABLE && b.id == 0);

  /* memory.grow mid-exchange: a host pointer and a handle taken before
  ** stay valid after the guest's alloc grew memory by 256+ pages. */
  wm_block keep;
  CHECK(wm_guest_alloc_copy(g, "keep", 4, &keep, &err) == 0);
  uint8_t *kp;
  CHECK(wm_block_data(g, keep, &kp, &err) == 0);
  uint64_t pages0 = wm_memory_pages(m);
  co.result = WM_RESULT_NONE;
  a[0] = wm_arg_block(keep);
  CHECK(wm_guest_call(g, "grow_sum", &co, a, 1, r, 1, NULL, &err) == 0 && r[0].of.i32 == 'k');
  CHECK(wm_memory_pages(m) >= pages0 + 256);
  CHECK(memcmp(kp, "keep", 4) == 0);
  uint8_t *kp2;
  CHECK(wm_block_data(g, keep, &kp2, &err) == 0 && kp2 == kp);
  CHECK(wm_block_owner(g, keep) == WM_OWNER_HOST); /* a BLOCK arg stays the caller's */
  wm_block bigb;
  CHECK(wm_guest_alloc(g, 8u << 20, &bigb, &err) == 0);
  CHECK(memcmp(kp, "keep", 4) == 0);
  CHECK(wm_block_free(g, bigb, &err) == 0);

  /* Host function with a checked string argument. */
  wm_block lb;
  CHECK(wm_guest_alloc_copy(g, "to the log", 10, &lb, &err) == 0);
  wm_val la[2] = {wm_val_i32((int32_t)lb.ptr), wm_val_i32(10)};
  wm_func *cl = wm_instance_func(inst, "call_log");
  CHECK(wm_func_call(rt, cl, la, 2, r, 1, &err) == 0 && r[0].of.i32 == 10 &&
        strcmp(log_buf, "to the log") == 0);
  int calls = log_calls;
  la[0] = wm_val_i32(-16);
  la[1] = wm_val_i32(32);
  rc = wm_func_call(rt, cl, la, 2, r, 1, &err);
  CHECK_ERR(rc, err, WM_TRAP_MEMORY_OOB,
            "argument 1 of host function 'log': guest range [0xfffffff0, +32) is out of bounds");
  la[0] = wm_val_i32(32);
  la[1] = wm_val_i32(5);
  rc = wm_func_call(rt, cl, la, 2, r, 1, &err);
  CHECK_ERR(rc, err, WM_TRAP_HOST, "invalid UTF-8 at byte 2");
  CHECK(log_calls == calls);

  /* Leaks are reported (and freed) when the context goes: keep and lb. */
  wm_guest_stats leaks;
  frees0 = global_i32(inst, "frees");
  wm_guest_free(g, &leaks);
  CHECK(leaks.live_blocks == 2 && leaks.live_bytes == 14 && leaks.abandoned == 0);
  CHECK(global_i32(inst, "frees") == frees0 + 2);
  memset(&leaks, 0xAB, sizeof leaks);
  wm_guest_free(NULL, &leaks); /* no context: nothing leaked, said so */
  CHECK(leaks.live_blocks == 0 && leaks.live_bytes == 0 && leaks.allocated == 0 &&
        leaks.abandoned_bytes == 0);
  wm_guest_free(NULL, NULL);

  /* A forced convention whose exports are missing. */
  wm_guest_options go = {0};
  go.alloc = WM_ALLOC_MALLOC;
  rc = wm_guest_new(rt, inst, &go, &g, &err);
  CHECK_ERR(rc, err, WM_ENOALLOC, "needs exports 'malloc' and 'free'");
  wm_runtime_free(rt);
}

static void test_noalloc(wm_module *mod) {
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  wm_block b;
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  CHECK(wm_guest_new(rt, inst, NULL, &g, &err) == 0 && wm_guest_alloc_kind(g) == WM_ALLOC_NONE);
  CHECK(!wm_guest_can_free(g) && !wm_guest_can_free(NULL));
  int rc = wm_guest_alloc(g, 4, &b, &err);
  CHECK_ERR(rc, err, WM_ENOALLOC, "looked for alloc/dealloc, malloc/free");
  wm_arg a[1] = {wm_arg_string("x")};
  wm_val r[1];
  rc = wm_guest_call(g, "f", NULL, a, 1, r, 1, NULL, &err);
  CHECK(rc == WM_ENOALLOC);
  /* A received block cannot be given back: reported as abandoned. */
  CHECK(wm_guest_adopt(g, 100, 4, &b, &err) == 0);
  CHECK(wm_block_free(g, b, &err) == WM_ENOALLOC && wm_block_owner(g, b) == WM_OWNER_HOST);
  CHECK(wm_guest_adopt(g, 0, 4, &b, &err) == WM_EINVAL);
  wm_guest_stats leaks;
  wm_guest_free(g, &leaks);
  CHECK(leaks.live_blocks == 1 && leaks.abandoned == 1);
  wm_runtime_free(rt);
}

static void test_as(wm_module *mod) {
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  wm_block b;
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  CHECK(wm_guest_new(rt, inst, NULL, &g, &err) == 0 && wm_guest_alloc_kind(g) == WM_ALLOC_ASC);
  CHECK(wm_guest_can_free(g));
  const char *text = "AS ß 世界 😀";
  CHECK(wm_guest_alloc_as_string(g, text, strlen(text), &b, &err) == 0);
  CHECK(global_i32(inst, "pins") == 1);
  char *s = NULL;
  size_t n;
  CHECK(wm_guest_read_as_string(g, b.ptr, &s, &n, &err) == 0 && s && strcmp(s, text) == 0);
  wm_free(s);
  /* Through a call: the AS string argument is one pointer. */
  wm_arg a[1] = {{WM_ARG_AS_STRING, {WM_I32, {0}}, text, strlen(text), {0, 0, 0}}};
  wm_val r[1];
  CHECK(wm_guest_call(g, "id", NULL, a, 1, r, 1, NULL, &err) == 0);
  CHECK(wm_guest_read_as_string(g, (uint32_t)r[0].of.i32, &s, &n, &err) == 0 && strcmp(s, text) == 0);
  wm_free(s);
  CHECK(global_i32(inst, "pins") == 1); /* the call's own string was unpinned */
  /* A String result: pinned while the host holds its block. */
  wm_guest_call_options co = {0};
  co.result = WM_RESULT_AS_STRING;
  wm_block rb;
  CHECK(wm_guest_call(g, "id", &co, a, 1, NULL, 0, &rb, &err) == 0);
  CHECK(global_i32(inst, "pins") == 2 && wm_block_owner(g, rb) == WM_OWNER_HOST);
  CHECK(wm_guest_read_as_string(g, rb.ptr, &s, &n, &err) == 0 && strcmp(s, text) == 0 &&
        rb.len == 2 * 10);
  wm_free(s);
  CHECK(wm_block_free(g, rb, &err) == 0 && global_i32(inst, "pins") == 1);
  /* Not a String, or null: an error, and no pin is left behind. */
  wm_block ab0;
  CHECK(wm_guest_alloc(g, 4, &ab0, &err) == 0 && global_i32(inst, "pins") == 2);
  wm_arg v[1] = {wm_arg_value(wm_val_i32((int32_t)ab0.ptr))};
  int rc0 = wm_guest_call(g, "id", &co, v, 1, NULL, 0, &rb, &err);
  CHECK_ERR(rc0, err, WM_EINVAL, "not String");
  CHECK(rb.id == 0 && global_i32(inst, "pins") == 2);
  v[0] = wm_arg_value(wm_val_i32(0));
  rc0 = wm_guest_call(g, "id", &co, v, 1, NULL, 0, &rb, &err);
  CHECK_ERR(rc0, err, WM_EINVAL, "null pointer");
  v[0] = wm_arg_value(wm_val_i32(65540));
  rc0 = wm_guest_call(g, "id", &co, v, 1, NULL, 0, &rb, &err);
  CHECK(rc0 == WM_EBOUNDS && global_i32(inst, "pins") == 2);
  CHECK(wm_block_free(g, ab0, &err) == 0 && global_i32(inst, "pins") == 1);
  /* An ArrayBuffer is not a String. */
  wm_block ab;
  CHECK(wm_guest_alloc(g, 4, &ab, &err) == 0);
  int rc = wm_guest_read_as_string(g, ab.ptr, &s, &n, &err);
  CHECK_ERR(rc, err, WM_EINVAL, "class id 0, not String (2)");
  CHECK(wm_guest_alloc_as_string(g, "\xff", 1, &b, &err) == WM_EUTF8);
  wm_guest_stats leaks;
  wm_guest_free(g, &leaks);
  CHECK(leaks.live_blocks == 2 && global_i32(inst, "pins") == 0);
  wm_runtime_free(rt);
}

/* wasm-bindgen's allocator: __wbindgen_malloc(size, align) and
** __wbindgen_free(ptr, size, align); the guest records what it was asked to
** free, so the test sees the exact arguments wasmem passes. */
static const char wbindgen_wat[] =
    "(module (memory (export \"memory\") 1)\n"
    "  (global $top (mut i32) (i32.const 1024))\n"
    "  (global (export \"last_align\") (mut i32) (i32.const 0))\n"
    "  (global (export \"freed_ptr\") (mut i32) (i32.const 0))\n"
    "  (global (export \"freed_size\") (mut i32) (i32.const -1))\n"
    "  (global (export \"frees\") (mut i32) (i32.const 0))\n"
    "  (func (export \"__wbindgen_malloc\") (param $n i32) (param $al i32) (result i32)\n"
    "    (local $p i32) (global.set 1 (local.get $al)) (local.set $p (global.get $top))\n"
    "    (global.set $top (i32.add (global.get $top) (local.get $n))) (local.get $p))\n"
    "  (func (export \"__wbindgen_free\") (param i32 i32 i32)\n"
    "    (global.set 2 (local.get 0)) (global.set 3 (local.get 1))\n"
    "    (global.set 4 (i32.add (global.get 4) (i32.const 1))))\n"
    "  (func (export \"sum\") (param $p i32) (param $n i32) (result i32) (local $s i32)\n"
    "    (block $done (loop $l (br_if $done (i32.eqz (local.get $n)))\n"
    "      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $p))))\n"
    "      (local.set $p (i32.add (local.get $p) (i32.const 1)))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l)))\n"
    "    (local.get $s)))\n";

static void test_wbindgen(wm_module *mod) {
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  wm_block b;
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  CHECK(wm_guest_new(rt, inst, NULL, &g, &err) == 0 && wm_guest_alloc_kind(g) == WM_ALLOC_WBINDGEN);
  CHECK(wm_guest_alloc_copy(g, "\x01\x02\x03", 3, &b, &err) == 0 && b.ptr == 1024 && b.len == 3);
  CHECK(global_i32(inst, "last_align") >= 1);
  int32_t align = global_i32(inst, "last_align");
  CHECK(wm_block_free(g, b, &err) == 0);
  CHECK(global_i32(inst, "freed_ptr") == 1024 && global_i32(inst, "freed_size") == 3);
  CHECK(global_i32(inst, "frees") == 1);
  int rc = wm_block_free(g, b, &err);
  CHECK_ERR(rc, err, WM_EOWNERSHIP, "double free");
  CHECK(global_i32(inst, "frees") == 1); /* the guest was not called again */
  /* A call with a byte range: the argument block is freed after the call
  ** with the size it was allocated with. */
  wm_arg a[1] = {wm_arg_bytes("\x05\x06", 2)};
  wm_val r[1];
  CHECK(wm_guest_call(g, "sum", NULL, a, 1, r, 1, NULL, &err) == 0 && r[0].of.i32 == 11);
  CHECK(global_i32(inst, "frees") == 2 && global_i32(inst, "freed_size") == 2);
  (void)align;
  wm_guest_stats leaks;
  wm_guest_free(g, &leaks);
  CHECK(leaks.live_blocks == 0);
  wm_runtime_free(rt);
}

/* The Component Model's cabi_realloc has no free: a block the host made is
** abandoned when freed, and a result is given back through the callee's
** cabi_post_FUNC. */
static const char cabi_wat[] =
    "(module (memory (export \"memory\") 1)\n"
    "  (global $top (mut i32) (i32.const 2048))\n"
    "  (global (export \"posts\") (mut i32) (i32.const 0))\n"
    "  (func (export \"cabi_realloc\") (param i32 i32 i32 i32) (result i32) (local $p i32)\n"
    "    (local.set $p (global.get $top))\n"
    "    (global.set $top (i32.add (global.get $top) (local.get 3))) (local.get $p))\n"
    "  (func (export \"echo\") (param i32 i32) (result i32 i32) (local.get 0) (local.get 1))\n"
    "  (func (export \"cabi_post_echo\") (param i32 i32)\n"
    "    (global.set 1 (i32.add (global.get 1) (i32.const 1)))))\n";

static int alloc_text(wm_guest *g, const char *text, wm_block *b) {
  return wm_guest_alloc_copy(g, text, strlen(text), b, NULL) == 0;
}

static void test_cabi(wm_module *mod) {
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  wm_block b, res;
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  CHECK(wm_guest_new(rt, inst, NULL, &g, &err) == 0 && wm_guest_alloc_kind(g) == WM_ALLOC_CABI);
  CHECK(!wm_guest_can_free(g));
  CHECK(wm_guest_alloc_copy(g, "abc", 3, &b, &err) == 0 && b.ptr == 2048);
  CHECK(wm_block_free(g, b, &err) == 0);
  wm_guest_stats st;
  wm_guest_get_stats(g, &st);
  CHECK(st.abandoned == 1 && st.abandoned_bytes == 3);
  /* A pair result, given back through cabi_post_echo when freed. */
  wm_guest_call_options co;
  memset(&co, 0, sizeof co);
  co.result = WM_RESULT_PAIR;
  CHECK(alloc_text(g, "hello", &b));
  wm_arg a[1] = {{WM_ARG_BLOCK, {WM_I32, {0}}, NULL, 0, b}};
  CHECK(wm_guest_call(g, "echo", &co, a, 1, NULL, 0, &res, &err) == 0 && res.len == 5);
  uint8_t *p = NULL;
  CHECK(wm_block_data(g, res, &p, &err) == 0 && p && memcmp(p, "hello", 5) == 0);
  CHECK(global_i32(inst, "posts") == 0);
  CHECK(wm_block_free(g, res, &err) == 0 && global_i32(inst, "posts") == 1);
  wm_guest_free(g, NULL);
  wm_runtime_free(rt);
}

/*
** The seed article's AssemblyScript guest: alloc hands out one static
** 8-byte slot (0x600) every time and there is no dealloc. Every export
** calls the host's env.enter first, so a test sees whether wasmem ran any
** guest code at all.
*/
static const char nofree_wat[] =
    "(module (import \"env\" \"enter\" (func $enter))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func $alloc (export \"alloc\") (param i32) (result i32) (call $enter) (i32.const 0x600))\n"
    "  (func (export \"array_sum\") (param $p i32) (param $n i32) (result i32) (local $s i32)\n"
    "    (call $enter)\n"
    "    (block $b (loop $l (br_if $b (i32.eqz (local.get $n)))\n"
    "      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $p))))\n"
    "      (local.set $p (i32.add (local.get $p) (i32.const 1)))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l)))\n"
    "    (i32.and (local.get $s) (i32.const 255)))\n"
    "  (func (export \"echo\") (param $p i32) (param $n i32) (result i32) (local $r i32)\n"
    "    (call $enter) (local.set $r (i32.const 0x700))\n"
    "    (memory.copy (local.get $r) (local.get $p) (local.get $n)) (local.get $r))\n"
    "  (func (export \"echo_out\") (param $p i32) (param $n i32) (param $o i32)\n"
    "    (call $enter) (i32.store (local.get $o) (i32.const 0x700))\n"
    "    (i32.store offset=4 (local.get $o) (local.get $n)))\n"
    "  (func (export \"trapper\") (param i32 i32) (result i32) (call $enter) unreachable))\n";

static int enters;

static int host_enter(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx, (void)args, (void)results, (void)data;
  enters++;
  return 0;
}

/* An instance of nofree_wat (or of another module importing env.enter). */
static wm_instance *nofree_instance(wm_module *mod, wm_runtime **rt) {
  wm_error err;
  wm_instance *inst = NULL;
  wm_functype ft = {0, 0, NULL, NULL};
  wm_func *hf = NULL;
  *rt = NULL;
  if (wm_runtime_new(NULL, rt, &err) != 0 || wm_func_new_host(*rt, &ft, host_enter, NULL, &hf, &err) != 0 ||
      wm_runtime_define_func(*rt, "env", "enter", hf, &err) != 0 ||
      wm_instance_new(*rt, mod, NULL, &inst, &err) != 0) {
    fprintf(stderr, "nofree instance: %s\n", err.message);
    nfail++;
    return NULL;
  }
  return inst;
}

/* alloc with no dealloc: blocks work, freeing one calls nothing, reports
** why and counts it abandoned; so does the guest context at its end. */
static void test_nofree(wm_module *mod) {
  wm_error err;
  wm_runtime *rt;
  wm_instance *inst = nofree_instance(mod, &rt);
  wm_guest *g = NULL;
  wm_guest_stats st;
  if (!inst) {
    wm_runtime_free(rt);
    return;
  }
  CHECK(wm_guest_new(rt, inst, NULL, &g, &err) == 0);
  CHECK(wm_guest_alloc_kind(g) == WM_ALLOC_SEED && !wm_guest_can_free(g));

  /* A block: allocated, written, passed to array_sum. */
  wm_block b;
  uint8_t *p = NULL;
  enters = 0;
  CHECK(wm_guest_alloc(g, 5, &b, &err) == 0 && b.ptr == 0x600 && b.len == 5 && enters == 1);
  CHECK(wm_block_data(g, b, &p, &err) == 0 && p);
  if (p) memcpy(p, "\x01\x02\x03\x04\x05", 5);
  wm_arg a[1] = {wm_arg_block(b)};
  wm_val r[1];
  CHECK(wm_guest_call(g, "array_sum", NULL, a, 1, r, 1, NULL, &err) == 0 && r[0].of.i32 == 15);
  CHECK(wm_block_owner(g, b) == WM_OWNER_HOST); /* a WM_ARG_BLOCK stays the caller's */

  /* Freeing it: an error that says why, no guest code, the slot ended. */
  enters = 0;
  int rc = wm_block_free(g, b, &err);
  CHECK_ERR(rc, err, WM_ENOALLOC,
            "the guest exports alloc but no dealloc: block 0x600 (5 bytes) cannot be given back");
  CHECK(enters == 0 && wm_block_owner(g, b) == WM_OWNER_FREED);
  wm_guest_get_stats(g, &st);
  CHECK(st.live_blocks == 0 && st.live_bytes == 0 && st.freed == 0 && st.abandoned == 1 &&
        st.abandoned_bytes == 5);
  /* Freeing it again is a double free, not a second abandoned block. */
  rc = wm_block_free(g, b, &err);
  CHECK_ERR(rc, err, WM_EOWNERSHIP, "double free");
  rc = wm_block_data(g, b, &p, &err);
  CHECK_ERR(rc, err, WM_EOWNERSHIP, "already freed");
  wm_guest_get_stats(g, &st);
  CHECK(st.abandoned == 1 && enters == 0);

  /* Through wm_guest_call: the input block is made, used and abandoned
  ** after the call, which still succeeds. */
  static const uint8_t five[] = {1, 2, 3, 4, 5};
  a[0] = wm_arg_bytes(five, 5);
  CHECK(wm_guest_call(g, "array_sum", NULL, a, 1, r, 1, NULL, &err) == 0 && r[0].of.i32 == 15);
  wm_guest_get_stats(g, &st);
  CHECK(st.live_blocks == 0 && st.allocated == 2 && st.abandoned == 2 && st.abandoned_bytes == 10);
  /* Transferred, the block is the guest's: nothing is abandoned. */
  wm_guest_call_options co = {0};
  co.transfer = true;
  CHECK(wm_guest_call(g, "array_sum", &co, a, 1, r, 1, NULL, &err) == 0 && r[0].of.i32 == 15);
  wm_guest_get_stats(g, &st);
  CHECK(st.transferred == 1 && st.abandoned == 2 && st.live_blocks == 0);
  /* A received result cannot be given back either. */
  co.transfer = false;
  co.result = WM_RESULT_SAME_LEN;
  wm_block rb;
  CHECK(wm_guest_call(g, "echo", &co, a, 1, NULL, 0, &rb, &err) == 0 && rb.ptr == 0x700 &&
        rb.len == 5);
  enters = 0;
  rc = wm_block_free(g, rb, &err);
  CHECK_ERR(rc, err, WM_ENOALLOC, "block 0x700 (5 bytes) cannot be given back");
  CHECK(enters == 0);
  /* The out-pointer's 8 bytes are abandoned with the argument block after
  ** the call; the result block when the host frees it. */
  co.result = WM_RESULT_OUT_PTR;
  wm_guest_get_stats(g, &st);
  uint32_t ab = st.abandoned;
  CHECK(wm_guest_call(g, "echo_out", &co, a, 1, NULL, 0, &rb, &err) == 0 && rb.ptr == 0x700);
  wm_guest_get_stats(g, &st);
  CHECK(st.abandoned == ab + 2 && st.live_blocks == 1 && st.live_bytes == 5);
  CHECK(wm_block_free(g, rb, &err) == WM_ENOALLOC);
  /* A trap mid-call: the trap is returned, the input block abandoned. */
  co.result = WM_RESULT_NONE;
  wm_guest_get_stats(g, &st);
  ab = st.abandoned;
  rc = wm_guest_call(g, "trapper", &co, a, 1, r, 1, NULL, &err);
  CHECK(rc == WM_TRAP_UNREACHABLE);
  wm_guest_get_stats(g, &st);
  CHECK(st.abandoned == ab + 1 && st.live_blocks == 0);

  /* The article's alloc returns the same slot every time: two live blocks
  ** alias. wasmem takes the guest at its word (nothing detects it). */
  wm_block b1, b2, ad;
  CHECK(wm_guest_alloc(g, 3, &b1, &err) == 0 && wm_guest_alloc(g, 3, &b2, &err) == 0);
  CHECK(b1.ptr == b2.ptr && b1.id != b2.id);
  CHECK(wm_guest_adopt(g, 0x800, 4, &ad, &err) == 0);
  /* The context's end abandons what the host still holds, calling nothing. */
  wm_guest_get_stats(g, &st);
  uint32_t abandoned0 = st.abandoned;
  uint64_t bytes0 = st.abandoned_bytes;
  enters = 0;
  wm_guest_stats leaks;
  wm_guest_free(g, &leaks);
  CHECK(enters == 0);
  CHECK(leaks.live_blocks == 3 && leaks.live_bytes == 10);
  CHECK(leaks.abandoned == abandoned0 + 3 && leaks.abandoned_bytes == bytes0 + 10);
  wm_runtime_free(rt);
}

/* Detection: alloc alone is the last resort, and a dealloc or alloc of the
** wrong type is still an error, not a guest without a free function. */
static void test_nofree_detection(wm_module *nofree, wm_module *noalloc) {
  static const char both_wat[] =
      "(module (memory (export \"memory\") 1)\n"
      "  (func (export \"alloc\") (param i32) (result i32) (i32.const 0x600))\n"
      "  (func (export \"malloc\") (param i32) (result i32) (i32.const 0x800))\n"
      "  (func (export \"free\") (param i32)))\n";
  static const char bad_dealloc_wat[] =
      "(module (memory (export \"memory\") 1)\n"
      "  (func (export \"alloc\") (param i32) (result i32) (i32.const 0x600))\n"
      "  (func (export \"dealloc\") (param i32)))\n";
  static const char bad_alloc_wat[] =
      "(module (memory (export \"memory\") 1)\n"
      "  (func (export \"alloc\") (param i32 i32) (result i32) (i32.const 0x600)))\n";
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  wm_guest_options go = {0};
  int rc;

  /* malloc/free win over alloc alone; forcing seed takes alloc alone. */
  wm_module *both = load_wat(both_wat);
  if (both) {
    CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
    CHECK(wm_instance_new(rt, both, NULL, &inst, &err) == 0);
    CHECK(wm_guest_new(rt, inst, NULL, &g, &err) == 0 && wm_guest_alloc_kind(g) == WM_ALLOC_MALLOC);
    CHECK(wm_guest_can_free(g));
    wm_guest_free(g, NULL);
    go.alloc = WM_ALLOC_SEED;
    CHECK(wm_guest_new(rt, inst, &go, &g, &err) == 0 && wm_guest_alloc_kind(g) == WM_ALLOC_SEED);
    CHECK(!wm_guest_can_free(g));
    wm_guest_free(g, NULL);
    wm_runtime_free(rt);
  }
  /* Forced seed on the article's guest; forced malloc still fails there. */
  if (nofree && (inst = nofree_instance(nofree, &rt)) != NULL) {
    CHECK(wm_guest_new(rt, inst, &go, &g, &err) == 0 && !wm_guest_can_free(g));
    wm_guest_free(g, NULL);
    go.alloc = WM_ALLOC_MALLOC;
    rc = wm_guest_new(rt, inst, &go, &g, &err);
    CHECK_ERR(rc, err, WM_ENOALLOC, "needs exports 'malloc' and 'free'");
    CHECK(g == NULL);
  }
  wm_runtime_free(rt);
  rt = NULL;
  /* dealloc of the wrong type: refused, detected or forced. */
  wm_module *bd = load_wat(bad_dealloc_wat), *ba = load_wat(bad_alloc_wat);
  if (bd) {
    CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
    CHECK(wm_instance_new(rt, bd, NULL, &inst, &err) == 0);
    rc = wm_guest_new(rt, inst, NULL, &g, &err);
    CHECK_ERR(rc, err, WM_ENOALLOC, "export 'dealloc' takes 1 parameter(s)");
    go.alloc = WM_ALLOC_SEED;
    rc = wm_guest_new(rt, inst, &go, &g, &err);
    CHECK_ERR(rc, err, WM_ENOALLOC, "export 'dealloc' takes 1 parameter(s)");
    wm_runtime_free(rt);
  }
  /* alloc of the wrong type with no dealloc: refused too. */
  if (ba) {
    CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
    CHECK(wm_instance_new(rt, ba, NULL, &inst, &err) == 0);
    rc = wm_guest_new(rt, inst, NULL, &g, &err);
    CHECK_ERR(rc, err, WM_ENOALLOC, "export 'alloc' takes 2 parameter(s)");
    go.alloc = WM_ALLOC_SEED;
    rc = wm_guest_new(rt, inst, &go, &g, &err);
    CHECK_ERR(rc, err, WM_ENOALLOC, "export 'alloc' takes 2 parameter(s)");
    wm_runtime_free(rt);
  }
  /* Forced seed with no alloc at all. */
  if (noalloc) {
    CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
    CHECK(wm_instance_new(rt, noalloc, NULL, &inst, &err) == 0);
    go.alloc = WM_ALLOC_SEED;
    rc = wm_guest_new(rt, inst, &go, &g, &err);
    CHECK_ERR(rc, err, WM_ENOALLOC, "the seed convention needs an export 'alloc'");
    wm_runtime_free(rt);
  }
  wm_module_free(both);
  wm_module_free(bd);
  wm_module_free(ba);
}

/* A guest whose dealloc calls back into the host, which frees the same
** handle again: the second free must see the block freed already. */
static const char reentrant_wat[] =
    "(module (import \"env\" \"on_free\" (func $on_free))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (global $top (mut i32) (i32.const 1024))\n"
    "  (global (export \"frees\") (mut i32) (i32.const 0))\n"
    "  (func (export \"alloc\") (param i32) (result i32) (local i32)\n"
    "    (local.set 1 (global.get $top))\n"
    "    (global.set $top (i32.add (global.get $top) (local.get 0))) (local.get 1))\n"
    "  (func (export \"dealloc\") (param i32 i32)\n"
    "    (global.set 1 (i32.add (global.get 1) (i32.const 1))) (call $on_free)))\n";

typedef struct refree {
  wm_guest *g;
  wm_block b;
  int rc;
  int calls;
} refree;

static int on_free(wm_call_ctx *ctx, const wm_val *args, wm_val *results, void *data) {
  (void)ctx, (void)args, (void)results;
  refree *r = data;
  r->calls++;
  wm_error e;
  r->rc = wm_block_free(r->g, r->b, &e);
  return 0;
}

static void test_reentrant_free(wm_module *mod) {
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  refree r;
  memset(&r, 0, sizeof r);
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  wm_functype ft = {0, 0, NULL, NULL};
  wm_func *hf = NULL;
  CHECK(wm_func_new_host(rt, &ft, on_free, &r, &hf, &err) == 0);
  CHECK(wm_runtime_define_func(rt, "env", "on_free", hf, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  CHECK(wm_guest_new(rt, inst, NULL, &r.g, &err) == 0);
  CHECK(wm_guest_alloc_copy(r.g, "abcd", 4, &r.b, &err) == 0);
  CHECK(wm_block_free(r.g, r.b, &err) == 0);
  CHECK(r.calls == 1 && r.rc == WM_EOWNERSHIP && global_i32(inst, "frees") == 1);
  wm_guest_stats st;
  wm_guest_get_stats(r.g, &st);
  CHECK(st.live_blocks == 0 && st.live_bytes == 0 && st.freed == 1);
  /* The slot is reusable exactly once: two new blocks get distinct slots. */
  wm_block b1, b2;
  CHECK(wm_guest_alloc(r.g, 1, &b1, &err) == 0 && wm_guest_alloc(r.g, 1, &b2, &err) == 0);
  CHECK(b1.id != b2.id);
  wm_guest_free(r.g, NULL);
  wm_runtime_free(rt);
}

/* The as-string result convention on a guest without AS's runtime. */
static void test_as_result_needs_asc(wm_module *mod) {
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == 0);
  CHECK(wm_guest_new(rt, inst, NULL, &g, &err) == 0);
  wm_guest_call_options co = {0};
  co.result = WM_RESULT_AS_STRING;
  wm_block rb;
  wm_arg a[1] = {wm_arg_bytes("ab", 2)};
  int rc = wm_guest_call(g, "sum", &co, a, 1, NULL, 0, &rb, &err);
  CHECK_ERR(rc, err, WM_ENOALLOC, "as-string result convention needs the asc allocator");
  wm_result_conv c;
  CHECK(wm_result_conv_parse("as-string", &c) && c == WM_RESULT_AS_STRING &&
        strcmp(wm_result_conv_name(c), "as-string") == 0);
  wm_guest_free(g, NULL);
  wm_runtime_free(rt);
}

/* Internal (exchange.c): the generation new block slots start at. */
void wm__guest_first_gen(uint32_t gen);

/* A slot whose generation is spent is retired, not recycled with a
** generation that wraps to 0 (which would make its next handle invalid and
** could match a stale one). */
static void test_generation_end(wm_module *mod) {
  wm_error err;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_guest *g = NULL;
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  if (wm_instance_new(rt, mod, NULL, &inst, &err) != 0 || wm_guest_new(rt, inst, NULL, &g, &err) != 0) {
    fprintf(stderr, "generation_end: %s\n", err.message);
    nfail++;
    wm_runtime_free(rt);
    return;
  }
  wm__guest_first_gen(UINT32_MAX - 1);
  wm_block b1, b2, b3;
  CHECK(wm_guest_alloc(g, 8, &b1, &err) == 0 && wm_block_free(g, b1, &err) == 0);
  CHECK(wm_guest_alloc(g, 8, &b2, &err) == 0 && (uint32_t)b2.id == (uint32_t)b1.id);
  CHECK(wm_block_free(g, b2, &err) == 0);
  CHECK(wm_guest_alloc(g, 8, &b3, &err) == 0 && (uint32_t)b3.id != (uint32_t)b1.id);
  CHECK(wm_block_owner(g, b3) == WM_OWNER_HOST && wm_block_free(g, b3, &err) == 0);
  CHECK(wm_block_free(g, b1, &err) == WM_EOWNERSHIP && wm_block_free(g, b2, &err) == WM_EOWNERSHIP);
  wm__guest_first_gen(1);
  wm_guest_free(g, NULL);
  wm_runtime_free(rt);
}

int main(void) {
  if (system("wat2wasm --version >/dev/null 2>&1") != 0) {
    printf("wat2wasm not found: skipped\n0 passed, 0 failed\n");
    return 0;
  }
  wm_module *g = load_wat(guest_wat), *na = load_wat(noalloc_wat), *as = load_wat(as_wat);
  if (g) test_guest(g);
  if (na) test_noalloc(na);
  if (as) test_as(as);
  wm_module *wb = load_wat(wbindgen_wat), *cabi = load_wat(cabi_wat);
  if (wb) test_wbindgen(wb);
  if (cabi) test_cabi(cabi);
  if (wb) test_generation_end(wb);
  if (wb) test_as_result_needs_asc(wb);
  wm_module *re = load_wat(reentrant_wat);
  if (re) test_reentrant_free(re);
  wm_module_free(re);
  wm_module *nf = load_wat(nofree_wat);
  if (nf) test_nofree(nf);
  test_nofree_detection(nf, na);
  wm_module_free(nf);
  wm_module_free(wb);
  wm_module_free(cabi);
  CHECK(strcmp(wm_strerror(WM_EOWNERSHIP), "ownership violation") == 0);
  wm_alloc_kind k;
  CHECK(wm_alloc_kind_parse("wbindgen", &k) && k == WM_ALLOC_WBINDGEN);
  CHECK(!wm_alloc_kind_parse("bogus", &k));
  wm_result_conv c;
  CHECK(wm_result_conv_parse("len-prefix", &c) && c == WM_RESULT_LEN_PREFIX);
  wm_module_free(g);
  wm_module_free(na);
  wm_module_free(as);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
