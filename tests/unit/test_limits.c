/* SPDX-License-Identifier: MIT */
/*
** test_limits.c -- the runtime's budgets and the loader's bounds: the table
** bomb, counts of instances, memories and tables, the memory and code
** budgets across instances, the embedder's growth callbacks (allowing,
** refusing, refusing at instantiation), failed instantiations that leave
** nothing behind, and load-time limits on lowered code, locals and type
** arity, with the host memory and time that hostile modules cost (measured
** in child processes). Small modules come from wat2wasm; the big ones are
** written here byte by byte, as tests/limits/gen_bombs.py writes them for
** measuring.
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime.h"

#include "check.h"

#define PAGE 65536u

/* Peak-memory bounds are looser under AddressSanitizer, whose allocator
** keeps freed blocks in quarantine and never reallocates in place. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_SLACK 2
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_SLACK 2
#endif
#endif
#ifndef RSS_SLACK
#define RSS_SLACK 1
#endif

/* ------------------------------------------------------------ modules */

static bool have_wat2wasm;

/* The binary of wat text (from wat2wasm), malloc'd; NULL on failure. */
static uint8_t *wat(const char *text, size_t *len) { return wat_bytes(text, "", len); }

static wm_module *load_wat_flags(const char *text, uint32_t flags) {
  size_t len = 0;
  uint8_t *b = wat(text, &len);
  wm_module *mod = NULL;
  wm_error err;
  wm_module_options mo = {.flags = flags};
  if (b && wm_module_load(b, len, &mo, &mod, &err) != 0) {
    fprintf(stderr, "wm_module_load failed: %s\n", err.message);
    nfail++;
  }
  free(b);
  return mod;
}

static wm_module *load_wat(const char *text) { return load_wat_flags(text, 0); }

/* A growable byte buffer for modules written by hand. */
typedef struct buf {
  uint8_t *p;
  size_t n, cap;
} buf;

static void put(buf *b, const void *src, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
}

static void byte(buf *b, uint8_t v) { put(b, &v, 1); }

static void leb(buf *b, uint64_t v) {
  do {
    uint8_t x = v & 0x7F;
    v >>= 7;
    byte(b, (uint8_t)(x | (v ? 0x80 : 0)));
  } while (v);
}

static void bytes_n(buf *b, uint8_t v, size_t n) {
  for (size_t i = 0; i < n; i++) byte(b, v);
}

/* Append section `id` holding the bytes of s (freed). */
static void section(buf *m, uint8_t id, buf *s) {
  byte(m, id);
  leb(m, s->n);
  put(m, s->p, s->n);
  free(s->p);
  memset(s, 0, sizeof *s);
}

static void header(buf *m) { put(m, "\0asm\1\0\0\0", 8); }

/* Type section: () -> () and, when m > 0, () -> (i32 x m). */
static void types(buf *m, uint32_t nres) {
  buf s = {0};
  leb(&s, nres ? 2 : 1);
  put(&s, "\x60\x00\x00", 3);
  if (nres) {
    put(&s, "\x60\x00", 2);
    leb(&s, nres);
    bytes_n(&s, 0x7F, nres);
  }
  section(m, 1, &s);
}

/* Function section of n functions of type 0, and a code section of n
** copies of the body `code` (locals declaration included). */
static void funcs(buf *m, uint32_t n, const buf *code) {
  buf s = {0};
  leb(&s, n);
  bytes_n(&s, 0, n);
  section(m, 3, &s);
  leb(&s, n);
  for (uint32_t i = 0; i < n; i++) {
    leb(&s, code->n);
    put(&s, code->p, code->n);
  }
  section(m, 10, &s);
}

static int load(const buf *m, const wm_module_options *o, wm_module **mod, wm_error *err) {
  return wm_module_load(m->p, m->n, o, mod, err);
}

/* ------------------------------------------------- child processes */

/*
** Run fn in a child process, with a time limit; returns its exit status
** (fn's result), or -1 if it was killed (by the alarm, or a crash). *kb
** receives the child's peak resident memory above what it had at the fork.
*/
static int in_child(int (*fn)(void *), void *arg, unsigned seconds, long *kb) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long before = ru.ru_maxrss;
    alarm(seconds);
    int rc = fn(arg);
    getrusage(RUSAGE_SELF, &ru);
    FILE *f = fopen(arg ? ((const char **)arg)[0] : "/dev/null", "w");
    if (f) {
      fprintf(f, "%ld\n", ru.ru_maxrss - before);
      fclose(f);
    }
    _exit(rc);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  *kb = -1;
  if (arg) {
    FILE *f = fopen(((const char **)arg)[0], "r");
    if (f) {
      if (fscanf(f, "%ld", kb) != 1) *kb = -1;
      fclose(f);
    }
    remove(((const char **)arg)[0]);
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A module for in_child: [0] the file the child writes its peak to, [1]
** the module (a buf*), [2] where to expect (NULL: loads; else the text
** the WM_ELIMIT message must hold). */
static int child_load(void *arg) {
  const void **a = arg;
  const buf *m = a[1];
  const char *want = a[2];
  wm_module *mod = NULL;
  wm_error err;
  /* Lowered at load: the bombs aim at the lowering's bounds too. */
  wm_module_options eager = {.flags = WM_MODULE_EAGER};
  int rc = load(m, &eager, &mod, &err);
  wm_module_free(mod);
  if (!want) return rc == 0 ? 0 : (fprintf(stderr, "load: %s\n", err.message), 1);
  if (rc == WM_ELIMIT && strstr(err.message, want)) return 0;
  fprintf(stderr, "load: rc %d: %s\n", rc, err.message);
  return 1;
}

static int load_in_child(const buf *m, const char *want, unsigned seconds, long *kb) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/wm_test_limits_%d.rss", (int)getpid());
  const void *a[3] = {path, m, want};
  return in_child(child_load, (void *)a, seconds, kb);
}

/* ------------------------------------------------------------ defaults */

static void test_defaults(void) {
  wm_runtime *rt = NULL;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  if (!rt) return;
  CHECK(rt->opts.max_memory_bytes == (uint64_t)8 << 30);
  CHECK(rt->opts.max_table_elems_total == 16000000);
  CHECK(rt->opts.max_instances == 10000);
  CHECK(rt->opts.max_memories == 1000);
  CHECK(rt->opts.max_tables == 10000);
  CHECK(rt->opts.max_code_bytes == (uint64_t)1 << 30);
  wm_runtime_usage u;
  memset(&u, 0xFF, sizeof u);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.memory_bytes == 0 && u.table_elems == 0 && u.code_bytes == 0);
  CHECK(u.instances == 0 && u.memories == 0 && u.tables == 0);
  memset(&u, 0xFF, sizeof u);
  wm_runtime_get_usage(NULL, &u);
  CHECK(u.memory_bytes == 0 && u.instances == 0);
  wm_runtime_get_usage(rt, NULL); /* harmless */
  wm_runtime_free(rt);
}

/* ---------------------------------------------------------- table bomb */

/* The finding: 40 tables, each grown by 10M elements; f returns how many
** grows succeeded. */
static char *table_bomb_wat(void) {
  size_t cap = 40 * 200 + 200;
  char *s = malloc(cap);
  size_t n = (size_t)snprintf(s, cap, "(module");
  for (int i = 0; i < 40; i++) n += (size_t)snprintf(s + n, cap - n, " (table $t%d 0 funcref)", i);
  n += (size_t)snprintf(s + n, cap - n, " (func (export \"f\") (param i32) (result i32) (local i32)");
  for (int i = 0; i < 40; i++)
    n += (size_t)snprintf(s + n, cap - n,
                          " (local.set 1 (i32.add (local.get 1) (i32.ne (i32.const -1)"
                          " (table.grow $t%d (ref.null func) (local.get 0)))))",
                          i);
  snprintf(s + n, cap - n, " (local.get 1)))");
  return s;
}

static int child_table_bomb(void *arg) {
  const void **a = arg;
  const wm_module *mod = a[1];
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_val x = wm_val_i32(10000000), r;
  if (wm_runtime_new(NULL, &rt, NULL) || wm_instance_new(rt, mod, NULL, &inst, NULL)) return 2;
  if (wm_func_call(rt, wm_instance_func(inst, "f"), &x, 1, &r, 1, NULL) != 0) return 3;
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  wm_runtime_free(rt);
  /* One table reaches the per-table cap; the budget refuses the rest. */
  return r.of.i32 == 1 && u.table_elems == 10000000 ? 0 : 4;
}

/* A table section of n tables of minimum `min` elements. */
static void table_section(buf *m, uint32_t n, uint32_t min) {
  buf s = {0};
  leb(&s, n);
  for (uint32_t i = 0; i < n; i++) {
    put(&s, "\x70\x00", 2);
    leb(&s, min);
  }
  section(m, 4, &s);
}

static void test_table_bomb(void) {
  char *text = table_bomb_wat();
  wm_module *mod = load_wat(text);
  free(text);
  if (!mod) return;
  /* The host holds one table of 10M elements (80 MB), not 40 (3.2 GB). */
  char path[64];
  snprintf(path, sizeof path, "/tmp/wm_test_limits_%d.rss", (int)getpid());
  const void *a[2] = {path, mod};
  long kb;
  CHECK(in_child(child_table_bomb, (void *)a, 60, &kb) == 0);
  printf("table bomb: peak %ld KB above the start\n", kb);
  CHECK(kb >= 0 && kb < 200 * 1024 * RSS_SLACK);

  /* A small budget: growth past it returns -1 and then succeeds again
  ** within it. */
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_table_elems_total = 100;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == WM_OK);
  wm_val x = wm_val_i32(60), r;
  wm_func *f = inst ? wm_instance_func(inst, "f") : NULL;
  CHECK(f && wm_func_call(rt, f, &x, 1, &r, 1, &err) == 0 && r.of.i32 == 1);
  x = wm_val_i32(40);
  CHECK(f && wm_func_call(rt, f, &x, 1, &r, 1, &err) == 0 && r.of.i32 == 1);
  x = wm_val_i32(1);
  CHECK(f && wm_func_call(rt, f, &x, 1, &r, 1, &err) == 0 && r.of.i32 == 0);
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  CHECK(u.table_elems == 100 && u.tables == 40);
  /* The host's own tables count too. */
  wm_table *t = NULL;
  wm_limits one = {1, 0, false, false, false};
  int rc = wm_table_new(rt, WM_FUNCREF, one, NULL, &t, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "max_table_elems_total");
  wm_limits none = {0, 0, false, false, false};
  CHECK(wm_table_new(rt, WM_FUNCREF, none, NULL, &t, &err) == WM_OK);
  CHECK(wm__table_grow(t, 1, NULL) == -1 && wm__table_grow(t, 0, NULL) == 0);
  wm_runtime_free(rt);
  wm_module_free(mod);

  /* 70,000 tables of minimum 10M: refused at instantiation, nothing made. */
  buf m = {0};
  header(&m);
  table_section(&m, 70000, 10000000);
  CHECK(load(&m, NULL, &mod, &err) == WM_OK);
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "wm_runtime_options.max_tables");
  wm_runtime_get_usage(rt, &u);
  CHECK(u.tables == 0 && u.instances == 0 && u.table_elems == 0);
  wm_module_free(mod);
  free(m.p);
  /* Two of them pass the elements' budget. */
  memset(&m, 0, sizeof m);
  header(&m);
  table_section(&m, 2, 10000000);
  CHECK(load(&m, NULL, &mod, &err) == WM_OK);
  rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "wm_runtime_options.max_table_elems_total");
  CHECK(strstr(err.message, "20000000 more table elements") != NULL);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.tables == 0 && u.instances == 0);
  wm_runtime_free(rt);
  wm_module_free(mod);
  free(m.p);
}

/* ------------------------------------------------------------- counts */

static void test_counts(void) {
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_instances = 2;
  o.max_memories = 1;
  o.max_tables = 1;
  wm_runtime *rt = NULL;
  wm_error err;
  wm_instance *inst = NULL;
  wm_module *empty = load_wat("(module)");
  wm_module *withmem = load_wat("(module (memory 1))");
  wm_module *withtab = load_wat("(module (table 1 funcref))");
  if (!empty || !withmem || !withtab) goto out;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, empty, NULL, &inst, &err) == WM_OK);
  CHECK(wm_instance_new(rt, empty, NULL, &inst, &err) == WM_OK);
  int rc = wm_instance_new(rt, empty, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "max_instances");
  CHECK(inst == NULL);
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  CHECK(u.instances == 2);
  wm_runtime_free(rt);

  /* Memories and tables, made by the host or by instantiation. */
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  wm_memory *m = NULL;
  wm_table *t = NULL;
  wm_limits one = {1, 0, false, false, false};
  CHECK(wm_memory_new(rt, one, &m, &err) == WM_OK);
  rc = wm_memory_new(rt, one, &m, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "max_memories");
  rc = wm_instance_new(rt, withmem, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "max_memories");
  CHECK(wm_table_new(rt, WM_FUNCREF, one, NULL, &t, &err) == WM_OK);
  rc = wm_table_new(rt, WM_FUNCREF, one, NULL, &t, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "max_tables");
  rc = wm_instance_new(rt, withtab, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "max_tables");
  wm_runtime_get_usage(rt, &u);
  CHECK(u.instances == 0 && u.memories == 1 && u.tables == 1);
  CHECK(u.memory_bytes == PAGE && u.table_elems == 1);
  wm_runtime_free(rt);
out:
  wm_module_free(empty);
  wm_module_free(withmem);
  wm_module_free(withtab);
}

/* ------------------------------------------------------ memory budget */

static const char *grow_wat =
    "(module (memory (export \"m\") 4)"
    " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))";

static int32_t call_grow(wm_runtime *rt, wm_instance *inst, int32_t pages) {
  wm_val a = wm_val_i32(pages), r;
  r.of.i32 = -2;
  wm_func *f = wm_instance_func(inst, "grow");
  if (!f || wm_func_call(rt, f, &a, 1, &r, 1, NULL) != 0) return -2;
  return r.of.i32;
}

static void test_memory_budget(void) {
  wm_module *mod = load_wat(grow_wat);
  if (!mod) return;
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_memory_bytes = 10 * PAGE;
  wm_runtime *rt = NULL;
  wm_error err;
  wm_instance *i1 = NULL, *i2 = NULL, *i3 = NULL;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, mod, NULL, &i1, &err) == WM_OK);
  CHECK(wm_instance_new(rt, mod, NULL, &i2, &err) == WM_OK);
  int rc = wm_instance_new(rt, mod, NULL, &i3, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "max_memory_bytes");
  CHECK(strstr(err.message, "262144 more bytes of memory would pass the budget of 655360") != NULL);
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  CHECK(u.memory_bytes == 8 * PAGE && u.instances == 2 && u.memories == 2);
  if (!i1 || !i2) goto out;
  /* The budget is shared: i1 takes the last two pages, then nobody grows. */
  CHECK(call_grow(rt, i1, 3) == -1);
  CHECK(call_grow(rt, i1, 2) == 4);
  CHECK(call_grow(rt, i2, 1) == -1);
  CHECK(call_grow(rt, i1, 1) == -1);
  CHECK(call_grow(rt, i2, 0) == 4);
  wm_memory *m = wm_instance_memory(i2, "m");
  rc = wm_memory_grow(m, 1, NULL, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "memory budget (wm_runtime_options.max_memory_bytes) has 0 bytes left");
  /* No memory reserves more address space than the budget. */
  CHECK(m->reserved <= 10 * PAGE && m->max_pages == 10);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.memory_bytes == 10 * PAGE);
  /* Objects live until the runtime is freed; a new runtime starts afresh. */
  wm_runtime_free(rt);
  rt = NULL;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, mod, NULL, &i1, &err) == WM_OK);
  CHECK(i1 && call_grow(rt, i1, 6) == 4);
out:
  wm_runtime_free(rt);
  wm_module_free(mod);
}

/* ------------------------------------------------------------ limiter */

typedef struct lim {
  int mem_calls, tab_calls;
  uint64_t mem_max_ok, tab_max_ok; /* the most `desired` allowed */
  uint64_t cur, want, max;         /* the last call's arguments */
} lim;

static bool mem_cb(void *data, uint64_t current, uint64_t desired, uint64_t maximum) {
  lim *l = data;
  l->mem_calls++;
  l->cur = current, l->want = desired, l->max = maximum;
  return desired <= l->mem_max_ok;
}

static bool tab_cb(void *data, uint64_t current, uint64_t desired, uint64_t maximum) {
  lim *l = data;
  l->tab_calls++;
  l->cur = current, l->want = desired, l->max = maximum;
  return desired <= l->tab_max_ok;
}

static void test_limiter(void) {
  wm_module *mod = load_wat(
      "(module (memory (export \"m\") 1 5) (table $t 1 10 funcref)"
      " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
      " (func (export \"tgrow\") (param i32) (result i32)"
      "   (table.grow $t (ref.null func) (local.get 0))))");
  wm_module *tabonly = load_wat("(module (table 2 funcref))");
  if (!mod || !tabonly) goto done;
  lim l = {0, 0, 3 * PAGE, 3, 0, 0, 0};
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.memory_growing = mem_cb;
  o.table_growing = tab_cb;
  o.limiter_data = &l;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, mod, NULL, &inst, &err) == WM_OK);
  /* Asked when each object was made: current 0, desired its minimum. */
  CHECK(l.mem_calls == 1 && l.tab_calls == 1);
  CHECK(l.cur == 0 && l.want == PAGE && l.max == 5 * PAGE); /* the memory, made last */
  if (!inst) goto out;
  CHECK(call_grow(rt, inst, 1) == 1);
  CHECK(l.mem_calls == 2 && l.cur == PAGE && l.want == 2 * PAGE && l.max == 5 * PAGE);
  CHECK(call_grow(rt, inst, 2) == -1); /* 4 pages: refused */
  CHECK(l.mem_calls == 3);
  CHECK(call_grow(rt, inst, 0) == 2 && l.mem_calls == 3); /* no growth, no question */
  CHECK(call_grow(rt, inst, 4) == -1 && l.mem_calls == 3); /* past the maximum: not asked */
  wm_memory *m = wm_instance_memory(inst, "m");
  int rc = wm_memory_grow(m, 2, NULL, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "refused by the embedder's limiter");
  CHECK(wm_memory_pages(m) == 2);
  l.mem_max_ok = 4 * PAGE; /* the embedder changes its mind */
  CHECK(wm_memory_grow(m, 2, NULL, &err) == WM_OK && wm_memory_pages(m) == 4);

  wm_val a = wm_val_i32(2), r;
  wm_func *tg = wm_instance_func(inst, "tgrow");
  CHECK(wm_func_call(rt, tg, &a, 1, &r, 1, &err) == 0 && r.of.i32 == 1);
  CHECK(l.tab_calls == 2 && l.cur == 1 && l.want == 3 && l.max == 10);
  a = wm_val_i32(1);
  CHECK(wm_func_call(rt, tg, &a, 1, &r, 1, &err) == 0 && r.of.i32 == -1);
  a = wm_val_i32(0);
  CHECK(wm_func_call(rt, tg, &a, 1, &r, 1, &err) == 0 && r.of.i32 == 3 && l.tab_calls == 3);

  /* Refused when made: instantiation fails with WM_ELIMIT. The table was
  ** made before the memory was refused; it is undone with the instance. */
  l.mem_max_ok = 0;
  inst = NULL;
  rc = wm_instance_new(rt, mod, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "a memory of 65536 bytes refused by the embedder's limiter");
  CHECK(strstr(err.message, "memory_growing") != NULL && inst == NULL);
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  CHECK(u.instances == 1 && u.tables == 1 && u.memories == 1);
  l.tab_max_ok = 1;
  rc = wm_instance_new(rt, tabonly, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "a table of 2 elements refused by the embedder's limiter");
  CHECK(strstr(err.message, "table_growing") != NULL);
  wm_memory *hm = NULL;
  wm_limits one = {1, 0, false, false, false};
  rc = wm_memory_new(rt, one, &hm, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "memory_growing");
  wm_limits zero = {0, 0, false, false, false};
  CHECK(wm_memory_new(rt, zero, &hm, &err) == WM_OK); /* 0 bytes: allowed */
  /* The runtime stays usable, and allowing again works. */
  l.tab_max_ok = 10;
  CHECK(wm_instance_new(rt, tabonly, NULL, &inst, &err) == WM_OK);
out:
  wm_runtime_free(rt);
done:
  wm_module_free(mod);
  wm_module_free(tabonly);
}

/* ------------------------------------------------ failed instantiation */

static bool same_usage(const wm_runtime *rt, const wm_runtime_usage *want) {
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  return memcmp(&u, want, sizeof u) == 0;
}

/* Instantiating mod fails n times with WM_ELIMIT and `text`, leaving the
** usage as *want every time. */
static void fails_cleanly(wm_runtime *rt, const wm_module *mod, int n, const char *text,
                          const wm_runtime_usage *want) {
  for (int i = 0; i < n; i++) {
    wm_instance *inst = NULL;
    wm_error err;
    int rc = wm_instance_new(rt, mod, NULL, &inst, &err);
    CHECK_ERR(rc, err, WM_ELIMIT, text);
    CHECK(inst == NULL && same_usage(rt, want));
  }
}

/*
** An instantiation that fails before any segment is applied or guest code
** runs -- a table's or memory's cap, the limiter's refusal, out of host
** memory -- leaves nothing behind: no instance, memory or table is counted,
** so repeated failures cannot use up the budgets. A trap in the start
** function keeps the partly made instance, as documented.
*/
static void test_failed_instantiation(void) {
  wm_module *big = load_wat("(module (table 10 funcref))");
  wm_module *fits5 = load_wat("(module (table 5 funcref))");
  wm_module *both = load_wat("(module (memory 1) (table 10 funcref) (global i32 (i32.const 1)))");
  wm_module *bigmem = load_wat("(module (table 1 funcref) (memory 3))");
  wm_module *traps = load_wat("(module (memory 1) (func $s unreachable) (start $s))");
  wm_runtime *rt = NULL;
  if (!big || !fits5 || !both || !bigmem || !traps) goto done;
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_table_elems = 5;
  o.max_instances = 3;
  wm_instance *inst = NULL;
  wm_error err;
  wm_runtime_usage u0;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  wm_runtime_get_usage(rt, &u0);
  fails_cleanly(rt, big, 5, "minimum of 10 elements exceeds the limit of 5 elements", &u0);
  for (int i = 0; i < 3; i++) CHECK(wm_instance_new(rt, fits5, NULL, &inst, &err) == WM_OK);
  wm_runtime_free(rt);

  /* The limiter refuses the memory after the table was made. */
  lim l = {0, 0, 0, 100, 0, 0, 0};
  memset(&o, 0, sizeof o);
  o.memory_growing = mem_cb;
  o.table_growing = tab_cb;
  o.limiter_data = &l;
  o.max_instances = 3;
  o.max_memory_pages = 2;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  wm_runtime_get_usage(rt, &u0);
  fails_cleanly(rt, both, 5, "a memory of 65536 bytes refused by the embedder's limiter", &u0);
  CHECK(l.tab_calls == 5 && l.mem_calls == 5);
  /* A memory past max_memory_pages is refused before the table is made,
  ** so the limiter is not asked about either. */
  fails_cleanly(rt, bigmem, 1, "minimum of 3 pages exceeds the limit of 2 pages", &u0);
  CHECK(l.tab_calls == 5 && l.mem_calls == 5);
  l.mem_max_ok = PAGE;
  for (int i = 0; i < 3; i++) CHECK(wm_instance_new(rt, both, NULL, &inst, &err) == WM_OK);
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  CHECK(u.instances == 3 && u.memories == 3 && u.tables == 3 && u.table_elems == 30);
  wm_runtime_free(rt);

  /* Out of host memory at every allocation in turn. */
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  wm_runtime_get_usage(rt, &u0);
  int rc = WM_ENOMEM;
  for (long n = 0; n < 1000; n++) {
    wm__alloc_fail_after(n);
    rc = wm_instance_new(rt, both, NULL, &inst, &err);
    wm__alloc_fail_after(-1);
    if (rc == WM_OK) break;
    CHECK(rc == WM_ENOMEM && same_usage(rt, &u0));
  }
  CHECK(rc == WM_OK);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.instances == 1 && u.memories == 1 && u.tables == 1);

  /* A trap in the start function: the instance and its memory stay. */
  rc = wm_instance_new(rt, traps, NULL, &inst, &err);
  CHECK(rc == WM_TRAP_UNREACHABLE && inst == NULL);
  wm_runtime_get_usage(rt, &u);
  CHECK(u.instances == 2 && u.memories == 2);
done:
  wm_runtime_free(rt);
  wm_module_free(big);
  wm_module_free(fits5);
  wm_module_free(both);
  wm_module_free(bigmem);
  wm_module_free(traps);
}

/* --------------------------------------------------------- code budget */

/* Modules lowered at load are charged whole when instantiated. */
static void test_code_budget(void) {
  wm_module *a = load_wat_flags(grow_wat, WM_MODULE_EAGER);
  wm_module *b = load_wat_flags("(module (func (export \"f\") (result i32) (i32.const 7)))",
                                WM_MODULE_EAGER);
  if (!a || !b) goto done;
  uint64_t ca = wm_module_code_bytes(a), cb = wm_module_code_bytes(b);
  CHECK(ca > 0 && cb > 0 && wm_module_code_bytes(NULL) == 0);
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_code_bytes = ca;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, a, NULL, &inst, &err) == WM_OK);
  CHECK(wm_instance_new(rt, a, NULL, &inst, &err) == WM_OK); /* counted once */
  wm_runtime_usage u;
  wm_runtime_get_usage(rt, &u);
  CHECK(u.code_bytes == ca && u.instances == 2);
  int rc = wm_instance_new(rt, b, NULL, &inst, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "bytes of lowered code would pass the budget");
  CHECK(strstr(err.message, "max_code_bytes") != NULL);
  wm_runtime_free(rt);
done:
  wm_module_free(a);
  wm_module_free(b);
}

static int call_i32(wm_runtime *rt, wm_instance *inst, const char *name, wm_error *err) {
  wm_val r;
  return wm_func_call(rt, wm_instance_func(inst, name), NULL, 0, &r, 1, err);
}

/* Lazily lowered code is charged to the runtime whose call lowers it; once
** the runtime's charges reach the budget, lowering more fails. */
static void test_code_budget_lazy(void) {
  wm_module *m = load_wat("(module (func (export \"f\") (result i32) (i32.const 7))"
                          " (func (export \"g\") (result i32) (i32.const 8)))");
  if (!m) return;
  CHECK(wm_module_code_bytes(m) == 0);
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.max_code_bytes = 1;
  wm_runtime *rt = NULL, *rt2 = NULL;
  wm_instance *inst = NULL, *inst2 = NULL;
  wm_error err;
  wm_runtime_usage u;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, m, NULL, &inst, &err) == WM_OK);
  CHECK(call_i32(rt, inst, "f", &err) == WM_OK);
  uint64_t cf = wm_module_code_bytes(m);
  wm_runtime_get_usage(rt, &u);
  CHECK(cf > 0 && u.code_bytes == cf);
  CHECK(call_i32(rt, inst, "f", &err) == WM_OK); /* lowered once */
  int rc = call_i32(rt, inst, "g", &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "lowering func 1: runtime limit exceeded");
  CHECK(strstr(err.message, "max_code_bytes") != NULL && strstr(err.message, "at g (func 1)"));
  CHECK(wm_module_code_bytes(m) == cf);
  /* Another runtime is charged what is lowered when it instantiates, then
  ** what its own calls lower; code lowered already costs its calls
  ** nothing more. */
  CHECK(wm_runtime_new(NULL, &rt2, NULL) == WM_OK);
  CHECK(wm_instance_new(rt2, m, NULL, &inst2, &err) == WM_OK);
  CHECK(call_i32(rt2, inst2, "g", &err) == WM_OK && call_i32(rt2, inst2, "f", &err) == WM_OK);
  wm_runtime_get_usage(rt2, &u);
  CHECK(wm_module_code_bytes(m) > cf && u.code_bytes == wm_module_code_bytes(m));
  /* And the first runtime still cannot lower, but may run what the second
  ** lowered. */
  CHECK(call_i32(rt, inst, "g", &err) == WM_OK);
  wm_runtime_free(rt);
  wm_runtime_free(rt2);
  wm_module_free(m);
}

/* A first call enters a stub frame of the parameters alone; the real frame,
** known once the body is lowered, must fit the stack too. */
static void test_lazy_frame(void) {
  wm_module *m = load_wat("(module (func (export \"f\") (result i32)"
                          " (local i64 i64 i64 i64 i64 i64 i64 i64) (local i64 i64 i64 i64)"
                          " (local i64 i64 i64 i64 i64 i64 i64 i64) (local i64 i64 i64 i64)"
                          " (local i64 i64 i64 i64 i64 i64 i64 i64) (local i64 i64 i64 i64)"
                          " (i32.const 7)))");
  if (!m) return;
  wm_runtime_options o;
  memset(&o, 0, sizeof o);
  o.stack_bytes = 16 * sizeof(uint64_t); /* room for the stub's frame only */
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_error err;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, m, NULL, &inst, &err) == WM_OK);
  int rc = call_i32(rt, inst, "f", &err);
  CHECK_ERR(rc, err, WM_TRAP_STACK_EXHAUSTED, "call stack exhausted");
  CHECK(strstr(err.message, "at f (func 0)") != NULL);
  wm_runtime_free(rt);
  /* With room, the same call runs (and lowered it already above). */
  o.stack_bytes = 0;
  CHECK(wm_runtime_new(&o, &rt, NULL) == WM_OK);
  CHECK(wm_instance_new(rt, m, NULL, &inst, &err) == WM_OK);
  CHECK(call_i32(rt, inst, "f", &err) == WM_OK);
  wm_runtime_free(rt);
  wm_module_free(m);
}

/* ------------------------------------------------ load-time bounds */

/* Lowered code is bounded by the module option, and by default relative
** to the module's size. */
static void test_code_limit(void) {
  size_t len = 0;
  uint8_t *b = wat(grow_wat, &len);
  if (!b) return;
  wm_module *mod = NULL;
  wm_error err;
  wm_module_options mo;
  memset(&mo, 0, sizeof mo);
  mo.max_code_bytes = 16;
  mo.flags = WM_MODULE_EAGER;
  int rc = wm_module_load(b, len, &mo, &mod, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "lowered code larger than the limit of 16 bytes");
  CHECK(strstr(err.message, "wm_module_options.max_code_bytes") != NULL && mod == NULL);
  mo.max_code_bytes = 4096;
  CHECK(wm_module_load(b, len, &mo, &mod, &err) == WM_OK);
  wm_module_free(mod);
  /* Lowered at the first call, the limit fails that call instead, and
  ** again at the next: nothing was published. */
  mo.max_code_bytes = 16;
  mo.flags = 0;
  CHECK(wm_module_load(b, len, &mo, &mod, &err) == WM_OK && wm_module_code_bytes(mod) == 0);
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  CHECK(mod && wm_instance_new(rt, mod, NULL, &inst, &err) == WM_OK);
  for (int i = 0; inst && i < 2; i++) {
    wm_val a = wm_val_i32(0), r;
    rc = wm_func_call(rt, wm_instance_func(inst, "grow"), &a, 1, &r, 1, &err);
    CHECK_ERR(rc, err, WM_ELIMIT, "lowering func 0: lowered code larger than the limit of 16");
    CHECK(strstr(err.message, "at grow (func 0)") != NULL);
  }
  CHECK(wm_module_code_bytes(mod) == 0);
  wm_runtime_free(rt);
  wm_module_free(mod);
  free(b);

  /* Quadratic lowering: 1000 values named by local.get stay on the stack
  ** and every `local.get 0; br_if 1` (4 bytes) copied them all into the
  ** outer block's slots: 200 KB of module made 590 MB of code. */
  uint32_t nv = 1000, k = 50000;
  buf m = {0}, code = {0};
  header(&m);
  types(&m, nv);
  put(&code, "\x01\x01\x7f", 3); /* one i32 local */
  put(&code, "\x02\x01\x02\x40", 4);
  for (uint32_t i = 0; i < nv; i++) put(&code, "\x20\x00", 2);
  for (uint32_t i = 0; i < k; i++) put(&code, "\x20\x00\x0d\x01", 4);
  bytes_n(&code, 0x1A, nv);
  put(&code, "\x0b\x00\x0b", 3);
  bytes_n(&code, 0x1A, nv);
  byte(&code, 0x0b);
  funcs(&m, 1, &code);
  free(code.p);
  long kb;
  CHECK(load_in_child(&m, "lowered code larger than the limit", 60, &kb) == 0);
  printf("br_if moves (%zu bytes): peak %ld KB\n", m.n, kb);
  CHECK(kb >= 0 && kb < 64 * 1024 * RSS_SLACK);
  free(m.p);
}

/* The code limit is checked as cells are emitted, against the code, the
** constants and the trap map so far; the compiler caches how many cells
** it may emit unchecked, less what each constant and trap location takes.
** Whatever it caches, a limit passes exactly when every larger one does:
** find the least that loads a body of distinct constants (each a slot)
** and loads (each a trap location), and check the limits around it. */
static int load_limited(const uint8_t *b, size_t len, uint64_t limit, wm_error *err) {
  wm_module_options mo;
  memset(&mo, 0, sizeof mo);
  mo.max_code_bytes = limit;
  mo.flags = WM_MODULE_EAGER;
  wm_module *mod = NULL;
  int rc = wm_module_load(b, len, &mo, &mod, err);
  wm_module_free(mod);
  return rc;
}

static void test_code_limit_exact(void) {
  char text[8192];
  size_t n = (size_t)snprintf(text, sizeof text,
                              "(module (memory 1) (func (export \"f\") (param i32) (result i32)"
                              " (local.get 0)");
  for (int i = 0; i < 40; i++)
    n += (size_t)snprintf(text + n, sizeof text - n,
                          " (i32.load offset=%d (local.get 0)) (i32.const %d) i32.add i32.mul"
                          " (i32.const %d) (i32.load (local.get 0)) i32.sub i32.add",
                          4 * i, 1000 + i, 5000 + 3 * i);
  snprintf(text + n, sizeof text - n, "))");
  size_t len = 0;
  uint8_t *b = wat(text, &len);
  if (!b) return;
  wm_error err;
  uint64_t lo = 1, hi = 1 << 20; /* lo fails, hi loads */
  CHECK(load_limited(b, len, lo, &err) == WM_ELIMIT);
  CHECK(load_limited(b, len, hi, &err) == WM_OK);
  while (hi - lo > 1) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (load_limited(b, len, mid, &err) == WM_OK) hi = mid;
    else lo = mid;
  }
  for (uint64_t l = hi; l < hi + 64; l++) CHECK(load_limited(b, len, l, &err) == WM_OK);
  for (uint64_t l = hi - 64; l < hi; l++) {
    int rc = load_limited(b, len, l, &err);
    CHECK_ERR(rc, err, WM_ELIMIT, "lowered code larger than the limit");
  }
  /* What was lowered fits under the least limit that lowers it. */
  wm_module_options mo;
  memset(&mo, 0, sizeof mo);
  mo.max_code_bytes = hi;
  mo.flags = WM_MODULE_EAGER;
  wm_module *mod = NULL;
  CHECK(wm_module_load(b, len, &mo, &mod, &err) == WM_OK);
  CHECK(mod && wm_module_code_bytes(mod) > 0 && wm_module_code_bytes(mod) <= hi);
  printf("code limit: least %llu bytes, lowered %llu\n", (unsigned long long)hi,
         (unsigned long long)wm_module_code_bytes(mod));
  wm_module_free(mod);
  free(b);
}

/* One function: block; i32.const 0; br_table of n targets; end. */
static void br_table_module(buf *m, uint32_t n, uint32_t nres) {
  buf code = {0};
  header(m);
  types(m, nres);
  byte(&code, 0);
  if (nres) {
    /* block (result i32 x nres): the operands come from one call of a
    ** function returning them (2 bytes) */
    put(&code, "\x02\x01\x10\x01", 4);
  } else {
    put(&code, "\x02\x40", 2);
  }
  put(&code, "\x41\x00\x0e", 3);
  leb(&code, n);
  bytes_n(&code, 0, (size_t)n + 1);
  byte(&code, 0x0b);
  bytes_n(&code, 0x1A, nres);
  byte(&code, 0x0b);
  buf s = {0};
  leb(&s, nres ? 2 : 1);
  byte(&s, 0);
  if (nres) byte(&s, 1);
  section(m, 3, &s);
  leb(&s, nres ? 2 : 1);
  leb(&s, code.n);
  put(&s, code.p, code.n);
  if (nres) { /* func 1: i32.const 0 x nres */
    buf k = {0};
    byte(&k, 0);
    for (uint32_t i = 0; i < nres; i++) put(&k, "\x41\x00", 2);
    byte(&k, 0x0b);
    leb(&s, k.n);
    put(&s, k.p, k.n);
    free(k.p);
  }
  section(m, 10, &s);
  free(code.p);
}

static void test_br_table(void) {
  /* The finding: a 10 MB br_table made the loader hold 216 MB (21 bytes a
  ** target); now its one cell and the module's own byte. */
  buf m = {0};
  br_table_module(&m, 4000000, 0);
  long kb;
  CHECK(load_in_child(&m, NULL, 60, &kb) == 0);
  printf("br_table (%zu bytes): peak %ld KB\n", m.n, kb);
  CHECK(kb >= 0 && kb * 1024 < 7 * RSS_SLACK * (long)m.n);
  wm_module *mod = NULL;
  wm_error err;
  CHECK(load(&m, NULL, &mod, &err) == WM_OK);
  CHECK(wm_module_code_bytes(mod) < 4 * (uint64_t)m.n + 1024);
  /* It still instantiates. */
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  CHECK(wm_runtime_new(NULL, &rt, NULL) == WM_OK);
  CHECK(mod && wm_instance_new(rt, mod, NULL, &inst, &err) == WM_OK);
  wm_runtime_free(rt);
  wm_module_free(mod);
  free(m.p);

  /* Each target was type-checked against all 1000 operands: 2 MB took
  ** about a minute. Now each label is checked once per br_table. */
  memset(&m, 0, sizeof m);
  br_table_module(&m, 2000000, 1000);
  CHECK(load_in_child(&m, NULL, 20, &kb) == 0);
  free(m.p);
}

static void test_locals_and_arity(void) {
  /* 120 functions of 50000 locals each: more than 4 per module byte plus
  ** a million in all. */
  buf m = {0}, code = {0};
  header(&m);
  types(&m, 0);
  put(&code, "\x01\xd0\x86\x03\x7e\x0b", 6); /* (local i64 x 50000) end */
  funcs(&m, 120, &code);
  wm_module *mod = NULL;
  wm_error err;
  int rc = load(&m, NULL, &mod, &err);
  CHECK_ERR(rc, err, WM_ELIMIT, "too many locals in all functions");
  CHECK(strstr(err.message, "at function 20") != NULL && mod == NULL);
  free(m.p);
  memset(&m, 0, sizeof m);
  header(&m);
  types(&m, 0);
  funcs(&m, 20, &code); /* a million: still fine */
  CHECK(load(&m, NULL, &mod, &err) == WM_OK);
  wm_module_free(mod);
  free(m.p);
  free(code.p);

  /* Type arity: 1000 params or results load, 1001 do not. */
  for (int what = 0; what < 2; what++) {
    for (uint32_t n = 1000; n <= 1001; n++) {
      memset(&m, 0, sizeof m);
      buf s = {0};
      header(&m);
      put(&s, "\x01\x60", 2);
      leb(&s, what ? 0 : n);
      if (!what) bytes_n(&s, 0x7F, n);
      leb(&s, what ? n : 0);
      if (what) bytes_n(&s, 0x7F, n);
      section(&m, 1, &s);
      rc = load(&m, NULL, &mod, &err);
      if (n == 1000) {
        CHECK(rc == WM_OK);
        wm_module_free(mod);
      } else {
        CHECK_ERR(rc, err, WM_ELIMIT, what ? "1001 results" : "1001 params");
        CHECK(strstr(err.message, "more than the limit of 1000") != NULL);
      }
      free(m.p);
    }
  }
}

int main(void) {
  have_wat2wasm = system("wat2wasm --version >/dev/null 2>&1") == 0;
  test_defaults();
  test_br_table();
  test_locals_and_arity();
  if (have_wat2wasm) {
    test_table_bomb();
    test_counts();
    test_memory_budget();
    test_limiter();
    test_failed_instantiation();
    test_code_budget();
    test_code_budget_lazy();
    test_lazy_frame();
    test_code_limit();
    test_code_limit_exact();
  } else {
    fprintf(stderr, "wat2wasm not found: skipping the module tests\n");
  }
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
