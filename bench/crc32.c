/* SPDX-License-Identifier: MIT */
/* crc32.c -- table lookups and shifts: CRC-32 (IEEE, reflected) of a buffer. */
#include "bench.h"

#define LEN (1u << 20)
static uint32_t table[256];
static uint8_t buf[LEN];

uint32_t run(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  uint32_t x = 12345 * bench_opaque_one;
  for (uint32_t i = 0; i < LEN; i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  uint32_t crc = 0;
  for (int rep = 0; rep < BENCH_SCALE(200, 20); rep++) {
    uint32_t c = ~crc;
    for (uint32_t i = 0; i < LEN; i++) c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
    crc = ~c;
  }
  return crc;
}
