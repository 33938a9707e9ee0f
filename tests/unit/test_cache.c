/* SPDX-License-Identifier: MIT */
/*
** test_cache.c -- the code cache (src/load/cache.c): a serialized module
** loads again and runs; every corrupted byte and every truncation of a cache
** is rejected with WM_ECACHE; a cache for other bytes is rejected; a forged
** cache with a valid checksum is checked where it could do harm (its body
** table) and at worst moves a validation error to the first call; the cache
** directory of wm_module_options is written, used, and replaced when bad;
** allocation failures on every path; a file's identity standing for its
** hash (noted only when it cannot be racy, trusted while unchanged,
** replaced when wrong; with it, the bodies found before reading); the first-call list of WM_MODULE_PRELOWER (written,
** lowered ahead, checked); one lowering of a body however many threads call it first at once; the
** hash itself, whole and streamed.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "module.h" /* wm__racy_ns, the streaming hash */
#include "util.h"   /* wm__alloc_fail_after */
#include "wasmem.h"

/* Three functions: f1 has locals, f2's last instruction is where the
** invalid twin differs (i32.sub, 0x6b, against i64.sub, 0x7d: same layout,
** a type error). */
static const char *const good_wat =
    "(module\n"
    "  (memory 1)\n"
    "  (data (i32.const 16) \"cache\")\n"
    "  (func (export \"f0\") (param i32) (result i32) local.get 0 i32.const 1 i32.add)\n"
    "  (func (export \"f1\") (param i32) (result i32) (local i32 i64 i32)\n"
    "    local.get 0 local.set 1 local.get 1 i32.const 2 i32.mul)\n"
    "  (func (export \"f2\") (param i32) (result i32) local.get 0 i32.const 3 i32.sub))\n";

static uint8_t *good, *bad;
static size_t good_len, bad_len;

#define HEADER 64
#define ENTRY 16

static int call1(wm_module *mod, const char *name, int32_t arg, int32_t *out, wm_error *err) {
  wm_runtime *rt;
  wm_instance *inst;
  int rc = wm_runtime_new(NULL, &rt, err);
  if (rc) return rc;
  rc = wm_instance_new(rt, mod, NULL, &inst, err);
  if (!rc) {
    wm_val a = wm_val_i32(arg), r;
    wm_func *f = wm_instance_func(inst, name);
    rc = f ? wm_func_call(rt, f, &a, 1, &r, 1, err) : WM_ENOT_FOUND;
    if (!rc) *out = r.of.i32;
  }
  wm_runtime_free(rt);
  return rc;
}

/* Recompute a cache's checksum after a test has forged its contents. */
static void reseal(uint8_t *cache, size_t len) { wm_module_hash(cache, len - 16, cache + len - 16); }

/* The cache of the good module, from a fresh load. */
static uint8_t *good_cache(size_t *len) {
  wm_module *mod;
  uint8_t *cache = NULL;
  CHECK(wm_module_load(good, good_len, NULL, &mod, NULL) == WM_OK);
  CHECK(wm_module_serialize(mod, &cache, len, NULL) == WM_OK);
  wm_module_free(mod);
  return cache;
}

static void test_round_trip(void) {
  wm_error err;
  wm_module *mod, *again;
  uint8_t *cache;
  size_t clen;
  CHECK(wm_module_load(good, good_len, NULL, &mod, &err) == WM_OK);
  CHECK(wm_module_serialize(mod, &cache, &clen, &err) == WM_OK);
  CHECK(clen == HEADER + 3 * ENTRY + 16);
  CHECK(memcmp(cache, "\0wmcache", 8) == 0);
  wm_module_free(mod);

  CHECK(wm_module_deserialize(good, good_len, cache, clen, NULL, &again, &err) == WM_OK);
  CHECK(wm_module_code_bytes(again) == 0); /* still lazy */
  int32_t r = 0;
  CHECK(call1(again, "f0", 41, &r, &err) == WM_OK && r == 42);
  CHECK(call1(again, "f1", 21, &r, &err) == WM_OK && r == 42);
  CHECK(call1(again, "f2", 45, &r, &err) == WM_OK && r == 42);
  /* What it serializes to is what the original did. */
  uint8_t *cache2;
  size_t clen2;
  CHECK(wm_module_serialize(again, &cache2, &clen2, &err) == WM_OK);
  CHECK(clen2 == clen && memcmp(cache, cache2, clen) == 0);
  wm_free(cache2);
  wm_module_free(again);

  /* Eager, checked and metered loads take a cache too. */
  wm_module_options o = {0};
  o.flags = WM_MODULE_EAGER | WM_MODULE_METERED;
  CHECK(wm_module_deserialize(good, good_len, cache, clen, &o, &again, &err) == WM_OK);
  CHECK(wm_module_code_bytes(again) > 0);
  CHECK(call1(again, "f1", 1, &r, &err) == WM_OK && r == 2);
  wm_module_free(again);
  wm_free(cache);
}

static void test_corrupted(void) {
  wm_error err;
  wm_module *mod;
  size_t clen;
  uint8_t *cache = good_cache(&clen);
  /* Every bit of every byte. */
  int rejected = 0, total = 0;
  for (size_t i = 0; i < clen; i++)
    for (int b = 0; b < 8; b++) {
      cache[i] ^= (uint8_t)(1u << b);
      mod = NULL;
      int rc = wm_module_deserialize(good, good_len, cache, clen, NULL, &mod, &err);
      rejected += rc == WM_ECACHE && err.code == WM_ECACHE && mod == NULL;
      total++;
      wm_module_free(mod);
      cache[i] ^= (uint8_t)(1u << b);
    }
  CHECK(rejected == total);
  /* Every truncation, and one byte too many. */
  rejected = 0;
  for (size_t n = 0; n < clen; n++)
    rejected += wm_module_deserialize(good, good_len, cache, n, NULL, &mod, &err) == WM_ECACHE;
  CHECK(rejected == (int)clen);
  uint8_t *longer = malloc(clen + 1);
  memcpy(longer, cache, clen);
  longer[clen] = 0;
  CHECK_ERR(wm_module_deserialize(good, good_len, longer, clen + 1, NULL, &mod, &err), err,
            WM_ECACHE, "code cache rejected");
  free(longer);
  CHECK_ERR(wm_module_deserialize(good, good_len, cache, clen - 1, NULL, &mod, &err), err,
            WM_ECACHE, "truncated");
  cache[clen - 1] ^= 1;
  CHECK_ERR(wm_module_deserialize(good, good_len, cache, clen, NULL, &mod, &err), err,
            WM_ECACHE, "checksum");
  cache[clen - 1] ^= 1;
  CHECK_ERR(wm_module_deserialize(good, good_len, (const uint8_t *)"hello", 5, NULL, &mod, &err),
            err, WM_ECACHE, "not a wasmem cache");
  CHECK_ERR(wm_module_deserialize(good, good_len, NULL, 0, NULL, &mod, &err), err, WM_ECACHE,
            "not a wasmem cache");

  /* Resealed after the change, still refused for what changed. */
  cache[8]++; /* format version */
  reseal(cache, clen);
  CHECK_ERR(wm_module_deserialize(good, good_len, cache, clen, NULL, &mod, &err), err,
            WM_ECACHE, "another format version");
  cache[8]--;
  cache[20] ^= 0x40; /* the engine's id */
  reseal(cache, clen);
  CHECK_ERR(wm_module_deserialize(good, good_len, cache, clen, NULL, &mod, &err), err,
            WM_ECACHE, "another wasmem build");
  cache[20] ^= 0x40;
  reseal(cache, clen);

  /* Other module bytes: one byte of the data segment, or one byte more. */
  uint8_t *other = malloc(good_len + 1);
  memcpy(other, good, good_len);
  uint8_t *d = NULL;
  for (size_t i = 0; i + 5 <= good_len && !d; i++)
    if (memcmp(other + i, "cache", 5) == 0) d = other + i;
  CHECK(d != NULL);
  if (d) d[0] = 'C';
  CHECK_ERR(wm_module_deserialize(other, good_len, cache, clen, NULL, &mod, &err), err,
            WM_ECACHE, "other module bytes");
  memcpy(other, good, good_len);
  other[good_len] = 0; /* an empty custom section's id alone: malformed, but it must not matter */
  CHECK_ERR(wm_module_deserialize(other, good_len + 1, cache, clen, NULL, &mod, &err), err,
            WM_ECACHE, "other module bytes");
  free(other);
  wm_free(cache);
}

/* A forger who can reseal: every table entry that could point outside the
** code section, or disagree with a body's local declarations, is caught. */
static void test_forged_table(void) {
  wm_error err;
  wm_module *mod;
  size_t clen;
  uint8_t *cache = good_cache(&clen);
  uint8_t *t = malloc(clen);
  struct {
    unsigned entry, field;
    int32_t delta;
    bool at_load; /* else at the first call of that function */
  } cases[] = {
      {0, 0, -1, true},            /* body 0 starts at the section's count */
      {1, 0, -8, true},            /* body 1 overlaps body 0 */
      {2, 1, 1000, true},          /* body 2 runs past the section */
      {2, 0, 1000, true},          /* starts past it */
      {0, 2, -2, true},            /* code before the body */
      {1, 2, 100, true},           /* code after the body */
      {1, 3, 60000, true},         /* more locals than the limit */
      {1, 3, 1, false},            /* one local too many */
      {1, 3, -1, false},           /* one too few */
      {1, 2, 1, false},            /* code starts inside the declarations */
      {0, 2, -1, false},           /* ... or at the count of groups */
      {1, 1, -1, false},           /* body 1 one byte shorter: end missing */
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    memcpy(t, cache, clen);
    uint8_t *f = t + HEADER + cases[k].entry * ENTRY + cases[k].field * 4;
    uint32_t v = (uint32_t)f[0] | (uint32_t)f[1] << 8 | (uint32_t)f[2] << 16 | (uint32_t)f[3] << 24;
    v += (uint32_t)cases[k].delta;
    for (int i = 0; i < 4; i++) f[i] = (uint8_t)(v >> (8 * i));
    reseal(t, clen);
    mod = NULL;
    int rc = wm_module_deserialize(good, good_len, t, clen, NULL, &mod, &err);
    if (cases[k].at_load) {
      CHECK(rc == WM_ECACHE && mod == NULL);
      if (rc != WM_ECACHE) fprintf(stderr, "  case %zu: rc %d %s\n", k, rc, err.message);
      continue;
    }
    CHECK(rc == WM_OK);
    const char *name = cases[k].entry == 0 ? "f0" : "f1";
    int32_t r;
    rc = call1(mod, name, 1, &r, &err);
    CHECK(rc == WM_ECACHE || rc == WM_EINVALID || rc == WM_EMALFORMED);
    if (!(rc == WM_ECACHE || rc == WM_EINVALID || rc == WM_EMALFORMED))
      fprintf(stderr, "  case %zu: rc %d %s\n", k, rc, err.message);
    /* The other functions still run. */
    CHECK(call1(mod, "f2", 45, &r, &err) == WM_OK && r == 42);
    wm_module_free(mod);
  }
  /* Another count of functions. */
  memcpy(t, cache, clen);
  t[56] = 2;
  memmove(t + HEADER + 2 * ENTRY, t + HEADER + 3 * ENTRY, 16);
  reseal(t, clen - ENTRY);
  CHECK_ERR(wm_module_deserialize(good, good_len, t, clen - ENTRY, NULL, &mod, &err), err,
            WM_ECACHE, "bodies");
  free(t);
  wm_free(cache);
}

/* A cache forged for an invalid module: the load skips validating the
** bodies, and the invalid one fails at its first call instead. */
static void test_forged_verdict(void) {
  wm_error err;
  wm_module *mod;
  uint8_t *cache;
  size_t clen;
  CHECK_ERR(wm_module_load(bad, bad_len, NULL, &mod, &err), err, WM_EINVALID, "type mismatch");
  CHECK(wm_module_load(good, good_len, NULL, &mod, &err) == WM_OK);
  CHECK(wm_module_serialize(mod, &cache, &clen, &err) == WM_OK);
  wm_module_free(mod);
  wm_module_hash(bad, bad_len, cache + 40);
  reseal(cache, clen);
  CHECK(wm_module_deserialize(bad, bad_len, cache, clen, NULL, &mod, &err) == WM_OK);
  int32_t r;
  CHECK(call1(mod, "f0", 41, &r, &err) == WM_OK && r == 42);
  CHECK_ERR(call1(mod, "f2", 1, &r, &err), err, WM_EINVALID, "type mismatch");
  wm_module_free(mod);
  wm_free(cache);
}

static char dir[64];

static void cache_file(const uint8_t *bytes, size_t len, char path[160]) {
  uint8_t key[16];
  wm_module_hash(bytes, len, key);
  int n = snprintf(path, 160, "%s/sub/", dir);
  for (int i = 0; i < 16; i++) n += snprintf(path + n, 160 - (size_t)n, "%02x", key[i]);
  snprintf(path + n, 160 - (size_t)n, ".wmc");
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *b = malloc(1 << 16);
  *len = fread(b, 1, 1 << 16, f);
  fclose(f);
  return b;
}

static void spit(const char *path, const uint8_t *b, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fwrite(b, 1, len, f);
  fclose(f);
}

static void rm_rf(const char *path) {
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf %s", path);
  CHECK(system(cmd) == 0);
}

static void test_cache_dir(void) {
  wm_error err;
  wm_module *mod;
  char sub[96];
  snprintf(dir, sizeof dir, "/tmp/wm_cache_test_%d", (int)getpid());
  snprintf(sub, sizeof sub, "%s/sub", dir);
  wm_module_options o = {0};
  o.cache_dir = sub; /* made, parents included */
  CHECK(wm_module_load(good, good_len, &o, &mod, &err) == WM_OK);
  uint8_t *want;
  size_t want_len, got_len;
  CHECK(wm_module_serialize(mod, &want, &want_len, &err) == WM_OK);
  wm_module_free(mod);
  char path[160], bad_path[160];
  cache_file(good, good_len, path);
  uint8_t *got = slurp(path, &got_len);
  CHECK(got && got_len == want_len && memcmp(got, want, want_len) == 0);
  struct stat st;
  CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700);
  CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
  free(got);

  /* The file is used: planted for the invalid twin, it makes the load skip
  ** the bodies (the bad one fails at its call). */
  cache_file(bad, bad_len, bad_path);
  uint8_t *forged = malloc(want_len);
  memcpy(forged, want, want_len);
  wm_module_hash(bad, bad_len, forged + 40);
  reseal(forged, want_len);
  spit(bad_path, forged, want_len);
  CHECK(wm_module_load(bad, bad_len, &o, &mod, &err) == WM_OK);
  int32_t r;
  CHECK(call1(mod, "f2", 1, &r, &err) == WM_EINVALID);
  wm_module_free(mod);
  /* A corrupted file is ignored: the load validates the bodies (and
  ** fails). */
  forged[want_len - 1] ^= 1;
  spit(bad_path, forged, want_len);
  CHECK_ERR(wm_module_load(bad, bad_len, &o, &mod, &err), err, WM_EINVALID, "type mismatch");
  free(forged);
  /* ... and for a valid module it is replaced by a good one. */
  got = slurp(path, &got_len);
  got[HEADER] ^= 0xFF;
  spit(path, got, got_len);
  free(got);
  CHECK(wm_module_load(good, good_len, &o, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f1", 5, &r, &err) == WM_OK && r == 10);
  wm_module_free(mod);
  got = slurp(path, &got_len);
  CHECK(got && got_len == want_len && memcmp(got, want, want_len) == 0);
  free(got);
  /* A file whose table disagrees with the code section (resealed): ignored
  ** too, and replaced. */
  got = slurp(path, &got_len);
  got[HEADER] = 1;
  reseal(got, got_len);
  spit(path, got, got_len);
  free(got);
  CHECK(wm_module_load(good, good_len, &o, &mod, &err) == WM_OK);
  wm_module_free(mod);
  got = slurp(path, &got_len);
  CHECK(got && got_len == want_len && memcmp(got, want, want_len) == 0);
  free(got);

  /* A directory that cannot be made (a file is in the way): the load works
  ** without a cache. */
  char blocked[128];
  snprintf(blocked, sizeof blocked, "%s/file/cache", dir);
  char file[128];
  snprintf(file, sizeof file, "%s/file", dir);
  spit(file, (const uint8_t *)"x", 1);
  o.cache_dir = blocked;
  CHECK(wm_module_load(good, good_len, &o, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f0", 1, &r, &err) == WM_OK && r == 2);
  wm_module_free(mod);
  CHECK(access(blocked, F_OK) != 0);
  wm_free(want);
  rm_rf(dir);
}

/* A fresh directory /tmp/wm_cache_TAG_PID (base) for a test, with the
** names of its cache directory (sub) and module file (wasm) in it. */
static void test_dir(const char *tag, char base[64], char sub[96], char wasm[96]) {
  snprintf(base, 64, "/tmp/wm_cache_%s_%d", tag, (int)getpid());
  snprintf(sub, 96, "%s/c", base);
  snprintf(wasm, 96, "%s/m.wasm", base);
  CHECK(mkdir(base, 0700) == 0);
}

/* Load file `wasm` with the n-th allocation failing, for n up to max (or
** past `after` once one succeeds): a clean WM_ENOMEM or a module whose f1
** doubles. */
static void load_failing(const char *wasm, const wm_module_options *o, long max, long after) {
  wm_error err;
  int32_t r;
  for (long n = 0; n < max; n++) {
    wm_module *m = NULL;
    wm__alloc_fail_after(n);
    int rc = wm_module_load_file(wasm, o, &m, &err);
    wm__alloc_fail_after(-1);
    CHECK(rc == WM_OK || rc == WM_ENOMEM);
    if (m) CHECK(call1(m, "f1", 3, &r, &err) == WM_OK && r == 6);
    wm_module_free(m);
    if (rc == WM_OK && n > after) break;
  }
}

/* Files through the cache: the bodies of a cached load stay in the file
** until each is first lowered. */
static void test_sparse_file(void) {
  wm_error err;
  wm_module *mod, *m2;
  char base[64], sub[96], wasm[96], empty[96], text[96];
  test_dir("file", base, sub, wasm);
  snprintf(empty, sizeof empty, "%s/empty.wasm", base);
  snprintf(text, sizeof text, "%s/m.txt", base);
  spit(wasm, good, good_len);
  wm_module_options o = {0};
  o.cache_dir = sub;
  int32_t r;
  /* Cold (writes the file), then cached: the same module. */
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f1", 4, &r, &err) == WM_OK && r == 8);
  wm_module_free(mod);
  char path[160];
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  CHECK(wm_module_load_file(wasm, &o, &m2, &err) == WM_OK);
  CHECK(call1(mod, "f0", 1, &r, &err) == WM_OK && r == 2);
  CHECK(call1(mod, "f1", 4, &r, &err) == WM_OK && r == 8);
  /* Serializing a module whose bodies are partly still in the file. */
  uint8_t *c1, *c2;
  size_t l1, l2;
  CHECK(wm_module_serialize(mod, &c1, &l1, &err) == WM_OK);
  c2 = good_cache(&l2);
  CHECK(c1 && c2 && l1 == l2 && memcmp(c1, c2, l1) == 0);
  wm_free(c1);
  wm_free(c2);
  wm_module_free(mod);

  /* The file changes under a cached module: a body not read in yet is read
  ** as it is now. The invalid
  ** twin's bytes: validated at lowering. Truncated: a clean error, and the
  ** bodies still there run. */
  spit(wasm, bad, bad_len);
  CHECK_ERR(call1(m2, "f2", 1, &r, &err), err, WM_EINVALID, "type mismatch");
  CHECK(call1(m2, "f0", 1, &r, &err) == WM_OK && r == 2);
  wm_module_free(m2);
  spit(wasm, good, good_len);
  CHECK(wm_module_load_file(wasm, &o, &m2, &err) == WM_OK);
  CHECK(truncate(wasm, (off_t)(good_len - 20)) == 0);
  CHECK_ERR(call1(m2, "f2", 1, &r, &err), err, WM_EIO, "changed since the module was loaded");
  CHECK(call1(m2, "f2", 1, &r, &err) == WM_EIO); /* and again */
  CHECK(call1(m2, "f0", 1, &r, &err) == WM_OK && r == 2);
  wm_module_free(m2);
  /* Truncated before the load: the cache no longer matches; malformed. */
  CHECK(wm_module_load_file(wasm, &o, &m2, &err) == WM_EMALFORMED);
  /* Read in once, a body no longer needs the file. */
  spit(wasm, good, good_len);
  CHECK(wm_module_load_file(wasm, &o, &m2, &err) == WM_OK);
  CHECK(call1(m2, "f1", 1, &r, &err) == WM_OK && r == 2);
  CHECK(truncate(wasm, 0) == 0);
  CHECK(call1(m2, "f1", 2, &r, &err) == WM_OK && r == 4);
  wm_module_free(m2);

  /* A large body (70 KB). */
  size_t big_len;
  char *big_wat = malloc(80000 * 4 + 512);
  int n = sprintf(big_wat, "(module (func (export \"big\") (result i32)");
  for (int i = 0; i < 70000; i++) n += sprintf(big_wat + n, " nop");
  sprintf(big_wat + n, " i32.const 7)\n  (func (export \"next\") (result i32) i32.const 8))");
  uint8_t *big = wat_bytes(big_wat, "", &big_len);
  free(big_wat);
  if (big) {
    spit(wasm, big, big_len);
    for (int round = 0; round < 2; round++) { /* writes the cache, then sparse */
      CHECK(wm_module_load_file(wasm, &o, &m2, &err) == WM_OK);
      wm_runtime *rt;
      wm_instance *inst;
      wm_val v;
      CHECK(wm_runtime_new(NULL, &rt, &err) == WM_OK);
      CHECK(wm_instance_new(rt, m2, NULL, &inst, &err) == WM_OK);
      CHECK(wm_func_call(rt, wm_instance_func(inst, "big"), NULL, 0, &v, 1, &err) == WM_OK &&
            v.of.i32 == 7);
      CHECK(wm_func_call(rt, wm_instance_func(inst, "next"), NULL, 0, &v, 1, &err) == WM_OK &&
            v.of.i32 == 8);
      wm_runtime_free(rt);
      wm_module_free(m2);
    }
    free(big);
  }

  /* Eager: every body read in at load, then the file may go. */
  spit(wasm, good, good_len);
  o.flags = WM_MODULE_EAGER;
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  CHECK(unlink(wasm) == 0);
  spit(wasm, (const uint8_t *)"", 0);
  CHECK(call1(mod, "f2", 45, &r, &err) == WM_OK && r == 42);
  wm_module_free(mod);
  o.flags = 0;

  /* Files the stream does not take, or that have no bodies. */
  CHECK_ERR(wm_module_load_file(wasm, &o, &mod, &err), err, WM_EMALFORMED, "unexpected end");
  spit(text, (const uint8_t *)"not wasm at all", 15);
  CHECK_ERR(wm_module_load_file(text, &o, &mod, &err), err, WM_EMALFORMED, "magic");
  static const uint8_t none[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  spit(empty, none, sizeof none);
  CHECK(wm_module_load_file(empty, &o, &mod, &err) == WM_OK);
  wm_module_free(mod);
  CHECK(wm_module_load_file(empty, &o, &mod, &err) == WM_OK);
  wm_module_free(mod);
  CHECK_ERR(wm_module_load_file(base, &o, &mod, &err), err, WM_EIO, "cannot read");
  snprintf(path, sizeof path, "%s/missing.wasm", base);
  CHECK_ERR(wm_module_load_file(path, &o, &mod, &err), err, WM_EIO, "cannot open");

  /* Allocation failures on the cached and the cold path. */
  spit(wasm, good, good_len);
  for (int round = 0; round < 2; round++) load_failing(wasm, &o, 200, 60);
  rm_rf(base);
}

/* The one file in d whose name ends with ext, into path; false if none or
** several. */
static bool only_file(const char *d, const char *ext, char path[256]) {
  DIR *dh = opendir(d);
  int n = 0;
  if (!dh) return false;
  for (struct dirent *e; (e = readdir(dh));) {
    size_t len = strlen(e->d_name), el = strlen(ext);
    if (len > el && strcmp(e->d_name + len - el, ext) == 0 &&
        snprintf(path, 256, "%s/%s", d, e->d_name) < 256)
      n++;
  }
  closedir(dh);
  return n == 1;
}

static void rewrite_ident_hash(const char *path, const uint8_t hash[16]) {
  size_t len;
  uint8_t *b = slurp(path, &len);
  CHECK(b && len == 96);
  if (!b || len != 96) return;
  memcpy(b + 64, hash, 16);
  wm_module_hash(b, 80, b + 80);
  spit(path, b, len);
  free(b);
}

/* A file's identity (wm__ident_lookup): noted once its last change is old
** enough, then trusted in place of hashing its bytes while it lasts. */
static void test_identity(void) {
  wm_error err;
  wm_module *mod;
  char base[64], sub[96], wasm[96], ident[256], good_c[256], bad_c[256];
  test_dir("ident", base, sub, wasm);
  spit(wasm, good, good_len);
  wm_module_options o = {0};
  o.cache_dir = sub;
  int32_t r;
  int64_t racy = wm__racy_ns;
  uint8_t hgood[16], hbad[16];
  wm_module_hash(good, good_len, hgood);
  wm_module_hash(bad, bad_len, hbad);

  /* Just written: too recent to note (the cache file is written). */
  for (int i = 0; i < 2; i++) {
    CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
    wm_module_free(mod);
  }
  CHECK(!only_file(sub, ".wmi", ident));
  CHECK(only_file(sub, ".wmc", good_c));

  /* Old enough (the margin shortened): noted at the next load. */
  wm__racy_ns = 0;
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  wm_module_free(mod);
  CHECK(only_file(sub, ".wmi", ident));
  size_t len;
  uint8_t *b = slurp(ident, &len);
  CHECK(b && len == 96 && memcmp(b + 64, hgood, 16) == 0);
  free(b);

  /* Trusted: pointed at the invalid twin's hash, with a (forged) cache file
  ** for it, the load believes it and reads no bytes to check -- so it does
  ** not make the good bytes' cache file again. The bodies run as the file
  ** has them. */
  uint8_t *forged;
  size_t forged_len;
  forged = slurp(good_c, &forged_len);
  CHECK(forged != NULL);
  memcpy(forged + 40, hbad, 16);
  reseal(forged, forged_len);
  snprintf(bad_c, sizeof bad_c, "%s/", sub);
  for (int i = 0; i < 16; i++) snprintf(bad_c + strlen(bad_c), 3, "%02x", hbad[i]);
  strcat(bad_c, ".wmc");
  spit(bad_c, forged, forged_len);
  free(forged);
  CHECK(unlink(good_c) == 0);
  rewrite_ident_hash(ident, hbad);
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f2", 5, &r, &err) == WM_OK && r == 2);
  wm_module_free(mod);
  CHECK(access(good_c, F_OK) != 0);

  /* Any write changes the identity (the change time moves), even of the
  ** same bytes: hashed again, cached and noted anew. */
  spit(wasm, good, good_len);
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f1", 5, &r, &err) == WM_OK && r == 10);
  wm_module_free(mod);
  CHECK(access(good_c, F_OK) == 0);
  b = slurp(ident, &len);
  CHECK(b && len == 96 && memcmp(b + 64, hgood, 16) == 0);
  free(b);

  /* An identity naming bytes with no cache file: read again, hashed. */
  uint8_t none[16];
  memset(none, 0x5A, sizeof none);
  rewrite_ident_hash(ident, none);
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f0", 5, &r, &err) == WM_OK && r == 6);
  wm_module_free(mod);
  b = slurp(ident, &len);
  CHECK(b && len == 96 && memcmp(b + 64, hgood, 16) == 0);
  /* Corrupted (checksum), or cut short: ignored, and replaced. */
  b[20] ^= 1;
  spit(ident, b, len);
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f0", 6, &r, &err) == WM_OK && r == 7);
  wm_module_free(mod);
  spit(ident, b, 40);
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  wm_module_free(mod);
  free(b);
  b = slurp(ident, &len);
  CHECK(b && len == 96 && memcmp(b + 64, hgood, 16) == 0);
  free(b);

  /* The invalid twin in the same file (its forged cache file gone): its
  ** identity is new, so it is hashed, validated, refused, and nothing is
  ** noted for it. */
  CHECK(unlink(bad_c) == 0);
  spit(wasm, bad, bad_len);
  CHECK_ERR(wm_module_load_file(wasm, &o, &mod, &err), err, WM_EINVALID, "type mismatch");
  b = slurp(ident, &len);
  CHECK(b && len == 96 && memcmp(b + 64, hgood, 16) == 0);
  free(b);
  wm__racy_ns = racy;
  rm_rf(base);
}

/* A module of over 2 MiB: `ncustom` custom sections of `custom_len`
** bytes each before the others, f0(x) = x + 1, then f1(x) = 2x, whose
** body is 2.25 MB of i32.const 1 drop. */
typedef struct wbuf {
  uint8_t *b;
  size_t n;
} wbuf;

static void put(wbuf *w, const void *p, size_t n) {
  memcpy(w->b + w->n, p, n);
  w->n += n;
}

static void put_leb(wbuf *w, uint32_t v) {
  do {
    uint8_t c = (uint8_t)(v & 0x7F);
    v >>= 7;
    if (v) c |= 0x80;
    w->b[w->n++] = c;
  } while (v);
}

#define BIG_DROPS 750000u

static uint8_t *big_module(uint32_t ncustom, uint32_t custom_len, size_t *len) {
  size_t body1 = 1 + (size_t)BIG_DROPS * 3 + 6;
  wbuf w = {malloc(64 + (size_t)ncustom * (custom_len + 8) + body1 + 64), 0};
  if (!w.b) return NULL;
  put(&w, "\0asm\1\0\0\0", 8);
  for (uint32_t i = 0; i < ncustom; i++) {
    put(&w, "\0", 1);
    put_leb(&w, custom_len);
    put(&w, "\1x", 2);
    memset(w.b + w.n, 0, custom_len - 2);
    w.n += custom_len - 2;
  }
  static const uint8_t head[] = {1, 6, 1, 0x60, 1, 0x7F, 1, 0x7F,           /* types */
                                 3, 3, 2, 0, 0,                             /* funcs */
                                 7, 11, 2, 2, 'f', '0', 0, 0, 2, 'f', '1', 0, 1}; /* exports */
  put(&w, head, sizeof head);
  static const uint8_t f0[] = {7, 0, 0x20, 0, 0x41, 1, 0x6A, 0x0B};
  put(&w, "\12", 1); /* the code section */
  put_leb(&w, (uint32_t)(1 + sizeof f0 + 5 + body1));
  put(&w, "\2", 1);
  put(&w, f0, sizeof f0);
  uint8_t n5[5] = {(uint8_t)(body1 | 0x80), (uint8_t)(body1 >> 7 | 0x80),
                   (uint8_t)(body1 >> 14 | 0x80), (uint8_t)(body1 >> 21 | 0x80), 0};
  put(&w, n5, 5); /* body1's size in five bytes, as the section's size assumes */
  put(&w, "\0", 1);
  for (uint32_t i = 0; i < BIG_DROPS; i++) put(&w, "\x41\x01\x1A", 3);
  static const uint8_t tail[] = {0x20, 0, 0x41, 2, 0x6C, 0x0B};
  put(&w, tail, sizeof tail);
  *len = w.n;
  return w.b;
}

/* A cached start with the file's identity known finds the code section
** from the section headers before reading (find_code in module.c), so no
** body is read into the module's bytes; a head of more than 256 KiB or of
** more than 32 sections is left to the scan of the stream, as before.
** Either way the load is sparse and runs, the cold one (no cache file
** yet) too. */
static void test_head(void) {
  static const uint32_t shapes[][2] = {{0, 0}, {3, 100}, {1, 300000}, {40, 16}};
  int64_t racy = wm__racy_ns;
  wm__racy_ns = 0;
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    wm_error err;
    char base[64], sub[96], wasm[96];
    test_dir("head", base, sub, wasm);
    size_t len;
    uint8_t *bytes = big_module(shapes[s][0], shapes[s][1], &len);
    CHECK(bytes != NULL && len > ((size_t)2 << 20));
    if (!bytes) return;
    spit(wasm, bytes, len);
    free(bytes);
    wm_module_options o = {0};
    o.cache_dir = sub;
    for (int round = 0; round < 3; round++) { /* cold, then known twice */
      wm_module *mod;
      int32_t r;
      CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
      if (!mod) continue;
      CHECK(mod->sparse); /* cold too: validated through buffers */
      /* The small heads: f1's instructions never read into the bytes. */
      if (round > 0 && shapes[s][0] < 10 && shapes[s][1] < 1000)
        CHECK(mod->bytes[mod->funcs[1].code_start] == 0 &&
              mod->bytes[mod->funcs[1].code_start + 3000] == 0);
      CHECK(call1(mod, "f0", 5, &r, &err) == WM_OK && r == 6);
      CHECK(call1(mod, "f1", 21, &r, &err) == WM_OK && r == 42);
      wm_module_free(mod);
    }
    char ident[256];
    CHECK(only_file(sub, ".wmi", ident));
    rm_rf(base);
  }
  wm__racy_ns = racy;
}

/* WM_MODULE_SPARSE without a cache: the bodies are validated through
** buffers and stay in the file; every verdict is the plain load's (a module
** the buffered path does not take, or finds wrong, is loaded the plain
** way); the file read again at lowering; allocation failures. */
static void same_verdict(const char *wasm, const char *cache_dir, int want) {
  wm_module_options o = {0}, oc = {0};
  wm_error e1, e2, e3;
  wm_module *m1 = NULL, *m2 = NULL, *m3 = NULL;
  o.flags = WM_MODULE_SPARSE;
  oc.cache_dir = cache_dir; /* no file for it yet */
  int r1 = wm_module_load_file(wasm, &o, &m1, &e1);
  int r2 = wm_module_load_file(wasm, NULL, &m2, &e2);
  int r3 = wm_module_load_file(wasm, &oc, &m3, &e3);
  CHECK(r1 == want && r2 == want && r3 == want);
  if (r1 && r2 && r3)
    CHECK(e1.offset == e2.offset && strcmp(e1.message, e2.message) == 0 &&
          e3.offset == e2.offset && strcmp(e3.message, e2.message) == 0);
  wm_module_free(m1);
  wm_module_free(m2);
  wm_module_free(m3);
}

static void test_sparse_cold(void) {
  static const uint32_t shapes[][2] = {{0, 0}, {1, 300000}, {40, 16}};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    wm_error err;
    char base[64], sub[96], wasm[96];
    test_dir("sparse", base, sub, wasm);
    size_t len;
    uint8_t *bytes = big_module(shapes[s][0], shapes[s][1], &len);
    CHECK(bytes != NULL);
    if (!bytes) return;
    spit(wasm, bytes, len);
    wm_module_options o = {0};
    o.flags = WM_MODULE_SPARSE;
    for (uint32_t threads = 1; threads <= 3; threads += 2) {
      wm_module *mod;
      int32_t r;
      o.validate_threads = threads;
      CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
      if (!mod) continue;
      CHECK(mod->sparse);
      /* f1's instructions were never read into the bytes (a head of more
      ** than 256 KiB or 32 sections: only those the first 1 MiB held). */
      if (s == 0) CHECK(mod->bytes[mod->funcs[1].code_start + 3000] == 0);
      CHECK(call1(mod, "f1", 21, &r, &err) == WM_OK && r == 42);
      CHECK(call1(mod, "f0", 5, &r, &err) == WM_OK && r == 6);
      uint8_t *c;
      size_t cl;
      CHECK_ERR(wm_module_serialize(mod, &c, &cl, &err), err, WM_EINVAL, "WM_MODULE_SPARSE");
      wm_module_free(mod);
    }
    /* Read again at the first call: a file cut short since is an error. */
    wm_module *mod;
    int32_t r;
    o.validate_threads = 0;
    CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
    CHECK(call1(mod, "f0", 1, &r, &err) == WM_OK && r == 2);
    CHECK(truncate(wasm, (off_t)(len - 100)) == 0);
    CHECK_ERR(call1(mod, "f1", 1, &r, &err), err, WM_EIO, "changed since the module was loaded");
    wm_module_free(mod);
    same_verdict(wasm, sub, WM_EMALFORMED); /* the truncated file */
    /* Wrong modules: the plain load's verdict, code, message and offset. */
    size_t f1_code = len - (6 + (size_t)BIG_DROPS * 3); /* f1's first instruction */
    bytes[len - 2] = 0x7E; /* i64.mul: invalid at the end of f1 */
    spit(wasm, bytes, len);
    same_verdict(wasm, sub, WM_EINVALID);
    bytes[len - 2] = 0x6C;
    bytes[f1_code + 3000] = 0xFF; /* an illegal opcode */
    spit(wasm, bytes, len);
    same_verdict(wasm, sub, WM_EMALFORMED);
    bytes[f1_code + 3000] = 0x41;
    bytes[f1_code - 1] = 1; /* one local group: count 0x41, type 0x01 (none) */
    spit(wasm, bytes, len);
    same_verdict(wasm, sub, WM_EMALFORMED);
    bytes[f1_code - 1] = 0;
    /* Allocation failures: a clean failure or the same module, without a
    ** cache and with one that has no file yet. */
    spit(wasm, bytes, len);
    load_failing(wasm, &o, 120, 120);
    wm_module_options oc = {0};
    oc.cache_dir = sub;
    for (long k = 0; k < 120; k += 7) {
      rm_rf(sub);
      wm__alloc_fail_after(k);
      wm_module *m = NULL;
      int rc = wm_module_load_file(wasm, &oc, &m, &err);
      wm__alloc_fail_after(-1);
      CHECK(rc == WM_OK || rc == WM_ENOMEM);
      if (m) CHECK(call1(m, "f1", 3, &r, &err) == WM_OK && r == 6);
      wm_module_free(m);
    }
    free(bytes);
    rm_rf(base);
  }
  /* A file under 1 MiB is read the plain way. */
  char base[64], sub[96], wasm[96];
  test_dir("sparse_small", base, sub, wasm);
  spit(wasm, good, good_len);
  wm_module_options o = {0};
  o.flags = WM_MODULE_SPARSE;
  wm_module *mod;
  wm_error err;
  int32_t r;
  CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
  if (mod) CHECK(!mod->sparse && call1(mod, "f1", 4, &r, &err) == WM_OK && r == 8);
  wm_module_free(mod);
  rm_rf(base);
}

static void test_api_errors(void) {
  wm_error err;
  wm_module *mod;
  uint8_t *out = (uint8_t *)&err;
  size_t n = 7;
  CHECK_ERR(wm_module_serialize(NULL, &out, &n, &err), err, WM_EINVAL, "mod is NULL");
  CHECK(out == NULL && n == 0);
  CHECK_ERR(wm_module_serialize(NULL, NULL, &n, &err), err, WM_EINVAL, "out is NULL");
  CHECK_ERR(wm_module_deserialize(good, good_len, good, good_len, NULL, NULL, &err), err,
            WM_EINVAL, "out is NULL");
  CHECK_ERR(wm_module_deserialize(NULL, 4, good, good_len, NULL, &mod, &err), err, WM_EINVAL,
            "bytes is NULL");
  CHECK(strcmp(wm_errname(WM_ECACHE), "ECACHE") == 0);
}

/* Every allocation of serialize, deserialize and the cache directory's
** paths fails in turn: an error, never a crash or a leak (ASan). */
static void test_alloc_failures(void) {
  wm_error err;
  wm_module *mod;
  uint8_t *cache;
  size_t clen;
  CHECK(wm_module_load(good, good_len, NULL, &mod, &err) == WM_OK);
  CHECK(wm_module_serialize(mod, &cache, &clen, &err) == WM_OK);
  int failed = 0;
  for (long n = 0; n < 200; n++) {
    wm_module *m = NULL;
    wm__alloc_fail_after(n);
    int rc = wm_module_deserialize(good, good_len, cache, clen, NULL, &m, &err);
    wm__alloc_fail_after(-1);
    if (rc == WM_OK) {
      wm_module_free(m);
      break;
    }
    failed += rc == WM_ENOMEM;
  }
  CHECK(failed > 0);
  uint8_t *c2;
  size_t l2;
  wm__alloc_fail_after(0);
  CHECK(wm_module_serialize(mod, &c2, &l2, &err) == WM_ENOMEM);
  wm__alloc_fail_after(-1);
  wm_module_free(mod);
  wm_free(cache);

  char sub[96];
  snprintf(sub, sizeof sub, "/tmp/wm_cache_alloc_%d", (int)getpid());
  wm_module_options o = {0};
  o.cache_dir = sub;
  for (int round = 0; round < 2; round++) /* without, then with, the file */
    for (long n = 0; n < 200; n++) {
      wm_module *m = NULL;
      wm__alloc_fail_after(n);
      int rc = wm_module_load(good, good_len, &o, &m, &err);
      wm__alloc_fail_after(-1);
      CHECK(rc == WM_OK || rc == WM_ENOMEM);
      wm_module_free(m);
      if (rc == WM_OK && n > 60) break;
    }
  rm_rf(sub);
}

/* ------------------------------------------------------------ first calls */

/* The list at the end of a cache (before the checksum), or -1 entries. */
static int list_len(size_t clen) { return ((int)clen - HEADER - 3 * ENTRY - 16) / 4; }

/* The list's count in the header: a cache directory's file may hold
** lowered code after the list. */
static int list_count(const uint8_t *cache) {
  return (int)((uint32_t)cache[60] | (uint32_t)cache[61] << 8 | (uint32_t)cache[62] << 16 |
               (uint32_t)cache[63] << 24);
}

static uint32_t list_at(const uint8_t *cache, int i) {
  const uint8_t *p = cache + HEADER + 3 * ENTRY + 4 * i;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Wait (at most 10 s) until the thread that lowers ahead has lowered `want`
** bytes or more; the bytes there are. */
static uint64_t await_code(wm_module *mod, uint64_t want) {
  for (int i = 0; i < 1000 && wm_module_code_bytes(mod) < want; i++) usleep(10000);
  return wm_module_code_bytes(mod);
}

/* The three functions' answers, on a fresh runtime: all right or not. */
static bool runs_right(wm_module *mod) {
  int32_t r0 = 0, r1 = 0, r2 = 0;
  wm_error err;
  return call1(mod, "f0", 41, &r0, &err) == WM_OK && r0 == 42 &&
         call1(mod, "f1", 21, &r1, &err) == WM_OK && r1 == 42 &&
         call1(mod, "f2", 45, &r2, &err) == WM_OK && r2 == 42;
}

/* WM_MODULE_PRELOWER: the functions called, in the order of their first
** call, go into the cache; a load with that cache lowers them on a thread
** of its own, before any call; a list that names no defined function is
** rejected; every byte of such a cache, flipped, is rejected, or (resealed)
** rejected or run right, or a call fails cleanly. */
static void test_first_calls(void) {
  wm_error err;
  wm_module *mod, *again;
  wm_module_options o = {0};
  o.flags = WM_MODULE_PRELOWER;
  int32_t r;
  CHECK(wm_module_load(good, good_len, &o, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f2", 45, &r, &err) == WM_OK && r == 42);
  CHECK(call1(mod, "f0", 41, &r, &err) == WM_OK && r == 42);
  CHECK(call1(mod, "f2", 45, &r, &err) == WM_OK && r == 42); /* noted once */
  uint8_t *cache;
  size_t clen;
  CHECK(wm_module_serialize(mod, &cache, &clen, &err) == WM_OK);
  CHECK(list_len(clen) == 2 && list_at(cache, 0) == 2 && list_at(cache, 1) == 0);
  uint64_t lowered = wm_module_code_bytes(mod);
  CHECK(wm_module_cache_update(mod, &err) == WM_OK); /* no cache_dir: nothing to write */
  wm_module_free(mod);
  /* Without the flag, no list (and the cache is the version 1 layout's size). */
  CHECK(wm_module_load(good, good_len, NULL, &mod, &err) == WM_OK);
  CHECK(call1(mod, "f0", 41, &r, &err) == WM_OK && r == 42);
  uint8_t *plain;
  size_t plen;
  CHECK(wm_module_serialize(mod, &plain, &plen, &err) == WM_OK);
  CHECK(list_len(plen) == 0);
  wm_free(plain);
  wm_module_free(mod);

  /* The listed functions are lowered ahead, with no call; f1 is not. */
  CHECK(wm_module_deserialize(good, good_len, cache, clen, &o, &again, &err) == WM_OK);
  CHECK(await_code(again, lowered) == lowered);
  CHECK(runs_right(again));
  CHECK(wm_module_code_bytes(again) > lowered);
  /* The list it writes: its hint, then what ran first and was not in it. */
  uint8_t *c2;
  size_t l2;
  CHECK(wm_module_serialize(again, &c2, &l2, &err) == WM_OK);
  CHECK(list_len(l2) == 3 && list_at(c2, 0) == 2 && list_at(c2, 1) == 0 && list_at(c2, 2) == 1);
  wm_free(c2);
  wm_module_free(again);
  /* The thread takes at most half of max_code_bytes: with a budget of
  ** one byte it lowers nothing, and the calls fail as they would anyway. */
  wm_module_options tight = o;
  tight.max_code_bytes = 1;
  CHECK(wm_module_deserialize(good, good_len, cache, clen, &tight, &again, &err) == WM_OK);
  usleep(20000);
  CHECK(wm_module_code_bytes(again) == 0);
  CHECK_ERR(call1(again, "f0", 41, &r, &err), err, WM_ELIMIT, "max_code_bytes");
  wm_module_free(again);
  /* Freed at once: the thread is stopped and joined (ASan, valgrind). */
  CHECK(wm_module_deserialize(good, good_len, cache, clen, &o, &again, &err) == WM_OK);
  wm_module_free(again);
  /* Without the flag the list is ignored: lazy as ever. */
  CHECK(wm_module_deserialize(good, good_len, cache, clen, NULL, &again, &err) == WM_OK);
  usleep(20000);
  CHECK(wm_module_code_bytes(again) == 0);
  wm_module_free(again);

  /* A list entry past the defined functions, or more entries than
  ** functions: rejected, resealed or not. */
  uint8_t *forged = malloc(clen + 16);
  memcpy(forged, cache, clen);
  forged[HEADER + 3 * ENTRY] = 3;
  reseal(forged, clen);
  CHECK_ERR(wm_module_deserialize(good, good_len, forged, clen, &o, &mod, &err), err, WM_ECACHE,
            "first-call list names no defined function");
  memcpy(forged, cache, clen);
  forged[60] = 4;
  reseal(forged, clen);
  CHECK_ERR(wm_module_deserialize(good, good_len, forged, clen, &o, &mod, &err), err, WM_ECACHE,
            "size");
  /* Four entries in a file of four entries, for three functions. */
  memcpy(forged, cache, clen - 16);
  memset(forged + clen - 16, 0, 8);
  forged[60] = 4;
  reseal(forged, clen + 8);
  CHECK_ERR(wm_module_deserialize(good, good_len, forged, clen + 8, &o, &mod, &err), err,
            WM_ECACHE, "truncated or corrupted (size)");

  /* Every byte flipped: rejected by the checksum. Flipped and resealed:
  ** rejected, or the module runs right, or (a forged body table) a call
  ** fails with a message. Never a crash. */
  int rejected = 0, right = 0, failed = 0, total = 0;
  for (size_t i = 0; i < clen - 16; i++) {
    memcpy(forged, cache, clen);
    forged[i] ^= 0xFF;
    mod = NULL;
    CHECK(wm_module_deserialize(good, good_len, forged, clen, &o, &mod, &err) == WM_ECACHE);
    reseal(forged, clen);
    int rc = wm_module_deserialize(good, good_len, forged, clen, &o, &mod, &err);
    total++;
    if (rc != WM_OK) {
      rejected += rc == WM_ECACHE && mod == NULL;
      continue;
    }
    if (runs_right(mod)) right++;
    else if (call1(mod, "f2", 45, &r, &err) != WM_OK && err.message[0]) failed++;
    else if (call1(mod, "f1", 21, &r, &err) != WM_OK && err.message[0]) failed++;
    else if (call1(mod, "f0", 41, &r, &err) != WM_OK && err.message[0]) failed++;
    wm_module_free(mod);
  }
  CHECK(rejected + right + failed == total);
  CHECK(right > 0 && rejected > 0);
  free(forged);

  /* Through a cache directory: the first run's calls are written at
  ** wm_module_cache_update, and the next load lowers them ahead. */
  char sub[96], path[160];
  snprintf(dir, sizeof dir, "/tmp/wm_cache_calls_%d", (int)getpid());
  snprintf(sub, sizeof sub, "%s/sub", dir);
  o.cache_dir = sub;
  CHECK(wm_module_load(good, good_len, &o, &mod, &err) == WM_OK);
  cache_file(good, good_len, path);
  size_t flen;
  uint8_t *file = slurp(path, &flen);
  CHECK(file && list_count(file) == 0 && flen == (size_t)HEADER + 3 * ENTRY + 16);
  free(file);
  CHECK(call1(mod, "f1", 21, &r, &err) == WM_OK && r == 42);
  CHECK(wm_module_cache_update(mod, &err) == WM_OK);
  wm_module_free(mod);
  file = slurp(path, &flen);
  CHECK(file && list_count(file) == 1 && list_at(file, 0) == 1 && flen > (size_t)HEADER + 3 * ENTRY + 4 + 16);
  free(file);
  CHECK(wm_module_load(good, good_len, &o, &mod, &err) == WM_OK);
  CHECK(await_code(mod, 1) > 0);
  /* Nothing new called: the file is left as it is. */
  struct stat st0, st1;
  CHECK(stat(path, &st0) == 0);
  CHECK(call1(mod, "f1", 21, &r, &err) == WM_OK && r == 42);
  CHECK(wm_module_cache_update(mod, &err) == WM_OK);
  CHECK(stat(path, &st1) == 0 && st1.st_ino == st0.st_ino);
  /* A call of f0, and the directory replaced by a file: WM_EIO. */
  CHECK(call1(mod, "f0", 41, &r, &err) == WM_OK && r == 42);
  rm_rf(sub);
  spit(sub, (const uint8_t *)"x", 1);
  CHECK_ERR(wm_module_cache_update(mod, &err), err, WM_EIO, "cannot write the code cache");
  wm_module_free(mod);
  CHECK_ERR(wm_module_cache_update(NULL, &err), err, WM_EINVAL, "mod is NULL");

  /* Every allocation of a load with the flag and a list, of the calls that
  ** note, and of the update, fails in turn: an error, never a crash or a
  ** leak. */
  rm_rf(dir);
  int nomem = 0;
  for (long n = 0; n < 200; n++) {
    wm_module *m = NULL;
    wm__alloc_fail_after(n);
    int rc = wm_module_deserialize(good, good_len, cache, clen, &o, &m, &err);
    if (rc == WM_OK) {
      (void)call1(m, "f1", 1, &r, &err);
      rc = wm_module_cache_update(m, &err);
      nomem += rc == WM_ENOMEM;
      CHECK(rc == WM_OK || rc == WM_ENOMEM || rc == WM_EIO);
    } else {
      CHECK(rc == WM_ENOMEM);
      nomem++;
    }
    wm__alloc_fail_after(-1);
    wm_module_free(m);
    if (rc == WM_OK && n > 80) break;
  }
  CHECK(nomem > 0);
  rm_rf(dir);
  wm_free(cache);
}

/* ------------------------------------------- a module of many functions */

/* What the lowered functions of many_funcs must compute. */
#define MANY 20000u
#define MANY_BIG 3000u   /* constants added by "big" */
#define MANY_K 200u      /* constants in slots of "consts" */
#define MANY_LOCALS 5000u

static uint32_t many_k(uint32_t j) { return 0x10000u * (j + 1) + 12345u * j; }

static uint32_t expect_small(uint32_t i, uint32_t x) { return x + (i & 63); }
static uint32_t expect_big(uint32_t x) {
  for (uint32_t j = 0; j < MANY_BIG; j++) x += j % 100 + 1;
  return x;
}
static uint32_t expect_consts(uint32_t x) {
  for (uint32_t j = 0; j < MANY_K; j++) x = many_k(j) - x;
  return x;
}

/* MANY functions (i32) -> i32: function i returns x + (i & 63), except
** 1 ("big": code too large for a 64 KiB arena chunk's eighth), 2
** ("consts": MANY_K distinct constants, each in a slot: the constant
** table grows past its first size) and 3 ("locals": MANY_LOCALS locals).
** Its function table and its cache file are large enough for huge pages
** (WM_HUGE_FROM). */
static uint8_t *many_funcs_twisted(size_t *len, uint32_t pad, uint32_t twist_at,
                                   const char *twist);

static uint8_t *many_funcs(size_t *len) { return many_funcs_twisted(len, 0, UINT32_MAX, NULL); }

/* many_funcs with `pad` pairs `i32.const 0 drop` in front of each small
** body, and function twist_at's body replaced by the text twist, converted
** by wm_wat_to_wasm (wat2wasm cannot write everything here). */
static uint8_t *many_funcs_twisted(size_t *len, uint32_t pad, uint32_t twist_at,
                                   const char *twist) {
  size_t cap = (size_t)MANY * (80 + pad * 20) + MANY_BIG * 32 + MANY_K * 64 + 4096, n = 0;
  char *t = malloc(cap);
  CHECK(t != NULL);
#define W(...) n += (size_t)snprintf(t + n, cap - n, __VA_ARGS__)
  W("(module\n");
  for (uint32_t i = 0; i < MANY; i++) {
    W("(func $f%u (param i32) (result i32)", i);
    if (i == twist_at) {
      W(" %s", twist);
    } else if (i == 1) {
      W(" local.get 0");
      for (uint32_t j = 0; j < MANY_BIG; j++) W(" i32.const %u i32.add", j % 100 + 1);
    } else if (i == 2) {
      W(" (local i32) local.get 0");
      for (uint32_t j = 0; j < MANY_K; j++)
        W(" local.set 1 i32.const %d local.get 1 i32.sub", (int32_t)many_k(j));
    } else if (i == 3) {
      W(" (local");
      for (uint32_t j = 0; j < MANY_LOCALS; j++) W(" i32");
      W(") local.get 0 local.set %u local.get %u i32.const 7 i32.add", MANY_LOCALS, MANY_LOCALS);
    } else {
      for (uint32_t j = 0; j < pad; j++) W(" i32.const 0 drop");
      W(" local.get 0 i32.const %u i32.add", i & 63);
    }
    W(")\n");
  }
  W("(export \"f0\" (func $f0)) (export \"big\" (func $f1)) (export \"consts\" (func $f2))\n");
  W("(export \"locals\" (func $f3)) (export \"last\" (func $f%u)))\n", MANY - 1);
#undef W
  CHECK(n < cap);
  uint8_t *b = NULL;
  if (!twist && !pad) {
    b = wat_bytes(t, "", len);
  } else {
    wm_error err;
    uint8_t *w;
    CHECK(wm_wat_to_wasm(t, n, &w, len, &err) == WM_OK);
    if ((b = w ? malloc(*len) : NULL)) memcpy(b, w, *len);
    wm_free(w);
  }
  free(t);
  return b;
}

/* Lowering reuses its scratch across bodies of every size: a large body,
** many constants, many locals, then small ones, each computing the right
** thing, in a module whose function table and cache file sit on huge
** pages, loaded cold, then through its cache (sparse); and every
** allocation of the cached load and first calls fails in turn. */
static void test_many_funcs(void) {
  wm_error err;
  char base[64], sub[96], wasm[96];
  test_dir("many", base, sub, wasm);
  size_t len;
  uint8_t *bytes = many_funcs(&len);
  if (!bytes) return;
  spit(wasm, bytes, len);
  free(bytes);
  wm_module_options o = {0};
  o.cache_dir = sub;
  for (int round = 0; round < 2; round++) { /* cold, then cached */
    wm_module *mod;
    int32_t r;
    CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
    CHECK(mod->nfuncs == MANY && mod->funcs_mapped != 0 && mod->sparse == (round == 1));
    CHECK(call1(mod, "consts", 5, &r, &err) == WM_OK && (uint32_t)r == expect_consts(5));
    CHECK(call1(mod, "big", 9, &r, &err) == WM_OK && (uint32_t)r == expect_big(9));
    CHECK(call1(mod, "locals", 11, &r, &err) == WM_OK && r == 18);
    CHECK(call1(mod, "f0", 4, &r, &err) == WM_OK && (uint32_t)r == expect_small(0, 4));
    CHECK(call1(mod, "last", 4, &r, &err) == WM_OK && (uint32_t)r == expect_small(MANY - 1, 4));
    CHECK(call1(mod, "consts", -3, &r, &err) == WM_OK && (uint32_t)r == expect_consts(-3u));
    wm_module_free(mod);
  }
  char path[256];
  CHECK(only_file(sub, ".wmc", path));
  struct stat st;
  CHECK(stat(path, &st) == 0 && (size_t)st.st_size >= ((size_t)256 << 10));
  int ok = 0, nomem = 0;
  for (long n = 0; n < 400 && !ok; n++) {
    wm_module *m = NULL;
    int32_t r = 0;
    wm__alloc_fail_after(n);
    int rc = wm_module_load_file(wasm, &o, &m, &err);
    if (rc == WM_OK) rc = call1(m, "big", 1, &r, &err);
    if (rc == WM_OK) rc = call1(m, "consts", 1, &r, &err);
    if (rc == WM_OK) rc = call1(m, "locals", 1, &r, &err);
    wm__alloc_fail_after(-1);
    CHECK(rc == WM_OK || rc == WM_ENOMEM);
    if (rc == WM_OK) CHECK((uint32_t)r == 8);
    ok += rc == WM_OK;
    nomem += rc == WM_ENOMEM;
    wm_module_free(m);
  }
  CHECK(ok == 1 && nomem > 10);
  rm_rf(base);
}

/* A cold sparse load leaves the bodies to the scan, from which each
** validating thread takes its runs of bodies (wm__scan_next): with one
** validating thread and with several, the module runs; a body late in the
** section whose header the scan does not take (a local of a two-byte type)
** ends the scan, and the plain load takes the module; a body it cannot
** decode, or an invalid one, early or late, gets the plain load's verdict;
** allocations fail in turn. */
#define PLAIN 1
static void test_scan_beside(void) {
  static const struct {
    uint32_t at;
    const char *body;
    int want; /* the verdict; PLAIN: loaded, the plain way */
  } twists[] = {
      {UINT32_MAX, NULL, WM_OK},
      {MANY - 10, "(local (ref null 0)) local.get 0", PLAIN},
      {MANY - 10, "(local i32 i32) local.get 0 i64.extend_i32_u", WM_EINVALID},
      {5, "local.get 0 i64.extend_i32_u", WM_EINVALID},
      {MANY - 2, "local.get 0 i32.const 1 i32.add i32.add", WM_EINVALID},
  };
  for (size_t k = 0; k < sizeof twists / sizeof *twists; k++) {
    char base[64], sub[96], wasm[96];
    test_dir("beside", base, sub, wasm);
    size_t len;
    uint8_t *bytes = many_funcs_twisted(&len, 20, twists[k].at, twists[k].body);
    CHECK(bytes != NULL && len >= ((size_t)1 << 20));
    if (!bytes) return;
    spit(wasm, bytes, len);
    free(bytes);
    if (twists[k].want != WM_OK && twists[k].want != PLAIN) {
      same_verdict(wasm, sub, twists[k].want);
      rm_rf(base);
      continue;
    }
    wm_module_options o = {0};
    o.flags = WM_MODULE_SPARSE;
    for (uint32_t threads = 1; threads <= 3; threads++) {
      wm_module *mod;
      wm_error err;
      int32_t r;
      o.validate_threads = threads;
      CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
      if (!mod) continue;
      CHECK(mod->sparse == (twists[k].want == WM_OK));
      CHECK(call1(mod, "f0", 4, &r, &err) == WM_OK && (uint32_t)r == expect_small(0, 4));
      CHECK(call1(mod, "last", 4, &r, &err) == WM_OK && (uint32_t)r == expect_small(MANY - 1, 4));
      CHECK(call1(mod, "big", 9, &r, &err) == WM_OK && (uint32_t)r == expect_big(9));
      wm_module_free(mod);
    }
    if (k == 0) {
      o.validate_threads = 2;
      int ok = 0;
      for (long n = 0; n < 60 && !ok; n++) {
        wm_module *m = NULL;
        wm_error err;
        int32_t r = 0;
        wm__alloc_fail_after(n);
        int rc = wm_module_load_file(wasm, &o, &m, &err);
        if (rc == WM_OK) rc = call1(m, "last", 1, &r, &err);
        wm__alloc_fail_after(-1);
        CHECK(rc == WM_OK || rc == WM_ENOMEM);
        if (rc == WM_OK) CHECK((uint32_t)r == expect_small(MANY - 1, 1));
        ok += rc == WM_OK;
        wm_module_free(m);
      }
      CHECK(ok == 1);
    }
    rm_rf(base);
  }
  /* With a cache directory the bytes are hashed (the file's identity is
  ** not noted: it was just written). When a cache file found all the same
  ** is refused (a forged body table, found wrong at decode), the bodies
  ** are scanned and the module loads as without it. */
  char base[64], sub[96], wasm[96], path[256];
  test_dir("beside_cache", base, sub, wasm);
  size_t len, clen;
  uint8_t *bytes = many_funcs_twisted(&len, 20, UINT32_MAX, NULL);
  if (!bytes) return;
  spit(wasm, bytes, len);
  free(bytes);
  wm_module_options oc = {0};
  oc.cache_dir = sub;
  for (int round = 0; round < 2; round++) { /* writes the file; forged, then refused */
    wm_module *mod;
    wm_error err;
    int32_t r;
    CHECK(wm_module_load_file(wasm, &oc, &mod, &err) == WM_OK);
    if (!mod) continue;
    CHECK(mod->sparse && mod->lc_index == NULL);
    CHECK(call1(mod, "last", 4, &r, &err) == WM_OK && (uint32_t)r == expect_small(MANY - 1, 4));
    CHECK(call1(mod, "big", 9, &r, &err) == WM_OK && (uint32_t)r == expect_big(9));
    wm_module_free(mod);
    if (round == 1 || !only_file(sub, ".wmc", path)) continue;
    uint8_t *c = slurp(path, &clen);
    CHECK(c != NULL && clen > HEADER + 2 * ENTRY);
    if (!c) continue;
    c[HEADER + ENTRY] -= 8; /* body 1 overlaps body 0 */
    reseal(c, clen);
    spit(path, c, clen);
    free(c);
    CHECK(!only_file(sub, ".wmi", path)); /* no identity: the bytes are hashed */
  }
  rm_rf(base);
}
#undef PLAIN

/* Bodies of `size` bytes after a first of `first`, each `local.get 0`,
** nops, `i32.const (i & 63)` and `i32.add`, every seventh declaring a
** local: n functions of type (i32) -> i32, "last" exported. */
static uint8_t *even_bodies(uint32_t n, uint32_t first, uint32_t size, size_t *len, size_t *at) {
  size_t cap = 64 + (size_t)n * (size + 8);
  uint8_t *b = malloc(cap);
  CHECK(b != NULL);
  if (!b) return NULL;
  size_t k = 0;
#define B(x) (b[k++] = (uint8_t)(x))
#define LEB(v)                                                                 \
  do {                                                                         \
    uint32_t v_ = (v);                                                         \
    do { B((v_ & 0x7F) | (v_ > 0x7F ? 0x80 : 0)); v_ >>= 7; } while (v_);     \
  } while (0)
  static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x7F, 1, 0x7F};
  memcpy(b, head, sizeof head);
  k = sizeof head;
  uint32_t nf = n < 128 ? 1 : n < 16384 ? 2 : 3; /* the count's LEB */
  B(3);
  LEB(nf + n);
  LEB(n);
  for (uint32_t i = 0; i < n; i++) B(0);
  static const uint8_t exp[] = {1, 4, 'l', 'a', 's', 't', 0};
  B(7);
  LEB((uint32_t)sizeof exp + (n - 1 < 128 ? 1 : n - 1 < 16384 ? 2 : 3));
  for (size_t i = 0; i < sizeof exp; i++) B(exp[i]);
  LEB(n - 1);
  size_t sec = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t s = i ? size : first;
    sec += (s < 128 ? 1 : s < 16384 ? 2 : 3) + s;
  }
  B(10);
  LEB((uint32_t)(sec + nf));
  LEB(n);
  *at = k;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t s = i ? size : first, locals = i % 7 == 0;
    LEB(s);
    size_t end = k + s;
    if (locals) {
      B(1);
      B(1);
      B(0x7F);
    } else {
      B(0);
    }
    B(0x20);
    B(0);
    while (k < end - 4) B(0x01);
    B(0x41);
    B(i & 63);
    B(0x6A);
    B(0x0B);
  }
#undef LEB
#undef B
  *len = k;
  return b;
}

/* The scan's runs (wm__scan_next) end where WM_SCAN_RUN bytes of the
** section do: a body header cut by that end is read again in the next
** run, whole, as is a body that goes on past it; one that ends there
** leaves the next run to start on a header. Bodies laid out so that the
** end falls on a header's first byte, its second, just before it and just
** past it: every body's bounds are the plain load's, with one thread and
** with two, and the module runs. */
static void test_scan_runs(void) {
  const uint32_t size = 1000, n = 1200, entry = size + 2; /* a 2-byte LEB of size */
  const int32_t shift[] = {0, 1, -1, 2};
  for (size_t s = 0; s < sizeof shift / sizeof *shift; s++) {
    char base[64], sub[96], wasm[96];
    test_dir("runs", base, sub, wasm);
    /* Header j = WM_SCAN_RUN / entry starts at `at` + the run's end - shift. */
    uint32_t j = WM_SCAN_RUN / entry;
    uint32_t first = (uint32_t)((int64_t)WM_SCAN_RUN - shift[s] - (int64_t)(j - 1) * entry) - 2;
    size_t len, at;
    uint8_t *bytes = even_bodies(n, first, size, &len, &at);
    if (!bytes) return;
    CHECK(len >= ((size_t)1 << 20));
    spit(wasm, bytes, len);
    wm_module *plain = NULL, *mod;
    wm_error err;
    CHECK(wm_module_load(bytes, len, NULL, &plain, &err) == WM_OK);
    free(bytes);
    if (!plain) continue;
    CHECK((int64_t)plain->funcs[j].body_off - 2 == (int64_t)(at + WM_SCAN_RUN) - shift[s]);
    for (uint32_t threads = 1; threads <= 2; threads++) {
      wm_module_options o = {0};
      o.flags = WM_MODULE_SPARSE;
      o.validate_threads = threads;
      CHECK(wm_module_load_file(wasm, &o, &mod, &err) == WM_OK);
      if (!mod) continue;
      CHECK(mod->sparse);
      uint32_t same = 0;
      for (uint32_t i = 0; i < n; i++) {
        const wm_funcdef *a = &mod->funcs[i], *b = &plain->funcs[i];
        same += a->body_off == b->body_off && a->body_len == b->body_len &&
                a->code_start == b->code_start && a->nlocals == b->nlocals;
      }
      CHECK(same == n);
      int32_t r;
      CHECK(call1(mod, "last", 1000, &r, &err) == WM_OK && r == 1000 + (int32_t)((n - 1) & 63));
      wm_module_free(mod);
    }
    wm_module_free(plain);
    rm_rf(base);
  }
}

/* Threads that call one function of a fresh module at once: each on a
** runtime of its own, all started together. */
#define RACERS 6
#define RACE_ADDS 200000u /* i32.const, i32.add pairs: a body of about 800 KB */

typedef struct racer {
  wm_module *mod;
  atomic_int *go;
  int32_t arg, r;
  int rc;
} racer;

static void *race_call(void *p) {
  racer *x = p;
  wm_error err;
  atomic_fetch_add(x->go, 1);
  while (atomic_load(x->go) < RACERS) {} /* the others too */
  x->rc = call1(x->mod, "big", x->arg, &x->r, &err);
  return NULL;
}

static int race(wm_module *mod, int32_t r[RACERS], int rc[RACERS]) {
  pthread_t th[RACERS];
  racer x[RACERS];
  atomic_int go = 0;
  int started = 0;
  for (int i = 0; i < RACERS; i++) {
    x[i] = (racer){mod, &go, i * 1000, 0, -1};
    if (pthread_create(&th[i], NULL, race_call, &x[i]) != 0) break;
    started++;
  }
  while (atomic_load(&go) < RACERS && started < RACERS) atomic_fetch_add(&go, 1);
  for (int i = 0; i < started; i++) {
    pthread_join(th[i], NULL);
    r[i] = x[i].r;
    rc[i] = x[i].rc;
  }
  return started;
}

/* A body that many threads need at once is lowered once: one thread lowers
** it, the others wait for its code (module.c, lower) -- a large body
** lowered twice costs a start milliseconds. Every caller gets the right
** answer. When the lowering fails (max_code_bytes), it is given back: each
** waiter tries in turn and gets the same error, and none hangs. */
static void test_lower_once(void) {
  size_t cap = (size_t)RACE_ADDS * 32 + 256, n = 0;
  char *t = malloc(cap);
  CHECK(t != NULL);
  if (!t) return;
  n += (size_t)snprintf(t + n, cap - n, "(module (func (export \"big\") (param i32) (result i32) local.get 0");
  uint32_t sum = 0;
  for (uint32_t j = 0; j < RACE_ADDS; j++) {
    n += (size_t)snprintf(t + n, cap - n, " i32.const %u i32.add", j % 100 + 1);
    sum += j % 100 + 1;
  }
  n += (size_t)snprintf(t + n, cap - n, "))");
  CHECK(n < cap);
  size_t len;
  uint8_t *b = wat_bytes(t, "", &len);
  free(t);
  if (!b) return;
  wm_error err;
  int32_t r[RACERS];
  int rc[RACERS];
  for (int round = 0; round < 2; round++) {
    wm_module_options o = {0};
    if (round == 1) o.max_code_bytes = 4096; /* far too little for the body */
    wm_module *mod;
    CHECK(wm_module_load(b, len, &o, &mod, &err) == WM_OK);
    CHECK(race(mod, r, rc) == RACERS);
    for (int i = 0; i < RACERS; i++) {
      if (round == 0) CHECK(rc[i] == WM_OK && (uint32_t)r[i] == (uint32_t)(i * 1000) + sum);
      else CHECK(rc[i] == WM_ELIMIT);
    }
    CHECK(atomic_load(&mod->nlowered) == (round == 0 ? 1u : 0u));
    wm_module_free(mod);
  }
  free(b);
}

static void test_hash(void) {
  uint8_t buf[100], h0[16], h[16];
  memset(buf, 0, sizeof buf);
  /* Zeros of every length hash differently. */
  uint8_t seen[101][16];
  int distinct = 0;
  for (size_t n = 0; n <= 100; n++) {
    wm_module_hash(buf, n, seen[n]);
    bool dup = false;
    for (size_t k = 0; k < n; k++) dup |= memcmp(seen[k], seen[n], 16) == 0;
    distinct += !dup;
  }
  CHECK(distinct == 101);
  /* Every single-bit change changes both halves. */
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7);
  wm_module_hash(buf, sizeof buf, h0);
  int both = 0;
  for (size_t i = 0; i < sizeof buf; i++)
    for (int b = 0; b < 8; b++) {
      buf[i] ^= (uint8_t)(1u << b);
      wm_module_hash(buf, sizeof buf, h);
      both += memcmp(h, h0, 8) != 0 && memcmp(h + 8, h0 + 8, 8) != 0;
      buf[i] ^= (uint8_t)(1u << b);
    }
  CHECK(both == 800);
  wm_module_hash(buf, sizeof buf, h);
  CHECK(memcmp(h, h0, 16) == 0);
  wm_module_hash(NULL, 0, h);
  wm_module_hash(buf, 0, h0);
  CHECK(memcmp(h, h0, 16) == 0);
  /* Streamed in pieces of every size from 1 to 100: the same hash. */
  uint8_t big[1000];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 13 + (i >> 5));
  wm_module_hash(big, sizeof big, h0);
  int same = 0;
  for (size_t piece = 1; piece <= 100; piece++) {
    wm_hasher st;
    wm__hash_init(&st);
    for (size_t at = 0; at < sizeof big; at += piece)
      wm__hash_update(&st, big + at, sizeof big - at < piece ? sizeof big - at : piece);
    wm__hash_final(&st, h);
    same += memcmp(h, h0, 16) == 0;
  }
  CHECK(same == 100);
}

int main(void) {
  good = wat_bytes(good_wat, "", &good_len);
  char *bad_wat = strdup(good_wat);
  char *sub = strstr(bad_wat, "i32.const 3 i32.sub");
  memcpy(sub + 12, "i64", 3);
  bad = wat_bytes(bad_wat, "--no-check", &bad_len);
  free(bad_wat);
  if (!good || !bad) return 1;
  CHECK(bad_len == good_len);
  test_round_trip();
  test_corrupted();
  test_forged_table();
  test_forged_verdict();
  test_cache_dir();
  test_sparse_file();
  test_identity();
  test_head();
  test_sparse_cold();
  test_api_errors();
  test_alloc_failures();
  test_first_calls();
  test_many_funcs();
  test_scan_beside();
  test_scan_runs();
  test_lower_once();
  test_hash();
  free(good);
  free(bad);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
