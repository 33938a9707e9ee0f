/* SPDX-License-Identifier: MIT */
/*
** test_check.c -- tests of the guest heap checker through its C API: every
** error kind with the block it names, the partial-load rule, the quarantine
** deferring the guest's free, bulk and host accesses, memory.grow, the leak
** classes, host leaks through the exchange API, user-named allocators,
** suppressions and the summary text. The guest is a WAT module (a bump
** allocator named malloc/free) assembled by wat2wasm at test time.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmem.h"

#include "check.h" /* tests/unit: the assertion macros */
#include "util.h"   /* wm__alloc_fail_after */

/* The guest: memory of 2 pages, heap from __heap_base = 4096, a bump
** malloc (16-byte aligned, never reuses), a free that only counts, a bad
** allocator returning one address twice, and functions to poke memory. */
static const char guest_wat[] =
    "(module\n"
    "  (memory (export \"memory\") 2)\n"
    "  (global (export \"__heap_base\") i32 (i32.const 4096))\n"
    "  (global $top (mut i32) (i32.const 4096))\n"
    "  (global $frees (export \"frees\") (mut i32) (i32.const 0))\n"
    "  (func $malloc (export \"malloc\") (param $n i32) (result i32) (local $p i32)\n"
    "    (local.set $p (global.get $top))\n"
    "    (global.set $top (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 15))\n"
    "                              (i32.const -16)))\n"
    "    (local.get $p))\n"
    "  (global $inplace (mut i32) (i32.const 0))\n"
    "  (global $trap_free (mut i32) (i32.const 0))\n"
    "  (func (export \"set_inplace\") (global.set $inplace (i32.const 1)))\n"
    "  (func (export \"set_trap_free\") (global.set $trap_free (i32.const 1)))\n"
    "  (func $free (export \"free\") (param i32)\n"
    "    (if (global.get $trap_free) (then unreachable))\n"
    "    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))\n"
    "  (func (export \"realloc\") (param $p i32) (param $n i32) (result i32) (local $q i32)\n"
    "    (if (global.get $inplace) (then (return (local.get $p))))\n"
    "    (local.set $q (call $malloc (local.get $n)))\n"
    "    (memory.copy (local.get $q) (local.get $p) (i32.const 4))\n"
    "    (call $free (local.get $p))\n"
    "    (local.get $q))\n"
    "  (func (export \"bad_alloc\") (param i32) (result i32) (i32.const 8192))\n"
    "  (func (export \"static_alloc\") (param i32) (result i32) (i32.const 2048))\n"
    "  (func (export \"low_alloc\") (param i32) (result i32) (i32.const 3072))\n"
    "  (data (i32.const 2048) \"static\")\n"
    "  (func (export \"rd\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func (export \"rd2\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func (export \"rd3\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func (export \"rd4\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func (export \"free_via\") (param i32) (call $free (local.get 0)))\n"
    "  (func (export \"free_tail\") (param i32) (return_call $free (local.get 0)))\n"
    "  (func (export \"malloc_tail\") (param i32) (result i32)\n"
    "    (return_call $malloc (local.get 0)))\n"
    "  (func (export \"wr\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
    "  (func (export \"wr8\") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))\n"
    "  (func (export \"copy\") (param i32 i32 i32)\n"
    "    (memory.copy (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"fill\") (param i32 i32 i32)\n"
    "    (memory.fill (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"keep\") (param i32) (i32.store (i32.const 1024) (local.get 0)))\n"
    "  (func (export \"keep2\") (param i32) (i32.store (i32.const 1028) (local.get 0)))\n"
    "  (func (export \"grow\") (result i32) (memory.grow (i32.const 1)))\n"
    "  (func (export \"use_then_free\") (param $p i32)\n"
    "    (call $free (local.get $p))\n"
    "    (drop (i32.load (local.get $p))))\n"
    "  (func (export \"xchg\") (param i32 i32) (result i32) (local i32)\n"
    "    (local.set 0 (i32.load (local.tee 2 (local.get 0))))\n"
    "    (i32.store (local.get 2) (local.get 1))\n"
    "    (local.get 0))\n"
    ")\n";

/* The same without anything allocator-like. */
static const char plain_wat[] =
    "(module (memory (export \"memory\") 1)\n"
    "  (func (export \"rd\") (param i32) (result i32) (i32.load (local.get 0))))\n";

static wm_module *load_wat(const char *wat, bool checked) {
  size_t len;
  uint8_t *bin = wat_bytes(wat, "--enable-all", &len);
  if (!bin) return NULL;
  wm_module *m = NULL;
  wm_error err;
  wm_module_options o = {.flags = checked ? WM_MODULE_CHECKED : 0};
  if (wm_module_load(bin, len, &o, &m, &err) != 0) {
    fprintf(stderr, "load: %s\n", err.message);
    nfail++;
    m = NULL;
  }
  free(bin);
  return m;
}

/* What the callback saw. */
typedef struct seen {
  int n;
  wm_check_kind kind[64];
  uint64_t addr[64], block_addr[64], block_size[64], bytes[64];
  bool has_block[64], freed[64];
  char where0[64][32];
  uint32_t off0[64];
  char last_text[2048];
} seen;

static void collect(const wm_check_report *r, void *data) {
  seen *s = data;
  if (s->n >= 64) return;
  int i = s->n++;
  s->kind[i] = r->kind;
  s->addr[i] = r->addr;
  s->has_block[i] = r->has_block;
  s->freed[i] = r->block_freed;
  s->block_addr[i] = r->block_addr;
  s->block_size[i] = r->block_size;
  s->bytes[i] = r->bytes;
  snprintf(s->where0[i], sizeof s->where0[i], "%s",
           r->where.nframes && r->where.frames[0].name ? r->where.frames[0].name : "");
  s->off0[i] = r->where.nframes ? r->where.frames[0].offset : UINT32_MAX;
  snprintf(s->last_text, sizeof s->last_text, "%s", r->text);
}

typedef struct fixture {
  wm_runtime *rt;
  wm_instance *inst;
  wm_checker *chk;
  seen s;
} fixture;

static wm_module *guest;

static bool setup(fixture *fx, const wm_check_options *extra) {
  memset(fx, 0, sizeof *fx);
  wm_error err;
  wm_check_options o;
  if (extra) o = *extra;
  else memset(&o, 0, sizeof o);
  o.on_report = collect;
  o.data = &fx->s;
  if (wm_runtime_new(NULL, &fx->rt, &err) || wm_checker_new(fx->rt, &o, &fx->chk, &err) ||
      wm_instance_new(fx->rt, guest, NULL, &fx->inst, &err) ||
      wm_checker_attach(fx->chk, fx->inst, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    nfail++;
    return false;
  }
  return true;
}

/* Call export name with up to 3 i32 arguments; returns its i32 result. */
static int32_t call(fixture *fx, const char *name, int n, int32_t a, int32_t b, int32_t c) {
  wm_func *f = wm_instance_func(fx->inst, name);
  wm_val args[3] = {wm_val_i32(a), wm_val_i32(b), wm_val_i32(c)}, res[1];
  wm_error err;
  uint32_t nres = wm_func_type(f).nresults;
  if (wm_func_call(fx->rt, f, args, (uint32_t)n, res, nres, &err) != 0) {
    fprintf(stderr, "call %s: %s\n", name, err.message);
    nfail++;
    return 0;
  }
  return nres ? res[0].of.i32 : 0;
}

static int32_t global_i32(fixture *fx, const char *name) {
  return wm_global_get(wm_instance_global(fx->inst, name)).of.i32;
}

static void test_access_errors(void) {
  fixture fx;
  if (!setup(&fx, NULL)) return;
  CHECK(strstr(wm_checker_allocator(fx.chk), "libc malloc/free") != NULL);
  int32_t p = call(&fx, "malloc", 1, 24, 0, 0);
  CHECK(p == 4096);
  call(&fx, "wr", 2, p, 7, 0);          /* inside: fine */
  CHECK(call(&fx, "rd", 1, p + 20, 0, 0) == 0);
  CHECK(fx.s.n == 0);
  call(&fx, "rd", 1, p + 24, 0, 0);     /* 0 bytes after */
  CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_INVALID_READ && fx.s.addr[0] == (uint64_t)p + 24);
  CHECK(fx.s.has_block[0] && fx.s.block_addr[0] == (uint64_t)p && fx.s.block_size[0] == 24 &&
        !fx.s.freed[0]);
  CHECK(strcmp(fx.s.where0[0], "rd") == 0);
  CHECK(strstr(fx.s.last_text, "Invalid read of size 4") != NULL);
  CHECK(strstr(fx.s.last_text, "is 0 bytes after a block of size 24 alloc'd") != NULL);
  /* The same error at the same place again: counted, not reported. */
  call(&fx, "rd", 1, p + 24, 0, 0);
  CHECK(fx.s.n == 1);
  int32_t p2 = call(&fx, "malloc", 1, 24, 0, 0); /* at p + 32 */
  call(&fx, "wr8", 2, p2 - 1, 1, 0);    /* 1 byte before p2, 7 after p */
  CHECK(fx.s.n == 2 && fx.s.kind[1] == WM_CHECK_INVALID_WRITE && fx.s.addr[1] == (uint64_t)p2 - 1);
  CHECK(strstr(fx.s.last_text, "is 1 bytes before a block of size 24") != NULL);
  /* Not in the heap: data below __heap_base is never flagged. */
  call(&fx, "wr", 2, 100, 5, 0);
  CHECK(call(&fx, "rd", 1, 100, 0, 0) == 5 && fx.s.n == 2);

  /* Partial loads: an aligned word whose first byte is in a 5-byte block. */
  int32_t q = call(&fx, "malloc", 1, 5, 0, 0);
  call(&fx, "rd", 1, q + 4, 0, 0);
  CHECK(fx.s.n == 2);
  call(&fx, "rd2", 1, q + 3, 0, 0);     /* unaligned: an error */
  CHECK(fx.s.n == 3 && fx.s.kind[2] == WM_CHECK_INVALID_READ);

  /* Bulk: memory.fill past a block's end, memory.copy from outside. */
  call(&fx, "fill", 3, q, 0, 6);
  CHECK(fx.s.n == 4 && fx.s.kind[3] == WM_CHECK_INVALID_WRITE && fx.s.addr[3] == (uint64_t)q + 5);
  call(&fx, "copy", 3, p, q + 8, 4);
  CHECK(fx.s.n == 5 && fx.s.kind[4] == WM_CHECK_INVALID_READ);

  /* memory.grow: the new page is heap nobody allocated. */
  int32_t old = call(&fx, "grow", 0, 0, 0, 0);
  CHECK(old == 2);
  call(&fx, "rd3", 1, old * 65536 + 64, 0, 0);
  CHECK(fx.s.n == 6 && fx.s.kind[5] == WM_CHECK_INVALID_READ);
  CHECK(strstr(fx.s.last_text, "not inside or near any block") != NULL);

  /* The host, through the exchange API's checked access. */
  uint8_t buf[8];
  wm_error err;
  CHECK(wm_memory_read(wm_instance_memory(fx.inst, "memory"), (uint64_t)p + 20, buf, 8, &err) == 0);
  CHECK(fx.s.n == 7 && fx.s.kind[6] == WM_CHECK_INVALID_READ && fx.s.addr[6] == (uint64_t)p + 24);
  CHECK(strstr(fx.s.last_text, "at the host's wm_memory_read") != NULL);
  wm_runtime_free(fx.rt);
}

/* `n = l->next; l->next = r`, one fused instruction (MOVE_I32_LOAD_STORE):
** past a block, its read and its write are each reported, at their own
** instructions. */
static void test_fused_exchange(void) {
  fixture fx;
  if (!setup(&fx, NULL)) return;
  int32_t p = call(&fx, "malloc", 1, 24, 0, 0);
  CHECK(call(&fx, "xchg", 2, p, 9, 0) == 0 && call(&fx, "rd", 1, p, 0, 0) == 9);
  CHECK(call(&fx, "xchg", 2, p, 4, 0) == 9 && fx.s.n == 0);
  call(&fx, "xchg", 2, p + 24, 5, 0);
  CHECK(fx.s.n == 2 && fx.s.kind[0] == WM_CHECK_INVALID_READ &&
        fx.s.kind[1] == WM_CHECK_INVALID_WRITE);
  CHECK(fx.s.addr[0] == (uint64_t)p + 24 && fx.s.addr[1] == (uint64_t)p + 24);
  CHECK(strcmp(fx.s.where0[0], "xchg") == 0 && strcmp(fx.s.where0[1], "xchg") == 0);
  CHECK(fx.s.off0[0] != UINT32_MAX && fx.s.off0[1] != UINT32_MAX && fx.s.off0[1] > fx.s.off0[0]);
  wm_runtime_free(fx.rt);
}

static void test_free_errors(void) {
  fixture fx;
  if (!setup(&fx, NULL)) return;
  int32_t p = call(&fx, "malloc", 1, 32, 0, 0);
  call(&fx, "free", 1, p, 0, 0);
  /* The free is deferred (quarantine): the guest's free has not run. */
  CHECK(global_i32(&fx, "frees") == 0);
  call(&fx, "rd", 1, p + 8, 0, 0);
  CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_FREED_READ && fx.s.freed[0] &&
        fx.s.block_addr[0] == (uint64_t)p && fx.s.block_size[0] == 32);
  CHECK(strstr(fx.s.last_text, "8 bytes inside a block of size 32 free'd") != NULL);
  CHECK(strstr(fx.s.last_text, "Block was alloc'd") != NULL);
  call(&fx, "wr8", 2, p, 1, 0);
  CHECK(fx.s.n == 2 && fx.s.kind[1] == WM_CHECK_FREED_WRITE);
  call(&fx, "free", 1, p, 0, 0);        /* double free: refused */
  CHECK(fx.s.n == 3 && fx.s.kind[2] == WM_CHECK_DOUBLE_FREE && fx.s.freed[2]);
  CHECK(global_i32(&fx, "frees") == 0);
  int32_t q = call(&fx, "malloc", 1, 16, 0, 0);
  call(&fx, "free", 1, q + 4, 0, 0);    /* not a block's start */
  CHECK(fx.s.n == 4 && fx.s.kind[3] == WM_CHECK_INVALID_FREE && fx.s.has_block[3]);
  call(&fx, "free_via", 1, 100, 0, 0);  /* static data */
  CHECK(fx.s.n == 5 && fx.s.kind[4] == WM_CHECK_INVALID_FREE);
  call(&fx, "free", 1, 0, 0, 0);        /* free(NULL) is fine and reaches the guest */
  CHECK(fx.s.n == 5 && global_i32(&fx, "frees") == 1);
  /* A use after free inside the guest, with the free and the access in
  ** one function. */
  int32_t r = call(&fx, "malloc", 1, 8, 0, 0);
  call(&fx, "use_then_free", 1, r, 0, 0);
  CHECK(fx.s.n == 6 && fx.s.kind[5] == WM_CHECK_FREED_READ && strcmp(fx.s.where0[5], "use_then_free") == 0);
  /* realloc moves the block: the old one is freed. */
  int32_t a = call(&fx, "malloc", 1, 8, 0, 0);
  int32_t b = call(&fx, "realloc", 2, a, 100, 0);
  CHECK(b != a);
  call(&fx, "rd2", 1, a, 0, 0);
  CHECK(fx.s.n == 7 && fx.s.kind[6] == WM_CHECK_FREED_READ);
  call(&fx, "rd", 1, b + 96, 0, 0);
  CHECK(fx.s.n == 7);
  wm_check_summary s;
  wm_error err;
  CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_NO, &s, &err) == 0);
  CHECK(s.error_contexts == 7 && s.errors == 7);
  CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_NO, &s, &err) == WM_EINVAL);
  wm_runtime_free(fx.rt);
}

/* Tail calls of the allocator (WebAssembly 3.0's return_call) are tracked
** as calls: the hook runs them nested and the return sequence after the
** instruction hands the result on. */
static void test_tail_calls(void) {
  fixture fx;
  if (!setup(&fx, NULL)) return;
  int32_t p = call(&fx, "malloc_tail", 1, 24, 0, 0);
  CHECK(p == 4096);
  call(&fx, "rd", 1, p + 24, 0, 0);     /* the block is known, 24 bytes */
  CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_INVALID_READ && fx.s.has_block[0] &&
        fx.s.block_addr[0] == (uint64_t)p && fx.s.block_size[0] == 24);
  call(&fx, "free_tail", 1, p, 0, 0);
  call(&fx, "rd2", 1, p, 0, 0);
  CHECK(fx.s.n == 2 && fx.s.kind[1] == WM_CHECK_FREED_READ);
  call(&fx, "free_tail", 1, p, 0, 0);
  CHECK(fx.s.n == 3 && fx.s.kind[2] == WM_CHECK_DOUBLE_FREE);
  int32_t q = call(&fx, "malloc_tail", 1, 40, 0, 0);
  CHECK(q == p + 32);
  wm_check_summary s;
  wm_error err;
  CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_SUMMARY, &s, &err) == 0);
  CHECK(s.allocs == 2 && s.frees == 1 && s.in_use_blocks == 1 && s.in_use_bytes == 40);
  CHECK(s.leak_blocks[0] == 1 && s.leak_bytes[0] == 40); /* definitely lost */
  wm_runtime_free(fx.rt);
}

static void test_quarantine(void) {
  wm_check_options o;
  memset(&o, 0, sizeof o);
  o.quarantine_bytes = 40; /* room for one 32-byte block */
  fixture fx;
  if (!setup(&fx, &o)) return;
  int32_t a = call(&fx, "malloc", 1, 32, 0, 0);
  int32_t b = call(&fx, "malloc", 1, 32, 0, 0);
  call(&fx, "free", 1, a, 0, 0);
  CHECK(global_i32(&fx, "frees") == 0);
  call(&fx, "free", 1, b, 0, 0);        /* a leaves the quarantine: really freed */
  CHECK(global_i32(&fx, "frees") == 1);
  call(&fx, "rd", 1, a, 0, 0);          /* now plain unallocated heap */
  CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_INVALID_READ);
  call(&fx, "rd2", 1, b, 0, 0);
  CHECK(fx.s.n == 2 && fx.s.kind[1] == WM_CHECK_FREED_READ);
  wm_runtime_free(fx.rt);
}

/* A realloc from the host whose freed block pushes an older one out of the
** quarantine: the deferred free then runs nested, and must not land on the
** slots where realloc's result waits for the host. */
static void test_quarantine_during_host_realloc(void) {
  wm_check_options o;
  memset(&o, 0, sizeof o);
  o.quarantine_bytes = 32;
  fixture fx;
  if (!setup(&fx, &o)) return;
  int32_t a = call(&fx, "malloc", 1, 32, 0, 0);
  call(&fx, "free", 1, a, 0, 0);       /* deferred: 32 bytes held */
  int32_t b = call(&fx, "malloc", 1, 8, 0, 0);
  int32_t r = call(&fx, "realloc", 2, b, 100, 0);
  CHECK(global_i32(&fx, "frees") == 2); /* realloc's own free of b, then a's */
  CHECK(r != a && r != b && r > b);
  call(&fx, "wr", 2, r + 96, 1, 0);    /* the new block really is r's */
  CHECK(fx.s.n == 0);
  wm_runtime_free(fx.rt);
}

/* realloc growing a block in place over memory a moved block gave back
** (still in the quarantine), then that record leaving the quarantine: the
** grown block's bytes stay addressable. And a realloc that claims to grow a
** block past the memory changes nothing (the leak check must not read
** beyond the memory). */
static void test_realloc_in_place(void) {
  wm_check_options o;
  memset(&o, 0, sizeof o);
  o.quarantine_bytes = 64;
  fixture fx;
  if (!setup(&fx, &o)) return;
  int32_t a = call(&fx, "malloc", 1, 16, 0, 0);
  int32_t b = call(&fx, "malloc", 1, 16, 0, 0);
  CHECK(b == a + 16);
  call(&fx, "realloc", 2, b, 100, 0);  /* moves: b's memory is given back */
  call(&fx, "set_inplace", 0, 0, 0, 0);
  CHECK(call(&fx, "realloc", 2, a, 32, 0) == a); /* grows over b's, up to the moved block */
  int32_t x = call(&fx, "malloc", 1, 80, 0, 0);
  call(&fx, "free", 1, x, 0, 0);       /* pushes the old records out */
  call(&fx, "wr", 2, a + 20, 7, 0);
  call(&fx, "wr", 2, a + 28, 7, 0);
  CHECK(fx.s.n == 0);
  CHECK(call(&fx, "realloc", 2, a, 0x7ffffff0, 0) == a);
  wm_check_summary sum;
  wm_error err;
  CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_FULL, &sum, &err) == 0);
  wm_runtime_free(fx.rt);
}

/* The guest's free, run when its block leaves the quarantine, traps: the
** call that pushed it out traps with that message. */
static void test_deferred_free_traps(void) {
  wm_check_options o;
  memset(&o, 0, sizeof o);
  o.quarantine_bytes = 1;
  fixture fx;
  if (!setup(&fx, &o)) return;
  int32_t a = call(&fx, "malloc", 1, 8, 0, 0);
  int32_t b = call(&fx, "malloc", 1, 8, 0, 0);
  call(&fx, "free", 1, a, 0, 0);       /* deferred */
  call(&fx, "set_trap_free", 0, 0, 0, 0);
  wm_val arg = wm_val_i32(b);
  wm_error err;
  int rc = wm_func_call(fx.rt, wm_instance_func(fx.inst, "free"), &arg, 1, NULL, 0, &err);
  CHECK(rc == WM_TRAP_UNREACHABLE);
  CHECK(strstr(err.message, "unreachable") != NULL && strstr(err.message, "deferred") != NULL);
  /* The runtime is usable after it. */
  CHECK(call(&fx, "malloc", 1, 8, 0, 0) > b);
  wm_runtime_free(fx.rt);
}

/* A start function that allocates: the checker made before instantiation
** watches it from the start. */
static void test_start_function_allocates(void) {
  static const char wat[] =
      "(module (memory (export \"memory\") 1)\n"
      "  (global (export \"__heap_base\") i32 (i32.const 4096))\n"
      "  (global $top (mut i32) (i32.const 4096))\n"
      "  (global $kept (mut i32) (i32.const 0))\n"
      "  (func $malloc (export \"malloc\") (param $n i32) (result i32) (local $p i32)\n"
      "    (local.set $p (global.get $top))\n"
      "    (global.set $top (i32.add (local.get $p) (i32.const 16)))\n"
      "    (local.get $p))\n"
      "  (func $free (export \"free\") (param i32))\n"
      "  (func $init (global.set $kept (call $malloc (i32.const 16))))\n"
      "  (start $init)\n"
      "  (func (export \"go\") (i32.store (global.get $kept) (i32.const 1))\n"
      "    (call $free (global.get $kept))))\n";
  wm_module *m = load_wat(wat, true);
  if (!m) return;
  wm_module *saved = guest;
  guest = m;
  fixture fx;
  if (setup(&fx, NULL)) {
    call(&fx, "go", 0, 0, 0, 0);
    CHECK(fx.s.n == 0);
    wm_check_summary sum;
    wm_error err;
    CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_FULL, &sum, &err) == 0);
    CHECK(sum.allocs == 1 && sum.frees == 1 && sum.errors == 0);
    wm_runtime_free(fx.rt);
  }
  guest = saved;
  wm_module_free(m);
}

/* The checker's own host memory runs out while it records a block: it
** stops checking (rather than report wrongly about the block it missed),
** the run goes on, and the summary says why. */
static void test_out_of_host_memory(void) {
  fixture fx;
  if (!setup(&fx, NULL)) return;
  wm__alloc_fail_after(0);
  int32_t p = call(&fx, "malloc", 1, 24, 0, 0);
  wm__alloc_fail_after(-1);
  CHECK(p == 4096);
  CHECK(strstr(wm_checker_allocator(fx.chk), "checking stopped: out of host memory") != NULL);
  call(&fx, "wr", 2, p, 1, 0);         /* the missed block: no report */
  call(&fx, "rd", 1, p + 64, 0, 0);    /* and nothing is checked any more */
  CHECK(fx.s.n == 0);
  wm_check_summary sum;
  wm_error err;
  CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_FULL, &sum, &err) == 0 && sum.errors == 0);
  char text[2048];
  wm_check_summary_format(fx.chk, &sum, WM_LEAK_CHECK_FULL, text, sizeof text);
  CHECK(strstr(text, "LEAK SUMMARY: not run (checking stopped: out of host memory)") != NULL);
  wm_runtime_free(fx.rt);
}

static void test_leaks(void) {
  fixture fx;
  if (!setup(&fx, NULL)) return;
  call(&fx, "malloc", 1, 40, 0, 0);                 /* lost */
  int32_t kept = call(&fx, "malloc", 1, 16, 0, 0);  /* reachable */
  call(&fx, "keep", 1, kept, 0, 0);
  int32_t in = call(&fx, "malloc", 1, 32, 0, 0);    /* interior pointer only */
  call(&fx, "keep2", 1, in + 4, 0, 0);
  int32_t d = call(&fx, "malloc", 1, 8, 0, 0);      /* lost, pointing to e */
  int32_t e = call(&fx, "malloc", 1, 24, 0, 0);
  call(&fx, "wr", 2, d, e, 0);
  wm_check_summary s;
  wm_error err;
  CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_FULL, &s, &err) == 0);
  CHECK(s.leak_bytes[0] == 48 && s.leak_blocks[0] == 2); /* 40 + d's 8 */
  CHECK(s.leak_bytes[1] == 24 && s.leak_blocks[1] == 1);
  CHECK(s.leak_bytes[2] == 32 && s.leak_blocks[2] == 1);
  CHECK(s.leak_bytes[3] == 16 && s.leak_blocks[3] == 1);
  CHECK(s.leak_bytes[4] == 0);
  CHECK(s.in_use_blocks == 5 && s.in_use_bytes == 120 && s.allocs == 5);
  /* definite (a record for 40 and one for 8: different call sites? no:
  ** both come from the host's malloc call, so one record of 48) */
  int definite = 0, indirect = 0, possible = 0, reachable = 0;
  for (int i = 0; i < fx.s.n; i++) {
    definite += fx.s.kind[i] == WM_CHECK_LEAK_DEFINITE;
    indirect += fx.s.kind[i] == WM_CHECK_LEAK_INDIRECT;
    possible += fx.s.kind[i] == WM_CHECK_LEAK_POSSIBLE;
    reachable += fx.s.kind[i] == WM_CHECK_LEAK_REACHABLE;
  }
  CHECK(definite == 1 && indirect == 1 && possible == 1 && reachable == 1);
  /* Definite and possible leaks count as errors, reachable ones do not. */
  CHECK(s.errors == 3);
  char text[2048];
  size_t need = wm_check_summary_format(fx.chk, &s, WM_LEAK_CHECK_FULL, text, sizeof text);
  CHECK(need < sizeof text);
  CHECK(strstr(text, "in use at exit: 120 bytes in 5 blocks") != NULL);
  CHECK(strstr(text, "definitely lost: 48 bytes in 2 blocks") != NULL);
  CHECK(strstr(text, "indirectly lost: 24 bytes in 1 blocks") != NULL);
  CHECK(strstr(text, "possibly lost: 32 bytes in 1 blocks") != NULL);
  CHECK(strstr(text, "ERROR SUMMARY: 3 errors") != NULL);
  char small[16];
  CHECK(wm_check_summary_format(fx.chk, &s, WM_LEAK_CHECK_FULL, small, sizeof small) == need &&
        strlen(small) == 15);
  wm_runtime_free(fx.rt);
}

static void test_host_leak(void) {
  fixture fx;
  if (!setup(&fx, NULL)) return;
  wm_guest *g;
  wm_error err;
  wm_guest_options go = {0};
  go.alloc = WM_ALLOC_MALLOC;
  CHECK(wm_guest_new(fx.rt, fx.inst, &go, &g, &err) == 0);
  wm_block kept, freed;
  CHECK(wm_guest_alloc_copy(g, "abcdefghijklmnopqrstuvwx", 24, &kept, &err) == 0);
  CHECK(wm_guest_alloc_copy(g, "xyz", 3, &freed, &err) == 0);
  CHECK(wm_block_free(g, freed, &err) == 0);
  CHECK(fx.s.n == 0);
  /* A guest freeing a block the host still owns. */
  wm_block other;
  CHECK(wm_guest_alloc(g, 8, &other, &err) == 0);
  call(&fx, "free", 1, (int32_t)other.ptr, 0, 0);
  CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_HOST_BLOCK_FREE);
  /* The host looking at it: the guest freed it. */
  uint8_t *data;
  CHECK(wm_block_data(g, other, &data, &err) == 0);
  CHECK(fx.s.n == 2 && fx.s.kind[1] == WM_CHECK_FREED_READ);
  CHECK(strstr(fx.s.last_text, "at the host's wm_block_data") != NULL);
  fx.s.n = 1;
  /* The host's own free of it now is a double free, refused. */
  CHECK(wm_block_free(g, other, &err) == 0);
  CHECK(fx.s.n == 2 && fx.s.kind[1] == WM_CHECK_DOUBLE_FREE);
  CHECK(strstr(fx.s.last_text, "the host (wm_block_free)") != NULL);
  wm_check_summary s;
  CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_FULL, &s, &err) == 0);
  CHECK(s.leak_bytes[4] == 24 && s.leak_blocks[4] == 1);
  CHECK(s.leak_bytes[0] == 0);
  CHECK(fx.s.n == 3 && fx.s.kind[2] == WM_CHECK_LEAK_HOST && fx.s.bytes[2] == 24);
  CHECK(strstr(fx.s.last_text, "24 bytes in 1 blocks are not freed by the host") != NULL);
  wm_guest_free(g, NULL); /* after finish: nothing more is checked */
  CHECK(fx.s.n == 3);
  wm_runtime_free(fx.rt);
}

static void test_user_allocator(void) {
  wm_check_options o;
  memset(&o, 0, sizeof o);
  o.alloc_fn = "bad_alloc";
  o.free_fn = "free";
  fixture fx;
  if (!setup(&fx, &o)) return;
  CHECK(strstr(wm_checker_allocator(fx.chk), "user-named (bad_alloc, free)") != NULL);
  int32_t a = call(&fx, "bad_alloc", 1, 8, 0, 0);
  CHECK(fx.s.n == 0);
  int32_t b = call(&fx, "bad_alloc", 1, 8, 0, 0);
  CHECK(a == b && fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_OVERLAP_ALLOC && fx.s.has_block[0] &&
        fx.s.block_addr[0] == (uint64_t)a);
  /* malloc is not tracked now: its block is unallocated heap. */
  int32_t m = call(&fx, "malloc", 1, 8, 0, 0);
  call(&fx, "rd", 1, m, 0, 0);
  CHECK(fx.s.n == 2 && fx.s.kind[1] == WM_CHECK_INVALID_READ);
  wm_runtime_free(fx.rt);

  /* A user-named allocator may hand out a static arena: no objection. */
  o.alloc_fn = "static_alloc";
  if (!setup(&fx, &o)) return;
  call(&fx, "static_alloc", 1, 8, 0, 0);
  CHECK(fx.s.n == 0);
  wm_runtime_free(fx.rt);

  o.alloc_fn = "no_such_function";
  if (!setup(&fx, &o)) return;
  CHECK(strstr(wm_checker_allocator(fx.chk), "'no_such_function' is not a defined function") != NULL);
  wm_runtime_free(fx.rt);
}

/* The exchange convention's alloc as the only allocator (the article's
** AssemblyScript guest): a block in static data, or below the heap, is
** reported, and the same address twice is two live blocks at one place. */
static void test_convention_alloc_outside_heap(void) {
  static const char wat[] =
      "(module (memory (export \"memory\") 1)\n"
      "  (global (export \"__heap_base\") i32 (i32.const 4096))\n"
      "  (data (i32.const 2048) \"static\")\n"
      "  (global $which (mut i32) (i32.const 2048))\n"
      "  (func (export \"alloc\") (param i32) (result i32) (global.get $which))\n"
      "  (func (export \"go_low\") (global.set $which (i32.const 3072))))\n";
  wm_module *m = load_wat(wat, true);
  if (!m) return;
  wm_module *saved = guest;
  guest = m;
  fixture fx;
  if (setup(&fx, NULL)) {
    CHECK(strstr(wm_checker_allocator(fx.chk), "no free function") != NULL);
    call(&fx, "alloc", 1, 8, 0, 0);
    CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_ALLOC_OUTSIDE_HEAP && fx.s.addr[0] == 2048);
    CHECK(strstr(fx.s.last_text, "0x800 (8 bytes) lies in the module's static data [0x800, 0x806)") != NULL);
    call(&fx, "alloc", 1, 8, 0, 0); /* the same address again */
    CHECK(fx.s.n == 2 && fx.s.kind[1] == WM_CHECK_OVERLAP_ALLOC && fx.s.block_addr[1] == 2048);
    call(&fx, "go_low", 0, 0, 0, 0);
    call(&fx, "alloc", 1, 16, 0, 0);
    CHECK(fx.s.n == 3 && fx.s.kind[2] == WM_CHECK_ALLOC_OUTSIDE_HEAP &&
          strstr(fx.s.last_text, "below the heap, which starts at 0x1000") != NULL);
    wm_runtime_free(fx.rt);
  }
  guest = saved;
  wm_module_free(m);
}

/* alloc/dealloc seen, but the guest's own code allocates and frees with
** an inlined copy of them (what an optimiser makes of wasmem_guest.h's
** wrappers): a block the host frees that no tracked call made, or an
** allocation over a block freed unseen, is not an error then. A pointer
** into a live block is still an invalid free. */
static void test_convention_unseen_blocks(void) {
  static const char wat[] =
      "(module (memory (export \"memory\") 1)\n"
      "  (global (export \"__heap_base\") i32 (i32.const 4096))\n"
      "  (global $top (mut i32) (i32.const 4096))\n"
      "  (func $alloc (export \"alloc\") (param $n i32) (result i32) (local $p i32)\n"
      "    (local.set $p (global.get $top))\n"
      "    (global.set $top (i32.add (local.get $p) (i32.const 64)))\n"
      "    (local.get $p))\n"
      "  (func (export \"dealloc\") (param $p i32) (param $n i32)\n"
      "    (if (i32.eq (i32.add (local.get $p) (i32.const 64)) (global.get $top))\n"
      "      (then (global.set $top (local.get $p)))))\n"
      "  (func (export \"make_inlined\") (result i32) (local $p i32)\n"
      "    (local.set $p (global.get $top))\n"
      "    (global.set $top (i32.add (local.get $p) (i32.const 64)))\n"
      "    (local.get $p))\n"
      "  (func (export \"free_inlined\") (param $p i32) (global.set $top (local.get $p))))\n";
  wm_module *m = load_wat(wat, true);
  if (!m) return;
  wm_module *saved = guest;
  guest = m;
  fixture fx;
  if (setup(&fx, NULL)) {
    CHECK(strstr(wm_checker_allocator(fx.chk), "exchange convention's functions") != NULL);
    int32_t a = call(&fx, "make_inlined", 0, 0, 0, 0); /* unseen */
    wm_func *dealloc = wm_instance_func(fx.inst, "dealloc");
    wm_val args[2] = {wm_val_i32(a), wm_val_i32(8)};
    wm_error err;
    CHECK(wm_func_call(fx.rt, dealloc, args, 2, NULL, 0, &err) == 0);
    CHECK(fx.s.n == 0); /* no invalid free */
    int32_t b = call(&fx, "alloc", 1, 8, 0, 0);
    call(&fx, "free_inlined", 1, b, 0, 0);  /* freed unseen */
    int32_t c = call(&fx, "alloc", 1, 8, 0, 0);
    CHECK(c == b && fx.s.n == 0);           /* no overlapping allocation */
    args[0] = wm_val_i32(c + 4);            /* inside a live block: invalid */
    CHECK(wm_func_call(fx.rt, dealloc, args, 2, NULL, 0, &err) == 0);
    CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_INVALID_FREE && fx.s.block_addr[0] == (uint64_t)c);
    wm_runtime_free(fx.rt);
  }
  guest = saved;
  wm_module_free(m);
}

static void test_suppressions(void) {
  fixture fx;
  if (!setup(&fx, NULL)) return;
  wm_error err;
  CHECK(wm_checker_suppress(fx.chk, "# comment\ninvalid-read r*\n\n", &err) == 0);
  CHECK(wm_checker_suppress(fx.chk, "bogus-kind rd\n", &err) == WM_EINVAL);
  CHECK(wm_checker_suppress(fx.chk, "invalid-read\n", &err) == WM_EINVAL);
  int32_t p = call(&fx, "malloc", 1, 4, 0, 0);
  call(&fx, "rd", 1, p + 4, 0, 0);
  call(&fx, "wr", 2, p + 4, 0, 0);
  CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_INVALID_WRITE);
  wm_check_summary s;
  CHECK(wm_checker_finish(fx.chk, WM_LEAK_CHECK_NO, &s, &err) == 0);
  CHECK(s.suppressed == 1 && s.errors == 2 && s.error_contexts == 1);
  wm_runtime_free(fx.rt);
}

static void test_api_errors(void) {
  wm_runtime *rt;
  wm_checker *c, *c2;
  wm_instance *inst;
  wm_error err;
  CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
  CHECK(wm_runtime_checker(rt) == NULL);
  CHECK(wm_checker_new(rt, NULL, &c, &err) == 0 && wm_runtime_checker(rt) == c);
  CHECK(wm_checker_new(rt, NULL, &c2, &err) == WM_EUNSUPPORTED);
  wm_module *plain = load_wat(plain_wat, false);
  wm_module *plain_checked = load_wat(plain_wat, true);
  if (plain && plain_checked) {
    CHECK(wm_instance_new(rt, plain, NULL, &inst, &err) == 0);
    CHECK(wm_checker_attach(c, inst, &err) == WM_EINVAL);
    CHECK(strstr(err.message, "WM_MODULE_CHECKED") != NULL);
    CHECK(wm_instance_new(rt, plain_checked, NULL, &inst, &err) == 0);
    CHECK(wm_checker_attach(c, inst, &err) == 0);
    CHECK(strstr(wm_checker_allocator(c), "not recognised") != NULL);
    /* No allocator: nothing is poisoned, a read anywhere is fine. */
    wm_func *rd = wm_instance_func(inst, "rd");
    wm_val a = wm_val_i32(60000), r;
    CHECK(wm_func_call(rt, rd, &a, 1, &r, 1, &err) == 0);
    CHECK(wm_checker_attach(c, inst, &err) == 0); /* the same instance: a no-op */
    wm_instance *other;
    CHECK(wm_instance_new(rt, plain_checked, NULL, &other, &err) == 0);
    CHECK(wm_checker_attach(c, other, &err) == WM_EUNSUPPORTED);
    wm_check_summary s;
    CHECK(wm_checker_finish(c, WM_LEAK_CHECK_FULL, &s, &err) == 0 && s.errors == 0);
  }
  /* An instance without memory: accepted, nothing to check. */
  {
    static const char nomem_wat[] = "(module (func (export \"f\") (result i32) (i32.const 7)))";
    wm_module *nm = load_wat(nomem_wat, true);
    wm_runtime *rt2;
    wm_checker *c3;
    wm_instance *i2;
    if (nm) {
      CHECK(wm_runtime_new(NULL, &rt2, &err) == 0 && wm_checker_new(rt2, NULL, &c3, &err) == 0);
      CHECK(wm_instance_new(rt2, nm, NULL, &i2, &err) == 0);
      CHECK(wm_checker_attach(c3, i2, &err) == 0);
      CHECK(strstr(wm_checker_allocator(c3), "no linear memory") != NULL);
      wm_val r;
      CHECK(wm_func_call(rt2, wm_instance_func(i2, "f"), NULL, 0, &r, 1, &err) == 0 && r.of.i32 == 7);
      wm_check_summary s;
      CHECK(wm_checker_finish(c3, WM_LEAK_CHECK_FULL, &s, &err) == 0 && s.errors == 0);
      wm_runtime_free(rt2);
      wm_module_free(nm);
    }
  }
  CHECK(wm_checker_new(NULL, NULL, &c2, &err) == WM_EINVAL);
  CHECK(wm_checker_attach(NULL, NULL, &err) == WM_EINVAL);
  CHECK(wm_check_kind_parse("double-free") == WM_CHECK_DOUBLE_FREE);
  CHECK(wm_check_kind_parse("nope") == WM_CHECK_KIND_COUNT_);
  CHECK(strcmp(wm_check_kind_title(WM_CHECK_INVALID_FREE), "Invalid free") == 0);
  wm_runtime_free(rt);
  wm_module_free(plain);
  wm_module_free(plain_checked);
}

/* A plain instance calling a checked one and the reverse (each in its own
** loop) through an import. */
static void test_mixed_flavours(void) {
  static const char callee_wat[] =
      "(module (func (export \"twice\") (param i32) (result i32)\n"
      "  (i32.mul (local.get 0) (i32.const 2))))\n";
  static const char caller_wat[] =
      "(module (import \"m\" \"twice\" (func $t (param i32) (result i32)))\n"
      "  (func (export \"go\") (param i32) (result i32) (call $t (call $t (local.get 0)))))\n";
  for (int k = 0; k < 2; k++) {
    wm_module *callee = load_wat(callee_wat, k == 0), *caller = load_wat(caller_wat, k == 1);
    if (!callee || !caller) return;
    wm_runtime *rt;
    wm_instance *a, *b;
    wm_error err;
    CHECK(wm_runtime_new(NULL, &rt, &err) == 0);
    CHECK(wm_instance_new(rt, callee, NULL, &a, &err) == 0);
    CHECK(wm_runtime_register(rt, "m", a, &err) == 0);
    CHECK(wm_instance_new(rt, caller, NULL, &b, &err) == 0);
    wm_val x = wm_val_i32(5), r;
    CHECK(wm_func_call(rt, wm_instance_func(b, "go"), &x, 1, &r, 1, &err) == 0 && r.of.i32 == 20);
    wm_runtime_free(rt);
    wm_module_free(callee);
    wm_module_free(caller);
  }
}

/* A checked host function (wm_func_new_checked) handed a freed block: the
** access is reported as the host's, with the guest's frames below it. */
static int host_log(wm_call_ctx *ctx, const wm_hostarg *args, wm_val *results, void *data) {
  (void)ctx, (void)results, (void)data;
  return args[0].len == 8 ? 0 : WM_TRAP_HOST;
}

static void test_checked_host_function(void) {
  static const char wat[] =
      "(module (import \"env\" \"log\" (func $log (param i32 i32)))\n"
      "  (memory (export \"memory\") 1)\n"
      "  (global (export \"__heap_base\") i32 (i32.const 4096))\n"
      "  (global $top (mut i32) (i32.const 4096))\n"
      "  (func $malloc (export \"malloc\") (param $n i32) (result i32) (local $p i32)\n"
      "    (local.set $p (global.get $top))\n"
      "    (global.set $top (i32.add (local.get $p) (i32.const 16)))\n"
      "    (local.get $p))\n"
      "  (func $free (export \"free\") (param i32))\n"
      "  (func (export \"log_freed\") (local $p i32)\n"
      "    (local.set $p (call $malloc (i32.const 8)))\n"
      "    (call $free (local.get $p))\n"
      "    (call $log (local.get $p) (i32.const 8))))\n";
  wm_module *m = load_wat(wat, true);
  if (!m) return;
  fixture fx;
  memset(&fx, 0, sizeof fx);
  wm_error err;
  wm_check_options o;
  memset(&o, 0, sizeof o);
  o.on_report = collect;
  o.data = &fx.s;
  wm_param params[1] = {{WM_PARAM_BYTES, WM_I32}};
  wm_func *log;
  CHECK(wm_runtime_new(NULL, &fx.rt, &err) == 0);
  CHECK(wm_func_new_checked(fx.rt, "log", params, 1, NULL, 0, host_log, NULL, &log, &err) == 0);
  CHECK(wm_runtime_define_func(fx.rt, "env", "log", log, &err) == 0);
  CHECK(wm_checker_new(fx.rt, &o, &fx.chk, &err) == 0);
  CHECK(wm_instance_new(fx.rt, m, NULL, &fx.inst, &err) == 0);
  CHECK(wm_checker_attach(fx.chk, fx.inst, &err) == 0);
  call(&fx, "log_freed", 0, 0, 0, 0);
  CHECK(fx.s.n == 1 && fx.s.kind[0] == WM_CHECK_FREED_READ && fx.s.freed[0]);
  CHECK(strstr(fx.s.last_text, "at the host's log\n   by log_freed") != NULL);
  wm_runtime_free(fx.rt);
  wm_module_free(m);
}

int main(void) {
  if (system("wat2wasm --version >/dev/null 2>&1") != 0) {
    printf("wat2wasm not found: skipped\n0 passed, 0 failed\n");
    return 0;
  }
  guest = load_wat(guest_wat, true);
  if (guest) {
    test_access_errors();
    test_fused_exchange();
    test_free_errors();
    test_tail_calls();
    test_quarantine();
    test_quarantine_during_host_realloc();
    test_realloc_in_place();
    test_deferred_free_traps();
    test_start_function_allocates();
    test_out_of_host_memory();
    test_leaks();
    test_host_leak();
    test_user_allocator();
    test_convention_alloc_outside_heap();
    test_convention_unseen_blocks();
    test_suppressions();
  }
  test_api_errors();
  test_mixed_flavours();
  test_checked_host_function();
  wm_module_free(guest);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
