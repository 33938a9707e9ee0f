/* SPDX-License-Identifier: MIT */
/*
** aot_build.h -- for the unit tests of compiled code (test_aot.c,
** test_aot_meter.c): a module translated with wm_module_to_c_parts and
** built into a shared object with the system's cc.
*/
#ifndef WM_TEST_AOT_BUILD_H
#define WM_TEST_AOT_BUILD_H

#include <stdio.h>
#include <stdlib.h>

#include "wasmem.h"

/* Compile mod to `so` with the system's cc (flags: WM_COMPILE_*): 0, or -1. */
static inline int build_so_with(const wm_module *mod, const char *so, uint32_t flags) {
  char *c = NULL;
  size_t len = 0;
  wm_error err;
  wm_compile_options co = {flags};
  if (wm_module_to_c_parts(mod, &co, 1, &c, &len, &err) != 0) return -1;
  char src[160], cmd[640];
  snprintf(src, sizeof src, "%s.c", so);
  FILE *f = fopen(src, "wb");
  int ok = f && fwrite(c, 1, len, f) == len;
  if (f) fclose(f);
  wm_free(c);
  if (!ok) return -1;
  snprintf(cmd, sizeof cmd, "cc -O1 -shared -fPIC -ffp-contract=off -fno-optimize-sibling-calls -w -o %s %s -lm",
           so, src);
  int rc = system(cmd);
  remove(src);
  return rc == 0 ? 0 : -1;
}

#endif
