/* SPDX-License-Identifier: MIT */
/*
** test_check_svg.c -- tests of the heap map (check_svg.c): empty and tiny
** memories, one block of each state with its tooltip, the merging of small
** blocks by dominant state, escaping, the size budget with a million blocks,
** 4 GiB and 64-bit memories, and a failing stream. Every document is checked
** to be well-formed (tags nest, rects close, entities are known).
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/check/check.h" /* the heap view; "check.h" here is the assertion macros' */

#include "check.h"

#define MiB (1024u * 1024u)

/* Renders v into a malloc'd string (its length in *len); NULL on failure. */
static char *render(const wm__heapview *v, size_t *len) {
  char *buf = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&buf, &n);
  if (!f) return NULL;
  int rc = wm__heapmap_svg(v, f);
  fclose(f);
  CHECK(rc == 0);
  if (len) *len = n;
  return buf;
}

/* Occurrences of needle in s. Not with strstr in a loop: ASan's strstr
** measures the whole haystack each time, which is quadratic here. */
static size_t count(const char *s, const char *needle) {
  size_t n = 0, k = strlen(needle);
  for (const char *p = s; *p; p++) n += *p == *needle && strncmp(p, needle, k) == 0;
  return n;
}

/* Well-formed enough for an SVG viewer: the document is one <svg> element,
** every start tag has its end tag in the right place, every <rect> is closed
** (by "/>" or "</rect>"), and every '&' starts an entity XML knows. */
static int well_formed(const char *s) {
  size_t n = strlen(s), depth = 0, rects = 0, rect_closed = 0;
  char stack[16][16];
  if (strncmp(s, "<svg", 4) != 0 || n < 7 || strcmp(s + n - 7, "</svg>\n") != 0) return 0;
  for (const char *p = s; (p = strpbrk(p, "<&")) != NULL;) {
    if (*p == '&') {
      if (strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&amp;", 5) &&
          strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6))
        return 0;
      p++;
      continue;
    }
    const char *end = strchr(p, '>');
    if (!end || memchr(p + 1, '<', (size_t)(end - p - 1))) return 0;
    bool closing = p[1] == '/', empty = end[-1] == '/';
    size_t k = strcspn(p + 1 + closing, " />");
    if (k == 0 || k >= sizeof stack[0]) return 0;
    const char *name = p + 1 + closing;
    if (closing) {
      if (!depth || strncmp(stack[depth - 1], name, k) || stack[depth - 1][k]) return 0;
      depth--;
      rect_closed += k == 4 && !strncmp(name, "rect", 4);
      if (!depth && end[1] != '\n') return 0; /* nothing after </svg> but "\n" */
      if (!depth && end[2]) return 0;
    } else {
      rects += k == 4 && !strncmp(name, "rect", 4);
      if (empty) {
        rect_closed += k == 4 && !strncmp(name, "rect", 4);
      } else {
        if (depth == 16 || (depth == 0 && p != s)) return 0;
        memcpy(stack[depth], name, k);
        stack[depth++][k] = 0;
      }
    }
    p = end + 1;
  }
  /* The literal counts the brief asks for agree with the parse. */
  return depth == 0 && rects == rect_closed && rects == count(s, "<rect") &&
         count(s, "<rect") <= count(s, "/>") + count(s, "</rect>");
}

static void test_empty(void) {
  wm__heapview v = {0};
  char *s = render(&v, NULL);
  CHECK(s && well_formed(s));
  CHECK(s && strstr(s, "<title>heap map</title>") && strstr(s, "(empty memory)"));
  free(s);

  /* Regions but no blocks: three bands and no tooltips besides the title. */
  v = (wm__heapview){.title = "no blocks", .mem_size = 65536, .data_lo = 1024,
                     .data_hi = 4096, .stack_lo = 4096, .stack_hi = 16384, .heap_lo = 16384};
  s = render(&v, NULL);
  CHECK(s && well_formed(s));
  CHECK(s && count(s, "<title>") == 1 && count(s, "class=\"d\"") > 1);
  CHECK(s && count(s, "class=\"s\"") > 1 && count(s, "class=\"h\"") > 1);
  CHECK(s && strstr(s, "live: 0 blocks, 0 B") && !strstr(s, "are merged"));
  CHECK(s && strstr(s, ">0xff00</text>")); /* the last row's address */
  free(s);

  /* Smaller than one row, and all of it a gap. */
  v = (wm__heapview){.mem_size = 10, .heap_lo = 10};
  s = render(&v, NULL);
  CHECK(s && well_formed(s) && strstr(s, ">0x0000</text>"));
  free(s);
}

static void test_states(void) {
  const wm__hm_block b[] = {{0x5000, 100, HM_LIVE},    {0x6000, 200, HM_HOST},
                            {0x7000, 300, HM_FREED},   {0x8000, 400, HM_LEAKED},
                            {0x9000, 1000, HM_LIVE},   {0xfff0, 0x100, HM_HOST}};
  wm__heapview v = {.title = "a <&> \"b\" \xff\xc3\xa9\x01", .mem_size = 65536, .data_lo = 1024,
                    .data_hi = 4096, .stack_lo = 4096, .stack_hi = 16384, .heap_lo = 16384,
                    .blocks = b, .nblocks = 6};
  char *s = render(&v, NULL);
  CHECK(s && well_formed(s));
  if (!s) return;
  CHECK(strstr(s, "<title>0x5000, 100 bytes, live</title>"));
  CHECK(strstr(s, "<title>0x6000, 200 bytes, host</title>"));
  CHECK(strstr(s, "<title>0x7000, 300 bytes, freed</title>"));
  CHECK(strstr(s, "<title>0x8000, 400 bytes, leaked</title>"));
  /* 256 bytes a row: 0x9000 + 1000 spans four rows, one rect in each. */
  CHECK(count(s, "<title>0x9000, 1000 bytes, live</title>") == 4);
  /* A block running past the memory's end is clipped to it. */
  CHECK(count(s, "<title>0xfff0, 256 bytes, host</title>") == 1);
  CHECK(count(s, "a &lt;&amp;&gt; &quot;b&quot; ?\xc3\xa9?") == 2 && !strstr(s, "<&>"));
  CHECK(strstr(s, "live: 2 blocks, 1.1 KiB | host-owned: 2 blocks, 456 B"));
  CHECK(strstr(s, "freed: 1 block, 300 B | leaked: 1 block, 400 B"));
  for (const char *l = "data\0stack\0heap (unallocated)\0live block\0host-owned block\0"
                       "freed (quarantine)\0leaked\0";
       *l; l += strlen(l) + 1) {
    char want[64];
    snprintf(want, sizeof want, ">%s</text>", l);
    CHECK(strstr(s, want));
  }
  free(s);
}

/* Blocks under a pixel are merged; a pixel shows leaked when anything in
** it leaked, else the state with the most bytes in it, ties going to freed,
** then host, then live. */
static void test_merge(void) {
  const uint64_t h = 0x10000; /* 1 MiB: 4096 bytes a row, 4 a pixel */
  const wm__hm_block b[] = {{h, 2, HM_LIVE},      {h + 2, 2, HM_LEAKED}, /* tie: leaked */
                            {h + 64, 3, HM_LIVE}, {h + 67, 1, HM_LEAKED}, /* leaked */
                            {h + 128, 2, HM_HOST}, {h + 130, 2, HM_FREED}, /* tie: freed */
                            {h + 192, 1, HM_LIVE}, {h + 193, 1, HM_HOST}}; /* tie: host */
  wm__heapview v = {.mem_size = MiB, .heap_lo = h, .blocks = b, .nblocks = 8};
  char *s = render(&v, NULL);
  CHECK(s && well_formed(s));
  if (!s) return;
  CHECK(!strstr(s, "<title>0x")); /* nothing is drawn on its own */
  CHECK(strstr(s, "are merged: each 1-pixel cell"));
  /* Each state once in the legend; leaked twice as a run (two cells apart),
  ** live never (it is outweighed or out-alarmed everywhere). */
  CHECK(count(s, "class=\"K\"") == 3 && count(s, "class=\"L\"") == 1);
  CHECK(count(s, "class=\"F\"") == 2 && count(s, "class=\"H\"") == 2);
  free(s);
}

static uint64_t rng = 88172645463325252u;
static uint64_t next(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}

/* A million blocks over 256 MiB, in three shapes that stress the budgets. */
static void test_big(void) {
  size_t n = 1000000, len = 0;
  wm__hm_block *b = calloc(n, sizeof *b);
  CHECK(b != NULL);
  if (!b) return;
  wm__heapview v = {.title = "a million blocks", .mem_size = 256 * MiB, .data_lo = 1024,
                    .data_hi = 65536, .stack_lo = 65536, .stack_hi = MiB, .heap_lo = MiB,
                    .blocks = b, .nblocks = n};
  /* Small blocks of random sizes and states: every pixel changes state. */
  for (size_t i = 0; i < n; i++)
    b[i] = (wm__hm_block){MiB + i * 255, 16 + next() % 224, (uint8_t)(next() % 4)};
  char *s = render(&v, &len);
  CHECK(s && well_formed(s) && len < 2000000);
  CHECK(s && !strstr(s, "<title>0x") && strstr(s, "live: "));
  printf("1,000,000 small blocks over 256 MiB: %zu bytes\n", len);
  free(s);

  /* Every block at least a pixel wide: too many to draw one by one. */
  n = 100000;
  v.nblocks = n;
  for (size_t i = 0; i < n; i++)
    b[i] = (wm__hm_block){MiB + i * 2600, 1024 + next() % 2048, (uint8_t)(next() % 4)};
  v.nblocks = 8;
  s = render(&v, &len);
  CHECK(s && count(s, "<title>0x") == 8); /* few enough: all drawn on their own */
  free(s);
  v.nblocks = n;
  s = render(&v, &len);
  CHECK(s && well_formed(s) && len < 2000000);
  CHECK(s && count(s, "<title>0x") <= 4096 + 256 + 1);
  printf("100,000 blocks of 1-3 KiB over 256 MiB: %zu bytes\n", len);
  free(s);

  /* Pixel-sized blocks alternating live and leaked over the whole memory:
  ** the worst case for runs. */
  n = 256 * MiB / 1024;
  v.nblocks = n;
  v.heap_lo = 0;
  for (size_t i = 0; i < n; i++)
    b[i] = (wm__hm_block){i * 1024, 1024, (uint8_t)(i % 2 ? HM_LEAKED : HM_LIVE)};
  s = render(&v, &len);
  CHECK(s && well_formed(s) && len < 2000000);
  printf("262,144 alternating one-pixel blocks: %zu bytes\n", len);
  free(s);
  free(b);
}

static void test_huge(void) {
  const uint64_t G4 = (uint64_t)1 << 32;
  const wm__hm_block b[] = {{MiB, 64 * MiB, HM_LIVE},
                            {3 * (G4 / 4), 16, HM_LEAKED},
                            {G4 - 16, 1000, HM_HOST}};
  wm__heapview v = {.title = "4 GiB", .mem_size = G4, .data_lo = 1024, .data_hi = 65536,
                    .stack_lo = 65536, .stack_hi = MiB, .heap_lo = MiB, .blocks = b,
                    .nblocks = 3};
  size_t len = 0;
  char *s = render(&v, &len);
  CHECK(s && well_formed(s) && len < 2000000);
  if (!s) return;
  CHECK(strstr(s, "memory: 4 GiB (4294967296 bytes); one row = 16 MiB"));
  /* 16 MiB a row: [1 MiB, 65 MiB) lies in rows 0 to 4. */
  CHECK(count(s, "<title>0x100000, 67108864 bytes, live</title>") == 5);
  CHECK(strstr(s, ">0xff000000</text>") && !strstr(s, ">0x100000000</text>"));
  CHECK(count(s, "class=\"K\"") == 2); /* the 16 bytes merged into a pixel */
  CHECK(count(s, "class=\"H\"") == 2);
  free(s);

  /* The largest 64-bit memory: the last row ends at 2^64 - 1 without
  ** wrapping, and a block there is clipped rather than wrapped. */
  const wm__hm_block top[] = {{UINT64_MAX - (1ull << 56), UINT64_MAX, HM_LEAKED}};
  v = (wm__heapview){.mem_size = UINT64_MAX, .heap_lo = 1ull << 60, .blocks = top,
                     .nblocks = 1};
  s = render(&v, &len);
  CHECK(s && well_formed(s) && strstr(s, "one row = 64 PiB"));
  CHECK(s && count(s, "bytes, leaked</title>") == 2 && strstr(s, ">0xff00000000000000</text>"));
  free(s);
}

/* A write error is reported, not ignored. */
static void test_write_error(void) {
  FILE *f = fopen("/dev/full", "w");
  if (!f) return;
  setvbuf(f, NULL, _IONBF, 0);
  wm__heapview v = {.mem_size = 65536};
  CHECK(wm__heapmap_svg(&v, f) == -1);
  fclose(f);
  CHECK(wm__heapmap_svg(NULL, stdout) == -1);
}

int main(void) {
  test_empty();
  test_states();
  test_merge();
  test_big();
  test_huge();
  test_write_error();
  printf("%d passed, %d failed\n", npass, nfail);
  return nfail ? 1 : 0;
}
