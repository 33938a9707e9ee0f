/* SPDX-License-Identifier: MIT */
/*
** pool.c -- the memory pool (wm_pool): address-space slots reserved once and
** reused by the linear memories of many runtimes, on any thread, so that a
** host making an instance per request does not map, fault in page tables
** and unmap a reservation each time.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runtime.h"

#define PAGE_SIZE 65536u
#define DEFAULT_SLOT_BYTES ((uint64_t)65536 * PAGE_SIZE) /* a full wasm32 memory */
#define DEFAULT_MAX_SLOTS 1000u
/* The most of each free slot kept mapped (keep_resident_bytes: default, cap)
** and the page size mincore counts in: 4 KiB on the hosts we build for,
** checked by wm_pool_new. */
#define DEFAULT_KEEP ((uint64_t)2 << 20)
#define KEEP_MAX ((uint64_t)16 << 20)
#define HOST_PAGE 4096u

typedef struct pool_slot {
  uint8_t *base;         /* NULL until first used: reserved lazily */
  uint64_t rw;           /* bytes from base readable and writable now */
} pool_slot;

struct wm_pool {
  uint64_t slot_bytes;
  uint32_t max_slots;
  uint64_t keep_resident; /* a multiple of HOST_PAGE, at most KEEP_MAX */
  /* One reference for the embedder's handle and one per runtime made with
  ** the pool: the last to go unmaps the slots (all of them free by then). */
  atomic_uint refs;
  pthread_mutex_t lock;  /* guards what follows */
  pool_slot *slots;      /* max_slots records; the first nslots reserved */
  uint32_t nslots;
  uint32_t *free_list;   /* indexes of free reserved slots, last freed last */
  uint32_t nfree;
  uint64_t fallbacks;
};

int wm_pool_new(const wm_pool_options *opts, wm_pool **out, wm_error *err) {
  if (!out) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_pool_new: out is NULL");
  *out = NULL;
  wm_pool_options o = {0};
  if (opts) o = *opts;
  if (!o.slot_bytes) o.slot_bytes = DEFAULT_SLOT_BYTES;
  if (!o.max_slots) o.max_slots = DEFAULT_MAX_SLOTS;
  if (!o.keep_resident_bytes) o.keep_resident_bytes = DEFAULT_KEEP;
  if (o.keep_resident_bytes > KEEP_MAX) o.keep_resident_bytes = KEEP_MAX;
  if (sysconf(_SC_PAGESIZE) != HOST_PAGE) o.keep_resident_bytes = 0; /* memset nothing */
  if (o.slot_bytes % PAGE_SIZE || o.slot_bytes > DEFAULT_SLOT_BYTES)
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "wm_pool_options.slot_bytes: %llu is not a multiple of 65536 up to 4 GiB",
                     (unsigned long long)o.slot_bytes);
  wm_pool *p = wm__calloc(1, sizeof *p);
  if (!p) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  p->slots = wm__calloc(o.max_slots, sizeof *p->slots);
  p->free_list = wm__calloc(o.max_slots, sizeof *p->free_list);
  if (!p->slots || !p->free_list || pthread_mutex_init(&p->lock, NULL) != 0) {
    wm__free(p->slots);
    wm__free(p->free_list);
    wm__free(p);
    return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  }
  p->slot_bytes = o.slot_bytes;
  p->max_slots = o.max_slots;
  p->keep_resident = o.keep_resident_bytes / HOST_PAGE * HOST_PAGE;
  atomic_init(&p->refs, 1);
  *out = p;
  return WM_OK;
}

void wm__pool_retain(wm_pool *p) { atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed); }

/* The last reference: every runtime made with the pool is gone, so every
** slot is free and nothing else can reach the pool. */
void wm__pool_release(wm_pool *p) {
  if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1) return;
  for (uint32_t i = 0; i < p->nslots; i++)
    if (p->slots[i].base) munmap(p->slots[i].base, (size_t)p->slot_bytes);
  pthread_mutex_destroy(&p->lock);
  wm__free(p->slots);
  wm__free(p->free_list);
  wm__free(p);
}

void wm_pool_free(wm_pool *pool) {
  if (pool) wm__pool_release(pool);
}

void wm_pool_get_usage(wm_pool *pool, wm_pool_usage *out) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  if (!pool) return;
  pthread_mutex_lock(&pool->lock);
  out->slots = pool->nslots;
  out->in_use = pool->nslots - pool->nfree;
  out->fallbacks = pool->fallbacks;
  pthread_mutex_unlock(&pool->lock);
}

/* Set a slot's accessible bytes to `bytes`; the pages past them are zero
** already (wm__pool_give), so only protections change. */
static int set_rw(pool_slot *s, uint64_t bytes) {
  int rc = 0;
  if (bytes > s->rw)
    rc = mprotect(s->base + s->rw, (size_t)(bytes - s->rw), PROT_READ | PROT_WRITE);
  else if (bytes < s->rw)
    rc = mprotect(s->base + bytes, (size_t)(s->rw - bytes), PROT_NONE);
  if (rc == 0) s->rw = bytes;
  return rc;
}

int wm__pool_take(wm_pool *p, uint64_t max_bytes, uint64_t bytes, wm_memory *m) {
  pthread_mutex_lock(&p->lock);
  uint32_t i = UINT32_MAX;
  if (max_bytes <= p->slot_bytes) {
    if (p->nfree) {
      i = p->free_list[--p->nfree];
    } else if (p->nslots < p->max_slots) {
      i = p->nslots++; /* reserved below, outside the lock */
    }
  }
  if (i == UINT32_MAX) p->fallbacks++;
  pthread_mutex_unlock(&p->lock);
  if (i == UINT32_MAX) return 1;

  pool_slot *s = &p->slots[i];
  if (!s->base) {
    void *a = mmap(NULL, (size_t)p->slot_bytes, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    s->base = a == MAP_FAILED ? NULL : a;
    s->rw = 0;
  }
  if (!s->base || set_rw(s, bytes) != 0) {
    /* A slot that could not be reserved is kept, empty, and reserved again
    ** by its next taker; one whose protections did not change is as it
    ** was. */
    pthread_mutex_lock(&p->lock);
    p->free_list[p->nfree++] = i;
    pthread_mutex_unlock(&p->lock);
    return -1;
  }
  m->base = s->base;
  m->reserved = (size_t)p->slot_bytes;
  m->pool = p;
  m->slot = i;
  return 0;
}

/* Zero [off, off + len) of a slot: drop the pages (the kernel hands out
** zero pages at the next touch). Only needed where no page is mapped, or
** past what the pool keeps, so that it rarely has to flush the TLB. Should
** the call fail (it cannot for a private anonymous mapping), the bytes are
** cleared by hand rather than passed on to the next memory. */
static void drop(uint8_t *base, size_t off, size_t len) {
  if (len && madvise(base + off, len, MADV_DONTNEED) != 0) memset(base + off, 0, len);
}

/*
** The runs a give drops, gathered so that one process_madvise drops them
** all: a system call costs microseconds in a virtual machine, and a
** memory has a run between each two runs of pages it touched. Linux takes
** MADV_DONTNEED for the calling process there since 6.13, named by the
** PIDFD_SELF handles of 6.15; elsewhere the call fails (EBADF, EINVAL),
** and `batch_ok`, a process-wide probe, turns to one madvise a run.
*/
#ifndef PIDFD_SELF_THREAD_GROUP
#define PIDFD_SELF_THREAD_GROUP (-10001)
#endif
enum { DROP_BATCH = 64 };
static _Atomic int batch_ok = 1; /* 1 untried or working, 0 not offered */
/* Tests: take every kept page for swapped out (bit 0), never batch (bit 1),
** ask mincore rather than the pagemap (bit 2). */
int wm__pool_test_mode;

typedef struct drops {
  struct iovec v[DROP_BATCH];
  int n;
  size_t total;
} drops;

static void drops_flush(drops *d) {
  if (d->n == 0) return;
  bool done = false;
#ifdef SYS_process_madvise
  if (d->n > 1 && !(wm__pool_test_mode & 2) &&
      atomic_load_explicit(&batch_ok, memory_order_relaxed)) {
    long r = syscall(SYS_process_madvise, PIDFD_SELF_THREAD_GROUP, d->v, (size_t)d->n,
                     MADV_DONTNEED, 0u);
    done = r >= 0 && (size_t)r == d->total;
    if (r < 0) atomic_store_explicit(&batch_ok, 0, memory_order_relaxed);
  }
#endif
  /* Each run on its own, also after a batch that stopped part way (to
  ** drop a page twice is harmless). */
  for (int i = 0; i < d->n && !done; i++) drop(d->v[i].iov_base, 0, d->v[i].iov_len);
  d->n = 0;
  d->total = 0;
}

static void drops_add(drops *d, uint8_t *p, size_t len) {
  if (!len) return;
  if (d->n == DROP_BATCH) drops_flush(d);
  d->v[d->n].iov_base = p;
  d->v[d->n].iov_len = len;
  d->n++;
  d->total += len;
}

/*
** What each kept page holds, as wm__pool_give needs it: PG_ZERO (never
** touched, or dropped: the kernel hands out a zero page at the next
** touch), PG_RESIDENT (in memory: cleared with memset) or PG_DROP (not in
** memory but maybe not zero: swapped out). /proc/self/pagemap tells all
** three in one read; where it cannot be opened (no /proc), mincore tells
** resident or not, and every page not resident is dropped, a second
** system call (about a microsecond in a virtual machine, as much as the
** rest of a small instance's making and freeing).
**
** PG_ZERO rests on the slot being private and anonymous (a shared memory
** never takes a slot: wm__memory_create): such a page's entry is present,
** a swap-type entry (swapped, being migrated, a marker: the kernel reports
** all of them with bit 62), or empty, and an empty entry is filled with
** zeros at the next touch. A shared mapping would break this: its pages
** can leave the page table while they still hold data.
*/
enum { PG_ZERO, PG_RESIDENT, PG_DROP };
#define PM_PRESENT ((uint64_t)1 << 63)
#define PM_SWAP ((uint64_t)1 << 62)
enum { PM_CHUNK = 512 }; /* entries read at a time: 4 KiB of stack */

/* The process's pagemap: -1 not opened yet, -2 not offered (then mincore).
** A file of /proc/self is the process that opened it, so a forked child
** must not read its parent's: pthread_atfork forgets it in the child. */
static _Atomic int pagemap_fd = -1;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void pagemap_forget(void) {
  int fd = atomic_exchange(&pagemap_fd, -1);
  if (fd >= 0) close(fd);
}

static void atfork_register(void) { (void)pthread_atfork(NULL, NULL, pagemap_forget); }

static int pagemap(void) {
  if (wm__pool_test_mode & 4) return -2;
  (void)pthread_once(&atfork_once, atfork_register);
  int fd = atomic_load(&pagemap_fd);
  if (fd != -1) return fd;
  int mine = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), want = mine >= 0 ? mine : -2;
  if (atomic_compare_exchange_strong(&pagemap_fd, &fd, want)) return want;
  if (mine >= 0) close(mine); /* another thread opened it first */
  return fd;
}

/* The states of the n pages from base into st; false if neither way
** answers (then every page is dropped). */
static bool page_states(uint8_t *base, size_t n, unsigned char *st) {
  int fd = pagemap();
  if (fd >= 0) {
    uint64_t e[PM_CHUNK];
    for (size_t i = 0; i < n;) {
      size_t k = n - i < PM_CHUNK ? n - i : PM_CHUNK;
      off_t at = (off_t)((uintptr_t)(base + i * HOST_PAGE) / HOST_PAGE * sizeof *e);
      if (pread(fd, e, k * sizeof *e, at) != (ssize_t)(k * sizeof *e)) goto by_mincore;
      for (size_t j = 0; j < k; j++)
        st[i + j] = e[j] & PM_PRESENT ? PG_RESIDENT : e[j] & PM_SWAP ? PG_DROP : PG_ZERO;
      i += k;
    }
    return true;
  }
by_mincore:
  if (mincore(base, n * HOST_PAGE, st) != 0) return false;
  for (size_t i = 0; i < n; i++) st[i] = st[i] & 1 ? PG_RESIDENT : PG_DROP;
  return true;
}

/*
** Zero what the memory held before anyone else can take the slot, so no
** byte of one instance reaches another. The first keep_resident bytes stay
** mapped: the pages the memory touched (those resident) are cleared with
** memset, which costs no system call, no TLB flush (a shootdown is dear in
** a virtual machine) and no page fault when the next memory touches them
** again; pages never touched are left alone, and those that may hold data
** elsewhere (swapped out) are dropped (page_states). Past keep_resident
** all is dropped. The pages stay accessible; the next taker sets the
** protections it needs.
*/
void wm__pool_give(wm_memory *m) {
  wm_pool *p = m->pool;
  pool_slot *s = &p->slots[m->slot];
  size_t size = (size_t)m->size;
  size_t keep = size < p->keep_resident ? size : (size_t)p->keep_resident;
  s->rw = m->size;
  unsigned char st[KEEP_MAX / HOST_PAGE];
  if (keep && !page_states(s->base, keep / HOST_PAGE, st)) keep = 0;
  if (wm__pool_test_mode & 1) memset(st, PG_DROP, keep / HOST_PAGE);
  size_t npages = keep / HOST_PAGE, i = 0;
  drops d;
  d.n = 0;
  d.total = 0;
  while (i < npages) {
    size_t j = i;
    unsigned char what = st[i];
    while (j < npages && st[j] == what) j++;
    if (what == PG_RESIDENT)
      memset(s->base + i * HOST_PAGE, 0, (j - i) * HOST_PAGE);
    else if (what == PG_DROP)
      drops_add(&d, s->base + i * HOST_PAGE, (j - i) * HOST_PAGE);
    i = j;
  }
  drops_add(&d, s->base + keep, size - keep);
  drops_flush(&d);
  pthread_mutex_lock(&p->lock);
  p->free_list[p->nfree++] = m->slot;
  pthread_mutex_unlock(&p->lock);
}
