/* SPDX-License-Identifier: MIT */
/*
** aot_bt.c -- backtraces of compiled code: the wasm functions between the
** innermost wm__aot_run and a trap, innermost first, in the interpreter's
** format (wm__bt_append), so that a trap reads the same in both tiers.
**
** Nothing is recorded while compiled code runs: at the trap, the helper
** that raises it (or the fault handler, aot_guard.c) takes the thread's
** return addresses with glibc's backtrace() (the unwinder reads the
** objects' .eh_frame, which the C compilers emit by default), and
** wm__aot_run names them after the jump back. Each address is looked up
** in the object's own symbol table (.symtab, read from its file at the
** first trap): the generated functions are named fN (N the wasm index)
** and their entries eN, and whatever the compiler made of them keeps the
** name with a suffix (fN.cold, fN.isra.0, fN.part.0), so hot/cold parts,
** clones, the static helpers between functions (numeric.h's, wm_trap_in)
** and the parts of a split object are all told apart by their symbols, with
** exact sizes. A return address is looked up one byte back (inside its
** call); a fault's own instruction as it is.
**
** The chain: the addresses before the first of the object's functions
** are the runtime's (the helper, the handler); the functions' run ends at
** the first address that is not one of them (wm__aot_run). Entries are
** left out (an entry calls its function through an opaque pointer, so its
** frame is always followed by the function's), and so is the outermost
** function, the one the interpreter entered, whose frame the interpreter
** lists. A function the C compiler inlined into its caller has no frame
** and does not appear, except the trap's own: every trap site passes its
** function's index (wm_trap_in), named first when the innermost frame is
** another's. Where the unwind stops inside the object (no unwind tables),
** or no backtrace() exists, or the symbol table is stripped, only that
** site is named: the interpreter's frames remain, as before.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <execinfo.h>
#define WM_HAVE_BACKTRACE 1
#endif

#include "aot.h"
#include "aot_bt.h"
#include "util.h"

typedef struct bt_sym {
  uintptr_t lo, hi;
  uint32_t idx;  /* the wasm function's index */
  uint8_t entry; /* eN, not fN */
} bt_sym;

struct wm_aot_syms {
  size_t n;
  bt_sym *v;
};

void wm__aot_bt_capture(wm_aot_bt *bt, uint32_t site, const void *pc) {
#ifdef WM_HAVE_BACKTRACE
  bt->n = backtrace(bt->pcs, WM_AOT_BT_MAX);
  if (bt->n < 0) bt->n = 0;
#else
  bt->n = 0;
#endif
  bt->site = site;
  bt->pc = pc;
}

static void warm_once(void) {
#ifdef WM_HAVE_BACKTRACE
  void *pcs[2];
  (void)backtrace(pcs, 2);
#endif
}

void wm__aot_bt_warm(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  (void)pthread_once(&once, warm_once);
}

/* "fN" or "eN", with or without a ".suffix": N, else UINT32_MAX. */
static uint32_t sym_func(const char *name, uint8_t *entry) {
  if (name[0] != 'f' && name[0] != 'e') return UINT32_MAX;
  uint64_t v = 0;
  const char *p = name + 1;
  if (*p < '0' || *p > '9') return UINT32_MAX;
  for (; *p >= '0' && *p <= '9'; p++) {
    v = v * 10 + (uint64_t)(*p - '0');
    if (v >= UINT32_MAX) return UINT32_MAX;
  }
  if (*p && *p != '.') return UINT32_MAX;
  *entry = name[0] == 'e';
  return (uint32_t)v;
}

static int by_lo(const void *x, const void *y) {
  const bt_sym *a = x, *b = y;
  return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* n bytes of fd at off, allocated; NULL where the file has not them. */
static void *read_at(int fd, uint64_t size, uint64_t off, uint64_t n) {
  if (off > size || n > size - off || n == 0 || n > SIZE_MAX) return NULL;
  uint8_t *p = wm__malloc((size_t)n);
  size_t got = 0;
  while (p && got < n) {
    ssize_t r = pread(fd, p + got, (size_t)n - got, (off_t)(off + got));
    if (r <= 0) {
      wm__free(p);
      return NULL;
    }
    got += (size_t)r;
  }
  return p;
}

#define SYM_(x) #x
#define SYM(x) SYM_(x)

/* The functions of the object's symbol table, sorted, into s (left empty
** where the file cannot tell: stripped, unreadable, or not the object
** loaded, which its descriptor's address checks). */
static void read_syms(const wm_aot_lib *l, const wm_module *mod, struct wm_aot_syms *s) {
  struct link_map *lm = NULL;
  if (dlinfo(l->handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm || l->fd < 0) return;
  int fd = l->fd;
  struct stat st;
  ElfW(Ehdr) eh;
  ElfW(Shdr) *sh = NULL;
  ElfW(Sym) *syms = NULL;
  char *str = NULL;
  if (fstat(fd, &st) != 0 || pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
      memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_shentsize != sizeof(ElfW(Shdr)))
    goto done;
  uint64_t size = (uint64_t)st.st_size;
  sh = read_at(fd, size, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof *sh);
  if (!sh) goto done;
  const ElfW(Shdr) *ts = NULL;
  for (uint32_t i = 0; i < eh.e_shnum && !ts; i++)
    if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_entsize == sizeof(ElfW(Sym)) &&
        sh[i].sh_link < eh.e_shnum && sh[sh[i].sh_link].sh_type == SHT_STRTAB)
      ts = &sh[i];
  if (!ts) goto done;
  const ElfW(Shdr) *ss = &sh[ts->sh_link];
  size_t nsyms = (size_t)(ts->sh_size / sizeof(ElfW(Sym)));
  syms = read_at(fd, size, ts->sh_offset, (uint64_t)nsyms * sizeof *syms);
  str = read_at(fd, size, ss->sh_offset, ss->sh_size);
  if (!syms || !str || str[ss->sh_size - 1] != 0) goto done;
  s->v = wm__malloc((nsyms ? nsyms : 1) * sizeof *s->v);
  if (!s->v) goto done;
  bool desc_seen = false;
  for (size_t i = 0; i < nsyms; i++) {
    const ElfW(Sym) *y = &syms[i];
    if (y->st_name >= ss->sh_size || y->st_shndx == SHN_UNDEF) continue;
    const char *name = str + y->st_name;
    uintptr_t at = (uintptr_t)lm->l_addr + (uintptr_t)y->st_value;
    if (strcmp(name, SYM(WM_AOT_SYMBOL)) == 0) desc_seen = at == (uintptr_t)l->desc;
    uint8_t entry = 0;
    uint32_t idx = ELF64_ST_TYPE(y->st_info) == STT_FUNC && y->st_size ? sym_func(name, &entry)
                                                                       : UINT32_MAX;
    if (idx < mod->nfunc_imports || idx >= mod->nfuncs) continue;
    s->v[s->n++] = (bt_sym){at, at + (uintptr_t)y->st_size, idx, entry};
  }
  if (!desc_seen) s->n = 0;
  qsort(s->v, s->n, sizeof *s->v, by_lo);
done:
  wm__free(sh);
  wm__free(syms);
  wm__free(str);
}

static const struct wm_aot_syms *syms_of(wm_aot_lib *l, const wm_module *mod) {
  struct wm_aot_syms *s = atomic_load_explicit(&l->syms, memory_order_acquire);
  if (s) return s;
  s = wm__calloc(1, sizeof *s);
  if (!s) return NULL;
  read_syms(l, mod, s);
  struct wm_aot_syms *none = NULL;
  if (!atomic_compare_exchange_strong_explicit(&l->syms, &none, s, memory_order_acq_rel,
                                               memory_order_acquire)) {
    wm__free(s->v);
    wm__free(s);
    s = none;
  }
  return s;
}

void wm__aot_bt_free(wm_aot_lib *l) {
  struct wm_aot_syms *s = atomic_load_explicit(&l->syms, memory_order_acquire);
  if (!s) return;
  wm__free(s->v);
  wm__free(s);
  atomic_store_explicit(&l->syms, NULL, memory_order_relaxed);
}

static const bt_sym *lookup(const struct wm_aot_syms *s, uintptr_t pc) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) { /* the first symbol starting past pc */
    size_t mid = lo + (hi - lo) / 2;
    if (s->v[mid].lo <= pc) lo = mid + 1;
    else hi = mid;
  }
  return lo && pc < s->v[lo - 1].hi ? &s->v[lo - 1] : NULL;
}

void wm__aot_bt_format(wm_instance *inst, uint32_t entered, const wm_aot_bt *bt, int code,
                       char *msg, size_t cap) {
  const wm_module *mod = inst->mod;
  const struct wm_aot_syms *s = bt->n > 0 ? syms_of(mod->aot, mod) : NULL;
  uint32_t chain[WM_AOT_BT_MAX + 1];
  int nc = 1; /* chain[0]: room for the site */
  bool started = false, ended = false;
  for (int i = 0; s && i < bt->n && !ended; i++) {
    uintptr_t pc = (uintptr_t)bt->pcs[i];
    const bt_sym *y = lookup(s, pc == (uintptr_t)bt->pc ? pc : pc - 1);
    if (!y)
      ended = started;
    else if (!y->entry)
      chain[nc++] = y->idx;
    started |= y != NULL;
  }
  /* Stopped inside the object, not for want of room: frames lost. */
  if (!ended && (!s || bt->n < WM_AOT_BT_MAX)) nc = 1;
  if (ended && nc > 1 && chain[nc - 1] == entered) nc--;
  int first = 1;
  if (bt->site < mod->nfuncs && bt->site != (nc > 1 ? chain[1] : entered)) {
    chain[0] = bt->site;
    first = 0;
  }
  if (first == nc) return;
  if (!msg[0]) snprintf(msg, cap, "%s", wm_strerror(code));
  for (int i = first; i < nc; i++)
    if (!wm__bt_append(msg, cap, inst->funcs[chain[i]], UINT32_MAX)) break;
}
