/* SPDX-License-Identifier: MIT */
/*
** test_pool.c -- the memory pool (wm_pool): slots reused across runtimes
** with fresh contents (a secret written by one instance is zero for the
** next, with and without pages kept resident), data segments and their
** out-of-bounds trap, growth and maxima, the fallbacks (a memory too big
** for a slot, every slot in use), budgets and the limiter (a refused
** instantiation gives its slot back), the pool outliving its handle, the
** heap checker on a pooled memory, and wm_pool_new's errors. Threads
** sharing one pool are in tests/threads/test_threads.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "wasmem.h"

#include "check.h" /* tests/unit: the assertion macros */
#include "util.h"   /* wm__alloc_fail_after */

#define PAGE 65536u

static wm_module *load_wat(const char *text, uint32_t flags) {
  size_t len = 0;
  uint8_t *b = wat_bytes(text, "", &len);
  wm_module *mod = NULL;
  wm_error err;
  wm_module_options o = {.flags = flags};
  if (b && wm_module_load(b, len, &o, &mod, &err) != 0) {
    fprintf(stderr, "wm_module_load failed: %s\n", err.message);
    nfail++;
  }
  free(b);
  return mod;
}

/* Two pages, at most four; "hello" at 16 and "world" at 70000 (page 1). */
static const char data_wat[] =
    "(module (memory (export \"memory\") 2 4)\n"
    "  (data (i32.const 16) \"hello\") (data (i32.const 70000) \"world\")\n"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
    "  (func (export \"wr\") (param i32 i32) (i32.store (local.get 0) (local.get 1))))\n";

static wm_runtime *runtime_with(wm_pool *pool, const wm_runtime_options *base) {
  wm_runtime_options o;
  if (base) o = *base;
  else memset(&o, 0, sizeof o);
  o.pool = pool;
  wm_runtime *rt = NULL;
  wm_error err;
  if (wm_runtime_new(&o, &rt, &err) != WM_OK) {
    fprintf(stderr, "wm_runtime_new: %s\n", err.message);
    nfail++;
  }
  return rt;
}

static wm_instance *instantiate(wm_runtime *rt, const wm_module *mod) {
  wm_instance *inst = NULL;
  wm_error err;
  if (!rt || !mod || wm_instance_new(rt, mod, NULL, &inst, &err) != WM_OK) {
    fprintf(stderr, "wm_instance_new: %s\n", rt && mod ? err.message : "no runtime or module");
    nfail++;
    return NULL;
  }
  return inst;
}

static int32_t call_i32(wm_runtime *rt, wm_instance *inst, const char *name, int n, int32_t a,
                        int32_t b) {
  wm_func *f = wm_instance_func(inst, name);
  wm_val args[2] = {wm_val_i32(a), wm_val_i32(b)}, res[1];
  wm_error err;
  uint32_t nres = wm_func_type(f).nresults;
  if (wm_func_call(rt, f, args, (uint32_t)n, res, nres, &err) != WM_OK) {
    fprintf(stderr, "call %s: %s\n", name, err.message);
    nfail++;
    return 0;
  }
  return nres ? res[0].of.i32 : 0;
}

/* Is memory m exactly what a fresh instance of data_wat holds? */
static bool fresh_data_memory(wm_memory *m) {
  if (wm_memory_size(m) != 2 * PAGE) return false;
  uint8_t *want = calloc(2, PAGE);
  if (!want) return false;
  memcpy(want + 16, "hello", 5);
  memcpy(want + 70000, "world", 5);
  bool same = memcmp(wm_memory_data(m), want, 2 * PAGE) == 0;
  free(want);
  return same;
}

static bool all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

static wm_pool_usage usage(wm_pool *pool) {
  wm_pool_usage u;
  wm_pool_get_usage(pool, &u);
  return u;
}

/* One instance writes a secret everywhere it can reach (grown pages too);
** the next one in the same slot sees its data and zeroes, nothing else. */
static void reuse_with(uint64_t keep) {
  wm_module *mod = load_wat(data_wat, 0);
  wm_pool_options po = {.keep_resident_bytes = keep};
  wm_pool *pool = NULL;
  wm_error err;
  CHECK(wm_pool_new(&po, &pool, &err) == WM_OK);
  uint8_t *base = NULL;
  for (int round = 0; round < 3; round++) {
    wm_runtime *rt = runtime_with(pool, NULL);
    wm_instance *inst = instantiate(rt, mod);
    if (!inst) break;
    wm_memory *m = wm_instance_default_memory(inst);
    if (round == 0) base = wm_memory_data(m);
    CHECK(wm_memory_data(m) == base); /* the same slot each time */
    CHECK(fresh_data_memory(m));
    wm_pool_usage u = usage(pool);
    CHECK(u.slots == 1 && u.in_use == 1 && u.fallbacks == 0);
    /* Growth within the declared maximum: zero pages; past it: -1. */
    CHECK(call_i32(rt, inst, "grow", 1, 2, 0) == 2);
    CHECK(wm_memory_size(m) == 4 * PAGE);
    CHECK(all_zero(wm_memory_data(m) + 2 * PAGE, 2 * PAGE));
    CHECK(call_i32(rt, inst, "grow", 1, 1, 0) == -1);
    /* The secret, in the initial pages and the grown ones. */
    memset(wm_memory_data(m), 0xA5, 4 * PAGE);
    call_i32(rt, inst, "wr", 2, 4 * PAGE - 4, 0x5EC2E7);
    wm_runtime_free(rt);
    u = usage(pool);
    CHECK(u.slots == 1 && u.in_use == 0);
  }
  wm_pool_free(pool);
  wm_module_free(mod);
}

/* pool.c's test hook: bit 0 takes every kept page for swapped out (so
** the secret's pages are dropped), bit 1 drops each run with its own
** madvise rather than one process_madvise, bit 2 asks mincore which pages
** are resident (as where /proc/self/pagemap cannot be read; every page
** not resident is dropped then) rather than the pagemap (which tells the
** pages never touched, left alone). */
extern int wm__pool_test_mode;

static void test_reuse(void) {
  for (int mode = 0; mode < 8; mode++) {
    wm__pool_test_mode = mode;
    reuse_with(0);          /* the default: the touched pages kept, memset */
    reuse_with(1);          /* none kept: every page dropped */
    reuse_with(PAGE + 4096); /* kept in part: the boundary inside page 1 */
  }
  wm__pool_test_mode = 0;
}

/* A forked child reads its own pagemap, not its parent's: that one would
** call the pages only the child touched untouched, and the child's secret
** would stay in them for its next instance. */
static void test_fork_reuse(void) {
  reuse_with(0); /* the pagemap opened in this process */
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int before = nfail;
    reuse_with(0); /* a new slot, at addresses the parent never touched */
    _exit(nfail != before);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A host-made memory takes a slot too; segments write into it in order,
** the first that does not fit traps as the spec says, and what the
** earlier ones wrote stays. The slot comes back when the runtime goes. */
static void test_data_oob(void) {
  wm_module *mod = load_wat(
      "(module (import \"env\" \"mem\" (memory 1))\n"
      "  (data (i32.const 8) \"first\") (data (i32.const 65534) \"toolong\")\n"
      "  (data (i32.const 100) \"never\"))\n",
      0);
  wm_pool *pool = NULL;
  wm_error err;
  CHECK(wm_pool_new(NULL, &pool, &err) == WM_OK);
  wm_runtime *rt = runtime_with(pool, NULL);
  wm_memory *m = NULL;
  wm_limits lim = {.min = 1, .max = 1, .has_max = true};
  CHECK(wm_memory_new(rt, lim, &m, &err) == WM_OK);
  CHECK(usage(pool).in_use == 1);
  memset(wm_memory_data(m), 0, PAGE);
  CHECK(wm_runtime_define_memory(rt, "env", "mem", m, &err) == WM_OK);
  wm_instance *inst = NULL;
  int rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_TRAP_MEMORY_OOB, "out of bounds memory access");
  CHECK(memcmp(wm_memory_data(m) + 8, "first", 5) == 0);
  CHECK(all_zero(wm_memory_data(m) + 65534, 2) && all_zero(wm_memory_data(m) + 100, 5));
  wm_runtime_free(rt);
  CHECK(usage(pool).in_use == 0);
  wm_pool_free(pool);
  wm_module_free(mod);
}

/* A memory whose maximum exceeds a slot, and one made while every slot is
** in use, are made without the pool, and work as usual. */
static void test_fallbacks(void) {
  wm_module *small = load_wat(data_wat, 0);
  wm_module *nomax = load_wat("(module (memory (export \"memory\") 1))", 0);
  wm_pool_options po = {.slot_bytes = 4 * PAGE, .max_slots = 1};
  wm_pool *pool = NULL;
  wm_error err;
  CHECK(wm_pool_new(&po, &pool, &err) == WM_OK);
  wm_runtime *a = runtime_with(pool, NULL), *b = runtime_with(pool, NULL);
  /* No declared maximum: 4 GiB, more than a 256 KiB slot. */
  wm_instance *big = instantiate(a, nomax);
  wm_pool_usage u = usage(pool);
  CHECK(u.slots == 0 && u.in_use == 0 && u.fallbacks == 1);
  CHECK(big && wm_memory_size(wm_instance_default_memory(big)) == PAGE);
  /* The same module with max_memory_pages small enough fits a slot. */
  wm_runtime_options capped = {.max_memory_pages = 4};
  wm_runtime *c = runtime_with(pool, &capped);
  instantiate(c, nomax);
  u = usage(pool);
  CHECK(u.slots == 1 && u.in_use == 1 && u.fallbacks == 1);
  /* The one slot is taken: the next memory falls back, fresh as ever. */
  wm_instance *inst = instantiate(b, small);
  u = usage(pool);
  CHECK(u.in_use == 1 && u.fallbacks == 2);
  CHECK(inst && fresh_data_memory(wm_instance_default_memory(inst)));
  wm_runtime_free(c);
  CHECK(usage(pool).in_use == 0);
  wm_runtime_free(a);
  wm_runtime_free(b);
  wm_pool_free(pool);
  wm_module_free(small);
  wm_module_free(nomax);
}

static bool refuse(void *data, uint64_t cur, uint64_t want, uint64_t max) {
  (void)data, (void)cur, (void)want, (void)max;
  return false;
}

/* Budgets and the limiter are the runtime's, pool or not; an
** instantiation they refuse, or one that runs out of host memory after
** its memory took a slot, leaves the pool as it was. */
static void test_budgets(void) {
  wm_module *mod = load_wat(data_wat, 0);
  wm_module *glob = load_wat("(module (memory 1 1) (global i32 (i32.const 7)))", 0);
  wm_pool *pool = NULL;
  wm_error err;
  CHECK(wm_pool_new(NULL, &pool, &err) == WM_OK);
  /* 3 pages in all: the instance (2) fits, growing by 2 does not. */
  wm_runtime_options o = {.max_memory_bytes = 3 * PAGE};
  wm_runtime *rt = runtime_with(pool, &o);
  wm_instance *inst = instantiate(rt, mod);
  CHECK(call_i32(rt, inst, "grow", 1, 2, 0) == -1);
  CHECK(call_i32(rt, inst, "grow", 1, 1, 0) == 2);
  /* A second instance would pass the budget: refused, nothing taken. */
  wm_instance *again = NULL;
  int rc = wm_instance_new(rt, mod, NULL, &again, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "max_memory_bytes");
  CHECK(usage(pool).in_use == 1);
  wm_runtime_free(rt);

  wm_runtime_options l = {.memory_growing = refuse};
  rt = runtime_with(pool, &l);
  rc = wm_instance_new(rt, mod, NULL, &again, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "memory_growing");
  CHECK(usage(pool).in_use == 0);
  wm_runtime_free(rt);

  /* Every allocation of an instantiation failing in turn: the globals come
  ** after the memory, whose slot must then go back. */
  rt = runtime_with(pool, NULL);
  rc = WM_ENOMEM;
  for (long n = 0; n < 100 && rc == WM_ENOMEM && glob; n++) {
    wm__alloc_fail_after(n);
    rc = wm_instance_new(rt, glob, NULL, &again, &err);
    wm__alloc_fail_after(-1);
    CHECK(usage(pool).in_use == (rc == WM_OK ? 1u : 0u));
  }
  CHECK(rc == WM_OK);
  wm_runtime_free(rt);
  wm_pool_free(pool);
  wm_module_free(mod);
  wm_module_free(glob);
}

/* Freeing the pool's handle first is allowed: the runtimes keep it. */
static void test_lifetime(void) {
  wm_module *mod = load_wat(data_wat, 0);
  wm_pool *pool = NULL;
  wm_error err;
  CHECK(wm_pool_new(NULL, &pool, &err) == WM_OK);
  wm_runtime *a = runtime_with(pool, NULL), *b = runtime_with(pool, NULL);
  wm_pool_free(pool);
  wm_instance *ia = instantiate(a, mod);
  wm_runtime_free(a);
  wm_instance *ib = instantiate(b, mod); /* in the slot a gave back */
  CHECK(ia && ib && fresh_data_memory(wm_instance_default_memory(ib)));
  wm_runtime_free(b); /* the last reference: the slots are unmapped */
  wm_pool_free(NULL);
  wm_pool_get_usage(NULL, NULL);
  wm_pool_usage u = {.slots = 9};
  wm_pool_get_usage(NULL, &u);
  CHECK(u.slots == 0 && u.in_use == 0 && u.fallbacks == 0);
  wm_module_free(mod);
}

static void ignore_report(const wm_check_report *r, void *data) { (void)r, (void)data; }

/* The heap checker's shadow covers a pooled memory like any other. */
static void test_checker(void) {
  wm_module *mod = load_wat(
      "(module (memory (export \"memory\") 1 2)\n"
      "  (global (export \"__heap_base\") i32 (i32.const 4096))\n"
      "  (global $top (mut i32) (i32.const 4096))\n"
      "  (func $malloc (export \"malloc\") (param $n i32) (result i32) (local $p i32)\n"
      "    (local.set $p (global.get $top))\n"
      "    (global.set $top (i32.add (local.get $p) (i32.const 32))) (local.get $p))\n"
      "  (func (export \"free\") (param i32))\n"
      "  (func (export \"rd\") (param i32) (result i32) (i32.load (local.get 0))))\n",
      WM_MODULE_CHECKED);
  wm_pool *pool = NULL;
  wm_error err;
  CHECK(wm_pool_new(NULL, &pool, &err) == WM_OK);
  for (int round = 0; round < 2 && mod; round++) {
    wm_runtime *rt = runtime_with(pool, NULL);
    wm_checker *chk = NULL;
    wm_check_options co = {.on_report = ignore_report};
    CHECK(wm_checker_new(rt, &co, &chk, &err) == WM_OK);
    wm_instance *inst = instantiate(rt, mod);
    CHECK(usage(pool).in_use == 1);
    int32_t p = call_i32(rt, inst, "malloc", 1, 8, 0);
    CHECK(p == 4096);
    call_i32(rt, inst, "rd", 1, p, 0);     /* inside the block */
    call_i32(rt, inst, "rd", 1, p + 8, 0); /* 0 bytes after it */
    wm_check_summary s;
    CHECK(wm_checker_finish(chk, WM_LEAK_CHECK_NO, &s, &err) == WM_OK);
    CHECK(s.errors == 1);
    wm_runtime_free(rt);
  }
  wm_pool_free(pool);
  wm_module_free(mod);
}

static void test_errors(void) {
  wm_pool *pool = (wm_pool *)&pool;
  wm_error err;
  int rc = wm_pool_new(NULL, NULL, &err);
  CHECK_ERR(rc, err, WM_EINVAL, "out is NULL");
  wm_pool_options odd = {.slot_bytes = PAGE + 1};
  rc = wm_pool_new(&odd, &pool, &err);
  CHECK_ERR(rc, err, WM_EINVAL, "slot_bytes");
  CHECK(pool == NULL);
  wm_pool_options huge = {.slot_bytes = (uint64_t)65537 * PAGE};
  rc = wm_pool_new(&huge, &pool, &err);
  CHECK_ERR(rc, err, WM_EINVAL, "slot_bytes");
  for (long n = 0; n < 3; n++) { /* each allocation of wm_pool_new */
    wm__alloc_fail_after(n);
    rc = wm_pool_new(NULL, &pool, &err);
    wm__alloc_fail_after(-1);
    CHECK_ERR(rc, err, WM_ENOMEM, "out of host memory");
    CHECK(pool == NULL);
  }
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WM_NO_RLIMIT_AS 1 /* the sanitizers' shadow needs the address space */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WM_NO_RLIMIT_AS 1
#endif
#endif

#ifndef WM_NO_RLIMIT_AS
/* In a child whose address space is limited to what it has plus 512 MiB:
** a 4 GiB slot cannot be reserved. 0 when that is a clean WM_ENOMEM, the
** slot stays free for the next taker and a small slot works. */
static int child_no_address_space(void) {
  unsigned long pages = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%lu", &pages) != 1) return 2;
  fclose(f);
  wm_pool *pool = NULL, *small = NULL;
  wm_pool_options one = {.max_slots = 1}, tiny = {.slot_bytes = 4 * PAGE};
  wm_error err;
  if (wm_pool_new(&one, &pool, &err) || wm_pool_new(&tiny, &small, &err)) return 3;
  wm_runtime *rt = runtime_with(pool, NULL), *rs = runtime_with(small, NULL);
  struct rlimit rl = {.rlim_cur = pages * 4096 + ((rlim_t)512 << 20)};
  rl.rlim_max = rl.rlim_cur;
  if (!rt || !rs || setrlimit(RLIMIT_AS, &rl) != 0) return 4;
  wm_limits lim = {.min = 1};
  wm_memory *m = NULL;
  int rc = wm_memory_new(rt, lim, &m, &err);
  if (rc != WM_ENOMEM || !strstr(err.message, "pool slot")) return 5;
  wm_pool_usage u = usage(pool);
  if (u.slots != 1 || u.in_use != 0) return 6;
  wm_runtime_usage ru;
  wm_runtime_get_usage(rt, &ru);
  if (ru.memories != 0 || ru.memory_bytes != 0) return 7;
  lim.max = 4;
  lim.has_max = true;
  if (wm_memory_new(rs, lim, &m, &err) != WM_OK || usage(small).in_use != 1) return 8;
  wm_runtime_free(rt);
  wm_runtime_free(rs);
  wm_pool_free(pool);
  wm_pool_free(small);
  return 0;
}
#endif

static void test_no_address_space(void) {
#ifndef WM_NO_RLIMIT_AS
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) _exit(child_no_address_space());
  int st = 0;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
#endif
}

int main(void) {
  test_errors();
  test_no_address_space();
  if (system("wat2wasm --version >/dev/null 2>&1") == 0) {
    test_reuse();
    test_fork_reuse();
    test_data_oob();
    test_fallbacks();
    test_budgets();
    test_lifetime();
    test_checker();
  } else {
    fprintf(stderr, "wat2wasm not found: skipping the module tests\n");
  }
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
