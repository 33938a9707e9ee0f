/* SPDX-License-Identifier: MIT */
/*
** check.h -- the assertion macros shared by the C unit tests: each CHECK
** counts a pass or prints the failing condition with its place, and the
** test ends with the `N passed, N failed` line CI reads.
*/
#ifndef WM_TEST_CHECK_H
#define WM_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int npass, nfail;

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (cond)                                                                 \
      npass++;                                                                \
    else {                                                                    \
      nfail++;                                                                \
      fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);     \
    }                                                                         \
  } while (0)

/* Check that rc and err.code are `code_` and the message contains `text`. */
#define CHECK_ERR(rc, err, code_, text)                                       \
  do {                                                                        \
    CHECK((rc) == (code_));                                                   \
    CHECK((err).code == (code_));                                             \
    if (!strstr((err).message, (text))) {                                     \
      nfail++;                                                                \
      fprintf(stderr, "%s:%d: FAILED: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
              (err).message, (text));                                         \
    } else                                                                    \
      npass++;                                                                \
  } while (0)

/* The binary of WAT text, assembled by wat2wasm (with `opts`, e.g.
** "--enable-all", or ""), malloc'd with its size in *len; NULL -- and a
** failure counted, the text printed -- when that does not work. */
static inline uint8_t *wat_bytes(const char *text, const char *opts, size_t *len) {
  char src[64], bin[64], cmd[256];
  static int seq;
  snprintf(src, sizeof src, "/tmp/wm_test_%d_%d.wat", (int)getpid(), seq);
  snprintf(bin, sizeof bin, "/tmp/wm_test_%d_%d.wasm", (int)getpid(), seq++);
  uint8_t *buf = NULL;
  FILE *f = fopen(src, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "wat2wasm %s %s -o %s", opts, src, bin);
    int rc = system(cmd);
    remove(src);
    f = rc == 0 ? fopen(bin, "rb") : NULL;
  }
  if (f) {
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    buf = malloc(*len ? *len : 1);
    if (buf && fread(buf, 1, *len, f) != *len) {
      free(buf);
      buf = NULL;
    }
    fclose(f);
  }
  remove(bin);
  if (!buf) {
    fprintf(stderr, "wat2wasm failed on:\n%s\n", text);
    nfail++;
  }
  return buf;
}

#endif
