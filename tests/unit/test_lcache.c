/* SPDX-License-Identifier: MIT */
/*
** test_lcache.c -- lowered code in the code cache (src/load/cache.c,
** wm__code_trust in src/load/code_check.c): a run with a cache directory
** writes the code it lowered, the next load installs it instead of
** lowering, with the same results; each rule of the reader refuses a forged
** entry (an op outside the allow-list, a call of a function with a
** reference parameter or out of range, global.get/set of a reference or
** immutable global, a table that holds no functions, a data segment out of
** range, a slot or call base outside the frame, a branch into an
** instruction, a frame too large, code that runs off its end, a function
** whose own type has references, a slot or a slot's upper half read
** before this call wrote it on some path, a function too large or too
** costly for that analysis); a refused entry in a file is lowered
** from its body, gives the right answer and gets the file rewritten; a
** metered load (another loop) or a part of another build's instruction set
** installs nothing (and a metered load charges the same fuel).
*/
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "module.h"
#include "ops.h"
#include "wasmem.h"

/* Functions: 0 sq, 1 tw, 2 isnull (externref param: never cached), 3 sum
** (a loop, memory, a call, a global), 4 ind (call_indirect), 5 gset
** (global.set/get), 6 useref (ref.null and a call of isnull: refused), 7
** mem (memory.init, memory.size, a load). Cacheable: all but 2 and 6. */
static const char *const wat =
    "(module\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (global $g (mut i32) (i32.const 5))\n"
    "  (global $k i32 (i32.const 7))\n"
    "  (global $r (mut externref) (ref.null extern))\n"
    "  (table 2 funcref)\n"
    "  (table $xt 1 externref)\n"
    "  (elem (i32.const 0) $sq $tw)\n"
    "  (data $d \"abcdefgh\")\n"
    "  (func $sq (type $t) local.get 0 local.get 0 i32.mul)\n"
    "  (func $tw (type $t) local.get 0 i32.const 1 i32.shl)\n"
    "  (func $isnull (param externref) (result i32) local.get 0 ref.is_null)\n"
    "  (func (export \"sum\") (param $n i32) (result i32) (local $i i32) (local $acc i32)\n"
    "    block $done\n"
    "      loop $top\n"
    "        local.get $i local.get $n i32.ge_s br_if $done\n"
    "        local.get $i i32.const 4 i32.mul local.get $i call $sq i32.store offset=64\n"
    "        local.get $acc local.get $i i32.const 4 i32.mul i32.load offset=64 i32.add\n"
    "        global.get $g i32.add local.set $acc\n"
    "        local.get $i i32.const 1 i32.add local.set $i\n"
    "        br $top\n"
    "      end\n"
    "    end\n"
    "    local.get $acc)\n"
    "  (func (export \"ind\") (param i32) (result i32)\n"
    "    local.get 0 local.get 0 i32.const 1 i32.and call_indirect (type $t))\n"
    "  (func (export \"gset\") (param i32) (result i32)\n"
    "    local.get 0 global.set $g global.get $g global.get $k i32.add)\n"
    "  (func (export \"useref\") (param i32) (result i32)\n"
    "    ref.null extern call $isnull local.get 0 i32.add)\n"
    "  (func (export \"mem\") (param i32) (result i32)\n"
    "    i32.const 0 i32.const 0 i32.const 8 memory.init $d\n"
    "    memory.size local.get 0 i32.load8_u i32.add))\n";

#define NCACHEABLE 6u
#define NRESULTS 8

static uint8_t *bytes;
static size_t nbytes;
static char dir[64];

/* Every export, in one order, on a fresh instance: the results (and the
** fuel used, for a metered module). */
static bool run_all(wm_module *mod, int32_t out[NRESULTS], uint64_t *fuel_used) {
  wm_runtime *rt;
  wm_instance *inst;
  wm_error err;
  if (wm_runtime_new(NULL, &rt, &err) != WM_OK) return false;
  bool ok = wm_instance_new(rt, mod, NULL, &inst, &err) == WM_OK;
  if (ok && fuel_used) ok = wm_runtime_set_fuel(rt, 1000000) == WM_OK;
  static const char *const names[] = {"sum", "ind", "ind", "gset", "sum", "useref", "mem", "mem"};
  static const int32_t args[] = {10, 6, 7, 11, 4, 3, 0, 5};
  for (int i = 0; ok && i < NRESULTS; i++) {
    wm_val a = wm_val_i32(args[i]), r;
    wm_func *f = wm_instance_func(inst, names[i]);
    ok = f && wm_func_call(rt, f, &a, 1, &r, 1, &err) == WM_OK;
    if (ok) out[i] = r.of.i32;
  }
  if (fuel_used) *fuel_used = 1000000 - wm_runtime_get_fuel(rt);
  wm_runtime_free(rt);
  return ok;
}

/* The expected answers, worked out by hand. */
static void expected(int32_t want[NRESULTS]) {
  int32_t s10 = 0, s4 = 0;
  for (int i = 0; i < 10; i++) s10 += i * i + 5;
  for (int i = 0; i < 4; i++) s4 += i * i + 11; /* after gset 11 */
  want[0] = s10;
  want[1] = 36; /* 6 & 1 = 0: sq */
  want[2] = 14; /* 7 & 1 = 1: tw */
  want[3] = 11 + 7;
  want[4] = s4;
  want[5] = 1 + 3;
  want[6] = 1 + 'a';
  want[7] = 1 + 'f';
}

static wm_module *load(uint32_t flags, bool cache) {
  wm_module_options o = {0};
  o.flags = flags;
  if (cache) o.cache_dir = dir;
  wm_module *mod = NULL;
  wm_error err;
  CHECK(wm_module_load(bytes, nbytes, &o, &mod, &err) == WM_OK);
  return mod;
}

static void cache_path(char path[160]) {
  uint8_t key[16];
  wm_module_hash(bytes, nbytes, key);
  int n = snprintf(path, 160, "%s/", dir);
  for (int i = 0; i < 16; i++) n += snprintf(path + n, 160 - (size_t)n, "%02x", key[i]);
  snprintf(path + n, 160 - (size_t)n, ".wmc");
}

static uint8_t *slurp(size_t *len) {
  char path[160];
  cache_path(path);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *b = malloc(1 << 20);
  *len = fread(b, 1, 1 << 20, f);
  fclose(f);
  return b;
}

static void spit(const uint8_t *b, size_t len) {
  char path[160];
  cache_path(path);
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fwrite(b, 1, len, f);
  fclose(f);
}

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Defined function d's entry in a cache file, or NULL. */
static uint8_t *entry_of(uint8_t *file, size_t len, uint32_t d) {
  uint32_t n = rd32(file + 56), m = rd32(file + 60);
  size_t at = 64 + (size_t)n * 16 + (size_t)m * 4;
  if (at + 24 > len - 16) return NULL;
  uint32_t k = rd32(file + at + 4);
  at += 24; /* loop, count, instruction set */
  for (uint32_t i = 0; i < k && at + 24 <= len - 16; i++) {
    uint8_t *e = file + at;
    if (rd32(e) == d) return e;
    at += 24 + (size_t)rd32(e + 4) * 4 + (size_t)rd32(e + 8) * 8 + (size_t)rd32(e + 12) * 8;
  }
  return NULL;
}

/* The cell index of the first instruction op in ops (heads as op numbers),
** or UINT32_MAX. */
static uint32_t find_op(const uint32_t *ops, uint32_t ncode, wm_op op) {
  uint32_t pc = 0;
  while (pc + 2 <= ncode) {
    wm_op o = (wm_op)ops[pc];
    if (o == op) return pc;
    const char *l = wm__op_layout(o);
    if (!l) { /* BR_TABLE, BR_TABLE_K */
      uint32_t k = o == WM_OP_BR_TABLE_K;
      pc += 2 + 2 + k + ops[pc + 3 + k] + 1;
      continue;
    }
    pc += 2;
    for (; *l; l++) pc += *l == 'q' ? 2 : 1;
  }
  return UINT32_MAX;
}

/* ------------------------------------------------------------------ tests */

/* Written at the end of a run, installed by the next load, same answers;
** a run that lowers nothing new leaves the file alone. */
static void test_round_trip(void) {
  int32_t want[NRESULTS], got[NRESULTS];
  expected(want);
  wm_module *mod = load(WM_MODULE_PRELOWER, true);
  CHECK(run_all(mod, got, NULL));
  CHECK(memcmp(got, want, sizeof want) == 0);
  CHECK(atomic_load(&mod->lc_installed) == 0);
  CHECK(wm_module_cache_update(mod, NULL) == WM_OK);
  wm_module_free(mod);

  size_t len1;
  uint8_t *f1 = slurp(&len1);
  CHECK(f1 && entry_of(f1, len1, 3) && entry_of(f1, len1, 2) && rd32(entry_of(f1, len1, 2) + 4) == 0);

  mod = load(WM_MODULE_PRELOWER, true);
  CHECK(mod->lc_index != NULL);
  memset(got, 0, sizeof got);
  CHECK(run_all(mod, got, NULL));
  CHECK(memcmp(got, want, sizeof want) == 0);
  CHECK(atomic_load(&mod->lc_installed) == NCACHEABLE);
  CHECK(atomic_load(&mod->nlowered) == 8); /* each function once, installed or lowered */
  CHECK(wm_module_cache_update(mod, NULL) == WM_OK);
  wm_module_free(mod);
  size_t len2;
  uint8_t *f2 = slurp(&len2);
  CHECK(f2 && len2 == len1 && memcmp(f1, f2, len1) == 0);
  free(f1);
  free(f2);

  /* EAGER installs at load. */
  mod = load(WM_MODULE_EAGER, true);
  CHECK(atomic_load(&mod->lc_installed) == NCACHEABLE);
  CHECK(run_all(mod, got, NULL));
  CHECK(memcmp(got, want, sizeof want) == 0);
  wm_module_free(mod);
}

/* Another loop: the plain code is not used, the fuel is what lowering's
** code charges, and the plain code stays in the file. */
static void test_metered(void) {
  int32_t want[NRESULTS], got[NRESULTS];
  expected(want);
  uint64_t fuel_plain = 0, fuel_cached = 0;
  wm_module *mod = load(WM_MODULE_METERED, false);
  CHECK(run_all(mod, got, &fuel_plain));
  wm_module_free(mod);
  mod = load(WM_MODULE_METERED | WM_MODULE_PRELOWER, true);
  CHECK(mod->lc_index == NULL && mod->lc_len > 0);
  CHECK(run_all(mod, got, &fuel_cached));
  CHECK(memcmp(got, want, sizeof want) == 0);
  CHECK(fuel_plain > 0 && fuel_cached == fuel_plain);
  CHECK(atomic_load(&mod->lc_installed) == 0);
  wm_module_free(mod);
  mod = load(0, true);
  CHECK(run_all(mod, got, NULL));
  CHECK(atomic_load(&mod->lc_installed) == NCACHEABLE);
  wm_module_free(mod);
}

/* The file f, resealed and written; a load with it runs right having
** installed `installed` functions, its update writes the file again, and
** the next load installs them all. */
static void forged_then_rewritten(uint8_t *f, size_t len, uint32_t installed) {
  int32_t want[NRESULTS], got[NRESULTS];
  expected(want);
  wm_module_hash(f, len - 16, f + len - 16);
  spit(f, len);
  wm_module *mod = load(WM_MODULE_PRELOWER, true);
  CHECK(installed || mod->lc_index == NULL);
  CHECK(run_all(mod, got, NULL));
  CHECK(memcmp(got, want, sizeof want) == 0);
  CHECK(atomic_load(&mod->lc_installed) == installed);
  CHECK(wm_module_cache_update(mod, NULL) == WM_OK);
  wm_module_free(mod);
  mod = load(WM_MODULE_PRELOWER, true);
  CHECK(run_all(mod, got, NULL));
  CHECK(memcmp(got, want, sizeof want) == 0);
  CHECK(atomic_load(&mod->lc_installed) == NCACHEABLE);
  wm_module_free(mod);
  free(f);
}

/* Function d's entry in file f (*e), and the cell of the first
** instruction op in it; UINT32_MAX when there is none. */
static uint32_t op_in_entry(uint8_t *f, size_t len, uint32_t d, wm_op op, uint8_t **e) {
  *e = f ? entry_of(f, len, d) : NULL;
  uint32_t ncode = *e ? rd32(*e + 4) : 0, *cells = *e ? malloc((size_t)ncode * 4 + 4) : NULL;
  if (!cells) return UINT32_MAX;
  memcpy(cells, *e + 24, (size_t)ncode * 4);
  uint32_t at = find_op(cells, ncode, op);
  free(cells);
  return at;
}

/* A forged entry in the file (resealed): refused, its function lowered
** from the body, the right answers, and the file written again. */
static void test_forged_file(void) {
  size_t len;
  uint8_t *f = slurp(&len), *e;
  uint32_t at = op_in_entry(f, len, 3, WM_OP_CALL, &e);
  CHECK(at != UINT32_MAX);
  if (at == UINT32_MAX) {
    free(f);
    return;
  }
  wr32(e + 24 + 4 * (at + 2), 2); /* call $isnull */
  forged_then_rewritten(f, len, NCACHEABLE - 1);
}

/* A part written for another instruction set (another build): not used,
** and replaced by the next update. */
static void test_other_isa(void) {
  size_t len;
  uint8_t *f = slurp(&len);
  CHECK(f != NULL);
  if (!f) return;
  size_t part = 64 + (size_t)rd32(f + 56) * 16 + (size_t)rd32(f + 60) * 4;
  f[part + 8] ^= 1;
  forged_then_rewritten(f, len, 0);
}

/* A truncated or garbled lowered part, resealed: the file is rejected
** whole (and rewritten), the module still runs right. */
static void test_bad_part(void) {
  int32_t want[NRESULTS], got[NRESULTS];
  expected(want);
  size_t len;
  uint8_t *f = slurp(&len);
  uint8_t *e = f ? entry_of(f, len, 3) : NULL;
  CHECK(e != NULL);
  if (!e) return;
  wr32(e + 4, rd32(e + 4) + 1000); /* more cells than the file holds */
  wm_module_hash(f, len - 16, f + len - 16);
  spit(f, len);
  wm_module *mod = load(WM_MODULE_PRELOWER, true);
  CHECK(mod->lc_index == NULL);
  CHECK(run_all(mod, got, NULL));
  CHECK(memcmp(got, want, sizeof want) == 0);
  wm_module_free(mod);
  free(f);
}

/* Each rule of wm__code_trust, on a copy of lowered code with one thing
** changed: what it says. */
typedef struct copy {
  wm_code c;
  uint32_t *ops;
} copy;

static copy take(wm_module *mod, uint32_t idx) {
  const wm_code *c;
  bool fresh;
  wm_error err;
  copy k = {{0}, NULL};
  CHECK(wm__lower(mod, idx, &c, &fresh, &err) == WM_OK);
  k.c = *c;
  k.ops = malloc((size_t)c->ncode * 4);
  CHECK(wm__code_ops(c, mod->loop, k.ops));
  k.c.code = k.ops;
  return k;
}

static void said(const char *why, const char *want) {
  CHECK(why != NULL && strstr(why, want) != NULL);
  if (!why || !strstr(why, want))
    fprintf(stderr, "  wanted \"%s\", got \"%s\"\n", want, why ? why : "(accepted)");
}

static void test_rules(void) {
  wm_module *mod = load(0, false);
  if (!mod) return;
  copy k;

  k = take(mod, 3); /* sum */
  CHECK(wm__code_trust(&k.c, mod, 3, false) == NULL);
  uint32_t call = find_op(k.ops, k.c.ncode, WM_OP_CALL);
  uint32_t br = find_op(k.ops, k.c.ncode, WM_OP_BR);
  uint32_t ret = find_op(k.ops, k.c.ncode, WM_OP_RETURN);
  CHECK(call != UINT32_MAX && br != UINT32_MAX && ret != UINT32_MAX);
  if (call != UINT32_MAX && br != UINT32_MAX && ret != UINT32_MAX) {
    k.ops[ret] = WM_OP_ATOMIC_FENCE; /* same layout, not allowed */
    said(wm__code_trust(&k.c, mod, 3, false), "not allowed");
    k.ops[ret] = WM_OP_RETURN;
    k.ops[call + 2] = 2; /* isnull: an externref parameter */
    said(wm__code_trust(&k.c, mod, 3, false), "type with references");
    k.ops[call + 2] = mod->nfuncs;
    said(wm__code_trust(&k.c, mod, 3, false), "out of range");
    k.ops[call + 2] = 0;
    uint32_t base = k.ops[call + 3];
    k.ops[call + 3] = k.c.frame_slots + 1;
    said(wm__code_trust(&k.c, mod, 3, false), "call base outside the frame");
    k.ops[call + 3] = k.c.frame_slots; /* the callee's argument past the frame */
    said(wm__code_trust(&k.c, mod, 3, false), "outside the frame");
    k.ops[call + 3] = base;
    k.ops[br + 2] += 1;
    said(wm__code_trust(&k.c, mod, 3, false), "middle of an instruction");
    k.ops[br + 2] -= 1;
    CHECK(wm__code_trust(&k.c, mod, 3, false) == NULL);
    uint32_t fs = k.c.frame_slots;
    k.c.frame_slots = 0x10000000u;
    said(wm__code_trust(&k.c, mod, 3, false), "frame too large");
    k.c.frame_slots = fs;
    k.c.nlocal_slots += 5;
    said(wm__code_trust(&k.c, mod, 3, false), "locals");
    k.c.nlocal_slots -= 5;
  }
  /* An accumulator form (compile_acc.c) made by hand: the add of the load
  ** at i * 4 reading the product the I32_MUL_K before it wrote. Allowed
  ** there; refused reading another slot, or where a branch lands on it. */
  uint32_t ld = find_op(k.ops, k.c.ncode, WM_OP_I32_ADD_LD);
  bool made = ld != UINT32_MAX && ld >= 5 && k.ops[ld - 5] == WM_OP_I32_MUL_K && br != UINT32_MAX;
  CHECK(made);
  if (made) {
    uint32_t a = k.ops[ld + 3];
    k.ops[ld] = WM_OP_I32_ADD_LD_A;
    k.ops[ld + 3] = k.ops[ld - 5 + 2];
    CHECK(wm__code_trust(&k.c, mod, 3, false) == NULL);
    k.ops[ld + 3] = a;
    said(wm__code_trust(&k.c, mod, 3, false), "accumulator form");
    k.ops[ld + 3] = k.ops[ld - 5 + 2];
    uint32_t off = k.ops[br + 2];
    k.ops[br + 2] = ld - br;
    said(wm__code_trust(&k.c, mod, 3, false), "accumulator form");
    k.ops[br + 2] = off;
    k.ops[ld] = WM_OP_I32_ADD_LD;
    k.ops[ld + 3] = a;
  }
  free(k.ops);

  k = take(mod, 5); /* gset */
  uint32_t gs = find_op(k.ops, k.c.ncode, WM_OP_GLOBAL_SET);
  uint32_t gg = find_op(k.ops, k.c.ncode, WM_OP_GLOBAL_GET);
  CHECK(gs != UINT32_MAX && gg != UINT32_MAX);
  if (gs != UINT32_MAX && gg != UINT32_MAX) {
    CHECK(wm__code_trust(&k.c, mod, 5, false) == NULL);
    k.ops[gs + 2] = 2; /* the externref global */
    said(wm__code_trust(&k.c, mod, 5, false), "global.set");
    k.ops[gs + 2] = 1; /* immutable */
    said(wm__code_trust(&k.c, mod, 5, false), "global.set");
    k.ops[gs + 2] = mod->nglobals;
    said(wm__code_trust(&k.c, mod, 5, false), "global.set");
    k.ops[gs + 2] = 0;
    k.ops[gs + 3] = k.c.frame_slots; /* the value's slot */
    said(wm__code_trust(&k.c, mod, 5, false), "slot outside the frame");
    k.ops[gs + 3] = 0;
    k.ops[gg + 3] = 2;
    said(wm__code_trust(&k.c, mod, 5, false), "global.get");
  }
  free(k.ops);

  k = take(mod, 4); /* ind */
  uint32_t ci = find_op(k.ops, k.c.ncode, WM_OP_CALL_INDIRECT);
  CHECK(ci != UINT32_MAX);
  if (ci != UINT32_MAX) {
    CHECK(wm__code_trust(&k.c, mod, 4, false) == NULL);
    k.ops[ci + 4] = 1; /* the externref table */
    said(wm__code_trust(&k.c, mod, 4, false), "no function table");
    k.ops[ci + 4] = 2;
    said(wm__code_trust(&k.c, mod, 4, false), "no function table");
    k.ops[ci + 4] = 0;
    k.ops[ci + 3] = mod->funcs[2].typeidx; /* (externref) -> i32 */
    said(wm__code_trust(&k.c, mod, 4, false), "type");
  }
  free(k.ops);

  k = take(mod, 7); /* mem */
  uint32_t mi = find_op(k.ops, k.c.ncode, WM_OP_MEMORY_INIT);
  CHECK(mi != UINT32_MAX);
  if (mi != UINT32_MAX) {
    CHECK(wm__code_trust(&k.c, mod, 7, false) == NULL);
    k.ops[mi + 2] = 1;
    said(wm__code_trust(&k.c, mod, 7, false), "data segment");
  }
  free(k.ops);

  k = take(mod, 1); /* tw: its last instruction cut off */
  CHECK(wm__code_trust(&k.c, mod, 1, false) == NULL);
  CHECK(k.c.ncode > 2 && k.ops[k.c.ncode - 2] == WM_OP_RETURN);
  k.c.ncode -= 2;
  k.c.npcmap = 0;
  said(wm__code_trust(&k.c, mod, 1, false), "runs off its end");
  free(k.ops);

  k = take(mod, 2); /* isnull: its own type */
  said(wm__code_trust(&k.c, mod, 2, false), "type with references");
  free(k.ops);
  k = take(mod, 6); /* useref: ref.null */
  CHECK(wm__code_trust(&k.c, mod, 6, false) != NULL);
  free(k.ops);
  CHECK(wm__code_trust(&k.c, mod, 8, false) != NULL); /* no such function */
  wm_module_free(mod);
}

/* Forged code for function 0 (sq: (i32) -> i32, no locals) in a frame of
** `frame` slots, heads as op numbers (H): what wm__code_trust says. Slot 0
** is the parameter; 1 and up are operand-stack slots, which hold whatever
** an earlier call left there until this one writes them. */
#define H(op) WM_OP_##op, 0
#define NEG(n) ((uint32_t) - (n))
static const char *forged_in(wm_module *mod, const uint32_t *cells, size_t n, uint32_t frame) {
  wm_code c;
  memset(&c, 0, sizeof c);
  c.code = malloc(n * sizeof *cells);
  if (!c.code) return "out of memory";
  memcpy(c.code, cells, n * sizeof *cells);
  c.ncode = (uint32_t)n;
  c.frame_slots = frame;
  c.nlocal_slots = 1;
  const char *why = wm__code_trust(&c, mod, 0, false);
  free(c.code);
  return why;
}
#define CELLS(...) ((const uint32_t[]){__VA_ARGS__})
#define FORGED(...) forged_in(mod, CELLS(__VA_ARGS__), sizeof CELLS(__VA_ARGS__) / 4, 8)

static const char *const unwritten = "a slot read before it is written";
static const char *const upper = "upper half of a slot read before it is written";

/* The flow analysis: a slot read on some path before this call wrote it
** is refused; the same code with the write in place is not. */
static void test_read_before_write(void) {
  wm_module *mod = load(0, false);
  if (!mod) return;
  /* Straight-line code: slot 3 read, then written. */
  said(FORGED(H(I32_ADD), 0, 0, 3, H(RETURN)), unwritten);
  CHECK(FORGED(H(CONST32), 3, 5, H(I32_ADD), 0, 0, 3, H(RETURN)) == NULL);
  said(FORGED(H(MOVE), 0, 3, H(RETURN)), unwritten); /* a move reads too */

  /* An if: slot 3 written on the fall-through arm, slot X on the taken
  ** one (0: BR_IF, 4: CONST32, 8: BR, 11: CONST32, 15: the read). */
#define IF_ARMS(x)                                                                     \
  FORGED(H(BR_IF), 0, 11, H(CONST32), 3, 1, H(BR), 7, H(CONST32), x, 2, H(I32_ADD), 0, 0, 3, \
         H(RETURN))
  said(IF_ARMS(4), unwritten);
  CHECK(IF_ARMS(3) == NULL);

  /* A loop whose body reads slot 3, written before it; a call with its
  ** frame at slot B then leaves 3 unwritten (the callee's frame) on the back
  ** edge when B <= 3 (0: CONST32, 4: the read, 9: CONST32, 13: CALL, 20:
  ** BR_IF back to 4). */
#define LOOP(b) \
  FORGED(H(CONST32), 3, 0, H(I32_ADD), 0, 0, 3, H(CONST32), b, 7, H(CALL), 1, b, 0, 0, 0, \
         H(BR_IF), 0, NEG(16), H(RETURN))
  said(LOOP(2), unwritten);
  CHECK(LOOP(4) == NULL);

  /* A call's result slot (its argument's too) read before the call. */
  said(FORGED(H(I32_ADD), 0, 0, 4, H(CONST32), 4, 3, H(CALL), 1, 4, 0, 0, 0, H(RETURN)),
       unwritten);
  CHECK(FORGED(H(CONST32), 4, 3, H(CALL), 1, 4, 0, 0, 0, H(I32_ADD), 0, 0, 4, H(RETURN)) == NULL);
  said(FORGED(H(CALL), 1, 4, 0, 0, 0, H(I32_ADD), 0, 0, 4, H(RETURN)), unwritten); /* its argument */
  /* A slot above the result, written before the call: the callee's frame. */
  said(FORGED(H(CONST32), 5, 1, H(CONST32), 4, 3, H(CALL), 1, 4, 0, 0, 0, H(I32_ADD), 0, 0, 5,
              H(RETURN)),
       unwritten);

  /* A br_table whose second target does not write slot 3 when X != 3 (0:
  ** BR_TABLE to 6 or 13, 10: BR to 17). */
#define TABLE(x)                                                                         \
  FORGED(H(BR_TABLE), 0, 1, 6, 13, H(CONST32), 3, 1, H(BR), 7, H(CONST32), x, 2, H(I32_ADD), 0, \
         0, 3, H(RETURN))
  said(TABLE(4), unwritten);
  CHECK(TABLE(3) == NULL);

  /* An operand cell past 9 (steps name cells 10 to 15 as A to F): the
  ** masked CRC step's shifted input, cell 10, read unwritten; and one it
  ** writes (d1, cell 0) read by its select (cell 7). */
#define CRC_STEP(y, a2) \
  FORGED(H(I32_SHR_U_AND_K_XOR_K_SELECT), 3, 2, 0, 1, 0x7fff, 0xA001, 0, a2, 3, 0, y, 2, 1, \
         H(RETURN))
  said(CRC_STEP(4, 2), unwritten);
  CHECK(CRC_STEP(0, 2) == NULL);
  CHECK(CRC_STEP(0, 3) == NULL);
  said(CRC_STEP(0, 5), unwritten);

  /* Upper halves: an i32 or f32 writes (and its parameter, result or
  ** global holds) only the low 4 bytes of its slot; 8 bytes may not be read
  ** from it, nor from a move of it. */
  said(FORGED(H(I64_EQZ), 0, 0, H(RETURN)), upper);
  said(FORGED(H(I32_ADD_K), 3, 0, 1, H(I64_ADD), 3, 3, 3, H(MOVE), 0, 3, H(RETURN)), upper);
  said(FORGED(H(I32_ADD_K), 3, 0, 1, H(MOVE), 4, 3, H(I64_ADD), 0, 4, 4, H(RETURN)), upper);
  said(FORGED(H(CONST32), 4, 3, H(CALL), 1, 4, 0, 0, 0, H(I64_ADD), 0, 4, 4, H(RETURN)), upper);
  said(FORGED(H(GLOBAL_GET), 3, 0, H(I64_ADD), 0, 3, 3, H(RETURN)), upper);
  CHECK(FORGED(H(I64_EXTEND_I32_U), 3, 0, H(I64_ADD), 3, 3, 3, H(MOVE), 0, 3, H(RETURN)) == NULL);
  CHECK(FORGED(H(CONST32), 3, 1, H(I32_ADD_K), 3, 0, 1, H(I64_ADD), 0, 3, 3, H(RETURN)) == NULL);

  /* Bounds: 1,100 blocks of a 65,536-slot frame need more than 16 MiB of
  ** bitsets; a br_table of 17,000 targets, alternating between two blocks,
  ** more than 2^25 word operations. Both pass in a frame of 8 slots. */
  uint32_t n = 1100 * 3 + 2;
  uint32_t *cells = malloc(((size_t)17000 + 10) * sizeof *cells);
  CHECK(cells != NULL);
  if (cells) {
    for (uint32_t i = 0; i < 1100; i++) {
      cells[3 * i] = WM_OP_BR;
      cells[3 * i + 1] = 0;
      cells[3 * i + 2] = 3;
    }
    cells[n - 2] = WM_OP_RETURN;
    cells[n - 1] = 0;
    said(forged_in(mod, cells, n, 1u << 16), "too large to check");
    CHECK(forged_in(mod, cells, n, 8) == NULL);
    uint32_t k = 17000, ret = 2 + 2 + k;
    cells[0] = WM_OP_BR_TABLE;
    cells[1] = 0;
    cells[2] = 0; /* the parameter */
    cells[3] = k - 1;
    for (uint32_t j = 0; j < k; j++) cells[4 + j] = ret + 2 * (j & 1);
    cells[ret] = cells[ret + 2] = WM_OP_RETURN;
    cells[ret + 1] = cells[ret + 3] = 0;
    said(forged_in(mod, cells, ret + 4, 1u << 16), "too costly to check");
    CHECK(forged_in(mod, cells, ret + 4, 8) == NULL);
  }
  free(cells);
  wm_module_free(mod);
}

/* A file whose entry for sq reads an operand-stack slot it never wrote:
** refused, sq lowered from its body, the file written again. */
static void test_stale_slot_file(void) {
  size_t len;
  uint8_t *f = slurp(&len), *e;
  uint32_t at = op_in_entry(f, len, 0, WM_OP_I32_MUL, &e);
  CHECK(at != UINT32_MAX && rd32(e + 16) > 2);
  if (at == UINT32_MAX) {
    free(f);
    return;
  }
  wr32(e + 24 + 4 * (at + 4), 2); /* its second operand: slot 2, never written */
  forged_then_rewritten(f, len, NCACHEABLE - 1);
}

int main(void) {
  wm_error err;
  if (wm_wat_to_wasm(wat, strlen(wat), &bytes, &nbytes, &err) != WM_OK) {
    fprintf(stderr, "wat: %s\n", err.message);
    return 1;
  }
  snprintf(dir, sizeof dir, "/tmp/wm_lcache_%d", (int)getpid());
  test_round_trip();
  test_metered();
  test_forged_file();
  test_other_isa();
  test_stale_slot_file();
  test_bad_part();
  test_rules();
  test_read_before_write();
  char cmd[96];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  wm_free(bytes);
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
