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
**   ..  checksum: hash of all the bytes above                 16 bytes
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module.h"

#define CACHE_FORMAT 2u
/* The build a file belongs to. Bump the revision whenever what the
** validator accepts, or what the decoder records per body, changes: a file
** of an older build would otherwise vouch for bodies the new validator
** would refuse at load. */
#define ENGINE "wasmem " WM_VERSION " cache revision 1"
#define HEADER 64u
#define ENTRY 16u
#define TRAILER 16u

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
                    uint32_t nlist, uint8_t *out) {
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
  wm_module_hash(out, (size_t)(t - out), t);
}

/* The whole file for mod in a new buffer of *size bytes, or NULL. */
static uint8_t *make_file(const wm_module *mod, const uint8_t key[16], size_t *size) {
  uint32_t nlist, fresh;
  uint32_t *list = wm__first_calls((wm_module *)mod, &nlist, &fresh);
  if (!list) return NULL;
  *size = wm__cache_size(mod, nlist);
  uint8_t *buf = wm__malloc(*size);
  if (buf) wm__cache_fill(mod, key, list, nlist, buf);
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
  uint8_t *buf = make_file(mod, key, &size);
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
                    wm_error *err) {
  if (!cache || cache_len < HEADER + TRAILER || memcmp(cache, magic, sizeof magic) != 0)
    return rejected(err, "not a wasmem cache");
  if (get32(cache + 8) != CACHE_FORMAT) return rejected(err, "another format version");
  uint32_t count = get32(cache + 56), m = get32(cache + 60);
  if (m > count || (uint64_t)(cache_len - HEADER - TRAILER) !=
                       (uint64_t)count * ENTRY + (uint64_t)m * 4)
    return rejected(err, "truncated or corrupted (size)");
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
    size_t size = (size_t)st.st_size;
    buf = size >= WM_HUGE_FROM ? wm__map_huge(size) : wm__malloc(size);
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
  uint8_t *buf = make_file(mod, key, &size);
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
