/* SPDX-License-Identifier: MIT */
/*
** aot_build.h -- for the unit tests of compiled code (test_aot.c,
** test_aot_meter.c, test_aot_bt.c): a module translated with
** wm_module_to_c_parts and built into a shared object by a C compiler.
*/
#ifndef WM_TEST_AOT_BUILD_H
#define WM_TEST_AOT_BUILD_H

#include <stdio.h>
#include <stdlib.h>

#include "wasmem.h"

/* Compile mod to `so` with `cc`, a compiler and its optimisation options
** ("cc -O1", "clang -O2 -fno-inline"), as a shared object (flags:
** WM_COMPILE_*): 0, or -1. */
static inline int build_so_cc(const wm_module *mod, const char *so, uint32_t flags,
                              const char *cc) {
  char *c = NULL;
  size_t len = 0;
  wm_error err;
  wm_compile_options co = {flags};
  if (wm_module_to_c_parts(mod, &co, 1, &c, &len, &err) != 0) return -1;
  char src[200], cmd[800];
  snprintf(src, sizeof src, "%s.c", so);
  FILE *f = fopen(src, "wb");
  int ok = f && fwrite(c, 1, len, f) == len;
  if (f) fclose(f);
  wm_free(c);
  if (!ok) return -1;
  snprintf(cmd, sizeof cmd,
           "%s -shared -fPIC -ffp-contract=off -fno-math-errno -fno-optimize-sibling-calls -w "
           "-o %s %s -lm",
           cc, so, src);
  int rc = system(cmd);
  remove(src);
  return rc == 0 ? 0 : -1;
}

/* The same with the system's cc -O1. */
static inline int build_so_with(const wm_module *mod, const char *so, uint32_t flags) {
  return build_so_cc(mod, so, flags, "cc -O1");
}

#endif
