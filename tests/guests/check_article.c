/* SPDX-License-Identifier: MIT */
/*
** check_article.c -- the seed article's own AssemblyScript module
** (as-article.wasm: alloc stores an Array<u8> in one static 8-byte slot
** from memory.data(8) and returns that slot every time; no dealloc) under
** the guest heap checker, through the C API: array_sum still gives 15, the
** first alloc is reported as memory in the module's static data, and a
** second one in the same run as two live blocks at one address.
** Usage: check_article AS-ARTICLE.wasm; exits 77 when the file is missing.
*/
#include <stdio.h>
#include <string.h>

#include "wasmem.h"

static int nfail;
static int kinds[WM_CHECK_KIND_COUNT_];
static char texts[4096];

#define EXPECT(cond)                                                          \
  do {                                                                        \
    if (!(cond)) {                                                            \
      nfail++;                                                                \
      fprintf(stderr, "check_article: FAILED: %s\n", #cond);                  \
    }                                                                         \
  } while (0)

static void on_report(const wm_check_report *r, void *data) {
  (void)data;
  kinds[r->kind]++;
  size_t n = strlen(texts);
  snprintf(texts + n, sizeof texts - n, "%s\n", r->text);
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    printf("SKIP: %s not built\n", argv[1]);
    return 77;
  }
  fclose(f);
  wm_error err;
  wm_module_options mo = {.flags = WM_MODULE_CHECKED};
  wm_module *mod = NULL;
  wm_runtime *rt = NULL;
  wm_instance *inst = NULL;
  wm_checker *chk = NULL;
  wm_guest *g = NULL;
  wm_check_options co;
  memset(&co, 0, sizeof co);
  co.on_report = on_report;
  if (wm_module_load_file(argv[1], &mo, &mod, &err) || wm_runtime_new(NULL, &rt, &err) ||
      wm_checker_new(rt, &co, &chk, &err) || wm_instance_new(rt, mod, NULL, &inst, &err) ||
      wm_checker_attach(chk, inst, &err) || wm_guest_new(rt, inst, NULL, &g, &err)) {
    fprintf(stderr, "check_article: %s\n", err.message);
    return 1;
  }
  EXPECT(strstr(wm_checker_allocator(chk), "no free function") != NULL);

  /* The article's call: 15, and alloc's block lies in static data. */
  static const uint8_t five[] = {1, 2, 3, 4, 5};
  wm_arg a = wm_arg_bytes(five, sizeof five);
  wm_val sum;
  EXPECT(wm_guest_call(g, "array_sum", NULL, &a, 1, &sum, 1, NULL, &err) == 0);
  EXPECT(sum.of.i32 == 15);
  EXPECT(kinds[WM_CHECK_ALLOC_OUTSIDE_HEAP] == 1);
  EXPECT(strstr(texts, "lies in the module's static data") != NULL);

  /* Two blocks held at once: alloc hands out the same slot again. */
  wm_block b1, b2;
  EXPECT(wm_guest_alloc_copy(g, "abc", 3, &b1, &err) == 0);
  EXPECT(wm_guest_alloc_copy(g, "xyz", 3, &b2, &err) == 0);
  EXPECT(b1.ptr == b2.ptr);
  EXPECT(kinds[WM_CHECK_OVERLAP_ALLOC] == 1);
  EXPECT(strstr(texts, "Allocation overlaps a live block") != NULL);
  wm_check_summary s;
  EXPECT(wm_checker_finish(chk, WM_LEAK_CHECK_SUMMARY, &s, &err) == 0);
  EXPECT(s.errors >= 2);
  fputs(texts, stdout);
  wm_guest_free(g, NULL);
  wm_runtime_free(rt);
  wm_module_free(mod);
  printf("%s\n", nfail ? "FAILED" : "ok");
  return nfail ? 1 : 0;
}
