/* SPDX-License-Identifier: MIT */
/*
** fuzz_wat.c -- the text parser against hostile text: whatever the input,
** wm_wat_to_wasm returns 0 or an error (never a crash, an out-of-bounds
** access or a leak, which the sanitizers of the build catch), and a binary
** it returns loads or is refused cleanly.
**
** Built with libFuzzer (-fsanitize=fuzzer) it is LLVMFuzzerTestOneInput.
** With WM_FUZZ_REPLAY (CTest's text.fuzz) it runs by itself:
**   fuzz_wat N DIR   N mutations (deletions, insertions of syntax
**                    characters, copies of runs, truncations, random
**                    bytes; a fixed seed) of the .wat and .wast files
**                    under DIR.
*/
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long parsed;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *bin = NULL;
  size_t len = 0;
  wm_error err;
  if (wm_wat_to_wasm((const char *)data, size, &bin, &len, &err) != 0) return 0;
  parsed++;
  wm_module *mod = NULL;
  if (wm_module_load(bin, len, NULL, &mod, &err) == 0) wm_module_free(mod);
  wm_free(bin);
  return 0;
}

#ifdef WM_FUZZ_REPLAY

typedef struct seed {
  char *text;
  size_t len;
} seed;

static seed *seeds;
static size_t nseeds, capseeds;

static int add_seed(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb;
  (void)ftw;
  size_t n = strlen(path);
  if (type != FTW_F || !((n > 4 && strcmp(path + n - 4, ".wat") == 0) ||
                         (n > 5 && strcmp(path + n - 5, ".wast") == 0)))
    return 0;
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  char *text = malloc(1 << 20);
  size_t len = text ? fread(text, 1, 1 << 20, f) : 0;
  fclose(f);
  if (nseeds == capseeds) {
    capseeds = capseeds ? capseeds * 2 : 64;
    seeds = realloc(seeds, capseeds * sizeof *seeds);
    if (!seeds) exit(2);
  }
  seeds[nseeds].text = text;
  seeds[nseeds++].len = len;
  return 0;
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(uint32_t n) { /* xorshift64*, n > 0 */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (uint32_t)((rng * 0x2545F4914F6CDD1Du) >> 32) % n;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: fuzz_wat N DIR\n");
    return 2;
  }
  long n = atol(argv[1]);
  if (nftw(argv[2], add_seed, 16, FTW_PHYS) != 0 || nseeds == 0) {
    fprintf(stderr, "fuzz_wat: no .wat or .wast files under %s\n", argv[2]);
    return 2;
  }
  enum { CAP = 1 << 21 };
  static const char syntax[] = "()$\"; \n0-1.e_x(;;)@=";
  char *buf = malloc(CAP);
  if (!buf) return 2;
  for (long it = 0; it < n; it++) {
    const seed *s = &seeds[rnd((uint32_t)nseeds)];
    size_t len = s->len;
    memcpy(buf, s->text, len);
    for (uint32_t k = 1 + rnd(4); k-- && len;) {
      size_t i = rnd((uint32_t)len), d;
      switch (rnd(5)) {
        case 0: /* delete a run */
          d = 1 + rnd(20);
          if (d > len - i) d = len - i;
          memmove(buf + i, buf + i + d, len - i - d);
          len -= d;
          break;
        case 1: /* insert a syntax character */
          memmove(buf + i + 1, buf + i, len - i);
          buf[i] = syntax[rnd(sizeof syntax - 1)];
          len++;
          break;
        case 2: { /* copy a run from elsewhere */
          size_t j = rnd((uint32_t)len);
          d = 1 + rnd(40);
          if (d > len - j) d = len - j;
          if (len + d > CAP) break;
          char run[40];
          memcpy(run, buf + j, d);
          memmove(buf + i + d, buf + i, len - i);
          memcpy(buf + i, run, d);
          len += d;
          break;
        }
        case 3: /* truncate */
          len = i;
          break;
        default: /* any byte */
          buf[i] = (char)rnd(256);
          break;
      }
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
  }
  printf("fuzz_wat: %ld mutated inputs from %zu files, %ld parsed, none crashed\n", n, nseeds,
         parsed);
  for (size_t i = 0; i < nseeds; i++) free(seeds[i].text);
  free(seeds);
  free(buf);
  return 0;
}

#endif
