/* SPDX-License-Identifier: MIT */
/*
** wasi_test.h -- what the WASI C API tests share: CHECK, and calling the
** wrappers of wasi_unit.wat with arbitrary (bad) guest pointers.
*/
#ifndef WASI_TEST_H
#define WASI_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasmem.h"

/* Internals: the path walk that stands in for openat2 (src/wasi/wasi.h), and
** allocation-failure injection (src/util.h). */
void wm__wasi_force_walk(bool on);
void wm__alloc_fail_after(long n);

static int failures;
#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c)) {                                                                \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                      \
      failures++;                                                              \
    }                                                                          \
  } while (0)

enum { EAGAIN_ = 6, EBADF_ = 8, EDESTADDRREQ_ = 17, EFAULT_ = 21, EINVAL_ = 28, ENOSPC_ = 51, ENOTSOCK_ = 57,
       ENOTSUP_ = 58, EPIPE_ = 64, ENOTCAPABLE_ = 76 };

static wm_runtime *rt;
static wm_instance *inst;
static uint8_t *mem;
static int last_rc;

/* Call export `name` with integer arguments (converted to each parameter's
** type); returns its i32 result, or -1 with last_rc set on a trap. */
static int32_t callw(const char *name, ...) {
  wm_func *f = wm_instance_func(inst, name);
  if (!f) {
    printf("no export %s\n", name);
    exit(1);
  }
  wm_functype ft = wm_func_type(f);
  wm_val args[16], res[1];
  va_list ap;
  va_start(ap, name);
  for (uint32_t i = 0; i < ft.nparams; i++) {
    int64_t v = va_arg(ap, int64_t);
    args[i] = ft.params[i] == WM_I64 ? wm_val_i64(v) : wm_val_i32((int32_t)v);
  }
  va_end(ap);
  wm_error err;
  last_rc = wm_func_call(rt, f, args, ft.nparams, res, ft.nresults, &err);
  if (last_rc != 0) return -1;
  return ft.nresults ? res[0].of.i32 : 0;
}
#define C(name, ...) callw(name, __VA_ARGS__)
#define L(x) ((int64_t)(x))

static void put32(uint32_t off, uint32_t v) { memcpy(mem + off, &v, 4); }
static uint32_t get32(uint32_t off) { uint32_t v; memcpy(&v, mem + off, 4); return v; }

#endif
