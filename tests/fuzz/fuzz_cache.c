/* SPDX-License-Identifier: MIT */
/*
** fuzz_cache.c -- the code cache's reader (src/load/cache.c and the decoder's
** body table, decode.c) against hostile cache files: a clear WM_ECACHE, or
** a module that runs or fails a call cleanly, never a crash. See README.md.
**
** The module is fixed (four small functions with locals, one of each kind);
** the cache is the input. The first byte picks how the rest is used:
**   0  the whole cache, as given (the checksum stops nearly all of it);
**   1  the body table, put under a correct header and resealed;
**   2  a whole cache, resealed: the header's fields are the fuzzer's too;
**   3  the first-call list (WM_MODULE_PRELOWER), after the genuine header
**      (its count set to the input's length / 4) and body table, resealed;
**   4  the lowered code part, after the header, body table and list of a
**      genuine cache that holds lowered code (written through a cache
**      directory), resealed: what wm__code_trust must refuse or make safe.
** Forged lowered code may loop forever (a branch to itself is valid
** code), as a hostile guest may: the replay runs mode 4 in a child process
** with an alarm, and counts a hang as a clean outcome; a crash fails.
** The genuine cache carries a first-call list, and every load asks for
** WM_MODULE_PRELOWER: an accepted list is lowered ahead on a thread of its
** own while the calls run. A module that loads is instantiated and every
** export is called: the bodies hold no loops, so every call ends.
**
** Built as a libFuzzer target with -DWM_FUZZ=ON; without it, as
** `fuzz_cache_replay N`, which runs N seeded mutations of the genuine cache
** in each mode (CTest fuzz.cache.replay).
*/
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wasmem.h"

/* (module (memory 1)
**   (func (export "a") (param i32) (result i32) (local i32 i64)
**     local.get 0 local.set 1 local.get 1 i32.const 7 i32.mul)
**   (func (export "b") (param i32) (result i32)
**     local.get 0 if (result i32) local.get 0 call 0 else i32.const 1 end)
**   (func (export "c") (param i32) (result i32) (local f64 i32 i32)
**     local.get 0 i32.load offset=8 local.get 0 i32.add)
**   (func (export "d") (param i32) (result i32) (local v128)
**     local.get 0 i32.const 1 i32.shl)) */
static const uint8_t module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f,
    0x01, 0x7f, 0x03, 0x05, 0x04, 0x00, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x11, 0x04, 0x01, 0x61, 0x00, 0x00, 0x01, 0x62, 0x00, 0x01, 0x01, 0x63, 0x00,
    0x02, 0x01, 0x64, 0x00, 0x03, 0x0a, 0x39, 0x04, 0x0f, 0x02, 0x01, 0x7f, 0x01, 0x7e,
    0x20, 0x00, 0x21, 0x01, 0x20, 0x01, 0x41, 0x07, 0x6c, 0x0b, 0x0e, 0x00, 0x20, 0x00,
    0x04, 0x7f, 0x20, 0x00, 0x10, 0x00, 0x05, 0x41, 0x01, 0x0b, 0x0b, 0x0e, 0x02, 0x01,
    0x7c, 0x02, 0x7f, 0x20, 0x00, 0x28, 0x02, 0x08, 0x20, 0x00, 0x6a, 0x0b, 0x09, 0x01,
    0x01, 0x7b, 0x20, 0x00, 0x41, 0x01, 0x74, 0x0b};

#define HEADER 64
#define TRAILER 16
#define TABLE (4 * 16)

static const wm_module_options prelower = {WM_MODULE_PRELOWER, 0, 0, NULL};

static volatile int64_t sink;
static uint8_t *genuine;
static size_t genuine_len;
/* A genuine cache file with lowered code, and where its lowered part
** starts. */
static uint8_t *coded;
static size_t coded_len, coded_part;

/* The module loaded with o, a runtime and an instance of it, or abort. */
static void instantiate(const wm_module_options *o, wm_module **mod, wm_runtime **rt,
                        wm_instance **inst) {
  if (wm_module_load(module, sizeof module, o, mod, NULL) != WM_OK ||
      wm_runtime_new(NULL, rt, NULL) != WM_OK || wm_instance_new(*rt, *mod, NULL, inst, NULL) != WM_OK)
    abort();
}

/* Through a cache directory: every export called, then the file. */
static void setup_coded(void) {
  char dir[64], path[160];
  snprintf(dir, sizeof dir, "/tmp/wm_fuzz_cache_%d", (int)getpid());
  wm_module_options o = prelower;
  o.cache_dir = dir;
  wm_module *mod;
  wm_runtime *rt;
  wm_instance *inst;
  instantiate(&o, &mod, &rt, &inst);
  static const char *const names[] = {"c", "a", "b", "d"};
  for (int i = 0; i < 4; i++) {
    wm_val a = wm_val_i32(1), r;
    if (wm_func_call(rt, wm_instance_func(inst, names[i]), &a, 1, &r, 1, NULL) != WM_OK) abort();
  }
  if (wm_module_cache_update(mod, NULL) != WM_OK) abort();
  wm_runtime_free(rt);
  wm_module_free(mod);
  uint8_t key[16];
  wm_module_hash(module, sizeof module, key);
  int n = snprintf(path, sizeof path, "%s/", dir);
  for (int i = 0; i < 16; i++) n += snprintf(path + n, sizeof path - (size_t)n, "%02x", key[i]);
  snprintf(path + n, sizeof path - (size_t)n, ".wmc");
  FILE *f = fopen(path, "rb");
  coded = malloc(1 << 16);
  if (!f || !coded) abort();
  coded_len = fread(coded, 1, 1 << 16, f);
  fclose(f);
  unlink(path);
  rmdir(dir);
  uint32_t m = (uint32_t)coded[60] | (uint32_t)coded[61] << 8;
  coded_part = HEADER + TABLE + (size_t)m * 4;
  /* Lowered code for the four functions, or this mode tests nothing. */
  if (coded_len < coded_part + TRAILER + 24 + 4 * 24 || coded[coded_part + 4] != 4) abort();
}

static void setup(void) {
  if (genuine) return;
  wm_module *mod;
  wm_runtime *rt;
  wm_instance *inst;
  instantiate(&prelower, &mod, &rt, &inst);
  /* A first-call list of c, then a. */
  wm_val a = wm_val_i32(1), r;
  if (wm_func_call(rt, wm_instance_func(inst, "c"), &a, 1, &r, 1, NULL) != WM_OK ||
      wm_func_call(rt, wm_instance_func(inst, "a"), &a, 1, &r, 1, NULL) != WM_OK ||
      wm_module_serialize(mod, &genuine, &genuine_len, NULL) != WM_OK ||
      genuine_len != HEADER + TABLE + 2 * 4 + TRAILER)
    abort();
  wm_runtime_free(rt);
  wm_module_free(mod);
  setup_coded();
}

/* Loads and runs; 1 when the cache was accepted. */
static int run(const uint8_t *cache, size_t len) {
  wm_error err;
  wm_module *mod = NULL;
  int rc = wm_module_deserialize(module, sizeof module, cache, len, &prelower, &mod, &err);
  if (rc != WM_OK) {
    if (rc != err.code || !err.message[0] || mod) abort();
    return 0;
  }
  wm_runtime *rt;
  wm_instance *inst;
  if (wm_runtime_new(NULL, &rt, NULL) != WM_OK) abort();
  if (wm_instance_new(rt, mod, NULL, &inst, &err) == WM_OK) {
    static const char *const names[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
      wm_val a = wm_val_i32(i * 3), r;
      wm_func *f = wm_instance_func(inst, names[i]);
      if (f && wm_func_call(rt, f, &a, 1, &r, 1, &err) == WM_OK) sink += r.of.i32;
      else if (f && !err.message[0]) abort();
    }
  }
  wm_runtime_free(rt);
  wm_module_free(mod);
  return 1;
}

/* run() in a child process with an alarm (mode 4 in the replay): a hang is
** a clean outcome, a crash is not. */
static int run_guarded(const uint8_t *cache, size_t len) {
#ifdef WM_FUZZ_REPLAY
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) abort();
  if (pid == 0) {
    alarm(5);
    _exit(run(cache, len) ? 0 : 3);
  }
  int st;
  if (waitpid(pid, &st, 0) != pid) abort();
  if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) return 1;
  if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 3)) abort();
  return WEXITSTATUS(st) == 0;
#else
  return run(cache, len);
#endif
}

/* A cache from the fuzzer's bytes in the given mode (see the header). */
static int one(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  uint8_t mode = data[0] % 5;
  data++;
  size--;
  if (mode == 0) return run(data, size);
  size_t len = mode == 1   ? HEADER + size + TRAILER
               : mode == 3 ? HEADER + TABLE + size + TRAILER
               : mode == 4 ? coded_part + size + TRAILER
                           : size;
  if (len < TRAILER) return 0;
  uint8_t *c = malloc(len);
  if (!c) return 0;
  if (mode == 1) {
    memcpy(c, genuine, HEADER);
    memcpy(c + HEADER, data, size);
  } else if (mode == 3) {
    uint32_t m = (uint32_t)(size / 4);
    memcpy(c, genuine, HEADER + TABLE);
    for (int i = 0; i < 4; i++) c[60 + i] = (uint8_t)(m >> (8 * i));
    memcpy(c + HEADER + TABLE, data, size);
  } else if (mode == 4) {
    memcpy(c, coded, coded_part);
    memcpy(c + coded_part, data, size);
  } else {
    memcpy(c, data, size);
  }
  wm_module_hash(c, len - TRAILER, c + len - TRAILER);
  int ok = mode == 4 ? run_guarded(c, len) : run(c, len);
  free(c);
  return ok;
}

#ifdef WM_FUZZ_REPLAY
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)rng;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 10000;
  setup();
  uint8_t *buf = malloc((genuine_len > coded_len ? genuine_len : coded_len) + 64);
  if (!buf) return 1;
  long loaded = 0;
  for (long i = 0; i < n; i++) {
    /* Mode, then the genuine cache (or its table) with a few changes:
    ** bytes set to small, large or random values, or a different length. */
    uint8_t mode = (uint8_t)(i % 5);
    const uint8_t *src = mode == 1   ? genuine + HEADER
                         : mode == 3 ? genuine + HEADER + TABLE
                         : mode == 4 ? coded + coded_part
                                     : genuine;
    size_t len = mode == 1   ? genuine_len - HEADER - TRAILER
                 : mode == 3 ? genuine_len - HEADER - TABLE - TRAILER
                 : mode == 4 ? coded_len - coded_part - TRAILER
                             : genuine_len;
    buf[0] = mode;
    memcpy(buf + 1, src, len);
    int edits = 1 + (int)(next() % 4);
    for (int e = 0; e < edits; e++) {
      size_t at = next() % len;
      uint32_t how = next() % 4;
      buf[1 + at] = how == 0 ? (uint8_t)(buf[1 + at] + 1)
                  : how == 1 ? (uint8_t)(buf[1 + at] - 1)
                  : how == 2 ? 0xFF
                             : (uint8_t)next();
    }
    if (next() % 8 == 0) len = len - 1 - next() % 8 + (next() % 2) * 16;
    if (len > genuine_len + 32 && mode != 4) len = genuine_len;
    if (mode == 4 && len > coded_len) len = coded_len - coded_part - TRAILER;
    loaded += one(buf, 1 + len);
  }
  free(buf);
  wm_free(genuine);
  free(coded);
  /* Both outcomes must occur, or the mutations test nothing. */
  printf("fuzz_cache: %ld cases, %ld loaded and ran, %ld rejected\n", n, loaded, n - loaded);
  return loaded > 0 && loaded < n ? 0 : 1;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  one(data, size);
  return 0;
}
#endif
