/* SPDX-License-Identifier: MIT */
/*
** wast_modules.c -- the modules of a .wast script as .wat files, for
** compare.sh: every (module ...) at the top level or directly inside a
** command (assert_invalid, assert_trap, ...), in order, except `module
** quote`, written to OUTDIR/BASE.K.wat; their paths are printed one a line.
** wast2json writes a .wasm for each of them in the same order. Tokens come
** from the library's own lexer (src/text/lex.h), so comments and strings
** are skipped exactly as the parser skips them.
** usage: wast_modules FILE.wast OUTDIR BASE
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  *len = n;
  return buf;
}

static bool is_kw(const wm_tok *t, const char *kw) {
  return t->kind == WM_TOK_KEYWORD && t->len == strlen(kw) && memcmp(t->text, kw, t->len) == 0;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: wast_modules FILE.wast OUTDIR BASE\n");
    return 2;
  }
  size_t len;
  char *src = read_all(argv[1], &len);
  if (!src) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  wm_error err;
  wm_lexer lx;
  wm_tok t, prev = {WM_TOK_EOF, NULL, 0, 0, 0};
  wm__lex_init(&lx, src, len, &err);
  int depth = 0, k = 0, mod_depth = -1;
  const char *start = NULL;
  bool quote = false, after_module = false;
  for (;;) {
    if (wm__lex_next(&lx, &t)) {
      fprintf(stderr, "%s:%s\n", argv[1], err.message);
      return 1;
    }
    if (t.kind == WM_TOK_EOF) break;
    if (after_module && t.kind != WM_TOK_ID) {
      quote = is_kw(&t, "quote");
      after_module = false;
    }
    if (t.kind == WM_TOK_LPAREN) depth++;
    if (t.kind == WM_TOK_KEYWORD && prev.kind == WM_TOK_LPAREN && is_kw(&t, "module") &&
        mod_depth < 0 && depth <= 2) {
      start = prev.text;
      mod_depth = depth;
      after_module = true;
    }
    if (t.kind == WM_TOK_RPAREN) {
      if (depth == mod_depth) {
        if (!quote) {
          char path[4096];
          snprintf(path, sizeof path, "%s/%s.%d.wat", argv[2], argv[3], k++);
          FILE *o = fopen(path, "wb");
          if (!o) {
            fprintf(stderr, "cannot write %s\n", path);
            return 1;
          }
          fwrite(start, 1, (size_t)(t.text + 1 - start), o);
          fputc('\n', o);
          fclose(o);
          printf("%s\n", path);
        }
        mod_depth = -1;
        quote = false;
      }
      depth--;
    }
    prev = t;
  }
  free(src);
  return 0;
}
