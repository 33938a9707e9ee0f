/* SPDX-License-Identifier: MIT */
/*
** cache.c -- the code cache: what loading learnt about a module's bytes
** (every body validated; where each body's code starts and how many locals
** it declares), written to a buffer or a cache directory so that the next
** load of the same bytes skips validating the bodies and walking their
** headers -- on a 30 MB module, most of a cold start.
**
** The file is checked, never trusted. Its header names the format, the
** wasmem build and the module (length and 128-bit hash); a checksum covers
** the whole file. The body table is then checked against the code section
** by the decoder (decode.c, code_from_cache), and a body is validated when
** it is lowered whatever the cache said, so a forged file can at most move
** a validation error from the load to a function's first call.
**
** The file may also carry a list of the functions a run called, in the
** order of their first call (WM_MODULE_PRELOWER): a hint of what to lower
** ahead, on a thread of its own, at the next load. Each entry is checked to
** name a defined function; the worst a forged list can do is have some
** other functions lowered (and validated) early.
**
** Layout, little-endian:
**    0  magic "\0wmcache"               8 bytes
**    8  format version (CACHE_FORMAT)   u32
**   12  zero                            u32
**   16  engine: hash of ENGINE          16 bytes
**   32  module length                   u64
**   40  module hash (wm_module_hash)    16 bytes
**   56  defined functions n             u32
**   60  first calls m (at most n)       u32
**   64  n x {body offset, body length, code start, locals}   4 x u32 each
**   ..  m x defined function (0 the first defined)            u32 each
**   ..  lowered code (optional: absent when the file holds none):
**         loop (WM_LOOP_*) it was lowered for, entries k         2 x u32
**         the instruction set's id (isa_id)                      16 bytes
**         k x {defined function, cells c, constants nk, trap map entries
**              np, frame slots, local slots (params included)}  6 x u32
**             c cells, each instruction's head as its op number (then 0)
**             nk constants u64, np trap map cells, np trap map offsets
**             (c = 0: the function was lowered and cannot be cached)
**   ..  checksum: hash of all the bytes above                 16 bytes
**
** Lowered code is read back only after wm__code_trust (code_check.c) has
** proved it harmless: no instruction outside an allow-list of numeric,
** memory 0, control and call instructions, every entity it names in
** range and free of references, its shape sound. A forged entry that
** fails is ignored and its function lowered from its body as usual. Code
** read back is not validated again: see docs/SECURITY.md.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module.h"
#include "ops.h"

#define CACHE_FORMAT 3u
/* The build a file belongs to. Bump the revision whenever what the
** validator accepts, or what the decoder records per body, changes: a file
** of an older build would otherwise vouch for bodies the new validator
** would refuse at load. */
#define ENGINE "wasmem " WM_VERSION " cache revision 2"
#define HEADER 64u
#define ENTRY 16u
#define TRAILER 16u
#define LC_HEAD 24u   /* the lowered code's loop, count and instruction set */
#define LC_ENTRY 24u  /* an entry's six numbers */

static const uint8_t magic[8] = {0, 'w', 'm', 'c', 'a', 'c', 'h', 'e'};

/* --------------------------------------------------------------- the hash */

/* A 128-bit hash of our own, four 64-bit lanes of multiply-rotate rounds
** over 32-byte stripes (about 10 GB/s here), folded and finalised twice.
** It keys and checksums cache files; nothing rests on its resisting a
** forger (see the file's header), so speed matters more than cryptography.
** The library keeps no dependency beyond libc for it. */
/* Odd multipliers with no structure: the fractional bits of the golden
** ratio, of sqrt(5), sqrt(2) (made odd) and sqrt(3). */
#define M1 0x9E3779B97F4A7C15ull
#define M2 0x3C6EF372FE94F82Bull
#define M3 0x6A09E667F3BCC909ull
#define M4 0xBB67AE8584CAA73Bull

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t get64(const uint8_t *p) {
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
         (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
         (uint64_t)p[7] << 56;
}

static inline uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t mix(uint64_t acc, uint64_t w) { return rotl(acc + w * M2, 29) * M1; }

static inline uint64_t avalanche(uint64_t h) {
  h ^= h >> 32;
  h *= M3;
  h ^= h >> 29;
  h *= M4;
  return h ^ (h >> 32);
}

void wm__hash_init(wm_hasher *h) {
  h->v[0] = M1 + M2;
  h->v[1] = M2 ^ M3;
  h->v[2] = M3 - M4;
  h->v[3] = M4 + M1;
  h->len = 0;
  h->ntail = 0;
}

/* Whole 32-byte stripes only. */
static void stripes(wm_hasher *h, const uint8_t *p, size_t n) {
  uint64_t v0 = h->v[0], v1 = h->v[1], v2 = h->v[2], v3 = h->v[3];
  for (const uint8_t *end = p + n; p < end; p += 32) {
    v0 = mix(v0, get64(p));
    v1 = mix(v1, get64(p + 8));
    v2 = mix(v2, get64(p + 16));
    v3 = mix(v3, get64(p + 24));
  }
  h->v[0] = v0, h->v[1] = v1, h->v[2] = v2, h->v[3] = v3;
}

void wm__hash_update(wm_hasher *h, const uint8_t *p, size_t n) {
  h->len += n;
  if (h->ntail) {
    size_t k = 32 - h->ntail < n ? 32 - h->ntail : n;
    memcpy(h->tail + h->ntail, p, k);
    h->ntail += (uint32_t)k;
    p += k;
    n -= k;
    if (h->ntail < 32) return;
    stripes(h, h->tail, 32);
    h->ntail = 0;
  }
  size_t whole = n & ~(size_t)31;
  stripes(h, p, whole);
  memcpy(h->tail, p + whole, n - whole);
  h->ntail = (uint32_t)(n - whole);
}

void wm__hash_final(wm_hasher *h, uint8_t out[16]) {
  /* The tail: whole words, then the last bytes with their count, so that
  ** trailing zero bytes change the hash. */
  const uint8_t *p = h->tail;
  size_t n = h->ntail;
  uint64_t *v = h->v, len = h->len;
  int lane = 0;
  for (; n >= 8; p += 8, n -= 8, lane++) v[lane] = mix(v[lane], get64(p));
  uint64_t last = (uint64_t)n << 56;
  for (size_t i = 0; i < n; i++) last |= (uint64_t)p[i] << (8 * i);
  v[lane & 3] = mix(v[lane & 3], last);
  uint64_t a = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18) + len;
  uint64_t b = (v[0] ^ rotl(v[2], 23)) * M3 + (v[1] ^ rotl(v[3], 41)) * M4 + ~len;
  a = avalanche(a ^ avalanche(b));
  b = avalanche(b + a * M2);
  put64(out, a);
  put64(out + 8, b);
}

void wm_module_hash(const uint8_t *bytes, size_t len, uint8_t out[16]) {
  wm_hasher h;
  wm__hash_init(&h);
  if (bytes) wm__hash_update(&h, bytes, len);
  wm__hash_final(&h, out);
}

/* -------------------------------------------------------- writing a file */

static void engine_id(uint8_t out[16]) {
  wm_module_hash((const uint8_t *)ENGINE, sizeof ENGINE - 1, out);
}

static uint32_t ndefined(const wm_module *mod) { return mod->nfuncs - mod->nfunc_imports; }

size_t wm__cache_size(const wm_module *mod, uint32_t nlist) {
  return HEADER + (size_t)ndefined(mod) * ENTRY + (size_t)nlist * 4 + TRAILER;
}

void wm__cache_fill(const wm_module *mod, const uint8_t key[16], const uint32_t *list,
                    uint32_t nlist, const uint8_t *lc, size_t nlc, uint8_t *out) {
  uint32_t n = ndefined(mod);
  memset(out, 0, HEADER);
  memcpy(out, magic, sizeof magic);
  put32(out + 8, CACHE_FORMAT);
  engine_id(out + 16);
  put64(out + 32, mod->len);
  memcpy(out + 40, key, 16);
  put32(out + 56, n);
  put32(out + 60, nlist);
  uint8_t *t = out + HEADER;
  for (uint32_t i = 0; i < n; i++, t += ENTRY) {
    const wm_funcdef *fd = &mod->funcs[mod->nfunc_imports + i];
    put32(t, fd->body_off);
    put32(t + 4, fd->body_len);
    put32(t + 8, fd->code_start);
    put32(t + 12, fd->nlocals);
  }
  for (uint32_t i = 0; i < nlist; i++, t += 4) put32(t, list[i]);
  if (nlc) memcpy(t, lc, nlc);
  t += nlc;
  wm_module_hash(out, (size_t)(t - out), t);
}

/* ------------------------------------------------------ lowered code */

/* The instruction set lowered code is written in: every op's name and
** operand layout, and the engine. A build whose ops are numbered or laid
** out otherwise does not read the code (the trust checks would keep it
** safe, not right). Bump ENGINE's revision when an op's meaning changes. */
static void isa_id(uint8_t out[16]) {
  wm_hasher h;
  wm__hash_init(&h);
  wm__hash_update(&h, (const uint8_t *)ENGINE, sizeof ENGINE);
  for (uint32_t op = 0; op < WM_OP_COUNT_; op++) {
    const char *name = wm__op_name((wm_op)op), *l = wm__op_layout((wm_op)op);
    if (!l) l = "*";
    wm__hash_update(&h, (const uint8_t *)name, strlen(name) + 1);
    wm__hash_update(&h, (const uint8_t *)l, strlen(l) + 1);
  }
  wm__hash_final(&h, out);
}

/* The bytes of the entry at p (left bytes on), 0 if it does not fit. */
static size_t entry_size(const uint8_t *p, size_t left) {
  if (left < LC_ENTRY) return 0;
  uint64_t n = LC_ENTRY + (uint64_t)get32(p + 4) * 4 + (uint64_t)get32(p + 8) * 8 +
               (uint64_t)get32(p + 12) * 8;
  return n <= left ? (size_t)n : 0;
}

int wm__lcache_index(const uint8_t *lc, size_t len, uint32_t ndef, unsigned *loop,
                     uint32_t *index) {
  if (len < LC_HEAD) return -1;
  uint32_t k = get32(lc + 4);
  uint8_t id[16];
  isa_id(id);
  *loop = memcmp(id, lc + 8, 16) == 0 ? get32(lc) : UINT32_MAX;
  size_t at = LC_HEAD;
  if (index)
    for (uint32_t d = 0; d < ndef; d++) index[d] = WM_LC_NONE;
  for (uint32_t i = 0; i < k; i++) {
    size_t n = entry_size(lc + at, len - at);
    uint32_t d = n ? get32(lc + at) : UINT32_MAX;
    if (d >= ndef) return -1;
    if (index && index[d] == WM_LC_NONE)
      index[d] = get32(lc + at + 4) ? (uint32_t)at : WM_LC_REFUSED;
    at += n;
  }
  return at == len && len <= UINT32_MAX ? 0 : -1;
}

int wm__lcache_install(wm_module *mod, uint32_t idx, wm_code *c, const char **why) {
  *why = NULL;
  uint32_t d = idx - mod->nfunc_imports, at = mod->lc_index[d];
  if (at >= WM_LC_REFUSED) return -1;
  const uint8_t *p = mod->lc + at;
  uint32_t ncode = get32(p + 4), nk = get32(p + 8), np = get32(p + 12);
  size_t nc = (size_t)ncode * 4, nkb = (size_t)nk * 8, npb = (size_t)np * 4;
  uint64_t size = (uint64_t)nc + nkb + 2 * (uint64_t)npb;
  if (atomic_load_explicit(&mod->code_bytes, memory_order_relaxed) + size > mod->code_limit)
    return -1; /* lowering will say so */
  memset(c, 0, sizeof *c);
  uint8_t *block = wm__code_alloc(mod, ((size_t)size + 7) & ~(size_t)7);
  if (block) {
    c->consts = (uint64_t *)block; /* 8-aligned first */
    c->code = (uint32_t *)(block + nkb);
    c->pcmap_cell = (uint32_t *)(block + nkb + nc);
    c->pcmap_off = (uint32_t *)(block + nkb + nc + npb);
    c->in_arena = true;
  } else {
    c->consts = wm__malloc(nkb ? nkb : 1);
    c->code = wm__malloc(nc ? nc : 1);
    c->pcmap_cell = wm__malloc(npb ? npb : 1);
    c->pcmap_off = wm__malloc(npb ? npb : 1);
    if (!c->consts || !c->code || !c->pcmap_cell || !c->pcmap_off) {
      wm__free(c->consts), wm__free(c->code), wm__free(c->pcmap_cell), wm__free(c->pcmap_off);
      return -1;
    }
  }
  const uint8_t *q = p + LC_ENTRY; /* little-endian hosts only (ops.h) */
  memcpy(c->code, q, nc);
  memcpy(c->consts, q + nc, nkb);
  memcpy(c->pcmap_cell, q + nc + nkb, npb);
  memcpy(c->pcmap_off, q + nc + nkb + npb, npb);
  c->ncode = ncode;
  c->nconsts = nk;
  c->npcmap = np;
  c->frame_slots = get32(p + 16);
  c->nlocal_slots = get32(p + 20);
  if (!nk) {
    if (!c->in_arena) wm__free(c->consts);
    c->consts = NULL;
  }
  if (!np) {
    if (!c->in_arena) wm__free(c->pcmap_cell), wm__free(c->pcmap_off);
    c->pcmap_cell = c->pcmap_off = NULL;
  }
  *why = wm__code_trust(c, mod, idx, true);
  if (!*why) return 0;
  if (!c->in_arena) {
    wm__free(c->code), wm__free(c->pcmap_cell), wm__free(c->pcmap_off);
    wm__free(c->consts);
  }
  return -1;
}

/* A growable byte buffer for the lowered code part. */
typedef struct obuf {
  uint8_t *p;
  size_t n, cap;
  bool failed;
} obuf;

static uint8_t *reserve(obuf *b, size_t n) {
  if (b->failed) return NULL;
  if (b->cap - b->n < n) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->n < n) cap *= 2;
    uint8_t *q = wm__realloc(b->p, cap);
    if (!q) {
      b->failed = true;
      return NULL;
    }
    b->p = q;
    b->cap = cap;
  }
  uint8_t *q = b->p + b->n;
  b->n += n;
  return q;
}

/* Function d's entry from its lowered code c, or a refusal (no cells) when
** the reader would not take it. */
static void put_code(obuf *b, const wm_module *mod, uint32_t d, const wm_code *c) {
  uint32_t *ops = wm__malloc((size_t)c->ncode * 4 + 4);
  wm_code v = *c;
  v.code = ops;
  bool ok = ops && c->nhandlers == 0 && wm__code_ops(c, mod->loop, ops) &&
            !wm__code_trust(&v, mod, mod->nfunc_imports + d, false);
  size_t nc = ok ? (size_t)c->ncode * 4 : 0, nk = ok ? (size_t)c->nconsts * 8 : 0;
  size_t np = ok ? (size_t)c->npcmap * 4 : 0;
  uint8_t *q = reserve(b, LC_ENTRY + nc + nk + 2 * np);
  if (q) {
    put32(q, d);
    put32(q + 4, ok ? c->ncode : 0);
    put32(q + 8, ok ? c->nconsts : 0);
    put32(q + 12, ok ? c->npcmap : 0);
    put32(q + 16, ok ? c->frame_slots : 0);
    put32(q + 20, ok ? c->nlocal_slots : 0);
    q += LC_ENTRY;
    if (nc) memcpy(q, ops, nc);
    if (nk) memcpy(q + nc, c->consts, nk);
    if (np) memcpy(q + nc + nk, c->pcmap_cell, np);
    if (np) memcpy(q + nc + nk + np, c->pcmap_off, np);
  }
  wm__free(ops);
}

/* The lowered code part of mod's file: the plain loop's functions lowered
** so far, and the entries of the file it was loaded with for the others;
** another loop's part is kept as it was. Empty when there is none. */
static void lowered_part(const wm_module *mod, obuf *b) {
  if (mod->loop != WM_LOOP_PLAIN) {
    uint8_t *q = mod->lc_len ? reserve(b, mod->lc_len) : NULL;
    if (q) memcpy(q, mod->lc, mod->lc_len);
    return;
  }
  if (!reserve(b, LC_HEAD)) return;
  uint32_t k = 0, ndef = ndefined(mod);
  for (uint32_t d = 0; d < ndef; d++) {
    const wm_code *c = atomic_load_explicit(&mod->funcs[mod->nfunc_imports + d].code,
                                            memory_order_acquire);
    uint32_t at = mod->lc_index ? mod->lc_index[d] : WM_LC_NONE;
    if (c) {
      put_code(b, mod, d, c);
    } else if (at == WM_LC_NONE) {
      continue;
    } else if (at == WM_LC_REFUSED) {
      uint8_t *q = reserve(b, LC_ENTRY);
      if (q) memset(q, 0, LC_ENTRY), put32(q, d);
    } else {
      size_t n = entry_size(mod->lc + at, mod->lc_len - at);
      uint8_t *q = reserve(b, n);
      if (q) memcpy(q, mod->lc + at, n);
    }
    k++;
  }
  if (b->failed) return;
  put32(b->p, (uint32_t)WM_LOOP_PLAIN);
  put32(b->p + 4, k);
  isa_id(b->p + 8);
  if (!k) b->n = 0;
}

/* The whole file for mod in a new buffer of *size bytes, or NULL; with its
** lowered code when `code`. */
static uint8_t *make_file(const wm_module *mod, const uint8_t key[16], bool code, size_t *size) {
  uint32_t nlist, fresh;
  uint32_t *list = wm__first_calls((wm_module *)mod, &nlist, &fresh);
  if (!list) return NULL;
  obuf lc = {0};
  if (code) lowered_part(mod, &lc);
  uint8_t *buf = NULL;
  if (!lc.failed) {
    *size = wm__cache_size(mod, nlist) + lc.n;
    buf = wm__malloc(*size);
  }
  if (buf) wm__cache_fill(mod, key, list, nlist, lc.p, lc.n, buf);
  wm__free(lc.p);
  wm__free(list);
  return buf;
}

int wm_module_serialize(const wm_module *mod, uint8_t **out, size_t *out_len, wm_error *err) {
  if (!out || !out_len)
    return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_serialize: out is NULL");
  *out = NULL;
  *out_len = 0;
  if (!mod) return wm__error(err, WM_EINVAL, UINT32_MAX, "wm_module_serialize: mod is NULL");
  /* A sparse module holds its bodies' bytes only through a cache's hash. */
  if (mod->sparse && !mod->has_hash)
    return wm__error(err, WM_EINVAL, UINT32_MAX,
                     "wm_module_serialize: the module was loaded with WM_MODULE_SPARSE; load it "
                     "without");
  uint8_t key[16];
  if (mod->has_hash) memcpy(key, mod->hash, 16);
  else wm_module_hash(mod->bytes, mod->len, key);
  size_t size;
  uint8_t *buf = make_file(mod, key, false, &size);
  if (!buf) return wm__error(err, WM_ENOMEM, UINT32_MAX, NULL);
  *out = buf;
  *out_len = size;
  return 0;
}

/* -------------------------------------------------------- reading a file */

static int rejected(wm_error *err, const char *why) {
  return wm__error(err, WM_ECACHE, UINT32_MAX, "code cache rejected: %s", why);
}

int wm__cache_check(size_t len, const uint8_t key[16], const uint8_t *cache, size_t cache_len,
                    const uint8_t **table, uint32_t *n, const uint8_t **list, uint32_t *nlist,
                    const uint8_t **lc, size_t *nlc, wm_error *err) {
  if (!cache || cache_len < HEADER + TRAILER || memcmp(cache, magic, sizeof magic) != 0)
    return rejected(err, "not a wasmem cache");
  if (get32(cache + 8) != CACHE_FORMAT) return rejected(err, "another format version");
  uint32_t count = get32(cache + 56), m = get32(cache + 60);
  uint64_t fixed = (uint64_t)count * ENTRY + (uint64_t)m * 4;
  if (m > count || (uint64_t)(cache_len - HEADER - TRAILER) < fixed)
    return rejected(err, "truncated or corrupted (size)");
  size_t rest = cache_len - HEADER - TRAILER - (size_t)fixed;
  uint8_t sum[16], id[16];
  wm_module_hash(cache, cache_len - TRAILER, sum);
  if (memcmp(sum, cache + cache_len - TRAILER, 16) != 0)
    return rejected(err, "corrupted (checksum)");
  engine_id(id);
  if (memcmp(id, cache + 16, 16) != 0) return rejected(err, "written by another wasmem build");
  if (get64(cache + 32) != (uint64_t)len || memcmp(cache + 40, key, 16) != 0)
    return rejected(err, "made for other module bytes");
  const uint8_t *calls = cache + HEADER + (size_t)count * ENTRY;
  for (uint32_t i = 0; i < m; i++)
    if (get32(calls + (size_t)i * 4) >= count)
      return rejected(err, "its first-call list names no defined function");
  unsigned loop;
  if (rest && wm__lcache_index(calls + (size_t)m * 4, rest, count, &loop, NULL) != 0)
    return rejected(err, "truncated or corrupted (lowered code)");
  *lc = rest ? calls + (size_t)m * 4 : NULL;
  *nlc = rest;
  *table = cache + HEADER;
  *n = count;
  *list = calls;
  *nlist = m;
  return 0;
}

/* ------------------------------------------------- the cache directory */

/* dir/<hex of key><ext>, or NULL when it would not fit. */
static char *file_name(const char *dir, const uint8_t key[16], const char *ext) {
  size_t dn = strlen(dir), en = strlen(ext);
  char *path = wm__malloc(dn + 1 + 32 + en + 1);
  if (!path) return NULL;
  memcpy(path, dir, dn);
  char *q = path + dn;
  *q++ = '/';
  for (int i = 0; i < 16; i++) q += snprintf(q, 3, "%02x", key[i]);
  memcpy(q, ext, en + 1);
  return path;
}

/* The whole of dir's file for key, in a new buffer (freed by
** wm__cache_release); -1 on any failure. A file of a 4 GiB module's table
** is under 2 GiB; anything larger is not ours. A large module's table goes
** on huge pages (yosys: 544 KB, 133 page faults saved). */
static int read_file(const char *dir, const uint8_t key[16], const char *ext, uint8_t **out,
                     size_t *out_len) {
  char *path = file_name(dir, key, ext);
  if (!path) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  wm__free(path);
  if (fd < 0) return -1;
  struct stat st;
  uint8_t *buf = NULL;
  size_t got = 0;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      (uint64_t)st.st_size < ((uint64_t)1 << 31)) {
    buf = wm__cache_alloc((size_t)st.st_size);
    while (buf && got < (size_t)st.st_size) {
      ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += (size_t)r;
    }
  }
  close(fd);
  if (!buf || got != (size_t)st.st_size) {
    if (buf) wm__cache_release(buf, (size_t)st.st_size);
    return -1;
  }
  *out = buf;
  *out_len = got;
  return 0;
}

uint8_t *wm__cache_alloc(size_t len) {
  return len >= WM_HUGE_FROM ? wm__map_huge(len) : wm__malloc(len ? len : 1);
}

void wm__cache_release(uint8_t *buf, size_t len) {
  if (len >= WM_HUGE_FROM) wm__unmap_huge(buf, len);
  else wm__free(buf);
}

int wm__cache_read(const char *dir, const uint8_t key[16], uint8_t **out, size_t *out_len) {
  return read_file(dir, key, ".wmc", out, out_len);
}

/* mkdir -p, private to the user where it makes a directory. */
static int make_dirs(const char *dir) {
  size_t n = strlen(dir);
  char *p = wm__strndup(dir, n);
  if (!p) return -1;
  for (size_t i = 1; i <= n; i++) {
    if (p[i] != '/' && p[i] != 0) continue;
    char c = p[i];
    p[i] = 0;
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
      wm__free(p);
      return -1;
    }
    p[i] = c;
  }
  wm__free(p);
  return 0;
}

/* Written to a temporary name and renamed into place, so that a reader
** never sees half a file and two writers of one module do not mix. */
static int write_file(const char *dir, const uint8_t key[16], const char *ext,
                      const uint8_t *buf, size_t size) {
  if (make_dirs(dir) != 0) return -1;
  char *path = file_name(dir, key, ext);
  char *tmp = path ? wm__malloc(strlen(path) + 32) : NULL;
  int fd = -1, rc = -1;
  if (!tmp) goto done;
  snprintf(tmp, strlen(path) + 32, "%s.%ld.tmp", path, (long)getpid());
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) goto done;
  size_t put = 0;
  while (put < size) {
    ssize_t w = write(fd, buf + put, size - put);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    put += (size_t)w;
  }
  if (close(fd) == 0 && put == size && rename(tmp, path) == 0) rc = 0;
  else (void)unlink(tmp);
done:
  wm__free(tmp);
  wm__free(path);
  return rc;
}

int wm__cache_write(const char *dir, const uint8_t key[16], const wm_module *mod) {
  size_t size;
  uint8_t *buf = make_file(mod, key, true, &size);
  if (!buf) return -1;
  int rc = write_file(dir, key, ".wmc", buf, size);
  wm__free(buf);
  return rc;
}

/* ------------------------------------------------ a file's identity */

/*
** Finding a file's cache by its bytes' hash means reading all its bytes,
** even the code section a cached start otherwise leaves in the file (28 of
** yosys's 30 MB). So the directory also keeps, per file (device and inode),
** its identity when it was last hashed -- size, modification and change
** times -- and that hash: a file whose identity is unchanged is taken to
** hold the same bytes, as make and git take it. The change time is the
** one a writer cannot set: every write moves it.
**
** But it moves by the file system's clock tick, so a file changed again
** within the tick of the identity noted would keep it. An identity is
** therefore noted only when the file's change time is RACY_NS older than
** the moment just before its stat was taken (as git's "racily clean"
** entries): any later write then gives a later change time. A file hashed
** too soon after its last change is hashed again at its next load, and
** noted then.
**
** What it can cost when wrong (a clock set back across a write of the same
** size, to the tick): the same as a forged cache file, a body's validation
** error at its first call instead of at load (see the top of this file).
** wm_module_load and wm_module_deserialize, given bytes, always hash them.
**
** Layout of dir/<hex of hash(device, inode)>.wmi, little-endian:
**    0  magic "\0wmident"                8 bytes
**    8  format version (IDENT_FORMAT)    u32, then a zero u32
**   16  device, inode, size              3 x u64
**   40  modification, change time        2 x i64, nanoseconds
**   56  when the stat was taken          i64, nanoseconds
**   64  the bytes' hash (wm_module_hash)  16 bytes
**   80  checksum: hash of the 80 bytes above
*/
#define IDENT_FORMAT 1u
#define IDENT_SIZE 96u

int64_t wm__racy_ns = (int64_t)3 * 1000000000;

static const uint8_t ident_magic[8] = {0, 'w', 'm', 'i', 'd', 'e', 'n', 't'};

static int64_t stat_ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static void ident_name(const struct stat *sb, uint8_t key[16]) {
  uint8_t id[16];
  put64(id, (uint64_t)sb->st_dev);
  put64(id + 8, (uint64_t)sb->st_ino);
  wm_module_hash(id, sizeof id, key);
}

static void ident_fill(const struct stat *sb, int64_t taken, const uint8_t hash[16],
                       uint8_t out[IDENT_SIZE]) {
  memset(out, 0, IDENT_SIZE);
  memcpy(out, ident_magic, 8);
  put32(out + 8, IDENT_FORMAT);
  put64(out + 16, (uint64_t)sb->st_dev);
  put64(out + 24, (uint64_t)sb->st_ino);
  put64(out + 32, (uint64_t)sb->st_size);
  put64(out + 40, (uint64_t)stat_ns(sb->st_mtim));
  put64(out + 48, (uint64_t)stat_ns(sb->st_ctim));
  put64(out + 56, (uint64_t)taken);
  memcpy(out + 64, hash, 16);
  wm_module_hash(out, 80, out + 80);
}

int wm__ident_lookup(const char *dir, const struct stat *sb, uint8_t hash[16]) {
  uint8_t name[16], *buf = NULL, want[IDENT_SIZE];
  size_t len;
  ident_name(sb, name);
  if (read_file(dir, name, ".wmi", &buf, &len) != 0) return -1;
  int rc = -1;
  if (len == IDENT_SIZE) {
    /* Everything but the hash and the moment must be what this file's
    ** identity would be written as now: magic, format, the identity, and
    ** so the checksum. */
    int64_t taken = (int64_t)get64(buf + 56);
    ident_fill(sb, taken, buf + 64, want);
    if (memcmp(buf, want, IDENT_SIZE) == 0 && stat_ns(sb->st_ctim) <= taken - wm__racy_ns) {
      memcpy(hash, buf + 64, 16);
      rc = 0;
    }
  }
  wm__cache_release(buf, len);
  return rc;
}

int wm__ident_note(const char *dir, const struct stat *sb, int64_t taken, const uint8_t hash[16]) {
  if (stat_ns(sb->st_ctim) > taken - wm__racy_ns) return -1;
  uint8_t name[16], buf[IDENT_SIZE];
  ident_name(sb, name);
  ident_fill(sb, taken, hash, buf);
  return write_file(dir, name, ".wmi", buf, sizeof buf);
}
