/* SPDX-License-Identifier: MIT */
/*
** check_svg.c -- the heap map: draws a snapshot of one linear memory (its
** regions and every heap block, coloured by state) as a self-contained SVG.
*/
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "check.h"

/* Memory is drawn as rows of bars, like a hex dump: MAP_W pixels a row and
** at most MAX_ROWS rows, so a row covers a power of two bytes, at least 64.
** Widths are powers of two, so every pixel edge falls on an exact byte (or
** byte fraction) and no block is drawn a pixel wider in one row than in
** another. */
#define MAP_W 1024u
#define MAX_ROWS 256u
#define MIN_ROW_BYTES 64u
#define PITCH 12u /* one row's height, its bar and the gap under it */
#define BAR_H 10u
#define TOP 120u  /* everything above the first row: title, totals, legend, scale */

/* The output must stay near 2 MB whatever the snapshot holds. A block drawn
** on its own with its tooltip costs ~110 bytes and a merged run ~55, so at
** most BLOCK_BUDGET blocks (plus one piece per row a block crosses) are drawn
** one by one, and merged runs are coarsened until there are at most
** RUN_BUDGET of them: ~1.5 MB in the worst case, the rest is ~80 KB. */
#define BLOCK_BUDGET 4096u
#define RUN_BUDGET 16384u

/* Indexed by HM_*; the CSS classes are defined in header(). dominant() also
** relies on the order, which ranks the states by how alarming they are. */
_Static_assert(HM_LIVE == 0 && HM_HOST == 1 && HM_FREED == 2 && HM_LEAKED == 3,
               "HM_* index the tables below and rank the states, leaked last");
static const char *const state_name[4] = {"live", "host", "freed", "leaked"};
static const char state_cls[4] = {'L', 'H', 'F', 'K'};

typedef struct geo {
  FILE *out;
  const wm__heapview *v;
  size_t nblocks;
  uint64_t bpr;      /* bytes per row */
  uint64_t bpp, ppx; /* bytes per pixel and pixels per byte; one of them is 1 */
  uint32_t rows;
  unsigned big_log2; /* blocks of 2^big_log2 bytes or more are drawn one by one (64: none) */
  unsigned cell;     /* merged runs are made of cells this many pixels wide */
  int digits;        /* hex digits of the row addresses: as many as the largest needs */
} geo;

/* Bytes of each state under each pixel of one row, in units of 1/ppx byte.
** 32 KB, on the C stack: its size is fixed, not the guest's, and it spares
** the renderer an allocation that could fail. */
typedef uint64_t counts[MAP_W][4];

/* The snapshot is built elsewhere; an out-of-range state is a bug there, and
** drawing it as live is better than indexing past the tables. */
static unsigned st(const wm__hm_block *b) { return b->state <= HM_LEAKED ? b->state : HM_LIVE; }

/* The end of b, clipped to the memory (b->addr + b->size may even wrap). */
static uint64_t blk_end(const geo *g, const wm__hm_block *b) {
  uint64_t m = g->v->mem_size;
  if (b->addr >= m) return b->addr;
  return b->size > m - b->addr ? m : b->addr + b->size;
}

/* Row r covers [*start, *start + *len); computed without start + bpr, which
** can wrap for a 64-bit memory's last row. */
static void row_span(const geo *g, uint32_t r, uint64_t *start, uint64_t *len) {
  *start = (uint64_t)r * g->bpr;
  *len = g->v->mem_size - *start < g->bpr ? g->v->mem_size - *start : g->bpr;
}

static uint32_t px_floor(const geo *g, uint64_t off) { return (uint32_t)(off * g->ppx / g->bpp); }
static uint32_t px_ceil(const geo *g, uint64_t off) {
  return (uint32_t)((off * g->ppx + g->bpp - 1) / g->bpp);
}

/* Text from the embedder goes into XML: escape the markup characters and
** replace control characters and invalid UTF-8, which would make the whole
** document unreadable to a strict parser, with '?'. */
static void put_text(FILE *out, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned c = *p, n = 1, lo = 0x80, hi = 0xbf;
    if (c < 0x80) {
      if (c == '<') fputs("&lt;", out);
      else if (c == '>') fputs("&gt;", out);
      else if (c == '&') fputs("&amp;", out);
      else if (c == '"') fputs("&quot;", out);
      else fputc(c < 0x20 ? '?' : (int)c, out);
      p++;
      continue;
    }
    /* The sequence's length from its first byte; the second byte's range
    ** excludes overlong forms, surrogates and code points past U+10FFFF. */
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    }
    bool ok = n > 1 && p[1] >= lo && p[1] <= hi;
    for (unsigned i = 2; ok && i < n; i++) ok = p[i] >= 0x80 && p[i] <= 0xbf;
    if (ok) fwrite(p, 1, n, out), p += n;
    else fputc('?', out), p++;
  }
}

/* A byte count as people read it: "100 B", "8 KiB", "34.1 KiB". */
static void put_size(FILE *out, uint64_t n) {
  static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  unsigned u = 0;
  while (u < 6 && n >> (10 * (u + 1))) u++;
  if (u == 0 || n % ((uint64_t)1 << (10 * u)) == 0)
    fprintf(out, "%" PRIu64 " %s", n >> (10 * u), unit[u]);
  else
    fprintf(out, "%.1f %s", (double)n / (double)((uint64_t)1 << (10 * u)), unit[u]);
}

/* One bar of row r from pixel x0 to x1; a block's bar carries its tooltip. */
static void rect(const geo *g, uint32_t r, uint32_t x0, uint32_t x1, char cls,
                 const wm__hm_block *b) {
  fprintf(g->out, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" class=\"%c\"", x0,
          TOP + r * PITCH, x1 - x0, BAR_H, cls);
  if (!b) {
    fputs("/>\n", g->out);
    return;
  }
  fprintf(g->out, "><title>0x%" PRIx64 ", %" PRIu64 " bytes, %s</title></rect>\n", b->addr,
          b->size, state_name[st(b)]);
}

/* The part of [lo, hi) inside row r, rounded outwards to whole pixels so that
** nothing in it disappears. A block of b at least 4 pixels wide leaves its
** last pixel out, so that neighbouring blocks of one state read as separate
** blocks and not as one long one (its tooltip still has the exact size). */
static void span(const geo *g, uint32_t r, uint64_t lo, uint64_t hi, char cls,
                 const wm__hm_block *b) {
  uint64_t s, len;
  row_span(g, r, &s, &len);
  if (lo < s) lo = s;
  if (hi > s + len) hi = s + len;
  if (lo >= hi) return;
  uint32_t x0 = px_floor(g, lo - s), x1 = px_ceil(g, hi - s);
  if (b && hi == blk_end(g, b) && x1 - x0 >= 4) x1--;
  rect(g, r, x0, x1, cls, b);
}

/* Adds the bytes [lo, hi) of row r (offsets in the row) to the pixels under them. */
static void add(const geo *g, counts cnt, uint64_t lo, uint64_t hi, unsigned state) {
  uint64_t a = lo * g->ppx, e = hi * g->ppx;
  for (uint64_t p = a / g->bpp; p * g->bpp < e; p++) {
    uint64_t p0 = p * g->bpp, p1 = p0 + g->bpp;
    cnt[p][state] += (e < p1 ? e : p1) - (a > p0 ? a : p0);
  }
}

/* Goes through the blocks in row r from cursor cur: with cnt, adds the small
** ones to it; without, draws the big ones. Returns the cursor for the next
** row, which stays on a block that continues there. Blocks are sorted; if
** they were not, some would be missed, but nothing is read out of bounds and
** the budgets still hold: a row draws the blocks the cursor passes plus at
** most one that goes on, so there are never more pieces than blocks + rows. */
static size_t scan_row(const geo *g, uint32_t r, size_t cur, counts cnt) {
  uint64_t s, len;
  row_span(g, r, &s, &len);
  for (; cur < g->nblocks; cur++) {
    const wm__hm_block *b = &g->v->blocks[cur];
    if (b->addr >= s + len) break;
    uint64_t end = blk_end(g, b), lo = b->addr > s ? b->addr : s;
    uint64_t hi = end < s + len ? end : s + len;
    bool big = g->big_log2 < 64 && b->size >> g->big_log2 != 0;
    if (lo < hi && big && !cnt) span(g, r, lo, hi, state_cls[st(b)], b);
    if (lo < hi && !big && cnt) add(g, cnt, lo - s, hi - s, st(b));
    if (end > s + len) break;
  }
  return cur;
}

/* The state a merged cell shows, or -1 if it holds nothing: leaked when any
** of it leaked (a leak must stay visible at any scale), else the state with
** the most bytes, ties going to the most alarming state, which HM_* numbers
** last (freed, host). */
static int dominant(const uint64_t c[4]) {
  if (c[HM_LEAKED]) return HM_LEAKED;
  int best = -1;
  uint64_t most = 0;
  for (int i = 0; i < 4; i++)
    if (c[i] && c[i] >= most) best = i, most = c[i];
  return best;
}

/* The merged runs of row r with cells `cell` pixels wide: each cell takes its
** dominant state and neighbouring cells of one state make one run. Draws them
** if draw is set; returns how many there are. */
static uint32_t runs(const geo *g, uint32_t r, counts cnt, unsigned cell, bool draw) {
  uint64_t s, len;
  row_span(g, r, &s, &len);
  uint32_t npx = px_ceil(g, len), n = 0, x0 = 0;
  int prev = -1;
  for (uint32_t x = 0;; x += cell) {
    int cur = -1; /* past the row's end: nothing, which closes the last run */
    if (x < npx) {
      uint64_t c[4] = {0, 0, 0, 0};
      for (uint32_t p = x; p < x + cell && p < npx; p++)
        for (int i = 0; i < 4; i++) c[i] += cnt[p][i];
      cur = dominant(c);
    }
    if (cur != prev) {
      if (prev >= 0 && draw) rect(g, r, x0, x < npx ? x : npx, state_cls[prev], NULL);
      n += cur >= 0;
      prev = cur, x0 = x;
    }
    if (x >= npx) return n;
  }
}

/* Title, totals, legend and the byte scale above the rows. */
static void header(const geo *g, uint32_t height, const uint64_t num[4], const uint64_t bytes[4],
                   bool merged) {
  static const struct { char cls; const char *label; } legend[] = {
      {'d', "data"}, {'s', "stack"}, {'h', "heap (unallocated)"}, {'g', "other"},
      {'L', "live block"}, {'H', "host-owned block"}, {'F', "freed (quarantine)"}, {'K', "leaked"}};
  static const char *const total_name[4] = {"live", "host-owned", "freed", "leaked"};
  FILE *out = g->out;
  const wm__heapview *v = g->v;
  unsigned left = 8 + 6 * (unsigned)(g->digits + 2) + 8, width = left + MAP_W + 16;

  fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
          "viewBox=\"0 0 %u %u\">\n<title>", width, height, width, height);
  put_text(out, v->title ? v->title : "heap map");
  fputs("</title>\n<style>\ntext{font:11px sans-serif;fill:#222}\n"
        ".t{font:bold 15px sans-serif}\n.a{font:10px monospace;fill:#555}\n"
        ".g{fill:#bdbdbd}.d{fill:#d9bf8c}.s{fill:#a9c9e8}.h{fill:#efe9d8}\n"
        ".L{fill:#2ca02c}.H{fill:#6a3fbf}.F{fill:#ff9f1c}.K{fill:#d62728}\n</style>\n", out);
  fprintf(out, "<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/>\n", width, height);
  fputs("<text x=\"8\" y=\"20\" class=\"t\">", out);
  put_text(out, v->title ? v->title : "heap map");
  fputs("</text>\n<text x=\"8\" y=\"40\">memory: ", out);
  put_size(out, v->mem_size);
  fprintf(out, " (%" PRIu64 " bytes)", v->mem_size);
  if (g->rows) {
    fputs("; one row = ", out);
    put_size(out, g->bpr);
    if (g->ppx > 1)
      fprintf(out, ", one byte = %" PRIu64 " pixels", g->ppx);
    else
      fprintf(out, ", one pixel = %" PRIu64 " byte%s", g->bpp, g->bpp > 1 ? "s" : "");
  }
  fputs("</text>\n", out);
  fputs("<text x=\"8\" y=\"56\">", out);
  for (int i = 0; i < 4; i++) {
    fprintf(out, "%s%s: %" PRIu64 " block%s, ", i ? " | " : "", total_name[i], num[i],
            num[i] == 1 ? "" : "s");
    put_size(out, bytes[i]);
  }
  fputs("</text>\n", out);

  /* Label widths are estimated at 6.5 pixels a character. */
  unsigned x = 8;
  for (size_t i = 0; i < sizeof legend / sizeof legend[0]; i++) {
    fprintf(out, "<rect x=\"%u\" y=\"66\" width=\"12\" height=\"12\" class=\"%c\"/>"
            "<text x=\"%u\" y=\"76\">%s</text>\n", x, legend[i].cls, x + 16, legend[i].label);
    x += 16 + (unsigned)(strlen(legend[i].label) * 13 / 2) + 18;
  }
  if (merged) {
    fputs("<text x=\"8\" y=\"96\">Blocks under ", out);
    put_size(out, g->big_log2 < 64 ? (uint64_t)1 << g->big_log2 : UINT64_MAX);
    fprintf(out, " are merged: each %u-pixel cell shows the state with the most bytes in it "
            "(ties: leaked, freed, host, live).</text>\n", g->cell);
  }

  /* The map itself is shifted right to make room for the row addresses; the
  ** scale gives the offsets within a row at its quarters. */
  fprintf(out, "<g transform=\"translate(%u,0)\">\n", left);
  for (unsigned q = 0; q <= 4 && g->rows; q++)
    fprintf(out, "<text x=\"%u\" y=\"%u\" class=\"a\" text-anchor=\"%s\">+0x%" PRIx64 "</text>\n",
            q * MAP_W / 4, TOP - 4, q == 0 ? "start" : q == 4 ? "end" : "middle", g->bpr / 4 * q);
  if (!g->rows) fprintf(out, "<text x=\"0\" y=\"%u\">(empty memory)</text>\n", TOP + 10);
}

int wm__heapmap_svg(const wm__heapview *v, FILE *out) {
  if (!v || !out) return -1;
  geo g = {.out = out, .v = v, .nblocks = v->blocks ? v->nblocks : 0, .bpr = MIN_ROW_BYTES,
           .bpp = 1, .ppx = 1, .cell = 1};
  while (v->mem_size / g.bpr + (v->mem_size % g.bpr != 0) > MAX_ROWS) g.bpr <<= 1;
  g.rows = (uint32_t)(v->mem_size / g.bpr + (v->mem_size % g.bpr != 0));
  if (g.bpr >= MAP_W)
    g.bpp = g.bpr / MAP_W;
  else
    g.ppx = MAP_W / g.bpr;
  g.digits = 4;
  while (g.digits < 16 && v->mem_size > (uint64_t)1 << (4 * g.digits)) g.digits++;

  /* Totals, and a histogram of block sizes by their highest bit to choose the
  ** size from which blocks are drawn one by one: at least a pixel, and large
  ** enough that at most BLOCK_BUDGET of them are. */
  uint64_t num[4] = {0}, bytes[4] = {0}, hist[65] = {0}, small = 0;
  for (size_t i = 0; i < g.nblocks; i++) {
    const wm__hm_block *b = &v->blocks[i];
    num[st(b)]++, bytes[st(b)] += b->size;
    unsigned k = 0;
    while (k < 64 && b->size >> k) k++;
    hist[k]++; /* k is the bit length: sizes in [2^(k-1), 2^k) */
  }
  unsigned j = 0;
  while ((uint64_t)1 << j < g.bpp) j++;
  for (;;) {
    uint64_t above = 0; /* blocks of 2^j bytes or more */
    for (unsigned k = j + 1; k <= 64; k++) above += hist[k];
    if (above <= BLOCK_BUDGET || j == 64) break;
    j++;
  }
  g.big_log2 = j;
  for (unsigned k = 1; k <= j && k <= 64; k++) small += hist[k];

  /* Merged runs: a first pass counts them at each cell width, and the
  ** narrowest width within the budget is drawn. At 1024 pixels a row has at
  ** most one run, so the widest always fits. */
  counts cnt;
  if (small) {
    uint64_t total[11] = {0};
    size_t cur = 0;
    for (uint32_t r = 0; r < g.rows; r++) {
      memset(cnt, 0, sizeof cnt);
      cur = scan_row(&g, r, cur, cnt);
      for (unsigned k = 0; k < 11; k++) total[k] += runs(&g, r, cnt, 1u << k, false);
    }
    unsigned k = 0;
    while (k < 10 && total[k] > RUN_BUDGET) k++;
    g.cell = 1u << k;
  }

  header(&g, TOP + g.rows * PITCH + (g.rows ? 8 : 24), num, bytes, small > 0);
  /* Row by row: the gap colour under the whole row, the regions over it, the
  ** merged runs, and the blocks drawn one by one on top. */
  size_t cur = 0;
  for (uint32_t r = 0; r < g.rows; r++) {
    uint64_t s, len;
    row_span(&g, r, &s, &len);
    rect(&g, r, 0, px_ceil(&g, len), 'g', NULL);
    span(&g, r, v->heap_lo, v->mem_size, 'h', NULL);
    span(&g, r, v->data_lo, v->data_hi, 'd', NULL);
    span(&g, r, v->stack_lo, v->stack_hi, 's', NULL);
    if (small) {
      memset(cnt, 0, sizeof cnt);
      scan_row(&g, r, cur, cnt);
      runs(&g, r, cnt, g.cell, true);
    }
    cur = scan_row(&g, r, cur, NULL);
    fprintf(out, "<text x=\"-6\" y=\"%u\" class=\"a\" text-anchor=\"end\">0x%0*" PRIx64 "</text>\n",
            TOP + r * PITCH + 9, g.digits, s);
  }
  fputs("</g>\n</svg>\n", out);
  return ferror(out) ? -1 : 0;
}
