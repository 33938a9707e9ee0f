/* SPDX-License-Identifier: MIT */
/* mix.c -- a small CoreMark-like mix written for wasmem (not CoreMark):
** linked-list find/reverse, a small integer matrix multiply, and a
** character-classifying state machine, each folded into a running CRC. */
#include "bench.h"

typedef struct node { struct node *next; int32_t key, val; } node;

#define NODES 256
#define MN 16
#define TEXT 2048
static node pool[NODES];
static int32_t ma[MN][MN], mb[MN][MN], mc[MN][MN];
static char text[TEXT];

static uint32_t crc16(uint32_t crc, uint32_t v) {
  for (int i = 0; i < 16; i++) {
    uint32_t bit = (crc ^ v) & 1;
    crc >>= 1; v >>= 1;
    if (bit) crc ^= 0xA001;
  }
  return crc & 0xFFFF;
}

static node *list_reverse(node *l) {
  node *r = 0;
  while (l) { node *n = l->next; l->next = r; r = l; l = n; }
  return r;
}

static uint32_t list_work(uint32_t seed) {
  node *head = 0;
  for (int i = 0; i < NODES; i++) {
    pool[i].key = (int32_t)((i * 37 + seed) % NODES);
    pool[i].val = i;
    pool[i].next = head;
    head = &pool[i];
  }
  uint32_t crc = 0;
  for (int k = 0; k < 32; k++) {
    int32_t want = (int32_t)((k * 13 + seed) % NODES);
    int32_t found = -1;
    for (node *n = head; n; n = n->next)
      if (n->key == want) { found = n->val; break; }
    crc = crc16(crc, (uint32_t)found);
    head = list_reverse(head);
  }
  return crc;
}

static uint32_t matrix_work(uint32_t seed) {
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) {
      ma[i][j] = (int32_t)((i * j + seed) & 0xFF) - 128;
      mb[i][j] = (int32_t)((i + j * seed) & 0x7F);
    }
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) {
      int32_t s = 0;
      for (int k = 0; k < MN; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  uint32_t crc = 0;
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) crc = crc16(crc, (uint32_t)(mc[i][j] > 0 ? mc[i][j] : -mc[i][j]) >> 2);
  return crc;
}

/* Classifies tokens: integers, decimals with a point, exponents, invalid. */
enum { S_START, S_INT, S_FRAC, S_EXP, S_INVALID, S_COUNT };
static uint32_t state_work(uint32_t seed) {
  static const char alphabet[] = "0123456789.,e-+x ";
  uint32_t x = seed;
  for (int i = 0; i < TEXT; i++) {
    x = x * 1664525u + 1013904223u;
    text[i] = alphabet[(x >> 24) % (sizeof alphabet - 1)];
  }
  uint32_t counts[S_COUNT] = {0};
  int s = S_START;
  for (int i = 0; i < TEXT; i++) {
    char ch = text[i];
    if (ch == ' ' || ch == ',') { counts[s]++; s = S_START; continue; }
    switch (s) {
    case S_START: s = ch >= '0' && ch <= '9' ? S_INT : ch == '.' ? S_FRAC : S_INVALID; break;
    case S_INT: s = ch >= '0' && ch <= '9' ? S_INT : ch == '.' ? S_FRAC : ch == 'e' ? S_EXP : S_INVALID; break;
    case S_FRAC: s = ch >= '0' && ch <= '9' ? S_FRAC : ch == 'e' ? S_EXP : S_INVALID; break;
    case S_EXP: s = (ch >= '0' && ch <= '9') || ch == '-' || ch == '+' ? S_EXP : S_INVALID; break;
    default: break;
    }
  }
  uint32_t crc = 0;
  for (int i = 0; i < S_COUNT; i++) crc = crc16(crc, counts[i]);
  return crc;
}

uint32_t run(void) {
  uint32_t crc = 0;
  for (uint32_t it = 0; it < BENCH_SCALE(6000, 600) * bench_opaque_one; it++) {
    crc = crc16(crc, list_work(it));
    crc = crc16(crc, matrix_work(it));
    crc = crc16(crc, state_work(it));
  }
  return crc;
}
