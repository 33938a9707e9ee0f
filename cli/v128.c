/* SPDX-License-Identifier: MIT */
/*
** v128.c -- the lane shapes of a v128 (i8x16 ... f64x2) as the command-line
** tool reads and writes them: `call` arguments and results, and the lanes of
** wast2json scripts. A v128 is held as its 16 bytes in memory order (lane 0
** first, each lane little-endian), as wm_val carries it.
*/
#include <inttypes.h>
#include <string.h>

#include "cli.h"

static const cli_shape shapes[] = {
    {"i8x16", "i8", 'i', 1, 16}, {"i16x8", "i16", 'i', 2, 8}, {"i32x4", "i32", 'i', 4, 4},
    {"i64x2", "i64", 'i', 8, 2}, {"f32x4", "f32", 'f', 4, 4}, {"f64x2", "f64", 'f', 8, 2},
};

const cli_shape *const cli_shape_default = &shapes[2];

const cli_shape *cli_shape_find(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
    if (strlen(shapes[i].name) == len && memcmp(shapes[i].name, name, len) == 0) return &shapes[i];
  return NULL;
}

const cli_shape *cli_shape_of_lane(const char *lane) {
  for (size_t i = 0; lane && i < sizeof shapes / sizeof shapes[0]; i++)
    if (strcmp(shapes[i].lane, lane) == 0) return &shapes[i];
  return NULL;
}

uint64_t cli_lane_mask(const cli_shape *s) {
  return s->width == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * s->width)) - 1;
}

uint64_t cli_lane_get(const uint8_t v[16], const cli_shape *s, unsigned i) {
  uint64_t bits = 0;
  for (unsigned k = s->width; k-- > 0;) bits = bits << 8 | v[i * s->width + k];
  return bits;
}

void cli_lane_set(uint8_t v[16], const cli_shape *s, unsigned i, uint64_t bits) {
  for (unsigned k = 0; k < s->width; k++, bits >>= 8) v[i * s->width + k] = (uint8_t)bits;
}

int cli_format_lane(char *buf, size_t n, const cli_shape *s, uint64_t bits) {
  if (s->kind == 'f' && s->width == 4) {
    uint32_t b = (uint32_t)bits;
    float x;
    memcpy(&x, &b, sizeof x);
    return snprintf(buf, n, "%.9g", (double)x);
  }
  if (s->kind == 'f') {
    double x;
    memcpy(&x, &bits, sizeof x);
    return snprintf(buf, n, "%.17g", x);
  }
  /* A negative lane is printed as its magnitude, so no out-of-range
  ** conversion to a signed type is needed. */
  if (bits >> (8 * s->width - 1) & 1)
    return snprintf(buf, n, "-%" PRIu64, (0 - bits) & cli_lane_mask(s));
  return snprintf(buf, n, "%" PRIu64, bits);
}

void cli_print_v128(FILE *f, const uint8_t v[16], const cli_shape *s) {
  fprintf(f, "%s:", s->name);
  for (unsigned i = 0; i < s->lanes; i++) {
    char lane[40];
    cli_format_lane(lane, sizeof lane, s, cli_lane_get(v, s, i));
    fprintf(f, "%s%s", i ? "," : "", lane);
  }
}
