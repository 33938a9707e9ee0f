/* SPDX-License-Identifier: MIT */
/*
** opstats.c -- in builds with WM_OPSTATS, a count of every instruction
** the interpreter loops run, of every pair of them one after the other
** and of each instruction in the code (a site), printed to stderr at exit:
** the commonest ops, pairs and sites, each with its share. Superinstructions are chosen from these figures (docs/
** ARCHITECTURE.md). The counters are plain globals: figures from a
** program with several threads running guest code are approximate.
*/
#ifdef WM_OPSTATS
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "module.h"
#include "ops.h"

#define TOP 40

static uint64_t count[WM_OP_COUNT_];
static uint64_t pair[WM_OP_COUNT_][WM_OP_COUNT_];
static unsigned last = WM_OP_COUNT_;
static int registered;

/* Sites: an open-addressed table by instruction address; when it is full,
** new sites go uncounted (said in the report). */
#define NSITES (1u << 16)
typedef struct site {
  const uint32_t *ip;
  uint32_t func, cell; /* read when first seen: the code is gone at exit */
  uint64_t n;
} site;
static site sites[NSITES];
static unsigned nsites;
static uint64_t lost;

typedef struct ranked {
  uint64_t n;
  unsigned a, b;
} ranked;

/* Keeps the TOP largest in r (n of them so far), largest first. */
static void rank(ranked *r, unsigned *n, ranked x) {
  if (*n == TOP && x.n <= r[TOP - 1].n) return;
  unsigned i = *n < TOP ? (*n)++ : TOP - 1;
  for (; i > 0 && r[i - 1].n < x.n; i--) r[i] = r[i - 1];
  r[i] = x;
}

static void report(void) {
  uint64_t total = 0;
  for (unsigned i = 0; i < WM_OP_COUNT_; i++) total += count[i];
  if (!total) return;
  ranked ops[TOP], pairs[TOP];
  unsigned nops = 0, npairs = 0;
  for (unsigned i = 0; i < WM_OP_COUNT_; i++) {
    if (count[i]) rank(ops, &nops, (ranked){count[i], i, 0});
    for (unsigned j = 0; j < WM_OP_COUNT_; j++)
      if (pair[i][j]) rank(pairs, &npairs, (ranked){pair[i][j], i, j});
  }
  fprintf(stderr, "opstats: %llu instructions\n", (unsigned long long)total);
  for (unsigned i = 0; i < nops; i++)
    fprintf(stderr, "  %6.2f%% %12llu %s\n", 100.0 * (double)ops[i].n / (double)total,
            (unsigned long long)ops[i].n, wm__op_name((wm_op)ops[i].a));
  fprintf(stderr, "opstats: pairs\n");
  for (unsigned i = 0; i < npairs; i++)
    fprintf(stderr, "  %6.2f%% %12llu %s %s\n", 100.0 * (double)pairs[i].n / (double)total,
            (unsigned long long)pairs[i].n, wm__op_name((wm_op)pairs[i].a),
            wm__op_name((wm_op)pairs[i].b));
  ranked top[TOP];
  unsigned ntop = 0;
  for (unsigned i = 0; i < NSITES; i++)
    if (sites[i].n) rank(top, &ntop, (ranked){sites[i].n, i, 0});
  fprintf(stderr, "opstats: sites (function, cell)%s\n", lost ? ", some not counted" : "");
  for (unsigned i = 0; i < ntop; i++) {
    const site *s = &sites[top[i].a];
    fprintf(stderr, "  %6.2f%% %12llu func %u @%u\n", 100.0 * (double)s->n / (double)total,
            (unsigned long long)s->n, s->func, s->cell);
  }
}

void wm__opstat(unsigned op, const uint32_t *ip, const wm_code *c) {
  if (!registered) {
    registered = 1;
    atexit(report);
  }
  count[op]++;
  if (last < WM_OP_COUNT_) pair[last][op]++;
  last = op;
  unsigned h = (unsigned)(((uintptr_t)ip >> 2) * 2654435761u) & (NSITES - 1);
  while (sites[h].ip && sites[h].ip != ip) h = (h + 1) & (NSITES - 1);
  if (!sites[h].ip) {
    if (nsites >= NSITES / 2) {
      lost++;
      return;
    }
    nsites++;
    sites[h].ip = ip;
    bool in = c && ip >= c->code && ip < c->code + c->ncode;
    sites[h].func = in ? c->func_idx : UINT32_MAX;
    sites[h].cell = in ? (uint32_t)(ip - c->code) : UINT32_MAX;
  }
  sites[h].n++;
}
#else
typedef int wm__opstats_unused; /* ISO C wants a declaration in every file */
#endif
