/* SPDX-License-Identifier: MIT */
/*
** module.c -- the public module API: load (decode, validate; each function
** lowered at its first call, see wm__lower), through the code cache
** (cache.c) when asked, with a file's bodies read in at first calls
** (load_file_cached, wm__body_bytes); free; and introspection of imports,
** exports and debug names.
*/
#include "leb.h"
#include "module.h"
#include "parse.h"
#include "ops.h"
#include "runtime.h"
#include "aot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The default bound on lowered code: compilers' output lowers to a few
** times its size (C, Rust and a 30 MB yosys build: 2.5 to 4.6); ample
** headroom, but no input may make the loader hold gigabytes. */
#define CODE_RATIO 16u
#define CODE_SLACK ((uint64_t)1 << 20)

uint64_t wm__code_size(const wm_code *c) {
  return (uint64_t)c->ncode * sizeof *c->code + (uint64_t)c->nconsts * sizeof *c->consts +
         (uint64_t)c->npcmap * (sizeof *c->pcmap_cell + sizeof *c->pcmap_off) +
         (uint64_t)c->nhandlers * sizeof *c->handlers;
}

static void free_code(wm_code *c) {
  if (!c) return;
  if (!c->in_arena) {
    wm__free(c->code);
    wm__free(c->consts);
    wm__free(c->pcmap_cell);
    wm__free(c->pcmap_off);
  }
  wm__free((void *)c->handlers); /* never in the arena */
  wm__free(c);
}

/*
** The code arena. A module's lowered code lives as long as the module, so
** it is bump-allocated from chunks freed together: a function's arrays are
** one block, packed with the functions lowered before it. In a module of 2
** MiB or more the chunks are 2 MiB on a transparent huge page: touching a
** fresh page costs about 10 us on this kind of virtual machine, and the
** 1.9 MB lowered for yosys's `-V` touched 460 pages of malloc's heap.
** Smaller modules take 64 KiB chunks of the heap, so that a small module
** costs no more memory than it did. A block larger than an eighth of a
** chunk is left to malloc.
*/
#define ARENA_HUGE ((size_t)2 << 20)
#define ARENA_SMALL ((size_t)64 << 10)

typedef struct arena_chunk {
  struct arena_chunk *next;
} arena_chunk;

void *wm__code_alloc(wm_module *mod, size_t n) {
  bool huge = mod->len >= ARENA_HUGE;
  size_t chunk = huge ? ARENA_HUGE : ARENA_SMALL;
  if (n > chunk / 8) return NULL;
  pthread_mutex_lock(&mod->arena_lock);
  if (n > mod->arena_left) {
    /* A huge chunk is the 2 MiB-aligned 2 MiB inside a 4 MiB block, whose
    ** pages outside it are never touched (malloc maps a block this large
    ** on its own). */
    size_t size = huge ? 2 * ARENA_HUGE : ARENA_SMALL;
    arena_chunk *h = wm__malloc(size);
    if (!h) {
      pthread_mutex_unlock(&mod->arena_lock);
      return NULL;
    }
    h->next = mod->arena_chunks;
    mod->arena_chunks = h;
    uint8_t *lo = (uint8_t *)(h + 1), *hi = (uint8_t *)h + size;
    lo += (8 - (uintptr_t)lo % 8) % 8;
    if (huge) {
      uint8_t *a = (uint8_t *)(((uintptr_t)lo + ARENA_HUGE - 1) & ~(uintptr_t)(ARENA_HUGE - 1));
#ifdef MADV_HUGEPAGE
      (void)madvise(a, ARENA_HUGE, MADV_HUGEPAGE);
#endif
      lo = a;
      hi = a + ARENA_HUGE;
    }
    mod->arena_next = lo;
    mod->arena_left = (size_t)(hi - lo);
  }
  void *p = mod->arena_next;
  mod->arena_next += n;
  mod->arena_left -= n;
  pthread_mutex_unlock(&mod->arena_lock);
  return p;
}

static void free_arena(wm_module *mod) {
  for (arena_chunk *h = mod->arena_chunks, *next; h; h = next) {
    next = h->next;
    wm__free(h);
  }
  pthread_mutex_destroy(&mod->arena_lock);
  pthread_cond_destroy(&mod->lowered);
}

int wm_module_print_lowered(wm_module *mod, uint32_t func, FILE *out, wm_error *err) {
  if (!mod || !out) return wm__error(err, WM_EINVAL, UINT32_MAX, "no module or no output");
  if (mod->aot) return wm__error(err, WM_EINVAL, UINT32_MAX, "a compiled module has no lowered code");
  if (func >= mod->nfuncs) return wm__error(err, WM_EINVAL, UINT32_MAX, "unknown function %u", func);
  if (func < mod->nfunc_imports)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "function %u is imported: it has no code", func);
  const wm_code *c;
  bool fresh;
  int rc = wm__lower(mod, func, &c, &fresh, err);
  if (rc) return rc;
  wm__disasm(c, out);
  return 0;
}

/* One thread lowers a function at a time (wm_funcdef.lowering): two that
** lowered it at once would do the work twice, and the second (a call, which
** must have the code) is better off waiting for the first to finish it -- on
** yosys's start the two threads would otherwise meet, now and then, at a
** 100 KB body that takes 12 M instructions to lower. A thread lowering ahead
** (`skip`) leaves such a function to the other instead. A lowering that
** fails gives its claim back, so that the waiter lowers the function itself
** and reports the error. Waiters sleep on mod->lowered; lowerers wake them
** (sequentially consistent atomics: a waiter that has not yet counted itself
** will see the code, or the claim given back, when it looks). */
static void wake_waiters(wm_module *mod) {
  if (!atomic_load(&mod->lower_waiters)) return;
  pthread_mutex_lock(&mod->arena_lock);
  pthread_cond_broadcast(&mod->lowered);
  pthread_mutex_unlock(&mod->arena_lock);
}

static void wait_lowered(wm_module *mod, wm_funcdef *fd) {
  pthread_mutex_lock(&mod->arena_lock);
  atomic_fetch_add(&mod->lower_waiters, 1);
  while (!atomic_load(&fd->code) && atomic_load(&fd->lowering))
    pthread_cond_wait(&mod->lowered, &mod->arena_lock);
  atomic_fetch_sub(&mod->lower_waiters, 1);
  pthread_mutex_unlock(&mod->arena_lock);
}

static int lower(wm_module *mod, uint32_t idx, bool skip, const wm_code **out, bool *fresh,
                 wm_error *err) {
  wm_funcdef *fd = &mod->funcs[idx];
  *fresh = false;
  *out = NULL;
  for (;;) {
    wm_code *c = atomic_load_explicit(&fd->code, memory_order_acquire);
    if (c) {
      *out = c;
      return 0;
    }
    uint8_t idle = 0;
    if (atomic_compare_exchange_strong(&fd->lowering, &idle, 1)) break;
    if (skip) return 0;
    wait_lowered(mod, fd);
  }
  wm_code *c = wm__calloc(1, sizeof *c);
  int rc = 0;
  const char *why = NULL;
  if (!c) {
    rc = wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  } else if (mod->lc_index && wm__lcache_install(mod, idx, c, &why) == 0) {
    /* The cache file's code, checked by wm__code_trust: no lowering. */
    atomic_fetch_add_explicit(&mod->lc_installed, 1, memory_order_relaxed);
  } else {
    /* A refused entry: the next cache update writes the file again. */
    if (why) atomic_store_explicit(&mod->lc_stale, true, memory_order_relaxed);
    memset(c, 0, sizeof *c);
    rc = wm__compile_func(mod, idx, c, err);
  }
#if WM_CHECK_LOWERED
  const char *bad = rc ? NULL : wm__code_check(c, mod->loop);
  if (bad) {
    fprintf(stderr, "wasmem: the lowered code of function %u is broken: %s\n", idx, bad);
    abort();
  }
  /* The cache's flow analysis must admit whatever the compiler makes that
  ** the rest of its rules admit: else it is wrong about an op, or the
  ** compiler reads a slot it never wrote. */
  bad = rc ? NULL : wm__code_trust_self(c, mod, idx);
  if (bad) {
    fprintf(stderr, "wasmem: the cache's check refuses function %u as lowered: %s\n", idx, bad);
    abort();
  }
#endif
  if (rc) {
    wm__free(c);
    atomic_store(&fd->lowering, 0);
    wake_waiters(mod);
    return rc;
  }
  atomic_fetch_add_explicit(&mod->code_bytes, wm__code_size(c), memory_order_relaxed);
  atomic_fetch_add_explicit(&mod->nlowered, 1, memory_order_relaxed);
  atomic_store(&fd->code, c); /* `lowering` stays set: the code is there */
  wake_waiters(mod);
  *fresh = true;
  *out = c;
  return 0;
}

int wm__lower(wm_module *mod, uint32_t idx, const wm_code **out, bool *fresh, wm_error *err) {
  return lower(mod, idx, false, out, fresh, err);
}

/* What a call enters until the function is lowered, per function type:
** the frame shape of its parameters and results (enter_frame zeroes the
** four slots past the parameters) and the one LAZY instruction, which
** finds the function to lower from the frame's wm_func. Shared by every
** function of the type: a stub per function cost a 30 MB module 2.7 MB. */
static int make_stubs(wm_module *mod, wm_error *err) {
  mod->stubs = wm__calloc(mod->ntypes ? mod->ntypes : 1, sizeof *mod->stubs);
  if (!mod->stubs) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t i = 0; i < mod->ntypes; i++) {
    const wm_type *t = &mod->types[i];
    wm_code *s = &mod->stubs[i];
    if (t->kind != WM_COMP_FUNC) continue; /* no function has it */
    uint32_t np = (uint32_t)wm__type_slots(t->params, t->nparams);
    uint32_t nr = (uint32_t)wm__type_slots(t->results, t->nresults);
    s->code = mod->lazy_cells;
    s->ncode = 2;
    s->nparam_slots = np;
    s->nlocal_slots = np;
    s->nresult_slots = nr;
    s->frame_slots = np + 4 > nr ? np + 4 : nr;
    s->func_idx = UINT32_MAX; /* many functions */
    s->quick_entry = true;    /* no locals, no constants */
  }
  return 0;
}

/* Threads for the body validator (wm_module_options.validate_threads):
** starting them costs more than they save on a small module. */
#define PARALLEL_BYTES ((size_t)1 << 20)
#define MAX_DEFAULT_THREADS 4

static unsigned validate_threads(const wm_module_options *opts, size_t len) {
  if (len <= PARALLEL_BYTES) return 1;
  if (opts && opts->validate_threads) return opts->validate_threads;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > MAX_DEFAULT_THREADS ? MAX_DEFAULT_THREADS : (unsigned)n;
}

/* Where load_owned's bytes come from, besides the bytes themselves. */
typedef struct load_src {
  const uint8_t *table; /* a code cache's body table (cache.c), or NULL */
  uint32_t ntable;
  const uint8_t *list;  /* its first-call list (nlist u32 entries, checked) */
  uint32_t nlist;
  const uint8_t *lc;    /* its lowered code part (nlc bytes, checked), or NULL */
  size_t nlc;
  /* The buffer lc is in, when the module may take it (else lc is copied);
  ** NULL once taken. */
  uint8_t *buf;
  size_t buf_len;
  const uint8_t *key;   /* the bytes' hash (wm_module_hash), or NULL */
  int file;             /* the file the bodies are still in (sparse), or -1 */
  bool mapped;          /* bytes is an anonymous mapping (load_file_cached) */
  /* The scan of the bodies (a cold load that leaves them in the file:
  ** load_file_sparse, load_file_cached), which gives their bounds instead
  ** of table as the validator takes them (the caller frees it). */
  struct wm_scan *scan;
} load_src;

static const load_src plain_src = {NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, -1, false, NULL};

static size_t mapping_len(size_t len);
static bool scan_end(struct wm_scan *s);

static void free_bytes(uint8_t *bytes, size_t len, bool mapped) {
  if (mapped) (void)munmap(bytes, mapping_len(len));
  else wm__free(bytes);
}

/* ------------------------------------------------------------ first calls */

/* The thread that lowers the functions a previous run called first
** (wm_module.hint): first the large bodies among them, in the list's order,
** then the rest last first. The calls lower the first ones meanwhile, so
** where this run calls them in the list's order the two meet in the middle;
** a large body, which no call should have to lower on the way (yosys's
** 116 KB constructor is the 85th of its 1,264), is ready or being lowered
** here by the time a call needs it, and the call waits for it (lower). Any
** failure ends its work: the call that needs the function lowers it again
** and reports the error. It stops at half the module's max_code_bytes, so
** that a list of functions this run never calls (the list gathers every
** run's) leaves the calls half the budget. */
#define AHEAD_LARGE (16u << 10) /* bytes of body */

static bool ahead_one(wm_module *mod, uint32_t i) {
  if (atomic_load_explicit(&mod->stop, memory_order_relaxed) ||
      atomic_load_explicit(&mod->code_bytes, memory_order_relaxed) >= mod->code_limit / 2)
    return false;
  const wm_code *c;
  bool fresh;
  wm_error err;
  return lower(mod, mod->nfunc_imports + mod->hint[i], true, &c, &fresh, &err) == 0;
}

static void *lower_ahead(void *arg) {
  wm_module *mod = arg;
  for (uint32_t i = 0; i < mod->nhint; i++)
    if (mod->funcs[mod->nfunc_imports + mod->hint[i]].body_len >= AHEAD_LARGE && !ahead_one(mod, i))
      return NULL;
  for (uint32_t i = mod->nhint; i-- > 0;)
    if (!ahead_one(mod, i)) break;
  return NULL;
}

/* WM_MODULE_PRELOWER: note first calls from now on, keep the cache
** directory for wm_module_cache_update, and start lowering the cache's list
** (checked by wm__cache_check: every entry names a defined function). */
static int first_calls(wm_module *mod, const wm_module_options *opts, const load_src *src,
                       wm_error *err) {
  uint32_t n = mod->nfuncs - mod->nfunc_imports;
  mod->called = wm__calloc((size_t)n / 8 + 1, 1);
  if (!mod->called) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  mod->note_calls = true;
  if (opts->cache_dir && mod->has_hash && !(opts->flags & WM_MODULE_WASM2)) {
    mod->cache_dir = wm__strndup(opts->cache_dir, strlen(opts->cache_dir));
    if (!mod->cache_dir) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  if (!src->nlist || (opts->flags & WM_MODULE_EAGER)) return 0;
  mod->hint = wm__malloc((size_t)src->nlist * sizeof *mod->hint);
  if (!mod->hint) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  for (uint32_t i = 0; i < src->nlist; i++) {
    const uint8_t *p = src->list + (size_t)i * 4;
    mod->hint[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[3] << 24;
  }
  mod->nhint = src->nlist;
  /* Without a thread, the calls lower everything as usual. */
  mod->ahead_running = pthread_create(&mod->ahead, NULL, lower_ahead, mod) == 0;
  return 0;
}

void wm__note_call(wm_module *mod, uint32_t idx) {
  if (!mod->note_calls || idx < mod->nfunc_imports) return;
  uint32_t d = idx - mod->nfunc_imports;
  uint8_t bit = (uint8_t)(1u << (d & 7));
  /* Noted already (by any runtime): no lock for instances after the first. */
  if (__atomic_load_n(&mod->called[d >> 3], __ATOMIC_RELAXED) & bit) return;
  pthread_mutex_lock(&mod->arena_lock);
  /* Out of memory, the call is not noted: the list is only a hint. */
  if (!(mod->called[d >> 3] & bit) &&
      !wm__grow((void **)&mod->calls, &mod->cap_calls, mod->ncalls + 1, sizeof *mod->calls)) {
    __atomic_fetch_or(&mod->called[d >> 3], bit, __ATOMIC_RELAXED);
    mod->calls[mod->ncalls++] = d;
  }
  pthread_mutex_unlock(&mod->arena_lock);
}

uint32_t *wm__first_calls(wm_module *mod, uint32_t *n, uint32_t *fresh) {
  uint32_t ndef = mod->nfuncs - mod->nfunc_imports;
  *n = *fresh = 0;
  pthread_mutex_lock(&mod->arena_lock);
  uint32_t most = mod->nhint + mod->ncalls;
  uint32_t *list = wm__malloc(((size_t)most + 1) * sizeof *list);
  uint8_t *seen = wm__calloc((size_t)ndef / 8 + 1, 1);
  if (list && seen) {
    /* Each function once (a forged hint may repeat one): at most ndef. */
    for (uint32_t i = 0; i < most; i++) {
      uint32_t d = i < mod->nhint ? mod->hint[i] : mod->calls[i - mod->nhint];
      if (seen[d >> 3] & (1u << (d & 7))) continue;
      seen[d >> 3] |= (uint8_t)(1u << (d & 7));
      list[(*n)++] = d;
      *fresh += i >= mod->nhint;
    }
  } else {
    wm__free(list);
    list = NULL;
  }
  pthread_mutex_unlock(&mod->arena_lock);
  wm__free(seen);
  return list;
}

/* Code the cache file lacks: a function of the plain loop lowered here
** that the file has no entry for (nor a note that it cannot be cached), or
** an entry that was refused. */
static bool new_code(const wm_module *mod) {
  if (mod->loop != WM_LOOP_PLAIN) return false;
  if (atomic_load_explicit(&mod->lc_stale, memory_order_relaxed)) return true;
  for (uint32_t d = 0; d < mod->nfuncs - mod->nfunc_imports; d++)
    if ((!mod->lc_index || mod->lc_index[d] == WM_LC_NONE) &&
        atomic_load_explicit(&mod->funcs[mod->nfunc_imports + d].code, memory_order_relaxed))
      return true;
  return false;
}

/* The cache file's lowered code part: kept by the module (to write it
** again), indexed when it is for the plain loop this module runs in. */
static int take_lowered(wm_module *mod, load_src *src, wm_error *err) {
  if (src->buf) {
    mod->lc_buf = src->buf;
    mod->lc_buf_len = src->buf_len;
    mod->lc = src->lc;
    src->buf = NULL;
  } else {
    mod->lc_buf = wm__cache_alloc(src->nlc);
    if (!mod->lc_buf) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    mod->lc_buf_len = src->nlc;
    memcpy(mod->lc_buf, src->lc, src->nlc);
    mod->lc = mod->lc_buf;
  }
  mod->lc_len = src->nlc;
  uint32_t ndef = mod->nfuncs - mod->nfunc_imports;
  unsigned loop;
  /* 2.0's rules (WM_MODULE_WASM2) would validate some bodies otherwise. */
  if (wm__lcache_index(mod->lc, mod->lc_len, ndef, &loop, NULL) != 0 || loop != mod->loop ||
      mod->loop != WM_LOOP_PLAIN || mod->wasm2)
    return 0;
  mod->lc_index = wm__malloc((size_t)ndef * sizeof *mod->lc_index + 1);
  if (!mod->lc_index) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  (void)wm__lcache_index(mod->lc, mod->lc_len, ndef, &loop, mod->lc_index);
  return 0;
}

int wm_module_cache_update(wm_module *mod, wm_error *err) {
  if (!mod) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_cache_update: mod is NULL");
  if (!mod->cache_dir) return 0;
  uint32_t n, fresh;
  uint32_t *list = wm__first_calls(mod, &n, &fresh);
  if (!list) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  wm__free(list);
  if (!fresh && !new_code(mod)) return 0;
  if (wm__cache_write(mod->cache_dir, mod->hash, mod) != 0)
    return wm__error(err, WM_EIO, UINT32_MAX, "cannot write the code cache file in %s",
                     mod->cache_dir);
  return 0;
}

/* Load from `bytes`, which the module takes over (freed on failure too,
** and src->file closed, except on WM_ECACHE: see below); with src->scan,
** the load stands only if the validator took every body from it.
** Every body is validated here, as the spec requires before anything
** runs, unless a code cache's table vouches for these bytes; lowering
** waits for a function's first call unless WM_MODULE_EAGER asks for all
** of it now. Neither keeps a body's local types: declarations are
** run-length coded, so keeping them all would let a small module hold
** gigabytes. */
static int load_owned(uint8_t *bytes, size_t len, const wm_module_options *opts,
                      load_src *src, wm_module **out, wm_error *err) {
  wm_module *mod = wm__calloc(1, sizeof *mod);
  if (!mod) {
    free_bytes(bytes, len, src->mapped);
    if (src->file >= 0) close(src->file);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  mod->bytes = bytes;
  mod->len = len;
  mod->bytes_mapped = src->mapped;
  mod->arena_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
  mod->lowered = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
  if (src->key) {
    memcpy(mod->hash, src->key, 16);
    mod->has_hash = true;
  }
  mod->checked = opts && (opts->flags & WM_MODULE_CHECKED);
  mod->code_limit = opts && opts->max_code_bytes ? opts->max_code_bytes
                                                 : (uint64_t)len * CODE_RATIO + CODE_SLACK;
  mod->metered = opts && (opts->flags & WM_MODULE_METERED);
  mod->wasm2 = opts && (opts->flags & WM_MODULE_WASM2);
  mod->loop = mod->checked ? WM_LOOP_CHECKED : mod->metered ? WM_LOOP_METERED : WM_LOOP_PLAIN;
  uint64_t head = wm__op_head(WM_OP_LAZY, mod->loop);
  mod->lazy_cells[0] = (uint32_t)head;
  mod->lazy_cells[1] = (uint32_t)(head >> 32);

  /* With a code cache's body table, decoding takes each body's bounds from
  ** it, and the bodies are not validated now: the cache vouches that these
  ** bytes validated, and lowering validates each body anyway. */
  mod->cache_table = src->table;
  mod->cache_nfuncs = src->ntable;
  mod->scan = src->scan;
  int rc = wm__decode(mod, err);
  mod->cache_table = NULL;
  if (!rc && src->file >= 0) {
    mod->sparse = true;
    mod->file = src->file;
  }
  if (!rc) rc = wm__validate_module(mod, err);
  if (!rc && !src->table)
    rc = wm__validate_code(mod, validate_threads(opts, len), err);
  if (src->scan) {
    /* It reads the file, which a failure below closes: ended first. The
    ** validator has taken every body's bounds only if it validated them
    ** all; the scan must also have ended where the section ends. */
    mod->scan = NULL;
    if (!scan_end(src->scan) && !rc) rc = WM_ECACHE;
  }
  if (!rc) rc = make_stubs(mod, err);
  if (!rc && src->lc) rc = take_lowered(mod, src, err);
  if (!rc && opts && (opts->flags & WM_MODULE_PRELOWER)) rc = first_calls(mod, opts, src, err);
  if (opts && (opts->flags & WM_MODULE_EAGER)) {
    for (uint32_t i = mod->nfunc_imports; !rc && i < mod->nfuncs; i++) {
      const wm_code *c;
      bool fresh;
      rc = wm__lower(mod, i, &c, &fresh, err);
    }
  }
  if (rc) {
    /* A rejected cache table leaves the bytes and the file to the caller,
    ** which loads them again without it. */
    if (rc == WM_ECACHE) {
      mod->bytes = NULL;
      mod->sparse = false;
    } else if (src->file >= 0 && !mod->sparse) {
      close(src->file);
    }
    wm__module_destroy(mod);
    return rc;
  }
  if (err) {
    err->code = WM_OK;
    err->offset = UINT32_MAX;
    err->message[0] = 0;
  }
  *out = mod;
  return 0;
}

/* Ask for transparent huge pages over the 2 MiB-aligned interior of a big
** buffer, before it is first touched. Decoding walks every body's header,
** each a cache miss whose address depends on the last; with 4 KiB pages
** each was a TLB miss too, which costs most under virtualisation, and
** reading the file faulted 4 KiB at a time (yosys, 30 MB: `run -V` in
** 0.15 s of CPU instead of 0.25 s). Advice only: nothing changes if the
** kernel says no. */
static void advise_huge(void *p, size_t n) {
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)2 << 20;
  uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + n) & ~(huge - 1);
  if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

/* Load owned bytes (src->key their hash) with the body table of the cache
** directory's file for them, when there is one and it passes its checks;
** WM_ECACHE, with the bytes and src->file still the caller's, otherwise. */
static int load_cached(uint8_t *bytes, size_t len, const wm_module_options *opts, load_src *src,
                       wm_module **out, wm_error *err) {
  uint8_t *cache = NULL;
  size_t cache_len;
  int rc = WM_ECACHE;
  if (wm__cache_read(opts->cache_dir, src->key, &cache, &cache_len) != 0) return rc;
  if (wm__cache_check(len, src->key, cache, cache_len, &src->table, &src->ntable, &src->list,
                      &src->nlist, &src->lc, &src->nlc, NULL) == 0) {
    src->buf = cache; /* the module may keep it for its lowered code */
    src->buf_len = cache_len;
    rc = load_owned(bytes, len, opts, src, out, err);
    if (src->buf) wm__cache_release(cache, cache_len);
  } else {
    wm__cache_release(cache, cache_len);
  }
  src->table = NULL;
  src->ntable = 0;
  src->list = NULL;
  src->nlist = 0;
  src->lc = NULL;
  src->nlc = 0;
  src->buf = NULL;
  return rc;
}

/* A 2.0 verdict (WM_MODULE_WASM2) may differ from the 3.0 one a cache
** file records, so such loads leave the cache alone. */
static bool uses_cache(const wm_module_options *opts) {
  return opts && opts->cache_dir && !(opts->flags & WM_MODULE_WASM2);
}

/* Load owned bytes, through the code cache when opts names a directory:
** with its file's body table when one matches these bytes, else validating
** in full and then writing the file. A file that is rejected, at its check
** or by the decoder, is only ignored (and rewritten). */
static int load_bytes(uint8_t *bytes, size_t len, const wm_module_options *opts,
                      bool mapped, wm_module **out, wm_error *err) {
  load_src src = plain_src;
  src.mapped = mapped;
  if (!uses_cache(opts)) return load_owned(bytes, len, opts, &src, out, err);
  uint8_t key[16];
  wm_module_hash(bytes, len, key);
  src.key = key;
  int rc = load_cached(bytes, len, opts, &src, out, err);
  if (rc != WM_ECACHE) return rc;
  rc = load_owned(bytes, len, opts, &src, out, err);
  if (rc == 0) (void)wm__cache_write(opts->cache_dir, key, *out);
  return rc;
}

/* The module's own copy of the caller's bytes, or NULL. */
static uint8_t *copy_bytes(const uint8_t *bytes, size_t len) {
  uint8_t *copy = wm__malloc(len ? len : 1);
  if (!copy) return NULL;
  advise_huge(copy, len);
  if (len) memcpy(copy, bytes, len);
  return copy;
}

int wm_module_deserialize(const uint8_t *bytes, size_t len, const uint8_t *cache,
                          size_t cache_len, const wm_module_options *opts, wm_module **out,
                          wm_error *err) {
  if (!out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_deserialize: out is NULL");
  *out = NULL;
  if (!bytes && len)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_deserialize: bytes is NULL");
  if (len > UINT32_MAX) return wm__error(err, WM_ELIMIT, UINT32_MAX, "module larger than 4 GiB");
  uint8_t key[16];
  load_src src = plain_src;
  wm_module_hash(bytes, len, key);
  src.key = key;
  int rc = wm__cache_check(len, key, cache, cache_len, &src.table, &src.ntable, &src.list,
                           &src.nlist, &src.lc, &src.nlc, err);
  if (rc) return rc;
  uint8_t *copy = copy_bytes(bytes, len);
  if (!copy) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  rc = load_owned(copy, len, opts, &src, out, err);
  if (rc == WM_ECACHE) wm__free(copy);
  return rc;
}

int wm_module_load(const uint8_t *bytes, size_t len, const wm_module_options *opts,
                   wm_module **out, wm_error *err) {
  if (!out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_load: out is NULL");
  *out = NULL;
  if (!bytes && len) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_load: bytes is NULL");
  /* Offsets are reported and stored as uint32_t. */
  if (len > UINT32_MAX) return wm__error(err, WM_ELIMIT, UINT32_MAX, "module larger than 4 GiB");
  if (wm__wat_is_text(bytes, len)) { /* the text format: to binary first */
    uint8_t *bin;
    int rc = wm__wat_parse((const char *)bytes, len, &bin, &len, err);
    if (rc || len <= UINT32_MAX) return rc ? rc : load_bytes(bin, len, opts, false, out, err);
    wm__free(bin);
    return wm__error(err, WM_ELIMIT, UINT32_MAX, "module larger than 4 GiB");
  }
  uint8_t *copy = copy_bytes(bytes, len);
  if (!copy) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  return load_bytes(copy, len, opts, false, out, err);
}

/* ------------------------------------------- files through the code cache */

/*
** A file loaded through the code cache is read straight into the module's
** bytes, an anonymous mapping whose untouched pages cost nothing, except
** the code section's bodies: a 30 MB module whose code is 28 MB touches
** only what lies around the code. The code section is found by following
** the section headers as the bytes arrive.
**
** With a matching cache file the bodies stay in the file, each read in when
** it is lowered (wm__body_bytes); without one they are read in now,
** and the load validates them as usual. Which cache file matches is known
** from the bytes' hash; the bodies are hashed through a small buffer, so
** they still cost a read -- unless the cache directory has noted this
** file's identity with its hash (wm__ident_lookup), in which case they are
** not read at all.
**
** For a file of 2 MiB or more the mapping is 2 MiB aligned and a multiple
** of 2 MiB long, and asks for transparent huge pages except inside the
** bodies, which are read sparsely:
** touching a page costs most under virtualisation (about 10 us here, so
** the 3 MB of data around yosys's code cost 7 ms on 4 KiB pages).
*/
#define HUGE ((size_t)2 << 20)
#define CHUNK ((size_t)1 << 20)
#define HASH_CHUNK ((size_t)256 << 10)

/* Bytes of the code section kept from the stream: its count of bodies. */
#define CODE_HEAD 5u

/* A head (the sections before the code) this small goes on small pages in
** a load that leaves the bodies in the file (set_hole), and find_code
** looks no further for the code section. */
#define HEAD_SMALL ((size_t)256 << 10)

/* A file of 2 MiB or more is mapped on 2 MiB boundaries, for huge pages;
** a smaller one is not (a huge page would clear 2 MiB for it). */
static size_t mapping_len(size_t len) { return len >= HUGE ? wm__huge_len(len) : len ? len : 1; }

static uint8_t *map_bytes(size_t len) {
  if (len >= HUGE) return wm__map_huge(len);
  void *m = mmap(NULL, mapping_len(len), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return m == MAP_FAILED ? NULL : m;
}

typedef struct streamer {
  int fd;
  uint8_t *bytes;
  size_t len;
  size_t next;               /* the next section header's offset */
  size_t hole_lo, hole_hi;   /* the bodies, not kept (empty: lo == hi) */
  bool scanning;             /* headers still being followed */
  wm_hasher *hash;           /* hashes everything read, or NULL */
  uint8_t *buf;              /* HASH_CHUNK bytes for the bodies (hash only) */
} streamer;

/* The bodies lie in [lo, hi): no huge pages inside them. With small_head
** (found by find_code: the bodies are not read in), the first 2 MiB do not ask for one
** either when all they hold besides bodies is a head of under HEAD_SMALL
** bytes: a huge page there costs as much to clear as 80 small ones
** (yosys: a 68 KB head, 17 small pages, instead of 2 MiB cleared). */
static void set_hole(streamer *st, size_t lo_off, size_t hi_off, bool small_head) {
  st->hole_lo = lo_off;
  st->hole_hi = hi_off;
#ifdef MADV_NOHUGEPAGE
  if (st->len < HUGE) return;
  uintptr_t lo = ((uintptr_t)(st->bytes + lo_off) + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
  uintptr_t hi = (uintptr_t)(st->bytes + hi_off) & ~(uintptr_t)(HUGE - 1);
  if (small_head && lo_off <= HEAD_SMALL && hi_off >= HUGE) lo = (uintptr_t)st->bytes;
  if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_NOHUGEPAGE);
#else
  (void)small_head;
#endif
}

/* Follow section headers through bytes[0, have): a header needs up to 6
** bytes, so one that may straddle `have` waits for the next chunk unless
** the file ends there. The first code section gives the hole, whose
** inside then stops asking for huge pages; anything malformed ends the
** scan (the decoder will say what is wrong). */
static void scan_sections(streamer *st, size_t have) {
  while (st->scanning && st->next < have) {
    if (have - st->next < 6 && have < st->len) return;
    size_t p = st->next + 1;
    uint64_t size = 0;
    bool done = false;
    for (int k = 0; k < 5 && p < have && !done; k++) {
      uint8_t b = st->bytes[p++];
      size |= (uint64_t)(b & 0x7F) << (7 * k);
      done = !(b & 0x80);
    }
    if (!done || size > st->len - p) {
      st->scanning = false;
      return;
    }
    if (st->bytes[st->next] == 10 && st->hole_hi == 0 && size > CODE_HEAD)
      set_hole(st, p + CODE_HEAD, p + (size_t)size, false);
    st->next = p + (size_t)size;
  }
}

static int read_full(int fd, uint8_t *p, size_t n, uint64_t off, size_t *got) {
  *got = 0;
  while (*got < n) {
    ssize_t r = pread(fd, p + *got, n - *got, (off_t)(off + *got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    *got += (size_t)r;
  }
  return 0;
}

/* Where the code section's bodies are, from the section headers in the
** file's first HEAD_SMALL bytes (read a header at a time), so that a cached
** start reads none of the bodies into the module's bytes and can keep a
** small head off huge pages (set_hole). Anything unexpected -- no code
** section among the first HEAD_SECTIONS, a malformed header, a short read
** -- leaves the hole to scan_sections, as without this. */
#define HEAD_SECTIONS 32
static void find_code(streamer *st) {
  uint8_t h[8];
  size_t got, at = 8;
  if (read_full(st->fd, h, 8, 0, &got) != 0 || got < 8 || memcmp(h, "\0asm", 4) != 0) return;
  for (int i = 0; i < HEAD_SECTIONS && at < HEAD_SMALL && at < st->len; i++) {
    if (read_full(st->fd, h, 6, at, &got) != 0 || got < 2) return;
    size_t p = 1;
    uint64_t size = 0;
    bool done = false;
    for (int k = 0; k < 5 && p < got && !done; k++) {
      size |= (uint64_t)(h[p] & 0x7F) << (7 * k);
      done = !(h[p++] & 0x80);
    }
    if (!done || size > st->len - (at + p)) return;
    if (h[0] == 10) {
      if (size > CODE_HEAD) set_hole(st, at + p + CODE_HEAD, at + p + (size_t)size, true);
      return;
    }
    at += p + (size_t)size;
  }
}

/* 1: not a file this path can take (not regular, empty, too large, grown
** or shrunk while read): the caller reads it the plain way. */
#define NOT_HERE 1

/* Read the file into st->bytes but the hole, hashing all of it when
** st->hash is set: 0, NOT_HERE (it ended early, or goes on past its size)
** or -1 (errno). */
static int stream(streamer *st) {
  size_t at = 0, got;
  uint8_t one;
  while (at < st->len) {
    bool in_hole = at >= st->hole_lo && at < st->hole_hi;
    if (in_hole && !st->hash) {
      at = st->hole_hi;
      continue;
    }
    size_t end = in_hole ? st->hole_hi : at < st->hole_lo ? st->hole_lo : st->len, n = end - at;
    uint8_t *to = in_hole ? st->buf : st->bytes + at;
    if (n > (in_hole ? HASH_CHUNK : CHUNK)) n = in_hole ? HASH_CHUNK : CHUNK;
    if (read_full(st->fd, to, n, at, &got) != 0) return -1;
    if (got < n) return NOT_HERE;
    if (st->hash) wm__hash_update(st->hash, to, n);
    if (at == 0 && (n < 8 || memcmp(to, "\0asm", 4) != 0)) st->scanning = false;
    at += n;
    if (!in_hole) scan_sections(st, at);
  }
  if (read_full(st->fd, &one, 1, st->len, &got) != 0) return -1;
  return got ? NOT_HERE : 0;
}

static int64_t realtime_ns(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_REALTIME, &t) != 0) return INT64_MIN;
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* WM_MODULE_SPARSE without a cache directory, and a cache directory with
** no file for the module yet (load_file_cached): the bytes around the code
** section are read in, the bodies only through the validator's buffers, a
** run of bodies per thread at a time (wm_scan, below) -- and later one by
** one as they are lowered (wm__body_bytes). The 28 MB of yosys's bodies
** are never held: its cold `-V` holds 20 MB instead of 45, and the kernel
** clears no pages for them. Anything unusual -- a short file, a header the
** scan does not take, any error at all -- ends this path, and the plain
** load (load_file_plain) reads the file again and gives its verdict, so
** the errors and their precedence are the plain load's. */
#define SPARSE_MIN ((size_t)1 << 20)

/*
** The scan of the code section's bodies, which hands the validator's
** threads their runs of bodies (wm__scan_next): under its lock, a thread
** reads the next WM_SCAN_RUN bytes of the section into its own buffer (more
** when one body is longer), reads the headers of the bodies that lie
** whole in them and sets their bounds in funcs[] -- the first byte of
** each, its length, its code's start and its count of locals -- then
** validates them while the other threads read theirs. So each byte of
** the bodies is read once, by the thread that validates it, and the
** headers in the order of the section, as the caps on locals need
** (wm__locals_fit). It fails on anything unusual, which the plain load
** then judges: a malformed header, a local of a type of more than one
** byte, locals over the caps, a short read. (It once ran on a thread of
** its own, which read all the bodies to write a table of their bounds
** that the validator took a run at a time: every byte was read twice, and
** on two processors the third thread took time from the two validating.)
*/
typedef struct wm_scan {
  int fd;
  size_t len;              /* the file's */
  uint32_t at, end;        /* the first body's header, the code section's end */
  uint32_t n;              /* bodies the section declares */
  bool single[256];        /* the one-byte value types, by byte */
  pthread_mutex_t lock;    /* guards the rest */
  uint32_t next_at;        /* the header of the first body not taken */
  uint32_t taken;          /* bodies taken */
  uint64_t all;            /* locals of the bodies taken */
  bool failed;             /* a run failed: no more are handed out */
} wm_scan;

bool wm__scan_covers(const wm_scan *s, uint32_t n, size_t first, size_t end) {
  return s->n == n && s->at == first && s->end == end;
}

/* Read the count of bodies of the code section that holds st's hole:
** false if there is none or the scan cannot take it. */
static bool scan_init(wm_scan *s, const streamer *st, bool wasm2) {
  if (st->hole_hi <= st->hole_lo) return false;
  size_t sec = st->hole_lo - CODE_HEAD, end = st->hole_hi;
  int fd = st->fd;
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->len = st->len;
  s->end = (uint32_t)end;
  uint8_t h[5];
  size_t got;
  uint32_t p = 0;
  if (read_full(fd, h, 5, sec, &got) != 0 || got < 5 || wm__leb_u32(h, &p, 5, &s->n) != WM_LEB_OK)
    return false;
  s->at = s->next_at = (uint32_t)sec + p;
  if (s->n == 0 || s->n > (end - s->at) / 2) return false;
  unsigned nsingle = wasm2 ? WM_SINGLE_TYPES_WASM2 : WM_SINGLE_TYPES;
  for (unsigned j = 0; j < nsingle; j++) s->single[(uint8_t)wm__single_types[j]] = true;
  s->lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
  return true;
}

/* Whether the validator took every body, to the section's end. */
static bool scan_end(wm_scan *s) {
  pthread_mutex_lock(&s->lock);
  bool whole = !s->failed && s->taken == s->n && s->next_at == s->end;
  pthread_mutex_unlock(&s->lock);
  return whole;
}

static void scan_free(wm_scan *s) { pthread_mutex_destroy(&s->lock); }

/* The headers of the bodies from buf[0] (file offset `from`), n bytes
** read: how many lie whole in them (at most `most`), their bounds set in
** funcs[first...]; -1 for a header the plain load must judge. *used: the
** bytes they take, or with none, the bytes the first one needs. */
static int64_t scan_headers(wm_scan *s, wm_module *mod, uint32_t first, uint32_t most,
                            const uint8_t *buf, uint32_t from, uint32_t n, uint32_t *used) {
  uint32_t p = 0, k = 0;
  while (k < most && p < n) {
    uint32_t q = p, size, groups, c;
    int r = wm__leb_u32(buf, &q, n, &size);
    if (r != WM_LEB_OK) {
      if (r == WM_LEB_END && from + n < s->end) break; /* the header goes on in the next run */
      return -1;
    }
    if (size > s->end - (from + q)) return -1;
    if (size > n - q) { /* the body goes on past what was read */
      if (!k) p = q + size;
      break;
    }
    uint32_t body_end = q + size;
    uint64_t total = 0;
    bool ok = wm__leb_u32(buf, &q, body_end, &groups) == WM_LEB_OK;
    for (uint32_t g = 0; ok && g < groups; g++) {
      ok = wm__leb_u32(buf, &q, body_end, &c) == WM_LEB_OK && q < body_end && s->single[buf[q]];
      q++;
      total += c;
    }
    if (!ok || !wm__locals_fit(total, s->all + total, s->len)) return -1;
    s->all += total;
    wm_funcdef *fd = &mod->funcs[first + k];
    fd->body_off = from + (body_end - size);
    fd->body_len = size;
    fd->code_start = from + q;
    fd->nlocals = (uint32_t)total;
    p = body_end;
    k++;
  }
  *used = p;
  return k;
}

int wm__scan_next(wm_module *mod, uint8_t **buf, uint32_t *cap, uint32_t *lo, uint32_t *hi,
                  uint32_t *from, wm_error *err) {
  wm_scan *s = mod->scan;
  int rc = 0;
  pthread_mutex_lock(&s->lock);
  *lo = *hi = mod->nfunc_imports + s->taken;
  uint32_t at = s->next_at, want = s->end - at < WM_SCAN_RUN ? s->end - at : WM_SCAN_RUN;
  while (!s->failed && s->taken < s->n) {
    size_t got;
    if (want > *cap && wm__grow((void **)buf, cap, want, 1)) {
      rc = wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
      break;
    }
    if (read_full(s->fd, *buf, want, at, &got) != 0 || got < want) {
      rc = wm__error(err, WM_ECACHE, UINT32_MAX, "the module's file changed while being read");
      break;
    }
    uint32_t used;
    int64_t k = scan_headers(s, mod, *lo, s->n - s->taken, *buf, at, want, &used);
    if (k < 0) {
      rc = wm__error(err, WM_ECACHE, UINT32_MAX, "a body header the scan does not take");
      break;
    }
    if (k > 0) {
      s->taken += (uint32_t)k;
      s->next_at = at + used;
      *hi = *lo + (uint32_t)k;
      *from = at;
      break;
    }
    /* The first body is longer than the run: read it whole, its size as
    ** its header gives it (a header always lies whole in a run, which is
    ** shorter than a header only at the section's end). */
    if (used <= want) {
      rc = wm__error(err, WM_ECACHE, UINT32_MAX, "a body header the scan does not take");
      break;
    }
    want = used;
  }
  if (rc) s->failed = true;
  pthread_mutex_unlock(&s->lock);
  return rc;
}

/* Whether a load without a cache file may leave the bodies in the file
** (where scan_init finds them): the file is large enough, and no
** lowering is asked for now. */
static bool can_scan(const streamer *st, const wm_module_options *opts) {
  return st->len >= SPARSE_MIN && !(opts->flags & WM_MODULE_EAGER);
}

static int load_file_cached(const char *path, const wm_module_options *opts, wm_module **out,
                            wm_error *err) {
  int64_t taken = realtime_ns();
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return wm__error(err, WM_EIO, UINT32_MAX, "cannot open %s: %s", path, strerror(errno));
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
      (uint64_t)sb.st_size > UINT32_MAX) {
    close(fd);
    return NOT_HERE;
  }
  uint8_t key[16];
  wm_hasher h;
  bool known = wm__ident_lookup(opts->cache_dir, &sb, key) == 0;
  int rc;
  for (;;) {
    streamer st = {fd, map_bytes((size_t)sb.st_size), (size_t)sb.st_size, 8, 0, 0, true,
                   known ? NULL : &h, NULL};
    st.buf = known ? NULL : wm__malloc(HASH_CHUNK);
    if (!st.bytes || (!known && !st.buf)) {
      if (st.bytes) (void)munmap(st.bytes, mapping_len(st.len));
      wm__free(st.buf);
      close(fd);
      return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
    }
    wm__hash_init(&h);
    /* Where the bodies are, from the section headers: a known identity
    ** promises a cache file, whose start reads none of them; else they are
    ** scanned while the rest is read and hashed, for a load without one
    ** (wasted where a cache file turns up all the same: a file copied or
    ** touched since its identity was noted). */
    find_code(&st);
    rc = stream(&st);
    wm__free(st.buf);
    if (rc) {
      (void)munmap(st.bytes, mapping_len(st.len));
      close(fd);
      if (rc == NOT_HERE) return NOT_HERE;
      return wm__error(err, WM_EIO, UINT32_MAX, "cannot read %s: %s", path, strerror(errno));
    }
    if (!known) wm__hash_final(&h, key);
    load_src src = {NULL, 0, NULL, 0, NULL, 0, NULL, 0, key, fd, true, NULL};
    rc = st.hole_hi > st.hole_lo ? load_cached(st.bytes, st.len, opts, &src, out, err)
                                 : WM_ECACHE;
    if (rc != WM_ECACHE) {
      if (!rc && !known) (void)wm__ident_note(opts->cache_dir, &sb, taken, key);
      return rc;
    }
    if (known) {
      /* The identity named bytes with no cache file (or a bad one): read
      ** again, hashing this time. */
      (void)munmap(st.bytes, mapping_len(st.len));
      known = false;
      continue;
    }

    /* No usable cache: the bodies are validated through buffers and left
    ** in the file, as load_file_sparse does, the cache file written after;
    ** if that path does not take them, they are read in, on huge pages,
    ** and the load validates. */
    size_t hole = st.hole_hi - st.hole_lo, got;
    wm_scan sc;
    if (can_scan(&st, opts) && scan_init(&sc, &st, false)) {
      load_src s3 = {NULL, 0, NULL, 0, NULL, 0, NULL, 0, key, fd, true, &sc};
      rc = load_owned(st.bytes, st.len, opts, &s3, out, err);
      scan_free(&sc);
      if (rc == 0 && wm__cache_write(opts->cache_dir, key, *out) == 0)
        (void)wm__ident_note(opts->cache_dir, &sb, taken, key);
      if (rc != WM_ECACHE) return rc ? NOT_HERE : 0; /* else the bytes and the file are ours */
    }
#ifdef MADV_HUGEPAGE
    if (hole && st.len >= HUGE)
      (void)madvise(st.bytes + (st.hole_lo & ~(HUGE - 1)),
                            mapping_len(st.hole_hi) - (st.hole_lo & ~(HUGE - 1)), MADV_HUGEPAGE);
#endif
    if (hole && (read_full(fd, st.bytes + st.hole_lo, hole, st.hole_lo, &got) != 0 || got < hole)) {
      (void)munmap(st.bytes, mapping_len(st.len));
      close(fd);
      return wm__error(err, WM_EIO, UINT32_MAX, "cannot read %s: it changed while being read",
                       path);
    }
    close(fd);
    load_src src2 = plain_src;
    src2.key = key;
    src2.mapped = true;
    rc = load_owned(st.bytes, st.len, opts, &src2, out, err);
    if (rc == 0 && wm__cache_write(opts->cache_dir, key, *out) == 0)
      (void)wm__ident_note(opts->cache_dir, &sb, taken, key);
    return rc;
  }
}

/* A sparse module's body is read at each lowering (once a function,
** unless two threads race to lower it) into the lowering's buffer, which
** the compiler keeps with its scratch arrays (compile.c): read into the
** module's bytes, each body touched new pages of them (yosys `-V`: 440 of
** its 2,000 page faults), and a buffer of its own per body cost a malloc
** and, for the large ones, fresh pages. (Windows of 16 and 64 KiB,
** filling the bodies after it too, cut yosys `-V`'s reads from 1,270 to
** 430 but cost as much or more: what they copied and touched outweighed
** the system calls.) */
int wm__body_bytes(const wm_module *mod, uint32_t idx, const uint8_t **body, uint8_t **buf,
                   uint32_t *cap, wm_error *err) {
  const wm_funcdef *fd = &mod->funcs[idx];
  if (!mod->sparse) {
    *body = mod->bytes + fd->body_off;
    return 0;
  }
  if (wm__grow((void **)buf, cap, fd->body_len ? fd->body_len : 1, 1))
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  size_t got;
  if (read_full(mod->file, *buf, fd->body_len, fd->body_off, &got) != 0 || got < fd->body_len) {
    return wm__error(err, WM_EIO, fd->body_off,
                     "cannot read the body of function %u from the module's file: it has "
                     "changed since the module was loaded",
                     idx);
  }
  *body = *buf;
  return 0;
}

static int load_file_plain(const char *path, const wm_module_options *opts, wm_module **out,
                           wm_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return wm__error(err, WM_EIO, UINT32_MAX, "cannot open %s: %s", path, strerror(errno));
  /* A regular file's size sizes the buffer, so the bytes are read once
  ** with no copying as it grows; the loop still reads to the end (the file
  ** may change), and reads pipes in chunks. */
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  int rc = 0;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      (uint64_t)st.st_size <= UINT32_MAX) {
    buf = wm__malloc((size_t)st.st_size + 1); /* + 1: the read that sees the end */
    if (buf) {
      cap = (size_t)st.st_size + 1;
      advise_huge(buf, cap);
    }
  }
  for (;;) {
    if (len == cap) {
      size_t ncap = cap ? cap * 2 : 65536;
      if (ncap > (size_t)UINT32_MAX + 1) ncap = (size_t)UINT32_MAX + 1;
      if (ncap == cap) {
        rc = wm__error(err, WM_ELIMIT, UINT32_MAX, "%s: module larger than 4 GiB", path);
        break;
      }
      uint8_t *nb = wm__realloc(buf, ncap);
      if (!nb) {
        rc = wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
        break;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) rc = wm__error(err, WM_EIO, UINT32_MAX, "cannot read %s", path);
      break;
    }
  }
  fclose(f);
  if (rc) {
    wm__free(buf);
    return rc;
  }
  /* The module keeps the buffer (trimmed to the file's size): no second
  ** copy of a large module. */
  uint8_t *trimmed = len ? wm__realloc(buf, len) : NULL;
  if (trimmed) buf = trimmed;
  return load_bytes(buf, len, opts, false, out, err);
}

static int load_file_sparse(const char *path, const wm_module_options *opts, wm_module **out,
                            wm_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NOT_HERE;
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size < SPARSE_MIN ||
      (uint64_t)sb.st_size > UINT32_MAX) {
    close(fd);
    return NOT_HERE;
  }
  streamer st = {fd, map_bytes((size_t)sb.st_size), (size_t)sb.st_size, 8, 0, 0, true, NULL, NULL};
  if (!st.bytes) {
    close(fd);
    return NOT_HERE;
  }
  /* The bodies, where find_code finds them, are left out of what is read. */
  wm_scan sc;
  find_code(&st);
  if (stream(&st) == 0 && scan_init(&sc, &st, opts->flags & WM_MODULE_WASM2)) {
    load_src src = plain_src;
    src.scan = &sc;
    src.file = fd;
    src.mapped = true;
    int rc = load_owned(st.bytes, st.len, opts, &src, out, err);
    scan_free(&sc);
    if (rc == 0) return 0;
    if (rc != WM_ECACHE) return NOT_HERE; /* the bytes and the file are gone */
  }
  (void)munmap(st.bytes, mapping_len(st.len));
  close(fd);
  return NOT_HERE;
}

int wm_module_load_file(const char *path, const wm_module_options *opts, wm_module **out,
                        wm_error *err) {
  if (!out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_load_file: out is NULL");
  *out = NULL;
  if (!path) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_load_file: path is NULL");
  uint8_t *bin;
  size_t len;
  int rc = wm__wat_file(path, &bin, &len, err); /* a .wat: to binary first */
  if (rc == 0 || rc == WP_BYTES) {
    if (len <= UINT32_MAX) return load_bytes(bin, len, opts, false, out, err);
    wm__free(bin);
    return wm__error(err, WM_ELIMIT, UINT32_MAX, "%s: module larger than 4 GiB", path);
  }
  if (rc != WP_NOT_TEXT) return rc;
  if (uses_cache(opts)) {
    rc = load_file_cached(path, opts, out, err);
    if (rc != NOT_HERE) return rc;
  } else if (opts && (opts->flags & WM_MODULE_SPARSE) && !(opts->flags & WM_MODULE_EAGER)) {
    if (load_file_sparse(path, opts, out, err) == 0) return 0;
  }
  return load_file_plain(path, opts, out, err);
}

void wm__module_destroy(wm_module *mod) {
  if (!mod) return;
  if (mod->ahead_running) { /* it reads the module: first of all */
    atomic_store_explicit(&mod->stop, true, memory_order_relaxed);
    (void)pthread_join(mod->ahead, NULL);
  }
  wm__free(mod->calls);
  wm__free(mod->called);
  wm__free(mod->hint);
  wm__free(mod->cache_dir);
  wm__free(mod->lc_index);
  if (mod->lc_buf) wm__cache_release(mod->lc_buf, mod->lc_buf_len);
  wm__aot_module_free(mod); /* its codes are not the compiler's */
  for (uint32_t i = 0; i < mod->ntypes; i++) wm__free(mod->types[i].params);
  wm__free(mod->types);
  wm__free(mod->tmeta);
  wm__free(mod->import_names);
  wm__free(mod->imports);
  for (uint32_t i = 0; i < mod->nfuncs; i++) {
    free_code(atomic_load_explicit(&mod->funcs[i].code, memory_order_relaxed));
  }
  if (mod->funcs_mapped) wm__unmap_huge(mod->funcs, mod->funcs_mapped);
  else wm__free(mod->funcs);
  wm__free(mod->stubs);
  wm__free(mod->tables);
  wm__free(mod->mems);
  wm__free(mod->globals);
  wm__free(mod->tags);
  for (uint32_t i = 0; i < mod->nexports; i++) wm__free(mod->exports[i].name);
  wm__free(mod->exports);
  for (uint32_t i = 0; i < mod->nelems; i++) wm__free(mod->elems[i].items);
  wm__free(mod->elems);
  wm__free(mod->datas);
  wm__free(mod->module_name);
  if (mod->func_names)
    for (uint32_t i = 0; i < mod->nfuncs; i++) wm__free(mod->func_names[i]);
  wm__free(mod->func_names);
  if (mod->global_names)
    for (uint32_t i = 0; i < mod->nglobals; i++) wm__free(mod->global_names[i]);
  wm__free(mod->global_names);
  wm__free(mod->func_declared);
  wm__free(mod->table_inits);
  if (mod->sparse) close(mod->file);
  wm__compile_scratch_free(mod);
  free_arena(mod);
  if (mod->bytes) free_bytes(mod->bytes, mod->len, mod->bytes_mapped);
  wm__free(mod);
}

void wm_module_free(wm_module *mod) { wm__module_destroy(mod); }

uint64_t wm_module_code_bytes(const wm_module *mod) {
  return mod ? atomic_load_explicit(&mod->code_bytes, memory_order_relaxed) : 0;
}

uint32_t wm_module_import_count(const wm_module *mod) { return mod ? mod->nimports : 0; }
uint32_t wm_module_export_count(const wm_module *mod) { return mod ? mod->nexports : 0; }

static void set_functype(const wm_module *mod, uint32_t funcidx, wm_extern_desc *out) {
  const wm_type *t = wm__func_type(mod, funcidx);
  out->func.nparams = t->nparams;
  out->func.nresults = t->nresults;
  out->func.params = t->params;
  out->func.results = t->results;
}

/* Fill the type part of a description of index `idx` of `kind`. */
static void describe(const wm_module *mod, wm_externkind kind, uint32_t idx, wm_extern_desc *out) {
  out->kind = kind;
  out->index = idx;
  switch (kind) {
  case WM_EXTERN_FUNC:
    set_functype(mod, idx, out);
    break;
  case WM_EXTERN_TABLE:
    out->elem_type = mod->tables[idx].elem;
    out->limits = mod->tables[idx].lim;
    break;
  case WM_EXTERN_MEMORY:
    out->limits = mod->mems[idx];
    break;
  case WM_EXTERN_GLOBAL:
    out->global_type = mod->globals[idx].type.type;
    out->global_mutable = mod->globals[idx].type.mut;
    break;
  case WM_EXTERN_TAG: {
    const wm_type *t = &mod->types[mod->tags[idx]];
    out->func.nparams = t->nparams;
    out->func.params = t->params;
    break;
  }
  }
}

int wm_module_import(const wm_module *mod, uint32_t i, wm_extern_desc *out) {
  if (!mod || !out || i >= mod->nimports) return WM_EINVAL;
  const wm_import *im = &mod->imports[i];
  /* The index of an import in its space is the number of earlier imports
  ** of the same kind. */
  uint32_t idx = 0;
  for (uint32_t j = 0; j < i; j++) idx += mod->imports[j].kind == im->kind;
  memset(out, 0, sizeof *out);
  out->module = im->module;
  out->name = im->name;
  out->name_len = im->name_len;
  describe(mod, im->kind, idx, out);
  return 0;
}

int wm_module_export(const wm_module *mod, uint32_t i, wm_extern_desc *out) {
  if (!mod || !out || i >= mod->nexports) return WM_EINVAL;
  const wm_export *ex = &mod->exports[i];
  memset(out, 0, sizeof *out);
  out->name = ex->name;
  out->name_len = ex->name_len;
  describe(mod, ex->kind, ex->idx, out);
  return 0;
}

const char *wm_module_func_name(const wm_module *mod, uint32_t idx) {
  if (!mod || !mod->func_names || idx >= mod->nfuncs) return NULL;
  return mod->func_names[idx];
}

void wm_module_get_info(const wm_module *mod, wm_module_info *out) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  if (!mod) return;
  out->name = mod->module_name;
  out->ntypes = mod->ntypes;
  out->nfuncs = mod->nfuncs;
  out->nfunc_imports = mod->nfunc_imports;
  out->ntables = mod->ntables;
  out->ntable_imports = mod->ntable_imports;
  out->nmems = mod->nmems;
  out->nmem_imports = mod->nmem_imports;
  out->nglobals = mod->nglobals;
  out->nglobal_imports = mod->nglobal_imports;
  out->ntags = mod->ntags;
  out->ntag_imports = mod->ntag_imports;
  out->nelems = mod->nelems;
  out->ndatas = mod->ndatas;
  out->has_start = mod->has_start;
  out->start = mod->start;
}

int wm_module_entity(const wm_module *mod, wm_externkind kind, uint32_t i, wm_extern_desc *out) {
  if (!mod || !out) return WM_EINVAL;
  uint32_t n = 0;
  switch (kind) {
    case WM_EXTERN_FUNC: n = mod->nfuncs; break;
    case WM_EXTERN_TABLE: n = mod->ntables; break;
    case WM_EXTERN_MEMORY: n = mod->nmems; break;
    case WM_EXTERN_GLOBAL: n = mod->nglobals; break;
    case WM_EXTERN_TAG: n = mod->ntags; break;
    default: return WM_EINVAL;
  }
  if (i >= n) return WM_EINVAL;
  memset(out, 0, sizeof *out);
  describe(mod, kind, i, out);
  return WM_OK;
}

/* A constant i32/i64 offset is known statically; global.get is not. */
static void segment_offset(const wm_constexpr *e, wm_segment_desc *out) {
  out->offset_known = e->op == 0x41 || e->op == 0x42;
  out->offset = e->op == 0x41 ? (uint64_t)(uint32_t)e->bits : e->bits;
  if (!out->offset_known) out->offset = 0;
}

int wm_module_data(const wm_module *mod, uint32_t i, wm_segment_desc *out) {
  if (!mod || !out || i >= mod->ndatas) return WM_EINVAL;
  const wm_data *d = &mod->datas[i];
  memset(out, 0, sizeof *out);
  out->mode = (wm_segment_mode)d->mode;
  out->count = d->len;
  if (d->mode == WM_SEG_ACTIVE) {
    out->target = d->mem;
    segment_offset(&d->offset, out);
  }
  return WM_OK;
}

int wm_module_elem(const wm_module *mod, uint32_t i, wm_segment_desc *out) {
  if (!mod || !out || i >= mod->nelems) return WM_EINVAL;
  const wm_elem *e = &mod->elems[i];
  memset(out, 0, sizeof *out);
  out->mode = (wm_segment_mode)e->mode;
  out->count = e->count;
  out->elem_type = wm__is_reftype(e->type) ? (wm_valtype)wm__vt_top(e->type) : e->type; /* its kind */
  if (e->mode == WM_SEG_ACTIVE) {
    out->target = e->table;
    segment_offset(&e->offset, out);
  }
  return WM_OK;
}
